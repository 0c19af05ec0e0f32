/* Benchmark captures: N PBU/PBA (Ethernet/IPv6/MH) or MIPv4 RRQ/RRP frames from the encoders. */
#include "haaro.h"
#include "mh.h"
#include "mip4.h"
#include "numbers.h"
#include "packet.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FRAME_MAX 2048
#define TS_BASE 1700000000
/* MN-HA key of the MIPv4 capture: dmm-decode --mnha-key 0x100:1234567812345678 */
static const uint8_t MNHA_KEY[] = "1234567812345678";
#define MNHA_KEY_LEN 16
#define MNHA_SPI 0x100
#define MN_COUNT 100000 /* distinct mobile nodes cycled through */

static uint8_t frame[FRAME_MAX];
static struct dmm_wbuf W;

static void die(const char *what, unsigned long long i)
{
	fprintf(stderr, "gen_bench: %s (packet %llu)\n", what, i + 1);
	exit(1);
}

static void check(int rc, const char *what, unsigned long long i)
{
	if (rc < 0 || W.err)
		die(what, i);
}

static void mac(uint8_t last, uint8_t out[6])
{
	static const uint8_t base[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x00};
	memcpy(out, base, 6);
	out[5] = last;
}

static void ether(uint8_t src_last, uint8_t dst_last, uint16_t ethertype, unsigned long long i)
{
	uint8_t s[6], d[6];
	mac(src_last, s);
	mac(dst_last, d);
	wb_init(&W, frame, sizeof(frame));
	check(pkt_eth(&W, d, s, ethertype), "ethernet", i);
}

/* ---- PMIPv6: PBU (MAG -> LMA) and PBA (LMA -> MAG) ---- */

static void addr6(uint8_t out[16], uint16_t w0, uint16_t w1, uint16_t w2, uint16_t w3,
                  uint16_t last)
{
	memset(out, 0, 16);
	uint16_t words[4] = {w0, w1, w2, w3};
	for (int k = 0; k < 4; k++) {
		out[2 * k] = (uint8_t)(words[k] >> 8);
		out[2 * k + 1] = (uint8_t)words[k];
	}
	out[14] = (uint8_t)(last >> 8);
	out[15] = (uint8_t)last;
}

static void pmip_frame(unsigned long long i)
{
	static struct mh_msg m;
	static char mnid[64], magid[64];
	unsigned long long pair = i / 2;
	unsigned mn = (unsigned)(pair % MN_COUNT);
	unsigned mag = (unsigned)(pair % 64) + 1;
	int is_pba = (int)(i & 1);
	struct pkt_ipv6_hdr h;
	struct pkt_mark mk;
	struct mh_opt *o;

	memset(&m, 0, sizeof(m));
	memset(&h, 0, sizeof(h));
	uint8_t mag_addr[16], lma_addr[16];
	addr6(mag_addr, 0x2001, 0x0db8, 0x0001, 0, (uint16_t)mag);
	addr6(lma_addr, 0x2001, 0x0db8, 0x0002, 0, 1);
	memcpy(h.src, is_pba ? lma_addr : mag_addr, 16);
	memcpy(h.dst, is_pba ? mag_addr : lma_addr, 16);
	h.next_header = PKT_PROTO_MH;
	uint16_t seq = (uint16_t)(pair * 7 + 1);
	if (is_pba) {
		m.type = MH_BA;
		m.u.ba.status = (pair % 50 == 49) ? MH_STATUS_NOT_AUTHORIZED_FOR_HNP : 0;
		m.u.ba.flags = MH_BA_P;
		m.u.ba.seq = seq;
		m.u.ba.lifetime = 900;
	} else {
		m.type = MH_BU;
		m.u.bu.flags = MH_BU_A | MH_BU_H | MH_BU_L | MH_BU_P;
		m.u.bu.seq = seq;
		m.u.bu.lifetime = 900;
	}
	int n = snprintf(mnid, sizeof(mnid), "mn%06u@operator.example.net", mn);
	o = mh_add_opt(&m, MH_OPT_MNID);
	o->v.nai.subtype = 1;
	o->v.nai.id = (const uint8_t *)mnid;
	o->v.nai.idlen = (uint8_t)n;
	o = mh_add_opt(&m, MH_OPT_HNP);
	o->v.hnp.plen = 64;
	addr6(o->v.hnp.prefix, 0x2001, 0x0db8, (uint16_t)(0x1000 + mn / 65536), (uint16_t)mn, 0);
	mh_add_opt(&m, MH_OPT_HI)->v.u8pair.value = (pair % 10 == 0) ? 1 : 4;
	mh_add_opt(&m, MH_OPT_ATT)->v.u8pair.value = (pair & 1) ? 4 : 3;
	/* NTP-style timestamp: seconds << 16 | fraction, advancing 1 ms per packet */
	mh_add_opt(&m, MH_OPT_TIMESTAMP)->v.timestamp =
	    ((uint64_t)(3900000000u + pair / 1000) << 16) | (uint64_t)((pair % 1000) * 65);
	o = mh_add_opt(&m, MH_OPT_MMB);
	o->v.mmb.if_att = (pair & 1) ? 4 : 3;
	o->v.mmb.if_label = (uint8_t)(pair % 16);
	o->v.mmb.bid = (uint8_t)(pair % 4 + 1);
	o->v.mmb.flags = (pair % 3 == 0) ? MH_MMB_B : 0;
	if (!is_pba) {
		n = snprintf(magid, sizeof(magid), "mag%02u.access.example.net", mag);
		o = mh_add_opt(&m, MH_OPT_MAGID);
		o->v.nai.subtype = 1;
		o->v.nai.id = (const uint8_t *)magid;
		o->v.nai.idlen = (uint8_t)n;
	}
	ether(is_pba ? 0xfe : (uint8_t)mag, is_pba ? (uint8_t)mag : 0xfe, PKT_ETHERTYPE_IPV6, i);
	check(pkt_ipv6_begin(&W, &h, &mk), "ipv6", i);
	check(mh_encode(&m, h.src, h.dst, &W), "mh_encode", i);
	check(pkt_ipv6_end(&W, &mk), "ipv6 end", i);
}

/* ---- MIPv4 / NEMO / HAARO: RRQ (MR -> HA) and RRP (HA -> MR) ---- */

static void a4(uint8_t out[4], unsigned a, unsigned b, unsigned c, unsigned d)
{
	out[0] = (uint8_t)a;
	out[1] = (uint8_t)b;
	out[2] = (uint8_t)c;
	out[3] = (uint8_t)d;
}

static void mip4_frame(unsigned long long i)
{
	static struct mip4_msg m;
	static struct haaro_pfx_info infos[4];
	static char realm[2][64];
	static uint8_t payload[FRAME_MAX];
	unsigned long long pair = i / 2;
	unsigned mr = (unsigned)(pair % 4000);
	int is_rep = (int)(i & 1);
	uint8_t hoa[4], ha[4], coa[4];
	struct mip4_ext *e;

	a4(hoa, 10, 64 + mr / 250, (mr % 250) + 1, 1);
	a4(ha, 198, 51, 100, 1);
	a4(coa, 203, 0, 113, (mr % 250) + 1);
	memset(&m, 0, sizeof(m));
	uint64_t ident = (uint64_t)(3900000000u + pair) << 32 | (uint32_t)(pair * 2654435761u);
	if (is_rep) {
		m.type = MIP4_REG_REPLY;
		m.u.rep.code = (pair % 40 == 39) ? 136 : 0;
		m.u.rep.lifetime = 600;
		memcpy(m.u.rep.hoa, hoa, 4);
		memcpy(m.u.rep.ha, ha, 4);
		m.u.rep.ident = ident;
		e = mip4_add_ext(&m, MIP4_EXT_MOBNET, MIP4_MNE_ACK_EXPLICIT);
		e->v.mne.plen = 24;
		a4(e->v.mne.prefix, 10, 128 + mr / 250, mr % 250, 0);
		e = mip4_add_ext(&m, dmm_numbers.haaro_t2, HAARO_ROR_SUBTYPE);
		e->v.ror.flags = HAARO_ROR_O;
		e->v.ror.code = 0;
	} else {
		m.type = MIP4_REG_REQUEST;
		m.u.req.flags = MIP4_F_D | MIP4_F_T | MIP4_F_R;
		m.u.req.lifetime = 600;
		memcpy(m.u.req.hoa, hoa, 4);
		memcpy(m.u.req.ha, ha, 4);
		memcpy(m.u.req.coa, coa, 4);
		m.u.req.ident = ident;
		e = mip4_add_ext(&m, MIP4_EXT_MOBNET, MIP4_MNE_REQUEST);
		e->v.mne.plen = 24;
		a4(e->v.mne.prefix, 10, 128 + mr / 250, mr % 250, 0);
		e = mip4_add_ext(&m, dmm_numbers.haaro_t1, HAARO_MRROCAP_SUBTYPE);
		e->v.rocap.flags = HAARO_ROCAP_A | HAARO_ROCAP_R;
		/* Prefix Advertisement: MR HoA, then two prefixes with realms (delta + dictionary)
		 */
		memset(infos, 0, sizeof(infos));
		infos[0].m = 1;
		memcpy(infos[0].hoa, hoa, 4);
		infos[1].plen_info = 26;
		a4(infos[1].prefix, 10, 128 + mr / 250, mr % 250, 0);
		int n0 = snprintf(realm[0], sizeof(realm[0]), "site%u.nemo.example.org", mr % 97);
		infos[1].realm = realm[0];
		infos[1].realm_len = (size_t)n0;
		infos[2].plen_info = 26;
		a4(infos[2].prefix, 10, 128 + mr / 250, mr % 250, 64);
		int n1 =
		    snprintf(realm[1], sizeof(realm[1]), "cam.site%u.nemo.example.org", mr % 97);
		infos[2].realm = realm[1];
		infos[2].realm_len = (size_t)n1;
		infos[3].plen_info = 25;
		a4(infos[3].prefix, 10, 128 + mr / 250, mr % 250, 128);
		infos[3].realm = "";
		e = mip4_add_ext(&m, dmm_numbers.haaro_t3, HAARO_PFX_SUBTYPE);
		e->v.pfx.infos = infos;
		e->v.pfx.n = 4;
	}
	e = mip4_add_ext(&m, MIP4_EXT_MNHA_AUTH, 0);
	e->flags = MIP4_EXT_F_SIGN;
	e->v.auth.spi = MNHA_SPI;
	e->v.auth.key = MNHA_KEY;
	e->v.auth.keylen = MNHA_KEY_LEN;

	struct dmm_wbuf pw;
	wb_init(&pw, payload, sizeof(payload));
	if (mip4_encode(&m, &pw) < 0)
		die("mip4_encode", i);
	struct pkt_ipv4_hdr h;
	memset(&h, 0, sizeof(h));
	memcpy(h.src, is_rep ? ha : coa, 4);
	memcpy(h.dst, is_rep ? coa : ha, 4);
	h.protocol = PKT_PROTO_UDP;
	h.id = (uint16_t)i;
	h.flags_frag = PKT_IPV4_DF;
	ether(is_rep ? 0xfe : (uint8_t)(mr % 250 + 1), is_rep ? (uint8_t)(mr % 250 + 1) : 0xfe,
	      PKT_ETHERTYPE_IPV4, i);
	check(pkt_udp4(&W, &h, 434, 434, 0, payload, pw.len), "udp4", i);
}

static void usage(void)
{
	fprintf(stderr, "usage: gen_bench pmip|mip4 COUNT FILE.pcap [FIRST]\n"
	                "  writes COUNT frames starting at frame index FIRST (default 0);\n"
	                "  frame i is the same in every run, so any prefix is a valid slice\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 4)
		usage();
	int pmip = strcmp(argv[1], "pmip") == 0;
	if (!pmip && strcmp(argv[1], "mip4") != 0)
		usage();
	unsigned long long count = strtoull(argv[2], NULL, 10);
	unsigned long long first = argc > 4 ? strtoull(argv[4], NULL, 10) : 0;
	dmm_numbers_profile("iana");

	pcap_t *ph = pcap_open_dead(DLT_EN10MB, 65535);
	if (!ph)
		die("pcap_open_dead", 0);
	pcap_dumper_t *d = pcap_dump_open(ph, argv[3]);
	if (!d) {
		fprintf(stderr, "gen_bench: %s\n", pcap_geterr(ph));
		return 1;
	}
	static char obuf[1 << 20];
	setvbuf(pcap_dump_file(d), obuf, _IOFBF, sizeof(obuf));
	for (unsigned long long i = first; i < first + count; i++) {
		if (pmip)
			pmip_frame(i);
		else
			mip4_frame(i);
		struct pcap_pkthdr ph_ = {
		    .ts = {.tv_sec = TS_BASE + (time_t)(i / 1000),
		           .tv_usec = (suseconds_t)(i % 1000) * 1000},
		    .caplen = (bpf_u_int32)W.len,
		    .len = (bpf_u_int32)W.len,
		};
		pcap_dump((u_char *)d, &ph_, frame);
	}
	pcap_dump_close(d);
	pcap_close(ph);
	return 0;
}
