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

/* For each set of zero groups (bit i: group i is 0), the first longest run of two or more:
 * start << 4 | length, or 0 when there is none. */
static const uint8_t ipv6_zero_run[256] = {
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x12, 0x03, 0x00, 0x00, 0x00, 0x02, 0x22, 0x22, 0x13, 0x04,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x12, 0x03, 0x32, 0x32, 0x32, 0x02, 0x23, 0x23, 0x14, 0x05,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x12, 0x03, 0x00, 0x00, 0x00, 0x02, 0x22, 0x22, 0x13, 0x04,
    0x42, 0x42, 0x42, 0x02, 0x42, 0x42, 0x12, 0x03, 0x33, 0x33, 0x33, 0x33, 0x24, 0x24, 0x15, 0x06,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x12, 0x03, 0x00, 0x00, 0x00, 0x02, 0x22, 0x22, 0x13, 0x04,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x12, 0x03, 0x32, 0x32, 0x32, 0x02, 0x23, 0x23, 0x14, 0x05,
    0x52, 0x52, 0x52, 0x02, 0x52, 0x52, 0x12, 0x03, 0x52, 0x52, 0x52, 0x02, 0x22, 0x22, 0x13, 0x04,
    0x43, 0x43, 0x43, 0x43, 0x43, 0x43, 0x43, 0x03, 0x34, 0x34, 0x34, 0x34, 0x25, 0x25, 0x16, 0x07,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x12, 0x03, 0x00, 0x00, 0x00, 0x02, 0x22, 0x22, 0x13, 0x04,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x12, 0x03, 0x32, 0x32, 0x32, 0x02, 0x23, 0x23, 0x14, 0x05,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x12, 0x03, 0x00, 0x00, 0x00, 0x02, 0x22, 0x22, 0x13, 0x04,
    0x42, 0x42, 0x42, 0x02, 0x42, 0x42, 0x12, 0x03, 0x33, 0x33, 0x33, 0x33, 0x24, 0x24, 0x15, 0x06,
    0x62, 0x62, 0x62, 0x02, 0x62, 0x62, 0x12, 0x03, 0x62, 0x62, 0x62, 0x02, 0x22, 0x22, 0x13, 0x04,
    0x62, 0x62, 0x62, 0x02, 0x62, 0x62, 0x12, 0x03, 0x32, 0x32, 0x32, 0x02, 0x23, 0x23, 0x14, 0x05,
    0x53, 0x53, 0x53, 0x53, 0x53, 0x53, 0x53, 0x03, 0x53, 0x53, 0x53, 0x53, 0x53, 0x53, 0x13, 0x04,
    0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x35, 0x35, 0x35, 0x35, 0x26, 0x26, 0x17, 0x08,
};

static char *format_hex16(unsigned w, char *q)
{
	if (w >= 0x1000)
		*q++ = hex_digits[w >> 12];
	if (w >= 0x100)
		*q++ = hex_digits[(w >> 8) & 15];
	if (w >= 0x10)
		*q++ = hex_digits[(w >> 4) & 15];
	*q++ = hex_digits[w & 15];
	return q;
}

/* Same text as glibc inet_ntop(AF_INET6): the first longest run of two or more zero groups
 * becomes "::", IPv4-compatible and -mapped forms end in dotted quad. */
static char *format_ipv6(const uint8_t *a, char *q)
{
	unsigned words[8], zeros = 0;
	for (int i = 0; i < 8; i++) {
		words[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		zeros |= (unsigned)(words[i] == 0) << i;
	}
	unsigned run = ipv6_zero_run[zeros];
	int base = run ? (int)(run >> 4) : 8, end = run ? base + (int)(run & 15) : 8;
	if (base == 0 && (end == 6 || (end == 5 && words[5] == 0xffff))) {
		memcpy(q, end == 6 ? "::" : "::ffff:", end == 6 ? 2 : 7);
		return format_ipv4(a + 12, q + (end == 6 ? 2 : 7));
	}
	for (int i = 0; i < base; i++) {
		if (i)
			*q++ = ':';
		q = format_hex16(words[i], q);
	}
	if (run) {
		*q++ = ':';
		*q++ = ':';
	}
	for (int i = end; i < 8; i++) {
		if (i != end)
			*q++ = ':';
		q = format_hex16(words[i], q);
	}
	return q;
}

int dmm_out_grow_to(void *bufp, size_t *cap, size_t need, size_t first, size_t elem)
{
	size_t n = *cap ? *cap : first;
	while (n < need) {
		if (n > SIZE_MAX / 2 / elem)
			return -1;
		n *= 2;
	}
	void *old, *grown;
	memcpy(&old, bufp, sizeof(old));
	grown = realloc(old, n * elem);
	if (!grown)
		return -1;
	memcpy(bufp, &grown, sizeof(grown));
	*cap = n;
	return 0;
}

__attribute__((noinline)) const struct dmm_field_facts *
dmm_field_facts_fill(struct dmm_field_facts *slot, const struct dmm_field *f)
{
	const char *a = f->abbrev;
	size_t len = strnlen(a, UINT16_MAX);
	const char *first = memchr(a, '.', len);
	const char *last = memrchr(a, '.', len);
	slot->field = f;
	slot->len = (uint16_t)len;
	slot->first_dot = (uint16_t)(first ? first - a : (ptrdiff_t)len);
	slot->name = (uint16_t)(last ? last - a + 1 : 0);
	slot->name_len = (uint16_t)strnlen(f->name, UINT16_MAX);
	/* "data" (undissected payload) is no protocol, as in tshark's Protocol column */
	slot->protocol = !first && strcmp(a, "data") != 0;
	slot->frame = len >= 6 && memcmp(a, "frame.", 6) == 0;
	return slot;
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
	case DMM_FT_ETHER:
		if (v->len != 6)
			break;
		p = tmp;
		for (int i = 0; i < 6; i++) {
			*p++ = hex_digits[v->ptr[i] >> 4];
			*p++ = hex_digits[v->ptr[i] & 15];
			*p++ = ':';
		}
		return copy_out(tmp, 17, buf, size);
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
	case DMM_FT_STRING: {
		/* printable ASCII as is, others (and '\\') as \xNN, like dmm_format_value */
		size_t j = 0;
		for (size_t i = 0; i < v->len && j + 5 < size; i++) {
			uint8_t ch = v->ptr[i];
			if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
				buf[j++] = (char)ch;
			} else {
				buf[j++] = '\\';
				buf[j++] = 'x';
				buf[j++] = hex_digits[ch >> 4];
				buf[j++] = hex_digits[ch & 15];
			}
		}
		buf[j] = 0;
		return j;
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
	return dmm_out_grow(&c->text, &c->cap, c->len + more, 64, 1);
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

	unsigned bits = 8; /* mostly empty: a field not asked for is told at the first slot */
	while ((1u << bits) < 4 * n + 4)
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
	free(x->line);
	x->line = NULL;
	x->line_cap = 0;
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
	/* the whole line in one buffer (the last column's), one fwrite */
	size_t need = 1;
	for (unsigned i = 0; i < x->n_columns; i++)
		need += x->columns[i].len + 3;
	if (dmm_out_grow(&x->line, &x->line_cap, need, 1024, 1) != 0)
		return;
	char *q = x->line;
	for (unsigned i = 0; i < x->n_columns; i++) {
		const struct dmm_fields_column *c = &x->columns[i];
		if (i)
			*q++ = x->opt.separator;
		if (!c->count && !x->opt.quote)
			continue;
		if (x->opt.quote)
			*q++ = x->opt.quote;
		memcpy(q, c->text, c->len);
		q += c->len;
		if (x->opt.quote)
			*q++ = x->opt.quote;
	}
	*q++ = '\n';
	fwrite_unlocked(x->line, 1, (size_t)(q - x->line), x->fp);
}

DMM_BACKEND(fields);
