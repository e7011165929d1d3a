/*
 * The close scheduler: order, ties, reschedule, removal, keys, waiting,
 * iteration, and 100,000 entries (order and lookup, no timing).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "sched.h"

static struct sched_key
key(uint32_t stanza, const char *ip, uint16_t port)
{
	struct sched_key k;

	memset(&k, 0, sizeof(k));
	k.stanza = stanza;
	assert_int_equal(addr_parse(ip, &k.allow), 0);
	k.proto = IPPROTO_TCP;
	k.port = port;
	return k;
}

/* Key number i: a distinct IPv4 address per i. */
static struct sched_key
key_n(uint32_t i)
{
	struct sched_key k;

	memset(&k, 0, sizeof(k));
	k.stanza = 1;
	k.allow.family = AF_INET;
	memcpy(k.allow.bytes, &i, sizeof(i));
	k.proto = IPPROTO_TCP;
	k.port = 22;
	return k;
}

static struct sched *
new_sched(void)
{
	struct sched *s = NULL;

	assert_int_equal(sched_new(&s), 0);
	return s;
}

static void
due_entries_come_in_time_order(void **state)
{
	struct sched *s = new_sched();
	struct sched_key a = key(1, "192.0.2.1", 22);
	struct sched_key b = key(1, "192.0.2.2", 22),
	    c = key(2, "2001:db8::1", 22);

	(void)state;
	assert_int_equal(sched_add(s, &a, 1, 300, "a"), 0);
	assert_int_equal(sched_add(s, &b, 2, 100, "b"), 0);
	assert_int_equal(sched_add(s, &c, 3, 200, "c"), 0);
	assert_null(sched_due(s, 99));
	/* due when its time equals now */
	assert_string_equal(sched_due(s, 100)->data, "b");
	assert_string_equal(sched_remove(s, sched_due(s, 1000)), "b");
	assert_string_equal(sched_remove(s, sched_due(s, 1000)), "c");
	assert_null(sched_due(s, 299));
	assert_string_equal(sched_remove(s, sched_due(s, 1000)), "a");
	assert_null(sched_due(s, 1000));
	assert_int_equal(sched_count(s), 0);
	sched_free(s);
}

static void
due_does_not_remove(void **state)
{
	struct sched *s = new_sched();
	struct sched_key a = key(1, "192.0.2.1", 22);

	(void)state;
	assert_int_equal(sched_add(s, &a, 1, 10, "a"), 0);
	assert_ptr_equal(sched_due(s, 10), sched_due(s, 10));
	assert_int_equal(sched_count(s), 1);
	assert_non_null(sched_find(s, &a));
	sched_free(s);
}

static void
ties_go_by_lower_id(void **state)
{
	struct sched *s = new_sched();
	struct sched_key k;
	struct sched_entry *e;
	uint64_t ids[] = { 9, 4, 7, 1, 8 }, want[] = { 1, 4, 7, 8, 9 };
	size_t i;

	(void)state;
	for (i = 0; i < 5; i++) {
		k = key(1, "192.0.2.1", (uint16_t)(22 + i));
		assert_int_equal(sched_add(s, &k, ids[i], 100, NULL), 0);
	}
	for (i = 0; i < 5; i++) {
		assert_non_null(e = sched_due(s, 100));
		assert_int_equal(e->id, want[i]);
		sched_remove(s, e);
	}
	sched_free(s);
}

static void
tie_order_is_id_not_insertion(void **state)
{
	struct sched *s = new_sched();
	struct sched_key a = key(1, "192.0.2.1", 22);
	struct sched_key b = key(1, "192.0.2.1", 23);
	struct sched_entry *e;

	(void)state;
	assert_int_equal(sched_add(s, &a, 9, 100, "late-id"), 0);
	assert_int_equal(sched_add(s, &b, 4, 100, "early-id"), 0);
	assert_non_null(e = sched_due(s, 100));
	assert_int_equal(e->id, 4);
	assert_string_equal(sched_remove(s, e), "early-id");
	assert_string_equal(sched_remove(s, sched_due(s, 100)), "late-id");
	sched_free(s);
}

static void
reschedule_later_lets_others_first(void **state)
{
	struct sched *s = new_sched();
	struct sched_key a = key(1, "192.0.2.1", 22);
	struct sched_key b = key(1, "192.0.2.2", 22);

	(void)state;
	assert_int_equal(sched_add(s, &a, 1, 100, "a"), 0);
	assert_int_equal(sched_add(s, &b, 2, 200, "b"), 0);
	sched_reschedule(s, sched_find(s, &a), 500);
	assert_null(sched_due(s, 199));
	assert_string_equal(sched_remove(s, sched_due(s, 200)), "b");
	assert_null(sched_due(s, 499));
	assert_string_equal(sched_remove(s, sched_due(s, 500)), "a");
	sched_free(s);
}

static void
reschedule_earlier_comes_first(void **state)
{
	struct sched *s = new_sched();
	struct sched_key k;
	struct sched_entry *e;
	uint32_t i;

	(void)state;
	for (i = 0; i < 20; i++) {
		k = key_n(i);
		assert_int_equal(sched_add(s, &k, i, 1000 + i, NULL), 0);
	}
	k = key_n(17);
	sched_reschedule(s, sched_find(s, &k), 50);
	assert_int_equal(sched_wait_ms(s, 0), 50);
	assert_non_null(e = sched_due(s, 50));
	assert_int_equal(e->id, 17);
	assert_int_equal(e->due_ms, 50);
	sched_free(s);
}

static void
duplicate_key_refused(void **state)
{
	struct sched *s = new_sched();
	struct sched_key a = key(1, "192.0.2.1", 22);
	struct sched_key a2 = key(1, "192.0.2.1", 22);

	(void)state;
	assert_int_equal(sched_add(s, &a, 1, 100, "a"), 0);
	assert_int_equal(sched_add(s, &a2, 2, 50, "dup"), SPA_ERR_ARG);
	assert_int_equal(sched_count(s), 1);
	assert_string_equal(sched_find(s, &a2)->data, "a");
	assert_string_equal(sched_due(s, 1000)->data, "a");
	sched_free(s);
}

/* Each field of the key tells grants apart. */
static void
keys_differ_by_every_field(void **state)
{
	struct sched *s = new_sched();
	struct sched_key base = key(1, "192.0.2.1", 22), k;

	(void)state;
	assert_int_equal(sched_add(s, &base, 1, 100, "base"), 0);
	k = base;
	k.stanza = 2;
	assert_null(sched_find(s, &k));
	k = base;
	k.proto = IPPROTO_UDP;
	assert_null(sched_find(s, &k));
	k = base;
	k.port = 23;
	assert_null(sched_find(s, &k));
	k = key(1, "192.0.2.2", 22);
	assert_null(sched_find(s, &k));
	k = key(1, "::ffff:192.0.2.1", 22);
	assert_null(sched_find(s, &k));
	sched_free(s);
}

/* Bytes past an IPv4 address and struct padding are not part of the key. */
static void
key_ignores_unused_bytes(void **state)
{
	struct sched *s = new_sched();
	struct sched_key a = key(1, "192.0.2.1", 22), b;

	(void)state;
	assert_int_equal(sched_add(s, &a, 1, 100, "a"), 0);
	memset(&b, 0xa5, sizeof(b));
	b.stanza = 1;
	b.allow.family = AF_INET;
	memcpy(b.allow.bytes, a.allow.bytes, 4);
	b.proto = IPPROTO_TCP;
	b.port = 22;
	assert_non_null(sched_find(s, &b));
	assert_string_equal(sched_find(s, &b)->data, "a");
	sched_free(s);
}

static void
remove_from_the_middle(void **state)
{
	struct sched *s = new_sched();
	struct sched_key k[7];
	int i;

	(void)state;
	for (i = 0; i < 7; i++) {
		k[i] = key(1, "192.0.2.1", (uint16_t)(100 + i));
		assert_int_equal(sched_add(s, &k[i], (uint64_t)i, 10 * i,
		    (void *)(intptr_t)(i + 1)), 0);
	}
	assert_int_equal((intptr_t)sched_remove(s, sched_find(s, &k[3])), 4);
	assert_null(sched_find(s, &k[3]));
	assert_int_equal(sched_count(s), 6);
	for (i = 0; i < 7; i++) {
		if (i == 3)
			continue;
		assert_non_null(sched_find(s, &k[i]));
		assert_int_equal((intptr_t)sched_remove(s, sched_due(s, 1000)),
		    i + 1);
	}
	/* the removed key can come back */
	assert_int_equal(sched_add(s, &k[3], 3, 5, "again"), 0);
	assert_string_equal(sched_find(s, &k[3])->data, "again");
	sched_free(s);
}

/* Entry pointers stay valid while the storage grows. */
static void
entries_do_not_move_on_growth(void **state)
{
	struct sched *s = new_sched();
	struct sched_key k0 = key_n(0), k;
	struct sched_entry *e0;
	uint32_t i;

	(void)state;
	assert_int_equal(sched_add(s, &k0, 0, 5, "first"), 0);
	e0 = sched_find(s, &k0);
	for (i = 1; i < 5000; i++) {
		k = key_n(i);
		assert_int_equal(sched_add(s, &k, i, 10 + i, NULL), 0);
	}
	assert_ptr_equal(sched_find(s, &k0), e0);
	assert_string_equal(e0->data, "first");
	assert_ptr_equal(sched_due(s, 5), e0);
	sched_free(s);
}

/* Many inserts and removes (tombstones, rebuilds): every live key found. */
static void
find_after_churn(void **state)
{
	struct sched *s = new_sched();
	struct sched_key k;
	struct sched_entry *e;
	uint32_t i, round;

	(void)state;
	for (round = 0; round < 20; round++) {
		for (i = 0; i < 1000; i++) {
			k = key_n(round * 1000 + i);
			assert_int_equal(sched_add(s, &k, round * 1000 + i,
			    i, NULL), 0);
		}
		/* remove the previous round, and half of this one */
		for (i = 0; i < 1000; i++) {
			if (round > 0) {
				k = key_n((round - 1) * 1000 + i);
				if ((e = sched_find(s, &k)) != NULL)
					sched_remove(s, e);
			}
			k = key_n(round * 1000 + i);
			if (i % 2 == 0)
				sched_remove(s, sched_find(s, &k));
		}
	}
	assert_int_equal(sched_count(s), 500);
	for (i = 0; i < 20000; i++) {
		k = key_n(i);
		e = sched_find(s, &k);
		if (i >= 19000 && i % 2 == 1) {
			assert_non_null(e);
			assert_int_equal(e->id, i);
		} else
			assert_null(e);
	}
	sched_free(s);
}

static void
wait_ms_counts_to_the_earliest(void **state)
{
	struct sched *s = new_sched();
	struct sched_key a = key(1, "192.0.2.1", 22);
	struct sched_key b = key(1, "192.0.2.2", 22);

	(void)state;
	assert_int_equal(sched_wait_ms(s, 0), -1);	/* empty */
	assert_int_equal(sched_add(s, &a, 1, 1500, NULL), 0);
	assert_int_equal(sched_add(s, &b, 2, 900, NULL), 0);
	assert_int_equal(sched_wait_ms(s, 0), 900);
	assert_int_equal(sched_wait_ms(s, 400), 500);
	assert_int_equal(sched_wait_ms(s, 900), 0);
	assert_int_equal(sched_wait_ms(s, 5000), 0);	/* overdue */
	sched_remove(s, sched_find(s, &b));
	assert_int_equal(sched_wait_ms(s, 400), 1100);
	sched_remove(s, sched_find(s, &a));
	assert_int_equal(sched_wait_ms(s, 400), -1);
	sched_free(s);
}

static void
mark_entry(void *arg, struct sched_entry *e)
{
	int *seen = arg;

	seen[e->id]++;
}

static void
foreach_visits_each_once(void **state)
{
	struct sched *s = new_sched();
	struct sched_key k;
	int seen[300] = { 0 }, i;

	(void)state;
	for (i = 0; i < 300; i++) {
		k = key_n((uint32_t)i);
		assert_int_equal(sched_add(s, &k, (uint64_t)i, 300 - i,
		    NULL), 0);
	}
	for (i = 0; i < 300; i += 3) {	/* holes in the heap */
		k = key_n((uint32_t)i);
		sched_remove(s, sched_find(s, &k));
	}
	sched_foreach(s, mark_entry, seen);
	for (i = 0; i < 300; i++)
		assert_int_equal(seen[i], i % 3 == 0 ? 0 : 1);
	sched_free(s);
}

static void
foreach_on_empty_calls_nothing(void **state)
{
	struct sched *s = new_sched();
	int seen[1] = { 0 };

	(void)state;
	sched_foreach(s, mark_entry, seen);
	assert_int_equal(seen[0], 0);
	sched_free(s);
}

/* 100,000 entries in random order come out sorted; each key is found. */
static void
many_entries_sorted_and_found(void **state)
{
	struct sched *s = new_sched();
	struct sched_key k;
	struct sched_entry *e, prev = { .due_ms = -1 };
	uint32_t i, n = 100000;

	(void)state;
	srandom(7);
	for (i = 0; i < n; i++) {
		k = key_n(i);
		/* few distinct times: many ties, ordered by id */
		assert_int_equal(sched_add(s, &k, i, random() % 5000, NULL), 0);
	}
	assert_int_equal(sched_count(s), n);
	for (i = 0; i < n; i++) {
		k = key_n(i);
		assert_non_null(e = sched_find(s, &k));
		assert_int_equal(e->id, i);
	}
	for (i = 0; i < n; i++) {
		assert_non_null(e = sched_due(s, INT64_MAX));
		assert_true(e->due_ms > prev.due_ms ||
		    (e->due_ms == prev.due_ms && e->id > prev.id));
		prev = *e;
		sched_remove(s, e);
	}
	assert_int_equal(sched_count(s), 0);
	assert_null(sched_due(s, INT64_MAX));
	sched_free(s);
}

static void
free_null_is_a_no_op(void **state)
{
	(void)state;
	sched_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(due_entries_come_in_time_order),
		cmocka_unit_test(due_does_not_remove),
		cmocka_unit_test(ties_go_by_lower_id),
		cmocka_unit_test(tie_order_is_id_not_insertion),
		cmocka_unit_test(reschedule_later_lets_others_first),
		cmocka_unit_test(reschedule_earlier_comes_first),
		cmocka_unit_test(duplicate_key_refused),
		cmocka_unit_test(keys_differ_by_every_field),
		cmocka_unit_test(key_ignores_unused_bytes),
		cmocka_unit_test(remove_from_the_middle),
		cmocka_unit_test(entries_do_not_move_on_growth),
		cmocka_unit_test(find_after_churn),
		cmocka_unit_test(wait_ms_counts_to_the_earliest),
		cmocka_unit_test(foreach_visits_each_once),
		cmocka_unit_test(foreach_on_empty_calls_nothing),
		cmocka_unit_test(many_entries_sorted_and_found),
		cmocka_unit_test(free_null_is_a_no_op),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
