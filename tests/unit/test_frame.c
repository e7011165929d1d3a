/*
 * Frame parsing.  Frames are built here layer by layer to check each link
 * type, transport and refusal (one test per refusal, truncation at every
 * byte of several frame shapes); then frames the real fwknop client put on
 * the wire (tests/vectors/pcap/, made by make-pcaps.sh) must yield exactly
 * the packet the client saved with --save-packet.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "frame.h"
#include "helpers.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2	276
#endif

static const char PAYLOAD[] = "SPA-PAYLOAD-BYTES";
#define PLEN	(sizeof(PAYLOAD) - 1)
#define UDPLEN	(8 + PLEN)

/* A frame under construction. */
struct fb {
	uint8_t	b[1024];
	size_t	n;
};

static void
put(struct fb *f, const void *p, size_t n)
{
	assert_true(f->n + n <= sizeof(f->b));
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void
put16(struct fb *f, unsigned int v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(f, b, 2);
}

static void
put32be(struct fb *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v & 0xffff);
}

/* Ethernet header; each entry of `tags` is a tag's TPID (0 ends the list). */
static void
ethernet(struct fb *f, unsigned int type, const unsigned int *tags)
{
	static const uint8_t macs[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

	put(f, macs, sizeof(macs));
	while (tags != NULL && *tags != 0) {
		put16(f, *tags++);
		put16(f, 42);		/* VLAN id */
	}
	put16(f, type);
}

/* IPv4 header with `optwords` 4-byte option words, for `l4len` bytes. */
static void
ipv4(struct fb *f, unsigned int proto, size_t l4len, int optwords,
    unsigned int frag)
{
	static const uint8_t nop[4] = { 1, 1, 1, 1 };
	uint8_t h[20] = { (uint8_t)(0x45 + optwords), 0 };
	size_t total = 20 + (size_t)optwords * 4 + l4len;

	h[2] = (uint8_t)(total >> 8);
	h[3] = (uint8_t)total;
	h[6] = (uint8_t)(frag >> 8);
	h[7] = (uint8_t)frag;
	h[8] = 64;
	h[9] = (uint8_t)proto;
	memcpy(h + 12, (uint8_t[]){ 192, 0, 2, 10 }, 4);
	memcpy(h + 16, (uint8_t[]){ 198, 51, 100, 1 }, 4);
	put(f, h, sizeof(h));
	while (optwords-- > 0)
		put(f, nop, sizeof(nop));
}

/* IPv6 header 2001:db8::1 -> 2001:db8::2 with payload length `plen`. */
static void
ipv6(struct fb *f, unsigned int next, size_t plen)
{
	uint8_t h[40] = { 0x60, 0 };

	h[4] = (uint8_t)(plen >> 8);
	h[5] = (uint8_t)plen;
	h[6] = (uint8_t)next;
	h[7] = 64;
	h[8] = 0x20; h[9] = 0x01; h[10] = 0x0d; h[11] = 0xb8; h[23] = 1;
	h[24] = 0x20; h[25] = 0x01; h[26] = 0x0d; h[27] = 0xb8; h[39] = 2;
	put(f, h, sizeof(h));
}

/* An IPv6 extension header of `words` 8-byte units. */
static void
ext_header(struct fb *f, unsigned int next, size_t words)
{
	uint8_t h[8] = { (uint8_t)next, (uint8_t)(words - 1) };
	size_t i;

	put(f, h, sizeof(h));
	for (i = 1; i < words; i++)
		put(f, "\0\0\0\0\0\0\0\0", 8);
}

static void
udp(struct fb *f, size_t len_field)
{
	put16(f, 40000);
	put16(f, 62201);
	put16(f, (unsigned int)len_field);
	put16(f, 0);
	put(f, PAYLOAD, PLEN);
}

static void
tcp(struct fb *f, unsigned int doff)
{
	uint8_t h[20] = { 0 };
	size_t i;

	h[0] = 40000 >> 8; h[1] = 40000 & 0xff;
	h[2] = 62201 >> 8; h[3] = 62201 & 0xff;
	h[12] = (uint8_t)(doff << 4);
	h[13] = 0x18;		/* PSH ACK */
	put(f, h, sizeof(h));
	for (i = 20; i < doff * 4; i++)
		put(f, (uint8_t[]){ 1 }, 1);
	put(f, PAYLOAD, PLEN);
}

static void
icmp(struct fb *f, unsigned int type)
{
	put(f, (uint8_t[]){ (uint8_t)type, 0, 0, 0, 0, 0, 0, 0 }, 8);
	put(f, PAYLOAD, PLEN);
}

/* The plainest frame: Ethernet, IPv4, UDP. */
static void
eth_ipv4_udp(struct fb *f)
{
	ethernet(f, 0x0800, NULL);
	ipv4(f, IPPROTO_UDP, UDPLEN, 0, 0);
	udp(f, UDPLEN);
}

static void
eth_ipv6_udp(struct fb *f)
{
	ethernet(f, 0x86dd, NULL);
	ipv6(f, IPPROTO_UDP, UDPLEN);
	udp(f, UDPLEN);
}

static int
parse(int dlt, const struct fb *f, struct pkt_info *info,
    const uint8_t **p, size_t *n)
{
	return frame_payload(dlt, f->b, f->n, info, p, n);
}

static void
assert_payload(int dlt, const struct fb *f, unsigned int proto)
{
	const uint8_t *p = NULL;
	struct pkt_info info;
	size_t n = 0;
	char src[ADDR_STRLEN], dst[ADDR_STRLEN];

	assert_int_equal(parse(dlt, f, &info, &p, &n), 0);
	assert_int_equal(n, PLEN);
	assert_memory_equal(p, PAYLOAD, PLEN);
	assert_int_equal(info.proto, proto);
	if (proto == IPPROTO_UDP || proto == IPPROTO_TCP) {
		assert_int_equal(info.sport, 40000);
		assert_int_equal(info.dport, 62201);
	} else {
		assert_int_equal(info.sport, 0);
		assert_int_equal(info.dport, 0);
	}
	addr_fmt(&info.src, src);
	addr_fmt(&info.dst, dst);
	if (info.src.family == AF_INET) {
		assert_string_equal(src, "192.0.2.10");
		assert_string_equal(dst, "198.51.100.1");
	} else {
		assert_int_equal(info.src.family, AF_INET6);
		assert_string_equal(src, "2001:db8::1");
		assert_string_equal(dst, "2001:db8::2");
	}
}

/* Refused, and nothing half-filled is left behind. */
static void
assert_refused(int dlt, const struct fb *f)
{
	static const struct pkt_info zero;
	const uint8_t *p = (const uint8_t *)"x";
	struct pkt_info info;
	size_t n = 1;

	memset(&info, 0xa5, sizeof(info));
	assert_int_equal(parse(dlt, f, &info, &p, &n), SPA_ERR_FRAME);
	assert_null(p);
	assert_int_equal(n, 0);
	assert_memory_equal(&info, &zero, sizeof(info));
}

/* Every proper prefix that cuts into the headers is refused. */
static void
assert_truncations_refused(int dlt, const struct fb *f, size_t hdrlen)
{
	struct fb t;
	size_t cut;

	for (cut = 0; cut < hdrlen; cut++) {
		t.n = 0;
		put(&t, f->b, cut);
		assert_refused(dlt, &t);
	}
}

/* --- link layers ---------------------------------------------------------- */

static void
ethernet_ipv4_udp_gives_payload_and_endpoints(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	eth_ipv4_udp(&f);
	assert_payload(DLT_EN10MB, &f, IPPROTO_UDP);
}

static void
ethernet_padding_and_fcs_are_not_payload(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	eth_ipv4_udp(&f);
	put(&f, "\0\0\0\0\0\0\xde\xad\xbe\xef", 10);
	assert_payload(DLT_EN10MB, &f, IPPROTO_UDP);
}

static void
ethernet_one_8021q_tag(void **state)
{
	static const unsigned int tags[] = { 0x8100, 0 };
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, tags);
	ipv4(&f, IPPROTO_UDP, UDPLEN, 0, 0);
	udp(&f, UDPLEN);
	assert_payload(DLT_EN10MB, &f, IPPROTO_UDP);
}

static void
ethernet_qinq_8021ad_then_8021q(void **state)
{
	static const unsigned int tags[] = { 0x88a8, 0x8100, 0 };
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x86dd, tags);
	ipv6(&f, IPPROTO_UDP, UDPLEN);
	udp(&f, UDPLEN);
	assert_payload(DLT_EN10MB, &f, IPPROTO_UDP);
}

static void
ethernet_refuses_three_vlan_tags(void **state)
{
	static const unsigned int tags[] = { 0x88a8, 0x8100, 0x8100, 0 };
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, tags);
	ipv4(&f, IPPROTO_UDP, UDPLEN, 0, 0);
	udp(&f, UDPLEN);
	assert_refused(DLT_EN10MB, &f);
}

static void
ethernet_refuses_arp_ethertype(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0806, NULL);
	ipv4(&f, IPPROTO_UDP, UDPLEN, 0, 0);
	udp(&f, UDPLEN);
	assert_refused(DLT_EN10MB, &f);
}

/* fwknopd skips 802.3 LLC/SNAP headers; IP over them is not SPA traffic. */
static void
ethernet_refuses_8023_length_field(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 20 + UDPLEN, NULL);
	ipv4(&f, IPPROTO_UDP, UDPLEN, 0, 0);
	udp(&f, UDPLEN);
	assert_refused(DLT_EN10MB, &f);
}

static void
linux_sll_ipv4(void **state)
{
	struct fb f = { .n = 0 };
	uint8_t sll[14] = { 0, 0, 0, 1, 0, 6 };

	(void)state;
	put(&f, sll, sizeof(sll));
	put16(&f, 0x0800);
	ipv4(&f, IPPROTO_UDP, UDPLEN, 0, 0);
	udp(&f, UDPLEN);
	assert_payload(DLT_LINUX_SLL, &f, IPPROTO_UDP);
	assert_truncations_refused(DLT_LINUX_SLL, &f, f.n - PLEN);
}

static void
linux_sll2_ipv6(void **state)
{
	struct fb f = { .n = 0 };
	uint8_t sll2[18] = { 0 };

	(void)state;
	put16(&f, 0x86dd);
	put(&f, sll2, sizeof(sll2));
	ipv6(&f, IPPROTO_UDP, UDPLEN);
	udp(&f, UDPLEN);
	assert_payload(DLT_LINUX_SLL2, &f, IPPROTO_UDP);
	assert_truncations_refused(DLT_LINUX_SLL2, &f, f.n - PLEN);
}

static void
linux_sll_refuses_other_protocol(void **state)
{
	struct fb f = { .n = 0 };
	uint8_t sll[14] = { 0 };

	(void)state;
	put(&f, sll, sizeof(sll));
	put16(&f, 0x0806);
	ipv4(&f, IPPROTO_UDP, UDPLEN, 0, 0);
	udp(&f, UDPLEN);
	assert_refused(DLT_LINUX_SLL, &f);
}

static void
null_family_in_host_order(void **state)
{
	struct fb f = { .n = 0 };
	uint32_t af = 2;

	(void)state;
	put(&f, &af, 4);
	ipv4(&f, IPPROTO_UDP, UDPLEN, 0, 0);
	udp(&f, UDPLEN);
	assert_payload(DLT_NULL, &f, IPPROTO_UDP);
	assert_truncations_refused(DLT_NULL, &f, f.n - PLEN);
}

/* AF_INET6 is 10 on Linux, 24 on OpenBSD/NetBSD, 28 on FreeBSD, 30 on macOS. */
static void
loop_family_in_network_order_every_inet6_value(void **state)
{
	static const uint32_t afs[] = { 10, 24, 28, 30 };
	struct fb f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(afs) / sizeof(afs[0]); i++) {
		f.n = 0;
		put32be(&f, afs[i]);
		ipv6(&f, IPPROTO_UDP, UDPLEN);
		udp(&f, UDPLEN);
		assert_payload(DLT_LOOP, &f, IPPROTO_UDP);
	}
}

static void
null_refuses_unknown_family(void **state)
{
	struct fb f = { .n = 0 };
	uint32_t af = 7;

	(void)state;
	put(&f, &af, 4);
	ipv4(&f, IPPROTO_UDP, UDPLEN, 0, 0);
	udp(&f, UDPLEN);
	assert_refused(DLT_NULL, &f);
}

/* DLT_LOOP is network order: the host-order bytes of 2 are not AF_INET. */
static void
loop_refuses_host_order_family(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	put(&f, "\x02\0\0\0", 4);
	ipv4(&f, IPPROTO_UDP, UDPLEN, 0, 0);
	udp(&f, UDPLEN);
	assert_refused(DLT_LOOP, &f);
}

static void
raw_link_types_use_the_version_nibble(void **state)
{
	struct fb v4 = { .n = 0 }, v6 = { .n = 0 };

	(void)state;
	ipv4(&v4, IPPROTO_UDP, UDPLEN, 0, 0);
	udp(&v4, UDPLEN);
	ipv6(&v6, IPPROTO_UDP, UDPLEN);
	udp(&v6, UDPLEN);
	assert_payload(DLT_RAW, &v4, IPPROTO_UDP);
	assert_payload(DLT_RAW, &v6, IPPROTO_UDP);
	assert_payload(DLT_IPV4, &v4, IPPROTO_UDP);
	assert_payload(DLT_IPV6, &v6, IPPROTO_UDP);
}

static void
raw_refuses_other_version(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ipv4(&f, IPPROTO_UDP, UDPLEN, 0, 0);
	udp(&f, UDPLEN);
	f.b[0] = 0x55;
	assert_refused(DLT_RAW, &f);
}

static void
ipv4_link_type_refuses_ipv6(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ipv6(&f, IPPROTO_UDP, UDPLEN);
	udp(&f, UDPLEN);
	assert_refused(DLT_IPV4, &f);
}

static void
ipv6_link_type_refuses_ipv4(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ipv4(&f, IPPROTO_UDP, UDPLEN, 0, 0);
	udp(&f, UDPLEN);
	assert_refused(DLT_IPV6, &f);
}

static void
refuses_unhandled_link_type(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	eth_ipv4_udp(&f);
	assert_refused(DLT_IEEE802_11, &f);
}

static void
refuses_empty_frame(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	assert_refused(DLT_EN10MB, &f);
	assert_refused(DLT_RAW, &f);
}

/* --- IPv4 ----------------------------------------------------------------- */

/* fwknopd assumes a 20-byte IPv4 header; options must be skipped. */
static void
ipv4_options_skipped(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, NULL);
	ipv4(&f, IPPROTO_UDP, UDPLEN, 3, 0);
	udp(&f, UDPLEN);
	assert_payload(DLT_EN10MB, &f, IPPROTO_UDP);
}

static void
ipv4_largest_header_skipped(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ipv4(&f, IPPROTO_UDP, UDPLEN, 10, 0);	/* IHL 15: 60 bytes */
	udp(&f, UDPLEN);
	assert_payload(DLT_RAW, &f, IPPROTO_UDP);
}

/* Don't Fragment set is a whole packet. */
static void
ipv4_dont_fragment_accepted(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, NULL);
	ipv4(&f, IPPROTO_UDP, UDPLEN, 0, 0x4000);
	udp(&f, UDPLEN);
	assert_payload(DLT_EN10MB, &f, IPPROTO_UDP);
}

static void
ipv4_refuses_version_6_under_ipv4_ethertype(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	eth_ipv4_udp(&f);
	f.b[14] = 0x65;
	assert_refused(DLT_EN10MB, &f);
}

/*
 * IHL 4: a 16-byte "header" followed by what would parse as a UDP datagram
 * if the parser believed it (its ports are the destination address bytes).
 */
static void
ipv4_refuses_ihl_below_5(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, NULL);
	ipv4(&f, IPPROTO_UDP, UDPLEN - 4, 0, 0);
	f.n -= 4;
	f.b[14] = 0x44;
	put16(&f, 40000);		/* replaces the destination address */
	put16(&f, 62201);
	put16(&f, UDPLEN);
	put16(&f, 0);
	put(&f, PAYLOAD, PLEN);
	assert_refused(DLT_EN10MB, &f);
}

static void
ipv4_refuses_total_length_below_header(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, NULL);
	ipv4(&f, IPPROTO_UDP, UDPLEN, 2, 0);
	udp(&f, UDPLEN);
	f.b[14 + 2] = 0;
	f.b[14 + 3] = 24;		/* IHL says 28 */
	assert_refused(DLT_EN10MB, &f);
}

static void
ipv4_refuses_total_length_beyond_capture(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, NULL);
	ipv4(&f, IPPROTO_UDP, UDPLEN + 1, 0, 0);
	udp(&f, UDPLEN);
	assert_refused(DLT_EN10MB, &f);
}

static void
ipv4_refuses_more_fragments(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, NULL);
	ipv4(&f, IPPROTO_UDP, UDPLEN, 0, 0x2000);
	udp(&f, UDPLEN);
	assert_refused(DLT_EN10MB, &f);
}

static void
ipv4_refuses_fragment_offset(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, NULL);
	ipv4(&f, IPPROTO_UDP, UDPLEN, 0, 0x0001);	/* last fragment */
	udp(&f, UDPLEN);
	assert_refused(DLT_EN10MB, &f);
}

static void
ipv4_refuses_other_protocol(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, NULL);
	ipv4(&f, 47, UDPLEN, 0, 0);		/* GRE */
	udp(&f, UDPLEN);
	assert_refused(DLT_EN10MB, &f);
}

static void
ipv4_tcp_truncated_anywhere_refused(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, NULL);
	ipv4(&f, IPPROTO_TCP, 24 + PLEN, 2, 0);
	tcp(&f, 6);
	assert_payload(DLT_EN10MB, &f, IPPROTO_TCP);
	assert_truncations_refused(DLT_EN10MB, &f, f.n - PLEN);
}

/* --- IPv6 ----------------------------------------------------------------- */

static void
ipv6_udp(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	eth_ipv6_udp(&f);
	assert_payload(DLT_EN10MB, &f, IPPROTO_UDP);
}

static void
ipv6_extension_headers_skipped(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x86dd, NULL);
	ipv6(&f, 0, 8 + 24 + 16 + UDPLEN);
	ext_header(&f, 43, 1);			/* hop-by-hop */
	ext_header(&f, 60, 3);			/* routing */
	ext_header(&f, IPPROTO_UDP, 2);		/* destination options */
	udp(&f, UDPLEN);
	assert_payload(DLT_EN10MB, &f, IPPROTO_UDP);
	assert_truncations_refused(DLT_EN10MB, &f, f.n - PLEN);
}

static void
ipv6_padding_after_payload_length_ignored(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	eth_ipv6_udp(&f);
	put(&f, "\0\0\0\0", 4);
	assert_payload(DLT_EN10MB, &f, IPPROTO_UDP);
}

static void
ipv6_refuses_version_4_under_ipv6_ethertype(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	eth_ipv6_udp(&f);
	f.b[14] = 0x40;
	assert_refused(DLT_EN10MB, &f);
}

static void
ipv6_refuses_payload_length_beyond_capture(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x86dd, NULL);
	ipv6(&f, IPPROTO_UDP, UDPLEN + 1);
	udp(&f, UDPLEN);
	assert_refused(DLT_EN10MB, &f);
}

static void
ipv6_refuses_fragment_header(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x86dd, NULL);
	ipv6(&f, 44, 8 + UDPLEN);
	ext_header(&f, IPPROTO_UDP, 1);
	udp(&f, UDPLEN);
	assert_refused(DLT_EN10MB, &f);
}

static void
ipv6_refuses_no_next_header(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x86dd, NULL);
	ipv6(&f, 59, UDPLEN);
	udp(&f, UDPLEN);
	assert_refused(DLT_EN10MB, &f);
}

/* An extension header whose length runs past the IPv6 payload. */
static void
ipv6_refuses_extension_header_overrun(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x86dd, NULL);
	ipv6(&f, 60, 8 + UDPLEN);
	ext_header(&f, IPPROTO_UDP, 1);
	udp(&f, UDPLEN);
	f.b[14 + 40 + 1] = 10;		/* claims 88 bytes */
	assert_refused(DLT_EN10MB, &f);
}

static void
ipv6_refuses_endless_extension_headers(void **state)
{
	struct fb f = { .n = 0 };
	int i;

	(void)state;
	ethernet(&f, 0x86dd, NULL);
	ipv6(&f, 60, 9 * 8 + UDPLEN);
	for (i = 0; i < 8; i++)
		ext_header(&f, 60, 1);
	ext_header(&f, IPPROTO_UDP, 1);
	udp(&f, UDPLEN);
	assert_refused(DLT_EN10MB, &f);
}

/* Source address bytes 8..23 of the IPv6 header, after 14 of Ethernet. */
static void
set_ipv6_source(struct fb *f, const char *text)
{
	struct spa_addr a;

	assert_int_equal(addr_parse(text, &a), 0);
	memcpy(f->b + 14 + 8, a.bytes, 16);
}

/*
 * No host sends from a multicast, unspecified or IPv4-mapped source; the
 * last would otherwise pass for the IPv4 address it names.  Neighbours
 * of each (ff00::/8 begins at 0xff, ::ffff:0:0/96 has 96 fixed bits) go
 * through.
 */
static void
ipv6_refuses_impossible_sources(void **state)
{
	static const char *const bad[] = { "ff02::1", "ff05::1:3", "::",
	    "::ffff:127.0.0.1", "::ffff:192.0.2.10" };
	static const char *const good[] = { "fe80::1", "::1", "::fffe:7f00:1",
	    "0:0:0:1:0:ffff:c000:20a", "fd00:231:150::2" };
	const uint8_t *p = NULL;
	struct pkt_info info;
	struct fb f;
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f.n = 0;
		eth_ipv6_udp(&f);
		set_ipv6_source(&f, bad[i]);
		assert_refused(DLT_EN10MB, &f);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		f.n = 0;
		eth_ipv6_udp(&f);
		set_ipv6_source(&f, good[i]);
		assert_int_equal(parse(DLT_EN10MB, &f, &info, &p, &n), 0);
		assert_int_equal(info.src.family, AF_INET6);
		assert_int_equal(n, PLEN);
	}
}

/* --- transports ----------------------------------------------------------- */

/* Bytes inside the IP packet but after the UDP length are not payload. */
static void
udp_payload_bounded_by_udp_length(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, NULL);
	ipv4(&f, IPPROTO_UDP, UDPLEN + 3, 0, 0);
	udp(&f, UDPLEN);
	put(&f, "xyz", 3);
	assert_payload(DLT_EN10MB, &f, IPPROTO_UDP);
}

static void
udp_empty_payload(void **state)
{
	const uint8_t *p = NULL;
	struct pkt_info info;
	struct fb f = { .n = 0 };
	size_t n = 1;

	(void)state;
	ethernet(&f, 0x0800, NULL);
	ipv4(&f, IPPROTO_UDP, 8, 0, 0);
	udp(&f, 8);
	f.n -= PLEN;
	assert_int_equal(parse(DLT_EN10MB, &f, &info, &p, &n), 0);
	assert_int_equal(n, 0);
	assert_ptr_equal(p, f.b + f.n);
}

static void
udp_refuses_length_below_header(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, NULL);
	ipv4(&f, IPPROTO_UDP, UDPLEN, 0, 0);
	udp(&f, 7);
	assert_refused(DLT_EN10MB, &f);
}

static void
udp_refuses_length_beyond_ip_packet(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, NULL);
	ipv4(&f, IPPROTO_UDP, UDPLEN, 0, 0);
	udp(&f, UDPLEN + 1);
	put(&f, "\0", 1);		/* captured, but outside the IP packet */
	assert_refused(DLT_EN10MB, &f);
}

static void
tcp_options_skipped(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, NULL);
	ipv4(&f, IPPROTO_TCP, 32 + PLEN, 0, 0);
	tcp(&f, 8);
	assert_payload(DLT_EN10MB, &f, IPPROTO_TCP);
}

static void
tcp_over_ipv6(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ipv6(&f, IPPROTO_TCP, 20 + PLEN);
	tcp(&f, 5);
	assert_payload(DLT_IPV6, &f, IPPROTO_TCP);
}

static void
tcp_refuses_data_offset_below_5(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, NULL);
	ipv4(&f, IPPROTO_TCP, 20 + PLEN, 0, 0);
	tcp(&f, 5);
	f.b[14 + 20 + 12] = 4 << 4;
	assert_refused(DLT_EN10MB, &f);
}

static void
tcp_refuses_data_offset_beyond_packet(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, NULL);
	ipv4(&f, IPPROTO_TCP, 20, 0, 0);
	tcp(&f, 5);
	f.n -= PLEN;
	f.b[14 + 20 + 12] = 6 << 4;	/* 24-byte header in 20 bytes */
	assert_refused(DLT_EN10MB, &f);
}

static void
icmp_payload_after_8_bytes(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, NULL);
	ipv4(&f, IPPROTO_ICMP, 8 + PLEN, 0, 0);
	icmp(&f, 0);
	assert_payload(DLT_EN10MB, &f, IPPROTO_ICMP);
	assert_truncations_refused(DLT_EN10MB, &f, f.n - PLEN);
}

static void
icmpv6_payload_after_8_bytes(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x86dd, NULL);
	ipv6(&f, IPPROTO_ICMPV6, 8 + PLEN);
	icmp(&f, 129);
	assert_payload(DLT_EN10MB, &f, IPPROTO_ICMPV6);
}

static void
icmpv6_refused_in_ipv4(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, NULL);
	ipv4(&f, IPPROTO_ICMPV6, 8 + PLEN, 0, 0);
	icmp(&f, 129);
	assert_refused(DLT_EN10MB, &f);
}

static void
icmpv4_refused_in_ipv6(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x86dd, NULL);
	ipv6(&f, IPPROTO_ICMP, 8 + PLEN);
	icmp(&f, 0);
	assert_refused(DLT_EN10MB, &f);
}

static void
udp_truncated_anywhere_refused(void **state)
{
	static const unsigned int tags[] = { 0x8100, 0 };
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x86dd, tags);
	ipv6(&f, 0, 8 + UDPLEN);
	ext_header(&f, IPPROTO_UDP, 1);
	udp(&f, UDPLEN);
	assert_payload(DLT_EN10MB, &f, IPPROTO_UDP);
	assert_truncations_refused(DLT_EN10MB, &f, f.n - PLEN);
}

/* --- the real client's frames --------------------------------------------- */

/*
 * Run every frame of tests/vectors/pcap/NAME.pcap through frame_payload.
 * Exactly one frame may carry data, and that data must be what the client
 * saved in NAME.spa (or, for HTTP, a request that carries it).
 */
static void
check_capture(const char *name, int dlt, unsigned int proto, uint16_t dport,
    bool http)
{
	char errbuf[PCAP_ERRBUF_SIZE], rel[128], *path = NULL, *spa = NULL;
	struct pcap_pkthdr *h;
	const u_char *bytes;
	const uint8_t *p;
	struct pkt_info info;
	pcap_t *pc;
	size_t n, spalen = 0;
	int with_data = 0;

	snprintf(rel, sizeof(rel), "tests/vectors/pcap/%s.spa", name);
	path = th_srcpath(rel);
	assert_non_null(spa = th_slurp(path, &spalen));
	free(path);
	snprintf(rel, sizeof(rel), "tests/vectors/pcap/%s.pcap", name);
	path = th_srcpath(rel);
	pc = pcap_open_offline(path, errbuf);
	if (pc == NULL)
		fail_msg("%s: %s", path, errbuf);
	assert_int_equal(pcap_datalink(pc), dlt);
	while (pcap_next_ex(pc, &h, &bytes) == 1) {
		assert_int_equal(frame_payload(dlt, bytes, h->caplen, &info,
		    &p, &n), 0);
		assert_int_equal(info.proto, proto);
		assert_int_equal(info.dport, dport);
		assert_int_equal(info.src.family, AF_INET);
		if (n == 0)
			continue;
		with_data++;
		if (http)
			assert_non_null(memmem(p, n, "GET ", 4));
		else {
			assert_int_equal(n, spalen);
			assert_memory_equal(p, spa, spalen);
		}
	}
	assert_int_equal(with_data, 1);
	pcap_close(pc);
	free(path);
	free(spa);
}

static void
client_udp_on_loopback(void **state)
{
	(void)state;
	check_capture("lo-udp", DLT_EN10MB, IPPROTO_UDP, 62201, false);
}

static void
client_udp_linux_sll(void **state)
{
	(void)state;
	check_capture("sll-udp", DLT_LINUX_SLL, IPPROTO_UDP, 62201, false);
}

static void
client_tcp_connection(void **state)
{
	(void)state;
	check_capture("lo-tcp", DLT_EN10MB, IPPROTO_TCP, 62201, false);
}

static void
client_tcpraw_syn_with_data(void **state)
{
	(void)state;
	check_capture("lo-tcpraw", DLT_EN10MB, IPPROTO_TCP, 62201, false);
}

static void
client_icmp(void **state)
{
	(void)state;
	check_capture("lo-icmp", DLT_EN10MB, IPPROTO_ICMP, 0, false);
}

static void
client_http_linux_sll2(void **state)
{
	(void)state;
	check_capture("sll2-http", DLT_LINUX_SLL2, IPPROTO_TCP, 80, true);
}

static void
client_http_proxy(void **state)
{
	(void)state;
	check_capture("lo-http-proxy", DLT_EN10MB, IPPROTO_TCP, 8080, true);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ethernet_ipv4_udp_gives_payload_and_endpoints),
		cmocka_unit_test(ethernet_padding_and_fcs_are_not_payload),
		cmocka_unit_test(ethernet_one_8021q_tag),
		cmocka_unit_test(ethernet_qinq_8021ad_then_8021q),
		cmocka_unit_test(ethernet_refuses_three_vlan_tags),
		cmocka_unit_test(ethernet_refuses_arp_ethertype),
		cmocka_unit_test(ethernet_refuses_8023_length_field),
		cmocka_unit_test(linux_sll_ipv4),
		cmocka_unit_test(linux_sll2_ipv6),
		cmocka_unit_test(linux_sll_refuses_other_protocol),
		cmocka_unit_test(null_family_in_host_order),
		cmocka_unit_test(loop_family_in_network_order_every_inet6_value),
		cmocka_unit_test(null_refuses_unknown_family),
		cmocka_unit_test(loop_refuses_host_order_family),
		cmocka_unit_test(raw_link_types_use_the_version_nibble),
		cmocka_unit_test(raw_refuses_other_version),
		cmocka_unit_test(ipv4_link_type_refuses_ipv6),
		cmocka_unit_test(ipv6_link_type_refuses_ipv4),
		cmocka_unit_test(refuses_unhandled_link_type),
		cmocka_unit_test(refuses_empty_frame),
		cmocka_unit_test(ipv4_options_skipped),
		cmocka_unit_test(ipv4_largest_header_skipped),
		cmocka_unit_test(ipv4_dont_fragment_accepted),
		cmocka_unit_test(ipv4_refuses_version_6_under_ipv4_ethertype),
		cmocka_unit_test(ipv4_refuses_ihl_below_5),
		cmocka_unit_test(ipv4_refuses_total_length_below_header),
		cmocka_unit_test(ipv4_refuses_total_length_beyond_capture),
		cmocka_unit_test(ipv4_refuses_more_fragments),
		cmocka_unit_test(ipv4_refuses_fragment_offset),
		cmocka_unit_test(ipv4_refuses_other_protocol),
		cmocka_unit_test(ipv4_tcp_truncated_anywhere_refused),
		cmocka_unit_test(ipv6_udp),
		cmocka_unit_test(ipv6_extension_headers_skipped),
		cmocka_unit_test(ipv6_padding_after_payload_length_ignored),
		cmocka_unit_test(ipv6_refuses_version_4_under_ipv6_ethertype),
		cmocka_unit_test(ipv6_refuses_payload_length_beyond_capture),
		cmocka_unit_test(ipv6_refuses_fragment_header),
		cmocka_unit_test(ipv6_refuses_no_next_header),
		cmocka_unit_test(ipv6_refuses_extension_header_overrun),
		cmocka_unit_test(ipv6_refuses_endless_extension_headers),
		cmocka_unit_test(ipv6_refuses_impossible_sources),
		cmocka_unit_test(udp_payload_bounded_by_udp_length),
		cmocka_unit_test(udp_empty_payload),
		cmocka_unit_test(udp_refuses_length_below_header),
		cmocka_unit_test(udp_refuses_length_beyond_ip_packet),
		cmocka_unit_test(udp_truncated_anywhere_refused),
		cmocka_unit_test(tcp_options_skipped),
		cmocka_unit_test(tcp_over_ipv6),
		cmocka_unit_test(tcp_refuses_data_offset_below_5),
		cmocka_unit_test(tcp_refuses_data_offset_beyond_packet),
		cmocka_unit_test(icmp_payload_after_8_bytes),
		cmocka_unit_test(icmpv6_payload_after_8_bytes),
		cmocka_unit_test(icmpv6_refused_in_ipv4),
		cmocka_unit_test(icmpv4_refused_in_ipv6),
		cmocka_unit_test(client_udp_on_loopback),
		cmocka_unit_test(client_udp_linux_sll),
		cmocka_unit_test(client_tcp_connection),
		cmocka_unit_test(client_tcpraw_syn_with_data),
		cmocka_unit_test(client_icmp),
		cmocka_unit_test(client_http_linux_sll2),
		cmocka_unit_test(client_http_proxy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
