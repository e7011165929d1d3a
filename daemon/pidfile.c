/*
 * Pid file and single-instance lock.  O_NONBLOCK and a regular-file check:
 * a FIFO planted at the name must not hang spagated -S or spagate status
 * (open for reading waits for a writer), nor be taken for the lock.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "pidfile.h"
#include "safefile.h"

static pid_t
pidfile_read(int fd)
{
	char buf[32];
	ssize_t n;
	long v;
	char *end = NULL;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	if (v <= 0 || (*end != '\n' && *end != '\0'))
		return 0;
	return (pid_t)v;
}

int
pidfile_lock(const char *path, pid_t *running)
{
	int fd;

	*running = 0;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
	    0644);
	if (fd < 0)
		return -1;
	if (!safefile_is_regular(fd)) {
		close(fd);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			*running = pidfile_read(fd);
		close(fd);
		return -1;
	}
	return fd;
}

int
pidfile_write(int fd)
{
	char buf[32];
	int n;

	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		return -1;
	return fsync(fd);
}

pid_t
pidfile_running(const char *path)
{
	pid_t pid = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return 0;
	if (safefile_is_regular(fd) && flock(fd, LOCK_SH | LOCK_NB) != 0 &&
	    errno == EWOULDBLOCK)
		pid = pidfile_read(fd);
	close(fd);
	return pid;
}

void
pidfile_release(const char *path, int fd)
{
	if (fd < 0)
		return;
	unlink(path);
	close(fd);
}
