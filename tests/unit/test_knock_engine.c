/*
 * The knock sequence engine decides as knockd(1) does (the right order
 * opens, a wrong knock resets, seq_timeout from the first knock, tcpflags
 * ignore rather than reset, one-time sequences are used up), keeps
 * fwknop's shared sequences per door with their gaps, and stays within
 * its cap of sources under a flood (verifier/knock_engine.h).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "err.h"
#include "helpers.h"
#include "knock_engine.h"

/* malloc counted while `counting`: what a flood costs (-Wl,--wrap). */
void	*__real_malloc(size_t n);
void	*__wrap_malloc(size_t n);
static int	counting;
static size_t	mallocs;

void *
__wrap_malloc(size_t n)
{
	if (counting)
		mallocs++;
	return __real_malloc(n);
}

#define TCP	IPPROTO_TCP
#define UDP	IPPROTO_UDP
#define SYN	KNOCK_TCP_SYN
#define ACK	KNOCK_TCP_ACK

/* --- doors and packets --------------------------------------------------- */

static void
door_init(struct knock_door *d, const char *seq, uint32_t timeout)
{
	const char *why = NULL;
	size_t entry = 0;

	memset(d, 0, sizeof(*d));
	d->seq_timeout = timeout;
	assert_int_equal(knock_seq_parse_knockd(seq, &d->seq, &why, &entry),
	    0);
}

/* One-time door: `a` then `b`. */
static void
one_time_init(struct knock_door *d, struct knock_seq seqs[2], const char *a,
    const char *b)
{
	const char *why = NULL;
	size_t entry = 0;

	memset(d, 0, sizeof(*d));
	d->seq_timeout = 10;
	d->one_time_path = "/etc/knockd/seqs";	/* never freed here */
	assert_int_equal(knock_seq_parse_knockd(a, &seqs[0], &why, &entry), 0);
	assert_int_equal(knock_seq_parse_knockd(b, &seqs[1], &why, &entry), 0);
	d->one_time = seqs;
	d->n_one_time = 2;
}

static struct knock_engine *
engine(const struct knock_door *doors, size_t n, size_t cap)
{
	struct knock_engine *e = NULL;

	assert_int_equal(knock_new(doors, n, cap, &e), 0);
	return e;
}

static struct spa_addr
v4(uint32_t host)
{
	struct spa_addr a;
	uint32_t be = htonl(host);

	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	memcpy(a.bytes, &be, 4);
	return a;
}

#define SRC_A	0xc6336401u	/* 198.51.100.1 */
#define SRC_B	0xc6336402u
#define HOST	0xc0000201u	/* 192.0.2.1, the gateway */

static struct knock_pkt
pkt(uint32_t src, uint8_t proto, uint16_t port, uint8_t flags, int64_t ms)
{
	struct knock_pkt p;

	memset(&p, 0, sizeof(p));
	p.src = v4(src);
	p.dst = v4(HOST);
	p.proto = proto;
	p.dport = port;
	p.tcp_flags = flags;
	p.mono_ms = ms;
	return p;
}

/* Feed a knock; how many doors it opened. */
static size_t
knock_at(struct knock_engine *e, uint32_t src, uint8_t proto, uint16_t port,
    uint8_t flags, int64_t ms)
{
	struct knock_pkt p = pkt(src, proto, port, flags, ms);
	const struct knock_open *o = NULL;

	return knock_feed(e, &p, &o);
}

static size_t
syn(struct knock_engine *e, uint32_t src, uint16_t port, int64_t ms)
{
	return knock_at(e, src, TCP, port, SYN, ms);
}

/* The door the last packet opened (exactly one). */
static const struct knock_open *
opens_one(struct knock_engine *e, uint32_t src, uint16_t port, int64_t ms)
{
	struct knock_pkt p = pkt(src, TCP, port, SYN, ms);
	const struct knock_open *o = NULL;

	assert_int_equal(knock_feed(e, &p, &o), 1);
	return o;
}

/* --- knockd's decisions -------------------------------------------------- */

static void
right_order_opens(void **state)
{
	struct knock_door d;
	struct knock_engine *e;
	const struct knock_open *o;
	struct spa_addr a = v4(SRC_A);

	door_init(&d, "7000,8000,9000", 5);
	e = engine(&d, 1, 0);
	assert_int_equal(syn(e, SRC_A, 7000, 1000), 0);
	assert_int_equal(syn(e, SRC_A, 8000, 1100), 0);
	o = opens_one(e, SRC_A, 9000, 1200);
	assert_int_equal(o->door, 0);
	assert_true(addr_equal(&o->src, &a));
	assert_false(o->one_time);
	/* it starts over: the last knock alone opens nothing */
	assert_int_equal(syn(e, SRC_A, 9000, 1300), 0);
	knock_free(e);
}

static void
wrong_knock_resets(void **state)
{
	struct knock_door d;
	struct knock_engine *e;
	struct knock_stats st;

	door_init(&d, "7000,8000,9000", 5);
	e = engine(&d, 1, 0);
	syn(e, SRC_A, 7000, 0);
	syn(e, SRC_A, 8000, 10);
	syn(e, SRC_A, 8000, 20);	/* a door's port, not the next */
	assert_int_equal(syn(e, SRC_A, 9000, 30), 0);
	/* the wrong knock starts nothing, even when it is the first port */
	syn(e, SRC_A, 7000, 40);
	syn(e, SRC_A, 7000, 50);
	syn(e, SRC_A, 8000, 60);
	assert_int_equal(syn(e, SRC_A, 9000, 70), 0);
	knock_get_stats(e, &st);
	assert_int_equal(st.reset, 2);
	assert_int_equal(st.sources, 0);	/* nothing in progress: freed */
	/* a port no door uses never reaches a door: no reset */
	syn(e, SRC_A, 7000, 80);
	syn(e, SRC_A, 22, 90);
	knock_at(e, SRC_A, UDP, 8000, 0, 95);	/* udp/8000 is not tcp/8000 */
	syn(e, SRC_A, 8000, 100);
	assert_int_equal(syn(e, SRC_A, 9000, 110), 1);
	knock_free(e);
}

static void
seq_timeout_from_first_knock(void **state)
{
	struct knock_door d;
	struct knock_engine *e;
	struct knock_stats st;

	door_init(&d, "7000,8000,9000", 5);
	e = engine(&d, 1, 0);
	syn(e, SRC_A, 7000, 10000);
	syn(e, SRC_A, 8000, 14000);
	assert_int_equal(syn(e, SRC_A, 9000, 15000), 0);	/* 5 s: late */
	knock_get_stats(e, &st);
	assert_int_equal(st.timed_out, 1);
	/* whole seconds, as knockd: 10.9 s to 14.999 s is 4 s */
	syn(e, SRC_A, 7000, 20900);
	syn(e, SRC_A, 8000, 21000);
	assert_int_equal(syn(e, SRC_A, 9000, 24999), 1);
	/* a knock after the timeout may start the sequence again */
	syn(e, SRC_A, 7000, 30000);
	syn(e, SRC_A, 8000, 35000);	/* times out, then 8000 starts none */
	syn(e, SRC_A, 7000, 35100);
	syn(e, SRC_A, 8000, 35200);
	assert_int_equal(syn(e, SRC_A, 9000, 35300), 1);
	knock_free(e);
}

static void
tcpflags_ignore_not_reset(void **state)
{
	struct knock_door d;
	struct knock_engine *e;

	door_init(&d, "7000,8000,9000", 5);
	d.tcp_set = SYN;
	d.tcp_clear = ACK;
	e = engine(&d, 1, 0);
	/* the wrong flags neither start ... */
	knock_at(e, SRC_A, TCP, 7000, ACK, 0);
	knock_at(e, SRC_A, TCP, 8000, SYN, 10);
	assert_int_equal(knock_at(e, SRC_A, TCP, 9000, SYN, 20), 0);
	/* ... nor advance nor reset */
	knock_at(e, SRC_A, TCP, 7000, SYN, 30);
	knock_at(e, SRC_A, TCP, 8000, SYN | ACK, 40);
	knock_at(e, SRC_A, TCP, 9000, ACK, 50);
	knock_at(e, SRC_A, TCP, 8000, SYN, 60);
	assert_int_equal(knock_at(e, SRC_A, TCP, 9000, SYN | 0x08, 70), 1);
	knock_free(e);
}

/* A packet another door's flags admit is still ignored by this door. */
static void
flags_are_each_doors(void **state)
{
	struct knock_door d[2];
	struct knock_engine *e;

	door_init(&d[0], "7000,8000,9000", 5);
	door_init(&d[1], "8000,5000", 5);
	d[0].tcp_set = SYN;
	d[1].tcp_set = ACK;
	e = engine(d, 2, 0);
	knock_at(e, SRC_A, TCP, 7000, SYN, 0);
	knock_at(e, SRC_A, TCP, 8000, ACK, 10);	/* door 1's, not 0's */
	knock_at(e, SRC_A, TCP, 8000, SYN, 20);
	assert_int_equal(opens_one(e, SRC_A, 9000, 30)->door, 0);
	knock_free(e);
}

static void
udp_knocks_have_no_flags(void **state)
{
	struct knock_door d;
	struct knock_engine *e;

	door_init(&d, "2222:udp,3333,4444:udp", 5);
	d.tcp_set = SYN;
	e = engine(&d, 1, 0);
	knock_at(e, SRC_A, UDP, 2222, 0, 0);
	knock_at(e, SRC_A, TCP, 3333, SYN, 10);
	assert_int_equal(knock_at(e, SRC_A, UDP, 4444, 0, 20), 1);
	knock_free(e);
}

static void
sources_progress_apart(void **state)
{
	struct knock_door d;
	struct knock_engine *e;
	struct spa_addr b = v4(SRC_B);

	door_init(&d, "7000,8000,9000", 5);
	e = engine(&d, 1, 0);
	syn(e, SRC_A, 7000, 0);
	syn(e, SRC_B, 7000, 10);
	syn(e, SRC_B, 8000, 20);
	syn(e, SRC_A, 8000, 30);
	syn(e, SRC_A, 7000, 40);	/* A's mistake is A's alone */
	assert_true(addr_equal(&opens_one(e, SRC_B, 9000, 50)->src, &b));
	assert_int_equal(syn(e, SRC_A, 9000, 60), 0);
	knock_free(e);
}

/* knockd: a source's progress on one door excludes starting another. */
static void
doors_share_a_source(void **state)
{
	struct knock_door d[2];
	struct knock_engine *e;

	door_init(&d[0], "1000,2000", 5);
	door_init(&d[1], "3000,4000", 5);
	e = engine(d, 2, 0);
	syn(e, SRC_A, 1000, 0);
	syn(e, SRC_A, 3000, 10);	/* resets door 0, starts nothing */
	assert_int_equal(syn(e, SRC_A, 4000, 20), 0);
	assert_int_equal(syn(e, SRC_A, 2000, 30), 0);
	/* two doors sharing a first knock both start */
	door_init(&d[1], "1000,3000", 5);
	knock_free(e);
	e = engine(d, 2, 0);
	syn(e, SRC_A, 1000, 0);
	assert_int_equal(opens_one(e, SRC_A, 3000, 10)->door, 1);
	syn(e, SRC_A, 1000, 20);
	assert_int_equal(opens_one(e, SRC_A, 2000, 30)->door, 0);
	knock_free(e);
}

static void
target_and_interface_choose_packets(void **state)
{
	struct knock_door d;
	struct knock_engine *e;
	struct knock_pkt p;
	const struct knock_open *o;

	door_init(&d, "7000,8000", 5);
	d.has_target = true;
	d.target = v4(0xc0000207u);
	d.ifindex = 3;
	e = engine(&d, 1, 0);
	p = pkt(SRC_A, TCP, 7000, SYN, 0);
	p.dst = d.target;
	p.ifindex = 3;
	knock_feed(e, &p, &o);
	p.dport = 8000;
	p.dst = v4(HOST);	/* not the target: not seen */
	assert_int_equal(knock_feed(e, &p, &o), 0);
	p.dst = d.target;
	p.ifindex = 2;		/* another interface: not seen */
	assert_int_equal(knock_feed(e, &p, &o), 0);
	p.ifindex = 3;
	assert_int_equal(knock_feed(e, &p, &o), 1);
	knock_free(e);
}

static void
ipv6_sources(void **state)
{
	struct knock_door d;
	struct knock_engine *e;
	struct knock_pkt p;
	const struct knock_open *o;

	door_init(&d, "7000,8000", 5);
	e = engine(&d, 1, 0);
	p = pkt(SRC_A, TCP, 7000, SYN, 0);
	assert_int_equal(addr_parse("2001:db8::1", &p.src), 0);
	knock_feed(e, &p, &o);
	syn(e, SRC_A, 8000, 5);		/* an IPv4 source is another one */
	p.dport = 8000;
	assert_int_equal(knock_feed(e, &p, &o), 1);
	assert_int_equal(o->src.family, AF_INET6);
	knock_free(e);
}

/* --- one-time sequences -------------------------------------------------- */

static void
one_time_used_up(void **state)
{
	struct knock_seq seqs[2];
	struct knock_door d;
	struct knock_engine *e;
	const struct knock_open *o;

	one_time_init(&d, seqs, "1000,2000", "3000,4000");
	e = engine(&d, 1, 0);
	syn(e, SRC_A, 1000, 0);
	o = opens_one(e, SRC_A, 2000, 10);
	assert_true(o->one_time);
	assert_int_equal(o->used, 0);
	assert_false(o->exhausted);
	/* used: the same sequence opens nothing now */
	syn(e, SRC_A, 1000, 20);
	assert_int_equal(syn(e, SRC_A, 2000, 30), 0);
	syn(e, SRC_A, 3000, 40);
	o = opens_one(e, SRC_A, 4000, 50);
	assert_int_equal(o->used, 1);
	assert_true(o->exhausted);
	syn(e, SRC_A, 3000, 60);
	assert_int_equal(syn(e, SRC_A, 4000, 70), 0);
	knock_free(e);
}

static void
one_time_use_drops_others_progress(void **state)
{
	struct knock_seq seqs[2];
	struct knock_door d;
	struct knock_engine *e;

	one_time_init(&d, seqs, "1000,2000", "1000,4000");
	e = engine(&d, 1, 0);
	syn(e, SRC_B, 1000, 0);
	syn(e, SRC_A, 1000, 10);
	opens_one(e, SRC_A, 2000, 20);
	/* B's first knock was for the used sequence */
	assert_int_equal(syn(e, SRC_B, 4000, 30), 0);
	syn(e, SRC_B, 1000, 40);
	assert_int_equal(syn(e, SRC_B, 4000, 50), 1);
	knock_free(e);
}

static void
one_time_resumes(void **state)
{
	struct knock_seq seqs[2];
	struct knock_door d[2];
	struct knock_engine *e;

	one_time_init(&d[0], seqs, "1000,2000", "3000,4000");
	door_init(&d[1], "5000", 5);
	e = engine(d, 2, 0);
	assert_int_equal(knock_one_time_resume(e, 0, 1), 0);
	syn(e, SRC_A, 1000, 0);
	assert_int_equal(syn(e, SRC_A, 2000, 10), 0);
	syn(e, SRC_A, 3000, 20);
	assert_int_equal(opens_one(e, SRC_A, 4000, 30)->used, 1);
	assert_int_equal(knock_one_time_resume(e, 0, 3), SPA_ERR_ARG);
	assert_int_equal(knock_one_time_resume(e, 1, 0), SPA_ERR_ARG);
	assert_int_equal(knock_one_time_resume(e, 2, 0), SPA_ERR_ARG);
	assert_int_equal(knock_one_time_resume(e, 0, 2), 0);	/* all used */
	syn(e, SRC_A, 3000, 40);
	assert_int_equal(syn(e, SRC_A, 4000, 50), 0);
	knock_free(e);
}

/* --- fwknop's shared sequences ------------------------------------------- */

static void
shared_sequence_gaps(void **state)
{
	struct knock_door d;
	struct knock_engine *e;

	door_init(&d, "1000,2000:udp,3000", 61);
	d.independent = true;
	d.has_min_gap = d.has_max_gap = true;
	d.min_gap = 1;
	d.max_gap = 10;
	e = engine(&d, 1, 0);
	syn(e, SRC_A, 1000, 0);
	knock_at(e, SRC_A, UDP, 2000, 0, 1999);	/* 1 s: not more than 1 */
	assert_int_equal(syn(e, SRC_A, 3000, 5000), 0);
	syn(e, SRC_A, 1000, 10000);
	knock_at(e, SRC_A, UDP, 2000, 0, 20000);	/* 10 s: too late */
	assert_int_equal(syn(e, SRC_A, 3000, 22000), 0);
	syn(e, SRC_A, 1000, 30000);
	knock_at(e, SRC_A, UDP, 2000, 0, 32000);
	assert_int_equal(syn(e, SRC_A, 3000, 41999), 1);
	knock_free(e);
}

/* Each shared sequence keeps its own progress; SOURCE chooses knockers. */
static void
shared_sequences_apart(void **state)
{
	struct spa_addr_list only_a;
	struct knock_door d[3];
	struct knock_engine *e;
	const char *why = NULL;
	char bad[64];

	memset(&only_a, 0, sizeof(only_a));
	assert_int_equal(addr_list_parse("198.51.100.1", &only_a, &why, bad,
	    sizeof(bad)), 0);
	door_init(&d[0], "1000,2000", 60);
	door_init(&d[1], "3000,4000", 60);
	door_init(&d[2], "1000,5000", 60);
	d[0].independent = d[1].independent = true;
	d[1].sources = &only_a;
	e = engine(d, 3, 0);
	syn(e, SRC_A, 1000, 0);		/* starts 0 and knockd's 2 */
	syn(e, SRC_A, 3000, 10);	/* starts 1, resets 0 and 2 */
	assert_int_equal(opens_one(e, SRC_A, 4000, 20)->door, 1);
	assert_int_equal(syn(e, SRC_A, 2000, 30), 0);
	assert_int_equal(syn(e, SRC_A, 5000, 35), 0);
	syn(e, SRC_B, 3000, 40);	/* not in door 1's SOURCE */
	assert_int_equal(syn(e, SRC_B, 4000, 50), 0);
	addr_list_free(&only_a);
	knock_free(e);
}

/* --- bounds -------------------------------------------------------------- */

static void
eviction_at_the_cap(void **state)
{
	struct knock_door d;
	struct knock_engine *e;
	struct knock_stats st;
	uint32_t i;

	door_init(&d, "7000,8000,9000", 5);
	e = engine(&d, 1, 4);
	for (i = 1; i <= 4; i++)
		syn(e, SRC_A + i, 7000, i);
	syn(e, SRC_A + 1, 8000, 10);	/* 1 is fresh again: 2 is the oldest */
	syn(e, SRC_A + 5, 7000, 11);	/* evicts 2 */
	knock_get_stats(e, &st);
	assert_int_equal(st.sources, 4);
	assert_int_equal(st.evicted, 1);
	syn(e, SRC_A + 2, 8000, 12);
	assert_int_equal(syn(e, SRC_A + 2, 9000, 13), 0);
	assert_int_equal(syn(e, SRC_A + 1, 9000, 14), 1);
	syn(e, SRC_A + 5, 8000, 15);
	assert_int_equal(syn(e, SRC_A + 5, 9000, 16), 1);
	knock_free(e);
}

/* A spoofed-source flood of first knocks costs the cap, never more. */
static void
flood_stays_within_the_cap(void **state)
{
	struct knock_door d;
	struct knock_engine *e;
	struct knock_stats st;
	uint32_t i;

	door_init(&d, "7000,8000", 5);
	e = engine(&d, 1, 64);
	mallocs = 0;
	counting = 1;
	for (i = 0; i < 20000; i++)
		syn(e, 0x0a000000u + i, 7000, i / 10);
	counting = 0;
	knock_get_stats(e, &st);
	assert_true(mallocs <= 64);
	assert_int_equal(st.sources, 64);
	assert_int_equal(st.evicted, 20000 - 64);
	/* the newest knockers keep their progress */
	assert_int_equal(syn(e, 0x0a000000u + 19999, 8000, 2000), 1);
	knock_free(e);
}

/* Timed-out progress is reclaimed, not counted as evicted. */
static void
timed_out_reclaimed(void **state)
{
	struct knock_door d;
	struct knock_engine *e;
	struct knock_stats st;

	door_init(&d, "7000,8000", 5);
	e = engine(&d, 1, 2);
	syn(e, SRC_A, 7000, 0);
	syn(e, SRC_B, 7000, 0);
	syn(e, SRC_A + 7, 7000, 30000);
	knock_get_stats(e, &st);
	assert_int_equal(st.evicted, 0);
	assert_int_equal(st.timed_out, 2);
	assert_int_equal(st.sources, 1);
	knock_free(e);
}

/* Entries hold a record per door: thousands of doors, fewer sources. */
static void
many_doors_fewer_sources(void **state)
{
	struct knock_door *d = calloc(20000, sizeof(*d));
	struct knock_engine *e;
	struct knock_stats st;
	size_t i;

	assert_non_null(d);
	for (i = 0; i < 20000; i++)
		door_init(&d[i], "7000,8000", 5);
	e = engine(d, 20000, 0);
	knock_get_stats(e, &st);
	assert_true(st.max_sources < KNOCK_SOURCES_DEFAULT);
	assert_true(st.max_sources * 20000 * 24 <= KNOCK_MEMORY_MAX);
	assert_true(st.max_sources >= 32);
	knock_free(e);
	e = engine(d, 3, 0);
	knock_get_stats(e, &st);
	assert_int_equal(st.max_sources, KNOCK_SOURCES_DEFAULT);
	knock_free(e);
	free(d);
}

static void
engine_refuses(void **state)
{
	struct knock_door d;
	struct knock_engine *e = NULL;

	door_init(&d, "7000", 5);
	assert_int_equal(knock_new(&d, 0, 0, &e), SPA_ERR_ARG);
	assert_int_equal(knock_new(&d, 1, KNOCK_SOURCES_MAX + 1, &e),
	    SPA_ERR_ARG);
	d.seq.n = 0;
	assert_int_equal(knock_new(&d, 1, 0, &e), SPA_ERR_ARG);
	assert_null(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(right_order_opens),
		cmocka_unit_test(wrong_knock_resets),
		cmocka_unit_test(seq_timeout_from_first_knock),
		cmocka_unit_test(tcpflags_ignore_not_reset),
		cmocka_unit_test(flags_are_each_doors),
		cmocka_unit_test(udp_knocks_have_no_flags),
		cmocka_unit_test(sources_progress_apart),
		cmocka_unit_test(doors_share_a_source),
		cmocka_unit_test(target_and_interface_choose_packets),
		cmocka_unit_test(ipv6_sources),
		cmocka_unit_test(one_time_used_up),
		cmocka_unit_test(one_time_use_drops_others_progress),
		cmocka_unit_test(one_time_resumes),
		cmocka_unit_test(shared_sequence_gaps),
		cmocka_unit_test(shared_sequences_apart),
		cmocka_unit_test(eviction_at_the_cap),
		cmocka_unit_test(flood_stays_within_the_cap),
		cmocka_unit_test(timed_out_reclaimed),
		cmocka_unit_test(many_doors_fewer_sources),
		cmocka_unit_test(engine_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
