/*
 * The UDP source's batches (verifier/capture_udp.c): datagrams read 32 a
 * recvmmsg(), handed on in order; a callback that ends the pass (the
 * verifier's time budget, capture.h) stops the source after that
 * datagram, and the rest of the batch waits, with a timeout of 0, for
 * the next pass: nothing is lost or handed on twice.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture.h"
#include "conf.h"
#include "helpers.h"

#define SENT	40

struct got {
	unsigned int	 seen[SENT];
	size_t		 n;
	size_t		 stop_at;	/* end the pass after this many; 0: never */
};

static bool
on_packet(void *arg, const struct packet *pkt)
{
	struct got *g = arg;
	unsigned int k;

	if (pkt->len > 0 && sscanf((const char *)pkt->data, "%u", &k) == 1 &&
	    g->n < SENT)
		g->seen[g->n] = k;
	g->n++;
	return g->stop_at == 0 || g->n % g->stop_at != 0;
}

/* A UDP source on 127.0.0.1 and a socket sending to it. */
static struct capture *
open_source(uint16_t *port, int *tx)
{
	struct conf_capture cc;
	struct capture *c = NULL;
	char err[128], addr[] = "127.0.0.1";
	unsigned int i;

	memset(&cc, 0, sizeof(cc));
	cc.udp_address = addr;
	cc.buffer = 1000;
	for (i = 0; i < 50 && c == NULL; i++) {
		cc.udp_port = (uint16_t)(40000 + (getpid() + i * 97) % 20000);
		if (capture_open_udp(&cc, &c, err, sizeof(err)) != 0)
			c = NULL;
	}
	assert_non_null(c);
	*port = cc.udp_port;
	assert_true((*tx = socket(AF_INET, SOCK_DGRAM, 0)) >= 0);
	return c;
}

static void
send_numbered(int tx, uint16_t port, unsigned int n)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
	    .sin_port = htons(port) };
	char text[16];
	unsigned int i;
	int len;

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < n; i++) {
		len = snprintf(text, sizeof(text), "%u", i);
		assert_int_equal(sendto(tx, text, (size_t)len, 0,
		    (struct sockaddr *)&to, sizeof(to)), len);
	}
}

static int
dispatch(struct capture *c, struct got *g)
{
	struct pollfd pfd;
	struct now now = { .wall_s = 1, .mono_ms = 1 };
	size_t n = capture_pollfds(c, &pfd, 1);

	pfd.revents = 0;
	(void)poll(&pfd, n, 0);
	return capture_dispatch(c, &pfd, n, &now, on_packet, g);
}

/* Stopped after every 3rd datagram: each pass hands on 3, in order. */
static void
a_pass_ended_by_the_callback_keeps_the_rest(void **state)
{
	struct got g = { .stop_at = 3 };
	struct capture *c;
	uint16_t port;
	unsigned int i;
	int tx, passes = 0;

	(void)state;
	c = open_source(&port, &tx);
	send_numbered(tx, port, SENT);
	assert_int_equal(dispatch(c, &g), 0);
	assert_int_equal(g.n, 3);
	assert_int_equal(capture_timeout_ms(c, 1), 0);	/* the rest waits */
	while (g.n < SENT && passes++ < 100)
		assert_int_equal(dispatch(c, &g), 0);
	assert_int_equal(g.n, SENT);
	for (i = 0; i < SENT; i++)
		assert_int_equal(g.seen[i], i);
	/* every one handed on: nothing waits, nothing comes twice */
	assert_int_equal(capture_timeout_ms(c, 1), -1);
	assert_int_equal(dispatch(c, &g), 0);
	assert_int_equal(g.n, SENT);
	close(tx);
	capture_close(c);
}

/* A callback that never ends the pass: one dispatch takes them all. */
static void
one_pass_takes_a_whole_burst(void **state)
{
	struct got g = { .stop_at = 0 };
	struct capture *c;
	uint16_t port;
	int tx;

	(void)state;
	c = open_source(&port, &tx);
	send_numbered(tx, port, SENT);
	assert_int_equal(dispatch(c, &g), 0);
	assert_int_equal(g.n, SENT);
	assert_int_equal(capture_timeout_ms(c, 1), -1);
	close(tx);
	capture_close(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_pass_ended_by_the_callback_keeps_the_rest),
		cmocka_unit_test(one_pass_takes_a_whole_burst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
