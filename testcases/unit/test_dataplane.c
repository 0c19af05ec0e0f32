/* Unit tests: RFC 8278 §4.1 label policy, weighted per-packet/per-flow path selection, RFC 2473
 * inner-packet classification, RFC 4861 RA/RS codec (pure functions). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dataplane.h"
#include "ndp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

/* Path indexes of the RFC 8278 Figure 1 MAG: LTE label 11, WLAN label 9. */
enum { LTE = 0, WLAN = 1 };

static struct dp_path paths2(uint16_t w_lte, uint16_t w_wlan, bool lte_up, bool wlan_up, int i)
{
	struct dp_path p[2] = {{11, w_lte, lte_up}, {9, w_wlan, wlan_up}};
	return p[i];
}

static void make_paths(struct dp_path *p, uint16_t w_lte, uint16_t w_wlan, bool lte_up,
                       bool wlan_up)
{
	for (int i = 0; i < 2; i++)
		p[i] = paths2(w_lte, w_wlan, lte_up, wlan_up, i);
}

static struct dp_flow flow6(uint8_t proto, uint16_t sport, uint16_t dport, uint8_t host)
{
	struct dp_flow f = {.family = AF_INET6, .proto = proto, .sport = sport, .dport = dport};
	inet_pton(AF_INET6, "2001:db8:100::10", &f.src);
	inet_pton(AF_INET6, "2001:db8:cc::1", &f.dst);
	f.src.s6_addr[15] = host;
	return f;
}

static struct dp_policy policy(const char *text)
{
	struct dp_policy p;
	char err[128];
	int rc = dp_policy_parse(text, &p, err, sizeof(err));
	if (rc)
		fail_msg("policy \"%s\": %s", text, err);
	return p;
}

static void test_policy_parse_and_format(void **state)
{
	struct dp_policy p = policy("flow; tcp port 80,443 -> label 9,11");
	assert_int_equal(p.mode, DP_MODE_FLOW);
	assert_int_equal(p.n_rules, 1);
	assert_int_equal(p.rules[0].proto, 6);
	assert_int_equal(p.rules[0].n_ports, 2);
	assert_int_equal(p.rules[0].ports[1].lo, 443);
	assert_int_equal(p.rules[0].n_labels, 2);
	assert_int_equal(p.rules[0].labels[0], 9);
	assert_int_equal(p.rules[0].labels[1], 11);
	char text[DP_POLICY_TEXT_MAX];
	dp_policy_format(&p, text, sizeof(text));
	assert_string_equal(text, "flow; tcp port 80,443 -> label 9,11");

	p = policy("PACKET 3:1;udp port 5000-5999->label 11 strict; 50 -> label 7");
	assert_int_equal(p.mode, DP_MODE_PACKET);
	assert_int_equal(p.n_weights, 2);
	assert_int_equal(p.weights[0], 3);
	assert_int_equal(p.weights[1], 1);
	assert_int_equal(p.n_rules, 2);
	assert_true(p.rules[0].strict);
	assert_int_equal(p.rules[0].ports[0].hi, 5999);
	assert_int_equal(p.rules[1].proto, 50);
	dp_policy_format(&p, text, sizeof(text));
	assert_string_equal(text,
	                    "packet 3:1; udp port 5000-5999 -> label 11 strict; 50 -> label 7");
	struct dp_policy again;
	assert_int_equal(dp_policy_parse(text, &again, NULL, 0), 0);
	assert_memory_equal(&again, &p, sizeof(p));
}

static void test_policy_parse_errors(void **state)
{
	static const char *const bad[] = {
	    "",
	    "fast",
	    "packet 3:0",
	    "packet 1:2:3:4:5:6:7:8:9",
	    "flow; tcp port 80",
	    "flow; tcp port 90-80 -> label 9",
	    "flow; tcp port 70000 -> label 9",
	    "flow; tcp -> label 256",
	    "flow; tcp -> label 1,2,3,4,5",
	    "flow; bogus -> label 9",
	    "flow; tcp -> label 9 strict extra",
	    "flow;",
	    ("flow; any -> label 1; any -> label 2; any -> label 3; any -> label 4; any -> label "
	     "5; "
	     "any -> label 6; any -> label 7; any -> label 8; any -> label 9"),
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dp_policy p;
		char err[128] = "";
		if (dp_policy_parse(bad[i], &p, err, sizeof(err)) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_true(strncmp(err, "invalid: ", 9) == 0);
	}
}

static void test_label_policy_http_over_label9_with_fallback(void **state)
{
	struct dp_policy pol = policy("flow; tcp port 80,443 -> label 9,11");
	struct dp_path p[2];
	make_paths(p, 3, 1, true, true);
	for (uint16_t sport = 40000; sport < 40100; sport++) {
		struct dp_flow http = flow6(IPPROTO_TCP, sport, 80, 1);
		struct dp_flow reply =
		    flow6(IPPROTO_TCP, 443, sport, 1); /* downlink: source port */
		assert_int_equal(dp_select_path(&pol, p, 2, &http, NULL), WLAN);
		assert_int_equal(dp_select_path(&pol, p, 2, &reply, NULL), WLAN);
	}
	/* label 9 down: HTTP moves to label 11 */
	make_paths(p, 3, 1, true, false);
	struct dp_flow http = flow6(IPPROTO_TCP, 40000, 80, 1);
	assert_int_equal(dp_select_path(&pol, p, 2, &http, NULL), LTE);
	/* both down: nothing */
	make_paths(p, 3, 1, false, false);
	assert_int_equal(dp_select_path(&pol, p, 2, &http, NULL), -1);
	/* UDP to port 80 is not HTTP over TCP: hashed over both paths */
	make_paths(p, 1, 1, true, true);
	unsigned used[2] = {0, 0};
	for (uint16_t sport = 1000; sport < 1400; sport++) {
		struct dp_flow udp = flow6(IPPROTO_UDP, sport, 80, 1);
		used[dp_select_path(&pol, p, 2, &udp, NULL)]++;
	}
	assert_true(used[LTE] > 100 && used[WLAN] > 100);
}

static void test_strict_rule_drops_without_label(void **state)
{
	struct dp_policy pol = policy("packet; udp port 5000-5999 -> label 9 strict");
	struct dp_path p[2];
	struct dp_wrr wrr = {0};
	make_paths(p, 1, 1, true, false);
	struct dp_flow f = flow6(IPPROTO_UDP, 1234, 5500, 1);
	assert_int_equal(dp_select_path(&pol, p, 2, &f, &wrr), -1);
	make_paths(p, 1, 1, true, true);
	assert_int_equal(dp_select_path(&pol, p, 2, &f, &wrr), WLAN);
}

static void test_weighted_per_packet_exact_ratio(void **state)
{
	static const struct {
		uint16_t n, m;
	} ratios[] = {{3, 1}, {1, 1}, {2, 5}, {7, 3}, {1, 10}};
	struct dp_path p[2];
	for (size_t r = 0; r < sizeof(ratios) / sizeof(ratios[0]); r++) {
		make_paths(p, ratios[r].n, ratios[r].m, true, true);
		struct dp_policy pol = policy("packet");
		struct dp_wrr wrr = {0};
		struct dp_flow f = flow6(IPPROTO_UDP, 1, 2, 1);
		unsigned cycle = ratios[r].n + ratios[r].m, count[2] = {0, 0};
		for (unsigned i = 0; i < cycle * 1000; i++) {
			count[dp_select_path(&pol, p, 2, &f, &wrr)]++;
			/* smooth: within every window of one cycle the shares are exact */
			if ((i + 1) % cycle == 0) {
				assert_int_equal(count[LTE], ratios[r].n * (i + 1) / cycle);
				assert_int_equal(count[WLAN], ratios[r].m * (i + 1) / cycle);
			}
		}
	}
	/* policy weights override the tunnels' weights: "packet 1:3" */
	make_paths(p, 3, 1, true, true);
	struct dp_policy pol = policy("packet 1:3");
	struct dp_wrr wrr = {0};
	struct dp_flow f = flow6(IPPROTO_UDP, 1, 2, 1);
	unsigned count[2] = {0, 0};
	for (unsigned i = 0; i < 4000; i++)
		count[dp_select_path(&pol, p, 2, &f, &wrr)]++;
	assert_int_equal(count[LTE], 1000);
	assert_int_equal(count[WLAN], 3000);
}

static void test_per_packet_failover(void **state)
{
	struct dp_path p[2];
	struct dp_policy pol = policy("packet 3:1");
	struct dp_wrr wrr = {0};
	struct dp_flow f = flow6(IPPROTO_UDP, 1, 2, 1);
	make_paths(p, 1, 1, false, true);
	for (int i = 0; i < 100; i++)
		assert_int_equal(dp_select_path(&pol, p, 2, &f, &wrr), WLAN);
	make_paths(p, 1, 1, true, true);
	unsigned count[2] = {0, 0};
	for (int i = 0; i < 400; i++)
		count[dp_select_path(&pol, p, 2, &f, &wrr)]++;
	assert_int_equal(count[LTE], 300);
	assert_int_equal(count[WLAN], 100);
}

static void test_per_flow_weighted_sticky_and_failover(void **state)
{
	enum { FLOWS = 20000 };
	static int before[FLOWS];
	struct dp_path p[3] = {{11, 3, true}, {9, 1, true}, {5, 4, true}};
	struct dp_policy pol = policy("flow");
	unsigned count[3] = {0, 0, 0};
	for (int i = 0; i < FLOWS; i++) {
		struct dp_flow f = flow6(IPPROTO_TCP, (uint16_t)(1024 + i), 5001, (uint8_t)i);
		before[i] = dp_select_path(&pol, p, 3, &f, NULL);
		assert_in_range(before[i], 0, 2);
		count[before[i]]++;
		/* the same flow, again and in the reverse direction: the same path */
		assert_int_equal(dp_select_path(&pol, p, 3, &f, NULL), before[i]);
		struct dp_flow back = f;
		back.src = f.dst;
		back.dst = f.src;
		back.sport = f.dport;
		back.dport = f.sport;
		assert_int_equal(dp_select_path(&pol, p, 3, &back, NULL), before[i]);
	}
	/* weights 3:1:4 of 20000 flows: 7500, 2500, 10000 within 3% */
	assert_in_range(count[0], 7500 - 600, 7500 + 600);
	assert_in_range(count[1], 2500 - 600, 2500 + 600);
	assert_in_range(count[2], 10000 - 600, 10000 + 600);
	/* path 0 fails: only its flows move, spread over the others by weight (1:4) */
	p[0].up = false;
	unsigned moved[3] = {0, 0, 0};
	for (int i = 0; i < FLOWS; i++) {
		struct dp_flow f = flow6(IPPROTO_TCP, (uint16_t)(1024 + i), 5001, (uint8_t)i);
		int now = dp_select_path(&pol, p, 3, &f, NULL);
		assert_int_not_equal(now, 0);
		if (before[i] != 0)
			assert_int_equal(now, before[i]);
		else
			moved[now]++;
	}
	assert_int_equal(moved[1] + moved[2], count[0]);
	assert_in_range(moved[1] * 100 / count[0], 15, 25);
	/* restored: every flow is back on its first path */
	p[0].up = true;
	for (int i = 0; i < FLOWS; i++) {
		struct dp_flow f = flow6(IPPROTO_TCP, (uint16_t)(1024 + i), 5001, (uint8_t)i);
		assert_int_equal(dp_select_path(&pol, p, 3, &f, NULL), before[i]);
	}
}

/* An IPv6 packet: header, optional extension headers, then the upper layer. */
static size_t build_ipv6(uint8_t *b, uint8_t first_next, const uint8_t *ext, size_t ext_len,
                         const uint8_t *l4, size_t l4_len)
{
	memset(b, 0, 40);
	b[0] = 0x60;
	b[4] = (uint8_t)((ext_len + l4_len) >> 8);
	b[5] = (uint8_t)(ext_len + l4_len);
	b[6] = first_next;
	b[7] = 64;
	inet_pton(AF_INET6, "2001:db8:100::10", b + 8);
	inet_pton(AF_INET6, "2001:db8:cc::1", b + 24);
	if (ext_len)
		memcpy(b + 40, ext, ext_len);
	if (l4_len)
		memcpy(b + 40 + ext_len, l4, l4_len);
	return 40 + ext_len + l4_len;
}

static void test_classify_ipv6_ext_headers_and_icmp(void **state)
{
	uint8_t pkt[256];
	struct dp_flow f;
	const char *why = NULL;
	static const uint8_t tcp[20] = {0x9c, 0x40, 0x00, 0x50}; /* 40000 -> 80 */
	/* hop-by-hop (8) + destination options (16) before TCP */
	uint8_t ext[24] = {60, 0, 1, 4, 0, 0, 0, 0, 6, 1};
	size_t n = build_ipv6(pkt, 0, ext, sizeof(ext), tcp, sizeof(tcp));
	assert_int_equal(dp_flow_classify(pkt, n, &f, &why), 0);
	assert_int_equal(f.family, AF_INET6);
	assert_int_equal(f.proto, 6);
	assert_int_equal(f.sport, 40000);
	assert_int_equal(f.dport, 80);
	/* a non-first fragment has no ports */
	uint8_t frag[8] = {17, 0, 0x00, 0x10, 0, 0, 0, 1};
	n = build_ipv6(pkt, 44, frag, sizeof(frag), tcp, sizeof(tcp));
	assert_int_equal(dp_flow_classify(pkt, n, &f, &why), 0);
	assert_int_equal(f.proto, 17);
	assert_int_equal(f.sport, 0);
	/* ICMPv6 echo: the identifier keys the flow */
	static const uint8_t echo[8] = {128, 0, 0, 0, 0x12, 0x34, 0, 1};
	n = build_ipv6(pkt, 58, NULL, 0, echo, sizeof(echo));
	assert_int_equal(dp_flow_classify(pkt, n, &f, &why), 0);
	assert_int_equal(f.proto, 58);
	assert_int_equal(f.sport, 0x1234);
	assert_int_equal(f.dport, 0x1234);
}

static void test_classify_ipv4_and_errors(void **state)
{
	uint8_t v4[28] = {0x45, 0, 0, 28, 0,  0, 0, 0, 64,   17,   0,    0,
	                  10,   0, 0, 1,  10, 0, 0, 2, 0x13, 0x88, 0x00, 0x35};
	struct dp_flow f;
	const char *why = NULL;
	assert_int_equal(dp_flow_classify(v4, sizeof(v4), &f, &why), 0);
	assert_int_equal(f.family, AF_INET);
	assert_int_equal(f.proto, 17);
	assert_int_equal(f.sport, 5000);
	assert_int_equal(f.dport, 53);
	assert_int_equal(f.src.s6_addr[10], 0xff);
	assert_int_equal(f.src.s6_addr[15], 1);
	/* bad IHL */
	v4[0] = 0x44;
	assert_int_equal(dp_flow_classify(v4, sizeof(v4), &f, &why), -1);
	assert_string_equal(why, "invalid: IPv4 header length");
	/* truncated IPv6 header, bad version, empty */
	uint8_t pkt[256];
	size_t n = build_ipv6(pkt, 59, NULL, 0, NULL, 0);
	assert_int_equal(dp_flow_classify(pkt, n - 1, &f, &why), -1);
	assert_string_equal(why, "truncated");
	pkt[0] = 0x50;
	assert_int_equal(dp_flow_classify(pkt, n, &f, &why), -1);
	assert_string_equal(why, "invalid: IP version");
	assert_int_equal(dp_flow_classify(pkt, 0, &f, &why), -1);
	/* an extension header running past the payload */
	uint8_t ext[8] = {6, 200};
	n = build_ipv6(pkt, 0, ext, sizeof(ext), NULL, 0);
	assert_int_equal(dp_flow_classify(pkt, n, &f, &why), -1);
	assert_string_equal(why, "truncated");
	/* a chain of more extension headers than the bound */
	uint8_t chain[9 * 8];
	for (int i = 0; i < 9; i++) {
		memset(chain + i * 8, 0, 8);
		chain[i * 8] = 60;
	}
	n = build_ipv6(pkt, 60, chain, sizeof(chain), NULL, 0);
	assert_int_equal(dp_flow_classify(pkt, n, &f, &why), -1);
	assert_string_equal(why, "invalid: too many extension headers");
}

static void test_ra_build(void **state)
{
	struct ndp_prefix pfx = {.plen = 64,
	                         .onlink = true,
	                         .autonomous = true,
	                         .valid_lifetime = 86400,
	                         .preferred_lifetime = 14400};
	inet_pton(AF_INET6, "2001:db8:100::", &pfx.prefix);
	struct ndp_ra_config cfg = {.mtu = 1460};
	static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x01};
	uint8_t ra[NDP_RA_MAX_LEN];
	int n = ndp_build_ra(ra, sizeof(ra), &cfg, false, &pfx, 1, mac);
	assert_int_equal(n, 16 + 8 + 8 + 32);
	assert_int_equal(ra[0], 134);
	assert_int_equal(ra[4], 64);                /* cur hop limit */
	assert_int_equal(ra[6] << 8 | ra[7], 1800); /* router lifetime */
	assert_int_equal(ra[16], 1);                /* SLLAO */
	assert_memory_equal(ra + 18, mac, 6);
	assert_int_equal(ra[24], 5); /* MTU */
	assert_int_equal(ra[30] << 8 | ra[31], 1460);
	const uint8_t *pio = ra + 32;
	assert_int_equal(pio[0], 3);
	assert_int_equal(pio[1], 4);
	assert_int_equal(pio[2], 64);
	assert_int_equal(pio[3], 0xc0); /* L and A */
	assert_int_equal(pio[4] << 24 | pio[5] << 16 | pio[6] << 8 | pio[7], 86400);
	assert_int_equal(pio[8] << 24 | pio[9] << 16 | pio[10] << 8 | pio[11], 14400);
	assert_memory_equal(pio + 16, &pfx.prefix, 16);
	/* withdraw: zero router and prefix lifetimes */
	n = ndp_build_ra(ra, sizeof(ra), &cfg, true, &pfx, 1, NULL);
	assert_int_equal(n, 16 + 8 + 32);
	assert_int_equal(ra[6] << 8 | ra[7], 0);
	assert_int_equal(ra[24 + 4] | ra[24 + 5] | ra[24 + 6] | ra[24 + 7], 0);
	/* does not fit */
	assert_int_equal(ndp_build_ra(ra, 40, &cfg, false, &pfx, 1, mac), -1);
}

static void test_rs_parse(void **state)
{
	uint8_t rs[16] = {133, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
	struct ndp_event ev;
	const char *why = NULL;
	assert_int_equal(ndp_parse_rs(rs, sizeof(rs), &ev, &why), 0);
	assert_int_equal(ev.ll_len, 6);
	assert_string_equal(ev.ll_id, "02:aa:bb:cc:dd:ee");
	assert_int_equal(ndp_parse_rs(rs, 8, &ev, &why), 0);
	assert_int_equal(ev.ll_len, 0);
	assert_string_equal(ev.ll_id, "");
	rs[9] = 0; /* option length 0 */
	assert_int_equal(ndp_parse_rs(rs, sizeof(rs), &ev, &why), -1);
	assert_string_equal(why, "invalid: option of length 0");
	rs[9] = 2; /* runs past the message */
	assert_int_equal(ndp_parse_rs(rs, sizeof(rs), &ev, &why), -1);
	assert_string_equal(why, "truncated");
	rs[0] = 134;
	rs[9] = 1;
	assert_int_equal(ndp_parse_rs(rs, sizeof(rs), &ev, &why), -1);
	assert_string_equal(why, "invalid: not a Router Solicitation");
	assert_int_equal(ndp_parse_rs(rs, 3, &ev, &why), -1);
	assert_string_equal(why, "truncated");
}

/* A recording test double of the backend interface: the generic tables alone. */
static struct recorder {
	int tunnel_add, tunnel_del, set_up, route_add, route_del, shutdown;
	int last_route;
	struct dp_route_view last_view;
	struct dp *dp;
	bool fail_route_add;
} rec;

static void *rec_init(struct dp *dp, struct ev_loop *loop, const struct dp_options *opt, char *err,
                      size_t errlen)
{
	rec.dp = dp;
	return &rec;
}

static int rec_tunnel_add(void *be, int id)
{
	rec.tunnel_add++;
	return 0;
}

static void rec_tunnel_del(void *be, int id)
{
	rec.tunnel_del++;
}

static int rec_set_up(void *be, int id, bool up)
{
	rec.set_up++;
	return 0;
}

static int rec_route_add(void *be, int route)
{
	if (rec.fail_route_add) {
		errno = EPERM;
		return -1;
	}
	rec.route_add++;
	rec.last_route = route;
	return dp_route_get(rec.dp, route, &rec.last_view);
}

static void rec_route_del(void *be, int route)
{
	rec.route_del++;
}

static void rec_shutdown(void *be)
{
	rec.shutdown++;
}

static const struct dp_backend_ops recorder_ops = {
    .name = "recorder",
    .init = rec_init,
    .tunnel_add = rec_tunnel_add,
    .tunnel_del = rec_tunnel_del,
    .tunnel_set_up = rec_set_up,
    .route_add = rec_route_add,
    .route_del = rec_route_del,
    .shutdown = rec_shutdown,
};

static struct in6_addr a6(const char *text)
{
	struct in6_addr a;
	assert_int_equal(inet_pton(AF_INET6, text, &a), 1);
	return a;
}

static struct dp_flow flow_between(const char *src, const char *dst)
{
	struct dp_flow f = {.family = AF_INET6, .proto = IPPROTO_UDP, .sport = 1, .dport = 2};
	f.src = a6(src);
	f.dst = a6(dst);
	return f;
}

static struct dp *open_recorder(void)
{
	memset(&rec, 0, sizeof(rec));
	struct dp_options opt = {.custom = &recorder_ops};
	char err[128];
	struct dp *dp = dp_open(NULL, &opt, err, sizeof(err));
	if (!dp)
		fail_msg("dp_open: %s", err);
	assert_string_equal(dp_backend_name(dp), "recorder");
	return dp;
}

static void test_tables_tunnels(void **state)
{
	struct dp *dp = open_recorder();
	struct in6_addr lmaa = a6("2001:db8:ff::1"), p1 = a6("2001:db8:1::2"),
	                p2 = a6("2001:db8:2::2");
	int lte = dp_tunnel_add(dp, "lte", &lmaa, &p1, 11, 3);
	int wlan = dp_tunnel_add(dp, "wlan", &lmaa, &p2, 9, 0);
	assert_true(lte >= 0 && wlan >= 0 && lte != wlan);
	assert_int_equal(dp_tunnel_add(dp, "lte", &lmaa, &p2, 1, 1), -1); /* same name */
	assert_int_equal(errno, EEXIST);
	assert_int_equal(dp_tunnel_add(dp, "x", &lmaa, &p1, 1, 1), -1); /* same endpoints */
	assert_int_equal(errno, EEXIST);
	assert_int_equal(dp_tunnel_add(dp, "a-name-far-too-long", &lmaa, &p1, 1, 1), -1);
	assert_int_equal(rec.tunnel_add, 2);
	assert_int_equal(dp_tunnel_find(dp, "wlan"), wlan);
	assert_int_equal(dp_tunnel_by_endpoints(dp, &lmaa, &p2), wlan);
	assert_int_equal(dp_tunnel_by_endpoints(dp, &p2, &lmaa), -1);
	struct dp_tunnel_info ti;
	assert_int_equal(dp_tunnel_info(dp, wlan, &ti), 0);
	assert_string_equal(ti.name, "wlan");
	assert_int_equal(ti.weight, 1); /* 0 counts as 1 */
	assert_true(ti.up);
	assert_int_equal(dp_tunnel_next(dp, -1), lte);
	assert_int_equal(dp_tunnel_next(dp, lte), wlan);
	assert_int_equal(dp_tunnel_next(dp, wlan), -1);
	/* a deleted slot is reused */
	assert_int_equal(dp_tunnel_del(dp, lte), 0);
	assert_int_equal(dp_tunnel_del(dp, lte), -1);
	assert_int_equal(dp_tunnel_by_endpoints(dp, &lmaa, &p1), -1);
	assert_int_equal(dp_tunnel_add(dp, "lte2", &lmaa, &p1, 11, 1), lte);
	dp_close(dp);
	assert_int_equal(rec.tunnel_del, 3);
	assert_int_equal(rec.shutdown, 1);
}

static void test_tables_routes_lookup_and_failover(void **state)
{
	struct dp *dp = open_recorder();
	struct in6_addr lmaa = a6("2001:db8:ff::1"), p1 = a6("2001:db8:1::2"),
	                p2 = a6("2001:db8:2::2");
	int t[2] = {dp_tunnel_add(dp, "lte", &lmaa, &p1, 11, 1),
	            dp_tunnel_add(dp, "wlan", &lmaa, &p2, 9, 1)};
	struct dp_policy pol = policy("packet 3:1");
	struct in6_addr hnp = a6("2001:db8:100::ffff"); /* host bits are masked off */
	assert_int_equal(dp_route_add(dp, DP_ROUTE_TO, AF_INET6, &hnp, 64, t, 2, &pol), 0);
	assert_int_equal(rec.last_view.plen, 64);
	assert_memory_equal(rec.last_view.prefix, a6("2001:db8:100::").s6_addr, 16);
	assert_int_equal(rec.last_view.n, 2);
	assert_int_equal(rec.last_view.policy.n_weights, 2);
	int r64 = rec.last_route;
	/* a shorter covering prefix over one tunnel only; a FROM route elsewhere */
	struct in6_addr agg = a6("2001:db8::"), from = a6("2001:db8:300::");
	assert_int_equal(dp_route_add(dp, DP_ROUTE_TO, AF_INET6, &agg, 32, &t[1], 1, NULL), 0);
	int r32 = rec.last_route;
	assert_int_equal(dp_route_add(dp, DP_ROUTE_FROM, AF_INET6, &from, 64, t, 2, NULL), 0);
	int rfrom = rec.last_route;
	struct dp_flow down = flow_between("2001:db8:cc::1", "2001:db8:100::10");
	struct dp_flow other = flow_between("2001:db8:cc::1", "2001:db8:7::1");
	struct dp_flow up = flow_between("2001:db8:300::5", "2001:db9::1");
	struct dp_flow none = flow_between("2001:db9::5", "2001:db9::1");
	assert_int_equal(dp_route_lookup_tx(dp, &down), r64); /* longest prefix */
	assert_int_equal(dp_route_lookup_tx(dp, &other), r32);
	assert_int_equal(dp_route_lookup_tx(dp, &up), rfrom);
	assert_int_equal(dp_route_lookup_tx(dp, &none), -1);
	/* per packet 3:1 through the route */
	unsigned count[2] = {0, 0};
	for (int i = 0; i < 400; i++)
		count[dp_route_pick(dp, r64, &down) == t[1]]++;
	assert_int_equal(count[0], 300);
	assert_int_equal(count[1], 100);
	/* decapsulated traffic: accepted only from a tunnel of the covering route */
	struct dp_flow uplink = flow_between("2001:db8:100::10", "2001:db8:cc::1");
	struct dp_flow downlink = flow_between("2001:db9::1", "2001:db8:300::5");
	assert_true(dp_rx_allowed(dp, t[0], &uplink));
	assert_false(dp_rx_allowed(dp, t[0], &other)); /* from 2001:db8:cc::1: /32 has wlan */
	assert_true(dp_rx_allowed(dp, t[1], &other));
	assert_true(dp_rx_allowed(dp, t[0], &downlink));
	assert_false(dp_rx_allowed(dp, t[0], &none));
	/* path failure re-realizes the routes that use it */
	int adds = rec.route_add;
	assert_int_equal(dp_tunnel_set_up(dp, t[0], false), 0);
	assert_int_equal(rec.set_up, 1);
	assert_int_equal(rec.route_add, adds + 2); /* r64 and rfrom, not r32 */
	for (int i = 0; i < 50; i++)
		assert_int_equal(dp_route_pick(dp, r64, &down), t[1]);
	assert_int_equal(dp_tunnel_set_up(dp, t[1], false), 0);
	struct dp_stats st;
	assert_int_equal(dp_route_pick(dp, r64, &down), -1);
	dp_get_stats(dp, &st);
	assert_int_equal(st.no_path, 1);
	dp_tunnel_set_up(dp, t[0], true);
	dp_tunnel_set_up(dp, t[1], true);
	/* replacing keeps the id; a failing backend leaves the old route */
	assert_int_equal(dp_route_add(dp, DP_ROUTE_TO, AF_INET6, &hnp, 64, &t[0], 1, NULL), 0);
	assert_int_equal(rec.last_route, r64);
	rec.fail_route_add = true;
	assert_int_equal(dp_route_add(dp, DP_ROUTE_TO, AF_INET6, &hnp, 64, t, 2, &pol), -1);
	assert_int_equal(errno, EPERM);
	rec.fail_route_add = false;
	struct dp_route_view v;
	assert_int_equal(dp_route_get(dp, r64, &v), 0);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.policy.mode, DP_MODE_FLOW);
	/* deleting a tunnel takes it out of its routes */
	assert_int_equal(dp_tunnel_del(dp, t[0]), 0);
	assert_int_equal(dp_route_get(dp, rfrom, &v), 0);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.tunnels[0], t[1]);
	/* delete; unknown; bad arguments */
	assert_int_equal(dp_route_del(dp, DP_ROUTE_TO, AF_INET6, &hnp, 64), 0);
	assert_int_equal(dp_route_del(dp, DP_ROUTE_TO, AF_INET6, &hnp, 64), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(dp_route_lookup_tx(dp, &down), r32);
	assert_int_equal(dp_route_add(dp, DP_ROUTE_TO, AF_INET6, &hnp, 129, &t[1], 1, NULL), -1);
	int missing = 77;
	assert_int_equal(dp_route_add(dp, DP_ROUTE_TO, AF_INET6, &hnp, 64, &missing, 1, NULL), -1);
	/* IPv4 (RFC 5844 home address) */
	uint8_t v4[4] = {10, 100, 0, 0};
	assert_int_equal(dp_route_add(dp, DP_ROUTE_TO, AF_INET, v4, 24, &t[1], 1, NULL), 0);
	struct dp_flow f4 = {.family = AF_INET, .proto = IPPROTO_UDP};
	f4.dst.s6_addr[10] = f4.dst.s6_addr[11] = 0xff;
	f4.dst.s6_addr[12] = 10;
	f4.dst.s6_addr[13] = 100;
	f4.dst.s6_addr[15] = 7;
	assert_int_equal(dp_route_lookup_tx(dp, &f4), rec.last_route);
	dp_close(dp);
	assert_int_equal(rec.route_del, 4); /* r64, then r32, rfrom and the IPv4 route at close */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_policy_parse_and_format),
	    cmocka_unit_test(test_policy_parse_errors),
	    cmocka_unit_test(test_label_policy_http_over_label9_with_fallback),
	    cmocka_unit_test(test_strict_rule_drops_without_label),
	    cmocka_unit_test(test_weighted_per_packet_exact_ratio),
	    cmocka_unit_test(test_per_packet_failover),
	    cmocka_unit_test(test_per_flow_weighted_sticky_and_failover),
	    cmocka_unit_test(test_classify_ipv6_ext_headers_and_icmp),
	    cmocka_unit_test(test_classify_ipv4_and_errors),
	    cmocka_unit_test(test_ra_build),
	    cmocka_unit_test(test_rs_parse),
	    cmocka_unit_test(test_tables_tunnels),
	    cmocka_unit_test(test_tables_routes_lookup_and_failover),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
