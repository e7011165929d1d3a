/*
 * The registry of action modules: one line per module, in routing order.
 * A command goes to the first module that claims it, so the specific
 * modules come first and `exec`, which claims everything, comes last.
 * spagated makes one instance of each (executor/action.c) and reads its
 * spagated.conf group; a new module adds its line here and its folder to
 * the build, nothing else.
 */
#include "config.h"

#include "action.h"
#include "conf_cisco.h"
#include "conf_firewall.h"

extern const struct action_ops action_cisco;
extern const struct action_ops action_exec;
extern const struct action_ops action_firewall;
extern const struct action_ops action_ipset;
extern const struct action_ops action_nft;

/* Each module's ops, and its spagated.conf group if it has one. */
const struct action_registration action_registry[] = {
	{ &action_ipset, NULL },
	{ &action_cisco, &conf_group_cisco },
	{ &action_nft, NULL },
	{ &action_firewall, &conf_group_firewall },
	{ &action_exec, NULL },
};

const size_t action_nregistry =
    sizeof(action_registry) / sizeof(action_registry[0]);
