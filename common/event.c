/* The OPEN event and its one-line key=value form. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "err.h"
#include "event.h"

const char *
event_via_name(enum spa_transport via)
{
	switch (via) {
	case SPA_VIA_UDP:
		return "udp";
	case SPA_VIA_TCP:
		return "tcp";
	case SPA_VIA_ICMP:
		return "icmp";
	case SPA_VIA_HTTP:
		return "http";
	}
	return "unknown";
}

/* An access request names its ports, a command its text: not both. */
static int
check_request(const struct spa_event *ev)
{
	size_t i;

	if (ev->type == SPA_REQ_COMMAND)
		return spa_command_ok(ev->command) && ev->nports == 0 ? 0 :
		    SPA_ERR_MESSAGE;
	if (ev->command[0] != '\0' || ev->nports == 0 ||
	    ev->nports > SPA_MAX_PORTS)
		return SPA_ERR_MESSAGE;
	for (i = 0; i < ev->nports; i++)
		if (!spa_port_ok(&ev->ports[i]))
			return SPA_ERR_MESSAGE;
	return 0;
}

static int
check_nat(const struct spa_event *ev)
{
	if (ev->has_nat != spa_request_is_nat(ev->type))
		return SPA_ERR_NAT;
	if (!ev->has_nat)
		return ev->nat_host[0] == '\0' && ev->nat_port == 0 ? 0 :
		    SPA_ERR_NAT;
	return spa_nat_host_ok(ev->nat_host) && ev->nat_port != 0 ? 0 :
	    SPA_ERR_NAT;
}

int
event_check(const struct spa_event *ev)
{
	int r;

	if (!spa_request_ok(ev->type))
		return SPA_ERR_REQUEST;
	if ((ev->allow.family != AF_INET && ev->allow.family != AF_INET6) ||
	    addr_is_unspecified(&ev->allow))
		return SPA_ERR_MESSAGE;
	if (!spa_user_ok(ev->user))
		return SPA_ERR_USERNAME;
	if (!spa_timestamp_ok(ev->spa_time))
		return SPA_ERR_TIMESTAMP;
	if (!spa_client_timeout_ok(ev->type, ev->client_timeout))
		return SPA_ERR_CLIENT_TIMEOUT;
	if ((r = check_request(ev)) != 0)
		return r;
	return check_nat(ev);
}

static bool
is_plain_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("._:/,@+-", c) != NULL;
}

static bool
is_plain(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!is_plain_char((unsigned char)*s))
			return false;
	return true;
}

size_t
event_quote(const char *s, char *buf, size_t len)
{
	size_t o = 0;
	char esc[5];
	const char *e;

	if (len == 0)
		return 0;
	if (is_plain(s))
		return (size_t)snprintf(buf, len, "%s", s);
	buf[o++] = '"';
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			snprintf(esc, sizeof(esc), "\\x%02x", c);
		else
			snprintf(esc, sizeof(esc), "%c", c);
		for (e = esc; *e != '\0'; e++)
			if (o + 1 < len)
				buf[o++] = *e;
	}
	if (o + 1 < len)
		buf[o++] = '"';
	buf[o < len ? o : len - 1] = '\0';
	return o;
}

/* "1.2.3.4:56" or "[2001:db8::1]:56" */
static void
fmt_endpoint(const struct spa_addr *a, uint16_t port, char *buf, size_t len)
{
	char s[ADDR_STRLEN];

	addr_fmt(a, s);
	if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", s, port);
	else
		snprintf(buf, len, "%s:%u", s, port);
}

static void
fmt_ports(const struct spa_event *ev, char *buf, size_t len)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < ev->nports && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s/%u",
		    i ? "," : "", spa_proto_name(ev->ports[i].proto),
		    ev->ports[i].port);
	if (ev->nports == 0)
		snprintf(buf, len, "-");
}

/* Parts that only some requests carry. */
static int
fmt_extras(const struct spa_event *ev, char *buf, size_t len)
{
	char q[2 * SPA_FIELD_MAX + 8];

	if (ev->type == SPA_REQ_COMMAND) {
		event_quote(ev->command, q, sizeof(q));
		return snprintf(buf, len, " command=%s", q);
	}
	if (ev->has_nat) {
		event_quote(ev->nat_host, q, sizeof(q));
		return snprintf(buf, len, " nat=%s nat_port=%u", q,
		    ev->nat_port);
	}
	buf[0] = '\0';
	return 0;
}

int
event_format(const struct spa_event *ev, char *buf, size_t len)
{
	char allow[ADDR_STRLEN], src[ADDR_STRLEN + 8], dst[ADDR_STRLEN + 8];
	char ports[SPA_MAX_PORTS * 10 + 2], user[2 * SPA_USER_MAX + 8];
	char extras[2 * SPA_FIELD_MAX + 48];
	int n;

	fmt_endpoint(&ev->pkt_src, ev->src_port, src, sizeof(src));
	fmt_endpoint(&ev->pkt_dst, ev->dst_port, dst, sizeof(dst));
	fmt_ports(ev, ports, sizeof(ports));
	event_quote(ev->user, user, sizeof(user));
	fmt_extras(ev, extras, sizeof(extras));
	n = snprintf(buf, len, "OPEN stanza=%u type=%s allow=%s src=%s dst=%s "
	    "via=%s ports=%s user=%s timeout=%u client_timeout=%u "
	    "spa_time=%lld%s", ev->stanza, spa_request_name(ev->type),
	    addr_fmt(&ev->allow, allow), src, dst, event_via_name(ev->via),
	    ports, user, ev->timeout, ev->client_timeout,
	    (long long)ev->spa_time, extras);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}
