/* Fuzz target: control socket requests (dmmd(8) CONTROL SOCKET: newline-delimited JSON), every
 * line through ctl_handle_line of an LMA and a MAG daemon with a registered mobile node. */
#include "ctl.h"
#include "fuzz_roles.h"

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_LINES 32

/* The reply is one JSON object line: {"ok":true,...} or {"ok":false,"error":"why"}. */
static void check_reply(const char *line, const char *reply, int subscribe)
{
	if (!reply)
		fuzz_fail("no reply", NULL);
	if (strchr(reply, '\n'))
		fuzz_fail("reply spans lines", NULL);
	struct json_object *o = json_tokener_parse(reply), *ok, *why, *req, *cmd;
	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "ok", &ok) || !json_object_is_type(ok, json_type_boolean))
		fuzz_fail("reply is not an object with a boolean \"ok\"", NULL);
	int good = json_object_get_boolean(ok);
	if (!good &&
	    (!json_object_object_get_ex(o, "error", &why) ||
	     !json_object_is_type(why, json_type_string) || !json_object_get_string_len(why)))
		fuzz_fail("refusal without an error text", NULL);
	req = json_tokener_parse(line);
	int well_formed = req && json_object_is_type(req, json_type_object) &&
	                  json_object_object_get_ex(req, "cmd", &cmd) &&
	                  json_object_is_type(cmd, json_type_string);
	if (!well_formed && (good || subscribe))
		fuzz_fail("malformed request accepted", NULL);
	if (subscribe && strcmp(json_object_get_string(cmd), "subscribe") != 0)
		fuzz_fail("subscription from another command", NULL);
	static const char *const shows[][2] = {{"show-bindings", "bindings"},
	                                       {"show-counters", "counters"},
	                                       {"show-tunnels", "tunnels"}};
	for (size_t i = 0; good && i < sizeof(shows) / sizeof(shows[0]); i++)
		if (!strcmp(json_object_get_string(cmd), shows[i][0]) &&
		    !json_object_object_get_ex(o, shows[i][1], &why))
			fuzz_fail("show command reply without its member", NULL);
	json_object_put(req);
	json_object_put(o);
}

static struct ctl *open_ctl(struct dmmd *d, void *st, const char *tag)
{
	char err[256];
	snprintf(d->ctl_path, sizeof(d->ctl_path), "/tmp/dmm-fuzz-ctl-%d-%s.sock", (int)getpid(),
	         tag);
	struct ctl *c = ctl_open(d->loop, d->ctl_path, err, sizeof(err));
	if (!c) {
		fprintf(stderr, "fuzz fixture: %s\n", err);
		abort();
	}
	ctl_register(c, d->role->commands, st);
	ctl_register(c, role_common_commands, st);
	d->ctl = c;
	return c;
}

static void handle(struct fuzz_roles *r, struct ctl *c, const char *line)
{
	int subscribe = -1;
	char *reply = ctl_handle_line(c, line, &subscribe);
	if (subscribe != 0 && subscribe != 1)
		fuzz_fail("subscribe flag not set", NULL);
	check_reply(line, reply, subscribe);
	free(reply);
	fuzz_roles_exchange(r); /* attach/detach/link make the MAG signal */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[CTL_LINE_MAX + 1];
	static struct fuzz_roles r;
	if (size > CTL_LINE_MAX)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	fuzz_roles_setup(&r, "on");
	if (mag_mn_attach(r.mag, "mn1@example.com", "", "02:00:00:00:00:01") != 0)
		fuzz_fail("attach of the fixture failed", NULL);
	fuzz_roles_exchange(&r);
	struct ctl *cl = open_ctl(&r.dl, r.lma, "lma");
	struct ctl *cm = open_ctl(&r.dm, r.mag, "mag");

	unsigned lines = 0;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line && lines < MAX_LINES;
	     line = strtok_r(NULL, "\n", &save), lines++) {
		handle(&r, cm, line);
		handle(&r, cl, line);
	}
	r.dl.ctl = r.dm.ctl = NULL;
	ctl_close(cl);
	ctl_close(cm);
	fuzz_roles_free(&r);
	return 0;
}
