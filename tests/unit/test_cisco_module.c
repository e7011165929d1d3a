/*
 * The Cisco module (modules/cisco/cisco.c) over a scripted session: this file
 * defines the ios_session_* functions (ios_session.h), so the linker
 * takes them instead of the SSH ones, and plays the device.  What is
 * proved: an open is reported only once the device took its entry; a
 * close reads its entry back first and removes that number only when
 * the entry is the one its cycle recorded (another entry stays, logged
 * and counted; an entry gone ends the cycle); a number outside the
 * device's ranges is never touched; a session found closed before the
 * device accepted a line is retried at once, once; numbers journaled
 * cycles hold after a restart are not handed out again; a refused entry
 * frees its number; two instances share no device, number or counter.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "cisco.h"
#include "cisco_data.h"
#include "clock.h"
#include "conf.h"
#include "conf_cisco.h"
#include "err.h"
#include "ios_session.h"

extern const struct action_ops action_cisco;

#define ACE	"permit tcp host 192.0.2.7 any eq 22"
#define SHOW	"show ip access-lists SPA-IN | include ^ +%u [pd]"

/* --- the scripted device --------------------------------------------------- */

struct ios_session {
	struct ios_session_cbs	 cbs;
	void			*arg;
	bool			 connecting, up, busy;
	int			 connects;
	char			 lines[IOS_SCRIPT_MAX][IOS_CMD_MAX];
	size_t			 n;
	int			 runs;
};

static struct ios_session *dev;		/* the one device's session */

struct ios_session *
ios_session_new(const struct conf_cisco *cf, const struct ios_session_cbs *cbs,
    void *arg)
{
	struct ios_session *s = calloc(1, sizeof(*s));

	(void)cf;
	assert_non_null(s);
	s->cbs = *cbs;
	s->arg = arg;
	dev = s;
	return s;
}

void
ios_session_free(struct ios_session *s)
{
	if (s == dev)
		dev = NULL;
	free(s);
}

void
ios_session_connect(struct ios_session *s, int64_t now_ms)
{
	(void)now_ms;
	s->connecting = true;
	s->connects++;
}

int
ios_session_run(struct ios_session *s, const char *const *lines, size_t n,
    int64_t now_ms)
{
	size_t i;

	(void)now_ms;
	assert_true(s->up && !s->busy);
	for (i = 0; i < n; i++)
		snprintf(s->lines[i], IOS_CMD_MAX, "%s", lines[i]);
	s->n = n;
	s->busy = true;
	s->runs++;
	return 0;
}

bool
ios_session_idle(const struct ios_session *s)
{
	return s->up && !s->busy;
}

bool
ios_session_connected(const struct ios_session *s)
{
	return s->connecting || s->up;
}

size_t
ios_session_pollfd(const struct ios_session *s, struct pollfd *pfd)
{
	(void)s;
	(void)pfd;
	return 0;
}

int64_t
ios_session_deadline(const struct ios_session *s)
{
	(void)s;
	return -1;
}

void
ios_session_step(struct ios_session *s, int64_t now_ms)
{
	(void)s;
	(void)now_ms;
}

long
ios_session_clock_offset(const struct ios_session *s)
{
	(void)s;
	return 0;
}

int
ios_session_check_methods(const struct conf_cisco *cf, char *why,
    size_t whylen)
{
	(void)cf;
	(void)why;
	(void)whylen;
	return 0;
}

/* The device logs the module in. */
static void
device_ready(void)
{
	assert_true(dev->connecting);
	dev->connecting = false;
	dev->up = true;
	dev->cbs.ready(dev->arg);
}

/* The device answers the script: -1 every line taken, else the refused. */
static void
device_done(int failed, const char *msg)
{
	assert_true(dev->busy);
	dev->busy = false;
	dev->cbs.done(dev->arg, failed, msg);
}

/* The device lists, for line `ln` of a read, `entry` ("" for none). */
static void
device_lists(size_t ln, const char *entry)
{
	char text[512];

	snprintf(text, sizeof(text), "%s\n%s%sEDGE1#", dev->lines[ln], entry,
	    entry[0] != '\0' ? "\n" : "");
	dev->cbs.answer(dev->arg, ln, text);
}

/* The session is found closed: lines before `answered` were taken. */
static void
device_drops(size_t answered, size_t sent)
{
	dev->busy = false;
	dev->up = dev->connecting = false;
	dev->cbs.down(dev->arg, "read from the device: transport read",
	    answered, sent);
}

static void
assert_script(const char *const *want)
{
	size_t i;

	for (i = 0; want[i] != NULL; i++) {
		if (i >= dev->n)
			fail_msg("line %zu missing: want \"%s\"", i, want[i]);
		if (strcmp(dev->lines[i], want[i]) != 0)
			fail_msg("line %zu: \"%s\", want \"%s\"", i,
			    dev->lines[i], want[i]);
	}
	if (i != dev->n)
		fail_msg("%zu lines, want %zu", dev->n, i);
}

/* --- the executor's side --------------------------------------------------- */

struct result {
	uint64_t	job;
	int		result;
	char		detail[512];
};

static struct result results[16];
static size_t nresults;

static void
on_result(void *arg, const struct action_result *res)
{
	struct result *r = &results[nresults++];

	(void)arg;
	assert_true(nresults <= 16);
	r->job = res->job;
	r->result = res->result;
	snprintf(r->detail, sizeof(r->detail), "%s", res->detail);
}

static struct action_env env = { NULL, on_result, NULL };

/* The instance under test, in a table of its own (for the counters). */
static struct action_module mod = { &action_cisco, NULL, 0 };
static struct action_table one = { &mod, 1 };

static void
pass(void)
{
	action_cisco.dispatch(mod.priv, &env, NULL, 0, mono_ms());
}

/* One cycle's journaled data, as the executor keeps it. */
struct cycle {
	uint8_t		data[ACTION_DATA_MAX];
	uint16_t	len;
};

static void
words(struct cmd_argv *argv, const char *text)
{
	char *p;

	memset(argv, 0, sizeof(*argv));
	snprintf(argv->buf, sizeof(argv->buf), "%s", text);
	for (p = strtok(argv->buf, " "); p != NULL; p = strtok(NULL, " "))
		argv->argv[argv->argc++] = p;
}

typedef int (*request_op)(void *, struct action_env *,
    const struct action_req *);

static int
request_on(void *priv, request_op op, uint64_t job, const char *cmd,
    struct cycle *cy)
{
	struct cmd_argv argv;
	struct action_req req = { 0 };

	words(&argv, cmd);
	req.job = job;
	req.argv = &argv;
	req.timeout_ms = 60000;
	req.data = cy->data;
	req.data_len = &cy->len;
	req.close_at = 1700000000;
	return op(priv, &env, &req);
}

static int
request(request_op op, uint64_t job, const char *cmd, struct cycle *cy)
{
	return request_on(mod.priv, op, job, cmd, cy);
}

static void
open_cycle(uint64_t job, struct cycle *cy)
{
	assert_int_equal(request(action_cisco.open, job, "edge1 " ACE, cy), 0);
}

static void
close_cycle(uint64_t job, struct cycle *cy)
{
	assert_int_equal(request(action_cisco.close, job, "edge1 remove", cy),
	    0);
}

static void
assert_result(size_t i, uint64_t job, int result, const char *detail)
{
	assert_true(i < nresults);
	assert_int_equal(results[i].job, job);
	assert_int_equal(results[i].result, result);
	if (strstr(results[i].detail, detail) == NULL)
		fail_msg("result \"%s\", want \"%s\"", results[i].detail,
		    detail);
}

/* A record naming `seq` with the digest of ACE, as another gateway's. */
static void
record(struct cycle *cy, uint32_t seq)
{
	struct cisco_entry ce = { "edge1", seq, false, "" };

	assert_int_equal(ios_ace_digest(ACE, false, ce.digest,
	    sizeof(ce.digest)), 0);
	cy->len = (uint16_t)cisco_data_format(&ce, cy->data, sizeof(cy->data));
	assert_true(cy->len > 0);
}

/* --- setup ------------------------------------------------------------------ */

/* spagated.conf with the one device "edge1" (borrowed strings). */
static void
edge1_conf(struct conf_cisco *cf, struct conf_cisco_list *l,
    struct spa_conf *conf)
{
	static char name[] = "edge1", host[] = "192.0.2.1", user[] = "spa",
	    kh[] = "/dev/null", acl[] = "SPA-IN", ranges[] = "20000-20999";

	memset(cf, 0, sizeof(*cf));
	cf->name = name;
	cf->host = host;
	cf->port = 22;
	cf->user = user;
	cf->known_hosts = kh;
	cf->acl = acl;
	cf->seq_first = 10000;
	cf->seq_last = 10999;
	cf->fleet_ranges = ranges;
	cf->connect_timeout = cf->command_timeout = 10;
	l->v = cf;
	l->n = 1;
	memset(conf, 0, sizeof(*conf));
	conf->group[0] = &conf_group_cisco;	/* as conf_add_group does */
	conf->group_value[0] = l;
	conf->ngroups = 1;
}

static int
setup(void **state)
{
	struct conf_cisco cf;
	struct conf_cisco_list l;
	struct spa_conf conf;
	char why[256];

	(void)state;
	edge1_conf(&cf, &l, &conf);
	assert_int_equal(action_cisco.create(&mod.priv), 0);
	assert_int_equal(action_cisco.configure(mod.priv, &conf, why,
	    sizeof(why)), 0);
	assert_non_null(dev);
	nresults = 0;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	action_cisco.shutdown(mod.priv);
	action_cisco.free(mod.priv);
	mod.priv = NULL;
	return 0;
}

/* An open through to the device; its result is results[nresults - 1]. */
static void
opened(uint64_t job, struct cycle *cy, uint32_t seq)
{
	char entry[64];
	size_t before = nresults;

	open_cycle(job, cy);
	pass();
	if (!dev->up)
		device_ready();
	pass();
	snprintf(entry, sizeof(entry), "%u " ACE, seq);
	assert_string_equal(dev->lines[2], entry);
	device_done(-1, NULL);
	assert_int_equal(nresults, before + 1);
}

/* --- opens ------------------------------------------------------------------ */

static void
open_reported_once_the_device_took_it(void **state)
{
	const char *const want[] = { "configure terminal",
	    "ip access-list extended SPA-IN", "10000 " ACE, "end", NULL };
	struct cisco_entry ce;
	struct cycle cy = { .len = 0 };

	(void)state;
	open_cycle(1, &cy);
	/* the number is journaled before anything reaches the device */
	assert_null(cisco_data_parse(cy.data, cy.len, &ce));
	assert_string_equal(ce.device, "edge1");
	assert_int_equal(ce.seq, 10000);
	assert_int_equal(nresults, 0);
	assert_int_equal(dev->connects, 0);
	pass();
	assert_int_equal(dev->connects, 1);
	device_ready();
	pass();
	assert_int_equal(dev->runs, 1);
	assert_script(want);
	assert_int_equal(nresults, 0);
	device_done(-1, NULL);
	assert_int_equal(nresults, 1);
	assert_result(0, 1, 0, "edge1 seq 10000 added");
}

static void
refused_entry_frees_its_number(void **state)
{
	struct cycle cy = { .len = 0 }, cy2 = { .len = 0 };

	(void)state;
	open_cycle(1, &cy);
	pass();
	device_ready();
	pass();
	device_done(2, "% Error: test refusal");
	assert_result(0, 1, SPA_ERR_ACTION, "edge1: % Error: test refusal");
	opened(2, &cy2, 10000);
	assert_result(1, 2, 0, "edge1 seq 10000 added");
}

/* Someone else's entry at the number: skipped from then on. */
static void
duplicate_number_is_skipped(void **state)
{
	struct cycle cy = { .len = 0 }, cy2 = { .len = 0 };

	(void)state;
	open_cycle(1, &cy);
	pass();
	device_ready();
	pass();
	device_done(2, "% Duplicate sequence number");
	assert_result(0, 1, SPA_ERR_ACTION, "Duplicate sequence number");
	opened(2, &cy2, 10001);
}

/* After a restart: the journal's cycles hold their numbers (adopt). */
static void
adopted_numbers_are_not_handed_out(void **state)
{
	struct cycle held, cy = { .len = 0 };
	struct cmd_argv close;

	(void)state;
	record(&held, 10000);
	words(&close, "edge1 remove");
	action_cisco.adopt(mod.priv, &close, held.data, held.len);
	opened(1, &cy, 10001);
	assert_result(0, 1, 0, "edge1 seq 10001 added");
}

/* --- closes ----------------------------------------------------------------- */

static void
close_reads_back_then_removes(void **state)
{
	const char *const show[] = {
	    "show ip access-lists SPA-IN | include ^ +10000 [pd]", NULL };
	const char *const removal[] = { "configure terminal",
	    "ip access-list extended SPA-IN", "no 10000", "end", NULL };
	struct cycle cy = { .len = 0 };

	(void)state;
	opened(1, &cy, 10000);
	close_cycle(2, &cy);
	pass();
	assert_script(show);
	device_lists(0, "    10000 " ACE);
	device_done(-1, NULL);
	assert_int_equal(nresults, 1);
	pass();
	assert_script(removal);
	assert_int_equal(nresults, 1);
	device_done(-1, NULL);
	assert_result(1, 2, 0, "edge1 seq 10000 removed");
}

static void
close_leaves_another_entry_alone(void **state)
{
	struct cycle cy = { .len = 0 };
	struct cisco_stats st;
	int runs;

	(void)state;
	opened(1, &cy, 10000);
	close_cycle(2, &cy);
	pass();
	device_lists(0, "    10000 permit ip any any");
	device_done(-1, NULL);
	runs = dev->runs;
	pass();
	assert_int_equal(dev->runs, runs);	/* no removal sent */
	assert_result(1, 2, 0, "seq 10000 holds another entry");
	cisco_get_stats(&one, &st);
	assert_int_equal(st.left_alone, 1);
}

static void
close_of_an_entry_gone_is_done(void **state)
{
	struct cycle cy = { .len = 0 };
	int runs;

	(void)state;
	opened(1, &cy, 10000);
	close_cycle(2, &cy);
	pass();
	device_lists(0, "");
	device_done(-1, NULL);
	runs = dev->runs;
	pass();
	assert_int_equal(dev->runs, runs);
	assert_result(1, 2, 0, "edge1 seq 10000 already absent");
}

/* A record naming a number outside every range: refused, never sent. */
static void
close_outside_the_ranges_is_refused(void **state)
{
	struct cycle cy;
	struct cisco_stats st;

	(void)state;
	record(&cy, 10);
	close_cycle(1, &cy);
	assert_result(0, 1, 0, "edge1: seq 10 left alone: outside");
	pass();
	assert_int_equal(dev->connects, 0);
	assert_int_equal(dev->runs, 0);
	record(&cy, 11000);
	close_cycle(2, &cy);
	assert_result(1, 2, 0, "seq 11000 left alone");
	cisco_get_stats(&one, &st);
	assert_int_equal(st.left_alone, 2);
	pass();
	assert_int_equal(dev->connects, 0);
}

/* Fleet mode: another gateway's number in fleet_ranges is removed. */
static void
close_in_a_fleet_range_is_carried_out(void **state)
{
	const char *const removal[] = { "configure terminal",
	    "ip access-list extended SPA-IN", "no 20005", "end", NULL };
	struct cycle cy;

	(void)state;
	record(&cy, 20005);
	close_cycle(1, &cy);
	assert_int_equal(nresults, 0);
	pass();
	device_ready();
	pass();
	device_lists(0, "    20005 " ACE);
	device_done(-1, NULL);
	pass();
	assert_script(removal);
	device_done(-1, NULL);
	assert_result(0, 1, 0, "edge1 seq 20005 removed");
}

/* --- sessions --------------------------------------------------------------- */

/*
 * IOS ended an idle session and the gateway learns it only when the
 * batch finds it closed: once, a fresh session at once, and the grant
 * is carried out.  A second drop before any line was taken waits for
 * the backoff.
 */
static void
session_found_closed_is_retried_once(void **state)
{
	struct cycle cy = { .len = 0 };

	(void)state;
	open_cycle(1, &cy);
	pass();
	device_ready();
	pass();
	assert_int_equal(dev->runs, 1);
	device_drops(0, 1);
	assert_int_equal(nresults, 0);
	pass();
	assert_int_equal(dev->connects, 2);	/* at once */
	device_ready();
	pass();
	assert_int_equal(dev->runs, 2);
	assert_string_equal(dev->lines[2], "10000 " ACE);
	/* dropped again: no second immediate retry */
	device_drops(0, 1);
	pass();
	assert_int_equal(dev->connects, 2);
	assert_int_equal(nresults, 0);
}

/* Once the device took a line of the batch, nothing is sent again. */
static void
session_dropped_after_a_line_is_not_retried_at_once(void **state)
{
	struct cycle cy = { .len = 0 };

	(void)state;
	open_cycle(1, &cy);
	pass();
	device_ready();
	pass();
	device_drops(2, 3);	/* the entry was sent, not answered */
	pass();
	assert_int_equal(dev->connects, 1);
}

/* --- instances ---------------------------------------------------------- */

/*
 * Two instances share nothing: a device of one is unknown to the other
 * until configured there, and then its numbers and counters are its own.
 */
static void
instances_share_nothing(void **state)
{
	struct action_module two = { &action_cisco, NULL, 0 };
	struct action_table t2 = { &two, 1 };
	struct cycle cy = { .len = 0 }, cy2 = { .len = 0 };
	struct cmd_argv remove, entry;
	struct cisco_entry ce;
	struct conf_cisco cf;
	struct conf_cisco_list l;
	struct spa_conf conf;
	struct cisco_stats st;
	char why[256];

	(void)state;
	opened(1, &cy, 10000);
	assert_int_equal(action_cisco.create(&two.priv), 0);
	words(&remove, "edge1 remove");
	words(&entry, "edge1 " ACE);
	assert_true(action_claimable(&mod, &remove));
	assert_false(action_claimable(&two, &remove));
	assert_int_equal(action_check(&two, &entry, why, sizeof(why)),
	    SPA_ERR_CONFIG);
	assert_non_null(strstr(why, "no Cisco device named 'edge1'"));
	cisco_get_stats(&t2, &st);
	assert_int_equal(st.devices, 0);
	edge1_conf(&cf, &l, &conf);
	assert_int_equal(action_cisco.configure(two.priv, &conf, why,
	    sizeof(why)), 0);
	/* the first instance holds 10000; the second hands it out again */
	assert_int_equal(request_on(two.priv, action_cisco.open, 2,
	    "edge1 " ACE, &cy2), 0);
	assert_null(cisco_data_parse(cy2.data, cy2.len, &ce));
	assert_int_equal(ce.seq, 10000);
	cisco_get_stats(&t2, &st);
	assert_int_equal(st.devices, 1);
	cisco_get_stats(&one, &st);
	assert_int_equal(st.devices, 1);
	action_cisco.free(two.priv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    open_reported_once_the_device_took_it, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    instances_share_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    refused_entry_frees_its_number, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    duplicate_number_is_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    adopted_numbers_are_not_handed_out, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    close_reads_back_then_removes, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    close_leaves_another_entry_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    close_of_an_entry_gone_is_done, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    close_outside_the_ranges_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    close_in_a_fleet_range_is_carried_out, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    session_found_closed_is_retried_once, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    session_dropped_after_a_line_is_not_retried_at_once,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
