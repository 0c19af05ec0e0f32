/* TBA numbers of seeds 003/004 as named run-time constants (wire-facts §11). */
#include "numbers.h"

#include <stdlib.h>
#include <string.h>

struct dmm_numbers dmm_numbers = {
    .pmaar_opt = DMM_DEFAULT_PMAAR_OPT,
    .smaar_opt = DMM_DEFAULT_SMAAR_OPT,
    .haaro_t1 = DMM_DEFAULT_HAARO_T1,
    .haaro_t2 = DMM_DEFAULT_HAARO_T2,
    .haaro_t3 = DMM_DEFAULT_HAARO_T3,
    .haaro_hoti = DMM_DEFAULT_HAARO_HOTI,
    .haaro_coti = DMM_DEFAULT_HAARO_COTI,
    .haaro_hot = DMM_DEFAULT_HAARO_HOT,
    .haaro_cot = DMM_DEFAULT_HAARO_COT,
    .haaro_concurrent = DMM_DEFAULT_HAARO_CONCURRENT,
    .haaro_exp_home = DMM_DEFAULT_HAARO_EXP_HOME,
    .haaro_exp_coa = DMM_DEFAULT_HAARO_EXP_COA,
    .haaro_exp_both = DMM_DEFAULT_HAARO_EXP_BOTH,
    .mcauth_hdr_octets = 8,
};

struct number_slot {
	const char *name;
	uint8_t *slot;
	unsigned min, max;
};

static const struct number_slot slots[] = {
    {"pmaar", &dmm_numbers.pmaar_opt, 2, 255},
    {"smaar", &dmm_numbers.smaar_opt, 2, 255},
    {"haaro-t1", &dmm_numbers.haaro_t1, 128, 255}, /* skippable */
    {"haaro-t2", &dmm_numbers.haaro_t2, 1, 127},   /* non-skippable */
    {"haaro-t3", &dmm_numbers.haaro_t3, 1, 127},   /* non-skippable, long */
    {"haaro-hoti", &dmm_numbers.haaro_hoti, 1, 255},
    {"haaro-coti", &dmm_numbers.haaro_coti, 1, 255},
    {"haaro-hot", &dmm_numbers.haaro_hot, 1, 255},
    {"haaro-cot", &dmm_numbers.haaro_cot, 1, 255},
    {"haaro-concurrent", &dmm_numbers.haaro_concurrent, 0, 127},
    {"haaro-expired-home", &dmm_numbers.haaro_exp_home, 128, 255},
    {"haaro-expired-coa", &dmm_numbers.haaro_exp_coa, 128, 255},
    {"haaro-expired-both", &dmm_numbers.haaro_exp_both, 128, 255},
    {"mcauth-hdr", &dmm_numbers.mcauth_hdr_octets, 6, 8},
};

const char *const dmm_numbers_names[] = {
    "pmaar",
    "smaar",
    "haaro-t1",
    "haaro-t2",
    "haaro-t3",
    "haaro-hoti",
    "haaro-coti",
    "haaro-hot",
    "haaro-cot",
    "haaro-concurrent",
    "haaro-expired-home",
    "haaro-expired-coa",
    "haaro-expired-both",
    "mcauth-hdr",
    NULL,
};

#define MAX_HOOKS 8
static dmm_numbers_hook hooks[MAX_HOOKS];
static unsigned nhooks;

void dmm_numbers_on_change(dmm_numbers_hook hook)
{
	for (unsigned i = 0; i < nhooks; i++)
		if (hooks[i] == hook)
			return;
	if (nhooks < MAX_HOOKS)
		hooks[nhooks++] = hook;
}

static void changed(void)
{
	for (unsigned i = 0; i < nhooks; i++)
		hooks[i]();
}

static int set_quiet(const char *name, unsigned value)
{
	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		if (strcmp(slots[i].name, name) != 0)
			continue;
		if (value < slots[i].min || value > slots[i].max)
			return -1;
		if (slots[i].slot == &dmm_numbers.mcauth_hdr_octets && value != 6 && value != 8)
			return -1;
		*slots[i].slot = (uint8_t)value;
		return 0;
	}
	return -1;
}

int dmm_numbers_set(const char *name, unsigned value)
{
	if (set_quiet(name, value) < 0)
		return -1;
	changed();
	return 0;
}

int dmm_numbers_parse(const char *spec)
{
	char buf[512];
	char *save = NULL;
	if (strlen(spec) >= sizeof(buf))
		return -1;
	strcpy(buf, spec);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		char *end;
		if (!eq)
			return -1;
		*eq = 0;
		unsigned long v = strtoul(eq + 1, &end, 0);
		if (*end || eq[1] == 0 || v > 255 || set_quiet(tok, (unsigned)v) < 0)
			return -1;
	}
	changed();
	return 0;
}

int dmm_numbers_profile(const char *profile)
{
	if (strcmp(profile, "iana") == 0) {
		dmm_numbers.pmaar_opt = DMM_DEFAULT_PMAAR_OPT;
		dmm_numbers.smaar_opt = DMM_DEFAULT_SMAAR_OPT;
	} else if (strcmp(profile, "mad-pmipv6") == 0) {
		dmm_numbers.pmaar_opt = 29;
		dmm_numbers.smaar_opt = 28;
	} else {
		return -1;
	}
	changed();
	return 0;
}
