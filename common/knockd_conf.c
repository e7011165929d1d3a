/*
 * knockd.conf reader (knockd_conf.h): lines, sections, one table row per
 * setting and a small handler per kind of value, then a check of each
 * door when it closes.  The first error stops everything, with file:line.
 * knockd(1) is the reference for what each setting means; where knockd
 * reads a mistake as something (atoi, the last of two values), we refuse.
 */
#include "config.h"

#include <ctype.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "knockd_conf.h"
#include "log.h"
#include "trust.h"

#define KD_CMD_MAX	1024	/* a command's length (access.h's CMD max) */
#define KD_KEY_SHOWN	32	/* longer unknown keys are not quoted */

/* Settings that may be given once per door; synonyms share a slot. */
enum kd_slot {
	KS_SEQUENCE,
	KS_ONE_TIME,
	KS_SEQ_TIMEOUT,
	KS_TCPFLAGS,
	KS_START,
	KS_START6,
	KS_STOP,
	KS_STOP6,
	KS_CMD_TIMEOUT,
	KS_TARGET,
	KS_INTERFACE,
	KS_COUNT
};

enum kd_section { SEC_NONE, SEC_OPTIONS, SEC_DOOR };

struct kd_parser {
	const char		*file;
	unsigned int		 line;
	struct knockd_conf	*conf;
	struct knockd_error	*err;
	enum kd_section		 sec;
	unsigned int		 marks[KS_COUNT];	/* line set at, 0: not */
	const char		*mark_names[KS_COUNT];
	unsigned int		 opt_log, opt_pid, opt_if;	/* lines */
};

struct kd_setting;
typedef int (*kd_handler)(struct kd_parser *, const struct kd_setting *,
    char *);

struct kd_setting {
	const char	*name;		/* upper case, as knockd compares */
	kd_handler	 handler;
	enum kd_slot	 slot;
	size_t		 off;		/* char * field for commands */
	bool		 may_be_empty;	/* the _6 commands: "" runs nothing */
};

/* --- messages ------------------------------------------------------------ */

static int
kd_fail(struct kd_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
kd_fail(struct kd_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vformat_at(p->err->text, sizeof(p->err->text), p->file, p->line,
	    fmt, ap);
	va_end(ap);
	return SPA_ERR_CONFIG;
}

static int
kd_nomem(struct kd_parser *p)
{
	kd_fail(p, "out of memory");
	return SPA_ERR_NOMEM;
}

static void
kd_warn_at(const char *file, unsigned int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
kd_warn_at(const char *file, unsigned int line, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	err_vformat_at(text, sizeof(text), file, line, fmt, ap);
	va_end(ap);
	log_warnx("%s", text);
}

static struct knock_door *
cur_door(struct kd_parser *p)
{
	return &p->conf->doors[p->conf->n - 1];
}

/* --- values -------------------------------------------------------------- */

static int
parse_seconds(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return SPA_ERR_ARG;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return SPA_ERR_ARG;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return SPA_ERR_ARG;
	}
	if (v < min)
		return SPA_ERR_ARG;
	*out = (uint32_t)v;
	return 0;
}

static int
store(struct kd_parser *p, char **dst, const char *v)
{
	char *copy = strdup(v);

	if (copy == NULL)
		return kd_nomem(p);
	free(*dst);
	*dst = copy;
	return 0;
}

/* An interface name as the kernel takes it: no path, no blanks. */
static bool
is_ifname(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < IF_NAMESIZE && strpbrk(s, "/ \t:") == NULL &&
	    strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* --- door settings ------------------------------------------------------- */

static int
h_sequence(struct kd_parser *p, const struct kd_setting *s, char *v)
{
	const char *why = NULL;
	size_t entry = 0;

	if (knock_seq_parse_knockd(v, &cur_door(p)->seq, &why, &entry) != 0)
		return kd_fail(p, "sequence: entry #%zu: %s", entry, why);
	return 0;
}

static int
h_seq_timeout(struct kd_parser *p, const struct kd_setting *s, char *v)
{
	if (parse_seconds(v, 1, KNOCK_TIMEOUT_MAX,
	    &cur_door(p)->seq_timeout) != 0)
		return kd_fail(p, "seq_timeout must be a number of seconds "
		    "from 1 to %d", KNOCK_TIMEOUT_MAX);
	return 0;
}

static int
h_cmd_timeout(struct kd_parser *p, const struct kd_setting *s, char *v)
{
	if (parse_seconds(v, 1, KNOCK_TIMEOUT_MAX,
	    &cur_door(p)->cmd_timeout) != 0)
		return kd_fail(p, "cmd_timeout must be a number of seconds "
		    "from 1 to %d", KNOCK_TIMEOUT_MAX);
	return 0;
}

static const struct {
	const char	*name;
	uint8_t		 bit;
} tcp_flags[] = {
	{ "FIN", KNOCK_TCP_FIN }, { "SYN", KNOCK_TCP_SYN },
	{ "RST", KNOCK_TCP_RST }, { "PSH", KNOCK_TCP_PSH },
	{ "ACK", KNOCK_TCP_ACK }, { "URG", KNOCK_TCP_URG },
};

static int
tcp_flag_bit(const char *s, size_t len, uint8_t *bit)
{
	size_t i;

	for (i = 0; i < sizeof(tcp_flags) / sizeof(tcp_flags[0]); i++)
		if (len == 3 && strncasecmp(s, tcp_flags[i].name, 3) == 0) {
			*bit = tcp_flags[i].bit;
			return 0;
		}
	return SPA_ERR_ARG;
}

/* One "syn" or "!ack"; the same flag both ways is a contradiction. */
static int
tcp_flag(struct kd_parser *p, struct knock_door *d, size_t i, const char *s,
    size_t len)
{
	bool neg = len > 0 && *s == '!';
	uint8_t bit = 0;

	if (tcp_flag_bit(s + neg, len - neg, &bit) != 0)
		return kd_fail(p, "tcpflags: entry #%zu is not one of fin, "
		    "syn, rst, psh, ack, urg (each may follow a '!')", i);
	if ((neg ? d->tcp_set : d->tcp_clear) & bit)
		return kd_fail(p, "tcpflags: entry #%zu contradicts an earlier "
		    "one (a flag cannot be both set and not set)", i);
	if (neg)
		d->tcp_clear |= bit;
	else
		d->tcp_set |= bit;
	return 0;
}

static int
h_tcpflags(struct kd_parser *p, const struct kd_setting *s, char *v)
{
	struct knock_door *d = cur_door(p);
	size_t i = 1, len;
	char *tok, *end;
	int r;

	for (tok = v;; tok = end + 1, i++) {
		end = tok + strcspn(tok, ",");
		tok += strspn(tok, " \t");
		len = (size_t)(end - tok);
		while (len > 0 && (tok[len - 1] == ' ' || tok[len - 1] == '\t'))
			len--;
		if ((r = tcp_flag(p, d, i, tok, len)) != 0)
			return r;
		if (*end == '\0')
			return 0;
	}
}

static int
h_command(struct kd_parser *p, const struct kd_setting *s, char *v)
{
	if (strlen(v) > KD_CMD_MAX)
		return kd_fail(p, "%s is longer than %d characters", s->name,
		    KD_CMD_MAX);
	return store(p, (char **)(void *)((char *)cur_door(p) + s->off), v);
}

static int
h_target(struct kd_parser *p, const struct kd_setting *s, char *v)
{
	struct knock_door *d = cur_door(p);

	if (addr_parse(v, &d->target) != 0)
		return kd_fail(p, "target must be an IPv4 or IPv6 address "
		    "(no names: knockd compares it as text with the "
		    "packet's destination)");
	d->has_target = true;
	return 0;
}

static int
h_interface(struct kd_parser *p, const struct kd_setting *s, char *v)
{
	if (!is_ifname(v))
		return kd_fail(p, "interface must be an interface name (as "
		    "eth0, at most %d characters)", IF_NAMESIZE - 1);
	return store(p, &cur_door(p)->interface, v);
}

/* Read the one-time file; defined with the file readers below. */
static int	h_one_time(struct kd_parser *, const struct kd_setting *,
		    char *);

#define OFF(field)	offsetof(struct knock_door, field)

static const struct kd_setting door_settings[] = {
	{ "SEQUENCE", h_sequence, KS_SEQUENCE, 0, false },
	{ "ONE_TIME_SEQUENCES", h_one_time, KS_ONE_TIME, 0, false },
	{ "SEQ_TIMEOUT", h_seq_timeout, KS_SEQ_TIMEOUT, 0, false },
	{ "TIMEOUT", h_seq_timeout, KS_SEQ_TIMEOUT, 0, false },
	{ "TCPFLAGS", h_tcpflags, KS_TCPFLAGS, 0, false },
	{ "START_COMMAND", h_command, KS_START, OFF(start_command), false },
	{ "COMMAND", h_command, KS_START, OFF(start_command), false },
	{ "START_COMMAND_6", h_command, KS_START6, OFF(start_command6), true },
	{ "COMMAND_6", h_command, KS_START6, OFF(start_command6), true },
	{ "STOP_COMMAND", h_command, KS_STOP, OFF(stop_command), false },
	{ "STOP_COMMAND_6", h_command, KS_STOP6, OFF(stop_command6), true },
	{ "CMD_TIMEOUT", h_cmd_timeout, KS_CMD_TIMEOUT, 0, false },
	{ "TARGET", h_target, KS_TARGET, 0, false },
	{ "INTERFACE", h_interface, KS_INTERFACE, 0, false },
};

static const struct kd_setting *
find_door_setting(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(door_settings) / sizeof(door_settings[0]); i++)
		if (strcasecmp(key, door_settings[i].name) == 0)
			return &door_settings[i];
	return NULL;
}

/* --- files (knock_file.c) ------------------------------------------------ */

/* A failure there, at the current position; its code is kept. */
static int
kd_file_fail(struct kd_parser *p, int r, const char *why)
{
	kd_fail(p, "%s", why);
	return r;
}

static int
read_trusted(struct kd_parser *p, const char *path, char **out, size_t *len)
{
	char why[400];
	int r;

	if ((r = trust_read(path, 0, KNOCK_FILE_MAX, out, len, why,
	    sizeof(why))) != 0)
		return kd_file_fail(p, r, why);
	return 0;
}

static int
h_one_time(struct kd_parser *p, const struct kd_setting *s, char *v)
{
	struct knock_door *d = cur_door(p);
	char *buf = NULL, why[400];
	size_t len = 0;
	int r;

	if (v[0] != '/')
		return kd_fail(p, "one_time_sequences must be an absolute "
		    "path");
	if ((r = store(p, &d->one_time_path, v)) != 0 ||
	    (r = read_trusted(p, v, &buf, &len)) != 0)
		return r;
	r = knock_one_time_parse(v, buf, len, d, why, sizeof(why));
	free(buf);
	return r != 0 ? kd_file_fail(p, r, why) : 0;
}

/* --- doors --------------------------------------------------------------- */

static int
check_door(struct kd_parser *p)
{
	struct knock_door *d = cur_door(p);

	p->line = d->line;
	if (d->seq.n == 0 && d->one_time_path == NULL)
		return kd_fail(p, "door [%s] has no sequence (sequence or "
		    "one_time_sequences)", d->name);
	if (d->start_command == NULL)
		return kd_fail(p, "door [%s] runs no command (start_command "
		    "or command)", d->name);
	if (p->marks[KS_CMD_TIMEOUT] != 0 && d->stop_command == NULL)
		kd_warn_at(p->file, p->marks[KS_CMD_TIMEOUT], "door [%s]: "
		    "cmd_timeout without stop_command has no effect", d->name);
	if (d->stop_command6 != NULL && d->stop_command == NULL &&
	    d->start_command6 == NULL)
		kd_warn_at(p->file, p->marks[KS_STOP6], "door [%s]: "
		    "stop_command_6 closes what start_command opened for "
		    "IPv6 knockers", d->name);
	return 0;
}

/* Close the door being read, if any. */
static int
close_section(struct kd_parser *p)
{
	unsigned int line = p->line;
	int r = 0;

	if (p->sec == SEC_DOOR)
		r = check_door(p);
	p->line = line;
	return r;
}

static bool
is_door_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > KNOCK_NAME_MAX)
		return false;
	for (; *s != '\0'; s++)
		if (!isprint((unsigned char)*s))
			return false;
	return true;
}

static int
check_unique(struct kd_parser *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->conf->n; i++)
		if (strcmp(p->conf->doors[i].name, name) == 0)
			return kd_fail(p, "door [%s] is already defined at "
			    "line %u (a door's name is its identity in logs "
			    "and state)", name, p->conf->doors[i].line);
	return 0;
}

static int
open_door(struct kd_parser *p, const char *name)
{
	struct knock_door *v, *d;
	int r;

	if ((r = check_unique(p, name)) != 0)
		return r;
	v = reallocarray(p->conf->doors, p->conf->n + 1, sizeof(*v));
	if (v == NULL)
		return kd_nomem(p);
	p->conf->doors = v;
	d = &v[p->conf->n++];
	memset(d, 0, sizeof(*d));
	d->line = p->line;
	d->seq_timeout = KNOCK_DEF_SEQ_TIMEOUT;
	d->cmd_timeout = KNOCK_DEF_CMD_TIMEOUT;
	if ((d->name = strdup(name)) == NULL ||
	    (d->file = strdup(p->file)) == NULL)
		return kd_nomem(p);
	return 0;
}

/* "[name]": [options] is knockd's one special name (case matters). */
static int
section(struct kd_parser *p, char *s, size_t n)
{
	char *name = s + 1;
	int r;

	s[n - 1] = '\0';
	if ((r = close_section(p)) != 0)
		return r;
	memset(p->marks, 0, sizeof(p->marks));
	if (strcmp(name, "options") == 0) {
		p->sec = SEC_OPTIONS;
		return 0;
	}
	if (!is_door_name(name))
		return kd_fail(p, "a door's name must be 1 to %d printable "
		    "characters", KNOCK_NAME_MAX);
	p->sec = SEC_DOOR;
	return open_door(p, name);
}

/* --- settings ------------------------------------------------------------ */

static bool
shown_key(const char *key)
{
	size_t n = strlen(key);

	return n > 0 && n <= KD_KEY_SHOWN &&
	    strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-") == n;
}

static int
unknown_key(struct kd_parser *p, const char *key, const char *where)
{
	if (shown_key(key))
		return kd_fail(p, "unknown setting '%s' %s", key, where);
	return kd_fail(p, "unknown setting (its text is not shown) %s",
	    where);
}

static int
check_door_duplicate(struct kd_parser *p, const struct kd_setting *s)
{
	unsigned int first = p->marks[s->slot];

	if (first == 0)
		return 0;
	if (strcmp(p->mark_names[s->slot], s->name) != 0)
		return kd_fail(p, "%s repeats %s (line %u): give it once",
		    s->name, p->mark_names[s->slot], first);
	return kd_fail(p, "duplicate %s (first set at line %u)", s->name,
	    first);
}

static int
door_setting(struct kd_parser *p, const char *key, char *value)
{
	const struct kd_setting *s = find_door_setting(key);
	enum kd_slot other;
	int r;

	if (s == NULL)
		return unknown_key(p, key, "in a door (knockd(1) lists "
		    "them)");
	if (*value == '\0' && !s->may_be_empty)
		return kd_fail(p, "missing value for %s", s->name);
	if ((r = check_door_duplicate(p, s)) != 0)
		return r;
	other = s->slot == KS_SEQUENCE ? KS_ONE_TIME :
	    s->slot == KS_ONE_TIME ? KS_SEQUENCE : KS_COUNT;
	if (other != KS_COUNT && p->marks[other] != 0)
		return kd_fail(p, "sequence and one_time_sequences exclude "
		    "each other (the other is at line %u)", p->marks[other]);
	if ((r = s->handler(p, s, value)) != 0)
		return r;
	p->marks[s->slot] = p->line;
	p->mark_names[s->slot] = s->name;
	return 0;
}

static int
option_once(struct kd_parser *p, unsigned int *mark, const char *name)
{
	if (*mark != 0)
		return kd_fail(p, "duplicate %s (first set at line %u)", name,
		    *mark);
	*mark = p->line;
	return 0;
}

static int
option_interface(struct kd_parser *p, const char *value)
{
	int r;

	if ((r = option_once(p, &p->opt_if, "Interface")) != 0)
		return r;
	if (!is_ifname(value))
		return kd_fail(p, "Interface must be an interface name (as "
		    "eth0, at most %d characters)", IF_NAMESIZE - 1);
	return store(p, &p->conf->interface, value);
}

/* LogFile and PidFile: accepted, so that knockd's files load as they are. */
static int
option_setting(struct kd_parser *p, const char *key, char *value)
{
	int r;

	if (strcasecmp(key, "INTERFACE") == 0)
		return option_interface(p, value);
	if (strcasecmp(key, "LOGFILE") == 0) {
		if ((r = option_once(p, &p->opt_log, "LogFile")) == 0)
			kd_warn_at(p->file, p->line, "LogFile has no effect: "
			    "spagated logs each decision through its own log "
			    "(syslog, the journal or stderr)");
		return r;
	}
	if (strcasecmp(key, "PIDFILE") == 0) {
		if ((r = option_once(p, &p->opt_pid, "PidFile")) == 0)
			kd_warn_at(p->file, p->line, "PidFile has no effect: "
			    "spagated writes its own pid file");
		return r;
	}
	if (find_door_setting(key) != NULL)
		return kd_fail(p, "%s belongs in a door, not in [options]",
		    key);
	return unknown_key(p, key, "in [options] (UseSyslog, LogFile, "
	    "PidFile, Interface)");
}

/* "key = value", or knockd's one bare word, UseSyslog (any section). */
static int
setting(struct kd_parser *p, char *s)
{
	char *eq = strchr(s, '='), *key = s, *value, *end;

	end = eq != NULL ? eq : s + strlen(s);
	while (end > key && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	value = eq != NULL ? eq + 1 + strspn(eq + 1, " \t") : NULL;
	if (strcasecmp(key, "USESYSLOG") == 0) {
		if (eq != NULL)
			return kd_fail(p, "UseSyslog takes no value");
		p->conf->use_syslog = true;
		return 0;
	}
	if (p->sec == SEC_NONE)
		return kd_fail(p, "a setting before the first section (all "
		    "settings belong to [options] or a door)");
	if (eq == NULL)
		return kd_fail(p, "expected key = value");
	if (*key == '\0')
		return kd_fail(p, "missing key before '='");
	return p->sec == SEC_OPTIONS ? option_setting(p, key, value) :
	    door_setting(p, key, value);
}

/* --- lines --------------------------------------------------------------- */

static char *
trim(char *s, size_t *n)
{
	while (*n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		(*n)--;
	}
	while (*n > 0 && (s[*n - 1] == ' ' || s[*n - 1] == '\t' ||
	    s[*n - 1] == '\r'))
		(*n)--;
	s[*n] = '\0';
	return s;
}

static int
parse_line(struct kd_parser *p, char *s, size_t n)
{
	if (n > KNOCK_LINE_MAX)
		return kd_fail(p, "line is longer than %d bytes",
		    KNOCK_LINE_MAX);
	if (memchr(s, '\0', n) != NULL)
		return kd_fail(p, "line contains a NUL byte");
	s = trim(s, &n);
	if (n == 0 || *s == '#')
		return 0;
	if (*s == '[' && n >= 2 && s[n - 1] == ']')
		return section(p, s, n);
	if (*s == '[')
		return kd_fail(p, "a section name must end with ']'");
	return setting(p, s);
}

/* Parse a buffer holding len bytes plus a spare byte. */
static int
parse_buffer(struct kd_parser *p, char *buf, size_t len)
{
	char *s = buf, *end = buf + len, *nl;
	int r;

	for (; s < end; s = nl + 1) {
		p->line++;
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		if ((r = parse_line(p, s, (size_t)(nl - s))) != 0)
			return r;
	}
	if ((r = close_section(p)) != 0)
		return r;
	p->line = 0;
	if (p->conf->n == 0)
		return kd_fail(p, "no door (a [name] section with a "
		    "sequence): knocks would open nothing");
	return 0;
}

/* [options] Interface is the default of every door without its own. */
static int
apply_interface(struct kd_parser *p)
{
	size_t i;

	for (i = 0; i < p->conf->n && p->conf->interface != NULL; i++)
		if (p->conf->doors[i].interface == NULL &&
		    (p->conf->doors[i].interface =
		    strdup(p->conf->interface)) == NULL)
			return kd_nomem(p);
	return 0;
}

/* --- loading ------------------------------------------------------------- */

int
knockd_load_buffer(const char *name, const char *buf, size_t len,
    struct knockd_conf **out, struct knockd_error *err)
{
	struct kd_parser p;
	char *copy = NULL;
	int r;

	memset(&p, 0, sizeof(p));
	memset(err, 0, sizeof(*err));
	p.file = name;
	p.err = err;
	*out = NULL;
	if ((p.conf = calloc(1, sizeof(*p.conf))) == NULL ||
	    (copy = malloc(len + 1)) == NULL) {
		free(p.conf);
		return kd_nomem(&p);
	}
	if (len > 0)
		memcpy(copy, buf, len);
	if ((r = parse_buffer(&p, copy, len)) == 0)
		r = apply_interface(&p);
	free(copy);
	if (r != 0) {
		knockd_free(p.conf);
		return r;
	}
	*out = p.conf;
	return 0;
}

int
knockd_load(const char *path, struct knockd_conf **out,
    struct knockd_error *err)
{
	struct kd_parser p;
	char *buf = NULL;
	size_t len = 0;
	int r;

	memset(&p, 0, sizeof(p));
	memset(err, 0, sizeof(*err));
	p.err = err;
	*out = NULL;
	if ((r = read_trusted(&p, path, &buf, &len)) != 0)
		return r;
	r = knockd_load_buffer(path, buf, len, out, err);
	free(buf);
	return r;
}

void
knockd_free(struct knockd_conf *conf)
{
	size_t i;

	if (conf == NULL)
		return;
	for (i = 0; i < conf->n; i++)
		knock_door_clear(&conf->doors[i]);
	free(conf->doors);
	free(conf->interface);
	free(conf);
}
