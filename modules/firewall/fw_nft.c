/* The nftables backend's transactions as text (see fw_nft.h). */
#include "config.h"

#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>

#include "fw_nft.h"

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
