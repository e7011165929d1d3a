/*
 * Files the executor writes, and the status readers read, in directories
 * someone else may own (node_exporter's textfile directory, a pid file's
 * or state directory's owner): a FIFO, device or symlink planted there must
 * never block a write or a read, nor receive what was meant for the file.
 */
#ifndef SPA_SAFEFILE_H
#define SPA_SAFEFILE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* Writes the file's content; the caller's stream errors are checked. */
typedef void (*safefile_fill)(FILE *fp, const void *arg);

/*
 * Replace `path` atomically: a new file beside it (mkostemp, so O_EXCL:
 * never a file someone planted), checked to be a regular file, filled,
 * given `mode`, then renamed over `path`; rename replaces a planted FIFO
 * or symlink itself and never writes through it.  0, or SPA_ERR_SYS with
 * errno set (the temporary file removed), or SPA_ERR_CONFIG when the
 * directory does not exist.
 */
int	safefile_replace(const char *path, mode_t mode, safefile_fill fill,
	    const void *arg);

/*
 * Open `path` for reading if it is a regular file, not through a
 * symlink, without blocking on a FIFO.  NULL with errno set otherwise
 * (EINVAL: not a regular file).
 */
FILE	*safefile_read(const char *path);

/* Is `fd` a regular file?  false with errno set (EINVAL: it is not). */
bool	 safefile_is_regular(int fd);

#endif /* SPA_SAFEFILE_H */
