/* Summary output backend: one line per packet (frame, src → dst, message, key fields). */
#include "out.h"

#include <arpa/inet.h>
#include <string.h>

static const char arrow[] = " \xe2\x86\x92 "; /* " → " */

/* "<protocol>.<name>" with no further '.', e.g. "mip6.bu" under "mip6". */
static int is_message_node_of(const struct dmm_field_facts *f,
                              const struct dmm_field_facts *protocol)
{
	return f->first_dot == protocol->len && f->name == f->first_dot + 1 &&
	       memcmp(f->field->abbrev, protocol->field->abbrev, protocol->len) == 0;
}

static void summary_open(void *ctx, const struct dmm_field *f, const char *label)
{
	struct dmm_summary *s = ctx;
	unsigned depth = s->depth + 1;
	s->depth = depth;
	if (depth <= DMM_OUT_MAX_DEPTH)
		s->serial_at[depth] = ++s->node_serial;
	if (!label)
		label = f->name;
	if ((f->flags & DMM_F_SUMMARY) && depth >= s->flagged_depth) {
		s->flagged_label = label;
		s->flagged_depth = depth;
	}
	const struct dmm_field_facts *info = dmm_field_facts(s->facts, f);
	if (info->protocol) {
		s->protocol = *info; /* a copy: the cache slot may be taken by another field */
		s->protocol_depth = depth;
		s->protocol_serial = s->node_serial;
		s->message_label = NULL;
		s->protocol_is_message = 0;
		s->protocol_label = label;
	} else if (s->protocol.field && !s->message_label && depth == s->protocol_depth + 1 &&
	           is_message_node_of(info, &s->protocol)) {
		s->message_label = label;
	}
}

static void summary_close(void *ctx)
{
	struct dmm_summary *s = ctx;
	if (s->depth > 0)
		s->depth--;
}

static void keep_addr(struct dmm_summary_addr *a, const struct dmm_field *f,
                      const struct dmm_value *v)
{
	size_t n = v->len <= sizeof(a->octets) ? v->len : sizeof(a->octets);
	a->field = f;
	if (n)
		memcpy(a->octets, v->ptr, n);
	a->len = (uint8_t)n;
}

static void items_append(struct dmm_summary *s, const char *p, size_t n)
{
	size_t room = sizeof(s->items) - 1 - s->items_len;
	if (n > room)
		n = room;
	memcpy(s->items + s->items_len, p, n);
	s->items_len += n;
}

/* Out of line: summary_value stays a test and a return for the many fields not shown. */
__attribute__((noinline)) static void
flagged_value(struct dmm_summary *s, const struct dmm_field *f, const struct dmm_value *v)
{
	if (f->flags & DMM_F_ADDR) {
		unsigned d = s->depth <= DMM_OUT_MAX_DEPTH ? s->depth : DMM_OUT_MAX_DEPTH;
		uint32_t node = s->serial_at[d];
		if (node != s->addr_node || !s->src.field) {
			s->addr_node = node;
			keep_addr(&s->src, f, v);
			s->dst.field = NULL;
		} else if (!s->dst.field) {
			keep_addr(&s->dst, f, v);
		}
	}
	/* addresses are shown as src → dst, frame metadata by the line itself */
	if (!(f->flags & DMM_F_SUMMARY) || (f->flags & DMM_F_ADDR))
		return;
	const struct dmm_field_facts *info = dmm_field_facts(s->facts, f);
	if (info->frame)
		return;
	/* a protocol node holding summary values is itself the message */
	if (s->protocol.field && s->depth == s->protocol_depth && s->depth <= DMM_OUT_MAX_DEPTH &&
	    s->serial_at[s->depth] == s->protocol_serial)
		s->protocol_is_message = 1;
	const char *name = f->abbrev + info->name;
	size_t name_len = (size_t)(info->len - info->name);
	/* room for " name=" and a value cut at 128 octets */
	if (s->items_len + name_len + 2 + 129 >= sizeof(s->items))
		return;
	char *p = s->items + s->items_len;
	*p++ = ' ';
	memcpy(p, name, name_len);
	p += name_len;
	*p++ = '=';
	p += dmm_out_format_value(f, v, p, 129);
	s->items_len = (size_t)(p - s->items);
}

static void summary_value(void *ctx, const struct dmm_field *f, const struct dmm_value *v)
{
	/* most fields are not shown: leave before any work */
	if (f->flags & (DMM_F_ADDR | DMM_F_SUMMARY))
		flagged_value(ctx, f, v);
}

static void summary_error(void *ctx, const char *msg)
{
	struct dmm_summary *s = ctx;
	items_append(s, " [", 2);
	items_append(s, msg, strlen(msg));
	items_append(s, "]", 1);
}

const struct dmm_out_ops dmm_summary_ops = {
    .open = summary_open,
    .close = summary_close,
    .value = summary_value,
    .error = summary_error,
};

void dmm_summary_init(struct dmm_summary *s, FILE *fp)
{
	memset(s, 0, sizeof(*s));
	s->fp = fp;
}

void dmm_summary_begin_packet(struct dmm_summary *s, const struct dmm_frame *fr)
{
	s->number = fr ? fr->number : s->number + 1;
	s->depth = 0;
	s->node_serial = 0;
	s->serial_at[0] = 0;
	s->addr_node = 0;
	s->src.field = NULL;
	s->dst.field = NULL;
	s->flagged_depth = 0;
	s->flagged_label = NULL;
	s->protocol.field = NULL;
	s->protocol_depth = 0;
	s->message_label = NULL;
	s->protocol_is_message = 0;
	s->items_len = 0;
}

static char *put_addr(char *p, const struct dmm_summary_addr *a)
{
	struct dmm_value v = {.ptr = a->octets, .len = a->len};
	/* an address is at most 46 characters (INET6_ADDRSTRLEN) */
	return p + dmm_out_format_value(a->field, &v, p, 64);
}

void dmm_summary_end_packet(struct dmm_summary *s)
{
	char *p = s->line;
	char digits[24];
	char *d = digits + sizeof(digits);
	uint64_t u = s->number;
	do {
		*--d = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	size_t n = (size_t)(digits + sizeof(digits) - d);
	memcpy(p, d, n);
	p += n;

	if (s->src.field) {
		*p++ = ' ';
		p = put_addr(p, &s->src);
		if (s->dst.field) {
			memcpy(p, arrow, sizeof(arrow) - 1);
			p += sizeof(arrow) - 1;
			p = put_addr(p, &s->dst);
		}
	}
	/* the label, cut like the fixed label buffers of the line */
	const char *label = s->flagged_label         ? s->flagged_label
	                    : s->message_label       ? s->message_label
	                    : s->protocol_is_message ? s->protocol_label
	                                             : NULL;
	if (label) {
		n = strnlen(label, DMM_SUMMARY_LABEL_MAX - 1);
		if (n) {
			*p++ = ' ';
			memcpy(p, label, n);
			p += n;
		}
	} else if (s->protocol.field && s->protocol.len) { /* the protocol's abbrev upper-cased */
		const char *abbrev = s->protocol.field->abbrev;
		*p++ = ' ';
		for (n = 0; n < s->protocol.len && n < DMM_SUMMARY_LABEL_MAX - 1; n++) {
			char ch = abbrev[n];
			*p++ = (ch >= 'a' && ch <= 'z') ? (char)(ch - 'a' + 'A') : ch;
		}
	}
	memcpy(p, s->items, s->items_len);
	p += s->items_len;
	*p++ = '\n';
	fwrite_unlocked(s->line, 1, (size_t)(p - s->line), s->fp);
}

DMM_BACKEND(summary);
