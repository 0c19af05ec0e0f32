/* Fuzz target: MH dissector (mh_dissect, with/without checksum), mh_parse/mh_encode round trip. */
#include "fuzz_out.h"
#include "mh.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t src6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t dst6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

static void dissect(const uint8_t *p, size_t len, const uint8_t *src, const uint8_t *dst)
{
	struct fuzz_check k;
	struct dmm_out out = fuzz_out(&k);
	mh_dissect(p, len, src, dst, &out);
	fuzz_out_done(&out);
}

static void check_parsed(const struct mh_msg *m, const uint8_t *p, size_t len)
{
	if (m->nopts > MH_MAX_OPTS)
		abort();
	if (m->body_len && !fuzz_within(m->body, m->body_len, p, len))
		abort();
	for (unsigned i = 0; i < m->nopts; i++) {
		const struct mh_opt *o = &m->opts[i];
		if (o->type == MH_OPT_PAD1 || o->type == MH_OPT_PADN)
			abort(); /* pads are not kept */
		if (o->len && !fuzz_within(o->data, o->len, p, len))
			abort();
	}
}

/* parse(x) ok => encode succeeds or refuses; what it encodes parses back to the
 * same message shape and re-encodes to the same octets. */
static void round_trip(const struct mh_msg *m)
{
	static uint8_t a[4096], b[4096];
	static struct mh_msg m2;
	struct dmm_wbuf wa, wb;
	struct dmm_cursor c;
	wb_init(&wa, a, sizeof(a));
	int na = mh_encode(m, NULL, NULL, &wa);
	if (na < 0)
		return;
	if (mh_parse(a, (size_t)na, &m2, &c) != 0) {
		fprintf(stderr, "re-parse of encoded MH failed: %s\n", c.why ? c.why : "?");
		abort();
	}
	if (m2.type != m->type || m2.nopts != m->nopts)
		abort();
	for (unsigned i = 0; i < m->nopts; i++)
		if (m2.opts[i].type != m->opts[i].type || m2.opts[i].len != m->opts[i].len)
			abort();
	wb_init(&wb, b, sizeof(b));
	int nb = mh_encode(&m2, NULL, NULL, &wb);
	if (nb != na || memcmp(a, b, (size_t)na) != 0) {
		fprintf(stderr, "MH encode is not stable across a parse\n");
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mh_msg m;
	struct dmm_cursor c;

	dissect(data, size, NULL, NULL);
	dissect(data, size, src6, dst6);

	int r = mh_parse(data, size, &m, &c);
	if (r != c.err || (r != DMM_OK && r != DMM_ETRUNC && r != DMM_EINVAL))
		abort();
	if (r == DMM_EINVAL && !c.why)
		abort();
	if (r == DMM_OK) {
		check_parsed(&m, data, size);
		round_trip(&m);
	}
	return 0;
}
