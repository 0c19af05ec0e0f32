/* Fuzzing output backend: formats every value and aborts on broken output structure. */
#ifndef DMM_FUZZ_OUT_H
#define DMM_FUZZ_OUT_H

#include "field.h"
#include "out.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_NEST 256      /* deeper nesting means a dissector loops or recurses unbounded */
#define FUZZ_MAX_EVENTS 200000 /* open/value/error calls per input */

struct fuzz_check {
	int depth;
	unsigned long events;
	unsigned long errors;
	size_t text; /* octets formatted (keeps the formatting from being optimised away) */
};

static void fuzz_fail(const char *what, const struct dmm_field *f)
{
	fprintf(stderr, "fuzz invariant violated: %s (field %s)\n", what,
	        f && f->abbrev ? f->abbrev : "?");
	abort();
}

static void fuzz_event(struct fuzz_check *k, const struct dmm_field *f)
{
	if (++k->events > FUZZ_MAX_EVENTS)
		fuzz_fail("too many output events for one input", f);
}

static void fuzz_check_field(const struct dmm_field *f)
{
	if (!f)
		fuzz_fail("NULL field", NULL);
	if (!f->abbrev || !f->abbrev[0] || !f->name || !f->name[0])
		fuzz_fail("field without abbrev or name", f);
	if (f->type > DMM_FT_HEX64)
		fuzz_fail("field type out of range", f);
}

/* A formatter's result must be NUL-terminated, fit the buffer and equal its strlen. */
static void fuzz_check_text(const struct dmm_field *f, const char *buf, size_t size, size_t n)
{
	if (size == 0)
		return;
	if (n >= size)
		fuzz_fail("formatted length does not fit the buffer", f);
	if (buf[n] != 0 || strlen(buf) != n)
		fuzz_fail("formatted text length mismatch", f);
}

static void fuzz_check_value_shape(const struct dmm_field *f, const struct dmm_value *v)
{
	if (v->len && !v->ptr)
		fuzz_fail("value with length but no data", f);
	switch (f->type) {
	case DMM_FT_IPV4:
		if (v->len != 4)
			fuzz_fail("IPv4 value not 4 octets", f);
		break;
	case DMM_FT_IPV6:
		if (v->len != 16)
			fuzz_fail("IPv6 value not 16 octets", f);
		break;
	case DMM_FT_ETHER:
		if (v->len != 6)
			fuzz_fail("Ethernet value not 6 octets", f);
		break;
	case DMM_FT_PREFIX4:
		if (v->len != 4 || v->plen > 32)
			fuzz_fail("IPv4 prefix malformed", f);
		break;
	case DMM_FT_PREFIX6:
		if (v->len != 16 || v->plen > 128)
			fuzz_fail("IPv6 prefix malformed", f);
		break;
	case DMM_FT_BOOL:
		if (v->u > 1)
			fuzz_fail("boolean not 0 or 1", f);
		break;
	default:
		break;
	}
	/* touch every octet so ASan sees values that point outside the input */
	volatile uint8_t sink = 0;
	for (size_t i = 0; i < v->len; i++)
		sink ^= v->ptr[i];
	(void)sink;
}

static void fuzz_format_all(struct fuzz_check *k, const struct dmm_field *f,
                            const struct dmm_value *v)
{
	char big[8192], fast[8192], small[23];
	size_t bound = dmm_out_value_bound(f, v);
	size_t n = dmm_format_value(f, v, big, sizeof(big));
	fuzz_check_text(f, big, sizeof(big), n);
	size_t m = dmm_out_format_value(f, v, fast, sizeof(fast));
	fuzz_check_text(f, fast, sizeof(fast), m);
	if (m != n || memcmp(big, fast, n) != 0)
		fuzz_fail("dmm_out_format_value differs from dmm_format_value", f);
	if (bound <= sizeof(big) && n + 1 >= sizeof(big))
		fuzz_fail("value text longer than dmm_out_value_bound", f);
	/* cut output: a prefix of the full text */
	for (size_t size = 1; size <= sizeof(small); size += 11) {
		size_t c = dmm_format_value(f, v, small, size);
		fuzz_check_text(f, small, size, c);
		c = dmm_out_format_value(f, v, small, size);
		fuzz_check_text(f, small, size, c);
	}
	n = dmm_format_display(f, v, big, sizeof(big));
	fuzz_check_text(f, big, sizeof(big), n);
	if (bound <= sizeof(big) && n + 1 >= sizeof(big))
		fuzz_fail("display text longer than dmm_out_value_bound", f);
	n = dmm_format_display(f, v, small, sizeof(small));
	fuzz_check_text(f, small, sizeof(small), n);
	k->text += n;
	if (f->vals)
		(void)dmm_val_name(f->vals, (uint32_t)v->u);
}

static void fuzz_open(void *ctx, const struct dmm_field *f, const char *label)
{
	struct fuzz_check *k = ctx;
	fuzz_event(k, f);
	fuzz_check_field(f);
	if (f->type != DMM_FT_NODE)
		fuzz_fail("subtree opened on a value field", f);
	if (label)
		k->text += strlen(label);
	if (++k->depth > FUZZ_MAX_NEST)
		fuzz_fail("subtree nesting too deep", f);
}

static void fuzz_close(void *ctx)
{
	struct fuzz_check *k = ctx;
	if (--k->depth < 0)
		fuzz_fail("close without open", NULL);
}

static void fuzz_value(void *ctx, const struct dmm_field *f, const struct dmm_value *v)
{
	struct fuzz_check *k = ctx;
	fuzz_event(k, f);
	fuzz_check_field(f);
	if (!v)
		fuzz_fail("NULL value", f);
	if (f->type == DMM_FT_NODE)
		return;
	fuzz_check_value_shape(f, v);
	fuzz_format_all(k, f, v);
}

static void fuzz_error(void *ctx, const char *msg)
{
	struct fuzz_check *k = ctx;
	fuzz_event(k, DMM_FIELD_ERROR);
	if (!msg || !msg[0])
		fuzz_fail("empty error message", DMM_FIELD_ERROR);
	k->text += strlen(msg);
	k->errors++;
}

static const struct dmm_out_ops fuzz_check_ops = {fuzz_open, fuzz_close, fuzz_value, fuzz_error};

static inline struct dmm_out fuzz_out(struct fuzz_check *k)
{
	memset(k, 0, sizeof(*k));
	struct dmm_out o = {&fuzz_check_ops, k, 0, DMM_OUT_ALL};
	return o;
}

/* After a dissection: every subtree closed, error count consistent. */
static inline void fuzz_out_done(const struct dmm_out *o)
{
	const struct fuzz_check *k = o->ctx;
	if (k->depth != 0)
		fuzz_fail("unbalanced open/close at end of dissection", NULL);
	if ((unsigned long)o->errors != k->errors)
		fuzz_fail("dmm_out.errors differs from the error callbacks", DMM_FIELD_ERROR);
}

/* 1 if the n octets at q lie inside the len octets at p (parsed pointers stay in the input). */
static inline int fuzz_within(const uint8_t *q, size_t n, const uint8_t *p, size_t len)
{
	return q >= p && (size_t)(q - p) <= len && n <= len - (size_t)(q - p);
}

#endif
