/*
 * Captured frames to transport payloads.  Every read goes through a
 * cursor that refuses to step past the bytes captured; a length field
 * only ever shortens the view (so Ethernet padding and FCS after the IP
 * packet are never payload).  Unlike fwknopd, IPv4 options are skipped by
 * their real length, VLAN tags are followed only on Ethernet, IPv6 is
 * parsed (a multicast, unspecified or IPv4-mapped source refused), and
 * fragments are refused rather than read as whole packets.
 */
#include "config.h"

#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "err.h"
#include "frame.h"

#define ETH_P_IPV4	0x0800
#define ETH_P_IPV6	0x86dd
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88a8
#define MAX_VLAN_TAGS	2
#define MAX_EXT_HDRS	8

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2	276
#endif

struct cursor {
	const uint8_t	*p;
	size_t		 len;
	size_t		 off;
	bool		 bad;
};

static const uint8_t *
take(struct cursor *c, size_t n)
{
	const uint8_t *p;

	if (c->bad || n > c->len - c->off) {
		c->bad = true;
		return NULL;
	}
	p = c->p + c->off;
	c->off += n;
	return p;
}

static unsigned int
get_u8(struct cursor *c)
{
	const uint8_t *p = take(c, 1);

	return p != NULL ? p[0] : 0;
}

static unsigned int
get_u16(struct cursor *c)
{
	const uint8_t *p = take(c, 2);

	return p != NULL ? (unsigned int)(p[0] << 8 | p[1]) : 0;
}

/* Keep only the first `n` bytes from here on (a header's length field). */
static void
limit(struct cursor *c, size_t n)
{
	if (c->bad || n > c->len - c->off)
		c->bad = true;
	else
		c->len = c->off + n;
}

/* --- link layers: leave the cursor at the IP header, return ethertype ----- */

static unsigned int
link_ethernet(struct cursor *c)
{
	unsigned int type, tags = 0;

	take(c, 12);
	type = get_u16(c);
	while ((type == ETH_P_8021Q || type == ETH_P_8021AD) &&
	    tags++ < MAX_VLAN_TAGS) {
		take(c, 2);
		type = get_u16(c);
	}
	return type;
}

/* DLT_NULL / DLT_LOOP carry an address family. */
static unsigned int
family_to_type(uint32_t af)
{
	switch (af) {
	case 2:
		return ETH_P_IPV4;
	case 10: case 24: case 28: case 30:	/* Linux, BSDs, macOS */
		return ETH_P_IPV6;
	default:
		return 0;
	}
}

static unsigned int
link_null(struct cursor *c, bool network_order)
{
	const uint8_t *p = take(c, 4);
	uint32_t af;

	if (p == NULL)
		return 0;
	if (network_order)
		af = (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
	else
		memcpy(&af, p, sizeof(af));
	return family_to_type(af);
}

/* No link header: the IP version nibble says which; DLT_IPV4/6 insist. */
static unsigned int
link_raw(struct cursor *c, int dlt)
{
	unsigned int version;

	if (c->bad || c->off >= c->len) {
		c->bad = true;
		return 0;
	}
	version = c->p[c->off] >> 4;
	if (version == 4 && dlt != DLT_IPV6)
		return ETH_P_IPV4;
	if (version == 6 && dlt != DLT_IPV4)
		return ETH_P_IPV6;
	return 0;
}

static unsigned int
link_layer(int dlt, struct cursor *c)
{
	unsigned int type;

	switch (dlt) {
	case DLT_EN10MB:
		return link_ethernet(c);
	case DLT_LINUX_SLL:
		take(c, 14);
		return get_u16(c);
	case DLT_LINUX_SLL2:
		type = get_u16(c);
		take(c, 18);
		return type;
	case DLT_NULL:
		return link_null(c, false);
	case DLT_LOOP:
		return link_null(c, true);
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return link_raw(c, dlt);
	default:
		return 0;
	}
}

/* --- IP ------------------------------------------------------------------- */

static int
ipv4(struct cursor *c, struct pkt_info *info)
{
	size_t start = c->off, ihl;
	unsigned int vihl, total, frag;
	const uint8_t *a;

	vihl = get_u8(c);
	ihl = (size_t)(vihl & 0x0f) * 4;
	take(c, 1);
	total = get_u16(c);
	take(c, 2);
	frag = get_u16(c);
	take(c, 1);
	info->proto = (uint8_t)get_u8(c);
	take(c, 2);
	if ((a = take(c, 4)) != NULL)
		memcpy(&info->src.bytes, a, 4);
	if ((a = take(c, 4)) != NULL)
		memcpy(&info->dst.bytes, a, 4);
	if (c->bad || vihl >> 4 != 4 || ihl < 20 || total < ihl)
		return SPA_ERR_FRAME;
	if ((frag & 0x3fff) != 0)	/* more fragments, or an offset */
		return SPA_ERR_FRAME;
	info->src.family = info->dst.family = AF_INET;
	c->off = start;
	limit(c, total);		/* trailing padding is not payload */
	take(c, ihl);			/* options skipped, whatever IHL says */
	return c->bad ? SPA_ERR_FRAME : 0;
}

static bool
ipv6_skippable(unsigned int next)
{
	return next == 0 || next == 43 || next == 60;
}

/*
 * A source no host sends an SPA packet from: multicast, unspecified, or
 * IPv4-mapped.  The kernel drops the first and the last before any
 * socket sees them (ip6_rcv_core); sniffed, an IPv4-mapped source would
 * pass for the IPv4 address it names.
 */
static bool
ipv6_bad_source(const struct spa_addr *src)
{
	return src->bytes[0] == 0xff || addr_is_unspecified(src) ||
	    addr_is_v4_mapped(src);
}

static int
ipv6(struct cursor *c, struct pkt_info *info)
{
	const uint8_t *a;
	unsigned int plen, next, hlen, n = 0;

	if ((get_u8(c) >> 4) != 6)
		return SPA_ERR_FRAME;
	take(c, 3);
	plen = get_u16(c);
	next = get_u8(c);
	take(c, 1);
	if ((a = take(c, 16)) != NULL)
		memcpy(info->src.bytes, a, 16);
	if ((a = take(c, 16)) != NULL)
		memcpy(info->dst.bytes, a, 16);
	limit(c, plen);
	while (!c->bad && ipv6_skippable(next) && n++ < MAX_EXT_HDRS) {
		next = get_u8(c);
		hlen = get_u8(c);
		take(c, (size_t)hlen * 8 + 6);
	}
	if (c->bad || ipv6_skippable(next))
		return SPA_ERR_FRAME;
	info->proto = (uint8_t)next;
	info->src.family = info->dst.family = AF_INET6;
	return ipv6_bad_source(&info->src) ? SPA_ERR_FRAME : 0;
}

/* --- transport ------------------------------------------------------------ */

static int
transport(struct cursor *c, struct pkt_info *info)
{
	unsigned int len, doff;

	switch (info->proto) {
	case IPPROTO_UDP:
		info->sport = (uint16_t)get_u16(c);
		info->dport = (uint16_t)get_u16(c);
		len = get_u16(c);
		take(c, 2);
		if (c->bad || len < 8)
			return SPA_ERR_FRAME;
		limit(c, len - 8);
		break;
	case IPPROTO_TCP:
		info->sport = (uint16_t)get_u16(c);
		info->dport = (uint16_t)get_u16(c);
		take(c, 8);
		doff = get_u8(c) >> 4;
		if (c->bad || doff < 5)
			return SPA_ERR_FRAME;
		take(c, (size_t)doff * 4 - 13);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		/* each family has its own ICMP; the other one is not ICMP */
		if ((info->proto == IPPROTO_ICMP) !=
		    (info->src.family == AF_INET))
			return SPA_ERR_FRAME;
		take(c, 8);
		break;
	default:
		return SPA_ERR_FRAME;
	}
	return c->bad ? SPA_ERR_FRAME : 0;
}

int
frame_payload(int dlt, const uint8_t *frame, size_t caplen,
    struct pkt_info *info, const uint8_t **payload, size_t *plen)
{
	struct cursor c = { frame, caplen, 0, false };
	unsigned int type;
	int r;

	memset(info, 0, sizeof(*info));
	*payload = NULL;
	*plen = 0;
	type = link_layer(dlt, &c);
	if (c.bad)
		return SPA_ERR_FRAME;
	if (type == ETH_P_IPV4)
		r = ipv4(&c, info);
	else if (type == ETH_P_IPV6)
		r = ipv6(&c, info);
	else
		r = SPA_ERR_FRAME;
	if (r == 0)
		r = transport(&c, info);
	if (r != 0) {
		memset(info, 0, sizeof(*info));
		return r;
	}
	*payload = c.p + c.off;
	*plen = c.len - c.off;
	return 0;
}
