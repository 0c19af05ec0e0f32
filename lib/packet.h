/* Frame builders: Ethernet, IPv4, IPv6 + HAO (RFC 6275 §6.3), UDP, GRE (RFC 2890), RFC 2004. */
#ifndef DMM_PACKET_H
#define DMM_PACKET_H

#include "cursor.h"

#include <stddef.h>
#include <stdint.h>

/* Well-known numbers used by the builders and the dissector. */
enum {
	PKT_ETHERTYPE_IPV4 = 0x0800,
	PKT_ETHERTYPE_IPV6 = 0x86dd,
	PKT_ETHERTYPE_VLAN = 0x8100,
	PKT_ETHERTYPE_QINQ = 0x88a8,
};

enum {
	PKT_PROTO_HOPOPTS = 0,
	PKT_PROTO_IPIP = 4, /* IPv4 payload (RFC 2003 / RFC 2473) */
	PKT_PROTO_UDP = 17,
	PKT_PROTO_IPV6 = 41, /* IPv6 payload (RFC 2473) */
	PKT_PROTO_ROUTING = 43,
	PKT_PROTO_FRAGMENT = 44,
	PKT_PROTO_GRE = 47,
	PKT_PROTO_MINENC = 55,
	PKT_PROTO_NONE = 59,
	PKT_PROTO_DSTOPTS = 60,
	PKT_PROTO_MH = 135,
};

enum {
	PKT_PORT_MIP4 = 434,           /* RFC 5944 registration and RFC 3519 tunnel data */
	PKT_PORT_PMIP6_CONTROL = 5436, /* RFC 5844 §6: MH over UDP/IPv4 */
	PKT_PORT_PMIP6_DATA = 5437,    /* RFC 5844 §6: IP packet over UDP/IPv4 */
};

#define PKT_HAO_OPTION 201 /* Home Address destination option (RFC 6275 §6.3) */
#define PKT_IPV4_DF 0x4000 /* flags_frag word: Don't Fragment */
#define PKT_IPV4_MF 0x2000 /* flags_frag word: More Fragments */

/* Where a layer started in a dmm_wbuf; *_end() fixes its length and checksum
 * fields once the payload has been appended. */
struct pkt_mark {
	size_t hdr;         /* offset of the layer's first octet */
	size_t payload;     /* offset of the layer's payload */
	size_t ip_hdr;      /* UDP: offset of the enclosing IP header */
	uint8_t ip_version; /* 4 or 6 (IP layers; UDP: the enclosing IP's version) */
	uint8_t flags;      /* layer-specific (PKT_UDP_NO_CSUM, GRE checksum present) */
};

struct pkt_ipv4_hdr {
	uint8_t src[4];
	uint8_t dst[4];
	uint8_t protocol;
	uint8_t ttl; /* 0 means 64 */
	uint8_t tos;
	uint16_t id;
	uint16_t flags_frag;    /* flags (PKT_IPV4_DF/MF) | fragment offset in 8-octet units */
	const uint8_t *options; /* raw options, a multiple of 4 octets, at most 40 */
	size_t options_len;
};

struct pkt_ipv6_hdr {
	uint8_t src[16];
	uint8_t dst[16];
	uint8_t next_header; /* upper layer (placed after the Home Address option if any) */
	uint8_t hop_limit;   /* 0 means 64 */
	uint8_t traffic_class;
	uint32_t flow_label;         /* low 20 bits */
	const uint8_t *home_address; /* non-NULL: add a Destination Options header with the HAO */
};

struct pkt_gre_hdr {
	uint16_t protocol; /* EtherType of the payload */
	uint8_t has_checksum;
	uint8_t has_key;
	uint8_t has_sequence;
	uint32_t key;
	uint32_t sequence;
};

enum pkt_udp_flags {
	PKT_UDP_NO_CSUM = 1, /* IPv4 only: leave the UDP checksum 0 */
};

/* Every builder returns the octets it wrote, or -1 once w has overflowed
 * (or for an unbuildable request, e.g. IPv4 options not a multiple of 4). */

/* Ethernet II header: dst, src, EtherType. */
int pkt_eth(struct dmm_wbuf *w, const uint8_t dst[6], const uint8_t src[6], uint16_t ethertype);

/* Incremental layers: begin writes the header, the caller appends the payload
 * (possibly other layers), end fills lengths and checksums. Nest freely. */
int pkt_ipv4_begin(struct dmm_wbuf *w, const struct pkt_ipv4_hdr *h, struct pkt_mark *m);
int pkt_ipv4_end(struct dmm_wbuf *w, const struct pkt_mark *m);
int pkt_ipv6_begin(struct dmm_wbuf *w, const struct pkt_ipv6_hdr *h, struct pkt_mark *m);
int pkt_ipv6_end(struct dmm_wbuf *w, const struct pkt_mark *m);
/* ip: the mark of the enclosing IP layer (its header is read for the pseudo-header). */
int pkt_udp_begin(struct dmm_wbuf *w, const struct pkt_mark *ip, uint16_t src_port,
                  uint16_t dst_port, unsigned flags, struct pkt_mark *m);
int pkt_udp_end(struct dmm_wbuf *w, const struct pkt_mark *m);
int pkt_gre_begin(struct dmm_wbuf *w, const struct pkt_gre_hdr *h, struct pkt_mark *m);
int pkt_gre_end(struct dmm_wbuf *w, const struct pkt_mark *m);

/* Minimal forwarding header (RFC 2004 §3) with its header checksum; orig_src
 * NULL leaves the S bit clear (8 octets), otherwise 12 octets. */
int pkt_minenc(struct dmm_wbuf *w, uint8_t protocol, const uint8_t orig_dst[4],
               const uint8_t orig_src[4]);

/* One-call forms: header(s) around a payload copied from caller memory
 * (the payload must not lie inside w). */
int pkt_ipv4(struct dmm_wbuf *w, const struct pkt_ipv4_hdr *h, const void *payload, size_t len);
int pkt_ipv6(struct dmm_wbuf *w, const struct pkt_ipv6_hdr *h, const void *payload, size_t len);
/* IPv4 (protocol forced to 17) + UDP + payload; flags: PKT_UDP_NO_CSUM. */
int pkt_udp4(struct dmm_wbuf *w, const struct pkt_ipv4_hdr *h, uint16_t src_port, uint16_t dst_port,
             unsigned flags, const void *payload, size_t len);
/* IPv6 (next header forced to 17) + UDP + payload; the checksum is always computed. */
int pkt_udp6(struct dmm_wbuf *w, const struct pkt_ipv6_hdr *h, uint16_t src_port, uint16_t dst_port,
             const void *payload, size_t len);
int pkt_gre(struct dmm_wbuf *w, const struct pkt_gre_hdr *h, const void *payload, size_t len);

/* Dissect a payload by IP protocol number the way the dissector does after an
 * IPv4 header (4 and 41 IP-in-IP, 47 GRE, 55 minimal encapsulation, 17 UDP,
 * else data.data). depth is that of the carrying layer: an inner IP packet is
 * dissected at depth+1. For MIPv4 Tunnel Data (RFC 3519 §3.3) with Next
 * Header 47 or 55, which dmm_dissect_ip cannot take. */
struct dmm_out;
void dmm_dissect_ipproto(uint8_t protocol, const uint8_t *p, size_t len, unsigned depth,
                         struct dmm_out *out);

#endif
