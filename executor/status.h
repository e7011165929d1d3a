/*
 * What `spagated -S` and `spagate status` print: the daemon that answers
 * on the control socket, as it describes itself (its pid, configuration
 * files, state directory, counts), else whether one runs (the pid file's
 * lock); the running verifier's sandbox, the open cycles
 * straight from the journal (read-only), and the counters from the
 * metrics file when spagated.conf enables one.
 */
#ifndef SPA_STATUS_H
#define SPA_STATUS_H

#include <stdbool.h>
#include <stdio.h>

#define STATUS_METRICS_HINT	"set metrics = { file = \"/run/spagate/" \
	"metrics.prom\"; } in spagated.conf, or send spagated SIGUSR1 to log them"

struct status_opts {
	const char	*pid_file;
	bool		 pid_file_given;	/* -p: it must be the daemon's */
	bool		 json;
	const char	*state_dir;
	const char	*metrics_file;	/* NULL: metrics are off */
	const char	*metrics_hint;	/* NULL: say nothing about counters */
};

/*
 * 0 if the daemon runs, 1 if not, 2 (said on stderr) if the pid file
 * and the state directory name two daemons.
 */
int	status_report(const struct status_opts *o, FILE *fp);

#endif /* SPA_STATUS_H */
