/*
 * Child processes for commands (see runner.h).  Each child gets its own
 * process group so a deadline kills everything it started; its exit is
 * noticed through a pidfd and its output through a non-blocking pipe, both
 * polled by the executor's loop.  Nothing here waits: the only blocking
 * call is fork itself.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "runner.h"

#define SAFE_PATH	"/usr/sbin:/usr/bin:/sbin:/bin"

struct proc {
	uint64_t	 id;
	pid_t		 pid;
	int		 pidfd;
	int		 outfd;		/* -1 once at EOF */
	int64_t		 started_ms;
	int64_t		 deadline_ms;
	struct run_result res;
};

struct pending {
	uint64_t	 id;
	struct cmd_argv	 argv;
	struct run_cred	 cred;
	char		 user[64];
	unsigned int	 timeout_ms;
};

struct runner {
	runner_cb	 cb;
	void		*arg;
	struct proc	 procs[RUNNER_MAX_PROCS];
	size_t		 nprocs;
	struct pending	*queue;
	size_t		 qhead, qlen, qcap;
};

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
runner_new(runner_cb cb, void *arg, struct runner **out)
{
	struct runner *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return SPA_ERR_NOMEM;
	r->cb = cb;
	r->arg = arg;
	*out = r;
	return 0;
}

/* --- the child ----------------------------------------------------------- */

static void
child_fail(const char *what, const char *prog)
{
	dprintf(STDERR_FILENO, "spagated: %s %s: %s\n", what, prog,
	    strerror(errno));
	_exit(127);
}

static void
child_identity(const struct run_cred *cred)
{
	if (!cred->set)
		return;
	if ((cred->user != NULL ? initgroups(cred->user, cred->gid) :
	    setgroups(0, NULL)) != 0 || setgid(cred->gid) != 0 ||
	    setuid(cred->uid) != 0)
		child_fail("cannot switch to uid", cred->user ? cred->user : "");
	if (cred->uid != 0 && setuid(0) == 0) {
		dprintf(STDERR_FILENO, "spagated: could regain root\n");
		_exit(126);
	}
}

static void
child_exec(const char *path, const struct cmd_argv *argv,
    const struct run_cred *cred, int out)
{
	static char *const envp[] = { "PATH=" SAFE_PATH, NULL };
	sigset_t none;
	int fd, sig;

	setsid();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	if ((fd = open("/dev/null", O_RDONLY)) < 0 ||
	    dup2(fd, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
	    dup2(out, STDERR_FILENO) < 0)
		_exit(127);
	syscall(SYS_close_range, 3U, ~0U, 0);
	child_identity(cred);
	if (chdir("/") != 0)
		child_fail("cannot chdir to", "/");
	execve(path, argv->argv, envp);
	child_fail("cannot run", path);
}

/* --- starting ------------------------------------------------------------ */

/* argv[0] as an absolute path: as given, or found in SAFE_PATH. */
static int
resolve(const char *prog, char *path, size_t len)
{
	const char *dir = SAFE_PATH, *colon;
	struct stat st;
	size_t n;

	if (prog[0] == '/')
		return (size_t)snprintf(path, len, "%s", prog) < len ? 0 :
		    SPA_ERR_ARG;
	if (strchr(prog, '/') != NULL || prog[0] == '\0')
		return SPA_ERR_ARG;	/* relative paths depend on a cwd */
	for (; *dir != '\0'; dir = *colon ? colon + 1 : colon) {
		colon = strchrnul(dir, ':');
		n = (size_t)(colon - dir);
		if ((size_t)snprintf(path, len, "%.*s/%s", (int)n, dir, prog) >=
		    len)
			continue;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_mode & 0111) != 0)
			return 0;
	}
	errno = ENOENT;
	return SPA_ERR_SYS;
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

static int
spawn(struct runner *r, uint64_t id, const struct cmd_argv *argv,
    const struct run_cred *cred, unsigned int timeout_ms)
{
	struct proc *p = &r->procs[r->nprocs];
	char path[4096];
	int pfd[2], e;
	pid_t pid;

	if (argv->argc == 0 || (e = resolve(argv->argv[0], path,
	    sizeof(path))) != 0)
		return report_start_error(r, id, SPA_ERR_ARG, ENOENT), 0;
	if (pipe2(pfd, O_CLOEXEC) != 0)
		return report_start_error(r, id, SPA_ERR_SYS, errno), 0;
	if ((pid = fork()) < 0) {
		e = errno;
		close(pfd[0]);
		close(pfd[1]);
		return report_start_error(r, id, SPA_ERR_SYS, e), 0;
	}
	if (pid == 0)
		child_exec(path, argv, cred, pfd[1]);
	close(pfd[1]);
	memset(p, 0, sizeof(*p));
	p->id = id;
	p->pid = pid;
	p->outfd = pfd[0];
	fcntl(p->outfd, F_SETFL, O_NONBLOCK);
	p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	p->started_ms = mono_ms();
	p->deadline_ms = p->started_ms + timeout_ms;
	p->res.id = id;
	r->nprocs++;
	return 0;
}

static int
enqueue(struct runner *r, uint64_t id, const struct cmd_argv *argv,
    const struct run_cred *cred, unsigned int timeout_ms)
{
	struct pending *q, *nq;
	size_t i, ncap;

	if (r->qlen == r->qcap) {
		ncap = r->qcap ? r->qcap * 2 : 16;
		if ((nq = calloc(ncap, sizeof(*nq))) == NULL)
			return SPA_ERR_NOMEM;
		for (i = 0; i < r->qlen; i++) {
			nq[i] = r->queue[(r->qhead + i) % r->qcap];
			cmd_argv_relink(&nq[i].argv);
			if (nq[i].cred.user != NULL)
				nq[i].cred.user = nq[i].user;
		}
		free(r->queue);
		r->queue = nq;
		r->qcap = ncap;
		r->qhead = 0;
	}
	q = &r->queue[(r->qhead + r->qlen++) % r->qcap];
	q->id = id;
	q->argv = *argv;
	cmd_argv_relink(&q->argv);
	q->cred = cred != NULL ? *cred : (struct run_cred){ .set = false };
	if (q->cred.user != NULL) {
		snprintf(q->user, sizeof(q->user), "%s", q->cred.user);
		q->cred.user = q->user;
	}
	q->timeout_ms = timeout_ms;
	return 0;
}

int
runner_start(struct runner *r, uint64_t id, const struct cmd_argv *argv,
    const struct run_cred *cred, unsigned int timeout_ms)
{
	static const struct run_cred keep = { .set = false };

	if (r->nprocs == RUNNER_MAX_PROCS || r->qlen > 0)
		return enqueue(r, id, argv, cred, timeout_ms);
	return spawn(r, id, argv, cred != NULL ? cred : &keep, timeout_ms);
}

static void
start_queued(struct runner *r)
{
	struct pending q;

	while (r->qlen > 0 && r->nprocs < RUNNER_MAX_PROCS) {
		q = r->queue[r->qhead];
		r->qhead = (r->qhead + 1) % r->qcap;
		r->qlen--;
		cmd_argv_relink(&q.argv);
		if (q.cred.user != NULL)
			q.cred.user = q.user;
		spawn(r, q.id, &q.argv, &q.cred, q.timeout_ms);
	}
}

/* --- running ------------------------------------------------------------- */

static void
read_output(struct proc *p)
{
	char buf[4096];
	size_t room;
	ssize_t n;

	while (p->outfd >= 0) {
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
		if ((size_t)n > room)
			p->res.output_truncated = true;
		memcpy(p->res.output + p->res.output_len, buf,
		    (size_t)n < room ? (size_t)n : room);
		p->res.output_len += (size_t)n < room ? (size_t)n : room;
	}
}

/* Remove procs[i]: its exit is known, report it. */
static void
finish(struct runner *r, size_t i, int status)
{
	struct proc p = r->procs[i];

	read_output(&p);	/* what is there now; a grandchild may keep it open */
	if (p.outfd >= 0)
		close(p.outfd);
	if (p.pidfd >= 0)
		close(p.pidfd);
	p.res.status = status;
	p.res.output[p.res.output_len] = '\0';
	p.res.elapsed_ms = mono_ms() - p.started_ms;
	r->procs[i] = r->procs[--r->nprocs];
	r->cb(r->arg, &p.res);
}

static bool
reap(struct runner *r, size_t i)
{
	int status;
	pid_t w = waitpid(r->procs[i].pid, &status, WNOHANG);

	if (w != r->procs[i].pid)
		return false;
	finish(r, i, status);
	return true;
}

static void
enforce_deadlines(struct runner *r, int64_t now)
{
	size_t i;

	for (i = 0; i < r->nprocs; i++)
		if (!r->procs[i].res.timed_out &&
		    now >= r->procs[i].deadline_ms) {
			r->procs[i].res.timed_out = true;
			kill(-r->procs[i].pid, SIGKILL);
			kill(r->procs[i].pid, SIGKILL);
		}
}

size_t
runner_pollfds(struct runner *r, struct pollfd *pfd, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < r->nprocs && n + 2 <= max; i++) {
		pfd[n].fd = r->procs[i].pidfd;
		pfd[n++].events = POLLIN;
		pfd[n].fd = r->procs[i].outfd;
		pfd[n++].events = POLLIN;
	}
	return n;
}

void
runner_dispatch(struct runner *r, const struct pollfd *pfd, size_t n)
{
	size_t i, k;

	/* match by descriptor: jobs may have started since poll() */
	for (k = 0; k < n; k++) {
		if (pfd[k].revents == 0 || pfd[k].fd < 0)
			continue;
		for (i = 0; i < r->nprocs; i++)
			if (r->procs[i].outfd == pfd[k].fd)
				read_output(&r->procs[i]);
	}
	enforce_deadlines(r, mono_ms());
	for (i = 0; i < r->nprocs; )
		if (!reap(r, i))
			i++;
	start_queued(r);
}

int
runner_timeout_ms(const struct runner *r)
{
	int64_t now = mono_ms(), t = -1, d;
	size_t i;

	for (i = 0; i < r->nprocs; i++) {
		d = r->procs[i].res.timed_out ? 100 :
		    r->procs[i].deadline_ms - now;
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
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nprocs; i++) {
		kill(-r->procs[i].pid, SIGKILL);
		kill(r->procs[i].pid, SIGKILL);
		waitpid(r->procs[i].pid, NULL, 0);
		if (r->procs[i].outfd >= 0)
			close(r->procs[i].outfd);
		if (r->procs[i].pidfd >= 0)
			close(r->procs[i].pidfd);
	}
	free(r->queue);
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
	else if (WIFEXITED(res->status))
		n = snprintf(buf, len, "exit %d", WEXITSTATUS(res->status));
	else if (WIFSIGNALED(res->status))
		n = snprintf(buf, len, "killed by signal %d",
		    WTERMSIG(res->status));
	else
		n = snprintf(buf, len, "status 0x%x", res->status);
	return n < 0 ? 0 : (size_t)n;
}
