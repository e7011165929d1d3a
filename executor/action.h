/*
 * Action modules: what carries an OPEN or CLOSE command to the device that
 * enforces it.  A command is routed by its first word: a module that
 * claims it runs it (ipset in process, a Cisco device by name), anything
 * else is executed as an argument vector by `exec`.  Modules are listed
 * in one static table; there is no dlopen.
 *
 * Every request completes through action_done(), possibly before the
 * module's open/close returns (in-process modules) or later from the
 * executor's event loop (child processes, SSH sessions).
 */
#ifndef SPA_ACTION_H
#define SPA_ACTION_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runner.h"
#include "subst.h"

#define ACTION_DATA_MAX	64	/* module state journaled with a cycle: kept
				   in every open cycle, so small ("edge1
				   10007 ipv6" is 16) */
#define ACTION_PFD_MAX	64	/* descriptors all modules may poll */

struct action_env;
struct spa_conf;

/* One command to carry out. */
struct action_req {
	uint64_t		 job;		/* the executor's id for it */
	const struct cmd_argv	*argv;
	const struct run_cred	*cred;		/* exec: who runs it */
	unsigned int		 timeout_ms;
	uint8_t			*data;		/* module state, journaled */
	uint16_t		*data_len;
	/*
	 * Epoch of the close: the latest of every cycle holding the same
	 * object, so that an open never gives the object (an element's
	 * kernel timeout) less time than another holder still has.
	 */
	int64_t			 close_at;
};

/* How a request ended: result 0 or a negative SPA_ERR_*, and why. */
struct action_result {
	uint64_t	 job;
	int		 result;
	const char	*detail;	/* exit status, device message */
	const char	*output;	/* captured output, may be "" */
	/* A close found nothing to remove (result 0): its object was gone. */
	bool		 absent;
	int		 exit_status;	/* exec: the command's exit status; -1
					   if it did not exit (or not exec) */
};

typedef void (*action_done_cb)(void *arg, const struct action_result *res);

struct action_ops {
	const char	*name;
	/* True if this module runs `argv` (NULL: the default module). */
	bool		(*claims)(const struct cmd_argv *argv);
	/* Validate a configured command at load time; NULL: anything goes. */
	int		(*check)(const struct cmd_argv *argv, char *why,
			    size_t whylen);
	int		(*open)(struct action_env *env,
			    const struct action_req *req);
	int		(*close)(struct action_env *env,
			    const struct action_req *req);
	/*
	 * Whether running the open again is harmless and refreshes the grant
	 * (ipset add -exist with a timeout).  Otherwise a repeated request
	 * only moves the close, so a rule inserted twice is never closed once.
	 */
	bool		 open_is_idempotent;
	/*
	 * Optional, for a module whose open is not idempotent but leaves
	 * something tied to the close time (a Cisco time-range's end): a
	 * grant that moves an open cycle's close later calls it with the
	 * cycle's data and the new close_at.  It must not change the data.
	 * A failure is logged; the first open still holds.  NULL: an
	 * extension only moves the close.
	 */
	int		(*refresh)(struct action_env *env,
			    const struct action_req *req);
	/*
	 * The close undoes what the open recorded in the cycle's data (a
	 * Cisco sequence number): a stanza must then close through the same
	 * module and the same first word (the device), never NONE.
	 */
	bool		 close_pairs_open;
	/*
	 * Fleet mode: whether this close may run on a gateway other than the
	 * one that opened the cycle (it acts on a device both reach, named
	 * the same in both configurations).  NULL: never.
	 */
	bool		(*claimable)(const struct cmd_argv *close);

	/*
	 * Optional hooks of modules that keep connections (NULL: none).
	 *
	 * A module whose open records `data` must not act on the device
	 * before open() returns: the executor journals the data and syncs
	 * the journal before the loop runs the module again, so a crash
	 * never leaves an entry whose state is not on disk.
	 */
	/* The configuration in force (at start and every reload). */
	int		(*configure)(const struct spa_conf *conf, char *why,
			    size_t whylen);
	/* A journaled cycle taken over at start: reserve what it holds. */
	void		(*adopt)(const struct cmd_argv *close,
			    const uint8_t *data, uint16_t data_len);
	/* Descriptors to poll, and the loop's pass with what poll said. */
	size_t		(*pollfds)(struct pollfd *pfd, size_t max);
	void		(*dispatch)(struct action_env *env,
			    const struct pollfd *pfd, size_t n, int64_t now_ms);
	/* Milliseconds until the module needs a pass; -1: never. */
	int		(*timeout_ms)(int64_t now_ms);
	/* Hang up and free everything (exit). */
	void		(*shutdown)(void);
};

struct action_env {
	struct runner	*runner;
	action_done_cb	 done;
	void		*arg;
};

/*
 * A table of modules in routing order: the first that claims a command
 * runs it, so the one that claims everything comes last.  The cycle
 * engine is handed its table (a unit test passes fakes); spagated runs
 * action_builtin.
 */
struct action_table {
	const struct action_ops *const	*v;
	size_t				 n;
};

extern const struct action_table action_builtin;

/* The module of `t` that runs `argv`. */
const struct action_ops *action_table_for(const struct action_table *t,
	    const struct cmd_argv *argv);
/* By name (journal records name their module); NULL if unknown. */
const struct action_ops *action_table_by_name(const struct action_table *t,
	    const char *name);

/* The hooks above, for every module of `t` that has them. */
void	action_table_adopt(const struct action_table *t, const char *module,
	    const struct cmd_argv *close, const uint8_t *data,
	    uint16_t data_len);
size_t	action_table_pollfds(const struct action_table *t, struct pollfd *pfd,
	    size_t max);
void	action_table_dispatch(const struct action_table *t,
	    struct action_env *env, const struct pollfd *pfd, size_t n,
	    int64_t now_ms);
int	action_table_timeout_ms(const struct action_table *t, int64_t now_ms);
void	action_table_shutdown(const struct action_table *t);

/* The same on action_builtin, for the code outside the cycle engine. */
const struct action_ops *action_for(const struct cmd_argv *argv);
const struct action_ops *action_by_name(const char *name);
int	action_configure(const struct spa_conf *conf, char *why,
	    size_t whylen);
void	action_shutdown(void);

/* The runner's callback for requests run by `exec` (give it the env). */
void	action_exec_finished(struct action_env *env,
	    const struct run_result *res);

/* Report completion of a request (modules call this). */
void	action_done(struct action_env *env, uint64_t job, int result,
	    const char *detail, const char *output);
/* The same with every field of the result (absent, exit status). */
void	action_report(struct action_env *env, const struct action_result *res);

#endif /* SPA_ACTION_H */
