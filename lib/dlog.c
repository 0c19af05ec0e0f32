/* Daemon logging in the OpenBSD log.c style (levels, stderr or syslog; RFC 5424 severities). */
#include "dlog.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

static int log_level = DLOG_INFO;
static int log_syslog;

void log_init(int level, int to_syslog, const char *ident)
{
	log_level = level;
	log_syslog = to_syslog;
	if (to_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void log_setlevel(int level)
{
	log_level = level;
}

int log_getlevel(void)
{
	return log_level;
}

int log_level_parse(const char *s)
{
	static const char *const names[] = {"warn", "info", "debug"};
	for (int i = 0; i < 3; i++)
		if (strcasecmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* Emit one line; errnum >= 0 appends its text. */
static void vlog(int level, int prio, int errnum, const char *fmt, va_list ap)
{
	if (level > log_level)
		return;
	char msg[1024];
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	if (errnum >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s", strerror(errnum));
	if (log_syslog)
		syslog(prio, "%s", msg);
	else
		fprintf(stderr, "%s\n", msg);
}

#define LOG_BODY(level, prio, errnum)                                                              \
	do {                                                                                       \
		va_list ap;                                                                        \
		va_start(ap, fmt);                                                                 \
		vlog(level, prio, errnum, fmt, ap);                                                \
		va_end(ap);                                                                        \
	} while (0)

void log_warn(const char *fmt, ...)
{
	int e = errno;
	LOG_BODY(DLOG_WARN, LOG_WARNING, e);
}

void log_warnx(const char *fmt, ...)
{
	LOG_BODY(DLOG_WARN, LOG_WARNING, -1);
}

void log_info(const char *fmt, ...)
{
	LOG_BODY(DLOG_INFO, LOG_INFO, -1);
}

void log_debug(const char *fmt, ...)
{
	LOG_BODY(DLOG_DEBUG, LOG_DEBUG, -1);
}

void fatal(const char *fmt, ...)
{
	int e = errno;
	LOG_BODY(DLOG_WARN, LOG_CRIT, e);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	LOG_BODY(DLOG_WARN, LOG_CRIT, -1);
	exit(1);
}
