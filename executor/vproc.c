/* The verifier process, from the executor's side: check, start, configure. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "privdrop.h"
#include "sandbox.h"
#include "trust.h"
#include "replay_gate.h"
#include "vproc.h"

/* Sending the configuration waits this long at most for the verifier. */
#define VPROC_CONF_TIMEOUT	10	/* seconds */

extern char **environ;

int
vproc_prepare_state(const char *state_dir, const char *user)
{
	char dir[4096];
	uid_t uid;
	gid_t gid;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", state_dir,
	    VPROC_REPLAY_DIR) >= sizeof(dir))
		return SPA_ERR_CONFIG;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		log_err("%s", dir);
		return SPA_ERR_STATE;
	}
	if (geteuid() != 0)
		return 0;
	if (privdrop_lookup(user, &uid, &gid) != 0) {
		log_errx("executor.verifier_user '%s' does not exist", user);
		return SPA_ERR_CONFIG;
	}
	if (chown(dir, uid, gid) != 0 || chmod(dir, 0700) != 0) {
		log_err("%s", dir);
		return SPA_ERR_STATE;
	}
	return 0;
}

int
vproc_throwaway_make(const struct spa_conf *conf, char *dir, size_t len)
{
	if ((size_t)snprintf(dir, len, "%s/test.XXXXXX", conf->state_dir)
	    >= len || mkdtemp(dir) == NULL) {
		log_warn("%s/test.XXXXXX", conf->state_dir);
		dir[0] = '\0';
		return SPA_ERR_STATE;
	}
	return vproc_prepare_state(dir, conf->verifier_user);
}

/* dir/sub/name and dir/sub/name.new: a replay store (replay.h). */
static void
remove_store(const char *dir, const char *sub, const char *name)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s%s%s", dir, sub,
	    *sub != '\0' ? "/" : "", name) >= sizeof(path) - 4)
		return;
	(void)unlink(path);
	strcat(path, ".new");
	(void)unlink(path);
}

/*
 * Only the names the replay stores make (replay.h): each worker's, and
 * the executor's with several; unlink never follows a link, and anything
 * else the verifier left keeps the directory, said.
 */
void
vproc_throwaway_remove(const char *dir)
{
	char path[4096], name[32];
	unsigned int k;

	if (dir[0] == '\0')
		return;
	for (k = 0; k < CONF_WORKERS_MAX; k++) {
		sandbox_replay_file(k, name, sizeof(name));
		remove_store(dir, VPROC_REPLAY_DIR, name);
	}
	remove_store(dir, "", REPLAY_GATE_FILE);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
	    VPROC_REPLAY_DIR) >= sizeof(path) ||
	    (rmdir(path) != 0 && errno != ENOENT) || rmdir(dir) != 0)
		log_warn("test mode: cannot remove %s", dir);
}

/* The program, open and checked (common/trust.h), or -1 (logged). */
static int
open_program(const char *path)
{
	const char *why = NULL;
	struct stat sb;
	int fd;

	if ((fd = trust_open(path, 0, &sb, &why)) < 0) {
		if (why != NULL)
			log_errx("verifier program %s %s", path, why);
		else
			log_errx("verifier program %s: %s", path,
			    strerror(errno));
		return -1;
	}
	if ((sb.st_mode & S_IXUSR) == 0) {
		log_errx("verifier program %s is not executable", path);
		close(fd);
		return -1;
	}
	return fd;
}

int
vproc_check_program(const char *path)
{
	int fd;

	if ((fd = open_program(path)) < 0)
		return SPA_ERR_CONFIG;
	close(fd);
	return 0;
}

/* `fd` open on /dev/null, unless it is open already. */
static void
hold(int fd)
{
	int n;

	if (fcntl(fd, F_GETFD) >= 0)
		return;
	if ((n = open("/dev/null", O_RDWR | O_CLOEXEC)) != fd) {
		if (n < 0 || dup2(n, fd) < 0)
			_exit(1);
		close(n);
	}
}

/*
 * The verifier inherits nothing of the executor's but stdio and its end
 * of the socket (no pid-file lock, journal, signalfd, syslog socket or
 * command pipes), at the numbers its filter names (sandbox.h),
 * OpenNTPD-style: stderr the log, 3 the executor.  It opens syslog(3)'s
 * socket at 4 itself; whatever it opens later gets 5 or more.  `prog`,
 * the checked program, is close-on-exec: the exec is its last use.
 */
static void
pin_descriptors(int sock, int prog)
{
	int fd;

	closelog();	/* the executor's socket, before its number is reused */
	if ((prog = fcntl(prog, F_DUPFD_CLOEXEC, 64)) < 0)
		_exit(1);
	if (sock != SANDBOX_FD_EXECUTOR &&
	    dup2(sock, SANDBOX_FD_EXECUTOR) < 0)
		_exit(1);
	if (fcntl(SANDBOX_FD_EXECUTOR, F_SETFD, 0) != 0)	/* kept in exec */
		_exit(1);
	if (sock < SANDBOX_FD_EXECUTOR)	/* stdio was closed: not the log */
		close(sock);
	for (fd = 0; fd < SANDBOX_FD_EXECUTOR; fd++)
		hold(fd);
	syscall(SYS_close_range, (unsigned)SANDBOX_FD_SYSLOG,
	    (unsigned)prog - 1, 0);
	syscall(SYS_close_range, (unsigned)prog + 1, ~0U, 0);
	fexecve(prog, (char *[]){ "spagate-verifier", NULL }, environ);
	_exit(127);
}

/* The socket blocks sending the configuration, for a bounded time. */
static int
send_timeout(int sock, time_t s)
{
	struct timeval tv = { .tv_sec = s };

	return setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void
reap(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

pid_t
vproc_spawn(const struct vproc_conf *vc, int *sock)
{
	int sv[2], prog, r;
	pid_t pid;

	if ((prog = open_program(vc->program)) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		log_err("socketpair");
		close(prog);
		return -1;
	}
	if ((pid = fork()) == 0)
		pin_descriptors(sv[1], prog);
	close(sv[1]);
	close(prog);
	if (pid < 0) {
		log_err("fork");
		close(sv[0]);
		return -1;
	}
	if ((r = send_timeout(sv[0], VPROC_CONF_TIMEOUT)) == 0 &&
	    (r = vproc_send_conf(sv[0], vc)) == 0)
		r = send_timeout(sv[0], 0);
	if (r != 0) {	/* vproc_send_conf said why */
		log_errx("verifier (pid %ld) not configured: stopped",
		    (long)pid);
		reap(pid);
		close(sv[0]);
		return -1;
	}
	*sock = sv[0];
	return pid;
}
