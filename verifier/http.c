/*
 * SPA over HTTP: the request line and headers of the fwknop client's
 * "-P http" request.  The request is at most HTTP_REQUEST_MAX bytes; every
 * line is parsed within those bounds and nothing is copied but the SPA
 * text and the X-Forwarded-For address.  Stricter than fwknopd, which only
 * looks for "GET /" and a "User-Agent: Fwknop" substring anywhere: here the
 * request line, each header line and the end of the header block must all
 * be well formed.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "b64.h"
#include "err.h"
#include "http.h"

#define HTTP_REQUEST_MAX	4096
#define SPA_TEXT_MAX		1499

/* A view of one line, without its CR LF or LF. */
struct line {
	const char	*p;
	size_t		 len;
};

static bool
next_line(const char **pos, const char *end, struct line *l)
{
	const char *nl = memchr(*pos, '\n', (size_t)(end - *pos));

	if (nl == NULL)
		return false;
	l->p = *pos;
	l->len = (size_t)(nl - *pos);
	if (l->len > 0 && l->p[l->len - 1] == '\r')
		l->len--;
	*pos = nl + 1;
	return true;
}

bool
http_is_request(const char *buf, size_t len)
{
	return (len >= 5 && strncasecmp(buf, "GET /", 5) == 0) ||
	    (len >= 11 && strncasecmp(buf, "GET http://", 11) == 0);
}

/* The block ends at an empty line: LF, an optional CR, LF. */
bool
http_request_complete(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p = nl + 1;
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			return true;
	}
	return false;
}

/* The URL-safe alphabet the client uses, back to standard base64. */
static int
copy_spa(const char *p, size_t n, struct http_spa *out)
{
	size_t i;
	char ch;

	if (n == 0 || n > SPA_TEXT_MAX)
		return SPA_ERR_HTTP;
	for (i = 0; i < n; i++) {
		ch = p[i];
		if (ch == '-')
			ch = '+';
		else if (ch == '_')
			ch = '/';
		if (!b64_is_alphabet(&ch, 1))
			return SPA_ERR_HTTP;
		out->spa[i] = ch;
	}
	out->spa[n] = '\0';
	out->len = n;
	return 0;
}

/* "GET /<spa> HTTP/1.x" or, through a proxy, "GET http://host/<spa> ..." */
static int
request_line(const struct line *l, struct http_spa *out)
{
	const char *end = l->p + l->len, *sp, *target;

	if (l->len < 4 || strncasecmp(l->p, "GET ", 4) != 0)
		return SPA_ERR_HTTP;
	target = l->p + 4;
	if ((sp = memchr(target, ' ', (size_t)(end - target))) == NULL)
		return SPA_ERR_HTTP;
	if ((size_t)(sp - target) > 7 && strncasecmp(target, "http://", 7) == 0) {
		/* a non-empty authority, then the path; no space in between */
		target = memchr(target + 7, '/', (size_t)(sp - target - 7));
		if (target == NULL || target == l->p + 4 + 7)
			return SPA_ERR_HTTP;
	}
	if (target == sp || *target != '/')
		return SPA_ERR_HTTP;
	target++;
	if ((size_t)(end - sp - 1) != 8 ||
	    (strncmp(sp + 1, "HTTP/1.0", 8) != 0 &&
	    strncmp(sp + 1, "HTTP/1.1", 8) != 0))
		return SPA_ERR_HTTP;
	return copy_spa(target, (size_t)(sp - target), out);
}

static void
trim(const char **p, size_t *n)
{
	while (*n > 0 && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
		(*n)--;
}

/* Header names are tokens: visible ASCII without separators. */
static bool
is_token(const char *p, size_t n)
{
	unsigned char ch;
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		ch = (unsigned char)p[i];
		if (ch <= ' ' || ch >= 0x7f ||
		    strchr("\"(),/:;<=>?@[\\]{}", ch) != NULL)
			return false;
	}
	return true;
}

/* Split "Name: value"; false for a line that is not a header. */
static bool
header(const struct line *l, struct line *name, struct line *value)
{
	const char *colon = memchr(l->p, ':', l->len);

	if (colon == NULL || !is_token(l->p, (size_t)(colon - l->p)))
		return false;
	name->p = l->p;
	name->len = (size_t)(colon - l->p);
	value->p = colon + 1;
	value->len = l->len - name->len - 1;
	trim(&value->p, &value->len);
	return true;
}

static bool
name_is(const struct line *name, const char *want)
{
	return name->len == strlen(want) &&
	    strncasecmp(name->p, want, name->len) == 0;
}

/* The leftmost address of the list: the client as the first proxy saw it. */
static void
forwarded_for(const struct line *value, struct http_spa *out)
{
	const char *p = value->p;
	const char *comma = memchr(p, ',', value->len);
	size_t n = comma != NULL ? (size_t)(comma - p) : value->len;
	char text[64];

	trim(&p, &n);
	if (n == 0 || n >= sizeof(text) || memchr(p, '\0', n) != NULL)
		return;
	memcpy(text, p, n);
	text[n] = '\0';
	if (addr_parse(text, &out->xff) == 0)
		out->has_xff = true;
}

/*
 * Header lines up to the empty line that ends the block.  Only the first
 * X-Forwarded-For counts: later ones continue the same list.
 */
static int
headers(const char **pos, const char *end, bool any_user_agent,
    struct http_spa *out)
{
	struct line l, name, value;
	bool agent_ok = any_user_agent, seen_xff = false;

	for (;;) {
		if (!next_line(pos, end, &l))
			return SPA_ERR_HTTP;	/* the block never ended */
		if (l.len == 0)
			break;
		if (!header(&l, &name, &value))
			return SPA_ERR_HTTP;
		if (name_is(&name, "User-Agent")) {
			if (value.len >= 6 && memcmp(value.p, "Fwknop", 6) == 0)
				agent_ok = true;
		} else if (name_is(&name, "X-Forwarded-For") && !seen_xff) {
			seen_xff = true;
			forwarded_for(&value, out);
		}
	}
	return agent_ok ? 0 : SPA_ERR_HTTP;
}

int
http_extract(const char *buf, size_t len, bool any_user_agent,
    struct http_spa *out)
{
	const char *pos = buf, *end = buf + len;
	struct line l;
	int r;

	memset(out, 0, sizeof(*out));
	if (len > HTTP_REQUEST_MAX || !next_line(&pos, end, &l))
		return SPA_ERR_HTTP;
	if ((r = request_line(&l, out)) != 0 ||
	    (r = headers(&pos, end, any_user_agent, out)) != 0) {
		memset(out, 0, sizeof(*out));
		return r;
	}
	return 0;
}
