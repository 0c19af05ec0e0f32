/* HAARO: prefix/realm compression (seed 003 §4.1-4.2), Prefix Advertisement (§5.5), RR keys (§3.2,
 * RFC 6521 §3.2). */
#include "haaro.h"
#include "mac.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <string.h>

/* ---- realm dictionary (§4.2.1) ---- */

void haaro_dict_reset(struct haaro_dict *d)
{
	memset(d->len, 0, sizeof(d->len));
	d->next = 0;
}

static void dict_add(struct haaro_dict *d, const char *s, size_t n)
{
	memcpy(d->str[d->next], s, n);
	d->len[d->next] = (uint8_t)n;
	d->next = (uint8_t)((d->next + 1) % HAARO_DICT_SIZE);
}

static int dict_find(const struct haaro_dict *d, const char *s, size_t n)
{
	for (int i = 0; i < HAARO_DICT_SIZE; i++)
		if (d->len[i] == n && memcmp(d->str[i], s, n) == 0)
			return i;
	return -1;
}

/* Append a label (or dotted run of labels) to a dotted string of at most HAARO_REALM_MAX octets. */
static int append_labels(char *dst, size_t *dlen, const char *s, size_t n)
{
	size_t need = *dlen + (*dlen ? 1 : 0) + n;
	if (need > HAARO_REALM_MAX)
		return -1;
	if (*dlen)
		dst[(*dlen)++] = '.';
	memcpy(dst + *dlen, s, n);
	*dlen = need;
	return 0;
}

/* End of a realm: add every suffix of the longest non-matching string that has
 * at least two labels, longest first (§4.2.2). */
static void dict_add_suffixes(struct haaro_dict *d, const char *lnms, size_t len)
{
	size_t start = 0;
	while (start < len) {
		const char *dot = memchr(lnms + start, '.', len - start);
		if (!dot)
			break;
		dict_add(d, lnms + start, len - start);
		start = (size_t)(dot - lnms) + 1;
	}
}

/* ---- realm compression (§4.2.2) ---- */

int haaro_realm_encode(struct haaro_dict *d, const char *realm, size_t len, struct dmm_wbuf *w)
{
	size_t start[HAARO_REALM_MAX_LABELS], end[HAARO_REALM_MAX_LABELS];
	unsigned nlabels = 0;
	if (len > HAARO_REALM_MAX)
		return -1;
	for (size_t pos = 0; pos < len;) {
		const char *dot = memchr(realm + pos, '.', len - pos);
		size_t stop = dot ? (size_t)(dot - realm) : len;
		if (stop == pos || stop - pos > HAARO_LABEL_MAX || (dot && stop + 1 == len))
			return -1;
		start[nlabels] = pos;
		end[nlabels++] = stop;
		pos = stop + 1;
	}
	char lnms[HAARO_REALM_MAX];
	size_t lnms_len = 0;
	unsigned i = 0;
	while (i < nlabels) {
		int hit = -1;
		unsigned j = nlabels;
		for (; d && j > i; j--) {
			hit = dict_find(d, realm + start[i], end[j - 1] - start[i]);
			if (hit >= 0)
				break;
		}
		if (hit >= 0) {
			wb_u8(w, (uint8_t)(0x80 | hit));
			lnms_len = 0;
			i = j;
			continue;
		}
		size_t n = end[i] - start[i];
		wb_u8(w, (uint8_t)n);
		wb_bytes(w, realm + start[i], n);
		if (d) {
			dict_add(d, realm + start[i], n);
			append_labels(lnms, &lnms_len, realm + start[i], n);
		}
		i++;
	}
	wb_u8(w, 0);
	if (d)
		dict_add_suffixes(d, lnms, lnms_len);
	return w->err ? -1 : 0;
}

int haaro_realm_decode(struct haaro_dict *d, struct dmm_cursor *c, char *out)
{
	char lnms[HAARO_REALM_MAX];
	size_t lnms_len = 0, len = 0;
	for (;;) {
		uint8_t tag = cur_u8(c);
		if (!cur_ok(c))
			return -1;
		if (tag == 0)
			break;
		if (tag & 0x80) {
			unsigned idx = tag & 0x7f;
			if (!d->len[idx]) {
				cur_invalid(c, "realm dictionary index refers to an empty slot");
				return -1;
			}
			if (append_labels(out, &len, d->str[idx], d->len[idx]) < 0) {
				cur_invalid(c, "realm longer than 255 octets");
				return -1;
			}
			lnms_len = 0;
			continue;
		}
		const char *label = (const char *)cur_bytes(c, tag);
		if (!label)
			return -1;
		if (memchr(label, '.', tag)) {
			cur_invalid(c, "realm label contains a dot");
			return -1;
		}
		if (append_labels(out, &len, label, tag) < 0) {
			cur_invalid(c, "realm longer than 255 octets");
			return -1;
		}
		dict_add(d, label, tag);
		append_labels(lnms, &lnms_len, label, tag); /* a part of out: cannot overflow */
	}
	dict_add_suffixes(d, lnms, lnms_len);
	return (int)len;
}

/* ---- prefix delta compression (§4.1) ---- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t plen_mask(unsigned plen)
{
	return plen ? (uint32_t)(0xffffffffu << (32 - plen)) : 0;
}

void haaro_pfx_reader_init(struct haaro_pfx_reader *r, const uint8_t *data, size_t len)
{
	cur_init(&r->c, data, len);
	haaro_dict_reset(&r->dict);
	r->master = 0;
	r->have_master = 0;
	r->count = 0;
}

static void read_prefix(struct haaro_pfx_reader *r, struct haaro_pfx_info *info)
{
	unsigned plen = info->plen_info;
	uint32_t v;
	if (plen > 32) {
		cur_invalid(&r->c, "prefix length above 32");
		return;
	}
	if (info->d) {
		if (!r->have_master) {
			cur_invalid(&r->c, "delta prefix without a master prefix");
			return;
		}
		unsigned shift = 32 - plen;
		uint64_t high = ((uint64_t)r->master >> shift) & ~(uint64_t)0xff;
		v = (uint32_t)((high | cur_u8(&r->c)) << shift) & plen_mask(plen);
	} else {
		uint8_t raw[4] = {0};
		cur_copy(&r->c, raw, (plen + 7) / 8);
		v = be32(raw) & plen_mask(plen);
		r->master = v;
		r->have_master = 1;
	}
	put_be32(info->prefix, v);
	int n = haaro_realm_decode(&r->dict, &r->c, r->realm);
	info->realm = r->realm;
	info->realm_len = n < 0 ? 0 : (size_t)n;
}

int haaro_pfx_next(struct haaro_pfx_reader *r, struct haaro_pfx_info *info)
{
	if (!cur_ok(&r->c))
		return -1;
	if (!cur_left(&r->c)) {
		if (r->count)
			return 0;
		cur_invalid(&r->c, "Prefix Advertisement without information structures");
		return -1;
	}
	memset(info, 0, sizeof(*info));
	uint8_t first = cur_u8(&r->c);
	info->d = (first & HAARO_PFX_D) != 0;
	info->m = (first & HAARO_PFX_M) != 0;
	info->plen_info = first & HAARO_PFX_PLEN_INFO;
	if (r->count++ == 0 && !info->m) {
		cur_invalid(&r->c, "first information structure has M=0");
		return -1;
	}
	if (info->m)
		cur_copy(&r->c, info->hoa, 4);
	else
		read_prefix(r, info);
	if (r->c.err == DMM_ETRUNC) {
		r->c.err = DMM_OK;
		cur_invalid(&r->c, "information structure overruns the extension");
	}
	return cur_ok(&r->c) ? 1 : -1;
}

int haaro_pfx_encode(const struct haaro_pfx_info *infos, unsigned n, unsigned flags,
                     struct dmm_wbuf *w)
{
	struct haaro_dict dict;
	struct haaro_dict *d = (flags & HAARO_PFX_NO_REALM_DICT) ? NULL : &dict;
	uint32_t master = 0;
	int have_master = 0;
	if (n == 0 || !infos[0].m)
		return -1;
	haaro_dict_reset(&dict);
	for (unsigned i = 0; i < n; i++) {
		const struct haaro_pfx_info *in = &infos[i];
		unsigned plen = in->plen_info;
		if (plen > HAARO_PFX_PLEN_INFO || (!in->m && plen > 32))
			return -1;
		if (in->m) {
			wb_u8(w, (uint8_t)(HAARO_PFX_M | plen));
			wb_bytes(w, in->hoa, 4);
			continue;
		}
		uint32_t v = be32(in->prefix) & plen_mask(plen);
		unsigned shift = 32 - plen;
		int delta = !(flags & HAARO_PFX_NO_DELTA) && have_master && plen >= 8 &&
		            (v >> shift) >> 8 == (master >> shift) >> 8;
		if (delta) {
			wb_u8(w, (uint8_t)(HAARO_PFX_D | plen));
			wb_u8(w, (uint8_t)(v >> shift));
		} else {
			uint8_t raw[4];
			put_be32(raw, v);
			wb_u8(w, (uint8_t)plen);
			wb_bytes(w, raw, (plen + 7) / 8);
			master = v;
			have_master = 1;
		}
		if (haaro_realm_encode(d, in->realm, in->realm_len, w) < 0)
			return -1;
	}
	return w->err ? -1 : 0;
}

/* ---- return routability keys (§3.2) and MC-Auth (§5.3) ---- */

int haaro_keygen_token(const uint8_t kcr[HAARO_KCR_LEN], const uint8_t addr[4], uint64_t nonce,
                       int careof, uint64_t *token)
{
	/* First(64, HMAC_SHA1(Kcr, address | nonce | 0 or 1)) */
	uint8_t data[13], mac[8];
	memcpy(data, addr, 4);
	for (int i = 0; i < 8; i++)
		data[4 + i] = (uint8_t)(nonce >> (56 - 8 * i));
	data[12] = careof ? 1 : 0;
	struct dmm_mac_part covered = {data, sizeof(data)};
	if (dmm_hmac("SHA1", kcr, HAARO_KCR_LEN, &covered, 1, mac, sizeof(mac)) < 0)
		return -1;
	*token = (uint64_t)be32(mac) << 32 | be32(mac + 4);
	return 0;
}

static int sha1_tokens(const uint64_t *tokens, unsigned n, uint8_t krm[HAARO_KRM_LEN])
{
	uint8_t data[16];
	for (unsigned t = 0; t < n; t++)
		for (int i = 0; i < 8; i++)
			data[8 * t + i] = (uint8_t)(tokens[t] >> (56 - 8 * i));
	return EVP_Digest(data, 8 * n, krm, NULL, EVP_sha1(), NULL) ? 0 : -1;
}

int haaro_krm(uint64_t home_token, uint64_t careof_token, uint8_t krm[HAARO_KRM_LEN])
{
	uint64_t tokens[2] = {home_token, careof_token};
	return sha1_tokens(tokens, 2, krm);
}

int haaro_krm_dereg(uint64_t home_token, uint8_t krm[HAARO_KRM_LEN])
{
	return sha1_tokens(&home_token, 1, krm);
}

int haaro_mcauth(const uint8_t krm[HAARO_KRM_LEN], const uint8_t *msg, size_t ext_off,
                 unsigned hdr_octets, uint8_t auth[HAARO_MCAUTH_LEN])
{
	/* the 6-octet variant skips Sub-Type and Reserved (octets 2-3) */
	size_t skip = hdr_octets == 6 ? 2 : 0;
	struct dmm_mac_part covered[2] = {
	    {msg, ext_off + 2},
	    {msg + ext_off + 2 + skip, 6 - skip},
	};
	return dmm_hmac("SHA1", krm, HAARO_KRM_LEN, covered, 2, auth, HAARO_MCAUTH_LEN);
}
