/* Stanza command templates, parsed and routed at policy load. */
#include "config.h"

#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"
#include "err.h"
#include "keyring.h"
#include "log.h"
#include "plan.h"
#include "policy.h"

/*
 * A realistic grant for load-time expansions: documentation addresses
 * (RFC 5737, RFC 3849), tcp/22, 30 s, a NAT destination 192.0.2.3:2222.  A zeroed event would give "::"
 * or "0.0.0.0" and port 0, which a module that reads the expanded line
 * rightly refuses.
 */
static void
sample_event(const struct stanza *st, int family, struct spa_event *ev)
{
	bool v6 = family == AF_INET6;

	memset(ev, 0, sizeof(*ev));
	ev->stanza = st->number;
	ev->type = SPA_REQ_ACCESS;
	addr_parse(v6 ? "2001:db8::1" : "192.0.2.1", &ev->allow);
	addr_parse(v6 ? "2001:db8::2" : "192.0.2.2", &ev->pkt_dst);
	ev->pkt_src = ev->allow;
	ev->src_port = 40000;
	ev->dst_port = 62201;
	ev->via = SPA_VIA_UDP;
	ev->nports = 1;
	ev->ports[0].proto = IPPROTO_TCP;
	ev->ports[0].port = 22;
	snprintf(ev->user, sizeof(ev->user), "spauser");
	ev->timeout = ev->client_timeout = 30;
	ev->spa_time = 1700000000;
	/* $NAT_IP and $NAT_PORT: a line written for NAT requests uses them */
	ev->has_nat = true;
	snprintf(ev->nat_host, sizeof(ev->nat_host), "192.0.2.3");
	ev->nat_port = 2222;
}

int
plan_expand(const struct cmd_template *t, const struct stanza *st,
    const struct spa_event *ev, size_t port, struct cmd_argv *out)
{
	struct subst_vars vars = { ev, st, port };

	if (cmd_template_expand(t, &vars, out) != 0 || out->argc == 0)
		return SPA_ERR_ARG;
	return 0;
}

static int
expand_sample(const struct cmd_template *t, const struct stanza *st,
    int family, struct cmd_argv *out)
{
	struct spa_event ev;

	sample_event(st, family, &ev);
	return plan_expand(t, st, &ev, 0, out);
}

/* The module is chosen from the template's first word, which is literal. */
static const struct action_module *
route(const struct action_table *modules, const struct cmd_template *t,
    const struct stanza *st)
{
	struct cmd_argv probe;

	if (expand_sample(t, st, AF_INET, &probe) != 0)
		return NULL;
	return action_table_for(modules, &probe);
}

/*
 * The module's own check of the line expanded for a sample IPv4 grant,
 * or else for an IPv6 one: a line with a literal address of one family
 * is fine for grants of that family.  The reason given is the IPv4 one.
 */
static int
check_line(const struct cmd_template *t, const struct stanza *st,
    const struct action_module *m, char *why, size_t whylen)
{
	struct cmd_argv probe;
	char why6[256] = "";
	size_t n;

	if (m->ops->check == NULL)
		return 0;
	if (expand_sample(t, st, AF_INET, &probe) == 0 &&
	    action_check(m, &probe, why, whylen) == 0)
		return 0;
	if (expand_sample(t, st, AF_INET6, &probe) == 0 &&
	    action_check(m, &probe, why6, sizeof(why6)) == 0)
		return 0;
	/* neither family fits: say both answers when they differ */
	if (why6[0] != '\0' && strcmp(why, why6) != 0 &&
	    (n = strlen(why)) < whylen)
		snprintf(why + n, whylen - n, "; with an IPv6 address: %s",
		    why6);
	return SPA_ERR_CONFIG;
}

/*
 * "file:line: stanza #n: NAME: why", at the directive's own line (its
 * name as written: EXTERNAL_CMD_OPEN or CMD_CYCLE_OPEN), or at the
 * stanza's SOURCE line for a command it did not write.
 */
static int
fail_cmd(const struct stanza *st, const struct stanza_at *at,
    const char *what, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int
fail_cmd(const struct stanza *st, const struct stanza_at *at,
    const char *what, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(err, errlen, "%s:%u: stanza #%u: %s: ", st->file,
	    at->line != 0 ? at->line : st->line, st->number,
	    at->line != 0 && at->name != NULL ? at->name : what);
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return SPA_ERR_CONFIG;
}

static int
parse_one(const struct action_table *modules, const struct stanza *st,
    const struct stanza_at *at, const char *what, const char *line,
    struct cmd_template *t, const struct action_module **ops, char *err,
    size_t errlen)
{
	char why[256] = "";

	if (cmd_template_parse(line, st->cmd_cycle_shell, st, t, why,
	    sizeof(why)) == 0) {
		if ((*ops = route(modules, t, st)) == NULL)
			snprintf(why, sizeof(why), "no action module runs "
			    "'%s'", line);
		else if (check_line(t, st, *ops, why, sizeof(why)) == 0)
			return 0;
	}
	return fail_cmd(st, at, what, err, errlen, "%s", why);
}

/* Length of the first word of a command line (it is always literal). */
static size_t
first_word(const char *line)
{
	return strcspn(line, " \t");
}

/*
 * An open whose module records what its close must undo (a device's
 * sequence number) needs that module's close, on the same device: a
 * close elsewhere, or none, would leave the entry behind for good.
 */
static int
check_pairing(const struct stanza *st, const struct stanza_plan *sp,
    const char *o, const char *c, char *err, size_t errlen)
{
	size_t n = first_word(o);

	if (!sp->open_ops->ops->close_pairs_open)
		return 0;
	if (sp->has_close && sp->close_ops == sp->open_ops &&
	    first_word(c) == n && strncmp(o, c, n) == 0)
		return 0;
	return fail_cmd(st, &st->at_close, "CMD_CYCLE_CLOSE", err, errlen,
	    "an entry opened by '%.*s' must be closed by the same device "
	    "(CMD_CYCLE_CLOSE %.*s remove)", (int)n, o, (int)n, o);
}

/*
 * Exit statuses are what the exec module reports; the native modules
 * find out for themselves whether their object is already gone.
 */
static int
check_absent(const struct stanza *st, const struct stanza_plan *sp,
    char *err, size_t errlen)
{
	if (st->cmd_cycle_close_nabsent == 0 ||
	    strcmp(sp->close_ops->ops->name, "exec") == 0)
		return 0;
	return fail_cmd(st, &st->at_close_absent, "CMD_CYCLE_CLOSE_ABSENT",
	    err, errlen, "only for a close run as a command (the %s module "
	    "knows when its object is gone)", sp->close_ops->ops->name);
}

static int
plan_refresh(const struct action_table *modules, const struct stanza *st,
    struct stanza_plan *sp, char *err, size_t errlen)
{
	sp->refresh_how = st->cmd_cycle_refresh_none ? REFRESH_NONE :
	    st->cmd_cycle_refresh != NULL ? REFRESH_COMMAND : REFRESH_OPEN;
	if (sp->refresh_how != REFRESH_OPEN &&
	    sp->open_ops->ops->refresh != NULL) {
		return fail_cmd(st, &st->at_refresh, "CMD_CYCLE_REFRESH", err,
		    errlen, "the %s module re-asserts its own entries",
		    sp->open_ops->ops->name);
	}
	if (sp->refresh_how != REFRESH_COMMAND)
		return 0;
	return parse_one(modules, st, &st->at_refresh, "CMD_CYCLE_REFRESH",
	    st->cmd_cycle_refresh,
	    &sp->refresh, &sp->refresh_ops, err, errlen);
}

/*
 * fwknopd makes its own firewall rule for a stanza without a command;
 * spagated does when a module offers that (firewall.backend), else the
 * stanza's grants are only logged.
 */
static const char *
implicit_open(const struct action_table *modules, const struct stanza *st,
    struct stanza_plan *sp, const char **close)
{
	const char *open = NULL;

	*close = NULL;
	if (action_table_implicit(modules, &open, close)) {
		sp->implicit = true;
		return open;
	}
	if (!st->enable_cmd_exec && (!st->gpg_only || st->gpg))
		log_warnx("%s:%u: stanza #%u has no CMD_CYCLE_OPEN: its "
		    "grants are logged and nothing is opened (spagated.conf's "
		    "firewall.backend makes fwknopd's own rules)", st->file,
		    st->line, st->number);
	return NULL;
}

static int
plan_stanza(const struct action_table *modules, const struct stanza *st,
    struct stanza_plan *sp, char *err, size_t errlen)
{
	const char *open = st->cmd_cycle_open, *close = st->cmd_cycle_close;
	int r;

	if (open == NULL &&
	    (open = implicit_open(modules, st, sp, &close)) == NULL)
		return 0;
	sp->has_open = true;
	if ((r = parse_one(modules, st, &st->at_open, "CMD_CYCLE_OPEN", open,
	    &sp->open, &sp->open_ops, err, errlen)) != 0)
		return r;
	if (close != NULL) {
		sp->has_close = true;
		if ((r = parse_one(modules, st, &st->at_close,
		    "CMD_CYCLE_CLOSE", close,
		    &sp->close, &sp->close_ops, err, errlen)) != 0 ||
		    (r = check_absent(st, sp, err, errlen)) != 0)
			return r;
	}
	if ((r = plan_refresh(modules, st, sp, err, errlen)) != 0)
		return r;
	return check_pairing(st, sp, open, close, err, errlen);
}

int
plan_build(const struct access_conf *conf, const struct action_table *modules,
    struct plan *out, char *err, size_t errlen)
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
		if ((r = plan_stanza(modules, conf->stanzas[i], &out->v[i],
		    err, errlen)) != 0) {
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
		cmd_template_free(&p->v[i].refresh);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* sudo runs as root for ENABLE_CMD_SUDO_EXEC: a wrong path is a load error. */
static int
check_sudo_exe(const struct spa_conf *c, const struct access_conf *a,
    char *err, size_t errlen)
{
	const struct stanza *st;
	struct stat sb;
	size_t i;

	for (i = 0; i < a->n; i++) {
		st = a->stanzas[i];
		if (!st->enable_cmd_exec || !st->enable_cmd_sudo_exec)
			continue;
		if (c->sudo_exe[0] == '/' && stat(c->sudo_exe, &sb) == 0 &&
		    S_ISREG(sb.st_mode) && (sb.st_mode & 0111) != 0)
			return 0;
		snprintf(err, errlen, "%s:%u: stanza #%u: ENABLE_CMD_SUDO_EXEC: "
		    "executor.sudo_exe \"%s\" is not an executable file",
		    st->file, st->line, st->number, c->sudo_exe);
		return SPA_ERR_CONFIG;
	}
	return 0;
}

int
plan_load(const struct spa_conf *c, const struct action_table *modules,
    struct access_conf **access, struct plan *plan, char *err, size_t errlen)
{
	const char *path = c->access_folder ? c->access_folder : c->access_file;
	struct access_error aerr;
	int r;

	*access = NULL;
	memset(plan, 0, sizeof(*plan));
	err[0] = '\0';
	if ((r = action_table_configure(modules, c, err, errlen)) != 0)
		return r;
	if ((r = access_load(path, c->access_folder != NULL, access,
	    &aerr)) != 0) {
		snprintf(err, errlen, "%s", aerr.text);
		return r;
	}
	if ((r = check_sudo_exe(c, *access, err, errlen)) == 0 &&
	    (r = keyring_read_all(*access, err, errlen)) == 0 &&
	    (r = plan_build(*access, modules, plan, err, errlen)) == 0 &&
	    (r = policy_prepare(*access)) == 0)
		return 0;
	if (err[0] == '\0')
		snprintf(err, errlen, "%s", spa_strerror(r));
	plan_free(plan);
	access_free(*access);
	*access = NULL;
	return r;
}
