/*
 * Fleet mode: the state several gateways share through Redis
 * (state_backend = "redis").  Three things live there, under the
 * configured key prefix P:
 *
 *   P replay:<digest hex>   the gateway that granted it, for 2 x age
 *                           (SET NX PX: the first gateway wins, every
 *                           other one sees a replay)
 *   P gw:<gateway>          a heartbeat, refreshed every second, that
 *                           expires after redis.heartbeat seconds
 *   P cycles, P cycle:<m>   open cycles: a sorted set of members
 *                           "<gateway>/<id>" by close time, and each
 *                           member's journal record, sealed with the
 *                           fleet key (fleet_rec.h): a record that does
 *                           not verify is never acted on
 *
 * A gateway whose heartbeat is gone has its overdue cycles claimed by
 * another one: ZREM decides which (one wins), and the winner takes the
 * record into its own journal and runs the close, if the close is one a
 * module can run from anywhere (a Cisco device this gateway knows).
 *
 * Redis is called synchronously with a short timeout, once per pass of
 * the event loop for a batch of replay checks and once for the cycle
 * updates queued meanwhile.  Unreachable, it is retried with backoff;
 * new grants are refused (redis.fail_closed) or let through, closes run
 * from the local journal as always, and the cycles are written again
 * once it is back.
 */
#ifndef SPA_FLEET_H
#define SPA_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "conf_redis.h"
#include "journal_rec.h"

enum fleet_verdict {
	FLEET_FRESH,		/* first time in the fleet: grant */
	FLEET_REPLAY,		/* another grant of it exists: refuse */
	FLEET_UNREACHABLE,	/* Redis could not say */
};

struct fleet_stats {
	uint64_t	checked;	/* digests sent */
	uint64_t	replays;	/* found already granted */
	uint64_t	unreachable;	/* grants Redis could not vouch for */
	uint64_t	claimed;	/* cycles taken over from gone gateways */
	uint64_t	refused;	/* records not acted on: not sealed with
					   the fleet key, or malformed */
};

/* What the fleet asks of the executor's cycles. */
struct fleet_hooks {
	/* Write every open cycle again (after a (re)connection). */
	void	(*resync)(void *arg);
	/* Whether a claimed record's close can run here. */
	bool	(*claimable)(void *arg, const struct journal_rec *rec,
		    char *why, size_t whylen);
	/* Take a claimed record over; 0 once it is journaled here. */
	int	(*adopt)(void *arg, struct journal_rec *rec, const char *from);
	void	*arg;
};

struct fleet;

/* SPA_ERR_CONFIG (logged) if the fleet key cannot be read or is short. */
int	fleet_new(const struct conf_redis *conf, const struct fleet_hooks *h,
	    struct fleet **out);
void	fleet_free(struct fleet *f);

/*
 * One verdict per digest, in one round trip; `ttl_ms` is how long the
 * digest is remembered.  Never waits longer than redis.timeout_ms.
 */
void	fleet_check(struct fleet *f, const uint8_t (*digest)[32], size_t n,
	    uint32_t ttl_ms, enum fleet_verdict *out);

/* Cycle bookkeeping, queued and sent by fleet_flush(). */
void	fleet_cycle_put(struct fleet *f, const struct journal_rec *rec);
void	fleet_cycle_gone(struct fleet *f, uint64_t id);

/* Send what is queued; heartbeat, claims and reconnection when due. */
void	fleet_tick(struct fleet *f, const struct now *now);
/* Milliseconds until fleet_tick has something to do. */
int	fleet_timeout_ms(const struct fleet *f, int64_t now_ms);

bool	fleet_fail_closed(const struct fleet *f);
bool	fleet_is_up(const struct fleet *f);
void	fleet_get_stats(const struct fleet *f, struct fleet_stats *st);

#endif /* SPA_FLEET_H */
