/* rr-probe: HAARO return routability and MR->CR registration from the shell (seed 003 §3.2,
 * §3.3.3; RFC 6521 §3.2, §3.3.3, §5.3-5.9): initiator, or correspondent router with --respond. */
#include "cr.h"
#include "keys.h"
#include "numbers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_OK = 0, EXIT_REJECTED = 1, EXIT_USAGE = 2 };

#define MAX_OPT_LIST 16
#define MAX_DATAGRAM 2048

struct options {
	int respond, json, verbose;
	unsigned port;
	/* initiator */
	const char *cr, *hoa, *home_iface, *coa, *coa_iface, *ha;
	unsigned timeout_ms, max_timeout_ms, retries;
	unsigned hoti_delay_ms, coti_delay_ms, register_delay_ms;
	int do_register;
	unsigned lifetime;
	const char *prefixes[MAX_OPT_LIST];
	unsigned n_prefixes;
	const char *krm_hex;
	unsigned hni, cni;
	/* responder */
	const char *bind_addr, *iface, *prefix_table;
	const char *cr_coas[CR_MAX_COAS];
	unsigned n_cr_coas;
	double nonce_lifetime;
	unsigned nonces_kept, max_lifetime, count;
	double duration;
	int reject_unauthorized;
	const char *pending[MAX_OPT_LIST];
	unsigned n_pending;
	const char *psks[MAX_OPT_LIST];
	unsigned n_psks;
	const char *tba;
};

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	stop_requested = 1;
}

static void usage(FILE *fp)
{
	fprintf(
	    fp,
	    "Usage: rr-probe [options] --cr CR_HOA --hoa HOA --coa COA [--register ...]\n"
	    "       rr-probe --respond --hoa CR_HOA [responder options]\n"
	    "HAARO return routability (HoTI/CoTI -> HoT/CoT) and MR->CR registration.\n"
	    "\n"
	    "Initiator (mobile router):\n"
	    "  --cr ADDR            the correspondent router's home address (destination)\n"
	    "  --hoa ADDR           home address: source of the HoTI (home agent path)\n"
	    "  --home-iface IF      send the HoTI through IF (a tunnel or the home link)\n"
	    "  --coa ADDR           care-of address: source of the CoTI and the registration\n"
	    "  --coa-iface IF       send the CoTI and the registration through IF\n"
	    "  --timeout MS         first retransmission timeout (default 1000), doubled\n"
	    "  --max-timeout MS     retransmission timeout cap (default 8000)\n"
	    "  --retries N          retransmissions of each message (default 4)\n"
	    "  --hoti-delay MS, --coti-delay MS, --register-delay MS\n"
	    "                       wait before the first HoTI / CoTI / registration\n"
	    "  --register           then send the MR->CR Registration Request (MC-Auth)\n"
	    "  --ha ADDR            Home Agent field of the request (default 0.0.0.0)\n"
	    "  --lifetime S         requested lifetime (default 600; 0 deregisters: no CoTI,\n"
	    "                       KRm = SHA1(home token))\n"
	    "  --prefix P/LEN       Mobile Network Request for P/LEN (repeatable)\n"
	    "  --krm HEX40          pre-shared KRm: skip return routability\n"
	    "  --hni N, --cni N     nonce indices with --krm (default 0, RFC 6521 §5.3)\n"
	    "\n"
	    "Responder (correspondent router, --respond):\n"
	    "  --hoa ADDR           this router's home address (concurrent-registration rule)\n"
	    "  --bind ADDR          listen address (default: any; replies leave from the\n"
	    "                       address a message was sent to)\n"
	    "  --iface IF           listen on IF only\n"
	    "  --coa ADDR           care-of address for the reply's CoA extension (repeatable)\n"
	    "  --prefix-table FILE  lines 'HOA PREFIX/LEN...': prefixes each HoA owns\n"
	    "  --nonce-lifetime S   a new nonce every S seconds (default 30; fractions ok)\n"
	    "  --nonces-kept N      the last N nonces are accepted (default 8, max 64)\n"
	    "  --max-lifetime S     granted lifetime cap (default 600)\n"
	    "  --reject-unauthorized\n"
	    "                       refuse a registration claiming a foreign prefix (147)\n"
	    "                       instead of acking that prefix MOBNET_UNAUTHORIZED\n"
	    "  --pending PEER       own registration to PEER in progress (concurrent rule)\n"
	    "  --psk HOA:HEX40      pre-shared KRm of a peer (repeatable)\n"
	    "  --count N            exit after answering N registrations\n"
	    "  --duration S         exit after S seconds (default: at SIGINT/SIGTERM)\n"
	    "\n"
	    "Common:\n"
	    "  --port N             UDP port (default 434)\n"
	    "  --json               JSON output (initiator: one object; responder: one per line)\n"
	    "  --tba NAME=VALUE[,...]  numbers left TBA by the draft (haaro-hoti, ...)\n"
	    "  -v                   also report ignored datagrams\n"
	    "  -h, --help           show this help\n"
	    "\n"
	    "Exit status: 0 return routability done and (with --register) the registration\n"
	    "accepted with every prefix acknowledged; responder: normal end. 1 timeout,\n"
	    "rejection (reply code >= 128, a Mobile Network Ack code other than 0, a bad\n"
	    "MC-Auth) or a socket error. 2 usage error.\n");
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "rr-probe: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry 'rr-probe -h' for help.\n");
	va_end(ap);
	return EXIT_USAGE;
}

/* ---- small helpers ---- */

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int parse_addr(const char *s, uint8_t out[4])
{
	return s && inet_pton(AF_INET, s, out) == 1 ? 0 : -1;
}

static const char *addr_str(const uint8_t a[4], char buf[INET_ADDRSTRLEN])
{
	return inet_ntop(AF_INET, a, buf, INET_ADDRSTRLEN);
}

/* "A.B.C.D/LEN" */
static int parse_prefix(const char *s, uint8_t prefix[4], uint8_t *plen)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	char *end;
	if (!slash || (size_t)(slash - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = 0;
	unsigned long len = strtoul(slash + 1, &end, 10);
	if (*end || slash[1] == 0 || len > 32 || parse_addr(buf, prefix) < 0)
		return -1;
	*plen = (uint8_t)len;
	return 0;
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (*s == 0 || *end || errno || v > max || *s == '-')
		return -1;
	*out = (unsigned)v;
	return 0;
}

static const char *hex64(uint64_t v, char buf[19])
{
	snprintf(buf, 19, "0x%016llx", (unsigned long long)v);
	return buf;
}

static const char *hex_str(const uint8_t *p, size_t n, char *buf)
{
	for (size_t i = 0; i < n; i++)
		sprintf(buf + 2 * i, "%02x", p[i]);
	buf[2 * n] = 0;
	return buf;
}

static void json_add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

static void json_add_int(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

static void json_add_addr(struct json_object *o, const char *key, const uint8_t a[4])
{
	char buf[INET_ADDRSTRLEN];
	json_add_str(o, key, addr_str(a, buf));
}

static void json_add_rtt(struct json_object *o, double rtt_ms)
{
	char text[32];
	snprintf(text, sizeof(text), "%.3f", rtt_ms);
	json_object_object_add(o, "rtt_ms", json_object_new_double_s(atof(text), text));
}

static void json_print(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	                                                     JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	json_object_put(o);
}

/* Networks with their Ack codes, as a JSON array. */
static struct json_object *json_networks(const struct cr_network *nets, unsigned n)
{
	struct json_object *arr = json_object_new_array();
	for (unsigned i = 0; i < n; i++) {
		char buf[INET_ADDRSTRLEN], pfx[24];
		struct json_object *a = json_object_new_object();
		snprintf(pfx, sizeof(pfx), "%s/%u", addr_str(nets[i].prefix, buf), nets[i].plen);
		json_add_str(a, "prefix", pfx);
		json_add_int(a, "code", nets[i].ack_code);
		json_add_str(a, "code_name", cr_mobnet_code_name(nets[i].ack_code));
		json_object_array_add(arr, a);
	}
	return arr;
}

static void print_networks(const char *indent, const struct cr_network *nets, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		char buf[INET_ADDRSTRLEN];
		printf("%sMobile Network Ack %s/%u: %u (%s)\n", indent,
		       addr_str(nets[i].prefix, buf), nets[i].plen, nets[i].ack_code,
		       cr_mobnet_code_name(nets[i].ack_code));
	}
}

/* A UDP socket bound to addr:port, optionally to a device. */
static int open_socket(const char *addr, unsigned port, const char *iface)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("rr-probe: socket");
		return -1;
	}
	if (iface && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface, (socklen_t)strlen(iface))) {
		fprintf(stderr, "rr-probe: bind to device %s: %s\n", iface, strerror(errno));
		close(fd);
		return -1;
	}
	if (addr && parse_addr(addr, (uint8_t *)&sa.sin_addr) < 0) {
		close(fd);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "rr-probe: bind %s:%u: %s\n", addr ? addr : "0.0.0.0", port,
		        strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- initiator ---- */

struct probe;

/* One request/answer exchange with retransmission and exponential backoff. */
struct exchange {
	const char *name; /* "HoTI" */
	int fd;
	struct sockaddr_in dst;
	int (*build)(struct probe *p, uint8_t *buf, size_t cap);
	/* 1 when buf answers the exchange (result stored), 0 to ignore it */
	int (*accept)(struct probe *p, const uint8_t *buf, size_t len);
	unsigned sent;
	uint64_t next_ms;
	unsigned timeout_ms;
	double last_send_us;
	double rtt_ms;
	int done;
};

struct probe {
	const struct options *o;
	uint8_t cr[4], hoa[4], coa[4], ha[4];
	uint64_t home_cookie, careof_cookie;
	struct cr_test hot, cot;
	uint8_t krm[HAARO_KRM_LEN];
	struct cr_network networks[CR_MAX_NETWORKS];
	unsigned n_networks;
	uint64_t ident;
	struct cr_reply reply;
	const char *error;
};

static int build_hoti(struct probe *p, uint8_t *buf, size_t cap)
{
	return cr_build_test_init(0, p->home_cookie, buf, cap);
}

static int build_coti(struct probe *p, uint8_t *buf, size_t cap)
{
	return cr_build_test_init(1, p->careof_cookie, buf, cap);
}

static int accept_test(struct probe *p, int careof, const uint8_t *buf, size_t len)
{
	const char *why = NULL;
	struct cr_test *t = careof ? &p->cot : &p->hot;
	if (cr_parse_test(careof, careof ? p->careof_cookie : p->home_cookie, buf, len, t, &why) <
	    0) {
		if (p->o->verbose)
			fprintf(stderr, "rr-probe: ignored datagram: %s\n", why);
		return 0;
	}
	return 1;
}

static int accept_hot(struct probe *p, const uint8_t *buf, size_t len)
{
	return accept_test(p, 0, buf, len);
}

static int accept_cot(struct probe *p, const uint8_t *buf, size_t len)
{
	return accept_test(p, 1, buf, len);
}

/* RFC 5944 §5.7 timestamp: NTP seconds and fraction, strictly increasing per request. */
static uint64_t next_ident(uint64_t prev)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t v = ((uint64_t)ts.tv_sec + 2208988800ull) << 32 |
	             (uint64_t)(((double)ts.tv_nsec / 1e9) * 4294967296.0);
	return v > prev ? v : prev + 1;
}

static int build_request(struct probe *p, uint8_t *buf, size_t cap)
{
	struct cr_request rq = {
	    .lifetime = (uint16_t)p->o->lifetime,
	    .hni = p->hot.nonce_index,
	    .cni = p->o->lifetime ? p->cot.nonce_index : 0,
	    .krm = p->krm,
	    .n_networks = p->n_networks,
	};
	memcpy(rq.hoa, p->hoa, 4);
	memcpy(rq.ha, p->ha, 4);
	memcpy(rq.coa, p->coa, 4);
	memcpy(rq.networks, p->networks, sizeof(p->networks));
	p->ident = next_ident(p->ident);
	rq.ident = p->ident;
	return cr_build_request(&rq, buf, cap);
}

static int accept_reply(struct probe *p, const uint8_t *buf, size_t len)
{
	const char *why = NULL;
	struct cr_reply rp;
	if (cr_parse_reply(buf, len, p->krm, &rp, &why) < 0 ||
	    (uint32_t)rp.ident != (uint32_t)p->ident) {
		if (p->o->verbose)
			fprintf(stderr, "rr-probe: ignored datagram: %s\n",
			        why ? why : "Identification mismatch");
		return 0;
	}
	p->reply = rp;
	return 1;
}

static int send_exchange(struct probe *p, struct exchange *x, uint64_t now)
{
	uint8_t buf[MAX_DATAGRAM];
	int n = x->build(p, buf, sizeof(buf));
	if (n < 0) {
		p->error = "cannot encode the message";
		return -1;
	}
	if (sendto(x->fd, buf, (size_t)n, 0, (struct sockaddr *)&x->dst, sizeof(x->dst)) < 0 &&
	    p->o->verbose)
		fprintf(stderr, "rr-probe: send %s: %s\n", x->name, strerror(errno));
	x->sent++;
	x->last_send_us = now_us();
	x->next_ms = now + x->timeout_ms;
	x->timeout_ms =
	    x->timeout_ms * 2 < p->o->max_timeout_ms ? x->timeout_ms * 2 : p->o->max_timeout_ms;
	return 0;
}

static void receive_on(struct probe *p, int fd, struct exchange *xs, unsigned n)
{
	uint8_t buf[MAX_DATAGRAM];
	ssize_t len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (len <= 0)
		return;
	double t = now_us();
	for (unsigned i = 0; i < n; i++) {
		struct exchange *x = &xs[i];
		if (x->fd == fd && !x->done && x->sent && x->accept(p, buf, (size_t)len)) {
			x->done = 1;
			x->rtt_ms = (t - x->last_send_us) / 1000.0;
			return;
		}
	}
}

/* Run the exchanges until each is answered; 0, or -1 when one ran out of retransmissions. */
static int run_exchanges(struct probe *p, struct exchange *xs, unsigned n)
{
	for (;;) {
		uint64_t now = now_ms(), wake = UINT64_MAX;
		unsigned pending = 0;
		for (unsigned i = 0; i < n; i++) {
			struct exchange *x = &xs[i];
			if (x->done)
				continue;
			if (now >= x->next_ms) {
				if (x->sent > p->o->retries) {
					p->error = "timeout";
					return -1;
				}
				if (send_exchange(p, x, now) < 0)
					return -1;
			}
			pending++;
			wake = x->next_ms < wake ? x->next_ms : wake;
		}
		if (!pending)
			return 0;
		if (stop_requested) {
			p->error = "interrupted";
			return -1;
		}
		struct pollfd pfd[4];
		unsigned nfd = 0;
		for (unsigned i = 0; i < n && nfd < 4; i++) {
			int seen = 0;
			for (unsigned k = 0; k < nfd; k++)
				seen |= pfd[k].fd == xs[i].fd;
			if (!seen && !xs[i].done)
				pfd[nfd++] = (struct pollfd){.fd = xs[i].fd, .events = POLLIN};
		}
		now = now_ms();
		int r = poll(pfd, nfd, wake > now ? (int)(wake - now) : 0);
		for (unsigned k = 0; r > 0 && k < nfd; k++)
			if (pfd[k].revents & POLLIN)
				receive_on(p, pfd[k].fd, xs, n);
	}
}

static void init_exchange(struct exchange *x, const char *name, int fd, const struct probe *p,
                          uint64_t start, int (*build)(struct probe *, uint8_t *, size_t),
                          int (*accept)(struct probe *, const uint8_t *, size_t))
{
	memset(x, 0, sizeof(*x));
	x->name = name;
	x->fd = fd;
	x->dst.sin_family = AF_INET;
	x->dst.sin_port = htons((uint16_t)p->o->port);
	memcpy(&x->dst.sin_addr, p->cr, 4);
	x->build = build;
	x->accept = accept;
	x->next_ms = start;
	x->timeout_ms = p->o->timeout_ms;
}

static struct json_object *json_exchange(const struct exchange *x, const struct cr_test *t)
{
	char buf[19];
	struct json_object *o = json_object_new_object();
	json_add_int(o, "sent", x->sent);
	json_object_object_add(o, "received", json_object_new_boolean(x->done));
	if (x->done && t) {
		json_add_int(o, "nonce_index", t->nonce_index);
		json_add_str(o, "cookie", hex64(t->cookie, buf));
		json_add_str(o, "token", hex64(t->token, buf));
	}
	if (x->done)
		json_add_rtt(o, x->rtt_ms);
	return o;
}

static void print_exchange(const struct exchange *x, const char *answer, const struct cr_test *t)
{
	char c[19], k[19];
	if (!x->sent)
		return;
	if (!x->done) {
		printf("%s: no answer (%u %s sent)\n", answer, x->sent, x->name);
		return;
	}
	printf("%s: nonce index %u, cookie %s, token %s, rtt %.3f ms (%u %s sent)\n", answer,
	       t->nonce_index, hex64(t->cookie, c), hex64(t->token, k), x->rtt_ms, x->sent,
	       x->name);
}

static const char *auth_name(enum cr_auth_status s)
{
	return s == CR_AUTH_GOOD ? "good" : s == CR_AUTH_BAD ? "bad" : "absent";
}

/* Outcome: "accepted", "rejected" or "timeout"/error. */
static const char *outcome(const struct probe *p, int rr_ok, const struct exchange *reg)
{
	if (!rr_ok || (reg && !reg->done))
		return p->error ? p->error : "timeout";
	if (!reg)
		return "accepted";
	if (p->reply.code >= 128 || p->reply.auth != CR_AUTH_GOOD)
		return "rejected";
	for (unsigned i = 0; i < p->reply.n_acks; i++)
		if (p->reply.acks[i].ack_code != CR_MOBNET_SUCCESS)
			return "rejected";
	return "accepted";
}

static void report(const struct probe *p, const struct exchange *rr, int use_rr, int rr_ok,
                   const struct exchange *reg, const char *result)
{
	const struct options *o = p->o;
	char buf[INET_ADDRSTRLEN], krm[2 * HAARO_KRM_LEN + 1];
	int have_krm = rr_ok;
	if (o->json) {
		struct json_object *j = json_object_new_object();
		json_add_addr(j, "cr", p->cr);
		json_add_addr(j, "hoa", p->hoa);
		json_add_addr(j, "coa", p->coa);
		if (use_rr) {
			json_object_object_add(j, "hot", json_exchange(&rr[0], &p->hot));
			if (rr[1].sent || o->lifetime)
				json_object_object_add(j, "cot", json_exchange(&rr[1], &p->cot));
		}
		if (have_krm)
			json_add_str(j, "krm", hex_str(p->krm, HAARO_KRM_LEN, krm));
		if (reg && reg->sent) {
			struct json_object *r = json_exchange(reg, NULL);
			json_add_int(r, "lifetime_requested", o->lifetime);
			struct json_object *req = json_object_new_array();
			for (unsigned i = 0; i < p->n_networks; i++) {
				char pfx[24];
				snprintf(pfx, sizeof(pfx), "%s/%u",
				         addr_str(p->networks[i].prefix, buf), p->networks[i].plen);
				json_object_array_add(req, json_object_new_string(pfx));
			}
			json_object_object_add(r, "prefixes", req);
			if (reg->done) {
				json_add_int(r, "code", p->reply.code);
				json_add_str(r, "code_name", cr_code_name(p->reply.code));
				json_add_int(r, "lifetime", p->reply.lifetime);
				json_add_str(r, "auth", auth_name(p->reply.auth));
				json_object_object_add(
				    r, "mobile_network_acks",
				    json_networks(p->reply.acks, p->reply.n_acks));
				struct json_object *coas = json_object_new_array();
				for (unsigned i = 0; i < p->reply.n_coas; i++)
					json_object_array_add(coas, json_object_new_string(addr_str(
					                                p->reply.coas[i], buf)));
				json_object_object_add(r, "coas", coas);
			}
			json_object_object_add(j, "registration", r);
		}
		json_add_str(j, "result", result);
		json_print(j);
		return;
	}
	if (use_rr) {
		print_exchange(&rr[0], "HoT", &p->hot);
		print_exchange(&rr[1], "CoT", &p->cot);
	}
	if (have_krm)
		printf("KRm %s%s\n", hex_str(p->krm, HAARO_KRM_LEN, krm),
		       o->lifetime ? "" : " (deregistration: SHA1(home token))");
	if (reg && reg->sent && !reg->done)
		printf("Registration Reply: no answer (%u requests sent)\n", reg->sent);
	if (reg && reg->done) {
		printf("Registration Reply: code %u (%s), lifetime %u, MC-Auth %s, rtt %.3f ms (%u "
		       "request%s sent)\n",
		       p->reply.code, cr_code_name(p->reply.code), p->reply.lifetime,
		       auth_name(p->reply.auth), reg->rtt_ms, reg->sent, reg->sent > 1 ? "s" : "");
		print_networks("  ", p->reply.acks, p->reply.n_acks);
		for (unsigned i = 0; i < p->reply.n_coas; i++)
			printf("  Care-of Address %s\n", addr_str(p->reply.coas[i], buf));
	}
	printf("result: %s\n", result);
}

static int run_initiator(const struct options *o)
{
	struct probe p = {.o = o};
	if (parse_addr(o->cr, p.cr) < 0)
		return usage_error("--cr needs an IPv4 address");
	if (parse_addr(o->hoa, p.hoa) < 0)
		return usage_error("--hoa needs an IPv4 address");
	if (parse_addr(o->coa ? o->coa : o->hoa, p.coa) < 0)
		return usage_error("--coa needs an IPv4 address");
	if (o->ha && parse_addr(o->ha, p.ha) < 0)
		return usage_error("--ha needs an IPv4 address");
	for (unsigned i = 0; i < o->n_prefixes; i++)
		if (parse_prefix(o->prefixes[i], p.networks[i].prefix, &p.networks[i].plen) < 0)
			return usage_error("invalid --prefix: %s", o->prefixes[i]);
	p.n_networks = o->n_prefixes;
	int use_rr = !o->krm_hex;
	if (!use_rr && dmm_hex_decode(o->krm_hex, p.krm, HAARO_KRM_LEN) != HAARO_KRM_LEN)
		return usage_error("--krm needs 40 hex digits");
	if (!use_rr && !o->do_register)
		return usage_error("--krm without --register has nothing to do");
	if (use_rr && (cr_random64(&p.home_cookie) < 0 || cr_random64(&p.careof_cookie) < 0)) {
		fprintf(stderr, "rr-probe: no random numbers\n");
		return EXIT_REJECTED;
	}
	p.hot.nonce_index = (uint16_t)o->hni;
	p.cot.nonce_index = (uint16_t)o->cni;

	int home_fd = open_socket(o->hoa, 0, o->home_iface);
	int coa_fd = open_socket(o->coa ? o->coa : o->hoa, 0, o->coa_iface);
	if (home_fd < 0 || coa_fd < 0)
		return EXIT_REJECTED;

	struct exchange rr[2], reg;
	int rr_ok = 1;
	uint64_t t0 = now_ms();
	init_exchange(&rr[0], "HoTI", home_fd, &p, t0 + o->hoti_delay_ms, build_hoti, accept_hot);
	init_exchange(&rr[1], "CoTI", coa_fd, &p, t0 + o->coti_delay_ms, build_coti, accept_cot);
	if (use_rr) {
		/* deregistration needs the home keygen token only */
		rr_ok = run_exchanges(&p, rr, o->lifetime ? 2 : 1) == 0;
		if (rr_ok && cr_derive_krm(p.hot.token, p.cot.token, o->lifetime == 0, p.krm) < 0) {
			p.error = "cannot derive KRm";
			rr_ok = 0;
		}
	}
	struct exchange *regp = NULL;
	if (rr_ok && o->do_register) {
		regp = &reg;
		init_exchange(&reg, "Registration Request", coa_fd, &p,
		              now_ms() + o->register_delay_ms, build_request, accept_reply);
		run_exchanges(&p, &reg, 1);
	}
	const char *result = outcome(&p, rr_ok, regp);
	report(&p, rr, use_rr, rr_ok, regp, result);
	close(home_fd);
	close(coa_fd);
	return strcmp(result, "accepted") == 0 ? EXIT_OK : EXIT_REJECTED;
}

/* ---- responder ---- */

static int load_prefix_table(struct cr *cr, const char *path)
{
	char line[512];
	unsigned lineno = 0;
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "rr-probe: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *tok;
		uint8_t hoa[4], prefix[4], plen;
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		tok = strtok_r(line, " \t\r\n", &save);
		if (!tok)
			continue;
		if (parse_addr(tok, hoa) < 0)
			goto bad;
		/* the HoA itself is always reachable through its router (seed 003 §3.1.2) */
		if (cr_add_prefix(cr, hoa, hoa, 32) < 0)
			goto bad;
		while ((tok = strtok_r(NULL, " \t\r\n", &save)))
			if (parse_prefix(tok, prefix, &plen) < 0 ||
			    cr_add_prefix(cr, hoa, prefix, plen))
				goto bad;
	}
	fclose(f);
	return 0;
bad:
	fprintf(stderr, "rr-probe: %s:%u: expected 'HOA PREFIX/LEN...' (at most %u entries)\n",
	        path, lineno, CR_MAX_PREFIXES);
	fclose(f);
	return -1;
}

static int configure_responder(const struct options *o, struct cr *cr, uint64_t now)
{
	struct cr_config cfg = {
	    .nonce_period_ms = (uint32_t)llround(o->nonce_lifetime * 1000),
	    .nonces_kept = o->nonces_kept,
	    .max_lifetime = (uint16_t)o->max_lifetime,
	    .reject_unauthorized = (uint8_t)o->reject_unauthorized,
	    .check_ident = 1,
	};
	if (parse_addr(o->hoa, cfg.hoa) < 0)
		return usage_error("--respond needs --hoa ADDR (this router's home address)");
	for (unsigned i = 0; i < o->n_cr_coas; i++)
		if (parse_addr(o->cr_coas[i], cfg.coas[i]) < 0)
			return usage_error("invalid --coa: %s", o->cr_coas[i]);
	cfg.n_coas = o->n_cr_coas;
	if (o->nonce_lifetime < 0.001 || o->nonce_lifetime > 86400)
		return usage_error("--nonce-lifetime must be 0.001..86400 seconds");
	if (o->nonces_kept < 1 || o->nonces_kept > CR_MAX_NONCES_KEPT)
		return usage_error("--nonces-kept must be 1..%u", CR_MAX_NONCES_KEPT);
	if (cr_init(cr, &cfg, now) < 0)
		return usage_error("invalid responder configuration");
	if (o->prefix_table && load_prefix_table(cr, o->prefix_table) < 0)
		return EXIT_USAGE;
	for (unsigned i = 0; i < o->n_pending; i++) {
		uint8_t peer[4];
		if (parse_addr(o->pending[i], peer) < 0 || cr_pending_add(cr, peer, UINT64_MAX) < 0)
			return usage_error("invalid --pending: %s", o->pending[i]);
	}
	for (unsigned i = 0; i < o->n_psks; i++) {
		char addr[INET_ADDRSTRLEN];
		uint8_t hoa[4], krm[HAARO_KRM_LEN];
		const char *colon = strchr(o->psks[i], ':');
		size_t n = colon ? (size_t)(colon - o->psks[i]) : 0;
		if (!colon || n >= sizeof(addr))
			return usage_error("invalid --psk: %s", o->psks[i]);
		memcpy(addr, o->psks[i], n);
		addr[n] = 0;
		if (parse_addr(addr, hoa) < 0 ||
		    dmm_hex_decode(colon + 1, krm, sizeof(krm)) != HAARO_KRM_LEN ||
		    cr_add_psk(cr, hoa, krm) < 0)
			return usage_error("invalid --psk: %s", o->psks[i]);
	}
	return -1;
}

static void report_event(const struct options *o, const struct cr *cr, const struct cr_result *res,
                         const uint8_t from[4], unsigned port)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], c[19], t[19];
	static const char *const names[] = {
	    [CR_EV_DROPPED] = "dropped",
	    [CR_EV_HOT] = "hot",
	    [CR_EV_COT] = "cot",
	    [CR_EV_REGISTRATION] = "registration",
	};
	if (res->event == CR_EV_DROPPED && !o->verbose)
		return;
	if (o->json) {
		struct json_object *j = json_object_new_object();
		json_add_str(j, "event", names[res->event]);
		json_add_addr(j, "from", from);
		json_add_int(j, "port", port);
		if (res->event == CR_EV_HOT || res->event == CR_EV_COT) {
			json_add_int(j, "nonce_index", res->nonce_index);
			json_add_str(j, "cookie", hex64(res->cookie, c));
			json_add_str(j, "token", hex64(res->token, t));
		} else if (res->event == CR_EV_REGISTRATION) {
			json_add_addr(j, "hoa", res->hoa);
			json_add_int(j, "hni", res->hni);
			json_add_int(j, "cni", res->cni);
			json_object_object_add(j, "dereg", json_object_new_boolean(res->dereg));
			json_add_int(j, "code", res->code);
			json_add_str(j, "code_name", cr_code_name(res->code));
			json_add_int(j, "lifetime", res->lifetime);
			json_object_object_add(j, "mobile_network_acks",
			                       json_networks(res->networks, res->n_networks));
		}
		json_add_int(j, "bindings", cr->n_bindings);
		if (res->why)
			json_add_str(j, "why", res->why);
		json_print(j);
		return;
	}
	addr_str(from, a);
	if (res->event == CR_EV_HOT || res->event == CR_EV_COT)
		printf("%s to %s:%u: nonce index %u, cookie %s, token %s\n",
		       res->event == CR_EV_HOT ? "HoT" : "CoT", a, port, res->nonce_index,
		       hex64(res->cookie, c), hex64(res->token, t));
	else if (res->event == CR_EV_REGISTRATION)
		printf("Registration from %s (HoA %s, HNI %u, CNI %u%s): code %u (%s)%s%s, "
		       "bindings %u\n",
		       a, addr_str(res->hoa, b), res->hni, res->cni, res->dereg ? ", dereg" : "",
		       res->code, cr_code_name(res->code), res->why ? ": " : "",
		       res->why ? res->why : "", cr->n_bindings);
	else
		printf("dropped datagram from %s:%u: %s\n", a, port, res->why);
	if (res->event == CR_EV_REGISTRATION)
		print_networks("  ", res->networks, res->n_networks);
	fflush(stdout);
}

static void report_bindings(const struct options *o, const struct cr *cr, unsigned registrations)
{
	char a[INET_ADDRSTRLEN];
	if (o->json) {
		struct json_object *j = json_object_new_object(), *arr = json_object_new_array();
		json_add_str(j, "event", "exit");
		json_add_int(j, "registrations", registrations);
		for (unsigned i = 0; i < cr->n_bindings; i++) {
			const struct cr_binding *b = &cr->bindings[i];
			struct json_object *e = json_object_new_object();
			json_add_addr(e, "hoa", b->hoa);
			json_add_addr(e, "coa", b->coa);
			json_add_int(e, "lifetime", b->lifetime);
			json_object_object_add(e, "concurrent",
			                       json_object_new_boolean(b->concurrent));
			json_object_object_add(e, "networks",
			                       json_networks(b->networks, b->n_networks));
			json_object_array_add(arr, e);
		}
		json_object_object_add(j, "bindings", arr);
		json_print(j);
		return;
	}
	printf("%u registration%s answered, %u binding%s\n", registrations,
	       registrations == 1 ? "" : "s", cr->n_bindings, cr->n_bindings == 1 ? "" : "s");
	for (unsigned i = 0; i < cr->n_bindings; i++)
		printf("  binding %s via %s, lifetime %u%s\n", addr_str(cr->bindings[i].hoa, a),
		       inet_ntop(AF_INET, cr->bindings[i].coa, (char[INET_ADDRSTRLEN]){0},
		                 INET_ADDRSTRLEN),
		       cr->bindings[i].lifetime, cr->bindings[i].concurrent ? ", concurrent" : "");
}

/* Receive one datagram with its destination address (IP_PKTINFO) and answer it from there. */
static int serve_one(const struct options *o, struct cr *cr, int fd, unsigned *registrations)
{
	uint8_t buf[MAX_DATAGRAM], reply[MAX_DATAGRAM];
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} control;
	struct sockaddr_in from;
	struct iovec iov = {buf, sizeof(buf)};
	struct msghdr msg = {.msg_name = &from,
	                     .msg_namelen = sizeof(from),
	                     .msg_iov = &iov,
	                     .msg_iovlen = 1,
	                     .msg_control = control.buf,
	                     .msg_controllen = sizeof(control.buf)};
	ssize_t len = recvmsg(fd, &msg, MSG_DONTWAIT);
	if (len < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	struct in_pktinfo *info = NULL;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
			info = (struct in_pktinfo *)CMSG_DATA(c);
	struct cr_result res;
	uint64_t now = now_ms();
	cr_expire(cr, now);
	int n = cr_input(cr, now, (const uint8_t *)&from.sin_addr, buf, (size_t)len, reply,
	                 sizeof(reply), &res);
	if (res.event == CR_EV_REGISTRATION)
		(*registrations)++;
	/* reported before the reply leaves, so that the peer never sees an unlogged answer */
	report_event(o, cr, &res, (const uint8_t *)&from.sin_addr, ntohs(from.sin_port));
	if (n > 0) {
		struct iovec riov = {reply, (size_t)n};
		struct msghdr rmsg = {.msg_name = &from,
		                      .msg_namelen = sizeof(from),
		                      .msg_iov = &riov,
		                      .msg_iovlen = 1};
		union {
			char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
			struct cmsghdr align;
		} rcontrol;
		if (info) {
			memset(&rcontrol, 0, sizeof(rcontrol));
			rmsg.msg_control = rcontrol.buf;
			rmsg.msg_controllen = sizeof(rcontrol.buf);
			struct cmsghdr *c = CMSG_FIRSTHDR(&rmsg);
			c->cmsg_level = IPPROTO_IP;
			c->cmsg_type = IP_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
			struct in_pktinfo out = {.ipi_spec_dst = info->ipi_addr};
			memcpy(CMSG_DATA(c), &out, sizeof(out));
		}
		if (sendmsg(fd, &rmsg, 0) < 0)
			fprintf(stderr, "rr-probe: reply: %s\n", strerror(errno));
	}
	return 0;
}

static int run_responder(const struct options *o)
{
	static struct cr cr; /* large: kept off the stack */
	uint64_t start = now_ms();
	int rc = configure_responder(o, &cr, start);
	if (rc >= 0)
		return rc;
	int fd = open_socket(o->bind_addr, o->port, o->iface);
	int on = 1;
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) < 0)
		return EXIT_REJECTED;
	if (o->json) {
		struct json_object *j = json_object_new_object();
		json_add_str(j, "event", "listening");
		json_add_str(j, "bind", o->bind_addr ? o->bind_addr : "0.0.0.0");
		json_add_int(j, "port", o->port);
		json_add_int(j, "nonce_period_ms", cr.cfg.nonce_period_ms);
		json_add_int(j, "nonces_kept", cr.cfg.nonces_kept);
		json_add_int(j, "prefixes", cr.n_prefixes);
		json_print(j);
	} else {
		printf(
		    "listening on %s:%u (HoA %s, a new nonce every %u ms, %u kept, %u prefixes)\n",
		    o->bind_addr ? o->bind_addr : "0.0.0.0", o->port, o->hoa,
		    cr.cfg.nonce_period_ms, cr.cfg.nonces_kept, cr.n_prefixes);
		fflush(stdout);
	}
	unsigned registrations = 0;
	int status = EXIT_OK;
	uint64_t end = o->duration > 0 ? start + (uint64_t)llround(o->duration * 1000) : UINT64_MAX;
	while (!stop_requested && (!o->count || registrations < o->count)) {
		uint64_t now = now_ms();
		if (now >= end)
			break;
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int wait = end == UINT64_MAX ? 1000 : (int)(end - now < 1000 ? end - now : 1000);
		int r = poll(&pfd, 1, wait);
		if (r < 0 && errno != EINTR) {
			perror("rr-probe: poll");
			status = EXIT_REJECTED;
			break;
		}
		if (r > 0 && serve_one(o, &cr, fd, &registrations) < 0) {
			perror("rr-probe: recvmsg");
			status = EXIT_REJECTED;
			break;
		}
	}
	cr_expire(&cr, now_ms());
	report_bindings(o, &cr, registrations);
	close(fd);
	return status;
}

/* ---- command line ---- */

enum {
	OPT_RESPOND = 256,
	OPT_JSON,
	OPT_PORT,
	OPT_CR,
	OPT_HOA,
	OPT_HOME_IFACE,
	OPT_COA,
	OPT_COA_IFACE,
	OPT_HA,
	OPT_TIMEOUT,
	OPT_MAX_TIMEOUT,
	OPT_RETRIES,
	OPT_HOTI_DELAY,
	OPT_COTI_DELAY,
	OPT_REGISTER_DELAY,
	OPT_REGISTER,
	OPT_LIFETIME,
	OPT_PREFIX,
	OPT_KRM,
	OPT_HNI,
	OPT_CNI,
	OPT_BIND,
	OPT_IFACE,
	OPT_PREFIX_TABLE,
	OPT_NONCE_LIFETIME,
	OPT_NONCES_KEPT,
	OPT_MAX_LIFETIME,
	OPT_REJECT_UNAUTHORIZED,
	OPT_PENDING,
	OPT_PSK,
	OPT_COUNT,
	OPT_DURATION,
	OPT_TBA,
};

static const struct option long_options[] = {
    {"respond", no_argument, NULL, OPT_RESPOND},
    {"json", no_argument, NULL, OPT_JSON},
    {"port", required_argument, NULL, OPT_PORT},
    {"cr", required_argument, NULL, OPT_CR},
    {"hoa", required_argument, NULL, OPT_HOA},
    {"home-iface", required_argument, NULL, OPT_HOME_IFACE},
    {"coa", required_argument, NULL, OPT_COA},
    {"coa-iface", required_argument, NULL, OPT_COA_IFACE},
    {"ha", required_argument, NULL, OPT_HA},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"max-timeout", required_argument, NULL, OPT_MAX_TIMEOUT},
    {"retries", required_argument, NULL, OPT_RETRIES},
    {"hoti-delay", required_argument, NULL, OPT_HOTI_DELAY},
    {"coti-delay", required_argument, NULL, OPT_COTI_DELAY},
    {"register-delay", required_argument, NULL, OPT_REGISTER_DELAY},
    {"register", no_argument, NULL, OPT_REGISTER},
    {"lifetime", required_argument, NULL, OPT_LIFETIME},
    {"prefix", required_argument, NULL, OPT_PREFIX},
    {"krm", required_argument, NULL, OPT_KRM},
    {"hni", required_argument, NULL, OPT_HNI},
    {"cni", required_argument, NULL, OPT_CNI},
    {"bind", required_argument, NULL, OPT_BIND},
    {"iface", required_argument, NULL, OPT_IFACE},
    {"prefix-table", required_argument, NULL, OPT_PREFIX_TABLE},
    {"nonce-lifetime", required_argument, NULL, OPT_NONCE_LIFETIME},
    {"nonces-kept", required_argument, NULL, OPT_NONCES_KEPT},
    {"max-lifetime", required_argument, NULL, OPT_MAX_LIFETIME},
    {"reject-unauthorized", no_argument, NULL, OPT_REJECT_UNAUTHORIZED},
    {"pending", required_argument, NULL, OPT_PENDING},
    {"psk", required_argument, NULL, OPT_PSK},
    {"count", required_argument, NULL, OPT_COUNT},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"tba", required_argument, NULL, OPT_TBA},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Unsigned options: target, maximum. */
static unsigned *uint_target(struct options *o, int opt, unsigned *max)
{
	*max = 86400000;
	switch (opt) {
	case OPT_PORT:
		*max = 65535;
		return &o->port;
	case OPT_TIMEOUT:
		return &o->timeout_ms;
	case OPT_MAX_TIMEOUT:
		return &o->max_timeout_ms;
	case OPT_RETRIES:
		*max = 100;
		return &o->retries;
	case OPT_HOTI_DELAY:
		return &o->hoti_delay_ms;
	case OPT_COTI_DELAY:
		return &o->coti_delay_ms;
	case OPT_REGISTER_DELAY:
		return &o->register_delay_ms;
	case OPT_LIFETIME:
	case OPT_MAX_LIFETIME:
		*max = 65535;
		return opt == OPT_LIFETIME ? &o->lifetime : &o->max_lifetime;
	case OPT_HNI:
		*max = 65535;
		return &o->hni;
	case OPT_CNI:
		*max = 65535;
		return &o->cni;
	case OPT_NONCES_KEPT:
		*max = CR_MAX_NONCES_KEPT;
		return &o->nonces_kept;
	case OPT_COUNT:
		return &o->count;
	default:
		return NULL;
	}
}

static int add_list(const char **list, unsigned *n, unsigned cap, const char *v)
{
	if (*n >= cap)
		return -1;
	list[(*n)++] = v;
	return 0;
}

/* Options that take a string (or a repeatable string). Returns 1 if handled, -1 on overflow. */
static int string_option(struct options *o, int opt, const char *arg)
{
	const char **single[] = {
	    [OPT_CR - OPT_RESPOND] = &o->cr,
	    [OPT_HOA - OPT_RESPOND] = &o->hoa,
	    [OPT_HOME_IFACE - OPT_RESPOND] = &o->home_iface,
	    [OPT_COA_IFACE - OPT_RESPOND] = &o->coa_iface,
	    [OPT_HA - OPT_RESPOND] = &o->ha,
	    [OPT_KRM - OPT_RESPOND] = &o->krm_hex,
	    [OPT_BIND - OPT_RESPOND] = &o->bind_addr,
	    [OPT_IFACE - OPT_RESPOND] = &o->iface,
	    [OPT_PREFIX_TABLE - OPT_RESPOND] = &o->prefix_table,
	    [OPT_TBA - OPT_RESPOND] = &o->tba,
	};
	unsigned idx = (unsigned)(opt - OPT_RESPOND);
	if (opt >= OPT_RESPOND && idx < sizeof(single) / sizeof(single[0]) && single[idx]) {
		*single[idx] = arg;
		return 1;
	}
	switch (opt) {
	case OPT_COA: /* initiator: the CoA; responder: the CoA extension list */
		o->coa = o->coa ? o->coa : arg;
		return add_list(o->cr_coas, &o->n_cr_coas, CR_MAX_COAS, arg) < 0 ? -1 : 1;
	case OPT_PREFIX:
		return add_list(o->prefixes, &o->n_prefixes, MAX_OPT_LIST, arg) < 0 ? -1 : 1;
	case OPT_PENDING:
		return add_list(o->pending, &o->n_pending, MAX_OPT_LIST, arg) < 0 ? -1 : 1;
	case OPT_PSK:
		return add_list(o->psks, &o->n_psks, MAX_OPT_LIST, arg) < 0 ? -1 : 1;
	default:
		return 0;
	}
}

static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (*s == 0 || *end || !(v >= 0))
		return -1;
	*out = v;
	return 0;
}

/* Parse the command line; returns -1 to go on, or an exit status. */
static int parse_options(int argc, char **argv, struct options *o)
{
	int opt;
	*o = (struct options){
	    .port = MIP4_PORT,
	    .timeout_ms = 1000,
	    .max_timeout_ms = 8000,
	    .retries = 4,
	    .lifetime = 600,
	    .nonce_lifetime = CR_NONCE_PERIOD_MS / 1000.0,
	    .nonces_kept = CR_NONCES_KEPT,
	    .max_lifetime = CR_DEFAULT_MAX_LIFETIME,
	};
	while ((opt = getopt_long(argc, argv, "vh", long_options, NULL)) != -1) {
		unsigned max, *target = uint_target(o, opt, &max);
		int handled = target ? 0 : string_option(o, opt, optarg);
		if (target) {
			if (parse_uint(optarg, max, target) < 0)
				return usage_error("invalid value for --%s: %s",
				                   long_options[opt - OPT_RESPOND].name, optarg);
			continue;
		}
		if (handled < 0)
			return usage_error("too many --%s options",
			                   long_options[opt - OPT_RESPOND].name);
		if (handled)
			continue;
		switch (opt) {
		case OPT_RESPOND:
			o->respond = 1;
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_REGISTER:
			o->do_register = 1;
			break;
		case OPT_REJECT_UNAUTHORIZED:
			o->reject_unauthorized = 1;
			break;
		case OPT_NONCE_LIFETIME:
		case OPT_DURATION:
			if (parse_seconds(optarg, opt == OPT_DURATION ? &o->duration
			                                              : &o->nonce_lifetime) < 0)
				return usage_error("invalid number of seconds: %s", optarg);
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			return usage_error("unknown option");
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument: %s", argv[optind]);
	if (o->tba && dmm_numbers_parse(o->tba) < 0)
		return usage_error("invalid --tba: %s", o->tba);
	if (!o->respond && (!o->cr || !o->hoa))
		return usage_error("give --cr and --hoa (initiator), or --respond --hoa");
	if (!o->timeout_ms || o->max_timeout_ms < o->timeout_ms)
		return usage_error("--timeout must be > 0 and <= --max-timeout");
	return -1;
}

int main(int argc, char **argv)
{
	struct options o;
	int rc = parse_options(argc, argv, &o);
	if (rc >= 0)
		return rc;
	struct sigaction sa = {.sa_handler = on_stop_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return o.respond ? run_responder(&o) : run_initiator(&o);
}
