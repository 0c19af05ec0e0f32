/* Data-plane test peer: drives RFC 2473 tunnels, RFC 8278 §4.1 policies and RFC 4861 RAs from
 * line commands on stdin, answering one JSON line per command (events as JSON lines too).
 *
 *   dp_peer [--backend auto|tun|ip6tnl] [--tun NAME] [--no-dp]
 * Commands:
 *   tunnel NAME LOCAL REMOTE LABEL WEIGHT   | del NAME | up NAME | down NAME
 *   route to|from PREFIX/LEN T1[,T2..] [POLICY...]   | unroute to|from PREFIX/LEN
 *   onlink PREFIX/LEN IFACE | unonlink PREFIX/LEN IFACE   (access-link route of an HNP)
 *   counters                                 | probe
 *   ndp IFACE | advertise IFACE LL_ID PREFIX/LEN [VALID PREFERRED] | withdraw IFACE LL_ID
 *   quit
 */
#include "dataplane.h"
#include "ev.h"
#include "ndp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define MAX_ACCESS 8
#define LINE_MAX_LEN 1024

struct peer {
	struct ev_loop *loop;
	struct dp *dp;
	struct ndp_access *access[MAX_ACCESS];
	char access_name[MAX_ACCESS][16];
	char line[LINE_MAX_LEN];
	size_t line_len;
};

static void reply_ok(void)
{
	printf("{\"ok\":true}\n");
	fflush(stdout);
}

static void reply_err(const char *why)
{
	printf("{\"ok\":false,\"error\":\"%s\"}\n", why);
	fflush(stdout);
}

static int parse_prefix(const char *text, int *family, uint8_t addr[16], uint8_t *plen)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", text);
	char *slash = strchr(buf, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	*family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	int p = atoi(slash + 1);
	if (inet_pton(*family, buf, addr) != 1 || p < 0 || p > (*family == AF_INET6 ? 128 : 32))
		return -1;
	*plen = (uint8_t)p;
	return 0;
}

static int tunnel_id(struct peer *pr, const char *name)
{
	return pr->dp ? dp_tunnel_find(pr->dp, name) : -1;
}

static void cmd_counters(struct peer *pr)
{
	char local[INET6_ADDRSTRLEN], remote[INET6_ADDRSTRLEN];
	struct dp_stats st;
	printf("{\"ok\":true,\"backend\":\"%s\",\"tunnels\":[", dp_backend_name(pr->dp));
	for (int id = dp_tunnel_next(pr->dp, -1), first = 1; id >= 0;
	     id = dp_tunnel_next(pr->dp, id), first = 0) {
		struct dp_tunnel_info ti;
		dp_tunnel_info(pr->dp, id, &ti);
		inet_ntop(AF_INET6, &ti.local, local, sizeof(local));
		inet_ntop(AF_INET6, &ti.remote, remote, sizeof(remote));
		printf("%s{\"name\":\"%s\",\"local\":\"%s\",\"remote\":\"%s\",\"if_label\":%u,"
		       "\"up\":%s,\"tx_packets\":%llu,\"tx_bytes\":%llu,\"rx_packets\":%llu,"
		       "\"rx_bytes\":%llu,\"tx_errors\":%llu}",
		       first ? "" : ",", ti.name, local, remote, ti.if_label,
		       ti.up ? "true" : "false", (unsigned long long)ti.counters.tx_packets,
		       (unsigned long long)ti.counters.tx_bytes,
		       (unsigned long long)ti.counters.rx_packets,
		       (unsigned long long)ti.counters.rx_bytes,
		       (unsigned long long)ti.counters.tx_errors);
	}
	dp_get_stats(pr->dp, &st);
	printf("],\"stats\":{\"no_route\":%llu,\"no_path\":%llu,\"bad_packet\":%llu,"
	       "\"rx_unknown\":%llu,\"rx_not_bound\":%llu}}\n",
	       (unsigned long long)st.no_route, (unsigned long long)st.no_path,
	       (unsigned long long)st.bad_packet, (unsigned long long)st.rx_unknown,
	       (unsigned long long)st.rx_not_bound);
	fflush(stdout);
}

static void cmd_tunnel(struct peer *pr, char **arg, int n)
{
	struct in6_addr local, remote;
	if (n != 6 || inet_pton(AF_INET6, arg[2], &local) != 1 ||
	    inet_pton(AF_INET6, arg[3], &remote) != 1)
		return reply_err("usage: tunnel NAME LOCAL REMOTE LABEL WEIGHT");
	if (dp_tunnel_add(pr->dp, arg[1], &local, &remote, (uint8_t)atoi(arg[4]),
	                  (uint16_t)atoi(arg[5])) < 0)
		return reply_err(strerror(errno));
	reply_ok();
}

static void cmd_route(struct peer *pr, char **arg, int n, const char *policy_text, bool add)
{
	int family;
	uint8_t prefix[16];
	uint8_t plen;
	if (n < 3 || (strcmp(arg[1], "to") && strcmp(arg[1], "from")) ||
	    parse_prefix(arg[2], &family, prefix, &plen))
		return reply_err("usage: route to|from PREFIX/LEN T1[,T2] [POLICY]");
	enum dp_route_dir dir = strcmp(arg[1], "to") ? DP_ROUTE_FROM : DP_ROUTE_TO;
	if (!add) {
		if (dp_route_del(pr->dp, dir, family, prefix, plen))
			return reply_err(strerror(errno));
		return reply_ok();
	}
	if (n < 4)
		return reply_err("route needs tunnels");
	int tunnels[DP_ROUTE_MAX_PATHS];
	unsigned nt = 0;
	for (char *save = NULL, *t = strtok_r(arg[3], ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		if (nt == DP_ROUTE_MAX_PATHS || (tunnels[nt++] = tunnel_id(pr, t)) < 0)
			return reply_err("unknown tunnel");
	}
	struct dp_policy pol;
	char err[128];
	if (dp_policy_parse(policy_text && *policy_text ? policy_text : "flow", &pol, err,
	                    sizeof(err)))
		return reply_err(err);
	if (dp_route_add(pr->dp, dir, family, prefix, plen, tunnels, nt, &pol))
		return reply_err(strerror(errno));
	reply_ok();
}

static void cmd_onlink(struct peer *pr, char **arg, int n, bool add)
{
	int family;
	uint8_t prefix[16];
	uint8_t plen;
	if (n != 3 || parse_prefix(arg[1], &family, prefix, &plen))
		return reply_err("usage: onlink PREFIX/LEN IFACE");
	int rc = add ? dp_onlink_route_add(pr->dp, family, prefix, plen, arg[2])
	             : dp_onlink_route_del(pr->dp, family, prefix, plen, arg[2]);
	if (rc)
		return reply_err(strerror(errno));
	reply_ok();
}

static const char *const event_names[] = {
    [NDP_EV_ATTACH] = "attach",       [NDP_EV_RS] = "rs",
    [NDP_EV_DETACH] = "detach",       [NDP_EV_LINK_UP] = "link-up",
    [NDP_EV_LINK_DOWN] = "link-down",
};

static void on_ndp_event(const struct ndp_event *ev, void *arg)
{
	char src[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, &ev->src, src, sizeof(src));
	printf("{\"event\":\"%s\",\"iface\":\"%s\",\"ll_id\":\"%s\",\"src\":\"%s\"}\n",
	       event_names[ev->kind], ev->ifname, ev->ll_id, src);
	fflush(stdout);
}

static struct ndp_access *access_find(struct peer *pr, const char *ifname)
{
	for (int i = 0; i < MAX_ACCESS; i++)
		if (pr->access[i] && !strcmp(pr->access_name[i], ifname))
			return pr->access[i];
	return NULL;
}

static void cmd_ndp(struct peer *pr, char **arg, int n)
{
	char err[256];
	int slot = 0;
	while (slot < MAX_ACCESS && pr->access[slot])
		slot++;
	if (n != 2 || slot == MAX_ACCESS)
		return reply_err("usage: ndp IFACE");
	struct ndp_ra_config cfg = {.interval_ms = 3000};
	pr->access[slot] = ndp_open(pr->loop, arg[1], &cfg, on_ndp_event, pr, err, sizeof(err));
	if (!pr->access[slot])
		return reply_err(err);
	snprintf(pr->access_name[slot], 16, "%s", arg[1]);
	reply_ok();
}

static void cmd_advertise(struct peer *pr, char **arg, int n)
{
	struct ndp_access *acc = n >= 4 ? access_find(pr, arg[1]) : NULL;
	struct ndp_prefix p = {.onlink = true,
	                       .autonomous = true,
	                       .valid_lifetime = 86400,
	                       .preferred_lifetime = 14400};
	int family;
	if (!acc || parse_prefix(arg[3], &family, p.prefix.s6_addr, &p.plen) || family != AF_INET6)
		return reply_err("usage: advertise IFACE LL_ID PREFIX/LEN [VALID PREFERRED]");
	if (n >= 6) {
		p.valid_lifetime = (uint32_t)strtoul(arg[4], NULL, 10);
		p.preferred_lifetime = (uint32_t)strtoul(arg[5], NULL, 10);
	}
	if (ndp_advertise(acc, arg[2], &p, 1))
		return reply_err(strerror(errno));
	reply_ok();
}

static void cmd_withdraw(struct peer *pr, char **arg, int n)
{
	struct ndp_access *acc = n == 3 ? access_find(pr, arg[1]) : NULL;
	if (!acc || ndp_withdraw(acc, arg[2]))
		return reply_err("usage: withdraw IFACE LL_ID (advertised)");
	reply_ok();
}

static void command(struct peer *pr, char *line)
{
	char copy[LINE_MAX_LEN];
	snprintf(copy, sizeof(copy), "%s", line);
	char *arg[16];
	int n = 0;
	for (char *save = NULL, *t = strtok_r(line, " \t", &save); t && n < 16;
	     t = strtok_r(NULL, " \t", &save))
		arg[n++] = t;
	if (n == 0)
		return;
	bool needs_dp = strcmp(arg[0], "ndp") && strcmp(arg[0], "advertise") &&
	                strcmp(arg[0], "withdraw") && strcmp(arg[0], "quit") &&
	                strcmp(arg[0], "probe");
	if (needs_dp && !pr->dp)
		return reply_err("no data plane (--no-dp)");
	if (!strcmp(arg[0], "tunnel")) {
		cmd_tunnel(pr, arg, n);
	} else if (!strcmp(arg[0], "route") || !strcmp(arg[0], "unroute")) {
		/* the policy is the rest of the line after the tunnel list */
		const char *policy = NULL;
		if (n > 4)
			policy = copy + (arg[4] - line);
		cmd_route(pr, arg, n, policy, !strcmp(arg[0], "route"));
	} else if (!strcmp(arg[0], "del") && n == 2) {
		if (dp_tunnel_del(pr->dp, tunnel_id(pr, arg[1])))
			return reply_err(strerror(errno));
		reply_ok();
	} else if ((!strcmp(arg[0], "up") || !strcmp(arg[0], "down")) && n == 2) {
		if (dp_tunnel_set_up(pr->dp, tunnel_id(pr, arg[1]), !strcmp(arg[0], "up")))
			return reply_err(strerror(errno));
		reply_ok();
	} else if (!strcmp(arg[0], "onlink") || !strcmp(arg[0], "unonlink")) {
		cmd_onlink(pr, arg, n, !strcmp(arg[0], "onlink"));
	} else if (!strcmp(arg[0], "counters")) {
		cmd_counters(pr);
	} else if (!strcmp(arg[0], "probe")) {
		char err[256] = "";
		int rc = dp_backend_ip6tnl.probe(err, sizeof(err));
		int e = errno;
		printf("{\"ok\":true,\"ip6tnl\":%s,\"errno\":%d,\"error\":\"%s\",\"backend\":\"%"
		       "s\"}\n",
		       rc ? "false" : "true", rc ? e : 0, err,
		       pr->dp ? dp_backend_name(pr->dp) : "");
		fflush(stdout);
	} else if (!strcmp(arg[0], "ndp")) {
		cmd_ndp(pr, arg, n);
	} else if (!strcmp(arg[0], "advertise")) {
		cmd_advertise(pr, arg, n);
	} else if (!strcmp(arg[0], "withdraw")) {
		cmd_withdraw(pr, arg, n);
	} else if (!strcmp(arg[0], "quit")) {
		reply_ok();
		ev_break(pr->loop);
	} else {
		reply_err("unknown command");
	}
}

static void on_stdin(int fd, uint32_t events, void *arg)
{
	struct peer *pr = arg;
	ssize_t n = read(fd, pr->line + pr->line_len, sizeof(pr->line) - 1 - pr->line_len);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			ev_break(pr->loop); /* the driver went away */
		return;
	}
	pr->line_len += (size_t)n;
	pr->line[pr->line_len] = '\0';
	char *nl;
	while ((nl = strchr(pr->line, '\n'))) {
		*nl = '\0';
		command(pr, pr->line);
		size_t used = (size_t)(nl + 1 - pr->line);
		memmove(pr->line, nl + 1, pr->line_len - used + 1);
		pr->line_len -= used;
	}
	if (pr->line_len == sizeof(pr->line) - 1)
		pr->line_len = 0; /* an over-long line is dropped */
}

static void on_signal(int signo, void *arg)
{
	ev_break(((struct peer *)arg)->loop);
}

int main(int argc, char **argv)
{
	static struct peer pr;
	struct dp_options opt = {.backend = DP_BACKEND_TUN};
	bool use_dp = true;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--backend") && i + 1 < argc) {
			const char *b = argv[++i];
			opt.backend = !strcmp(b, "auto")     ? DP_BACKEND_AUTO
			              : !strcmp(b, "ip6tnl") ? DP_BACKEND_IP6TNL
			                                     : DP_BACKEND_TUN;
		} else if (!strcmp(argv[i], "--tun") && i + 1 < argc) {
			opt.tun_name = argv[++i];
		} else if (!strcmp(argv[i], "--no-dp")) {
			use_dp = false;
		} else {
			fprintf(stderr, "usage: dp_peer [--backend auto|tun|ip6tnl] [--tun NAME] "
			                "[--no-dp]\n");
			return 2;
		}
	}
	pr.loop = ev_loop_new();
	if (!pr.loop)
		return 1;
	char err[256];
	if (use_dp && !(pr.dp = dp_open(pr.loop, &opt, err, sizeof(err)))) {
		printf("{\"ready\":false,\"error\":\"%s\"}\n", err);
		return 1;
	}
	fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
	ev_fd_add(pr.loop, 0, EPOLLIN, on_stdin, &pr);
	ev_signal(pr.loop, SIGTERM, on_signal, &pr);
	ev_signal(pr.loop, SIGINT, on_signal, &pr);
	printf("{\"ready\":true,\"backend\":\"%s\"}\n", pr.dp ? dp_backend_name(pr.dp) : "");
	fflush(stdout);
	int rc = ev_run(pr.loop);
	for (int i = 0; i < MAX_ACCESS; i++)
		ndp_close(pr.access[i]);
	dp_close(pr.dp);
	ev_loop_free(pr.loop);
	return rc ? 1 : 0;
}
