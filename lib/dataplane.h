/* Data plane: IPv6-in-IPv6 tunnels (RFC 2473), RFC 8278 §4.1 label policy and weighted multipath.
 */
#ifndef DMM_DATAPLANE_H
#define DMM_DATAPLANE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ev_loop;

/*
 * Model
 * -----
 * A tunnel is one path: an RFC 2473 IPv6-in-IPv6 tunnel between a local and a
 * remote IPv6 address (proxy CoA <-> LMAA), tagged with the RFC 8278 interface
 * label of its WAN interface and a weight. A route binds a mobile node's prefix
 * to a set of tunnels (one per path) and a distribution policy:
 *
 *   DP_ROUTE_TO    packets *to* the prefix go into the tunnels (LMA: the HNP);
 *   DP_ROUTE_FROM  packets *from* the prefix go into the tunnels (MAG: uplink of
 *                  the mobile node; installed as a source rule + a table whose
 *                  default route points into the data plane).
 *
 * Packets leaving a tunnel are accepted only when a route holding that tunnel
 * covers them (TO: inner source in the prefix; FROM: inner destination in it),
 * otherwise they are dropped and counted (stats.rx_not_bound).
 *
 * Policy text syntax (dp_policy_parse), case-insensitive, ';' separates parts:
 *
 *   POLICY := MODE { ";" RULE }
 *   MODE   := "flow"                         per flow: 5-tuple hash over the up paths
 *           | "packet" [ W { ":" W } ]       per packet: weighted n:m round robin
 *   RULE   := MATCH "->" "label" L { "," L } [ "strict" ]
 *   MATCH  := ( "tcp" | "udp" | "icmp6" | "icmp" | "any" | PROTO-NUMBER ) [ "port" PORTS ]
 *   PORTS  := P [ "-" P ] { "," P [ "-" P ] }   (a port matches source OR destination)
 *
 * - Rules are tried in order; the first whose protocol and ports match the
 *   packet chooses the path: the first label L (preference order) that has an
 *   up tunnel in the route wins; several up tunnels with that label share the
 *   flows by hash. If none of the labels has an up tunnel the packet falls back
 *   to the MODE distribution, or is dropped when the rule says "strict".
 * - "packet 3:1" gives weights in the order of the route's tunnel list; without
 *   weights the tunnels' own weights are used. Smooth weighted round robin: over
 *   any window of sum(W) packets each up path gets exactly its share.
 * - "flow" hashes the 5-tuple (addresses, protocol, ports; ICMPv6 echo id as
 *   port) with weighted rendezvous hashing: a flow keeps its path while that
 *   path is up; when a path goes down only its flows move, spread over the
 *   surviving paths by weight, and they come back when it is up again.
 * - A path that is down (dp_tunnel_set_up(id, false)) is never chosen.
 *
 * Examples:
 *   "flow"                                      per-flow hashing
 *   "flow; tcp port 80,443 -> label 9,11"       RFC 8278 §4.1: HTTP over label 9,
 *                                               falling back to label 11
 *   "packet 3:1"                                per-packet 3:1 over tunnels [0],[1]
 *   "packet; udp port 5000-5999 -> label 11 strict"
 */

enum {
	DP_NAME_MAX = 16,        /* tunnel name incl. NUL (an interface name for ip6tnl) */
	DP_MAX_TUNNELS = 256,    /* tunnels per data plane */
	DP_ROUTE_MAX_PATHS = 8,  /* tunnels per route */
	DP_POLICY_MAX_RULES = 8, /* label rules per policy */
	DP_RULE_MAX_LABELS = 4,  /* labels per rule (preference order) */
	DP_RULE_MAX_PORTS = 8,   /* port ranges per rule */
	DP_POLICY_TEXT_MAX = 256,
};

enum dp_mode {
	DP_MODE_FLOW = 0,   /* per flow, weighted rendezvous hash of the 5-tuple */
	DP_MODE_PACKET = 1, /* per packet, smooth weighted round robin */
};

struct dp_port_range {
	uint16_t lo, hi;
};

struct dp_rule {
	int16_t proto; /* IP protocol number; -1 = any */
	uint8_t n_ports;
	struct dp_port_range ports[DP_RULE_MAX_PORTS]; /* empty = any port */
	uint8_t n_labels;
	uint8_t labels[DP_RULE_MAX_LABELS]; /* RFC 8278 If-Label values, preferred first */
	bool strict;                        /* drop rather than fall back to the mode */
};

struct dp_policy {
	enum dp_mode mode;
	uint8_t n_weights;
	uint16_t weights[DP_ROUTE_MAX_PATHS]; /* "packet W:W"; 0 entries = the tunnels' weights */
	uint8_t n_rules;
	struct dp_rule rules[DP_POLICY_MAX_RULES];
};

/* Parse the text syntax above. Returns 0, or -1 with err set ("invalid: why"). */
int dp_policy_parse(const char *text, struct dp_policy *pol, char *err, size_t errlen);
/* Canonical text of a policy (parses back to the same policy). Returns the length. */
int dp_policy_format(const struct dp_policy *pol, char *buf, size_t len);

/* ---- Classification and path selection (pure functions, no I/O) ---- */

/* The 5-tuple of an inner packet. Addresses of IPv4 packets are IPv4-mapped. */
struct dp_flow {
	uint8_t family; /* AF_INET6 or AF_INET */
	uint8_t proto;  /* upper-layer protocol after IPv6 extension headers */
	uint16_t sport, dport;
	struct in6_addr src, dst;
};

/* Classify an IPv6 or IPv4 packet (by its version nibble). IPv6 extension
 * headers are walked (bounded); non-first fragments carry no ports. Returns 0,
 * or -1 with *why set ("truncated", "invalid: ...") for a malformed packet. */
int dp_flow_classify(const uint8_t *pkt, size_t len, struct dp_flow *flow, const char **why);
uint32_t dp_flow_hash(const struct dp_flow *flow);

/* What path selection knows about one tunnel of a route. */
struct dp_path {
	uint8_t if_label;
	uint16_t weight; /* 0 counts as 1 */
	bool up;
};

/* Per-route state of the per-packet round robin. */
struct dp_wrr {
	int32_t current[DP_ROUTE_MAX_PATHS];
};

/* Choose the path (index into paths[0..n)) for one packet of flow; -1 when no
 * path may carry it (all down, or a strict rule without an up label). wrr is
 * updated in DP_MODE_PACKET (and may be NULL in DP_MODE_FLOW). */
int dp_select_path(const struct dp_policy *pol, const struct dp_path *paths, unsigned n,
                   const struct dp_flow *flow, struct dp_wrr *wrr);

/* ---- The data plane ---- */

enum dp_backend_kind {
	DP_BACKEND_AUTO = 0, /* ip6tnl when the kernel can create one, else tun. ip6tnl forwards
	                      * in the kernel: "packet W:W" becomes per-flow weighted multipath
	                      * and "strict" rules fall back like the others */
	DP_BACKEND_TUN,      /* userspace: TUN device + raw IPv6 sockets (protocol 41 and 4) */
	DP_BACKEND_IP6TNL,   /* kernel ip6tnl links, multipath routes and rules via rtnetlink */
};

struct dp_backend_ops;

struct dp_options {
	enum dp_backend_kind backend;
	const char *tun_name;   /* tun backend: device name; NULL = "dmmtun0" */
	unsigned mtu;           /* inner MTU of the tunnel devices; 0 = 1460 */
	uint32_t table;         /* routing table for DP_ROUTE_FROM (ip6tnl: base of label
	                         * tables); 0 = 4470 */
	uint32_t rule_priority; /* priority of the source rules; 0 = 4470 */
	uint8_t hop_limit;      /* outer hop limit (RFC 2473 §6.3); 0 = 64 */
	const struct dp_backend_ops *custom; /* overrides backend (another backend, a test
	                                      * double); not probed */
};

struct dp_counters {
	uint64_t tx_packets, tx_bytes; /* inner packets/octets sent into the tunnel */
	uint64_t rx_packets, rx_bytes; /* inner packets/octets received from it */
	uint64_t tx_errors;            /* send failures */
};

/* Data-plane wide drops. */
struct dp_stats {
	uint64_t no_route;     /* packet read from the device matched no route */
	uint64_t no_path;      /* route had no up path for it (or a strict rule) */
	uint64_t bad_packet;   /* inner packet malformed */
	uint64_t rx_unknown;   /* encapsulated packet from an unknown endpoint pair */
	uint64_t rx_not_bound; /* decapsulated packet not covered by a route of its tunnel */
};

struct dp_tunnel_info {
	int id;
	char name[DP_NAME_MAX];
	struct in6_addr local, remote;
	uint8_t if_label;
	uint16_t weight;
	bool up;
	struct dp_counters counters;
};

enum dp_route_dir {
	DP_ROUTE_TO = 0,   /* match the destination address (LMA) */
	DP_ROUTE_FROM = 1, /* match the source address (MAG) */
};

struct dp;

/* Open a data plane on loop. Returns NULL with err set on failure. With
 * DP_BACKEND_AUTO the ip6tnl probe runs first and the tun backend is used
 * when it says unsupported. */
struct dp *dp_open(struct ev_loop *loop, const struct dp_options *opt, char *err, size_t errlen);
/* Remove every route, rule and tunnel the data plane made, then free it. */
void dp_close(struct dp *dp);
const char *dp_backend_name(const struct dp *dp); /* "tun" or "ip6tnl" */

/* Add a tunnel; returns its id (>= 0), or -1 (errno: EEXIST same name or same
 * local/remote pair, ENOSPC, EINVAL). Tunnels start up. */
int dp_tunnel_add(struct dp *dp, const char *name, const struct in6_addr *local,
                  const struct in6_addr *remote, uint8_t if_label, uint16_t weight);
/* Delete a tunnel; routes that used it keep their other paths. */
int dp_tunnel_del(struct dp *dp, int id);
/* Mark a path failed (false) or restored (true); flows move at the next packet. */
int dp_tunnel_set_up(struct dp *dp, int id, bool up);
int dp_tunnel_find(const struct dp *dp, const char *name);                    /* id or -1 */
int dp_tunnel_info(const struct dp *dp, int id, struct dp_tunnel_info *info); /* 0 or -1 */
/* Iterate: first id with after = -1; returns -1 at the end. */
int dp_tunnel_next(const struct dp *dp, int after);

/* Add a route for family (AF_INET6, or AF_INET for RFC 5844 IPv4 home
 * addresses) prefix/plen over tunnels[0..n) with policy (NULL = "flow").
 * Adding a route that exists (same dir, prefix, plen) replaces its tunnel set
 * and policy. Returns 0 or -1 (errno). */
int dp_route_add(struct dp *dp, enum dp_route_dir dir, int family, const void *prefix, uint8_t plen,
                 const int *tunnels, unsigned n, const struct dp_policy *policy);
int dp_route_del(struct dp *dp, enum dp_route_dir dir, int family, const void *prefix,
                 uint8_t plen);

/* An on-link route for prefix/plen on interface ifname (the MAG's access link
 * for a mobile node's HNP), removed again by dp_onlink_route_del or dp_close. */
int dp_onlink_route_add(struct dp *dp, int family, const void *prefix, uint8_t plen,
                        const char *ifname);
int dp_onlink_route_del(struct dp *dp, int family, const void *prefix, uint8_t plen,
                        const char *ifname);

void dp_get_stats(const struct dp *dp, struct dp_stats *stats);

/* ---- Backend interface ---- */

/* A backend as the generic layer sees it. The generic layer keeps the tunnel
 * and route tables; the backend realizes them (userspace forwarding or kernel
 * objects). Tunnel and route ids are those of the generic layer. */
struct dp_backend_ops {
	const char *name;
	/* 0 when the backend can run here; -1 with errno (EOPNOTSUPP) and err set. */
	int (*probe)(char *err, size_t errlen);
	/* Create the backend's state; NULL with err set on failure. */
	void *(*init)(struct dp *dp, struct ev_loop *loop, const struct dp_options *opt, char *err,
	              size_t errlen);
	int (*tunnel_add)(void *be, int id);
	void (*tunnel_del)(void *be, int id);
	int (*tunnel_set_up)(void *be, int id, bool up);
	/* A route was added or its tunnel set/policy/path states changed. */
	int (*route_add)(void *be, int route);
	void (*route_del)(void *be, int route);
	/* Fill counters of a tunnel the backend counts itself (NULL: generic counters). */
	int (*counters)(void *be, int id, struct dp_counters *c);
	/* Remove everything and free the state. */
	void (*shutdown)(void *be);
};

extern const struct dp_backend_ops dp_backend_tun;
extern const struct dp_backend_ops dp_backend_ip6tnl;

/* ---- For backends (lib/dp_*.c) ---- */

struct dp_route_view {
	enum dp_route_dir dir;
	int family;
	uint8_t prefix[16];
	uint8_t plen;
	unsigned n;
	int tunnels[DP_ROUTE_MAX_PATHS];
	struct dp_policy policy;
};

struct dp_tunnel_view {
	const char *name;
	const struct in6_addr *local, *remote;
	uint8_t if_label;
	uint16_t weight;
	bool up;
};

int dp_route_get(const struct dp *dp, int route, struct dp_route_view *view);
int dp_tunnel_get(const struct dp *dp, int id, struct dp_tunnel_view *view);
/* Route whose prefix covers the packet in direction-agnostic lookup for
 * transmit: a DP_ROUTE_TO route matching flow->dst, else a DP_ROUTE_FROM route
 * matching flow->src (longest prefix first). Returns the route id or -1. */
int dp_route_lookup_tx(const struct dp *dp, const struct dp_flow *flow);
/* Choose the tunnel for a packet of flow on route; -1 if none (counted). */
int dp_route_pick(struct dp *dp, int route, const struct dp_flow *flow);
/* Tunnel of an encapsulated packet by its outer addresses; -1 if unknown. */
int dp_tunnel_by_endpoints(const struct dp *dp, const struct in6_addr *local,
                           const struct in6_addr *remote);
/* May the decapsulated packet flow leave tunnel id? (a route of it covers flow) */
bool dp_rx_allowed(const struct dp *dp, int id, const struct dp_flow *flow);
/* Generic counters and drop statistics, updated by userspace backends. */
struct dp_counters *dp_tunnel_counters(struct dp *dp, int id);
struct dp_stats *dp_stats_mut(struct dp *dp);
const struct dp_options *dp_options(const struct dp *dp);
struct ev_loop *dp_loop(const struct dp *dp);
/* Grow the array *arr of *n elements of elem octets to want, new octets set to fill. */
int dp_grow(void **arr, unsigned *n, unsigned want, size_t elem, int fill);

/* ---- rtnetlink requests (libmnl), shared by the backends and lib/ndp.c ---- */

struct mnl_socket;
struct nlmsghdr;

struct dp_rtnl {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
};

/* A next hop of a kernel route: an interface and a weight (1..256). */
struct dp_nexthop {
	int ifindex;
	uint16_t weight;
};

/* Open a NETLINK_ROUTE socket subscribed to groups (RTMGRP_*; 0 for requests only). */
int dp_rtnl_open(struct dp_rtnl *r, unsigned groups);
void dp_rtnl_close(struct dp_rtnl *r);
/* Send nlh with NLM_F_ACK and wait for the answer: 0 or -errno. */
int dp_rtnl_request(struct dp_rtnl *r, struct nlmsghdr *nlh);
/* Add (replace) or delete prefix/plen in table over n next hops (n > 1: RTA_MULTIPATH). */
int dp_rtnl_route(struct dp_rtnl *r, bool add, int family, const void *prefix, uint8_t plen,
                  uint32_t table, const struct dp_nexthop *nh, unsigned n);
/* A policy rule: (from|to) prefix [ipproto P] [dport|sport lo-hi] lookup table at prio. */
struct dp_rtnl_rule {
	int family;
	bool match_dst; /* prefix is the destination (else the source) */
	uint8_t prefix[16];
	uint8_t plen;
	int16_t proto;              /* -1: any */
	bool sport;                 /* the port range matches the source port (else destination) */
	struct dp_port_range ports; /* lo = hi = 0: any */
	uint32_t table, priority;
};
int dp_rtnl_rule(struct dp_rtnl *r, bool add, const struct dp_rtnl_rule *rule);
/* Set a link up or down, with an MTU and a transmit queue length when non-zero. */
int dp_rtnl_link_set(struct dp_rtnl *r, int ifindex, bool up, unsigned mtu, unsigned txqlen);
int dp_rtnl_link_del(struct dp_rtnl *r, int ifindex);

#endif
