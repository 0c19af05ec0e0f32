/* Field registry, emit helpers and tshark-compatible value formatting. */
#include "field.h"
#include "cursor.h"
#include "out.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

const struct dmm_field dmm_common_fields[] = {
    {"dmm.error", "Dissection error", DMM_FT_STRING, 0, 0, NULL},
    {"dmm.unknown.data", "Undissected data", DMM_FT_BYTES, 0, 0, NULL},
};
static const struct dmm_field_table common_registration = {dmm_common_fields, 2};
__attribute__((used, section("dmm_field_tables"))) static const struct dmm_field_table
    *const common_registration_ptr = &common_registration;

extern const struct dmm_field_table *const __start_dmm_field_tables[];
extern const struct dmm_field_table *const __stop_dmm_field_tables[];

void dmm_fields_foreach(dmm_field_visit_fn fn, void *arg)
{
	for (const struct dmm_field_table *const *t = __start_dmm_field_tables;
	     t < __stop_dmm_field_tables; t++)
		for (size_t i = 0; i < (*t)->count; i++)
			fn(&(*t)->fields[i], arg);
}

struct find_arg {
	const char *abbrev;
	const struct dmm_field *found;
};

static void find_visit(const struct dmm_field *f, void *arg)
{
	struct find_arg *a = arg;
	if (!a->found && strcmp(f->abbrev, a->abbrev) == 0)
		a->found = f;
}

const struct dmm_field *dmm_field_find(const char *abbrev)
{
	struct find_arg a = {abbrev, NULL};
	dmm_fields_foreach(find_visit, &a);
	return a.found;
}

const char *dmm_val_name(const struct dmm_vals *vals, uint32_t v)
{
	for (; vals && vals->name; vals++)
		if (vals->value == v)
			return vals->name;
	return NULL;
}

void dmm_open(struct dmm_out *o, const struct dmm_field *f, const char *label)
{
	if (o && o->ops->open)
		o->ops->open(o->ctx, f, label);
}

void dmm_close(struct dmm_out *o)
{
	if (o && o->ops->close)
		o->ops->close(o->ctx);
}

void dmm_error(struct dmm_out *o, const char *msg)
{
	if (!o)
		return;
	o->errors++;
	if (o->ops->error)
		o->ops->error(o->ctx, msg);
}

int dmm_cursor_error(struct dmm_out *o, const struct dmm_cursor *c)
{
	char buf[160];
	if (c->err == DMM_OK)
		return 0;
	if (c->err == DMM_ETRUNC) {
		dmm_error(o, "truncated");
	} else {
		snprintf(buf, sizeof(buf), "invalid: %s", c->why ? c->why : "malformed");
		dmm_error(o, buf);
	}
	return 1;
}

static size_t hex_bytes(const uint8_t *p, size_t n, char *buf, size_t size)
{
	static const char digits[] = "0123456789abcdef";
	size_t j = 0;
	for (size_t i = 0; i < n && j + 2 < size; i++) {
		buf[j++] = digits[p[i] >> 4];
		buf[j++] = digits[p[i] & 15];
	}
	buf[j] = 0;
	return j;
}

/* Text bytes: printable ASCII as is, others as \xNN (tshark style). */
static size_t text_bytes(const uint8_t *p, size_t n, char *buf, size_t size)
{
	size_t j = 0;
	for (size_t i = 0; i < n && j + 5 < size; i++) {
		uint8_t ch = p[i];
		if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
			buf[j++] = (char)ch;
		} else {
			j += (size_t)snprintf(buf + j, size - j, "\\x%02x", ch);
		}
	}
	buf[j] = 0;
	return j;
}

size_t dmm_format_value(const struct dmm_field *f, const struct dmm_value *v, char *buf,
                        size_t size)
{
	int n = 0;
	if (size == 0)
		return 0;
	buf[0] = 0;
	switch (f->type) {
	case DMM_FT_NODE:
		return 0;
	case DMM_FT_UINT:
		n = snprintf(buf, size, "%llu", (unsigned long long)v->u);
		break;
	case DMM_FT_BOOL:
		n = snprintf(buf, size, "%d", v->u ? 1 : 0);
		break;
	case DMM_FT_HEX:
		n = snprintf(buf, size, "0x%0*llx", f->width, (unsigned long long)v->u);
		break;
	case DMM_FT_HEX64:
		n = snprintf(buf, size, "0x%016llx", (unsigned long long)v->u);
		break;
	case DMM_FT_IPV4:
		if (v->len != 4 || !inet_ntop(AF_INET, v->ptr, buf, (socklen_t)size))
			buf[0] = 0;
		return strlen(buf);
	case DMM_FT_IPV6:
		if (v->len != 16 || !inet_ntop(AF_INET6, v->ptr, buf, (socklen_t)size))
			buf[0] = 0;
		return strlen(buf);
	case DMM_FT_PREFIX4:
	case DMM_FT_PREFIX6: {
		char a[INET6_ADDRSTRLEN];
		int af = f->type == DMM_FT_PREFIX4 ? AF_INET : AF_INET6;
		if (!inet_ntop(af, v->ptr, a, sizeof(a)))
			a[0] = 0;
		n = snprintf(buf, size, "%s/%u", a, v->plen);
		break;
	}
	case DMM_FT_ETHER:
		if (v->len == 6)
			n = snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", v->ptr[0],
			             v->ptr[1], v->ptr[2], v->ptr[3], v->ptr[4], v->ptr[5]);
		break;
	case DMM_FT_BYTES:
		return hex_bytes(v->ptr, v->len, buf, size);
	case DMM_FT_STRING:
		return text_bytes(v->ptr, v->len, buf, size);
	}
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

size_t dmm_format_display(const struct dmm_field *f, const struct dmm_value *v, char *buf,
                          size_t size)
{
	const char *name;
	if ((f->type == DMM_FT_UINT || f->type == DMM_FT_HEX) && f->vals &&
	    (name = dmm_val_name(f->vals, (uint32_t)v->u)) != NULL) {
		int n = snprintf(buf, size, "%s (%llu)", name, (unsigned long long)v->u);
		return n < 0 ? 0 : ((size_t)n < size ? (size_t)n : size - 1);
	}
	return dmm_format_value(f, v, buf, size);
}

char *dmm_put_address(char *p, enum dmm_ftype type, const uint8_t *a)
{
	static const struct dmm_field kinds[] = {
	    {"", "", DMM_FT_IPV4, 0, 0, NULL},
	    {"", "", DMM_FT_IPV6, 0, 0, NULL},
	    {"", "", DMM_FT_ETHER, 0, 0, NULL},
	};
	const struct dmm_field *f = type == DMM_FT_IPV4   ? &kinds[0]
	                            : type == DMM_FT_IPV6 ? &kinds[1]
	                                                  : &kinds[2];
	struct dmm_value v = {.ptr = a, .len = f == &kinds[0] ? 4 : f == &kinds[1] ? 16 : 6};
	return p + dmm_out_format_value(f, &v, p, DMM_PUT_ADDRESS_MAX);
}
