/*
 * The executor's replay check across verifier workers: one packet that
 * came as two OPENs (two flows, two workers) is granted once, the check
 * survives a restart, and a store that cannot record refuses the grant.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "helpers.h"
#include "replay.h"
#include "replay_gate.h"

#define NOW	1795343068

struct fix {
	char	*dir;
	char	*path;
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_non_null(f->dir = th_mkdtemp());
	assert_true(asprintf(&f->path, "%s/%s", f->dir, REPLAY_GATE_FILE) > 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	th_rmtree(f->dir);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

/* An OPEN of packet `n` from source port `sport`. */
static struct spa_event
open_of(uint32_t n, uint16_t sport)
{
	struct spa_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.stanza = 1;
	assert_int_equal(addr_parse("192.0.2.7", &ev.allow), 0);
	ev.pkt_src = ev.allow;
	ev.src_port = sport;
	ev.spa_time = NOW - 1;
	memcpy(ev.digest, &n, sizeof(n));
	ev.digest[31] = 0x5a;
	return ev;
}

static struct replay_gate *
open_ok(const char *path)
{
	struct replay_gate *g = NULL;

	assert_int_equal(replay_gate_open(path, 0, &g), 0);
	replay_gate_set_age(g, 120);
	return g;
}

/* The same packet on two flows: the first OPEN passes, the second not. */
static void
second_open_of_one_packet_is_refused(void **state)
{
	struct fix *f = *state;
	struct replay_gate *g = open_ok(f->path);
	struct replay_gate_stats st;
	struct spa_event a = open_of(1, 40001), b = open_of(1, 40002);

	assert_int_equal(replay_gate_admit(g, &a, NOW), 0);
	assert_int_equal(replay_gate_admit(g, &b, NOW), SPA_ERR_REPLAY);
	assert_int_equal(replay_gate_admit(g, &a, NOW), SPA_ERR_REPLAY);
	replay_gate_get_stats(g, &st);
	assert_int_equal(st.checked, 3);
	assert_int_equal(st.replays, 2);
	assert_int_equal(st.unrecorded, 0);
	replay_gate_close(g);
}

/* Two packets are two grants, whichever worker sent them. */
static void
different_packets_pass(void **state)
{
	struct fix *f = *state;
	struct replay_gate *g = open_ok(f->path);
	struct spa_event a = open_of(1, 40001), b = open_of(2, 40001);
	struct replay_gate_stats st;

	assert_int_equal(replay_gate_admit(g, &a, NOW), 0);
	assert_int_equal(replay_gate_admit(g, &b, NOW), 0);
	replay_gate_get_stats(g, &st);
	assert_int_equal(st.replays, 0);
	replay_gate_close(g);
}

/* The store is on disk: a restarted executor still refuses the replay. */
static void
refuses_after_reopen(void **state)
{
	struct fix *f = *state;
	struct replay_gate *g = open_ok(f->path);
	struct spa_event a = open_of(7, 40001);
	struct stat sb;

	assert_int_equal(replay_gate_admit(g, &a, NOW), 0);
	replay_gate_close(g);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	g = open_ok(f->path);
	assert_int_equal(replay_gate_admit(g, &a, NOW + 5), SPA_ERR_REPLAY);
	replay_gate_close(g);
}

/*
 * Fail closed: the table must grow and cannot (its path.new taken), so
 * the grant is refused and counted; once it can record, the same packet
 * passes, which shows it was not recorded before.
 */
static void
unrecordable_digest_is_refused(void **state)
{
	struct fix *f = *state;
	struct replay_gate *g = open_ok(f->path);
	struct replay_gate_stats st;
	struct spa_event ev;
	char *tmp;
	uint32_t i;
	int r;

	for (i = 0; i < 614; i++) {	/* 60% of 1024: the next one grows */
		ev = open_of(1000 + i, 40001);
		assert_int_equal(replay_gate_admit(g, &ev, NOW), 0);
	}
	assert_true(asprintf(&tmp, "%s.new", f->path) > 0);
	assert_int_equal(mkdir(tmp, 0700), 0);
	ev = open_of(9999, 40001);
	r = replay_gate_admit(g, &ev, NOW);
	assert_int_not_equal(r, 0);
	assert_int_not_equal(r, SPA_ERR_REPLAY);
	replay_gate_get_stats(g, &st);
	assert_int_equal(st.unrecorded, 1);
	assert_int_equal(st.replays, 0);
	assert_int_equal(rmdir(tmp), 0);
	assert_int_equal(replay_gate_admit(g, &ev, NOW), 0);
	assert_int_equal(replay_gate_admit(g, &ev, NOW), SPA_ERR_REPLAY);
	replay_gate_close(g);
	free(tmp);
}

/*
 * A new executor store takes the digests a worker's store holds (what one
 * worker granted before there were several): their replays are refused,
 * on whichever worker they arrive; a store a process holds is not read.
 */
static void
new_store_takes_the_workers_digests(void **state)
{
	struct fix *f = *state;
	struct replay_store *w0 = NULL, *held = NULL;
	struct replay_gate *g;
	struct spa_event old = open_of(42, 40001), young = open_of(43, 40001);
	char *wpath, *hpath, *missing;

	assert_true(asprintf(&wpath, "%s/replay.db", f->dir) > 0);
	assert_true(asprintf(&hpath, "%s/replay.1.db", f->dir) > 0);
	assert_true(asprintf(&missing, "%s/replay.2.db", f->dir) > 0);
	assert_int_equal(replay_open(wpath, 0, &w0), 0);
	assert_int_equal(replay_add(w0, old.digest, NOW, old.spa_time), 0);
	replay_close(w0);
	assert_int_equal(replay_open(hpath, 0, &held), 0);

	g = open_ok(f->path);
	assert_int_equal(replay_gate_seed(g, wpath, NOW), 0);
	assert_int_equal(replay_gate_seed(g, missing, NOW), 0);
	assert_int_not_equal(replay_gate_seed(g, hpath, NOW), 0);
	assert_int_equal(replay_gate_admit(g, &old, NOW), SPA_ERR_REPLAY);
	assert_int_equal(replay_gate_admit(g, &young, NOW), 0);
	replay_gate_close(g);
	/* reopened and seeded again: what it holds stays refused */
	g = open_ok(f->path);
	assert_int_equal(replay_gate_seed(g, wpath, NOW), 0);
	assert_int_equal(replay_gate_admit(g, &old, NOW), SPA_ERR_REPLAY);
	replay_gate_close(g);
	replay_close(held);
	free(wpath);
	free(hpath);
	free(missing);
}

/* A file that is not a replay store is refused, not started over. */
static void
foreign_file_is_refused(void **state)
{
	struct fix *f = *state;
	struct replay_gate *g = NULL;
	char *p = th_write(f->dir, REPLAY_GATE_FILE, "not a store\n", 0600);

	assert_int_not_equal(replay_gate_open(f->path, 0, &g), 0);
	assert_null(g);
	free(p);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(second_open_of_one_packet_is_refused),
		T(different_packets_pass),
		T(refuses_after_reopen),
		T(unrecordable_digest_is_refused),
		T(new_store_takes_the_workers_digests),
		T(foreign_file_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
