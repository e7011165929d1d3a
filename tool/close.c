/*
 * spagate close CYCLE | --source ADDR | --stanza N | --all: the running
 * daemon closes those cycles now, through its cycle engine (journaled,
 * logged with who asked), asked over its control socket.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "control_client.h"
#include "tool.h"

static const struct option close_long[] = {
	{ "config-file", required_argument, NULL, 'c' },
	{ "state-dir", required_argument, NULL, 'd' },
	{ "source", required_argument, NULL, 's' },
	{ "stanza", required_argument, NULL, 'n' },
	{ "all", no_argument, NULL, 'a' },
	{ NULL, 0, NULL, 0 },
};

/* One word of printable ASCII: the daemon checks the rest. */
static int
one_word(const char *s)
{
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s > '~')
			return -1;
	return 0;
}

struct close_opts {
	const char	*config;
	const char	*state_dir;
	char		 req[CONTROL_REQ_MAX];
};

/* The options and the request line; -1 if they do not name one close. */
static int
parse(int argc, char **argv, struct close_opts *o)
{
	const char *sel = NULL, *val = NULL;
	int ch, n = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "c:d:", close_long, NULL)) != -1) {
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 'd': o->state_dir = optarg; break;
		case 's': sel = "source"; val = optarg; n++; break;
		case 'n': sel = "stanza"; val = optarg; n++; break;
		case 'a': sel = "all"; val = NULL; n++; break;
		default: return -1;
		}
	}
	if (optind == argc - 1) {
		sel = "id";
		val = argv[optind];
		n++;
	} else if (optind != argc)
		return -1;
	if (n != 1 || (val != NULL && one_word(val) != 0))
		return -1;
	snprintf(o->req, sizeof(o->req), "close %s%s%s", sel, val ? " " : "",
	    val ? val : "");
	return 0;
}

int
close_main(int argc, char **argv)
{
	struct close_opts o = { NULL, NULL, "" };
	struct spa_conf c;
	int r;

	if (parse(argc, argv, &o) != 0) {
		tool_usage("close", stderr);
		return 2;
	}
	if (tool_load_conf(o.config, &c, "close") != 0)
		return 2;
	r = control_close_cycles(o.state_dir != NULL ? o.state_dir :
	    c.state_dir, o.req, stdout);
	conf_free(&c);
	return r;
}
