/* Event loop shared by every daemon role (RFC 5213 §6.9.4 timers, RFC 8278 paths): fds, timers,
 * signals. */
#ifndef DMM_EV_H
#define DMM_EV_H

#include <stdint.h>

struct ev_loop;

/* Called with the epoll events (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP) that fired. */
typedef void (*ev_fd_cb)(int fd, uint32_t events, void *arg);
typedef void (*ev_timer_cb)(void *arg);
typedef void (*ev_signal_cb)(int signo, void *arg);

/* A timer lives in caller memory (a binding, a retransmission) and costs no
 * allocation; the loop keeps active timers in a binary heap. */
struct ev_timer {
	uint64_t due_ms; /* monotonic deadline (ev_now_ms clock) */
	ev_timer_cb cb;
	void *arg;
	uint32_t heap_pos; /* 0 = not active; otherwise 1-based index in the heap */
};

struct ev_loop *ev_loop_new(void);
void ev_loop_free(struct ev_loop *loop);

/* Watch fd for events (EPOLLIN/EPOLLOUT); one watcher per fd. Return 0 or -1 (errno). */
int ev_fd_add(struct ev_loop *loop, int fd, uint32_t events, ev_fd_cb cb, void *arg);
int ev_fd_mod(struct ev_loop *loop, int fd, uint32_t events);
int ev_fd_del(struct ev_loop *loop, int fd);

void ev_timer_init(struct ev_timer *t, ev_timer_cb cb, void *arg);
/* (Re)arm t to fire once, after_ms from now. */
void ev_timer_start(struct ev_loop *loop, struct ev_timer *t, uint64_t after_ms);
void ev_timer_stop(struct ev_loop *loop, struct ev_timer *t);
static inline int ev_timer_active(const struct ev_timer *t)
{
	return t->heap_pos != 0;
}
/* Milliseconds left before t fires (0 if inactive or due). */
uint64_t ev_timer_remaining(struct ev_loop *loop, const struct ev_timer *t);

/* Monotonic clock in milliseconds, cached once per loop iteration. */
uint64_t ev_now_ms(struct ev_loop *loop);
/* Wall clock, for RFC 5213 timestamps and log lines. */
uint64_t ev_wall_ms(void);

/* Deliver signo through the loop (signalfd), not in a signal handler. */
int ev_signal(struct ev_loop *loop, int signo, ev_signal_cb cb, void *arg);

/* Run until ev_break; returns 0, or -1 on an epoll failure. */
int ev_run(struct ev_loop *loop);
void ev_break(struct ev_loop *loop);

#endif
