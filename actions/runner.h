/*
 * Child processes run without blocking the executor: fork + execve (no
 * shell, no PATH search: argv[0] is resolved to an absolute path before
 * the fork), an empty environment but for PATH, stdin from /dev/null,
 * stdout and stderr captured into one bounded buffer, a deadline after
 * which the whole process group is killed, and completion reported
 * through a callback from runner_dispatch().  The executor polls the
 * runner's descriptors (one pidfd and one pipe per child) with its own.
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
#define RUNNER_OUTPUT_MAX	2048	/* bytes of output kept per child */

/* Who a child runs as; the default is the executor's own identity. */
struct run_cred {
	bool		 set;		/* false: keep root */
	uid_t		 uid;
	gid_t		 gid;
	const char	*user;		/* for initgroups(); NULL: no extra groups */
};

struct run_result {
	uint64_t	 id;		/* as given to runner_start */
	int		 status;	/* waitpid() status, valid if !start_error */
	bool		 timed_out;	/* killed at the deadline */
	int		 start_error;	/* 0, or why it never ran (SPA_ERR_*) */
	int		 start_errno;	/* errno of that failure */
	char		 output[RUNNER_OUTPUT_MAX + 1];	/* NUL-terminated */
	size_t		 output_len;
	bool		 output_truncated;
	int64_t		 elapsed_ms;
};

typedef void (*runner_cb)(void *arg, const struct run_result *res);

struct runner;

int	runner_new(runner_cb cb, void *arg, struct runner **out);
/* Kill every child (SIGKILL to its group) and reap it; no callbacks. */
void	runner_free(struct runner *r);

/*
 * Start `argv` (copied) as `cred` with a deadline of `timeout_ms`.  Returns
 * 0 once it is running or queued; a failure to start (no such program,
 * fork failed, bad credentials) is also reported through the callback, so
 * the caller has one completion path.
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
