/* Fuzz target: IP/UDP/GRE/minimal-encapsulation tunnel walk (dmm_dissect_ip, _ipproto). */
#include "fuzz_out.h"
#include "dissect.h"
#include "keys.h"
#include "packet.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	dmm_keys_add_mnha("256:0x00112233445566778899aabbccddeeff");
	dmm_keys_add_mh_auth("256:0x00112233445566778899aabbccddeeff");
	dmm_keys_add_krm("0102030405060708090a0b0c0d0e0f1011121314");
	return 0;
}

/* Input: one control octet, then the packet. Control: low 4 bits = starting depth
 * (mod DMM_MAX_DEPTH + 2, so the limit itself and beyond are tried); bit 7 set =
 * the next octet is an IP protocol number and the rest goes to dmm_dissect_ipproto. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_check k;
	struct dmm_out out = fuzz_out(&k);
	if (size < 1)
		return 0;
	unsigned depth = (data[0] & 0x0f) % (DMM_MAX_DEPTH + 2);
	if (data[0] & 0x80) {
		if (size < 2)
			return 0;
		dmm_dissect_ipproto(data[1], data + 2, size - 2, depth, &out);
	} else {
		dmm_dissect_ip(data + 1, size - 1, depth, &out);
	}
	fuzz_out_done(&out);
	/* NULL output must be safe too */
	dmm_dissect_ip(data + 1, size - 1, depth, NULL);
	return 0;
}
