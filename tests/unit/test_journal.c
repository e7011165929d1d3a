/*
 * The journal of open cycles: round trips, ids, crash safety, and files
 * that are damaged or not ours set aside (with the reason) without being
 * trusted.  Damaged records are made from real ones: one field changed,
 * the checksum recomputed, so each check is reached on its own.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "err.h"
#include "helpers.h"
#include "journal.h"

/* Field offsets of the record format (see the header of journal.c). */
#define OFF_VERSION	8
#define OFF_ID		12
#define OFF_MODULE	24
#define OFF_FAMILY	40
#define OFF_ADDR	41
#define OFF_PROTO	57
#define OFF_PORT	58
#define OFF_OPENED	60
#define OFF_ARGC	77
#define OFF_BUF		81
#define HASH_LEN	32

struct fix {
	char		*dir;		/* the journal directory */
	char		*top;
};

struct seen {
	struct journal_rec	v[64];
	size_t			n;
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_non_null(f->top = th_mkdtemp());
	assert_true(asprintf(&f->dir, "%s/cycles", f->top) > 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	th_rmtree(f->top);
	free(f->top);
	free(f->dir);
	free(f);
	return 0;
}

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

static int
collect(void *arg, const struct journal_rec *rec)
{
	struct seen *s = arg;

	assert_true(s->n < 64);
	/* the record handed over points into itself */
	if (rec->has_close)
		assert_ptr_equal(rec->close.argv[0], rec->close.buf);
	s->v[s->n] = *rec;
	assert_int_equal(cmd_argv_relink(&s->v[s->n].close), 0);
	s->n++;
	return 0;
}

static struct journal *
open_ok(struct fix *f)
{
	struct journal *j = NULL;

	assert_int_equal(journal_open(f->dir, &j), 0);
	return j;
}

static void
load_all(struct journal *j, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(journal_load(j, collect, s), 0);
}

/* Load with stderr (where the log goes) captured; returns the log text. */
static char *
load_logged(struct journal *j, struct seen *s)
{
	char path[] = "/tmp/spagate-log.XXXXXX";
	char *text;
	int fd, saved;

	assert_true((fd = mkstemp(path)) >= 0);
	fflush(stderr);
	assert_true((saved = dup(2)) >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	load_all(j, s);
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	close(fd);
	assert_non_null(text = th_slurp(path, NULL));
	unlink(path);
	return text;
}

static char *
rec_path(struct fix *f, uint64_t id, const char *suffix)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%016" PRIx64 "%s", f->dir, id,
	    suffix) > 0);
	return p;
}

static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* --- round trips --------------------------------------------------------- */

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
}

/* Every field, at the edges of its range. */
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
	journal_close(j);
	j = open_ok(*state);
	load_all(j, &s);
	assert_int_equal(s.n, 1);
	assert_same_rec(&s.v[0], &r);
	journal_close(j);
}

static void
round_trip_without_close(void **state)
{
	struct journal *j = open_ok(*state);
	struct journal_rec r;
	struct seen s;

	sample(&r, 2);
	r.has_close = false;
	strcpy(r.module, "none");
	r.proto = 0;		/* a grant without a port */
	r.port = 0;
	r.data_len = 0;
	/* garbage after the name's NUL is not written */
	memcpy(r.module + 5, "XYZ", 3);
	assert_int_equal(journal_put(j, &r), 0);
	load_all(j, &s);
	assert_int_equal(s.n, 1);
	assert_false(s.v[0].has_close);
	assert_int_equal(s.v[0].close.argc, 0);
	assert_string_equal(s.v[0].module, "none");
	assert_int_equal(s.v[0].proto, 0);
	assert_int_equal(s.v[0].data_len, 0);
	journal_close(j);
}

static void
put_replaces_same_id(void **state)
{
	struct journal *j = open_ok(*state);
	struct journal_rec r;
	struct seen s;

	sample(&r, 1);
	assert_int_equal(journal_put(j, &r), 0);
	r.close_at += 100;
	r.data_len = 1;
	assert_int_equal(journal_put(j, &r), 0);
	load_all(j, &s);
	assert_int_equal(s.n, 1);
	assert_true(s.v[0].close_at == 1795343198);
	assert_int_equal(s.v[0].data_len, 1);
	journal_close(j);
}

static void
del_removes_only_that_record(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);
	struct journal_rec r;
	struct seen s;
	char *path = rec_path(f, 1, ".cycle");

	sample(&r, 1);
	assert_int_equal(journal_put(j, &r), 0);
	sample(&r, 2);
	assert_int_equal(journal_put(j, &r), 0);
	assert_int_equal(journal_del(j, 1), 0);
	assert_false(exists(path));
	load_all(j, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].id, 2);
	free(path);
	journal_close(j);
}

static void
del_of_missing_id_is_not_an_error(void **state)
{
	struct journal *j = open_ok(*state);

	assert_int_equal(journal_del(j, 77), 0);
	journal_close(j);
}

static void
put_refuses_invalid_record(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);
	struct journal_rec r;
	struct seen s;

	sample(&r, 4);
	r.allow.family = AF_UNSPEC;
	assert_int_equal(journal_put(j, &r), SPA_ERR_ARG);
	sample(&r, 4);
	strcpy(r.module, "Exec");
	assert_int_equal(journal_put(j, &r), SPA_ERR_ARG);
	sample(&r, 4);
	r.port = 0;
	assert_int_equal(journal_put(j, &r), SPA_ERR_ARG);
	load_all(j, &s);
	assert_int_equal(s.n, 0);
	journal_close(j);
}

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
	struct journal_rec r;
	int calls = 0;

	sample(&r, 1);
	assert_int_equal(journal_put(j, &r), 0);
	sample(&r, 2);
	assert_int_equal(journal_put(j, &r), 0);
	assert_int_equal(journal_load(j, stop_at_first, &calls), 42);
	assert_int_equal(calls, 1);
	journal_close(j);
}

/* --- ids ----------------------------------------------------------------- */

static void
next_id_passes_every_id_on_disk(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);
	struct journal_rec r;
	struct seen s;
	uint64_t a, b;
	char *p;

	sample(&r, 41);
	assert_int_equal(journal_put(j, &r), 0);
	sample(&r, 0x123456789ULL);
	assert_int_equal(journal_put(j, &r), 0);
	sample(&r, 7);
	assert_int_equal(journal_put(j, &r), 0);
	journal_close(j);
	/* ids of records set aside are not reused either */
	free(th_write(f->dir, "0000000a00000000.cycle.bad", "x", 0600));
	j = open_ok(f);
	a = journal_next_id(j);
	b = journal_next_id(j);
	assert_true(a > 0xa00000000ULL);
	assert_true(b > a);
	load_all(j, &s);
	assert_int_equal(s.n, 3);
	assert_true(journal_next_id(j) > b);
	p = rec_path(f, 0xa00000000ULL, ".cycle.bad");
	assert_true(exists(p));
	free(p);
	journal_close(j);
}

static void
next_id_starts_above_zero_when_empty(void **state)
{
	struct journal *j = open_ok(*state);
	uint64_t a = journal_next_id(j);

	assert_true(a >= 1);
	assert_true(journal_next_id(j) > a);
	journal_close(j);
}

/* --- crashes ------------------------------------------------------------- */

/* A process killed right after its puts leaves every record behind. */
static void
records_survive_sigkill(void **state)
{
	struct fix *f = *state;
	struct journal *j;
	struct journal_rec r;
	struct seen s;
	int status, i;
	pid_t pid;

	if ((pid = fork()) == 0) {
		if (journal_open(f->dir, &j) != 0)
			_exit(1);
		for (i = 1; i <= 20; i++) {
			sample(&r, (uint64_t)i);
			if (journal_put(j, &r) != 0)
				_exit(2);
		}
		kill(getpid(), SIGKILL);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	j = open_ok(f);
	load_all(j, &s);
	assert_int_equal(s.n, 20);
	for (i = 0; i < 20; i++)
		assert_int_equal(s.v[i].port, 22);
	journal_close(j);
}

/* Names in the directory ending in `suffix`. */
static int
count_suffix(struct fix *f, const char *suffix)
{
	struct dirent *de;
	DIR *d;
	size_t n, sl = strlen(suffix);
	int count = 0;

	assert_non_null(d = opendir(f->dir));
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n >= sl && strcmp(de->d_name + n - sl, suffix) == 0)
			count++;
	}
	closedir(d);
	return count;
}

/* Killed at an arbitrary moment of puts and dels: nothing is damaged. */
static void
sigkill_mid_write_leaves_no_damage(void **state)
{
	struct fix *f = *state;
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	struct journal *j;
	struct journal_rec r;
	char *log;
	struct seen s;
	uint64_t i;
	pid_t pid;

	j = open_ok(f);
	journal_close(j);
	if ((pid = fork()) == 0) {
		if (journal_open(f->dir, &j) != 0)
			_exit(1);
		for (i = 1;; i++) {
			sample(&r, i % 50 + 1);
			r.close_at += (int64_t)i;
			(void)journal_put(j, &r);
			if (i % 3 == 0)
				(void)journal_del(j, (i - 1) % 50 + 1);
		}
	}
	nanosleep(&ts, NULL);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	j = open_ok(f);
	log = load_logged(j, &s);
	assert_null(strstr(log, "set aside"));
	assert_true(s.n > 0);
	assert_int_equal(count_suffix(f, ".bad"), 0);
	assert_int_equal(count_suffix(f, ".tmp"), 0);
	free(log);
	journal_close(j);
}

static void
stray_temp_file_removed(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);
	struct seen s;
	char *tmp, *other;

	assert_non_null(tmp = th_write(f->dir, "0000000000000009.tmp", "half",
	    0600));
	assert_non_null(other = th_write(f->dir, "notes.tmp", "admin's",
	    0600));
	load_all(j, &s);
	assert_int_equal(s.n, 0);
	assert_false(exists(tmp));
	assert_true(exists(other));	/* not a name we write: left alone */
	free(tmp);
	free(other);
	journal_close(j);
}

/* --- damaged records ----------------------------------------------------- */

static void
put_le(uint8_t *p, uint64_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Read record 5, let `mutate` change it, recompute its checksum. */
static void
rewrite(struct fix *f, void (*mutate)(uint8_t *, size_t *))
{
	uint8_t buf[16384];
	char *path = rec_path(f, 5, ".cycle");
	size_t len;
	ssize_t n;
	int fd;

	assert_true((fd = open(path, O_RDWR)) >= 0);
	assert_true((n = read(fd, buf, sizeof(buf))) > HASH_LEN);
	len = (size_t)n;
	mutate(buf, &len);
	assert_int_equal(crypto_hash(SPA_DIGEST_SHA256, buf, len - HASH_LEN,
	    buf + len - HASH_LEN), 0);
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, buf, len, 0), (ssize_t)len);
	close(fd);
	free(path);
}

/* Records 5 and 6 on disk; 5 is damaged by `damage`; only 6 loads. */
static void
assert_set_aside(struct fix *f, void (*damage)(struct fix *),
    const char *reason)
{
	struct journal *j = open_ok(f);
	struct journal_rec r;
	struct seen s;
	char *path = rec_path(f, 5, ".cycle"), *bad = rec_path(f, 5,
	    ".cycle.bad"), *log, *want;

	sample(&r, 5);
	assert_int_equal(journal_put(j, &r), 0);
	sample(&r, 6);
	assert_int_equal(journal_put(j, &r), 0);
	damage(f);
	log = load_logged(j, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].id, 6);
	assert_false(exists(path));
	assert_true(exists(bad));
	assert_true(asprintf(&want, "0000000000000005.cycle: %s: set aside",
	    reason) > 0);
	if (strstr(log, want) == NULL)
		fail_msg("expected \"%s\" in the log, got: %s", want, log);
	/* once aside, it stays aside and out of the way */
	load_all(j, &s);
	assert_int_equal(s.n, 1);
	free(want);
	free(log);
	free(path);
	free(bad);
	journal_close(j);
}

static void m_magic(uint8_t *b, size_t *n) { (void)n; b[0] = 'X'; }
static void m_version(uint8_t *b, size_t *n) { (void)n; b[OFF_VERSION] = 2; }
static void m_family(uint8_t *b, size_t *n) { (void)n; b[OFF_FAMILY] = 5; }
static void m_addr_tail(uint8_t *b, size_t *n) { (void)n; b[OFF_ADDR + 9] = 1; }
static void m_proto(uint8_t *b, size_t *n) { (void)n; b[OFF_PROTO] = 1; }
static void m_module(uint8_t *b, size_t *n) { (void)n; b[OFF_MODULE] = 'E'; }
static void m_id(uint8_t *b, size_t *n) { (void)n; put_le(b + OFF_ID, 6, 8); }
static void m_longer(uint8_t *b, size_t *n) { b[*n] = 0; (*n)++; }
static void m_shorter(uint8_t *b, size_t *n) { (void)b; (*n)--; }

static void
m_port(uint8_t *b, size_t *n)
{
	(void)n;
	memset(b + OFF_PORT, 0, 2);
}

static void
m_opened(uint8_t *b, size_t *n)
{
	(void)n;
	put_le(b + OFF_OPENED, (uint64_t)INT64_C(1795343099), 8);
}

/* The last word loses its NUL: "ACCEPT" runs into the length field. */
static void
m_argv_unterminated(uint8_t *b, size_t *n)
{
	size_t buflen = (size_t)b[OFF_ARGC + 2] | (size_t)b[OFF_ARGC + 3] << 8;

	(void)n;
	b[OFF_BUF + buflen - 1] = 'X';
}

/* One word more than the bytes hold. */
static void
m_argc(uint8_t *b, size_t *n)
{
	(void)n;
	b[OFF_ARGC]++;
}

/* data_len beyond JOURNAL_DATA_MAX (the file is made to match). */
static void
m_data_len(uint8_t *b, size_t *n)
{
	size_t buflen = (size_t)b[OFF_ARGC + 2] | (size_t)b[OFF_ARGC + 3] << 8;
	size_t off = OFF_BUF + buflen, extra = JOURNAL_DATA_MAX + 1 - 3;

	memset(b + off + 2 + 3, 0, extra);
	put_le(b + off, JOURNAL_DATA_MAX + 1, 2);
	*n += extra;
}

#define DAMAGE(name, mutator)						\
static void name(struct fix *f) { rewrite(f, mutator); }
DAMAGE(d_magic, m_magic)
DAMAGE(d_version, m_version)
DAMAGE(d_family, m_family)
DAMAGE(d_addr_tail, m_addr_tail)
DAMAGE(d_proto, m_proto)
DAMAGE(d_port, m_port)
DAMAGE(d_module, m_module)
DAMAGE(d_id, m_id)
DAMAGE(d_longer, m_longer)
DAMAGE(d_shorter, m_shorter)
DAMAGE(d_opened, m_opened)
DAMAGE(d_argv, m_argv_unterminated)
DAMAGE(d_argc, m_argc)
DAMAGE(d_data_len, m_data_len)
#undef DAMAGE

/* No rewrite: the bytes change, the checksum does not. */
static void
d_flip_byte(struct fix *f)
{
	char *path = rec_path(f, 5, ".cycle");
	uint8_t b;
	int fd;

	assert_true((fd = open(path, O_RDWR)) >= 0);
	assert_int_equal(pread(fd, &b, 1, OFF_PORT), 1);
	b ^= 0x40;
	assert_int_equal(pwrite(fd, &b, 1, OFF_PORT), 1);
	close(fd);
	free(path);
}

static void
d_truncate(struct fix *f)
{
	char *path = rec_path(f, 5, ".cycle");

	assert_int_equal(truncate(path, 50), 0);
	free(path);
}

static void
d_foreign_owner(struct fix *f)
{
	char *path = rec_path(f, 5, ".cycle");

	assert_int_equal(chown(path, 65534, 65534), 0);
	free(path);
}

#define CASE(test, damage, reason)					\
static void test(void **s) { assert_set_aside(*s, damage, reason); }
CASE(bad_magic_set_aside, d_magic, "bad magic")
CASE(unknown_version_set_aside, d_version, "unknown format version")
CASE(bad_checksum_set_aside, d_flip_byte, "bad checksum")
CASE(truncated_file_set_aside, d_truncate, "wrong size")
CASE(file_longer_than_its_fields_set_aside, d_longer, "wrong size")
CASE(file_shorter_than_its_fields_set_aside, d_shorter, "wrong size")
CASE(bad_family_set_aside, d_family, "bad address family")
CASE(ipv4_with_stray_bytes_set_aside, d_addr_tail, "bad address")
CASE(bad_protocol_set_aside, d_proto, "bad protocol")
CASE(bad_port_set_aside, d_port, "bad port")
CASE(bad_module_name_set_aside, d_module, "bad module name")
CASE(close_before_open_set_aside, d_opened, "close time before open time")
CASE(argv_not_nul_terminated_set_aside, d_argv,
    "close command not NUL-terminated words")
CASE(argc_beyond_words_set_aside, d_argc,
    "close command not NUL-terminated words")
CASE(data_len_over_max_set_aside, d_data_len, "module data too long")
CASE(id_not_matching_name_set_aside, d_id, "id does not match the file name")
CASE(foreign_owner_set_aside, d_foreign_owner, "not owned by our uid")
#undef CASE

/* A second damaged file of the same name does not replace the first. */
static void
earlier_bad_file_kept(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);
	struct seen s;
	char *bad = rec_path(f, 5, ".cycle.bad"), *bad1 = rec_path(f, 5,
	    ".cycle.bad.1"), *first;
	size_t len;

	free(th_write(f->dir, "0000000000000005.cycle", "first", 0600));
	load_all(j, &s);
	free(th_write(f->dir, "0000000000000005.cycle", "second", 0600));
	load_all(j, &s);
	assert_int_equal(s.n, 0);
	assert_non_null(first = th_slurp(bad, &len));
	assert_string_equal(first, "first");
	assert_true(exists(bad1));
	free(first);
	free(bad);
	free(bad1);
	journal_close(j);
}

/* A symlink named like a record, to a valid record elsewhere: not read. */
static void
symlink_not_followed(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);
	struct journal_rec r;
	struct seen s;
	char *target = rec_path(f, 9, ".cycle"), *outside, *log;

	sample(&r, 9);
	assert_int_equal(journal_put(j, &r), 0);
	assert_true(asprintf(&outside, "%s/elsewhere", f->top) > 0);
	assert_int_equal(rename(target, outside), 0);
	assert_int_equal(symlink(outside, target), 0);
	log = load_logged(j, &s);
	assert_int_equal(s.n, 0);
	assert_non_null(strstr(log, "not a regular file"));
	assert_true(exists(outside));
	free(log);
	free(outside);
	free(target);
	journal_close(j);
}

/* A FIFO named like a record neither blocks the load nor is trusted. */
static void
fifo_does_not_block(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);
	struct seen s;
	char *fifo = rec_path(f, 3, ".cycle"), *log;

	assert_int_equal(mkfifo(fifo, 0600), 0);
	log = load_logged(j, &s);
	assert_int_equal(s.n, 0);
	assert_non_null(strstr(log, "not a regular file"));
	free(log);
	free(fifo);
	journal_close(j);
}

/* --- the directory ------------------------------------------------------- */

static void
directory_created_0700(void **state)
{
	struct fix *f = *state;
	struct journal *j;
	struct stat st;

	umask(0);
	j = open_ok(f);
	umask(022);
	assert_int_equal(stat(f->dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	journal_close(j);
}

static void
assert_dir_refused(struct fix *f)
{
	struct journal *j = NULL;

	assert_int_equal(journal_open(f->dir, &j), SPA_ERR_STATE);
	assert_null(j);
	assert_int_equal(journal_open_readonly(f->dir, &j), SPA_ERR_STATE);
	assert_null(j);
}

static void
refuses_group_writable_directory(void **state)
{
	struct fix *f = *state;

	assert_int_equal(mkdir(f->dir, 0700), 0);
	assert_int_equal(chmod(f->dir, 0770), 0);
	assert_dir_refused(f);
}

static void
refuses_world_writable_directory(void **state)
{
	struct fix *f = *state;

	assert_int_equal(mkdir(f->dir, 0700), 0);
	assert_int_equal(chmod(f->dir, 01777), 0);
	assert_dir_refused(f);
}

static void
refuses_directory_of_another_user(void **state)
{
	struct fix *f = *state;

	assert_int_equal(mkdir(f->dir, 0700), 0);
	assert_int_equal(chown(f->dir, geteuid() + 1, 0), 0);
	assert_dir_refused(f);
}

static void
refuses_symlink_to_a_good_directory(void **state)
{
	struct fix *f = *state;
	char *real;

	assert_true(asprintf(&real, "%s/real", f->top) > 0);
	assert_int_equal(mkdir(real, 0700), 0);
	assert_int_equal(symlink(real, f->dir), 0);
	assert_dir_refused(f);
	free(real);
}

static void
refuses_a_file(void **state)
{
	struct fix *f = *state;

	free(th_write(f->top, "cycles", "", 0600));
	assert_dir_refused(f);
}

static void
records_are_mode_0600(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f);
	struct journal_rec r;
	struct stat st;
	char *path = rec_path(f, 12, ".cycle");

	umask(0);
	sample(&r, 12);
	assert_int_equal(journal_put(j, &r), 0);
	umask(022);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());
	free(path);
	journal_close(j);
}

static void
readonly_journal_changes_nothing(void **state)
{
	struct fix *f = *state;
	struct journal *j = open_ok(f), *ro = NULL;
	struct journal_rec r;
	struct seen s;
	char *tmp, *damaged;

	sample(&r, 3);
	assert_int_equal(journal_put(j, &r), 0);
	assert_non_null(tmp = th_write(f->dir, "0000000000000004.tmp", "x",
	    0600));
	assert_non_null(damaged = th_write(f->dir, "0000000000000005.cycle",
	    "x", 0600));
	assert_int_equal(journal_open_readonly(f->dir, &ro), 0);
	load_all(ro, &s);
	assert_int_equal(s.n, 1);
	assert_true(exists(tmp));
	assert_true(exists(damaged));
	assert_int_equal(journal_put(ro, &r), SPA_ERR_ARG);
	assert_int_equal(journal_del(ro, 3), SPA_ERR_ARG);
	free(tmp);
	free(damaged);
	journal_close(ro);
	journal_close(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(round_trip_every_field),
		T(round_trip_without_close),
		T(put_replaces_same_id),
		T(del_removes_only_that_record),
		T(del_of_missing_id_is_not_an_error),
		T(put_refuses_invalid_record),
		T(load_returns_the_callbacks_value),
		T(next_id_passes_every_id_on_disk),
		T(next_id_starts_above_zero_when_empty),
		T(records_survive_sigkill),
		T(sigkill_mid_write_leaves_no_damage),
		T(stray_temp_file_removed),
		T(bad_magic_set_aside),
		T(unknown_version_set_aside),
		T(bad_checksum_set_aside),
		T(truncated_file_set_aside),
		T(file_longer_than_its_fields_set_aside),
		T(file_shorter_than_its_fields_set_aside),
		T(bad_family_set_aside),
		T(ipv4_with_stray_bytes_set_aside),
		T(bad_protocol_set_aside),
		T(bad_port_set_aside),
		T(bad_module_name_set_aside),
		T(close_before_open_set_aside),
		T(argv_not_nul_terminated_set_aside),
		T(argc_beyond_words_set_aside),
		T(data_len_over_max_set_aside),
		T(id_not_matching_name_set_aside),
		T(foreign_owner_set_aside),
		T(earlier_bad_file_kept),
		T(symlink_not_followed),
		T(fifo_does_not_block),
		T(directory_created_0700),
		T(refuses_group_writable_directory),
		T(refuses_world_writable_directory),
		T(refuses_directory_of_another_user),
		T(refuses_symlink_to_a_good_directory),
		T(refuses_a_file),
		T(records_are_mode_0600),
		T(readonly_journal_changes_nothing),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
