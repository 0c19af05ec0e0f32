/* IPv6 Mobility Header (RFC 6275 §6.1-6.2, RFC 5213 §8, RFC 8278 §4, RFC 8885 §4.5-4.6). */
#ifndef DMM_MH_H
#define DMM_MH_H

#include "cursor.h"
#include "field.h"

#include <stdint.h>

#define MH_NEXT_HEADER 135
#define MH_MAX_OPTS 64 /* options kept by mh_parse (Pad1/PadN are not kept) */

enum mh_type {
	MH_BRR = 0,
	MH_HOTI = 1,
	MH_COTI = 2,
	MH_HOT = 3,
	MH_COT = 4,
	MH_BU = 5,
	MH_BA = 6,
	MH_BE = 7,
};

/* BU flags (16-bit word) and BA flags (8-bit), wire-facts §3. */
enum {
	MH_BU_A = 0x8000,
	MH_BU_H = 0x4000,
	MH_BU_L = 0x2000,
	MH_BU_K = 0x1000,
	MH_BU_M = 0x0800,
	MH_BU_R = 0x0400,
	MH_BU_P = 0x0200,
	MH_BU_F = 0x0100,
	MH_BU_T = 0x0080,
	MH_BU_B = 0x0040,
	MH_BU_S = 0x0020,
	MH_BU_D = 0x0010,
};
enum {
	MH_BA_K = 0x80,
	MH_BA_R = 0x40,
	MH_BA_P = 0x20,
	MH_BA_T = 0x10,
	MH_BA_B = 0x08,
	MH_BA_S = 0x04,
	MH_BA_D = 0x02,
};

/* Mobility option numbers with IANA assignments. TBA ones live in dmm_numbers. */
enum mh_opt_type {
	MH_OPT_PAD1 = 0,
	MH_OPT_PADN = 1,
	MH_OPT_AUTH = 9, /* RFC 4285 §5 Mobility Message Authentication */
	MH_OPT_MNID = 8,
	MH_OPT_VSM = 19,
	MH_OPT_HNP = 22,
	MH_OPT_HI = 23,
	MH_OPT_ATT = 24,
	MH_OPT_MNLLID = 25,
	MH_OPT_LLA = 26,
	MH_OPT_TIMESTAMP = 27,
	MH_OPT_NATD = 31,
	MH_OPT_IPV4COA = 32,
	MH_OPT_GREKEY = 33,
	MH_OPT_IPV4HOA_REQ = 36,
	MH_OPT_IPV4HOA_REP = 37,
	MH_OPT_IPV4DRA = 38,
	MH_OPT_IPV4DSM = 39,
	MH_OPT_MMB = 63,
	MH_OPT_MAGID = 64,
};

/* MMB flags (octet 5), RFC 8278 §4.1. */
enum { MH_MMB_B = 0x80, MH_MMB_O = 0x40 };

/* RFC 5213 §8.9 / RFC 8278 §4.3 status values used by the daemons. */
enum {
	MH_STATUS_ACCEPTED = 0,
	MH_STATUS_MAG_NOT_AUTHORIZED = 154,
	MH_STATUS_NOT_AUTHORIZED_FOR_HNP = 155,
	MH_STATUS_TIMESTAMP_MISMATCH = 156,
	MH_STATUS_TIMESTAMP_LOWER = 157,
	MH_STATUS_MISSING_HNP = 158,
	MH_STATUS_MISSING_MNID = 160,
	MH_STATUS_MISSING_HI = 161,
	MH_STATUS_MISSING_ATT = 162,
	MH_STATUS_CANNOT_SUPPORT_MULTIPATH = 180,
};

/* One mobility option. Decoding points data/ptr fields into the packet;
 * encoding reads the same fields from caller memory. */
struct mh_opt {
	uint8_t type;
	uint8_t len;         /* Length octet (decode: as received) */
	uint8_t flags;       /* enum mh_opt_flags (encode overrides) */
	uint8_t force_len;   /* with MH_OPT_F_FORCE_LEN: Length octet to write */
	const uint8_t *data; /* option body (Length octets) */
	union {
		struct { /* MN-ID 8 and MAG Identifier 64 */
			uint8_t subtype;
			uint8_t reserved; /* MAG-ID only */
			const uint8_t *id;
			uint8_t idlen;
		} nai;
		struct { /* Vendor-Specific 19 */
			uint32_t vendor;
			uint8_t subtype;
			const uint8_t *data;
			uint8_t dlen;
		} vsm;
		struct { /* HNP 22, Previous MAAR (prefix part) */
			uint8_t reserved;
			uint8_t plen;
			uint8_t prefix[16];
		} hnp;
		struct { /* HI 23, ATT 24 */
			uint8_t reserved;
			uint8_t value;
		} u8pair;
		struct { /* MN LL-ID 25 */
			uint16_t reserved;
			const uint8_t *lli;
			uint8_t llilen;
		} mnllid;
		uint8_t addr6[16];  /* Link-local 26, Serving MAAR */
		uint64_t timestamp; /* Timestamp 27 */
		struct {            /* GRE key 33 */
			uint16_t reserved;
			uint8_t has_key;
			uint32_t key;
		} gre;
		struct { /* NAT detection 31, IPv4 CoA 32, IPv4 HoA req/rep 36/37, DRA 38, DSM 39 */
			uint8_t status;   /* 37 */
			uint8_t plen;     /* 36, 37 (6 bits) */
			uint16_t flags;   /* 31 F, 39 S, reserved bits of the others */
			uint32_t refresh; /* 31 */
			uint8_t addr4[4]; /* 32, 36, 37, 38 */
		} v4;
		struct { /* MAG Multipath Binding 63 */
			uint8_t if_att;
			uint8_t if_label;
			uint8_t bid;
			uint8_t flags; /* B 0x80, O 0x40, reserved low bits */
			uint16_t reserved;
		} mmb;
		struct { /* Previous MAAR (seed 004 §3.6.1) */
			uint8_t reserved;
			uint8_t plen;
			uint8_t addr[16];
			uint8_t hnp[16];
		} pmaar;
		struct { /* Mobility Message Authentication 16 (RFC 4285 §5) */
			uint8_t subtype;
			uint32_t spi;
			const uint8_t *auth;
			uint8_t authlen;
		} auth;
	} v;
};

enum mh_opt_flags {
	MH_OPT_F_RAW = 1,       /* encode: write data/len as the body verbatim */
	MH_OPT_F_FORCE_LEN = 2, /* encode: write force_len as the Length octet */
};

struct mh_msg {
	uint8_t proto; /* Payload Proto (59) */
	uint8_t hlen;  /* Header Len (decode: as received) */
	uint8_t type;  /* enum mh_type */
	uint8_t reserved;
	uint16_t csum; /* decode: as received */
	union {
		struct {
			uint16_t seq, flags, lifetime;
		} bu;
		struct {
			uint8_t status, flags;
			uint16_t seq, lifetime;
		} ba;
		struct {
			uint8_t status, reserved;
			uint8_t hoa[16];
		} be;
		struct { /* HoTI, CoTI */
			uint16_t reserved;
			uint64_t cookie;
		} ti;
		struct { /* HoT, CoT */
			uint16_t nindex;
			uint64_t cookie, token;
		} t;
		struct {
			uint16_t reserved;
		} brr;
	} u;
	const uint8_t
	    *body; /* message data after the fixed part (decode), or raw body of unknown types */
	size_t body_len;
	struct mh_opt opts[MH_MAX_OPTS];
	unsigned nopts;
	/* encode overrides for deliberately malformed messages */
	struct {
		uint8_t no_align;   /* do not insert Pad1/PadN for alignment */
		uint8_t force_hlen; /* write hlen as Header Len */
		uint8_t bad_csum;   /* invert the checksum */
		uint8_t no_csum;    /* leave the checksum 0 (RFC 5844 UDP transport) */
	} enc;
};

/* Option registry row: one per option type. */
struct mh_opt_ops {
	uint8_t type;                 /* IANA number, used when tba is NULL */
	const uint8_t *tba;           /* run-time number from dmm_numbers (TBA options) */
	const char *name;             /* "Home Network Prefix" */
	const char *key;              /* short key for tools: "hnp" */
	const struct dmm_field *node; /* subtree field, e.g. mip6.options.hnp */
	uint8_t align_x, align_y;     /* xn+y alignment on send (x = 0: none) */
	uint8_t min_len, max_len;     /* valid Length range */
	/* Parse the body (c spans exactly Length octets) into o->v; set c invalid with a reason. */
	void (*parse)(struct dmm_cursor *c, struct mh_opt *o);
	/* Emit the parsed fields (inside the option node). */
	void (*print)(const struct mh_opt *o, struct dmm_out *out);
	/* Write the body from o->v. */
	void (*encode)(const struct mh_opt *o, struct dmm_wbuf *w);
};

/* Message type registry row. */
struct mh_type_ops {
	uint8_t type;
	const char *name; /* "Binding Update" */
	const char *key;  /* "bu" */
	const struct dmm_field *node;
	uint8_t fixed_len; /* octets of message data after the 6-octet header, before options */
	void (*parse)(struct dmm_cursor *c, struct mh_msg *m);
	void (*print)(const struct mh_msg *m, struct dmm_out *out);
	void (*encode)(const struct mh_msg *m, struct dmm_wbuf *w);
	/* Short summary name, e.g. "PBU" for a BU with P set. */
	const char *(*short_name)(const struct mh_msg *m);
	uint8_t has_options;
};

const struct mh_opt_ops *mh_opt_lookup(uint8_t type);
const struct mh_type_ops *mh_type_lookup(uint8_t type);
/* Iterate the registries (for tools, tests and fuzzers). */
const struct mh_opt_ops *mh_opt_registry(size_t *count);
const struct mh_type_ops *mh_type_registry(size_t *count);
uint8_t mh_opt_number(const struct mh_opt_ops *ops);

/* Pseudo-header checksum (RFC 6275 §6.1.1): src/dst are 16-octet IPv6 addresses;
 * mh is the whole MH with its checksum field as it is (0 when computing). */
uint16_t mh_checksum(const uint8_t *src, const uint8_t *dst, const uint8_t *mh, size_t len);

/* Parse a whole MH into m (options kept, up to MH_MAX_OPTS non-pad ones).
 * Returns 0, or DMM_ETRUNC/DMM_EINVAL with c->why set. Checksum is not verified. */
int mh_parse(const uint8_t *p, size_t len, struct mh_msg *m, struct dmm_cursor *c);

/* Dissect an MH to out. src/dst: IPv6 addresses for checksum verification,
 * or NULL when the checksum must be ignored (RFC 5844 UDP transport). */
void mh_dissect(const uint8_t *p, size_t len, const uint8_t *src, const uint8_t *dst,
                struct dmm_out *out);

/* Encode m into w: options in the given order with RFC alignment padding,
 * final padding to 8 octets, Header Len and checksum (if src/dst non-NULL).
 * Returns the MH length, or -1 when w overflowed or m is unencodable. */
int mh_encode(const struct mh_msg *m, const uint8_t *src, const uint8_t *dst, struct dmm_wbuf *w);

/* RFC 4285 §5 authenticator: First(96, HMAC-SHA1(key, CoA | HoA | MH up to and including
 * the SPI of the option at auth_off)), computed with the MH checksum taken as 0.
 * [D] For PMIPv6, "care-of address" is the MAG's Proxy-CoA and "home address" the LMAA,
 * whichever direction the message travels. mh_dissect verifies it for PBU/PBA only: for
 * plain MIPv6 the CoA (outer source) is not what the MH pseudo-header carries, so the
 * status there is "not checked".
 * mh_encode computes it for an option 9 whose auth pointer is NULL, with the key that
 * dmm_keys.mh_auth holds for its SPI (no key: mh_encode fails). */
#define MH_AUTH_LEN 12
void mh_auth_compute(const uint8_t *mh, size_t auth_off, const uint8_t *coa, const uint8_t *hoa,
                     const uint8_t *key, size_t key_len, uint8_t out[MH_AUTH_LEN]);

/* Helpers for building messages. */
struct mh_opt *mh_add_opt(struct mh_msg *m, uint8_t type);
const struct mh_opt *mh_find_opt(const struct mh_msg *m, uint8_t type, unsigned nth);

/* Value tables (exported for tools). */
extern const struct dmm_vals mh_status_vals[];
extern const struct dmm_vals mh_type_vals[];
extern const struct dmm_vals mh_att_vals[];
extern const struct dmm_vals mh_hi_vals[];
extern const struct dmm_vals mh_mnid_subtype_vals[];

/* The option and message fields that tests and printers name directly. */
extern const struct dmm_field mh_fields[];

#endif
