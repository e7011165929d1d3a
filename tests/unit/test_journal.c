/*
 * The journal of open cycles, one append-only log (<dir>/cycles.log):
 * round trips, ids, crash safety (real SIGKILLs, a failed append), torn
 * tails, damage skipped with a copy kept, compaction, and files that are
 * not ours refused without being changed.  Damaged entries are made from
 * real ones: one byte changed, the SHA-256 recomputed where the point is
 * to reach a check behind it, so each check is reached on its own.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "err.h"
#include "helpers.h"
#include "journal.h"

/* The file format (see the header of journal.c). */
#define HEADER_LEN	12
#define HASH_LEN	32
#define ENTRY_HEAD	5			/* length + type */
#define ID_ENTRY_LEN	(ENTRY_HEAD + 8 + HASH_LEN)	/* 'D' and 'N' */
#define EMPTY_LEN	(HEADER_LEN + ID_ENTRY_LEN)	/* header + 'N' */
#define ENTRY_MAX	(ENTRY_HEAD + JOURNAL_REC_MAX + HASH_LEN)
#define COMPACT_MIN	(1 << 20)

/* Field offsets of a record (see the header of journal_rec.c). */
#define REC_ID		0
#define REC_STANZA	8
#define REC_MODULE	12
#define REC_FAMILY	28
#define REC_ADDR	29
#define REC_PROTO	45
#define REC_PORT	46
#define REC_OPENED	48
#define REC_HAS_CLOSE	64
#define REC_ARGC	65
#define REC_BUFLEN	67
#define REC_BUF		69

#define SEEN_MAX	64

struct fix {
	char		*top;
	char		*dir;		/* the journal directory, top/cycles */
	char		*path;		/* dir/cycles.log */
};

struct seen {
	struct journal_rec	v[SEEN_MAX];
	size_t			n;
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_non_null(f->top = th_mkdtemp());
	assert_true(asprintf(&f->dir, "%s/cycles", f->top) > 0);
	assert_true(asprintf(&f->path, "%s/%s", f->dir, JOURNAL_FILE) > 0);
	*state = f;
	return 0;
}

/*
 * The log goes to stderr: catch what one call writes there.  Reading the
 * file happens in journal_open, so that is where its reports are.  One
 * capture at a time, in static storage: a failed assertion jumps out
 * before capture_end(), and teardown must still find it.
 */
static struct {
	char	path[32];
	int	fd;
	int	saved;		/* the real stderr; -1: not capturing */
} cap = { "", -1, -1 };

static void
capture_start(void)
{
	assert_int_equal(cap.saved, -1);
	strcpy(cap.path, "/tmp/spagate-log.XXXXXX");
	assert_true((cap.fd = mkstemp(cap.path)) >= 0);
	fflush(stderr);
	assert_true((cap.saved = dup(2)) >= 0);
	assert_int_equal(dup2(cap.fd, 2), 2);
}

/* Stderr back; the log text (free it). */
static char *
capture_end(void)
{
	char *text;

	fflush(stderr);
	dup2(cap.saved, 2);
	close(cap.saved);
	close(cap.fd);
	cap.saved = -1;
	text = th_slurp(cap.path, NULL);
	unlink(cap.path);
	assert_non_null(text);
	return text;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	if (cap.saved != -1) {
		/* a failure while capturing: show what was logged */
		char *log = capture_end();

		fprintf(stderr, "log up to the failure:\n%s", log);
		free(log);
	}
	th_rmtree(f->top);
	free(f->top);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

/* --- records ------------------------------------------------------------- */

static void
sample(struct journal_rec *r, uint64_t id)
{
	const char *words[] = { "iptables", "-D", "INPUT", "-s", "192.0.2.10",
	    "-j", "ACCEPT", NULL };

	memset(r, 0, sizeof(*r));
	r->id = id;
	r->stanza = 3;
	strcpy(r->module, "exec");
	assert_int_equal(addr_parse("192.0.2.10", &r->allow), 0);
	r->proto = IPPROTO_TCP;
	r->port = 22;
	r->opened = 1795343068;
	r->close_at = 1795343098;
	r->has_close = true;
	assert_int_equal(cmd_argv_from(&r->close, words, NULL), 0);
	r->data_len = 3;
	memcpy(r->data, "seq", 3);
}

/* Nearly the largest record: CMD_MAX_ARGS words of 60 bytes. */
static void
long_sample(struct journal_rec *r, uint64_t id)
{
	const char *words[CMD_MAX_ARGS + 1];
	char word[61];
	size_t i;

	sample(r, id);
	memset(word, 'w', 60);
	word[60] = '\0';
	for (i = 0; i < CMD_MAX_ARGS; i++)
		words[i] = word;
	words[CMD_MAX_ARGS] = NULL;
	assert_int_equal(cmd_argv_from(&r->close, words, NULL), 0);
}

/* Bytes of the entry journal_put() writes for `r`. */
static size_t
entry_len_of(const struct journal_rec *r)
{
	uint8_t buf[JOURNAL_REC_MAX];
	size_t n = journal_rec_encode(r, buf, sizeof(buf));

	assert_true(n > 0);
	return ENTRY_HEAD + n + HASH_LEN;
}

static void
assert_same_rec(const struct journal_rec *a, const struct journal_rec *b)
{
	size_t i;

	assert_int_equal(a->id, b->id);
	assert_int_equal(a->stanza, b->stanza);
	assert_string_equal(a->module, b->module);
	assert_int_equal(a->allow.family, b->allow.family);
	assert_true(addr_equal(&a->allow, &b->allow));
	assert_int_equal(a->proto, b->proto);
	assert_int_equal(a->port, b->port);
	assert_true(a->opened == b->opened);
	assert_true(a->close_at == b->close_at);
	assert_int_equal(a->has_close, b->has_close);
	assert_int_equal(a->close.argc, b->close.argc);
	for (i = 0; a->has_close && i < a->close.argc; i++)
		assert_string_equal(a->close.argv[i], b->close.argv[i]);
	assert_int_equal(a->data_len, b->data_len);
	assert_memory_equal(a->data, b->data, a->data_len);
	assert_int_equal(a->reopens, b->reopens);
	assert_int_equal(a->nabsent, b->nabsent);
	assert_memory_equal(a->absent, b->absent, a->nabsent);
}

/* --- opening and loading ------------------------------------------------- */

static int
collect(void *arg, const struct journal_rec *rec)
{
	struct seen *s = arg;

	assert_true(s->n < SEEN_MAX);
	/* the record handed over points into itself */
	if (rec->has_close)
		assert_ptr_equal(rec->close.argv[0], rec->close.buf);
	s->v[s->n] = *rec;
	assert_int_equal(cmd_argv_relink(&s->v[s->n].close), 0);
	s->n++;
	return 0;
}

static void
load_all(struct journal *j, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(journal_load(j, collect, s), 0);
	assert_int_equal(journal_count(j), s->n);
}

/* The live ids, oldest first, are exactly `want`. */
static void
assert_ids(struct journal *j, const uint64_t *want, size_t n)
{
	struct seen *s = malloc(sizeof(*s));
	size_t i;

	assert_non_null(s);
	load_all(j, s);
	assert_int_equal(s->n, n);
	for (i = 0; i < n; i++)
		assert_int_equal(s->v[i].id, want[i]);
	free(s);
}

#define ASSERT_IDS(j, ...)						\
	assert_ids((j), (const uint64_t[]){ __VA_ARGS__ },		\
	    sizeof((const uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t))

static struct journal *
open_ok(struct fix *f)
{
	struct journal *j = NULL;

	assert_int_equal(journal_open(f->dir, &j), 0);
	assert_non_null(j);
	return j;
}

static struct journal *
open_ro(struct fix *f)
{
	struct journal *j = NULL;

	assert_int_equal(journal_open_readonly(f->dir, &j), 0);
	assert_non_null(j);
	return j;
}

/* Sample `id` put at once, or held for the next sync (journal_put_held). */
static void
put_sample_as(struct journal *j, uint64_t id, bool held)
{
	struct journal_rec r;

	sample(&r, id);
	assert_int_equal(held ? journal_put_held(j, &r) : journal_put(j, &r),
	    0);
}

static void
put_sample(struct journal *j, uint64_t id)
{
	put_sample_as(j, id, false);
}

static void
put_held_sample(struct journal *j, uint64_t id)
{
	put_sample_as(j, id, true);
}

/* A journal holding samples 1..n, closed again. */
static void
make_journal(struct fix *f, uint64_t n)
{
	struct journal *j = open_ok(f);
	uint64_t i;

	for (i = 1; i <= n; i++)
		put_sample(j, i);
	journal_close(j);
}

/* Long records from..to put, then every id but multiples of `keep` deleted. */
static void
churn_long(struct journal *j, uint64_t from, uint64_t to, uint64_t keep)
{
	struct journal_rec r;
	uint64_t i;

	long_sample(&r, 1);
	for (i = from; i <= to; i++) {
		r.id = i;
		assert_int_equal(journal_put(j, &r), 0);
	}
	for (i = from; i <= to; i++)
		if (i % keep != 0)
			assert_int_equal(journal_del(j, i), 0);
}

static void
assert_not_logged(const char *log, const char *what)
{
	if (strstr(log, what) != NULL)
		fail_msg("did not expect \"%s\" in the log, got: %s", what,
		    log);
}

/* journal_open, with what it logged in *log (free it). */
static struct journal *
open_logged(struct fix *f, char **log)
{
	struct journal *j = NULL;
	int r;

	capture_start();
	r = journal_open(f->dir, &j);
	*log = capture_end();
	if (r != 0)
		fail_msg("journal_open: %d; log: %s", r, *log);
	return j;
}

/* Both kinds of open fail with SPA_ERR_STATE, giving `reason`. */
static void
assert_refused(struct fix *f, const char *reason)
{
	struct journal *j = NULL;
	char *log;

	capture_start();
	assert_int_equal(journal_open(f->dir, &j), SPA_ERR_STATE);
	assert_null(j);
	assert_int_equal(journal_open_readonly(f->dir, &j), SPA_ERR_STATE);
	assert_null(j);
	log = capture_end();
	th_assert_logged(log, reason);
	free(log);
}

/* --- the directory and its files ----------------------------------------- */

static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static char *
in_dir(struct fix *f, const char *name)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%s", f->dir, name) > 0);
	return p;
}

static bool
exists_in_dir(struct fix *f, const char *name)
{
	char *p = in_dir(f, name);
	bool r = exists(p);

	free(p);
	return r;
}

static off_t
file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

static uint8_t *
file_bytes(const char *path, size_t *len)
{
	uint8_t *p = (uint8_t *)th_slurp(path, len);

	assert_non_null(p);
	return p;
}

static void
write_bytes(const char *path, const void *p, size_t len, mode_t mode)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

/* Add bytes at the end of cycles.log, as a write cut short would. */
static void
append_raw(struct fix *f, const void *p, size_t len)
{
	int fd;

	assert_true((fd = open(f->path, O_WRONLY | O_APPEND)) >= 0);
	assert_int_equal(write(fd, p, len), (ssize_t)len);
	close(fd);
}

/* Flip one bit of cycles.log at `off` (the checksum no longer holds). */
static void
flip_byte(struct fix *f, size_t off)
{
	uint8_t b;
	int fd;

	assert_true((fd = open(f->path, O_RDWR)) >= 0);
	assert_int_equal(pread(fd, &b, 1, (off_t)off), 1);
	b ^= 0x40;
	assert_int_equal(pwrite(fd, &b, 1, (off_t)off), 1);
	close(fd);
}

static int
dot(const struct dirent *de)
{
	return strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
}

/* Every name in the directory with its mode, size and SHA-256. */
static char *
snapshot(struct fix *f)
{
	struct dirent **v;
	struct stat st;
	uint8_t hash[HASH_LEN], *bytes;
	size_t sz, len, k;
	char *out = NULL, *p;
	FILE *fp;
	int i, n;

	assert_non_null(fp = open_memstream(&out, &sz));
	assert_true((n = scandir(f->dir, &v, dot, alphasort)) >= 0);
	for (i = 0; i < n; i++) {
		p = in_dir(f, v[i]->d_name);
		assert_int_equal(lstat(p, &st), 0);
		fprintf(fp, "%s %o %lld ", v[i]->d_name, (unsigned)st.st_mode,
		    (long long)st.st_size);
		if (S_ISREG(st.st_mode)) {
			bytes = file_bytes(p, &len);
			assert_int_equal(crypto_hash(SPA_DIGEST_SHA256, bytes,
			    len, hash), 0);
			for (k = 0; k < HASH_LEN; k++)
				fprintf(fp, "%02x", hash[k]);
			free(bytes);
		}
		fputc('\n', fp);
		free(p);
		free(v[i]);
	}
	free(v);
	fclose(fp);
	return out;
}

static int
count_prefix(struct fix *f, const char *prefix)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	assert_non_null(d = opendir(f->dir));
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static int
bad_copies(struct fix *f)
{
	return count_prefix(f, JOURNAL_FILE ".bad");
}

/* --- files made by hand -------------------------------------------------- */

static void
le_put(uint8_t *p, uint64_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t
le_get(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

/* An entry around `payload`, with its correct SHA-256; its length. */
static size_t
frame_entry(uint8_t type, const void *payload, size_t len, uint8_t *out)
{
	le_put(out, len + 1, 4);
	out[4] = type;
	memcpy(out + ENTRY_HEAD, payload, len);
	assert_int_equal(crypto_hash(SPA_DIGEST_SHA256, out, ENTRY_HEAD + len,
	    out + ENTRY_HEAD + len), 0);
	return ENTRY_HEAD + len + HASH_LEN;
}

/* A journal file built entry by entry; at[] says where each one starts. */
struct image {
	uint8_t	b[1 << 16];
	size_t	n;
	size_t	at[16];
	size_t	count;
};

static struct image *
image_new(void)
{
	struct image *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	memcpy(m->b, "SPAGJRN2", 8);
	le_put(m->b + 8, 2, 4);
	m->n = HEADER_LEN;
	return m;
}

static void
image_entry(struct image *m, uint8_t type, const void *payload, size_t len)
{
	assert_true(m->n + ENTRY_MAX <= sizeof(m->b));
	assert_true(m->count < 16);
	m->at[m->count++] = m->n;
	m->n += frame_entry(type, payload, len, m->b + m->n);
}

static void
image_id(struct image *m, uint8_t type, uint64_t id)
{
	uint8_t v[8];

	le_put(v, id, 8);
	image_entry(m, type, v, sizeof(v));
}

/* Sample `id`, its encoding changed by `mutate` (if any) before framing. */
static void
image_rec(struct image *m, uint64_t id, void (*mutate)(uint8_t *, size_t *))
{
	struct journal_rec r;
	uint8_t buf[JOURNAL_REC_MAX + 512];
	size_t n;

	sample(&r, id);
	assert_true((n = journal_rec_encode(&r, buf, JOURNAL_REC_MAX)) > 0);
	if (mutate != NULL)
		mutate(buf, &n);
	image_entry(m, 'P', buf, n);
}

/* Install the image as cycles.log, in a directory as the journal makes it. */
static void
image_write(struct fix *f, const struct image *m)
{
	if (mkdir(f->dir, 0700) != 0)
		assert_int_equal(errno, EEXIST);
	write_bytes(f->path, m->b, m->n, 0600);
}

/* Where the entries of a file journal_open wrote start (the 'N' first). */
static size_t
entry_offsets(struct fix *f, size_t *at, size_t max)
{
	uint8_t *b;
	size_t len, off = HEADER_LEN, n = 0;

	b = file_bytes(f->path, &len);
	while (off + 4 <= len && n < max) {
		at[n++] = off;
		off += 4 + (size_t)le_get(b + off, 4) + HASH_LEN;
	}
	assert_int_equal(off, len);
	free(b);
	return n;
}

/* --- round trips --------------------------------------------------------- */

/* Every field at the edges of its range, IPv6, across a reopen. */
static void
round_trip_every_field(void **state)
{
	struct journal *j = open_ok(*state);
	const char *words[CMD_MAX_ARGS + 1];
	struct journal_rec r;
	struct seen s;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.id = 0x0123456789abcdefULL;
	r.stanza = 0xfffffffeU;
	strcpy(r.module, "cisco_rtr-9");
	assert_int_equal(addr_parse("2001:db8::ff:1", &r.allow), 0);
	r.proto = IPPROTO_UDP;
	r.port = 65535;
	r.opened = -5;			/* signed */
	r.close_at = INT64_C(0x7fffffff00000001);
	r.has_close = true;
	for (i = 0; i < CMD_MAX_ARGS; i++)
		/* an empty word; UTF-8 and quotes are plain bytes */
		words[i] = i == 5 ? "" : "w\xc3\xa9 'x'";
	words[CMD_MAX_ARGS] = NULL;
	assert_int_equal(cmd_argv_from(&r.close, words, NULL), 0);
	r.data_len = JOURNAL_DATA_MAX;
	for (i = 0; i < JOURNAL_DATA_MAX; i++)
		r.data[i] = (uint8_t)(i * 7);
	assert_int_equal(journal_put(j, &r), 0);
	load_all(j, &s);
	assert_int_equal(s.n, 1);
	assert_same_rec(&s.v[0], &r);
	journal_close(j);
	j = open_ok(*state);
	load_all(j, &s);
	assert_int_equal(s.n, 1);
	assert_same_rec(&s.v[0], &r);
	journal_close(j);
}

/* The close-runs block: extra opens and absent statuses survive. */
static void
round_trip_close_runs(void **state)
{
	struct journal *j = open_ok(*state);
	struct journal_rec r, plain;
	uint8_t a[JOURNAL_REC_MAX], b[JOURNAL_REC_MAX];
	struct seen s;

	sample(&plain, 4);
	sample(&r, 4);
	r.reopens = 255;
	r.nabsent = JOURNAL_ABSENT_MAX;
	memcpy(r.absent, (uint8_t[]){ 1, 2, 100, 255 }, JOURNAL_ABSENT_MAX);
	/* present only when it says something: one encoding per record */
	assert_int_equal(journal_rec_encode(&r, a, sizeof(a)),
	    journal_rec_encode(&plain, b, sizeof(b)) + 2 + JOURNAL_ABSENT_MAX);
	assert_int_equal(journal_put(j, &r), 0);
	journal_close(j);
	j = open_ok(*state);
	load_all(j, &s);
	assert_int_equal(s.n, 1);
	assert_same_rec(&s.v[0], &r);
	journal_close(j);
}

/* A record written before the block existed reads with none. */
static void
record_without_close_runs_reads_as_one_run(void **state)
{
	struct journal_rec r, out;
	uint8_t buf[JOURNAL_REC_MAX];
	size_t n;

	(void)state;
	sample(&r, 5);
	n = journal_rec_encode(&r, buf, sizeof(buf));
	assert_null(journal_rec_decode(buf, n, &out));
	assert_int_equal(out.reopens, 0);
	assert_int_equal(out.nabsent, 0);
}

static void
bad_close_runs_blocks_refused(void **state)
{
	struct journal_rec r, out;
	uint8_t buf[JOURNAL_REC_MAX];
	size_t n;

	(void)state;
	sample(&r, 6);
	r.nabsent = 2;
	r.absent[0] = 3;
	r.absent[1] = 1;	/* not increasing */
	assert_non_null(journal_rec_check(&r));
	r.absent[1] = 3;	/* repeated */
	assert_non_null(journal_rec_check(&r));
	r.absent[0] = 0;	/* 0 is success, never "absent" */
	r.absent[1] = 1;
	assert_non_null(journal_rec_check(&r));
	r.absent[0] = 1;
	r.absent[1] = 2;
	assert_null(journal_rec_check(&r));
	n = journal_rec_encode(&r, buf, sizeof(buf));
	buf[n - 4] = 0;		/* reopens 0 */
	buf[n - 3] = 0;		/* and no statuses: an empty block */
	assert_string_equal(journal_rec_decode(buf, n - 2, &out),
	    "empty close-runs block");
	buf[n - 3] = JOURNAL_ABSENT_MAX + 1;
	assert_non_null(journal_rec_decode(buf, n, &out));
	buf[n - 3] = 2;
	assert_non_null(journal_rec_decode(buf, n - 1, &out));	/* short */
	buf[n - 1] = 1;		/* 1, 1: not increasing */
	assert_non_null(journal_rec_decode(buf, n, &out));
}

/* CMD_CYCLE_CLOSE NONE: no command, no port, no data. */
static void
round_trip_without_close_command(void **state)
{
	struct journal *j = open_ok(*state);
	struct journal_rec r;
	struct seen s;
	int pass;

	sample(&r, 2);
	r.has_close = false;
	strcpy(r.module, "none");
	r.proto = 0;		/* a grant without a port */
	r.port = 0;
	r.data_len = 0;
	/* garbage after the name's NUL is not written */
	memcpy(r.module + 5, "XYZ", 3);
	assert_int_equal(journal_put(j, &r), 0);
	for (pass = 0; pass < 2; pass++) {
		load_all(j, &s);
		assert_int_equal(s.n, 1);
		assert_false(s.v[0].has_close);
		assert_int_equal(s.v[0].close.argc, 0);
		assert_string_equal(s.v[0].module, "none");
		assert_int_equal(s.v[0].proto, 0);
		assert_int_equal(s.v[0].port, 0);
		assert_int_equal(s.v[0].data_len, 0);
		journal_close(j);
		j = open_ok(*state);
	}
	journal_close(j);
}

/* IPv4 and IPv6 side by side; the unused IPv4 bytes are not kept. */
static void
round_trip_both_families(void **state)
{
	struct journal *j = open_ok(*state);
	struct journal_rec a, b;
	struct seen s;

	sample(&a, 1);
	memset(a.allow.bytes + 4, 0xee, 12);
	sample(&b, 2);
	assert_int_equal(addr_parse("2001:db8::c000:20a", &b.allow), 0);
	assert_int_equal(journal_put(j, &a), 0);
	assert_int_equal(journal_put(j, &b), 0);
	journal_close(j);
	j = open_ok(*state);
	load_all(j, &s);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[0].allow.family, AF_INET);
	assert_memory_equal(s.v[0].allow.bytes, a.allow.bytes, 4);
	assert_true(addr_equal(&s.v[0].allow, &a.allow));
	assert_int_equal(s.v[1].allow.family, AF_INET6);
	assert_true(addr_equal(&s.v[1].allow, &b.allow));
	assert_false(addr_equal(&s.v[0].allow, &s.v[1].allow));
	journal_close(j);
}

static void
put_replaces_same_id(void **state)
{
	struct journal *j = open_ok(*state);
	struct journal_rec r;
	struct seen s;
	int pass;

	sample(&r, 1);
	assert_int_equal(journal_put(j, &r), 0);
	r.close_at += 100;
	r.data_len = 1;
	assert_int_equal(journal_put(j, &r), 0);
	for (pass = 0; pass < 2; pass++) {
		load_all(j, &s);
		assert_int_equal(s.n, 1);
		assert_true(s.v[0].close_at == 1795343198);
		assert_int_equal(s.v[0].data_len, 1);
		journal_close(j);
		j = open_ok(*state);
	}
	journal_close(j);
}

static void
del_removes_only_that_record(void **state)
{
	struct journal *j = open_ok(*state);

	put_sample(j, 1);
	put_sample(j, 2);
	put_sample(j, 3);
	assert_int_equal(journal_del(j, 2), 0);
	ASSERT_IDS(j, 1, 3);
	journal_close(j);
	j = open_ok(*state);
	ASSERT_IDS(j, 1, 3);
	journal_close(j);
}

/* Nothing to remove: not an error, and not a byte written. */
static void
del_of_missing_id_writes_nothing(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);
	off_t size;

	put_sample(j, 1);
	assert_int_equal(journal_del(j, 1), 0);
	size = file_size(f->path);
	assert_int_equal(journal_del(j, 77), 0);
	assert_int_equal(journal_del(j, 1), 0);		/* already gone */
	assert_int_equal(journal_del(j, 0), 0);
	assert_int_equal(file_size(f->path), size);
	assert_int_equal(journal_count(j), 0);
	journal_close(j);
}

/* One way a record can be wrong, as journal_rec_check() names it. */
struct bad_rec {
	void		 (*spoil)(struct journal_rec *);
	const char	  *why;
};

static void s_family(struct journal_rec *r) { r->allow.family = AF_UNSPEC; }
static void s_stanza(struct journal_rec *r) { r->stanza = 0; }
static void s_proto(struct journal_rec *r) { r->proto = 1; }
static void s_port(struct journal_rec *r) { r->port = 0; }
static void s_close_at(struct journal_rec *r) { r->close_at = r->opened - 1; }
static void s_module(struct journal_rec *r) { strcpy(r->module, "Exec"); }
static void s_module_empty(struct journal_rec *r) { r->module[0] = '\0'; }
static void s_argc_zero(struct journal_rec *r) { r->close.argc = 0; }
static void s_data_len(struct journal_rec *r) { r->data_len = 257; }

static void
s_port_without_proto(struct journal_rec *r)
{
	r->proto = 0;
}

/* No NUL before the end of the name's 16 bytes. */
static void
s_module_unterminated(struct journal_rec *r)
{
	memset(r->module, 'a', sizeof(r->module));
}

static void
s_argc_over_max(struct journal_rec *r)
{
	r->close.argc = CMD_MAX_ARGS + 1;
}

/* The words run to the end of the buffer without a NUL. */
static void
s_argv_unterminated(struct journal_rec *r)
{
	memset(r->close.buf, 'x', sizeof(r->close.buf));
}

static void
put_refuses_invalid_records_without_writing(void **state)
{
	static const struct bad_rec bad[] = {
		{ s_family, "bad address family" },
		{ s_stanza, "bad stanza number" },
		{ s_proto, "bad protocol" },
		{ s_port, "bad port" },
		{ s_port_without_proto, "bad port" },
		{ s_close_at, "close time before open time" },
		{ s_module, "bad module name" },
		{ s_module_empty, "bad module name" },
		{ s_module_unterminated, "bad module name" },
		{ s_argc_zero, "bad close command" },
		{ s_argc_over_max, "bad close command" },
		{ s_argv_unterminated, "bad close command" },
		{ s_data_len, "module data too long" },
	};
	struct fix *f = *state;
	struct journal *j = open_ok(f);
	struct journal_rec r;
	off_t size = file_size(f->path);
	uint64_t next;
	size_t i;
	char *log;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sample(&r, 4);
		bad[i].spoil(&r);
		assert_string_equal(journal_rec_check(&r), bad[i].why);
		capture_start();
		assert_int_equal(journal_put(j, &r), SPA_ERR_ARG);
		log = capture_end();
		th_assert_logged(log, bad[i].why);
		free(log);
		assert_int_equal(file_size(f->path), size);
		assert_int_equal(journal_count(j), 0);
	}
	/* not written, so its id was never held */
	next = journal_next_id(j);
	assert_true(next < 4);
	journal_close(j);
}

/* Id 0 marks a free slot of the index: no record may have it. */
static void
put_refuses_id_zero(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);
	struct journal_rec r;
	off_t size = file_size(f->path);

	sample(&r, 0);
	assert_non_null(journal_rec_check(&r));
	assert_int_equal(journal_put(j, &r), SPA_ERR_ARG);
	assert_int_equal(file_size(f->path), size);
	assert_int_equal(journal_count(j), 0);
	journal_close(j);
}

/* --- order and count ----------------------------------------------------- */

static int
stop_at_first(void *arg, const struct journal_rec *rec)
{
	(void)rec;
	(*(int *)arg)++;
	return 42;
}

static void
load_returns_the_callbacks_value(void **state)
{
	struct journal *j = open_ok(*state);
	int calls = 0;

	put_sample(j, 1);
	put_sample(j, 2);
	assert_int_equal(journal_load(j, stop_at_first, &calls), 42);
	assert_int_equal(calls, 1);
	journal_close(j);
}

/* Oldest first: the order of the last put of each id, not of the ids. */
static void
load_order_is_oldest_first(void **state)
{
	struct journal *j = open_ok(*state);

	put_sample(j, 30);
	put_sample(j, 10);
	put_sample(j, 20);
	ASSERT_IDS(j, 30, 10, 20);
	put_sample(j, 30);		/* replaced: now the newest */
	ASSERT_IDS(j, 10, 20, 30);
	journal_close(j);
	j = open_ok(*state);		/* compaction keeps the order */
	ASSERT_IDS(j, 10, 20, 30);
	journal_close(j);
}

static void
count_follows_puts_and_dels(void **state)
{
	struct journal *j = open_ok(*state);

	assert_int_equal(journal_count(j), 0);
	put_sample(j, 1);
	put_sample(j, 2);
	put_sample(j, 2);
	assert_int_equal(journal_count(j), 2);
	assert_int_equal(journal_del(j, 1), 0);
	assert_int_equal(journal_count(j), 1);
	assert_int_equal(journal_del(j, 1), 0);
	assert_int_equal(journal_count(j), 1);
	journal_close(j);
	j = open_ok(*state);
	assert_int_equal(journal_count(j), 1);
	journal_close(j);
}

/* Many ids: the index grows and deletes without losing any. */
static void
index_keeps_thousands_of_ids(void **state)
{
	struct journal *j = open_ok(*state);
	struct journal_rec r;
	uint64_t i;

	sample(&r, 1);
	for (i = 1; i <= 3000; i++) {
		r.id = i * 0x10001;	/* spread, colliding homes likely */
		assert_int_equal(journal_put(j, &r), 0);
	}
	for (i = 1; i <= 3000; i++)
		if (i % 3 != 0)
			assert_int_equal(journal_del(j, i * 0x10001), 0);
	assert_int_equal(journal_count(j), 1000);
	for (i = 1; i <= 3000; i++)
		if (i % 3 == 0)
			assert_int_equal(journal_del(j, i * 0x10001), 0);
	assert_int_equal(journal_count(j), 0);
	journal_close(j);
}

/* --- ids ----------------------------------------------------------------- */

static void
next_id_starts_above_zero_when_empty(void **state)
{
	struct journal *j = open_ok(*state);
	uint64_t a = journal_next_id(j);

	assert_true(a >= 1);
	assert_true(journal_next_id(j) > a);
	journal_close(j);
}

static void
next_id_passes_every_id_put(void **state)
{
	struct journal *j = open_ok(*state);
	uint64_t a;

	put_sample(j, 41);
	put_sample(j, 0x123456789ULL);
	put_sample(j, 7);
	a = journal_next_id(j);
	assert_true(a > 0x123456789ULL);
	assert_true(journal_next_id(j) > a);
	journal_close(j);
	j = open_ok(*state);
	assert_true(journal_next_id(j) > 0x123456789ULL);
	journal_close(j);
}

/* Put 1..5, delete 5: 5 was held, so it is never handed out again. */
static void
next_id_passes_deleted_ids_after_reopen(void **state)
{
	struct journal *j;
	uint64_t i;

	make_journal(*state, 5);
	j = open_ok(*state);
	assert_int_equal(journal_del(j, 5), 0);
	journal_close(j);
	j = open_ok(*state);	/* compacted: the 'D' entry is gone */
	assert_true(journal_next_id(j) > 5);
	for (i = 1; i <= 4; i++)
		assert_int_equal(journal_del(j, i), 0);
	journal_close(j);
	j = open_ok(*state);	/* no record left: only the 'N' entry */
	journal_close(j);
	j = open_ok(*state);
	assert_int_equal(journal_count(j), 0);
	assert_true(journal_next_id(j) > 5);
	journal_close(j);
}

/* The 'N' entry of a runtime compaction keeps ids no record holds now. */
static void
next_id_survives_compaction(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);

	churn_long(j, 1, 300, 1000);		/* all deleted */
	assert_int_equal(journal_sync(j), 0);
	assert_int_equal(file_size(f->path), EMPTY_LEN);
	journal_close(j);
	j = open_ok(f);
	assert_true(journal_next_id(j) > 300);
	journal_close(j);
}

/* A file written elsewhere: its 'N' and 'D' ids count, not only 'P'. */
static void
next_id_from_next_and_del_entries(void **state)
{
	struct fix *f = *state;
	struct image *m = image_new();
	struct journal *j;

	image_id(m, 'N', 1000);
	image_rec(m, 3, NULL);
	image_id(m, 'D', 5000);		/* of a record not in the file */
	image_write(f, m);
	j = open_ok(f);
	ASSERT_IDS(j, 3);
	assert_true(journal_next_id(j) > 5000);
	journal_close(j);
	m->n = HEADER_LEN;
	m->count = 0;
	image_id(m, 'N', 1000);
	image_rec(m, 3, NULL);
	image_write(f, m);
	j = open_ok(f);
	assert_true(journal_next_id(j) >= 1000);
	journal_close(j);
	free(m);
}

/* --- crashes ------------------------------------------------------------- */

#define CHURN_IDS	3000

/* What the child reports after each journal call returned. */
struct progress {
	uint64_t	id;
	char		op;		/* 'P' put, 'D' del */
};

struct outcome {
	bool		put[CHURN_IDS + 2];
	bool		del[CHURN_IDS + 2];
	uint64_t	last;		/* highest id whose put returned */
	size_t		msgs;
};

static void
report(int fd, char op, uint64_t id)
{
	struct progress p;

	memset(&p, 0, sizeof(p));
	p.op = op;
	p.id = id;
	if (write(fd, &p, sizeof(p)) != (ssize_t)sizeof(p))
		_exit(3);
}

/*
 * The child: puts 1..CHURN_IDS, deleting the one before every third,
 * never syncing, then kills itself.  The record is made by the parent:
 * nothing here may fail a CMocka assertion in the wrong process.
 */
static void
churn(const char *dir, struct journal_rec *r, int fd)
{
	struct journal *j;
	uint64_t i;

	if (journal_open(dir, &j) != 0)
		_exit(1);
	for (i = 1; i <= CHURN_IDS; i++) {
		r->id = i;
		if (journal_put(j, r) != 0)
			_exit(2);
		report(fd, 'P', i);
		if (i % 3 == 0) {
			if (journal_del(j, i - 1) != 0)
				_exit(2);
			report(fd, 'D', i - 1);
		}
	}
	kill(getpid(), SIGKILL);
	_exit(4);
}

static pid_t
spawn_churn(struct fix *f, int *rfd)
{
	struct journal_rec r;
	int p[2];
	pid_t pid;

	sample(&r, 1);
	assert_int_equal(pipe(p), 0);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		close(p[0]);
		churn(f->dir, &r, p[1]);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

/* Read up to `max` reports (all of them, to EOF, if max is 0). */
static void
read_progress(int fd, struct outcome *o, size_t max)
{
	struct progress p;
	size_t n = 0;

	while (max == 0 || n < max) {
		if (read(fd, &p, sizeof(p)) != (ssize_t)sizeof(p))
			break;
		assert_true(p.id >= 1 && p.id <= CHURN_IDS);
		if (p.op == 'P') {
			o->put[p.id] = true;
			o->last = p.id;
		} else
			o->del[p.id] = true;
		n++;
	}
	o->msgs += n;
}

static int
mark_id(void *arg, const struct journal_rec *rec)
{
	bool *present = arg;

	assert_true(rec->id >= 1 && rec->id <= CHURN_IDS);
	assert_int_equal(rec->port, 22);
	present[rec->id] = true;
	return 0;
}

/*
 * Every put that returned is there, every del that returned is gone;
 * only the one call in flight may have gone either way: the put of the
 * id after the last, or the del that follows every third put.  A kill
 * tears at most the last entry: no damage, no copy kept.
 */
static void
assert_outcome(struct fix *f, const struct outcome *o)
{
	static bool present[CHURN_IDS + 2];
	struct journal *j;
	uint64_t id;
	char *log;

	memset(present, 0, sizeof(present));
	j = open_logged(f, &log);
	assert_int_equal(journal_load(j, mark_id, present), 0);
	for (id = 1; id <= CHURN_IDS; id++) {
		if (o->del[id])
			assert_false(present[id]);
		else if (o->put[id]) {
			if (!(o->last % 3 == 0 && id == o->last - 1))
				assert_true(present[id]);
		} else if (present[id])
			assert_int_equal(id, o->last + 1);
	}
	assert_not_logged(log, "damaged");
	assert_int_equal(bad_copies(f), 0);
	free(log);
	journal_close(j);
}

/* Killed at random moments of its puts and dels: nothing returned is lost. */
static void
records_survive_sigkill_at_random_points(void **state)
{
	static struct outcome o;
	struct fix *f = *state;
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	int round, fd, status;
	pid_t pid;

	print_message("# sigkill rounds: seed %u\n", seed);
	srandom(seed);
	for (round = 0; round < 8; round++) {
		memset(&o, 0, sizeof(o));
		th_rmtree(f->dir);
		pid = spawn_churn(f, &fd);
		read_progress(fd, &o, 1 + (size_t)random() % 3000);
		assert_int_equal(kill(pid, SIGKILL), 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		read_progress(fd, &o, 0);	/* written before it died */
		close(fd);
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), SIGKILL);
		assert_true(o.msgs > 0);
		assert_outcome(f, &o);
	}
}

/* Killed right after its last call: everything is there, nothing more. */
static void
records_survive_sigkill_after_last_put(void **state)
{
	static struct outcome o;
	struct fix *f = *state;
	struct journal *j;
	int fd, status;
	pid_t pid;

	memset(&o, 0, sizeof(o));
	pid = spawn_churn(f, &fd);
	read_progress(fd, &o, 0);
	close(fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(o.last, CHURN_IDS);
	assert_outcome(f, &o);
	j = open_ok(f);
	assert_int_equal(journal_count(j), CHURN_IDS - CHURN_IDS / 3);
	journal_close(j);
}

/* The size of a file, for a child: -1 rather than an assertion. */
static off_t
size_or_fail(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/*
 * A write that fails halfway (the file size limit, SIGXFSZ ignored) is
 * cut off again: the file keeps no partial entry and appends go on.  In a
 * child: the limit and the signal must not reach the test runner.
 */
static void
failed_append_leaves_no_partial_entry(void **state)
{
	struct fix *f = *state;
	struct journal_rec r;
	struct journal *j;
	struct rlimit rl;
	char *log;
	int status, null;
	off_t s0;
	pid_t pid;

	sample(&r, 1);
	assert_true(entry_len_of(&r) > ID_ENTRY_LEN + 20);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		if ((null = open("/dev/null", O_WRONLY)) < 0 ||
		    dup2(null, 2) != 2 || signal(SIGXFSZ, SIG_IGN) == SIG_ERR ||
		    journal_open(f->dir, &j) != 0 || journal_put(j, &r) != 0)
			_exit(1);
		s0 = size_or_fail(f->path);
		/* room for a 'D' entry and 20 bytes, not for a record */
		rl.rlim_cur = rl.rlim_max = (rlim_t)s0 + ID_ENTRY_LEN + 20;
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(1);
		r.id = 2;
		if (journal_put(j, &r) != SPA_ERR_STATE ||
		    size_or_fail(f->path) != s0)
			_exit(10);
		if (journal_del(j, 1) != 0 ||
		    size_or_fail(f->path) != s0 + ID_ENTRY_LEN)
			_exit(11);
		r.id = 3;
		if (journal_put(j, &r) != SPA_ERR_STATE ||
		    size_or_fail(f->path) != s0 + ID_ENTRY_LEN ||
		    journal_count(j) != 0 || journal_sync(j) != 0)
			_exit(12);
		journal_close(j);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	j = open_logged(f, &log);
	assert_int_equal(journal_count(j), 0);
	assert_not_logged(log, "incomplete");
	assert_not_logged(log, "damaged");
	assert_int_equal(bad_copies(f), 0);
	free(log);
	journal_close(j);
}

/* --- held records (journal_put_held) ----------------------------------- */

/* Live records a reader of the file finds now. */
static size_t
on_file(struct fix *f)
{
	struct journal *ro = open_ro(f);
	size_t n = journal_count(ro);

	journal_close(ro);
	return n;
}

/* A held record is live at once, in the file only from the sync on. */
static void
held_put_is_written_by_the_sync(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);
	off_t s0 = size_or_fail(f->path);
	struct journal_rec r1, r2;

	sample(&r1, 1);
	sample(&r2, 2);
	put_held_sample(j, 1);
	put_held_sample(j, 2);
	assert_int_equal(journal_count(j), 2);
	assert_int_equal(size_or_fail(f->path), s0);
	assert_int_equal(journal_sync(j), 0);
	assert_int_equal(size_or_fail(f->path), s0 +
	    (off_t)(entry_len_of(&r1) + entry_len_of(&r2)));
	assert_int_equal(on_file(f), 2);
	ASSERT_IDS(j, 1, 2);
	journal_close(j);
	j = open_ok(f);
	ASSERT_IDS(j, 1, 2);
	journal_close(j);
}

/* An append written at once writes the held ones first: the file's order. */
static void
append_writes_the_held_records_first(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);

	put_held_sample(j, 1);
	put_sample(j, 2);
	assert_int_equal(on_file(f), 2);
	assert_int_equal(journal_del(j, 1), 0);
	put_held_sample(j, 3);
	journal_close(j);	/* writes what it holds */
	j = open_ok(f);
	ASSERT_IDS(j, 2, 3);
	journal_close(j);
}

/*
 * The held records' write fails (the file size limit): the sync fails,
 * they are forgotten, the file keeps no part of them and the journal
 * goes on.  In a child, as failed_append_leaves_no_partial_entry.
 */
static void
failed_held_write_forgets_them(void **state)
{
	struct fix *f = *state;
	struct journal_rec r;
	struct journal *j;
	struct rlimit rl;
	int status, null;
	off_t s0;
	pid_t pid;

	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		if ((null = open("/dev/null", O_WRONLY)) < 0 ||
		    dup2(null, 2) != 2 || signal(SIGXFSZ, SIG_IGN) == SIG_ERR ||
		    journal_open(f->dir, &j) != 0)
			_exit(1);
		sample(&r, 1);
		if (journal_put(j, &r) != 0 || journal_sync(j) != 0)
			_exit(2);
		s0 = size_or_fail(f->path);
		/* room for one more record, not for two */
		rl.rlim_cur = rl.rlim_max = (rlim_t)s0 + entry_len_of(&r) + 20;
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(3);
		r.id = 2;
		if (journal_put_held(j, &r) != 0)
			_exit(4);
		r.id = 3;
		if (journal_put_held(j, &r) != 0 || journal_count(j) != 3)
			_exit(5);
		if (journal_sync(j) != SPA_ERR_STATE ||
		    size_or_fail(f->path) != s0 || journal_count(j) != 1)
			_exit(10);
		if (journal_del(j, 2) != 0 ||	/* forgotten: nothing to do */
		    size_or_fail(f->path) != s0)
			_exit(11);
		r.id = 4;	/* one record fits: the journal goes on */
		if (journal_put(j, &r) != 0 || journal_sync(j) != 0 ||
		    journal_count(j) != 2)
			_exit(12);
		journal_close(j);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	j = open_ok(f);
	ASSERT_IDS(j, 1, 4);
	assert_int_equal(bad_copies(f), 0);
	journal_close(j);
}

/* A compaction killed before its rename leaves cycles.log.new: removed. */
static void
stale_new_file_removed(void **state)
{
	struct fix *f = *state;
	struct journal *j;
	char *stale;

	make_journal(f, 2);
	stale = in_dir(f, JOURNAL_FILE ".new");
	write_bytes(stale, "half a compaction", 17, 0600);
	j = open_ok(f);
	ASSERT_IDS(j, 1, 2);
	assert_false(exists(stale));
	free(stale);
	journal_close(j);
}

/* --- torn tails ---------------------------------------------------------- */

/*
 * Samples 1..3, then `cut` bytes of the entry of sample 4 appended: a
 * write cut short.  Open drops them with an info line, keeps no copy and
 * compacts the file to what it held before.
 */
static void
assert_torn_tail_dropped(struct fix *f, size_t cut)
{
	uint8_t entry[ENTRY_MAX], enc[JOURNAL_REC_MAX];
	struct journal_rec r;
	struct journal *j;
	off_t before;
	size_t n;
	char *log;

	th_rmtree(f->dir);
	make_journal(f, 3);
	before = file_size(f->path);
	sample(&r, 4);
	n = journal_rec_encode(&r, enc, sizeof(enc));
	n = frame_entry('P', enc, n, entry);
	assert_true(cut < n);
	append_raw(f, entry, cut);
	j = open_logged(f, &log);
	ASSERT_IDS(j, 1, 2, 3);
	th_assert_logged(log, "info: journal");
	th_assert_logged(log, "incomplete last entry");
	assert_not_logged(log, "warning");
	assert_int_equal(bad_copies(f), 0);
	assert_int_equal(file_size(f->path), before);
	assert_int_equal(file_size(f->path), EMPTY_LEN + 3 * entry_len_of(&r));
	free(log);
	put_sample(j, 5);		/* appended after the cut, not the tail */
	journal_close(j);
	j = open_logged(f, &log);
	ASSERT_IDS(j, 1, 2, 3, 5);
	assert_string_equal(log, "");
	free(log);
	journal_close(j);
}

static void
torn_tail_partial_entry_dropped(void **state)
{
	assert_torn_tail_dropped(*state, 10);
}

static void
torn_tail_length_field_only_dropped(void **state)
{
	assert_torn_tail_dropped(*state, 4);
}

/* Every cut of the last entry: inside the length, the payload, the hash. */
static void
torn_tail_of_any_length_dropped(void **state)
{
	struct journal_rec r;
	size_t n, cut;

	sample(&r, 4);
	n = entry_len_of(&r);
	for (cut = 1; cut < n; cut += cut < 8 ? 1 : 13)
		assert_torn_tail_dropped(*state, cut);
	assert_torn_tail_dropped(*state, n - HASH_LEN);
	assert_torn_tail_dropped(*state, n - 1);
}

/* A whole last entry with a wrong checksum was not cut short: damage. */
static void
bad_checksum_of_last_entry_is_damage(void **state)
{
	struct fix *f = *state;
	struct journal *j;
	size_t at[8];
	char *log;

	make_journal(f, 3);
	assert_int_equal(entry_offsets(f, at, 8), 4);
	flip_byte(f, at[3] + 20);
	j = open_logged(f, &log);
	ASSERT_IDS(j, 1, 2);
	th_assert_logged(log, "damaged bytes");
	assert_int_equal(bad_copies(f), 1);
	free(log);
	journal_close(j);
}

/* --- damage -------------------------------------------------------------- */

/*
 * Samples 1..4; the entry of 2 damaged by flipping the byte at `delta`
 * into it.  Open skips to the next intact entry: 1, 3 and 4 load, and the
 * damaged file is kept, byte for byte, as cycles.log.bad.
 */
static void
assert_middle_damage_skipped(struct fix *f, size_t delta)
{
	struct journal_rec r;
	struct journal *j;
	uint8_t *orig, *bad;
	size_t at[8], olen, blen;
	char *log, *copy = in_dir(f, JOURNAL_FILE ".bad");
	struct stat st;

	make_journal(f, 4);
	assert_int_equal(entry_offsets(f, at, 8), 5);	/* 'N', 1..4 */
	flip_byte(f, at[2] + delta);
	orig = file_bytes(f->path, &olen);
	j = open_logged(f, &log);
	ASSERT_IDS(j, 1, 3, 4);
	th_assert_logged(log, "damaged bytes");
	th_assert_logged(log, "cycles.log.bad");
	bad = file_bytes(copy, &blen);
	assert_int_equal(blen, olen);
	assert_memory_equal(bad, orig, olen);
	assert_int_equal(lstat(copy, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	sample(&r, 1);
	assert_int_equal(file_size(f->path), EMPTY_LEN + 3 * entry_len_of(&r));
	free(log);
	free(orig);
	free(bad);
	free(copy);
	journal_close(j);
}

static void
damaged_middle_entry_skipped(void **state)
{
	assert_middle_damage_skipped(*state, 30);
}

/* The length field itself is hit: the reader must not trust it. */
static void
damaged_length_field_skipped(void **state)
{
	assert_middle_damage_skipped(*state, 1);
}

static void
damaged_type_byte_skipped(void **state)
{
	assert_middle_damage_skipped(*state, 4);
}

/* A copy kept earlier is never overwritten: the next is .bad.1, .bad.2. */
static void
earlier_bad_copy_kept(void **state)
{
	struct fix *f = *state;
	struct journal *j;
	char *bad = in_dir(f, JOURNAL_FILE ".bad"), *text, *log;
	size_t at[8];
	int round;

	make_journal(f, 4);
	write_bytes(bad, "first", 5, 0600);
	for (round = 1; round <= 2; round++) {
		assert_int_equal(entry_offsets(f, at, 8), 6 - round);
		flip_byte(f, at[2] + 30);
		j = open_logged(f, &log);
		assert_int_equal(journal_count(j), 4 - round);
		th_assert_logged(log, round == 1 ? "cycles.log.bad.1" :
		    "cycles.log.bad.2");
		free(log);
		journal_close(j);
	}
	assert_non_null(text = th_slurp(bad, NULL));
	assert_string_equal(text, "first");
	assert_true(exists_in_dir(f, JOURNAL_FILE ".bad.1"));
	assert_true(exists_in_dir(f, JOURNAL_FILE ".bad.2"));
	assert_int_equal(bad_copies(f), 3);
	free(text);
	free(bad);
}

/* Garbage between entries (not inside one) is skipped as well. */
static void
garbage_between_entries_skipped(void **state)
{
	struct fix *f = *state;
	struct image *m = image_new();
	struct journal *j;
	char *log;

	image_rec(m, 1, NULL);
	memset(m->b + m->n, 0xff, 100);
	m->n += 100;
	image_rec(m, 2, NULL);
	memset(m->b + m->n, 0, 4);	/* and a zero length */
	m->n += 4;
	image_rec(m, 3, NULL);
	image_write(f, m);
	j = open_logged(f, &log);
	ASSERT_IDS(j, 1, 2, 3);
	th_assert_logged(log, "100 damaged bytes");
	th_assert_logged(log, "4 damaged bytes");
	assert_int_equal(bad_copies(f), 1);
	free(log);
	free(m);
	journal_close(j);
}

/* --- intact entries with bad content ------------------------------------- */

/*
 * Records 1, 2 and 3, the encoding of 2 changed by `mutate` and framed
 * with a correct checksum: the record checks are all that stand between
 * it and the executor.  2 is ignored (with `reason`), 1 and 3 load, and
 * the file is kept as cycles.log.bad.
 */
static void
assert_rec_ignored(struct fix *f, void (*mutate)(uint8_t *, size_t *),
    const char *reason)
{
	struct image *m = image_new();
	struct journal *j;
	uint8_t *bad;
	size_t len;
	char *log, *want, *copy = in_dir(f, JOURNAL_FILE ".bad");

	image_rec(m, 1, NULL);
	image_rec(m, 2, mutate);
	image_rec(m, 3, NULL);
	image_write(f, m);
	j = open_logged(f, &log);
	ASSERT_IDS(j, 1, 3);
	assert_true(asprintf(&want, "record at offset %zu: %s: ignored",
	    m->at[1], reason) > 0);
	th_assert_logged(log, want);
	free(want);
	bad = file_bytes(copy, &len);
	assert_int_equal(len, m->n);
	assert_memory_equal(bad, m->b, len);
	free(bad);
	free(copy);
	free(log);
	free(m);
	journal_close(j);
}

static void m_id_zero(uint8_t *b, size_t *n) { memset(b + REC_ID, 0, 8); }
static void m_stanza(uint8_t *b, size_t *n) { memset(b + REC_STANZA, 0, 4); }
static void m_family(uint8_t *b, size_t *n) { b[REC_FAMILY] = 5; }
static void m_addr_tail(uint8_t *b, size_t *n) { b[REC_ADDR + 9] = 1; }
static void m_proto(uint8_t *b, size_t *n) { b[REC_PROTO] = 1; }
static void m_port(uint8_t *b, size_t *n) { memset(b + REC_PORT, 0, 2); }
static void m_module(uint8_t *b, size_t *n) { b[REC_MODULE] = 'E'; }
static void m_close_flag(uint8_t *b, size_t *n) { b[REC_HAS_CLOSE] = 2; }
static void m_longer(uint8_t *b, size_t *n) { b[*n] = 0; (*n)++; }
static void m_shorter(uint8_t *b, size_t *n) { (*n)--; }

static void
m_port_without_proto(uint8_t *b, size_t *n)
{
	b[REC_PROTO] = 0;
}

/* A byte after the name's NUL: two encodings of one record otherwise. */
static void
m_module_padding(uint8_t *b, size_t *n)
{
	b[REC_MODULE + 15] = 'x';
}

static void
m_opened(uint8_t *b, size_t *n)
{
	le_put(b + REC_OPENED, (uint64_t)INT64_C(1795343099), 8);
}

static size_t
buflen_of(const uint8_t *b)
{
	return (size_t)le_get(b + REC_BUFLEN, 2);
}

/* The last word loses its NUL: "ACCEPT" runs into data_len. */
static void
m_argv_unterminated(uint8_t *b, size_t *n)
{
	b[REC_BUF + buflen_of(b) - 1] = 'X';
}

/* One word more than the bytes hold. */
static void
m_argc(uint8_t *b, size_t *n)
{
	le_put(b + REC_ARGC, le_get(b + REC_ARGC, 2) + 1, 2);
}

static void
m_argc_zero(uint8_t *b, size_t *n)
{
	le_put(b + REC_ARGC, 0, 2);
}

/* No close, yet words: each flag has one meaning. */
static void
m_words_without_close(uint8_t *b, size_t *n)
{
	b[REC_HAS_CLOSE] = 0;
}

/* data_len beyond JOURNAL_DATA_MAX, the bytes there to match. */
static void
m_data_len(uint8_t *b, size_t *n)
{
	size_t off = REC_BUF + buflen_of(b), extra = JOURNAL_DATA_MAX + 1 - 3;

	memset(b + off + 2 + 3, 0, extra);
	le_put(b + off, JOURNAL_DATA_MAX + 1, 2);
	*n += extra;
}

#define CASE(test, mutator, reason)					\
static void test(void **s) { assert_rec_ignored(*s, mutator, reason); }
CASE(rec_with_id_zero_ignored, m_id_zero, "bad id")
CASE(rec_with_stanza_zero_ignored, m_stanza, "bad stanza number")
CASE(rec_with_bad_family_ignored, m_family, "bad address family")
CASE(rec_ipv4_with_stray_bytes_ignored, m_addr_tail, "bad address")
CASE(rec_with_bad_protocol_ignored, m_proto, "bad protocol")
CASE(rec_with_port_zero_ignored, m_port, "bad port")
CASE(rec_with_port_without_protocol_ignored, m_port_without_proto,
    "bad port")
CASE(rec_with_bad_module_name_ignored, m_module, "bad module name")
CASE(rec_with_module_padding_ignored, m_module_padding, "bad module name")
CASE(rec_closing_before_open_ignored, m_opened,
    "close time before open time")
CASE(rec_with_bad_close_flag_ignored, m_close_flag, "bad close flag")
CASE(rec_argv_not_nul_terminated_ignored, m_argv_unterminated,
    "close command not NUL-terminated words")
CASE(rec_argc_beyond_words_ignored, m_argc,
    "close command not NUL-terminated words")
CASE(rec_close_without_words_ignored, m_argc_zero, "bad close command")
CASE(rec_words_without_close_ignored, m_words_without_close,
    "bad close command")
CASE(rec_data_len_over_max_ignored, m_data_len, "module data too long")
CASE(rec_longer_than_its_fields_ignored, m_longer, "wrong size")
CASE(rec_shorter_than_its_fields_ignored, m_shorter, "wrong size")
#undef CASE

/*
 * Records 1 and 2 around one intact entry of another kind: ignored with
 * `reason`, the copy kept; a 'D' that is not 8 bytes removes nothing.
 */
static void
assert_entry_ignored(struct fix *f, uint8_t type, const void *payload,
    size_t len, const char *reason)
{
	struct image *m = image_new();
	struct journal *j;
	char *log;

	image_rec(m, 1, NULL);
	image_entry(m, type, payload, len);
	image_rec(m, 2, NULL);
	image_write(f, m);
	j = open_logged(f, &log);
	ASSERT_IDS(j, 1, 2);
	th_assert_logged(log, reason);
	assert_int_equal(bad_copies(f), 1);
	assert_true(journal_next_id(j) < 1000);
	free(log);
	free(m);
	journal_close(j);
}

static void
unknown_entry_type_ignored(void **state)
{
	uint8_t v[8] = { 1 };

	assert_entry_ignored(*state, 'X', v, sizeof(v),
	    "unknown type or size");
}

static void
lowercase_entry_type_ignored(void **state)
{
	uint8_t v[8] = { 1 };

	assert_entry_ignored(*state, 'd', v, sizeof(v),
	    "unknown type or size");
}

static void
del_entry_too_long_ignored(void **state)
{
	uint8_t v[9] = { 1 };

	assert_entry_ignored(*state, 'D', v, sizeof(v),
	    "unknown type or size");
}

static void
del_entry_too_short_ignored(void **state)
{
	uint8_t v[7] = { 1 };

	assert_entry_ignored(*state, 'D', v, sizeof(v),
	    "unknown type or size");
}

/* A mark of wrong size does not move next_id. */
static void
next_entry_of_wrong_size_ignored(void **state)
{
	uint8_t v[9];

	le_put(v, 5000, 8);
	v[8] = 0;
	assert_entry_ignored(*state, 'N', v, sizeof(v),
	    "unknown type or size");
}

/* A record entry with no record in it. */
static void
empty_put_entry_ignored(void **state)
{
	assert_entry_ignored(*state, 'P', "", 0, "wrong size: ignored");
}

/* --- the header ---------------------------------------------------------- */

/*
 * Not our format (or not yet): refused, and nothing rewritten or set
 * aside, so a newer daemon's journal survives a downgrade.
 */
static void
assert_header_refused(struct fix *f, size_t off, uint8_t value)
{
	char *before, *after;
	uint8_t *b;
	size_t len;

	make_journal(f, 2);
	b = file_bytes(f->path, &len);
	b[off] = value;
	write_bytes(f->path, b, len, 0600);
	before = snapshot(f);
	assert_refused(f, "not a spagated journal");
	after = snapshot(f);
	assert_string_equal(before, after);
	free(before);
	free(after);
	free(b);
}

static void
bad_magic_refused_untouched(void **state)
{
	assert_header_refused(*state, 0, 'X');
}

static void
newer_version_refused_untouched(void **state)
{
	assert_header_refused(*state, 8, 3);
}

static void
older_version_refused_untouched(void **state)
{
	assert_header_refused(*state, 8, 1);
}

static void
file_shorter_than_header_refused(void **state)
{
	struct fix *f = *state;

	assert_int_equal(mkdir(f->dir, 0700), 0);
	write_bytes(f->path, "SPAGJRN2\2", 9, 0600);
	assert_refused(f, "shorter than its header");
	assert_int_equal(file_size(f->path), 9);
}

/* Created by an open that did not get to its compaction: a new journal. */
static void
empty_file_is_a_new_journal(void **state)
{
	struct fix *f = *state;
	struct journal *j;

	assert_int_equal(mkdir(f->dir, 0700), 0);
	write_bytes(f->path, "", 0, 0600);
	j = open_ok(f);
	assert_int_equal(journal_count(j), 0);
	assert_int_equal(file_size(f->path), EMPTY_LEN);
	journal_close(j);
}

/* The header and 'N' entry that compaction writes, byte for byte. */
static void
new_file_is_header_and_next_entry(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);
	struct image *m = image_new();
	uint8_t *b;
	size_t len;

	image_id(m, 'N', 1);
	b = file_bytes(f->path, &len);
	assert_int_equal(len, m->n);
	assert_memory_equal(b, m->b, len);
	free(b);
	free(m);
	journal_close(j);
}

/* --- files and directories that are not ours ----------------------------- */

static void
symlink_not_followed(void **state)
{
	struct fix *f = *state;
	char *target, *before, *after, *missing;
	size_t len;

	make_journal(f, 2);
	assert_true(asprintf(&target, "%s/elsewhere", f->top) > 0);
	assert_int_equal(rename(f->path, target), 0);
	assert_int_equal(symlink(target, f->path), 0);
	before = th_slurp(target, &len);
	assert_refused(f, "symbolic link");
	assert_non_null(after = th_slurp(target, NULL));
	assert_memory_equal(after, before, len);
	free(after);
	/* nor is a dangling one created through */
	assert_true(asprintf(&missing, "%s/missing", f->top) > 0);
	assert_int_equal(unlink(f->path), 0);
	assert_int_equal(symlink(missing, f->path), 0);
	assert_refused(f, "symbolic link");
	assert_false(exists(missing));
	free(missing);
	free(before);
	free(target);
}

static void
alarm_fails(int sig)
{
	(void)sig;
	/* a blocked open: no way back into CMocka from here */
	if (write(2, "journal open blocked on a FIFO\n", 31) < 0)
		_exit(98);
	_exit(99);
}

static void
fifo_does_not_block(void **state)
{
	struct fix *f = *state;

	assert_int_equal(mkdir(f->dir, 0700), 0);
	assert_int_equal(mkfifo(f->path, 0600), 0);
	signal(SIGALRM, alarm_fails);
	alarm(10);
	assert_refused(f, "not a regular file");
	alarm(0);
	signal(SIGALRM, SIG_DFL);
}

static void
file_of_another_user_refused(void **state)
{
	struct fix *f = *state;

	make_journal(f, 1);
	assert_int_equal(chown(f->path, 65534, 65534), 0);
	assert_refused(f, "not owned by our uid");
}

static void
group_writable_file_refused(void **state)
{
	struct fix *f = *state;

	make_journal(f, 1);
	assert_int_equal(chmod(f->path, 0620), 0);
	assert_refused(f, "writable by group or others");
}

static void
world_writable_file_refused(void **state)
{
	struct fix *f = *state;

	make_journal(f, 1);
	assert_int_equal(chmod(f->path, 0602), 0);
	assert_refused(f, "writable by group or others");
}

static void
directory_created_0700(void **state)
{
	struct fix *f = *state;
	struct journal *j;
	struct stat st;
	mode_t old = umask(0);

	j = open_ok(f);
	umask(old);
	assert_int_equal(lstat(f->dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	journal_close(j);
}

static void
file_created_0600(void **state)
{
	struct fix *f = *state;
	struct journal *j;
	struct stat st;
	mode_t old = umask(0);

	j = open_ok(f);
	put_sample(j, 1);
	umask(old);
	assert_int_equal(lstat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());
	journal_close(j);
}

static void
refuses_group_writable_directory(void **state)
{
	struct fix *f = *state;

	assert_int_equal(mkdir(f->dir, 0700), 0);
	assert_int_equal(chmod(f->dir, 0770), 0);
	assert_refused(f, "writable by group or others");
}

static void
refuses_world_writable_directory(void **state)
{
	struct fix *f = *state;

	assert_int_equal(mkdir(f->dir, 0700), 0);
	assert_int_equal(chmod(f->dir, 01777), 0);
	assert_refused(f, "writable by group or others");
}

static void
refuses_directory_of_another_user(void **state)
{
	struct fix *f = *state;

	assert_int_equal(mkdir(f->dir, 0700), 0);
	assert_int_equal(chown(f->dir, 65534, 65534), 0);
	assert_refused(f, "not owned by our uid");
}

static void
refuses_symlink_to_a_good_directory(void **state)
{
	struct fix *f = *state;
	char *real;

	assert_true(asprintf(&real, "%s/real", f->top) > 0);
	assert_int_equal(mkdir(real, 0700), 0);
	assert_int_equal(symlink(real, f->dir), 0);
	assert_refused(f, "not a directory");
	free(real);
}

static void
refuses_a_file_for_the_directory(void **state)
{
	struct fix *f = *state;

	free(th_write(f->top, "cycles", "", 0600));
	assert_refused(f, "not a directory");
}

/* --- compaction ---------------------------------------------------------- */

/*
 * Over 1 MiB and over 4x the live bytes: the sync rewrites the file to
 * header, 'N' and the live entries.  The index must then point into the
 * new file: loading, putting and deleting go on without a reopen.
 */
static void
sync_compacts_mostly_dead_file(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);
	struct journal_rec r;
	size_t len;
	struct stat st;
	mode_t old = umask(0);

	long_sample(&r, 1);
	len = entry_len_of(&r);
	churn_long(j, 1, 300, 30);
	assert_true(file_size(f->path) > COMPACT_MIN);
	assert_int_equal(journal_sync(j), 0);
	umask(old);
	assert_int_equal(file_size(f->path), EMPTY_LEN + 10 * len);
	assert_int_equal(lstat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_false(exists_in_dir(f, JOURNAL_FILE ".new"));
	ASSERT_IDS(j, 30, 60, 90, 120, 150, 180, 210, 240, 270, 300);
	put_sample(j, 1000);
	assert_int_equal(journal_del(j, 30), 0);
	assert_int_equal(journal_del(j, 300), 0);
	ASSERT_IDS(j, 60, 90, 120, 150, 180, 210, 240, 270, 1000);
	assert_true(journal_next_id(j) > 1000);
	journal_close(j);
	j = open_ok(f);
	ASSERT_IDS(j, 60, 90, 120, 150, 180, 210, 240, 270, 1000);
	assert_int_equal(bad_copies(f), 0);
	journal_close(j);
}

/* A small file is left alone, however dead: rewriting it buys nothing. */
static void
sync_leaves_file_under_one_mib(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);
	off_t size;

	churn_long(j, 1, 200, 1000);
	assert_int_equal(journal_count(j), 0);
	size = file_size(f->path);
	assert_true(size < COMPACT_MIN);
	assert_int_equal(journal_sync(j), 0);
	assert_int_equal(file_size(f->path), size);
	churn_long(j, 201, 300, 1000);		/* now over 1 MiB */
	assert_int_equal(journal_sync(j), 0);
	assert_int_equal(file_size(f->path), EMPTY_LEN);
	journal_close(j);
}

/* Over 1 MiB but live entries a quarter or more of it: not yet. */
static void
sync_waits_for_dead_entries_to_dominate(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);
	struct journal_rec r;
	off_t size;
	uint64_t i;

	long_sample(&r, 1);
	churn_long(j, 1, 300, 1);		/* all 300 live */
	for (i = 1; i <= 200; i++)
		assert_int_equal(journal_del(j, i), 0);
	size = file_size(f->path);
	assert_int_equal(journal_sync(j), 0);
	assert_int_equal(file_size(f->path), size);
	for (i = 201; i <= 250; i++)
		assert_int_equal(journal_del(j, i), 0);
	assert_int_equal(journal_sync(j), 0);
	assert_int_equal(file_size(f->path), EMPTY_LEN + 50 * entry_len_of(&r));
	assert_int_equal(journal_count(j), 50);
	journal_close(j);
}

/* Open compacts: replaced and deleted records leave no trace. */
static void
open_compacts_dead_entries(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);
	struct journal_rec r;

	put_sample(j, 1);
	put_sample(j, 2);
	put_sample(j, 3);
	put_sample(j, 2);
	assert_int_equal(journal_del(j, 1), 0);
	journal_close(j);
	j = open_ok(f);
	ASSERT_IDS(j, 3, 2);
	sample(&r, 1);
	assert_int_equal(file_size(f->path), EMPTY_LEN + 2 * entry_len_of(&r));
	journal_close(j);
}

/* A sync with nothing appended writes nothing; a real one is durable. */
static void
sync_without_appends_is_a_no_op(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);
	off_t size;

	assert_int_equal(journal_sync(j), 0);
	put_sample(j, 1);
	assert_int_equal(journal_sync(j), 0);
	size = file_size(f->path);
	assert_int_equal(journal_sync(j), 0);
	assert_int_equal(file_size(f->path), size);
	journal_close(j);
}

/* --- read-only ----------------------------------------------------------- */

/* Open read-only, load, try every change: the directory is as before. */
static void
assert_readonly_changes_nothing(struct fix *f, size_t want)
{
	struct journal *ro;
	struct journal_rec r;
	char *before, *after, *log;

	before = snapshot(f);
	capture_start();
	assert_int_equal(journal_open_readonly(f->dir, &ro), 0);
	log = capture_end();
	assert_int_equal(journal_count(ro), want);
	sample(&r, 99);
	assert_int_equal(journal_put(ro, &r), SPA_ERR_ARG);
	assert_int_equal(journal_del(ro, 1), SPA_ERR_ARG);
	assert_int_equal(journal_del(ro, 77), SPA_ERR_ARG);
	assert_int_equal(journal_sync(ro), 0);
	assert_int_equal(journal_count(ro), want);
	journal_close(ro);
	after = snapshot(f);
	assert_string_equal(before, after);
	free(before);
	free(after);
	free(log);
}

static void
readonly_changes_nothing(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f), *ro;

	put_sample(j, 1);
	put_sample(j, 2);
	put_sample(j, 3);
	assert_int_equal(journal_del(j, 2), 0);
	/* beside a running writer, with dead entries it would compact */
	assert_readonly_changes_nothing(f, 2);
	ro = open_ro(f);
	ASSERT_IDS(ro, 1, 3);
	journal_close(ro);
	journal_close(j);
}

static void
readonly_leaves_torn_tail(void **state)
{
	struct fix *f = *state;
	uint8_t junk[10] = { 0x80, 0 };

	make_journal(f, 2);
	append_raw(f, junk, sizeof(junk));
	assert_readonly_changes_nothing(f, 2);
}

static void
readonly_leaves_damage_and_keeps_no_copy(void **state)
{
	struct fix *f = *state;
	struct journal *ro;
	size_t at[8];

	make_journal(f, 3);
	assert_int_equal(entry_offsets(f, at, 8), 4);
	flip_byte(f, at[2] + 30);
	assert_readonly_changes_nothing(f, 2);
	ro = open_ro(f);
	ASSERT_IDS(ro, 1, 3);
	journal_close(ro);
	assert_int_equal(bad_copies(f), 0);
}

static void
readonly_leaves_stale_new_file(void **state)
{
	struct fix *f = *state;
	char *stale;

	make_journal(f, 1);
	stale = in_dir(f, JOURNAL_FILE ".new");
	write_bytes(stale, "x", 1, 0600);
	assert_readonly_changes_nothing(f, 1);
	free(stale);
}

/* No file yet (the daemon never ran): no records, and none created. */
static void
readonly_without_file_is_empty(void **state)
{
	struct fix *f = *state;
	struct journal *ro;
	struct seen s;

	assert_int_equal(mkdir(f->dir, 0700), 0);
	assert_readonly_changes_nothing(f, 0);
	ro = open_ro(f);
	load_all(ro, &s);
	assert_int_equal(s.n, 0);
	assert_true(journal_next_id(ro) >= 1);
	journal_close(ro);
	assert_false(exists(f->path));
}

/* Nor is the directory created. */
static void
readonly_without_directory_refused(void **state)
{
	struct fix *f = *state;
	struct journal *ro = NULL;
	char *log;

	capture_start();
	assert_int_equal(journal_open_readonly(f->dir, &ro), SPA_ERR_STATE);
	log = capture_end();
	assert_null(ro);
	assert_false(exists(f->dir));
	free(log);
}

/* What the writer appends after a reader opened is not the reader's. */
static void
readonly_sees_the_file_as_opened(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f), *ro;

	put_sample(j, 1);
	ro = open_ro(f);
	put_sample(j, 2);
	ASSERT_IDS(ro, 1);
	journal_close(ro);
	ro = open_ro(f);
	ASSERT_IDS(ro, 1, 2);
	journal_close(ro);
	journal_close(j);
}

/* --- callbacks that change the journal ------------------------------- */

struct reentry {
	struct journal	*j;
	uint64_t	 seen[8];
	int		 calls;
};

static int
del_while_loading(void *arg, const struct journal_rec *rec)
{
	struct reentry *re = arg;

	assert_true(re->calls < 8);
	re->seen[re->calls++] = rec->id;
	assert_int_equal(journal_del(re->j, rec->id), 0);
	return 0;
}

/* Removing each record as it comes: every record is still handed over. */
static void
load_hands_over_every_record_while_deleting(void **state)
{
	struct journal *j = open_ok(*state);
	struct reentry re = { j, { 0 }, 0 };

	put_sample(j, 1);
	put_sample(j, 2);
	put_sample(j, 3);
	assert_int_equal(journal_load(j, del_while_loading, &re), 0);
	assert_int_equal(re.calls, 3);
	assert_int_equal(re.seen[0], 1);
	assert_int_equal(re.seen[1], 2);
	assert_int_equal(re.seen[2], 3);
	assert_int_equal(journal_count(j), 0);
	journal_close(j);
}

static int
put_while_loading(void *arg, const struct journal_rec *rec)
{
	struct reentry *re = arg;
	struct journal_rec r;

	assert_true(re->calls < 8);
	re->seen[re->calls++] = rec->id;
	sample(&r, 100 + rec->id);
	assert_int_equal(journal_put(re->j, &r), 0);
	return 0;
}

/* Records put meanwhile are not handed over (nor read past the list). */
static void
load_hands_over_only_records_it_began_with(void **state)
{
	struct journal *j = open_ok(*state);
	struct reentry re = { j, { 0 }, 0 };

	put_sample(j, 1);
	put_sample(j, 2);
	assert_int_equal(journal_load(j, put_while_loading, &re), 0);
	assert_int_equal(re.calls, 2);
	assert_int_equal(re.seen[0], 1);
	assert_int_equal(re.seen[1], 2);
	ASSERT_IDS(j, 1, 2, 101, 102);
	journal_close(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(round_trip_every_field),
		T(round_trip_close_runs),
		cmocka_unit_test(record_without_close_runs_reads_as_one_run),
		cmocka_unit_test(bad_close_runs_blocks_refused),
		T(round_trip_without_close_command),
		T(round_trip_both_families),
		T(put_replaces_same_id),
		T(del_removes_only_that_record),
		T(del_of_missing_id_writes_nothing),
		T(put_refuses_invalid_records_without_writing),
		T(put_refuses_id_zero),
		T(load_returns_the_callbacks_value),
		T(load_order_is_oldest_first),
		T(count_follows_puts_and_dels),
		T(index_keeps_thousands_of_ids),
		T(next_id_starts_above_zero_when_empty),
		T(next_id_passes_every_id_put),
		T(next_id_passes_deleted_ids_after_reopen),
		T(next_id_survives_compaction),
		T(next_id_from_next_and_del_entries),
		T(records_survive_sigkill_at_random_points),
		T(records_survive_sigkill_after_last_put),
		T(failed_append_leaves_no_partial_entry),
		T(held_put_is_written_by_the_sync),
		T(append_writes_the_held_records_first),
		T(failed_held_write_forgets_them),
		T(stale_new_file_removed),
		T(torn_tail_partial_entry_dropped),
		T(torn_tail_length_field_only_dropped),
		T(torn_tail_of_any_length_dropped),
		T(bad_checksum_of_last_entry_is_damage),
		T(damaged_middle_entry_skipped),
		T(damaged_length_field_skipped),
		T(damaged_type_byte_skipped),
		T(earlier_bad_copy_kept),
		T(garbage_between_entries_skipped),
		T(rec_with_id_zero_ignored),
		T(rec_with_stanza_zero_ignored),
		T(rec_with_bad_family_ignored),
		T(rec_ipv4_with_stray_bytes_ignored),
		T(rec_with_bad_protocol_ignored),
		T(rec_with_port_zero_ignored),
		T(rec_with_port_without_protocol_ignored),
		T(rec_with_bad_module_name_ignored),
		T(rec_with_module_padding_ignored),
		T(rec_closing_before_open_ignored),
		T(rec_with_bad_close_flag_ignored),
		T(rec_argv_not_nul_terminated_ignored),
		T(rec_argc_beyond_words_ignored),
		T(rec_close_without_words_ignored),
		T(rec_words_without_close_ignored),
		T(rec_data_len_over_max_ignored),
		T(rec_longer_than_its_fields_ignored),
		T(rec_shorter_than_its_fields_ignored),
		T(unknown_entry_type_ignored),
		T(lowercase_entry_type_ignored),
		T(del_entry_too_long_ignored),
		T(del_entry_too_short_ignored),
		T(next_entry_of_wrong_size_ignored),
		T(empty_put_entry_ignored),
		T(bad_magic_refused_untouched),
		T(newer_version_refused_untouched),
		T(older_version_refused_untouched),
		T(file_shorter_than_header_refused),
		T(empty_file_is_a_new_journal),
		T(new_file_is_header_and_next_entry),
		T(symlink_not_followed),
		T(fifo_does_not_block),
		T(file_of_another_user_refused),
		T(group_writable_file_refused),
		T(world_writable_file_refused),
		T(directory_created_0700),
		T(file_created_0600),
		T(refuses_group_writable_directory),
		T(refuses_world_writable_directory),
		T(refuses_directory_of_another_user),
		T(refuses_symlink_to_a_good_directory),
		T(refuses_a_file_for_the_directory),
		T(sync_compacts_mostly_dead_file),
		T(sync_leaves_file_under_one_mib),
		T(sync_waits_for_dead_entries_to_dominate),
		T(open_compacts_dead_entries),
		T(sync_without_appends_is_a_no_op),
		T(readonly_changes_nothing),
		T(readonly_leaves_torn_tail),
		T(readonly_leaves_damage_and_keeps_no_copy),
		T(readonly_leaves_stale_new_file),
		T(readonly_without_file_is_empty),
		T(readonly_without_directory_refused),
		T(readonly_sees_the_file_as_opened),
		T(load_hands_over_every_record_while_deleting),
		T(load_hands_over_only_records_it_began_with),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
