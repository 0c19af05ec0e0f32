/* Tree output backend (-V): indented node labels, "Name: value" lines and "[Error: ...]" lines.
 *
 * Each packet is built in one buffer (t->text) and written with a single fwrite
 * at end_packet, or, with t->block set, once the buffer holds t->block bytes of
 * finished packets. The buffer starts with a size_t holding the bytes used. */
#include "out.h"

#include <stdlib.h>
#include <string.h>

#define TREE_INDENT 4
#define TREE_HDR sizeof(size_t)

static size_t *used_len(struct dmm_tree *t)
{
	return (size_t *)(void *)t->text;
}

/* Make room for need more bytes; returns the write position or NULL. */
static __attribute__((noinline)) char *reserve_grow(struct dmm_tree *t, size_t need)
{
	size_t len = t->text ? *used_len(t) : 0;
	size_t total = TREE_HDR + len + need;
	int fresh = !t->text;
	if (dmm_out_grow(&t->text, &t->text_cap, total, 4096, 1) != 0)
		return NULL;
	if (fresh)
		*used_len(t) = 0;
	return t->text + TREE_HDR + len;
}

static inline char *reserve(struct dmm_tree *t, size_t need)
{
	if (t->text && TREE_HDR + *used_len(t) + need <= t->text_cap)
		return t->text + TREE_HDR + *used_len(t);
	return reserve_grow(t, need);
}

static void commit(struct dmm_tree *t, const char *end)
{
	*used_len(t) = (size_t)(end - (t->text + TREE_HDR));
}

static char *put_indent(struct dmm_tree *t, char *p)
{
	for (unsigned i = 0; i < t->depth; i++, p += TREE_INDENT)
		memcpy(p, "    ", TREE_INDENT);
	return p;
}

/* Copy n bytes (names and labels: mostly short, copied inline in overlapping chunks). */
static inline __attribute__((always_inline)) char *put_mem(char *p, const char *s, size_t n)
{
	char *end = p + n;
	if (n > 64) {
		memcpy(p, s, n);
	} else if (n >= 8) {
		for (; n > 8; n -= 8, p += 8, s += 8)
			memcpy(p, s, 8);
		memcpy(end - 8, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(p, s, 4);
		memcpy(end - 4, s + n - 4, 4);
	} else if (n) {
		p[0] = s[0];
		p[n / 2] = s[n / 2];
		end[-1] = s[n - 1];
	}
	return end;
}

/* dmm_val_name with the name's length, through the tree's cache. */
static const char *val_name(struct dmm_tree *t, const struct dmm_vals *vals, uint32_t value,
                            size_t *len)
{
	unsigned slot =
	    (unsigned)((((uint64_t)(uintptr_t)vals ^ value) * 0x9e3779b97f4a7c15ull) >> 40) %
	    DMM_TREE_VAL_NAME_SLOTS;
	struct dmm_tree_val_name *e = &t->val_names[slot];
	if (e->vals != vals || e->value != value) {
		e->vals = vals;
		e->value = value;
		e->name = dmm_val_name(vals, value);
		e->len = e->name ? (uint32_t)strlen(e->name) : 0;
	}
	*len = e->len;
	return e->name;
}

/* "0x" and width (<= 32) or more lowercase hex digits, as dmm_out_format_value */
static char *put_hex(char *p, uint64_t u, unsigned width)
{
	static const char digits[] = "0123456789abcdef";
	unsigned n = 1;
	for (uint64_t rest = u >> 4; rest; rest >>= 4)
		n++;
	if (width > 32)
		width = 32;
	if (n < width)
		n = width;
	*p++ = '0';
	*p++ = 'x';
	for (unsigned i = n; i-- > 0;)
		*p++ = i < 16 ? digits[(u >> (4 * i)) & 15] : '0';
	return p;
}

/* One line holding s (n bytes) at the current depth. */
static void put_line(struct dmm_tree *t, const char *s, size_t n)
{
	char *p = reserve(t, (size_t)t->depth * TREE_INDENT + n + 1);
	if (!p)
		return;
	p = put_indent(t, p);
	p = put_mem(p, s, n);
	*p++ = '\n';
	commit(t, p);
}

static void tree_open(void *ctx, const struct dmm_field *f, const char *label)
{
	struct dmm_tree *t = ctx;
	const char *s = label ? label : f->name;
	put_line(t, s, s == f->name ? dmm_field_facts(t->facts, f)->name_len : strlen(s));
	t->depth++;
}

static void tree_close(void *ctx)
{
	struct dmm_tree *t = ctx;
	if (t->depth > 0)
		t->depth--;
}

static void tree_value(void *ctx, const struct dmm_field *f, const struct dmm_value *v)
{
	struct dmm_tree *t = ctx;
	size_t name_len = dmm_field_facts(t->facts, f)->name_len;
	if (f->type == DMM_FT_NODE) {
		put_line(t, f->name, name_len);
		return;
	}
	const char *vname = NULL;
	size_t vname_len = 0;
	if ((f->type == DMM_FT_UINT || f->type == DMM_FT_HEX) && f->vals)
		vname = val_name(t, f->vals, (uint32_t)v->u, &vname_len);
	size_t bound = dmm_out_value_bound(f, v) + vname_len;
	char *p = reserve(t, (size_t)t->depth * TREE_INDENT + name_len + 2 + bound + 1);
	if (!p)
		return;
	p = put_indent(t, p);
	p = put_mem(p, f->name, name_len);
	*p++ = ':';
	*p++ = ' ';
	if (vname) {
		/* "%s (%llu)" */
		p = put_mem(p, vname, vname_len);
		*p++ = ' ';
		*p++ = '(';
		p = dmm_put_decimal(p, v->u);
		*p++ = ')';
	} else if (f->type == DMM_FT_UINT) {
		p = dmm_put_decimal(p, v->u);
	} else if (f->type == DMM_FT_BOOL) {
		*p++ = v->u ? '1' : '0';
	} else if (f->type == DMM_FT_HEX || f->type == DMM_FT_HEX64) {
		p = put_hex(p, v->u, f->type == DMM_FT_HEX64 ? 16 : f->width);
	} else {
		p += dmm_out_format_value(f, v, p, bound);
	}
	*p++ = '\n';
	commit(t, p);
}

static void tree_error(void *ctx, const char *msg)
{
	struct dmm_tree *t = ctx;
	size_t n = strlen(msg);
	char *p = reserve(t, (size_t)t->depth * TREE_INDENT + n + 10);
	if (!p)
		return;
	p = put_indent(t, p);
	p = put_mem(p, "[Error: ", 8);
	p = put_mem(p, msg, n);
	*p++ = ']';
	*p++ = '\n';
	commit(t, p);
}

const struct dmm_out_ops dmm_tree_ops = {
    .open = tree_open,
    .close = tree_close,
    .value = tree_value,
    .error = tree_error,
};

/* Write what the packet buffer holds. */
static void flush_text(struct dmm_tree *t)
{
	if (!t->text)
		return;
	size_t n = *used_len(t);
	if (n)
		fwrite_unlocked(t->text + TREE_HDR, 1, n, t->fp);
	*used_len(t) = 0;
}

void dmm_tree_init(struct dmm_tree *t, FILE *fp)
{
	memset(t, 0, sizeof(*t));
	t->fp = fp;
}

void dmm_tree_flush(struct dmm_tree *t)
{
	flush_text(t);
}

void dmm_tree_free(struct dmm_tree *t)
{
	flush_text(t); /* a packet left unfinished is written as before */
	free(t->text);
	t->text = NULL;
	t->text_cap = 0;
}

void dmm_tree_begin_packet(struct dmm_tree *t, const struct dmm_frame *fr)
{
	t->depth = 0;
}

void dmm_tree_end_packet(struct dmm_tree *t)
{
	char *p = reserve(t, 1);
	if (p) {
		*p++ = '\n';
		commit(t, p);
		if (*used_len(t) >= t->block)
			flush_text(t);
	} else {
		flush_text(t);
		putc_unlocked('\n', t->fp);
	}
}

DMM_BACKEND(tree);
