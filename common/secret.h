/*
 * Secrets the executor sends elsewhere (a device's password, Redis's):
 * read from their file at each use, so a changed secret needs no reload.
 */
#ifndef SPA_SECRET_H
#define SPA_SECRET_H

#include <stddef.h>

/*
 * The first line of `path` (without its newline) into buf, NUL-terminated.
 * The file must keep the rule the loader checked (common/trust.h, secret):
 * a symbolic link, a file others may read or that another user owns, or
 * anything but a regular file is refused (errno EPERM), without blocking.
 * Returns 0, or -1 with errno set.  The caller wipes buf after use.
 */
int	secret_read(const char *path, char *buf, size_t len);

#endif /* SPA_SECRET_H */
