/* IP addresses and SOURCE/DESTINATION lists, both families. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "addr.h"
#include "err.h"

#define ADDR_TOKEN_MAX	64	/* longest list entry we accept */

static size_t
family_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

int
addr_parse_ipv4(const char *s, struct spa_addr *out)
{
	unsigned int octet = 0, digits = 0, dots = 0;
	uint8_t b[4];
	const char *p;

	for (p = s; ; p++) {
		if (*p >= '0' && *p <= '9') {
			octet = octet * 10 + (unsigned int)(*p - '0');
			if (++digits > 3 || octet > 255)
				return SPA_ERR_ARG;
			continue;
		}
		if ((*p != '.' && *p != '\0') || digits == 0)
			return SPA_ERR_ARG;
		if (dots > 3)
			return SPA_ERR_ARG;
		b[dots++] = (uint8_t)octet;
		octet = digits = 0;
		if (*p == '\0')
			break;
	}
	if (dots != 4)
		return SPA_ERR_ARG;
	memset(out, 0, sizeof(*out));
	out->family = AF_INET;
	memcpy(out->bytes, b, 4);
	return 0;
}

int
addr_parse(const char *s, struct spa_addr *out)
{
	struct in6_addr in6;

	if (addr_parse_ipv4(s, out) == 0)
		return 0;
	if (strchr(s, ':') == NULL || inet_pton(AF_INET6, s, &in6) != 1)
		return SPA_ERR_ARG;
	addr_from_in6(out, &in6);
	return 0;
}

const char *
addr_fmt(const struct spa_addr *a, char buf[ADDR_STRLEN])
{
	if (a->family != AF_INET && a->family != AF_INET6) {
		strcpy(buf, "-");
		return buf;
	}
	if (inet_ntop(a->family, a->bytes, buf, ADDR_STRLEN) == NULL)
		strcpy(buf, "?");
	return buf;
}

bool
addr_is_unspecified(const struct spa_addr *a)
{
	size_t i, n = family_len(a->family);

	for (i = 0; i < n; i++)
		if (a->bytes[i] != 0)
			return false;
	return true;
}

bool
addr_is_v4_mapped(const struct spa_addr *a)
{
	static const uint8_t prefix[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	return a->family == AF_INET6 &&
	    memcmp(a->bytes, prefix, sizeof(prefix)) == 0;
}

bool
addr_equal(const struct spa_addr *a, const struct spa_addr *b)
{
	return a->family == b->family &&
	    memcmp(a->bytes, b->bytes, family_len(a->family)) == 0;
}

void
addr_from_in(struct spa_addr *out, const struct in_addr *in)
{
	memset(out, 0, sizeof(*out));
	out->family = AF_INET;
	memcpy(out->bytes, &in->s_addr, 4);
}

void
addr_from_in6(struct spa_addr *out, const struct in6_addr *in6)
{
	memset(out, 0, sizeof(*out));
	out->family = AF_INET6;
	memcpy(out->bytes, in6->s6_addr, 16);
}

/* Prefix length from "N" within [min, max]. */
static int
prefix_parse(const char *s, unsigned int min, unsigned int max,
    unsigned int *out)
{
	unsigned long v;
	char *end = NULL;

	if (*s < '0' || *s > '9' || strlen(s) > 3)
		return SPA_ERR_ARG;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return SPA_ERR_ARG;
	*out = (unsigned int)v;
	return 0;
}

static void
mask_from_prefix(uint8_t mask[16], unsigned int prefix)
{
	unsigned int i;

	memset(mask, 0, 16);
	for (i = 0; i < prefix; i++)
		mask[i / 8] |= (uint8_t)(0x80 >> (i % 8));
}

/* A dotted IPv4 netmask; non-contiguous masks are almost surely typos. */
static int
mask_parse_dotted(const char *s, uint8_t mask[16])
{
	struct spa_addr m;
	uint32_t v;

	if (addr_parse_ipv4(s, &m) != 0)
		return SPA_ERR_ARG;
	v = ((uint32_t)m.bytes[0] << 24) | ((uint32_t)m.bytes[1] << 16) |
	    ((uint32_t)m.bytes[2] << 8) | m.bytes[3];
	if (v == 0 || (~v & (~v + 1)) != 0)
		return SPA_ERR_ARG;
	memset(mask, 0, 16);
	memcpy(mask, m.bytes, 4);
	return 0;
}

static int
cidr_parse_mask(const char *m, int family, uint8_t mask[16], const char **why)
{
	unsigned int prefix;

	if (*m == '\0') {
		*why = "missing mask after '/'";
		return SPA_ERR_ARG;
	}
	if (family == AF_INET && strchr(m, '.') != NULL) {
		if (mask_parse_dotted(m, mask) == 0)
			return 0;
		*why = "invalid netmask (must be contiguous, e.g. 255.255.255.0)";
		return SPA_ERR_ARG;
	}
	/* IPv4 /0 is refused as fwknopd refuses it; ::/0 is every IPv6 one */
	if (prefix_parse(m, family == AF_INET ? 1 : 0,
	    family == AF_INET ? 32 : 128, &prefix) != 0) {
		*why = family == AF_INET ? "invalid prefix length (1..32)" :
		    "invalid prefix length (0..128)";
		return SPA_ERR_ARG;
	}
	mask_from_prefix(mask, prefix);
	return 0;
}

int
cidr_parse(const char *s, struct spa_cidr *out, const char **why)
{
	char tok[ADDR_TOKEN_MAX];
	struct spa_addr a;
	char *slash;
	size_t i;

	if (strlen(s) >= sizeof(tok)) {
		*why = "address too long";
		return SPA_ERR_ARG;
	}
	strcpy(tok, s);
	if ((slash = strchr(tok, '/')) != NULL)
		*slash = '\0';
	if (addr_parse(tok, &a) != 0) {
		*why = "invalid IP address";
		return SPA_ERR_ARG;
	}
	/* no packet source is ever one: it would silently match nothing */
	if (addr_is_v4_mapped(&a)) {
		*why = "an IPv4-mapped IPv6 address (write the IPv4 address)";
		return SPA_ERR_ARG;
	}
	memset(out, 0, sizeof(*out));
	out->family = a.family;
	if (slash == NULL)
		mask_from_prefix(out->mask, a.family == AF_INET ? 32 : 128);
	else if (cidr_parse_mask(slash + 1, a.family, out->mask, why) != 0)
		return SPA_ERR_ARG;
	for (i = 0; i < 16; i++)
		out->addr[i] = a.bytes[i] & out->mask[i];
	return 0;
}

bool
cidr_match(const struct spa_cidr *c, const struct spa_addr *a)
{
	size_t i;

	if (c->family != a->family)
		return false;
	for (i = 0; i < family_len(c->family); i++)
		if ((a->bytes[i] & c->mask[i]) != c->addr[i])
			return false;
	return true;
}

static unsigned int
mask_prefix(const uint8_t mask[16], size_t n)
{
	unsigned int bits = 0;
	size_t i;

	for (i = 0; i < n; i++)
		bits += (unsigned int)__builtin_popcount(mask[i]);
	return bits;
}

const char *
cidr_fmt(const struct spa_cidr *c, char *buf, size_t len)
{
	struct spa_addr a;
	char s[ADDR_STRLEN];

	memset(&a, 0, sizeof(a));
	a.family = c->family;
	memcpy(a.bytes, c->addr, 16);
	snprintf(buf, len, "%s/%u", addr_fmt(&a, s),
	    mask_prefix(c->mask, family_len(c->family)));
	return buf;
}

/* Copy the next comma-separated token, trimmed, into tok. */
static const char *
list_next(const char *p, char *tok, size_t toklen, bool *too_long)
{
	const char *start, *end;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	start = p;
	while (*p != ',' && *p != '\0')
		p++;
	end = p;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	n = (size_t)(end - start);
	*too_long = n >= toklen;
	if (*too_long)
		n = toklen - 1;
	memcpy(tok, start, n);
	tok[n] = '\0';
	return *p == ',' ? p + 1 : NULL;
}

static int
list_append(struct spa_addr_list *l, const struct spa_cidr *c)
{
	struct spa_cidr *v;

	v = reallocarray(l->v, l->n + 1, sizeof(*v));
	if (v == NULL)
		return SPA_ERR_NOMEM;
	l->v = v;
	l->v[l->n++] = *c;
	return 0;
}

static int
list_add_token(struct spa_addr_list *l, const char *tok, const char **why)
{
	struct spa_cidr c;

	if (strcasecmp(tok, "ANY") == 0) {
		l->any = true;
		return 0;
	}
	if (*tok == '\0') {
		*why = "empty list entry";
		return SPA_ERR_ARG;
	}
	if (cidr_parse(tok, &c, why) != 0)
		return SPA_ERR_ARG;
	return list_append(l, &c);
}

int
addr_list_parse(const char *value, struct spa_addr_list *out,
    const char **why, char *bad_token, size_t bad_len)
{
	char tok[ADDR_TOKEN_MAX];
	const char *p = value;
	bool too_long;
	int r;

	memset(out, 0, sizeof(*out));
	do {
		p = list_next(p, tok, sizeof(tok), &too_long);
		snprintf(bad_token, bad_len, "%s", tok);
		if (too_long) {
			*why = "list entry too long";
			r = SPA_ERR_ARG;
		} else
			r = list_add_token(out, tok, why);
		if (r != 0) {
			addr_list_free(out);
			return r;
		}
	} while (p != NULL);
	return 0;
}

bool
addr_list_match(const struct spa_addr_list *l, const struct spa_addr *a)
{
	size_t i;

	if (l->any)
		return true;
	for (i = 0; i < l->n; i++)
		if (cidr_match(&l->v[i], a))
			return true;
	return false;
}

void
addr_list_free(struct spa_addr_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
