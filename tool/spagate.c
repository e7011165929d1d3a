/* spagate(1): dispatch to the subcommand (see tool.h), and its usage. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "tool.h"

struct tool_cmd {
	const char	*name;
	int		(*main)(int, char **);
	const char	*usage;		/* after "spagate " */
};

static const struct tool_cmd cmds[] = {
	{ "keygen", keygen_main,
	    "keygen [--qr] [--qr-png FILE] [--qr-fwknoprc] "
	    "[--hmac-digest DIGEST]" },
	{ "check", check_main,
	    "check [-c spagated.conf] [-a access.conf | --access-folder DIR]\n"
	    "        [-d state_dir] [-p pid_file]" },
	{ "status", status_main,
	    "status [-c spagated.conf] [-d state_dir] [-p pid_file] [--json]" },
	{ "list", list_main, "list [-c spagated.conf] [-d state_dir] [--json]" },
	{ "test", test_main, TEST_USAGE },
	{ "close", close_main,
	    "close [-c spagated.conf] [-d state_dir]\n"
	    "        CYCLE | --source ADDR | --stanza N | --all" },
	{ "help", NULL, "help [COMMAND]" },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

static const struct tool_cmd *
find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (strcmp(name, cmds[i].name) == 0)
			return &cmds[i];
	return NULL;
}

void
tool_usage(const char *cmd, FILE *fp)
{
	const struct tool_cmd *c = find_cmd(cmd);

	if (c != NULL)
		fprintf(fp, "usage: spagate %s\n", c->usage);
}

static void
usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(fp, "  spagate %s\n", cmds[i].usage);
	fprintf(fp, "  spagate --version\nSee spagate(1).\n");
}

/* -h or --help among a subcommand's words (before any "--"). */
static int
wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return 1;
	return 0;
}

/* spagate help [COMMAND]: to stdout, exit 0; an unknown one exits 2. */
static int
help_main(int argc, char **argv)
{
	if (argc == 1) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && wants_help(argc, argv)) {
		tool_usage("help", stdout);
		return 0;
	}
	if (argc == 2 && find_cmd(argv[1]) != NULL) {
		tool_usage(argv[1], stdout);
		return 0;
	}
	fprintf(stderr, "spagate help: unknown command '%s'\n", argv[1]);
	tool_usage("help", stderr);
	return 2;
}

int
main(int argc, char **argv)
{
	const struct tool_cmd *c;
	char name[64];

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
	if ((c = find_cmd(argv[1])) == NULL) {
		fprintf(stderr, "spagate: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	if (c->main == NULL)
		return help_main(argc - 1, argv + 1);
	if (wants_help(argc - 1, argv + 1)) {
		tool_usage(c->name, stdout);
		return 0;
	}
	/* getopt's own complaints then name "spagate CMD" */
	snprintf(name, sizeof(name), "spagate %s", c->name);
	argv[1] = name;
	return c->main(argc - 1, argv + 1);
}
