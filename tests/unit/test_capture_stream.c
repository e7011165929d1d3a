/*
 * The connection listener behind the HTTP and TCP sources, with real
 * sockets on 127.0.0.1: what it hands on, and each of its bounds
 * (connections held, bytes read, time, new connections per source).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "capture_stream.h"
#include "err.h"
#include "helpers.h"

#define MAX_LEN	16

static const struct stream_kind test_kind = {
	.kind = "test",
	.via = SPA_VIA_TCP,
	.max_len = MAX_LEN,
	.complete = NULL,
};

struct got {
	size_t	n;
	size_t	len;
	uint8_t	data[MAX_LEN];
	enum spa_transport via;
};

static bool
on_packet(void *arg, const struct packet *pkt)
{
	struct got *g = arg;

	g->n++;
	g->via = pkt->via;
	g->len = pkt->len;
	memcpy(g->data, pkt->data, pkt->len);
	return true;
}

/* A free port on 127.0.0.1 (free a moment ago). */
static uint16_t
free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	return ntohs(sin.sin_port);
}

static struct capture *
open_listener(uint16_t port, size_t conns, uint32_t rate)
{
	const struct stream_limits lim = {
		.address = "127.0.0.1", .port = port, .max_conns = conns,
		.per_source_rate = rate, .timeout_ms = 1000,
	};
	struct capture *c = NULL;
	char err[256];

	assert_int_equal(capture_open_stream(&test_kind, &lim, &c, err,
	    sizeof(err)), 0);
	return c;
}

static int
connect_to(uint16_t port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

/* One pass of the loop at monotonic time `ms`: poll briefly, dispatch. */
static size_t
pass(struct capture *c, int64_t ms, struct got *g)
{
	struct pollfd pfd[STREAM_MAX_CONNS + 1];
	struct now now = { .wall_s = 1000, .mono_ms = ms };
	size_t n = capture_pollfds(c, pfd, STREAM_MAX_CONNS + 1);

	assert_true(poll(pfd, n, 50) >= 0);
	assert_int_equal(capture_dispatch(c, pfd, n, &now, on_packet, g), 0);
	return capture_pollfds(c, pfd, STREAM_MAX_CONNS + 1) - 1;
}

/*
 * One dispatch in which only the listener has something to say, as when
 * a connection's bytes arrive after the poll that saw a new client.
 */
static void
listener_only(struct capture *c, int64_t ms, struct got *g)
{
	struct pollfd pfd[STREAM_MAX_CONNS + 1];
	struct now now = { .wall_s = 1000, .mono_ms = ms };
	size_t n = capture_pollfds(c, pfd, STREAM_MAX_CONNS + 1), i;

	for (i = 0; i < n; i++)
		pfd[i].revents = 0;
	pfd[0].revents = POLLIN;
	assert_int_equal(capture_dispatch(c, pfd, n, &now, on_packet, g), 0);
}

/* A client that connects, sends `msg` and closes its side. */
static int
client_sends(uint16_t port, const char *msg)
{
	int fd = connect_to(port);

	assert_int_equal(write(fd, msg, strlen(msg)), (ssize_t)strlen(msg));
	shutdown(fd, SHUT_WR);
	return fd;
}

/* Whether the listener closed `fd`: a read sees its end, never a byte. */
static bool
closed_by_peer(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char b;

	return poll(&p, 1, 1000) == 1 && read(fd, &b, 1) <= 0;
}

static void
delivers_at_the_peers_end_and_never_answers(void **state)
{
	uint16_t port = free_port();
	struct capture *c = open_listener(port, 4, 0);
	struct got g = { 0 };
	int fd = connect_to(port), i;

	(void)state;
	assert_int_equal(pass(c, 0, &g), 1);
	assert_int_equal(write(fd, "abc", 3), 3);
	pass(c, 1, &g);
	assert_int_equal(g.n, 0);	/* not before its end */
	shutdown(fd, SHUT_WR);
	for (i = 0; i < 10 && g.n == 0; i++)
		pass(c, 2, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.len, 3);
	assert_memory_equal(g.data, "abc", 3);
	assert_int_equal(g.via, SPA_VIA_TCP);
	assert_true(closed_by_peer(fd));
	close(fd);
	capture_close(c);
}

static void
reads_at_most_max_len(void **state)
{
	uint16_t port = free_port();
	struct capture *c = open_listener(port, 4, 0);
	struct got g = { 0 };
	char big[MAX_LEN * 2];
	int fd = connect_to(port);

	(void)state;
	memset(big, 'x', sizeof(big));
	pass(c, 0, &g);
	assert_int_equal(write(fd, big, sizeof(big)), (ssize_t)sizeof(big));
	pass(c, 1, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.len, MAX_LEN);
	close(fd);
	capture_close(c);
}

static void
holds_at_most_max_conns_dropping_the_oldest(void **state)
{
	uint16_t port = free_port();
	struct capture *c = open_listener(port, 2, 0);
	struct got g = { 0 };
	int a, b, d, i;

	(void)state;
	a = connect_to(port);
	pass(c, 0, &g);
	b = connect_to(port);
	pass(c, 10, &g);
	d = connect_to(port);
	assert_int_equal(pass(c, 20, &g), 2);
	assert_true(closed_by_peer(a));		/* the oldest */
	assert_int_equal(write(d, "d", 1), 1);	/* the newest is read */
	shutdown(d, SHUT_WR);
	for (i = 0; i < 10 && g.n == 0; i++)	/* its byte, then its end */
		pass(c, 30, &g);
	assert_int_equal(g.n, 1);
	close(a);
	close(b);
	close(d);
	capture_close(c);
}

/*
 * A burst of clients completes its handshakes before the verifier takes
 * any: the kernel queues them (a queue too short drops their SYNs, and
 * each waits a second for its retransmission).
 */
static void
queues_a_burst_of_handshakes(void **state)
{
	enum { CLIENTS = 600 };
	uint16_t port = free_port();
	struct capture *c = open_listener(port, 4, 0);
	struct sockaddr_in sin;
	struct tcp_info ti;
	socklen_t len;
	int fd[CLIENTS], i, resent = 0;

	(void)state;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < CLIENTS; i++) {
		fd[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		assert_true(fd[i] >= 0);
		(void)connect(fd[i], (struct sockaddr *)&sin, sizeof(sin));
	}
	for (i = 0; i < CLIENTS; i++) {
		struct pollfd p = { .fd = fd[i], .events = POLLOUT };

		assert_int_equal(poll(&p, 1, 5000), 1);	/* at most one resend */
		len = sizeof(ti);
		assert_int_equal(getsockopt(fd[i], IPPROTO_TCP, TCP_INFO, &ti,
		    &len), 0);
		resent += ti.tcpi_total_retrans > 0;
		close(fd[i]);
	}
	assert_int_equal(resent, 0);
	capture_close(c);
}

/* A burst of whole messages: each read as it is accepted, none evicted. */
static void
reads_each_connection_as_it_is_accepted(void **state)
{
	uint16_t port = free_port();
	struct capture *c = open_listener(port, 1, 0);
	struct got g = { 0 };
	int a = client_sends(port, "a"), b = client_sends(port, "bb");

	(void)state;
	usleep(20000);	/* both in the kernel's queue, with their bytes */
	listener_only(c, 0, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.len, 2);
	close(a);
	close(b);
	capture_close(c);
}

/* The connection making room is read a last time: its message counts. */
static void
reads_the_oldest_before_it_makes_room(void **state)
{
	uint16_t port = free_port();
	struct capture *c = open_listener(port, 1, 0);
	struct got g = { 0 };
	int a = connect_to(port), b;

	(void)state;
	assert_int_equal(pass(c, 0, &g), 1);	/* a holds the only slot */
	assert_int_equal(write(a, "a", 1), 1);
	shutdown(a, SHUT_WR);
	b = connect_to(port);
	usleep(20000);
	listener_only(c, 10, &g);	/* b arrives; a's bytes unpolled */
	assert_int_equal(g.n, 1);
	assert_memory_equal(g.data, "a", 1);
	close(a);
	close(b);
	capture_close(c);
}

static void
closes_a_connection_out_of_time_unread(void **state)
{
	uint16_t port = free_port();
	struct capture *c = open_listener(port, 4, 0);
	struct got g = { 0 };
	int fd = connect_to(port);

	(void)state;
	pass(c, 0, &g);
	assert_int_equal(capture_timeout_ms(c, 0), 1000);
	assert_int_equal(write(fd, "late", 4), 4);
	assert_int_equal(pass(c, 1000, &g), 0);
	assert_int_equal(g.n, 0);
	assert_true(closed_by_peer(fd));
	assert_int_equal(capture_timeout_ms(c, 1000), -1);
	close(fd);
	capture_close(c);
}

static void
refuses_connections_over_the_rate(void **state)
{
	uint16_t port = free_port();
	struct capture *c = open_listener(port, 8, 2);
	struct got g = { 0 };
	int fd[3], i;

	(void)state;
	for (i = 0; i < 3; i++)
		fd[i] = connect_to(port);
	assert_int_equal(pass(c, 0, &g), 2);	/* the third one closed */
	assert_true(closed_by_peer(fd[2]));
	for (i = 0; i < 3; i++)
		close(fd[i]);
	capture_close(c);
}

static void
rate_per_source_per_second(void **state)
{
	static struct stream_rate sr;
	struct spa_addr a, b;

	(void)state;
	memset(&sr, 0, sizeof(sr));
	sr.rate = 2;
	assert_int_equal(addr_parse("192.0.2.1", &a), 0);
	assert_int_equal(addr_parse("2001:db8::1", &b), 0);
	assert_true(stream_rate_admit(&sr, &a, 0));
	assert_true(stream_rate_admit(&sr, &a, 500));
	assert_false(stream_rate_admit(&sr, &a, 999));
	assert_true(stream_rate_admit(&sr, &b, 999));	/* its own count */
	assert_true(stream_rate_admit(&sr, &a, 1000));	/* a new second */
	assert_true(stream_rate_admit(&sr, &a, 1001));
	assert_false(stream_rate_admit(&sr, &a, 1002));
	assert_true(stream_rate_admit(&sr, &a, 0));	/* the clock back */
	sr.rate = 0;
	assert_true(stream_rate_admit(&sr, &a, 1003));	/* no limit */
}

static void
refuses_bad_limits(void **state)
{
	struct stream_limits lim = {
		.address = "127.0.0.1", .port = 1, .max_conns = 0,
		.timeout_ms = 1000,
	};
	struct capture *c = NULL;
	char err[128];

	(void)state;
	assert_int_equal(capture_open_stream(&test_kind, &lim, &c, err,
	    sizeof(err)), SPA_ERR_ARG);
	lim.max_conns = STREAM_MAX_CONNS + 1;
	assert_int_equal(capture_open_stream(&test_kind, &lim, &c, err,
	    sizeof(err)), SPA_ERR_ARG);
	lim.max_conns = 1;
	lim.timeout_ms = 0;
	assert_int_equal(capture_open_stream(&test_kind, &lim, &c, err,
	    sizeof(err)), SPA_ERR_ARG);
	assert_null(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(delivers_at_the_peers_end_and_never_answers),
		cmocka_unit_test(reads_at_most_max_len),
		cmocka_unit_test(holds_at_most_max_conns_dropping_the_oldest),
		cmocka_unit_test(queues_a_burst_of_handshakes),
		cmocka_unit_test(reads_each_connection_as_it_is_accepted),
		cmocka_unit_test(reads_the_oldest_before_it_makes_room),
		cmocka_unit_test(closes_a_connection_out_of_time_unread),
		cmocka_unit_test(refuses_connections_over_the_rate),
		cmocka_unit_test(rate_per_source_per_second),
		cmocka_unit_test(refuses_bad_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
