/* Benchmark of the LMA's RFC 5213 §5.3 PBU processing with RFC 4285 authentication:
 * registrations of N distinct mobile nodes, then refreshes; bindings/s, p99 latency and memory
 * per binding (every node gets its own /64 from the pool). Usage: bench_lma [N...] (default 10000
 * 100000). Prints one JSON line per N. */
#include "bcache.h"
#include "conf.h"
#include "ev.h"
#include "keys.h"
#include "lma.h"
#include "mh.h"
#include "role.h"

#include <arpa/inet.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEY "0x0102030405060708090a0b0c0d0e0f10"

static const char conf_text[] =
    "role lma\n"
    "address 2001:db8:ff::1\n"
    "hnp-pool 2001:db8::/32 64\n"
    "dataplane none\n"
    /* the PBUs are made before they are fed: allow their age */
    "timestamp-window 60000\n"
    "peer mag1 {\n  address 2001:db8:11::2\n  spi 256\n  key " KEY "\n}\n";

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

struct pbu_set {
	uint8_t *buf; /* n slots of SLOT octets */
	uint16_t *len;
};
#define SLOT 128

static void make_pbus(struct pbu_set *s, unsigned n, const uint8_t *pcoa, const uint8_t *lmaa,
                      int refresh, uint64_t ts)
{
	for (unsigned i = 0; i < n; i++) {
		char id[48];
		struct mh_msg m;
		memset(&m, 0, sizeof(m));
		m.type = MH_BU;
		m.u.bu.seq = (uint16_t)i;
		m.u.bu.flags = MH_BU_A | MH_BU_P;
		m.u.bu.lifetime = 900;
		struct mh_opt *o = mh_add_opt(&m, MH_OPT_MNID);
		int l = snprintf(id, sizeof(id), "mn%u@bench.example.com", i);
		o->v.nai.subtype = 1;
		o->v.nai.id = (const uint8_t *)id;
		o->v.nai.idlen = (uint8_t)l;
		mh_add_opt(&m, MH_OPT_HNP); /* ::/0 */
		mh_add_opt(&m, MH_OPT_HI)->v.u8pair.value = refresh ? 5 : 1;
		mh_add_opt(&m, MH_OPT_ATT)->v.u8pair.value = 4;
		mh_add_opt(&m, MH_OPT_TIMESTAMP)->v.timestamp = ts;
		o = mh_add_opt(&m, MH_OPT_AUTH);
		o->v.auth.subtype = 1;
		o->v.auth.spi = 256;
		struct dmm_wbuf w;
		wb_init(&w, s->buf + (size_t)i * SLOT, SLOT);
		int len = mh_encode(&m, pcoa, lmaa, &w);
		if (len < 0) {
			fprintf(stderr, "encode failed\n");
			exit(1);
		}
		s->len[i] = (uint16_t)len;
	}
}

/* Feed the set; returns elapsed ns, fills lat[] (ns per PBU). */
static uint64_t feed(struct lma *l, const struct pbu_set *s, unsigned n, const uint8_t *pcoa,
                     const uint8_t *lmaa, uint32_t *lat, unsigned *accepted)
{
	uint8_t out[512];
	*accepted = 0;
	uint64_t t0 = now_ns();
	for (unsigned i = 0; i < n; i++) {
		uint64_t a = now_ns();
		int r = lma_input(l, pcoa, lmaa, s->buf + (size_t)i * SLOT, s->len[i], out,
		                  sizeof(out));
		lat[i] = (uint32_t)(now_ns() - a);
		if (r > 0 && out[6] == 0)
			(*accepted)++;
	}
	return now_ns() - t0;
}

static void run(unsigned n)
{
	struct dmmd d = {.loop = ev_loop_new()};
	char err[256];
	struct conf *cf = conf_parse(conf_text, "bench", err, sizeof(err));
	struct lma *l = cf ? role_setup(&d, cf, err, sizeof(err)) : NULL;
	if (!l) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	uint8_t pcoa[16], lmaa[16];
	inet_pton(AF_INET6, "2001:db8:11::2", pcoa);
	inet_pton(AF_INET6, "2001:db8:ff::1", lmaa);
	struct pbu_set reg = {malloc((size_t)n * SLOT), malloc(n * sizeof(uint16_t))};
	struct pbu_set ref = {malloc((size_t)n * SLOT), malloc(n * sizeof(uint16_t))};
	uint32_t *lat = malloc(n * sizeof(uint32_t));
	uint64_t ts = role_timestamp(ev_wall_ms());
	make_pbus(&reg, n, pcoa, lmaa, 0, ts);
	make_pbus(&ref, n, pcoa, lmaa, 1, ts + 1);
	struct mallinfo2 before = mallinfo2();
	unsigned ok_reg, ok_ref;
	uint64_t t_reg = feed(l, &reg, n, pcoa, lmaa, lat, &ok_reg);
	struct mallinfo2 after = mallinfo2();
	qsort(lat, n, sizeof(*lat), cmp_u32);
	uint32_t p99_reg = lat[(size_t)n * 99 / 100], p50_reg = lat[n / 2];
	uint64_t t_ref = feed(l, &ref, n, pcoa, lmaa, lat, &ok_ref);
	qsort(lat, n, sizeof(*lat), cmp_u32);
	uint32_t p99_ref = lat[(size_t)n * 99 / 100];
	size_t bindings = lma_bcache(l)->nbindings;
	printf("{\"nodes\":%u,\"accepted\":%u,\"refreshed\":%u,\"bindings\":%zu,"
	       "\"registrations_per_s\":%.0f,\"refreshes_per_s\":%.0f,"
	       "\"p50_us\":%.1f,\"p99_us\":%.1f,\"p99_refresh_us\":%.1f,"
	       "\"bytes_per_binding\":%zu}\n",
	       n, ok_reg, ok_ref, bindings, n / (t_reg / 1e9), n / (t_ref / 1e9), p50_reg / 1e3,
	       p99_reg / 1e3, p99_ref / 1e3,
	       bindings ? (size_t)(after.uordblks - before.uordblks) / bindings : 0);
	fflush(stdout);
	dmm_role_lma.free(l);
	conf_free(cf);
	ev_loop_free(d.loop);
	free(reg.buf);
	free(reg.len);
	free(ref.buf);
	free(ref.len);
	free(lat);
	if (ok_reg != n || ok_ref != n)
		exit(1);
}

int main(int argc, char **argv)
{
	memset(&dmm_keys, 0, sizeof(dmm_keys));
	dmm_keys_add_mh_auth("256:" KEY);
	if (argc < 2) {
		run(10000);
		run(100000);
	}
	for (int i = 1; i < argc; i++)
		run((unsigned)strtoul(argv[i], NULL, 0));
	return 0;
}
