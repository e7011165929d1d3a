/* Replacing and reading files in directories others may own (safefile.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "safefile.h"

bool
safefile_is_regular(int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return false;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return false;
	}
	return true;
}

/* 0, or -1 with errno; `fd` is closed either way. */
static int
fill_and_close(int fd, mode_t mode, safefile_fill fill, const void *arg)
{
	FILE *fp = NULL;

	/* mkostemp made it: checked all the same, it costs one call */
	if (safefile_is_regular(fd) && fchmod(fd, mode) == 0)
		fp = fdopen(fd, "w");
	if (fp == NULL) {
		close(fd);
		return -1;
	}
	fill(fp, arg);
	if (fflush(fp) != 0 || ferror(fp)) {
		fclose(fp);
		return -1;
	}
	return fclose(fp);
}

int
safefile_replace(const char *path, mode_t mode, safefile_fill fill,
    const void *arg)
{
	char tmp[4200];
	int fd, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >=
	    sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return SPA_ERR_SYS;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return errno == ENOENT || errno == ENOTDIR ? SPA_ERR_CONFIG :
		    SPA_ERR_SYS;
	if (fill_and_close(fd, mode, fill, arg) == 0 && rename(tmp, path) == 0)
		return 0;
	saved = errno;
	unlink(tmp);
	errno = saved;
	return SPA_ERR_SYS;
}

FILE *
safefile_read(const char *path)
{
	FILE *fp = NULL;
	int fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (safefile_is_regular(fd))
		fp = fdopen(fd, "r");
	if (fp == NULL)
		close(fd);
	return fp;
}
