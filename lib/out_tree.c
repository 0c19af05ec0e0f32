/* Tree output backend (-V): indented node labels, "Name: value" lines and "[Error: ...]" lines.
 *
 * Each packet is built in one buffer (t->text) and written with a single fwrite
 * at end_packet. The buffer starts with a size_t holding the bytes used. */
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
static char *reserve(struct dmm_tree *t, size_t need)
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

static void commit(struct dmm_tree *t, const char *end)
{
	*used_len(t) = (size_t)(end - (t->text + TREE_HDR));
}

static char *put_indent(struct dmm_tree *t, char *p)
{
	size_t n = (size_t)t->depth * TREE_INDENT;
	memset(p, ' ', n);
	return p + n;
}

static char *put_mem(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

static char *put_decimal(char *p, uint64_t u)
{
	char tmp[24];
	char *q = tmp + sizeof(tmp);
	do {
		*--q = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	return put_mem(p, q, (size_t)(tmp + sizeof(tmp) - q));
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
	put_line(t, s, strlen(s));
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
	if ((f->type == DMM_FT_UINT || f->type == DMM_FT_HEX) && f->vals &&
	    (vname = dmm_val_name(f->vals, (uint32_t)v->u)) != NULL)
		vname_len = strlen(vname);
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
		p = put_decimal(p, v->u);
		*p++ = ')';
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
		flush_text(t);
	} else {
		flush_text(t);
		putc_unlocked('\n', t->fp);
	}
}

DMM_BACKEND(tree);
