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
#include "keys.h"
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
	/* PBAs made by the tests are signed through mh_encode and the global key store */
	memset(&dmm_keys, 0, sizeof(dmm_keys));
	assert_int_equal(dmm_keys_add_mh_auth("256:" KEY), 0);
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

static struct bc_entry *bul_entry(struct fixture *f, const char *mn_id)
{
	return bcache_find(mag_bul(f->mag), 1, (const uint8_t *)mn_id, strlen(mn_id));
}

static void assert_prefix(const struct mh_opt *o, const char *text, uint8_t plen)
{
	uint8_t a[16];
	assert_non_null(o);
	assert_int_equal(inet_pton(AF_INET6, text, a), 1);
	assert_memory_equal(o->v.hnp.prefix, a, 16);
	assert_int_equal(o->v.hnp.plen, plen);
}

/* Answer the PBU sent[i] with a PBA made here by mh_encode as an LMA would (RFC 5213
 * §5.3.6): status, the PBU's sequence number, MN-ID, HI, ATT and Timestamp echoed, the prefix
 * hnp ("p/len"), the MMB echoed when with_mmb (RFC 8278 §4.4: without MAG Identifier),
 * RFC 4285 authenticator of SPI 256; from the LMAA to the PBU's source. Returns mag_input's
 * result; sent[i] counts as delivered. */
static int answer_pbu(struct fixture *f, unsigned i, uint8_t status, int with_mmb, const char *hnp)
{
	struct mh_msg *pbu = calloc(1, sizeof(*pbu)), *pba = calloc(1, sizeof(*pba));
	parse_sent(f, i, pbu);
	pba->type = MH_BA;
	pba->u.ba.status = status;
	pba->u.ba.flags = MH_BA_P;
	pba->u.ba.seq = pbu->u.bu.seq;
	pba->u.ba.lifetime = status < 128 ? pbu->u.bu.lifetime : 0;
	static const uint8_t echoed[] = {MH_OPT_MNID, MH_OPT_HNP,       MH_OPT_HI,
	                                 MH_OPT_ATT,  MH_OPT_TIMESTAMP, MH_OPT_MMB};
	for (unsigned k = 0; k < sizeof(echoed); k++) {
		const struct mh_opt *in = mh_find_opt(pbu, echoed[k], 0);
		if (!in || (echoed[k] == MH_OPT_MMB && !with_mmb))
			continue;
		struct mh_opt *o = mh_add_opt(pba, echoed[k]);
		*o = *in;
		if (echoed[k] == MH_OPT_HNP) {
			char text[64];
			snprintf(text, sizeof(text), "%s", hnp);
			char *slash = strchr(text, '/');
			*slash = 0;
			assert_int_equal(inet_pton(AF_INET6, text, o->v.hnp.prefix), 1);
			o->v.hnp.plen = (uint8_t)atoi(slash + 1);
		}
	}
	struct mh_opt *auth = mh_add_opt(pba, MH_OPT_AUTH);
	auth->v.auth.subtype = 1;
	auth->v.auth.spi = 256;
	uint8_t buf[2048];
	struct dmm_wbuf w;
	wb_init(&w, buf, sizeof(buf));
	const struct sent *s = &f->sent[i];
	int len = mh_encode(pba, s->dst, s->src, &w);
	free(pbu);
	free(pba);
	assert_true(len > 0);
	if (f->pumped == i)
		f->pumped++;
	return mag_input(f->mag, s->dst, s->src, buf, (size_t)len);
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

/* Fire binding b's timer (refresh or retransmission) now. */
static void fire_timer(struct fixture *f, struct bc_binding *b)
{
	struct ev_timer t;
	ev_timer_init(&t, break_loop, f->dm.loop);
	ev_timer_start(f->dm.loop, &b->timer, 0);
	ev_timer_start(f->dm.loop, &t, 5);
	ev_run(f->dm.loop);
	ev_timer_stop(f->dm.loop, &t);
}

static void test_status_180_on_second_path(void **state)
{
	struct fixture *f = *state;
	struct mh_msg m;
	assert_int_equal(mag_mn_attach(f->mag, "mn1@example.com", "", "02:00:00:00:00:01"), 0);
	/* the LMA accepts the first path's multipath binding: the second path registers */
	assert_int_equal(pump(f), 1);
	assert_int_equal(f->nsent, 2);
	struct bc_entry *e = bul_entry(f, "mn1@example.com");
	assert_int_equal(e->nbind, 2);
	assert_int_equal(bc_binding_find(e, 1)->state, BC_ACTIVE);
	assert_int_equal(f->prefix_calls, 1);
	/* MPB-4.4-07: the second path's PBU is refused with 180 (MMB echoed) */
	assert_int_equal(
	    answer_pbu(f, 1, MH_STATUS_CANNOT_SUPPORT_MULTIPATH, 1, "2001:db8:100::/64"), 0);
	assert_int_equal(mag_counter(f->mag, "rejected"), 1);
	assert_int_equal(mag_counter(f->mag, "multipath_disabled"), 1);
	/* one PBU follows: single-path (neither MMB nor MAG Identifier), on one path, a
	 * re-registration of the node's session for the prefix it has */
	assert_int_equal(f->nsent, 3);
	parse_sent(f, 2, &m);
	assert_string_equal(addr(f->sent[2].src), "2001:db8:11::2");
	assert_string_equal(addr(f->sent[2].dst), "2001:db8:ff::1");
	assert_null(mh_find_opt(&m, MH_OPT_MMB, 0));
	assert_null(mh_find_opt(&m, MH_OPT_MAGID, 0));
	assert_int_equal(m.u.bu.lifetime, 100);
	assert_prefix(mh_find_opt(&m, MH_OPT_HNP, 0), "2001:db8:100::", 64);
	assert_null(mh_find_opt(&m, MH_OPT_HNP, 1));
	assert_int_equal(mh_find_opt(&m, MH_OPT_HI, 0)->v.u8pair.value, 5);
	assert_non_null(mh_find_opt(&m, MH_OPT_MNLLID, 0));
	/* binding update list: both multipath bindings gone, one single-path binding waits */
	assert_int_equal(e->nbind, 1);
	assert_null(bc_binding_find(e, 1));
	assert_null(bc_binding_find(e, 2));
	struct bc_binding *b = bc_binding_find(e, BC_BID_LEGACY);
	assert_non_null(b);
	assert_int_equal(b->state, BC_PENDING);
	assert_int_equal(b->path, 0);
	assert_int_equal(b->retrans_ms, 1000); /* INITIAL_BINDACK_TIMEOUT: not a first reg. */
	assert_false(e->multipath);
	assert_int_equal(mag_bul(f->mag)->nbindings, 1);
	/* the node keeps its prefix on the access link meanwhile (no withdrawal) */
	assert_int_equal(f->prefix_calls, 1);
	assert_int_equal(f->last_prefix_lifetime, 400);
	/* the LMA replaces its multipath binding with the single-path one */
	struct bc_entry *le =
	    bcache_find(lma_bcache(f->lma), 1, (const uint8_t *)"mn1@example.com", 15);
	assert_non_null(bc_binding_find(le, 1));
	assert_int_equal(pump(f), 1);
	assert_int_equal(le->nbind, 1);
	assert_non_null(bc_binding_find(le, BC_BID_LEGACY));
	assert_false(le->multipath);
	assert_int_equal(b->state, BC_ACTIVE);
	assert_int_equal(e->nbind, 1);
	assert_int_equal(f->nsent, 3); /* nothing on the second path */
	assert_int_equal(f->prefix_calls, 1);
	/* multipath stays off for the node: a restored path adds no binding, its refresh has
	 * no MMB */
	assert_int_equal(mag_link(f->mag, "wlan", 0), 0);
	assert_int_equal(mag_link(f->mag, "wlan", 1), 0);
	assert_int_equal(f->nsent, 3);
	fire_timer(f, b);
	assert_int_equal(f->nsent, 4);
	parse_sent(f, 3, &m);
	assert_null(mh_find_opt(&m, MH_OPT_MMB, 0));
	assert_string_equal(addr(f->sent[3].src), "2001:db8:11::2");
	assert_int_equal(pump(f), 1);
	assert_int_equal(e->nbind, 1);
	/* other nodes still register multipath (the LMA supports it) */
	assert_int_equal(mag_mn_attach(f->mag, "mn2@example.com", "", NULL), 0);
	parse_sent(f, 4, &m);
	assert_non_null(mh_find_opt(&m, MH_OPT_MMB, 0));
	assert_non_null(mh_find_opt(&m, MH_OPT_MAGID, 0));
}

static void test_status_180_on_refresh_with_first_path_down(void **state)
{
	struct fixture *f = *state;
	struct mh_msg m;
	assert_int_equal(mag_mn_attach(f->mag, "mn1@example.com", "", "02:00:00:00:00:01"), 0);
	assert_int_equal(pump(f), 1);
	assert_int_equal(pump(f), 1);
	struct bc_entry *e = bul_entry(f, "mn1@example.com");
	assert_int_equal(e->nbind, 2);
	/* the second path refreshes; the first path fails before the PBA */
	fire_timer(f, bc_binding_find(e, 2));
	assert_int_equal(f->nsent, 3);
	assert_int_equal(mag_link(f->mag, "lte", 0), 0);
	/* MPB-4.4-07: the refresh is refused with 180; single-path goes on the path that is up */
	assert_int_equal(
	    answer_pbu(f, 2, MH_STATUS_CANNOT_SUPPORT_MULTIPATH, 1, "2001:db8:100::/64"), 0);
	assert_int_equal(f->nsent, 4);
	parse_sent(f, 3, &m);
	assert_string_equal(addr(f->sent[3].src), "2001:db8:12::2");
	assert_null(mh_find_opt(&m, MH_OPT_MMB, 0));
	assert_null(mh_find_opt(&m, MH_OPT_MAGID, 0));
	assert_int_equal(mh_find_opt(&m, MH_OPT_HI, 0)->v.u8pair.value, 5);
	assert_prefix(mh_find_opt(&m, MH_OPT_HNP, 0), "2001:db8:100::", 64);
	assert_int_equal(e->nbind, 1);
	assert_int_equal(e->bindings->bid, BC_BID_LEGACY);
	assert_int_equal(e->bindings->path, 1);
	assert_int_equal(e->bindings->state, BC_PENDING);
	assert_int_equal(f->prefix_calls, 1);
	/* that path fails too before its PBA: nothing is registered, the prefix is withdrawn */
	assert_int_equal(mag_link(f->mag, "wlan", 0), 0);
	assert_int_equal(e->nbind, 0);
	assert_int_equal(f->prefix_calls, 2);
	assert_int_equal(f->last_prefix_lifetime, 0);
	/* and the late PBA belongs to no binding */
	assert_int_equal(answer_pbu(f, 3, 0, 0, "2001:db8:100::/64"), -1);
	assert_int_equal(mag_counter(f->mag, "drop_unexpected"), 1);
}

static void test_pba_without_mmb_first_path(void **state)
{
	struct fixture *f = *state;
	struct mh_msg m;
	assert_int_equal(mag_mn_attach(f->mag, "mn1@example.com", "", NULL), 0);
	assert_int_equal(f->nsent, 1);
	/* MPB-4.4-05: a legacy LMA accepts without echoing the MMB */
	assert_int_equal(answer_pbu(f, 0, 0, 0, "2001:db8:300::/64"), 0);
	assert_int_equal(mag_counter(f->mag, "accepted"), 1);
	assert_int_equal(mag_counter(f->mag, "multipath_disabled"), 1);
	assert_int_equal(f->nsent, 1); /* no PBU on the second path */
	struct bc_entry *e = bul_entry(f, "mn1@example.com");
	assert_int_equal(e->nbind, 1);
	struct bc_binding *b = bc_binding_find(e, BC_BID_LEGACY);
	assert_non_null(b);
	assert_int_equal(b->state, BC_ACTIVE);
	assert_int_equal(b->lifetime_s, 400);
	assert_false(e->multipath);
	assert_int_equal(f->prefix_calls, 1);
	assert_string_equal(f->last_prefix, "2001:db8:300::/64");
	/* the refresh, and the next node, register without options 63 and 64 */
	fire_timer(f, b);
	parse_sent(f, 1, &m);
	assert_null(mh_find_opt(&m, MH_OPT_MMB, 0));
	assert_null(mh_find_opt(&m, MH_OPT_MAGID, 0));
	assert_prefix(mh_find_opt(&m, MH_OPT_HNP, 0), "2001:db8:300::", 64);
	assert_int_equal(mag_mn_attach(f->mag, "mn2@example.com", "", NULL), 0);
	assert_int_equal(f->nsent, 3);
	parse_sent(f, 2, &m);
	assert_null(mh_find_opt(&m, MH_OPT_MMB, 0));
	assert_null(mh_find_opt(&m, MH_OPT_MAGID, 0));
	/* restoring a path does not open a second binding */
	assert_int_equal(mag_link(f->mag, "wlan", 0), 0);
	assert_int_equal(mag_link(f->mag, "wlan", 1), 0);
	assert_int_equal(f->nsent, 3);
}

static void test_pba_without_mmb_second_path(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(mag_mn_attach(f->mag, "mn1@example.com", "", NULL), 0);
	assert_int_equal(pump(f), 1);
	assert_int_equal(f->nsent, 2);
	/* MPB-4.4-05 on the second path: the LMA processed it as an RFC 5213 handoff, which
	 * replaced the first path's binding there; the MAG keeps the second path single-path */
	assert_int_equal(answer_pbu(f, 1, 0, 0, "2001:db8:100::/64"), 0);
	assert_int_equal(mag_counter(f->mag, "multipath_disabled"), 1);
	assert_int_equal(f->nsent, 2);
	struct bc_entry *e = bul_entry(f, "mn1@example.com");
	assert_int_equal(e->nbind, 1);
	assert_null(bc_binding_find(e, 1));
	struct bc_binding *b = bc_binding_find(e, BC_BID_LEGACY);
	assert_non_null(b);
	assert_int_equal(b->state, BC_ACTIVE);
	assert_int_equal(b->path, 1);
	assert_string_equal(addr(b->pcoa), "2001:db8:12::2");
	assert_false(e->multipath);
	assert_int_equal(mag_bul(f->mag)->nbindings, 1);
	assert_int_equal(f->prefix_calls, 1); /* advertised once, never withdrawn */
	assert_int_equal(f->last_prefix_lifetime, 400);
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
	    T(test_status_180_on_second_path, setup_on),
	    T(test_status_180_on_refresh_with_first_path_down, setup_on),
	    T(test_pba_without_mmb_first_path, setup_on),
	    T(test_pba_without_mmb_second_path, setup_on),
	    T(test_retransmission_backoff, setup_on),
	    T(test_refresh_uses_not_changed_hi, setup_on),
	    T(test_link_down_and_up, setup_on),
	    T(test_forged_pba_dropped, setup_on),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
