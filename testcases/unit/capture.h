/* Test helper: a dmm_out backend that records "abbrev=value" lines and errors for assertions. */
#ifndef DMM_TEST_CAPTURE_H
#define DMM_TEST_CAPTURE_H

#include "field.h"

#include <stdio.h>
#include <string.h>

struct capture {
	/* one "abbrev=value\n" per field, "{abbrev\n" / "}\n" per node, "!message\n" per error */
	char text[65536];
	size_t len;
	char errors[1024]; /* the error messages joined by "; " */
	int depth;
	int unlabeled;  /* nodes opened without a label */
	int unbalanced; /* closes without an open node */
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
	if (!label)
		cap->unlabeled++;
	capture_put(cap, "{");
	capture_put(cap, f->abbrev);
	capture_put(cap, "\n");
	cap->depth++;
}

static void capture_close(void *ctx)
{
	struct capture *cap = ctx;
	if (cap->depth == 0)
		cap->unbalanced++;
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
	capture_put(cap, "!");
	capture_put(cap, msg);
	capture_put(cap, "\n");
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

/* The nth (0-based) value of abbrev, or NULL; the text stays valid until the next call. */
static inline const char *capture_value_of(const struct capture *cap, const char *abbrev,
                                           unsigned nth)
{
	static char value[1024];
	size_t n = strlen(abbrev);
	for (const char *line = cap->text, *end; (end = strchr(line, '\n')) != NULL;
	     line = end + 1) {
		if (strncmp(line, abbrev, n) != 0 || line[n] != '=' || nth-- != 0)
			continue;
		size_t len = (size_t)(end - line) - n - 1;
		if (len >= sizeof(value))
			len = sizeof(value) - 1;
		memcpy(value, line + n + 1, len);
		value[len] = 0;
		return value;
	}
	return NULL;
}

/* Count the lines of the capture that are prefix followed by the text start. */
static inline unsigned capture_count_lines(const struct capture *cap, char prefix,
                                           const char *start, int whole)
{
	unsigned count = 0;
	size_t n = strlen(start);
	for (const char *line = cap->text, *end; (end = strchr(line, '\n')) != NULL; line = end + 1)
		count += line[0] == prefix && strncmp(line + 1, start, n) == 0 &&
		         (!whole || line + 1 + n == end);
	return count;
}

/* Count the nodes named abbrev. */
static inline unsigned capture_count_nodes(const struct capture *cap, const char *abbrev)
{
	return capture_count_lines(cap, '{', abbrev, 1);
}

/* Count the errors whose message starts with prefix. */
static inline unsigned capture_count_errors(const struct capture *cap, const char *prefix)
{
	return capture_count_lines(cap, '!', prefix, 0);
}

/* The top-level nodes in order, joined by ':' (the layer chain); valid until the next call. */
static inline const char *capture_top_nodes(const struct capture *cap)
{
	static char chain[512];
	size_t len = 0;
	int depth = 0;
	chain[0] = 0;
	for (const char *line = cap->text, *end; (end = strchr(line, '\n')) != NULL;
	     line = end + 1) {
		if (line[0] == '{' && depth++ == 0 &&
		    len + (size_t)(end - line) + 1 < sizeof(chain)) {
			if (len)
				chain[len++] = ':';
			memcpy(chain + len, line + 1, (size_t)(end - line) - 1);
			len += (size_t)(end - line) - 1;
			chain[len] = 0;
		} else if (line[0] == '}') {
			depth--;
		}
	}
	return chain;
}

#endif
