/*
 * What bench/ipset_wait.c and bench/nft_wait.c share: a pause, a UDP
 * socket made in the client's network namespace, and a saved SPA packet
 * read back (fwknop -B).  Each tool is one file built by bench/lib.sh,
 * so these are static functions in a header.
 */
#ifndef SPA_BENCH_WAIT_COMMON_H
#define SPA_BENCH_WAIT_COMMON_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PKT		1500

static void
pause_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	if (us > 0)
		nanosleep(&ts, NULL);
}

/*
 * A UDP socket made inside the netns at PATH, and the address HOST:PORT in
 * *sa.  Not connected, so that an ICMP port unreachable (pcap mode: nothing
 * listens) does not fail the next send.
 */
static int
client_socket(const char *netns, const char *host, const char *port,
    struct sockaddr_in *sa)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int other = open(netns, O_RDONLY | O_CLOEXEC);
	int fd = -1;

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(port));
	if (self < 0 || other < 0 || inet_pton(AF_INET, host, &sa->sin_addr) != 1 ||
	    setns(other, CLONE_NEWNET) != 0)
		goto out;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (setns(self, CLONE_NEWNET) != 0) {
		perror("setns back");
		exit(1);
	}
out:
	if (self >= 0)
		close(self);
	if (other >= 0)
		close(other);
	return fd;
}

/* A packet saved by the fwknop client, without its last newline. */
static ssize_t
read_pkt(const char *path, char *buf)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, MAX_PKT, f);
	fclose(f);
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	return (ssize_t)n;
}

#endif
