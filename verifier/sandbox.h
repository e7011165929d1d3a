/*
 * The verifier's sandbox, in two steps around the opening of its files.
 *
 *   sandbox_prepare()  as root, after the capture is open: load what is
 *                      needed later from outside (time zone, syslog
 *                      socket, libcrypto configuration), chroot into the
 *                      verifier's state directory, drop to the verifier
 *                      user and prove that no capability is left.
 *   (the replay store is opened here, as the verifier user)
 *   sandbox_enter()    no_new_privs and the system call filter.
 *
 * sandbox.c holds the portable first step; the second comes from one file
 * per platform: sandbox_linux_seccomp.c, or sandbox_none.c, which says at
 * every start that no filter is in force.
 */
#ifndef SPA_SANDBOX_H
#define SPA_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * The verifier's descriptors, fixed before the exec (executor/vproc.c) and
 * at its start (main.c),
 * since the filter allows writing and sending by descriptor number only:
 * log lines to stderr, messages to the executor's socket, syslog(3)'s
 * datagrams to its socket (/dev/null there when syslog is not in use).
 * The capture, its clients and the replay store get SANDBOX_FD_FIRST or
 * more: nothing can ever be written or sent to them.
 */
#define SANDBOX_FD_LOG		2	/* stderr */
#define SANDBOX_FD_EXECUTOR	3
#define SANDBOX_FD_SYSLOG	4
#define SANDBOX_FD_FIRST	5

/* The chroot, state_dir/SANDBOX_ROOT_DIR, holds the replay store. */
#define SANDBOX_ROOT_DIR	"verifier"
#define SANDBOX_REPLAY_FILE	"replay.db"
/* Worker k > 0 of several (capture.workers) keeps its own: replay.k.db. */
#define SANDBOX_REPLAY_WORKER	"replay.%u.db"

/* The replay store's name in the chroot for worker `k`. */
static inline void
sandbox_replay_file(unsigned int k, char *buf, size_t len)
{
	if (k == 0)
		snprintf(buf, len, "%s", SANDBOX_REPLAY_FILE);
	else
		snprintf(buf, len, SANDBOX_REPLAY_WORKER, k);
}

struct sandbox_conf {
	const char	*user;		/* executor.verifier_user */
	const char	*root;		/* state_dir/verifier: the chroot */
};

/* What sandbox_prepare() did, for sandbox_enter() and the READY line. */
struct sandbox {
	bool		 chrooted;
	bool		 dropped;	/* was root, now the verifier user */
	uid_t		 uid;
	gid_t		 gid;
	char		 desc[160];	/* "chroot ..., uid ..., no capabilities" */
};

/*
 * Step one (see above).  On return the process is in sb->root (as "/"
 * when chrooted), so the replay store is opened by a relative path.
 * Without root there is no chroot and no change of user: it says so.
 */
int	sandbox_prepare(const struct sandbox_conf *, struct sandbox *sb);

/*
 * Step two: from here on only the system calls the verifier's loop needs
 * are possible.  `desc` (for MSG_READY, the log and spagated -S) gets
 * sb->desc plus the filter's state.  Fails (and the verifier must exit)
 * if the filter cannot be installed where one exists.
 */
int	sandbox_enter(const struct sandbox *sb, char *desc, size_t len);

#ifdef SPA_SANDBOX_SELFTEST
/*
 * Test builds only: make the forbidden call named `what` (see sandbox.c:
 * getppid, write-capture, sendto-capture, write-stdout, sendto-address,
 * pwrite-log, ftruncate-stdout, sendmsg-socket, close-executor) on the
 * capture's descriptor `capture_fd` where it needs one, and log what it
 * returned, which only an unconfined verifier lives to do.
 */
void	sandbox_selftest_violate(const char *what, int capture_fd);
#endif

#endif /* SPA_SANDBOX_H */
