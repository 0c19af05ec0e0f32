/* dmmd: Proxy Mobile IPv6 LMA and MAG (RFC 5213) with RFC 8278 multipath, as role modules. */
#include "conf.h"
#include "ctl.h"
#include "dlog.h"
#include "ev.h"
#include "role.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: dmmd -c CONF [-n] [-f] [-d] [-S CTLSOCK]\n");
	exit(1);
}

static void on_terminate(int signo, void *arg)
{
	struct dmmd *d = arg;
	log_info("signal %d: shutting down", signo);
	ev_break(d->loop);
}

int main(int argc, char **argv)
{
	const char *conf_path = NULL;
	int check_only = 0, foreground = 0, debug = 0;
	struct dmmd d = {0};
	int ch;
	while ((ch = getopt(argc, argv, "c:nfdS:h")) != -1) {
		switch (ch) {
		case 'c':
			conf_path = optarg;
			break;
		case 'n':
			check_only = 1;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'd':
			debug = 1;
			break;
		case 'S':
			if (strlen(optarg) >= sizeof(d.ctl_path)) {
				fprintf(stderr, "dmmd: control socket path too long\n");
				return 1;
			}
			snprintf(d.ctl_path, sizeof(d.ctl_path), "%s", optarg);
			break;
		default:
			usage();
		}
	}
	if (!conf_path || optind != argc)
		usage();
	log_init(debug ? DLOG_DEBUG : DLOG_INFO, 0, "dmmd");
	d.log_level = DLOG_INFO;
	if (debug) {
		d.log_level = DLOG_DEBUG;
		d.log_level_set = 1;
	}
	char err[512];
	struct conf *cf = conf_load(conf_path, err, sizeof(err));
	if (!cf) {
		fprintf(stderr, "dmmd: %s\n", err);
		return 1;
	}
	if (!(d.loop = ev_loop_new())) {
		fprintf(stderr, "dmmd: event loop: %s\n", strerror(errno));
		return 1;
	}
	void *st = role_setup(&d, cf, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "dmmd: %s\n", err);
		return 1;
	}
	if (check_only) {
		printf("%s: configuration OK (role %s)\n", conf_path, d.role->name);
		d.role->free(st);
		conf_free(cf);
		ev_loop_free(d.loop);
		return 0;
	}
	if (!d.ctl_path[0])
		snprintf(d.ctl_path, sizeof(d.ctl_path), "%s", ROLE_DEFAULT_CTL);
	/* everything that can fail is set up before detaching, so that errors reach stderr */
	signal(SIGPIPE, SIG_IGN);
	/* held pending until the loop reads them (the signalfd is made after detaching: epoll
	 * reports a signalfd only for the process that registered it) */
	sigset_t term;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGINT);
	sigprocmask(SIG_BLOCK, &term, NULL);
	log_setlevel(d.log_level);
	d.ctl = ctl_open(d.loop, d.ctl_path, err, sizeof(err));
	if (!d.ctl)
		fatalx("control socket: %s", err);
	ctl_register(d.ctl, d.role->commands, st);
	ctl_register(d.ctl, role_common_commands, st);
	int rc = 0;
	if (d.role->start(st, err, sizeof(err)) < 0) {
		log_warnx("%s: %s", d.role->name, err);
		rc = 1;
	} else {
		if (!foreground && daemon(0, 0) < 0)
			fatal("daemon");
		log_init(d.log_level, !foreground, "dmmd");
		if (ev_signal(d.loop, SIGTERM, on_terminate, &d) < 0 ||
		    ev_signal(d.loop, SIGINT, on_terminate, &d) < 0)
			fatal("signals");
		log_info("%s started, control socket %s", d.role->name, d.ctl_path);
		if (ev_run(d.loop) < 0) {
			log_warn("event loop");
			rc = 1;
		}
	}
	d.role->stop(st);
	ctl_close(d.ctl);
	d.ctl = NULL;
	d.role->free(st);
	conf_free(cf);
	ev_loop_free(d.loop);
	log_info("stopped");
	return rc;
}
