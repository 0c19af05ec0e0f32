/* Mobile IPv4 messages and extensions: RFC 5944 §1.8-1.11 and §3, RFC 3519 §3, RFC 3543 §3, RFC
 * 5177 §4, RFC 6521 §5. */
#ifndef DMM_MIP4_H
#define DMM_MIP4_H

#include "cursor.h"
#include "field.h"
#include "haaro.h"

#include <stddef.h>
#include <stdint.h>

#define MIP4_PORT 434
#define MIP4_MAX_EXTS 32 /* extensions kept by mip4_parse (one-octet pads included) */

/* Message types with IANA numbers. HoTI/CoTI/HoT/CoT are dmm_numbers.haaro_hoti..cot. */
enum mip4_type {
	MIP4_REG_REQUEST = 1,
	MIP4_REG_REPLY = 3,
	MIP4_TUNNEL_DATA = 4, /* RFC 3519 §3.3 */
	MIP4_REVOCATION = 7,  /* RFC 3543 §4.1 */
	MIP4_REVOCATION_ACK = 15,
};

/* Registration Request flags (octet 1). */
enum {
	MIP4_F_S = 0x80,
	MIP4_F_B = 0x40,
	MIP4_F_D = 0x20,
	MIP4_F_M = 0x10,
	MIP4_F_G = 0x08,
	MIP4_F_R = 0x04,
	MIP4_F_T = 0x02,
	MIP4_F_X = 0x01,
};
/* 16-bit flag words: Revocation A/I, Revocation Ack and Revocation Support I,
 * UDP Tunnel Reply F. The remaining bits are Reserved. */
enum { MIP4_REV_A = 0x8000, MIP4_REV_I = 0x4000, MIP4_ACK_I = 0x8000, MIP4_REVSUP_I = 0x8000 };
enum { MIP4_UTRP_F = 0x8000 };
/* UDP Tunnel Request flags (octet 4): F, R, then Reserved2 (6 bits). */
enum { MIP4_UTRQ_F = 0x80, MIP4_UTRQ_R = 0x40 };

/* Extension types with IANA numbers. HAARO types are dmm_numbers.haaro_t1..t3. */
enum mip4_ext_type {
	MIP4_EXT_PAD = 0,
	MIP4_EXT_MNHA_AUTH = 32,
	MIP4_EXT_UDP_TUN_REPLY = 44,
	MIP4_EXT_REV_SUPPORT = 137,
	MIP4_EXT_UDP_TUN_REQUEST = 144,
	MIP4_EXT_MOBNET = 148,
};
/* Mobile Network Extension sub-types (RFC 5177 §4). */
enum { MIP4_MNE_REQUEST = 0, MIP4_MNE_ACK_EXPLICIT = 1, MIP4_MNE_ACK_IMPLICIT = 2 };
#define MIP4_MNHA_AUTH_LEN 16 /* HMAC-MD5 */

/* Extension formats (RFC 5944 §1.9-1.11). */
enum mip4_ext_format {
	MIP4_FMT_PAD,   /* Type 0 only */
	MIP4_FMT_TLV,   /* Type, Length(8) */
	MIP4_FMT_SHORT, /* Type, Length(8), Sub-Type */
	MIP4_FMT_LONG,  /* Type, Sub-Type, Length(16) */
};

enum mip4_ext_flags {
	MIP4_EXT_F_RAW = 1,       /* encode: write body/body_len as the body verbatim */
	MIP4_EXT_F_FORCE_LEN = 2, /* encode: write force_len as the Length field */
	MIP4_EXT_F_SIGN = 4,      /* encode: compute the authenticator (MN-HA, MC-Auth) */
};

/* One extension. Decoding points body and the pointer members into the packet;
 * encoding reads the same members from caller memory. */
struct mip4_ext {
	uint8_t type;
	uint8_t subtype;     /* short and long formats */
	uint16_t len;        /* Length field (decode: as received) */
	size_t off;          /* decode: offset of the Type octet in the message */
	uint8_t flags;       /* enum mip4_ext_flags */
	uint16_t force_len;  /* with MIP4_EXT_F_FORCE_LEN */
	const uint8_t *body; /* octets after the header (after the Sub-Type for short ones) */
	size_t body_len;
	union {
		struct { /* MN-HA Authentication 32 */
			uint32_t spi;
			const uint8_t *auth;
			uint8_t authlen;
			const uint8_t
			    *key; /* MIP4_EXT_F_SIGN: HMAC-MD5 key, else dmm_keys by SPI */
			uint8_t keylen;
		} auth;
		struct { /* UDP Tunnel Reply 44 */
			uint8_t code;
			uint16_t flags; /* F + Reserved */
			uint16_t keepalive;
		} utrp;
		struct { /* UDP Tunnel Request 144 */
			uint8_t reserved1;
			uint8_t flags; /* F, R, Reserved2 */
			uint8_t encap;
			uint16_t reserved3;
		} utrq;
		struct {                /* Revocation Support 137 */
			uint16_t flags; /* I + Reserved */
			uint32_t timestamp;
		} revsup;
		struct { /* Mobile Network Extension 148: Request (plen, prefix) and Acks */
			uint8_t code;
			uint8_t plen;
			uint8_t reserved;
			uint8_t prefix[4];
		} mne;
		struct {               /* MRROCAP */
			uint8_t flags; /* A R S O + Reserved (low 4 bits) */
			uint8_t has_hoa;
			uint8_t hoa[4];
		} rocap;
		struct {               /* Route Optimization Reply */
			uint8_t flags; /* O N S */
			uint8_t code;  /* 0-31 */
		} ror;
		struct { /* MC-Auth */
			uint8_t reserved;
			uint16_t hni, cni;
			const uint8_t *auth;
			uint8_t authlen;
			const uint8_t *krm; /* MIP4_EXT_F_SIGN: HAARO_KRM_LEN octets */
		} mcauth;
		struct { /* Care-of Address extension */
			uint8_t reserved;
			const uint8_t *addrs; /* count × 4 octets */
			uint8_t count;
		} coa;
		struct { /* Prefix Advertisement: encoded from infos when non-NULL, else body is
			    written */
			const struct haaro_pfx_info *infos;
			unsigned n;
			unsigned flags; /* enum haaro_pfx_encode_flags */
		} pfx;
	} v;
};

struct mip4_msg {
	uint8_t type;
	union {
		struct {
			uint8_t flags;
			uint16_t lifetime;
			uint8_t hoa[4], ha[4], coa[4];
			uint64_t ident;
		} req;
		struct {
			uint8_t code;
			uint16_t lifetime;
			uint8_t hoa[4], ha[4];
			uint64_t ident;
		} rep;
		struct {
			uint8_t next_header; /* 4, 47, 55 */
			uint16_t reserved;
		} tun;
		struct {
			uint8_t reserved;
			uint16_t flags; /* A, I, Reserved */
			uint8_t hoa[4], hda[4], fda[4];
			uint32_t rev_id;
		} rev;
		struct {
			uint8_t reserved;
			uint16_t flags; /* I, Reserved */
			uint8_t hoa[4];
			uint32_t rev_id;
		} rack;
		struct { /* HoTI, CoTI */
			uint8_t reserved;
			uint64_t cookie;
		} ti;
		struct { /* HoT, CoT */
			uint8_t reserved;
			uint16_t nonce_index;
			uint64_t cookie, token;
		} t;
	} u;
	/* After the fixed part: the extensions (decode), the tunnelled packet of Tunnel
	 * Data, or all data of an unknown type. Encoding writes it for Tunnel Data and
	 * unknown types, and instead of exts when enc.raw_body is set. */
	const uint8_t *body;
	size_t body_len;
	struct mip4_ext exts[MIP4_MAX_EXTS];
	unsigned nexts;
	struct {
		uint8_t raw_body;
	} enc;
};

/* Extension registry row: one per (type, sub-type). */
struct mip4_ext_ops {
	uint8_t type;              /* IANA number, used when tba is NULL */
	const uint8_t *tba;        /* run-time number from dmm_numbers */
	uint8_t format;            /* enum mip4_ext_format */
	uint8_t subtype;           /* short and long formats */
	const char *name;          /* "MN-HA Authentication" */
	const char *key;           /* "mnha" */
	uint16_t min_len, max_len; /* valid body length (octets after the header) */
	/* Parse the body (c spans exactly body_len octets) into e->v; set c invalid with a reason.
	 */
	void (*parse)(struct dmm_cursor *c, struct mip4_ext *e);
	/* Emit the fields after Type and Length; msg is the whole message (authenticators). */
	void (*print)(const struct mip4_ext *e, const uint8_t *msg, struct dmm_out *out);
	/* Write the body from e->v (a zero placeholder for an authenticator to be signed). */
	int (*encode)(const struct mip4_ext *e, struct dmm_wbuf *w);
	/* With MIP4_EXT_F_SIGN, after the Length is final: compute the authenticator over
	 * the message from msg_start and write it into the placeholder. Returns 0 or -1. */
	int (*sign)(const struct mip4_ext *e, struct dmm_wbuf *w, size_t msg_start,
	            size_t ext_start);
};

/* Message type registry row. */
struct mip4_type_ops {
	uint8_t type;
	const uint8_t *tba;
	const char *name;  /* "Registration Request" */
	const char *key;   /* "regreq" */
	uint8_t fixed_len; /* octets of the fixed part, Type included */
	uint8_t has_exts;  /* extensions follow (otherwise the body is data) */
	void (*parse)(struct dmm_cursor *c, struct mip4_msg *m); /* c after the Type octet */
	void (*print)(const struct mip4_msg *m, struct dmm_out *out);
	void (*encode)(const struct mip4_msg *m, struct dmm_wbuf *w);
};

/* Number of a row (its run-time number when TBA). */
uint8_t mip4_ext_number(const struct mip4_ext_ops *ops);
uint8_t mip4_type_number(const struct mip4_type_ops *ops);
/* Row for (type, subtype); subtype is ignored for TLV types. NULL if unknown. */
const struct mip4_ext_ops *mip4_ext_lookup(uint8_t type, uint8_t subtype);
/* Format of an extension type: known rows decide; unknown types are TLV (skippable
 * ones can be skipped) and the caller must stop at unknown non-skippable ones. */
enum mip4_ext_format mip4_ext_format(uint8_t type);
const struct mip4_type_ops *mip4_type_lookup(uint8_t type);
const struct mip4_ext_ops *mip4_ext_registry(size_t *count);
const struct mip4_type_ops *mip4_type_registry(size_t *count);

/* Read the extension at c (a cursor over the whole message) into e: 1 = read,
 * 0 = none left, -1 = error in c (an unknown non-skippable type leaves e->type and
 * e->off set). Short/long bodies are checked against their row (e->v filled). */
int mip4_ext_next(struct dmm_cursor *c, struct mip4_ext *e);

/* Parse a whole message (up to MIP4_MAX_EXTS extensions, unknown skippable ones
 * included). Returns 0, or DMM_ETRUNC/DMM_EINVAL with c->why set. Authenticators
 * are not verified. */
int mip4_parse(const uint8_t *p, size_t len, struct mip4_msg *m, struct dmm_cursor *c);

/* Encode m into w (extensions in order; MIP4_EXT_F_SIGN ones get their
 * authenticator computed). Returns the message length, or -1 when w overflowed,
 * a key is missing or m is unencodable. */
int mip4_encode(const struct mip4_msg *m, struct dmm_wbuf *w);

/* Helpers for building messages. */
struct mip4_ext *mip4_add_ext(struct mip4_msg *m, uint8_t type, uint8_t subtype);
const struct mip4_ext *mip4_find_ext(const struct mip4_msg *m, uint8_t type, uint8_t subtype,
                                     unsigned nth);

/* Value tables; the entries of TBA numbers follow dmm_numbers (do not write them). */
extern struct dmm_vals mip4_type_vals[];
extern struct dmm_vals mip4_code_vals[];
extern struct dmm_vals mip4_ext_type_vals[];
extern const struct dmm_vals mip4_mne_code_vals[];

extern const struct dmm_field mip4_fields[];

#endif
