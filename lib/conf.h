/* Daemon configuration files: `keyword args` statements with { } blocks (dmmd(8)). */
#ifndef DMM_CONF_H
#define DMM_CONF_H

#include <stddef.h>
#include <stdint.h>

struct json_object;

#define CONF_MAX_ARGS 8

/* One statement; block statements hold their inner statements in child. */
struct conf_node {
	char *key;
	char *argv[CONF_MAX_ARGS];
	int argc;
	int line;
	int has_block;
	struct conf_node *child;
	struct conf_node *next;
};

struct conf {
	char *path; /* for error messages */
	struct conf_node *root;
};

/* Parse a file or a string (name is used in messages). NULL with "file:line: why" in err. */
struct conf *conf_load(const char *path, char *err, size_t errlen);
struct conf *conf_parse(const char *text, const char *name, char *err, size_t errlen);
void conf_free(struct conf *cf);

/* First top-level statement with key, or NULL. */
const struct conf_node *conf_find(const struct conf_node *list, const char *key);

/* Table-driven interpretation. A keyword handler gets the node and the scope's context;
 * block keywords return through child_ctx the context for their inner statements.
 * Handlers write a reason (without file:line) to err and return -1 on error. */
struct conf_kw {
	const char *name;
	int min_args, max_args;
	int block; /* 1: requires a { } block, 0: must not have one */
	int (*set)(void *ctx, const struct conf_node *n, void **child_ctx, char *err,
	           size_t errlen);
	const struct conf_kw *inner; /* keywords of the block (NULL-name terminated) */
};

/* A set of keywords with their context; several scopes may apply to one level. */
struct conf_scope {
	const struct conf_kw *kws; /* terminated by a row with name NULL */
	void *ctx;
};

/* Apply every statement of list to the scopes (first scope knowing the keyword wins).
 * Returns 0, or -1 with "file:line: why" in err. */
int conf_apply(const struct conf *cf, const struct conf_node *list, const struct conf_scope *scopes,
               unsigned nscopes, char *err, size_t errlen);

/* Value parsers for handlers: 0 on success, -1 with a reason in err. */
int conf_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out, char *err,
              size_t errlen);
int conf_bool(const char *s, int *out, char *err, size_t errlen);
int conf_addr6(const char *s, uint8_t addr[16], char *err, size_t errlen);
int conf_prefix6(const char *s, uint8_t addr[16], uint8_t *plen, char *err, size_t errlen);
/* Pick one of choices (NULL-terminated); returns its index or -1 with err set. */
int conf_choice(const char *s, const char *const *choices, char *err, size_t errlen);

/* The statements as JSON: [{"key":..,"args":[..],"block":[..]}, ...] */
struct json_object *conf_to_json(const struct conf_node *list);

#endif
