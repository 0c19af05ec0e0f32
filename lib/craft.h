/* Building messages from command-line option specs: MH (RFC 6275 §6.1, RFC 5213 §8, RFC 8278
 * §4), MIPv4 (RFC 5944 §3, RFC 3519, RFC 3543, RFC 5177, RFC 6521 §5) and their framing. */
#ifndef DMM_CRAFT_H
#define DMM_CRAFT_H

#include "cursor.h"
#include "haaro.h"
#include "mh.h"
#include "mip4.h"

#include <stddef.h>
#include <stdint.h>

enum craft_family {
	CRAFT_MH = 1,   /* IPv6 Mobility Header (or MH over UDP/IPv4, RFC 5844 §6) */
	CRAFT_MIP4 = 2, /* Mobile IPv4 over UDP 434 */
};

/* One subcommand: the message it builds. */
struct craft_msg_def {
	const char *name;   /* "pbu" */
	uint8_t family;     /* enum craft_family */
	uint8_t type;       /* MH type or MIPv4 type (when tba is NULL) */
	const uint8_t *tba; /* MIPv4 HAARO message numbers (dmm_numbers) */
	uint8_t proxy;      /* PMIPv6 defaults (P flag, mandatory options) */
	const char *help;   /* one line for --help */
};

/* Per-packet variation (--vary). */
enum craft_vary {
	CRAFT_VARY_SEQ = 1,  /* MH Sequence Number */
	CRAFT_VARY_ID = 2,   /* MIPv4 Identification (and RR cookies) */
	CRAFT_VARY_MNID = 4, /* the number at the end of the MN-ID user part */
	CRAFT_VARY_HNP = 8,  /* HNP prefixes (+1 per packet at their prefix length) */
};

#define CRAFT_ARENA 16384
#define CRAFT_ERR 256
#define CRAFT_MAX_PFX 32

struct craft {
	const struct craft_msg_def *def;
	struct mh_msg mh;
	struct mip4_msg mip4;
	/* network layer: AF_INET6 or AF_INET, chosen by the addresses given */
	int af;
	uint8_t src[16], dst[16], hao[16];
	uint8_t have_src, have_dst, have_hao;
	uint8_t hop_limit;
	uint8_t tos;
	uint16_t ip_id;
	uint16_t sport, dport;
	/* link layer (--link, --src-mac, --dst-mac) */
	uint8_t link;
	uint8_t src_mac[6], dst_mac[6];
	uint8_t have_src_mac, have_dst_mac;
	/* overrides */
	long truncate; /* -1: none; else octets of the message kept */
	uint8_t bad_csum;
	uint8_t no_defaults;
	/* what the command line gave explicitly (defaults fill the rest) */
	uint8_t given_flags, given_seq, given_ident, given_lifetime, given_ts;
	unsigned given_opts[256]; /* MH options / MIPv4 extensions given, by type */
	unsigned vary;            /* enum craft_vary */
	int last;                 /* index of the last option/extension added, -1 none */
	/* octets referenced by options (NAIs, hex data, keys) */
	uint8_t arena[CRAFT_ARENA];
	size_t arena_len;
	struct haaro_pfx_info pfx[CRAFT_MAX_PFX];
	unsigned n_pfx;
	char err[CRAFT_ERR];
	/* set by craft_build: offsets in the last frame built */
	size_t msg_off;  /* first octet of the MH / MIPv4 message */
	size_t csum_off; /* checksum covering the message (MH or UDP), 0 = none */
	size_t msg_len;
};

/* Argument kinds of craft options. */
enum craft_arg { CRAFT_NO_ARG = 0, CRAFT_ARG = 1, CRAFT_OPT_ARG = 2 };

struct craft_field; /* what a table-driven option sets (craft.c) */

/* One command-line option understood by craft_apply. */
struct craft_opt {
	const char *name; /* long option name without "--" */
	uint8_t arg;      /* enum craft_arg */
	uint8_t families; /* enum craft_family bits the option applies to */
	const char *metavar;
	const char *help;
	int (*apply)(struct craft *c, const struct craft_opt *row, const char *arg);
	const struct craft_field *field; /* the field apply sets, for table-driven options */
};

const struct craft_msg_def *craft_msg_lookup(const char *name);
const struct craft_msg_def *craft_msg_registry(size_t *count);
const struct craft_opt *craft_opt_registry(size_t *count);
const struct craft_opt *craft_opt_lookup(const char *name);

/* Start a message of subcommand def (fields at their RFC defaults). */
void craft_init(struct craft *c, const struct craft_msg_def *def);
/* Apply one option; arg may be NULL for options without argument.
 * Returns 0, or -1 with c->err set. */
int craft_apply(struct craft *c, const char *name, const char *arg);
/* After the last option: add the defaults (mandatory options, timestamp, identification,
 * addresses) and check the message. Returns 0, or -1 with c->err set. */
int craft_finish(struct craft *c);
/* Build the frame of packet number index (0-based; --vary applies index) into w: the
 * Ethernet header when c->link, then IP, UDP and the message. *linktype is the pcap DLT
 * of the frame (1 Ethernet, 101 raw IP). Returns the frame length, or -1 with c->err set. */
int craft_build(struct craft *c, uint64_t index, struct dmm_wbuf *w, int *linktype);

/* Where the fields varied per packet sit in a frame built by craft_build, when they can
 * be patched in place (no authenticator, no truncation, no forced bad checksum): a
 * big-endian counter of width octets at off, incremented by the packet index, and the
 * one's complement checksum at csum_off covering it (0: none). */
struct craft_patch {
	size_t off;
	unsigned width; /* 2 (MH sequence) or 8 (MIPv4 identification) */
	size_t csum_off;
	uint64_t base; /* value in packet 0 */
	uint8_t udp;   /* UDP checksum: 0 means none, a computed 0 is sent as 0xffff */
};
/* Returns 1 and fills p when every varied field can be patched, 0 when packets must be
 * rebuilt (craft_build) one by one, and also 0 without any variation (p->width 0). */
int craft_patch_info(const struct craft *c, struct craft_patch *p);
/* Apply the patch for packet index to a copy of packet 0 (incremental checksum, RFC 1624). */
void craft_patch_apply(const struct craft_patch *p, uint8_t *frame, uint64_t index);

/* Parsers shared with the unit tests. */
int craft_parse_u64(const char *s, uint64_t max, uint64_t *v);
int craft_parse_prefix6(const char *s, uint8_t prefix[16], uint8_t *plen);
int craft_parse_prefix4(const char *s, uint8_t prefix[4], uint8_t *plen);
int craft_parse_mac(const char *s, uint8_t mac[6]);
/* "a,b=1,c": calls fn for each item with key and value (NULL when no '='). */
int craft_parse_kv(const char *s, int (*fn)(void *arg, const char *key, const char *val),
                   void *arg);
/* Mobility Header Timestamp (RFC 5213 §8.8): 48-bit seconds since 1970, 16-bit fraction. */
uint64_t craft_mh_timestamp_now(void);
/* MIPv4 Identification (RFC 5944 §5.7.1): 64-bit NTP timestamp. */
uint64_t craft_ntp_now(void);

#endif
