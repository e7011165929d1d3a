/* The table of action modules and routing by a command's first word. */
#include "config.h"

#include <string.h>

#include "action.h"

extern const struct action_ops action_cisco;
extern const struct action_ops action_exec;
extern const struct action_ops action_ipset;

/* Specific modules first; `exec` claims everything and comes last. */
static const struct action_ops *const modules[] = {
	&action_ipset,
	&action_cisco,
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
		.detail = detail, .output = output, .exit_status = -1,
	};

	action_report(env, &res);
}

void
action_report(struct action_env *env, const struct action_result *res)
{
	struct action_result r = *res;

	r.detail = r.detail != NULL ? r.detail : "";
	r.output = r.output != NULL ? r.output : "";
	env->done(env->arg, &r);
}

int
action_configure(const struct spa_conf *conf, char *why, size_t whylen)
{
	size_t i;
	int r;

	for (i = 0; i < NMODULES; i++)
		if (modules[i]->configure != NULL &&
		    (r = modules[i]->configure(conf, why, whylen)) != 0)
			return r;
	return 0;
}

void
action_adopt(const char *module, const struct cmd_argv *close,
    const uint8_t *data, uint16_t data_len)
{
	const struct action_ops *ops = action_by_name(module);

	if (ops != NULL && ops->adopt != NULL)
		ops->adopt(close, data, data_len);
}

size_t
action_pollfds(struct pollfd *pfd, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < NMODULES; i++)
		if (modules[i]->pollfds != NULL)
			n += modules[i]->pollfds(pfd + n, max - n);
	return n;
}

/* Every module sees every module's descriptors: each finds its own. */
void
action_dispatch(struct action_env *env, const struct pollfd *pfd, size_t n,
    int64_t now_ms)
{
	size_t i;

	for (i = 0; i < NMODULES; i++)
		if (modules[i]->dispatch != NULL)
			modules[i]->dispatch(env, pfd, n, now_ms);
}

int
action_timeout_ms(int64_t now_ms)
{
	size_t i;
	int t, best = -1;

	for (i = 0; i < NMODULES; i++) {
		if (modules[i]->timeout_ms == NULL ||
		    (t = modules[i]->timeout_ms(now_ms)) < 0)
			continue;
		if (best < 0 || t < best)
			best = t;
	}
	return best;
}

void
action_shutdown(void)
{
	size_t i;

	for (i = 0; i < NMODULES; i++)
		if (modules[i]->shutdown != NULL)
			modules[i]->shutdown();
}
