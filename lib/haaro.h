/* HAARO (draft-ietf-mip4-nemo-haaro-07 / RFC 6521): §4.1-4.2 compression, §5.5 Prefix
 * Advertisement, §3.2 RR keys. */
#ifndef DMM_HAARO_H
#define DMM_HAARO_H

#include "cursor.h"

#include <stddef.h>
#include <stdint.h>

/* Sub-Types of the HAARO extensions (wire-facts §10.1-10.5). */
enum {
	HAARO_MRROCAP_SUBTYPE = 1, /* type haaro_t1 */
	HAARO_ROR_SUBTYPE = 1,     /* type haaro_t2 */
	HAARO_MCAUTH_SUBTYPE = 2,  /* type haaro_t2 */
	HAARO_COA_SUBTYPE = 3,     /* type haaro_t2 */
	HAARO_PFX_SUBTYPE = 1,     /* type haaro_t3 (long format) */
};

/* MRROCAP flags (octet 3). */
enum { HAARO_ROCAP_A = 0x80, HAARO_ROCAP_R = 0x40, HAARO_ROCAP_S = 0x20, HAARO_ROCAP_O = 0x10 };
/* ROR octet 3: flags and a 5-bit Code (wire-facts §10.2 [D]). */
enum { HAARO_ROR_O = 0x80, HAARO_ROR_N = 0x40, HAARO_ROR_S = 0x20, HAARO_ROR_CODE = 0x1f };
/* Prefix Advertisement information structure, octet 0. */
enum { HAARO_PFX_D = 0x80, HAARO_PFX_M = 0x40, HAARO_PFX_PLEN_INFO = 0x3f };

#define HAARO_DICT_SIZE 128                                /* realm dictionary strings (circular) */
#define HAARO_REALM_MAX 255                                /* octets of a decompressed realm */
#define HAARO_LABEL_MAX 127                                /* octets of one literal label */
#define HAARO_REALM_MAX_LABELS ((HAARO_REALM_MAX + 1) / 2) /* implied by HAARO_REALM_MAX */
#define HAARO_KCR_LEN 16
#define HAARO_KRM_LEN 20
#define HAARO_MCAUTH_LEN 16 /* First(128, HMAC-SHA1) */

/* Realm compression dictionary (§4.2.1). A slot with len 0 is empty. */
struct haaro_dict {
	uint8_t len[HAARO_DICT_SIZE];
	char str[HAARO_DICT_SIZE][HAARO_REALM_MAX];
	uint8_t next; /* slot the next string is written to */
};

void haaro_dict_reset(struct haaro_dict *d);

/* Compress one realm (dotted labels, no trailing dot; len 0 = empty realm) and its
 * 0x00 end mark into w, updating d as §4.2.2 prescribes. d NULL writes literal
 * labels only (no compression). Returns 0, or -1 for an empty or over-long label,
 * a realm over HAARO_REALM_MAX octets, or an overflow of w. */
int haaro_realm_encode(struct haaro_dict *d, const char *realm, size_t len, struct dmm_wbuf *w);

/* Decompress one realm (up to and including its 0x00) from c into out
 * (HAARO_REALM_MAX octets, not NUL-terminated), mirroring the encoder's updates
 * of d. Returns the realm length, or -1 with c's error set. */
int haaro_realm_decode(struct haaro_dict *d, struct dmm_cursor *c, char *out);

/* One Prefix Advertisement information structure (§5.5). */
struct haaro_pfx_info {
	uint8_t m;         /* 1: Mobile Router HoA; 0: prefix and realm */
	uint8_t d;         /* delta prefix (decode: as received; encode: chosen by the encoder) */
	uint8_t plen_info; /* M=0: PLen 0-32; M=1: Info (0 none, 1 outbound only) */
	uint8_t hoa[4];    /* M=1 */
	uint8_t prefix[4]; /* M=0: decompressed, zero beyond PLen */
	const char *realm; /* M=0 (decode: points into the reader) */
	size_t realm_len;
};

/* Decoder of the information structures of one extension (dictionary and master
 * prefix are per extension, wire-facts §10.5 [D]). */
struct haaro_pfx_reader {
	struct dmm_cursor c;
	struct haaro_dict dict;
	uint32_t master;
	uint8_t have_master;
	unsigned count;
	char realm[HAARO_REALM_MAX];
};

/* data/len: the octets after the 4-octet long-format header. */
void haaro_pfx_reader_init(struct haaro_pfx_reader *r, const uint8_t *data, size_t len);
/* Next structure: 1 = info filled, 0 = no more, -1 = error in r->c ("truncated"
 * never happens: a structure overrunning the extension is invalid). */
int haaro_pfx_next(struct haaro_pfx_reader *r, struct haaro_pfx_info *info);

enum haaro_pfx_encode_flags {
	HAARO_PFX_NO_DELTA = 1,      /* send every prefix in full (D=0) */
	HAARO_PFX_NO_REALM_DICT = 2, /* send realms as literal labels */
};

/* Encode n structures (the data of the extension, without its header): D=1 whenever
 * PLen >= 8 and the prefix equals the master in bits 1..PLen-8. Returns 0, or -1
 * when the first structure has M=0, a PLen/Info or realm is out of range, or w overflowed. */
int haaro_pfx_encode(const struct haaro_pfx_info *infos, unsigned n, unsigned flags,
                     struct dmm_wbuf *w);

/* Return routability (§3.2, wire-facts §10.7):
 * token = First(64, HMAC-SHA1(Kcr, addr | nonce | 0 (home) or 1 (care-of))). */
int haaro_keygen_token(const uint8_t kcr[HAARO_KCR_LEN], const uint8_t addr[4], uint64_t nonce,
                       int careof, uint64_t *token);
/* KRm = SHA1(home token | care-of token). */
int haaro_krm(uint64_t home_token, uint64_t careof_token, uint8_t krm[HAARO_KRM_LEN]);
/* Deregistration KRm = SHA1(home token). */
int haaro_krm_dereg(uint64_t home_token, uint8_t krm[HAARO_KRM_LEN]);

/* MC-Auth authenticator (§5.3): First(128, HMAC-SHA1(KRm, msg[0, ext_off) | the
 * extension's first hdr_octets: 8 = Type..CNI, 6 = Type, Length, HNI, CNI)).
 * msg must hold at least ext_off + 8 octets. Returns 0 or -1. */
int haaro_mcauth(const uint8_t krm[HAARO_KRM_LEN], const uint8_t *msg, size_t ext_off,
                 unsigned hdr_octets, uint8_t auth[HAARO_MCAUTH_LEN]);

#endif
