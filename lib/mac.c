/* HMAC (RFC 2104) through OpenSSL EVP_MAC with a small cache of keyed contexts. */
#include "mac.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <string.h>

#define MAC_CACHE_SLOTS 8
#define MAC_KEY_MAX 64

struct mac_slot {
	EVP_MAC_CTX *ctx;
	char digest[8];
	uint8_t key[MAC_KEY_MAX];
	size_t key_len;
};

static _Thread_local struct mac_slot cache[MAC_CACHE_SLOTS];
static _Thread_local unsigned next_victim;

static EVP_MAC_CTX *keyed_context(const char *digest, const uint8_t *key, size_t key_len)
{
	int cacheable = key_len <= MAC_KEY_MAX && strlen(digest) < sizeof(cache[0].digest);
	for (unsigned i = 0; cacheable && i < MAC_CACHE_SLOTS; i++) {
		struct mac_slot *s = &cache[i];
		if (s->ctx && s->key_len == key_len && strcmp(s->digest, digest) == 0 &&
		    memcmp(s->key, key, key_len) == 0)
			/* a NULL key re-initialises with the key already set */
			return EVP_MAC_init(s->ctx, NULL, 0, NULL) ? s->ctx : NULL;
	}
	EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
	EVP_MAC_free(hmac); /* the context keeps its own reference */
	OSSL_PARAM params[] = {
	    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
	    OSSL_PARAM_construct_end(),
	};
	if (!ctx || !EVP_MAC_init(ctx, key, key_len, params)) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	if (!cacheable)
		return ctx;
	struct mac_slot *s = &cache[next_victim++ % MAC_CACHE_SLOTS];
	EVP_MAC_CTX_free(s->ctx);
	s->ctx = ctx;
	strcpy(s->digest, digest);
	memcpy(s->key, key, key_len);
	s->key_len = key_len;
	return ctx;
}

int dmm_hmac(const char *digest, const uint8_t *key, size_t key_len,
             const struct dmm_mac_part *parts, unsigned n_parts, uint8_t *out, size_t out_len)
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	size_t mac_len = 0;
	int cached = key_len <= MAC_KEY_MAX;
	EVP_MAC_CTX *ctx = keyed_context(digest, key, key_len);
	int ok = ctx != NULL;
	for (unsigned i = 0; ok && i < n_parts; i++)
		ok = EVP_MAC_update(ctx, parts[i].data, parts[i].len);
	ok = ok && EVP_MAC_final(ctx, mac, &mac_len, sizeof(mac)) && mac_len >= out_len;
	if (ok)
		memcpy(out, mac, out_len);
	if (ctx && !cached)
		EVP_MAC_CTX_free(ctx);
	return ok ? 0 : -1;
}
