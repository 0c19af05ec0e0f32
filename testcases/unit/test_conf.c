/* Unit tests: daemon configuration files (dmmd(8) format) and the role keyword tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "conf.h"
#include "ev.h"
#include "role.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static void test_statements_blocks_quotes_comments(void **state)
{
	char err[256];
	struct conf *cf = conf_parse("# comment\n"
	                             "role lma   # trailing\n"
	                             "policy \"flow; tcp port 80 -> label 9\"\n"
	                             "peer a {\n"
	                             "\taddress 2001:db8::1\n"
	                             "}\n"
	                             "peer b{\n"
	                             "}\n",
	                             "t.conf", err, sizeof(err));
	assert_non_null(cf);
	const struct conf_node *n = cf->root;
	assert_string_equal(n->key, "role");
	assert_int_equal(n->argc, 1);
	assert_string_equal(n->argv[0], "lma");
	assert_int_equal(n->line, 2);
	n = n->next;
	assert_string_equal(n->argv[0], "flow; tcp port 80 -> label 9");
	n = n->next;
	assert_true(n->has_block);
	assert_string_equal(n->child->key, "address");
	assert_int_equal(n->child->line, 5);
	n = n->next;
	assert_string_equal(n->key, "peer");
	assert_string_equal(n->argv[0], "b"); /* "b{" splits */
	assert_true(n->has_block);
	assert_null(n->child);
	struct json_object *j = conf_to_json(cf->root);
	assert_int_equal(json_object_array_length(j), 4);
	json_object_put(j);
	conf_free(cf);
}

static void expect_error(const char *text, const char *want)
{
	char err[256] = "";
	struct conf *cf = conf_parse(text, "x.conf", err, sizeof(err));
	assert_null(cf);
	if (!strstr(err, want))
		fail_msg("error '%s' does not contain '%s'", err, want);
}

static void test_syntax_errors_name_file_and_line(void **state)
{
	expect_error("role lma\npeer a {\n", "x.conf:2: block not closed");
	expect_error("role lma\n}\n", "x.conf:2: '}' without an open block");
	expect_error("a \"unterminated\n", "x.conf:1: unterminated quote");
	expect_error("a 1 2 3 4 5 6 7 8 9\n", "x.conf:1: too many arguments");
	expect_error("a { b\n}\n", "x.conf:1:");
	expect_error("a {\nb {\nc {\nd {\ne {\n}\n}\n}\n}\n}\n", "nested too deep");
}

/* Apply through the daemon's tables: role_setup reports file:line for values. */
static void expect_setup_error(const char *text, const char *want)
{
	char err[256] = "";
	struct dmmd d = {.loop = ev_loop_new()};
	struct conf *cf = conf_parse(text, "y.conf", err, sizeof(err));
	assert_non_null(cf);
	void *st = role_setup(&d, cf, err, sizeof(err));
	assert_null(st);
	if (!strstr(err, want))
		fail_msg("error '%s' does not contain '%s'", err, want);
	conf_free(cf);
	ev_loop_free(d.loop);
}

#define LMA_BASE "role lma\naddress 2001:db8::1\nhnp-pool 2001:db8:100::/48 64\n"

static void test_semantic_errors(void **state)
{
	expect_setup_error("address 2001:db8::1\n", "missing 'role");
	expect_setup_error("role ha\n", "y.conf:1: unknown role 'ha'");
	expect_setup_error(LMA_BASE "frobnicate 1\n", "y.conf:4: unknown keyword 'frobnicate'");
	expect_setup_error(LMA_BASE "multipath maybe\n", "y.conf:4: multipath: 'maybe' is not one");
	expect_setup_error(LMA_BASE "peer m {\n address nope\n}\n", "y.conf:5: address:");
	expect_setup_error(LMA_BASE "peer m {\n address ::1\n spi 12\n key k\n}\n",
	                   "y.conf:6: spi:");
	expect_setup_error(LMA_BASE "peer m {\n address ::1\n}\n", "needs an spi and a key");
	expect_setup_error(LMA_BASE "hnp-pool 2001:db8:100::1/48\n", "bits set beyond");
	expect_setup_error(LMA_BASE "peer m\n", "'peer' needs a { } block");
	expect_setup_error(LMA_BASE "address\n", "'address' takes 1 to 1 arguments");
	expect_setup_error("role lma\nhnp-pool 2001:db8::/48\n",
	                   "'address' (the LMAA) is required");
	expect_setup_error("role mag\npeer l {\n address ::1\n spi 300\n key k\n}\n"
	                   "wan a {\n address ::2\n}\n",
	                   "wan 'a' needs an address and a label");
	expect_setup_error("role mag\npeer l {\n address ::1\n spi 300\n key k\n}\n"
	                   "wan a {\n address ::2\n label 1\n}\n",
	                   "'mag-id' is required");
	expect_setup_error("role mag\nmag-id m\npeer l {\n address ::1\n spi 300\n key k\n}\n"
	                   "wan a {\n address ::2\n label 1\n bid 1\n}\n"
	                   "wan b {\n address ::3\n label 2\n bid 1\n}\n",
	                   "share BID 1");
}

static void test_example_configs_are_valid(void **state)
{
	static const char *const files[] = {"tools/examples/lma.conf", "tools/examples/mag.conf"};
	for (int i = 0; i < 2; i++) {
		char err[256];
		struct dmmd d = {.loop = ev_loop_new()};
		struct conf *cf = conf_load(files[i], err, sizeof(err));
		if (!cf)
			fail_msg("%s", err);
		void *st = role_setup(&d, cf, err, sizeof(err));
		if (!st)
			fail_msg("%s", err);
		assert_string_equal(d.role->name, i ? "mag" : "lma");
		assert_true(d.ctl_path[0] != 0);
		d.role->free(st);
		conf_free(cf);
		ev_loop_free(d.loop);
	}
}

static void test_value_parsers(void **state)
{
	char err[128];
	unsigned long v;
	uint8_t a[16], plen;
	int b;
	assert_int_equal(conf_uint("0x10", 0, 100, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 16);
	assert_int_equal(conf_uint("-1", 0, 100, &v, err, sizeof(err)), -1);
	assert_int_equal(conf_uint("101", 0, 100, &v, err, sizeof(err)), -1);
	assert_int_equal(conf_uint("7x", 0, 100, &v, err, sizeof(err)), -1);
	assert_int_equal(conf_bool("yes", &b, err, sizeof(err)), 0);
	assert_int_equal(b, 1);
	assert_int_equal(conf_bool("off", &b, err, sizeof(err)), 0);
	assert_int_equal(b, 0);
	assert_int_equal(conf_prefix6("2001:db8::/32", a, &plen, err, sizeof(err)), 0);
	assert_int_equal(plen, 32);
	assert_int_equal(conf_prefix6("2001:db8::/129", a, &plen, err, sizeof(err)), -1);
	assert_int_equal(conf_prefix6("2001:db8::", a, &plen, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_statements_blocks_quotes_comments),
	    cmocka_unit_test(test_syntax_errors_name_file_and_line),
	    cmocka_unit_test(test_semantic_errors),
	    cmocka_unit_test(test_example_configs_are_valid),
	    cmocka_unit_test(test_value_parsers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
