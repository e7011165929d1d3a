/*
 * The built-in firewall's line, read (see fw_line.h): each word must be
 * what its variable gives, and what it grants is decided here, so that
 * a unit test reads it without a kernel.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "err.h"
#include "fw_line.h"

#define NWORDS		12	/* FW_LINE_OPEN's words */
#define NWORDS_OLD	6	/* without the NAT words: no NAT request */

/* One line's words, read. */
struct fw_request {
	bool		 nat;		/* a NAT request */
	bool		 local;		/* ... a local one */
	struct fw_elem	 elem;
	struct spa_addr	 dst;		/* $DST */
	bool		 has_to, has_force, has_snat;
	struct spa_addr	 to, force, snat;	/* NAT, FORCE_NAT, FORCE_SNAT */
	uint16_t	 to_port, force_port;
	bool		 masq, disable_dnat, forward_all;
};

static int
read_request(struct fw_request *fr, const char *word)
{
	static const char *const kinds[] = { "access", "client_timeout_access",
	    "nat_access", "client_timeout_nat_access", "local_nat_access",
	    "client_timeout_local_nat_access" };
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(word, kinds[i]) == 0) {
			fr->nat = i >= 2;
			fr->local = i >= 4;
			return 0;
		}
	return -1;
}

static int
read_port(const char *w, uint16_t *port)
{
	char *end;
	long v;

	if (w[0] < '1' || w[0] > '9')
		return -1;
	v = strtol(w, &end, 10);
	if (*end != '\0' || v < 1 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* "key=" then what follows it, or NULL. */
static const char *
after(const char *w, const char *key)
{
	size_t n = strlen(key);

	return strncmp(w, key, n) == 0 && w[n] == '=' ? w + n + 1 : NULL;
}

/* "key=-" (false) or "key=a.b.c.d:port" (true); -1 if neither. */
static int
read_to(const char *w, const char *key, struct spa_addr *a, uint16_t *port,
    bool *has)
{
	char host[ADDR_STRLEN];
	const char *v = after(w, key), *colon;

	*has = false;
	if (v == NULL)
		return -1;
	if (strcmp(v, "-") == 0)
		return 0;
	if ((colon = strchr(v, ':')) == NULL ||
	    (size_t)(colon - v) >= sizeof(host))
		return -1;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - v), v);
	if (addr_parse_ipv4(host, a) != 0 || read_port(colon + 1, port) != 0)
		return -1;
	*has = true;
	return 0;
}

/* "force_snat=-", "=a.b.c.d" or "=masquerade". */
static int
read_snat(const char *w, struct fw_request *fr)
{
	const char *v = after(w, "force_snat");

	if (v == NULL)
		return -1;
	if (strcmp(v, "-") == 0)
		return 0;
	if (strcmp(v, "masquerade") == 0) {
		fr->masq = true;
		return 0;
	}
	fr->has_snat = true;
	return addr_parse_ipv4(v, &fr->snat);
}

/* "key=Y" or "key=N". */
static int
read_yn(const char *w, const char *key, bool *b)
{
	const char *v = after(w, key);

	if (v == NULL || (strcmp(v, "Y") != 0 && strcmp(v, "N") != 0))
		return -1;
	*b = v[0] == 'Y';
	return 0;
}

/* The NAT words, w[6..11]; why one is not what its variable gives. */
static int
read_nat_words(char *const *w, struct fw_request *fr, char *why,
    size_t whylen)
{
	if (addr_parse(w[6], &fr->dst) != 0)
		snprintf(why, whylen, "firewall: '%s' is no address", w[6]);
	else if (read_to(w[7], "nat", &fr->to, &fr->to_port,
	    &fr->has_to) != 0)
		snprintf(why, whylen, "firewall: '%s' is not nat=- or "
		    "nat=<IPv4 address>:<port>", w[7]);
	else if (read_to(w[8], "force_nat", &fr->force, &fr->force_port,
	    &fr->has_force) != 0)
		snprintf(why, whylen, "firewall: '%s' is not force_nat=- or "
		    "force_nat=<IPv4 address>:<port>", w[8]);
	else if (read_snat(w[9], fr) != 0)
		snprintf(why, whylen, "firewall: '%s' is not force_snat=-, "
		    "=masquerade or =<IPv4 address>", w[9]);
	else if (read_yn(w[10], "disable_dnat", &fr->disable_dnat) != 0)
		snprintf(why, whylen, "firewall: '%s' is not disable_dnat=Y "
		    "or N", w[10]);
	else if (read_yn(w[11], "forward_all", &fr->forward_all) != 0)
		snprintf(why, whylen, "firewall: '%s' is not forward_all=Y "
		    "or N", w[11]);
	else
		return 0;
	return SPA_ERR_ARG;
}

/* "firewall open|close REQUEST SRC PROTO PORT [NAT words]"; why not. */
static int
fw_read(const struct cmd_argv *argv, struct fw_request *fr, char *why,
    size_t whylen)
{
	char *const *w = argv->argv;

	memset(fr, 0, sizeof(*fr));
	if ((argv->argc != NWORDS && argv->argc != NWORDS_OLD) ||
	    (strcmp(w[1], "open") != 0 && strcmp(w[1], "close") != 0)) {
		snprintf(why, whylen, "firewall: expected '%s' or '%s'",
		    FW_LINE_OPEN, FW_LINE_CLOSE);
		return SPA_ERR_ARG;
	}
	if (argv->argc == NWORDS &&
	    read_nat_words(w, fr, why, whylen) != 0)
		return SPA_ERR_ARG;
	if (read_request(fr, w[2]) != 0)
		snprintf(why, whylen, "firewall: '%s' is no request", w[2]);
	else if (addr_parse(w[3], &fr->elem.src) != 0)
		snprintf(why, whylen, "firewall: '%s' is no address", w[3]);
	else if (strcmp(w[4], "tcp") != 0 && strcmp(w[4], "udp") != 0)
		snprintf(why, whylen, "firewall: '%s' is not tcp or udp", w[4]);
	else if (read_port(w[5], &fr->elem.port) != 0)
		snprintf(why, whylen, "firewall: '%s' is no port", w[5]);
	else {
		fr->elem.proto = strcmp(w[4], "udp") == 0 ? IPPROTO_UDP :
		    IPPROTO_TCP;
		return 0;
	}
	return SPA_ERR_ARG;
}

/* Where the port leads, and the SNAT of a forwarding NAT. */
static void
fw_nat_fill(const struct fw_nat_opts *o, struct fw_request *fr)
{
	struct fw_elem *e = &fr->elem;

	e->dnat = !fr->disable_dnat;
	if (fr->has_force) {
		e->kind = FW_FWD_NAT;
		e->to = fr->force;
		e->to_port = fr->force_port;
	} else {
		e->kind = fr->local ? FW_LOCAL_NAT : FW_FWD_NAT;
		e->to = fr->local ? fr->dst : fr->to;
		e->to_port = fr->to_port;
	}
	if (e->kind != FW_FWD_NAT)
		return;
	if (fr->has_snat) {
		e->snat = FW_SNAT_ADDR;
		e->snat_addr = fr->snat;
	} else if (fr->masq)
		e->snat = FW_SNAT_MASQ;
	else if (o->snat && o->snat_address != NULL &&
	    addr_parse_ipv4(o->snat_address, &e->snat_addr) == 0)
		e->snat = FW_SNAT_ADDR;
	else if (o->snat)
		e->snat = FW_SNAT_MASQ;
}

/*
 * What a read line grants (fr->elem): an accept, a local NAT or a
 * forwarding NAT, as the head comment says; why it cannot be.
 */
static int
fw_nat(const struct fw_nat_opts *o, struct fw_request *fr, bool closing,
    char *why, size_t whylen)
{
	struct fw_elem *e = &fr->elem;

	if (fr->forward_all)
		snprintf(why, whylen, "firewall: FORWARD_ALL is not done by "
		    "the built-in firewall: refused");
	else if (fr->has_force && !closing && !o->nat_forwarding &&
	    !o->nat_local)
		snprintf(why, whylen, "firewall: FORCE_NAT needs spagated.conf's "
		    "nat.forwarding or nat.local: refused");
	else if (!fr->nat && !fr->has_force)
		return 0;		/* an accept */
	else if (!fr->has_to && !fr->has_force)
		snprintf(why, whylen, "firewall: a NAT request needs the "
		    "line's NAT words (nat=<IPv4 address>:<port>): refused");
	else if (e->src.family != AF_INET)
		snprintf(why, whylen, "firewall: NAT is IPv4 only (as in "
		    "fwknopd): refused for an IPv6 source");
	else if (fr->local && !fr->has_force && fr->dst.family != AF_INET)
		snprintf(why, whylen, "firewall: local NAT needs the IPv4 "
		    "address the SPA packet reached: refused");
	else {
		fw_nat_fill(o, fr);
		return 0;
	}
	return SPA_ERR_ARG;
}

int
fw_line_read(const struct cmd_argv *argv, const struct fw_nat_opts *o,
    bool closing, struct fw_elem *e, char *why, size_t whylen)
{
	struct fw_request fr;

	if (fw_read(argv, &fr, why, whylen) != 0 ||
	    fw_nat(o, &fr, closing, why, whylen) != 0)
		return SPA_ERR_ARG;
	*e = fr.elem;
	return 0;
}
