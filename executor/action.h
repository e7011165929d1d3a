/*
 * Action modules: what carries an OPEN or CLOSE command to the device that
 * enforces it.  A command is routed by its first word: a module that
 * claims it runs it (ipset in process, a Cisco device by name), anything
 * else is executed as an argument vector by `exec`.  Modules are listed
 * in one static table, modules/registry.c; there is no dlopen.
 *
 * Every request completes through action_done(), possibly before the
 * module's open/close returns (in-process modules) or later from the
 * executor's event loop (child processes, SSH sessions).
 *
 * A module is an instance { ops, priv } (the shape of verifier/capture.h):
 * spagated makes one of each registered module at start, and tells it
 * the configuration at start and at every reload.
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
struct conf_group;
struct spa_conf;

/* What verify answers when it can tell (else a negative SPA_ERR_*). */
#define ACTION_ABSENT	0
#define ACTION_PRESENT	1

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
	/*
	 * The open's object should be there already: a repeated grant's
	 * open, or another open cycle holds the object.  A module may send
	 * an object it thinks new more cheaply (nft: a create).
	 */
	bool			 held;
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

/*
 * A module's calls.  Each takes the instance's own state (`priv`, made by
 * create): a module keeps nothing at file scope.
 */
struct action_ops {
	const char	*name;
	/* The instance's state, empty until configured; NULL: none needed. */
	int		(*create)(void **priv);
	/* True if this module runs `argv` (NULL: the default module). */
	bool		(*claims)(void *priv, const struct cmd_argv *argv);
	/* Validate a configured command at load time; NULL: anything goes. */
	int		(*check)(void *priv, const struct cmd_argv *argv,
			    char *why, size_t whylen);
	/*
	 * Optional, for a module that gives a stanza without CMD_CYCLE_OPEN
	 * a cycle of its own (the built-in firewall, when configured): the
	 * open and close lines, planned like a stanza's own.  False: none.
	 */
	bool		(*implicit_cycle)(void *priv, const char **open,
			    const char **close);
	int		(*open)(void *priv, struct action_env *env,
			    const struct action_req *req);
	int		(*close)(void *priv, struct action_env *env,
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
	int		(*refresh)(void *priv, struct action_env *env,
			    const struct action_req *req);
	/*
	 * Optional, for modules whose objects an operator or a firewall
	 * reload can remove behind spagated's back (an ipset or nft set
	 * element): whether what an open cycle's open made is still there.
	 * `open` is the cycle's open command, `data` what the open recorded.
	 * Synchronous (one netlink round trip, no I/O left pending).
	 * Returns ACTION_PRESENT or ACTION_ABSENT, or a negative SPA_ERR_*
	 * with the reason in `why` when it cannot tell (the set itself is
	 * gone, the kernel did not answer).  NULL: never checked.
	 */
	int		(*verify)(void *priv, const struct cmd_argv *open,
			    const uint8_t *data, uint16_t data_len,
			    char *why, size_t whylen);
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
	bool		(*claimable)(void *priv, const struct cmd_argv *close);

	/*
	 * The optional I/O part, for modules that keep connections (NULL:
	 * none).  An instance polls and sees only its own descriptors.
	 *
	 * A module whose open records `data` must not act on the device
	 * before open() returns: the executor journals the data and syncs
	 * the journal before the loop runs the module again, so a crash
	 * never leaves an entry whose state is not on disk.
	 */
	/* The configuration in force (at start and every reload). */
	int		(*configure)(void *priv, const struct spa_conf *conf,
			    char *why, size_t whylen);
	/* A journaled cycle taken over at start: reserve what it holds. */
	void		(*adopt)(void *priv, const struct cmd_argv *close,
			    const uint8_t *data, uint16_t data_len);
	/* Descriptors to poll, and the loop's pass with what poll said. */
	size_t		(*pollfds)(void *priv, struct pollfd *pfd, size_t max);
	void		(*dispatch)(void *priv, struct action_env *env,
			    const struct pollfd *pfd, size_t n, int64_t now_ms);
	/* Milliseconds until the module needs a pass; -1: never. */
	int		(*timeout_ms)(void *priv, int64_t now_ms);
	/* Hang up everything it holds (exit); it may be configured again. */
	void		(*shutdown)(void *priv);
	/* Free the state create made (after shutdown). */
	void		(*free)(void *priv);
};

struct action_env {
	struct runner	*runner;
	action_done_cb	 done;
	void		*arg;
};

/* One module instance: its calls and its state. */
struct action_module {
	const struct action_ops	*ops;
	void			*priv;
	size_t			 npfd;	/* its descriptors in this pass */
};

/*
 * The instances in routing order: the first that claims a command runs
 * it, so the one that claims everything comes last.  spagated makes one
 * from the registry (modules/registry.c); the cycle engine is handed it
 * (a unit test passes fakes).
 */
struct action_table {
	struct action_module	*v;
	size_t			 n;
};

/* A line of the registry: a module, and its spagated.conf group. */
struct action_registration {
	const struct action_ops		*ops;
	const struct conf_group		*conf;	/* NULL: no settings */
};

/* The registry: every module spagated has, in routing order. */
extern const struct action_registration action_registry[];
extern const size_t action_nregistry;

/* An instance of every registered module, or free them all. */
int	action_table_new(struct action_table **out);
/*
 * Register with `c` (after conf_defaults) every spagated.conf group the
 * executor reads besides its own: the modules', then the fleet's.
 */
int	action_conf_groups(struct spa_conf *c);
void	action_table_free(struct action_table *t);

/* The instance of `t` that runs `argv`. */
const struct action_module *action_table_for(const struct action_table *t,
	    const struct cmd_argv *argv);
/* The first instance's implicit cycle (see action_ops); false: none. */
bool	action_table_implicit(const struct action_table *t, const char **open,
	    const char **close);
/* By name (journal records name their module); NULL if unknown. */
const struct action_module *action_table_by_name(const struct action_table *t,
	    const char *name);

/* The configuration in force, for every instance that keeps one. */
int	action_table_configure(const struct action_table *t,
	    const struct spa_conf *conf, char *why, size_t whylen);
/* The I/O hooks above, for every instance of `t` that has them. */
void	action_table_adopt(const struct action_table *t, const char *module,
	    const struct cmd_argv *close, const uint8_t *data,
	    uint16_t data_len);
size_t	action_table_pollfds(struct action_table *t, struct pollfd *pfd,
	    size_t max);
void	action_table_dispatch(const struct action_table *t,
	    struct action_env *env, const struct pollfd *pfd, size_t n,
	    int64_t now_ms);
int	action_table_timeout_ms(const struct action_table *t, int64_t now_ms);
void	action_table_shutdown(const struct action_table *t);

/* Calls on one instance. */
static inline bool
action_claims(const struct action_module *m, const struct cmd_argv *argv)
{
	return m->ops->claims == NULL || m->ops->claims(m->priv, argv);
}

static inline int
action_check(const struct action_module *m, const struct cmd_argv *argv,
    char *why, size_t whylen)
{
	return m->ops->check == NULL ? 0 :
	    m->ops->check(m->priv, argv, why, whylen);
}

static inline bool
action_claimable(const struct action_module *m, const struct cmd_argv *close)
{
	return m->ops->claimable != NULL &&
	    m->ops->claimable(m->priv, close);
}

/* The runner's callback for requests run by `exec` (give it the env). */
void	action_exec_finished(struct action_env *env,
	    const struct run_result *res);

/* Report completion of a request (modules call this). */
void	action_done(struct action_env *env, uint64_t job, int result,
	    const char *detail, const char *output);
/* The same with every field of the result (absent, exit status). */
void	action_report(struct action_env *env, const struct action_result *res);

#endif /* SPA_ACTION_H */
