/* The one file-trust rule (see trust.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
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

/* Read what fstat said the file holds, and see that it holds no more. */
static int
read_sized(int fd, const char *path, size_t size, char **out, size_t *len,
    char *why, size_t whylen)
{
	size_t used = 0;
	ssize_t n = 0;
	char *buf = malloc(size + 2);

	if (buf == NULL) {
		snprintf(why, whylen, "out of memory");
		return SPA_ERR_NOMEM;
	}
	while (used < size + 1 &&
	    (n = read(fd, buf + used, size + 1 - used)) > 0)
		used += (size_t)n;
	if (n < 0 || used > size) {
		if (n < 0)
			snprintf(why, whylen, "cannot read %s: %s", path,
			    strerror(errno));
		else
			snprintf(why, whylen, "%s changed while it was read",
			    path);
		free(buf);
		return SPA_ERR_CONFIG;
	}
	buf[used] = '\0';
	*out = buf;
	*len = used;
	return 0;
}

int
trust_read(const char *path, unsigned int flags, size_t max, char **out,
    size_t *len, char *why, size_t whylen)
{
	const char *bad = NULL;
	struct stat sb;
	int fd, r = SPA_ERR_CONFIG;

	if ((fd = trust_open(path, flags, &sb, &bad)) == -1) {
		if (bad != NULL)
			snprintf(why, whylen, "%s %s", path, bad);
		else
			snprintf(why, whylen, "cannot open %s: %s", path,
			    strerror(errno));
		return SPA_ERR_CONFIG;
	}
	if ((uintmax_t)sb.st_size > max)
		snprintf(why, whylen, "%s is larger than %zu bytes", path, max);
	else
		r = read_sized(fd, path, (size_t)sb.st_size, out, len, why,
		    whylen);
	close(fd);
	return r;
}
