/* Numbers the drafts leave TBA (seed 003 §10, seed 004 §5): named, with wire-facts §11 defaults. */
#ifndef DMM_NUMBERS_H
#define DMM_NUMBERS_H

#include <stdint.h>

/* Defaults (RFC 6521 §10 and RFC 8885 IANA assignments). */
#define DMM_DEFAULT_PMAAR_OPT 67       /* Previous MAAR mobility option (seed 004 TBA) */
#define DMM_DEFAULT_SMAAR_OPT 68       /* Serving MAAR mobility option (seed 004 TBA) */
#define DMM_DEFAULT_HAARO_T1 153       /* MRROCAP extension, skippable short */
#define DMM_DEFAULT_HAARO_T2 49        /* RO extensions: ROR 1, MC-Auth 2, CoA 3 */
#define DMM_DEFAULT_HAARO_T3 50        /* RO data: Prefix Advertisement 1 (long) */
#define DMM_DEFAULT_HAARO_HOTI 24      /* TBA_MIP1 */
#define DMM_DEFAULT_HAARO_COTI 25      /* TBA_MIP2 */
#define DMM_DEFAULT_HAARO_HOT 26       /* TBA_MIP3 */
#define DMM_DEFAULT_HAARO_COT 27       /* TBA_MIP4 */
#define DMM_DEFAULT_HAARO_CONCURRENT 2 /* TBA_S1 reply code */
#define DMM_DEFAULT_HAARO_EXP_HOME 201 /* TBA_C1 */
#define DMM_DEFAULT_HAARO_EXP_COA 202  /* TBA_C2 */
#define DMM_DEFAULT_HAARO_EXP_BOTH 203 /* TBA_C3 */

/* Run-time values; read them through dmm_numbers, change them only through
 * dmm_numbers_set() so that the registries' lookup indexes are rebuilt. */
struct dmm_numbers {
	uint8_t pmaar_opt;
	uint8_t smaar_opt;
	uint8_t haaro_t1;
	uint8_t haaro_t2;
	uint8_t haaro_t3;
	uint8_t haaro_hoti;
	uint8_t haaro_coti;
	uint8_t haaro_hot;
	uint8_t haaro_cot;
	uint8_t haaro_concurrent;
	uint8_t haaro_exp_home;
	uint8_t haaro_exp_coa;
	uint8_t haaro_exp_both;
	uint8_t mcauth_hdr_octets; /* 8 (Type..CNI, default) or 6 (literal Type, Len, HNI, CNI) */
};

extern struct dmm_numbers dmm_numbers;

/* Set a number by name ("pmaar", "smaar", "haaro-t1", ..., "mcauth-hdr"); returns 0,
 * or -1 for an unknown name or an out-of-range value. */
int dmm_numbers_set(const char *name, unsigned value);
/* Parse "name=value[,name=value...]" (the --tba option of the tools). */
int dmm_numbers_parse(const char *spec);
/* Select a named profile: "iana" (defaults) or "mad-pmipv6" (S-MAAR 28, P-MAAR 29). */
int dmm_numbers_profile(const char *profile);
/* Names accepted by dmm_numbers_set, for --help; NULL-terminated. */
extern const char *const dmm_numbers_names[];

/* Registries register a callback run after any change of a number. */
typedef void (*dmm_numbers_hook)(void);
void dmm_numbers_on_change(dmm_numbers_hook hook);

#endif
