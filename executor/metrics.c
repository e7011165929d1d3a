/* Prometheus text exposition of the counters (see metrics.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "metrics.h"
#include "safefile.h"

static void
metric(FILE *fp, const char *name, const char *type, const char *help,
    uint64_t value)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n", name, help,
	    name, type, name, value);
}

/* One sample per packet drop reason, zeros included, so series exist. */
static void
refusals(FILE *fp, const struct msg_stats *vs)
{
	int reason;

	fprintf(fp, "# HELP spagate_refused_total Packets the verifier "
	    "refused, by reason.\n# TYPE spagate_refused_total counter\n");
	for (reason = SPA_ERR_LENGTH; reason > SPA_ERR_MIN; reason--) {
		if (strcmp(spa_errname(reason), "unknown") == 0)
			continue;
		fprintf(fp, "spagate_refused_total{reason=\"%s\"} %" PRIu64 "\n",
		    spa_errname(reason), msg_stats_get(vs, MSG_STATS_REASONS + (size_t)-reason));
	}
	/* grants refused because the replay store could not record them */
	fprintf(fp, "spagate_refused_total{reason=\"%s\"} %" PRIu64 "\n",
	    spa_errname(SPA_ERR_STATE),
	    msg_stats_get(vs, MSG_STATS_REASONS + (size_t)-SPA_ERR_STATE));
}

/* Fleet mode only: whether Redis answers, and what it decided. */
static void
fleet_metrics(FILE *fp, const struct metrics_exec *ex)
{
	const struct fleet_stats *f = &ex->fleet_stats;

	metric(fp, "spagate_fleet_up", "gauge",
	    "1 while the fleet's Redis is connected.", ex->fleet_up ? 1 : 0);
	metric(fp, "spagate_fleet_digests_checked_total", "counter",
	    "Grants checked against the fleet's replay store.", f->checked);
	metric(fp, "spagate_fleet_replays_refused_total", "counter",
	    "Grants refused: the fleet granted that packet already.",
	    f->replays);
	metric(fp, "spagate_fleet_unreachable_total", "counter",
	    "Grants the fleet could not check (Redis unreachable).",
	    f->unreachable);
	metric(fp, "spagate_fleet_cycles_taken_over_total", "counter",
	    "Cycles taken over from gateways without a heartbeat.",
	    f->claimed);
	metric(fp, "spagate_fleet_records_refused_total", "counter",
	    "Fleet records not acted on: not sealed with the fleet key, "
	    "or malformed.", f->refused);
}

/* The nft module, once it has sent something. */
static void
nft_metrics(FILE *fp, const struct nft_stats *st)
{
	metric(fp, "spagate_nft_element_commands_total", "counter",
	    "Element commands the nft module carried out or failed.",
	    st->commands);
	metric(fp, "spagate_nft_transactions_total", "counter",
	    "nf_tables transactions sent, one per loop pass and one per "
	    "half of a refused one.", st->transactions);
	metric(fp, "spagate_nft_elements_failed_total", "counter",
	    "Element commands the kernel refused (each fails its cycle).",
	    st->failed);
}

void
metrics_format(FILE *fp, const struct msg_stats *vs,
    const struct metrics_exec *ex)
{
	const struct cycles_stats *c = &ex->cycles;

	metric(fp, "spagate_packets_total", "counter",
	    "SPA packets the verifier examined.", msg_stats_get(vs, MSG_STATS_PACKETS));
	metric(fp, "spagate_granted_total", "counter",
	    "Packets that passed every check (OPEN events).",
	    msg_stats_get(vs, MSG_STATS_GRANTED));
	refusals(fp, vs);
	metric(fp, "spagate_log_suppressed_total", "counter",
	    "Refusal log lines left out by the rate limit.",
	    msg_stats_get(vs, MSG_STATS_SUPPRESSED));
	metric(fp, "spagate_replay_store_failing", "gauge",
	    "1 while the replay store cannot record digests (grants refused).",
	    msg_stats_get(vs, MSG_STATS_REPLAY_ERRNO) != 0);
	metric(fp, "spagate_capture_dropped_total", "counter",
	    "Packets the kernel dropped before capture (buffer full).",
	    msg_stats_get(vs, MSG_STATS_CAPTURE_DROPPED));
	metric(fp, "spagate_open_events_total", "counter",
	    "OPEN events the executor carried out.", ex->opens);
	metric(fp, "spagate_open_events_refused_total", "counter",
	    "OPEN events the executor's own policy check refused.",
	    ex->refused);
	metric(fp, "spagate_open_events_refused_time_total", "counter",
	    "Of those, refused by the clock alone (age, expiry).",
	    ex->refused_time);
	metric(fp, "spagate_verifier_hostile_total", "counter",
	    "Verifiers killed for a malformed or out-of-place message.",
	    ex->verifier_hostile);
	metric(fp, "spagate_verifier_workers", "gauge",
	    "Verifier processes sharing the capture (capture.workers).",
	    ex->workers);
	metric(fp, "spagate_worker_replays_refused_total", "counter",
	    "OPEN events the executor's replay store refused: the packet "
	    "came to another worker too.", ex->gate.replays);
	metric(fp, "spagate_worker_replays_unrecorded_total", "counter",
	    "OPEN events refused because the executor's replay store could "
	    "not record their digest.", ex->gate.unrecorded);
	metric(fp, "spagate_control_requests_total", "counter",
	    "Requests carried out on the control socket.", ex->control.served);
	metric(fp, "spagate_control_refused_total", "counter",
	    "Control socket requests refused as malformed.",
	    ex->control.bad_request);
	metric(fp, "spagate_control_peers_refused_total", "counter",
	    "Control socket connections refused: not root or spagated's uid.",
	    ex->control.refused_peer);
	metric(fp, "spagate_policy_files_disabled", "gauge",
	    "Per-user files whose error disabled their stanzas.",
	    ex->files_disabled);
	metric(fp, "spagate_policy_stanzas_disabled", "gauge",
	    "Stanzas that refuse every packet: their per-user file has an "
	    "error.", ex->stanzas_disabled);
	metric(fp, "spagate_gpg_stanzas_disabled", "gauge",
	    "Stanzas that refuse every GnuPG packet: the GnuPG keys a "
	    "per-user file chose do not load in the verifier.",
	    msg_stats_get(vs, MSG_STATS_GPG_DISABLED));
	metric(fp, "spagate_cycles_open", "gauge",
	    "Command cycles with a close pending.", (uint64_t)c->open);
	metric(fp, "spagate_cycles_opened_total", "counter",
	    "Command cycles opened.", c->opened);
	metric(fp, "spagate_cycles_extended_total", "counter",
	    "Open cycles whose close moved later by a new grant.", c->extended);
	metric(fp, "spagate_cycles_closed_total", "counter",
	    "Command cycles closed.", c->closed);
	metric(fp, "spagate_cycles_open_failed_total", "counter",
	    "Open commands that failed.", c->open_failed);
	metric(fp, "spagate_cycles_close_failed_total", "counter",
	    "Close commands that failed.", c->close_failed);
	metric(fp, "spagate_cycles_close_abandoned_total", "counter",
	    "Cycles dropped after their close failed for "
	    "executor.close_retry_limit: access may be left open.",
	    c->close_abandoned);
	metric(fp, "spagate_cycles_released_total", "counter",
	    "Cycles ended without their close while another held the "
	    "same object.", c->released);
	metric(fp, "spagate_objects_restored_total", "counter",
	    "Objects of open cycles removed outside spagated and put back.",
	    c->restored);
	metric(fp, "spagate_objects_restore_failed_total", "counter",
	    "Objects removed outside spagated that could not be put back.",
	    c->restore_failed);
	metric(fp, "spagate_objects_unverified_total", "counter",
	    "Rechecks of an open cycle's object that could not tell.",
	    c->unverified);
	metric(fp, "spagate_commands_total", "counter",
	    "Commands started.", c->commands);
	metric(fp, "spagate_commands_running", "gauge",
	    "Commands running or queued.", (uint64_t)c->jobs);
	if (ex->fleet)
		fleet_metrics(fp, ex);
	if (ex->cisco.devices > 0)
		metric(fp, "spagate_cisco_entries_left_alone_total", "counter",
		    "Cisco removals refused: the entry at the number is not "
		    "the one the cycle recorded.", ex->cisco.left_alone);
	if (ex->nft.commands > 0)
		nft_metrics(fp, &ex->nft);
	if (ex->nat_dns) {
		metric(fp, "spagate_nat_dns_resolved_total", "counter",
		    "NAT host names resolved to an IPv4 address (nat.dns).",
		    ex->nat_dns_resolved);
		metric(fp, "spagate_nat_dns_refused_total", "counter",
		    "NAT grants refused: the host name gave no IPv4 address "
		    "in time.", ex->nat_dns_refused);
	}
}

struct metrics_src {
	const struct msg_stats		*vs;
	const struct metrics_exec	*ex;
};

static void
fill(FILE *fp, const void *arg)
{
	const struct metrics_src *src = arg;

	metrics_format(fp, src->vs, src->ex);
}

/*
 * The collector's directory may be someone else's: safefile_replace never
 * opens a name found there (a FIFO would block every close).  Mode 0644:
 * the collector runs as another user, whatever our umask.
 */
int
metrics_write(const char *path, const struct msg_stats *vs,
    const struct metrics_exec *ex)
{
	struct metrics_src src = { vs, ex };

	return safefile_replace(path, 0644, fill, &src);
}
