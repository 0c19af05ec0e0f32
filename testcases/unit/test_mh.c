/* Unit tests: Mobility Header codec (RFC 6275 §6.1-6.2, RFC 5213 §8, RFC 8278 §4, seed 004 §3.6).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "capture.h"
#include "keys.h"
#include "mh.h"
#include "numbers.h"

#include <arpa/inet.h>

/* wire-facts §12 PBU vector: src 2001:db8::1, dst 2001:db8::2, checksum 0x766a. */
static const uint8_t pbu_vector[104] = {
    0x3b, 0x0c, 0x05, 0x00, 0x76, 0x6a, 0x00, 0x07, 0x82, 0x00, 0x00, 0x64, 0x08, 0x10, 0x01,
    0x6d, 0x6e, 0x31, 0x40, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x63, 0x6f, 0x6d,
    0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x16, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x17, 0x02, 0x00, 0x01,
    0x18, 0x02, 0x00, 0x04, 0x01, 0x00, 0x1b, 0x08, 0x00, 0x00, 0x65, 0x53, 0xf1, 0x00, 0x80,
    0x00, 0x3f, 0x06, 0x04, 0x09, 0x01, 0x00, 0x00, 0x00, 0x40, 0x12, 0x01, 0x00, 0x6d, 0x61,
    0x67, 0x31, 0x40, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x63, 0x6f, 0x6d,
};

static uint8_t src6[16], dst6[16];

static int setup(void **state)
{
	inet_pton(AF_INET6, "2001:db8::1", src6);
	inet_pton(AF_INET6, "2001:db8::2", dst6);
	dmm_numbers_profile("iana");
	return 0;
}

static void build_vector_pbu(struct mh_msg *m)
{
	static const char mnid[] = "mn1@example.com", magid[] = "mag1@example.com";
	struct mh_opt *o;
	memset(m, 0, sizeof(*m));
	m->type = MH_BU;
	m->u.bu.seq = 7;
	m->u.bu.flags = MH_BU_A | MH_BU_P;
	m->u.bu.lifetime = 100;
	o = mh_add_opt(m, MH_OPT_MNID);
	o->v.nai.subtype = 1;
	o->v.nai.id = (const uint8_t *)mnid;
	o->v.nai.idlen = (uint8_t)strlen(mnid);
	mh_add_opt(m, MH_OPT_HNP); /* ALL_ZERO/0: please assign */
	o = mh_add_opt(m, MH_OPT_HI);
	o->v.u8pair.value = 1;
	o = mh_add_opt(m, MH_OPT_ATT);
	o->v.u8pair.value = 4;
	o = mh_add_opt(m, MH_OPT_TIMESTAMP);
	o->v.timestamp = 0x00006553F1008000ULL;
	o = mh_add_opt(m, MH_OPT_MMB);
	o->v.mmb.if_att = 4;
	o->v.mmb.if_label = 9;
	o->v.mmb.bid = 1;
	o = mh_add_opt(m, MH_OPT_MAGID);
	o->v.nai.subtype = 1;
	o->v.nai.id = (const uint8_t *)magid;
	o->v.nai.idlen = (uint8_t)strlen(magid);
}

static void test_encode_pbu_vector(void **state)
{
	struct mh_msg m;
	uint8_t buf[256];
	struct dmm_wbuf w;
	build_vector_pbu(&m);
	wb_init(&w, buf, sizeof(buf));
	assert_int_equal(mh_encode(&m, src6, dst6, &w), 104);
	assert_memory_equal(buf, pbu_vector, sizeof(pbu_vector));
}

static void test_checksum_vector(void **state)
{
	uint8_t copy[104];
	memcpy(copy, pbu_vector, sizeof(copy));
	copy[4] = copy[5] = 0;
	assert_int_equal(mh_checksum(src6, dst6, copy, sizeof(copy)), 0x766a);
	assert_int_equal(mh_checksum(src6, dst6, pbu_vector, sizeof(pbu_vector)), 0);
}

static void test_parse_pbu_vector(void **state)
{
	struct mh_msg m;
	struct dmm_cursor c;
	assert_int_equal(mh_parse(pbu_vector, sizeof(pbu_vector), &m, &c), DMM_OK);
	assert_int_equal(m.type, MH_BU);
	assert_int_equal(m.u.bu.seq, 7);
	assert_int_equal(m.u.bu.flags, MH_BU_A | MH_BU_P);
	assert_int_equal(m.nopts, 7); /* PadN not kept */
	const struct mh_opt *mmb = mh_find_opt(&m, MH_OPT_MMB, 0);
	assert_non_null(mmb);
	assert_int_equal(mmb->v.mmb.if_label, 9);
	const struct mh_opt *ts = mh_find_opt(&m, MH_OPT_TIMESTAMP, 0);
	assert_int_equal(ts->v.timestamp, 0x00006553F1008000ULL);
	/* parse -> encode is byte-identical */
	uint8_t buf[256];
	struct dmm_wbuf w;
	wb_init(&w, buf, sizeof(buf));
	assert_int_equal(mh_encode(&m, src6, dst6, &w), 104);
	assert_memory_equal(buf, pbu_vector, 104);
}

static void test_dissect_pbu_vector(void **state)
{
	struct capture cap;
	struct dmm_out out = capture_out(&cap);
	mh_dissect(pbu_vector, sizeof(pbu_vector), src6, dst6, &out);
	assert_string_equal(cap.errors, "");
	assert_true(capture_has(&cap, "mip6.csum", "0x766a"));
	assert_true(capture_has(&cap, "mip6.csum.status", "good"));
	assert_true(capture_has(&cap, "mip6.bu.p_flag", "1"));
	assert_true(capture_has(&cap, "mip6.bu.h_flag", "0"));
	assert_true(capture_has(&cap, "mip6.mnid.identifier", "mn1@example.com"));
	assert_true(capture_has(&cap, "mip6.nemo.mnp.mnp", "::"));
	assert_true(capture_has(&cap, "mip6.mmb.if_label", "9"));
	assert_true(capture_has(&cap, "mip6.mmb.bid", "1"));
	assert_true(capture_has(&cap, "mip6.mag_id.id", "mag1@example.com"));
	assert_true(capture_has(&cap, "mip6.timestamp", "0x00006553f1008000"));
	assert_int_equal(capture_count(&cap, "mip6.padn"), 2);
}

static void test_bad_checksum_reported(void **state)
{
	uint8_t copy[104];
	struct capture cap;
	struct dmm_out out = capture_out(&cap);
	memcpy(copy, pbu_vector, sizeof(copy));
	copy[5] ^= 1;
	mh_dissect(copy, sizeof(copy), src6, dst6, &out);
	assert_string_equal(cap.errors, "bad checksum");
	assert_true(capture_has(&cap, "mip6.csum.status", "bad"));
	/* the message is still fully dissected */
	assert_true(capture_has(&cap, "mip6.mag_id.id", "mag1@example.com"));
}

static void test_checksum_ignored_without_addresses(void **state)
{
	struct capture cap;
	struct dmm_out out = capture_out(&cap);
	mh_dissect(pbu_vector, sizeof(pbu_vector), NULL, NULL, &out);
	assert_string_equal(cap.errors, "");
	assert_true(capture_has(&cap, "mip6.csum.status", "not checked"));
}

static void test_truncated_at_every_length(void **state)
{
	for (size_t n = 0; n < sizeof(pbu_vector); n++) {
		struct capture cap;
		struct dmm_out out = capture_out(&cap);
		struct mh_msg m;
		struct dmm_cursor c;
		mh_dissect(pbu_vector, n, src6, dst6, &out);
		assert_string_equal(cap.errors, "truncated");
		assert_int_equal(mh_parse(pbu_vector, n, &m, &c), DMM_ETRUNC);
		assert_int_equal(cap.depth, 0);
	}
}

static void test_unknown_option_skipped(void **state)
{
	/* BA with an unknown option 200 (len 2) then HI; total 16 octets */
	static const uint8_t ba[16] = {0x3b, 0x01, 0x06, 0x00, 0x00, 0x00, 0x00, 0x20,
	                               0x00, 0x07, 0x00, 0x64, 0xc8, 0x00, 0x17, 0x00};
	struct capture cap;
	struct dmm_out out = capture_out(&cap);
	mh_dissect(ba, sizeof(ba), NULL, NULL, &out);
	/* unknown 200 with length 0, then HI with length 0 is invalid (needs 2) */
	assert_true(capture_has(&cap, "mip6.mobility_opt", "200"));
	assert_string_equal(cap.errors, "invalid: option length out of range");
	assert_int_equal(cap.depth, 0);
}

static void test_unknown_option_raw_bytes(void **state)
{
	static const uint8_t ba[16] = {0x3b, 0x01, 0x06, 0x00, 0x00, 0x00, 0xb4, 0x20,
	                               0x00, 0x07, 0x00, 0x00, 0xc8, 0x02, 0xab, 0xcd};
	struct capture cap;
	struct dmm_out out = capture_out(&cap);
	struct mh_msg m;
	struct dmm_cursor c;
	mh_dissect(ba, sizeof(ba), NULL, NULL, &out);
	assert_string_equal(cap.errors, "");
	assert_true(capture_has(&cap, "mip6.ba.status", "180"));
	assert_true(capture_has(&cap, "mip6.option.data", "abcd"));
	assert_int_equal(mh_parse(ba, sizeof(ba), &m, &c), DMM_OK);
	assert_int_equal(m.nopts, 1);
	assert_int_equal(m.opts[0].type, 200);
}

static void test_invalid_header(void **state)
{
	uint8_t copy[104];
	struct mh_msg m;
	struct dmm_cursor c;
	memcpy(copy, pbu_vector, sizeof(copy));
	copy[0] = 58;
	assert_int_equal(mh_parse(copy, sizeof(copy), &m, &c), DMM_EINVAL);
	assert_string_equal(c.why, "payload proto is not 59");
	memcpy(copy, pbu_vector, sizeof(copy));
	copy[2] = 99;
	assert_int_equal(mh_parse(copy, sizeof(copy), &m, &c), DMM_EINVAL);
	assert_string_equal(c.why, "unknown MH type");
	/* Header Len 0 (8 octets) is shorter than a BU's minimum */
	memcpy(copy, pbu_vector, sizeof(copy));
	copy[1] = 0;
	assert_int_equal(mh_parse(copy, sizeof(copy), &m, &c), DMM_EINVAL);
	struct capture cap;
	struct dmm_out out = capture_out(&cap);
	mh_dissect(copy, sizeof(copy), NULL, NULL, &out);
	assert_string_equal(cap.errors,
	                    "invalid: header length shorter than the message type's minimum");
}

static void test_maar_options_vectors(void **state)
{
	/* wire-facts §12: Previous MAAR and Serving MAAR */
	uint8_t pmaar[36] = {0x43, 0x22, 0x00, 0x40};
	uint8_t smaar[18] = {0x44, 0x10};
	inet_pton(AF_INET6, "2001:db8:1::1", pmaar + 4);
	inet_pton(AF_INET6, "2001:db8:aaaa:1::", pmaar + 20);
	inet_pton(AF_INET6, "2001:db8:2::1", smaar + 2);
	struct mh_msg m;
	memset(&m, 0, sizeof(m));
	m.type = MH_BA;
	struct mh_opt *o = mh_add_opt(&m, dmm_numbers.pmaar_opt);
	o->v.pmaar.plen = 64;
	memcpy(o->v.pmaar.addr, pmaar + 4, 16);
	memcpy(o->v.pmaar.hnp, pmaar + 20, 16);
	o = mh_add_opt(&m, dmm_numbers.smaar_opt);
	memcpy(o->v.addr6, smaar + 2, 16);
	uint8_t buf[256];
	struct dmm_wbuf w;
	wb_init(&w, buf, sizeof(buf));
	int n = mh_encode(&m, src6, dst6, &w);
	assert_true(n > 0);
	/* Previous MAAR at 8n+4 (offset 12), Serving MAAR at 8n+6 (offset 54) */
	assert_memory_equal(buf + 12, pmaar, sizeof(pmaar));
	assert_memory_equal(buf + 54, smaar, sizeof(smaar));
	struct capture cap;
	struct dmm_out out = capture_out(&cap);
	mh_dissect(buf, (size_t)n, src6, dst6, &out);
	assert_string_equal(cap.errors, "");
	assert_true(capture_has(&cap, "mip6.pmaar.addr", "2001:db8:1::1"));
	assert_true(capture_has(&cap, "mip6.pmaar.hnp", "2001:db8:aaaa:1::"));
	assert_true(capture_has(&cap, "mip6.pmaar.prefix_len", "64"));
	assert_true(capture_has(&cap, "mip6.smaar.addr", "2001:db8:2::1"));
}

static void test_tba_profile_override(void **state)
{
	/* MAD-PMIPv6 profile: Serving MAAR is 28, Previous MAAR 29 */
	uint8_t ba[32] = {0x3b, 0x03, 0x06, 0x00, 0x00, 0x00, 0x00,
	                  0x20, 0x00, 0x01, 0x00, 0x00, 0x1c, 0x10};
	inet_pton(AF_INET6, "2001:db8:2::1", ba + 14);
	struct capture cap;
	struct dmm_out out = capture_out(&cap);
	mh_dissect(ba, sizeof(ba), NULL, NULL, &out);
	assert_false(capture_has(&cap, "mip6.smaar.addr", "2001:db8:2::1"));
	assert_int_equal(dmm_numbers_profile("mad-pmipv6"), 0);
	out = capture_out(&cap);
	mh_dissect(ba, sizeof(ba), NULL, NULL, &out);
	assert_true(capture_has(&cap, "mip6.smaar.addr", "2001:db8:2::1"));
	assert_int_equal(dmm_numbers_parse("smaar=68,pmaar=67"), 0);
	assert_string_equal(mh_opt_lookup(68)->key, "smaar");
	assert_int_equal(dmm_numbers_parse("smaar=300"), -1);
	assert_int_equal(dmm_numbers_parse("nonsense=3"), -1);
	dmm_numbers_profile("iana");
}

static void test_every_option_round_trips(void **state)
{
	/* For every registry row, a message holding that option parses and re-encodes identically.
	 */
	size_t n;
	const struct mh_opt_ops *rows = mh_opt_registry(&n);
	for (size_t i = 0; i < n; i++) {
		if (!rows[i].encode)
			continue;
		uint8_t body[255], buf[512], again[512];
		memset(body, 0, sizeof(body));
		for (unsigned k = 0; k < rows[i].min_len; k++)
			body[k] = (uint8_t)(k + 1);
		if (rows[i].type == MH_OPT_HNP || mh_opt_number(&rows[i]) == dmm_numbers.pmaar_opt)
			body[1] = 64; /* prefix length */
		if (rows[i].type == MH_OPT_IPV4HOA_REQ)
			body[0] = 24 << 2;
		if (rows[i].type == MH_OPT_IPV4HOA_REP)
			body[1] = 24 << 2;
		struct mh_msg m, parsed;
		memset(&m, 0, sizeof(m));
		m.type = MH_BU;
		struct mh_opt *o = mh_add_opt(&m, mh_opt_number(&rows[i]));
		o->flags = MH_OPT_F_RAW;
		o->data = body;
		o->len = rows[i].min_len;
		struct dmm_wbuf w;
		wb_init(&w, buf, sizeof(buf));
		int len = mh_encode(&m, src6, dst6, &w);
		assert_true(len > 0);
		struct dmm_cursor c;
		assert_int_equal(mh_parse(buf, (size_t)len, &parsed, &c), DMM_OK);
		assert_int_equal(parsed.nopts, 1);
		wb_init(&w, again, sizeof(again));
		assert_int_equal(mh_encode(&parsed, src6, dst6, &w), len);
		assert_memory_equal(buf, again, (size_t)len);
	}
}

static void test_malformed_overrides(void **state)
{
	struct mh_msg m;
	uint8_t buf[256];
	struct dmm_wbuf w;
	build_vector_pbu(&m);
	m.enc.bad_csum = 1;
	m.opts[0].flags |= MH_OPT_F_FORCE_LEN;
	m.opts[0].force_len = 200; /* runs past the end */
	wb_init(&w, buf, sizeof(buf));
	int n = mh_encode(&m, src6, dst6, &w);
	assert_true(n > 0);
	struct capture cap;
	struct dmm_out out = capture_out(&cap);
	mh_dissect(buf, (size_t)n, src6, dst6, &out);
	assert_string_equal(cap.errors, "bad checksum; truncated");
	/* no alignment: HNP right after MN-ID */
	build_vector_pbu(&m);
	m.enc.no_align = 1;
	wb_init(&w, buf, sizeof(buf));
	n = mh_encode(&m, src6, dst6, &w);
	assert_int_equal(buf[12 + 18], MH_OPT_HNP);
}

static void test_auth_option_rfc4285(void **state)
{
	struct mh_msg m;
	uint8_t buf[256];
	struct dmm_wbuf w;
	build_vector_pbu(&m);
	struct mh_opt *o = mh_add_opt(&m, MH_OPT_AUTH);
	o->v.auth.subtype = 1;
	o->v.auth.spi = 0x100;
	memset(&dmm_keys, 0, sizeof(dmm_keys));
	wb_init(&w, buf, sizeof(buf));
	assert_int_equal(mh_encode(&m, src6, dst6, &w), -1); /* no key for SPI 0x100 */
	assert_int_equal(dmm_keys_add_mh_auth("0x100:secretsecret"), 0);
	wb_init(&w, buf, sizeof(buf));
	int n = mh_encode(&m, src6, dst6, &w);
	assert_int_equal(n, 128);
	/* option 9 at 4n+1 (offset 105), SPI ends at 112; authenticator computed independently:
	 * hmac.new(b"secretsecret", src|dst|mh[:112] with csum 0, sha1).digest()[:12] */
	assert_int_equal(buf[105], MH_OPT_AUTH);
	assert_int_equal(buf[106], 17);
	static const uint8_t expect[12] = {0x63, 0xd5, 0x29, 0x38, 0xb7, 0x7a,
	                                   0x1b, 0xc8, 0x10, 0xb1, 0xef, 0xba};
	assert_memory_equal(buf + 112, expect, 12);
	struct capture cap;
	struct dmm_out out = capture_out(&cap);
	mh_dissect(buf, (size_t)n, src6, dst6, &out);
	assert_string_equal(cap.errors, "");
	assert_true(capture_has(&cap, "mip6.auth.status", "good"));
	buf[120] ^= 0x40; /* tamper with the authenticator; fix the checksum */
	buf[4] = buf[5] = 0;
	uint16_t sum = mh_checksum(src6, dst6, buf, (size_t)n);
	buf[4] = (uint8_t)(sum >> 8);
	buf[5] = (uint8_t)sum;
	out = capture_out(&cap);
	mh_dissect(buf, (size_t)n, src6, dst6, &out);
	assert_string_equal(cap.errors, "bad authenticator");
	memset(&dmm_keys, 0, sizeof(dmm_keys));
	out = capture_out(&cap);
	mh_dissect(buf, (size_t)n, src6, dst6, &out);
	assert_true(capture_has(&cap, "mip6.auth.status", "not checked"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_encode_pbu_vector, setup),
	    cmocka_unit_test_setup(test_checksum_vector, setup),
	    cmocka_unit_test_setup(test_parse_pbu_vector, setup),
	    cmocka_unit_test_setup(test_dissect_pbu_vector, setup),
	    cmocka_unit_test_setup(test_bad_checksum_reported, setup),
	    cmocka_unit_test_setup(test_checksum_ignored_without_addresses, setup),
	    cmocka_unit_test_setup(test_truncated_at_every_length, setup),
	    cmocka_unit_test_setup(test_unknown_option_skipped, setup),
	    cmocka_unit_test_setup(test_unknown_option_raw_bytes, setup),
	    cmocka_unit_test_setup(test_invalid_header, setup),
	    cmocka_unit_test_setup(test_maar_options_vectors, setup),
	    cmocka_unit_test_setup(test_tba_profile_override, setup),
	    cmocka_unit_test_setup(test_every_option_round_trips, setup),
	    cmocka_unit_test_setup(test_malformed_overrides, setup),
	    cmocka_unit_test_setup(test_auth_option_rfc4285, setup),
	};
	return cmocka_run_group_tests_name("mh", tests, NULL, NULL);
}
