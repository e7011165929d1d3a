/*
 * The sequence numbers of a Cisco device (modules/cisco/cisco_seq.c, and
 * conf_cisco_seq_known): an open takes the lowest free number of the
 * device's seq_first..seq_last; numbers journaled cycles hold after a
 * restart, and numbers found holding someone else's entry, are skipped;
 * a full range gives none (never a number past seq_last); a released
 * number is free again; and a close may act only in the device's own
 * range or in one of its fleet_ranges.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cisco_seq.h"
#include "conf.h"
#include "conf_cisco.h"

static void
lowest_free_first(void **state)
{
	struct cisco_seqs s = { 0 };

	(void)state;
	assert_int_equal(cisco_seq_alloc(&s, 10000, 10999), 10000);
	assert_int_equal(cisco_seq_alloc(&s, 10000, 10999), 10001);
	assert_int_equal(cisco_seq_alloc(&s, 10000, 10999), 10002);
	assert_true(cisco_seq_held(&s, 10001));
	/* a number given back is the lowest free again */
	cisco_seq_release(&s, 10001);
	assert_false(cisco_seq_held(&s, 10001));
	assert_int_equal(cisco_seq_alloc(&s, 10000, 10999), 10001);
	assert_int_equal(cisco_seq_alloc(&s, 10000, 10999), 10003);
	cisco_seqs_free(&s);
}

/* After a restart the journal's cycles hold their numbers (adopt). */
static void
held_numbers_are_skipped(void **state)
{
	struct cisco_seqs s = { 0 };

	(void)state;
	assert_int_equal(cisco_seq_hold(&s, 10000), 0);
	assert_int_equal(cisco_seq_hold(&s, 10002), 0);
	assert_int_equal(cisco_seq_hold(&s, 10003), 0);
	assert_int_equal(cisco_seq_alloc(&s, 10000, 10999), 10001);
	assert_int_equal(cisco_seq_alloc(&s, 10000, 10999), 10004);
	/* held twice is held once: one release frees it */
	assert_int_equal(cisco_seq_hold(&s, 10000), 0);
	cisco_seq_release(&s, 10000);
	assert_false(cisco_seq_held(&s, 10000));
	assert_int_equal(cisco_seq_alloc(&s, 10000, 10999), 10000);
	/* releasing a number nobody holds changes nothing */
	cisco_seq_release(&s, 12345);
	assert_int_equal(s.n, 5);
	cisco_seqs_free(&s);
}

static void
full_range_gives_none(void **state)
{
	struct cisco_seqs s = { 0 };

	(void)state;
	assert_int_equal(cisco_seq_alloc(&s, 7, 9), 7);
	assert_int_equal(cisco_seq_alloc(&s, 7, 9), 8);
	assert_int_equal(cisco_seq_alloc(&s, 7, 9), 9);
	assert_int_equal(cisco_seq_alloc(&s, 7, 9), 0);
	assert_int_equal(cisco_seq_alloc(&s, 7, 9), 0);
	assert_false(cisco_seq_held(&s, 10));
	assert_int_equal(s.n, 3);
	cisco_seq_release(&s, 8);
	assert_int_equal(cisco_seq_alloc(&s, 7, 9), 8);
	assert_int_equal(cisco_seq_alloc(&s, 7, 9), 0);
	/* a range of one number */
	cisco_seqs_free(&s);
	assert_int_equal(cisco_seq_alloc(&s, 5, 5), 5);
	assert_int_equal(cisco_seq_alloc(&s, 5, 5), 0);
	cisco_seqs_free(&s);
}

/* The top of the number space: no wrap to 0 and round again. */
static void
range_at_the_top_ends(void **state)
{
	struct cisco_seqs s = { 0 };

	(void)state;
	assert_int_equal(cisco_seq_alloc(&s, UINT32_MAX - 1, UINT32_MAX),
	    UINT32_MAX - 1);
	assert_int_equal(cisco_seq_alloc(&s, UINT32_MAX - 1, UINT32_MAX),
	    UINT32_MAX);
	assert_int_equal(cisco_seq_alloc(&s, UINT32_MAX - 1, UINT32_MAX), 0);
	cisco_seqs_free(&s);
}

/* A reload that moves the range: the next open uses the new one. */
static void
range_given_per_allocation(void **state)
{
	struct cisco_seqs s = { 0 };

	(void)state;
	assert_int_equal(cisco_seq_alloc(&s, 100, 199), 100);
	assert_int_equal(cisco_seq_alloc(&s, 300, 399), 300);
	assert_int_equal(cisco_seq_alloc(&s, 100, 199), 101);
	cisco_seqs_free(&s);
}

/* The entry an open added, kept for an extension that finds it gone. */
static void
entry_remembered_until_released(void **state)
{
	struct cisco_seqs s = { 0 };
	struct cisco_held *h;

	(void)state;
	assert_int_equal(cisco_seq_alloc(&s, 1, 10), 1);
	assert_null(cisco_seq_find(&s, 1)->ace);
	cisco_seq_remember(&s, 1, "permit tcp host 192.0.2.7 any eq 22");
	cisco_seq_remember(&s, 1, "permit ip any any");	/* the first stays */
	assert_non_null(h = cisco_seq_find(&s, 1));
	assert_string_equal(h->ace, "permit tcp host 192.0.2.7 any eq 22");
	/* a number not held remembers nothing */
	cisco_seq_remember(&s, 2, "permit ip any any");
	assert_null(cisco_seq_find(&s, 2));
	cisco_seq_release(&s, 1);
	assert_int_equal(cisco_seq_alloc(&s, 1, 10), 1);
	assert_null(cisco_seq_find(&s, 1)->ace);
	cisco_seqs_free(&s);
	assert_int_equal(s.n, 0);
	assert_null(s.v);
}

/* Many numbers: the set grows, and each stays findable. */
static void
many_numbers(void **state)
{
	struct cisco_seqs s = { 0 };
	uint32_t i;

	(void)state;
	for (i = 0; i < 1000; i++)
		assert_int_equal(cisco_seq_alloc(&s, 20000, 20999),
		    20000 + i);
	assert_int_equal(cisco_seq_alloc(&s, 20000, 20999), 0);
	for (i = 0; i < 1000; i += 2)
		cisco_seq_release(&s, 20000 + i);
	for (i = 0; i < 1000; i++)
		assert_int_equal(cisco_seq_held(&s, 20000 + i), i % 2 == 1);
	assert_int_equal(cisco_seq_alloc(&s, 20000, 20999), 20000);
	cisco_seqs_free(&s);
}

/* --- which numbers a close may remove ------------------------------------ */

static void
own_range_only(void **state)
{
	struct conf_cisco cf;

	(void)state;
	memset(&cf, 0, sizeof(cf));
	cf.seq_first = 10000;
	cf.seq_last = 10999;
	assert_true(conf_cisco_seq_known(&cf, 10000));
	assert_true(conf_cisco_seq_known(&cf, 10500));
	assert_true(conf_cisco_seq_known(&cf, 10999));
	assert_false(conf_cisco_seq_known(&cf, 9999));
	assert_false(conf_cisco_seq_known(&cf, 11000));
	assert_false(conf_cisco_seq_known(&cf, 10));
	assert_false(conf_cisco_seq_known(&cf, 0));
}

/* Fleet mode: other gateways' ranges on the same device, ends included. */
static void
fleet_ranges_too(void **state)
{
	struct conf_cisco cf;
	char ranges[] = "20000-20999, 30005 40000-40009";

	(void)state;
	memset(&cf, 0, sizeof(cf));
	cf.seq_first = 10000;
	cf.seq_last = 10999;
	cf.fleet_ranges = ranges;
	assert_true(conf_cisco_seq_known(&cf, 10000));
	assert_true(conf_cisco_seq_known(&cf, 20000));
	assert_true(conf_cisco_seq_known(&cf, 20999));
	assert_true(conf_cisco_seq_known(&cf, 30005));
	assert_true(conf_cisco_seq_known(&cf, 40000));
	assert_true(conf_cisco_seq_known(&cf, 40009));
	assert_false(conf_cisco_seq_known(&cf, 19999));
	assert_false(conf_cisco_seq_known(&cf, 21000));
	assert_false(conf_cisco_seq_known(&cf, 30004));
	assert_false(conf_cisco_seq_known(&cf, 30006));
	assert_false(conf_cisco_seq_known(&cf, 40010));
	assert_false(conf_cisco_seq_known(&cf, 11000));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lowest_free_first),
		cmocka_unit_test(held_numbers_are_skipped),
		cmocka_unit_test(full_range_gives_none),
		cmocka_unit_test(range_at_the_top_ends),
		cmocka_unit_test(range_given_per_allocation),
		cmocka_unit_test(entry_remembered_until_released),
		cmocka_unit_test(many_numbers),
		cmocka_unit_test(own_range_only),
		cmocka_unit_test(fleet_ranges_too),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
