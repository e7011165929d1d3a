/*
 * spagate status [--json]: spagated -S for the admin, from spagated.conf (for the
 * state directory, pid file and metrics file) with -d/-p on top: shared
 * code in executor/status.c.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "action.h"
#include "conf.h"
#include "status.h"
#include "tool.h"

static const struct option status_long[] = {
	{ "config-file", required_argument, NULL, 'c' },
	{ "state-dir", required_argument, NULL, 'd' },
	{ "pid-file", required_argument, NULL, 'p' },
	{ "json", no_argument, NULL, 'j' },
	{ NULL, 0, NULL, 0 },
};

int
tool_load_conf(const char *config, struct spa_conf *c, const char *cmd)
{
	struct conf_error err = { .text = "out of memory" };

	conf_defaults(c);
	if (action_conf_groups(c) != 0 ||
	    conf_load(config ? config : CONF_DEF_PATH, config != NULL, c,
	    &err) != 0) {
		fprintf(stderr, "spagate %s: %s\n", cmd, err.text);
		conf_free(c);
		return -1;
	}
	return 0;
}

int
status_main(int argc, char **argv)
{
	struct status_opts so = { .metrics_hint = STATUS_METRICS_HINT };
	const char *config = NULL;
	struct conf_error err = { .text = "out of memory" };
	struct spa_conf c;
	int ch, r;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+c:d:p:", status_long, NULL))
	    != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'd': so.state_dir = optarg; break;
		case 'p': so.pid_file = optarg; break;
		case 'j': so.json = true; break;
		default:
			tool_usage("status", stderr);
			return 2;
		}
	}
	if (optind != argc) {
		tool_usage("status", stderr);
		return 2;
	}
	so.pid_file_given = so.pid_file != NULL;
	conf_defaults(&c);
	if (action_conf_groups(&c) != 0 ||
	    conf_load(config ? config : CONF_DEF_PATH, config != NULL, &c,
	    &err) != 0) {
		fprintf(stderr, "spagate status: %s\n", err.text);
		conf_free(&c);
		return 1;
	}
	if (so.state_dir == NULL)
		so.state_dir = c.state_dir;
	if (so.pid_file == NULL)
		so.pid_file = c.pid_file;
	so.metrics_file = c.metrics_file;
	r = status_report(&so, stdout);
	conf_free(&c);
	return r;
}
