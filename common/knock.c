/*
 * Knock doors (knock.h): the two sequence notations and the flag rule.
 * Messages name an entry by its number, never by its text: a sequence is
 * the door's secret.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "knock.h"

/* Blanks off both ends of [s, s+len): the trimmed start and length. */
static const char *
trim_span(const char *s, size_t *len)
{
	while (*len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		(*len)--;
	}
	while (*len > 0 && (s[*len - 1] == ' ' || s[*len - 1] == '\t'))
		(*len)--;
	return s;
}

/* 1..65535, decimal digits only. */
static int
parse_port(const char *s, size_t len, uint16_t *out)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 5)
		return SPA_ERR_ARG;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return SPA_ERR_ARG;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return SPA_ERR_ARG;
	*out = (uint16_t)v;
	return 0;
}

static int
parse_proto(const char *s, size_t len, uint8_t *out)
{
	if (len == 3 && strncasecmp(s, "tcp", 3) == 0)
		*out = IPPROTO_TCP;
	else if (len == 3 && strncasecmp(s, "udp", 3) == 0)
		*out = IPPROTO_UDP;
	else
		return SPA_ERR_ARG;
	return 0;
}

/* knockd: "port" or "port:proto", TCP when the protocol is left out. */
static int
knockd_entry(const char *s, size_t len, struct knock_hit *h,
    const char **why)
{
	const char *colon = memchr(s, ':', len);
	size_t plen = colon != NULL ? (size_t)(colon - s) : len, qlen;
	const char *port = trim_span(s, &plen), *proto;

	h->proto = IPPROTO_TCP;
	if (parse_port(port, plen, &h->port) != 0) {
		*why = "the port must be a number from 1 to 65535";
		return SPA_ERR_CONFIG;
	}
	if (colon == NULL)
		return 0;
	qlen = len - (size_t)(colon + 1 - s);
	proto = trim_span(colon + 1, &qlen);
	if (parse_proto(proto, qlen, &h->proto) != 0) {
		*why = "the protocol must be tcp or udp";
		return SPA_ERR_CONFIG;
	}
	return 0;
}

/* fwknop: "proto/port". */
static int
fwknop_entry(const char *s, size_t len, struct knock_hit *h,
    const char **why)
{
	const char *slash = memchr(s, '/', len);
	size_t qlen;

	if (slash == NULL) {
		*why = "missing '/' (expected proto/port, as tcp/1234)";
		return SPA_ERR_CONFIG;
	}
	if (parse_proto(s, (size_t)(slash - s), &h->proto) != 0) {
		*why = "the protocol must be tcp or udp";
		return SPA_ERR_CONFIG;
	}
	qlen = len - (size_t)(slash + 1 - s);
	if (parse_port(slash + 1, qlen, &h->port) != 0) {
		*why = "the port must be a number from 1 to 65535";
		return SPA_ERR_CONFIG;
	}
	return 0;
}

typedef int (*entry_fn)(const char *, size_t, struct knock_hit *,
    const char **);

/* Comma-separated entries; *entry is the 1-based one that failed. */
static int
parse_list(const char *text, entry_fn fn, struct knock_seq *out,
    const char **why, size_t *entry)
{
	const char *s = text, *end;
	size_t len;
	int r;

	memset(out, 0, sizeof(*out));
	for (*entry = 1;; (*entry)++, s = end + 1) {
		end = s + strcspn(s, ",");
		len = (size_t)(end - s);
		s = trim_span(s, &len);
		if (len == 0) {
			*why = "the entry is empty";
			return SPA_ERR_CONFIG;
		}
		if (out->n == KNOCK_SEQ_MAX) {
			*why = "more than 32 knocks";
			return SPA_ERR_CONFIG;
		}
		if ((r = fn(s, len, &out->hits[out->n], why)) != 0)
			return r;
		out->n++;
		if (*end == '\0')
			return 0;
	}
}

int
knock_seq_parse_knockd(const char *text, struct knock_seq *out,
    const char **why, size_t *entry)
{
	return parse_list(text, knockd_entry, out, why, entry);
}

int
knock_seq_parse_fwknop(const char *text, struct knock_seq *out,
    const char **why, size_t *entry)
{
	return parse_list(text, fwknop_entry, out, why, entry);
}

bool
knock_tcp_flags_ok(const struct knock_door *d, uint8_t flags)
{
	return (flags & d->tcp_set) == d->tcp_set &&
	    (flags & d->tcp_clear) == 0;
}

void
knock_door_clear(struct knock_door *d)
{
	if (d == NULL)
		return;
	free(d->name);
	free(d->file);
	free(d->one_time_path);
	free(d->one_time);
	free(d->interface);
	free(d->start_command);
	free(d->start_command6);
	free(d->stop_command);
	free(d->stop_command6);
	memset(d, 0, sizeof(*d));
}
