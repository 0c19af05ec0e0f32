/* MAG access link: Router Solicitation/Advertisement (RFC 4861 §4.1, §4.2, §4.6.2, §6.2.4)
 * carrying the home network prefix (RFC 5213 §6.7, §6.9.1.1), and link events (rtnetlink). */
#include "ndp.h"

#include "cursor.h"
#include "dataplane.h"
#include "ev.h"

#include <net/if.h> /* before the linux/ headers (libc-compat) */
#include <errno.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <netinet/icmp6.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

enum {
	ND_OPT_SLLA = 1,
	ND_OPT_PREFIX = 3,
	ND_OPT_MTU_TYPE = 5,
	ND_RA_DEFAULT_LIFETIME = 1800,
	ND_RA_DEFAULT_INTERVAL_MS = 10000,
	ND_HOP_LIMIT = 255,   /* RFC 4861 §6.1.1: link-local only */
	ND_RA_RETRY_MS = 250, /* first retry of a failed RA, doubling up to the interval */
};

int ndp_build_ra(uint8_t *buf, size_t cap, const struct ndp_ra_config *cfg, bool withdraw,
                 const struct ndp_prefix *prefixes, unsigned n, const uint8_t *src_ll)
{
	static const struct ndp_ra_config defaults;
	if (!cfg)
		cfg = &defaults;
	struct dmm_wbuf w;
	wb_init(&w, buf, cap);
	wb_u8(&w, ND_ROUTER_ADVERT);
	wb_u8(&w, 0);
	wb_u16(&w, 0); /* checksum: computed by the kernel on ICMPv6 raw sockets */
	wb_u8(&w, cfg->cur_hop_limit ? cfg->cur_hop_limit : 64);
	wb_u8(&w, (uint8_t)((cfg->managed ? 0x80 : 0) | (cfg->other ? 0x40 : 0)));
	wb_u16(&w, withdraw
	               ? 0
	               : (cfg->router_lifetime ? cfg->router_lifetime : ND_RA_DEFAULT_LIFETIME));
	wb_u32(&w, 0); /* reachable time: unspecified */
	wb_u32(&w, 0); /* retrans timer: unspecified */
	if (src_ll) {
		wb_u8(&w, ND_OPT_SLLA);
		wb_u8(&w, 1);
		wb_bytes(&w, src_ll, 6);
	}
	if (cfg->mtu) {
		wb_u8(&w, ND_OPT_MTU_TYPE);
		wb_u8(&w, 1);
		wb_u16(&w, 0);
		wb_u32(&w, cfg->mtu);
	}
	for (unsigned i = 0; i < n; i++) {
		const struct ndp_prefix *p = &prefixes[i];
		wb_u8(&w, ND_OPT_PREFIX);
		wb_u8(&w, 4);
		wb_u8(&w, p->plen);
		wb_u8(&w, (uint8_t)((p->onlink ? 0x80 : 0) | (p->autonomous ? 0x40 : 0)));
		wb_u32(&w, withdraw ? 0 : p->valid_lifetime);
		wb_u32(&w, withdraw ? 0 : p->preferred_lifetime);
		wb_u32(&w, 0);
		wb_bytes(&w, &p->prefix, 16);
	}
	return w.err ? -1 : (int)w.len;
}

static void format_ll_id(struct ndp_event *ev)
{
	size_t off = 0;
	ev->ll_id[0] = '\0';
	for (unsigned i = 0; i < ev->ll_len && off + 4 <= sizeof(ev->ll_id); i++)
		off += (size_t)snprintf(ev->ll_id + off, sizeof(ev->ll_id) - off, "%s%02x",
		                        i ? ":" : "", ev->ll_addr[i]);
}

int ndp_parse_rs(const uint8_t *msg, size_t len, struct ndp_event *ev, const char **why)
{
	struct dmm_cursor c;
	cur_init(&c, msg, len);
	uint8_t type = cur_u8(&c);
	uint8_t code = cur_u8(&c);
	cur_skip(&c, 2 + 4); /* checksum, reserved */
	ev->ll_len = 0;
	if (cur_ok(&c) && (type != ND_ROUTER_SOLICIT || code != 0))
		cur_invalid(&c, "invalid: not a Router Solicitation");
	/* RFC 4861 §6.1.1: every option has a non-zero length; bounded by the message */
	while (cur_ok(&c) && cur_left(&c) > 0) {
		uint8_t opt = cur_u8(&c);
		uint8_t olen = cur_u8(&c);
		if (cur_ok(&c) && olen == 0) {
			cur_invalid(&c, "invalid: option of length 0");
			break;
		}
		struct dmm_cursor body = cur_sub(&c, (size_t)olen * 8 - 2);
		if (opt == ND_OPT_SLLA && cur_ok(&body)) {
			size_t n = body.len < sizeof(ev->ll_addr) ? body.len : sizeof(ev->ll_addr);
			if (n == 7 || n == 8) /* Ethernet: 6 octets and padding */
				n = 6;
			cur_copy(&body, ev->ll_addr, n);
			ev->ll_len = (uint8_t)n;
		}
	}
	if (!cur_ok(&c)) {
		*why = c.why ? c.why : "truncated";
		ev->ll_len = 0;
		return -1;
	}
	format_ll_id(ev);
	return 0;
}

/* ------------------------------------------------------------------ */

struct ndp_client {
	bool used, advertising, have_addr;
	bool pending; /* its last RA could not be sent: resent when the link-local address
	               * becomes usable, or by the retry timer */
	char ll_id[NDP_LL_ID_MAX];
	struct in6_addr addr; /* its last RS source (link-local) */
	unsigned n_prefixes;
	struct ndp_prefix prefixes[NDP_MAX_PREFIXES];
};

struct ndp_access {
	struct ev_loop *loop;
	char ifname[IF_NAMESIZE];
	int ifindex;
	int fd;
	struct dp_rtnl monitor;
	ndp_event_cb cb;
	void *arg;
	struct ndp_ra_config cfg;
	bool link_up;
	bool have_ll;
	uint8_t ll[6];
	struct ev_timer timer;
	uint32_t retry_ms; /* current retry delay after a failed RA, 0 when none failed */
	struct ndp_counters ctr;
	struct ndp_client clients[NDP_MAX_CLIENTS];
};

static void emit(struct ndp_access *acc, enum ndp_event_kind kind, const struct ndp_event *base)
{
	struct ndp_event ev = base ? *base : (struct ndp_event){0};
	ev.kind = kind;
	ev.ifname = acc->ifname;
	ev.ifindex = acc->ifindex;
	if (acc->cb)
		acc->cb(&ev, acc->arg);
}

static struct ndp_client *client_find(struct ndp_access *acc, const char *ll_id)
{
	for (unsigned i = 0; i < NDP_MAX_CLIENTS; i++)
		if (acc->clients[i].used && !strcmp(acc->clients[i].ll_id, ll_id))
			return &acc->clients[i];
	return NULL;
}

static struct ndp_client *client_add(struct ndp_access *acc, const char *ll_id)
{
	for (unsigned i = 0; i < NDP_MAX_CLIENTS; i++)
		if (!acc->clients[i].used) {
			struct ndp_client *cl = &acc->clients[i];
			memset(cl, 0, sizeof(*cl));
			cl->used = true;
			snprintf(cl->ll_id, sizeof(cl->ll_id), "%s", ll_id);
			return cl;
		}
	return NULL;
}

/* Send an RA to cl. It fails (EADDRNOTAVAIL) while the interface has no usable link-local
 * address (RFC 4861 §4.2: the source must be link-local), e.g. during its DAD (RFC 4862
 * §5.4); the advertisement is then marked pending. */
static int send_ra(struct ndp_access *acc, struct ndp_client *cl, bool withdraw)
{
	uint8_t buf[NDP_RA_MAX_LEN];
	int len = ndp_build_ra(buf, sizeof(buf), &acc->cfg, withdraw, cl->prefixes, cl->n_prefixes,
	                       acc->have_ll ? acc->ll : NULL);
	struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_scope_id = (uint32_t)acc->ifindex};
	if (cl->have_addr)
		to.sin6_addr = cl->addr;
	else
		inet_pton(AF_INET6, "ff02::1", &to.sin6_addr);
	bool sent = len >= 0 && sendto(acc->fd, buf, (size_t)len, MSG_DONTWAIT,
	                               (struct sockaddr *)&to, sizeof(to)) == len;
	cl->pending = !sent && !withdraw;
	if (!sent) {
		acc->ctr.ra_errors++;
		return -1;
	}
	acc->ctr.ra_sent++;
	return 0;
}

/* Next unsolicited RA: after interval_ms, or after a failed send sooner, with a backoff from
 * ND_RA_RETRY_MS doubling up to interval_ms (bounded, also when the address never becomes
 * usable). */
static void schedule(struct ndp_access *acc, bool failed)
{
	if (!failed) {
		acc->retry_ms = 0;
		ev_timer_start(acc->loop, &acc->timer, acc->cfg.interval_ms);
		return;
	}
	acc->retry_ms = acc->retry_ms ? acc->retry_ms * 2 : ND_RA_RETRY_MS;
	if (acc->retry_ms > acc->cfg.interval_ms)
		acc->retry_ms = acc->cfg.interval_ms;
	ev_timer_start(acc->loop, &acc->timer, acc->retry_ms);
}

/* Send to every advertised node (pending_only: those whose last RA failed); true when a
 * send failed. */
static bool send_all(struct ndp_access *acc, bool pending_only)
{
	bool failed = false;
	for (unsigned i = 0; i < NDP_MAX_CLIENTS; i++) {
		struct ndp_client *cl = &acc->clients[i];
		if (cl->used && cl->advertising && (cl->pending || !pending_only))
			failed |= send_ra(acc, cl, false) < 0;
	}
	return failed;
}

static bool any_pending(const struct ndp_access *acc)
{
	for (unsigned i = 0; i < NDP_MAX_CLIENTS; i++)
		if (acc->clients[i].used && acc->clients[i].advertising && acc->clients[i].pending)
			return true;
	return false;
}

/* Unsolicited RAs every interval_ms (RFC 4861 §6.2.4), and the retries of failed ones. */
static void on_timer(void *arg)
{
	struct ndp_access *acc = arg;
	schedule(acc, send_all(acc, false));
}

static void on_rs(struct ndp_access *acc, const uint8_t *msg, size_t len,
                  const struct sockaddr_in6 *from, int hop_limit)
{
	struct ndp_event ev = {0};
	const char *why;
	acc->ctr.rs_received++;
	/* RFC 4861 §6.1.1: hop limit 255, valid options; SLLAO only with a source */
	if (hop_limit != ND_HOP_LIMIT || ndp_parse_rs(msg, len, &ev, &why) ||
	    (ev.ll_len && IN6_IS_ADDR_UNSPECIFIED(&from->sin6_addr))) {
		acc->ctr.rs_invalid++;
		return;
	}
	ev.src = from->sin6_addr;
	if (!ev.ll_id[0])
		snprintf(ev.ll_id, sizeof(ev.ll_id), "%s", acc->ifname);
	struct ndp_client *cl = client_find(acc, ev.ll_id);
	bool fresh = !cl;
	if (fresh && !(cl = client_add(acc, ev.ll_id)))
		return;
	if (!IN6_IS_ADDR_UNSPECIFIED(&ev.src)) {
		cl->addr = ev.src;
		cl->have_addr = true;
	}
	if (cl->advertising && send_ra(acc, cl, false) < 0 && !acc->retry_ms)
		schedule(acc, true);
	emit(acc, fresh ? NDP_EV_ATTACH : NDP_EV_RS, &ev);
}

static void on_icmp6(int fd, uint32_t events, void *arg)
{
	struct ndp_access *acc = arg;
	for (int i = 0; i < 32; i++) {
		uint8_t buf[1500];
		union {
			struct cmsghdr align;
			char b[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct in6_pktinfo))];
		} ctl;
		struct sockaddr_in6 from;
		struct iovec iov = {buf, sizeof(buf)};
		struct msghdr msg = {.msg_name = &from,
		                     .msg_namelen = sizeof(from),
		                     .msg_iov = &iov,
		                     .msg_iovlen = 1,
		                     .msg_control = ctl.b,
		                     .msg_controllen = sizeof(ctl.b)};
		ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (n <= 0)
			return;
		int hop_limit = -1;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
			if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_HOPLIMIT)
				memcpy(&hop_limit, CMSG_DATA(cm), sizeof(int));
		on_rs(acc, buf, (size_t)n, &from, hop_limit);
	}
}

static void forget_all(struct ndp_access *acc)
{
	for (unsigned i = 0; i < NDP_MAX_CLIENTS; i++)
		if (acc->clients[i].used)
			ndp_forget(acc, acc->clients[i].ll_id, false);
}

static void on_link_msg(struct ndp_access *acc, const struct nlmsghdr *nlh)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)) || ifi->ifi_index != acc->ifindex)
		return;
	bool up = nlh->nlmsg_type == RTM_NEWLINK && (ifi->ifi_flags & IFF_UP) &&
	          (ifi->ifi_flags & IFF_RUNNING);
	if (up == acc->link_up)
		return;
	acc->link_up = up;
	acc->ctr.link_events++;
	emit(acc, up ? NDP_EV_LINK_UP : NDP_EV_LINK_DOWN, NULL);
	if (!up)
		forget_all(acc);
}

static int addr_flags_attr(const struct nlattr *attr, void *arg)
{
	if (mnl_attr_get_type(attr) == IFA_FLAGS && !mnl_attr_validate(attr, MNL_TYPE_U32))
		*(uint32_t *)arg = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

/* An IPv6 link-local address of the interface became usable as a source: DAD completed
 * (RFC 4862 §5.4: a tentative address is not used; Linux reports the end of DAD with
 * RTM_NEWADDR), or it was added without DAD or is optimistic (RFC 4429). The RAs that failed
 * meanwhile go now, so that the node's first RA waits for the address, not for a timer. */
static void on_addr_msg(struct ndp_access *acc, const struct nlmsghdr *nlh)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_type != RTM_NEWADDR || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifa)) ||
	    ifa->ifa_family != AF_INET6 || (int)ifa->ifa_index != acc->ifindex ||
	    ifa->ifa_scope != RT_SCOPE_LINK)
		return;
	uint32_t flags = ifa->ifa_flags; /* IFA_FLAGS, when present, has every flag */
	mnl_attr_parse(nlh, sizeof(*ifa), addr_flags_attr, &flags);
	bool usable = !(flags & IFA_F_DADFAILED) &&
	              (!(flags & IFA_F_TENTATIVE) || (flags & IFA_F_OPTIMISTIC));
	if (usable && any_pending(acc))
		schedule(acc, send_all(acc, true));
}

static int on_rtnl_msg(const struct nlmsghdr *nlh, void *arg)
{
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		on_link_msg(arg, nlh);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		on_addr_msg(arg, nlh);
		break;
	}
	return MNL_CB_OK;
}

static void on_netlink(int fd, uint32_t events, void *arg)
{
	struct ndp_access *acc = arg;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	for (int i = 0; i < 16; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			return;
		mnl_cb_run(buf, (size_t)n, 0, 0, on_rtnl_msg, acc);
	}
}

/* Interface flags and hardware address through one ioctl socket. */
static int read_link(struct ndp_access *acc)
{
	int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", acc->ifname);
	int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
	if (!rc)
		acc->link_up = (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
	if (!rc && !ioctl(s, SIOCGIFHWADDR, &ifr) && ifr.ifr_hwaddr.sa_family == 1 /* ether */) {
		memcpy(acc->ll, ifr.ifr_hwaddr.sa_data, 6);
		acc->have_ll = true;
	}
	close(s);
	return rc;
}

static int open_icmp6(struct ndp_access *acc)
{
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (fd < 0)
		return -1;
	acc->fd = fd;
	struct icmp6_filter filter;
	ICMP6_FILTER_SETBLOCKALL(&filter);
	ICMP6_FILTER_SETPASS(ND_ROUTER_SOLICIT, &filter);
	int hops = ND_HOP_LIMIT, on = 1, off = 0;
	struct ipv6_mreq mreq = {.ipv6mr_interface = (unsigned)acc->ifindex};
	inet_pton(AF_INET6, "ff02::2", &mreq.ipv6mr_multiaddr);
	if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, acc->ifname, strlen(acc->ifname)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &acc->ifindex, sizeof(acc->ifindex)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof(off)))
		return -1;
	/* the all-routers group may already be joined (forwarding on) */
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) &&
	    errno != EADDRINUSE)
		return -1;
	return ev_fd_add(acc->loop, fd, EPOLLIN, on_icmp6, acc);
}

struct ndp_access *ndp_open(struct ev_loop *loop, const char *ifname,
                            const struct ndp_ra_config *cfg, ndp_event_cb cb, void *arg, char *err,
                            size_t errlen)
{
	struct ndp_access *acc = calloc(1, sizeof(*acc));
	if (!acc) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	acc->loop = loop;
	acc->fd = -1;
	acc->cb = cb;
	acc->arg = arg;
	if (cfg)
		acc->cfg = *cfg;
	if (!acc->cfg.interval_ms)
		acc->cfg.interval_ms = ND_RA_DEFAULT_INTERVAL_MS;
	snprintf(acc->ifname, sizeof(acc->ifname), "%s", ifname);
	ev_timer_init(&acc->timer, on_timer, acc);
	const char *step = "no such interface";
	acc->ifindex = (int)if_nametoindex(ifname);
	if (!acc->ifindex)
		goto fail;
	step = "interface flags";
	if (read_link(acc))
		goto fail;
	step = "ICMPv6 socket";
	if (open_icmp6(acc))
		goto fail;
	step = "rtnetlink link and address monitor";
	if (dp_rtnl_open(&acc->monitor, RTMGRP_LINK | RTMGRP_IPV6_IFADDR) ||
	    ev_fd_add(loop, mnl_socket_get_fd(acc->monitor.nl), EPOLLIN, on_netlink, acc))
		goto fail;
	ev_timer_start(loop, &acc->timer, acc->cfg.interval_ms);
	return acc;
fail:
	snprintf(err, errlen, "ndp %s: %s: %s", ifname, step, strerror(errno));
	ndp_close(acc);
	return NULL;
}

void ndp_close(struct ndp_access *acc)
{
	if (!acc)
		return;
	for (unsigned i = 0; i < NDP_MAX_CLIENTS; i++)
		if (acc->clients[i].used && acc->clients[i].advertising)
			send_ra(acc, &acc->clients[i], true);
	ev_timer_stop(acc->loop, &acc->timer);
	if (acc->fd >= 0) {
		ev_fd_del(acc->loop, acc->fd);
		close(acc->fd);
	}
	if (acc->monitor.nl) {
		ev_fd_del(acc->loop, mnl_socket_get_fd(acc->monitor.nl));
		dp_rtnl_close(&acc->monitor);
	}
	free(acc);
}

int ndp_advertise(struct ndp_access *acc, const char *ll_id, const struct ndp_prefix *prefixes,
                  unsigned n)
{
	if (n > NDP_MAX_PREFIXES || !ll_id) {
		errno = EINVAL;
		return -1;
	}
	struct ndp_client *cl = client_find(acc, ll_id);
	if (!cl && !(cl = client_add(acc, ll_id))) {
		errno = ENOSPC;
		return -1;
	}
	memcpy(cl->prefixes, prefixes, n * sizeof(*prefixes));
	cl->n_prefixes = n;
	cl->advertising = true;
	if (send_ra(acc, cl, false) < 0) {
		int e = errno;
		if (!acc->retry_ms) /* else a retry is already armed */
			schedule(acc, true);
		errno = e;
		return -1;
	}
	return 0;
}

int ndp_withdraw(struct ndp_access *acc, const char *ll_id)
{
	struct ndp_client *cl = client_find(acc, ll_id);
	if (!cl || !cl->advertising) {
		errno = ENOENT;
		return -1;
	}
	int rc = send_ra(acc, cl, true);
	cl->advertising = false;
	cl->n_prefixes = 0;
	return rc;
}

int ndp_forget(struct ndp_access *acc, const char *ll_id, bool quiet)
{
	struct ndp_client *cl = client_find(acc, ll_id);
	if (!cl) {
		errno = ENOENT;
		return -1;
	}
	struct ndp_event ev = {.src = cl->addr};
	snprintf(ev.ll_id, sizeof(ev.ll_id), "%s", cl->ll_id);
	cl->used = false;
	if (!quiet)
		emit(acc, NDP_EV_DETACH, &ev);
	return 0;
}

int ndp_ifindex(const struct ndp_access *acc)
{
	return acc->ifindex;
}

bool ndp_link_up(const struct ndp_access *acc)
{
	return acc->link_up;
}

void ndp_get_counters(const struct ndp_access *acc, struct ndp_counters *c)
{
	*c = acc->ctr;
}
