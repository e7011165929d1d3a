/*
 * State that stays true: what open cycles opened is checked again every
 * recheck_interval seconds, and what an operator or a firewall reload
 * removed (ipset flush, nft flush set) is put back by running the
 * cycle's open again, through the normal open path and with the same
 * close, so that the kernel's timeout still covers the close.
 *
 * Only modules with a verify op (action.h) are asked.  The journal keeps
 * a cycle's close, not its open: a cycle restored from it has its open
 * rebuilt from the stanza in force, and only when that stanza rebuilds
 * the journaled close exactly (cycle_rebuild_open).  A cycle
 * whose open or close is running, or whose close is due, is never put
 * back.  When the module cannot tell (the set itself is gone), that is
 * logged once per cycle at error, counted, and nothing else changes.
 *
 * A round takes the keys of the cycles open when it starts (a key finds
 * the cycle again, or finds it gone, without a pointer that may dangle)
 * and checks a share of them every SWEEP_TICK_MS, at most
 * SWEEP_BATCH_MAX and SWEEP_PASS_MS per pass: 100,000 grants cost a few
 * hundred netlink round trips per pass, never one long stall.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "access.h"
#include "cycle.h"
#include "cycle_int.h"
#include "err.h"
#include "log.h"
#include "objects.h"
#include "sched.h"

#define SWEEP_TICK_MS	250
#define SWEEP_BATCH_MAX	256	/* checks per pass: 1,024 a second */
#define SWEEP_PASS_MS	20	/* and no longer than this per pass: a
				   check can be slow (libnftables reads an
				   interval set's elements per command) */
#define WHY_MAX		256

/* Remember the open of a cycle whose module can say it is still there. */
void
cycle_keep_open(struct cycle *cy, const struct action_module *ops,
    const struct cmd_argv *open)
{
	if (ops == NULL || ops->ops->verify == NULL)
		return;
	if (cycle_argv_pack(&cy->open, open) != 0) {
		cy->open.words = NULL;	/* not rechecked: memory is short */
		return;
	}
	cy->open_ops = ops;
}

/* What the journal knows of a grant, as the event its commands expand. */
static void
journal_event(const struct cycle_rec *rec, int64_t now_s,
    struct spa_event *ev)
{
	int64_t left = rec->close_at - now_s;

	memset(ev, 0, sizeof(*ev));
	ev->stanza = rec->stanza;
	ev->type = SPA_REQ_ACCESS;
	ev->allow = ev->pkt_src = ev->pkt_dst = rec->allow;
	ev->via = SPA_VIA_UDP;
	ev->nports = rec->port != 0 ? 1 : 0;
	ev->ports[0].proto = rec->proto;
	ev->ports[0].port = rec->port;
	ev->timeout = ev->client_timeout = left < 1 ? 1 :
	    left > UINT32_MAX ? UINT32_MAX : (uint32_t)left;
	ev->spa_time = ev->recv_time = now_s;
}

/*
 * A cycle restored from the journal, which keeps its close but not its
 * open: the open is rebuilt from the stanza in force with what the
 * journal knows (address, protocol, port, time left), and trusted only
 * if the close rebuilt the same way is the journaled one, word for word
 * (the policy changed, or a command uses $USER or $DST: not rechecked).
 */
void
cycle_rebuild_open(struct cycles *c, struct cycle *cy, int64_t now_s)
{
	const struct stanza *st = cycle_stanza_of(c, cy->rec.stanza);
	const struct stanza_plan *sp;
	struct cmd_argv *close = &c->scratch->close;
	struct packed_argv pk = { NULL, 0, 0 };
	struct spa_event *ev;

	if (st == NULL || c->plan == NULL || st->number > c->plan->n)
		return;
	sp = &c->plan->v[st->number - 1];
	if (!sp->has_open || !sp->has_close || !cy->rec.has_close ||
	    sp->close_ops != cy->close_ops ||
	    sp->open_ops->ops->verify == NULL ||
	    (ev = malloc(sizeof(*ev))) == NULL)
		return;
	journal_event(&cy->rec, now_s, ev);
	if (cmd_template_expand(&sp->close, &(struct subst_vars){ ev, st, 0 },
	    close) == 0 && cycle_argv_pack(&pk, close) == 0 &&
	    pk.len == cy->rec.close.len && pk.argc == cy->rec.close.argc &&
	    memcmp(pk.words, cy->rec.close.words, pk.len) == 0 &&
	    cmd_template_expand(&sp->open, &(struct subst_vars){ ev, st, 0 },
	    c->run_argv) == 0)
		cycle_keep_open(cy, sp->open_ops, c->run_argv);
	free(pk.words);
	free(ev);
}

void
cycle_sweep_free(struct cycles *c)
{
	free(c->sweep.keys);
	memset(&c->sweep, 0, sizeof(c->sweep));
}

int64_t
cycle_sweep_wait_ms(const struct cycles *c, int64_t now_ms)
{
	if (c->conf.recheck_interval == 0)
		return -1;
	return c->sweep.due_ms > now_ms ? c->sweep.due_ms - now_ms : 0;
}

/* A restore ended: the cycle is open again either way. */
void
cycle_restore_done(struct cycles *c, const struct job *j,
    const struct action_result *res)
{
	struct cycle *cy = j->cycle;
	char t[32];

	cy->state = CYCLE_OPEN;
	cycle_fmt_time(cy->rec.close_at, t);
	if (res->result == 0) {
		c->stats.restored++;
		log_warnx("%s: was removed outside spagated: put back (%s), "
		    "close at %s", j->what, res->detail, t);
		return;
	}
	c->stats.restore_failed++;
	log_errx("%s: was removed outside spagated and cannot be put back "
	    "(%s): tried again at the next check, close at %s", j->what,
	    res->detail, t);
}

/*
 * Another holder of cy's object is being put back (or opened, closed):
 * after that, so that one removal is put back once, not once per holder.
 */
static bool
object_busy(const struct cycle *cy)
{
	const struct cycle *h;
	size_t i;

	if (cy->obj == NULL)
		return false;
	for (i = 0; (h = object_holder(cy->obj, i)) != NULL; i++)
		if (h != cy && h->state != CYCLE_OPEN)
			return true;
	return false;
}

/* Whether cy may be checked now: open, its close not due, checkable. */
static bool
checkable(const struct cycles *c, const struct cycle *cy,
    const struct now *now)
{
	return !c->closing_all && cy->state == CYCLE_OPEN &&
	    cy->open.words != NULL && cy->entry->due_ms > now->mono_ms &&
	    cy->rec.close_at > now->wall_s && !object_busy(cy);
}

static void
cannot_tell(struct cycles *c, struct cycle *cy, const char *why)
{
	char what[128];

	c->stats.unverified++;
	if (cy->unverified_logged)
		return;
	cy->unverified_logged = true;
	cycle_describe(&cy->rec, what, sizeof(what));
	log_errx("%s: cannot tell whether what it opened is still there "
	    "(%s): left as it is", what, why);
}

/* Check one cycle; put its object back if it is gone. */
static void
check_one(struct cycles *c, const struct sched_key *key,
    const struct now *now)
{
	const struct action_module *m;
	struct sched_entry *e;
	struct cycle *cy;
	char why[WHY_MAX] = "", what[128];
	int r;

	if ((e = sched_find(c->sched, key)) == NULL ||
	    !checkable(c, cy = e->data, now))
		return;
	m = cy->open_ops;
	cycle_argv_unpack(&cy->open, c->run_argv);
	r = m->ops->verify(m->priv, c->run_argv, cy->rec.data,
	    cy->rec.data_len, why, sizeof(why));
	if (r != ACTION_PRESENT && r != ACTION_ABSENT) {
		cannot_tell(c, cy, why[0] != '\0' ? why : spa_strerror(r));
		return;
	}
	cycle_describe(&cy->rec, what, sizeof(what));
	if (r == ACTION_PRESENT) {
		log_debug("%s: still there (%s)", what, why);
		return;
	}
	log_info("%s: what it opened is gone (%s): putting it back", what,
	    why[0] != '\0' ? why : "absent");
	if (cycle_ready_add(c, cy, m, JOB_RESTORE, c->run_argv) != 0) {
		log_errx("%s: out of memory: not put back", what);
		return;
	}
	cy->state = CYCLE_OPENING;
}

static void
collect_key(void *arg, struct sched_entry *e)
{
	struct sweep *sw = arg;
	const struct cycle *cy = e->data;

	if (cy->open.words != NULL)
		sw->keys[sw->n++] = e->key;
}

/*
 * A new round: the keys of the cycles that can be checked, and how many
 * per pass so that they are all checked within the interval.
 */
static void
start_round(struct cycles *c, int64_t now_ms)
{
	struct sweep *sw = &c->sweep;
	int64_t ticks = (int64_t)c->conf.recheck_interval * 1000 /
	    SWEEP_TICK_MS;
	size_t n = sched_count(c->sched);

	free(sw->keys);
	sw->keys = NULL;
	sw->n = sw->at = 0;
	sw->round_ms = now_ms + (int64_t)c->conf.recheck_interval * 1000;
	if (n == 0 || (sw->keys = calloc(n, sizeof(*sw->keys))) == NULL)
		return;
	sched_foreach(c->sched, collect_key, sw);
	if (ticks < 1)
		ticks = 1;
	sw->batch = (sw->n + (size_t)ticks - 1) / (size_t)ticks;
	if (sw->batch > SWEEP_BATCH_MAX)
		sw->batch = SWEEP_BATCH_MAX;
}

void
cycles_recheck(struct cycles *c, const struct now *now)
{
	struct sweep *sw = &c->sweep;
	int64_t start = cycle_mono_now(c);
	size_t i;

	if (c->conf.recheck_interval == 0) {
		cycle_sweep_free(c);
		return;
	}
	if (now->mono_ms < sw->due_ms)
		return;
	if (sw->at >= sw->n) {
		if (now->mono_ms < sw->round_ms) {
			sw->due_ms = sw->round_ms;
			return;
		}
		start_round(c, now->mono_ms);
	}
	for (i = 0; i < sw->batch && sw->at < sw->n &&
	    cycle_mono_now(c) - start < SWEEP_PASS_MS; i++)
		check_one(c, &sw->keys[sw->at++], now);
	sw->due_ms = sw->at < sw->n ? now->mono_ms + SWEEP_TICK_MS :
	    sw->round_ms;
}
