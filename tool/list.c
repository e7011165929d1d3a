/*
 * spagate list: the open cycles of the running daemon, asked over its
 * control socket (executor/control_client.c), one per line or --json.
 */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "conf.h"
#include "control_client.h"
#include "tool.h"

static const struct option list_long[] = {
	{ "config-file", required_argument, NULL, 'c' },
	{ "state-dir", required_argument, NULL, 'd' },
	{ "json", no_argument, NULL, 'j' },
	{ NULL, 0, NULL, 0 },
};

int
list_main(int argc, char **argv)
{
	const char *config = NULL, *state_dir = NULL;
	struct spa_conf c;
	bool json = false;
	int ch, r;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+c:d:j", list_long, NULL))
	    != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'd': state_dir = optarg; break;
		case 'j': json = true; break;
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	if (tool_load_conf(config, &c, "list") != 0)
		return 2;
	r = control_list(state_dir != NULL ? state_dir : c.state_dir, json,
	    stdout);
	conf_free(&c);
	return r;
usage:
	tool_usage("list", stderr);
	return 2;
}
