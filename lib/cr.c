/* HAARO correspondent router (seed 003 §3.2, §3.2.1-3.2.3, §3.3.3; RFC 6521 §3.2, §3.3.3, §5.3-5.9)
 * and the mobile router's side of return routability and registration. */
#include "cr.h"
#include "numbers.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>

/* ---- randomness, addresses ---- */

int cr_random_openssl(uint8_t *buf, size_t len, void *arg)
{
	(void)arg;
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

static uint64_t be64(const uint8_t *b)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

int cr_random64(uint64_t *v)
{
	uint8_t b[8];
	if (cr_random_openssl(b, sizeof(b), NULL) < 0)
		return -1;
	*v = be64(b);
	return 0;
}

static int cr_random(struct cr *cr, uint8_t *buf, size_t len)
{
	return cr->cfg.random(buf, len, cr->cfg.random_arg);
}

static uint32_t plen_mask(unsigned plen)
{
	return plen ? (uint32_t)(0xffffffffu << (32 - plen)) : 0;
}

/* ---- configuration ---- */

int cr_init(struct cr *cr, const struct cr_config *cfg, uint64_t now_ms)
{
	memset(cr, 0, sizeof(*cr));
	if (cfg)
		cr->cfg = *cfg;
	if (!cr->cfg.nonce_period_ms)
		cr->cfg.nonce_period_ms = CR_NONCE_PERIOD_MS;
	if (!cr->cfg.nonces_kept)
		cr->cfg.nonces_kept = CR_NONCES_KEPT;
	if (!cr->cfg.max_lifetime)
		cr->cfg.max_lifetime = CR_DEFAULT_MAX_LIFETIME;
	if (!cr->cfg.random)
		cr->cfg.random = cr_random_openssl;
	cr->epoch_ms = now_ms;
	return cr->cfg.nonces_kept <= CR_MAX_NONCES_KEPT && cr->cfg.n_coas <= CR_MAX_COAS ? 0 : -1;
}

void cr_set_kcr(struct cr *cr, const uint8_t kcr[HAARO_KCR_LEN])
{
	memcpy(cr->kcr, kcr, HAARO_KCR_LEN);
	cr->have_kcr = 1;
}

int cr_add_prefix(struct cr *cr, const uint8_t hoa[4], const uint8_t prefix[4], uint8_t plen)
{
	if (cr->n_prefixes >= CR_MAX_PREFIXES || plen > 32)
		return -1;
	struct cr_prefix *p = &cr->prefixes[cr->n_prefixes++];
	uint32_t v = be32(prefix) & plen_mask(plen);
	memcpy(p->hoa, hoa, 4);
	for (int i = 0; i < 4; i++)
		p->prefix[i] = (uint8_t)(v >> (24 - 8 * i));
	p->plen = plen;
	return 0;
}

int cr_add_psk(struct cr *cr, const uint8_t hoa[4], const uint8_t krm[HAARO_KRM_LEN])
{
	if (cr->n_psks >= CR_MAX_PSK)
		return -1;
	memcpy(cr->psks[cr->n_psks].hoa, hoa, 4);
	memcpy(cr->psks[cr->n_psks].krm, krm, HAARO_KRM_LEN);
	cr->n_psks++;
	return 0;
}

static int find_pending(const struct cr *cr, const uint8_t peer[4])
{
	for (unsigned i = 0; i < cr->n_pending; i++)
		if (memcmp(cr->pending[i].peer, peer, 4) == 0)
			return (int)i;
	return -1;
}

int cr_pending_add(struct cr *cr, const uint8_t peer[4], uint64_t expires_ms)
{
	int i = find_pending(cr, peer);
	if (i < 0) {
		if (cr->n_pending >= CR_MAX_PENDING)
			return -1;
		i = (int)cr->n_pending++;
		memcpy(cr->pending[i].peer, peer, 4);
	}
	cr->pending[i].expires_ms = expires_ms;
	return 0;
}

void cr_pending_clear(struct cr *cr, const uint8_t peer[4])
{
	int i = find_pending(cr, peer);
	if (i >= 0)
		cr->pending[i] = cr->pending[--cr->n_pending];
}

/* ---- Kcr and nonces (§3.2.1-3.2.3) ---- */

static int ensure_kcr(struct cr *cr)
{
	if (!cr->have_kcr) {
		if (cr_random(cr, cr->kcr, HAARO_KCR_LEN) < 0)
			return -1;
		cr->have_kcr = 1;
	}
	return 0;
}

static uint64_t period_of(const struct cr *cr, uint64_t now_ms)
{
	return now_ms < cr->epoch_ms ? 0 : (now_ms - cr->epoch_ms) / cr->cfg.nonce_period_ms;
}

/* Nonce indices run 1..65535; 0 is left for pre-shared KRms (RFC 6521 §5.3). */
static uint16_t index_of(uint64_t period)
{
	return (uint16_t)(period % 65535 + 1);
}

int cr_current_nonce(struct cr *cr, uint64_t now_ms, uint16_t *index, uint64_t *value)
{
	if (ensure_kcr(cr) < 0)
		return -1;
	uint64_t p = period_of(cr, now_ms);
	struct cr_nonce_slot *s = &cr->nonces[p % cr->cfg.nonces_kept];
	if (!s->used || s->period != p) {
		uint8_t b[8];
		if (cr_random(cr, b, sizeof(b)) < 0)
			return -1;
		s->value = be64(b);
		s->period = p;
		s->used = 1;
	}
	*index = index_of(p);
	*value = s->value;
	return 0;
}

int cr_nonce_lookup(const struct cr *cr, uint64_t now_ms, uint16_t index, uint64_t *value)
{
	uint64_t p = period_of(cr, now_ms);
	for (unsigned i = 0; i < cr->cfg.nonces_kept; i++) {
		const struct cr_nonce_slot *s = &cr->nonces[i];
		if (s->used && s->period <= p && p - s->period < cr->cfg.nonces_kept &&
		    index_of(s->period) == index) {
			*value = s->value;
			return 0;
		}
	}
	return -1;
}

/* ---- HoTI / CoTI -> HoT / CoT (§3.2, §5.6-5.9) ---- */

static int encode_msg(const struct mip4_msg *m, uint8_t *buf, size_t cap)
{
	struct dmm_wbuf w;
	wb_init(&w, buf, cap);
	return mip4_encode(m, &w);
}

static int answer_test(struct cr *cr, uint64_t now_ms, const uint8_t src[4], int careof,
                       const struct mip4_msg *ti, uint8_t *reply, size_t cap, struct cr_result *res)
{
	struct mip4_msg t;
	uint64_t nonce;
	memset(&t, 0, sizeof(t));
	t.type = careof ? dmm_numbers.haaro_cot : dmm_numbers.haaro_hot;
	t.u.t.cookie = ti->u.ti.cookie;
	if (cr_current_nonce(cr, now_ms, &t.u.t.nonce_index, &nonce) < 0 ||
	    haaro_keygen_token(cr->kcr, src, nonce, careof, &t.u.t.token) < 0)
		return -1;
	res->event = careof ? CR_EV_COT : CR_EV_HOT;
	res->cookie = t.u.t.cookie;
	res->nonce_index = t.u.t.nonce_index;
	res->token = t.u.t.token;
	return encode_msg(&t, reply, cap);
}

/* ---- registration (§3.3.3) ---- */

const struct cr_binding *cr_find_binding(const struct cr *cr, const uint8_t hoa[4])
{
	for (unsigned i = 0; i < cr->n_bindings; i++)
		if (memcmp(cr->bindings[i].hoa, hoa, 4) == 0)
			return &cr->bindings[i];
	return NULL;
}

static void remove_binding(struct cr *cr, const uint8_t hoa[4])
{
	const struct cr_binding *b = cr_find_binding(cr, hoa);
	if (b) {
		unsigned i = (unsigned)(b - cr->bindings);
		cr->bindings[i] = cr->bindings[--cr->n_bindings];
	}
}

void cr_expire(struct cr *cr, uint64_t now_ms)
{
	for (unsigned i = 0; i < cr->n_bindings;) {
		if (cr->bindings[i].expires_ms <= now_ms)
			cr->bindings[i] = cr->bindings[--cr->n_bindings];
		else
			i++;
	}
	for (unsigned i = 0; i < cr->n_pending;) {
		if (cr->pending[i].expires_ms <= now_ms)
			cr->pending[i] = cr->pending[--cr->n_pending];
		else
			i++;
	}
}

/* hoa owns prefix/plen when a table entry of hoa covers it. */
static int prefix_authorized(const struct cr *cr, const uint8_t hoa[4], const uint8_t prefix[4],
                             uint8_t plen)
{
	uint32_t v = be32(prefix);
	for (unsigned i = 0; i < cr->n_prefixes; i++) {
		const struct cr_prefix *p = &cr->prefixes[i];
		if (memcmp(p->hoa, hoa, 4) == 0 && p->plen <= plen &&
		    (v & plen_mask(p->plen)) == be32(p->prefix))
			return 1;
	}
	return 0;
}

static const uint8_t *find_psk(const struct cr *cr, const uint8_t hoa[4])
{
	for (unsigned i = 0; i < cr->n_psks; i++)
		if (memcmp(cr->psks[i].hoa, hoa, 4) == 0)
			return cr->psks[i].krm;
	return NULL;
}

static int pending_to(const struct cr *cr, const uint8_t peer[4], uint64_t now_ms)
{
	int i = find_pending(cr, peer);
	return i >= 0 && cr->pending[i].expires_ms > now_ms;
}

/* The registration being answered. */
struct reg_ctx {
	const struct mip4_msg *rq;
	const uint8_t *pkt;
	const uint8_t *src;
	const struct mip4_ext *mcauth;
	uint8_t krm[HAARO_KRM_LEN];
	uint8_t have_krm;
};

/* KRm of the request from its nonce indices (or a pre-shared one). Returns 0, or the
 * expired-nonce reply code. */
static uint8_t registration_key(struct cr *cr, uint64_t now_ms, struct reg_ctx *x,
                                struct cr_result *res)
{
	const struct mip4_msg *rq = x->rq;
	const uint8_t *psk = find_psk(cr, rq->u.req.hoa);
	uint64_t home_nonce, careof_nonce, home_token, careof_token = 0;
	if (psk && res->hni == 0 && (res->cni == 0 || res->dereg)) {
		memcpy(x->krm, psk, HAARO_KRM_LEN);
		return 0;
	}
	int home_ok = cr_nonce_lookup(cr, now_ms, res->hni, &home_nonce) == 0;
	int careof_ok = res->dereg || cr_nonce_lookup(cr, now_ms, res->cni, &careof_nonce) == 0;
	if (!home_ok && !careof_ok)
		return dmm_numbers.haaro_exp_both;
	if (!home_ok)
		return dmm_numbers.haaro_exp_home;
	if (!careof_ok)
		return dmm_numbers.haaro_exp_coa;
	/* Kcr exists: a nonce was issued */
	if (haaro_keygen_token(cr->kcr, rq->u.req.hoa, home_nonce, 0, &home_token) < 0 ||
	    (!res->dereg &&
	     haaro_keygen_token(cr->kcr, x->src, careof_nonce, 1, &careof_token) < 0) ||
	    cr_derive_krm(home_token, careof_token, res->dereg, x->krm) < 0)
		return CR_CODE_AUTH_FAILED;
	return 0;
}

static int mcauth_valid(const struct reg_ctx *x)
{
	uint8_t mac[HAARO_MCAUTH_LEN];
	const struct mip4_ext *e = x->mcauth;
	return e->v.mcauth.authlen == HAARO_MCAUTH_LEN &&
	       haaro_mcauth(x->krm, x->pkt, e->off, dmm_numbers.mcauth_hdr_octets, mac) == 0 &&
	       CRYPTO_memcmp(mac, e->v.mcauth.auth, HAARO_MCAUTH_LEN) == 0;
}

/* Mobile Network Requests of the request into res, each with its Ack code. Returns the
 * number of unauthorized prefixes, or -1 when there are too many. */
static int check_networks(const struct cr *cr, const struct mip4_msg *rq, struct cr_result *res)
{
	int unauthorized = 0;
	const struct mip4_ext *e;
	for (unsigned n = 0; (e = mip4_find_ext(rq, MIP4_EXT_MOBNET, MIP4_MNE_REQUEST, n)); n++) {
		if (n >= CR_MAX_NETWORKS)
			return -1;
		struct cr_network *net = &res->networks[res->n_networks++];
		memcpy(net->prefix, e->v.mne.prefix, 4);
		net->plen = e->v.mne.plen;
		if (res->dereg || prefix_authorized(cr, rq->u.req.hoa, net->prefix, net->plen)) {
			net->ack_code = CR_MOBNET_SUCCESS;
		} else {
			net->ack_code = CR_MOBNET_UNAUTHORIZED;
			unauthorized++;
		}
	}
	return unauthorized;
}

/* Add or refresh the binding of an accepted registration. Returns 0 or -1 (table full). */
static int store_binding(struct cr *cr, uint64_t now_ms, const struct reg_ctx *x,
                         const struct cr_result *res)
{
	const struct mip4_msg *rq = x->rq;
	struct cr_binding *b = (struct cr_binding *)cr_find_binding(cr, rq->u.req.hoa);
	if (!b) {
		if (cr->n_bindings >= CR_MAX_BINDINGS)
			return -1;
		b = &cr->bindings[cr->n_bindings++];
	}
	memset(b, 0, sizeof(*b));
	memcpy(b->hoa, rq->u.req.hoa, 4);
	memcpy(b->coa, x->src, 4);
	memcpy(b->coa_field, rq->u.req.coa, 4);
	memcpy(b->ha, rq->u.req.ha, 4);
	b->lifetime = res->lifetime;
	b->expires_ms = now_ms + (uint64_t)res->lifetime * 1000;
	b->ident = rq->u.req.ident;
	b->hni = res->hni;
	b->cni = res->cni;
	b->concurrent = res->code == dmm_numbers.haaro_concurrent;
	for (unsigned i = 0; i < res->n_networks; i++)
		if (res->networks[i].ack_code == CR_MOBNET_SUCCESS)
			b->networks[b->n_networks++] = res->networks[i];
	return 0;
}

/* Decide the reply code of a request whose MC-Auth verified. */
static uint8_t registration_verdict(struct cr *cr, uint64_t now_ms, const struct reg_ctx *x,
                                    struct cr_result *res)
{
	const struct mip4_msg *rq = x->rq;
	const struct cr_binding *b = cr_find_binding(cr, rq->u.req.hoa);
	if (cr->cfg.check_ident && b && rq->u.req.ident <= b->ident) {
		res->why = "Identification not above the binding's (replay)";
		return CR_CODE_IDENT_MISMATCH;
	}
	int unauthorized = check_networks(cr, rq, res);
	if (unauthorized < 0) {
		res->why = "too many Mobile Network Requests";
		res->n_networks = 0;
		return CR_CODE_POORLY_FORMED;
	}
	if (unauthorized && cr->cfg.reject_unauthorized) {
		res->why = "prefix not owned by the home address";
		return CR_CODE_MOBNET_ERROR;
	}
	res->lifetime =
	    rq->u.req.lifetime < cr->cfg.max_lifetime ? rq->u.req.lifetime : cr->cfg.max_lifetime;
	if (res->dereg) {
		remove_binding(cr, rq->u.req.hoa);
		return CR_CODE_ACCEPTED;
	}
	/* §3.3.3: the router with the smaller HoA answers a request that crosses its own */
	uint8_t code = CR_CODE_ACCEPTED;
	if (pending_to(cr, rq->u.req.hoa, now_ms) && be32(cr->cfg.hoa) < be32(rq->u.req.hoa))
		code = dmm_numbers.haaro_concurrent;
	res->code = code;
	if (store_binding(cr, now_ms, x, res) < 0) {
		res->why = "binding table full";
		res->lifetime = 0;
		return CR_CODE_INSUFFICIENT;
	}
	return code;
}

/* Registration Reply: Mobile Network Acks, Care-of Address extension (accepted), MC-Auth
 * (when the KRm is known). */
static int build_reply(const struct cr *cr, const struct reg_ctx *x, const struct cr_result *res,
                       uint8_t *reply, size_t cap)
{
	struct mip4_msg rp;
	struct mip4_ext *e;
	memset(&rp, 0, sizeof(rp));
	rp.type = MIP4_REG_REPLY;
	rp.u.rep.code = res->code;
	rp.u.rep.lifetime = res->code < 128 ? res->lifetime : 0;
	memcpy(rp.u.rep.hoa, x->rq->u.req.hoa, 4);
	memcpy(rp.u.rep.ha, x->rq->u.req.ha, 4);
	rp.u.rep.ident = x->rq->u.req.ident;
	for (unsigned i = 0; x->have_krm && i < res->n_networks; i++) {
		e = mip4_add_ext(&rp, MIP4_EXT_MOBNET, MIP4_MNE_ACK_EXPLICIT);
		e->v.mne.code = res->networks[i].ack_code;
		e->v.mne.plen = res->networks[i].plen;
		memcpy(e->v.mne.prefix, res->networks[i].prefix, 4);
	}
	if (res->code < 128 && !res->dereg && cr->cfg.n_coas) {
		e = mip4_add_ext(&rp, dmm_numbers.haaro_t2, HAARO_COA_SUBTYPE);
		e->v.coa.addrs = &cr->cfg.coas[0][0];
		e->v.coa.count = (uint8_t)cr->cfg.n_coas;
	}
	if (x->have_krm) {
		e = mip4_add_ext(&rp, dmm_numbers.haaro_t2, HAARO_MCAUTH_SUBTYPE);
		e->flags = MIP4_EXT_F_SIGN;
		e->v.mcauth.hni = res->hni;
		e->v.mcauth.cni = res->cni;
		e->v.mcauth.krm = x->krm;
	}
	return encode_msg(&rp, reply, cap);
}

/* The MC-Auth extension, which must be the last one (it protects everything before it). */
static const struct mip4_ext *last_mcauth(const struct mip4_msg *m, int *not_last)
{
	const struct mip4_ext *e = mip4_find_ext(m, dmm_numbers.haaro_t2, HAARO_MCAUTH_SUBTYPE, 0);
	*not_last = e && e != &m->exts[m->nexts - 1];
	return e;
}

static int answer_registration(struct cr *cr, uint64_t now_ms, const uint8_t src[4],
                               const uint8_t *pkt, size_t len, uint8_t *reply, size_t cap,
                               struct cr_result *res)
{
	struct mip4_msg rq;
	struct dmm_cursor c;
	struct reg_ctx x = {.rq = &rq, .pkt = pkt, .src = src};
	int rc = mip4_parse(pkt, len, &rq, &c);
	const struct mip4_type_ops *ops = mip4_type_lookup(MIP4_REG_REQUEST);
	if (len < ops->fixed_len) {
		res->why = "truncated Registration Request";
		return 0;
	}
	res->event = CR_EV_REGISTRATION;
	memcpy(res->hoa, rq.u.req.hoa, 4);
	res->dereg = rq.u.req.lifetime == 0;
	int not_last = 0;
	x.mcauth = rc == 0 ? last_mcauth(&rq, &not_last) : NULL;
	if (rc != 0 || not_last) {
		res->why = rc ? c.why : "MC-Auth is not the last extension";
		res->code = CR_CODE_POORLY_FORMED;
	} else if (!x.mcauth) {
		res->why = "no Mobile-Correspondent Authentication extension";
		res->code = CR_CODE_AUTH_FAILED;
	} else {
		res->hni = x.mcauth->v.mcauth.hni;
		res->cni = x.mcauth->v.mcauth.cni;
		res->code = registration_key(cr, now_ms, &x, res);
		if (res->code && res->code != CR_CODE_AUTH_FAILED) {
			res->why = "expired nonce index";
		} else if (res->code || !mcauth_valid(&x)) {
			res->why = "MC-Auth authenticator mismatch";
			res->code = CR_CODE_AUTH_FAILED;
		} else {
			x.have_krm = 1;
		}
	}
	if (x.have_krm)
		res->code = registration_verdict(cr, now_ms, &x, res);
	return build_reply(cr, &x, res, reply, cap);
}

int cr_input(struct cr *cr, uint64_t now_ms, const uint8_t src[4], const uint8_t *pkt, size_t len,
             uint8_t *reply, size_t cap, struct cr_result *res)
{
	struct cr_result local;
	struct mip4_msg m;
	struct dmm_cursor c;
	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	res->event = CR_EV_DROPPED;
	if (len == 0) {
		res->why = "empty datagram";
		return 0;
	}
	if (pkt[0] == MIP4_REG_REQUEST)
		return answer_registration(cr, now_ms, src, pkt, len, reply, cap, res);
	int careof = pkt[0] == dmm_numbers.haaro_coti;
	if (!careof && pkt[0] != dmm_numbers.haaro_hoti) {
		res->why = "not a HoTI, CoTI or Registration Request";
		return 0;
	}
	if (mip4_parse(pkt, len, &m, &c) != 0) {
		res->why = c.why;
		return 0;
	}
	return answer_test(cr, now_ms, src, careof, &m, reply, cap, res);
}

/* ---- initiator side ---- */

int cr_build_test_init(int careof, uint64_t cookie, uint8_t *buf, size_t cap)
{
	struct mip4_msg m;
	memset(&m, 0, sizeof(m));
	m.type = careof ? dmm_numbers.haaro_coti : dmm_numbers.haaro_hoti;
	m.u.ti.cookie = cookie;
	return encode_msg(&m, buf, cap);
}

int cr_parse_test(int careof, uint64_t cookie, const uint8_t *pkt, size_t len, struct cr_test *t,
                  const char **why)
{
	struct mip4_msg m;
	struct dmm_cursor c;
	uint8_t type = careof ? dmm_numbers.haaro_cot : dmm_numbers.haaro_hot;
	if (len == 0 || pkt[0] != type) {
		*why = careof ? "not a CoT" : "not a HoT";
		return -1;
	}
	if (mip4_parse(pkt, len, &m, &c) != 0) {
		*why = c.why;
		return -1;
	}
	if (m.u.t.cookie != cookie) {
		*why = "init cookie mismatch";
		return -1;
	}
	t->nonce_index = m.u.t.nonce_index;
	t->cookie = m.u.t.cookie;
	t->token = m.u.t.token;
	return 0;
}

int cr_derive_krm(uint64_t home_token, uint64_t careof_token, int dereg, uint8_t krm[HAARO_KRM_LEN])
{
	return dereg ? haaro_krm_dereg(home_token, krm) : haaro_krm(home_token, careof_token, krm);
}

int cr_build_request(const struct cr_request *rq, uint8_t *buf, size_t cap)
{
	struct mip4_msg m;
	struct mip4_ext *e;
	if (rq->n_networks > CR_MAX_NETWORKS || !rq->krm)
		return -1;
	memset(&m, 0, sizeof(m));
	m.type = MIP4_REG_REQUEST;
	m.u.req.flags = rq->flags;
	m.u.req.lifetime = rq->lifetime;
	memcpy(m.u.req.hoa, rq->hoa, 4);
	memcpy(m.u.req.ha, rq->ha, 4);
	memcpy(m.u.req.coa, rq->coa, 4);
	m.u.req.ident = rq->ident;
	for (unsigned i = 0; i < rq->n_networks; i++) {
		e = mip4_add_ext(&m, MIP4_EXT_MOBNET, MIP4_MNE_REQUEST);
		e->v.mne.plen = rq->networks[i].plen;
		memcpy(e->v.mne.prefix, rq->networks[i].prefix, 4);
	}
	e = mip4_add_ext(&m, dmm_numbers.haaro_t2, HAARO_MCAUTH_SUBTYPE);
	e->flags = MIP4_EXT_F_SIGN;
	e->v.mcauth.hni = rq->hni;
	e->v.mcauth.cni = rq->cni;
	e->v.mcauth.krm = rq->krm;
	return encode_msg(&m, buf, cap);
}

static void reply_extensions(const struct mip4_msg *m, const uint8_t *pkt, const uint8_t *krm,
                             struct cr_reply *rp)
{
	for (unsigned i = 0; i < m->nexts; i++) {
		const struct mip4_ext *e = &m->exts[i];
		if (e->type == MIP4_EXT_MOBNET && e->subtype != MIP4_MNE_REQUEST &&
		    rp->n_acks < CR_MAX_NETWORKS) {
			struct cr_network *a = &rp->acks[rp->n_acks++];
			memcpy(a->prefix, e->v.mne.prefix, 4);
			a->plen = e->v.mne.plen;
			a->ack_code = e->v.mne.code;
		} else if (e->type == dmm_numbers.haaro_t2 && e->subtype == HAARO_COA_SUBTYPE) {
			for (unsigned k = 0; k < e->v.coa.count && rp->n_coas < CR_MAX_COAS; k++)
				memcpy(rp->coas[rp->n_coas++], e->v.coa.addrs + 4 * k, 4);
		} else if (e->type == dmm_numbers.haaro_t2 && e->subtype == HAARO_MCAUTH_SUBTYPE) {
			uint8_t mac[HAARO_MCAUTH_LEN];
			int good = krm && e->v.mcauth.authlen == HAARO_MCAUTH_LEN &&
			           haaro_mcauth(krm, pkt, e->off, dmm_numbers.mcauth_hdr_octets,
			                        mac) == 0 &&
			           CRYPTO_memcmp(mac, e->v.mcauth.auth, HAARO_MCAUTH_LEN) == 0;
			rp->auth = good ? CR_AUTH_GOOD : CR_AUTH_BAD;
		}
	}
}

int cr_parse_reply(const uint8_t *pkt, size_t len, const uint8_t *krm, struct cr_reply *rp,
                   const char **why)
{
	struct mip4_msg m;
	struct dmm_cursor c;
	memset(rp, 0, sizeof(*rp));
	if (len == 0 || pkt[0] != MIP4_REG_REPLY) {
		*why = "not a Registration Reply";
		return -1;
	}
	if (mip4_parse(pkt, len, &m, &c) != 0) {
		*why = c.why;
		return -1;
	}
	rp->code = m.u.rep.code;
	rp->lifetime = m.u.rep.lifetime;
	memcpy(rp->hoa, m.u.rep.hoa, 4);
	memcpy(rp->ha, m.u.rep.ha, 4);
	rp->ident = m.u.rep.ident;
	reply_extensions(&m, pkt, krm, rp);
	return 0;
}

const char *cr_code_name(uint8_t code)
{
	const char *name = dmm_val_name(mip4_code_vals, code);
	return name ? name : "unknown";
}

const char *cr_mobnet_code_name(uint8_t code)
{
	const char *name = dmm_val_name(mip4_mne_code_vals, code);
	return name ? name : "unknown";
}
