/* Unit tests: key store (RFC 5944 §3.5 SPI/key pairs, RFC 6521 KRm) and TBA number settings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "keys.h"
#include "numbers.h"

#include <string.h>

static void test_mnha_text_and_hex_keys(void **state)
{
	memset(&dmm_keys, 0, sizeof(dmm_keys));
	assert_int_equal(dmm_keys_add_mnha("0x100:1234567812345678"), 0);
	assert_int_equal(dmm_keys_add_mnha("257:0x00112233"), 0);
	const struct dmm_spi_key *k = dmm_keys_find(dmm_keys.mnha, dmm_keys.n_mnha, 0x100);
	assert_non_null(k);
	assert_int_equal(k->len, 16);
	assert_memory_equal(k->key, "1234567812345678", 16);
	k = dmm_keys_find(dmm_keys.mnha, dmm_keys.n_mnha, 257);
	assert_non_null(k);
	assert_int_equal(k->len, 4);
	assert_int_equal(k->key[3], 0x33);
	assert_null(dmm_keys_find(dmm_keys.mnha, dmm_keys.n_mnha, 7));
}

static void test_bad_key_specs_rejected(void **state)
{
	memset(&dmm_keys, 0, sizeof(dmm_keys));
	assert_int_equal(dmm_keys_add_mnha("nocolon"), -1);
	assert_int_equal(dmm_keys_add_mnha("12x:abc"), -1);
	assert_int_equal(dmm_keys_add_mnha("1:"), -1);
	assert_int_equal(dmm_keys_add_mnha("1:0xabc"), -1); /* odd hex digits */
	assert_int_equal(dmm_keys_add_krm("4ab3"), -1);     /* KRm is 20 octets */
	assert_int_equal(dmm_keys_add_krm("4ab3be1f5e861247041584e7df9b98996d9a9ee2"), 0);
	assert_int_equal(dmm_keys.krm[0][19], 0xe2);
	assert_int_equal(dmm_keys.n_mnha, 0);
}

static void test_key_table_bounded(void **state)
{
	memset(&dmm_keys, 0, sizeof(dmm_keys));
	for (int i = 0; i < DMM_MAX_KEYS; i++)
		assert_int_equal(dmm_keys_add_mh_auth("300:k"), 0);
	assert_int_equal(dmm_keys_add_mh_auth("300:k"), -1);
}

static int hook_calls;
static void count_hook(void)
{
	hook_calls++;
}

static void test_tba_numbers(void **state)
{
	dmm_numbers_on_change(count_hook);
	hook_calls = 0;
	assert_int_equal(dmm_numbers_parse("haaro-t1=200,haaro-hoti=30"), 0);
	assert_int_equal(dmm_numbers.haaro_t1, 200);
	assert_int_equal(dmm_numbers.haaro_hoti, 30);
	assert_int_equal(hook_calls, 1);
	/* skippable extension numbers must stay 128-255, non-skippable 1-127 */
	assert_int_equal(dmm_numbers_set("haaro-t1", 100), -1);
	assert_int_equal(dmm_numbers_set("haaro-t2", 150), -1);
	assert_int_equal(dmm_numbers_set("mcauth-hdr", 7), -1);
	assert_int_equal(dmm_numbers_set("mcauth-hdr", 6), 0);
	assert_int_equal(dmm_numbers_parse("haaro-t1"), -1);
	assert_int_equal(dmm_numbers_parse("haaro-t1="), -1);
	assert_int_equal(dmm_numbers_profile("bogus"), -1);
	dmm_numbers_set("haaro-t1", DMM_DEFAULT_HAARO_T1);
	dmm_numbers_set("haaro-hoti", DMM_DEFAULT_HAARO_HOTI);
	dmm_numbers_set("mcauth-hdr", 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mnha_text_and_hex_keys),
	    cmocka_unit_test(test_bad_key_specs_rejected),
	    cmocka_unit_test(test_key_table_bounded),
	    cmocka_unit_test(test_tba_numbers),
	};
	return cmocka_run_group_tests_name("keys", tests, NULL, NULL);
}
