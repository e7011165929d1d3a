/*
 * The one file-trust rule (common/trust.c): each way a file can break it is
 * refused with its reason, on the opened descriptor; each flag relaxes or
 * tightens exactly one part.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "secret.h"
#include "trust.h"

static int
setup(void **state)
{
	*state = th_mkdtemp();
	return 0;
}

static int
teardown(void **state)
{
	th_rmtree(*state);
	free(*state);
	return 0;
}

/* dir/name with `mode` (set exactly, whatever the umask) and owner `uid`. */
static char *
file(const char *dir, const char *name, mode_t mode, uid_t uid)
{
	char *p = th_write(dir, name, "x\n", mode);

	assert_int_equal(chmod(p, mode), 0);
	if (uid != (uid_t)-1)
		assert_int_equal(chown(p, uid, (gid_t)-1), 0);
	return p;
}

static void
accepted(const char *path, unsigned int flags)
{
	const char *why = "unset";
	struct stat sb;
	int fd = trust_open(path, flags, &sb, &why);

	if (fd < 0)
		fail_msg("%s refused: %s", path, why ? why : strerror(errno));
	assert_null(why);
	close(fd);
}

static void
refused(const char *path, unsigned int flags, const char *reason)
{
	const char *why = NULL;
	struct stat sb;

	assert_int_equal(trust_open(path, flags, &sb, &why), -1);
	assert_non_null(why);
	assert_string_equal(why, reason);
}

static void
own_file_is_trusted(void **state)
{
	char *p = file(*state, "f", 0644, (uid_t)-1);

	accepted(p, 0);
	accepted(p, TRUST_NOFOLLOW);
	free(p);
}

static void
group_or_other_writable_is_refused(void **state)
{
	static const mode_t modes[] = { 0664, 0646, 0666, 0620, 0602 };
	size_t i;
	char *p;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		p = file(*state, "f", modes[i], (uid_t)-1);
		refused(p, 0, "must not be writable by group or others");
		refused(p, TRUST_ANY_OWNER,
		    "must not be writable by group or others");
		free(p);
	}
}

static void
other_owner_is_refused_unless_any_owner(void **state)
{
	char *p;

	if (geteuid() != 0)
		skip();
	p = file(*state, "f", 0600, 65534);
	refused(p, 0, "is not owned by our uid or root");
	accepted(p, TRUST_ANY_OWNER);
	free(p);
}

static void
symbolic_link_is_refused_with_nofollow(void **state)
{
	char *p = file(*state, "f", 0600, (uid_t)-1), *l = NULL;

	assert_true(asprintf(&l, "%s/link", (char *)*state) > 0);
	assert_int_equal(symlink(p, l), 0);
	accepted(l, 0);
	refused(l, TRUST_NOFOLLOW, "is a symbolic link (name the file itself)");
	free(p);
	free(l);
}

static void
secret_readable_by_others_is_refused(void **state)
{
	static const mode_t modes[] = { 0640, 0604, 0610, 0601 };
	size_t i;
	char *p;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		p = file(*state, "s", modes[i], (uid_t)-1);
		accepted(p, 0);
		refused(p, TRUST_SECRET,
		    "must not be accessible by group or others (chmod 600)");
		free(p);
	}
	p = file(*state, "s", 0400, (uid_t)-1);
	accepted(p, TRUST_SECRET);
	free(p);
}

/* A FIFO must neither block the open nor pass as a file. */
static void
fifo_and_devices_are_not_regular_files(void **state)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/fifo", (char *)*state) > 0);
	assert_int_equal(mkfifo(p, 0600), 0);
	refused(p, 0, "is not a regular file");
	refused(*state, 0, "is not a regular file");
	refused("/dev/zero", 0, "is not a regular file");
	refused("/dev/null", 0, "is not a regular file");
	accepted("/dev/null", TRUST_DEV_NULL);
	refused("/dev/zero", TRUST_DEV_NULL, "is not a regular file");
	free(p);
}

static void
directories_with_trust_dir(void **state)
{
	char *d = NULL, *f = file(*state, "f", 0600, (uid_t)-1);

	accepted(*state, TRUST_DIR);
	refused(f, TRUST_DIR, "is not a directory");
	assert_true(asprintf(&d, "%s/open", (char *)*state) > 0);
	assert_int_equal(mkdir(d, 0700), 0);
	assert_int_equal(chmod(d, 0777), 0);
	refused(d, TRUST_DIR, "must not be writable by group or others");
	assert_int_equal(chmod(d, 0755), 0);
	accepted(d, TRUST_DIR);
	if (geteuid() == 0) {
		assert_int_equal(chown(d, 65534, (gid_t)-1), 0);
		refused(d, TRUST_DIR, "is not owned by our uid or root");
	}
	free(d);
	free(f);
}

/* Not there: no reason, errno says why. */
static void
missing_file_sets_errno(void **state)
{
	const char *why = "unset";
	struct stat sb;
	char *p = NULL;

	assert_true(asprintf(&p, "%s/none", (char *)*state) > 0);
	assert_int_equal(trust_open(p, TRUST_NOFOLLOW, &sb, &why), -1);
	assert_null(why);
	assert_int_equal(errno, ENOENT);
	free(p);
}

/* Relative to a directory descriptor: a folder's members. */
static void
openat_checks_the_member(void **state)
{
	const char *why = NULL;
	struct stat sb;
	char *p = file(*state, "m.conf", 0600, (uid_t)-1), *l = NULL;
	int dfd = open(*state, O_RDONLY | O_DIRECTORY), fd;

	assert_true(dfd >= 0);
	assert_true(asprintf(&l, "%s/l.conf", (char *)*state) > 0);
	assert_int_equal(symlink(p, l), 0);
	fd = trust_openat(dfd, "m.conf", TRUST_NOFOLLOW, &sb, &why);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(trust_openat(dfd, "l.conf", TRUST_NOFOLLOW, &sb,
	    &why), -1);
	assert_string_equal(why, "is a symbolic link (name the file itself)");
	close(dfd);
	free(p);
	free(l);
}

/*
 * secret_read() (a device's password, Redis's) reads at each use what the
 * loader checked: the rule again, on the descriptor it reads.
 */
static void
secret_read_applies_the_rule(void **state)
{
	char buf[64], *p, *l = NULL, *fifo = NULL;

	p = th_write(*state, "pw", "hunter2\nsecond line\n", 0600);
	assert_int_equal(chmod(p, 0600), 0);
	assert_int_equal(secret_read(p, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "hunter2");
	assert_int_equal(chmod(p, 0640), 0);
	assert_int_equal(secret_read(p, buf, sizeof(buf)), -1);
	assert_int_equal(chmod(p, 0600), 0);
	assert_true(asprintf(&l, "%s/link", (char *)*state) > 0);
	assert_int_equal(symlink(p, l), 0);
	assert_int_equal(secret_read(l, buf, sizeof(buf)), -1);
	if (geteuid() == 0) {
		assert_int_equal(chown(p, 65534, (gid_t)-1), 0);
		assert_int_equal(secret_read(p, buf, sizeof(buf)), -1);
	}
	/* a FIFO in its place must not block the executor */
	assert_true(asprintf(&fifo, "%s/fifo", (char *)*state) > 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(secret_read(fifo, buf, sizeof(buf)), -1);
	free(p);
	free(l);
	free(fifo);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(own_file_is_trusted, setup, teardown),
		cmocka_unit_test_setup_teardown(group_or_other_writable_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(other_owner_is_refused_unless_any_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(symbolic_link_is_refused_with_nofollow, setup, teardown),
		cmocka_unit_test_setup_teardown(secret_readable_by_others_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(fifo_and_devices_are_not_regular_files, setup, teardown),
		cmocka_unit_test_setup_teardown(directories_with_trust_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_file_sets_errno, setup, teardown),
		cmocka_unit_test_setup_teardown(openat_checks_the_member, setup, teardown),
		cmocka_unit_test_setup_teardown(secret_read_applies_the_rule, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
