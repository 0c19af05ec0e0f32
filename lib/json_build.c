/* Frame rebuild from dmm-decode JSON: RFC 791/8200 layers, RFC 6275 §6.1 MH, RFC 5944 §1.8-3,
 * RFC 6521 §5.5. */
#include "json_build.h"

#include "hostint.h"
#include "field.h"
#include "haaro.h"
#include "inet.h"
#include "mh.h"
#include "mip4.h"
#include "out.h"
#include "packet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JB_ARENA_SIZE (256 * 1024) /* decoded byte strings and addresses of one packet */
#define JB_MAX_ITEMS 1024 /* fields and subtrees of one object (an MH holds up to 1024 Pad1) */
#define JB_MAX_LAYERS 24  /* nested layers (link, DMM_MAX_DEPTH tunnels, leaves) */
#define JB_SCRATCH 65536  /* one option or extension encoded alone to learn its length */
#define JB_NONE 0xffff

/* pcap link types written for the first layer of a packet. */
enum {
	JB_DLT_NULL = 0,
	JB_DLT_EN10MB = 1,
	JB_DLT_RAW = 101,
	JB_DLT_LINUX_SLL = 113,
	JB_DLT_IPV4 = 228,
	JB_DLT_IPV6 = 229,
	JB_DLT_LINUX_SLL2 = 276,
};

/* ------------------------------------------------------------ context */

struct jb {
	struct dmm_wbuf *w;
	char *err;
	size_t errlen;
	int failed;
	unsigned layers;           /* nesting of layer builders */
	const struct pkt_mark *ip; /* innermost IP layer (UDP pseudo-header) */
	const uint8_t *mh_src;     /* MH pseudo-header addresses (NULL: no checksum) */
	const uint8_t *mh_dst;
	uint8_t scratch[JB_SCRATCH]; /* encode-alone buffer */
	size_t used;
	_Alignas(8) uint8_t arena[JB_ARENA_SIZE];
};

__attribute__((format(printf, 2, 3))) static int jb_fail(struct jb *b, const char *fmt, ...)
{
	if (!b->failed && b->err && b->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(b->err, b->errlen, fmt, ap);
		va_end(ap);
	}
	b->failed = 1;
	return -1;
}

static void *jb_alloc(struct jb *b, size_t n)
{
	size_t at = (b->used + 7) & ~(size_t)7;
	if (at > JB_ARENA_SIZE || n > JB_ARENA_SIZE - at) {
		jb_fail(b, "packet too large to rebuild");
		return NULL;
	}
	b->used = at + n;
	return b->arena + at;
}

/* ---------------------------------------------- objects in emission order */

struct jb_item {
	const char *key;
	struct json_object *val;
};

struct jb_list {
	unsigned n;
	struct jb_item it[JB_MAX_ITEMS];
};

static int is_meta_key(const char *key)
{
	return strcmp(key, DMM_JSON_ORDER_KEY) == 0 || strcmp(key, "dmm.error") == 0;
}

static int list_add(struct jb *b, struct jb_list *l, const char *key, struct json_object *val)
{
	if (l->n == JB_MAX_ITEMS)
		return jb_fail(b, "more than %d fields in one object", JB_MAX_ITEMS);
	l->it[l->n].key = key;
	l->it[l->n].val = val;
	l->n++;
	return 0;
}

static unsigned occurrences(struct json_object *v)
{
	return json_object_is_type(v, json_type_array) ? (unsigned)json_object_array_length(v) : 1;
}

/* Fields a subtree cannot do without (a key ending in '.' names every subtree under it);
 * the others default to 0, and lengths, checksums and next-protocol numbers are computed. */
static const struct {
	const char *subtree;
	const char *fields[3];
} required_fields[] = {
    {"eth", {"eth.dst", "eth.src"}}, {"vlan", {"vlan.id"}},
    {"ip", {"ip.src", "ip.dst"}},    {"ipv6", {"ipv6.src", "ipv6.dst"}},
    {"ipv6.opt", {"ipv6.opt.type"}}, {"udp", {"udp.srcport", "udp.dstport"}},
    {"minenc", {"minenc.dst"}},      {"data", {"data.data"}},
    {"mip6", {"mip6.mhtype"}},       {"mip6.options.", {"mip6.mobility_opt"}},
    {"mip", {"mip.type"}},           {"mip.ext", {"mip.ext.type"}},
};

static int check_required(struct jb *b, const char *what, struct json_object *obj)
{
	for (size_t i = 0; i < sizeof(required_fields) / sizeof(required_fields[0]); i++) {
		const char *name = required_fields[i].subtree;
		size_t n = strlen(name);
		if (name[n - 1] == '.' ? strncmp(what, name, n) != 0 : strcmp(what, name) != 0)
			continue;
		for (unsigned k = 0; k < 3 && required_fields[i].fields[k]; k++)
			if (!json_object_object_get_ex(obj, required_fields[i].fields[k], NULL))
				return jb_fail(b, "%s: missing field %s", what,
				               required_fields[i].fields[k]);
	}
	return 0;
}

/* The fields and subtrees of obj in the order the dissector emitted them:
 * "dmm.order" when present, else the object's own key order; repeated keys
 * (arrays) are spread into their occurrences. */
static int jb_children(struct jb *b, const char *what, struct json_object *obj, struct jb_list *l)
{
	struct json_object *order;
	l->n = 0;
	if (!json_object_is_type(obj, json_type_object))
		return jb_fail(b, "%s: expected an object", what);
	if (check_required(b, what, obj) < 0)
		return -1;
	if (!json_object_object_get_ex(obj, DMM_JSON_ORDER_KEY, &order)) {
		json_object_object_foreach(obj, key, val)
		{
			if (is_meta_key(key))
				continue;
			unsigned n = occurrences(val);
			for (unsigned i = 0; i < n; i++)
				if (list_add(b, l, key,
				             n == 1 && !json_object_is_type(val, json_type_array)
				                 ? val
				                 : json_object_array_get_idx(val, i)) < 0)
					return -1;
		}
		return 0;
	}
	if (!json_object_is_type(order, json_type_array))
		return jb_fail(b, "%s: dmm.order is not an array", what);
	size_t n_order = json_object_array_length(order);
	for (size_t i = 0; i < n_order; i++) {
		struct json_object *name = json_object_array_get_idx(order, i), *val;
		if (!json_object_is_type(name, json_type_string))
			return jb_fail(b, "%s: dmm.order entry is not a string", what);
		const char *key = json_object_get_string(name);
		if (is_meta_key(key) || !json_object_object_get_ex(obj, key, &val))
			return jb_fail(b, "%s: dmm.order names a missing field %s", what, key);
		unsigned seen = 0;
		for (unsigned j = 0; j < l->n; j++)
			seen += strcmp(l->it[j].key, key) == 0;
		if (seen >= occurrences(val))
			return jb_fail(b, "%s: dmm.order lists %s too often", what, key);
		if (list_add(b, l, key,
		             json_object_is_type(val, json_type_array)
		                 ? json_object_array_get_idx(val, seen)
		                 : val) < 0)
			return -1;
	}
	unsigned total = 0;
	json_object_object_foreach(obj, key, val)
	{
		if (!is_meta_key(key))
			total += occurrences(val);
	}
	if (total != l->n)
		return jb_fail(b, "%s: dmm.order does not list every field", what);
	return 0;
}

/* The children of subtree it in a new list (free it), or NULL with the error set. */
static struct jb_list *children_of(struct jb *b, const struct jb_item *it)
{
	struct jb_list *l = malloc(sizeof(*l));
	if (!l) {
		jb_fail(b, "out of memory");
		return NULL;
	}
	if (jb_children(b, it->key, it->val, l) < 0) {
		free(l);
		return NULL;
	}
	return l;
}

/* ------------------------------------------------ values by field type */

struct jb_value {
	uint64_t u;
	const uint8_t *ptr;
	size_t len;
	unsigned plen;
};

static int hex_digit(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static const char *value_string(struct jb *b, const char *key, struct json_object *v)
{
	if (!json_object_is_type(v, json_type_string)) {
		jb_fail(b, "%s: expected a string", key);
		return NULL;
	}
	return json_object_get_string(v);
}

/* "0x..." hex integers (DMM_FT_HEX, DMM_FT_HEX64). */
static int parse_hex_int(struct jb *b, const char *key, const char *s, uint64_t *u)
{
	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2] || strlen(s) > 18)
		return jb_fail(b, "%s: expected 0x-prefixed hex, got \"%s\"", key, s);
	*u = 0;
	for (const char *p = s + 2; *p; p++) {
		int d = hex_digit(*p);
		if (d < 0)
			return jb_fail(b, "%s: expected 0x-prefixed hex, got \"%s\"", key, s);
		*u = *u << 4 | (uint64_t)d;
	}
	return 0;
}

/* Lowercase hex without separators (DMM_FT_BYTES). */
static int parse_hex_bytes(struct jb *b, const char *key, const char *s, struct jb_value *out)
{
	size_t n = strlen(s);
	if (n % 2)
		return jb_fail(b, "%s: odd number of hex digits", key);
	uint8_t *p = jb_alloc(b, n / 2);
	if (!p)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return jb_fail(b, "%s: not a hex string", key);
		p[i] = (uint8_t)(hi << 4 | lo);
	}
	out->ptr = p;
	out->len = n / 2;
	return 0;
}

/* Text with \xNN escapes (DMM_FT_STRING, as dmm_format_value writes it). */
static int parse_text(struct jb *b, const char *key, const char *s, struct jb_value *out)
{
	size_t n = strlen(s), len = 0;
	uint8_t *p = jb_alloc(b, n);
	if (!p)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			p[len++] = (uint8_t)s[i];
			continue;
		}
		if (i + 3 >= n || s[i + 1] != 'x' || hex_digit(s[i + 2]) < 0 ||
		    hex_digit(s[i + 3]) < 0)
			return jb_fail(b, "%s: bad escape in \"%s\"", key, s);
		p[len++] = (uint8_t)(hex_digit(s[i + 2]) << 4 | hex_digit(s[i + 3]));
		i += 3;
	}
	out->ptr = p;
	out->len = len;
	return 0;
}

static int parse_address(struct jb *b, const char *key, const char *s, int af, struct jb_value *out)
{
	size_t n = af == AF_INET ? 4 : 16;
	uint8_t *p = jb_alloc(b, n);
	if (!p)
		return -1;
	if (inet_pton(af, s, p) != 1)
		return jb_fail(b, "%s: not an IPv%d address: \"%s\"", key, af == AF_INET ? 4 : 6,
		               s);
	out->ptr = p;
	out->len = n;
	return 0;
}

static int parse_prefix(struct jb *b, const char *key, const char *s, int af, struct jb_value *out)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	unsigned max = af == AF_INET ? 32 : 128;
	char *end;
	if (!slash || (size_t)(slash - s) >= sizeof(addr))
		return jb_fail(b, "%s: not a prefix: \"%s\"", key, s);
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = 0;
	errno = 0;
	unsigned long plen = strtoul(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end || plen > max)
		return jb_fail(b, "%s: bad prefix length in \"%s\"", key, s);
	out->plen = (unsigned)plen;
	return parse_address(b, key, addr, af, out);
}

static int parse_ether(struct jb *b, const char *key, const char *s, struct jb_value *out)
{
	uint8_t *p = jb_alloc(b, 6);
	if (!p)
		return -1;
	for (int i = 0; i < 6; i++) {
		const char *q = s + 3 * i;
		if (hex_digit(q[0]) < 0 || hex_digit(q[1]) < 0 || q[2] != (i < 5 ? ':' : 0))
			return jb_fail(b, "%s: not a MAC address: \"%s\"", key, s);
		p[i] = (uint8_t)(hex_digit(q[0]) << 4 | hex_digit(q[1]));
	}
	out->ptr = p;
	out->len = 6;
	return 0;
}

/* The field registry by abbrev (dmm_field_find walks every table; a packet looks up
 * a hundred fields). Built once; the first registration of an abbrev wins, as there. */
#define FIELD_SLOTS 4096
static const struct dmm_field *field_slots[FIELD_SLOTS];
static int field_slots_ready;

static uint32_t abbrev_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static void field_slot_add(const struct dmm_field *f, void *arg)
{
	for (uint32_t i = abbrev_hash(f->abbrev), n = 0; n < FIELD_SLOTS; i++, n++) {
		const struct dmm_field **slot = &field_slots[i % FIELD_SLOTS];
		if (*slot && strcmp((*slot)->abbrev, f->abbrev) == 0)
			return;
		if (!*slot) {
			*slot = f;
			return;
		}
	}
	*(int *)arg = 1; /* full: fall back to dmm_field_find */
}

static const struct dmm_field *field_lookup(const char *abbrev)
{
	static int full;
	if (!field_slots_ready) {
		dmm_fields_foreach(field_slot_add, &full);
		field_slots_ready = 1;
	}
	if (full)
		return dmm_field_find(abbrev);
	for (uint32_t i = abbrev_hash(abbrev), n = 0; n < FIELD_SLOTS; i++, n++) {
		const struct dmm_field *f = field_slots[i % FIELD_SLOTS];
		if (!f || strcmp(f->abbrev, abbrev) == 0)
			return f;
	}
	return NULL;
}

/* Decode the JSON value of field key by the field's registered type. */
static int jb_value(struct jb *b, const char *key, struct json_object *v, struct jb_value *out)
{
	const struct dmm_field *f = field_lookup(key);
	const char *s;
	memset(out, 0, sizeof(*out));
	if (!f)
		return jb_fail(b, "unknown field %s", key);
	switch (f->type) {
	case DMM_FT_UINT:
	case DMM_FT_BOOL:
		if (!json_object_is_type(v, json_type_int))
			return jb_fail(b, "%s: expected an integer", key);
		if (json_object_get_int64(v) < 0)
			return jb_fail(b, "%s: negative value", key);
		out->u = json_object_get_uint64(v);
		if (f->type == DMM_FT_BOOL && out->u > 1)
			return jb_fail(b, "%s: expected 0 or 1", key);
		return 0;
	case DMM_FT_HEX:
	case DMM_FT_HEX64:
		return (s = value_string(b, key, v)) ? parse_hex_int(b, key, s, &out->u) : -1;
	case DMM_FT_IPV4:
	case DMM_FT_IPV6:
		return (s = value_string(b, key, v))
		           ? parse_address(b, key, s, f->type == DMM_FT_IPV4 ? AF_INET : AF_INET6,
		                           out)
		           : -1;
	case DMM_FT_PREFIX4:
	case DMM_FT_PREFIX6:
		return (s = value_string(b, key, v))
		           ? parse_prefix(b, key, s, f->type == DMM_FT_PREFIX4 ? AF_INET : AF_INET6,
		                          out)
		           : -1;
	case DMM_FT_ETHER:
		return (s = value_string(b, key, v)) ? parse_ether(b, key, s, out) : -1;
	case DMM_FT_BYTES:
		return (s = value_string(b, key, v)) ? parse_hex_bytes(b, key, s, out) : -1;
	case DMM_FT_STRING:
		return (s = value_string(b, key, v)) ? parse_text(b, key, s, out) : -1;
	}
	return jb_fail(b, "%s: is a subtree, not a value", key);
}

/* -------------------------------------------------- field bindings */

/* Where the value of one JSON field goes in the structure an encoder reads. */
enum jb_kind {
	JB_INT,    /* integer member of size octets; mask: the bits holding the value */
	JB_ARRAY,  /* fixed array of size octets (addresses, prefixes) */
	JB_PTR,    /* pointer member; aux: its length member of size octets */
	JB_LIST,   /* pointer to consecutive values; aux: count member (one octet) */
	JB_IGNORE, /* derived from other fields (status texts, DSCP/ECN) */
};

struct jb_bind {
	const char *abbrev;
	uint8_t kind;
	uint8_t size;
	uint16_t off;
	uint32_t mask;
	uint16_t aux;
	uint16_t seen; /* octet or'ed with seen_bits when the field is present (JB_NONE) */
	uint8_t seen_bits;
};

/* clang-format off */
#define MEMBER_SIZE(T, m) sizeof(((T *)0)->m)
#define B_ROW(a, kind, size, off, mask, aux, seen, bits) {a, kind, size, off, mask, aux, seen, bits}
#define B_INT(a, T, m) B_ROW(a, JB_INT, MEMBER_SIZE(T, m), offsetof(T, m), 0, JB_NONE, JB_NONE, 0)
#define B_BITS(a, T, m, mask) \
	B_ROW(a, JB_INT, MEMBER_SIZE(T, m), offsetof(T, m), mask, JB_NONE, JB_NONE, 0)
#define B_SEEN(a, T, m, s, bits) \
	B_ROW(a, JB_INT, MEMBER_SIZE(T, m), offsetof(T, m), 0, JB_NONE, offsetof(T, s), bits)
#define B_ARR(a, T, m) B_ROW(a, JB_ARRAY, MEMBER_SIZE(T, m), offsetof(T, m), 0, JB_NONE, JB_NONE, 0)
#define B_ARR_SEEN(a, T, m, s, bits) \
	B_ROW(a, JB_ARRAY, MEMBER_SIZE(T, m), offsetof(T, m), 0, JB_NONE, offsetof(T, s), bits)
#define B_PTR(a, T, p, l) \
	B_ROW(a, JB_PTR, MEMBER_SIZE(T, l), offsetof(T, p), 0, offsetof(T, l), JB_NONE, 0)
#define B_PTR_SEEN(a, T, p, l, s, bits) \
	B_ROW(a, JB_PTR, MEMBER_SIZE(T, l), offsetof(T, p), 0, offsetof(T, l), offsetof(T, s), bits)
#define B_LIST(a, T, p, n) \
	B_ROW(a, JB_LIST, MEMBER_SIZE(T, n), offsetof(T, p), 0, offsetof(T, n), JB_NONE, 0)
#define B_IGNORE(a) B_ROW(a, JB_IGNORE, 0, 0, 0, JB_NONE, JB_NONE, 0)
#define BINDS(t) {t, N_BINDS(t)}
/* clang-format on */
#define N_BINDS(t) (sizeof(t) / sizeof(t[0]))

struct jb_binds {
	const struct jb_bind *rows;
	size_t n;
};

static int store_value(struct jb *b, const struct jb_bind *r, const struct jb_value *v,
                       uint8_t *target)
{
	uint8_t *member = target + r->off;
	switch (r->kind) {
	case JB_INT: {
		uint64_t field_max = r->size == 8 ? UINT64_MAX : (1ull << (8 * r->size)) - 1;
		unsigned shift = r->mask ? (unsigned)__builtin_ctz(r->mask) : 0;
		uint64_t max = r->mask ? r->mask >> shift : field_max;
		if (v->u > max)
			return jb_fail(b, "%s: value %llu out of range (0-%llu)", r->abbrev,
			               (unsigned long long)v->u, (unsigned long long)max);
		uint64_t cur =
		    r->mask ? dmm_load_host_uint(member, r->size) & ~(uint64_t)r->mask : 0;
		dmm_store_host_uint(member, r->size, cur | v->u << shift);
		break;
	}
	case JB_ARRAY:
		if (v->len != r->size)
			return jb_fail(b, "%s: expected %u octets", r->abbrev, r->size);
		memcpy(member, v->ptr, r->size);
		break;
	case JB_PTR: {
		uint64_t max = r->size == 8 ? UINT64_MAX : (1ull << (8 * r->size)) - 1;
		if (v->len > max)
			return jb_fail(b, "%s: %zu octets do not fit", r->abbrev, v->len);
		memcpy(member, &v->ptr, sizeof(v->ptr));
		dmm_store_host_uint(target + r->aux, r->size, v->len);
		break;
	}
	case JB_LIST: { /* up to 255 values of one size, copied into one array */
		uint8_t *first;
		uint64_t count = dmm_load_host_uint(target + r->aux, r->size);
		memcpy(&first, member, sizeof(first));
		if (count == 0 && (first = jb_alloc(b, 255 * v->len)) == NULL)
			return -1;
		if (count >= 255)
			return jb_fail(b, "%s: too many values", r->abbrev);
		memcpy(first + count * v->len, v->ptr, v->len);
		memcpy(member, &first, sizeof(first));
		dmm_store_host_uint(target + r->aux, r->size, count + 1);
		break;
	}
	}
	if (r->seen != JB_NONE)
		target[r->seen] |= r->seen_bits;
	return 0;
}

/* Store one field through the first table that binds it. Returns 1 when bound,
 * 0 when no table knows the field, -1 on a bad value. */
static int jb_bind_item(struct jb *b, const struct jb_item *it, const struct jb_binds *tables,
                        unsigned n_tables, void *target)
{
	for (unsigned t = 0; t < n_tables; t++)
		for (size_t i = 0; i < tables[t].n; i++) {
			const struct jb_bind *r = &tables[t].rows[i];
			if (strcmp(r->abbrev, it->key) != 0)
				continue;
			if (r->kind == JB_IGNORE)
				return 1;
			struct jb_value v;
			if (jb_value(b, it->key, it->val, &v) < 0 ||
			    store_value(b, r, &v, target) < 0)
				return -1;
			return 1;
		}
	return 0;
}

/* A field no binding table of the subtree takes. */
static int unbound(struct jb *b, const char *what, const char *key)
{
	if (!field_lookup(key))
		return jb_fail(b, "%s: unknown field %s", what, key);
	return jb_fail(b, "%s: unexpected field %s", what, key);
}

/* Bind every item of l (values only); a subtree or an unknown field is an error. */
static int jb_bind_all(struct jb *b, const char *what, const struct jb_list *l,
                       const struct jb_binds *tables, unsigned n_tables, void *target)
{
	for (unsigned i = 0; i < l->n; i++) {
		int r = jb_bind_item(b, &l->it[i], tables, n_tables, target);
		if (r < 0)
			return -1;
		if (r == 0)
			return unbound(b, what, l->it[i].key);
	}
	return 0;
}

/* Overwrite a 16-bit field with the JSON value when it differs from what was built. */
static void keep16(struct jb *b, size_t off, int have, uint64_t json_value)
{
	struct dmm_wbuf *w = b->w;
	if (have && off + 2 <= w->len && (w->p[off] << 8 | w->p[off + 1]) != (int)json_value)
		wb_put16_at(w, off, (uint16_t)json_value);
}

static void keep8(struct jb *b, size_t off, int have, uint64_t json_value)
{
	if (have && off < b->w->len && b->w->p[off] != (uint8_t)json_value)
		wb_put8_at(b->w, off, (uint8_t)json_value);
}

/* Recompute an Internet checksum at csum_off over [start, start + len). */
static void refresh_checksum(struct jb *b, size_t start, size_t len, size_t csum_off)
{
	struct dmm_wbuf *w = b->w;
	if (w->err || start + len > w->len)
		return;
	wb_put16_at(w, csum_off, 0);
	wb_put16_at(w, csum_off, inet_fold(inet_sum(w->p + start, len, 0)));
}

/* ------------------------------------------------------ layer table */

static int jb_layers(struct jb *b, const struct jb_item *it, unsigned n);

struct jb_layer {
	const char *key;
	int linktype;       /* as the first layer of a frame; -1: not a link layer */
	uint16_t ethertype; /* announcing this layer in Ethernet, VLAN and GRE (0: none) */
	uint8_t ipproto;    /* announcing it in IPv4, IPv6 and RFC 2004 headers (0: none) */
	int (*build)(struct jb *b, const struct jb_item *it, const struct jb_item *rest,
	             unsigned n_rest);
};

static const struct jb_layer *layer_lookup(const char *key);

/* The numbers an outer header announces its payload by, from the payload's layer. */
static const struct jb_layer *next_layer(const struct jb_item *rest, unsigned n_rest)
{
	static const struct jb_layer none = {"", -1, 0, 0, NULL};
	const struct jb_layer *row = n_rest ? layer_lookup(rest->key) : NULL;
	return row ? row : &none;
}

/* A leaf (MH, data) ends the packet. */
static int no_payload(struct jb *b, const struct jb_item *it, unsigned n_rest)
{
	return n_rest ? jb_fail(b, "%s: unexpected %s after it", it->key, (it + 1)->key) : 0;
}

/* -------------------------------------------------------- link layers */

enum {
	JB_HAVE_LEN = 1,
	JB_HAVE_CSUM = 2,
	JB_HAVE_HLEN = 4,
	JB_HAVE_FV = 8,
	JB_HAVE_NEXT = 16,
	JB_HAVE_TTL = 32,
};

struct jb_eth {
	uint8_t dst[6], src[6];
	uint16_t type;
	uint8_t have;
	const uint8_t *trailer; /* after the IP packet: padding, trailer */
	size_t trailer_len;
};
static const struct jb_bind eth_binds[] = {
    B_ARR("eth.dst", struct jb_eth, dst),
    B_ARR("eth.src", struct jb_eth, src),
    B_SEEN("eth.type", struct jb_eth, type, have, JB_HAVE_NEXT),
    B_SEEN("eth.len", struct jb_eth, type, have, JB_HAVE_NEXT), /* IEEE 802.3 length */
    B_PTR("eth.padding", struct jb_eth, trailer, trailer_len),
    B_PTR("eth.trailer", struct jb_eth, trailer, trailer_len),
};

static int bind_layer(struct jb *b, const struct jb_item *it, const struct jb_bind *rows, size_t n,
                      void *target);

static int build_eth(struct jb *b, const struct jb_item *it, const struct jb_item *rest,
                     unsigned n_rest)
{
	struct jb_eth e = {{0}, {0}, 0, 0, NULL, 0};
	if (bind_layer(b, it, eth_binds, N_BINDS(eth_binds), &e) < 0)
		return -1;
	if (!(e.have & JB_HAVE_NEXT))
		e.type = next_layer(rest, n_rest)->ethertype;
	if (pkt_eth(b->w, e.dst, e.src, e.type) < 0)
		return jb_fail(b, "frame too large");
	if (jb_layers(b, rest, n_rest) < 0)
		return -1;
	wb_bytes(b->w, e.trailer, e.trailer_len);
	return 0;
}

struct jb_vlan {
	uint16_t tci, type;
	uint8_t have;
};
static const struct jb_bind vlan_binds[] = {
    B_BITS("vlan.priority", struct jb_vlan, tci, 0xe000),
    B_BITS("vlan.dei", struct jb_vlan, tci, 0x1000),
    B_BITS("vlan.id", struct jb_vlan, tci, 0x0fff),
    B_SEEN("vlan.etype", struct jb_vlan, type, have, JB_HAVE_NEXT),
};

struct jb_null {
	uint32_t family;
};
static const struct jb_bind null_binds[] = {
    B_INT("null.family", struct jb_null, family),
};

/* Bind a whole layer object into target (layers without subtrees). */
static int bind_layer(struct jb *b, const struct jb_item *it, const struct jb_bind *rows, size_t n,
                      void *target)
{
	struct jb_list *l = children_of(b, it);
	const struct jb_binds t = {rows, n};
	int r = l ? 0 : -1;
	if (r == 0)
		r = jb_bind_all(b, it->key, l, &t, 1, target);
	free(l);
	return r;
}

static int build_vlan(struct jb *b, const struct jb_item *it, const struct jb_item *rest,
                      unsigned n_rest)
{
	struct jb_vlan v = {0, 0, 0};
	if (bind_layer(b, it, vlan_binds, N_BINDS(vlan_binds), &v) < 0)
		return -1;
	if (!(v.have & JB_HAVE_NEXT))
		v.type = next_layer(rest, n_rest)->ethertype;
	wb_u16(b->w, v.tci);
	wb_u16(b->w, v.type);
	return jb_layers(b, rest, n_rest);
}

/* BSD loopback: the family in this host's order, which is how DLT_NULL captures write it. */
static int build_null(struct jb *b, const struct jb_item *it, const struct jb_item *rest,
                      unsigned n_rest)
{
	struct jb_null v = {0};
	if (bind_layer(b, it, null_binds, N_BINDS(null_binds), &v) < 0)
		return -1;
	wb_bytes(b->w, &v.family, 4);
	return jb_layers(b, rest, n_rest);
}

static int build_raw(struct jb *b, const struct jb_item *it, const struct jb_item *rest,
                     unsigned n_rest)
{
	return jb_layers(b, rest, n_rest);
}

/* Linux cooked capture v2 (20 octets) has an interface index, v1 (16 octets) none. */
static int sll_is_v2(struct json_object *sll)
{
	return json_object_object_get_ex(sll, "sll.ifindex", NULL);
}

struct jb_sll {
	uint16_t pkttype, hatype, halen, type, reserved;
	uint32_t ifindex;
	uint8_t addr[8];
	const uint8_t *src, *unused;
	uint8_t src_len, unused_len;
};
static const struct jb_bind sll_binds[] = {
    B_INT("sll.pkttype", struct jb_sll, pkttype),
    B_INT("sll.hatype", struct jb_sll, hatype),
    B_INT("sll.halen", struct jb_sll, halen),
    B_PTR("sll.src.eth", struct jb_sll, src, src_len),
    B_PTR("sll.src.other", struct jb_sll, src, src_len),
    B_PTR("sll.unused", struct jb_sll, unused, unused_len),
    B_INT("sll.ltype", struct jb_sll, type),
    B_INT("sll.etype", struct jb_sll, type),
    B_INT("sll.ifindex", struct jb_sll, ifindex),
    B_INT("sll.reserved", struct jb_sll, reserved),
};

static int build_sll(struct jb *b, const struct jb_item *it, const struct jb_item *rest,
                     unsigned n_rest)
{
	struct jb_sll s;
	memset(&s, 0, sizeof(s));
	if (bind_layer(b, it, sll_binds, N_BINDS(sll_binds), &s) < 0)
		return -1;
	if ((size_t)s.src_len + s.unused_len > 8)
		return jb_fail(b, "sll: address longer than 8 octets");
	if (s.src_len) /* absent fields leave NULL pointers */
		memcpy(s.addr, s.src, s.src_len);
	if (s.unused_len)
		memcpy(s.addr + s.src_len, s.unused, s.unused_len);
	if (sll_is_v2(it->val)) {
		wb_u16(b->w, s.type);
		wb_u16(b->w, s.reserved);
		wb_u32(b->w, s.ifindex);
		wb_u16(b->w, s.hatype);
		wb_u8(b->w, (uint8_t)s.pkttype);
		wb_u8(b->w, (uint8_t)s.halen);
		wb_bytes(b->w, s.addr, 8);
	} else {
		wb_u16(b->w, s.pkttype);
		wb_u16(b->w, s.hatype);
		wb_u16(b->w, s.halen);
		wb_bytes(b->w, s.addr, 8);
		wb_u16(b->w, s.type);
	}
	return jb_layers(b, rest, n_rest);
}

/* ---------------------------------------------------------------- IPv4 */

struct jb_ip4 {
	struct pkt_ipv4_hdr h;
	uint16_t total, csum;
	uint8_t hdr_len, have; /* have: JB_HAVE_* */
};
static const struct jb_bind ip4_binds[] = {
    B_IGNORE("ip.version"),
    B_SEEN("ip.hdr_len", struct jb_ip4, hdr_len, have, JB_HAVE_HLEN),
    B_INT("ip.dsfield", struct jb_ip4, h.tos),
    B_IGNORE("ip.dsfield.dscp"),
    B_IGNORE("ip.dsfield.ecn"),
    B_SEEN("ip.len", struct jb_ip4, total, have, JB_HAVE_LEN),
    B_INT("ip.id", struct jb_ip4, h.id),
    B_BITS("ip.flags", struct jb_ip4, h.flags_frag, 0xe000),
    B_BITS("ip.flags.rb", struct jb_ip4, h.flags_frag, 0x8000),
    B_BITS("ip.flags.df", struct jb_ip4, h.flags_frag, 0x4000),
    B_BITS("ip.flags.mf", struct jb_ip4, h.flags_frag, 0x2000),
    B_BITS("ip.frag_offset", struct jb_ip4, h.flags_frag, 0x1fff),
    B_SEEN("ip.ttl", struct jb_ip4, h.ttl, have, JB_HAVE_TTL),
    B_SEEN("ip.proto", struct jb_ip4, h.protocol, have, JB_HAVE_NEXT),
    B_SEEN("ip.checksum", struct jb_ip4, csum, have, JB_HAVE_CSUM),
    B_ARR("ip.src", struct jb_ip4, h.src),
    B_ARR("ip.dst", struct jb_ip4, h.dst),
    B_PTR("ip.options", struct jb_ip4, h.options, h.options_len),
};

static int build_ipv4(struct jb *b, const struct jb_item *it, const struct jb_item *rest,
                      unsigned n_rest)
{
	struct jb_ip4 ip;
	struct pkt_mark m;
	memset(&ip, 0, sizeof(ip));
	if (bind_layer(b, it, ip4_binds, N_BINDS(ip4_binds), &ip) < 0)
		return -1;
	if (!(ip.have & JB_HAVE_NEXT))
		ip.h.protocol = next_layer(rest, n_rest)->ipproto;
	if ((ip.have & JB_HAVE_HLEN) && ip.hdr_len != 20 + ip.h.options_len)
		return jb_fail(b, "ip.hdr_len %u disagrees with ip.options", ip.hdr_len);
	if (pkt_ipv4_begin(b->w, &ip.h, &m) < 0)
		return jb_fail(b, "ip: options not a multiple of 4 octets or frame too large");
	keep8(b, m.hdr + 8, ip.have & JB_HAVE_TTL, ip.h.ttl); /* the builder reads 0 as 64 */
	const struct pkt_mark *outer_ip = b->ip;
	b->ip = &m;
	b->mh_src = b->mh_dst = NULL;
	if (jb_layers(b, rest, n_rest) < 0)
		return -1;
	b->ip = outer_ip;
	if (pkt_ipv4_end(b->w, &m) < 0)
		return jb_fail(b, "frame too large");
	if ((ip.have & JB_HAVE_LEN) && ip.total != b->w->len - m.hdr) {
		keep16(b, m.hdr + 2, 1, ip.total);
		refresh_checksum(b, m.hdr, m.payload - m.hdr, m.hdr + 10);
	}
	keep16(b, m.hdr + 10, ip.have & JB_HAVE_CSUM, ip.csum);
	return 0;
}

/* ---------------------------------------------------------------- IPv6 */

struct jb_ip6 {
	struct pkt_ipv6_hdr h;
	uint16_t plen;
	uint8_t have;
};
static const struct jb_bind ip6_binds[] = {
    B_IGNORE("ipv6.version"),
    B_INT("ipv6.tclass", struct jb_ip6, h.traffic_class),
    B_IGNORE("ipv6.tclass.dscp"),
    B_IGNORE("ipv6.tclass.ecn"),
    B_BITS("ipv6.flow", struct jb_ip6, h.flow_label, 0xfffff),
    B_SEEN("ipv6.plen", struct jb_ip6, plen, have, JB_HAVE_LEN),
    B_SEEN("ipv6.nxt", struct jb_ip6, h.next_header, have, JB_HAVE_NEXT),
    B_SEEN("ipv6.hlim", struct jb_ip6, h.hop_limit, have, JB_HAVE_TTL),
    B_ARR("ipv6.src", struct jb_ip6, h.src),
    B_ARR("ipv6.dst", struct jb_ip6, h.dst),
};

/* One extension header, its fields in wire order (RFC 8200 §4.3-4.5, RFC 6275 §6.3-6.4). */
struct jb_ext6 {
	uint8_t nxt, len, type, segleft, reserved_octet, more;
	uint16_t offset, reserved_bits;
	uint32_t ident;
	const uint8_t *reserved, *unknown;
	uint8_t reserved_len, unknown_len, have;
};
static const struct jb_bind ext6_binds[] = {
    B_INT("ipv6.hopopts.nxt", struct jb_ext6, nxt),
    B_SEEN("ipv6.hopopts.len", struct jb_ext6, len, have, JB_HAVE_LEN),
    B_INT("ipv6.dstopts.nxt", struct jb_ext6, nxt),
    B_SEEN("ipv6.dstopts.len", struct jb_ext6, len, have, JB_HAVE_LEN),
    B_INT("ipv6.routing.nxt", struct jb_ext6, nxt),
    B_SEEN("ipv6.routing.len", struct jb_ext6, len, have, JB_HAVE_LEN),
    B_INT("ipv6.routing.type", struct jb_ext6, type),
    B_INT("ipv6.routing.segleft", struct jb_ext6, segleft),
    B_PTR("ipv6.routing.mipv6.reserved", struct jb_ext6, reserved, reserved_len),
    B_PTR("ipv6.routing.src.reserved", struct jb_ext6, reserved, reserved_len),
    B_PTR("ipv6.routing.unknown_data", struct jb_ext6, unknown, unknown_len),
    B_INT("ipv6.fraghdr.nxt", struct jb_ext6, nxt),
    B_INT("ipv6.fraghdr.reserved_octet", struct jb_ext6, reserved_octet),
    B_BITS("ipv6.fraghdr.offset", struct jb_ext6, offset, 0xfff8),
    B_BITS("ipv6.fraghdr.reserved_bits", struct jb_ext6, offset, 0x0006),
    B_BITS("ipv6.fraghdr.more", struct jb_ext6, offset, 0x0001),
    B_INT("ipv6.fraghdr.ident", struct jb_ext6, ident),
};

struct jb_opt6 {
	uint8_t type, len, have;
	const uint8_t *body;
	uint8_t body_len;
};
static const struct jb_bind opt6_binds[] = {
    B_INT("ipv6.opt.type", struct jb_opt6, type),
    B_SEEN("ipv6.opt.length", struct jb_opt6, len, have, JB_HAVE_LEN),
    B_PTR("ipv6.opt.padn", struct jb_opt6, body, body_len),
    B_PTR("ipv6.opt.mipv6.home_address", struct jb_opt6, body, body_len),
    B_PTR("ipv6.opt.unknown", struct jb_opt6, body, body_len),
};

/* Hop-by-Hop / Destination option (TLV, Pad1 a single octet). A Home Address
 * option becomes the source of the MH pseudo-header (RFC 6275 §6.1.1). */
static int build_opt6(struct jb *b, const struct jb_item *it, int is_dstopts)
{
	struct jb_opt6 o;
	memset(&o, 0, sizeof(o));
	if (bind_layer(b, it, opt6_binds, N_BINDS(opt6_binds), &o) < 0)
		return -1;
	wb_u8(b->w, o.type);
	if (o.type == 0)
		return 0;
	wb_u8(b->w, (o.have & JB_HAVE_LEN) ? o.len : o.body_len);
	wb_bytes(b->w, o.body, o.body_len);
	if (o.type == PKT_HAO_OPTION && o.body_len == 16 && is_dstopts)
		b->mh_src = o.body;
	return 0;
}

static int build_ext6(struct jb *b, const struct jb_item *it)
{
	struct jb_ext6 e;
	const struct jb_binds t[] = {BINDS(ext6_binds)};
	int is_routing = strcmp(it->key, "ipv6.routing") == 0;
	int is_frag = strcmp(it->key, "ipv6.fraghdr") == 0;
	int is_options =
	    strcmp(it->key, "ipv6.hopopts") == 0 || strcmp(it->key, "ipv6.dstopts") == 0;
	size_t start = b->w->len;
	const uint8_t *last_addr = NULL;
	if (!(is_routing || is_frag || is_options))
		return jb_fail(b, "ipv6: unknown extension header %s", it->key);
	struct jb_list *l = children_of(b, it);
	int r = l ? 0 : -1;
	memset(&e, 0, sizeof(e));
	/* the fixed fields first (they precede every option or address) */
	for (unsigned i = 0; r == 0 && i < l->n; i++)
		if (jb_bind_item(b, &l->it[i], t, 1, &e) < 0)
			r = -1;
	if (r == 0 && is_frag) {
		wb_u8(b->w, e.nxt);
		wb_u8(b->w, e.reserved_octet);
		wb_u16(b->w, e.offset);
		wb_u32(b->w, e.ident);
	} else if (r == 0) {
		wb_u8(b->w, e.nxt);
		wb_u8(b->w, e.len);
		if (is_routing) {
			wb_u8(b->w, e.type);
			wb_u8(b->w, e.segleft);
			wb_bytes(b->w, e.reserved, e.reserved_len);
		}
		for (unsigned i = 0; r == 0 && i < l->n; i++) {
			const struct jb_item *c = &l->it[i];
			struct jb_value v;
			if (strcmp(c->key, "ipv6.opt") == 0 && !is_routing) {
				r = build_opt6(b, c, strcmp(it->key, "ipv6.dstopts") == 0);
			} else if (is_routing &&
			           (strcmp(c->key, "ipv6.routing.mipv6.home_address") == 0 ||
			            strcmp(c->key, "ipv6.routing.src.addr") == 0)) {
				r = jb_value(b, c->key, c->val, &v);
				wb_bytes(b->w, v.ptr, v.len);
				last_addr = v.ptr;
			} else if (!jb_bind_item(b, c, t, 1, &e)) {
				r = unbound(b, it->key, c->key);
			}
		}
		wb_bytes(b->w, e.unknown, e.unknown_len);
		if (r == 0 && !(e.have & JB_HAVE_LEN) && (b->w->len - start) % 8 == 0)
			wb_put8_at(b->w, start + 1, (uint8_t)((b->w->len - start) / 8 - 1));
	}
	/* RFC 8200 §8.1: with segments left the final destination is the last address */
	if (r == 0 && last_addr && e.segleft > 0)
		b->mh_dst = last_addr;
	free(l);
	return r;
}

static int build_ipv6(struct jb *b, const struct jb_item *it, const struct jb_item *rest,
                      unsigned n_rest)
{
	struct jb_list *l = children_of(b, it);
	struct jb_ip6 ip;
	struct pkt_mark m;
	const struct jb_binds t[] = {BINDS(ip6_binds)};
	int r = l ? 0 : -1;
	memset(&ip, 0, sizeof(ip));
	for (unsigned i = 0; r == 0 && i < l->n; i++)
		if (strncmp(l->it[i].key, "ipv6.", 5) == 0 &&
		    strchr(l->it[i].key + 5, '.') == NULL &&
		    json_object_is_type(l->it[i].val, json_type_object))
			continue; /* extension headers, written below */
		else if (jb_bind_item(b, &l->it[i], t, 1, &ip) <= 0)
			r = b->failed ? -1 : unbound(b, "ipv6", l->it[i].key);
	if (r == 0 && !(ip.have & JB_HAVE_NEXT)) {
		for (unsigned i = 0; i < l->n; i++)
			if (json_object_is_type(l->it[i].val, json_type_object))
				r = jb_fail(b, "ipv6: ipv6.nxt missing before %s", l->it[i].key);
		ip.h.next_header = next_layer(rest, n_rest)->ipproto;
	}
	if (r == 0) {
		uint8_t *addrs = jb_alloc(b, 32);
		r = addrs ? 0 : -1;
		if (r == 0) { /* the pseudo-header addresses outlive this frame of the walk */
			memcpy(addrs, ip.h.src, 16);
			memcpy(addrs + 16, ip.h.dst, 16);
			b->mh_src = addrs;
			b->mh_dst = addrs + 16;
		}
	}
	if (r == 0 && pkt_ipv6_begin(b->w, &ip.h, &m) < 0)
		r = jb_fail(b, "frame too large");
	if (r == 0)
		keep8(b, m.hdr + 7, ip.have & JB_HAVE_TTL, ip.h.hop_limit); /* 0 is 64 there */
	for (unsigned i = 0; r == 0 && i < l->n; i++)
		if (json_object_is_type(l->it[i].val, json_type_object))
			r = build_ext6(b, &l->it[i]);
	free(l);
	if (r < 0)
		return -1;
	const struct pkt_mark *outer_ip = b->ip;
	b->ip = &m;
	if (jb_layers(b, rest, n_rest) < 0)
		return -1;
	b->ip = outer_ip;
	if (pkt_ipv6_end(b->w, &m) < 0)
		return jb_fail(b, "frame too large");
	keep16(b, m.hdr + 4, ip.have & JB_HAVE_LEN, ip.plen);
	return 0;
}

/* ------------------------------------------------------- UDP, GRE, RFC 2004 */

struct jb_udp {
	uint16_t sport, dport, len, csum;
	uint8_t have;
};
static const struct jb_bind udp_binds[] = {
    B_INT("udp.srcport", struct jb_udp, sport),
    B_INT("udp.dstport", struct jb_udp, dport),
    B_SEEN("udp.length", struct jb_udp, len, have, JB_HAVE_LEN),
    B_SEEN("udp.checksum", struct jb_udp, csum, have, JB_HAVE_CSUM),
};

static int build_udp(struct jb *b, const struct jb_item *it, const struct jb_item *rest,
                     unsigned n_rest)
{
	struct jb_udp u = {0, 0, 0, 0, 0};
	struct pkt_mark m;
	if (bind_layer(b, it, udp_binds, N_BINDS(udp_binds), &u) < 0)
		return -1;
	if (!b->ip)
		return jb_fail(b, "udp: not inside an IP layer");
	unsigned flags = (u.have & JB_HAVE_CSUM) && u.csum == 0 ? PKT_UDP_NO_CSUM : 0;
	if (pkt_udp_begin(b->w, b->ip, u.sport, u.dport, flags, &m) < 0)
		return jb_fail(b, "frame too large");
	b->mh_src = b->mh_dst = NULL; /* RFC 5844 §6: no MH checksum over UDP */
	if (jb_layers(b, rest, n_rest) < 0)
		return -1;
	if (pkt_udp_end(b->w, &m) < 0)
		return jb_fail(b, "frame too large");
	keep16(b, m.hdr + 4, u.have & JB_HAVE_LEN, u.len);
	keep16(b, m.hdr + 6, u.have & JB_HAVE_CSUM, u.csum);
	return 0;
}

struct jb_gre {
	struct pkt_gre_hdr h;
	uint16_t fv, csum, offset;
	uint8_t have;
};
static const struct jb_bind gre_binds[] = {
    B_SEEN("gre.flags_and_version", struct jb_gre, fv, have, JB_HAVE_FV),
    B_INT("gre.flags.checksum", struct jb_gre, h.has_checksum),
    B_INT("gre.flags.key", struct jb_gre, h.has_key),
    B_INT("gre.flags.sequence_number", struct jb_gre, h.has_sequence),
    B_IGNORE("gre.flags.routing"), /* in gre.flags_and_version */
    B_IGNORE("gre.flags.reserved"),
    B_IGNORE("gre.flags.version"),
    B_SEEN("gre.proto", struct jb_gre, h.protocol, have, JB_HAVE_NEXT),
    B_SEEN("gre.checksum", struct jb_gre, csum, have, JB_HAVE_CSUM),
    B_INT("gre.offset", struct jb_gre, offset),
    B_INT("gre.key", struct jb_gre, h.key),
    B_INT("gre.sequence_number", struct jb_gre, h.sequence),
};

static int build_gre(struct jb *b, const struct jb_item *it, const struct jb_item *rest,
                     unsigned n_rest)
{
	struct jb_gre g;
	struct pkt_mark m;
	memset(&g, 0, sizeof(g));
	if (bind_layer(b, it, gre_binds, N_BINDS(gre_binds), &g) < 0)
		return -1;
	if (!(g.have & JB_HAVE_NEXT))
		g.h.protocol = next_layer(rest, n_rest)->ethertype;
	if (pkt_gre_begin(b->w, &g.h, &m) < 0)
		return jb_fail(b, "frame too large");
	/* reserved flag bits and version as given (the builder writes C, K, S only) */
	keep16(b, m.hdr, g.have & JB_HAVE_FV, g.fv);
	if (g.h.has_checksum)
		keep16(b, m.hdr + 6, 1, g.offset);
	if (jb_layers(b, rest, n_rest) < 0)
		return -1;
	if (pkt_gre_end(b->w, &m) < 0)
		return jb_fail(b, "frame too large");
	if (g.h.has_checksum)
		keep16(b, m.hdr + 4, g.have & JB_HAVE_CSUM, g.csum);
	return 0;
}

struct jb_minenc {
	uint8_t proto, s_flag, reserved, have;
	uint16_t csum;
	uint8_t dst[4], src[4];
};
static const struct jb_bind minenc_binds[] = {
    B_SEEN("minenc.proto", struct jb_minenc, proto, have, JB_HAVE_NEXT),
    B_INT("minenc.s_flag", struct jb_minenc, s_flag),
    B_INT("minenc.reserved", struct jb_minenc, reserved),
    B_SEEN("minenc.checksum", struct jb_minenc, csum, have, JB_HAVE_CSUM),
    B_ARR("minenc.dst", struct jb_minenc, dst),
    B_ARR_SEEN("minenc.src", struct jb_minenc, src, have, JB_HAVE_FV),
};

static int build_minenc(struct jb *b, const struct jb_item *it, const struct jb_item *rest,
                        unsigned n_rest)
{
	struct jb_minenc e;
	memset(&e, 0, sizeof(e));
	if (bind_layer(b, it, minenc_binds, N_BINDS(minenc_binds), &e) < 0)
		return -1;
	if (!(e.have & JB_HAVE_NEXT))
		e.proto = next_layer(rest, n_rest)->ipproto;
	if (e.s_flag != !!(e.have & JB_HAVE_FV))
		return jb_fail(b, "minenc: s_flag disagrees with minenc.src");
	if (e.reserved > 0x7f)
		return jb_fail(b, "minenc.reserved: value %u out of range (0-127)", e.reserved);
	size_t start = b->w->len;
	int n = pkt_minenc(b->w, e.proto, e.dst, e.s_flag ? e.src : NULL);
	if (n < 0)
		return jb_fail(b, "frame too large");
	if (e.reserved) {
		wb_put8_at(b->w, start + 1, (uint8_t)(b->w->p[start + 1] | e.reserved));
		refresh_checksum(b, start, (size_t)n, start + 2);
	}
	keep16(b, start + 2, e.have & JB_HAVE_CSUM, e.csum);
	b->mh_src = b->mh_dst = NULL;
	return jb_layers(b, rest, n_rest);
}

struct jb_data {
	const uint8_t *p;
	size_t len;
};
static const struct jb_bind data_binds[] = {
    B_PTR("data.data", struct jb_data, p, len),
    B_IGNORE("data.len"),
};

static int build_data(struct jb *b, const struct jb_item *it, const struct jb_item *rest,
                      unsigned n_rest)
{
	struct jb_data d = {NULL, 0};
	if (bind_layer(b, it, data_binds, N_BINDS(data_binds), &d) < 0)
		return -1;
	wb_bytes(b->w, d.p, d.len);
	return no_payload(b, it, n_rest);
}

/* ------------------------------------------------ Mobility Header (RFC 6275 §6.1) */

struct jb_mh {
	struct mh_msg m;
	const struct mh_type_ops *row; /* of the message subtree */
	uint16_t json_csum;
	uint8_t json_hlen, have;
};
#define MH_INT(a, m) B_INT(a, struct jb_mh, m)
#define MH_BITS(a, m, mask) B_BITS(a, struct jb_mh, m, mask)
static const struct jb_bind mh_binds[] = {
    B_SEEN("mip6.proto", struct jb_mh, m.proto, have, JB_HAVE_NEXT),
    B_SEEN("mip6.hlen", struct jb_mh, json_hlen, have, JB_HAVE_HLEN),
    MH_INT("mip6.mhtype", m.type),
    MH_INT("mip6.reserved", m.reserved),
    B_SEEN("mip6.csum", struct jb_mh, json_csum, have, JB_HAVE_CSUM),
    B_IGNORE("mip6.csum.status"),
    B_PTR("mip6.unknown_type_data", struct jb_mh, m.body, m.body_len),
    /* Binding Update (RFC 6275 §6.1.7, RFC 5213 §8.1, RFC 8885 §4.5) */
    MH_INT("mip6.bu.seqnr", m.u.bu.seq),
    MH_BITS("mip6.bu.a_flag", m.u.bu.flags, MH_BU_A),
    MH_BITS("mip6.bu.h_flag", m.u.bu.flags, MH_BU_H),
    MH_BITS("mip6.bu.l_flag", m.u.bu.flags, MH_BU_L),
    MH_BITS("mip6.bu.k_flag", m.u.bu.flags, MH_BU_K),
    MH_BITS("mip6.bu.m_flag", m.u.bu.flags, MH_BU_M),
    MH_BITS("mip6.nemo.bu.r_flag", m.u.bu.flags, MH_BU_R),
    MH_BITS("mip6.bu.p_flag", m.u.bu.flags, MH_BU_P),
    MH_BITS("mip6.bu.f_flag", m.u.bu.flags, MH_BU_F),
    MH_BITS("mip6.bu.t_flag", m.u.bu.flags, MH_BU_T),
    MH_BITS("mip6.bu.b_flag", m.u.bu.flags, MH_BU_B),
    MH_BITS("mip6.bu.s_flag", m.u.bu.flags, MH_BU_S),
    MH_BITS("mip6.bu.d_flag", m.u.bu.flags, MH_BU_D),
    MH_BITS("mip6.bu.reserved", m.u.bu.flags, 0x000f),
    MH_INT("mip6.bu.lifetime", m.u.bu.lifetime),
    /* Binding Acknowledgement (§6.1.8) */
    MH_INT("mip6.ba.status", m.u.ba.status),
    MH_BITS("mip6.ba.k_flag", m.u.ba.flags, MH_BA_K),
    MH_BITS("mip6.nemo.ba.r_flag", m.u.ba.flags, MH_BA_R),
    MH_BITS("mip6.ba.p_flag", m.u.ba.flags, MH_BA_P),
    MH_BITS("mip6.ba.t_flag", m.u.ba.flags, MH_BA_T),
    MH_BITS("mip6.ba.b_flag", m.u.ba.flags, MH_BA_B),
    MH_BITS("mip6.ba.s_flag", m.u.ba.flags, MH_BA_S),
    MH_BITS("mip6.ba.d_flag", m.u.ba.flags, MH_BA_D),
    MH_BITS("mip6.ba.reserved", m.u.ba.flags, 0x01),
    MH_INT("mip6.ba.seqnr", m.u.ba.seq),
    MH_INT("mip6.ba.lifetime", m.u.ba.lifetime),
    /* Binding Error (§6.1.9), BRR (§6.1.2), HoTI/CoTI (§6.1.3-4), HoT/CoT (§6.1.5-6) */
    MH_INT("mip6.be.status", m.u.be.status),
    MH_INT("mip6.be.reserved", m.u.be.reserved),
    B_ARR("mip6.be.haddr", struct jb_mh, m.u.be.hoa),
    MH_INT("mip6.brr.reserved", m.u.brr.reserved),
    MH_INT("mip6.hoti.reserved", m.u.ti.reserved),
    MH_INT("mip6.hoti.cookie", m.u.ti.cookie),
    MH_INT("mip6.coti.reserved", m.u.ti.reserved),
    MH_INT("mip6.coti.cookie", m.u.ti.cookie),
    MH_INT("mip6.hot.nindex", m.u.t.nindex),
    MH_INT("mip6.hot.cookie", m.u.t.cookie),
    MH_INT("mip6.hot.token", m.u.t.token),
    MH_INT("mip6.cot.nindex", m.u.t.nindex),
    MH_INT("mip6.cot.cookie", m.u.t.cookie),
    MH_INT("mip6.cot.token", m.u.t.token),
};

/* Mobility options: every row of mh_opt_registry prints into these fields. */
#define OPT_INT(a, m) B_INT(a, struct mh_opt, m)
#define OPT_BITS(a, m, mask) B_BITS(a, struct mh_opt, m, mask)
#define OPT_ARR(a, m) B_ARR(a, struct mh_opt, m)
#define OPT_PTR(a, p, l) B_PTR(a, struct mh_opt, p, l)
static const struct jb_bind mh_opt_binds[] = {
    OPT_INT("mip6.mobility_opt", type),
    OPT_INT("mip6.mobility_opt.len", force_len), /* FORCE_LEN when not the body's length */
    OPT_PTR("mip6.padn", data, len),
    B_PTR_SEEN("mip6.option.data", struct mh_opt, data, len, flags, MH_OPT_F_RAW),
    OPT_INT("mip6.mnid.subtype", v.nai.subtype),
    OPT_PTR("mip6.mnid.identifier", v.nai.id, v.nai.idlen),
    OPT_INT("mip6.auth.subtype", v.auth.subtype),
    OPT_INT("mip6.auth.mobility_spi", v.auth.spi),
    OPT_PTR("mip6.auth.auth_data", v.auth.auth, v.auth.authlen),
    B_IGNORE("mip6.auth.status"),
    OPT_INT("mip6.vsm.vendorId", v.vsm.vendor),
    OPT_INT("mip6.vsm.subtype", v.vsm.subtype),
    OPT_PTR("mip6.vsm.data", v.vsm.data, v.vsm.dlen),
    OPT_INT("mip6.hnp.reserved", v.hnp.reserved),
    OPT_INT("mip6.nemo.mnp.pfl", v.hnp.plen),
    OPT_ARR("mip6.nemo.mnp.mnp", v.hnp.prefix),
    OPT_INT("mip6.hi.reserved", v.u8pair.reserved),
    OPT_INT("mip6.hi", v.u8pair.value),
    OPT_INT("mip6.att.reserved", v.u8pair.reserved),
    OPT_INT("mip6.att", v.u8pair.value),
    OPT_INT("mip6.mnlli.reserved", v.mnllid.reserved),
    OPT_PTR("mip6.mnlli.lli", v.mnllid.lli, v.mnllid.llilen),
    OPT_ARR("mip6.lila_lla", v.addr6),
    OPT_INT("mip6.timestamp", v.timestamp),
    OPT_BITS("mip6.natd.f_flag", v.v4.flags, 0x8000),
    OPT_BITS("mip6.natd.reserved", v.v4.flags, 0x7fff),
    OPT_INT("mip6.natd.refresh_t", v.v4.refresh),
    OPT_INT("mip6.ipv4coa.reserved", v.v4.flags),
    OPT_ARR("mip6.ipv4coa.addr", v.v4.addr4),
    OPT_INT("mip6.gre.reserved", v.gre.reserved),
    B_SEEN("mip6.gre_key", struct mh_opt, v.gre.key, v.gre.has_key, 1),
    OPT_INT("mip6.ipv4ha.preflen", v.v4.plen),
    OPT_INT("mip6.ipv4ha.res", v.v4.flags),
    OPT_ARR("mip6.ipv4ha.ha", v.v4.addr4),
    OPT_INT("mip6.ipv4aa.sts", v.v4.status),
    OPT_INT("mip6.ipv4dra.reserved", v.v4.flags),
    OPT_ARR("mip6.ipv4dra.dra", v.v4.addr4),
    OPT_BITS("mip6.ipv4dsm.reserved", v.v4.flags, 0xfffe),
    OPT_BITS("mip6.ipv4dsm.s_flag", v.v4.flags, 0x0001),
    OPT_INT("mip6.mmb.if_att", v.mmb.if_att),
    OPT_INT("mip6.mmb.if_label", v.mmb.if_label),
    OPT_INT("mip6.mmb.bid", v.mmb.bid),
    OPT_BITS("mip6.mmb.b_flag", v.mmb.flags, MH_MMB_B),
    OPT_BITS("mip6.mmb.o_flag", v.mmb.flags, MH_MMB_O),
    OPT_BITS("mip6.mmb.flags_reserved", v.mmb.flags, 0x3f),
    OPT_INT("mip6.mmb.reserved", v.mmb.reserved),
    OPT_INT("mip6.mag_id.subtype", v.nai.subtype),
    OPT_INT("mip6.mag_id.reserved", v.nai.reserved),
    OPT_PTR("mip6.mag_id.id", v.nai.id, v.nai.idlen),
    OPT_INT("mip6.pmaar.reserved", v.pmaar.reserved),
    OPT_INT("mip6.pmaar.prefix_len", v.pmaar.plen),
    OPT_ARR("mip6.pmaar.addr", v.pmaar.addr),
    OPT_ARR("mip6.pmaar.hnp", v.pmaar.hnp),
    OPT_ARR("mip6.smaar.addr", v.addr6),
};

/* 1 when key names an option subtree: *row is its registry row (NULL for unknown options). */
static int mh_option_node(const char *key, const struct mh_opt_ops **row)
{
	size_t n;
	const struct mh_opt_ops *rows = mh_opt_registry(&n);
	*row = NULL;
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].node->abbrev, key) == 0) {
			*row = &rows[i];
			return 1;
		}
	return strcmp(key, "mip6.options.unknown") == 0;
}

/* One option: fields bound into o; the Length octet is what the body needs
 * unless the JSON says otherwise (then FORCE_LEN keeps the JSON value). */
static int build_mh_option(struct jb *b, const struct jb_item *it, struct mh_opt *o)
{
	const struct mh_opt_ops *row;
	const struct jb_binds t[] = {BINDS(mh_opt_binds)};
	struct jb_list *l = children_of(b, it);
	int r = l ? 0 : -1;
	memset(o, 0, sizeof(*o));
	if (r == 0)
		r = jb_bind_all(b, it->key, l, t, 1, o);
	free(l);
	if (r < 0)
		return -1;
	if (!mh_option_node(it->key, &row))
		return jb_fail(b, "mip6.options: unknown option subtree %s", it->key);
	if (row && mh_opt_lookup(o->type) != row) /* a TBA number of another profile */
		return jb_fail(b, "%s: option %u is not %s under the current numbers (--tba)",
		               it->key, o->type, row->name);
	/* mobility_opt.len went to force_len; the body's own length is the encoder's,
	 * found by encoding the body alone */
	if (o->type == MH_OPT_PAD1)
		return 0;
	const struct mh_opt_ops *ops = mh_opt_lookup(o->type);
	size_t body_len = o->len;
	if (!(o->flags & MH_OPT_F_RAW) && ops && ops->encode && row) {
		struct dmm_wbuf s;
		wb_init(&s, b->scratch, sizeof(b->scratch));
		ops->encode(o, &s);
		body_len = s.len;
	}
	if (json_object_object_get_ex(it->val, "mip6.mobility_opt.len", NULL) &&
	    o->force_len != body_len)
		o->flags |= MH_OPT_F_FORCE_LEN;
	/* an RFC 4285 option without mip6.auth.auth_data keeps auth NULL: mh_encode
	 * computes the authenticator with the dmm_keys key of its SPI */
	return 0;
}

static int build_mh_options(struct jb *b, const struct jb_item *it, struct mh_msg *m)
{
	struct jb_list *l = children_of(b, it);
	int r = l ? 0 : -1;
	for (unsigned i = 0; r == 0 && i < l->n; i++) {
		struct mh_opt *o = mh_add_opt(m, 0);
		r = o ? build_mh_option(b, &l->it[i], o)
		      : jb_fail(b, "more than %d mobility options", MH_MAX_OPTS);
	}
	free(l);
	return r;
}

/* Message fields and subtrees: the message node of an mh_type_registry row, and its options. */
static int bind_mh_object(struct jb *b, const struct jb_item *it, struct jb_mh *mh, int top)
{
	const struct jb_binds t[] = {BINDS(mh_binds)};
	struct jb_list *l = children_of(b, it);
	int r = l ? 0 : -1;
	for (unsigned i = 0; r == 0 && i < l->n; i++) {
		const struct jb_item *c = &l->it[i];
		if (!json_object_is_type(c->val, json_type_object)) {
			if ((r = jb_bind_item(b, c, t, 1, mh)) == 0)
				r = unbound(b, it->key, c->key);
			r = r < 0 ? -1 : 0;
			continue;
		}
		if (strcmp(c->key, "mip6.options") == 0 && !top) {
			r = build_mh_options(b, c, &mh->m);
			continue;
		}
		size_t n;
		const struct mh_type_ops *rows = mh_type_registry(&n), *row = NULL;
		for (size_t k = 0; k < n && top; k++)
			if (strcmp(rows[k].node->abbrev, c->key) == 0)
				row = &rows[k];
		mh->row = row ? row : mh->row;
		r = row ? bind_mh_object(b, c, mh, 0)
		        : jb_fail(b, "%s: unexpected subtree %s", it->key, c->key);
	}
	if (r == 0 && top && mh->row && mh->row->type != mh->m.type)
		r = jb_fail(b, "%s: %s does not match mip6.mhtype %u", it->key,
		            mh->row->node->abbrev, mh->m.type);
	free(l);
	return r;
}

static int encode_mh(struct jb *b, struct jb_mh *mh, size_t start)
{
	b->w->len = start;
	if (mh_encode(&mh->m, b->mh_src, b->mh_dst, b->w) < 0)
		return jb_fail(
		    b, "mip6: not encodable (frame too large or authenticator key missing)");
	return 0;
}

static int build_mh(struct jb *b, const struct jb_item *it, const struct jb_item *rest,
                    unsigned n_rest)
{
	struct jb_mh *mh = calloc(1, sizeof(*mh));
	size_t start = b->w->len;
	int r = mh ? bind_mh_object(b, it, mh, 1) : jb_fail(b, "out of memory");
	if (r == 0) {
		/* the options as listed: Pad1/PadN are in the JSON, no alignment added */
		mh->m.enc.no_align = 1;
		mh->m.hlen = mh->json_hlen;
		r = encode_mh(b, mh, start);
	}
	if (r == 0 && (mh->have & JB_HAVE_HLEN) && b->w->p[start + 1] != mh->json_hlen) {
		mh->m.enc.force_hlen = 1;
		r = encode_mh(b, mh, start);
	}
	if (r == 0 && (mh->have & JB_HAVE_CSUM) && b->mh_src) {
		uint16_t sum = (uint16_t)(b->w->p[start + 4] << 8 | b->w->p[start + 5]);
		uint16_t inverted = (uint16_t)~sum;
		if (inverted == mh->json_csum && sum != mh->json_csum) {
			mh->m.enc.bad_csum = 1; /* deliberately wrong, as captured */
			r = encode_mh(b, mh, start);
		}
	}
	if (r == 0) {
		keep8(b, start, mh->have & JB_HAVE_NEXT, mh->m.proto); /* 0 is 59 there */
		keep16(b, start + 4, mh->have & JB_HAVE_CSUM, mh->json_csum);
	}
	free(mh);
	return r < 0 ? -1 : no_payload(b, it, n_rest);
}

/* ---------------------------------------------- Mobile IPv4 (RFC 5944 §1.8-3) */

struct jb_mip4 {
	struct mip4_msg m;
};
#define M4_INT(a, m) B_INT(a, struct mip4_msg, m)
#define M4_BITS(a, m, mask) B_BITS(a, struct mip4_msg, m, mask)
#define M4_ARR(a, m) B_ARR(a, struct mip4_msg, m)
static const struct jb_bind mip4_common_binds[] = {
    M4_INT("mip.type", type),
    B_PTR("dmm.unknown.data", struct mip4_msg, body, body_len), /* unknown types */
};
static const struct jb_bind regreq_binds[] = {
    M4_INT("mip.flags", u.req.flags),
    M4_BITS("mip.s", u.req.flags, MIP4_F_S),
    M4_BITS("mip.b", u.req.flags, MIP4_F_B),
    M4_BITS("mip.d", u.req.flags, MIP4_F_D),
    M4_BITS("mip.m", u.req.flags, MIP4_F_M),
    M4_BITS("mip.g", u.req.flags, MIP4_F_G),
    M4_BITS("mip.v", u.req.flags, MIP4_F_R),
    M4_BITS("mip.t", u.req.flags, MIP4_F_T),
    M4_BITS("mip.x", u.req.flags, MIP4_F_X),
    M4_INT("mip.life", u.req.lifetime),
    M4_ARR("mip.homeaddr", u.req.hoa),
    M4_ARR("mip.haaddr", u.req.ha),
    M4_ARR("mip.coa", u.req.coa),
    M4_INT("mip.ident.value", u.req.ident),
};
static const struct jb_bind regrep_binds[] = {
    M4_INT("mip.code", u.rep.code),         M4_INT("mip.life", u.rep.lifetime),
    M4_ARR("mip.homeaddr", u.rep.hoa),      M4_ARR("mip.haaddr", u.rep.ha),
    M4_INT("mip.ident.value", u.rep.ident),
};
static const struct jb_bind tunnel_binds[] = {
    M4_INT("mip.nattt.nexthdr", u.tun.next_header),
    M4_INT("mip.nattt.reserved", u.tun.reserved),
};
static const struct jb_bind revocation_binds[] = {
    M4_INT("mip.rev.reserved", u.rev.reserved),
    M4_INT("mip.flags2", u.rev.flags),
    M4_BITS("mip.rev.a", u.rev.flags, MIP4_REV_A),
    M4_BITS("mip.rev.i", u.rev.flags, MIP4_REV_I),
    M4_BITS("mip.rev.reserved2", u.rev.flags, 0x3fff),
    M4_ARR("mip.homeaddr", u.rev.hoa),
    M4_ARR("mip.rev.hda", u.rev.hda),
    M4_ARR("mip.rev.fda", u.rev.fda),
    M4_INT("mip.revid", u.rev.rev_id),
};
static const struct jb_bind revack_binds[] = {
    M4_INT("mip.ack.reserved", u.rack.reserved),
    M4_INT("mip.flags2", u.rack.flags),
    M4_BITS("mip.ack.i", u.rack.flags, MIP4_ACK_I),
    M4_BITS("mip.ack.reserved2", u.rack.flags, 0x7fff),
    M4_ARR("mip.homeaddr", u.rack.hoa),
    M4_INT("mip.revid", u.rack.rev_id),
};
static const struct jb_bind rr_init_binds[] = {
    M4_INT("mip.rr.reserved", u.ti.reserved),
    M4_INT("mip.rr.cookie", u.ti.cookie),
};
static const struct jb_bind rr_test_binds[] = {
    M4_INT("mip.rr.reserved", u.t.reserved),
    M4_INT("mip.rr.nonce_index", u.t.nonce_index),
    M4_INT("mip.rr.cookie", u.t.cookie),
    M4_INT("mip.rr.token", u.t.token),
};

/* mip4_type_registry row key -> the fields its printer emits. */
static const struct {
	const char *key;
	struct jb_binds binds;
} mip4_type_binds[] = {
    {"regreq", BINDS(regreq_binds)},         {"regrep", BINDS(regrep_binds)},
    {"tunnel", BINDS(tunnel_binds)},         {"revocation", BINDS(revocation_binds)},
    {"revocation-ack", BINDS(revack_binds)}, {"hoti", BINDS(rr_init_binds)},
    {"coti", BINDS(rr_init_binds)},          {"hot", BINDS(rr_test_binds)},
    {"cot", BINDS(rr_test_binds)},
};

struct jb_ext {
	struct mip4_ext e;
	uint16_t json_len;
	uint8_t have; /* JB_HAVE_LEN; JB_HAVE_CSUM: the authenticator is given */
};
#define EXT_INT(a, m) B_INT(a, struct jb_ext, e.m)
#define EXT_BITS(a, m, mask) B_BITS(a, struct jb_ext, e.m, mask)
static const struct jb_bind mip4_ext_binds[] = {
    EXT_INT("mip.ext.type", type),
    B_SEEN("mip.ext.len", struct jb_ext, json_len, have, JB_HAVE_LEN),
    B_PTR_SEEN("mip.extension", struct jb_ext, e.body, e.body_len, e.flags, MIP4_EXT_F_RAW),
    /* MN-HA 32 (RFC 5944 §3.5.2) */
    EXT_INT("mip.auth.spi", v.auth.spi),
    B_PTR_SEEN("mip.auth.auth", struct jb_ext, e.v.auth.auth, e.v.auth.authlen, have, JB_HAVE_CSUM),
    B_IGNORE("mip.auth.status"),
    /* UDP Tunnel Request 144 / Reply 44 (RFC 3519 §3.1-3.2) */
    EXT_INT("mip.ext.utrq.subtype", subtype),
    EXT_INT("mip.ext.utrq.reserved1", v.utrq.reserved1),
    EXT_INT("mip.ext.utrq.flags", v.utrq.flags),
    EXT_BITS("mip.ext.utrq.f", v.utrq.flags, MIP4_UTRQ_F),
    EXT_BITS("mip.ext.utrq.r", v.utrq.flags, MIP4_UTRQ_R),
    EXT_BITS("mip.ext.utrq.reserved2", v.utrq.flags, 0x3f),
    EXT_INT("mip.ext.utrq.encaptype", v.utrq.encap),
    EXT_INT("mip.ext.utrq.reserved3", v.utrq.reserved3),
    EXT_INT("mip.ext.utrp.subtype", subtype),
    EXT_INT("mip.ext.utrp.code", v.utrp.code),
    EXT_INT("mip.ext.utrp.flags", v.utrp.flags),
    EXT_BITS("mip.ext.utrp.f", v.utrp.flags, MIP4_UTRP_F),
    EXT_BITS("mip.ext.utrp.reserved", v.utrp.flags, 0x7fff),
    EXT_INT("mip.ext.utrp.keepalive", v.utrp.keepalive),
    /* Revocation Support 137 (RFC 3543 §3.2) */
    EXT_INT("mip.ext.rev.flags", v.revsup.flags),
    EXT_BITS("mip.ext.rev.i", v.revsup.flags, MIP4_REVSUP_I),
    EXT_BITS("mip.ext.rev.reserved", v.revsup.flags, 0x7fff),
    EXT_INT("mip.ext.rev.tstamp", v.revsup.timestamp),
    /* Mobile Network Extension 148 (RFC 5177 §4) */
    EXT_INT("mip.ext.mne.subtype", subtype),
    EXT_INT("mip.ext.mne.code", v.mne.code),
    EXT_INT("mip.ext.mne.prefix_length", v.mne.plen),
    EXT_INT("mip.ext.mne.reserved", v.mne.reserved),
    B_ARR("mip.ext.mne.prefix", struct jb_ext, e.v.mne.prefix),
    /* HAARO (RFC 6521 §5.1-5.4) */
    EXT_INT("mip.haaro.rocap.subtype", subtype),
    EXT_BITS("mip.haaro.rocap.a_flag", v.rocap.flags, HAARO_ROCAP_A),
    EXT_BITS("mip.haaro.rocap.r_flag", v.rocap.flags, HAARO_ROCAP_R),
    EXT_BITS("mip.haaro.rocap.s_flag", v.rocap.flags, HAARO_ROCAP_S),
    EXT_BITS("mip.haaro.rocap.o_flag", v.rocap.flags, HAARO_ROCAP_O),
    EXT_BITS("mip.haaro.rocap.reserved", v.rocap.flags, 0x0f),
    B_ARR_SEEN("mip.haaro.rocap.hoa", struct jb_ext, e.v.rocap.hoa, e.v.rocap.has_hoa, 1),
    EXT_INT("mip.haaro.ror.subtype", subtype),
    EXT_BITS("mip.haaro.ror.o_flag", v.ror.flags, HAARO_ROR_O),
    EXT_BITS("mip.haaro.ror.n_flag", v.ror.flags, HAARO_ROR_N),
    EXT_BITS("mip.haaro.ror.s_flag", v.ror.flags, HAARO_ROR_S),
    EXT_BITS("mip.haaro.ror.code", v.ror.code, HAARO_ROR_CODE),
    EXT_INT("mip.haaro.mcauth.subtype", subtype),
    EXT_INT("mip.haaro.mcauth.reserved", v.mcauth.reserved),
    EXT_INT("mip.haaro.mcauth.hni", v.mcauth.hni),
    EXT_INT("mip.haaro.mcauth.cni", v.mcauth.cni),
    B_PTR_SEEN("mip.haaro.mcauth.auth", struct jb_ext, e.v.mcauth.auth, e.v.mcauth.authlen, have,
               JB_HAVE_CSUM),
    B_IGNORE("mip.haaro.mcauth.status"),
    EXT_INT("mip.haaro.coa.subtype", subtype),
    EXT_INT("mip.haaro.coa.reserved", v.coa.reserved),
    B_LIST("mip.haaro.coa", struct jb_ext, e.v.coa.addrs, e.v.coa.count),
    EXT_INT("mip.haaro.pfx.subtype", subtype),
};

/* Prefix Advertisement information structure (RFC 6521 §5.5). */
static const struct jb_bind pfx_binds[] = {
    B_INT("mip.haaro.pfx.d_flag", struct haaro_pfx_info, d),
    B_INT("mip.haaro.pfx.m_flag", struct haaro_pfx_info, m),
    B_INT("mip.haaro.pfx.info", struct haaro_pfx_info, plen_info),
    B_ARR("mip.haaro.pfx.hoa", struct haaro_pfx_info, hoa),
    B_INT("mip.haaro.pfx.plen", struct haaro_pfx_info, plen_info),
    B_ARR("mip.haaro.pfx.prefix", struct haaro_pfx_info, prefix),
    B_PTR("mip.haaro.pfx.realm", struct haaro_pfx_info, realm, realm_len),
};

/* Extension length as the encoder computes it (the extension encoded alone). */
static int ext_encoded_len(struct jb *b, const struct mip4_ext *e, size_t *len)
{
	struct mip4_msg *one = calloc(1, sizeof(*one));
	const struct mip4_type_ops *carrier = mip4_type_lookup(MIP4_REG_REPLY);
	struct dmm_wbuf s;
	if (!one)
		return jb_fail(b, "out of memory");
	one->type = MIP4_REG_REPLY; /* a message with extensions, fixed part zero */
	one->nexts = 1;
	one->exts[0] = *e;
	one->exts[0].flags &= (uint8_t) ~(MIP4_EXT_F_FORCE_LEN | MIP4_EXT_F_SIGN);
	wb_init(&s, b->scratch, sizeof(b->scratch));
	int r = mip4_encode(one, &s);
	free(one);
	if (r < 0)
		return jb_fail(b, "mip.ext type %u: not encodable", e->type);
	const uint8_t *ext = s.p + carrier->fixed_len;
	enum mip4_ext_format fmt = mip4_ext_format(e->type);
	*len = fmt == MIP4_FMT_PAD    ? 0
	       : fmt == MIP4_FMT_LONG ? (size_t)(ext[2] << 8 | ext[3])
	                              : ext[1];
	return 0;
}

/* The D flags an encoding of infos produced, compared with the JSON ones. */
static int pfx_d_flags_match(const uint8_t *data, size_t len, const struct haaro_pfx_info *want,
                             unsigned n)
{
	struct haaro_pfx_reader *r = malloc(sizeof(*r));
	struct haaro_pfx_info got;
	unsigned i = 0;
	int ok = r != NULL;
	if (r)
		haaro_pfx_reader_init(r, data, len);
	while (ok && haaro_pfx_next(r, &got) == 1)
		ok = i < n && got.d == want[i++].d;
	ok = ok && i == n && cur_ok(&r->c);
	free(r);
	return ok;
}

/* The structures of a Prefix Advertisement; the encoder chooses D and the realm
 * compression, so the flags whose output shows the JSON's D bits and length win. */
static int build_pfx(struct jb *b, const struct jb_list *l, struct jb_ext *x)
{
	static const unsigned choices[] = {0, HAARO_PFX_NO_REALM_DICT, HAARO_PFX_NO_DELTA,
	                                   HAARO_PFX_NO_DELTA | HAARO_PFX_NO_REALM_DICT};
	unsigned n = 0;
	for (unsigned i = 0; i < l->n; i++)
		n += strcmp(l->it[i].key, "mip.haaro.pfx.structure") == 0;
	struct haaro_pfx_info *plain = jb_alloc(b, (n ? n : 1) * sizeof(*plain));
	if (!plain)
		return -1;
	memset(plain, 0, (n ? n : 1) * sizeof(*plain));
	unsigned k = 0;
	for (unsigned i = 0; i < l->n; i++)
		if (strcmp(l->it[i].key, "mip.haaro.pfx.structure") == 0 &&
		    bind_layer(b, &l->it[i], pfx_binds, N_BINDS(pfx_binds), &plain[k++]) < 0)
			return -1;
	x->e.v.pfx.infos = plain;
	x->e.v.pfx.n = n;
	for (size_t c = 0; c < sizeof(choices) / sizeof(choices[0]); c++) {
		struct dmm_wbuf s;
		wb_init(&s, b->scratch, sizeof(b->scratch));
		if (haaro_pfx_encode(plain, n, choices[c], &s) < 0)
			return jb_fail(b, "mip.haaro.pfx: structures not encodable");
		if ((!(x->have & JB_HAVE_LEN) || s.len == x->json_len) &&
		    pfx_d_flags_match(s.p, s.len, plain, n)) {
			x->e.v.pfx.flags = choices[c];
			return 0;
		}
	}
	return jb_fail(b, "mip.haaro.pfx: no encoding gives the D flags and length shown");
}

static int build_mip4_ext(struct jb *b, const struct jb_item *it, struct mip4_ext *out)
{
	const struct jb_binds t[] = {BINDS(mip4_ext_binds)};
	struct jb_list *l = children_of(b, it);
	struct jb_ext *x = calloc(1, sizeof(*x));
	int r = l && x ? 0 : (l ? jb_fail(b, "out of memory") : -1);
	int has_pfx = 0;
	for (unsigned i = 0; r == 0 && i < l->n; i++) {
		if (strcmp(l->it[i].key, "mip.haaro.pfx.structure") == 0) {
			has_pfx = 1;
			continue;
		}
		r = jb_bind_item(b, &l->it[i], t, 1, x);
		if (r == 0)
			r = unbound(b, "mip.ext", l->it[i].key);
		r = r < 0 ? -1 : 0;
	}
	if (r == 0 && (x->e.flags & MIP4_EXT_F_RAW)) {
		/* undissected body: for the short format it starts with the Sub-Type */
		enum mip4_ext_format fmt = mip4_ext_format(x->e.type);
		if (fmt == MIP4_FMT_LONG)
			r = jb_fail(b, "mip.ext type %u: raw long-format body without Sub-Type",
			            x->e.type);
		else if (fmt == MIP4_FMT_SHORT && x->e.body_len) {
			x->e.subtype = x->e.body[0];
			x->e.body++;
			x->e.body_len--;
		}
	} else if (r == 0 && x->e.type != MIP4_EXT_PAD &&
	           !mip4_ext_lookup(x->e.type, x->e.subtype)) {
		r = jb_fail(b, "mip.ext type %u sub-type %u: no registry row and no mip.extension",
		            x->e.type, x->e.subtype);
	} else if (r == 0 && mip4_ext_lookup(x->e.type, x->e.subtype) &&
	           mip4_ext_lookup(x->e.type, x->e.subtype)->sign && !(x->have & JB_HAVE_CSUM)) {
		/* MN-HA / MC-Auth without the authenticator: computed with the dmm_keys key */
		x->e.flags |= MIP4_EXT_F_SIGN;
	}
	if (r == 0 && has_pfx)
		r = build_pfx(b, l, x);
	size_t len = 0;
	if (r == 0 && (x->have & JB_HAVE_LEN))
		r = ext_encoded_len(b, &x->e, &len);
	if (r == 0 && (x->have & JB_HAVE_LEN) && len != x->json_len) {
		x->e.flags |= MIP4_EXT_F_FORCE_LEN;
		x->e.force_len = x->json_len;
	}
	if (r == 0)
		*out = x->e;
	free(l);
	free(x);
	return r;
}

static const struct jb_binds *mip4_binds_for(uint8_t type)
{
	const struct mip4_type_ops *row = mip4_type_lookup(type);
	for (size_t i = 0; row && i < sizeof(mip4_type_binds) / sizeof(mip4_type_binds[0]); i++)
		if (strcmp(mip4_type_binds[i].key, row->key) == 0)
			return &mip4_type_binds[i].binds;
	return NULL;
}

static int build_mip4(struct jb *b, const struct jb_item *it, const struct jb_item *rest,
                      unsigned n_rest)
{
	struct jb_list *l = children_of(b, it);
	struct mip4_msg *m = calloc(1, sizeof(*m));
	struct jb_binds t[2] = {BINDS(mip4_common_binds), {NULL, 0}};
	unsigned inner = 0; /* index of the first tunnelled layer */
	struct jb_value tail = {0, NULL, 0, 0};
	struct json_object *undissected;
	int r = l && m ? 0 : (l ? jb_fail(b, "out of memory") : -1);
	if (r == 0 && (l->n == 0 || strcmp(l->it[0].key, "mip.type") != 0))
		r = jb_fail(b, "mip: mip.type missing or not first");
	if (r == 0 && jb_bind_item(b, &l->it[0], t, 1, m) < 0)
		r = -1;
	const struct jb_binds *type_binds = r == 0 ? mip4_binds_for(m->type) : NULL;
	if (type_binds)
		t[1] = *type_binds;
	for (unsigned i = 1; r == 0 && i < l->n; i++) {
		const struct jb_item *c = &l->it[i];
		if (layer_lookup(c->key)) {
			inner = i;
			break;
		}
		if (tail.ptr) {
			r = jb_fail(b, "mip: %s after an undissected extension", c->key);
		} else if (strcmp(c->key, "mip.ext") == 0 &&
		           json_object_object_get_ex(c->val, "dmm.unknown.data", &undissected)) {
			/* an unknown non-skippable extension: it and the rest of the message
			 * are shown undissected, from its Type octet on */
			r = jb_value(b, "dmm.unknown.data", undissected, &tail);
			if (r == 0 && (tail.len == 0 || json_object_object_length(c->val) != 2))
				r = jb_fail(b, "mip.ext: undissected extension with other fields");
		} else if (strcmp(c->key, "mip.ext") == 0) {
			r = m->nexts < MIP4_MAX_EXTS
			        ? build_mip4_ext(b, c, &m->exts[m->nexts++])
			        : jb_fail(b, "mip: more than %d extensions", MIP4_MAX_EXTS);
		} else {
			r = jb_bind_item(b, c, t, 2, m);
			if (r == 0)
				r = unbound(b, "mip", c->key);
			r = r < 0 ? -1 : 0;
		}
	}
	if (r == 0 && m->body && mip4_type_lookup(m->type)) {
		/* shorter than its type's fixed part: Type and the octets shown undissected */
		wb_u8(b->w, m->type);
		wb_bytes(b->w, m->body, m->body_len);
	} else if (r == 0 && mip4_encode(m, b->w) < 0) {
		r = jb_fail(b, "mip: not encodable (or no key for an authenticator to compute)");
	}
	wb_bytes(b->w, tail.ptr, tail.len);
	/* RFC 3519 §3.3 Tunnel Data: the tunnelled packet follows the fixed part */
	if (r == 0 && inner) {
		b->mh_src = b->mh_dst = NULL;
		r = jb_layers(b, &l->it[inner], l->n - inner);
	}
	free(l);
	free(m);
	return r < 0 ? -1 : no_payload(b, it, n_rest);
}

/* ------------------------------------------------------------ walk */

static const struct jb_layer layer_rows[] = {
    {"eth", JB_DLT_EN10MB, 0, 0, build_eth},
    {"sll", JB_DLT_LINUX_SLL, 0, 0, build_sll},
    {"null", JB_DLT_NULL, 0, 0, build_null},
    {"raw", JB_DLT_RAW, 0, 0, build_raw},
    {"vlan", -1, PKT_ETHERTYPE_VLAN, 0, build_vlan},
    {"ip", JB_DLT_IPV4, PKT_ETHERTYPE_IPV4, PKT_PROTO_IPIP, build_ipv4},
    {"ipv6", JB_DLT_IPV6, PKT_ETHERTYPE_IPV6, PKT_PROTO_IPV6, build_ipv6},
    {"udp", -1, 0, PKT_PROTO_UDP, build_udp},
    {"gre", -1, 0, PKT_PROTO_GRE, build_gre},
    {"minenc", -1, 0, PKT_PROTO_MINENC, build_minenc},
    {"mip6", -1, 0, PKT_PROTO_MH, build_mh},
    {"mip", -1, 0, 0, build_mip4},
    {"data", -1, 0, 0, build_data},
};

static const struct jb_layer *layer_lookup(const char *key)
{
	for (size_t i = 0; i < sizeof(layer_rows) / sizeof(layer_rows[0]); i++)
		if (strcmp(layer_rows[i].key, key) == 0)
			return &layer_rows[i];
	return NULL;
}

/* Build it[0] with it[1..n) as its payload. */
static int jb_layers(struct jb *b, const struct jb_item *it, unsigned n)
{
	if (n == 0)
		return 0;
	const struct jb_layer *row = layer_lookup(it->key);
	if (!row)
		return jb_fail(b, "unknown layer %s", it->key);
	if (!json_object_is_type(it->val, json_type_object))
		return jb_fail(b, "%s: expected an object", it->key);
	if (++b->layers > JB_MAX_LAYERS)
		return jb_fail(b, "more than %d nested layers", JB_MAX_LAYERS);
	int r = row->build(b, it, it + 1, n - 1);
	b->layers--;
	if (r == 0 && b->w->err)
		return jb_fail(b, "frame does not fit the output buffer");
	return r;
}

int dmm_json_build(struct json_object *pkt, struct dmm_wbuf *w, int *linktype, char *err,
                   size_t errlen)
{
	/* one context per thread, kept for the next packet (its buffers need no clearing) */
	static _Thread_local struct jb *cached;
	struct jb *b = cached ? cached : (cached = malloc(sizeof(*b)));
	struct jb_list *l = malloc(sizeof(*l));
	size_t start = w->len;
	int start_err = w->err, r;
	if (err && errlen)
		err[0] = 0;
	if (!b || !l) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		free(l);
		return -1;
	}
	b->w = w;
	b->err = err;
	b->errlen = errlen;
	b->failed = 0;
	b->layers = 0;
	b->ip = NULL;
	b->mh_src = b->mh_dst = NULL;
	b->used = 0;
	r = pkt ? jb_children(b, "packet", pkt, l) : jb_fail(b, "packet: no JSON object");
	unsigned first = 0;
	while (r == 0 && first < l->n && strcmp(l->it[first].key, "frame") == 0)
		first++;
	if (r == 0 && first == l->n)
		r = jb_fail(b, "packet: no layers");
	const struct jb_layer *link = r == 0 ? layer_lookup(l->it[first].key) : NULL;
	if (r == 0 && (!link || link->linktype < 0))
		r = jb_fail(b, "packet: %s cannot start a frame", l->it[first].key);
	if (r == 0) {
		*linktype = link->build == build_sll && sll_is_v2(l->it[first].val)
		                ? JB_DLT_LINUX_SLL2
		                : link->linktype;
		r = jb_layers(b, &l->it[first], l->n - first);
	}
	if (r < 0) {
		w->len = start;
		w->err = start_err;
	}
	free(l);
	return r;
}
