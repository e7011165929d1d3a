/*
 * nft_wait: watch an nftables set of ipv4_addr . inet_proto .
 * inet_service through nfnetlink (no nft CLI, no libnftables), for
 * bench/run: ipset_wait's two commands for the nft module's rows.
 *
 *   nft_wait count FAMILY TABLE SET N TIMEOUT_MS IDLE_MS POLL_US
 *   nft_wait latency FAMILY TABLE SET CLIENT_NETNS HOST PORT TIMEOUT_MS POLL_US
 *
 * Arguments, input and output as ipset_wait's (see ipset_wait.c), with
 * the set named by its family (inet, ip), table and name.  nf_tables
 * keeps no element count, so each count is a dump of the set's
 * elements (GETSETELEM), counted; latency asks the kernel for the one
 * element (a GETSETELEM that is not a dump, as ipset_wait tests one);
 * libnftables would format every element as text first, ~80 us each, too
 * slow to poll a set of 10,000.  Run it in the server's network namespace.
 *
 * count on a set does not poll: dumping a set of 10,000 elements every
 * millisecond took most of a CPU from the daemon being measured (ipset_wait
 * reads a header-only count).  It reads nf_tables' notifications instead
 * (NFNLGRP_NFTABLES: each element added, as `nft monitor` sees them),
 * counting each key once, after one dump for the elements already there;
 * a notification lost to a full socket buffer (ENOBUFS) is made up for by
 * another dump.  POLL_US is then unused.
 *
 * SET written rules:CHAIN watches the rules of a chain instead (GETRULE):
 * the built-in firewall's iptables backend, one rule per grant, on a host
 * whose iptables is iptables-nft (its rules are nf_tables rules).  A rule
 * counts as the latency line's grant when one of its cmp expressions
 * compares with the line's IPv4 address (how iptables-nft matches -s
 * ADDR/32); latency addresses are distinct, so that is one rule.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../tests/tools/clock_ns.h"
#include "wait_common.h"

#define KEY_LEN		12	/* addr 4, proto 1+3, port 2+2: 32-bit registers */
#define RXBUF		(256 * 1024)
#define SEEN_SLOTS	(1u << 17)	/* > 2 x the 60,000 elements bench/run makes */

/*
 * The keys of one dump, to count each once: a dump that spans several
 * messages while the set grows can return an element twice (the kernel
 * resumes a hash walk by position, and the set's hash table resizes
 * under it), which counted 510 elements of 500.  A slot belongs to the
 * current dump when its generation is the dump's: nothing is cleared.
 */
struct seen {
	uint32_t	 gen;
	uint8_t		 key[KEY_LEN];
};

struct nl {
	int		 fd;
	uint32_t	 seq;
	uint8_t		 family;
	const char	*table, *set;
	int		 rules;		/* set is a chain: count its rules */
	char		*buf;
	struct seen	*seen;		/* SEEN_SLOTS */
	uint32_t	 gen;		/* of the dump under way */
	long		 repeats;	/* keys a dump returned twice, all dumps */
};

/* 1 if `k` was not seen yet in this dump (and is now), else 0. */
static int
first_seen(struct nl *nl, const uint8_t *k)
{
	uint32_t h = 2166136261u, i, n;
	size_t j;

	for (j = 0; j < KEY_LEN; j++)
		h = (h ^ k[j]) * 16777619u;
	for (n = 0, i = h & (SEEN_SLOTS - 1); n < SEEN_SLOTS;
	    n++, i = (i + 1) & (SEEN_SLOTS - 1)) {
		if (nl->seen[i].gen != nl->gen) {
			nl->seen[i].gen = nl->gen;
			memcpy(nl->seen[i].key, k, KEY_LEN);
			return 1;
		}
		if (memcmp(nl->seen[i].key, k, KEY_LEN) == 0) {
			nl->repeats++;
			return 0;
		}
	}
	return 1;	/* full: more keys than bench/run ever makes */
}

static void
put_str(char *req, size_t *off, uint16_t type, const char *s)
{
	struct nlattr *a = (struct nlattr *)(req + *off);
	size_t n = strlen(s) + 1;

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + n);
	memcpy(req + *off + NLA_HDRLEN, s, n);
	*off += NLA_ALIGN(a->nla_len);
}

static int
dump_request(struct nl *nl)
{
	char req[1024] = { 0 };
	struct nlmsghdr *h = (struct nlmsghdr *)req;
	struct nfgenmsg *g = (struct nfgenmsg *)(req + NLMSG_HDRLEN);
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*g));

	h->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) |
	    (nl->rules ? NFT_MSG_GETRULE : NFT_MSG_GETSETELEM);
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	h->nlmsg_seq = ++nl->seq;
	g->nfgen_family = nl->family;
	g->version = NFNETLINK_V0;
	put_str(req, &off, nl->rules ? NFTA_RULE_TABLE : NFTA_SET_ELEM_LIST_TABLE,
	    nl->table);
	put_str(req, &off, nl->rules ? NFTA_RULE_CHAIN : NFTA_SET_ELEM_LIST_SET,
	    nl->set);
	h->nlmsg_len = (uint32_t)off;
	return send(nl->fd, req, off, 0) == (ssize_t)off ? 0 : -1;
}

/* The first nested attribute of `type` inside [p, end), or NULL. */
static const struct nlattr *
find(const char *p, const char *end, uint16_t type)
{
	const struct nlattr *a;

	while (p + NLA_HDRLEN <= end) {
		a = (const struct nlattr *)p;
		if (a->nla_len < NLA_HDRLEN || p + a->nla_len > end)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		p += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

/*
 * One element (NFTA_LIST_ELEM): counted if its key was not seen yet in
 * this dump (a key of another length always), and compared with `key`.
 */
static void
one_elem(struct nl *nl, const struct nlattr *e, const uint8_t *key,
    long *count, int *found)
{
	const char *p = (const char *)e + NLA_HDRLEN, *end = (const char *)e + e->nla_len;
	const struct nlattr *k, *v = NULL;

	if ((k = find(p, end, NFTA_SET_ELEM_KEY)) != NULL)
		v = find((const char *)k + NLA_HDRLEN,
		    (const char *)k + k->nla_len, NFTA_DATA_VALUE);
	if (v == NULL || v->nla_len != NLA_HDRLEN + KEY_LEN) {
		(*count)++;
		return;
	}
	if (first_seen(nl, (const uint8_t *)v + NLA_HDRLEN))
		(*count)++;
	if (key != NULL && memcmp((const char *)v + NLA_HDRLEN, key, KEY_LEN) == 0)
		*found = 1;
}

/* The nested attribute `type` of attribute `a`, or NULL. */
static const struct nlattr *
inner(const struct nlattr *a, uint16_t type)
{
	if (a == NULL)
		return NULL;
	return find((const char *)a + NLA_HDRLEN, (const char *)a + a->nla_len,
	    type);
}

/* A cmp expression (NFTA_LIST_ELEM) whose data is the address `key`? */
static int
cmp_is(const struct nlattr *e, const uint8_t *key)
{
	const struct nlattr *name = inner(e, NFTA_EXPR_NAME);
	const struct nlattr *v = inner(inner(inner(e, NFTA_EXPR_DATA),
	    NFTA_CMP_DATA), NFTA_DATA_VALUE);

	return name != NULL && name->nla_len == NLA_HDRLEN + 4 &&
	    memcmp((const char *)name + NLA_HDRLEN, "cmp", 4) == 0 &&
	    v != NULL && v->nla_len == NLA_HDRLEN + 4 &&
	    memcmp((const char *)v + NLA_HDRLEN, key, 4) == 0;
}

/* One rule (a GETRULE message) of the chain: counted, searched for `key`. */
static void
one_rule(const struct nl *nl, const char *p, const char *end,
    const uint8_t *key, long *count, int *found)
{
	const struct nlattr *c = find(p, end, NFTA_RULE_CHAIN);
	const struct nlattr *list = find(p, end, NFTA_RULE_EXPRESSIONS), *e;

	/* older kernels may ignore the dump's chain filter */
	if (c == NULL || strcmp((const char *)c + NLA_HDRLEN, nl->set) != 0)
		return;
	(*count)++;
	if (key == NULL || list == NULL)
		return;
	p = (const char *)list + NLA_HDRLEN;
	end = (const char *)list + list->nla_len;
	while ((e = find(p, end, NFTA_LIST_ELEM)) != NULL) {
		if (cmp_is(e, key))
			*found = 1;
		p = (const char *)e + NLA_ALIGN(e->nla_len);
	}
}

static void
one_msg(struct nl *nl, const struct nlmsghdr *h, const uint8_t *key,
    long *count, int *found)
{
	const char *p = (const char *)h + NLMSG_HDRLEN +
	    NLMSG_ALIGN(sizeof(struct nfgenmsg));
	const char *end = (const char *)h + h->nlmsg_len;
	const struct nlattr *list, *e;

	if (nl->rules) {
		one_rule(nl, p, end, key, count, found);
		return;
	}
	if ((list = find(p, end, NFTA_SET_ELEM_LIST_ELEMENTS)) == NULL)
		return;
	{	/* a notification may name any set */
		const struct nlattr *sn = find(p, end, NFTA_SET_ELEM_LIST_SET);

		if (sn != NULL && strcmp((const char *)sn + NLA_HDRLEN,
		    nl->set) != 0)
			return;
	}
	p = (const char *)list + NLA_HDRLEN;
	end = (const char *)list + list->nla_len;
	while ((e = find(p, end, NFTA_LIST_ELEM)) != NULL) {
		one_elem(nl, e, key, count, found);
		p = (const char *)e + NLA_ALIGN(e->nla_len);
	}
}

/*
 * The set's elements counted; *found set if `key` is one of them.
 * -1 on an error (no such set: the kernel's errno is printed).
 */
static long
dump_keys(struct nl *nl, const uint8_t *key, int *found)
{
	const struct nlmsghdr *h;
	long count = 0;
	ssize_t n;
	size_t left;

	*found = 0;
	if (dump_request(nl) != 0)
		return -1;
	for (;;) {
		if ((n = recv(nl->fd, nl->buf, RXBUF, 0)) <= 0)
			return -1;
		h = (const struct nlmsghdr *)nl->buf;
		for (left = (size_t)n; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != nl->seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return count;
			if (h->nlmsg_type == NLMSG_ERROR) {
				fprintf(stderr, "nft_wait: %s %s: %s\n", nl->table,
				    nl->set, strerror(-((const struct nlmsgerr *)
				    NLMSG_DATA(h))->error));
				return -1;
			}
			one_msg(nl, h, key, &count, found);
		}
	}
}

/* A nested attribute's header at *off; returns its offset, to close. */
static size_t
nest_open(char *req, size_t *off, uint16_t type)
{
	struct nlattr *a = (struct nlattr *)(req + *off);
	size_t at = *off;

	a->nla_type = type | NLA_F_NESTED;
	*off += NLA_HDRLEN;
	return at;
}

static void
nest_close(char *req, size_t off, size_t at)
{
	((struct nlattr *)(req + at))->nla_len = (uint16_t)(off - at);
}

/*
 * Whether `key` is in the set, asked of the kernel for that one element
 * (GETSETELEM without a dump, as `nft get element` does): constant time
 * as ipset_wait's test is, where a dump grows with the set and ran
 * beside the daemon for the whole wait.  -1 on an error other than the
 * element's absence.
 */
static int
get_elem(struct nl *nl, const uint8_t *key, int *found)
{
	char req[1024] = { 0 };
	struct nlmsghdr *h = (struct nlmsghdr *)req;
	struct nfgenmsg *g = (struct nfgenmsg *)(req + NLMSG_HDRLEN);
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*g)), l, e, k, d;
	const struct nlmsghdr *r;
	ssize_t n;
	size_t left;

	h->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETSETELEM;
	h->nlmsg_flags = NLM_F_REQUEST;
	h->nlmsg_seq = ++nl->seq;
	g->nfgen_family = nl->family;
	g->version = NFNETLINK_V0;
	put_str(req, &off, NFTA_SET_ELEM_LIST_TABLE, nl->table);
	put_str(req, &off, NFTA_SET_ELEM_LIST_SET, nl->set);
	l = nest_open(req, &off, NFTA_SET_ELEM_LIST_ELEMENTS);
	e = nest_open(req, &off, NFTA_LIST_ELEM);
	k = nest_open(req, &off, NFTA_SET_ELEM_KEY);
	d = off;
	((struct nlattr *)(req + d))->nla_type = NFTA_DATA_VALUE;
	((struct nlattr *)(req + d))->nla_len = NLA_HDRLEN + KEY_LEN;
	memcpy(req + d + NLA_HDRLEN, key, KEY_LEN);
	off += NLA_ALIGN(NLA_HDRLEN + KEY_LEN);
	nest_close(req, off, k);
	nest_close(req, off, e);
	nest_close(req, off, l);
	h->nlmsg_len = (uint32_t)off;
	*found = 0;
	if (send(nl->fd, req, off, 0) != (ssize_t)off)
		return -1;
	for (;;) {
		if ((n = recv(nl->fd, nl->buf, RXBUF, 0)) <= 0)
			return -1;
		r = (const struct nlmsghdr *)nl->buf;
		for (left = (size_t)n; NLMSG_OK(r, left); r = NLMSG_NEXT(r, left)) {
			if (r->nlmsg_seq != nl->seq)
				continue;
			if (r->nlmsg_type != NLMSG_ERROR) {
				*found = 1;
				return 0;
			}
			n = ((const struct nlmsgerr *)NLMSG_DATA(r))->error;
			if (n == 0 || n == -ENOENT)
				return 0;
			fprintf(stderr, "nft_wait: get %s %s: %s\n", nl->table,
			    nl->set, strerror((int)-n));
			return -1;
		}
	}
}

/* Whether `key` is there: one element asked for, or a chain's rules. */
static int
has_key(struct nl *nl, const uint8_t *key, int *found)
{
	if (!nl->rules)
		return get_elem(nl, key, found);
	nl->gen++;
	return dump_keys(nl, key, found) < 0 ? -1 : 0;
}

/* A dump of its own: every key counted once in it. */
static long
dump_set(struct nl *nl, const uint8_t *key, int *found)
{
	nl->gen++;
	return dump_keys(nl, key, found);
}

/*
 * A socket on nf_tables' notifications (a socket of its own: a dump's
 * answers are told apart by sequence number, notifications carry the
 * sender's).
 */
static int
events_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	int grp = NFNLGRP_NFTABLES, rcv = 64 * 1024 * 1024;

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
	    sizeof(grp)) != 0) {
		perror("nft_wait: notifications");
		exit(1);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	return fd;
}

/*
 * Keys added since, counted once over the whole watch (one generation);
 * -1 on error.  Waits at most `ms` for the first notification.
 */
static long
events_read(struct nl *nl, int ev, int ms)
{
	struct pollfd pfd = { .fd = ev, .events = POLLIN };
	const struct nlmsghdr *h;
	long count = 0;
	ssize_t n;
	size_t left;
	int found;

	long repeats = nl->repeats;	/* a refresh re-adds: not a dump's */

	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	for (;; nl->repeats = repeats) {
		n = recv(ev, nl->buf, RXBUF, MSG_DONTWAIT);
		if (n < 0 && errno == ENOBUFS)	/* lost some: ask the set */
			return dump_keys(nl, NULL, &found) + count;
		if (n < 0)
			return errno == EAGAIN ? count : -1;
		h = (const struct nlmsghdr *)nl->buf;
		for (left = (size_t)n; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left))
			if (h->nlmsg_type == ((NFNL_SUBSYS_NFTABLES << 8) |
			    NFT_MSG_NEWSETELEM))
				one_msg(nl, h, NULL, &count, &found);
	}
}

static void
nl_open(struct nl *nl, char **av)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int rcv = 4 * 1024 * 1024;

	memset(nl, 0, sizeof(*nl));
	nl->family = strcmp(av[0], "inet") == 0 ? NFPROTO_INET : NFPROTO_IPV4;
	nl->table = av[1];
	nl->set = av[2];
	if (strncmp(nl->set, "rules:", 6) == 0) {
		nl->rules = 1;
		nl->set += 6;
	}
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	nl->buf = malloc(RXBUF);
	nl->seen = calloc(SEEN_SLOTS, sizeof(*nl->seen));
	nl->gen = 1;	/* slots start at generation 0: free */
	if (nl->fd < 0 || nl->buf == NULL || nl->seen == NULL ||
	    bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("nft_wait: netlink");
		exit(1);
	}
	setsockopt(nl->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
}

static int
cmd_count(char **av)
{
	struct nl nl;
	long want = atol(av[3]), c, prev;
	uint64_t timeout = (uint64_t)atol(av[4]) * 1000000u;
	uint64_t idle = (uint64_t)atol(av[5]) * 1000000u;
	long poll = atol(av[6]);
	uint64_t start, t, first = 0, reached = 0, last = 0;
	int found, ev;

	nl_open(&nl, av);
	ev = nl.rules ? -1 : events_open();	/* before the dump: nothing missed */
	if ((prev = dump_set(&nl, NULL, &found)) < 0)
		return 1;
	printf("ready\n");
	fflush(stdout);
	start = now_ns();
	for (;;) {
		if (ev >= 0) {
			c = events_read(&nl, ev, 20);
			c = c < 0 ? -1 : prev + c;
		} else
			c = dump_set(&nl, NULL, &found);
		t = now_ns();
		if (c > prev) {
			if (first == 0)
				first = t;
			last = t;
			prev = c;
		}
		if (c >= want) {
			reached = t;
			break;
		}
		if (c < 0 || t - start > timeout || (first != 0 && t - last > idle))
			break;
		if (ev < 0)
			pause_us(poll);
	}
	printf("count %ld first_ns %llu reached_ns %llu last_ns %llu repeats %ld\n",
	    prev, (unsigned long long)first, (unsigned long long)reached,
	    (unsigned long long)last, nl.repeats);
	return 0;
}

/* The element's key as nf_tables stores it, from "IP PROTO PORT". */
static int
make_key(const char *ip, unsigned proto, unsigned port, uint8_t *key)
{
	uint16_t p = htons((uint16_t)port);

	memset(key, 0, KEY_LEN);
	if (inet_pton(AF_INET, ip, key) != 1)
		return -1;
	key[4] = (uint8_t)proto;
	memcpy(key + 8, &p, 2);
	return 0;
}

static int
cmd_latency(char **av)
{
	struct nl nl;
	struct sockaddr_in sa;
	uint64_t timeout = (uint64_t)atol(av[6]) * 1000000u, t0, t;
	long poll = atol(av[7]);
	char line[4096], file[4000], ipstr[64], buf[MAX_PKT];
	uint8_t key[KEY_LEN];
	unsigned proto, port;
	ssize_t len;
	int fd, found;

	if ((fd = client_socket(av[3], av[4], av[5], &sa)) < 0) {
		perror("nft_wait: client socket");
		return 1;
	}
	nl_open(&nl, av);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (sscanf(line, "%3999s %63s %u %u", file, ipstr, &proto, &port) != 4 ||
		    make_key(ipstr, proto, port, key) != 0 ||
		    (len = read_pkt(file, buf)) <= 0) {
			fprintf(stderr, "nft_wait: bad line: %s", line);
			return 1;
		}
		if (has_key(&nl, key, &found) < 0 || found) {
			fprintf(stderr, "nft_wait: %s already in %s (or error)\n",
			    ipstr, nl.set);
			return 1;
		}
		t0 = now_ns();
		if (sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&sa,
		    sizeof(sa)) != len) {
			perror("nft_wait: send");
			return 1;
		}
		for (;;) {
			if (has_key(&nl, key, &found) < 0)
				return 1;
			t = now_ns();
			if (found || t - t0 > timeout)
				break;
			pause_us(poll);
		}
		if (found)
			printf("%llu\n", (unsigned long long)(t - t0));
		else
			printf("timeout\n");
		fflush(stdout);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 9 && strcmp(argv[1], "count") == 0)
		return cmd_count(argv + 2);
	if (argc == 10 && strcmp(argv[1], "latency") == 0)
		return cmd_latency(argv + 2);
	fprintf(stderr,
	    "usage: nft_wait count FAMILY TABLE SET N TIMEOUT_MS IDLE_MS POLL_US\n"
	    "       nft_wait latency FAMILY TABLE SET CLIENT_NETNS HOST PORT"
	    " TIMEOUT_MS POLL_US < lines\n");
	return 2;
}
