/* Link/IP/tunnel dissection, builders: RFC 791, 8200, 6275 §6.3, 2003, 2473, 2004, 2890, 5844 §6 */
#include "packet.h"
#include "dissect.h"
#include "field.h"
#include "inet.h"
#include "mh.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define PKT_MAX_EXT_HEADERS 16 /* IPv6 extension headers walked before giving up */
#define PKT_MAX_VLAN_TAGS 4    /* stacked 802.1Q/802.1ad tags */
#define PKT_PROTOS_CAP 256     /* frame.protocols text */
#define MARK_HAS_HAO 0x80      /* pkt_mark.flags: the IPv6 header carries a Home Address option */
#define MARK_GRE_CHECKSUM 1    /* pkt_mark.flags: GRE checksum to fill */
#define MARK_HAO_OFFSET 48     /* home address in the Destination Options header we build */

/* pcap link types (LINKTYPE_/DLT_ values). */
enum {
	LINK_NULL = 0,
	LINK_EN10MB = 1,
	LINK_RAW_BSD = 12,
	LINK_RAW_OPENBSD = 14,
	LINK_RAW = 101,
	LINK_LOOP = 108,
	LINK_LINUX_SLL = 113,
	LINK_IPV4 = 228,
	LINK_IPV6 = 229,
	LINK_LINUX_SLL2 = 276,
};

/* ---------------------------------------------------------------- fields */

enum {
	F_FRAME,
	F_FRAME_NUMBER,
	F_FRAME_TIME_EPOCH,
	F_FRAME_LEN,
	F_FRAME_CAP_LEN,
	F_FRAME_PROTOCOLS,
	F_DATA,
	F_DATA_DATA,
	F_DATA_LEN,
};
static const struct dmm_field frame_fields[] = {
    [F_FRAME] = {"frame", "Frame", DMM_FT_NODE, 0, 0, NULL},
    [F_FRAME_NUMBER] = {"frame.number", "Frame Number", DMM_FT_UINT, 0, DMM_F_SUMMARY, NULL},
    [F_FRAME_TIME_EPOCH] = {"frame.time_epoch", "Epoch Time", DMM_FT_STRING, 0, 0, NULL},
    [F_FRAME_LEN] = {"frame.len", "Frame Length", DMM_FT_UINT, 0, 0, NULL},
    [F_FRAME_CAP_LEN] = {"frame.cap_len", "Capture Length", DMM_FT_UINT, 0, 0, NULL},
    [F_FRAME_PROTOCOLS] = {"frame.protocols", "Protocols in frame", DMM_FT_STRING, 0, 0, NULL},
    [F_DATA] = {"data", "Data", DMM_FT_NODE, 0, 0, NULL},
    [F_DATA_DATA] = {"data.data", "Data", DMM_FT_BYTES, 0, 0, NULL},
    [F_DATA_LEN] = {"data.len", "Length", DMM_FT_UINT, 0, 0, NULL},
};
DMM_FIELDS(frame_fields);

enum {
	F_ETH,
	F_ETH_DST,
	F_ETH_SRC,
	F_ETH_TYPE,
	F_ETH_LEN,
	F_ETH_PADDING,
	F_ETH_TRAILER,
	F_VLAN,
	F_VLAN_PRIORITY,
	F_VLAN_DEI,
	F_VLAN_ID,
	F_VLAN_ETYPE,
	F_SLL,
	F_SLL_PKTTYPE,
	F_SLL_HATYPE,
	F_SLL_HALEN,
	F_SLL_SRC_ETH,
	F_SLL_SRC_OTHER,
	F_SLL_UNUSED,
	F_SLL_LTYPE,
	F_SLL_ETYPE,
	F_SLL_IFINDEX,
	F_SLL_RESERVED,
	F_NULL,
	F_NULL_FAMILY,
	F_RAW,
};
static const struct dmm_field link_fields[] = {
    [F_ETH] = {"eth", "Ethernet II", DMM_FT_NODE, 0, 0, NULL},
    [F_ETH_DST] = {"eth.dst", "Destination", DMM_FT_ETHER, 0, 0, NULL},
    [F_ETH_SRC] = {"eth.src", "Source", DMM_FT_ETHER, 0, 0, NULL},
    [F_ETH_TYPE] = {"eth.type", "Type", DMM_FT_HEX, 4, 0, NULL},
    [F_ETH_LEN] = {"eth.len", "Length", DMM_FT_UINT, 0, 0, NULL},
    [F_ETH_PADDING] = {"eth.padding", "Padding", DMM_FT_BYTES, 0, 0, NULL},
    [F_ETH_TRAILER] = {"eth.trailer", "Trailer", DMM_FT_BYTES, 0, 0, NULL},
    [F_VLAN] = {"vlan", "802.1Q Virtual LAN", DMM_FT_NODE, 0, 0, NULL},
    [F_VLAN_PRIORITY] = {"vlan.priority", "Priority", DMM_FT_UINT, 0, 0, NULL},
    [F_VLAN_DEI] = {"vlan.dei", "DEI", DMM_FT_BOOL, 0, 0, NULL},
    [F_VLAN_ID] = {"vlan.id", "ID", DMM_FT_UINT, 0, 0, NULL},
    [F_VLAN_ETYPE] = {"vlan.etype", "Type", DMM_FT_HEX, 4, 0, NULL},
    [F_SLL] = {"sll", "Linux cooked capture", DMM_FT_NODE, 0, 0, NULL},
    [F_SLL_PKTTYPE] = {"sll.pkttype", "Packet type", DMM_FT_UINT, 0, 0, NULL},
    [F_SLL_HATYPE] = {"sll.hatype", "Link-layer address type", DMM_FT_UINT, 0, 0, NULL},
    [F_SLL_HALEN] = {"sll.halen", "Link-layer address length", DMM_FT_UINT, 0, 0, NULL},
    [F_SLL_SRC_ETH] = {"sll.src.eth", "Source", DMM_FT_ETHER, 0, 0, NULL},
    [F_SLL_SRC_OTHER] = {"sll.src.other", "Source", DMM_FT_BYTES, 0, 0, NULL},
    [F_SLL_UNUSED] = {"sll.unused", "Unused", DMM_FT_BYTES, 0, 0, NULL},
    [F_SLL_LTYPE] = {"sll.ltype", "Protocol", DMM_FT_HEX, 4, 0, NULL},
    [F_SLL_ETYPE] = {"sll.etype", "Protocol", DMM_FT_HEX, 4, 0, NULL},
    [F_SLL_IFINDEX] = {"sll.ifindex", "Interface index", DMM_FT_UINT, 0, 0, NULL},
    [F_SLL_RESERVED] = {"sll.reserved", "Reserved (SLL2)", DMM_FT_HEX, 4, 0, NULL},
    [F_NULL] = {"null", "Null/Loopback", DMM_FT_NODE, 0, 0, NULL},
    [F_NULL_FAMILY] = {"null.family", "Family", DMM_FT_UINT, 0, 0, NULL},
    [F_RAW] = {"raw", "Raw packet data", DMM_FT_NODE, 0, 0, NULL},
};
DMM_FIELDS(link_fields);

enum {
	F_IP,
	F_IP_VERSION,
	F_IP_HDR_LEN,
	F_IP_DSFIELD,
	F_IP_DSCP,
	F_IP_ECN,
	F_IP_LEN,
	F_IP_ID,
	F_IP_FLAGS,
	F_IP_FLAGS_RB,
	F_IP_FLAGS_DF,
	F_IP_FLAGS_MF,
	F_IP_FRAG_OFFSET,
	F_IP_TTL,
	F_IP_PROTO,
	F_IP_CHECKSUM,
	F_IP_SRC,
	F_IP_DST,
	F_IP_OPTIONS,
};
static const struct dmm_field ip_fields[] = {
    [F_IP] = {"ip", "Internet Protocol Version 4", DMM_FT_NODE, 0, 0, NULL},
    [F_IP_VERSION] = {"ip.version", "Version", DMM_FT_UINT, 0, 0, NULL},
    [F_IP_HDR_LEN] = {"ip.hdr_len", "Header Length", DMM_FT_UINT, 0, 0, NULL},
    [F_IP_DSFIELD] = {"ip.dsfield", "Differentiated Services Field", DMM_FT_HEX, 2, 0, NULL},
    [F_IP_DSCP] = {"ip.dsfield.dscp", "Differentiated Services Codepoint", DMM_FT_UINT, 0, 0, NULL},
    [F_IP_ECN] = {"ip.dsfield.ecn", "Explicit Congestion Notification", DMM_FT_UINT, 0, 0, NULL},
    [F_IP_LEN] = {"ip.len", "Total Length", DMM_FT_UINT, 0, 0, NULL},
    [F_IP_ID] = {"ip.id", "Identification", DMM_FT_HEX, 4, 0, NULL},
    [F_IP_FLAGS] = {"ip.flags", "Flags", DMM_FT_HEX, 2, 0, NULL},
    [F_IP_FLAGS_RB] = {"ip.flags.rb", "Reserved bit", DMM_FT_BOOL, 0, 0, NULL},
    [F_IP_FLAGS_DF] = {"ip.flags.df", "Don't fragment", DMM_FT_BOOL, 0, 0, NULL},
    [F_IP_FLAGS_MF] = {"ip.flags.mf", "More fragments", DMM_FT_BOOL, 0, 0, NULL},
    [F_IP_FRAG_OFFSET] = {"ip.frag_offset", "Fragment Offset", DMM_FT_UINT, 0, 0, NULL},
    [F_IP_TTL] = {"ip.ttl", "Time to Live", DMM_FT_UINT, 0, 0, NULL},
    [F_IP_PROTO] = {"ip.proto", "Protocol", DMM_FT_UINT, 0, 0, NULL},
    [F_IP_CHECKSUM] = {"ip.checksum", "Header Checksum", DMM_FT_HEX, 4, 0, NULL},
    [F_IP_SRC] = {"ip.src", "Source Address", DMM_FT_IPV4, 0, DMM_F_ADDR | DMM_F_SUMMARY, NULL},
    [F_IP_DST] = {"ip.dst", "Destination Address", DMM_FT_IPV4, 0, DMM_F_ADDR | DMM_F_SUMMARY,
                  NULL},
    [F_IP_OPTIONS] = {"ip.options", "Options", DMM_FT_BYTES, 0, 0, NULL},
};
DMM_FIELDS(ip_fields);

enum {
	F_IPV6,
	F_IPV6_VERSION,
	F_IPV6_TCLASS,
	F_IPV6_DSCP,
	F_IPV6_ECN,
	F_IPV6_FLOW,
	F_IPV6_PLEN,
	F_IPV6_NXT,
	F_IPV6_HLIM,
	F_IPV6_SRC,
	F_IPV6_DST,
	F_IPV6_HOPOPTS,
	F_IPV6_HOPOPTS_NXT,
	F_IPV6_HOPOPTS_LEN,
	F_IPV6_DSTOPTS,
	F_IPV6_DSTOPTS_NXT,
	F_IPV6_DSTOPTS_LEN,
	F_IPV6_OPT,
	F_IPV6_OPT_TYPE,
	F_IPV6_OPT_LENGTH,
	F_IPV6_OPT_PADN,
	F_IPV6_OPT_HOA,
	F_IPV6_OPT_UNKNOWN,
	F_IPV6_ROUTING,
	F_IPV6_ROUTING_NXT,
	F_IPV6_ROUTING_LEN,
	F_IPV6_ROUTING_TYPE,
	F_IPV6_ROUTING_SEGLEFT,
	F_IPV6_ROUTING_MIPV6_RESERVED,
	F_IPV6_ROUTING_MIPV6_HOA,
	F_IPV6_ROUTING_SRC_RESERVED,
	F_IPV6_ROUTING_SRC_ADDR,
	F_IPV6_ROUTING_UNKNOWN,
	F_IPV6_FRAGHDR,
	F_IPV6_FRAGHDR_NXT,
	F_IPV6_FRAGHDR_RESERVED_OCTET,
	F_IPV6_FRAGHDR_OFFSET,
	F_IPV6_FRAGHDR_RESERVED_BITS,
	F_IPV6_FRAGHDR_MORE,
	F_IPV6_FRAGHDR_IDENT,
};
static const struct dmm_field ipv6_fields[] = {
    [F_IPV6] = {"ipv6", "Internet Protocol Version 6", DMM_FT_NODE, 0, 0, NULL},
    [F_IPV6_VERSION] = {"ipv6.version", "Version", DMM_FT_UINT, 0, 0, NULL},
    [F_IPV6_TCLASS] = {"ipv6.tclass", "Traffic Class", DMM_FT_HEX, 8, 0, NULL},
    [F_IPV6_DSCP] = {"ipv6.tclass.dscp", "Differentiated Services Codepoint", DMM_FT_UINT, 0, 0,
                     NULL},
    [F_IPV6_ECN] = {"ipv6.tclass.ecn", "Explicit Congestion Notification", DMM_FT_UINT, 0, 0, NULL},
    [F_IPV6_FLOW] = {"ipv6.flow", "Flow Label", DMM_FT_HEX, 6, 0, NULL},
    [F_IPV6_PLEN] = {"ipv6.plen", "Payload Length", DMM_FT_UINT, 0, 0, NULL},
    [F_IPV6_NXT] = {"ipv6.nxt", "Next Header", DMM_FT_UINT, 0, 0, NULL},
    [F_IPV6_HLIM] = {"ipv6.hlim", "Hop Limit", DMM_FT_UINT, 0, 0, NULL},
    [F_IPV6_SRC] = {"ipv6.src", "Source Address", DMM_FT_IPV6, 0, DMM_F_ADDR | DMM_F_SUMMARY, NULL},
    [F_IPV6_DST] = {"ipv6.dst", "Destination Address", DMM_FT_IPV6, 0, DMM_F_ADDR | DMM_F_SUMMARY,
                    NULL},
    [F_IPV6_HOPOPTS] = {"ipv6.hopopts", "IPv6 Hop-by-Hop Option", DMM_FT_NODE, 0, 0, NULL},
    [F_IPV6_HOPOPTS_NXT] = {"ipv6.hopopts.nxt", "Next Header", DMM_FT_UINT, 0, 0, NULL},
    [F_IPV6_HOPOPTS_LEN] = {"ipv6.hopopts.len", "Length", DMM_FT_UINT, 0, 0, NULL},
    [F_IPV6_DSTOPTS] = {"ipv6.dstopts", "Destination Options for IPv6", DMM_FT_NODE, 0, 0, NULL},
    [F_IPV6_DSTOPTS_NXT] = {"ipv6.dstopts.nxt", "Next Header", DMM_FT_UINT, 0, 0, NULL},
    [F_IPV6_DSTOPTS_LEN] = {"ipv6.dstopts.len", "Length", DMM_FT_UINT, 0, 0, NULL},
    [F_IPV6_OPT] = {"ipv6.opt", "IPv6 Option", DMM_FT_NODE, 0, 0, NULL},
    [F_IPV6_OPT_TYPE] = {"ipv6.opt.type", "Type", DMM_FT_HEX, 2, 0, NULL},
    [F_IPV6_OPT_LENGTH] = {"ipv6.opt.length", "Length", DMM_FT_UINT, 0, 0, NULL},
    [F_IPV6_OPT_PADN] = {"ipv6.opt.padn", "PadN", DMM_FT_BYTES, 0, 0, NULL},
    [F_IPV6_OPT_HOA] = {"ipv6.opt.mipv6.home_address", "Home Address", DMM_FT_IPV6, 0, 0, NULL},
    [F_IPV6_OPT_UNKNOWN] = {"ipv6.opt.unknown", "Unknown Option Payload", DMM_FT_BYTES, 0, 0, NULL},
    [F_IPV6_ROUTING] = {"ipv6.routing", "Routing Header for IPv6", DMM_FT_NODE, 0, 0, NULL},
    [F_IPV6_ROUTING_NXT] = {"ipv6.routing.nxt", "Next Header", DMM_FT_UINT, 0, 0, NULL},
    [F_IPV6_ROUTING_LEN] = {"ipv6.routing.len", "Length", DMM_FT_UINT, 0, 0, NULL},
    [F_IPV6_ROUTING_TYPE] = {"ipv6.routing.type", "Type", DMM_FT_UINT, 0, 0, NULL},
    [F_IPV6_ROUTING_SEGLEFT] = {"ipv6.routing.segleft", "Segments Left", DMM_FT_UINT, 0, 0, NULL},
    [F_IPV6_ROUTING_MIPV6_RESERVED] = {"ipv6.routing.mipv6.reserved", "Reserved", DMM_FT_BYTES, 0,
                                       0, NULL},
    [F_IPV6_ROUTING_MIPV6_HOA] = {"ipv6.routing.mipv6.home_address", "Home Address", DMM_FT_IPV6, 0,
                                  0, NULL},
    [F_IPV6_ROUTING_SRC_RESERVED] = {"ipv6.routing.src.reserved", "Reserved", DMM_FT_BYTES, 0, 0,
                                     NULL},
    [F_IPV6_ROUTING_SRC_ADDR] = {"ipv6.routing.src.addr", "Address", DMM_FT_IPV6, 0, 0, NULL},
    [F_IPV6_ROUTING_UNKNOWN] = {"ipv6.routing.unknown_data", "Unknown Data", DMM_FT_BYTES, 0, 0,
                                NULL},
    [F_IPV6_FRAGHDR] = {"ipv6.fraghdr", "Fragment Header for IPv6", DMM_FT_NODE, 0, 0, NULL},
    [F_IPV6_FRAGHDR_NXT] = {"ipv6.fraghdr.nxt", "Next header", DMM_FT_UINT, 0, 0, NULL},
    [F_IPV6_FRAGHDR_RESERVED_OCTET] = {"ipv6.fraghdr.reserved_octet", "Reserved octet", DMM_FT_HEX,
                                       2, 0, NULL},
    [F_IPV6_FRAGHDR_OFFSET] = {"ipv6.fraghdr.offset", "Offset", DMM_FT_UINT, 0, 0, NULL},
    [F_IPV6_FRAGHDR_RESERVED_BITS] = {"ipv6.fraghdr.reserved_bits", "Reserved bits", DMM_FT_UINT, 0,
                                      0, NULL},
    [F_IPV6_FRAGHDR_MORE] = {"ipv6.fraghdr.more", "More Fragments", DMM_FT_BOOL, 0, 0, NULL},
    [F_IPV6_FRAGHDR_IDENT] = {"ipv6.fraghdr.ident", "Identification", DMM_FT_HEX, 8, 0, NULL},
};
DMM_FIELDS(ipv6_fields);

enum {
	F_UDP,
	F_UDP_SRCPORT,
	F_UDP_DSTPORT,
	F_UDP_LENGTH,
	F_UDP_CHECKSUM,
	F_GRE,
	F_GRE_FLAGS_AND_VERSION,
	F_GRE_FLAGS_CHECKSUM,
	F_GRE_FLAGS_ROUTING,
	F_GRE_FLAGS_KEY,
	F_GRE_FLAGS_SEQUENCE,
	F_GRE_FLAGS_RESERVED,
	F_GRE_FLAGS_VERSION,
	F_GRE_PROTO,
	F_GRE_CHECKSUM,
	F_GRE_OFFSET,
	F_GRE_KEY,
	F_GRE_SEQUENCE,
	F_MINENC,
	F_MINENC_PROTO,
	F_MINENC_S_FLAG,
	F_MINENC_RESERVED,
	F_MINENC_CHECKSUM,
	F_MINENC_DST,
	F_MINENC_SRC,
};
static const struct dmm_field tunnel_fields[] = {
    [F_UDP] = {"udp", "User Datagram Protocol", DMM_FT_NODE, 0, 0, NULL},
    [F_UDP_SRCPORT] = {"udp.srcport", "Source Port", DMM_FT_UINT, 0, 0, NULL},
    [F_UDP_DSTPORT] = {"udp.dstport", "Destination Port", DMM_FT_UINT, 0, 0, NULL},
    [F_UDP_LENGTH] = {"udp.length", "Length", DMM_FT_UINT, 0, 0, NULL},
    [F_UDP_CHECKSUM] = {"udp.checksum", "Checksum", DMM_FT_HEX, 4, 0, NULL},
    [F_GRE] = {"gre", "Generic Routing Encapsulation", DMM_FT_NODE, 0, 0, NULL},
    [F_GRE_FLAGS_AND_VERSION] = {"gre.flags_and_version", "Flags and Version", DMM_FT_HEX, 4, 0,
                                 NULL},
    [F_GRE_FLAGS_CHECKSUM] = {"gre.flags.checksum", "Checksum Bit", DMM_FT_BOOL, 0, 0, NULL},
    [F_GRE_FLAGS_ROUTING] = {"gre.flags.routing", "Routing Bit", DMM_FT_BOOL, 0, 0, NULL},
    [F_GRE_FLAGS_KEY] = {"gre.flags.key", "Key Bit", DMM_FT_BOOL, 0, 0, NULL},
    [F_GRE_FLAGS_SEQUENCE] = {"gre.flags.sequence_number", "Sequence Number Bit", DMM_FT_BOOL, 0, 0,
                              NULL},
    [F_GRE_FLAGS_RESERVED] = {"gre.flags.reserved", "Flags (Reserved)", DMM_FT_UINT, 0, 0, NULL},
    [F_GRE_FLAGS_VERSION] = {"gre.flags.version", "Version", DMM_FT_UINT, 0, 0, NULL},
    [F_GRE_PROTO] = {"gre.proto", "Protocol Type", DMM_FT_HEX, 4, 0, NULL},
    [F_GRE_CHECKSUM] = {"gre.checksum", "Checksum", DMM_FT_HEX, 4, 0, NULL},
    [F_GRE_OFFSET] = {"gre.offset", "Offset (Reserved1)", DMM_FT_UINT, 0, 0, NULL},
    [F_GRE_KEY] = {"gre.key", "GRE Key", DMM_FT_HEX, 8, 0, NULL},
    [F_GRE_SEQUENCE] = {"gre.sequence_number", "Sequence Number", DMM_FT_UINT, 0, 0, NULL},
    [F_MINENC] = {"minenc", "Minimal Encapsulation within IP", DMM_FT_NODE, 0, 0, NULL},
    [F_MINENC_PROTO] = {"minenc.proto", "Protocol", DMM_FT_UINT, 0, 0, NULL},
    [F_MINENC_S_FLAG] = {"minenc.s_flag", "Original Source Address Present", DMM_FT_BOOL, 0, 0,
                         NULL},
    [F_MINENC_RESERVED] = {"minenc.reserved", "Reserved", DMM_FT_HEX, 2, 0, NULL},
    [F_MINENC_CHECKSUM] = {"minenc.checksum", "Header Checksum", DMM_FT_HEX, 4, 0, NULL},
    [F_MINENC_DST] = {"minenc.dst", "Original Destination Address", DMM_FT_IPV4, 0, 0, NULL},
    [F_MINENC_SRC] = {"minenc.src", "Original Source Address", DMM_FT_IPV4, 0, 0, NULL},
};
DMM_FIELDS(tunnel_fields);

#define FRAME(i) (&frame_fields[i])
#define LINK(i) (&link_fields[i])
#define IP4(i) (&ip_fields[i])
#define IP6(i) (&ipv6_fields[i])
#define TUN(i) (&tunnel_fields[i])

/* ------------------------------------------------------------- the walk */

/* One dissection walk. The same code runs twice per frame: a quiet pass that
 * only collects frame.protocols (out emits nothing, leaves are not entered),
 * then the emitting pass. */
struct walk {
	struct dmm_out *out;
	char *protos; /* quiet pass: protocol chain being built; NULL when emitting */
	size_t protos_len;
	int payload_cut; /* the innermost IP/UDP payload is cut short by the capture */
};

static const struct dmm_out_ops quiet_ops = {NULL, NULL, NULL, NULL};

/* Node labels and frame strings must stay valid until the backend's
 * end_packet (out.h), so they live in a per-thread arena that the outermost
 * dissection call of the next packet resets. No heap per packet; when the
 * arena is full, labels fall back to the field names. */
#define PKT_ARENA_SIZE 8192
static _Thread_local struct {
	char text[PKT_ARENA_SIZE];
	size_t used;
	unsigned active; /* nested dissection calls in progress (mip4 -> dmm_dissect_ip) */
} arena;

static void arena_enter(void)
{
	if (arena.active++ == 0)
		arena.used = 0;
}

static void arena_leave(void)
{
	arena.active--;
}

/* Keep the label text[0..end) (built with the dmm_put_* helpers, no printf) until
 * end_packet: its NUL-terminated copy in the arena, or NULL when the arena is full. */
#define LABEL_MAX 256
static const char *arena_keep(const char *text, const char *end)
{
	size_t room = PKT_ARENA_SIZE - arena.used;
	size_t n = (size_t)(end - text);
	if (n >= room)
		return NULL;
	char *dst = arena.text + arena.used;
	memcpy(dst, text, n);
	dst[n] = 0;
	arena.used += n + 1;
	return dst;
}

static void add_proto(struct walk *wk, const char *name)
{
	if (!wk->protos)
		return;
	size_t n = strlen(name);
	size_t sep = wk->protos_len ? 1 : 0;
	if (wk->protos_len + sep + n >= PKT_PROTOS_CAP)
		return;
	if (sep)
		wk->protos[wk->protos_len++] = ':';
	memcpy(wk->protos + wk->protos_len, name, n + 1);
	wk->protos_len += n;
}

static int emitting(const struct walk *wk)
{
	return wk->protos == NULL;
}

/* Human labels are built only when emitting to a backend that shows them. */
static int want_labels(const struct walk *wk)
{
	return emitting(wk) && (wk->out->flags & DMM_OUT_LABELS);
}

/* Open a layer node; its label is only built when emitting. */
static void open_layer(struct walk *wk, const struct dmm_field *f, const char *proto,
                       const char *label)
{
	if (proto)
		add_proto(wk, proto);
	dmm_open(wk->out, f, label ? label : f->name);
}

static void show_data(struct walk *wk, const uint8_t *p, size_t len)
{
	if (len == 0)
		return;
	const char *label = NULL;
	if (want_labels(wk)) {
		char text[LABEL_MAX];
		char *q = dmm_put_decimal(dmm_put_text(text, "Data ("), len);
		label = arena_keep(text, dmm_put_text(q, " bytes)"));
	}
	open_layer(wk, FRAME(F_DATA), "data", label);
	dmm_bytes(wk->out, FRAME(F_DATA_DATA), p, len);
	dmm_uint(wk->out, FRAME(F_DATA_LEN), len);
	dmm_close(wk->out);
}

/* The rest of a cursor as raw data (after an error, the unread octets). */
static void show_rest(struct walk *wk, const struct dmm_cursor *c)
{
	if (c->pos < c->len)
		show_data(wk, c->base + c->pos, c->len - c->pos);
}

/* Report "truncated" for a layer whose declared length exceeds the capture,
 * unless a layer inside it already reported an error. */
static void report_short(struct walk *wk, int is_short, int errors_before)
{
	if (is_short && wk->out->errors == errors_before)
		dmm_error(wk->out, "truncated");
}

static void walk_ip(struct walk *wk, const uint8_t *p, size_t len, unsigned depth,
                    int want_version);
static void walk_ipproto(struct walk *wk, uint8_t proto, const uint8_t *p, size_t len,
                         unsigned depth, const uint8_t *mh_src, const uint8_t *mh_dst);

/* "<proto>, Src: <src>, Dst: <dst>" for addresses of a kind (DMM_FT_IPV4, _IPV6, _ETHER) */
static const char *address_label(const char *proto, enum dmm_ftype kind, const uint8_t *src,
                                 const uint8_t *dst)
{
	char text[LABEL_MAX];
	char *q = dmm_put_address(dmm_put_text(dmm_put_text(text, proto), ", Src: "), kind, src);
	q = dmm_put_address(dmm_put_text(q, ", Dst: "), kind, dst);
	return arena_keep(text, q);
}

/* Tunnel depth gate: beyond DMM_MAX_DEPTH show the payload raw. */
static int depth_allowed(struct walk *wk, unsigned depth, const uint8_t *p, size_t len)
{
	if (depth <= DMM_MAX_DEPTH)
		return 1;
	dmm_error(wk->out, "invalid: tunnel nesting deeper than 8");
	show_data(wk, p, len);
	return 0;
}

/* ---------------------------------------------------------------- leaves */

static void leaf_mh(struct walk *wk, const uint8_t *p, size_t len, const uint8_t *src,
                    const uint8_t *dst)
{
	add_proto(wk, "mipv6");
	if (emitting(wk))
		mh_dissect(p, len, src, dst, wk->out);
}

static void leaf_mip4(struct walk *wk, const uint8_t *p, size_t len, unsigned depth)
{
	add_proto(wk, "mip");
	if (emitting(wk)) {
		mip4_dissect(p, len, depth, wk->out);
		return;
	}
	/* Quiet pass: mirror mip4_dissect, which follows RFC 3519 Tunnel Data
	 * (type 4) into dmm_dissect_ip when its Next Header is 4. */
	if (len >= 4 && p[0] == 4 && p[1] == PKT_PROTO_IPIP)
		walk_ip(wk, p + 4, len - 4, depth + 1, 0);
}

/* ------------------------------------------------------------------ UDP */

static void walk_udp(struct walk *wk, const uint8_t *p, size_t len, unsigned depth)
{
	struct dmm_cursor c;
	cur_init(&c, p, len);
	int errors_before = wk->out->errors;
	const char *label = NULL;
	if (want_labels(wk) && len >= 4) {
		char text[LABEL_MAX];
		char *q = dmm_put_text(text, "User Datagram Protocol, Src Port: ");
		q = dmm_put_decimal(q, (unsigned)(p[0] << 8 | p[1]));
		q = dmm_put_decimal(dmm_put_text(q, ", Dst Port: "), (unsigned)(p[2] << 8 | p[3]));
		label = arena_keep(text, q);
	}
	open_layer(wk, TUN(F_UDP), "udp", label);
	uint16_t sport = cur_u16(&c);
	uint16_t dport = cur_u16(&c);
	uint16_t ulen = cur_u16(&c);
	uint16_t csum = cur_u16(&c);
	if (!cur_ok(&c)) {
		if (len >= 2)
			dmm_uint(wk->out, TUN(F_UDP_SRCPORT), sport);
		if (len >= 4)
			dmm_uint(wk->out, TUN(F_UDP_DSTPORT), dport);
		if (len >= 6)
			dmm_uint(wk->out, TUN(F_UDP_LENGTH), ulen);
		dmm_cursor_error(wk->out, &c);
		dmm_close(wk->out);
		return;
	}
	dmm_uint(wk->out, TUN(F_UDP_SRCPORT), sport);
	dmm_uint(wk->out, TUN(F_UDP_DSTPORT), dport);
	dmm_uint(wk->out, TUN(F_UDP_LENGTH), ulen);
	dmm_uint(wk->out, TUN(F_UDP_CHECKSUM), csum);
	if (ulen < 8) {
		dmm_error(wk->out, "invalid: UDP length below 8");
		dmm_close(wk->out);
		show_rest(wk, &c);
		return;
	}
	size_t payload_len = ulen - 8u;
	int is_short = payload_len > cur_left(&c);
	if (is_short)
		payload_len = cur_left(&c);
	const uint8_t *payload = cur_ptr(&c);
	dmm_close(wk->out);

	int outer_cut = wk->payload_cut;
	wk->payload_cut = is_short;
	if (sport == PKT_PORT_MIP4 || dport == PKT_PORT_MIP4)
		leaf_mip4(wk, payload, payload_len, depth);
	else if (sport == PKT_PORT_PMIP6_CONTROL || dport == PKT_PORT_PMIP6_CONTROL)
		leaf_mh(wk, payload, payload_len, NULL, NULL);
	else if (sport == PKT_PORT_PMIP6_DATA || dport == PKT_PORT_PMIP6_DATA)
		walk_ip(wk, payload, payload_len, depth + 1, 0);
	else
		show_data(wk, payload, payload_len);
	wk->payload_cut = outer_cut;
	report_short(wk, is_short, errors_before);
}

/* ------------------------------------------------------------------ GRE */

static void walk_gre(struct walk *wk, const uint8_t *p, size_t len, unsigned depth)
{
	struct dmm_cursor c;
	cur_init(&c, p, len);
	uint16_t peek_proto = len >= 4 ? (uint16_t)(p[2] << 8 | p[3]) : 0;
	open_layer(wk, TUN(F_GRE), "gre",
	           peek_proto == PKT_ETHERTYPE_IPV4   ? "Generic Routing Encapsulation (IP)"
	           : peek_proto == PKT_ETHERTYPE_IPV6 ? "Generic Routing Encapsulation (IPv6)"
	                                              : NULL);
	uint16_t fv = cur_u16(&c);
	if (cur_ok(&c)) {
		dmm_uint(wk->out, TUN(F_GRE_FLAGS_AND_VERSION), fv);
		dmm_bool(wk->out, TUN(F_GRE_FLAGS_CHECKSUM), fv & 0x8000);
		dmm_bool(wk->out, TUN(F_GRE_FLAGS_ROUTING), fv & 0x4000);
		dmm_bool(wk->out, TUN(F_GRE_FLAGS_KEY), fv & 0x2000);
		dmm_bool(wk->out, TUN(F_GRE_FLAGS_SEQUENCE), fv & 0x1000);
		dmm_uint(wk->out, TUN(F_GRE_FLAGS_RESERVED), (fv >> 3) & 0x1ff);
		dmm_uint(wk->out, TUN(F_GRE_FLAGS_VERSION), fv & 7);
	}
	uint16_t proto = cur_u16(&c);
	if (cur_ok(&c))
		dmm_uint(wk->out, TUN(F_GRE_PROTO), proto);
	if (cur_ok(&c) && (fv & 7) != 0)
		cur_invalid(&c, "GRE version not 0");
	if (cur_ok(&c) && (fv & 0x4000))
		cur_invalid(&c, "GRE routing present (RFC 1701)");
	uint16_t csum = 0;
	if (fv & 0x8000) {
		csum = cur_u16(&c);
		uint16_t reserved1 = cur_u16(&c);
		if (cur_ok(&c)) {
			dmm_uint(wk->out, TUN(F_GRE_CHECKSUM), csum);
			dmm_uint(wk->out, TUN(F_GRE_OFFSET), reserved1);
		}
	}
	if (fv & 0x2000) {
		uint32_t key = cur_u32(&c);
		if (cur_ok(&c))
			dmm_uint(wk->out, TUN(F_GRE_KEY), key);
	}
	if (fv & 0x1000) {
		uint32_t seq = cur_u32(&c);
		if (cur_ok(&c))
			dmm_uint(wk->out, TUN(F_GRE_SEQUENCE), seq);
	}
	if (dmm_cursor_error(wk->out, &c)) {
		dmm_close(wk->out);
		if (c.err == DMM_EINVAL)
			show_data(wk, p, len);
		return;
	}
	/* Checksum over the GRE header and payload (RFC 2784 §2.5). The caller's
	 * region is the whole GRE packet only when the capture was not cut. */
	if ((fv & 0x8000) && !wk->payload_cut && inet_fold(inet_sum(p, len, 0)) != 0)
		dmm_error(wk->out, "bad checksum");
	dmm_close(wk->out);

	const uint8_t *payload = cur_ptr(&c);
	size_t payload_len = cur_left(&c);
	if (proto == PKT_ETHERTYPE_IPV4)
		walk_ip(wk, payload, payload_len, depth + 1, 4);
	else if (proto == PKT_ETHERTYPE_IPV6)
		walk_ip(wk, payload, payload_len, depth + 1, 6);
	else
		show_data(wk, payload, payload_len);
}

/* ------------------------------------------- minimal encapsulation (2004) */

static void walk_minenc(struct walk *wk, const uint8_t *p, size_t len, unsigned depth)
{
	struct dmm_cursor c;
	cur_init(&c, p, len);
	open_layer(wk, TUN(F_MINENC), "minenc", NULL);
	uint8_t proto = cur_u8(&c);
	uint8_t flags = cur_u8(&c);
	uint16_t csum = cur_u16(&c);
	const uint8_t *orig_dst = cur_bytes(&c, 4);
	const uint8_t *orig_src = NULL;
	if (cur_ok(&c) && (flags & 0x80))
		orig_src = cur_bytes(&c, 4);
	if (len >= 1)
		dmm_uint(wk->out, TUN(F_MINENC_PROTO), proto);
	if (len >= 2) {
		dmm_bool(wk->out, TUN(F_MINENC_S_FLAG), flags & 0x80);
		dmm_uint(wk->out, TUN(F_MINENC_RESERVED), flags & 0x7f);
	}
	if (len >= 4)
		dmm_uint(wk->out, TUN(F_MINENC_CHECKSUM), csum);
	if (orig_dst)
		dmm_addr4(wk->out, TUN(F_MINENC_DST), orig_dst);
	if (orig_src)
		dmm_addr4(wk->out, TUN(F_MINENC_SRC), orig_src);
	if (dmm_cursor_error(wk->out, &c)) {
		dmm_close(wk->out);
		return;
	}
	if (inet_fold(inet_sum(p, c.pos, 0)) != 0)
		dmm_error(wk->out, "bad checksum");
	dmm_close(wk->out);
	/* The forwarding header stands for the inner IPv4 header: its payload
	 * continues one tunnel level deeper. */
	const uint8_t *payload = cur_ptr(&c);
	size_t payload_len = cur_left(&c);
	if (!depth_allowed(wk, depth + 1, payload, payload_len))
		return;
	walk_ipproto(wk, proto, payload, payload_len, depth + 1, NULL, NULL);
}

/* ------------------------------------------------- protocol dispatching */

/* Payload of an IP header at tunnel depth 'depth'. mh_src/mh_dst are the
 * IPv6 pseudo-header addresses (HAO and routing applied), NULL after IPv4. */
static void walk_ipproto(struct walk *wk, uint8_t proto, const uint8_t *p, size_t len,
                         unsigned depth, const uint8_t *mh_src, const uint8_t *mh_dst)
{
	switch (proto) {
	case PKT_PROTO_MH:
		if (mh_src) {
			leaf_mh(wk, p, len, mh_src, mh_dst);
			return;
		}
		break;
	case PKT_PROTO_IPIP:
		walk_ip(wk, p, len, depth + 1, 4);
		return;
	case PKT_PROTO_IPV6:
		walk_ip(wk, p, len, depth + 1, 6);
		return;
	case PKT_PROTO_GRE:
		walk_gre(wk, p, len, depth);
		return;
	case PKT_PROTO_MINENC:
		walk_minenc(wk, p, len, depth);
		return;
	case PKT_PROTO_UDP:
		walk_udp(wk, p, len, depth);
		return;
	case PKT_PROTO_NONE:
		break;
	}
	show_data(wk, p, len);
}

/* ----------------------------------------------------------------- IPv4 */

static void walk_ipv4(struct walk *wk, const uint8_t *p, size_t len, unsigned depth)
{
	struct dmm_cursor c;
	cur_init(&c, p, len);
	int errors_before = wk->out->errors;
	const char *label = NULL;
	if (want_labels(wk) && len >= 20)
		label = address_label("Internet Protocol Version 4", DMM_FT_IPV4, p + 12, p + 16);
	open_layer(wk, IP4(F_IP), "ip", label);
	uint8_t vhl = cur_u8(&c);
	uint8_t tos = cur_u8(&c);
	uint16_t total = cur_u16(&c);
	uint16_t id = cur_u16(&c);
	uint16_t flags_frag = cur_u16(&c);
	uint8_t ttl = cur_u8(&c);
	uint8_t proto = cur_u8(&c);
	uint16_t csum = cur_u16(&c);
	const uint8_t *src = cur_bytes(&c, 4);
	const uint8_t *dst = cur_bytes(&c, 4);
	unsigned hdr_len = (vhl & 15u) * 4;
	if (len >= 1) {
		dmm_uint(wk->out, IP4(F_IP_VERSION), vhl >> 4);
		dmm_uint(wk->out, IP4(F_IP_HDR_LEN), hdr_len);
	}
	if (len >= 2) {
		dmm_uint(wk->out, IP4(F_IP_DSFIELD), tos);
		dmm_uint(wk->out, IP4(F_IP_DSCP), tos >> 2);
		dmm_uint(wk->out, IP4(F_IP_ECN), tos & 3);
	}
	if (len >= 4)
		dmm_uint(wk->out, IP4(F_IP_LEN), total);
	if (len >= 6)
		dmm_uint(wk->out, IP4(F_IP_ID), id);
	if (len >= 8) {
		dmm_uint(wk->out, IP4(F_IP_FLAGS), flags_frag >> 13);
		dmm_bool(wk->out, IP4(F_IP_FLAGS_RB), flags_frag & 0x8000);
		dmm_bool(wk->out, IP4(F_IP_FLAGS_DF), flags_frag & 0x4000);
		dmm_bool(wk->out, IP4(F_IP_FLAGS_MF), flags_frag & 0x2000);
		dmm_uint(wk->out, IP4(F_IP_FRAG_OFFSET), flags_frag & 0x1fff);
	}
	if (len >= 9)
		dmm_uint(wk->out, IP4(F_IP_TTL), ttl);
	if (len >= 10)
		dmm_uint(wk->out, IP4(F_IP_PROTO), proto);
	if (len >= 12)
		dmm_uint(wk->out, IP4(F_IP_CHECKSUM), csum);
	if (src)
		dmm_addr4(wk->out, IP4(F_IP_SRC), src);
	if (dst)
		dmm_addr4(wk->out, IP4(F_IP_DST), dst);
	if (cur_ok(&c) && hdr_len < 20)
		cur_invalid(&c, "IPv4 header length below 20");
	if (cur_ok(&c) && total < hdr_len)
		cur_invalid(&c, "IPv4 total length below header length");
	if (cur_ok(&c) && hdr_len > 20) {
		const uint8_t *options = cur_bytes(&c, hdr_len - 20u);
		if (options)
			dmm_bytes(wk->out, IP4(F_IP_OPTIONS), options, hdr_len - 20u);
	}
	if (dmm_cursor_error(wk->out, &c)) {
		dmm_close(wk->out);
		if (c.err == DMM_EINVAL)
			show_data(wk, p + 20, len - 20);
		return;
	}
	dmm_close(wk->out);

	size_t payload_len = total - hdr_len;
	int is_short = payload_len > cur_left(&c);
	if (is_short)
		payload_len = cur_left(&c);
	const uint8_t *payload = cur_ptr(&c);
	int outer_cut = wk->payload_cut;
	wk->payload_cut = is_short;
	if (flags_frag & 0x1fff)
		show_data(wk, payload, payload_len); /* non-first fragment */
	else
		walk_ipproto(wk, proto, payload, payload_len, depth, NULL, NULL);
	wk->payload_cut = outer_cut;
	report_short(wk, is_short, errors_before);
}

/* ----------------------------------------------------------------- IPv6 */

/* Hop-by-Hop or Destination Options body (c spans the options). A Home
 * Address option (RFC 6275 §6.3) is returned through *hoa. */
static void walk_ipv6_options(struct walk *wk, struct dmm_cursor *c, const uint8_t **hoa)
{
	while (cur_ok(c) && cur_left(c) > 0) {
		uint8_t type = cur_u8(c);
		dmm_open(wk->out, IP6(F_IPV6_OPT),
		         type == 0                ? "Pad1"
		         : type == 1              ? "PadN"
		         : type == PKT_HAO_OPTION ? "Home Address Option"
		                                  : "IPv6 Option");
		dmm_uint(wk->out, IP6(F_IPV6_OPT_TYPE), type);
		if (type == 0) {
			dmm_close(wk->out);
			continue;
		}
		uint8_t olen = cur_u8(c);
		const uint8_t *body = cur_bytes(c, olen);
		if (body) {
			dmm_uint(wk->out, IP6(F_IPV6_OPT_LENGTH), olen);
			if (type == 1) {
				dmm_bytes(wk->out, IP6(F_IPV6_OPT_PADN), body, olen);
			} else if (type == PKT_HAO_OPTION) {
				if (olen != 16) {
					cur_invalid(c, "Home Address option length not 16");
				} else {
					dmm_addr6(wk->out, IP6(F_IPV6_OPT_HOA), body);
					if (hoa)
						*hoa = body;
				}
			} else {
				dmm_bytes(wk->out, IP6(F_IPV6_OPT_UNKNOWN), body, olen);
			}
		}
		dmm_close(wk->out);
	}
}

static void walk_ipv6(struct walk *wk, const uint8_t *p, size_t len, unsigned depth)
{
	struct dmm_cursor c;
	cur_init(&c, p, len);
	int errors_before = wk->out->errors;
	const char *label = NULL;
	if (want_labels(wk) && len >= 40)
		label = address_label("Internet Protocol Version 6", DMM_FT_IPV6, p + 8, p + 24);
	open_layer(wk, IP6(F_IPV6), "ipv6", label);
	uint32_t vtf = cur_u32(&c);
	uint16_t plen = cur_u16(&c);
	uint8_t nxt = cur_u8(&c);
	uint8_t hlim = cur_u8(&c);
	const uint8_t *src = cur_bytes(&c, 16);
	const uint8_t *dst = cur_bytes(&c, 16);
	if (len >= 1)
		dmm_uint(wk->out, IP6(F_IPV6_VERSION), p[0] >> 4);
	if (len >= 4) {
		uint32_t tclass = (vtf >> 20) & 0xff;
		dmm_uint(wk->out, IP6(F_IPV6_TCLASS), tclass);
		dmm_uint(wk->out, IP6(F_IPV6_DSCP), tclass >> 2);
		dmm_uint(wk->out, IP6(F_IPV6_ECN), tclass & 3);
		dmm_uint(wk->out, IP6(F_IPV6_FLOW), vtf & 0xfffff);
	}
	if (len >= 6)
		dmm_uint(wk->out, IP6(F_IPV6_PLEN), plen);
	if (len >= 7)
		dmm_uint(wk->out, IP6(F_IPV6_NXT), nxt);
	if (len >= 8)
		dmm_uint(wk->out, IP6(F_IPV6_HLIM), hlim);
	if (src)
		dmm_addr6(wk->out, IP6(F_IPV6_SRC), src);
	if (dst)
		dmm_addr6(wk->out, IP6(F_IPV6_DST), dst);
	if (dmm_cursor_error(wk->out, &c)) {
		dmm_close(wk->out);
		return;
	}

	/* The payload region: what Payload Length declares, cut to the capture. */
	int is_short = plen > cur_left(&c);
	struct dmm_cursor pc = cur_sub(&c, is_short ? cur_left(&c) : plen);
	const uint8_t *mh_src = src, *mh_dst = dst;
	unsigned ext_count = 0;
	int non_first_fragment = 0;
	while (cur_ok(&pc) && !non_first_fragment &&
	       (nxt == PKT_PROTO_HOPOPTS || nxt == PKT_PROTO_DSTOPTS || nxt == PKT_PROTO_ROUTING ||
	        nxt == PKT_PROTO_FRAGMENT)) {
		if (++ext_count > PKT_MAX_EXT_HEADERS) {
			cur_invalid(&pc, "more than 16 IPv6 extension headers");
			break;
		}
		uint8_t this_header = nxt;
		if (this_header == PKT_PROTO_FRAGMENT) {
			add_proto(wk, "ipv6.fraghdr");
			dmm_open(wk->out, IP6(F_IPV6_FRAGHDR), "Fragment Header for IPv6");
			nxt = cur_u8(&pc);
			uint8_t reserved = cur_u8(&pc);
			uint16_t off = cur_u16(&pc);
			uint32_t ident = cur_u32(&pc);
			if (cur_ok(&pc)) {
				dmm_uint(wk->out, IP6(F_IPV6_FRAGHDR_NXT), nxt);
				dmm_uint(wk->out, IP6(F_IPV6_FRAGHDR_RESERVED_OCTET), reserved);
				dmm_uint(wk->out, IP6(F_IPV6_FRAGHDR_OFFSET), off >> 3);
				dmm_uint(wk->out, IP6(F_IPV6_FRAGHDR_RESERVED_BITS),
				         (off >> 1) & 3);
				dmm_bool(wk->out, IP6(F_IPV6_FRAGHDR_MORE), off & 1);
				dmm_uint(wk->out, IP6(F_IPV6_FRAGHDR_IDENT), ident);
				non_first_fragment = (off >> 3) != 0;
			}
			dmm_close(wk->out);
			continue;
		}
		int is_routing = this_header == PKT_PROTO_ROUTING;
		int is_hop = this_header == PKT_PROTO_HOPOPTS;
		const struct dmm_field *node = is_routing ? IP6(F_IPV6_ROUTING)
		                               : is_hop   ? IP6(F_IPV6_HOPOPTS)
		                                          : IP6(F_IPV6_DSTOPTS);
		add_proto(wk, node->abbrev);
		dmm_open(wk->out, node, node->name);
		nxt = cur_u8(&pc);
		uint8_t hdr_ext_len = cur_u8(&pc);
		if (cur_ok(&pc)) {
			dmm_uint(wk->out,
			         is_routing ? IP6(F_IPV6_ROUTING_NXT)
			         : is_hop   ? IP6(F_IPV6_HOPOPTS_NXT)
			                    : IP6(F_IPV6_DSTOPTS_NXT),
			         nxt);
			dmm_uint(wk->out,
			         is_routing ? IP6(F_IPV6_ROUTING_LEN)
			         : is_hop   ? IP6(F_IPV6_HOPOPTS_LEN)
			                    : IP6(F_IPV6_DSTOPTS_LEN),
			         hdr_ext_len);
		}
		struct dmm_cursor body = cur_sub(&pc, (hdr_ext_len + 1u) * 8 - 2);
		if (!cur_ok(&pc)) {
			dmm_close(wk->out);
			break;
		}
		if (!is_routing) {
			const uint8_t *hoa = NULL;
			walk_ipv6_options(wk, &body, &hoa);
			if (hoa && !is_hop)
				mh_src = hoa; /* RFC 6275 §6.1.1: the home address is the source */
		} else {
			uint8_t type = cur_u8(&body);
			uint8_t segleft = cur_u8(&body);
			dmm_uint(wk->out, IP6(F_IPV6_ROUTING_TYPE), type);
			dmm_uint(wk->out, IP6(F_IPV6_ROUTING_SEGLEFT), segleft);
			if (type == 2 && hdr_ext_len != 2)
				cur_invalid(&body, "type 2 routing header length not 2");
			if (type == 0 && (hdr_ext_len & 1))
				cur_invalid(&body, "type 0 routing header length odd");
			if (cur_ok(&body) && (type == 0 || type == 2)) {
				const uint8_t *reserved = cur_bytes(&body, 4);
				dmm_bytes(wk->out,
				          type == 2 ? IP6(F_IPV6_ROUTING_MIPV6_RESERVED)
				                    : IP6(F_IPV6_ROUTING_SRC_RESERVED),
				          reserved, 4);
				const uint8_t *last = NULL;
				while (cur_left(&body) >= 16) {
					last = cur_bytes(&body, 16);
					dmm_addr6(wk->out,
					          type == 2 ? IP6(F_IPV6_ROUTING_MIPV6_HOA)
					                    : IP6(F_IPV6_ROUTING_SRC_ADDR),
					          last);
				}
				/* RFC 8200 §8.1: the final destination is the last address
				 * while segments are left. */
				if (last && segleft > 0)
					mh_dst = last;
			} else if (cur_ok(&body) && cur_left(&body)) {
				dmm_bytes(wk->out, IP6(F_IPV6_ROUTING_UNKNOWN), cur_ptr(&body),
				          cur_left(&body));
			}
		}
		if (body.err == DMM_EINVAL)
			cur_invalid(&pc, body.why);
		dmm_close(wk->out);
	}
	if (dmm_cursor_error(wk->out, &pc)) {
		dmm_close(wk->out);
		if (pc.err == DMM_EINVAL)
			show_data(wk, p + 40, len - 40);
		return;
	}
	dmm_close(wk->out);

	const uint8_t *payload = cur_ptr(&pc);
	size_t payload_len = cur_left(&pc);
	int outer_cut = wk->payload_cut;
	wk->payload_cut = is_short;
	if (non_first_fragment)
		show_data(wk, payload, payload_len);
	else
		walk_ipproto(wk, nxt, payload, payload_len, depth, mh_src, mh_dst);
	wk->payload_cut = outer_cut;
	report_short(wk, is_short, errors_before);
}

/* IPv4 or IPv6 by version nibble; want_version 4/6 when the outer header
 * named the inner protocol, 0 to accept either. */
static void walk_ip(struct walk *wk, const uint8_t *p, size_t len, unsigned depth, int want_version)
{
	if (!depth_allowed(wk, depth, p, len))
		return;
	if (len == 0) {
		dmm_error(wk->out, "truncated");
		return;
	}
	int version = p[0] >> 4;
	if (want_version && version != want_version) {
		dmm_error(wk->out, want_version == 4 ? "invalid: inner packet is not IPv4"
		                                     : "invalid: inner packet is not IPv6");
		show_data(wk, p, len);
		return;
	}
	if (version == 4)
		walk_ipv4(wk, p, len, depth);
	else if (version == 6)
		walk_ipv6(wk, p, len, depth);
	else {
		dmm_error(wk->out, "invalid: IP version neither 4 nor 6");
		show_data(wk, p, len);
	}
}

/* ----------------------------------------------------------- link layers */

static void walk_ethertype(struct walk *wk, uint16_t type, const uint8_t *p, size_t len)
{
	if (type == PKT_ETHERTYPE_IPV4)
		walk_ip(wk, p, len, 0, 4);
	else if (type == PKT_ETHERTYPE_IPV6)
		walk_ip(wk, p, len, 0, 6);
	else
		show_data(wk, p, len);
}

/* Octets of an Ethernet frame after the IP packet its header declares (padding to the
 * 60-octet minimum, trailers): eth.padding when all zero, else eth.trailer (tshark). */
static void show_eth_trailer(struct walk *wk, const uint8_t *p, size_t len, uint16_t type)
{
	size_t pos = 14, declared;
	for (unsigned tags = 0;
	     (type == PKT_ETHERTYPE_VLAN || type == PKT_ETHERTYPE_QINQ || type == 0x9100) &&
	     tags < PKT_MAX_VLAN_TAGS && pos + 4 <= len;
	     tags++, pos += 4)
		type = (uint16_t)(p[pos + 2] << 8 | p[pos + 3]);
	const uint8_t *ip = p + pos;
	size_t ip_len = pos <= len ? len - pos : 0;
	if (type == PKT_ETHERTYPE_IPV4 && ip_len >= 4 && ip[0] >> 4 == 4)
		declared = (size_t)(ip[2] << 8 | ip[3]);
	else if (type == PKT_ETHERTYPE_IPV6 && ip_len >= 6 && ip[0] >> 4 == 6)
		declared = 40 + (size_t)(ip[4] << 8 | ip[5]);
	else
		return;
	if (declared < 20 || declared >= ip_len)
		return;
	const uint8_t *rest = ip + declared;
	size_t n = ip_len - declared, zero = 0;
	while (zero < n && rest[zero] == 0)
		zero++;
	dmm_bytes(wk->out, zero == n ? LINK(F_ETH_PADDING) : LINK(F_ETH_TRAILER), rest, n);
}

static void walk_ethernet(struct walk *wk, const uint8_t *p, size_t len)
{
	struct dmm_cursor c;
	cur_init(&c, p, len);
	const char *label = NULL;
	if (want_labels(wk) && len >= 12)
		label = address_label("Ethernet II", DMM_FT_ETHER, p + 6, p);
	open_layer(wk, LINK(F_ETH), "eth", label);
	const uint8_t *dst = cur_bytes(&c, 6);
	const uint8_t *src = cur_bytes(&c, 6);
	uint16_t type = cur_u16(&c);
	if (dst)
		dmm_bytes(wk->out, LINK(F_ETH_DST), dst, 6);
	if (src)
		dmm_bytes(wk->out, LINK(F_ETH_SRC), src, 6);
	if (dmm_cursor_error(wk->out, &c)) {
		dmm_close(wk->out);
		return;
	}
	if (type <= 1500) { /* IEEE 802.3 length: LLC is not dissected */
		dmm_uint(wk->out, LINK(F_ETH_LEN), type);
		dmm_close(wk->out);
		show_rest(wk, &c);
		return;
	}
	dmm_uint(wk->out, LINK(F_ETH_TYPE), type);
	show_eth_trailer(wk, p, len, type);
	dmm_close(wk->out);
	add_proto(wk, "ethertype");
	for (unsigned tags = 0;
	     type == PKT_ETHERTYPE_VLAN || type == PKT_ETHERTYPE_QINQ || type == 0x9100; tags++) {
		if (tags == PKT_MAX_VLAN_TAGS) {
			dmm_error(wk->out, "invalid: more than 4 VLAN tags");
			show_rest(wk, &c);
			return;
		}
		const char *vlabel = NULL;
		if (want_labels(wk) && cur_left(&c) >= 2) {
			const uint8_t *tci = cur_ptr(&c);
			char text[LABEL_MAX];
			char *q = dmm_put_text(text, "802.1Q Virtual LAN, PRI: ");
			q = dmm_put_decimal(q, tci[0] >> 5);
			q = dmm_put_decimal(dmm_put_text(q, ", DEI: "), (tci[0] >> 4) & 1);
			q = dmm_put_decimal(dmm_put_text(q, ", ID: "),
			                    (tci[0] & 15u) << 8 | tci[1]);
			vlabel = arena_keep(text, q);
		}
		open_layer(wk, LINK(F_VLAN), "vlan", vlabel);
		uint16_t tci = cur_u16(&c);
		type = cur_u16(&c);
		if (dmm_cursor_error(wk->out, &c)) {
			dmm_close(wk->out);
			return;
		}
		dmm_uint(wk->out, LINK(F_VLAN_PRIORITY), tci >> 13);
		dmm_bool(wk->out, LINK(F_VLAN_DEI), tci & 0x1000);
		dmm_uint(wk->out, LINK(F_VLAN_ID), tci & 0xfff);
		dmm_uint(wk->out, LINK(F_VLAN_ETYPE), type);
		dmm_close(wk->out);
		add_proto(wk, "ethertype");
	}
	walk_ethertype(wk, type, cur_ptr(&c), cur_left(&c));
}

/* Linux cooked capture v1 (16 octets) and v2 (20 octets). */
static void walk_sll(struct walk *wk, const uint8_t *p, size_t len, int v2)
{
	struct dmm_cursor c;
	cur_init(&c, p, len);
	open_layer(wk, LINK(F_SLL), "sll",
	           v2 ? "Linux cooked capture v2" : "Linux cooked capture v1");
	uint16_t type = 0, pkttype, hatype, halen;
	if (v2) {
		type = cur_u16(&c);
		uint16_t reserved = cur_u16(&c);
		uint32_t ifindex = cur_u32(&c);
		hatype = cur_u16(&c);
		pkttype = cur_u8(&c);
		halen = cur_u8(&c);
		if (cur_ok(&c)) {
			dmm_uint(wk->out, LINK(F_SLL_ETYPE), type);
			dmm_uint(wk->out, LINK(F_SLL_RESERVED), reserved);
			dmm_uint(wk->out, LINK(F_SLL_IFINDEX), ifindex);
			dmm_uint(wk->out, LINK(F_SLL_HATYPE), hatype);
			dmm_uint(wk->out, LINK(F_SLL_PKTTYPE), pkttype);
			dmm_uint(wk->out, LINK(F_SLL_HALEN), halen);
		}
	} else {
		pkttype = cur_u16(&c);
		hatype = cur_u16(&c);
		halen = cur_u16(&c);
		if (cur_ok(&c)) {
			dmm_uint(wk->out, LINK(F_SLL_PKTTYPE), pkttype);
			dmm_uint(wk->out, LINK(F_SLL_HATYPE), hatype);
			dmm_uint(wk->out, LINK(F_SLL_HALEN), halen);
		}
	}
	const uint8_t *addr = cur_bytes(&c, 8);
	if (addr) {
		size_t shown = halen < 8 ? halen : 8;
		if (hatype == 1 && halen == 6)
			dmm_bytes(wk->out, LINK(F_SLL_SRC_ETH), addr, 6);
		else if (shown)
			dmm_bytes(wk->out, LINK(F_SLL_SRC_OTHER), addr, shown);
		if (shown < 8)
			dmm_bytes(wk->out, LINK(F_SLL_UNUSED), addr + shown, 8 - shown);
	}
	if (!v2) {
		type = cur_u16(&c);
		if (cur_ok(&c))
			dmm_uint(wk->out, type > 1500 ? LINK(F_SLL_ETYPE) : LINK(F_SLL_LTYPE),
			         type);
	}
	if (dmm_cursor_error(wk->out, &c)) {
		dmm_close(wk->out);
		return;
	}
	dmm_close(wk->out);
	if (type <= 1500) {
		show_rest(wk, &c);
		return;
	}
	add_proto(wk, "ethertype");
	walk_ethertype(wk, type, cur_ptr(&c), cur_left(&c));
}

/* BSD loopback: a 4-octet address family, host order (NULL) or network order (LOOP). */
static void walk_null(struct walk *wk, const uint8_t *p, size_t len, int network_order)
{
	struct dmm_cursor c;
	cur_init(&c, p, len);
	open_layer(wk, LINK(F_NULL), "null", NULL);
	uint32_t family = cur_u32(&c);
	if (dmm_cursor_error(wk->out, &c)) {
		dmm_close(wk->out);
		return;
	}
	/* Host order of the capturing machine is unknown: a value that only fits
	 * after swapping was written little-endian. */
	if (!network_order && (family & 0xffff0000u))
		family = __builtin_bswap32(family);
	dmm_uint(wk->out, LINK(F_NULL_FAMILY), family);
	dmm_close(wk->out);
	if (family == 2)
		walk_ip(wk, cur_ptr(&c), cur_left(&c), 0, 4);
	else if (family == 10 || family == 24 || family == 28 || family == 30)
		walk_ip(wk, cur_ptr(&c), cur_left(&c), 0, 6);
	else
		show_rest(wk, &c);
}

static void walk_link(struct walk *wk, int linktype, const uint8_t *p, size_t len)
{
	switch (linktype) {
	case LINK_EN10MB:
		walk_ethernet(wk, p, len);
		return;
	case LINK_LINUX_SLL:
		walk_sll(wk, p, len, 0);
		return;
	case LINK_LINUX_SLL2:
		walk_sll(wk, p, len, 1);
		return;
	case LINK_RAW:
	case LINK_RAW_BSD:
	case LINK_RAW_OPENBSD:
		open_layer(wk, LINK(F_RAW), "raw", NULL);
		dmm_close(wk->out);
		walk_ip(wk, p, len, 0, 0);
		return;
	case LINK_IPV4:
		walk_ip(wk, p, len, 0, 4);
		return;
	case LINK_IPV6:
		walk_ip(wk, p, len, 0, 6);
		return;
	case LINK_NULL:
		walk_null(wk, p, len, 0);
		return;
	case LINK_LOOP:
		walk_null(wk, p, len, 1);
		return;
	}
	show_data(wk, p, len);
}

/* ------------------------------------------------------------ entry points */

void dmm_dissect_frame(const struct dmm_frame *fr, const uint8_t *p, struct dmm_out *out)
{
	arena_enter();
	unsigned flags = out ? out->flags : 0;
	char protos[PKT_PROTOS_CAP];
	const char *label = NULL, *epoch = NULL, *protocols = NULL;
	protos[0] = 0;
	if (flags & DMM_OUT_FRAME_STRINGS) {
		/* frame.protocols comes first but needs the whole chain: a quiet pass */
		struct dmm_out quiet = {&quiet_ops, NULL, 0, 0};
		struct walk collect = {&quiet, protos, 0, 0};
		walk_link(&collect, fr->linktype, p, fr->caplen);
		char text[LABEL_MAX];
		char *q = text;
		uint64_t sec = (uint64_t)fr->ts_sec;
		uint32_t nsec = fr->ts_nsec;
		if (fr->ts_sec < 0) {
			*q++ = '-';
			sec = 0 - sec;
			if (nsec > 0) { /* e.g. -1 s + 0.5 s = -0.5 s */
				sec--;
				nsec = 1000000000u - nsec;
			}
		}
		q = dmm_put_decimal(q, sec);
		*q++ = '.';
		epoch = arena_keep(text, dmm_put_zero_padded(q, nsec, 9));
		protocols = arena_keep(protos, protos + strlen(protos));
	}
	if (flags & DMM_OUT_LABELS) {
		char text[LABEL_MAX];
		char *q = dmm_put_decimal(dmm_put_text(text, "Frame "), fr->number);
		q = dmm_put_decimal(dmm_put_text(q, ": "), fr->wirelen);
		q = dmm_put_decimal(dmm_put_text(q, " bytes on wire ("), (uint64_t)fr->wirelen * 8);
		q = dmm_put_decimal(dmm_put_text(q, " bits), "), fr->caplen);
		q = dmm_put_decimal(dmm_put_text(q, " bytes captured ("), (uint64_t)fr->caplen * 8);
		label = arena_keep(text, dmm_put_text(q, " bits)"));
	}
	dmm_open(out, FRAME(F_FRAME), label ? label : FRAME(F_FRAME)->name);
	dmm_uint(out, FRAME(F_FRAME_NUMBER), fr->number);
	if (epoch)
		dmm_string(out, FRAME(F_FRAME_TIME_EPOCH), (const uint8_t *)epoch, strlen(epoch));
	dmm_uint(out, FRAME(F_FRAME_LEN), fr->wirelen);
	dmm_uint(out, FRAME(F_FRAME_CAP_LEN), fr->caplen);
	if (protocols)
		dmm_string(out, FRAME(F_FRAME_PROTOCOLS), (const uint8_t *)protocols,
		           strlen(protocols));
	dmm_close(out);

	struct dmm_out discard = {&quiet_ops, NULL, 0, 0};
	struct walk emit = {out ? out : &discard, NULL, 0, 0};
	walk_link(&emit, fr->linktype, p, fr->caplen);
	arena_leave();
}

void dmm_dissect_ip(const uint8_t *p, size_t len, unsigned depth, struct dmm_out *out)
{
	arena_enter();
	struct dmm_out discard = {&quiet_ops, NULL, 0, 0};
	struct walk emit = {out ? out : &discard, NULL, 0, 0};
	walk_ip(&emit, p, len, depth, 0);
	arena_leave();
}

void dmm_dissect_ipproto(uint8_t protocol, const uint8_t *p, size_t len, unsigned depth,
                         struct dmm_out *out)
{
	arena_enter();
	struct dmm_out discard = {&quiet_ops, NULL, 0, 0};
	struct walk emit = {out ? out : &discard, NULL, 0, 0};
	walk_ipproto(&emit, protocol, p, len, depth, NULL, NULL);
	arena_leave();
}

/* --------------------------------------------------------------- builders */

static int written(const struct dmm_wbuf *w, size_t start)
{
	return w->err ? -1 : (int)(w->len - start);
}

int pkt_eth(struct dmm_wbuf *w, const uint8_t dst[6], const uint8_t src[6], uint16_t ethertype)
{
	size_t start = w->len;
	wb_bytes(w, dst, 6);
	wb_bytes(w, src, 6);
	wb_u16(w, ethertype);
	return written(w, start);
}

int pkt_ipv4_begin(struct dmm_wbuf *w, const struct pkt_ipv4_hdr *h, struct pkt_mark *m)
{
	if (h->options_len % 4 || h->options_len > 40)
		return -1;
	size_t start = w->len;
	m->hdr = start;
	m->ip_version = 4;
	m->flags = 0;
	wb_u8(w, (uint8_t)(0x45 + h->options_len / 4));
	wb_u8(w, h->tos);
	wb_u16(w, 0); /* total length: pkt_ipv4_end */
	wb_u16(w, h->id);
	wb_u16(w, h->flags_frag);
	wb_u8(w, h->ttl ? h->ttl : 64);
	wb_u8(w, h->protocol);
	wb_u16(w, 0); /* checksum: pkt_ipv4_end */
	wb_bytes(w, h->src, 4);
	wb_bytes(w, h->dst, 4);
	if (h->options_len)
		wb_bytes(w, h->options, h->options_len);
	m->payload = w->len;
	return written(w, start);
}

int pkt_ipv4_end(struct dmm_wbuf *w, const struct pkt_mark *m)
{
	if (w->err || w->len - m->hdr > 0xffff)
		return -1;
	size_t hdr_len = m->payload - m->hdr;
	wb_put16_at(w, m->hdr + 2, (uint16_t)(w->len - m->hdr));
	wb_put16_at(w, m->hdr + 10, 0);
	wb_put16_at(w, m->hdr + 10, inet_fold(inet_sum(w->p + m->hdr, hdr_len, 0)));
	return written(w, m->hdr);
}

int pkt_ipv6_begin(struct dmm_wbuf *w, const struct pkt_ipv6_hdr *h, struct pkt_mark *m)
{
	size_t start = w->len;
	m->hdr = start;
	m->ip_version = 6;
	m->flags = h->home_address ? MARK_HAS_HAO : 0;
	wb_u32(w, 6u << 28 | (uint32_t)h->traffic_class << 20 | (h->flow_label & 0xfffff));
	wb_u16(w, 0); /* payload length: pkt_ipv6_end */
	wb_u8(w, h->home_address ? PKT_PROTO_DSTOPTS : h->next_header);
	wb_u8(w, h->hop_limit ? h->hop_limit : 64);
	wb_bytes(w, h->src, 16);
	wb_bytes(w, h->dst, 16);
	if (h->home_address) {
		/* RFC 6275 §6.3: the option is 8n+6 aligned; PadN(2) puts it there
		 * and the header is 24 octets (Hdr Ext Len 2). */
		wb_u8(w, h->next_header);
		wb_u8(w, 2);
		wb_u8(w, 1); /* PadN */
		wb_u8(w, 2);
		wb_zero(w, 2);
		wb_u8(w, PKT_HAO_OPTION);
		wb_u8(w, 16);
		wb_bytes(w, h->home_address, 16);
	}
	m->payload = m->hdr + 40; /* extension headers count in the payload length */
	return written(w, start);
}

int pkt_ipv6_end(struct dmm_wbuf *w, const struct pkt_mark *m)
{
	if (w->err || w->len - m->payload > 0xffff)
		return -1;
	wb_put16_at(w, m->hdr + 4, (uint16_t)(w->len - m->payload));
	return written(w, m->hdr);
}

int pkt_udp_begin(struct dmm_wbuf *w, const struct pkt_mark *ip, uint16_t src_port,
                  uint16_t dst_port, unsigned flags, struct pkt_mark *m)
{
	size_t start = w->len;
	m->hdr = start;
	m->payload = start + 8;
	m->ip_hdr = ip->hdr;
	m->ip_version = ip->ip_version;
	m->flags = (uint8_t)((flags & PKT_UDP_NO_CSUM) | (ip->flags & MARK_HAS_HAO));
	wb_u16(w, src_port);
	wb_u16(w, dst_port);
	wb_u16(w, 0); /* length: pkt_udp_end */
	wb_u16(w, 0); /* checksum: pkt_udp_end */
	return written(w, start);
}

int pkt_udp_end(struct dmm_wbuf *w, const struct pkt_mark *m)
{
	size_t udp_len = w->len - m->hdr;
	if (w->err || udp_len > 0xffff)
		return -1;
	wb_put16_at(w, m->hdr + 4, (uint16_t)udp_len);
	wb_put16_at(w, m->hdr + 6, 0);
	if (m->ip_version == 4 && (m->flags & PKT_UDP_NO_CSUM))
		return written(w, m->hdr);
	/* Pseudo-header (RFC 768; RFC 8200 §8.1): addresses, length, protocol. */
	const uint8_t *ip = w->p + m->ip_hdr;
	uint32_t sum;
	if (m->ip_version == 4)
		sum = inet_sum(ip + 12, 8, 0);
	else if (m->flags & MARK_HAS_HAO) /* RFC 6275 §6.3: the home address is the source */
		sum = inet_sum(ip + MARK_HAO_OFFSET, 16, inet_sum(ip + 24, 16, 0));
	else
		sum = inet_sum(ip + 8, 32, 0);
	sum += (uint32_t)udp_len + PKT_PROTO_UDP;
	sum = inet_sum(w->p + m->hdr, udp_len, sum);
	uint16_t csum = inet_fold(sum);
	wb_put16_at(w, m->hdr + 6, csum ? csum : 0xffff);
	return written(w, m->hdr);
}

int pkt_gre_begin(struct dmm_wbuf *w, const struct pkt_gre_hdr *h, struct pkt_mark *m)
{
	size_t start = w->len;
	uint16_t fv = (uint16_t)((h->has_checksum ? 0x8000 : 0) | (h->has_key ? 0x2000 : 0) |
	                         (h->has_sequence ? 0x1000 : 0));
	m->hdr = start;
	m->flags = h->has_checksum ? MARK_GRE_CHECKSUM : 0;
	wb_u16(w, fv);
	wb_u16(w, h->protocol);
	if (h->has_checksum)
		wb_u32(w, 0); /* checksum + Reserved1: pkt_gre_end */
	if (h->has_key)
		wb_u32(w, h->key);
	if (h->has_sequence)
		wb_u32(w, h->sequence);
	m->payload = w->len;
	return written(w, start);
}

int pkt_gre_end(struct dmm_wbuf *w, const struct pkt_mark *m)
{
	if (w->err)
		return -1;
	if (m->flags & MARK_GRE_CHECKSUM)
		wb_put16_at(w, m->hdr + 4, inet_fold(inet_sum(w->p + m->hdr, w->len - m->hdr, 0)));
	return written(w, m->hdr);
}

int pkt_minenc(struct dmm_wbuf *w, uint8_t protocol, const uint8_t orig_dst[4],
               const uint8_t orig_src[4])
{
	size_t start = w->len;
	wb_u8(w, protocol);
	wb_u8(w, orig_src ? 0x80 : 0);
	wb_u16(w, 0);
	wb_bytes(w, orig_dst, 4);
	if (orig_src)
		wb_bytes(w, orig_src, 4);
	if (!w->err)
		wb_put16_at(w, start + 2, inet_fold(inet_sum(w->p + start, w->len - start, 0)));
	return written(w, start);
}

int pkt_ipv4(struct dmm_wbuf *w, const struct pkt_ipv4_hdr *h, const void *payload, size_t len)
{
	struct pkt_mark m;
	if (pkt_ipv4_begin(w, h, &m) < 0)
		return -1;
	wb_bytes(w, payload, len);
	return pkt_ipv4_end(w, &m);
}

int pkt_ipv6(struct dmm_wbuf *w, const struct pkt_ipv6_hdr *h, const void *payload, size_t len)
{
	struct pkt_mark m;
	if (pkt_ipv6_begin(w, h, &m) < 0)
		return -1;
	wb_bytes(w, payload, len);
	return pkt_ipv6_end(w, &m);
}

int pkt_udp4(struct dmm_wbuf *w, const struct pkt_ipv4_hdr *h, uint16_t src_port, uint16_t dst_port,
             unsigned flags, const void *payload, size_t len)
{
	struct pkt_ipv4_hdr udp_hdr = *h;
	struct pkt_mark ip, udp;
	udp_hdr.protocol = PKT_PROTO_UDP;
	if (pkt_ipv4_begin(w, &udp_hdr, &ip) < 0 ||
	    pkt_udp_begin(w, &ip, src_port, dst_port, flags, &udp) < 0)
		return -1;
	wb_bytes(w, payload, len);
	if (pkt_udp_end(w, &udp) < 0)
		return -1;
	return pkt_ipv4_end(w, &ip);
}

int pkt_udp6(struct dmm_wbuf *w, const struct pkt_ipv6_hdr *h, uint16_t src_port, uint16_t dst_port,
             const void *payload, size_t len)
{
	struct pkt_ipv6_hdr udp_hdr = *h;
	struct pkt_mark ip, udp;
	udp_hdr.next_header = PKT_PROTO_UDP;
	if (pkt_ipv6_begin(w, &udp_hdr, &ip) < 0 ||
	    pkt_udp_begin(w, &ip, src_port, dst_port, 0, &udp) < 0)
		return -1;
	wb_bytes(w, payload, len);
	if (pkt_udp_end(w, &udp) < 0)
		return -1;
	return pkt_ipv6_end(w, &ip);
}

int pkt_gre(struct dmm_wbuf *w, const struct pkt_gre_hdr *h, const void *payload, size_t len)
{
	struct pkt_mark m;
	if (pkt_gre_begin(w, h, &m) < 0)
		return -1;
	wb_bytes(w, payload, len);
	return pkt_gre_end(w, &m);
}
