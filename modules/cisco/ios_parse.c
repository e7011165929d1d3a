/* Reading an IOS CLI: prompts, '%' lines, ACL listings.  See ios_parse.h. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "ios_parse.h"

enum { ESC_NONE, ESC_START, ESC_CSI };

static const char *const months[] = { "January", "February", "March",
    "April", "May", "June", "July", "August", "September", "October",
    "November", "December" };

void
ios_reader_reset(struct ios_reader *r)
{
	r->len = r->line = 0;
	r->esc = ESC_NONE;
	r->truncated = false;
	r->text[0] = '\0';
	r->error[0] = '\0';
}

/* Keep the newer half when full: a prompt is always at the end. */
static void
make_room(struct ios_reader *r)
{
	size_t drop = r->len / 2;

	memmove(r->text, r->text + drop, r->len - drop);
	r->len -= drop;
	r->line = r->line > drop ? r->line - drop : 0;
	r->truncated = true;
}

/* A line is complete: the first one starting with '%' is the error. */
static void
end_line(struct ios_reader *r)
{
	size_t n = r->len - r->line;

	if (r->error[0] != '\0' || n == 0 || r->text[r->line] != '%')
		return;
	if (n >= sizeof(r->error))
		n = sizeof(r->error) - 1;
	memcpy(r->error, r->text + r->line, n);
	r->error[n] = '\0';
}

/* Escape sequences: ESC [ params final, or ESC and one byte. */
static bool
in_escape(struct ios_reader *r, unsigned char c)
{
	switch (r->esc) {
	case ESC_START:
		r->esc = c == '[' ? ESC_CSI : ESC_NONE;
		return true;
	case ESC_CSI:
		if (c >= 0x40 && c <= 0x7e)
			r->esc = ESC_NONE;
		return true;
	default:
		if (c != 0x1b)
			return false;
		r->esc = ESC_START;
		return true;
	}
}

static void
feed_one(struct ios_reader *r, unsigned char c)
{
	if (in_escape(r, c))
		return;
	if (c == '\b' || c == 0x7f) {
		if (r->len > r->line)
			r->len--;
		return;
	}
	if (c == '\n') {
		end_line(r);
		if (r->len + 1 >= sizeof(r->text))
			make_room(r);
		r->text[r->len++] = '\n';
		r->line = r->len;
		return;
	}
	if (c == '\t')
		c = ' ';
	if (c < 0x20)
		return;		/* CR, BEL, NUL: nothing a reader needs */
	if (r->len + 1 >= sizeof(r->text))
		make_room(r);
	r->text[r->len++] = (char)c;
}

void
ios_reader_feed(struct ios_reader *r, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < n; i++)
		feed_one(r, p[i]);
	r->text[r->len] = '\0';
}

void
ios_reader_cut_line(struct ios_reader *r)
{
	r->len = r->line;
	r->text[r->len] = '\0';
}

static bool
ends_with(const char *s, size_t n, const char *tail)
{
	size_t t = strlen(tail);

	return n >= t && strncasecmp(s + n - t, tail, t) == 0;
}

static bool
host_char(char c)
{
	return isalnum((unsigned char)c) || strchr("._-/:", c) != NULL;
}

/* " --More-- ": IOS pages output when the terminal has a length. */
static bool
is_pager(const char *s, size_t n)
{
	while (n > 0 && *s == ' ') {
		s++;
		n--;
	}
	while (n > 0 && s[n - 1] == ' ')
		n--;
	return n == 8 && memcmp(s, "--More--", 8) == 0;
}

/* "HOST>" "HOST#" "HOST(mode)#", a space allowed after; or a pager. */
static enum ios_prompt
classify(const char *s, size_t n)
{
	size_t i = 0, mode;

	if (is_pager(s, n))
		return IOS_PROMPT_MORE;
	if (n > 0 && s[n - 1] == ' ')
		n--;
	if (ends_with(s, n, "password:"))
		return IOS_PROMPT_PASSWORD;
	if (ends_with(s, n, "]?"))
		return IOS_PROMPT_CONFIRM;
	while (i < n && host_char(s[i]))
		i++;
	if (i == 0 || i + 1 > n)
		return IOS_PROMPT_NONE;
	if (s[i] == '(') {
		mode = i++;
		while (i < n && (islower((unsigned char)s[i]) ||
		    isdigit((unsigned char)s[i]) || s[i] == '-'))
			i++;
		if (i == mode + 1 || i + 2 != n || s[i] != ')' ||
		    s[i + 1] != '#')
			return IOS_PROMPT_NONE;
		return IOS_PROMPT_CONFIG;
	}
	if (i + 1 != n)
		return IOS_PROMPT_NONE;
	return s[i] == '>' ? IOS_PROMPT_USER : s[i] == '#' ?
	    IOS_PROMPT_PRIV : IOS_PROMPT_NONE;
}

enum ios_prompt
ios_reader_prompt(const struct ios_reader *r, const char *cmd)
{
	const char *echo;

	if (cmd != NULL && *cmd != '\0') {
		/* the echo must end before the prompt's line begins */
		if ((echo = strstr(r->text, cmd)) == NULL ||
		    (size_t)(echo - r->text) + strlen(cmd) > r->line)
			return IOS_PROMPT_NONE;
	}
	return classify(r->text + r->line, r->len - r->line);
}

/* "    10010 permit ..." lines; anything else is skipped. */
size_t
ios_acl_seqs(const char *text, uint32_t first, uint32_t last,
    void (*cb)(void *arg, uint32_t seq), void *arg)
{
	const char *p = text, *e;
	unsigned long v;
	char *end;
	size_t n = 0;

	for (; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		if (*p != ' ')
			continue;
		while (p < e && *p == ' ')
			p++;
		if (!isdigit((unsigned char)*p))
			continue;
		v = strtoul(p, &end, 10);
		if (end >= e || *end != ' ' || v < first || v > last)
			continue;
		cb(arg, (uint32_t)v);
		n++;
	}
	return n;
}

static bool
safe_word(const char *w)
{
	size_t n = strlen(w);

	return n > 0 && n < 64 && strspn(w, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./:_-") == n;
}

/* Dotted-quad text: an IPv4 address or wildcard mask. */
static bool
ipv4_word(const char *w)
{
	struct in_addr a;

	return strspn(w, "0123456789.") == strlen(w) &&
	    inet_pton(AF_INET, w, &a) == 1;
}

/* "X:X::X" or "X:X::X/len" (len 0..128), as IOS reads IPv6 entries. */
static bool
ipv6_word(const char *w, bool *prefix)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(w, '/');
	struct in6_addr a;
	size_t n = slash != NULL ? (size_t)(slash - w) : strlen(w);
	char *end;
	unsigned long len;

	*prefix = slash != NULL;
	if (n == 0 || n >= sizeof(addr))
		return false;
	memcpy(addr, w, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET6, addr, &a) != 1)
		return false;
	if (slash == NULL)
		return true;
	if (!isdigit((unsigned char)slash[1]) || strlen(slash + 1) > 3)
		return false;
	len = strtoul(slash + 1, &end, 10);
	return *end == '\0' && len <= 128;
}

/*
 * IPv6 entries have no wildcard masks: an address follows "host", a
 * prefix stands alone.  NULL if words[i] (with a ':') is one of those.
 */
static const char *
ipv6_word_check(char *const *words, size_t i)
{
	bool prefix, after_host = i > 0 && strcmp(words[i - 1], "host") == 0;

	if (!ipv6_word(words[i], &prefix))
		return "a word with ':' is not an IPv6 address or "
		    "prefix (X:X::X or X:X::X/0..128)";
	if (prefix && after_host)
		return "an IPv6 prefix takes no \"host\" before it";
	if (!prefix && !after_host)
		return "an IPv6 address takes \"host\" before it or a "
		    "/length after it (IPv6 entries have no wildcard masks)";
	return NULL;
}

static const char *
ace_word_check(char *const *words, size_t i, bool *v4, bool *v6)
{
	if (!safe_word(words[i]))
		return "an entry word holds a character other than "
		    "A-Z a-z 0-9 . / : _ - (or is empty or too long)";
	if (strcmp(words[i], "time-range") == 0 ||
	    strcmp(words[i], "sequence") == 0 ||
	    strcmp(words[i], "remark") == 0)
		return "time-range, sequence and remark are the "
		    "module's to add";
	if (strchr(words[i], ':') != NULL) {
		*v6 = true;
		return ipv6_word_check(words, i);
	}
	if (ipv4_word(words[i]))
		*v4 = true;
	return NULL;
}

const char *
ios_ace_check(char *const *words, size_t n)
{
	bool v4 = false, v6 = false;
	const char *why;
	size_t i;

	if (n < 4)
		return "an entry needs at least: permit|deny PROTO SRC DST";
	if (strcmp(words[0], "permit") != 0 && strcmp(words[0], "deny") != 0)
		return "an entry starts with permit or deny (no sequence "
		    "number: the module allocates it)";
	for (i = 0; i < n; i++)
		if ((why = ace_word_check(words, i, &v4, &v6)) != NULL)
			return why;
	if (v4 && v6)
		return "an entry mixes IPv4 and IPv6 addresses (one list "
		    "holds one family)";
	return NULL;
}

int
ios_ace_family(char *const *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strchr(words[i], ':') != NULL)
			return AF_INET6;
	return AF_INET;
}

int
ios_absolute_end(time_t t, long offset, char *buf, size_t len)
{
	struct tm tm;
	time_t at;
	int n;

	bool capped;

	if (__builtin_add_overflow(t, (time_t)offset, &at) ||
	    gmtime_r(&at, &tm) == NULL)
		return -1;
	if ((capped = at > IOS_END_MAX)) {
		at = IOS_END_MAX;
		gmtime_r(&at, &tm);
	}
	n = snprintf(buf, len, "absolute end %02d:%02d %d %s %d", tm.tm_hour,
	    tm.tm_min, tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return capped ? IOS_END_CAPPED : 0;
}

/* Exactly `min` to `max` digits: their value, else -1 (p not moved). */
static int
digits(const char **pp, int min, int max)
{
	const char *p = *pp;
	int n = 0, v = 0;

	while (n < max && isdigit((unsigned char)p[n]))
		v = v * 10 + (p[n++] - '0');
	if (n < min || isdigit((unsigned char)p[n]))
		return -1;
	*pp = p + n;
	return v;
}

/* One or more spaces. */
static bool
blanks(const char **pp)
{
	const char *p = *pp;

	while (*p == ' ')
		p++;
	if (p == *pp)
		return false;
	*pp = p;
	return true;
}

/* A three-letter name from `names`, a whole word: its index, else -1. */
static int
abbr(const char **pp, const char *const *names, int n)
{
	const char *p = *pp;
	int i;

	for (i = 0; i < n; i++)
		if (strncmp(p, names[i], 3) == 0 &&
		    !isalnum((unsigned char)p[3])) {
			*pp = p + 3;
			return i;
		}
	return -1;
}

static int
month_days(int mon, int year)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return mon == 1 && leap ? 29 : days[mon];
}

/* "HH:MM:SS.mmm ZONE Www Mmm D YYYY" at p, strictly. */
static int
clock_at(const char *p, struct tm *tm)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	static const char *const wday[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	size_t zone;

	memset(tm, 0, sizeof(*tm));
	if ((tm->tm_hour = digits(&p, 1, 2)) < 0 || *p++ != ':' ||
	    (tm->tm_min = digits(&p, 2, 2)) < 0 || *p++ != ':' ||
	    (tm->tm_sec = digits(&p, 2, 2)) < 0 || *p++ != '.' ||
	    digits(&p, 1, 9) < 0 || !blanks(&p))
		return -1;
	/* the zone is the device's name for it: a word */
	zone = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789+-_");
	if (zone == 0 || zone > 15)
		return -1;
	p += zone;
	if (!blanks(&p) || abbr(&p, wday, 7) < 0 || !blanks(&p) ||
	    (tm->tm_mon = abbr(&p, mon, 12)) < 0 || !blanks(&p) ||
	    (tm->tm_mday = digits(&p, 1, 2)) < 0 || !blanks(&p) ||
	    (tm->tm_year = digits(&p, 4, 4)) < 0 ||
	    isalnum((unsigned char)*p))
		return -1;
	if (tm->tm_hour > 23 || tm->tm_min > 59 || tm->tm_sec > 60 ||
	    tm->tm_year < 1993 || tm->tm_year > 2100 || tm->tm_mday < 1 ||
	    tm->tm_mday > month_days(tm->tm_mon, tm->tm_year))
		return -1;
	tm->tm_year -= 1900;
	return 0;
}

/*
 * "*10:01:02.345 UTC Mon Mar 4 2024" (the zone name is the device's):
 * the first time of that exact shape, anywhere in the text.
 */
int
ios_clock_parse(const char *text, time_t *out)
{
	const char *p;
	struct tm tm;

	for (p = text; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p) || (p != text &&
		    isdigit((unsigned char)p[-1])))
			continue;
		if (clock_at(p, &tm) == 0) {
			*out = timegm(&tm);
			return 0;
		}
	}
	return -1;
}
