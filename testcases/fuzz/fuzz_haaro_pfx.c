/* Fuzz target: HAARO Prefix Advertisement decoder with realm decompression, and its round trip. */
#include "fuzz_out.h"
#include "haaro.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INFOS 1024

/* Local (unregistered) fields so that decoded structures go through the formatters. */
static const struct dmm_field pfx_fields[] = {
    {"fuzz.pfx", "Prefix Advertisement", DMM_FT_NODE, 0, 0, NULL},
    {"fuzz.pfx.info", "Information", DMM_FT_NODE, 0, 0, NULL},
    {"fuzz.pfx.hoa", "Mobile Router HoA", DMM_FT_IPV4, 0, 0, NULL},
    {"fuzz.pfx.prefix", "Prefix", DMM_FT_PREFIX4, 0, 0, NULL},
    {"fuzz.pfx.realm", "Realm", DMM_FT_STRING, 0, 0, NULL},
    {"fuzz.pfx.info_code", "Info", DMM_FT_UINT, 0, 0, NULL},
    {"fuzz.pfx.d", "Delta", DMM_FT_BOOL, 0, 0, NULL},
};

struct saved {
	struct haaro_pfx_info info;
	char realm[HAARO_REALM_MAX];
};

static struct saved infos[MAX_INFOS];
static struct haaro_pfx_info encode_in[MAX_INFOS];

static void emit(struct dmm_out *out, const struct haaro_pfx_info *in)
{
	dmm_open(out, &pfx_fields[1], NULL);
	dmm_bool(out, &pfx_fields[6], in->d);
	if (in->m) {
		dmm_addr4(out, &pfx_fields[2], in->hoa);
		dmm_uint(out, &pfx_fields[5], in->plen_info);
	} else {
		dmm_prefix4(out, &pfx_fields[3], in->prefix, in->plen_info);
		dmm_string(out, &pfx_fields[4], (const uint8_t *)in->realm, in->realm_len);
	}
	dmm_close(out);
}

static void check_info(const struct haaro_pfx_info *in)
{
	if (in->realm_len > HAARO_REALM_MAX)
		abort();
	if (in->m)
		return;
	if (in->plen_info > 32)
		abort();
	uint32_t v = (uint32_t)in->prefix[0] << 24 | (uint32_t)in->prefix[1] << 16 |
	             (uint32_t)in->prefix[2] << 8 | in->prefix[3];
	uint32_t host = in->plen_info == 32 ? 0 : 0xffffffffu >> in->plen_info;
	if (v & host)
		abort(); /* prefix must be zero beyond PLen */
	/* a realm is dot-separated non-empty labels of at most HAARO_LABEL_MAX octets */
	size_t lab = 0;
	for (size_t i = 0; i < in->realm_len; i++) {
		if (in->realm[i] == '.') {
			if (lab == 0)
				abort();
			lab = 0;
		} else if (++lab > HAARO_LABEL_MAX) {
			abort();
		}
	}
	if (in->realm_len && lab == 0)
		abort();
}

/* Decode data; returns the number of structures (all kept in infos) or -1. */
static int decode(const uint8_t *data, size_t size, struct dmm_out *out)
{
	static struct haaro_pfx_reader r;
	struct haaro_pfx_info in;
	int n = 0, rc;
	haaro_pfx_reader_init(&r, data, size);
	dmm_open(out, &pfx_fields[0], NULL);
	while ((rc = haaro_pfx_next(&r, &in)) == 1) {
		check_info(&in);
		emit(out, &in);
		if ((size_t)n >= size)
			abort(); /* every structure consumes at least one octet */
		if (n < MAX_INFOS) {
			infos[n].info = in;
			if (in.realm_len)
				memcpy(infos[n].realm, in.realm, in.realm_len);
			infos[n].info.realm = infos[n].realm;
		}
		n++;
	}
	if (rc == -1) {
		if (cur_ok(&r.c) || !r.c.why)
			abort();
		if (r.c.err != DMM_EINVAL)
			abort(); /* overruns are reported as invalid, never as truncated */
		dmm_cursor_error(out, &r.c);
	} else if (rc != 0 || cur_left(&r.c)) {
		abort();
	}
	dmm_close(out);
	return rc == 0 && n <= MAX_INFOS ? n : -1;
}

static int same(const struct haaro_pfx_info *a, const struct haaro_pfx_info *b)
{
	if (a->m != b->m || a->plen_info != b->plen_info)
		return 0;
	if (a->m)
		return memcmp(a->hoa, b->hoa, 4) == 0;
	return memcmp(a->prefix, b->prefix, 4) == 0 && a->realm_len == b->realm_len &&
	       (!a->realm_len || memcmp(a->realm, b->realm, a->realm_len) == 0);
}

/* decode(encode(decode(x))) == decode(x), for each encoder flag combination. */
static void round_trip(unsigned n)
{
	static uint8_t buf[65536];
	static struct saved first[MAX_INFOS];
	memcpy(first, infos, sizeof(first[0]) * n);
	for (unsigned i = 0; i < n; i++) {
		first[i].info.realm = first[i].realm;
		encode_in[i] = first[i].info;
	}
	for (unsigned flags = 0; flags < 4; flags++) {
		struct dmm_wbuf w;
		struct fuzz_check k;
		struct dmm_out out = fuzz_out(&k);
		wb_init(&w, buf, sizeof(buf));
		if (haaro_pfx_encode(encode_in, n, flags, &w) < 0) {
			fprintf(stderr, "haaro_pfx_encode refused decoded structures (flags %u)\n",
			        flags);
			abort();
		}
		int m = decode(buf, w.len, &out);
		fuzz_out_done(&out);
		if (m != (int)n) {
			fprintf(stderr, "re-decode gave %d structures, expected %u (flags %u)\n", m,
			        n, flags);
			abort();
		}
		for (unsigned i = 0; i < n; i++)
			if (!same(&infos[i].info, &first[i].info)) {
				fprintf(stderr,
				        "structure %u differs after round trip (flags %u)\n", i,
				        flags);
				abort();
			}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_check k;
	struct dmm_out out = fuzz_out(&k);
	int n = decode(data, size, &out);
	fuzz_out_done(&out);
	if (n > 0)
		round_trip((unsigned)n);
	return 0;
}
