/* Running iptables-restore/-save within a deadline (see fw_exec.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fw_exec.h"

struct run {
	int		 fd[3];		/* our ends: stdin, stdout, stderr */
	const char	*in;
	size_t		 inleft;
	char		*out;
	size_t		 nout, capout;
	char		 err[512];
	size_t		 nerr;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
child(const char *path, char *const argv[], int p[3][2])
{
	static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
	    NULL };
	sigset_t none;

	if (dup2(p[0][0], 0) < 0 || dup2(p[1][1], 1) < 0 ||
	    dup2(p[2][1], 2) < 0)
		_exit(127);
	closefrom(3);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(path, argv, envp);
	dprintf(2, "cannot run %s: %s\n", path, strerror(errno));
	_exit(127);
}

/* fork with every signal blocked, so no handler runs in the child. */
static pid_t
start(const char *path, char *const argv[], struct run *r)
{
	int p[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } }, i, e;
	sigset_t all, old;
	pid_t pid = -1;

	for (i = 0; i < 3; i++)
		if (pipe2(p[i], O_CLOEXEC) != 0)
			goto out;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	if ((pid = fork()) == 0)
		child(path, argv, p);
	e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = e;
out:
	for (i = 0; i < 3; i++) {
		r->fd[i] = pid > 0 ? p[i][i == 0 ? 1 : 0] : -1;
		if (p[i][0] >= 0 && (pid <= 0 || p[i][0] != r->fd[i]))
			close(p[i][0]);
		if (p[i][1] >= 0 && (pid <= 0 || p[i][1] != r->fd[i]))
			close(p[i][1]);
		/* never blocked by a child that stops reading */
		if (r->fd[i] >= 0)
			fcntl(r->fd[i], F_SETFL, O_NONBLOCK);
	}
	return pid;
}

static void
drop(struct run *r, int i)
{
	close(r->fd[i]);
	r->fd[i] = -1;
}

/* One poll event on fd i: write stdin, read stdout or stderr. */
static int
io(struct run *r, int i)
{
	char buf[4096];
	ssize_t n;

	if (i == 0) {
		n = write(r->fd[0], r->in, r->inleft);
		if (n > 0) {
			r->in += n;
			r->inleft -= (size_t)n;
		}
		if ((n < 0 && errno != EAGAIN && errno != EINTR) ||
		    r->inleft == 0)
			drop(r, 0);
		return 0;
	}
	if ((n = read(r->fd[i], buf, sizeof(buf))) <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			drop(r, i);
		return 0;
	}
	if (i == 2) {
		n = (ssize_t)(n < (ssize_t)(sizeof(r->err) - 1 - r->nerr) ?
		    n : (ssize_t)(sizeof(r->err) - 1 - r->nerr));
		memcpy(r->err + r->nerr, buf, (size_t)n);
		r->nerr += (size_t)n;
		return 0;
	}
	if (r->nout + (size_t)n + 1 > r->capout) {
		size_t cap = r->capout == 0 ? 65536 : 2 * r->capout;
		char *o;

		if (cap > FW_EXEC_OUT_MAX || (o = realloc(r->out, cap)) == NULL)
			return -1;
		r->out = o;
		r->capout = cap;
	}
	memcpy(r->out + r->nout, buf, (size_t)n);
	r->nout += (size_t)n;
	r->out[r->nout] = '\0';
	return 0;
}

/* Until every pipe is closed or the deadline; -1 at the deadline. */
static int
pump(struct run *r, int64_t deadline)
{
	struct pollfd pfd[3];
	int i, n, left;

	for (;;) {
		for (i = n = 0; i < 3; i++) {
			pfd[i].fd = r->fd[i];
			pfd[i].events = i == 0 ? POLLOUT : POLLIN;
			n += r->fd[i] >= 0;
		}
		if (n == 0)
			return 0;
		if ((left = (int)(deadline - now_ms())) <= 0)
			return -1;
		if (poll(pfd, 3, left) < 0 && errno != EINTR)
			return -1;
		for (i = 0; i < 3; i++)
			if (r->fd[i] >= 0 && pfd[i].revents != 0 &&
			    io(r, i) != 0)
				return -1;
	}
}

/* Its exit, until the deadline: 0, or -1 (killed then). */
static int
reap(pid_t pid, int64_t deadline, int *status)
{
	struct timespec nap = { 0, 1000000 };
	pid_t w;

	while ((w = waitpid(pid, status, WNOHANG)) == 0 ||
	    (w < 0 && errno == EINTR)) {
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		nanosleep(&nap, NULL);
		if (nap.tv_nsec < 64000000)
			nap.tv_nsec *= 2;
	}
	return 0;
}

static void
first_line(const char *text, char *err, size_t errlen)
{
	snprintf(err, errlen, "%.*s", (int)strcspn(text, "\n"), text);
}

int
fw_exec(const char *path, char *const argv[], const char *in, char **out,
    int timeout_ms, char *err, size_t errlen)
{
	struct run r = { .in = in, .inleft = strlen(in) };
	int status = -1, i, timed_out;
	int64_t deadline = now_ms() + timeout_ms;
	pid_t pid;

	if (out != NULL)
		*out = NULL;
	if ((pid = start(path, argv, &r)) < 0) {
		snprintf(err, errlen, "cannot run %s: %s", path,
		    strerror(errno));
		return -1;
	}
	/* SIGPIPE is ignored by the executor: a write to a dead reader fails */
	timed_out = pump(&r, deadline);
	for (i = 0; i < 3; i++)
		if (r.fd[i] >= 0)
			close(r.fd[i]);
	if (timed_out)
		deadline = 0;		/* kill it now */
	timed_out = reap(pid, deadline, &status);
	if (out != NULL)
		*out = r.out;
	else
		free(r.out);
	if (timed_out)
		snprintf(err, errlen, "%s did not finish within %d ms (or said "
		    "too much): killed", path, timeout_ms);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	else if (r.nerr > 0)
		first_line(r.err, err, errlen);
	else
		snprintf(err, errlen, "%s failed (status %d) without saying "
		    "why", path, status);
	return -1;
}
