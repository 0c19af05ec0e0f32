/* Local mobility anchor: RFC 5213 §5.3 PBU processing, §5.5 timestamps, §5.3.5 de-registration,
 * RFC 8278 §4 multipath bindings (BID, B and O flags, status 180), RFC 4285 authentication. */
#include "lma.h"

#include "dlog.h"
#include "ev.h"
#include "role.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum lma_mp_mode { LMA_MP_OFF = 0, LMA_MP_ON = 1, LMA_MP_LEGACY = 2 };

#define LMA_POOL_MAX_BITS 24
#define LMA_RX_ROUNDS 4 /* batches per wake-up, so that timers and the control socket run */
#define MH_STATUS_INSUFFICIENT_RESOURCES 130
#define MH_STATUS_SEQ_OUT_OF_WINDOW 135

/* Counters, in show-counters order. */
#define LMA_COUNTERS(X)                                                                            \
	X(pbu_received)                                                                            \
	X(pba_sent)                                                                                \
	X(accepted)                                                                                \
	X(rejected)                                                                                \
	X(drop_checksum)                                                                           \
	X(drop_malformed)                                                                          \
	X(drop_auth)                                                                               \
	X(drop_not_pbu)                                                                            \
	X(drop_dereg_ignored)                                                                      \
	X(bindings_added)                                                                          \
	X(bindings_removed)                                                                        \
	X(bindings_expired)                                                                        \
	X(send_errors)

enum { LMA_COUNTERS(ROLE_COUNTER_ENUM) LMA_NCOUNTERS };
static const char *const counter_names[] = {LMA_COUNTERS(ROLE_COUNTER_NAME)};

/* Statuses always listed as reject_N, even at zero. */
static const uint8_t listed_statuses[] = {130, 135, 154, 155, 156, 157, 158, 160, 161, 162, 180};

struct lma_mn_policy {
	uint8_t id[BC_MAX_ID];
	uint8_t idlen;
	uint8_t nhnp;
	int multipath;
	struct bc_prefix hnp[BC_MAX_HNP];
};

struct lma_pool {
	uint8_t base[16];
	uint8_t plen, dlen;
	uint32_t count, used, hint;
	uint64_t *bits;
};

struct lma {
	struct role_common rc; /* first: the role core */
	uint8_t lmaa[16];
	int has_lmaa;
	struct lma_pool pool;
	int mp_mode;
	unsigned min_delay_ms;
	unsigned max_lifetime_s;
	struct lma_mn_policy *mn;
	unsigned nmn;
	struct bcache bc;
	uint64_t ctr[LMA_NCOUNTERS];
	uint64_t rejects[256];
	struct role_mh_batch *batch;
	/* per-PBU scratch (about 4 KiB each), kept here instead of allocated per message */
	struct mh_msg rx_msg, tx_msg;
};

/* ---- prefix pool ---- */

static void pool_prefix(const struct lma_pool *p, uint32_t idx, uint8_t out[16])
{
	memcpy(out, p->base, 16);
	/* write idx into bits [plen, dlen) */
	for (unsigned k = 0; k < (unsigned)(p->dlen - p->plen); k++) {
		unsigned bit = p->dlen - 1 - k;
		if (idx >> k & 1)
			out[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
	}
}

/* Index of prefix/plen in the pool, or -1 when the pool does not own it. */
static int64_t pool_index(const struct lma_pool *p, const uint8_t *prefix, uint8_t plen)
{
	if (!p->count || plen != p->dlen)
		return -1;
	for (unsigned bit = 0; bit < p->plen; bit++) {
		uint8_t m = (uint8_t)(0x80 >> (bit % 8));
		if ((prefix[bit / 8] & m) != (p->base[bit / 8] & m))
			return -1;
	}
	uint64_t idx = 0;
	for (unsigned bit = p->plen; bit < p->dlen; bit++)
		idx = idx << 1 | ((prefix[bit / 8] >> (7 - bit % 8)) & 1);
	return idx < p->count ? (int64_t)idx : -1;
}

static int pool_test(const struct lma_pool *p, uint32_t i)
{
	return (int)(p->bits[i / 64] >> (i % 64) & 1);
}

static void pool_mark(struct lma_pool *p, const uint8_t *prefix, uint8_t plen, int used)
{
	int64_t i = pool_index(p, prefix, plen);
	if (i < 0 || pool_test(p, (uint32_t)i) == used)
		return;
	p->bits[i / 64] ^= 1ull << (i % 64);
	p->used += used ? 1 : (uint32_t)-1;
}

/* Allocate a free prefix; -1 when the pool is exhausted. */
static int pool_alloc(struct lma_pool *p, struct bc_prefix *out)
{
	if (p->used >= p->count)
		return -1;
	uint32_t words = (p->count + 63) / 64;
	for (uint32_t n = 0; n <= words; n++) {
		uint32_t w = (p->hint / 64 + n) % words;
		uint64_t free_bits = ~p->bits[w];
		if (!free_bits)
			continue;
		uint32_t i = w * 64 + (uint32_t)__builtin_ctzll(free_bits);
		if (i >= p->count)
			continue;
		pool_prefix(p, i, out->addr);
		out->plen = p->dlen;
		p->bits[w] |= 1ull << (i % 64);
		p->used++;
		p->hint = i;
		return 0;
	}
	return -1;
}

/* ---- configuration ---- */

static int kw_address(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct lma *l = ctx;
	l->has_lmaa = 1;
	return conf_addr6(n->argv[0], l->lmaa, err, len);
}

static int kw_pool(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct lma *l = ctx;
	struct lma_pool *p = &l->pool;
	unsigned long dlen = 64;
	if (conf_prefix6(n->argv[0], p->base, &p->plen, err, len) < 0 ||
	    (n->argc > 1 && conf_uint(n->argv[1], 1, 128, &dlen, err, len) < 0))
		return -1;
	if (dlen < p->plen) {
		snprintf(err, len, "delegated length %lu is shorter than the pool's /%u", dlen,
		         p->plen);
		return -1;
	}
	p->dlen = (uint8_t)dlen;
	unsigned bits = p->dlen - p->plen;
	p->count = bits >= LMA_POOL_MAX_BITS ? 1u << LMA_POOL_MAX_BITS : 1u << bits;
	free(p->bits);
	p->bits = calloc((p->count + 63) / 64, sizeof(uint64_t));
	if (!p->bits) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	return 0;
}

static int kw_multipath(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	static const char *const modes[] = {"off", "on", "legacy", NULL};
	struct lma *l = ctx;
	int m = conf_choice(n->argv[0], modes, err, len);
	if (m < 0)
		return -1;
	l->mp_mode = m;
	return 0;
}

static int kw_min_delay(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct lma *l = ctx;
	unsigned long v;
	if (conf_uint(n->argv[0], 0, 3600000, &v, err, len) < 0)
		return -1;
	l->min_delay_ms = (unsigned)v;
	return 0;
}

static int kw_max_lifetime(void *ctx, const struct conf_node *n, void **child, char *err,
                           size_t len)
{
	struct lma *l = ctx;
	unsigned long v;
	if (conf_uint(n->argv[0], 4, 262140, &v, err, len) < 0)
		return -1;
	l->max_lifetime_s = (unsigned)v;
	return 0;
}

static int kw_mn(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct lma *l = ctx;
	size_t idlen = strlen(n->argv[0]);
	if (idlen > BC_MAX_ID || !idlen) {
		snprintf(err, len, "identifier must have 1..%d octets", BC_MAX_ID);
		return -1;
	}
	struct lma_mn_policy *mn = realloc(l->mn, (l->nmn + 1) * sizeof(*mn));
	if (!mn) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	l->mn = mn;
	mn = &l->mn[l->nmn++];
	memset(mn, 0, sizeof(*mn));
	memcpy(mn->id, n->argv[0], idlen);
	mn->idlen = (uint8_t)idlen;
	mn->multipath = 1;
	*child = mn;
	return 0;
}

static int kw_mn_hnp(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct lma_mn_policy *mn = ctx;
	if (mn->nhnp >= BC_MAX_HNP) {
		snprintf(err, len, "more than %d prefixes", BC_MAX_HNP);
		return -1;
	}
	struct bc_prefix *p = &mn->hnp[mn->nhnp++];
	return conf_prefix6(n->argv[0], p->addr, &p->plen, err, len);
}

static int kw_mn_multipath(void *ctx, const struct conf_node *n, void **child, char *err,
                           size_t len)
{
	struct lma_mn_policy *mn = ctx;
	return conf_bool(n->argv[0], &mn->multipath, err, len);
}

static const struct conf_kw mn_keywords[] = {
    {"hnp", 1, 1, 0, kw_mn_hnp, NULL},
    {"multipath", 1, 1, 0, kw_mn_multipath, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static const struct conf_kw lma_keywords[] = {
    {"address", 1, 1, 0, kw_address, NULL},
    {"hnp-pool", 1, 2, 0, kw_pool, NULL},
    {"multipath", 1, 1, 0, kw_multipath, NULL},
    {"min-delay-before-bce-delete", 1, 1, 0, kw_min_delay, NULL},
    {"max-lifetime", 1, 1, 0, kw_max_lifetime, NULL},
    {"mn", 1, 1, 1, kw_mn, mn_keywords},
    {NULL, 0, 0, 0, NULL, NULL},
};

static void *lma_init(struct dmmd *d)
{
	struct lma *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->rc.d = d;
	l->rc.auth = 1;
	l->rc.ts_window_ms = 300;
	l->rc.mh_fd = -1;
	l->rc.tun_prefix = "lma";
	l->mp_mode = LMA_MP_ON;
	l->min_delay_ms = 10000;
	l->max_lifetime_s = 3600;
	if (bcache_init(&l->bc, 1024) < 0) {
		free(l);
		return NULL;
	}
	return l;
}

static int lma_check(void *st, char *err, size_t len)
{
	struct lma *l = st;
	if (!l->has_lmaa) {
		snprintf(err, len, "'address' (the LMAA) is required");
		return -1;
	}
	if (!l->pool.count && !l->nmn) {
		snprintf(err, len, "'hnp-pool' is required (or static 'mn' prefixes)");
		return -1;
	}
	/* static prefixes inside the pool are never delegated to other nodes */
	for (unsigned i = 0; i < l->nmn; i++)
		for (unsigned k = 0; k < l->mn[i].nhnp; k++)
			pool_mark(&l->pool, l->mn[i].hnp[k].addr, l->mn[i].hnp[k].plen, 1);
	return 0;
}

static void lma_free(void *st)
{
	struct lma *l = st;
	bcache_destroy(&l->bc, l->rc.d ? l->rc.d->loop : NULL);
	free(l->pool.bits);
	free(l->mn);
	role_mh_batch_free(l->batch);
	free(l);
}

/* ---- PBU processing ---- */

/* The options of a received PBU that the LMA uses. */
struct pbu_view {
	const struct mh_msg *m;
	const struct mh_opt *mnid, *hi, *att, *ts, *mmb, *magid;
	const struct mh_opt *hnp[BC_MAX_HNP];
	unsigned nhnp;
	int multipath; /* an RFC 8278 request (MMB present and the LMA is not legacy) */
	int alloc;     /* an ALL_ZERO HNP asks for a prefix */
	uint8_t bid;
	uint32_t lifetime_s;
};

static void pbu_view(const struct lma *l, const struct mh_msg *m, struct pbu_view *v)
{
	memset(v, 0, sizeof(*v));
	v->m = m;
	for (unsigned i = 0; i < m->nopts; i++) {
		const struct mh_opt *o = &m->opts[i];
		switch (o->type) {
		case MH_OPT_MNID:
			v->mnid = v->mnid ? v->mnid : o;
			break;
		case MH_OPT_HNP:
			if (v->nhnp < BC_MAX_HNP)
				v->hnp[v->nhnp++] = o;
			break;
		case MH_OPT_HI:
			v->hi = v->hi ? v->hi : o;
			break;
		case MH_OPT_ATT:
			v->att = v->att ? v->att : o;
			break;
		case MH_OPT_TIMESTAMP:
			v->ts = v->ts ? v->ts : o;
			break;
		case MH_OPT_MMB:
			v->mmb = v->mmb ? v->mmb : o;
			break;
		case MH_OPT_MAGID:
			v->magid = v->magid ? v->magid : o;
			break;
		}
	}
	if (l->mp_mode == LMA_MP_LEGACY)
		v->mmb = v->magid = NULL; /* an RFC 5213-only LMA skips options 63 and 64 */
	v->multipath = v->mmb != NULL;
	v->bid = v->multipath ? v->mmb->v.mmb.bid : BC_BID_LEGACY;
	static const uint8_t zero[16];
	for (unsigned i = 0; i < v->nhnp; i++)
		if (!memcmp(v->hnp[i]->v.hnp.prefix, zero, 16))
			v->alloc = 1;
	v->lifetime_s = (uint32_t)m->u.bu.lifetime * 4;
	if (v->lifetime_s > l->max_lifetime_s)
		v->lifetime_s = l->max_lifetime_s;
}

static const struct lma_mn_policy *mn_policy(const struct lma *l, const struct mh_opt *mnid)
{
	for (unsigned i = 0; i < l->nmn; i++)
		if (l->mn[i].idlen == mnid->v.nai.idlen &&
		    !memcmp(l->mn[i].id, mnid->v.nai.id, l->mn[i].idlen))
			return &l->mn[i];
	return NULL;
}

static int policy_has_hnp(const struct lma_mn_policy *pol, const uint8_t *prefix, uint8_t plen)
{
	for (unsigned i = 0; pol && i < pol->nhnp; i++)
		if (pol->hnp[i].plen == plen && !memcmp(pol->hnp[i].addr, prefix, 16))
			return 1;
	return 0;
}

/* RFC 5213 §5.5: timestamp checks (157 before 156 so that a replay is always 157), or the
 * RFC 6275 §9.5.1 sequence number check without a timestamp. b is the binding of the
 * request's BID: with RFC 8278 each path's binding keeps its own last accepted timestamp,
 * since a MAG may send the PBUs of its paths "either sequentially or concurrently" (§4.4) over
 * paths of different delays, where a per-node order would refuse the slower path's PBU. */
static int check_ordering(const struct lma *l, const struct pbu_view *v, const struct bc_binding *b)
{
	if (v->ts) {
		uint64_t ts = v->ts->v.timestamp;
		if (b && ts <= b->last_ts)
			return MH_STATUS_TIMESTAMP_LOWER;
		uint64_t now = ev_wall_ms(), at = role_timestamp_to_ms(ts);
		uint64_t skew = now > at ? now - at : at - now;
		if (skew > l->rc.ts_window_ms)
			return MH_STATUS_TIMESTAMP_MISMATCH;
		return 0;
	}
	if (b && (int16_t)(v->m->u.bu.seq - b->seq) <= 0)
		return MH_STATUS_SEQ_OUT_OF_WINDOW;
	return 0;
}

/* RFC 8278 §4.1/§4.3/§4.4 multipath rules; 0 when the request may proceed, else 180.
 *
 * RFC 8278 names one status for refusing a multipath request, §4.3: "The LMA SHOULD use this
 * error code [CANNOT_SUPPORT_MULTIPATH_BINDING (180)] when rejecting a PBU message from a MAG
 * requesting a multipath binding." It names no other status, and no other LMA behaviour, for
 * a request that breaks the options' own rules; so every refusal below is 180, with the MMB
 * echoed without the MAG Identifier (build_pba; §4.4: "The LMA MUST echo the MAG Multipath
 * Binding option (without the MAG-NAI option) in the PBA message") and the binding cache
 * unchanged:
 *  - multipath off, or the node not authorized for it (§4.4: "If the mobile node is not
 *    authorized for multipath support, then the LMA will reject the request by sending a PBA
 *    message with the Status field value set to CANNOT_SUPPORT_MULTIPATH_BINDING");
 *  - MMB without the MAG Identifier (§4.4: "Furthermore, the MAG Identifier option MUST also
 *    be present in the PBU message");
 *  - BID 0 or 255 (§4.1: "The permitted values are 1 through 254. The values 0 and 255 are
 *    reserved.");
 *  - B and O together (§4.1: "The (B) flag MUST NOT be set to a value of (1) if the value of
 *    the Registration Overwrite (O) flag is set to a value of (1)") and O in a
 *    de-registration (§4.1: "This flag MUST be set to a value of (0) in De-Registration
 *    requests"): both meanings cannot be applied at once (refresh every binding, or replace
 *    them by this one; replace them by a binding being deleted), so the request is refused
 *    rather than one meaning guessed.
 * RFC 5213 §8.9 adds no status for them either (RFC 6275's 128 "Reason unspecified" would
 * tell the MAG less).
 * A MAG that receives 180 disables multipath for the node (§4.4) and registers it single-path,
 * which apply_registration accepts in place of its multipath bindings. */
static int check_multipath(const struct lma *l, const struct pbu_view *v,
                           const struct lma_mn_policy *pol)
{
	if (!v->multipath)
		return 0;
	uint8_t flags = v->mmb->v.mmb.flags;
	int b = flags & MH_MMB_B, o = flags & MH_MMB_O;
	if (l->mp_mode == LMA_MP_OFF || (pol && !pol->multipath) || !v->magid || v->bid == 0 ||
	    v->bid == 255 || (b && o) || (o && v->m->u.bu.lifetime == 0))
		return MH_STATUS_CANNOT_SUPPORT_MULTIPATH;
	return 0;
}

/* RFC 5213 §5.3.2 (1)-(3): the requested prefixes must be assignable to this node. */
static int check_prefixes(const struct lma *l, const struct pbu_view *v, const struct bc_entry *e,
                          const struct lma_mn_policy *pol)
{
	if (v->alloc) {
		if (e && e->nhnp)
			return 0;
		if (pol && pol->nhnp)
			return 0;
		return l->pool.used < l->pool.count ? 0 : MH_STATUS_INSUFFICIENT_RESOURCES;
	}
	for (unsigned i = 0; i < v->nhnp; i++) {
		const uint8_t *p = v->hnp[i]->v.hnp.prefix;
		uint8_t plen = v->hnp[i]->v.hnp.plen;
		if (e && e->nhnp) {
			if (!bc_has_hnp(e, p, plen))
				return MH_STATUS_NOT_AUTHORIZED_FOR_HNP;
			continue;
		}
		if (pol && pol->nhnp) {
			if (!policy_has_hnp(pol, p, plen))
				return MH_STATUS_NOT_AUTHORIZED_FOR_HNP;
			continue;
		}
		int64_t idx = pool_index(&l->pool, p, plen);
		if (idx < 0 || pool_test(&l->pool, (uint32_t)idx))
			return MH_STATUS_NOT_AUTHORIZED_FOR_HNP;
	}
	return 0;
}

/* Emit a binding event. */
static void binding_event(struct lma *l, const char *name, const struct bc_binding *b,
                          const char *reason)
{
	if (!role_event_wanted(&l->rc, name))
		return;
	const struct bc_entry *e = b->entry;
	struct json_object *f = role_event_fields(e->id, e->id_len, b->bid, b->pcoa, b->seq, -1);
	json_object_object_add(f, "lifetime", json_object_new_int64(b->lifetime_s));
	if (reason)
		json_object_object_add(f, "reason", json_object_new_string(reason));
	role_event(&l->rc, name, f);
}

/* A prefix some node's policy holds (kept out of the pool for good). */
static int static_prefix(const struct lma *l, const uint8_t *prefix, uint8_t plen)
{
	for (unsigned i = 0; i < l->nmn; i++)
		if (policy_has_hnp(&l->mn[i], prefix, plen))
			return 1;
	return 0;
}

static void entry_release(struct lma *l, struct bc_entry *e)
{
	for (unsigned i = 0; i < e->nhnp; i++)
		if (!static_prefix(l, e->hnp[i].addr, e->hnp[i].plen))
			pool_mark(&l->pool, e->hnp[i].addr, e->hnp[i].plen, 0);
	role_routes_sync(&l->rc, e, 0, 1);
	bcache_del(&l->bc, e, l->rc.d->loop);
}

/* Remove one binding; the entry goes with its last binding. */
static void binding_remove(struct lma *l, struct bc_binding *b, const char *reason)
{
	struct bc_entry *e = b->entry;
	binding_event(l, "binding-removed", b, reason);
	role_tunnel_unref(&l->rc, b->tunnel);
	bc_binding_del(&l->bc, b, l->rc.d->loop);
	l->ctr[C_bindings_removed]++;
	if (!e->nbind)
		entry_release(l, e);
	else
		role_routes_sync(&l->rc, e, 0, 0);
}

/* Lifetime expiry, or the end of MinDelayBeforeBCEDelete after a de-registration. */
static void on_binding_timer(void *arg)
{
	struct bc_binding *b = arg;
	struct lma *l = (struct lma *)b->entry->role;
	int expired = b->state == BC_ACTIVE;
	if (expired)
		l->ctr[C_bindings_expired]++;
	binding_remove(l, b, expired ? "expired" : "deregistered");
}

static void remove_all_but(struct lma *l, struct bc_entry *e, const struct bc_binding *keep,
                           const char *reason)
{
	struct bc_binding *b = e->bindings;
	while (b) {
		struct bc_binding *next = b->next;
		if (b != keep) {
			binding_event(l, "binding-removed", b, reason);
			role_tunnel_unref(&l->rc, b->tunnel);
			bc_binding_del(&l->bc, b, l->rc.d->loop);
			l->ctr[C_bindings_removed]++;
		}
		b = next;
	}
}

/* Assign the node's prefixes (RFC 5213 §5.3.2): static, requested, or from the pool. */
static void assign_prefixes(struct lma *l, struct bc_entry *e, const struct pbu_view *v,
                            const struct lma_mn_policy *pol)
{
	if (e->nhnp)
		return;
	if (v->alloc && pol && pol->nhnp) {
		memcpy(e->hnp, pol->hnp, sizeof(pol->hnp[0]) * pol->nhnp);
		e->nhnp = pol->nhnp;
	} else if (v->alloc) {
		if (pool_alloc(&l->pool, &e->hnp[0]) == 0)
			e->nhnp = 1;
		return;
	} else {
		for (unsigned i = 0; i < v->nhnp; i++) {
			memcpy(e->hnp[i].addr, v->hnp[i]->v.hnp.prefix, 16);
			e->hnp[i].plen = v->hnp[i]->v.hnp.plen;
		}
		e->nhnp = (uint8_t)v->nhnp;
	}
	for (unsigned i = 0; i < e->nhnp; i++)
		pool_mark(&l->pool, e->hnp[i].addr, e->hnp[i].plen, 1);
}

static void arm_lifetime(struct lma *l, struct bc_binding *b, uint32_t lifetime_s)
{
	b->lifetime_s = lifetime_s;
	b->state = BC_ACTIVE;
	b->registered_ms = ev_now_ms(l->rc.d->loop);
	ev_timer_start(l->rc.d->loop, &b->timer, (uint64_t)lifetime_s * 1000);
}

/* Accepted registration or refresh (RFC 5213 §5.3.2-5.3.4, RFC 8278 §4.1 B/O). */
static struct bc_entry *apply_registration(struct lma *l, struct bc_entry *e,
                                           const struct pbu_view *v,
                                           const struct lma_mn_policy *pol, const uint8_t src[16],
                                           const uint8_t dst[16])
{
	if (!e) {
		e = bcache_add(&l->bc, v->mnid->v.nai.subtype, v->mnid->v.nai.id,
		               v->mnid->v.nai.idlen);
		if (!e)
			return NULL;
		e->role = l;
	}
	assign_prefixes(l, e, v, pol);
	/* a single-path session and multipath bindings do not mix: the newer kind replaces */
	if (e->multipath != v->multipath)
		remove_all_but(l, e, NULL, "overwritten");
	e->multipath = (uint8_t)v->multipath;
	struct bc_binding *b = bc_binding_find(e, v->bid);
	const char *what = "binding-updated";
	if (!b) {
		b = bc_binding_add(&l->bc, e, v->bid, on_binding_timer);
		if (!b) {
			if (!e->nbind)
				entry_release(l, e);
			return NULL;
		}
		what = "binding-added";
		l->ctr[C_bindings_added]++;
	}
	uint8_t mmb_flags = v->multipath ? v->mmb->v.mmb.flags & (MH_MMB_B | MH_MMB_O) : 0;
	if (mmb_flags & MH_MMB_O)
		remove_all_but(l, e, b, "overwritten");
	if (memcmp(b->pcoa, src, 16) != 0 || b->tunnel < 0) {
		/* new path or handoff (RFC 5213 §5.3.4): move to the tunnel of the new proxy CoA */
		role_tunnel_unref(&l->rc, b->tunnel);
		memcpy(b->pcoa, src, 16);
		b->tunnel = (int16_t)role_tunnel_ref(&l->rc, dst, src,
		                                     v->multipath ? v->mmb->v.mmb.if_label : 0);
	}
	b->seq = v->m->u.bu.seq;
	if (v->ts)
		b->last_ts = v->ts->v.timestamp;
	b->hi = v->hi->v.u8pair.value;
	b->att = v->att->v.u8pair.value;
	b->if_att = v->multipath ? v->mmb->v.mmb.if_att : 0;
	b->if_label = v->multipath ? v->mmb->v.mmb.if_label : 0;
	b->mmb_flags = mmb_flags;
	arm_lifetime(l, b, v->lifetime_s);
	if (mmb_flags & MH_MMB_B) /* bulk re-registration: every binding gets this lifetime */
		for (struct bc_binding *o = e->bindings; o; o = o->next)
			if (o != b && o->state == BC_ACTIVE)
				arm_lifetime(l, o, v->lifetime_s);
	role_routes_sync(&l->rc, e, 0, 0);
	binding_event(l, what, b, NULL);
	return e;
}

/* Accepted de-registration (RFC 5213 §5.3.5): keep the binding MinDelayBeforeBCEDelete. With
 * B (RFC 8278 §4.1: "update the binding lifetime of all the mobile node's bindings upon
 * accepting this specific request") the lifetime 0 applies to every binding of the node. */
static void apply_deregistration(struct lma *l, struct bc_entry *e, struct bc_binding *b,
                                 const struct pbu_view *v)
{
	int bulk = v->multipath && (v->mmb->v.mmb.flags & MH_MMB_B);
	for (struct bc_binding *o = e->bindings; o; o = o->next) {
		if (o != b && !bulk)
			continue;
		o->state = BC_DELETING;
		o->lifetime_s = 0;
		if (o == b) {
			o->seq = v->m->u.bu.seq;
			if (v->ts)
				o->last_ts = v->ts->v.timestamp;
		}
		ev_timer_start(l->rc.d->loop, &o->timer, l->min_delay_ms);
		binding_event(l, "binding-updated", o, "deregistered");
	}
	role_routes_sync(&l->rc, e, 0, 0); /* the node's traffic is dropped meanwhile */
}

static void add_u8pair(struct mh_msg *m, uint8_t type, const struct mh_opt *from)
{
	struct mh_opt *o = mh_add_opt(m, type);
	if (o)
		o->v.u8pair.value = from ? from->v.u8pair.value : 0;
}

static void add_prefix(struct mh_msg *m, const uint8_t *p, uint8_t plen)
{
	struct mh_opt *o = mh_add_opt(m, MH_OPT_HNP);
	if (o) {
		memcpy(o->v.hnp.prefix, p, 16);
		o->v.hnp.plen = plen;
	}
}

/* Build the PBA (RFC 5213 §5.3.6; RFC 8278 §4.4: MMB echoed without MAG Identifier). */
static int build_pba(struct lma *l, const struct pbu_view *v, const struct bc_entry *e, int status,
                     uint32_t lifetime_s, const struct role_peer *peer, const uint8_t src[16],
                     const uint8_t dst[16], uint8_t *out, size_t cap)
{
	static const uint8_t zero[16];
	struct mh_msg *m = &l->tx_msg;
	memset(m, 0, sizeof(*m));
	m->type = MH_BA;
	m->u.ba.status = (uint8_t)status;
	m->u.ba.flags = MH_BA_P;
	m->u.ba.seq = v->m->u.bu.seq;
	m->u.ba.lifetime = status < 128 ? (uint16_t)(lifetime_s / 4) : 0;
	struct mh_opt *o = mh_add_opt(m, MH_OPT_MNID);
	if (v->mnid) {
		o->v.nai = v->mnid->v.nai;
	} else {
		o->v.nai.subtype = 1;
		o->v.nai.id = zero;
		o->v.nai.idlen = 0;
	}
	if (status < 128 && e && e->nhnp) {
		for (unsigned i = 0; i < e->nhnp; i++)
			add_prefix(m, e->hnp[i].addr, e->hnp[i].plen);
	} else if (v->nhnp) {
		for (unsigned i = 0; i < v->nhnp; i++)
			add_prefix(m, v->hnp[i]->v.hnp.prefix, v->hnp[i]->v.hnp.plen);
	} else {
		add_prefix(m, zero, 0);
	}
	add_u8pair(m, MH_OPT_HI, v->hi);
	add_u8pair(m, MH_OPT_ATT, v->att);
	if (v->ts && (o = mh_add_opt(m, MH_OPT_TIMESTAMP))) {
		/* RFC 5213 §5.5 (8)-(9): on a timestamp failure, the LMA's current time */
		int ts_fail =
		    status == MH_STATUS_TIMESTAMP_LOWER || status == MH_STATUS_TIMESTAMP_MISMATCH;
		o->v.timestamp = ts_fail ? role_timestamp(ev_wall_ms()) : v->ts->v.timestamp;
	}
	for (unsigned i = 0; i < v->m->nopts; i++) {
		const struct mh_opt *in = &v->m->opts[i];
		if ((in->type == MH_OPT_MNLLID || in->type == MH_OPT_LLA) &&
		    (o = mh_add_opt(m, in->type)))
			*o = *in;
	}
	if (v->multipath && (o = mh_add_opt(m, MH_OPT_MMB))) {
		o->v.mmb = v->mmb->v.mmb;
		o->v.mmb.flags &= MH_MMB_B | MH_MMB_O; /* reserved bits sent as 0 */
		o->v.mmb.reserved = 0;
	}
	/* reply from the address the PBU was sent to; the authenticator covers
	 * Proxy-CoA (the PBU source) and LMAA */
	return role_mh_build(&l->rc, m, peer, dst, src, src, dst, out, cap);
}

static void drop(struct lma *l, int counter, const char *reason, const uint8_t src[16])
{
	l->ctr[counter]++;
	role_drop_event(&l->rc, src, reason);
}

static void pbu_event(struct lma *l, const char *name, const struct pbu_view *v,
                      const uint8_t pcoa[16], int status)
{
	if (!role_event_wanted(&l->rc, name))
		return;
	struct json_object *f = role_event_fields(
	    v->mnid ? v->mnid->v.nai.id : NULL, v->mnid ? v->mnid->v.nai.idlen : 0,
	    v->multipath ? v->bid : -1, pcoa, v->m->u.bu.seq, status);
	json_object_object_add(f, "lifetime", json_object_new_int64(v->m->u.bu.lifetime * 4));
	role_event(&l->rc, name, f);
}

int lma_input(struct lma *l, const uint8_t src[16], const uint8_t dst[16], const uint8_t *mh,
              size_t len, uint8_t *out, size_t cap)
{
	struct mh_msg *m = &l->rx_msg;
	const struct role_peer *peer;
	const char *why;
	int ret = 0;
	l->ctr[C_pbu_received]++;
	/* RFC 5213 §5.3.1 (1): authenticate first; nothing else is looked at before */
	if (role_mh_verify(&l->rc, mh, len, src, dst, src, dst, m, &peer, &why) < 0) {
		int c = why[0] == 'c'   ? C_drop_checksum
		        : why[0] == 'm' ? C_drop_malformed
		                        : C_drop_auth;
		drop(l, c, why, src);
		goto out;
	}
	if (m->type != MH_BU || !(m->u.bu.flags & MH_BU_P)) {
		drop(l, C_drop_not_pbu, "not a proxy binding update", src);
		goto out;
	}
	struct pbu_view v;
	pbu_view(l, m, &v);
	pbu_event(l, "pbu-received", &v, src, -1);
	struct bc_entry *e = NULL;
	struct bc_binding *b = NULL;
	const struct lma_mn_policy *pol = NULL;
	int status = 0;
	if (!v.mnid) {
		status = MH_STATUS_MISSING_MNID;
	} else if (!peer || !role_peer_has_addr(peer, src) || !peer->proxy_reg) {
		status = MH_STATUS_MAG_NOT_AUTHORIZED;
	} else {
		e = bcache_find(&l->bc, v.mnid->v.nai.subtype, v.mnid->v.nai.id,
		                v.mnid->v.nai.idlen);
		b = e ? bc_binding_find(e, v.bid) : NULL;
		pol = mn_policy(l, v.mnid);
		if (!(status = check_ordering(l, &v, b))) {
			if (!v.nhnp)
				status = MH_STATUS_MISSING_HNP;
			else if (!v.hi)
				status = MH_STATUS_MISSING_HI;
			else if (!v.att)
				status = MH_STATUS_MISSING_ATT;
			else if (!(status = check_multipath(l, &v, pol)) && m->u.bu.lifetime)
				status = check_prefixes(l, &v, e, pol);
		}
	}
	uint32_t lifetime = 0;
	if (!status && m->u.bu.lifetime == 0) {
		/* RFC 5213 §5.3.5 (1): a de-registration from another proxy CoA is ignored */
		if (b && memcmp(b->pcoa, src, 16) != 0) {
			drop(l, C_drop_dereg_ignored, "de-registration from another proxy CoA",
			     src);
			goto out;
		}
		if (b)
			apply_deregistration(l, e, b, &v);
	} else if (!status) {
		e = apply_registration(l, e, &v, pol, src, dst);
		if (!e)
			status = MH_STATUS_INSUFFICIENT_RESOURCES;
		lifetime = v.lifetime_s;
	}
	if (status) {
		l->ctr[C_rejected]++;
		l->rejects[status]++;
		pbu_event(l, "reject", &v, src, status);
	} else {
		l->ctr[C_accepted]++;
	}
	ret = build_pba(l, &v, e, status, lifetime, peer, src, dst, out, cap);
	if (ret < 0)
		ret = 0;
	else
		pbu_event(l, "pba-sent", &v, src, status);
out:
	return ret;
}

/* ---- socket and life cycle ---- */

/* A batch of PBUs in, their PBAs out, a few batches per wake-up (RFC 5213 §5.3). */
static void on_mh(int fd, uint32_t events, void *arg)
{
	struct lma *l = arg;
	uint8_t src[16], dst[16];
	for (int round = 0; round < LMA_RX_ROUNDS; round++) {
		int n = role_mh_recv_batch(fd, l->batch), replies = 0;
		for (int i = 0; i < n; i++) {
			size_t len, cap;
			const uint8_t *in =
			    role_mh_batch_get(l->batch, (unsigned)i, &len, src, dst);
			uint8_t *out = role_mh_batch_out(l->batch, &cap);
			int r = lma_input(l, src, dst, in, len, out, cap);
			if (r > 0) {
				role_mh_batch_commit(l->batch, (size_t)r, dst, src);
				replies++;
			}
		}
		int failed = role_mh_batch_flush(fd, l->batch);
		l->ctr[C_send_errors] += (uint64_t)failed;
		l->ctr[C_pba_sent] += (uint64_t)(replies - failed);
		if (n < ROLE_MH_BATCH)
			return;
	}
}

static int lma_start(void *st, char *err, size_t len)
{
	struct lma *l = st;
	if (!l->batch && !(l->batch = role_mh_batch_new())) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	if (role_dp_open(&l->rc, err, len) < 0)
		return -1;
	return role_mh_open(&l->rc, on_mh, l, err, len);
}

static void lma_stop(void *st)
{
	struct lma *l = st;
	role_mh_close(&l->rc);
	struct bc_entry *e;
	while ((e = bcache_next(&l->bc, NULL))) {
		while (e->bindings) {
			struct bc_binding *b = e->bindings;
			role_tunnel_unref(&l->rc, b->tunnel);
			bc_binding_del(&l->bc, b, l->rc.d->loop);
		}
		entry_release(l, e);
	}
	role_dp_close(&l->rc);
}

/* ---- control commands ---- */

static int cmd_show_bindings(void *arg, struct json_object *req, struct json_object *reply,
                             char *err, size_t errlen)
{
	struct lma *l = arg;
	role_show_bindings(&l->rc, &l->bc, l->lmaa, req, reply);
	return 0;
}

static int cmd_show_counters(void *arg, struct json_object *req, struct json_object *reply,
                             char *err, size_t errlen)
{
	struct lma *l = arg;
	struct json_object *c = role_counters_json(counter_names, l->ctr, LMA_NCOUNTERS, &l->bc);
	for (unsigned s = 128; s < 256; s++) {
		int listed = memchr(listed_statuses, (int)s, sizeof(listed_statuses)) != NULL;
		if (listed || l->rejects[s]) {
			char name[16];
			snprintf(name, sizeof(name), "reject_%u", s);
			json_object_object_add(c, name,
			                       json_object_new_int64((int64_t)l->rejects[s]));
		}
	}
	json_object_object_add(c, "pool_used", json_object_new_int64(l->pool.used));
	json_object_object_add(reply, "counters", c);
	return 0;
}

static const struct ctl_cmd lma_commands[] = {
    {"show-bindings", cmd_show_bindings},
    {"show-counters", cmd_show_counters},
    {NULL, NULL},
};

const struct dmm_role_ops dmm_role_lma = {
    .name = "lma",
    .keywords = lma_keywords,
    .init = lma_init,
    .check = lma_check,
    .start = lma_start,
    .commands = lma_commands,
    .stop = lma_stop,
    .free = lma_free,
};

struct bcache *lma_bcache(struct lma *l)
{
	return &l->bc;
}

uint64_t lma_counter(const struct lma *l, const char *name)
{
	unsigned s;
	if (sscanf(name, "reject_%u", &s) == 1 && s < 256)
		return l->rejects[s];
	return role_counter(counter_names, l->ctr, LMA_NCOUNTERS, name);
}

uint32_t lma_pool_used(const struct lma *l)
{
	return l->pool.used;
}
