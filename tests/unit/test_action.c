/*
 * The module table (executor/action.c): spagated's is one instance of
 * each module of the registry, in its order, each with state of its own;
 * routing takes the first instance that claims a command; each instance
 * is handed back only the descriptors it asked to poll; the registry's
 * spagated.conf groups are registered, each module's then the fleet's.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "action.h"
#include "conf.h"
#include "conf_group.h"
#include "helpers.h"

static void
one_instance_per_registry_line(void **state)
{
	struct action_table *t;
	size_t i;

	(void)state;
	assert_int_equal(action_table_new(&t), 0);
	assert_int_equal(t->n, action_nregistry);
	for (i = 0; i < t->n; i++)
		assert_ptr_equal(t->v[i].ops, action_registry[i].ops);
	/* exec claims everything: it must come last */
	assert_string_equal(t->v[t->n - 1].ops->name, "exec");
	assert_null(t->v[t->n - 1].ops->claims);
	for (i = 0; i + 1 < t->n; i++)
		assert_non_null(t->v[i].ops->claims);
	action_table_free(t);
}

/* Two tables (spagated and spagate check in one process) share nothing. */
static void
tables_do_not_share_state(void **state)
{
	struct action_table *a, *b;
	size_t i;

	(void)state;
	assert_int_equal(action_table_new(&a), 0);
	assert_int_equal(action_table_new(&b), 0);
	for (i = 0; i < a->n; i++) {
		if (a->v[i].ops->create == NULL)
			continue;
		assert_non_null(a->v[i].priv);
		assert_ptr_not_equal(a->v[i].priv, b->v[i].priv);
	}
	assert_non_null(action_table_by_name(a, "cisco")->priv);
	action_table_free(a);
	action_table_free(b);
}

/* The registry's groups are read: each module's, then the fleet's. */
static void
registry_groups_registered(void **state)
{
	struct spa_conf c;
	size_t i, n = 0;

	(void)state;
	conf_defaults(&c);
	assert_int_equal(action_conf_groups(&c), 0);
	for (i = 0; i < action_nregistry; i++) {
		if (action_registry[i].conf == NULL)
			continue;
		assert_ptr_equal(c.group[n++], action_registry[i].conf);
		assert_non_null(conf_group_value(&c, action_registry[i].conf));
	}
	assert_int_equal(c.ngroups, n + 1);
	assert_string_equal(c.group[n]->name, "redis");
	conf_free(&c);
}

/* --- descriptors: two fakes, each polling its own ------------------------ */

struct fake {
	int		 fd[2];		/* what it polls */
	size_t		 nfd;
	int		 seen[8];	/* what dispatch handed it */
	size_t		 nseen;
	int		 passes;
};

static size_t
fake_pollfds(void *priv, struct pollfd *pfd, size_t max)
{
	struct fake *f = priv;
	size_t i;

	for (i = 0; i < f->nfd && i < max; i++) {
		pfd[i].fd = f->fd[i];
		pfd[i].events = POLLIN;
	}
	return i;
}

static void
fake_dispatch(void *priv, struct action_env *env, const struct pollfd *pfd,
    size_t n, int64_t now_ms)
{
	struct fake *f = priv;
	size_t i;

	(void)env;
	(void)now_ms;
	f->passes++;
	for (i = 0; i < n && f->nseen < 8; i++)
		f->seen[f->nseen++] = pfd[i].fd;
}

static const struct action_ops fake_ops = {
	.name = "fake",
	.pollfds = fake_pollfds,
	.dispatch = fake_dispatch,
};

static void
instance_sees_only_its_descriptors(void **state)
{
	struct fake a = { { 10, 11 }, 2, { 0 }, 0, 0 };
	struct fake none = { { 0 }, 0, { 0 }, 0, 0 };
	struct fake b = { { 20 }, 1, { 0 }, 0, 0 };
	struct action_module v[] = {
		{ &fake_ops, &a, 0 }, { &fake_ops, &none, 0 },
		{ &fake_ops, &b, 0 },
	};
	struct action_table t = { v, 3 };
	struct pollfd pfd[8];
	size_t n;

	(void)state;
	n = action_table_pollfds(&t, pfd, 8);
	assert_int_equal(n, 3);
	action_table_dispatch(&t, NULL, pfd, n, 0);
	assert_int_equal(a.nseen, 2);
	assert_int_equal(a.seen[0], 10);
	assert_int_equal(a.seen[1], 11);
	assert_int_equal(none.nseen, 0);
	assert_int_equal(none.passes, 1);	/* every pass, fds or not */
	assert_int_equal(b.nseen, 1);
	assert_int_equal(b.seen[0], 20);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_instance_per_registry_line),
		cmocka_unit_test(tables_do_not_share_state),
		cmocka_unit_test(registry_groups_registered),
		cmocka_unit_test(instance_sees_only_its_descriptors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
