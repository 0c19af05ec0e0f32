/* Unit tests: option-spec parser and message builder of dmm-send (RFC 6275 §6.1-6.2, RFC 5213 §8,
 * RFC 8278 §4, RFC 5944 §3), in-place variation with RFC 1624 incremental checksums. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "craft.h"
#include "inet.h"
#include "keys.h"
#include "mh.h"
#include "mip4.h"

#include <stdio.h>
#include <string.h>

static struct craft C;

static int start(const char *msg)
{
	const struct craft_msg_def *def = craft_msg_lookup(msg);
	if (!def)
		return -1;
	craft_init(&C, def);
	return 0;
}

/* Apply "--name arg" pairs; NULL arg for options without one. */
static int apply(const char *name, const char *arg)
{
	return craft_apply(&C, name, arg);
}

static int build(uint64_t index, uint8_t *buf, size_t cap)
{
	struct dmm_wbuf w;
	int linktype;
	wb_init(&w, buf, cap);
	return craft_build(&C, index, &w, &linktype);
}

static void test_numbers(void **state)
{
	uint64_t v;
	assert_int_equal(craft_parse_u64("0x10", 255, &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(craft_parse_u64("255", 255, &v), 0);
	assert_int_equal(craft_parse_u64("256", 255, &v), -1);
	assert_int_equal(craft_parse_u64("-1", 255, &v), -1);
	assert_int_equal(craft_parse_u64("12x", 255, &v), -1);
	assert_int_equal(craft_parse_u64("", 255, &v), -1);
	assert_int_equal(craft_parse_u64("0xffffffffffffffff", UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(craft_parse_u64("0x1ffffffffffffffff", UINT64_MAX, &v), -1);
}

static void test_prefixes_and_macs(void **state)
{
	uint8_t p6[16], p4[4], plen, mac[6];
	assert_int_equal(craft_parse_prefix6("2001:db8:1::/48", p6, &plen), 0);
	assert_int_equal(plen, 48);
	assert_int_equal(p6[5], 1);
	assert_int_equal(craft_parse_prefix6("::", p6, &plen), 0);
	assert_int_equal(plen, 128);
	assert_int_equal(craft_parse_prefix6("2001:db8::/129", p6, &plen), -1);
	assert_int_equal(craft_parse_prefix6("10.0.0.0/8", p6, &plen), -1);
	assert_int_equal(craft_parse_prefix4("10.1.0.0/16", p4, &plen), 0);
	assert_int_equal(plen, 16);
	assert_int_equal(p4[1], 1);
	assert_int_equal(craft_parse_prefix4("10.1.0.0/33", p4, &plen), -1);
	assert_int_equal(craft_parse_prefix4("10.1.0/8", p4, &plen), -1);
	assert_int_equal(craft_parse_mac("02:00:00:00:03:0a", mac), 0);
	assert_int_equal(mac[5], 10);
	assert_int_equal(craft_parse_mac("02:00:00:00:03", mac), -1);
	assert_int_equal(craft_parse_mac("02:00:00:00:03:0a:1", mac), -1);
	assert_int_equal(craft_parse_mac("02:00:00:00:03:100", mac), -1);
}

struct kv_seen {
	char keys[8][32];
	char vals[8][32];
	int n;
};

static int record_kv(void *arg, const char *key, const char *val)
{
	struct kv_seen *s = arg;
	if (s->n == 8 || strcmp(key, "stop") == 0)
		return -1;
	snprintf(s->keys[s->n], 32, "%s", key);
	snprintf(s->vals[s->n], 32, "%s", val ? val : "(none)");
	s->n++;
	return 0;
}

static void test_key_value_lists(void **state)
{
	struct kv_seen s;
	memset(&s, 0, sizeof(s));
	assert_int_equal(craft_parse_kv("if-att=4,if-label=9,bid=1,b", record_kv, &s), 0);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.keys[0], "if-att");
	assert_string_equal(s.vals[0], "4");
	assert_string_equal(s.keys[3], "b");
	assert_string_equal(s.vals[3], "(none)");
	memset(&s, 0, sizeof(s));
	assert_int_equal(craft_parse_kv("a,,b", record_kv, &s), -1); /* empty item */
	memset(&s, 0, sizeof(s));
	assert_int_equal(craft_parse_kv("a,stop,b", record_kv, &s), -1); /* callback refuses */
	assert_int_equal(s.n, 1);
}

static void test_registry(void **state)
{
	size_t n, m;
	const struct craft_msg_def *defs = craft_msg_registry(&n);
	const struct craft_opt *opts = craft_opt_registry(&m);
	assert_int_equal(n, 19);
	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(craft_msg_lookup(defs[i].name), &defs[i]);
	assert_null(craft_msg_lookup("pbx"));
	for (size_t i = 0; i < m; i++) {
		assert_ptr_equal(craft_opt_lookup(opts[i].name), &opts[i]);
		assert_non_null(opts[i].apply);
		assert_true(opts[i].families != 0);
	}
}

/* The bare PBU: A|P, MN-ID, then ::/0 HNP, HI 1, ATT 4, Timestamp, in that order. */
static void test_pbu_defaults(void **state)
{
	uint8_t frame[512];
	struct mh_msg m;
	struct dmm_cursor c;
	assert_int_equal(start("pbu"), 0);
	assert_int_equal(apply("dst", "2001:db8::2"), 0);
	assert_int_equal(apply("src", "2001:db8::1"), 0);
	assert_int_equal(apply("mn-id", "mn1@example.org"), 0);
	assert_int_equal(craft_finish(&C), 0);
	int len = build(0, frame, sizeof(frame));
	assert_true(len > 40);
	assert_int_equal(mh_parse(frame + 40, (size_t)len - 40, &m, &c), 0);
	assert_int_equal(m.type, MH_BU);
	assert_int_equal(m.u.bu.flags, MH_BU_A | MH_BU_P);
	assert_int_equal(m.nopts, 5);
	assert_int_equal(m.opts[0].type, MH_OPT_MNID);
	assert_int_equal(m.opts[1].type, MH_OPT_HNP);
	assert_int_equal(m.opts[1].v.hnp.plen, 0);
	assert_int_equal(m.opts[2].type, MH_OPT_HI);
	assert_int_equal(m.opts[2].v.u8pair.value, 1);
	assert_int_equal(m.opts[3].type, MH_OPT_ATT);
	assert_int_equal(m.opts[3].v.u8pair.value, 4);
	assert_int_equal(m.opts[4].type, MH_OPT_TIMESTAMP);
	uint64_t now = craft_mh_timestamp_now();
	assert_true(m.opts[4].v.timestamp <= now && now - m.opts[4].v.timestamp < (5u << 16));
	assert_int_equal(mh_checksum(frame + 8, frame + 24, frame + 40, (size_t)len - 40), 0);

	/* without --mn-id a PBU is refused, unless --no-defaults */
	assert_int_equal(start("pbu"), 0);
	assert_int_equal(apply("dst", "2001:db8::2"), 0);
	assert_int_equal(craft_finish(&C), -1);
	assert_non_null(strstr(C.err, "--mn-id"));
	assert_int_equal(apply("no-defaults", NULL), 0);
	assert_int_equal(craft_finish(&C), 0);
	assert_int_equal(C.mh.nopts, 0);
}

/* Options keep command-line order and repeat; given defaults are not added twice. */
static void test_order_and_repetition(void **state)
{
	assert_int_equal(start("pbu"), 0);
	assert_int_equal(apply("dst", "2001:db8::2"), 0);
	assert_int_equal(apply("hnp", "2001:db8:2::/64"), 0);
	assert_int_equal(apply("mn-id", "a@b"), 0);
	assert_int_equal(apply("hnp", "2001:db8:1::/64"), 0);
	assert_int_equal(apply("att", "3"), 0);
	assert_int_equal(apply("mmb", "if-att=4,if-label=9,bid=1,b"), 0);
	assert_int_equal(apply("mmb", "if-att=8,if-label=11,bid=2,o,reserved=5"), 0);
	assert_int_equal(craft_finish(&C), 0);
	const uint8_t want[] = {MH_OPT_HNP, MH_OPT_MNID, MH_OPT_HNP, MH_OPT_ATT,
	                        MH_OPT_MMB, MH_OPT_MMB,  MH_OPT_HI,  MH_OPT_TIMESTAMP};
	assert_int_equal(C.mh.nopts, sizeof(want));
	for (unsigned i = 0; i < sizeof(want); i++)
		assert_int_equal(C.mh.opts[i].type, want[i]);
	assert_int_equal(C.mh.opts[0].v.hnp.prefix[5], 2);
	assert_int_equal(C.mh.opts[2].v.hnp.prefix[5], 1);
	assert_int_equal(C.mh.opts[3].v.u8pair.value, 3);
	assert_int_equal(C.mh.opts[4].v.mmb.flags, MH_MMB_B);
	assert_int_equal(C.mh.opts[5].v.mmb.flags, MH_MMB_O);
	assert_int_equal(C.mh.opts[5].v.mmb.reserved, 5);
	assert_int_equal(C.mh.opts[5].v.mmb.if_label, 11);
}

static void test_bad_specs(void **state)
{
	assert_int_equal(start("pbu"), 0);
	assert_int_equal(apply("mmb", "bid=256"), -1);
	assert_int_equal(apply("mmb", "colour=2"), -1);
	assert_int_equal(apply("hnp", "2001:db8::"), 0); /* /128 */
	assert_int_equal(apply("hnp", "nonsense/64"), -1);
	assert_int_equal(apply("seq", "65536"), -1);
	assert_int_equal(apply("flags", "AZ"), -1);
	assert_non_null(strstr(C.err, "'Z'"));
	assert_int_equal(apply("vsm", "5535"), -1);
	assert_int_equal(apply("vsm", "5535:3:0g"), -1);
	assert_int_equal(apply("raw-opt", "300:00"), -1);
	assert_int_equal(apply("raw-opt", "22"), -1);
	assert_int_equal(apply("auth", "nokey"), -1);
	assert_int_equal(apply("mnr", "10.0.0.0/8"), -1); /* MIPv4 only */
	assert_non_null(strstr(C.err, "does not apply"));
	assert_int_equal(apply("nosuch", "1"), -1);
	assert_int_equal(apply("hnp", NULL), -1);
	assert_int_equal(start("brr"), 0);
	assert_int_equal(apply("opt-len", "3"), -1); /* no preceding option */
	assert_int_equal(apply("seq", "3"), -1);
	assert_int_equal(apply("dst", "2001:db8::2"), 0);
	assert_int_equal(apply("src", "192.0.2.1"), -1); /* families mixed */
	assert_int_equal(start("rrq"), 0);
	assert_int_equal(apply("dst", "2001:db8::2"), -1);
	assert_int_equal(apply("mcauth", "hni=1"), -1); /* neither key nor auth */
	assert_int_equal(apply("mcauth", "krm=00"), -1);
	assert_int_equal(apply("ror", "code=32"), -1);
	assert_int_equal(apply("pfx", "10.0.0.0/40"), -1);
	assert_int_equal(apply("vary", "seq,bogus"), -1);
}

/* Flags by letter and number; --reserved and --opt-reserved reach the wire. */
static void test_flags_and_reserved(void **state)
{
	uint8_t frame[512];
	struct mh_msg m;
	struct dmm_cursor c;
	assert_int_equal(start("bu"), 0);
	assert_int_equal(apply("flags", "A,H,K"), 0);
	assert_int_equal(C.mh.u.bu.flags, MH_BU_A | MH_BU_H | MH_BU_K);
	assert_int_equal(apply("flags", "none"), 0);
	assert_int_equal(C.mh.u.bu.flags, 0);
	assert_int_equal(apply("flags", "0x8001"), 0);
	assert_int_equal(apply("reserved", "6"), 0);
	assert_int_equal(C.mh.u.bu.flags, 0x8006);
	assert_int_equal(apply("reserved", "16"), -1);
	assert_int_equal(apply("dst", "2001:db8::2"), 0);
	assert_int_equal(apply("gre-key", NULL), 0);
	assert_int_equal(apply("opt-reserved", "0x1234"), 0);
	assert_int_equal(apply("natd", "f,refresh=30"), 0);
	assert_int_equal(apply("opt-reserved", "3"), 0);
	assert_int_equal(craft_finish(&C), 0);
	int len = build(0, frame, sizeof(frame));
	assert_true(len > 0);
	assert_int_equal(mh_parse(frame + 40, (size_t)len - 40, &m, &c), 0);
	assert_int_equal(m.u.bu.flags & 0xf, 6);
	assert_int_equal(m.opts[0].v.gre.reserved, 0x1234);
	assert_int_equal(m.opts[0].v.gre.has_key, 0);
	assert_int_equal(m.opts[1].v.v4.flags, 0x8003);
	assert_int_equal(m.opts[1].v.v4.refresh, 30);
}

/* --opt-len, --raw-opt, --truncate, --bad-checksum. */
static void test_overrides(void **state)
{
	uint8_t frame[512];
	assert_int_equal(start("pbu"), 0);
	assert_int_equal(apply("dst", "2001:db8::2"), 0);
	assert_int_equal(apply("src", "2001:db8::1"), 0);
	assert_int_equal(apply("mn-id", "m"), 0);
	assert_int_equal(apply("opt-len", "9"), 0);
	assert_int_equal(apply("raw-opt", "200:a1a2"), 0);
	assert_int_equal(apply("no-defaults", NULL), 0);
	assert_int_equal(apply("bad-checksum", NULL), 0);
	assert_int_equal(craft_finish(&C), 0);
	int len = build(0, frame, sizeof(frame));
	const uint8_t *mh = frame + 40;
	assert_int_equal(mh[12], MH_OPT_MNID);
	assert_int_equal(mh[13], 9); /* forced */
	assert_int_equal(mh[16], 200);
	assert_int_equal(mh[17], 2);
	assert_int_equal(mh[18], 0xa1);
	assert_int_not_equal(mh_checksum(frame + 8, frame + 24, mh, (size_t)len - 40), 0);
	C.truncate = 10;
	C.bad_csum = C.mh.enc.bad_csum = 0;
	len = build(0, frame, sizeof(frame));
	assert_int_equal(len, 50);
	assert_int_equal(frame[4] << 8 | frame[5], 10); /* IPv6 Payload Length */
	assert_int_equal(mh_checksum(frame + 8, frame + 24, mh, 10), 0);
}

static void test_variation(void **state)
{
	uint8_t frame[512];
	struct mh_msg m;
	struct dmm_cursor c;
	struct craft_patch p;
	assert_int_equal(start("pbu"), 0);
	assert_int_equal(apply("dst", "2001:db8::2"), 0);
	assert_int_equal(apply("mn-id", "mn9@example.org"), 0);
	assert_int_equal(apply("mn-id", "gw@example.org"), 0);
	assert_int_equal(apply("hnp", "2001:db8:ff::/48"), 0);
	assert_int_equal(apply("vary", "mn-id,hnp"), 0);
	assert_int_equal(craft_finish(&C), 0);
	assert_int_equal(craft_patch_info(&C, &p), 0); /* lengths change: rebuilt */
	int len = build(3, frame, sizeof(frame));
	assert_int_equal(mh_parse(frame + 40, (size_t)len - 40, &m, &c), 0);
	assert_int_equal(m.opts[0].v.nai.idlen, 16);
	assert_memory_equal(m.opts[0].v.nai.id, "mn12@example.org", 16);
	assert_memory_equal(m.opts[1].v.nai.id, "gw3@example.org", 15);
	assert_int_equal(m.opts[2].v.hnp.prefix[4], 0x01); /* 00ff + 3 carries */
	assert_int_equal(m.opts[2].v.hnp.prefix[5], 0x02);
	assert_int_equal(mh_checksum(frame + 8, frame + 24, frame + 40, (size_t)len - 40), 0);
}

/* The patched frame equals the rebuilt one, over a wrap of the 16-bit sequence number. */
static void test_patch_equals_rebuild(void **state)
{
	static uint8_t first[512], patched[512], rebuilt[512];
	struct craft_patch p;
	assert_int_equal(start("pbu"), 0);
	assert_int_equal(apply("dst", "2001:db8::2"), 0);
	assert_int_equal(apply("mn-id", "mn1"), 0);
	assert_int_equal(apply("seq", "65530"), 0);
	assert_int_equal(apply("vary", "seq"), 0);
	assert_int_equal(craft_finish(&C), 0);
	int len = build(0, first, sizeof(first));
	assert_int_equal(craft_patch_info(&C, &p), 1);
	assert_int_equal(p.width, 2);
	for (uint64_t i = 0; i < 20; i++) {
		memcpy(patched, first, (size_t)len);
		craft_patch_apply(&p, patched, i);
		assert_int_equal(build(i, rebuilt, sizeof(rebuilt)), len);
		assert_memory_equal(patched, rebuilt, (size_t)len);
	}
	/* MIPv4 Identification, UDP checksum */
	assert_int_equal(start("rrq"), 0);
	assert_int_equal(apply("dst", "192.0.2.2"), 0);
	assert_int_equal(apply("src", "192.0.2.1"), 0);
	assert_int_equal(apply("ident", "0xfffffffffffffff0"), 0);
	assert_int_equal(apply("mnr", "10.1.0.0/16"), 0);
	assert_int_equal(apply("vary", "id"), 0);
	assert_int_equal(craft_finish(&C), 0);
	len = build(0, first, sizeof(first));
	assert_int_equal(craft_patch_info(&C, &p), 1);
	assert_int_equal(p.width, 8);
	for (uint64_t i = 0; i < 40; i += 3) {
		memcpy(patched, first, (size_t)len);
		craft_patch_apply(&p, patched, i);
		assert_int_equal(build(i, rebuilt, sizeof(rebuilt)), len);
		assert_memory_equal(patched, rebuilt, (size_t)len);
	}
	/* an authenticator covers the field: no patching */
	assert_int_equal(apply("mn-ha", "0x100:1234567812345678"), 0);
	assert_int_equal(craft_patch_info(&C, &p), 0);
}

/* MIPv4: MN-HA computed, extensions in order, MC-Auth from tokens. */
static void test_mip4_extensions(void **state)
{
	uint8_t frame[512];
	struct mip4_msg m;
	struct dmm_cursor c;
	assert_int_equal(start("rrq"), 0);
	assert_int_equal(apply("dst", "192.0.2.2"), 0);
	assert_int_equal(apply("src", "192.0.2.1"), 0);
	assert_int_equal(apply("flags", "T"), 0);
	assert_int_equal(apply("mnr", "10.1.0.0/16"), 0);
	assert_int_equal(apply("pfx", "mr:10.0.0.1,10.9.0.0/16@example.net"), 0);
	assert_int_equal(apply("coa-ext", "192.0.2.50,192.0.2.51"), 0);
	assert_int_equal(apply("mcauth", "home-token=1,coa-token=2,hni=3,cni=4"), 0);
	assert_int_equal(apply("mn-ha", "0x100:1234567812345678"), 0);
	assert_int_equal(craft_finish(&C), 0);
	int len = build(0, frame, sizeof(frame));
	assert_true(len > 28);
	assert_int_equal(mip4_parse(frame + 28, (size_t)len - 28, &m, &c), 0);
	assert_int_equal(m.u.req.flags, MIP4_F_T);
	assert_int_equal(m.nexts, 5);
	assert_int_equal(m.exts[0].type, MIP4_EXT_MOBNET);
	assert_int_equal(m.exts[0].v.mne.plen, 16);
	assert_int_equal(m.exts[2].v.coa.count, 2);
	assert_int_equal(m.exts[3].v.mcauth.hni, 3);
	assert_int_equal(m.exts[4].type, MIP4_EXT_MNHA_AUTH);
	assert_int_equal(m.exts[4].v.auth.spi, 0x100);
	assert_int_equal(m.exts[4].v.auth.authlen, MIP4_MNHA_AUTH_LEN);
	uint8_t zeros[MIP4_MNHA_AUTH_LEN] = {0};
	assert_memory_not_equal(m.exts[4].v.auth.auth, zeros, MIP4_MNHA_AUTH_LEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_prefixes_and_macs),
	    cmocka_unit_test(test_key_value_lists),
	    cmocka_unit_test(test_registry),
	    cmocka_unit_test(test_pbu_defaults),
	    cmocka_unit_test(test_order_and_repetition),
	    cmocka_unit_test(test_bad_specs),
	    cmocka_unit_test(test_flags_and_reserved),
	    cmocka_unit_test(test_overrides),
	    cmocka_unit_test(test_variation),
	    cmocka_unit_test(test_patch_equals_rebuild),
	    cmocka_unit_test(test_mip4_extensions),
	};
	return cmocka_run_group_tests_name("craft", tests, NULL, NULL);
}
