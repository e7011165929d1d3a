/*
 * The table of action module instances and routing by a command's first
 * word.  It names no module: the registry (modules/registry.c) does.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "conf_group.h"
#include "conf_redis.h"
#include "err.h"

int
action_table_new(struct action_table **out)
{
	struct action_table *t;
	size_t i;
	int r;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->v = calloc(action_nregistry, sizeof(*t->v))) == NULL) {
		free(t);
		return SPA_ERR_NOMEM;
	}
	for (i = 0; i < action_nregistry; i++, t->n++) {
		t->v[i].ops = action_registry[i].ops;
		if (t->v[i].ops->create != NULL &&
		    (r = t->v[i].ops->create(&t->v[i].priv)) != 0) {
			action_table_free(t);
			return r;
		}
	}
	*out = t;
	return 0;
}

int
action_conf_groups(struct spa_conf *c)
{
	size_t i;
	int r;

	for (i = 0; i < action_nregistry; i++)
		if (action_registry[i].conf != NULL &&
		    (r = conf_add_group(c, action_registry[i].conf)) != 0)
			return r;
	return conf_add_group(c, &conf_group_redis);
}

void
action_table_free(struct action_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	action_table_shutdown(t);
	for (i = 0; i < t->n; i++)
		if (t->v[i].ops->free != NULL)
			t->v[i].ops->free(t->v[i].priv);
	free(t->v);
	free(t);
}

const struct action_module *
action_table_for(const struct action_table *t, const struct cmd_argv *argv)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (action_claims(&t->v[i], argv))
			return &t->v[i];
	return NULL;
}

bool
action_table_implicit(const struct action_table *t, const char **open,
    const char **close)
{
	const struct action_module *m;
	size_t i;

	for (i = 0; i < t->n; i++) {
		m = &t->v[i];
		if (m->ops->implicit_cycle != NULL &&
		    m->ops->implicit_cycle(m->priv, open, close))
			return true;
	}
	return false;
}

const struct action_module *
action_table_by_name(const struct action_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].ops->name, name) == 0)
			return &t->v[i];
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
action_table_configure(const struct action_table *t,
    const struct spa_conf *conf, char *why, size_t whylen)
{
	const struct action_module *m;
	size_t i;
	int r;

	for (i = 0; i < t->n; i++) {
		m = &t->v[i];
		if (m->ops->configure != NULL &&
		    (r = m->ops->configure(m->priv, conf, why, whylen)) != 0)
			return r;
	}
	return 0;
}

void
action_table_adopt(const struct action_table *t, const char *module,
    const struct cmd_argv *close, const uint8_t *data, uint16_t data_len)
{
	const struct action_module *m = action_table_by_name(t, module);

	if (m != NULL && m->ops->adopt != NULL)
		m->ops->adopt(m->priv, close, data, data_len);
}

/* Each instance's descriptors in turn; it is handed back only these. */
size_t
action_table_pollfds(struct action_table *t, struct pollfd *pfd, size_t max)
{
	struct action_module *m;
	size_t i, n = 0;

	for (i = 0; i < t->n; i++) {
		m = &t->v[i];
		m->npfd = m->ops->pollfds != NULL ?
		    m->ops->pollfds(m->priv, pfd + n, max - n) : 0;
		n += m->npfd;
	}
	return n;
}

void
action_table_dispatch(const struct action_table *t, struct action_env *env,
    const struct pollfd *pfd, size_t n, int64_t now_ms)
{
	const struct action_module *m;
	size_t i, off = 0, mine;

	for (i = 0; i < t->n; i++) {
		m = &t->v[i];
		mine = off + m->npfd <= n ? m->npfd : off < n ? n - off : 0;
		if (m->ops->dispatch != NULL)
			m->ops->dispatch(m->priv, env, pfd != NULL ?
			    pfd + off : NULL, mine, now_ms);
		off += mine;
	}
}

int
action_table_timeout_ms(const struct action_table *t, int64_t now_ms)
{
	const struct action_module *m;
	size_t i;
	int ms, best = -1;

	for (i = 0; i < t->n; i++) {
		m = &t->v[i];
		if (m->ops->timeout_ms == NULL ||
		    (ms = m->ops->timeout_ms(m->priv, now_ms)) < 0)
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
		if (t->v[i].ops->shutdown != NULL)
			t->v[i].ops->shutdown(t->v[i].priv);
}
