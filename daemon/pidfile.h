/*
 * The pid file doubles as the single-instance lock: the running daemon
 * holds an flock() on it for its whole life, so "is it running?" never
 * trusts a stale number in a file.
 */
#ifndef SPA_PIDFILE_H
#define SPA_PIDFILE_H

#include <sys/types.h>

/*
 * Take the lock; returns the open fd, or -1 with *running set to the pid
 * holding it (0 if the failure was something else: errno says what).
 */
int	pidfile_lock(const char *path, pid_t *running);
/* Write our pid into the locked file. */
int	pidfile_write(int fd);
/* The pid of the daemon holding the lock, or 0 if none runs. */
pid_t	pidfile_running(const char *path);
void	pidfile_release(const char *path, int fd);

#endif /* SPA_PIDFILE_H */
