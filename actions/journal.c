/*
 * The journal of open cycles (see journal.h).  One file per cycle, named
 * "<16 lower-case hex digits of the id>.cycle", mode 0600, holding one
 * record encoded field by field, integers little-endian:
 *
 *   off  size  field
 *     0     8  magic "SPAGJRN1"
 *     8     4  format version (1)
 *    12     8  id (must match the file name)
 *    20     4  stanza (1-based)
 *    24    16  module name, [a-z0-9_-]+, NUL-padded
 *    40     1  address family: 4 or 6
 *    41    16  address (IPv4: 4 bytes, then 12 zero bytes)
 *    57     1  protocol: 6 or 17 (0: no port, then the port is 0)
 *    58     2  port, 1..65535
 *    60     8  opened, epoch seconds (signed)
 *    68     8  close_at, epoch seconds (signed), >= opened
 *    76     1  has_close: 0 or 1
 *    77     2  argc of the close command (0 without a close, else 1..64)
 *    79     2  buflen: bytes of the argv buffer up to the last NUL
 *    81     n  the argc NUL-terminated words, buflen bytes in all
 *   81+n    2  data_len, 0..JOURNAL_DATA_MAX
 *   83+n    m  module data
 *  83+n+m  32  SHA-256 of every byte before it
 *
 * The layout is fixed; only the two byte strings vary, and the file size
 * must be exactly what their lengths say.  Writes go to "<id>.tmp"
 * (O_EXCL, fsync), are renamed over the record and the directory is
 * fsync'd, so a crash leaves the old record or the new one, never half.
 * Files are read like outside input: a record that fails any check is
 * logged with the reason and renamed "<name>.bad", never trusted.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "err.h"
#include "journal.h"
#include "log.h"

#define MAGIC		"SPAGJRN1"
#define FORMAT_VERSION	1
#define ID_DIGITS	16
#define HASH_LEN	32
#define HEAD_LEN	81	/* magic .. buflen */
#define REC_MIN		(HEAD_LEN + 2 + HASH_LEN)
#define REC_MAX		(REC_MIN + CMD_MAX_LEN + JOURNAL_DATA_MAX)
#define BAD_TRIES	10	/* .bad, .bad.1 .. .bad.9 */

struct journal {
	char		*dir;
	int		 dirfd;
	bool		 readonly;
	uint64_t	 next_id;
};

/* What a directory entry is, by its name alone. */
enum name_kind {
	NAME_OTHER,
	NAME_RECORD,		/* <id>.cycle */
	NAME_TEMP,		/* <id>.tmp: a put interrupted by a crash */
	NAME_BAD,		/* <id>.cycle.bad*: set aside earlier */
};

/* --- encoding ------------------------------------------------------------ */

struct wbuf {
	uint8_t	*p;
	size_t	 len;
	size_t	 off;
	bool	 bad;
};

static void
put(struct wbuf *b, const void *v, size_t n)
{
	if (b->bad || n > b->len - b->off) {
		b->bad = true;
		return;
	}
	memcpy(b->p + b->off, v, n);
	b->off += n;
}

static void
put_le(struct wbuf *b, uint64_t v, size_t n)
{
	uint8_t t[8];
	size_t i;

	for (i = 0; i < n; i++)
		t[i] = (uint8_t)(v >> (8 * i));
	put(b, t, n);
}

/* Reading side: the same cursor over bytes we must not write. */
struct rbuf {
	const uint8_t	*p;
	size_t		 len;
	size_t		 off;
	bool		 bad;
};

static const uint8_t *
get(struct rbuf *b, size_t n)
{
	const uint8_t *p;

	if (b->bad || n > b->len - b->off) {
		b->bad = true;
		return NULL;
	}
	p = b->p + b->off;
	b->off += n;
	return p;
}

static uint64_t
get_le(struct rbuf *b, size_t n)
{
	const uint8_t *p = get(b, n);
	uint64_t v = 0;

	while (p != NULL && n-- > 0)
		v = v << 8 | p[n];
	return v;
}

static void
get_bytes(struct rbuf *b, void *out, size_t n)
{
	const uint8_t *p = get(b, n);

	if (p != NULL)
		memcpy(out, p, n);
}

/*
 * Bytes of buf holding the argc words and their NULs, found by walking
 * the buffer (argv[] pointers are not trusted); 0 if they do not fit.
 */
static size_t
argv_extent(const struct cmd_argv *a)
{
	size_t i, n, off = 0;

	for (i = 0; i < a->argc; i++) {
		if (off >= sizeof(a->buf))
			return 0;
		n = strnlen(a->buf + off, sizeof(a->buf) - off);
		if (off + n == sizeof(a->buf))
			return 0;
		off += n + 1;
	}
	return off;
}

static size_t
addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static size_t
encode(const struct journal_rec *r, uint8_t *out, size_t cap)
{
	struct wbuf b = { out, cap, 0, false };
	size_t used = r->has_close ? argv_extent(&r->close) : 0;
	uint8_t module[JOURNAL_MODULE_MAX] = { 0 }, addr[16] = { 0 };

	memcpy(module, r->module, strnlen(r->module, sizeof(module)));
	memcpy(addr, r->allow.bytes, addr_len(r->allow.family));
	put(&b, MAGIC, 8);
	put_le(&b, FORMAT_VERSION, 4);
	put_le(&b, r->id, 8);
	put_le(&b, r->stanza, 4);
	put(&b, module, sizeof(module));
	put_le(&b, r->allow.family == AF_INET6 ? 6 : 4, 1);
	put(&b, addr, sizeof(addr));
	put_le(&b, r->proto, 1);
	put_le(&b, r->port, 2);
	put_le(&b, (uint64_t)r->opened, 8);
	put_le(&b, (uint64_t)r->close_at, 8);
	put_le(&b, r->has_close ? 1 : 0, 1);
	put_le(&b, r->has_close ? r->close.argc : 0, 2);
	put_le(&b, used, 2);
	put(&b, r->close.buf, used);
	put_le(&b, r->data_len, 2);
	put(&b, r->data, r->data_len);
	if (b.bad || b.off + HASH_LEN > cap ||
	    crypto_hash(SPA_DIGEST_SHA256, out, b.off, out + b.off) != 0)
		return 0;
	return b.off + HASH_LEN;
}

/* --- validation (the same rules for writing and reading) ----------------- */

static bool
module_name_ok(const char *m, size_t cap)
{
	size_t i, n = strnlen(m, cap);

	if (n == 0 || n == cap)
		return false;
	for (i = 0; i < n; i++)
		if (!((m[i] >= 'a' && m[i] <= 'z') || (m[i] >= '0' &&
		    m[i] <= '9') || m[i] == '_' || m[i] == '-'))
			return false;
	return true;
}

static const char *
check_grant(const struct journal_rec *r)
{
	if (r->stanza == 0)
		return "bad stanza number";
	if (r->allow.family != AF_INET && r->allow.family != AF_INET6)
		return "bad address family";
	if (r->proto != 0 && r->proto != IPPROTO_TCP &&
	    r->proto != IPPROTO_UDP)
		return "bad protocol";
	if ((r->proto != 0 && r->port == 0) || (r->proto == 0 && r->port != 0))
		return "bad port";
	if (r->close_at < r->opened)
		return "close time before open time";
	if (!module_name_ok(r->module, sizeof(r->module)))
		return "bad module name";
	return NULL;
}

static const char *
check_rec(const struct journal_rec *r)
{
	const char *why;

	if ((why = check_grant(r)) != NULL)
		return why;
	if (r->has_close && (r->close.argc == 0 ||
	    r->close.argc > CMD_MAX_ARGS || argv_extent(&r->close) == 0))
		return "bad close command";
	if (r->data_len > sizeof(r->data))
		return "module data too long";
	return NULL;
}

/* --- decoding ------------------------------------------------------------ */

static void
decode_grant(struct rbuf *b, struct journal_rec *r, unsigned int *fam)
{
	r->id = get_le(b, 8);
	r->stanza = (uint32_t)get_le(b, 4);
	get_bytes(b, r->module, sizeof(r->module));
	*fam = (unsigned int)get_le(b, 1);
	get_bytes(b, r->allow.bytes, sizeof(r->allow.bytes));
	r->allow.family = *fam == 4 ? AF_INET : *fam == 6 ? AF_INET6 :
	    AF_UNSPEC;
	r->proto = (uint8_t)get_le(b, 1);
	r->port = (uint16_t)get_le(b, 2);
	r->opened = (int64_t)get_le(b, 8);
	r->close_at = (int64_t)get_le(b, 8);
}

static const char *
decode_close(struct rbuf *b, struct journal_rec *r)
{
	uint64_t has_close, argc, used;

	has_close = get_le(b, 1);
	argc = get_le(b, 2);
	used = get_le(b, 2);
	if (b->bad || has_close > 1)
		return "bad close flag";
	r->has_close = has_close == 1;
	if (argc > CMD_MAX_ARGS || used > sizeof(r->close.buf) ||
	    (r->has_close ? argc == 0 || used == 0 : argc != 0 || used != 0))
		return "bad close command";
	get_bytes(b, r->close.buf, (size_t)used);
	r->close.argc = (size_t)argc;
	if (b->bad)
		return "wrong size";
	/* exactly argc words, the last NUL at the end of the bytes */
	if (r->has_close && (r->close.buf[used - 1] != '\0' ||
	    argv_extent(&r->close) != used ||
	    cmd_argv_relink(&r->close) != 0))
		return "close command not NUL-terminated words";
	return NULL;
}

/* The name's NUL is followed by NULs only: one encoding per record. */
static bool
zero_padded(const char *m, size_t cap)
{
	size_t i;

	for (i = strnlen(m, cap); i < cap; i++)
		if (m[i] != '\0')
			return false;
	return true;
}

static const char *
decode_body(struct rbuf *b, struct journal_rec *r)
{
	unsigned int fam;
	const char *why;
	uint8_t zero[16] = { 0 };

	decode_grant(b, r, &fam);
	if (b->bad)
		return "wrong size";
	if (fam != 4 && fam != 6)
		return "bad address family";
	if (memcmp(r->allow.bytes + addr_len(r->allow.family), zero,
	    sizeof(r->allow.bytes) - addr_len(r->allow.family)) != 0)
		return "bad address";
	if (!zero_padded(r->module, sizeof(r->module)))
		return "bad module name";
	if ((why = decode_close(b, r)) != NULL)
		return why;
	r->data_len = (uint16_t)get_le(b, 2);
	if (b->bad || r->data_len > sizeof(r->data))
		return b->bad ? "wrong size" : "module data too long";
	get_bytes(b, r->data, r->data_len);
	if (b->bad || b->off != b->len)
		return "wrong size";
	return check_grant(r);
}

/* NULL if `in` is a valid record, else why not. */
static const char *
decode(const uint8_t *in, size_t len, struct journal_rec *r)
{
	struct rbuf b = { in, 0, 0, false };
	uint8_t hash[HASH_LEN];

	memset(r, 0, sizeof(*r));
	if (len < REC_MIN || len > REC_MAX)
		return "wrong size";
	b.len = len - HASH_LEN;
	if (crypto_hash(SPA_DIGEST_SHA256, in, len - HASH_LEN, hash) != 0 ||
	    memcmp(hash, in + len - HASH_LEN, HASH_LEN) != 0)
		return "bad checksum";
	if (memcmp(get(&b, 8), MAGIC, 8) != 0)
		return "bad magic";
	if (get_le(&b, 4) != FORMAT_VERSION)
		return "unknown format version";
	return decode_body(&b, r);
}

/* --- names --------------------------------------------------------------- */

static void
rec_name(uint64_t id, const char *suffix, char *name, size_t len)
{
	/* 16 digits + the longest suffix always fit: no truncation */
	(void)snprintf(name, len, "%016" PRIx64 "%s", id, suffix);
}

static enum name_kind
name_kind(const char *name, uint64_t *id)
{
	const char *rest = name + ID_DIGITS;
	size_t i;

	*id = 0;
	for (i = 0; i < ID_DIGITS; i++) {
		if (name[i] >= '0' && name[i] <= '9')
			*id = *id << 4 | (uint64_t)(name[i] - '0');
		else if (name[i] >= 'a' && name[i] <= 'f')
			*id = *id << 4 | (uint64_t)(name[i] - 'a' + 10);
		else
			return NAME_OTHER;
	}
	if (strcmp(rest, ".cycle") == 0)
		return NAME_RECORD;
	if (strcmp(rest, ".tmp") == 0)
		return NAME_TEMP;
	if (strncmp(rest, ".cycle.bad", 10) == 0)
		return NAME_BAD;
	return NAME_OTHER;
}

/* Ids are never reused: not even those of records set aside. */
static void
note_id(struct journal *j, uint64_t id)
{
	if (id >= j->next_id && id != UINT64_MAX)
		j->next_id = id + 1;
}

/* Call fn for every name in the directory. */
static int
walk_dir(struct journal *j, int (*fn)(struct journal *, const char *,
    void *), void *arg)
{
	struct dirent *de;
	DIR *d;
	int fd, r = 0;

	if ((fd = dup(j->dirfd)) < 0)
		return SPA_ERR_SYS;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return SPA_ERR_SYS;
	}
	rewinddir(d);
	while (r == 0 && (de = readdir(d)) != NULL)
		r = fn(j, de->d_name, arg);
	closedir(d);
	return r;
}

static int
note_name(struct journal *j, const char *name, void *arg)
{
	uint64_t id;

	(void)arg;
	if (name_kind(name, &id) != NAME_OTHER)
		note_id(j, id);
	return 0;
}

/* --- opening ------------------------------------------------------------- */

static const char *
check_dir_stat(const struct stat *st)
{
	if (!S_ISDIR(st->st_mode))
		return "not a directory";
	if (st->st_uid != geteuid())
		return "not owned by our uid";
	if ((st->st_mode & 022) != 0)
		return "writable by group or others";
	return NULL;
}

static int
open_dirfd(const char *dir, bool readonly, int *out)
{
	const char *why;
	struct stat st;
	int fd;

	if (!readonly && mkdir(dir, 0700) != 0 && errno != EEXIST) {
		log_warn("journal %s: mkdir", dir);
		return SPA_ERR_STATE;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			log_warnx("journal %s: not a directory (or a symbolic "
			    "link)", dir);
		else
			log_warn("journal %s", dir);
		return SPA_ERR_STATE;
	}
	if (fstat(fd, &st) != 0) {
		log_warn("journal %s: fstat", dir);
		close(fd);
		return SPA_ERR_STATE;
	}
	if ((why = check_dir_stat(&st)) != NULL) {
		log_warnx("journal %s: %s", dir, why);
		close(fd);
		return SPA_ERR_STATE;
	}
	*out = fd;
	return 0;
}

static int
open_journal(const char *dir, bool readonly, struct journal **out)
{
	struct journal *j = NULL;
	int fd, r;

	*out = NULL;
	if ((r = open_dirfd(dir, readonly, &fd)) != 0)
		return r;
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->dir = strdup(dir)) == NULL) {
		free(j);
		close(fd);
		return SPA_ERR_NOMEM;
	}
	j->dirfd = fd;
	j->readonly = readonly;
	j->next_id = 1;
	if ((r = walk_dir(j, note_name, NULL)) != 0) {
		journal_close(j);
		return r;
	}
	*out = j;
	return 0;
}

int
journal_open(const char *dir, struct journal **out)
{
	return open_journal(dir, false, out);
}

int
journal_open_readonly(const char *dir, struct journal **out)
{
	return open_journal(dir, true, out);
}

void
journal_close(struct journal *j)
{
	if (j == NULL)
		return;
	close(j->dirfd);
	free(j->dir);
	free(j);
}

uint64_t
journal_next_id(struct journal *j)
{
	return j->next_id++;
}

/* --- writing ------------------------------------------------------------- */

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return SPA_ERR_SYS;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Write `n` bytes to `tmp`, durable, and rename it over `name`. */
static int
write_rename(struct journal *j, const char *tmp, const char *name,
    const uint8_t *p, size_t n)
{
	int fd, r, saved;

	(void)unlinkat(j->dirfd, tmp, 0);	/* left by a failed put */
	fd = openat(j->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0)
		return SPA_ERR_SYS;
	r = write_all(fd, p, n);
	if (r == 0 && fsync(fd) != 0)
		r = SPA_ERR_SYS;
	close(fd);
	if (r == 0 && renameat(j->dirfd, tmp, j->dirfd, name) != 0)
		r = SPA_ERR_SYS;
	if (r != 0) {
		saved = errno;
		(void)unlinkat(j->dirfd, tmp, 0);
		errno = saved;
	} else if (fsync(j->dirfd) != 0)
		r = SPA_ERR_SYS;
	return r;
}

int
journal_put(struct journal *j, const struct journal_rec *rec)
{
	uint8_t buf[REC_MAX];
	char tmp[ID_DIGITS + 8], name[ID_DIGITS + 8];
	const char *why;
	size_t n;
	int r;

	if (j->readonly)
		return SPA_ERR_ARG;
	if ((why = check_rec(rec)) != NULL) {
		log_warnx("journal: record %016" PRIx64 " not written: %s",
		    rec->id, why);
		return SPA_ERR_ARG;
	}
	if ((n = encode(rec, buf, sizeof(buf))) == 0)
		return SPA_ERR_CRYPTO;
	rec_name(rec->id, ".tmp", tmp, sizeof(tmp));
	rec_name(rec->id, ".cycle", name, sizeof(name));
	if ((r = write_rename(j, tmp, name, buf, n)) != 0)
		log_warn("journal %s/%s: write", j->dir, name);
	note_id(j, rec->id);
	return r;
}

int
journal_del(struct journal *j, uint64_t id)
{
	char name[ID_DIGITS + 8];

	if (j->readonly)
		return SPA_ERR_ARG;
	rec_name(id, ".cycle", name, sizeof(name));
	if (unlinkat(j->dirfd, name, 0) != 0)
		return errno == ENOENT ? 0 : SPA_ERR_SYS;
	return fsync(j->dirfd) == 0 ? 0 : SPA_ERR_SYS;
}

/* --- loading ------------------------------------------------------------- */

/* A record that cannot be trusted is kept for the admin, out of the way. */
static void
set_aside(struct journal *j, const char *name, const char *why)
{
	char bad[NAME_MAX + 1];
	int i;

	if (j->readonly) {
		log_warnx("journal %s/%s: %s: ignored", j->dir, name, why);
		return;
	}
	for (i = 0; i < BAD_TRIES; i++) {
		if (i == 0)
			(void)snprintf(bad, sizeof(bad), "%s.bad", name);
		else
			(void)snprintf(bad, sizeof(bad), "%s.bad.%d", name, i);
		/* never replace an earlier .bad: it may be the only copy */
		if (renameat2(j->dirfd, name, j->dirfd, bad,
		    RENAME_NOREPLACE) == 0) {
			log_warnx("journal %s/%s: %s: set aside as %s", j->dir,
			    name, why, bad);
			return;
		}
		if (errno != EEXIST)
			break;
	}
	log_warn("journal %s/%s: %s: cannot set it aside", j->dir, name, why);
}

static int
read_file(int fd, uint8_t *buf, size_t want)
{
	size_t got = 0;
	ssize_t n;

	while (got < want) {
		if ((n = read(fd, buf + got, want - got)) < 0) {
			if (errno == EINTR)
				continue;
			return SPA_ERR_SYS;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return got == want ? 0 : SPA_ERR_STATE;
}

/*
 * Read and decode one record.  Returns 0, 1 if it vanished, SPA_ERR_STATE
 * with *why if it is not to be trusted, or SPA_ERR_SYS.
 */
static int
read_rec(struct journal *j, const char *name, struct journal_rec *rec,
    const char **why)
{
	uint8_t buf[REC_MAX];
	struct stat st;
	int fd, r = 0;

	fd = openat(j->dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 1;
	if (fd < 0 && (errno == ELOOP || errno == ENXIO)) {
		*why = "not a regular file";
		return SPA_ERR_STATE;
	}
	if (fd < 0)
		return SPA_ERR_SYS;
	*why = NULL;
	if (fstat(fd, &st) != 0)
		r = SPA_ERR_SYS;
	else if (!S_ISREG(st.st_mode))
		*why = "not a regular file";
	else if (st.st_uid != geteuid())
		*why = "not owned by our uid";
	else if (st.st_size < REC_MIN || st.st_size > REC_MAX)
		*why = "wrong size";
	else if ((r = read_file(fd, buf, (size_t)st.st_size)) == 0)
		*why = decode(buf, (size_t)st.st_size, rec);
	else if (r == SPA_ERR_STATE)
		*why = "wrong size";	/* shrank while we read it */
	close(fd);
	if (*why != NULL)
		return SPA_ERR_STATE;
	return r == SPA_ERR_SYS ? r : 0;
}

struct load {
	int			(*cb)(void *, const struct journal_rec *);
	void			*arg;
	struct journal_rec	*rec;
};

static int
load_name(struct journal *j, const char *name, void *arg)
{
	struct load *l = arg;
	const char *why = NULL;
	uint64_t id;
	int r;

	switch (name_kind(name, &id)) {
	case NAME_TEMP:
		if (!j->readonly)
			(void)unlinkat(j->dirfd, name, 0);
		/* FALLTHROUGH */
	case NAME_BAD:
		note_id(j, id);
		/* FALLTHROUGH */
	case NAME_OTHER:
		return 0;
	case NAME_RECORD:
		break;
	}
	note_id(j, id);
	r = read_rec(j, name, l->rec, &why);
	if (r == 0 && l->rec->id != id) {
		why = "id does not match the file name";
		r = SPA_ERR_STATE;
	}
	if (r == SPA_ERR_STATE) {
		set_aside(j, name, why);
		return 0;
	}
	if (r == SPA_ERR_SYS)
		log_warn("journal %s/%s", j->dir, name);
	return r == 0 ? l->cb(l->arg, l->rec) : r == 1 ? 0 : r;
}

int
journal_load(struct journal *j,
    int (*cb)(void *arg, const struct journal_rec *rec), void *arg)
{
	struct load l = { cb, arg, NULL };
	int r;

	if ((l.rec = malloc(sizeof(*l.rec))) == NULL)
		return SPA_ERR_NOMEM;
	r = walk_dir(j, load_name, &l);
	free(l.rec);
	return r;
}
