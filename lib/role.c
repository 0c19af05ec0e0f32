/* Daemon roles as modules (RFC 5213 LMA/MAG, RFC 8278 multipath): shared configuration,
 * RFC 4285 §5 signing and verification, the Mobility Header socket, tunnels and routes. */
#include "role.h"

#include "dataplane.h"
#include "dlog.h"
#include "ev.h"
#include "keys.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

const struct dmm_role_ops *dmm_role_find(const char *name)
{
	static const struct dmm_role_ops *const roles[] = {&dmm_role_lma, &dmm_role_mag};
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(roles[i]->name, name) == 0)
			return roles[i];
	return NULL;
}

/* ---- core keywords (struct dmmd) ---- */

static int kw_role(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct dmmd *d = ctx;
	if (d->role && strcmp(d->role->name, n->argv[0]) != 0) {
		snprintf(err, len, "only one role per daemon");
		return -1;
	}
	return 0;
}

static int kw_log_level(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	static const char *const levels[] = {"warn", "info", "debug", NULL};
	struct dmmd *d = ctx;
	int l = conf_choice(n->argv[0], levels, err, len);
	if (l < 0)
		return -1;
	if (!d->log_level_set)
		d->log_level = l;
	return 0;
}

static int kw_ctl_socket(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct dmmd *d = ctx;
	if (strlen(n->argv[0]) >= sizeof(d->ctl_path)) {
		snprintf(err, len, "path too long");
		return -1;
	}
	if (!d->ctl_path[0])
		snprintf(d->ctl_path, sizeof(d->ctl_path), "%s", n->argv[0]);
	return 0;
}

const struct conf_kw dmmd_core_keywords[] = {
    {"role", 1, 1, 0, kw_role, NULL},
    {"log-level", 1, 1, 0, kw_log_level, NULL},
    {"control-socket", 1, 1, 0, kw_ctl_socket, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

/* ---- common role keywords (struct role_common) ---- */

static int kw_auth(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct role_common *rc = ctx;
	return conf_bool(n->argv[0], &rc->auth, err, len);
}

static int kw_ts_window(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct role_common *rc = ctx;
	unsigned long v;
	if (conf_uint(n->argv[0], 1, 3600000, &v, err, len) < 0)
		return -1;
	rc->ts_window_ms = (unsigned)v;
	return 0;
}

static int kw_dataplane(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	static const char *const kinds[] = {"auto", "tun", "ip6tnl", "none", NULL};
	struct role_common *rc = ctx;
	int k = conf_choice(n->argv[0], kinds, err, len);
	if (k < 0)
		return -1;
	rc->dp_kind = k;
	return 0;
}

static int kw_tun_name(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct role_common *rc = ctx;
	if (strlen(n->argv[0]) >= sizeof(rc->tun_name)) {
		snprintf(err, len, "interface name too long");
		return -1;
	}
	snprintf(rc->tun_name, sizeof(rc->tun_name), "%s", n->argv[0]);
	return 0;
}

static int kw_policy(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct role_common *rc = ctx;
	if (strlen(n->argv[0]) >= sizeof(rc->policy)) {
		snprintf(err, len, "policy too long");
		return -1;
	}
	struct dp_policy pol;
	if (dp_policy_parse(n->argv[0], &pol, err, len) < 0)
		return -1;
	snprintf(rc->policy, sizeof(rc->policy), "%s", n->argv[0]);
	return 0;
}

static int kw_peer(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct role_common *rc = ctx;
	if (rc->npeers >= ROLE_MAX_PEERS) {
		snprintf(err, len, "more than %d peers", ROLE_MAX_PEERS);
		return -1;
	}
	if (strlen(n->argv[0]) >= ROLE_NAME_MAX) {
		snprintf(err, len, "name too long");
		return -1;
	}
	for (unsigned i = 0; i < rc->npeers; i++)
		if (strcmp(rc->peers[i].name, n->argv[0]) == 0) {
			snprintf(err, len, "peer '%s' defined twice", n->argv[0]);
			return -1;
		}
	struct role_peer *p = &rc->peers[rc->npeers++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", n->argv[0]);
	p->proxy_reg = 1;
	*child = p;
	return 0;
}

static int kw_peer_address(void *ctx, const struct conf_node *n, void **child, char *err,
                           size_t len)
{
	struct role_peer *p = ctx;
	if (p->naddr >= ROLE_PEER_MAX_ADDR) {
		snprintf(err, len, "more than %d addresses", ROLE_PEER_MAX_ADDR);
		return -1;
	}
	return conf_addr6(n->argv[0], p->addr[p->naddr++], err, len);
}

static int kw_peer_spi(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct role_peer *p = ctx;
	unsigned long v;
	/* RFC 4285 §5: SPI values 0-255 are reserved */
	if (conf_uint(n->argv[0], 256, 0xffffffffUL, &v, err, len) < 0)
		return -1;
	p->spi = (uint32_t)v;
	return 0;
}

static int kw_peer_key(void *ctx, const struct conf_node *n, void **child, char *err, size_t len)
{
	struct role_peer *p = ctx;
	const char *k = n->argv[0];
	int l;
	if (strncmp(k, "0x", 2) == 0)
		l = dmm_hex_decode(k, p->key, sizeof(p->key));
	else
		l = strlen(k) <= sizeof(p->key) ? (int)strlen(k) : -1;
	if (l <= 0) {
		snprintf(err, len, "key must be 1..%zu octets of hex (0x...) or text",
		         sizeof(p->key));
		return -1;
	}
	if (strncmp(k, "0x", 2) != 0)
		memcpy(p->key, k, (size_t)l);
	p->keylen = (size_t)l;
	return 0;
}

static int kw_peer_proxy_reg(void *ctx, const struct conf_node *n, void **child, char *err,
                             size_t len)
{
	struct role_peer *p = ctx;
	return conf_bool(n->argv[0], &p->proxy_reg, err, len);
}

static const struct conf_kw peer_keywords[] = {
    {"address", 1, 1, 0, kw_peer_address, NULL},
    {"spi", 1, 1, 0, kw_peer_spi, NULL},
    {"key", 1, 1, 0, kw_peer_key, NULL},
    {"proxy-reg", 1, 1, 0, kw_peer_proxy_reg, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

const struct conf_kw role_common_keywords[] = {
    {"auth", 1, 1, 0, kw_auth, NULL},
    {"timestamp-window", 1, 1, 0, kw_ts_window, NULL},
    {"dataplane", 1, 1, 0, kw_dataplane, NULL},
    {"tun-name", 1, 1, 0, kw_tun_name, NULL},
    {"policy", 1, 1, 0, kw_policy, NULL},
    {"peer", 1, 1, 1, kw_peer, peer_keywords},
    {NULL, 0, 0, 0, NULL, NULL},
};

/* Checks every role applies after its configuration. */
static int common_check(const struct role_common *rc, char *err, size_t len)
{
	for (unsigned i = 0; i < rc->npeers; i++) {
		const struct role_peer *p = &rc->peers[i];
		if (!p->naddr) {
			snprintf(err, len, "peer '%s' has no address", p->name);
			return -1;
		}
		if (rc->auth && (!p->spi || !p->keylen)) {
			snprintf(err, len, "peer '%s' needs an spi and a key (auth is on)",
			         p->name);
			return -1;
		}
		for (unsigned j = 0; j < i; j++)
			if (rc->auth && rc->peers[j].spi == p->spi) {
				snprintf(err, len, "peers '%s' and '%s' share SPI %u",
				         rc->peers[j].name, p->name, p->spi);
				return -1;
			}
	}
	return 0;
}

void *role_setup(struct dmmd *d, const struct conf *cf, char *err, size_t errlen)
{
	const struct conf_node *rn = conf_find(cf->root, "role");
	if (!rn || rn->argc != 1) {
		snprintf(err, errlen, "%s: missing 'role lma|mag' statement", cf->path);
		return NULL;
	}
	d->role = dmm_role_find(rn->argv[0]);
	if (!d->role) {
		snprintf(err, errlen, "%s:%d: unknown role '%s'", cf->path, rn->line, rn->argv[0]);
		return NULL;
	}
	d->conf = cf;
	void *st = d->role->init(d);
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	const struct conf_scope scopes[] = {
	    {dmmd_core_keywords, d},
	    {d->role->keywords, st},
	    {role_common_keywords, st},
	};
	char why[256];
	if (conf_apply(cf, cf->root, scopes, 3, err, errlen) < 0)
		goto fail;
	if (common_check(st, why, sizeof(why)) < 0 || d->role->check(st, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", cf->path, why);
		goto fail;
	}
	return st;
fail:
	d->role->free(st);
	return NULL;
}

/* ---- peers, RFC 4285 ---- */

int role_peer_has_addr(const struct role_peer *p, const uint8_t addr[16])
{
	for (unsigned i = 0; i < p->naddr; i++)
		if (memcmp(p->addr[i], addr, 16) == 0)
			return 1;
	return 0;
}

const struct role_peer *role_peer_by_spi(const struct role_common *rc, uint32_t spi)
{
	for (unsigned i = 0; i < rc->npeers; i++)
		if (rc->peers[i].spi == spi && rc->peers[i].keylen)
			return &rc->peers[i];
	return NULL;
}

const struct role_peer *role_peer_by_addr(const struct role_common *rc, const uint8_t addr[16])
{
	for (unsigned i = 0; i < rc->npeers; i++)
		if (role_peer_has_addr(&rc->peers[i], addr))
			return &rc->peers[i];
	return NULL;
}

int role_mh_verify(const struct role_common *rc, const uint8_t *mh, size_t len, const uint8_t *src,
                   const uint8_t *dst, const uint8_t *coa, const uint8_t *hoa, struct mh_msg *m,
                   const struct role_peer **peer, const char **why)
{
	struct dmm_cursor c;
	*peer = NULL;
	if (mh_checksum(src, dst, mh, len) != 0) {
		*why = "checksum";
		return -1;
	}
	if (mh_parse(mh, len, m, &c) != DMM_OK) {
		*why = "malformed";
		return -1;
	}
	if (!rc->auth) {
		*peer = role_peer_by_addr(rc, src);
		return 0;
	}
	/* RFC 4285 §5: the authentication option is the last option of the message */
	const struct mh_opt *o = m->nopts ? &m->opts[m->nopts - 1] : NULL;
	if (!o || o->type != MH_OPT_AUTH) {
		*why = "auth option missing";
		return -1;
	}
	const struct role_peer *p = role_peer_by_spi(rc, o->v.auth.spi);
	if (!p) {
		*why = "auth unknown SPI";
		return -1;
	}
	uint8_t expect[MH_AUTH_LEN];
	size_t auth_off = (size_t)(o->data - 2 - mh);
	mh_auth_compute(mh, auth_off, coa, hoa, p->key, p->keylen, expect);
	if (o->v.auth.authlen != MH_AUTH_LEN ||
	    CRYPTO_memcmp(expect, o->v.auth.auth, MH_AUTH_LEN) != 0) {
		*why = "auth bad authenticator";
		return -1;
	}
	*peer = p;
	return 0;
}

int role_mh_build(const struct role_common *rc, struct mh_msg *m, const struct role_peer *peer,
                  const uint8_t *src, const uint8_t *dst, const uint8_t *coa, const uint8_t *hoa,
                  uint8_t *out, size_t cap)
{
	static const uint8_t placeholder[MH_AUTH_LEN];
	int sign = rc->auth && peer && peer->keylen;
	if (sign) {
		struct mh_opt *o = mh_add_opt(m, MH_OPT_AUTH);
		if (!o)
			return -1;
		o->v.auth.subtype = 1; /* MN-HA */
		o->v.auth.spi = peer->spi;
		o->v.auth.auth = placeholder;
		o->v.auth.authlen = MH_AUTH_LEN;
	}
	struct dmm_wbuf w;
	wb_init(&w, out, cap);
	int len = mh_encode(m, NULL, NULL, &w); /* no checksum yet: signed first */
	if (sign)
		m->nopts--;
	if (len < 0)
		return -1;
	if (sign) {
		/* the option sits right before the final padding: find it by walking */
		struct dmm_cursor c;
		struct mh_msg *chk = malloc(sizeof(*chk));
		if (!chk)
			return -1;
		const struct mh_opt *o = NULL;
		if (mh_parse(out, (size_t)len, chk, &c) == DMM_OK && chk->nopts)
			o = &chk->opts[chk->nopts - 1];
		size_t off = o && o->type == MH_OPT_AUTH ? (size_t)(o->data - 2 - out) : 0;
		free(chk);
		if (!off)
			return -1;
		mh_auth_compute(out, off, coa, hoa, peer->key, peer->keylen, out + off + 7);
	}
	out[4] = out[5] = 0;
	uint16_t sum = mh_checksum(src, dst, out, (size_t)len);
	out[4] = (uint8_t)(sum >> 8);
	out[5] = (uint8_t)sum;
	return len;
}

/* ---- Mobility Header socket ---- */

/* Control buffer of one IPV6_PKTINFO message (CMSG_SPACE(20) is 40 on LP64). */
#define PKTINFO_SPACE 64

int role_mh_open(struct role_common *rc, void (*cb)(int fd, uint32_t events, void *arg), void *arg,
                 char *err, size_t errlen)
{
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_MH);
	int one = 1, rcvbuf = 32 << 20;
	if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0) {
		snprintf(err, errlen, "mobility header socket: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* room for bursts of PBUs while the daemon waits for a CPU (beyond rmem_max as root) */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &rcvbuf, sizeof(rcvbuf));
	if (ev_fd_add(rc->d->loop, fd, EPOLLIN, cb, arg) < 0) {
		snprintf(err, errlen, "event loop: %s", strerror(errno));
		close(fd);
		return -1;
	}
	rc->mh_fd = fd;
	return 0;
}

int role_mh_path_socket(const char *ifname, char *err, size_t errlen)
{
	/* receive nothing: replies are read on the role's main socket */
	static struct sock_filter drop_all[] = {BPF_STMT(BPF_RET | BPF_K, 0)};
	struct sock_fprog prog = {1, drop_all};
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_MH);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) < 0) {
		snprintf(err, errlen, "%s: %s", ifname, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

void role_mh_close(struct role_common *rc)
{
	if (rc->mh_fd < 0)
		return;
	ev_fd_del(rc->d->loop, rc->mh_fd);
	close(rc->mh_fd);
	rc->mh_fd = -1;
}

/* The destination address of a received message (IPV6_PKTINFO), or :: */
static void pktinfo_dst(struct msghdr *msg, uint8_t dst[16])
{
	memset(dst, 0, 16);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c))
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			memcpy(dst, &pi.ipi6_addr, 16);
		}
}

/* Address msg to dst from src (IPV6_PKTINFO in cbuf). */
static void address_msg(struct msghdr *msg, struct sockaddr_in6 *to, void *cbuf, size_t cblen,
                        const uint8_t *src, const uint8_t *dst)
{
	memset(to, 0, sizeof(*to));
	to->sin6_family = AF_INET6;
	memcpy(&to->sin6_addr, dst, 16);
	memset(cbuf, 0, cblen);
	msg->msg_name = to;
	msg->msg_namelen = sizeof(*to);
	msg->msg_control = cbuf;
	msg->msg_controllen = cblen;
	struct cmsghdr *c = CMSG_FIRSTHDR(msg);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
	struct in6_pktinfo pi = {0};
	memcpy(&pi.ipi6_addr, src, 16);
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	msg->msg_controllen = CMSG_SPACE(sizeof(pi)); /* exactly the one message */
}

ssize_t role_mh_recv(int fd, uint8_t *buf, size_t cap, uint8_t src[16], uint8_t dst[16])
{
	struct sockaddr_in6 from;
	char cbuf[PKTINFO_SPACE];
	struct iovec iov = {buf, cap};
	struct msghdr msg = {.msg_name = &from,
	                     .msg_namelen = sizeof(from),
	                     .msg_iov = &iov,
	                     .msg_iovlen = 1,
	                     .msg_control = cbuf,
	                     .msg_controllen = sizeof(cbuf)};
	ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	memcpy(src, &from.sin6_addr, 16);
	pktinfo_dst(&msg, dst);
	return n ? n : -1;
}

int role_mh_send(int fd, const uint8_t *mh, size_t len, const uint8_t *src, const uint8_t *dst)
{
	struct sockaddr_in6 to;
	union {
		char buf[PKTINFO_SPACE];
		size_t align; /* cmsghdr alignment */
	} cbuf;
	struct iovec iov = {(void *)mh, len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	address_msg(&msg, &to, cbuf.buf, sizeof(cbuf.buf), src, dst);
	if (sendmsg(fd, &msg, MSG_DONTWAIT) < 0) {
		char a[INET6_ADDRSTRLEN];
		role_fmt_addr(dst, a, sizeof(a));
		log_debug("send MH to %s: %s", a, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- batched receive and send (recvmmsg/sendmmsg) ---- */

struct role_mh_slot {
	struct sockaddr_in6 peer;
	union {
		char buf[PKTINFO_SPACE];
		size_t align; /* cmsghdr alignment */
	} cmsg;
	struct iovec iov;
	uint8_t data[ROLE_MH_MAX];
};

struct role_mh_batch {
	struct mmsghdr in_msgs[ROLE_MH_BATCH], out_msgs[ROLE_MH_BATCH];
	struct role_mh_slot in[ROLE_MH_BATCH], out[ROLE_MH_BATCH];
	unsigned nin, nout;
};

struct role_mh_batch *role_mh_batch_new(void)
{
	return calloc(1, sizeof(struct role_mh_batch));
}

void role_mh_batch_free(struct role_mh_batch *b)
{
	free(b);
}

int role_mh_recv_batch(int fd, struct role_mh_batch *b)
{
	for (unsigned i = 0; i < ROLE_MH_BATCH; i++) {
		struct role_mh_slot *s = &b->in[i];
		struct msghdr *h = &b->in_msgs[i].msg_hdr;
		s->iov = (struct iovec){s->data, sizeof(s->data)};
		*h = (struct msghdr){.msg_name = &s->peer,
		                     .msg_namelen = sizeof(s->peer),
		                     .msg_iov = &s->iov,
		                     .msg_iovlen = 1,
		                     .msg_control = s->cmsg.buf,
		                     .msg_controllen = sizeof(s->cmsg.buf)};
	}
	int n = recvmmsg(fd, b->in_msgs, ROLE_MH_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	b->nin = (unsigned)n;
	return n;
}

const uint8_t *role_mh_batch_get(struct role_mh_batch *b, unsigned i, size_t *len, uint8_t src[16],
                                 uint8_t dst[16])
{
	struct role_mh_slot *s = &b->in[i];
	*len = b->in_msgs[i].msg_len;
	memcpy(src, &s->peer.sin6_addr, 16);
	pktinfo_dst(&b->in_msgs[i].msg_hdr, dst);
	return s->data;
}

uint8_t *role_mh_batch_out(struct role_mh_batch *b, size_t *cap)
{
	*cap = sizeof(b->out[0].data);
	return b->out[b->nout].data;
}

void role_mh_batch_commit(struct role_mh_batch *b, size_t len, const uint8_t *src,
                          const uint8_t *dst)
{
	struct role_mh_slot *s = &b->out[b->nout];
	struct msghdr *h = &b->out_msgs[b->nout].msg_hdr;
	s->iov = (struct iovec){s->data, len};
	*h = (struct msghdr){.msg_iov = &s->iov, .msg_iovlen = 1};
	address_msg(h, &s->peer, s->cmsg.buf, sizeof(s->cmsg.buf), src, dst);
	b->nout++;
}

int role_mh_batch_flush(int fd, struct role_mh_batch *b)
{
	unsigned sent = 0;
	int failed = 0;
	while (sent < b->nout) {
		int n = sendmmsg(fd, b->out_msgs + sent, b->nout - sent, MSG_DONTWAIT);
		if (n <= 0) {
			/* skip the message that failed (unreachable peer, full buffer) */
			failed++;
			sent++;
			continue;
		}
		sent += (unsigned)n;
	}
	b->nout = 0;
	return failed;
}

/* ---- data plane ---- */

int role_dp_open(struct role_common *rc, char *err, size_t errlen)
{
	if (rc->dp_kind == ROLE_DP_NONE)
		return 0;
	struct dp_policy *pol = calloc(1, sizeof(*pol));
	if (!pol || dp_policy_parse(rc->policy[0] ? rc->policy : "flow", pol, err, errlen) < 0) {
		free(pol);
		return -1;
	}
	static const enum dp_backend_kind kinds[] = {DP_BACKEND_AUTO, DP_BACKEND_TUN,
	                                             DP_BACKEND_IP6TNL};
	struct dp_options opt = {.backend = kinds[rc->dp_kind],
	                         .tun_name = rc->tun_name[0] ? rc->tun_name : NULL};
	rc->dp = dp_open(rc->d->loop, &opt, err, errlen);
	if (!rc->dp) {
		free(pol);
		return -1;
	}
	rc->dp_policy = pol;
	log_info("data plane: %s backend", dp_backend_name(rc->dp));
	return 0;
}

void role_dp_close(struct role_common *rc)
{
	if (rc->dp)
		dp_close(rc->dp);
	rc->dp = NULL;
	free(rc->dp_policy);
	rc->dp_policy = NULL;
	memset(rc->tun_refs, 0, sizeof(rc->tun_refs));
}

static void tunnel_event(const struct role_common *rc, const char *name, int id)
{
	struct dp_tunnel_info info;
	if (!role_event_wanted(rc, name) || dp_tunnel_info(rc->dp, id, &info) < 0)
		return;
	char l[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, &info.local, l, sizeof(l));
	inet_ntop(AF_INET6, &info.remote, r, sizeof(r));
	struct json_object *f = json_object_new_object();
	json_object_object_add(f, "tunnel", json_object_new_string(info.name));
	json_object_object_add(f, "local", json_object_new_string(l));
	json_object_object_add(f, "remote", json_object_new_string(r));
	json_object_object_add(f, "if_label", json_object_new_int(info.if_label));
	role_event(rc, name, f);
}

int role_tunnel_ref(struct role_common *rc, const uint8_t local[16], const uint8_t remote[16],
                    uint8_t if_label)
{
	if (!rc->dp)
		return -1;
	for (int id = dp_tunnel_next(rc->dp, -1); id >= 0; id = dp_tunnel_next(rc->dp, id)) {
		struct dp_tunnel_info info;
		if (dp_tunnel_info(rc->dp, id, &info) == 0 && !memcmp(&info.local, local, 16) &&
		    !memcmp(&info.remote, remote, 16)) {
			if (id < 256)
				rc->tun_refs[id]++;
			return id;
		}
	}
	char name[DP_NAME_MAX];
	snprintf(name, sizeof(name), "%s%u", rc->tun_prefix ? rc->tun_prefix : "dmm",
	         rc->tun_seq++);
	int id = dp_tunnel_add(rc->dp, name, (const struct in6_addr *)local,
	                       (const struct in6_addr *)remote, if_label, 1);
	if (id < 0) {
		log_warn("tunnel %s", name);
		return -1;
	}
	if (id < 256)
		rc->tun_refs[id] = 1;
	tunnel_event(rc, "tunnel-up", id);
	return id;
}

void role_tunnel_unref(struct role_common *rc, int id)
{
	if (!rc->dp || id < 0 || id >= 256 || !rc->tun_refs[id])
		return;
	if (--rc->tun_refs[id])
		return;
	tunnel_event(rc, "tunnel-down", id);
	dp_tunnel_del(rc->dp, id);
}

int role_tunnel_set_up(struct role_common *rc, int id, int up)
{
	if (!rc->dp || id < 0)
		return -1;
	int r = dp_tunnel_set_up(rc->dp, id, up);
	tunnel_event(rc, up ? "tunnel-up" : "tunnel-down", id);
	return r;
}

void role_routes_sync(struct role_common *rc, const struct bc_entry *e, int dir, int remove)
{
	if (!rc->dp)
		return;
	int tunnels[DP_ROUTE_MAX_PATHS];
	unsigned n = 0;
	for (const struct bc_binding *b = e->bindings; b && !remove; b = b->next)
		if (b->state == BC_ACTIVE && b->tunnel >= 0 && n < DP_ROUTE_MAX_PATHS) {
			unsigned k = 0;
			while (k < n && tunnels[k] != b->tunnel)
				k++;
			if (k == n)
				tunnels[n++] = b->tunnel;
		}
	enum dp_route_dir rd = dir ? DP_ROUTE_FROM : DP_ROUTE_TO;
	for (unsigned i = 0; i < e->nhnp; i++) {
		const struct bc_prefix *p = &e->hnp[i];
		if (n) {
			if (dp_route_add(rc->dp, rd, AF_INET6, p->addr, p->plen, tunnels, n,
			                 rc->dp_policy) < 0)
				log_warn("route add");
		} else {
			dp_route_del(rc->dp, rd, AF_INET6, p->addr, p->plen);
		}
	}
}

void role_onlink_sync(struct role_common *rc, const struct bc_entry *e, const char *ifname, int add)
{
	if (!rc->dp || !ifname || !ifname[0])
		return;
	for (unsigned i = 0; i < e->nhnp; i++) {
		const struct bc_prefix *p = &e->hnp[i];
		if (add && dp_onlink_route_add(rc->dp, AF_INET6, p->addr, p->plen, ifname) < 0)
			log_warn("on-link route on %s", ifname);
		if (!add)
			dp_onlink_route_del(rc->dp, AF_INET6, p->addr, p->plen, ifname);
	}
}

/* ---- events ---- */

/* Events worth a log line at info level; the others are logged at debug level. */
static int info_event(const char *name)
{
	static const char *const names[] = {"reject", "multipath-disabled", "mn-attached",
	                                    "mn-detached", "registration-failed"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

int role_event_wanted(const struct role_common *rc, const char *name)
{
	int level = log_getlevel();
	return (rc->d && ctl_subscribers(rc->d->ctl) > 0) || level >= DLOG_DEBUG ||
	       (level >= DLOG_INFO && rc->d && rc->d->ctl && info_event(name));
}

void role_event(const struct role_common *rc, const char *name, struct json_object *fields)
{
	int level = log_getlevel();
	if (rc->d && rc->d->ctl &&
	    (level >= DLOG_DEBUG || (level >= DLOG_INFO && info_event(name)))) {
		const char *text =
		    fields ? json_object_to_json_string_ext(fields, JSON_C_TO_STRING_PLAIN) : "";
		if (info_event(name))
			log_info("%s %s", name, text);
		else
			log_debug("%s %s", name, text);
	}
	ctl_event(rc->d ? rc->d->ctl : NULL, name, fields);
}

void role_drop_event(const struct role_common *rc, const uint8_t *src, const char *reason)
{
	if (!role_event_wanted(rc, "drop"))
		return;
	struct json_object *f = role_event_fields(NULL, 0, -1, src, -1, -1);
	json_object_object_add(f, "reason", json_object_new_string(reason));
	role_event(rc, "drop", f);
}

struct json_object *role_event_fields(const uint8_t *id, size_t idlen, int bid, const uint8_t *pcoa,
                                      int seq, int status)
{
	struct json_object *f = json_object_new_object();
	char buf[BC_MAX_ID + 1];
	if (id) {
		role_fmt_id(id, idlen, buf, sizeof(buf));
		json_object_object_add(f, "mn_id", json_object_new_string(buf));
	}
	if (bid >= 0)
		json_object_object_add(f, "bid", json_object_new_int(bid));
	if (pcoa) {
		role_fmt_addr(pcoa, buf, sizeof(buf));
		json_object_object_add(f, "pcoa", json_object_new_string(buf));
	}
	if (seq >= 0)
		json_object_object_add(f, "seq", json_object_new_int(seq));
	if (status >= 0)
		json_object_object_add(f, "status", json_object_new_int(status));
	return f;
}

/* ---- binding listings ---- */

struct json_object *role_binding_json(const struct role_common *rc, const struct bc_binding *b,
                                      const uint8_t lmaa[16])
{
	static const char *const states[] = {"pending", "active", "deleting"};
	const struct bc_entry *e = b->entry;
	char buf[BC_MAX_ID + 1];
	struct json_object *o = json_object_new_object();
	role_fmt_id(e->id, e->id_len, buf, sizeof(buf));
	json_object_object_add(o, "mn_id", json_object_new_string(buf));
	struct json_object *h = json_object_new_array();
	for (unsigned i = 0; i < e->nhnp; i++) {
		role_fmt_prefix(e->hnp[i].addr, e->hnp[i].plen, buf, sizeof(buf));
		json_object_array_add(h, json_object_new_string(buf));
	}
	json_object_object_add(o, "hnp", h);
	json_object_object_add(o, "bid", json_object_new_int(b->bid));
	role_fmt_addr(b->pcoa, buf, sizeof(buf));
	json_object_object_add(o, "pcoa", json_object_new_string(buf));
	role_fmt_addr(lmaa, buf, sizeof(buf));
	json_object_object_add(o, "lmaa", json_object_new_string(buf));
	json_object_object_add(o, "if_label", json_object_new_int(b->if_label));
	json_object_object_add(o, "if_att", json_object_new_int(b->if_att));
	json_object_object_add(o, "lifetime", json_object_new_int64(b->lifetime_s));
	json_object_object_add(
	    o, "remaining_ms",
	    json_object_new_int64((int64_t)ev_timer_remaining(rc->d->loop, &b->timer)));
	json_object_object_add(o, "state", json_object_new_string(states[b->state % 3]));
	json_object_object_add(o, "multipath", json_object_new_boolean(e->multipath));
	struct dp_tunnel_info info;
	if (rc->dp && b->tunnel >= 0 && dp_tunnel_info(rc->dp, b->tunnel, &info) == 0)
		json_object_object_add(o, "tunnel", json_object_new_string(info.name));
	else
		json_object_object_add(o, "tunnel", NULL);
	struct json_object *f = json_object_new_object();
	json_object_object_add(f, "b", json_object_new_boolean(b->mmb_flags & MH_MMB_B));
	json_object_object_add(f, "o", json_object_new_boolean(b->mmb_flags & MH_MMB_O));
	json_object_object_add(o, "flags", f);
	return o;
}

void role_show_bindings(const struct role_common *rc, const struct bcache *bc,
                        const uint8_t lmaa[16], struct json_object *req, struct json_object *reply)
{
	struct json_object *want = NULL;
	json_object_object_get_ex(req, "mn_id", &want);
	const char *id = want ? json_object_get_string(want) : NULL;
	struct json_object *arr = json_object_new_array();
	for (const struct bc_entry *e = bcache_next(bc, NULL); e; e = bcache_next(bc, e)) {
		if (id && (strlen(id) != e->id_len || memcmp(id, e->id, e->id_len)))
			continue;
		for (const struct bc_binding *b = e->bindings; b; b = b->next)
			json_object_array_add(arr, role_binding_json(rc, b, lmaa));
	}
	json_object_object_add(reply, "bindings", arr);
}

struct json_object *role_counters_json(const char *const *names, const uint64_t *vals, unsigned n,
                                       const struct bcache *bc)
{
	struct json_object *c = json_object_new_object();
	ctl_counters_json(c, names, vals, n);
	json_object_object_add(c, "mobile_nodes", json_object_new_int64((int64_t)bc->count));
	json_object_object_add(c, "bindings", json_object_new_int64((int64_t)bc->nbindings));
	return c;
}

uint64_t role_counter(const char *const *names, const uint64_t *vals, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return vals[i];
	return 0;
}

/* ---- common commands ---- */

static int cmd_show_tunnels(void *arg, struct json_object *req, struct json_object *reply,
                            char *err, size_t errlen)
{
	struct role_common *rc = arg;
	struct json_object *arr = json_object_new_array();
	for (int id = rc->dp ? dp_tunnel_next(rc->dp, -1) : -1; id >= 0;
	     id = dp_tunnel_next(rc->dp, id)) {
		struct dp_tunnel_info info;
		if (dp_tunnel_info(rc->dp, id, &info) < 0)
			continue;
		char l[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &info.local, l, sizeof(l));
		inet_ntop(AF_INET6, &info.remote, r, sizeof(r));
		struct json_object *t = json_object_new_object();
		json_object_object_add(t, "name", json_object_new_string(info.name));
		json_object_object_add(t, "local", json_object_new_string(l));
		json_object_object_add(t, "remote", json_object_new_string(r));
		json_object_object_add(t, "if_label", json_object_new_int(info.if_label));
		json_object_object_add(t, "up", json_object_new_boolean(info.up));
		json_object_object_add(t, "tx_packets",
		                       json_object_new_int64((int64_t)info.counters.tx_packets));
		json_object_object_add(t, "rx_packets",
		                       json_object_new_int64((int64_t)info.counters.rx_packets));
		json_object_object_add(t, "tx_bytes",
		                       json_object_new_int64((int64_t)info.counters.tx_bytes));
		json_object_object_add(t, "rx_bytes",
		                       json_object_new_int64((int64_t)info.counters.rx_bytes));
		json_object_array_add(arr, t);
	}
	json_object_object_add(reply, "tunnels", arr);
	return 0;
}

/* Replace the arguments of every `key` statement (RFC 4285 secrets) by "(hidden)". */
static void hide_keys(struct json_object *list)
{
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *n = json_object_array_get_idx(list, i), *k, *block;
		if (json_object_object_get_ex(n, "key", &k) &&
		    strcmp(json_object_get_string(k), "key") == 0) {
			struct json_object *hidden = json_object_new_array();
			json_object_array_add(hidden, json_object_new_string("(hidden)"));
			json_object_object_add(n, "args", hidden);
		}
		if (json_object_object_get_ex(n, "block", &block))
			hide_keys(block);
	}
}

static int cmd_show_config(void *arg, struct json_object *req, struct json_object *reply, char *err,
                           size_t errlen)
{
	struct role_common *rc = arg;
	json_object_object_add(reply, "role", json_object_new_string(rc->d->role->name));
	struct json_object *cfg = conf_to_json(rc->d->conf->root);
	hide_keys(cfg);
	json_object_object_add(reply, "config", cfg);
	return 0;
}

const struct ctl_cmd role_common_commands[] = {
    {"show-tunnels", cmd_show_tunnels},
    {"show-config", cmd_show_config},
    {NULL, NULL},
};

/* ---- helpers ---- */

uint64_t role_timestamp(uint64_t wall_ms)
{
	return (wall_ms / 1000) << 16 | ((wall_ms % 1000) * 65536 / 1000);
}

uint64_t role_timestamp_to_ms(uint64_t ts)
{
	return (ts >> 16) * 1000 + ((ts & 0xffff) * 1000 + 32768) / 65536;
}

void role_fmt_prefix(const uint8_t *p, uint8_t plen, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, p, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, plen);
}

void role_fmt_addr(const uint8_t *a, char *buf, size_t len)
{
	if (len < INET6_ADDRSTRLEN || !inet_ntop(AF_INET6, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

void role_fmt_id(const uint8_t *id, size_t len, char *buf, size_t buflen)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n + 1 < buflen; i++)
		buf[n++] = id[i] >= 0x20 && id[i] < 0x7f && id[i] != '"' && id[i] != '\\'
		               ? (char)id[i]
		               : '?';
	buf[n] = 0;
}
