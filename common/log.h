/*
 * Logging: one line per decision, to stderr (foreground; the systemd
 * journal with "<N>" priorities) and/or syslog, at these levels:
 *   log_err*    err: a failure that loses or refuses service (a grant
 *               refused because spagated cannot be sure, a failed open,
 *               a close that cannot run, a failed reload, giving up);
 *   log_warn*   warning: suspicious input and degraded states (a retry,
 *               a journal that could not be written, a setting ignored);
 *   log_notice  notice: what changes access: grants, opens and closes;
 *   log_info    info: refusals of single packets, start-up, statistics;
 *   log_debug   debug: with -v.
 * log_err() and log_warn() append strerror(errno); the *x variants
 * do not.  fatalx() is for setup failures and broken invariants only:
 * a bad packet is never fatal.
 */
#ifndef SPA_LOG_H
#define SPA_LOG_H

#include <stdarg.h>

#define LOG_TO_STDERR	0x1
#define LOG_TO_SYSLOG	0x2
#define LOG_PLAIN	0x4	/* stderr as a tool's: "ident: warning: ..." */

void	log_init(const char *ident, int dest, int facility);
void	log_set_verbose(int level);
/* Whether log_debug() writes: a caller skips formatting what it drops. */
int	log_debug_on(void);
void	log_set_procname(const char *name);
void	log_reconnect(void);
/*
 * Log to the stream that is stderr now, even if `stderr` is later pointed
 * elsewhere (the verifier silences a library's own stderr lines so).
 */
void	log_keep_stderr(void);
/*
 * Hold stderr lines below error level until log_flush(), so that a loop
 * pass writes its lines at once (loop_once flushes before it waits);
 * log_hold(0) flushes and writes each line again as it comes.
 */
void	log_hold(int on);
void	log_flush(void);

void	log_err(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_errx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_notice(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif /* SPA_LOG_H */
