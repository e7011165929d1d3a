/*
 * SYN fingerprints (verifier/p0f_syn.c, p0f_match.c).  SYNs are built here
 * header by header: each quirk and option rule, each refusal, truncation
 * at every byte; the matcher's rules against a small database of our own
 * lines; then the header shapes of common stacks and two SYNs this host's
 * Linux sent (tests/vectors/p0f, make-syns.sh) against Debian's p0f.fp
 * (package p0f; $P0F_FP), which must give p0f's labels.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "helpers.h"
#include "p0f.h"

/* A SYN's headers, as the tests vary them. */
struct shape {
	int		 ver;		/* 4 or 6 */
	uint8_t		 ttl;
	bool		 df;
	uint16_t	 id;
	uint16_t	 frag;		/* other IPv4 flag/offset bits */
	uint8_t		 tos;		/* TOS or traffic class */
	uint32_t	 flow;
	size_t		 ipopts;	/* bytes of IPv4 NOP options */
	uint32_t	 seq, ack;
	uint8_t		 flags;
	uint8_t		 ns;		/* low bits of the data offset byte */
	uint16_t	 win, urg;
	const uint8_t	*opts;
	size_t		 optlen;	/* a multiple of 4 */
	size_t		 payload;
};

#define TH_SYN	0x02

/* Option bytes of common stacks. */
static const uint8_t LINUX_OPTS[] = {	/* mss,sok,ts,nop,ws 7 */
	2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 1, 2, 3, 0, 0, 0, 0, 1, 3, 3, 7
};
static const uint8_t WIN_OPTS[] = {	/* mss,nop,ws 8,nop,nop,sok */
	2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2
};
static const uint8_t MAC_OPTS[] = {	/* mss,nop,ws 6,nop,nop,ts,sok,eol+1 */
	2, 4, 0x05, 0xb4, 1, 3, 3, 6, 1, 1, 8, 10, 0x3a, 0x1b, 0x2c, 0x4d,
	0, 0, 0, 0, 4, 2, 0, 0
};
static const uint8_t BSD_OPTS[] = {	/* mss,nop,ws 6,sok,ts */
	2, 4, 0x05, 0xb4, 1, 3, 3, 6, 4, 2, 8, 10, 0, 0, 0x10, 0, 0, 0, 0, 0
};

static struct shape
linux_shape(void)
{
	return (struct shape){ .ver = 4, .ttl = 64, .df = true, .id = 0x1234,
	    .seq = 0xdeadbeef, .flags = TH_SYN, .win = 29200,
	    .opts = LINUX_OPTS, .optlen = sizeof(LINUX_OPTS) };
}

static struct shape
windows_shape(void)
{
	return (struct shape){ .ver = 4, .ttl = 128, .df = true, .id = 0x4321,
	    .seq = 0x01020304, .flags = TH_SYN, .win = 64240,
	    .opts = WIN_OPTS, .optlen = sizeof(WIN_OPTS) };
}

struct pkt {
	uint8_t	b[512];
	size_t	n;
};

static void
put(struct pkt *p, const void *v, size_t n)
{
	assert_true(p->n + n <= sizeof(p->b));
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

static struct pkt
build(const struct shape *s)
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
static int
parse_exact(const uint8_t *b, size_t n, struct p0f_syn *syn, const char **why)
{
	uint8_t *copy = malloc(n > 0 ? n : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, b, n);
	rc = p0f_syn_parse(copy, n, syn, why);
	free(copy);
	return rc;
}

static struct p0f_syn
parse_ok(const struct shape *s)
{
	struct pkt p = build(s);
	struct p0f_syn syn;
	const char *why;

	assert_int_equal(parse_exact(p.b, p.n, &syn, &why), 0);
	assert_null(why);
	return syn;
}

/* --- the SYN parser ------------------------------------------------------- */

static void
test_linux_fields(void **state)
{
	struct shape s = linux_shape();
	struct p0f_syn syn;

	(void)state;
	syn = parse_ok(&s);
	assert_int_equal(syn.ip_ver, 4);
	assert_int_equal(syn.ttl, 64);
	assert_int_equal(syn.ip_opt_len, 0);
	assert_int_equal(syn.tot_hdr, 40 + sizeof(LINUX_OPTS));
	assert_int_equal(syn.win, 29200);
	assert_int_equal(syn.mss, 1460);
	assert_int_equal(syn.wscale, 7);
	assert_int_equal(syn.ts1, 0x00010203);
	assert_int_equal(syn.opt_cnt, 5);
	assert_memory_equal(syn.opts, ((uint8_t[]){ 2, 4, 8, 1, 3 }), 5);
	assert_int_equal(syn.quirks, P0F_Q_DF | P0F_Q_ID_NZ);
	assert_false(syn.payload);

	s.ipopts = 8;
	s.payload = 3;
	syn = parse_ok(&s);
	assert_int_equal(syn.ip_opt_len, 8);
	assert_int_equal(syn.tot_hdr, 48 + sizeof(LINUX_OPTS));
	assert_true(syn.payload);
}

/* Link padding after the IP length is not payload. */
static void
test_padding_ignored(void **state)
{
	struct shape s = linux_shape();
	struct pkt p = build(&s);
	struct p0f_syn syn;
	const char *why;

	(void)state;
	memset(p.b + p.n, 0xee, 6);
	assert_int_equal(parse_exact(p.b, p.n + 6, &syn, &why), 0);
	assert_false(syn.payload);
}

static const uint8_t TS_ZERO[] = { 8, 10, 0, 0, 0, 0, 0, 0, 0, 9, 1, 1 };
static const uint8_t WS_15[] = { 3, 3, 15, 0 };
static const uint8_t EOL_JUNK[] = { 2, 4, 5, 0xb4, 0, 0, 7, 0 };
static const uint8_t MSS_LEN5[] = { 2, 5, 5, 0xb4, 1, 1, 1, 1 };
static const uint8_t LONG_OPT[] = { 2, 4, 5, 0xb4, 30, 10, 0, 0 };
static const uint8_t OPT_LEN1[] = { 30, 1, 0, 0 };
static const uint8_t SACK_LEN8[] = { 5, 8, 0, 0, 0, 0, 0, 0 };
static const uint8_t TS_SHORT[] = { 1, 1, 1, 1, 1, 1, 1, 1, 8, 10, 0, 0 };
static const uint8_t NO_LEN[] = { 1, 1, 1, 2 };

static void
test_quirks(void **state)
{
	static const struct {
		const char	*name;
		struct shape	 s;
		uint32_t	 quirks;
	} cases[] = {
		{ "df, id+", { .ver = 4, .df = true, .id = 1, .seq = 1 },
		    P0F_Q_DF | P0F_Q_ID_NZ },
		{ "df, id 0", { .ver = 4, .df = true, .seq = 1 }, P0F_Q_DF },
		{ "id-", { .ver = 4, .seq = 1 }, P0F_Q_ID_ZERO },
		{ "no df, id", { .ver = 4, .id = 1, .seq = 1 }, 0 },
		{ "ecn (ECT)", { .ver = 4, .id = 1, .seq = 1, .tos = 2 }, P0F_Q_ECN },
		{ "ecn (CE)", { .ver = 4, .id = 1, .seq = 1, .tos = 1 }, P0F_Q_ECN },
		{ "tos, no ecn", { .ver = 4, .id = 1, .seq = 1, .tos = 0x10 }, 0 },
		{ "ecn (ECE)", { .ver = 4, .id = 1, .seq = 1, .flags = 0x40 },
		    P0F_Q_ECN },
		{ "ecn (CWR)", { .ver = 4, .id = 1, .seq = 1, .flags = 0x80 },
		    P0F_Q_ECN },
		{ "ecn (NS)", { .ver = 4, .id = 1, .seq = 1, .ns = 1 }, P0F_Q_ECN },
		{ "0+", { .ver = 4, .id = 1, .seq = 1, .frag = 0x8000 }, P0F_Q_MBZ },
		{ "flow", { .ver = 6, .seq = 1, .flow = 0x12345 }, P0F_Q_FLOW },
		{ "ecn (IPv6)", { .ver = 6, .seq = 1, .tos = 0x03 }, P0F_Q_ECN },
		{ "IPv6 plain", { .ver = 6, .seq = 1 }, 0 },
		{ "seq-", { .ver = 4, .id = 1 }, P0F_Q_SEQ_ZERO },
		{ "ack+", { .ver = 4, .id = 1, .seq = 1, .ack = 0x100 },
		    P0F_Q_ACK_NZ },
		{ "uptr+", { .ver = 4, .id = 1, .seq = 1, .urg = 5 }, P0F_Q_UPTR_NZ },
		{ "urgf+", { .ver = 4, .id = 1, .seq = 1, .flags = 0x20, .urg = 5 },
		    P0F_Q_URG },
		{ "pushf+", { .ver = 4, .id = 1, .seq = 1, .flags = 0x08 },
		    P0F_Q_PUSH },
		{ "ts1-, ts2+", { .ver = 4, .id = 1, .seq = 1, .opts = TS_ZERO,
		    .optlen = sizeof(TS_ZERO) }, P0F_Q_TS1_ZERO | P0F_Q_TS2_NZ },
		{ "exws", { .ver = 4, .id = 1, .seq = 1, .opts = WS_15,
		    .optlen = sizeof(WS_15) }, P0F_Q_EXWS },
		{ "opt+", { .ver = 4, .id = 1, .seq = 1, .opts = EOL_JUNK,
		    .optlen = sizeof(EOL_JUNK) }, P0F_Q_OPT_NZ },
		{ "bad: MSS length", { .ver = 4, .id = 1, .seq = 1,
		    .opts = MSS_LEN5, .optlen = sizeof(MSS_LEN5) }, P0F_Q_BAD },
		{ "bad: past the header", { .ver = 4, .id = 1, .seq = 1,
		    .opts = LONG_OPT, .optlen = sizeof(LONG_OPT) }, P0F_Q_BAD },
		{ "bad: length 1", { .ver = 4, .id = 1, .seq = 1,
		    .opts = OPT_LEN1, .optlen = sizeof(OPT_LEN1) }, P0F_Q_BAD },
		{ "bad: SACK length", { .ver = 4, .id = 1, .seq = 1,
		    .opts = SACK_LEN8, .optlen = sizeof(SACK_LEN8) }, P0F_Q_BAD },
		{ "bad: TS cut", { .ver = 4, .id = 1, .seq = 1,
		    .opts = TS_SHORT, .optlen = sizeof(TS_SHORT) }, P0F_Q_BAD },
		{ "bad: no length byte", { .ver = 4, .id = 1, .seq = 1,
		    .opts = NO_LEN, .optlen = sizeof(NO_LEN) }, P0F_Q_BAD },
	};
	struct shape s;
	struct p0f_syn syn;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = cases[i].s;
		s.ttl = 64;
		s.flags |= TH_SYN;
		syn = parse_ok(&s);
		if (syn.quirks != cases[i].quirks)
			fail_msg("%s: quirks %#x, not %#x", cases[i].name,
			    syn.quirks, cases[i].quirks);
	}
}

static void
test_options(void **state)
{
	static const uint8_t nops[40] = {
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
	};
	struct shape s = { .ver = 4, .ttl = 64, .id = 1, .seq = 1,
	    .flags = TH_SYN, .opts = MAC_OPTS, .optlen = sizeof(MAC_OPTS) };
	struct p0f_syn syn;

	(void)state;
	syn = parse_ok(&s);
	assert_int_equal(syn.opt_cnt, 8);
	assert_memory_equal(syn.opts, ((uint8_t[]){ 2, 1, 3, 1, 1, 8, 4, 0 }), 8);
	assert_int_equal(syn.eol_pad, 1);
	assert_int_equal(syn.quirks, 0);

	s.opts = EOL_JUNK, s.optlen = sizeof(EOL_JUNK);
	syn = parse_ok(&s);
	assert_int_equal(syn.opt_cnt, 2);
	assert_int_equal(syn.eol_pad, 3);
	assert_int_equal(syn.mss, 1460);

	/* MSS with a wrong length byte is still read, as p0f does */
	s.opts = MSS_LEN5, s.optlen = sizeof(MSS_LEN5);
	assert_int_equal(parse_ok(&s).mss, 1460);

	/* more options than P0F_MAX_OPTS: the first ones, and "bad" */
	s.opts = nops, s.optlen = sizeof(nops);
	syn = parse_ok(&s);
	assert_int_equal(syn.opt_cnt, P0F_MAX_OPTS);
	assert_int_equal(syn.quirks, P0F_Q_BAD);
}

/* --- refusals ------------------------------------------------------------- */

/* The Linux SYN (IPv4, or IPv6 when `v6`), changed at byte `at`. */
static void
refused_at(bool v6, size_t at, unsigned int byte, size_t cut, const char *why)
{
	struct shape s = linux_shape();
	struct p0f_syn syn;
	struct pkt p;
	const char *got;

	s.ver = v6 ? 6 : 4;
	s.df = !v6;
	p = build(&s);
	if (at < p.n)
		p.b[at] = (uint8_t)byte;
	assert_int_equal(parse_exact(p.b, cut < p.n ? cut : p.n, &syn, &got),
	    SPA_ERR_FRAME);
	assert_non_null(got);
	assert_string_equal(got, why);
}

#define NOCHANGE	1000, 0
#define WHOLE		1000

static void
test_refused(void **state)
{
	(void)state;
	refused_at(false, NOCHANGE, 0, "empty packet");
	refused_at(false, 0, 0x55, WHOLE, "neither IPv4 nor IPv6");
	refused_at(false, NOCHANGE, 19, "IPv4 header truncated");
	refused_at(false, 0, 0x44, WHOLE, "IPv4 header length below 20");
	refused_at(false, 3, 61, WHOLE, "IPv4 packet truncated");
	refused_at(false, 3, 19, WHOLE, "IPv4 total length below its header");
	refused_at(false, 9, 17, WHOLE, "not TCP");
	refused_at(false, 6, 0x60, WHOLE, "IPv4 fragment");	/* DF|MF */
	refused_at(false, 7, 0x01, WHOLE, "IPv4 fragment");	/* offset */
	refused_at(false, 3, 39, WHOLE, "TCP header truncated");
	refused_at(false, 32, 0x40, WHOLE, "TCP header length below 20");
	refused_at(false, 32, 0xf0, WHOLE, "TCP header past the packet");
	refused_at(false, 33, 0x12, WHOLE, "not a SYN (or with ACK, FIN or RST)");
	refused_at(false, 33, 0x06, WHOLE, "not a SYN (or with ACK, FIN or RST)");
	refused_at(false, 33, 0x03, WHOLE, "not a SYN (or with ACK, FIN or RST)");
	refused_at(false, 33, 0x10, WHOLE, "not a SYN (or with ACK, FIN or RST)");
	refused_at(false, 33, 0x00, WHOLE, "not a SYN (or with ACK, FIN or RST)");
	refused_at(true, NOCHANGE, 39, "IPv6 header truncated");
	refused_at(true, 5, 41, WHOLE, "IPv6 packet truncated");
	refused_at(true, 6, 0, WHOLE, "not TCP (or behind an extension header)");
	refused_at(true, 5, 19, WHOLE, "TCP header truncated");
	refused_at(true, 53, 0x12, WHOLE, "not a SYN (or with ACK, FIN or RST)");
}

/* Every prefix of a SYN is refused, and never read past. */
static void
test_truncated_everywhere(void **state)
{
	struct shape shapes[2] = { linux_shape(), linux_shape() };
	struct p0f_syn syn;
	const char *why;
	struct pkt p;
	size_t i, k;

	(void)state;
	shapes[1].ver = 6;
	shapes[1].df = false;
	for (i = 0; i < 2; i++) {
		p = build(&shapes[i]);
		for (k = 0; k < p.n; k++)
			assert_int_equal(parse_exact(p.b, k, &syn, &why),
			    SPA_ERR_FRAME);
		assert_int_equal(parse_exact(p.b, p.n, &syn, &why), 0);
	}
}

/* --- the matcher, against our own lines ------------------------------------ */

static const char OWN_DB[] =
	"classes = unix,win\n"
	"[tcp:request]\n"
	"label = g:unix:Generic:any window\n"
	"sig = *:64:0:*:*,*:mss,sok,ts,nop,ws:df,id+:0\n"
	"label = s:unix:MssWin:\n"
	"sig = *:64:0:*:mss*20,7:mss,sok,ts,nop,ws:df,id+:0\n"
	"label = s:win:MtuWin:\n"
	"sig = *:128:0:*:mtu*4,8:mss,nop,ws,nop,nop,sok:df,id+:0\n"
	"label = s:win:ModWin:\n"
	"sig = *:128:0:*:%8192,8:mss,nop,ws,nop,nop,sok:df,id+:0\n"
	"label = s:win:FixedWin:\n"
	"sig = *:128:0:1460:64240,8:mss,nop,ws,nop,nop,sok:df,id+:0\n"
	"label = s:unix:V4only:\n"
	"sig = 4:64:0:1460:65535,6:mss,nop,ws,sok,ts:df,id+:0\n"
	"label = s:!:Tool:random ttl\n"
	"sys = @unix\n"
	"sig = *:64-:0:1460:1024,0:mss::0\n"
	"label = s:unix:Eol:\n"
	"sig = *:64:0:*:65535,6:mss,nop,ws,nop,nop,ts,sok,eol+1:df,id+:0\n";

static struct p0f_db *
own_db(void)
{
	struct p0f_error err;
	struct p0f_db *db;

	assert_int_equal(p0f_db_parse(OWN_DB, sizeof(OWN_DB) - 1, "own.fp",
	    &db, &err), 0);
	return db;
}

/* The label `s` gets (NULL: none), its quality and distance. */
static const char *
label_of(const struct p0f_db *db, const struct shape *s, unsigned int *q,
    unsigned int *dist)
{
	struct p0f_syn syn = parse_ok(s);
	struct p0f_match m;
	unsigned int qq, dd;

	q = q != NULL ? q : &qq;
	dist = dist != NULL ? dist : &dd;
	if (!p0f_match(db, &syn, &m)) {
		assert_null(m.label);
		*dist = m.dist;
		return NULL;
	}
	*q = m.quality;
	*dist = m.dist;
	return m.label->text;
}

static void
test_window_forms(void **state)
{
	struct p0f_db *db = own_db();
	struct shape s = linux_shape();
	unsigned int q;

	(void)state;
	assert_string_equal(label_of(db, &s, &q, NULL), "MssWin");	/* 1460*20 */
	assert_int_equal(q, 0);
	s.win = 28000;			/* 1400 * 20: not with an MSS of 1460 */
	assert_string_equal(label_of(db, &s, &q, NULL), "Generic any window");
	assert_int_equal(q, P0F_GENERIC);

	s = windows_shape();
	assert_string_equal(label_of(db, &s, &q, NULL), "FixedWin");
	s.win = 6000;			/* (1460 + 40) * 4 */
	assert_string_equal(label_of(db, &s, &q, NULL), "MtuWin");
	s.win = 5840;			/* 1460 * 4: an MSS multiple, not MTU */
	assert_null(label_of(db, &s, &q, NULL));
	s.win = 16384;			/* % 8192 */
	assert_string_equal(label_of(db, &s, &q, NULL), "ModWin");
	s.win = 16385;
	assert_null(label_of(db, &s, &q, NULL));
	p0f_db_free(db);
}

static void
test_fuzzy(void **state)
{
	struct p0f_db *db = own_db();
	struct shape s = windows_shape();
	unsigned int q, dist;

	(void)state;
	s.df = false;			/* df and id+ gone */
	assert_string_equal(label_of(db, &s, &q, NULL), "FixedWin");
	assert_int_equal(q, P0F_FUZZY);
	s.id = 0;			/* id- came */
	assert_string_equal(label_of(db, &s, &q, NULL), "FixedWin");
	assert_int_equal(q, P0F_FUZZY);
	s = windows_shape();
	s.tos = 2;			/* ecn came */
	assert_string_equal(label_of(db, &s, &q, NULL), "FixedWin");
	assert_int_equal(q, P0F_FUZZY);
	s = windows_shape();
	s.flags |= 0x08;		/* pushf+ came: not forgiven */
	assert_null(label_of(db, &s, &q, NULL));
	s = windows_shape();
	s.frag = 0x8000;		/* 0+ came: not forgiven */
	assert_null(label_of(db, &s, &q, NULL));

	/* TTL: up to 35 hops lost is exact; more, or higher, is fuzzy */
	s = windows_shape();
	s.ttl = 93;
	assert_string_equal(label_of(db, &s, &q, &dist), "FixedWin");
	assert_int_equal(q, 0);
	assert_int_equal(dist, 35);
	s.ttl = 92;
	assert_string_equal(label_of(db, &s, &q, &dist), "FixedWin");
	assert_int_equal(q, P0F_FUZZY);
	assert_int_equal(dist, 36);	/* guessed from 128 */
	s.ttl = 200;
	assert_string_equal(label_of(db, &s, &q, &dist), "FixedWin");
	assert_int_equal(q, P0F_FUZZY);
	assert_int_equal(dist, 55);

	/* a fuzzy generic match says both */
	s = linux_shape();
	s.win = 28000;
	s.df = false;
	assert_string_equal(label_of(db, &s, &q, NULL), "Generic any window");
	assert_int_equal(q, P0F_FUZZY | P0F_GENERIC);
	p0f_db_free(db);
}

/* An exact specific match wins over an earlier generic one. */
static void
test_specific_first(void **state)
{
	struct p0f_db *db = own_db();
	struct shape s = linux_shape();
	unsigned int q;

	(void)state;
	assert_string_equal(label_of(db, &s, &q, NULL), "MssWin");
	assert_int_equal(q, 0);
	s.opts = LINUX_OPTS;
	s.win = 29200;
	s.ttl = 60;
	assert_string_equal(label_of(db, &s, &q, NULL), "MssWin");
	p0f_db_free(db);
}

static void
test_tool_random_ttl(void **state)
{
	static const uint8_t mss_only[] = { 2, 4, 5, 0xb4 };
	struct p0f_db *db = own_db();
	struct shape s = { .ver = 4, .ttl = 50, .id = 7, .seq = 9,
	    .flags = TH_SYN, .win = 1024, .opts = mss_only,
	    .optlen = sizeof(mss_only) };
	unsigned int q, dist;

	(void)state;
	assert_string_equal(label_of(db, &s, &q, &dist), "Tool random ttl");
	assert_int_equal(q, 0);
	assert_int_equal(dist, 14);
	s.ttl = 65;			/* above a random TTL's maximum */
	assert_null(label_of(db, &s, NULL, NULL));
	s.ttl = 50;
	s.tos = 2;			/* fuzzy: never for a tool */
	assert_null(label_of(db, &s, NULL, NULL));
	p0f_db_free(db);
}

static void
test_ip_versions(void **state)
{
	struct p0f_db *db = own_db();
	struct shape s = { .ver = 4, .ttl = 64, .df = true, .id = 3,
	    .seq = 1, .flags = TH_SYN, .win = 65535, .opts = BSD_OPTS,
	    .optlen = sizeof(BSD_OPTS) };
	unsigned int q, dist;

	(void)state;
	assert_string_equal(label_of(db, &s, &q, NULL), "V4only");
	s.ver = 6;
	s.df = false;
	assert_null(label_of(db, &s, NULL, &dist));
	assert_int_equal(dist, 0);	/* guessed: 64 - 64 */

	/* a sig for both versions forgets df/id+ for IPv6, not flow */
	s.opts = MAC_OPTS, s.optlen = sizeof(MAC_OPTS);
	assert_string_equal(label_of(db, &s, &q, NULL), "Eol");
	assert_int_equal(q, 0);
	s.flow = 0xabcde;
	assert_null(label_of(db, &s, NULL, NULL));
	p0f_db_free(db);
}

/* --- Debian's p0f.fp: the labels p0f gives ------------------------------- */

static struct p0f_db *debian;

static int
load_debian(void **state)
{
	const char *path = getenv("P0F_FP");
	struct p0f_error err;
	struct stat st;

	(void)state;
	if (path == NULL)
		path = "/etc/p0f/p0f.fp";
	if (stat(path, &st) != 0) {
		if (getenv("CI") != NULL && strcmp(getenv("CI"), "true") == 0) {
			print_error("%s is missing (scripts/deps test installs "
			    "p0f)\n", path);
			return -1;
		}
		print_message("# SKIP: %s is missing (Debian package p0f)\n",
		    path);
		return 0;
	}
	if (p0f_db_load(path, &debian, &err) != 0) {
		print_error("%s\n", err.text);
		return -1;
	}
	return 0;
}

static int
free_debian(void **state)
{
	(void)state;
	p0f_db_free(debian);
	debian = NULL;
	return 0;
}

static void
expect(const struct shape *s, const char *label, unsigned int quality,
    unsigned int dist)
{
	unsigned int q, d;
	const char *got;

	if (debian == NULL)
		skip();
	got = label_of(debian, s, &q, &d);
	if (got == NULL)
		fail_msg("no label, expected '%s'", label);
	assert_string_equal(got, label);
	assert_int_equal(q, quality);
	assert_int_equal(d, dist);
}

static void
test_debian_linux(void **state)
{
	struct shape s = linux_shape();

	(void)state;
	/* Linux 3.11 to 4.18: 20 MSS, scale 7 */
	expect(&s, "Linux 3.11 and newer", 0, 0);
	s.ttl = 52;
	expect(&s, "Linux 3.11 and newer", 0, 12);
	/* Linux 5 and 6: 64240 (44 MSS), scale 7: p0f's generic label */
	s = linux_shape();
	s.win = 64240;
	expect(&s, "Linux 2.2.x-3.x", P0F_GENERIC, 0);
	/* its IPv6 SYN without a flow label */
	s.ver = 6;
	s.df = false;
	s.ttl = 60;
	expect(&s, "Linux 2.2.x-3.x", P0F_GENERIC, 4);
}

static void
test_debian_windows(void **state)
{
	struct shape s = windows_shape();

	(void)state;
	/* Windows 10 and 11: 64240, scale 8 */
	s.ttl = 116;
	expect(&s, "Windows NT kernel", P0F_GENERIC, 12);
	/* Windows 7 and 8: 8192, scale 8 */
	s.win = 8192;
	expect(&s, "Windows 7 or 8", 0, 12);
}

static void
test_debian_macos(void **state)
{
	struct shape s = { .ver = 4, .ttl = 64, .df = true, .id = 0x9a1b,
	    .seq = 0x7f3e9a01, .flags = TH_SYN, .win = 65535,
	    .opts = MAC_OPTS, .optlen = sizeof(MAC_OPTS) };
	uint8_t ws4[sizeof(MAC_OPTS)];

	(void)state;
	/* recent macOS: scale 6, a label without flavor */
	expect(&s, "Mac OS X", P0F_GENERIC, 0);
	memcpy(ws4, MAC_OPTS, sizeof(ws4));
	ws4[7] = 4;
	s.opts = ws4;
	expect(&s, "MacOS X 10.9 or newer (sometimes iPhone or iPad)", 0, 0);
}

static void
test_debian_freebsd(void **state)
{
	struct shape s = { .ver = 4, .ttl = 61, .df = true, .id = 0x55aa,
	    .seq = 0x11223344, .flags = TH_SYN, .win = 65535,
	    .opts = BSD_OPTS, .optlen = sizeof(BSD_OPTS) };

	(void)state;
	expect(&s, "FreeBSD 9.x or newer", 0, 3);
}

/* A SYN of this host's kernel (tests/vectors/p0f/NAME.hex). */
static struct p0f_syn
vector(const char *name)
{
	char *rel, *path, *hex;
	uint8_t pkt[256];
	size_t n = 0, i, len;
	struct p0f_syn syn;
	const char *why;
	unsigned int b;

	assert_true(asprintf(&rel, "tests/vectors/p0f/%s.hex", name) > 0);
	path = th_srcpath(rel);
	hex = th_slurp(path, &len);
	for (i = 0; i + 1 < len && n < sizeof(pkt); i++) {
		if (hex[i] == '\n')
			continue;
		assert_int_equal(sscanf(hex + i, "%2x", &b), 1);
		pkt[n++] = (uint8_t)b;
		i++;
	}
	assert_int_equal(parse_exact(pkt, n, &syn, &why), 0);
	free(hex);
	free(path);
	free(rel);
	return syn;
}

static void
test_real_linux_syn(void **state)
{
	struct p0f_syn syn = vector("linux-lo4");
	struct p0f_match m;

	(void)state;
	if (debian == NULL)
		skip();
	/* loopback: MSS 65495, the window one MSS, scale 10 */
	assert_int_equal(syn.mss, 65495);
	assert_true(p0f_match(debian, &syn, &m));
	assert_string_equal(m.label->text, "Linux 2.2.x-3.x");
	assert_int_equal(m.quality, P0F_GENERIC);
	assert_int_equal(m.dist, 0);

	/* IPv6: Linux sets a flow label, which no signature in Debian's
	 * file allows for (p0f too gives no label) */
	syn = vector("linux-lo6");
	assert_int_equal(syn.ip_ver, 6);
	assert_true((syn.quirks & P0F_Q_FLOW) != 0);
	assert_false(p0f_match(debian, &syn, &m));
	syn.quirks &= ~(uint32_t)P0F_Q_FLOW;
	assert_true(p0f_match(debian, &syn, &m));
	assert_string_equal(m.label->text, "Linux 2.2.x-3.x");
}

/* --- REQUIRE_OS_REGEX ------------------------------------------------------ */

static void
test_os_regex(void **state)
{
	struct p0f_os_regex r;
	char why[128];

	(void)state;
	assert_int_equal(p0f_os_regex_compile(&r, "linux", why, sizeof(why)), 0);
	assert_true(p0f_os_regex_match(&r, "Linux 3.11 and newer"));
	assert_false(p0f_os_regex_match(&r, "Windows 7 or 8"));
	assert_false(p0f_os_regex_match(&r, NULL));
	p0f_os_regex_free(&r);

	assert_int_equal(p0f_os_regex_compile(&r, "^(WINDOWS|freebsd) [0-9]+",
	    why, sizeof(why)), 0);
	assert_true(p0f_os_regex_match(&r, "Windows 7 or 8"));
	assert_true(p0f_os_regex_match(&r, "FreeBSD 9.x or newer"));
	assert_false(p0f_os_regex_match(&r, "Windows NT kernel"));
	p0f_os_regex_free(&r);

	why[0] = '\0';
	assert_int_equal(p0f_os_regex_compile(&r, "(linux", why, sizeof(why)),
	    SPA_ERR_CONFIG);
	assert_true(why[0] != '\0');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linux_fields),
		cmocka_unit_test(test_padding_ignored),
		cmocka_unit_test(test_quirks),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_window_forms),
		cmocka_unit_test(test_fuzzy),
		cmocka_unit_test(test_specific_first),
		cmocka_unit_test(test_tool_random_ttl),
		cmocka_unit_test(test_ip_versions),
		cmocka_unit_test(test_debian_linux),
		cmocka_unit_test(test_debian_windows),
		cmocka_unit_test(test_debian_macos),
		cmocka_unit_test(test_debian_freebsd),
		cmocka_unit_test(test_real_linux_syn),
		cmocka_unit_test(test_os_regex),
	};

	return cmocka_run_group_tests(tests, load_debian, free_debian);
}
