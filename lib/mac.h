/* HMAC (RFC 2104) through OpenSSL EVP_MAC, for MN-HA (RFC 5944 §3.5), RFC 4285 and MC-Auth (RFC
 * 6521 §5.3). */
#ifndef DMM_MAC_H
#define DMM_MAC_H

#include <stddef.h>
#include <stdint.h>

/* One contiguous piece of the protected data. */
struct dmm_mac_part {
	const void *data;
	size_t len;
};

/* HMAC with digest "MD5" or "SHA1" over the concatenation of parts; writes the
 * first out_len octets of the MAC to out. Returns 0, or -1 on failure or when
 * out_len exceeds the digest size. Keyed contexts are cached per key, so the
 * per-packet cost is the hashing alone (the hot path of verifying captures). */
int dmm_hmac(const char *digest, const uint8_t *key, size_t key_len,
             const struct dmm_mac_part *parts, unsigned n_parts, uint8_t *out, size_t out_len);

#endif
