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

const struct action_table action_builtin = { modules, NMODULES };

const struct action_ops *
action_table_for(const struct action_table *t, const struct cmd_argv *argv)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i]->claims == NULL || t->v[i]->claims(argv))
			return t->v[i];
	return NULL;
}

const struct action_ops *
action_table_by_name(const struct action_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i]->name, name) == 0)
			return t->v[i];
	return NULL;
}

const struct action_ops *
action_for(const struct cmd_argv *argv)
{
	return action_table_for(&action_builtin, argv);
}

const struct action_ops *
action_by_name(const char *name)
{
	return action_table_by_name(&action_builtin, name);
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
action_table_adopt(const struct action_table *t, const char *module,
    const struct cmd_argv *close, const uint8_t *data, uint16_t data_len)
{
	const struct action_ops *ops = action_table_by_name(t, module);

	if (ops != NULL && ops->adopt != NULL)
		ops->adopt(close, data, data_len);
}

size_t
action_table_pollfds(const struct action_table *t, struct pollfd *pfd,
    size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < t->n; i++)
		if (t->v[i]->pollfds != NULL)
			n += t->v[i]->pollfds(pfd + n, max - n);
	return n;
}

/* Every module sees every module's descriptors: each finds its own. */
void
action_table_dispatch(const struct action_table *t, struct action_env *env,
    const struct pollfd *pfd, size_t n, int64_t now_ms)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i]->dispatch != NULL)
			t->v[i]->dispatch(env, pfd, n, now_ms);
}

int
action_table_timeout_ms(const struct action_table *t, int64_t now_ms)
{
	size_t i;
	int ms, best = -1;

	for (i = 0; i < t->n; i++) {
		if (t->v[i]->timeout_ms == NULL ||
		    (ms = t->v[i]->timeout_ms(now_ms)) < 0)
			continue;
		if (best < 0 || ms < best)
			best = ms;
	}
	return best;
}

void
action_table_shutdown(const struct action_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i]->shutdown != NULL)
			t->v[i]->shutdown();
}

void
action_shutdown(void)
{
	action_table_shutdown(&action_builtin);
}
