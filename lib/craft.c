/* Building messages from command-line option specs: MH (RFC 6275 §6.1, RFC 5213 §8, RFC 8278
 * §4), MIPv4 (RFC 5944 §3, RFC 3519, RFC 3543, RFC 5177, RFC 6521 §5) and their framing. */
#include "craft.h"
#include "hostint.h"

#include "inet.h"
#include "keys.h"
#include "numbers.h"
#include "packet.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LINKTYPE_ETHERNET 1
#define LINKTYPE_RAW 101
#define MH_DEFAULT_LIFETIME 900    /* 3600 s in 4 s units (RFC 6275 §6.1.7) */
#define MIP4_DEFAULT_LIFETIME 1800 /* seconds (RFC 5944 §3.3) */
#define PBU_DEFAULT_HI 1           /* attachment over a new interface (RFC 5213 §8.4) */
#define PBU_DEFAULT_ATT 4          /* IEEE 802.11a/b/g (RFC 5213 §8.5) */
#define NAI_SUBTYPE 1              /* RFC 4283 §3 */
#define AUTH_SUBTYPE_MNHA 1        /* RFC 4285 §5 */

/* ---- subcommands ---- */

static const struct craft_msg_def msg_defs[] = {
    {"pbu", CRAFT_MH, MH_BU, NULL, 1, "Proxy Binding Update (RFC 5213 §8.1)"},
    {"pba", CRAFT_MH, MH_BA, NULL, 1, "Proxy Binding Acknowledgement (RFC 5213 §8.2)"},
    {"bu", CRAFT_MH, MH_BU, NULL, 0, "Binding Update (RFC 6275 §6.1.7)"},
    {"ba", CRAFT_MH, MH_BA, NULL, 0, "Binding Acknowledgement (RFC 6275 §6.1.8)"},
    {"be", CRAFT_MH, MH_BE, NULL, 0, "Binding Error (RFC 6275 §6.1.9)"},
    {"brr", CRAFT_MH, MH_BRR, NULL, 0, "Binding Refresh Request (RFC 6275 §6.1.2)"},
    {"hoti", CRAFT_MH, MH_HOTI, NULL, 0, "Home Test Init (RFC 6275 §6.1.3)"},
    {"coti", CRAFT_MH, MH_COTI, NULL, 0, "Care-of Test Init (RFC 6275 §6.1.4)"},
    {"hot", CRAFT_MH, MH_HOT, NULL, 0, "Home Test (RFC 6275 §6.1.5)"},
    {"cot", CRAFT_MH, MH_COT, NULL, 0, "Care-of Test (RFC 6275 §6.1.6)"},
    {"rrq", CRAFT_MIP4, MIP4_REG_REQUEST, NULL, 0, "Registration Request (RFC 5944 §3.3)"},
    {"rrp", CRAFT_MIP4, MIP4_REG_REPLY, NULL, 0, "Registration Reply (RFC 5944 §3.4)"},
    {"mip4-hoti", CRAFT_MIP4, 0, &dmm_numbers.haaro_hoti, 0, "HAARO Home Test Init (RFC 6521)"},
    {"mip4-coti", CRAFT_MIP4, 0, &dmm_numbers.haaro_coti, 0, "HAARO Care-of Test Init"},
    {"mip4-hot", CRAFT_MIP4, 0, &dmm_numbers.haaro_hot, 0, "HAARO Home Test"},
    {"mip4-cot", CRAFT_MIP4, 0, &dmm_numbers.haaro_cot, 0, "HAARO Care-of Test"},
    {"tunnel-data", CRAFT_MIP4, MIP4_TUNNEL_DATA, NULL, 0, "MIP Tunnel Data (RFC 3519 §3.3)"},
    {"revocation", CRAFT_MIP4, MIP4_REVOCATION, NULL, 0, "Registration Revocation (RFC 3543)"},
    {"revocation-ack", CRAFT_MIP4, MIP4_REVOCATION_ACK, NULL, 0,
     "Registration Revocation Acknowledgement (RFC 3543)"},
};
#define N_MSG_DEFS (sizeof(msg_defs) / sizeof(msg_defs[0]))

const struct craft_msg_def *craft_msg_registry(size_t *count)
{
	*count = N_MSG_DEFS;
	return msg_defs;
}

const struct craft_msg_def *craft_msg_lookup(const char *name)
{
	for (size_t i = 0; i < N_MSG_DEFS; i++)
		if (strcmp(msg_defs[i].name, name) == 0)
			return &msg_defs[i];
	return NULL;
}

static uint8_t msg_type(const struct craft_msg_def *d)
{
	return d->tba ? *d->tba : d->type;
}

/* ---- small parsers ---- */

__attribute__((format(printf, 2, 3))) static int fail(struct craft *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -1;
}

int craft_parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 0);
	if (errno || *end || x > max)
		return -1;
	*v = x;
	return 0;
}

/* ADDR[/LEN] of family af (LEN: 0..bits, default bits). */
static int parse_prefix(int af, unsigned bits, const char *s, uint8_t *prefix, uint8_t *plen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	uint64_t len = bits;
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= (af == AF_INET6 ? sizeof(buf) : INET_ADDRSTRLEN + 8))
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (inet_pton(af, buf, prefix) != 1)
		return -1;
	if (slash && craft_parse_u64(slash + 1, bits, &len) < 0)
		return -1;
	*plen = (uint8_t)len;
	return 0;
}

int craft_parse_prefix6(const char *s, uint8_t prefix[16], uint8_t *plen)
{
	return parse_prefix(AF_INET6, 128, s, prefix, plen);
}

int craft_parse_prefix4(const char *s, uint8_t prefix[4], uint8_t *plen)
{
	return parse_prefix(AF_INET, 32, s, prefix, plen);
}

int craft_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char extra;
	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &extra) != 6)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (v[i] > 255)
			return -1;
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

int craft_parse_kv(const char *s, int (*fn)(void *arg, const char *key, const char *val), void *arg)
{
	char item[512];
	while (s && *s) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		if (n == 0 || n >= sizeof(item))
			return -1;
		memcpy(item, s, n);
		item[n] = 0;
		char *eq = strchr(item, '=');
		if (eq)
			*eq++ = 0;
		if (fn(arg, item, eq) < 0)
			return -1;
		s = comma ? comma + 1 : NULL;
	}
	return 0;
}

uint64_t craft_mh_timestamp_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t frac = ((uint64_t)ts.tv_nsec << 16) / 1000000000u;
	return ((uint64_t)ts.tv_sec << 16) | frac;
}

uint64_t craft_ntp_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t frac = ((uint64_t)ts.tv_nsec << 32) / 1000000000u;
	return ((uint64_t)ts.tv_sec + 2208988800u) << 32 | frac;
}

static const uint8_t *arena_put(struct craft *c, const void *p, size_t n)
{
	if (n > sizeof(c->arena) - c->arena_len)
		return NULL;
	uint8_t *dst = c->arena + c->arena_len;
	memcpy(dst, p, n);
	c->arena_len += n;
	return dst;
}

/* Hex (0x optional, ':' separators allowed) into the arena. */
static const uint8_t *arena_hex(struct craft *c, const char *hex, size_t *len)
{
	uint8_t buf[1024];
	int n = (*hex == 0) ? 0 : dmm_hex_decode(hex, buf, sizeof(buf));
	if (n < 0)
		return NULL;
	*len = (size_t)n;
	return n ? arena_put(c, buf, (size_t)n) : c->arena + c->arena_len;
}

static int num(struct craft *c, const char *what, const char *s, uint64_t max, uint64_t *v)
{
	if (craft_parse_u64(s, max, v) < 0)
		return fail(c, "%s: '%s' is not a number in 0..%llu", what, s ? s : "",
		            (unsigned long long)max);
	return 0;
}

static int addr6(struct craft *c, const char *what, const char *s, uint8_t out[16])
{
	if (!s || inet_pton(AF_INET6, s, out) != 1)
		return fail(c, "%s: '%s' is not an IPv6 address", what, s ? s : "");
	return 0;
}

static int addr4(struct craft *c, const char *what, const char *s, uint8_t out[4])
{
	if (!s || inet_pton(AF_INET, s, out) != 1)
		return fail(c, "%s: '%s' is not an IPv4 address", what, s ? s : "");
	return 0;
}

/* ---- building blocks ---- */

static struct mh_opt *new_opt(struct craft *c, uint8_t type)
{
	struct mh_opt *o = mh_add_opt(&c->mh, type);
	if (!o) {
		fail(c, "too many mobility options (at most %d)", MH_MAX_OPTS);
		return NULL;
	}
	c->given_opts[type]++;
	c->last = (int)(o - c->mh.opts);
	return o;
}

static struct mip4_ext *new_ext(struct craft *c, uint8_t type, uint8_t subtype)
{
	struct mip4_ext *e = mip4_add_ext(&c->mip4, type, subtype);
	if (!e) {
		fail(c, "too many extensions (at most %d)", MIP4_MAX_EXTS);
		return NULL;
	}
	c->given_opts[type]++;
	c->last = (int)(e - c->mip4.exts);
	return e;
}

static int is_family(const struct craft *c, unsigned fam)
{
	return c->def->family == fam;
}

static int is_type(const struct craft *c, uint8_t type)
{
	return msg_type(c->def) == type;
}

/* ---- header fields ---- */

struct flag_name {
	char letter;
	uint16_t bit;
};

static const struct flag_name bu_flags[] = {
    {'A', MH_BU_A}, {'H', MH_BU_H}, {'L', MH_BU_L}, {'K', MH_BU_K}, {'M', MH_BU_M},
    {'R', MH_BU_R}, {'P', MH_BU_P}, {'F', MH_BU_F}, {'T', MH_BU_T}, {'B', MH_BU_B},
    {'S', MH_BU_S}, {'D', MH_BU_D}, {0, 0}};
static const struct flag_name ba_flags[] = {{'K', MH_BA_K}, {'R', MH_BA_R}, {'P', MH_BA_P},
                                            {'T', MH_BA_T}, {'B', MH_BA_B}, {'S', MH_BA_S},
                                            {'D', MH_BA_D}, {0, 0}};
static const struct flag_name rrq_flags[] = {
    {'S', MIP4_F_S}, {'B', MIP4_F_B}, {'D', MIP4_F_D}, {'M', MIP4_F_M}, {'G', MIP4_F_G},
    {'R', MIP4_F_R}, {'V', MIP4_F_R}, {'T', MIP4_F_T}, {'X', MIP4_F_X}, {0, 0}};
static const struct flag_name rev_flags[] = {{'A', MIP4_REV_A}, {'I', MIP4_REV_I}, {0, 0}};
static const struct flag_name rack_flags[] = {{'I', MIP4_ACK_I}, {0, 0}};

/* The flags word of the message and its letters, or NULL. */
static const struct flag_name *flag_table(struct craft *c, uint16_t **word16, uint8_t **word8)
{
	*word16 = NULL;
	*word8 = NULL;
	if (is_family(c, CRAFT_MH) && is_type(c, MH_BU)) {
		*word16 = &c->mh.u.bu.flags;
		return bu_flags;
	}
	if (is_family(c, CRAFT_MH) && is_type(c, MH_BA)) {
		*word8 = &c->mh.u.ba.flags;
		return ba_flags;
	}
	if (is_family(c, CRAFT_MIP4) && is_type(c, MIP4_REG_REQUEST)) {
		*word8 = &c->mip4.u.req.flags;
		return rrq_flags;
	}
	if (is_family(c, CRAFT_MIP4) && is_type(c, MIP4_REVOCATION)) {
		*word16 = &c->mip4.u.rev.flags;
		return rev_flags;
	}
	if (is_family(c, CRAFT_MIP4) && is_type(c, MIP4_REVOCATION_ACK)) {
		*word16 = &c->mip4.u.rack.flags;
		return rack_flags;
	}
	return NULL;
}

/* --flags: letters ("AP", "A,P"), "none", or a number. */
static int opt_flags(struct craft *c, const struct craft_opt *row, const char *arg)
{
	uint16_t *w16;
	uint8_t *w8;
	const struct flag_name *tab = flag_table(c, &w16, &w8);
	uint64_t v = 0;
	if (!tab)
		return fail(c, "--flags: %s has no flags", c->def->name);
	if (isdigit((unsigned char)arg[0])) {
		if (num(c, "--flags", arg, w16 ? 0xffff : 0xff, &v) < 0)
			return -1;
	} else if (strcmp(arg, "none") != 0) {
		for (const char *p = arg; *p; p++) {
			const struct flag_name *f = tab;
			if (*p == ',')
				continue;
			while (f->letter && f->letter != toupper((unsigned char)*p))
				f++;
			if (!f->letter)
				return fail(c, "--flags: unknown flag '%c' for %s", *p,
				            c->def->name);
			v |= f->bit;
		}
	}
	if (w16)
		*w16 = (uint16_t)v;
	else
		*w8 = (uint8_t)v;
	c->given_flags = 1;
	return 0;
}

static int is_mh_ti(const struct craft *c)
{
	return is_family(c, CRAFT_MH) && (is_type(c, MH_HOTI) || is_type(c, MH_COTI));
}

static int is_mh_t(const struct craft *c)
{
	return is_family(c, CRAFT_MH) && (is_type(c, MH_HOT) || is_type(c, MH_COT));
}

static int is_mip4_ti(const struct craft *c)
{
	return is_family(c, CRAFT_MIP4) &&
	       (is_type(c, dmm_numbers.haaro_hoti) || is_type(c, dmm_numbers.haaro_coti));
}

static int is_mip4_t(const struct craft *c)
{
	return is_family(c, CRAFT_MIP4) &&
	       (is_type(c, dmm_numbers.haaro_hot) || is_type(c, dmm_numbers.haaro_cot));
}

/* ---- table-driven options: the fields they set ---- */

/* Kinds of message, as bits: a field sits at another place in each. */
enum msg_kind {
	K_BU = 1 << 0,
	K_BA = 1 << 1,
	K_BE = 1 << 2,
	K_MH_TI = 1 << 3, /* HoTI, CoTI */
	K_MH_T = 1 << 4,  /* HoT, CoT */
	K_RRQ = 1 << 5,
	K_RRP = 1 << 6,
	K_REV = 1 << 7,
	K_RACK = 1 << 8,
	K_M4_TI = 1 << 9, /* HAARO HoTI, CoTI */
	K_M4_T = 1 << 10, /* HAARO HoT, CoT */
	K_ANY = 1u << 31, /* every message */
};

static unsigned msg_kinds(const struct craft *c)
{
	static const struct {
		uint8_t family, type;
		unsigned kind;
	} fixed[] = {{CRAFT_MH, MH_BU, K_BU},
	             {CRAFT_MH, MH_BA, K_BA},
	             {CRAFT_MH, MH_BE, K_BE},
	             {CRAFT_MIP4, MIP4_REG_REQUEST, K_RRQ},
	             {CRAFT_MIP4, MIP4_REG_REPLY, K_RRP},
	             {CRAFT_MIP4, MIP4_REVOCATION, K_REV},
	             {CRAFT_MIP4, MIP4_REVOCATION_ACK, K_RACK}};
	unsigned kinds = K_ANY;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (is_family(c, fixed[i].family) && is_type(c, fixed[i].type))
			kinds |= fixed[i].kind;
	kinds |= is_mh_ti(c) ? K_MH_TI : 0;
	kinds |= is_mh_t(c) ? K_MH_T : 0;
	kinds |= is_mip4_ti(c) ? K_M4_TI : 0;
	kinds |= is_mip4_t(c) ? K_M4_T : 0;
	return kinds;
}

/* Where a field of struct craft sits for some kinds of message. */
struct field_place {
	unsigned kinds; /* enum msg_kind bits; 0 ends the list */
	size_t off;     /* offsetof(struct craft, ...) */
	size_t size;    /* octets */
};

/* What a table-driven option sets (struct craft_opt.field). */
struct craft_field {
	const char *what;         /* the option in error messages ("--ttl" says "--hop-limit") */
	uint64_t max;             /* numbers: the largest value */
	size_t given;             /* offsetof the marker set to 1 once set (0: none) */
	const char *lacks;        /* no place: "WHAT: MSG has no LACKS", */
	const char *only;         /* or "WHAT: only in ONLY" */
	uint8_t mh_opt;           /* option adders: the mobility option type, */
	const uint8_t *tba;       /* or its run-time number (dmm_numbers) */
	struct field_place at[6]; /* first place whose kinds the message has wins */
};

#define AT(kinds, member)                                                                          \
	{                                                                                          \
		kinds, offsetof(struct craft, member), sizeof(((struct craft *)0)->member)         \
	}
#define GIVEN(member) .given = offsetof(struct craft, member)
#define FIELD(...) (&(const struct craft_field){__VA_ARGS__})

static uint8_t field_opt_type(const struct craft_field *f)
{
	return f->tba ? *f->tba : f->mh_opt;
}

/* The field's octets in c for this message (their size in *size), or NULL. */
static uint8_t *field_at(struct craft *c, const struct craft_field *f, size_t *size)
{
	unsigned kinds = msg_kinds(c);
	for (const struct field_place *p = f->at; p->kinds; p++)
		if (p->kinds & kinds) {
			*size = p->size;
			return (uint8_t *)c + p->off;
		}
	return NULL;
}

static int field_missing(struct craft *c, const struct craft_field *f)
{
	if (f->only)
		return fail(c, "%s: only in %s", f->what, f->only);
	return fail(c, "%s: %s has no %s", f->what, c->def->name, f->lacks);
}

static void field_given(struct craft *c, const struct craft_field *f)
{
	if (f->given)
		*((uint8_t *)c + f->given) = 1;
}

/* v into the field of this message. */
static int field_store(struct craft *c, const struct craft_field *f, uint64_t v)
{
	size_t size;
	uint8_t *p = field_at(c, f, &size);
	if (!p)
		return field_missing(c, f);
	dmm_store_host_uint(p, size, v);
	field_given(c, f);
	return 0;
}

/* A number in 0..max. */
static int opt_number(struct craft *c, const struct craft_opt *row, const char *arg)
{
	uint64_t v;
	if (num(c, row->field->what, arg, row->field->max, &v) < 0)
		return -1;
	return field_store(c, row->field, v);
}

/* On/off switches: 1 into every place. */
static int opt_switch(struct craft *c, const struct craft_opt *row, const char *arg)
{
	for (const struct field_place *p = row->field->at; p->kinds; p++)
		dmm_store_host_uint((uint8_t *)c + p->off, p->size, 1);
	return 0;
}

/* An address field of the message: IPv6 in a 16-octet place, else IPv4. */
static int opt_address(struct craft *c, const struct craft_opt *row, const char *arg)
{
	const struct craft_field *f = row->field;
	size_t size;
	uint8_t *p = field_at(c, f, &size);
	if (!p)
		return field_missing(c, f);
	if ((size == 16 ? addr6 : addr4)(c, f->what, arg, p) < 0)
		return -1;
	field_given(c, f);
	return 0;
}

/* --src, --dst: either family, the same for both; Mobile IPv4 only over IPv4. */
static int opt_ip(struct craft *c, const struct craft_opt *row, const char *arg)
{
	const struct craft_field *f = row->field;
	int af = strchr(arg, ':') ? AF_INET6 : AF_INET;
	size_t size;
	uint8_t *out = field_at(c, f, &size);
	if (c->af && c->af != af)
		return fail(c, "%s: %s mixes IPv4 and IPv6 with the other address", f->what, arg);
	memset(out, 0, size);
	if (inet_pton(af, arg, out) != 1)
		return fail(c, "%s: '%s' is not an address", f->what, arg);
	if (is_family(c, CRAFT_MIP4) && af != AF_INET)
		return fail(c, "%s: Mobile IPv4 runs over IPv4", f->what);
	c->af = af;
	field_given(c, f);
	return 0;
}

static int opt_mac(struct craft *c, const struct craft_opt *row, const char *arg)
{
	const struct craft_field *f = row->field;
	size_t size;
	if (craft_parse_mac(arg, field_at(c, f, &size)) < 0)
		return fail(c, "%s: '%s' is not a MAC address", f->what, arg);
	field_given(c, f);
	c->link = 1;
	return 0;
}

/* --reserved: the message's own reserved bits (MH header Reserved: --mh-reserved). */
static int opt_reserved(struct craft *c, const struct craft_opt *row, const char *arg)
{
	uint64_t v;
	if (num(c, "--reserved", arg, 0xffff, &v) < 0)
		return -1;
	if (is_family(c, CRAFT_MH)) {
		switch (msg_type(c->def)) {
		case MH_BU:
			if (v > 0xf)
				return fail(c, "--reserved: BU has 4 reserved flag bits (0..15)");
			c->mh.u.bu.flags = (uint16_t)((c->mh.u.bu.flags & ~0xfu) | v);
			return 0;
		case MH_BA:
			if (v > 1)
				return fail(c, "--reserved: BA has 1 reserved flag bit (0..1)");
			c->mh.u.ba.flags = (uint8_t)((c->mh.u.ba.flags & ~1u) | v);
			return 0;
		case MH_BE:
			if (v > 0xff)
				return fail(c, "--reserved: BE Reserved is 8 bits");
			c->mh.u.be.reserved = (uint8_t)v;
			return 0;
		case MH_BRR:
			c->mh.u.brr.reserved = (uint16_t)v;
			return 0;
		case MH_HOTI:
		case MH_COTI:
			c->mh.u.ti.reserved = (uint16_t)v;
			return 0;
		}
		return fail(c, "--reserved: %s has no reserved field", c->def->name);
	}
	uint8_t t = msg_type(c->def);
	if (v > 0xff && t != MIP4_TUNNEL_DATA && t != MIP4_REVOCATION && t != MIP4_REVOCATION_ACK)
		return fail(c, "--reserved: 8-bit field");
	if (is_mip4_ti(c))
		c->mip4.u.ti.reserved = (uint8_t)v;
	else if (is_mip4_t(c))
		c->mip4.u.t.reserved = (uint8_t)v;
	else if (t == MIP4_TUNNEL_DATA)
		c->mip4.u.tun.reserved = (uint16_t)v;
	else if (t == MIP4_REVOCATION)
		c->mip4.u.rev.flags = (uint16_t)((c->mip4.u.rev.flags & 0xc000) | (v & 0x3fff));
	else if (t == MIP4_REVOCATION_ACK)
		c->mip4.u.rack.flags = (uint16_t)((c->mip4.u.rack.flags & 0x8000) | (v & 0x7fff));
	else if (t == MIP4_REG_REQUEST)
		c->mip4.u.req.flags = (uint8_t)((c->mip4.u.req.flags & ~MIP4_F_X) | (v & 1));
	else
		return fail(c, "--reserved: %s has no reserved field", c->def->name);
	return 0;
}

static int opt_header_len(struct craft *c, const struct craft_opt *row, const char *arg)
{
	if (opt_number(c, row, arg) < 0)
		return -1;
	c->mh.enc.force_hlen = 1;
	return 0;
}

/* --hoa: the Home Address field of BE, RRQ, RRP, revocation and its ack. */
static int opt_hoa(struct craft *c, const struct craft_opt *row, const char *arg)
{
	if (is_family(c, CRAFT_MH) && !is_type(c, MH_BE))
		return fail(c, "--hoa: %s has no Home Address (use --hao)", c->def->name);
	return opt_address(c, row, arg);
}

static int opt_ident(struct craft *c, const struct craft_opt *row, const char *arg)
{
	if (strcmp(arg, "now") == 0)
		return field_store(c, row->field, craft_ntp_now());
	return opt_number(c, row, arg);
}

static int opt_payload(struct craft *c, const struct craft_opt *row, const char *arg)
{
	size_t n;
	const uint8_t *p = arena_hex(c, arg, &n);
	if (!p)
		return fail(c, "--payload: bad hex");
	c->mip4.body = p;
	c->mip4.body_len = n;
	return 0;
}

/* ---- network and link layer ---- */

/* ---- malformed overrides ---- */

/* --raw-opt TYPE:HEX (MH option body, or MIPv4 TYPE[.SUBTYPE]:HEX). */
static int opt_raw(struct craft *c, const struct craft_opt *row, const char *arg)
{
	char *end;
	unsigned long type = strtoul(arg, &end, 0), sub = 0;
	if (*end == '.' && is_family(c, CRAFT_MIP4))
		sub = strtoul(end + 1, &end, 0);
	if (end == arg || *end != ':' || type > 255 || sub > 255)
		return fail(c, "--raw-opt: expected TYPE:HEX, got '%s'", arg);
	size_t n;
	const uint8_t *p = arena_hex(c, end + 1, &n);
	if (!p)
		return fail(c, "--raw-opt: bad hex in '%s'", arg);
	if (is_family(c, CRAFT_MH)) {
		struct mh_opt *o = new_opt(c, (uint8_t)type);
		if (!o)
			return -1;
		if (n > 255)
			return fail(c, "--raw-opt: body over 255 octets");
		o->flags |= MH_OPT_F_RAW;
		o->data = p;
		o->len = (uint8_t)n;
		return 0;
	}
	struct mip4_ext *e = new_ext(c, (uint8_t)type, (uint8_t)sub);
	if (!e)
		return -1;
	e->flags |= MIP4_EXT_F_RAW;
	e->body = p;
	e->body_len = n;
	return 0;
}

static int opt_len(struct craft *c, const struct craft_opt *row, const char *arg)
{
	uint64_t v;
	if (c->last < 0)
		return fail(c, "--opt-len: no option before it");
	if (is_family(c, CRAFT_MH)) {
		if (num(c, "--opt-len", arg, 255, &v) < 0)
			return -1;
		c->mh.opts[c->last].flags |= MH_OPT_F_FORCE_LEN;
		c->mh.opts[c->last].force_len = (uint8_t)v;
		return 0;
	}
	if (num(c, "--opt-len", arg, 65535, &v) < 0)
		return -1;
	c->mip4.exts[c->last].flags |= MIP4_EXT_F_FORCE_LEN;
	c->mip4.exts[c->last].force_len = (uint16_t)v;
	return 0;
}

static int set_mh_opt_reserved(struct craft *c, struct mh_opt *o, uint64_t v)
{
	uint8_t t = o->type;
	if (t == MH_OPT_HNP)
		o->v.hnp.reserved = (uint8_t)v;
	else if (t == MH_OPT_HI || t == MH_OPT_ATT)
		o->v.u8pair.reserved = (uint8_t)v;
	else if (t == MH_OPT_MNLLID)
		o->v.mnllid.reserved = (uint16_t)v;
	else if (t == MH_OPT_GREKEY)
		o->v.gre.reserved = (uint16_t)v;
	else if (t == MH_OPT_IPV4COA || t == MH_OPT_IPV4DRA)
		o->v.v4.flags = (uint16_t)v;
	else if (t == MH_OPT_NATD)
		o->v.v4.flags = (uint16_t)((o->v.v4.flags & 0x8000) | (v & 0x7fff));
	else if (t == MH_OPT_IPV4HOA_REQ)
		o->v.v4.flags = (uint16_t)(v & 0x3ff);
	else if (t == MH_OPT_IPV4HOA_REP)
		o->v.v4.flags = (uint16_t)(v & 3);
	else if (t == MH_OPT_IPV4DSM)
		o->v.v4.flags = (uint16_t)((o->v.v4.flags & 1) | (v << 1));
	else if (t == MH_OPT_MMB)
		o->v.mmb.reserved = (uint16_t)v;
	else if (t == MH_OPT_MAGID)
		o->v.nai.reserved = (uint8_t)v;
	else if (t == dmm_numbers.pmaar_opt)
		o->v.pmaar.reserved = (uint8_t)v;
	else
		return fail(c, "--opt-reserved: option %u has no reserved field", t);
	return 0;
}

static int set_mip4_ext_reserved(struct craft *c, struct mip4_ext *e, uint64_t v)
{
	if (e->type == MIP4_EXT_UDP_TUN_REQUEST)
		e->v.utrq.reserved3 = (uint16_t)v;
	else if (e->type == MIP4_EXT_UDP_TUN_REPLY)
		e->v.utrp.flags = (uint16_t)((e->v.utrp.flags & MIP4_UTRP_F) | (v & 0x7fff));
	else if (e->type == MIP4_EXT_REV_SUPPORT)
		e->v.revsup.flags = (uint16_t)((e->v.revsup.flags & MIP4_REVSUP_I) | (v & 0x7fff));
	else if (e->type == MIP4_EXT_MOBNET)
		e->v.mne.reserved = (uint8_t)v;
	else if (e->type == dmm_numbers.haaro_t1)
		e->v.rocap.flags = (uint8_t)((e->v.rocap.flags & 0xf0) | (v & 0x0f));
	else if (e->type == dmm_numbers.haaro_t2 && e->subtype == HAARO_MCAUTH_SUBTYPE)
		e->v.mcauth.reserved = (uint8_t)v;
	else if (e->type == dmm_numbers.haaro_t2 && e->subtype == HAARO_COA_SUBTYPE)
		e->v.coa.reserved = (uint8_t)v;
	else
		return fail(c, "--opt-reserved: extension %u has no reserved field", e->type);
	return 0;
}

static int opt_opt_reserved(struct craft *c, const struct craft_opt *row, const char *arg)
{
	uint64_t v;
	if (c->last < 0)
		return fail(c, "--opt-reserved: no option before it");
	if (num(c, "--opt-reserved", arg, 0xffff, &v) < 0)
		return -1;
	if (is_family(c, CRAFT_MH))
		return set_mh_opt_reserved(c, &c->mh.opts[c->last], v);
	return set_mip4_ext_reserved(c, &c->mip4.exts[c->last], v);
}

static int opt_vary(struct craft *c, const struct craft_opt *row, const char *arg)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {{"seq", CRAFT_VARY_SEQ},
	             {"id", CRAFT_VARY_ID},
	             {"mn-id", CRAFT_VARY_MNID},
	             {"hnp", CRAFT_VARY_HNP}};
	const char *p = arg;
	while (*p) {
		size_t n = strcspn(p, ",");
		unsigned i;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == n && strncmp(p, names[i].name, n) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return fail(c, "--vary: unknown field in '%s' (seq, id, mn-id, hnp)", arg);
		c->vary |= names[i].bit;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* ---- mobility options ---- */

/* An MH option carrying an NAI (MN-ID, MAG-ID). */
static int opt_nai(struct craft *c, const struct craft_opt *row, const char *arg)
{
	uint8_t type = field_opt_type(row->field);
	size_t n = strlen(arg);
	if (n > 253)
		return fail(c, "identifier longer than 253 octets");
	const uint8_t *p = arena_put(c, arg, n);
	struct mh_opt *o = p ? new_opt(c, type) : NULL;
	if (!o)
		return p ? -1 : fail(c, "out of option storage");
	o->v.nai.subtype = NAI_SUBTYPE;
	o->v.nai.id = p;
	o->v.nai.idlen = (uint8_t)n;
	return 0;
}

static int opt_id_subtype(struct craft *c, const struct craft_opt *row, const char *arg)
{
	uint64_t v;
	if (c->last < 0 ||
	    (c->mh.opts[c->last].type != MH_OPT_MNID && c->mh.opts[c->last].type != MH_OPT_MAGID))
		return fail(c, "--id-subtype: must follow --mn-id or --mag-id");
	if (num(c, "--id-subtype", arg, 255, &v) < 0)
		return -1;
	c->mh.opts[c->last].v.nai.subtype = (uint8_t)v;
	return 0;
}

static int opt_hnp(struct craft *c, const struct craft_opt *row, const char *arg)
{
	struct mh_opt *o;
	uint8_t prefix[16], plen;
	if (craft_parse_prefix6(arg, prefix, &plen) < 0)
		return fail(c, "--hnp: '%s' is not PREFIX/LEN", arg);
	if (!(o = new_opt(c, MH_OPT_HNP)))
		return -1;
	memcpy(o->v.hnp.prefix, prefix, 16);
	o->v.hnp.plen = plen;
	return 0;
}

/* An MH option of one value octet (Handoff Indicator, Access Technology Type). */
static int opt_u8pair(struct craft *c, const struct craft_opt *row, const char *arg)
{
	uint64_t v;
	struct mh_opt *o;
	if (num(c, row->field->what, arg, 255, &v) < 0 ||
	    !(o = new_opt(c, field_opt_type(row->field))))
		return -1;
	o->v.u8pair.value = (uint8_t)v;
	return 0;
}

static int opt_mn_ll_id(struct craft *c, const struct craft_opt *row, const char *arg)
{
	size_t n;
	const uint8_t *p = arena_hex(c, arg, &n);
	struct mh_opt *o;
	if (!p || n > 253)
		return fail(c, "--mn-ll-id: bad hex");
	if (!(o = new_opt(c, MH_OPT_MNLLID)))
		return -1;
	o->v.mnllid.lli = p;
	o->v.mnllid.llilen = (uint8_t)n;
	return 0;
}

/* An MH option of one IPv6 address (Link-local Address, Serving MAAR). */
static int opt_addr6_opt(struct craft *c, const struct craft_opt *row, const char *arg)
{
	uint8_t a[16];
	struct mh_opt *o;
	if (addr6(c, row->field->what, arg, a) < 0 || !(o = new_opt(c, field_opt_type(row->field))))
		return -1;
	memcpy(o->v.addr6, a, 16);
	return 0;
}

static int opt_timestamp(struct craft *c, const struct craft_opt *row, const char *arg)
{
	uint64_t v = 0;
	struct mh_opt *o;
	if (arg && strcmp(arg, "now") != 0 && num(c, "--timestamp", arg, UINT64_MAX, &v) < 0)
		return -1;
	if (!(o = new_opt(c, MH_OPT_TIMESTAMP)))
		return -1;
	o->v.timestamp = (!arg || strcmp(arg, "now") == 0) ? craft_mh_timestamp_now() : v;
	return 0;
}

/* One item of an ITEM[,ITEM...] argument: a flag (KEY alone) or a number (KEY=N), in a field
 * of the option or extension. */
struct kv_item {
	const char *key;
	unsigned bit; /* a flag: ORed into the field; 0: KEY=N, N in 0..max */
	uint64_t max;
	size_t off, size; /* the field: offsetof, sizeof */
};

#define ITEM(type, key, bit, max, member)                                                          \
	{                                                                                          \
		key, bit, max, offsetof(type, member), sizeof(((type *)0)->member)                 \
	}
#define OPT_FLAG(key, bit, member) ITEM(struct mh_opt, key, bit, 0, member)
#define OPT_NUM(key, max, member) ITEM(struct mh_opt, key, 0, max, member)
#define EXT_FLAG(key, bit, member) ITEM(struct mip4_ext, key, bit, 0, member)
#define EXT_NUM(key, max, member) ITEM(struct mip4_ext, key, 0, max, member)

struct kv_ctx {
	struct craft *c;
	const char *what;
	void *target;
	const struct kv_item *items; /* ended by a NULL key */
};

/* An item of k->items; anything else is unknown. */
static int items_kv(void *arg, const char *key, const char *val)
{
	struct kv_ctx *k = arg;
	uint64_t v;
	for (const struct kv_item *it = k->items; it && it->key; it++) {
		uint8_t *p = (uint8_t *)k->target + it->off;
		if (strcmp(it->key, key) != 0)
			continue;
		if (it->bit && !val) {
			dmm_store_host_uint(p, it->size, dmm_load_host_uint(p, it->size) | it->bit);
			return 0;
		}
		if (!it->bit && num(k->c, k->what, val, it->max, &v) == 0) {
			dmm_store_host_uint(p, it->size, v);
			return 0;
		}
	}
	return fail(k->c, "%s: unknown item '%s'", k->what, key);
}

/* The option or extension just added (NULL: it could not be), then the items of arg through
 * fn (NULL: items_kv); no arg: nothing more. */
static int add_items(struct craft *c, void *target, const char *what, const struct kv_item *items,
                     int (*fn)(void *arg, const char *key, const char *val), const char *arg)
{
	struct kv_ctx k = {c, what, target, items};
	if (!target)
		return -1;
	return arg ? craft_parse_kv(arg, fn ? fn : items_kv, &k) : 0;
}

static const struct kv_item natd_items[] = {OPT_FLAG("f", 0x8000, v.v4.flags),
                                            OPT_NUM("refresh", 0xffffffffu, v.v4.refresh),
                                            {NULL, 0, 0, 0, 0}};

static int opt_natd(struct craft *c, const struct craft_opt *row, const char *arg)
{
	return add_items(c, new_opt(c, MH_OPT_NATD), "--natd", natd_items, NULL, arg);
}

/* An MH option of one IPv4 address (IPv4 Care-of Address, IPv4 Default-Router Address). */
static int opt_addr4_opt(struct craft *c, const struct craft_opt *row, const char *arg)
{
	uint8_t a[4];
	struct mh_opt *o;
	if (addr4(c, row->field->what, arg, a) < 0 || !(o = new_opt(c, field_opt_type(row->field))))
		return -1;
	memcpy(o->v.v4.addr4, a, 4);
	return 0;
}

static int opt_gre_key(struct craft *c, const struct craft_opt *row, const char *arg)
{
	uint64_t v = 0;
	struct mh_opt *o;
	if (arg && num(c, "--gre-key", arg, 0xffffffffu, &v) < 0)
		return -1;
	if (!(o = new_opt(c, MH_OPT_GREKEY)))
		return -1;
	o->v.gre.has_key = arg != NULL;
	o->v.gre.key = (uint32_t)v;
	return 0;
}

static int opt_ipv4_hoa_req(struct craft *c, const struct craft_opt *row, const char *arg)
{
	uint8_t a[4] = {0}, plen = 0;
	struct mh_opt *o;
	if (arg && craft_parse_prefix4(arg, a, &plen) < 0)
		return fail(c, "--ipv4-hoa-req: '%s' is not ADDR/LEN", arg);
	if (!(o = new_opt(c, MH_OPT_IPV4HOA_REQ)))
		return -1;
	memcpy(o->v.v4.addr4, a, 4);
	o->v.v4.plen = plen;
	return 0;
}

static const struct kv_item v4rep_items[] = {OPT_NUM("status", 255, v.v4.status),
                                             {NULL, 0, 0, 0, 0}};

static int v4rep_kv(void *arg, const char *key, const char *val)
{
	struct kv_ctx *k = arg;
	struct mh_opt *o = k->target;
	if (!val && craft_parse_prefix4(key, o->v.v4.addr4, &o->v.v4.plen) == 0)
		return 0;
	return items_kv(arg, key, val);
}

static int opt_ipv4_hoa_rep(struct craft *c, const struct craft_opt *row, const char *arg)
{
	return add_items(c, new_opt(c, MH_OPT_IPV4HOA_REP), "--ipv4-hoa-rep", v4rep_items, v4rep_kv,
	                 arg);
}

static int opt_ipv4_dsm(struct craft *c, const struct craft_opt *row, const char *arg)
{
	struct mh_opt *o = new_opt(c, MH_OPT_IPV4DSM);
	if (!o)
		return -1;
	if (!arg || strcmp(arg, "server") == 0 || strcmp(arg, "1") == 0)
		o->v.v4.flags = 1;
	else if (strcmp(arg, "relay") != 0 && strcmp(arg, "0") != 0)
		return fail(c, "--ipv4-dsm: server or relay");
	return 0;
}

static int mmb_kv(void *arg, const char *key, const char *val)
{
	struct kv_ctx *k = arg;
	struct mh_opt *o = k->target;
	uint64_t v = 0;
	if (!val && (strcmp(key, "b") == 0 || strcmp(key, "o") == 0)) {
		o->v.mmb.flags |= key[0] == 'b' ? MH_MMB_B : MH_MMB_O;
		return 0;
	}
	if (!val || num(k->c, k->what, val, 0xffff, &v) < 0)
		return fail(k->c,
		            "%s: expected if-att=N, if-label=N, bid=N, b, o, flags-reserved=N, "
		            "reserved=N; got '%s'",
		            k->what, key);
	if (strcmp(key, "reserved") == 0)
		o->v.mmb.reserved = (uint16_t)v;
	else if (v > 255)
		return fail(k->c, "%s: %s above 255", k->what, key);
	else if (strcmp(key, "if-att") == 0)
		o->v.mmb.if_att = (uint8_t)v;
	else if (strcmp(key, "if-label") == 0)
		o->v.mmb.if_label = (uint8_t)v;
	else if (strcmp(key, "bid") == 0)
		o->v.mmb.bid = (uint8_t)v;
	else if (strcmp(key, "flags-reserved") == 0 && v <= 0x3f)
		o->v.mmb.flags = (uint8_t)((o->v.mmb.flags & 0xc0) | v);
	else
		return fail(k->c, "%s: unknown item '%s'", k->what, key);
	return 0;
}

static int opt_mmb(struct craft *c, const struct craft_opt *row, const char *arg)
{
	return add_items(c, new_opt(c, MH_OPT_MMB), "--mmb", NULL, mmb_kv, arg);
}

/* --pmaar P-MAAR-ADDR,HNP/LEN */
static int opt_pmaar(struct craft *c, const struct craft_opt *row, const char *arg)
{
	char buf[128];
	const char *comma = strchr(arg, ',');
	struct mh_opt *o;
	uint8_t a[16], hnp[16], plen;
	if (!comma || (size_t)(comma - arg) >= sizeof(buf))
		return fail(c, "--pmaar: expected ADDR,PREFIX/LEN");
	memcpy(buf, arg, (size_t)(comma - arg));
	buf[comma - arg] = 0;
	if (addr6(c, "--pmaar", buf, a) < 0)
		return -1;
	if (craft_parse_prefix6(comma + 1, hnp, &plen) < 0)
		return fail(c, "--pmaar: '%s' is not PREFIX/LEN", comma + 1);
	if (!(o = new_opt(c, dmm_numbers.pmaar_opt)))
		return -1;
	memcpy(o->v.pmaar.addr, a, 16);
	memcpy(o->v.pmaar.hnp, hnp, 16);
	o->v.pmaar.plen = plen;
	return 0;
}

/* --vsm VENDOR:SUBTYPE[:HEX] */
static int opt_vsm(struct craft *c, const struct craft_opt *row, const char *arg)
{
	char *end;
	unsigned long long vendor = strtoull(arg, &end, 0);
	unsigned long sub;
	size_t n = 0;
	const uint8_t *data;
	struct mh_opt *o;
	if (end == arg || *end != ':' || vendor > 0xffffffffu)
		return fail(c, "--vsm: expected VENDOR:SUBTYPE[:HEX]");
	const char *s = end + 1;
	sub = strtoul(s, &end, 0);
	if (end == s || sub > 255 || (*end && *end != ':'))
		return fail(c, "--vsm: expected VENDOR:SUBTYPE[:HEX]");
	data = arena_hex(c, *end ? end + 1 : "", &n);
	if (!data || n > 250)
		return fail(c, "--vsm: bad hex data");
	if (!(o = new_opt(c, MH_OPT_VSM)))
		return -1;
	o->v.vsm.vendor = (uint32_t)vendor;
	o->v.vsm.subtype = (uint8_t)sub;
	o->v.vsm.data = data;
	o->v.vsm.dlen = (uint8_t)n;
	return 0;
}

/* --auth SPI:KEY: RFC 4285 option, authenticator computed by mh_encode. */
static int opt_auth(struct craft *c, const struct craft_opt *row, const char *arg)
{
	struct mh_opt *o;
	if (dmm_keys_add_mh_auth(arg) < 0)
		return fail(c, "--auth: expected SPI:KEY, got '%s'", arg);
	if (!(o = new_opt(c, MH_OPT_AUTH)))
		return -1;
	o->v.auth.subtype = AUTH_SUBTYPE_MNHA;
	o->v.auth.spi = dmm_keys.mh_auth[dmm_keys.n_mh_auth - 1].spi;
	return 0;
}

static int opt_pad1(struct craft *c, const struct craft_opt *row, const char *arg)
{
	return new_opt(c, MH_OPT_PAD1) ? 0 : -1;
}

static int opt_padn(struct craft *c, const struct craft_opt *row, const char *arg)
{
	uint64_t v;
	struct mh_opt *o;
	static const uint8_t zeros[255];
	if (num(c, "--padn", arg, 257, &v) < 0 || v < 2)
		return fail(c, "--padn: total octets 2..257");
	if (!(o = new_opt(c, MH_OPT_PADN)))
		return -1;
	o->flags |= MH_OPT_F_RAW;
	o->data = zeros;
	o->len = (uint8_t)(v - 2);
	return 0;
}

/* ---- MIPv4 extensions ---- */

/* --mn-ha SPI:KEY: MN-HA authenticator computed by mip4_encode (RFC 5944 §3.5.2). */
static int opt_mn_ha(struct craft *c, const struct craft_opt *row, const char *arg)
{
	struct mip4_ext *e;
	if (dmm_keys_add_mnha(arg) < 0)
		return fail(c, "--mn-ha: expected SPI:KEY, got '%s'", arg);
	const struct dmm_spi_key *k = &dmm_keys.mnha[dmm_keys.n_mnha - 1];
	if (!(e = new_ext(c, MIP4_EXT_MNHA_AUTH, 0)))
		return -1;
	e->flags |= MIP4_EXT_F_SIGN;
	e->v.auth.spi = k->spi;
	e->v.auth.key = k->key;
	e->v.auth.keylen = (uint8_t)k->len;
	return 0;
}

static int hex64(const char *s, uint64_t *v)
{
	uint8_t b[8];
	if (dmm_hex_decode(s, b, sizeof(b)) != 8)
		return craft_parse_u64(s, UINT64_MAX, v);
	*v = 0;
	for (int i = 0; i < 8; i++)
		*v = *v << 8 | b[i];
	return 0;
}

struct mcauth_ctx {
	struct craft *c;
	struct mip4_ext *e;
	uint8_t krm[HAARO_KRM_LEN];
	int have_krm, have_home, have_coa;
	uint64_t home, coa;
};

static int mcauth_kv(void *arg, const char *key, const char *val)
{
	struct mcauth_ctx *m = arg;
	uint64_t v;
	if (!val)
		return fail(m->c, "--mcauth: '%s' needs a value", key);
	if (strcmp(key, "krm") == 0) {
		if (dmm_hex_decode(val, m->krm, sizeof(m->krm)) != HAARO_KRM_LEN)
			return fail(m->c, "--mcauth: krm is 40 hex digits");
		m->have_krm = 1;
	} else if (strcmp(key, "home-token") == 0 && hex64(val, &m->home) == 0) {
		m->have_home = 1;
	} else if (strcmp(key, "coa-token") == 0 && hex64(val, &m->coa) == 0) {
		m->have_coa = 1;
	} else if (strcmp(key, "auth") == 0) {
		size_t n;
		const uint8_t *p = arena_hex(m->c, val, &n);
		if (!p || n > 248)
			return fail(m->c, "--mcauth: bad auth hex");
		m->e->v.mcauth.auth = p;
		m->e->v.mcauth.authlen = (uint8_t)n;
	} else if (num(m->c, "--mcauth", val, 0xffff, &v) < 0) {
		return -1;
	} else if (strcmp(key, "hni") == 0) {
		m->e->v.mcauth.hni = (uint16_t)v;
	} else if (strcmp(key, "cni") == 0) {
		m->e->v.mcauth.cni = (uint16_t)v;
	} else {
		return fail(m->c, "--mcauth: unknown item '%s'", key);
	}
	return 0;
}

/* --mcauth krm=HEX40|home-token=T[,coa-token=T]|auth=HEX[,hni=N,cni=N] (RFC 6521 §5.3). */
static int opt_mcauth(struct craft *c, const struct craft_opt *row, const char *arg)
{
	struct mcauth_ctx m;
	memset(&m, 0, sizeof(m));
	m.c = c;
	if (!(m.e = new_ext(c, dmm_numbers.haaro_t2, HAARO_MCAUTH_SUBTYPE)))
		return -1;
	if (craft_parse_kv(arg, mcauth_kv, &m) < 0)
		return -1;
	if (!m.have_krm && m.have_home && m.have_coa)
		m.have_krm = haaro_krm(m.home, m.coa, m.krm) == 0;
	else if (!m.have_krm && m.have_home)
		m.have_krm = haaro_krm_dereg(m.home, m.krm) == 0;
	if (m.have_krm) {
		m.e->v.mcauth.krm = arena_put(c, m.krm, sizeof(m.krm));
		if (!m.e->v.mcauth.krm)
			return fail(c, "out of option storage");
		m.e->flags |= MIP4_EXT_F_SIGN;
	} else if (!m.e->v.mcauth.auth) {
		return fail(c, "--mcauth: give krm=, home-token= (and coa-token=) or auth=");
	}
	return 0;
}

/* --mnr PREFIX/LEN: Mobile Network Request (RFC 5177 §4.1). */
static int opt_mnr(struct craft *c, const struct craft_opt *row, const char *arg)
{
	struct mip4_ext *e;
	uint8_t p[4], plen;
	if (craft_parse_prefix4(arg, p, &plen) < 0)
		return fail(c, "--mnr: '%s' is not PREFIX/LEN", arg);
	if (!(e = new_ext(c, MIP4_EXT_MOBNET, MIP4_MNE_REQUEST)))
		return -1;
	memcpy(e->v.mne.prefix, p, 4);
	e->v.mne.plen = plen;
	return 0;
}

static const struct kv_item mnack_items[] = {EXT_NUM("code", 255, v.mne.code), {NULL, 0, 0, 0, 0}};

static int mnack_kv(void *arg, const char *key, const char *val)
{
	struct kv_ctx *k = arg;
	struct mip4_ext *e = k->target;
	if (!val && craft_parse_prefix4(key, e->v.mne.prefix, &e->v.mne.plen) == 0)
		return 0;
	if (!val && strcmp(key, "implicit") == 0) {
		e->subtype = MIP4_MNE_ACK_IMPLICIT;
		return 0;
	}
	return items_kv(arg, key, val);
}

/* --mnack PREFIX/LEN[,code=N][,implicit]: Mobile Network Acknowledgement (RFC 5177 §4.2). */
static int opt_mnack(struct craft *c, const struct craft_opt *row, const char *arg)
{
	return add_items(c, new_ext(c, MIP4_EXT_MOBNET, MIP4_MNE_ACK_EXPLICIT), "--mnack",
	                 mnack_items, mnack_kv, arg);
}

static const struct kv_item rocap_items[] = {EXT_FLAG("a", HAARO_ROCAP_A, v.rocap.flags),
                                             EXT_FLAG("r", HAARO_ROCAP_R, v.rocap.flags),
                                             EXT_FLAG("s", HAARO_ROCAP_S, v.rocap.flags),
                                             EXT_FLAG("o", HAARO_ROCAP_O, v.rocap.flags),
                                             {NULL, 0, 0, 0, 0}};

static int rocap_kv(void *arg, const char *key, const char *val)
{
	struct kv_ctx *k = arg;
	struct mip4_ext *e = k->target;
	if (strcmp(key, "hoa") == 0) {
		e->v.rocap.has_hoa = 1;
		return addr4(k->c, k->what, val, e->v.rocap.hoa);
	}
	return items_kv(arg, key, val);
}

static int opt_rocap(struct craft *c, const struct craft_opt *row, const char *arg)
{
	return add_items(c, new_ext(c, dmm_numbers.haaro_t1, HAARO_MRROCAP_SUBTYPE), "--rocap",
	                 rocap_items, rocap_kv, arg);
}

static const struct kv_item ror_items[] = {EXT_FLAG("o", HAARO_ROR_O, v.ror.flags),
                                           EXT_FLAG("n", HAARO_ROR_N, v.ror.flags),
                                           EXT_FLAG("s", HAARO_ROR_S, v.ror.flags),
                                           EXT_NUM("code", 31, v.ror.code),
                                           {NULL, 0, 0, 0, 0}};

static int opt_ror(struct craft *c, const struct craft_opt *row, const char *arg)
{
	return add_items(c, new_ext(c, dmm_numbers.haaro_t2, HAARO_ROR_SUBTYPE), "--ror", ror_items,
	                 NULL, arg);
}

/* --coa-ext ADDR[,ADDR...] (RFC 6521 §5.4). */
static int opt_coa_ext(struct craft *c, const struct craft_opt *row, const char *arg)
{
	uint8_t addrs[4 * 62];
	unsigned n = 0;
	char buf[INET_ADDRSTRLEN];
	struct mip4_ext *e;
	for (const char *p = arg; *p;) {
		size_t len = strcspn(p, ",");
		if (len >= sizeof(buf) || n >= 62)
			return fail(c, "--coa-ext: bad address list");
		memcpy(buf, p, len);
		buf[len] = 0;
		if (addr4(c, "--coa-ext", buf, addrs + 4 * n++) < 0)
			return -1;
		p += len;
		if (*p)
			p++;
	}
	if (!(e = new_ext(c, dmm_numbers.haaro_t2, HAARO_COA_SUBTYPE)))
		return -1;
	e->v.coa.addrs = n ? arena_put(c, addrs, 4 * n) : NULL;
	e->v.coa.count = (uint8_t)n;
	return 0;
}

/* --pfx ITEM[,ITEM...]: ITEM = mr:ADDR[:INFO] | PREFIX/LEN[@REALM] | no-delta | no-dict. */
static int opt_pfx(struct craft *c, const struct craft_opt *row, const char *arg)
{
	unsigned first = c->n_pfx, flags = 0;
	struct mip4_ext *e;
	char item[300];
	for (const char *p = arg; *p;) {
		size_t len = strcspn(p, ",");
		if (len >= sizeof(item))
			return fail(c, "--pfx: item too long");
		memcpy(item, p, len);
		item[len] = 0;
		p += len;
		if (*p)
			p++;
		if (strcmp(item, "no-delta") == 0) {
			flags |= HAARO_PFX_NO_DELTA;
			continue;
		}
		if (strcmp(item, "no-dict") == 0) {
			flags |= HAARO_PFX_NO_REALM_DICT;
			continue;
		}
		if (c->n_pfx >= CRAFT_MAX_PFX)
			return fail(c, "--pfx: at most %d structures", CRAFT_MAX_PFX);
		struct haaro_pfx_info *in = &c->pfx[c->n_pfx];
		memset(in, 0, sizeof(*in));
		if (strncmp(item, "mr:", 3) == 0) {
			char *colon = strchr(item + 3, ':');
			uint64_t info = 0;
			if (colon) {
				*colon = 0;
				if (num(c, "--pfx info", colon + 1, 63, &info) < 0)
					return -1;
			}
			in->m = 1;
			in->plen_info = (uint8_t)info;
			if (addr4(c, "--pfx", item + 3, in->hoa) < 0)
				return -1;
		} else {
			char *at = strchr(item, '@');
			if (at) {
				*at++ = 0;
				in->realm = (const char *)arena_put(c, at, strlen(at));
				in->realm_len = strlen(at);
				if (!in->realm)
					return fail(c, "out of option storage");
			}
			if (craft_parse_prefix4(item, in->prefix, &in->plen_info) < 0)
				return fail(c, "--pfx: '%s' is not PREFIX/LEN", item);
		}
		c->n_pfx++;
	}
	if (!(e = new_ext(c, dmm_numbers.haaro_t3, HAARO_PFX_SUBTYPE)))
		return -1;
	e->v.pfx.infos = &c->pfx[first];
	e->v.pfx.n = c->n_pfx - first;
	e->v.pfx.flags = flags;
	return 0;
}

static const struct kv_item utrq_items[] = {EXT_FLAG("f", MIP4_UTRQ_F, v.utrq.flags),
                                            EXT_FLAG("r", MIP4_UTRQ_R, v.utrq.flags),
                                            EXT_NUM("encap", 255, v.utrq.encap),
                                            {NULL, 0, 0, 0, 0}};

static int opt_udp_tunnel_req(struct craft *c, const struct craft_opt *row, const char *arg)
{
	struct mip4_ext *e = new_ext(c, MIP4_EXT_UDP_TUN_REQUEST, 0);
	if (e)
		e->v.utrq.encap = 4; /* IP-in-IP */
	return add_items(c, e, "--udp-tunnel-req", utrq_items, NULL, arg);
}

static const struct kv_item utrp_items[] = {EXT_FLAG("f", MIP4_UTRP_F, v.utrp.flags),
                                            EXT_NUM("code", 255, v.utrp.code),
                                            EXT_NUM("keepalive", 0xffff, v.utrp.keepalive),
                                            {NULL, 0, 0, 0, 0}};

static int opt_udp_tunnel_reply(struct craft *c, const struct craft_opt *row, const char *arg)
{
	return add_items(c, new_ext(c, MIP4_EXT_UDP_TUN_REPLY, 0), "--udp-tunnel-reply", utrp_items,
	                 NULL, arg);
}

static const struct kv_item revsup_items[] = {EXT_FLAG("i", MIP4_REVSUP_I, v.revsup.flags),
                                              EXT_NUM("timestamp", 0xffffffffu, v.revsup.timestamp),
                                              {NULL, 0, 0, 0, 0}};

static int opt_revocation_support(struct craft *c, const struct craft_opt *row, const char *arg)
{
	struct mip4_ext *e = new_ext(c, MIP4_EXT_REV_SUPPORT, 0);
	if (e)
		e->v.revsup.timestamp = (uint32_t)time(NULL);
	return add_items(c, e, "--revocation-support", revsup_items, NULL, arg);
}

static int opt_pad(struct craft *c, const struct craft_opt *row, const char *arg)
{
	return new_ext(c, MIP4_EXT_PAD, 0) ? 0 : -1;
}

/* ---- the option table ---- */

#define MH CRAFT_MH
#define M4 CRAFT_MIP4
#define ALL (CRAFT_MH | CRAFT_MIP4)

static const struct craft_field hop_limit_field = {"--hop-limit", 255,
                                                   .at = {AT(K_ANY, hop_limit)}};
static const struct craft_field status_field = {
    "--status", 255, .lacks = "status",
    .at = {AT(K_BA, mh.u.ba.status), AT(K_BE, mh.u.be.status), AT(K_RRP, mip4.u.rep.code)}};

static const struct craft_opt opts[] = {
    /* network and link layer */
    {"src", CRAFT_ARG, ALL, "ADDR", "source address (default: the route's source)", opt_ip,
     FIELD("--src", GIVEN(have_src), .at = {AT(K_ANY, src)})},
    {"dst", CRAFT_ARG, ALL, "ADDR", "destination; IPv4 with an MH message: UDP 5436 (RFC 5844)",
     opt_ip, FIELD("--dst", GIVEN(have_dst), .at = {AT(K_ANY, dst)})},
    {"hao", CRAFT_ARG, MH, "ADDR", "Home Address destination option (RFC 6275 §6.3)", opt_address,
     FIELD("--hao", GIVEN(have_hao), .at = {AT(K_ANY, hao)})},
    {"hop-limit", CRAFT_ARG, ALL, "N", "IPv6 hop limit / IPv4 TTL (64)", opt_number,
     &hop_limit_field},
    {"ttl", CRAFT_ARG, ALL, "N", "same as --hop-limit", opt_number, &hop_limit_field},
    {"tos", CRAFT_ARG, ALL, "N", "traffic class / TOS", opt_number,
     FIELD("--tos", 255, .at = {AT(K_ANY, tos)})},
    {"ip-id", CRAFT_ARG, ALL, "N", "IPv4 Identification", opt_number,
     FIELD("--ip-id", 0xffff, .at = {AT(K_ANY, ip_id)})},
    {"sport", CRAFT_ARG, ALL, "PORT", "UDP source port (434, or 5436 for MH over UDP)", opt_number,
     FIELD("--sport", 0xffff, .at = {AT(K_ANY, sport)})},
    {"dport", CRAFT_ARG, ALL, "PORT", "UDP destination port", opt_number,
     FIELD("--dport", 0xffff, .at = {AT(K_ANY, dport)})},
    {"link", CRAFT_NO_ARG, ALL, NULL, "build the Ethernet header (link-layer injection)",
     opt_switch, FIELD("--link", .at = {AT(K_ANY, link)})},
    {"src-mac", CRAFT_ARG, ALL, "MAC", "Ethernet source (default: the interface's)", opt_mac,
     FIELD("--src-mac", GIVEN(have_src_mac), .at = {AT(K_ANY, src_mac)})},
    {"dst-mac", CRAFT_ARG, ALL, "MAC", "Ethernet destination (default: broadcast)", opt_mac,
     FIELD("--dst-mac", GIVEN(have_dst_mac), .at = {AT(K_ANY, dst_mac)})},
    /* header fields */
    {"seq", CRAFT_ARG, MH, "N", "Sequence Number (BU/PBU/BA/PBA)", opt_number,
     FIELD("--seq", 0xffff, GIVEN(given_seq), .lacks = "sequence number",
           .at = {AT(K_BU, mh.u.bu.seq), AT(K_BA, mh.u.ba.seq)})},
    {"flags", CRAFT_ARG, ALL, "LETTERS|N|none",
     "flags: BU AHLKMRPFTBSD, BA KRPTBSD, RRQ SBDMGRTX, revocation AI, ack I", opt_flags, NULL},
    {"lifetime", CRAFT_ARG, ALL, "N", "Lifetime (MH: 4 s units; MIPv4: seconds)", opt_number,
     FIELD("--lifetime", 0xffff, GIVEN(given_lifetime), .lacks = "lifetime",
           .at = {AT(K_BU, mh.u.bu.lifetime), AT(K_BA, mh.u.ba.lifetime),
                  AT(K_RRQ, mip4.u.req.lifetime), AT(K_RRP, mip4.u.rep.lifetime)})},
    {"status", CRAFT_ARG, ALL, "N", "BA/PBA/BE Status, RRP Code", opt_number, &status_field},
    {"code", CRAFT_ARG, M4, "N", "RRP Code", opt_number, &status_field},
    {"cookie", CRAFT_ARG, ALL, "N", "init cookie (HoTI/CoTI/HoT/CoT)", opt_number,
     FIELD("--cookie", UINT64_MAX, .lacks = "cookie",
           .at = {AT(K_MH_TI, mh.u.ti.cookie), AT(K_MH_T, mh.u.t.cookie),
                  AT(K_M4_TI, mip4.u.ti.cookie), AT(K_M4_T, mip4.u.t.cookie)})},
    {"token", CRAFT_ARG, ALL, "N", "keygen token (HoT/CoT)", opt_number,
     FIELD("--token", UINT64_MAX, .lacks = "keygen token",
           .at = {AT(K_MH_T, mh.u.t.token), AT(K_M4_T, mip4.u.t.token)})},
    {"nonce-index", CRAFT_ARG, ALL, "N", "nonce index (HoT/CoT)", opt_number,
     FIELD("--nonce-index", 0xffff, .lacks = "nonce index",
           .at = {AT(K_MH_T, mh.u.t.nindex), AT(K_M4_T, mip4.u.t.nonce_index)})},
    {"reserved", CRAFT_ARG, ALL, "V", "the message's reserved bits", opt_reserved, NULL},
    {"mh-reserved", CRAFT_ARG, MH, "V", "MH header Reserved octet", opt_number,
     FIELD("--mh-reserved", 255, .at = {AT(K_ANY, mh.reserved)})},
    {"payload-proto", CRAFT_ARG, MH, "N", "MH Payload Proto (59)", opt_number,
     FIELD("--payload-proto", 255, .at = {AT(K_ANY, mh.proto)})},
    {"header-len", CRAFT_ARG, MH, "N", "force the MH Header Len", opt_header_len,
     FIELD("--header-len", 255, .at = {AT(K_ANY, mh.hlen)})},
    {"hoa", CRAFT_ARG, ALL, "ADDR", "Home Address field (BE, RRQ, RRP, revocation, ack)", opt_hoa,
     FIELD("--hoa", .lacks = "Home Address",
           .at = {AT(K_BE, mh.u.be.hoa), AT(K_RRQ, mip4.u.req.hoa), AT(K_RRP, mip4.u.rep.hoa),
                  AT(K_REV, mip4.u.rev.hoa), AT(K_RACK, mip4.u.rack.hoa)})},
    {"ha", CRAFT_ARG, M4, "ADDR", "Home Agent (RRQ, RRP)", opt_address,
     FIELD("--ha", .lacks = "Home Agent field",
           .at = {AT(K_RRQ, mip4.u.req.ha), AT(K_RRP, mip4.u.rep.ha)})},
    {"coa", CRAFT_ARG, M4, "ADDR", "Care-of Address (RRQ)", opt_address,
     FIELD("--coa", .lacks = "Care-of Address field", .at = {AT(K_RRQ, mip4.u.req.coa)})},
    {"ident", CRAFT_ARG, M4, "N|now", "Identification (default: NTP time now)", opt_ident,
     FIELD("--ident", UINT64_MAX, GIVEN(given_ident), .only = "rrq and rrp",
           .at = {AT(K_RRQ, mip4.u.req.ident), AT(K_RRP, mip4.u.rep.ident)})},
    {"hda", CRAFT_ARG, M4, "ADDR", "revocation home domain address", opt_address,
     FIELD("--hda", .only = "revocation", .at = {AT(K_REV, mip4.u.rev.hda)})},
    {"fda", CRAFT_ARG, M4, "ADDR", "revocation foreign domain address", opt_address,
     FIELD("--fda", .only = "revocation", .at = {AT(K_REV, mip4.u.rev.fda)})},
    {"rev-id", CRAFT_ARG, M4, "N", "Revocation Identifier", opt_number,
     FIELD("--rev-id", 0xffffffffu, .only = "revocation and revocation-ack",
           .at = {AT(K_REV, mip4.u.rev.rev_id), AT(K_RACK, mip4.u.rack.rev_id)})},
    {"next-header", CRAFT_ARG, M4, "N", "tunnel data Next Header (4)", opt_number,
     FIELD("--next-header", 255, .at = {AT(K_ANY, mip4.u.tun.next_header)})},
    {"payload", CRAFT_ARG, M4, "HEX", "tunnel data payload", opt_payload, NULL},
    /* mobility options, in command-line order */
    {"mn-id", CRAFT_ARG, MH, "NAI", "MN Identifier (RFC 4283)", opt_nai,
     FIELD("--mn-id", .mh_opt = MH_OPT_MNID)},
    {"mag-id", CRAFT_ARG, MH, "NAI", "MAG Identifier (RFC 8278 §4.2)", opt_nai,
     FIELD("--mag-id", .mh_opt = MH_OPT_MAGID)},
    {"id-subtype", CRAFT_ARG, MH, "N", "Subtype of the preceding --mn-id/--mag-id (1)",
     opt_id_subtype, NULL},
    {"hnp", CRAFT_ARG, MH, "PREFIX/LEN", "Home Network Prefix", opt_hnp, NULL},
    {"hi", CRAFT_ARG, MH, "N", "Handoff Indicator", opt_u8pair, FIELD("--hi", .mh_opt = MH_OPT_HI)},
    {"att", CRAFT_ARG, MH, "N", "Access Technology Type", opt_u8pair,
     FIELD("--att", .mh_opt = MH_OPT_ATT)},
    {"mn-ll-id", CRAFT_ARG, MH, "HEX", "MN Link-layer Identifier", opt_mn_ll_id, NULL},
    {"lla", CRAFT_ARG, MH, "ADDR", "Link-local Address", opt_addr6_opt,
     FIELD("--lla", .mh_opt = MH_OPT_LLA)},
    {"timestamp", CRAFT_OPT_ARG, MH, "now|N", "Timestamp (48.16 fixed point, RFC 5213 §8.8)",
     opt_timestamp, NULL},
    {"natd", CRAFT_OPT_ARG, MH, "[f,refresh=N]", "NAT Detection (RFC 5555)", opt_natd, NULL},
    {"ipv4-coa", CRAFT_ARG, MH, "ADDR", "IPv4 Care-of Address (RFC 5555)", opt_addr4_opt,
     FIELD("--ipv4-coa", .mh_opt = MH_OPT_IPV4COA)},
    {"gre-key", CRAFT_OPT_ARG, MH, "[KEY]", "GRE Key (no KEY: Length 2)", opt_gre_key, NULL},
    {"ipv4-hoa-req", CRAFT_OPT_ARG, MH, "[ADDR/LEN]", "IPv4 Home Address Request", opt_ipv4_hoa_req,
     NULL},
    {"ipv4-hoa-rep", CRAFT_ARG, MH, "ADDR/LEN[,status=N]", "IPv4 Home Address Reply",
     opt_ipv4_hoa_rep, NULL},
    {"ipv4-dra", CRAFT_ARG, MH, "ADDR", "IPv4 Default-Router Address", opt_addr4_opt,
     FIELD("--ipv4-dra", .mh_opt = MH_OPT_IPV4DRA)},
    {"ipv4-dsm", CRAFT_OPT_ARG, MH, "[server|relay]", "IPv4 DHCP Support Mode", opt_ipv4_dsm, NULL},
    {"mmb", CRAFT_ARG, MH, "if-att=N,if-label=N,bid=N[,b][,o]",
     "MAG Multipath Binding (RFC 8278 §4.1)", opt_mmb, NULL},
    {"pmaar", CRAFT_ARG, MH, "ADDR,PREFIX/LEN", "Previous MAAR (RFC 8885)", opt_pmaar, NULL},
    {"smaar", CRAFT_ARG, MH, "ADDR", "Serving MAAR (RFC 8885)", opt_addr6_opt,
     FIELD("--smaar", .tba = &dmm_numbers.smaar_opt)},
    {"vsm", CRAFT_ARG, MH, "VENDOR:SUBTYPE[:HEX]", "Vendor-Specific (RFC 5094)", opt_vsm, NULL},
    {"auth", CRAFT_ARG, MH, "SPI:KEY", "RFC 4285 authentication option (computed)", opt_auth, NULL},
    {"pad1", CRAFT_NO_ARG, MH, NULL, "a Pad1 option here", opt_pad1, NULL},
    {"padn", CRAFT_ARG, MH, "N", "a PadN option of N octets here", opt_padn, NULL},
    /* MIPv4 extensions, in command-line order */
    {"mn-ha", CRAFT_ARG, M4, "SPI:KEY", "MN-HA authentication (HMAC-MD5, computed)", opt_mn_ha,
     NULL},
    {"mcauth", CRAFT_ARG, M4, "krm=HEX|home-token=T[,coa-token=T]|auth=HEX[,hni=N,cni=N]",
     "MC-Auth (RFC 6521 §5.3)", opt_mcauth, NULL},
    {"mnr", CRAFT_ARG, M4, "PREFIX/LEN", "Mobile Network Request (RFC 5177)", opt_mnr, NULL},
    {"mnack", CRAFT_ARG, M4, "PREFIX/LEN[,code=N][,implicit]", "Mobile Network Acknowledgement",
     opt_mnack, NULL},
    {"rocap", CRAFT_OPT_ARG, M4, "[a,r,s,o,hoa=ADDR]", "MRROCAP (RFC 6521 §5.1)", opt_rocap, NULL},
    {"ror", CRAFT_OPT_ARG, M4, "[o,n,s,code=N]", "Route Optimization Reply", opt_ror, NULL},
    {"coa-ext", CRAFT_ARG, M4, "ADDR[,ADDR...]", "Care-of Address extension", opt_coa_ext, NULL},
    {"pfx", CRAFT_ARG, M4, "mr:ADDR[:INFO]|PREFIX/LEN[@REALM],...",
     "Prefix Advertisement (compressed, RFC 6521 §5.5)", opt_pfx, NULL},
    {"udp-tunnel-req", CRAFT_OPT_ARG, M4, "[f,r,encap=N]", "UDP Tunnel Request (RFC 3519)",
     opt_udp_tunnel_req, NULL},
    {"udp-tunnel-reply", CRAFT_OPT_ARG, M4, "[code=N,f,keepalive=N]", "UDP Tunnel Reply",
     opt_udp_tunnel_reply, NULL},
    {"revocation-support", CRAFT_OPT_ARG, M4, "[i,timestamp=N]", "Revocation Support (RFC 3543)",
     opt_revocation_support, NULL},
    {"pad", CRAFT_NO_ARG, M4, NULL, "a one-octet Pad extension here", opt_pad, NULL},
    /* malformed overrides */
    {"raw-opt", CRAFT_ARG, ALL, "TYPE[.SUB]:HEX", "raw option/extension body", opt_raw, NULL},
    {"raw-ext", CRAFT_ARG, M4, "TYPE[.SUB]:HEX", "same as --raw-opt", opt_raw, NULL},
    {"opt-len", CRAFT_ARG, ALL, "N", "Length field of the preceding option", opt_len, NULL},
    {"ext-len", CRAFT_ARG, M4, "N", "same as --opt-len", opt_len, NULL},
    {"opt-reserved", CRAFT_ARG, ALL, "V", "reserved field of the preceding option",
     opt_opt_reserved, NULL},
    {"bad-checksum", CRAFT_NO_ARG, ALL, NULL, "invert the MH (or UDP) checksum", opt_switch,
     FIELD("--bad-checksum", .at = {AT(K_ANY, bad_csum), AT(K_ANY, mh.enc.bad_csum)})},
    {"no-align", CRAFT_NO_ARG, MH, NULL, "no Pad1/PadN before aligned options", opt_switch,
     FIELD("--no-align", .at = {AT(K_ANY, mh.enc.no_align)})},
    {"truncate", CRAFT_ARG, ALL, "N", "keep only N octets of the message", opt_number,
     FIELD("--truncate", 65535, .at = {AT(K_ANY, truncate)})},
    {"no-defaults", CRAFT_NO_ARG, ALL, NULL, "no default options (PBU/PBA)", opt_switch,
     FIELD("--no-defaults", .at = {AT(K_ANY, no_defaults)})},
    {"vary", CRAFT_ARG, ALL, "seq,id,mn-id,hnp", "increment these per packet", opt_vary, NULL},
};
#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

const struct craft_opt *craft_opt_registry(size_t *count)
{
	*count = N_OPTS;
	return opts;
}

const struct craft_opt *craft_opt_lookup(const char *name)
{
	for (size_t i = 0; i < N_OPTS; i++)
		if (strcmp(opts[i].name, name) == 0)
			return &opts[i];
	return NULL;
}

/* ---- init, apply, finish ---- */

void craft_init(struct craft *c, const struct craft_msg_def *def)
{
	memset(c, 0, sizeof(*c));
	c->def = def;
	c->last = -1;
	c->truncate = -1;
	uint8_t type = msg_type(def);
	if (def->family == CRAFT_MH) {
		c->mh.proto = PKT_PROTO_NONE;
		c->mh.type = type;
		if (type == MH_BU) {
			c->mh.u.bu.seq = 1;
			c->mh.u.bu.lifetime = MH_DEFAULT_LIFETIME;
			c->mh.u.bu.flags = def->proxy ? (MH_BU_A | MH_BU_P) : (MH_BU_A | MH_BU_H);
		} else if (type == MH_BA) {
			c->mh.u.ba.seq = 1;
			c->mh.u.ba.lifetime = MH_DEFAULT_LIFETIME;
			c->mh.u.ba.flags = def->proxy ? MH_BA_P : 0;
		} else if (type == MH_BE) {
			c->mh.u.be.status = 1; /* unknown binding for Home Address option */
		} else if (type == MH_HOTI || type == MH_COTI) {
			c->mh.u.ti.cookie = 1;
		} else if (type == MH_HOT || type == MH_COT) {
			c->mh.u.t.cookie = 1;
		}
		return;
	}
	c->mip4.type = type;
	if (type == MIP4_REG_REQUEST)
		c->mip4.u.req.lifetime = MIP4_DEFAULT_LIFETIME;
	else if (type == MIP4_REG_REPLY)
		c->mip4.u.rep.lifetime = MIP4_DEFAULT_LIFETIME;
	else if (type == MIP4_TUNNEL_DATA)
		c->mip4.u.tun.next_header = PKT_PROTO_IPIP;
	else if (type == MIP4_REVOCATION || type == MIP4_REVOCATION_ACK)
		c->mip4.u.rev.rev_id = c->mip4.u.rack.rev_id = 1;
	else if (is_mip4_ti(c))
		c->mip4.u.ti.cookie = 1;
	else if (is_mip4_t(c))
		c->mip4.u.t.cookie = 1;
}

int craft_apply(struct craft *c, const char *name, const char *arg)
{
	const struct craft_opt *o = craft_opt_lookup(name);
	if (!o)
		return fail(c, "unknown option --%s", name);
	if (!(o->families & c->def->family))
		return fail(c, "--%s does not apply to %s", name, c->def->name);
	if (o->arg == CRAFT_ARG && !arg)
		return fail(c, "--%s needs an argument", name);
	return o->apply(c, o, arg);
}

/* The source address the kernel would pick for dst, or -1. */
static int route_source(int af, const uint8_t *dst, uint8_t *src)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = socket(af, SOCK_DGRAM, 0), rc = -1;
	if (fd < 0)
		return -1;
	memset(&ss, 0, sizeof(ss));
	if (af == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(9);
		memcpy(&s6->sin6_addr, dst, 16);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(9);
		memcpy(&s4->sin_addr, dst, 4);
		len = sizeof(*s4);
	}
	if (connect(fd, (struct sockaddr *)&ss, len) == 0 &&
	    getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
		if (af == AF_INET6)
			memcpy(src, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
		else
			memcpy(src, &((struct sockaddr_in *)&ss)->sin_addr, 4);
		rc = 0;
	}
	close(fd);
	return rc;
}

static int add_default_u8pair(struct craft *c, uint8_t type, uint8_t value)
{
	struct mh_opt *o;
	if (c->given_opts[type])
		return 0;
	if (!(o = new_opt(c, type)))
		return -1;
	o->v.u8pair.value = value;
	return 0;
}

/* RFC 4285 §5: the Mobility Message Authentication option MUST be the last option. Default
 * options appended after a given --auth move it back to the end (relative order kept). */
static void auth_options_last(struct mh_msg *m)
{
	struct mh_opt auth[MH_MAX_OPTS];
	unsigned nauth = 0, kept = 0;
	for (unsigned i = 0; i < m->nopts; i++) {
		if (m->opts[i].type == MH_OPT_AUTH)
			auth[nauth++] = m->opts[i];
		else
			m->opts[kept++] = m->opts[i];
	}
	memcpy(&m->opts[kept], auth, nauth * sizeof(auth[0]));
}

/* RFC 5213 §6.9.1.5 / §8.1: MN-ID, HNP (all-zero request), HI, ATT and a Timestamp. */
static int proxy_defaults(struct craft *c)
{
	if (!c->given_opts[MH_OPT_MNID])
		return fail(c, "%s needs --mn-id (or --no-defaults)", c->def->name);
	if (!c->given_opts[MH_OPT_HNP] && !new_opt(c, MH_OPT_HNP))
		return -1; /* ::/0 requests a prefix */
	if (add_default_u8pair(c, MH_OPT_HI, PBU_DEFAULT_HI) < 0 ||
	    add_default_u8pair(c, MH_OPT_ATT, PBU_DEFAULT_ATT) < 0)
		return -1;
	if (!c->given_opts[MH_OPT_TIMESTAMP] && opt_timestamp(c, NULL, NULL) < 0)
		return -1;
	auth_options_last(&c->mh);
	return 0;
}

int craft_finish(struct craft *c)
{
	static const uint8_t doc6_src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t doc4_src[4] = {192, 0, 2, 1};
	int last_user = c->last;
	if (!c->have_dst)
		return fail(c, "%s needs --dst", c->def->name);
	if (!c->have_src && route_source(c->af, c->dst, c->src) < 0)
		memcpy(c->src, c->af == AF_INET6 ? doc6_src : doc4_src, c->af == AF_INET6 ? 16 : 4);
	if (c->def->family == CRAFT_MH && c->af == AF_INET) {
		c->mh.enc.no_csum = 1; /* RFC 5844 §6: UDP checksum instead */
		if (c->have_hao)
			return fail(c, "--hao needs IPv6 addresses");
	}
	if (!c->sport)
		c->sport = c->def->family == CRAFT_MH ? PKT_PORT_PMIP6_CONTROL : PKT_PORT_MIP4;
	if (!c->dport)
		c->dport = c->def->family == CRAFT_MH ? PKT_PORT_PMIP6_CONTROL : PKT_PORT_MIP4;
	if (!c->no_defaults && c->def->proxy && proxy_defaults(c) < 0)
		return -1;
	if (c->def->family == CRAFT_MIP4 && !c->given_ident) {
		if (is_type(c, MIP4_REG_REQUEST))
			c->mip4.u.req.ident = craft_ntp_now();
		else if (is_type(c, MIP4_REG_REPLY))
			c->mip4.u.rep.ident = craft_ntp_now();
	}
	if (c->def->family == CRAFT_MIP4 && is_type(c, MIP4_TUNNEL_DATA) && !c->mip4.body) {
		/* default payload: an empty UDP datagram from the source to the destination */
		uint8_t buf[64];
		struct dmm_wbuf w;
		struct pkt_ipv4_hdr h;
		memset(&h, 0, sizeof(h));
		memcpy(h.src, c->src, 4);
		memcpy(h.dst, c->dst, 4);
		wb_init(&w, buf, sizeof(buf));
		if (pkt_udp4(&w, &h, 9, 9, 0, NULL, 0) < 0)
			return fail(c, "cannot build the tunnel data payload");
		c->mip4.body = arena_put(c, buf, w.len);
		c->mip4.body_len = w.len;
	}
	if ((c->vary & CRAFT_VARY_SEQ) &&
	    !(is_family(c, CRAFT_MH) && (is_type(c, MH_BU) || is_type(c, MH_BA))))
		return fail(c, "--vary seq: %s has no sequence number", c->def->name);
	c->last = last_user;
	return 0;
}

/* ---- variation ---- */

/* Rewrite the number at the end of the user part of an NAI: "mn1@x" + 4 -> "mn5@x";
 * without digits the number is appended ("mn@x" + 4 -> "mn4@x"). */
static size_t vary_nai(const uint8_t *id, size_t len, uint64_t add, uint8_t *out, size_t cap)
{
	size_t at = 0;
	while (at < len && id[at] != '@')
		at++;
	size_t d = at;
	while (d > 0 && isdigit(id[d - 1]) && at - d < 18)
		d--;
	uint64_t v = 0;
	for (size_t i = d; i < at; i++)
		v = v * 10 + (uint64_t)(id[i] - '0');
	char digits[24];
	int nd = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)(v + add));
	if (d + (size_t)nd + (len - at) > cap || d + (size_t)nd + (len - at) > 253)
		return 0;
	memcpy(out, id, d);
	memcpy(out + d, digits, (size_t)nd);
	memcpy(out + d + nd, id + at, len - at);
	return d + (size_t)nd + (len - at);
}

/* prefix += add << (128 - plen), within the first plen bits. */
static void vary_prefix(uint8_t prefix[16], unsigned plen, uint64_t add)
{
	if (plen == 0)
		return;
	unsigned bit = plen - 1; /* lowest bit of the prefix */
	for (; add && (int)bit >= 0; bit--) {
		unsigned byte = bit / 8, shift = 7 - bit % 8;
		unsigned cur = (prefix[byte] >> shift) & 1;
		unsigned sum = cur + (unsigned)(add & 1);
		prefix[byte] = (uint8_t)((prefix[byte] & ~(1u << shift)) | ((sum & 1) << shift));
		add = (add >> 1) + (sum >> 1);
		if (bit == 0)
			break;
	}
}

static const struct mh_msg *varied_mh(struct craft *c, uint64_t index, struct mh_msg *m,
                                      uint8_t *buf, size_t cap)
{
	if (!index ||
	    !(c->vary & (CRAFT_VARY_SEQ | CRAFT_VARY_MNID | CRAFT_VARY_HNP | CRAFT_VARY_ID)))
		return &c->mh;
	*m = c->mh;
	if (c->vary & CRAFT_VARY_SEQ) {
		if (m->type == MH_BU)
			m->u.bu.seq = (uint16_t)(m->u.bu.seq + index);
		else if (m->type == MH_BA)
			m->u.ba.seq = (uint16_t)(m->u.ba.seq + index);
	}
	if ((c->vary & CRAFT_VARY_ID) && is_mh_ti(c))
		m->u.ti.cookie += index;
	size_t used = 0;
	for (unsigned i = 0; i < m->nopts; i++) {
		struct mh_opt *o = &m->opts[i];
		if ((c->vary & CRAFT_VARY_HNP) && o->type == MH_OPT_HNP &&
		    !(o->flags & MH_OPT_F_RAW))
			vary_prefix(o->v.hnp.prefix, o->v.hnp.plen, index);
		if ((c->vary & CRAFT_VARY_MNID) && o->type == MH_OPT_MNID &&
		    !(o->flags & MH_OPT_F_RAW)) {
			size_t n =
			    vary_nai(o->v.nai.id, o->v.nai.idlen, index, buf + used, cap - used);
			if (n) {
				o->v.nai.id = buf + used;
				o->v.nai.idlen = (uint8_t)n;
				used += n;
			}
		}
	}
	return m;
}

static const struct mip4_msg *varied_mip4(struct craft *c, uint64_t index, struct mip4_msg *m)
{
	if (!index || !(c->vary & CRAFT_VARY_ID))
		return &c->mip4;
	*m = c->mip4;
	if (is_type(c, MIP4_REG_REQUEST))
		m->u.req.ident += index;
	else if (is_type(c, MIP4_REG_REPLY))
		m->u.rep.ident += index;
	else if (is_mip4_ti(c))
		m->u.ti.cookie += index;
	else if (is_mip4_t(c))
		m->u.t.cookie += index;
	else if (is_type(c, MIP4_REVOCATION))
		m->u.rev.rev_id += (uint32_t)index;
	else if (is_type(c, MIP4_REVOCATION_ACK))
		m->u.rack.rev_id += (uint32_t)index;
	return m;
}

/* ---- framing ---- */

/* Cut the message at msg_off to c->truncate octets; an MH keeps a checksum over what is left. */
static void truncate_message(struct craft *c, struct dmm_wbuf *w, const uint8_t *src,
                             const uint8_t *dst, int is_mh)
{
	size_t len = w->len - c->msg_off;
	if (c->truncate < 0 || (size_t)c->truncate >= len)
		return;
	w->len = c->msg_off + (size_t)c->truncate;
	c->msg_len = (size_t)c->truncate;
	uint8_t *mh = w->p + c->msg_off;
	if (!is_mh || !src || c->truncate < 6)
		return;
	mh[4] = mh[5] = 0;
	uint16_t sum = mh_checksum(src, dst, mh, (size_t)c->truncate);
	if (c->bad_csum)
		sum = (uint16_t)~sum;
	mh[4] = (uint8_t)(sum >> 8);
	mh[5] = (uint8_t)sum;
}

static int build_message(struct craft *c, uint64_t index, struct dmm_wbuf *w, const uint8_t *src,
                         const uint8_t *dst)
{
	int n;
	c->msg_off = w->len;
	if (c->def->family == CRAFT_MH) {
		struct mh_msg m;
		uint8_t ids[4096];
		n = mh_encode(varied_mh(c, index, &m, ids, sizeof(ids)), src, dst, w);
		if (n < 0)
			return fail(c, "cannot encode the %s (too long, or no key for --auth)",
			            c->def->name);
	} else {
		struct mip4_msg m;
		n = mip4_encode(varied_mip4(c, index, &m), w);
		if (n < 0)
			return fail(c, "cannot encode the %s (too long or bad extension)",
			            c->def->name);
	}
	c->msg_len = (size_t)n;
	truncate_message(c, w, src, dst, c->def->family == CRAFT_MH);
	return 0;
}

int craft_build(struct craft *c, uint64_t index, struct dmm_wbuf *w, int *linktype)
{
	static const uint8_t default_src_mac[6] = {0x02, 0, 0, 0, 0, 1};
	static const uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	size_t start = w->len;
	*linktype = c->link ? LINKTYPE_ETHERNET : LINKTYPE_RAW;
	if (c->link)
		pkt_eth(w, c->have_dst_mac ? c->dst_mac : broadcast,
		        c->have_src_mac ? c->src_mac : default_src_mac,
		        c->af == AF_INET6 ? PKT_ETHERTYPE_IPV6 : PKT_ETHERTYPE_IPV4);
	if (c->af == AF_INET6) {
		struct pkt_ipv6_hdr h;
		struct pkt_mark ip;
		memset(&h, 0, sizeof(h));
		memcpy(h.src, c->src, 16);
		memcpy(h.dst, c->dst, 16);
		h.next_header = MH_NEXT_HEADER;
		h.hop_limit = c->hop_limit;
		h.traffic_class = c->tos;
		h.home_address = c->have_hao ? c->hao : NULL;
		if (pkt_ipv6_begin(w, &h, &ip) < 0)
			return fail(c, "frame buffer too small");
		/* with a Home Address option the pseudo-header carries the home address */
		if (build_message(c, index, w, c->have_hao ? c->hao : c->src, c->dst) < 0)
			return -1;
		c->csum_off = c->mh.enc.no_csum ? 0 : c->msg_off + 4;
		if (pkt_ipv6_end(w, &ip) < 0)
			return fail(c, "frame buffer too small");
	} else {
		struct pkt_ipv4_hdr h;
		struct pkt_mark ip, udp;
		memset(&h, 0, sizeof(h));
		memcpy(h.src, c->src, 4);
		memcpy(h.dst, c->dst, 4);
		h.protocol = PKT_PROTO_UDP;
		h.ttl = c->hop_limit;
		h.tos = c->tos;
		h.id = c->ip_id;
		if (pkt_ipv4_begin(w, &h, &ip) < 0 ||
		    pkt_udp_begin(w, &ip, c->sport, c->dport, 0, &udp) < 0)
			return fail(c, "frame buffer too small");
		if (build_message(c, index, w, NULL, NULL) < 0)
			return -1;
		c->csum_off = udp.hdr + 6;
		if (pkt_udp_end(w, &udp) < 0 || pkt_ipv4_end(w, &ip) < 0)
			return fail(c, "frame buffer too small");
		if (c->bad_csum) {
			w->p[c->csum_off] ^= 0xff;
			w->p[c->csum_off + 1] ^= 0xff;
		}
	}
	if (w->err)
		return fail(c, "frame buffer too small");
	c->msg_off -= start;
	if (c->csum_off)
		c->csum_off -= start;
	return (int)(w->len - start);
}

/* ---- in-place variation for the fast path ---- */

static int has_authenticator(const struct craft *c)
{
	if (c->def->family == CRAFT_MH) {
		for (unsigned i = 0; i < c->mh.nopts; i++)
			if (c->mh.opts[i].type == MH_OPT_AUTH)
				return 1;
		return 0;
	}
	for (unsigned i = 0; i < c->mip4.nexts; i++)
		if (c->mip4.exts[i].flags & MIP4_EXT_F_SIGN)
			return 1;
	return 0;
}

int craft_patch_info(const struct craft *c, struct craft_patch *p)
{
	memset(p, 0, sizeof(*p));
	if (!c->vary)
		return 0;
	if (c->vary & (CRAFT_VARY_MNID | CRAFT_VARY_HNP))
		return 0;
	if (has_authenticator(c) || c->truncate >= 0 || c->bad_csum)
		return 0;
	p->csum_off = c->csum_off;
	p->udp = c->af == AF_INET;
	if (c->def->family == CRAFT_MH) {
		if (c->vary != CRAFT_VARY_SEQ)
			return 0;
		p->width = 2;
		p->off = c->msg_off + (is_type(c, MH_BU) ? 6 : 8);
		p->base = is_type(c, MH_BU) ? c->mh.u.bu.seq : c->mh.u.ba.seq;
		return 1;
	}
	if (c->vary != CRAFT_VARY_ID)
		return 0;
	if (is_type(c, MIP4_REG_REQUEST)) {
		p->off = c->msg_off + 16;
		p->base = c->mip4.u.req.ident;
	} else if (is_type(c, MIP4_REG_REPLY)) {
		p->off = c->msg_off + 12;
		p->base = c->mip4.u.rep.ident;
	} else {
		return 0;
	}
	p->width = 8;
	return 1;
}

void craft_patch_apply(const struct craft_patch *p, uint8_t *frame, uint64_t index)
{
	uint64_t v = p->base + index;
	uint8_t *f = frame + p->off;
	uint32_t sum = 0;
	int csum = p->csum_off && (!p->udp || (frame[p->csum_off] | frame[p->csum_off + 1]));
	if (csum) /* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') over each 16-bit word */
		sum = (uint16_t) ~(frame[p->csum_off] << 8 | frame[p->csum_off + 1]);
	for (unsigned i = 0; i < p->width; i += 2) {
		unsigned shift = (p->width - i - 2) * 8;
		uint16_t old = (uint16_t)(f[i] << 8 | f[i + 1]);
		uint16_t new = (uint16_t)(v >> shift);
		sum += (uint16_t)~old;
		sum += new;
		f[i] = (uint8_t)(new >> 8);
		f[i + 1] = (uint8_t) new;
	}
	if (csum) {
		uint16_t hc = inet_fold(sum);
		if (hc == 0 && p->udp)
			hc = 0xffff; /* UDP: a computed 0 is sent as all ones */
		frame[p->csum_off] = (uint8_t)(hc >> 8);
		frame[p->csum_off + 1] = (uint8_t)hc;
	}
}
