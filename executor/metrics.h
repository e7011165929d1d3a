/*
 * Counters in the Prometheus text exposition format (version 0.0.4), for
 * node_exporter's textfile collector: spagated.conf "metrics" writes the
 * file every interval, replaced atomically (a new temporary file beside
 * it, then rename: safefile.h), mode 0644.  The verifier's counters come
 * from its MSG_STATS; a verifier restart (SIGHUP) starts them again from
 * 0, which Prometheus counters allow.
 */
#ifndef SPA_METRICS_H
#define SPA_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cisco.h"
#include "control.h"
#include "nft.h"
#include "cycle.h"
#include "fleet.h"
#include "msg.h"
#include "replay_gate.h"

struct metrics_exec {
	uint64_t		opens;		/* OPEN events carried out */
	uint64_t		refused;	/* OPEN events refused */
	uint64_t		refused_time;	/* of those: by the clock alone */
	uint64_t		verifier_hostile;	/* verifiers killed for a
							   message */
	uint64_t		workers;	/* verifiers of the configuration */
	struct replay_gate_stats gate;	/* zero: one worker, no gate */
	uint64_t		files_disabled;	/* per-user files with an error */
	uint64_t		stanzas_disabled;	/* and their stanzas */
	struct cycles_stats	cycles;
	struct control_stats	control;	/* zero: no control socket */
	bool			fleet;		/* state_backend "redis" */
	bool			fleet_up;	/* connected to Redis now */
	struct fleet_stats	fleet_stats;
	struct cisco_stats	cisco;		/* devices 0: none configured */
	struct nft_stats	nft;		/* commands 0: not used yet */
	bool			nat_dns;	/* spagated.conf nat.dns */
	uint64_t		nat_dns_resolved;	/* NAT host names */
	uint64_t		nat_dns_refused;	/* grants refused for one */
};

/* Every metric, with # HELP and # TYPE lines. */
void	metrics_format(FILE *fp, const struct msg_stats *vs,
	    const struct metrics_exec *ex);
/*
 * Write `path` atomically; 0, SPA_ERR_SYS (errno says why) or
 * SPA_ERR_CONFIG (its directory does not exist).  Never blocks on what
 * someone planted in the directory.
 */
int	metrics_write(const char *path, const struct msg_stats *vs,
	    const struct metrics_exec *ex);

#endif /* SPA_METRICS_H */
