/* Shared helpers for the unit tests. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

char *
th_mkdtemp(void)
{
	const char *base = getenv("TMPDIR");
	char *path = NULL;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	assert_true(asprintf(&path, "%s/spagate-test.XXXXXX", base) > 0);
	assert_non_null(mkdtemp(path));
	return path;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

void
th_rmtree(const char *path)
{
	if (path != NULL)
		nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

size_t
th_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

char *
th_write(const char *dir, const char *name, const char *content, mode_t mode)
{
	char *path = NULL;
	size_t len = strlen(content);
	int fd;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

char *
th_srcpath(const char *relative)
{
	const char *top = getenv("top_srcdir");
	char *path = NULL;

	if (top == NULL || *top == '\0')
		top = ".";
	assert_true(asprintf(&path, "%s/%s", top, relative) > 0);
	return path;
}

char *
th_slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (fp == NULL)
		return NULL;
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

static int	caught_saved_fd = -1;
static FILE	*caught_file;

void
th_stderr_catch(void)
{
	fflush(stderr);
	caught_saved_fd = dup(2);
	caught_file = tmpfile();
	assert_true(caught_saved_fd >= 0 && caught_file != NULL);
	assert_int_equal(dup2(fileno(caught_file), 2), 2);
}

char *
th_stderr_caught(void)
{
	char *text = calloc(1, 8192);

	fflush(stderr);
	dup2(caught_saved_fd, 2);
	close(caught_saved_fd);
	assert_non_null(text);
	rewind(caught_file);
	assert_true(fread(text, 1, 8191, caught_file) < 8191);
	fclose(caught_file);
	return text;
}

void
th_assert_logged(const char *text, const char *line)
{
	if (strstr(text, line) == NULL)
		fail_msg("not logged: %s\nlogged: %s", line, text);
}
