/* dmm-decode: decode PMIPv6/DMM/Mobile IPv4 signaling from pcap/pcapng files or live capture. */
#include "dissect.h"
#include "keys.h"
#include "numbers.h"
#include "out.h"

#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SNAPLEN 262144
#define LIVE_BUFFER_BYTES (64 << 20) /* kernel capture ring */
#define LIVE_TIMEOUT_MS 200
#define STDOUT_BUFFER (1 << 20)
#define TREE_BLOCK (256 << 10)
#define MAX_TBA_SPECS 16

enum exit_status {
	EXIT_OK = 0,
	EXIT_USAGE_OR_INPUT = 1,
	EXIT_MALFORMED = 2,
};

enum output_mode {
	OUTPUT_SUMMARY,
	OUTPUT_TREE,
	OUTPUT_JSON,
	OUTPUT_FIELDS,
};

enum long_option {
	OPT_STRICT = 256,
	OPT_MNHA_KEY,
	OPT_KRM,
	OPT_MH_AUTH_KEY,
	OPT_TBA,
	OPT_PROFILE,
};

struct options {
	const char *read_file;
	const char *interface;
	const char *capture_filter;
	const char *write_file;
	unsigned long long max_packets; /* 0 = no limit */
	int verbose_tree;
	const char *output_format; /* -T value, NULL if not given */
	const char **field_names;
	unsigned n_field_names;
	struct dmm_fields_options field_options;
	int strict;
	int quiet;
	int flush_each_packet;
	int no_promiscuous;
	const char *profile;
	const char *tba_specs[MAX_TBA_SPECS];
	unsigned n_tba_specs;
};

static pcap_t *capture_handle;
static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	stop_requested = 1;
	if (capture_handle)
		pcap_breakloop(capture_handle);
}

static void usage(FILE *fp)
{
	fprintf(
	    fp,
	    "Usage: dmm-decode [options] (-r FILE | -i IFACE)\n"
	    "Decode PMIPv6, DMM and Mobile IPv4/NEMO signaling (tshark-like output).\n"
	    "\n"
	    "Input:\n"
	    "  -r FILE              read a pcap or pcapng file (\"-\" = standard input)\n"
	    "  -i IFACE             capture live on IFACE\n"
	    "  -f FILTER            BPF capture filter (also applied to -r)\n"
	    "  -c N                 stop after N packets\n"
	    "  -w FILE              also save the packets read to FILE (pcap; \"-\" = stdout)\n"
	    "  -p                   live capture: do not enable promiscuous mode\n"
	    "Output:\n"
	    "  -V                   packet tree\n"
	    "  -T summary|text|json|fields\n"
	    "                       one-line summary (default; text = summary, or tree with -V),\n"
	    "                       one JSON object per line, or -e field columns\n"
	    "  -e NAME              field for -T fields (repeatable; implies -T fields)\n"
	    "  -E OPT=VALUE         -T fields option: header=y|n, separator=/t|/s|C,\n"
	    "                       aggregator=,|/s|C, occurrence=f|l|a, quote=d|s|n\n"
	    "  -G fields            list every field and exit\n"
	    "  -q                   print only the packet count\n"
	    "  -l                   flush the output after each packet (default for -i)\n"
	    "  --strict             exit with status 2 if any packet had an error\n"
	    "Decoding:\n"
	    "  --mnha-key SPI:KEY   MN-HA key for MIPv4 authenticators (repeatable)\n"
	    "  --krm HEX40          MC-Auth registration key KRm, 40 hex digits (repeatable)\n"
	    "  --mh-auth-key SPI:KEY\n"
	    "                       RFC 4285 mobility message authentication key (repeatable)\n"
	    "  --tba NAME=VALUE[,...]\n"
	    "                       set numbers left TBA by the drafts; names:");
	for (const char *const *name = dmm_numbers_names; *name; name++)
		fprintf(fp, " %s", *name);
	fprintf(fp, "\n"
	            "  --profile iana|mad-pmipv6\n"
	            "                       select a set of TBA numbers (applied before --tba)\n"
	            "  -h, --help           show this help\n"
	            "\n"
	            "Exit status: 0 ok, 1 usage error or unreadable input, 2 malformed packet "
	            "with --strict.\n");
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "dmm-decode: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry 'dmm-decode -h' for help.\n");
	va_end(ap);
	return EXIT_USAGE_OR_INPUT;
}

static int add_field_name(struct options *o, const char *name)
{
	const char **names = realloc(o->field_names, (o->n_field_names + 1) * sizeof(*names));
	if (!names)
		return -1;
	names[o->n_field_names++] = name;
	o->field_names = names;
	return 0;
}

/* Parse the command line; returns -1 to go on, or an exit status. */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option long_options[] = {
	    {"strict", no_argument, NULL, OPT_STRICT},
	    {"mnha-key", required_argument, NULL, OPT_MNHA_KEY},
	    {"krm", required_argument, NULL, OPT_KRM},
	    {"mh-auth-key", required_argument, NULL, OPT_MH_AUTH_KEY},
	    {"tba", required_argument, NULL, OPT_TBA},
	    {"profile", required_argument, NULL, OPT_PROFILE},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int list_fields = 0;
	int opt;
	char *end;

	dmm_fields_options_default(&o->field_options);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "r:i:f:c:w:pVT:e:E:G:qlh", long_options, NULL)) !=
	       -1) {
		switch (opt) {
		case 'r':
			o->read_file = optarg;
			break;
		case 'i':
			o->interface = optarg;
			break;
		case 'f':
			o->capture_filter = optarg;
			break;
		case 'c':
			errno = 0;
			o->max_packets = strtoull(optarg, &end, 10);
			if (errno || *end || optarg[0] == '-' || o->max_packets == 0)
				return usage_error("invalid packet count: %s", optarg);
			break;
		case 'w':
			o->write_file = optarg;
			break;
		case 'p':
			o->no_promiscuous = 1;
			break;
		case 'V':
			o->verbose_tree = 1;
			break;
		case 'T':
			if (strcmp(optarg, "summary") && strcmp(optarg, "text") &&
			    strcmp(optarg, "json") && strcmp(optarg, "fields"))
				return usage_error("unknown output format: %s", optarg);
			o->output_format = optarg;
			break;
		case 'e':
			if (add_field_name(o, optarg) != 0)
				return usage_error("out of memory at -e %s", optarg);
			break;
		case 'E':
			if (dmm_fields_options_parse(&o->field_options, optarg) != 0)
				return usage_error("invalid -E option: %s", optarg);
			break;
		case 'G':
			if (strcmp(optarg, "fields") != 0)
				return usage_error("unknown report for -G: %s", optarg);
			list_fields = 1;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'l':
			o->flush_each_packet = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case OPT_STRICT:
			o->strict = 1;
			break;
		case OPT_MNHA_KEY:
			if (dmm_keys_add_mnha(optarg) != 0)
				return usage_error("invalid --mnha-key: %s", optarg);
			break;
		case OPT_KRM:
			if (dmm_keys_add_krm(optarg) != 0)
				return usage_error("invalid --krm: %s", optarg);
			break;
		case OPT_MH_AUTH_KEY:
			if (dmm_keys_add_mh_auth(optarg) != 0)
				return usage_error("invalid --mh-auth-key: %s", optarg);
			break;
		case OPT_TBA:
			if (o->n_tba_specs == MAX_TBA_SPECS)
				return usage_error("too many --tba options");
			o->tba_specs[o->n_tba_specs++] = optarg;
			break;
		case OPT_PROFILE:
			o->profile = optarg;
			break;
		case '?':
		default:
			if (optopt > 0 && optopt < 256 && strchr("rifcwTeEG", optopt))
				fprintf(stderr, "dmm-decode: option -%c needs an argument\n",
				        optopt);
			else if (optopt > 0 && optopt < 256)
				fprintf(stderr, "dmm-decode: unknown option -%c\n", optopt);
			else
				fprintf(stderr,
				        "dmm-decode: unknown option or missing argument: %s\n",
				        argv[optind - 1]);
			fprintf(stderr, "Try 'dmm-decode -h' for help.\n");
			return EXIT_USAGE_OR_INPUT;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument: %s", argv[optind]);

	/* numbers: profile first, then the individual --tba settings */
	if (o->profile && dmm_numbers_profile(o->profile) != 0)
		return usage_error("unknown profile: %s", o->profile);
	for (unsigned i = 0; i < o->n_tba_specs; i++)
		if (dmm_numbers_parse(o->tba_specs[i]) != 0)
			return usage_error("invalid --tba: %s", o->tba_specs[i]);

	if (list_fields) {
		dmm_list_fields(stdout);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_USAGE_OR_INPUT;
	}
	if (o->n_field_names && !o->output_format)
		o->output_format = "fields";
	if (o->output_format && strcmp(o->output_format, "fields") == 0 && !o->n_field_names)
		return usage_error("-T fields needs at least one -e NAME");
	if (o->n_field_names && strcmp(o->output_format, "fields") != 0)
		return usage_error("-e needs -T fields, not -T %s", o->output_format);
	if (!o->read_file && !o->interface)
		return usage_error("no input: give -r FILE or -i IFACE");
	if (o->read_file && o->interface)
		return usage_error("give either -r or -i, not both");
	return -1;
}

static enum output_mode output_mode_of(const struct options *o)
{
	const char *t = o->output_format;
	if (t && strcmp(t, "json") == 0)
		return OUTPUT_JSON;
	if (t && strcmp(t, "fields") == 0)
		return OUTPUT_FIELDS;
	if (t && strcmp(t, "summary") == 0 && !o->verbose_tree)
		return OUTPUT_SUMMARY;
	return o->verbose_tree ? OUTPUT_TREE : OUTPUT_SUMMARY;
}

static pcap_t *open_offline(const char *path, char *errbuf)
{
	if (strcmp(path, "-") == 0)
		return pcap_fopen_offline_with_tstamp_precision(stdin, PCAP_TSTAMP_PRECISION_NANO,
		                                                errbuf);
	return pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
}

static pcap_t *open_live(const char *iface, int promiscuous, char *errbuf)
{
	pcap_t *p = pcap_create(iface, errbuf);
	if (!p)
		return NULL;
	pcap_set_snaplen(p, SNAPLEN);
	pcap_set_promisc(p, promiscuous);
	pcap_set_timeout(p, LIVE_TIMEOUT_MS);
	/* Not immediate mode: libpcap then packs packets into TPACKET_V3 blocks instead of
	 * one snaplen-sized ring slot each, so bursts of signaling (dmm-send --rate max) fit;
	 * the timeout still delivers a quiet link's packets within LIVE_TIMEOUT_MS. */
	pcap_set_buffer_size(p, LIVE_BUFFER_BYTES);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO); /* best effort */
	int rc = pcap_activate(p);
	if (rc < 0) {
		const char *detail = pcap_geterr(p);
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s", detail[0] ? detail : pcap_statustostr(rc));
		pcap_close(p);
		return NULL;
	}
	if (rc > 0)
		fprintf(stderr, "dmm-decode: %s: warning: %s (%s)\n", iface, pcap_statustostr(rc),
		        pcap_geterr(p));
	return p;
}

static int apply_filter(pcap_t *p, const char *filter)
{
	struct bpf_program prog;
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		fprintf(stderr, "dmm-decode: invalid capture filter '%s': %s\n", filter,
		        pcap_geterr(p));
		return -1;
	}
	int rc = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (rc != 0) {
		fprintf(stderr, "dmm-decode: cannot set capture filter: %s\n", pcap_geterr(p));
		return -1;
	}
	return 0;
}

static void install_signal_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a blocked read returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* The selected backend with its context. */
struct printer {
	const struct dmm_backend *backend; /* NULL: nothing printed per packet */
	void *ctx;
	struct dmm_summary summary;
	struct dmm_tree tree;
	struct dmm_json json;
	struct dmm_fields fields;
	unsigned out_flags; /* what the dissectors must produce for this backend */
};

/* The summary shows flagged values only, the tree labels and frame strings, JSON frame
 * strings, fields only what is asked. */
static unsigned printer_out_flags(const struct printer *pr, const struct options *o)
{
	if (pr->backend == &dmm_summary_backend)
		return DMM_OUT_FLAGGED_VALUES;
	if (pr->backend == &dmm_tree_backend)
		return DMM_OUT_ALL;
	if (pr->backend == &dmm_json_backend)
		return DMM_OUT_FRAME_STRINGS;
	if (pr->backend == &dmm_fields_backend)
		for (unsigned i = 0; i < o->n_field_names; i++)
			if (strcmp(o->field_names[i], "frame.time_epoch") == 0 ||
			    strcmp(o->field_names[i], "frame.protocols") == 0)
				return DMM_OUT_FRAME_STRINGS;
	return 0;
}

static const struct dmm_out_ops silent_ops = {NULL, NULL, NULL, NULL};

static int printer_init(struct printer *pr, const struct options *o, FILE *fp)
{
	memset(pr, 0, sizeof(*pr));
	int unknown = 0;
	for (unsigned i = 0; i < o->n_field_names; i++)
		if (!dmm_field_find(o->field_names[i])) {
			fprintf(stderr, "dmm-decode: unknown field: %s\n", o->field_names[i]);
			unknown++;
		}
	if (unknown) {
		fprintf(stderr, "dmm-decode: 'dmm-decode -G fields' lists the fields\n");
		return -1;
	}
	if (o->quiet)
		return 0;
	switch (output_mode_of(o)) {
	case OUTPUT_SUMMARY:
		dmm_summary_init(&pr->summary, fp);
		pr->backend = &dmm_summary_backend;
		pr->ctx = &pr->summary;
		break;
	case OUTPUT_TREE:
		dmm_tree_init(&pr->tree, fp);
		pr->backend = &dmm_tree_backend;
		pr->ctx = &pr->tree;
		break;
	case OUTPUT_JSON:
		dmm_json_init(&pr->json, fp);
		pr->backend = &dmm_json_backend;
		pr->ctx = &pr->json;
		break;
	case OUTPUT_FIELDS:
		if (dmm_fields_init(&pr->fields, fp, o->field_names, o->n_field_names,
		                    &o->field_options, NULL) != 0) {
			fprintf(stderr, "dmm-decode: out of memory\n");
			return -1;
		}
		pr->backend = &dmm_fields_backend;
		pr->ctx = &pr->fields;
		break;
	}
	return 0;
}

static void printer_free(struct printer *pr)
{
	if (pr->backend == &dmm_tree_backend)
		dmm_tree_free(&pr->tree);
	else if (pr->backend == &dmm_json_backend)
		dmm_json_free(&pr->json);
	else if (pr->backend == &dmm_fields_backend)
		dmm_fields_free(&pr->fields);
}

struct run_counts {
	unsigned long long packets;
	unsigned long long malformed;
	int read_error;
};

static void decode_loop(pcap_t *p, pcap_dumper_t *dumper, struct printer *pr,
                        const struct options *o, int flush_each_packet, struct run_counts *counts)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	struct dmm_frame fr;
	struct dmm_out out = {pr->backend ? pr->backend->ops : &silent_ops, pr->ctx, 0,
	                      printer_out_flags(pr, o)};
	int nanoseconds = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;

	memset(&fr, 0, sizeof(fr));
	fr.linktype = pcap_datalink(p);
	while (!stop_requested && (o->max_packets == 0 || counts->packets < o->max_packets)) {
		int rc = pcap_next_ex(p, &hdr, &data);
		if (rc == 0)
			continue; /* live read timeout */
		if (rc == PCAP_ERROR_BREAK)
			break; /* end of file, or pcap_breakloop */
		if (rc < 0) {
			fprintf(stderr, "dmm-decode: read error: %s\n", pcap_geterr(p));
			counts->read_error = 1;
			break;
		}
		counts->packets++;
		if (dumper)
			pcap_dump((u_char *)dumper, hdr, data);
		fr.number = counts->packets;
		fr.ts_sec = hdr->ts.tv_sec;
		fr.ts_nsec = (uint32_t)(nanoseconds ? hdr->ts.tv_usec : hdr->ts.tv_usec * 1000);
		fr.caplen = hdr->caplen;
		fr.wirelen = hdr->len;
		out.errors = 0;
		if (pr->backend)
			pr->backend->begin_packet(pr->ctx, &fr);
		dmm_dissect_frame(&fr, data, &out);
		if (pr->backend)
			pr->backend->end_packet(pr->ctx);
		if (out.errors)
			counts->malformed++;
		if (flush_each_packet) {
			fflush(stdout);
			if (dumper)
				pcap_dump_flush(dumper);
		}
	}
}

/* "dmm-decode: <what>: <message>", unless libpcap's message names it already. */
static void report_error(const char *what, const char *message)
{
	if (strncmp(message, what, strlen(what)) == 0)
		fprintf(stderr, "dmm-decode: %s\n", message);
	else
		fprintf(stderr, "dmm-decode: %s: %s\n", what, message);
}

int main(int argc, char **argv)
{
	struct options o;
	char errbuf[PCAP_ERRBUF_SIZE];
	int status;

	memset(&o, 0, sizeof(o));
	status = parse_options(argc, argv, &o);
	if (status >= 0) {
		free(o.field_names);
		return status;
	}

	/* decoded output and a pcap on stdout cannot share it */
	int dump_to_stdout = o.write_file && strcmp(o.write_file, "-") == 0;
	struct options print_options = o;
	if (dump_to_stdout)
		print_options.quiet = 1;

	/* Unless each packet must show at once, the tree buffers TREE_BLOCK bytes of packets
	 * itself and writes them straight through an unbuffered stdout (no second copy). */
	int tree_blocks = !print_options.quiet && output_mode_of(&o) == OUTPUT_TREE &&
	                  !o.flush_each_packet && !o.interface;
	static char stdout_buffer[STDOUT_BUFFER];
	if (tree_blocks)
		setvbuf(stdout, NULL, _IONBF, 0);
	else
		setvbuf(stdout, stdout_buffer, _IOFBF, sizeof(stdout_buffer));

	struct printer pr;
	if (printer_init(&pr, &print_options, stdout) != 0) {
		free(o.field_names);
		return EXIT_USAGE_OR_INPUT;
	}
	if (tree_blocks)
		pr.tree.block = TREE_BLOCK;

	pcap_t *p = o.read_file ? open_offline(o.read_file, errbuf)
	                        : open_live(o.interface, !o.no_promiscuous, errbuf);
	if (!p) {
		report_error(o.read_file ? o.read_file : o.interface, errbuf);
		printer_free(&pr);
		free(o.field_names);
		return EXIT_USAGE_OR_INPUT;
	}
	if (o.capture_filter && apply_filter(p, o.capture_filter) != 0) {
		pcap_close(p);
		printer_free(&pr);
		free(o.field_names);
		return EXIT_USAGE_OR_INPUT;
	}
	pcap_dumper_t *dumper = NULL;
	if (o.write_file) {
		dumper = pcap_dump_open(p, o.write_file);
		if (!dumper) {
			report_error(o.write_file, pcap_geterr(p));
			pcap_close(p);
			printer_free(&pr);
			free(o.field_names);
			return EXIT_USAGE_OR_INPUT;
		}
	}

	capture_handle = p;
	install_signal_handlers();
	struct run_counts counts = {0, 0, 0};
	decode_loop(p, dumper, &pr, &o, o.flush_each_packet || o.interface != NULL, &counts);
	capture_handle = NULL;
	if (pr.backend == &dmm_tree_backend)
		dmm_tree_flush(&pr.tree);

	if (o.quiet) {
		FILE *report = dump_to_stdout ? stderr : stdout;
		fprintf(report, "%llu packets, %llu with errors\n", counts.packets,
		        counts.malformed);
	} else if (o.interface) {
		fprintf(stderr, "%llu packets captured\n", counts.packets);
	}

	status = EXIT_OK;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "dmm-decode: write error on standard output\n");
		status = EXIT_USAGE_OR_INPUT;
	}
	if (dumper) { /* last: with "-w -" this closes stdout */
		if (pcap_dump_flush(dumper) != 0) {
			fprintf(stderr, "dmm-decode: write error on %s\n", o.write_file);
			status = EXIT_USAGE_OR_INPUT;
		}
		pcap_dump_close(dumper);
	}
	if (counts.read_error)
		status = EXIT_USAGE_OR_INPUT;
	else if (o.strict && counts.malformed && status == EXIT_OK)
		status = EXIT_MALFORMED;
	pcap_close(p);
	printer_free(&pr);
	free(o.field_names);
	return status;
}
