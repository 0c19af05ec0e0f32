/* Field registry and dissection output interface (tshark-compatible field names). */
#ifndef DMM_FIELD_H
#define DMM_FIELD_H

#include <stddef.h>
#include <stdint.h>

/* Value kinds. The -T fields text of each kind matches tshark 4.0 where tshark
 * has the field (decimal integers, 0x-prefixed hex, 1/0 booleans, ...). */
enum dmm_ftype {
	DMM_FT_NODE,    /* a subtree (protocol, message, option); no value */
	DMM_FT_UINT,    /* unsigned, printed in decimal */
	DMM_FT_HEX,     /* unsigned, printed as 0x%0*x with width = field.width digits */
	DMM_FT_BOOL,    /* flag bit, printed 1 or 0 */
	DMM_FT_IPV4,    /* 4 octets */
	DMM_FT_IPV6,    /* 16 octets */
	DMM_FT_ETHER,   /* 6 octets */
	DMM_FT_BYTES,   /* raw octets, printed as lowercase hex without separators (tshark) */
	DMM_FT_STRING,  /* octets shown as text (non-printables escaped) */
	DMM_FT_PREFIX4, /* IPv4 prefix as CIDR text: 4 octets + plen */
	DMM_FT_PREFIX6, /* IPv6 prefix as CIDR text: 16 octets + plen */
	DMM_FT_HEX64,   /* 64-bit unsigned printed as 0x%016llx */
};

/* Name of a numeric value, for value tables terminated by a NULL name. */
struct dmm_vals {
	uint32_t value;
	const char *name;
};

enum dmm_field_flags {
	DMM_F_SUMMARY = 1 << 0, /* shown in the one-line summary */
	DMM_F_ADDR = 1 << 1,    /* network-layer address shown as src/dst in the summary */
};

/* One named field. abbrev follows tshark's naming wherever tshark has the field.
 * Fields are defined in per-module tables and registered with DMM_FIELDS(). */
struct dmm_field {
	const char *abbrev;
	const char *name;
	uint8_t type;   /* enum dmm_ftype */
	uint8_t width;  /* hex digits for DMM_FT_HEX (0 = minimal) */
	uint16_t flags; /* enum dmm_field_flags */
	const struct dmm_vals *vals;
};

/* A field value as emitted by a dissector. */
struct dmm_value {
	uint64_t u;         /* integers and booleans */
	const uint8_t *ptr; /* addresses, bytes, strings, prefixes */
	size_t len;         /* octets at ptr */
	uint8_t plen;       /* prefix length for PREFIX4/PREFIX6 */
};

/* Output backend. A dissector calls these in document order:
 * open/close bracket subtrees, value emits a field, error records a problem
 * (shown as dmm.error). Backends: summary line, tree (-V), JSON, fields. */
struct dmm_out_ops {
	void (*open)(void *ctx, const struct dmm_field *f, const char *label);
	void (*close)(void *ctx);
	void (*value)(void *ctx, const struct dmm_field *f, const struct dmm_value *v);
	void (*error)(void *ctx, const char *msg);
};

/* What a backend shows beyond field values; dissectors skip the work for the rest. */
enum dmm_out_flags {
	DMM_OUT_LABELS = 1 << 0, /* human node labels ("Internet Protocol Version 6, Src: ...") */
	DMM_OUT_FRAME_STRINGS = 1 << 1, /* frame.time_epoch and frame.protocols */
	DMM_OUT_ALL = DMM_OUT_LABELS | DMM_OUT_FRAME_STRINGS,
	/* only values of fields flagged DMM_F_SUMMARY or DMM_F_ADDR reach ops->value (the
	 * summary line's; the emit helpers skip the call for the others) */
	DMM_OUT_FLAGGED_VALUES = 1 << 2,
};

struct dmm_out {
	const struct dmm_out_ops *ops;
	void *ctx;
	int errors;     /* count of errors reported through this output for the packet */
	unsigned flags; /* enum dmm_out_flags */
};

/* Emit helpers (NULL-safe on out), inline: most values of a packet go to a backend that
 * shows few of them, or none. */
static inline void dmm_emit(struct dmm_out *o, const struct dmm_field *f, const struct dmm_value *v)
{
	if (o && o->ops->value &&
	    (!(o->flags & DMM_OUT_FLAGGED_VALUES) || (f->flags & (DMM_F_SUMMARY | DMM_F_ADDR))))
		o->ops->value(o->ctx, f, v);
}

static inline void dmm_uint(struct dmm_out *o, const struct dmm_field *f, uint64_t u)
{
	struct dmm_value v = {.u = u};
	dmm_emit(o, f, &v);
}

static inline void dmm_bool(struct dmm_out *o, const struct dmm_field *f, int b)
{
	dmm_uint(o, f, b ? 1 : 0);
}

static inline void dmm_bytes(struct dmm_out *o, const struct dmm_field *f, const uint8_t *p,
                             size_t n)
{
	struct dmm_value v = {.ptr = p, .len = n};
	dmm_emit(o, f, &v);
}

static inline void dmm_addr4(struct dmm_out *o, const struct dmm_field *f, const uint8_t *p)
{
	dmm_bytes(o, f, p, 4);
}

static inline void dmm_addr6(struct dmm_out *o, const struct dmm_field *f, const uint8_t *p)
{
	dmm_bytes(o, f, p, 16);
}

static inline void dmm_prefix(struct dmm_out *o, const struct dmm_field *f, const uint8_t *p,
                              size_t len, unsigned plen)
{
	struct dmm_value v = {.ptr = p, .len = len, .plen = (uint8_t)plen};
	dmm_emit(o, f, &v);
}

static inline void dmm_prefix4(struct dmm_out *o, const struct dmm_field *f, const uint8_t *p,
                               unsigned plen)
{
	dmm_prefix(o, f, p, 4, plen);
}

static inline void dmm_prefix6(struct dmm_out *o, const struct dmm_field *f, const uint8_t *p,
                               unsigned plen)
{
	dmm_prefix(o, f, p, 16, plen);
}

static inline void dmm_string(struct dmm_out *o, const struct dmm_field *f, const uint8_t *p,
                              size_t n)
{
	dmm_bytes(o, f, p, n);
}

void dmm_open(struct dmm_out *o, const struct dmm_field *f, const char *label);
void dmm_close(struct dmm_out *o);
/* Report an error: "truncated", "invalid: why", "bad checksum", "bad authenticator". */
void dmm_error(struct dmm_out *o, const char *msg);
/* Report a cursor's error, if any, as "truncated" or "invalid: <why>"; returns 1 if reported. */
struct dmm_cursor;
int dmm_cursor_error(struct dmm_out *o, const struct dmm_cursor *c);

/* Name of v in vals, or NULL. */
const char *dmm_val_name(const struct dmm_vals *vals, uint32_t v);

/* Format a value the way tshark -T fields prints it. Returns the length written
 * (truncated to size-1, always NUL-terminated). */
size_t dmm_format_value(const struct dmm_field *f, const struct dmm_value *v, char *buf,
                        size_t size);

/* Format a value for the human tree: like dmm_format_value, plus the value name
 * for enumerations ("CANNOT_SUPPORT_MULTIPATH_BINDING (180)"). */
size_t dmm_format_display(const struct dmm_field *f, const struct dmm_value *v, char *buf,
                          size_t size);

/* printf-free text for labels and the tree: each writes at p (no NUL) and returns the end
 * of the text. dmm_put_address writes a DMM_FT_IPV4, DMM_FT_IPV6 or DMM_FT_ETHER value as
 * dmm_format_value does (p must have room for DMM_PUT_ADDRESS_MAX bytes). */
#define DMM_PUT_ADDRESS_MAX 46
char *dmm_put_address(char *p, enum dmm_ftype type, const uint8_t *a);

static inline char *dmm_put_text(char *p, const char *s)
{
	size_t n = __builtin_strlen(s);
	__builtin_memcpy(p, s, n);
	return p + n;
}

/* Decimal u with at least width (<= 20) digits, leading zeros. */
static inline char *dmm_put_zero_padded(char *p, uint64_t u, unsigned width)
{
	unsigned n = 1;
	for (uint64_t rest = u / 10; rest; rest /= 10)
		n++;
	if (n < width && width <= 20)
		n = width;
	char *end = p + n;
	for (char *q = end; q > p; u /= 10)
		*--q = (char)('0' + u % 10);
	return end;
}

static inline char *dmm_put_decimal(char *p, uint64_t u)
{
	return dmm_put_zero_padded(p, u, 1);
}

/* Field tables register themselves in a linker section so that -G fields and
 * the fields printer see every field without a central list. */
struct dmm_field_table {
	const struct dmm_field *fields;
	size_t count;
};

#define DMM_FIELDS(tbl)                                                                            \
	static const struct dmm_field_table tbl##_registration = {tbl,                             \
	                                                          sizeof(tbl) / sizeof(tbl[0])};   \
	__attribute__((used, section("dmm_field_tables"))) static const struct dmm_field_table     \
	    *const tbl##_registration_ptr = &tbl##_registration

/* Iterate every registered field (deterministic order: link order, then table order). */
typedef void (*dmm_field_visit_fn)(const struct dmm_field *f, void *arg);
void dmm_fields_foreach(dmm_field_visit_fn fn, void *arg);
/* Find a registered field by abbrev, or NULL. */
const struct dmm_field *dmm_field_find(const char *abbrev);

/* Fields shared by every dissector. */
extern const struct dmm_field dmm_common_fields[];
#define DMM_FIELD_ERROR (&dmm_common_fields[0])        /* dmm.error */
#define DMM_FIELD_UNKNOWN_DATA (&dmm_common_fields[1]) /* dmm.unknown.data */

#endif
