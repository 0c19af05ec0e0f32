/* Unit tests of the output backends on synthetic open/value/close/error sequences. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "out.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <json-c/json.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct dmm_vals test_status_vals[] = {
    {0, "Accepted"},
    {180, "CANNOT_SUPPORT_MULTIPATH_BINDING"},
    {0, NULL},
};

static const struct dmm_field test_fields[] = {
    {"tst", "Test IPv6", DMM_FT_NODE, 0, 0, NULL},
    {"tst.src", "Source Address", DMM_FT_IPV6, 0, DMM_F_ADDR, NULL},
    {"tst.dst", "Destination Address", DMM_FT_IPV6, 0, DMM_F_ADDR, NULL},
    {"tst4", "Test IPv4", DMM_FT_NODE, 0, 0, NULL},
    {"tst4.src", "Source", DMM_FT_IPV4, 0, DMM_F_ADDR, NULL},
    {"tst4.dst", "Destination", DMM_FT_IPV4, 0, DMM_F_ADDR, NULL},
    {"tstmsg", "Test Message", DMM_FT_NODE, 0, DMM_F_SUMMARY, NULL},
    {"tstmsg.seq", "Sequence Number", DMM_FT_UINT, 0, DMM_F_SUMMARY, NULL},
    {"tstmsg.status", "Status", DMM_FT_UINT, 0, DMM_F_SUMMARY, test_status_vals},
    {"tstmsg.flag.a", "Acknowledge", DMM_FT_BOOL, 0, 0, NULL},
    {"tstmsg.spi", "SPI", DMM_FT_HEX, 8, 0, NULL},
    {"tstmsg.opt", "Mobility Option", DMM_FT_NODE, 0, 0, NULL},
    {"tstmsg.opt.type", "Option Type", DMM_FT_UINT, 0, 0, NULL},
    {"tstmsg.hnp", "Home Network Prefix", DMM_FT_PREFIX6, 0, 0, NULL},
    {"tstmsg.nai", "NAI", DMM_FT_STRING, 0, 0, NULL},
    {"tstmsg.id", "Identifier", DMM_FT_HEX64, 0, 0, NULL},
    /* a protocol whose message node is not flagged (like mip6 > mip6.bu) */
    {"tstmh", "Test Mobility Header", DMM_FT_NODE, 0, 0, NULL},
    {"tstmh.bu", "Binding Update", DMM_FT_NODE, 0, 0, NULL},
    {"tstmh.bu.seqnr", "Sequence number", DMM_FT_UINT, 0, DMM_F_SUMMARY, NULL},
    {"tstmh.options", "Mobility Options", DMM_FT_NODE, 0, 0, NULL},
    {"tstmh.options.padn", "PadN", DMM_FT_NODE, 0, 0, NULL},
    {"tstmh.options.mnid", "Mobile Node Identifier", DMM_FT_NODE, 0, 0, NULL},
    {"tstmh.mnid.id", "Identifier", DMM_FT_STRING, 0, DMM_F_SUMMARY, NULL},
    {"tstip", "Test IP", DMM_FT_NODE, 0, 0, NULL},
    {"tstip.src", "Source", DMM_FT_IPV6, 0, DMM_F_ADDR | DMM_F_SUMMARY, NULL},
    {"tstip.dst", "Destination", DMM_FT_IPV6, 0, DMM_F_ADDR | DMM_F_SUMMARY, NULL},
    {"frame.tst_number", "Frame Number", DMM_FT_UINT, 0, DMM_F_SUMMARY, NULL},
    /* a signaling protocol without message child node (like MIPv4 "mip") */
    {"tstm4", "Test Mobile IP", DMM_FT_NODE, 0, 0, NULL},
    {"tstm4.type", "Message Type", DMM_FT_UINT, 0, DMM_F_SUMMARY, NULL},
    {"tstudp", "Test UDP", DMM_FT_NODE, 0, 0, NULL},
};
DMM_FIELDS(test_fields);

#define F_TST (&test_fields[0])
#define F_SRC (&test_fields[1])
#define F_DST (&test_fields[2])
#define F_TST4 (&test_fields[3])
#define F_SRC4 (&test_fields[4])
#define F_DST4 (&test_fields[5])
#define F_MSG (&test_fields[6])
#define F_SEQ (&test_fields[7])
#define F_STATUS (&test_fields[8])
#define F_FLAG_A (&test_fields[9])
#define F_SPI (&test_fields[10])
#define F_OPT (&test_fields[11])
#define F_OPT_TYPE (&test_fields[12])
#define F_HNP (&test_fields[13])
#define F_NAI (&test_fields[14])
#define F_ID (&test_fields[15])

static const uint8_t addr_mag[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t addr_lma[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
static const uint8_t addr_hnp[16] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01};
static const uint8_t addr4_a[4] = {192, 0, 2, 1};
static const uint8_t addr4_b[4] = {198, 51, 100, 20};
static const uint8_t nai[] = "mn1@example.com";
static const uint8_t unknown_octets[] = {0x0a, 0x0b, 0xfc};

/* A Proxy Binding Update with two options and undissected trailing octets. */
static void emit_pbu(struct dmm_out *o)
{
	dmm_open(o, F_TST, "Test IPv6, Src: 2001:db8::1");
	dmm_addr6(o, F_SRC, addr_mag);
	dmm_addr6(o, F_DST, addr_lma);
	dmm_close(o);
	dmm_open(o, F_MSG, "Proxy Binding Update");
	dmm_uint(o, F_SEQ, 4660);
	dmm_bool(o, F_FLAG_A, 1);
	dmm_uint(o, F_SPI, 0x1234);
	dmm_open(o, F_OPT, "Home Network Prefix");
	dmm_uint(o, F_OPT_TYPE, 22);
	dmm_prefix6(o, F_HNP, addr_hnp, 64);
	dmm_close(o);
	dmm_open(o, F_OPT, "Mobile Node Identifier");
	dmm_uint(o, F_OPT_TYPE, 8);
	dmm_string(o, F_NAI, nai, sizeof(nai) - 1);
	dmm_close(o);
	dmm_bytes(o, DMM_FIELD_UNKNOWN_DATA, unknown_octets, sizeof(unknown_octets));
	dmm_close(o);
}

/* IPv4-in-IPv6 tunnel (nested) carrying a truncated, invalid reply. */
static void emit_tunneled_reply_with_errors(struct dmm_out *o)
{
	dmm_open(o, F_TST, NULL);
	dmm_addr6(o, F_SRC, addr_mag);
	dmm_addr6(o, F_DST, addr_lma);
	dmm_open(o, F_TST4, NULL);
	dmm_addr4(o, F_SRC4, addr4_a);
	dmm_addr4(o, F_DST4, addr4_b);
	dmm_open(o, F_MSG, "Binding Acknowledgement");
	dmm_uint(o, F_STATUS, 180);
	dmm_uint(o, F_SEQ, 7);
	dmm_uint(o, F_SEQ, 8);
	dmm_error(o, "truncated");
	dmm_close(o);
	dmm_close(o);
	dmm_close(o);
	dmm_error(o, "invalid: bad length");
}

/* Plain IPv6 without signaling. */
static void emit_plain(struct dmm_out *o)
{
	dmm_open(o, F_TST, NULL);
	dmm_addr6(o, F_SRC, addr_lma);
	dmm_addr6(o, F_DST, addr_mag);
	dmm_close(o);
}

#define F_MH (&test_fields[16])
#define F_MH_BU (&test_fields[17])
#define F_MH_SEQ (&test_fields[18])
#define F_MH_OPTIONS (&test_fields[19])
#define F_MH_PADN (&test_fields[20])
#define F_MH_MNID (&test_fields[21])
#define F_MH_MNID_ID (&test_fields[22])
#define F_IP (&test_fields[23])
#define F_IP_SRC (&test_fields[24])
#define F_IP_DST (&test_fields[25])
#define F_FRAME_NUMBER (&test_fields[26])

/* Frame number, IP (addresses flagged ADDR and SUMMARY), then a mobility header whose
 * message node is found by name; options PadN, MNID, PadN, MNID interleave. */
static void emit_mh_bu(struct dmm_out *o)
{
	dmm_uint(o, F_FRAME_NUMBER, 9);
	dmm_open(o, F_IP, "Test IP, Src: 2001:db8::1");
	dmm_addr6(o, F_IP_SRC, addr_mag);
	dmm_addr6(o, F_IP_DST, addr_lma);
	dmm_close(o);
	dmm_open(o, F_MH, "Test Mobility Header");
	dmm_open(o, F_MH_BU, "Proxy Binding Update");
	dmm_uint(o, F_MH_SEQ, 77);
	dmm_open(o, F_MH_OPTIONS, "Mobility Options");
	dmm_open(o, F_MH_PADN, NULL);
	dmm_close(o);
	dmm_open(o, F_MH_MNID, NULL);
	dmm_string(o, F_MH_MNID_ID, nai, sizeof(nai) - 1);
	dmm_close(o);
	dmm_open(o, F_MH_PADN, NULL);
	dmm_close(o);
	dmm_open(o, F_MH_MNID, NULL);
	dmm_string(o, F_MH_MNID_ID, nai, 3);
	dmm_close(o);
	dmm_close(o);
	dmm_close(o);
	dmm_close(o);
}

#define F_M4 (&test_fields[27])
#define F_M4_TYPE (&test_fields[28])
#define F_UDP (&test_fields[29])

/* Unregistered on purpose: "data" is also registered by the packet dissector. */
static const struct dmm_field data_node = {"data", "Data", DMM_FT_NODE, 0, 0, NULL};

/* IPv4 / UDP / MIPv4-like message labelled by its protocol node. */
static void emit_mip4_request(struct dmm_out *o)
{
	dmm_open(o, F_TST4, NULL);
	dmm_addr4(o, F_SRC4, addr4_a);
	dmm_addr4(o, F_DST4, addr4_b);
	dmm_close(o);
	dmm_open(o, F_UDP, "Test UDP, Src Port: 434");
	dmm_close(o);
	dmm_open(o, F_M4, "Registration Request");
	dmm_uint(o, F_M4_TYPE, 1);
	dmm_close(o);
}

/* UDP with undissected payload: the label is the last real protocol. */
static void emit_udp_data(struct dmm_out *o)
{
	dmm_open(o, F_TST4, NULL);
	dmm_addr4(o, F_SRC4, addr4_a);
	dmm_addr4(o, F_DST4, addr4_b);
	dmm_close(o);
	dmm_open(o, F_UDP, "Test UDP, Src Port: 1234");
	dmm_close(o);
	dmm_open(o, &data_node, "Data (5 bytes)");
	dmm_close(o);
}

typedef void (*emit_fn)(struct dmm_out *o);

/* Output captured in memory. */
struct capture {
	FILE *fp;
	char *text;
	size_t len;
};

static void capture_open(struct capture *c)
{
	c->text = NULL;
	c->len = 0;
	c->fp = open_memstream(&c->text, &c->len);
	assert_non_null(c->fp);
}

static const char *capture_text(struct capture *c)
{
	fflush(c->fp);
	return c->text;
}

static void capture_close(struct capture *c)
{
	fclose(c->fp);
	free(c->text);
}

static int run_packet(const struct dmm_backend *b, void *ctx, uint64_t number, emit_fn emit)
{
	struct dmm_frame fr = {.number = number, .linktype = 1, .caplen = 100, .wirelen = 100};
	struct dmm_out out = {b->ops, ctx, 0, DMM_OUT_ALL};
	b->begin_packet(ctx, &fr);
	emit(&out);
	b->end_packet(ctx);
	return out.errors;
}

/* ---- value formatting ---- */

static void check_fast_format(const struct dmm_field *f, const struct dmm_value *v)
{
	char fast[128], slow[128];
	size_t nf = dmm_out_format_value(f, v, fast, sizeof(fast));
	size_t ns = dmm_format_value(f, v, slow, sizeof(slow));
	assert_string_equal(fast, slow);
	assert_int_equal(nf, ns);
}

static void test_fast_format_matches_dmm_format_value(void **state)
{
	static const uint64_t samples[] = {
	    0, 1, 9, 10, 99, 100, 255, 65535, 4294967295u, 1234567890123ull, UINT64_MAX};
	static const struct dmm_field hex_w0 = {"x.h0", "h0", DMM_FT_HEX, 0, 0, NULL};
	static const struct dmm_field hex_w2 = {"x.h2", "h2", DMM_FT_HEX, 2, 0, NULL};
	static const struct dmm_field hex_w4 = {"x.h4", "h4", DMM_FT_HEX, 4, 0, NULL};
	const struct dmm_field *numeric[] = {F_SEQ,   F_FLAG_A, F_SPI,  F_ID,
	                                     &hex_w0, &hex_w2,  &hex_w4};
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		for (size_t k = 0; k < sizeof(numeric) / sizeof(numeric[0]); k++) {
			struct dmm_value v = {.u = samples[i]};
			check_fast_format(numeric[k], &v);
		}
	static const uint8_t v4[][4] = {
	    {0, 0, 0, 0}, {255, 255, 255, 255}, {10, 0, 99, 100}, {192, 168, 1, 9}};
	for (size_t i = 0; i < 4; i++) {
		struct dmm_value v = {.ptr = v4[i], .len = 4};
		check_fast_format(F_SRC4, &v);
	}
	static const uint8_t v6[][16] = {
	    {0},
	    {[15] = 1},
	    {[10] = 0xff, [11] = 0xff, [12] = 192, [13] = 0, [14] = 2, [15] = 1},
	    {[12] = 1, [13] = 2, [14] = 3, [15] = 4},
	    {[11] = 1, [12] = 1, [13] = 2, [14] = 3, [15] = 4},
	    {0x00, 0x01},
	    {0x20, 0x01, 0x0d, 0xb8, [7] = 1, [14] = 0xab, [15] = 0xcd},
	    {0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1},
	    {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1},
	    {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8},
	    {0xfe, 0x80, [8] = 0x02, [9] = 0x11, [10] = 0x22, [11] = 0xff, [12] = 0xfe},
	    {[4] = 0xff, [5] = 0xff, [12] = 10, [15] = 1},
	    {[8] = 0x12, [9] = 0x34},
	};
	for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		struct dmm_value v = {.ptr = v6[i], .len = 16, .plen = (uint8_t)(i * 11)};
		check_fast_format(F_SRC, &v);
		check_fast_format(F_HNP, &v);
	}
	/* random addresses with many zero groups */
	srand(1);
	for (int i = 0; i < 20000; i++) {
		uint8_t a[16];
		for (int k = 0; k < 16; k += 2) {
			int zero = rand() % 2;
			a[k] = zero ? 0 : (uint8_t)(rand() % 3 ? rand() : 0);
			a[k + 1] = zero ? 0 : (uint8_t)rand();
		}
		struct dmm_value v = {.ptr = a, .len = 16, .plen = (uint8_t)(rand() % 129)};
		check_fast_format(F_SRC, &v);
		check_fast_format(F_HNP, &v);
	}
	static const struct dmm_field prefix4 = {"x.p4", "p4", DMM_FT_PREFIX4, 0, 0, NULL};
	struct dmm_value p4 = {.ptr = addr4_b, .len = 4, .plen = 24};
	check_fast_format(&prefix4, &p4);
	struct dmm_value short6 = {.ptr = addr_mag, .len = 4};
	check_fast_format(F_SRC, &short6);

	static const struct dmm_field ether = {"x.mac", "mac", DMM_FT_ETHER, 0, 0, NULL};
	static const uint8_t mac[6] = {0x02, 0xab, 0x00, 0xff, 0x10, 0x9c};
	for (size_t len = 5; len <= 7; len++) {
		struct dmm_value v = {.ptr = mac, .len = len < 7 ? len : 6};
		check_fast_format(&ether, &v);
	}
	/* text: printable ASCII kept, the rest and '\\' as \xNN, cut like dmm_format_value */
	for (int i = 0; i < 2000; i++) {
		uint8_t octets[40];
		size_t n = (size_t)rand() % sizeof(octets);
		for (size_t k = 0; k < n; k++)
			octets[k] = (uint8_t)(rand() % 3 ? 0x20 + rand() % 0x60 : rand());
		struct dmm_value v = {.ptr = octets, .len = n};
		size_t size = 1 + (size_t)rand() % 128;
		char fast[128], slow[128];
		size_t nf = dmm_out_format_value(F_NAI, &v, fast, size);
		size_t ns = dmm_format_value(F_NAI, &v, slow, size);
		assert_int_equal(nf, ns);
		assert_string_equal(fast, slow);
	}

	/* cut at the buffer size like dmm_format_value */
	char small[4];
	struct dmm_value big = {.u = 123456};
	assert_int_equal(dmm_out_format_value(F_SEQ, &big, small, sizeof(small)), 3);
	assert_string_equal(small, "123");
}

/* ---- summary ---- */

static void test_summary_pbu(void **state)
{
	struct capture c;
	struct dmm_summary s;
	capture_open(&c);
	dmm_summary_init(&s, c.fp);
	assert_int_equal(run_packet(&dmm_summary_backend, &s, 1, emit_pbu), 0);
	assert_string_equal(
	    capture_text(&c),
	    "1 2001:db8::1 \xe2\x86\x92 2001:db8::2 Proxy Binding Update seq=4660\n");
	capture_close(&c);
}

static void test_summary_innermost_addresses_and_errors(void **state)
{
	struct capture c;
	struct dmm_summary s;
	capture_open(&c);
	dmm_summary_init(&s, c.fp);
	assert_int_equal(run_packet(&dmm_summary_backend, &s, 42, emit_tunneled_reply_with_errors),
	                 2);
	run_packet(&dmm_summary_backend, &s, 43, emit_plain);
	assert_string_equal(capture_text(&c),
	                    "42 192.0.2.1 \xe2\x86\x92 198.51.100.20 Binding Acknowledgement "
	                    "status=180 seq=7 seq=8 [truncated] [invalid: bad length]\n"
	                    "43 2001:db8::2 \xe2\x86\x92 2001:db8::1 TST\n");
	capture_close(&c);
}

/* Sibling layering (outer and inner IP headers at the same level): the later pair wins. */
static void emit_sibling_tunnel(struct dmm_out *o)
{
	dmm_open(o, F_TST4, NULL);
	dmm_addr4(o, F_SRC4, addr4_b);
	dmm_addr4(o, F_DST4, addr4_a);
	dmm_close(o);
	dmm_open(o, F_TST, NULL);
	dmm_addr6(o, F_SRC, addr_lma);
	dmm_addr6(o, F_DST, addr_mag);
	dmm_close(o);
}

static void test_summary_sibling_tunnel(void **state)
{
	struct capture c;
	struct dmm_summary s;
	capture_open(&c);
	dmm_summary_init(&s, c.fp);
	run_packet(&dmm_summary_backend, &s, 5, emit_sibling_tunnel);
	assert_string_equal(capture_text(&c), "5 2001:db8::2 \xe2\x86\x92 2001:db8::1 TST\n");
	capture_close(&c);
}

static void test_summary_message_node_by_name(void **state)
{
	struct capture c;
	struct dmm_summary s;
	capture_open(&c);
	dmm_summary_init(&s, c.fp);
	run_packet(&dmm_summary_backend, &s, 9, emit_mh_bu);
	assert_string_equal(capture_text(&c),
	                    "9 2001:db8::1 \xe2\x86\x92 2001:db8::2 Proxy Binding Update seqnr=77 "
	                    "id=mn1@example.com id=mn1\n");
	capture_close(&c);
}

static void test_summary_protocol_label_fallbacks(void **state)
{
	struct capture c;
	struct dmm_summary s;
	capture_open(&c);
	dmm_summary_init(&s, c.fp);
	run_packet(&dmm_summary_backend, &s, 1, emit_mip4_request);
	run_packet(&dmm_summary_backend, &s, 2, emit_udp_data);
	assert_string_equal(capture_text(&c),
	                    "1 192.0.2.1 \xe2\x86\x92 198.51.100.20 Registration Request type=1\n"
	                    "2 192.0.2.1 \xe2\x86\x92 198.51.100.20 TSTUDP\n");
	capture_close(&c);
}

/* ---- tree ---- */

static void test_tree_pbu_and_errors(void **state)
{
	struct capture c;
	struct dmm_tree t;
	capture_open(&c);
	dmm_tree_init(&t, c.fp);
	run_packet(&dmm_tree_backend, &t, 1, emit_pbu);
	run_packet(&dmm_tree_backend, &t, 2, emit_tunneled_reply_with_errors);
	assert_string_equal(capture_text(&c),
	                    "Test IPv6, Src: 2001:db8::1\n"
	                    "    Source Address: 2001:db8::1\n"
	                    "    Destination Address: 2001:db8::2\n"
	                    "Proxy Binding Update\n"
	                    "    Sequence Number: 4660\n"
	                    "    Acknowledge: 1\n"
	                    "    SPI: 0x00001234\n"
	                    "    Home Network Prefix\n"
	                    "        Option Type: 22\n"
	                    "        Home Network Prefix: 2001:db8:1::/64\n"
	                    "    Mobile Node Identifier\n"
	                    "        Option Type: 8\n"
	                    "        NAI: mn1@example.com\n"
	                    "    Undissected data: 0a0bfc\n"
	                    "\n"
	                    "Test IPv6\n"
	                    "    Source Address: 2001:db8::1\n"
	                    "    Destination Address: 2001:db8::2\n"
	                    "    Test IPv4\n"
	                    "        Source: 192.0.2.1\n"
	                    "        Destination: 198.51.100.20\n"
	                    "        Binding Acknowledgement\n"
	                    "            Status: CANNOT_SUPPORT_MULTIPATH_BINDING (180)\n"
	                    "            Sequence Number: 7\n"
	                    "            Sequence Number: 8\n"
	                    "            [Error: truncated]\n"
	                    "[Error: invalid: bad length]\n"
	                    "\n");
	dmm_tree_free(&t);
	capture_close(&c);
}

/* A value longer than any fixed buffer is shown in full. */
static void emit_long_unknown(struct dmm_out *o)
{
	static uint8_t octets[5000];
	for (size_t i = 0; i < sizeof(octets); i++)
		octets[i] = (uint8_t)i;
	dmm_bytes(o, DMM_FIELD_UNKNOWN_DATA, octets, sizeof(octets));
}

static void test_tree_long_value_not_cut(void **state)
{
	struct capture c;
	struct dmm_tree t;
	capture_open(&c);
	dmm_tree_init(&t, c.fp);
	run_packet(&dmm_tree_backend, &t, 1, emit_long_unknown);
	const char *text = capture_text(&c);
	assert_int_equal(strlen(text), strlen("Undissected data: ") + 2 * 5000 + 2);
	assert_memory_equal(text + strlen(text) - 6, "8687\n\n", 6);
	dmm_tree_free(&t);
	capture_close(&c);
}

/* ---- json ---- */

static struct json_object *get(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		fail_msg("missing key %s in %s", key, json_object_to_json_string(obj));
	return v;
}

static void test_json_pbu_exact(void **state)
{
	struct capture c;
	struct dmm_json j;
	capture_open(&c);
	dmm_json_init(&j, c.fp);
	run_packet(&dmm_json_backend, &j, 1, emit_pbu);
	assert_string_equal(
	    capture_text(&c),
	    "{\"tst\":{\"tst.src\":\"2001:db8::1\",\"tst.dst\":\"2001:db8::2\"},"
	    "\"tstmsg\":{\"tstmsg.seq\":4660,\"tstmsg.flag.a\":1,\"tstmsg.spi\":\"0x00001234\","
	    "\"tstmsg.opt\":[{\"tstmsg.opt.type\":22,\"tstmsg.hnp\":\"2001:db8:1::/64\"},"
	    "{\"tstmsg.opt.type\":8,\"tstmsg.nai\":\"mn1@example.com\"}],"
	    "\"dmm.unknown.data\":\"0a0bfc\"},\"dmm.error\":\"\"}\n");
	dmm_json_free(&j);
	capture_close(&c);
}

static void test_json_repeats_and_errors(void **state)
{
	struct capture c;
	struct dmm_json j;
	capture_open(&c);
	dmm_json_init(&j, c.fp);
	run_packet(&dmm_json_backend, &j, 1, emit_tunneled_reply_with_errors);
	run_packet(&dmm_json_backend, &j, 2, emit_plain);
	const char *text = capture_text(&c);
	const char *second_line = strchr(text, '\n');
	assert_non_null(second_line);

	struct json_object *pkt = json_tokener_parse(text);
	assert_non_null(pkt);
	assert_string_equal(json_object_get_string(get(pkt, "dmm.error")),
	                    "truncated; invalid: bad length");
	struct json_object *msg = get(get(get(pkt, "tst"), "tst4"), "tstmsg");
	assert_int_equal(json_object_get_uint64(get(msg, "tstmsg.status")), 180);
	struct json_object *seq = get(msg, "tstmsg.seq");
	assert_true(json_object_is_type(seq, json_type_array));
	assert_int_equal(json_object_array_length(seq), 2);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(seq, 0)), 7);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(seq, 1)), 8);
	assert_string_equal(json_object_get_string(get(get(get(pkt, "tst"), "tst4"), "tst4.src")),
	                    "192.0.2.1");
	json_object_put(pkt);

	struct json_object *plain = json_tokener_parse(second_line + 1);
	assert_non_null(plain);
	assert_string_equal(json_object_get_string(get(plain, "dmm.error")), "");
	json_object_put(plain);
	dmm_json_free(&j);
	capture_close(&c);
}

/* Three repeats of a node keep their order; a deep nesting beyond the tracked depth balances. */
static void emit_three_options_and_deep_nesting(struct dmm_out *o)
{
	dmm_open(o, F_MSG, NULL);
	for (unsigned i = 0; i < 3; i++) {
		dmm_open(o, F_OPT, NULL);
		dmm_uint(o, F_OPT_TYPE, 30 + i);
		dmm_close(o);
	}
	for (unsigned i = 0; i < DMM_OUT_MAX_DEPTH + 5; i++)
		dmm_open(o, F_TST, NULL);
	dmm_uint(o, F_SEQ, 1);
	for (unsigned i = 0; i < DMM_OUT_MAX_DEPTH + 5; i++)
		dmm_close(o);
	dmm_uint(o, F_SEQ, 2);
	dmm_close(o);
	dmm_uint(o, F_SEQ, 3);
}

static void test_json_order_and_depth(void **state)
{
	struct dmm_json j;
	dmm_json_init(&j, stdout);
	struct dmm_frame fr = {.number = 1};
	struct dmm_out out = {&dmm_json_ops, &j, 0, DMM_OUT_FRAME_STRINGS};
	dmm_json_begin_packet(&j, &fr);
	emit_three_options_and_deep_nesting(&out);
	struct json_object *pkt = dmm_json_take_packet(&j);
	assert_non_null(pkt);
	struct json_object *msg = get(pkt, "tstmsg");
	struct json_object *opts = get(msg, "tstmsg.opt");
	assert_int_equal(json_object_array_length(opts), 3);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(
		    json_object_get_int(get(json_object_array_get_idx(opts, i), "tstmsg.opt.type")),
		    30 + i);
	assert_int_equal(json_object_get_int(get(msg, "tstmsg.seq")), 2);
	assert_int_equal(json_object_get_int(get(pkt, "tstmsg.seq")), 3);
	json_object_put(pkt);
	dmm_json_free(&j);
}

static void test_json_interleaved_order(void **state)
{
	struct capture c;
	struct dmm_json j;
	capture_open(&c);
	dmm_json_init(&j, c.fp);
	run_packet(&dmm_json_backend, &j, 9, emit_mh_bu);
	assert_string_equal(
	    capture_text(&c),
	    "{\"frame.tst_number\":9,"
	    "\"tstip\":{\"tstip.src\":\"2001:db8::1\",\"tstip.dst\":\"2001:db8::2\"},"
	    "\"tstmh\":{\"tstmh.bu\":{\"tstmh.bu.seqnr\":77,\"tstmh.options\":{"
	    "\"tstmh.options.padn\":[{},{}],"
	    "\"tstmh.options.mnid\":[{\"tstmh.mnid.id\":\"mn1@example.com\"},"
	    "{\"tstmh.mnid.id\":\"mn1\"}],"
	    "\"dmm.order\":[\"tstmh.options.padn\",\"tstmh.options.mnid\","
	    "\"tstmh.options.padn\",\"tstmh.options.mnid\"]}}},"
	    "\"dmm.error\":\"\"}\n");
	dmm_json_free(&j);
	capture_close(&c);
}

/* Interleaving at top level, with the packet ending inside open subtrees. */
static void emit_unbalanced_interleaved(struct dmm_out *o)
{
	dmm_uint(o, F_SEQ, 1);
	dmm_uint(o, F_OPT_TYPE, 2);
	dmm_uint(o, F_SEQ, 3);
	dmm_open(o, F_MSG, NULL);
	dmm_uint(o, F_SEQ, 4);
	dmm_uint(o, F_OPT_TYPE, 5);
	dmm_uint(o, F_SEQ, 6);
	dmm_open(o, F_OPT, NULL);
}

static void test_json_order_unbalanced(void **state)
{
	struct capture c;
	struct dmm_json j;
	capture_open(&c);
	dmm_json_init(&j, c.fp);
	run_packet(&dmm_json_backend, &j, 1, emit_unbalanced_interleaved);
	run_packet(&dmm_json_backend, &j, 2, emit_plain);
	assert_string_equal(
	    capture_text(&c),
	    "{\"tstmsg.seq\":[1,3],\"tstmsg.opt.type\":2,"
	    "\"tstmsg\":{\"tstmsg.seq\":[4,6],\"tstmsg.opt.type\":5,\"tstmsg.opt\":{},"
	    "\"dmm.order\":[\"tstmsg.seq\",\"tstmsg.opt.type\",\"tstmsg.seq\",\"tstmsg.opt\"]},"
	    "\"dmm.order\":[\"tstmsg.seq\",\"tstmsg.opt.type\",\"tstmsg.seq\",\"tstmsg\"],"
	    "\"dmm.error\":\"\"}\n"
	    "{\"tst\":{\"tst.src\":\"2001:db8::2\",\"tst.dst\":\"2001:db8::1\"},"
	    "\"dmm.error\":\"\"}\n");
	dmm_json_free(&j);
	capture_close(&c);
}

/* ---- json: the streamed text against json-c ---- */

#define JSON_C_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* dmm_json_escape(s) must be json-c's text of the string s without its quotes. */
static void check_escape(const char *s, size_t n)
{
	struct json_object *o = json_object_new_string_len(s, (int)n);
	size_t want_len = 0;
	const char *want = json_object_to_json_string_length(o, JSON_C_FLAGS, &want_len);
	char *got = malloc(6 * n + 1);
	assert_non_null(got);
	size_t got_len = (size_t)(dmm_json_escape(got, s, n) - got);
	assert_int_equal(got_len + 2, want_len);
	assert_memory_equal(got, want + 1, got_len);
	free(got);
	json_object_put(o);
}

static void test_json_escape_matches_json_c(void **state)
{
	for (int c = 0; c < 256; c++) {
		const char s[3] = {'a', (char)c, 'z'};
		check_escape(s, sizeof(s));
	}
	srand(7);
	for (int i = 0; i < 5000; i++) {
		char s[48];
		size_t n = (size_t)rand() % sizeof(s);
		for (size_t k = 0; k < n; k++)
			s[k] = (char)(rand() % 4 ? rand() % 256 : "\"\\/\x7f\x01\n"[rand() % 6]);
		check_escape(s, n);
	}
}

/* Reference: the packet built directly as json-c objects, key by key, the way the JSON
 * output is specified in out.h; the streamed text must be what json-c prints for it. */
#define REF_KEYS_MAX 1024

struct ref_level {
	const char *keys[REF_KEYS_MAX];
	unsigned n;
	int interleaved;
};

struct ref_json {
	struct json_object *stack[DMM_OUT_MAX_DEPTH + 1];
	struct ref_level levels[DMM_OUT_MAX_DEPTH + 1];
	unsigned depth, overflow;
	size_t errors_len;
	char errors[DMM_JSON_ERRORS_MAX];
};

static void ref_add(struct ref_json *r, const char *key, struct json_object *val)
{
	struct json_object *obj = r->stack[r->depth], *old;
	struct ref_level *l = &r->levels[r->depth];
	if (json_object_object_get_ex(obj, key, &old)) {
		if (strcmp(l->keys[l->n - 1], key) != 0)
			l->interleaved = 1;
		if (json_object_is_type(old, json_type_array)) {
			json_object_array_add(old, val);
		} else {
			struct json_object *arr = json_object_new_array();
			json_object_array_add(arr, json_object_get(old));
			json_object_array_add(arr, val);
			json_object_object_add(obj, key, arr);
		}
	} else {
		json_object_object_add(obj, key, val);
	}
	assert_true(l->n < REF_KEYS_MAX);
	l->keys[l->n++] = key;
}

static void ref_finish(struct ref_json *r, unsigned depth)
{
	struct ref_level *l = &r->levels[depth];
	if (!l->interleaved)
		return;
	struct json_object *order = json_object_new_array();
	for (unsigned i = 0; i < l->n; i++)
		json_object_array_add(order, json_object_new_string(l->keys[i]));
	json_object_object_add(r->stack[depth], DMM_JSON_ORDER_KEY, order);
}

static void ref_open(void *ctx, const struct dmm_field *f, const char *label)
{
	struct ref_json *r = ctx;
	if (r->depth >= DMM_OUT_MAX_DEPTH) {
		r->overflow++;
		return;
	}
	struct json_object *node = json_object_new_object();
	ref_add(r, f->abbrev, node);
	r->stack[++r->depth] = node;
	r->levels[r->depth].n = 0;
	r->levels[r->depth].interleaved = 0;
}

static void ref_close(void *ctx)
{
	struct ref_json *r = ctx;
	if (r->overflow)
		r->overflow--;
	else if (r->depth > 0)
		ref_finish(r, r->depth--);
}

static void ref_value(void *ctx, const struct dmm_field *f, const struct dmm_value *v)
{
	struct ref_json *r = ctx;
	if (f->type == DMM_FT_UINT || f->type == DMM_FT_BOOL) {
		ref_add(r, f->abbrev,
		        json_object_new_uint64(f->type == DMM_FT_BOOL ? v->u != 0 : v->u));
		return;
	}
	size_t size = dmm_out_value_bound(f, v);
	char *text = malloc(size);
	assert_non_null(text);
	size_t n = dmm_format_value(f, v, text, size);
	ref_add(r, f->abbrev, json_object_new_string_len(text, (int)n));
	free(text);
}

static void ref_error(void *ctx, const char *msg)
{
	struct ref_json *r = ctx;
	int n = snprintf(r->errors + r->errors_len, sizeof(r->errors) - r->errors_len, "%s%s",
	                 r->errors_len ? "; " : "", msg);
	r->errors_len = strlen(r->errors);
	(void)n;
}

static const struct dmm_out_ops ref_ops = {ref_open, ref_close, ref_value, ref_error};

static struct ref_json *ref_begin(void)
{
	struct ref_json *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	r->stack[0] = json_object_new_object();
	return r;
}

static struct json_object *ref_take(struct ref_json *r)
{
	for (unsigned d = r->depth + 1; d-- > 0;)
		ref_finish(r, d);
	struct json_object *root = r->stack[0];
	json_object_object_add(root, "dmm.error",
	                       json_object_new_string_len(r->errors, (int)r->errors_len));
	free(r);
	return root;
}

typedef void (*emit_arg_fn)(struct dmm_out *o, void *arg);

/* The same packet through the streamed text (js), the json-c objects (jt) and the
 * reference: three identical texts, and the streamed text parses back to the reference. */
static void check_json_paths(struct dmm_json *js, struct dmm_json *jt, uint64_t number,
                             unsigned flags, emit_arg_fn emit, void *arg)
{
	struct dmm_frame fr = {.number = number, .linktype = 1};
	struct capture c;
	capture_open(&c);
	js->fp = c.fp;
	struct dmm_out out = {&dmm_json_ops, js, 0, flags};
	dmm_json_begin_packet(js, &fr);
	emit(&out, arg);
	dmm_json_end_packet(js);
	const char *streamed = capture_text(&c);
	size_t streamed_len = c.len;
	assert_true(streamed_len > 0 && streamed[streamed_len - 1] == '\n');

	struct dmm_out out_take = {&dmm_json_ops, jt, 0, flags};
	dmm_json_begin_packet(jt, &fr);
	emit(&out_take, arg);
	struct json_object *taken = dmm_json_take_packet(jt);
	assert_non_null(taken);

	struct ref_json *r = ref_begin();
	struct dmm_out out_ref = {&ref_ops, r, 0, flags};
	emit(&out_ref, arg);
	struct json_object *ref = ref_take(r);

	size_t ref_len = 0, taken_len = 0;
	const char *ref_text = json_object_to_json_string_length(ref, JSON_C_FLAGS, &ref_len);
	const char *taken_text = json_object_to_json_string_length(taken, JSON_C_FLAGS, &taken_len);
	if (streamed_len != ref_len + 1 || memcmp(streamed, ref_text, ref_len) != 0)
		fail_msg("packet %llu:\nstreamed  %.*s\nreference %s", (unsigned long long)number,
		         (int)streamed_len, streamed, ref_text);
	assert_int_equal(taken_len, ref_len);
	assert_memory_equal(taken_text, ref_text, ref_len);

	struct json_tokener *tok = json_tokener_new_ex(2 * DMM_OUT_MAX_DEPTH + 8);
	struct json_object *parsed = json_tokener_parse_ex(tok, streamed, (int)streamed_len - 1);
	assert_int_equal(json_tokener_get_error(tok), json_tokener_success);
	assert_non_null(parsed);
	assert_true(json_object_equal(parsed, ref));
	size_t parsed_len = 0;
	const char *parsed_text =
	    json_object_to_json_string_length(parsed, JSON_C_FLAGS, &parsed_len);
	assert_int_equal(parsed_len, ref_len);
	assert_memory_equal(parsed_text, ref_text, ref_len);

	json_tokener_free(tok);
	json_object_put(parsed);
	json_object_put(ref);
	json_object_put(taken);
	capture_close(&c);
}

static void emit_fn_arg(struct dmm_out *o, void *arg)
{
	((emit_fn)arg)(o);
}

static void test_json_paths_on_synthetic_packets(void **state)
{
	static const emit_fn emits[] = {emit_pbu,
	                                emit_tunneled_reply_with_errors,
	                                emit_plain,
	                                emit_mh_bu,
	                                emit_mip4_request,
	                                emit_udp_data,
	                                emit_sibling_tunnel,
	                                emit_long_unknown,
	                                emit_three_options_and_deep_nesting,
	                                emit_unbalanced_interleaved};
	struct dmm_json js, jt;
	dmm_json_init(&js, NULL);
	dmm_json_init(&jt, NULL);
	for (unsigned round = 0; round < 2; round++) /* the second time on reused arrays */
		for (size_t i = 0; i < sizeof(emits) / sizeof(emits[0]); i++)
			check_json_paths(&js, &jt, i + 1, DMM_OUT_ALL, emit_fn_arg,
			                 (void *)emits[i]);
	dmm_json_free(&js);
	dmm_json_free(&jt);
}

/* Random packets: repeats, interleaving, nesting beyond the tracked depth, unbalanced
 * ends, values under "dmm.error" and "dmm.order", one key text under two field pointers,
 * keys and error messages that need escaping. */
static const char dup_seq_abbrev[] = "tstmsg.seq";
static const struct dmm_field random_values[] = {
    {"tstmsg.seq", "Sequence", DMM_FT_UINT, 0, 0, NULL},
    {dup_seq_abbrev, "Sequence (same key)", DMM_FT_UINT, 0, 0, NULL},
    {"tstmsg.flag.a", "Flag", DMM_FT_BOOL, 0, 0, NULL},
    {"tstmsg.spi", "SPI", DMM_FT_HEX, 8, 0, NULL},
    {"tstmsg.nai", "NAI", DMM_FT_STRING, 0, 0, NULL},
    {"tstmsg.hnp", "Prefix", DMM_FT_PREFIX6, 0, 0, NULL},
    {"tst.src", "Address", DMM_FT_IPV6, 0, 0, NULL},
    {"tst.mac", "MAC", DMM_FT_ETHER, 0, 0, NULL},
    {"dmm.error", "Error as a value", DMM_FT_STRING, 0, 0, NULL},
    {"dmm.order", "Order as a value", DMM_FT_STRING, 0, 0, NULL},
    {"odd\"key\\\x01\x1f/\xc3\xa9\xff", "Odd key", DMM_FT_BYTES, 0, 0, NULL},
};
static const struct dmm_field random_nodes[] = {
    {"tstmsg", "Message", DMM_FT_NODE, 0, 0, NULL},
    {"tstmsg.opt", "Option", DMM_FT_NODE, 0, 0, NULL},
    {"tstmsg.seq", "Sequence as a node", DMM_FT_NODE, 0, 0, NULL},
    {"dmm.order", "Order as a node", DMM_FT_NODE, 0, 0, NULL},
};

static uint8_t random_octets[4096];

static void emit_random(struct dmm_out *o, void *arg)
{
	unsigned seed = *(unsigned *)arg;
	srand(seed);
	unsigned events = (unsigned)rand() % 80;
	if (seed % 16 == 0)
		for (unsigned i = 0; i < DMM_OUT_MAX_DEPTH + 3; i++)
			dmm_open(o, &random_nodes[rand() % 4], NULL);
	for (unsigned e = 0; e < events; e++) {
		int what = rand() % 10;
		if (what < 3) {
			dmm_open(o, &random_nodes[rand() % 4], NULL);
		} else if (what < 5) {
			dmm_close(o);
		} else if (what < 9) {
			const struct dmm_field *f = &random_values[rand() % 11];
			const uint8_t *p = random_octets + rand() % 2048;
			struct dmm_value v = {
			    .u = (uint64_t)rand() << 33 ^ (uint64_t)rand(),
			    .ptr = p,
			    .len = f->type == DMM_FT_IPV6 || f->type == DMM_FT_PREFIX6
			               ? 16
			               : (f->type == DMM_FT_ETHER ? 6 : rand() % 24),
			    .plen = (uint8_t)(rand() % 129)};
			if (rand() % 8 == 0)
				v.u = UINT64_MAX;
			o->ops->value(o->ctx, f, &v);
		} else {
			char msg[24];
			size_t n = (size_t)rand() % (sizeof(msg) - 1);
			for (size_t k = 0; k < n; k++)
				msg[k] = (char)(1 + rand() % 255);
			msg[n] = 0;
			dmm_error(o, msg);
		}
	}
}

static void test_json_paths_on_random_packets(void **state)
{
	srand(11);
	for (size_t i = 0; i < sizeof(random_octets); i++)
		random_octets[i] = (uint8_t)rand();
	struct dmm_json js, jt;
	dmm_json_init(&js, NULL);
	dmm_json_init(&jt, NULL);
	for (unsigned seed = 1; seed <= 3000; seed++)
		check_json_paths(&js, &jt, seed, DMM_OUT_ALL, emit_random, &seed);
	dmm_json_free(&js);
	dmm_json_free(&jt);
}

/* Every frame of every golden capture (pcaps/, or $DMM_PCAPS) through the three paths. */
struct pcap_frame {
	struct dmm_frame fr;
	const uint8_t *data;
};

static void emit_frame(struct dmm_out *o, void *arg)
{
	struct pcap_frame *pf = arg;
	dmm_dissect_frame(&pf->fr, pf->data, o);
}

static void test_json_paths_on_golden_pcaps(void **state)
{
	const char *dir = getenv("DMM_PCAPS") ? getenv("DMM_PCAPS") : "pcaps";
	DIR *d = opendir(dir);
	if (!d)
		fail_msg("cannot open %s (run from the source tree or set DMM_PCAPS)", dir);
	struct dmm_json js, jt;
	dmm_json_init(&js, NULL);
	dmm_json_init(&jt, NULL);
	unsigned files = 0, frames = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 5, ".pcap") != 0)
			continue;
		char path[4096], errbuf[PCAP_ERRBUF_SIZE];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		pcap_t *p = pcap_open_offline_with_tstamp_precision(
		    path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
		if (!p)
			fail_msg("%s: %s", path, errbuf);
		struct pcap_pkthdr *hdr;
		const u_char *data;
		struct pcap_frame pf = {.fr = {.linktype = pcap_datalink(p)}};
		while (pcap_next_ex(p, &hdr, &data) == 1) {
			pf.fr.number++;
			pf.fr.ts_sec = hdr->ts.tv_sec;
			pf.fr.ts_nsec = (uint32_t)hdr->ts.tv_usec;
			pf.fr.caplen = hdr->caplen;
			pf.fr.wirelen = hdr->len;
			pf.data = data;
			check_json_paths(&js, &jt, pf.fr.number, DMM_OUT_FRAME_STRINGS, emit_frame,
			                 &pf);
			frames++;
		}
		pcap_close(p);
		files++;
	}
	closedir(d);
	dmm_json_free(&js);
	dmm_json_free(&jt);
	assert_true(files >= 20);
	assert_true(frames >= 100);
}

/* ---- fields ---- */

static void test_fields_columns(void **state)
{
	static const char *const names[] = {"tstmsg.opt.type", "tstmsg.seq", "dmm.error",
	                                    "tst.src",         "tstmsg.nai", "tstmsg.opt.type"};
	struct capture c;
	struct dmm_fields x;
	capture_open(&c);
	assert_int_equal(dmm_fields_init(&x, c.fp, names, 6, NULL, NULL), 0);
	run_packet(&dmm_fields_backend, &x, 1, emit_pbu);
	run_packet(&dmm_fields_backend, &x, 2, emit_tunneled_reply_with_errors);
	run_packet(&dmm_fields_backend, &x, 3, emit_plain);
	assert_string_equal(capture_text(&c),
	                    "22,8\t4660\t\t2001:db8::1\tmn1@example.com\t22,8\n"
	                    "\t7,8\ttruncated,invalid: bad length\t2001:db8::1\t\t\n"
	                    "\t\t\t2001:db8::2\t\t\n");
	dmm_fields_free(&x);
	capture_close(&c);
}

static void test_fields_options(void **state)
{
	static const char *const names[] = {"tstmsg.opt.type", "tstmsg.seq"};
	struct dmm_fields_options opt;
	dmm_fields_options_default(&opt);
	assert_int_equal(dmm_fields_options_parse(&opt, "header=y"), 0);
	assert_int_equal(dmm_fields_options_parse(&opt, "separator=/s"), 0);
	assert_int_equal(dmm_fields_options_parse(&opt, "aggregator=;"), 0);
	assert_int_equal(dmm_fields_options_parse(&opt, "quote=d"), 0);
	assert_int_equal(dmm_fields_options_parse(&opt, "occurrence=a"), 0);
	assert_int_equal(dmm_fields_options_parse(&opt, "bogus=1"), -1);
	assert_int_equal(dmm_fields_options_parse(&opt, "header"), -1);
	assert_int_equal(dmm_fields_options_parse(&opt, "occurrence=x"), -1);

	struct capture c;
	struct dmm_fields x;
	capture_open(&c);
	assert_int_equal(dmm_fields_init(&x, c.fp, names, 2, &opt, NULL), 0);
	run_packet(&dmm_fields_backend, &x, 1, emit_pbu);
	assert_string_equal(capture_text(&c), "\"tstmsg.opt.type\" \"tstmsg.seq\"\n"
	                                      "\"22;8\" \"4660\"\n");
	dmm_fields_free(&x);
	capture_close(&c);

	dmm_fields_options_default(&opt);
	assert_int_equal(dmm_fields_options_parse(&opt, "occurrence=f"), 0);
	capture_open(&c);
	assert_int_equal(dmm_fields_init(&x, c.fp, names, 2, &opt, NULL), 0);
	run_packet(&dmm_fields_backend, &x, 1, emit_pbu);
	assert_int_equal(dmm_fields_options_parse(&x.opt, "occurrence=l"), 0);
	run_packet(&dmm_fields_backend, &x, 2, emit_tunneled_reply_with_errors);
	assert_string_equal(capture_text(&c), "22\t4660\n\t8\n");
	dmm_fields_free(&x);
	capture_close(&c);
}

static void test_fields_unknown_name(void **state)
{
	static const char *const names[] = {"tstmsg.seq", "no.such.field", "tst.src"};
	const char *unknown = NULL;
	struct dmm_fields x;
	assert_int_equal(dmm_fields_init(&x, stdout, names, 3, NULL, &unknown), -1);
	assert_string_equal(unknown, "no.such.field");
}

/* Many columns exercise the field-to-column map beyond its smallest size. */
static void test_fields_many_columns(void **state)
{
	const char *names[40];
	for (unsigned i = 0; i < 40; i++)
		names[i] = test_fields[i % 16].abbrev;
	struct capture c;
	struct dmm_fields x;
	capture_open(&c);
	assert_int_equal(dmm_fields_init(&x, c.fp, names, 40, NULL, NULL), 0);
	run_packet(&dmm_fields_backend, &x, 1, emit_pbu);
	const char *text = capture_text(&c);
	/* columns 7 (tstmsg.seq), 23 and 39 hold 4660 */
	char expect_row[1024] = "";
	const char *per_field[16] = {"",
	                             "2001:db8::1",
	                             "2001:db8::2",
	                             "",
	                             "",
	                             "",
	                             "",
	                             "4660",
	                             "",
	                             "1",
	                             "0x00001234",
	                             "",
	                             "22,8",
	                             "2001:db8:1::/64",
	                             "mn1@example.com",
	                             ""};
	for (unsigned i = 0; i < 40; i++) {
		if (i)
			strcat(expect_row, "\t");
		strcat(expect_row, per_field[i % 16]);
	}
	strcat(expect_row, "\n");
	assert_string_equal(text, expect_row);
	dmm_fields_free(&x);
	capture_close(&c);
}

/* ---- -G fields ---- */

static void test_list_fields(void **state)
{
	struct capture c;
	capture_open(&c);
	dmm_list_fields(c.fp);
	const char *text = capture_text(&c);
	assert_non_null(strstr(text, "P\tTest IPv6\ttst\n"));
	assert_non_null(
	    strstr(text, "F\tSequence Number\ttstmsg.seq\tFT_UINT64\ttstmsg\tBASE_DEC\t0x0\t\n"));
	assert_non_null(strstr(text, "F\tSPI\ttstmsg.spi\tFT_UINT64\ttstmsg\tBASE_HEX\t0x0\t\n"));
	assert_non_null(strstr(text, "F\tMobility Option\ttstmsg.opt\tFT_NONE\ttstmsg\t"));
	assert_non_null(strstr(text, "F\tDissection error\tdmm.error\tFT_STRING\tdmm\t"));
	assert_non_null(strstr(text, "\tdmm.unknown.data\tFT_BYTES\t"));
	capture_close(&c);
}

/* The printf-free label writers agree with printf and inet_ntop. */
static void test_put_writers(void **state)
{
	(void)state;
	static const uint64_t numbers[] = {0, 1, 9, 10, 99, 100, 65535, 4294967295u, UINT64_MAX};
	char got[64], want[64];
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
		for (unsigned width = 0; width <= 20; width += 3) {
			*dmm_put_zero_padded(got, numbers[i], width) = 0;
			snprintf(want, sizeof(want), "%0*llu", (int)width,
			         (unsigned long long)numbers[i]);
			assert_string_equal(got, want);
		}
	*dmm_put_decimal(got, 1234567) = 0;
	assert_string_equal(got, "1234567");
	static const char *const v6[] = {"::",
	                                 "::1",
	                                 "2001:db8::1",
	                                 "fe80::1:2:3:4",
	                                 "::ffff:1.2.3.4",
	                                 "2001:db8:0:1:1:1:1:1",
	                                 "1:0:0:1::1",
	                                 "ff02::1:ff00:1",
	                                 "2001:db8:1:2:3:4:5:6"};
	for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		uint8_t a[16];
		assert_int_equal(inet_pton(AF_INET6, v6[i], a), 1);
		inet_ntop(AF_INET6, a, want, sizeof(want));
		*dmm_put_address(got, DMM_FT_IPV6, a) = 0;
		assert_string_equal(got, want);
	}
	uint8_t a4[4] = {192, 0, 2, 255};
	*dmm_put_address(got, DMM_FT_IPV4, a4) = 0;
	assert_string_equal(got, "192.0.2.255");
	uint8_t mac[6] = {0x02, 0x00, 0x5e, 0x10, 0xab, 0xff};
	*dmm_put_address(got, DMM_FT_ETHER, mac) = 0;
	assert_string_equal(got, "02:00:5e:10:ab:ff");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fast_format_matches_dmm_format_value),
	    cmocka_unit_test(test_summary_pbu),
	    cmocka_unit_test(test_summary_innermost_addresses_and_errors),
	    cmocka_unit_test(test_summary_sibling_tunnel),
	    cmocka_unit_test(test_summary_message_node_by_name),
	    cmocka_unit_test(test_summary_protocol_label_fallbacks),
	    cmocka_unit_test(test_tree_pbu_and_errors),
	    cmocka_unit_test(test_tree_long_value_not_cut),
	    cmocka_unit_test(test_json_pbu_exact),
	    cmocka_unit_test(test_json_repeats_and_errors),
	    cmocka_unit_test(test_json_order_and_depth),
	    cmocka_unit_test(test_json_interleaved_order),
	    cmocka_unit_test(test_json_order_unbalanced),
	    cmocka_unit_test(test_json_escape_matches_json_c),
	    cmocka_unit_test(test_json_paths_on_synthetic_packets),
	    cmocka_unit_test(test_json_paths_on_random_packets),
	    cmocka_unit_test(test_json_paths_on_golden_pcaps),
	    cmocka_unit_test(test_fields_columns),
	    cmocka_unit_test(test_fields_options),
	    cmocka_unit_test(test_fields_unknown_name),
	    cmocka_unit_test(test_fields_many_columns),
	    cmocka_unit_test(test_list_fields),
	    cmocka_unit_test(test_put_writers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
