/* Daemon roles as modules (RFC 5213 LMA/MAG, RFC 8278 multipath): the role table, the
 * configuration shared by every role, RFC 4285 signing and verification, the MH socket. */
#ifndef DMM_ROLE_H
#define DMM_ROLE_H

#include "bcache.h"
#include "conf.h"
#include "ctl.h"
#include "mh.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ev_loop;
struct dp;

#define ROLE_NAME_MAX 32
#define ROLE_PEER_MAX_ADDR 8
#define ROLE_MAX_PEERS 64
#define ROLE_DEFAULT_CTL "/run/dmmd.sock"

/* The daemon core every role runs in. */
struct dmmd {
	struct ev_loop *loop;
	struct ctl *ctl; /* NULL in unit tests: events are not built */
	const struct conf *conf;
	const struct dmm_role_ops *role;
	char ctl_path[108];
	int log_level;     /* enum dlog_level */
	int log_level_set; /* -d or log-level given */
};

/* A role: its configuration keywords, life cycle and control commands.
 * The role's state begins with a struct role_common (see below). */
struct dmm_role_ops {
	const char *name;
	const struct conf_kw *keywords;
	/* State with defaults, before the configuration is applied. */
	void *(*init)(struct dmmd *d);
	/* After the configuration: cross-keyword checks (dmmd -n stops here). */
	int (*check)(void *st, char *err, size_t errlen);
	/* Open sockets, data plane, arm timers. */
	int (*start)(void *st, char *err, size_t errlen);
	const struct ctl_cmd *commands;
	/* Clean shutdown: de-register, remove tunnels and routes, close sockets. */
	void (*stop)(void *st);
	void (*free)(void *st);
};

extern const struct dmm_role_ops dmm_role_lma;
extern const struct dmm_role_ops dmm_role_mag;
const struct dmm_role_ops *dmm_role_find(const char *name);

/* Peer of the signaling: a MAG for the LMA, the LMA for a MAG. */
struct role_peer {
	char name[ROLE_NAME_MAX];
	uint8_t addr[ROLE_PEER_MAX_ADDR][16];
	unsigned naddr;
	uint32_t spi;
	uint8_t key[64];
	size_t keylen;
	int proxy_reg; /* LMA: may register (RFC 5213 §5.3.1 step 6) */
};

enum role_dp_kind {
	ROLE_DP_AUTO = 0,
	ROLE_DP_TUN,
	ROLE_DP_IP6TNL,
	ROLE_DP_NONE,
};

/* Configuration and state shared by the roles; first member of every role's state. */
struct role_common {
	struct dmmd *d;
	int auth;              /* RFC 4285 option required and sent */
	unsigned ts_window_ms; /* RFC 5213 §5.5 TimestampValidityWindow */
	int dp_kind;           /* enum role_dp_kind */
	char tun_name[16];
	char policy[256]; /* dp_policy_parse text; "" = flow */
	struct role_peer peers[ROLE_MAX_PEERS];
	unsigned npeers;
	int mh_fd;              /* raw IPv6 socket, protocol 135 */
	struct dp *dp;          /* data plane, NULL when none */
	void *dp_policy;        /* parsed policy (struct dp_policy) */
	const char *tun_prefix; /* tunnel names: prefix + number */
	unsigned tun_seq;
	uint32_t tun_refs[256]; /* bindings using each tunnel id */
};

/* Core keywords (role, log-level, control-socket) on struct dmmd, and the keywords every role
 * shares (auth, peer, dataplane, ...) on struct role_common. */
extern const struct conf_kw dmmd_core_keywords[];
extern const struct conf_kw role_common_keywords[];

/* Create the role named by cf's `role` statement, apply cf, run its checks.
 * Returns the state, or NULL with "file:line: why" in err. */
void *role_setup(struct dmmd *d, const struct conf *cf, char *err, size_t errlen);

/* ---- Peers and RFC 4285 ---- */
const struct role_peer *role_peer_by_spi(const struct role_common *rc, uint32_t spi);
const struct role_peer *role_peer_by_addr(const struct role_common *rc, const uint8_t addr[16]);
int role_peer_has_addr(const struct role_peer *p, const uint8_t addr[16]);

/* Verify a received MH: checksum over src/dst, parse into m, and with auth on the RFC 4285
 * option (last option, known SPI, HMAC over coa/hoa). Returns 0 with *peer set (NULL when
 * auth is off), or -1 with *why set ("checksum", "malformed", "auth ..."). */
int role_mh_verify(const struct role_common *rc, const uint8_t *mh, size_t len, const uint8_t *src,
                   const uint8_t *dst, const uint8_t *coa, const uint8_t *hoa, struct mh_msg *m,
                   const struct role_peer **peer, const char **why);

/* Encode m into out (auth option appended with peer's SPI when auth is on), sign it over
 * coa/hoa and set the checksum over src/dst. Returns the length or -1. */
int role_mh_build(const struct role_common *rc, struct mh_msg *m, const struct role_peer *peer,
                  const uint8_t *src, const uint8_t *dst, const uint8_t *coa, const uint8_t *hoa,
                  uint8_t *out, size_t cap);

/* ---- Mobility Header socket ---- */
/* Open the raw socket and watch it with cb. Returns 0 or -1 with err. */
int role_mh_open(struct role_common *rc, void (*cb)(int fd, uint32_t events, void *arg), void *arg,
                 char *err, size_t errlen);
/* Receive one MH: src, dst (from IPV6_PKTINFO). Returns its length, 0 when nothing is
 * waiting, -1 on error. */
ssize_t role_mh_recv(int fd, uint8_t *buf, size_t cap, uint8_t src[16], uint8_t dst[16]);
/* Send from src to dst on fd (rc->mh_fd, or a socket of role_mh_path_socket). */
int role_mh_send(int fd, const uint8_t *mh, size_t len, const uint8_t *src, const uint8_t *dst);

/* Batches of up to ROLE_MH_BATCH messages per system call (recvmmsg/sendmmsg). */
#define ROLE_MH_BATCH 64
#define ROLE_MH_MAX 2048
struct role_mh_batch;
struct role_mh_batch *role_mh_batch_new(void);
void role_mh_batch_free(struct role_mh_batch *b);
/* Receive what is waiting (up to a batch): count, 0 when nothing, -1 on error. */
int role_mh_recv_batch(int fd, struct role_mh_batch *b);
/* Message i of the last receive, with its source and destination addresses. */
const uint8_t *role_mh_batch_get(struct role_mh_batch *b, unsigned i, size_t *len, uint8_t src[16],
                                 uint8_t dst[16]);
/* The buffer of the next message to send (fewer than ROLE_MH_BATCH queued), then commit it. */
uint8_t *role_mh_batch_out(struct role_mh_batch *b, size_t *cap);
void role_mh_batch_commit(struct role_mh_batch *b, size_t len, const uint8_t *src,
                          const uint8_t *dst);
/* Send the queued messages; returns how many could not be sent. */
int role_mh_batch_flush(int fd, struct role_mh_batch *b);
/* A send-only MH socket bound to interface ifname, so that a path's signaling leaves through
 * its own interface whatever the routing table prefers. -1 with err set on failure. */
int role_mh_path_socket(const char *ifname, char *err, size_t errlen);
void role_mh_close(struct role_common *rc);

/* ---- Data plane (lib/dataplane.h) behind one small interface ---- */
int role_dp_open(struct role_common *rc, char *err, size_t errlen);
void role_dp_close(struct role_common *rc);
/* The tunnel local->remote (shared by every binding over that path, reference counted);
 * returns its id, or -1 without a data plane or on failure. */
int role_tunnel_ref(struct role_common *rc, const uint8_t local[16], const uint8_t remote[16],
                    uint8_t if_label);
void role_tunnel_unref(struct role_common *rc, int id);
int role_tunnel_set_up(struct role_common *rc, int id, int up);
/* Route e's HNPs (dir 0: to the prefix, LMA; 1: from it, MAG) over the tunnels of its active
 * bindings; without any (or with remove set) the routes are deleted. */
void role_routes_sync(struct role_common *rc, const struct bc_entry *e, int dir, int remove);

/* On-link routes of e's HNPs on the access interface ifname (MAG), added or removed. */
void role_onlink_sync(struct role_common *rc, const struct bc_entry *e, const char *ifname,
                      int add);

/* show-tunnels and show-config, for every role (arg: struct role_common). */
extern const struct ctl_cmd role_common_commands[];
/* Whether event name is wanted (a subscriber, or the log level shows it): emitters skip
 * building events nobody reads. role_event sends and logs it; fields is consumed. */
int role_event_wanted(const struct role_common *rc, const char *name);
void role_event(const struct role_common *rc, const char *name, struct json_object *fields);
/* A "drop" event with the sender and the reason. */
void role_drop_event(const struct role_common *rc, const uint8_t *src, const char *reason);
/* Common fields of a signaling event: mn_id, bid, pcoa (when non-NULL), seq, status (when
 * >= 0). */
struct json_object *role_event_fields(const uint8_t *id, size_t idlen, int bid, const uint8_t *pcoa,
                                      int seq, int status);

/* show-bindings: one object per binding (filtered by the request's "mn_id" if present). */
struct json_object *role_binding_json(const struct role_common *rc, const struct bc_binding *b,
                                      const uint8_t lmaa[16]);
void role_show_bindings(const struct role_common *rc, const struct bcache *bc,
                        const uint8_t lmaa[16], struct json_object *req, struct json_object *reply);

/* Counter tables: a role lists its counters once, X(name) per counter, and gets the enum
 * (C_name) and the names from ROLE_COUNTER_ENUM / ROLE_COUNTER_NAME. */
#define ROLE_COUNTER_ENUM(n) C_##n,
#define ROLE_COUNTER_NAME(n) #n,
/* {"counters":{...}} with the role's counters, the node and binding totals of bc. */
struct json_object *role_counters_json(const char *const *names, const uint64_t *vals, unsigned n,
                                       const struct bcache *bc);
/* Counter by name from parallel arrays; 0 for unknown names. */
uint64_t role_counter(const char *const *names, const uint64_t *vals, unsigned n, const char *name);

/* ---- Helpers ---- */
/* RFC 5213 §8.8 timestamp (48-bit seconds since 1970, 16-bit 1/65536 s) from wall ms. */
uint64_t role_timestamp(uint64_t wall_ms);
uint64_t role_timestamp_to_ms(uint64_t ts);
/* "p/len" text of a prefix, "addr" text of an address. */
void role_fmt_prefix(const uint8_t *p, uint8_t plen, char *buf, size_t len);
void role_fmt_addr(const uint8_t *a, char *buf, size_t len);
/* An MN-ID option value (NAI subtype 1) as printable text (non-printable octets as '?'). */
void role_fmt_id(const uint8_t *id, size_t len, char *buf, size_t buflen);

#endif
