/*
 * tcp_send: send saved SPA packets (fwknop -B files) the way the fwknop
 * client's "-P tcp" does, one TCP connection per packet: connect, write
 * the packet, close.  Nonblocking sockets, up to INFLIGHT connections at
 * once, each given up after CONN_MS from its connect().
 *
 *   tcp_send HOST PORT RATE INFLIGHT CONN_MS TOTAL_MS [SRC] < list-of-files
 *
 * RATE is connections started per second, 0 for as fast as INFLIGHT
 * allows.  TOTAL_MS bounds the whole run: connections not done by then are
 * abandoned (a daemon that takes one connection a second would otherwise
 * keep the bench for hours).  SRC, if given, is bound as the source
 * address; a comma-separated list of them (at most MAX_SRC) is used in
 * turn, a connection each, so that many legit clients do not look like
 * one to a per-source limit.  Every file is read before the first
 * connection.  At the end
 * one line goes to standard output:
 *
 *   sent S failed F unsent U first_ns F last_ns L
 *
 * S: connections that took the whole packet and were closed; F: refused,
 * reset or out of time (CONN_MS, TOTAL_MS); U: never started (TOTAL_MS);
 * F and L on CLOCK_MONOTONIC (ipset_wait's clock).  Part of bench/: it
 * prints, it never asserts.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../tests/tools/clock_ns.h"
#include "pkt_list.h"

#define MAX_INFLIGHT	4096
#define MAX_SRC		16

struct conn {
	int		fd;		/* -1: free */
	size_t		pkt;
	uint64_t	deadline;
};

struct run {
	struct sockaddr_in	 to, src[MAX_SRC];
	size_t			 nsrc;
	struct pkt		*v;
	size_t			 n, next, sent, failed;
	struct conn		*c;
	size_t			 inflight, max_inflight;
	uint64_t		 conn_ns;
	int			 ep;
};

/* "a,b,...": the source addresses, used in turn. */
static int
parse_sources(struct run *r, char *list)
{
	char *a, *save = NULL;

	for (a = strtok_r(list, ",", &save); a != NULL;
	    a = strtok_r(NULL, ",", &save)) {
		if (r->nsrc == MAX_SRC)
			return -1;
		r->src[r->nsrc].sin_family = AF_INET;
		if (inet_pton(AF_INET, a, &r->src[r->nsrc].sin_addr) != 1)
			return -1;
		r->nsrc++;
	}
	return r->nsrc > 0 ? 0 : -1;
}

static void
conn_end(struct run *r, struct conn *c, int ok)
{
	close(c->fd);	/* also drops it from the epoll set */
	c->fd = -1;
	r->inflight--;
	if (ok)
		r->sent++;
	else
		r->failed++;
}

/* Start packet r->next on a free slot; 0, or -1 if it failed at once. */
static int
conn_start(struct run *r, struct conn *c, uint64_t now)
{
	struct epoll_event ev = { .events = EPOLLOUT };
	int one = 1, fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* the source port is chosen at connect(), by the whole 4-tuple */
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	if ((r->nsrc > 0 && bind(fd, (struct sockaddr *)&r->src[r->next %
	    r->nsrc], sizeof(r->src[0])) != 0) ||
	    (connect(fd, (struct sockaddr *)&r->to, sizeof(r->to)) != 0 &&
	    errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	c->fd = fd;
	c->pkt = r->next;
	c->deadline = now + r->conn_ns;
	ev.data.ptr = c;
	if (epoll_ctl(r->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
		close(fd);
		c->fd = -1;
		return -1;
	}
	r->inflight++;
	return 0;
}

/* Connected (or failed): write the packet whole and close. */
static void
conn_ready(struct run *r, struct conn *c)
{
	const struct pkt *p = &r->v[c->pkt];
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
		conn_end(r, c, 0);
		return;
	}
	/* a fresh connection's send buffer takes a packet in one write */
	conn_end(r, c, send(c->fd, p->buf, p->len, MSG_NOSIGNAL) ==
	    (ssize_t)p->len);
}

static struct conn *
free_slot(struct run *r)
{
	size_t i;

	for (i = 0; i < r->max_inflight; i++)
		if (r->c[i].fd < 0)
			return &r->c[i];
	return NULL;
}

static void
expire(struct run *r, uint64_t now, int all)
{
	size_t i;

	for (i = 0; i < r->max_inflight; i++)
		if (r->c[i].fd >= 0 && (all || r->c[i].deadline <= now))
			conn_end(r, &r->c[i], 0);
}

static void
run_all(struct run *r, uint64_t gap, uint64_t first, uint64_t end)
{
	struct epoll_event ev[64];
	struct conn *c;
	uint64_t now;
	int i, k, wait_ms;

	while ((r->next < r->n || r->inflight > 0) && (now = now_ns()) < end) {
		while (r->next < r->n && r->inflight < r->max_inflight &&
		    (gap == 0 || now >= first + r->next * gap)) {
			c = free_slot(r);
			if (conn_start(r, c, now) != 0)
				r->failed++;
			r->next++;
		}
		wait_ms = 10;
		if (gap != 0 && r->next < r->n && r->inflight < r->max_inflight) {
			uint64_t due = first + r->next * gap;

			wait_ms = due > now ? (int)((due - now) / 1000000) : 0;
			if (wait_ms > 10)
				wait_ms = 10;
		}
		k = epoll_wait(r->ep, ev, 64, wait_ms);
		for (i = 0; i < k; i++)
			conn_ready(r, ev[i].data.ptr);
		expire(r, now_ns(), 0);
	}
	expire(r, 0, 1);
}

int
main(int argc, char **argv)
{
	struct run r = { .to = { .sin_family = AF_INET } };
	struct rlimit rl;
	uint64_t first, last, gap;
	double rate;
	size_t i;

	if (argc != 7 && argc != 8) {
		fprintf(stderr, "usage: tcp_send HOST PORT RATE INFLIGHT CONN_MS "
		    "TOTAL_MS [SRC] < files\n");
		return 2;
	}
	rate = atof(argv[3]);
	r.max_inflight = (size_t)atol(argv[4]);
	r.conn_ns = (uint64_t)atol(argv[5]) * 1000000u;
	if (inet_pton(AF_INET, argv[1], &r.to.sin_addr) != 1 ||
	    r.max_inflight < 1 || r.max_inflight > MAX_INFLIGHT)
		return 2;
	r.to.sin_port = htons((uint16_t)atoi(argv[2]));
	if (argc == 8 && parse_sources(&r, argv[7]) != 0)
		return 2;
	/* one descriptor a connection in flight, and a margin */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < r.max_inflight + 64) {
		rl.rlim_cur = r.max_inflight + 64;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((r.v = pkt_load_all("tcp_send", &r.n)) == NULL || r.n == 0)
		return 1;
	if ((r.c = calloc(r.max_inflight, sizeof(*r.c))) == NULL ||
	    (r.ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		perror("tcp_send");
		return 1;
	}
	for (i = 0; i < r.max_inflight; i++)
		r.c[i].fd = -1;
	gap = rate > 0 ? (uint64_t)(1e9 / rate) : 0;
	first = now_ns();
	run_all(&r, gap, first, first + (uint64_t)atol(argv[6]) * 1000000u);
	last = now_ns();
	printf("sent %zu failed %zu unsent %zu first_ns %llu last_ns %llu\n",
	    r.sent, r.failed, r.n - r.next, (unsigned long long)first,
	    (unsigned long long)last);
	free(r.c);
	free(r.v);
	return 0;
}
