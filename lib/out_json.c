/* JSON output backend (-T json): one json-c object per packet, repeats as arrays. */
#include "out.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* Store val under key in obj; a second occurrence turns the entry into an
 * array holding every occurrence in order. Takes ownership of val.
 * Returns 1 if the key was there already. */
static int add_occurrence(struct json_object *obj, const char *key, struct json_object *val)
{
	struct json_object *old;
	if (!json_object_object_get_ex(obj, key, &old)) {
		/* known absent: let json-c skip its own second lookup */
		json_object_object_add_ex(obj, key, val,
		                          JSON_C_OBJECT_KEY_IS_CONSTANT | JSON_C_OBJECT_ADD_KEY_IS_NEW);
		return 0;
	}
	if (json_object_is_type(old, json_type_array)) {
		json_object_array_add(old, val);
		return 1;
	}
	struct json_object *arr = json_object_new_array();
	json_object_array_add(arr, json_object_get(old));
	json_object_array_add(arr, val);
	/* replacing the entry drops the object's own reference to old */
	json_object_object_add_ex(obj, key, arr, JSON_C_OBJECT_KEY_IS_CONSTANT);
	return 1;
}

static struct json_object *current(struct dmm_json *j)
{
	return j->stack[j->depth];
}

/* Add val under key to the current object and note the key's position. */
static void add_to_current(struct dmm_json *j, const char *key, struct json_object *val)
{
	struct dmm_json_level *l = &j->levels[j->depth];
	int repeated = add_occurrence(current(j), key, val);
	if (repeated && l->n_keys && l->keys[l->n_keys - 1] != key &&
	    strcmp(l->keys[l->n_keys - 1], key) != 0)
		l->interleaved = 1;
	if (l->n_keys == l->cap) {
		unsigned cap = l->cap ? 2 * l->cap : 16;
		const char **keys = realloc(l->keys, cap * sizeof(*keys));
		if (!keys) {
			l->interleaved = 0; /* order unknown: better none than a wrong one */
			return;
		}
		l->keys = keys;
		l->cap = cap;
	}
	l->keys[l->n_keys++] = key;
}

/* Attach "dmm.order" to the object at level depth if its keys were interleaved. */
static void finish_level(struct dmm_json *j, unsigned depth)
{
	struct dmm_json_level *l = &j->levels[depth];
	if (!l->interleaved)
		return;
	struct json_object *order = json_object_new_array_ext((int)l->n_keys);
	for (unsigned i = 0; i < l->n_keys; i++)
		json_object_array_add(order, json_object_new_string(l->keys[i]));
	json_object_object_add_ex(j->stack[depth], DMM_JSON_ORDER_KEY, order,
	                          JSON_C_OBJECT_KEY_IS_CONSTANT);
	l->interleaved = 0;
}

static void start_level(struct dmm_json *j, unsigned depth)
{
	j->levels[depth].n_keys = 0;
	j->levels[depth].interleaved = 0;
}

static void json_open(void *ctx, const struct dmm_field *f, const char *label)
{
	struct dmm_json *j = ctx;
	if (!j->root)
		return;
	if (j->depth >= DMM_OUT_MAX_DEPTH) {
		j->overflow++;
		return;
	}
	struct json_object *node = json_object_new_object();
	add_to_current(j, f->abbrev, node);
	j->stack[++j->depth] = node;
	start_level(j, j->depth);
}

static void json_close(void *ctx)
{
	struct dmm_json *j = ctx;
	if (j->overflow)
		j->overflow--;
	else if (j->depth > 0)
		finish_level(j, j->depth--);
}

static int reserve_text(struct dmm_json *j, size_t need)
{
	if (need <= j->text_cap)
		return 0;
	size_t cap = j->text_cap ? j->text_cap : 512;
	while (cap < need)
		cap *= 2;
	char *text = realloc(j->text, cap);
	if (!text)
		return -1;
	j->text = text;
	j->text_cap = cap;
	return 0;
}

/* Same text as json-c's own integer serializer ("%" PRIu64 / PRId64), without snprintf. */
static int integer_to_json_string(struct json_object *jso, struct printbuf *pb, int level,
                                  int flags)
{
	char tmp[24];
	char *end = tmp + sizeof(tmp);
	char *q = end;
#if defined(JSON_C_VERSION_NUM) && JSON_C_VERSION_NUM >= ((0 << 16) | (14 << 8))
	uint64_t u = json_object_get_uint64(jso);
#else
	uint64_t u = (uint64_t)json_object_get_int64(jso);
#endif
	do {
		*--q = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	return printbuf_memappend(pb, q, (int)(end - q));
}

static struct json_object *new_integer(uint64_t u)
{
	struct json_object *o;
#if defined(JSON_C_VERSION_NUM) && JSON_C_VERSION_NUM >= ((0 << 16) | (14 << 8))
	o = json_object_new_uint64(u);
#else
	if (u > INT64_MAX)
		return json_object_new_int64((int64_t)u); /* json-c's own text for these */
	o = json_object_new_int64((int64_t)u);
#endif
	if (o)
		json_object_set_serializer(o, integer_to_json_string, NULL, NULL);
	return o;
}

static const char hex_lower[] = "0123456789abcdef";

static void json_value(void *ctx, const struct dmm_field *f, const struct dmm_value *v)
{
	struct dmm_json *j = ctx;
	struct json_object *val;
	if (!j->root)
		return;
	if (f->type == DMM_FT_UINT) {
		val = new_integer(v->u);
	} else if (f->type == DMM_FT_BOOL) {
		val = new_integer(v->u ? 1 : 0);
	} else if (f->type == DMM_FT_ETHER) {
		char text[18];
		size_t n = 0;
		if (v->len == 6) {
			for (int i = 0; i < 6; i++) {
				if (i)
					text[n++] = ':';
				text[n++] = hex_lower[v->ptr[i] >> 4];
				text[n++] = hex_lower[v->ptr[i] & 15];
			}
		}
		val = json_object_new_string_len(text, (int)n);
	} else {
		if (reserve_text(j, dmm_out_value_bound(f, v)) != 0)
			return;
		size_t n = dmm_out_format_value(f, v, j->text, j->text_cap);
		val = json_object_new_string_len(j->text, (int)n);
	}
	add_to_current(j, f->abbrev, val);
}

static void json_error(void *ctx, const char *msg)
{
	struct dmm_json *j = ctx;
	size_t room = sizeof(j->errors) - 1 - j->errors_len;
	size_t n = strlen(msg);
	if (j->errors_len && room >= 2) {
		memcpy(j->errors + j->errors_len, "; ", 2);
		j->errors_len += 2;
		room -= 2;
	}
	if (n > room)
		n = room;
	memcpy(j->errors + j->errors_len, msg, n);
	j->errors_len += n;
	j->errors[j->errors_len] = 0;
}

const struct dmm_out_ops dmm_json_ops = {
    .open = json_open,
    .close = json_close,
    .value = json_value,
    .error = json_error,
};

void dmm_json_init(struct dmm_json *j, FILE *fp)
{
	memset(j, 0, sizeof(*j));
	j->fp = fp;
}

void dmm_json_free(struct dmm_json *j)
{
	if (j->root)
		json_object_put(j->root);
	else if (j->stack[0])
		json_object_put(j->stack[0]); /* the emptied root kept for reuse */
	j->root = NULL;
	j->stack[0] = NULL;
	free(j->text);
	j->text = NULL;
	j->text_cap = 0;
	for (unsigned i = 0; i <= DMM_OUT_MAX_DEPTH; i++) {
		free(j->levels[i].keys);
		j->levels[i].keys = NULL;
		j->levels[i].n_keys = j->levels[i].cap = 0;
	}
}

void dmm_json_begin_packet(struct dmm_json *j, const struct dmm_frame *fr)
{
	if (j->root) {
		json_object_put(j->root);
		j->root = NULL;
	} else if (j->stack[0]) {
		j->root = j->stack[0]; /* emptied by dmm_json_end_packet */
	}
	if (!j->root)
		j->root = json_object_new_object();
	j->stack[0] = j->root;
	j->depth = 0;
	j->overflow = 0;
	j->errors_len = 0;
	j->errors[0] = 0;
	start_level(j, 0);
}

struct json_object *dmm_json_take_packet(struct dmm_json *j)
{
	struct json_object *root = j->root;
	if (!root)
		return NULL;
	for (unsigned d = j->depth + 1; d-- > 0;) /* objects left open, then the root */
		finish_level(j, d);
	json_object_object_add_ex(root, DMM_FIELD_ERROR->abbrev,
	                          json_object_new_string_len(j->errors, (int)j->errors_len),
	                          JSON_C_OBJECT_KEY_IS_CONSTANT);
	j->root = NULL;
	j->stack[0] = NULL; /* the caller owns it now */
	j->depth = 0;
	return root;
}

void dmm_json_end_packet(struct dmm_json *j)
{
	struct json_object *root = dmm_json_take_packet(j);
	if (!root)
		return;
	size_t len = 0;
	const char *s = json_object_to_json_string_length(root, JSON_FLAGS, &len);
	fwrite_unlocked(s, 1, len, j->fp);
	putc_unlocked('\n', j->fp);
	/* Keep the root (its hash table and serialisation buffer) for the next
	 * packet: drop its members, which releases this packet's objects. */
	struct lh_table *t = json_object_get_object(root);
	struct lh_entry *e;
	while (t && (e = lh_table_head(t)) != NULL)
		json_object_object_del(root, (const char *)lh_entry_k(e));
	j->stack[0] = root;
}

static void json_begin_packet(void *ctx, const struct dmm_frame *fr)
{
	dmm_json_begin_packet(ctx, fr);
}

static void json_end_packet(void *ctx)
{
	dmm_json_end_packet(ctx);
}

const struct dmm_backend dmm_json_backend = {
    .name = "json",
    .ops = &dmm_json_ops,
    .begin_packet = json_begin_packet,
    .end_packet = json_end_packet,
};
