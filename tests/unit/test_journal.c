/*
 * The journal of open cycles: round trips, crash safety, and damaged
 * files set aside without being trusted.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "helpers.h"
#include "journal.h"

struct fix {
	char		*dir;		/* the journal directory */
	char		*top;
};

struct seen {
	struct journal_rec	v[64];
	size_t			n;
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_non_null(f->top = th_mkdtemp());
	assert_true(asprintf(&f->dir, "%s/cycles", f->top) > 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	th_rmtree(f->top);
	free(f->top);
	free(f->dir);
	free(f);
	return 0;
}

static void
sample(struct journal_rec *r, uint64_t id)
{
	const char *words[] = { "iptables", "-D", "INPUT", "-s", "192.0.2.10",
	    "-j", "ACCEPT", NULL };

	memset(r, 0, sizeof(*r));
	r->id = id;
	r->stanza = 3;
	strcpy(r->module, "exec");
	assert_int_equal(addr_parse("192.0.2.10", &r->allow), 0);
	r->proto = IPPROTO_TCP;
	r->port = 22;
	r->opened = 1795343068;
	r->close_at = 1795343098;
	r->has_close = true;
	assert_int_equal(cmd_argv_from(&r->close, words, NULL), 0);
	r->data_len = 3;
	memcpy(r->data, "seq", 3);
}

static int
collect(void *arg, const struct journal_rec *rec)
{
	struct seen *s = arg;

	assert_true(s->n < 64);
	/* the record handed over points into itself */
	if (rec->has_close)
		assert_ptr_equal(rec->close.argv[0], rec->close.buf);
	s->v[s->n] = *rec;
	assert_int_equal(cmd_argv_relink(&s->v[s->n].close), 0);
	s->n++;
	return 0;
}

static struct journal *
open_ok(struct fix *f)
{
	struct journal *j = NULL;

	assert_int_equal(journal_open(f->dir, &j), 0);
	return j;
}

static void
load_all(struct journal *j, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(journal_load(j, collect, s), 0);
}

static void
put_and_load_round_trip(void **state)
{
	struct journal *j = open_ok(*state);
	struct journal_rec r;
	struct seen s;

	sample(&r, 7);
	assert_int_equal(journal_put(j, &r), 0);
	journal_close(j);
	j = open_ok(*state);
	load_all(j, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].id, 7);
	assert_int_equal(s.v[0].stanza, 3);
	assert_string_equal(s.v[0].module, "exec");
	assert_true(addr_equal(&s.v[0].allow, &r.allow));
	assert_int_equal(s.v[0].port, 22);
	assert_int_equal(s.v[0].close_at, r.close_at);
	assert_int_equal(s.v[0].close.argc, 7);
	assert_string_equal(s.v[0].close.argv[4], "192.0.2.10");
	assert_ptr_equal(s.v[0].close.argv[0], s.v[0].close.buf);
	assert_int_equal(s.v[0].data_len, 3);
	assert_memory_equal(s.v[0].data, "seq", 3);
	journal_close(j);
}

static void
put_replaces_same_id_and_del_removes(void **state)
{
	struct journal *j = open_ok(*state);
	struct journal_rec r;
	struct seen s;

	sample(&r, 1);
	assert_int_equal(journal_put(j, &r), 0);
	r.close_at += 100;
	assert_int_equal(journal_put(j, &r), 0);
	load_all(j, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].close_at, 1795343198);
	assert_int_equal(journal_del(j, 1), 0);
	assert_int_equal(journal_del(j, 1), 0);	/* missing: not an error */
	load_all(j, &s);
	assert_int_equal(s.n, 0);
	journal_close(j);
}

static void
next_id_passes_every_id_on_disk(void **state)
{
	struct journal *j = open_ok(*state);
	struct journal_rec r;
	struct seen s;

	sample(&r, 41);
	assert_int_equal(journal_put(j, &r), 0);
	journal_close(j);
	j = open_ok(*state);
	load_all(j, &s);
	assert_true(journal_next_id(j) > 41);
	journal_close(j);
}

/* A process killed right after its puts leaves every record behind. */
static void
records_survive_kill(void **state)
{
	struct fix *f = *state;
	struct journal *j;
	struct journal_rec r;
	struct seen s;
	int status, i;
	pid_t pid;

	if ((pid = fork()) == 0) {
		if (journal_open(f->dir, &j) != 0)
			_exit(1);
		for (i = 1; i <= 20; i++) {
			sample(&r, (uint64_t)i);
			if (journal_put(j, &r) != 0)
				_exit(2);
		}
		kill(getpid(), SIGKILL);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	j = open_ok(f);
	load_all(j, &s);
	assert_int_equal(s.n, 20);
	journal_close(j);
}

static void
stray_temp_file_removed(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);
	struct seen s;
	char *tmp;

	assert_non_null(tmp = th_write(f->dir, "0000000000000009.tmp", "half",
	    0600));
	load_all(j, &s);
	assert_int_equal(s.n, 0);
	assert_int_equal(access(tmp, F_OK), -1);
	free(tmp);
	journal_close(j);
}

/* Corrupt one byte at `off` of a valid record; it must be set aside. */
static void
assert_damage_set_aside(struct fix *f, long off, int truncate_to)
{
	struct journal *j = open_ok(f);
	struct journal_rec r;
	struct seen s;
	char *path, *bad;
	uint8_t b;
	int fd;

	sample(&r, 5);
	assert_int_equal(journal_put(j, &r), 0);
	sample(&r, 6);
	assert_int_equal(journal_put(j, &r), 0);
	assert_true(asprintf(&path, "%s/0000000000000005.cycle", f->dir) > 0);
	assert_true(asprintf(&bad, "%s.bad", path) > 0);
	assert_true((fd = open(path, O_RDWR)) >= 0);
	if (truncate_to >= 0) {
		assert_int_equal(ftruncate(fd, truncate_to), 0);
	} else {
		struct stat st;

		assert_int_equal(fstat(fd, &st), 0);
		if (off < 0)
			off += st.st_size;	/* from the end: the checksum */
		assert_int_equal(pread(fd, &b, 1, off), 1);
		b ^= 0x40;
		assert_int_equal(pwrite(fd, &b, 1, off), 1);
	}
	close(fd);
	load_all(j, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].id, 6);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(access(bad, F_OK), 0);
	free(path);
	free(bad);
	journal_close(j);
}

static void damaged_magic(void **s) { assert_damage_set_aside(*s, 0, -1); }
static void damaged_family(void **s) { assert_damage_set_aside(*s, 40, -1); }
static void damaged_argv(void **s) { assert_damage_set_aside(*s, 100, -1); }
static void damaged_checksum(void **s) { assert_damage_set_aside(*s, -1, -1); }
static void truncated_record(void **s) { assert_damage_set_aside(*s, 0, 50); }

static void
symlink_not_followed(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);
	struct journal_rec r;
	struct seen s;
	char *target, *link;

	sample(&r, 8);
	assert_int_equal(journal_put(j, &r), 0);
	assert_true(asprintf(&target, "%s/0000000000000008.cycle", f->dir) > 0);
	assert_true(asprintf(&link, "%s/0000000000000009.cycle", f->dir) > 0);
	assert_int_equal(symlink(target, link), 0);
	load_all(j, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].id, 8);
	free(target);
	free(link);
	journal_close(j);
}

static void
refuses_loose_directory(void **state)
{
	struct fix *f = *state;
	struct journal *j = NULL;

	assert_int_equal(mkdir(f->dir, 0777), 0);
	assert_int_equal(chmod(f->dir, 0777), 0);
	assert_int_equal(journal_open(f->dir, &j), SPA_ERR_STATE);
	assert_null(j);
}

static void
records_are_mode_0600(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);
	struct journal_rec r;
	struct stat st;
	char *path;

	sample(&r, 12);
	assert_int_equal(journal_put(j, &r), 0);
	assert_true(asprintf(&path, "%s/000000000000000c.cycle", f->dir) > 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(f->dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	free(path);
	journal_close(j);
}

static void
readonly_journal_changes_nothing(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f), *ro = NULL;
	struct journal_rec r;
	struct seen s;
	char *tmp;

	sample(&r, 3);
	assert_int_equal(journal_put(j, &r), 0);
	assert_non_null(tmp = th_write(f->dir, "0000000000000004.tmp", "x",
	    0600));
	assert_int_equal(journal_open_readonly(f->dir, &ro), 0);
	load_all(ro, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(access(tmp, F_OK), 0);
	assert_int_equal(journal_put(ro, &r), SPA_ERR_ARG);
	free(tmp);
	journal_close(ro);
	journal_close(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(put_and_load_round_trip),
		T(put_replaces_same_id_and_del_removes),
		T(next_id_passes_every_id_on_disk),
		T(records_survive_kill),
		T(stray_temp_file_removed),
		T(damaged_magic),
		T(damaged_family),
		T(damaged_argv),
		T(damaged_checksum),
		T(truncated_record),
		T(symlink_not_followed),
		T(refuses_loose_directory),
		T(records_are_mode_0600),
		T(readonly_journal_changes_nothing),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
