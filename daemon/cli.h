/* spagated's command line, compatible with fwknopd where the option exists. */
#ifndef SPA_CLI_H
#define SPA_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum cli_action {
	CLI_RUN = 0,
	CLI_DUMP_CONFIG,	/* -D */
	CLI_PARSE_CONFIG,	/* --exit-parse-config */
	CLI_KILL,		/* -K */
	CLI_RESTART,		/* -R */
	CLI_STATUS,		/* -S */
	CLI_FW_LIST,		/* --fw-list: spagate list */
	CLI_FW_FLUSH,		/* --fw-flush: spagate close --all */
	CLI_HELP,		/* -h */
	CLI_VERSION,		/* -V */
};

struct cli_opts {
	enum cli_action	 action;
	const char	*config_file;	/* NULL: the default, optional */
	const char	*access_file;
	const char	*access_folder;
	const char	*interface;
	const char	*pcap_filter;
	const char	*pcap_file;
	const char	*state_dir;
	const char	*pid_file;
	const char	*verifier_program;	/* the installed one unless set */
	bool		 udp_server;
	bool		 foreground;
	bool		 test_mode;
	bool		 any_direction;
	int		 verbose;
	uint64_t	 packet_limit;	/* 0: none */
	char		 verifier_beside[4096];	/* test builds' verifier */
};

/* Returns 0, or -1 after printing the reason to stderr. */
int	cli_parse(int argc, char **argv, struct cli_opts *o);
void	cli_usage(FILE *fp);

#endif /* SPA_CLI_H */
