/* Binding cache (RFC 5213 §5.1 LMA) and binding update list (§6.1 MAG), with RFC 8278 §4.1
 * multipath: one entry per mobile node, several bindings keyed by Binding ID. */
#include "bcache.h"

#include <stdlib.h>
#include <string.h>

#define BC_MIN_BUCKETS 64

/* FNV-1a over subtype and identifier. */
static uint32_t id_hash(uint8_t subtype, const uint8_t *id, size_t len)
{
	uint32_t h = 2166136261u ^ subtype;
	h *= 16777619u;
	for (size_t i = 0; i < len; i++) {
		h ^= id[i];
		h *= 16777619u;
	}
	return h;
}

static size_t pow2_at_least(size_t n)
{
	size_t p = BC_MIN_BUCKETS;
	while (p < n)
		p <<= 1;
	return p;
}

int bcache_init(struct bcache *bc, size_t expected)
{
	memset(bc, 0, sizeof(*bc));
	bc->nbuckets = pow2_at_least(expected);
	bc->buckets = calloc(bc->nbuckets, sizeof(*bc->buckets));
	return bc->buckets ? 0 : -1;
}

static void binding_free_all(struct bc_entry *e, struct ev_loop *loop)
{
	while (e->bindings) {
		struct bc_binding *b = e->bindings;
		e->bindings = b->next;
		if (loop)
			ev_timer_stop(loop, &b->timer);
		free(b);
	}
}

void bcache_destroy(struct bcache *bc, struct ev_loop *loop)
{
	for (size_t i = 0; i < bc->nbuckets; i++) {
		struct bc_entry *e = bc->buckets[i];
		while (e) {
			struct bc_entry *next = e->hnext;
			binding_free_all(e, loop);
			free(e);
			e = next;
		}
	}
	free(bc->buckets);
	memset(bc, 0, sizeof(*bc));
}

struct bc_entry *bcache_find(const struct bcache *bc, uint8_t subtype, const uint8_t *id,
                             size_t len)
{
	uint32_t h = id_hash(subtype, id, len);
	for (struct bc_entry *e = bc->buckets[h & (bc->nbuckets - 1)]; e; e = e->hnext)
		if (e->hash == h && e->id_subtype == subtype && e->id_len == len &&
		    memcmp(e->id, id, len) == 0)
			return e;
	return NULL;
}

/* Double the table when the load factor passes 1 (amortised O(1) insertion). */
static void maybe_grow(struct bcache *bc)
{
	if (bc->count < bc->nbuckets)
		return;
	size_t n = bc->nbuckets * 2;
	struct bc_entry **nb = calloc(n, sizeof(*nb));
	if (!nb)
		return; /* keep working with longer chains */
	for (size_t i = 0; i < bc->nbuckets; i++) {
		struct bc_entry *e = bc->buckets[i];
		while (e) {
			struct bc_entry *next = e->hnext;
			e->hnext = nb[e->hash & (n - 1)];
			nb[e->hash & (n - 1)] = e;
			e = next;
		}
	}
	free(bc->buckets);
	bc->buckets = nb;
	bc->nbuckets = n;
}

struct bc_entry *bcache_add(struct bcache *bc, uint8_t subtype, const uint8_t *id, size_t len)
{
	if (len > BC_MAX_ID)
		return NULL;
	struct bc_entry *e = calloc(1, sizeof(*e) + len);
	if (!e)
		return NULL;
	e->id_subtype = subtype;
	e->id_len = (uint8_t)len;
	memcpy(e->id, id, len);
	e->hash = id_hash(subtype, id, len);
	maybe_grow(bc);
	struct bc_entry **head = &bc->buckets[e->hash & (bc->nbuckets - 1)];
	e->hnext = *head;
	*head = e;
	bc->count++;
	return e;
}

void bcache_del(struct bcache *bc, struct bc_entry *e, struct ev_loop *loop)
{
	for (struct bc_entry **pp = &bc->buckets[e->hash & (bc->nbuckets - 1)]; *pp;
	     pp = &(*pp)->hnext)
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	bc->nbindings -= e->nbind;
	bc->count--;
	binding_free_all(e, loop);
	free(e);
}

struct bc_binding *bc_binding_find(const struct bc_entry *e, uint8_t bid)
{
	for (struct bc_binding *b = e->bindings; b; b = b->next)
		if (b->bid == bid)
			return b;
	return NULL;
}

struct bc_binding *bc_binding_by_pcoa(const struct bc_entry *e, const uint8_t pcoa[16])
{
	for (struct bc_binding *b = e->bindings; b; b = b->next)
		if (memcmp(b->pcoa, pcoa, 16) == 0)
			return b;
	return NULL;
}

struct bc_binding *bc_binding_add(struct bcache *bc, struct bc_entry *e, uint8_t bid,
                                  ev_timer_cb cb)
{
	struct bc_binding *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->entry = e;
	b->bid = bid;
	b->tunnel = -1;
	ev_timer_init(&b->timer, cb, b);
	/* keep the list ordered by BID so that listings are stable */
	struct bc_binding **pp = &e->bindings;
	while (*pp && (*pp)->bid < bid)
		pp = &(*pp)->next;
	b->next = *pp;
	*pp = b;
	e->nbind++;
	bc->nbindings++;
	return b;
}

void bc_binding_del(struct bcache *bc, struct bc_binding *b, struct ev_loop *loop)
{
	struct bc_entry *e = b->entry;
	for (struct bc_binding **pp = &e->bindings; *pp; pp = &(*pp)->next)
		if (*pp == b) {
			*pp = b->next;
			break;
		}
	if (loop)
		ev_timer_stop(loop, &b->timer);
	e->nbind--;
	bc->nbindings--;
	free(b);
}

int bc_has_hnp(const struct bc_entry *e, const uint8_t *prefix, uint8_t plen)
{
	for (unsigned i = 0; i < e->nhnp; i++)
		if (e->hnp[i].plen == plen && memcmp(e->hnp[i].addr, prefix, 16) == 0)
			return 1;
	return 0;
}

struct bc_entry *bcache_next(const struct bcache *bc, const struct bc_entry *prev)
{
	size_t i = 0;
	if (prev) {
		if (prev->hnext)
			return prev->hnext;
		i = (prev->hash & (bc->nbuckets - 1)) + 1;
	}
	for (; i < bc->nbuckets; i++)
		if (bc->buckets[i])
			return bc->buckets[i];
	return NULL;
}

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ull;
	}
	return h;
}

uint64_t bcache_digest(const struct bcache *bc)
{
	/* order-independent over entries: sum of per-entry digests */
	uint64_t total = bc->count * 31 + bc->nbindings;
	for (const struct bc_entry *e = bcache_next(bc, NULL); e; e = bcache_next(bc, e)) {
		uint64_t h = 14695981039346656037ull;
		h = mix(h, &e->id_subtype, 1);
		h = mix(h, e->id, e->id_len);
		h = mix(h, &e->nhnp, 1);
		h = mix(h, e->hnp, sizeof(e->hnp[0]) * e->nhnp);
		h = mix(h, &e->multipath, 1);
		for (const struct bc_binding *b = e->bindings; b; b = b->next) {
			h = mix(h, b->pcoa, 16);
			h = mix(h, &b->last_ts, sizeof(b->last_ts));
			h = mix(h, &b->registered_ms, sizeof(b->registered_ms));
			h = mix(h, &b->lifetime_s, sizeof(b->lifetime_s));
			h = mix(h, &b->seq, sizeof(b->seq));
			h = mix(h, &b->bid, 1);
			h = mix(h, &b->if_att, 1);
			h = mix(h, &b->if_label, 1);
			h = mix(h, &b->mmb_flags, 1);
			h = mix(h, &b->state, 1);
			h = mix(h, &b->timer.due_ms, sizeof(b->timer.due_ms));
		}
		total += h;
	}
	return total;
}
