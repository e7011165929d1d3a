/* spagate(1): dispatch to the subcommand (see tool.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "tool.h"

struct tool_cmd {
	const char	*name;
	int		(*main)(int, char **);
	const char	*usage;
};

static const struct tool_cmd cmds[] = {
	{ "keygen", keygen_main, "keygen [--qr] [--hmac-digest DIGEST]" },
	{ "check", check_main,
	    "check [-c spagated.conf] [-a access.conf | --access-folder DIR]\n"
	    "        [-d state_dir] [-p pid_file]" },
	{ "status", status_main,
	    "status [-c spagated.conf] [-d state_dir] [-p pid_file]" },
	{ "list", list_main, "list [-c spagated.conf] [-d state_dir] [--json]" },
	{ "close", close_main,
	    "close [-c spagated.conf] [-d state_dir]\n"
	    "        CYCLE | --source ADDR | --stanza N | --all" },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

static void
usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(fp, "  spagate %s\n", cmds[i].usage);
	fprintf(fp, "  spagate --version\nSee spagate(1).\n");
}

int
main(int argc, char **argv)
{
	size_t i;

	log_init("spagate", LOG_TO_STDERR | LOG_PLAIN, LOG_USER);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("spagate %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (i = 0; i < NCMDS; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].main(argc - 1, argv + 1);
	fprintf(stderr, "spagate: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
