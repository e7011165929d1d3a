/*
 * The cycle engine (executor/cycle.c) through its public API, with the
 * recording fake modules of fake_action.c, a real journal in a scratch
 * directory, a policy parsed from access.conf text and a clock the test
 * moves (nothing sleeps): every transition of a cycle and every failure.
 *
 * What a test sees is what a user would: the commands run (which, with
 * what words, in what order, when), the cycles the journal file holds
 * (what a crash would leave), the counters of the stats line and the
 * lines logged at error.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "access_int.h"
#include "cycle.h"
#include "err.h"
#include "fake_action.h"
#include "helpers.h"
#include "journal.h"
#include "log.h"
#include "plan.h"

#define WALL0	INT64_C(1700000000)	/* epoch seconds at the start */
#define MONO0	INT64_C(50000000)	/* monotonic ms at the start */
#define ADDR	"192.0.2.10"

#define KEYS	"SOURCE ANY\nKEY secret-key-1234\nHMAC_KEY hmac-key-1234\n" \
		"CMD_CYCLE_TIMER 30\n"

static const char policy[] =
	"# 1: a rule inserted (not idempotent): the open again on extension\n"
	KEYS
	"CMD_CYCLE_OPEN cmd add r1 $IP $PORT\n"
	"CMD_CYCLE_CLOSE cmd del r1 $IP $PORT\n"
	"# 2: an element added with -exist (idempotent)\n"
	KEYS
	"CMD_CYCLE_OPEN set add s $IP,$PROTO_NAME:$PORT\n"
	"CMD_CYCLE_CLOSE set del s $IP,$PROTO_NAME:$PORT\n"
	"# 3: a device entry, re-asserted by the module's refresh hook\n"
	KEYS
	"CMD_CYCLE_OPEN dev add $IP $PORT $CLIENT_TIMEOUT\n"
	"CMD_CYCLE_CLOSE dev remove\n"
	"# 4: CMD_CYCLE_REFRESH\n"
	KEYS
	"CMD_CYCLE_OPEN cmd add r4 $IP $PORT\n"
	"CMD_CYCLE_CLOSE cmd del r4 $IP $PORT\n"
	"CMD_CYCLE_REFRESH cmd check r4 $IP $PORT\n"
	"# 5: CMD_CYCLE_REFRESH NONE\n"
	KEYS
	"CMD_CYCLE_OPEN cmd add r5 $IP $PORT\n"
	"CMD_CYCLE_CLOSE cmd del r5 $IP $PORT\n"
	"CMD_CYCLE_REFRESH NONE\n"
	"# 6: exit status 3 of the close means already gone\n"
	KEYS
	"CMD_CYCLE_OPEN cmd add r6 $IP $PORT\n"
	"CMD_CYCLE_CLOSE cmd del r6 $IP $PORT\n"
	"CMD_CYCLE_CLOSE_ABSENT 3\n"
	"# 7: one element per address: every port's cycle holds it\n"
	KEYS
	"CMD_CYCLE_OPEN set add a $IP\n"
	"CMD_CYCLE_CLOSE set del a $IP\n";

struct world {
	char			*dir;		/* the journal's */
	struct journal		*j;
	struct cycles		*c;
	struct access_conf	*access;
	struct plan		 plan;
	struct cycles_conf	 cc;
	int64_t			 wall;
	int64_t			 mono;
};

/* --- lines logged at error ----------------------------------------------- */

static char errors[8192];

void	__wrap_log_errx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

void
__wrap_log_errx(const char *fmt, ...)
{
	size_t n = strlen(errors);
	va_list ap;

	va_start(ap, fmt);
	if (n + 2 < sizeof(errors)) {
		vsnprintf(errors + n, sizeof(errors) - n - 1, fmt, ap);
		strcat(errors, "\n");
	}
	va_end(ap);
}

static void
assert_error_logged(const char *what)
{
	if (strstr(errors, what) == NULL)
		fail_msg("no error line with \"%s\" in:\n%s", what, errors);
}

/* --- the world: clock, policy, journal, engine --------------------------- */

static int64_t
clock_wall(void *arg)
{
	return ((struct world *)arg)->wall;
}

static int64_t
clock_mono(void *arg)
{
	return ((struct world *)arg)->mono;
}

/* The clock at `ms` after the start. */
static void
at_ms(struct world *w, int64_t ms)
{
	w->mono = MONO0 + ms;
	w->wall = WALL0 + ms / 1000;
}

static void
at(struct world *w, int64_t s)
{
	at_ms(w, s * 1000);
}

/* The clock at `ms`, and every close due then started. */
static void
tick(struct world *w, int64_t ms)
{
	at_ms(w, ms);
	cycles_run_due(w->c, &(struct now){ w->wall, w->mono });
}

/* A command line as a template, and the fake module that runs it. */
static void
plan_line(const struct stanza *st, const char *line,
    struct cmd_template *t, const struct action_module **ops)
{
	struct cmd_argv argv;
	char why[256];

	if (cmd_template_parse(line, false, st, t, why, sizeof(why)) != 0)
		fail_msg("%s: %s", line, why);
	assert_int_equal(cmd_split(line, &argv), 0);	/* first word */
	assert_non_null(*ops = action_table_for(&fake_table, &argv));
}

/*
 * The plan by hand, as plan_build() makes it but routed through the
 * fakes without the load-time checks of plan_build().
 */
static void
plan_by_hand(struct world *w)
{
	const struct stanza *st;
	struct stanza_plan *sp;
	size_t i;

	w->plan.n = w->access->n;
	assert_non_null(w->plan.v = calloc(w->plan.n, sizeof(*w->plan.v)));
	for (i = 0; i < w->plan.n; i++) {
		st = w->access->stanzas[i];
		sp = &w->plan.v[i];
		sp->has_open = sp->has_close = true;
		plan_line(st, st->cmd_cycle_open, &sp->open, &sp->open_ops);
		plan_line(st, st->cmd_cycle_close, &sp->close, &sp->close_ops);
		sp->refresh_how = st->cmd_cycle_refresh_none ? REFRESH_NONE :
		    st->cmd_cycle_refresh != NULL ? REFRESH_COMMAND :
		    REFRESH_OPEN;
		if (sp->refresh_how == REFRESH_COMMAND)
			plan_line(st, st->cmd_cycle_refresh, &sp->refresh,
			    &sp->refresh_ops);
	}
}

static void
start(struct world *w)
{
	assert_int_equal(journal_open(w->dir, &w->j), 0);
	assert_int_equal(cycles_new(&w->cc, &fake_table, w->j, &w->c), 0);
	cycles_set_policy(w->c, w->access, &w->plan);
}

static void
stop(struct world *w)
{
	cycles_free(w->c);
	journal_close(w->j);
	w->c = NULL;
	w->j = NULL;
}

/*
 * A crash and a start at the clock's time: the engine and the journal
 * opened again, what the journal holds restored.  Returns how many.
 */
static int
restart(struct world *w)
{
	stop(w);
	fake_reset(w->dir);
	start(w);
	return cycles_restore(w->c, &(struct now){ w->wall, w->mono });
}

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	struct access_error aerr;
	assert_non_null(w);
	w->dir = th_mkdtemp();
	if (access_load_buffer("access.conf", policy, strlen(policy),
	    &w->access, &aerr) != 0)
		fail_msg("access.conf refused: %s", aerr.text);
	plan_by_hand(w);
	w->cc.clock = (struct cycles_clock){ clock_wall, clock_mono, w };
	at(w, 0);
	errors[0] = '\0';
	fake_reset(w->dir);
	start(w);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	stop(w);
	fake_reset(NULL);
	plan_free(&w->plan);
	access_free(w->access);
	th_rmtree(w->dir);
	free(w->dir);
	free(w);
	return 0;
}

/* --- grants and what to expect ------------------------------------------- */

static void
grant_ports(struct world *w, unsigned int stanza, const struct spa_port *p,
    size_t n, uint32_t timeout)
{
	struct spa_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.stanza = stanza;
	ev.type = SPA_REQ_ACCESS;
	assert_int_equal(addr_parse(ADDR, &ev.allow), 0);
	assert_int_equal(addr_parse("192.0.2.1", &ev.pkt_dst), 0);
	ev.pkt_src = ev.allow;
	ev.via = SPA_VIA_UDP;
	ev.nports = n;
	memcpy(ev.ports, p, n * sizeof(*p));
	snprintf(ev.user, sizeof(ev.user), "alice");
	ev.timeout = ev.client_timeout = timeout;
	ev.spa_time = ev.recv_time = w->wall;
	cycles_grant(w->c, w->access->stanzas[stanza - 1], &ev,
	    &(struct now){ w->wall, w->mono });
}

/* A grant of tcp/`port` under `stanza`, for `timeout` seconds. */
static void
grant(struct world *w, unsigned int stanza, uint16_t port, uint32_t timeout)
{
	struct spa_port p = { IPPROTO_TCP, port };

	grant_ports(w, stanza, &p, 1, timeout);
}

/* Request i was this hook with this command line. */
static void
expect(size_t i, enum fake_hook hook, const char *line)
{
	const struct fake_req *r = fake_req(i);

	if (r->hook != hook || strcmp(r->line, line) != 0)
		fail_msg("request %zu: %s '%s', expected %s '%s'", i,
		    r->hook == FAKE_OPEN ? "open" : r->hook == FAKE_CLOSE ?
		    "close" : "refresh", r->line, hook == FAKE_OPEN ? "open" :
		    hook == FAKE_CLOSE ? "close" : "refresh", line);
}

/* Whether a request from `from` on was this hook with this line. */
static bool
requested(size_t from, enum fake_hook hook, const char *line)
{
	size_t i;

	for (i = from; i < fake_count(); i++)
		if (fake_req(i)->hook == hook &&
		    strcmp(fake_req(i)->line, line) == 0)
			return true;
	return false;
}

static int
copy_rec(void *arg, const struct journal_rec *rec)
{
	struct journal_rec *out = arg;

	*out = *rec;
	return 0;
}

/* Cycles the journal file holds: what a crash now would leave. */
static size_t
journaled(const struct world *w)
{
	struct journal *j;
	size_t n;

	assert_int_equal(journal_open_readonly(w->dir, &j), 0);
	n = journal_count(j);
	journal_close(j);
	return n;
}

/* The one cycle the journal file holds. */
static void
journaled_rec(const struct world *w, struct journal_rec *out)
{
	struct journal *j;

	assert_int_equal(journal_open_readonly(w->dir, &j), 0);
	assert_int_equal(journal_count(j), 1);
	assert_int_equal(journal_load(j, copy_rec, out), 0);
	journal_close(j);
}

static struct cycles_stats
stats(const struct world *w)
{
	struct cycles_stats st;

	cycles_get_stats(w->c, &st);
	return st;
}

/* --- open and close ------------------------------------------------------ */

static void
open_then_close_at_its_time(void **state)
{
	struct world *w = *state;

	grant(w, 1, 22, 30);
	assert_int_equal(fake_count(), 0);	/* after the journal sync */
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 1);
	expect(0, FAKE_OPEN, "cmd add r1 " ADDR " 22");
	assert_int_equal(fake_req(0)->close_at, WALL0 + 30);
	fake_finish(0, FAKE_OK);
	assert_int_equal(stats(w).opened, 1);
	assert_int_equal(stats(w).open, 1);
	tick(w, 29999);
	assert_int_equal(fake_count(), 1);
	tick(w, 30000);
	assert_int_equal(fake_count(), 2);
	expect(1, FAKE_CLOSE, "cmd del r1 " ADDR " 22");
	assert_int_equal(journaled(w), 1);	/* until the close is done */
	fake_finish(1, FAKE_OK);
	assert_int_equal(journaled(w), 0);
	assert_int_equal(stats(w).closed, 1);
	assert_int_equal(stats(w).open, 0);
	tick(w, 3600000);
	assert_int_equal(fake_count(), 2);
	assert_string_equal(errors, "");
}

static void
cycle_is_on_disk_before_its_open_runs(void **state)
{
	struct world *w = *state;
	struct journal_rec rec;

	grant(w, 1, 22, 30);
	/* held for the pass's one write: a crash now leaves nothing, and
	   nothing has run */
	assert_int_equal(journaled(w), 0);
	assert_int_equal(fake_count(), 0);
	cycles_flush(w->c);
	assert_int_equal(fake_req(0)->on_disk, 1);
	journaled_rec(w, &rec);
	assert_string_equal(rec.module, "cmd");
	assert_int_equal(rec.close_at, WALL0 + 30);
	assert_int_equal(rec.port, 22);
	/* a module that completes before its open returns, too */
	fake_script(FAKE_OK);
	grant(w, 2, 22, 30);
	cycles_flush(w->c);
	expect(1, FAKE_OPEN, "set add s " ADDR ",tcp:22");
	assert_int_equal(fake_req(1)->on_disk, 2);
}

static void
failed_open_schedules_no_close(void **state)
{
	struct world *w = *state;

	grant(w, 1, 22, 30);
	cycles_flush(w->c);
	fake_finish(0, FAKE_FAIL);
	assert_int_equal(journaled(w), 0);
	assert_int_equal(stats(w).open, 0);
	assert_int_equal(stats(w).open_failed, 1);
	assert_error_logged("open failed");
	tick(w, 30000);
	tick(w, 3600000);
	assert_int_equal(fake_count(), 1);
	/* failed before the module's open returned (in process) */
	fake_script(FAKE_FAIL);
	grant(w, 2, 22, 30);
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 2);
	assert_int_equal(journaled(w), 0);
	tick(w, 7200000);
	assert_int_equal(fake_count(), 2);
	assert_int_equal(stats(w).open_failed, 2);
}

static void
every_requested_port_opens_and_closes(void **state)
{
	struct world *w = *state;
	const struct spa_port p[] = {
		{ IPPROTO_TCP, 22 }, { IPPROTO_UDP, 53 }, { IPPROTO_TCP, 443 },
	};

	fake_default(FAKE_OK);
	grant_ports(w, 2, p, 3, 30);
	cycles_flush(w->c);
	assert_int_equal(journaled(w), 3);
	assert_int_equal(fake_count(), 3);
	expect(0, FAKE_OPEN, "set add s " ADDR ",tcp:22");
	expect(1, FAKE_OPEN, "set add s " ADDR ",udp:53");
	expect(2, FAKE_OPEN, "set add s " ADDR ",tcp:443");
	tick(w, 30000);
	assert_int_equal(fake_count(), 6);
	assert_true(requested(3, FAKE_CLOSE, "set del s " ADDR ",tcp:22"));
	assert_true(requested(3, FAKE_CLOSE, "set del s " ADDR ",udp:53"));
	assert_true(requested(3, FAKE_CLOSE, "set del s " ADDR ",tcp:443"));
	assert_int_equal(journaled(w), 0);
}

/* --- failing closes ------------------------------------------------------ */

static void
failed_close_retried_with_backoff(void **state)
{
	struct world *w = *state;

	fake_script(FAKE_OK);
	grant(w, 1, 22, 30);
	cycles_flush(w->c);
	tick(w, 30000);
	fake_finish(1, FAKE_FAIL);
	assert_error_logged("close failed");
	assert_int_equal(journaled(w), 1);	/* still to be closed */
	tick(w, 30999);
	assert_int_equal(fake_count(), 2);
	tick(w, 31000);				/* 1 s later */
	expect(2, FAKE_CLOSE, "cmd del r1 " ADDR " 22");
	fake_finish(2, FAKE_FAIL);
	tick(w, 32999);
	assert_int_equal(fake_count(), 3);
	tick(w, 33000);				/* 2 s later */
	expect(3, FAKE_CLOSE, "cmd del r1 " ADDR " 22");
	fake_finish(3, FAKE_OK);
	assert_int_equal(journaled(w), 0);
	assert_int_equal(stats(w).close_failed, 2);
	assert_int_equal(stats(w).closed, 1);
	assert_int_equal(stats(w).close_abandoned, 0);
	tick(w, 3600000);
	assert_int_equal(fake_count(), 4);
}

static void
failing_close_abandoned_after_the_limit(void **state)
{
	struct world *w = *state;
	const int64_t retry_at[] = { 31000, 33000, 37000, 45000 };
	size_t i;

	w->cc.close_retry_limit = 10;
	cycles_set_conf(w->c, &w->cc);
	fake_script(FAKE_OK);
	grant(w, 1, 22, 30);
	cycles_flush(w->c);
	fake_default(FAKE_FAIL);
	tick(w, 30000);				/* fails at 30 s */
	for (i = 0; i < 4; i++) {		/* 1, 2, 4, 8 s apart */
		tick(w, retry_at[i] - 1);
		assert_int_equal(fake_count(), 2 + i);
		tick(w, retry_at[i]);
		assert_int_equal(fake_count(), 3 + i);
	}
	/* the fifth failure, 15 s after the first: given up */
	assert_int_equal(stats(w).close_abandoned, 1);
	assert_int_equal(stats(w).close_failed, 5);
	assert_int_equal(stats(w).open, 0);
	assert_int_equal(journaled(w), 0);
	assert_error_logged("giving up");
	tick(w, 7200000);
	assert_int_equal(fake_count(), 6);
}

static void
close_exit_status_listed_absent_is_closed(void **state)
{
	struct world *w = *state;

	fake_script(FAKE_OK);
	grant(w, 6, 22, 30);
	cycles_flush(w->c);
	tick(w, 30000);
	expect(1, FAKE_CLOSE, "cmd del r6 " ADDR " 22");
	fake_finish(1, FAKE_EXIT(3));		/* CMD_CYCLE_CLOSE_ABSENT 3 */
	assert_int_equal(journaled(w), 0);
	assert_int_equal(stats(w).closed, 1);
	assert_int_equal(stats(w).close_failed, 0);
	tick(w, 3600000);
	assert_int_equal(fake_count(), 2);	/* not retried */
	assert_string_equal(errors, "");
}

static void
close_exit_status_not_listed_is_retried(void **state)
{
	struct world *w = *state;

	fake_script(FAKE_OK);
	grant(w, 6, 22, 30);
	cycles_flush(w->c);
	tick(w, 30000);
	fake_finish(1, FAKE_EXIT(4));
	assert_int_equal(journaled(w), 1);
	assert_int_equal(stats(w).close_failed, 1);
	tick(w, 31000);
	expect(2, FAKE_CLOSE, "cmd del r6 " ADDR " 22");
}

/* --- extension ----------------------------------------------------------- */

static void
extension_moves_the_close_later(void **state)
{
	struct world *w = *state;
	struct journal_rec rec;

	fake_script(FAKE_OK);
	grant(w, 5, 22, 30);
	cycles_flush(w->c);
	at(w, 10);
	grant(w, 5, 22, 60);			/* now until 70 s */
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 1);	/* NONE: nothing runs */
	assert_int_equal(stats(w).extended, 1);
	journaled_rec(w, &rec);
	assert_int_equal(rec.close_at, WALL0 + 70);
	tick(w, 30000);
	tick(w, 69999);
	assert_int_equal(fake_count(), 1);
	tick(w, 70000);
	expect(1, FAKE_CLOSE, "cmd del r5 " ADDR " 22");
}

static void
extension_never_moves_the_close_earlier(void **state)
{
	struct world *w = *state;
	struct journal_rec rec;

	fake_script(FAKE_OK);
	grant(w, 5, 22, 60);
	cycles_flush(w->c);
	at(w, 10);
	grant(w, 5, 22, 5);			/* would end at 15 s */
	cycles_flush(w->c);
	journaled_rec(w, &rec);
	assert_int_equal(rec.close_at, WALL0 + 60);
	tick(w, 15000);
	tick(w, 59999);
	assert_int_equal(fake_count(), 1);
	tick(w, 60000);
	expect(1, FAKE_CLOSE, "cmd del r5 " ADDR " 22");
}

static void
extension_reasserts_through_the_refresh_hook(void **state)
{
	struct world *w = *state;

	fake_default(FAKE_OK);
	grant(w, 3, 22, 30);
	cycles_flush(w->c);
	expect(0, FAKE_OPEN, "dev add " ADDR " 22 30");
	at(w, 10);
	grant(w, 3, 22, 60);
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 2);
	/* the new grant's open, the new close time, the entry's data */
	expect(1, FAKE_REFRESH, "dev add " ADDR " 22 60");
	assert_int_equal(fake_req(1)->close_at, WALL0 + 70);
	assert_string_equal(fake_req(1)->data, "seq 1");
	tick(w, 70000);
	assert_int_equal(fake_count(), 3);	/* one close: one entry */
	expect(2, FAKE_CLOSE, "dev remove");
	assert_string_equal(fake_req(2)->data, "seq 1");
	assert_int_equal(journaled(w), 0);
}

static void
extension_runs_cmd_cycle_refresh(void **state)
{
	struct world *w = *state;

	fake_default(FAKE_OK);
	grant(w, 4, 22, 30);
	cycles_flush(w->c);
	at(w, 10);
	grant(w, 4, 22, 60);
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 2);
	expect(1, FAKE_OPEN, "cmd check r4 " ADDR " 22");
	tick(w, 70000);
	assert_int_equal(fake_count(), 3);	/* the close once */
	expect(2, FAKE_CLOSE, "cmd del r4 " ADDR " 22");
	assert_int_equal(journaled(w), 0);
}

static void
extension_runs_an_idempotent_open_again(void **state)
{
	struct world *w = *state;
	struct journal_rec rec;

	fake_default(FAKE_OK);
	grant(w, 2, 22, 30);
	cycles_flush(w->c);
	at(w, 10);
	grant(w, 2, 22, 60);
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 2);
	expect(1, FAKE_OPEN, "set add s " ADDR ",tcp:22");
	assert_int_equal(fake_req(1)->close_at, WALL0 + 70);
	journaled_rec(w, &rec);
	assert_int_equal(rec.reopens, 0);	/* one element, however often */
	tick(w, 70000);
	assert_int_equal(fake_count(), 3);
	expect(2, FAKE_CLOSE, "set del s " ADDR ",tcp:22");
	assert_int_equal(journaled(w), 0);
}

static void
repeated_open_closed_once_per_copy(void **state)
{
	struct world *w = *state;
	struct journal_rec rec;

	fake_default(FAKE_OK);
	grant(w, 1, 22, 30);
	cycles_flush(w->c);
	at(w, 10);
	grant(w, 1, 22, 30);
	/* a second rule may be inserted: journaled before it can be */
	journaled_rec(w, &rec);
	assert_int_equal(rec.reopens, 1);
	assert_int_equal(fake_count(), 1);
	cycles_flush(w->c);
	expect(1, FAKE_OPEN, "cmd add r1 " ADDR " 22");
	at(w, 20);
	grant(w, 1, 22, 30);
	cycles_flush(w->c);
	expect(2, FAKE_OPEN, "cmd add r1 " ADDR " 22");
	tick(w, 50000);
	assert_int_equal(fake_count(), 6);	/* three copies, three closes */
	expect(3, FAKE_CLOSE, "cmd del r1 " ADDR " 22");
	expect(4, FAKE_CLOSE, "cmd del r1 " ADDR " 22");
	expect(5, FAKE_CLOSE, "cmd del r1 " ADDR " 22");
	assert_int_equal(journaled(w), 0);
	assert_int_equal(stats(w).closed, 1);
	tick(w, 3600000);
	assert_int_equal(fake_count(), 6);
}

static void
close_sweep_stops_when_no_copy_is_left(void **state)
{
	struct world *w = *state;

	fake_default(FAKE_OK);
	grant(w, 1, 22, 30);
	grant(w, 1, 23, 30);
	cycles_flush(w->c);
	at(w, 10);
	grant(w, 1, 22, 30);
	grant(w, 1, 23, 30);
	cycles_flush(w->c);
	at(w, 20);
	grant(w, 1, 22, 30);
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 5);
	fake_default(FAKE_LATER);
	/* tcp/22: opened three times; the second close finds nothing */
	tick(w, 40000);
	expect(5, FAKE_CLOSE, "cmd del r1 " ADDR " 23");
	fake_finish(5, FAKE_OK);
	expect(6, FAKE_CLOSE, "cmd del r1 " ADDR " 23");
	fake_finish(6, FAKE_FAIL);		/* no copy left: done */
	assert_int_equal(fake_count(), 7);
	tick(w, 50000);
	expect(7, FAKE_CLOSE, "cmd del r1 " ADDR " 22");
	fake_finish(7, FAKE_OK);
	fake_finish(8, FAKE_ABSENT);
	assert_int_equal(fake_count(), 9);
	assert_int_equal(journaled(w), 0);
	assert_int_equal(stats(w).close_failed, 0);
	tick(w, 3600000);
	assert_int_equal(fake_count(), 9);
}

static void
close_due_while_its_open_runs_waits_for_it(void **state)
{
	struct world *w = *state;

	grant(w, 1, 22, 5);
	cycles_flush(w->c);
	tick(w, 5000);
	assert_int_equal(fake_count(), 1);	/* the open still runs */
	at_ms(w, 5500);
	fake_finish(0, FAKE_OK);
	tick(w, 5999);
	assert_int_equal(fake_count(), 1);
	tick(w, 6000);
	expect(1, FAKE_CLOSE, "cmd del r1 " ADDR " 22");
}

static void
extension_during_opening(void **state)
{
	struct world *w = *state;
	struct journal_rec rec;

	grant(w, 1, 22, 5);
	cycles_flush(w->c);
	at(w, 3);
	grant(w, 1, 22, 30);			/* until 33 s */
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 1);	/* nothing to re-assert yet */
	journaled_rec(w, &rec);
	assert_int_equal(rec.close_at, WALL0 + 33);
	assert_int_equal(rec.reopens, 0);
	at(w, 4);
	fake_finish(0, FAKE_OK);
	tick(w, 5000);
	tick(w, 32999);
	assert_int_equal(fake_count(), 1);
	tick(w, 33000);
	expect(1, FAKE_CLOSE, "cmd del r1 " ADDR " 22");
	fake_finish(1, FAKE_OK);
	assert_int_equal(fake_count(), 2);
	assert_int_equal(journaled(w), 0);
}

static void
extension_during_opening_refreshes_once_open(void **state)
{
	struct world *w = *state;

	grant(w, 3, 22, 5);
	cycles_flush(w->c);
	at(w, 3);
	grant(w, 3, 22, 30);
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 1);
	fake_finish(0, FAKE_OK);
	expect(1, FAKE_REFRESH, "dev add " ADDR " 22 30");
	assert_int_equal(fake_req(1)->close_at, WALL0 + 33);
	assert_string_equal(fake_req(1)->data, "seq 1");
	fake_finish(1, FAKE_OK);
	tick(w, 33000);
	expect(2, FAKE_CLOSE, "dev remove");
}

static void
extension_during_closing_reopens_after_it(void **state)
{
	struct world *w = *state;

	fake_script(FAKE_OK);
	grant(w, 1, 22, 30);
	cycles_flush(w->c);
	tick(w, 30000);
	at(w, 31);
	grant(w, 1, 22, 30);
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 2);	/* waits for the close */
	at(w, 32);
	fake_finish(1, FAKE_OK);
	cycles_flush(w->c);
	assert_int_equal(journaled(w), 1);	/* the new cycle, journaled */
	expect(2, FAKE_OPEN, "cmd add r1 " ADDR " 22");
	assert_int_equal(fake_req(2)->close_at, WALL0 + 62);
	fake_finish(2, FAKE_OK);
	tick(w, 61999);
	assert_int_equal(fake_count(), 3);
	tick(w, 62000);
	expect(3, FAKE_CLOSE, "cmd del r1 " ADDR " 22");
}

/* --- shared objects ------------------------------------------------------ */

static void
shared_object_first_released_last_closes(void **state)
{
	struct world *w = *state;

	fake_script(FAKE_OK);
	fake_script(FAKE_OK);
	grant(w, 7, 22, 30);
	grant(w, 7, 80, 60);
	cycles_flush(w->c);
	expect(0, FAKE_OPEN, "set add a " ADDR);
	expect(1, FAKE_OPEN, "set add a " ADDR);
	/* the element is given the later close of its two holders */
	assert_int_equal(fake_req(0)->close_at, WALL0 + 60);
	assert_int_equal(fake_req(1)->close_at, WALL0 + 60);
	tick(w, 30000);
	assert_int_equal(fake_count(), 2);	/* released, not closed */
	assert_int_equal(stats(w).released, 1);
	assert_int_equal(journaled(w), 1);
	tick(w, 59999);
	assert_int_equal(fake_count(), 2);
	tick(w, 60000);
	expect(2, FAKE_CLOSE, "set del a " ADDR);
	fake_finish(2, FAKE_OK);
	/* again for the copy the released holder's open may have left */
	expect(3, FAKE_CLOSE, "set del a " ADDR);
	fake_finish(3, FAKE_ABSENT);
	assert_int_equal(journaled(w), 0);
	assert_int_equal(stats(w).open, 0);
}

static void
shared_object_last_granted_released_first(void **state)
{
	struct world *w = *state;

	fake_script(FAKE_OK);
	grant(w, 7, 22, 60);
	cycles_flush(w->c);
	at(w, 10);
	fake_script(FAKE_OK);
	grant(w, 7, 80, 5);			/* ends at 15 s */
	cycles_flush(w->c);
	/* an open never gives the element less time than a holder has */
	expect(1, FAKE_OPEN, "set add a " ADDR);
	assert_int_equal(fake_req(1)->close_at, WALL0 + 60);
	tick(w, 15000);
	assert_int_equal(fake_count(), 2);
	assert_int_equal(stats(w).released, 1);
	tick(w, 60000);
	expect(2, FAKE_CLOSE, "set del a " ADDR);
}

static void
grant_for_an_object_being_closed_waits(void **state)
{
	struct world *w = *state;

	fake_script(FAKE_OK);
	grant(w, 7, 22, 30);
	cycles_flush(w->c);
	tick(w, 30000);
	expect(1, FAKE_CLOSE, "set del a " ADDR);
	at(w, 31);
	grant(w, 7, 80, 30);			/* another port, same element */
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 2);
	at(w, 32);
	fake_finish(1, FAKE_OK);
	cycles_flush(w->c);
	expect(2, FAKE_OPEN, "set add a " ADDR);
	assert_int_equal(fake_req(2)->close_at, WALL0 + 62);
	assert_int_equal(journaled(w), 1);
}

static void
inherited_open_that_fails_closes_now(void **state)
{
	struct world *w = *state;

	fake_script(FAKE_OK);
	grant(w, 7, 22, 5);
	cycles_flush(w->c);
	at(w, 4);
	grant(w, 7, 80, 30);
	cycles_flush(w->c);			/* its open runs */
	tick(w, 5000);				/* the first is released */
	assert_int_equal(fake_count(), 2);
	assert_int_equal(stats(w).released, 1);
	fake_finish(1, FAKE_FAIL);
	/* the first holder's element is there: removed now, not at 34 s */
	expect(2, FAKE_CLOSE, "set del a " ADDR);
	assert_error_logged("closing now");
	fake_finish(2, FAKE_OK);
	fake_finish(3, FAKE_ABSENT);
	assert_int_equal(journaled(w), 0);
}

/* --- shutdown ------------------------------------------------------------ */

static void
shutdown_closes_open_cycles_and_opens_in_flight(void **state)
{
	struct world *w = *state;

	fake_script(FAKE_OK);
	grant(w, 1, 22, 30);
	cycles_flush(w->c);
	grant(w, 1, 23, 30);
	cycles_flush(w->c);			/* in flight */
	at(w, 1);
	cycles_close_all(w->c, w->wall);
	assert_int_equal(fake_count(), 3);
	expect(2, FAKE_CLOSE, "cmd del r1 " ADDR " 22");
	fake_finish(1, FAKE_OK);
	expect(3, FAKE_CLOSE, "cmd del r1 " ADDR " 23");
	fake_finish(2, FAKE_OK);
	fake_finish(3, FAKE_OK);
	assert_int_equal(journaled(w), 0);
	assert_int_equal(cycles_busy(w->c), 0);
}

static void
shutdown_drops_grants_waiting_for_a_close(void **state)
{
	struct world *w = *state;

	fake_script(FAKE_OK);
	grant(w, 1, 22, 30);
	cycles_flush(w->c);
	tick(w, 30000);
	at(w, 31);
	grant(w, 1, 22, 30);			/* waits for the close */
	cycles_close_all(w->c, w->wall);
	assert_int_equal(fake_count(), 2);
	fake_finish(1, FAKE_OK);
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 2);
	assert_int_equal(journaled(w), 0);
	assert_int_equal(cycles_busy(w->c), 0);
}

/* --- restart ------------------------------------------------------------- */

static void
restart_keeps_the_close_time(void **state)
{
	struct world *w = *state;

	fake_script(FAKE_OK);
	grant(w, 1, 22, 30);
	cycles_flush(w->c);
	at(w, 10);
	assert_int_equal(restart(w), 1);
	tick(w, 10000);
	tick(w, 29999);
	assert_int_equal(fake_count(), 0);
	tick(w, 30000);
	assert_int_equal(fake_count(), 1);
	expect(0, FAKE_CLOSE, "cmd del r1 " ADDR " 22");
	fake_finish(0, FAKE_OK);
	assert_int_equal(journaled(w), 0);
}

static void
restart_overdue_closes_at_once(void **state)
{
	struct world *w = *state;

	fake_script(FAKE_OK);
	grant(w, 1, 22, 30);
	cycles_flush(w->c);
	at(w, 100);
	assert_int_equal(restart(w), 1);
	tick(w, 100000);
	assert_int_equal(fake_count(), 1);
	expect(0, FAKE_CLOSE, "cmd del r1 " ADDR " 22");
}

static void
restart_while_opening_closes_at_its_time(void **state)
{
	struct world *w = *state;

	grant(w, 1, 22, 30);
	cycles_flush(w->c);			/* killed while it runs */
	at(w, 10);
	assert_int_equal(restart(w), 1);
	tick(w, 29999);
	assert_int_equal(fake_count(), 0);
	tick(w, 30000);
	expect(0, FAKE_CLOSE, "cmd del r1 " ADDR " 22");
}

static void
restart_while_closing_closes_again(void **state)
{
	struct world *w = *state;

	fake_script(FAKE_OK);
	grant(w, 1, 22, 30);
	cycles_flush(w->c);
	tick(w, 30000);				/* killed while it runs */
	at(w, 31);
	assert_int_equal(restart(w), 1);
	tick(w, 31000);
	expect(0, FAKE_CLOSE, "cmd del r1 " ADDR " 22");
}

static void
put_rec(struct world *w, const char *close, int64_t close_at)
{
	struct journal_rec rec;

	memset(&rec, 0, sizeof(rec));
	rec.id = journal_next_id(w->j);
	rec.stanza = 1;
	snprintf(rec.module, sizeof(rec.module), "cmd");
	assert_int_equal(addr_parse(ADDR, &rec.allow), 0);
	rec.proto = IPPROTO_TCP;
	rec.port = 22;
	rec.opened = WALL0;
	rec.close_at = close_at;
	rec.has_close = true;
	assert_int_equal(cmd_split(close, &rec.close), 0);
	assert_int_equal(journal_put(w->j, &rec), 0);
}

static void
restart_with_two_records_for_one_key(void **state)
{
	struct world *w = *state;

	put_rec(w, "cmd del x1", WALL0 + 20);
	put_rec(w, "cmd del x2", WALL0 + 40);
	assert_int_equal(restart(w), 2);
	tick(w, 20000);
	assert_int_equal(fake_count(), 1);
	expect(0, FAKE_CLOSE, "cmd del x1");
	fake_finish(0, FAKE_OK);
	tick(w, 39999);
	assert_int_equal(fake_count(), 1);
	tick(w, 40000);
	expect(1, FAKE_CLOSE, "cmd del x2");
	fake_finish(1, FAKE_OK);
	assert_int_equal(journaled(w), 0);
}

static void
restart_keeps_the_modules_data(void **state)
{
	struct world *w = *state;
	char adopted[64];

	fake_script(FAKE_OK);
	grant(w, 3, 22, 30);
	cycles_flush(w->c);
	at(w, 10);
	assert_int_equal(restart(w), 1);
	fake_adopted(adopted, sizeof(adopted));
	assert_string_equal(adopted, "seq 1");	/* the module reserves it */
	tick(w, 30000);
	expect(0, FAKE_CLOSE, "dev remove");
	assert_string_equal(fake_req(0)->data, "seq 1");
}

static void
adopted_cycle_journaled_and_closed(void **state)
{
	struct world *w = *state;
	struct journal_rec rec;

	memset(&rec, 0, sizeof(rec));
	rec.stanza = 1;
	snprintf(rec.module, sizeof(rec.module), "cmd");
	assert_int_equal(addr_parse(ADDR, &rec.allow), 0);
	rec.proto = IPPROTO_TCP;
	rec.port = 22;
	rec.opened = WALL0 - 60;
	rec.close_at = WALL0 + 20;
	rec.has_close = true;
	assert_int_equal(cmd_split("cmd del gw2", &rec.close), 0);
	assert_int_equal(cycles_adopt(w->c, &rec, "gw2",
	    &(struct now){ w->wall, w->mono }), 0);
	assert_int_equal(journaled(w), 1);
	tick(w, 19999);
	assert_int_equal(fake_count(), 0);
	tick(w, 20000);
	expect(0, FAKE_CLOSE, "cmd del gw2");
	fake_finish(0, FAKE_OK);
	assert_int_equal(journaled(w), 0);
}

/* --- objects rechecked and put back -------------------------------------- */

/* Rechecks every `interval` seconds, from now on. */
static void
recheck_every(struct world *w, unsigned int interval)
{
	w->cc.recheck_interval = interval;
	cycles_set_conf(w->c, &w->cc);
}

static void
recheck(struct world *w, int64_t ms)
{
	at_ms(w, ms);
	cycles_recheck(w->c, &(struct now){ w->wall, w->mono });
}

/* An element added (completed at once), open for `timeout` seconds. */
static void
open_element(struct world *w, uint16_t port, uint32_t timeout)
{
	fake_script(FAKE_OK);
	grant(w, 2, port, timeout);
	cycles_flush(w->c);
}

static size_t
count_lines(const char *text, const char *what)
{
	size_t n = 0;

	for (; (text = strstr(text, what)) != NULL; text += strlen(what))
		n++;
	return n;
}

static void
recheck_absent_puts_back_once(void **state)
{
	struct world *w = *state;

	recheck_every(w, 30);
	open_element(w, 22, 600);
	assert_int_equal(fake_count(), 1);
	fake_verdict(ACTION_ABSENT);
	recheck(w, 5000);
	assert_int_equal(fake_verifies(), 1);
	assert_int_equal(fake_count(), 1);	/* after the journal sync */
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 2);
	expect(1, FAKE_OPEN, "set add s " ADDR ",tcp:22");
	/* the same close: the element's timeout still covers it */
	assert_int_equal(fake_req(1)->close_at, WALL0 + 600);
	/* while it is being put back, never twice */
	recheck(w, 35000);
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 2);
	fake_finish(1, FAKE_OK);
	assert_int_equal(stats(w).restored, 1);
	assert_int_equal(stats(w).opened, 1);
	fake_verdict(ACTION_PRESENT);
	recheck(w, 65000);
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 2);
	assert_int_equal(fake_verifies(), 2);
	/* the close still comes at its time, once */
	tick(w, 600000);
	assert_int_equal(fake_count(), 3);
	expect(2, FAKE_CLOSE, "set del s " ADDR ",tcp:22");
	assert_string_equal(errors, "");
}

static void
recheck_present_changes_nothing(void **state)
{
	struct world *w = *state;

	recheck_every(w, 30);
	open_element(w, 22, 600);
	recheck(w, 1000);
	recheck(w, 31000);
	recheck(w, 61000);
	cycles_flush(w->c);
	assert_int_equal(fake_verifies(), 3);
	assert_int_equal(fake_count(), 1);
	assert_int_equal(stats(w).restored, 0);
	/* a cycle without a verify (cmd) is never asked */
	fake_script(FAKE_OK);
	grant(w, 1, 22, 600);
	cycles_flush(w->c);
	recheck(w, 91000);
	assert_int_equal(fake_verifies(), 4);
}

static void
recheck_never_puts_back_a_closing_cycle(void **state)
{
	struct world *w = *state;

	recheck_every(w, 30);
	open_element(w, 22, 30);
	fake_verdict(ACTION_ABSENT);
	/* the close is due, not started yet */
	recheck(w, 30000);
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 1);
	/* the close is running */
	tick(w, 30000);
	assert_int_equal(fake_count(), 2);
	expect(1, FAKE_CLOSE, "set del s " ADDR ",tcp:22");
	recheck(w, 60000);
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 2);
	assert_int_equal(fake_verifies(), 0);
	fake_finish(1, FAKE_OK);
	/* closed: nothing is put back, ever */
	recheck(w, 90000);
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 2);
	assert_int_equal(stats(w).restored, 0);
}

static void
recheck_spreads_a_round_over_its_interval(void **state)
{
	struct world *w = *state;
	uint16_t port;

	recheck_every(w, 1);
	for (port = 1; port <= 10; port++)
		open_element(w, port, 600);
	/* 10 cycles, 4 passes a second: 3 per pass */
	recheck(w, 0);
	assert_int_equal(fake_verifies(), 3);
	assert_int_equal(cycles_timeout_ms(w->c, w->mono), 250);
	recheck(w, 100);
	assert_int_equal(fake_verifies(), 3);
	recheck(w, 250);
	assert_int_equal(fake_verifies(), 6);
	recheck(w, 500);
	recheck(w, 750);
	assert_int_equal(fake_verifies(), 10);
	/* the next round at its time */
	recheck(w, 900);
	assert_int_equal(fake_verifies(), 10);
	recheck(w, 1000);
	assert_int_equal(fake_verifies(), 13);
}

/* Each check takes 15 ms of the test's clock. */
static void
slow_check(void *arg)
{
	((struct world *)arg)->mono += 15;
}

static void
recheck_pass_bounded_in_time(void **state)
{
	struct world *w = *state;
	uint16_t port;

	recheck_every(w, 1);
	for (port = 1; port <= 10; port++)
		open_element(w, port, 600);
	fake_on_verify(slow_check, w);
	/* 3 a pass by count, but 20 ms a pass: 15 + 15, then stop */
	recheck(w, 0);
	assert_int_equal(fake_verifies(), 2);
	recheck(w, 250);
	assert_int_equal(fake_verifies(), 4);
	fake_on_verify(NULL, NULL);
}

static void
recheck_that_cannot_tell_logged_once(void **state)
{
	struct world *w = *state;

	recheck_every(w, 30);
	open_element(w, 22, 600);
	fake_verdict(SPA_ERR_ACTION);
	recheck(w, 1000);
	recheck(w, 31000);
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 1);
	assert_int_equal(stats(w).unverified, 2);
	assert_int_equal(count_lines(errors, "cannot tell"), 1);
	assert_error_logged("fake verdict");
}

static void
recheck_puts_a_shared_object_back_once(void **state)
{
	struct world *w = *state;
	const struct spa_port p[] = { { IPPROTO_TCP, 22 }, { IPPROTO_TCP, 80 } };

	recheck_every(w, 1);
	fake_default(FAKE_OK);
	grant_ports(w, 7, p, 2, 600);
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 2);
	fake_default(FAKE_LATER);
	fake_verdict(ACTION_ABSENT);
	/* both cycles hold "set add a ADDR": one pass checks both */
	recheck(w, 0);
	recheck(w, 250);
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 3);
	expect(2, FAKE_OPEN, "set add a " ADDR);
	assert_int_equal(fake_verifies(), 1);
	fake_finish(2, FAKE_OK);
	assert_int_equal(stats(w).restored, 1);
}

static void
recheck_after_a_restart(void **state)
{
	struct world *w = *state;

	open_element(w, 22, 600);
	at(w, 10);
	assert_int_equal(restart(w), 1);
	recheck_every(w, 30);
	fake_verdict(ACTION_ABSENT);
	recheck(w, 10000);
	cycles_flush(w->c);
	assert_int_equal(fake_verifies(), 1);
	assert_int_equal(fake_count(), 1);
	/* the open rebuilt from the stanza, the same close */
	expect(0, FAKE_OPEN, "set add s " ADDR ",tcp:22");
	assert_int_equal(fake_req(0)->close_at, WALL0 + 600);
}

static void
recheck_after_a_restart_only_if_the_close_matches(void **state)
{
	struct world *w = *state;
	struct journal_rec rec;

	/* as long as stanza 2's "set del s ADDR,tcp:22", but not it */
	memset(&rec, 0, sizeof(rec));
	rec.stanza = 2;
	snprintf(rec.module, sizeof(rec.module), "set");
	assert_int_equal(addr_parse(ADDR, &rec.allow), 0);
	rec.proto = IPPROTO_TCP;
	rec.port = 22;
	rec.opened = WALL0 - 60;
	rec.close_at = WALL0 + 600;
	rec.has_close = true;
	assert_int_equal(cmd_split("set del s 192.0.2.99,tcp:22",
	    &rec.close), 0);
	assert_int_equal(cycles_adopt(w->c, &rec, "gw2",
	    &(struct now){ w->wall, w->mono }), 0);
	recheck_every(w, 30);
	fake_verdict(ACTION_ABSENT);
	recheck(w, 1000);
	cycles_flush(w->c);
	assert_int_equal(fake_verifies(), 0);
	assert_int_equal(fake_count(), 0);
}

static void
recheck_off(void **state)
{
	struct world *w = *state;

	recheck_every(w, 0);
	open_element(w, 22, 600);
	fake_verdict(ACTION_ABSENT);
	recheck(w, 1000);
	recheck(w, 100000);
	cycles_flush(w->c);
	assert_int_equal(fake_verifies(), 0);
	assert_int_equal(fake_count(), 1);
}

static void
recheck_failed_put_back_stays_open(void **state)
{
	struct world *w = *state;

	recheck_every(w, 30);
	open_element(w, 22, 600);
	fake_verdict(ACTION_ABSENT);
	fake_script(FAKE_FAIL);
	recheck(w, 1000);
	cycles_flush(w->c);
	assert_int_equal(stats(w).restore_failed, 1);
	assert_error_logged("cannot be put back");
	assert_int_equal(stats(w).open, 1);
	assert_int_equal(journaled(w), 1);
	/* tried again at the next check */
	fake_script(FAKE_OK);
	recheck(w, 31000);
	cycles_flush(w->c);
	assert_int_equal(fake_count(), 3);
	assert_int_equal(stats(w).restored, 1);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(open_then_close_at_its_time),
		T(cycle_is_on_disk_before_its_open_runs),
		T(failed_open_schedules_no_close),
		T(every_requested_port_opens_and_closes),
		T(failed_close_retried_with_backoff),
		T(failing_close_abandoned_after_the_limit),
		T(close_exit_status_listed_absent_is_closed),
		T(close_exit_status_not_listed_is_retried),
		T(extension_moves_the_close_later),
		T(extension_never_moves_the_close_earlier),
		T(extension_reasserts_through_the_refresh_hook),
		T(extension_runs_cmd_cycle_refresh),
		T(extension_runs_an_idempotent_open_again),
		T(repeated_open_closed_once_per_copy),
		T(close_sweep_stops_when_no_copy_is_left),
		T(close_due_while_its_open_runs_waits_for_it),
		T(extension_during_opening),
		T(extension_during_opening_refreshes_once_open),
		T(extension_during_closing_reopens_after_it),
		T(shared_object_first_released_last_closes),
		T(shared_object_last_granted_released_first),
		T(grant_for_an_object_being_closed_waits),
		T(inherited_open_that_fails_closes_now),
		T(shutdown_closes_open_cycles_and_opens_in_flight),
		T(shutdown_drops_grants_waiting_for_a_close),
		T(restart_keeps_the_close_time),
		T(restart_overdue_closes_at_once),
		T(restart_while_opening_closes_at_its_time),
		T(restart_while_closing_closes_again),
		T(restart_with_two_records_for_one_key),
		T(restart_keeps_the_modules_data),
		T(adopted_cycle_journaled_and_closed),
		T(recheck_absent_puts_back_once),
		T(recheck_present_changes_nothing),
		T(recheck_never_puts_back_a_closing_cycle),
		T(recheck_spreads_a_round_over_its_interval),
		T(recheck_pass_bounded_in_time),
		T(recheck_that_cannot_tell_logged_once),
		T(recheck_puts_a_shared_object_back_once),
		T(recheck_after_a_restart),
		T(recheck_after_a_restart_only_if_the_close_matches),
		T(recheck_off),
		T(recheck_failed_put_back_stays_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
