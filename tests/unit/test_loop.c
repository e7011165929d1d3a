/*
 * The event loop (common/loop.c): a pipe as a source, the wait a source's
 * deadline sets (poll() is wrapped to read its timeout), signals through
 * the signalfd, stop, a failing source, one clock reading per pass.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "loop.h"

int	__real_poll(struct pollfd *, nfds_t, int);
int	__wrap_poll(struct pollfd *, nfds_t, int);
/* what _FORTIFY_SOURCE makes of poll() on an array of known size */
int	__real___poll_chk(struct pollfd *, nfds_t, int, size_t);
int	__wrap___poll_chk(struct pollfd *, nfds_t, int, size_t);

static int	last_timeout = -2;	/* what the loop asked poll() for */

int
__wrap_poll(struct pollfd *pfd, nfds_t n, int timeout)
{
	last_timeout = timeout;
	return __real_poll(pfd, n, timeout);
}

int
__wrap___poll_chk(struct pollfd *pfd, nfds_t n, int timeout, size_t len)
{
	last_timeout = timeout;
	return __real___poll_chk(pfd, n, timeout, len);
}

/* A source that records what it was handed. */
struct rec {
	int		 fd;		/* polled for POLLIN; -1: none */
	int64_t		 wait_ms;	/* its deadline; -1: none */
	int		 fail;		/* dispatch returns it */
	bool		 stop;		/* dispatch stops the loop */
	struct loop	*l;
	int		 calls;
	short		 revents;
	char		 got;		/* the byte read */
	struct now	 now;
	int		 order;		/* when it ran, among all sources */
};

static int	order;

static size_t
rec_pollfds(void *arg, struct pollfd *pfd, size_t max)
{
	struct rec *r = arg;

	if (r->fd < 0 || max == 0)
		return 0;
	pfd[0].fd = r->fd;
	pfd[0].events = POLLIN;
	return 1;
}

static int
rec_dispatch(void *arg, const struct pollfd *pfd, size_t n,
    const struct now *now)
{
	struct rec *r = arg;

	r->calls++;
	r->order = ++order;
	r->now = *now;
	r->revents = n > 0 ? pfd[0].revents : 0;
	if ((r->revents & POLLIN) != 0)
		assert_int_equal(read(r->fd, &r->got, 1), 1);
	if (r->stop)
		r->l->stop = true;
	return r->fail;
}

static int64_t
rec_timeout_ms(void *arg, const struct now *now)
{
	(void)now;
	return ((struct rec *)arg)->wait_ms;
}

static void
add(struct loop *l, struct rec *r)
{
	struct loop_source s = {
		.pollfds = rec_pollfds, .dispatch = rec_dispatch,
		.timeout_ms = rec_timeout_ms, .arg = r,
	};

	r->l = l;
	assert_int_equal(loop_add(l, &s), 0);
}

static struct rec
rec_new(int fd, int64_t wait_ms)
{
	struct rec r;

	memset(&r, 0, sizeof(r));
	r.fd = fd;
	r.wait_ms = wait_ms;
	return r;
}

static int	signals[8];
static size_t	nsignals;

static void
on_signal(void *arg, int signo)
{
	(void)arg;
	if (nsignals < 8)
		signals[nsignals++] = signo;
}

static void
init(struct loop *l)
{
	static const int handled[] = { SIGUSR1, 0 };
	static const int ignored[] = { SIGUSR2, 0 };
	struct loop_signals sig = {
		.handled = handled, .ignored = ignored,
		.on_signal = on_signal,
	};

	nsignals = 0;
	order = 0;
	assert_int_equal(loop_init(l, &sig), 0);
}

static void
pipe_data_is_dispatched_to_its_source(void **state)
{
	struct loop l;
	struct rec r;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	init(&l);
	r = rec_new(p[0], 0);	/* due at once: the pass never blocks */
	add(&l, &r);
	assert_int_equal(loop_once(&l), 0);
	assert_int_equal(r.calls, 1);	/* every pass, I/O or not */
	assert_int_equal(r.revents & POLLIN, 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	r.wait_ms = -1;		/* only the byte can end the wait */
	assert_int_equal(loop_once(&l), 0);
	assert_int_equal(r.calls, 2);
	assert_true((r.revents & POLLIN) != 0);
	assert_int_equal(r.got, 'x');
	loop_close(&l);
	close(p[0]);
	close(p[1]);
}

static void
the_earliest_deadline_is_the_wait(void **state)
{
	struct loop l;
	struct rec a, b, c;

	(void)state;
	init(&l);
	a = rec_new(-1, 40);
	b = rec_new(-1, 7);
	c = rec_new(-1, -1);	/* none */
	add(&l, &a);
	add(&l, &b);
	add(&l, &c);
	assert_int_equal(loop_once(&l), 0);
	assert_int_equal(last_timeout, 7);
	b.wait_ms = 0;		/* due now */
	assert_int_equal(loop_once(&l), 0);
	assert_int_equal(last_timeout, 0);
	loop_close(&l);
}

static void
without_a_deadline_a_pass_each_second(void **state)
{
	struct loop l;
	struct rec a, b;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "y", 1), 1);	/* no waiting */
	init(&l);
	a = rec_new(p[0], -1);	/* none */
	b = rec_new(-1, 60000);	/* later than the cap */
	add(&l, &a);
	add(&l, &b);
	assert_int_equal(loop_once(&l), 0);
	assert_int_equal(last_timeout, LOOP_MAX_WAIT_MS);
	loop_close(&l);
	close(p[0]);
	close(p[1]);
}

static void
a_handled_signal_reaches_the_callback_an_ignored_one_nothing(void **state)
{
	struct loop l;
	struct rec r;

	(void)state;
	init(&l);
	r = rec_new(-1, -1);
	add(&l, &r);
	assert_int_equal(raise(SIGUSR2), 0);	/* ignored: still alive */
	assert_int_equal(raise(SIGUSR1), 0);	/* blocked: in the signalfd */
	assert_int_equal(loop_once(&l), 0);
	assert_int_equal(nsignals, 1);
	assert_int_equal(signals[0], SIGUSR1);
	assert_int_equal(r.calls, 1);	/* the sources after the signals */
	loop_close(&l);
}

static void
stop_ends_the_run_and_the_pass(void **state)
{
	struct loop l;
	struct rec a, b;

	(void)state;
	init(&l);
	a = rec_new(-1, 0);
	b = rec_new(-1, 0);
	add(&l, &a);
	add(&l, &b);
	assert_int_equal(loop_once(&l), 0);
	assert_int_equal(a.order, 1);	/* in the order they were added */
	assert_int_equal(b.order, 2);
	a.stop = true;
	assert_int_equal(loop_run(&l), 0);
	assert_int_equal(a.calls, 2);
	assert_int_equal(b.calls, 1);	/* not after the stop */
	loop_close(&l);
}

static void
a_failing_source_ends_the_run_with_its_error(void **state)
{
	struct loop l;
	struct rec a, b;

	(void)state;
	init(&l);
	a = rec_new(-1, 0);
	b = rec_new(-1, 0);
	add(&l, &a);
	add(&l, &b);
	a.fail = SPA_ERR_SYS;
	assert_int_equal(loop_run(&l), SPA_ERR_SYS);
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 0);
	loop_close(&l);
}

static void
every_source_of_a_pass_sees_one_reading(void **state)
{
	struct loop l;
	struct rec a, b;
	struct now before = clock_now();

	(void)state;
	init(&l);
	a = rec_new(-1, 0);
	b = rec_new(-1, 0);
	add(&l, &a);
	add(&l, &b);
	assert_int_equal(loop_once(&l), 0);
	assert_memory_equal(&a.now, &b.now, sizeof(a.now));
	assert_memory_equal(&a.now, &l.now, sizeof(a.now));
	assert_true(a.now.mono_ms >= before.mono_ms);
	assert_true(a.now.wall_s >= before.wall_s);
	loop_close(&l);
}

static void
too_many_sources_are_refused(void **state)
{
	struct loop l;
	struct rec r[LOOP_MAX_SOURCES + 1];
	struct loop_source s = { .dispatch = rec_dispatch };
	size_t i;

	(void)state;
	init(&l);
	for (i = 0; i < LOOP_MAX_SOURCES; i++) {
		r[i] = rec_new(-1, -1);
		add(&l, &r[i]);
	}
	s.arg = &r[i];
	assert_int_equal(loop_add(&l, &s), SPA_ERR_ARG);
	s.dispatch = NULL;
	l.nsrc = 0;
	assert_int_equal(loop_add(&l, &s), SPA_ERR_ARG);
	loop_close(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pipe_data_is_dispatched_to_its_source),
		cmocka_unit_test(the_earliest_deadline_is_the_wait),
		cmocka_unit_test(without_a_deadline_a_pass_each_second),
		cmocka_unit_test(
		    a_handled_signal_reaches_the_callback_an_ignored_one_nothing),
		cmocka_unit_test(stop_ends_the_run_and_the_pass),
		cmocka_unit_test(a_failing_source_ends_the_run_with_its_error),
		cmocka_unit_test(every_source_of_a_pass_sees_one_reading),
		cmocka_unit_test(too_many_sources_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
