/* MAG access link: Router Solicitation/Advertisement (RFC 4861 §4.1, §4.2, §4.6.2, §6.2.4)
 * carrying the home network prefix (RFC 5213 §6.7, §6.9.1.1), and link events (rtnetlink). */
#ifndef DMM_NDP_H
#define DMM_NDP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ev_loop;

enum {
	NDP_LL_ID_MAX = 32,   /* "aa:bb:cc:dd:ee:ff" or an interface name, with NUL */
	NDP_MAX_PREFIXES = 4, /* prefixes per Router Advertisement */
	NDP_MAX_CLIENTS = 64, /* mobile nodes per access interface */
	NDP_RA_MAX_LEN = 256,
};

/*
 * Events of an access interface:
 *   NDP_EV_ATTACH     first Router Solicitation from a link-layer id not known yet
 *                     (the mobile node attached: the MAG sends a PBU);
 *   NDP_EV_RS         a further Router Solicitation from a known node (the ndp
 *                     module already answered it when the node has prefixes);
 *   NDP_EV_DETACH     the node is gone: its link went down (every node of the
 *                     interface is reported, then forgotten) or ndp_forget;
 *   NDP_EV_LINK_UP / NDP_EV_LINK_DOWN   carrier/administrative state changes.
 */
enum ndp_event_kind {
	NDP_EV_ATTACH,
	NDP_EV_RS,
	NDP_EV_DETACH,
	NDP_EV_LINK_UP,
	NDP_EV_LINK_DOWN,
};

struct ndp_event {
	enum ndp_event_kind kind;
	const char *ifname;
	int ifindex;
	struct in6_addr src;       /* RS source address (:: when unspecified) */
	uint8_t ll_addr[8];        /* Source Link-Layer Address option, if present */
	uint8_t ll_len;            /* 0: no SLLAO */
	char ll_id[NDP_LL_ID_MAX]; /* ll_addr as "aa:bb:..", else the interface name */
};

typedef void (*ndp_event_cb)(const struct ndp_event *ev, void *arg);

/* One Prefix Information option (RFC 4861 §4.6.2). */
struct ndp_prefix {
	struct in6_addr prefix;
	uint8_t plen;                /* 64 for SLAAC */
	bool onlink, autonomous;     /* L and A flags */
	uint32_t valid_lifetime;     /* seconds; 0xffffffff = infinity */
	uint32_t preferred_lifetime; /* seconds */
};

/* Router Advertisement header fields (RFC 4861 §4.2). Zeroed = defaults. */
struct ndp_ra_config {
	uint8_t cur_hop_limit;    /* 0 = 64 */
	bool managed, other;      /* M and O flags */
	uint16_t router_lifetime; /* seconds; 0 in the struct means 1800 (use ndp_withdraw to
	                           * advertise 0) */
	uint32_t mtu;             /* MTU option when non-zero */
	uint32_t interval_ms;     /* period of unsolicited RAs to nodes with prefixes; 0 = 10000 */
};

/* Build an RA (ICMPv6 type 134, checksum left 0: the kernel fills it on raw
 * ICMPv6 sockets). src_ll (6 octets) adds a Source Link-Layer Address option
 * when non-NULL. Returns the length, or -1 if it does not fit. */
int ndp_build_ra(uint8_t *buf, size_t cap, const struct ndp_ra_config *cfg, bool withdraw,
                 const struct ndp_prefix *prefixes, unsigned n, const uint8_t *src_ll);

/* Parse an RS (ICMPv6 type 133 from its first octet). Fills src-independent
 * parts of ev (ll_addr/ll_len/ll_id; ll_id is "" without SLLAO). Returns 0, or
 * -1 with *why ("truncated", "invalid: ..."). */
int ndp_parse_rs(const uint8_t *msg, size_t len, struct ndp_event *ev, const char **why);

struct ndp_access;

/* Listen for RS on ifname (ICMPv6 raw socket, ICMP6_FILTER, all-routers group)
 * and for its link state (rtnetlink RTMGRP_LINK via libmnl). cb receives events.
 * Returns NULL with err set on failure. */
struct ndp_access *ndp_open(struct ev_loop *loop, const char *ifname,
                            const struct ndp_ra_config *cfg, ndp_event_cb cb, void *arg, char *err,
                            size_t errlen);
/* Withdraw every advertised prefix (RA with zero lifetimes) and close. */
void ndp_close(struct ndp_access *acc);

/* Set the prefixes advertised to node ll_id (its HNP after a successful PBA)
 * and send an RA now: unicast to the node's RS source when known, else to
 * all-nodes (ff02::1). The node is created if unknown (control-socket attach).
 * Later RSs from it are answered, and RAs repeat every interval_ms. Returns 0, or -1
 * when the RA could not be sent now (kept: sent as soon as the interface's link-local address
 * becomes usable, e.g. at the end of its DAD, and retried from 250 ms on, doubling). */
int ndp_advertise(struct ndp_access *acc, const char *ll_id, const struct ndp_prefix *prefixes,
                  unsigned n);
/* Send an RA with zero router and prefix lifetimes to ll_id and stop advertising to it. */
int ndp_withdraw(struct ndp_access *acc, const char *ll_id);
/* Forget ll_id (reports NDP_EV_DETACH unless quiet). */
int ndp_forget(struct ndp_access *acc, const char *ll_id, bool quiet);

int ndp_ifindex(const struct ndp_access *acc);
bool ndp_link_up(const struct ndp_access *acc);

struct ndp_counters {
	uint64_t rs_received, rs_invalid, ra_sent, ra_errors, link_events;
};
void ndp_get_counters(const struct ndp_access *acc, struct ndp_counters *c);

#endif
