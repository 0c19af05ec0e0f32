/* Event loop for the daemons (RFC 5213 §6.9.4 timers, RFC 8278 paths): epoll, heap timers,
 * signalfd. */
#include "ev.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#define EV_MAX_EVENTS 64
#define EV_MAX_SIGNALS 8

struct ev_watch {
	int fd;
	ev_fd_cb cb;
	void *arg;
};

struct ev_sig {
	int signo;
	ev_signal_cb cb;
	void *arg;
};

struct ev_loop {
	int epfd;
	int running;
	uint64_t now_ms;
	/* fd watchers, indexed by fd */
	struct ev_watch **watch;
	size_t nwatch;
	/* timer heap, 1-based: heap[1] is the earliest */
	struct ev_timer **heap;
	size_t nheap, capheap;
	/* signals */
	int sigfd;
	sigset_t sigmask;
	struct ev_sig sigs[EV_MAX_SIGNALS];
	unsigned nsigs;
};

static uint64_t clock_ms(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t ev_wall_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

/* Outside ev_run the cached time would be stale: refresh it. */
static void refresh_when_idle(struct ev_loop *loop)
{
	if (!loop->running)
		loop->now_ms = clock_ms(CLOCK_MONOTONIC);
}

uint64_t ev_now_ms(struct ev_loop *loop)
{
	refresh_when_idle(loop);
	return loop->now_ms;
}

struct ev_loop *ev_loop_new(void)
{
	struct ev_loop *loop = calloc(1, sizeof(*loop));
	if (!loop)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	loop->sigfd = -1;
	sigemptyset(&loop->sigmask);
	loop->now_ms = clock_ms(CLOCK_MONOTONIC);
	return loop;
}

void ev_loop_free(struct ev_loop *loop)
{
	if (!loop)
		return;
	for (size_t i = 0; i < loop->nwatch; i++)
		free(loop->watch[i]);
	free(loop->watch);
	for (size_t i = 1; i <= loop->nheap; i++)
		loop->heap[i]->heap_pos = 0;
	free(loop->heap);
	if (loop->sigfd >= 0) {
		sigprocmask(SIG_UNBLOCK, &loop->sigmask, NULL);
		close(loop->sigfd);
	}
	close(loop->epfd);
	free(loop);
}

/* ---- fd watchers ---- */

int ev_fd_add(struct ev_loop *loop, int fd, uint32_t events, ev_fd_cb cb, void *arg)
{
	if (fd < 0 || !cb) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)fd >= loop->nwatch) {
		size_t n = (size_t)fd + 16;
		struct ev_watch **w = realloc(loop->watch, n * sizeof(*w));
		if (!w)
			return -1;
		memset(w + loop->nwatch, 0, (n - loop->nwatch) * sizeof(*w));
		loop->watch = w;
		loop->nwatch = n;
	}
	if (loop->watch[fd]) {
		errno = EEXIST;
		return -1;
	}
	struct ev_watch *w = malloc(sizeof(*w));
	if (!w)
		return -1;
	*w = (struct ev_watch){fd, cb, arg};
	struct epoll_event ee = {.events = events, .data.fd = fd};
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ee) < 0) {
		free(w);
		return -1;
	}
	loop->watch[fd] = w;
	return 0;
}

int ev_fd_mod(struct ev_loop *loop, int fd, uint32_t events)
{
	if (fd < 0 || (size_t)fd >= loop->nwatch || !loop->watch[fd]) {
		errno = ENOENT;
		return -1;
	}
	struct epoll_event ee = {.events = events, .data.fd = fd};
	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ee);
}

int ev_fd_del(struct ev_loop *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->nwatch || !loop->watch[fd]) {
		errno = ENOENT;
		return -1;
	}
	free(loop->watch[fd]);
	loop->watch[fd] = NULL;
	return epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
}

/* ---- timers: binary min-heap on due_ms ---- */

static void heap_set(struct ev_loop *loop, size_t i, struct ev_timer *t)
{
	loop->heap[i] = t;
	t->heap_pos = (uint32_t)i;
}

static void heap_up(struct ev_loop *loop, size_t i)
{
	struct ev_timer *t = loop->heap[i];
	while (i > 1 && loop->heap[i / 2]->due_ms > t->due_ms) {
		heap_set(loop, i, loop->heap[i / 2]);
		i /= 2;
	}
	heap_set(loop, i, t);
}

static void heap_down(struct ev_loop *loop, size_t i)
{
	struct ev_timer *t = loop->heap[i];
	for (;;) {
		size_t c = 2 * i;
		if (c > loop->nheap)
			break;
		if (c + 1 <= loop->nheap && loop->heap[c + 1]->due_ms < loop->heap[c]->due_ms)
			c++;
		if (loop->heap[c]->due_ms >= t->due_ms)
			break;
		heap_set(loop, i, loop->heap[c]);
		i = c;
	}
	heap_set(loop, i, t);
}

void ev_timer_init(struct ev_timer *t, ev_timer_cb cb, void *arg)
{
	t->due_ms = 0;
	t->cb = cb;
	t->arg = arg;
	t->heap_pos = 0;
}

void ev_timer_stop(struct ev_loop *loop, struct ev_timer *t)
{
	size_t i = t->heap_pos;
	if (!i)
		return;
	struct ev_timer *last = loop->heap[loop->nheap--];
	t->heap_pos = 0;
	if (last == t)
		return;
	heap_set(loop, i, last);
	if (i > 1 && loop->heap[i / 2]->due_ms > last->due_ms)
		heap_up(loop, i);
	else
		heap_down(loop, i);
}

void ev_timer_start(struct ev_loop *loop, struct ev_timer *t, uint64_t after_ms)
{
	ev_timer_stop(loop, t);
	if (loop->nheap + 1 >= loop->capheap) {
		size_t n = loop->capheap ? loop->capheap * 2 : 64;
		struct ev_timer **h = realloc(loop->heap, n * sizeof(*h));
		if (!h)
			abort(); /* a timer that cannot be armed would silently lose state */
		loop->heap = h;
		loop->capheap = n;
	}
	refresh_when_idle(loop);
	t->due_ms = loop->now_ms + after_ms;
	loop->nheap++;
	heap_set(loop, loop->nheap, t);
	heap_up(loop, loop->nheap);
}

uint64_t ev_timer_remaining(struct ev_loop *loop, const struct ev_timer *t)
{
	refresh_when_idle(loop);
	if (!t->heap_pos || t->due_ms <= loop->now_ms)
		return 0;
	return t->due_ms - loop->now_ms;
}

/* Fire every due timer; a callback may re-arm or stop any timer. */
static void run_timers(struct ev_loop *loop)
{
	while (loop->running && loop->nheap && loop->heap[1]->due_ms <= loop->now_ms) {
		struct ev_timer *t = loop->heap[1];
		ev_timer_stop(loop, t);
		t->cb(t->arg);
	}
}

/* ---- signals ---- */

static void on_signalfd(int fd, uint32_t events, void *arg)
{
	struct ev_loop *loop = arg;
	struct signalfd_siginfo si;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		for (unsigned i = 0; i < loop->nsigs; i++)
			if (loop->sigs[i].signo == (int)si.ssi_signo)
				loop->sigs[i].cb((int)si.ssi_signo, loop->sigs[i].arg);
	}
}

int ev_signal(struct ev_loop *loop, int signo, ev_signal_cb cb, void *arg)
{
	if (loop->nsigs >= EV_MAX_SIGNALS || !cb) {
		errno = ENOSPC;
		return -1;
	}
	sigaddset(&loop->sigmask, signo);
	if (sigprocmask(SIG_BLOCK, &loop->sigmask, NULL) < 0)
		return -1;
	int fd = signalfd(loop->sigfd, &loop->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (loop->sigfd < 0) {
		loop->sigfd = fd;
		if (ev_fd_add(loop, fd, EPOLLIN, on_signalfd, loop) < 0)
			return -1;
	}
	loop->sigs[loop->nsigs++] = (struct ev_sig){signo, cb, arg};
	return 0;
}

/* ---- run ---- */

int ev_run(struct ev_loop *loop)
{
	struct epoll_event evs[EV_MAX_EVENTS];
	loop->running = 1;
	while (loop->running) {
		loop->now_ms = clock_ms(CLOCK_MONOTONIC);
		run_timers(loop);
		if (!loop->running)
			break;
		int timeout = -1;
		if (loop->nheap) {
			uint64_t due = loop->heap[1]->due_ms;
			uint64_t wait = due > loop->now_ms ? due - loop->now_ms : 0;
			timeout = wait > 60000 ? 60000 : (int)wait;
		}
		int n = epoll_wait(loop->epfd, evs, EV_MAX_EVENTS, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			loop->running = 0;
			return -1;
		}
		loop->now_ms = clock_ms(CLOCK_MONOTONIC);
		for (int i = 0; i < n && loop->running; i++) {
			int fd = evs[i].data.fd;
			/* a callback may have removed this watcher (or another one) */
			if ((size_t)fd < loop->nwatch && loop->watch[fd]) {
				struct ev_watch *w = loop->watch[fd];
				w->cb(fd, evs[i].events, w->arg);
			}
		}
	}
	return 0;
}

void ev_break(struct ev_loop *loop)
{
	loop->running = 0;
}
