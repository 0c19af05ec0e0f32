/* Rebuild a capture from `dmm-decode -T json` output with dmm_json_build (RFC 6275 §6.1, RFC 5944
 * messages and their link/IP layers); the pcap's link type is the first packet's. */
#include "cursor.h"
#include "json_build.h"
#include "numbers.h"

#include <json-c/json.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FRAME_MAX (256 * 1024)

struct writer {
	const char *path;
	pcap_t *dead;
	pcap_dumper_t *dump;
	int linktype;
	unsigned long packets;
};

/* frame.time_epoch "SEC.NSEC" as a pcap timestamp (0 when absent). */
static void packet_time(struct json_object *pkt, struct timeval *tv)
{
	struct json_object *frame, *epoch;
	tv->tv_sec = 0;
	tv->tv_usec = 0;
	if (!json_object_object_get_ex(pkt, "frame", &frame) ||
	    !json_object_object_get_ex(frame, "frame.time_epoch", &epoch))
		return;
	long long sec = 0;
	unsigned long nsec = 0;
	if (sscanf(json_object_get_string(epoch), "%lld.%9lu", &sec, &nsec) >= 1) {
		tv->tv_sec = (time_t)sec;
		tv->tv_usec = (suseconds_t)(nsec / 1000);
	}
}

static int write_packet(struct writer *wr, struct json_object *pkt, uint8_t *buf)
{
	struct dmm_wbuf w;
	char err[256];
	int linktype = 0;
	wb_init(&w, buf, FRAME_MAX);
	if (dmm_json_build(pkt, &w, &linktype, err, sizeof(err)) < 0) {
		fprintf(stderr, "json_rebuild: packet %lu: %s\n", wr->packets + 1, err);
		return -1;
	}
	if (!wr->dump) {
		wr->linktype = linktype;
		wr->dead = pcap_open_dead(linktype, FRAME_MAX);
		wr->dump = wr->dead ? pcap_dump_open(wr->dead, wr->path) : NULL;
		if (!wr->dump) {
			fprintf(stderr, "json_rebuild: %s: %s\n", wr->path,
			        wr->dead ? pcap_geterr(wr->dead) : "pcap_open_dead failed");
			return -1;
		}
	} else if (linktype != wr->linktype) {
		fprintf(stderr, "json_rebuild: packet %lu: link type %d after %d\n",
		        wr->packets + 1, linktype, wr->linktype);
		return -1;
	}
	struct pcap_pkthdr h;
	packet_time(pkt, &h.ts);
	h.caplen = h.len = (bpf_u_int32)w.len;
	pcap_dump((u_char *)wr->dump, &h, buf);
	wr->packets++;
	return 0;
}

static char *read_all(FILE *fp, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *s = malloc(cap);
	while (s) {
		n += fread(s + n, 1, cap - n, fp);
		if (n < cap)
			break;
		char *bigger = realloc(s, cap * 2);
		if (!bigger)
			free(s);
		s = bigger;
		cap *= 2;
	}
	*len = n;
	return s;
}

int main(int argc, char **argv)
{
	struct writer wr = {"-", NULL, NULL, 0, 0};
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-w") == 0 && i + 1 < argc) {
			wr.path = argv[++i];
		} else if (strcmp(argv[i], "--tba") == 0 && i + 1 < argc &&
		           dmm_numbers_parse(argv[i + 1]) == 0) {
			i++;
		} else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc &&
		           dmm_numbers_profile(argv[i + 1]) == 0) {
			i++;
		} else {
			fprintf(stderr,
			        "usage: json_rebuild [-w OUT.pcap] [--tba NAME=VALUE,...] "
			        "[--profile NAME] < packets.json\n"
			        "  one JSON object per line (dmm-decode -T json) or a JSON array;\n"
			        "  --tba/--profile: the numbers the decoder used\n");
			return 2;
		}
	}
	size_t len;
	char *text = read_all(stdin, &len);
	uint8_t *buf = malloc(FRAME_MAX);
	struct json_tokener *tok = json_tokener_new();
	int rc = text && buf && tok ? 0 : 1;
	size_t pos = 0;
	while (rc == 0) {
		while (pos < len && strchr(" \t\r\n", text[pos]))
			pos++;
		if (pos == len)
			break;
		json_tokener_reset(tok);
		struct json_object *v = json_tokener_parse_ex(tok, text + pos, (int)(len - pos));
		if (!v) {
			fprintf(stderr, "json_rebuild: bad JSON at offset %zu: %s\n", pos,
			        json_tokener_error_desc(json_tokener_get_error(tok)));
			rc = 1;
			break;
		}
		pos += json_tokener_get_parse_end(tok);
		if (json_object_is_type(v, json_type_array)) {
			for (size_t i = 0; rc == 0 && i < json_object_array_length(v); i++)
				rc = write_packet(&wr, json_object_array_get_idx(v, i), buf) < 0;
		} else {
			rc = write_packet(&wr, v, buf) < 0;
		}
		json_object_put(v);
	}
	if (wr.dump)
		pcap_dump_close(wr.dump);
	if (wr.dead)
		pcap_close(wr.dead);
	if (tok)
		json_tokener_free(tok);
	free(text);
	free(buf);
	if (rc == 0)
		fprintf(stderr, "json_rebuild: %lu packets, link type %d\n", wr.packets,
		        wr.linktype);
	return rc;
}
