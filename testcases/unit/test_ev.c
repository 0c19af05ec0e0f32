/* Unit tests: event loop (timers for RFC 5213 §6.9.4 retransmission, fds, signals). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ev.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

struct fire_log {
	struct ev_loop *loop;
	int order[64];
	int n;
	int stop_after;
};

struct tagged_timer {
	struct ev_timer t;
	struct fire_log *log;
	int tag;
};

static void log_fire(void *arg)
{
	struct tagged_timer *tt = arg;
	tt->log->order[tt->log->n++] = tt->tag;
	if (tt->log->n == tt->log->stop_after)
		ev_break(tt->log->loop);
}

static void test_timers_fire_in_deadline_order(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	assert_non_null(loop);
	struct fire_log log = {.loop = loop, .stop_after = 3};
	struct tagged_timer t[4];
	const uint64_t after[4] = {30, 10, 20, 5};
	for (int i = 0; i < 4; i++) {
		t[i].log = &log;
		t[i].tag = i;
		ev_timer_init(&t[i].t, log_fire, &t[i]);
		ev_timer_start(loop, &t[i].t, after[i]);
		assert_true(ev_timer_active(&t[i].t));
	}
	ev_timer_stop(loop, &t[3].t); /* the 5 ms one never fires */
	assert_false(ev_timer_active(&t[3].t));
	uint64_t t0 = ev_now_ms(loop);
	assert_int_equal(ev_run(loop), 0);
	assert_int_equal(log.n, 3);
	assert_int_equal(log.order[0], 1);
	assert_int_equal(log.order[1], 2);
	assert_int_equal(log.order[2], 0);
	assert_true(ev_now_ms(loop) - t0 >= 30);
	assert_true(ev_now_ms(loop) - t0 < 1000);
	ev_loop_free(loop);
}

/* Many timers with pseudo-random deadlines, some stopped or re-armed: the heap keeps order. */
static uint64_t last_due;
static int heap_fired, heap_order_ok = 1;
static struct ev_loop *heap_loop;
static void heap_fire(void *arg)
{
	struct ev_timer *t = arg;
	if (t->due_ms < last_due)
		heap_order_ok = 0;
	last_due = t->due_ms;
	heap_fired++;
}

static void test_heap_order_under_churn(void **state)
{
	enum { N = 5000 };
	struct ev_timer *t = calloc(N, sizeof(*t));
	heap_loop = ev_loop_new();
	unsigned seed = 12345;
	for (int i = 0; i < N; i++) {
		ev_timer_init(&t[i], heap_fire, &t[i]);
		seed = seed * 1103515245u + 12345u;
		ev_timer_start(heap_loop, &t[i], 1000000 + (seed >> 8) % 100000);
	}
	int stopped = 0;
	for (int i = 0; i < N; i += 7) {
		ev_timer_stop(heap_loop, &t[i]);
		stopped++;
	}
	for (int i = 3; i < N; i += 11) {
		if (!ev_timer_active(&t[i]))
			stopped--;
		seed = seed * 1103515245u + 12345u;
		ev_timer_start(heap_loop, &t[i], 1000000 + (seed >> 8) % 100000);
	}
	/* drain the heap by popping the earliest repeatedly through remaining/stop */
	assert_true(ev_timer_remaining(heap_loop, &t[1]) > 900000);
	int active = 0;
	for (int i = 0; i < N; i++)
		active += ev_timer_active(&t[i]);
	assert_int_equal(active, N - stopped);
	/* fire them all by moving their deadlines to now in heap order: restart at 0 keeps
	 * relative order because due_ms of the earliest stays the minimum */
	last_due = 0;
	heap_fired = 0;
	/* pop manually: the earliest active timer must be the one with the smallest due_ms */
	for (int k = 0; k < active; k++) {
		struct ev_timer *min = NULL;
		for (int i = 0; i < N; i++)
			if (ev_timer_active(&t[i]) && (!min || t[i].due_ms < min->due_ms))
				min = &t[i];
		assert_non_null(min);
		if (k % 500 == 0) {
			/* the heap's view: arming a 0 ms timer must not beat an older due one */
			assert_true(min->due_ms >= last_due);
		}
		heap_fire(min);
		ev_timer_stop(heap_loop, min);
	}
	assert_true(heap_order_ok);
	assert_int_equal(heap_fired, active);
	ev_loop_free(heap_loop);
	free(t);
}

/* Fire many timers through the loop itself and check monotonic order. */
static void test_heap_order_through_loop(void **state)
{
	enum { N = 2000 };
	struct ev_timer *t = calloc(N, sizeof(*t));
	heap_loop = ev_loop_new();
	unsigned seed = 99;
	for (int i = 0; i < N; i++) {
		ev_timer_init(&t[i], heap_fire, &t[i]);
		seed = seed * 1103515245u + 12345u;
		ev_timer_start(heap_loop, &t[i], (seed >> 8) % 40);
	}
	for (int i = 0; i < N; i += 3)
		ev_timer_stop(heap_loop, &t[i]);
	struct ev_timer end;
	ev_timer_init(&end, (ev_timer_cb)ev_break, heap_loop);
	ev_timer_start(heap_loop, &end, 60);
	last_due = 0;
	heap_fired = 0;
	heap_order_ok = 1;
	assert_int_equal(ev_run(heap_loop), 0);
	assert_true(heap_order_ok);
	assert_int_equal(heap_fired, N - (N + 2) / 3);
	ev_loop_free(heap_loop);
	free(t);
}

struct pipe_ctx {
	struct ev_loop *loop;
	char got[16];
	int events;
};

static void on_pipe(int fd, uint32_t events, void *arg)
{
	struct pipe_ctx *p = arg;
	p->events |= (int)events;
	ssize_t n = read(fd, p->got, sizeof(p->got) - 1);
	if (n > 0)
		p->got[n] = 0;
	ev_fd_del(p->loop, fd);
	ev_break(p->loop);
}

static void test_fd_watcher(void **state)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	struct pipe_ctx p = {.loop = ev_loop_new()};
	assert_int_equal(ev_fd_add(p.loop, fds[0], EPOLLIN, on_pipe, &p), 0);
	assert_int_equal(ev_fd_add(p.loop, fds[0], EPOLLIN, on_pipe, &p), -1); /* one per fd */
	assert_int_equal(ev_fd_mod(p.loop, fds[0], EPOLLIN), 0);
	assert_int_equal(write(fds[1], "pbu", 3), 3);
	assert_int_equal(ev_run(p.loop), 0);
	assert_string_equal(p.got, "pbu");
	assert_true(p.events & EPOLLIN);
	assert_int_equal(ev_fd_del(p.loop, fds[0]), -1); /* already removed */
	ev_loop_free(p.loop);
	close(fds[0]);
	close(fds[1]);
}

struct sig_ctx {
	struct ev_loop *loop;
	int signo;
};

static void on_sig(int signo, void *arg)
{
	struct sig_ctx *s = arg;
	s->signo = signo;
	ev_break(s->loop);
}

static void raise_usr1(void *arg)
{
	raise(SIGUSR1);
}

static void test_signal_through_loop(void **state)
{
	struct sig_ctx s = {.loop = ev_loop_new()};
	assert_int_equal(ev_signal(s.loop, SIGUSR1, on_sig, &s), 0);
	struct ev_timer t, guard;
	ev_timer_init(&t, raise_usr1, NULL);
	ev_timer_start(s.loop, &t, 1);
	ev_timer_init(&guard, (ev_timer_cb)ev_break, s.loop);
	ev_timer_start(s.loop, &guard, 2000);
	assert_int_equal(ev_run(s.loop), 0);
	assert_int_equal(s.signo, SIGUSR1);
	assert_true(ev_timer_active(&guard));
	assert_true(ev_timer_remaining(s.loop, &guard) > 1000);
	ev_timer_stop(s.loop, &guard);
	assert_int_equal(ev_timer_remaining(s.loop, &guard), 0);
	ev_loop_free(s.loop);
}

static void test_wall_clock(void **state)
{
	uint64_t w = ev_wall_ms();
	assert_true(w > 1600000000000ull); /* after 2020 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_timers_fire_in_deadline_order),
	    cmocka_unit_test(test_heap_order_under_churn),
	    cmocka_unit_test(test_heap_order_through_loop),
	    cmocka_unit_test(test_fd_watcher),
	    cmocka_unit_test(test_signal_through_loop),
	    cmocka_unit_test(test_wall_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
