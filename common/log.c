/*
 * Logging.  Foreground lines carry a timestamp and the level's word
 * ("error:", "warning:"); when stderr is the systemd journal they carry
 * the level as a "<N>" prefix instead of a stamp (the journal stamps
 * lines itself and reads the prefix as the priority: journalctl -p).
 * Daemon mode goes to syslog, at the same levels.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX	2048	/* a message, errno's text included */

static const char *const log_level_names[] = {
	"emerg", "alert", "crit", "error", "warning", "notice", "info", "debug"
};

/* Logging configuration: set once at start-up, read everywhere. */
static struct {
	int		 dest;
	int		 verbose;
	int		 stamp;
	int		 journal;	/* stderr is the journal: "<N>" */
	const char	*procname;
	const char	*ident;
	int		 facility;
	FILE		*out;		/* NULL: stderr (log_keep_stderr) */
} log_cfg = { LOG_TO_STDERR, 0, 1, 0, NULL, NULL, LOG_DAEMON, NULL };

/*
 * Lines held for one write a loop pass (log_hold): a burst of grants
 * costs one system call for its lines, not one a line.  Errors are
 * written at once, with the lines before them.
 */
#define LOG_HELD_MAX	16384
static struct {
	int	 on;
	int	 atfork;	/* the fork handler is registered */
	size_t	 len;
	char	 buf[LOG_HELD_MAX];
} held;

/*
 * systemd sets JOURNAL_STREAM to "device:inode" of the stream it gave
 * as stdout/stderr; a stderr redirected elsewhere by hand keeps the
 * variable but is another file, which gets stamps and no prefix.
 */
static int
stderr_is_journal(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb;
	char tail;

	if (v == NULL || sscanf(v, "%llu:%llu%c", &dev, &ino, &tail) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &sb) != 0)
		return 0;
	return (unsigned long long)sb.st_dev == dev &&
	    (unsigned long long)sb.st_ino == ino;
}

void
log_init(const char *ident, int dest, int facility)
{
	log_cfg.dest = dest;
	log_cfg.journal = (dest & LOG_TO_STDERR) && stderr_is_journal();
	log_cfg.stamp = !log_cfg.journal && !(dest & LOG_PLAIN);
	log_cfg.ident = ident;
	log_cfg.facility = facility;
	if (dest & LOG_TO_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

/*
 * For a forked child that closed the descriptors it inherited, before a
 * chroot: connect to syslog again now, since /dev/log cannot be reached
 * afterwards, and load the time zone localtime_r() uses for stamps.
 */
void
log_reconnect(void)
{
	tzset();
	if (log_cfg.dest & LOG_TO_SYSLOG) {
		closelog();
		openlog(log_cfg.ident, LOG_PID | LOG_NDELAY, log_cfg.facility);
	}
}

void
log_set_verbose(int level)
{
	log_cfg.verbose = level;
}

int
log_debug_on(void)
{
	return log_cfg.verbose >= 1;
}

void
log_set_procname(const char *name)
{
	log_cfg.procname = name;
}

static FILE *
log_out(void)
{
	return log_cfg.out != NULL ? log_cfg.out : stderr;
}

void
log_flush(void)
{
	FILE *fp = log_out();
	size_t len = held.len;

	held.len = 0;
	if (len != 0 && fwrite(held.buf, 1, len, fp) == len)
		fflush(fp);
}

/* A forked child does not write its parent's lines. */
static void
drop_held(void)
{
	held.len = 0;
}

void
log_hold(int on)
{
	if (on && !held.atfork)
		held.atfork = pthread_atfork(NULL, NULL, drop_held) == 0;
	if (!on)
		log_flush();
	held.on = on && held.atfork;
}

/* Keep a formatted line for the pass's write; 0 if it must be written now. */
static int
hold_line(int pri, const char *text, size_t len)
{
	if (!held.on || (pri & 7) <= LOG_ERR || len > sizeof(held.buf))
		return 0;
	if (sizeof(held.buf) - held.len < len)
		log_flush();
	memcpy(held.buf + held.len, text, len);
	held.len += len;
	return 1;
}

void
log_keep_stderr(void)
{
	log_cfg.out = stderr;
}

static void
log_stderr(int pri, const char *line)
{
	const char *proc = log_cfg.procname ? log_cfg.procname : "";
	char stamp[32] = "", text[sizeof(stamp) + 64 + LOG_LINE_MAX + 16];
	struct timespec ts;
	struct tm tm;
	int len;

	if (log_cfg.journal)
		snprintf(stamp, sizeof(stamp), "<%d>", pri & 7);
	else if (log_cfg.dest & LOG_PLAIN)
		snprintf(stamp, sizeof(stamp), "%s: ", log_cfg.ident);
	else if (log_cfg.stamp && clock_gettime(CLOCK_REALTIME, &ts) == 0 &&
	    localtime_r(&ts.tv_sec, &tm) != NULL) {
		size_t n = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(stamp + n, sizeof(stamp) - n, ".%03ld ",
		    ts.tv_nsec / 1000000);
	}
	len = snprintf(text, sizeof(text), "%s%s%s%s: %s\n", stamp, proc,
	    *proc ? " " : "", log_level_names[pri & 7], line);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(text)) {	/* cut, but still a line */
		len = sizeof(text) - 1;
		text[len - 1] = '\n';
	}
	if (hold_line(pri, text, (size_t)len))
		return;
	log_flush();	/* the lines before this one first */
	fwrite(text, 1, (size_t)len, log_out());
}

static void
log_vemit(int pri, const char *fmt, va_list ap, int with_errno)
{
	char line[LOG_LINE_MAX];
	int saved = errno;
	int n;

	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (with_errno && n >= 0 && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - n, ": %s", strerror(saved));
	if (log_cfg.dest & LOG_TO_STDERR)
		log_stderr(pri, line);
	if (log_cfg.dest & LOG_TO_SYSLOG)
		syslog(pri, "%s", line);
	errno = saved;
}

#define LOG_BODY(pri, with_errno) do {			\
	va_list ap;					\
	va_start(ap, fmt);				\
	log_vemit((pri), fmt, ap, (with_errno));	\
	va_end(ap);					\
} while (0)

void
log_err(const char *fmt, ...)
{
	LOG_BODY(LOG_ERR, 1);
}

void
log_errx(const char *fmt, ...)
{
	LOG_BODY(LOG_ERR, 0);
}

void
log_warn(const char *fmt, ...)
{
	LOG_BODY(LOG_WARNING, 1);
}

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_WARNING, 0);
}

void
log_notice(const char *fmt, ...)
{
	LOG_BODY(LOG_NOTICE, 0);
}

void
log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_INFO, 0);
}

void
log_debug(const char *fmt, ...)
{
	if (!log_debug_on())
		return;
	LOG_BODY(LOG_DEBUG, 0);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_CRIT, 0);
	log_flush();
	exit(1);
}
