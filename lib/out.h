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

/* Format a value exactly like dmm_format_value, without printf or inet_ntop for
 * the integer, boolean, hex, address and prefix kinds (the hot path of the
 * summary, fields and JSON backends). */
size_t dmm_out_format_value(const struct dmm_field *f, const struct dmm_value *v, char *buf,
                            size_t size);

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
	unsigned flagged_depth; /* deepest DMM_F_SUMMARY node so far */
	int have_flagged_label;
	char flagged_label[DMM_SUMMARY_LABEL_MAX];
	const struct dmm_field *protocol_field; /* last protocol node */
	unsigned protocol_depth;
	uint32_t protocol_serial;
	int protocol_is_message; /* it holds summary values itself */
	char protocol_label[DMM_SUMMARY_LABEL_MAX];
	int have_message_label; /* its message child was seen */
	char message_label[DMM_SUMMARY_LABEL_MAX];
	char protocol[DMM_SUMMARY_LABEL_MAX]; /* its abbrev upper-cased (at the end) */
	size_t items_len;                     /* name=value and error items */
	char items[DMM_SUMMARY_LINE_MAX];
	char line[DMM_SUMMARY_LINE_MAX + DMM_SUMMARY_LABEL_MAX + 200];
};

extern const struct dmm_out_ops dmm_summary_ops;
extern const struct dmm_backend dmm_summary_backend;
void dmm_summary_init(struct dmm_summary *s, FILE *fp);
void dmm_summary_begin_packet(struct dmm_summary *s, const struct dmm_frame *fr);
void dmm_summary_end_packet(struct dmm_summary *s);

/* ---- tree (-V): tshark -V style, 4 spaces per level ----
 * node: "<label or name>"; value: "<name>: <dmm_format_display text>";
 * error: "[Error: <message>]"; a blank line ends each packet. */
struct dmm_tree {
	FILE *fp;
	unsigned depth;
	char *text; /* formatting buffer, grown when a long value needs it */
	size_t text_cap;
};

extern const struct dmm_out_ops dmm_tree_ops;
extern const struct dmm_backend dmm_tree_backend;
void dmm_tree_init(struct dmm_tree *t, FILE *fp);
void dmm_tree_free(struct dmm_tree *t);
void dmm_tree_begin_packet(struct dmm_tree *t, const struct dmm_frame *fr);
void dmm_tree_end_packet(struct dmm_tree *t);

/* ---- json (-T json): one json-c object per packet, one line each ----
 * Each subtree node is an object stored under its field's abbrev in the
 * enclosing object; each value is stored under its abbrev as the
 * dmm_format_value string (JSON integers for DMM_FT_UINT and DMM_FT_BOOL).
 * A key seen again in the same object turns into an array of all its
 * occurrences in emission order (values and nodes alike). When an object's
 * keys were interleaved (a key repeated after another key, e.g. options
 * PadN, MNID, PadN, HNP), the object also gets "dmm.order": the array of its
 * keys in emission order, one entry per occurrence, so that the exact order
 * can be rebuilt. "dmm.error" is added last at top level: "" or the error
 * messages joined by "; " (it is not part of "dmm.order"). */
#define DMM_JSON_ERRORS_MAX 1024
#define DMM_JSON_ORDER_KEY "dmm.order"

struct json_object;

/* Keys added to one open object, kept to write "dmm.order" when needed. */
struct dmm_json_level {
	const char **keys;
	unsigned n_keys, cap;
	int interleaved;
};

struct dmm_json {
	FILE *fp;
	struct json_object *root;
	struct json_object *stack[DMM_OUT_MAX_DEPTH + 1]; /* stack[0] = root */
	struct dmm_json_level levels[DMM_OUT_MAX_DEPTH + 1];
	unsigned depth;    /* tracked nesting */
	unsigned overflow; /* opens beyond DMM_OUT_MAX_DEPTH not yet closed */
	char *text;
	size_t text_cap;
	size_t errors_len;
	char errors[DMM_JSON_ERRORS_MAX];
};

extern const struct dmm_out_ops dmm_json_ops;
extern const struct dmm_backend dmm_json_backend;
void dmm_json_init(struct dmm_json *j, FILE *fp);
void dmm_json_free(struct dmm_json *j);
void dmm_json_begin_packet(struct dmm_json *j, const struct dmm_frame *fr);
/* Write the packet's object as one line and release it. */
void dmm_json_end_packet(struct dmm_json *j);
/* Finish the packet and hand its object to the caller (json_object_put it). */
struct json_object *dmm_json_take_packet(struct dmm_json *j);

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
