/* Keys for authenticator verification: MN-HA (RFC 5944 §3.5), MC-Auth KRm (RFC 6521 §5.3), RFC
 * 4285. */
#ifndef DMM_KEYS_H
#define DMM_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define DMM_MAX_KEYS 16
#define DMM_MAX_KEY_LEN 64

struct dmm_spi_key {
	uint32_t spi;
	uint8_t key[DMM_MAX_KEY_LEN];
	size_t len;
};

struct dmm_keys {
	struct dmm_spi_key mnha[DMM_MAX_KEYS]; /* MN-HA (HMAC-MD5), by SPI */
	unsigned n_mnha;
	struct dmm_spi_key mh_auth[DMM_MAX_KEYS]; /* RFC 4285 option 16 (HMAC-SHA1), by SPI */
	unsigned n_mh_auth;
	uint8_t krm[DMM_MAX_KEYS][20]; /* MC-Auth registration keys, tried in turn */
	unsigned n_krm;
};

/* Keys used by the dissectors; empty by default (authenticators "not checked"). */
extern struct dmm_keys dmm_keys;

/* Parse "SPI:KEY" where SPI is decimal or 0x-hex and KEY is hex (0x...) or text. */
int dmm_keys_add_mnha(const char *spec);
int dmm_keys_add_mh_auth(const char *spec);
/* Parse a 20-octet KRm given as 40 hex digits. */
int dmm_keys_add_krm(const char *hex);
const struct dmm_spi_key *dmm_keys_find(const struct dmm_spi_key *tab, unsigned n, uint32_t spi);
/* Decode hex (optional 0x prefix, optional ':' separators) into buf; returns length or -1. */
int dmm_hex_decode(const char *hex, uint8_t *buf, size_t cap);

#endif
