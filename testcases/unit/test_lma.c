/* Unit tests: LMA PBU processing (RFC 5213 §5.3, §5.5; RFC 8278 §4; RFC 4285 §5), driven with
 * PBUs made by mh_encode; every rejection leaves the binding cache unchanged. */
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
#include "mh.h"
#include "role.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESERVED 1 /* pooled@example.com's static prefix inside the pool */
#define KEY_HEX "0x0102030405060708090a0b0c0d0e0f10"

static const char lma_conf[] = "role lma\n"
                               "address 2001:db8:ff::1\n"
                               "hnp-pool 2001:db8:100::/48 64\n"
                               "multipath %s\n"
                               "min-delay-before-bce-delete 40\n"
                               "peer mag1 {\n"
                               "  address 2001:db8:11::2\n"
                               "  address 2001:db8:12::2\n"
                               "  spi 256\n"
                               "  key " KEY_HEX "\n"
                               "}\n"
                               "peer rogue {\n"
                               "  address 2001:db8:13::2\n"
                               "  spi 257\n"
                               "  key rogue-secret\n"
                               "  proxy-reg off\n"
                               "}\n"
                               "mn nomp@example.com {\n"
                               "  multipath off\n"
                               "}\n"
                               "mn pooled@example.com {\n"
                               "  hnp 2001:db8:100:1::/64\n" /* a static prefix inside the pool */
                               "}\n"
                               "mn static@example.com {\n"
                               "  hnp 2001:db8:200:1::/64\n"
                               "}\n";

struct fixture {
	struct dmmd d;
	struct conf *cf;
	struct lma *l;
};

static uint8_t LMAA[16], PCOA1[16], PCOA2[16], ROGUE[16], STRANGER[16];

static int setup_mode(void **state, const char *mode)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char text[2048], err[256];
	snprintf(text, sizeof(text), lma_conf, mode);
	f->d.loop = ev_loop_new();
	f->cf = conf_parse(text, "test.conf", err, sizeof(err));
	assert_non_null(f->cf);
	f->l = role_setup(&f->d, f->cf, err, sizeof(err));
	if (!f->l)
		fail_msg("%s", err);
	inet_pton(AF_INET6, "2001:db8:ff::1", LMAA);
	inet_pton(AF_INET6, "2001:db8:11::2", PCOA1);
	inet_pton(AF_INET6, "2001:db8:12::2", PCOA2);
	inet_pton(AF_INET6, "2001:db8:13::2", ROGUE);
	inet_pton(AF_INET6, "2001:db8:99::9", STRANGER);
	/* the test signs its PBUs through mh_encode and the global key store */
	memset(&dmm_keys, 0, sizeof(dmm_keys));
	assert_int_equal(dmm_keys_add_mh_auth("256:" KEY_HEX), 0);
	assert_int_equal(dmm_keys_add_mh_auth("257:rogue-secret"), 0);
	assert_int_equal(dmm_keys_add_mh_auth("999:unknown-to-the-lma"), 0);
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
static int setup_off(void **state)
{
	return setup_mode(state, "off");
}
static int setup_short_lifetime(void **state)
{
	return setup_mode(state, "on\nmax-lifetime 4");
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	dmm_role_lma.free(f->l);
	conf_free(f->cf);
	ev_loop_free(f->d.loop);
	free(f);
	return 0;
}

/* What a test PBU carries. Zero means the usual: MN-ID mn1, ::/0, HI 1, ATT 4, a fresh
 * timestamp, lifetime 100 (400 s), SPI 256, from PCOA1. */
struct pbu_spec {
	const char *mnid;
	const char *hnp; /* "p/len" */
	int no_mnid, no_hnp, no_hi, no_att, no_ts, no_auth, bad_csum, not_proxy;
	int64_t ts_offset_ms;
	int lifetime; /* -1: 0 (de-registration) */
	uint16_t seq;
	int mmb;
	uint8_t bid, label, mmb_flags;
	uint16_t mmb_reserved;
	int no_magid;
	uint32_t spi;
	const uint8_t *src;
};

static uint64_t last_ts;

static uint64_t fresh_ts(int64_t offset_ms)
{
	uint64_t ts = role_timestamp((uint64_t)((int64_t)ev_wall_ms() + offset_ms));
	if (!offset_ms && ts <= last_ts)
		ts = last_ts + 1;
	if (!offset_ms)
		last_ts = ts;
	return ts;
}

static size_t build_pbu(const struct pbu_spec *s, uint8_t *buf, size_t cap)
{
	static const char magid[] = "mag1@example.com";
	struct mh_msg *m = calloc(1, sizeof(*m));
	struct mh_opt *o;
	const char *mnid = s->mnid ? s->mnid : "mn1@example.com";
	m->type = MH_BU;
	m->u.bu.seq = s->seq ? s->seq : 1;
	m->u.bu.flags = s->not_proxy ? MH_BU_A | MH_BU_H : MH_BU_A | MH_BU_P;
	m->u.bu.lifetime = s->lifetime < 0 ? 0 : s->lifetime ? (uint16_t)s->lifetime : 100;
	if (!s->no_mnid) {
		o = mh_add_opt(m, MH_OPT_MNID);
		o->v.nai.subtype = 1;
		o->v.nai.id = (const uint8_t *)mnid;
		o->v.nai.idlen = (uint8_t)strlen(mnid);
	}
	if (!s->no_hnp) {
		o = mh_add_opt(m, MH_OPT_HNP);
		if (s->hnp) {
			char a[64];
			snprintf(a, sizeof(a), "%s", s->hnp);
			char *slash = strchr(a, '/');
			*slash = 0;
			inet_pton(AF_INET6, a, o->v.hnp.prefix);
			o->v.hnp.plen = (uint8_t)atoi(slash + 1);
		}
	}
	if (!s->no_hi) {
		o = mh_add_opt(m, MH_OPT_HI);
		o->v.u8pair.value = 1;
	}
	if (!s->no_att) {
		o = mh_add_opt(m, MH_OPT_ATT);
		o->v.u8pair.value = 4;
	}
	if (!s->no_ts) {
		o = mh_add_opt(m, MH_OPT_TIMESTAMP);
		o->v.timestamp = fresh_ts(s->ts_offset_ms);
	}
	if (s->mmb) {
		o = mh_add_opt(m, MH_OPT_MMB);
		o->v.mmb.if_att = 4;
		o->v.mmb.if_label = s->label ? s->label : 9;
		o->v.mmb.bid = s->bid;
		o->v.mmb.flags = s->mmb_flags;
		o->v.mmb.reserved = s->mmb_reserved;
		if (!s->no_magid) {
			o = mh_add_opt(m, MH_OPT_MAGID);
			o->v.nai.subtype = 1;
			o->v.nai.id = (const uint8_t *)magid;
			o->v.nai.idlen = (uint8_t)strlen(magid);
		}
	}
	if (!s->no_auth) {
		o = mh_add_opt(m, MH_OPT_AUTH);
		o->v.auth.subtype = 1;
		o->v.auth.spi = s->spi ? s->spi : 256;
	}
	m->enc.bad_csum = (uint8_t)s->bad_csum;
	struct dmm_wbuf w;
	wb_init(&w, buf, cap);
	int n = mh_encode(m, s->src ? s->src : PCOA1, LMAA, &w);
	free(m);
	assert_true(n > 0);
	return (size_t)n;
}

/* A parsed PBA, checked for checksum and RFC 4285 authenticator (key of SPI 256 or 257). */
struct pba {
	uint8_t raw[2048];
	int len;
	struct mh_msg m;
};

static void check_pba_integrity(const struct pba *p, const uint8_t *pcoa)
{
	struct dmm_cursor c;
	assert_int_equal(mh_checksum(LMAA, pcoa, p->raw, (size_t)p->len), 0);
	assert_int_equal(p->m.type, MH_BA);
	assert_true(p->m.u.ba.flags & MH_BA_P);
	const struct mh_opt *a = &p->m.opts[p->m.nopts - 1];
	assert_int_equal(a->type, MH_OPT_AUTH);
	const struct dmm_spi_key *k =
	    dmm_keys_find(dmm_keys.mh_auth, dmm_keys.n_mh_auth, a->v.auth.spi);
	assert_non_null(k);
	uint8_t expect[MH_AUTH_LEN];
	/* RFC 4285 for PMIPv6: CoA = Proxy-CoA, HoA = LMAA */
	mh_auth_compute(p->raw, (size_t)(a->data - 2 - p->raw), pcoa, LMAA, k->key, k->len, expect);
	assert_memory_equal(expect, a->v.auth.auth, MH_AUTH_LEN);
	(void)c;
}

/* Send the PBU; returns the PBA length (0: dropped) and parses it into p. */
static int input(struct fixture *f, const struct pbu_spec *s, struct pba *p)
{
	uint8_t pbu[2048];
	size_t n = build_pbu(s, pbu, sizeof(pbu));
	const uint8_t *src = s->src ? s->src : PCOA1;
	p->len = lma_input(f->l, src, LMAA, pbu, n, p->raw, sizeof(p->raw));
	if (p->len > 0) {
		struct dmm_cursor c;
		assert_int_equal(mh_parse(p->raw, (size_t)p->len, &p->m, &c), DMM_OK);
		check_pba_integrity(p, src);
	}
	return p->len;
}

static int status_of(struct fixture *f, const struct pbu_spec *s)
{
	struct pba p;
	assert_true(input(f, s, &p) > 0);
	return p.m.u.ba.status;
}

static void assert_prefix(const struct mh_opt *o, const char *text, uint8_t plen)
{
	uint8_t a[16];
	assert_non_null(o);
	inet_pton(AF_INET6, text, a);
	assert_memory_equal(o->v.hnp.prefix, a, 16);
	assert_int_equal(o->v.hnp.plen, plen);
}

static void run_for(struct fixture *f, uint64_t ms);
static void expect_reject(struct fixture *f, struct pbu_spec *s, int status);

/* ---- RFC 5213 basics ---- */

static void test_initial_registration_assigns_pool_prefix(void **state)
{
	struct fixture *f = *state;
	struct pba p;
	struct pbu_spec s = {.seq = 42};
	assert_true(input(f, &s, &p) > 0);
	assert_int_equal(p.m.u.ba.status, 0);
	assert_int_equal(p.m.u.ba.seq, 42);
	assert_int_equal(p.m.u.ba.lifetime, 100);
	assert_prefix(mh_find_opt(&p.m, MH_OPT_HNP, 0), "2001:db8:100::", 64);
	assert_null(mh_find_opt(&p.m, MH_OPT_HNP, 1));
	const struct mh_opt *mn = mh_find_opt(&p.m, MH_OPT_MNID, 0);
	assert_int_equal(mn->v.nai.idlen, 15);
	assert_memory_equal(mn->v.nai.id, "mn1@example.com", 15);
	assert_int_equal(mh_find_opt(&p.m, MH_OPT_HI, 0)->v.u8pair.value, 1);
	assert_int_equal(mh_find_opt(&p.m, MH_OPT_ATT, 0)->v.u8pair.value, 4);
	assert_int_equal(mh_find_opt(&p.m, MH_OPT_TIMESTAMP, 0)->v.timestamp, last_ts);
	assert_null(mh_find_opt(&p.m, MH_OPT_MMB, 0)); /* single-path request */
	struct bcache *bc = lma_bcache(f->l);
	assert_int_equal(bc->count, 1);
	assert_int_equal(bc->nbindings, 1);
	struct bc_entry *e = bcache_find(bc, 1, (const uint8_t *)"mn1@example.com", 15);
	assert_non_null(e);
	assert_int_equal(e->bindings->bid, BC_BID_LEGACY);
	assert_int_equal(e->bindings->state, BC_ACTIVE);
	assert_int_equal(e->bindings->lifetime_s, 400);
	assert_memory_equal(e->bindings->pcoa, PCOA1, 16);
	assert_int_equal(lma_pool_used(f->l), RESERVED + 1);
	/* a second node gets the next free prefix (a static one is skipped); a refresh keeps
	 * the first one's */
	struct pbu_spec s2 = {.mnid = "mn2@example.com"};
	assert_true(input(f, &s2, &p) > 0);
	assert_prefix(mh_find_opt(&p.m, MH_OPT_HNP, 0), "2001:db8:100:2::", 64);
	struct pbu_spec refresh = {.hnp = "2001:db8:100::/64"};
	assert_true(input(f, &refresh, &p) > 0);
	assert_int_equal(p.m.u.ba.status, 0);
	assert_prefix(mh_find_opt(&p.m, MH_OPT_HNP, 0), "2001:db8:100::", 64);
	assert_int_equal(lma_pool_used(f->l), RESERVED + 2);
	assert_int_equal(lma_counter(f->l, "accepted"), 3);
}

static void test_static_prefix_policy(void **state)
{
	struct fixture *f = *state;
	struct pba p;
	struct pbu_spec s = {.mnid = "static@example.com"};
	assert_true(input(f, &s, &p) > 0);
	assert_int_equal(p.m.u.ba.status, 0);
	assert_prefix(mh_find_opt(&p.m, MH_OPT_HNP, 0), "2001:db8:200:1::", 64);
	assert_int_equal(lma_pool_used(f->l), RESERVED + 0);
	/* a static prefix inside the pool: its node gets it, nobody else may claim it, and it
	 * stays reserved after the node leaves */
	struct pbu_spec claim = {.mnid = "mn9@example.com", .hnp = "2001:db8:100:1::/64"};
	expect_reject(f, &claim, MH_STATUS_NOT_AUTHORIZED_FOR_HNP);
	struct pbu_spec pooled = {.mnid = "pooled@example.com"};
	assert_true(input(f, &pooled, &p) > 0);
	assert_int_equal(p.m.u.ba.status, 0);
	assert_prefix(mh_find_opt(&p.m, MH_OPT_HNP, 0), "2001:db8:100:1::", 64);
	struct pbu_spec leave = {.mnid = "pooled@example.com", .lifetime = -1};
	assert_int_equal(status_of(f, &leave), 0);
	run_for(f, 60);
	assert_null(bcache_find(lma_bcache(f->l), 1, (const uint8_t *)"pooled@example.com", 18));
	assert_int_equal(lma_pool_used(f->l), RESERVED + 0);
	expect_reject(f, &claim, MH_STATUS_NOT_AUTHORIZED_FOR_HNP);
}

/* Register mn1 first so that "unchanged" covers an existing binding too. */
static uint64_t registered_digest(struct fixture *f)
{
	struct pbu_spec s = {0};
	assert_int_equal(status_of(f, &s), 0);
	return bcache_digest(lma_bcache(f->l));
}

static void expect_reject(struct fixture *f, struct pbu_spec *s, int status)
{
	uint64_t before = bcache_digest(lma_bcache(f->l));
	uint32_t pool = lma_pool_used(f->l);
	char name[32];
	snprintf(name, sizeof(name), "reject_%d", status);
	uint64_t rejects = lma_counter(f->l, name);
	struct pba p;
	assert_true(input(f, s, &p) > 0);
	assert_int_equal(p.m.u.ba.status, status);
	assert_int_equal(p.m.u.ba.lifetime, 0);
	/* RFC 5213 §5.3.6: MN-ID, HNP, HI, ATT always present */
	assert_non_null(mh_find_opt(&p.m, MH_OPT_MNID, 0));
	assert_non_null(mh_find_opt(&p.m, MH_OPT_HNP, 0));
	assert_non_null(mh_find_opt(&p.m, MH_OPT_HI, 0));
	assert_non_null(mh_find_opt(&p.m, MH_OPT_ATT, 0));
	assert_int_equal(bcache_digest(lma_bcache(f->l)), before);
	assert_int_equal(lma_pool_used(f->l), pool);
	assert_int_equal(lma_counter(f->l, name), rejects + 1);
}

static void test_missing_mnid_160(void **state)
{
	struct fixture *f = *state;
	registered_digest(f);
	struct pbu_spec s = {.no_mnid = 1};
	expect_reject(f, &s, MH_STATUS_MISSING_MNID);
	struct pba p;
	assert_true(input(f, &s, &p) > 0);
	/* the MN-ID option of the reply has a zero-length identifier */
	assert_int_equal(mh_find_opt(&p.m, MH_OPT_MNID, 0)->v.nai.idlen, 0);
	assert_prefix(mh_find_opt(&p.m, MH_OPT_HNP, 0), "::", 0);
}

static void test_mag_not_authorized_154(void **state)
{
	struct fixture *f = *state;
	registered_digest(f);
	struct pbu_spec rogue = {.spi = 257, .src = ROGUE};
	expect_reject(f, &rogue, MH_STATUS_MAG_NOT_AUTHORIZED);
	/* a good key used from an address that is not that MAG's */
	struct pbu_spec stranger = {.src = STRANGER};
	expect_reject(f, &stranger, MH_STATUS_MAG_NOT_AUTHORIZED);
}

static void test_missing_options_158_161_162(void **state)
{
	struct fixture *f = *state;
	registered_digest(f);
	struct pbu_spec no_hnp = {.no_hnp = 1};
	expect_reject(f, &no_hnp, MH_STATUS_MISSING_HNP);
	struct pba p;
	assert_true(input(f, &no_hnp, &p) > 0);
	assert_prefix(mh_find_opt(&p.m, MH_OPT_HNP, 0), "::", 0); /* one ALL_ZERO HNP */
	struct pbu_spec no_hi = {.no_hi = 1};
	expect_reject(f, &no_hi, MH_STATUS_MISSING_HI);
	assert_true(input(f, &no_hi, &p) > 0);
	assert_int_equal(mh_find_opt(&p.m, MH_OPT_HI, 0)->v.u8pair.value, 0);
	struct pbu_spec no_att = {.no_att = 1};
	expect_reject(f, &no_att, MH_STATUS_MISSING_ATT);
	/* a new node too */
	struct pbu_spec new_no_hi = {.mnid = "fresh@example.com", .no_hi = 1};
	expect_reject(f, &new_no_hi, MH_STATUS_MISSING_HI);
	assert_null(bcache_find(lma_bcache(f->l), 1, (const uint8_t *)"fresh@example.com", 17));
}

static void test_hnp_not_authorized_155(void **state)
{
	struct fixture *f = *state;
	registered_digest(f); /* mn1 holds 2001:db8:100::/64 */
	struct pbu_spec outside = {.mnid = "mn2@example.com", .hnp = "2001:db8:999::/64"};
	expect_reject(f, &outside, MH_STATUS_NOT_AUTHORIZED_FOR_HNP);
	struct pbu_spec others = {.mnid = "mn2@example.com", .hnp = "2001:db8:100::/64"};
	expect_reject(f, &others, MH_STATUS_NOT_AUTHORIZED_FOR_HNP);
	struct pbu_spec wrong_own = {.hnp = "2001:db8:100:7::/64"};
	expect_reject(f, &wrong_own, MH_STATUS_NOT_AUTHORIZED_FOR_HNP);
	struct pbu_spec not_static = {.mnid = "static@example.com", .hnp = "2001:db8:100:5::/64"};
	expect_reject(f, &not_static, MH_STATUS_NOT_AUTHORIZED_FOR_HNP);
	/* the echo carries the requested prefix */
	struct pba p;
	assert_true(input(f, &outside, &p) > 0);
	assert_prefix(mh_find_opt(&p.m, MH_OPT_HNP, 0), "2001:db8:999::", 64);
	/* a free pool prefix may be claimed by a node without a binding */
	struct pbu_spec claim = {.mnid = "mn3@example.com", .hnp = "2001:db8:100:9::/64"};
	assert_int_equal(status_of(f, &claim), 0);
}

static void test_timestamps_156_157(void **state)
{
	struct fixture *f = *state;
	uint8_t pbu[2048];
	struct pba p;
	struct pbu_spec first = {0};
	size_t n = build_pbu(&first, pbu, sizeof(pbu));
	p.len = lma_input(f->l, PCOA1, LMAA, pbu, n, p.raw, sizeof(p.raw));
	assert_true(p.len > 0);
	uint64_t before = bcache_digest(lma_bcache(f->l));
	/* the same PBU again: a replay (RFC 5213 §5.5 (8)) */
	p.len = lma_input(f->l, PCOA1, LMAA, pbu, n, p.raw, sizeof(p.raw));
	struct dmm_cursor c;
	assert_int_equal(mh_parse(p.raw, (size_t)p.len, &p.m, &c), DMM_OK);
	assert_int_equal(p.m.u.ba.status, MH_STATUS_TIMESTAMP_LOWER);
	/* the reply's Timestamp is the LMA's current time, not the replayed one */
	uint64_t now = role_timestamp(ev_wall_ms());
	uint64_t got = mh_find_opt(&p.m, MH_OPT_TIMESTAMP, 0)->v.timestamp;
	assert_true(got + 65536 > now && got <= now + 65536);
	assert_int_equal(bcache_digest(lma_bcache(f->l)), before);
	/* older than the accepted one */
	struct pbu_spec older = {.ts_offset_ms = -100};
	expect_reject(f, &older, MH_STATUS_TIMESTAMP_LOWER);
	/* outside TimestampValidityWindow (300 ms) for a node without a binding */
	struct pbu_spec stale = {.mnid = "late@example.com", .ts_offset_ms = -5000};
	expect_reject(f, &stale, MH_STATUS_TIMESTAMP_MISMATCH);
	struct pbu_spec future = {.mnid = "late@example.com", .ts_offset_ms = 5000};
	expect_reject(f, &future, MH_STATUS_TIMESTAMP_MISMATCH);
	/* a fresh one still works */
	struct pbu_spec ok = {0};
	assert_int_equal(status_of(f, &ok), 0);
}

static void test_sequence_number_without_timestamp(void **state)
{
	struct fixture *f = *state;
	struct pbu_spec s = {.no_ts = 1, .seq = 100};
	assert_int_equal(status_of(f, &s), 0);
	struct pbu_spec old = {.no_ts = 1, .seq = 99};
	expect_reject(f, &old, 135);
	struct pbu_spec next = {.no_ts = 1, .seq = 101};
	assert_int_equal(status_of(f, &next), 0);
}

/* ---- RFC 4285: unauthenticated or forged signaling creates no state ---- */

static void expect_drop(struct fixture *f, struct pbu_spec *s, const char *counter)
{
	uint64_t before = bcache_digest(lma_bcache(f->l));
	uint64_t drops = lma_counter(f->l, counter);
	uint64_t sent = lma_counter(f->l, "accepted") + lma_counter(f->l, "rejected");
	struct pba p;
	assert_int_equal(input(f, s, &p), 0);
	assert_int_equal(bcache_digest(lma_bcache(f->l)), before);
	assert_int_equal(lma_counter(f->l, counter), drops + 1);
	assert_int_equal(lma_counter(f->l, "accepted") + lma_counter(f->l, "rejected"), sent);
}

static void test_unauthenticated_and_forged_dropped(void **state)
{
	struct fixture *f = *state;
	registered_digest(f);
	struct pbu_spec none = {.no_auth = 1};
	expect_drop(f, &none, "drop_auth");
	struct pbu_spec unknown_spi = {.spi = 999};
	expect_drop(f, &unknown_spi, "drop_auth");
	struct pbu_spec new_node = {.mnid = "evil@example.com", .no_auth = 1};
	expect_drop(f, &new_node, "drop_auth");
	/* forged: SPI 256 signed with another key */
	memset(&dmm_keys, 0, sizeof(dmm_keys));
	assert_int_equal(dmm_keys_add_mh_auth("256:0xdeadbeef"), 0);
	struct pbu_spec forged = {.mnid = "evil@example.com"};
	expect_drop(f, &forged, "drop_auth");
	assert_int_equal(dmm_keys_add_mh_auth("257:rogue-secret"), 0);
	assert_null(bcache_find(lma_bcache(f->l), 1, (const uint8_t *)"evil@example.com", 16));
	/* a tampered authenticated PBU (one identifier octet changed, checksum fixed) */
	memset(&dmm_keys, 0, sizeof(dmm_keys));
	assert_int_equal(dmm_keys_add_mh_auth("256:" KEY_HEX), 0);
	uint8_t pbu[2048], out[2048];
	struct pbu_spec good = {.mnid = "evil@example.com"};
	size_t n = build_pbu(&good, pbu, sizeof(pbu));
	pbu[14] ^= 0x20; /* inside the MN-ID */
	pbu[4] = pbu[5] = 0;
	uint16_t sum = mh_checksum(PCOA1, LMAA, pbu, n);
	pbu[4] = (uint8_t)(sum >> 8);
	pbu[5] = (uint8_t)sum;
	uint64_t auth_drops = lma_counter(f->l, "drop_auth");
	assert_int_equal(lma_input(f->l, PCOA1, LMAA, pbu, n, out, sizeof(out)), 0);
	assert_int_equal(lma_counter(f->l, "drop_auth"), auth_drops + 1);
	assert_int_equal(lma_bcache(f->l)->count, 1);
}

static void test_bad_checksum_malformed_and_non_proxy(void **state)
{
	struct fixture *f = *state;
	struct pbu_spec bad = {.bad_csum = 1};
	expect_drop(f, &bad, "drop_checksum");
	struct pbu_spec mip6 = {.not_proxy = 1};
	expect_drop(f, &mip6, "drop_not_pbu");
	uint8_t junk[16] = {59, 1, 5, 0}, out[256];
	assert_int_equal(lma_input(f->l, PCOA1, LMAA, junk, 8, out, sizeof(out)), 0);
	assert_int_equal(lma_counter(f->l, "drop_checksum") + lma_counter(f->l, "drop_malformed"),
	                 2);
	assert_int_equal(lma_bcache(f->l)->count, 0);
}

/* ---- RFC 8278 multipath ---- */

static void test_multipath_two_paths(void **state)
{
	struct fixture *f = *state;
	struct pba p;
	/* path 1: MMB + MAG-ID, reserved bits set by a sloppy sender are ignored (MPB-4.1-05) */
	struct pbu_spec p1 = {
	    .mmb = 1, .bid = 1, .label = 11, .mmb_flags = 0x01, .mmb_reserved = 0xffff};
	assert_true(input(f, &p1, &p) > 0);
	assert_int_equal(p.m.u.ba.status, 0);
	const struct mh_opt *mmb = mh_find_opt(&p.m, MH_OPT_MMB, 0);
	assert_non_null(mmb);                            /* MPB-4.4-04: MMB echoed ... */
	assert_null(mh_find_opt(&p.m, MH_OPT_MAGID, 0)); /* ... without MAG Identifier */
	assert_int_equal(mmb->v.mmb.bid, 1);
	assert_int_equal(mmb->v.mmb.if_label, 11);
	assert_int_equal(mmb->v.mmb.if_att, 4);
	assert_int_equal(mmb->v.mmb.flags, 0);    /* reserved bits sent as 0 (MPB-4.1-04) */
	assert_int_equal(mmb->v.mmb.reserved, 0); /* MPB-4.1-04 */
	assert_prefix(mh_find_opt(&p.m, MH_OPT_HNP, 0), "2001:db8:100::", 64);
	/* path 2 with the delegated prefix (RFC 8278 §3.1 step 6) */
	struct pbu_spec p2 = {
	    .mmb = 1, .bid = 2, .label = 9, .hnp = "2001:db8:100::/64", .src = PCOA2};
	assert_true(input(f, &p2, &p) > 0);
	assert_int_equal(p.m.u.ba.status, 0);
	assert_int_equal(mh_find_opt(&p.m, MH_OPT_MMB, 0)->v.mmb.bid, 2);
	struct bc_entry *e =
	    bcache_find(lma_bcache(f->l), 1, (const uint8_t *)"mn1@example.com", 15);
	assert_int_equal(e->nbind, 2);
	assert_true(e->multipath);
	struct bc_binding *b1 = bc_binding_find(e, 1), *b2 = bc_binding_find(e, 2);
	assert_memory_equal(b1->pcoa, PCOA1, 16);
	assert_memory_equal(b2->pcoa, PCOA2, 16);
	assert_int_equal(b1->if_label, 11);
	assert_int_equal(b2->if_label, 9);
	assert_int_equal(lma_pool_used(f->l), RESERVED + 1);
}

static void register_two_paths(struct fixture *f)
{
	struct pbu_spec p1 = {.mmb = 1, .bid = 1, .label = 11};
	struct pbu_spec p2 = {
	    .mmb = 1, .bid = 2, .label = 9, .hnp = "2001:db8:100::/64", .src = PCOA2};
	assert_int_equal(status_of(f, &p1), 0);
	assert_int_equal(status_of(f, &p2), 0);
}

static void test_multipath_bulk_refresh(void **state)
{
	struct fixture *f = *state;
	register_two_paths(f);
	struct bc_entry *e =
	    bcache_find(lma_bcache(f->l), 1, (const uint8_t *)"mn1@example.com", 15);
	/* B: the lifetime of every binding of the node is updated */
	struct pbu_spec bulk = {.mmb = 1,
	                        .bid = 1,
	                        .label = 11,
	                        .mmb_flags = MH_MMB_B,
	                        .hnp = "2001:db8:100::/64",
	                        .lifetime = 30};
	struct pba p;
	assert_true(input(f, &bulk, &p) > 0);
	assert_int_equal(p.m.u.ba.status, 0);
	assert_int_equal(mh_find_opt(&p.m, MH_OPT_MMB, 0)->v.mmb.flags, MH_MMB_B);
	assert_int_equal(bc_binding_find(e, 1)->lifetime_s, 120);
	assert_int_equal(bc_binding_find(e, 2)->lifetime_s, 120);
	assert_true(ev_timer_remaining(f->d.loop, &bc_binding_find(e, 2)->timer) <= 120000);
	/* without B only the path's own binding changes */
	struct pbu_spec one = {
	    .mmb = 1, .bid = 1, .label = 11, .hnp = "2001:db8:100::/64", .lifetime = 50};
	assert_int_equal(status_of(f, &one), 0);
	assert_int_equal(bc_binding_find(e, 1)->lifetime_s, 200);
	assert_int_equal(bc_binding_find(e, 2)->lifetime_s, 120);
}

static void test_multipath_overwrite(void **state)
{
	struct fixture *f = *state;
	register_two_paths(f);
	struct pbu_spec over = {.mmb = 1,
	                        .bid = 2,
	                        .label = 9,
	                        .mmb_flags = MH_MMB_O,
	                        .hnp = "2001:db8:100::/64",
	                        .src = PCOA2};
	assert_int_equal(status_of(f, &over), 0);
	struct bc_entry *e =
	    bcache_find(lma_bcache(f->l), 1, (const uint8_t *)"mn1@example.com", 15);
	assert_int_equal(e->nbind, 1);
	assert_null(bc_binding_find(e, 1));
	assert_non_null(bc_binding_find(e, 2));
	assert_int_equal(lma_pool_used(f->l), RESERVED + 1); /* the node keeps its prefix */
}

static void expect_180_with_echo(struct fixture *f, struct pbu_spec *s)
{
	expect_reject(f, s, MH_STATUS_CANNOT_SUPPORT_MULTIPATH);
	struct pba p;
	assert_true(input(f, s, &p) > 0);
	const struct mh_opt *mmb = mh_find_opt(&p.m, MH_OPT_MMB, 0);
	assert_non_null(mmb); /* MPB-4.4-06: MMB echoed without MAG-NAI */
	assert_int_equal(mmb->v.mmb.bid, s->bid);
	assert_int_equal(mmb->v.mmb.flags, s->mmb_flags); /* B and O as received */
	assert_null(mh_find_opt(&p.m, MH_OPT_MAGID, 0));
}

static void test_multipath_b_and_o_rules_180(void **state)
{
	struct fixture *f = *state;
	register_two_paths(f);
	/* MPB-4.1-01/02: B and O together */
	struct pbu_spec both = {.mmb = 1,
	                        .bid = 1,
	                        .label = 11,
	                        .mmb_flags = MH_MMB_B | MH_MMB_O,
	                        .hnp = "2001:db8:100::/64"};
	expect_180_with_echo(f, &both);
	/* MPB-4.1-03: O in a de-registration */
	struct pbu_spec dereg_o = {.mmb = 1,
	                           .bid = 1,
	                           .label = 11,
	                           .mmb_flags = MH_MMB_O,
	                           .lifetime = -1,
	                           .hnp = "2001:db8:100::/64"};
	expect_180_with_echo(f, &dereg_o);
	/* reserved BIDs 0 and 255 */
	struct pbu_spec bid0 = {.mmb = 1, .bid = 0, .hnp = "2001:db8:100::/64"};
	expect_180_with_echo(f, &bid0);
	struct pbu_spec bid255 = {.mmb = 1, .bid = 255, .hnp = "2001:db8:100::/64"};
	expect_180_with_echo(f, &bid255);
	/* MPB-4.4-02: MMB without the MAG Identifier */
	struct pbu_spec no_magid = {.mmb = 1, .bid = 3, .no_magid = 1, .hnp = "2001:db8:100::/64"};
	expect_180_with_echo(f, &no_magid);
	assert_int_equal(lma_bcache(f->l)->nbindings, 2);
}

static void test_node_not_authorized_for_multipath_180(void **state)
{
	struct fixture *f = *state;
	struct pbu_spec s = {.mnid = "nomp@example.com", .mmb = 1, .bid = 1};
	expect_180_with_echo(f, &s);
	assert_int_equal(lma_bcache(f->l)->count, 0);
	/* the same node without multipath is welcome */
	struct pbu_spec single = {.mnid = "nomp@example.com"};
	assert_int_equal(status_of(f, &single), 0);
}

static void test_single_path_replaces_multipath_bindings(void **state)
{
	struct fixture *f = *state;
	register_two_paths(f);
	struct bc_entry *e =
	    bcache_find(lma_bcache(f->l), 1, (const uint8_t *)"mn1@example.com", 15);
	/* a MAG that disabled multipath for the node (RFC 8278 §4.4, after a 180 or a PBA
	 * without MMB) re-registers it single-path with its prefix: that binding replaces the
	 * multipath ones (RFC 5213: one binding per mobility session) */
	struct pba p;
	struct pbu_spec single = {.hnp = "2001:db8:100::/64"};
	assert_true(input(f, &single, &p) > 0);
	assert_int_equal(p.m.u.ba.status, 0);
	assert_null(mh_find_opt(&p.m, MH_OPT_MMB, 0));
	assert_prefix(mh_find_opt(&p.m, MH_OPT_HNP, 0), "2001:db8:100::", 64);
	assert_int_equal(e->nbind, 1);
	assert_false(e->multipath);
	struct bc_binding *b = bc_binding_find(e, BC_BID_LEGACY);
	assert_non_null(b);
	assert_memory_equal(b->pcoa, PCOA1, 16);
	assert_int_equal(b->state, BC_ACTIVE);
	assert_int_equal(lma_counter(f->l, "bindings_removed"), 2);
	assert_int_equal(lma_pool_used(f->l), RESERVED + 1); /* the node keeps its prefix */
	/* and a multipath registration replaces the single-path binding again */
	struct pbu_spec mp = {.mmb = 1, .bid = 2, .label = 9, .hnp = "2001:db8:100::/64"};
	assert_int_equal(status_of(f, &mp), 0);
	assert_int_equal(e->nbind, 1);
	assert_true(e->multipath);
	assert_non_null(bc_binding_find(e, 2));
}

static void test_multipath_off_lma_180(void **state)
{
	struct fixture *f = *state;
	struct pbu_spec s = {.mmb = 1, .bid = 1};
	expect_180_with_echo(f, &s);
	assert_int_equal(lma_bcache(f->l)->count, 0);
}

static void test_legacy_lma_ignores_options_63_64(void **state)
{
	struct fixture *f = *state;
	struct pba p;
	struct pbu_spec s = {.mmb = 1, .bid = 1, .label = 11};
	assert_true(input(f, &s, &p) > 0);
	assert_int_equal(p.m.u.ba.status, 0);
	assert_null(mh_find_opt(&p.m, MH_OPT_MMB, 0));
	assert_null(mh_find_opt(&p.m, MH_OPT_MAGID, 0));
	struct bc_entry *e =
	    bcache_find(lma_bcache(f->l), 1, (const uint8_t *)"mn1@example.com", 15);
	assert_int_equal(e->nbind, 1);
	assert_non_null(bc_binding_find(e, BC_BID_LEGACY));
	assert_false(e->multipath);
	/* even B+O is not looked at: the second path overwrites like RFC 5213 (one session) */
	struct pbu_spec p2 = {.mmb = 1,
	                      .bid = 2,
	                      .mmb_flags = MH_MMB_B | MH_MMB_O,
	                      .hnp = "2001:db8:100::/64",
	                      .src = PCOA2};
	assert_int_equal(status_of(f, &p2), 0);
	assert_int_equal(e->nbind, 1);
	assert_memory_equal(e->bindings->pcoa, PCOA2, 16);
}

/* ---- de-registration and lifetime ---- */

static void break_loop(void *arg)
{
	ev_break(arg);
}

static void run_for_loop(struct ev_loop *loop, uint64_t ms)
{
	struct ev_timer t;
	ev_timer_init(&t, break_loop, loop);
	ev_timer_start(loop, &t, ms);
	assert_int_equal(ev_run(loop), 0);
}

static void run_for(struct fixture *f, uint64_t ms)
{
	struct ev_timer t;
	ev_timer_init(&t, break_loop, f->d.loop);
	ev_timer_start(f->d.loop, &t, ms);
	assert_int_equal(ev_run(f->d.loop), 0);
}

static void test_deregistration_min_delay(void **state)
{
	struct fixture *f = *state;
	register_two_paths(f);
	struct bc_entry *e =
	    bcache_find(lma_bcache(f->l), 1, (const uint8_t *)"mn1@example.com", 15);
	/* from the wrong proxy CoA: ignored (RFC 5213 §5.3.5 (1)) */
	struct pbu_spec wrong = {
	    .mmb = 1, .bid = 1, .lifetime = -1, .hnp = "2001:db8:100::/64", .src = PCOA2};
	expect_drop(f, &wrong, "drop_dereg_ignored");
	struct pba p;
	struct pbu_spec dereg = {.mmb = 1, .bid = 1, .lifetime = -1, .hnp = "2001:db8:100::/64"};
	assert_true(input(f, &dereg, &p) > 0);
	assert_int_equal(p.m.u.ba.status, 0);
	assert_int_equal(p.m.u.ba.lifetime, 0);
	assert_int_equal(bc_binding_find(e, 1)->state, BC_DELETING);
	assert_int_equal(bc_binding_find(e, 2)->state, BC_ACTIVE);
	/* kept for MinDelayBeforeBCEDelete (40 ms here), then gone */
	run_for(f, 10);
	assert_non_null(bc_binding_find(e, 1));
	run_for(f, 60);
	assert_null(bc_binding_find(e, 1));
	assert_int_equal(e->nbind, 1);
	/* the last path: the entry and its prefix go */
	struct pbu_spec dereg2 = {
	    .mmb = 1, .bid = 2, .lifetime = -1, .hnp = "2001:db8:100::/64", .src = PCOA2};
	assert_int_equal(status_of(f, &dereg2), 0);
	/* a re-registration inside the window keeps the entry (§5.3.5) */
	struct pbu_spec back = {
	    .mmb = 1, .bid = 2, .label = 9, .hnp = "2001:db8:100::/64", .src = PCOA2};
	assert_int_equal(status_of(f, &back), 0);
	run_for(f, 60);
	assert_int_equal(lma_bcache(f->l)->count, 1);
	assert_int_equal(bc_binding_find(e, 2)->state, BC_ACTIVE);
	assert_int_equal(status_of(f, &dereg2), 0);
	run_for(f, 60);
	assert_int_equal(lma_bcache(f->l)->count, 0);
	assert_int_equal(lma_pool_used(f->l), RESERVED + 0);
	assert_int_equal(lma_counter(f->l, "bindings_removed"), 2);
}

static void test_bulk_deregistration(void **state)
{
	struct fixture *f = *state;
	register_two_paths(f);
	struct pbu_spec all = {
	    .mmb = 1, .bid = 1, .lifetime = -1, .mmb_flags = MH_MMB_B, .hnp = "2001:db8:100::/64"};
	assert_int_equal(status_of(f, &all), 0);
	run_for(f, 60);
	assert_int_equal(lma_bcache(f->l)->count, 0);
}

static void test_lifetime_expiry(void **state)
{
	struct fixture *f = *state;
	struct pba p;
	struct pbu_spec s = {.lifetime = 100}; /* asks 400 s, granted max-lifetime 4 s */
	assert_true(input(f, &s, &p) > 0);
	assert_int_equal(p.m.u.ba.status, 0);
	assert_int_equal(p.m.u.ba.lifetime, 1);
	assert_int_equal(lma_bcache(f->l)->count, 1);
	run_for(f, 3800);
	assert_int_equal(lma_bcache(f->l)->count, 1);
	run_for(f, 400);
	assert_int_equal(lma_bcache(f->l)->count, 0);
	assert_int_equal(lma_counter(f->l, "bindings_expired"), 1);
	assert_int_equal(lma_pool_used(f->l), RESERVED + 0);
}

/* The socket path: a PBU sent on a raw Mobility Header socket over loopback is answered on
 * the wire (recvmmsg, IPV6_PKTINFO, sendmmsg). */
static void test_socket_round_trip(void **state)
{
	static const char text[] =
	    "role lma\naddress ::1\nhnp-pool 2001:db8:100::/48 64\n"
	    "dataplane none\npeer m {\n address ::1\n spi 256\n key " KEY_HEX "\n}\n";
	char err[256];
	struct dmmd d = {.loop = ev_loop_new()};
	struct conf *cf = conf_parse(text, "sock.conf", err, sizeof(err));
	struct lma *l = role_setup(&d, cf, err, sizeof(err));
	if (!l)
		fail_msg("%s", err);
	if (dmm_role_lma.start(l, err, sizeof(err)) < 0)
		skip(); /* no raw sockets here (not root) */
	memset(&dmm_keys, 0, sizeof(dmm_keys));
	assert_int_equal(dmm_keys_add_mh_auth("256:" KEY_HEX), 0);
	uint8_t lo[16] = {[15] = 1}, pbu[512], buf[2048];
	struct mh_msg *m = calloc(1, sizeof(*m));
	m->type = MH_BU;
	m->u.bu.seq = 4242;
	m->u.bu.flags = MH_BU_A | MH_BU_P;
	m->u.bu.lifetime = 10;
	struct mh_opt *o = mh_add_opt(m, MH_OPT_MNID);
	o->v.nai.subtype = 1;
	o->v.nai.id = (const uint8_t *)"sock@example.com";
	o->v.nai.idlen = 16;
	mh_add_opt(m, MH_OPT_HNP);
	mh_add_opt(m, MH_OPT_HI)->v.u8pair.value = 1;
	mh_add_opt(m, MH_OPT_ATT)->v.u8pair.value = 4;
	mh_add_opt(m, MH_OPT_TIMESTAMP)->v.timestamp = role_timestamp(ev_wall_ms());
	mh_add_opt(m, MH_OPT_AUTH)->v.auth.spi = 256;
	struct dmm_wbuf w;
	wb_init(&w, pbu, sizeof(pbu));
	int n = mh_encode(m, lo, lo, &w);
	assert_true(n > 0);
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_MH);
	assert_true(fd >= 0);
	struct sockaddr_in6 to = {.sin6_family = AF_INET6};
	memcpy(&to.sin6_addr, lo, 16);
	assert_int_equal(sendto(fd, pbu, (size_t)n, 0, (struct sockaddr *)&to, sizeof(to)), n);
	int got_pba = 0;
	for (int round = 0; round < 20 && !got_pba; round++) {
		run_for_loop(d.loop, 10);
		ssize_t r;
		while ((r = recv(fd, buf, sizeof(buf), 0)) > 0) {
			struct dmm_cursor c;
			if (mh_parse(buf, (size_t)r, m, &c) == DMM_OK && m->type == MH_BA) {
				assert_int_equal(m->u.ba.seq, 4242);
				assert_int_equal(m->u.ba.status, 0);
				assert_int_equal(mh_checksum(lo, lo, buf, (size_t)r), 0);
				got_pba = 1;
			}
		}
	}
	assert_true(got_pba);
	assert_int_equal(lma_counter(l, "pba_sent"), 1);
	assert_int_equal(lma_counter(l, "send_errors"), 0);
	close(fd);
	free(m);
	dmm_role_lma.stop(l);
	dmm_role_lma.free(l);
	conf_free(cf);
	ev_loop_free(d.loop);
}

int main(void)
{
#define T(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_initial_registration_assigns_pool_prefix, setup_on),
	    T(test_static_prefix_policy, setup_on),
	    T(test_missing_mnid_160, setup_on),
	    T(test_mag_not_authorized_154, setup_on),
	    T(test_missing_options_158_161_162, setup_on),
	    T(test_hnp_not_authorized_155, setup_on),
	    T(test_timestamps_156_157, setup_on),
	    T(test_sequence_number_without_timestamp, setup_on),
	    T(test_unauthenticated_and_forged_dropped, setup_on),
	    T(test_bad_checksum_malformed_and_non_proxy, setup_on),
	    T(test_multipath_two_paths, setup_on),
	    T(test_multipath_bulk_refresh, setup_on),
	    T(test_multipath_overwrite, setup_on),
	    T(test_multipath_b_and_o_rules_180, setup_on),
	    T(test_node_not_authorized_for_multipath_180, setup_on),
	    T(test_single_path_replaces_multipath_bindings, setup_on),
	    T(test_multipath_off_lma_180, setup_off),
	    T(test_legacy_lma_ignores_options_63_64, setup_legacy),
	    T(test_deregistration_min_delay, setup_on),
	    T(test_bulk_deregistration, setup_on),
	    T(test_lifetime_expiry, setup_short_lifetime),
	    cmocka_unit_test(test_socket_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
