/* Unit tests: binding cache (RFC 5213 §5.1) with RFC 8278 BID-keyed bindings: lookups,
 * bindings per node, growth to 100k nodes, memory per binding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bcache.h"
#include "ev.h"

#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void nop(void *arg) {}

static void test_entries_and_bindings(void **state)
{
	struct bcache bc;
	assert_int_equal(bcache_init(&bc, 0), 0);
	const uint8_t *id = (const uint8_t *)"mn1@example.com";
	assert_null(bcache_find(&bc, 1, id, 15));
	struct bc_entry *e = bcache_add(&bc, 1, id, 15);
	assert_non_null(e);
	assert_ptr_equal(bcache_find(&bc, 1, id, 15), e);
	assert_null(bcache_find(&bc, 2, id, 15)); /* subtype is part of the key */
	assert_null(bcache_find(&bc, 1, id, 14));
	struct bc_binding *b2 = bc_binding_add(&bc, e, 2, nop);
	struct bc_binding *b1 = bc_binding_add(&bc, e, 1, nop);
	struct bc_binding *b9 = bc_binding_add(&bc, e, 9, nop);
	assert_int_equal(e->nbind, 3);
	assert_int_equal(bc.nbindings, 3);
	assert_ptr_equal(e->bindings, b1); /* ordered by BID */
	assert_ptr_equal(b1->next, b2);
	assert_ptr_equal(bc_binding_find(e, 9), b9);
	assert_null(bc_binding_find(e, 3));
	assert_int_equal(b1->tunnel, -1);
	uint8_t pcoa[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	memcpy(b2->pcoa, pcoa, 16);
	assert_ptr_equal(bc_binding_by_pcoa(e, pcoa), b2);
	e->hnp[0].addr[0] = 0x20;
	e->hnp[0].plen = 64;
	e->nhnp = 1;
	assert_true(bc_has_hnp(e, e->hnp[0].addr, 64));
	assert_false(bc_has_hnp(e, e->hnp[0].addr, 48));
	uint64_t d = bcache_digest(&bc);
	b9->lifetime_s = 10;
	assert_true(bcache_digest(&bc) != d);
	b9->lifetime_s = 0;
	assert_true(bcache_digest(&bc) == d);
	bc_binding_del(&bc, b2, NULL);
	assert_int_equal(e->nbind, 2);
	assert_null(bc_binding_find(e, 2));
	assert_int_equal(bc.nbindings, 2);
	bcache_del(&bc, e, NULL);
	assert_int_equal(bc.count, 0);
	assert_int_equal(bc.nbindings, 0);
	assert_null(bcache_find(&bc, 1, id, 15));
	uint8_t long_id[300] = {0};
	assert_null(bcache_add(&bc, 1, long_id, 256));
	bcache_destroy(&bc, NULL);
}

/* Timers inside bindings: deleting a binding stops its timer. */
static int fired;
static void count_fire(void *arg)
{
	fired++;
}

static void stop_loop(void *arg)
{
	ev_break(arg);
}

static void test_binding_timers_stop_on_delete(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct bcache bc;
	bcache_init(&bc, 4);
	struct bc_entry *e = bcache_add(&bc, 1, (const uint8_t *)"x", 1);
	struct bc_binding *a = bc_binding_add(&bc, e, 1, count_fire);
	struct bc_binding *b = bc_binding_add(&bc, e, 2, count_fire);
	ev_timer_start(loop, &a->timer, 5);
	ev_timer_start(loop, &b->timer, 5);
	bc_binding_del(&bc, b, loop);
	struct ev_timer end;
	ev_timer_init(&end, stop_loop, loop);
	ev_timer_start(loop, &end, 30);
	fired = 0;
	ev_run(loop);
	assert_int_equal(fired, 1);
	ev_timer_start(loop, &a->timer, 5);
	bcache_destroy(&bc, loop); /* stops a's timer */
	ev_timer_start(loop, &end, 30);
	ev_run(loop);
	assert_int_equal(fired, 1);
	ev_loop_free(loop);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 100k nodes with one binding each: every lookup hits, memory stays under 1 KiB a binding. */
static void test_100k_nodes(void **state)
{
	enum { N = 100000 };
	struct bcache bc;
	struct mallinfo2 before = mallinfo2();
	assert_int_equal(bcache_init(&bc, 0), 0);
	char id[64];
	double t0 = now_s();
	for (int i = 0; i < N; i++) {
		int n = snprintf(id, sizeof(id), "mn%d@bench.example.com", i);
		struct bc_entry *e = bcache_add(&bc, 1, (const uint8_t *)id, (size_t)n);
		assert_non_null(e);
		e->nhnp = 1;
		assert_non_null(bc_binding_add(&bc, e, 1, nop));
	}
	double t1 = now_s();
	struct mallinfo2 after = mallinfo2();
	size_t per = (after.uordblks - before.uordblks) / N;
	print_message("bcache: %d nodes, %.0f inserts/s, %zu octets per node+binding\n", N,
	              N / (t1 - t0), per);
	assert_true(per <= 1024);
	assert_int_equal(bc.count, N);
	assert_int_equal(bc.nbindings, N);
	assert_true(bc.nbuckets >= N);
	for (int i = 0; i < N; i += 7) {
		int n = snprintf(id, sizeof(id), "mn%d@bench.example.com", i);
		struct bc_entry *e = bcache_find(&bc, 1, (const uint8_t *)id, (size_t)n);
		assert_non_null(e);
		assert_int_equal(e->id_len, n);
		assert_memory_equal(e->id, id, (size_t)n);
	}
	double t2 = now_s();
	print_message("bcache: %.0f lookups/s\n", (N / 7) / (t2 - t1));
	size_t walked = 0;
	for (struct bc_entry *e = bcache_next(&bc, NULL); e; e = bcache_next(&bc, e))
		walked++;
	assert_int_equal(walked, N);
	for (int i = 0; i < N; i += 2) {
		int n = snprintf(id, sizeof(id), "mn%d@bench.example.com", i);
		bcache_del(&bc, bcache_find(&bc, 1, (const uint8_t *)id, (size_t)n), NULL);
	}
	assert_int_equal(bc.count, N / 2);
	assert_null(bcache_find(&bc, 1, (const uint8_t *)"mn0@bench.example.com", 21));
	assert_non_null(bcache_find(&bc, 1, (const uint8_t *)"mn1@bench.example.com", 21));
	bcache_destroy(&bc, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_entries_and_bindings),
	    cmocka_unit_test(test_binding_timers_stop_on_delete),
	    cmocka_unit_test(test_100k_nodes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
