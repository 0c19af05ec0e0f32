/* Fuzz target: HAARO correspondent router (RFC 6521 §3.2, §5.3-5.9): cr_input on any UDP 434
 * payload (also re-signed with a pre-shared KRm to reach the registration logic), and the
 * initiator parsers cr_parse_test / cr_parse_reply. */
#include "cr.h"
#include "fuzz_out.h"
#include "mip4.h"
#include "numbers.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NOW_MS 1000000u
#define REPLY_CAP 2048
#define MAX_LIFETIME 600

static const uint8_t cr_hoa[4] = {192, 0, 2, 200}, cr_coa[4] = {203, 0, 113, 99};
static const uint8_t peer[4] = {203, 0, 113, 7};
static const uint8_t owner[4] = {192, 0, 2, 1}, owned[4] = {10, 1, 1, 0};
static const uint8_t psk[HAARO_KRM_LEN] = {0x4a, 0xb3, 0xbe, 0x1f, 0x5e, 0x86, 0x12,
                                           0x47, 0x04, 0x15, 0x84, 0xe7, 0xdf, 0x9b,
                                           0x98, 0x99, 0x6d, 0x9a, 0x9e, 0xe2};

/* Deterministic random source: every input sees the same Kcr and nonces. */
static int fixed_random(uint8_t *buf, size_t len, void *arg)
{
	uint8_t *counter = arg;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(0x5a + i + *counter);
	(*counter)++;
	return 0;
}

static struct cr cr;
static uint8_t random_counter;

static void fresh_cr(int reject_unauthorized)
{
	struct cr_config cfg = {
	    .max_lifetime = MAX_LIFETIME,
	    .check_ident = 1,
	    .reject_unauthorized = (uint8_t)reject_unauthorized,
	    .random = fixed_random,
	    .random_arg = &random_counter,
	};
	random_counter = 0;
	memcpy(cfg.hoa, cr_hoa, 4);
	memcpy(cfg.coas[0], cr_coa, 4);
	cfg.n_coas = 1;
	if (cr_init(&cr, &cfg, 0) != 0 || cr_add_prefix(&cr, owner, owned, 24) != 0)
		abort();
}

/* What cr_input answered must be what the initiator side of the protocol accepts. */
static void check_answer(const struct cr_result *res, int n, const uint8_t *reply,
                         const uint8_t *krm)
{
	const char *why = NULL;
	if (n < 0 || n > REPLY_CAP)
		fuzz_fail("cr_input reply length out of bounds", NULL);
	if (n == 0) {
		if (res->event != CR_EV_DROPPED || !res->why)
			fuzz_fail("no reply without a DROPPED reason", NULL);
		return;
	}
	if (res->event == CR_EV_HOT || res->event == CR_EV_COT) {
		struct cr_test t;
		uint64_t nonce;
		int careof = res->event == CR_EV_COT;
		if (cr_parse_test(careof, res->cookie, reply, (size_t)n, &t, &why) != 0)
			fuzz_fail("HoT/CoT answer does not parse", NULL);
		if (t.token != res->token || t.nonce_index != res->nonce_index)
			fuzz_fail("HoT/CoT answer differs from the result", NULL);
		if (cr_nonce_lookup(&cr, NOW_MS, t.nonce_index, &nonce) != 0)
			fuzz_fail("nonce index handed out is not accepted", NULL);
		return;
	}
	if (res->event != CR_EV_REGISTRATION)
		fuzz_fail("reply for a dropped datagram", NULL);
	struct cr_reply rp;
	if (cr_parse_reply(reply, (size_t)n, krm, &rp, &why) != 0)
		fuzz_fail("Registration Reply does not parse", NULL);
	if (rp.code != res->code || memcmp(rp.hoa, res->hoa, 4) != 0)
		fuzz_fail("Registration Reply differs from the result", NULL);
	if (rp.n_acks > CR_MAX_NETWORKS || rp.n_coas > CR_MAX_COAS ||
	    res->n_networks > CR_MAX_NETWORKS)
		fuzz_fail("too many networks or CoAs", NULL);
	if (!krm && rp.auth == CR_AUTH_GOOD)
		fuzz_fail("MC-Auth good without a key", NULL);
	int accepted = res->code == CR_CODE_ACCEPTED || res->code == dmm_numbers.haaro_concurrent;
	if (accepted) {
		if (!res->dereg && rp.lifetime != res->lifetime)
			fuzz_fail("granted lifetime differs", NULL);
		if (rp.lifetime > MAX_LIFETIME)
			fuzz_fail("granted lifetime above the maximum", NULL);
		const struct cr_binding *b = cr_find_binding(&cr, res->hoa);
		if (res->dereg ? b != NULL : b == NULL || b->lifetime != res->lifetime)
			fuzz_fail("binding cache disagrees with an accepted registration", NULL);
		if (krm && rp.auth != CR_AUTH_GOOD)
			fuzz_fail("accepted reply not signed with the request's KRm", NULL);
		if (rp.auth == CR_AUTH_GOOD && rp.n_acks != res->n_networks)
			fuzz_fail("Mobile Network Acks missing", NULL);
	}
}

static int run(const uint8_t *pkt, size_t len, const uint8_t *krm, struct cr_result *res)
{
	static uint8_t reply[REPLY_CAP];
	int n = cr_input(&cr, NOW_MS, peer, pkt, len, reply, sizeof(reply), res);
	check_answer(res, n, reply, krm);
	/* a reply that does not fit is refused, never written past cap */
	uint8_t small[24];
	struct cr_result r2;
	int m = cr_input(&cr, NOW_MS, peer, pkt, len, small, sizeof(small), &r2);
	if (m > (int)sizeof(small))
		fuzz_fail("reply longer than its buffer", NULL);
	return n;
}

/* The request re-signed with the pre-shared KRm of its home address (both nonce indices 0,
 * RFC 6521 §5.3): 1 when buf now holds such a request. */
static int resign(uint8_t *buf, size_t len, struct mip4_msg *m)
{
	struct dmm_cursor c;
	if (len == 0 || buf[0] != MIP4_REG_REQUEST || mip4_parse(buf, len, m, &c) != 0 ||
	    m->nexts == 0)
		return 0;
	const struct mip4_ext *e = &m->exts[m->nexts - 1];
	if (e->type != dmm_numbers.haaro_t2 || e->subtype != HAARO_MCAUTH_SUBTYPE ||
	    e->v.mcauth.authlen != HAARO_MCAUTH_LEN ||
	    !fuzz_within(e->v.mcauth.auth, 16, buf, len) || e->off + 8 > len)
		return 0;
	memset(buf + e->off + 4, 0, 4); /* HNI, CNI */
	uint8_t mac[HAARO_MCAUTH_LEN];
	if (haaro_mcauth(psk, buf, e->off, dmm_numbers.mcauth_hdr_octets, mac) != 0)
		abort();
	memcpy(buf + (e->v.mcauth.auth - buf), mac, sizeof(mac));
	return cr_add_psk(&cr, m->u.req.hoa, psk) == 0;
}

static void initiator_parsers(const uint8_t *data, size_t size)
{
	struct mip4_msg m;
	struct dmm_cursor c;
	struct cr_test t;
	struct cr_reply rp;
	const char *why = NULL;
	uint64_t cookie = 0;
	if (mip4_parse(data, size, &m, &c) == 0 &&
	    (m.type == dmm_numbers.haaro_hot || m.type == dmm_numbers.haaro_cot))
		cookie = m.u.t.cookie;
	for (int careof = 0; careof < 2; careof++) {
		why = NULL;
		if (cr_parse_test(careof, cookie, data, size, &t, &why) == 0) {
			if (t.cookie != cookie)
				fuzz_fail("cr_parse_test accepted another cookie", NULL);
			if (cr_parse_test(careof, cookie ^ 1, data, size, &t, &why) == 0)
				fuzz_fail("cr_parse_test ignores the cookie", NULL);
		} else if (!why) {
			fuzz_fail("cr_parse_test failed without a reason", NULL);
		}
	}
	why = NULL;
	if (cr_parse_reply(data, size, NULL, &rp, &why) == 0) {
		if (rp.auth == CR_AUTH_GOOD || rp.n_acks > CR_MAX_NETWORKS ||
		    rp.n_coas > CR_MAX_COAS)
			fuzz_fail("cr_parse_reply result out of range", NULL);
		(void)cr_parse_reply(data, size, psk, &rp, &why);
		(void)cr_code_name(rp.code);
		for (unsigned i = 0; i < rp.n_acks; i++)
			(void)cr_mobnet_code_name(rp.acks[i].ack_code);
	} else if (!why) {
		fuzz_fail("cr_parse_reply failed without a reason", NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[65536];
	static struct mip4_msg m;
	struct cr_result res;

	initiator_parsers(data, size);

	/* 1. as received, from any source */
	fresh_cr(0);
	run(data, size, NULL, &res);

	/* 2. re-signed: verdict, binding table, crossing registrations, replay */
	if (size > sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	fresh_cr(size & 1);
	if (!resign(buf, size, &m))
		return 0;
	if (m.u.req.ident & 1)
		cr_pending_add(&cr, m.u.req.hoa, NOW_MS + 10000);
	run(buf, size, psk, &res);
	if (res.event != CR_EV_REGISTRATION)
		fuzz_fail("re-signed request not handled as a registration", NULL);
	int accepted = res.code == CR_CODE_ACCEPTED || res.code == dmm_numbers.haaro_concurrent;
	if (accepted && !res.dereg) {
		run(buf, size, psk, &res);
		if (res.code != CR_CODE_IDENT_MISMATCH)
			fuzz_fail("replayed registration not refused", NULL);
	}
	cr_expire(&cr, NOW_MS + 1000u * 65536u);
	if (cr.n_bindings)
		fuzz_fail("bindings left after every lifetime ran out", NULL);
	return 0;
}
