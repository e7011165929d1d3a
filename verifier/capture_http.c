/*
 * HTTP source for the fwknop client's "-P http" mode: a TCP listener that
 * reads one request per connection, hands it on, and closes without an
 * answer (an answer would tell a scanner more than a closed connection).
 * Bounded everywhere: connections, request size and time per connection.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture.h"
#include "err.h"
#include "http.h"
#include "sock.h"

#define HTTP_MAX_CONNS		(CAPTURE_MAX_FDS - 1)
#define HTTP_MAX_REQUEST	4096
#define HTTP_TIMEOUT_MS		5000

struct http_conn {
	int		fd;		/* -1: slot free */
	int64_t		deadline;	/* monotonic ms */
	struct pkt_info	info;
	size_t		len;
	uint8_t		buf[HTTP_MAX_REQUEST];
};

struct capture_http {
	struct capture		base;
	int			listen_fd;
	struct http_conn	conns[HTTP_MAX_CONNS];
};

static void
conn_close(struct http_conn *hc)
{
	if (hc->fd >= 0)
		close(hc->fd);
	hc->fd = -1;
	hc->len = 0;
}

/* A free slot, or the connection closest to its deadline. */
static struct http_conn *
conn_slot(struct capture_http *ch)
{
	struct http_conn *oldest = &ch->conns[0];
	size_t i;

	for (i = 0; i < HTTP_MAX_CONNS; i++) {
		if (ch->conns[i].fd < 0)
			return &ch->conns[i];
		if (ch->conns[i].deadline < oldest->deadline)
			oldest = &ch->conns[i];
	}
	conn_close(oldest);
	return oldest;
}

static void
conn_endpoints(struct http_conn *hc)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	memset(&hc->info, 0, sizeof(hc->info));
	hc->info.proto = IPPROTO_TCP;
	if (getpeername(hc->fd, (struct sockaddr *)&ss, &len) == 0)
		sock_to_addr(&ss, &hc->info.src, &hc->info.sport);
	len = sizeof(ss);
	if (getsockname(hc->fd, (struct sockaddr *)&ss, &len) == 0)
		sock_to_addr(&ss, &hc->info.dst, &hc->info.dport);
}

static void
http_accept(struct capture_http *ch, int64_t now_ms)
{
	struct http_conn *hc;
	int fd;

	while ((fd = accept4(ch->listen_fd, NULL, NULL,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		hc = conn_slot(ch);
		hc->fd = fd;
		hc->len = 0;
		hc->deadline = now_ms + HTTP_TIMEOUT_MS;
		conn_endpoints(hc);
	}
}

static void
conn_deliver(struct http_conn *hc, int64_t now_s, capture_cb cb, void *arg)
{
	struct packet pkt;

	memset(&pkt, 0, sizeof(pkt));
	pkt.info = hc->info;
	pkt.via = SPA_VIA_HTTP;
	pkt.data = hc->buf;
	pkt.len = hc->len;
	pkt.seen_s = now_s;
	cb(arg, &pkt);
	conn_close(hc);
}

static void
conn_read(struct http_conn *hc, int64_t now_s, capture_cb cb, void *arg)
{
	ssize_t n;

	n = read(hc->fd, hc->buf + hc->len, sizeof(hc->buf) - hc->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		hc->len += (size_t)n;
	if (n <= 0 || hc->len == sizeof(hc->buf) ||
	    http_request_complete((const char *)hc->buf, hc->len)) {
		if (hc->len > 0)
			conn_deliver(hc, now_s, cb, arg);
		else
			conn_close(hc);
	}
}

static size_t
http_pollfds(struct capture *c, struct pollfd *pfd, size_t max)
{
	struct capture_http *ch = (struct capture_http *)c;
	size_t i, n = 0;

	if (max == 0)
		return 0;
	pfd[n].fd = ch->listen_fd;
	pfd[n++].events = POLLIN;
	for (i = 0; i < HTTP_MAX_CONNS && n < max; i++) {
		if (ch->conns[i].fd < 0)
			continue;
		pfd[n].fd = ch->conns[i].fd;
		pfd[n++].events = POLLIN;
	}
	return n;
}

static struct http_conn *
conn_by_fd(struct capture_http *ch, int fd)
{
	size_t i;

	for (i = 0; i < HTTP_MAX_CONNS; i++)
		if (ch->conns[i].fd == fd)
			return &ch->conns[i];
	return NULL;
}

static void
http_expire(struct capture_http *ch, int64_t now_ms)
{
	size_t i;

	for (i = 0; i < HTTP_MAX_CONNS; i++)
		if (ch->conns[i].fd >= 0 && ch->conns[i].deadline <= now_ms)
			conn_close(&ch->conns[i]);
}

static int
http_dispatch(struct capture *c, const struct pollfd *pfd, size_t n,
    const struct now *now, capture_cb cb, void *arg)
{
	struct capture_http *ch = (struct capture_http *)c;
	struct http_conn *hc;
	size_t i;

	for (i = 1; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		if ((hc = conn_by_fd(ch, pfd[i].fd)) != NULL)
			conn_read(hc, now->wall_s, cb, arg);
	}
	if (n > 0 && (pfd[0].revents & POLLIN) != 0)
		http_accept(ch, now->mono_ms);
	http_expire(ch, now->mono_ms);
	return 0;
}

static int
http_timeout(struct capture *c, int64_t now_ms)
{
	struct capture_http *ch = (struct capture_http *)c;
	int64_t next = -1;
	size_t i;

	for (i = 0; i < HTTP_MAX_CONNS; i++) {
		if (ch->conns[i].fd < 0)
			continue;
		if (next < 0 || ch->conns[i].deadline < next)
			next = ch->conns[i].deadline;
	}
	if (next < 0)
		return -1;
	return next <= now_ms ? 0 : (int)(next - now_ms);
}

static void
http_close(struct capture *c)
{
	struct capture_http *ch = (struct capture_http *)c;
	size_t i;

	for (i = 0; i < HTTP_MAX_CONNS; i++)
		conn_close(&ch->conns[i]);
	if (ch->listen_fd >= 0)
		close(ch->listen_fd);
	free(ch);
}

static const struct capture_ops http_ops = {
	.kind = "http",
	.pollfds = http_pollfds,
	.dispatch = http_dispatch,
	.timeout_ms = http_timeout,
	.close = http_close,
};

int
capture_open_http(const struct conf_capture *cc, struct capture **out,
    char *errbuf, size_t errlen)
{
	struct capture_http *ch = NULL;
	size_t i;

	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		return SPA_ERR_NOMEM;
	for (i = 0; i < HTTP_MAX_CONNS; i++)
		ch->conns[i].fd = -1;
	ch->listen_fd = sock_bind(cc->http_address, cc->http_port,
	    SOCK_STREAM, errbuf, errlen);
	if (ch->listen_fd < 0 || listen(ch->listen_fd, 64) != 0) {
		if (ch->listen_fd >= 0)
			snprintf(errbuf, errlen, "listen: %s", strerror(errno));
		http_close(&ch->base);
		return SPA_ERR_SYS;
	}
	ch->base.ops = &http_ops;
	snprintf(ch->base.name, sizeof(ch->base.name), "http %s port %u",
	    cc->http_address, cc->http_port);
	*out = &ch->base;
	return 0;
}
