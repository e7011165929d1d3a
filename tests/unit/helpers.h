/*
 * Shared helpers for the CMocka unit tests: scratch directories and files.
 * Include after <cmocka.h>.
 */
#ifndef SPA_TEST_HELPERS_H
#define SPA_TEST_HELPERS_H

#include <stddef.h>
#include <sys/types.h>

/* A fresh directory under $TMPDIR, removed (recursively) by th_rmtree(). */
char	*th_mkdtemp(void);
void	 th_rmtree(const char *path);

/* How many names dir holds besides . and .. (every other one counts). */
size_t	 th_entries(const char *dir);

/* Write `content` to dir/name with `mode`; returns the malloc'd path. */
char	*th_write(const char *dir, const char *name, const char *content,
	    mode_t mode);

/* Path of a file in the source tree (top_srcdir from make check). */
char	*th_srcpath(const char *relative);

/* Read a whole file into a NUL-terminated malloc'd buffer. */
char	*th_slurp(const char *path, size_t *len);

/* Catch what is written to stderr (the log's lines) from now on, then
 * give it back as a NUL-terminated malloc'd string and restore stderr. */
void	 th_stderr_catch(void);
char	*th_stderr_caught(void);
/* Fail the test unless `line` is in the log text `text`, showing both. */
void	 th_assert_logged(const char *text, const char *line);

#endif /* SPA_TEST_HELPERS_H */
