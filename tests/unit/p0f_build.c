/* SYNs built header by header for the p0f unit tests (p0f_build.h). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "p0f.h"
#include "p0f_build.h"

/* Option bytes of common stacks. */
const uint8_t LINUX_OPTS[20] = {	/* mss,sok,ts,nop,ws 7 */
	2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 1, 2, 3, 0, 0, 0, 0, 1, 3, 3, 7
};
const uint8_t WIN_OPTS[12] = {	/* mss,nop,ws 8,nop,nop,sok */
	2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2
};
const uint8_t MAC_OPTS[24] = {	/* mss,nop,ws 6,nop,nop,ts,sok,eol+1 */
	2, 4, 0x05, 0xb4, 1, 3, 3, 6, 1, 1, 8, 10, 0x3a, 0x1b, 0x2c, 0x4d,
	0, 0, 0, 0, 4, 2, 0, 0
};
const uint8_t BSD_OPTS[20] = {	/* mss,nop,ws 6,sok,ts */
	2, 4, 0x05, 0xb4, 1, 3, 3, 6, 4, 2, 8, 10, 0, 0, 0x10, 0, 0, 0, 0, 0
};

struct shape
linux_shape(void)
{
	return (struct shape){ .ver = 4, .ttl = 64, .df = true, .id = 0x1234,
	    .seq = 0xdeadbeef, .flags = TH_SYN, .win = 29200,
	    .opts = LINUX_OPTS, .optlen = sizeof(LINUX_OPTS) };
}

struct shape
windows_shape(void)
{
	return (struct shape){ .ver = 4, .ttl = 128, .df = true, .id = 0x4321,
	    .seq = 0x01020304, .flags = TH_SYN, .win = 64240,
	    .opts = WIN_OPTS, .optlen = sizeof(WIN_OPTS) };
}


static void
put(struct pkt *p, const void *v, size_t n)
{
	assert_true(p->n + n <= sizeof(p->b));
	if (n > 0)		/* a shape without options has none */
		memcpy(p->b + p->n, v, n);
	p->n += n;
}

static void
put_be(struct pkt *p, uint32_t v, size_t n)
{
	uint8_t b[4];
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	put(p, b, n);
}

static void
ipv4(struct pkt *p, const struct shape *s, size_t l4)
{
	static const uint8_t addrs[8] = { 192, 0, 2, 1, 192, 0, 2, 2 };
	uint8_t nops[40];

	assert_true(s->ipopts % 4 == 0 && s->ipopts <= sizeof(nops));
	put_be(p, 0x45 + s->ipopts / 4, 1);
	put_be(p, s->tos, 1);
	put_be(p, (uint32_t)(20 + s->ipopts + l4), 2);
	put_be(p, s->id, 2);
	put_be(p, (s->df ? 0x4000u : 0) | s->frag, 2);
	put_be(p, s->ttl, 1);
	put_be(p, 6, 1);
	put_be(p, 0, 2);
	put(p, addrs, sizeof(addrs));
	memset(nops, 1, sizeof(nops));
	put(p, nops, s->ipopts);
}

static void
ipv6(struct pkt *p, const struct shape *s, size_t l4)
{
	uint8_t addrs[32] = { 0 };

	addrs[0] = 0x20, addrs[1] = 0x01, addrs[15] = 1;
	addrs[16] = 0x20, addrs[17] = 0x01, addrs[31] = 2;
	put_be(p, 6u << 28 | (uint32_t)s->tos << 20 | (s->flow & 0xfffff), 4);
	put_be(p, (uint32_t)l4, 2);
	put_be(p, 6, 1);
	put_be(p, s->ttl, 1);
	put(p, addrs, sizeof(addrs));
}

struct pkt
syn_build(const struct shape *s)
{
	struct pkt p = { .n = 0 };
	size_t l4 = 20 + s->optlen + s->payload, i;

	assert_true(s->optlen % 4 == 0);
	if (s->ver == 4)
		ipv4(&p, s, l4);
	else
		ipv6(&p, s, l4);
	put_be(&p, 40000, 2);
	put_be(&p, 22, 2);
	put_be(&p, s->seq, 4);
	put_be(&p, s->ack, 4);
	put_be(&p, (uint32_t)((20 + s->optlen) / 4) << 4 | s->ns, 1);
	put_be(&p, s->flags, 1);
	put_be(&p, s->win, 2);
	put_be(&p, 0, 2);
	put_be(&p, s->urg, 2);
	put(&p, s->opts, s->optlen);
	for (i = 0; i < s->payload; i++)
		put_be(&p, 'x', 1);
	return p;
}

/* Parse `n` bytes from an allocation of exactly that size. */
int
syn_parse_exact(const uint8_t *b, size_t n, struct p0f_syn *syn,
    const char **why)
{
	uint8_t *copy = malloc(n > 0 ? n : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, b, n);
	rc = p0f_syn_parse(copy, n, syn, why);
	free(copy);
	return rc;
}

struct p0f_syn
syn_parse_ok(const struct shape *s)
{
	struct pkt p = syn_build(s);
	struct p0f_syn syn;
	const char *why;

	assert_int_equal(syn_parse_exact(p.b, p.n, &syn, &why), 0);
	assert_null(why);
	return syn;
}
