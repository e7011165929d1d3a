/*
 * libFuzzer: the journal reader, from the file up (executor/journal.c,
 * executor/journal_rec.c).  The first input byte says what the rest is:
 *
 *   bit 0  set: the whole of cycles.log; clear: what follows a valid
 *          header, so the fuzzer spends its time on entries;
 *   bit 1  set: the SHA-256 of every entry that fits is made right first
 *          (walking the length fields), else a mutated entry would only
 *          ever be damage and the record checks behind it never reached.
 *
 * Whatever the bytes:
 *
 *   - journal_open never crashes, leaks or hangs; a refusal is
 *     SPA_ERR_STATE and leaves the directory exactly as it was;
 *   - every record it loads passes journal_rec_check() and encodes to
 *     bytes that decode to the same record (one encoding per record);
 *   - next_id is above every id loaded;
 *   - the journal it leaves works: a read-only open sees the same records
 *     in the same order, and deleting every other record, putting the rest
 *     again and syncing gives, after a reopen, exactly the records put.
 *
 * The scratch directory is on tmpfs when there is one: every open
 * compacts, and fdatasync on a disk would be most of the run time.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "err.h"
#include "journal.h"
#include "log.h"

#define HEADER		"SPAGJRN2\002\000\000\000"
#define HEADER_LEN	12
#define HASH_LEN	32
#define INPUT_MAX	(1 << 20)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_init("fuzz_journal", 0, 0);	/* damage reports go nowhere */
	return 0;
}

/* Encoded records, oldest first, as a load handed them over. */
struct encs {
	uint8_t		(*v)[JOURNAL_REC_MAX];
	size_t		 *len;
	size_t		  n;
	size_t		  cap;
};

static void
encs_free(struct encs *e)
{
	free(e->v);
	free(e->len);
	memset(e, 0, sizeof(*e));
}

static bool
same_rec(const struct journal_rec *a, const struct journal_rec *b)
{
	size_t i;

	if (a->id != b->id || a->has_close != b->has_close ||
	    a->close.argc != b->close.argc || a->data_len != b->data_len ||
	    memcmp(a->data, b->data, a->data_len) != 0 ||
	    strcmp(a->module, b->module) != 0)
		return false;
	for (i = 0; a->has_close && i < a->close.argc; i++)
		if (strcmp(a->close.argv[i], b->close.argv[i]) != 0)
			return false;
	return true;
}

/*
 * The load callback: the record must be one journal_put() would write,
 * its argv linked into itself, and survive encode -> decode -> encode.
 */
static int
keep(void *arg, const struct journal_rec *rec)
{
	static struct journal_rec back;
	static uint8_t again[JOURNAL_REC_MAX];
	struct encs *e = arg;
	size_t n, m;

	if (journal_rec_check(rec) != NULL)
		__builtin_trap();
	if (rec->has_close && (rec->close.argv[0] != rec->close.buf ||
	    rec->close.argv[rec->close.argc] != NULL))
		__builtin_trap();
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 8;
		if ((e->v = realloc(e->v, e->cap * sizeof(*e->v))) == NULL ||
		    (e->len = realloc(e->len, e->cap * sizeof(*e->len))) ==
		    NULL)
			abort();
	}
	n = journal_rec_encode(rec, e->v[e->n], JOURNAL_REC_MAX);
	if (n == 0 || journal_rec_decode(e->v[e->n], n, &back) != NULL ||
	    !same_rec(rec, &back))
		__builtin_trap();
	m = journal_rec_encode(&back, again, sizeof(again));
	if (m != n || memcmp(again, e->v[e->n], n) != 0)
		__builtin_trap();
	e->len[e->n++] = n;
	return 0;
}

static bool
same_encs(const struct encs *a, const struct encs *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->len[i] != b->len[i] ||
		    memcmp(a->v[i], b->v[i], a->len[i]) != 0)
			return false;
	return true;
}

static uint64_t
id_of(const uint8_t *enc)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | enc[i];
	return v;
}

static char scratch[64];

static void clean(int);

/* At exit (libFuzzer ends its timed runs with exit()): leave no dir. */
static void
remove_scratch(void)
{
	int dirfd;

	if ((dirfd = open(scratch, O_RDONLY | O_DIRECTORY)) >= 0) {
		clean(dirfd);
		close(dirfd);
		rmdir(scratch);
	}
}

static const char *
scratch_dir(void)
{
	if (scratch[0] == '\0') {
		snprintf(scratch, sizeof(scratch), "%s/fuzz-journal.XXXXXX",
		    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (mkdtemp(scratch) == NULL || chmod(scratch, 0700) != 0)
			abort();
		atexit(remove_scratch);
	}
	return scratch;
}

/* A stream of its own: a dup() would share (and leave) the position. */
static DIR *
opendir_at(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY);

	return fd < 0 ? NULL : fdopendir(fd);
}

/* Remove every file the journal (or the last run) left. */
static void
clean(int dirfd)
{
	struct dirent *de;
	DIR *d;

	if ((d = opendir_at(dirfd)) == NULL)
		abort();
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") !=
		    0 && unlinkat(dirfd, de->d_name, 0) != 0)
			abort();
	closedir(d);
}

/* The bytes of a file, or NULL if it is missing (*len then 0). */
static uint8_t *
slurp(int dirfd, const char *name, size_t *len)
{
	struct stat st;
	uint8_t *p;
	int fd;

	*len = 0;
	if ((fd = openat(dirfd, name, O_RDONLY)) < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || (p = malloc((size_t)st.st_size + 1)) ==
	    NULL || pread(fd, p, (size_t)st.st_size, 0) != st.st_size)
		abort();
	close(fd);
	*len = (size_t)st.st_size;
	return p;
}

static int
count_files(int dirfd)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir_at(dirfd)) == NULL)
		abort();
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* Give each whole entry its right checksum, up to the first that is not. */
static void
fix_checksums(uint8_t *b, size_t len)
{
	size_t off = HEADER_LEN, n;

	while (off + 4 <= len) {
		n = le32(b + off);
		if (n == 0 || n > 1 + JOURNAL_REC_MAX ||
		    4 + n + HASH_LEN > len - off)
			return;
		if (crypto_hash(SPA_DIGEST_SHA256, b + off, 4 + n,
		    b + off + 4 + n) != 0)
			abort();
		off += 4 + n + HASH_LEN;
	}
}

/* The file the input stands for (free it). */
static uint8_t *
make_file(const uint8_t *data, size_t size, size_t *len)
{
	bool whole = (data[0] & 1) != 0;
	uint8_t *b;

	*len = size - 1 + (whole ? 0 : HEADER_LEN);
	if ((b = malloc(*len + 1)) == NULL)
		abort();
	if (!whole)
		memcpy(b, HEADER, HEADER_LEN);
	memcpy(b + *len - (size - 1), data + 1, size - 1);
	if ((data[0] & 2) != 0)
		fix_checksums(b, *len);
	return b;
}

static void
write_journal(int dirfd, const uint8_t *b, size_t len)
{
	int fd;

	fd = openat(dirfd, JOURNAL_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || fchmod(fd, 0600) != 0 ||
	    write(fd, b, len) != (ssize_t)len)
		abort();
	close(fd);
}

/* A refused file is left as it was: no copy, no rewrite. */
static void
check_refusal(int dirfd, const uint8_t *b, size_t len, int r)
{
	uint8_t *now;
	size_t n;

	if (r != SPA_ERR_STATE)
		__builtin_trap();
	now = slurp(dirfd, JOURNAL_FILE, &n);
	if (now == NULL || n != len || count_files(dirfd) != 1 ||
	    memcmp(now, b, len) != 0)
		__builtin_trap();
	free(now);
}

static void
load_into(struct journal *j, struct encs *e)
{
	memset(e, 0, sizeof(*e));
	if (journal_load(j, keep, e) != 0 || journal_count(j) != e->n)
		__builtin_trap();
}

static void
load_readonly(const char *dir, struct encs *e)
{
	struct journal *ro;

	if (journal_open_readonly(dir, &ro) != 0)
		__builtin_trap();
	load_into(ro, e);
	journal_close(ro);
}

static void
check_next_id(struct journal *j, const struct encs *e)
{
	uint64_t next = journal_next_id(j), id;
	size_t i;

	for (i = 0; i < e->n; i++)
		if ((id = id_of(e->v[i])) != UINT64_MAX && next <= id)
			__builtin_trap();
}

/*
 * Delete every other record, put the rest again (so they move to the
 * end, in order), sync: the journal and a read-only open now hold what
 * was put, which is left in *want.
 */
static void
rewrite(struct journal *j, const char *dir, const struct encs *e,
    struct encs *want)
{
	static struct journal_rec rec;
	struct encs got;
	size_t i;

	memset(want, 0, sizeof(*want));
	for (i = 0; i < e->n; i++) {
		if (i % 2 == 0) {
			if (journal_del(j, id_of(e->v[i])) != 0)
				__builtin_trap();
			continue;
		}
		if (journal_rec_decode(e->v[i], e->len[i], &rec) != NULL ||
		    journal_put(j, &rec) != 0 || keep(want, &rec) != 0)
			__builtin_trap();
	}
	if (journal_sync(j) != 0 || journal_count(j) != want->n)
		__builtin_trap();
	load_into(j, &got);
	if (!same_encs(&got, want))
		__builtin_trap();
	encs_free(&got);
	load_readonly(dir, &got);
	if (!same_encs(&got, want))
		__builtin_trap();
	encs_free(&got);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = scratch_dir();
	struct encs first, ro, want;
	struct journal *j = NULL;
	uint8_t *file;
	size_t len;
	int dirfd, r;

	if (size == 0 || size > INPUT_MAX)
		return 0;
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
		abort();
	clean(dirfd);
	file = make_file(data, size, &len);
	write_journal(dirfd, file, len);
	r = journal_open(dir, &j);
	if (r != 0)
		check_refusal(dirfd, file, len, r);
	free(file);
	if (r != 0) {
		close(dirfd);
		return 0;
	}
	load_into(j, &first);
	check_next_id(j, &first);
	load_readonly(dir, &ro);
	if (!same_encs(&first, &ro))
		__builtin_trap();
	encs_free(&ro);
	rewrite(j, dir, &first, &want);
	journal_close(j);
	/* and once more through a full open, which compacts */
	if (journal_open(dir, &j) != 0)
		__builtin_trap();
	load_into(j, &ro);
	check_next_id(j, &first);
	journal_close(j);
	if (!same_encs(&ro, &want))
		__builtin_trap();
	encs_free(&ro);
	encs_free(&want);
	encs_free(&first);
	close(dirfd);
	return 0;
}
