/*
 * The executor's side of fleet mode (executor/fleet.c holds the Redis
 * side).  Grants that passed the executor's own check wait here until
 * the end of the batch the verifier sent, then one round trip asks the
 * fleet whether each packet was granted anywhere before; the cycles'
 * journal writes are mirrored to the fleet, and cycles the fleet hands
 * over from a gateway that is gone are journaled and closed here.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "action.h"
#include "clock.h"
#include "err.h"
#include "executor.h"
#include "log.h"

#define HELD_MAX	256	/* a batch of verifier messages, at most */
#define NO_AGE_TTL_S	(7 * 86400)	/* max_packet_age = 0: a week */

static void
mirror_put(void *arg, const struct journal_rec *rec)
{
	struct executor *x = arg;

	fleet_cycle_put(x->fleet, rec);
}

static void
mirror_gone(void *arg, uint64_t id)
{
	struct executor *x = arg;

	fleet_cycle_gone(x->fleet, id);
}

static void
resync(void *arg)
{
	struct executor *x = arg;

	cycles_foreach(x->cycles, mirror_put, x);
}

static bool
claimable(void *arg, const struct journal_rec *rec, char *why, size_t len)
{
	struct executor *x = arg;
	const struct action_module *m =
	    action_table_by_name(x->modules, rec->module);

	if (m != NULL && action_claimable(m, &rec->close))
		return true;
	snprintf(why, len, "%s module%s", rec->module, m == NULL ?
	    " unknown here" : m->ops->claimable == NULL ? " acts on its own "
	    "gateway only" : ": no such device here");
	return false;
}

static int
adopt(void *arg, struct journal_rec *rec, const char *from)
{
	struct executor *x = arg;
	struct now now = clock_now();	/* inside fleet_tick, or after the loop */

	return cycles_adopt(x->cycles, rec, from, &now);
}

int
fleet_link_start(struct executor *x)
{
	struct fleet_hooks h = { resync, claimable, adopt, x };
	struct cycles_observer o = { mirror_put, mirror_gone, x };
	struct conf_redis rc;
	struct now now;
	int r;

	rc = *conf_redis_of(&x->conf);
	if (rc.state_backend != STATE_REDIS)
		return 0;
	rc.claim = rc.claim && !x->cli->test_mode;	/* runs nothing */
	if ((x->held = calloc(HELD_MAX, sizeof(*x->held))) == NULL)
		return SPA_ERR_NOMEM;
	if ((r = fleet_new(&rc, &h, &x->fleet)) != 0) {
		free(x->held);
		x->held = NULL;
		return r;
	}
	cycles_set_observer(x->cycles, &o);
	log_info("fleet: state_backend redis, gateway \"%s\", %s%s",
	    rc.gateway, rc.address != NULL ? rc.address : rc.sentinels,
	    rc.claim ? ", claiming the closes of gateways that are gone" : "");
	now = clock_now();
	fleet_tick(x->fleet, &now);	/* connect now */
	return 0;
}

void
fleet_link_stop(struct executor *x)
{
	fleet_free(x->fleet);
	x->fleet = NULL;
	free(x->held);
	x->held = NULL;
	x->nheld = 0;
}

void
fleet_link_hold(struct executor *x, const struct stanza *st,
    const struct spa_event *ev)
{
	if (x->nheld == HELD_MAX)
		fleet_link_release(x);
	x->held[x->nheld].st = st;
	x->held[x->nheld].ev = *ev;
	x->nheld++;
}

static void
refuse(const struct held_grant *g, const char *why)
{
	char allow[ADDR_STRLEN];

	addr_fmt(&g->ev.allow, allow);
	log_errx("stanza #%u %s: grant refused: %s", g->ev.stanza, allow,
	    why);
}

void
fleet_link_release(struct executor *x)
{
	uint8_t digest[HELD_MAX][32];
	enum fleet_verdict v[HELD_MAX];
	uint32_t age = x->conf.max_packet_age;
	uint64_t ttl_ms = (age != 0 ? 2ull * age : NO_AGE_TTL_S) * 1000;
	size_t i, n = x->nheld;

	x->nheld = 0;
	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		memcpy(digest[i], x->held[i].ev.digest, 32);
	fleet_check(x->fleet, (const uint8_t (*)[32])digest, n,
	    (uint32_t)ttl_ms, v);
	for (i = 0; i < n; i++) {
		if (v[i] == FLEET_FRESH)
			executor_carry_out(x, x->held[i].st, &x->held[i].ev);
		else if (v[i] == FLEET_REPLAY)
			refuse(&x->held[i], "replay (the fleet granted this "
			    "packet already, on this or another gateway)");
		else if (fleet_fail_closed(x->fleet))
			refuse(&x->held[i], "the fleet's replay store cannot be "
			    "reached (redis.fail_closed)");
		else {
			log_warnx("stanza #%u: granted without the fleet's "
			    "replay check (redis unreachable, "
			    "redis.fail_closed = false)", x->held[i].ev.stanza);
			executor_carry_out(x, x->held[i].st, &x->held[i].ev);
		}
	}
}
