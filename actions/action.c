/* The table of action modules and routing by a command's first word. */
#include "config.h"

#include <string.h>

#include "action.h"

extern const struct action_ops action_exec;
extern const struct action_ops action_ipset;

/* Specific modules first; `exec` claims everything and comes last. */
static const struct action_ops *const modules[] = {
	&action_ipset,
	&action_exec,
};

#define NMODULES	(sizeof(modules) / sizeof(modules[0]))

const struct action_ops *
action_for(const struct cmd_argv *argv)
{
	size_t i;

	for (i = 0; i < NMODULES; i++)
		if (modules[i]->claims == NULL || modules[i]->claims(argv))
			return modules[i];
	return NULL;
}

const struct action_ops *
action_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < NMODULES; i++)
		if (strcmp(modules[i]->name, name) == 0)
			return modules[i];
	return NULL;
}

void
action_done(struct action_env *env, uint64_t job, int result,
    const char *detail, const char *output)
{
	struct action_result res = {
		.job = job, .result = result,
		.detail = detail != NULL ? detail : "",
		.output = output != NULL ? output : "",
	};

	env->done(env->arg, &res);
}
