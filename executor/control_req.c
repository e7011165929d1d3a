/* The control socket's request line (see control_req.h). */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "control_req.h"
#include "err.h"

/* Printable ASCII, single spaces between words, none at either end. */
static const char *
check_line(const char *buf, size_t len)
{
	size_t i;

	if (len > CONTROL_REQ_MAX ||
	    (len == CONTROL_REQ_MAX && buf[len - 1] != '\n'))
		return "request too long";
	if (len == 0 || buf[len - 1] != '\n')
		return "no line feed at the end";
	if (len == 1)
		return "empty request";
	for (i = 0; i + 1 < len; i++) {
		if (buf[i] < ' ' || buf[i] > '~')
			return "a byte that is not printable ASCII";
		if (buf[i] == ' ' && (i == 0 || i + 2 == len ||
		    buf[i - 1] == ' '))
			return "stray space";
	}
	return NULL;
}

/* 1 to 16 hex digits, not all zero. */
static int
parse_id(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t n;
	int d;

	for (n = 0; s[n] != '\0'; n++) {
		if (s[n] >= '0' && s[n] <= '9')
			d = s[n] - '0';
		else if (s[n] >= 'a' && s[n] <= 'f')
			d = s[n] - 'a' + 10;
		else if (s[n] >= 'A' && s[n] <= 'F')
			d = s[n] - 'A' + 10;
		else
			return SPA_ERR_ARG;
		if (n == 16)
			return SPA_ERR_ARG;
		v = v << 4 | (uint64_t)d;
	}
	if (n == 0 || v == 0)
		return SPA_ERR_ARG;
	*out = v;
	return 0;
}

/* 1 to 4294967295 in decimal, no sign, no leading zero. */
static int
parse_stanza(const char *s, uint32_t *out)
{
	uint64_t v = 0;
	size_t n;

	if (s[0] < '1' || s[0] > '9')
		return SPA_ERR_ARG;
	for (n = 0; s[n] != '\0'; n++) {
		if (s[n] < '0' || s[n] > '9' || n == 10)
			return SPA_ERR_ARG;
		v = v * 10 + (uint64_t)(s[n] - '0');
	}
	if (v > UINT32_MAX)
		return SPA_ERR_ARG;
	*out = (uint32_t)v;
	return 0;
}

/* The words after "close": what it covers. */
static const char *
parse_close(const char *sel, const char *arg, struct control_req *out)
{
	if (strcmp(sel, "all") == 0) {
		out->by = CONTROL_BY_ALL;
		return arg == NULL ? NULL : "close all takes no argument";
	}
	if (arg == NULL || strchr(arg, ' ') != NULL)
		return "close takes all, or id, source or stanza and one value";
	if (strcmp(sel, "id") == 0) {
		out->by = CONTROL_BY_ID;
		return parse_id(arg, &out->id) == 0 ? NULL :
		    "not a cycle id (1 to 16 hex digits, not 0)";
	}
	if (strcmp(sel, "source") == 0) {
		out->by = CONTROL_BY_SOURCE;
		return addr_parse(arg, &out->source) == 0 ? NULL :
		    "not an IPv4 or IPv6 address";
	}
	if (strcmp(sel, "stanza") == 0) {
		out->by = CONTROL_BY_STANZA;
		return parse_stanza(arg, &out->stanza) == 0 ? NULL :
		    "not a stanza number (1 to 4294967295)";
	}
	return "close takes all, id, source or stanza";
}

static const char *
parse_words(char *line, struct control_req *out)
{
	char *sel, *arg;

	if (strcmp(line, "list") == 0) {
		out->verb = CONTROL_LIST;
		return NULL;
	}
	if (strcmp(line, "status") == 0) {
		out->verb = CONTROL_STATUS;
		return NULL;
	}
	if (strncmp(line, "close ", 6) != 0)
		return "unknown request (list, status or close)";
	out->verb = CONTROL_CLOSE;
	sel = line + 6;
	if ((arg = strchr(sel, ' ')) != NULL)
		*arg++ = '\0';
	return parse_close(sel, arg, out);
}

int
control_req_parse(const char *buf, size_t len, struct control_req *out,
    const char **why)
{
	char line[CONTROL_REQ_MAX];

	memset(out, 0, sizeof(*out));
	if ((*why = check_line(buf, len)) == NULL) {
		memcpy(line, buf, len - 1);
		line[len - 1] = '\0';
		*why = parse_words(line, out);
	}
	if (*why == NULL)
		return 0;
	memset(out, 0, sizeof(*out));
	return SPA_ERR_ARG;
}
