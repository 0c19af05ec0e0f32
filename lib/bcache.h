/* Binding cache (RFC 5213 §5.1 LMA) and binding update list (§6.1 MAG), with RFC 8278 §4.1
 * multipath: one entry per mobile node, several bindings keyed by Binding ID. */
#ifndef DMM_BCACHE_H
#define DMM_BCACHE_H

#include "ev.h"

#include <stddef.h>
#include <stdint.h>

#define BC_MAX_HNP 4
#define BC_MAX_ID 255
#define BC_BID_LEGACY 0 /* key of the single binding of an RFC 5213 (non-multipath) session */

struct bc_prefix {
	uint8_t addr[16];
	uint8_t plen;
};

enum bc_state {
	BC_PENDING = 0,  /* MAG: PBU sent, waiting for the PBA */
	BC_ACTIVE = 1,   /* registered */
	BC_DELETING = 2, /* de-registered: LMA waits MinDelayBeforeBCEDelete, MAG awaits PBA */
};

struct bc_entry;

/* One binding: one proxy CoA (one WAN path of the MAG). */
struct bc_binding {
	struct bc_binding *next; /* in the entry, by BID */
	struct bc_entry *entry;
	struct ev_timer timer; /* LMA: lifetime / deletion; MAG: retransmission / refresh */
	uint8_t pcoa[16];
	uint64_t last_ts;       /* RFC 5213 §5.5: last accepted (LMA) or sent (MAG) timestamp */
	uint64_t registered_ms; /* loop time of the last accepted registration */
	uint32_t lifetime_s;    /* granted (LMA) or requested (MAG) lifetime, seconds */
	uint16_t seq;           /* last sequence number seen or sent */
	uint16_t retrans_ms;    /* MAG: current retransmission timeout */
	int16_t tunnel;         /* data-plane tunnel id, -1 for none */
	uint8_t bid;            /* RFC 8278 Binding ID; BC_BID_LEGACY without multipath */
	uint8_t if_att, if_label;
	uint8_t mmb_flags; /* MMB B/O of the last accepted request */
	uint8_t state;     /* enum bc_state */
	uint8_t hi, att;   /* Handoff Indicator, Access Technology Type */
	uint8_t path;      /* MAG: index of the WAN path */
	uint8_t tries;     /* MAG: transmissions of the current PBU */
	uint8_t first_reg; /* MAG: the PBU in flight is an initial registration */
};

/* One mobile node. */
struct bc_entry {
	struct bc_entry *hnext; /* hash chain */
	struct bc_binding *bindings;
	void *role; /* role-specific data (MAG: the access link) */
	uint32_t hash;
	uint8_t nbind;
	uint8_t nhnp;
	uint8_t multipath; /* bindings are RFC 8278 multipath bindings */
	uint8_t flags;     /* role-specific */
	struct bc_prefix hnp[BC_MAX_HNP];
	uint8_t id_subtype;
	uint8_t id_len;
	uint8_t id[]; /* MN-ID value */
};

struct bcache {
	struct bc_entry **buckets;
	size_t nbuckets; /* power of two */
	size_t count;    /* entries */
	size_t nbindings;
};

int bcache_init(struct bcache *bc, size_t expected);
/* Free every entry and binding (their timers are stopped on loop when non-NULL). */
void bcache_destroy(struct bcache *bc, struct ev_loop *loop);

struct bc_entry *bcache_find(const struct bcache *bc, uint8_t subtype, const uint8_t *id,
                             size_t len);
/* Add an entry (the MN-ID must not be present); NULL on allocation failure or bad length. */
struct bc_entry *bcache_add(struct bcache *bc, uint8_t subtype, const uint8_t *id, size_t len);
/* Remove and free an entry and its bindings. */
void bcache_del(struct bcache *bc, struct bc_entry *e, struct ev_loop *loop);

struct bc_binding *bc_binding_find(const struct bc_entry *e, uint8_t bid);
/* Add a binding with bid (must be absent); timer initialised with cb(binding). */
struct bc_binding *bc_binding_add(struct bcache *bc, struct bc_entry *e, uint8_t bid,
                                  ev_timer_cb cb);
void bc_binding_del(struct bcache *bc, struct bc_binding *b, struct ev_loop *loop);
/* Binding of e whose proxy CoA is pcoa, or NULL. */
struct bc_binding *bc_binding_by_pcoa(const struct bc_entry *e, const uint8_t pcoa[16]);

int bc_has_hnp(const struct bc_entry *e, const uint8_t *prefix, uint8_t plen);

/* Iterate entries: first with prev NULL; NULL at the end. */
struct bc_entry *bcache_next(const struct bcache *bc, const struct bc_entry *prev);

/* Digest of the cache's registration state (entries, prefixes, bindings, lifetimes, states,
 * timestamps), for "cache unchanged" checks. */
uint64_t bcache_digest(const struct bcache *bc);

#endif
