/* Fields output backend (-T fields, -E options), -G fields and fast value formatting. */
#include "out.h"

#include <stdlib.h>
#include <string.h>

/* ---- printf-free formatting of the common value kinds ---- */

static const char hex_digits[] = "0123456789abcdef";

/* Decimal digits of u at the end of tmp[0..20); returns the first digit. */
static char *format_decimal(uint64_t u, char *end)
{
	char *p = end;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	return p;
}

static char *format_ipv4(const uint8_t *a, char *q)
{
	for (int i = 0; i < 4; i++) {
		unsigned o = a[i];
		if (o >= 100)
			*q++ = (char)('0' + o / 100);
		if (o >= 10)
			*q++ = (char)('0' + o / 10 % 10);
		*q++ = (char)('0' + o % 10);
		*q++ = '.';
	}
	return q - 1;
}

/* Same text as glibc inet_ntop(AF_INET6): the first longest run of two or more
 * zero groups becomes "::", IPv4-compatible and -mapped forms end in dotted quad. */
static char *format_ipv6(const uint8_t *a, char *q)
{
	unsigned words[8];
	int best_base = -1, best_len = 0, cur_base = -1, cur_len = 0;
	for (int i = 0; i < 8; i++) {
		words[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		if (words[i] == 0) {
			if (cur_base < 0) {
				cur_base = i;
				cur_len = 1;
			} else {
				cur_len++;
			}
		} else if (cur_base >= 0) {
			if (best_base < 0 || cur_len > best_len) {
				best_base = cur_base;
				best_len = cur_len;
			}
			cur_base = -1;
		}
	}
	if (cur_base >= 0 && (best_base < 0 || cur_len > best_len)) {
		best_base = cur_base;
		best_len = cur_len;
	}
	if (best_base >= 0 && best_len < 2)
		best_base = -1;
	for (int i = 0; i < 8; i++) {
		if (best_base >= 0 && i >= best_base && i < best_base + best_len) {
			if (i == best_base)
				*q++ = ':';
			continue;
		}
		if (i != 0)
			*q++ = ':';
		if (i == 6 && best_base == 0 &&
		    (best_len == 6 || (best_len == 5 && words[5] == 0xffff)))
			return format_ipv4(a + 12, q);
		unsigned w = words[i];
		int started = 0;
		for (int shift = 12; shift >= 0; shift -= 4) {
			unsigned digit = (w >> shift) & 15;
			if (digit || started || shift == 0) {
				*q++ = hex_digits[digit];
				started = 1;
			}
		}
	}
	if (best_base >= 0 && best_base + best_len == 8)
		*q++ = ':';
	return q;
}

static size_t copy_out(const char *src, size_t n, char *buf, size_t size)
{
	if (n >= size)
		n = size - 1;
	memcpy(buf, src, n);
	buf[n] = 0;
	return n;
}

size_t dmm_out_format_value(const struct dmm_field *f, const struct dmm_value *v, char *buf,
                            size_t size)
{
	char tmp[64];
	char *end = tmp + sizeof(tmp);
	char *p;

	if (size == 0)
		return 0;
	switch (f->type) {
	case DMM_FT_UINT:
		p = format_decimal(v->u, end);
		return copy_out(p, (size_t)(end - p), buf, size);
	case DMM_FT_BOOL:
		return copy_out(v->u ? "1" : "0", 1, buf, size);
	case DMM_FT_HEX:
	case DMM_FT_HEX64: {
		unsigned width = f->type == DMM_FT_HEX64 ? 16 : f->width;
		uint64_t u = v->u;
		unsigned digits = 0;
		p = end;
		do {
			*--p = hex_digits[u & 15];
			u >>= 4;
			digits++;
		} while (u);
		if (width > 32)
			width = 32;
		while (digits < width) {
			*--p = '0';
			digits++;
		}
		*--p = 'x';
		*--p = '0';
		return copy_out(p, (size_t)(end - p), buf, size);
	}
	case DMM_FT_IPV4:
		if (v->len != 4)
			break;
		return copy_out(tmp, (size_t)(format_ipv4(v->ptr, tmp) - tmp), buf, size);
	case DMM_FT_IPV6:
		if (v->len != 16)
			break;
		return copy_out(tmp, (size_t)(format_ipv6(v->ptr, tmp) - tmp), buf, size);
	case DMM_FT_PREFIX4:
	case DMM_FT_PREFIX6: {
		if (v->len != (f->type == DMM_FT_PREFIX4 ? 4u : 16u))
			break;
		char text[64];
		char *q = f->type == DMM_FT_PREFIX4 ? format_ipv4(v->ptr, text)
		                                    : format_ipv6(v->ptr, text);
		*q++ = '/';
		p = format_decimal(v->plen, end);
		memcpy(q, p, (size_t)(end - p));
		q += end - p;
		return copy_out(text, (size_t)(q - text), buf, size);
	}
	default:
		break;
	}
	return dmm_format_value(f, v, buf, size);
}

/* ---- -G fields ---- */

const char *dmm_ftype_name(unsigned type)
{
	switch (type) {
	case DMM_FT_NODE:
		return "FT_NONE";
	case DMM_FT_UINT:
	case DMM_FT_HEX:
	case DMM_FT_HEX64:
		return "FT_UINT64";
	case DMM_FT_BOOL:
		return "FT_BOOLEAN";
	case DMM_FT_IPV4:
		return "FT_IPv4";
	case DMM_FT_IPV6:
		return "FT_IPv6";
	case DMM_FT_ETHER:
		return "FT_ETHER";
	case DMM_FT_BYTES:
		return "FT_BYTES";
	case DMM_FT_STRING:
		return "FT_STRING";
	case DMM_FT_PREFIX4:
		return "FT_IPv4_PREFIX";
	case DMM_FT_PREFIX6:
		return "FT_IPv6_PREFIX";
	}
	return "FT_UNKNOWN";
}

static const char *ftype_base(unsigned type)
{
	switch (type) {
	case DMM_FT_UINT:
		return "BASE_DEC";
	case DMM_FT_HEX:
	case DMM_FT_HEX64:
		return "BASE_HEX";
	case DMM_FT_BOOL:
		return "8";
	default:
		return "BASE_NONE";
	}
}

static void list_field(const struct dmm_field *f, void *arg)
{
	FILE *fp = arg;
	const char *dot = strchr(f->abbrev, '.');
	if (f->type == DMM_FT_NODE && !dot) {
		fprintf(fp, "P\t%s\t%s\n", f->name, f->abbrev);
		return;
	}
	int proto_len = dot ? (int)(dot - f->abbrev) : (int)strlen(f->abbrev);
	fprintf(fp, "F\t%s\t%s\t%s\t%.*s\t%s\t0x0\t\n", f->name, f->abbrev, dmm_ftype_name(f->type),
	        proto_len, f->abbrev, ftype_base(f->type));
}

void dmm_list_fields(FILE *fp)
{
	dmm_fields_foreach(list_field, fp);
}

/* ---- -E options ---- */

void dmm_fields_options_default(struct dmm_fields_options *o)
{
	o->separator = '\t';
	o->aggregator = ',';
	o->quote = 0;
	o->header = 0;
	o->occurrence = DMM_OCCURRENCE_ALL;
}

/* "/t", "/s" or a single character. */
static int parse_char_option(const char *s, char *out)
{
	if (strcmp(s, "/t") == 0)
		*out = '\t';
	else if (strcmp(s, "/s") == 0)
		*out = ' ';
	else if (s[0] && !s[1])
		*out = s[0];
	else
		return -1;
	return 0;
}

int dmm_fields_options_parse(struct dmm_fields_options *o, const char *spec)
{
	const char *eq = strchr(spec, '=');
	if (!eq)
		return -1;
	size_t klen = (size_t)(eq - spec);
	const char *val = eq + 1;
#define KEY_IS(k) (klen == sizeof(k) - 1 && memcmp(spec, k, klen) == 0)
	if (KEY_IS("header")) {
		if (strcmp(val, "y") == 0)
			o->header = 1;
		else if (strcmp(val, "n") == 0)
			o->header = 0;
		else
			return -1;
	} else if (KEY_IS("separator")) {
		return parse_char_option(val, &o->separator);
	} else if (KEY_IS("aggregator")) {
		return parse_char_option(val, &o->aggregator);
	} else if (KEY_IS("occurrence")) {
		if (strcmp(val, "a") == 0)
			o->occurrence = DMM_OCCURRENCE_ALL;
		else if (strcmp(val, "f") == 0)
			o->occurrence = DMM_OCCURRENCE_FIRST;
		else if (strcmp(val, "l") == 0)
			o->occurrence = DMM_OCCURRENCE_LAST;
		else
			return -1;
	} else if (KEY_IS("quote")) {
		if (strcmp(val, "d") == 0)
			o->quote = '"';
		else if (strcmp(val, "s") == 0)
			o->quote = '\'';
		else if (strcmp(val, "n") == 0)
			o->quote = 0;
		else
			return -1;
	} else {
		return -1;
	}
#undef KEY_IS
	return 0;
}

/* ---- fields backend ---- */

static unsigned slot_of(const struct dmm_fields *x, const struct dmm_field *f)
{
	return (unsigned)(((uint64_t)(uintptr_t)f * 0x9e3779b97f4a7c15ull) >> x->slot_shift) &
	       x->slot_mask;
}

static int first_column_of(const struct dmm_fields *x, const struct dmm_field *f)
{
	for (unsigned i = slot_of(x, f);; i = (i + 1) & x->slot_mask) {
		if (x->slot_field[i] == f)
			return x->slot_column[i];
		if (!x->slot_field[i])
			return -1;
	}
}

static int column_reserve(struct dmm_fields_column *c, size_t more)
{
	if (c->len + more <= c->cap)
		return 0;
	size_t cap = c->cap ? c->cap : 64;
	while (cap < c->len + more)
		cap *= 2;
	char *text = realloc(c->text, cap);
	if (!text)
		return -1;
	c->text = text;
	c->cap = cap;
	return 0;
}

/* Start a new occurrence in c; returns 0 if it is to be written. */
static int column_start_occurrence(struct dmm_fields *x, struct dmm_fields_column *c)
{
	if (c->count > 0) {
		if (x->opt.occurrence == DMM_OCCURRENCE_FIRST)
			return -1;
		if (x->opt.occurrence == DMM_OCCURRENCE_LAST)
			c->len = 0;
		else if (column_reserve(c, 1) == 0)
			c->text[c->len++] = x->opt.aggregator;
	}
	c->count++;
	return 0;
}

static void column_append_value(struct dmm_fields *x, struct dmm_fields_column *c,
                                const struct dmm_field *f, const struct dmm_value *v)
{
	if (column_start_occurrence(x, c) != 0)
		return;
	size_t bound = dmm_out_value_bound(f, v);
	if (column_reserve(c, bound) != 0)
		return;
	c->len += dmm_out_format_value(f, v, c->text + c->len, c->cap - c->len);
}

static void column_append_text(struct dmm_fields *x, struct dmm_fields_column *c, const char *s)
{
	if (column_start_occurrence(x, c) != 0)
		return;
	size_t n = strlen(s);
	if (column_reserve(c, n) != 0)
		return;
	memcpy(c->text + c->len, s, n);
	c->len += n;
}

static void fields_value(void *ctx, const struct dmm_field *f, const struct dmm_value *v)
{
	struct dmm_fields *x = ctx;
	for (int i = first_column_of(x, f); i >= 0; i = x->columns[i].next_same)
		column_append_value(x, &x->columns[i], f, v);
}

static void fields_error(void *ctx, const char *msg)
{
	struct dmm_fields *x = ctx;
	for (int i = x->error_column; i >= 0; i = x->columns[i].next_same)
		column_append_text(x, &x->columns[i], msg);
}

const struct dmm_out_ops dmm_fields_ops = {
    .open = NULL,
    .close = NULL,
    .value = fields_value,
    .error = fields_error,
};

static void write_quoted(struct dmm_fields *x, const char *s, size_t n)
{
	if (x->opt.quote)
		putc_unlocked(x->opt.quote, x->fp);
	fwrite_unlocked(s, 1, n, x->fp);
	if (x->opt.quote)
		putc_unlocked(x->opt.quote, x->fp);
}

int dmm_fields_init(struct dmm_fields *x, FILE *fp, const char *const *names, unsigned n,
                    const struct dmm_fields_options *opt, const char **unknown)
{
	memset(x, 0, sizeof(*x));
	x->fp = fp;
	x->error_column = -1;
	if (opt)
		x->opt = *opt;
	else
		dmm_fields_options_default(&x->opt);

	unsigned bits = 4;
	while ((1u << bits) < 2 * n + 2)
		bits++;
	x->slot_mask = (1u << bits) - 1;
	x->slot_shift = 64 - bits;
	x->columns = calloc(n ? n : 1, sizeof(*x->columns));
	x->slot_field = calloc(x->slot_mask + 1, sizeof(*x->slot_field));
	x->slot_column = calloc(x->slot_mask + 1, sizeof(*x->slot_column));
	if (!x->columns || !x->slot_field || !x->slot_column) {
		dmm_fields_free(x);
		return -1;
	}

	for (unsigned i = 0; i < n; i++) {
		const struct dmm_field *f = dmm_field_find(names[i]);
		if (!f) {
			if (unknown)
				*unknown = names[i];
			dmm_fields_free(x);
			return -1;
		}
		struct dmm_fields_column *c = &x->columns[i];
		c->field = f;
		c->name = names[i];
		c->next_same = -1;
		x->n_columns = i + 1;
		/* chain after the last column with the same field, or take a slot */
		int prev = first_column_of(x, f);
		if (prev >= 0) {
			while (x->columns[prev].next_same >= 0)
				prev = x->columns[prev].next_same;
			x->columns[prev].next_same = (int)i;
		} else {
			unsigned s = slot_of(x, f);
			while (x->slot_field[s])
				s = (s + 1) & x->slot_mask;
			x->slot_field[s] = f;
			x->slot_column[s] = (int)i;
			if (f == DMM_FIELD_ERROR)
				x->error_column = (int)i;
		}
	}

	if (x->opt.header) {
		for (unsigned i = 0; i < n; i++) {
			if (i)
				putc_unlocked(x->opt.separator, fp);
			write_quoted(x, names[i], strlen(names[i]));
		}
		putc_unlocked('\n', fp);
	}
	return 0;
}

void dmm_fields_free(struct dmm_fields *x)
{
	if (x->columns)
		for (unsigned i = 0; i < x->n_columns; i++)
			free(x->columns[i].text);
	free(x->columns);
	free(x->slot_field);
	free(x->slot_column);
	x->columns = NULL;
	x->slot_field = NULL;
	x->slot_column = NULL;
	x->n_columns = 0;
}

void dmm_fields_begin_packet(struct dmm_fields *x, const struct dmm_frame *fr)
{
	for (unsigned i = 0; i < x->n_columns; i++) {
		x->columns[i].len = 0;
		x->columns[i].count = 0;
	}
}

void dmm_fields_end_packet(struct dmm_fields *x)
{
	for (unsigned i = 0; i < x->n_columns; i++) {
		const struct dmm_fields_column *c = &x->columns[i];
		if (i)
			putc_unlocked(x->opt.separator, x->fp);
		if (c->count)
			write_quoted(x, c->text, c->len);
		else if (x->opt.quote)
			write_quoted(x, "", 0);
	}
	putc_unlocked('\n', x->fp);
}

static void fields_begin_packet(void *ctx, const struct dmm_frame *fr)
{
	dmm_fields_begin_packet(ctx, fr);
}

static void fields_end_packet(void *ctx)
{
	dmm_fields_end_packet(ctx);
}

const struct dmm_backend dmm_fields_backend = {
    .name = "fields",
    .ops = &dmm_fields_ops,
    .begin_packet = fields_begin_packet,
    .end_packet = fields_end_packet,
};
