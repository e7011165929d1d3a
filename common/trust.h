/*
 * One rule for every file spagated trusts (issue 15, item 9): a file it
 * reads decides who gets in, names the programs the root executor runs,
 * or holds a secret, so it must be
 *   - a regular file (or, with TRUST_DIR, a directory);
 *   - owned by root or by the user spagated runs as (TRUST_ANY_OWNER: a
 *     user's own key file, which may belong to that user);
 *   - writable by nobody else (no group or other write bit);
 *   - with TRUST_SECRET, readable by nobody else either;
 *   - with TRUST_NOFOLLOW, named as itself: a symbolic link is refused.
 * The checks are made on the open descriptor (fstat after open), so the
 * file that was checked is the file that is read.
 */
#ifndef SPA_TRUST_H
#define SPA_TRUST_H

#include <sys/stat.h>

#define TRUST_NOFOLLOW	0x01	/* refuse a symbolic link (O_NOFOLLOW) */
#define TRUST_SECRET	0x02	/* not readable by group or others */
#define TRUST_ANY_OWNER	0x04	/* any owner (a user's key file) */
#define TRUST_DIR	0x08	/* a directory, not a regular file */
#define TRUST_DEV_NULL	0x10	/* /dev/null is an empty file (-c /dev/null) */

/*
 * Why `sb` breaks the rule, as words that follow the file's name ("is a
 * symbolic link ..."), or NULL if it keeps it.
 */
const char *trust_check(const struct stat *sb, unsigned int flags);

/*
 * Open `path` (relative to `dirfd`, or AT_FDCWD) read-only and without
 * blocking, and check it.  Returns the descriptor, with its stat in `sb`;
 * or -1 with *why saying why the file is refused, or with *why NULL and
 * errno set if it could not be opened at all.
 */
int	trust_openat(int dirfd, const char *path, unsigned int flags,
	    struct stat *sb, const char **why);
int	trust_open(const char *path, unsigned int flags, struct stat *sb,
	    const char **why);

/*
 * The whole of a file that keeps the rule (trust_open), at most `max`
 * bytes, NUL-terminated in *out (the caller frees it), its length in *len.
 * 0; or SPA_ERR_CONFIG / SPA_ERR_NOMEM with `why` naming the file and the
 * reason ("PATH is larger than N bytes", "cannot open PATH: ...").
 */
int	trust_read(const char *path, unsigned int flags, size_t max,
	    char **out, size_t *len, char *why, size_t whylen);

#endif /* SPA_TRUST_H */
