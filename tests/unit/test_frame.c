/*
 * Frame parsing: frames are built here layer by layer, then each link
 * type, transport and refusal is checked, including truncation at every
 * byte.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <pcap/pcap.h>
#include <string.h>

#include "err.h"
#include "frame.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2	276
#endif

static const char PAYLOAD[] = "SPA-PAYLOAD-BYTES";
#define PLEN	(sizeof(PAYLOAD) - 1)

struct fb {
	uint8_t	b[512];
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
ethernet(struct fb *f, unsigned int type, int vlans)
{
	static const uint8_t macs[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

	put(f, macs, sizeof(macs));
	while (vlans-- > 0) {
		put16(f, 0x8100);
		put16(f, 42);
	}
	put16(f, type);
}

/* IPv4 header with `optwords` 4-byte option words, for `l4len` bytes. */
static void
ipv4(struct fb *f, unsigned int proto, size_t l4len, int optwords,
    unsigned int frag)
{
	uint8_t h[20] = { (uint8_t)(0x45 + optwords), 0 };
	size_t total = 20 + (size_t)optwords * 4 + l4len;
	static const uint8_t nop[4] = { 1, 1, 1, 1 };

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
	put(f, h, sizeof(h));
	for (i = 20; i < doff * 4; i++)
		put(f, (uint8_t[]){ 1 }, 1);
	put(f, PAYLOAD, PLEN);
}

static void
assert_payload(int dlt, const struct fb *f, unsigned int proto)
{
	const uint8_t *p = NULL;
	struct pkt_info info;
	size_t n = 0;
	char a[ADDR_STRLEN];

	assert_int_equal(frame_payload(dlt, f->b, f->n, &info, &p, &n), 0);
	assert_int_equal(n, PLEN);
	assert_memory_equal(p, PAYLOAD, PLEN);
	assert_int_equal(info.proto, proto);
	if (proto == IPPROTO_UDP || proto == IPPROTO_TCP) {
		assert_int_equal(info.sport, 40000);
		assert_int_equal(info.dport, 62201);
	}
	addr_fmt(&info.src, a);
	assert_true(strcmp(a, "192.0.2.10") == 0 || strcmp(a, "2001:db8::1") == 0);
}

static void
assert_refused(int dlt, const struct fb *f)
{
	const uint8_t *p = (const uint8_t *)"x";
	struct pkt_info info;
	size_t n = 1;

	assert_int_equal(frame_payload(dlt, f->b, f->n, &info, &p, &n),
	    SPA_ERR_FRAME);
	assert_null(p);
	assert_int_equal(n, 0);
}

static void
ethernet_ipv4_udp(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, 0);
	ipv4(&f, IPPROTO_UDP, 8 + PLEN, 0, 0);
	udp(&f, 8 + PLEN);
	assert_payload(DLT_EN10MB, &f, IPPROTO_UDP);
}

static void
ethernet_padding_is_not_payload(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, 0);
	ipv4(&f, IPPROTO_UDP, 8 + PLEN, 0, 0);
	udp(&f, 8 + PLEN);
	put(&f, "\0\0\0\0\0\0", 6);		/* padding and FCS */
	assert_payload(DLT_EN10MB, &f, IPPROTO_UDP);
}

static void
two_vlan_tags(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, 2);
	ipv4(&f, IPPROTO_UDP, 8 + PLEN, 0, 0);
	udp(&f, 8 + PLEN);
	assert_payload(DLT_EN10MB, &f, IPPROTO_UDP);
}

static void
three_vlan_tags_refused(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, 3);
	ipv4(&f, IPPROTO_UDP, 8 + PLEN, 0, 0);
	udp(&f, 8 + PLEN);
	assert_refused(DLT_EN10MB, &f);
}

/* fwknopd assumes a 20-byte IPv4 header; options must be skipped. */
static void
ipv4_options_skipped(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, 0);
	ipv4(&f, IPPROTO_UDP, 8 + PLEN, 3, 0);
	udp(&f, 8 + PLEN);
	assert_payload(DLT_EN10MB, &f, IPPROTO_UDP);
}

static void
tcp_with_options(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, 0);
	ipv4(&f, IPPROTO_TCP, 32 + PLEN, 0, 0);
	tcp(&f, 8);
	assert_payload(DLT_EN10MB, &f, IPPROTO_TCP);
}

static void
icmp_echo(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, 0);
	ipv4(&f, IPPROTO_ICMP, 8 + PLEN, 0, 0);
	put(&f, "\x08\0\0\0\0\0\0\0", 8);
	put(&f, PAYLOAD, PLEN);
	assert_payload(DLT_EN10MB, &f, IPPROTO_ICMP);
}

static void
linux_sll_and_sll2(void **state)
{
	struct fb f = { .n = 0 };
	uint8_t sll[14] = { 0 }, sll2[18] = { 0 };

	(void)state;
	put(&f, sll, sizeof(sll));
	put16(&f, 0x0800);
	ipv4(&f, IPPROTO_UDP, 8 + PLEN, 0, 0);
	udp(&f, 8 + PLEN);
	assert_payload(DLT_LINUX_SLL, &f, IPPROTO_UDP);

	f.n = 0;
	put16(&f, 0x86dd);
	put(&f, sll2, sizeof(sll2));
	ipv6(&f, IPPROTO_UDP, 8 + PLEN);
	udp(&f, 8 + PLEN);
	assert_payload(DLT_LINUX_SLL2, &f, IPPROTO_UDP);
}

static void
null_loop_and_raw(void **state)
{
	struct fb f = { .n = 0 };
	uint32_t af = 2;

	(void)state;
	put(&f, &af, 4);			/* host order */
	ipv4(&f, IPPROTO_UDP, 8 + PLEN, 0, 0);
	udp(&f, 8 + PLEN);
	assert_payload(DLT_NULL, &f, IPPROTO_UDP);

	f.n = 0;
	put(&f, "\0\0\0\x1e", 4);		/* AF_INET6 on macOS, network order */
	ipv6(&f, IPPROTO_UDP, 8 + PLEN);
	udp(&f, 8 + PLEN);
	assert_payload(DLT_LOOP, &f, IPPROTO_UDP);

	f.n = 0;
	ipv4(&f, IPPROTO_UDP, 8 + PLEN, 0, 0);
	udp(&f, 8 + PLEN);
	assert_payload(DLT_RAW, &f, IPPROTO_UDP);
	assert_payload(DLT_IPV4, &f, IPPROTO_UDP);
}

static void
ipv6_extension_headers_skipped(void **state)
{
	struct fb f = { .n = 0 };
	uint8_t hbh[8] = { 60, 0 }, dst[16] = { IPPROTO_UDP, 1 };

	(void)state;
	ethernet(&f, 0x86dd, 0);
	ipv6(&f, 0, 8 + 16 + 8 + PLEN);
	put(&f, hbh, sizeof(hbh));
	put(&f, dst, sizeof(dst));
	udp(&f, 8 + PLEN);
	assert_payload(DLT_EN10MB, &f, IPPROTO_UDP);
}

static void
ipv6_fragment_refused(void **state)
{
	struct fb f = { .n = 0 };
	uint8_t frag[8] = { IPPROTO_UDP, 0 };

	(void)state;
	ethernet(&f, 0x86dd, 0);
	ipv6(&f, 44, 8 + 8 + PLEN);
	put(&f, frag, sizeof(frag));
	udp(&f, 8 + PLEN);
	assert_refused(DLT_EN10MB, &f);
}

static void
ipv4_fragments_refused(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, 0);
	ipv4(&f, IPPROTO_UDP, 8 + PLEN, 0, 0x2000);	/* more fragments */
	udp(&f, 8 + PLEN);
	assert_refused(DLT_EN10MB, &f);
	f.n = 0;
	ethernet(&f, 0x0800, 0);
	ipv4(&f, IPPROTO_UDP, 8 + PLEN, 0, 0x0010);	/* an offset */
	udp(&f, 8 + PLEN);
	assert_refused(DLT_EN10MB, &f);
}

static void
other_ethertype_refused(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0806, 0);	/* ARP */
	ipv4(&f, IPPROTO_UDP, 8 + PLEN, 0, 0);
	udp(&f, 8 + PLEN);
	assert_refused(DLT_EN10MB, &f);
}

static void
other_protocol_refused(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, 0);
	ipv4(&f, 47, 8 + PLEN, 0, 0);		/* GRE */
	udp(&f, 8 + PLEN);
	assert_refused(DLT_EN10MB, &f);
}

static void
bad_lengths_refused(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, 0);
	ipv4(&f, IPPROTO_UDP, 8 + PLEN + 50, 0, 0);	/* more than captured */
	udp(&f, 8 + PLEN);
	assert_refused(DLT_EN10MB, &f);
	f.n = 0;
	ethernet(&f, 0x0800, 0);
	ipv4(&f, IPPROTO_UDP, 8 + PLEN, 0, 0);
	udp(&f, 7);					/* UDP length < 8 */
	assert_refused(DLT_EN10MB, &f);
	f.n = 0;
	ethernet(&f, 0x0800, 0);
	ipv4(&f, IPPROTO_UDP, 8 + PLEN, 0, 0);
	udp(&f, 8 + PLEN + 1);				/* beyond the IP packet */
	assert_refused(DLT_EN10MB, &f);
	f.n = 0;
	ethernet(&f, 0x0800, 0);
	ipv4(&f, IPPROTO_TCP, 20 + PLEN, 0, 0);
	tcp(&f, 4);					/* data offset < 5 */
	assert_refused(DLT_EN10MB, &f);
}

static void
bad_versions_refused(void **state)
{
	struct fb f = { .n = 0 };

	(void)state;
	ethernet(&f, 0x0800, 0);
	ipv4(&f, IPPROTO_UDP, 8 + PLEN, 0, 0);
	udp(&f, 8 + PLEN);
	f.b[14] = 0x65;			/* version 6 in an IPv4 ethertype */
	assert_refused(DLT_EN10MB, &f);
	f.b[14] = 0x44;			/* IHL 4: shorter than a header */
	assert_refused(DLT_EN10MB, &f);
	assert_refused(DLT_IEEE802_11, &f);	/* link type not handled */
}

/* Every prefix of a valid frame is refused, never read past. */
static void
every_truncation_refused(void **state)
{
	struct fb f = { .n = 0 }, t;
	const uint8_t *p;
	struct pkt_info info;
	size_t n, cut, hdr;

	(void)state;
	ethernet(&f, 0x86dd, 1);
	ipv6(&f, 0, 8 + 8 + PLEN);
	put(&f, (uint8_t[8]){ IPPROTO_UDP, 0 }, 8);
	udp(&f, 8 + PLEN);
	hdr = f.n - PLEN;
	for (cut = 0; cut < hdr; cut++) {
		t.n = cut;
		memcpy(t.b, f.b, cut);
		assert_int_equal(frame_payload(DLT_EN10MB, t.b, t.n, &info, &p,
		    &n), SPA_ERR_FRAME);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ethernet_ipv4_udp),
		cmocka_unit_test(ethernet_padding_is_not_payload),
		cmocka_unit_test(two_vlan_tags),
		cmocka_unit_test(three_vlan_tags_refused),
		cmocka_unit_test(ipv4_options_skipped),
		cmocka_unit_test(tcp_with_options),
		cmocka_unit_test(icmp_echo),
		cmocka_unit_test(linux_sll_and_sll2),
		cmocka_unit_test(null_loop_and_raw),
		cmocka_unit_test(ipv6_extension_headers_skipped),
		cmocka_unit_test(ipv6_fragment_refused),
		cmocka_unit_test(ipv4_fragments_refused),
		cmocka_unit_test(other_ethertype_refused),
		cmocka_unit_test(other_protocol_refused),
		cmocka_unit_test(bad_lengths_refused),
		cmocka_unit_test(bad_versions_refused),
		cmocka_unit_test(every_truncation_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
