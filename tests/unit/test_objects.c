/*
 * Firewall objects and their holders: equal keys make one object, every
 * byte of a key counts, the last holder out frees it, and 100,000 objects
 * are all found again.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "objects.h"

static struct objects *
new_table(void)
{
	struct objects *t = NULL;

	assert_int_equal(objects_new(&t), 0);
	return t;
}

static struct object *
join(struct objects *t, const char *key, void *holder)
{
	struct object *o = objects_join(t, key, strlen(key) + 1, holder);

	assert_non_null(o);
	return o;
}

static void
equal_keys_share_one_object(void **state)
{
	struct objects *t = new_table();
	int alice, bob;
	struct object *a = join(t, "ipset\0del spa 10.0.0.2,tcp:22", &alice);
	struct object *b = join(t, "ipset\0del spa 10.0.0.2,tcp:22", &bob);

	(void)state;
	assert_ptr_equal(a, b);
	assert_int_equal(object_nholders(a), 2);
	assert_ptr_equal(object_holder(a, 0), &alice);
	assert_ptr_equal(object_holder(a, 1), &bob);
	assert_null(object_holder(a, 2));
	assert_int_equal(objects_count(t), 1);
	objects_free(t);
}

static void
keys_differing_in_one_byte_are_two_objects(void **state)
{
	struct objects *t = new_table();
	int h1, h2, h3;
	struct object *a = join(t, "del spa 10.0.0.2,tcp:22", &h1);
	struct object *b = join(t, "del spa 10.0.0.2,tcp:23", &h2);
	struct object *c = objects_join(t, "del spa 10.0.0.2,tcp:22",
	    strlen("del spa 10.0.0.2,tcp:22"), &h3);	/* no NUL: shorter */

	(void)state;
	assert_non_null(c);
	assert_ptr_not_equal(a, b);
	assert_ptr_not_equal(a, c);
	assert_int_equal(objects_count(t), 3);
	objects_free(t);
}

static void
last_holder_out_frees_the_object(void **state)
{
	struct objects *t = new_table();
	int alice, bob, carol;
	struct object *o = join(t, "k", &alice);

	(void)state;
	join(t, "k", &bob);
	objects_leave(t, o, &alice);
	assert_int_equal(object_nholders(o), 1);
	assert_ptr_equal(object_holder(o, 0), &bob);
	assert_int_equal(objects_count(t), 1);
	objects_leave(t, o, &bob);
	assert_int_equal(objects_count(t), 0);
	/* the same key afterwards is a new object with one holder */
	o = join(t, "k", &carol);
	assert_int_equal(object_nholders(o), 1);
	objects_free(t);
}

static void
leaving_keeps_the_order_of_the_others(void **state)
{
	struct objects *t = new_table();
	int h[4];
	struct object *o = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++)
		o = join(t, "k", &h[i]);
	objects_leave(t, o, &h[1]);
	assert_int_equal(object_nholders(o), 3);
	assert_ptr_equal(object_holder(o, 0), &h[0]);
	assert_ptr_equal(object_holder(o, 1), &h[2]);
	assert_ptr_equal(object_holder(o, 2), &h[3]);
	objects_free(t);
}

static void
many_objects_all_found_again(void **state)
{
	struct objects *t = new_table();
	static struct object *seen[100000];
	static int holder[100000];
	char key[32];
	size_t i;

	(void)state;
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "del spa 10.%zu.%zu,tcp:22",
		    i / 256, i % 256);
		seen[i] = join(t, key, &holder[i]);
	}
	assert_int_equal(objects_count(t), 100000);
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "del spa 10.%zu.%zu,tcp:22",
		    i / 256, i % 256);
		assert_ptr_equal(join(t, key, &holder[0]), seen[i]);
		assert_int_equal(object_nholders(seen[i]), 2);
	}
	for (i = 0; i < 100000; i += 2) {
		objects_leave(t, seen[i], &holder[i]);
		objects_leave(t, seen[i], &holder[0]);
	}
	assert_int_equal(objects_count(t), 50000);
	objects_free(t);
}

static void
free_null_is_a_no_op(void **state)
{
	(void)state;
	objects_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(equal_keys_share_one_object),
		cmocka_unit_test(keys_differing_in_one_byte_are_two_objects),
		cmocka_unit_test(last_holder_out_frees_the_object),
		cmocka_unit_test(leaving_keeps_the_order_of_the_others),
		cmocka_unit_test(many_objects_all_found_again),
		cmocka_unit_test(free_null_is_a_no_op),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
