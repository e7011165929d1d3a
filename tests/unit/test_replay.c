/*
 * Replay store: add/check, expiry, persistence across close and kill,
 * growth, refusal of damaged or foreign files, probe lengths at 1 M.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "helpers.h"
#include "replay.h"

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
	assert_true(asprintf(&f->path, "%s/replay.db", f->dir) > 0);
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

static void
digest_of(uint64_t n, uint8_t d[REPLAY_DIGEST_LEN])
{
	memset(d, 0, REPLAY_DIGEST_LEN);
	/* spread like a hash would: the store mixes only the first 8 bytes */
	n = (n + 1) * 0x9e3779b97f4a7c15ULL;
	memcpy(d, &n, sizeof(n));
	memcpy(d + 24, &n, sizeof(n));
}

static struct replay_store *
open_ok(const char *path)
{
	struct replay_store *rs = NULL;

	assert_int_equal(replay_open(path, 0, &rs), 0);
	return rs;
}

static void
refuses_stored_digest(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs = open_ok(f->path);
	uint8_t d[REPLAY_DIGEST_LEN], e[REPLAY_DIGEST_LEN];

	digest_of(1, d);
	digest_of(2, e);
	assert_int_equal(replay_check(rs, d, NOW), 0);
	assert_int_equal(replay_add(rs, d, NOW, NOW + 240), 0);
	assert_int_equal(replay_check(rs, d, NOW), SPA_ERR_REPLAY);
	assert_int_equal(replay_add(rs, d, NOW, NOW + 240), SPA_ERR_REPLAY);
	assert_int_equal(replay_check(rs, e, NOW), 0);
	replay_close(rs);
}

static void
forgets_digest_after_expiry_and_reuses_slot(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs = open_ok(f->path);
	struct replay_stats st;
	uint8_t d[REPLAY_DIGEST_LEN];

	digest_of(7, d);
	assert_int_equal(replay_add(rs, d, NOW, NOW + 10), 0);
	assert_int_equal(replay_check(rs, d, NOW + 9), SPA_ERR_REPLAY);
	assert_int_equal(replay_check(rs, d, NOW + 10), 0);
	assert_int_equal(replay_add(rs, d, NOW + 10, NOW + 20), 0);
	assert_int_equal(replay_check(rs, d, NOW + 15), SPA_ERR_REPLAY);
	replay_get_stats(rs, &st);
	assert_int_equal(st.entries, 1);
	replay_close(rs);
}

static void
forever_never_expires(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs = open_ok(f->path);
	uint8_t d[REPLAY_DIGEST_LEN];

	digest_of(9, d);
	assert_int_equal(replay_add(rs, d, NOW, REPLAY_FOREVER), 0);
	assert_int_equal(replay_check(rs, d, INT64_MAX - 1), SPA_ERR_REPLAY);
	replay_close(rs);
}

static void
refuses_expiry_in_the_past(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs = open_ok(f->path);
	uint8_t d[REPLAY_DIGEST_LEN];

	digest_of(3, d);
	assert_int_equal(replay_add(rs, d, NOW, NOW), SPA_ERR_ARG);
	replay_close(rs);
}

static void
keeps_digests_across_close_and_open(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs = open_ok(f->path);
	uint8_t d[REPLAY_DIGEST_LEN];
	uint64_t i;

	for (i = 0; i < 100; i++) {
		digest_of(i, d);
		assert_int_equal(replay_add(rs, d, NOW, NOW + 240), 0);
	}
	replay_close(rs);
	rs = open_ok(f->path);
	for (i = 0; i < 100; i++) {
		digest_of(i, d);
		assert_int_equal(replay_check(rs, d, NOW), SPA_ERR_REPLAY);
	}
	replay_close(rs);
}

/* A process killed without replay_close or sync loses nothing. */
static void
keeps_digests_after_kill(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs;
	uint8_t d[REPLAY_DIGEST_LEN];
	uint64_t i;
	int status;
	pid_t pid;

	if ((pid = fork()) == 0) {
		if (replay_open(f->path, 0, &rs) != 0)
			_exit(1);
		for (i = 0; i < 5000; i++) {	/* grows a few times */
			digest_of(i, d);
			if (replay_add(rs, d, NOW, NOW + 240) != 0)
				_exit(2);
		}
		kill(getpid(), SIGKILL);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	rs = open_ok(f->path);
	for (i = 0; i < 5000; i++) {
		digest_of(i, d);
		assert_int_equal(replay_check(rs, d, NOW), SPA_ERR_REPLAY);
	}
	replay_close(rs);
}

static void
growth_keeps_every_entry(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs = open_ok(f->path);
	struct replay_stats st;
	uint8_t d[REPLAY_DIGEST_LEN];
	uint64_t i;

	for (i = 0; i < 20000; i++) {
		digest_of(i, d);
		assert_int_equal(replay_add(rs, d, NOW, NOW + 240), 0);
	}
	replay_get_stats(rs, &st);
	assert_true(st.grows > 0);
	assert_true(st.capacity >= 20000);
	for (i = 0; i < 20000; i++) {
		digest_of(i, d);
		assert_int_equal(replay_check(rs, d, NOW), SPA_ERR_REPLAY);
	}
	replay_close(rs);
}

/* Expired entries are dropped by a rebuild instead of growing the file. */
static void
rebuild_drops_expired_entries(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs = open_ok(f->path);
	struct replay_stats st;
	uint8_t d[REPLAY_DIGEST_LEN];
	uint64_t i;
	int64_t t = NOW;

	for (i = 0; i < 50000; i++) {
		t = NOW + (int64_t)(i / 100);	/* 100 packets a second */
		digest_of(i, d);
		assert_int_equal(replay_add(rs, d, t, t + 2), 0);
	}
	replay_get_stats(rs, &st);
	assert_true(st.capacity <= 4096);	/* ~200 live at any time */
	assert_true(st.grows > 0);
	replay_close(rs);
}

static void
another_process_holding_the_store_is_refused(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs = open_ok(f->path), *rs2 = NULL;
	int status;
	pid_t pid;

	if ((pid = fork()) == 0)
		_exit(replay_open(f->path, 0, &rs2) == SPA_ERR_STATE ? 0 : 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	replay_close(rs);
}

static void
creates_file_mode_0600(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs = open_ok(f->path);
	struct stat st;

	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	replay_close(rs);
}

static void
refuses_symlink(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs = NULL;
	char *target;

	assert_true(asprintf(&target, "%s/elsewhere", f->dir) > 0);
	assert_int_equal(symlink(target, f->path), 0);
	assert_int_equal(replay_open(f->path, 0, &rs), SPA_ERR_STATE);
	assert_null(rs);
	assert_int_equal(access(target, F_OK), -1);
	free(target);
}

/* Write `len` bytes of `content` as the store, try to open, check untouched. */
static void
assert_refused_untouched(struct fix *f, const void *content, size_t len)
{
	struct replay_store *rs = NULL;
	size_t got = 0;
	char *back;
	int fd;

	assert_true((fd = open(f->path, O_WRONLY | O_CREAT | O_TRUNC,
	    0600)) >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	close(fd);
	assert_int_equal(replay_open(f->path, 0, &rs), SPA_ERR_STATE);
	assert_null(rs);
	assert_non_null(back = th_slurp(f->path, &got));
	assert_int_equal(got, len);
	assert_memory_equal(back, content, len);
	free(back);
}

/* A valid store's bytes, for the damage tests. */
static uint8_t *
valid_store_bytes(struct fix *f, size_t *len)
{
	struct replay_store *rs = open_ok(f->path);
	uint8_t d[REPLAY_DIGEST_LEN];
	char *bytes;

	digest_of(1, d);
	assert_int_equal(replay_add(rs, d, NOW, NOW + 240), 0);
	replay_close(rs);
	assert_non_null(bytes = th_slurp(f->path, len));
	return (uint8_t *)bytes;
}

static void
refuses_foreign_file(void **state)
{
	static const char text[] = "this is not a replay store, but somebody's file\n";

	assert_refused_untouched(*state, text, sizeof(text) - 1);
}

static void
refuses_bad_magic(void **state)
{
	size_t len;
	uint8_t *b = valid_store_bytes(*state, &len);

	b[0] ^= 0xff;
	assert_refused_untouched(*state, b, len);
	free(b);
}

static void
refuses_truncated_file(void **state)
{
	size_t len;
	uint8_t *b = valid_store_bytes(*state, &len);

	assert_refused_untouched(*state, b, len - 40);
	free(b);
}

static void
refuses_capacity_not_power_of_two(void **state)
{
	size_t len;
	uint8_t *b = valid_store_bytes(*state, &len);
	uint64_t cap;

	memcpy(&cap, b + 16, sizeof(cap));
	cap += 1;
	memcpy(b + 16, &cap, sizeof(cap));
	assert_refused_untouched(*state, b, len);
	free(b);
}

static void
refuses_negative_expiry(void **state)
{
	size_t len;
	uint8_t *b = valid_store_bytes(*state, &len);
	int64_t bad = -5;

	memcpy(b + 64 + 32, &bad, sizeof(bad));
	assert_refused_untouched(*state, b, len);
	free(b);
}

/* Mean probe length after inserting `n` random digests. */
static double
mean_probe_after(const char *path, uint64_t n, uint64_t *max_probe)
{
	struct replay_store *rs = open_ok(path);
	struct replay_stats st;
	uint8_t d[REPLAY_DIGEST_LEN];
	uint64_t i;

	for (i = 0; i < n; i++) {
		assert_int_equal(getrandom(d, sizeof(d), 0), (ssize_t)sizeof(d));
		if (replay_add(rs, d, NOW, NOW + 240) != 0)
			fail_msg("insert %llu failed", (unsigned long long)i);
		assert_int_equal(replay_check(rs, d, NOW), SPA_ERR_REPLAY);
	}
	replay_get_stats(rs, &st);
	replay_close(rs);
	unlink(path);
	*max_probe = st.max_probe;
	print_message("# %llu entries: capacity %zu, mean probe %.3f, max %llu\n",
	    (unsigned long long)n, st.capacity,
	    (double)st.probes / (double)st.probe_ops,
	    (unsigned long long)st.max_probe);
	return (double)st.probes / (double)st.probe_ops;
}

/*
 * O(1) without timing: the mean number of slots a lookup or insert visits
 * is a small constant, the same at 10 thousand and at a million entries.
 */
static void
probes_stay_short_at_one_million(void **state)
{
	struct fix *f = *state;
	uint64_t max_small, max_big;
	double small = mean_probe_after(f->path, 10000, &max_small);
	double big = mean_probe_after(f->path, 1000000, &max_big);

	assert_true(small < 4.0);
	assert_true(big < 4.0);
	assert_true(big < small * 1.5);
	assert_true(max_big < 256);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(refuses_stored_digest),
		T(forgets_digest_after_expiry_and_reuses_slot),
		T(forever_never_expires),
		T(refuses_expiry_in_the_past),
		T(keeps_digests_across_close_and_open),
		T(keeps_digests_after_kill),
		T(growth_keeps_every_entry),
		T(rebuild_drops_expired_entries),
		T(another_process_holding_the_store_is_refused),
		T(creates_file_mode_0600),
		T(refuses_symlink),
		T(refuses_foreign_file),
		T(refuses_bad_magic),
		T(refuses_truncated_file),
		T(refuses_capacity_not_power_of_two),
		T(refuses_negative_expiry),
		T(probes_stay_short_at_one_million),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
