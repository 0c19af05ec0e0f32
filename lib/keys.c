/* Key store for authenticator verification (RFC 5944 §3.5, RFC 4285 §5, RFC 6521 §5.3). */
#include "keys.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct dmm_keys dmm_keys;

int dmm_hex_decode(const char *hex, uint8_t *buf, size_t cap)
{
	size_t n = 0;
	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
		hex += 2;
	while (*hex) {
		if (*hex == ':') {
			hex++;
			continue;
		}
		if (!isxdigit((unsigned char)hex[0]) || !isxdigit((unsigned char)hex[1]) ||
		    n >= cap)
			return -1;
		char pair[3] = {hex[0], hex[1], 0};
		buf[n++] = (uint8_t)strtoul(pair, NULL, 16);
		hex += 2;
	}
	return (int)n;
}

static int add_spi_key(struct dmm_spi_key *tab, unsigned *n, const char *spec)
{
	char *end;
	const char *colon = strchr(spec, ':');
	if (!colon || *n >= DMM_MAX_KEYS)
		return -1;
	unsigned long spi = strtoul(spec, &end, 0);
	if (end != colon)
		return -1;
	struct dmm_spi_key *k = &tab[*n];
	const char *key = colon + 1;
	int len;
	if (key[0] == '0' && (key[1] == 'x' || key[1] == 'X')) {
		len = dmm_hex_decode(key, k->key, sizeof(k->key));
	} else {
		len = (int)strlen(key);
		if (len > DMM_MAX_KEY_LEN)
			len = -1;
		else
			memcpy(k->key, key, (size_t)len);
	}
	if (len <= 0)
		return -1;
	k->spi = (uint32_t)spi;
	k->len = (size_t)len;
	(*n)++;
	return 0;
}

int dmm_keys_add_mnha(const char *spec)
{
	return add_spi_key(dmm_keys.mnha, &dmm_keys.n_mnha, spec);
}

int dmm_keys_add_mh_auth(const char *spec)
{
	return add_spi_key(dmm_keys.mh_auth, &dmm_keys.n_mh_auth, spec);
}

int dmm_keys_add_krm(const char *hex)
{
	if (dmm_keys.n_krm >= DMM_MAX_KEYS)
		return -1;
	if (dmm_hex_decode(hex, dmm_keys.krm[dmm_keys.n_krm], 20) != 20)
		return -1;
	dmm_keys.n_krm++;
	return 0;
}

const struct dmm_spi_key *dmm_keys_find(const struct dmm_spi_key *tab, unsigned n, uint32_t spi)
{
	for (unsigned i = 0; i < n; i++)
		if (tab[i].spi == spi)
			return &tab[i];
	return NULL;
}
