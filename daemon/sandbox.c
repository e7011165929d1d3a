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
 * Everything the verifier would otherwise fetch from the file system
 * later: libcrypto's configuration (its providers are already loaded by
 * the executor before the fork; this makes sure nothing is left to read).
 * The syslog socket and the time zone are reloaded by log_reconnect()
 * right after the fork, before the capture takes descriptor numbers.
 */
static int
preload(void)
{
	if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1) {
		log_warnx("verifier: libcrypto initialisation failed");
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
		log_warn("verifier: %s", root);
		return SPA_ERR_STATE;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != uid ||
	    (st.st_mode & 077) != 0) {
		log_warnx("verifier: %s must be a directory owned by uid %ld "
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
		log_warn("verifier: capget");
		return SPA_ERR_SYS;
	}
	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		if (d[i].effective != 0 || d[i].permitted != 0) {
			log_warnx("verifier: capabilities left after the "
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
		log_warnx("verifier user '%s' does not exist", sc->user);
		return SPA_ERR_CONFIG;
	}
	if ((r = check_root(sc->root, sb->uid)) != 0)
		return r;
	if (chroot(sc->root) != 0 || chdir("/") != 0) {
		log_warn("verifier: chroot %s", sc->root);
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
		log_warn("verifier: %s", sc->root);
		return SPA_ERR_STATE;
	}
	sb->uid = geteuid();
	sb->gid = getegid();
	snprintf(sb->desc, sizeof(sb->desc), "not started as root: no "
	    "chroot, stays uid %ld", (long)sb->uid);
	return 0;
}
