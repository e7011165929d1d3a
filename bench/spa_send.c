/*
 * spa_send: send saved SPA packets (fwknop -B files) as UDP datagrams, as
 * fast as possible (sendmmsg, 64 at a time) or at a fixed rate.
 *
 *   spa_send HOST PORT RATE < list-of-files
 *
 * RATE is datagrams per second, 0 for as fast as possible.  Every file is
 * read before the first datagram goes out (one trailing newline, which the
 * client appends, is dropped).  At the end one line goes to standard output:
 *
 *   sent S errors E first_ns F last_ns L
 *
 * with F and L on CLOCK_MONOTONIC (the clock ipset_wait uses).  With
 * SPA_SEND_FLOWS=n in the environment (1..64) it sends from n sockets of
 * their own source ports in turn, a batch each: n flows, which the kernel
 * deals among spagated's verifier workers (capture.workers); one flow
 * always goes to one worker.  Part of bench/: it prints, it never
 * asserts.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../tests/tools/clock_ns.h"
#include "pkt_list.h"

#define BATCH		64
#define FLOWS_MAX	64

/* Send v[from..to) with sendmmsg; returns how many went out. */
static size_t
send_batch(int fd, const struct sockaddr_in *to_sa, struct pkt *v, size_t from,
    size_t to, size_t *errors)
{
	struct mmsghdr m[BATCH];
	struct iovec io[BATCH];
	size_t i, k = to - from, done = 0;
	int r;

	memset(m, 0, sizeof(m));
	for (i = 0; i < k; i++) {
		io[i].iov_base = v[from + i].buf;
		io[i].iov_len = v[from + i].len;
		m[i].msg_hdr.msg_name = (void *)to_sa;
		m[i].msg_hdr.msg_namelen = sizeof(*to_sa);
		m[i].msg_hdr.msg_iov = &io[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	while (done < k) {
		r = sendmmsg(fd, m + done, (unsigned)(k - done), 0);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == ENOBUFS)
				continue;
			(*errors)++;
			done++;		/* skip the one that failed */
			continue;
		}
		done += (size_t)r;
	}
	return done;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct pkt *v;
	size_t n, i, step, sent = 0, errors = 0;
	uint64_t first, last, gap;
	double rate;
	const char *e = getenv("SPA_SEND_FLOWS");
	int fd[FLOWS_MAX], nfd = e != NULL ? atoi(e) : 1, f;

	if (nfd < 1 || nfd > FLOWS_MAX) {
		fprintf(stderr, "spa_send: SPA_SEND_FLOWS must be 1..%d\n",
		    FLOWS_MAX);
		return 2;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: spa_send HOST PORT RATE < files\n");
		return 2;
	}
	rate = atof(argv[3]);
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
		return 2;
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	v = pkt_load_all("spa_send", &n);
	if (v == NULL || n == 0)
		return 1;
	/* Not connected: an ICMP port unreachable (pcap mode, nothing
	 * listening) must not fail the next send. */
	for (f = 0; f < nfd; f++)
		if ((fd[f] = socket(AF_INET, SOCK_DGRAM, 0)) < 0) {
			perror("spa_send: socket");
			return 1;
		}
	step = rate > 0 ? 1 : BATCH;
	gap = rate > 0 ? (uint64_t)(1e9 / rate) : 0;
	first = now_ns();
	for (i = 0; i < n; i += step) {
		if (gap != 0)
			wait_until(first + i * gap);
		sent += send_batch(fd[(i / step) % (size_t)nfd], &sa, v, i,
		    i + step < n ? i + step : n, &errors);
	}
	last = now_ns();
	printf("sent %zu errors %zu first_ns %llu last_ns %llu\n", sent - errors,
	    errors, (unsigned long long)first, (unsigned long long)last);
	for (f = 0; f < nfd; f++)
		close(fd[f]);
	free(v);
	return 0;
}
