/* Data plane core: RFC 2473 tunnel and route tables, RFC 8278 §4.1 label policy, weighted
 * per-flow/per-packet path selection, rtnetlink helpers. */
#include "dataplane.h"

#include "cursor.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <net/if.h>
#include <linux/rtnetlink.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ */
/* Policy text                                                          */
/* ------------------------------------------------------------------ */

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	errno = EINVAL;
	return -1;
}

struct proto_name {
	const char *name;
	int16_t proto;
};

static const struct proto_name proto_names[] = {
    {"any", -1},
    {"tcp", IPPROTO_TCP},
    {"udp", IPPROTO_UDP},
    {"icmp6", IPPROTO_ICMPV6},
    {"icmp", IPPROTO_ICMP},
    {"sctp", IPPROTO_SCTP},
};

#define POLICY_MAX_TOKENS 32
/* Longest text accepted: every canonical text (dp_policy_format of the largest policy,
 * about 1200 characters) must parse back, even when it is longer than what was parsed. */
#define POLICY_PARSE_MAX (DP_POLICY_TEXT_MAX * 8)

/* Split one ';'-separated part into tokens (words, and "->" on its own), copied with their
 * NULs into store (at least twice the part's length). */
static unsigned tokenize(const char *part, size_t len, char *store, char **tok, unsigned max)
{
	unsigned n = 0;
	size_t i = 0;
	while (i < len && n < max) {
		while (i < len && isspace((unsigned char)part[i]))
			i++;
		if (i >= len)
			break;
		size_t start = i;
		if (part[i] == '-' && i + 1 < len && part[i + 1] == '>')
			i += 2;
		else
			while (i < len && !isspace((unsigned char)part[i]) &&
			       !(part[i] == '-' && i + 1 < len && part[i + 1] == '>'))
				i++;
		memcpy(store, part + start, i - start);
		store[i - start] = '\0';
		tok[n++] = store;
		store += i - start + 1;
	}
	return n;
}

/* Parse an unsigned number in [0, max]; 0 on success. */
static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Split s at sep into at most max items, each parsed as a number in [lo, hi]. */
static int parse_list(char *s, char sep, unsigned long lo, unsigned long hi, unsigned long *out,
                      unsigned max, unsigned *n)
{
	const char delim[2] = {sep, '\0'};
	*n = 0;
	for (char *save = NULL, *item = strtok_r(s, delim, &save); item;
	     item = strtok_r(NULL, delim, &save)) {
		if (*n >= max || parse_uint(item, hi, &out[*n]) || out[*n] < lo)
			return -1;
		(*n)++;
	}
	return *n ? 0 : -1;
}

static int parse_ports(char *s, struct dp_rule *r)
{
	r->n_ports = 0;
	for (char *save = NULL, *item = strtok_r(s, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		unsigned long lo, hi;
		char *dash = strchr(item, '-');
		if (dash)
			*dash = '\0';
		if (r->n_ports >= DP_RULE_MAX_PORTS || parse_uint(item, 65535, &lo))
			return -1;
		hi = lo;
		if (dash && (parse_uint(dash + 1, 65535, &hi) || hi < lo))
			return -1;
		r->ports[r->n_ports++] = (struct dp_port_range){(uint16_t)lo, (uint16_t)hi};
	}
	return r->n_ports ? 0 : -1;
}

static int parse_mode(char **tok, unsigned n, struct dp_policy *pol, char *err, size_t errlen)
{
	if (n >= 1 && !strcasecmp(tok[0], "flow") && n == 1) {
		pol->mode = DP_MODE_FLOW;
		return 0;
	}
	if (n >= 1 && !strcasecmp(tok[0], "packet") && n <= 2) {
		pol->mode = DP_MODE_PACKET;
		if (n == 2) {
			unsigned long w[DP_ROUTE_MAX_PATHS];
			unsigned nw;
			if (parse_list(tok[1], ':', 1, 65535, w, DP_ROUTE_MAX_PATHS, &nw))
				return fail(err, errlen, "invalid: weights \"%s\" (W:W, 1..65535)",
				            tok[1]);
			for (unsigned i = 0; i < nw; i++)
				pol->weights[i] = (uint16_t)w[i];
			pol->n_weights = (uint8_t)nw;
		}
		return 0;
	}
	return fail(err, errlen, "invalid: mode must be \"flow\" or \"packet [W:W...]\"");
}

static int parse_rule(char **tok, unsigned n, struct dp_rule *r, char *err, size_t errlen)
{
	unsigned i = 0;
	memset(r, 0, sizeof(*r));
	r->proto = -1;
	if (i >= n)
		return fail(err, errlen, "invalid: empty rule");
	bool known = false;
	for (size_t k = 0; k < sizeof(proto_names) / sizeof(proto_names[0]); k++)
		if (!strcasecmp(tok[i], proto_names[k].name)) {
			r->proto = proto_names[k].proto;
			known = true;
		}
	if (!known) {
		unsigned long v;
		if (parse_uint(tok[i], 255, &v))
			return fail(err, errlen, "invalid: protocol \"%s\"", tok[i]);
		r->proto = (int16_t)v;
	}
	i++;
	if (i < n && !strcasecmp(tok[i], "port")) {
		if (i + 1 >= n || parse_ports(tok[i + 1], r))
			return fail(err, errlen, "invalid: port list (P[-P],...)");
		i += 2;
	}
	if (i + 2 >= n || strcmp(tok[i], "->") || strcasecmp(tok[i + 1], "label"))
		return fail(err, errlen, "invalid: rule needs \"-> label L[,L...]\"");
	unsigned long labels[DP_RULE_MAX_LABELS];
	unsigned nl;
	if (parse_list(tok[i + 2], ',', 0, 255, labels, DP_RULE_MAX_LABELS, &nl))
		return fail(err, errlen, "invalid: label list (0..255, at most %d)",
		            DP_RULE_MAX_LABELS);
	for (unsigned k = 0; k < nl; k++)
		r->labels[k] = (uint8_t)labels[k];
	r->n_labels = (uint8_t)nl;
	i += 3;
	if (i < n && !strcasecmp(tok[i], "strict")) {
		r->strict = true;
		i++;
	}
	if (i != n)
		return fail(err, errlen, "invalid: unexpected \"%s\" in rule", tok[i]);
	return 0;
}

int dp_policy_parse(const char *text, struct dp_policy *pol, char *err, size_t errlen)
{
	char store[POLICY_PARSE_MAX * 2];
	if (!text || strlen(text) >= POLICY_PARSE_MAX)
		return fail(err, errlen, "invalid: policy text too long");
	memset(pol, 0, sizeof(*pol));
	unsigned part = 0;
	for (const char *p = text;; part++) {
		const char *semi = strchr(p, ';');
		size_t len = semi ? (size_t)(semi - p) : strlen(p);
		char *tok[POLICY_MAX_TOKENS];
		unsigned n = tokenize(p, len, store, tok, POLICY_MAX_TOKENS);
		if (n == 0)
			return fail(err, errlen, "invalid: empty policy part");
		if (part == 0) {
			if (parse_mode(tok, n, pol, err, errlen))
				return -1;
		} else if (pol->n_rules >= DP_POLICY_MAX_RULES) {
			return fail(err, errlen, "invalid: more than %d rules",
			            DP_POLICY_MAX_RULES);
		} else if (parse_rule(tok, n, &pol->rules[pol->n_rules++], err, errlen)) {
			return -1;
		}
		if (!semi)
			break;
		p = semi + 1;
	}
	return 0;
}

static const char *proto_to_name(int16_t proto)
{
	for (size_t k = 0; k < sizeof(proto_names) / sizeof(proto_names[0]); k++)
		if (proto_names[k].proto == proto)
			return proto_names[k].name;
	return NULL;
}

/* Bounded appender for dp_policy_format. */
struct textbuf {
	char *p;
	size_t cap, len;
};

static void tb_add(struct textbuf *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->p + (t->len < t->cap ? t->len : t->cap),
	                  t->len < t->cap ? t->cap - t->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n;
}

int dp_policy_format(const struct dp_policy *pol, char *buf, size_t len)
{
	struct textbuf t = {buf, len, 0};
	if (len)
		buf[0] = '\0';
	tb_add(&t, "%s", pol->mode == DP_MODE_PACKET ? "packet" : "flow");
	for (unsigned i = 0; i < pol->n_weights; i++)
		tb_add(&t, "%s%u", i ? ":" : " ", pol->weights[i]);
	for (unsigned r = 0; r < pol->n_rules; r++) {
		const struct dp_rule *rule = &pol->rules[r];
		const char *name = proto_to_name(rule->proto);
		if (name)
			tb_add(&t, "; %s", name);
		else
			tb_add(&t, "; %d", rule->proto);
		for (unsigned p = 0; p < rule->n_ports; p++) {
			tb_add(&t, "%s%u", p ? "," : " port ", rule->ports[p].lo);
			if (rule->ports[p].hi != rule->ports[p].lo)
				tb_add(&t, "-%u", rule->ports[p].hi);
		}
		for (unsigned l = 0; l < rule->n_labels; l++)
			tb_add(&t, "%s%u", l ? "," : " -> label ", rule->labels[l]);
		if (rule->strict)
			tb_add(&t, " strict");
	}
	return (int)t.len;
}

/* ------------------------------------------------------------------ */
/* Classification                                                       */
/* ------------------------------------------------------------------ */

#define DP_MAX_EXT_HEADERS 8

static void read_ports(struct dmm_cursor *c, struct dp_flow *f)
{
	switch (f->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
	case IPPROTO_UDPLITE:
		f->sport = cur_u16(c);
		f->dport = cur_u16(c);
		break;
	case IPPROTO_ICMPV6:
	case IPPROTO_ICMP: {
		uint8_t type = cur_u8(c);
		cur_skip(c, 3);
		/* echo request/reply: the identifier keys the flow in both directions */
		bool echo = f->proto == IPPROTO_ICMPV6 ? (type == 128 || type == 129)
		                                       : (type == 8 || type == 0);
		uint16_t id = cur_u16(c);
		if (echo)
			f->sport = f->dport = id;
		break;
	}
	default:
		break;
	}
}

static int classify_ipv6(struct dmm_cursor *c, struct dp_flow *f)
{
	cur_skip(c, 4);
	uint16_t plen = cur_u16(c);
	uint8_t next = cur_u8(c);
	cur_skip(c, 1);
	cur_copy(c, &f->src, 16);
	cur_copy(c, &f->dst, 16);
	if (!cur_ok(c))
		return -1;
	struct dmm_cursor body = cur_sub(c, plen < cur_left(c) ? plen : cur_left(c));
	if (plen > body.len)
		cur_truncated(c);
	bool ports = true;
	for (unsigned i = 0; i <= DP_MAX_EXT_HEADERS; i++) {
		if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING && next != IPPROTO_DSTOPTS &&
		    next != IPPROTO_FRAGMENT && next != IPPROTO_AH)
			break;
		if (i == DP_MAX_EXT_HEADERS) {
			cur_invalid(c, "invalid: too many extension headers");
			return -1;
		}
		uint8_t nh = cur_u8(&body);
		uint8_t hlen = cur_u8(&body);
		if (next == IPPROTO_FRAGMENT) {
			uint16_t off = cur_u16(&body);
			cur_skip(&body, 4);
			if (off & 0xfff8)
				ports = false; /* a non-first fragment */
		} else if (next == IPPROTO_AH) {
			cur_skip(&body, ((size_t)hlen + 2) * 4 - 2);
		} else {
			cur_skip(&body, ((size_t)hlen + 1) * 8 - 2);
		}
		next = nh;
	}
	if (!cur_ok(&body)) {
		cur_truncated(c);
		return -1;
	}
	f->family = AF_INET6;
	f->proto = next;
	if (ports)
		read_ports(&body, f);
	return 0; /* a cut-short transport header just leaves the ports at 0 */
}

static void v4mapped(struct in6_addr *a, const uint8_t v4[4])
{
	memset(a, 0, sizeof(*a));
	a->s6_addr[10] = a->s6_addr[11] = 0xff;
	memcpy(&a->s6_addr[12], v4, 4);
}

static int classify_ipv4(struct dmm_cursor *c, struct dp_flow *f)
{
	uint8_t vihl = cur_u8(c);
	size_t ihl = (size_t)(vihl & 0x0f) * 4;
	cur_skip(c, 1);
	uint16_t total = cur_u16(c);
	cur_skip(c, 2);
	uint16_t frag = cur_u16(c);
	cur_skip(c, 1);
	f->proto = cur_u8(c);
	cur_skip(c, 2);
	uint8_t src[4], dst[4];
	cur_copy(c, src, 4);
	cur_copy(c, dst, 4);
	if (!cur_ok(c))
		return -1;
	if (ihl < 20 || total < ihl) {
		cur_invalid(c, "invalid: IPv4 header length");
		return -1;
	}
	cur_skip(c, ihl - 20);
	if (!cur_ok(c))
		return -1;
	f->family = AF_INET;
	v4mapped(&f->src, src);
	v4mapped(&f->dst, dst);
	if ((frag & 0x1fff) == 0)
		read_ports(c, f);
	return 0;
}

int dp_flow_classify(const uint8_t *pkt, size_t len, struct dp_flow *flow, const char **why)
{
	struct dmm_cursor c;
	cur_init(&c, pkt, len);
	memset(flow, 0, sizeof(*flow));
	int rc;
	switch (len ? pkt[0] >> 4 : 0) {
	case 6:
		rc = classify_ipv6(&c, flow);
		break;
	case 4:
		rc = classify_ipv4(&c, flow);
		break;
	default:
		if (!len)
			cur_truncated(&c);
		else
			cur_invalid(&c, "invalid: IP version");
		rc = -1;
	}
	if (rc && why)
		*why = c.why ? c.why : "truncated";
	return rc;
}

static inline uint32_t mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x7feb352dU;
	h ^= h >> 15;
	h *= 0x846ca68bU;
	h ^= h >> 16;
	return h;
}

static uint32_t hash_bytes(const uint8_t *p, size_t n, uint32_t h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619U;
	return h;
}

/* Symmetric: both directions of a flow hash alike. */
uint32_t dp_flow_hash(const struct dp_flow *f)
{
	int order = memcmp(&f->src, &f->dst, sizeof(f->src));
	if (!order) /* same address both ways: the ports decide the order */
		order = f->sport < f->dport ? -1 : f->sport > f->dport;
	const struct in6_addr *a = order <= 0 ? &f->src : &f->dst;
	const struct in6_addr *b = order <= 0 ? &f->dst : &f->src;
	uint16_t pa = order <= 0 ? f->sport : f->dport;
	uint16_t pb = order <= 0 ? f->dport : f->sport;
	uint32_t h = 2166136261U;
	h = hash_bytes(a->s6_addr, 16, h);
	h = hash_bytes(b->s6_addr, 16, h);
	uint8_t rest[5] = {f->proto, (uint8_t)(pa >> 8), (uint8_t)pa, (uint8_t)(pb >> 8),
	                   (uint8_t)pb};
	return mix32(hash_bytes(rest, sizeof(rest), h));
}

/* ------------------------------------------------------------------ */
/* Path selection                                                       */
/* ------------------------------------------------------------------ */

static bool port_matches(const struct dp_rule *r, const struct dp_flow *f)
{
	if (!r->n_ports)
		return true;
	for (unsigned i = 0; i < r->n_ports; i++) {
		const struct dp_port_range *p = &r->ports[i];
		if ((f->dport >= p->lo && f->dport <= p->hi) ||
		    (f->sport >= p->lo && f->sport <= p->hi))
			return true;
	}
	return false;
}

static bool rule_matches(const struct dp_rule *r, const struct dp_flow *f)
{
	if (r->proto >= 0 && r->proto != f->proto)
		return false;
	if (r->n_ports && f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP &&
	    f->proto != IPPROTO_SCTP && f->proto != IPPROTO_UDPLITE)
		return false;
	return port_matches(r, f);
}

static uint16_t path_weight(const struct dp_policy *pol, const struct dp_path *paths, unsigned i)
{
	uint16_t w = i < pol->n_weights ? pol->weights[i] : paths[i].weight;
	return w ? w : 1;
}

/* Weighted rendezvous hashing over the up paths that pass filter (label, or any
 * when label < 0): score = w / -ln(u), u uniform in (0,1) from (flow, path). */
static int rendezvous(const struct dp_policy *pol, const struct dp_path *paths, unsigned n,
                      uint32_t flow_hash, int label)
{
	int best = -1;
	double best_score = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!paths[i].up || (label >= 0 && paths[i].if_label != label))
			continue;
		uint32_t h = mix32(flow_hash ^ mix32(0x9e3779b9U * (i + 1)));
		double u = ((double)h + 1.0) / 4294967297.0;
		double score = path_weight(pol, paths, i) / -log(u);
		if (best < 0 || score > best_score) {
			best = (int)i;
			best_score = score;
		}
	}
	return best;
}

/* Smooth weighted round robin (every window of sum(W) picks gives exact shares). */
static int smooth_wrr(const struct dp_policy *pol, const struct dp_path *paths, unsigned n,
                      struct dp_wrr *wrr)
{
	int32_t total = 0;
	int best = -1;
	for (unsigned i = 0; i < n; i++) {
		if (!paths[i].up) {
			wrr->current[i] = 0;
			continue;
		}
		int32_t w = path_weight(pol, paths, i);
		wrr->current[i] += w;
		total += w;
		if (best < 0 || wrr->current[i] > wrr->current[best])
			best = (int)i;
	}
	if (best >= 0)
		wrr->current[best] -= total;
	return best;
}

int dp_select_path(const struct dp_policy *pol, const struct dp_path *paths, unsigned n,
                   const struct dp_flow *flow, struct dp_wrr *wrr)
{
	static const struct dp_policy flow_policy; /* mode flow, no rules */
	if (!pol)
		pol = &flow_policy;
	if (n > DP_ROUTE_MAX_PATHS)
		n = DP_ROUTE_MAX_PATHS;
	uint32_t h = dp_flow_hash(flow);
	for (unsigned r = 0; r < pol->n_rules; r++) {
		const struct dp_rule *rule = &pol->rules[r];
		if (!rule_matches(rule, flow))
			continue;
		for (unsigned l = 0; l < rule->n_labels; l++) {
			int i = rendezvous(pol, paths, n, h, rule->labels[l]);
			if (i >= 0)
				return i;
		}
		if (rule->strict)
			return -1;
		break; /* fall back to the mode's distribution */
	}
	if (pol->mode == DP_MODE_PACKET && wrr)
		return smooth_wrr(pol, paths, n, wrr);
	return rendezvous(pol, paths, n, h, -1);
}

/* ------------------------------------------------------------------ */
/* Tables                                                               */
/* ------------------------------------------------------------------ */

#define DP_HASH_BUCKETS 65536 /* power of two; chains through the tables */

struct dp_tunnel {
	bool used, up;
	char name[DP_NAME_MAX];
	struct in6_addr local, remote;
	uint8_t if_label;
	uint16_t weight;
	int next; /* endpoint hash chain */
	struct dp_counters c;
};

/* Compact: an LMA holds one per mobile node prefix. The policy is shared (interned). */
struct dp_route {
	bool used;
	uint8_t dir, family, plen, n;
	uint16_t policy; /* index into dp->policies */
	int next;        /* prefix hash chain */
	uint8_t prefix[16];
	uint16_t tunnels[DP_ROUTE_MAX_PATHS];
	struct dp_wrr wrr;
};

struct dp_policy_slot {
	struct dp_policy policy;
	unsigned refs;
};

struct dp_onlink {
	int family;
	uint8_t prefix[16];
	uint8_t plen;
	int ifindex;
};

struct dp {
	struct ev_loop *loop;
	struct dp_options opt;
	const struct dp_backend_ops *ops;
	void *be;
	struct dp_tunnel *tunnels;
	int n_tunnels; /* slots in use at the end of the array (high-water mark) */
	int tunnel_hash[DP_HASH_BUCKETS];
	struct dp_route *routes;
	int n_routes, cap_routes;
	int route_hash[DP_HASH_BUCKETS];
	int route_free;
	unsigned plen_count[2][2][129]; /* [dir][v4?][plen]: routes per prefix length */
	struct dp_onlink *onlink;
	unsigned n_onlink;
	struct dp_policy_slot *policies;
	unsigned n_policies;
	struct dp_rtnl rtnl;
	struct dp_stats stats;
};

static uint32_t endpoint_bucket(const struct in6_addr *local, const struct in6_addr *remote)
{
	uint32_t h = hash_bytes(local->s6_addr, 16, 2166136261U);
	return mix32(hash_bytes(remote->s6_addr, 16, h)) & (DP_HASH_BUCKETS - 1);
}

static void mask_prefix(uint8_t out[16], const uint8_t *in, int family, uint8_t plen)
{
	size_t alen = family == AF_INET ? 4 : 16;
	memset(out, 0, 16);
	for (size_t i = 0; i < alen; i++) {
		int bits = (int)plen - (int)i * 8;
		uint8_t m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
		out[i] = in[i] & m;
	}
}

static uint32_t route_bucket(enum dp_route_dir dir, int family, const uint8_t p[16], uint8_t plen)
{
	uint8_t key[19];
	memcpy(key, p, 16);
	key[16] = (uint8_t)dir;
	key[17] = (uint8_t)family;
	key[18] = plen;
	return mix32(hash_bytes(key, sizeof(key), 2166136261U)) & (DP_HASH_BUCKETS - 1);
}

static int route_find(const struct dp *dp, enum dp_route_dir dir, int family, const uint8_t p[16],
                      uint8_t plen)
{
	for (int i = dp->route_hash[route_bucket(dir, family, p, plen)]; i >= 0;
	     i = dp->routes[i].next) {
		const struct dp_route *r = &dp->routes[i];
		if (r->dir == dir && r->family == family && r->plen == plen &&
		    !memcmp(r->prefix, p, 16))
			return i;
	}
	return -1;
}

static bool tunnel_valid(const struct dp *dp, int id)
{
	return id >= 0 && id < dp->n_tunnels && dp->tunnels[id].used;
}

static bool route_valid(const struct dp *dp, int id)
{
	return id >= 0 && id < dp->n_routes && dp->routes[id].used;
}

/* ------------------------------------------------------------------ */
/* Public API                                                           */
/* ------------------------------------------------------------------ */

static const struct dp_backend_ops *backend_for(enum dp_backend_kind kind, char *err, size_t errlen)
{
	switch (kind) {
	case DP_BACKEND_TUN:
		return &dp_backend_tun;
	case DP_BACKEND_IP6TNL:
		return &dp_backend_ip6tnl;
	case DP_BACKEND_AUTO:
		if (dp_backend_ip6tnl.probe(NULL, 0) == 0)
			return &dp_backend_ip6tnl;
		return &dp_backend_tun;
	}
	fail(err, errlen, "invalid: backend");
	return NULL;
}

struct dp *dp_open(struct ev_loop *loop, const struct dp_options *opt, char *err, size_t errlen)
{
	struct dp_options o = opt ? *opt : (struct dp_options){0};
	if (!o.tun_name)
		o.tun_name = "dmmtun0";
	if (!o.mtu)
		o.mtu = 1460;
	if (!o.table)
		o.table = 4470;
	if (!o.rule_priority)
		o.rule_priority = 4470;
	if (!o.hop_limit)
		o.hop_limit = 64;
	const struct dp_backend_ops *ops =
	    o.custom ? o.custom : backend_for(o.backend, err, errlen);
	if (!ops)
		return NULL;
	if (!o.custom && o.backend != DP_BACKEND_AUTO && ops->probe && ops->probe(err, errlen))
		return NULL;
	struct dp *dp = calloc(1, sizeof(*dp));
	if (!dp) {
		fail(err, errlen, "out of memory");
		return NULL;
	}
	dp->loop = loop;
	dp->opt = o;
	dp->ops = ops;
	dp->route_free = -1;
	memset(dp->tunnel_hash, 0xff, sizeof(dp->tunnel_hash));
	memset(dp->route_hash, 0xff, sizeof(dp->route_hash));
	if (dp_rtnl_open(&dp->rtnl, 0)) {
		fail(err, errlen, "rtnetlink: %s", strerror(errno));
		free(dp);
		return NULL;
	}
	dp->be = ops->init(dp, loop, &dp->opt, err, errlen);
	if (!dp->be) {
		dp_rtnl_close(&dp->rtnl);
		free(dp);
		return NULL;
	}
	return dp;
}

void dp_close(struct dp *dp)
{
	if (!dp)
		return;
	for (int r = 0; r < dp->n_routes; r++)
		if (dp->routes[r].used)
			dp->ops->route_del(dp->be, r);
	for (int t = 0; t < dp->n_tunnels; t++)
		if (dp->tunnels[t].used)
			dp->ops->tunnel_del(dp->be, t);
	for (unsigned i = 0; i < dp->n_onlink; i++) {
		struct dp_nexthop nh = {dp->onlink[i].ifindex, 1};
		dp_rtnl_route(&dp->rtnl, false, dp->onlink[i].family, dp->onlink[i].prefix,
		              dp->onlink[i].plen, RT_TABLE_MAIN, &nh, 1);
	}
	dp->ops->shutdown(dp->be);
	dp_rtnl_close(&dp->rtnl);
	free(dp->tunnels);
	free(dp->routes);
	free(dp->onlink);
	free(dp->policies);
	free(dp);
}

const char *dp_backend_name(const struct dp *dp)
{
	return dp->ops->name;
}

int dp_tunnel_add(struct dp *dp, const char *name, const struct in6_addr *local,
                  const struct in6_addr *remote, uint8_t if_label, uint16_t weight)
{
	if (!name || !*name || strlen(name) >= DP_NAME_MAX || !local || !remote) {
		errno = EINVAL;
		return -1;
	}
	if (dp_tunnel_find(dp, name) >= 0 || dp_tunnel_by_endpoints(dp, local, remote) >= 0) {
		errno = EEXIST;
		return -1;
	}
	int id = 0;
	while (id < dp->n_tunnels && dp->tunnels[id].used)
		id++;
	if (id >= DP_MAX_TUNNELS) {
		errno = ENOSPC;
		return -1;
	}
	if (id == dp->n_tunnels) {
		struct dp_tunnel *nt = realloc(dp->tunnels, sizeof(*nt) * (size_t)(id + 1));
		if (!nt)
			return -1;
		dp->tunnels = nt;
		dp->n_tunnels++;
	}
	struct dp_tunnel *t = &dp->tunnels[id];
	memset(t, 0, sizeof(*t));
	t->used = t->up = true;
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->local = *local;
	t->remote = *remote;
	t->if_label = if_label;
	t->weight = weight ? weight : 1;
	if (dp->ops->tunnel_add(dp->be, id)) {
		int e = errno;
		t->used = false;
		errno = e;
		return -1;
	}
	uint32_t b = endpoint_bucket(local, remote);
	t->next = dp->tunnel_hash[b];
	dp->tunnel_hash[b] = id;
	return id;
}

/* Re-realize the routes that use tunnel id (its state or existence changed). */
static void routes_refresh(struct dp *dp, int id, bool drop_it)
{
	for (int r = 0; r < dp->n_routes; r++) {
		struct dp_route *route = &dp->routes[r];
		if (!route->used)
			continue;
		bool uses = false;
		for (unsigned k = 0; k < route->n; k++) {
			if (route->tunnels[k] != id)
				continue;
			uses = true;
			if (drop_it) {
				memmove(&route->tunnels[k], &route->tunnels[k + 1],
				        (route->n - k - 1) * sizeof(route->tunnels[0]));
				route->n--;
				memset(&route->wrr, 0, sizeof(route->wrr));
				k--;
			}
		}
		if (uses)
			dp->ops->route_add(dp->be, r);
	}
}

int dp_tunnel_del(struct dp *dp, int id)
{
	if (!tunnel_valid(dp, id)) {
		errno = ENOENT;
		return -1;
	}
	routes_refresh(dp, id, true);
	dp->ops->tunnel_del(dp->be, id);
	struct dp_tunnel *t = &dp->tunnels[id];
	int *link = &dp->tunnel_hash[endpoint_bucket(&t->local, &t->remote)];
	while (*link != id)
		link = &dp->tunnels[*link].next;
	*link = t->next;
	t->used = false;
	return 0;
}

int dp_tunnel_set_up(struct dp *dp, int id, bool up)
{
	if (!tunnel_valid(dp, id)) {
		errno = ENOENT;
		return -1;
	}
	if (dp->tunnels[id].up == up)
		return 0;
	dp->tunnels[id].up = up;
	int rc = dp->ops->tunnel_set_up(dp->be, id, up);
	routes_refresh(dp, id, false);
	return rc;
}

int dp_tunnel_find(const struct dp *dp, const char *name)
{
	for (int i = 0; i < dp->n_tunnels; i++)
		if (dp->tunnels[i].used && !strcmp(dp->tunnels[i].name, name))
			return i;
	return -1;
}

int dp_tunnel_info(const struct dp *dp, int id, struct dp_tunnel_info *info)
{
	if (!tunnel_valid(dp, id)) {
		errno = ENOENT;
		return -1;
	}
	const struct dp_tunnel *t = &dp->tunnels[id];
	memset(info, 0, sizeof(*info));
	info->id = id;
	memcpy(info->name, t->name, sizeof(info->name));
	info->local = t->local;
	info->remote = t->remote;
	info->if_label = t->if_label;
	info->weight = t->weight;
	info->up = t->up;
	info->counters = t->c;
	if (dp->ops->counters)
		dp->ops->counters(dp->be, id, &info->counters);
	return 0;
}

int dp_tunnel_next(const struct dp *dp, int after)
{
	for (int i = after < 0 ? 0 : after + 1; i < dp->n_tunnels; i++)
		if (dp->tunnels[i].used)
			return i;
	return -1;
}

static int route_alloc(struct dp *dp)
{
	if (dp->route_free >= 0) {
		int id = dp->route_free;
		dp->route_free = dp->routes[id].next;
		return id;
	}
	if (dp->n_routes == dp->cap_routes) {
		int cap = dp->cap_routes ? dp->cap_routes * 2 : 64;
		struct dp_route *nr = realloc(dp->routes, sizeof(*nr) * (size_t)cap);
		if (!nr)
			return -1;
		dp->routes = nr;
		dp->cap_routes = cap;
	}
	return dp->n_routes++;
}

static int route_key(int family, const void *prefix, uint8_t plen, uint8_t out[16])
{
	if ((family != AF_INET6 && family != AF_INET) || !prefix ||
	    plen > (family == AF_INET ? 32 : 128)) {
		errno = EINVAL;
		return -1;
	}
	mask_prefix(out, prefix, family, plen);
	return 0;
}

/* Index of a shared copy of policy (NULL: "flow"), one more reference; -1 without memory. */
static int policy_intern(struct dp *dp, const struct dp_policy *policy)
{
	struct dp_policy flow;
	if (!policy) {
		memset(&flow, 0, sizeof(flow));
		policy = &flow;
	}
	unsigned free_slot = dp->n_policies;
	for (unsigned i = 0; i < dp->n_policies; i++) {
		if (dp->policies[i].refs &&
		    !memcmp(&dp->policies[i].policy, policy, sizeof(*policy))) {
			dp->policies[i].refs++;
			return (int)i;
		}
		if (!dp->policies[i].refs && free_slot == dp->n_policies)
			free_slot = i;
	}
	if (free_slot == dp->n_policies &&
	    (free_slot >= UINT16_MAX || dp_grow((void **)&dp->policies, &dp->n_policies,
	                                        free_slot + 1, sizeof(*dp->policies), 0)))
		return -1;
	dp->policies[free_slot] = (struct dp_policy_slot){*policy, 1};
	return (int)free_slot;
}

static void policy_release(struct dp *dp, unsigned idx)
{
	if (idx < dp->n_policies && dp->policies[idx].refs)
		dp->policies[idx].refs--;
}

int dp_route_add(struct dp *dp, enum dp_route_dir dir, int family, const void *prefix, uint8_t plen,
                 const int *tunnels, unsigned n, const struct dp_policy *policy)
{
	uint8_t key[16];
	if (route_key(family, prefix, plen, key) || n > DP_ROUTE_MAX_PATHS ||
	    (dir != DP_ROUTE_TO && dir != DP_ROUTE_FROM)) {
		errno = EINVAL;
		return -1;
	}
	for (unsigned i = 0; i < n; i++)
		if (!tunnel_valid(dp, tunnels[i])) {
			errno = ENOENT;
			return -1;
		}
	int pol = policy_intern(dp, policy);
	if (pol < 0)
		return -1;
	int id = route_find(dp, dir, family, key, plen);
	bool fresh = id < 0;
	if (fresh && (id = route_alloc(dp)) < 0) {
		policy_release(dp, (unsigned)pol);
		return -1;
	}
	struct dp_route *r = &dp->routes[id];
	struct dp_route old = *r;
	if (fresh)
		memset(r, 0, sizeof(*r));
	r->dir = (uint8_t)dir;
	r->family = (uint8_t)family;
	memcpy(r->prefix, key, 16);
	r->plen = plen;
	r->n = (uint8_t)n;
	for (unsigned i = 0; i < n; i++)
		r->tunnels[i] = (uint16_t)tunnels[i];
	r->policy = (uint16_t)pol;
	memset(&r->wrr, 0, sizeof(r->wrr));
	r->used = true;
	if (fresh) {
		uint32_t b = route_bucket(dir, family, key, plen);
		r->next = dp->route_hash[b];
		dp->route_hash[b] = id;
		dp->plen_count[dir][family == AF_INET][plen]++;
	}
	if (dp->ops->route_add(dp->be, id)) {
		int e = errno;
		if (fresh) {
			dp_route_del(dp, dir, family, prefix, plen);
		} else {
			policy_release(dp, (unsigned)pol);
			*r = old;
		}
		errno = e;
		return -1;
	}
	if (!fresh)
		policy_release(dp, old.policy);
	return 0;
}

int dp_route_del(struct dp *dp, enum dp_route_dir dir, int family, const void *prefix, uint8_t plen)
{
	uint8_t key[16];
	if (route_key(family, prefix, plen, key))
		return -1;
	int id = route_find(dp, dir, family, key, plen);
	if (id < 0) {
		errno = ENOENT;
		return -1;
	}
	dp->ops->route_del(dp->be, id);
	int *link = &dp->route_hash[route_bucket(dir, family, key, plen)];
	while (*link != id)
		link = &dp->routes[*link].next;
	*link = dp->routes[id].next;
	policy_release(dp, dp->routes[id].policy);
	dp->routes[id].used = false;
	dp->routes[id].next = dp->route_free;
	dp->route_free = id;
	dp->plen_count[dir][family == AF_INET][plen]--;
	return 0;
}

static int onlink_request(struct dp *dp, bool add, int family, const void *prefix, uint8_t plen,
                          const char *ifname, int *ifindex, uint8_t key[16])
{
	if (route_key(family, prefix, plen, key))
		return -1;
	*ifindex = (int)if_nametoindex(ifname);
	if (!*ifindex)
		return -1;
	struct dp_nexthop nh = {*ifindex, 1};
	int rc = dp_rtnl_route(&dp->rtnl, add, family, key, plen, RT_TABLE_MAIN, &nh, 1);
	if (rc < 0 && !(add && rc == -EEXIST)) {
		errno = -rc;
		return -1;
	}
	return 0;
}

int dp_onlink_route_add(struct dp *dp, int family, const void *prefix, uint8_t plen,
                        const char *ifname)
{
	uint8_t key[16];
	int ifindex;
	if (onlink_request(dp, true, family, prefix, plen, ifname, &ifindex, key))
		return -1;
	struct dp_onlink *n = realloc(dp->onlink, sizeof(*n) * (dp->n_onlink + 1));
	if (!n)
		return -1;
	dp->onlink = n;
	n[dp->n_onlink].family = family;
	memcpy(n[dp->n_onlink].prefix, key, 16);
	n[dp->n_onlink].plen = plen;
	n[dp->n_onlink].ifindex = ifindex;
	dp->n_onlink++;
	return 0;
}

int dp_onlink_route_del(struct dp *dp, int family, const void *prefix, uint8_t plen,
                        const char *ifname)
{
	uint8_t key[16];
	int ifindex;
	int rc = onlink_request(dp, false, family, prefix, plen, ifname, &ifindex, key);
	for (unsigned i = 0; i < dp->n_onlink; i++) {
		struct dp_onlink *o = &dp->onlink[i];
		if (o->family == family && o->plen == plen && o->ifindex == ifindex &&
		    !memcmp(o->prefix, key, 16)) {
			dp->onlink[i] = dp->onlink[--dp->n_onlink];
			break;
		}
	}
	return rc;
}

void dp_get_stats(const struct dp *dp, struct dp_stats *stats)
{
	*stats = dp->stats;
}

/* ---- backend side ---- */

int dp_route_get(const struct dp *dp, int route, struct dp_route_view *view)
{
	if (!route_valid(dp, route)) {
		errno = ENOENT;
		return -1;
	}
	const struct dp_route *r = &dp->routes[route];
	view->dir = r->dir;
	view->family = r->family;
	memcpy(view->prefix, r->prefix, 16);
	view->plen = r->plen;
	view->n = r->n;
	for (unsigned i = 0; i < r->n; i++)
		view->tunnels[i] = r->tunnels[i];
	view->policy = dp->policies[r->policy].policy;
	return 0;
}

int dp_tunnel_get(const struct dp *dp, int id, struct dp_tunnel_view *view)
{
	if (!tunnel_valid(dp, id)) {
		errno = ENOENT;
		return -1;
	}
	const struct dp_tunnel *t = &dp->tunnels[id];
	*view =
	    (struct dp_tunnel_view){t->name, &t->local, &t->remote, t->if_label, t->weight, t->up};
	return 0;
}

/* Longest-prefix match of addr among the routes of dir and family. */
static int route_lpm(const struct dp *dp, enum dp_route_dir dir, int family,
                     const struct in6_addr *addr)
{
	const uint8_t *a = family == AF_INET ? &addr->s6_addr[12] : addr->s6_addr;
	const unsigned *count = dp->plen_count[dir][family == AF_INET];
	for (int plen = family == AF_INET ? 32 : 128; plen >= 0; plen--) {
		if (!count[plen])
			continue;
		uint8_t key[16];
		mask_prefix(key, a, family, (uint8_t)plen);
		int id = route_find(dp, dir, family, key, (uint8_t)plen);
		if (id >= 0)
			return id;
	}
	return -1;
}

int dp_route_lookup_tx(const struct dp *dp, const struct dp_flow *flow)
{
	int id = route_lpm(dp, DP_ROUTE_TO, flow->family, &flow->dst);
	if (id < 0)
		id = route_lpm(dp, DP_ROUTE_FROM, flow->family, &flow->src);
	return id;
}

int dp_route_pick(struct dp *dp, int route, const struct dp_flow *flow)
{
	if (!route_valid(dp, route))
		return -1;
	struct dp_route *r = &dp->routes[route];
	struct dp_path paths[DP_ROUTE_MAX_PATHS];
	for (unsigned i = 0; i < r->n; i++) {
		const struct dp_tunnel *t = &dp->tunnels[r->tunnels[i]];
		paths[i] = (struct dp_path){t->if_label, t->weight, t->up};
	}
	int i = dp_select_path(&dp->policies[r->policy].policy, paths, r->n, flow, &r->wrr);
	if (i < 0) {
		dp->stats.no_path++;
		return -1;
	}
	return r->tunnels[i];
}

int dp_tunnel_by_endpoints(const struct dp *dp, const struct in6_addr *local,
                           const struct in6_addr *remote)
{
	for (int i = dp->tunnel_hash[endpoint_bucket(local, remote)]; i >= 0;
	     i = dp->tunnels[i].next) {
		const struct dp_tunnel *t = &dp->tunnels[i];
		if (IN6_ARE_ADDR_EQUAL(&t->local, local) && IN6_ARE_ADDR_EQUAL(&t->remote, remote))
			return i;
	}
	return -1;
}

bool dp_rx_allowed(const struct dp *dp, int id, const struct dp_flow *flow)
{
	int r = route_lpm(dp, DP_ROUTE_TO, flow->family, &flow->src);
	if (r < 0)
		r = route_lpm(dp, DP_ROUTE_FROM, flow->family, &flow->dst);
	if (r < 0)
		return false;
	const struct dp_route *route = &dp->routes[r];
	for (unsigned i = 0; i < route->n; i++)
		if (route->tunnels[i] == id)
			return true;
	return false;
}

struct dp_counters *dp_tunnel_counters(struct dp *dp, int id)
{
	return tunnel_valid(dp, id) ? &dp->tunnels[id].c : NULL;
}

struct dp_stats *dp_stats_mut(struct dp *dp)
{
	return &dp->stats;
}

const struct dp_options *dp_options(const struct dp *dp)
{
	return &dp->opt;
}

struct ev_loop *dp_loop(const struct dp *dp)
{
	return dp->loop;
}

int dp_grow(void **arr, unsigned *n, unsigned want, size_t elem, int fill)
{
	if (want <= *n)
		return 0;
	void *p = realloc(*arr, elem * want);
	if (!p)
		return -1;
	memset((char *)p + elem * *n, fill, elem * (want - *n));
	*arr = p;
	*n = want;
	return 0;
}

/* ------------------------------------------------------------------ */
/* rtnetlink                                                            */
/* ------------------------------------------------------------------ */

int dp_rtnl_open(struct dp_rtnl *r, unsigned groups)
{
	r->nl = mnl_socket_open(NETLINK_ROUTE);
	if (!r->nl)
		return -1;
	if (mnl_socket_bind(r->nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		mnl_socket_close(r->nl);
		r->nl = NULL;
		errno = e;
		return -1;
	}
	r->portid = mnl_socket_get_portid(r->nl);
	r->seq = (uint32_t)time(NULL);
	return 0;
}

void dp_rtnl_close(struct dp_rtnl *r)
{
	if (r->nl)
		mnl_socket_close(r->nl);
	r->nl = NULL;
}

int dp_rtnl_request(struct dp_rtnl *r, struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++r->seq;
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	/* Bounded: the kernel answers a request with one ACK or error. */
	for (int tries = 0; tries < 16; tries++) {
		ssize_t n = mnl_socket_recvfrom(r->nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		int rc = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, r->portid, NULL, NULL);
		if (rc == MNL_CB_ERROR)
			return -errno;
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc == MNL_CB_OK) {
			/* an ACK (error 0) ends the exchange in mnl_cb_run as STOP; OK means
			 * data of another sequence: keep reading */
			continue;
		}
	}
	return -ETIMEDOUT;
}

static struct nlmsghdr *nl_start(char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	return nlh;
}

int dp_rtnl_route(struct dp_rtnl *r, bool add, int family, const void *prefix, uint8_t plen,
                  uint32_t table, const struct dp_nexthop *nh, unsigned n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_start(buf, add ? RTM_NEWROUTE : RTM_DELROUTE,
	                                add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = plen;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = add ? RT_SCOPE_LINK : RT_SCOPE_NOWHERE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	if (plen)
		mnl_attr_put(nlh, RTA_DST, family == AF_INET ? 4 : 16, prefix);
	if (n == 1) {
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)nh[0].ifindex);
	} else if (n > 1) {
		struct nlattr *mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
		for (unsigned i = 0; i < n; i++) {
			struct rtnexthop *rtnh = mnl_nlmsg_get_payload_tail(nlh);
			mnl_nlmsg_put_extra_header(nlh, sizeof(*rtnh));
			rtnh->rtnh_len = sizeof(*rtnh);
			rtnh->rtnh_flags = 0;
			rtnh->rtnh_hops = (uint8_t)((nh[i].weight ? nh[i].weight : 1) - 1);
			rtnh->rtnh_ifindex = nh[i].ifindex;
		}
		mnl_attr_nest_end(nlh, mp);
	}
	return dp_rtnl_request(r, nlh);
}

int dp_rtnl_rule(struct dp_rtnl *r, bool add, const struct dp_rtnl_rule *rule)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh =
	    nl_start(buf, add ? RTM_NEWRULE : RTM_DELRULE, add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	struct fib_rule_hdr *frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = (uint8_t)rule->family;
	frh->action = FR_ACT_TO_TBL;
	frh->table = rule->table < 256 ? (uint8_t)rule->table : RT_TABLE_UNSPEC;
	if (rule->match_dst)
		frh->dst_len = rule->plen;
	else
		frh->src_len = rule->plen;
	size_t alen = rule->family == AF_INET ? 4 : 16;
	if (rule->plen)
		mnl_attr_put(nlh, rule->match_dst ? FRA_DST : FRA_SRC, alen, rule->prefix);
	mnl_attr_put_u32(nlh, FRA_TABLE, rule->table);
	mnl_attr_put_u32(nlh, FRA_PRIORITY, rule->priority);
	if (rule->proto >= 0)
		mnl_attr_put_u8(nlh, FRA_IP_PROTO, (uint8_t)rule->proto);
	if (rule->ports.lo || rule->ports.hi) {
		struct fib_rule_port_range pr = {rule->ports.lo, rule->ports.hi};
		mnl_attr_put(nlh, rule->sport ? FRA_SPORT_RANGE : FRA_DPORT_RANGE, sizeof(pr), &pr);
	}
	return dp_rtnl_request(r, nlh);
}

int dp_rtnl_link_set(struct dp_rtnl *r, int ifindex, bool up, unsigned mtu, unsigned txqlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_start(buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	if (txqlen)
		mnl_attr_put_u32(nlh, IFLA_TXQLEN, txqlen);
	return dp_rtnl_request(r, nlh);
}

int dp_rtnl_link_del(struct dp_rtnl *r, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nl_start(buf, RTM_DELLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return dp_rtnl_request(r, nlh);
}
