/* Stanza command templates, parsed and routed at policy load. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "plan.h"

/* The module is chosen from the template's first word, which is literal. */
static const struct action_ops *
route(const struct cmd_template *t, const struct stanza *st)
{
	struct cmd_argv probe;
	struct spa_event ev;
	struct subst_vars vars = { &ev, st, 0 };

	/* expand with a neutral event: only the first word matters */
	memset(&ev, 0, sizeof(ev));
	if (cmd_template_expand(t, &vars, &probe) != 0 || probe.argc == 0)
		return NULL;
	return action_for(&probe);
}

static int
parse_one(const struct stanza *st, const char *what, const char *line,
    struct cmd_template *t, const struct action_ops **ops, char *err,
    size_t errlen)
{
	char why[256] = "";

	if (cmd_template_parse(line, st->cmd_cycle_shell, st, t, why,
	    sizeof(why)) != 0) {
		snprintf(err, errlen, "%s:%u: stanza #%u: %s: %s", st->file,
		    st->line, st->number, what, why);
		return SPA_ERR_CONFIG;
	}
	if ((*ops = route(t, st)) == NULL) {
		snprintf(err, errlen, "%s:%u: stanza #%u: %s: no action "
		    "module runs '%s'", st->file, st->line, st->number, what,
		    line);
		return SPA_ERR_CONFIG;
	}
	return 0;
}

static int
plan_stanza(const struct stanza *st, struct stanza_plan *sp, char *err,
    size_t errlen)
{
	int r;

	if (st->cmd_cycle_open == NULL)
		return 0;
	sp->has_open = true;
	if ((r = parse_one(st, "CMD_CYCLE_OPEN", st->cmd_cycle_open,
	    &sp->open, &sp->open_ops, err, errlen)) != 0)
		return r;
	if (st->cmd_cycle_close == NULL)
		return 0;
	sp->has_close = true;
	return parse_one(st, "CMD_CYCLE_CLOSE", st->cmd_cycle_close,
	    &sp->close, &sp->close_ops, err, errlen);
}

int
plan_build(const struct access_conf *conf, struct plan *out, char *err,
    size_t errlen)
{
	size_t i;
	int r;

	memset(out, 0, sizeof(*out));
	if (conf->n == 0)
		return 0;
	if ((out->v = calloc(conf->n, sizeof(*out->v))) == NULL)
		return SPA_ERR_NOMEM;
	out->n = conf->n;
	for (i = 0; i < conf->n; i++)
		if ((r = plan_stanza(conf->stanzas[i], &out->v[i], err,
		    errlen)) != 0) {
			plan_free(out);
			return r;
		}
	return 0;
}

void
plan_free(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		cmd_template_free(&p->v[i].open);
		cmd_template_free(&p->v[i].close);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}
