/* Mobile access gateway: RFC 5213 §6.9 PBU/PBA, §6.9.4 retransmission, refresh and
 * de-registration; RFC 8278 §4.4 multipath registration over every WAN path. */
#include "mag.h"

#include "dataplane.h"
#include "dlog.h"
#include "ev.h"
#include "keys.h"
#include "ndp.h"
#include "role.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAG_MAX_WAN 8
#define MAG_MAX_ACCESS 8
#define MAG_MAX_LOGICAL 16
#define MAG_MH_MAX 2048
/* RFC 5213 §6.9.4 / §9.3: InitialBindackTimeoutFirstReg, INITIAL_BINDACK_TIMEOUT,
 * MAX_BINDACK_TIMEOUT */
#define MAG_FIRST_REG_TIMEOUT_MS 1500
#define MAG_BINDACK_TIMEOUT_MS 1000
#define MAG_MAX_BINDACK_TIMEOUT_MS 32000
#define MAG_HI_NEW_INTERFACE 1
#define MAG_HI_NOT_CHANGED 5

#define MAG_COUNTERS(X)                                                                            \
	X(pbu_sent)                                                                                \
	X(pba_received)                                                                            \
	X(retransmissions)                                                                         \
	X(accepted)                                                                                \
	X(rejected)                                                                                \
	X(registration_failed)                                                                     \
	X(multipath_disabled)                                                                      \
	X(drop_checksum)                                                                           \
	X(drop_malformed)                                                                          \
	X(drop_auth)                                                                               \
	X(drop_unexpected)                                                                         \
	X(attached)                                                                                \
	X(detached)                                                                                \
	X(send_errors)

enum { MAG_COUNTERS(ROLE_COUNTER_ENUM) MAG_NCOUNTERS };
static const char *const counter_names[] = {MAG_COUNTERS(ROLE_COUNTER_NAME)};

struct mag_wan {
	char name[ROLE_NAME_MAX];
	char ifname[16];
	uint8_t addr[16];
	uint8_t label, att, bid;
	int has_addr, has_label, up;
	int fd; /* send socket bound to ifname, -1 for none */
};

struct mag_access {
	char ifname[16];
	struct ndp_access *ndp;
	struct mag *m;
};

/* Per mobile node data of the binding update list entry. */
struct mag_node {
	struct mag *m;
	char iface[16];
	char ll_id[NDP_LL_ID_MAX];
	uint8_t ll_addr[8]; /* ll_id as link-layer address octets (MN LL-ID option) */
	uint8_t ll_len;
	int mp_disabled; /* RFC 8278 §4.4: status 180 for this node */
	int detaching;
	int advertised;
};

struct mag {
	struct role_common rc; /* first: the role core */
	uint8_t magid[BC_MAX_ID];
	uint8_t magid_len;
	int multipath;
	int lma_mp; /* LMA capability: -1 unknown, 0 legacy, 1 multipath */
	uint32_t lifetime_s;
	uint8_t access_att;
	struct mag_access access[MAG_MAX_ACCESS];
	unsigned naccess;
	struct mag_wan wan[MAG_MAX_WAN];
	unsigned nwan;
	char *logical[MAG_MAX_LOGICAL];
	unsigned nlogical;
	struct bcache bul;
	uint64_t last_ts;
	uint16_t seq;
	uint64_t ctr[MAG_NCOUNTERS];
	mag_prefix_cb prefix_cb;
	void *prefix_arg;
	mag_send_hook send_hook;
	void *send_arg;
};

static const uint8_t *lmaa(const struct mag *m)
{
	return m->rc.peers[0].addr[0];
}

/* ---- configuration ---- */

static int kw_magid(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct mag *m = ctx;
	size_t l = strlen(n->argv[0]);
	if (!l || l > BC_MAX_ID - 2) {
		snprintf(err, len, "identifier must have 1..%d octets", BC_MAX_ID - 2);
		return -1;
	}
	memcpy(m->magid, n->argv[0], l);
	m->magid_len = (uint8_t)l;
	return 0;
}

static int kw_multipath(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct mag *m = ctx;
	return conf_bool(n->argv[0], &m->multipath, err, len);
}

static int kw_lifetime(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct mag *m = ctx;
	unsigned long v;
	if (conf_uint(n->argv[0], 4, 262140, &v, err, len) < 0)
		return -1;
	m->lifetime_s = (uint32_t)v;
	return 0;
}

static int kw_access(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct mag *m = ctx;
	if (m->naccess >= MAG_MAX_ACCESS || strlen(n->argv[0]) >= 16) {
		snprintf(err, len, "too many access interfaces or name too long");
		return -1;
	}
	snprintf(m->access[m->naccess].ifname, 16, "%s", n->argv[0]);
	m->access[m->naccess++].m = m;
	return 0;
}

static int kw_access_att(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct mag *m = ctx;
	unsigned long v;
	if (conf_uint(n->argv[0], 1, 255, &v, err, len) < 0)
		return -1;
	m->access_att = (uint8_t)v;
	return 0;
}

static int kw_mn(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct mag *m = ctx;
	if (m->nlogical >= MAG_MAX_LOGICAL || strlen(n->argv[0]) > BC_MAX_ID) {
		snprintf(err, len, "too many logical mobile nodes or identifier too long");
		return -1;
	}
	m->logical[m->nlogical] = strdup(n->argv[0]);
	if (!m->logical[m->nlogical]) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	m->nlogical++;
	return 0;
}

static int kw_wan(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct mag *m = ctx;
	if (m->nwan >= MAG_MAX_WAN || strlen(n->argv[0]) >= ROLE_NAME_MAX) {
		snprintf(err, len, "more than %d WAN paths or name too long", MAG_MAX_WAN);
		return -1;
	}
	struct mag_wan *w = &m->wan[m->nwan++];
	snprintf(w->name, sizeof(w->name), "%s", n->argv[0]);
	w->att = 3;
	w->fd = -1;
	w->bid = (uint8_t)m->nwan;
	w->up = 1;
	*child = w;
	return 0;
}

static int kw_wan_interface(void *ctx, const struct conf_node *n, void **child, char *err,
                            size_t len)
{
	struct mag_wan *w = ctx;
	if (strlen(n->argv[0]) >= sizeof(w->ifname)) {
		snprintf(err, len, "interface name too long");
		return -1;
	}
	snprintf(w->ifname, sizeof(w->ifname), "%s", n->argv[0]);
	return 0;
}

static int kw_wan_address(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct mag_wan *w = ctx;
	w->has_addr = 1;
	return conf_addr6(n->argv[0], w->addr, err, len);
}

/* label, att and bid: one octet each */
static int wan_octet(const struct conf_node *n, unsigned long min, unsigned long max, uint8_t *out,
                     char *err, size_t len)
{
	unsigned long v;
	if (conf_uint(n->argv[0], min, max, &v, err, len) < 0)
		return -1;
	*out = (uint8_t)v;
	return 0;
}

static int kw_wan_label(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct mag_wan *w = ctx;
	w->has_label = 1;
	return wan_octet(n, 0, 255, &w->label, err, len);
}

static int kw_wan_att(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	return wan_octet(n, 0, 255, &((struct mag_wan *)ctx)->att, err, len);
}

static int kw_wan_bid(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	/* RFC 8278 §4.1: BID 1..254 */
	return wan_octet(n, 1, 254, &((struct mag_wan *)ctx)->bid, err, len);
}

static const struct conf_kw wan_keywords[] = {
    {"interface", 1, 1, 0, kw_wan_interface, NULL},
    {"address", 1, 1, 0, kw_wan_address, NULL},
    {"label", 1, 1, 0, kw_wan_label, NULL},
    {"att", 1, 1, 0, kw_wan_att, NULL},
    {"bid", 1, 1, 0, kw_wan_bid, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static const struct conf_kw mag_keywords[] = {
    {"mag-id", 1, 1, 0, kw_magid, NULL},
    {"multipath", 1, 1, 0, kw_multipath, NULL},
    {"lifetime", 1, 1, 0, kw_lifetime, NULL},
    {"access-interface", 1, 1, 0, kw_access, NULL},
    {"access-att", 1, 1, 0, kw_access_att, NULL},
    {"wan", 1, 1, 1, kw_wan, wan_keywords},
    {"mn", 1, 1, 0, kw_mn, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static void *mag_init(struct dmmd *d)
{
	struct mag *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->rc.d = d;
	m->rc.auth = 1;
	m->rc.ts_window_ms = 300;
	m->rc.mh_fd = -1;
	m->rc.tun_prefix = "mag";
	m->multipath = 1;
	m->lma_mp = -1;
	m->lifetime_s = 3600;
	m->access_att = 4;
	if (bcache_init(&m->bul, 64) < 0) {
		free(m);
		return NULL;
	}
	return m;
}

static int mag_check(void *st, char *err, size_t len)
{
	struct mag *m = st;
	if (m->rc.npeers != 1) {
		snprintf(err, len, "exactly one 'peer' block (the LMA) is required");
		return -1;
	}
	if (!m->nwan) {
		snprintf(err, len, "at least one 'wan' path is required");
		return -1;
	}
	for (unsigned i = 0; i < m->nwan; i++) {
		if (!m->wan[i].has_addr || !m->wan[i].has_label) {
			snprintf(err, len, "wan '%s' needs an address and a label", m->wan[i].name);
			return -1;
		}
		for (unsigned j = 0; j < i; j++)
			if (m->wan[j].bid == m->wan[i].bid) {
				snprintf(err, len, "wan '%s' and '%s' share BID %u", m->wan[j].name,
				         m->wan[i].name, m->wan[i].bid);
				return -1;
			}
	}
	if (m->multipath && !m->magid_len) {
		snprintf(err, len, "'mag-id' is required with multipath (RFC 8278 §4.4)");
		return -1;
	}
	return 0;
}

static void node_free_all(struct mag *m)
{
	for (struct bc_entry *e = bcache_next(&m->bul, NULL); e; e = bcache_next(&m->bul, e)) {
		free(e->role);
		e->role = NULL;
	}
}

static void mag_free(void *st)
{
	struct mag *m = st;
	node_free_all(m);
	bcache_destroy(&m->bul, m->rc.d ? m->rc.d->loop : NULL);
	for (unsigned i = 0; i < m->nlogical; i++)
		free(m->logical[i]);
	free(m);
}

/* ---- events ---- */

/* lifetime: seconds to report, or -1 for the binding's granted lifetime. */
static void binding_event_lt(struct mag *m, const char *name, const struct bc_binding *b,
                             int status, const char *reason, int64_t lifetime)
{
	if (!role_event_wanted(&m->rc, name))
		return;
	const struct bc_entry *e = b->entry;
	struct json_object *f =
	    role_event_fields(e->id, e->id_len, b->bid, b->pcoa, b->seq, status);
	json_object_object_add(f, "wan", json_object_new_string(m->wan[b->path].name));
	json_object_object_add(f, "lifetime",
	                       json_object_new_int64(lifetime < 0 ? b->lifetime_s : lifetime));
	if (reason)
		json_object_object_add(f, "reason", json_object_new_string(reason));
	role_event(&m->rc, name, f);
}

static void binding_event(struct mag *m, const char *name, const struct bc_binding *b, int status,
                          const char *reason)
{
	binding_event_lt(m, name, b, status, reason, -1);
}

static void node_event(struct mag *m, const char *name, const struct bc_entry *e,
                       const char *reason)
{
	if (!role_event_wanted(&m->rc, name))
		return;
	const struct mag_node *n = e->role;
	struct json_object *f = role_event_fields(e->id, e->id_len, -1, NULL, -1, -1);
	json_object_object_add(f, "iface", json_object_new_string(n->iface));
	if (reason)
		json_object_object_add(f, "reason", json_object_new_string(reason));
	role_event(&m->rc, name, f);
}

/* ---- PBU ---- */

static uint64_t next_timestamp(struct mag *m)
{
	uint64_t ts = role_timestamp(ev_wall_ms());
	if (ts <= m->last_ts)
		ts = m->last_ts + 1;
	return m->last_ts = ts;
}

/* Send on WAN path w: from its proxy CoA, through its own socket when it has an interface. */
static void emit(struct mag *m, const struct mag_wan *w, const uint8_t *dst, const uint8_t *mh,
                 size_t len)
{
	if (m->send_hook) {
		m->send_hook(m->send_arg, w->addr, dst, mh, len);
		return;
	}
	/* no route through the path's interface: let the routing table decide */
	if ((w->fd < 0 || role_mh_send(w->fd, mh, len, w->addr, dst) < 0) &&
	    role_mh_send(m->rc.mh_fd, mh, len, w->addr, dst) < 0)
		m->ctr[C_send_errors]++;
}

/* Build and send the PBU of binding b (RFC 5213 §6.9.1.5, RFC 8278 §4.4), then arm the
 * RFC 5213 §6.9.4 retransmission timer. */
static void send_pbu(struct mag *m, struct bc_binding *b)
{
	static const uint8_t zero[16];
	struct bc_entry *e = b->entry;
	struct mag_node *n = e->role;
	struct mag_wan *w = &m->wan[b->path];
	struct mh_msg *msg = calloc(1, sizeof(*msg));
	if (!msg)
		return;
	int dereg = b->state == BC_DELETING;
	msg->type = MH_BU;
	msg->u.bu.seq = ++m->seq;
	msg->u.bu.flags = MH_BU_A | MH_BU_P;
	msg->u.bu.lifetime = dereg ? 0 : (uint16_t)(m->lifetime_s / 4);
	struct mh_opt *o = mh_add_opt(msg, MH_OPT_MNID);
	o->v.nai.subtype = e->id_subtype;
	o->v.nai.id = e->id;
	o->v.nai.idlen = e->id_len;
	for (unsigned i = 0; i < (e->nhnp ? e->nhnp : 1u); i++) {
		o = mh_add_opt(msg, MH_OPT_HNP); /* ALL_ZERO: please assign (§6.9.1.1) */
		memcpy(o->v.hnp.prefix, e->nhnp ? e->hnp[i].addr : zero, 16);
		o->v.hnp.plen = e->nhnp ? e->hnp[i].plen : 0;
	}
	o = mh_add_opt(msg, MH_OPT_HI);
	o->v.u8pair.value = b->first_reg ? MAG_HI_NEW_INTERFACE : MAG_HI_NOT_CHANGED;
	o = mh_add_opt(msg, MH_OPT_ATT);
	o->v.u8pair.value = m->access_att;
	uint64_t ts = next_timestamp(m);
	o = mh_add_opt(msg, MH_OPT_TIMESTAMP);
	o->v.timestamp = ts;
	if (n->ll_len) {
		o = mh_add_opt(msg, MH_OPT_MNLLID);
		o->v.mnllid.lli = n->ll_addr;
		o->v.mnllid.llilen = n->ll_len;
	}
	if (b->bid != BC_BID_LEGACY) {
		/* RFC 8278 §4.4: MMB and MAG Identifier on every path; B and O stay 0 */
		o = mh_add_opt(msg, MH_OPT_MMB);
		o->v.mmb.if_att = w->att;
		o->v.mmb.if_label = w->label;
		o->v.mmb.bid = b->bid;
		o = mh_add_opt(msg, MH_OPT_MAGID);
		o->v.nai.subtype = 1;
		o->v.nai.id = m->magid;
		o->v.nai.idlen = m->magid_len;
	}
	uint8_t buf[MAG_MH_MAX];
	int len = role_mh_build(&m->rc, msg, &m->rc.peers[0], w->addr, lmaa(m), w->addr, lmaa(m),
	                        buf, sizeof(buf));
	b->seq = msg->u.bu.seq;
	b->last_ts = ts;
	free(msg);
	if (len < 0) {
		log_warnx("PBU does not encode");
		return;
	}
	memcpy(b->pcoa, w->addr, 16);
	emit(m, w, lmaa(m), buf, (size_t)len);
	m->ctr[C_pbu_sent]++;
	b->tries++;
	if (b->tries == 1)
		b->retrans_ms = b->first_reg ? MAG_FIRST_REG_TIMEOUT_MS : MAG_BINDACK_TIMEOUT_MS;
	else
		b->retrans_ms = b->retrans_ms * 2 > MAG_MAX_BINDACK_TIMEOUT_MS
		                    ? MAG_MAX_BINDACK_TIMEOUT_MS
		                    : (uint16_t)(b->retrans_ms * 2);
	ev_timer_start(m->rc.d->loop, &b->timer, b->retrans_ms);
	binding_event_lt(m, "pbu-sent", b, -1, b->tries > 1 ? "retransmission" : NULL,
	                 dereg ? 0 : m->lifetime_s);
}

/* ---- binding life cycle ---- */

static void advertise(struct mag *m, struct bc_entry *e, uint32_t lifetime_s)
{
	struct mag_node *n = e->role;
	if (lifetime_s && !n->advertised)
		role_onlink_sync(&m->rc, e, n->iface, 1);
	if (!lifetime_s && n->advertised)
		role_onlink_sync(&m->rc, e, n->iface, 0);
	n->advertised = lifetime_s != 0;
	if (m->prefix_cb)
		m->prefix_cb(m->prefix_arg, n->iface, n->ll_id[0] ? n->ll_id : NULL, e, lifetime_s);
}

static void entry_free(struct mag *m, struct bc_entry *e)
{
	role_routes_sync(&m->rc, e, 1, 1);
	free(e->role);
	e->role = NULL;
	bcache_del(&m->bul, e, m->rc.d->loop);
}

static int has_active(const struct bc_entry *e)
{
	for (const struct bc_binding *b = e->bindings; b; b = b->next)
		if (b->state == BC_ACTIVE)
			return 1;
	return 0;
}

/* Remove binding b from the binding update list and release its tunnel; the node's routes
 * and advertisement are the caller's. */
static void binding_forget(struct mag *m, struct bc_binding *b, const char *reason)
{
	binding_event(m, "binding-removed", b, -1, reason);
	role_tunnel_unref(&m->rc, b->tunnel);
	bc_binding_del(&m->bul, b, m->rc.d->loop);
}

/* Every RFC 8278 multipath binding of e but keep (may be NULL) goes. */
static void forget_multipath(struct mag *m, struct bc_entry *e, const struct bc_binding *keep,
                             const char *reason)
{
	struct bc_binding *x = e->bindings;
	while (x) {
		struct bc_binding *next = x->next;
		if (x != keep && x->bid != BC_BID_LEGACY)
			binding_forget(m, x, reason);
		x = next;
	}
}

/* Forget binding b; withdraw the prefixes with the last active binding, free a detached
 * node with its last binding. */
static void binding_drop(struct mag *m, struct bc_binding *b, const char *reason)
{
	struct bc_entry *e = b->entry;
	struct mag_node *n = e->role;
	binding_forget(m, b, reason);
	role_routes_sync(&m->rc, e, 1, 0);
	if (!has_active(e) && n->advertised)
		advertise(m, e, 0);
	if (!e->nbind && n->detaching)
		entry_free(m, e);
}

static void on_binding_timer(void *arg);

/* first_reg: an initial registration (Handoff Indicator 1, InitialBindackTimeoutFirstReg),
 * else a re-registration of the node's mobility session (HI 5). */
static struct bc_binding *open_binding(struct mag *m, struct bc_entry *e, unsigned path,
                                       uint8_t bid, int first_reg)
{
	struct bc_binding *b = bc_binding_add(&m->bul, e, bid, on_binding_timer);
	if (!b)
		return NULL;
	b->path = (uint8_t)path;
	b->state = BC_PENDING;
	b->first_reg = (uint8_t)first_reg;
	b->if_att = m->wan[path].att;
	b->if_label = m->wan[path].label;
	memcpy(b->pcoa, m->wan[path].addr, 16);
	send_pbu(m, b);
	return b;
}

static int use_multipath(const struct mag *m, const struct bc_entry *e)
{
	const struct mag_node *n = e->role;
	return m->multipath && m->lma_mp != 0 && !n->mp_disabled;
}

/* RFC 8278 §4.4: register on one path first (the first path that is up). */
static void start_registration(struct mag *m, struct bc_entry *e, int first_reg)
{
	for (unsigned i = 0; i < m->nwan; i++) {
		if (!m->wan[i].up)
			continue;
		uint8_t bid = use_multipath(m, e) ? m->wan[i].bid : BC_BID_LEGACY;
		if (!bc_binding_find(e, bid))
			open_binding(m, e, i, bid, first_reg);
		return;
	}
}

/* After the LMA accepted a multipath binding: the other paths follow. */
static void register_other_paths(struct mag *m, struct bc_entry *e)
{
	for (unsigned i = 0; i < m->nwan; i++)
		if (m->wan[i].up && !bc_binding_find(e, m->wan[i].bid))
			open_binding(m, e, i, m->wan[i].bid, 1);
}

static void on_binding_timer(void *arg)
{
	struct bc_binding *b = arg;
	struct bc_entry *e = b->entry;
	struct mag *m = ((struct mag_node *)e->role)->m;
	if (!m->wan[b->path].up) {
		/* a failed path sends nothing: the refresh follows when it is restored */
		if (b->state == BC_DELETING)
			binding_drop(m, b, "path down");
		return;
	}
	if (b->tries == 0) { /* refresh before the lifetime ends */
		b->first_reg = 0;
		send_pbu(m, b);
		return;
	}
	if (b->retrans_ms >= MAG_MAX_BINDACK_TIMEOUT_MS) {
		m->ctr[C_registration_failed]++;
		binding_event(m, "registration-failed", b, -1, "no PBA");
		binding_drop(m, b, "no PBA");
		return;
	}
	m->ctr[C_retransmissions]++;
	send_pbu(m, b);
}

/* ---- PBA ---- */

static void pba_accepted(struct mag *m, struct bc_binding *b, const struct mh_msg *pba)
{
	struct bc_entry *e = b->entry;
	struct mag_wan *w = &m->wan[b->path];
	uint32_t granted = (uint32_t)pba->u.ba.lifetime * 4;
	if (b->state == BC_DELETING || granted == 0) {
		binding_drop(m, b, "deregistered");
		return;
	}
	if (!e->nhnp)
		for (unsigned i = 0; i < pba->nopts && e->nhnp < BC_MAX_HNP; i++)
			if (pba->opts[i].type == MH_OPT_HNP && pba->opts[i].v.hnp.plen) {
				memcpy(e->hnp[e->nhnp].addr, pba->opts[i].v.hnp.prefix, 16);
				e->hnp[e->nhnp++].plen = pba->opts[i].v.hnp.plen;
			}
	int newly_multipath = 0;
	if (b->bid != BC_BID_LEGACY) {
		if (mh_find_opt(pba, MH_OPT_MMB, 0)) {
			newly_multipath = b->state == BC_PENDING;
			m->lma_mp = 1;
		} else {
			/* RFC 8278 §4.4 (MPB-4.4-05): a legacy LMA skipped the option and
			 * processed the PBU as RFC 5213, where this registration replaced any
			 * other binding of the node: "The MAG, upon receiving the PBA message
			 * without the MAG Multipath Binding option, SHOULD disable multipath
			 * support for the mobile node." This binding goes on single-path. */
			m->lma_mp = 0;
			m->ctr[C_multipath_disabled]++;
			binding_event(m, "multipath-disabled", b, 0, "PBA without MMB");
			forget_multipath(m, e, b, "multipath disabled");
			if (!bc_binding_find(e, BC_BID_LEGACY))
				b->bid = BC_BID_LEGACY;
		}
	}
	int added = b->state == BC_PENDING;
	b->tries = 0;
	b->state = BC_ACTIVE;
	b->lifetime_s = granted;
	b->registered_ms = ev_now_ms(m->rc.d->loop);
	e->multipath = b->bid != BC_BID_LEGACY;
	if (b->tunnel < 0) {
		b->tunnel = (int16_t)role_tunnel_ref(&m->rc, w->addr, lmaa(m), w->label);
		if (!w->up)
			role_tunnel_set_up(&m->rc, b->tunnel, 0);
	}
	role_routes_sync(&m->rc, e, 1, 0);
	uint64_t refresh = (uint64_t)granted * 800; /* 80% of the lifetime */
	ev_timer_start(m->rc.d->loop, &b->timer, refresh > 1000 ? refresh : 1000);
	binding_event(m, added ? "binding-added" : "binding-updated", b, -1, NULL);
	if (!((struct mag_node *)e->role)->advertised)
		advertise(m, e, granted);
	if (newly_multipath)
		register_other_paths(m, e);
}

static void pba_rejected(struct mag *m, struct bc_binding *b, uint8_t status)
{
	struct bc_entry *e = b->entry;
	struct mag_node *n = e->role;
	if (status == MH_STATUS_CANNOT_SUPPORT_MULTIPATH && b->bid != BC_BID_LEGACY) {
		/* RFC 8278 §4.4 (MPB-4.4-07): "The MAG, upon receiving this message, SHOULD
		 * disable multipath support for the mobile node." */
		n->mp_disabled = 1;
		m->ctr[C_multipath_disabled]++;
		binding_event(m, "multipath-disabled", b, status, "status 180");
		if (n->detaching) { /* binding_drop may free a detached node */
			binding_drop(m, b, "multipath refused");
			return;
		}
		/* Every multipath binding of the node goes, also those the LMA accepted on
		 * other paths (the 180 may answer the second path): one single-path
		 * registration replaces them at the LMA (RFC 5213, one binding). When the node
		 * was registered, that is a re-registration of its session (HI 5) requesting
		 * the same prefixes, which stay advertised on the access link meanwhile. */
		int registered = has_active(e);
		forget_multipath(m, e, NULL, "multipath refused");
		e->multipath = 0;
		role_routes_sync(&m->rc, e, 1, 0);
		start_registration(m, e, !registered);
		if (!e->nbind && n->advertised) /* no path is up */
			advertise(m, e, 0);
		return;
	}
	binding_drop(m, b, "rejected");
}

int mag_input(struct mag *m, const uint8_t src[16], const uint8_t dst[16], const uint8_t *mh,
              size_t len)
{
	struct mh_msg *pba = malloc(sizeof(*pba));
	const struct role_peer *peer;
	const char *why;
	int ret = -1;
	if (!pba)
		return -1;
	/* the PBA's authenticator covers the Proxy-CoA (its destination) and the LMAA */
	if (role_mh_verify(&m->rc, mh, len, src, dst, dst, src, pba, &peer, &why) < 0) {
		m->ctr[why[0] == 'c'   ? C_drop_checksum
		       : why[0] == 'm' ? C_drop_malformed
		                       : C_drop_auth]++;
		role_drop_event(&m->rc, src, why);
		goto out;
	}
	const struct mh_opt *mnid = mh_find_opt(pba, MH_OPT_MNID, 0);
	struct bc_entry *e = NULL;
	struct bc_binding *b = NULL;
	if (pba->type == MH_BA && mnid && memcmp(src, lmaa(m), 16) == 0)
		e = bcache_find(&m->bul, mnid->v.nai.subtype, mnid->v.nai.id, mnid->v.nai.idlen);
	if (e)
		b = bc_binding_by_pcoa(e, dst);
	if (!b || !b->tries || pba->u.ba.seq != b->seq) {
		m->ctr[C_drop_unexpected]++;
		goto out;
	}
	m->ctr[C_pba_received]++;
	ev_timer_stop(m->rc.d->loop, &b->timer);
	uint8_t status = pba->u.ba.status;
	binding_event_lt(m, "pba-received", b, status, NULL, (int64_t)pba->u.ba.lifetime * 4);
	if (status < 128) {
		m->ctr[C_accepted]++;
		pba_accepted(m, b, pba);
	} else {
		m->ctr[C_rejected]++;
		binding_event(m, "reject", b, status, NULL);
		pba_rejected(m, b, status);
	}
	ret = 0;
out:
	free(pba);
	return ret;
}

/* ---- attach / detach / link ---- */

static struct mag_access *find_access(struct mag *m, const char *iface)
{
	for (unsigned i = 0; i < m->naccess; i++)
		if (strcmp(m->access[i].ifname, iface) == 0)
			return &m->access[i];
	return NULL;
}

int mag_mn_attach(struct mag *m, const char *mn_id, const char *iface, const char *ll_id)
{
	size_t idlen = strlen(mn_id);
	if (!idlen || idlen > BC_MAX_ID || (ll_id && strlen(ll_id) >= NDP_LL_ID_MAX) ||
	    strlen(iface) >= 16 || (m->naccess && iface[0] && !find_access(m, iface)))
		return -1;
	struct bc_entry *e = bcache_find(&m->bul, 1, (const uint8_t *)mn_id, idlen);
	if (e) {
		struct mag_node *n = e->role;
		if (n->detaching)
			return -1; /* still de-registering */
		if (!e->nbind)
			start_registration(m, e, 1);
		return 0;
	}
	struct mag_node *n = calloc(1, sizeof(*n));
	e = n ? bcache_add(&m->bul, 1, (const uint8_t *)mn_id, idlen) : NULL;
	if (!e) {
		free(n);
		return -1;
	}
	n->m = m;
	snprintf(n->iface, sizeof(n->iface), "%s", iface);
	snprintf(n->ll_id, sizeof(n->ll_id), "%s", ll_id ? ll_id : "");
	/* "aa:bb:cc:dd:ee:ff" becomes the MN Link-layer Identifier (RFC 5213 §8.6) */
	int l = ll_id ? dmm_hex_decode(ll_id, n->ll_addr, sizeof(n->ll_addr)) : -1;
	n->ll_len = l >= 6 ? (uint8_t)l : 0;
	e->role = n;
	m->ctr[C_attached]++;
	node_event(m, "mn-attached", e, NULL);
	start_registration(m, e, 1);
	return 0;
}

int mag_mn_detach(struct mag *m, const char *mn_id)
{
	struct bc_entry *e = bcache_find(&m->bul, 1, (const uint8_t *)mn_id, strlen(mn_id));
	if (!e || ((struct mag_node *)e->role)->detaching)
		return -1;
	struct mag_node *n = e->role;
	n->detaching = 1;
	m->ctr[C_detached]++;
	node_event(m, "mn-detached", e, NULL);
	if (n->advertised)
		advertise(m, e, 0);
	role_routes_sync(&m->rc, e, 1, 1);
	struct bc_binding *b = e->bindings;
	while (b) {
		struct bc_binding *next = b->next;
		if (b->state == BC_ACTIVE && m->wan[b->path].up) {
			/* RFC 5213 §6.9.1.2: de-register (lifetime 0, O flag 0) */
			b->state = BC_DELETING;
			b->tries = 0;
			b->first_reg = 0;
			send_pbu(m, b);
		} else {
			/* not registered yet, or on a failed path: forget it here */
			binding_drop(m, b, "detached");
			if (!bcache_find(&m->bul, 1, (const uint8_t *)mn_id, strlen(mn_id)))
				return 0;
		}
		b = next;
	}
	if (!e->nbind)
		entry_free(m, e);
	return 0;
}

int mag_link(struct mag *m, const char *name, int up)
{
	unsigned i;
	for (i = 0; i < m->nwan; i++)
		if (!strcmp(m->wan[i].name, name) || !strcmp(m->wan[i].ifname, name))
			break;
	if (i == m->nwan)
		return -1;
	struct mag_wan *w = &m->wan[i];
	if (w->up == !!up)
		return 0;
	w->up = !!up;
	int tunnel_done = -1;
	struct bc_entry *e = bcache_next(&m->bul, NULL);
	while (e) {
		struct bc_entry *next = bcache_next(&m->bul, e);
		struct mag_node *n = e->role;
		struct bc_binding *b = NULL;
		for (struct bc_binding *x = e->bindings; x; x = x->next)
			if (x->path == i)
				b = x;
		if (b && b->tunnel >= 0 && b->tunnel != tunnel_done) {
			role_tunnel_set_up(&m->rc, b->tunnel, up);
			tunnel_done = b->tunnel;
		}
		if (n->detaching) {
			e = next;
			continue;
		}
		if (!up && b && b->state == BC_PENDING) {
			binding_drop(m, b, "path down");
		} else if (up && b && b->state == BC_ACTIVE) {
			b->tries = 0; /* re-register on the restored path */
			b->first_reg = 0;
			send_pbu(m, b);
		} else if (up && !b) {
			if (!e->nbind)
				start_registration(m, e, 1);
			else if (e->multipath)
				open_binding(m, e, i, w->bid, 1);
		}
		e = next;
	}
	return 0;
}

/* ---- access link (lib/ndp.h) ---- */

static void default_prefix_cb(void *arg, const char *iface, const char *ll_id,
                              const struct bc_entry *e, uint32_t lifetime_s)
{
	struct mag *m = arg;
	struct mag_access *a = find_access(m, iface);
	if (!a || !a->ndp || !ll_id)
		return;
	if (!lifetime_s) {
		ndp_withdraw(a->ndp, ll_id);
		return;
	}
	struct ndp_prefix p[NDP_MAX_PREFIXES];
	unsigned n = 0;
	for (unsigned i = 0; i < e->nhnp && n < NDP_MAX_PREFIXES; i++, n++) {
		memset(&p[n], 0, sizeof(p[n]));
		memcpy(&p[n].prefix, e->hnp[i].addr, 16);
		p[n].plen = e->hnp[i].plen;
		p[n].onlink = p[n].autonomous = true;
		p[n].valid_lifetime = p[n].preferred_lifetime = lifetime_s;
	}
	if (ndp_advertise(a->ndp, ll_id, p, n) == 0)
		return;
	if (errno == EINVAL || errno == ENOSPC)
		log_warn("router advertisement on %s", iface);
	else /* kept: it goes when the link-local address is usable (lib/ndp.h) */
		log_debug("router advertisement on %s deferred: %s", iface, strerror(errno));
}

static void on_ndp(const struct ndp_event *ev, void *arg)
{
	struct mag_access *a = arg;
	if (ev->kind == NDP_EV_ATTACH && ev->ll_id[0]) {
		if (mag_mn_attach(a->m, ev->ll_id, a->ifname, ev->ll_id) < 0)
			log_warnx("attach of %s on %s failed", ev->ll_id, a->ifname);
	} else if (ev->kind == NDP_EV_DETACH && ev->ll_id[0]) {
		mag_mn_detach(a->m, ev->ll_id);
	}
}

/* ---- socket and life cycle ---- */

static void on_mh(int fd, uint32_t events, void *arg)
{
	struct mag *m = arg;
	uint8_t in[MAG_MH_MAX], src[16], dst[16];
	for (int i = 0; i < 64; i++) {
		ssize_t n = role_mh_recv(fd, in, sizeof(in), src, dst);
		if (n <= 0)
			return;
		mag_input(m, src, dst, in, (size_t)n);
	}
}

static int mag_start(void *st, char *err, size_t len)
{
	struct mag *m = st;
	if (role_dp_open(&m->rc, err, len) < 0 || role_mh_open(&m->rc, on_mh, m, err, len) < 0)
		return -1;
	if (!m->prefix_cb)
		mag_set_prefix_cb(m, default_prefix_cb, m);
	for (unsigned i = 0; i < m->nwan; i++) {
		char why[128];
		if (m->wan[i].ifname[0] &&
		    (m->wan[i].fd = role_mh_path_socket(m->wan[i].ifname, why, sizeof(why))) < 0)
			log_warnx("wan %s: %s; its signaling follows the routing table",
			          m->wan[i].name, why);
	}
	for (unsigned i = 0; i < m->naccess; i++) {
		/* the tunnel's inner MTU, so that the nodes size their packets for it
		 * (RFC 4861 §4.6.4, RFC 2473 §7) */
		struct ndp_ra_config cfg = {.mtu = m->rc.dp ? dp_options(m->rc.dp)->mtu : 0};
		m->access[i].ndp = ndp_open(m->rc.d->loop, m->access[i].ifname, &cfg, on_ndp,
		                            &m->access[i], err, len);
		if (!m->access[i].ndp)
			return -1;
	}
	for (unsigned i = 0; i < m->nlogical; i++)
		mag_mn_attach(m, m->logical[i], m->naccess ? m->access[0].ifname : "", NULL);
	return 0;
}

static void mag_stop(void *st)
{
	struct mag *m = st;
	struct bc_entry *e;
	/* best-effort de-registration of every active binding, then local cleanup */
	for (e = bcache_next(&m->bul, NULL); e; e = bcache_next(&m->bul, e))
		for (struct bc_binding *b = e->bindings; b; b = b->next)
			if (b->state == BC_ACTIVE && m->rc.mh_fd >= 0 && m->wan[b->path].up) {
				b->state = BC_DELETING;
				send_pbu(m, b);
			}
	while ((e = bcache_next(&m->bul, NULL))) {
		struct mag_node *n = e->role;
		if (n->advertised)
			advertise(m, e, 0);
		while (e->bindings) {
			struct bc_binding *b = e->bindings;
			role_tunnel_unref(&m->rc, b->tunnel);
			bc_binding_del(&m->bul, b, m->rc.d->loop);
		}
		entry_free(m, e);
	}
	for (unsigned i = 0; i < m->naccess; i++)
		if (m->access[i].ndp) {
			ndp_close(m->access[i].ndp);
			m->access[i].ndp = NULL;
		}
	role_mh_close(&m->rc);
	for (unsigned i = 0; i < m->nwan; i++)
		if (m->wan[i].fd >= 0) {
			close(m->wan[i].fd);
			m->wan[i].fd = -1;
		}
	role_dp_close(&m->rc);
}

/* ---- control commands ---- */

static const char *req_string(struct json_object *req, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(req, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int cmd_attach(void *arg, struct json_object *req, struct json_object *reply, char *err,
                      size_t errlen)
{
	struct mag *m = arg;
	const char *id = req_string(req, "mn_id"), *iface = req_string(req, "iface");
	const char *ll = req_string(req, "ll_id");
	if (!id) {
		snprintf(err, errlen, "attach needs \"mn_id\"");
		return -1;
	}
	if (!iface)
		iface = m->naccess ? m->access[0].ifname : "";
	if (mag_mn_attach(m, id, iface, ll ? ll : id) < 0) {
		snprintf(err, errlen, "cannot attach '%s' on '%s'", id, iface);
		return -1;
	}
	return 0;
}

static int cmd_detach(void *arg, struct json_object *req, struct json_object *reply, char *err,
                      size_t errlen)
{
	struct mag *m = arg;
	const char *id = req_string(req, "mn_id");
	if (!id || mag_mn_detach(m, id) < 0) {
		snprintf(err, errlen, "'%s' is not attached", id ? id : "");
		return -1;
	}
	return 0;
}

static int cmd_link(void *arg, struct json_object *req, struct json_object *reply, char *err,
                    size_t errlen)
{
	struct mag *m = arg;
	const char *name = req_string(req, "iface");
	struct json_object *up;
	if (!name || !json_object_object_get_ex(req, "up", &up) ||
	    !json_object_is_type(up, json_type_boolean)) {
		snprintf(err, errlen, "link needs \"iface\" and a boolean \"up\"");
		return -1;
	}
	if (mag_link(m, name, json_object_get_boolean(up)) < 0) {
		snprintf(err, errlen, "no WAN path '%s'", name);
		return -1;
	}
	return 0;
}

static int cmd_show_bindings(void *arg, struct json_object *req, struct json_object *reply,
                             char *err, size_t errlen)
{
	struct mag *m = arg;
	role_show_bindings(&m->rc, &m->bul, lmaa(m), req, reply);
	json_object_object_add(reply, "lma_multipath",
	                       m->lma_mp < 0 ? NULL : json_object_new_boolean(m->lma_mp));
	return 0;
}

static int cmd_show_counters(void *arg, struct json_object *req, struct json_object *reply,
                             char *err, size_t errlen)
{
	struct mag *m = arg;
	struct json_object *c = role_counters_json(counter_names, m->ctr, MAG_NCOUNTERS, &m->bul);
	json_object_object_add(reply, "counters", c);
	return 0;
}

static const struct ctl_cmd mag_commands[] = {
    {"attach", cmd_attach},
    {"detach", cmd_detach},
    {"link", cmd_link},
    {"show-bindings", cmd_show_bindings},
    {"show-counters", cmd_show_counters},
    {NULL, NULL},
};

const struct dmm_role_ops dmm_role_mag = {
    .name = "mag",
    .keywords = mag_keywords,
    .init = mag_init,
    .check = mag_check,
    .start = mag_start,
    .commands = mag_commands,
    .stop = mag_stop,
    .free = mag_free,
};

struct bcache *mag_bul(struct mag *m)
{
	return &m->bul;
}

uint64_t mag_counter(const struct mag *m, const char *name)
{
	return role_counter(counter_names, m->ctr, MAG_NCOUNTERS, name);
}

void mag_set_prefix_cb(struct mag *m, mag_prefix_cb cb, void *arg)
{
	m->prefix_cb = cb;
	m->prefix_arg = arg;
}

void mag_set_send_hook(struct mag *m, mag_send_hook hook, void *arg)
{
	m->send_hook = hook;
	m->send_arg = arg;
}
