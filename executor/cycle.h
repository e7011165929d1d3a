/*
 * Command cycles: OPEN now, CLOSE later, for every requested port.
 *
 * A grant for a (stanza, address, protocol, port) that has no open cycle
 * journals the cycle, runs its open and, when the open succeeds, keeps
 * the close scheduled; a failed open is logged and schedules nothing.  A
 * grant for a cycle that is already open moves its close later (and runs
 * the open again for modules whose open is idempotent, or the module's
 * refresh hook; see action.h).  A close that fails is retried with
 * backoff until it succeeds: access is never silently left open.  SPA
 * command requests run here too, as one-shot jobs, directly or through
 * sudo.
 */
#ifndef SPA_CYCLE_H
#define SPA_CYCLE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "access.h"
#include "clock.h"
#include "event.h"
#include "journal.h"
#include "plan.h"

#define CYCLE_RETRY_MAX		300	/* seconds between close retries, at most */

/*
 * Where the engine reads the time when it is not handed it (a command
 * that completes, a backoff): NULL members read time(2) and mono_ms().
 * A unit test sets both, so that no test waits for a close.
 */
struct cycles_clock {
	int64_t	(*wall)(void *arg);	/* epoch seconds */
	int64_t	(*mono_ms)(void *arg);	/* monotonic milliseconds */
	void	*arg;
};

struct cycles_conf {
	unsigned int	 command_timeout;	/* seconds; 0: CONF_DEF_CMD_TIMEOUT */
	const char	*sudo_exe;		/* NULL: CONF_DEF_SUDO */
	unsigned int	 close_retry_limit;	/* seconds; 0: CONF_DEF_CLOSE_RETRY_LIMIT */
	unsigned int	 recheck_interval;	/* seconds; 0: objects never
						   rechecked (cycle_verify.c) */
	struct cycles_clock clock;		/* zero: the real clocks */
};

struct cycles_stats {
	size_t		open;		/* cycles with a close pending */
	size_t		jobs;		/* commands running or queued */
	uint64_t	opened;
	uint64_t	extended;
	uint64_t	closed;
	uint64_t	open_failed;
	uint64_t	close_failed;
	uint64_t	close_abandoned;	/* retried past the limit */
	uint64_t	released;	/* ended while another held the object */
	uint64_t	commands;
	uint64_t	restored;	/* objects removed outside spagated,
					   put back */
	uint64_t	restore_failed;	/* ... and could not be put back */
	uint64_t	unverified;	/* checks that could not tell */
};

struct cycles;

/* Told of every journal write and removal (fleet mode mirrors them). */
struct cycles_observer {
	void	(*put)(void *arg, const struct journal_rec *rec);
	void	(*gone)(void *arg, uint64_t id);
	void	*arg;
};

/* Commands run through `modules` (the caller's: it outlives the cycles). */
int	cycles_new(const struct cycles_conf *cc,
	    struct action_table *modules, struct journal *journal,
	    struct cycles **out);
/* Frees memory and kills running commands; journaled cycles stay on disk. */
void	cycles_free(struct cycles *c);

/* The settings in force (strings borrowed; replaced on reload). */
void	cycles_set_conf(struct cycles *c, const struct cycles_conf *cc);
/* The policy in force (borrowed; replaced on reload). */
void	cycles_set_policy(struct cycles *c, const struct access_conf *conf,
	    const struct plan *plan);

/*
 * Take over the journal after a start: overdue closes are due at once,
 * the rest keep their time.  Returns the number of cycles restored.
 */
int	cycles_restore(struct cycles *c, const struct now *now);

void	cycles_set_observer(struct cycles *c, const struct cycles_observer *o);
/* Every open cycle's record, to `cb` (fleet mode writes them again). */
void	cycles_foreach(struct cycles *c,
	    void (*cb)(void *arg, const struct journal_rec *rec), void *arg);

/*
 * Take over another gateway's cycle (fleet mode): journaled here under a
 * new id and synced, its close scheduled at its time (now if overdue).
 * Returns 0, or an error if it could not be journaled.
 */
int	cycles_adopt(struct cycles *c, struct journal_rec *rec,
	    const char *from, const struct now *now);

/* Carry out a verified, re-checked request under stanza `st`. */
void	cycles_grant(struct cycles *c, const struct stanza *st,
	    const struct spa_event *ev, const struct now *now);

/*
 * Run the opens granted since the last call, after one journal sync for
 * all of them (call it once per pass of the event loop).
 */
void	cycles_flush(struct cycles *c);

/* Start every close that is due. */
void	cycles_run_due(struct cycles *c, const struct now *now);

/* Milliseconds until something is due here or in the runner; -1: never. */
int	cycles_timeout_ms(struct cycles *c, int64_t now_ms);
/* The runner's descriptors, and what poll() said about them. */
size_t	cycles_pollfds(struct cycles *c, struct pollfd *pfd, size_t max);
void	cycles_dispatch(struct cycles *c, const struct pollfd *pfd, size_t n,
	    const struct now *now);

/*
 * Check that what open cycles opened is still there, and put back what
 * an operator or a firewall reload removed: every recheck_interval
 * seconds each open cycle whose open module can tell (action.h, verify)
 * is checked once, a few per call so that many cycles never stall the
 * loop.  Call it once per pass; cycles_timeout_ms names its next time.
 */
void	cycles_recheck(struct cycles *c, const struct now *now);

/* Clean shutdown: start every pending close at once. */
void	cycles_close_all(struct cycles *c, int64_t now_s);
/* Which open cycles a close asked for from outside covers. */
enum cycles_sel_by {
	CYCLES_SEL_ALL = 1,
	CYCLES_SEL_ID,
	CYCLES_SEL_SOURCE,	/* the address the cycle allows */
	CYCLES_SEL_STANZA,
};

struct cycles_sel {
	enum cycles_sel_by	 by;
	uint64_t		 id;
	struct spa_addr		 source;
	uint32_t		 stanza;
};

/*
 * Close now the cycles `sel` covers (the control socket), as their timers
 * would: each one's close is first journaled as due now, so that a crash
 * before it completes still closes it at the next start; one still
 * opening closes when its open completes; one already closing is left
 * alone.  `who` asked (for the log, at notice).  Each record goes to cb
 * (may be NULL) before its close starts.  Returns how many.
 */
size_t	cycles_close_now(struct cycles *c, const struct cycles_sel *sel,
	    const char *who, const struct now *now,
	    void (*cb)(void *arg, const struct journal_rec *rec), void *arg);
/* Every cycle in memory with its state: "opening", "open", "closing". */
void	cycles_list(struct cycles *c,
	    void (*cb)(void *arg, const struct journal_rec *rec,
	    const char *state), void *arg);

/* Commands still running or queued. */
size_t	cycles_busy(const struct cycles *c);
/* The longest timeout any command of the policy in force may run for. */
unsigned int cycles_longest_timeout_ms(const struct cycles *c);

void	cycles_get_stats(const struct cycles *c, struct cycles_stats *st);
/* One line per open cycle, soonest close first (spagated -S). */
void	cycles_print(const struct journal_rec *const *recs, size_t n,
	    int64_t now_s, FILE *fp);

#endif /* SPA_CYCLE_H */
