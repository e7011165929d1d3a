/*
 * one_time_sequences files (knock.h): their sequences, read into a door.
 * The files themselves are read by trust_read (trust.h): they name who
 * gets in and what root runs.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "knock.h"

static int
fail(char *why, size_t len, int r, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(char *why, size_t len, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return r;
}

static int
add_one_time(struct knock_door *d, const struct knock_seq *seq)
{
	struct knock_seq *v;

	v = reallocarray(d->one_time, d->n_one_time + 1, sizeof(*v));
	if (v == NULL)
		return SPA_ERR_NOMEM;
	d->one_time = v;
	d->one_time[d->n_one_time++] = *seq;
	return 0;
}

/* One line: blank and '#' lines (used ones, as knockd marks them) skipped. */
static int
one_time_line(struct knock_door *d, const char *path, unsigned int line,
    char *s, char *why, size_t whylen)
{
	struct knock_seq seq;
	const char *bad = NULL;
	size_t entry = 0;

	s += strspn(s, " \t");
	if (*s == '\0' || *s == '#')
		return 0;
	if (knock_seq_parse_knockd(s, &seq, &bad, &entry) != 0)
		return fail(why, whylen, SPA_ERR_CONFIG, "one_time_sequences: "
		    "%s:%u: entry #%zu: %s", path, line, entry, bad);
	seq.line = line;
	if (add_one_time(d, &seq) != 0)
		return fail(why, whylen, SPA_ERR_NOMEM, "out of memory");
	return 0;
}

int
knock_one_time_parse(const char *path, char *buf, size_t len,
    struct knock_door *d, char *why, size_t whylen)
{
	char *s = buf, *nl;
	unsigned int line = 0;
	int r;

	if (memchr(buf, '\0', len) != NULL)
		return fail(why, whylen, SPA_ERR_CONFIG, "one_time_sequences: "
		    "%s contains a NUL byte", path);
	for (; s < buf + len; s = nl + 1) {
		line++;
		if ((nl = strchr(s, '\n')) == NULL)
			nl = buf + len;
		*nl = '\0';
		if (nl > s && nl[-1] == '\r')
			nl[-1] = '\0';
		if (strlen(s) > KNOCK_LINE_MAX)
			return fail(why, whylen, SPA_ERR_CONFIG,
			    "one_time_sequences: %s:%u: line is longer than "
			    "%d bytes", path, line, KNOCK_LINE_MAX);
		if ((r = one_time_line(d, path, line, s, why, whylen)) != 0)
			return r;
	}
	if (d->n_one_time == 0)
		return fail(why, whylen, SPA_ERR_CONFIG, "one_time_sequences: "
		    "%s holds no unused sequence (knockd refuses to start too)",
		    path);
	return 0;
}
