/* Unit tests of the Mobile IPv4 registries (RFC 5944 §1.9-1.11, §3; RFC 5177 §4; RFC 6521 §5;
 * wire-facts §12). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capture.h"
#include "dissect.h"
#include "keys.h"
#include "mip4.h"
#include "numbers.h"

#include <string.h>

/* wire-facts §12: MR->HA Registration Request with MN-HA HMAC-MD5 */
static const uint8_t mr_ha_request[] = {
    0x01, 0x22, 0x02, 0x58, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x01, 0xcb, 0x00, 0x71, 0x07,
    0xe1, 0xd2, 0xc3, 0xb4, 0x00, 0x00, 0x00, 0x01, /* fixed part */
    0x94, 0x06, 0x00, 0x18, 0x0a, 0x01, 0x01, 0x00, /* MNR 10.1.1.0/24 */
    0x99, 0x02, 0x01, 0xc0,                         /* MRROCAP A|R */
    0x90, 0x06, 0x00, 0x00, 0x80, 0x04, 0x00, 0x00, /* UDP Tunnel Request */
    0x20, 0x14, 0x00, 0x00, 0x01, 0x00,             /* MN-HA SPI 0x100 */
    0xd6, 0x2a, 0x82, 0x5b, 0x76, 0x66, 0x7f, 0x11, 0x39, 0x1e, 0x10, 0x7b, 0x0e, 0x0a, 0xdd, 0x86,
};
#define FIXED_LEN 24
#define MNR_END 32

static const uint8_t mnha_key[] = "1234567812345678";
static const uint8_t krm[HAARO_KRM_LEN] = {0x4a, 0xb3, 0xbe, 0x1f, 0x5e, 0x86, 0x12,
                                           0x47, 0x04, 0x15, 0x84, 0xe7, 0xdf, 0x9b,
                                           0x98, 0x99, 0x6d, 0x9a, 0x9e, 0xe2};

static struct mip4_msg msg, msg2; /* large: kept off the stack */

static int reset(void **state)
{
	memset(&dmm_keys, 0, sizeof(dmm_keys));
	dmm_numbers_parse("haaro-t1=153,haaro-t2=49,haaro-t3=50,haaro-hoti=24,haaro-coti=25,"
	                  "haaro-hot=26,haaro-cot=27,haaro-concurrent=2,mcauth-hdr=8");
	return 0;
}

static void fill_request_fixed(struct mip4_msg *m)
{
	static const uint8_t hoa[4] = {192, 0, 2, 1}, ha[4] = {198, 51, 100, 1},
	                     coa[4] = {203, 0, 113, 7};
	memset(m, 0, sizeof(*m));
	m->type = MIP4_REG_REQUEST;
	m->u.req.flags = MIP4_F_D | MIP4_F_T;
	m->u.req.lifetime = 600;
	memcpy(m->u.req.hoa, hoa, 4);
	memcpy(m->u.req.ha, ha, 4);
	memcpy(m->u.req.coa, coa, 4);
	m->u.req.ident = 0xe1d2c3b400000001ull;
	struct mip4_ext *e = mip4_add_ext(m, MIP4_EXT_MOBNET, MIP4_MNE_REQUEST);
	e->v.mne.plen = 24;
	memcpy(e->v.mne.prefix, (const uint8_t[]){10, 1, 1, 0}, 4);
}

static int encode(const struct mip4_msg *m, uint8_t *buf, size_t cap)
{
	struct dmm_wbuf w;
	wb_init(&w, buf, cap);
	return mip4_encode(m, &w);
}

static void test_mr_ha_request_encode(void **state)
{
	uint8_t buf[128];
	fill_request_fixed(&msg);
	mip4_add_ext(&msg, DMM_DEFAULT_HAARO_T1, HAARO_MRROCAP_SUBTYPE)->v.rocap.flags =
	    HAARO_ROCAP_A | HAARO_ROCAP_R;
	struct mip4_ext *e = mip4_add_ext(&msg, MIP4_EXT_UDP_TUN_REQUEST, 0);
	e->v.utrq.flags = MIP4_UTRQ_F;
	e->v.utrq.encap = 4;
	e = mip4_add_ext(&msg, MIP4_EXT_MNHA_AUTH, 0);
	e->flags = MIP4_EXT_F_SIGN;
	e->v.auth.spi = 0x100;
	e->v.auth.key = mnha_key;
	e->v.auth.keylen = 16;
	assert_int_equal(encode(&msg, buf, sizeof(buf)), sizeof(mr_ha_request));
	assert_memory_equal(buf, mr_ha_request, sizeof(mr_ha_request));

	/* key from dmm_keys by SPI; none for the SPI: unencodable */
	e->v.auth.key = NULL;
	assert_int_equal(encode(&msg, buf, sizeof(buf)), -1);
	assert_int_equal(dmm_keys_add_mnha("0x100:1234567812345678"), 0);
	assert_int_equal(encode(&msg, buf, sizeof(buf)), sizeof(mr_ha_request));
	assert_memory_equal(buf, mr_ha_request, sizeof(mr_ha_request));
	/* overflow */
	assert_int_equal(encode(&msg, buf, sizeof(mr_ha_request) - 1), -1);
}

static void test_mr_ha_request_parse_round_trip(void **state)
{
	struct dmm_cursor c;
	uint8_t buf[128];
	assert_int_equal(mip4_parse(mr_ha_request, sizeof(mr_ha_request), &msg, &c), 0);
	assert_int_equal(msg.type, MIP4_REG_REQUEST);
	assert_int_equal(msg.u.req.lifetime, 600);
	assert_true(msg.u.req.ident == 0xe1d2c3b400000001ull);
	assert_int_equal(msg.nexts, 4);
	const struct mip4_ext *e = mip4_find_ext(&msg, MIP4_EXT_MOBNET, MIP4_MNE_REQUEST, 0);
	assert_non_null(e);
	assert_int_equal(e->v.mne.plen, 24);
	e = mip4_find_ext(&msg, DMM_DEFAULT_HAARO_T1, HAARO_MRROCAP_SUBTYPE, 0);
	assert_non_null(e);
	assert_int_equal(e->v.rocap.flags, HAARO_ROCAP_A | HAARO_ROCAP_R);
	assert_int_equal(e->v.rocap.has_hoa, 0);
	e = mip4_find_ext(&msg, MIP4_EXT_UDP_TUN_REQUEST, 0, 0);
	assert_int_equal(e->v.utrq.encap, 4);
	e = mip4_find_ext(&msg, MIP4_EXT_MNHA_AUTH, 0, 0);
	assert_int_equal(e->v.auth.spi, 0x100);
	assert_int_equal(e->v.auth.authlen, 16);
	assert_int_equal(e->off, 44);
	assert_null(mip4_find_ext(&msg, MIP4_EXT_MNHA_AUTH, 0, 1));
	assert_int_equal(encode(&msg, buf, sizeof(buf)), sizeof(mr_ha_request));
	assert_memory_equal(buf, mr_ha_request, sizeof(mr_ha_request));
}

static void test_mr_ha_request_dissect(void **state)
{
	struct capture cap;
	struct dmm_out out = capture_out(&cap);
	mip4_dissect(mr_ha_request, sizeof(mr_ha_request), 0, &out);
	assert_int_equal(out.errors, 0);
	assert_int_equal(cap.depth, 0);
	assert_true(capture_has(&cap, "mip.type", "1"));
	assert_true(capture_has(&cap, "mip.flags", "0x22"));
	assert_true(capture_has(&cap, "mip.d", "1"));
	assert_true(capture_has(&cap, "mip.t", "1"));
	assert_true(capture_has(&cap, "mip.s", "0"));
	assert_true(capture_has(&cap, "mip.life", "600"));
	assert_true(capture_has(&cap, "mip.homeaddr", "192.0.2.1"));
	assert_true(capture_has(&cap, "mip.haaddr", "198.51.100.1"));
	assert_true(capture_has(&cap, "mip.coa", "203.0.113.7"));
	assert_true(capture_has(&cap, "mip.ident.value", "0xe1d2c3b400000001"));
	assert_int_equal(capture_count(&cap, "mip.ext.type"), 4);
	assert_true(capture_has(&cap, "mip.ext.mne.subtype", "0"));
	assert_true(capture_has(&cap, "mip.ext.mne.prefix_length", "24"));
	assert_true(capture_has(&cap, "mip.ext.mne.prefix", "10.1.1.0"));
	assert_true(capture_has(&cap, "mip.haaro.rocap.a_flag", "1"));
	assert_true(capture_has(&cap, "mip.haaro.rocap.r_flag", "1"));
	assert_true(capture_has(&cap, "mip.haaro.rocap.s_flag", "0"));
	assert_true(capture_has(&cap, "mip.haaro.rocap.reserved", "0x00"));
	assert_int_equal(capture_count(&cap, "mip.haaro.rocap.hoa"), 0);
	assert_true(capture_has(&cap, "mip.ext.utrq.f", "1"));
	assert_true(capture_has(&cap, "mip.ext.utrq.flags", "0x80"));
	assert_true(capture_has(&cap, "mip.ext.utrq.reserved2", "0x00"));
	assert_true(capture_has(&cap, "mip.ext.utrq.encaptype", "4"));
	assert_true(capture_has(&cap, "mip.ext.utrq.reserved3", "0x0000"));
	assert_true(capture_has(&cap, "mip.auth.spi", "0x00000100"));
	assert_true(capture_has(&cap, "mip.auth.auth", "d62a825b76667f11391e107b0e0add86"));
	assert_true(capture_has(&cap, "mip.auth.status", "not checked"));

	assert_int_equal(dmm_keys_add_mnha("256:1234567812345678"), 0);
	out = capture_out(&cap);
	mip4_dissect(mr_ha_request, sizeof(mr_ha_request), 0, &out);
	assert_true(capture_has(&cap, "mip.auth.status", "good"));
	assert_int_equal(out.errors, 0);

	uint8_t bad[sizeof(mr_ha_request)];
	memcpy(bad, mr_ha_request, sizeof(bad));
	bad[3] ^= 1; /* lifetime is protected */
	out = capture_out(&cap);
	mip4_dissect(bad, sizeof(bad), 0, &out);
	assert_true(capture_has(&cap, "mip.auth.status", "bad"));
	assert_string_equal(cap.errors, "bad authenticator");
}

/* wire-facts §12: MR->CR request with MC-Auth, both protected-header variants */
static void test_mcauth_vectors(void **state)
{
	static const uint8_t auth8[] = {0x52, 0x0d, 0xb9, 0x0d, 0x93, 0x51, 0xe8, 0x00,
	                                0x6c, 0x45, 0x24, 0xdf, 0x83, 0xf6, 0xad, 0x66};
	static const uint8_t auth6[] = {0xc4, 0x8a, 0x91, 0x8b, 0x9b, 0xa0, 0x28, 0xd7,
	                                0x8b, 0x87, 0x2e, 0x30, 0xe3, 0x63, 0x8e, 0x83};
	static const uint8_t header[] = {0x31, 0x16, 0x02, 0x00, 0x00, 0x05, 0x00, 0x06};
	uint8_t buf[128];
	struct capture cap;
	struct dmm_out out;

	fill_request_fixed(&msg);
	struct mip4_ext *e = mip4_add_ext(&msg, DMM_DEFAULT_HAARO_T2, HAARO_MCAUTH_SUBTYPE);
	e->flags = MIP4_EXT_F_SIGN;
	e->v.mcauth.hni = 5;
	e->v.mcauth.cni = 6;
	e->v.mcauth.krm = krm;
	assert_int_equal(encode(&msg, buf, sizeof(buf)), MNR_END + 8 + 16);
	assert_memory_equal(buf, mr_ha_request, MNR_END);
	assert_memory_equal(buf + MNR_END, header, sizeof(header));
	assert_memory_equal(buf + MNR_END + 8, auth8, 16);

	out = capture_out(&cap);
	mip4_dissect(buf, MNR_END + 24, 0, &out);
	assert_true(capture_has(&cap, "mip.haaro.mcauth.subtype", "2"));
	assert_true(capture_has(&cap, "mip.haaro.mcauth.reserved", "0x00"));
	assert_true(capture_has(&cap, "mip.haaro.mcauth.hni", "5"));
	assert_true(capture_has(&cap, "mip.haaro.mcauth.cni", "6"));
	assert_true(capture_has(&cap, "mip.haaro.mcauth.auth", "520db90d9351e8006c4524df83f6ad66"));
	assert_true(capture_has(&cap, "mip.haaro.mcauth.status", "not checked"));
	assert_int_equal(dmm_keys_add_krm("4ab3be1f5e861247041584e7df9b98996d9a9ee2"), 0);
	out = capture_out(&cap);
	mip4_dissect(buf, MNR_END + 24, 0, &out);
	assert_true(capture_has(&cap, "mip.haaro.mcauth.status", "good"));
	assert_int_equal(out.errors, 0);

	assert_int_equal(dmm_numbers_set("mcauth-hdr", 6), 0);
	out = capture_out(&cap);
	mip4_dissect(buf, MNR_END + 24, 0, &out); /* the 8-octet authenticator is now bad */
	assert_true(capture_has(&cap, "mip.haaro.mcauth.status", "bad"));
	assert_string_equal(cap.errors, "bad authenticator");
	e->v.mcauth.krm = NULL; /* from dmm_keys */
	assert_int_equal(encode(&msg, buf, sizeof(buf)), MNR_END + 8 + 16);
	assert_memory_equal(buf + MNR_END + 8, auth6, 16);
	out = capture_out(&cap);
	mip4_dissect(buf, MNR_END + 24, 0, &out);
	assert_true(capture_has(&cap, "mip.haaro.mcauth.status", "good"));

	memset(&dmm_keys, 0, sizeof(dmm_keys)); /* no KRm anywhere: unencodable */
	assert_int_equal(encode(&msg, buf, sizeof(buf)), -1);
}

/* wire-facts §12: HoTI and HoT */
static void test_rr_messages(void **state)
{
	static const uint8_t hoti[] = {0x18, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
	static const uint8_t hot[] = {0x1a, 0x00, 0x00, 0x05, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
	                              0x77, 0x88, 0x11, 0x1e, 0xe4, 0x98, 0x50, 0xf4, 0xe5, 0x08};
	uint8_t buf[32];
	struct dmm_cursor c;
	struct capture cap;
	struct dmm_out out;

	memset(&msg, 0, sizeof(msg));
	msg.type = DMM_DEFAULT_HAARO_HOTI;
	msg.u.ti.cookie = 0x1122334455667788ull;
	assert_int_equal(encode(&msg, buf, sizeof(buf)), sizeof(hoti));
	assert_memory_equal(buf, hoti, sizeof(hoti));

	memset(&msg, 0, sizeof(msg));
	msg.type = DMM_DEFAULT_HAARO_HOT;
	msg.u.t.nonce_index = 5;
	msg.u.t.cookie = 0x1122334455667788ull;
	msg.u.t.token = 0x111ee49850f4e508ull;
	assert_int_equal(encode(&msg, buf, sizeof(buf)), sizeof(hot));
	assert_memory_equal(buf, hot, sizeof(hot));

	assert_int_equal(mip4_parse(hot, sizeof(hot), &msg2, &c), 0);
	assert_int_equal(msg2.u.t.nonce_index, 5);
	assert_true(msg2.u.t.token == 0x111ee49850f4e508ull);

	out = capture_out(&cap);
	mip4_dissect(hot, sizeof(hot), 0, &out);
	assert_true(capture_has(&cap, "mip.type", "26"));
	assert_true(capture_has(&cap, "mip.rr.reserved", "0x00"));
	assert_true(capture_has(&cap, "mip.rr.nonce_index", "5"));
	assert_true(capture_has(&cap, "mip.rr.cookie", "0x1122334455667788"));
	assert_true(capture_has(&cap, "mip.rr.token", "0x111ee49850f4e508"));
	out = capture_out(&cap);
	mip4_dissect(hoti, sizeof(hoti), 0, &out);
	assert_true(capture_has(&cap, "mip.rr.cookie", "0x1122334455667788"));
	assert_int_equal(out.errors, 0);

	/* TBA override of the message numbers */
	assert_int_equal(dmm_numbers_set("haaro-hoti", 30), 0);
	assert_int_equal(mip4_parse(hoti, sizeof(hoti), &msg2, &c), DMM_EINVAL);
	assert_string_equal(c.why, "unknown message type");
	uint8_t hoti30[sizeof(hoti)];
	memcpy(hoti30, hoti, sizeof(hoti));
	hoti30[0] = 30;
	assert_int_equal(mip4_parse(hoti30, sizeof(hoti30), &msg2, &c), 0);
	assert_string_equal(dmm_val_name(mip4_type_vals, 30), "Home Test Init");
}

/* wire-facts §12 Prefix Advertisement in an HA->MR reply, with ROR */
static const uint8_t pfx_ext[] = {
    0x32, 0x01, 0x00, 0x26, 0x40, 0xc0, 0x00, 0x02, 0x01, 0x1c, 0xc0, 0x00, 0x02, 0x00,
    0x03, 0x66, 0x6f, 0x6f, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63,
    0x6f, 0x6d, 0x00, 0x9a, 0x09, 0x03, 0x62, 0x61, 0x72, 0x83, 0x00, 0x99, 0x05, 0x00,
};

static void fill_reply(struct mip4_msg *m, const struct haaro_pfx_info *infos)
{
	memset(m, 0, sizeof(*m));
	m->type = MIP4_REG_REPLY;
	m->u.rep.lifetime = 600;
	memcpy(m->u.rep.hoa, (const uint8_t[]){192, 0, 2, 1}, 4);
	memcpy(m->u.rep.ha, (const uint8_t[]){198, 51, 100, 1}, 4);
	m->u.rep.ident = 0xe1d2c3b400000001ull;
	struct mip4_ext *e = mip4_add_ext(m, DMM_DEFAULT_HAARO_T2, HAARO_ROR_SUBTYPE);
	e->v.ror.flags = HAARO_ROR_N;
	e = mip4_add_ext(m, DMM_DEFAULT_HAARO_T3, HAARO_PFX_SUBTYPE);
	e->v.pfx.infos = infos;
	e->v.pfx.n = 4;
}

static void test_prefix_advertisement(void **state)
{
	static const struct haaro_pfx_info infos[4] = {
	    {.m = 1, .hoa = {192, 0, 2, 1}},
	    {.plen_info = 28,
	     .prefix = {192, 0, 2, 0},
	     .realm = "foo.example.com",
	     .realm_len = 15},
	    {.plen_info = 26,
	     .prefix = {192, 0, 2, 64},
	     .realm = "bar.foo.example.com",
	     .realm_len = 19},
	    {.plen_info = 25, .prefix = {192, 0, 2, 128}, .realm = "", .realm_len = 0},
	};
	static const uint8_t ror[] = {0x31, 0x02, 0x01, 0x40};
	uint8_t buf[128], again[128];
	struct dmm_cursor c;
	struct capture cap;
	struct dmm_out out;

	fill_reply(&msg, infos);
	int n = encode(&msg, buf, sizeof(buf));
	assert_int_equal(n, 20 + sizeof(ror) + sizeof(pfx_ext));
	assert_memory_equal(buf + 20, ror, sizeof(ror));
	assert_memory_equal(buf + 24, pfx_ext, sizeof(pfx_ext));

	assert_int_equal(mip4_parse(buf, (size_t)n, &msg2, &c), 0);
	assert_int_equal(msg2.nexts, 2);
	assert_int_equal(msg2.exts[1].len, 0x26);
	assert_int_equal(encode(&msg2, again, sizeof(again)), n);
	assert_memory_equal(again, buf, (size_t)n);

	out = capture_out(&cap);
	mip4_dissect(buf, (size_t)n, 0, &out);
	assert_int_equal(out.errors, 0);
	assert_int_equal(cap.depth, 0);
	assert_true(capture_has(&cap, "mip.code", "0"));
	assert_true(capture_has(&cap, "mip.haaro.ror.n_flag", "1"));
	assert_true(capture_has(&cap, "mip.haaro.ror.o_flag", "0"));
	assert_true(capture_has(&cap, "mip.haaro.ror.code", "0"));
	assert_true(capture_has(&cap, "mip.ext.len", "38"));
	assert_true(capture_has(&cap, "mip.haaro.pfx.subtype", "1"));
	assert_non_null(strstr(cap.text, "{mip.haaro.pfx.structure\nmip.haaro.pfx.d_flag=0\n"
	                                 "mip.haaro.pfx.m_flag=1\nmip.haaro.pfx.info=0\n"
	                                 "mip.haaro.pfx.hoa=192.0.2.1\n}\n"));
	assert_true(capture_has(&cap, "mip.haaro.pfx.prefix", "192.0.2.0/28"));
	assert_true(capture_has(&cap, "mip.haaro.pfx.prefix", "192.0.2.64/26"));
	assert_true(capture_has(&cap, "mip.haaro.pfx.prefix", "192.0.2.128/25"));
	assert_true(capture_has(&cap, "mip.haaro.pfx.realm", "foo.example.com"));
	assert_true(capture_has(&cap, "mip.haaro.pfx.realm", "bar.foo.example.com"));
	assert_true(capture_has(&cap, "mip.haaro.pfx.realm", ""));
	assert_int_equal(capture_count(&cap, "mip.haaro.pfx.realm"), 3);
	assert_int_equal(capture_count(&cap, "mip.haaro.pfx.d_flag"), 4);

	/* a bad dictionary index in the data: invalid, raw bytes shown, walk goes on */
	buf[24 + 37] = 0x8f;
	out = capture_out(&cap);
	mip4_dissect(buf, (size_t)n, 0, &out);
	assert_string_equal(cap.errors, "invalid: realm dictionary index refers to an empty slot");
	assert_int_equal(capture_count(&cap, "mip.extension"), 1);
	assert_int_equal(mip4_parse(buf, (size_t)n, &msg2, &c), DMM_EINVAL);
}

static void test_revocation_messages(void **state)
{
	static const uint8_t rev[] = {0x07, 0x00, 0x80, 0x00, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33,
	                              0x64, 0x01, 0xcb, 0x00, 0x71, 0x07, 0x00, 0x00, 0x00, 0x09,
	                              0x89, 0x06, 0x80, 0x00, 0x00, 0x00, 0x00, 0x0a};
	static const uint8_t ack[] = {0x0f, 0x00, 0x80, 0x00, 0xc0, 0x00,
	                              0x02, 0x01, 0x00, 0x00, 0x00, 0x09};
	uint8_t buf[64];
	struct dmm_cursor c;
	struct capture cap;
	struct dmm_out out;

	assert_int_equal(mip4_parse(rev, sizeof(rev), &msg, &c), 0);
	assert_int_equal(msg.u.rev.flags, MIP4_REV_A);
	assert_int_equal(msg.u.rev.rev_id, 9);
	assert_int_equal(msg.exts[0].v.revsup.timestamp, 10);
	assert_int_equal(encode(&msg, buf, sizeof(buf)), sizeof(rev));
	assert_memory_equal(buf, rev, sizeof(rev));
	out = capture_out(&cap);
	mip4_dissect(rev, sizeof(rev), 0, &out);
	assert_true(capture_has(&cap, "mip.flags2", "0x8000"));
	assert_true(capture_has(&cap, "mip.rev.a", "1"));
	assert_true(capture_has(&cap, "mip.rev.reserved2", "0x0000"));
	assert_true(capture_has(&cap, "mip.rev.fda", "203.0.113.7"));
	assert_true(capture_has(&cap, "mip.revid", "9"));
	assert_true(capture_has(&cap, "mip.ext.rev.flags", "0x8000"));
	assert_true(capture_has(&cap, "mip.ext.rev.i", "1"));
	assert_true(capture_has(&cap, "mip.ext.rev.tstamp", "10"));

	assert_int_equal(mip4_parse(ack, sizeof(ack), &msg, &c), 0);
	assert_int_equal(encode(&msg, buf, sizeof(buf)), sizeof(ack));
	assert_memory_equal(buf, ack, sizeof(ack));
	out = capture_out(&cap);
	mip4_dissect(ack, sizeof(ack), 0, &out);
	assert_true(capture_has(&cap, "mip.ack.i", "1"));
	assert_true(capture_has(&cap, "mip.ack.reserved2", "0x0000"));
	assert_int_equal(out.errors, 0);
}

static void test_reply_extensions(void **state)
{
	static const uint8_t rep[] = {
	    0x03, 0x93, 0x02, 0x58, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x01,
	    0xe1, 0xd2, 0xc3, 0xb4, 0x00, 0x00, 0x00, 0x01,             /* code 147 */
	    0x94, 0x08, 0x01, 0x02, 0x18, 0x00, 0x0a, 0x01, 0x01, 0x00, /* MN Ack explicit */
	    0x2c, 0x06, 0x00, 0x00, 0x80, 0x00, 0x00, 0x6e,             /* UDP Tunnel Reply */
	    0x31, 0x0a, 0x03, 0x00, 0xcb, 0x00, 0x71, 0x07, 0xc6, 0x33, 0x64, 0x09, /* CoA ext */
	    0x00, /* one-byte pad */
	};
	uint8_t buf[96];
	struct dmm_cursor c;
	struct capture cap;
	struct dmm_out out = capture_out(&cap);
	mip4_dissect(rep, sizeof(rep), 0, &out);
	assert_int_equal(out.errors, 0);
	assert_true(capture_has(&cap, "mip.code", "147"));
	assert_true(capture_has(&cap, "mip.ext.mne.subtype", "1"));
	assert_true(capture_has(&cap, "mip.ext.mne.code", "2"));
	assert_true(capture_has(&cap, "mip.ext.mne.reserved", "0x00"));
	assert_true(capture_has(&cap, "mip.ext.utrp.f", "1"));
	assert_true(capture_has(&cap, "mip.ext.utrp.flags", "0x8000"));
	assert_true(capture_has(&cap, "mip.ext.utrp.keepalive", "110"));
	assert_int_equal(capture_count(&cap, "mip.haaro.coa"), 2);
	assert_true(capture_has(&cap, "mip.haaro.coa", "198.51.100.9"));
	assert_true(capture_has(&cap, "mip.ext.type", "0"));
	assert_string_equal(dmm_val_name(mip4_code_vals, 147),
	                    "HA: Mobile Network Prefix operation error");
	assert_string_equal(dmm_val_name(mip4_mne_code_vals, 2), "MOBNET_UNAUTHORIZED");
	assert_int_equal(mip4_parse(rep, sizeof(rep), &msg, &c), 0);
	assert_int_equal(msg.nexts, 4);
	assert_int_equal(msg.exts[2].v.coa.count, 2);
	assert_int_equal(encode(&msg, buf, sizeof(buf)), sizeof(rep));
	assert_memory_equal(buf, rep, sizeof(rep));
}

/* Build fixed part + the given extension octets. */
static size_t with_exts(uint8_t *buf, const uint8_t *exts, size_t n)
{
	memcpy(buf, mr_ha_request, FIXED_LEN);
	memcpy(buf + FIXED_LEN, exts, n);
	return FIXED_LEN + n;
}

struct bad_case {
	const uint8_t *exts;
	size_t n;
	const char *dissect_error;
	int parse_err;
};

static void test_extension_errors(void **state)
{
	static const uint8_t unknown_ns[] = {0x64, 0x02, 0xaa, 0xbb};
	static const uint8_t short_zero[] = {0x94, 0x00};
	static const uint8_t rocap3[] = {0x99, 0x03, 0x01, 0xc0, 0x00};
	static const uint8_t coa7[] = {0x31, 0x07, 0x03, 0x00, 1, 2, 3, 4, 5};
	static const uint8_t mnha3[] = {0x20, 0x03, 0x00, 0x00, 0x01};
	static const uint8_t cut[] = {0x20, 0x14, 0x00, 0x00, 0x01, 0x00, 0xd6};
	static const uint8_t cut_long_hdr[] = {0x32, 0x01, 0x00};
	static const uint8_t mnr_plen33[] = {0x94, 0x06, 0x00, 0x21, 0x0a, 0x01, 0x01, 0x00};
	static const uint8_t unknown_ns_sub[] = {0x31, 0x02, 0x09, 0x00};
	static const struct bad_case cases[] = {
	    {unknown_ns, sizeof(unknown_ns), "invalid: unknown non-skippable extension 100",
	     DMM_EINVAL},
	    {unknown_ns_sub, sizeof(unknown_ns_sub), "invalid: unknown non-skippable extension 49",
	     DMM_EINVAL},
	    {short_zero, sizeof(short_zero), "invalid: short-format extension with Length 0",
	     DMM_EINVAL},
	    {rocap3, sizeof(rocap3), "invalid: MRROCAP Length is neither 2 nor 6", DMM_EINVAL},
	    {coa7, sizeof(coa7), "invalid: Care-of Address extension Length is not 2 + 4n",
	     DMM_EINVAL},
	    {mnha3, sizeof(mnha3), "invalid: extension Length out of range", DMM_EINVAL},
	    {mnr_plen33, sizeof(mnr_plen33), "invalid: prefix length above 32", DMM_EINVAL},
	    {cut, sizeof(cut), "truncated", DMM_ETRUNC},
	    {cut_long_hdr, sizeof(cut_long_hdr), "truncated", DMM_ETRUNC},
	};
	uint8_t buf[64];
	struct dmm_cursor c;
	struct capture cap;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = with_exts(buf, cases[i].exts, cases[i].n);
		struct dmm_out out = capture_out(&cap);
		mip4_dissect(buf, n, 0, &out);
		assert_string_equal(cap.errors, cases[i].dissect_error);
		assert_int_equal(cap.depth, 0);
		assert_int_equal(mip4_parse(buf, n, &msg, &c), cases[i].parse_err);
	}
	/* the unknown non-skippable one shows its raw octets */
	size_t n = with_exts(buf, unknown_ns, sizeof(unknown_ns));
	struct dmm_out out = capture_out(&cap);
	mip4_dissect(buf, n, 0, &out);
	assert_true(capture_has(&cap, "dmm.unknown.data", "6402aabb"));
	assert_int_equal(mip4_parse(buf, n, &msg, &c), DMM_EINVAL);
	assert_string_equal(c.why, "unknown non-skippable extension");
}

static void test_unknown_skippable_continues(void **state)
{
	static const uint8_t exts[] = {0xc8, 0x02, 0xaa, 0xbb, 0x94, 0x09, 0x07, 1,
	                               2,    3,    4,    5,    6,    7,    8, /* MNE sub 7 */
	                               0x94, 0x06, 0x00, 0x18, 0x0a, 0x01, 0x01, 0x00};
	uint8_t buf[64], again[64];
	struct dmm_cursor c;
	struct capture cap;
	size_t n = with_exts(buf, exts, sizeof(exts));
	struct dmm_out out = capture_out(&cap);
	mip4_dissect(buf, n, 0, &out);
	assert_int_equal(out.errors, 0);
	assert_true(capture_has(&cap, "mip.extension", "aabb"));
	assert_true(capture_has(&cap, "mip.extension", "070102030405060708"));
	assert_true(capture_has(&cap, "mip.ext.mne.prefix", "10.1.1.0"));
	assert_int_equal(mip4_parse(buf, n, &msg, &c), 0);
	assert_int_equal(msg.nexts, 3);
	assert_int_equal(encode(&msg, again, sizeof(again)), (int)n);
	assert_memory_equal(again, buf, n);
}

static void test_truncated_and_unknown_messages(void **state)
{
	static const uint8_t unknown[] = {0x63, 0x01, 0x02};
	static const uint8_t tunnel[] = {0x04, 0x2f, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00};
	struct dmm_cursor c;
	struct capture cap;
	struct dmm_out out = capture_out(&cap);
	mip4_dissect(mr_ha_request, 10, 0, &out);
	assert_string_equal(cap.errors, "truncated");
	assert_int_equal(cap.depth, 0);
	assert_int_equal(mip4_parse(mr_ha_request, 10, &msg, &c), DMM_ETRUNC);
	assert_int_equal(mip4_parse(mr_ha_request, 0, &msg, &c), DMM_ETRUNC);
	out = capture_out(&cap);
	mip4_dissect(mr_ha_request, 0, 0, &out);
	assert_string_equal(cap.errors, "truncated");

	out = capture_out(&cap);
	mip4_dissect(unknown, sizeof(unknown), 0, &out);
	assert_int_equal(out.errors, 0);
	assert_true(capture_has(&cap, "mip.type", "99"));
	assert_true(capture_has(&cap, "dmm.unknown.data", "0102"));
	assert_int_equal(mip4_parse(unknown, sizeof(unknown), &msg, &c), DMM_EINVAL);

	out = capture_out(&cap);
	mip4_dissect(tunnel, sizeof(tunnel), 0, &out);
	assert_true(capture_has(&cap, "mip.nattt.nexthdr", "47"));
	assert_true(capture_has(&cap, "mip.nattt.reserved", "0x0000"));
	/* RFC 3519 §3.3: Next Header 47 is a GRE packet, dissected in turn */
	assert_true(capture_has(&cap, "gre.proto", "0x0800"));
	assert_int_equal(mip4_parse(tunnel, sizeof(tunnel), &msg, &c), 0);
	assert_int_equal(msg.body_len, 4);
	uint8_t buf[16];
	assert_int_equal(encode(&msg, buf, sizeof(buf)), sizeof(tunnel));
	assert_memory_equal(buf, tunnel, sizeof(tunnel));
}

static void test_too_many_extensions(void **state)
{
	uint8_t buf[FIXED_LEN + MIP4_MAX_EXTS + 1];
	struct dmm_cursor c;
	memcpy(buf, mr_ha_request, FIXED_LEN);
	memset(buf + FIXED_LEN, 0, MIP4_MAX_EXTS + 1);
	assert_int_equal(mip4_parse(buf, FIXED_LEN + MIP4_MAX_EXTS, &msg, &c), 0);
	assert_int_equal(msg.nexts, MIP4_MAX_EXTS);
	assert_int_equal(mip4_parse(buf, sizeof(buf), &msg, &c), DMM_EINVAL);
	assert_string_equal(c.why, "more than 32 extensions");
}

static void test_encode_overrides(void **state)
{
	uint8_t buf[64];
	fill_request_fixed(&msg);
	struct mip4_ext *e = mip4_add_ext(&msg, DMM_DEFAULT_HAARO_T2, HAARO_ROR_SUBTYPE);
	e->v.ror.code = 32; /* 5-bit field */
	assert_int_equal(encode(&msg, buf, sizeof(buf)), -1);
	e->v.ror.code = 16;
	e->v.ror.flags = HAARO_ROR_O | HAARO_ROR_S;
	assert_int_equal(encode(&msg, buf, sizeof(buf)), MNR_END + 4);
	assert_memory_equal(buf + MNR_END, ((const uint8_t[]){0x31, 0x02, 0x01, 0xb0}), 4);
	e->flags = MIP4_EXT_F_FORCE_LEN | MIP4_EXT_F_RAW;
	e->force_len = 9;
	e->body = (const uint8_t *)"\xee\xff";
	e->body_len = 2;
	assert_int_equal(encode(&msg, buf, sizeof(buf)), MNR_END + 5);
	assert_memory_equal(buf + MNR_END, ((const uint8_t[]){0x31, 0x09, 0x01, 0xee, 0xff}), 5);
	msg.enc.raw_body = 1;
	msg.body = (const uint8_t *)"\x01\x02";
	msg.body_len = 2;
	assert_int_equal(encode(&msg, buf, sizeof(buf)), FIXED_LEN + 2);
	/* MRROCAP with a solicited HoA: Length 6 */
	fill_request_fixed(&msg);
	e = mip4_add_ext(&msg, DMM_DEFAULT_HAARO_T1, HAARO_MRROCAP_SUBTYPE);
	e->v.rocap.flags = HAARO_ROCAP_S;
	e->v.rocap.has_hoa = 1;
	memcpy(e->v.rocap.hoa, (const uint8_t[]){192, 0, 2, 9}, 4);
	assert_int_equal(encode(&msg, buf, sizeof(buf)), MNR_END + 8);
	assert_memory_equal(buf + MNR_END,
	                    ((const uint8_t[]){0x99, 0x06, 0x01, 0x20, 192, 0, 2, 9}), 8);
}

/* TBA override: haaro_t1=200 decodes a 200 extension as MRROCAP, 153 becomes unknown. */
static void test_tba_override(void **state)
{
	static const uint8_t exts[] = {0xc8, 0x02, 0x01, 0xc0, 0x99, 0x02, 0x01, 0xc0};
	uint8_t buf[64];
	struct dmm_cursor c;
	struct capture cap;
	size_t n = with_exts(buf, exts, sizeof(exts));
	assert_int_equal(dmm_numbers_set("haaro-t1", 200), 0);
	struct dmm_out out = capture_out(&cap);
	mip4_dissect(buf, n, 0, &out);
	assert_int_equal(out.errors, 0);
	assert_int_equal(capture_count(&cap, "mip.haaro.rocap.a_flag"), 1);
	assert_true(capture_has(&cap, "mip.ext.type", "200"));
	assert_true(capture_has(&cap, "mip.extension", "01c0"));
	assert_string_equal(dmm_val_name(mip4_ext_type_vals, 200),
	                    "Mobile Router Route Optimization Capability");
	assert_int_equal(mip4_parse(buf, n, &msg, &c), 0);
	assert_non_null(mip4_find_ext(&msg, 200, HAARO_MRROCAP_SUBTYPE, 0));
	assert_int_equal(msg.exts[0].v.rocap.flags, 0xc0);

	/* reply codes follow too */
	assert_int_equal(dmm_numbers_set("haaro-concurrent", 5), 0);
	assert_string_equal(dmm_val_name(mip4_code_vals, 5), "Concurrent registration");
	assert_int_equal(dmm_numbers_set("haaro-concurrent", 2), 0);
	assert_string_equal(dmm_val_name(mip4_code_vals, 2), "Concurrent registration");
	assert_string_equal(dmm_val_name(mip4_code_vals, 201), "Expired Home Nonce Index");
}

static void test_registry(void **state)
{
	size_t n;
	const struct mip4_ext_ops *rows = mip4_ext_registry(&n);
	assert_true(n >= 13);
	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(mip4_ext_lookup(mip4_ext_number(&rows[i]), rows[i].subtype),
		                 &rows[i]);
	const struct mip4_type_ops *types = mip4_type_registry(&n);
	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(mip4_type_lookup(mip4_type_number(&types[i])), &types[i]);
	assert_int_equal(mip4_ext_format(DMM_DEFAULT_HAARO_T3), MIP4_FMT_LONG);
	assert_int_equal(mip4_ext_format(0), MIP4_FMT_PAD);
	assert_int_equal(mip4_ext_format(201), MIP4_FMT_TLV);
	assert_null(mip4_ext_lookup(MIP4_EXT_MOBNET, 3));
	assert_non_null(dmm_field_find("mip.haaro.pfx.realm"));
	assert_non_null(dmm_field_find("mip.ident.value"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_mr_ha_request_encode, reset),
	    cmocka_unit_test_setup(test_mr_ha_request_parse_round_trip, reset),
	    cmocka_unit_test_setup(test_mr_ha_request_dissect, reset),
	    cmocka_unit_test_setup(test_mcauth_vectors, reset),
	    cmocka_unit_test_setup(test_rr_messages, reset),
	    cmocka_unit_test_setup(test_prefix_advertisement, reset),
	    cmocka_unit_test_setup(test_revocation_messages, reset),
	    cmocka_unit_test_setup(test_reply_extensions, reset),
	    cmocka_unit_test_setup(test_extension_errors, reset),
	    cmocka_unit_test_setup(test_unknown_skippable_continues, reset),
	    cmocka_unit_test_setup(test_truncated_and_unknown_messages, reset),
	    cmocka_unit_test_setup(test_too_many_extensions, reset),
	    cmocka_unit_test_setup(test_encode_overrides, reset),
	    cmocka_unit_test_setup(test_tba_override, reset),
	    cmocka_unit_test_setup(test_registry, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
