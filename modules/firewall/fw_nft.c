/* The nftables backend's transactions as text (see fw_nft.h). */
#include "config.h"

#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_nft.h"
#include "log.h"
#include "nft_line.h"

#define RULE_FMT \
	"add rule inet %s input %s saddr . meta l4proto . th dport @%s%s " \
	"accept\n"

static int
fits(int n, size_t len)
{
	return n >= 0 && (size_t)n < len ? 0 : -1;
}

/* The input chain: a granted source, protocol and port is accepted. */
static int
setup_input(const struct conf_firewall *f, const char *t, const char *mark,
    char *buf, size_t len)
{
	return fits(snprintf(buf, len,
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
	    t, t, t, t, t, t, f->priority,
	    t, "ip", "allow4", mark, t, "ip6", "allow6", mark), len);
}

#define NAT_KEY		"ipv4_addr . inet_proto . inet_service"
#define FWD_KEY		"ipv4_addr . ipv4_addr . inet_proto . inet_service"
#define FWD_MATCH	"ip saddr . ip daddr . meta l4proto . th dport"
/* A chain made afresh, so that a changed hook or rule takes effect. */
#define CHAIN_FMT \
	"add chain inet %s %s\nflush chain inet %s %s\n" \
	"delete chain inet %s %s\n" \
	"add chain inet %s %s { type %s hook %s priority %s; policy accept; }\n"

/*
 * NAT (IPv4, as fwknopd): dnat4 maps source . protocol . port to where
 * it leads, before routing; fwd4 accepts a forwarded source to the NAT
 * address and port; snat4 and masq4 rewrite its source on the way out.
 */
static int
setup_nat(const struct conf_firewall *f, const char *t, const char *mark,
    char *buf, size_t len)
{
	char prio[16];

	snprintf(prio, sizeof(prio), "%d", f->priority);
	return fits(snprintf(buf, len,
	    "add map inet %s dnat4 { type " NAT_KEY " : ipv4_addr . "
	    "inet_service; flags timeout; }\n"
	    "add set inet %s fwd4 { type " FWD_KEY "; flags timeout; }\n"
	    "add map inet %s snat4 { type " FWD_KEY " : ipv4_addr; "
	    "flags timeout; }\n"
	    "add set inet %s masq4 { type " FWD_KEY "; flags timeout; }\n"
	    CHAIN_FMT
	    "add rule inet %s prerouting dnat ip to ip saddr . meta l4proto . "
	    "th dport map @dnat4\n"
	    CHAIN_FMT
	    "add rule inet %s forward " FWD_MATCH " @fwd4%s accept\n"
	    CHAIN_FMT
	    "add rule inet %s postrouting snat ip to " FWD_MATCH " map @snat4\n"
	    "add rule inet %s postrouting " FWD_MATCH " @masq4 masquerade\n",
	    t, t, t, t,
	    t, "prerouting", t, "prerouting", t, "prerouting", t, "prerouting",
	    "nat", "prerouting", "dstnat", t,
	    t, "forward", t, "forward", t, "forward", t, "forward",
	    "filter", "forward", prio, t, mark,
	    t, "postrouting", t, "postrouting", t, "postrouting", t,
	    "postrouting", "nat", "postrouting", "srcnat", t, t), len);
}

#define OUT_FMT \
	"add rule inet %s output %s daddr . meta l4proto . th sport @%s%s " \
	"accept\n"

/*
 * firewall.output (fwknopd's ENABLE_IPT_OUTPUT): the host's packets back
 * to a granted source from the granted port, accepted; the chain is
 * removed when the setting is off.
 */
static int
setup_output(const struct conf_firewall *f, const char *t, const char *mark,
    char *buf, size_t len)
{
	size_t n;

	if (fits(snprintf(buf, len, "add chain inet %s output\n"
	    "flush chain inet %s output\ndelete chain inet %s output\n", t, t,
	    t), len) != 0)
		return -1;
	if (!f->output)
		return 0;
	n = strlen(buf);
	return fits(snprintf(buf + n, len - n,
	    "add chain inet %s output { type filter hook output priority %d; "
	    "policy accept; }\n" OUT_FMT OUT_FMT, t, f->priority,
	    t, "ip", "allow4", mark, t, "ip6", "allow6", mark), len - n);
}

int
fw_nft_setup(const struct conf_firewall *f, char *buf, size_t len)
{
	const char *t = conf_firewall_table(f);
	char mark[64] = "";
	size_t n;

	if (f->mark != 0)
		snprintf(mark, sizeof(mark), " meta mark set meta mark or "
		    "0x%" PRIx32, f->mark);
	if (fits(snprintf(buf, len, "add table inet %s\n", t), len) != 0)
		return -1;
	n = strlen(buf);
	if (setup_input(f, t, mark, buf + n, len - n) != 0)
		return -1;
	n += strlen(buf + n);
	if (setup_nat(f, t, mark, buf + n, len - n) != 0)
		return -1;
	n += strlen(buf + n);
	return setup_output(f, t, mark, buf + n, len - n);
}

void
fw_elem_input(const struct fw_elem *e, struct fw_elem *in)
{
	memset(in, 0, sizeof(*in));
	in->src = e->src;
	in->proto = e->proto;
	in->port = e->kind == FW_LOCAL_NAT ? e->to_port : e->port;
}

static const char *
proto_name(uint8_t proto)
{
	return proto == IPPROTO_UDP ? "udp" : "tcp";
}

/* One element of a grant: "inet spagate allow4 { 192.0.2.1 . tcp . 22". */
struct nft_el {
	char	 key[FW_NFT_ELEM_MAX];
	char	 data[ADDR_STRLEN + 8];		/* a map's ": value", or "" */
};

static int
el_input(const struct conf_firewall *f, const struct fw_elem *e,
    struct nft_el *el)
{
	char a[ADDR_STRLEN];
	struct fw_elem in;

	fw_elem_input(e, &in);
	el->data[0] = '\0';
	return fits(snprintf(el->key, sizeof(el->key), "inet %s %s { %s . %s . %u",
	    conf_firewall_table(f), in.src.family == AF_INET6 ? "allow6" :
	    "allow4", addr_fmt(&in.src, a), proto_name(in.proto), in.port),
	    sizeof(el->key));
}

static int
el_dnat(const struct conf_firewall *f, const struct fw_elem *e,
    struct nft_el *el)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	snprintf(el->data, sizeof(el->data), " : %s . %u", addr_fmt(&e->to, b),
	    e->to_port);
	return fits(snprintf(el->key, sizeof(el->key), "inet %s dnat4 { %s . "
	    "%s . %u", conf_firewall_table(f), addr_fmt(&e->src, a),
	    proto_name(e->proto), e->port), sizeof(el->key));
}

/* fwd4, snat4 or masq4: source . NAT address . protocol . NAT port. */
static int
el_fwd(const struct conf_firewall *f, const struct fw_elem *e,
    const char *set, struct nft_el *el)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	el->data[0] = '\0';
	if (strcmp(set, "snat4") == 0)
		snprintf(el->data, sizeof(el->data), " : %s",
		    addr_fmt(&e->snat_addr, b));
	return fits(snprintf(el->key, sizeof(el->key), "inet %s %s { %s . %s . "
	    "%s . %u", conf_firewall_table(f), set, addr_fmt(&e->src, a),
	    addr_fmt(&e->to, b), proto_name(e->proto), e->to_port),
	    sizeof(el->key));
}

#define GRANT_ELS	3

/* The elements of a grant (at most GRANT_ELS); -1 if one does not fit. */
static int
grant_els(const struct conf_firewall *f, const struct fw_elem *e,
    struct nft_el *el, size_t *n)
{
	static const char *const snat_set[] = { NULL, "snat4", "masq4" };

	*n = 0;
	if (e->kind != FW_ACCESS && e->dnat && el_dnat(f, e, &el[(*n)++]) != 0)
		return -1;
	if (e->kind != FW_FWD_NAT)
		return el_input(f, e, &el[(*n)++]);
	if (el_fwd(f, e, "fwd4", &el[(*n)++]) != 0)
		return -1;
	if (e->snat != FW_SNAT_NONE && el_fwd(f, e, snat_set[e->snat],
	    &el[(*n)++]) != 0)
		return -1;
	return 0;
}

/* One element's lines, created or refreshed; -1 if they do not fit. */
static int
el_add(const struct nft_el *el, int64_t timeout_s, bool refresh, char *buf,
    size_t len)
{
	char elem[FW_NFT_ELEM_MAX + sizeof(el->data) + 32];
	char key[FW_NFT_ELEM_MAX + 4];

	if (fits(snprintf(elem, sizeof(elem), "%s timeout %" PRId64 "s%s }",
	    el->key, timeout_s, el->data), sizeof(elem)) != 0 ||
	    fits(snprintf(key, sizeof(key), "%s }", el->key),
	    sizeof(key)) != 0)
		return -1;
	return refresh ? nft_elem_refresh(buf, len, elem, key) :
	    nft_elem_create(buf, len, elem);
}

int
fw_nft_add(const struct conf_firewall *f, const struct fw_elem *e,
    int64_t timeout_s, bool refresh, char *buf, size_t len)
{
	struct nft_el el[GRANT_ELS];
	size_t i, n, off = 0;

	if (grant_els(f, e, el, &n) != 0)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0 && fits(snprintf(buf + off, len - off, "\n"),
		    len - off) != 0)
			return -1;
		off += strlen(buf + off);
		if (el_add(&el[i], timeout_s, refresh, buf + off,
		    len - off) != 0)
			return -1;
		off += strlen(buf + off);
	}
	return 0;
}

int
fw_nft_delete(const struct conf_firewall *f, const struct fw_elem *e,
    char *buf, size_t len)
{
	struct nft_el el[GRANT_ELS];
	size_t i, n, off = 0;

	if (grant_els(f, e, el, &n) != 0)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (fits(snprintf(buf + off, len - off, "%sdelete element %s }",
		    i > 0 ? "\n" : "", el[i].key), len - off) != 0)
			return -1;
		off += strlen(buf + off);
	}
	return 0;
}

int
fw_nft_probe(const struct conf_firewall *f, const struct fw_elem *e,
    size_t i, char *buf, size_t len)
{
	struct nft_el el[GRANT_ELS];
	size_t n;

	if (grant_els(f, e, el, &n) != 0)
		return -1;
	if (i >= n)
		return 1;
	return fits(snprintf(buf, len, "create element %s%s }", el[i].key,
	    el[i].data), len);
}

/* "10.0.0.2 . tcp . 22 timeout 5m ..." as a grant; -1 if it is none. */
static int
read_elem(const char *text, struct fw_elem *e)
{
	char a[64], proto[8];
	unsigned int port;

	memset(e, 0, sizeof(*e));
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

/* Whether `key` ("inet spagate dnat4 { ...") is an element of a held grant. */
static bool
nat_held(const struct conf_firewall *f, const char *key,
    const struct fw_elem *held, size_t nheld)
{
	struct nft_el el[GRANT_ELS];
	size_t i, j, n;

	for (i = 0; i < nheld; i++)
		if (grant_els(f, &held[i], el, &n) == 0)
			for (j = 0; j < n; j++)
				if (strcmp(el[j].key, key) == 0)
					return true;
	return false;
}

/* An item of the listing without what follows its key, trimmed. */
static void
item_key(const char *p, size_t n, char *out, size_t len)
{
	static const char *const ends[] = { " timeout", " expires", " :" };
	size_t i, k;
	const char *e;

	while (n > 0 && strchr(" \t\n", *p) != NULL) {
		p++;
		n--;
	}
	snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), p);
	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		if ((e = strstr(out, ends[i])) != NULL)
			out[e - out] = '\0';
	for (k = strlen(out); k > 0 && strchr(" \t\n", out[k - 1]) != NULL;
	    k--)
		out[k - 1] = '\0';
}

int
fw_nft_sweep_nat(const struct conf_firewall *f, const char *set,
    const char *listing, const struct fw_elem *held, size_t nheld,
    char *buf, size_t len, size_t *swept)
{
	const char *p = strstr(listing, "elements = {");
	char item[256], key[FW_NFT_ELEM_MAX];
	size_t off = 0, n;

	*swept = 0;
	buf[0] = '\0';
	if (p == NULL)
		return 0;
	for (p += strlen("elements = {"); *p != '\0' && *p != '}'; p += n) {
		n = strcspn(p, ",}");
		item_key(p, n, item, sizeof(item));
		if (p[n] == ',')
			n++;
		if (item[0] == '\0' || fits(snprintf(key, sizeof(key),
		    "inet %s %s { %s", conf_firewall_table(f), set, item),
		    sizeof(key)) != 0 || nat_held(f, key, held, nheld))
			continue;
		if (fits(snprintf(buf + off, len - off, "delete element %s }\n",
		    key), len - off) != 0)
			return -1;
		off += strlen(buf + off);
		(*swept)++;
		log_info("firewall: %s }: an element no open cycle holds (left "
		    "by a previous run): removed", key);
	}
	return 0;
}
