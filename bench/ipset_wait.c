/*
 * ipset_wait: watch a kernel ipset set through libipset (no ipset CLI, no
 * fork), for bench/run.
 *
 *   ipset_wait count SET N TIMEOUT_MS IDLE_MS POLL_US
 *	Print "ready", then read the set's element count (a header-only
 *	list, O(1) in the kernel) every POLL_US until it reaches N, or it
 *	has not grown for IDLE_MS after a first change, or TIMEOUT_MS
 *	passed.  Then print
 *	    count C first_ns F reached_ns R last_ns L
 *	C: highest count seen, F: first growth seen, R: N reached (0 if
 *	never), L: last growth.
 *
 *   ipset_wait latency SET CLIENT_NETNS HOST PORT TIMEOUT_MS POLL_US
 *	Standard input: lines "FILE IP PROTO PORT".  For each line, send
 *	FILE (a saved SPA packet) as one UDP datagram to HOST:PORT from the
 *	network namespace CLIENT_NETNS (a path such as /run/netns/x), then
 *	test IP,PROTO:PORT in SET every POLL_US until it is present and
 *	print the nanoseconds from send to present, or "timeout".
 *
 * Run it inside the server's network namespace (ip netns exec), where
 * the set lives.  All times are CLOCK_MONOTONIC.  The default libipset
 * error handlers call exit(), so only the low-level session API is used,
 * with a print function of our own; errors come back as reports.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libipset/data.h>
#include <libipset/session.h>
#include <libipset/types.h>
#include <libipset/nfproto.h>

#include "../tests/tools/clock_ns.h"
#include "wait_common.h"

struct outbuf {
	char	text[8192];
	size_t	len;
};

/* libipset's output (list text) lands here instead of stdout. */
static int
collect(struct ipset_session *s, void *p, const char *fmt, ...)
{
	struct outbuf *o = p;
	va_list ap;
	int r;

	(void)s;
	if (o->len >= sizeof(o->text) - 1)
		return 0;
	va_start(ap, fmt);
	r = vsnprintf(o->text + o->len, sizeof(o->text) - o->len, fmt, ap);
	va_end(ap);
	if (r > 0)
		o->len += (size_t)r < sizeof(o->text) - o->len ?
		    (size_t)r : sizeof(o->text) - o->len - 1;
	return r;
}

static struct ipset_session *
session(struct outbuf *o)
{
	struct ipset_session *s;

	ipset_load_types();
	s = ipset_session_init(collect, o);
	if (s == NULL) {
		fprintf(stderr, "ipset_wait: cannot open a libipset session\n");
		exit(1);
	}
	return s;
}

/* Element count of SET from a header-only list; -1 on error. */
static long
set_count(struct ipset_session *s, struct outbuf *o, const char *set)
{
	const char *p;
	int r;

	o->len = 0;
	o->text[0] = '\0';
	ipset_session_report_reset(s);
	ipset_session_output(s, IPSET_LIST_PLAIN);
	ipset_envopt_set(s, IPSET_ENV_LIST_HEADER);
	ipset_session_data_set(s, IPSET_SETNAME, set);
	r = ipset_cmd(s, IPSET_CMD_LIST, 0);
	ipset_commit(s);
	if (r < 0 || ipset_session_report_type(s) == IPSET_ERROR)
		return -1;
	p = strstr(o->text, "Number of entries:");
	return p != NULL ? strtol(p + 18, NULL, 10) : -1;
}

static int
cmd_count(char **av)
{
	struct outbuf o;
	struct ipset_session *s = session(&o);
	const char *set = av[0];
	long want = atol(av[1]), c, prev;
	uint64_t timeout = (uint64_t)atol(av[2]) * 1000000u;
	uint64_t idle = (uint64_t)atol(av[3]) * 1000000u;
	long poll = atol(av[4]);
	uint64_t start, t, first = 0, reached = 0, last = 0;

	prev = set_count(s, &o, set);
	if (prev < 0) {
		fprintf(stderr, "ipset_wait: cannot list %s: %s", set,
		    ipset_session_report_msg(s));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	start = now_ns();
	for (;;) {
		c = set_count(s, &o, set);
		t = now_ns();
		if (c > prev) {		/* the highest count seen */
			if (first == 0)
				first = t;
			last = t;
			prev = c;
		}
		if (c >= want) {
			reached = t;
			break;
		}
		if (t - start > timeout || (first != 0 && t - last > idle))
			break;
		pause_us(poll);
	}
	printf("count %ld first_ns %llu reached_ns %llu last_ns %llu\n", prev,
	    (unsigned long long)first, (unsigned long long)reached,
	    (unsigned long long)last);
	ipset_session_fini(s);
	return 0;
}

/* 1 if IP,PROTO:PORT is in SET, 0 if not, -1 on error. */
static int
in_set(struct ipset_session *s, const char *set, const union nf_inet_addr *ip,
    uint8_t proto, uint16_t port)
{
	uint8_t family = NFPROTO_IPV4;
	int r;

	ipset_session_report_reset(s);
	ipset_data_reset(ipset_session_data(s));
	ipset_session_data_set(s, IPSET_SETNAME, set);
	if (ipset_type_get(s, IPSET_CMD_TEST) == NULL)
		return -1;
	ipset_session_data_set(s, IPSET_OPT_FAMILY, &family);
	ipset_session_data_set(s, IPSET_OPT_IP, ip);
	ipset_session_data_set(s, IPSET_OPT_PROTO, &proto);
	ipset_session_data_set(s, IPSET_OPT_PORT, &port);
	r = ipset_cmd(s, IPSET_CMD_TEST, 0);
	if (ipset_session_report_type(s) == IPSET_ERROR)
		return -1;
	return r == 0;
}

static int
cmd_latency(char **av)
{
	struct outbuf o;
	struct ipset_session *s;
	struct sockaddr_in sa;
	const char *set = av[0];
	uint64_t timeout = (uint64_t)atol(av[4]) * 1000000u, t0, t;
	long poll = atol(av[5]);
	char line[4096], file[4000], ipstr[64], buf[MAX_PKT];
	union nf_inet_addr ip;
	unsigned proto, port;
	ssize_t len;
	int fd, r;

	fd = client_socket(av[1], av[2], av[3], &sa);
	if (fd < 0) {
		perror("ipset_wait: client socket");
		return 1;
	}
	s = session(&o);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		memset(&ip, 0, sizeof(ip));
		if (sscanf(line, "%3999s %63s %u %u", file, ipstr, &proto, &port) != 4 ||
		    inet_pton(AF_INET, ipstr, &ip.in) != 1 ||
		    (len = read_pkt(file, buf)) <= 0) {
			fprintf(stderr, "ipset_wait: bad line: %s", line);
			return 1;
		}
		if (in_set(s, set, &ip, (uint8_t)proto, (uint16_t)port) != 0) {
			fprintf(stderr, "ipset_wait: %s already in %s (or error)\n",
			    ipstr, set);
			return 1;
		}
		t0 = now_ns();
		if (sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&sa,
		    sizeof(sa)) != len) {
			perror("ipset_wait: send");
			return 1;
		}
		for (;;) {
			r = in_set(s, set, &ip, (uint8_t)proto, (uint16_t)port);
			t = now_ns();
			if (r != 0 || t - t0 > timeout)
				break;
			pause_us(poll);
		}
		if (r < 0) {
			fprintf(stderr, "ipset_wait: test failed: %s",
			    ipset_session_report_msg(s));
			return 1;
		}
		if (r == 1)
			printf("%llu\n", (unsigned long long)(t - t0));
		else
			printf("timeout\n");
		fflush(stdout);
	}
	ipset_session_fini(s);
	return 0;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 7 && strcmp(argv[1], "count") == 0)
		return cmd_count(argv + 2);
	if (argc == 8 && strcmp(argv[1], "latency") == 0)
		return cmd_latency(argv + 2);
	fprintf(stderr,
	    "usage: ipset_wait count SET N TIMEOUT_MS IDLE_MS POLL_US\n"
	    "       ipset_wait latency SET CLIENT_NETNS HOST PORT TIMEOUT_MS POLL_US"
	    " < lines\n");
	return 2;
}
