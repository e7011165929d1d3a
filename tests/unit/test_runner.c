/*
 * The command runner, driven by poll() as the executor drives it: exit
 * codes, output, deadlines that kill the process group, credentials, the
 * environment, concurrency and descriptor hygiene.
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "runner.h"

struct done {
	struct run_result	res[8];	/* the first eight */
	size_t			n;
	size_t			failed;
};

static void
on_done(void *arg, const struct run_result *res)
{
	struct done *d = arg;

	if (d->n < 8)
		d->res[d->n] = *res;
	if (res->start_error != 0 || !WIFEXITED(res->status))
		d->failed++;
	d->n++;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Poll until `want` results arrived (or 20 s pass: a hang fails). */
static void
drive(struct runner *r, struct done *d, size_t want)
{
	struct pollfd pfd[2 * RUNNER_MAX_PROCS];
	int64_t limit = now_ms() + 20000;
	size_t n;
	int t;

	while (d->n < want && now_ms() < limit) {
		n = runner_pollfds(r, pfd, sizeof(pfd) / sizeof(pfd[0]));
		t = runner_timeout_ms(r);
		poll(pfd, n, t < 0 || t > 200 ? 200 : t);
		runner_dispatch(r, pfd, n);
	}
	assert_int_equal(d->n, want);
}

static struct runner *
new_runner(struct done *d)
{
	struct runner *r = NULL;

	memset(d, 0, sizeof(*d));
	assert_int_equal(runner_new(on_done, d, &r), 0);
	return r;
}

static void
run_one(const char *cmd, const struct run_cred *cred, unsigned int ms,
    struct run_result *out)
{
	struct done d;
	struct runner *r = new_runner(&d);
	struct cmd_argv a;

	assert_int_equal(cmd_split(cmd, &a), 0);
	assert_int_equal(runner_start(r, 42, &a, cred, ms), 0);
	drive(r, &d, 1);
	assert_int_equal(d.res[0].id, 42);
	*out = d.res[0];
	runner_free(r);
}

static void
reports_exit_status_and_output(void **state)
{
	struct run_result res;
	char desc[64];

	(void)state;
	run_one("/bin/sh -c 'echo out; echo err >&2; exit 3'", NULL, 5000, &res);
	assert_int_equal(res.start_error, 0);
	assert_true(WIFEXITED(res.status));
	assert_int_equal(WEXITSTATUS(res.status), 3);
	assert_string_equal(res.output, "out\nerr\n");
	runner_describe(&res, desc, sizeof(desc));
	assert_string_equal(desc, "exit 3");
	run_one("true", NULL, 5000, &res);	/* found in the safe PATH */
	assert_int_equal(WEXITSTATUS(res.status), 0);
}

static void
truncates_long_output(void **state)
{
	struct run_result res;

	(void)state;
	run_one("/bin/sh -c 'head -c 100000 /dev/zero | tr \"\\0\" x'", NULL,
	    5000, &res);
	assert_int_equal(res.output_len, RUNNER_OUTPUT_MAX);
	assert_true(res.output_truncated);
	assert_true(WIFEXITED(res.status) && WEXITSTATUS(res.status) == 0);
}

/* Running, not a zombie waiting for init to reap it. */
static bool
process_alive(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *fp;
	bool alive = false;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return false;
	if (fgets(buf, sizeof(buf), fp) != NULL && (p = strrchr(buf, ')')))
		alive = p[2] != 'Z' && p[2] != 'X';
	fclose(fp);
	return alive;
}

/* The deadline kills the whole group: the grandchild sleep too. */
static void
deadline_kills_process_group(void **state)
{
	struct run_result res;
	int64_t t0 = now_ms();
	char desc[64];
	pid_t gc;

	(void)state;
	run_one("/bin/sh -c 'sleep 30 & echo $!; wait'", NULL, 300, &res);
	assert_true(res.timed_out);
	assert_true(now_ms() - t0 < 5000);
	gc = (pid_t)atoi(res.output);
	assert_true(gc > 0);
	usleep(100000);
	assert_false(process_alive(gc));
	runner_describe(&res, desc, sizeof(desc));
	assert_non_null(strstr(desc, "timed out"));
}

static void
missing_program_reported(void **state)
{
	struct run_result res;

	(void)state;
	run_one("no-such-program-here --x", NULL, 5000, &res);
	assert_int_equal(res.start_error, SPA_ERR_ARG);
	run_one("relative/path", NULL, 5000, &res);
	assert_int_equal(res.start_error, SPA_ERR_ARG);
	run_one("/nonexistent/prog", NULL, 5000, &res);
	assert_int_equal(res.start_error, 0);
	assert_int_equal(WEXITSTATUS(res.status), 127);
	assert_non_null(strstr(res.output, "cannot run"));
}

static void
environment_is_only_path_and_stdin_is_null(void **state)
{
	struct run_result res;

	(void)state;
	setenv("SPAGATE_SECRET", "leak", 1);
	run_one("/usr/bin/env", NULL, 5000, &res);
	assert_string_equal(res.output, "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n");
	run_one("/bin/sh -c 'cat; echo end'", NULL, 5000, &res);
	assert_string_equal(res.output, "end\n");
	unsetenv("SPAGATE_SECRET");
}

static void
runs_as_given_user(void **state)
{
	struct run_cred nobody = { true, 65534, 65534, "nobody" };
	struct run_result res;

	(void)state;
	if (geteuid() != 0)
		skip();
	run_one("/usr/bin/id", &nobody, 5000, &res);
	assert_non_null(strstr(res.output, "uid=65534(nobody) gid=65534"));
	assert_null(strstr(res.output, "(root)"));
}

static void
descriptors_do_not_leak(void **state)
{
	struct run_result res;
	int fd;

	(void)state;
	assert_true((fd = open("/dev/null", O_RDONLY)) >= 0);	/* not CLOEXEC */
	run_one("/bin/ls /proc/self/fd", NULL, 5000, &res);
	/* 0, 1, 2 and the directory ls itself reads */
	assert_string_equal(res.output, "0\n1\n2\n3\n");
	close(fd);
}

static void
commands_run_concurrently(void **state)
{
	struct done d;
	struct runner *r = new_runner(&d);
	struct cmd_argv a;
	int64_t t0 = now_ms();

	(void)state;
	assert_int_equal(cmd_split("/bin/sleep 1", &a), 0);
	assert_int_equal(runner_start(r, 1, &a, NULL, 5000), 0);
	assert_int_equal(runner_start(r, 2, &a, NULL, 5000), 0);
	assert_int_equal(runner_busy(r), 2);
	drive(r, &d, 2);
	assert_true(now_ms() - t0 < 1900);
	assert_int_equal(runner_busy(r), 0);
	runner_free(r);
}

/* More commands than may run at once wait their turn; none is lost. */
static void
queues_beyond_the_limit(void **state)
{
	struct done d;
	struct runner *r = new_runner(&d);
	struct cmd_argv a;
	uint64_t i, n = RUNNER_MAX_PROCS + 6;

	(void)state;
	assert_int_equal(cmd_split("/bin/true", &a), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(runner_start(r, i, &a, NULL, 5000), 0);
	assert_int_equal(runner_busy(r), n);
	drive(r, &d, n);
	assert_int_equal(d.failed, 0);
	assert_int_equal(runner_busy(r), 0);
	runner_free(r);
}

static void
free_kills_running_children(void **state)
{
	struct done d;
	struct runner *r = new_runner(&d);
	struct cmd_argv a;
	int64_t t0 = now_ms();

	(void)state;
	assert_int_equal(cmd_split("/bin/sleep 30", &a), 0);
	assert_int_equal(runner_start(r, 1, &a, NULL, 60000), 0);
	runner_free(r);
	assert_true(now_ms() - t0 < 5000);
	assert_int_equal(d.n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reports_exit_status_and_output),
		cmocka_unit_test(truncates_long_output),
		cmocka_unit_test(deadline_kills_process_group),
		cmocka_unit_test(missing_program_reported),
		cmocka_unit_test(environment_is_only_path_and_stdin_is_null),
		cmocka_unit_test(runs_as_given_user),
		cmocka_unit_test(descriptors_do_not_leak),
		cmocka_unit_test(commands_run_concurrently),
		cmocka_unit_test(queues_beyond_the_limit),
		cmocka_unit_test(free_kills_running_children),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
