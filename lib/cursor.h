/* Bounds-checked wire cursor and writer (network byte order, RFC 6275 §6 conventions). */
#ifndef DMM_CURSOR_H
#define DMM_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Error states of a cursor. Once set, an error stays set and every later read
 * returns zero, so a parser can read a whole structure and check once. */
enum dmm_err {
	DMM_OK = 0,
	DMM_ETRUNC = 1, /* ran off the end of the data: "truncated" */
	DMM_EINVAL = 2, /* well-sized but semantically wrong: "invalid: why" */
};

struct dmm_cursor {
	const uint8_t *base; /* first octet of the region */
	size_t len;          /* octets in the region */
	size_t pos;          /* next octet to read */
	int err;             /* enum dmm_err */
	const char *why;     /* reason for DMM_EINVAL (static string) */
};

static inline void cur_init(struct dmm_cursor *c, const void *data, size_t len)
{
	c->base = (const uint8_t *)data;
	c->len = len;
	c->pos = 0;
	c->err = DMM_OK;
	c->why = NULL;
}

static inline size_t cur_left(const struct dmm_cursor *c)
{
	return c->err ? 0 : c->len - c->pos;
}

static inline int cur_ok(const struct dmm_cursor *c)
{
	return c->err == DMM_OK;
}

static inline const uint8_t *cur_ptr(const struct dmm_cursor *c)
{
	return c->base + c->pos;
}

/* Mark the cursor truncated (sticky; the first error wins). */
static inline void cur_truncated(struct dmm_cursor *c)
{
	if (!c->err) {
		c->err = DMM_ETRUNC;
		c->why = "truncated";
	}
}

/* Mark the cursor invalid with a static reason (sticky; the first error wins). */
static inline void cur_invalid(struct dmm_cursor *c, const char *why)
{
	if (!c->err) {
		c->err = DMM_EINVAL;
		c->why = why;
	}
}

static inline int cur_need(struct dmm_cursor *c, size_t n)
{
	if (c->err)
		return 0;
	if (n > c->len - c->pos) {
		cur_truncated(c);
		return 0;
	}
	return 1;
}

static inline uint8_t cur_u8(struct dmm_cursor *c)
{
	if (!cur_need(c, 1))
		return 0;
	return c->base[c->pos++];
}

static inline uint16_t cur_u16(struct dmm_cursor *c)
{
	if (!cur_need(c, 2))
		return 0;
	const uint8_t *p = c->base + c->pos;
	c->pos += 2;
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t cur_u32(struct dmm_cursor *c)
{
	if (!cur_need(c, 4))
		return 0;
	const uint8_t *p = c->base + c->pos;
	c->pos += 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t cur_u64(struct dmm_cursor *c)
{
	uint64_t hi = cur_u32(c);
	return hi << 32 | cur_u32(c);
}

/* Return a pointer to the next n octets and advance, or NULL (and truncated). */
static inline const uint8_t *cur_bytes(struct dmm_cursor *c, size_t n)
{
	if (!cur_need(c, n))
		return NULL;
	const uint8_t *p = c->base + c->pos;
	c->pos += n;
	return p;
}

/* Copy n octets into dst (zero-filled on error). */
static inline void cur_copy(struct dmm_cursor *c, void *dst, size_t n)
{
	const uint8_t *p = cur_bytes(c, n);
	if (p)
		memcpy(dst, p, n);
	else
		memset(dst, 0, n);
}

static inline void cur_skip(struct dmm_cursor *c, size_t n)
{
	(void)cur_bytes(c, n);
}

/* Split off the next n octets as an independent sub-cursor and advance past them.
 * If fewer than n remain, the parent becomes truncated and the child is empty
 * and truncated too. */
static inline struct dmm_cursor cur_sub(struct dmm_cursor *c, size_t n)
{
	struct dmm_cursor s;
	const uint8_t *p = cur_bytes(c, n);
	cur_init(&s, p ? p : c->base, p ? n : 0);
	if (!p)
		cur_truncated(&s);
	return s;
}

/* The rest of the region as a sub-cursor (the parent is consumed). */
static inline struct dmm_cursor cur_rest(struct dmm_cursor *c)
{
	return cur_sub(c, cur_left(c));
}

/* Writer: bounded output buffer whose overflow error stays set. */
struct dmm_wbuf {
	uint8_t *p;
	size_t cap;
	size_t len;
	int err; /* non-zero once an append did not fit */
};

static inline void wb_init(struct dmm_wbuf *w, void *buf, size_t cap)
{
	w->p = (uint8_t *)buf;
	w->cap = cap;
	w->len = 0;
	w->err = 0;
}

static inline uint8_t *wb_reserve(struct dmm_wbuf *w, size_t n)
{
	if (w->err || n > w->cap - w->len) {
		w->err = 1;
		return NULL;
	}
	uint8_t *p = w->p + w->len;
	w->len += n;
	return p;
}

static inline void wb_u8(struct dmm_wbuf *w, uint8_t v)
{
	uint8_t *p = wb_reserve(w, 1);
	if (p)
		p[0] = v;
}

static inline void wb_u16(struct dmm_wbuf *w, uint16_t v)
{
	uint8_t *p = wb_reserve(w, 2);
	if (p) {
		p[0] = (uint8_t)(v >> 8);
		p[1] = (uint8_t)v;
	}
}

static inline void wb_u32(struct dmm_wbuf *w, uint32_t v)
{
	uint8_t *p = wb_reserve(w, 4);
	if (p) {
		p[0] = (uint8_t)(v >> 24);
		p[1] = (uint8_t)(v >> 16);
		p[2] = (uint8_t)(v >> 8);
		p[3] = (uint8_t)v;
	}
}

static inline void wb_u64(struct dmm_wbuf *w, uint64_t v)
{
	wb_u32(w, (uint32_t)(v >> 32));
	wb_u32(w, (uint32_t)v);
}

static inline void wb_bytes(struct dmm_wbuf *w, const void *src, size_t n)
{
	uint8_t *p = wb_reserve(w, n);
	if (p && n)
		memcpy(p, src, n);
}

static inline void wb_zero(struct dmm_wbuf *w, size_t n)
{
	uint8_t *p = wb_reserve(w, n);
	if (p)
		memset(p, 0, n);
}

/* Overwrite an already-written big-endian 16-bit value at offset off. */
static inline void wb_put16_at(struct dmm_wbuf *w, size_t off, uint16_t v)
{
	if (!w->err && off + 2 <= w->len) {
		w->p[off] = (uint8_t)(v >> 8);
		w->p[off + 1] = (uint8_t)v;
	}
}

static inline void wb_put8_at(struct dmm_wbuf *w, size_t off, uint8_t v)
{
	if (!w->err && off < w->len)
		w->p[off] = v;
}

#endif
