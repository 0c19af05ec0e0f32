/* Kernel RFC 2473 tunnels: ip6tnl links, weighted multipath routes and RFC 8278 §4.1 label rules
 * (policy routing by protocol and port) through rtnetlink. */
#include "dataplane.h"

#include <net/if.h> /* before the linux/ headers (libc-compat) */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/ip6_tunnel.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Realization of a route r (kernel forwarding is per flow: "packet W:W" becomes
 * weighted multipath, hashed per flow by the kernel):
 *   slot 0         TO: prefix in the main table; FROM: ::/0 in table(r, 0)
 *                  selected by "from prefix" -- over every up tunnel, weighted;
 *   slot 1 + i*L+j label j of rule i: table(r, slot) holds the route over the
 *                  up tunnels with that label, selected by a rule matching the
 *                  prefix, the protocol and the ports (source or destination).
 *                  A table without a route lets the lookup fall through to the
 *                  next label: the fallback of RFC 8278 §4.1.
 * "strict" rules are not realized (the kernel falls back to slot 0).
 */

#define SLOTS_PER_ROUTE 64 /* > 1 + DP_POLICY_MAX_RULES * DP_RULE_MAX_LABELS */

struct installed_rule {
	int route;
	struct dp_rtnl_rule rule;
};

struct ip6tnl_backend {
	struct dp *dp;
	struct dp_rtnl rtnl;
	int *ifindex; /* tunnel id -> link */
	unsigned n_ifindex;
	struct installed_rule *rules;
	unsigned n_rules;
};

static uint32_t slot_table(const struct dp *dp, int route, unsigned slot)
{
	return dp_options(dp)->table + 1 + (uint32_t)route * SLOTS_PER_ROUTE + slot;
}

static int link_create(struct dp_rtnl *r, const char *name, const struct in6_addr *local,
                       const struct in6_addr *remote, uint8_t hop_limit, unsigned mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "ip6tnl");
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put(nlh, IFLA_IPTUN_LOCAL, 16, local);
	mnl_attr_put(nlh, IFLA_IPTUN_REMOTE, 16, remote);
	mnl_attr_put_u8(nlh, IFLA_IPTUN_TTL, hop_limit);
	mnl_attr_put_u32(nlh, IFLA_IPTUN_FLAGS, IP6_TNL_F_IGN_ENCAP_LIMIT);
	mnl_attr_put_u8(nlh, IFLA_IPTUN_PROTO, 0); /* any: IPv6 and IPv4 inner packets */
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return dp_rtnl_request(r, nlh);
}

/* Can this kernel create an ip6tnl link? Creates and deletes a probe link. */
static int ip6tnl_probe(char *err, size_t errlen)
{
	struct dp_rtnl r;
	char dummy[1];
	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	if (dp_rtnl_open(&r, 0)) {
		snprintf(err, errlen, "ip6tnl: rtnetlink: %s", strerror(errno));
		return -1;
	}
	static const char probe_name[] = "dmm6probe0";
	struct in6_addr any = IN6ADDR_ANY_INIT, remote = IN6ADDR_LOOPBACK_INIT;
	int rc = link_create(&r, probe_name, &any, &remote, 64, 0);
	if (rc < 0 && rc != -EEXIST) {
		snprintf(err, errlen, "ip6tnl: unsupported by this kernel (%s)", strerror(-rc));
		dp_rtnl_close(&r);
		errno = EOPNOTSUPP;
		return -1;
	}
	int ifindex = (int)if_nametoindex(probe_name);
	if (ifindex)
		dp_rtnl_link_del(&r, ifindex);
	dp_rtnl_close(&r);
	return 0;
}

static void *ip6tnl_init(struct dp *dp, struct ev_loop *loop, const struct dp_options *opt,
                         char *err, size_t errlen)
{
	struct ip6tnl_backend *be = calloc(1, sizeof(*be));
	if (!be || dp_rtnl_open(&be->rtnl, 0)) {
		snprintf(err, errlen, "ip6tnl: %s", strerror(errno));
		free(be);
		return NULL;
	}
	be->dp = dp;
	return be;
}

static int ip6tnl_tunnel_add(void *arg, int id)
{
	struct ip6tnl_backend *be = arg;
	struct dp_tunnel_view tv;
	if (dp_tunnel_get(be->dp, id, &tv) ||
	    dp_grow((void **)&be->ifindex, &be->n_ifindex, (unsigned)id + 1, sizeof(int), 0))
		return -1;
	const struct dp_options *opt = dp_options(be->dp);
	int rc = link_create(&be->rtnl, tv.name, tv.local, tv.remote, opt->hop_limit, opt->mtu);
	int ifindex = rc < 0 ? 0 : (int)if_nametoindex(tv.name);
	if (ifindex)
		rc = dp_rtnl_link_set(&be->rtnl, ifindex, true, 0, 0);
	if (rc < 0 || !ifindex) {
		errno = rc < 0 ? -rc : ENODEV;
		return -1;
	}
	be->ifindex[id] = ifindex;
	return 0;
}

static void ip6tnl_tunnel_del(void *arg, int id)
{
	struct ip6tnl_backend *be = arg;
	if ((unsigned)id < be->n_ifindex && be->ifindex[id]) {
		dp_rtnl_link_del(&be->rtnl, be->ifindex[id]);
		be->ifindex[id] = 0;
	}
}

/* A failed path is a down link: the kernel skips its next hops. */
static int ip6tnl_tunnel_set_up(void *arg, int id, bool up)
{
	struct ip6tnl_backend *be = arg;
	int rc = dp_rtnl_link_set(&be->rtnl, be->ifindex[id], up, 0, 0);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

/* Next hops of route v over its up tunnels, optionally only those with label. */
static unsigned nexthops(const struct ip6tnl_backend *be, const struct dp_route_view *v, int label,
                         struct dp_nexthop *nh)
{
	unsigned n = 0;
	for (unsigned i = 0; i < v->n; i++) {
		struct dp_tunnel_view tv;
		if (dp_tunnel_get(be->dp, v->tunnels[i], &tv) || !tv.up ||
		    (label >= 0 && tv.if_label != label))
			continue;
		uint16_t w = i < v->policy.n_weights ? v->policy.weights[i] : tv.weight;
		nh[n++] = (struct dp_nexthop){be->ifindex[v->tunnels[i]], w > 256 ? 256 : w};
	}
	return n;
}

/* Install or withdraw the route of one slot. */
static int slot_route(struct ip6tnl_backend *be, int route, const struct dp_route_view *v,
                      unsigned slot, int label)
{
	static const uint8_t any[16];
	struct dp_nexthop nh[DP_ROUTE_MAX_PATHS];
	unsigned n = nexthops(be, v, label, nh);
	bool to = v->dir == DP_ROUTE_TO;
	uint32_t table = to && slot == 0 ? RT_TABLE_MAIN : slot_table(be->dp, route, slot);
	const uint8_t *dst = to ? v->prefix : any;
	uint8_t plen = to ? v->plen : 0;
	if (!n) {
		dp_rtnl_route(&be->rtnl, false, v->family, dst, plen, table, NULL, 0);
		return 0;
	}
	int rc = dp_rtnl_route(&be->rtnl, true, v->family, dst, plen, table, nh, n);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

static int add_rule(struct ip6tnl_backend *be, int route, const struct dp_rtnl_rule *rule)
{
	struct installed_rule *p = realloc(be->rules, sizeof(*p) * (be->n_rules + 1));
	if (!p)
		return -1;
	be->rules = p;
	int rc = dp_rtnl_rule(&be->rtnl, true, rule);
	if (rc < 0 && rc != -EEXIST) {
		errno = -rc;
		return -1;
	}
	p[be->n_rules++] = (struct installed_rule){route, *rule};
	return 0;
}

static void del_rules(struct ip6tnl_backend *be, int route)
{
	for (unsigned i = 0; i < be->n_rules;) {
		if (be->rules[i].route != route) {
			i++;
			continue;
		}
		dp_rtnl_rule(&be->rtnl, false, &be->rules[i].rule);
		be->rules[i] = be->rules[--be->n_rules];
	}
}

static int label_rules(struct ip6tnl_backend *be, int route, const struct dp_route_view *v,
                       struct dp_rtnl_rule base)
{
	for (unsigned i = 0; i < v->policy.n_rules; i++) {
		const struct dp_rule *pr = &v->policy.rules[i];
		for (unsigned j = 0; j < pr->n_labels; j++) {
			unsigned slot = 1 + i * DP_RULE_MAX_LABELS + j;
			if (slot_route(be, route, v, slot, pr->labels[j]))
				return -1;
			struct dp_rtnl_rule rule = base;
			rule.proto = pr->proto;
			rule.table = slot_table(be->dp, route, slot);
			rule.priority = base.priority + slot;
			unsigned nports = pr->n_ports ? pr->n_ports : 1;
			for (unsigned k = 0; k < nports; k++)
				for (int sport = 0; sport < (pr->n_ports ? 2 : 1); sport++) {
					rule.ports = pr->n_ports ? pr->ports[k]
					                         : (struct dp_port_range){0, 0};
					rule.sport = sport;
					if (add_rule(be, route, &rule))
						return -1;
				}
		}
	}
	return 0;
}

static int ip6tnl_route_add(void *arg, int route)
{
	struct ip6tnl_backend *be = arg;
	struct dp_route_view v;
	if (dp_route_get(be->dp, route, &v))
		return -1;
	del_rules(be, route);
	struct dp_rtnl_rule base = {.family = v.family,
	                            .match_dst = v.dir == DP_ROUTE_TO,
	                            .plen = v.plen,
	                            .proto = -1,
	                            .priority = dp_options(be->dp)->rule_priority};
	memcpy(base.prefix, v.prefix, sizeof(base.prefix));
	if (slot_route(be, route, &v, 0, -1) || label_rules(be, route, &v, base))
		return -1;
	if (v.dir == DP_ROUTE_FROM) {
		struct dp_rtnl_rule rule = base;
		rule.table = slot_table(be->dp, route, 0);
		rule.priority = base.priority + SLOTS_PER_ROUTE;
		return add_rule(be, route, &rule);
	}
	return 0;
}

static void ip6tnl_route_del(void *arg, int route)
{
	struct ip6tnl_backend *be = arg;
	struct dp_route_view v;
	if (dp_route_get(be->dp, route, &v))
		return;
	del_rules(be, route);
	v.n = 0; /* no next hops: every slot's route is withdrawn */
	for (unsigned slot = 0; slot < 1 + DP_POLICY_MAX_RULES * DP_RULE_MAX_LABELS; slot++)
		slot_route(be, route, &v, slot, -1);
}

struct stats_req {
	struct dp_counters *c;
	bool found;
};

static int stats_attr(const struct nlattr *attr, void *data)
{
	struct stats_req *req = data;
	if (mnl_attr_get_type(attr) == IFLA_STATS64 &&
	    mnl_attr_get_payload_len(attr) >= sizeof(struct rtnl_link_stats64)) {
		struct rtnl_link_stats64 s;
		memcpy(&s, mnl_attr_get_payload(attr), sizeof(s));
		req->c->tx_packets = s.tx_packets;
		req->c->tx_bytes = s.tx_bytes;
		req->c->rx_packets = s.rx_packets;
		req->c->rx_bytes = s.rx_bytes;
		req->c->tx_errors = s.tx_errors + s.tx_dropped;
		req->found = true;
	}
	return MNL_CB_OK;
}

static int stats_msg(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct ifinfomsg), stats_attr, data);
}

/* Kernel link statistics are the tunnel counters. */
static int ip6tnl_counters(void *arg, int id, struct dp_counters *c)
{
	struct ip6tnl_backend *be = arg;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = ++be->rtnl.seq;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = be->ifindex[id];
	if (mnl_socket_sendto(be->rtnl.nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	struct stats_req req = {c, false};
	ssize_t n = mnl_socket_recvfrom(be->rtnl.nl, buf, sizeof(buf));
	if (n < 0 || mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, be->rtnl.portid, stats_msg, &req) <
	                 MNL_CB_STOP)
		return -1;
	return req.found ? 0 : -1;
}

static void ip6tnl_shutdown(void *arg)
{
	struct ip6tnl_backend *be = arg;
	while (be->n_rules)
		del_rules(be, be->rules[0].route);
	dp_rtnl_close(&be->rtnl);
	free(be->ifindex);
	free(be->rules);
	free(be);
}

const struct dp_backend_ops dp_backend_ip6tnl = {
    .name = "ip6tnl",
    .probe = ip6tnl_probe,
    .init = ip6tnl_init,
    .tunnel_add = ip6tnl_tunnel_add,
    .tunnel_del = ip6tnl_tunnel_del,
    .tunnel_set_up = ip6tnl_tunnel_set_up,
    .route_add = ip6tnl_route_add,
    .route_del = ip6tnl_route_del,
    .counters = ip6tnl_counters,
    .shutdown = ip6tnl_shutdown,
};
