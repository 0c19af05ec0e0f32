/* Fuzz target: PMIPv6 signaling input (RFC 5213 §5.3, §6.9; RFC 8278 §4; RFC 4285 §5): any MH
 * to the LMA (lma_input) and to the MAG (mag_input), after a registration made it stateful. */
#include "fuzz_roles.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A copy of the MH with a correct checksum for src -> dst (so that mutations reach the
 * message processing instead of the silent discard of RFC 6275 §9.2). */
static size_t with_checksum(const uint8_t *data, size_t size, uint8_t *buf, const uint8_t *src,
                            const uint8_t *dst)
{
	memcpy(buf, data, size);
	if (size >= 6) {
		buf[4] = buf[5] = 0;
		uint16_t sum = mh_checksum(src, dst, buf, size);
		buf[4] = (uint8_t)(sum >> 8);
		buf[5] = (uint8_t)sum;
	}
	return size;
}

static void to_lma(struct fuzz_roles *r, const uint8_t *mh, size_t len, const uint8_t *src)
{
	static uint8_t pba[FUZZ_MH_MAX];
	int n = lma_input(r->lma, src, fuzz_lmaa, mh, len, pba, sizeof(pba));
	fuzz_check_pba(pba, n, sizeof(pba), src, fuzz_lmaa);
	uint16_t sum = mh_checksum(src, fuzz_lmaa, mh, len);
	if (n > 0 && sum != 0 && sum != 0xffff)
		fuzz_fail("LMA answered an MH with a wrong checksum", NULL);
	if (n > 0)
		(void)mag_input(r->mag, fuzz_lmaa, src, pba, (size_t)n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[FUZZ_MH_MAX];
	static struct fuzz_roles r;
	if (size > sizeof(buf))
		return 0;

	/* authentication on: whatever arrives unsigned or badly signed is dropped before it
	 * changes anything, so one LMA serves every input */
	static struct fuzz_roles signing;
	static uint8_t pba[FUZZ_MH_MAX];
	if (!signing.lma)
		fuzz_roles_setup(&signing, "on");
	with_checksum(data, size, buf, fuzz_pcoa1, fuzz_lmaa);
	int n = lma_input(signing.lma, fuzz_pcoa1, fuzz_lmaa, buf, size, pba, sizeof(pba));
	fuzz_check_pba(pba, n, sizeof(pba), fuzz_pcoa1, fuzz_lmaa);
	if (bcache_next(lma_bcache(signing.lma), NULL) != NULL)
		fuzz_fail("unsigned PBU created a binding with authentication on", NULL);

	/* authentication off, a node registered over both paths first */
	fuzz_roles_setup(&r, "off");
	if (mag_mn_attach(r.mag, "mn1@example.com", "", "02:00:00:00:00:01") != 0)
		fuzz_fail("attach of the fixture failed", NULL);
	fuzz_roles_exchange(&r);
	to_lma(&r, data, size, fuzz_pcoa1); /* as received, checksum as it is */
	with_checksum(data, size, buf, fuzz_pcoa1, fuzz_lmaa);
	to_lma(&r, buf, size, fuzz_pcoa1);
	with_checksum(data, size, buf, fuzz_lmaa, fuzz_pcoa1);
	(void)mag_input(r.mag, fuzz_lmaa, fuzz_pcoa1, buf, size);
	fuzz_roles_exchange(&r);
	if (mag_mn_detach(r.mag, "mn1@example.com") == 0)
		fuzz_roles_exchange(&r);
	fuzz_roles_free(&r);
	return 0;
}
