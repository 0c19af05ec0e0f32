/* Tree output backend (-V): indented node labels, "Name: value" lines and "[Error: ...]" lines. */
#include "out.h"

#include <stdlib.h>
#include <string.h>

#define TREE_INDENT 4

static void put_indent(struct dmm_tree *t)
{
	static const char spaces[] =
	    "                                                                ";
	size_t n = (size_t)t->depth * TREE_INDENT;
	while (n > 0) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
		fwrite_unlocked(spaces, 1, k, t->fp);
		n -= k;
	}
}

static void put_string(struct dmm_tree *t, const char *s)
{
	fputs_unlocked(s, t->fp);
}

static void tree_open(void *ctx, const struct dmm_field *f, const char *label)
{
	struct dmm_tree *t = ctx;
	put_indent(t);
	put_string(t, label ? label : f->name);
	putc_unlocked('\n', t->fp);
	t->depth++;
}

static void tree_close(void *ctx)
{
	struct dmm_tree *t = ctx;
	if (t->depth > 0)
		t->depth--;
}

static int reserve_text(struct dmm_tree *t, size_t need)
{
	if (need <= t->text_cap)
		return 0;
	size_t cap = t->text_cap ? t->text_cap : 512;
	while (cap < need)
		cap *= 2;
	char *text = realloc(t->text, cap);
	if (!text)
		return -1;
	t->text = text;
	t->text_cap = cap;
	return 0;
}

static void tree_value(void *ctx, const struct dmm_field *f, const struct dmm_value *v)
{
	struct dmm_tree *t = ctx;
	put_indent(t);
	put_string(t, f->name);
	if (f->type != DMM_FT_NODE) {
		size_t n = 0;
		if (reserve_text(t, dmm_out_value_bound(f, v)) == 0)
			n = f->vals ? dmm_format_display(f, v, t->text, t->text_cap)
			            : dmm_out_format_value(f, v, t->text, t->text_cap);
		fwrite_unlocked(": ", 1, 2, t->fp);
		fwrite_unlocked(t->text, 1, n, t->fp);
	}
	putc_unlocked('\n', t->fp);
}

static void tree_error(void *ctx, const char *msg)
{
	struct dmm_tree *t = ctx;
	put_indent(t);
	put_string(t, "[Error: ");
	put_string(t, msg);
	fwrite_unlocked("]\n", 1, 2, t->fp);
}

const struct dmm_out_ops dmm_tree_ops = {
    .open = tree_open,
    .close = tree_close,
    .value = tree_value,
    .error = tree_error,
};

void dmm_tree_init(struct dmm_tree *t, FILE *fp)
{
	memset(t, 0, sizeof(*t));
	t->fp = fp;
}

void dmm_tree_free(struct dmm_tree *t)
{
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
	putc_unlocked('\n', t->fp);
}

static void tree_begin_packet(void *ctx, const struct dmm_frame *fr)
{
	dmm_tree_begin_packet(ctx, fr);
}

static void tree_end_packet(void *ctx)
{
	dmm_tree_end_packet(ctx);
}

const struct dmm_backend dmm_tree_backend = {
    .name = "tree",
    .ops = &dmm_tree_ops,
    .begin_packet = tree_begin_packet,
    .end_packet = tree_end_packet,
};
