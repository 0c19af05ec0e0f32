/* Control socket of the daemons: newline-delimited JSON over a Unix stream socket (dmmd(8)). */
#ifndef DMM_CTL_H
#define DMM_CTL_H

#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct json_object;
struct ctl;

#define CTL_QUEUE_MAX 1024 /* lines queued per client before events are lost */
#define CTL_LINE_MAX 65536 /* longest request line */
#define CTL_MAX_TABLES 4

/* A command handler fills reply (an object that already holds "ok":true) and returns 0,
 * or returns -1 with a reason in err (the reply becomes {"ok":false,"error":err}). */
typedef int (*ctl_cmd_fn)(void *arg, struct json_object *req, struct json_object *reply, char *err,
                          size_t errlen);
struct ctl_cmd {
	const char *name;
	ctl_cmd_fn fn;
};

/* Listen on path (an existing socket file is replaced). NULL with err set on failure. */
struct ctl *ctl_open(struct ev_loop *loop, const char *path, char *err, size_t errlen);
/* Close every client, unlink the socket. */
void ctl_close(struct ctl *c);
/* Add a command table (terminated by a row with name NULL); later tables do not override. */
int ctl_register(struct ctl *c, const struct ctl_cmd *cmds, void *arg);

/* Handle one request line as a client would send it; returns the reply (caller frees).
 * Used by the socket path and by tests. */
char *ctl_handle_line(struct ctl *c, const char *line, int *subscribe);

/* Number of clients that subscribed to events (0 with c NULL): emitters skip building
 * events nobody reads. */
unsigned ctl_subscribers(const struct ctl *c);
/* Send {"event":name,"time_ms":MONO, ...fields} to every subscriber. fields (may be NULL)
 * is consumed. c may be NULL. */
void ctl_event(struct ctl *c, const char *name, struct json_object *fields);

/* {"NAME":n,...} from parallel name/value arrays. */
void ctl_counters_json(struct json_object *obj, const char *const *names, const uint64_t *vals,
                       unsigned n);
/* Monotonic milliseconds for event stamps (the same clock as ev_now_ms). */
uint64_t ctl_mono_ms(void);

#endif
