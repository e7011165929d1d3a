/*
 * Logging: one line per decision, to stderr (foreground) and/or syslog.
 * log_warn() appends strerror(errno); the *x variants do not.
 * log_errx: a failure that refuses or loses service (a grant refused
 * because spagated cannot be sure, a close that cannot run); log_warn*:
 * suspicious input and degraded states.  fatalx() is for setup failures
 * and broken invariants only: a bad packet is never fatal.
 */
#ifndef SPA_LOG_H
#define SPA_LOG_H

#include <stdarg.h>

#define LOG_TO_STDERR	0x1
#define LOG_TO_SYSLOG	0x2

void	log_init(const char *ident, int dest, int facility);
void	log_set_verbose(int level);
void	log_set_procname(const char *name);
void	log_reconnect(void);

void	log_errx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
/* log_notice: an operator's act that changes grants (a close asked for) */
void	log_notice(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif /* SPA_LOG_H */
