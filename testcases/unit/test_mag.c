/* Unit tests: MAG registration (RFC 5213 §6.9, §6.9.4 retransmission) and RFC 8278 §4.4
 * multipath discovery, against the LMA logic in the same process (no sockets). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bcache.h"
#include "conf.h"
#include "ev.h"
#include "lma.h"
#include "mag.h"
#include "mh.h"
#include "role.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY "0x0102030405060708090a0b0c0d0e0f10"

static const char mag_conf[] = "role mag\n"
                               "mag-id mag1@example.com\n"
                               "multipath on\n"
                               "lifetime 400\n"
                               "dataplane none\n"
                               "peer lma {\n  address 2001:db8:ff::1\n  spi 256\n  key " KEY "\n}\n"
                               "wan lte {\n  address 2001:db8:11::2\n  label 11\n  att 8\n}\n"
                               "wan wlan {\n  address 2001:db8:12::2\n  label 9\n  att 4\n}\n";

static const char lma_conf[] = "role lma\n"
                               "address 2001:db8:ff::1\n"
                               "hnp-pool 2001:db8:100::/48 64\n"
                               "multipath %s\n"
                               "dataplane none\n"
                               "min-delay-before-bce-delete 20\n"
                               "peer mag1 {\n  address 2001:db8:11::2\n  address 2001:db8:12::2\n"
                               "  spi 256\n  key " KEY "\n}\n"
                               "mn nomp@example.com {\n  multipath off\n}\n";

#define MAX_SENT 64

struct sent {
	uint8_t src[16], dst[16];
	uint8_t mh[1024];
	size_t len;
	uint64_t at_ms;
};

struct fixture {
	struct dmmd dm, dl;
	struct conf *cm, *cl;
	struct mag *mag;
	struct lma *lma;
	struct sent sent[MAX_SENT];
	unsigned nsent, pumped;
	int prefix_calls;
	uint32_t last_prefix_lifetime;
	char last_prefix[64];
};

static void on_send(void *arg, const uint8_t src[16], const uint8_t dst[16], const uint8_t *mh,
                    size_t len)
{
	struct fixture *f = arg;
	assert_true(f->nsent < MAX_SENT && len <= 1024);
	struct sent *s = &f->sent[f->nsent++];
	memcpy(s->src, src, 16);
	memcpy(s->dst, dst, 16);
	memcpy(s->mh, mh, len);
	s->len = len;
	s->at_ms = ev_now_ms(f->dm.loop);
}

static void on_prefix(void *arg, const char *iface, const char *ll_id, const struct bc_entry *e,
                      uint32_t lifetime_s)
{
	struct fixture *f = arg;
	f->prefix_calls++;
	f->last_prefix_lifetime = lifetime_s;
	if (e->nhnp)
		role_fmt_prefix(e->hnp[0].addr, e->hnp[0].plen, f->last_prefix,
		                sizeof(f->last_prefix));
}

static void *setup_role(struct dmmd *d, struct conf **cf, const char *text, struct ev_loop *loop)
{
	char err[256];
	d->loop = loop;
	*cf = conf_parse(text, "test.conf", err, sizeof(err));
	assert_non_null(*cf);
	void *st = role_setup(d, *cf, err, sizeof(err));
	if (!st)
		fail_msg("%s", err);
	return st;
}

static int setup_mode(void **state, const char *mode)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ev_loop *loop = ev_loop_new();
	char text[2048];
	snprintf(text, sizeof(text), lma_conf, mode);
	f->mag = setup_role(&f->dm, &f->cm, mag_conf, loop);
	f->lma = setup_role(&f->dl, &f->cl, text, loop);
	mag_set_send_hook(f->mag, on_send, f);
	mag_set_prefix_cb(f->mag, on_prefix, f);
	*state = f;
	return 0;
}

static int setup_on(void **state)
{
	return setup_mode(state, "on");
}
static int setup_legacy(void **state)
{
	return setup_mode(state, "legacy");
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	dmm_role_mag.free(f->mag);
	dmm_role_lma.free(f->lma);
	conf_free(f->cm);
	conf_free(f->cl);
	ev_loop_free(f->dm.loop);
	free(f);
	return 0;
}

/* Deliver the PBUs sent so far (not those their PBAs trigger) to the LMA and the PBAs back. */
static unsigned pump(struct fixture *f)
{
	unsigned n = 0, end = f->nsent;
	while (f->pumped < end) {
		struct sent *s = &f->sent[f->pumped++];
		uint8_t pba[2048];
		int len = lma_input(f->lma, s->src, s->dst, s->mh, s->len, pba, sizeof(pba));
		assert_true(len > 0);
		/* the PBA goes from the PBU's destination back to its source */
		assert_int_equal(mag_input(f->mag, s->dst, s->src, pba, (size_t)len), 0);
		n++;
	}
	return n;
}

static void parse_sent(const struct fixture *f, unsigned i, struct mh_msg *m)
{
	struct dmm_cursor c;
	assert_true(i < f->nsent);
	assert_int_equal(mh_parse(f->sent[i].mh, f->sent[i].len, m, &c), DMM_OK);
	assert_int_equal(m->type, MH_BU);
	assert_int_equal(mh_checksum(f->sent[i].src, f->sent[i].dst, f->sent[i].mh, f->sent[i].len),
	                 0);
}

static const char *addr(const uint8_t *a)
{
	static char buf[4][64];
	static int k;
	k = (k + 1) % 4;
	inet_ntop(AF_INET6, a, buf[k], sizeof(buf[k]));
	return buf[k];
}

static void test_multipath_registration_one_path_first(void **state)
{
	struct fixture *f = *state;
	struct mh_msg m;
	assert_int_equal(mag_mn_attach(f->mag, "mn1@example.com", "", "02:00:00:00:00:01"), 0);
	/* MPB-4.4-03: the capability is unknown, one PBU on one path only */
	assert_int_equal(f->nsent, 1);
	parse_sent(f, 0, &m);
	assert_string_equal(addr(f->sent[0].src), "2001:db8:11::2");
	assert_string_equal(addr(f->sent[0].dst), "2001:db8:ff::1");
	assert_true(m.u.bu.flags & MH_BU_P);
	assert_true(m.u.bu.flags & MH_BU_A);
	assert_int_equal(m.u.bu.lifetime, 100);
	assert_non_null(mh_find_opt(&m, MH_OPT_MNID, 0));
	const struct mh_opt *hnp = mh_find_opt(&m, MH_OPT_HNP, 0);
	static const uint8_t zero[16];
	assert_memory_equal(hnp->v.hnp.prefix, zero, 16); /* please assign */
	assert_int_equal(mh_find_opt(&m, MH_OPT_HI, 0)->v.u8pair.value, 1);
	assert_non_null(mh_find_opt(&m, MH_OPT_ATT, 0));
	assert_non_null(mh_find_opt(&m, MH_OPT_TIMESTAMP, 0));
	assert_non_null(mh_find_opt(&m, MH_OPT_MNLLID, 0));
	const struct mh_opt *mmb = mh_find_opt(&m, MH_OPT_MMB, 0);
	assert_non_null(mmb);                              /* MPB-4.4-01 */
	assert_non_null(mh_find_opt(&m, MH_OPT_MAGID, 0)); /* MPB-4.4-02 */
	assert_int_equal(mmb->v.mmb.bid, 1);
	assert_int_equal(mmb->v.mmb.if_label, 11);
	assert_int_equal(mmb->v.mmb.if_att, 8);
	assert_int_equal(mmb->v.mmb.flags, 0);
	assert_int_equal(mmb->v.mmb.reserved, 0);
	assert_int_equal(m.opts[m.nopts - 1].type, MH_OPT_AUTH);
	/* the PBA enables multipath: the second path registers with the delegated HNP */
	assert_int_equal(pump(f), 1);
	assert_int_equal(f->nsent, 2);
	parse_sent(f, 1, &m);
	assert_string_equal(addr(f->sent[1].src), "2001:db8:12::2");
	mmb = mh_find_opt(&m, MH_OPT_MMB, 0);
	assert_int_equal(mmb->v.mmb.bid, 2);
	assert_int_equal(mmb->v.mmb.if_label, 9);
	assert_non_null(mh_find_opt(&m, MH_OPT_MAGID, 0));
	hnp = mh_find_opt(&m, MH_OPT_HNP, 0);
	assert_int_equal(hnp->v.hnp.plen, 64);
	assert_true(hnp->v.hnp.prefix[0] == 0x20);
	assert_int_equal(f->prefix_calls, 1);
	assert_string_equal(f->last_prefix, "2001:db8:100::/64");
	assert_int_equal(f->last_prefix_lifetime, 400);
	assert_int_equal(pump(f), 1);
	/* both sides now have two bindings */
	struct bc_entry *e =
	    bcache_find(mag_bul(f->mag), 1, (const uint8_t *)"mn1@example.com", 15);
	assert_int_equal(e->nbind, 2);
	assert_int_equal(bc_binding_find(e, 1)->state, BC_ACTIVE);
	assert_int_equal(bc_binding_find(e, 2)->state, BC_ACTIVE);
	assert_int_equal(lma_bcache(f->lma)->nbindings, 2);
	/* refresh armed at 80% of the lifetime */
	uint64_t left = ev_timer_remaining(f->dm.loop, &bc_binding_find(e, 1)->timer);
	assert_true(left > 300000 && left <= 320000);
	assert_int_equal(mag_counter(f->mag, "accepted"), 2);
}

static void test_detach_deregisters_every_path(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(mag_mn_attach(f->mag, "mn1@example.com", "", NULL), 0);
	pump(f);
	pump(f);
	unsigned before = f->nsent;
	assert_int_equal(mag_mn_detach(f->mag, "mn1@example.com"), 0);
	assert_int_equal(f->nsent, before + 2);
	for (unsigned i = before; i < f->nsent; i++) {
		struct mh_msg m;
		parse_sent(f, i, &m);
		assert_int_equal(m.u.bu.lifetime, 0);
		/* MPB-4.1-03: O is 0 in a de-registration */
		assert_int_equal(mh_find_opt(&m, MH_OPT_MMB, 0)->v.mmb.flags & MH_MMB_O, 0);
	}
	assert_int_equal(f->last_prefix_lifetime, 0); /* withdrawn at once */
	pump(f);
	assert_null(bcache_find(mag_bul(f->mag), 1, (const uint8_t *)"mn1@example.com", 15));
	struct bc_entry *le =
	    bcache_find(lma_bcache(f->lma), 1, (const uint8_t *)"mn1@example.com", 15);
	assert_non_null(le);
	assert_int_equal(le->bindings->state, BC_DELETING);
	assert_int_equal(mag_mn_detach(f->mag, "mn1@example.com"), -1);
}

static void test_legacy_lma_disables_multipath(void **state)
{
	struct fixture *f = *state;
	struct mh_msg m;
	assert_int_equal(mag_mn_attach(f->mag, "mn1@example.com", "", NULL), 0);
	assert_int_equal(pump(f), 1);
	/* MPB-4.4-05: PBA without MMB, no PBU on the second path */
	assert_int_equal(f->nsent, 1);
	assert_int_equal(mag_counter(f->mag, "multipath_disabled"), 1);
	struct bc_entry *e =
	    bcache_find(mag_bul(f->mag), 1, (const uint8_t *)"mn1@example.com", 15);
	assert_int_equal(e->nbind, 1);
	assert_non_null(bc_binding_find(e, BC_BID_LEGACY));
	/* later nodes register without the options */
	assert_int_equal(mag_mn_attach(f->mag, "mn2@example.com", "", NULL), 0);
	parse_sent(f, 1, &m);
	assert_null(mh_find_opt(&m, MH_OPT_MMB, 0));
	assert_null(mh_find_opt(&m, MH_OPT_MAGID, 0));
	assert_int_equal(pump(f), 1);
	assert_int_equal(f->nsent, 2);
}

static void test_status_180_disables_multipath_for_node(void **state)
{
	struct fixture *f = *state;
	struct mh_msg m;
	assert_int_equal(mag_mn_attach(f->mag, "nomp@example.com", "", NULL), 0);
	assert_int_equal(pump(f), 1);
	/* MPB-4.4-07: after 180 the node registers single-path */
	assert_int_equal(f->nsent, 2);
	parse_sent(f, 1, &m);
	assert_null(mh_find_opt(&m, MH_OPT_MMB, 0));
	assert_null(mh_find_opt(&m, MH_OPT_MAGID, 0));
	assert_int_equal(mag_counter(f->mag, "multipath_disabled"), 1);
	assert_int_equal(pump(f), 1);
	struct bc_entry *e =
	    bcache_find(mag_bul(f->mag), 1, (const uint8_t *)"nomp@example.com", 16);
	assert_int_equal(e->nbind, 1);
	assert_int_equal(e->bindings->state, BC_ACTIVE);
	assert_int_equal(f->nsent, 2);
	/* other nodes still use multipath */
	assert_int_equal(mag_mn_attach(f->mag, "mn1@example.com", "", NULL), 0);
	parse_sent(f, 2, &m);
	assert_non_null(mh_find_opt(&m, MH_OPT_MMB, 0));
}

static void break_loop(void *arg)
{
	ev_break(arg);
}

static void test_retransmission_backoff(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(mag_mn_attach(f->mag, "mn1@example.com", "", NULL), 0);
	struct bc_entry *e =
	    bcache_find(mag_bul(f->mag), 1, (const uint8_t *)"mn1@example.com", 15);
	struct bc_binding *b = e->bindings;
	/* RFC 5213 §6.9.4: InitialBindackTimeoutFirstReg 1.5 s */
	assert_int_equal(b->retrans_ms, 1500);
	struct ev_timer t;
	ev_timer_init(&t, break_loop, f->dm.loop);
	ev_timer_start(f->dm.loop, &t, 1600);
	ev_run(f->dm.loop);
	assert_int_equal(f->nsent, 2);
	uint64_t gap = f->sent[1].at_ms - f->sent[0].at_ms;
	assert_true(gap >= 1500 && gap < 1600);
	assert_int_equal(b->retrans_ms, 3000); /* doubled */
	assert_int_equal(mag_counter(f->mag, "retransmissions"), 1);
	struct mh_msg m0, m1;
	parse_sent(f, 0, &m0);
	parse_sent(f, 1, &m1);
	/* the retransmission carries a newer timestamp */
	assert_true(mh_find_opt(&m1, MH_OPT_TIMESTAMP, 0)->v.timestamp >
	            mh_find_opt(&m0, MH_OPT_TIMESTAMP, 0)->v.timestamp);
	/* the late PBA of the first transmission does not match the PBU in flight */
	uint8_t pba[2048];
	int len = lma_input(f->lma, f->sent[0].src, f->sent[0].dst, f->sent[0].mh, f->sent[0].len,
	                    pba, sizeof(pba));
	assert_true(len > 0);
	assert_int_equal(mag_input(f->mag, f->sent[0].dst, f->sent[0].src, pba, (size_t)len), -1);
	assert_int_equal(mag_counter(f->mag, "drop_unexpected"), 1);
	assert_int_equal(b->state, BC_PENDING);
	/* each further timeout doubles, up to MaxBindackTimeout 32 s */
	static const uint16_t want[] = {6000, 12000, 24000, 32000};
	for (unsigned i = 0; i < 4; i++) {
		ev_timer_start(f->dm.loop, &b->timer, 0);
		ev_timer_start(f->dm.loop, &t, 5);
		ev_run(f->dm.loop);
		assert_int_equal(b->retrans_ms, want[i]);
		assert_true(ev_timer_remaining(f->dm.loop, &b->timer) > want[i] - 100u);
	}
	assert_int_equal(f->nsent, 6);
	/* no PBA after the wait at MaxBindackTimeout: the registration is given up */
	ev_timer_start(f->dm.loop, &b->timer, 0);
	ev_timer_start(f->dm.loop, &t, 5);
	ev_run(f->dm.loop);
	assert_int_equal(f->nsent, 6);
	assert_int_equal(mag_counter(f->mag, "registration_failed"), 1);
	assert_int_equal(e->nbind, 0);
}

static void test_refresh_uses_not_changed_hi(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(mag_mn_attach(f->mag, "mn1@example.com", "", NULL), 0);
	pump(f);
	pump(f);
	struct bc_entry *e =
	    bcache_find(mag_bul(f->mag), 1, (const uint8_t *)"mn1@example.com", 15);
	struct bc_binding *b = bc_binding_find(e, 1);
	/* fire the refresh timer now */
	ev_timer_start(f->dm.loop, &b->timer, 0);
	struct ev_timer t;
	ev_timer_init(&t, break_loop, f->dm.loop);
	ev_timer_start(f->dm.loop, &t, 20);
	ev_run(f->dm.loop);
	struct mh_msg m;
	parse_sent(f, f->nsent - 1, &m);
	assert_int_equal(mh_find_opt(&m, MH_OPT_HI, 0)->v.u8pair.value, 5);
	assert_int_equal(b->retrans_ms, 1000); /* INITIAL_BINDACK_TIMEOUT for re-registration */
	assert_int_equal(pump(f), 1);
	assert_int_equal(b->state, BC_ACTIVE);
	assert_int_equal(b->tries, 0);
}

static void test_link_down_and_up(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(mag_link(f->mag, "lte", 0), 0);
	assert_int_equal(mag_mn_attach(f->mag, "mn1@example.com", "", NULL), 0);
	/* the first path that is up is used */
	assert_string_equal(addr(f->sent[0].src), "2001:db8:12::2");
	pump(f);
	assert_int_equal(f->nsent, 1);
	assert_int_equal(mag_link(f->mag, "lte", 1), 0);
	assert_int_equal(f->nsent, 2);
	assert_string_equal(addr(f->sent[1].src), "2001:db8:11::2");
	pump(f);
	assert_int_equal(lma_bcache(f->lma)->nbindings, 2);
	assert_int_equal(mag_link(f->mag, "nosuch", 0), -1);
	/* a failed path sends nothing; restored, it re-registers at once */
	assert_int_equal(mag_link(f->mag, "wlan", 0), 0);
	assert_int_equal(mag_link(f->mag, "wlan", 0), 0); /* no change */
	assert_int_equal(f->nsent, 2);
	assert_int_equal(mag_link(f->mag, "wlan", 1), 0);
	assert_int_equal(f->nsent, 3);
	assert_string_equal(addr(f->sent[2].src), "2001:db8:12::2");
	struct mh_msg m;
	parse_sent(f, 2, &m);
	assert_int_equal(mh_find_opt(&m, MH_OPT_HI, 0)->v.u8pair.value, 5);
	pump(f);
	/* detach while a path is down: de-registration only on the path that is up */
	assert_int_equal(mag_link(f->mag, "lte", 0), 0);
	assert_int_equal(mag_mn_detach(f->mag, "mn1@example.com"), 0);
	assert_int_equal(f->nsent, 4);
	assert_string_equal(addr(f->sent[3].src), "2001:db8:12::2");
	parse_sent(f, 3, &m);
	assert_int_equal(m.u.bu.lifetime, 0);
	pump(f);
	assert_null(bcache_find(mag_bul(f->mag), 1, (const uint8_t *)"mn1@example.com", 15));
}

static void test_forged_pba_dropped(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(mag_mn_attach(f->mag, "mn1@example.com", "", NULL), 0);
	uint8_t pba[2048];
	struct sent *s = &f->sent[0];
	int len = lma_input(f->lma, s->src, s->dst, s->mh, s->len, pba, sizeof(pba));
	assert_true(len > 0);
	pba[len - 1] ^= 1; /* authenticator or padding damaged */
	pba[4] = pba[5] = 0;
	uint16_t sum = mh_checksum(s->dst, s->src, pba, (size_t)len);
	pba[4] = (uint8_t)(sum >> 8);
	pba[5] = (uint8_t)sum;
	assert_int_equal(mag_input(f->mag, s->dst, s->src, pba, (size_t)len), -1);
	assert_int_equal(mag_counter(f->mag, "drop_auth") + mag_counter(f->mag, "drop_malformed"),
	                 1);
	struct bc_entry *e =
	    bcache_find(mag_bul(f->mag), 1, (const uint8_t *)"mn1@example.com", 15);
	assert_int_equal(e->bindings->state, BC_PENDING);
}

int main(void)
{
#define T(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_multipath_registration_one_path_first, setup_on),
	    T(test_detach_deregisters_every_path, setup_on),
	    T(test_legacy_lma_disables_multipath, setup_legacy),
	    T(test_status_180_disables_multipath_for_node, setup_on),
	    T(test_retransmission_backoff, setup_on),
	    T(test_refresh_uses_not_changed_hi, setup_on),
	    T(test_link_down_and_up, setup_on),
	    T(test_forged_pba_dropped, setup_on),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
