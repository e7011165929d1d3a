/* The one file-trust rule (see trust.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "trust.h"

#define WHY_LINK	"is a symbolic link (name the file itself)"
#define WHY_NOT_DIR	"is not a directory"

static bool
is_dev_null(const struct stat *sb)
{
	struct stat null;

	return S_ISCHR(sb->st_mode) && stat("/dev/null", &null) == 0 &&
	    S_ISCHR(null.st_mode) && sb->st_rdev == null.st_rdev;
}

const char *
trust_check(const struct stat *sb, unsigned int flags)
{
	uid_t euid = geteuid();

	if (flags & TRUST_DIR) {
		if (!S_ISDIR(sb->st_mode))
			return WHY_NOT_DIR;
	} else if ((flags & TRUST_DEV_NULL) && is_dev_null(sb))
		return NULL;
	else if (!S_ISREG(sb->st_mode))
		return "is not a regular file";
	if (!(flags & TRUST_ANY_OWNER) && sb->st_uid != 0 &&
	    sb->st_uid != euid)
		return "is not owned by our uid or root";
	if ((flags & TRUST_SECRET) && (sb->st_mode & 077) != 0)
		return "must not be accessible by group or others (chmod 600)";
	if (sb->st_mode & (S_IWGRP | S_IWOTH))
		return "must not be writable by group or others";
	return NULL;
}

/* O_NOFOLLOW fails with ELOOP on a link; O_DIRECTORY with ENOTDIR. */
static const char *
open_failure(unsigned int flags, int err)
{
	if (err == ELOOP && (flags & TRUST_NOFOLLOW))
		return WHY_LINK;
	if (err == ENOTDIR && (flags & TRUST_DIR))
		return (flags & TRUST_NOFOLLOW) ? WHY_NOT_DIR " (or a symbolic "
		    "link)" : WHY_NOT_DIR;
	return NULL;
}

int
trust_openat(int dirfd, const char *path, unsigned int flags,
    struct stat *sb, const char **why)
{
	int fd, oflags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, saved;

	if (flags & TRUST_NOFOLLOW)
		oflags |= O_NOFOLLOW;
	if (flags & TRUST_DIR)
		oflags |= O_DIRECTORY;
	*why = NULL;
	if ((fd = openat(dirfd, path, oflags)) == -1) {
		*why = open_failure(flags, errno);
		return -1;
	}
	if (fstat(fd, sb) != 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if ((*why = trust_check(sb, flags)) != NULL) {
		close(fd);
		return -1;
	}
	return fd;
}

int
trust_open(const char *path, unsigned int flags, struct stat *sb,
    const char **why)
{
	return trust_openat(AT_FDCWD, path, flags, sb, why);
}
