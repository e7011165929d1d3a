/* The nftables backend's transactions as text (see fw_nft.h). */
#include "config.h"

#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_nft.h"
#include "log.h"

#define RULE_FMT \
	"add rule inet %s input %s saddr . meta l4proto . th dport @%s%s " \
	"accept\n"

static int
fits(int n, size_t len)
{
	return n >= 0 && (size_t)n < len ? 0 : -1;
}

int
fw_nft_setup(const struct conf_firewall *f, char *buf, size_t len)
{
	const char *t = conf_firewall_table(f);
	char mark[64] = "";

	if (f->mark != 0)
		snprintf(mark, sizeof(mark), " meta mark set meta mark or "
		    "0x%" PRIx32, f->mark);
	return fits(snprintf(buf, len,
	    "add table inet %s\n"
	    "add set inet %s allow4 { type ipv4_addr . inet_proto . "
	    "inet_service; flags timeout; }\n"
	    "add set inet %s allow6 { type ipv6_addr . inet_proto . "
	    "inet_service; flags timeout; }\n"
	    "add chain inet %s input\n"
	    "flush chain inet %s input\n"
	    "delete chain inet %s input\n"
	    "add chain inet %s input { type filter hook input priority %d; "
	    "policy accept; }\n"
	    RULE_FMT RULE_FMT,
	    t, t, t, t, t, t, t, f->priority,
	    t, "ip", "allow4", mark, t, "ip6", "allow6", mark), len);
}

/* "inet spagate allow4 { 192.0.2.1 . tcp . 22" */
static int
elem_text(const struct conf_firewall *f, const struct fw_elem *e, char *buf,
    size_t len)
{
	char a[ADDR_STRLEN];
	bool v6 = e->src.family == AF_INET6;

	return fits(snprintf(buf, len, "inet %s %s { %s . %s . %u",
	    conf_firewall_table(f), v6 ? "allow6" : "allow4",
	    addr_fmt(&e->src, a), e->proto == IPPROTO_UDP ? "udp" : "tcp",
	    e->port), len);
}

int
fw_nft_add(const struct conf_firewall *f, const struct fw_elem *e,
    int64_t timeout_s, char *buf, size_t len)
{
	char el[FW_NFT_ELEM_MAX];

	if (elem_text(f, e, el, sizeof(el)) != 0)
		return -1;
	/* an add keeps an element's old expiry: see modules/nft/nft.c */
	return fits(snprintf(buf, len,
	    "add element %s timeout %" PRId64 "s }\n"
	    "delete element %s }\n"
	    "add element %s timeout %" PRId64 "s }",
	    el, timeout_s, el, el, timeout_s), len);
}

int
fw_nft_delete(const struct conf_firewall *f, const struct fw_elem *e,
    char *buf, size_t len)
{
	char el[FW_NFT_ELEM_MAX];

	if (elem_text(f, e, el, sizeof(el)) != 0)
		return -1;
	return fits(snprintf(buf, len, "delete element %s }", el), len);
}

/* "10.0.0.2 . tcp . 22 timeout 5m ..." as a grant; -1 if it is none. */
static int
read_elem(const char *text, struct fw_elem *e)
{
	char a[64], proto[8];
	unsigned int port;

	if (sscanf(text, " %63s . %7s . %u", a, proto, &port) != 3 ||
	    addr_parse(a, &e->src) != 0 || port < 1 || port > 65535 ||
	    (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0))
		return -1;
	e->proto = proto[0] == 'u' ? IPPROTO_UDP : IPPROTO_TCP;
	e->port = (uint16_t)port;
	return 0;
}

static bool
is_held(const struct fw_elem *e, const struct fw_elem *held, size_t nheld)
{
	size_t i;

	for (i = 0; i < nheld; i++)
		if (held[i].proto == e->proto && held[i].port == e->port &&
		    addr_equal(&held[i].src, &e->src))
			return true;
	return false;
}

/* One element of the listing: its delete line, unless held. */
static int
sweep_one(const struct conf_firewall *f, const char *text,
    const struct fw_elem *held, size_t nheld, char *buf, size_t len,
    size_t *off, size_t *swept)
{
	char line[FW_NFT_ELEM_MAX];
	struct fw_elem e;

	if (read_elem(text, &e) != 0 || is_held(&e, held, nheld))
		return 0;
	if (fw_nft_delete(f, &e, line, sizeof(line)) != 0 ||
	    fits(snprintf(buf + *off, len - *off, "%s\n", line),
	    len - *off) != 0)
		return -1;
	*off += strlen(line) + 1;
	(*swept)++;
	log_info("firewall: %s: an element no open cycle holds (left by a "
	    "previous run): removed", line);
	return 0;
}

int
fw_nft_sweep(const struct conf_firewall *f, const char *listing,
    const struct fw_elem *held, size_t nheld, char *buf, size_t len,
    size_t *swept)
{
	const char *p = strstr(listing, "elements = {");
	char item[256];
	size_t off = 0, n;

	*swept = 0;
	buf[0] = '\0';
	if (p == NULL)
		return 0;
	for (p += strlen("elements = {"); *p != '\0' && *p != '}'; p += n) {
		n = strcspn(p, ",}");
		snprintf(item, sizeof(item), "%.*s", (int)(n < sizeof(item) ?
		    n : sizeof(item) - 1), p);
		if (sweep_one(f, item, held, nheld, buf, len, &off,
		    swept) != 0)
			return -1;
		if (p[n] == ',')
			n++;
	}
	return 0;
}
