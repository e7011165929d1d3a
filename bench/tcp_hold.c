/*
 * tcp_hold: open N TCP connections to HOST:PORT from SRC and keep them
 * idle (never a byte written), as an attacker holding a listener's slots
 * would; for bench/run's TCP hold workload.
 *
 *   tcp_hold HOST PORT N SRC SETTLE_MS HOLD_MS
 *
 * All N connects are started at once (nonblocking); the kernel retries
 * the SYNs a listener drops.  Once every connect has ended, or SETTLE_MS
 * after the start, one line goes to standard output (flushed):
 *
 *   ready established E open O pending P failed F
 *
 * then the connections are held until HOLD_MS after the start (or
 * SIGTERM), watching for the peer closing them, and a last line says
 *
 *   end established E open O closed_by_peer C pending P failed F
 *
 * E: connects that completed so far (the handshake was answered);
 * O: of those, still open (the peer has not closed or reset them);
 * C: closed or reset by the peer; P: connects still retrying;
 * F: connects that failed.  RLIMIT_NOFILE is raised to N and a margin
 * (root may raise the hard limit).  Part of bench/: it prints, it never
 * asserts.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../tests/tools/clock_ns.h"

#define MAX_CONNS	200000

enum state { PENDING, OPEN, CLOSED, FAILED };

struct hold {
	int		*fd;
	enum state	*st;
	size_t		 n, open, pending, closed, failed, established;
	int		 ep;
};

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int
raise_nofile(size_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	if (rl.rlim_cur >= want)
		return 0;
	rl.rlim_cur = want;
	if (rl.rlim_max < want)
		rl.rlim_max = want;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

/* Start connect i; its end is an EPOLLOUT (or an error) on the socket. */
static void
start(struct hold *h, size_t i, const struct sockaddr_in *to,
    const struct sockaddr_in *src)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = i };
	int one = 1, fd;

	h->st[i] = FAILED;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		h->failed++;
		return;
	}
	/* 10,000 connections from one address: ports chosen per 4-tuple */
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)src, sizeof(*src)) != 0 ||
	    (connect(fd, (const struct sockaddr *)to, sizeof(*to)) != 0 &&
	    errno != EINPROGRESS) ||
	    epoll_ctl(h->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
		close(fd);
		h->failed++;
		return;
	}
	h->fd[i] = fd;
	h->st[i] = PENDING;
	h->pending++;
}

static void
finish(struct hold *h, size_t i, enum state to)
{
	if (h->st[i] == PENDING)
		h->pending--;
	else if (h->st[i] == OPEN)
		h->open--;
	h->st[i] = to;
	if (to == OPEN) {
		h->open++;
		h->established++;
		return;
	}
	close(h->fd[i]);
	h->fd[i] = -1;
	if (to == CLOSED)
		h->closed++;
	else
		h->failed++;
}

/* A connect ended: open, watched for the peer's close from now on. */
static void
on_event(struct hold *h, size_t i, uint32_t events)
{
	struct epoll_event ev = { .events = EPOLLRDHUP, .data.u64 = i };
	socklen_t len = sizeof(int);
	int err = 0;

	if (h->st[i] == OPEN) {
		finish(h, i, CLOSED);
		return;
	}
	if ((events & (EPOLLERR | EPOLLHUP)) != 0 ||
	    getsockopt(h->fd[i], SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
	    err != 0) {
		finish(h, i, FAILED);
		return;
	}
	finish(h, i, OPEN);
	epoll_ctl(h->ep, EPOLL_CTL_MOD, h->fd[i], &ev);
}

static void
loop_until(struct hold *h, uint64_t end, int until_settled)
{
	struct epoll_event ev[256];
	int i, k;

	while (!stop && now_ns() < end && !(until_settled && h->pending == 0)) {
		k = epoll_wait(h->ep, ev, 256, 50);
		for (i = 0; i < k; i++)
			on_event(h, (size_t)ev[i].data.u64, ev[i].events);
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct sockaddr_in src = { .sin_family = AF_INET };
	struct hold h = { 0 };
	uint64_t t0;
	size_t i;

	if (argc != 7) {
		fprintf(stderr, "usage: tcp_hold HOST PORT N SRC SETTLE_MS HOLD_MS\n");
		return 2;
	}
	h.n = (size_t)atol(argv[3]);
	if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[4], &src.sin_addr) != 1 ||
	    h.n < 1 || h.n > MAX_CONNS)
		return 2;
	to.sin_port = htons((uint16_t)atoi(argv[2]));
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	if (raise_nofile(h.n + 64) != 0) {
		perror("tcp_hold: RLIMIT_NOFILE (a hard limit of at least N + 64 needed)");
		return 1;
	}
	h.fd = calloc(h.n, sizeof(*h.fd));
	h.st = calloc(h.n, sizeof(*h.st));
	if (h.fd == NULL || h.st == NULL ||
	    (h.ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		perror("tcp_hold");
		return 1;
	}
	t0 = now_ns();
	for (i = 0; i < h.n; i++)
		start(&h, i, &to, &src);
	loop_until(&h, t0 + (uint64_t)atol(argv[5]) * 1000000u, 1);
	printf("ready established %zu open %zu pending %zu failed %zu\n",
	    h.established, h.open, h.pending, h.failed);
	fflush(stdout);
	loop_until(&h, t0 + (uint64_t)atol(argv[6]) * 1000000u, 0);
	printf("end established %zu open %zu closed_by_peer %zu pending %zu "
	    "failed %zu\n", h.established, h.open, h.closed, h.pending,
	    h.failed);
	return 0;
}
