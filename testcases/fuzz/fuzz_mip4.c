/* Fuzz target: MIPv4/NEMO/HAARO dissector (mip4_dissect), mip4_parse/mip4_encode round trip. */
#include "fuzz_out.h"
#include "keys.h"
#include "mip4.h"
#include "dissect.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keys so that the authenticator verification paths run (SPIs 256 and 4096). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	dmm_keys_add_mnha("256:0x00112233445566778899aabbccddeeff");
	dmm_keys_add_mnha("4096:secret");
	dmm_keys_add_krm("0102030405060708090a0b0c0d0e0f1011121314");
	return 0;
}

static void dissect(const uint8_t *p, size_t len, unsigned depth)
{
	struct fuzz_check k;
	struct dmm_out out = fuzz_out(&k);
	mip4_dissect(p, len, depth, &out);
	fuzz_out_done(&out);
}

static void check_parsed(const struct mip4_msg *m, const uint8_t *p, size_t len)
{
	if (m->nexts > MIP4_MAX_EXTS)
		abort();
	if (m->body_len && !fuzz_within(m->body, m->body_len, p, len))
		abort();
	for (unsigned i = 0; i < m->nexts; i++) {
		const struct mip4_ext *e = &m->exts[i];
		if (e->off >= len)
			abort();
		if (e->body_len && !fuzz_within(e->body, e->body_len, p, len))
			abort();
	}
}

/* parse(x) ok => what mip4_encode makes of it parses back to the same shape and
 * re-encodes to the same octets. */
static void round_trip(const struct mip4_msg *m)
{
	static uint8_t a[70000], b[70000];
	static struct mip4_msg m2;
	struct dmm_wbuf wa, wb;
	struct dmm_cursor c;
	wb_init(&wa, a, sizeof(a));
	int na = mip4_encode(m, &wa);
	if (na < 0)
		return;
	if (mip4_parse(a, (size_t)na, &m2, &c) != 0) {
		fprintf(stderr, "re-parse of encoded MIPv4 message failed: %s\n",
		        c.why ? c.why : "?");
		abort();
	}
	if (m2.type != m->type || m2.nexts != m->nexts || m2.body_len != m->body_len) {
		fprintf(stderr, "MIPv4 round trip changed the message shape\n");
		abort();
	}
	for (unsigned i = 0; i < m->nexts; i++)
		if (m2.exts[i].type != m->exts[i].type ||
		    m2.exts[i].subtype != m->exts[i].subtype ||
		    m2.exts[i].body_len != m->exts[i].body_len) {
			fprintf(stderr, "MIPv4 round trip changed extension %u\n", i);
			abort();
		}
	wb_init(&wb, b, sizeof(b));
	int nb = mip4_encode(&m2, &wb);
	if (nb != na || memcmp(a, b, (size_t)na) != 0) {
		fprintf(stderr, "MIPv4 encode is not stable across a parse\n");
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mip4_msg m;
	struct dmm_cursor c;

	dissect(data, size, 0);
	dissect(data, size, DMM_MAX_DEPTH); /* Tunnel Data at the depth limit */

	int r = mip4_parse(data, size, &m, &c);
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
