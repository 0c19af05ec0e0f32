/* Tests of the IP/tunnel dissector and builders (RFC 8200, 6275 §6.1.1, 2003, 2004, 2890, 5844). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dissect.h"
#include "field.h"
#include "inet.h"
#include "mh.h"
#include "packet.h"

#include "capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------- capturing dmm_out */

/* The last dissection's capture (capture.h). */
static struct capture captured;
static struct dmm_out cap_out;

/* Every node of a capture is labelled (DMM_OUT_ALL) and no close comes without an open. */
static int capture_clean(void **state)
{
	return captured.unlabeled || captured.unbalanced ? -1 : 0;
}

/* A fresh capture, after checking the previous one. */
static struct dmm_out *capture_reset(void)
{
	assert_int_equal(captured.unlabeled, 0);
	assert_int_equal(captured.unbalanced, 0);
	cap_out = capture_out(&captured);
	return &cap_out;
}

#define value_of(abbrev, nth) capture_value_of(&captured, abbrev, nth)
#define count_nodes(abbrev) capture_count_nodes(&captured, abbrev)
#define count_errors(prefix) capture_count_errors(&captured, prefix)
#define top_nodes() capture_top_nodes(&captured)

#define assert_value(abbrev, expected) assert_value_nth(abbrev, 0, expected)
#define assert_value_nth(abbrev, nth, expected)                                                    \
	do {                                                                                       \
		const char *got_ = value_of(abbrev, nth);                                          \
		if (!got_)                                                                         \
			fail_msg("%s[%u] missing", abbrev, (unsigned)(nth));                       \
		assert_string_equal(got_, expected);                                               \
	} while (0)

/* ----------------------------------------------------------- fixtures */

static const uint8_t mac_a[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
static const uint8_t mac_b[6] = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
static const uint8_t v4_a[4] = {10, 0, 0, 1}, v4_b[4] = {10, 0, 0, 2};
static const uint8_t v4_c[4] = {192, 0, 2, 1}, v4_d[4] = {198, 51, 100, 1};
static const uint8_t v6_a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t v6_b[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
static const uint8_t v6_hoa[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 5, [15] = 5};

static struct pkt_ipv4_hdr ipv4_hdr(const uint8_t *src, const uint8_t *dst, uint8_t proto)
{
	struct pkt_ipv4_hdr h = {.protocol = proto, .id = 0x1234};
	memcpy(h.src, src, 4);
	memcpy(h.dst, dst, 4);
	return h;
}

static struct pkt_ipv6_hdr ipv6_hdr(const uint8_t *src, const uint8_t *dst, uint8_t nh)
{
	struct pkt_ipv6_hdr h = {.next_header = nh};
	memcpy(h.src, src, 16);
	memcpy(h.dst, dst, 16);
	return h;
}

static int encode_bu(struct dmm_wbuf *w, const uint8_t *src, const uint8_t *dst, int no_csum)
{
	struct mh_msg m;
	memset(&m, 0, sizeof(m));
	m.type = MH_BU;
	m.u.bu.seq = 7;
	m.u.bu.flags = MH_BU_A | MH_BU_P;
	m.u.bu.lifetime = 100;
	m.enc.no_csum = (uint8_t)no_csum;
	return mh_encode(&m, src, dst, w);
}

static void dissect_frame_buf(int linktype, const uint8_t *p, size_t len)
{
	struct dmm_frame fr = {.number = 1,
	                       .linktype = linktype,
	                       .ts_sec = 1700000000,
	                       .ts_nsec = 5,
	                       .caplen = (uint32_t)len,
	                       .wirelen = (uint32_t)len};
	dmm_dissect_frame(&fr, p, capture_reset());
	assert_int_equal(captured.depth, 0);
}

/* Build Ethernet / IPv4 / GRE(key, seq, checksum) / IPv6 / IPv6 (no next header). */
static size_t build_gre_nested(uint8_t *buf, size_t cap)
{
	struct dmm_wbuf w;
	struct pkt_mark ip4, gre, outer6;
	wb_init(&w, buf, cap);
	pkt_eth(&w, mac_b, mac_a, PKT_ETHERTYPE_IPV4);
	struct pkt_ipv4_hdr h4 = ipv4_hdr(v4_a, v4_b, PKT_PROTO_GRE);
	struct pkt_gre_hdr g = {.protocol = PKT_ETHERTYPE_IPV6,
	                        .has_checksum = 1,
	                        .has_key = 1,
	                        .has_sequence = 1,
	                        .key = 0x01020304,
	                        .sequence = 5};
	struct pkt_ipv6_hdr o6 = ipv6_hdr(v6_a, v6_b, PKT_PROTO_IPV6);
	struct pkt_ipv6_hdr i6 = ipv6_hdr(v6_hoa, v6_b, PKT_PROTO_NONE);
	pkt_ipv4_begin(&w, &h4, &ip4);
	pkt_gre_begin(&w, &g, &gre);
	pkt_ipv6_begin(&w, &o6, &outer6);
	assert_int_equal(pkt_ipv6(&w, &i6, NULL, 0), 40);
	pkt_ipv6_end(&w, &outer6);
	pkt_gre_end(&w, &gre);
	assert_true(pkt_ipv4_end(&w, &ip4) > 0);
	assert_false(w.err);
	return w.len;
}

/* -------------------------------------------------------------- tests */

static void test_ipv6_hao_mh(void **state)
{
	uint8_t buf[256];
	struct dmm_wbuf w;
	struct pkt_mark ip;
	wb_init(&w, buf, sizeof(buf));
	pkt_eth(&w, mac_b, mac_a, PKT_ETHERTYPE_IPV6);
	struct pkt_ipv6_hdr h = ipv6_hdr(v6_a, v6_b, PKT_PROTO_MH);
	h.home_address = v6_hoa;
	h.traffic_class = 0xb8;
	h.flow_label = 0x12345;
	assert_int_equal(pkt_ipv6_begin(&w, &h, &ip), 40 + 24);
	/* RFC 6275 §6.1.1: the home address stands in for the source. */
	assert_true(encode_bu(&w, v6_hoa, v6_b, 0) > 0);
	pkt_ipv6_end(&w, &ip);
	assert_false(w.err);

	dissect_frame_buf(1, buf, w.len);
	assert_value("frame.protocols", "eth:ethertype:ipv6:ipv6.dstopts:mipv6");
	assert_value("frame.time_epoch", "1700000000.000000005");
	assert_value("frame.number", "1");
	assert_value("eth.dst", "66:77:88:99:aa:bb");
	assert_value("eth.src", "00:11:22:33:44:55");
	assert_value("eth.type", "0x86dd");
	assert_value("ipv6.version", "6");
	assert_value("ipv6.tclass", "0x000000b8");
	assert_value("ipv6.flow", "0x012345");
	assert_value("ipv6.plen", "40");
	assert_value("ipv6.nxt", "60");
	assert_value("ipv6.hlim", "64");
	assert_value("ipv6.src", "2001:db8::1");
	assert_value("ipv6.dst", "2001:db8::2");
	assert_value("ipv6.dstopts.nxt", "135");
	assert_value("ipv6.dstopts.len", "2");
	assert_value_nth("ipv6.opt.type", 1, "0xc9");
	assert_value("ipv6.opt.mipv6.home_address", "2001:db8:5::5");
	assert_string_equal(top_nodes(), "frame:eth:ipv6:mip6");
	assert_value("mip6.csum.status", "good");
	assert_int_equal(cap_out.errors, 0);

	/* Without the HAO's address the checksum would not verify. */
	wb_init(&w, buf, sizeof(buf));
	h.home_address = NULL;
	pkt_ipv6_begin(&w, &h, &ip);
	encode_bu(&w, v6_hoa, v6_b, 0);
	pkt_ipv6_end(&w, &ip);
	dissect_frame_buf(229, buf, w.len);
	assert_value("frame.protocols", "ipv6:mipv6");
	assert_int_equal(count_errors("bad checksum"), 1);
}

static void test_ipv4_header(void **state)
{
	static const uint8_t options[4] = {0x94, 0x04, 0, 0}; /* Router Alert */
	uint8_t buf[128], payload[3] = {1, 2, 3};
	struct dmm_wbuf w;
	wb_init(&w, buf, sizeof(buf));
	struct pkt_ipv4_hdr h = ipv4_hdr(v4_a, v4_b, 253);
	h.tos = 0x10;
	h.ttl = 17;
	h.flags_frag = PKT_IPV4_DF;
	h.options = options;
	h.options_len = 4;
	assert_int_equal(pkt_ipv4(&w, &h, payload, sizeof(payload)), 27);
	assert_int_equal(inet_fold(inet_sum(buf, 24, 0)), 0); /* header checksum */

	dissect_frame_buf(101, buf, w.len);
	assert_value("frame.protocols", "raw:ip:data");
	assert_value("ip.version", "4");
	assert_value("ip.hdr_len", "24");
	assert_value("ip.dsfield", "0x10");
	assert_value("ip.len", "27");
	assert_value("ip.id", "0x1234");
	assert_value("ip.flags", "0x02");
	assert_value("ip.flags.df", "1");
	assert_value("ip.frag_offset", "0");
	assert_value("ip.ttl", "17");
	assert_value("ip.proto", "253");
	char csum[8];
	snprintf(csum, sizeof(csum), "0x%02x%02x", buf[10], buf[11]);
	assert_value("ip.checksum", csum);
	assert_value("ip.src", "10.0.0.1");
	assert_value("ip.dst", "10.0.0.2");
	assert_value("ip.options", "94040000");
	assert_value("data.data", "010203");
	assert_int_equal(cap_out.errors, 0);

	/* Non-first fragment: payload not dissected further. */
	wb_init(&w, buf, sizeof(buf));
	h = ipv4_hdr(v4_a, v4_b, PKT_PROTO_UDP);
	h.flags_frag = 100;
	pkt_ipv4(&w, &h, payload, sizeof(payload));
	dissect_frame_buf(228, buf, w.len);
	assert_value("frame.protocols", "ip:data");
	assert_value("ip.frag_offset", "100");

	/* Options not a multiple of 4 cannot be built. */
	h.options_len = 3;
	h.options = options;
	assert_int_equal(pkt_ipv4(&w, &h, payload, 1), -1);
}

static void test_udp_checksums(void **state)
{
	uint8_t buf[256], payload[5] = "hello";
	struct dmm_wbuf w;
	wb_init(&w, buf, sizeof(buf));
	struct pkt_ipv4_hdr h4 = ipv4_hdr(v4_a, v4_b, 0);
	assert_int_equal(pkt_udp4(&w, &h4, 1234, 5678, 0, payload, 5), 33);
	uint32_t sum = inet_sum(buf + 12, 8, 0) + 17 + 13;
	assert_int_equal(inet_fold(inet_sum(buf + 20, 13, sum)), 0);
	dissect_frame_buf(12, buf, w.len);
	assert_value("frame.protocols", "raw:ip:udp:data");
	assert_value("udp.srcport", "1234");
	assert_value("udp.dstport", "5678");
	assert_value("udp.length", "13");
	assert_value("ip.proto", "17");
	assert_value("data.data", "68656c6c6f");

	wb_init(&w, buf, sizeof(buf));
	pkt_udp4(&w, &h4, 1234, 5678, PKT_UDP_NO_CSUM, payload, 5);
	assert_int_equal(buf[26] | buf[27], 0);
	dissect_frame_buf(14, buf, w.len);
	assert_value("udp.checksum", "0x0000");

	/* IPv6 with a Home Address option: the home address is the checksum source. */
	wb_init(&w, buf, sizeof(buf));
	struct pkt_ipv6_hdr h6 = ipv6_hdr(v6_a, v6_b, 0);
	h6.home_address = v6_hoa;
	assert_int_equal(pkt_udp6(&w, &h6, 7, 9, payload, 5), 40 + 24 + 13);
	sum = inet_sum(v6_hoa, 16, inet_sum(v6_b, 16, 0)) + 17 + 13;
	assert_int_equal(inet_fold(inet_sum(buf + 64, 13, sum)), 0);
	dissect_frame_buf(229, buf, w.len);
	assert_value("frame.protocols", "ipv6:ipv6.dstopts:udp:data");
	assert_value("ipv6.nxt", "60");
	assert_value("ipv6.dstopts.nxt", "17");
	assert_int_equal(cap_out.errors, 0);
}

static void test_gre_nested(void **state)
{
	uint8_t buf[256];
	size_t len = build_gre_nested(buf, sizeof(buf));
	assert_int_equal(len, 14 + 20 + 16 + 80);
	dissect_frame_buf(1, buf, len);
	assert_string_equal(top_nodes(), "frame:eth:ip:gre:ipv6:ipv6");
	assert_value("frame.protocols", "eth:ethertype:ip:gre:ipv6:ipv6");
	assert_value("ip.proto", "47");
	assert_value("gre.flags_and_version", "0xb000");
	assert_value("gre.flags.checksum", "1");
	assert_value("gre.flags.key", "1");
	assert_value("gre.flags.sequence_number", "1");
	assert_value("gre.proto", "0x86dd");
	assert_value("gre.key", "0x01020304");
	assert_value("gre.sequence_number", "5");
	assert_value_nth("ipv6.nxt", 0, "41");
	assert_value_nth("ipv6.src", 1, "2001:db8:5::5");
	assert_value_nth("ipv6.nxt", 1, "59");
	assert_value_nth("ipv6.plen", 0, "40");
	assert_int_equal(cap_out.errors, 0);

	/* A corrupted GRE payload octet breaks the GRE checksum. */
	buf[len - 1] ^= 1;
	dissect_frame_buf(1, buf, len);
	assert_int_equal(count_errors("bad checksum"), 1);
}

/* n tunnels: n+1 IPv6 headers, each but the last carrying the next (RFC 2473). */
static size_t build_ipv6_tunnels(uint8_t *buf, size_t cap, unsigned tunnels)
{
	struct dmm_wbuf w;
	struct pkt_mark marks[16];
	wb_init(&w, buf, cap);
	for (unsigned i = 0; i <= tunnels; i++) {
		struct pkt_ipv6_hdr h =
		    ipv6_hdr(v6_a, v6_b, i == tunnels ? PKT_PROTO_NONE : PKT_PROTO_IPV6);
		pkt_ipv6_begin(&w, &h, &marks[i]);
	}
	wb_u32(&w, 0xdeadbeef);
	for (unsigned i = tunnels + 1; i-- > 0;)
		pkt_ipv6_end(&w, &marks[i]);
	assert_false(w.err);
	return w.len;
}

static void test_depth_limit(void **state)
{
	uint8_t buf[1024];
	size_t len = build_ipv6_tunnels(buf, sizeof(buf), 8);
	dmm_dissect_ip(buf, len, 0, capture_reset());
	assert_int_equal(count_nodes("ipv6"), 9);
	assert_int_equal(cap_out.errors, 0);
	assert_value("data.data", "deadbeef");

	len = build_ipv6_tunnels(buf, sizeof(buf), 9);
	dmm_dissect_ip(buf, len, 0, capture_reset());
	assert_int_equal(count_nodes("ipv6"), 9);
	assert_int_equal(count_errors("invalid: tunnel nesting deeper than 8"), 1);
	assert_int_equal(cap_out.errors, 1);
	assert_int_equal(strlen(value_of("data.data", 0)), 2 * (40 + 4));
	assert_int_equal(captured.depth, 0);

	/* The same limit through the frame entry point. */
	dissect_frame_buf(229, buf, len);
	assert_int_equal(count_errors("invalid: tunnel nesting deeper than 8"), 1);
	assert_string_equal(value_of("frame.protocols", 0),
	                    "ipv6:ipv6:ipv6:ipv6:ipv6:ipv6:ipv6:ipv6:ipv6:data");
}

/* Dissect every prefix of a frame from an exact-size heap copy (so that a
 * sanitizer sees any over-read); each must report "truncated". */
static void check_every_truncation(int linktype, const uint8_t *buf, size_t len, int strict)
{
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		assert_non_null(copy);
		memcpy(copy, buf, cut);
		dissect_frame_buf(linktype, copy, cut);
		if (count_errors("truncated") == 0)
			fail_msg("cut at %zu of %zu: no truncated error", cut, len);
		if (strict && (unsigned)cap_out.errors != count_errors("truncated"))
			fail_msg("cut at %zu of %zu: other errors", cut, len);
		free(copy);
	}
}

static void test_truncation_everywhere(void **state)
{
	uint8_t buf[512];
	size_t len = build_gre_nested(buf, sizeof(buf));
	check_every_truncation(1, buf, len, 1);

	/* IPv6 / Hop-by-Hop / Destination Options (HAO) / MH. */
	struct dmm_wbuf w;
	struct pkt_mark ip;
	wb_init(&w, buf, sizeof(buf));
	struct pkt_ipv6_hdr h = ipv6_hdr(v6_a, v6_b, PKT_PROTO_MH);
	h.home_address = v6_hoa;
	pkt_ipv6_begin(&w, &h, &ip);
	encode_bu(&w, v6_hoa, v6_b, 0);
	pkt_ipv6_end(&w, &ip);
	check_every_truncation(229, buf, w.len, 0);

	/* IPv4 / minimal encapsulation / UDP 434. */
	wb_init(&w, buf, sizeof(buf));
	struct pkt_ipv4_hdr h4 = ipv4_hdr(v4_a, v4_b, PKT_PROTO_MINENC);
	struct pkt_mark ip4, udp;
	pkt_ipv4_begin(&w, &h4, &ip4);
	pkt_minenc(&w, PKT_PROTO_UDP, v4_c, v4_d);
	pkt_udp_begin(&w, &ip4, 434, 434, PKT_UDP_NO_CSUM, &udp);
	wb_u32(&w, 0x01000000);
	pkt_udp_end(&w, &udp);
	pkt_ipv4_end(&w, &ip4);
	check_every_truncation(101, buf, w.len, 0);

	/* Truncation that a link layer reports, then random garbage never crashes. */
	uint8_t garbage[300];
	srand(7);
	for (unsigned round = 0; round < 2000; round++) {
		size_t n = (size_t)rand() % sizeof(garbage);
		for (size_t i = 0; i < n; i++)
			garbage[i] = (uint8_t)rand();
		if (n > 0)
			garbage[0] = (uint8_t)((round & 1 ? 0x40 : 0x60) | (garbage[0] & 15));
		uint8_t *copy = malloc(n ? n : 1);
		memcpy(copy, garbage, n);
		dissect_frame_buf(101, copy, n);
		free(copy);
	}
}

static void test_udp434_reaches_mip4(void **state)
{
	static const uint8_t payload[8] = {0x01, 0x22, 0x02, 0x58, 0, 0, 0, 0};
	uint8_t buf[128];
	struct dmm_wbuf w;
	wb_init(&w, buf, sizeof(buf));
	pkt_eth(&w, mac_b, mac_a, PKT_ETHERTYPE_IPV4);
	struct pkt_ipv4_hdr h = ipv4_hdr(v4_a, v4_b, 0);
	pkt_udp4(&w, &h, 1024, 434, 0, payload, sizeof(payload));
	dissect_frame_buf(1, buf, w.len);
	assert_value("frame.protocols", "eth:ethertype:ip:udp:mip");
	assert_value("udp.dstport", "434");
	assert_null(value_of("data.data", 0));
	/* mip4.c is written concurrently: accept its node or its raw-data stub. */
	const char *raw = value_of("dmm.unknown.data", 0);
	assert_true(count_nodes("mip") > 0 || (raw && strcmp(raw, "0122025800000000") == 0));

	/* RFC 3519 Tunnel Data (type 4, Next Header 4): the inner packet one level deeper. */
	uint8_t tunnel[64];
	struct dmm_wbuf tw;
	wb_init(&tw, tunnel, sizeof(tunnel));
	wb_u32(&tw, 0x04040000);
	struct pkt_ipv4_hdr ih = ipv4_hdr(v4_c, v4_d, 253);
	pkt_ipv4(&tw, &ih, "q", 1);
	wb_init(&w, buf, sizeof(buf));
	pkt_udp4(&w, &h, 434, 434, 0, tunnel, tw.len);
	dissect_frame_buf(101, buf, w.len);
	assert_value("frame.protocols", "raw:ip:udp:mip:ip:data");
	if (count_nodes("mip") > 0) /* once mip4.c dissects Tunnel Data */
		assert_value_nth("ip.src", 1, "192.0.2.1");
}

static void test_udp5436_and_5437(void **state)
{
	uint8_t buf[256], mh[64];
	struct dmm_wbuf w, mw;
	wb_init(&mw, mh, sizeof(mh));
	int mh_len = encode_bu(&mw, NULL, NULL, 1);
	assert_true(mh_len > 0);
	wb_init(&w, buf, sizeof(buf));
	struct pkt_ipv4_hdr h = ipv4_hdr(v4_a, v4_b, 0);
	pkt_udp4(&w, &h, 5436, 5436, 0, mh, (size_t)mh_len);
	dissect_frame_buf(101, buf, w.len);
	assert_value("frame.protocols", "raw:ip:udp:mipv6");
	assert_int_equal(count_nodes("mip6"), 1);
	assert_int_equal(cap_out.errors, 0); /* RFC 5844: the MH checksum is ignored */

	/* RFC 5844 data port: an inner IPv4 packet right after UDP. */
	uint8_t inner[64];
	struct dmm_wbuf iw;
	wb_init(&iw, inner, sizeof(inner));
	struct pkt_ipv4_hdr ih = ipv4_hdr(v4_c, v4_d, 0);
	pkt_udp4(&iw, &ih, 1, 2, 0, "x", 1);
	wb_init(&w, buf, sizeof(buf));
	pkt_udp4(&w, &h, 5437, 5437, 0, inner, iw.len);
	dissect_frame_buf(101, buf, w.len);
	assert_string_equal(top_nodes(), "frame:raw:ip:udp:ip:udp:data");
	assert_value_nth("ip.src", 1, "192.0.2.1");
	assert_value("data.data", "78");
}

static void test_minimal_encapsulation(void **state)
{
	uint8_t buf[128];
	struct dmm_wbuf w;
	struct pkt_mark ip4, udp;
	wb_init(&w, buf, sizeof(buf));
	struct pkt_ipv4_hdr h4 = ipv4_hdr(v4_a, v4_b, PKT_PROTO_MINENC);
	pkt_ipv4_begin(&w, &h4, &ip4);
	assert_int_equal(pkt_minenc(&w, PKT_PROTO_UDP, v4_c, v4_d), 12);
	assert_int_equal(inet_fold(inet_sum(buf + 20, 12, 0)), 0);
	pkt_udp_begin(&w, &ip4, 434, 434, PKT_UDP_NO_CSUM, &udp);
	wb_u32(&w, 0x03000000);
	pkt_udp_end(&w, &udp);
	pkt_ipv4_end(&w, &ip4);
	dissect_frame_buf(101, buf, w.len);
	assert_value("frame.protocols", "raw:ip:minenc:udp:mip");
	assert_value("minenc.proto", "17");
	assert_value("minenc.s_flag", "1");
	assert_value("minenc.dst", "192.0.2.1");
	assert_value("minenc.src", "198.51.100.1");
	assert_value("udp.srcport", "434");
	assert_int_equal(count_errors("bad checksum"), 0); /* (the 4-octet MIPv4 payload may be) */
	assert_int_equal(count_errors("invalid: tunnel"), 0);

	buf[21] |= 1; /* reserved bit: checksum no longer matches */
	dissect_frame_buf(101, buf, w.len);
	assert_int_equal(count_errors("bad checksum"), 1);

	/* S = 0: 8-octet header, no original source. */
	wb_init(&w, buf, sizeof(buf));
	pkt_ipv4_begin(&w, &h4, &ip4);
	assert_int_equal(pkt_minenc(&w, 253, v4_c, NULL), 8);
	wb_u16(&w, 0xabcd);
	pkt_ipv4_end(&w, &ip4);
	dissect_frame_buf(101, buf, w.len);
	assert_value("minenc.s_flag", "0");
	assert_null(value_of("minenc.src", 0));
	assert_value("data.data", "abcd");
	assert_int_equal(cap_out.errors, 0);
}

static void test_ipv6_extension_headers(void **state)
{
	uint8_t buf[256];
	struct dmm_wbuf w;
	struct pkt_mark ip;
	wb_init(&w, buf, sizeof(buf));
	struct pkt_ipv6_hdr h = ipv6_hdr(v6_a, v6_b, PKT_PROTO_HOPOPTS);
	pkt_ipv6_begin(&w, &h, &ip);
	/* Hop-by-Hop: PadN(4). */
	wb_u8(&w, PKT_PROTO_ROUTING);
	wb_u8(&w, 0);
	wb_u8(&w, 1);
	wb_u8(&w, 4);
	wb_u32(&w, 0);
	/* Type 2 routing header, one segment left: the home address is the final destination. */
	wb_u8(&w, PKT_PROTO_FRAGMENT);
	wb_u8(&w, 2);
	wb_u8(&w, 2);
	wb_u8(&w, 1);
	wb_u32(&w, 0);
	wb_bytes(&w, v6_hoa, 16);
	/* First fragment (offset 0, M set). */
	wb_u8(&w, PKT_PROTO_MH);
	wb_u8(&w, 0);
	wb_u16(&w, 1);
	wb_u32(&w, 0x1234);
	encode_bu(&w, v6_a, v6_hoa, 0);
	pkt_ipv6_end(&w, &ip);
	dissect_frame_buf(229, buf, w.len);
	assert_value("frame.protocols", "ipv6:ipv6.hopopts:ipv6.routing:ipv6.fraghdr:mipv6");
	assert_value("ipv6.hopopts.nxt", "43");
	assert_value("ipv6.opt.padn", "00000000");
	assert_value("ipv6.routing.type", "2");
	assert_value("ipv6.routing.segleft", "1");
	assert_value("ipv6.routing.mipv6.home_address", "2001:db8:5::5");
	assert_value("ipv6.fraghdr.more", "1");
	assert_value("ipv6.fraghdr.ident", "0x00001234");
	assert_value("mip6.csum.status", "good");
	assert_int_equal(cap_out.errors, 0);

	/* A non-first fragment is shown as data. */
	size_t frag_at = 40 + 8 + 24;
	buf[frag_at + 2] = 0x00;
	buf[frag_at + 3] = 0x50; /* offset 10 */
	dissect_frame_buf(229, buf, w.len);
	assert_value("ipv6.fraghdr.offset", "10");
	assert_value("frame.protocols", "ipv6:ipv6.hopopts:ipv6.routing:ipv6.fraghdr:data");
	assert_int_equal(count_nodes("mip6"), 0);

	/* 17 destination options headers exceed the bound. */
	wb_init(&w, buf, sizeof(buf));
	h = ipv6_hdr(v6_a, v6_b, PKT_PROTO_DSTOPTS);
	pkt_ipv6_begin(&w, &h, &ip);
	for (unsigned i = 0; i < 17; i++) {
		wb_u8(&w, i == 16 ? PKT_PROTO_NONE : PKT_PROTO_DSTOPTS);
		wb_u8(&w, 0);
		wb_u8(&w, 1);
		wb_u8(&w, 4);
		wb_u32(&w, 0);
	}
	pkt_ipv6_end(&w, &ip);
	dissect_frame_buf(229, buf, w.len);
	assert_int_equal(count_errors("invalid: more than 16 IPv6 extension headers"), 1);

	/* Bad HAO length is invalid, not truncated. */
	wb_init(&w, buf, sizeof(buf));
	h = ipv6_hdr(v6_a, v6_b, PKT_PROTO_DSTOPTS);
	pkt_ipv6_begin(&w, &h, &ip);
	wb_u8(&w, PKT_PROTO_NONE);
	wb_u8(&w, 0);
	wb_u8(&w, PKT_HAO_OPTION);
	wb_u8(&w, 4);
	wb_u32(&w, 0);
	pkt_ipv6_end(&w, &ip);
	dissect_frame_buf(229, buf, w.len);
	assert_int_equal(count_errors("invalid: Home Address option length not 16"), 1);
	assert_int_equal(count_errors("truncated"), 0);
}

static void test_link_layers(void **state)
{
	uint8_t ip6[64], buf[128];
	struct dmm_wbuf w;
	wb_init(&w, ip6, sizeof(ip6));
	struct pkt_ipv6_hdr h = ipv6_hdr(v6_a, v6_b, PKT_PROTO_NONE);
	pkt_ipv6(&w, &h, NULL, 0);
	size_t n = w.len;

	/* Linux cooked v1. */
	static const uint8_t sll1[16] = {0,    0,    0,    1,    0, 6, 0,    0x11,
	                                 0x22, 0x33, 0x44, 0x55, 0, 0, 0x86, 0xdd};
	memcpy(buf, sll1, 16);
	memcpy(buf + 16, ip6, n);
	dissect_frame_buf(113, buf, 16 + n);
	assert_value("frame.protocols", "sll:ethertype:ipv6");
	assert_value("sll.pkttype", "0");
	assert_value("sll.hatype", "1");
	assert_value("sll.halen", "6");
	assert_value("sll.src.eth", "00:11:22:33:44:55");
	assert_value("sll.unused", "0000");
	assert_value("sll.etype", "0x86dd");

	/* Linux cooked v2. */
	static const uint8_t sll2[20] = {0x86, 0xdd, 0, 0,    0,    0,    0,    3,    0, 1,
	                                 4,    6,    0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0};
	memcpy(buf, sll2, 20);
	memcpy(buf + 20, ip6, n);
	dissect_frame_buf(276, buf, 20 + n);
	assert_value("frame.protocols", "sll:ethertype:ipv6");
	assert_value("sll.ifindex", "3");
	assert_value("sll.pkttype", "4");
	assert_value("ipv6.src", "2001:db8::1");

	/* BSD null: host order, either byte order; loop: network order. */
	static const uint8_t null_le[4] = {30, 0, 0, 0}, null_be[4] = {0, 0, 0, 24};
	memcpy(buf, null_le, 4);
	memcpy(buf + 4, ip6, n);
	dissect_frame_buf(0, buf, 4 + n);
	assert_value("frame.protocols", "null:ipv6");
	assert_value("null.family", "30");
	memcpy(buf, null_be, 4);
	dissect_frame_buf(0, buf, 4 + n);
	assert_value("null.family", "24");
	dissect_frame_buf(108, buf, 4 + n);
	assert_value("frame.protocols", "null:ipv6");

	/* 802.1Q. */
	wb_init(&w, buf, sizeof(buf));
	pkt_eth(&w, mac_b, mac_a, PKT_ETHERTYPE_VLAN);
	wb_u16(&w, 0x2064); /* PRI 1, ID 100 */
	wb_u16(&w, PKT_ETHERTYPE_IPV6);
	wb_bytes(&w, ip6, n);
	dissect_frame_buf(1, buf, w.len);
	assert_value("frame.protocols", "eth:ethertype:vlan:ethertype:ipv6");
	assert_value("vlan.id", "100");
	assert_value("vlan.priority", "1");
	assert_value("vlan.etype", "0x86dd");

	/* DLT_IPV4 with an IPv6 packet is invalid; unknown link type shows data. */
	dissect_frame_buf(228, ip6, n);
	assert_int_equal(count_errors("invalid: inner packet is not IPv4"), 1);
	dissect_frame_buf(147, ip6, n);
	assert_value("frame.protocols", "data");
	assert_value("frame.len", "40");
	assert_value("frame.cap_len", "40");
}

static void test_ip_in_ip_and_udp_errors(void **state)
{
	uint8_t inner[64], buf[128];
	struct dmm_wbuf w;
	wb_init(&w, inner, sizeof(inner));
	struct pkt_ipv4_hdr ih = ipv4_hdr(v4_c, v4_d, 253);
	pkt_ipv4(&w, &ih, "z", 1);
	size_t n = w.len;
	/* RFC 2003 IPv4-in-IPv4, then RFC 2473 IPv4-in-IPv6. */
	wb_init(&w, buf, sizeof(buf));
	struct pkt_ipv4_hdr oh = ipv4_hdr(v4_a, v4_b, PKT_PROTO_IPIP);
	pkt_ipv4(&w, &oh, inner, n);
	dissect_frame_buf(101, buf, w.len);
	assert_string_equal(top_nodes(), "frame:raw:ip:ip:data");
	assert_value_nth("ip.dst", 1, "198.51.100.1");
	wb_init(&w, buf, sizeof(buf));
	struct pkt_ipv6_hdr o6 = ipv6_hdr(v6_a, v6_b, PKT_PROTO_IPIP);
	pkt_ipv6(&w, &o6, inner, n);
	dissect_frame_buf(229, buf, w.len);
	assert_value("frame.protocols", "ipv6:ip:data");

	/* UDP length below 8 is invalid; beyond the capture is truncated. */
	wb_init(&w, buf, sizeof(buf));
	struct pkt_ipv4_hdr h = ipv4_hdr(v4_a, v4_b, 0);
	pkt_udp4(&w, &h, 1, 2, PKT_UDP_NO_CSUM, "abcd", 4);
	buf[25] = 4;
	dissect_frame_buf(101, buf, w.len);
	assert_int_equal(count_errors("invalid: UDP length below 8"), 1);
	buf[25] = 40;
	dissect_frame_buf(101, buf, w.len);
	assert_int_equal(count_errors("truncated"), 1);
	assert_int_equal(cap_out.errors, 1);

	/* GRE version 1 is invalid. */
	wb_init(&w, buf, sizeof(buf));
	struct pkt_ipv4_hdr gh = ipv4_hdr(v4_a, v4_b, PKT_PROTO_GRE);
	static const uint8_t gre_v1[4] = {0x00, 0x01, 0x88, 0x0b};
	pkt_ipv4(&w, &gh, gre_v1, 4);
	dissect_frame_buf(101, buf, w.len);
	assert_int_equal(count_errors("invalid: GRE version not 0"), 1);
}

static void test_builders_overflow(void **state)
{
	uint8_t buf[30];
	struct dmm_wbuf w;
	wb_init(&w, buf, sizeof(buf));
	struct pkt_ipv6_hdr h = ipv6_hdr(v6_a, v6_b, PKT_PROTO_NONE);
	assert_int_equal(pkt_ipv6(&w, &h, NULL, 0), -1);
	wb_init(&w, buf, sizeof(buf));
	struct pkt_ipv4_hdr h4 = ipv4_hdr(v4_a, v4_b, 0);
	assert_int_equal(pkt_udp4(&w, &h4, 1, 2, 0, "0123456789", 10), -1);
	wb_init(&w, buf, 14);
	assert_int_equal(pkt_eth(&w, mac_a, mac_b, PKT_ETHERTYPE_IPV4), 14);
	struct pkt_gre_hdr g = {.protocol = PKT_ETHERTYPE_IPV4, .has_key = 1};
	assert_int_equal(pkt_gre(&w, &g, NULL, 0), -1);
}

static void test_field_registration(void **state)
{
	static const char *const names[] = {"frame.number",
	                                    "frame.time_epoch",
	                                    "frame.protocols",
	                                    "eth.type",
	                                    "vlan.id",
	                                    "sll.etype",
	                                    "null.family",
	                                    "ip.dsfield",
	                                    "ip.checksum",
	                                    "ipv6.flow",
	                                    "ipv6.opt.mipv6.home_address",
	                                    "ipv6.routing.mipv6.home_address",
	                                    "ipv6.fraghdr.ident",
	                                    "udp.checksum",
	                                    "gre.key",
	                                    "gre.sequence_number",
	                                    "minenc.checksum",
	                                    "data.data"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!dmm_field_find(names[i]))
			fail_msg("%s not registered", names[i]);
	const struct dmm_field *src = dmm_field_find("ip.src");
	assert_non_null(src);
	assert_int_equal(src->flags, DMM_F_ADDR | DMM_F_SUMMARY);
	assert_int_equal(dmm_field_find("ipv6.dst")->flags, DMM_F_ADDR | DMM_F_SUMMARY);
	assert_int_equal(dmm_field_find("frame.number")->flags, DMM_F_SUMMARY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ipv6_hao_mh),
	    cmocka_unit_test(test_ipv4_header),
	    cmocka_unit_test(test_udp_checksums),
	    cmocka_unit_test(test_gre_nested),
	    cmocka_unit_test(test_depth_limit),
	    cmocka_unit_test(test_truncation_everywhere),
	    cmocka_unit_test(test_udp434_reaches_mip4),
	    cmocka_unit_test(test_udp5436_and_5437),
	    cmocka_unit_test(test_minimal_encapsulation),
	    cmocka_unit_test(test_ipv6_extension_headers),
	    cmocka_unit_test(test_link_layers),
	    cmocka_unit_test(test_ip_in_ip_and_udp_errors),
	    cmocka_unit_test(test_builders_overflow),
	    cmocka_unit_test(test_field_registration),
	};
	return cmocka_run_group_tests(tests, NULL, capture_clean);
}
