/* The executor: the privileged parent process (see executor.h). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "event.h"
#include "executor.h"
#include "log.h"
#include "metrics.h"
#include "msg.h"
#include "msg_batch.h"
#include "policy.h"
#include "replay_gate.h"
#include "safefile.h"

#define JOURNAL_DIR		"cycles"
#define RESPAWN_MAX		30	/* seconds between verifier restarts */
#define HEALTHY_MS		60000	/* a run this long resets the backoff */
#define STOP_GRACE_MS		5000	/* for closes at shutdown, beyond
					   their commands' timeouts */
/* the verifiers' sockets, every command's pipes, the modules' */
_Static_assert(CONF_WORKERS_MAX + RUNNER_MAX_PROCS * 2 + ACTION_PFD_MAX <
    LOOP_MAX_PFD,
    "the executor's descriptors fit one pass");
#define READ_BATCH		256	/* verifier messages per loop pass */
#define GATE_SYNC_MS		1000	/* the executor's replay store to disk */

/* --- configuration ------------------------------------------------------- */

static int
apply_cli(struct spa_conf *c, const struct cli_opts *o)
{
	int r = 0;

	if (o->access_file != NULL) {
		r |= conf_set_string(&c->access_file, o->access_file);
		free(c->access_folder);
		c->access_folder = NULL;
	}
	if (o->access_folder != NULL)
		r |= conf_set_string(&c->access_folder, o->access_folder);
	if (o->interface != NULL)
		r |= conf_set_string(&c->capture.interface, o->interface);
	if (o->pcap_filter != NULL)
		r |= conf_set_string(&c->capture.filter, o->pcap_filter);
	if (o->state_dir != NULL)
		r |= conf_set_string(&c->state_dir, o->state_dir);
	if (o->pid_file != NULL)
		r |= conf_set_string(&c->pid_file, o->pid_file);
	if (o->udp_server)
		c->capture.mode = CAPTURE_UDP;
	if (o->any_direction)
		c->capture.any_direction = true;
	c->verbose += o->verbose;
	return r != 0 ? SPA_ERR_NOMEM : 0;
}

static int
load_config(const struct cli_opts *o, struct spa_conf *c)
{
	struct conf_error err;
	const char *path = o->config_file ? o->config_file : CONF_DEF_PATH;
	int r;

	conf_defaults(c);
	if ((r = action_conf_groups(c)) == 0 &&
	    (r = conf_load(path, o->config_file != NULL, c, &err)) == 0 &&
	    (r = apply_cli(c, o)) == 0 &&
	    (r = conf_validate(c, &err)) == 0)
		return 0;
	if (r == SPA_ERR_CONFIG)
		log_errx("%s", err.text);
	else
		log_errx("configuration: %s", spa_strerror(r));
	conf_free(c);
	return r;
}

int
executor_load_conf(const struct cli_opts *cli, struct spa_conf *conf)
{
	return load_config(cli, conf);
}


static void
free_policy(struct access_conf *access, struct plan *plan)
{
	plan_free(plan);
	if (access != NULL) {
		policy_release(access);
		access_free(access);
	}
}

/* What the cycle engine needs of spagated.conf (borrowed strings). */
static void
cycles_conf_of(const struct spa_conf *conf, struct cycles_conf *cc)
{
	memset(cc, 0, sizeof(*cc));
	cc->command_timeout = conf->command_timeout;
	cc->sudo_exe = conf->sudo_exe;
	cc->close_retry_limit = conf->close_retry_limit;
	cc->recheck_interval = conf->recheck_interval;
}

/*
 * Everything a start checks, also what this host must have (interface,
 * users, directories): a reload that passes this cannot stop the daemon
 * for a fact that could have been known.
 */
int
executor_load(const struct cli_opts *cli, struct action_table *modules,
    struct spa_conf *conf, struct access_conf **access, struct plan *plan)
{
	struct conf_error err;
	char why[512];
	int r;

	if ((r = load_config(cli, conf)) != 0)
		return r;
	if ((r = plan_load(conf, modules, access, plan, why,
	    sizeof(why))) != 0) {
		log_errx("%s", why);
		conf_free(conf);
		return r;
	}
	/* what the verifier is told must fit its messages (logs why not) */
	if ((r = vproc_send_conf(-1, &(struct vproc_conf){ .conf = conf,
	    .access = *access, .pcap_file = cli->pcap_file })) == 0 &&
	    (r = conf_check_host(conf, cli->pcap_file == NULL, &err)) != 0)
		log_errx("%s", err.text);
	if (r == 0)
		return 0;
	free_policy(*access, plan);
	*access = NULL;
	conf_free(conf);
	return r;
}

/* A run that ends by itself (-C, a pcap file): one worker, no restart. */
static bool
finite_run(const struct executor *x)
{
	return x->cli->pcap_file != NULL || x->cli->packet_limit != 0;
}

/* --- the executor's replay store, with several workers ------------------ */

/*
 * Opened when a configuration runs several workers, and kept for the
 * daemon's life: a reload back to one worker still refuses a packet that
 * another worker let through.  Left on disk by such a run, it is checked
 * too after a start with one worker (remove it to stop that, once
 * max_packet_age has passed).  -t keeps it in its throwaway directory.
 */
static int
open_gate(struct executor *x, const struct spa_conf *c)
{
	bool several = !finite_run(x) && c->capture.workers > 1;
	char path[4096];
	int r;

	if (x->gate != NULL)
		return 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s",
	    x->test_state[0] != '\0' ? x->test_state : c->state_dir,
	    REPLAY_GATE_FILE) >= sizeof(path))
		return SPA_ERR_CONFIG;
	/* -C and a pcap file grant for real: only -t's state is thrown away */
	if (!several && (x->cli->test_mode || access(path, F_OK) != 0))
		return 0;
	if ((r = replay_gate_open(path, c->replay_capacity, &x->gate)) != 0)
		return r;	/* logged */
	replay_gate_set_age(x->gate, c->max_packet_age);
	if (!several)
		log_info("the executor's replay store %s, left by a run with "
		    "several workers, is checked too", path);
	return 0;
}

/* --- reload: the previous configuration until the new one runs ---------- */

static void restart_workers(struct executor *);

/*
 * state_dir/name, for spagated -S and spagate status: what `fill` writes,
 * replaced atomically; without `fill`, no file.
 */
static void
save_state(const struct executor *x, const char *name, mode_t mode,
    safefile_fill fill, const void *arg)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", x->conf.state_dir,
	    name) >= sizeof(path))
		return;
	if (fill == NULL)
		unlink(path);
	else if (safefile_replace(path, mode, fill, arg) != 0)
		log_warn("%s", path);
}

/*
 * state_dir/EXECUTOR_POLICY_FILE: the per-user files the policy in force
 * disabled, one line each, for spagated -S and spagate status; no file
 * when there is none.
 */
static void
fill_disabled(FILE *fp, const void *access)
{
	access_print_disabled(access, fp);
}

static void
save_policy_errors(const struct executor *x)
{
	save_state(x, EXECUTOR_POLICY_FILE, 0600,
	    x->access->ndisabled == 0 ? NULL : fill_disabled, x->access);
}

/* The configuration in x->conf is now the one in force. */
static void
policy_in_force(struct executor *x)
{
	struct cycles_conf cc;

	cycles_set_policy(x->cycles, x->access, &x->plan);
	cycles_conf_of(&x->conf, &cc);
	cycles_set_conf(x->cycles, &cc);	/* its strings were the old conf's */
	log_set_verbose(x->conf.verbose);
	x->metrics_due_ms = 0;	/* the (new) metrics file at once */
	save_policy_errors(x);
	age_log_set(&x->ages, x->conf.max_packet_age, time(NULL));
	if (x->gate != NULL)
		replay_gate_set_age(x->gate, x->conf.max_packet_age);
}

/*
 * The running configuration is kept until the verifier of the new one is
 * ready; while one is kept, a newer reload replaces only the unproven one.
 */
static void
keep_previous(struct executor *x)
{
	if (x->prev_access == NULL) {
		x->prev_conf = x->conf;
		x->prev_access = x->access;
		x->prev_plan = x->plan;
		return;
	}
	free_policy(x->access, &x->plan);
	conf_free(&x->conf);
}

/* The new verifier is ready: the previous configuration goes. */
static void
reload_done(struct executor *x)
{
	if (x->prev_access == NULL)
		return;
	free_policy(x->prev_access, &x->prev_plan);
	conf_free(&x->prev_conf);
	x->prev_access = NULL;
}

/*
 * The new verifier ended before it was ready (a port taken, an interface
 * gone since the check): the previous configuration, and its verifier,
 * come back.
 */
static void
reload_fall_back(struct executor *x, const char *how)
{
	char why[256] = "";

	log_errx("verifier %s with the reloaded configuration: back to the "
	    "previous configuration (%zu stanza%s)", how,
	    x->prev_access->n, x->prev_access->n == 1 ? "" : "s");
	free_policy(x->access, &x->plan);
	conf_free(&x->conf);
	x->conf = x->prev_conf;
	x->access = x->prev_access;
	x->plan = x->prev_plan;
	x->prev_access = NULL;
	if (action_table_configure(x->modules, &x->conf, why, sizeof(why)) != 0)
		log_errx("previous configuration: %s", why);
	policy_in_force(x);
	restart_workers(x);	/* the others run the reloaded one */
}

/* --- the verifier workers ----------------------------------------------- */

/* How many verifiers this configuration runs: one reads a file or -C. */
static size_t
workers_wanted(const struct executor *x)
{
	if (finite_run(x))
		return 1;
	return x->conf.capture.workers;
}

/* "verifier", or with several "verifier 2 of 3", for the log. */
static const char *
wname(const struct executor *x, const struct worker *w, char *buf,
    size_t len)
{
	if (x->nw <= 1)
		return "verifier";
	snprintf(buf, len, "verifier %u of %u", w->index + 1,
	    (unsigned int)x->nw);
	return buf;
}

#define WNAME(x, w)	wname((x), (w), (char[48]){ 0 }, 48)

/* Worker i's slot, made on first use; NULL if out of memory. */
static struct worker *
worker_slot(struct executor *x, size_t i)
{
	struct worker *w = x->w[i];

	if (w != NULL)
		return w;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	if ((w->in = malloc(sizeof(*w->in))) == NULL) {
		free(w);
		return NULL;
	}
	msg_in_init(w->in, -1);
	w->index = (unsigned int)i;
	w->sock = -1;
	w->respawn_delay = 1;
	x->w[i] = w;
	return w;
}

static size_t
workers_running(const struct executor *x)
{
	size_t i, n = 0;

	for (i = 0; i < CONF_WORKERS_MAX; i++)
		n += x->w[i] != NULL && x->w[i]->pid > 0;
	return n;
}

static size_t
workers_ready(const struct executor *x)
{
	size_t i, n = 0;

	for (i = 0; i < x->nw; i++)
		n += x->w[i]->pid > 0 && x->w[i]->ready;
	return n;
}

static void
spawn_worker(struct executor *x, struct worker *w)
{
	x->vconf.conf = &x->conf;
	x->vconf.access = x->access;
	x->vconf.pcap_file = x->cli->pcap_file;
	x->vconf.packet_limit = x->cli->packet_limit;
	x->vconf.state_dir = x->test_state[0] != '\0' ? x->test_state : NULL;
	/* where spagated.c's setup sends the log */
	x->vconf.log_dest = x->cli->pcap_file == NULL && !x->cli->foreground ?
	    LOG_TO_SYSLOG : LOG_TO_STDERR;
	x->vconf.workers = (unsigned int)x->nw;
	x->vconf.worker = w->index;
	x->vconf.fanout_group = x->fanout_group;
	w->respawn_at_ms = 0;
	w->ready = false;
	w->killed = false;
	w->stats_asked = 0;
	memset(&w->stats, 0, sizeof(w->stats));
	w->stats_ms = 0;
	w->pid = vproc_spawn(&x->vconf, &w->sock);
	if (w->pid < 0) {	/* vproc_spawn said why */
		log_errx("cannot start the %s: trying again in 1 s",
		    WNAME(x, w));
		w->pid = 0;
		w->sock = -1;
		w->respawn_at_ms = mono_ms() + 1000;
		return;
	}
	w->started_ms = mono_ms();
	log_debug("%s started (pid %ld)", WNAME(x, w), (long)w->pid);
}

/*
 * The executor's store takes the workers' stores' digests each time they
 * all start, while none runs to hold them: a store new, or left empty by
 * a crash as it was made, or made by a reload that died before its
 * workers started, has not seen what a single worker granted (which
 * needed none).  Taking a digest it holds again changes nothing.
 */
static void
seed_gate(struct executor *x)
{
	char path[4096], name[32];
	unsigned int k;

	if (x->gate == NULL)
		return;
	for (k = 0; k < CONF_WORKERS_MAX; k++) {
		sandbox_replay_file(k, name, sizeof(name));
		if ((size_t)snprintf(path, sizeof(path), "%s/%s/%s",
		    x->test_state[0] != '\0' ? x->test_state :
		    x->conf.state_dir, VPROC_REPLAY_DIR, name) < sizeof(path))
			(void)replay_gate_seed(x->gate, path, time(NULL));
	}
}

/* Every worker of the configuration in force (none runs). */
static void
spawn_workers(struct executor *x)
{
	size_t i, n = workers_wanted(x);

	seed_gate(x);

	for (x->nw = 0; x->nw < n; x->nw++)
		if (worker_slot(x, x->nw) == NULL) {
			log_errx("out of memory: %zu verifier workers of %zu",
			    x->nw, n);
			break;
		}
	for (i = 0; i < x->nw; i++)
		spawn_worker(x, x->w[i]);
}

/*
 * A reload, or its fall back: every worker stops, and once none runs the
 * configuration in force starts them all (their count may have changed,
 * and a UDP port or fanout group is shared only by equals).
 */
static void
restart_workers(struct executor *x)
{
	size_t i;

	for (i = 0; i < CONF_WORKERS_MAX; i++) {
		if (x->w[i] == NULL)
			continue;
		x->w[i]->respawn_at_ms = 0;
		if (x->w[i]->pid > 0)
			kill(x->w[i]->pid, SIGTERM);
	}
	if (workers_running(x) > 0)
		x->reloading = true;
	else
		spawn_workers(x);
}

static void
describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		snprintf(buf, len, "killed by signal %d (SIGSYS: a system "
		    "call its sandbox forbids; the kernel's audit log names it)",
		    SIGSYS);
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "ended (status 0x%x)", status);
}

/* A worker that ran and died: again, after a delay that doubles. */
static void
schedule_respawn(struct executor *x, struct worker *w, const char *how)
{
	if (mono_ms() - w->started_ms > HEALTHY_MS)
		w->respawn_delay = 1;
	log_errx("%s %s: restarting it in %u s (open cycles are "
	    "unaffected)", WNAME(x, w), how, w->respawn_delay);
	w->respawn_at_ms = mono_ms() + w->respawn_delay * 1000;
	w->respawn_delay = w->respawn_delay * 2 > RESPAWN_MAX ? RESPAWN_MAX :
	    w->respawn_delay * 2;
}

static void	stats_answered(struct executor *);

/* Reap a worker that is gone; its status, as words, in `how`. */
static int
reap_worker(struct executor *x, struct worker *w, char *how, size_t len)
{
	int status = 0;

	close(w->sock);
	w->sock = -1;
	while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
		;
	w->pid = 0;
	if (w->stats_asked > 0) {	/* its answer will not come */
		w->stats_asked = 0;
		stats_answered(x);
	}
	describe_status(status, how, len);
	return status;
}

/* A worker is gone: reap it, then restart it (or them all) or finish. */
static void
worker_ended(struct executor *x, struct worker *w)
{
	char how[160];
	bool finite = finite_run(x);
	int status = reap_worker(x, w, how, sizeof(how));

	if (WIFSIGNALED(status) && WTERMSIG(status) != SIGTERM &&
	    (x->stopping || x->reloading))
		log_warnx("%s %s while stopping", WNAME(x, w), how);
	if (x->stopping)
		return;
	if (x->reloading) {
		if (workers_running(x) == 0) {
			x->reloading = false;
			spawn_workers(x);
		}
		return;
	}
	if (finite && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		log_info("verifier finished its input: shutting down");
		x->stopping = true;
		return;
	}
	if (!finite && !w->ready && x->prev_access != NULL) {
		reload_fall_back(x, how);
		return;
	}
	if (finite || !w->ready) {
		log_errx("%s %s before it could run: giving up", WNAME(x, w),
		    how);
		x->exit_code = 1;
		x->stopping = true;
		return;
	}
	schedule_respawn(x, w, how);
}

/*
 * Anything malformed or out of place from a verifier means it is not
 * ours any more: nothing else it sent is read.  The other workers run on.
 */
static void
verifier_hostile(struct executor *x, struct worker *w, const char *why)
{
	log_errx("verifier (pid %ld) sent %s: killing it", (long)w->pid,
	    why);
	x->hostile++;
	w->killed = true;
	kill(w->pid, SIGKILL);
}

/*
 * A refusal that depends on the clock (the age, a stanza's expiry) can
 * happen to an honest verifier whose clock is off: refuse that one grant,
 * keep the verifier.
 */
static void
refuse_on_time(struct executor *x, const struct spa_event *ev, int r,
    int64_t now_s, uint32_t age)
{
	char allow[ADDR_STRLEN];

	x->refused_time++;
	log_errx("stanza #%u: grant to %s refused: %s (packet time %lld, "
	    "received by the verifier at %lld, executor clock %lld, "
	    "max_packet_age %u, tolerance %d s)", ev->stanza,
	    addr_fmt(&ev->allow, allow), spa_strerror(r),
	    (long long)ev->spa_time, (long long)ev->recv_time,
	    (long long)now_s, age, POLICY_RECV_SKEW);
}

static void
policy_opts_of(const struct executor *x, const struct spa_event *ev,
    struct policy_opts *opts)
{
	/* the smallest age in force since the packet's time (age_log.h) */
	opts->max_packet_age = x->cli->pcap_file != NULL ? 0 :
	    age_log_for(&x->ages, ev->spa_time);
	opts->nat_forwarding = x->conf.nat_forwarding;
	opts->nat_local = x->conf.nat_local;
	opts->nat_dns = x->conf.nat_dns;
	opts->x_forwarded_for = x->conf.capture.x_forwarded_for;
}

int
executor_recheck(struct executor *x, const struct spa_event *ev,
    const struct stanza **st)
{
	struct policy_opts opts;

	policy_opts_of(x, ev, &opts);
	return policy_recheck(x->access, &opts, ev, x->loop.now.wall_s, st);
}

/*
 * Several workers: the packet may have come on another flow to another
 * worker too, whose store did not see this copy; the executor's own
 * store lets one OPEN of a packet through (replay_gate.h).
 */
static bool
first_of_packet(struct executor *x, const struct spa_event *ev)
{
	if (x->gate == NULL)
		return true;	/* one worker: its store was the check */
	if (x->gate_sync_ms == 0)
		x->gate_sync_ms = x->loop.now.mono_ms + GATE_SYNC_MS;
	return replay_gate_admit(x->gate, ev, x->loop.now.wall_s) == 0;
}

static void
grant(struct executor *x, struct worker *w, const struct spa_event *ev)
{
	const struct stanza *st = NULL;
	struct policy_opts opts;
	char line[1024];
	int64_t now_s = x->loop.now.wall_s;	/* the pass's */
	int r;

	policy_opts_of(x, ev, &opts);
	if ((r = policy_recheck(x->access, &opts, ev, now_s, &st)) != 0) {
		x->refused++;
		if (r == SPA_ERR_AGE || r == SPA_ERR_EXPIRED) {
			refuse_on_time(x, ev, r, now_s, opts.max_packet_age);
			return;
		}
		snprintf(line, sizeof(line), "an OPEN its policy does not allow "
		    "(%s)", spa_strerror(r));
		verifier_hostile(x, w, line);
		return;
	}
	if (!first_of_packet(x, ev))
		return;	/* logged and counted */
	if (ev->recv_time != now_s)
		log_debug("stanza #%u: OPEN received by the verifier at %lld, "
		    "checked at %lld", ev->stanza, (long long)ev->recv_time,
		    (long long)now_s);
	x->opens++;
	if (x->fleet != NULL)
		fleet_link_hold(x, st, ev);	/* decided after the batch */
	else
		executor_carry_out(x, st, ev);
}

void
executor_carry_out(struct executor *x, const struct stanza *st,
    const struct spa_event *ev)
{
	char line[1024];

	if (x->cli->test_mode) {
		if (event_format(ev, line, sizeof(line)) >= 0) {
			printf("%s\n", line);
			fflush(stdout);
		}
		return;
	}
	if (nat_dns_wanted(ev)) {
		nat_link_resolve(x, ev);	/* granted once resolved */
		return;
	}
	cycles_grant(x->cycles, st, ev, &x->loop.now);
}

/* Several workers: how the packets were dealt, one line each. */
static void
log_worker_stats(const struct executor *x)
{
	struct replay_gate_stats gs;
	const struct worker *w;
	size_t i;

	if (x->gate == NULL)
		return;
	for (i = 0; i < x->nw; i++) {
		w = x->w[i];
		log_info("stats: %s (pid %ld): packets %" PRIu64 ", granted %"
		    PRIu64 ", dropped by the kernel before capture %" PRIu64,
		    WNAME(x, w), (long)w->pid,
		    msg_stats_get(&w->stats, MSG_STATS_PACKETS),
		    msg_stats_get(&w->stats, MSG_STATS_GRANTED),
		    msg_stats_get(&w->stats, MSG_STATS_CAPTURE_DROPPED));
	}
	replay_gate_get_stats(x->gate, &gs);
	log_info("stats: the executor's replay store: OPENs checked %" PRIu64
	    ", replays refused %" PRIu64 ", digests it could not record %"
	    PRIu64, gs.checked, gs.replays, gs.unrecorded);
}

/*
 * SIGUSR1: the verifiers' counters (packets, grants, then one per drop
 * reason in the order of enum spa_err; summed over the workers, then
 * each worker's) and the executor's, one line each.
 */
static void
log_stats(struct executor *x, const struct msg_stats *vs)
{
	struct cisco_stats cis;
	struct cycles_stats cs;
	struct nft_stats nfs;
	struct nat_dns_stats ns;
	char line[1024];
	uint64_t v;
	size_t off;
	int n, reason;

	off = (size_t)snprintf(line, sizeof(line), "stats: verifier: packets "
	    "%" PRIu64 ", granted %" PRIu64 ", log lines suppressed %" PRIu64
	    ", dropped by the kernel before capture %" PRIu64 ", GnuPG "
	    "stanzas disabled %" PRIu64,
	    msg_stats_get(vs, MSG_STATS_PACKETS),
	    msg_stats_get(vs, MSG_STATS_GRANTED),
	    msg_stats_get(vs, MSG_STATS_SUPPRESSED),
	    msg_stats_get(vs, MSG_STATS_CAPTURE_DROPPED),
	    msg_stats_get(vs, MSG_STATS_GPG_DISABLED));
	for (reason = 1; reason < SPA_ERR_COUNT && off < sizeof(line);
	    reason++) {
		if ((v = msg_stats_get(vs, MSG_STATS_REASONS +
		    (size_t)reason)) == 0)
			continue;
		n = snprintf(line + off, sizeof(line) - off, ", %s %" PRIu64,
		    spa_errname(-reason), v);
		off += n > 0 ? (size_t)n : 0;
	}
	log_info("%s", line);
	log_worker_stats(x);
	cycles_get_stats(x->cycles, &cs);
	log_info("stats: executor: %llu OPEN events, %llu refused (%llu by the "
	    "clock), verifiers killed for a message %llu; cycles open %zu, opened %" PRIu64 ", extended %" PRIu64 ", closed %" PRIu64
	    ", open failed %" PRIu64 ", close failed %" PRIu64 ", closes "
	    "abandoned %" PRIu64 ", released %" PRIu64 ", commands %" PRIu64
	    ", running %zu", (unsigned long long)x->opens,
	    (unsigned long long)x->refused,
	    (unsigned long long)x->refused_time,
	    (unsigned long long)x->hostile, cs.open, cs.opened,
	    cs.extended, cs.closed, cs.open_failed, cs.close_failed,
	    cs.close_abandoned, cs.released, cs.commands, cs.jobs);
	log_info("stats: objects: put back %" PRIu64 ", could not be put back "
	    "%" PRIu64 ", rechecks that could not tell %" PRIu64, cs.restored,
	    cs.restore_failed, cs.unverified);
	if (x->control != NULL) {
		struct control_stats ks;

		control_get_stats(x->control, &ks);
		log_info("stats: control socket: requests %" PRIu64 ", refused "
		    "%" PRIu64 ", peers refused %" PRIu64 ", timed out %" PRIu64,
		    ks.served, ks.bad_request, ks.refused_peer, ks.timed_out);
	}
	cisco_get_stats(x->modules, &cis);
	if (cis.devices > 0)
		log_info("stats: cisco: entries left alone %" PRIu64,
		    cis.left_alone);
	nat_dns_get_stats(x->nat_dns, &ns);
	if (x->conf.nat_dns)
		log_info("stats: nat.dns: names resolved %" PRIu64 ", grants "
		    "refused %" PRIu64 ", resolving %zu", ns.resolved,
		    x->nat_dns_refused, ns.pending);
	nft_get_stats(x->modules, &nfs);
	if (nfs.commands > 0)
		log_info("stats: nft: element commands %" PRIu64 ", "
		    "transactions %" PRIu64 ", refused by the kernel %" PRIu64,
		    nfs.commands, nfs.transactions, nfs.failed);
	if (x->fleet != NULL) {
		struct fleet_stats fs;

		fleet_get_stats(x->fleet, &fs);
		log_info("stats: fleet: digests checked %" PRIu64 ", replays "
		    "refused %" PRIu64 ", unreachable %" PRIu64 ", cycles "
		    "taken over %" PRIu64 ", records refused %" PRIu64,
		    fs.checked, fs.replays, fs.unreachable, fs.claimed,
		    fs.refused);
	}
}

static void
nat_stats_of(const struct executor *x, struct metrics_exec *ex)
{
	struct nat_dns_stats ns;

	nat_dns_get_stats(x->nat_dns, &ns);
	ex->nat_dns = x->conf.nat_dns;
	ex->nat_dns_resolved = ns.resolved;
	ex->nat_dns_refused = x->nat_dns_refused;
}

void
executor_metrics_of(const struct executor *x, struct metrics_exec *ex)
{
	memset(ex, 0, sizeof(*ex));
	ex->opens = x->opens;
	ex->refused = x->refused;
	ex->refused_time = x->refused_time;
	ex->verifier_hostile = x->hostile;
	ex->workers = x->nw;
	replay_gate_get_stats(x->gate, &ex->gate);
	ex->files_disabled = x->access->ndisabled;
	ex->stanzas_disabled = access_disabled_stanzas(x->access);
	cycles_get_stats(x->cycles, &ex->cycles);
	if (x->control != NULL)
		control_get_stats(x->control, &ex->control);
	cisco_get_stats(x->modules, &ex->cisco);
	nft_get_stats(x->modules, &ex->nft);
	nat_stats_of(x, ex);
	if ((ex->fleet = x->fleet != NULL)) {
		ex->fleet_up = fleet_is_up(x->fleet);
		fleet_get_stats(x->fleet, &ex->fleet_stats);
	}
}

/* spagated.conf "metrics": the counters for node_exporter (metrics.h). */
static int
write_metrics(struct executor *x)
{
	struct metrics_exec ex;
	int r;

	if (x->conf.metrics_file == NULL)
		return 0;
	executor_metrics_of(x, &ex);
	if ((r = metrics_write(x->conf.metrics_file, &x->vstats, &ex)) != 0) {
		if (!x->metrics_failing)
			log_warn("metrics file %s", x->conf.metrics_file);
		x->metrics_failing = true;
		return r;
	}
	if (x->metrics_failing)
		log_info("metrics file %s written again", x->conf.metrics_file);
	x->metrics_failing = false;
	return 0;
}

/* Ask each ready verifier for its counters; MSG_STATS answers. */
static void
request_stats(struct executor *x)
{
	struct msg m = { .type = MSG_STATS_REQ };
	struct worker *w;
	uint8_t b[16];
	size_t i;
	int n;

	if ((n = msg_encode(&m, b, sizeof(b))) <= 0)
		return;
	for (i = 0; i < x->nw; i++) {
		w = x->w[i];
		if (w->sock < 0 || !w->ready)
			continue;
		if (send(w->sock, b, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) == n)
			w->stats_asked++;	/* its answer is now expected */
	}
}

static unsigned int
stats_pending(const struct executor *x)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < x->nw; i++)
		n += x->w[i]->stats_asked;
	return n;
}

const char *
executor_verifier_state(const struct executor *x)
{
	if (x->nw > 0 && workers_ready(x) == x->nw)
		return "ready";
	return workers_running(x) > 0 ? "starting" : "not running";
}

/* For spagate status: counters no older than a second, asked at most once. */
void
executor_refresh_stats(struct executor *x)
{
	if (workers_ready(x) > 0 && stats_pending(x) == 0 &&
	    (x->vstats_ms == 0 || mono_ms() - x->vstats_ms > 1000))
		request_stats(x);
}

/*
 * The workers' counters as one verifier's: summed, but for the replay
 * store's state (the first failing one's) and the GnuPG stanzas each
 * disables alike; their time is the oldest part's.
 */
static void
sum_workers(struct executor *x)
{
	const struct worker *w;
	struct msg_stats *vs = &x->vstats;
	size_t i, k;

	memset(vs, 0, sizeof(*vs));
	x->vstats_ms = 0;
	for (i = 0; i < x->nw; i++) {
		if ((w = x->w[i])->stats_ms == 0)
			continue;
		for (k = 0; k < w->stats.n && k < MSG_STATS_MAX; k++)
			if (k == MSG_STATS_REPLAY_ERRNO ||
			    k == MSG_STATS_GPG_DISABLED)
				vs->v[k] = vs->v[k] != 0 ? vs->v[k] :
				    w->stats.v[k];
			else
				vs->v[k] += w->stats.v[k];
		vs->n = w->stats.n > vs->n ? w->stats.n : vs->n;
		if (x->vstats_ms == 0 || w->stats_ms < x->vstats_ms)
			x->vstats_ms = w->stats_ms;
	}
}

/* Every worker asked has answered (or is gone): log, write. */
static void
stats_answered(struct executor *x)
{
	if (stats_pending(x) > 0)
		return;
	sum_workers(x);
	if (x->stats_log)
		log_stats(x, &x->vstats);
	x->stats_log = false;
	write_metrics(x);
}

/* Every metrics.interval: fresh MSG_STATS, or the last ones if none runs. */
static void
metrics_tick(struct executor *x, int64_t now_ms)
{
	if (x->conf.metrics_file == NULL || now_ms < x->metrics_due_ms)
		return;
	x->metrics_due_ms = now_ms + (int64_t)x->conf.metrics_interval * 1000;
	if (workers_ready(x) > 0)
		request_stats(x);
	else
		write_metrics(x);
}

static void
fill_line(FILE *fp, const void *line)
{
	fprintf(fp, "%s\n", (const char *)line);
}

/* Its sandbox, as it said; the verifier cannot see where its chroot is. */
static void
sandbox_of(const struct executor *x, const struct worker *w, char *buf,
    size_t len)
{
	if (strncmp(w->sandbox, "chroot", 6) == 0)
		snprintf(buf, len, "chroot %s/%s%s",
		    x->test_state[0] != '\0' ? x->test_state :
		    x->conf.state_dir, VPROC_REPLAY_DIR, w->sandbox + 6);
	else
		snprintf(buf, len, "%s", w->sandbox);
}

/* state_dir/EXECUTOR_SANDBOX_FILE: a line for each ready verifier. */
static void
fill_sandboxes(FILE *fp, const void *arg)
{
	const struct executor *x = arg;
	char sandbox[4096 + 96];
	size_t i;

	for (i = 0; i < x->nw; i++) {
		if (x->w[i]->pid <= 0 || !x->w[i]->ready)
			continue;
		sandbox_of(x, x->w[i], sandbox, sizeof(sandbox));
		fprintf(fp, "verifier (pid %ld): %s\n", (long)x->w[i]->pid,
		    sandbox);
	}
}

static void
verifier_ready(struct executor *x, struct worker *w, const struct msg_ready *r)
{
	char sandbox[4096 + sizeof(r->sandbox)], which[96] = "";

	w->ready = true;
	snprintf(w->sandbox, sizeof(w->sandbox), "%s", r->sandbox);
	/* not one stopped for a reload; the reload holds once all run it */
	if (!x->reloading && workers_ready(x) == x->nw)
		reload_done(x);
	sandbox_of(x, w, sandbox, sizeof(sandbox));
	if (x->nw > 1)
		snprintf(which, sizeof(which), "; worker %u of %u, fanout "
		    "group %u", w->index + 1, (unsigned int)x->nw,
		    (unsigned int)x->fanout_group);
	log_info("verifier ready (pid %ld): %s; sandbox: %s%s", (long)w->pid,
	    r->capture, sandbox, which);
	if (x->cli->pcap_file == NULL)
		save_state(x, EXECUTOR_SANDBOX_FILE, 0644, fill_sandboxes, x);
}

/* No replay store failure known (new verifiers, or they record again). */
static void
clear_replay_state(struct executor *x)
{
	char path[4096];

	x->replay_err_noted = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", x->conf.state_dir,
	    EXECUTOR_REPLAY_FILE) < sizeof(path))
		unlink(path);
}

/* The first failing worker's replay store error, 0 while all record. */
static uint64_t
replay_errno_of(const struct executor *x)
{
	uint64_t e;
	size_t i;

	for (i = 0; i < x->nw; i++)
		if (x->w[i]->pid > 0 && (e = msg_stats_get(&x->w[i]->stats,
		    MSG_STATS_REPLAY_ERRNO)) != 0)
			return e;
	return 0;
}

/*
 * A verifier's replay store failing to record, or recording again (it
 * sends its counters at once when that changes): for spagate status.
 */
static void
note_replay_state(struct executor *x)
{
	char line[256], when[32];
	uint64_t err = replay_errno_of(x);
	time_t t = time(NULL);
	struct tm tm;

	if (err == x->replay_err_noted)
		return;
	if (err == 0) {
		clear_replay_state(x);
		return;
	}
	x->replay_err_noted = err;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S",
	    localtime_r(&t, &tm));
	snprintf(line, sizeof(line), "replay store: cannot record digests "
	    "(%s) since %s: every grant is refused", strerror((int)err), when);
	save_state(x, EXECUTOR_REPLAY_FILE, 0644, fill_line, line);
}

/* What the executor expects of this verifier now (msg.h's table). */
static enum msg_phase
verifier_phase(const struct worker *w)
{
	if (!w->ready)
		return MSG_PHASE_STARTING;
	return w->stats_asked > 0 ? MSG_PHASE_ASKED : MSG_PHASE_RUNNING;
}

static void
out_of_place(struct executor *x, struct worker *w, enum msg_type t)
{
	static const char *const what[] = {
		[MSG_READY] = "a second READY",
		[MSG_OPEN] = "an OPEN",
		[MSG_STATS_REQ] = "a message only the executor sends",
		[MSG_STATS] = "a STATS nobody asked for",
		[MSG_REPLAY_STATE] = "a REPLAY_STATE",
	};
	char why[96];

	if (!w->ready)
		snprintf(why, sizeof(why), "%s before READY", t == MSG_READY ?
		    "a READY" : what[t]);
	else
		snprintf(why, sizeof(why), "%s", what[t]);
	verifier_hostile(x, w, why);
}

/* Its counters, unasked: the replay store's state changed. */
static void
on_replay_state(struct executor *x, struct worker *w,
    const struct msg_stats *vs)
{
	w->stats = *vs;
	w->stats_ms = mono_ms();
	note_replay_state(x);
	if (stats_pending(x) == 0) {
		sum_workers(x);
		write_metrics(x);
	}
}

static void
on_message(struct executor *x, struct worker *w, const struct msg *m)
{
	if (!msg_expected(verifier_phase(w), m->type)) {
		out_of_place(x, w, m->type);
		return;
	}
	switch (m->type) {
	case MSG_READY:	/* its store is a new one */
		if (replay_errno_of(x) == 0)
			clear_replay_state(x);
		verifier_ready(x, w, &m->u.ready);
		break;
	case MSG_OPEN:
		grant(x, w, &m->u.open);
		break;
	case MSG_STATS:
		w->stats_asked--;
		w->stats = m->u.stats;
		w->stats_ms = mono_ms();
		note_replay_state(x);
		stats_answered(x);
		break;
	case MSG_REPLAY_STATE:
		on_replay_state(x, w, &m->u.stats);
		break;
	default:	/* msg_expected admits none */
		break;
	}
}

static void
read_verifier(struct executor *x, struct worker *w)
{
	struct msg_in *in = w->in;
	const uint8_t *buf;
	struct msg m;
	size_t len;
	int i, got;

	/* a bounded batch: its opens then run after one journal sync */
	in->fd = w->sock;
	for (i = 0; i < READ_BATCH; i += got) {
		if ((got = msg_in_read(in)) == 0)
			return;
		if (got < 0) {
			worker_ended(x, w);
			return;
		}
		while ((buf = msg_in_next(in, &len)) != NULL) {
			if (w->killed)
				continue;	/* until its end is read */
			if (msg_decode(buf, len, &m) != 0) {
				verifier_hostile(x, w, "a malformed message");
				continue;
			}
			on_message(x, w, &m);
		}
	}
}

/* --- signals ------------------------------------------------------------- */

static int
reload(struct executor *x)
{
	struct spa_conf nc;
	struct access_conf *na = NULL;
	struct plan np;

	log_info("SIGHUP: reloading configuration");
	if (executor_load(x->cli, x->modules, &nc, &na, &np) != 0)
		goto failed;
	/* the journal, pid file and state stay where they were opened */
	if (strcmp(nc.state_dir, x->conf.state_dir) != 0 ||
	    strcmp(nc.pid_file, x->conf.pid_file) != 0)
		log_warnx("state_dir and pid_file changes take effect at the "
		    "next start");
	conf_set_string(&nc.state_dir, x->conf.state_dir);
	conf_set_string(&nc.pid_file, x->conf.pid_file);
	if (open_gate(x, &nc) != 0) {
		free_policy(na, &np);
		conf_free(&nc);
		goto failed;
	}
	keep_previous(x);
	x->conf = nc;
	x->access = na;
	x->plan = np;
	policy_in_force(x);
	log_info("reloaded: %zu stanza%s (%zu disabled by errors in "
	    "per-user files); restarting the verifier with them", x->access->n,
	    x->access->n == 1 ? "" : "s",
	    access_disabled_stanzas(x->access));
	/* the new verifiers inherit the new policy and capture settings */
	restart_workers(x);
	return 0;
failed:
	log_errx("reload failed: the running configuration stays");
	action_table_configure(x->modules, &x->conf, (char[256]){0}, 256);
	return 0;
}

static void
begin_stop(struct executor *x, const char *why)
{
	if (x->stopping)
		return;
	log_info("%s: shutting down", why);
	x->stopping = true;
}

static void
on_signal(void *arg, int signo)
{
	struct executor *x = arg;

	switch (signo) {
	case SIGHUP:
		reload(x);
		break;
	case SIGUSR1:
		x->stats_log = true;
		request_stats(x);
		break;
	default:
		begin_stop(x, strsignal(signo));
	}
}

/* --- setup and loop ------------------------------------------------------ */

/*
 * The loop's sources, in the order each pass runs them (after signals):
 * the verifier's messages and the grants held for the fleet, running
 * commands and due closes, the respawn and metrics timers, one journal
 * sync for the pass's opens, the fleet's tick.
 */
static size_t
verifier_pollfds(void *arg, struct pollfd *pfd, size_t max)
{
	struct executor *x = arg;
	size_t i;

	for (i = 0; i < x->nw && i < max; i++) {
		pfd[i].fd = x->w[i]->sock;	/* poll() skips a negative one */
		pfd[i].events = POLLIN;
	}
	return i;
}

static int
verifier_dispatch(void *arg, const struct pollfd *pfd, size_t n,
    const struct now *now)
{
	struct executor *x = arg;

	size_t i;

	(void)now;	/* the grants read x->loop.now */
	/* a worker's end may restart them all: a socket polled is its own */
	for (i = 0; i < n && i < x->nw; i++)
		if (pfd[i].revents != 0 && pfd[i].fd >= 0 &&
		    pfd[i].fd == x->w[i]->sock)
			read_verifier(x, x->w[i]);
	if (x->nheld > 0)
		fleet_link_release(x);
	return 0;
}

static size_t
cycles_src_pollfds(void *arg, struct pollfd *pfd, size_t max)
{
	struct executor *x = arg;

	return cycles_pollfds(x->cycles, pfd, max);
}

static int
cycles_src_dispatch(void *arg, const struct pollfd *pfd, size_t n,
    const struct now *now)
{
	struct executor *x = arg;

	cycles_dispatch(x->cycles, pfd, n, now);
	if (!x->stopping) {
		cycles_run_due(x->cycles, now);
		cycles_recheck(x->cycles, now);
	}
	return 0;
}

static int64_t
cycles_src_timeout_ms(void *arg, const struct now *now)
{
	struct executor *x = arg;

	return cycles_timeout_ms(x->cycles, now->mono_ms);
}

static int
timers_dispatch(void *arg, const struct pollfd *pfd, size_t n,
    const struct now *now)
{
	struct executor *x = arg;

	struct worker *w;
	size_t i;

	(void)pfd;
	(void)n;
	for (i = 0; i < x->nw && !x->stopping && !x->reloading; i++) {
		w = x->w[i];
		if (w->pid == 0 && w->respawn_at_ms != 0 &&
		    now->mono_ms >= w->respawn_at_ms)
			spawn_worker(x, w);
	}
	if (x->gate_sync_ms != 0 && now->mono_ms >= x->gate_sync_ms) {
		replay_gate_sync(x->gate);
		x->gate_sync_ms = 0;
	}
	if (!x->stopping)
		metrics_tick(x, now->mono_ms);
	return 0;
}

static int64_t
until(int64_t due_ms, int64_t now_ms)
{
	return due_ms > now_ms ? due_ms - now_ms : 0;
}

static int64_t
timers_timeout_ms(void *arg, const struct now *now)
{
	struct executor *x = arg;
	int64_t t = -1, m;
	size_t i;

	for (i = 0; i < x->nw; i++)
		if (x->w[i]->respawn_at_ms != 0 &&
		    ((m = until(x->w[i]->respawn_at_ms, now->mono_ms)) < t ||
		    t < 0))
			t = m;
	if (x->gate_sync_ms != 0 &&
	    ((m = until(x->gate_sync_ms, now->mono_ms)) < t || t < 0))
		t = m;
	if (x->conf.metrics_file != NULL &&
	    ((m = until(x->metrics_due_ms, now->mono_ms)) < t || t < 0))
		t = m;
	return t;
}

static int
flush_dispatch(void *arg, const struct pollfd *pfd, size_t n,
    const struct now *now)
{
	struct executor *x = arg;

	(void)pfd;
	(void)n;
	(void)now;
	cycles_flush(x->cycles);
	return 0;
}

static int
fleet_dispatch(void *arg, const struct pollfd *pfd, size_t n,
    const struct now *now)
{
	struct executor *x = arg;

	(void)pfd;
	(void)n;
	if (x->fleet != NULL)
		fleet_tick(x->fleet, now);
	return 0;
}

static int64_t
fleet_src_timeout_ms(void *arg, const struct now *now)
{
	struct executor *x = arg;

	return x->fleet != NULL ? fleet_timeout_ms(x->fleet, now->mono_ms) : -1;
}

static size_t
control_src_pollfds(void *arg, struct pollfd *pfd, size_t max)
{
	struct executor *x = arg;

	return x->control != NULL ? control_pollfds(x->control, pfd, max) : 0;
}

static int
control_src_dispatch(void *arg, const struct pollfd *pfd, size_t n,
    const struct now *now)
{
	struct executor *x = arg;

	if (x->control != NULL)
		control_dispatch(x->control, pfd, n, now->mono_ms);
	return 0;
}

static int64_t
control_src_timeout_ms(void *arg, const struct now *now)
{
	struct executor *x = arg;

	return x->control != NULL ?
	    control_timeout_ms(x->control, now->mono_ms) : -1;
}

/* SIGUSR2 is fwknopd's: ignored here, not fatal. */
static int
open_loop(struct executor *x)
{
	static const int handled[] = { SIGHUP, SIGINT, SIGTERM, SIGUSR1, 0 };
	static const int ignored[] = { SIGPIPE, SIGUSR2, 0 };
	const struct loop_signals sig = {
		.handled = handled, .ignored = ignored,
		.on_signal = on_signal, .arg = x,
	};
	const struct loop_source src[] = {
		{ .pollfds = verifier_pollfds, .dispatch = verifier_dispatch },
		{ .pollfds = nat_link_pollfds, .dispatch = nat_link_dispatch,
		  .timeout_ms = nat_link_timeout_ms },
		{ .pollfds = cycles_src_pollfds, .dispatch = cycles_src_dispatch,
		  .timeout_ms = cycles_src_timeout_ms },
		{ .dispatch = timers_dispatch, .timeout_ms = timers_timeout_ms },
		{ .dispatch = flush_dispatch },
		{ .dispatch = fleet_dispatch, .timeout_ms = fleet_src_timeout_ms },
		{ .pollfds = control_src_pollfds, .dispatch = control_src_dispatch,
		  .timeout_ms = control_src_timeout_ms },
	};
	struct loop_source s;
	size_t i;
	int r;

	if ((r = loop_init(&x->loop, &sig)) != 0)
		return r;
	for (i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
		s = src[i];
		s.arg = x;
		if ((r = loop_add(&x->loop, &s)) != 0)
			return r;
	}
	return 0;
}

/*
 * -t runs nothing and remembers nothing either, live or on a capture
 * file: its verifier gets an empty replay store of its own (removed by
 * executor_free), so a packet judged twice is judged twice the same, and
 * one a -t run saw is still the real daemon's to grant.
 */
static int
verifier_state(struct executor *x)
{
	if (x->cli->test_mode)
		return vproc_throwaway_make(&x->conf, x->test_state,
		    sizeof(x->test_state));
	return vproc_prepare_state(x->conf.state_dir, x->conf.verifier_user);
}

int
executor_setup(struct executor *x)
{
	struct cycles_conf cc;
	struct now now;
	char dir[4096];
	int n, r;

	/* one group a daemon: its workers', in its network namespace */
	x->fanout_group = (uint16_t)(getpid() & 0xffff);
	x->vconf.program = x->cli->verifier_program;
	if ((r = vproc_check_program(x->vconf.program)) != 0)
		return r;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", x->conf.state_dir,
	    JOURNAL_DIR) >= sizeof(dir))
		return SPA_ERR_CONFIG;
	if ((r = open_loop(x)) != 0 || (r = verifier_state(x)) != 0 ||
	    (r = open_gate(x, &x->conf)) != 0)
		return r;
	if ((r = journal_open(dir, &x->journal)) != 0) {
		log_errx("journal %s: %s", dir, spa_strerror(r));
		return r;
	}
	cycles_conf_of(&x->conf, &cc);
	if ((r = cycles_new(&cc, x->modules, x->journal, &x->cycles)) != 0 ||
	    (r = nat_link_start(x)) != 0)
		return r;
	cycles_set_policy(x->cycles, x->access, &x->plan);
	save_policy_errors(x);
	age_log_set(&x->ages, x->conf.max_packet_age, time(NULL));
	if ((r = fleet_link_start(x)) != 0)
		return r;
	/* opt-in: a directory that does not exist stops the start; what its
	   owner may have planted there never does */
	if (write_metrics(x) == SPA_ERR_CONFIG)
		return SPA_ERR_CONFIG;
	if (x->cli->test_mode)
		return 0;	/* runs nothing, not even journaled closes */
	now = clock_now();
	if ((n = cycles_restore(x->cycles, &now)) < 0) {
		log_errx("journal %s: %s", dir, spa_strerror(n));
		return n;
	}
	if (n > 0)
		log_info("journal: %d open cycle%s restored", n,
		    n == 1 ? "" : "s");
	/* a --pcap-file run takes no pid lock: the socket is the daemon's */
	if (x->cli->pcap_file == NULL)
		return control_open(x->conf.state_dir, executor_control, x,
		    &x->control);
	return 0;
}

/* Stop the verifiers, run (or keep) pending closes, wait for commands. */
static void
shutdown_cycles(struct executor *x)
{
	int64_t grace_ms;
	size_t i;

	for (i = 0; i < CONF_WORKERS_MAX; i++)
		if (x->w[i] != NULL && x->w[i]->pid > 0)
			kill(x->w[i]->pid, SIGTERM);
	while (workers_running(x) > 0)
		loop_once(&x->loop);
	if (x->conf.close_on_exit && !x->cli->test_mode)
		cycles_close_all(x->cycles, (int64_t)time(NULL));
	else if (!x->cli->test_mode)
		log_info("shutdown: pending closes stay in the journal for the "
		    "next start (executor.close_on_exit = false)");
	/* an open in flight, then its close: each within its timeout */
	grace_ms = 2 * (int64_t)cycles_longest_timeout_ms(x->cycles) +
	    STOP_GRACE_MS;
	x->stop_deadline_ms = mono_ms() + grace_ms;
	while (cycles_busy(x->cycles) > 0 && mono_ms() < x->stop_deadline_ms)
		loop_once(&x->loop);
	if (cycles_busy(x->cycles) > 0)
		log_errx("shutdown: %zu commands still running after %" PRId64
		    " s: their cycles stay in the journal",
		    cycles_busy(x->cycles), grace_ms / 1000);
}

int
executor_run(struct executor *x)
{
	struct now now;

	spawn_workers(x);
	log_hold(1);	/* a pass's lines in one write */
	while (!x->stopping)
		loop_once(&x->loop);
	shutdown_cycles(x);
	log_hold(0);
	now = clock_now();
	if (x->fleet != NULL)	/* what the closes queued */
		fleet_tick(x->fleet, &now);
	write_metrics(x);
	log_info("executor: %llu OPEN events carried out, %llu refused",
	    (unsigned long long)x->opens, (unsigned long long)x->refused);
	return x->exit_code;
}

void
executor_free(struct executor *x)
{
	struct worker *w;
	size_t i;

	for (i = 0; i < CONF_WORKERS_MAX; i++) {
		if ((w = x->w[i]) == NULL)
			continue;
		if (w->pid > 0) {
			kill(w->pid, SIGKILL);
			waitpid(w->pid, NULL, 0);
		}
		if (w->sock >= 0)
			close(w->sock);
		free(w->in);
		free(w);
		x->w[i] = NULL;
	}
	replay_gate_close(x->gate);
	x->gate = NULL;
	vproc_throwaway_remove(x->test_state);
	control_close(x->control);	/* removes the socket */
	fleet_link_stop(x);
	nat_dns_free(x->nat_dns);
	cycles_free(x->cycles);
	journal_close(x->journal);
	reload_done(x);
	free_policy(x->access, &x->plan);
	action_table_free(x->modules);	/* after the plans that point at it */
	loop_close(&x->loop);
	conf_free(&x->conf);
}
