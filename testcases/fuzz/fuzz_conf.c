/* Fuzz target: daemon configuration text (dmmd(8) CONFIGURATION): conf_parse, the statement
 * tree round trip through its quoted text form, conf_to_json, and role_setup (every keyword
 * handler of the core, the shared role keywords and the LMA / MAG roles). */
#include "conf.h"
#include "dlog.h"
#include "ev.h"
#include "fuzz_out.h"
#include "role.h"

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEXT 65536

struct textbuf {
	char *p;
	size_t len, cap;
};

static void put(struct textbuf *t, const char *s)
{
	size_t n = strlen(s);
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->p = realloc(t->p, t->cap);
		if (!t->p)
			abort();
	}
	memcpy(t->p + t->len, s, n + 1);
	t->len += n;
}

/* Every token quoted ('"' cannot occur inside one), one statement per line. */
static void unparse(const struct conf_node *list, struct textbuf *t)
{
	for (const struct conf_node *n = list; n; n = n->next) {
		put(t, "\"");
		put(t, n->key);
		put(t, "\"");
		for (int i = 0; i < n->argc; i++) {
			put(t, " \"");
			put(t, n->argv[i]);
			put(t, "\"");
		}
		put(t, n->has_block ? " {\n" : "\n");
		if (n->has_block) {
			unparse(n->child, t);
			put(t, "}\n");
		}
	}
}

static void same_tree(const struct conf_node *a, const struct conf_node *b, int depth)
{
	if (depth > 64)
		fuzz_fail("statement tree deeper than any text allows", NULL);
	for (; a || b; a = a->next, b = b->next) {
		if (!a || !b || strcmp(a->key, b->key) != 0 || a->argc != b->argc ||
		    a->has_block != b->has_block || a->line < 1)
			fuzz_fail("statement tree differs after unparse and parse", NULL);
		if (a->argc < 0 || a->argc > CONF_MAX_ARGS)
			fuzz_fail("argument count out of range", NULL);
		for (int i = 0; i < a->argc; i++)
			if (strcmp(a->argv[i], b->argv[i]) != 0 || strchr(a->argv[i], '"') ||
			    strchr(a->argv[i], '\n'))
				fuzz_fail("argument differs after unparse and parse", NULL);
		if (!a->has_block && a->child)
			fuzz_fail("children without a block", NULL);
		same_tree(a->child, b->child, depth + 1);
	}
}

static void check_error(const char *err, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(err, name, n) != 0 || err[n] != ':' || !err[n + 1])
		fuzz_fail("configuration error without \"file[:line]: why\"", NULL);
}

/* Apply the configuration as dmmd -n does; roles hold no system resources before start. */
static void setup_role(const struct conf *cf)
{
	struct dmmd d;
	char err[512] = "";
	memset(&d, 0, sizeof(d));
	d.loop = ev_loop_new();
	if (!d.loop)
		abort();
	void *st = role_setup(&d, cf, err, sizeof(err));
	if (st) {
		if (!d.role || !d.role->free)
			fuzz_fail("role state without a role", NULL);
		d.role->free(st);
	} else {
		check_error(err, "fuzz.conf");
	}
	ev_loop_free(d.loop);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[MAX_TEXT + 1];
	char err[512] = "";
	if (size > MAX_TEXT)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct conf *cf = conf_parse(text, "fuzz.conf", err, sizeof(err));
	if (!cf) {
		check_error(err, "fuzz.conf");
		return 0;
	}
	struct json_object *js = conf_to_json(cf->root);
	if (!js || !json_object_is_type(js, json_type_array) ||
	    !json_object_to_json_string_ext(js, JSON_C_TO_STRING_PLAIN))
		fuzz_fail("conf_to_json failed", NULL);
	json_object_put(js);

	struct textbuf t = {0};
	put(&t, "");
	unparse(cf->root, &t);
	struct conf *again = conf_parse(t.p, "fuzz.conf", err, sizeof(err));
	if (!again) {
		fprintf(stderr, "unparsed text refused: %s\n%s", err, t.p);
		fuzz_fail("quoted form of a parsed configuration does not parse", NULL);
	}
	same_tree(cf->root, again->root, 0);
	conf_free(again);
	free(t.p);

	log_setlevel(DLOG_WARN);
	setup_role(cf);
	conf_free(cf);
	return 0;
}
