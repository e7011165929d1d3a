/*
 * Child processes for commands (see runner.h).  Each child gets its own
 * session and process group so a deadline kills everything it started; its
 * exit is noticed through a pidfd and its output through a non-blocking
 * pipe, both polled by the executor's loop.  Nothing here waits: the only
 * blocking call in the parent is fork itself (and runner_free, which reaps
 * children it has just killed).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "runner.h"

#define SAFE_PATH	"/usr/sbin:/usr/bin:/sbin:/bin"
#define READ_BUDGET	16	/* reads of 4 KiB per child per dispatch */
#define NO_PIDFD_MS	50	/* exit polling when pidfd_open failed */
#define KILLED_MS	100	/* re-check a killed child this often */

struct proc {
	uint64_t	 id;
	pid_t		 pid;
	int		 pidfd;		/* -1: pidfd_open failed, poll by time */
	int		 outfd;		/* -1 once at EOF */
	int64_t		 started_ms;
	int64_t		 deadline_ms;
	struct run_result res;
};

/* A command waiting for a free slot, with its own copies of everything. */
struct pending {
	STAILQ_ENTRY(pending) entry;
	uint64_t	 id;
	struct cmd_argv	 argv;
	struct run_cred	 cred;
	char		 user[LOGIN_NAME_MAX];
	unsigned int	 timeout_ms;
};

struct runner {
	runner_cb	 cb;
	void		*arg;
	size_t		 max_procs;
	struct proc	 procs[RUNNER_MAX_PROCS];
	size_t		 nprocs;
	STAILQ_HEAD(, pending) queue;
	size_t		 qlen;
};

int
runner_new(runner_cb cb, void *arg, struct runner **out)
{
	struct runner *r;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return SPA_ERR_NOMEM;
	r->cb = cb;
	r->arg = arg;
	r->max_procs = RUNNER_MAX_PROCS;
	STAILQ_INIT(&r->queue);
	*out = r;
	return 0;
}

int
runner_set_max_procs(struct runner *r, size_t n)
{
	if (n == 0 || n > RUNNER_MAX_PROCS)
		return SPA_ERR_ARG;
	r->max_procs = n;
	return 0;
}

/* --- the child ----------------------------------------------------------- */

/* Says why on the captured output (stderr is the pipe by then). */
static void
child_fail(const char *what, const char *arg)
{
	int e = errno;

	dprintf(STDERR_FILENO, "spagated: %s%s: %s\n", what, arg,
	    strerror(e));
	_exit(127);
}

/*
 * Default dispositions and an empty mask, as a new program expects.  The
 * raw system call, because glibc refuses to touch the two signals it keeps
 * for itself (32, 33) and an ignored one would survive execve.  An all-zero
 * kernel sigaction is SIG_DFL, no flags, empty mask on every layout.
 */
static void
child_signals(void)
{
	static const uint64_t ksa_dfl[8];
	sigset_t none;
	int sig;

	for (sig = 1; sig < NSIG; sig++)	/* SIGKILL, SIGSTOP: EINVAL */
		syscall(SYS_rt_sigaction, sig, ksa_dfl, NULL,
		    (size_t)(NSIG / 8));
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* stdin from /dev/null, stdout and stderr to the pipe, nothing else. */
static void
child_stdio(int out)
{
	int fd, maxfd;

	if (out <= STDERR_FILENO && (out = fcntl(out, F_DUPFD, 3)) < 0)
		_exit(127);	/* keep dup2 below from clobbering it */
	if ((fd = open("/dev/null", O_RDONLY)) < 0 ||
	    dup2(fd, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
	    dup2(out, STDERR_FILENO) < 0)
		_exit(127);
	if (syscall(SYS_close_range, 3U, ~0U, 0) != 0) {
		maxfd = (int)sysconf(_SC_OPEN_MAX);
		for (fd = 3; fd < (maxfd > 0 ? maxfd : 65536); fd++)
			close(fd);
	}
}

static void
child_identity(const struct run_cred *cred)
{
	if (!cred->set)
		return;
	if ((cred->user != NULL ? initgroups(cred->user, cred->gid) :
	    setgroups(0, NULL)) != 0)
		child_fail("cannot set the groups of ", cred->user ?
		    cred->user : "the command");
	if (setgid(cred->gid) != 0 || setuid(cred->uid) != 0)
		child_fail("cannot switch to the user of the command", "");
	if (cred->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0 ||
	    geteuid() != cred->uid || getegid() != cred->gid)) {
		dprintf(STDERR_FILENO, "spagated: could regain root\n");
		_exit(126);
	}
}

static void
child_exec(const char *path, const struct cmd_argv *argv,
    const struct run_cred *cred, int out)
{
	static char *const envp[] = { "PATH=" SAFE_PATH, NULL };

	child_signals();
	setsid();
	child_stdio(out);
	child_identity(cred);
	if (chdir("/") != 0)
		child_fail("cannot chdir to /", "");
	execve(path, argv->argv, envp);
	child_fail("cannot run ", path);
}

/* --- starting ------------------------------------------------------------ */

/* argv[0] as an absolute path: as given, or found in SAFE_PATH. */
static int
resolve(const char *prog, char *path, size_t len)
{
	const char *dir = SAFE_PATH, *colon;
	struct stat st;

	if (prog[0] == '/')
		return (size_t)snprintf(path, len, "%s", prog) < len ? 0 :
		    SPA_ERR_ARG;
	if (strchr(prog, '/') != NULL || prog[0] == '\0')
		return SPA_ERR_ARG;	/* relative paths depend on a cwd */
	for (; *dir != '\0'; dir = *colon != '\0' ? colon + 1 : colon) {
		colon = strchrnul(dir, ':');
		if ((size_t)snprintf(path, len, "%.*s/%s", (int)(colon - dir),
		    dir, prog) >= len)
			continue;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_mode & 0111) != 0)
			return 0;
	}
	return SPA_ERR_ARG;
}

static void
report_start_error(struct runner *r, uint64_t id, int err, int eno)
{
	struct run_result res;

	memset(&res, 0, sizeof(res));
	res.id = id;
	res.start_error = err;
	res.start_errno = eno;
	r->cb(r->arg, &res);
}

/* fork with every signal blocked, so no handler runs in the child. */
static pid_t
fork_child(const char *path, const struct cmd_argv *argv,
    const struct run_cred *cred, int out)
{
	sigset_t all, old;
	pid_t pid;
	int e;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	if ((pid = fork()) == 0)
		child_exec(path, argv, cred, out);
	e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return pid;
}

static void
track(struct runner *r, uint64_t id, pid_t pid, int outfd,
    unsigned int timeout_ms)
{
	struct proc *p = &r->procs[r->nprocs++];

	memset(p, 0, sizeof(*p));
	p->id = id;
	p->pid = pid;
	p->outfd = outfd;
	p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	p->started_ms = mono_ms();
	p->deadline_ms = p->started_ms + timeout_ms;
	p->res.id = id;
}

/* Start now; a failure is reported through the callback. */
static void
spawn(struct runner *r, uint64_t id, const struct cmd_argv *argv,
    const struct run_cred *cred, unsigned int timeout_ms)
{
	char path[PATH_MAX];
	int pfd[2] = { -1, -1 }, e;
	pid_t pid;

	if (argv->argc == 0 || resolve(argv->argv[0], path, sizeof(path)) != 0) {
		e = argv->argc > 0 && strchr(argv->argv[0], '/') != NULL ?
		    EINVAL : ENOENT;	/* relative path, or not in PATH */
		report_start_error(r, id, SPA_ERR_ARG, e);
		return;
	}
	if (pipe2(pfd, O_CLOEXEC) != 0 ||
	    fcntl(pfd[0], F_SETFL, O_NONBLOCK) != 0 ||
	    (pid = fork_child(path, argv, cred, pfd[1])) < 0) {
		e = errno;
		if (pfd[0] >= 0)
			close(pfd[0]);
		if (pfd[1] >= 0)
			close(pfd[1]);
		report_start_error(r, id, SPA_ERR_SYS, e);
		return;
	}
	close(pfd[1]);
	track(r, id, pid, pfd[0], timeout_ms);
}

static int
enqueue(struct runner *r, uint64_t id, const struct cmd_argv *argv,
    const struct run_cred *cred, unsigned int timeout_ms)
{
	struct pending *q;

	if (r->qlen >= RUNNER_QUEUE_MAX) {
		errno = EAGAIN;
		return SPA_ERR_SYS;
	}
	if (cred->user != NULL && strlen(cred->user) >= sizeof(q->user))
		return SPA_ERR_ARG;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return SPA_ERR_NOMEM;
	q->id = id;
	q->argv = *argv;
	q->cred = *cred;
	if (cred->user != NULL) {
		memcpy(q->user, cred->user, strlen(cred->user) + 1);
		q->cred.user = q->user;
	}
	q->timeout_ms = timeout_ms;
	if (cmd_argv_relink(&q->argv) != 0) {
		free(q);
		return SPA_ERR_ARG;
	}
	STAILQ_INSERT_TAIL(&r->queue, q, entry);
	r->qlen++;
	return 0;
}

int
runner_start(struct runner *r, uint64_t id, const struct cmd_argv *argv,
    const struct run_cred *cred, unsigned int timeout_ms)
{
	static const struct run_cred keep = { .set = false };

	if (cred == NULL)
		cred = &keep;
	if (argv->argc > CMD_MAX_ARGS || argv->argv[argv->argc] != NULL)
		return SPA_ERR_ARG;
	if (r->nprocs >= r->max_procs || r->qlen > 0)
		return enqueue(r, id, argv, cred, timeout_ms);
	spawn(r, id, argv, cred, timeout_ms);
	return 0;
}

/* Oldest first, while there is room. */
static void
start_queued(struct runner *r)
{
	struct pending *q;

	while (r->nprocs < r->max_procs &&
	    (q = STAILQ_FIRST(&r->queue)) != NULL) {
		STAILQ_REMOVE_HEAD(&r->queue, entry);
		r->qlen--;
		spawn(r, q->id, &q->argv, &q->cred, q->timeout_ms);
		free(q);
	}
}

/* --- running ------------------------------------------------------------- */

/* Keep the first RUNNER_OUTPUT_MAX bytes, drain and drop the rest. */
static void
read_output(struct proc *p)
{
	char buf[4096];
	size_t room, keep;
	ssize_t n;
	int i;

	for (i = 0; i < READ_BUDGET && p->outfd >= 0; i++) {
		n = read(p->outfd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			close(p->outfd);
			p->outfd = -1;
			return;
		}
		room = RUNNER_OUTPUT_MAX - p->res.output_len;
		keep = (size_t)n < room ? (size_t)n : room;
		if (keep < (size_t)n)
			p->res.output_truncated = true;
		memcpy(p->res.output + p->res.output_len, buf, keep);
		p->res.output_len += keep;
	}
}

/*
 * procs[i] has exited: take what output is there now (a grandchild may
 * hold the pipe open for ever), report, and free the slot.
 */
static void
finish(struct runner *r, size_t i, int status)
{
	struct proc p = r->procs[i];

	r->procs[i] = r->procs[--r->nprocs];
	read_output(&p);
	if (p.outfd >= 0)
		close(p.outfd);
	if (p.pidfd >= 0)
		close(p.pidfd);
	p.res.status = status;
	p.res.output[p.res.output_len] = '\0';
	p.res.elapsed_ms = mono_ms() - p.started_ms;
	r->cb(r->arg, &p.res);
}

/* True if procs[i] was reaped (and the slot now holds another child). */
static bool
reap(struct runner *r, size_t i)
{
	int status = 0;
	pid_t w = waitpid(r->procs[i].pid, &status, WNOHANG);

	if (w < 0 && errno == ECHILD)
		status = -1;	/* reaped by someone else: status lost */
	else if (w != r->procs[i].pid)
		return false;
	finish(r, i, status);
	return true;
}

static void
enforce_deadlines(struct runner *r, int64_t now_ms)
{
	struct proc *p;
	size_t i;

	for (i = 0; i < r->nprocs; i++) {
		p = &r->procs[i];
		if (p->res.timed_out || now_ms < p->deadline_ms)
			continue;
		p->res.timed_out = true;
		kill(-p->pid, SIGKILL);	/* the group, if setsid ran */
		kill(p->pid, SIGKILL);	/* the child, in case it did not */
	}
}

size_t
runner_pollfds(struct runner *r, struct pollfd *pfd, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < r->nprocs && n + 2 <= max; i++) {
		pfd[n].fd = r->procs[i].pidfd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
		pfd[n].fd = r->procs[i].outfd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	return n;
}

void
runner_dispatch(struct runner *r, const struct pollfd *pfd, size_t n)
{
	size_t i, k;

	/* by descriptor: the caller may have reordered or added its own */
	for (k = 0; k < n; k++) {
		if (pfd[k].revents == 0 || pfd[k].fd < 0)
			continue;
		for (i = 0; i < r->nprocs; i++)
			if (r->procs[i].outfd == pfd[k].fd)
				read_output(&r->procs[i]);
	}
	enforce_deadlines(r, mono_ms());
	/* a readable pidfd woke us; WNOHANG on each child is as cheap */
	for (i = 0; i < r->nprocs; )
		if (!reap(r, i))
			i++;
	start_queued(r);
}

int
runner_timeout_ms(const struct runner *r)
{
	const struct proc *p;
	int64_t now_ms = mono_ms(), t = -1, d;
	size_t i;

	for (i = 0; i < r->nprocs; i++) {
		p = &r->procs[i];
		if (p->res.timed_out)
			d = KILLED_MS;
		else
			d = p->deadline_ms - now_ms;
		if (p->pidfd < 0 && d > NO_PIDFD_MS)
			d = NO_PIDFD_MS;
		if (d < 0)
			d = 0;
		if (t < 0 || d < t)
			t = d;
	}
	return t > INT32_MAX ? INT32_MAX : (int)t;
}

size_t
runner_busy(const struct runner *r)
{
	return r->nprocs + r->qlen;
}

void
runner_free(struct runner *r)
{
	struct pending *q;
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nprocs; i++) {
		kill(-r->procs[i].pid, SIGKILL);
		kill(r->procs[i].pid, SIGKILL);
		while (waitpid(r->procs[i].pid, NULL, 0) < 0 && errno == EINTR)
			;
		if (r->procs[i].outfd >= 0)
			close(r->procs[i].outfd);
		if (r->procs[i].pidfd >= 0)
			close(r->procs[i].pidfd);
	}
	while ((q = STAILQ_FIRST(&r->queue)) != NULL) {
		STAILQ_REMOVE_HEAD(&r->queue, entry);
		free(q);
	}
	free(r);
}

size_t
runner_describe(const struct run_result *res, char *buf, size_t len)
{
	int n;

	if (res->start_error != 0)
		n = snprintf(buf, len, "not started: %s", strerror(
		    res->start_errno ? res->start_errno : EINVAL));
	else if (res->timed_out)
		n = snprintf(buf, len, "timed out after %" PRId64 " ms, killed",
		    res->elapsed_ms);
	else if (res->status == -1)
		n = snprintf(buf, len, "exit status lost (SIGCHLD ignored?)");
	else if (WIFEXITED(res->status))
		n = snprintf(buf, len, "exit %d", WEXITSTATUS(res->status));
	else if (WIFSIGNALED(res->status))
		n = snprintf(buf, len, "killed by signal %d",
		    WTERMSIG(res->status));
	else
		n = snprintf(buf, len, "status 0x%x", res->status);
	if (n < 0)
		return 0;
	return (size_t)n < len ? (size_t)n : len > 0 ? len - 1 : 0;
}
