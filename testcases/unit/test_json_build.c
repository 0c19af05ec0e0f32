/* Tests of the JSON frame rebuild (lib/json_build.c): RFC 6275 §6.1 MH, RFC 5944 MIPv4, layers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dissect.h"
#include "json_build.h"
#include "keys.h"
#include "mh.h"
#include "mip4.h"
#include "out.h"
#include "packet.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_SIZE 4096

static const uint8_t mac_a[6] = {2, 0, 0, 0, 0, 1}, mac_b[6] = {2, 0, 0, 0, 0, 2};
static const uint8_t v6_a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t v6_b[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
static const uint8_t v4_a[4] = {203, 0, 113, 7}, v4_b[4] = {198, 51, 100, 1};

struct built {
	int rc;
	int linktype;
	size_t len;
	uint8_t buf[BUF_SIZE];
	char err[256];
};

/* Build from JSON text into a buffer of cap octets (cap <= BUF_SIZE). */
static void build_capped(const char *text, size_t cap, struct built *out)
{
	struct json_object *pkt = json_tokener_parse(text);
	struct dmm_wbuf w;
	if (!pkt)
		fail_msg("test JSON does not parse: %s", text);
	memset(out, 0xee, sizeof(out->buf));
	wb_init(&w, out->buf, cap);
	out->linktype = -1;
	out->rc = dmm_json_build(pkt, &w, &out->linktype, out->err, sizeof(out->err));
	out->len = w.len;
	json_object_put(pkt);
}

static void build(const char *text, struct built *out)
{
	build_capped(text, BUF_SIZE, out);
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

#define ETH_V6 "\"eth\":{\"eth.dst\":\"02:00:00:00:00:02\",\"eth.src\":\"02:00:00:00:00:01\"},"
#define IPV6_AB "\"ipv6\":{\"ipv6.src\":\"2001:db8::1\",\"ipv6.dst\":\"2001:db8::2\"},"

/* Fields left out: Ethernet type, Next Header, lengths and checksum come from the layers. */
static void test_minimal_pbu_computed(void **state)
{
	struct built b;
	build("{" ETH_V6 IPV6_AB "\"mip6\":{\"mip6.mhtype\":5,\"mip6.bu\":{\"mip6.bu.seqnr\":7,"
	      "\"mip6.bu.a_flag\":1,\"mip6.bu.p_flag\":1,\"mip6.bu.lifetime\":100,"
	      "\"mip6.options\":{\"mip6.options.mnid\":{\"mip6.mobility_opt\":8,"
	      "\"mip6.mnid.subtype\":1,\"mip6.mnid.identifier\":\"mn1@example.com\"}}}}}",
	      &b);
	assert_int_equal(b.rc, 0);
	assert_string_equal(b.err, "");
	assert_int_equal(b.linktype, 1);
	assert_memory_equal(b.buf, mac_b, 6);
	assert_memory_equal(b.buf + 6, mac_a, 6);
	assert_int_equal(be16(b.buf + 12), PKT_ETHERTYPE_IPV6);
	const uint8_t *ip = b.buf + 14, *mh = ip + 40;
	assert_int_equal(ip[6], MH_NEXT_HEADER);
	assert_int_equal(ip[7], 64);
	size_t mh_len = b.len - 14 - 40;
	assert_int_equal(be16(ip + 4), mh_len);
	/* 6 + 6 + MN-ID (2 + 16) = 30, padded to 32 octets: Header Len 3 */
	assert_int_equal(mh_len, 32);
	assert_int_equal(mh[1], 3);
	assert_int_equal(mh_checksum(v6_a, v6_b, mh, mh_len), 0);
	struct mh_msg m;
	struct dmm_cursor c;
	assert_int_equal(mh_parse(mh, mh_len, &m, &c), 0);
	assert_int_equal(m.u.bu.seq, 7);
	assert_int_equal(m.u.bu.flags, MH_BU_A | MH_BU_P);
	const struct mh_opt *mnid = mh_find_opt(&m, MH_OPT_MNID, 0);
	assert_non_null(mnid);
	assert_int_equal(mnid->v.nai.idlen, 15);
	assert_memory_equal(mnid->v.nai.id, "mn1@example.com", 15);
}

/* Lengths and checksums given with other values than the computed ones are kept. */
static void test_json_values_kept(void **state)
{
	struct built b;
	build("{" ETH_V6 "\"ipv6\":{\"ipv6.src\":\"2001:db8::1\",\"ipv6.dst\":\"2001:db8::2\","
	      "\"ipv6.plen\":99,\"ipv6.hlim\":0,\"ipv6.flow\":\"0x012345\"},"
	      "\"mip6\":{\"mip6.mhtype\":6,\"mip6.hlen\":5,\"mip6.csum\":\"0x1234\","
	      "\"mip6.ba\":{\"mip6.ba.status\":180,\"mip6.options\":{\"mip6.options.hi\":{"
	      "\"mip6.mobility_opt\":23,\"mip6.mobility_opt.len\":7,\"mip6.hi\":1}}}}}",
	      &b);
	assert_int_equal(b.rc, 0);
	const uint8_t *ip = b.buf + 14, *mh = ip + 40;
	assert_int_equal(be16(ip + 4), 99);
	assert_int_equal(ip[7], 0);
	assert_int_equal((ip[1] & 15) << 16 | be16(ip + 2), 0x12345);
	assert_int_equal(mh[1], 5);
	assert_int_equal(be16(mh + 4), 0x1234);
	assert_int_equal(mh[6], 180);
	/* HI option after the 6-octet BA data: type 23, Length 7 as given, body 2 octets */
	assert_int_equal(mh[12], MH_OPT_HI);
	assert_int_equal(mh[13], 7);
	assert_int_equal(mh[15], 1);
}

/* A deliberately bad MH checksum rebuilds through the encoder's bad_csum override. */
static void test_bad_checksum_kept(void **state)
{
	struct built good, bad;
	const char *fmt = "{" ETH_V6 IPV6_AB "\"mip6\":{\"mip6.mhtype\":0%s,\"mip6.brr\":{"
	                  "\"mip6.brr.reserved\":\"0x0000\",\"mip6.options\":{}}}}";
	char text[512];
	snprintf(text, sizeof(text), fmt, "");
	build(text, &good);
	assert_int_equal(good.rc, 0);
	uint16_t sum = be16(good.buf + 14 + 40 + 4);
	char csum[64];
	snprintf(csum, sizeof(csum), ",\"mip6.csum\":\"0x%04x\"", (uint16_t)~sum);
	snprintf(text, sizeof(text), fmt, csum);
	build(text, &bad);
	assert_int_equal(bad.rc, 0);
	assert_int_equal(be16(bad.buf + 14 + 40 + 4), (uint16_t)~sum);
	assert_int_not_equal(mh_checksum(v6_a, v6_b, bad.buf + 54, bad.len - 54), 0);
}

/* dmm.order gives the emission order of repeated keys (PadN, MN-ID, PadN). */
static void test_dmm_order(void **state)
{
	struct built b;
	build("{" ETH_V6 IPV6_AB "\"mip6\":{\"mip6.mhtype\":5,\"mip6.bu\":{\"mip6.options\":{"
	      "\"mip6.options.padn\":[{\"mip6.mobility_opt\":1,\"mip6.padn\":\"0000\"},"
	      "{\"mip6.mobility_opt\":1,\"mip6.padn\":\"\"}],"
	      "\"mip6.options.pad1\":{\"mip6.mobility_opt\":0},"
	      "\"mip6.options.mnid\":{\"mip6.mobility_opt\":8,\"mip6.mnid.subtype\":1,"
	      "\"mip6.mnid.identifier\":\"a\\\\x00b\"},"
	      "\"dmm.order\":[\"mip6.options.padn\",\"mip6.options.mnid\",\"mip6.options.pad1\","
	      "\"mip6.options.padn\"]}}}}",
	      &b);
	assert_int_equal(b.rc, 0);
	const uint8_t *opt = b.buf + 14 + 40 + 12;
	static const uint8_t want[] = {1, 2, 0, 0, 8, 4, 1, 'a', 0, 'b', 0, 1, 0};
	assert_memory_equal(opt, want, sizeof(want));
}

/* dissector -> JSON -> rebuild gives the same octets and link type. */
static void assert_round_trip(const uint8_t *frame, size_t len, int dlt)
{
	struct dmm_json j;
	dmm_json_init(&j, stdout);
	struct dmm_out out = {&dmm_json_ops, &j, 0, DMM_OUT_ALL};
	struct dmm_frame fr = {1, dlt, 0, 0, (uint32_t)len, (uint32_t)len};
	dmm_json_begin_packet(&j, &fr);
	dmm_dissect_frame(&fr, frame, &out);
	struct json_object *pkt = dmm_json_take_packet(&j);
	dmm_json_free(&j);
	assert_non_null(pkt);

	uint8_t again[BUF_SIZE];
	struct dmm_wbuf w;
	char err[256];
	int linktype = -1;
	wb_init(&w, again, sizeof(again));
	int rc = dmm_json_build(pkt, &w, &linktype, err, sizeof(err));
	if (rc)
		fail_msg("rebuild failed: %s (%s)", err, json_object_to_json_string(pkt));
	json_object_put(pkt);
	assert_int_equal(linktype, dlt);
	assert_int_equal(w.len, len);
	assert_memory_equal(again, frame, len);
}

/* IPv4/UDP/MIPv4 Registration Request with extensions and a one-octet pad. */
static void test_dissector_round_trip(void **state)
{
	uint8_t msg_buf[256], frame[BUF_SIZE];
	struct dmm_wbuf w;
	struct mip4_msg *m = calloc(1, sizeof(*m));
	assert_non_null(m);
	m->type = MIP4_REG_REQUEST;
	m->u.req.flags = MIP4_F_D | MIP4_F_T;
	m->u.req.lifetime = 600;
	memcpy(m->u.req.coa, v4_a, 4);
	memcpy(m->u.req.ha, v4_b, 4);
	m->u.req.ident = 0xe1d2c3b400000001ull;
	struct mip4_ext *e = mip4_add_ext(m, MIP4_EXT_MOBNET, MIP4_MNE_REQUEST);
	e->v.mne.plen = 24;
	e->v.mne.prefix[0] = 10;
	mip4_add_ext(m, MIP4_EXT_PAD, 0);
	e = mip4_add_ext(m, MIP4_EXT_MNHA_AUTH, 0);
	static const uint8_t auth[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	e->v.auth.spi = 0x100;
	e->v.auth.auth = auth;
	e->v.auth.authlen = 16;
	wb_init(&w, msg_buf, sizeof(msg_buf));
	int n = mip4_encode(m, &w);
	free(m);
	assert_true(n > 0);
	struct pkt_ipv4_hdr ip = {.ttl = 17, .id = 0xbeef, .flags_frag = PKT_IPV4_DF};
	memcpy(ip.src, v4_a, 4);
	memcpy(ip.dst, v4_b, 4);
	wb_init(&w, frame, sizeof(frame));
	pkt_eth(&w, mac_b, mac_a, PKT_ETHERTYPE_IPV4);
	assert_true(pkt_udp4(&w, &ip, 434, 434, 0, msg_buf, (size_t)n) > 0);

	assert_round_trip(frame, w.len, 1);
}

/* Ethernet padding to 60 octets and a VLAN-tagged frame with a trailer; raw IPv6 links. */
static void test_link_round_trip(void **state)
{
	uint8_t frame[128];
	static const uint8_t two[2] = {'o', 'k'}, junk[4] = {1, 2, 3, 4};
	struct pkt_ipv4_hdr ip = {.id = 1};
	struct pkt_ipv6_hdr ip6 = {.next_header = PKT_PROTO_NONE, .flow_label = 0xabcde};
	struct dmm_wbuf w;
	memcpy(ip.src, v4_a, 4);
	memcpy(ip.dst, v4_b, 4);
	memcpy(ip6.src, v6_a, 16);
	memcpy(ip6.dst, v6_b, 16);

	wb_init(&w, frame, sizeof(frame));
	pkt_eth(&w, mac_b, mac_a, PKT_ETHERTYPE_IPV4);
	pkt_udp4(&w, &ip, 1000, 2000, 0, two, sizeof(two));
	wb_zero(&w, 60 - w.len);
	assert_round_trip(frame, w.len, 1);

	wb_init(&w, frame, sizeof(frame));
	pkt_eth(&w, mac_b, mac_a, PKT_ETHERTYPE_VLAN);
	wb_u16(&w, 0x2005); /* priority 1, VLAN 5 */
	wb_u16(&w, PKT_ETHERTYPE_IPV4);
	pkt_udp4(&w, &ip, 1000, 2000, PKT_UDP_NO_CSUM, two, sizeof(two));
	wb_bytes(&w, junk, sizeof(junk));
	assert_round_trip(frame, w.len, 1);

	wb_init(&w, frame, sizeof(frame));
	pkt_ipv6(&w, &ip6, two, sizeof(two));
	assert_round_trip(frame, w.len, 229);
	assert_round_trip(frame, w.len, 101);

	static const uint32_t af_inet6 = 10; /* DLT_NULL: host order */
	wb_init(&w, frame, sizeof(frame));
	wb_bytes(&w, &af_inet6, 4);
	pkt_ipv6(&w, &ip6, two, sizeof(two));
	assert_round_trip(frame, w.len, 0);

	wb_init(&w, frame, sizeof(frame)); /* Linux cooked v1, Ethernet source address */
	wb_u16(&w, 4);
	wb_u16(&w, 1);
	wb_u16(&w, 6);
	wb_bytes(&w, mac_a, 6);
	wb_zero(&w, 2);
	wb_u16(&w, PKT_ETHERTYPE_IPV6);
	pkt_ipv6(&w, &ip6, two, sizeof(two));
	assert_round_trip(frame, w.len, 113);

	wb_init(&w, frame, sizeof(frame)); /* Linux cooked v2 */
	wb_u16(&w, PKT_ETHERTYPE_IPV4);
	wb_u16(&w, 0);
	wb_u32(&w, 3);
	wb_u16(&w, 1);
	wb_u8(&w, 0);
	wb_u8(&w, 6);
	wb_bytes(&w, mac_b, 6);
	wb_zero(&w, 2);
	pkt_udp4(&w, &ip, 1000, 2000, 0, two, sizeof(two));
	assert_round_trip(frame, w.len, 276);
}

/* Authenticators left out are computed with the keys (the golden captures' MN-HA and RFC 4285
 * values, pcaps/expected/mip4_mr_ha.json and mh_auth.json packet 1); with no key: an error. */
/* clang-format off */
#define MIP4_RRQ(spi)                                                                              \
	"{\"eth\":{\"eth.dst\":\"02:00:00:00:00:01\",\"eth.src\":\"02:00:00:00:00:07\"},"          \
	"\"ip\":{\"ip.id\":\"0x0001\",\"ip.src\":\"203.0.113.7\",\"ip.dst\":\"198.51.100.1\"},"    \
	"\"udp\":{\"udp.srcport\":434,\"udp.dstport\":434},\"mip\":{\"mip.type\":1,"               \
	"\"mip.flags\":\"0x22\",\"mip.life\":600,\"mip.homeaddr\":\"192.0.2.1\","                  \
	"\"mip.haaddr\":\"198.51.100.1\",\"mip.coa\":\"203.0.113.7\","                             \
	"\"mip.ident.value\":\"0xe1d2c3b400000001\",\"mip.ext\":[{\"mip.ext.type\":148,"           \
	"\"mip.ext.mne.subtype\":0,\"mip.ext.mne.prefix_length\":24,"                              \
	"\"mip.ext.mne.prefix\":\"10.1.1.0\"},{\"mip.ext.type\":153,"                              \
	"\"mip.haaro.rocap.subtype\":1,\"mip.haaro.rocap.a_flag\":1,\"mip.haaro.rocap.r_flag\":1}," \
	"{\"mip.ext.type\":144,\"mip.ext.utrq.subtype\":0,\"mip.ext.utrq.f\":1,"                   \
	"\"mip.ext.utrq.encaptype\":4},{\"mip.ext.type\":32,\"mip.auth.spi\":\"" spi "\"}]}}"
#define PBU_AUTH(spi)                                                                              \
	"{" ETH_V6 IPV6_AB "\"mip6\":{\"mip6.mhtype\":5,\"mip6.bu\":{\"mip6.bu.seqnr\":2000,"      \
	"\"mip6.bu.a_flag\":1,\"mip6.bu.p_flag\":1,\"mip6.bu.lifetime\":150,\"mip6.options\":{"    \
	"\"mip6.options.mnid\":{\"mip6.mobility_opt\":8,\"mip6.mnid.subtype\":1,"                  \
	"\"mip6.mnid.identifier\":\"mn1@example.com\"},\"mip6.options.padn\":[{"                   \
	"\"mip6.mobility_opt\":1,\"mip6.padn\":\"00000000\"},{\"mip6.mobility_opt\":1,"            \
	"\"mip6.padn\":\"0000\"}],\"mip6.options.hnp\":{\"mip6.mobility_opt\":22},"                \
	"\"mip6.options.hi\":{\"mip6.mobility_opt\":23,\"mip6.hi\":1},"                            \
	"\"mip6.options.att\":{\"mip6.mobility_opt\":24,\"mip6.att\":4},"                          \
	"\"mip6.options.pad1\":{\"mip6.mobility_opt\":0},\"mip6.options.auth\":{"                  \
	"\"mip6.mobility_opt\":9,\"mip6.auth.subtype\":1,\"mip6.auth.mobility_spi\":" spi "},"     \
	"\"dmm.order\":[\"mip6.options.mnid\",\"mip6.options.padn\",\"mip6.options.hnp\","         \
	"\"mip6.options.hi\",\"mip6.options.att\",\"mip6.options.pad1\",\"mip6.options.auth\","    \
	"\"mip6.options.padn\"]}}}}"
/* clang-format on */

static void test_authenticators_computed(void **state)
{
	static const uint8_t mnha[16] = {0xd6, 0x2a, 0x82, 0x5b, 0x76, 0x66, 0x7f, 0x11,
	                                 0x39, 0x1e, 0x10, 0x7b, 0x0e, 0x0a, 0xdd, 0x86};
	static const uint8_t rfc4285[12] = {0xe7, 0xc4, 0x44, 0xd7, 0x08, 0x4d,
	                                    0xad, 0xbb, 0x51, 0x58, 0x44, 0x60};
	struct built b;
	build(MIP4_RRQ("0x00000999"), &b);
	assert_int_equal(b.rc, -1);
	assert_non_null(strstr(b.err, "no key"));
	build(PBU_AUTH("2457"), &b);
	assert_int_equal(b.rc, -1);
	assert_non_null(strstr(b.err, "authenticator key missing"));

	assert_int_equal(dmm_keys_add_mnha("0x100:1234567812345678"), 0);
	assert_int_equal(dmm_keys_add_mh_auth("0x100:1234567812345678"), 0);
	build(MIP4_RRQ("0x00000100"), &b);
	assert_int_equal(b.rc, 0);
	assert_int_equal(b.len, 108);
	assert_memory_equal(b.buf + b.len - 16, mnha, 16);
	assert_int_equal(be16(b.buf + 14 + 10), 0x1452); /* IPv4 and UDP checksums as captured */
	assert_int_equal(be16(b.buf + 14 + 20 + 6), 0xd64d);

	build(PBU_AUTH("256"), &b);
	assert_int_equal(b.rc, 0);
	const uint8_t *mh = b.buf + 54;
	size_t mh_len = b.len - 54;
	assert_int_equal(mh_len, 88);
	assert_int_equal(be16(mh + 4), 0x5f96);
	assert_int_equal(mh_checksum(v6_a, v6_b, mh, mh_len), 0);
	assert_memory_equal(mh + 88 - 4 - 12, rfc4285, 12); /* before the final PadN */
}

/* Bad input: -1, a message naming the problem, nothing left in the buffer. */
static const struct {
	const char *json;
	const char *error; /* substring of the message */
} bad_inputs[] = {
    {"[]", "packet: expected an object"},
    {"{}", "packet: no layers"},
    {"{\"frame\":{\"frame.number\":1}}", "packet: no layers"},
    {"{\"udp\":{\"udp.srcport\":1,\"udp.dstport\":2}}", "udp cannot start a frame"},
    {"{\"frob\":{}}", "frob cannot start a frame"},
    {"{\"eth\":{\"eth.src\":\"02:00:00:00:00:01\"}}", "eth: missing field eth.dst"},
    {"{\"eth\":{\"eth.src\":\"02:00\",\"eth.dst\":\"02:00:00:00:00:01\"}}",
     "eth.src: not a MAC address"},
    {"{\"eth\":\"x\"}", "eth: expected an object"},
    {"{\"ip\":{\"ip.src\":\"1.2.3.4\",\"ip.dst\":\"5.6.7.8\",\"ip.ttl\":\"64\"}}",
     "ip.ttl: expected an integer"},
    {"{\"ip\":{\"ip.src\":\"1.2.3.4\",\"ip.dst\":\"5.6.7.8\",\"ip.ttl\":300}}",
     "ip.ttl: value 300 out of range (0-255)"},
    {"{\"ip\":{\"ip.src\":\"1.2.3.4\",\"ip.dst\":\"5.6.7.8\",\"ip.ttl\":-1}}",
     "ip.ttl: negative value"},
    {"{\"ip\":{\"ip.src\":\"1.2.3.4\",\"ip.dst\":\"5.6.7.8\",\"ip.id\":\"0x1zz\"}}",
     "ip.id: expected 0x-prefixed hex"},
    {"{\"ip\":{\"ip.src\":\"1.2.3.4\",\"ip.dst\":\"5.6.7.8\",\"ip.id\":7}}",
     "ip.id: expected a string"},
    {"{\"ip\":{\"ip.src\":\"1.2.3.4\",\"ip.dst\":\"5.6.7.8\",\"ip.id\":\"0x10000\"}}",
     "ip.id: value 65536 out of range (0-65535)"},
    {"{\"ip\":{\"ip.src\":\"1.2.3\",\"ip.dst\":\"5.6.7.8\"}}", "ip.src: not an IPv4 address"},
    {"{\"ip\":{\"ip.src\":\"1.2.3.4\",\"ip.dst\":\"5.6.7.8\",\"ip.flags.df\":2}}",
     "ip.flags.df: expected 0 or 1"},
    {"{\"ip\":{\"ip.src\":\"1.2.3.4\",\"ip.dst\":\"5.6.7.8\",\"ip.bogus\":2}}",
     "unknown field ip.bogus"},
    {"{\"ip\":{\"ip.src\":\"1.2.3.4\",\"ip.dst\":\"5.6.7.8\",\"ipv6.hlim\":2}}",
     "ip: unexpected field ipv6.hlim"},
    {"{\"ip\":{\"ip.src\":\"1.2.3.4\",\"ip.dst\":\"5.6.7.8\"},\"frob\":{}}", "unknown layer frob"},
    {"{\"raw\":{},\"udp\":{\"udp.srcport\":1,\"udp.dstport\":2}}", "udp: not inside an IP layer"},
    {"{" IPV6_AB "\"mip6\":{\"mip6.csum\":\"0x0000\"}}", "mip6: missing field mip6.mhtype"},
    {"{" IPV6_AB "\"mip6\":{\"mip6.mhtype\":5,\"mip6.bu\":{}},\"data\":{\"data.data\":\"00\"}}",
     "mip6: unexpected data after it"},
    {"{" IPV6_AB "\"mip6\":{\"mip6.mhtype\":5,\"mip6.bu\":{\"mip6.options\":{"
     "\"mip6.options.bogus\":{\"mip6.mobility_opt\":3}}}}}",
     "unknown option subtree mip6.options.bogus"},
    {"{" IPV6_AB "\"mip6\":{\"mip6.mhtype\":5,\"mip6.bu\":{\"mip6.options\":{"
     "\"mip6.options.hi\":{\"mip6.hi\":1}}}}}",
     "mip6.options.hi: missing field mip6.mobility_opt"},
    {"{" IPV6_AB "\"mip6\":{\"mip6.mhtype\":5,\"mip6.bu\":{\"mip6.options\":{"
     "\"mip6.options.hi\":{\"mip6.mobility_opt\":256}}}}}",
     "mip6.mobility_opt: value 256 out of range (0-255)"},
    {"{" IPV6_AB "\"mip6\":{\"mip6.mhtype\":5,\"mip6.bu\":{\"mip6.options\":{"
     "\"mip6.options.mnid\":{\"mip6.mobility_opt\":8,\"mip6.mnid.identifier\":\"a\\\\x4\"}}}}}",
     "mip6.mnid.identifier: bad escape"},
    {"{" IPV6_AB "\"mip6\":{\"mip6.mhtype\":5,\"mip6.bu\":{\"mip6.options\":{"
     "\"mip6.options.hnp\":{\"mip6.mobility_opt\":22,\"mip6.nemo.mnp.mnp\":\"1.2.3.4\"}}}}}",
     "mip6.nemo.mnp.mnp: not an IPv6 address"},
    {"{" IPV6_AB "\"mip6\":{\"mip6.mhtype\":6,\"mip6.bu\":{}}}",
     "mip6: mip6.bu does not match mip6.mhtype 6"},
    {"{" IPV6_AB "\"mip6\":{\"mip6.mhtype\":5,\"mip6.frob\":{}}}",
     "mip6: unexpected subtree mip6.frob"},
    {"{" IPV6_AB "\"data\":{\"data.data\":\"123\"}}", "data.data: odd number of hex digits"},
    {"{\"ipv6\":{\"ipv6.src\":\"::1\",\"ipv6.dst\":\"::2\",\"ipv6.nxt\":60,\"ipv6.frob\":{}}}",
     "ipv6: unknown extension header ipv6.frob"},
    {"{\"ipv6\":{\"ipv6.src\":\"::1\",\"ipv6.dst\":\"::2\",\"ipv6.dstopts\":{}}}",
     "ipv6: ipv6.nxt missing before ipv6.dstopts"},
    {"{" IPV6_AB "\"data\":{\"data.data\":\"zz\"}}", "data.data: not a hex string"},
    {"{" IPV6_AB "\"data\":{\"data.len\":3}}", "data: missing field data.data"},
    {"{" IPV6_AB "\"data\":{\"data.data\":\"00\",\"dmm.order\":3}}",
     "data: dmm.order is not an array"},
    {"{" IPV6_AB "\"data\":{\"data.data\":\"00\",\"dmm.order\":[\"data.len\"]}}",
     "data: dmm.order names a missing field data.len"},
    {"{" IPV6_AB "\"data\":{\"data.data\":\"00\",\"data.len\":1,\"dmm.order\":[\"data.len\"]}}",
     "data: dmm.order does not list every field"},
    {"{" IPV6_AB "\"data\":{\"data.data\":\"00\",\"dmm.order\":[\"data.data\",\"data.data\"]}}",
     "data: dmm.order lists data.data too often"},
    {"{\"ip\":{\"ip.src\":\"1.2.3.4\",\"ip.dst\":\"5.6.7.8\"},\"udp\":{\"udp.srcport\":434,"
     "\"udp.dstport\":434},\"mip\":{\"mip.life\":3,\"mip.type\":1}}",
     "mip: mip.type missing or not first"},
    {"{\"ip\":{\"ip.src\":\"1.2.3.4\",\"ip.dst\":\"5.6.7.8\"},\"udp\":{\"udp.srcport\":434,"
     "\"udp.dstport\":434},\"mip\":{\"mip.type\":1,\"mip.ext\":{\"mip.ext.len\":2}}}",
     "mip.ext: missing field mip.ext.type"},
    {"{\"ip\":{\"ip.src\":\"1.2.3.4\",\"ip.dst\":\"5.6.7.8\"},\"udp\":{\"udp.srcport\":434,"
     "\"udp.dstport\":434},\"mip\":{\"mip.type\":1,\"mip.code\":3}}",
     "mip: unexpected field mip.code"},
    {"{\"ip\":{\"ip.src\":\"1.2.3.4\",\"ip.dst\":\"5.6.7.8\"},\"udp\":{\"udp.srcport\":434,"
     "\"udp.dstport\":434},\"mip\":{\"mip.type\":3,\"mip.ext\":{\"mip.ext.type\":50,"
     "\"mip.haaro.pfx.subtype\":1,\"mip.haaro.pfx.structure\":{\"mip.haaro.pfx.m_flag\":0,"
     "\"mip.haaro.pfx.plen\":40}}}}",
     "mip.haaro.pfx: structures not encodable"},
    {"{\"ip\":{\"ip.src\":\"1.2.3.4\",\"ip.dst\":\"5.6.7.8\"},\"udp\":{\"udp.srcport\":434,"
     "\"udp.dstport\":434},\"mip\":{\"mip.type\":3,\"mip.ext\":{\"mip.ext.type\":49,"
     "\"mip.haaro.ror.subtype\":9}}}",
     "mip.ext type 49 sub-type 9: no registry row"},
    {"{\"ip\":{\"ip.src\":\"1.2.3.4\",\"ip.dst\":\"5.6.7.8\"},\"udp\":{\"udp.srcport\":434,"
     "\"udp.dstport\":434},\"mip\":{\"mip.type\":1,\"mip.ext\":{\"mip.ext.type\":49,"
     "\"mip.haaro.ror.subtype\":1,\"mip.haaro.ror.code\":32}}}",
     "mip.haaro.ror.code: value 32 out of range (0-31)"},
    {"{\"ip\":{\"ip.src\":\"1.2.3.4\",\"ip.dst\":\"5.6.7.8\",\"ip.options\":\"0102\"}}",
     "ip: options not a multiple of 4 octets"},
    {"{\"ip\":{\"ip.src\":\"1.2.3.4\",\"ip.dst\":\"5.6.7.8\",\"ip.hdr_len\":20,"
     "\"ip.options\":\"01010101\"}}",
     "ip.hdr_len 20 disagrees with ip.options"},
    {"{\"ip\":{\"ip.src\":\"1.2.3.4\",\"ip.dst\":\"5.6.7.8\"},\"minenc\":{"
     "\"minenc.dst\":\"1.2.3.4\",\"minenc.s_flag\":1}}",
     "minenc: s_flag disagrees with minenc.src"},
};

static void test_bad_inputs(void **state)
{
	for (size_t i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
		struct built b;
		build(bad_inputs[i].json, &b);
		if (b.rc != -1 || !strstr(b.err, bad_inputs[i].error))
			fail_msg("input %zu: rc %d, error \"%s\", want \"%s\"", i, b.rc, b.err,
			         bad_inputs[i].error);
		assert_int_equal(b.len, 0);
	}
}

/* A NULL packet, an output buffer too small, nesting beyond the limit. */
static void test_limits(void **state)
{
	uint8_t buf[16];
	struct dmm_wbuf w;
	char err[128];
	int linktype;
	wb_init(&w, buf, sizeof(buf));
	assert_int_equal(dmm_json_build(NULL, &w, &linktype, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no JSON object"));
	/* err may be NULL: still -1, no crash */
	assert_int_equal(dmm_json_build(NULL, &w, &linktype, NULL, 0), -1);

	struct built b;
	build_capped("{" ETH_V6 IPV6_AB "\"data\":{\"data.data\":\"00112233\"}}", 40, &b);
	assert_int_equal(b.rc, -1);
	assert_non_null(strstr(b.err, "frame"));
	assert_int_equal(b.len, 0);

	char deep[8192];
	size_t n = (size_t)snprintf(deep, sizeof(deep), "{\"raw\":{},\"ipv6\":[");
	for (int i = 0; i < 30; i++)
		n +=
		    (size_t)snprintf(deep + n, sizeof(deep) - n,
		                     "%s{\"ipv6.src\":\"::1\",\"ipv6.dst\":\"::2\"}", i ? "," : "");
	snprintf(deep + n, sizeof(deep) - n, "]}");
	build(deep, &b);
	assert_int_equal(b.rc, -1);
	assert_non_null(strstr(b.err, "nested layers"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_minimal_pbu_computed),
	    cmocka_unit_test(test_json_values_kept),
	    cmocka_unit_test(test_bad_checksum_kept),
	    cmocka_unit_test(test_dmm_order),
	    cmocka_unit_test(test_dissector_round_trip),
	    cmocka_unit_test(test_link_round_trip),
	    cmocka_unit_test(test_authenticators_computed),
	    cmocka_unit_test(test_bad_inputs),
	    cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
