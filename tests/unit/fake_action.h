/*
 * A recording fake of the action modules, for the cycle engine's unit
 * test: every open, close and refresh the engine asks for is recorded
 * (which hook, the command line, close_at, the module's data, how many
 * cycles the journal on disk held at that moment) and completed with the
 * outcome the test scripts, at once (before the call returns, as ipset
 * does) or when the test says (as a command or an SSH session does).
 *
 * Three modules, routed by first word like the real ones:
 *   set  an idempotent open (ipset add -exist): the open runs again on
 *        extension, cycles with equal closes share one object; it can
 *        verify that what it opened is there (fake_verdict);
 *   dev  a device entry (Cisco): the open records data ("seq <job>")
 *        that its close must undo, a refresh hook, no shared objects;
 *   cmd  everything else, run like a command (exec): not idempotent.
 */
#ifndef SPA_FAKE_ACTION_H
#define SPA_FAKE_ACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "action.h"
#include "err.h"

#define FAKE_REQS_MAX	128

enum fake_hook {
	FAKE_OPEN,
	FAKE_CLOSE,
	FAKE_REFRESH,
};

/* How a request ends. */
struct fake_outcome {
	bool	later;		/* stays in flight until fake_finish() */
	int	result;		/* 0 or a negative SPA_ERR_* */
	bool	absent;		/* a close that found its object gone */
	int	exit_status;	/* -1: none (not a command) */
};

#define FAKE_LATER	((struct fake_outcome){ .later = true })
#define FAKE_OK		((struct fake_outcome){ .exit_status = -1 })
#define FAKE_FAIL	((struct fake_outcome){ .result = SPA_ERR_ACTION, \
			    .exit_status = -1 })
#define FAKE_ABSENT	((struct fake_outcome){ .absent = true, \
			    .exit_status = -1 })
/* A command that exited with `n` (0: success). */
#define FAKE_EXIT(n)	((struct fake_outcome){ \
			    .result = (n) == 0 ? 0 : SPA_ERR_ACTION, \
			    .exit_status = (n) })

struct fake_req {
	enum fake_hook	 hook;
	const char	*module;
	char		 line[256];	/* the command, as the log shows it */
	int64_t		 close_at;
	char		 data[ACTION_DATA_MAX + 1];	/* the cycle's, as text */
	size_t		 on_disk;	/* cycles in the journal file then */
	bool		 done;
	uint64_t	 job;
	struct action_env *env;
};

/* The modules above, in routing order. */
extern struct action_table fake_table;

/*
 * Forget every request and script; requests still in flight are dropped.
 * `journal_dir` is where on_disk is counted.
 */
void	fake_reset(const char *journal_dir);
/* Requests are answered in order by these, then by `dflt` (FAKE_LATER). */
void	fake_script(struct fake_outcome o);
void	fake_default(struct fake_outcome o);

size_t	fake_count(void);
const struct fake_req *fake_req(size_t i);
/* Complete request i, which must be in flight. */
void	fake_finish(size_t i, struct fake_outcome o);

/*
 * The set module's verify: what it answers from now on (ACTION_PRESENT
 * after a reset, or a negative SPA_ERR_*), and how often it was asked.
 */
void	fake_verdict(int v);
size_t	fake_verifies(void);
/* Called at every verify (a test moves its clock: a slow check). */
void	fake_on_verify(void (*fn)(void *arg), void *arg);

/* Data the dev module was handed by adopt() (a restart), as text. */
size_t	fake_adopted(char *buf, size_t len);

#endif /* SPA_FAKE_ACTION_H */
