/* gen_golden: write the golden captures of pcaps/ with the project's own encoders.
 *
 * Usage: gen_golden DIR [SCENARIO...]
 *
 * One pcap per scenario (DLT_EN10MB), several packets each, built only with
 * mh_encode (lib/mh.h), mip4_encode and the HAARO helpers (lib/mip4.h,
 * lib/haaro.h) and the frame builders of lib/packet.h. Everything is fixed so
 * that the output is byte-for-byte reproducible:
 *   - timestamps: 1700000000 + n seconds for the n-th packet (0-based), 0 us;
 *   - MACs: 02:00:00:00:00:XX, XX = last octet of the frame's IP source / destination;
 *   - IPv4 Identification = n + 1, TTL 64, no flags; IPv6 hop limit 64, no flow label.
 * pcaps/scapy_golden.py builds the same packets independently with scapy; the
 * golden runner compares both byte for byte, so any change here must be made there too.
 * Numbers and layouts: shared/wire-facts.md (§12 vectors are reproduced exactly).
 */
#include "haaro.h"
#include "inet.h"
#include "keys.h"
#include "mh.h"
#include "mip4.h"
#include "numbers.h"
#include "packet.h"

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TS_BASE 1700000000
#define FRAME_MAX 4096

/* MN-HA key (SPI 0x100) and the §12 KRm: dmm-decode verifies with
 * --mnha-key 0x100:1234567812345678 --krm 4ab3be1f5e861247041584e7df9b98996d9a9ee2 */
static const uint8_t MNHA_KEY[] = "1234567812345678";
#define MNHA_KEY_LEN 16
#define MNHA_SPI 0x100
static const uint8_t KCR[HAARO_KCR_LEN] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
#define RR_NONCE 0x0102030405060708ULL

static const char *out_dir;
static pcap_t *pcap_handle;
static pcap_dumper_t *dumper;
static unsigned pkt_no;
static int failures;

static uint8_t frame[FRAME_MAX];
static struct dmm_wbuf W;

static void die(const char *what)
{
	fprintf(stderr, "gen_golden: %s\n", what);
	exit(1);
}

static void check(int rc, const char *what)
{
	if (rc < 0) {
		fprintf(stderr, "gen_golden: encoder failed: %s (packet %u)\n", what, pkt_no + 1);
		failures++;
	}
}

static void scenario_begin(const char *name)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s.pcap", out_dir, name);
	pcap_handle = pcap_open_dead(DLT_EN10MB, 65535);
	if (!pcap_handle)
		die("pcap_open_dead");
	dumper = pcap_dump_open(pcap_handle, path);
	if (!dumper)
		die(pcap_geterr(pcap_handle));
	pkt_no = 0;
	dmm_numbers_profile("iana");
}

static void scenario_end(void)
{
	pcap_dump_close(dumper);
	pcap_close(pcap_handle);
	dumper = NULL;
	pcap_handle = NULL;
	dmm_numbers_profile("iana");
}

static void dump_frame(void)
{
	struct pcap_pkthdr h;
	if (W.err) {
		fprintf(stderr, "gen_golden: frame overflow (packet %u)\n", pkt_no + 1);
		failures++;
	}
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = TS_BASE + pkt_no;
	h.ts.tv_usec = 0;
	h.caplen = h.len = (bpf_u_int32)W.len;
	pcap_dump((u_char *)dumper, &h, frame);
	pkt_no++;
}

/* ---- addresses ---- */

static void a6(const char *s, uint8_t out[16])
{
	if (inet_pton(AF_INET6, s, out) != 1)
		die(s);
}

static void a4(const char *s, uint8_t out[4])
{
	if (inet_pton(AF_INET, s, out) != 1)
		die(s);
}

static void mac_of(uint8_t last, uint8_t mac[6])
{
	static const uint8_t base[6] = {0x02, 0, 0, 0, 0, 0};
	memcpy(mac, base, 6);
	mac[5] = last;
}

static void frame_begin(uint8_t src_last, uint8_t dst_last, uint16_t ethertype)
{
	uint8_t smac[6], dmac[6];
	mac_of(src_last, smac);
	mac_of(dst_last, dmac);
	wb_init(&W, frame, sizeof(frame));
	check(pkt_eth(&W, dmac, smac, ethertype), "ethernet");
}

/* ---- MH frames ---- */

/* Ether / IPv6 (src -> dst, optional Home Address option) / MH */
static void send_mh(const char *src, const char *dst, const char *hoa, struct mh_msg *m)
{
	struct pkt_ipv6_hdr h;
	struct pkt_mark mk;
	uint8_t home[16];
	memset(&h, 0, sizeof(h));
	a6(src, h.src);
	a6(dst, h.dst);
	h.next_header = PKT_PROTO_MH;
	if (hoa) {
		a6(hoa, home);
		h.home_address = home;
	}
	frame_begin(h.src[15], h.dst[15], PKT_ETHERTYPE_IPV6);
	check(pkt_ipv6_begin(&W, &h, &mk), "ipv6");
	check(mh_encode(m, hoa ? home : h.src, h.dst, &W), "mh_encode");
	check(pkt_ipv6_end(&W, &mk), "ipv6 end");
	dump_frame();
}

static void msg_init(struct mh_msg *m, uint8_t type)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
}

static void pbu_init(struct mh_msg *m, uint16_t seq, uint16_t flags, uint16_t lifetime)
{
	msg_init(m, MH_BU);
	m->u.bu.seq = seq;
	m->u.bu.flags = flags;
	m->u.bu.lifetime = lifetime;
}

static void pba_init(struct mh_msg *m, uint8_t status, uint8_t flags, uint16_t seq,
                     uint16_t lifetime)
{
	msg_init(m, MH_BA);
	m->u.ba.status = status;
	m->u.ba.flags = flags;
	m->u.ba.seq = seq;
	m->u.ba.lifetime = lifetime;
}

static void opt_mnid(struct mh_msg *m, uint8_t subtype, const void *id, size_t len)
{
	struct mh_opt *o = mh_add_opt(m, MH_OPT_MNID);
	o->v.nai.subtype = subtype;
	o->v.nai.id = id;
	o->v.nai.idlen = (uint8_t)len;
}

static void opt_nai(struct mh_msg *m, const char *nai)
{
	opt_mnid(m, 1, nai, strlen(nai));
}

static void opt_hnp(struct mh_msg *m, const char *prefix, uint8_t plen)
{
	struct mh_opt *o = mh_add_opt(m, MH_OPT_HNP);
	o->v.hnp.plen = plen;
	a6(prefix, o->v.hnp.prefix);
}

static void opt_u8(struct mh_msg *m, uint8_t type, uint8_t value)
{
	struct mh_opt *o = mh_add_opt(m, type);
	o->v.u8pair.value = value;
}

static void opt_ts(struct mh_msg *m, uint64_t ts)
{
	mh_add_opt(m, MH_OPT_TIMESTAMP)->v.timestamp = ts;
}

static void opt_mmb(struct mh_msg *m, uint8_t att, uint8_t label, uint8_t bid, uint8_t flags)
{
	struct mh_opt *o = mh_add_opt(m, MH_OPT_MMB);
	o->v.mmb.if_att = att;
	o->v.mmb.if_label = label;
	o->v.mmb.bid = bid;
	o->v.mmb.flags = flags;
}

static void opt_magid(struct mh_msg *m, const char *nai)
{
	struct mh_opt *o = mh_add_opt(m, MH_OPT_MAGID);
	o->v.nai.subtype = 1;
	o->v.nai.id = (const uint8_t *)nai;
	o->v.nai.idlen = (uint8_t)strlen(nai);
}

static void opt_smaar(struct mh_msg *m, const char *addr)
{
	a6(addr, mh_add_opt(m, dmm_numbers.smaar_opt)->v.addr6);
}

static void opt_pmaar(struct mh_msg *m, uint8_t plen, const char *addr, const char *hnp)
{
	struct mh_opt *o = mh_add_opt(m, dmm_numbers.pmaar_opt);
	o->v.pmaar.plen = plen;
	a6(addr, o->v.pmaar.addr);
	a6(hnp, o->v.pmaar.hnp);
}

/* Option written verbatim (unknown to the registry or deliberately odd). */
static void opt_raw(struct mh_msg *m, uint8_t type, const void *data, uint8_t len)
{
	struct mh_opt *o = mh_add_opt(m, type);
	o->flags = MH_OPT_F_RAW;
	o->data = data;
	o->len = len;
}

/* The §12 PBU (MAG 2001:db8::1 -> LMA 2001:db8::2). */
static void vector_pbu(struct mh_msg *m)
{
	pbu_init(m, 7, MH_BU_A | MH_BU_P, 100);
	opt_nai(m, "mn1@example.com");
	opt_hnp(m, "::", 0);
	opt_u8(m, MH_OPT_HI, 1);
	opt_u8(m, MH_OPT_ATT, 4);
	opt_ts(m, 0x00006553F1008000ULL);
	opt_mmb(m, 4, 9, 1, 0);
	opt_magid(m, "mag1@example.com");
}

/* ---- scenarios: PMIPv6 / RFC 8278 / DMM ---- */

#define MAG1 "2001:db8::1"
#define LMA "2001:db8::2"
#define MAG1_IF2 "2001:db8:0:1::1"
#define HNP1 "2001:db8:aaaa:1::"

static void scn_pbu_multipath(void)
{
	struct mh_msg m;
	scenario_begin("pbu_multipath");
	/* 1: the §12 vector, first WAN path (Wi-Fi, label 9, BID 1) */
	vector_pbu(&m);
	send_mh(MAG1, LMA, NULL, &m);
	/* 2: second WAN path (LTE, label 11, BID 2) with the assigned HNP */
	pbu_init(&m, 8, MH_BU_A | MH_BU_P, 100);
	opt_nai(&m, "mn1@example.com");
	opt_hnp(&m, HNP1, 64);
	opt_u8(&m, MH_OPT_HI, 1);
	opt_u8(&m, MH_OPT_ATT, 8);
	opt_ts(&m, 0x00006553F1010000ULL);
	opt_mmb(&m, 8, 11, 2, 0);
	opt_magid(&m, "mag1@example.com");
	send_mh(MAG1_IF2, LMA, NULL, &m);
	/* 3: bulk re-registration (B) of all bindings */
	pbu_init(&m, 9, MH_BU_A | MH_BU_P, 100);
	opt_nai(&m, "mn1@example.com");
	opt_hnp(&m, HNP1, 64);
	opt_u8(&m, MH_OPT_HI, 5);
	opt_u8(&m, MH_OPT_ATT, 4);
	opt_ts(&m, 0x00006553F1020000ULL);
	opt_mmb(&m, 4, 9, 1, MH_MMB_B);
	opt_magid(&m, "mag1@example.com");
	send_mh(MAG1, LMA, NULL, &m);
	/* 4: overwrite (O) all bindings with this one */
	pbu_init(&m, 10, MH_BU_A | MH_BU_H | MH_BU_P, 100);
	opt_nai(&m, "mn1@example.com");
	opt_hnp(&m, HNP1, 64);
	opt_u8(&m, MH_OPT_HI, 2);
	opt_u8(&m, MH_OPT_ATT, 8);
	opt_ts(&m, 0x00006553F1030000ULL);
	opt_mmb(&m, 8, 11, 2, MH_MMB_O);
	opt_magid(&m, "mag1@example.com");
	send_mh(MAG1_IF2, LMA, NULL, &m);
	/* 5: de-registration of path 2 (lifetime 0, O clear) */
	pbu_init(&m, 11, MH_BU_A | MH_BU_P, 0);
	opt_nai(&m, "mn1@example.com");
	opt_hnp(&m, HNP1, 64);
	opt_u8(&m, MH_OPT_HI, 4);
	opt_u8(&m, MH_OPT_ATT, 8);
	opt_ts(&m, 0x00006553F1040000ULL);
	opt_mmb(&m, 8, 11, 2, 0);
	opt_magid(&m, "mag1@example.com");
	send_mh(MAG1_IF2, LMA, NULL, &m);
	scenario_end();
}

static void scn_pba_multipath(void)
{
	struct mh_msg m;
	scenario_begin("pba_multipath");
	/* 1: accepts path 1: MMB echoed without MAG-ID, HNP assigned */
	pba_init(&m, 0, MH_BA_P, 7, 100);
	opt_nai(&m, "mn1@example.com");
	opt_hnp(&m, HNP1, 64);
	opt_u8(&m, MH_OPT_HI, 1);
	opt_u8(&m, MH_OPT_ATT, 4);
	opt_ts(&m, 0x00006553F1008000ULL);
	opt_mmb(&m, 4, 9, 1, 0);
	send_mh(LMA, MAG1, NULL, &m);
	/* 2: accepts path 2 */
	pba_init(&m, 0, MH_BA_P, 8, 100);
	opt_nai(&m, "mn1@example.com");
	opt_hnp(&m, HNP1, 64);
	opt_u8(&m, MH_OPT_HI, 1);
	opt_u8(&m, MH_OPT_ATT, 8);
	opt_ts(&m, 0x00006553F1010000ULL);
	opt_mmb(&m, 8, 11, 2, 0);
	send_mh(LMA, MAG1_IF2, NULL, &m);
	/* 3: legacy LMA: PBA without MMB (the MAG then disables multipath) */
	pba_init(&m, 0, MH_BA_P, 7, 100);
	opt_nai(&m, "mn1@example.com");
	opt_hnp(&m, HNP1, 64);
	opt_u8(&m, MH_OPT_HI, 1);
	opt_u8(&m, MH_OPT_ATT, 4);
	opt_ts(&m, 0x00006553F1008000ULL);
	send_mh(LMA, MAG1, NULL, &m);
	scenario_end();
}

static void scn_pba_status180(void)
{
	struct mh_msg m;
	scenario_begin("pba_status180");
	/* rejects the §12 PBU: status 180, MMB echoed, the request's ALL_ZERO HNP echoed */
	pba_init(&m, MH_STATUS_CANNOT_SUPPORT_MULTIPATH, MH_BA_P, 7, 0);
	opt_nai(&m, "mn1@example.com");
	opt_hnp(&m, "::", 0);
	opt_u8(&m, MH_OPT_HI, 1);
	opt_u8(&m, MH_OPT_ATT, 4);
	opt_ts(&m, 0x00006553F1008000ULL);
	opt_mmb(&m, 4, 9, 1, 0);
	send_mh(LMA, MAG1, NULL, &m);
	scenario_end();
}

static void scn_pbu_pmipv6_options(void)
{
	static const uint8_t vsm_data[] = {0xde, 0xad, 0xbe, 0xef, 0x01};
	static const uint8_t mac48[] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
	static const uint8_t eui64[] = {0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55};
	static const uint8_t imsi[] = {0x21, 0x43, 0x65, 0x87, 0x09, 0x21, 0x43, 0xf5};
	static const uint8_t ptmsi[] = {0xc0, 0x01, 0x02, 0x03};
	static const uint8_t guti[] = {0x02, 0xf8, 0x39, 0x80, 0x01, 0x01, 0xc0, 0x00, 0x00, 0x01};
	static const uint8_t duid[] = {0x00, 0x03, 0x00, 0x01, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
	uint8_t v6id[16];
	struct mh_msg m;
	struct mh_opt *o;
	scenario_begin("pbu_pmipv6_options");
	/* 1: every optional PBU option: VSM, MN LL-ID, LLA, GRE key (with key), IPv4 HoA
	 * Request (please assign), DHCP support mode (server) */
	pbu_init(&m, 20, MH_BU_A | MH_BU_P | MH_BU_T, 3600 / 4);
	opt_nai(&m, "mn2@example.com");
	opt_hnp(&m, "::", 0);
	opt_u8(&m, MH_OPT_HI, 1);
	opt_u8(&m, MH_OPT_ATT, 3);
	opt_ts(&m, 0x00006553F2000000ULL);
	o = mh_add_opt(&m, MH_OPT_MNLLID);
	o->v.mnllid.lli = mac48;
	o->v.mnllid.llilen = sizeof(mac48);
	a6("fe80::211:22ff:fe33:4455", mh_add_opt(&m, MH_OPT_LLA)->v.addr6);
	o = mh_add_opt(&m, MH_OPT_GREKEY);
	o->v.gre.has_key = 1;
	o->v.gre.key = 0x00001234;
	o = mh_add_opt(&m, MH_OPT_IPV4HOA_REQ);
	o->v.v4.plen = 0;
	o = mh_add_opt(&m, MH_OPT_IPV4DSM);
	o->v.v4.flags = 1; /* S = server */
	o = mh_add_opt(&m, MH_OPT_VSM);
	o->v.vsm.vendor = 32473; /* RFC 5612 documentation PEN */
	o->v.vsm.subtype = 1;
	o->v.vsm.data = vsm_data;
	o->v.vsm.dlen = sizeof(vsm_data);
	o = mh_add_opt(&m, MH_OPT_VSM); /* may repeat */
	o->v.vsm.vendor = 32473;
	o->v.vsm.subtype = 2;
	o->v.vsm.data = vsm_data;
	o->v.vsm.dlen = 2;
	send_mh(MAG1, LMA, NULL, &m);
	/* 2: GRE key option without a key (Length 2), IPv4 HoA Request for 10.0.0.5/24,
	 * DHCP relay mode, MN-ID subtype 2 (IPv6 address) */
	a6("2001:db8:aaaa:1::5", v6id);
	pbu_init(&m, 21, MH_BU_A | MH_BU_P, 3600 / 4);
	opt_mnid(&m, 2, v6id, 16);
	opt_hnp(&m, HNP1, 64);
	opt_u8(&m, MH_OPT_HI, 3);
	opt_u8(&m, MH_OPT_ATT, 5);
	opt_ts(&m, 0x00006553F2010000ULL);
	o = mh_add_opt(&m, MH_OPT_GREKEY);
	o->v.gre.has_key = 0;
	o = mh_add_opt(&m, MH_OPT_IPV4HOA_REQ);
	o->v.v4.plen = 24;
	a4("10.0.0.5", o->v.v4.addr4);
	mh_add_opt(&m, MH_OPT_IPV4DSM); /* S = 0: relay */
	send_mh(MAG1, LMA, NULL, &m);
	/* 3-8: the other MN-ID subtypes (RFC 4283, RFC 8371) with the other ATT values */
	struct {
		uint8_t subtype, att;
		const uint8_t *id;
		size_t len;
	} ids[] = {
	    {3, 8, imsi, sizeof(imsi)},   {4, 6, ptmsi, sizeof(ptmsi)},
	    {5, 4, mac48, sizeof(mac48)}, {6, 13, eui64, sizeof(eui64)},
	    {7, 8, guti, sizeof(guti)},   {8, 9, duid, sizeof(duid)},
	};
	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		pbu_init(&m, (uint16_t)(22 + i), MH_BU_A | MH_BU_P, 3600 / 4);
		opt_mnid(&m, ids[i].subtype, ids[i].id, ids[i].len);
		opt_hnp(&m, "::", 0);
		opt_u8(&m, MH_OPT_HI, 1);
		opt_u8(&m, MH_OPT_ATT, ids[i].att);
		send_mh(MAG1, LMA, NULL, &m);
	}
	/* 9: RFC 6089 Flow Summary (44: FIDs 1, 2) and Flow Identification (45: FID 1,
	 * priority 10, status 0, BID Reference sub-option BID 1); the registry has no rows for
	 * them, so they are written raw, both at even offsets (alignment 2n) */
	{
		static const uint8_t fsum[] = {0x00, 0x01, 0x00, 0x02};
		static const uint8_t fid[] = {0x00, 0x01, 0x00, 0x0a, 0x00,
		                              0x00, 0x02, 0x02, 0x00, 0x01};
		pbu_init(&m, 28, MH_BU_A | MH_BU_P, 3600 / 4);
		opt_nai(&m, "mn2@example.com");
		opt_raw(&m, 44, fsum, sizeof(fsum));
		opt_raw(&m, 45, fid, sizeof(fid));
		opt_hnp(&m, HNP1, 64);
		opt_u8(&m, MH_OPT_HI, 5);
		opt_u8(&m, MH_OPT_ATT, 4);
		send_mh(MAG1, LMA, NULL, &m);
	}
	scenario_end();
}

static void scn_pba_ipv4_options(void)
{
	struct mh_msg m;
	struct mh_opt *o;
	scenario_begin("pba_ipv4_options");
	/* 1: PBU from a MAG behind a NAT with an IPv4 CoA (RFC 5555/5844) */
	pbu_init(&m, 30, MH_BU_A | MH_BU_P | MH_BU_F, 600 / 4);
	opt_nai(&m, "mn3@example.com");
	opt_hnp(&m, "::", 0);
	opt_u8(&m, MH_OPT_HI, 1);
	opt_u8(&m, MH_OPT_ATT, 4);
	o = mh_add_opt(&m, MH_OPT_IPV4COA);
	a4("192.0.2.10", o->v.v4.addr4);
	o = mh_add_opt(&m, MH_OPT_IPV4HOA_REQ);
	o->v.v4.plen = 0;
	send_mh(MAG1, LMA, NULL, &m);
	/* 2: PBA: IPv4 HoA Reply (10.0.0.5/24), Default-Router, NAT detected (F, 110 s) */
	pba_init(&m, 0, MH_BA_P, 30, 600 / 4);
	opt_nai(&m, "mn3@example.com");
	opt_hnp(&m, "2001:db8:bbbb:3::", 64);
	opt_u8(&m, MH_OPT_HI, 1);
	opt_u8(&m, MH_OPT_ATT, 4);
	o = mh_add_opt(&m, MH_OPT_IPV4HOA_REP);
	o->v.v4.status = 0;
	o->v.v4.plen = 24;
	a4("10.0.0.5", o->v.v4.addr4);
	o = mh_add_opt(&m, MH_OPT_IPV4DRA);
	a4("10.0.0.1", o->v.v4.addr4);
	o = mh_add_opt(&m, MH_OPT_NATD);
	o->v.v4.flags = 0x8000;
	o->v.v4.refresh = 110;
	o = mh_add_opt(&m, MH_OPT_IPV4COA);
	a4("192.0.2.10", o->v.v4.addr4);
	send_mh(LMA, MAG1, NULL, &m);
	/* 3: PBA rejecting the IPv4 HoA (status 171, reply status 129), no NAT */
	pba_init(&m, 171, MH_BA_P, 31, 0);
	opt_nai(&m, "mn3@example.com");
	opt_hnp(&m, "::", 0);
	opt_u8(&m, MH_OPT_HI, 1);
	opt_u8(&m, MH_OPT_ATT, 4);
	o = mh_add_opt(&m, MH_OPT_IPV4HOA_REP);
	o->v.v4.status = 129;
	o = mh_add_opt(&m, MH_OPT_NATD);
	o->v.v4.refresh = 0;
	send_mh(LMA, MAG1, NULL, &m);
	scenario_end();
}

static void scn_rfc5213_rejects(void)
{
	static const uint8_t statuses[] = {128, 129, 130, 152, 153, 154, 155, 156,
	                                   157, 158, 159, 160, 161, 162, 163, 174};
	struct mh_msg m;
	scenario_begin("rfc5213_rejects");
	for (unsigned i = 0; i < sizeof(statuses); i++) {
		uint8_t st = statuses[i];
		pba_init(&m, st, MH_BA_P, (uint16_t)(100 + i), 0);
		/* MN-ID copied, or zero-length identifier when the PBU had none (160) */
		if (st == MH_STATUS_MISSING_MNID)
			opt_mnid(&m, 1, "", 0);
		else
			opt_nai(&m, "mn1@example.com");
		/* the request's HNPs echoed, or one ALL_ZERO HNP when it had none (158) */
		if (st == MH_STATUS_MISSING_HNP)
			opt_hnp(&m, "::", 0);
		else
			opt_hnp(&m, HNP1, 64);
		/* HI and ATT copied, 0 when absent */
		opt_u8(&m, MH_OPT_HI, st == MH_STATUS_MISSING_HI ? 0 : 1);
		opt_u8(&m, MH_OPT_ATT, st == MH_STATUS_MISSING_ATT ? 0 : 4);
		/* timestamp failures carry the LMA's current time */
		if (st == MH_STATUS_TIMESTAMP_MISMATCH || st == MH_STATUS_TIMESTAMP_LOWER)
			opt_ts(&m, 0x00006553F1FF0000ULL);
		else
			opt_ts(&m, 0x00006553F1008000ULL);
		send_mh(LMA, MAG1, NULL, &m);
	}
	/* accepted statuses 1..3 (< 128) */
	for (uint8_t st = 1; st <= 3; st++) {
		pba_init(&m, st, MH_BA_P | (st == 3 ? 0 : MH_BA_T), (uint16_t)(200 + st), 100);
		opt_nai(&m, "mn1@example.com");
		opt_hnp(&m, HNP1, 64);
		opt_u8(&m, MH_OPT_HI, 1);
		opt_u8(&m, MH_OPT_ATT, 4);
		send_mh(LMA, MAG1, NULL, &m);
	}
	scenario_end();
}

#define CMD "2001:db8::c"
#define SMAAR "2001:db8:2::1"
#define PMAAR "2001:db8:1::1"
#define PMAAR2 "2001:db8:3::1"
#define PREF1 "2001:db8:aaaa:1::"
#define PREF2 "2001:db8:bbbb:1::"
#define PREF3 "2001:db8:cccc:1::"

/* seed 004 §3.2 relay-mode handover; rfc8885 adds the D flags */
static void dmm_flow(int rfc8885)
{
	struct mh_msg m;
	uint16_t dbu = rfc8885 ? MH_BU_D : 0;
	uint8_t dba = rfc8885 ? MH_BA_D : 0;
	/* 1: S-MAAR -> CMD: plain PBU with HNP Pref2 */
	pbu_init(&m, 40, MH_BU_A | MH_BU_P | dbu, 100);
	opt_nai(&m, "mn1@example.com");
	opt_hnp(&m, PREF2, 64);
	opt_u8(&m, MH_OPT_HI, 3);
	opt_u8(&m, MH_OPT_ATT, 4);
	opt_ts(&m, 0x00006553F3000000ULL);
	send_mh(SMAAR, CMD, NULL, &m);
	/* 2: CMD -> P-MAAR: PBU + Serving MAAR */
	pbu_init(&m, 41, MH_BU_A | MH_BU_P | dbu, 100);
	opt_nai(&m, "mn1@example.com");
	opt_hnp(&m, PREF1, 64);
	opt_u8(&m, MH_OPT_HI, 3);
	opt_u8(&m, MH_OPT_ATT, 4);
	opt_ts(&m, 0x00006553F3000100ULL);
	opt_smaar(&m, SMAAR);
	send_mh(CMD, PMAAR, NULL, &m);
	/* 3: P-MAAR -> CMD: PBA with HNP Pref1 + Serving MAAR (echoed) */
	pba_init(&m, 0, MH_BA_P | dba, 41, 100);
	opt_nai(&m, "mn1@example.com");
	opt_hnp(&m, PREF1, 64);
	opt_u8(&m, MH_OPT_HI, 3);
	opt_u8(&m, MH_OPT_ATT, 4);
	opt_ts(&m, 0x00006553F3000100ULL);
	opt_smaar(&m, SMAAR);
	send_mh(PMAAR, CMD, NULL, &m);
	/* 4: CMD -> S-MAAR: PBA + two Previous MAAR options (the first is the §12 vector) */
	pba_init(&m, 0, MH_BA_P | dba, 40, 100);
	opt_nai(&m, "mn1@example.com");
	opt_hnp(&m, PREF2, 64);
	opt_u8(&m, MH_OPT_HI, 3);
	opt_u8(&m, MH_OPT_ATT, 4);
	opt_ts(&m, 0x00006553F3000000ULL);
	opt_pmaar(&m, 64, PMAAR, PREF1);
	opt_pmaar(&m, 64, PMAAR2, PREF3);
	send_mh(CMD, SMAAR, NULL, &m);
}

static void scn_dmm_relay_mode(void)
{
	scenario_begin("dmm_relay_mode");
	dmm_flow(0);
	scenario_end();
	scenario_begin("dmm_rfc8885_dflag");
	dmm_flow(1);
	scenario_end();
	/* ODMM MAD-PMIPv6 interop profile: S-MAAR 28, P-MAAR 29 (decode with --profile mad-pmipv6)
	 */
	scenario_begin("dmm_mad_profile");
	if (dmm_numbers_profile("mad-pmipv6") != 0)
		die("mad-pmipv6 profile");
	dmm_flow(0);
	scenario_end();
}

/* ---- MIPv6 (RFC 6275) messages ---- */

#define MN_COA "2001:db8:77::10"
#define MN_HOA "2001:db8:aaaa:1::10"
#define HA6 "2001:db8::2"
#define CN6 "2001:db8:cc::20"

static void scn_mipv6_messages(void)
{
	struct mh_msg m;
	scenario_begin("mipv6_messages");
	/* 1: BRR (HA -> MN) */
	msg_init(&m, MH_BRR);
	send_mh(HA6, MN_HOA, NULL, &m);
	/* 2: HoTI (MN HoA -> CN) */
	msg_init(&m, MH_HOTI);
	m.u.ti.cookie = 0x1122334455667788ULL;
	send_mh(MN_HOA, CN6, NULL, &m);
	/* 3: CoTI (MN CoA -> CN) */
	msg_init(&m, MH_COTI);
	m.u.ti.cookie = 0x99aabbccddeeff00ULL;
	send_mh(MN_COA, CN6, NULL, &m);
	/* 4: HoT */
	msg_init(&m, MH_HOT);
	m.u.t.nindex = 5;
	m.u.t.cookie = 0x1122334455667788ULL;
	m.u.t.token = 0x111ee49850f4e508ULL;
	send_mh(CN6, MN_HOA, NULL, &m);
	/* 5: CoT */
	msg_init(&m, MH_COT);
	m.u.t.nindex = 6;
	m.u.t.cookie = 0x99aabbccddeeff00ULL;
	m.u.t.token = 0x9e68ce3122fc6696ULL;
	send_mh(CN6, MN_COA, NULL, &m);
	/* 6: home registration BU (A|H|L|K) from the CoA with the Home Address option */
	pbu_init(&m, 1000, MH_BU_A | MH_BU_H | MH_BU_L | MH_BU_K, 1000 / 4);
	send_mh(MN_COA, HA6, MN_HOA, &m);
	/* 7: BU with every other flag bit: M R F T B S D */
	pbu_init(&m, 1001, MH_BU_M | MH_BU_R | MH_BU_F | MH_BU_T | MH_BU_B | MH_BU_S | MH_BU_D, 0);
	send_mh(MN_COA, HA6, MN_HOA, &m);
	/* 8: BA (non-proxy) accepted, K|R */
	pba_init(&m, 0, MH_BA_K | MH_BA_R, 1000, 1000 / 4);
	send_mh(HA6, MN_COA, NULL, &m);
	/* 9: BA with the other flags T B S D and status 135 */
	pba_init(&m, 135, MH_BA_T | MH_BA_B | MH_BA_S | MH_BA_D, 1001, 0);
	send_mh(HA6, MN_COA, NULL, &m);
	/* 10: BE status 2 (unrecognized MH type) */
	msg_init(&m, MH_BE);
	m.u.be.status = 2;
	a6(MN_HOA, m.u.be.hoa);
	send_mh(HA6, MN_COA, NULL, &m);
	/* 11: BE status 1 (unknown binding for the HAO) */
	msg_init(&m, MH_BE);
	m.u.be.status = 1;
	a6(MN_HOA, m.u.be.hoa);
	send_mh(CN6, MN_COA, NULL, &m);
	scenario_end();
}

/* RFC 4285 Mobility Message Authentication option (MN-HA, subtype 1, SPI 0x100, key
 * MNHA_KEY; dmm-decode --mh-auth-key 0x100:1234567812345678). mh_encode signs it with the
 * key registered in dmm_keys; per lib/mh.h [D] the "care-of address" is the MAG's Proxy-CoA
 * and the "home address" the LMAA in both directions. */
static void scn_mh_auth(void)
{
	struct mh_msg m;
	struct mh_opt *o;
	scenario_begin("mh_auth");
	pbu_init(&m, 2000, MH_BU_A | MH_BU_P, 600 / 4);
	opt_nai(&m, "mn1@example.com");
	opt_hnp(&m, "::", 0);
	opt_u8(&m, MH_OPT_HI, 1);
	opt_u8(&m, MH_OPT_ATT, 4);
	o = mh_add_opt(&m, MH_OPT_AUTH);
	o->v.auth.subtype = 1;
	o->v.auth.spi = MNHA_SPI;
	o->v.auth.auth = NULL; /* NULL: mh_encode computes the authenticator */
	send_mh(MAG1, LMA, NULL, &m);
	pba_init(&m, 0, MH_BA_P, 2000, 600 / 4);
	opt_nai(&m, "mn1@example.com");
	opt_hnp(&m, HNP1, 64);
	opt_u8(&m, MH_OPT_HI, 1);
	opt_u8(&m, MH_OPT_ATT, 4);
	o = mh_add_opt(&m, MH_OPT_AUTH);
	o->v.auth.subtype = 1;
	o->v.auth.spi = MNHA_SPI;
	o->v.auth.auth = NULL; /* NULL: mh_encode computes the authenticator */
	send_mh(LMA, MAG1, NULL, &m);
	scenario_end();
}

/* RFC 5844 §4: MH over IPv4/UDP 5436, MH checksum 0 */
static void send_udp4(const char *src, const char *dst, uint16_t sport, uint16_t dport,
                      const uint8_t *payload, size_t len);
static size_t icmp_echo(uint8_t *p, uint8_t type, uint16_t id, uint16_t seq);
static void ip4_hdr(struct pkt_ipv4_hdr *h, const char *src, const char *dst, uint8_t proto);

static void scn_pmipv6_udp5436(void)
{
	struct mh_msg m;
	struct mh_opt *o;
	uint8_t mh[512];
	struct dmm_wbuf w;
	scenario_begin("pmipv6_udp5436");
	/* 1: IPv4 MAG -> LMA PBU (F flag, IPv4 CoA, IPv4 HoA Request), source port 49152 */
	pbu_init(&m, 50, MH_BU_A | MH_BU_P | MH_BU_F, 300 / 4);
	m.enc.no_csum = 1;
	opt_nai(&m, "mn4@example.com");
	opt_hnp(&m, "::", 0);
	opt_u8(&m, MH_OPT_HI, 1);
	opt_u8(&m, MH_OPT_ATT, 4);
	opt_ts(&m, 0x00006553F4000000ULL);
	o = mh_add_opt(&m, MH_OPT_IPV4COA);
	a4("198.51.100.10", o->v.v4.addr4);
	o = mh_add_opt(&m, MH_OPT_IPV4HOA_REQ);
	o->v.v4.plen = 0;
	o = mh_add_opt(&m, MH_OPT_GREKEY);
	o->v.gre.has_key = 1;
	o->v.gre.key = 0x0000abcd;
	wb_init(&w, mh, sizeof(mh));
	check(mh_encode(&m, NULL, NULL, &w), "mh udp");
	send_udp4("198.51.100.10", "198.51.100.20", 49152, PKT_PORT_PMIP6_CONTROL, mh, w.len);
	/* 2: PBA from 5436 back to the PBU's source port */
	pba_init(&m, 0, MH_BA_P, 50, 300 / 4);
	m.enc.no_csum = 1;
	opt_nai(&m, "mn4@example.com");
	opt_hnp(&m, "2001:db8:dddd:1::", 64);
	opt_u8(&m, MH_OPT_HI, 1);
	opt_u8(&m, MH_OPT_ATT, 4);
	opt_ts(&m, 0x00006553F4000000ULL);
	o = mh_add_opt(&m, MH_OPT_IPV4HOA_REP);
	o->v.v4.plen = 24;
	a4("10.0.4.5", o->v.v4.addr4);
	o = mh_add_opt(&m, MH_OPT_IPV4DRA);
	a4("10.0.4.1", o->v.v4.addr4);
	o = mh_add_opt(&m, MH_OPT_GREKEY);
	o->v.gre.has_key = 1;
	o->v.gre.key = 0x0000dcba;
	wb_init(&w, mh, sizeof(mh));
	check(mh_encode(&m, NULL, NULL, &w), "mh udp");
	send_udp4("198.51.100.20", "198.51.100.10", PKT_PORT_PMIP6_CONTROL, 49152, mh, w.len);
	/* 3: RFC 5844 §4 data plane: IPv4/UDP 5437 directly followed by the MN's IPv4 packet */
	{
		uint8_t icmp[64], inner[256];
		struct pkt_ipv4_hdr ih;
		struct dmm_wbuf iw;
		size_t n = icmp_echo(icmp, 8, 0x5437, 1);
		ip4_hdr(&ih, "10.0.4.5", "192.0.2.99", 1);
		ih.id = 0x5437;
		wb_init(&iw, inner, sizeof(inner));
		check(pkt_ipv4(&iw, &ih, icmp, n), "inner ipv4");
		send_udp4("198.51.100.10", "198.51.100.20", 49153, PKT_PORT_PMIP6_DATA, inner,
		          iw.len);
	}
	scenario_end();
}

/* ---- IPv4 / MIPv4 frames ---- */

static void ip4_hdr(struct pkt_ipv4_hdr *h, const char *src, const char *dst, uint8_t proto)
{
	memset(h, 0, sizeof(*h));
	a4(src, h->src);
	a4(dst, h->dst);
	h->protocol = proto;
	h->id = (uint16_t)(pkt_no + 1);
}

static void send_udp4(const char *src, const char *dst, uint16_t sport, uint16_t dport,
                      const uint8_t *payload, size_t len)
{
	struct pkt_ipv4_hdr h;
	ip4_hdr(&h, src, dst, PKT_PROTO_UDP);
	frame_begin(h.src[3], h.dst[3], PKT_ETHERTYPE_IPV4);
	check(pkt_udp4(&W, &h, sport, dport, 0, payload, len), "udp4");
	dump_frame();
}

static void send_mip4(const char *src, const char *dst, uint16_t sport, uint16_t dport,
                      struct mip4_msg *m)
{
	uint8_t buf[2048];
	struct dmm_wbuf w;
	wb_init(&w, buf, sizeof(buf));
	check(mip4_encode(m, &w), "mip4_encode");
	send_udp4(src, dst, sport, dport, buf, w.len);
}

#define MR_HOA "192.0.2.1"
#define HA4 "198.51.100.1"
#define MR_COA "203.0.113.7"
#define CR_HOA "198.51.100.129"
#define CR_COA "203.0.113.9"
#define CR_COA2 "192.0.2.222"
#define MNP "10.1.1.0"
#define RQ_IDENT 0xe1d2c3b400000001ULL

static void mreq_init(struct mip4_msg *m, uint8_t flags, uint16_t lifetime, const char *hoa,
                      const char *ha, const char *coa, uint64_t ident)
{
	memset(m, 0, sizeof(*m));
	m->type = MIP4_REG_REQUEST;
	m->u.req.flags = flags;
	m->u.req.lifetime = lifetime;
	a4(hoa, m->u.req.hoa);
	a4(ha, m->u.req.ha);
	a4(coa, m->u.req.coa);
	m->u.req.ident = ident;
}

static void mrep_init(struct mip4_msg *m, uint8_t code, uint16_t lifetime, const char *hoa,
                      const char *ha, uint64_t ident)
{
	memset(m, 0, sizeof(*m));
	m->type = MIP4_REG_REPLY;
	m->u.rep.code = code;
	m->u.rep.lifetime = lifetime;
	a4(hoa, m->u.rep.hoa);
	a4(ha, m->u.rep.ha);
	m->u.rep.ident = ident;
}

static void ext_mnha(struct mip4_msg *m)
{
	struct mip4_ext *e = mip4_add_ext(m, MIP4_EXT_MNHA_AUTH, 0);
	e->flags = MIP4_EXT_F_SIGN;
	e->v.auth.spi = MNHA_SPI;
	e->v.auth.key = MNHA_KEY;
	e->v.auth.keylen = MNHA_KEY_LEN;
}

static void ext_mnr(struct mip4_msg *m, const char *prefix, uint8_t plen)
{
	struct mip4_ext *e = mip4_add_ext(m, MIP4_EXT_MOBNET, MIP4_MNE_REQUEST);
	e->v.mne.plen = plen;
	a4(prefix, e->v.mne.prefix);
}

static void ext_mna(struct mip4_msg *m, uint8_t subtype, uint8_t code, const char *prefix,
                    uint8_t plen)
{
	struct mip4_ext *e = mip4_add_ext(m, MIP4_EXT_MOBNET, subtype);
	e->v.mne.code = code;
	e->v.mne.plen = plen;
	a4(prefix, e->v.mne.prefix);
}

static void ext_rocap(struct mip4_msg *m, uint8_t flags, const char *hoa)
{
	struct mip4_ext *e = mip4_add_ext(m, dmm_numbers.haaro_t1, HAARO_MRROCAP_SUBTYPE);
	e->v.rocap.flags = flags;
	if (hoa) {
		e->v.rocap.has_hoa = 1;
		a4(hoa, e->v.rocap.hoa);
	}
}

static void ext_utrq(struct mip4_msg *m, uint8_t flags, uint8_t encap)
{
	struct mip4_ext *e = mip4_add_ext(m, MIP4_EXT_UDP_TUN_REQUEST, 0);
	e->v.utrq.flags = flags;
	e->v.utrq.encap = encap;
}

static void ext_utrp(struct mip4_msg *m, uint8_t code, uint16_t flags, uint16_t keepalive)
{
	struct mip4_ext *e = mip4_add_ext(m, MIP4_EXT_UDP_TUN_REPLY, 0);
	e->v.utrp.code = code;
	e->v.utrp.flags = flags;
	e->v.utrp.keepalive = keepalive;
}

static void ext_ror(struct mip4_msg *m, uint8_t flags, uint8_t code)
{
	struct mip4_ext *e = mip4_add_ext(m, dmm_numbers.haaro_t2, HAARO_ROR_SUBTYPE);
	e->v.ror.flags = flags;
	e->v.ror.code = code;
}

static uint8_t KRM[HAARO_KRM_LEN];

static void ext_mcauth(struct mip4_msg *m, uint16_t hni, uint16_t cni)
{
	struct mip4_ext *e = mip4_add_ext(m, dmm_numbers.haaro_t2, HAARO_MCAUTH_SUBTYPE);
	e->flags = MIP4_EXT_F_SIGN;
	e->v.mcauth.hni = hni;
	e->v.mcauth.cni = cni;
	e->v.mcauth.krm = KRM;
}

static uint8_t coa_list[2][4];

static void ext_coa(struct mip4_msg *m)
{
	struct mip4_ext *e = mip4_add_ext(m, dmm_numbers.haaro_t2, HAARO_COA_SUBTYPE);
	a4(CR_COA, coa_list[0]);
	a4(CR_COA2, coa_list[1]);
	e->v.coa.addrs = &coa_list[0][0];
	e->v.coa.count = 2;
}

/* The §12 Prefix Advertisement: HoA 192.0.2.1; /28 foo.example.com; /26 bar.foo.example.com; /25 ""
 */
static struct haaro_pfx_info pfx_infos[4];

static void ext_pfx(struct mip4_msg *m)
{
	memset(pfx_infos, 0, sizeof(pfx_infos));
	pfx_infos[0].m = 1;
	a4(MR_HOA, pfx_infos[0].hoa);
	pfx_infos[1].plen_info = 28;
	a4("192.0.2.0", pfx_infos[1].prefix);
	pfx_infos[1].realm = "foo.example.com";
	pfx_infos[1].realm_len = 15;
	pfx_infos[2].plen_info = 26;
	a4("192.0.2.64", pfx_infos[2].prefix);
	pfx_infos[2].realm = "bar.foo.example.com";
	pfx_infos[2].realm_len = 19;
	pfx_infos[3].plen_info = 25;
	a4("192.0.2.128", pfx_infos[3].prefix);
	pfx_infos[3].realm = "";
	pfx_infos[3].realm_len = 0;
	struct mip4_ext *e = mip4_add_ext(m, dmm_numbers.haaro_t3, HAARO_PFX_SUBTYPE);
	e->v.pfx.infos = pfx_infos;
	e->v.pfx.n = 4;
}

/* The §12 MR -> HA request. */
static void vector_mr_ha_request(struct mip4_msg *m)
{
	mreq_init(m, MIP4_F_D | MIP4_F_T, 600, MR_HOA, HA4, MR_COA, RQ_IDENT);
	ext_mnr(m, MNP, 24);
	ext_rocap(m, HAARO_ROCAP_A | HAARO_ROCAP_R, NULL);
	ext_utrq(m, MIP4_UTRQ_F, 4);
	ext_mnha(m);
}

static void scn_mip4_mr_ha(void)
{
	struct mip4_msg m;
	scenario_begin("mip4_mr_ha");
	/* 1: the §12 request */
	vector_mr_ha_request(&m);
	send_mip4(MR_COA, HA4, 434, 434, &m);
	/* 2: reply: accepted, ROR (will do RO), Prefix Advertisement (§12 vector),
	 * UDP Tunnel Reply, explicit Mobile Network Ack, MN-HA */
	mrep_init(&m, 0, 600, MR_HOA, HA4, RQ_IDENT);
	ext_utrp(&m, 0, 0, 110);
	ext_mna(&m, MIP4_MNE_ACK_EXPLICIT, 0, MNP, 24);
	ext_ror(&m, 0, 0);
	ext_pfx(&m);
	ext_mnha(&m);
	send_mip4(HA4, MR_COA, 434, 434, &m);
	/* 3: re-registration soliciting another MR's prefixes (S, O), UDP tunnel via FA (R) */
	mreq_init(&m, MIP4_F_D | MIP4_F_T, 600, MR_HOA, HA4, MR_COA, 0xe1d2c3b500000002ULL);
	ext_mnr(&m, MNP, 24);
	ext_rocap(&m, HAARO_ROCAP_A | HAARO_ROCAP_S | HAARO_ROCAP_O, CR_HOA);
	ext_utrq(&m, MIP4_UTRQ_R, 0);
	ext_mnha(&m);
	send_mip4(MR_COA, HA4, 434, 434, &m);
	/* 4: reply: implicit Ack, ROR O|N|S code 16 (declined), UDP tunnel forced (F) */
	mrep_init(&m, 0, 600, MR_HOA, HA4, 0xe1d2c3b500000002ULL);
	ext_utrp(&m, 0, MIP4_UTRP_F, 0);
	ext_mna(&m, MIP4_MNE_ACK_IMPLICIT, 0, MNP, 24);
	ext_ror(&m, HAARO_ROR_O | HAARO_ROR_N | HAARO_ROR_S, 16);
	ext_mnha(&m);
	send_mip4(HA4, MR_COA, 434, 434, &m);
	/* 5: reply 147 HA_MOBNET_ERROR with the reason in the Ack (1 invalid prefix length) */
	mrep_init(&m, 147, 0, MR_HOA, HA4, 0xe1d2c3b600000003ULL);
	ext_mna(&m, MIP4_MNE_ACK_EXPLICIT, 1, MNP, 24);
	ext_mnha(&m);
	send_mip4(HA4, MR_COA, 434, 434, &m);
	/* 6: reply 148 HA_MOBNET_DISALLOWED */
	mrep_init(&m, 148, 0, MR_HOA, HA4, 0xe1d2c3b700000004ULL);
	ext_mnha(&m);
	send_mip4(HA4, MR_COA, 434, 434, &m);
	/* 7: reply 142 ERROR_HA_UDP_ENCAP_UNAVAIL with UDP Tunnel Reply code 64 (declined) */
	mrep_init(&m, 142, 0, MR_HOA, HA4, 0xe1d2c3b800000005ULL);
	ext_utrp(&m, 64, 0, 0);
	ext_mnha(&m);
	send_mip4(HA4, MR_COA, 434, 434, &m);
	/* 8: de-registration request (lifetime 0), MRROCAP with the A flag only */
	mreq_init(&m, MIP4_F_T, 0, MR_HOA, HA4, MR_COA, 0xe1d2c3b900000006ULL);
	ext_rocap(&m, HAARO_ROCAP_A, NULL);
	ext_mnha(&m);
	send_mip4(MR_COA, HA4, 434, 434, &m);
	scenario_end();
}

static void scn_haaro_rr(void)
{
	struct mip4_msg m;
	uint8_t hoa[4], coa[4];
	uint64_t htok = 0, ctok = 0;
	a4(MR_HOA, hoa);
	a4(MR_COA, coa);
	check(haaro_keygen_token(KCR, hoa, RR_NONCE, 0, &htok), "home token");
	check(haaro_keygen_token(KCR, coa, RR_NONCE, 1, &ctok), "care-of token");
	scenario_begin("haaro_rr");
	/* 1: HoTI MR HoA -> CR HoA, random source port -> 434 */
	memset(&m, 0, sizeof(m));
	m.type = dmm_numbers.haaro_hoti;
	m.u.ti.cookie = 0x1122334455667788ULL;
	send_mip4(MR_HOA, CR_HOA, 50000, 434, &m);
	/* 2: CoTI MR CoA -> CR HoA */
	memset(&m, 0, sizeof(m));
	m.type = dmm_numbers.haaro_coti;
	m.u.ti.cookie = 0x99aabbccddeeff00ULL;
	send_mip4(MR_COA, CR_HOA, 50001, 434, &m);
	/* 3: HoT (index 5): reverse of HoTI */
	memset(&m, 0, sizeof(m));
	m.type = dmm_numbers.haaro_hot;
	m.u.t.nonce_index = 5;
	m.u.t.cookie = 0x1122334455667788ULL;
	m.u.t.token = htok;
	send_mip4(CR_HOA, MR_HOA, 434, 50000, &m);
	/* 4: CoT (index 6): reverse of CoTI */
	memset(&m, 0, sizeof(m));
	m.type = dmm_numbers.haaro_cot;
	m.u.t.nonce_index = 6;
	m.u.t.cookie = 0x99aabbccddeeff00ULL;
	m.u.t.token = ctok;
	send_mip4(CR_HOA, MR_COA, 434, 50001, &m);
	scenario_end();
}

/* MR -> CR registration and the CR's replies (codes 0, 2, 201, 202, 203) */
static void haaro_mr_cr(const char *name)
{
	struct mip4_msg m;
	static const struct {
		uint8_t code;
		uint8_t mna_code;
	} replies[] = {{0, 0}, {2, 0}, {201, 0}, {202, 0}, {203, 0}, {0, 2}};
	scenario_begin(name);
	if (strcmp(name, "haaro_mcauth6") == 0 && dmm_numbers_set("mcauth-hdr", 6) != 0)
		die("mcauth-hdr");
	/* 1: the §12 MR -> CR request: fixed part as for the HA, MNR, MC-Auth (HNI 5, CNI 6) */
	mreq_init(&m, MIP4_F_D | MIP4_F_T, 600, MR_HOA, HA4, MR_COA, RQ_IDENT);
	ext_mnr(&m, MNP, 24);
	ext_mcauth(&m, 5, 6);
	send_mip4(MR_COA, CR_HOA, 434, 434, &m);
	for (unsigned i = 0; i < sizeof(replies) / sizeof(replies[0]); i++) {
		uint8_t code = replies[i].code;
		mrep_init(&m, code, code < 128 ? 600 : 0, MR_HOA, HA4, RQ_IDENT);
		if (code < 128) {
			ext_mna(&m, MIP4_MNE_ACK_EXPLICIT, replies[i].mna_code, MNP, 24);
			ext_coa(&m);
		}
		ext_mcauth(&m, 5, 6);
		send_mip4(CR_HOA, MR_COA, 434, 434, &m);
	}
	/* 8: request with UDP Tunnel Request and an explicit second MNR, HNI/CNI 0 (pre-shared KRm)
	 */
	mreq_init(&m, MIP4_F_D | MIP4_F_T, 600, MR_HOA, HA4, MR_COA, 0xe1d2c3b400000002ULL);
	ext_mnr(&m, MNP, 24);
	ext_mnr(&m, "10.1.2.0", 23);
	ext_utrq(&m, 0, 0);
	ext_mcauth(&m, 0, 0);
	send_mip4(MR_COA, CR_HOA, 434, 434, &m);
	scenario_end();
}

static void scn_haaro_mr_cr(void)
{
	haaro_mr_cr("haaro_mr_cr");
	/* the literal 6-octet MC-Auth variant (decode with --tba mcauth-hdr=6) */
	haaro_mr_cr("haaro_mcauth6");
}

static void scn_mip4_revocation(void)
{
	struct mip4_msg m;
	struct mip4_ext *e;
	scenario_begin("mip4_revocation");
	/* 1: registration request advertising revocation support (I) */
	mreq_init(&m, MIP4_F_T, 1800, MR_HOA, HA4, MR_COA, 0xe1d2c3c000000001ULL);
	e = mip4_add_ext(&m, MIP4_EXT_REV_SUPPORT, 0);
	e->v.revsup.flags = MIP4_REVSUP_I;
	e->v.revsup.timestamp = 0x65530000;
	ext_mnha(&m);
	send_mip4(MR_COA, HA4, 434, 434, &m);
	/* 2: reply echoing support */
	mrep_init(&m, 0, 1800, MR_HOA, HA4, 0xe1d2c3c000000001ULL);
	e = mip4_add_ext(&m, MIP4_EXT_REV_SUPPORT, 0);
	e->v.revsup.flags = MIP4_REVSUP_I;
	e->v.revsup.timestamp = 0x65530001;
	ext_mnha(&m);
	send_mip4(HA4, MR_COA, 434, 434, &m);
	/* 3: Registration Revocation (type 7) HA -> FA, A|I */
	memset(&m, 0, sizeof(m));
	m.type = MIP4_REVOCATION;
	m.u.rev.flags = MIP4_REV_A | MIP4_REV_I;
	a4(MR_HOA, m.u.rev.hoa);
	a4(HA4, m.u.rev.hda);
	a4(MR_COA, m.u.rev.fda);
	m.u.rev.rev_id = 0x65530002;
	send_mip4(HA4, MR_COA, 434, 434, &m);
	/* 4: Revocation Ack (type 15), I */
	memset(&m, 0, sizeof(m));
	m.type = MIP4_REVOCATION_ACK;
	m.u.rack.flags = MIP4_ACK_I;
	a4(MR_HOA, m.u.rack.hoa);
	m.u.rack.rev_id = 0x65530002;
	send_mip4(MR_COA, HA4, 434, 434, &m);
	/* 5: RFC 4064 experimental message type 255 (opaque body) */
	{
		static const uint8_t exp_body[] = {0x00, 0x00, 0x00, 0x2a, 0xde, 0xad, 0xbe, 0xef};
		memset(&m, 0, sizeof(m));
		m.type = 255;
		m.body = exp_body;
		m.body_len = sizeof(exp_body);
		send_mip4(MR_COA, HA4, 434, 434, &m);
	}
	scenario_end();
}

/* ICMP echo (RFC 792) written by hand: the project has no ICMP encoder. */
static size_t icmp_echo(uint8_t *p, uint8_t type, uint16_t id, uint16_t seq)
{
	static const char data[] = "dmm-bench keepalive";
	size_t n = 8 + sizeof(data) - 1;
	p[0] = type;
	p[1] = 0;
	p[2] = p[3] = 0;
	p[4] = (uint8_t)(id >> 8);
	p[5] = (uint8_t)id;
	p[6] = (uint8_t)(seq >> 8);
	p[7] = (uint8_t)seq;
	memcpy(p + 8, data, sizeof(data) - 1);
	uint16_t sum = inet_fold(inet_sum(p, n, 0));
	p[2] = (uint8_t)(sum >> 8);
	p[3] = (uint8_t)sum;
	return n;
}

/* RFC 3519 keepalive: IP(CoA->HA)/UDP/TunnelData(NH 4)/IP(HoA->HA)/ICMP echo */
static void send_tunnel_data(const char *osrc, const char *odst, uint16_t sport, uint16_t dport,
                             const char *isrc, const char *idst, uint8_t icmp_type, uint16_t seq)
{
	uint8_t icmp[64], inner[256];
	struct dmm_wbuf iw;
	struct pkt_ipv4_hdr ih;
	struct mip4_msg m;
	size_t n = icmp_echo(icmp, icmp_type, 0x3519, seq);
	ip4_hdr(&ih, isrc, idst, 1);
	ih.id = (uint16_t)(0x100 + seq);
	wb_init(&iw, inner, sizeof(inner));
	check(pkt_ipv4(&iw, &ih, icmp, n), "inner ipv4");
	memset(&m, 0, sizeof(m));
	m.type = MIP4_TUNNEL_DATA;
	m.u.tun.next_header = PKT_PROTO_IPIP;
	m.body = inner;
	m.body_len = iw.len;
	send_mip4(osrc, odst, sport, dport, &m);
}

static void scn_mip4_tunnel_data(void)
{
	scenario_begin("mip4_tunnel_data");
	send_tunnel_data(MR_COA, HA4, 434, 434, MR_HOA, HA4, 8, 1);
	send_tunnel_data(HA4, MR_COA, 434, 434, HA4, MR_HOA, 0, 1);
	/* MR <-> CR keepalives run CoA <-> CoA; the CR accepts another source port */
	send_tunnel_data(MR_COA, CR_COA, 40000, 434, MR_HOA, CR_HOA, 8, 2);
	send_tunnel_data(CR_COA, MR_COA, 434, 40000, CR_HOA, MR_HOA, 0, 2);
	scenario_end();
}

/* ---- tunnels ---- */

static void scn_tunnels(void)
{
	struct mh_msg m;
	struct mip4_msg r;
	struct pkt_ipv6_hdr o6, i6;
	struct pkt_ipv4_hdr o4, i4;
	struct pkt_gre_hdr g;
	struct pkt_mark m1, m2, m3;
	uint8_t rrq[512], udp[600];
	struct dmm_wbuf w;
	scenario_begin("tunnels");

	/* 1: RFC 2473 IPv6-in-IPv6 (MAG -> LMA tunnel) carrying the §12 PBU */
	memset(&o6, 0, sizeof(o6));
	a6("2001:db8:ffff::1", o6.src);
	a6("2001:db8:ffff::2", o6.dst);
	o6.next_header = PKT_PROTO_IPV6;
	memset(&i6, 0, sizeof(i6));
	a6(MAG1, i6.src);
	a6(LMA, i6.dst);
	i6.next_header = PKT_PROTO_MH;
	frame_begin(o6.src[15], o6.dst[15], PKT_ETHERTYPE_IPV6);
	check(pkt_ipv6_begin(&W, &o6, &m1), "outer6");
	check(pkt_ipv6_begin(&W, &i6, &m2), "inner6");
	vector_pbu(&m);
	check(mh_encode(&m, i6.src, i6.dst, &W), "mh");
	check(pkt_ipv6_end(&W, &m2), "inner6 end");
	check(pkt_ipv6_end(&W, &m1), "outer6 end");
	dump_frame();

	/* 2: GRE with key (RFC 2890) over IPv4 (RFC 5845) carrying a PBA */
	ip4_hdr(&o4, "198.51.100.20", "198.51.100.10", PKT_PROTO_GRE);
	memset(&g, 0, sizeof(g));
	g.protocol = PKT_ETHERTYPE_IPV6;
	g.has_key = 1;
	g.key = 0x1234;
	memset(&i6, 0, sizeof(i6));
	a6(LMA, i6.src);
	a6(MAG1, i6.dst);
	i6.next_header = PKT_PROTO_MH;
	pba_init(&m, 0, MH_BA_P, 7, 100);
	opt_nai(&m, "mn1@example.com");
	opt_hnp(&m, HNP1, 64);
	opt_u8(&m, MH_OPT_HI, 1);
	opt_u8(&m, MH_OPT_ATT, 4);
	frame_begin(o4.src[3], o4.dst[3], PKT_ETHERTYPE_IPV4);
	check(pkt_ipv4_begin(&W, &o4, &m1), "outer4");
	check(pkt_gre_begin(&W, &g, &m2), "gre");
	check(pkt_ipv6_begin(&W, &i6, &m3), "inner6");
	check(mh_encode(&m, i6.src, i6.dst, &W), "mh");
	check(pkt_ipv6_end(&W, &m3), "inner6 end");
	check(pkt_gre_end(&W, &m2), "gre end");
	check(pkt_ipv4_end(&W, &m1), "outer4 end");
	dump_frame();

	/* 3: RFC 2003 IPv4-in-IPv4 (FA -> HA) carrying the §12 request */
	vector_mr_ha_request(&r);
	wb_init(&w, rrq, sizeof(rrq));
	check(mip4_encode(&r, &w), "rrq");
	size_t rrq_len = w.len;
	ip4_hdr(&o4, "203.0.113.1", HA4, PKT_PROTO_IPIP);
	ip4_hdr(&i4, MR_COA, HA4, PKT_PROTO_UDP);
	i4.id = 0x2003;
	frame_begin(o4.src[3], o4.dst[3], PKT_ETHERTYPE_IPV4);
	check(pkt_ipv4_begin(&W, &o4, &m1), "outer4");
	check(pkt_ipv4_begin(&W, &i4, &m2), "inner4");
	check(pkt_udp_begin(&W, &m2, 434, 434, 0, &m3), "udp");
	wb_bytes(&W, rrq, rrq_len);
	check(pkt_udp_end(&W, &m3), "udp end");
	check(pkt_ipv4_end(&W, &m2), "inner4 end");
	check(pkt_ipv4_end(&W, &m1), "outer4 end");
	dump_frame();

	/* 4: RFC 2004 minimal encapsulation carrying the same request: the original
	 * IP header is replaced by the forwarding header (S set: original source kept) */
	ip4_hdr(&i4, MR_COA, HA4, PKT_PROTO_UDP);
	wb_init(&w, udp, sizeof(udp));
	check(pkt_udp4(&w, &i4, 434, 434, 0, rrq, rrq_len), "orig udp");
	ip4_hdr(&o4, "203.0.113.1", HA4, PKT_PROTO_MINENC);
	frame_begin(o4.src[3], o4.dst[3], PKT_ETHERTYPE_IPV4);
	check(pkt_ipv4_begin(&W, &o4, &m1), "outer4");
	check(pkt_minenc(&W, PKT_PROTO_UDP, i4.dst, i4.src), "minenc");
	wb_bytes(&W, udp + 20, w.len - 20);
	check(pkt_ipv4_end(&W, &m1), "outer4 end");
	dump_frame();

	/* 5: minimal encapsulation without the original source (S clear: encapsulator = source) */
	ip4_hdr(&i4, "203.0.113.1", HA4, PKT_PROTO_UDP);
	wb_init(&w, udp, sizeof(udp));
	check(pkt_udp4(&w, &i4, 434, 434, 0, rrq, rrq_len), "orig udp");
	ip4_hdr(&o4, "203.0.113.1", HA4, PKT_PROTO_MINENC);
	frame_begin(o4.src[3], o4.dst[3], PKT_ETHERTYPE_IPV4);
	check(pkt_ipv4_begin(&W, &o4, &m1), "outer4");
	check(pkt_minenc(&W, PKT_PROTO_UDP, i4.dst, NULL), "minenc");
	wb_bytes(&W, udp + 20, w.len - 20);
	check(pkt_ipv4_end(&W, &m1), "outer4 end");
	dump_frame();

	/* 6: RFC 2473 IPv4-in-IPv6 (PMIPv6 IPv4 HoA support) carrying an ICMP echo */
	{
		uint8_t icmp[64];
		size_t n = icmp_echo(icmp, 8, 0x2473, 1);
		memset(&o6, 0, sizeof(o6));
		a6(LMA, o6.src);
		a6(MAG1, o6.dst);
		o6.next_header = PKT_PROTO_IPIP;
		ip4_hdr(&i4, "10.0.0.1", "10.0.0.5", 1);
		i4.id = 0x2473;
		frame_begin(o6.src[15], o6.dst[15], PKT_ETHERTYPE_IPV6);
		check(pkt_ipv6_begin(&W, &o6, &m1), "outer6");
		check(pkt_ipv4(&W, &i4, icmp, n), "inner4");
		check(pkt_ipv6_end(&W, &m1), "outer6 end");
		dump_frame();
	}
	scenario_end();
}

/* ---- malformed ---- */

static void scn_malformed(void)
{
	static const uint8_t unknown_opt[] = {0xca, 0xfe, 0xba, 0xbe};
	static const uint8_t bad_auth[16] = {0xba, 0xad, 0xba, 0xad, 0xba, 0xad, 0xba, 0xad,
	                                     0xba, 0xad, 0xba, 0xad, 0xba, 0xad, 0xba, 0xad};
	static const uint8_t unknown_ext[] = {0x01, 0x02, 0x03, 0x04};
	/* M=1 HoA 192.0.2.1, then a /24 prefix 10.1.1 whose realm is index 5 (empty slot) */
	static const uint8_t bad_pfx[] = {0x40, 192, 0, 2, 1, 0x18, 10, 1, 1, 0x85, 0x00};
	static const uint8_t unknown_body[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	struct mh_msg m;
	struct mip4_msg r;
	struct mip4_ext *e;
	uint8_t buf[512];
	struct dmm_wbuf w;
	scenario_begin("malformed");

	/* 1: bad MH checksum */
	vector_pbu(&m);
	m.enc.bad_csum = 1;
	send_mh(MAG1, LMA, NULL, &m);

	/* 2: truncated MH: the §12 PBU cut after 40 of its 104 octets */
	{
		struct pkt_ipv6_hdr h;
		memset(&h, 0, sizeof(h));
		a6(MAG1, h.src);
		a6(LMA, h.dst);
		h.next_header = PKT_PROTO_MH;
		vector_pbu(&m);
		wb_init(&w, buf, sizeof(buf));
		check(mh_encode(&m, h.src, h.dst, &w), "mh");
		frame_begin(h.src[15], h.dst[15], PKT_ETHERTYPE_IPV6);
		check(pkt_ipv6(&W, &h, buf, 40), "ipv6");
		dump_frame();
	}

	/* 3: unknown MH type 42 */
	msg_init(&m, 42);
	m.body = unknown_body;
	m.body_len = sizeof(unknown_body);
	send_mh(MAG1, LMA, NULL, &m);

	/* 4: unknown mobility option 200 (skipped) inside a PBU */
	pbu_init(&m, 60, MH_BU_A | MH_BU_P, 100);
	opt_nai(&m, "mn1@example.com");
	opt_raw(&m, 200, unknown_opt, sizeof(unknown_opt));
	opt_hnp(&m, "::", 0);
	opt_u8(&m, MH_OPT_HI, 1);
	opt_u8(&m, MH_OPT_ATT, 4);
	send_mh(MAG1, LMA, NULL, &m);

	/* 5: bad MN-HA authenticator (verifiable with --mnha-key 0x100:...) */
	mreq_init(&r, MIP4_F_D | MIP4_F_T, 600, MR_HOA, HA4, MR_COA, RQ_IDENT);
	ext_mnr(&r, MNP, 24);
	e = mip4_add_ext(&r, MIP4_EXT_MNHA_AUTH, 0);
	e->v.auth.spi = MNHA_SPI;
	e->v.auth.auth = bad_auth;
	e->v.auth.authlen = sizeof(bad_auth);
	send_mip4(MR_COA, HA4, 434, 434, &r);

	/* 6: unknown non-skippable extension 100 (the whole message must be discarded) */
	mreq_init(&r, MIP4_F_D | MIP4_F_T, 600, MR_HOA, HA4, MR_COA, RQ_IDENT);
	e = mip4_add_ext(&r, 100, 0);
	e->flags = MIP4_EXT_F_RAW;
	e->body = unknown_ext;
	e->body_len = sizeof(unknown_ext);
	ext_mnha(&r);
	send_mip4(MR_COA, HA4, 434, 434, &r);

	/* 7: Prefix Advertisement whose realm uses a dictionary index of an empty slot */
	mrep_init(&r, 0, 600, MR_HOA, HA4, RQ_IDENT);
	e = mip4_add_ext(&r, dmm_numbers.haaro_t3, HAARO_PFX_SUBTYPE);
	e->flags = MIP4_EXT_F_RAW;
	e->body = bad_pfx;
	e->body_len = sizeof(bad_pfx);
	ext_mnha(&r);
	send_mip4(HA4, MR_COA, 434, 434, &r);

	/* 8: tunnel nesting depth 9: ten IPv6 headers (depths 0..9) around the §12 PBU */
	{
		struct pkt_ipv6_hdr h;
		struct pkt_mark mk[10];
		memset(&h, 0, sizeof(h));
		a6("2001:db8:ffff::1", h.src);
		a6("2001:db8:ffff::2", h.dst);
		h.next_header = PKT_PROTO_IPV6;
		frame_begin(h.src[15], h.dst[15], PKT_ETHERTYPE_IPV6);
		for (int i = 0; i < 9; i++)
			check(pkt_ipv6_begin(&W, &h, &mk[i]), "nest");
		a6(MAG1, h.src);
		a6(LMA, h.dst);
		h.next_header = PKT_PROTO_MH;
		check(pkt_ipv6_begin(&W, &h, &mk[9]), "nest inner");
		vector_pbu(&m);
		check(mh_encode(&m, h.src, h.dst, &W), "mh");
		for (int i = 9; i >= 0; i--)
			check(pkt_ipv6_end(&W, &mk[i]), "nest end");
		dump_frame();
	}

	/* 9: Payload Proto not 59 */
	vector_pbu(&m);
	m.proto = 6;
	send_mh(MAG1, LMA, NULL, &m);

	/* 10: Header Len shorter than the BU minimum (HL 0: 8 octets) */
	pbu_init(&m, 61, MH_BU_A | MH_BU_P, 100);
	m.hlen = 0;
	m.enc.force_hlen = 1;
	{
		struct pkt_ipv6_hdr h;
		memset(&h, 0, sizeof(h));
		a6(MAG1, h.src);
		a6(LMA, h.dst);
		h.next_header = PKT_PROTO_MH;
		wb_init(&w, buf, sizeof(buf));
		check(mh_encode(&m, h.src, h.dst, &w), "mh");
		/* keep the 8 octets that Header Len announces; the checksum covers them */
		uint16_t sum;
		buf[4] = buf[5] = 0;
		sum = mh_checksum(h.src, h.dst, buf, 8);
		buf[4] = (uint8_t)(sum >> 8);
		buf[5] = (uint8_t)sum;
		frame_begin(h.src[15], h.dst[15], PKT_ETHERTYPE_IPV6);
		check(pkt_ipv6(&W, &h, buf, 8), "ipv6");
		dump_frame();
	}

	/* 11: HNP option with a wrong Length (17): option length out of range */
	pbu_init(&m, 62, MH_BU_A | MH_BU_P, 100);
	opt_nai(&m, "mn1@example.com");
	opt_hnp(&m, "::", 0);
	m.opts[m.nopts - 1].flags = MH_OPT_F_FORCE_LEN;
	m.opts[m.nopts - 1].force_len = 17;
	opt_u8(&m, MH_OPT_HI, 1);
	opt_u8(&m, MH_OPT_ATT, 4);
	send_mh(MAG1, LMA, NULL, &m);

	/* 12: MIPv4 registration request truncated inside its fixed part (16 of 24 octets) */
	mreq_init(&r, MIP4_F_D | MIP4_F_T, 600, MR_HOA, HA4, MR_COA, RQ_IDENT);
	wb_init(&w, buf, sizeof(buf));
	check(mip4_encode(&r, &w), "rrq");
	send_udp4(MR_COA, HA4, 434, 434, buf, 16);
	scenario_end();
}

/* ---- main ---- */

struct scenario {
	const char *name;
	void (*fn)(void);
};

static const struct scenario scenarios[] = {
    {"pbu_multipath", scn_pbu_multipath},
    {"pba_multipath", scn_pba_multipath},
    {"pba_status180", scn_pba_status180},
    {"pbu_pmipv6_options", scn_pbu_pmipv6_options},
    {"pba_ipv4_options", scn_pba_ipv4_options},
    {"rfc5213_rejects", scn_rfc5213_rejects},
    {"dmm_relay_mode", scn_dmm_relay_mode},
    {"mipv6_messages", scn_mipv6_messages},
    {"mh_auth", scn_mh_auth},
    {"pmipv6_udp5436", scn_pmipv6_udp5436},
    {"mip4_mr_ha", scn_mip4_mr_ha},
    {"haaro_rr", scn_haaro_rr},
    {"haaro_mr_cr", scn_haaro_mr_cr},
    {"mip4_revocation", scn_mip4_revocation},
    {"mip4_tunnel_data", scn_mip4_tunnel_data},
    {"tunnels", scn_tunnels},
    {"malformed", scn_malformed},
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: gen_golden DIR [SCENARIO...]\n");
		return 2;
	}
	out_dir = argv[1];
	mkdir(out_dir, 0755);
	static const uint8_t krm[HAARO_KRM_LEN] = {0x4a, 0xb3, 0xbe, 0x1f, 0x5e, 0x86, 0x12,
	                                           0x47, 0x04, 0x15, 0x84, 0xe7, 0xdf, 0x9b,
	                                           0x98, 0x99, 0x6d, 0x9a, 0x9e, 0xe2};
	memcpy(KRM, krm, sizeof(KRM));
	if (dmm_keys_add_mh_auth("0x100:1234567812345678") != 0)
		die("mh-auth key");
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		int wanted = argc == 2;
		for (int a = 2; a < argc; a++)
			if (strcmp(argv[a], scenarios[i].name) == 0)
				wanted = 1;
		if (wanted)
			scenarios[i].fn();
	}
	if (failures) {
		fprintf(stderr, "gen_golden: %d encoder failure(s)\n", failures);
		return 1;
	}
	return 0;
}
