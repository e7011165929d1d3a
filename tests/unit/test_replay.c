/*
 * Replay store: add/check, the age window applied at lookup, what it
 * forgot, persistence across close and kill, growth, refusal of damaged
 * or foreign files, conversion of format 1, probe lengths at 1 M.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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
	assert_int_equal(replay_add(rs, d, NOW, NOW), 0);
	assert_int_equal(replay_check(rs, d, NOW), SPA_ERR_REPLAY);
	assert_int_equal(replay_add(rs, d, NOW, NOW), SPA_ERR_REPLAY);
	assert_int_equal(replay_check(rs, e, NOW), 0);
	replay_close(rs);
}

/* What a replay's log line says of the first copy: its packet time. */
static void
a_hit_tells_the_first_copys_packet_time(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs = open_ok(f->path);
	uint8_t d[REPLAY_DIGEST_LEN], e[REPLAY_DIGEST_LEN];
	int64_t stamp = -1;

	replay_set_age(rs, 120);
	digest_of(1, d);
	digest_of(2, e);
	assert_int_equal(replay_add(rs, d, NOW, NOW - 30), 0);
	assert_int_equal(replay_check_stamp(rs, d, NOW + 50, &stamp),
	    SPA_ERR_REPLAY);
	assert_int_equal(stamp, NOW - 30);
	assert_int_equal(replay_check_stamp(rs, e, NOW + 50, &stamp), 0);
	assert_int_equal(stamp, 0);
	replay_close(rs);
}

/* A digest lives while its packet's time is within the age of now. */
static void
forgets_digest_after_expiry_and_reuses_slot(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs = open_ok(f->path);
	struct replay_stats st;
	uint8_t d[REPLAY_DIGEST_LEN];

	replay_set_age(rs, 10);
	digest_of(7, d);
	assert_int_equal(replay_add(rs, d, NOW, NOW - 5), 0);
	assert_int_equal(replay_check(rs, d, NOW + 5), SPA_ERR_REPLAY);
	assert_int_equal(replay_check(rs, d, NOW + 6), 0);
	assert_int_equal(replay_add(rs, d, NOW + 10, NOW + 10), 0);
	assert_int_equal(replay_check(rs, d, NOW + 15), SPA_ERR_REPLAY);
	replay_get_stats(rs, &st);
	assert_int_equal(st.entries, 1);
	replay_close(rs);
}

/* Age 0 (no age check): a digest is never forgotten. */
static void
forever_never_expires(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs = open_ok(f->path);
	uint8_t d[REPLAY_DIGEST_LEN];

	replay_set_age(rs, 0);
	digest_of(9, d);
	assert_int_equal(replay_add(rs, d, NOW, 0), 0);
	assert_int_equal(replay_check(rs, d, INT64_MAX - 1), SPA_ERR_REPLAY);
	replay_close(rs);
}

/* A packet already too old to pass the age check needs no guarding. */
static void
too_old_packet_is_not_stored(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs = open_ok(f->path);
	struct replay_stats st;
	uint8_t d[REPLAY_DIGEST_LEN];

	replay_set_age(rs, 10);
	digest_of(3, d);
	assert_int_equal(replay_add(rs, d, NOW, NOW - 11), 0);
	replay_get_stats(rs, &st);
	assert_int_equal(st.entries, 0);
	/* one from the future is kept until it is too old */
	assert_int_equal(replay_add(rs, d, NOW, NOW + 100), 0);
	assert_int_equal(replay_check(rs, d, NOW + 110), SPA_ERR_REPLAY);
	assert_int_equal(replay_check(rs, d, NOW + 111), 0);
	replay_close(rs);
}

/*
 * The age applies at lookup, not when a digest was stored: raising it
 * (SIGHUP) makes a packet young enough again, and its digest with it
 * (issue 15, item 10).
 */
static void
raising_the_age_keeps_the_digest(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs = open_ok(f->path);
	uint8_t d[REPLAY_DIGEST_LEN];

	replay_set_age(rs, 10);
	digest_of(11, d);
	assert_int_equal(replay_add(rs, d, NOW, NOW), 0);
	assert_int_equal(replay_check(rs, d, NOW + 10), SPA_ERR_REPLAY);
	assert_int_equal(replay_check(rs, d, NOW + 25), 0);
	replay_set_age(rs, 3600);
	assert_int_equal(replay_check(rs, d, NOW + 25), SPA_ERR_REPLAY);
	assert_int_equal(replay_check(rs, d, NOW + 3600), SPA_ERR_REPLAY);
	assert_int_equal(replay_check(rs, d, NOW + 3601), 0);
	replay_close(rs);
}

/*
 * A digest that was dropped (its slot reused, or left out of a rebuild)
 * cannot come back when the age is raised: the store remembers the
 * newest packet time it forgot and refuses any packet not newer, which
 * may be a replay of one of them.  Kept across close and open.
 */
static void
forgotten_digests_refuse_older_packets(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs = open_ok(f->path);
	struct replay_stats st;
	uint8_t d[REPLAY_DIGEST_LEN];
	uint64_t i;

	replay_set_age(rs, 10);
	for (i = 0; i < 614; i++) {	/* 60% of 1024 slots */
		digest_of(i, d);
		assert_int_equal(replay_add(rs, d, NOW, NOW), 0);
	}
	replay_get_stats(rs, &st);
	assert_int_equal(st.forgotten, 0);
	/* later, fresh packets take the expired slots, then a rebuild */
	for (i = 1000; st.grows == 0 && i < 3000; i++) {
		digest_of(i, d);
		assert_int_equal(replay_add(rs, d, NOW + 100, NOW + 100), 0);
		replay_get_stats(rs, &st);
	}
	assert_true(st.grows > 0);
	assert_int_equal(st.forgotten, NOW);
	replay_set_age(rs, 3600);
	digest_of(5, d);	/* gone, and young enough again */
	assert_int_equal(replay_check(rs, d, NOW + 100), 0);
	assert_int_equal(replay_add(rs, d, NOW + 100, NOW), SPA_ERR_REPLAY);
	digest_of(5000, d);	/* a packet newer than all it forgot */
	assert_int_equal(replay_add(rs, d, NOW + 100, NOW + 1), 0);
	replay_close(rs);
	rs = open_ok(f->path);
	replay_get_stats(rs, &st);
	assert_int_equal(st.forgotten, NOW);
	digest_of(6, d);
	assert_int_equal(replay_add(rs, d, NOW + 100, NOW), SPA_ERR_REPLAY);
	replay_close(rs);
}

static void
keeps_digests_across_close_and_open(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs = open_ok(f->path);
	struct replay_stats st;
	uint8_t d[REPLAY_DIGEST_LEN];
	uint64_t i;

	for (i = 0; i < 100; i++) {
		digest_of(i, d);
		assert_int_equal(replay_add(rs, d, NOW, NOW), 0);
	}
	replay_close(rs);
	rs = open_ok(f->path);
	replay_get_stats(rs, &st);
	assert_int_equal(st.entries, 100);	/* from the header */
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
	struct replay_stats st;
	uint8_t d[REPLAY_DIGEST_LEN];
	uint64_t i;
	int status;
	pid_t pid;

	if ((pid = fork()) == 0) {
		if (replay_open(f->path, 0, &rs) != 0)
			_exit(1);
		for (i = 0; i < 5000; i++) {	/* grows a few times */
			digest_of(i, d);
			if (replay_add(rs, d, NOW, NOW) != 0)
				_exit(2);
		}
		kill(getpid(), SIGKILL);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	rs = open_ok(f->path);
	replay_get_stats(rs, &st);
	assert_int_equal(st.entries, 5000);	/* recounted: not closed */
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
		assert_int_equal(replay_add(rs, d, NOW, NOW), 0);
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

	replay_set_age(rs, 2);
	for (i = 0; i < 50000; i++) {
		t = NOW + (int64_t)(i / 100);	/* 100 packets a second */
		digest_of(i, d);
		assert_int_equal(replay_add(rs, d, t, t), 0);
	}
	replay_get_stats(rs, &st);
	assert_true(st.capacity <= 4096);	/* ~200 live at any time */
	assert_true(st.grows > 0);
	replay_close(rs);
}

/*
 * A table that must grow where no new file can be made (here replay.db.new
 * is a directory; as root, a read-only directory would not stop us): the
 * digest is not recorded, errno says why, nothing stored is lost, and it
 * works again once the file can be made.
 */
static void
rebuild_that_cannot_make_its_file_records_nothing(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs = open_ok(f->path);
	uint8_t d[REPLAY_DIGEST_LEN];
	char *tmp;
	uint64_t i;

	for (i = 0; i < 614; i++) {	/* 60% of 1024: the next one grows */
		digest_of(i, d);
		assert_int_equal(replay_add(rs, d, NOW, NOW), 0);
	}
	assert_true(asprintf(&tmp, "%s.new", f->path) > 0);
	assert_int_equal(mkdir(tmp, 0700), 0);
	digest_of(9999, d);
	errno = 0;
	assert_int_equal(replay_add(rs, d, NOW, NOW), SPA_ERR_SYS);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(replay_check(rs, d, NOW), 0);
	assert_int_equal(access(tmp, F_OK), 0);	/* not ours to remove */
	for (i = 0; i < 614; i++) {
		digest_of(i, d);
		assert_int_equal(replay_check(rs, d, NOW), SPA_ERR_REPLAY);
	}
	assert_int_equal(rmdir(tmp), 0);
	digest_of(9999, d);
	assert_int_equal(replay_add(rs, d, NOW, NOW), 0);
	assert_int_equal(replay_check(rs, d, NOW), SPA_ERR_REPLAY);
	replay_close(rs);
	free(tmp);
}

/* Every block of a new table exists: writing a slot never needs one. */
static void
new_tables_are_allocated_in_full(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs = open_ok(f->path);
	struct stat st;

	assert_int_equal(stat(f->path, &st), 0);
	assert_true((off_t)st.st_blocks * 512 >= st.st_size);
	replay_close(rs);
}

/* Run `fn` in a child process; its exit status. */
static int
in_child(int (*fn)(const char *), const char *path)
{
	int status;
	pid_t pid;

	if ((pid = fork()) == 0)
		_exit(fn(path));
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* 0 if the store is refused as in use, 1 if not. */
static int
open_is_refused(const char *path)
{
	struct replay_store *rs = NULL;

	return replay_open(path, 0, &rs) == SPA_ERR_STATE && rs == NULL ? 0 : 1;
}

/* 0 if the store opens, 1 if not. */
static int
open_succeeds(const char *path)
{
	struct replay_store *rs = NULL;

	if (replay_open(path, 0, &rs) != 0)
		return 1;
	replay_close(rs);
	return 0;
}

static void
another_process_holding_the_store_is_refused(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs = open_ok(f->path);

	assert_int_equal(in_child(open_is_refused, f->path), 0);
	replay_close(rs);
	assert_int_equal(in_child(open_succeeds, f->path), 0);
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

static void
put_file(const char *path, const void *content, size_t len)
{
	int fd;

	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC,
	    0600)) >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	close(fd);
}

/* Write `len` bytes of `content` as the store, try to open, check untouched. */
static void
assert_refused_untouched(struct fix *f, const void *content, size_t len)
{
	struct replay_store *rs = NULL;
	size_t got = 0;
	char *back;

	put_file(f->path, content, len);
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
	assert_int_equal(replay_add(rs, d, NOW, NOW), 0);
	replay_close(rs);
	assert_non_null(bytes = th_slurp(f->path, len));
	return (uint8_t *)bytes;
}

static void
refuses_foreign_file(void **state)
{
	static const char text[] = "this is not a replay store, but somebody's file\n";
	struct fix *f = *state;
	char *other;

	/* nor is the file next to it, that a rebuild would use, touched */
	other = th_write(f->dir, "replay.db.new", "theirs too", 0600);
	assert_refused_untouched(f, text, sizeof(text) - 1);
	assert_int_equal(access(other, F_OK), 0);
	free(other);
}

/*
 * fwknopd's digest cache (7 fields a line: digest, protocol, source,
 * source port, destination, destination port, time) with the kinds of
 * bad line of its "digest cache validation (1)" test: a negative source,
 * a malformed one, a cut destination, a line of two fields.  Pointed at
 * as the store (an admin reusing DIGEST_FILE), it is refused whole and
 * left as it was, never parsed line by line or replaced.
 */
static void
refuses_fwknopd_digest_cache(void **state)
{
	static const char text[] =
	    "q3b2XkzdVZ0Q0lyPw7lq8ZAzvEWwJGVJx9C3Nwq4oY0 17 192.0.2.1 40001 "
	    "192.0.2.9 62201 1795343000\n"
	    "fH8yq1k1Vb3jXG1a1zPqvP1cPpY0aC4W1dQ6z5Z0a1A 17 -192.0.2.1 40002 "
	    "192.0.2.9 62201 1795343001\n"
	    "Zp1u9N3x2bEoQ7tq3rWgk5Wm8P4cY6dJ0sL2hV1nK3E 17 -192..0.1 40003 "
	    "192.0.2.9 62201 1795343002\n"
	    "Lw2Rz7c4Yt1Xb6Qm9Ns3Vd8Kf5Hj0Ga2Pe7Uo4Ii1Jq 17 192.0.2.1 40004 "
	    "192. 62201 1795343003\n"
	    "Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk1Ll2Mm3Nn4O 17\n";

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
refuses_size_not_matching_capacity(void **state)
{
	size_t len;
	uint8_t *b = valid_store_bytes(*state, &len), *longer;

	/* one slot more than the header's capacity accounts for */
	assert_non_null(longer = calloc(1, len + 40));
	memcpy(longer, b, len);
	assert_refused_untouched(*state, longer, len + 40);
	free(longer);
	free(b);
}

static void
refuses_other_power_of_two_capacity(void **state)
{
	size_t len;
	uint8_t *b = valid_store_bytes(*state, &len);
	uint64_t cap;

	memcpy(&cap, b + 16, sizeof(cap));
	cap *= 2;
	memcpy(b + 16, &cap, sizeof(cap));
	assert_refused_untouched(*state, b, len);
	free(b);
}

static void
refuses_other_slot_size(void **state)
{
	size_t len;
	uint8_t *b = valid_store_bytes(*state, &len);
	uint32_t slot = 48;

	memcpy(b + 12, &slot, sizeof(slot));
	assert_refused_untouched(*state, b, len);
	free(b);
}

static void
refuses_other_version(void **state)
{
	size_t len;
	uint8_t *b = valid_store_bytes(*state, &len);
	uint32_t version = 3;

	memcpy(b + 8, &version, sizeof(version));
	assert_refused_untouched(*state, b, len);
	free(b);
}

static void
refuses_unknown_header_flags(void **state)
{
	size_t len;
	uint8_t *b = valid_store_bytes(*state, &len);

	b[40] |= 0x80;
	assert_refused_untouched(*state, b, len);
	free(b);
}

static void
refuses_nonzero_header_padding(void **state)
{
	size_t len;
	uint8_t *b = valid_store_bytes(*state, &len);

	b[44] = 1;
	assert_refused_untouched(*state, b, len);
	b[44] = 0;
	b[63] = 1;
	assert_refused_untouched(*state, b, len);
	free(b);
}

static void
refuses_header_shorter_than_64_bytes(void **state)
{
	size_t len;
	uint8_t *b = valid_store_bytes(*state, &len);

	assert_refused_untouched(*state, b, 63);
	free(b);
}

static void
empty_file_is_a_new_store(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs;
	uint8_t d[REPLAY_DIGEST_LEN];
	struct stat st;
	int fd;

	assert_true((fd = open(f->path, O_WRONLY | O_CREAT, 0600)) >= 0);
	close(fd);
	rs = open_ok(f->path);
	digest_of(4, d);
	assert_int_equal(replay_add(rs, d, NOW, NOW), 0);
	replay_close(rs);
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(st.st_size > 64);
	rs = open_ok(f->path);
	assert_int_equal(replay_check(rs, d, NOW), SPA_ERR_REPLAY);
	replay_close(rs);
}

/* A crash mid-rebuild leaves path.new behind: it is removed, not used. */
static void
leftover_rebuild_file_is_discarded(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs;
	struct replay_stats st;
	uint8_t d[REPLAY_DIGEST_LEN];
	char *tmp, *junk;
	uint64_t i;

	assert_true(asprintf(&tmp, "%s.new", f->path) > 0);
	junk = th_write(f->dir, "replay.db.new", "half a table", 0600);
	rs = open_ok(f->path);
	assert_int_equal(access(tmp, F_OK), -1);
	for (i = 0; i < 3000; i++) {
		digest_of(i, d);
		assert_int_equal(replay_add(rs, d, NOW, NOW), 0);
	}
	replay_get_stats(rs, &st);
	assert_true(st.grows > 0);
	assert_int_equal(access(tmp, F_OK), -1);
	replay_close(rs);
	free(junk);
	free(tmp);
}

/*
 * Lookups walk past expired slots, and inserts reuse them without
 * breaking the chains of the live entries behind them.
 */
static void
expired_slots_keep_chains_intact(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs = NULL;
	struct replay_stats st;
	uint8_t d[REPLAY_DIGEST_LEN];
	uint64_t i;

	assert_int_equal(replay_open(f->path, 0, &rs), 0);
	replay_set_age(rs, 10);
	for (i = 0; i < 400; i++) {	/* 1024 slots, 39% full */
		digest_of(i, d);
		assert_int_equal(replay_add(rs, d, NOW,
		    i % 2 ? NOW + 40 : NOW), 0);
	}
	for (i = 1000; i < 1200; i++) {	/* into the expired slots */
		digest_of(i, d);
		assert_int_equal(replay_add(rs, d, NOW + 50, NOW + 50), 0);
	}
	replay_get_stats(rs, &st);
	assert_int_equal(st.capacity, 1024);
	assert_int_equal(st.grows, 0);
	assert_true(st.entries < 600);	/* some went into expired slots */
	for (i = 0; i < 400; i++) {
		digest_of(i, d);
		assert_int_equal(replay_check(rs, d, NOW + 50),
		    i % 2 ? SPA_ERR_REPLAY : 0);
	}
	for (i = 1000; i < 1200; i++) {
		digest_of(i, d);
		assert_int_equal(replay_check(rs, d, NOW + 50), SPA_ERR_REPLAY);
	}
	replay_close(rs);
}

/*
 * A store whose header claims a clean close with a count that is wrong
 * (here: every slot live, count 0) must still answer and grow, never loop.
 */
static void
wrong_count_in_header_is_harmless(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs;
	struct replay_stats st;
	uint8_t d[REPLAY_DIGEST_LEN], *b;
	int64_t forever = INT64_MAX;
	uint64_t cap, zero = 0, i;
	size_t len;

	b = valid_store_bytes(f, &len);
	memcpy(&cap, b + 16, sizeof(cap));
	assert_int_equal(len, 64 + cap * 40);
	for (i = 0; i < cap; i++) {
		digest_of(100000 + i, b + 64 + i * 40);
		memcpy(b + 64 + i * 40 + 32, &forever, sizeof(forever));
	}
	memcpy(b + 32, &zero, sizeof(zero));
	assert_true(b[40] & 1);		/* closed cleanly: the count is used */
	put_file(f->path, b, len);
	rs = open_ok(f->path);
	digest_of(1, d);
	assert_int_equal(replay_check(rs, d, NOW), 0);
	assert_int_equal(replay_add(rs, d, NOW, NOW), 0);
	replay_get_stats(rs, &st);
	assert_true(st.capacity > cap);
	for (i = 0; i < cap; i++) {
		digest_of(100000 + i, d);
		assert_int_equal(replay_check(rs, d, NOW), SPA_ERR_REPLAY);
	}
	replay_close(rs);
	free(b);
}

/* The slot holding a digest in a store's bytes (its time is not zero). */
static size_t
used_slot(const uint8_t *b, size_t len)
{
	static const uint8_t empty[8];
	size_t off;

	for (off = 64; off + 40 <= len; off += 40)
		if (memcmp(b + off + 32, empty, 8) != 0)
			return off;
	fail_msg("no slot in use");
	return 0;
}

/*
 * A store of format 1 (each slot holding its expiry, receive time + 2 x
 * the age of the time) is converted where it lies: every expiry becomes
 * a packet time no older than the packet's own (kept longer, never
 * shorter), "forever" the time of the conversion, and every packet up to
 * then is taken as possibly forgotten (format 1 did not say).
 */
static void
converts_format_1_in_place(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs;
	struct replay_stats st;
	uint8_t d[REPLAY_DIGEST_LEN], e[REPLAY_DIGEST_LEN], *b;
	uint32_t v1 = 1;
	int64_t forever = INT64_MAX, zero = 0, before, after;
	size_t len, at;

	digest_of(1, d);
	digest_of(2, e);
	rs = open_ok(f->path);
	assert_int_equal(replay_add(rs, d, NOW, NOW), 0);
	assert_int_equal(replay_add(rs, e, NOW, NOW + 1), 0);
	replay_close(rs);
	assert_non_null(b = (uint8_t *)th_slurp(f->path, &len));
	memcpy(b + 8, &v1, sizeof(v1));
	memcpy(b + 48, &zero, sizeof(zero));
	at = used_slot(b, len);		/* one of them: "forever" */
	memcpy(b + at + 32, &forever, sizeof(forever));
	put_file(f->path, b, len);
	before = (int64_t)time(NULL);
	rs = open_ok(f->path);
	after = (int64_t)time(NULL);
	replay_get_stats(rs, &st);
	assert_true(st.forgotten >= before && st.forgotten <= after);
	replay_set_age(rs, 10);
	assert_int_equal(replay_check(rs, d, NOW), SPA_ERR_REPLAY);
	assert_int_equal(replay_check(rs, e, NOW), SPA_ERR_REPLAY);
	/* "forever" became the conversion's time: gone after the age */
	assert_int_equal(replay_check(rs, memcmp(b + at, d, 32) == 0 ? d : e,
	    st.forgotten + 11), 0);
	assert_int_equal(replay_add(rs, d, before, before), SPA_ERR_REPLAY);
	replay_close(rs);
	free(b);
	assert_non_null(b = (uint8_t *)th_slurp(f->path, &len));
	memcpy(&v1, b + 8, sizeof(v1));
	assert_int_equal(v1, 2);
	free(b);
}

/*
 * Killed at an arbitrary moment (often mid-rebuild), the child leaves a
 * store that opens and still holds everything it reported as added.
 */
static void
kill_at_any_moment_keeps_reported_digests(void **state)
{
	struct fix *f = *state;
	struct replay_store *rs;
	uint8_t d[REPLAY_DIGEST_LEN];
	uint64_t i, done = 0, got;
	int p[2], status;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	if ((pid = fork()) == 0) {
		close(p[0]);
		if (replay_open(f->path, 0, &rs) != 0)
			_exit(1);
		for (i = 0; i < 2000000; i++) {
			digest_of(i, d);
			if (replay_add(rs, d, NOW, NOW) != 0)
				_exit(2);
			got = i + 1;
			if (got % 1000 == 0 &&
			    write(p[1], &got, sizeof(got)) != sizeof(got))
				_exit(3);
		}
		_exit(0);
	}
	assert_true(pid > 0);
	close(p[1]);
	while (done < 150000 &&
	    read(p[0], &got, sizeof(got)) == (ssize_t)sizeof(got))
		done = got;
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	close(p[0]);
	assert_true(done >= 150000);
	rs = open_ok(f->path);
	for (i = 0; i < done; i++) {
		digest_of(i, d);
		assert_int_equal(replay_check(rs, d, NOW), SPA_ERR_REPLAY);
	}
	replay_close(rs);
}

/* Mean probe length after inserting `n` random digests. */
static double
mean_probe_after(const char *path, uint64_t n, uint64_t *max_probe)
{
	struct replay_store *rs = open_ok(path);
	struct replay_stats st;
	uint8_t d[REPLAY_DIGEST_LEN];
	uint64_t i, sum;

	for (i = 0; i < n; i++) {
		assert_int_equal(getrandom(d, sizeof(d), 0), (ssize_t)sizeof(d));
		if (replay_add(rs, d, NOW, NOW) != 0)
			fail_msg("insert %llu failed", (unsigned long long)i);
		assert_int_equal(replay_check(rs, d, NOW), SPA_ERR_REPLAY);
	}
	replay_get_stats(rs, &st);
	replay_close(rs);
	unlink(path);
	for (i = 0, sum = 0; i < REPLAY_PROBE_BUCKETS; i++)
		sum += st.probe_hist[i];
	assert_int_equal(sum, st.probe_ops);
	assert_true(st.probe_ops >= 2 * n);	/* + one per rebuild */
	*max_probe = st.max_probe;
	print_message("# %llu entries: capacity %zu, mean probe %.3f, max %llu\n",
	    (unsigned long long)n, st.capacity,
	    (double)st.probes / (double)st.probe_ops,
	    (unsigned long long)st.max_probe);
	return (double)st.probes / (double)st.probe_ops;
}

/*
 * O(1) without timing: the mean number of slots a lookup or insert visits
 * is a small constant, the same at 10 thousand and at a million entries
 * (each digest is inserted, a miss, then looked up, a hit).
 */
static void
probes_stay_short_at_one_million(void **state)
{
	struct fix *f = *state;
	uint64_t max_small, max_big;
	double small = mean_probe_after(f->path, 10000, &max_small);
	double big = mean_probe_after(f->path, 1000000, &max_big);

	/* linear probing kept under 60% load: ~1.5 per hit, ~3 per miss */
	assert_true(small < 3.0);
	assert_true(big < 3.0);
	assert_true(big < small * 1.25);
	assert_true(max_big < 128);
}

/*
 * A worker's store, merged into the executor's, is a sandboxed process's
 * file: a forgotten time past now, or a packet time past now + age, is
 * capped there.  Taken as is, they refused every packet for ever (the
 * executor's store is durable) or kept a digest for ever.
 */
static void
merge_caps_times_from_the_future(void **state)
{
	struct fix *f = *state;
	struct replay_store *worker = open_ok(f->path), *gate;
	uint8_t d[REPLAY_DIGEST_LEN], e[REPLAY_DIGEST_LEN];
	const int64_t age = 120, far = NOW + 1000000;
	char *gate_path = NULL;
	int fd;

	digest_of(1, d);
	digest_of(2, e);
	assert_int_equal(replay_add(worker, d, far, far), 0);
	replay_close(worker);
	/* the header's forgotten time (replay.c's layout: at byte 48) */
	assert_true((fd = open(f->path, O_WRONLY)) >= 0);
	assert_int_equal(pwrite(fd, &far, sizeof(far), 48), (ssize_t)sizeof(far));
	close(fd);

	assert_true(asprintf(&gate_path, "%s/gate.db", f->dir) > 0);
	gate = open_ok(gate_path);
	replay_set_age(gate, (uint32_t)age);
	assert_int_equal(replay_merge_file(gate, f->path, NOW), 0);
	/* a packet made after the merge is granted */
	assert_int_equal(replay_add(gate, e, NOW + 1, NOW + 1), 0);
	/* the worker's digest is refused now, not once its window has passed */
	assert_int_equal(replay_check(gate, d, NOW), SPA_ERR_REPLAY);
	assert_int_equal(replay_check(gate, d, NOW + 3 * age), 0);
	replay_close(gate);
	free(gate_path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(refuses_stored_digest),
		T(a_hit_tells_the_first_copys_packet_time),
		T(forgets_digest_after_expiry_and_reuses_slot),
		T(forever_never_expires),
		T(too_old_packet_is_not_stored),
		T(raising_the_age_keeps_the_digest),
		T(forgotten_digests_refuse_older_packets),
		T(keeps_digests_across_close_and_open),
		T(keeps_digests_after_kill),
		T(growth_keeps_every_entry),
		T(rebuild_drops_expired_entries),
		T(rebuild_that_cannot_make_its_file_records_nothing),
		T(new_tables_are_allocated_in_full),
		T(another_process_holding_the_store_is_refused),
		T(creates_file_mode_0600),
		T(refuses_symlink),
		T(refuses_foreign_file),
		T(refuses_fwknopd_digest_cache),
		T(refuses_bad_magic),
		T(refuses_truncated_file),
		T(refuses_capacity_not_power_of_two),
		T(refuses_size_not_matching_capacity),
		T(refuses_other_power_of_two_capacity),
		T(refuses_other_slot_size),
		T(refuses_other_version),
		T(refuses_unknown_header_flags),
		T(refuses_nonzero_header_padding),
		T(refuses_header_shorter_than_64_bytes),
		T(empty_file_is_a_new_store),
		T(leftover_rebuild_file_is_discarded),
		T(expired_slots_keep_chains_intact),
		T(wrong_count_in_header_is_harmless),
		T(converts_format_1_in_place),
		T(merge_caps_times_from_the_future),
		T(kill_at_any_moment_keeps_reported_digests),
		T(probes_stay_short_at_one_million),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
