/* Output backends of dmm-decode: summary line, tree (-V), JSON and fields (-T). */
#ifndef DMM_OUT_H
#define DMM_OUT_H

#include "dissect.h"
#include "field.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Subtree nesting tracked by the backends; deeper subtrees are folded into the
 * deepest tracked one (their values still appear, their close calls still balance). */
#define DMM_OUT_MAX_DEPTH 32

/* Every backend writes complete lines to a FILE*; the caller gives that stream
 * a large buffer (setvbuf) and decides when to flush. Packet protocol:
 *
 *	struct dmm_out out = {backend->ops, ctx, 0};
 *	backend->begin_packet(ctx, &frame);
 *	dmm_dissect_frame(&frame, data, &out);   (open/value/close/error calls)
 *	backend->end_packet(ctx);
 *
 * Values and labels handed to a backend must stay valid until end_packet
 * (they point into the captured packet); backends copy what they keep longer. */
struct dmm_backend {
	const char *name; /* "summary", "tree", "json", "fields" */
	const struct dmm_out_ops *ops;
	void (*begin_packet)(void *ctx, const struct dmm_frame *fr);
	void (*end_packet)(void *ctx);
};

/* Defines dmm_<kind>_backend from dmm_<kind>_ops, dmm_<kind>_begin_packet and
 * dmm_<kind>_end_packet (the context being a struct dmm_<kind>). */
#define DMM_BACKEND(kind)                                                                          \
	static void kind##_begin_packet(void *ctx, const struct dmm_frame *fr)                     \
	{                                                                                          \
		dmm_##kind##_begin_packet(ctx, fr);                                                \
	}                                                                                          \
	static void kind##_end_packet(void *ctx)                                                   \
	{                                                                                          \
		dmm_##kind##_end_packet(ctx);                                                      \
	}                                                                                          \
	const struct dmm_backend dmm_##kind##_backend = {#kind, &dmm_##kind##_ops,                 \
	                                                 kind##_begin_packet, kind##_end_packet}

/* Format a value exactly like dmm_format_value, without printf or inet_ntop for
 * the integer, boolean, hex, address and prefix kinds (the hot path of the
 * summary, fields and JSON backends). */
size_t dmm_out_format_value(const struct dmm_field *f, const struct dmm_value *v, char *buf,
                            size_t size);

/* Grow the array *bufp (a pointer to any element type, elem bytes each) of *cap elements so
 * that it holds need elements: the capacity doubles from first. 0, or -1 when out of
 * memory (the array is then unchanged). */
int dmm_out_grow_to(void *bufp, size_t *cap, size_t need, size_t first, size_t elem);

static inline int dmm_out_grow(void *bufp, size_t *cap, size_t need, size_t first, size_t elem)
{
	return need <= *cap ? 0 : dmm_out_grow_to(bufp, cap, need, first, elem);
}

/* What the backends need of a field's names, worked out once per field: a cache of
 * DMM_FIELD_FACTS_SLOTS entries, direct-mapped by field pointer, zeroed to start. */
#define DMM_FIELD_FACTS_SLOTS 512
struct dmm_field_facts {
	const struct dmm_field *field;
	uint16_t len;       /* strlen(abbrev) */
	uint16_t first_dot; /* index of the abbrev's first '.', or len */
	uint16_t name;      /* index after the abbrev's last '.' (0 without one) */
	uint16_t name_len;  /* strlen(field->name) */
	uint8_t protocol;   /* a protocol node: no '.', not "data" */
	uint8_t frame;      /* "frame.*" */
};

const struct dmm_field_facts *dmm_field_facts_fill(struct dmm_field_facts *slot,
                                                   const struct dmm_field *f);

static inline const struct dmm_field_facts *dmm_field_facts(struct dmm_field_facts *cache,
                                                            const struct dmm_field *f)
{
	unsigned slot = (unsigned)(((uint64_t)(uintptr_t)f * 0x9e3779b97f4a7c15ull) >> 40) %
	                DMM_FIELD_FACTS_SLOTS;
	return cache[slot].field == f ? &cache[slot] : dmm_field_facts_fill(&cache[slot], f);
}

/* Buffer size that holds the complete text of v (dmm_format_value or
 * dmm_format_display), so that long byte strings are never cut. */
static inline size_t dmm_out_value_bound(const struct dmm_field *f, const struct dmm_value *v)
{
	if (f->type == DMM_FT_BYTES)
		return 2 * v->len + 64;
	if (f->type == DMM_FT_STRING)
		return 4 * v->len + 64;
	return 256;
}

/* ---- summary: one line per packet ----
 * "<frame> <src> → <dst> <label> name=value ... [error] ..."
 * src/dst: the last pair of DMM_F_ADDR values emitted inside one subtree (the
 *   innermost IP header);
 * label: the label of the deepest DMM_F_SUMMARY subtree node (the later one on
 *   ties); else, for the last protocol node P (abbrev without '.', except
 *   "data"), the label of its first child node named "P.<name>" (the message,
 *   e.g. "mip6.bu"); else P's own label if P directly holds a summary value
 *   (e.g. MIPv4 "mip" labelled "Registration Request"); else P's abbrev
 *   upper-cased ("UDP");
 * name=value: every DMM_F_SUMMARY value field except DMM_F_ADDR ones and
 *   "frame.*", name being the last '.'-component of its abbrev.
 * Missing parts are left out. */
#define DMM_SUMMARY_LINE_MAX 2048
#define DMM_SUMMARY_LABEL_MAX 128

struct dmm_summary_addr {
	const struct dmm_field *field;
	uint8_t octets[16];
	uint8_t len;
};

struct dmm_summary {
	FILE *fp;
	uint64_t number;
	unsigned depth;                            /* current nesting (0 = top level) */
	uint32_t node_serial;                      /* counts opened nodes in this packet */
	uint32_t serial_at[DMM_OUT_MAX_DEPTH + 1]; /* serial of the open node at each depth */
	uint32_t addr_node;                        /* serial of the node holding src/dst */
	struct dmm_summary_addr src, dst;
	unsigned flagged_depth;          /* deepest DMM_F_SUMMARY node so far */
	const char *flagged_label;       /* its label (labels live until end_packet), or NULL */
	struct dmm_field_facts protocol; /* last protocol node (.field NULL: none) */
	unsigned protocol_depth;
	uint32_t protocol_serial;
	int protocol_is_message; /* it holds summary values itself */
	const char *protocol_label;
	const char *message_label; /* its message child's label, or NULL */
	size_t items_len;          /* name=value and error items */
	char items[DMM_SUMMARY_LINE_MAX];
	char line[DMM_SUMMARY_LINE_MAX + DMM_SUMMARY_LABEL_MAX + 200];
	struct dmm_field_facts facts[DMM_FIELD_FACTS_SLOTS];
};

extern const struct dmm_out_ops dmm_summary_ops;
extern const struct dmm_backend dmm_summary_backend;
void dmm_summary_init(struct dmm_summary *s, FILE *fp);
void dmm_summary_begin_packet(struct dmm_summary *s, const struct dmm_frame *fr);
void dmm_summary_end_packet(struct dmm_summary *s);

/* ---- tree (-V): tshark -V style, 4 spaces per level ----
 * node: "<label or name>"; value: "<name>: <dmm_format_display text>";
 * error: "[Error: <message>]"; a blank line ends each packet. */
#define DMM_TREE_VAL_NAME_SLOTS 256
struct dmm_tree {
	FILE *fp;
	unsigned depth;
	struct dmm_field_facts facts[DMM_FIELD_FACTS_SLOTS];
	char *text; /* formatting buffer, grown when a long value needs it */
	size_t text_cap;
	size_t block; /* packets are written once this many bytes are buffered (0: each one) */
	struct dmm_tree_val_name {
		const struct dmm_vals *vals; /* NULL: empty slot */
		uint32_t value;
		uint32_t len;                 /* strlen(name) */
		const char *name;             /* dmm_val_name(vals, value), possibly NULL */
	} val_names[DMM_TREE_VAL_NAME_SLOTS]; /* direct-mapped cache of value names */
};

extern const struct dmm_out_ops dmm_tree_ops;
extern const struct dmm_backend dmm_tree_backend;
void dmm_tree_init(struct dmm_tree *t, FILE *fp);
void dmm_tree_free(struct dmm_tree *t);
void dmm_tree_begin_packet(struct dmm_tree *t, const struct dmm_frame *fr);
void dmm_tree_end_packet(struct dmm_tree *t);
/* Write the packets still buffered (with a block size set). */
void dmm_tree_flush(struct dmm_tree *t);

/* ---- json (-T json): one JSON object per packet, one line each ----
 * Each subtree node is an object stored under its field's abbrev in the
 * enclosing object; each value is stored under its abbrev as the
 * dmm_format_value string (JSON integers for DMM_FT_UINT and DMM_FT_BOOL).
 * A key seen again in the same object turns into an array of all its
 * occurrences in emission order (values and nodes alike), kept at the key's
 * first position. When an object's keys were interleaved (a key repeated
 * after another key, e.g. options PadN, MNID, PadN, HNP), the object also
 * gets "dmm.order": the array of its keys in emission order, one entry per
 * occurrence, so that the exact order can be rebuilt. "dmm.error" is added
 * last at top level: "" or the error messages joined by "; " (it is not part
 * of "dmm.order").
 *
 * The packet is built in arrays reused from packet to packet (no allocation
 * per value). dmm_json_end_packet writes it as text, byte for byte what
 * json-c prints for the same document (JSON_C_TO_STRING_PLAIN |
 * JSON_C_TO_STRING_NOSLASHESCAPE, json-c's string escaping);
 * dmm_json_take_packet hands it over as json-c objects instead. */
#define DMM_JSON_ERRORS_MAX 1024
#define DMM_JSON_ORDER_KEY "dmm.order"

struct json_object;
struct dmm_json_key;
struct dmm_json_node;

/* Keys seen so far, by abbrev pointer: equal strings share one key record. */
struct dmm_json_keys {
	const char **slot_abbrev;
	struct dmm_json_key **slot_key;
	unsigned mask, used;
	struct dmm_json_key **all; /* distinct key records, owned */
	unsigned n_all;
	size_t cap_all;
	size_t max_quoted_len; /* longest quoted key */
};

struct dmm_json {
	FILE *fp;
	int active;      /* between begin_packet and end/take */
	int failed;      /* out of memory during this packet: the packet is dropped */
	uint32_t packet; /* counts packets, to tell this packet's key chains from older ones */
	struct dmm_json_node *nodes; /* nodes[0] = the packet's top-level object */
	uint32_t n_nodes;
	size_t nodes_cap;
	char *text; /* string values of this packet */
	size_t text_len, text_cap;
	char *line; /* the serialised packet */
	size_t line_cap;
	struct dmm_json_keys keys;
	const struct dmm_json_key *order_key, *error_key;
	uint32_t stack[DMM_OUT_MAX_DEPTH + 1]; /* open objects, stack[0] = 0 (top level) */
	unsigned depth;                        /* tracked nesting */
	unsigned overflow;                     /* opens beyond DMM_OUT_MAX_DEPTH not yet closed */
	size_t errors_len;
	char errors[DMM_JSON_ERRORS_MAX];
};

extern const struct dmm_out_ops dmm_json_ops;
extern const struct dmm_backend dmm_json_backend;
void dmm_json_init(struct dmm_json *j, FILE *fp);
void dmm_json_free(struct dmm_json *j);
void dmm_json_begin_packet(struct dmm_json *j, const struct dmm_frame *fr);
/* Write the packet's object as one line. */
void dmm_json_end_packet(struct dmm_json *j);
/* Finish the packet and hand its object to the caller (json_object_put it). */
struct json_object *dmm_json_take_packet(struct dmm_json *j);
/* Append s (n bytes) to buf as json-c escapes a string's contents (quotes, backslash and
 * control characters escaped, '/' and bytes >= 0x7f as they are); buf must hold 6 * n
 * bytes. Returns the end of the written text. */
char *dmm_json_escape(char *buf, const char *s, size_t n);

/* ---- fields (-T fields -e NAME ...): tshark-like columns ---- */
enum dmm_occurrence {
	DMM_OCCURRENCE_ALL,   /* every occurrence, joined by the aggregator */
	DMM_OCCURRENCE_FIRST, /* occurrence=f */
	DMM_OCCURRENCE_LAST,  /* occurrence=l */
};

struct dmm_fields_options {
	char separator;  /* between columns: '\t' (separator=/t|/s|<char>) */
	char aggregator; /* between occurrences: ',' (aggregator=,|/s|<char>) */
	char quote;      /* around each column: 0 (quote=d|s|n) */
	int header;      /* first line names the columns (header=y|n) */
	int occurrence;  /* enum dmm_occurrence (occurrence=f|l|a) */
};

/* tshark defaults: tab, ',', no quotes, no header, all occurrences. */
void dmm_fields_options_default(struct dmm_fields_options *o);
/* Apply one -E spec ("header=y", "separator=/s", ...); 0, or -1 if unknown. */
int dmm_fields_options_parse(struct dmm_fields_options *o, const char *spec);

struct dmm_fields_column {
	const struct dmm_field *field;
	const char *name; /* as given with -e */
	int next_same;    /* next column with the same field, or -1 */
	unsigned count;   /* occurrences this packet */
	char *text;
	size_t len, cap;
};

struct dmm_fields {
	FILE *fp;
	struct dmm_fields_options opt;
	struct dmm_fields_column *columns;
	unsigned n_columns;
	int error_column; /* first column of the dmm.error pseudo field, or -1 */
	/* open-addressing map field pointer -> first column */
	const struct dmm_field **slot_field;
	int *slot_column;
	unsigned slot_mask;
	unsigned slot_shift;
	char *line; /* the line being written */
	size_t line_cap;
};

extern const struct dmm_out_ops dmm_fields_ops;
extern const struct dmm_backend dmm_fields_backend;
/* Resolve names with dmm_field_find (once). Returns 0, or -1 when a name is
 * unknown (*unknown, if given, is set to the first one) or out of memory.
 * With opt->header the header line is written at once. opt may be NULL. */
int dmm_fields_init(struct dmm_fields *x, FILE *fp, const char *const *names, unsigned n,
                    const struct dmm_fields_options *opt, const char **unknown);
void dmm_fields_free(struct dmm_fields *x);
void dmm_fields_begin_packet(struct dmm_fields *x, const struct dmm_frame *fr);
void dmm_fields_end_packet(struct dmm_fields *x);

/* -G fields: one line per registered field, tshark's format:
 * "P\t<name>\t<abbrev>" for protocol nodes (abbrev without '.'), otherwise
 * "F\t<name>\t<abbrev>\t<FT_type>\t<protocol>\t<BASE_>\t0x0\t". */
void dmm_list_fields(FILE *fp);
/* tshark-style type name of a field type ("FT_UINT64", "FT_IPv6", ...). */
const char *dmm_ftype_name(unsigned type);

#endif
