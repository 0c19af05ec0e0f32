/* dmm-send: craft, inject and probe MH (RFC 6275 §6.1, RFC 5213 §8, RFC 8278 §4) and Mobile IPv4
 * (RFC 5944 §3, RFC 6521 §5) signaling from the shell. */
#include "craft.h"
#include "dissect.h"
#include "inject.h"
#include "json_build.h"
#include "keys.h"
#include "numbers.h"
#include "out.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FRAME_MAX 9216
#define DEFAULT_TIMEOUT_MS 1000
#define DEFAULT_RETRIES 3
#define CAPTURE_SNAPLEN 65535
#define JSON_READ_MAX (64u << 20)
/* RFC 4861 §10: MAX_MULTICAST_SOLICIT (3) solicitations RETRANS_TIMER (1 s) apart */
#define NEIGHBOUR_WAIT_MS 3000

enum exit_status {
	EXIT_MATCH = 0,    /* sent (and, with --expect, the reply matched) */
	EXIT_MISMATCH = 1, /* no reply, a reply with another status, or a send error */
	EXIT_USAGE = 2,
};

enum print_mode { PRINT_NONE, PRINT_SUMMARY, PRINT_TREE, PRINT_JSON };

enum tool_option {
	OPT_COUNT = 256,
	OPT_RATE,
	OPT_EXPECT,
	OPT_TIMEOUT,
	OPT_RETRIES,
	OPT_EXPECT_STATUS,
	OPT_JSON,
	OPT_TBA,
	OPT_PROFILE,
	OPT_LIBNET,
	OPT_MNHA_KEY,
	OPT_KRM,
	OPT_MH_AUTH_KEY,
	OPT_CRAFT_BASE = 1000,
};

struct options {
	const char *iface;
	const char *write_file;
	const char *json_file;
	uint64_t count;
	double rate; /* 0: as fast as the path goes (--rate max or no --rate) */
	int rate_given;
	int expect;
	unsigned timeout_ms;
	unsigned retries;
	int expect_status; /* -1: any reply */
	int print;         /* enum print_mode of the packets sent */
	int verbose_tree;  /* -V: replies and sent packets as trees */
	int quiet;
	int force_libnet;
};

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	stop_requested = 1;
}

static void usage(FILE *fp)
{
	size_t n;
	const struct craft_msg_def *defs = craft_msg_registry(&n);
	fprintf(fp,
	        "Usage: dmm-send MESSAGE [options]     craft one message kind\n"
	        "       dmm-send --json FILE|- [options]  rebuild packets from dmm-decode -T json\n"
	        "Messages:\n");
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "  %-16s %s\n", defs[i].name, defs[i].help);
	fprintf(
	    fp,
	    "Output:\n"
	    "  -i IFACE             inject on IFACE (raw IPv6/IPv4, or link layer with --link)\n"
	    "  -w FILE              write the packets to a pcap file (\"-\" = stdout)\n"
	    "  -c, --count N        send N packets (1)\n"
	    "  --rate PPS|max       pace at PPS packets/s (default: max)\n"
	    "  --libnet             send through libnet only (no AF_PACKET batches)\n"
	    "  -v                   print a summary line per packet sent\n"
	    "  -V                   print packets (sent with -v, replies) as trees\n"
	    "  -T summary|json      format of -v and of replies\n"
	    "  -q                   print nothing but errors\n"
	    "Probe:\n"
	    "  --expect             wait for the reply (BA/PBA by Sequence Number, RRP by\n"
	    "                       Identification, HoT/CoT by cookie, ack by Revocation ID)\n"
	    "  --timeout MS         first wait (1000), doubled at each retransmission\n"
	    "  --retries N          retransmissions (3)\n"
	    "  --expect-status N    exit 0 only if the reply's status/code is N\n"
	    "  --mnha-key SPI:KEY, --krm HEX40, --mh-auth-key SPI:KEY   keys to verify replies\n"
	    "Numbers: --tba NAME=VALUE[,...], --profile iana|mad-pmipv6\n"
	    "Message options (see dmm-send(1)):\n");
	const struct craft_opt *opts = craft_opt_registry(&n);
	for (size_t i = 0; i < n; i++) {
		char left[96];
		const char *scope = opts[i].families == CRAFT_MIP4 ? " [MIPv4]"
		                    : opts[i].families == CRAFT_MH ? " [MH]"
		                                                   : "";
		snprintf(left, sizeof(left), "--%s%s%s", opts[i].name, opts[i].metavar ? " " : "",
		         opts[i].metavar ? opts[i].metavar : "");
		if (strlen(left) > 26) /* long synopsis on a line of its own */
			fprintf(fp, "  %s\n  %-26s %s%s\n", left, "", opts[i].help, scope);
		else
			fprintf(fp, "  %-26s %s%s\n", left, opts[i].help, scope);
	}
	fprintf(fp, "Exit status: 0 sent / reply matched, 1 no reply or status mismatch or send "
	            "error, 2 usage error.\n");
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "dmm-send: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry 'dmm-send -h' for help.\n");
	va_end(ap);
	return EXIT_USAGE;
}

/* ---- printing packets through the decoder's backends ---- */

struct printer {
	const struct dmm_backend *backend;
	void *ctx;
	struct dmm_summary summary;
	struct dmm_tree tree;
	struct dmm_json json;
	unsigned flags;
	uint64_t number;
};

static void printer_init(struct printer *pr, int mode)
{
	memset(pr, 0, sizeof(*pr));
	switch (mode) {
	case PRINT_SUMMARY:
		dmm_summary_init(&pr->summary, stdout);
		pr->backend = &dmm_summary_backend;
		pr->ctx = &pr->summary;
		break;
	case PRINT_TREE:
		dmm_tree_init(&pr->tree, stdout);
		pr->backend = &dmm_tree_backend;
		pr->ctx = &pr->tree;
		pr->flags = DMM_OUT_ALL;
		break;
	case PRINT_JSON:
		dmm_json_init(&pr->json, stdout);
		pr->backend = &dmm_json_backend;
		pr->ctx = &pr->json;
		pr->flags = DMM_OUT_FRAME_STRINGS;
		break;
	}
}

static void printer_free(struct printer *pr)
{
	if (pr->backend == &dmm_tree_backend)
		dmm_tree_free(&pr->tree);
	else if (pr->backend == &dmm_json_backend)
		dmm_json_free(&pr->json);
}

static void print_frame(struct printer *pr, const uint8_t *p, size_t len, int linktype,
                        const struct timespec *ts)
{
	struct dmm_frame fr;
	struct dmm_out out = {pr->backend->ops, pr->ctx, 0, pr->flags};
	memset(&fr, 0, sizeof(fr));
	fr.number = ++pr->number;
	fr.linktype = linktype;
	fr.ts_sec = ts->tv_sec;
	fr.ts_nsec = (uint32_t)ts->tv_nsec;
	fr.caplen = fr.wirelen = (uint32_t)len;
	pr->backend->begin_packet(pr->ctx, &fr);
	dmm_dissect_frame(&fr, p, &out);
	pr->backend->end_packet(pr->ctx);
}

/* ---- reply matching: a backend that keeps the values of a few fields ---- */

enum match_field {
	M_MHTYPE,
	M_BA_SEQ,
	M_BA_STATUS,
	M_HOT_COOKIE,
	M_COT_COOKIE,
	M_MIP_TYPE,
	M_MIP_IDENT,
	M_MIP_CODE,
	M_MIP_COOKIE,
	M_MIP_REVID,
	M_COUNT,
};

static const char *const match_names[M_COUNT] = {
    "mip6.mhtype", "mip6.ba.seqnr",   "mip6.ba.status", "mip6.hot.cookie", "mip6.cot.cookie",
    "mip.type",    "mip.ident.value", "mip.code",       "mip.rr.cookie",   "mip.revid"};

struct matcher {
	const struct dmm_field *fields[M_COUNT];
	uint64_t value[M_COUNT];
	uint8_t seen[M_COUNT];
};

static void match_value(void *ctx, const struct dmm_field *f, const struct dmm_value *v)
{
	struct matcher *m = ctx;
	for (int i = 0; i < M_COUNT; i++)
		if (m->fields[i] == f && !m->seen[i]) {
			m->seen[i] = 1;
			m->value[i] = v->u;
		}
}

static const struct dmm_out_ops match_ops = {NULL, NULL, match_value, NULL};

/* What the reply to the crafted message looks like. */
struct expectation {
	int field_type; /* M_MHTYPE or M_MIP_TYPE */
	uint64_t type;
	int key_field; /* the field that must equal key */
	uint64_t key;
	int status_field; /* -1: none */
};

static int expectation_of(const struct craft *c, struct expectation *e)
{
	const struct mh_msg *mh = &c->mh;
	const struct mip4_msg *m4 = &c->mip4;
	memset(e, 0, sizeof(*e));
	e->status_field = -1;
	if (c->def->family == CRAFT_MH) {
		e->field_type = M_MHTYPE;
		switch (mh->type) {
		case MH_BU:
			e->type = MH_BA;
			e->key_field = M_BA_SEQ;
			e->key = mh->u.bu.seq;
			e->status_field = M_BA_STATUS;
			return 0;
		case MH_HOTI:
		case MH_COTI:
			e->type = mh->type == MH_HOTI ? MH_HOT : MH_COT;
			e->key_field = mh->type == MH_HOTI ? M_HOT_COOKIE : M_COT_COOKIE;
			e->key = mh->u.ti.cookie;
			return 0;
		}
		return -1;
	}
	e->field_type = M_MIP_TYPE;
	if (m4->type == MIP4_REG_REQUEST) {
		e->type = MIP4_REG_REPLY;
		e->key_field = M_MIP_IDENT;
		e->key = m4->u.req.ident;
		e->status_field = M_MIP_CODE;
		return 0;
	}
	if (m4->type == MIP4_REVOCATION) {
		e->type = MIP4_REVOCATION_ACK;
		e->key_field = M_MIP_REVID;
		e->key = m4->u.rev.rev_id;
		return 0;
	}
	if (m4->type == dmm_numbers.haaro_hoti || m4->type == dmm_numbers.haaro_coti) {
		e->type = m4->type == dmm_numbers.haaro_hoti ? dmm_numbers.haaro_hot
		                                             : dmm_numbers.haaro_cot;
		e->key_field = M_MIP_COOKIE;
		e->key = m4->u.ti.cookie;
		return 0;
	}
	return -1;
}

/* 1 when the frame is the expected reply; *status its status (or -1). */
static int frame_matches(const struct expectation *e, const uint8_t *p, size_t len, int linktype,
                         int *status)
{
	struct matcher m;
	struct dmm_frame fr;
	memset(&m, 0, sizeof(m));
	for (int i = 0; i < M_COUNT; i++)
		m.fields[i] = dmm_field_find(match_names[i]);
	struct dmm_out out = {&match_ops, &m, 0, 0};
	memset(&fr, 0, sizeof(fr));
	fr.number = 1;
	fr.linktype = linktype;
	fr.caplen = fr.wirelen = (uint32_t)len;
	dmm_dissect_frame(&fr, p, &out);
	if (!m.seen[e->field_type] || m.value[e->field_type] != e->type)
		return 0;
	if (!m.seen[e->key_field] || m.value[e->key_field] != e->key)
		return 0;
	*status =
	    e->status_field >= 0 && m.seen[e->status_field] ? (int)m.value[e->status_field] : -1;
	return 1;
}

static pcap_t *open_capture(const char *iface, const struct craft *c)
{
	char errbuf[PCAP_ERRBUF_SIZE], filter[160];
	struct bpf_program prog;
	pcap_t *p = pcap_create(iface, errbuf);
	if (!p) {
		fprintf(stderr, "dmm-send: capture on %s: %s\n", iface, errbuf);
		return NULL;
	}
	pcap_set_snaplen(p, CAPTURE_SNAPLEN);
	pcap_set_immediate_mode(p, 1);
	pcap_set_timeout(p, 10);
	if (pcap_activate(p) < 0) {
		fprintf(stderr, "dmm-send: capture on %s: %s\n", iface, pcap_geterr(p));
		pcap_close(p);
		return NULL;
	}
	pcap_setdirection(p, PCAP_D_IN);
	if (c->af == AF_INET6)
		snprintf(filter, sizeof(filter),
		         "ip6 and (ip6[6] == 135 or ip6[6] == 43 or ip6[6] == 60 or ip6[6] == 0)");
	else
		snprintf(filter, sizeof(filter), "udp port %u", c->sport);
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0 ||
	    pcap_setfilter(p, &prog) < 0) {
		fprintf(stderr, "dmm-send: filter '%s': %s\n", filter, pcap_geterr(p));
		pcap_close(p);
		return NULL;
	}
	pcap_freecode(&prog);
	if (pcap_setnonblock(p, 1, errbuf) < 0) {
		pcap_close(p);
		return NULL;
	}
	return p;
}

static int64_t timespec_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

/* Send, wait, retransmit with exponential backoff; print the reply and the RTT. */
static int probe(const struct options *o, struct craft *c, struct inject *in, const uint8_t *frame,
                 size_t len)
{
	struct expectation e;
	struct printer pr;
	pcap_t *cap;
	int status = -1, matched = 0;
	unsigned wait_ms = o->timeout_ms, attempt;
	if (expectation_of(c, &e) < 0) {
		fprintf(stderr, "dmm-send: %s has no reply to expect\n", c->def->name);
		return EXIT_USAGE;
	}
	if (!(cap = open_capture(o->iface, c)))
		return EXIT_MISMATCH;
	int linktype = pcap_datalink(cap);
	printer_init(&pr, o->quiet                 ? PRINT_NONE
	                  : o->print == PRINT_JSON ? PRINT_JSON
	                  : o->verbose_tree        ? PRINT_TREE
	                                           : PRINT_SUMMARY);
	for (attempt = 0; attempt <= o->retries && !matched && !stop_requested; attempt++) {
		struct timespec sent;
		clock_gettime(CLOCK_REALTIME, &sent);
		if (inject_send(in, frame, len) < 0) {
			fprintf(stderr, "dmm-send: %s\n", in->err);
			break;
		}
		uint64_t deadline = inject_now_ns() + (uint64_t)wait_ms * 1000000u;
		while (!matched && !stop_requested) {
			struct pcap_pkthdr *h;
			const u_char *data;
			int rc = pcap_next_ex(cap, &h, &data);
			if (rc == 1) {
				if (!frame_matches(&e, data, h->caplen, linktype, &status))
					continue;
				struct timespec got = {h->ts.tv_sec, h->ts.tv_usec * 1000};
				double rtt = (double)(timespec_ns(&got) - timespec_ns(&sent)) / 1e6;
				matched = 1;
				if (pr.backend) {
					print_frame(&pr, data, h->caplen, linktype, &got);
					if (pr.backend != &dmm_json_backend)
						printf("rtt=%.3f ms attempts=%u status=%d\n", rtt,
						       attempt + 1, status);
					else
						printf("{\"rtt_ms\":%.3f,\"attempts\":%u,"
						       "\"status\":%d}\n",
						       rtt, attempt + 1, status);
				}
				break;
			}
			if (rc < 0)
				break;
			uint64_t now = inject_now_ns();
			if (now >= deadline)
				break;
			struct pollfd pfd = {pcap_get_selectable_fd(cap), POLLIN, 0};
			int left_ms = (int)((deadline - now) / 1000000u) + 1;
			poll(&pfd, 1, left_ms < 20 ? left_ms : 20);
		}
		wait_ms *= 2;
	}
	fflush(stdout);
	printer_free(&pr);
	pcap_close(cap);
	if (!matched) {
		if (!o->quiet)
			fprintf(stderr, "dmm-send: no reply after %u attempts\n", attempt);
		return EXIT_MISMATCH;
	}
	if (o->expect_status >= 0 && status != o->expect_status)
		return EXIT_MISMATCH;
	return EXIT_MATCH;
}

/* ---- sending loops ---- */

static void print_sent(const struct options *o, struct printer *pr, const uint8_t *p, size_t len,
                       int linktype)
{
	struct timespec ts;
	if (!pr->backend)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	print_frame(pr, p, len, linktype, &ts);
}

/* The first refusal, and the one that ends the run, are printed. Returns 1 when it counts as
 * an error (a signal interrupting a wait does not). */
static int report_send_error(const struct inject *in, int errors_so_far)
{
	if (stop_requested && !in->failed)
		return 0;
	if (errors_so_far == 0 || in->failed)
		fprintf(stderr, "dmm-send: %s\n", in->err);
	return 1;
}

/* Packet 0 already went out (through the raw socket, before the switch to the link layer):
 * the next deadline is one interval after it. */
static void pace_after_first(struct pacer *pacer, const struct inject *in, uint64_t first_index)
{
	if (first_index && in->sent && pacer->interval_ns) {
		pacer->start_ns = in->last_ns;
		pacer->count = 1;
	}
}

/* The frame of packet index into buf (FRAME_MAX octets): packet 0 with the varied field
 * patched in place when patch is non-NULL, else built again. Returns its length, or -1 with
 * the reason printed. */
static int frame_of(struct craft *c, const struct craft_patch *patch, const uint8_t *first,
                    size_t first_len, uint64_t index, uint8_t *buf, int *linktype)
{
	struct dmm_wbuf w;
	if (patch) {
		memcpy(buf, first, first_len);
		craft_patch_apply(patch, buf, index);
		return (int)first_len;
	}
	wb_init(&w, buf, FRAME_MAX);
	int len = craft_build(c, index, &w, linktype);
	if (len < 0)
		fprintf(stderr, "dmm-send: %s\n", c->err);
	return len;
}

/* Per-packet path: build (or patch) and send each packet, paced one deadline at a time. */
static int send_each(const struct options *o, struct craft *c, struct inject *in,
                     struct printer *pr, uint64_t first_index)
{
	static uint8_t frame[FRAME_MAX], first[FRAME_MAX];
	struct craft_patch patch;
	struct pacer pacer;
	int linktype, errors = 0;
	int len = frame_of(c, NULL, NULL, 0, 0, first, &linktype);
	if (len < 0)
		return EXIT_USAGE;
	const struct craft_patch *patched = craft_patch_info(c, &patch) ? &patch : NULL;
	pacer_init(&pacer, o->rate_given ? o->rate : 0, 1, &stop_requested);
	pace_after_first(&pacer, in, first_index);
	for (uint64_t i = first_index; i < o->count && !stop_requested && !in->failed; i++) {
		const uint8_t *p = first;
		int n = len;
		if (i && c->vary) {
			if ((n = frame_of(c, patched, first, (size_t)len, i, frame, &linktype)) < 0)
				return EXIT_MISMATCH;
			p = frame;
		}
		if (!pacer_wait(&pacer))
			break;
		if (inject_send(in, p, (size_t)n) < 0)
			errors += report_send_error(in, errors);
		print_sent(o, pr, p, (size_t)n, linktype);
	}
	return errors ? EXIT_MISMATCH : EXIT_MATCH;
}

/* Fast path: AF_PACKET sendmmsg batches of prebuilt frames; only the varied field and the
 * checksum change between packets (or whole frames are rebuilt for MN-ID/HNP variation). */
static int send_batched(const struct options *o, struct craft *c, struct inject *in,
                        uint64_t first_index)
{
	static uint8_t base[FRAME_MAX], ring[INJECT_BATCH][FRAME_MAX];
	uint8_t *frames[INJECT_BATCH];
	size_t lens[INJECT_BATCH];
	struct craft_patch patch;
	struct pacer pacer;
	int linktype;
	int len = frame_of(c, NULL, NULL, 0, 0, base, &linktype);
	if (len < 0)
		return EXIT_USAGE;
	const struct craft_patch *patched = craft_patch_info(c, &patch) ? &patch : NULL;
	for (unsigned i = 0; i < INJECT_BATCH; i++) {
		frames[i] =
		    c->vary ? ring[i] : base; /* without variation: one frame, sent n times */
		lens[i] = (size_t)len;
	}
	pacer_init(&pacer, o->rate_given ? o->rate : 0, INJECT_BATCH, &stop_requested);
	pace_after_first(&pacer, in, first_index);
	uint64_t next = first_index;
	uint64_t errors_before = in->send_errors;
	while (next < o->count && !stop_requested && !in->failed) {
		unsigned n = pacer_wait(&pacer);
		if (n > o->count - next)
			n = (unsigned)(o->count - next);
		for (unsigned i = 0; c->vary && i < n; i++) {
			int l =
			    frame_of(c, patched, base, (size_t)len, next + i, frames[i], &linktype);
			if (l < 0)
				return EXIT_MISMATCH;
			lens[i] = (size_t)l;
		}
		next += inject_send_batch(in, frames, lens, n);
	}
	if (in->failed) {
		fprintf(stderr, "dmm-send: %s\n", in->err);
		return EXIT_MISMATCH;
	}
	if (in->send_errors != errors_before && !o->quiet)
		fprintf(stderr, "dmm-send: %llu frames dropped by the device queue\n",
		        (unsigned long long)(in->send_errors - errors_before));
	return EXIT_MATCH;
}

/* ---- --json: packets rebuilt from dmm-decode -T json ---- */

struct json_frames {
	uint8_t **frames;
	size_t *lens;
	size_t n, cap;
	int linktype;
};

static int add_json_packet(struct json_frames *jf, struct json_object *pkt, size_t number)
{
	uint8_t buf[FRAME_MAX];
	char err[256];
	struct dmm_wbuf w;
	int linktype;
	wb_init(&w, buf, sizeof(buf));
	if (dmm_json_build(pkt, &w, &linktype, err, sizeof(err)) < 0) {
		fprintf(stderr, "dmm-send: --json packet %zu: %s\n", number, err);
		return -1;
	}
	if (jf->n && linktype != jf->linktype) {
		fprintf(stderr, "dmm-send: --json packet %zu: link type %d differs from %d\n",
		        number, linktype, jf->linktype);
		return -1;
	}
	if (jf->n == jf->cap) {
		size_t cap = jf->cap ? 2 * jf->cap : 64;
		uint8_t **f = realloc(jf->frames, cap * sizeof(*f));
		size_t *l = f ? realloc(jf->lens, cap * sizeof(*l)) : NULL;
		if (f)
			jf->frames = f;
		if (!l)
			return -1;
		jf->lens = l;
		jf->cap = cap;
	}
	jf->frames[jf->n] = malloc(w.len ? w.len : 1);
	if (!jf->frames[jf->n])
		return -1;
	memcpy(jf->frames[jf->n], buf, w.len);
	jf->lens[jf->n++] = w.len;
	jf->linktype = linktype;
	return 0;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	char *buf = fp ? malloc(cap + 1) : NULL;
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (n < cap)
			break;
		char *nb = cap < JSON_READ_MAX ? realloc(buf, 2 * cap + 1) : NULL;
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	if (fp && fp != stdin)
		fclose(fp);
	if (buf) {
		buf[n] = 0;
		*len = n;
	}
	return buf;
}

/* Link types whose frames start with the IP header: DLT_RAW as libpcap names it on this
 * platform, LINKTYPE_RAW (101) as pcap files and dmm-decode -T json carry it, and
 * DLT_IPV4/DLT_IPV6. They go out through a raw IP socket. */
static int raw_ip_linktype(int linktype)
{
	return linktype == DLT_RAW || linktype == 101 || linktype == DLT_IPV4 ||
	       linktype == DLT_IPV6;
}

/* One JSON object per line, a JSON array of objects, or any sequence of either. */
static int load_json(const char *path, struct json_frames *jf)
{
	size_t len, pos = 0, number = 0;
	char *text = read_all(path, &len);
	int rc = 0;
	if (!text) {
		fprintf(stderr, "dmm-send: cannot read %s\n", path);
		return -1;
	}
	struct json_tokener *tok = json_tokener_new();
	while (rc == 0 && pos < len) {
		while (pos < len && strchr(" \t\r\n", text[pos]))
			pos++;
		if (pos >= len)
			break;
		json_tokener_reset(tok);
		struct json_object *obj = json_tokener_parse_ex(tok, text + pos, (int)(len - pos));
		if (!obj) {
			fprintf(stderr, "dmm-send: %s: JSON error at offset %zu: %s\n", path, pos,
			        json_tokener_error_desc(json_tokener_get_error(tok)));
			rc = -1;
			break;
		}
		pos += (size_t)json_tokener_get_parse_end(tok);
		if (json_object_is_type(obj, json_type_array)) {
			for (size_t i = 0; rc == 0 && i < json_object_array_length(obj); i++)
				rc = add_json_packet(jf, json_object_array_get_idx(obj, i),
				                     ++number);
		} else {
			rc = add_json_packet(jf, obj, ++number);
		}
		json_object_put(obj);
	}
	json_tokener_free(tok);
	free(text);
	if (rc == 0 && jf->n == 0) {
		fprintf(stderr, "dmm-send: %s: no packets\n", path);
		rc = -1;
	}
	return rc;
}

static int send_json(const struct options *o, struct inject *in, struct printer *pr)
{
	struct json_frames jf;
	struct pacer pacer;
	int errors = 0;
	memset(&jf, 0, sizeof(jf));
	if (load_json(o->json_file, &jf) < 0)
		return EXIT_MISMATCH;
	if (o->write_file && inject_open_pcap(in, o->write_file, jf.linktype) < 0) {
		fprintf(stderr, "dmm-send: %s: %s\n", o->write_file, in->err);
		return EXIT_MISMATCH;
	}
	if (o->iface) {
		int mode = jf.linktype == DLT_EN10MB
		               ? (o->force_libnet ? INJECT_LINK : INJECT_PACKET)
		               : INJECT_RAW;
		if (jf.linktype != DLT_EN10MB && !raw_ip_linktype(jf.linktype)) {
			fprintf(stderr, "dmm-send: link type %d cannot be injected\n", jf.linktype);
			return EXIT_MISMATCH;
		}
		if (inject_open_iface(in, o->iface, mode, 1) < 0) {
			fprintf(stderr, "dmm-send: %s\n", in->err);
			return EXIT_MISMATCH;
		}
	}
	pacer_init(&pacer, o->rate_given ? o->rate : 0, 1, &stop_requested);
	for (uint64_t r = 0; r < o->count && !stop_requested && !in->failed; r++)
		for (size_t i = 0; i < jf.n && !stop_requested && !in->failed; i++) {
			if (!pacer_wait(&pacer))
				break;
			if (inject_send(in, jf.frames[i], jf.lens[i]) < 0)
				errors += report_send_error(in, errors);
			print_sent(o, pr, jf.frames[i], jf.lens[i], jf.linktype);
		}
	for (size_t i = 0; i < jf.n; i++)
		free(jf.frames[i]);
	free(jf.frames);
	free(jf.lens);
	return errors ? EXIT_MISMATCH : EXIT_MATCH;
}

/* ---- command line ---- */

static const struct option tool_options[] = {
    {"count", required_argument, NULL, 'c'},
    {"rate", required_argument, NULL, OPT_RATE},
    {"expect", no_argument, NULL, OPT_EXPECT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"retries", required_argument, NULL, OPT_RETRIES},
    {"expect-status", required_argument, NULL, OPT_EXPECT_STATUS},
    {"json", required_argument, NULL, OPT_JSON},
    {"tba", required_argument, NULL, OPT_TBA},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"libnet", no_argument, NULL, OPT_LIBNET},
    {"mnha-key", required_argument, NULL, OPT_MNHA_KEY},
    {"krm", required_argument, NULL, OPT_KRM},
    {"mh-auth-key", required_argument, NULL, OPT_MH_AUTH_KEY},
    {"help", no_argument, NULL, 'h'},
};
#define N_TOOL_OPTIONS (sizeof(tool_options) / sizeof(tool_options[0]))

static struct option *build_long_options(void)
{
	size_t n;
	const struct craft_opt *co = craft_opt_registry(&n);
	struct option *all = calloc(N_TOOL_OPTIONS + n + 1, sizeof(*all));
	if (!all)
		return NULL;
	memcpy(all, tool_options, sizeof(tool_options));
	for (size_t i = 0; i < n; i++) {
		struct option *x = &all[N_TOOL_OPTIONS + i];
		x->name = co[i].name;
		x->has_arg = co[i].arg == CRAFT_ARG       ? required_argument
		             : co[i].arg == CRAFT_OPT_ARG ? optional_argument
		                                          : no_argument;
		x->val = OPT_CRAFT_BASE + (int)i;
	}
	return all;
}

/* --tba and --profile change option numbers: apply them before any message option. */
static int apply_numbers(int argc, char **argv)
{
	const char *profile = NULL;
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--profile") == 0)
			profile = argv[i + 1];
	if (profile && dmm_numbers_profile(profile) != 0)
		return usage_error("unknown profile: %s", profile);
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--tba") == 0 && dmm_numbers_parse(argv[i + 1]) != 0)
			return usage_error("invalid --tba: %s", argv[i + 1]);
	return -1;
}

static int parse_u64_arg(const char *what, const char *s, uint64_t max, uint64_t *v)
{
	if (craft_parse_u64(s, max, v) < 0) {
		usage_error("invalid %s: %s", what, s);
		return -1;
	}
	return 0;
}

/* Returns -1 to go on, or an exit status. */
static int parse_options(int argc, char **argv, struct options *o, struct craft *c, int has_msg)
{
	size_t n_craft;
	const struct craft_opt *co = craft_opt_registry(&n_craft);
	struct option *longopts = build_long_options();
	uint64_t v;
	int opt, rc = -1;
	if (!longopts)
		return EXIT_USAGE;
	opterr = 0;
	while (rc < 0 && (opt = getopt_long(argc, argv, "i:w:c:vVT:qh", longopts, NULL)) != -1) {
		if (opt >= OPT_CRAFT_BASE && opt < OPT_CRAFT_BASE + (int)n_craft) {
			const struct craft_opt *x = &co[opt - OPT_CRAFT_BASE];
			const char *arg = optarg;
			/* an optional argument may also be the next word ("--gre-key 5") */
			if (x->arg == CRAFT_OPT_ARG && !arg && optind < argc &&
			    argv[optind][0] != '-')
				arg = argv[optind++];
			if (!has_msg)
				rc =
				    usage_error("--%s needs a message (e.g. dmm-send pbu --%s ...)",
				                x->name, x->name);
			else if (craft_apply(c, x->name, arg) < 0)
				rc = usage_error("%s", c->err);
			continue;
		}
		switch (opt) {
		case 'i':
			o->iface = optarg;
			break;
		case 'w':
			o->write_file = optarg;
			break;
		case 'c':
			if (parse_u64_arg("--count", optarg, UINT64_MAX, &o->count) < 0)
				rc = EXIT_USAGE;
			break;
		case 'v':
			if (!o->print)
				o->print = PRINT_SUMMARY;
			break;
		case 'V':
			o->verbose_tree = 1;
			break;
		case 'T':
			if (strcmp(optarg, "json") == 0)
				o->print = PRINT_JSON;
			else if (strcmp(optarg, "summary") == 0 || strcmp(optarg, "text") == 0)
				o->print = PRINT_SUMMARY;
			else
				rc = usage_error("unknown output format: %s", optarg);
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'h':
			usage(stdout);
			rc = EXIT_MATCH;
			break;
		case OPT_RATE:
			o->rate_given = strcmp(optarg, "max") != 0;
			if (o->rate_given) {
				char *end;
				o->rate = strtod(optarg, &end);
				if (*end || !(o->rate > 0) || o->rate > 1e8)
					rc = usage_error("invalid --rate: %s (PPS or max)", optarg);
			}
			break;
		case OPT_EXPECT:
			o->expect = 1;
			break;
		case OPT_TIMEOUT:
			if (parse_u64_arg("--timeout", optarg, 3600000, &v) < 0 || v == 0)
				rc = EXIT_USAGE;
			o->timeout_ms = (unsigned)v;
			break;
		case OPT_RETRIES:
			if (parse_u64_arg("--retries", optarg, 20, &v) < 0)
				rc = EXIT_USAGE;
			o->retries = (unsigned)v;
			break;
		case OPT_EXPECT_STATUS:
			if (parse_u64_arg("--expect-status", optarg, 255, &v) < 0)
				rc = EXIT_USAGE;
			o->expect_status = (int)v;
			o->expect = 1;
			break;
		case OPT_JSON:
			o->json_file = optarg;
			break;
		case OPT_TBA:
		case OPT_PROFILE:
			break; /* applied first (apply_numbers) */
		case OPT_LIBNET:
			o->force_libnet = 1;
			break;
		case OPT_MNHA_KEY:
			if (dmm_keys_add_mnha(optarg) != 0)
				rc = usage_error("invalid --mnha-key: %s", optarg);
			break;
		case OPT_KRM:
			if (dmm_keys_add_krm(optarg) != 0)
				rc = usage_error("invalid --krm: %s", optarg);
			break;
		case OPT_MH_AUTH_KEY:
			if (dmm_keys_add_mh_auth(optarg) != 0)
				rc = usage_error("invalid --mh-auth-key: %s", optarg);
			break;
		default:
			rc =
			    usage_error("unknown option or missing argument: %s", argv[optind - 1]);
			break;
		}
	}
	free(longopts);
	if (rc >= 0)
		return rc;
	if (optind < argc)
		return usage_error("unexpected argument: %s", argv[optind]);
	if (o->json_file && has_msg)
		return usage_error("--json rebuilds packets itself: give no message");
	if (!o->json_file && !has_msg)
		return usage_error("no message: give one of pbu, pba, bu, ... or --json FILE");
	if (o->expect && !o->iface)
		return usage_error("--expect needs -i IFACE");
	if (o->expect && o->json_file)
		return usage_error("--expect works with a crafted message, not --json");
	if (!o->iface && !o->write_file && !o->print)
		return usage_error("nothing to do: give -i IFACE, -w FILE or -v");
	if (o->count == 0)
		return usage_error("--count must be at least 1");
	return -1;
}

static void install_signal_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Choose and open the interface output: AF_PACKET batches for link-layer frames unless
 * --libnet, libnet link layer, or a libnet raw IP socket. */
static int open_output(const struct options *o, struct craft *c, struct inject *in)
{
	if (o->write_file &&
	    inject_open_pcap(in, o->write_file, c->link ? DLT_EN10MB : DLT_RAW) < 0) {
		fprintf(stderr, "dmm-send: %s: %s\n", o->write_file, in->err);
		return -1;
	}
	if (!o->iface)
		return 0;
	int is_ether = 0;
	uint8_t mac[6];
	if (inject_iface_info(o->iface, mac, NULL, &is_ether) < 0) {
		fprintf(stderr, "dmm-send: %s: no such interface\n", o->iface);
		return -1;
	}
	if (c->link && !c->have_src_mac) {
		memcpy(c->src_mac, mac, 6);
		c->have_src_mac = 1;
	}
	int mode = !c->link ? INJECT_RAW : o->force_libnet ? INJECT_LINK : INJECT_PACKET;
	if (inject_open_iface(in, o->iface, mode, c->af == AF_INET6) < 0) {
		fprintf(stderr, "dmm-send: %s\n", in->err);
		return -1;
	}
	return 0;
}

/* Several packets on an Ethernet interface without --link: send packet 0 through the raw socket
 * (the kernel resolves the next hop) and read the next hop's MAC from the neighbour table.
 * Without it every later frame would stay queued in the kernel (nothing reaches the wire, and
 * the socket's send buffer fills): that is an error. With it, the rest go out as link-layer
 * frames on the AF_PACKET batch path, unless --libnet or -w keep the raw socket. Returns 0
 * after the switch (packet 0 sent), 1 when the raw socket sends the rest (packet 0 maybe sent),
 * -1 on an error (printed). */
static int switch_to_link_layer(const struct options *o, struct craft *c, struct inject *in)
{
	static uint8_t frame[FRAME_MAX];
	int linktype, ifindex, is_ether;
	uint8_t src_mac[6], dst_mac[6];
	char dst_text[INET6_ADDRSTRLEN];
	if (in->mode != INJECT_RAW || o->count < 2 ||
	    inject_iface_info(o->iface, src_mac, &ifindex, &is_ether) < 0 || !is_ether)
		return 1;
	int len = frame_of(c, NULL, NULL, 0, 0, frame, &linktype);
	if (len < 0)
		return -1;
	if (inject_send(in, frame, (size_t)len) < 0) {
		if (!stop_requested)
			fprintf(stderr, "dmm-send: %s\n", in->err);
		return -1;
	}
	int resolved = inject_resolve_mac(ifindex, c->af, c->dst, dst_mac, NEIGHBOUR_WAIT_MS);
	if (resolved > 0)
		return 1;
	if (resolved < 0) {
		if (stop_requested)
			return -1;
		inet_ntop(c->af, c->dst, dst_text, sizeof(dst_text));
		fprintf(stderr,
		        "dmm-send: %s: no link-layer address for the next hop towards %s after "
		        "%d ms (no route, or neighbour discovery unanswered); give --link "
		        "--dst-mac MAC to send anyway\n",
		        o->iface, dst_text, NEIGHBOUR_WAIT_MS);
		return -1;
	}
	if (o->force_libnet || o->write_file)
		return 1;
	uint64_t sent = in->sent, first_ns = in->first_ns, last_ns = in->last_ns;
	inject_close(in);
	inject_init(in);
	memcpy(c->src_mac, src_mac, 6);
	memcpy(c->dst_mac, dst_mac, 6);
	c->have_src_mac = c->have_dst_mac = c->link = 1;
	if (inject_open_iface(in, o->iface, INJECT_PACKET, c->af == AF_INET6) < 0) {
		fprintf(stderr, "dmm-send: %s\n", in->err);
		return -1;
	}
	in->sent = sent;
	in->first_ns = first_ns;
	in->last_ns = last_ns;
	return 0;
}

int main(int argc, char **argv)
{
	static struct craft c;
	struct options o;
	struct inject in;
	struct printer pr;
	const struct craft_msg_def *def = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	o.count = 1;
	o.timeout_ms = DEFAULT_TIMEOUT_MS;
	o.retries = DEFAULT_RETRIES;
	o.expect_status = -1;
	if (argc < 2)
		return usage_error("no message given");
	if (argv[1][0] != '-') {
		def = craft_msg_lookup(argv[1]);
		if (!def)
			return usage_error("unknown message: %s", argv[1]);
	}
	if ((rc = apply_numbers(argc, argv)) >= 0)
		return rc;
	if (def)
		craft_init(&c, def);
	if ((rc = parse_options(argc - (def ? 1 : 0), argv + (def ? 1 : 0), &o, &c, def != NULL)) >=
	    0)
		return rc;
	if (def && craft_finish(&c) < 0)
		return usage_error("%s", c.err);

	install_signal_handlers();
	inject_init(&in);
	printer_init(&pr, o.quiet                     ? PRINT_NONE
	                  : o.print == PRINT_JSON     ? PRINT_JSON
	                  : o.print && o.verbose_tree ? PRINT_TREE
	                                              : o.print);
	if (o.json_file) {
		rc = send_json(&o, &in, &pr);
	} else if (open_output(&o, &c, &in) < 0) {
		rc = EXIT_MISMATCH;
	} else if (o.expect) {
		static uint8_t frame[FRAME_MAX];
		int linktype;
		int len = frame_of(&c, NULL, NULL, 0, 0, frame, &linktype);
		if (len < 0) {
			rc = EXIT_USAGE;
		} else {
			print_sent(&o, &pr, frame, (size_t)len, linktype);
			fflush(stdout);
			rc = probe(&o, &c, &in, frame, (size_t)len);
		}
	} else if (in.mode == INJECT_PACKET && !pr.backend) {
		rc = send_batched(&o, &c, &in, 0);
	} else {
		int switched = pr.backend ? 1 : switch_to_link_layer(&o, &c, &in);
		if (switched < 0)
			rc = EXIT_MISMATCH;
		else if (switched == 0)
			rc = send_batched(&o, &c, &in, 1);
		else /* packet 0 may have gone out already */
			rc = send_each(&o, &c, &in, &pr, in.sent);
	}
	fflush(stdout);
	if (!o.quiet && o.count > 1 && in.sent > 1) {
		/* the rate between the first and the last packet: n - 1 intervals */
		double secs = (double)(in.last_ns - in.first_ns) / 1e9;
		static const char *const paths[] = {[INJECT_NONE] = "pcap file",
		                                    [INJECT_RAW] = "libnet raw socket",
		                                    [INJECT_LINK] = "libnet link layer",
		                                    [INJECT_PACKET] = "AF_PACKET batches"};
		fprintf(stderr, "dmm-send: sent %llu packets in %.6f s (%.0f pkt/s, %s)%s\n",
		        (unsigned long long)in.sent, secs,
		        secs > 0 ? (double)(in.sent - 1) / secs : 0.0, paths[in.mode],
		        in.send_errors ? ", some refused by the device" : "");
	}
	printer_free(&pr);
	inject_close(&in);
	return rc;
}
