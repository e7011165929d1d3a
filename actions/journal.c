/*
 * The journal of open cycles (see journal.h).  One file per cycle,
 * "<16 hex digits of the id>.cycle", holding one record (little-endian):
 *
 *   magic "SPAGJRN1", u32 version, u64 id, u32 stanza, module[16],
 *   u8 family (4/6), addr[16], u8 proto, u16 port, i64 opened,
 *   i64 close_at, u8 has_close, u16 argc, u16 buflen, buf[buflen],
 *   u16 data_len, data[data_len], SHA-256 of everything before it
 *
 * The size follows from the two length fields and must match the file
 * exactly; every field is range-checked on the way in.
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
#define SUFFIX		".cycle"
#define NAME_LEN	(16 + sizeof(SUFFIX) - 1)
#define HASH_LEN	32
#define REC_MAX		(128 + CMD_MAX_LEN + JOURNAL_DATA_MAX + HASH_LEN)

struct journal {
	char		*dir;
	int		 dirfd;
	bool		 readonly;
	uint64_t	 next_id;
};

/* --- encoding ------------------------------------------------------------ */

struct buf {
	uint8_t	*p;
	size_t	 len;
	size_t	 off;
	bool	 bad;
};

static void
put(struct buf *b, const void *v, size_t n)
{
	if (b->bad || n > b->len - b->off) {
		b->bad = true;
		return;
	}
	memcpy(b->p + b->off, v, n);
	b->off += n;
}

static void
put_le(struct buf *b, uint64_t v, size_t n)
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

/* Bytes of the argv buffer in use: up to the last argument's NUL. */
static size_t
argv_used(const struct cmd_argv *a)
{
	if (a->argc == 0)
		return 0;
	return (size_t)(a->argv[a->argc - 1] - a->buf) +
	    strlen(a->argv[a->argc - 1]) + 1;
}

static size_t
encode(const struct journal_rec *r, uint8_t *out, size_t cap)
{
	struct buf b = { out, cap, 0, false };
	size_t used = r->has_close ? argv_used(&r->close) : 0;

	put(&b, MAGIC, 8);
	put_le(&b, FORMAT_VERSION, 4);
	put_le(&b, r->id, 8);
	put_le(&b, r->stanza, 4);
	put(&b, r->module, sizeof(r->module));
	put_le(&b, r->allow.family == AF_INET6 ? 6 : 4, 1);
	put(&b, r->allow.bytes, sizeof(r->allow.bytes));
	put_le(&b, r->proto, 1);
	put_le(&b, r->port, 2);
	put_le(&b, (uint64_t)r->opened, 8);
	put_le(&b, (uint64_t)r->close_at, 8);
	put_le(&b, r->has_close, 1);
	put_le(&b, r->has_close ? r->close.argc : 0, 2);
	put_le(&b, used, 2);
	put(&b, r->close.buf, used);
	put_le(&b, r->data_len, 2);
	put(&b, r->data, r->data_len);
	if (b.bad || crypto_hash(SPA_DIGEST_SHA256, out, b.off,
	    out + b.off) != 0 || b.off + HASH_LEN > cap)
		return 0;
	return b.off + HASH_LEN;
}

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
	for (; i < cap; i++)
		if (m[i] != '\0')
			return false;
	return true;
}

static int
decode_fields(struct rbuf *b, struct journal_rec *r)
{
	const uint8_t *p;
	unsigned int fam;

	r->id = get_le(b, 8);
	r->stanza = (uint32_t)get_le(b, 4);
	if ((p = get(b, sizeof(r->module))) != NULL)
		memcpy(r->module, p, sizeof(r->module));
	fam = (unsigned int)get_le(b, 1);
	if ((p = get(b, sizeof(r->allow.bytes))) != NULL)
		memcpy(r->allow.bytes, p, sizeof(r->allow.bytes));
	r->allow.family = fam == 6 ? AF_INET6 : AF_INET;
	r->proto = (uint8_t)get_le(b, 1);
	r->port = (uint16_t)get_le(b, 2);
	r->opened = (int64_t)get_le(b, 8);
	r->close_at = (int64_t)get_le(b, 8);
	r->has_close = get_le(b, 1) != 0;
	if (b->bad)
		return SPA_ERR_STATE;
	if ((fam != 4 && fam != 6) || (r->proto != IPPROTO_TCP &&
	    r->proto != IPPROTO_UDP) || r->port == 0 || r->stanza == 0 ||
	    r->close_at < r->opened || !module_name_ok(r->module,
	    sizeof(r->module)))
		return SPA_ERR_STATE;
	return 0;
}

static int
decode_tail(struct rbuf *b, struct journal_rec *r)
{
	const uint8_t *p;
	size_t argc, used;

	argc = (size_t)get_le(b, 2);
	used = (size_t)get_le(b, 2);
	if (b->bad || argc > CMD_MAX_ARGS || used > sizeof(r->close.buf) ||
	    (!r->has_close && (argc != 0 || used != 0)))
		return SPA_ERR_STATE;
	if ((p = get(b, used)) != NULL)
		memcpy(r->close.buf, p, used);
	r->close.argc = argc;
	r->data_len = (uint16_t)get_le(b, 2);
	if (b->bad || r->data_len > sizeof(r->data))
		return SPA_ERR_STATE;
	if ((p = get(b, r->data_len)) != NULL)
		memcpy(r->data, p, r->data_len);
	if (b->bad || (r->has_close && cmd_argv_relink(&r->close) != 0))
		return SPA_ERR_STATE;
	return 0;
}

static int
decode(const uint8_t *in, size_t len, struct journal_rec *r)
{
	struct rbuf b = { in, len, 0, false };
	uint8_t hash[HASH_LEN];
	const uint8_t *p;
	int e;

	memset(r, 0, sizeof(*r));
	if (len < HASH_LEN ||
	    crypto_hash(SPA_DIGEST_SHA256, in, len - HASH_LEN, hash) != 0 ||
	    memcmp(hash, in + len - HASH_LEN, HASH_LEN) != 0)
		return SPA_ERR_STATE;
	b.len = len - HASH_LEN;
	p = get(&b, 8);
	if (p == NULL || memcmp(p, MAGIC, 8) != 0 ||
	    get_le(&b, 4) != FORMAT_VERSION)
		return SPA_ERR_STATE;
	if ((e = decode_fields(&b, r)) != 0 || (e = decode_tail(&b, r)) != 0)
		return e;
	return b.off == b.len ? 0 : SPA_ERR_STATE;
}

/* --- files --------------------------------------------------------------- */

static void
rec_name(uint64_t id, char *name, size_t len, const char *suffix)
{
	snprintf(name, len, "%016" PRIx64 "%s", id, suffix);
}

static bool
is_rec_name(const char *name, const char *suffix, uint64_t *id)
{
	size_t i;
	char *end;

	if (strlen(name) != 16 + strlen(suffix) ||
	    strcmp(name + 16, suffix) != 0)
		return false;
	for (i = 0; i < 16; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		    (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	*id = strtoull(name, &end, 16);
	return end == name + 16;
}

static int
check_dir(int fd, const char *dir)
{
	struct stat st;

	if (fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode))
		return SPA_ERR_STATE;
	if (st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
		log_warnx("journal %s: must belong to uid %ld and not be "
		    "writable by group or others", dir, (long)geteuid());
		return SPA_ERR_STATE;
	}
	return 0;
}

static int
open_dir(const char *dir, bool readonly, struct journal **out)
{
	struct journal *j;
	int fd, r;

	*out = NULL;
	if (!readonly && mkdir(dir, 0700) != 0 && errno != EEXIST)
		return SPA_ERR_STATE;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return SPA_ERR_STATE;
	if ((r = check_dir(fd, dir)) != 0 ||
	    (j = calloc(1, sizeof(*j))) == NULL ||
	    (j->dir = strdup(dir)) == NULL) {
		if (r == 0) {
			free(j);
			r = SPA_ERR_NOMEM;
		}
		close(fd);
		return r;
	}
	j->dirfd = fd;
	j->readonly = readonly;
	j->next_id = 1;
	*out = j;
	return 0;
}

int
journal_open(const char *dir, struct journal **out)
{
	return open_dir(dir, false, out);
}

int
journal_open_readonly(const char *dir, struct journal **out)
{
	return open_dir(dir, true, out);
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

int
journal_put(struct journal *j, const struct journal_rec *rec)
{
	uint8_t buf[REC_MAX];
	char tmp[32], name[32];
	size_t n;
	int fd, r;

	if (j->readonly || (n = encode(rec, buf, sizeof(buf))) == 0)
		return SPA_ERR_ARG;
	rec_name(rec->id, tmp, sizeof(tmp), ".tmp");
	rec_name(rec->id, name, sizeof(name), SUFFIX);
	unlinkat(j->dirfd, tmp, 0);
	fd = openat(j->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0)
		return SPA_ERR_SYS;
	r = write_all(fd, buf, n);
	if (r == 0 && fsync(fd) != 0)
		r = SPA_ERR_SYS;
	close(fd);
	if (r == 0 && renameat(j->dirfd, tmp, j->dirfd, name) != 0)
		r = SPA_ERR_SYS;
	if (r == 0 && fsync(j->dirfd) != 0)
		r = SPA_ERR_SYS;
	if (r != 0)
		unlinkat(j->dirfd, tmp, 0);
	if (rec->id >= j->next_id)
		j->next_id = rec->id + 1;
	return r;
}

int
journal_del(struct journal *j, uint64_t id)
{
	char name[32];

	if (j->readonly)
		return SPA_ERR_ARG;
	rec_name(id, name, sizeof(name), SUFFIX);
	if (unlinkat(j->dirfd, name, 0) != 0)
		return errno == ENOENT ? 0 : SPA_ERR_SYS;
	return fsync(j->dirfd) == 0 ? 0 : SPA_ERR_SYS;
}

/* A record that cannot be trusted is kept for the admin, out of the way. */
static void
set_aside(struct journal *j, const char *name, const char *why)
{
	char bad[NAME_MAX + 8];

	log_warnx("journal %s/%s: %s: set aside as %s.bad", j->dir, name, why,
	    name);
	if (j->readonly)
		return;
	snprintf(bad, sizeof(bad), "%s.bad", name);
	if (renameat(j->dirfd, name, j->dirfd, bad) != 0)
		log_warn("journal %s/%s: rename", j->dir, name);
}

static int
read_rec(struct journal *j, const char *name, uint64_t id,
    struct journal_rec *rec)
{
	uint8_t buf[REC_MAX + 1];
	struct stat st;
	ssize_t n;
	int fd;

	fd = openat(j->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? SPA_ERR_STATE : SPA_ERR_SYS;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || st.st_size > REC_MAX) {
		close(fd);
		return SPA_ERR_STATE;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n != st.st_size || decode(buf, (size_t)n, rec) != 0 ||
	    rec->id != id)
		return SPA_ERR_STATE;
	return 0;
}

static int
load_entry(struct journal *j, const char *name,
    int (*cb)(void *, const struct journal_rec *), void *arg)
{
	struct journal_rec *rec;
	uint64_t id;
	int r;

	if (is_rec_name(name, ".tmp", &id)) {
		if (!j->readonly)	/* a put interrupted by a crash */
			unlinkat(j->dirfd, name, 0);
		return 0;
	}
	if (!is_rec_name(name, SUFFIX, &id))
		return 0;
	if (id >= j->next_id)
		j->next_id = id + 1;
	if ((rec = malloc(sizeof(*rec))) == NULL)
		return SPA_ERR_NOMEM;
	if ((r = read_rec(j, name, id, rec)) == SPA_ERR_STATE) {
		set_aside(j, name, "damaged or not ours");
		r = 0;
	} else if (r == 0)
		r = cb(arg, rec);
	free(rec);
	return r;
}

int
journal_load(struct journal *j,
    int (*cb)(void *arg, const struct journal_rec *rec), void *arg)
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
		r = load_entry(j, de->d_name, cb, arg);
	closedir(d);
	return r;
}
