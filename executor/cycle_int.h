/*
 * The cycle engine's internals, shared by its files: cycle.c (the state
 * machine of one cycle: opening, open, closing, pending grants, retries,
 * restart), cycle_job.c (the job table and where a completion goes),
 * command.c (SPA command requests, through sudo or not) and cycle_rec.c
 * (a cycle's record, its journal form and its name in log lines).
 * Nothing outside these files includes this; the API is cycle.h.
 */
#ifndef SPA_CYCLE_INT_H
#define SPA_CYCLE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "action.h"
#include "clock.h"
#include "cycle.h"
#include "journal.h"
#include "objects.h"
#include "plan.h"
#include "runner.h"
#include "sched.h"


enum cycle_state {
	CYCLE_OPENING,		/* open command running */
	CYCLE_OPEN,		/* close scheduled */
	CYCLE_CLOSING,		/* close command running */
};

/*
 * A journal record as a cycle keeps it in memory: the same fields, but
 * the close command packed to its real length instead of a fixed 4.6 KB
 * argv, so 100,000 open cycles cost tens of megabytes, not half a
 * gigabyte.  cycle_rec_fill() makes the journal's form when it is needed.
 */
/* An expanded command kept at its real size: argc NUL-terminated words. */
struct packed_argv {
	char		*words;
	uint16_t	 len;
	uint16_t	 argc;
};

/* a module's state goes to the journal as it is */
_Static_assert(ACTION_DATA_MAX == JOURNAL_DATA_MAX, "one bound for data");

struct cycle_rec {
	uint64_t	 id;
	uint32_t	 stanza;
	struct spa_addr	 allow;
	uint8_t		 proto;
	uint16_t	 port;
	int64_t		 opened;
	int64_t		 close_at;
	bool		 has_close;
	struct packed_argv close;	/* words NULL: none */
	uint8_t		 data[JOURNAL_DATA_MAX];	/* module state */
	uint16_t	 data_len;
	uint8_t		 reopens;	/* see journal_rec.h */
	uint8_t		 absent[JOURNAL_ABSENT_MAX];
	uint8_t		 nabsent;
};

/* A grant that arrived while the close of its key or object was running. */
struct pending_grant {
	struct pending_grant	*next;
	const struct access_conf *policy;	/* it was checked under */
	struct spa_event	 ev;
	size_t			 port;
};

struct cycle {
	struct cycle_rec	 rec;
	const struct action_module *close_ops;
	enum cycle_state	 state;
	struct sched_entry	*entry;
	struct object		*obj;		/* NULL: acts on its own */
	bool			 inherited;	/* holds what released holders
						   opened */
	unsigned int		 failures;	/* consecutive failed closes */
	int64_t			 failing_since_ms;	/* first of them */
	unsigned int		 close_runs;	/* runs of this close so far */
	struct pending_grant	*pending;	/* NULL: none */
	const struct action_module *refresh_ops; /* a refresh waits: its module */
	struct packed_argv	 refresh_argv;	/* and the open it re-asserts */
	const struct action_module *open_ops;	/* verify: the open's module */
	struct packed_argv	 open;		/* and the open, words NULL if
						   it cannot verify (or the
						   cycle came from a journal) */
	bool			 unverified_logged;	/* said once */
};

/*
 * The recheck of open cycles' objects (cycle_verify.c): a round takes the
 * keys of the cycles open when it starts and checks `batch` of them per
 * pass, one pass every SWEEP_TICK_MS, so that the round fits its interval.
 */
struct sweep {
	struct sched_key	*keys;
	size_t			 n, at;
	size_t			 batch;
	int64_t			 due_ms;	/* next pass */
	int64_t			 round_ms;	/* next round, at the earliest */
};

enum job_kind {
	JOB_OPEN,
	JOB_REFRESH,		/* on extension: the idempotent open again,
				   or the module's refresh hook */
	JOB_CLOSE,
	JOB_COMMAND,
	JOB_RESTORE,		/* the open again: its object was removed
				   outside spagated (cycle_verify.c) */
};

struct job {
	uint64_t	 id;
	enum job_kind	 kind;
	struct cycle	*cycle;		/* NULL for commands */
	uint32_t	 stanza;
	char		 what[160];	/* for the log line */
};

/* An open waiting for the journal to be synced (see cycles_flush). */
struct ready {
	struct cycle		*cycle;
	const struct action_module *ops;
	enum job_kind		 kind;		/* JOB_OPEN or JOB_REFRESH */
	struct packed_argv	 open;
};

struct cycles {
	struct cycles_conf	 conf;
	struct action_table	*modules;
	struct journal		*journal;
	struct sched		*sched;
	struct objects		*objects;
	bool			 closing_all;	/* shutting down */
	struct runner		*runner;
	struct action_env	 env;
	const struct access_conf *policy;
	const struct plan	*plan;
	struct job		*jobs;
	size_t			 njobs;
	size_t			 jobs_cap;
	uint64_t		 next_job;
	struct ready		*ready;
	size_t			 nready;
	size_t			 ready_cap;
	struct cycles_stats	 stats;
	bool			 data_unsynced;	/* module state put, not synced */
	size_t			 npfd_runner;	/* runner's share of pollfds */
	struct journal_rec	*scratch;	/* one cycle in the journal's form */
	struct cmd_argv		*run_argv;	/* the command being started */
	struct cycles_observer	 obs;
	struct sweep		 sweep;		/* cycle_verify.c */
};

/*
 * One port of one grant, as it goes down the state machine: made once in
 * cycles_grant (or for a grant that waited, in reopen_pending).
 */
struct grant {
	const struct stanza	*st;
	const struct stanza_plan *sp;
	const struct spa_event	*ev;
	size_t			 port;		/* index in ev->ports */
	struct now		 now;
};

/* cycle.c: the state machine */
int64_t	cycle_wall_now(const struct cycles *c);
int64_t	cycle_mono_now(const struct cycles *c);
int64_t	cycle_object_close_at(const struct cycle *cy);
/* Whether another open cycle holds cy's object. */
bool	cycle_object_shared(const struct cycle *cy);
void	cycle_open_done(struct cycles *c, const struct job *j,
	    const struct action_result *res, int64_t now_s);
void	cycle_close_done(struct cycles *c, const struct job *j,
	    const struct action_result *res, int64_t now_s);

int	cycle_ready_add(struct cycles *c, struct cycle *cy,
	    const struct action_module *ops, enum job_kind kind,
	    const struct cmd_argv *open);

/* cycle_verify.c: objects rechecked, put back */
void	cycle_keep_open(struct cycle *cy, const struct action_module *ops,
	    const struct cmd_argv *open);
void	cycle_rebuild_open(struct cycles *c, struct cycle *cy, int64_t now_s);
void	cycle_restore_done(struct cycles *c, const struct job *j,
	    const struct action_result *res);
int64_t	cycle_sweep_wait_ms(const struct cycles *c, int64_t now_ms);
void	cycle_sweep_free(struct cycles *c);

/* cycle_job.c: jobs and completions */
struct job *job_new(struct cycles *c, enum job_kind kind, struct cycle *cy,
	    uint32_t stanza, const char *what);
void	job_run(struct cycles *c, const struct action_module *m,
	    struct job *j, const struct cmd_argv *argv,
	    const struct run_cred *cred, struct cycle *cy);
void	job_action_done(void *arg, const struct action_result *res);
void	job_run_done(void *arg, const struct run_result *res);
const struct stanza *cycle_stanza_of(const struct cycles *c,
	    uint32_t number);

/* command.c: SPA command requests */
void	command_run(struct cycles *c, const struct stanza *st,
	    const struct spa_event *ev);
void	command_done(const struct job *j, const struct action_result *res);

/* cycle_rec.c: a cycle's record and log lines */
int	cycle_argv_pack(struct packed_argv *pk, const struct cmd_argv *a);
void	cycle_argv_unpack(const struct packed_argv *pk, struct cmd_argv *out);
void	cycle_rec_fill(const struct cycle *cy, struct journal_rec *out);
int	cycle_rec_unfill(struct cycle_rec *rec, const struct journal_rec *in);
int	cycle_put(struct cycles *c, const struct cycle *cy);
int	cycle_put_held(struct cycles *c, const struct cycle *cy);
void	cycle_pending_free(struct pending_grant *pg);
void	cycle_free(struct cycle *cy);
const char *cycle_fmt_time(int64_t t, char buf[32]);
void	cycle_describe(const struct cycle_rec *rec, char *buf, size_t len);
void	cycle_describe_rec(const struct journal_rec *rec, char *buf,
	    size_t len);

#endif /* SPA_CYCLE_INT_H */
