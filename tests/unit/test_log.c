/*
 * Log levels as an admin reads them: the level's word on stderr, a
 * "<N>" priority prefix when stderr is the systemd journal (JOURNAL_STREAM
 * names its device and inode, as systemd sets it), none when it names
 * another file, and a tool's plain "ident: level: text" form.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "log.h"

struct fx {
	char	*dir;
	char	*path;
	int	 saved;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = th_mkdtemp();
	assert_true(asprintf(&f->path, "%s/stderr.txt", f->dir) > 0);
	f->saved = -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	unsetenv("JOURNAL_STREAM");
	log_init("test_log", LOG_TO_STDERR, LOG_USER);
	log_set_verbose(0);
	th_rmtree(f->dir);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

/* stderr into a file; JOURNAL_STREAM its "dev:ino" when `journal`. */
static void
capture_begin(struct fx *f, int journal)
{
	struct stat sb;
	char v[64];
	int fd;

	fflush(stderr);
	f->saved = dup(2);
	fd = open(f->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0 && f->saved >= 0);
	assert_true(dup2(fd, 2) == 2);
	close(fd);
	assert_int_equal(fstat(2, &sb), 0);
	/* another file's inode: a stderr that is not the stream named */
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)sb.st_dev,
	    (unsigned long long)sb.st_ino + (journal ? 0 : 1));
	assert_int_equal(setenv("JOURNAL_STREAM", v, 1), 0);
}

static char *
capture_end(struct fx *f)
{
	fflush(stderr);
	dup2(f->saved, 2);
	close(f->saved);
	f->saved = -1;
	return th_slurp(f->path, NULL);
}

static void
log_each_level(void)
{
	log_errx("reload failed: %s", "the running configuration stays");
	log_warnx("a warning");
	log_notice("a grant");
	log_info("a refusal");
	log_set_verbose(1);
	log_debug("a detail");
}

/* Under journald each line starts with its priority, and keeps its word. */
static void
test_journal_prefix(void **state)
{
	struct fx *f = *state;
	char *out;

	capture_begin(f, 1);
	log_init("test_log", LOG_TO_STDERR, LOG_DAEMON);
	log_each_level();
	out = capture_end(f);
	assert_string_equal(out,
	    "<3>error: reload failed: the running configuration stays\n"
	    "<4>warning: a warning\n"
	    "<5>notice: a grant\n"
	    "<6>info: a refusal\n"
	    "<7>debug: a detail\n");
	free(out);
}

/* A stderr that is not the stream JOURNAL_STREAM names: stamps, no "<N>". */
static void
test_not_the_journal(void **state)
{
	struct fx *f = *state;
	char *out;

	capture_begin(f, 0);
	log_init("test_log", LOG_TO_STDERR, LOG_DAEMON);
	log_errx("reload failed");
	out = capture_end(f);
	assert_null(strchr(out, '<'));
	/* 2026-12-07T10:29:13.123 error: reload failed */
	assert_true(strlen(out) > 24 && out[4] == '-' && out[10] == 'T');
	assert_string_equal(out + 24, "error: reload failed\n");
	free(out);
}

/*
 * Held lines (log_hold): nothing is written until the flush, which
 * writes them in order; an error is written at once, after the lines
 * held before it; a forked child never writes its parent's lines.
 */
static void
test_held_lines_wait_for_the_flush(void **state)
{
	struct fx *f = *state;
	char *out;
	pid_t pid;
	int status;

	capture_begin(f, 1);
	log_init("test_log", LOG_TO_STDERR, LOG_DAEMON);
	log_hold(1);
	log_notice("a grant");
	log_info("a refusal");
	out = th_slurp(f->path, NULL);
	assert_string_equal(out, "");
	free(out);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		log_flush();	/* the parent's lines are not the child's */
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	log_flush();
	log_notice("a close");
	log_errx("a failed open");
	out = th_slurp(f->path, NULL);	/* the error at once, in order */
	assert_non_null(strstr(out, "<5>notice: a close\n<3>error: a failed "
	    "open\n"));
	free(out);
	log_info("after it");
	log_hold(0);
	out = capture_end(f);
	assert_string_equal(out,
	    "<5>notice: a grant\n"
	    "<6>info: a refusal\n"
	    "<5>notice: a close\n"
	    "<3>error: a failed open\n"
	    "<6>info: after it\n");
	free(out);
}

/* A malformed JOURNAL_STREAM is not the journal either. */
static void
test_journal_stream_malformed(void **state)
{
	struct fx *f = *state;
	char v[80], *out;

	capture_begin(f, 1);
	snprintf(v, sizeof(v), "%sx", getenv("JOURNAL_STREAM"));
	assert_int_equal(setenv("JOURNAL_STREAM", v, 1), 0);
	log_init("test_log", LOG_TO_STDERR, LOG_DAEMON);
	log_warnx("w");
	out = capture_end(f);
	assert_null(strstr(out, "<4>"));
	assert_non_null(strstr(out, " warning: w\n"));
	free(out);
}

/* The tool's form: no stamp, its name, the level's word. */
static void
test_plain(void **state)
{
	struct fx *f = *state;
	char *out;

	capture_begin(f, 0);
	log_init("spagate", LOG_TO_STDERR | LOG_PLAIN, LOG_USER);
	log_warnx("a.conf is readable by group or others");
	log_errx("e");
	out = capture_end(f);
	assert_string_equal(out,
	    "spagate: warning: a.conf is readable by group or others\n"
	    "spagate: error: e\n");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_journal_prefix, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_not_the_journal, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_journal_stream_malformed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_held_lines_wait_for_the_flush, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
