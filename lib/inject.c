/* Packet injection (libnet raw IPv4/IPv6 and link layer, AF_PACKET sendmmsg, packet(7)), pcap
 * files, and rate pacing on absolute CLOCK_MONOTONIC deadlines. */
#include "inject.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <libnet.h>
#include <linux/if_packet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SPIN_NS 60000ull           /* busy-wait this long before a deadline */
#define BATCH_INTERVAL_NS 20000ull /* below this interval, send several per deadline */
#define SNDBUF_BYTES (4 << 20)

void inject_init(struct inject *in)
{
	memset(in, 0, sizeof(*in));
	in->fd = -1;
}

int inject_iface_info(const char *iface, uint8_t mac[6], int *ifindex, int *is_ether)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), rc = -1;
	if (fd < 0 || strlen(iface) >= sizeof(ifr.ifr_name)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, iface);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0) {
		if (mac)
			memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
		if (is_ether)
			*is_ether = ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER;
		rc = 0;
	}
	if (rc == 0 && ifindex) {
		*ifindex = (int)if_nametoindex(iface);
		rc = *ifindex ? 0 : -1;
	}
	close(fd);
	return rc;
}

/* Sends never block: a full send buffer is waited for with a time limit (wait_writable). */
static int set_nonblocking(struct inject *in, int fd)
{
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		snprintf(in->err, sizeof(in->err), "O_NONBLOCK: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int open_packet_socket(struct inject *in, const char *iface)
{
	struct sockaddr_ll sll;
	int sndbuf = SNDBUF_BYTES;
	if (inject_iface_info(iface, NULL, &in->ifindex, NULL) < 0) {
		snprintf(in->err, sizeof(in->err), "%s: no such interface", iface);
		return -1;
	}
	/* protocol 0: a send-only socket, nothing is queued for reception */
	in->fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (in->fd < 0) {
		snprintf(in->err, sizeof(in->err), "AF_PACKET socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(in->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = in->ifindex;
	if (bind(in->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		snprintf(in->err, sizeof(in->err), "bind %s: %s", iface, strerror(errno));
		return -1;
	}
	return set_nonblocking(in, in->fd);
}

int inject_open_iface(struct inject *in, const char *iface, int mode, int ipv6)
{
	char errbuf[LIBNET_ERRBUF_SIZE];
	in->mode = mode;
	if (mode == INJECT_PACKET)
		return open_packet_socket(in, iface);
	int type = mode == INJECT_LINK ? LIBNET_LINK : (ipv6 ? LIBNET_RAW6 : LIBNET_RAW4);
	/* libnet 1.1 takes a non-const device name */
	char dev[IF_NAMESIZE + 1];
	snprintf(dev, sizeof(dev), "%s", iface);
	in->libnet = libnet_init(type, dev, errbuf);
	if (!in->libnet) {
		snprintf(in->err, sizeof(in->err), "libnet: %.200s", errbuf);
		return -1;
	}
	if (mode == INJECT_RAW) {
		/* raw sockets are not bound to the device by libnet: do it here */
		int fd = libnet_getfd(in->libnet);
		if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface, (socklen_t)strlen(iface)) <
		    0) {
			snprintf(in->err, sizeof(in->err), "SO_BINDTODEVICE %s: %s", iface,
			         strerror(errno));
			return -1;
		}
	}
	return set_nonblocking(in, libnet_getfd(in->libnet));
}

int inject_open_pcap(struct inject *in, const char *path, int linktype)
{
	in->dead =
	    pcap_open_dead_with_tstamp_precision(linktype, 262144, PCAP_TSTAMP_PRECISION_MICRO);
	if (!in->dead) {
		snprintf(in->err, sizeof(in->err), "pcap_open_dead failed");
		return -1;
	}
	in->dumper = pcap_dump_open(in->dead, path);
	if (!in->dumper) {
		snprintf(in->err, sizeof(in->err), "%s", pcap_geterr(in->dead));
		return -1;
	}
	return 0;
}

static void dump(struct inject *in, const uint8_t *frame, size_t len)
{
	struct pcap_pkthdr h;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	h.ts.tv_sec = ts.tv_sec;
	h.ts.tv_usec = ts.tv_nsec / 1000;
	h.caplen = h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)in->dumper, &h, frame);
}

/* Errors after which the next frame may go out: the frame alone was dropped (a full device
 * queue, an unreachable neighbour). Any other error ends the run (interface down or gone, no
 * route, frame too long). */
static int frame_dropped(int err)
{
	return err == ENOBUFS || err == EHOSTUNREACH || err == EHOSTDOWN || err == ECONNREFUSED;
}

static int refused(struct inject *in, const char *what, int err)
{
	if (err != EINTR) /* a signal interrupted the wait: nothing was refused */
		in->send_errors++;
	if (err != EINTR && !frame_dropped(err))
		in->failed = 1;
	snprintf(in->err, sizeof(in->err), "%s: %s", what, strerror(err));
	return -1;
}

static int output_fd(const struct inject *in)
{
	return in->mode == INJECT_PACKET ? in->fd : in->libnet ? libnet_getfd(in->libnet) : -1;
}

/* The socket is non-blocking: wait a bounded time for send buffer space. 1 when there is some,
 * 0 when the interface stalled (in->failed), -1 on a signal. */
static int wait_writable(struct inject *in)
{
	struct pollfd pfd = {output_fd(in), POLLOUT, 0};
	int rc = poll(&pfd, 1, INJECT_STALL_MS);
	if (rc > 0)
		return 1;
	if (rc < 0 && errno == EINTR)
		return -1;
	in->failed = 1;
	in->send_errors++;
	snprintf(in->err, sizeof(in->err),
	         "the interface took no frame for %d ms (no neighbour entry for the next hop, "
	         "or a stalled queue)",
	         INJECT_STALL_MS);
	return 0;
}

/* Times of the first and the last frame handed to the interface. */
static void stamp(struct inject *in)
{
	in->last_ns = inject_now_ns();
	if (!in->sent)
		in->first_ns = in->last_ns;
}

/* One attempt: the octets written, or -1 with errno. */
static int write_once(struct inject *in, const uint8_t *frame, size_t len)
{
	switch (in->mode) {
	case INJECT_RAW:
		if ((frame[0] >> 4) == 6)
			return libnet_write_raw_ipv6(in->libnet, frame, (uint32_t)len);
		return libnet_write_raw_ipv4(in->libnet, frame, (uint32_t)len);
	case INJECT_LINK:
		return libnet_write_link(in->libnet, frame, (uint32_t)len);
	case INJECT_PACKET:
		return (int)send(in->fd, frame, len, 0);
	}
	return (int)len;
}

static const char *const mode_names[] = {[INJECT_NONE] = "send",
                                         [INJECT_RAW] = "raw send",
                                         [INJECT_LINK] = "link send",
                                         [INJECT_PACKET] = "AF_PACKET send"};

int inject_send(struct inject *in, const uint8_t *frame, size_t len)
{
	if (in->dumper)
		dump(in, frame, len);
	if (in->mode == INJECT_NONE)
		return 0;
	if (in->failed)
		return -1;
	for (;;) {
		errno = 0;
		if (write_once(in, frame, len) >= 0)
			break;
		int err = errno ? errno : EIO;
		if (err != EAGAIN && err != EWOULDBLOCK)
			return refused(in, mode_names[in->mode], err);
		int ready = wait_writable(in);
		if (ready == 0)
			return -1;
		if (ready < 0)
			return refused(in, mode_names[in->mode], EINTR);
	}
	stamp(in);
	in->sent++;
	return 0;
}

unsigned inject_send_batch(struct inject *in, uint8_t *const *frames, const size_t *lens,
                           unsigned n)
{
	struct mmsghdr msgs[INJECT_BATCH];
	struct iovec iov[INJECT_BATCH];
	unsigned done = 0;
	if (in->mode != INJECT_PACKET || in->dumper) {
		for (unsigned i = 0; i < n && !in->failed; i++)
			if (inject_send(in, frames[i], lens[i]) == 0)
				done++;
		return done;
	}
	if (n > INJECT_BATCH)
		n = INJECT_BATCH;
	memset(msgs, 0, sizeof(msgs[0]) * n);
	for (unsigned i = 0; i < n; i++) {
		iov[i].iov_base = frames[i];
		iov[i].iov_len = lens[i];
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (done < n && !in->failed) {
		int rc = sendmmsg(in->fd, msgs + done, n - done, 0);
		if (rc >= 0) {
			stamp(in);
			done += (unsigned)rc;
			in->sent += (unsigned)rc;
			continue;
		}
		int err = errno;
		if (err == EAGAIN || err == EWOULDBLOCK) {
			int ready = wait_writable(in);
			if (ready > 0)
				continue;
			break; /* stalled, or a signal: the caller decides */
		}
		if (err == EINTR)
			break;
		refused(in, "sendmmsg", err);
		if (!frame_dropped(err))
			break;
		done++; /* the device queue is full: this frame is dropped, go on */
	}
	return done;
}

void inject_close(struct inject *in)
{
	if (in->libnet)
		libnet_destroy(in->libnet);
	if (in->fd >= 0)
		close(in->fd);
	if (in->dumper)
		pcap_dump_close(in->dumper);
	if (in->dead)
		pcap_close(in->dead);
	inject_init(in);
}

/* ---- next-hop MAC from rtnetlink ---- */

struct nl_query {
	int af;
	int ifindex;
	uint8_t addr[16]; /* route: destination in, gateway out; neighbour: address looked up */
	uint8_t mac[6];
	int found;
	int route_type; /* RTN_* of the route to the destination */
};

static int route_attr(const struct nlattr *a, void *arg)
{
	struct nl_query *q = arg;
	size_t alen = q->af == AF_INET6 ? 16 : 4;
	if (mnl_attr_get_type(a) == RTA_GATEWAY && mnl_attr_get_payload_len(a) == alen)
		memcpy(q->addr, mnl_attr_get_payload(a), alen);
	return MNL_CB_OK;
}

static int route_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_query *q = arg;
	if (nlh->nlmsg_type == RTM_NEWROUTE) {
		q->route_type = ((const struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_type;
		mnl_attr_parse(nlh, sizeof(struct rtmsg), route_attr, arg);
	}
	return MNL_CB_OK;
}

struct neigh_entry {
	const uint8_t *dst, *lladdr;
	size_t dst_len, lladdr_len;
};

static int neigh_attr(const struct nlattr *a, void *arg)
{
	struct neigh_entry *e = arg;
	if (mnl_attr_get_type(a) == NDA_DST) {
		e->dst = mnl_attr_get_payload(a);
		e->dst_len = mnl_attr_get_payload_len(a);
	} else if (mnl_attr_get_type(a) == NDA_LLADDR) {
		e->lladdr = mnl_attr_get_payload(a);
		e->lladdr_len = mnl_attr_get_payload_len(a);
	}
	return MNL_CB_OK;
}

static int neigh_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_query *q = arg;
	const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
	struct neigh_entry e;
	size_t alen = q->af == AF_INET6 ? 16 : 4;
	if (nlh->nlmsg_type != RTM_NEWNEIGH || nd->ndm_ifindex != q->ifindex)
		return MNL_CB_OK;
	if (!(nd->ndm_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)))
		return MNL_CB_OK;
	memset(&e, 0, sizeof(e));
	mnl_attr_parse(nlh, sizeof(*nd), neigh_attr, &e);
	if (e.dst && e.dst_len == alen && memcmp(e.dst, q->addr, alen) == 0 && e.lladdr &&
	    e.lladdr_len == 6) {
		memcpy(q->mac, e.lladdr, 6);
		q->found = 1;
	}
	return MNL_CB_OK;
}

/* One request and its replies: a dump ends with NLMSG_DONE, a plain request has one. */
static int nl_exchange(struct mnl_socket *nl, struct nlmsghdr *req, mnl_cb_t cb, void *arg)
{
	int dump = (req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned portid = mnl_socket_get_portid(nl), seq = req->nlmsg_seq;
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
		return -1;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n <= 0)
			return -1;
		int rc = mnl_cb_run(buf, (size_t)n, seq, portid, cb, arg);
		if (rc <= MNL_CB_STOP || !dump)
			return rc < 0 ? -1 : 0;
	}
}

static int multicast_mac(int af, const uint8_t *dst, uint8_t mac[6])
{
	static const uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	if (af == AF_INET6 && dst[0] == 0xff) { /* RFC 2464 §7 */
		mac[0] = mac[1] = 0x33;
		memcpy(mac + 2, dst + 12, 4);
		return 1;
	}
	if (af == AF_INET && (dst[0] & 0xf0) == 0xe0) { /* RFC 1112 §6.4 */
		mac[0] = 0x01, mac[1] = 0x00, mac[2] = 0x5e;
		mac[3] = dst[1] & 0x7f, mac[4] = dst[2], mac[5] = dst[3];
		return 1;
	}
	if (af == AF_INET && memcmp(dst, broadcast, 4) == 0) {
		memcpy(mac, broadcast, 6);
		return 1;
	}
	return 0;
}

int inject_resolve_mac(int ifindex, int af, const uint8_t *dst, uint8_t mac[6], unsigned wait_ms)
{
	uint8_t req[MNL_SOCKET_BUFFER_SIZE];
	struct nl_query q;
	size_t alen = af == AF_INET6 ? 16 : 4;
	int rc = -1;
	if (multicast_mac(af, dst, mac))
		return 0;
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -1;
	struct timeval timeout = {1, 0}; /* never wait long for the kernel */
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) <
	        0)
		goto out;
	memset(&q, 0, sizeof(q));
	q.af = af;
	q.ifindex = ifindex;
	memcpy(q.addr, dst, alen); /* stays the destination when the route has no gateway */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = 1;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)af;
	rtm->rtm_dst_len = (uint8_t)(alen * 8);
	mnl_attr_put(nlh, RTA_DST, alen, dst);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	if (nl_exchange(nl, nlh, route_reply, &q) < 0)
		goto out;
	if (q.route_type == RTN_BROADCAST) { /* IPv4 subnet broadcast */
		memset(mac, 0xff, 6);
		rc = 0;
		goto out;
	}
	if (q.route_type != RTN_UNICAST) { /* local, anycast...: nothing to resolve on the link */
		rc = 1;
		goto out;
	}
	uint64_t deadline = inject_now_ns() + (uint64_t)wait_ms * 1000000u;
	for (unsigned seq = 2; !q.found; seq++) {
		nlh = mnl_nlmsg_put_header(req);
		nlh->nlmsg_type = RTM_GETNEIGH;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		nlh->nlmsg_seq = seq;
		struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
		nd->ndm_family = (uint8_t)af;
		nd->ndm_ifindex = ifindex;
		if (nl_exchange(nl, nlh, neigh_reply, &q) < 0 || inject_now_ns() >= deadline)
			break;
		if (!q.found) {
			struct timespec ts = {0, 10000000}; /* poll every 10 ms */
			if (nanosleep(&ts, NULL) < 0 && errno == EINTR)
				break; /* a signal: give up at once */
		}
	}
	if (q.found) {
		memcpy(mac, q.mac, 6);
		rc = 0;
	}
out:
	mnl_socket_close(nl);
	return rc;
}

uint64_t inject_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void pacer_init(struct pacer *p, double pps, unsigned max_batch, const volatile sig_atomic_t *stop)
{
	memset(p, 0, sizeof(*p));
	p->stop = stop;
	p->batch = pps > 0 ? 1 : max_batch;
	if (pps <= 0)
		return;
	double interval = 1e9 / pps;
	while (interval * p->batch < BATCH_INTERVAL_NS && p->batch < max_batch)
		p->batch++;
	p->interval_ns = (uint64_t)(interval * p->batch + 0.5);
	p->start_ns = inject_now_ns();
}

unsigned pacer_wait(struct pacer *p)
{
	if (!p->interval_ns)
		return p->batch;
	uint64_t deadline = p->start_ns + p->count * p->interval_ns;
	uint64_t now = inject_now_ns();
	if (deadline > now + SPIN_NS) {
		struct timespec ts;
		uint64_t wake = deadline - SPIN_NS;
		ts.tv_sec = (time_t)(wake / 1000000000ull);
		ts.tv_nsec = (long)(wake % 1000000000ull);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			if (p->stop && *p->stop)
				return 0;
	}
	while (inject_now_ns() < deadline)
		if (p->stop && *p->stop)
			return 0;
	p->count++;
	return p->batch;
}
