/*
 * spagate-verifier: the unprivileged program (executor/vproc.h starts it).
 * It reads its configuration from the executor (vconf.h), opens the
 * capture while still root, chroots into its state directory and drops to
 * the verifier user, opens its replay store, enters the system call filter
 * (sandbox.h), says READY, and from then on only reads packets and writes
 * typed messages (common/msg.h) to the executor on descriptor 3.  It is
 * linked with the common and verifier code alone: it cannot run an action.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "capture.h"
#include "clock.h"
#include "err.h"
#include "log.h"
#include "loop.h"
#include "policy.h"
#include "msg.h"
#include "msg_batch.h"
#include "openpgp.h"
#include "privdrop.h"
#include "replay.h"
#include "sandbox.h"
#include "verifier.h"
#include "vconf.h"

/*
 * Leaving the sandboxed verifier.  Under AddressSanitizer, _exit() is
 * intercepted to run LeakSanitizer's exit check, which needs what the
 * sandbox takes away (a tracer thread with sigaltstack and ptrace, and
 * /proc outside the chroot): the filter would kill the verifier with
 * SIGSYS at every exit.  A sanitizer build leaves through exit_group
 * directly; its memory errors are still reported when they happen, and
 * the code it runs is leak-checked by the unit tests and fuzz targets.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VPROC_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(VPROC_ASAN)
#define VPROC_ASAN 1
#endif

static void __attribute__((noreturn))
vproc_exit(int status)
{
#ifdef VPROC_ASAN
	for (;;)
		syscall(SYS_exit_group, status);
#else
	_exit(status);
#endif
}

#define VPROC_MAX_SOURCES	3	/* capture, the HTTP and TCP listeners */
#define VPROC_SYNC_MS		1000	/* the replay store's, to disk */
/*
 * A pass's time for packets: then the loop runs its other sources (the
 * executor's requests, signals, the other captures) before it reads
 * more.  A packet that costs private-key operations (a GnuPG stanza
 * without an HMAC key) takes 20 ms; 256 of them would hold a pass for
 * five seconds.
 */
#define VPROC_PASS_MS		50

struct vproc {
	struct vconf		*vc;
	int			 sock;
	struct loop		 loop;
	struct capture_source	 src[VPROC_MAX_SOURCES];
	size_t			 nsrc;
	int64_t			 sync_due_ms;	/* the replay store's next sync */
	int64_t			 pass_end_ms;	/* this pass's time for packets */
	struct verifier		 verifier;
	struct replay_store	*replay;
	uint64_t		 packets;
	size_t			 gpg_disabled;	/* stanzas whose keys failed */
	char			 sandbox[96];	/* MSG_READY's */
	struct msg_out		 out;	/* the pass's messages, sent at its end */
#ifdef SPA_SANDBOX_SELFTEST
	const char		*selftest;	/* violate on MSG_STATS_REQ */
	const char		*msgtest;	/* a message out of place */
#endif
};

static void
flush_msgs(struct vproc *vp)
{
	if (vp->out.n != 0 && msg_out_flush(&vp->out) != 0) {
		log_err("verifier: cannot reach the executor");
		vp->loop.stop = true;
	}
}

/* OPENs wait for the end of the pass; any other message goes now. */
static void
send_msg(struct vproc *vp, const struct msg *m)
{
	if (msg_out_queue(&vp->out, m) != 0) {
		log_err("verifier: cannot reach the executor");
		vp->loop.stop = true;
		return;
	}
	if (m->type != MSG_OPEN)
		flush_msgs(vp);
}

static void	send_stats(struct vproc *, enum msg_type);

/* A packet from any source; false once the pass's time is spent. */
static bool
on_packet(void *arg, const struct packet *pkt)
{
	struct vproc *vp = arg;
	struct msg m;

	vp->packets++;
	memset(&m, 0, sizeof(m));
	if (verifier_packet(&vp->verifier, pkt, &m.u.open) == 0) {
		m.type = MSG_OPEN;
		send_msg(vp, &m);
	}
	if (vp->verifier.replay_changed)	/* for spagate status, at once */
		send_stats(vp, MSG_REPLAY_STATE);
	if (vp->vc->packet_limit != 0 && vp->packets >= vp->vc->packet_limit) {
		log_info("packet limit %llu reached",
		    (unsigned long long)vp->vc->packet_limit);
		vp->loop.stop = true;
	}
	return mono_ms() < vp->pass_end_ms;
}

/* The kernel's drop counts, read when the counters are reported. */
static void
read_capture_dropped(struct vproc *vp)
{
	uint64_t dropped = 0;
	size_t i;

	for (i = 0; i < vp->nsrc; i++)
		dropped += capture_dropped(vp->src[i].c);
	vp->verifier.stats.capture_dropped = dropped;
}

/* Counters in the order of enum spa_err, then the totals. */
static void
send_stats(struct vproc *vp, enum msg_type type)
{
	const struct verifier_stats *vs = &vp->verifier.stats;
	struct msg m;
	size_t i;

	read_capture_dropped(vp);
	memset(&m, 0, sizeof(m));
	m.type = type;
	m.u.stats.v[MSG_STATS_PACKETS] = vs->packets;
	m.u.stats.v[MSG_STATS_GRANTED] = vs->granted;
	m.u.stats.v[MSG_STATS_SUPPRESSED] = vs->log_suppressed;
	m.u.stats.v[MSG_STATS_CAPTURE_DROPPED] = vs->capture_dropped;
	for (i = 0; i < SPA_ERR_COUNT && MSG_STATS_REASONS + i < MSG_STATS_MAX;
	    i++)
		m.u.stats.v[MSG_STATS_REASONS + i] = vs->refused[i];
	m.u.stats.v[MSG_STATS_REPLAY_ERRNO] = (uint64_t)vp->verifier.replay_errno;
	m.u.stats.v[MSG_STATS_GPG_DISABLED] = vp->gpg_disabled;
	m.u.stats.n = MSG_STATS_GPG_DISABLED + 1;
	vp->verifier.replay_changed = false;
	send_msg(vp, &m);
}

#ifdef SPA_SANDBOX_SELFTEST
static void
selftest(struct vproc *vp)
{
	struct pollfd pfd = { .fd = -1 };

	if (vp->nsrc > 0)
		capture_pollfds(vp->src[0].c, &pfd, 1);
	sandbox_selftest_violate(vp->selftest, pfd.fd);
}
#endif

#ifdef SPA_SANDBOX_SELFTEST
/*
 * Test builds only (SPAGATE_MSG_SELFTEST): a well-formed message where the
 * executor must not accept it, "open-before-ready" or "stats-unasked".
 */
static void
msgtest(struct vproc *vp, const char *when)
{
	struct spa_event *ev;
	struct msg m;

	if (vp->msgtest == NULL || strcmp(vp->msgtest, when) != 0)
		return;
	log_info("message selftest: sending %s", when);
	memset(&m, 0, sizeof(m));
	if (strcmp(when, "stats-unasked") == 0) {
		m.type = MSG_STATS;
		send_msg(vp, &m);
		return;
	}
	m.type = MSG_OPEN;
	ev = &m.u.open;
	ev->stanza = 1;
	ev->type = SPA_REQ_ACCESS;
	addr_parse("127.0.0.1", &ev->allow);
	ev->pkt_src = ev->allow;
	ev->via = SPA_VIA_UDP;
	ev->nports = 1;
	ev->ports[0].proto = IPPROTO_TCP;
	ev->ports[0].port = 22;
	snprintf(ev->user, sizeof(ev->user), "selftest");
	ev->timeout = 30;
	ev->spa_time = ev->recv_time = time(NULL);
	send_msg(vp, &m);
}
#endif

/* The executor's requests, or its end of the socket closing. */
static void
on_ctl(void *arg, short revents)
{
	struct vproc *vp = arg;
	uint8_t buf[MSG_MAX];
	struct msg m;
	ssize_t n;

	n = recv(vp->sock, buf, sizeof(buf), MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) ||
	    (revents & (POLLHUP | POLLERR)) != 0) {
		vp->loop.stop = true;	/* the executor is gone */
		return;
	}
	if (n <= 0)
		return;
	if (msg_decode(buf, (size_t)n, &m) != 0 ||
	    !msg_expected(MSG_PHASE_SERVING, m.type)) {
		log_errx("the executor sent a message out of place: exiting");
		vp->loop.stop = true;
		return;
	}
#ifdef SPA_SANDBOX_SELFTEST
	if (vp->selftest != NULL)
		selftest(vp);
#endif
	send_stats(vp, MSG_STATS);
}

static size_t
ctl_pollfds(void *arg, struct pollfd *pfd, size_t max)
{
	struct vproc *vp = arg;

	if (max == 0)
		return 0;
	pfd[0].fd = vp->sock;
	pfd[0].events = POLLIN;
	return 1;
}

static int
ctl_dispatch(void *arg, const struct pollfd *pfd, size_t n,
    const struct now *now)
{
	(void)now;
	if (n == 0 || pfd[0].revents == 0)
		return 0;
	if ((pfd[0].revents & POLLNVAL) != 0)
		return SPA_ERR_SYS;
	on_ctl(arg, pfd[0].revents);
	return 0;
}

/* About once a second: the replay store to disk. */
static int
sync_dispatch(void *arg, const struct pollfd *pfd, size_t n,
    const struct now *now)
{
	struct vproc *vp = arg;

	(void)pfd;
	(void)n;
	vp->pass_end_ms = now->mono_ms + VPROC_PASS_MS;	/* before the captures */
	if (now->mono_ms < vp->sync_due_ms)
		return 0;
	vp->sync_due_ms = now->mono_ms + VPROC_SYNC_MS;
	replay_sync(vp->replay);
	return 0;
}

/* Last in each pass: its OPENs, one sendmmsg(). */
static int
flush_dispatch(void *arg, const struct pollfd *pfd, size_t n,
    const struct now *now)
{
	(void)pfd;
	(void)n;
	(void)now;
	flush_msgs(arg);
	return 0;
}

static int64_t
sync_timeout_ms(void *arg, const struct now *now)
{
	struct vproc *vp = arg;

	return vp->sync_due_ms > now->mono_ms ?
	    vp->sync_due_ms - now->mono_ms : 0;
}

static void
on_signal(void *arg, int signo)
{
	struct vproc *vp = arg;

	(void)signo;	/* SIGTERM: the only one it takes */
	vp->loop.stop = true;
}

/*
 * The executor's socket first, then the replay store's sync, then the
 * sources open_sources() adds.  The executor handles SIGINT, SIGHUP and
 * SIGUSR1 for the whole process group.
 */
static int
vproc_loop_init(struct vproc *vp)
{
	static const int handled[] = { SIGTERM, 0 };
	static const int ignored[] = { SIGINT, SIGHUP, SIGUSR1, SIGPIPE, 0 };
	const struct loop_signals sig = {
		.handled = handled, .ignored = ignored,
		.on_signal = on_signal, .arg = vp,
	};
	const struct loop_source ctl = {
		.pollfds = ctl_pollfds, .dispatch = ctl_dispatch, .arg = vp,
	};
	const struct loop_source sync = {
		.dispatch = sync_dispatch, .timeout_ms = sync_timeout_ms,
		.arg = vp,
	};
	int r;

	vp->sync_due_ms = mono_ms() + VPROC_SYNC_MS;
	if ((r = loop_init(&vp->loop, &sig)) == 0 &&
	    (r = loop_add(&vp->loop, &ctl)) == 0)
		r = loop_add(&vp->loop, &sync);
	return r;
}

/* One more capture source, in the loop. */
static int
add_source(struct vproc *vp, struct capture *c)
{
	struct capture_source *cs;

	if (vp->nsrc == VPROC_MAX_SOURCES) {
		capture_close(c);
		return SPA_ERR_ARG;
	}
	cs = &vp->src[vp->nsrc++];
	cs->c = c;
	cs->cb = on_packet;
	cs->arg = vp;
	return capture_loop_add(&vp->loop, cs);
}

typedef int (*open_listener_fn)(const struct conf_capture *,
    struct capture **, char *, size_t);

/* A listener beside the capture (HTTP, TCP), live only. */
static int
open_listener(struct vproc *vp, open_listener_fn open, char *err,
    size_t errlen)
{
	struct capture *c = NULL;
	int r;

	if ((r = open(&vp->vc->conf.capture, &c, err, errlen)) == 0 &&
	    (r = add_source(vp, c)) == 0)
		log_info("capturing: %s", capture_name(c));
	return r;
}

static int
open_sources(struct vproc *vp)
{
	const struct conf_capture *cc = &vp->vc->conf.capture;
	bool live = vp->vc->pcap_file == NULL;
	/* the listeners cannot share their connections: the first worker's */
	bool listeners = live && cc->worker == 0;
	struct capture *c = NULL;
	char err[512] = "";
	int r;

	if (vp->vc->pcap_file != NULL)
		r = capture_open_pcap(cc, vp->vc->pcap_file, &c, err,
		    sizeof(err));
	else if (cc->mode == CAPTURE_UDP)
		r = capture_open_udp(cc, &c, err, sizeof(err));
	else
		r = capture_open_ring(cc, &c, err, sizeof(err));
	if (r == 0 && (r = add_source(vp, c)) == 0)
		log_info("capturing: %s", capture_name(c));
	if (r == 0 && listeners && cc->http && cc->http_port)
		r = open_listener(vp, capture_open_http, err, sizeof(err));
	if (r == 0 && listeners && cc->tcp_port)
		r = open_listener(vp, capture_open_tcp, err, sizeof(err));
	if (r != 0)
		log_errx("cannot open capture: %s", err[0] ? err :
		    spa_strerror(r));
	return r;
}

/* Each worker its own store: the others' are locked by them. */
static int
open_replay(struct vproc *vp)
{
	char name[32];
	int r;

	sandbox_replay_file(vp->vc->conf.capture.worker, name, sizeof(name));
	r = replay_open(name, vp->vc->conf.replay_capacity, &vp->replay);
	if (r != 0)
		log_errx("replay store %s/%s/%s: %s%s",	/* in the chroot */
		    vp->vc->conf.state_dir, SANDBOX_ROOT_DIR, name,
		    spa_strerror(r), r == SPA_ERR_STATE ?
		    " (damaged, or in use by another spagated)" : "");
	return r;
}

static int
send_ready(struct vproc *vp)
{
	struct msg m;

#ifdef SPA_SANDBOX_SELFTEST
	msgtest(vp, "open-before-ready");
#endif
	memset(&m, 0, sizeof(m));
	m.type = MSG_READY;
	snprintf(m.u.ready.capture, sizeof(m.u.ready.capture), "%s",
	    vp->nsrc > 0 ? capture_name(vp->src[0].c) : "-");
	snprintf(m.u.ready.sandbox, sizeof(m.u.ready.sandbox), "%s",
	    vp->sandbox);
	send_msg(vp, &m);
#ifdef SPA_SANDBOX_SELFTEST
	msgtest(vp, "stats-unasked");
#endif
	return vp->loop.stop ? SPA_ERR_SYS : 0;
}

/*
 * Capture open: into the chroot (state_dir/verifier, the store's own
 * directory) as the verifier user, with nothing left to open from outside.
 */
static int
confine(struct vproc *vp, struct sandbox *sb)
{
	char dir[4096];
	struct sandbox_conf sc;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s",
	    vp->vc->conf.state_dir, SANDBOX_ROOT_DIR) >= sizeof(dir))
		return SPA_ERR_CONFIG;
	sc.user = vp->vc->conf.verifier_user;
	sc.root = dir;
	return sandbox_prepare(&sc, sb);
}

static int
vproc_setup(struct vproc *vp)
{
	const struct loop_source flush = {
		.dispatch = flush_dispatch, .arg = vp,
	};
	struct sandbox sb;
	int r;

	msg_out_init(&vp->out, vp->sock);
	if ((r = vproc_loop_init(vp)) != 0)
		return r;
	/* keyrings are parsed as the verifier user, before the filter */
	if ((r = open_sources(vp)) != 0 ||
	    (r = loop_add(&vp->loop, &flush)) != 0 ||	/* after them */
	    (r = openpgp_init(vp->vc->access)) != 0 ||
	    (r = confine(vp, &sb)) != 0 ||
	    (r = open_replay(vp)) != 0 ||
	    (r = openpgp_prepare(vp->vc->access, &vp->gpg_disabled)) != 0 ||
	    (r = sandbox_enter(&sb, vp->sandbox, sizeof(vp->sandbox))) != 0)
		return r;
	verifier_init(&vp->verifier, &vp->vc->conf, vp->vc->access,
	    vp->replay);
	vp->verifier.gpg_open = openpgp_open_packet;
	return send_ready(vp);
}

/* Reading a capture file: every packet, then stop (no poll needed). */
static int
run_file(struct vproc *vp)
{
	struct capture *c = vp->src[0].c;
	struct now now;
	int r;

	while (!vp->loop.stop) {
		now = clock_now();
		r = capture_dispatch(c, NULL, 0, &now, on_packet, vp);
		flush_msgs(vp);
		if (r != 0)
			return r == CAPTURE_EOF ? 0 : r;
	}
	return 0;
}

/* `fd` open on /dev/null, unless it is open already. */
static int
hold(int fd)
{
	int n;

	if (fcntl(fd, F_GETFD) >= 0)
		return 0;
	if ((n = open("/dev/null", O_RDWR | O_CLOEXEC)) != fd) {
		if (n < 0 || dup2(n, fd) < 0)
			return SPA_ERR_SYS;
		close(n);
	}
	return 0;
}

/*
 * What the exec left (executor/vproc.c): stdio, and the executor's socket
 * at 3; nothing else.  Then the log as the executor's configuration says,
 * syslog(3)'s socket the lowest free descriptor, 4 (sandbox.h).
 */
static int
check_descriptors(void)
{
	struct stat sb;
	int fd;

	if (fstat(SANDBOX_FD_EXECUTOR, &sb) != 0 || !S_ISSOCK(sb.st_mode))
		return SPA_ERR_ARG;
	for (fd = SANDBOX_FD_SYSLOG; fd < 64; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			return SPA_ERR_ARG;
	return 0;
}

static int
start_log(const struct vconf *vc)
{
	log_init(vc->log_ident, vc->log_dest, vc->log_facility);
	log_set_verbose(vc->verbose);
	tzset();	/* for the stamps, before the chroot */
	if (hold(SANDBOX_FD_SYSLOG) != 0)
		return SPA_ERR_SYS;
	/* syslog(3) is not at 4: its first line would be a call the
	   filter kills */
	return fcntl(SANDBOX_FD_FIRST, F_GETFD) >= 0 ? SPA_ERR_SYS : 0;
}

/* The configuration from the executor, the log, the stanzas' keys. */
static int
configure(struct vconf *vc)
{
	int r;

	if (check_descriptors() != 0) {
		log_errx("started with descriptors other than stdio and the "
		    "executor's socket at %d: run by spagated only",
		    SANDBOX_FD_EXECUTOR);
		return SPA_ERR_ARG;
	}
	if ((r = vconf_recv(SANDBOX_FD_EXECUTOR, vc)) != 0)
		return r;
	if ((r = start_log(vc)) != 0)
		return r;
	return policy_prepare(vc->access);
}

int
main(int argc, char **argv)
{
	struct vconf vc;
	struct vproc vp;
	int r;

	(void)argv;
	memset(&vc, 0, sizeof(vc));
	memset(&vp, 0, sizeof(vp));
	log_init("spagated", LOG_TO_STDERR, LOG_DAEMON);
	log_set_procname("verifier");
	if (argc != 1 || configure(&vc) != 0)
		vproc_exit(1);
	vp.vc = &vc;
	vp.sock = SANDBOX_FD_EXECUTOR;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
#ifdef SPA_SANDBOX_SELFTEST
	vp.selftest = getenv("SPAGATE_SANDBOX_SELFTEST");
	vp.msgtest = getenv("SPAGATE_MSG_SELFTEST");
#endif
	if ((r = vproc_setup(&vp)) == 0 && vc.pcap_file != NULL)
		r = run_file(&vp);
	else if (r == 0) {
		log_hold(1);	/* a pass's lines in one write */
		r = loop_run(&vp.loop);
		flush_msgs(&vp);	/* a pass cut short by the stop */
		log_hold(0);
	}
	read_capture_dropped(&vp);
	verifier_log_stats(&vp.verifier);
	replay_close(vp.replay);	/* syncs it; NULL: nothing */
	/*
	 * The sources stay open: _exit releases the capture, and libpcap's
	 * teardown of its ring (setsockopt PACKET_RX_RING) is outside the
	 * filter.  Nor is the configuration freed: exit_group is next.
	 */
	vproc_exit(r == 0 ? 0 : 1);
}
