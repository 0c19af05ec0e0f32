/* Unit tests of the HAARO correspondent router (seed 003 §3.2, §3.3.3; RFC 6521 §3.2, §5.3-5.9;
 * wire-facts §10.7-10.8, §12 RR vectors). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cr.h"
#include "numbers.h"

#include <string.h>

#define PERIOD 30000u

static const uint8_t kcr_vec[HAARO_KCR_LEN] = {0, 1, 2,  3,  4,  5,  6,  7,
                                               8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t nonce_vec[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t mr_hoa[4] = {192, 0, 2, 1}, mr_ha[4] = {198, 51, 100, 1},
                     mr_coa[4] = {203, 0, 113, 7}, cr_hoa[4] = {192, 0, 2, 200},
                     cr_coa[4] = {203, 0, 113, 99};
static const uint8_t net_owned[4] = {10, 1, 1, 0}, net_foreign[4] = {10, 9, 9, 0};

#define HOME_TOKEN 0x111ee49850f4e508ull
#define CAREOF_TOKEN 0x9e68ce3122fc6696ull
static const uint8_t krm_vec[HAARO_KRM_LEN] = {0x4a, 0xb3, 0xbe, 0x1f, 0x5e, 0x86, 0x12,
                                               0x47, 0x04, 0x15, 0x84, 0xe7, 0xdf, 0x9b,
                                               0x98, 0x99, 0x6d, 0x9a, 0x9e, 0xe2};

/* Random source of the tests: Kcr 00..0f, then the wire-facts nonce for every nonce, or
 * a counter when distinct nonces are wanted. */
struct test_random {
	int distinct;
	uint8_t counter;
	unsigned calls;
};

static int test_random_fn(uint8_t *buf, size_t len, void *arg)
{
	struct test_random *r = arg;
	r->calls++;
	if (len == HAARO_KCR_LEN) {
		memcpy(buf, kcr_vec, len);
	} else if (!r->distinct) {
		memcpy(buf, nonce_vec, len);
	} else {
		memset(buf, 0, len);
		buf[len - 1] = ++r->counter;
	}
	return 0;
}

static struct cr cr;
static struct test_random rnd;
static uint8_t reply[512];
static size_t reply_len; /* of the last registration reply */

static int setup(void **state)
{
	dmm_numbers_parse("haaro-t1=153,haaro-t2=49,haaro-t3=50,haaro-hoti=24,haaro-coti=25,"
	                  "haaro-hot=26,haaro-cot=27,haaro-concurrent=2,haaro-expired-home=201,"
	                  "haaro-expired-coa=202,haaro-expired-both=203,mcauth-hdr=8");
	memset(&rnd, 0, sizeof(rnd));
	struct cr_config cfg = {
	    .nonce_period_ms = PERIOD,
	    .nonces_kept = 8,
	    .check_ident = 1,
	    .random = test_random_fn,
	    .random_arg = &rnd,
	};
	memcpy(cfg.hoa, cr_hoa, 4);
	memcpy(cfg.coas[0], cr_coa, 4);
	cfg.n_coas = 1;
	assert_int_equal(cr_init(&cr, &cfg, 0), 0);
	assert_int_equal(cr_add_prefix(&cr, mr_hoa, net_owned, 24), 0);
	return 0;
}

/* HoTI (from the HoA) or CoTI (from the CoA) answered at now; returns the parsed test. */
static struct cr_test run_test_init(int careof, const uint8_t src[4], uint64_t now)
{
	uint8_t ti[16];
	struct cr_result res;
	struct cr_test t;
	const char *why = NULL;
	uint64_t cookie = careof ? 0x8877665544332211ull : 0x1122334455667788ull;
	int n = cr_build_test_init(careof, cookie, ti, sizeof(ti));
	assert_int_equal(n, 10);
	int r = cr_input(&cr, now, src, ti, (size_t)n, reply, sizeof(reply), &res);
	assert_int_equal(r, 20);
	assert_int_equal(res.event, careof ? CR_EV_COT : CR_EV_HOT);
	assert_int_equal(cr_parse_test(careof, cookie, reply, (size_t)r, &t, &why), 0);
	assert_int_equal(t.nonce_index, res.nonce_index);
	assert_true(t.token == res.token);
	return t;
}

struct reg {
	uint16_t hni, cni, lifetime;
	uint64_t ident;
	const uint8_t *krm;
	const uint8_t *nets[2];
	unsigned n_nets;
};

/* Build the MR->CR request of r, feed it to the CR from mr_coa, parse the reply. */
static struct cr_result register_mr(const struct reg *r, uint64_t now, struct cr_reply *rp)
{
	uint8_t buf[256];
	struct cr_result res;
	const char *why = NULL;
	struct cr_request rq = {
	    .flags = MIP4_F_D | MIP4_F_T,
	    .lifetime = r->lifetime,
	    .ident = r->ident,
	    .hni = r->hni,
	    .cni = r->cni,
	    .krm = r->krm,
	};
	memcpy(rq.hoa, mr_hoa, 4);
	memcpy(rq.ha, mr_ha, 4);
	memcpy(rq.coa, mr_coa, 4);
	for (unsigned i = 0; i < r->n_nets; i++) {
		memcpy(rq.networks[i].prefix, r->nets[i], 4);
		rq.networks[i].plen = 24;
	}
	rq.n_networks = r->n_nets;
	int n = cr_build_request(&rq, buf, sizeof(buf));
	assert_true(n > 24);
	int rn = cr_input(&cr, now, mr_coa, buf, (size_t)n, reply, sizeof(reply), &res);
	assert_true(rn > 0);
	reply_len = (size_t)rn;
	assert_int_equal(res.event, CR_EV_REGISTRATION);
	assert_int_equal(cr_parse_reply(reply, (size_t)rn, r->krm, rp, &why), 0);
	assert_int_equal(rp->code, res.code);
	assert_true(rp->ident == r->ident);
	assert_memory_equal(rp->hoa, mr_hoa, 4);
	return res;
}

/* wire-facts §12: HoTI/HoT bytes, tokens, KRm, from Kcr 00..0f and nonce 0102030405060708 */
static void test_rr_vectors(void **state)
{
	static const uint8_t hoti[] = {0x18, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
	static const uint8_t hot[] = {0x1a, 0x00, 0x00, 0x05, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
	                              0x77, 0x88, 0x11, 0x1e, 0xe4, 0x98, 0x50, 0xf4, 0xe5, 0x08};
	static const uint8_t dereg_vec[HAARO_KRM_LEN] = {0x69, 0x04, 0x46, 0x59, 0xde, 0x53, 0x17,
	                                                 0xa3, 0xee, 0x76, 0x55, 0xbc, 0x90, 0x1a,
	                                                 0x84, 0x59, 0x08, 0x04, 0xbd, 0xe0};
	uint8_t buf[32], krm[HAARO_KRM_LEN];
	struct cr_result res;
	assert_int_equal(cr_build_test_init(0, 0x1122334455667788ull, buf, sizeof(buf)), 10);
	assert_memory_equal(buf, hoti, sizeof(hoti));
	/* period 4 carries nonce index 5 */
	int n =
	    cr_input(&cr, 4 * PERIOD + 1, mr_hoa, hoti, sizeof(hoti), reply, sizeof(reply), &res);
	assert_int_equal(n, sizeof(hot));
	assert_memory_equal(reply, hot, sizeof(hot));
	assert_int_equal(res.nonce_index, 5);
	assert_memory_equal(cr.kcr, kcr_vec, HAARO_KCR_LEN);

	struct cr_test cot = run_test_init(1, mr_coa, 4 * PERIOD + 2);
	assert_int_equal(cot.nonce_index, 5);
	assert_true(cot.token == CAREOF_TOKEN);
	assert_int_equal(cr_derive_krm(HOME_TOKEN, cot.token, 0, krm), 0);
	assert_memory_equal(krm, krm_vec, HAARO_KRM_LEN);
	assert_int_equal(cr_derive_krm(HOME_TOKEN, 0, 1, krm), 0);
	assert_memory_equal(krm, dereg_vec, HAARO_KRM_LEN);
}

/* wire-facts §12 MR->CR request (HNI 5, CNI 6): authenticator bytes, then the CR accepts it */
static void test_registration_vector_accepted(void **state)
{
	static const uint8_t auth8[] = {0x52, 0x0d, 0xb9, 0x0d, 0x93, 0x51, 0xe8, 0x00,
	                                0x6c, 0x45, 0x24, 0xdf, 0x83, 0xf6, 0xad, 0x66};
	uint8_t buf[128];
	struct cr_request rq = {
	    .flags = MIP4_F_D | MIP4_F_T,
	    .lifetime = 600,
	    .ident = 0xe1d2c3b400000001ull,
	    .hni = 5,
	    .cni = 6,
	    .krm = krm_vec,
	    .n_networks = 1,
	};
	memcpy(rq.hoa, mr_hoa, 4);
	memcpy(rq.ha, mr_ha, 4);
	memcpy(rq.coa, mr_coa, 4);
	memcpy(rq.networks[0].prefix, net_owned, 4);
	rq.networks[0].plen = 24;
	assert_int_equal(cr_build_request(&rq, buf, sizeof(buf)), 56);
	assert_memory_equal(buf + 40, auth8, sizeof(auth8));

	/* the CR issued index 5 (HoT) and 6 (CoT, next period), both from the vector nonce */
	run_test_init(0, mr_hoa, 4 * PERIOD);
	struct cr_test cot = run_test_init(1, mr_coa, 5 * PERIOD);
	assert_int_equal(cot.nonce_index, 6);
	assert_int_equal(cr.n_bindings, 0); /* no state before a verified registration */

	struct cr_reply rp;
	struct reg r = {.hni = 5,
	                .cni = 6,
	                .lifetime = 600,
	                .ident = rq.ident,
	                .krm = krm_vec,
	                .nets = {net_owned},
	                .n_nets = 1};
	struct cr_result res = register_mr(&r, 5 * PERIOD + 10, &rp);
	assert_int_equal(res.code, 0);
	assert_int_equal(rp.auth, CR_AUTH_GOOD);
	assert_int_equal(rp.lifetime, 600);
	assert_int_equal(rp.n_acks, 1);
	assert_int_equal(rp.acks[0].ack_code, CR_MOBNET_SUCCESS);
	assert_memory_equal(rp.acks[0].prefix, net_owned, 4);
	assert_int_equal(rp.n_coas, 1);
	assert_memory_equal(rp.coas[0], cr_coa, 4);

	const struct cr_binding *b = cr_find_binding(&cr, mr_hoa);
	assert_non_null(b);
	assert_memory_equal(b->coa, mr_coa, 4);
	assert_int_equal(b->n_networks, 1);
	assert_int_equal(b->hni, 5);
	assert_int_equal(b->cni, 6);

	/* the same Identification again is a replay */
	res = register_mr(&r, 5 * PERIOD + 20, &rp);
	assert_int_equal(res.code, CR_CODE_IDENT_MISMATCH);
	assert_int_equal(rp.auth, CR_AUTH_GOOD);

	/* deregistration: KRm = SHA1(home token), the care-of index is ignored */
	uint8_t dereg_krm[HAARO_KRM_LEN];
	assert_int_equal(cr_derive_krm(HOME_TOKEN, 0, 1, dereg_krm), 0);
	struct reg d = {
	    .hni = 5, .cni = 999, .lifetime = 0, .ident = rq.ident + 1, .krm = dereg_krm};
	res = register_mr(&d, 5 * PERIOD + 30, &rp);
	assert_int_equal(res.code, 0);
	assert_true(res.dereg);
	assert_int_equal(rp.auth, CR_AUTH_GOOD);
	assert_int_equal(cr.n_bindings, 0);

	/* the binding lifetime runs out */
	r.ident += 10;
	assert_int_equal(register_mr(&r, 5 * PERIOD + 40, &rp).code, 0);
	cr_expire(&cr, 5 * PERIOD + 40 + 599999);
	assert_int_equal(cr.n_bindings, 1);
	cr_expire(&cr, 5 * PERIOD + 40 + 600000);
	assert_int_equal(cr.n_bindings, 0);
}

/* RR with fresh nonces, then a registration with the derived KRm at `when` */
static struct cr_result rr_and_register(uint64_t t_home, uint64_t t_careof, uint64_t when,
                                        const uint8_t *const *nets, unsigned n_nets,
                                        struct cr_reply *rp, uint8_t krm[HAARO_KRM_LEN])
{
	struct cr_test hot = run_test_init(0, mr_hoa, t_home);
	struct cr_test cot = run_test_init(1, mr_coa, t_careof);
	assert_int_equal(cr_derive_krm(hot.token, cot.token, 0, krm), 0);
	struct reg r = {.hni = hot.nonce_index,
	                .cni = cot.nonce_index,
	                .lifetime = 300,
	                .ident = when + 1,
	                .krm = krm,
	                .n_nets = n_nets};
	for (unsigned i = 0; i < n_nets; i++)
		r.nets[i] = nets[i];
	return register_mr(&r, when, rp);
}

/* seed 003 §3.2.3: nonces rotate every period and the last N are accepted; codes 201-203 */
static void test_expired_nonces(void **state)
{
	struct cr_reply rp;
	uint8_t krm[HAARO_KRM_LEN];
	rnd.distinct = 1;
	/* both issued in period 0: accepted through period 7, expired in period 8 */
	struct cr_result res = rr_and_register(0, 0, 7 * PERIOD + PERIOD - 1, NULL, 0, &rp, krm);
	assert_int_equal(res.code, 0);
	res = rr_and_register(PERIOD, PERIOD, 9 * PERIOD, NULL, 0, &rp, krm);
	assert_int_equal(res.code, 203);
	assert_int_equal(rp.auth, CR_AUTH_ABSENT); /* no KRm: no MC-Auth */
	assert_int_equal(rp.lifetime, 0);
	/* home token from period 10, care-of from period 13: at period 18 only home expired */
	res = rr_and_register(10 * PERIOD, 13 * PERIOD, 18 * PERIOD, NULL, 0, &rp, krm);
	assert_int_equal(res.code, 201);
	assert_string_equal(cr_code_name(res.code), "Expired Home Nonce Index");
	res = rr_and_register(23 * PERIOD, 20 * PERIOD, 28 * PERIOD, NULL, 0, &rp, krm);
	assert_int_equal(res.code, 202);
	assert_int_equal(cr.n_bindings, 1); /* only the first registration */
	/* an index never issued is refused the same way */
	uint64_t v;
	assert_int_equal(cr_nonce_lookup(&cr, 28 * PERIOD, 0, &v), -1);
	assert_int_equal(cr_nonce_lookup(&cr, 28 * PERIOD, 24, &v), 0);  /* period 23 */
	assert_int_equal(cr_nonce_lookup(&cr, 28 * PERIOD, 11, &v), -1); /* period 10: expired */
	assert_int_equal(cr_nonce_lookup(&cr, 28 * PERIOD, 29, &v), -1); /* never issued */
}

/* configurable rotation: a 500 ms period with a single nonce kept */
static void test_nonce_configuration(void **state)
{
	struct cr_config cfg = {
	    .nonce_period_ms = 500, .nonces_kept = 1, .random = test_random_fn, .random_arg = &rnd};
	uint16_t i1, i2;
	uint64_t v1, v2, v;
	rnd.distinct = 1;
	assert_int_equal(cr_init(&cr, &cfg, 1000), 0);
	assert_int_equal(cr_current_nonce(&cr, 1000, &i1, &v1), 0);
	assert_int_equal(cr_current_nonce(&cr, 1499, &i2, &v2), 0);
	assert_int_equal(i1, i2);
	assert_true(v1 == v2);
	assert_int_equal(cr_nonce_lookup(&cr, 1499, i1, &v), 0);
	assert_int_equal(cr_nonce_lookup(&cr, 1500, i1, &v), -1);
	assert_int_equal(cr_current_nonce(&cr, 1500, &i2, &v2), 0);
	assert_int_equal(i2, i1 + 1);
	assert_true(v1 != v2);
	cfg.nonces_kept = CR_MAX_NONCES_KEPT + 1;
	assert_int_equal(cr_init(&cr, &cfg, 0), -1);
}

/* Kcr is produced on first use by the random source, 16 octets (seed 003 §3.2.1) */
static void test_kcr_random(void **state)
{
	struct cr_config cfg = {0};
	uint16_t idx;
	uint64_t v;
	assert_int_equal(cr_init(&cr, &cfg, 0), 0);
	assert_false(cr.have_kcr);
	assert_int_equal(cr_current_nonce(&cr, 0, &idx, &v), 0);
	assert_true(cr.have_kcr);
	static const uint8_t zero[HAARO_KCR_LEN];
	assert_memory_not_equal(cr.kcr, zero, HAARO_KCR_LEN);
	struct cr other;
	assert_int_equal(cr_init(&other, &cfg, 0), 0);
	assert_int_equal(cr_current_nonce(&other, 0, &idx, &v), 0);
	assert_memory_not_equal(cr.kcr, other.kcr, HAARO_KCR_LEN);
}

/* a wrong key fails MC-Auth (131), with no MC-Auth in the reply and no binding */
static void test_wrong_key(void **state)
{
	struct cr_reply rp;
	uint8_t krm[HAARO_KRM_LEN];
	rnd.distinct = 1;
	struct cr_test hot = run_test_init(0, mr_hoa, 0);
	struct cr_test cot = run_test_init(1, mr_coa, 0);
	assert_int_equal(cr_derive_krm(hot.token, cot.token ^ 1, 0, krm), 0);
	struct reg r = {.hni = hot.nonce_index,
	                .cni = cot.nonce_index,
	                .lifetime = 300,
	                .ident = 1,
	                .krm = krm};
	struct cr_result res = register_mr(&r, 10, &rp);
	assert_int_equal(res.code, CR_CODE_AUTH_FAILED);
	assert_string_equal(res.why, "MC-Auth authenticator mismatch");
	assert_int_equal(rp.auth, CR_AUTH_ABSENT);
	assert_int_equal(cr.n_bindings, 0);
	/* the care-of token is bound to the observed source address: a CoT obtained from
	 * another address does not verify */
	static const uint8_t other[4] = {203, 0, 113, 8};
	cot = run_test_init(1, other, 0);
	assert_int_equal(cr_derive_krm(hot.token, cot.token, 0, krm), 0);
	r.cni = cot.nonce_index;
	assert_int_equal(register_mr(&r, 20, &rp).code, CR_CODE_AUTH_FAILED);
	/* the correct key is accepted, and its reply verifies only with that key */
	cot = run_test_init(1, mr_coa, 0);
	assert_int_equal(cr_derive_krm(hot.token, cot.token, 0, krm), 0);
	r.ident = 2;
	assert_int_equal(register_mr(&r, 30, &rp).code, 0);
	assert_int_equal(rp.auth, CR_AUTH_GOOD);
	const char *why;
	struct cr_reply rp2;
	uint8_t bad[HAARO_KRM_LEN];
	memcpy(bad, krm, sizeof(bad));
	bad[0] ^= 0x80;
	assert_int_equal(cr_parse_reply(reply, reply_len, bad, &rp2, &why), 0);
	assert_int_equal(rp2.auth, CR_AUTH_BAD);
	assert_int_equal(rp2.code, 0);
}

/* a registration without MC-Auth, a pre-shared KRm (indices 0), a malformed request */
static void test_psk_and_malformed(void **state)
{
	static const uint8_t psk[HAARO_KRM_LEN] = {0xaa, 0xbb, 0xcc};
	struct cr_reply rp;
	struct cr_result res;
	assert_int_equal(cr_add_psk(&cr, mr_hoa, psk), 0);
	struct reg r = {.lifetime = 100, .ident = 7, .krm = psk, .nets = {net_owned}, .n_nets = 1};
	res = register_mr(&r, 0, &rp);
	assert_int_equal(res.code, 0);
	assert_int_equal(rp.auth, CR_AUTH_GOOD);
	assert_int_equal(rp.lifetime, 100);
	/* indices 0 with another key: the pre-shared one does not verify */
	static const uint8_t other_hoa_krm[HAARO_KRM_LEN] = {1};
	r.krm = other_hoa_krm;
	r.ident = 8;
	res = register_mr(&r, 0, &rp);
	assert_int_equal(res.code, CR_CODE_AUTH_FAILED); /* psk exists for this HoA: wrong key */

	uint8_t buf[128];
	struct cr_request rq = {.lifetime = 100, .ident = 9, .krm = psk};
	memcpy(rq.hoa, mr_hoa, 4);
	int n = cr_build_request(&rq, buf, sizeof(buf));
	assert_int_equal(n, 24 + 24);
	/* MC-Auth cut off: only the fixed part */
	int rn = cr_input(&cr, 0, mr_coa, buf, 24, reply, sizeof(reply), &res);
	assert_int_equal(res.code, CR_CODE_AUTH_FAILED);
	assert_string_equal(res.why, "no Mobile-Correspondent Authentication extension");
	const char *why;
	assert_int_equal(cr_parse_reply(reply, (size_t)rn, psk, &rp, &why), 0);
	assert_int_equal(rp.auth, CR_AUTH_ABSENT);
	/* truncated extension: poorly formed */
	rn = cr_input(&cr, 0, mr_coa, buf, 30, reply, sizeof(reply), &res);
	assert_true(rn > 0);
	assert_int_equal(res.code, CR_CODE_POORLY_FORMED);
	/* an extension after MC-Auth (a Pad) is outside the protected data: poorly formed */
	n = cr_build_request(&rq, buf, sizeof(buf));
	buf[n] = 0;
	assert_true(cr_input(&cr, 0, mr_coa, buf, (size_t)n + 1, reply, sizeof(reply), &res) > 0);
	assert_int_equal(res.code, CR_CODE_POORLY_FORMED);
	assert_string_equal(res.why, "MC-Auth is not the last extension");
	/* shorter than the fixed part, or not a CR message: dropped */
	assert_int_equal(cr_input(&cr, 0, mr_coa, buf, 20, reply, sizeof(reply), &res), 0);
	assert_int_equal(res.event, CR_EV_DROPPED);
	buf[0] = 3;
	assert_int_equal(cr_input(&cr, 0, mr_coa, buf, (size_t)n, reply, sizeof(reply), &res), 0);
	uint8_t hoti[10] = {24};
	assert_int_equal(cr_input(&cr, 0, mr_hoa, hoti, 9, reply, sizeof(reply), &res), 0);
	assert_string_equal(res.why, "truncated");
}

/* seed 003 §3.3.3: a prefix the HoA does not own is acked MOBNET_UNAUTHORIZED */
static void test_unauthorized_prefix(void **state)
{
	static const uint8_t *const nets[] = {net_owned, net_foreign};
	struct cr_reply rp;
	uint8_t krm[HAARO_KRM_LEN];
	rnd.distinct = 1;
	struct cr_result res = rr_and_register(0, 0, 10, nets, 2, &rp, krm);
	assert_int_equal(res.code, 0);
	assert_int_equal(rp.auth, CR_AUTH_GOOD);
	assert_int_equal(rp.n_acks, 2);
	assert_int_equal(rp.acks[0].ack_code, CR_MOBNET_SUCCESS);
	assert_int_equal(rp.acks[1].ack_code, CR_MOBNET_UNAUTHORIZED);
	assert_memory_equal(rp.acks[1].prefix, net_foreign, 4);
	assert_string_equal(cr_mobnet_code_name(rp.acks[1].ack_code), "MOBNET_UNAUTHORIZED");
	const struct cr_binding *b = cr_find_binding(&cr, mr_hoa);
	assert_non_null(b);
	assert_int_equal(b->n_networks, 1); /* only the owned prefix is routed */
	/* a more specific prefix inside an owned one is owned */
	static const uint8_t sub[4] = {10, 1, 1, 128};
	static const uint8_t *const subnet[] = {sub};
	res = rr_and_register(0, 0, 20, subnet, 1, &rp, krm);
	assert_int_equal(rp.acks[0].ack_code, CR_MOBNET_SUCCESS);
	/* policy: reject the whole registration */
	cr.cfg.reject_unauthorized = 1;
	res = rr_and_register(0, 0, 30, nets, 2, &rp, krm);
	assert_int_equal(res.code, CR_CODE_MOBNET_ERROR);
	assert_int_equal(rp.n_acks, 2);
	assert_int_equal(rp.acks[1].ack_code, CR_MOBNET_UNAUTHORIZED);
	assert_int_equal(rp.auth, CR_AUTH_GOOD);
	assert_int_equal(rp.n_coas, 0);
}

/* seed 003 §3.3.3: the router with the smaller HoA answers a crossing request with code 2 */
static void test_concurrent_registration(void **state)
{
	struct cr_reply rp;
	uint8_t krm[HAARO_KRM_LEN];
	rnd.distinct = 1;
	/* CR HoA 192.0.2.200 > MR HoA 192.0.2.1: pending or not, the CR answers 0 */
	assert_int_equal(cr_pending_add(&cr, mr_hoa, 1000), 0);
	assert_int_equal(rr_and_register(0, 0, 10, NULL, 0, &rp, krm).code, 0);
	/* a CR with the smaller HoA answers 2 while its own request is pending */
	static const uint8_t low[4] = {192, 0, 1, 1};
	memcpy(cr.cfg.hoa, low, 4);
	struct cr_result res = rr_and_register(0, 0, 20, NULL, 0, &rp, krm);
	assert_int_equal(res.code, 2);
	assert_string_equal(cr_code_name(2), "Concurrent registration");
	assert_int_equal(rp.auth, CR_AUTH_GOOD);
	assert_int_equal(rp.n_coas, 1); /* accepted */
	assert_true(cr_find_binding(&cr, mr_hoa)->concurrent);
	/* the pending registration expires (or completes): back to 0 */
	assert_int_equal(rr_and_register(0, 0, 1000, NULL, 0, &rp, krm).code, 0);
	assert_int_equal(cr_pending_add(&cr, mr_hoa, 5000), 0);
	assert_int_equal(rr_and_register(0, 0, 1010, NULL, 0, &rp, krm).code, 2);
	cr_pending_clear(&cr, mr_hoa);
	assert_int_equal(rr_and_register(0, 0, 1020, NULL, 0, &rp, krm).code, 0);
	assert_false(cr_find_binding(&cr, mr_hoa)->concurrent);
}

/* a full binding table refuses further mobile routers (130) after verifying them */
static void test_binding_table_full(void **state)
{
	uint8_t ti[16], buf[128], krm[HAARO_KRM_LEN];
	struct cr_result res;
	struct cr_reply rp;
	const char *why;
	rnd.distinct = 1;
	struct cr_test cot = run_test_init(1, mr_coa, 0);
	int n = cr_build_test_init(0, 1, ti, sizeof(ti));
	for (unsigned i = 0; i <= CR_MAX_BINDINGS; i++) {
		struct cr_request rq = {
		    .lifetime = 60, .ident = 1, .cni = cot.nonce_index, .krm = krm};
		const uint8_t hoa[4] = {10, 200, (uint8_t)(i >> 8), (uint8_t)(i + 1)};
		struct cr_test hot;
		int r = cr_input(&cr, 0, hoa, ti, (size_t)n, reply, sizeof(reply), &res);
		assert_int_equal(cr_parse_test(0, 1, reply, (size_t)r, &hot, &why), 0);
		assert_int_equal(cr_derive_krm(hot.token, cot.token, 0, krm), 0);
		memcpy(rq.hoa, hoa, 4);
		rq.hni = hot.nonce_index;
		int len = cr_build_request(&rq, buf, sizeof(buf));
		r = cr_input(&cr, 1, mr_coa, buf, (size_t)len, reply, sizeof(reply), &res);
		assert_int_equal(cr_parse_reply(reply, (size_t)r, krm, &rp, &why), 0);
		assert_int_equal(rp.auth, CR_AUTH_GOOD);
		assert_int_equal(rp.code,
		                 i < CR_MAX_BINDINGS ? CR_CODE_ACCEPTED : CR_CODE_INSUFFICIENT);
	}
	assert_int_equal(cr.n_bindings, CR_MAX_BINDINGS);
}

/* the TBA reply codes follow dmm_numbers */
static void test_code_numbers_configurable(void **state)
{
	struct cr_reply rp;
	uint8_t krm[HAARO_KRM_LEN];
	rnd.distinct = 1;
	assert_int_equal(dmm_numbers_parse("haaro-expired-both=210"), 0);
	assert_int_equal(rr_and_register(0, 0, 100 * PERIOD, NULL, 0, &rp, krm).code, 210);
}

/* the initiator side refuses a HoT/CoT that does not answer its cookie */
static void test_initiator_parse(void **state)
{
	struct cr_test t;
	const char *why = NULL;
	uint8_t ti[16];
	int n = cr_build_test_init(1, 42, ti, sizeof(ti));
	assert_int_equal(ti[0], 25);
	int r = cr_input(&cr, 0, mr_coa, ti, (size_t)n, reply, sizeof(reply), NULL);
	assert_int_equal(r, 20);
	assert_int_equal(cr_parse_test(1, 43, reply, (size_t)r, &t, &why), -1);
	assert_string_equal(why, "init cookie mismatch");
	assert_int_equal(cr_parse_test(0, 42, reply, (size_t)r, &t, &why), -1);
	assert_string_equal(why, "not a HoT");
	assert_int_equal(cr_parse_test(1, 42, reply, 12, &t, &why), -1);
	assert_string_equal(why, "truncated");
	assert_int_equal(cr_parse_test(1, 42, reply, (size_t)r, &t, &why), 0);
	/* a non-zero Reserved octet of the CoTI is ignored (RFC 6521 §5.7) */
	ti[1] = 0xff;
	assert_int_equal(cr_input(&cr, 0, mr_coa, ti, (size_t)n, reply, sizeof(reply), NULL), 20);
	assert_int_equal(reply[1], 0);
	struct cr_test t2;
	assert_int_equal(cr_parse_test(1, 42, reply, 20, &t2, &why), 0);
	assert_true(t2.token == t.token);
	assert_int_equal(cr_parse_reply(reply, (size_t)r, NULL, &(struct cr_reply){0}, &why), -1);
	assert_int_equal(cr.n_bindings, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_rr_vectors, setup),
	    cmocka_unit_test_setup(test_registration_vector_accepted, setup),
	    cmocka_unit_test_setup(test_expired_nonces, setup),
	    cmocka_unit_test_setup(test_nonce_configuration, setup),
	    cmocka_unit_test_setup(test_kcr_random, setup),
	    cmocka_unit_test_setup(test_wrong_key, setup),
	    cmocka_unit_test_setup(test_psk_and_malformed, setup),
	    cmocka_unit_test_setup(test_unauthorized_prefix, setup),
	    cmocka_unit_test_setup(test_concurrent_registration, setup),
	    cmocka_unit_test_setup(test_binding_table_full, setup),
	    cmocka_unit_test_setup(test_code_numbers_configurable, setup),
	    cmocka_unit_test_setup(test_initiator_parse, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
