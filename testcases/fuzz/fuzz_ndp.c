/* Fuzz target: MAG access link ND (RFC 4861 §4.1, §4.2, §4.6.2, §6.1.1): ndp_parse_rs on any
 * ICMPv6 message, ndp_build_ra from input-derived parameters checked against its layout. */
#include "fuzz_out.h"
#include "ndp.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_rs(const uint8_t *data, size_t size)
{
	struct ndp_event ev;
	const char *why = NULL;
	memset(&ev, 0xa5, sizeof(ev));
	if (ndp_parse_rs(data, size, &ev, &why) != 0) {
		if (!why || (strncmp(why, "invalid: ", 9) != 0 && strcmp(why, "truncated") != 0))
			fuzz_fail("RS refused without an 'invalid: ' or 'truncated' reason", NULL);
		if (ev.ll_len != 0)
			fuzz_fail("refused RS left a link-layer address", NULL);
		return;
	}
	if (size < 8 || data[0] != 133 || data[1] != 0)
		fuzz_fail("accepted something that is not a Router Solicitation", NULL);
	if (ev.ll_len > sizeof(ev.ll_addr))
		fuzz_fail("link-layer address longer than its buffer", NULL);
	size_t n = strnlen(ev.ll_id, sizeof(ev.ll_id));
	if (n == sizeof(ev.ll_id))
		fuzz_fail("ll_id not NUL-terminated", NULL);
	if (!ev.ll_len) {
		if (n)
			fuzz_fail("ll_id without a link-layer address", NULL);
		return;
	}
	/* ll_id is the address as "aa:bb:..": read it back */
	if (n != (size_t)ev.ll_len * 3 - 1)
		fuzz_fail("ll_id length does not match the address", NULL);
	for (unsigned i = 0; i < ev.ll_len; i++) {
		unsigned v;
		if (sscanf(ev.ll_id + 3 * i, "%2x", &v) != 1 || v != ev.ll_addr[i])
			fuzz_fail("ll_id does not spell the address", NULL);
	}
}

static uint32_t take32(const uint8_t **p, const uint8_t *end)
{
	uint32_t v = 0;
	for (int i = 0; i < 4 && *p < end; i++)
		v = v << 8 | *(*p)++;
	return v;
}

/* An RA built from the input's octets: right length when it fits, -1 (never an overflow)
 * when it does not, and its options walk to the end. */
static void check_ra(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct ndp_ra_config cfg = {0};
	struct ndp_prefix pfx[NDP_MAX_PREFIXES + 3];
	uint32_t ctl = take32(&p, end);
	cfg.cur_hop_limit = (uint8_t)ctl;
	cfg.managed = ctl & 0x100;
	cfg.other = ctl & 0x200;
	cfg.router_lifetime = (uint16_t)(ctl >> 16);
	cfg.mtu = ctl & 0x400 ? take32(&p, end) : 0;
	bool withdraw = ctl & 0x800;
	const uint8_t *ll = ctl & 0x1000 ? (const uint8_t *)"\x02\x00\x00\x00\x00\x01" : NULL;
	unsigned n = (ctl >> 13) % (NDP_MAX_PREFIXES + 3);
	for (unsigned i = 0; i < n; i++) {
		memset(&pfx[i], 0, sizeof(pfx[i]));
		uint32_t a = take32(&p, end);
		memcpy(&pfx[i].prefix, &a, 4);
		pfx[i].plen = (uint8_t)(a >> 8);
		pfx[i].onlink = a & 1;
		pfx[i].autonomous = a & 2;
		pfx[i].valid_lifetime = take32(&p, end);
		pfx[i].preferred_lifetime = take32(&p, end);
	}
	size_t cap = p < end ? *p : 255;
	uint8_t buf[NDP_RA_MAX_LEN + 64];
	memset(buf, 0xee, sizeof(buf));
	int len = ndp_build_ra(buf, cap, &cfg, withdraw, pfx, n, ll);
	size_t want = 16 + (ll ? 8 : 0) + (cfg.mtu ? 8 : 0) + 32 * (size_t)n;
	if (len < 0) {
		if (want <= cap)
			fuzz_fail("RA that fits was refused", NULL);
		return;
	}
	if ((size_t)len != want || want > cap)
		fuzz_fail("RA length differs from its layout", NULL);
	if (len < (int)sizeof(buf) && buf[len] != 0xee)
		fuzz_fail("RA written past its length", NULL);
	if (buf[0] != 134 || buf[1] != 0)
		fuzz_fail("not a Router Advertisement", NULL);
	unsigned lifetime = (unsigned)buf[6] << 8 | buf[7];
	if (withdraw ? lifetime != 0 : lifetime == 0)
		fuzz_fail("router lifetime wrong for (non-)withdrawal", NULL);
	unsigned prefixes = 0;
	for (size_t off = 16; off < (size_t)len; off += (size_t)buf[off + 1] * 8) {
		if (off + 2 > (size_t)len || buf[off + 1] == 0 ||
		    off + buf[off + 1] * 8u > (size_t)len)
			fuzz_fail("RA option walk broken", NULL);
		if (buf[off] == 3) {
			const struct ndp_prefix *q = &pfx[prefixes++];
			if (buf[off + 2] != q->plen || memcmp(buf + off + 16, &q->prefix, 16) != 0)
				fuzz_fail("Prefix Information differs", NULL);
			if (withdraw && (memcmp(buf + off + 4, "\0\0\0\0\0\0\0\0", 8) != 0))
				fuzz_fail("withdrawal with a non-zero prefix lifetime", NULL);
		}
	}
	if (prefixes != n)
		fuzz_fail("Prefix Information options missing", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_rs(data, size);
	check_ra(data, size);
	return 0;
}
