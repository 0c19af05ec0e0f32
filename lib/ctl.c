/* Control socket of the daemons: newline-delimited JSON over a Unix stream socket (dmmd(8)). */
#include "ctl.h"

#include "dlog.h"
#include "ev.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct ctl_line {
	struct ctl_line *next;
	size_t len;
	char text[]; /* with the trailing newline */
};

struct ctl_client {
	struct ctl *ctl;
	struct ctl_client *next;
	int fd;
	int subscribed;
	int closing; /* close once the queue is flushed */
	char *in;
	size_t inlen;
	struct ctl_line *head, *tail;
	unsigned queued;
	size_t head_off; /* octets of head already written */
	uint64_t lost;
};

struct ctl_table {
	const struct ctl_cmd *cmds;
	void *arg;
};

struct ctl {
	struct ev_loop *loop;
	int fd;
	char *path;
	struct ctl_client *clients;
	unsigned nsubscribers;
	struct ctl_table tables[CTL_MAX_TABLES];
	unsigned ntables;
};

uint64_t ctl_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void client_free(struct ctl_client *cl)
{
	struct ctl *c = cl->ctl;
	for (struct ctl_client **pp = &c->clients; *pp; pp = &(*pp)->next)
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	if (cl->subscribed)
		c->nsubscribers--;
	ev_fd_del(c->loop, cl->fd);
	close(cl->fd);
	while (cl->head) {
		struct ctl_line *l = cl->head;
		cl->head = l->next;
		free(l);
	}
	free(cl->in);
	free(cl);
}

/* Queue text (+ newline). Returns 0, or -1 when the queue is full (nothing queued). */
static int client_queue(struct ctl_client *cl, const char *text, size_t len)
{
	if (cl->queued >= CTL_QUEUE_MAX)
		return -1;
	struct ctl_line *l = malloc(sizeof(*l) + len + 1);
	if (!l)
		return -1;
	memcpy(l->text, text, len);
	l->text[len] = '\n';
	l->len = len + 1;
	l->next = NULL;
	if (cl->tail)
		cl->tail->next = l;
	else
		cl->head = l;
	cl->tail = l;
	if (cl->queued++ == 0)
		ev_fd_mod(cl->ctl->loop, cl->fd, EPOLLIN | EPOLLOUT);
	return 0;
}

/* Write what the socket takes. Returns -1 when the client must go. */
static int client_flush(struct ctl_client *cl)
{
	while (cl->head) {
		struct ctl_line *l = cl->head;
		ssize_t n = send(cl->fd, l->text + cl->head_off, l->len - cl->head_off,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		cl->head_off += (size_t)n;
		if (cl->head_off < l->len)
			return 0;
		cl->head = l->next;
		if (!cl->head)
			cl->tail = NULL;
		cl->head_off = 0;
		cl->queued--;
		free(l);
	}
	ev_fd_mod(cl->ctl->loop, cl->fd, EPOLLIN);
	return cl->closing ? -1 : 0;
}

static ctl_cmd_fn find_cmd(struct ctl *c, const char *name, void **arg)
{
	for (unsigned t = 0; t < c->ntables; t++)
		for (const struct ctl_cmd *cmd = c->tables[t].cmds; cmd->name; cmd++)
			if (strcmp(cmd->name, name) == 0) {
				*arg = c->tables[t].arg;
				return cmd->fn;
			}
	return NULL;
}

static char *error_reply(const char *why)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string(why));
	char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

char *ctl_handle_line(struct ctl *c, const char *line, int *subscribe)
{
	*subscribe = 0;
	struct json_tokener *tok = json_tokener_new();
	struct json_object *req = json_tokener_parse_ex(tok, line, (int)strlen(line));
	int perr = json_tokener_get_error(tok);
	json_tokener_free(tok);
	struct json_object *cmdv;
	if (!req || perr != json_tokener_success || !json_object_is_type(req, json_type_object) ||
	    !json_object_object_get_ex(req, "cmd", &cmdv) ||
	    !json_object_is_type(cmdv, json_type_string)) {
		json_object_put(req);
		return error_reply("request must be a JSON object with a string \"cmd\"");
	}
	const char *name = json_object_get_string(cmdv);
	struct json_object *reply = json_object_new_object();
	json_object_object_add(reply, "ok", json_object_new_boolean(1));
	char err[256] = "";
	if (strcmp(name, "subscribe") == 0) {
		*subscribe = 1;
	} else {
		void *arg = NULL;
		ctl_cmd_fn fn = find_cmd(c, name, &arg);
		if (!fn)
			snprintf(err, sizeof(err), "unknown command '%.64s'", name);
		else if (fn(arg, req, reply, err, sizeof(err)) < 0 && !err[0])
			snprintf(err, sizeof(err), "%s failed", name);
	}
	char *s;
	if (err[0])
		s = error_reply(err);
	else
		s = strdup(json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN));
	json_object_put(reply);
	json_object_put(req);
	return s;
}

/* Process each complete line in the input buffer. Returns -1 when the client must go. */
static int client_lines(struct ctl_client *cl)
{
	size_t start = 0;
	for (;;) {
		char *nl = memchr(cl->in + start, '\n', cl->inlen - start);
		if (!nl)
			break;
		*nl = 0;
		char *line = cl->in + start;
		start = (size_t)(nl - cl->in) + 1;
		if (!line[strspn(line, " \t\r")])
			continue;
		int sub;
		char *reply = ctl_handle_line(cl->ctl, line, &sub);
		if (!reply || client_queue(cl, reply, strlen(reply)) < 0) {
			free(reply);
			return -1;
		}
		free(reply);
		if (sub && !cl->subscribed) {
			cl->subscribed = 1;
			cl->ctl->nsubscribers++;
		}
	}
	memmove(cl->in, cl->in + start, cl->inlen - start);
	cl->inlen -= start;
	return 0;
}

static void on_client(int fd, uint32_t events, void *arg)
{
	struct ctl_client *cl = arg;
	if (events & EPOLLOUT && client_flush(cl) < 0) {
		client_free(cl);
		return;
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	for (;;) {
		if (cl->inlen >= CTL_LINE_MAX) {
			static const char why[] = "request line too long";
			char *r = error_reply(why);
			client_queue(cl, r, strlen(r));
			free(r);
			cl->closing = 1;
			cl->inlen = 0;
			break;
		}
		ssize_t n = recv(fd, cl->in + cl->inlen, CTL_LINE_MAX - cl->inlen, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
			client_free(cl);
			return;
		}
		if (n < 0)
			break;
		cl->inlen += (size_t)n;
		if (client_lines(cl) < 0) {
			client_free(cl);
			return;
		}
	}
	if (client_flush(cl) < 0)
		client_free(cl);
}

static void on_accept(int fd, uint32_t events, void *arg)
{
	struct ctl *c = arg;
	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn("control socket accept");
			return;
		}
		struct ctl_client *cl = calloc(1, sizeof(*cl));
		char *in = malloc(CTL_LINE_MAX);
		if (!cl || !in || ev_fd_add(c->loop, cfd, EPOLLIN, on_client, cl) < 0) {
			free(cl);
			free(in);
			close(cfd);
			continue;
		}
		cl->ctl = c;
		cl->fd = cfd;
		cl->in = in;
		cl->next = c->clients;
		c->clients = cl;
	}
}

struct ctl *ctl_open(struct ev_loop *loop, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: control socket path too long", path);
		return NULL;
	}
	strcpy(sun.sun_path, path);
	struct ctl *c = calloc(1, sizeof(*c));
	if (!c || !(c->path = strdup(path))) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->loop = loop;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct stat st;
	if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	mode_t old = umask(0077);
	int rc = c->fd < 0 ? -1 : bind(c->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc < 0 || listen(c->fd, 16) < 0 || ev_fd_add(loop, c->fd, EPOLLIN, on_accept, c) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (c->fd >= 0)
			close(c->fd);
		free(c->path);
		free(c);
		return NULL;
	}
	return c;
}

void ctl_close(struct ctl *c)
{
	if (!c)
		return;
	while (c->clients) {
		client_flush(c->clients);
		client_free(c->clients);
	}
	ev_fd_del(c->loop, c->fd);
	close(c->fd);
	unlink(c->path);
	free(c->path);
	free(c);
}

int ctl_register(struct ctl *c, const struct ctl_cmd *cmds, void *arg)
{
	if (c->ntables >= CTL_MAX_TABLES)
		return -1;
	c->tables[c->ntables++] = (struct ctl_table){cmds, arg};
	return 0;
}

unsigned ctl_subscribers(const struct ctl *c)
{
	return c ? c->nsubscribers : 0;
}

void ctl_event(struct ctl *c, const char *name, struct json_object *fields)
{
	if (!c || !c->nsubscribers) {
		json_object_put(fields);
		return;
	}
	struct json_object *ev = json_object_new_object();
	json_object_object_add(ev, "event", json_object_new_string(name));
	json_object_object_add(ev, "time_ms", json_object_new_int64((int64_t)ctl_mono_ms()));
	if (fields) {
		json_object_object_foreach(fields, k, v)
		{
			json_object_object_add(ev, k, json_object_get(v));
		}
	}
	json_object_put(fields);
	const char *text = json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(text);
	for (struct ctl_client *cl = c->clients; cl; cl = cl->next) {
		if (!cl->subscribed)
			continue;
		if (cl->queued >= CTL_QUEUE_MAX) {
			cl->lost++;
			continue;
		}
		if (cl->lost) {
			/* tell the client how many events it missed: ...,"lost":n} */
			char *with = malloc(len + 32);
			if (with) {
				int n = snprintf(with, len + 32, "%.*s,\"lost\":%llu}",
				                 (int)len - 1, text, (unsigned long long)cl->lost);
				if (client_queue(cl, with, (size_t)n) == 0)
					cl->lost = 0;
				free(with);
			}
			continue;
		}
		client_queue(cl, text, len);
	}
	json_object_put(ev);
}

void ctl_counters_json(struct json_object *obj, const char *const *names, const uint64_t *vals,
                       unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		json_object_object_add(obj, names[i], json_object_new_int64((int64_t)vals[i]));
}
