/*
 * What each stanza runs: its CMD_CYCLE_OPEN and CMD_CYCLE_CLOSE parsed
 * into templates and routed to their action modules, once per policy
 * load, so that a bad command line refuses the configuration at start
 * (file:line: reason) instead of failing at the first packet.
 */
#ifndef SPA_PLAN_H
#define SPA_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "access.h"
#include "action.h"
#include "subst.h"

/*
 * What an extension (a grant for a cycle already open) runs to re-assert
 * the open: the module's refresh hook if it has one, else
 * CMD_CYCLE_REFRESH, else the open again (NONE: nothing).
 */
enum refresh_how {
	REFRESH_OPEN,		/* CMD_CYCLE_OPEN again */
	REFRESH_COMMAND,	/* CMD_CYCLE_REFRESH */
	REFRESH_NONE,		/* CMD_CYCLE_REFRESH NONE */
};

struct stanza_plan {
	bool			 has_open;	/* CMD_CYCLE_OPEN set, or */
	bool			 implicit;	/* the built-in firewall's */
	bool			 has_close;	/* not NONE */
	enum refresh_how	 refresh_how;
	struct cmd_template	 open;
	struct cmd_template	 close;
	struct cmd_template	 refresh;	/* REFRESH_COMMAND */
	const struct action_module *open_ops;	/* the instances that run them */
	const struct action_module *close_ops;
	const struct action_module *refresh_ops;
};

struct plan {
	size_t			 n;		/* == number of stanzas */
	struct stanza_plan	*v;		/* v[i] for stanza i + 1 */
};

/*
 * A template expanded for one grant port (ev->ports[port]), as the cycle
 * engine runs it: SPA_ERR_ARG if it does not expand or expands to nothing.
 */
int	plan_expand(const struct cmd_template *t, const struct stanza *st,
	    const struct spa_event *ev, size_t port, struct cmd_argv *out);

int	plan_build(const struct access_conf *conf,
	    const struct action_table *modules, struct plan *out, char *err,
	    size_t errlen);
void	plan_free(struct plan *p);

/*
 * Everything the executor runs from a configuration, as spagated does at
 * start and reload and spagate check does: the module instances of
 * `modules` (which outlive the plan: it points at them) learn the names
 * they route (devices) first, then access.conf with its includes is
 * loaded, its command templates planned and its keys prepared.  On
 * failure nothing is kept (*access NULL) and `err` says why.
 */
int	plan_load(const struct spa_conf *c, const struct action_table *modules,
	    struct access_conf **access, struct plan *plan, char *err,
	    size_t errlen);

#endif /* SPA_PLAN_H */
