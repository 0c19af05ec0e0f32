/* Test helper: a dmm_out backend that records "abbrev=value" lines and errors for assertions. */
#ifndef DMM_TEST_CAPTURE_H
#define DMM_TEST_CAPTURE_H

#include "field.h"

#include <stdio.h>
#include <string.h>

struct capture {
	char text[16384]; /* one "abbrev=value\n" per field, "{abbrev\n" / "}\n" per node */
	size_t len;
	char errors[1024];
	int depth;
};

static void capture_put(struct capture *cap, const char *s)
{
	size_t n = strlen(s);
	if (cap->len + n < sizeof(cap->text)) {
		memcpy(cap->text + cap->len, s, n + 1);
		cap->len += n;
	}
}

static void capture_open(void *ctx, const struct dmm_field *f, const char *label)
{
	struct capture *cap = ctx;
	capture_put(cap, "{");
	capture_put(cap, f->abbrev);
	capture_put(cap, "\n");
	cap->depth++;
}

static void capture_close(void *ctx)
{
	struct capture *cap = ctx;
	capture_put(cap, "}\n");
	cap->depth--;
}

static void capture_value(void *ctx, const struct dmm_field *f, const struct dmm_value *v)
{
	struct capture *cap = ctx;
	char val[1024];
	dmm_format_value(f, v, val, sizeof(val));
	capture_put(cap, f->abbrev);
	capture_put(cap, "=");
	capture_put(cap, val);
	capture_put(cap, "\n");
}

static void capture_error(void *ctx, const char *msg)
{
	struct capture *cap = ctx;
	size_t used = strlen(cap->errors);
	snprintf(cap->errors + used, sizeof(cap->errors) - used, "%s%s", used ? "; " : "", msg);
}

static const struct dmm_out_ops capture_ops = {capture_open, capture_close, capture_value,
                                               capture_error};

static inline struct dmm_out capture_out(struct capture *cap)
{
	memset(cap, 0, sizeof(*cap));
	struct dmm_out o = {&capture_ops, cap, 0, DMM_OUT_ALL};
	return o;
}

/* 1 if the capture holds the exact line "abbrev=value". */
static inline int capture_has(const struct capture *cap, const char *abbrev, const char *value)
{
	char line[512];
	snprintf(line, sizeof(line), "\n%s=%s\n", abbrev, value);
	if (strncmp(cap->text, line + 1, strlen(line + 1)) == 0)
		return 1;
	return strstr(cap->text, line) != NULL;
}

/* Count occurrences of field abbrev. */
static inline int capture_count(const struct capture *cap, const char *abbrev)
{
	char key[256];
	int n = 0;
	snprintf(key, sizeof(key), "%s=", abbrev);
	for (const char *s = cap->text; (s = strstr(s, key)) != NULL; s += strlen(key))
		if (s == cap->text || s[-1] == '\n')
			n++;
	return n;
}

#endif
