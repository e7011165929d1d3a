/*
 * What the Cisco module sends (modules/cisco/cisco_batch.c): a batch is
 * configure terminal, each request's lines in queue order (its list
 * entered only when the line before left it), end, then write memory if
 * the device saves; an entry is added as "<seq> ..." (IPv6: "sequence
 * <seq> ...") and removed as "no <seq>" of that very number; a
 * time-range comes before the entry that names it and goes after it;
 * its end is the close plus two minutes, rounded up, on the device's
 * clock, capped at 2035; removals are read first, one filtered listing
 * each; and when the device refuses a line, the requests before it are
 * done, its own is refused, and the ones after it go again.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cisco_batch.h"

#define ACE	"permit tcp host 192.0.2.7 any eq 22"
#define ACE6	"permit tcp host 2001:db8::7 any eq 22"
/* 22:13:20 14 November 2023 UTC */
#define CLOSE_AT	1700000000

static struct cisco_script sc;	/* 64 KiB */
static const struct cisco_clock utc_now = { 0, CLOSE_AT - 60 };

static struct conf_cisco
device(bool time_range, bool save)
{
	static char name[] = "edge1", acl[] = "SPA-IN", acl6[] = "SPA6-IN";
	struct conf_cisco cf;

	memset(&cf, 0, sizeof(cf));
	cf.name = name;
	cf.acl = acl;
	cf.acl6 = acl6;
	cf.seq_first = 10000;
	cf.seq_last = 10999;
	cf.time_range = time_range;
	cf.save_config = save;
	return cf;
}

static struct cisco_req
req(enum req_kind kind, uint32_t seq, bool v6, bool tr)
{
	struct cisco_req rq;

	memset(&rq, 0, sizeof(rq));
	rq.kind = kind;
	rq.seq = seq;
	rq.v6 = v6;
	rq.tr = tr;
	rq.read_line = -1;
	rq.close_at = CLOSE_AT;
	if (kind == R_OPEN || kind == R_REFRESH)
		snprintf(rq.ace, sizeof(rq.ace), "%s", v6 ? ACE6 : ACE);
	return rq;
}

/* The script is exactly `want` (NULL-terminated). */
static void
assert_script(const char *const *want)
{
	size_t i;

	for (i = 0; want[i] != NULL; i++) {
		if (i >= sc.n)
			fail_msg("line %zu missing: want \"%s\"", i, want[i]);
		if (strcmp(sc.v[i], want[i]) != 0)
			fail_msg("line %zu: \"%s\", want \"%s\"", i, sc.v[i],
			    want[i]);
	}
	if (i != sc.n)
		fail_msg("%zu lines, want %zu (extra: \"%s\")", sc.n, i,
		    sc.v[i]);
}

static void
batch(const struct conf_cisco *cf, struct cisco_req *q, size_t n,
    const struct cisco_clock *clk, size_t want_taken)
{
	size_t taken = 99;

	assert_int_equal(cisco_batch_lines(cf, q, n, clk, &sc, &taken), 0);
	assert_int_equal(taken, want_taken);
}

/* --- one request ---------------------------------------------------------- */

static void
open_adds_at_its_number(void **state)
{
	struct conf_cisco cf = device(false, false);
	struct cisco_req q[1] = { req(R_OPEN, 10000, false, false) };
	const char *const want[] = { "configure terminal",
	    "ip access-list extended SPA-IN", "10000 " ACE, "end", NULL };

	(void)state;
	batch(&cf, q, 1, &utc_now, 1);
	assert_script(want);
	assert_int_equal(q[0].first, 1);
	assert_int_equal(q[0].last, 2);
}

static void
close_removes_its_number(void **state)
{
	struct conf_cisco cf = device(false, false);
	struct cisco_req q[1] = { req(R_CLOSE, 10007, false, false) };
	const char *const want[] = { "configure terminal",
	    "ip access-list extended SPA-IN", "no 10007", "end", NULL };

	(void)state;
	batch(&cf, q, 1, &utc_now, 1);
	assert_script(want);
	/* an open of unknown outcome is removed the same way */
	q[0] = req(R_CLEANUP, 10008, false, false);
	batch(&cf, q, 1, &utc_now, 1);
	assert_string_equal(sc.v[2], "no 10008");
}

static void
ipv6_takes_sequence(void **state)
{
	struct conf_cisco cf = device(false, false);
	struct cisco_req q[2] = { req(R_OPEN, 10001, true, false),
	    req(R_CLOSE, 10002, true, false) };
	const char *const want[] = { "configure terminal",
	    "ipv6 access-list SPA6-IN", "sequence 10001 " ACE6,
	    "no sequence 10002", "end", NULL };

	(void)state;
	batch(&cf, q, 2, &utc_now, 2);
	assert_script(want);
}

static void
save_config_writes_after_end(void **state)
{
	struct conf_cisco cf = device(false, true);
	struct cisco_req q[1] = { req(R_OPEN, 10000, false, false) };
	const char *const want[] = { "configure terminal",
	    "ip access-list extended SPA-IN", "10000 " ACE, "end",
	    "write memory", NULL };

	(void)state;
	batch(&cf, q, 1, &utc_now, 1);
	assert_script(want);
}

static void
no_request_no_batch(void **state)
{
	struct conf_cisco cf = device(false, true);

	(void)state;
	batch(&cf, NULL, 0, &utc_now, 0);
}

/* --- several requests ----------------------------------------------------- */

/* In queue order; a list entered again only when the session left it. */
static void
requests_in_queue_order(void **state)
{
	struct conf_cisco cf = device(false, false);
	struct cisco_req q[5] = { req(R_OPEN, 10000, false, false),
	    req(R_CLOSE, 10001, false, false), req(R_OPEN, 10002, true, false),
	    req(R_CLOSE, 10003, false, false), req(R_OPEN, 10004, false,
	    false) };
	const char *const want[] = { "configure terminal",
	    "ip access-list extended SPA-IN", "10000 " ACE, "no 10001",
	    "ipv6 access-list SPA6-IN", "sequence 10002 " ACE6,
	    "ip access-list extended SPA-IN", "no 10003", "10004 " ACE, "end",
	    NULL };

	(void)state;
	batch(&cf, q, 5, &utc_now, 5);
	assert_script(want);
	assert_int_equal(q[0].first, 1);
	assert_int_equal(q[0].last, 2);
	assert_int_equal(q[1].first, 3);
	assert_int_equal(q[1].last, 3);
	assert_int_equal(q[2].first, 4);
	assert_int_equal(q[2].last, 5);
	assert_int_equal(q[3].first, 6);
	assert_int_equal(q[3].last, 7);
	assert_int_equal(q[4].first, 8);
	assert_int_equal(q[4].last, 8);
}

/* A batch takes 32 requests; the rest wait for the next one. */
static void
batch_takes_at_most_32(void **state)
{
	struct conf_cisco cf = device(false, false);
	struct cisco_req q[40];
	size_t i;

	(void)state;
	for (i = 0; i < 40; i++)
		q[i] = req(R_OPEN, 10000 + (uint32_t)i, false, false);
	batch(&cf, q, 40, &utc_now, CISCO_BATCH_MAX);
	assert_int_equal(sc.n, 1 + 1 + CISCO_BATCH_MAX + 1);
	assert_string_equal(sc.v[sc.n - 2], "10031 " ACE);
	assert_string_equal(sc.v[sc.n - 1], "end");
}

/* --- time-ranges ---------------------------------------------------------- */

/* The range first: an entry naming a range that does not exist is active. */
static void
time_range_before_its_entry(void **state)
{
	struct conf_cisco cf = device(true, false);
	struct cisco_req q[1] = { req(R_OPEN, 10000, false, true) };
	const char *const want[] = { "configure terminal",
	    "time-range SPA-10000", "absolute end 22:16 14 November 2023",
	    "ip access-list extended SPA-IN",
	    "10000 " ACE " time-range SPA-10000", "end", NULL };

	(void)state;
	batch(&cf, q, 1, &utc_now, 1);
	assert_script(want);
	assert_int_equal(q[0].first, 1);
	assert_int_equal(q[0].last, 4);
}

/* The end is on the device's clock: here 3 h 17 min 30 s ahead. */
static void
time_range_end_on_device_clock(void **state)
{
	struct conf_cisco cf = device(true, false);
	struct cisco_req q[1] = { req(R_OPEN, 10000, false, true) };
	struct cisco_clock ahead = { 11850, CLOSE_AT - 60 };

	(void)state;
	batch(&cf, q, 1, &ahead, 1);
	/* 22:13:20 + 2:59 + 3:17:30 = 01:33:49 the next day */
	assert_string_equal(sc.v[2], "absolute end 01:33 15 November 2023");
	q[0].close_at = CLOSE_AT + 1;	/* 22:13:21 + 2:59: 22:16:20 */
	batch(&cf, q, 1, &utc_now, 1);
	assert_string_equal(sc.v[2], "absolute end 22:16 14 November 2023");
	q[0].close_at = CLOSE_AT + 41;	/* 22:14:01 + 2:59: 22:17:00 */
	batch(&cf, q, 1, &utc_now, 1);
	assert_string_equal(sc.v[2], "absolute end 22:17 14 November 2023");
}

/* IOS takes no date after 2035: capped, or no end once the clock is past. */
static void
time_range_capped_at_2035(void **state)
{
	struct conf_cisco cf = device(true, false);
	struct cisco_req q[1] = { req(R_OPEN, 10000, false, true) };
	struct cisco_clock late = { 0, IOS_END_MAX - 100 };
	struct cisco_clock past = { 0, IOS_END_MAX + 10 };

	(void)state;
	q[0].close_at = IOS_END_MAX - 30;
	batch(&cf, q, 1, &late, 1);
	assert_string_equal(sc.v[2], "absolute end 23:59 31 December 2035");
	q[0].close_at = IOS_END_MAX + 3600;
	batch(&cf, q, 1, &past, 1);
	assert_string_equal(sc.v[2], "no absolute");
	/* the device's clock counts, not ours */
	past.now_s = IOS_END_MAX - 7200;
	past.offset = 7210;
	batch(&cf, q, 1, &past, 1);
	assert_string_equal(sc.v[2], "no absolute");
}

/* The range goes after the entry: never an entry without its range. */
static void
time_range_removed_after_its_entry(void **state)
{
	struct conf_cisco cf = device(true, false);
	struct cisco_req q[2] = { req(R_CLOSE, 10000, false, true),
	    req(R_CLOSE, 10001, false, true) };
	const char *const want[] = { "configure terminal",
	    "ip access-list extended SPA-IN", "no 10000",
	    "no time-range SPA-10000", "ip access-list extended SPA-IN",
	    "no 10001", "no time-range SPA-10001", "end", NULL };

	(void)state;
	batch(&cf, q, 2, &utc_now, 2);
	assert_script(want);
}

static void
refresh_moves_the_end_or_adds_again(void **state)
{
	struct conf_cisco cf = device(true, false);
	struct cisco_req q[1] = { req(R_REFRESH, 10000, false, true) };
	const char *const moved[] = { "configure terminal",
	    "time-range SPA-10000", "absolute end 22:16 14 November 2023",
	    "end", NULL };
	const char *const again[] = { "configure terminal",
	    "time-range SPA-10000", "absolute end 22:16 14 November 2023",
	    "ip access-list extended SPA-IN",
	    "10000 " ACE " time-range SPA-10000", "end", NULL };

	(void)state;
	q[0].ck = CK_MATCH;
	batch(&cf, q, 1, &utc_now, 1);
	assert_script(moved);
	q[0].ck = CK_ABSENT;
	batch(&cf, q, 1, &utc_now, 1);
	assert_script(again);
}

static void
refused_open_drops_its_time_range(void **state)
{
	struct conf_cisco cf = device(true, false);
	struct cisco_req q[2] = { req(R_TRDROP, 10000, false, true),
	    req(R_OPEN, 10001, false, true) };
	const char *const want[] = { "configure terminal",
	    "no time-range SPA-10000", "time-range SPA-10001",
	    "absolute end 22:16 14 November 2023",
	    "ip access-list extended SPA-IN",
	    "10001 " ACE " time-range SPA-10001", "end", NULL };

	(void)state;
	batch(&cf, q, 2, &utc_now, 2);
	assert_script(want);
}

/* --- reading back ---------------------------------------------------------- */

static void
removals_and_refreshes_read_first(void **state)
{
	struct conf_cisco cf = device(false, false);
	struct cisco_req q[5] = { req(R_OPEN, 10000, false, false),
	    req(R_CLOSE, 10001, false, false), req(R_CLEANUP, 10002, true,
	    false), req(R_REFRESH, 10003, false, false), req(R_CLOSE, 10004,
	    false, false) };
	const char *const want[] = {
	    "show ip access-lists SPA-IN | include ^ +10001 [pd]",
	    "show ipv6 access-list SPA6-IN | include sequence 10002$",
	    "show ip access-lists SPA-IN | include ^ +10003 [pd]", NULL };

	(void)state;
	q[4].ck = CK_MATCH;	/* read already */
	assert_int_equal(cisco_read_lines(&cf, q, 5, &sc), 3);
	assert_script(want);
	assert_int_equal(q[0].read_line, -1);
	assert_int_equal(q[1].read_line, 0);
	assert_int_equal(q[2].read_line, 1);
	assert_int_equal(q[3].read_line, 2);
	assert_int_equal(q[4].read_line, -1);
	assert_false(cisco_needs_read(&q[0]));
	assert_true(cisco_needs_read(&q[1]));
	assert_false(cisco_needs_read(&q[4]));
	/* opens alone: nothing to read */
	assert_int_equal(cisco_read_lines(&cf, q, 1, &sc), 0);
}

/* --- a refused line -------------------------------------------------------- */

static void
refused_line_sorts_the_batch(void **state)
{
	struct conf_cisco cf = device(false, false);
	struct cisco_req q[3] = { req(R_OPEN, 10000, false, false),
	    req(R_OPEN, 10001, false, false), req(R_CLOSE, 10002, false,
	    false) };
	size_t entries;

	(void)state;
	batch(&cf, q, 3, &utc_now, 3);
	/* 0 conf t, 1 ip acl, 2 10000, 3 10001, 4 no 10002, 5 end */
	entries = q[2].last + 1;
	assert_int_equal(entries, 5);
	/* the second entry refused: the first done, the third again */
	assert_int_equal(cisco_outcome(&q[0], 3, entries), 0);
	assert_int_equal(cisco_outcome(&q[1], 3, entries), -1);
	assert_int_equal(cisco_outcome(&q[2], 3, entries), 1);
	/* the list refused (the first request's line): it fails, the rest
	   go again */
	assert_int_equal(cisco_outcome(&q[0], 1, entries), -1);
	assert_int_equal(cisco_outcome(&q[1], 1, entries), 1);
	/* configure terminal refused: every request fails */
	assert_int_equal(cisco_outcome(&q[0], 0, entries), -1);
	assert_int_equal(cisco_outcome(&q[1], 0, entries), -1);
	assert_int_equal(cisco_outcome(&q[2], 0, entries), -1);
	/* all accepted, or only end or write memory refused: all done */
	assert_int_equal(cisco_outcome(&q[1], -1, entries), 0);
	assert_int_equal(cisco_outcome(&q[2], -1, entries), 0);
	assert_int_equal(cisco_outcome(&q[0], 5, entries), 0);
	assert_int_equal(cisco_outcome(&q[2], 6, entries), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_adds_at_its_number),
		cmocka_unit_test(close_removes_its_number),
		cmocka_unit_test(ipv6_takes_sequence),
		cmocka_unit_test(save_config_writes_after_end),
		cmocka_unit_test(no_request_no_batch),
		cmocka_unit_test(requests_in_queue_order),
		cmocka_unit_test(batch_takes_at_most_32),
		cmocka_unit_test(time_range_before_its_entry),
		cmocka_unit_test(time_range_end_on_device_clock),
		cmocka_unit_test(time_range_capped_at_2035),
		cmocka_unit_test(time_range_removed_after_its_entry),
		cmocka_unit_test(refresh_moves_the_end_or_adds_again),
		cmocka_unit_test(refused_open_drops_its_time_range),
		cmocka_unit_test(removals_and_refreshes_read_first),
		cmocka_unit_test(refused_line_sorts_the_batch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
