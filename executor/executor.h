/*
 * The executor: the privileged parent.  It owns the policy copy, the
 * journal and every grant; it spawns the verifier process, re-checks
 * each OPEN that comes from it, runs the command cycles, and restarts the
 * verifier when it dies or misbehaves.  One event loop (loop.h): signals,
 * the verifier's socket, running commands, the close timers.
 */
#ifndef SPA_EXECUTOR_H
#define SPA_EXECUTOR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "access.h"
#include "age_log.h"
#include "cli.h"
#include "conf.h"
#include "control.h"
#include "cycle.h"
#include "fleet.h"
#include "journal.h"
#include "loop.h"
#include "msg.h"
#include "nat_dns.h"
#include "plan.h"
#include "vproc.h"

/* state_dir/EXECUTOR_SANDBOX_FILE: the running verifier's sandbox, for -S */
#define EXECUTOR_SANDBOX_FILE	"verifier.sandbox"
/* state_dir/EXECUTOR_REPLAY_FILE: while its replay store cannot record */
#define EXECUTOR_REPLAY_FILE	"replay.status"
/* state_dir/EXECUTOR_POLICY_FILE: per-user files disabled, for -S */
#define EXECUTOR_POLICY_FILE	"policy.errors"

struct msg_in;
struct replay_gate;

/*
 * One verifier process: capture.workers of them share the capture (the
 * kernel deals each flow to one), each with its own socket, sandbox and
 * replay store, each restarted alone when it dies.
 */
struct worker {
	unsigned int		 index;		/* 0..workers - 1 */
	pid_t			 pid;		/* 0: none running */
	int			 sock;		/* -1: none */
	struct msg_in		*in;		/* its messages, a batch a read */
	int64_t			 started_ms;
	int64_t			 respawn_at_ms;	/* 0: no respawn pending */
	unsigned int		 respawn_delay;	/* seconds, doubles */
	bool			 ready;
	bool			 killed;	/* hostile: its messages dropped */
	unsigned int		 stats_asked;	/* MSG_STATS_REQ unanswered */
	struct msg_stats	 stats;		/* its counters, as last received */
	int64_t			 stats_ms;	/* when (monotonic), 0: never */
	char			 sandbox[96];	/* its READY's */
};

struct executor {
	const struct cli_opts	*cli;
	struct spa_conf		 conf;
	struct access_conf	*access;
	struct plan		 plan;
	struct action_table	*modules;	/* the action module instances */
	struct journal		*journal;
	struct cycles		*cycles;
	struct vproc_conf	 vconf;
	char			 test_state[4096];	/* -t: the verifier's */

	struct loop		 loop;	/* its now: the pass's clocks */
	struct worker		*w[CONF_WORKERS_MAX];	/* NULL: never used */
	size_t			 nw;		/* workers of the configuration */
	uint16_t		 fanout_group;	/* the daemon's PACKET_FANOUT id */
	struct replay_gate	*gate;		/* NULL: one worker, its store */
	int64_t			 gate_sync_ms;	/* 0: nothing to write */
	bool			 reloading;	/* verifiers stopped to reload */
	/* the configuration before a reload, until the new verifier is ready */
	struct spa_conf		 prev_conf;
	struct access_conf	*prev_access;	/* NULL: none kept */
	struct plan		 prev_plan;

	bool			 stopping;
	int64_t			 stop_deadline_ms;
	int			 exit_code;
	uint64_t		 opens;		/* OPEN messages accepted */
	uint64_t		 refused;	/* OPEN messages refused */
	uint64_t		 refused_time;	/* of those: by the clock alone */
	uint64_t		 hostile;	/* verifiers killed for a message */
	struct age_log		 ages;		/* max_packet_age since start */

	bool			 stats_log;	/* SIGUSR1: log the next MSG_STATS */
	int64_t			 metrics_due_ms;	/* next metrics request */
	bool			 metrics_failing;	/* warned, until it works */
	struct msg_stats	 vstats;	/* the verifiers', summed */
	int64_t			 vstats_ms;	/* the oldest part's age (monotonic),
						   0: never */
	uint64_t		 replay_err_noted; /* a worker store's errno in
						   EXECUTOR_REPLAY_FILE, 0: none */

	struct control		*control;	/* NULL: no control socket */
	struct fleet		*fleet;		/* NULL: state_backend "local" */
	struct held_grant	*held;		/* waiting for the fleet's check */
	size_t			 nheld;

	struct nat_dns		*nat_dns;	/* NAT host names (nat_link.c) */
	uint64_t		 nat_dns_refused;	/* grants refused for one */
};

/* A re-checked grant waiting for the fleet's replay check (fleet_link.c). */
struct held_grant {
	const struct stanza	*st;
	struct spa_event	 ev;
};

/* Everything that must exist before the loop runs (journal, cycles). */
int	executor_setup(struct executor *x);
/* Run until SIGTERM/SIGINT, or the verifier finished a file or -C. */
int	executor_run(struct executor *x);
void	executor_free(struct executor *x);

struct metrics_exec;
/* The executor's counters now, as the metrics file has them. */
void	executor_metrics_of(const struct executor *x, struct metrics_exec *ex);
/* The verifiers' counters are over 1 s old: ask them for fresh ones. */
void	executor_refresh_stats(struct executor *x);
/* "ready" (every worker), "starting" (some run) or "not running". */
const char *executor_verifier_state(const struct executor *x);

/* Run a re-checked grant (print it in test mode). */
void	executor_carry_out(struct executor *x, const struct stanza *st,
	    const struct spa_event *ev);

/* Fleet mode (fleet_link.c): start, hold a grant, decide the held ones. */
int	fleet_link_start(struct executor *x);
void	fleet_link_hold(struct executor *x, const struct stanza *st,
	    const struct spa_event *ev);
void	fleet_link_release(struct executor *x);
void	fleet_link_stop(struct executor *x);

/* The policy in force holds `ev` to it (as an OPEN is); *st its stanza. */
int	executor_recheck(struct executor *x, const struct spa_event *ev,
	    const struct stanza **st);

/* nat.dns (nat_link.c): resolve a grant's NAT host name, then carry out. */
int	nat_link_start(struct executor *x);
void	nat_link_resolve(struct executor *x, const struct spa_event *ev);
size_t	nat_link_pollfds(void *arg, struct pollfd *pfd, size_t max);
int	nat_link_dispatch(void *arg, const struct pollfd *pfd, size_t n,
	    const struct now *now);
int64_t	nat_link_timeout_ms(void *arg, const struct now *now);

/* The control socket's requests (control_cmd.c): a control_handler. */
void	executor_control(void *arg, const struct control_req *req,
	    const struct control_peer *peer, FILE *fp);

/* spagated.conf with the command line applied (for -K, -R, -S). */
int	executor_load_conf(const struct cli_opts *cli, struct spa_conf *conf);

/* Re-read spagated.conf and access.conf (SIGHUP and start). */
int	executor_load(const struct cli_opts *cli, struct action_table *modules,
	    struct spa_conf *conf, struct access_conf **access,
	    struct plan *plan);

#endif /* SPA_EXECUTOR_H */
