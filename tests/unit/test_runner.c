/*
 * The command runner, driven by poll() as the executor drives it: exit
 * codes, output, deadlines that kill the process group, credentials, the
 * environment, concurrency, queueing and descriptor hygiene; and the exec
 * module on top of it, whose open and close run their command.
 *
 * No assertion here measures time: what would be slow if the runner
 * were wrong is made impossible instead (two commands that each wait for
 * the other can only finish if they run together; a child that would
 * leave a file if it ran to its end must not have left it).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "action.h"
#include "err.h"
#include "helpers.h"
#include "nat_dns.h"
#include "runner.h"

extern const struct action_ops action_exec;

#define KEEP	8

struct done {
	struct run_result	res[KEEP];	/* the first eight */
	size_t			n;
	size_t			failed;
};

static void
on_done(void *arg, const struct run_result *res)
{
	struct done *d = arg;

	if (d->n < KEEP)
		d->res[d->n] = *res;
	if (res->start_error != 0 || !WIFEXITED(res->status) ||
	    WEXITSTATUS(res->status) != 0)
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

/* Poll until *count reaches `want` (or 20 s pass: a hang fails). */
static void
drive_count(struct runner *r, const size_t *count, size_t want)
{
	struct pollfd pfd[2 * RUNNER_MAX_PROCS];
	int64_t limit = now_ms() + 20000;
	size_t n;
	int t;

	while (*count < want && now_ms() < limit) {
		n = runner_pollfds(r, pfd, sizeof(pfd) / sizeof(pfd[0]));
		t = runner_timeout_ms(r);
		poll(pfd, n, t < 0 || t > 1000 ? 1000 : t);
		runner_dispatch(r, pfd, n);
	}
	assert_int_equal(*count, want);
}

static void
drive(struct runner *r, struct done *d, size_t want)
{
	drive_count(r, &d->n, want);
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
start(struct runner *r, uint64_t id, const char *cmd,
    const struct run_cred *cred, unsigned int ms)
{
	struct cmd_argv a;

	assert_int_equal(cmd_split(cmd, &a), 0);
	assert_int_equal(runner_start(r, id, &a, cred, ms), 0);
}

static void
run_one(const char *cmd, const struct run_cred *cred, unsigned int ms,
    struct run_result *out)
{
	struct done d;
	struct runner *r = new_runner(&d);

	start(r, 42, cmd, cred, ms);
	drive(r, &d, 1);
	assert_int_equal(d.res[0].id, 42);
	assert_int_equal(runner_busy(r), 0);
	*out = d.res[0];
	runner_free(r);
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

/* Give a killed process up to 2 s to be gone. */
static bool
process_gone(pid_t pid)
{
	int64_t limit = now_ms() + 2000;

	while (process_alive(pid) && now_ms() < limit)
		usleep(10000);
	return !process_alive(pid);
}

/* --- exit status and output ---------------------------------------------- */

static void
reports_exit_zero(void **state)
{
	struct run_result res;
	char desc[64];

	(void)state;
	run_one("/bin/true", NULL, 5000, &res);
	assert_int_equal(res.start_error, 0);
	assert_true(WIFEXITED(res.status));
	assert_int_equal(WEXITSTATUS(res.status), 0);
	assert_false(res.timed_out);
	assert_int_equal(res.output_len, 0);
	assert_string_equal(res.output, "");
	runner_describe(&res, desc, sizeof(desc));
	assert_string_equal(desc, "exit 0");
}

static void
reports_nonzero_exit_with_stdout_and_stderr(void **state)
{
	struct run_result res;
	char desc[64];

	(void)state;
	run_one("/bin/sh -c 'echo out; echo err >&2; exit 3'", NULL, 5000,
	    &res);
	assert_int_equal(res.start_error, 0);
	assert_true(WIFEXITED(res.status));
	assert_int_equal(WEXITSTATUS(res.status), 3);
	assert_string_equal(res.output, "out\nerr\n");
	assert_int_equal(res.output_len, 8);
	assert_false(res.output_truncated);
	runner_describe(&res, desc, sizeof(desc));
	assert_string_equal(desc, "exit 3");
}

static void
reports_death_by_signal(void **state)
{
	struct run_result res;
	char desc[64];

	(void)state;
	run_one("/bin/sh -c 'kill -TERM $$'", NULL, 5000, &res);
	assert_true(WIFSIGNALED(res.status));
	assert_false(res.timed_out);
	runner_describe(&res, desc, sizeof(desc));
	assert_string_equal(desc, "killed by signal 15");
}

static void
truncates_long_output(void **state)
{
	struct run_result res;
	size_t i;

	(void)state;
	run_one("/bin/sh -c 'head -c 100000 /dev/zero | tr \"\\0\" x'", NULL,
	    5000, &res);
	assert_int_equal(res.output_len, RUNNER_OUTPUT_MAX);
	assert_true(res.output_truncated);
	for (i = 0; i < RUNNER_OUTPUT_MAX; i++)
		assert_int_equal(res.output[i], 'x');
	assert_int_equal(res.output[RUNNER_OUTPUT_MAX], '\0');
	/* drained, not blocked: the writer finished normally */
	assert_true(WIFEXITED(res.status) && WEXITSTATUS(res.status) == 0);
}

static void
output_of_exactly_the_limit_is_not_truncated(void **state)
{
	struct run_result res;
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "/bin/sh -c 'head -c %d /dev/zero'",
	    RUNNER_OUTPUT_MAX);
	run_one(cmd, NULL, 5000, &res);
	assert_int_equal(res.output_len, RUNNER_OUTPUT_MAX);
	assert_false(res.output_truncated);
}

/* --- deadlines ----------------------------------------------------------- */

/*
 * The deadline kills the whole group: the grandchild sleep too.  Killed,
 * not ended: the shell would exit 0 after its sleep, so SIGKILL as the
 * status is the proof, and the deadline never comes before its time.
 */
static void
deadline_kills_process_group(void **state)
{
	struct run_result res;
	char desc[64];
	pid_t gc;

	(void)state;
	run_one("/bin/sh -c '/bin/sleep 10 & echo $!; /bin/sleep 10'", NULL,
	    200, &res);
	assert_true(res.timed_out);
	assert_true(res.elapsed_ms >= 200);
	assert_true(WIFSIGNALED(res.status));
	assert_int_equal(WTERMSIG(res.status), SIGKILL);
	gc = (pid_t)atoi(res.output);
	assert_true(gc > 1);
	assert_true(process_gone(gc));
	runner_describe(&res, desc, sizeof(desc));
	assert_non_null(strstr(desc, "timed out"));
}

/*
 * The child has exited; a grandchild holding the pipe must not stall us:
 * the result comes while the grandchild still runs (and holds the pipe),
 * before the deadline.  A runner waiting for the pipe's end would report
 * only after the deadline, or after the grandchild.
 */
static void
grandchild_holding_output_does_not_delay(void **state)
{
	struct run_result res;
	pid_t gc;

	(void)state;
	run_one("/bin/sh -c '/bin/sleep 60 & echo $!'", NULL, 5000, &res);
	assert_false(res.timed_out);
	assert_true(WIFEXITED(res.status));
	assert_int_equal(WEXITSTATUS(res.status), 0);
	gc = (pid_t)atoi(res.output);
	assert_true(gc > 1);
	assert_true(process_alive(gc));
	kill(gc, SIGKILL);
}

/* --- starting ------------------------------------------------------------ */

static void
missing_program_reported(void **state)
{
	struct run_result res;
	char desc[128];

	(void)state;
	run_one("no-such-program-here --x", NULL, 5000, &res);
	assert_int_equal(res.start_error, SPA_ERR_ARG);
	assert_int_equal(res.start_errno, ENOENT);
	runner_describe(&res, desc, sizeof(desc));
	assert_string_equal(desc, "not started: No such file or directory");
}

static void
relative_path_refused(void **state)
{
	struct run_result res;

	(void)state;
	run_one("bin/true", NULL, 5000, &res);
	assert_int_equal(res.start_error, SPA_ERR_ARG);
	assert_int_equal(res.start_errno, EINVAL);
}

static void
absolute_path_that_cannot_run_exits_127(void **state)
{
	struct run_result res;

	(void)state;
	run_one("/nonexistent/prog", NULL, 5000, &res);
	assert_int_equal(res.start_error, 0);
	assert_int_equal(WEXITSTATUS(res.status), 127);
	assert_non_null(strstr(res.output, "cannot run /nonexistent/prog"));
}

/* "env" is found in the fixed PATH, whatever the caller's PATH says. */
static void
bare_name_resolved_in_safe_path(void **state)
{
	struct run_result res;
	char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;

	(void)state;
	setenv("PATH", "/nonexistent", 1);
	run_one("env", NULL, 5000, &res);
	if (old != NULL)
		setenv("PATH", old, 1);
	free(old);
	assert_int_equal(res.start_error, 0);
	assert_int_equal(WEXITSTATUS(res.status), 0);
}

/* --- what the child gets ------------------------------------------------- */

static void
environment_is_only_path(void **state)
{
	struct run_result res;

	(void)state;
	setenv("SPAGATE_SECRET", "leak", 1);
	run_one("/usr/bin/env", NULL, 5000, &res);
	unsetenv("SPAGATE_SECRET");
	assert_string_equal(res.output, "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n");
}

static void
stdin_is_dev_null_and_cwd_is_root(void **state)
{
	struct run_result res;

	(void)state;
	run_one("/usr/bin/readlink /proc/self/fd/0", NULL, 5000, &res);
	assert_string_equal(res.output, "/dev/null\n");
	run_one("/bin/pwd", NULL, 5000, &res);
	assert_string_equal(res.output, "/\n");
}

static void
descriptors_do_not_leak(void **state)
{
	struct run_result res;
	int fd;

	(void)state;
	assert_true((fd = open("/dev/null", O_RDONLY)) >= 3);	/* no CLOEXEC */
	run_one("/bin/ls /proc/self/fd", NULL, 5000, &res);
	close(fd);
	/* 0, 1, 2 and the directory ls itself reads */
	assert_string_equal(res.output, "0\n1\n2\n3\n");
}

/* Signal 32 (glibc's own) ignored behind glibc's back, as a parent may. */
static void
ignore_sig32(bool ignore)
{
	struct {
		void		*handler;	/* first on x86-64, arm64 */
		unsigned long	 flags;
		void		*restorer;
		uint64_t	 mask;
	} ksa = { ignore ? (void *)SIG_IGN : (void *)SIG_DFL, 0, NULL, 0 };

	assert_int_equal(syscall(SYS_rt_sigaction, 32, &ksa, NULL,
	    (size_t)(NSIG / 8)), 0);
}

static void
signals_are_reset(void **state)
{
	struct run_result res;
	sigset_t block, old;

	(void)state;
	signal(SIGTERM, SIG_IGN);
	ignore_sig32(true);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	run_one("/bin/grep -E ^Sig(Blk|Ign) /proc/self/status", NULL, 5000,
	    &res);
	sigprocmask(SIG_SETMASK, &old, NULL);
	ignore_sig32(false);
	signal(SIGTERM, SIG_DFL);
	assert_string_equal(res.output, "SigBlk:\t0000000000000000\n"
	    "SigIgn:\t0000000000000000\n");
}

/* nobody, with its own groups only (the runner's groups are dropped). */
static void
runs_as_given_user(void **state)
{
	struct run_cred nobody = { true, 65534, 65534, "nobody" };
	struct run_result res;
	gid_t extra[] = { 0, 4 };

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(setgroups(2, extra), 0);
	run_one("/usr/bin/id", &nobody, 5000, &res);
	assert_string_equal(res.output,
	    "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n");
	nobody.user = NULL;	/* no user name: no supplementary groups */
	run_one("/usr/bin/id -G", &nobody, 5000, &res);
	assert_string_equal(res.output, "65534\n");
	setgroups(0, NULL);
}

/* --- several commands ---------------------------------------------------- */

/* A command that leaves its file `mine`, then waits for `other`. */
static void
waiter(char *buf, size_t len, const char *dir, const char *mine,
    const char *other)
{
	snprintf(buf, len, "/bin/sh -c 'touch %s/%s; "
	    "while [ ! -e %s/%s ]; do sleep 0.01; done'", dir, mine, dir, other);
}

/*
 * Two commands that each wait for the other's file: together they both
 * end; one after the other, the first waits until its deadline kills it.
 */
static void
commands_run_concurrently(void **state)
{
	struct done d;
	struct runner *r = new_runner(&d);
	char *dir = th_mkdtemp(), cmd[512];

	(void)state;
	waiter(cmd, sizeof(cmd), dir, "a", "b");
	start(r, 1, cmd, NULL, 10000);
	waiter(cmd, sizeof(cmd), dir, "b", "a");
	start(r, 2, cmd, NULL, 10000);
	assert_int_equal(runner_busy(r), 2);
	drive(r, &d, 2);
	assert_false(d.res[0].timed_out);
	assert_false(d.res[1].timed_out);
	assert_int_equal(d.failed, 0);
	assert_int_equal(runner_busy(r), 0);
	runner_free(r);
	th_rmtree(dir);
	free(dir);
}

/* One at a time: queued commands start, and finish, in order. */
static void
queue_is_fifo(void **state)
{
	struct done d;
	struct runner *r = new_runner(&d);
	uint64_t i;

	(void)state;
	assert_int_equal(runner_set_max_procs(r, 1), 0);
	start(r, 0, "/bin/sh -c 'sleep 0.1; echo 0'", NULL, 5000);
	for (i = 1; i < 5; i++)
		start(r, i, "/bin/echo queued", NULL, 5000);
	assert_int_equal(runner_busy(r), 5);
	assert_int_equal(runner_pollfds(r, (struct pollfd[4]){ 0 }, 4), 2);
	drive(r, &d, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(d.res[i].id, i);
	assert_string_equal(d.res[0].output, "0\n");
	assert_string_equal(d.res[4].output, "queued\n");
	assert_int_equal(d.failed, 0);
	runner_free(r);
}

/* More commands than may run at once wait their turn; none is lost. */
static void
queues_beyond_the_limit(void **state)
{
	struct done d;
	struct runner *r = new_runner(&d);
	uint64_t i, n = RUNNER_MAX_PROCS + 6;

	(void)state;
	for (i = 0; i < n; i++)
		start(r, i, "/bin/true", NULL, 5000);
	assert_int_equal(runner_busy(r), n);
	drive(r, &d, n);
	assert_int_equal(d.failed, 0);
	assert_int_equal(runner_busy(r), 0);
	runner_free(r);
}

static void
full_queue_refuses(void **state)
{
	struct done d;
	struct runner *r = new_runner(&d);
	struct cmd_argv a;
	uint64_t i;

	(void)state;
	assert_int_equal(runner_set_max_procs(r, 1), 0);
	assert_int_equal(cmd_split("/bin/sleep 30", &a), 0);
	for (i = 0; i < RUNNER_QUEUE_MAX + 1; i++)
		assert_int_equal(runner_start(r, i, &a, NULL, 60000), 0);
	errno = 0;
	assert_int_equal(runner_start(r, i, &a, NULL, 60000), SPA_ERR_SYS);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(runner_busy(r), RUNNER_QUEUE_MAX + 1);
	runner_free(r);		/* kills one, drops the queue */
	assert_int_equal(d.n, 0);
}

static void
max_procs_must_be_in_range(void **state)
{
	struct done d;
	struct runner *r = new_runner(&d);

	(void)state;
	assert_int_equal(runner_set_max_procs(r, 0), SPA_ERR_ARG);
	assert_int_equal(runner_set_max_procs(r, RUNNER_MAX_PROCS + 1),
	    SPA_ERR_ARG);
	assert_int_equal(runner_set_max_procs(r, RUNNER_MAX_PROCS), 0);
	runner_free(r);
}

/* Wait for a child to write its pid into `path`. */
static pid_t
wait_pidfile(const char *path)
{
	int64_t limit = now_ms() + 5000;
	char buf[32] = "";
	FILE *fp;

	while (now_ms() < limit) {
		if ((fp = fopen(path, "r")) != NULL) {
			if (fgets(buf, sizeof(buf), fp) != NULL &&
			    strchr(buf, '\n') != NULL) {
				fclose(fp);
				return (pid_t)atoi(buf);
			}
			fclose(fp);
		}
		usleep(10000);
	}
	return -1;
}

/*
 * runner_free kills what still runs, the whole group, and reaps it: the
 * shell and its sleep are gone when it returns, and the shell never got
 * to the end of its script (waiting for it would leave the file).
 */
static void
free_kills_running_children(void **state)
{
	struct done d;
	struct runner *r = new_runner(&d);
	char *dir = th_mkdtemp(), cmd[512], path[256];
	pid_t pid, gc;

	(void)state;
	snprintf(cmd, sizeof(cmd), "/bin/sh -c '/bin/sleep 30 & "
	    "echo $! > %s/gc; echo $$ > %s/pid; wait; touch %s/ended'",
	    dir, dir, dir);
	start(r, 1, cmd, NULL, 60000);
	snprintf(path, sizeof(path), "%s/pid", dir);
	assert_true((pid = wait_pidfile(path)) > 1);
	snprintf(path, sizeof(path), "%s/gc", dir);
	assert_true((gc = wait_pidfile(path)) > 1);
	assert_true(process_alive(pid));
	runner_free(r);
	assert_false(process_alive(pid));
	assert_true(process_gone(gc));
	snprintf(path, sizeof(path), "%s/ended", dir);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(d.n, 0);
	th_rmtree(dir);
	free(dir);
}

/* --- the exec module ------------------------------------------------------ */

/* The exec module's requests, completed through its runner. */
struct exec_fix {
	struct action_env	 env;
	size_t			 n;
	uint64_t		 job;
	int			 result;
	int			 exit_status;
	char			 detail[128];
	char			*dir;
};

static void
exec_run_done(void *arg, const struct run_result *res)
{
	struct exec_fix *f = arg;

	action_exec_finished(&f->env, res);
}

static void
exec_action_done(void *arg, const struct action_result *res)
{
	struct exec_fix *f = arg;

	f->n++;
	f->job = res->job;
	f->result = res->result;
	f->exit_status = res->exit_status;
	snprintf(f->detail, sizeof(f->detail), "%s", res->detail);
}

static int
exec_setup(void **state)
{
	struct exec_fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->env.done = exec_action_done;
	f->env.arg = f;
	assert_int_equal(runner_new(exec_run_done, f, &f->env.runner), 0);
	f->dir = th_mkdtemp();
	*state = f;
	return 0;
}

static int
exec_teardown(void **state)
{
	struct exec_fix *f = *state;

	runner_free(f->env.runner);
	th_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* open or close `cmd` through the exec module, until it completes */
static void
exec_request(struct exec_fix *f, bool closing, const char *cmd)
{
	struct cmd_argv a;
	struct action_req req = { .job = 77, .argv = &a, .timeout_ms = 5000 };
	size_t before = f->n;

	assert_int_equal(cmd_split(cmd, &a), 0);
	if (closing)
		assert_int_equal(action_exec.close(NULL, &f->env, &req), 0);
	else
		assert_int_equal(action_exec.open(NULL, &f->env, &req), 0);
	drive_count(f->env.runner, &f->n, before + 1);
	assert_int_equal(f->job, 77);
}

static bool
exists_in(const struct exec_fix *f, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	return access(path, F_OK) == 0;
}

/* Each runs its own command, and reports it done only once it has. */
static void
exec_open_and_close_run_their_command(void **state)
{
	struct exec_fix *f = *state;
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "/usr/bin/touch %s/opened", f->dir);
	exec_request(f, false, cmd);
	assert_int_equal(f->result, 0);
	assert_int_equal(f->exit_status, 0);
	assert_true(exists_in(f, "opened"));
	assert_false(exists_in(f, "closed"));
	snprintf(cmd, sizeof(cmd), "/usr/bin/touch %s/closed", f->dir);
	exec_request(f, true, cmd);
	assert_int_equal(f->result, 0);
	assert_int_equal(f->exit_status, 0);
	assert_true(exists_in(f, "closed"));
}

/* A command that fails fails its request, with its exit status. */
static void
exec_failure_is_reported(void **state)
{
	struct exec_fix *f = *state;

	exec_request(f, false, "/bin/sh -c 'exit 3'");
	assert_int_equal(f->result, SPA_ERR_ACTION);
	assert_int_equal(f->exit_status, 3);
	assert_string_equal(f->detail, "exit 3");
	exec_request(f, true, "/bin/false");
	assert_int_equal(f->result, SPA_ERR_ACTION);
	assert_int_equal(f->exit_status, 1);
}

/*
 * nat.dns reads the resolver child's output (getent ahostsv4): the first
 * word of the first line, an IPv4 address, or nothing is taken.
 */
static void
nat_dns_takes_the_first_ipv4_address(void **state)
{
	static const char *const bad[] = { "", "\n", " 10.0.0.5", "::1 STREAM x",
	    "inside.test", "999.1.1.1 STREAM x", "10.0.0.5x STREAM",
	    "1234567890123456789012345678901234567890123456789 x" };
	struct spa_addr a;
	char s[ADDR_STRLEN];
	size_t i;

	(void)state;
	assert_true(nat_dns_parse("10.0.0.5        STREAM inside.test\n"
	    "10.0.0.5        DGRAM  \n10.0.0.9        STREAM\n", &a));
	assert_string_equal(addr_fmt(&a, s), "10.0.0.5");
	assert_true(nat_dns_parse("192.0.2.1", &a));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(nat_dns_parse(bad[i], &a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reports_exit_zero),
		cmocka_unit_test(nat_dns_takes_the_first_ipv4_address),
		cmocka_unit_test(reports_nonzero_exit_with_stdout_and_stderr),
		cmocka_unit_test(reports_death_by_signal),
		cmocka_unit_test(truncates_long_output),
		cmocka_unit_test(output_of_exactly_the_limit_is_not_truncated),
		cmocka_unit_test(deadline_kills_process_group),
		cmocka_unit_test(grandchild_holding_output_does_not_delay),
		cmocka_unit_test(missing_program_reported),
		cmocka_unit_test(relative_path_refused),
		cmocka_unit_test(absolute_path_that_cannot_run_exits_127),
		cmocka_unit_test(bare_name_resolved_in_safe_path),
		cmocka_unit_test(environment_is_only_path),
		cmocka_unit_test(stdin_is_dev_null_and_cwd_is_root),
		cmocka_unit_test(descriptors_do_not_leak),
		cmocka_unit_test(signals_are_reset),
		cmocka_unit_test(runs_as_given_user),
		cmocka_unit_test(commands_run_concurrently),
		cmocka_unit_test(queue_is_fifo),
		cmocka_unit_test(queues_beyond_the_limit),
		cmocka_unit_test(full_queue_refuses),
		cmocka_unit_test(max_procs_must_be_in_range),
		cmocka_unit_test(free_kills_running_children),
		cmocka_unit_test_setup_teardown(
		    exec_open_and_close_run_their_command, exec_setup,
		    exec_teardown),
		cmocka_unit_test_setup_teardown(exec_failure_is_reported,
		    exec_setup, exec_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
