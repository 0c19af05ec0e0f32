/* Fuzz target: JSON frame rebuild (dmm_json_build) on bounded JSON text, then the dissector on
 * what it built (RFC 6275 §6.1 MH, RFC 5944 MIPv4 and their layers). */
#include "fuzz_out.h"
#include "dissect.h"
#include "json_build.h"

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_JSON_MAX 16384  /* input octets looked at */
#define FUZZ_JSON_DEPTH 32   /* json-c nesting limit */
#define FUZZ_FRAME_MAX 65536 /* output buffer */
#define FUZZ_PACKETS_MAX 8   /* packets of one JSON array */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t frame[FUZZ_FRAME_MAX];

static void build_one(struct json_object *pkt)
{
	struct dmm_wbuf w;
	char err[256];
	int linktype = -1;
	wb_init(&w, frame, sizeof(frame));
	w.len = 0;
	int rc = dmm_json_build(pkt, &w, &linktype, err, sizeof(err));
	if (rc != 0 && rc != -1)
		abort();
	if (rc < 0) {
		/* failure: a reason, and nothing left in the buffer */
		if (w.len != 0 || !err[0] || strnlen(err, sizeof(err)) == sizeof(err))
			abort();
		return;
	}
	if (err[0] || w.err || w.len > sizeof(frame) || linktype < 0)
		abort();
	struct fuzz_check k;
	struct dmm_out out = fuzz_out(&k);
	struct dmm_frame fr = {1, linktype, 0, 0, (uint32_t)w.len, (uint32_t)w.len};
	dmm_dissect_frame(&fr, frame, &out);
	fuzz_out_done(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_JSON_MAX)
		return 0;
	struct json_tokener *tok = json_tokener_new_ex(FUZZ_JSON_DEPTH);
	if (!tok)
		return 0;
	struct json_object *v = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	json_tokener_free(tok);
	if (!v)
		return 0;
	if (json_object_is_type(v, json_type_array)) {
		size_t n = json_object_array_length(v);
		for (size_t i = 0; i < n && i < FUZZ_PACKETS_MAX; i++)
			build_one(json_object_array_get_idx(v, i));
	} else {
		build_one(v);
	}
	json_object_put(v);
	return 0;
}
