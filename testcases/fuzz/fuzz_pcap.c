/* Fuzz target: libpcap reading via fmemopen, full frame dissection into all four printers. */
#include "fuzz_out.h"
#include "dissect.h"
#include "keys.h"
#include "out.h"

#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PACKETS 4096

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* -T fields columns: every registered field, plus a repeated one. */
static const char *names[4096];
static unsigned n_names;

static void add_name(const struct dmm_field *f, void *arg)
{
	if (n_names < sizeof(names) / sizeof(names[0]) - 1)
		names[n_names++] = f->abbrev;
}

struct stream {
	FILE *fp;
	char *buf;
	size_t len;
	size_t seen; /* octets already checked */
};

static struct stream st[4]; /* summary, tree, json, fields */
static struct dmm_summary sum;
static struct dmm_tree tree;
static struct dmm_json json;
static struct dmm_fields fields;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	dmm_keys_add_mnha("256:0x00112233445566778899aabbccddeeff");
	dmm_keys_add_mh_auth("256:0x00112233445566778899aabbccddeeff");
	dmm_keys_add_krm("0102030405060708090a0b0c0d0e0f1011121314");
	dmm_fields_foreach(add_name, NULL);
	if (n_names)
		names[n_names++] = names[0];
	/* printers and their memory streams live for the whole run (set-up is costly) */
	for (int i = 0; i < 4; i++)
		if (!(st[i].fp = open_memstream(&st[i].buf, &st[i].len)))
			abort();
	dmm_summary_init(&sum, st[0].fp);
	dmm_tree_init(&tree, st[1].fp);
	dmm_json_init(&json, st[2].fp);
	if (dmm_fields_init(&fields, st[3].fp, names, n_names, NULL, NULL) != 0)
		abort();
	return 0;
}

/* Fan-out output: the checker first, then each printer. */
struct tee {
	struct dmm_out outs[5];
	unsigned n;
};

static void tee_open(void *ctx, const struct dmm_field *f, const char *label)
{
	struct tee *t = ctx;
	for (unsigned i = 0; i < t->n; i++)
		dmm_open(&t->outs[i], f, label);
}

static void tee_close(void *ctx)
{
	struct tee *t = ctx;
	for (unsigned i = 0; i < t->n; i++)
		dmm_close(&t->outs[i]);
}

static void tee_value(void *ctx, const struct dmm_field *f, const struct dmm_value *v)
{
	struct tee *t = ctx;
	for (unsigned i = 0; i < t->n; i++)
		if (t->outs[i].ops->value)
			t->outs[i].ops->value(t->outs[i].ctx, f, v);
}

static void tee_error(void *ctx, const char *msg)
{
	struct tee *t = ctx;
	for (unsigned i = 0; i < t->n; i++)
		dmm_error(&t->outs[i], msg);
}

static const struct dmm_out_ops tee_ops = {tee_open, tee_close, tee_value, tee_error};

/* The summary, JSON and fields printers write exactly one line per packet. */
static void check_one_line(struct stream *s, const char *who)
{
	fflush(s->fp);
	size_t lines = 0;
	for (size_t i = s->seen; i < s->len; i++)
		if (s->buf[i] == '\n')
			lines++;
	if (lines != 1 || s->len == s->seen || s->buf[s->len - 1] != '\n') {
		fprintf(stderr, "%s printer wrote %zu lines for one packet\n", who, lines);
		abort();
	}
	s->seen = s->len;
}

/* Keep the memory streams from growing across packets of one input. */
static void rewind_stream(struct stream *s)
{
	rewind(s->fp);
	fflush(s->fp);
	s->seen = s->len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	if (size == 0)
		return 0;
	FILE *in = fmemopen((void *)data, size, "rb");
	if (!in)
		return 0;
	pcap_t *pc = pcap_fopen_offline(in, errbuf); /* owns in from here */
	if (!pc) {
		fclose(in);
		return 0;
	}
	int linktype = pcap_datalink(pc);

	struct pcap_pkthdr *h;
	const u_char *pkt;
	uint64_t number = 0;
	while (number < MAX_PACKETS && pcap_next_ex(pc, &h, &pkt) == 1) {
		struct dmm_frame fr = {
		    .number = ++number,
		    .linktype = linktype,
		    .ts_sec = h->ts.tv_sec,
		    .ts_nsec = (uint32_t)h->ts.tv_usec * 1000u,
		    .caplen = h->caplen,
		    .wirelen = h->len,
		};
		struct fuzz_check k;
		struct tee t = {.n = 5};
		t.outs[0] = fuzz_out(&k);
		t.outs[1] = (struct dmm_out){dmm_summary_backend.ops, &sum, 0};
		t.outs[2] = (struct dmm_out){dmm_tree_backend.ops, &tree, 0};
		t.outs[3] = (struct dmm_out){dmm_json_backend.ops, &json, 0};
		t.outs[4] = (struct dmm_out){dmm_fields_backend.ops, &fields, 0};
		struct dmm_out out = {&tee_ops, &t, 0, DMM_OUT_ALL};

		dmm_summary_backend.begin_packet(&sum, &fr);
		dmm_tree_backend.begin_packet(&tree, &fr);
		dmm_json_backend.begin_packet(&json, &fr);
		dmm_fields_backend.begin_packet(&fields, &fr);
		dmm_dissect_frame(&fr, pkt, &out);
		fuzz_out_done(&t.outs[0]);
		if (out.errors != t.outs[0].errors || t.outs[1].errors != t.outs[0].errors)
			abort(); /* every error reaches every backend once */
		dmm_summary_backend.end_packet(&sum);
		dmm_tree_backend.end_packet(&tree);
		dmm_json_backend.end_packet(&json);
		dmm_fields_backend.end_packet(&fields);
		check_one_line(&st[0], "summary");
		check_one_line(&st[2], "json");
		check_one_line(&st[3], "fields");
		for (int i = 0; i < 4; i++)
			rewind_stream(&st[i]);
	}
	pcap_close(pc);
	return 0;
}
