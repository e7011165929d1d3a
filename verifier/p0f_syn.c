/*
 * What a SYN shows p0f: TTL, IP options, window, the TCP options' kinds in
 * order, MSS, window scale and the header quirks (p0f's README, section 5,
 * names each one).  The packet is hostile: every header is read through a
 * bounded cursor (common/bytes.h), the IP length is believed only when it
 * fits the buffer, and option lengths are checked before they are used.
 */
#include "config.h"

#include <string.h>

#include "bytes.h"
#include "err.h"
#include "p0f.h"

#define IP_PROTO_TCP	6

#define IP4_MBZ		0x8000	/* the reserved flag */
#define IP4_DF		0x4000
#define IP4_FRAGMENT	0x3fff	/* MF and the fragment offset */
#define IP_ECN_BITS	0x03	/* ECT and CE, the low bits of TOS/class */

#define TH_FIN		0x01
#define TH_SYN		0x02
#define TH_RST		0x04
#define TH_PUSH		0x08
#define TH_ACK		0x10
#define TH_URG		0x20
#define TH_ECE		0x40
#define TH_CWR		0x80
#define TH_NS		0x01	/* in the byte of the data offset */

#define TCP_HDR		20

static int
refuse(const char **why, const char *reason)
{
	*why = reason;
	return SPA_ERR_FRAME;
}

/* --- IP ------------------------------------------------------------------- */

/* The IPv4 header; `seg` is left on the TCP segment. */
static int
parse_ipv4(const uint8_t *pkt, size_t len, struct p0f_syn *s,
    struct bytes_in *seg, const char **why)
{
	struct bytes_in r = { .p = pkt, .len = len };
	size_t ihl = (size_t)(bytes_get_be(&r, 1) & 0x0f) * 4, tot;
	unsigned int tos, flags, id, proto;

	tos = (unsigned int)bytes_get_be(&r, 1);
	tot = (size_t)bytes_get_be(&r, 2);
	id = (unsigned int)bytes_get_be(&r, 2);
	flags = (unsigned int)bytes_get_be(&r, 2);
	s->ttl = (uint8_t)bytes_get_be(&r, 1);
	proto = (unsigned int)bytes_get_be(&r, 1);
	bytes_get(&r, 10);		/* checksum, addresses */
	if (r.bad)
		return refuse(why, "IPv4 header truncated");
	if (ihl < 20)
		return refuse(why, "IPv4 header length below 20");
	if (tot > len)
		return refuse(why, "IPv4 packet truncated");
	if (tot < ihl)
		return refuse(why, "IPv4 total length below its header");
	if (proto != IP_PROTO_TCP)
		return refuse(why, "not TCP");
	if ((flags & IP4_FRAGMENT) != 0)
		return refuse(why, "IPv4 fragment");
	s->ip_ver = 4;
	s->ip_opt_len = (uint8_t)(ihl - 20);
	s->tot_hdr = (uint16_t)ihl;
	if ((tos & IP_ECN_BITS) != 0)
		s->quirks |= P0F_Q_ECN;
	if ((flags & IP4_MBZ) != 0)
		s->quirks |= P0F_Q_MBZ;
	if ((flags & IP4_DF) != 0)
		s->quirks |= P0F_Q_DF | (id != 0 ? P0F_Q_ID_NZ : 0);
	else if (id == 0)
		s->quirks |= P0F_Q_ID_ZERO;
	*seg = (struct bytes_in){ .p = pkt + ihl, .len = tot - ihl };
	return 0;
}

/* The IPv6 header; like p0f, no extension header is followed. */
static int
parse_ipv6(const uint8_t *pkt, size_t len, struct p0f_syn *s,
    struct bytes_in *seg, const char **why)
{
	struct bytes_in r = { .p = pkt, .len = len };
	uint32_t vtf = (uint32_t)bytes_get_be(&r, 4);
	size_t plen = (size_t)bytes_get_be(&r, 2);
	unsigned int next = (unsigned int)bytes_get_be(&r, 1);

	s->ttl = (uint8_t)bytes_get_be(&r, 1);
	bytes_get(&r, 32);		/* addresses */
	if (r.bad)
		return refuse(why, "IPv6 header truncated");
	if (plen > len - 40)
		return refuse(why, "IPv6 packet truncated");
	if (next != IP_PROTO_TCP)
		return refuse(why, "not TCP (or behind an extension header)");
	s->ip_ver = 6;
	s->tot_hdr = 40;
	if ((vtf & 0xfffff) != 0)
		s->quirks |= P0F_Q_FLOW;
	if (((vtf >> 20) & IP_ECN_BITS) != 0)
		s->quirks |= P0F_Q_ECN;
	*seg = (struct bytes_in){ .p = pkt + 40, .len = plen };
	return 0;
}

/* --- TCP options ---------------------------------------------------------- */

static uint32_t
be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

/*
 * An option of fixed size after its kind byte: `size` bytes (the length
 * byte first), or NULL when fewer are left.  A length byte other than
 * `want` is a quirk ("bad") but, as p0f reads them, not fatal.
 */
static const uint8_t *
fixed(const uint8_t *q, size_t left, size_t size, uint8_t want,
    struct p0f_syn *s)
{
	if (left < size)
		return NULL;
	if (q[0] != want)
		s->quirks |= P0F_Q_BAD;
	return q;
}

/* An option that says its own length: the bytes after the kind, or 0. */
static size_t
sized(const uint8_t *q, size_t left, unsigned int min, unsigned int max)
{
	if (left < 1 || q[0] < min || q[0] > max || (size_t)q[0] - 1 > left)
		return 0;
	return (size_t)q[0] - 1;
}

/* The body of option `kind` at q: the bytes it takes, or 0 (malformed). */
static size_t
option_body(uint8_t kind, const uint8_t *q, size_t left, struct p0f_syn *s)
{
	const uint8_t *b;

	switch (kind) {
	case P0F_OPT_MSS:
		if ((b = fixed(q, left, 3, 4, s)) == NULL)
			return 0;
		s->mss = (uint16_t)(b[1] << 8 | b[2]);
		return 3;
	case P0F_OPT_WS:
		if ((b = fixed(q, left, 2, 3, s)) == NULL)
			return 0;
		s->wscale = b[1];
		s->quirks |= s->wscale > 14 ? P0F_Q_EXWS : 0;
		return 2;
	case P0F_OPT_SOK:
		return fixed(q, left, 1, 2, s) != NULL ? 1 : 0;
	case P0F_OPT_TS:
		if ((b = fixed(q, left, 9, 10, s)) == NULL)
			return 0;
		s->ts1 = be32(b + 1);
		s->quirks |= s->ts1 == 0 ? P0F_Q_TS1_ZERO : 0;
		s->quirks |= be32(b + 5) != 0 ? P0F_Q_TS2_NZ : 0;
		return 9;
	case P0F_OPT_SACK:
		return sized(q, left, 10, 34);
	default:
		return sized(q, left, 2, 40);
	}
}

/* After EOL: how many bytes pad the header, and whether any is not 0. */
static void
eol_padding(const uint8_t *q, size_t left, struct p0f_syn *s)
{
	size_t i;

	s->eol_pad = (uint8_t)left;
	for (i = 0; i < left; i++)
		if (q[i] != 0) {
			s->quirks |= P0F_Q_OPT_NZ;
			return;
		}
}

/*
 * The option kinds in order, up to P0F_MAX_OPTS; what cannot be read
 * (a length out of range or past the header, or more options than that)
 * ends the walk with the quirk "bad".
 */
static void
parse_options(const uint8_t *opt, size_t n, struct p0f_syn *s)
{
	size_t i = 0, used;
	uint8_t kind;

	while (i < n && s->opt_cnt < P0F_MAX_OPTS) {
		kind = opt[i++];
		s->opts[s->opt_cnt++] = kind;
		if (kind == P0F_OPT_EOL) {
			eol_padding(opt + i, n - i, s);
			return;
		}
		if (kind == P0F_OPT_NOP)
			continue;
		if ((used = option_body(kind, opt + i, n - i, s)) == 0) {
			s->quirks |= P0F_Q_BAD;
			return;
		}
		i += used;
	}
	if (i != n)		/* more options than we count */
		s->quirks |= P0F_Q_BAD;
}

/* --- TCP ------------------------------------------------------------------ */

static void
tcp_quirks(uint32_t seq, uint32_t ack, unsigned int off, unsigned int flags,
    unsigned int urg, struct p0f_syn *s)
{
	if ((flags & (TH_ECE | TH_CWR)) != 0 || (off & TH_NS) != 0)
		s->quirks |= P0F_Q_ECN;
	if (seq == 0)
		s->quirks |= P0F_Q_SEQ_ZERO;
	/* README: "ACK number is non-zero, but ACK flag not set" (see
	 * p0f_match.c on why this is not p0f 3.09's bitwise test) */
	if (ack != 0)
		s->quirks |= P0F_Q_ACK_NZ;
	if ((flags & TH_URG) != 0)
		s->quirks |= P0F_Q_URG;
	else if (urg != 0)
		s->quirks |= P0F_Q_UPTR_NZ;
	if ((flags & TH_PUSH) != 0)
		s->quirks |= P0F_Q_PUSH;
}

static int
parse_tcp(struct bytes_in *seg, struct p0f_syn *s, const char **why)
{
	uint32_t seq, ack;
	unsigned int off, flags, urg;
	size_t doff;

	bytes_get(seg, 4);		/* ports */
	seq = (uint32_t)bytes_get_be(seg, 4);
	ack = (uint32_t)bytes_get_be(seg, 4);
	off = (unsigned int)bytes_get_be(seg, 1);
	flags = (unsigned int)bytes_get_be(seg, 1);
	s->win = (uint16_t)bytes_get_be(seg, 2);
	bytes_get(seg, 2);		/* checksum */
	urg = (unsigned int)bytes_get_be(seg, 2);
	if (seg->bad)
		return refuse(why, "TCP header truncated");
	doff = (size_t)(off >> 4) * 4;
	if (doff < TCP_HDR)
		return refuse(why, "TCP header length below 20");
	if (doff > seg->len)
		return refuse(why, "TCP header past the packet");
	if ((flags & (TH_SYN | TH_ACK | TH_FIN | TH_RST)) != TH_SYN)
		return refuse(why, "not a SYN (or with ACK, FIN or RST)");
	tcp_quirks(seq, ack, off, flags, urg, s);
	s->tot_hdr = (uint16_t)(s->tot_hdr + doff);
	s->payload = seg->len > doff;
	parse_options(seg->p + TCP_HDR, doff - TCP_HDR, s);
	return 0;
}

int
p0f_syn_parse(const uint8_t *pkt, size_t len, struct p0f_syn *out,
    const char **why)
{
	struct bytes_in seg;
	int rc;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (len == 0)
		return refuse(why, "empty packet");
	switch (pkt[0] >> 4) {
	case 4:
		rc = parse_ipv4(pkt, len, out, &seg, why);
		break;
	case 6:
		rc = parse_ipv6(pkt, len, out, &seg, why);
		break;
	default:
		return refuse(why, "neither IPv4 nor IPv6");
	}
	if (rc != 0)
		return rc;
	return parse_tcp(&seg, out, why);
}
