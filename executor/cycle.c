/*
 * Command cycles: journal, open, scheduled close, retry.  See cycle.h.
 * This file is the state machine of each cycle; its jobs and where their
 * completions go are in cycle_job.c, SPA command requests in command.c,
 * a cycle's record and log lines in cycle_rec.c (cycle_int.h).
 *
 * Each cycle has at most one command in flight.  A cycle whose close is
 * running keeps its key in the scheduler (due "never") so that a new
 * grant for the same key waits for that close instead of racing it; the
 * new grant is replayed when the close ends.
 *
 * Cycles whose closes would remove the same thing hold one object
 * (objects.h): when one of them comes due while another still holds the
 * object, it is released without running its close, and the close of the
 * last holder removes the object.  A grant for an object whose close is
 * running waits for that close, like a grant for the same key.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "action.h"
#include "array.h"
#include "clock.h"
#include "conf.h"
#include "cycle.h"
#include "cycle_int.h"
#include "err.h"
#include "log.h"
#include "objects.h"
#include "runner.h"
#include "sched.h"

#define DUE_NEVER	INT64_MAX
#define PENDING_MAX	16	/* grants waiting for one close */
#define REOPENS_MAX	UINT8_MAX

static void	forget_cycle(struct cycles *c, struct cycle *cy);
static void	start_close(struct cycles *c, struct cycle *cy, int64_t now_s,
		    const char *why);
static void	run_close(struct cycles *c, struct cycle *cy);
static void	refresh_cycle(struct cycles *c, struct cycle *cy,
		    const struct action_module *ops,
		    const struct cmd_argv *open);
static void	grant_port(struct cycles *c, const struct grant *g);
static void	hold_pending(struct cycles *c, struct cycle *closing,
		    const struct grant *g, const char *what);

/* --- objects ------------------------------------------------------------- */

/*
 * Whether a cycle's close removes something other cycles may hold too.
 * A close that undoes what its own open recorded (a device's sequence
 * number) acts on that cycle's entry alone; without a close, no object.
 */
static bool
shares_object(const struct cycle *cy)
{
	return cy->rec.has_close && !cy->close_ops->ops->close_pairs_open;
}

#define OBJECT_KEY_MAX	(JOURNAL_MODULE_MAX + CMD_MAX_LEN)

/* The object's name: the close module's name and the close's words. */
static size_t
object_key(const struct cycle *cy, char key[OBJECT_KEY_MAX])
{
	size_t n = strlen(cy->close_ops->ops->name) + 1;

	if (n > JOURNAL_MODULE_MAX || cy->rec.close.len > CMD_MAX_LEN)
		return 0;
	memcpy(key, cy->close_ops->ops->name, n);
	memcpy(key + n, cy->rec.close.words, cy->rec.close.len);
	return n + cy->rec.close.len;
}

static int
join_object(struct cycles *c, struct cycle *cy)
{
	char key[OBJECT_KEY_MAX];
	size_t n;

	if (!shares_object(cy))
		return 0;
	if ((n = object_key(cy, key)) == 0)
		return SPA_ERR_ARG;
	cy->obj = objects_join(c->objects, key, n, cy);
	return cy->obj != NULL ? 0 : SPA_ERR_NOMEM;
}

static void
leave_object(struct cycles *c, struct cycle *cy)
{
	if (cy->obj != NULL)
		objects_leave(c->objects, cy->obj, cy);
	cy->obj = NULL;
}

/* Another holder of cy's object (the latest to close), or NULL. */
static struct cycle *
other_holder(const struct cycle *cy)
{
	struct cycle *h, *best = NULL;
	size_t i;

	if (cy->obj == NULL)
		return NULL;
	for (i = 0; (h = object_holder(cy->obj, i)) != NULL; i++)
		if (h != cy && (best == NULL ||
		    h->rec.close_at > best->rec.close_at))
			best = h;
	return best;
}

/* The holder whose close is running, if cy's object is being removed. */
static struct cycle *
closing_holder(const struct cycles *c, const struct cycle *cy)
{
	char key[OBJECT_KEY_MAX];
	struct object *o;
	struct cycle *h;
	size_t i, n;

	if (!shares_object(cy) || (n = object_key(cy, key)) == 0 ||
	    (o = objects_find(c->objects, key, n)) == NULL)
		return NULL;
	for (i = 0; (h = object_holder(o, i)) != NULL; i++)
		if (h->state == CYCLE_CLOSING)
			return h;
	return NULL;
}

/* When the object must stay until: the latest close of its holders. */
int64_t
cycle_object_close_at(const struct cycle *cy)
{
	const struct cycle *h = other_holder(cy);

	return h != NULL && h->rec.close_at > cy->rec.close_at ?
	    h->rec.close_at : cy->rec.close_at;
}

bool
cycle_object_shared(const struct cycle *cy)
{
	return other_holder(cy) != NULL;
}

/* The clocks of cycles_conf, for the times no caller hands in. */
int64_t
cycle_wall_now(const struct cycles *c)
{
	const struct cycles_clock *k = &c->conf.clock;

	return k->wall != NULL ? k->wall(k->arg) : (int64_t)time(NULL);
}

int64_t
cycle_mono_now(const struct cycles *c)
{
	const struct cycles_clock *k = &c->conf.clock;

	return k->mono_ms != NULL ? k->mono_ms(k->arg) : mono_ms();
}

int
cycles_new(const struct cycles_conf *cc, struct action_table *modules,
    struct journal *journal, struct cycles **out)
{
	struct cycles *c;
	int r;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return SPA_ERR_NOMEM;
	c->conf = *cc;
	c->modules = modules;
	c->journal = journal;
	c->next_job = 1;
	if ((c->scratch = malloc(sizeof(*c->scratch))) == NULL ||
	    (c->run_argv = malloc(sizeof(*c->run_argv))) == NULL) {
		free(c->scratch);
		free(c);
		return SPA_ERR_NOMEM;
	}
	c->env.done = job_action_done;
	c->env.arg = c;
	if ((r = sched_new(&c->sched)) != 0 ||
	    (r = objects_new(&c->objects) != 0 ? SPA_ERR_NOMEM : 0) != 0 ||
	    (r = runner_new(job_run_done, c, &c->runner)) != 0) {
		cycles_free(c);
		return r;
	}
	c->env.runner = c->runner;
	*out = c;
	return 0;
}

static void
free_entry(void *arg, struct sched_entry *e)
{
	(void)arg;
	cycle_free(e->data);
}

void
cycles_free(struct cycles *c)
{
	size_t i;

	if (c == NULL)
		return;
	action_table_shutdown(c->modules);
	if (c->runner != NULL)
		runner_free(c->runner);
	if (c->sched != NULL) {
		sched_foreach(c->sched, free_entry, NULL);
		sched_free(c->sched);
	}
	objects_free(c->objects);
	cycle_sweep_free(c);
	for (i = 0; i < c->nready; i++)
		free(c->ready[i].open.words);
	free(c->ready);
	free(c->jobs);
	free(c->scratch);
	free(c->run_argv);
	free(c);
}

void
cycles_set_conf(struct cycles *c, const struct cycles_conf *cc)
{
	c->conf = *cc;
}

void
cycles_set_policy(struct cycles *c, const struct access_conf *conf,
    const struct plan *plan)
{
	c->policy = conf;
	c->plan = plan;
}

/* --- opening ------------------------------------------------------------- */

static void
fill_key(struct sched_key *k, uint32_t stanza, const struct spa_addr *a,
    uint8_t proto, uint16_t port)
{
	memset(k, 0, sizeof(*k));
	k->stanza = stanza;
	k->allow = *a;
	k->proto = proto;
	k->port = port;
}

static int
expand(const struct cmd_template *t, const struct grant *g,
    struct cmd_argv *out)
{
	struct subst_vars vars = { g->ev, g->st, g->port };

	return cmd_template_expand(t, &vars, out);
}

static struct cycle *
cycle_new(struct cycles *c, const struct grant *g)
{
	const struct stanza *st = g->st;
	const struct stanza_plan *sp = g->sp;
	const struct spa_event *ev = g->ev;
	struct cmd_argv *close = &c->scratch->close;
	struct cycle_rec *rec;
	struct cycle *cy;

	if ((cy = calloc(1, sizeof(*cy))) == NULL)
		return NULL;
	rec = &cy->rec;
	rec->id = journal_next_id(c->journal);
	rec->stanza = st->number;
	rec->allow = ev->allow;
	rec->proto = ev->ports[g->port].proto;
	rec->port = ev->ports[g->port].port;
	rec->opened = g->now.wall_s;
	rec->close_at = g->now.wall_s + ev->timeout;
	rec->has_close = sp->has_close;
	memcpy(rec->absent, st->cmd_cycle_close_absent,
	    st->cmd_cycle_close_nabsent);
	rec->nabsent = (uint8_t)st->cmd_cycle_close_nabsent;
	cy->close_ops = sp->close_ops;
	if (sp->has_close && (expand(&sp->close, g, close) != 0 ||
	    cycle_argv_pack(&rec->close, close) != 0)) {
		log_errx("stanza #%u: CMD_CYCLE_CLOSE does not fit once "
		    "expanded: grant refused", st->number);
		cycle_free(cy);
		return NULL;
	}
	return cy;
}

/* Hold an open until the journal holding its cycle is synced. */
int
cycle_ready_add(struct cycles *c, struct cycle *cy,
    const struct action_module *ops, enum job_kind kind,
    const struct cmd_argv *open)
{
	struct ready *nr;

	if ((nr = array_room(c->ready, &c->ready_cap, c->nready, sizeof(*nr),
	    64)) == NULL)
		return SPA_ERR_NOMEM;
	c->ready = nr;
	if (cycle_argv_pack(&c->ready[c->nready].open, open) != 0)
		return SPA_ERR_NOMEM;
	c->ready[c->nready].cycle = cy;
	c->ready[c->nready].ops = ops;
	c->ready[c->nready].kind = kind;
	c->nready++;
	return 0;
}

static void
open_cycle(struct cycles *c, const struct grant *g)
{
	struct cmd_argv open;
	struct sched_key key;
	struct cycle *cy, *closing;
	char what[128];
	int r;

	if (expand(&g->sp->open, g, &open) != 0 ||
	    (cy = cycle_new(c, g)) == NULL) {
		log_errx("stanza #%u: cannot build the cycle's commands: "
		    "grant refused", g->st->number);
		return;
	}
	cycle_describe(&cy->rec, what, sizeof(what));
	/* the object this would open is being removed: after that */
	if ((closing = closing_holder(c, cy)) != NULL) {
		cycle_free(cy);
		hold_pending(c, closing, g, what);
		return;
	}
	fill_key(&key, g->st->number, &g->ev->allow, cy->rec.proto,
	    cy->rec.port);
	/* in the journal before the open can have any effect: written with
	   the pass's other grants at cycles_flush's sync, before any runs */
	if ((r = cycle_put_held(c, cy)) != 0 ||
	    (r = sched_add(c->sched, &key, cy->rec.id,
	    g->now.mono_ms + (int64_t)g->ev->timeout * 1000, cy)) != 0) {
		log_errx("%s: cannot journal the cycle (%s): grant refused",
		    what, spa_strerror(r));
		journal_del(c->journal, cy->rec.id);
		cycle_free(cy);
		return;
	}
	cy->entry = sched_find(c->sched, &key);
	cy->state = CYCLE_OPENING;
	if ((r = join_object(c, cy)) != 0 ||
	    (r = cycle_ready_add(c, cy, g->sp->open_ops, JOB_OPEN,
	    &open)) != 0) {
		log_errx("%s: %s: grant refused", what, spa_strerror(r));
		forget_cycle(c, cy);
		return;
	}
	cycle_keep_open(cy, g->sp->open_ops, &open);
}

/*
 * The open module's refresh hook (see action.h): now, or once the open or
 * refresh in flight has ended (cycle_open_done).  The hook gets the cycle's
 * data, its new close_at and the new grant's open command (what to add
 * again if the entry has gone).
 */
static void
refresh_cycle(struct cycles *c, struct cycle *cy,
    const struct action_module *ops, const struct cmd_argv *open)
{
	struct job *j;
	char what[128];

	if (cy->state != CYCLE_OPEN) {
		/* the latest grant's open: a later one replaces it */
		free(cy->refresh_argv.words);
		cy->refresh_argv.words = NULL;
		if (cycle_argv_pack(&cy->refresh_argv, open) == 0)
			cy->refresh_ops = ops;
		return;
	}
	cycle_describe(&cy->rec, what, sizeof(what));
	if ((j = job_new(c, JOB_REFRESH, cy, cy->rec.stanza, what)) == NULL)
		return;
	cy->state = CYCLE_OPENING;
	job_run(c, ops, j, open, NULL, cy);
}

/* The refresh that waited for the open or refresh in flight. */
static void
refresh_deferred(struct cycles *c, struct cycle *cy)
{
	const struct action_module *ops = cy->refresh_ops;

	cy->refresh_ops = NULL;
	cycle_argv_unpack(&cy->refresh_argv, c->run_argv);
	free(cy->refresh_argv.words);
	cy->refresh_argv.words = NULL;
	if (c->run_argv->argc > 0)
		refresh_cycle(c, cy, ops, c->run_argv);
}

/*
 * Re-assert the open of a cycle a new grant extends: its object may have
 * vanished since (an element's own timeout ran out, a firewall reload, an
 * operator's flush), and a client who asks again must not stay locked
 * out.  The module's refresh hook does it for modules that have one; else
 * CMD_CYCLE_REFRESH, else the open runs again.  An open that is not
 * idempotent (a rule inserted again) may leave a second copy: the close
 * then runs once more, journaled before the open can run (cycles_flush).
 * While an open is still in flight there is nothing to re-assert.
 */
static void
reassert(struct cycles *c, struct cycle *cy, const struct grant *g)
{
	const struct stanza_plan *sp = g->sp;
	const struct action_module *ops = sp->open_ops;
	const struct cmd_template *t = &sp->open;
	struct cmd_argv argv;
	char what[128];

	cycle_describe(&cy->rec, what, sizeof(what));
	if (ops->ops->refresh != NULL) {
		if (expand(t, g, &argv) == 0)
			refresh_cycle(c, cy, ops, &argv);
		else
			log_errx("%s: CMD_CYCLE_OPEN does not fit once expanded: "
			    "cannot re-assert the open", what);
		return;
	}
	if (sp->refresh_how == REFRESH_NONE || cy->state != CYCLE_OPEN)
		return;
	if (sp->refresh_how == REFRESH_COMMAND) {
		ops = sp->refresh_ops;
		t = &sp->refresh;
	}
	if (expand(t, g, &argv) != 0 ||
	    cycle_ready_add(c, cy, ops, JOB_REFRESH, &argv) != 0) {
		log_errx("%s: cannot re-assert the open (%s does not fit once "
		    "expanded, or out of memory)", what,
		    t == &sp->open ? "CMD_CYCLE_OPEN" : "CMD_CYCLE_REFRESH");
		return;
	}
	cy->state = CYCLE_OPENING;
	if (t == &sp->open && !ops->ops->open_is_idempotent &&
	    cy->rec.reopens < REOPENS_MAX) {
		cy->rec.reopens++;
		if (cycle_put(c, cy) != 0)
			log_warnx("%s: cannot journal the open run again",
			    what);
	}
}

/*
 * Keep a grant until the close running on `closing` has ended; it is
 * carried out then (reopen_pending).  A few per close: more only repeat.
 */
static void
hold_pending(struct cycles *c, struct cycle *closing,
    const struct grant *g, const char *what)
{
	struct pending_grant *pg, **tail = &closing->pending;
	size_t n = 0;

	for (; *tail != NULL; tail = &(*tail)->next)
		n++;
	if (n >= PENDING_MAX || (pg = calloc(1, sizeof(*pg))) == NULL) {
		log_errx("%s: %s: the grant received during the close is "
		    "refused (send it again)", what, n >= PENDING_MAX ?
		    "too many grants wait for this close" : "out of memory");
		return;
	}
	pg->policy = c->policy;
	pg->ev = *g->ev;
	pg->port = g->port;
	*tail = pg;
	log_notice("%s: close in progress; the new grant follows it", what);
}

/*
 * A grant for a cycle that is already open: move its close later (never
 * earlier) and re-assert the open.
 */
static void
extend_cycle(struct cycles *c, struct cycle *cy, const struct grant *g)
{
	int64_t close_at = g->now.wall_s + g->ev->timeout;
	bool moved = close_at > cy->rec.close_at;
	char what[128];

	cycle_describe(&cy->rec, what, sizeof(what));
	if (cy->state == CYCLE_CLOSING) {
		hold_pending(c, cy, g, what);
		return;
	}
	if (moved) {
		cy->rec.close_at = close_at;
		if (cycle_put(c, cy) != 0)
			log_warnx("%s: cannot journal the later close", what);
		sched_reschedule(c->sched, cy->entry,
		    g->now.mono_ms + (int64_t)g->ev->timeout * 1000);
	}
	c->stats.extended++;
	log_notice("%s: already open: close %s %s", what,
	    moved ? "moved to" : "stays at",
	    cycle_fmt_time(cy->rec.close_at, (char[32]){0}));
	reassert(c, cy, g);
}

/* One port of a grant: a new cycle, or the one open for it extended. */
static void
grant_port(struct cycles *c, const struct grant *g)
{
	const struct spa_port *p = &g->ev->ports[g->port];
	struct sched_key key;
	struct sched_entry *e;

	fill_key(&key, g->st->number, &g->ev->allow, p->proto, p->port);
	if ((e = sched_find(c->sched, &key)) != NULL)
		extend_cycle(c, e->data, g);
	else
		open_cycle(c, g);
}

static void
grant_ports(struct cycles *c, struct grant *g)
{
	for (g->port = 0; g->port < g->ev->nports; g->port++)
		grant_port(c, g);
}

/* Module state of the opens just run, durable before any is sent. */
static void
sync_data(struct cycles *c)
{
	if (!c->data_unsynced)
		return;
	c->data_unsynced = false;
	if (journal_sync(c->journal) != 0)
		log_warnx("journal: cannot sync the state of the opens just "
		    "started");
}

/* An open that cannot run refuses its grant; a re-assert leaves the open. */
static void
ready_failed(struct cycles *c, struct ready *rd, const char *what,
    const char *why)
{
	if (rd->kind != JOB_OPEN) {
		log_errx("%s: %s: cannot re-assert the open", what, why);
		rd->cycle->state = CYCLE_OPEN;
		return;
	}
	log_errx("%s: %s: grant refused", what, why);
	forget_cycle(c, rd->cycle);
}

/*
 * Sync the journal once for every cycle opened since the last flush, then
 * run their opens: one fdatasync per batch of grants, not per grant.  If
 * the journal cannot be made durable, none of them opens.
 */
void
cycles_flush(struct cycles *c)
{
	struct ready *v = c->ready;
	size_t i, n = c->nready;
	struct job *j;
	char what[128];
	int r;

	/* removals need no sync: a lost one only repeats a close */
	if (n == 0) {
		sync_data(c);
		return;
	}
	/* running may queue more (a reopen after a close): start afresh */
	c->ready = NULL;
	c->nready = c->ready_cap = 0;
	r = journal_sync(c->journal);
	for (i = 0; i < n; i++) {
		cycle_describe(&v[i].cycle->rec, what, sizeof(what));
		if (r != 0 || (j = job_new(c, v[i].kind, v[i].cycle,
		    v[i].cycle->rec.stanza, what)) == NULL)
			ready_failed(c, &v[i], what, r != 0 ?
			    "the journal cannot be synced" : "out of memory");
		else {
			/* modules copy what they keep (see start_close) */
			cycle_argv_unpack(&v[i].open, c->run_argv);
			job_run(c, v[i].ops, j, c->run_argv, NULL,
			    v[i].cycle);
		}
		free(v[i].open.words);
	}
	free(v);
	sync_data(c);
}

void
cycles_grant(struct cycles *c, const struct stanza *st,
    const struct spa_event *ev, const struct now *now)
{
	struct grant g = { .st = st, .ev = ev, .now = *now };

	if (ev->type == SPA_REQ_COMMAND) {
		command_run(c, st, ev);
		return;
	}
	if (c->plan == NULL || st->number > c->plan->n)
		return;
	g.sp = &c->plan->v[st->number - 1];
	if (!g.sp->has_open) {
		log_info("stanza #%u has no CMD_CYCLE_OPEN: nothing to run",
		    st->number);
		return;
	}
	grant_ports(c, &g);
}

/* --- completion ---------------------------------------------------------- */

static void
log_opened(struct cycles *c, const struct cycle *cy, const struct job *j,
    const struct action_result *res, int64_t now_s)
{
	char t[32];

	if (j->kind == JOB_OPEN)
		c->stats.opened++;
	if (!cy->rec.has_close)
		log_notice("%s: opened (%s), no close (CMD_CYCLE_CLOSE NONE)",
		    j->what, res->detail);
	else
		log_notice("%s: %s (%s), close at %s (in %" PRId64 " s)",
		    j->what, j->kind == JOB_OPEN ? "opened" : "refreshed",
		    res->detail, cycle_fmt_time(cy->rec.close_at, t),
		    cy->rec.close_at - now_s);
	/* the module may have recorded state (a sequence number) */
	if (cy->rec.data_len != 0 && cycle_put(c, cy) != 0)
		log_warnx("%s: cannot journal the module state", j->what);
}

static void
forget_cycle(struct cycles *c, struct cycle *cy)
{
	if (journal_del(c->journal, cy->rec.id) != 0)
		log_warnx("cycle %016" PRIx64 ": cannot remove it from the "
		    "journal", cy->rec.id);
	if (c->obs.gone != NULL)
		c->obs.gone(c->obs.arg, cy->rec.id);
	leave_object(c, cy);
	cycle_free(sched_remove(c->sched, cy->entry));
}

/*
 * An open that failed ends its cycle, unless the cycle holds what
 * released holders opened (inherited): that must still be closed, now.
 */
static void
open_failed(struct cycles *c, struct cycle *cy, const struct job *j,
    const struct action_result *res, int64_t now_s)
{
	c->stats.open_failed++;
	if (!cy->inherited) {
		log_errx("%s: open failed (%s): no close scheduled", j->what,
		    res->detail);
		forget_cycle(c, cy);
		return;
	}
	log_errx("%s: open failed (%s): closing now what the holders before "
	    "it opened", j->what, res->detail);
	cy->state = CYCLE_OPEN;
	start_close(c, cy, now_s, NULL);
}

void
cycle_open_done(struct cycles *c, const struct job *j,
    const struct action_result *res, int64_t now_s)
{
	struct cycle *cy = j->cycle;
	char t[32];

	if (j->kind == JOB_RESTORE)
		cycle_restore_done(c, j, res);
	else if (res->result != 0 && j->kind == JOB_REFRESH) {
		log_warnx("%s: refresh failed (%s): the first open still "
		    "holds, close at %s", j->what, res->detail,
		    cycle_fmt_time(cy->rec.close_at, t));
		cy->state = CYCLE_OPEN;
	} else if (res->result != 0) {
		open_failed(c, cy, j, res, now_s);
		return;
	} else {
		cy->state = CYCLE_OPEN;
		log_opened(c, cy, j, res, now_s);
	}
	if (c->closing_all) {
		cy->refresh_ops = NULL;
		start_close(c, cy, now_s, NULL);
	} else if (cy->refresh_ops != NULL)	/* a grant came meanwhile */
		refresh_deferred(c, cy);
}

/* The grants that arrived during the close: carried out now, in order. */
static void
reopen_pending(struct cycles *c, struct cycle *cy, int64_t now_s)
{
	struct pending_grant *pg = cy->pending, *next;
	struct grant g;
	char what[128];

	cy->pending = NULL;	/* ours now: forget_cycle frees cy */
	cycle_describe(&cy->rec, what, sizeof(what));
	forget_cycle(c, cy);
	for (; pg != NULL; pg = next) {
		next = pg->next;
		g.st = cycle_stanza_of(c, pg->ev.stanza);
		if (c->closing_all)
			log_errx("%s: shutting down: the grant received "
			    "during the close is dropped", what);
		else if (g.st == NULL || pg->policy != c->policy)
			log_errx("%s: the policy was reloaded during the "
			    "close: the grant received meanwhile is dropped "
			    "(send it again)", what);
		else {
			log_notice("%s: carrying out the grant received during "
			    "the close", what);
			g.sp = &c->plan->v[g.st->number - 1];
			g.ev = &pg->ev;
			g.port = pg->port;
			g.now = (struct now){ now_s, cycle_mono_now(c) };
			grant_port(c, &g);
		}
		free(pg);
	}
}

/* Whether a failed close said its object was already gone. */
static bool
found_absent(const struct cycle *cy, const struct action_result *res)
{
	return res->absent || (res->exit_status > 0 &&
	    res->exit_status <= UINT8_MAX && memchr(cy->rec.absent,
	    res->exit_status, cy->rec.nabsent) != NULL);
}

/* The close is done: the cycle ends, or the grants that waited run. */
static void
closed(struct cycles *c, struct cycle *cy, const struct job *j,
    const struct action_result *res, bool absent, int64_t now_s)
{
	c->stats.closed++;
	/* a module says so in its detail; an exit status is named here */
	if (absent && !res->absent)
		log_notice("%s: closed: already absent (%s, listed in "
		    "CMD_CYCLE_CLOSE_ABSENT)", j->what, res->detail);
	else
		log_notice("%s: closed (%s)", j->what, res->detail);
	if (cy->pending != NULL)
		reopen_pending(c, cy, now_s);
	else
		forget_cycle(c, cy);
}

/*
 * A close that failed is tried again with backoff, for at most
 * close_retry_limit seconds: then the cycle is dropped, loudly, since
 * spagated cannot make it succeed and must not retry for ever.
 */
static void
close_failed(struct cycles *c, struct cycle *cy, const struct job *j,
    const struct action_result *res, int64_t now_s)
{
	int64_t now_ms = cycle_mono_now(c);
	unsigned int delay, limit = c->conf.close_retry_limit != 0 ?
	    c->conf.close_retry_limit : CONF_DEF_CLOSE_RETRY_LIMIT;

	c->stats.close_failed++;
	if (cy->failures++ == 0)
		cy->failing_since_ms = now_ms;
	if (now_ms - cy->failing_since_ms >= (int64_t)limit * 1000) {
		c->stats.close_abandoned++;
		log_errx("%s: close failed (%s) and has failed for %u s: "
		    "giving up; what it opened may still be open: remove it "
		    "by hand", j->what, res->detail, limit);
		cycle_pending_free(cy->pending);
		cy->pending = NULL;
		forget_cycle(c, cy);
		return;
	}
	delay = cy->failures >= 9 ? CYCLE_RETRY_MAX : 1u << (cy->failures - 1);
	if (delay > CYCLE_RETRY_MAX)
		delay = CYCLE_RETRY_MAX;
	log_errx("%s: close failed (%s): retry %u in %u s", j->what,
	    res->detail, cy->failures, delay);
	cy->state = CYCLE_OPEN;
	(void)now_s;
	sched_reschedule(c->sched, cy->entry, now_ms + delay * 1000);
}

/*
 * A close ran.  When the open ran more than once (reopens), the close
 * runs again for each copy it may have left; a later run that fails or
 * finds nothing means no copy is left.
 */
void
cycle_close_done(struct cycles *c, const struct job *j,
    const struct action_result *res, int64_t now_s)
{
	struct cycle *cy = j->cycle;
	bool absent = found_absent(cy, res);

	if (res->result != 0 && !absent && cy->close_runs == 1) {
		close_failed(c, cy, j, res, now_s);
		return;
	}
	if (res->result == 0 && !absent && cy->close_runs <= cy->rec.reopens) {
		log_notice("%s: closed (%s); the open ran %u times: closing "
		    "again", j->what, res->detail, cy->rec.reopens + 1u);
		run_close(c, cy);
		return;
	}
	if (cy->close_runs > 1 && (res->result != 0 || absent))
		log_info("%s: close run %u found no copy left (%s)", j->what,
		    cy->close_runs, res->detail);
	closed(c, cy, j, res, absent && cy->close_runs == 1, now_s);
}

/* --- closing ------------------------------------------------------------- */

/* One run of the close command (the first, or again for a copy). */
static void
run_close(struct cycles *c, struct cycle *cy)
{
	struct job *j;
	char what[128];

	cycle_describe(&cy->rec, what, sizeof(what));
	if ((j = job_new(c, JOB_CLOSE, cy, cy->rec.stanza, what)) == NULL) {
		/* due again shortly: the next tick tries again */
		cy->state = CYCLE_OPEN;
		sched_reschedule(c->sched, cy->entry, cycle_mono_now(c) + 1000);
		return;
	}
	cy->close_runs++;
	/* modules copy what they keep: the buffer serves the next command */
	cycle_argv_unpack(&cy->rec.close, c->run_argv);
	job_run(c, cy->close_ops, j, c->run_argv, NULL, cy);
}

/*
 * cy comes due while `heir` still holds the same object: cy ends without
 * running its close, and what cy opened is the heir's to close (each
 * copy a repeated open may have left, too).
 */
static void
release_cycle(struct cycles *c, struct cycle *cy, struct cycle *heir,
    const char *why)
{
	unsigned int n = (unsigned int)heir->rec.reopens + cy->rec.reopens + 1;
	char what[128], hwhat[128], t[32];

	cycle_describe(&cy->rec, what, sizeof(what));
	cycle_describe(&heir->rec, hwhat, sizeof(hwhat));
	heir->rec.reopens = n > REOPENS_MAX ? REOPENS_MAX : (uint8_t)n;
	heir->inherited = true;
	if (cycle_put(c, heir) != 0)
		log_warnx("%s: cannot journal what it now holds", hwhat);
	c->stats.released++;
	log_notice("%s: %s: released, not closed: %s holds the same object "
	    "until %s", what, why, hwhat, cycle_fmt_time(heir->rec.close_at, t));
	forget_cycle(c, cy);
}

/* why: who asked for the close; NULL: the timer or the shutdown */
static void
start_close(struct cycles *c, struct cycle *cy, int64_t now_s,
    const char *why)
{
	struct cycle *heir;
	char what[128];

	if (why == NULL)
		why = c->closing_all ? "shutdown" :
		    now_s > cy->rec.close_at + 1 ? "timer expired (overdue)" :
		    "timer expired";
	cycle_describe(&cy->rec, what, sizeof(what));
	if (!cy->rec.has_close) {
		log_notice("%s: %s (no close command)", what, why);
		forget_cycle(c, cy);
		return;
	}
	if ((heir = other_holder(cy)) != NULL) {
		release_cycle(c, cy, heir, why);
		return;
	}
	cy->state = CYCLE_CLOSING;
	cy->close_runs = 0;
	sched_reschedule(c->sched, cy->entry, DUE_NEVER);
	log_notice("%s: %s, closing", what, why);
	run_close(c, cy);
}

void
cycles_run_due(struct cycles *c, const struct now *now)
{
	struct sched_entry *e;
	struct cycle *cy;

	while ((e = sched_due(c->sched, now->mono_ms)) != NULL) {
		cy = e->data;
		if (cy->state != CYCLE_OPEN) {
			/* an open still running: look again shortly */
			sched_reschedule(c->sched, e, now->mono_ms + 1000);
			continue;
		}
		start_close(c, cy, now->wall_s, NULL);
	}
}

struct close_all {
	struct cycles	*c;
	struct cycle	**v;
	size_t		 n;
};

static void
collect_open(void *arg, struct sched_entry *e)
{
	struct close_all *ca = arg;
	struct cycle *cy = e->data;

	if (cy->state == CYCLE_OPEN)
		ca->v[ca->n++] = cy;
}

void
cycles_close_all(struct cycles *c, int64_t now_s)
{
	struct close_all ca = { c, NULL, 0 };
	size_t i, n = sched_count(c->sched);

	/* from now on, an open that completes is closed at once */
	c->closing_all = true;
	if (n == 0)
		return;
	if ((ca.v = calloc(n, sizeof(*ca.v))) == NULL)
		return;
	/* collect first: starting a close changes the scheduler */
	sched_foreach(c->sched, collect_open, &ca);
	log_info("shutdown: running %zu pending close%s%s", ca.n,
	    ca.n == 1 ? "" : "s", n > ca.n ? ", and the close of each open "
	    "still running when it completes" : "");
	for (i = 0; i < ca.n; i++)
		start_close(c, ca.v[i], now_s, NULL);
	free(ca.v);
}

/* --- closes asked for (the control socket) ------------------------------ */

static bool
selected(const struct cycles_sel *sel, const struct cycle_rec *rec)
{
	switch (sel->by) {
	case CYCLES_SEL_ALL:
		return true;
	case CYCLES_SEL_ID:
		return rec->id == sel->id;
	case CYCLES_SEL_SOURCE:
		return addr_equal(&rec->allow, &sel->source);
	case CYCLES_SEL_STANZA:
		return rec->stanza == sel->stanza;
	}
	return false;
}

struct close_now {
	const struct cycles_sel	*sel;
	struct cycle		**v;
	size_t			 n;
};

static void
collect_selected(void *arg, struct sched_entry *e)
{
	struct close_now *cn = arg;
	struct cycle *cy = e->data;

	if (cy->state != CYCLE_CLOSING && selected(cn->sel, &cy->rec))
		cn->v[cn->n++] = cy;
}

/*
 * Its close journaled as due now: a crash before it completes leaves it
 * overdue, so the next start closes it at once.
 */
static void
journal_due_now(struct cycles *c, struct cycle *cy, int64_t now_s)
{
	char what[128];

	cy->rec.close_at = now_s;
	if (cycle_put(c, cy) == 0)
		return;
	cycle_describe(&cy->rec, what, sizeof(what));
	log_errx("%s: cannot journal its close as due now: closing it anyway",
	    what);
}

static void
close_selected(struct cycles *c, struct cycle *cy, const char *who,
    const struct now *now)
{
	char what[128];

	cycle_describe(&cy->rec, what, sizeof(what));
	log_notice("%s: closed by %s", what, who);
	if (cy->state == CYCLE_OPEN)
		start_close(c, cy, now->wall_s, who);
	else	/* opening: closed as soon as its open completes */
		sched_reschedule(c->sched, cy->entry, now->mono_ms);
}

size_t
cycles_close_now(struct cycles *c, const struct cycles_sel *sel,
    const char *who, const struct now *now,
    void (*cb)(void *arg, const struct journal_rec *rec), void *arg)
{
	struct close_now cn = { sel, NULL, 0 };
	size_t i, n = sched_count(c->sched);

	if (n == 0)
		return 0;
	if ((cn.v = calloc(n, sizeof(*cn.v))) == NULL) {
		log_errx("out of memory: the closes %s asked for are not run",
		    who);
		return 0;
	}
	/* collect first: starting a close changes the scheduler */
	sched_foreach(c->sched, collect_selected, &cn);
	for (i = 0; i < cn.n; i++)
		journal_due_now(c, cn.v[i], now->wall_s);
	if (cn.n > 0 && journal_sync(c->journal) != 0)
		log_errx("journal: cannot sync the closes %s asked for", who);
	for (i = 0; i < cn.n; i++) {
		if (cb != NULL) {
			cycle_rec_fill(cn.v[i], c->scratch);
			cb(arg, c->scratch);
		}
		close_selected(c, cn.v[i], who, now);
	}
	free(cn.v);
	return cn.n;
}

struct each_state {
	struct cycles	*c;
	void		(*cb)(void *, const struct journal_rec *,
			    const char *);
	void		*arg;
};

static void
each_with_state(void *arg, struct sched_entry *e)
{
	static const char *const names[] = {
		[CYCLE_OPENING] = "opening", [CYCLE_OPEN] = "open",
		[CYCLE_CLOSING] = "closing",
	};
	struct each_state *es = arg;
	struct cycle *cy = e->data;

	cycle_rec_fill(cy, es->c->scratch);
	es->cb(es->arg, es->c->scratch, names[cy->state]);
}

void
cycles_list(struct cycles *c,
    void (*cb)(void *arg, const struct journal_rec *rec, const char *state),
    void *arg)
{
	struct each_state es = { c, cb, arg };

	sched_foreach(c->sched, each_with_state, &es);
}

/* --- restart ------------------------------------------------------------- */

struct restore {
	struct cycles	*c;
	int64_t		 now_s;
	int64_t		 now_ms;
	int		 n;
};

/* A journaled record as an open cycle, its close at its time. */
static int
schedule_rec(struct cycles *c, const struct journal_rec *rec, int64_t now_s,
    int64_t now_ms, const char *how)
{
	struct sched_key key;
	struct cycle *cy;
	int64_t wait;
	char what[128];

	cycle_describe_rec(rec, what, sizeof(what));
	if ((cy = calloc(1, sizeof(*cy))) == NULL)
		return SPA_ERR_NOMEM;
	if (rec->has_close &&
	    (cy->close_ops = action_table_by_name(c->modules, rec->module)) ==
	    NULL) {
		log_errx("%s: journaled close names unknown module '%s': "
		    "left on disk", what, rec->module);
		free(cy);
		return 0;
	}
	if (cycle_rec_unfill(&cy->rec, rec) != 0) {
		cycle_free(cy);
		return SPA_ERR_NOMEM;
	}
	cy->state = CYCLE_OPEN;
	wait = rec->close_at > now_s ? rec->close_at - now_s : 0;
	fill_key(&key, rec->stanza, &rec->allow, rec->proto, rec->port);
	if (sched_find(c->sched, &key) != NULL)
		key.stanza |= 0x80000000u;	/* duplicate: keep both */
	if (sched_add(c->sched, &key, rec->id, now_ms + wait * 1000,
	    cy) != 0) {
		cycle_free(cy);
		return SPA_ERR_NOMEM;
	}
	cy->entry = sched_find(c->sched, &key);
	/* what it opened is there until its close: it holds it */
	cy->inherited = true;
	if (join_object(c, cy) != 0) {
		cycle_free(sched_remove(c->sched, cy->entry));
		return SPA_ERR_NOMEM;
	}
	if (rec->has_close)
		action_table_adopt(c->modules, rec->module, &rec->close,
		    rec->data, rec->data_len);
	cycle_rebuild_open(c, cy, now_s);
	log_info("%s: %s, close %s", what, how,
	    wait == 0 ? "overdue: now" : "rescheduled");
	return 1;
}

static int
restore_one(void *arg, const struct journal_rec *rec)
{
	struct restore *rs = arg;
	int r;

	if ((r = schedule_rec(rs->c, rec, rs->now_s, rs->now_ms,
	    "restored from the journal")) < 0)
		return r;
	if (r > 0 && rs->c->obs.put != NULL)	/* fleet mode mirrors it */
		rs->c->obs.put(rs->c->obs.arg, rec);
	rs->n += r;
	return 0;
}

int
cycles_restore(struct cycles *c, const struct now *now)
{
	struct restore rs = { c, now->wall_s, now->mono_ms, 0 };
	int r;

	if ((r = journal_load(c->journal, restore_one, &rs)) != 0)
		return r;
	return rs.n;
}

/* --- fleet mode ---------------------------------------------------------- */

void
cycles_set_observer(struct cycles *c, const struct cycles_observer *o)
{
	c->obs = *o;
}

struct each {
	struct cycles	*c;
	void		(*cb)(void *, const struct journal_rec *);
	void		*arg;
};

static void
each_cycle(void *arg, struct sched_entry *e)
{
	struct each *ea = arg;

	cycle_rec_fill(e->data, ea->c->scratch);
	ea->cb(ea->arg, ea->c->scratch);
}

void
cycles_foreach(struct cycles *c,
    void (*cb)(void *arg, const struct journal_rec *rec), void *arg)
{
	struct each ea = { c, cb, arg };

	sched_foreach(c->sched, each_cycle, &ea);
}

int
cycles_adopt(struct cycles *c, struct journal_rec *rec, const char *from,
    const struct now *now)
{
	char how[128];
	int r;

	rec->id = journal_next_id(c->journal);
	if ((r = journal_put(c->journal, rec)) != 0 ||
	    (r = journal_sync(c->journal)) != 0) {
		log_errx("cycle taken over from gateway \"%s\": cannot be "
		    "journaled here: %s", from, spa_strerror(r));
		return r;
	}
	snprintf(how, sizeof(how), "taken over from gateway \"%s\" (no "
	    "heartbeat)", from);
	if ((r = schedule_rec(c, rec, now->wall_s, now->mono_ms, how)) <= 0) {
		journal_del(c->journal, rec->id);
		return r < 0 ? r : SPA_ERR_STATE;
	}
	if (c->obs.put != NULL)
		c->obs.put(c->obs.arg, rec);
	return 0;
}

/* --- loop plumbing ------------------------------------------------------- */

int
cycles_timeout_ms(struct cycles *c, int64_t now_ms)
{
	int64_t s = sched_wait_ms(c->sched, now_ms),
	    v = cycle_sweep_wait_ms(c, now_ms);
	int r = runner_timeout_ms(c->runner),
	    a = action_table_timeout_ms(c->modules, now_ms);

	if (v >= 0 && (s < 0 || v < s))
		s = v;

	if (a >= 0 && (r < 0 || a < r))
		r = a;
	if (s > INT32_MAX)
		s = INT32_MAX;
	if (s < 0)
		return r;
	return r >= 0 && r < s ? r : (int)s;
}

/* The runner's descriptors first, then the modules' (SSH sessions). */
size_t
cycles_pollfds(struct cycles *c, struct pollfd *pfd, size_t max)
{
	c->npfd_runner = runner_pollfds(c->runner, pfd, max);
	return c->npfd_runner + action_table_pollfds(c->modules,
	    pfd + c->npfd_runner, max - c->npfd_runner);
}

void
cycles_dispatch(struct cycles *c, const struct pollfd *pfd, size_t n,
    const struct now *now)
{
	size_t nr = c->npfd_runner < n ? c->npfd_runner : n;

	runner_dispatch(c->runner, pfd, nr);
	action_table_dispatch(c->modules, &c->env, pfd + nr, n - nr,
	    now->mono_ms);
}

void
cycles_get_stats(const struct cycles *c, struct cycles_stats *st)
{
	*st = c->stats;
	st->open = sched_count(c->sched);
	st->jobs = c->njobs;
}
