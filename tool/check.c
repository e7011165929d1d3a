/*
 * spagate check: spagated.conf and access.conf (with every %include and
 * %include_folder) through the daemon's own loaders, what the host must
 * have for them (interface, users, directories), then the stanzas'
 * command templates through the executor's planner, as spagated does at
 * start.  Prints the effective settings and policy with keys masked;
 * exit 0, or 1 with "file:line: reason", or 3 (ACCESS_EXIT_DISABLED) when
 * the policy loads with per-user files disabled, listed.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "access.h"
#include "action.h"
#include "conf.h"
#include "err.h"
#include "plan.h"
#include "policy.h"
#include "tool.h"

struct check_opts {
	const char	*config;	/* NULL: the default, optional */
	const char	*access_file;
	const char	*access_folder;
	const char	*state_dir;	/* -d, as spagated's */
	const char	*pid_file;	/* -p, as spagated's */
};

static const struct option check_long[] = {
	{ "config-file", required_argument, NULL, 'c' },
	{ "access-file", required_argument, NULL, 'a' },
	{ "access-folder", required_argument, NULL, 'A' },
	{ "state-dir", required_argument, NULL, 'd' },
	{ "pid-file", required_argument, NULL, 'p' },
	{ NULL, 0, NULL, 0 },
};

static int
check_parse(int argc, char **argv, struct check_opts *o)
{
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+c:a:d:p:", check_long, NULL))
	    != -1) {
		switch (ch) {
		case 'c':
			o->config = optarg;
			break;
		case 'a':
			o->access_file = optarg;
			break;
		case 'A':
			o->access_folder = optarg;
			break;
		case 'd':
			o->state_dir = optarg;
			break;
		case 'p':
			o->pid_file = optarg;
			break;
		default:
			return -1;
		}
	}
	if (optind < argc || (o->access_file && o->access_folder))
		return -1;
	return 0;
}

/* spagated.conf, the command line on top, then the cross checks. */
static int
check_conf(const struct check_opts *o, struct spa_conf *c)
{
	struct conf_error err;
	int r;

	conf_defaults(c);
	if ((r = action_conf_groups(c)) != 0)
		return r;
	if ((r = conf_load(o->config ? o->config : CONF_DEF_PATH,
	    o->config != NULL, c, &err)) != 0)
		goto fail;
	if (o->access_file != NULL) {
		free(c->access_folder);
		c->access_folder = NULL;
		r = conf_set_string(&c->access_file, o->access_file);
	}
	if (r == 0 && o->access_folder != NULL)
		r = conf_set_string(&c->access_folder, o->access_folder);
	if (r == 0 && o->state_dir != NULL)
		r = conf_set_string(&c->state_dir, o->state_dir);
	if (r == 0 && o->pid_file != NULL)
		r = conf_set_string(&c->pid_file, o->pid_file);
	if (r != 0)
		return r;
	if ((r = conf_validate(c, &err)) == 0)
		return 0;
fail:
	fprintf(stderr, "spagate check: %s\n", err.text);
	return r;
}

/* 0, or ACCESS_EXIT_DISABLED when per-user files are disabled. */
static int
print_ok(const struct spa_conf *c, const struct access_conf *access)
{
	conf_dump(c, stdout);
	printf("\n");
	access_dump(access, stdout);
	printf("\n");
	return access_print_verdict(access, c->access_folder ?
	    c->access_folder : c->access_file, stdout);
}

/* Plan the policy as spagated would, with module instances of its own. */
static int
check_policy(struct spa_conf *c)
{
	struct action_table *modules = NULL;
	struct access_conf *access = NULL;
	struct plan plan = { 0, NULL };
	struct conf_error err;
	char why[512];
	int r;

	if ((r = action_table_new(&modules)) != 0)
		fprintf(stderr, "spagate check: %s\n", spa_strerror(r));
	else if ((r = plan_load(c, modules, &access, &plan, why,
	    sizeof(why))) != 0)
		fprintf(stderr, "spagate check: %s\n", why);
	else {
		if ((r = conf_check_host(c, true, &err)) != 0)
			fprintf(stderr, "spagate check: %s\n", err.text);
		else
			r = print_ok(c, access);
		policy_release(access);
	}
	plan_free(&plan);
	access_free(access);
	action_table_free(modules);
	return r;
}

int
check_main(int argc, char **argv)
{
	struct check_opts o = { NULL, NULL, NULL, NULL, NULL };
	struct spa_conf c;
	int r;

	if (check_parse(argc, argv, &o) != 0) {
		tool_usage("check", stderr);
		return 2;
	}
	if (check_conf(&o, &c) != 0) {
		conf_free(&c);
		return 1;
	}
	r = check_policy(&c);
	conf_free(&c);
	return r == 0 || r == ACCESS_EXIT_DISABLED ? r : 1;
}
