/*
 * spa_flood: flood a UDP port with invalid SPA-like datagrams at a fixed
 * rate.  Used by tests/integration/flood.sh (issue 6, item 4) and by
 * bench/run for the side-by-side measurement with fwknopd.
 *
 *   spa_flood HOST PORT RATE SECONDS TEMPLATE [SRC]
 *
 * TEMPLATE is a real SPA packet (fwknop -B file); every datagram has its
 * length and is made of random characters of the base64 alphabet, fresh
 * for each datagram, so a daemon cannot refuse it on its length, its
 * alphabet or as a replay: each one costs at least an HMAC.  Two
 * characters are kept from the template: the last of the ciphertext text
 * and the last of the HMAC (HMAC_B64, 43 for SHA-256, the client's
 * default), whose unused low bits a strict base64 decoder checks.  With
 * SPA_FLOOD_SAME set in the environment every datagram is the template
 * itself: a forged packet that costs the daemon as much each time it is
 * sent (bench/run's crafted GnuPG packets, bench/gpg_forge.py).
 *
 * Datagrams go out in sendmmsg batches of BATCH, each batch at its own
 * deadline on an absolute CLOCK_MONOTONIC schedule (clock_nanosleep), for
 * SECONDS; a late sender does not sleep until it has caught up (asked for
 * more than it can send, it sends every datagram asked for, later).  With
 * SPA_FLOOD_FLOWS=n (1..64) the batches go out from n sockets in turn,
 * each of its own source port: n flows, which the kernel deals among
 * spagated's verifier workers (one flow always goes to one).
 * SIGTERM or SIGINT ends it at once, with its line (bench/run measures
 * over a fixed window at a rate no sender reaches).  SRC, if
 * given, is bound as the source address.  At the end one line goes to
 * standard output:
 *
 *   sent S errors E first_ns F last_ns L rate R
 *
 * with R = S / (L - F) in datagrams per second: the rate achieved, not the
 * one asked for.  It prints, it never asserts.
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
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "clock_ns.h"

#define MAX_PKT		1500
#define BATCH		32
#define HMAC_B64	43
#define FLOWS_MAX	64

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static volatile sig_atomic_t stop;

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

/* xorshift64*: fast, and plenty for junk. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static void
fill(char *p, const char *tmpl, size_t len, uint64_t *s)
{
	size_t i, j;
	uint64_t r = 0;

	for (i = 0, j = 0; i < len; i++, j--) {
		if (j == 0) {
			r = rnd(s);
			j = 10;		/* 6 bits at a time */
		}
		p[i] = b64[r & 63];
		r >>= 6;
	}
	if (len > HMAC_B64 + 1)
		p[len - HMAC_B64 - 1] = tmpl[len - HMAC_B64 - 1];
	p[len - 1] = tmpl[len - 1];
	/* The client strips "U2FsdGVkX1"; spagated refuses it cheaply. */
	if (memcmp(p, "U2Fsd", 5) == 0)
		p[0] = 'A';
}

int
main(int argc, char **argv)
{
	static char buf[BATCH][MAX_PKT];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct sockaddr_in src = { .sin_family = AF_INET };
	struct mmsghdr m[BATCH];
	struct iovec io[BATCH];
	char tmpl[MAX_PKT];
	size_t len, sent = 0, errors = 0, k, done;
	uint64_t first, last, gap, end, seed, b;
	double rate, secs;
	FILE *f;
	const char *e = getenv("SPA_FLOOD_FLOWS");
	int fds[FLOWS_MAX], nfd = e != NULL ? atoi(e) : 1, i, fd, r, same;

	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: spa_flood HOST PORT RATE SECONDS TEMPLATE [SRC]\n");
		return 2;
	}
	rate = atof(argv[3]);
	secs = atof(argv[4]);
	if (rate <= 0 || secs <= 0 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
		return 2;
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	if ((f = fopen(argv[5], "rb")) == NULL) {
		perror("spa_flood: template");
		return 1;
	}
	len = fread(tmpl, 1, sizeof(tmpl), f);
	fclose(f);
	if (len > 0 && tmpl[len - 1] == '\n')
		len--;
	if (len <= HMAC_B64 + 1) {
		fprintf(stderr, "spa_flood: template too short\n");
		return 1;
	}
	if (nfd < 1 || nfd > FLOWS_MAX) {
		fprintf(stderr, "spa_flood: SPA_FLOOD_FLOWS must be 1..%d\n",
		    FLOWS_MAX);
		return 2;
	}
	if (argc == 7 && inet_pton(AF_INET, argv[6], &src.sin_addr) != 1) {
		fprintf(stderr, "spa_flood: bad source address\n");
		return 2;
	}
	for (i = 0; i < nfd; i++) {
		if ((fds[i] = socket(AF_INET, SOCK_DGRAM, 0)) < 0) {
			perror("spa_flood: socket");
			return 1;
		}
		if (argc == 7 &&
		    bind(fds[i], (struct sockaddr *)&src, sizeof(src)) != 0) {
			perror("spa_flood: bind");
			return 1;
		}
	}
	memset(m, 0, sizeof(m));
	for (k = 0; k < BATCH; k++) {
		io[k].iov_base = buf[k];
		io[k].iov_len = len;
		m[k].msg_hdr.msg_name = &sa;
		m[k].msg_hdr.msg_namelen = sizeof(sa);
		m[k].msg_hdr.msg_iov = &io[k];
		m[k].msg_hdr.msg_iovlen = 1;
	}
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	seed = now_ns() ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ull;
	gap = (uint64_t)(1e9 * BATCH / rate);
	first = now_ns();
	end = first + (uint64_t)(secs * 1e9);
	same = getenv("SPA_FLOOD_SAME") != NULL;
	for (k = 0; same && k < BATCH; k++)
		memcpy(buf[k], tmpl, len);
	for (b = 0;; b++) {
		uint64_t due = first + b * gap;

		if (due >= end || stop)
			break;
		wait_until(due);
		for (k = 0; !same && k < BATCH; k++)
			fill(buf[k], tmpl, len, &seed);
		fd = fds[b % (uint64_t)nfd];
		for (done = 0; done < BATCH;) {
			r = sendmmsg(fd, m + done, (unsigned)(BATCH - done), 0);
			if (r < 0) {
				if (errno == EINTR || errno == EAGAIN ||
				    errno == ENOBUFS)
					continue;
				errors++;
				done++;		/* skip the one that failed */
				continue;
			}
			done += (size_t)r;
			sent += (size_t)r;
		}
	}
	last = now_ns();
	printf("sent %zu errors %zu first_ns %llu last_ns %llu rate %.0f\n",
	    sent, errors, (unsigned long long)first, (unsigned long long)last,
	    last > first ? sent / ((last - first) / 1e9) : 0.0);
	for (i = 0; i < nfd; i++)
		close(fds[i]);
	return 0;
}
