/* JSON output backend (-T json): one object per packet, repeats as arrays, json-c's text. */
#include "out.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

enum json_node_kind {
	JSON_NODE_OBJECT,
	JSON_NODE_STRING,  /* str: bytes in j->text */
	JSON_NODE_INTEGER, /* u */
	JSON_NODE_ORDER,   /* "dmm.order" of the object nodes[obj.first]: its emitted keys */
};

/* One key: the abbrev and its quoted, escaped text followed by ':'. */
struct dmm_json_key {
	const char *abbrev;
	uint32_t packet;    /* the packet (j->packet) last_head belongs to */
	uint32_t last_head; /* the latest first occurrence of the key in that packet */
	size_t quoted_len;
	char quoted[];
};

/* Members of an object are linked twice: by key (first occurrences in order of first
 * appearance, each followed by its later occurrences) and in emission order. */
struct dmm_json_node {
	const struct dmm_json_key *key;
	uint32_t next;         /* next key of the enclosing object (first occurrences only) */
	uint32_t next_same;    /* next occurrence of the same key */
	uint32_t last_same;    /* first occurrence: the last occurrence so far */
	uint32_t head;         /* the first occurrence of this key in the enclosing object */
	uint32_t parent;       /* the enclosing object */
	uint32_t prev_head;    /* first occurrence: the previous one of the key in the packet */
	uint32_t next_emitted; /* next member of the enclosing object in emission order */
	uint8_t kind;          /* enum json_node_kind */
	uint8_t interleaved;   /* object: a key came again after another key */
	union {
		uint64_t u;
		struct {
			uint32_t off, len;
		} str;
		struct {
			uint32_t first, last;                 /* first occurrences */
			uint32_t first_emitted, last_emitted; /* every member */
		} obj;
	};
};

#define ROOT 0u

/* ---- escaping (json-c's json_escape_str with JSON_C_TO_STRING_NOSLASHESCAPE) ---- */

static const char hex_lower[] = "0123456789abcdef";

/* 0: copied as is; otherwise the letter after the backslash ('u': \u00XX). */
static const char escape_letter[256] = {
    ['\b'] = 'b',  ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r', ['"'] = '"',
    ['\\'] = '\\', [0x00] = 'u', [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u',
    [0x05] = 'u',  [0x06] = 'u', [0x07] = 'u', [0x0b] = 'u', [0x0e] = 'u', [0x0f] = 'u',
    [0x10] = 'u',  [0x11] = 'u', [0x12] = 'u', [0x13] = 'u', [0x14] = 'u', [0x15] = 'u',
    [0x16] = 'u',  [0x17] = 'u', [0x18] = 'u', [0x19] = 'u', [0x1a] = 'u', [0x1b] = 'u',
    [0x1c] = 'u',  [0x1d] = 'u', [0x1e] = 'u', [0x1f] = 'u',
};

char *dmm_json_escape(char *buf, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char letter = escape_letter[c];
		if (!letter) {
			*buf++ = (char)c;
			continue;
		}
		*buf++ = '\\';
		*buf++ = letter;
		if (letter == 'u') {
			*buf++ = '0';
			*buf++ = '0';
			*buf++ = hex_lower[c >> 4];
			*buf++ = hex_lower[c & 15];
		}
	}
	return buf;
}

/* ---- keys ---- */

static unsigned key_slot(const struct dmm_json_keys *k, const char *abbrev)
{
	return (unsigned)(((uint64_t)(uintptr_t)abbrev * 0x9e3779b97f4a7c15ull) >> 40) & k->mask;
}

static int keys_grow(struct dmm_json_keys *k)
{
	unsigned mask = k->mask ? 2 * k->mask + 1 : 255;
	const char **slot_abbrev = calloc(mask + 1, sizeof(*slot_abbrev));
	struct dmm_json_key **slot_key = calloc(mask + 1, sizeof(*slot_key));
	if (!slot_abbrev || !slot_key) {
		free(slot_abbrev);
		free(slot_key);
		return -1;
	}
	struct dmm_json_keys grown = *k;
	grown.slot_abbrev = slot_abbrev;
	grown.slot_key = slot_key;
	grown.mask = mask;
	for (unsigned i = 0; k->slot_abbrev && i <= k->mask; i++) {
		if (!k->slot_abbrev[i])
			continue;
		unsigned s = key_slot(&grown, k->slot_abbrev[i]);
		while (slot_abbrev[s])
			s = (s + 1) & mask;
		slot_abbrev[s] = k->slot_abbrev[i];
		slot_key[s] = k->slot_key[i];
	}
	free(k->slot_abbrev);
	free(k->slot_key);
	*k = grown;
	return 0;
}

/* The key record of a string not seen under this pointer yet: an existing record with
 * the same text, or a new one. */
static struct dmm_json_key *key_record(struct dmm_json_keys *k, const char *abbrev)
{
	for (unsigned i = 0; i < k->n_all; i++)
		if (strcmp(k->all[i]->abbrev, abbrev) == 0)
			return k->all[i];
	if (dmm_out_grow(&k->all, &k->cap_all, k->n_all + 1, 64, sizeof(*k->all)) != 0)
		return NULL;
	size_t n = strlen(abbrev);
	struct dmm_json_key *key = malloc(sizeof(*key) + 6 * n + 3);
	if (!key)
		return NULL;
	key->abbrev = abbrev;
	char *q = key->quoted;
	*q++ = '"';
	q = dmm_json_escape(q, abbrev, n);
	*q++ = '"';
	*q++ = ':';
	key->quoted_len = (size_t)(q - key->quoted);
	if (key->quoted_len > k->max_quoted_len)
		k->max_quoted_len = key->quoted_len;
	k->all[k->n_all++] = key;
	return key;
}

static const struct dmm_json_key *key_of(struct dmm_json_keys *k, const char *abbrev)
{
	if (k->mask) {
		for (unsigned s = key_slot(k, abbrev);; s = (s + 1) & k->mask) {
			if (k->slot_abbrev[s] == abbrev)
				return k->slot_key[s];
			if (!k->slot_abbrev[s])
				break;
		}
	}
	if (2 * (k->used + 1) > k->mask && keys_grow(k) != 0)
		return NULL;
	struct dmm_json_key *key = key_record(k, abbrev);
	if (!key)
		return NULL;
	unsigned s = key_slot(k, abbrev);
	while (k->slot_abbrev[s])
		s = (s + 1) & k->mask;
	k->slot_abbrev[s] = abbrev;
	k->slot_key[s] = key;
	k->used++;
	return key;
}

static void keys_free(struct dmm_json_keys *k)
{
	for (unsigned i = 0; i < k->n_all; i++)
		free(k->all[i]);
	free(k->all);
	free(k->slot_abbrev);
	free(k->slot_key);
	memset(k, 0, sizeof(*k));
}

/* ---- building the packet ---- */

/* A new node (index), or 0 when out of memory (the packet is then dropped). */
static uint32_t new_node(struct dmm_json *j, const struct dmm_json_key *key, unsigned kind)
{
	if (j->n_nodes == UINT32_MAX ||
	    dmm_out_grow(&j->nodes, &j->nodes_cap, j->n_nodes + 1, 256, sizeof(*j->nodes)) != 0) {
		j->failed = 1;
		return 0;
	}
	uint32_t i = j->n_nodes++;
	struct dmm_json_node *n = &j->nodes[i];
	memset(n, 0, sizeof(*n));
	n->key = key;
	n->kind = (uint8_t)kind;
	return i;
}

/* The member of obj stored under key (its first occurrence), or 0. The first occurrences
 * of a key are chained from the latest; members are newer than their object. */
static uint32_t find_member(const struct dmm_json *j, uint32_t obj, const struct dmm_json_key *key)
{
	if (key->packet != j->packet)
		return 0;
	for (uint32_t h = key->last_head; h > obj; h = j->nodes[h].prev_head)
		if (j->nodes[h].parent == obj)
			return h;
	return 0;
}

/* Append node i (keyed) to the object obj, as an array element if the key is there. */
static void add_member(struct dmm_json *j, uint32_t obj, uint32_t i)
{
	struct dmm_json_node *n = &j->nodes[i];
	n->parent = obj;
	uint32_t head = find_member(j, obj, n->key);
	struct dmm_json_node *o = &j->nodes[obj];
	if (head) {
		struct dmm_json_node *h = &j->nodes[head];
		j->nodes[h->last_same ? h->last_same : head].next_same = i;
		h->last_same = i;
		n->head = head;
		if (j->nodes[o->obj.last_emitted].key != n->key)
			o->interleaved = 1;
	} else {
		struct dmm_json_key *key = (struct dmm_json_key *)n->key;
		n->head = i;
		n->prev_head = key->packet == j->packet ? key->last_head : 0;
		key->packet = j->packet;
		key->last_head = i;
		if (o->obj.last)
			j->nodes[o->obj.last].next = i;
		else
			o->obj.first = i;
		o->obj.last = i;
	}
	if (o->obj.last_emitted)
		j->nodes[o->obj.last_emitted].next_emitted = i;
	else
		o->obj.first_emitted = i;
	o->obj.last_emitted = i;
}

/* json-c's json_object_object_add on an existing key: the value is replaced in place
 * (every occurrence of it); otherwise it is added last. Node i is not an emitted member. */
static void set_member(struct dmm_json *j, uint32_t obj, uint32_t i)
{
	struct dmm_json_node *n = &j->nodes[i];
	uint32_t head = find_member(j, obj, n->key);
	if (head) {
		struct dmm_json_node *h = &j->nodes[head];
		h->kind = n->kind;
		h->interleaved = n->interleaved;
		h->obj = n->obj; /* the largest member of the union */
		h->next_same = h->last_same = 0;
		return;
	}
	n->parent = obj;
	struct dmm_json_node *o = &j->nodes[obj];
	if (o->obj.last)
		j->nodes[o->obj.last].next = i;
	else
		o->obj.first = i;
	o->obj.last = i;
}

/* An object is finished when it closes (or at the end of the packet): its "dmm.order". */
static void finish_object(struct dmm_json *j, uint32_t obj)
{
	if (!j->nodes[obj].interleaved || !j->order_key)
		return;
	uint32_t order = new_node(j, j->order_key, JSON_NODE_ORDER);
	if (!order)
		return;
	j->nodes[order].obj.first = obj;
	set_member(j, obj, order);
}

static int reserve_text(struct dmm_json *j, size_t more)
{
	/* never empty: a string may be copied in while the buffer is still unallocated */
	if (j->text_len + more >= UINT32_MAX ||
	    dmm_out_grow(&j->text, &j->text_cap, j->text_len + more + 1, 4096, 1) != 0) {
		j->failed = 1; /* string offsets are 32-bit */
		return -1;
	}
	return 0;
}

/* A string node holding s (n bytes). */
static uint32_t new_string(struct dmm_json *j, const struct dmm_json_key *key, const char *s,
                           size_t n)
{
	if (reserve_text(j, n) != 0)
		return 0;
	uint32_t i = new_node(j, key, JSON_NODE_STRING);
	if (!i)
		return 0;
	memcpy(j->text + j->text_len, s, n);
	j->nodes[i].str.off = (uint32_t)j->text_len;
	j->nodes[i].str.len = (uint32_t)n;
	j->text_len += n;
	return i;
}

static void json_open(void *ctx, const struct dmm_field *f, const char *label)
{
	struct dmm_json *j = ctx;
	if (!j->active || j->failed)
		return;
	if (j->depth >= DMM_OUT_MAX_DEPTH) {
		j->overflow++;
		return;
	}
	const struct dmm_json_key *key = key_of(&j->keys, f->abbrev);
	uint32_t i = key ? new_node(j, key, JSON_NODE_OBJECT) : 0;
	if (!i) {
		j->failed = 1;
		return;
	}
	add_member(j, j->stack[j->depth], i);
	j->stack[++j->depth] = i;
}

static void json_close(void *ctx)
{
	struct dmm_json *j = ctx;
	if (!j->active || j->failed)
		return;
	if (j->overflow)
		j->overflow--;
	else if (j->depth > 0)
		finish_object(j, j->stack[j->depth--]);
}

static void json_value(void *ctx, const struct dmm_field *f, const struct dmm_value *v)
{
	struct dmm_json *j = ctx;
	if (!j->active || j->failed)
		return;
	const struct dmm_json_key *key = key_of(&j->keys, f->abbrev);
	uint32_t i = 0;
	if (!key) {
		j->failed = 1;
	} else if (f->type == DMM_FT_UINT || f->type == DMM_FT_BOOL) {
		i = new_node(j, key, JSON_NODE_INTEGER);
		if (i)
			j->nodes[i].u = f->type == DMM_FT_BOOL ? (v->u ? 1 : 0) : v->u;
	} else if (reserve_text(j, dmm_out_value_bound(f, v)) == 0) {
		i = new_node(j, key, JSON_NODE_STRING);
		if (i) {
			size_t n = dmm_out_format_value(f, v, j->text + j->text_len,
			                                j->text_cap - j->text_len);
			j->nodes[i].str.off = (uint32_t)j->text_len;
			j->nodes[i].str.len = (uint32_t)n;
			j->text_len += n;
		}
	}
	if (i)
		add_member(j, j->stack[j->depth], i);
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
	free(j->nodes);
	free(j->text);
	free(j->line);
	keys_free(&j->keys);
	FILE *fp = j->fp;
	dmm_json_init(j, fp);
}

void dmm_json_begin_packet(struct dmm_json *j, const struct dmm_frame *fr)
{
	if (++j->packet == 0) { /* wrapped: no key may look seen in this packet */
		for (unsigned i = 0; i < j->keys.n_all; i++)
			j->keys.all[i]->packet = 0;
		j->packet = 1;
	}
	j->n_nodes = 0;
	j->text_len = 0;
	j->failed = 0;
	j->depth = 0;
	j->overflow = 0;
	j->errors_len = 0;
	j->errors[0] = 0;
	j->stack[0] = ROOT;
	j->active = 1;
	if (!j->order_key)
		j->order_key = key_of(&j->keys, DMM_JSON_ORDER_KEY);
	if (!j->error_key)
		j->error_key = key_of(&j->keys, DMM_FIELD_ERROR->abbrev);
	if (!j->order_key || !j->error_key || new_node(j, NULL, JSON_NODE_OBJECT) != ROOT)
		j->failed = 1;
}

/* Close what is still open, then add "dmm.error"; 0 if the packet is complete. */
static int finish_packet(struct dmm_json *j)
{
	if (!j->active)
		return -1;
	j->active = 0;
	if (j->failed)
		return -1;
	for (unsigned d = j->depth + 1; d-- > 0;) /* objects left open, then the top level */
		finish_object(j, j->stack[d]);
	j->depth = 0;
	uint32_t errors = new_string(j, j->error_key, j->errors, j->errors_len);
	if (!errors)
		return -1;
	set_member(j, ROOT, errors);
	return j->failed ? -1 : 0;
}

/* ---- text ---- */

/* Bytes the packet's text needs at most: every string escaped 6 bytes for 1, every node
 * (twice: once as a member, once in a "dmm.order") with its key, punctuation, 20 digits. */
static size_t line_bound(const struct dmm_json *j)
{
	return 6 * j->text_len + 2 * (size_t)j->n_nodes * (j->keys.max_quoted_len + 32) + 64;
}

static char *put_mem(char *q, const char *s, size_t n)
{
	memcpy(q, s, n);
	return q + n;
}

static char *put_integer(char *q, uint64_t u)
{
	char tmp[24];
	char *end = tmp + sizeof(tmp), *p = end;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	return put_mem(q, p, (size_t)(end - p));
}

static char *put_object(const struct dmm_json *j, uint32_t obj, char *q);

/* The keys of obj's members in emission order, as strings. */
static char *put_order(const struct dmm_json *j, uint32_t obj, char *q)
{
	*q++ = '[';
	for (uint32_t m = j->nodes[obj].obj.first_emitted; m; m = j->nodes[m].next_emitted) {
		if (m != j->nodes[obj].obj.first_emitted)
			*q++ = ',';
		const struct dmm_json_key *k = j->nodes[m].key;
		q = put_mem(q, k->quoted, k->quoted_len - 1); /* without the ':' */
	}
	*q++ = ']';
	return q;
}

static char *put_node(const struct dmm_json *j, uint32_t i, char *q)
{
	const struct dmm_json_node *n = &j->nodes[i];
	switch (n->kind) {
	case JSON_NODE_OBJECT:
		return put_object(j, i, q);
	case JSON_NODE_STRING:
		*q++ = '"';
		q = dmm_json_escape(q, j->text + n->str.off, n->str.len);
		*q++ = '"';
		return q;
	case JSON_NODE_INTEGER:
		return put_integer(q, n->u);
	case JSON_NODE_ORDER:
		return put_order(j, n->obj.first, q);
	}
	return q;
}

static char *put_object(const struct dmm_json *j, uint32_t obj, char *q)
{
	*q++ = '{';
	for (uint32_t m = j->nodes[obj].obj.first; m; m = j->nodes[m].next) {
		const struct dmm_json_node *n = &j->nodes[m];
		if (m != j->nodes[obj].obj.first)
			*q++ = ',';
		q = put_mem(q, n->key->quoted, n->key->quoted_len);
		if (!n->next_same) {
			q = put_node(j, m, q);
			continue;
		}
		*q++ = '[';
		for (uint32_t o = m; o; o = j->nodes[o].next_same) {
			if (o != m)
				*q++ = ',';
			q = put_node(j, o, q);
		}
		*q++ = ']';
	}
	*q++ = '}';
	return q;
}

void dmm_json_end_packet(struct dmm_json *j)
{
	if (finish_packet(j) != 0)
		return;
	if (dmm_out_grow(&j->line, &j->line_cap, line_bound(j), 8192, 1) != 0)
		return;
	char *q = put_object(j, ROOT, j->line);
	*q++ = '\n';
	fwrite_unlocked(j->line, 1, (size_t)(q - j->line), j->fp);
}

/* ---- json-c objects ---- */

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

static struct json_object *object_of(const struct dmm_json *j, uint32_t obj);

static struct json_object *value_of(const struct dmm_json *j, uint32_t i)
{
	const struct dmm_json_node *n = &j->nodes[i];
	switch (n->kind) {
	case JSON_NODE_OBJECT:
		return object_of(j, i);
	case JSON_NODE_STRING:
		return json_object_new_string_len(j->text + n->str.off, (int)n->str.len);
	case JSON_NODE_INTEGER:
		return new_integer(n->u);
	case JSON_NODE_ORDER: {
		struct json_object *order = json_object_new_array();
		for (uint32_t m = j->nodes[n->obj.first].obj.first_emitted; m && order;
		     m = j->nodes[m].next_emitted)
			json_object_array_add(order,
			                      json_object_new_string(j->nodes[m].key->abbrev));
		return order;
	}
	}
	return NULL;
}

static struct json_object *object_of(const struct dmm_json *j, uint32_t obj)
{
	struct json_object *o = json_object_new_object();
	for (uint32_t m = j->nodes[obj].obj.first; m && o; m = j->nodes[m].next) {
		struct json_object *val;
		if (!j->nodes[m].next_same) {
			val = value_of(j, m);
		} else {
			val = json_object_new_array();
			for (uint32_t k = m; k && val; k = j->nodes[k].next_same)
				json_object_array_add(val, value_of(j, k));
		}
		json_object_object_add_ex(o, j->nodes[m].key->abbrev, val,
		                          JSON_C_OBJECT_KEY_IS_CONSTANT |
		                              JSON_C_OBJECT_ADD_KEY_IS_NEW);
	}
	return o;
}

struct json_object *dmm_json_take_packet(struct dmm_json *j)
{
	if (finish_packet(j) != 0)
		return NULL;
	return object_of(j, ROOT);
}

DMM_BACKEND(json);
