/*
 * The connection-based sources' listener (capture_stream.h).  A slot per
 * connection, its buffer of the kind's size allocated with the source:
 * memory is fixed at start, whatever the peers do.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture_stream.h"
#include "err.h"
#include "log.h"
#include "sock.h"

/*
 * Connections the kernel completes and queues before the verifier takes
 * them.  A client that connects, writes and closes needs nothing of the
 * verifier to do so, so a burst of clients fills this queue at the rate
 * of handshakes; once it is full the kernel drops their SYNs, and each
 * waits a second for its retransmission (128 made a burst of 2,000 take
 * 5 s, the verifier idle most of it).  The kernel caps it at
 * net.core.somaxconn (4,096 by default).
 */
#define STREAM_BACKLOG	4096

struct stream_conn {
	int		 fd;		/* -1: slot free */
	int64_t		 deadline;	/* monotonic ms */
	struct pkt_info	 info;
	size_t		 len;
	uint8_t		*buf;		/* kind->max_len bytes */
};

struct capture_stream {
	struct capture		 base;
	const struct stream_kind *kind;
	struct stream_limits	 lim;
	int			 listen_fd;
	struct stream_conn	*conns;
	uint8_t			*bufs;
	struct stream_rate	 rate;
	uint64_t		 refused;	/* over the per-source rate */
	int64_t			 refused_logged_ms;
};

/* --- per-source rate ------------------------------------------------------ */

static size_t
rate_slot_of(const struct stream_rate *sr, const struct spa_addr *a)
{
	uint64_t h = sr->seed ^ (uint64_t)a->family;
	size_t i;

	/* FNV-1a, keyed: a peer cannot aim at another's slot */
	for (i = 0; i < sizeof(a->bytes); i++)
		h = (h ^ a->bytes[i]) * 0x100000001b3ULL;
	return (size_t)(h % STREAM_RATE_SLOTS);
}

bool
stream_rate_admit(struct stream_rate *sr, const struct spa_addr *a,
    int64_t now_ms)
{
	struct stream_rate_slot *s;

	if (sr->rate == 0)
		return true;
	s = &sr->slot[rate_slot_of(sr, a)];
	if (!addr_equal(&s->a, a) || now_ms - s->window_ms >= 1000 ||
	    now_ms < s->window_ms) {
		s->a = *a;
		s->window_ms = now_ms;
		s->count = 0;
	}
	if (s->count >= sr->rate)
		return false;
	s->count++;
	return true;
}

/* --- connections ---------------------------------------------------------- */

static void
conn_close(struct stream_conn *sc)
{
	if (sc->fd >= 0)
		close(sc->fd);
	sc->fd = -1;
	sc->len = 0;
}

static void
conn_endpoints(int fd, struct pkt_info *info)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	memset(info, 0, sizeof(*info));
	info->proto = IPPROTO_TCP;
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
		sock_to_addr(&ss, &info->src, &info->sport);
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		sock_to_addr(&ss, &info->dst, &info->dport);
}

/* At most a line a second, with what was refused since the last. */
static void
log_refused(struct capture_stream *cs, const struct pkt_info *info,
    int64_t now_ms)
{
	char src[ADDR_STRLEN];

	cs->refused++;
	if (now_ms - cs->refused_logged_ms < 1000)
		return;
	cs->refused_logged_ms = now_ms;
	log_info("%s: connection from %s closed: more than %u a second "
	    "from that source (%llu refused so far)", cs->base.name,
	    addr_fmt(&info->src, src),
	    cs->lim.per_source_rate, (unsigned long long)cs->refused);
}

static void
conn_deliver(struct capture_stream *cs, struct stream_conn *sc,
    int64_t now_s, capture_cb cb, void *arg)
{
	struct packet pkt;

	memset(&pkt, 0, sizeof(pkt));
	pkt.info = sc->info;
	pkt.via = cs->kind->via;
	pkt.data = sc->buf;
	pkt.len = sc->len;
	pkt.seen_s = now_s;
	cb(arg, &pkt);
	conn_close(sc);
}

/*
 * Whatever the connection has sent: its message goes out once it is whole
 * (the peer closed, the buffer is full, or the kind says so).  Bounded by
 * the buffer: at most max_len bytes, then the end.
 */
static void
conn_read(struct capture_stream *cs, struct stream_conn *sc, int64_t now_s,
    capture_cb cb, void *arg)
{
	const struct stream_kind *k = cs->kind;
	ssize_t n;

	for (;;) {
		n = read(sc->fd, sc->buf + sc->len, k->max_len - sc->len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n > 0)
			sc->len += (size_t)n;
		if (n <= 0 || sc->len == k->max_len ||
		    (k->complete != NULL && k->complete(sc->buf, sc->len)))
			break;
	}
	if (sc->len > 0)
		conn_deliver(cs, sc, now_s, cb, arg);
	else
		conn_close(sc);
}

/*
 * A free slot, or the one of the connection closest to its deadline.
 * That one is read a last time first: in a burst of clients its message
 * is often there, unread, and is judged rather than lost.
 */
static struct stream_conn *
conn_slot(struct capture_stream *cs, const struct now *now, capture_cb cb,
    void *arg)
{
	struct stream_conn *oldest = &cs->conns[0];
	size_t i;

	for (i = 0; i < cs->lim.max_conns; i++) {
		if (cs->conns[i].fd < 0)
			return &cs->conns[i];
		if (cs->conns[i].deadline < oldest->deadline)
			oldest = &cs->conns[i];
	}
	conn_read(cs, oldest, now->wall_s, cb, arg);
	if (oldest->fd >= 0)
		conn_close(oldest);
	return oldest;
}

/* Each new connection is read at once: the message often came with it. */
static void
stream_accept(struct capture_stream *cs, const struct now *now,
    capture_cb cb, void *arg)
{
	struct stream_conn *sc;
	struct pkt_info info;
	int fd;

	while ((fd = accept4(cs->listen_fd, NULL, NULL,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		conn_endpoints(fd, &info);
		if (!stream_rate_admit(&cs->rate, &info.src, now->mono_ms)) {
			close(fd);
			log_refused(cs, &info, now->mono_ms);
			continue;
		}
		sc = conn_slot(cs, now, cb, arg);
		sc->fd = fd;
		sc->len = 0;
		sc->deadline = now->mono_ms + cs->lim.timeout_ms;
		sc->info = info;
		conn_read(cs, sc, now->wall_s, cb, arg);
	}
}

static struct stream_conn *
conn_by_fd(struct capture_stream *cs, int fd)
{
	size_t i;

	for (i = 0; i < cs->lim.max_conns; i++)
		if (cs->conns[i].fd == fd)
			return &cs->conns[i];
	return NULL;
}

/* A connection out of time is closed unread: a whole message is quick. */
static void
stream_expire(struct capture_stream *cs, int64_t now_ms)
{
	size_t i;

	for (i = 0; i < cs->lim.max_conns; i++)
		if (cs->conns[i].fd >= 0 && cs->conns[i].deadline <= now_ms)
			conn_close(&cs->conns[i]);
}

/* --- the source ----------------------------------------------------------- */

static size_t
stream_pollfds(struct capture *c, struct pollfd *pfd, size_t max)
{
	struct capture_stream *cs = (struct capture_stream *)c;
	size_t i, n = 0;

	if (max == 0)
		return 0;
	pfd[n].fd = cs->listen_fd;
	pfd[n++].events = POLLIN;
	for (i = 0; i < cs->lim.max_conns && n < max; i++) {
		if (cs->conns[i].fd < 0)
			continue;
		pfd[n].fd = cs->conns[i].fd;
		pfd[n++].events = POLLIN;
	}
	return n;
}

static int
stream_dispatch(struct capture *c, const struct pollfd *pfd, size_t n,
    const struct now *now, capture_cb cb, void *arg)
{
	struct capture_stream *cs = (struct capture_stream *)c;
	struct stream_conn *sc;
	size_t i;

	for (i = 1; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		if ((sc = conn_by_fd(cs, pfd[i].fd)) != NULL)
			conn_read(cs, sc, now->wall_s, cb, arg);
	}
	if (n > 0 && (pfd[0].revents & POLLIN) != 0)
		stream_accept(cs, now, cb, arg);
	stream_expire(cs, now->mono_ms);
	return 0;
}

static int
stream_timeout(struct capture *c, int64_t now_ms)
{
	struct capture_stream *cs = (struct capture_stream *)c;
	int64_t next = -1;
	size_t i;

	for (i = 0; i < cs->lim.max_conns; i++) {
		if (cs->conns[i].fd < 0)
			continue;
		if (next < 0 || cs->conns[i].deadline < next)
			next = cs->conns[i].deadline;
	}
	if (next < 0)
		return -1;
	return next <= now_ms ? 0 : (int)(next - now_ms);
}

static void
stream_close(struct capture *c)
{
	struct capture_stream *cs = (struct capture_stream *)c;
	size_t i;

	for (i = 0; cs->conns != NULL && i < cs->lim.max_conns; i++)
		conn_close(&cs->conns[i]);
	if (cs->listen_fd >= 0)
		close(cs->listen_fd);
	free(cs->conns);
	free(cs->bufs);
	free(cs);
}

static const struct capture_ops stream_ops = {
	.kind = "stream",
	.pollfds = stream_pollfds,
	.dispatch = stream_dispatch,
	.timeout_ms = stream_timeout,
	.close = stream_close,
};

static int
stream_alloc(struct capture_stream *cs)
{
	size_t i, n = cs->lim.max_conns;

	if ((cs->conns = calloc(n, sizeof(*cs->conns))) == NULL ||
	    (cs->bufs = calloc(n, cs->kind->max_len)) == NULL)
		return SPA_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		cs->conns[i].fd = -1;
		cs->conns[i].buf = cs->bufs + i * cs->kind->max_len;
	}
	if (getrandom(&cs->rate.seed, sizeof(cs->rate.seed), 0) !=
	    (ssize_t)sizeof(cs->rate.seed))
		return SPA_ERR_SYS;
	cs->rate.rate = cs->lim.per_source_rate;
	return 0;
}

int
capture_open_stream(const struct stream_kind *k,
    const struct stream_limits *lim, struct capture **out, char *errbuf,
    size_t errlen)
{
	struct capture_stream *cs;
	int r;

	if (lim->max_conns == 0 || lim->max_conns > STREAM_MAX_CONNS ||
	    lim->timeout_ms <= 0)
		return SPA_ERR_ARG;
	if ((cs = calloc(1, sizeof(*cs))) == NULL)
		return SPA_ERR_NOMEM;
	cs->kind = k;
	cs->lim = *lim;
	cs->listen_fd = -1;
	if ((r = stream_alloc(cs)) != 0) {
		snprintf(errbuf, errlen, "%s: %s", k->kind, spa_strerror(r));
		stream_close(&cs->base);
		return r;
	}
	cs->listen_fd = sock_bind(lim->address, lim->port, SOCK_STREAM, false,
	    errbuf, errlen);
	if (cs->listen_fd < 0 || listen(cs->listen_fd, STREAM_BACKLOG) != 0) {
		if (cs->listen_fd >= 0)
			snprintf(errbuf, errlen, "listen: %s", strerror(errno));
		stream_close(&cs->base);
		return SPA_ERR_SYS;
	}
	cs->base.ops = &stream_ops;
	snprintf(cs->base.name, sizeof(cs->base.name), "%s %s port %u",
	    k->kind, lim->address, lim->port);
	*out = &cs->base;
	return 0;
}
