/*
 * One access-list entry in a form both sides of a comparison share: the
 * text the module sent and the text the device shows for it differ in
 * ways IOS decides (port names for numbers, "host A" for "A 0.0.0.0",
 * upper-case IPv6, options reordered, "(active)" and match counters), so
 * both are parsed into one canonical text before they are compared.
 * Only the subset of entries a policy may hold (ios_ace_check) and IOS
 * may show for them is understood; anything else is refused, so that an
 * entry spagated cannot read is never taken for its own.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "crypto.h"
#include "ios_parse.h"

#define WORDS_MAX	48

struct name_num {
	const char	*name;
	unsigned int	 num;
};

/* The names IOS shows instead of numbers. */
static const struct name_num protos[] = {
	{ "icmp", 1 }, { "igmp", 2 }, { "ipinip", 4 }, { "tcp", 6 },
	{ "udp", 17 }, { "gre", 47 }, { "esp", 50 }, { "ahp", 51 },
	{ "eigrp", 88 }, { "ospf", 89 }, { "pim", 103 }, { "pcp", 108 },
	{ NULL, 0 }
};
static const struct name_num tcp_ports[] = {
	{ "bgp", 179 }, { "chargen", 19 }, { "cmd", 514 }, { "daytime", 13 },
	{ "discard", 9 }, { "domain", 53 }, { "drip", 3949 }, { "echo", 7 },
	{ "exec", 512 }, { "finger", 79 }, { "ftp", 21 }, { "ftp-data", 20 },
	{ "gopher", 70 }, { "hostname", 101 }, { "ident", 113 },
	{ "irc", 194 }, { "klogin", 543 }, { "kshell", 544 },
	{ "login", 513 }, { "lpd", 515 }, { "msrpc", 135 }, { "nntp", 119 },
	{ "onep-plain", 15001 }, { "onep-tls", 15002 },
	{ "pim-auto-rp", 496 }, { "pop2", 109 }, { "pop3", 110 },
	{ "smtp", 25 }, { "sunrpc", 111 }, { "tacacs", 49 }, { "talk", 517 },
	{ "telnet", 23 }, { "time", 37 }, { "uucp", 540 }, { "whois", 43 },
	{ "www", 80 }, { NULL, 0 }
};
static const struct name_num udp_ports[] = {
	{ "biff", 512 }, { "bootpc", 68 }, { "bootps", 67 }, { "discard", 9 },
	{ "dnsix", 195 }, { "domain", 53 }, { "echo", 7 }, { "isakmp", 500 },
	{ "mobile-ip", 434 }, { "nameserver", 42 }, { "netbios-dgm", 138 },
	{ "netbios-ns", 137 }, { "netbios-ss", 139 },
	{ "non500-isakmp", 4500 }, { "ntp", 123 }, { "pim-auto-rp", 496 },
	{ "rip", 520 }, { "snmp", 161 }, { "snmptrap", 162 },
	{ "sunrpc", 111 }, { "syslog", 514 }, { "tacacs", 49 },
	{ "talk", 517 }, { "tftp", 69 }, { "time", 37 }, { "who", 513 },
	{ "xdmcp", 177 }, { NULL, 0 }
};

struct canon {
	char		*w[WORDS_MAX];
	size_t		 n, i;
	bool		 v6;
	char		*out;
	size_t		 len, off;
	const char	*why;		/* the first reason, NULL while fine */
};

static void
put(struct canon *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct canon *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->why != NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(c->out + c->off, c->len - c->off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= c->len - c->off)
		c->why = "too long";
	else
		c->off += (size_t)n;
}

/* The next word, or NULL (and why) at the end. */
static const char *
next(struct canon *c)
{
	if (c->i >= c->n) {
		if (c->why == NULL)
			c->why = "the entry ends too early";
		return NULL;
	}
	return c->w[c->i++];
}

static bool
is(const char *w, const char *kw)
{
	return w != NULL && strcasecmp(w, kw) == 0;
}

/* Its number if `w` is 1 to 5 digits no larger than `max`, else -1. */
static long
number(const char *w, long max)
{
	char *end;
	long v;

	if (w == NULL || !isdigit((unsigned char)w[0]) || strlen(w) > 5)
		return -1;
	v = strtol(w, &end, 10);
	return *end == '\0' && v <= max ? v : -1;
}

static long
by_name(const struct name_num *t, const char *w)
{
	for (; t->name != NULL; t++)
		if (is(w, t->name))
			return (long)t->num;
	return -1;
}

static const char *
proto(struct canon *c)
{
	const char *w = next(c);
	long v = number(w, 255);
	const struct name_num *t;
	char *p;

	if (v >= 0) {
		for (t = protos; t->name != NULL; t++)
			if ((long)t->num == v)
				break;
		if (t->name == NULL) {
			put(c, " %ld", v);
			return "";
		}
		w = t->name;
	}
	if (w == NULL || strspn(w, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(w)) {
		c->why = c->why != NULL ? c->why : "bad protocol";
		return "";
	}
	if (v < 0) {		/* our copy of the word: lower case */
		for (p = c->w[c->i - 1]; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	put(c, " %s", w);
	return w;
}

static bool
quad(const char *w, uint32_t *out)
{
	struct in_addr a;

	if (w == NULL || strspn(w, "0123456789.") != strlen(w) ||
	    inet_pton(AF_INET, w, &a) != 1)
		return false;
	*out = ntohl(a.s_addr);
	return true;
}

static void
put_quad(struct canon *c, const char *pre, uint32_t v)
{
	struct in_addr a = { htonl(v) };
	char s[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, s, sizeof(s));
	put(c, "%s%s", pre, s);
}

/* any | host A | A WILDCARD: the address masked, as IOS shows it. */
static void
addr4(struct canon *c)
{
	const char *w = next(c);
	uint32_t a, m;

	if (is(w, "any")) {
		put(c, " any");
		return;
	}
	if (is(w, "host") && quad(next(c), &a)) {
		put_quad(c, " host ", a);
		return;
	}
	if (!quad(w, &a) || !quad(next(c), &m)) {
		c->why = c->why != NULL ? c->why : "bad IPv4 address";
		return;
	}
	if (m == 0xffffffffu)
		put(c, " any");
	else if (m == 0)
		put_quad(c, " host ", a);
	else {
		put_quad(c, " ", a & ~m);
		put_quad(c, " ", m);
	}
}

/* The address part of "X:X::X" or "X:X::X/len" (len kept), else false. */
static bool
v6_word(const char *w, struct in6_addr *in, long *len)
{
	char a[INET6_ADDRSTRLEN];
	size_t n = w != NULL ? strcspn(w, "/") : 0;

	if (n == 0 || n >= sizeof(a) || strchr(w, '%') != NULL)
		return false;
	memcpy(a, w, n);
	a[n] = '\0';
	*len = w[n] == '\0' ? -1 : number(w + n + 1, 128);
	return inet_pton(AF_INET6, a, in) == 1 && (w[n] == '\0' || *len >= 0);
}

/* any | host X:X::X | X:X::X/len, the prefix masked, in lower case. */
static void
addr6(struct canon *c)
{
	const char *w = next(c);
	char s[INET6_ADDRSTRLEN];
	struct in6_addr in;
	bool host = is(w, "host");
	long len, i;

	if (is(w, "any")) {
		put(c, " any");
		return;
	}
	if (host)
		w = next(c);
	if (!v6_word(w, &in, &len) || (host != (len < 0))) {
		c->why = c->why != NULL ? c->why : "bad IPv6 address";
		return;
	}
	for (i = 0; !host && i < 16; i++)
		if (i * 8 >= len)
			in.s6_addr[i] = 0;
		else if (i * 8 + 8 > len)
			in.s6_addr[i] &= (uint8_t)(0xff << (8 - (len - i * 8)));
	inet_ntop(AF_INET6, &in, s, sizeof(s));
	if (host)
		put(c, " host %s", s);
	else
		put(c, " %s/%ld", s, len);
}

static void
port(struct canon *c, const char *pr)
{
	const char *w = next(c);
	long v = number(w, 65535);

	if (v < 0)
		v = by_name(strcmp(pr, "tcp") == 0 ? tcp_ports : udp_ports, w);
	if (v < 0)
		c->why = c->why != NULL ? c->why : "bad port";
	else
		put(c, " %ld", v);
}

/* eq|gt|lt|neq P, range P P: true if the word was one. */
static bool
portspec(struct canon *c, const char *pr, const char *op)
{
	static const char *const ops[] = { "eq", "gt", "lt", "neq", "range" };
	size_t i;

	if (strcmp(pr, "tcp") != 0 && strcmp(pr, "udp") != 0)
		return false;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (is(op, ops[i]))
			break;
	if (i == sizeof(ops) / sizeof(ops[0]))
		return false;
	put(c, " %s", ops[i]);
	port(c, pr);
	if (i == 4)
		port(c, pr);
	return true;
}

/* A port specification written to `buf` instead of the output. */
static bool
portspec_into(struct canon *c, char *buf, size_t len, const char *pr,
    const char *op)
{
	char *out = c->out;
	size_t l = c->len, off = c->off;
	bool r;

	c->out = buf;
	c->len = len;
	c->off = 0;
	r = portspec(c, pr, op);
	c->out = out;
	c->len = l;
	c->off = off;
	return r;
}

/* After the destination: ports, established, log, time-range, once each. */
static void
options(struct canon *c, const char *pr)
{
	char dport[32] = "", tr[80] = "";
	const char *w, *est = "", *log = "";
	bool first = true;

	while (c->why == NULL && c->i < c->n) {
		w = next(c);
		if (first && portspec_into(c, dport, sizeof(dport), pr, w))
			;
		else if (is(w, "established") && strcmp(pr, "tcp") == 0 &&
		    *est == '\0')
			est = " established";
		else if ((is(w, "log") || is(w, "log-input")) && *log == '\0')
			log = is(w, "log") ? " log" : " log-input";
		else if (is(w, "time-range") && tr[0] == '\0' &&
		    (w = next(c)) != NULL && strlen(w) < 64)
			snprintf(tr, sizeof(tr), " time-range %s", w);
		else if (c->why == NULL)
			c->why = "an option spagated does not compare";
		first = false;
	}
	put(c, "%s%s%s%s", dport, est, log, tr);
}

/* The words of `text`, without "(active)", "(12 matches)" and the like. */
static void
split(struct canon *c, char *text)
{
	char *save = NULL, *w;
	int depth = 0;

	for (w = strtok_r(text, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		if (w[0] == '(')
			depth = 1;
		if (depth == 0 && c->n < WORDS_MAX)
			c->w[c->n++] = w;
		else if (depth == 0)
			c->why = "too many words";
		if (depth != 0 && w[strlen(w) - 1] == ')')
			depth = 0;
	}
}

const char *
ios_ace_canon(const char *text, bool v6, char *out, size_t len)
{
	struct canon c = { .v6 = v6, .out = out, .len = len };
	char buf[IOS_LINE_MAX * 2];
	const char *pr, *act;

	if (len == 0)
		return "no room";
	out[0] = '\0';
	if (strlen(text) >= sizeof(buf))
		return "too long";
	snprintf(buf, sizeof(buf), "%s", text);
	split(&c, buf);
	act = next(&c);
	if (c.why == NULL && !is(act, "permit") && !is(act, "deny"))
		c.why = "not permit or deny";
	put(&c, "%s", is(act, "permit") ? "permit" : "deny");
	pr = proto(&c);
	v6 ? addr6(&c) : addr4(&c);
	if (c.why == NULL && c.i < c.n && !portspec(&c, pr, c.w[c.i++]))
		c.i--;			/* not a source port */
	v6 ? addr6(&c) : addr4(&c);
	options(&c, pr);
	if (c.why != NULL)
		out[0] = '\0';
	return c.why;
}

int
ios_ace_digest(const char *text, bool v6, char *hex, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	uint8_t d[SPA_DIGEST_MAX_LEN];
	char canon[IOS_LINE_MAX * 2];
	size_t i;

	if (len < IOS_DIGEST_HEX + 1 ||
	    ios_ace_canon(text, v6, canon, sizeof(canon)) != NULL ||
	    crypto_hash(SPA_DIGEST_SHA256, canon, strlen(canon), d) != 0)
		return -1;
	for (i = 0; i < IOS_DIGEST_HEX / 2; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[IOS_DIGEST_HEX] = '\0';
	return 0;
}

/* Copy `n` bytes from `p`, blanks trimmed at both ends; false if no room. */
static bool
copy_trimmed(const char *p, size_t n, char *out, size_t len)
{
	while (n > 0 && *p == ' ')
		p++, n--;
	while (n > 0 && p[n - 1] == ' ')
		n--;
	if (n >= len)
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

/* "    10010 permit ...": the entry after the number, if it is `seq`. */
static bool
line4(const char *p, size_t n, uint32_t seq, char *ace, size_t len)
{
	char num[16];
	size_t d;

	if (n == 0 || p[0] != ' ')
		return false;
	while (n > 0 && *p == ' ')
		p++, n--;
	d = strspn(p, "0123456789");
	if (d == 0 || d >= n || d > 10 || p[d] != ' ')
		return false;
	snprintf(num, sizeof(num), "%u", seq);
	if (strlen(num) != d || strncmp(p, num, d) != 0)
		return false;
	return copy_trimmed(p + d, n - d, ace, len);
}

/* "    permit ... sequence 10010": the entry before it, if it is `seq`. */
static bool
line6(const char *p, size_t n, uint32_t seq, char *ace, size_t len)
{
	char tail[32];
	size_t t;

	if (n == 0 || p[0] != ' ')
		return false;
	while (n > 0 && p[n - 1] == ' ')
		n--;
	t = (size_t)snprintf(tail, sizeof(tail), " sequence %u", seq);
	if (n <= t || memcmp(p + n - t, tail, t) != 0)
		return false;
	return copy_trimmed(p, n - t, ace, len);
}

int
ios_acl_entry(const char *text, uint32_t seq, bool v6, char *ace,
    size_t len)
{
	const char *p = text, *e;
	size_t n;

	for (; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		n = (size_t)(e - p);
		if (v6 ? line6(p, n, seq, ace, len) :
		    line4(p, n, seq, ace, len))
			return 1;
	}
	if (len > 0)
		ace[0] = '\0';
	return 0;
}
