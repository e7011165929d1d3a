/*
 * The registry of action modules: one line per module, in routing order.
 * A command goes to the first module that claims it, so the specific
 * modules come first and `exec`, which claims everything, comes last.
 * spagated makes one instance of each (executor/action.c); a new module
 * adds its line here and its folder to the build, nothing else.
 */
#include "config.h"

#include "action.h"

extern const struct action_ops action_cisco;
extern const struct action_ops action_exec;
extern const struct action_ops action_ipset;

const struct action_ops *const action_registry[] = {
	&action_ipset,
	&action_cisco,
	&action_exec,
};

const size_t action_nregistry =
    sizeof(action_registry) / sizeof(action_registry[0]);
