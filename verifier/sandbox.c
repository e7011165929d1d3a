/*
 * The verifier's sandbox, portable part: chroot, user, capabilities
 * (see sandbox.h).  The system call filter is in sandbox_<platform>.c.
 *
 * The chroot is the verifier's state directory, state_dir/verifier, which
 * holds only replay.db.  It is owned by the verifier user (mode 0700)
 * because the replay store must write replay.db and, when it grows,
 * create replay.db.new beside it and rename it over.  A root directory
 * writable by its prisoner is dangerous when something privileged or an
 * exec'd program can be made to use what the prisoner plants there (the
 * classic escapes: a second chroot as root, set-id binaries, hard links
 * to outside files).  None applies here: the verifier has no uid 0 and no
 * capability left (checked below), cannot exec, link, symlink, mknod or
 * chroot (the filter has none of these calls), and nothing privileged
 * ever looks inside the directory; the executor only creates it and sets
 * its owner and mode, through state_dir, which is root's and 0700.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/capability.h>
#include <sys/syscall.h>
#endif

#include <openssl/crypto.h>

#include "err.h"
#include "log.h"
#include "privdrop.h"
#include "sandbox.h"

/*
 * libcrypto initialised before the chroot, without its configuration
 * file: the verifier uses no provider (common/crypto.c), so nothing in
 * openssl.cnf concerns it, and no later call can go looking for the file
 * inside the sandbox.
 */
static int
preload(void)
{
	if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) != 1) {
		log_errx("verifier: libcrypto initialisation failed");
		return SPA_ERR_CRYPTO;
	}
	return 0;
}

/* The chroot must be a real directory that only the verifier user owns. */
static int
check_root(const char *root, uid_t uid)
{
	struct stat st;

	if (lstat(root, &st) != 0) {
		log_err("verifier: %s", root);
		return SPA_ERR_STATE;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != uid ||
	    (st.st_mode & 077) != 0) {
		log_errx("verifier: %s must be a directory owned by uid %ld "
		    "with no access for group or others", root, (long)uid);
		return SPA_ERR_STATE;
	}
	return 0;
}

/* No capability may survive the change of user: fail hard otherwise. */
static int
check_no_caps(void)
{
#ifdef __linux__
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	int i;

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) != 0) {
		log_err("verifier: capget");
		return SPA_ERR_SYS;
	}
	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		if (d[i].effective != 0 || d[i].permitted != 0) {
			log_errx("verifier: capabilities left after the "
			    "privilege drop: refusing to run");
			return SPA_ERR_SYS;
		}
#endif
	return 0;
}

static int
confine_root(const struct sandbox_conf *sc, struct sandbox *sb)
{
	int r;

	if (privdrop_lookup(sc->user, &sb->uid, &sb->gid) != 0) {
		log_errx("verifier user '%s' does not exist", sc->user);
		return SPA_ERR_CONFIG;
	}
	if ((r = check_root(sc->root, sb->uid)) != 0)
		return r;
	if (chroot(sc->root) != 0 || chdir("/") != 0) {
		log_err("verifier: chroot %s", sc->root);
		return SPA_ERR_SYS;
	}
	sb->chrooted = true;
	if ((r = privdrop_to(sc->user, sb->uid, sb->gid)) != 0)
		return r;
	sb->dropped = true;
	if ((r = check_no_caps()) != 0)
		return r;
	snprintf(sb->desc, sizeof(sb->desc), "chroot, uid %ld (%s), "
	    "gid %ld, no capabilities", (long)sb->uid, sc->user,
	    (long)sb->gid);
	return 0;
}

int
sandbox_prepare(const struct sandbox_conf *sc, struct sandbox *sb)
{
	int r;

	memset(sb, 0, sizeof(*sb));
	if ((r = preload()) != 0)
		return r;
	if (geteuid() == 0)
		return confine_root(sc, sb);
	/* tests and unprivileged runs: say what is missing */
	if (chdir(sc->root) != 0) {
		log_err("verifier: %s", sc->root);
		return SPA_ERR_STATE;
	}
	sb->uid = geteuid();
	sb->gid = getegid();
	snprintf(sb->desc, sizeof(sb->desc), "not started as root: no "
	    "chroot, stays uid %ld", (long)sb->uid);
	return 0;
}

#ifdef SPA_SANDBOX_SELFTEST
/*
 * The self-test build's forbidden calls (tests/integration/sandbox.sh).
 * Each is made with syscall() so that libc adds nothing; each but
 * close-executor (refused with an error) must end in SIGSYS under the
 * filter.  sendmsg-socket cannot even make its socket.  A raw frame for
 * the capture socket: broadcast, an experimental EtherType (0x88b5).
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

static const uint8_t frame[60] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01,
	0x88, 0xb5, 's', 'p', 'a', 'g', 'a', 't', 'e',
};

static long
violate(const char *what, int capture_fd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	uint8_t copy[sizeof(frame)];
	struct iovec iov = { copy, sizeof(copy) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct stat st;

	memcpy(copy, frame, sizeof(copy));
	memcpy(sun.sun_path, "\0spagate-selftest", 17);	/* abstract */
	if (strcmp(what, "write-capture") == 0)
		return syscall(SYS_write, capture_fd, frame, sizeof(frame));
	if (strcmp(what, "sendto-capture") == 0)
		return syscall(SYS_sendto, capture_fd, frame, sizeof(frame), 0,
		    NULL, 0);
	if (strcmp(what, "write-stdout") == 0)
		return syscall(SYS_write, STDOUT_FILENO, "selftest\n", 9);
	if (strcmp(what, "sendto-address") == 0)
		return syscall(SYS_sendto, 3, "x", 1, 0, &sun,
		    offsetof(struct sockaddr_un, sun_path) + 17);
	if (strcmp(what, "pwrite-log") == 0)
		return syscall(SYS_pwrite64, STDERR_FILENO,
		    "sandbox selftest: pwrite\n", 25, 0);
	if (strcmp(what, "ftruncate-stdout") == 0)	/* to its own size */
		return fstat(STDOUT_FILENO, &st) != 0 ? -1 :
		    syscall(SYS_ftruncate, STDOUT_FILENO, st.st_size);
	if (strcmp(what, "sendmsg-socket") == 0)
		return syscall(SYS_sendmsg, syscall(SYS_socket, AF_INET,
		    SOCK_DGRAM, 0), &mh, 0);
	if (strcmp(what, "close-executor") == 0)
		return syscall(SYS_close, 3);
	return syscall(SYS_getppid);
}

void
sandbox_selftest_violate(const char *what, int capture_fd)
{
	long r;

	log_warnx("sandbox selftest: calling %s, which the filter does not "
	    "allow", what);
	log_flush();	/* the kill would lose the pass's held lines */
	errno = 0;
	r = violate(what, capture_fd);
	log_warnx("sandbox selftest: %s returned %ld (%s)%s", what, r,
	    strerror(errno), strcmp(what, "close-executor") == 0 ? "" :
	    ": NOT CONFINED");
}
#endif
