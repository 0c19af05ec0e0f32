/* Daemon logging in the OpenBSD log.c style (levels, stderr or syslog; RFC 5424 severities). */
#ifndef DMM_DLOG_H
#define DMM_DLOG_H

enum dlog_level {
	DLOG_WARN = 0,
	DLOG_INFO = 1,
	DLOG_DEBUG = 2,
};

/* Log to stderr (to_syslog 0) or to syslog with ident, at most at level. */
void log_init(int level, int to_syslog, const char *ident);
void log_setlevel(int level);
int log_getlevel(void);
/* Parse "warn", "info", "debug"; -1 if unknown. */
int log_level_parse(const char *s);

/* log_warn and fatal append ": strerror(errno)"; the x variants do not. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
