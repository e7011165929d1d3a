/*
 * Child processes run without blocking the executor: fork + execve (no
 * shell; argv[0] without a '/' is looked up in the fixed PATH below before
 * the fork, a relative path with a '/' is refused), an environment of only
 * PATH=/usr/sbin:/usr/bin:/sbin:/bin, cwd "/", stdin from /dev/null, no
 * other inherited descriptor, default signal dispositions and an empty
 * mask, stdout and stderr captured into one bounded buffer, a deadline
 * after which the child's whole process group (its own session) is
 * killed, and completion reported through a callback from
 * runner_dispatch().  The executor polls the runner's descriptors (one
 * pidfd and one pipe per child) with its own.  Linux >= 5.3 (pidfd_open).
 *
 * Children are reaped with waitpid(pid, WNOHANG): the executor must not
 * set SIGCHLD to SIG_IGN (the kernel would reap them first and the exit
 * status would be lost; status -1 then) nor reap with waitpid(-1).
 */
#ifndef SPA_RUNNER_H
#define SPA_RUNNER_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "subst.h"

#define RUNNER_MAX_PROCS	64	/* running at once; more are queued */
#define RUNNER_QUEUE_MAX	1024	/* queued beyond that; more are refused */
#define RUNNER_OUTPUT_MAX	2048	/* bytes of output kept per child */

/* Who a child runs as; the default is the executor's own identity. */
struct run_cred {
	bool		 set;		/* false: keep root */
	uid_t		 uid;
	gid_t		 gid;
	const char	*user;		/* for initgroups(); NULL: no extra groups */
};
/*
 * With `set`, the child calls initgroups(user, gid) (or setgroups(0, NULL)),
 * setgid(gid), setuid(uid), and exits 126 if it could become root again.
 */

struct run_result {
	uint64_t	 id;		/* as given to runner_start */
	int		 status;	/* waitpid() status, valid if !start_error;
					   -1: lost (reaped elsewhere) */
	bool		 timed_out;	/* killed at the deadline */
	int		 start_error;	/* 0, or why it never ran (SPA_ERR_*) */
	int		 start_errno;	/* errno of that failure */
	char		 output[RUNNER_OUTPUT_MAX + 1];	/* NUL-terminated */
	size_t		 output_len;
	bool		 output_truncated;	/* more was read and dropped */
	int64_t		 elapsed_ms;
};

/*
 * Called once per started command, from runner_start (a command that
 * could not start) or runner_dispatch.  It may call runner_start; it must
 * not call runner_free.
 */
typedef void (*runner_cb)(void *arg, const struct run_result *res);

struct runner;

int	runner_new(runner_cb cb, void *arg, struct runner **out);
/* Kill every child (SIGKILL to its group) and reap it; no callbacks. */
void	runner_free(struct runner *r);
/* Run at most `n` (1..RUNNER_MAX_PROCS) at once; for tests, small hosts. */
int	runner_set_max_procs(struct runner *r, size_t n);

/*
 * Start `argv` (copied; cred NULL: keep root) with a deadline of
 * `timeout_ms` from when it starts.  Returns 0 once it is running or
 * queued (FIFO); the callback then comes exactly once, also when it could
 * not start (start_error: SPA_ERR_ARG, errno ENOENT for a program not in
 * PATH or EINVAL for a relative path; SPA_ERR_SYS when pipe or fork
 * failed; a failed exec or credential change is exit status 127 with the
 * reason in the output).  A non-zero return (SPA_ERR_ARG: bad argv or
 * user name; SPA_ERR_NOMEM; SPA_ERR_SYS with errno EAGAIN: queue full)
 * means no callback will come.
 */
int	runner_start(struct runner *r, uint64_t id, const struct cmd_argv *argv,
	    const struct run_cred *cred, unsigned int timeout_ms);

/* Descriptors to poll; returns how many were written (<= max). */
size_t	runner_pollfds(struct runner *r, struct pollfd *pfd, size_t max);
/* Handle what poll() reported (and deadlines); calls the callback. */
void	runner_dispatch(struct runner *r, const struct pollfd *pfd, size_t n);
/* Milliseconds to the next deadline; -1: none. */
int	runner_timeout_ms(const struct runner *r);
/* Children running or queued. */
size_t	runner_busy(const struct runner *r);

/* "exit 0", "exit 3", "killed by signal 9 (timeout)", ... */
size_t	runner_describe(const struct run_result *res, char *buf, size_t len);

#endif /* SPA_RUNNER_H */
