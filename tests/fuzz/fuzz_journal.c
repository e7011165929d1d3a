/*
 * libFuzzer: the journal's record reader.  The input is a record without
 * its checksum (the harness appends a correct one, so the fuzzer gets
 * past it to the fields), written under the name its id field gives.
 * Whatever loads must be written back by journal_put() to the very same
 * bytes: one encoding per record, nothing lost or invented.
 */
#include "config.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "journal.h"

#define ID_OFF		12
#define HASH_LEN	32
#define FILE_MAX	8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct loaded {
	struct journal_rec	rec;
	int			n;
};

static int
keep(void *arg, const struct journal_rec *rec)
{
	struct loaded *l = arg;

	l->rec = *rec;
	l->n++;
	return 0;
}

static const char *
scratch_dir(void)
{
	static char dir[] = "/tmp/fuzz-journal.XXXXXX";
	static int made;

	if (!made) {
		if (mkdtemp(dir) == NULL || chmod(dir, 0700) != 0)
			abort();
		made = 1;
	}
	return dir;
}

static size_t
slurp(int dirfd, const char *name, uint8_t *buf, size_t cap)
{
	ssize_t n;
	int fd;

	if ((fd = openat(dirfd, name, O_RDONLY)) < 0)
		abort();
	n = read(fd, buf, cap);
	close(fd);
	if (n < 0)
		abort();
	return (size_t)n;
}

static void
write_file(int dirfd, const char *name, const uint8_t *p, size_t n)
{
	int fd;

	if ((fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC,
	    0600)) < 0 || write(fd, p, n) != (ssize_t)n)
		abort();
	close(fd);
}

/* Remove every name the journal may have left (.cycle, .bad, .bad.N). */
static void
clean(int dirfd, const char *name)
{
	char bad[64];
	int i;

	unlinkat(dirfd, name, 0);
	snprintf(bad, sizeof(bad), "%s.bad", name);
	unlinkat(dirfd, bad, 0);
	for (i = 1; i < 10; i++) {
		snprintf(bad, sizeof(bad), "%s.bad.%d", name, i);
		unlinkat(dirfd, bad, 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t file[FILE_MAX], again[FILE_MAX];
	struct loaded l = { .n = 0 };
	struct journal *j = NULL;
	uint64_t id = 0;
	char name[32];
	size_t i, n;
	int dirfd;

	if (size + HASH_LEN > FILE_MAX)
		return 0;
	for (i = 0; i < 8 && ID_OFF + i < size; i++)
		id |= (uint64_t)data[ID_OFF + i] << (8 * i);
	snprintf(name, sizeof(name), "%016" PRIx64 ".cycle", id);
	memcpy(file, data, size);
	if (crypto_hash(SPA_DIGEST_SHA256, data, size, file + size) != 0)
		abort();
	if (journal_open(scratch_dir(), &j) != 0 ||
	    (dirfd = open(scratch_dir(), O_RDONLY | O_DIRECTORY)) < 0)
		abort();
	write_file(dirfd, name, file, size + HASH_LEN);
	if (journal_load(j, keep, &l) != 0)
		abort();
	clean(dirfd, name);
	if (l.n == 1) {
		if (cmd_argv_relink(&l.rec.close) != 0 ||
		    journal_put(j, &l.rec) != 0)
			__builtin_trap();
		n = slurp(dirfd, name, again, sizeof(again));
		if (n != size + HASH_LEN || memcmp(again, file, n) != 0)
			__builtin_trap();
		clean(dirfd, name);
	}
	close(dirfd);
	journal_close(j);
	return 0;
}
