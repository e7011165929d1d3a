/* The close scheduler: order, ties, reschedule, removal, keys, scale. */
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
	struct sched_key a = key(1, "192.0.2.1", 22), b = key(1, "192.0.2.2", 22),
	    c = key(2, "2001:db8::1", 22);

	(void)state;
	assert_int_equal(sched_add(s, &a, 1, 300, "a"), 0);
	assert_int_equal(sched_add(s, &b, 2, 100, "b"), 0);
	assert_int_equal(sched_add(s, &c, 3, 200, "c"), 0);
	assert_null(sched_due(s, 99));
	assert_int_equal(sched_wait_ms(s, 50), 50);
	assert_string_equal(sched_remove(s, sched_due(s, 1000)), "b");
	assert_string_equal(sched_remove(s, sched_due(s, 1000)), "c");
	assert_string_equal(sched_remove(s, sched_due(s, 1000)), "a");
	assert_null(sched_due(s, 1000));
	assert_int_equal(sched_wait_ms(s, 0), -1);
	sched_free(s);
}

static void
ties_go_by_id(void **state)
{
	struct sched *s = new_sched();
	struct sched_key a = key(1, "192.0.2.1", 22), b = key(1, "192.0.2.1", 23);

	(void)state;
	assert_int_equal(sched_add(s, &a, 9, 100, "late-id"), 0);
	assert_int_equal(sched_add(s, &b, 4, 100, "early-id"), 0);
	assert_string_equal(sched_due(s, 100)->data, "early-id");
	sched_free(s);
}

static void
reschedule_moves_both_ways(void **state)
{
	struct sched *s = new_sched();
	struct sched_key a = key(1, "192.0.2.1", 22), b = key(1, "192.0.2.2", 22);
	struct sched_entry *e;

	(void)state;
	assert_int_equal(sched_add(s, &a, 1, 100, "a"), 0);
	assert_int_equal(sched_add(s, &b, 2, 200, "b"), 0);
	e = sched_find(s, &a);
	sched_reschedule(s, e, 500);
	assert_string_equal(sched_due(s, 1000)->data, "b");
	sched_reschedule(s, e, 50);
	assert_string_equal(sched_due(s, 1000)->data, "a");
	assert_int_equal(sched_wait_ms(s, 0), 50);
	sched_free(s);
}

static void
duplicate_key_refused_and_found(void **state)
{
	struct sched *s = new_sched();
	struct sched_key a = key(1, "192.0.2.1", 22), a2 = key(1, "192.0.2.1", 22),
	    other_stanza = key(2, "192.0.2.1", 22);

	(void)state;
	assert_int_equal(sched_add(s, &a, 1, 100, "a"), 0);
	assert_int_equal(sched_add(s, &a2, 2, 100, "dup"), SPA_ERR_ARG);
	assert_string_equal(sched_find(s, &a2)->data, "a");
	assert_null(sched_find(s, &other_stanza));
	assert_int_equal(sched_count(s), 1);
	sched_free(s);
}

static void
remove_from_the_middle(void **state)
{
	struct sched *s = new_sched();
	struct sched_key k[5];
	int i;

	(void)state;
	for (i = 0; i < 5; i++) {
		k[i] = key(1, "192.0.2.1", (uint16_t)(100 + i));
		assert_int_equal(sched_add(s, &k[i], (uint64_t)i, 10 * i,
		    (void *)(intptr_t)(i + 1)), 0);
	}
	sched_remove(s, sched_find(s, &k[2]));
	assert_null(sched_find(s, &k[2]));
	for (i = 0; i < 5; i++) {
		if (i == 2)
			continue;
		assert_int_equal((intptr_t)sched_remove(s, sched_due(s, 1000)),
		    i + 1);
	}
	sched_free(s);
}

static void
count_entry(void *arg, struct sched_entry *e)
{
	(void)e;
	(*(int *)arg)++;
}

static void
foreach_visits_each_once(void **state)
{
	struct sched *s = new_sched();
	struct sched_key k;
	int i, n = 0;

	(void)state;
	for (i = 0; i < 50; i++) {
		k = key((uint32_t)i, "192.0.2.1", 22);
		assert_int_equal(sched_add(s, &k, (uint64_t)i, i, NULL), 0);
	}
	sched_foreach(s, count_entry, &n);
	assert_int_equal(n, 50);
	sched_free(s);
}

/* 100,000 entries in random order come out sorted; each key is found. */
static void
many_entries_sorted_and_found(void **state)
{
	struct sched *s = new_sched();
	struct sched_key k;
	struct sched_entry *e;
	int64_t last = -1;
	uint32_t i, n = 100000;

	(void)state;
	srandom(7);
	for (i = 0; i < n; i++) {
		memset(&k, 0, sizeof(k));
		k.stanza = 1;
		k.allow.family = AF_INET;
		memcpy(k.allow.bytes, &i, sizeof(i));
		k.proto = IPPROTO_TCP;
		k.port = 22;
		assert_int_equal(sched_add(s, &k, i, random() % 1000000, NULL), 0);
	}
	for (i = 0; i < n; i += 997) {
		memset(&k, 0, sizeof(k));
		k.stanza = 1;
		k.allow.family = AF_INET;
		memcpy(k.allow.bytes, &i, sizeof(i));
		k.proto = IPPROTO_TCP;
		k.port = 22;
		assert_non_null(e = sched_find(s, &k));
		assert_int_equal(e->id, i);
	}
	for (i = 0; i < n; i++) {
		assert_non_null(e = sched_due(s, INT64_MAX));
		assert_true(e->due_ms >= last);
		last = e->due_ms;
		sched_remove(s, e);
	}
	assert_int_equal(sched_count(s), 0);
	sched_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(due_entries_come_in_time_order),
		cmocka_unit_test(ties_go_by_id),
		cmocka_unit_test(reschedule_moves_both_ways),
		cmocka_unit_test(duplicate_key_refused_and_found),
		cmocka_unit_test(remove_from_the_middle),
		cmocka_unit_test(foreach_visits_each_once),
		cmocka_unit_test(many_entries_sorted_and_found),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
