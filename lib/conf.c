/* Daemon configuration files: `keyword args` statements with { } blocks (dmmd(8)). */
#include "conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CONF_MAX_DEPTH 4
#define CONF_MAX_SIZE (1 << 20)
#define CONF_MAX_TOKENS (CONF_MAX_ARGS + 2)

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void node_free(struct conf_node *n)
{
	while (n) {
		struct conf_node *next = n->next;
		node_free(n->child);
		free(n->key);
		for (int i = 0; i < n->argc; i++)
			free(n->argv[i]);
		free(n);
		n = next;
	}
}

void conf_free(struct conf *cf)
{
	if (!cf)
		return;
	node_free(cf->root);
	free(cf->path);
	free(cf);
}

/* Split one line into tokens (quotes group, '#' ends the line, '{' '}' stand alone).
 * Returns the token count or -1 with why set. */
static int tokenize(char *line, char **tok, const char **why)
{
	int n = 0;
	char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			return n;
		if (n >= CONF_MAX_TOKENS) {
			*why = "too many arguments";
			return -1;
		}
		if (*p == '"') {
			char *end = strchr(p + 1, '"');
			if (!end) {
				*why = "unterminated quote";
				return -1;
			}
			*end = 0;
			tok[n++] = p + 1;
			p = end + 1;
			continue;
		}
		if (*p == '{' || *p == '}') {
			static char brace[2][2] = {"{", "}"};
			tok[n++] = brace[*p == '}'];
			p++;
			continue;
		}
		tok[n++] = p;
		while (*p && !strchr(" \t\r#{}\"", *p))
			p++;
		if (*p == ' ' || *p == '\t' || *p == '\r') {
			*p++ = 0;
		} else if (*p) {
			/* a delimiter that starts the next token: terminate by shifting */
			memmove(p + 1, p, strlen(p) + 1);
			*p++ = 0;
		}
	}
}

struct conf *conf_parse(const char *text, const char *name, char *err, size_t errlen)
{
	struct conf *cf = calloc(1, sizeof(*cf));
	size_t tlen = strlen(text);
	/* room for the delimiter shifts of tokenize: at most one extra octet per octet */
	char *buf = malloc(2 * tlen + 2);
	if (!cf || !buf || !(cf->path = strdup(name))) {
		free(buf);
		conf_free(cf);
		set_err(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	struct conf_node **tail[CONF_MAX_DEPTH + 1];
	int open_line[CONF_MAX_DEPTH + 1];
	int depth = 0;
	tail[0] = &cf->root;
	int lineno = 0;
	const char *p = text;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		lineno++;
		memcpy(buf, p, len);
		buf[len] = 0;
		p += len + (eol ? 1 : 0);
		char *tok[CONF_MAX_TOKENS];
		const char *why = NULL;
		int nt = tokenize(buf, tok, &why);
		if (nt < 0)
			goto bad;
		if (nt == 0)
			continue;
		if (strcmp(tok[0], "}") == 0) {
			if (nt != 1) {
				why = "'}' must stand alone on its line";
				goto bad;
			}
			if (depth == 0) {
				why = "'}' without an open block";
				goto bad;
			}
			depth--;
			continue;
		}
		if (strcmp(tok[0], "{") == 0) {
			why = "'{' must follow a keyword";
			goto bad;
		}
		int block = strcmp(tok[nt - 1], "{") == 0;
		int nargs = nt - 1 - block;
		for (int i = 1; i < nt - block; i++)
			if (!strcmp(tok[i], "{") || !strcmp(tok[i], "}")) {
				why = "a brace must end the line";
				goto bad;
			}
		if (nargs > CONF_MAX_ARGS) {
			why = "too many arguments";
			goto bad;
		}
		struct conf_node *n = calloc(1, sizeof(*n));
		if (!n || !(n->key = strdup(tok[0]))) {
			free(n);
			why = "out of memory";
			goto bad;
		}
		n->line = lineno;
		n->has_block = block;
		*tail[depth] = n;
		tail[depth] = &n->next;
		for (int i = 0; i < nargs; i++) {
			if (!(n->argv[i] = strdup(tok[1 + i]))) {
				why = "out of memory";
				goto bad;
			}
			n->argc++;
		}
		if (block) {
			if (depth == CONF_MAX_DEPTH) {
				why = "blocks nested too deep";
				goto bad;
			}
			depth++;
			tail[depth] = &n->child;
			open_line[depth] = lineno;
		}
		continue;
	bad:
		set_err(err, errlen, "%s:%d: %s", name, lineno, why);
		free(buf);
		conf_free(cf);
		return NULL;
	}
	free(buf);
	if (depth) {
		set_err(err, errlen, "%s:%d: block not closed", name, open_line[depth]);
		conf_free(cf);
		return NULL;
	}
	return cf;
}

struct conf *conf_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char *text = malloc(CONF_MAX_SIZE + 1);
	size_t n = text ? fread(text, 1, CONF_MAX_SIZE + 1, f) : 0;
	fclose(f);
	if (!text || n > CONF_MAX_SIZE) {
		set_err(err, errlen, "%s: %s", path, text ? "file too large" : "out of memory");
		free(text);
		return NULL;
	}
	text[n] = 0;
	if (memchr(text, 0, n)) {
		set_err(err, errlen, "%s: NUL octet in configuration", path);
		free(text);
		return NULL;
	}
	struct conf *cf = conf_parse(text, path, err, errlen);
	free(text);
	return cf;
}

const struct conf_node *conf_find(const struct conf_node *list, const char *key)
{
	for (; list; list = list->next)
		if (strcmp(list->key, key) == 0)
			return list;
	return NULL;
}

static const struct conf_kw *kw_lookup(const struct conf_kw *kws, const char *name)
{
	for (; kws && kws->name; kws++)
		if (strcmp(kws->name, name) == 0)
			return kws;
	return NULL;
}

int conf_apply(const struct conf *cf, const struct conf_node *list, const struct conf_scope *scopes,
               unsigned nscopes, char *err, size_t errlen)
{
	for (const struct conf_node *n = list; n; n = n->next) {
		const struct conf_kw *kw = NULL;
		void *ctx = NULL;
		for (unsigned s = 0; s < nscopes && !kw; s++) {
			kw = kw_lookup(scopes[s].kws, n->key);
			ctx = scopes[s].ctx;
		}
		char why[256] = "";
		if (!kw)
			snprintf(why, sizeof(why), "unknown keyword '%s'", n->key);
		else if (n->argc < kw->min_args || n->argc > kw->max_args)
			snprintf(why, sizeof(why), "'%s' takes %d to %d arguments", n->key,
			         kw->min_args, kw->max_args);
		else if (kw->block != n->has_block)
			snprintf(why, sizeof(why),
			         kw->block ? "'%s' needs a { } block" : "'%s' takes no block",
			         n->key);
		if (why[0]) {
			set_err(err, errlen, "%s:%d: %s", cf->path, n->line, why);
			return -1;
		}
		void *child = NULL;
		if (kw->set && kw->set(ctx, n, &child, why, sizeof(why)) < 0) {
			set_err(err, errlen, "%s:%d: %s: %s", cf->path, n->line, n->key, why);
			return -1;
		}
		if (kw->block) {
			struct conf_scope inner = {kw->inner, child};
			if (conf_apply(cf, n->child, &inner, 1, err, errlen) < 0)
				return -1;
		}
	}
	return 0;
}

int conf_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out, char *err,
              size_t errlen)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (!*s || *end || errno || s[0] == '-' || v < min || v > max) {
		set_err(err, errlen, "'%s' is not a number in %lu..%lu", s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int conf_choice(const char *s, const char *const *choices, char *err, size_t errlen)
{
	char list[160] = "";
	for (int i = 0; choices[i]; i++) {
		if (strcasecmp(s, choices[i]) == 0)
			return i;
		size_t l = strlen(list);
		snprintf(list + l, sizeof(list) - l, "%s%s", i ? ", " : "", choices[i]);
	}
	set_err(err, errlen, "'%s' is not one of: %s", s, list);
	return -1;
}

int conf_bool(const char *s, int *out, char *err, size_t errlen)
{
	static const char *const words[] = {"off", "on", "no", "yes", "false", "true", NULL};
	int i = conf_choice(s, words, err, errlen);
	if (i < 0)
		return -1;
	*out = i & 1;
	return 0;
}

int conf_addr6(const char *s, uint8_t addr[16], char *err, size_t errlen)
{
	if (inet_pton(AF_INET6, s, addr) != 1) {
		set_err(err, errlen, "'%s' is not an IPv6 address", s);
		return -1;
	}
	return 0;
}

int conf_prefix6(const char *s, uint8_t addr[16], uint8_t *plen, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	unsigned long l;
	if (!slash || (size_t)(slash - s) >= INET6_ADDRSTRLEN) {
		set_err(err, errlen, "'%s' is not an IPv6 prefix/len", s);
		return -1;
	}
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = 0;
	if (conf_addr6(buf, addr, err, errlen) < 0 ||
	    conf_uint(slash + 1, 0, 128, &l, err, errlen) < 0)
		return -1;
	*plen = (uint8_t)l;
	/* host bits must be zero */
	for (unsigned bit = *plen; bit < 128; bit++)
		if (addr[bit / 8] & (0x80 >> (bit % 8))) {
			set_err(err, errlen, "'%s' has bits set beyond the prefix length", s);
			return -1;
		}
	return 0;
}

struct json_object *conf_to_json(const struct conf_node *list)
{
	struct json_object *arr = json_object_new_array();
	for (const struct conf_node *n = list; n; n = n->next) {
		struct json_object *o = json_object_new_object();
		struct json_object *args = json_object_new_array();
		json_object_object_add(o, "key", json_object_new_string(n->key));
		for (int i = 0; i < n->argc; i++)
			json_object_array_add(args, json_object_new_string(n->argv[i]));
		json_object_object_add(o, "args", args);
		json_object_object_add(o, "line", json_object_new_int(n->line));
		if (n->has_block)
			json_object_object_add(o, "block", conf_to_json(n->child));
		json_object_array_add(arr, o);
	}
	return arr;
}
