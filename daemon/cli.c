/* Command-line parsing for spagated. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "vproc.h"

enum {
	OPT_ACCESS_FOLDER = 256,
	OPT_PCAP_FILE,
	OPT_EXIT_PARSE_CONFIG,
	OPT_ANY_DIRECTION,
	OPT_VERIFIER_PROGRAM,
	OPT_FW_LIST,
	OPT_FW_FLUSH,
};

static const char short_opts[] = "a:c:C:d:Dfhi:KP:p:RStUvV";

static const struct option long_opts[] = {
	{ "access-file",	required_argument, NULL, 'a' },
	{ "access-folder",	required_argument, NULL, OPT_ACCESS_FOLDER },
	{ "config-file",	required_argument, NULL, 'c' },
	{ "packet-limit",	required_argument, NULL, 'C' },
	{ "state-dir",		required_argument, NULL, 'd' },
	{ "dump-config",	no_argument,	   NULL, 'D' },
	{ "exit-parse-config",	no_argument,	   NULL, OPT_EXIT_PARSE_CONFIG },
	{ "foreground",		no_argument,	   NULL, 'f' },
	{ "fw-flush",		no_argument,	   NULL, OPT_FW_FLUSH },
	{ "fw-list",		no_argument,	   NULL, OPT_FW_LIST },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "interface",		required_argument, NULL, 'i' },
	{ "kill",		no_argument,	   NULL, 'K' },
	{ "pcap-filter",	required_argument, NULL, 'P' },
	{ "pcap-file",		required_argument, NULL, OPT_PCAP_FILE },
	{ "pcap-any-direction",	no_argument,	   NULL, OPT_ANY_DIRECTION },
	{ "pid-file",		required_argument, NULL, 'p' },
	{ "restart",		no_argument,	   NULL, 'R' },
	{ "status",		no_argument,	   NULL, 'S' },
	{ "test",		no_argument,	   NULL, 't' },
	{ "udp-server",		no_argument,	   NULL, 'U' },
	{ "verbose",		no_argument,	   NULL, 'v' },
	{ "verifier-program",	required_argument, NULL, OPT_VERIFIER_PROGRAM },
	{ "version",		no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

void
cli_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: spagated [-DfKRStUvV] [-a access.conf] [--access-folder dir]\n"
	    "                [-c spagated.conf] [-C count] [-d state-dir] [-i interface]\n"
	    "                [-P bpf-filter] [-p pid-file] [--pcap-file file]\n"
	    "                [--pcap-any-direction] [--exit-parse-config]\n"
	    "                [--verifier-program file] [--fw-list | --fw-flush]\n"
	    "\n"
	    "  -a, --access-file F     access.conf to load\n"
	    "      --access-folder D   load every *.conf in D instead of -a\n"
	    "  -c, --config-file F     spagated.conf (default " CONF_DEF_PATH ")\n"
	    "  -C, --packet-limit N    exit after N captured packets\n"
	    "  -d, --state-dir D       state directory: the replay store and the journal\n"
	    "                          of open cycles, the control socket (default\n"
	    "                          " SPA_STATE_DIR ")\n"
	    "  -D, --dump-config       print the effective configuration and exit\n"
	    "      --exit-parse-config check the configuration and exit\n"
	    "  -f, --foreground        stay in the foreground, log to stderr\n"
	    "      --fw-flush          close every open cycle now (spagate close --all)\n"
	    "      --fw-list           list the open cycles (spagate list)\n"
	    "  -i, --interface IF      capture interface\n"
	    "  -K, --kill              stop the running daemon\n"
	    "  -P, --pcap-filter BPF   capture filter (default \"" CONF_DEF_FILTER "\")\n"
	    "  -p, --pid-file F        pid file\n"
	    "      --pcap-file F       read packets from a capture file, then exit\n"
	    "      --pcap-any-direction  also verify packets this host sends\n"
	    "  -R, --restart           make the running daemon reload its configuration\n"
	    "  -S, --status            whether the daemon runs, and its open cycles\n"
	    "  -t, --test              verify and print each OPEN event, run nothing\n"
	    "  -U, --udp-server        receive on a UDP socket instead of capturing\n"
	    "  -v, --verbose           more log detail (repeatable)\n"
	    "      --verifier-program F  run F as the verifier (default\n"
	    "                          " SPA_VERIFIER_PROGRAM ")\n"
	    "  -V, --version           print the version\n"
	    "  -h, --help              this text\n");
}

static int
parse_count(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end = NULL;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0)
		return -1;
	*out = v;
	return 0;
}

static int
set_action(struct cli_opts *o, enum cli_action a)
{
	if (o->action != CLI_RUN && o->action != a) {
		fprintf(stderr, "spagated: -D, --exit-parse-config, -K, -R, -S, "
		    "--fw-list and --fw-flush are mutually exclusive\n");
		return -1;
	}
	o->action = a;
	return 0;
}

static int
cli_option(struct cli_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'a': o->access_file = arg; return 0;
	case OPT_ACCESS_FOLDER: o->access_folder = arg; return 0;
	case 'c': o->config_file = arg; return 0;
	case 'd': o->state_dir = arg; return 0;
	case 'f': o->foreground = true; return 0;
	case 'i': o->interface = arg; return 0;
	case 'P': o->pcap_filter = arg; return 0;
	case 'p': o->pid_file = arg; return 0;
	case OPT_PCAP_FILE: o->pcap_file = arg; return 0;
	case OPT_ANY_DIRECTION: o->any_direction = true; return 0;
	case OPT_VERIFIER_PROGRAM: o->verifier_program = arg; return 0;
	case 't': o->test_mode = true; return 0;
	case 'U': o->udp_server = true; return 0;
	case 'v': o->verbose++; return 0;
	case 'D': return set_action(o, CLI_DUMP_CONFIG);
	case OPT_EXIT_PARSE_CONFIG: return set_action(o, CLI_PARSE_CONFIG);
	case 'K': return set_action(o, CLI_KILL);
	case 'R': return set_action(o, CLI_RESTART);
	case 'S': return set_action(o, CLI_STATUS);
	case OPT_FW_LIST: return set_action(o, CLI_FW_LIST);
	case OPT_FW_FLUSH: return set_action(o, CLI_FW_FLUSH);
	case 'h': o->action = CLI_HELP; return 0;
	case 'V': o->action = CLI_VERSION; return 0;
	case 'C':
		if (parse_count(arg, &o->packet_limit) == 0)
			return 0;
		fprintf(stderr, "spagated: -C needs a positive number, not "
		    "\"%s\"\n", arg);
		return -1;
	default:
		cli_usage(stderr);
		return -1;
	}
}

/*
 * The installed verifier; a test build (Makefile.am: spagated_selftest,
 * spagated_nofilter) runs the one built beside it instead, wherever the
 * build tree is (the mutant suite's copies).
 */
static void
default_verifier(struct cli_opts *o)
{
#ifdef SPA_VERIFIER_BESIDE
	char *p = o->verifier_beside, *slash;
	size_t dir;
	ssize_t n;

	n = readlink("/proc/self/exe", p, sizeof(o->verifier_beside) - 1);
	if (n > 0 && (slash = memrchr(p, '/', (size_t)n)) != NULL) {
		dir = (size_t)(slash + 1 - p);
		if (dir + sizeof(SPA_VERIFIER_BESIDE) <=
		    sizeof(o->verifier_beside)) {
			memcpy(p + dir, SPA_VERIFIER_BESIDE,
			    sizeof(SPA_VERIFIER_BESIDE));
			o->verifier_program = p;
			return;
		}
	}
#endif
	o->verifier_program = SPA_VERIFIER_PROGRAM;
}

int
cli_parse(int argc, char **argv, struct cli_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	default_verifier(o);
	optind = 1;
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1)
		if (cli_option(o, c, optarg) != 0)
			return -1;
	if (optind < argc) {
		fprintf(stderr, "spagated: unexpected argument \"%s\"\n",
		    argv[optind]);
		return -1;
	}
	if (o->access_file != NULL && o->access_folder != NULL) {
		fprintf(stderr, "spagated: -a and --access-folder are mutually "
		    "exclusive\n");
		return -1;
	}
	return 0;
}
