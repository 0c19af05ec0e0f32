/* Unit tests of HAARO compression (seed 003 §4.1-4.2, §5.5) and RR keys (§3.2, wire-facts §12). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "haaro.h"

#include <stdio.h>
#include <string.h>

static const char *const example_realms[] = {
    "foo.example.com", "bar.foo.example.com", "buz.foo.example.org",
    "example.com",     "bar.example.com.org",
};

/* seed 003 §4.2.3 / wire-facts §10.5 output of each realm */
static const uint8_t example_out[] = {
    0x03, 'f',  'o',  'o',  0x07, 'e',  'x',  'a',  'm',  'p',  'l',  'e',  0x03, 'c',
    'o',  'm',  0x00, 0x03, 'b',  'a',  'r',  0x83, 0x00, 0x03, 'b',  'u',  'z',  0x80,
    0x81, 0x03, 'o',  'r',  'g',  0x00, 0x84, 0x00, 0x85, 0x84, 0x87, 0x00,
};

static const char *const example_dict[] = {
    "foo", "example", "com", "foo.example.com", "example.com", "bar", "buz", "org",
};

static void assert_dict(const struct haaro_dict *d)
{
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(d->len[i], strlen(example_dict[i]));
		assert_memory_equal(d->str[i], example_dict[i], d->len[i]);
	}
	assert_int_equal(d->len[8], 0);
	assert_int_equal(d->next, 8);
}

static struct haaro_dict dict; /* large: kept off the stack */

static void test_realm_example_encode(void **state)
{
	uint8_t buf[128];
	struct dmm_wbuf w;
	wb_init(&w, buf, sizeof(buf));
	haaro_dict_reset(&dict);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(
		    haaro_realm_encode(&dict, example_realms[i], strlen(example_realms[i]), &w), 0);
	assert_int_equal(w.len, sizeof(example_out));
	assert_memory_equal(buf, example_out, sizeof(example_out));
	/* 35 octets without the five end marks (wire-facts §10.5 [X]) */
	assert_int_equal(w.len - 5, 35);
	assert_dict(&dict);
}

static void test_realm_example_decode(void **state)
{
	struct dmm_cursor c;
	char out[HAARO_REALM_MAX];
	cur_init(&c, example_out, sizeof(example_out));
	haaro_dict_reset(&dict);
	for (unsigned i = 0; i < 5; i++) {
		int n = haaro_realm_decode(&dict, &c, out);
		assert_int_equal(n, strlen(example_realms[i]));
		assert_memory_equal(out, example_realms[i], (size_t)n);
	}
	assert_int_equal(cur_left(&c), 0);
	assert_dict(&dict);
}

static void test_realm_empty_and_literal(void **state)
{
	uint8_t buf[64];
	struct dmm_wbuf w;
	wb_init(&w, buf, sizeof(buf));
	haaro_dict_reset(&dict);
	assert_int_equal(haaro_realm_encode(&dict, "", 0, &w), 0);
	assert_int_equal(haaro_realm_encode(NULL, "a.b", 3, &w), 0);
	assert_int_equal(haaro_realm_encode(NULL, "a.b", 3, &w), 0);
	static const uint8_t expect[] = {0, 1, 'a', 1, 'b', 0, 1, 'a', 1, 'b', 0};
	assert_int_equal(w.len, sizeof(expect));
	assert_memory_equal(buf, expect, sizeof(expect));
	assert_int_equal(dict.len[0], 0); /* no dictionary: nothing added */
}

static void test_realm_encode_rejects(void **state)
{
	uint8_t buf[600];
	char longlabel[HAARO_LABEL_MAX + 1];
	char longrealm[HAARO_REALM_MAX + 2];
	struct dmm_wbuf w;
	memset(longlabel, 'x', sizeof(longlabel));
	memset(longrealm, 'y', sizeof(longrealm));
	for (size_t i = 1; i < sizeof(longrealm); i += 2)
		longrealm[i] = '.';
	longrealm[sizeof(longrealm) - 1] = 'y';
	wb_init(&w, buf, sizeof(buf));
	haaro_dict_reset(&dict);
	assert_int_equal(haaro_realm_encode(&dict, "a..b", 4, &w), -1);
	assert_int_equal(haaro_realm_encode(&dict, ".a", 2, &w), -1);
	assert_int_equal(haaro_realm_encode(&dict, "a.", 2, &w), -1);
	assert_int_equal(haaro_realm_encode(&dict, longlabel, sizeof(longlabel), &w), -1);
	assert_int_equal(haaro_realm_encode(&dict, longlabel, HAARO_LABEL_MAX, &w), 0);
	assert_int_equal(haaro_realm_encode(&dict, longrealm, sizeof(longrealm), &w), -1);
	assert_int_equal(haaro_realm_encode(&dict, longrealm, HAARO_REALM_MAX, &w), 0);
	wb_init(&w, buf, 3);
	assert_int_equal(haaro_realm_encode(NULL, "abc", 3, &w), -1); /* overflow */
}

static void test_realm_dict_wraps(void **state)
{
	uint8_t buf[1024];
	char label[4];
	struct dmm_wbuf w;
	struct dmm_cursor c;
	char out[HAARO_REALM_MAX];
	wb_init(&w, buf, sizeof(buf));
	haaro_dict_reset(&dict);
	/* 129 one-label realms: the 129th overwrites slot 0 */
	for (unsigned i = 0; i < 129; i++) {
		snprintf(label, sizeof(label), "%03u", i);
		assert_int_equal(haaro_realm_encode(&dict, label, 3, &w), 0);
	}
	assert_int_equal(dict.next, 1);
	assert_memory_equal(dict.str[0], "128", 3);
	assert_int_equal(haaro_realm_encode(&dict, "128", 3, &w), 0);
	assert_int_equal(buf[w.len - 2], 0x80);
	assert_int_equal(haaro_realm_encode(&dict, "000", 3, &w), 0); /* gone: literal again */
	assert_int_equal(buf[w.len - 5], 3);
	/* the decoder mirrors it */
	cur_init(&c, buf, w.len);
	haaro_dict_reset(&dict);
	for (unsigned i = 0; i < 129; i++)
		assert_int_equal(haaro_realm_decode(&dict, &c, out), 3);
	assert_int_equal(haaro_realm_decode(&dict, &c, out), 3);
	assert_memory_equal(out, "128", 3);
	assert_int_equal(haaro_realm_decode(&dict, &c, out), 3);
	assert_memory_equal(out, "000", 3);
	assert_int_equal(cur_left(&c), 0);
}

static void test_realm_decode_errors(void **state)
{
	struct dmm_cursor c;
	char out[HAARO_REALM_MAX];
	static const uint8_t empty_slot[] = {0x85, 0x00};
	static const uint8_t dotted[] = {0x03, 'a', '.', 'b', 0x00};
	static const uint8_t cut_label[] = {0x05, 'a', 'b'};
	static const uint8_t no_end[] = {0x01, 'a'};
	uint8_t too_long[300];

	haaro_dict_reset(&dict);
	cur_init(&c, empty_slot, sizeof(empty_slot));
	assert_int_equal(haaro_realm_decode(&dict, &c, out), -1);
	assert_int_equal(c.err, DMM_EINVAL);
	assert_string_equal(c.why, "realm dictionary index refers to an empty slot");

	cur_init(&c, dotted, sizeof(dotted));
	assert_int_equal(haaro_realm_decode(&dict, &c, out), -1);
	assert_string_equal(c.why, "realm label contains a dot");

	cur_init(&c, cut_label, sizeof(cut_label));
	assert_int_equal(haaro_realm_decode(&dict, &c, out), -1);
	assert_int_equal(c.err, DMM_ETRUNC);

	cur_init(&c, no_end, sizeof(no_end));
	assert_int_equal(haaro_realm_decode(&dict, &c, out), -1);
	assert_int_equal(c.err, DMM_ETRUNC);

	/* a 127-octet label, then the same label by index twice: 255 octets fit, 383 do not */
	haaro_dict_reset(&dict);
	too_long[0] = 127;
	memset(too_long + 1, 'z', 127);
	too_long[128] = 0x80;
	too_long[129] = 0x80;
	too_long[130] = 0x00;
	cur_init(&c, too_long, 131);
	assert_int_equal(haaro_realm_decode(&dict, &c, out), -1);
	assert_string_equal(c.why, "realm longer than 255 octets");
	haaro_dict_reset(&dict);
	too_long[128] = 0x00;
	cur_init(&c, too_long, 129);
	assert_int_equal(haaro_realm_decode(&dict, &c, out), 127);
}

/* wire-facts §12 Prefix Advertisement data (after the 4-octet long header) */
static const uint8_t pfx_data[] = {
    0x40, 0xc0, 0x00, 0x02, 0x01, /* M=1 HoA */
    0x1c, 0xc0, 0x00, 0x02, 0x00, /* /28 master */
    0x03, 'f',  'o',  'o',  0x07, 'e',  'x',  'a', 'm', 'p', 'l',  'e',  0x03,
    'c',  'o',  'm',  0x00, 0x9a, 0x09, 0x03, 'b', 'a', 'r', 0x83, 0x00, /* /26 delta */
    0x99, 0x05, 0x00, /* /25 delta, empty realm */
};

static struct haaro_pfx_info example_infos[4] = {
    {.m = 1, .hoa = {192, 0, 2, 1}},
    {.plen_info = 28, .prefix = {192, 0, 2, 0}, .realm = "foo.example.com", .realm_len = 15},
    {.plen_info = 26, .prefix = {192, 0, 2, 64}, .realm = "bar.foo.example.com", .realm_len = 19},
    {.plen_info = 25, .prefix = {192, 0, 2, 128}, .realm = "", .realm_len = 0},
};

static void test_pfx_example_encode(void **state)
{
	uint8_t buf[128];
	struct dmm_wbuf w;
	wb_init(&w, buf, sizeof(buf));
	assert_int_equal(haaro_pfx_encode(example_infos, 4, 0, &w), 0);
	assert_int_equal(w.len, sizeof(pfx_data));
	assert_memory_equal(buf, pfx_data, sizeof(pfx_data));
	assert_int_equal(sizeof(pfx_data), 0x26);
}

static struct haaro_pfx_reader reader;

static void assert_decodes_to_example(const uint8_t *data, size_t len, const uint8_t *d_flags)
{
	struct haaro_pfx_info info;
	haaro_pfx_reader_init(&reader, data, len);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(haaro_pfx_next(&reader, &info), 1);
		assert_int_equal(info.m, example_infos[i].m);
		assert_int_equal(info.d, d_flags[i]);
		if (info.m) {
			assert_memory_equal(info.hoa, example_infos[i].hoa, 4);
			continue;
		}
		assert_int_equal(info.plen_info, example_infos[i].plen_info);
		assert_memory_equal(info.prefix, example_infos[i].prefix, 4);
		assert_int_equal(info.realm_len, example_infos[i].realm_len);
		assert_memory_equal(info.realm, example_infos[i].realm, info.realm_len);
	}
	assert_int_equal(haaro_pfx_next(&reader, &info), 0);
}

static void test_pfx_example_decode(void **state)
{
	static const uint8_t d_flags[4] = {0, 0, 1, 1};
	assert_decodes_to_example(pfx_data, sizeof(pfx_data), d_flags);
}

static void test_pfx_uncompressed_round_trip(void **state)
{
	static const uint8_t d_flags[4] = {0, 0, 0, 0};
	uint8_t buf[128];
	struct dmm_wbuf w;
	wb_init(&w, buf, sizeof(buf));
	assert_int_equal(
	    haaro_pfx_encode(example_infos, 4, HAARO_PFX_NO_DELTA | HAARO_PFX_NO_REALM_DICT, &w),
	    0);
	assert_true(w.len > sizeof(pfx_data));
	assert_decodes_to_example(buf, w.len, d_flags);
}

static void test_pfx_delta_rules(void **state)
{
	struct haaro_pfx_info infos[] = {
	    {.m = 1, .plen_info = 1, .hoa = {10, 0, 0, 1}},
	    {.plen_info = 24, .prefix = {10, 1, 1, 0}},
	    {.plen_info = 24, .prefix = {10, 2, 1, 0}},  /* differs above bit 16: new master */
	    {.plen_info = 4, .prefix = {0x10, 0, 0, 0}}, /* PLen < 8: never a delta */
	    {.plen_info = 8, .prefix = {11, 0, 0, 0}},   /* PLen 8: always a delta */
	    {.plen_info = 0},                            /* /0: no prefix octets */
	    {.plen_info = 32, .prefix = {16, 0, 0, 9}},  /* the /0 master differs */
	};
	static const uint8_t expect[] = {
	    0x41, 10,   0, 0, 1,    /* info 1 = outbound only */
	    0x18, 10,   1, 1, 0,    /* /24 master */
	    0x18, 10,   2, 1, 0,    /* /24 master again */
	    0x04, 0x10, 0,          /* /4 master */
	    0x88, 11,   0,          /* /8 delta */
	    0x00, 0,                /* /0 master */
	    0x20, 16,   0, 0, 9, 0, /* /32: master /0 differs */
	};
	uint8_t buf[64];
	struct dmm_wbuf w;
	struct haaro_pfx_info info;
	wb_init(&w, buf, sizeof(buf));
	assert_int_equal(haaro_pfx_encode(infos, 7, 0, &w), 0);
	assert_int_equal(w.len, sizeof(expect));
	assert_memory_equal(buf, expect, sizeof(expect));
	haaro_pfx_reader_init(&reader, buf, w.len);
	for (unsigned i = 0; i < 7; i++) {
		assert_int_equal(haaro_pfx_next(&reader, &info), 1);
		assert_int_equal(info.plen_info, infos[i].plen_info);
		if (!info.m)
			assert_memory_equal(info.prefix, infos[i].prefix, 4);
	}
	assert_int_equal(haaro_pfx_next(&reader, &info), 0);
}

static void test_pfx_encode_rejects(void **state)
{
	struct haaro_pfx_info first_prefix[] = {{.plen_info = 8, .prefix = {10}}};
	struct haaro_pfx_info plen33[] = {{.m = 1}, {.plen_info = 33}};
	struct haaro_pfx_info info64[] = {{.m = 1, .plen_info = 64}};
	struct haaro_pfx_info bad_realm[] = {{.m = 1},
	                                     {.plen_info = 8, .realm = "a..b", .realm_len = 4}};
	uint8_t buf[64];
	struct dmm_wbuf w;
	wb_init(&w, buf, sizeof(buf));
	assert_int_equal(haaro_pfx_encode(first_prefix, 1, 0, &w), -1);
	assert_int_equal(haaro_pfx_encode(first_prefix, 0, 0, &w), -1);
	assert_int_equal(haaro_pfx_encode(plen33, 2, 0, &w), -1);
	assert_int_equal(haaro_pfx_encode(info64, 1, 0, &w), -1);
	assert_int_equal(haaro_pfx_encode(bad_realm, 2, 0, &w), -1);
	wb_init(&w, buf, 4);
	assert_int_equal(haaro_pfx_encode(example_infos, 4, 0, &w), -1);
}

static void expect_pfx_invalid(const uint8_t *data, size_t len, unsigned good, const char *why)
{
	struct haaro_pfx_info info;
	haaro_pfx_reader_init(&reader, data, len);
	for (unsigned i = 0; i < good; i++)
		assert_int_equal(haaro_pfx_next(&reader, &info), 1);
	assert_int_equal(haaro_pfx_next(&reader, &info), -1);
	assert_int_equal(reader.c.err, DMM_EINVAL);
	assert_string_equal(reader.c.why, why);
	assert_int_equal(haaro_pfx_next(&reader, &info), -1); /* the error stays */
}

static void test_pfx_decode_errors(void **state)
{
	static const uint8_t first_m0[] = {0x08, 10, 0};
	static const uint8_t plen33[] = {0x40, 1, 2, 3, 4, 0x21, 1, 2, 3, 4, 5, 0};
	static const uint8_t delta_first[] = {0x40, 1, 2, 3, 4, 0x88, 10, 0};
	static const uint8_t cut_hoa[] = {0x40, 1, 2};
	static const uint8_t cut_prefix[] = {0x40, 1, 2, 3, 4, 0x18, 10, 1};
	static const uint8_t cut_realm[] = {0x40, 1, 2, 3, 4, 0x08, 10, 0x03, 'a'};
	static const uint8_t bad_index[] = {0x40, 1, 2, 3, 4, 0x08, 10, 0x81, 0x00};
	expect_pfx_invalid(first_m0, 0, 0, "Prefix Advertisement without information structures");
	expect_pfx_invalid(first_m0, sizeof(first_m0), 0, "first information structure has M=0");
	expect_pfx_invalid(plen33, sizeof(plen33), 1, "prefix length above 32");
	expect_pfx_invalid(delta_first, sizeof(delta_first), 1,
	                   "delta prefix without a master prefix");
	expect_pfx_invalid(cut_hoa, sizeof(cut_hoa), 0,
	                   "information structure overruns the extension");
	expect_pfx_invalid(cut_prefix, sizeof(cut_prefix), 1,
	                   "information structure overruns the extension");
	expect_pfx_invalid(cut_realm, sizeof(cut_realm), 1,
	                   "information structure overruns the extension");
	expect_pfx_invalid(bad_index, sizeof(bad_index), 1,
	                   "realm dictionary index refers to an empty slot");
}

/* The dictionary and master are per extension: a second reader starts empty. */
static void test_pfx_state_per_extension(void **state)
{
	static const uint8_t second[] = {0x40, 1, 2, 3, 4, 0x9a, 0x09, 0x83, 0x00};
	struct haaro_pfx_info info;
	haaro_pfx_reader_init(&reader, pfx_data, sizeof(pfx_data));
	while (haaro_pfx_next(&reader, &info) == 1)
		;
	expect_pfx_invalid(second, sizeof(second), 1, "delta prefix without a master prefix");
}

/* wire-facts §12 HAARO RR vectors */
static const uint8_t kcr[HAARO_KCR_LEN] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t hoa[4] = {192, 0, 2, 1};
static const uint8_t coa[4] = {203, 0, 113, 7};
#define NONCE 0x0102030405060708ull
#define HOME_TOKEN 0x111ee49850f4e508ull
#define CAREOF_TOKEN 0x9e68ce3122fc6696ull

static void test_rr_tokens(void **state)
{
	uint64_t token = 0;
	assert_int_equal(haaro_keygen_token(kcr, hoa, NONCE, 0, &token), 0);
	assert_true(token == HOME_TOKEN);
	assert_int_equal(haaro_keygen_token(kcr, coa, NONCE, 1, &token), 0);
	assert_true(token == CAREOF_TOKEN);
	/* the trailing octet matters */
	assert_int_equal(haaro_keygen_token(kcr, hoa, NONCE, 1, &token), 0);
	assert_true(token != HOME_TOKEN);
}

static void test_rr_krm(void **state)
{
	static const uint8_t krm_expect[HAARO_KRM_LEN] = {0x4a, 0xb3, 0xbe, 0x1f, 0x5e, 0x86, 0x12,
	                                                  0x47, 0x04, 0x15, 0x84, 0xe7, 0xdf, 0x9b,
	                                                  0x98, 0x99, 0x6d, 0x9a, 0x9e, 0xe2};
	static const uint8_t dereg_expect[HAARO_KRM_LEN] = {
	    0x69, 0x04, 0x46, 0x59, 0xde, 0x53, 0x17, 0xa3, 0xee, 0x76,
	    0x55, 0xbc, 0x90, 0x1a, 0x84, 0x59, 0x08, 0x04, 0xbd, 0xe0};
	uint8_t krm[HAARO_KRM_LEN];
	assert_int_equal(haaro_krm(HOME_TOKEN, CAREOF_TOKEN, krm), 0);
	assert_memory_equal(krm, krm_expect, sizeof(krm));
	assert_int_equal(haaro_krm_dereg(HOME_TOKEN, krm), 0);
	assert_memory_equal(krm, dereg_expect, sizeof(krm));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_realm_example_encode),
	    cmocka_unit_test(test_realm_example_decode),
	    cmocka_unit_test(test_realm_empty_and_literal),
	    cmocka_unit_test(test_realm_encode_rejects),
	    cmocka_unit_test(test_realm_dict_wraps),
	    cmocka_unit_test(test_realm_decode_errors),
	    cmocka_unit_test(test_pfx_example_encode),
	    cmocka_unit_test(test_pfx_example_decode),
	    cmocka_unit_test(test_pfx_uncompressed_round_trip),
	    cmocka_unit_test(test_pfx_delta_rules),
	    cmocka_unit_test(test_pfx_encode_rejects),
	    cmocka_unit_test(test_pfx_decode_errors),
	    cmocka_unit_test(test_pfx_state_per_extension),
	    cmocka_unit_test(test_rr_tokens),
	    cmocka_unit_test(test_rr_krm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
