/* Userspace RFC 2473 IPv6-in-IPv6 (and RFC 2473 §5 IPv4-in-IPv6) tunnels: a TUN device carries the
 * routes, raw IPv6 sockets of protocol 41/4 carry the encapsulated packets. */
#include "dataplane.h"
#include "ev.h"

#include <net/if.h> /* before the linux/ headers (libc-compat) */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define TUN_BATCH 64      /* packets handled per readiness event (bounded work) */
#define TUN_PKT_MAX 65536 /* largest inner packet */
#define TUN_TXQLEN 4096   /* packets the kernel queues for the device while the loop is busy */
#define TUN_SOCKBUF (4 << 20)

/* The raw sockets of one local tunnel address, shared by its tunnels. */
struct tun_endpoint {
	struct in6_addr local;
	int fd[2]; /* [0]: protocol 41 (IPv6 inner), [1]: protocol 4 (IPv4 inner) */
	unsigned refs;
	struct tun_backend *be;
};

struct tun_backend {
	struct dp *dp;
	struct ev_loop *loop;
	int fd;
	int ifindex;
	struct dp_rtnl rtnl;
	struct tun_endpoint **eps;
	unsigned n_eps;
	int *tunnel_ep; /* tunnel id -> endpoint index, -1 */
	unsigned n_tunnel_ep;
	bool *route_installed; /* route id -> kernel objects exist */
	unsigned n_route_installed;
	bool from_table[2]; /* default route into the device in opt.table exists (v6, v4) */
	uint8_t pkt[TUN_PKT_MAX];
};

static const uint8_t inner_proto[2] = {IPPROTO_IPV6, IPPROTO_IPIP};

static int tun_probe(char *err, size_t errlen)
{
	if (access("/dev/net/tun", R_OK | W_OK)) {
		snprintf(err ? err : (char[1]){0}, err ? errlen : 1, "tun: /dev/net/tun: %s",
		         strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- transmit: device -> tunnel ---- */

static void tun_send(struct tun_backend *be, const uint8_t *pkt, size_t len)
{
	struct dp_flow flow;
	const char *why;
	struct dp_stats *st = dp_stats_mut(be->dp);
	if (dp_flow_classify(pkt, len, &flow, &why)) {
		st->bad_packet++;
		return;
	}
	int route = dp_route_lookup_tx(be->dp, &flow);
	if (route < 0) {
		st->no_route++;
		return;
	}
	int id = dp_route_pick(be->dp, route, &flow);
	if (id < 0)
		return;
	struct dp_tunnel_view tv;
	if (dp_tunnel_get(be->dp, id, &tv) || (unsigned)id >= be->n_tunnel_ep ||
	    be->tunnel_ep[id] < 0)
		return;
	struct tun_endpoint *ep = be->eps[be->tunnel_ep[id]];
	struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_addr = *tv.remote};
	struct dp_counters *c = dp_tunnel_counters(be->dp, id);
	ssize_t n = sendto(ep->fd[flow.family == AF_INET], pkt, len, MSG_DONTWAIT,
	                   (struct sockaddr *)&to, sizeof(to));
	if (n < 0) {
		c->tx_errors++;
		return;
	}
	c->tx_packets++;
	c->tx_bytes += len;
}

static void on_tun_readable(int fd, uint32_t events, void *arg)
{
	struct tun_backend *be = arg;
	for (int i = 0; i < TUN_BATCH; i++) {
		ssize_t n = read(fd, be->pkt, sizeof(be->pkt));
		if (n <= 0)
			return;
		tun_send(be, be->pkt, (size_t)n);
	}
}

/* ---- receive: tunnel -> device ---- */

static void tun_receive(struct tun_endpoint *ep, int fd)
{
	struct tun_backend *be = ep->be;
	struct dp_stats *st = dp_stats_mut(be->dp);
	for (int i = 0; i < TUN_BATCH; i++) {
		struct sockaddr_in6 from;
		struct iovec iov = {be->pkt, sizeof(be->pkt)};
		struct msghdr msg = {.msg_name = &from,
		                     .msg_namelen = sizeof(from),
		                     .msg_iov = &iov,
		                     .msg_iovlen = 1};
		ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (n <= 0)
			return;
		int id = dp_tunnel_by_endpoints(be->dp, &ep->local, &from.sin6_addr);
		if (id < 0) {
			st->rx_unknown++;
			continue;
		}
		struct dp_flow flow;
		const char *why;
		if (dp_flow_classify(be->pkt, (size_t)n, &flow, &why) ||
		    flow.family != (fd == ep->fd[1] ? AF_INET : AF_INET6)) {
			st->bad_packet++;
			continue;
		}
		if (!dp_rx_allowed(be->dp, id, &flow)) {
			st->rx_not_bound++;
			continue;
		}
		struct dp_counters *c = dp_tunnel_counters(be->dp, id);
		if (write(be->fd, be->pkt, (size_t)n) != n) {
			c->tx_errors++;
			continue;
		}
		c->rx_packets++;
		c->rx_bytes += (uint64_t)n;
	}
}

static void on_raw6_readable(int fd, uint32_t events, void *arg)
{
	tun_receive(arg, fd);
}

/* ---- endpoints ---- */

static int open_raw(const struct in6_addr *local, uint8_t proto, uint8_t hop_limit)
{
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -1;
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = *local};
	int hops = hop_limit;
	int pmtu = IPV6_PMTUDISC_DONT; /* RFC 2473 §7.1: the entry point may fragment */
	int buf = TUN_SOCKBUF;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu, sizeof(pmtu))) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	/* past rmem_max/wmem_max when privileged, else as large as allowed */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	return fd;
}

static void endpoint_free(struct tun_backend *be, struct tun_endpoint *ep)
{
	for (int k = 0; k < 2; k++)
		if (ep->fd[k] >= 0) {
			ev_fd_del(be->loop, ep->fd[k]);
			close(ep->fd[k]);
		}
	free(ep);
}

static int endpoint_get(struct tun_backend *be, const struct in6_addr *local)
{
	for (unsigned i = 0; i < be->n_eps; i++)
		if (be->eps[i] && IN6_ARE_ADDR_EQUAL(&be->eps[i]->local, local)) {
			be->eps[i]->refs++;
			return (int)i;
		}
	unsigned slot = 0;
	while (slot < be->n_eps && be->eps[slot])
		slot++;
	if (dp_grow((void **)&be->eps, &be->n_eps, slot + 1, sizeof(*be->eps), 0))
		return -1;
	struct tun_endpoint *ep = calloc(1, sizeof(*ep));
	if (!ep)
		return -1;
	ep->local = *local;
	ep->refs = 1;
	ep->be = be;
	ep->fd[0] = ep->fd[1] = -1;
	for (int k = 0; k < 2; k++) {
		ep->fd[k] = open_raw(local, inner_proto[k], dp_options(be->dp)->hop_limit);
		if (ep->fd[k] < 0 ||
		    ev_fd_add(be->loop, ep->fd[k], EPOLLIN, on_raw6_readable, ep)) {
			int e = errno;
			endpoint_free(be, ep);
			errno = e;
			return -1;
		}
	}
	be->eps[slot] = ep;
	return (int)slot;
}

static void endpoint_put(struct tun_backend *be, int idx)
{
	struct tun_endpoint *ep = be->eps[idx];
	if (--ep->refs == 0) {
		endpoint_free(be, ep);
		be->eps[idx] = NULL;
	}
}

/* ---- backend ops ---- */

/* No IPv6 link-local address on the device: it carries routed packets only, and so sends
 * no router solicitations or MLD reports of its own into the data plane. */
static int no_link_local(struct dp_rtnl *r, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	struct nlattr *spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	struct nlattr *inet6 = mnl_attr_nest_start(nlh, AF_INET6);
	mnl_attr_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	mnl_attr_nest_end(nlh, inet6);
	mnl_attr_nest_end(nlh, spec);
	return dp_rtnl_request(r, nlh);
}

static void *tun_init(struct dp *dp, struct ev_loop *loop, const struct dp_options *opt, char *err,
                      size_t errlen)
{
	struct tun_backend *be = calloc(1, sizeof(*be));
	if (!be) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	be->dp = dp;
	be->loop = loop;
	be->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	struct ifreq ifr = {.ifr_flags = IFF_TUN | IFF_NO_PI};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", opt->tun_name);
	const char *step = "open /dev/net/tun";
	if (be->fd < 0)
		goto fail;
	step = "TUNSETIFF";
	if (ioctl(be->fd, TUNSETIFF, &ifr))
		goto fail;
	step = "rtnetlink";
	if (dp_rtnl_open(&be->rtnl, 0))
		goto fail;
	be->ifindex = (int)if_nametoindex(ifr.ifr_name);
	no_link_local(&be->rtnl, be->ifindex); /* best effort: only a quieter device */
	int rc = dp_rtnl_link_set(&be->rtnl, be->ifindex, true, opt->mtu, TUN_TXQLEN);
	step = "link up";
	if (rc < 0) {
		errno = -rc;
		goto fail;
	}
	step = "event loop";
	if (ev_fd_add(loop, be->fd, EPOLLIN, on_tun_readable, be))
		goto fail;
	return be;
fail:
	snprintf(err, errlen, "tun %s: %s: %s", opt->tun_name, step, strerror(errno));
	dp_rtnl_close(&be->rtnl);
	if (be->fd >= 0)
		close(be->fd);
	free(be);
	return NULL;
}

static int tun_tunnel_add(void *arg, int id)
{
	struct tun_backend *be = arg;
	struct dp_tunnel_view tv;
	if (dp_tunnel_get(be->dp, id, &tv) ||
	    dp_grow((void **)&be->tunnel_ep, &be->n_tunnel_ep, (unsigned)id + 1, sizeof(int), 0xff))
		return -1;
	int ep = endpoint_get(be, tv.local);
	if (ep < 0)
		return -1;
	be->tunnel_ep[id] = ep;
	return 0;
}

static void tun_tunnel_del(void *arg, int id)
{
	struct tun_backend *be = arg;
	if ((unsigned)id < be->n_tunnel_ep && be->tunnel_ep[id] >= 0) {
		endpoint_put(be, be->tunnel_ep[id]);
		be->tunnel_ep[id] = -1;
	}
}

static int tun_tunnel_set_up(void *arg, int id, bool up)
{
	return 0; /* path selection reads the state; nothing in the kernel to change */
}

/* The FROM routes share one table whose default route points into the device. */
static int ensure_from_table(struct tun_backend *be, int family)
{
	bool *done = &be->from_table[family == AF_INET];
	if (*done)
		return 0;
	static const uint8_t any[16];
	struct dp_nexthop nh = {be->ifindex, 1};
	int rc = dp_rtnl_route(&be->rtnl, true, family, any, 0, dp_options(be->dp)->table, &nh, 1);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	*done = true;
	return 0;
}

static struct dp_rtnl_rule from_rule(const struct tun_backend *be, const struct dp_route_view *v)
{
	struct dp_rtnl_rule rule = {.family = v->family,
	                            .plen = v->plen,
	                            .proto = -1,
	                            .table = dp_options(be->dp)->table,
	                            .priority = dp_options(be->dp)->rule_priority};
	memcpy(rule.prefix, v->prefix, sizeof(rule.prefix));
	return rule;
}

static int tun_route_add(void *arg, int route)
{
	struct tun_backend *be = arg;
	struct dp_route_view v;
	if (dp_route_get(be->dp, route, &v) ||
	    dp_grow((void **)&be->route_installed, &be->n_route_installed, (unsigned)route + 1,
	            sizeof(bool), 0))
		return -1;
	if (be->route_installed[route])
		return 0; /* tunnel set or policy changed: userspace state only */
	int rc;
	if (v.dir == DP_ROUTE_TO) {
		struct dp_nexthop nh = {be->ifindex, 1};
		rc = dp_rtnl_route(&be->rtnl, true, v.family, v.prefix, v.plen, RT_TABLE_MAIN, &nh,
		                   1);
	} else {
		if (ensure_from_table(be, v.family))
			return -1;
		struct dp_rtnl_rule rule = from_rule(be, &v);
		rc = dp_rtnl_rule(&be->rtnl, true, &rule);
		if (rc == -EEXIST)
			rc = 0;
	}
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	be->route_installed[route] = true;
	return 0;
}

static void tun_route_del(void *arg, int route)
{
	struct tun_backend *be = arg;
	struct dp_route_view v;
	if (dp_route_get(be->dp, route, &v) || (unsigned)route >= be->n_route_installed ||
	    !be->route_installed[route])
		return;
	if (v.dir == DP_ROUTE_TO) {
		struct dp_nexthop nh = {be->ifindex, 1};
		dp_rtnl_route(&be->rtnl, false, v.family, v.prefix, v.plen, RT_TABLE_MAIN, &nh, 1);
	} else {
		struct dp_rtnl_rule rule = from_rule(be, &v);
		dp_rtnl_rule(&be->rtnl, false, &rule);
	}
	be->route_installed[route] = false;
}

static void tun_shutdown(void *arg)
{
	struct tun_backend *be = arg;
	static const uint8_t any[16];
	struct dp_nexthop nh = {be->ifindex, 1};
	for (int k = 0; k < 2; k++)
		if (be->from_table[k])
			dp_rtnl_route(&be->rtnl, false, k ? AF_INET : AF_INET6, any, 0,
			              dp_options(be->dp)->table, &nh, 1);
	for (unsigned i = 0; i < be->n_eps; i++)
		if (be->eps[i])
			endpoint_free(be, be->eps[i]);
	ev_fd_del(be->loop, be->fd);
	close(be->fd); /* a non-persistent TUN device disappears with its last fd */
	dp_rtnl_close(&be->rtnl);
	free(be->eps);
	free(be->tunnel_ep);
	free(be->route_installed);
	free(be);
}

const struct dp_backend_ops dp_backend_tun = {
    .name = "tun",
    .probe = tun_probe,
    .init = tun_init,
    .tunnel_add = tun_tunnel_add,
    .tunnel_del = tun_tunnel_del,
    .tunnel_set_up = tun_tunnel_set_up,
    .route_add = tun_route_add,
    .route_del = tun_route_del,
    .counters = NULL,
    .shutdown = tun_shutdown,
};
