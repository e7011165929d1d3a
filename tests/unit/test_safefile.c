/*
 * Files in directories others may own (common/safefile.c): whatever sits
 * at the name, a replace never blocks and never writes through it, and a
 * read opens only a regular file.
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
#include "safefile.h"

struct fix {
	char	*dir;
	char	 path[4096];
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_non_null(f->dir = th_mkdtemp());
	snprintf(f->path, sizeof(f->path), "%s/spagate.prom", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	th_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void
fill(FILE *fp, const void *arg)
{
	fputs(arg, fp);
}

static void
assert_content(const char *path, const char *want)
{
	struct stat st;
	char *got;

	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_non_null(got = th_slurp(path, NULL));
	assert_string_equal(got, want);
	free(got);
}

static void
replaces_a_file(void **state)
{
	struct fix *f = *state;

	assert_int_equal(safefile_replace(f->path, 0644, fill, "one\n"), 0);
	assert_int_equal(safefile_replace(f->path, 0644, fill, "two\n"), 0);
	assert_content(f->path, "two\n");
	assert_int_equal(th_entries(f->dir), 1);
}

/* Opening a FIFO to write waits for a reader: none comes here. */
static void
replaces_a_fifo_without_opening_it(void **state)
{
	struct fix *f = *state;
	char tmp[4200];

	assert_int_equal(mkfifo(f->path, 0644), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp", f->path);
	assert_int_equal(mkfifo(tmp, 0644), 0);
	assert_int_equal(safefile_replace(f->path, 0644, fill, "x 1\n"), 0);
	assert_content(f->path, "x 1\n");
	assert_int_equal(th_entries(f->dir), 2);	/* and the planted .tmp */
}

static void
replaces_a_symlink_never_its_target(void **state)
{
	struct fix *f = *state;
	char *target = th_write(f->dir, "precious", "mine\n", 0600), *got;

	assert_non_null(target);
	assert_int_equal(symlink(target, f->path), 0);
	assert_int_equal(safefile_replace(f->path, 0644, fill, "x 1\n"), 0);
	assert_content(f->path, "x 1\n");
	assert_int_equal(th_entries(f->dir), 2);
	assert_non_null(got = th_slurp(target, NULL));
	assert_string_equal(got, "mine\n");
	free(got);
	free(target);
}

static void
a_directory_at_the_name_fails_and_leaves_nothing(void **state)
{
	struct fix *f = *state;

	assert_int_equal(mkdir(f->path, 0755), 0);
	assert_int_equal(safefile_replace(f->path, 0644, fill, "x\n"),
	    SPA_ERR_SYS);
	assert_int_equal(errno, EISDIR);
	assert_int_equal(th_entries(f->dir), 1);
}

static void
a_missing_directory_is_a_configuration_error(void **state)
{
	struct fix *f = *state;
	char path[4200];

	snprintf(path, sizeof(path), "%s/nope/spagate.prom", f->dir);
	assert_int_equal(safefile_replace(path, 0644, fill, "x\n"),
	    SPA_ERR_CONFIG);
}

static void
reads_only_a_regular_file(void **state)
{
	struct fix *f = *state;
	char link[4200], buf[16];
	FILE *fp;

	assert_null(safefile_read(f->path));
	assert_int_equal(errno, ENOENT);
	assert_int_equal(mkfifo(f->path, 0644), 0);
	assert_null(safefile_read(f->path));	/* at once: no writer */
	assert_int_equal(errno, EINVAL);
	assert_int_equal(unlink(f->path), 0);
	assert_int_equal(safefile_replace(f->path, 0644, fill, "x 1\n"), 0);
	snprintf(link, sizeof(link), "%s/link", f->dir);
	assert_int_equal(symlink(f->path, link), 0);
	assert_null(safefile_read(link));
	assert_int_equal(errno, ELOOP);
	assert_non_null(fp = safefile_read(f->path));
	assert_non_null(fgets(buf, sizeof(buf), fp));
	assert_string_equal(buf, "x 1\n");
	fclose(fp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(replaces_a_file),
		T(replaces_a_fifo_without_opening_it),
		T(replaces_a_symlink_never_its_target),
		T(a_directory_at_the_name_fails_and_leaves_nothing),
		T(a_missing_directory_is_a_configuration_error),
		T(reads_only_a_regular_file),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
