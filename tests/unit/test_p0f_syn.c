/*
 * The SYN parser (verifier/p0f_syn.c): the fields of a SYN built header by
 * header (tests/unit/p0f_build.c), each quirk and TCP option rule, each
 * refusal, and truncation at every byte from an allocation of exactly the
 * bytes given.
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

#include "err.h"
#include "p0f.h"
#include "p0f_build.h"

/* --- the SYN parser ------------------------------------------------------- */

static void
test_linux_fields(void **state)
{
	struct shape s = linux_shape();
	struct p0f_syn syn;

	(void)state;
	syn = syn_parse_ok(&s);
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
	syn = syn_parse_ok(&s);
	assert_int_equal(syn.ip_opt_len, 8);
	assert_int_equal(syn.tot_hdr, 48 + sizeof(LINUX_OPTS));
	assert_true(syn.payload);
}

/* Link padding after the IP length is not payload. */
static void
test_padding_ignored(void **state)
{
	struct shape s = linux_shape();
	struct pkt p = syn_build(&s);
	struct p0f_syn syn;
	const char *why;

	(void)state;
	memset(p.b + p.n, 0xee, 6);
	assert_int_equal(syn_parse_exact(p.b, p.n + 6, &syn, &why), 0);
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
		syn = syn_parse_ok(&s);
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
	syn = syn_parse_ok(&s);
	assert_int_equal(syn.opt_cnt, 8);
	assert_memory_equal(syn.opts, ((uint8_t[]){ 2, 1, 3, 1, 1, 8, 4, 0 }), 8);
	assert_int_equal(syn.eol_pad, 1);
	assert_int_equal(syn.quirks, 0);

	s.opts = EOL_JUNK, s.optlen = sizeof(EOL_JUNK);
	syn = syn_parse_ok(&s);
	assert_int_equal(syn.opt_cnt, 2);
	assert_int_equal(syn.eol_pad, 3);
	assert_int_equal(syn.mss, 1460);

	/* MSS with a wrong length byte is still read, as p0f does */
	s.opts = MSS_LEN5, s.optlen = sizeof(MSS_LEN5);
	assert_int_equal(syn_parse_ok(&s).mss, 1460);

	/* more options than P0F_MAX_OPTS: the first ones, and "bad" */
	s.opts = nops, s.optlen = sizeof(nops);
	syn = syn_parse_ok(&s);
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
	p = syn_build(&s);
	if (at < p.n)
		p.b[at] = (uint8_t)byte;
	assert_int_equal(syn_parse_exact(p.b, cut < p.n ? cut : p.n, &syn, &got),
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
		p = syn_build(&shapes[i]);
		for (k = 0; k < p.n; k++)
			assert_int_equal(syn_parse_exact(p.b, k, &syn, &why),
			    SPA_ERR_FRAME);
		assert_int_equal(syn_parse_exact(p.b, p.n, &syn, &why), 0);
	}
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
