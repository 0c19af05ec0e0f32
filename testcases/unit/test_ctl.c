/* Unit tests: control socket (dmmd(8) CONTROL SOCKET): requests, errors, several clients,
 * event subscription with its bounded per-client queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ctl.h"
#include "ev.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int cmd_echo(void *arg, struct json_object *req, struct json_object *reply, char *err,
                    size_t errlen)
{
	struct json_object *x;
	int *calls = arg;
	(*calls)++;
	if (json_object_object_get_ex(req, "x", &x))
		json_object_object_add(reply, "x", json_object_get(x));
	return 0;
}

static int cmd_fail(void *arg, struct json_object *req, struct json_object *reply, char *err,
                    size_t errlen)
{
	snprintf(err, errlen, "it failed");
	return -1;
}

static const struct ctl_cmd cmds[] = {{"echo", cmd_echo}, {"fail", cmd_fail}, {NULL, NULL}};

struct fx {
	struct ev_loop *loop;
	struct ctl *ctl;
	char path[108];
	int calls;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];
	f->loop = ev_loop_new();
	snprintf(f->path, sizeof(f->path), "/tmp/dmm-test-ctl-%d.sock", (int)getpid());
	f->ctl = ctl_open(f->loop, f->path, err, sizeof(err));
	if (!f->ctl)
		fail_msg("%s", err);
	assert_int_equal(ctl_register(f->ctl, cmds, &f->calls), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	ctl_close(f->ctl);
	assert_int_equal(access(f->path, F_OK), -1); /* unlinked */
	ev_loop_free(f->loop);
	free(f);
	return 0;
}

static void stop(void *arg)
{
	ev_break(arg);
}

static void spin(struct fx *f, unsigned ms)
{
	struct ev_timer t;
	ev_timer_init(&t, stop, f->loop);
	ev_timer_start(f->loop, &t, ms);
	ev_run(f->loop);
}

static int client(struct fx *f)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	strcpy(sun.sun_path, f->path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	spin(f, 5);
	return fd;
}

/* Everything readable now, as text. */
static size_t drain(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;
	while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = 0;
	return n;
}

static void test_requests_and_errors(void **state)
{
	struct fx *f = *state;
	int a = client(f), b = client(f);
	const char *req =
	    "{\"cmd\":\"echo\",\"x\":[1,2]}\n\n{\"cmd\":\"fail\"}\n{\"cmd\":\"nope\"}\n"
	    "not json\n{\"nocmd\":1}\n";
	assert_int_equal(write(a, req, strlen(req)), (ssize_t)strlen(req));
	/* a request split across two writes */
	assert_int_equal(write(b, "{\"cmd\":\"ec", 10), 10);
	spin(f, 10);
	assert_int_equal(write(b, "ho\",\"x\":\"b\"}\n", 13), 13);
	spin(f, 20);
	char buf[4096];
	drain(a, buf, sizeof(buf));
	char *lines[8];
	int n = 0;
	for (char *s = strtok(buf, "\n"); s && n < 8; s = strtok(NULL, "\n"))
		lines[n++] = s;
	assert_int_equal(n, 5);
	assert_string_equal(lines[0], "{\"ok\":true,\"x\":[1,2]}");
	assert_string_equal(lines[1], "{\"ok\":false,\"error\":\"it failed\"}");
	assert_string_equal(lines[2], "{\"ok\":false,\"error\":\"unknown command 'nope'\"}");
	assert_non_null(strstr(lines[3], "\"ok\":false"));
	assert_non_null(strstr(lines[4], "\"ok\":false"));
	drain(b, buf, sizeof(buf));
	assert_string_equal(buf, "{\"ok\":true,\"x\":\"b\"}\n");
	assert_int_equal(f->calls, 2);
	close(a);
	close(b);
}

static void test_events_and_bounded_queue(void **state)
{
	struct fx *f = *state;
	int a = client(f), quiet = client(f);
	assert_int_equal(ctl_subscribers(f->ctl), 0);
	/* nobody listens: the event is dropped at once */
	ctl_event(f->ctl, "ignored", NULL);
	assert_int_equal(write(a, "{\"cmd\":\"subscribe\"}\n", 20), 20);
	spin(f, 10);
	assert_int_equal(ctl_subscribers(f->ctl), 1);
	char *buf = malloc(1 << 22);
	drain(a, buf, 1 << 22);
	assert_string_equal(buf, "{\"ok\":true}\n");
	struct json_object *fields = json_object_new_object();
	json_object_object_add(fields, "status", json_object_new_int(180));
	ctl_event(f->ctl, "reject", fields);
	spin(f, 10);
	drain(a, buf, 1 << 22);
	struct json_object *ev = json_tokener_parse(buf);
	assert_non_null(ev);
	struct json_object *v;
	assert_true(json_object_object_get_ex(ev, "event", &v));
	assert_string_equal(json_object_get_string(v), "reject");
	assert_true(json_object_object_get_ex(ev, "time_ms", &v));
	assert_true(json_object_get_int64(v) > 0);
	assert_true(json_object_object_get_ex(ev, "status", &v));
	assert_int_equal(json_object_get_int(v), 180);
	json_object_put(ev);
	/* a client that does not read: 5000 events, only CTL_QUEUE_MAX are kept */
	for (int i = 0; i < 5000; i++)
		ctl_event(f->ctl, "pbu-received", NULL);
	/* read while the loop flushes the queue (the socket buffer holds only part of it) */
	size_t len = 0;
	for (int idle = 0, i = 0; idle < 3 && i < 500; i++) {
		spin(f, 2);
		size_t got = drain(a, buf + len, (1 << 22) - len);
		len += got;
		idle = got ? 0 : idle + 1;
	}
	size_t lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += buf[i] == '\n';
	assert_true(lines >= CTL_QUEUE_MAX);
	assert_true(lines < 5000);
	ctl_event(f->ctl, "after", NULL);
	spin(f, 10);
	drain(a, buf, 1 << 22);
	ev = json_tokener_parse(buf);
	assert_true(json_object_object_get_ex(ev, "lost", &v));
	assert_int_equal((size_t)json_object_get_int64(v), 5000 - lines);
	json_object_put(ev);
	/* the non-subscribed client got nothing */
	assert_int_equal(drain(quiet, buf, 1 << 22), 0);
	close(a);
	spin(f, 10);
	assert_int_equal(ctl_subscribers(f->ctl), 0);
	close(quiet);
	free(buf);
}

static void test_long_line_closes_client(void **state)
{
	struct fx *f = *state;
	int a = client(f);
	char *big = malloc(CTL_LINE_MAX + 10);
	memset(big, 'x', CTL_LINE_MAX + 10);
	ssize_t w = 0;
	for (int i = 0; i < 50 && w < CTL_LINE_MAX + 10; i++) {
		ssize_t r = write(a, big + w, (size_t)(CTL_LINE_MAX + 10 - w));
		if (r > 0)
			w += r;
		spin(f, 5);
	}
	spin(f, 10);
	char buf[512];
	drain(a, buf, sizeof(buf));
	assert_non_null(strstr(buf, "request line too long"));
	assert_int_equal(read(a, buf, sizeof(buf)), 0); /* closed */
	close(a);
	free(big);
}

static void test_handle_line_without_socket(void **state)
{
	struct fx *f = *state;
	int sub;
	char *r = ctl_handle_line(f->ctl, "{\"cmd\":\"subscribe\"}", &sub);
	assert_int_equal(sub, 1);
	assert_string_equal(r, "{\"ok\":true}");
	free(r);
	ctl_event(NULL, "no-ctl", json_object_new_object()); /* no crash, no leak */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_requests_and_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_events_and_bounded_queue, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_long_line_closes_client, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_handle_line_without_socket, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
