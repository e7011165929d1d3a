/*
 * The journal of open cycles (see journal.h): <dir>/cycles.log.
 *
 *   file   = "SPAGJRN2" version(4) entry*
 *   entry  = length(4) type(1) payload(length - 1) sha256(32)
 *
 * integers little-endian; the SHA-256 covers length, type and payload.
 * Types: 'P' a record (journal_rec.c), 'D' the removal of an id (8),
 * 'N' the id high-water mark (8), written first by every compaction.
 *
 * Opening reads the whole file: a torn last entry (a crash in the middle
 * of a write) is dropped; damage elsewhere is reported, the damaged file
 * kept as cycles.log.bad[.N] and reading resumes at the next entry whose
 * checksum holds.  Then the live records are written to cycles.log.new,
 * synced and renamed over the file, which is how it also stays small
 * while the daemon runs.  An in-memory index (id -> offset) tells which
 * entries are live without reading them again.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bytes.h"
#include "crypto.h"
#include "err.h"
#include "journal.h"
#include "log.h"
#include "trust.h"

#define MAGIC		"SPAGJRN2"
#define FORMAT_VERSION	2
#define HEADER_LEN	12
#define HASH_LEN	32
#define ENTRY_HEAD	5		/* length + type */
#define ENTRY_MAX	(ENTRY_HEAD + JOURNAL_REC_MAX + HASH_LEN)
#define FILE_MAX	((off_t)1 << 30)
#define COMPACT_MIN	(1u << 20)	/* never compact a smaller file */
#define NEW_FILE	JOURNAL_FILE ".new"
#define BAD_TRIES	10
#define HELD_MAX	(64 * 1024)	/* held bytes written before more */
#define HELD_IDS_MAX	(HELD_MAX / (ENTRY_HEAD + HASH_LEN))

enum entry_type {
	ENTRY_PUT = 'P',
	ENTRY_DEL = 'D',
	ENTRY_NEXT = 'N',
};

/* Where the live entry of an id is; id 0 marks an empty slot. */
struct slot {
	uint64_t	 id;
	uint64_t	 off;
	uint32_t	 len;
};

struct journal {
	char		*dir;
	int		 dirfd;
	int		 fd;		/* -1: no file (read-only, none yet) */
	bool		 readonly;
	bool		 unsynced;	/* appended since the last sync */
	bool		 broken;	/* a failed append: refuse the rest */
	uint64_t	 next_id;
	uint64_t	 size;		/* bytes in the file */
	uint64_t	 live;		/* bytes of live entries */
	uint64_t	 compact_at;	/* size that may trigger compaction */
	struct slot	*slots;		/* open addressing, linear probing */
	size_t		 cap;		/* power of two, or 0 */
	size_t		 n;
	/* held entries (journal_put_held), written as one at the next sync */
	uint8_t		*held;
	size_t		 held_len;	/* they follow `size` in the file */
	uint64_t	*held_ids;	/* the records among them */
	size_t		 nheld_ids;
};

/* --- the index ----------------------------------------------------------- */

static size_t
home(uint64_t id, size_t cap)
{
	id *= 0x9e3779b97f4a7c15ull;
	return (size_t)(id ^ id >> 29) & (cap - 1);
}

static struct slot *
index_find(const struct journal *j, uint64_t id)
{
	size_t i;

	if (j->cap == 0)
		return NULL;
	for (i = home(id, j->cap); j->slots[i].id != 0; i = (i + 1) &
	    (j->cap - 1))
		if (j->slots[i].id == id)
			return &j->slots[i];
	return NULL;
}

static void
index_insert(struct slot *v, size_t cap, const struct slot *s)
{
	size_t i = home(s->id, cap);

	while (v[i].id != 0)
		i = (i + 1) & (cap - 1);
	v[i] = *s;
}

static int
index_grow(struct journal *j)
{
	size_t i, ncap = j->cap != 0 ? j->cap * 2 : 64;
	struct slot *nv;

	if ((nv = calloc(ncap, sizeof(*nv))) == NULL)
		return SPA_ERR_NOMEM;
	for (i = 0; i < j->cap; i++)
		if (j->slots[i].id != 0)
			index_insert(nv, ncap, &j->slots[i]);
	free(j->slots);
	j->slots = nv;
	j->cap = ncap;
	return 0;
}

/* Record where id's live entry is now; the one it replaces is dead. */
static int
index_put(struct journal *j, uint64_t id, uint64_t off, uint32_t len)
{
	struct slot *s, ns = { id, off, len };
	int r;

	if ((s = index_find(j, id)) != NULL) {
		j->live -= s->len;
		*s = ns;
	} else {
		if ((j->n + 1) * 2 > j->cap && (r = index_grow(j)) != 0)
			return r;
		index_insert(j->slots, j->cap, &ns);
		j->n++;
	}
	j->live += len;
	return 0;
}

/* Backward-shift deletion: no tombstones, probes stay short. */
static void
index_del(struct journal *j, struct slot *s)
{
	size_t mask = j->cap - 1, i = (size_t)(s - j->slots), k, x = i;

	j->live -= s->len;
	j->n--;
	for (;;) {
		x = (x + 1) & mask;
		if (j->slots[x].id == 0)
			break;
		k = home(j->slots[x].id, j->cap);
		/* stays if its home lies cyclically in (i, x] */
		if (i <= x ? (i < k && k <= x) : (i < k || k <= x))
			continue;
		j->slots[i] = j->slots[x];
		i = x;
	}
	j->slots[i].id = 0;
}

static int
by_offset(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/*
 * A copy of the live slots, oldest entry first, and how many: callers
 * walk the copy, for a journal_load() callback may change the index.
 * *out is NULL when there are none.
 */
static int
index_sorted(const struct journal *j, struct slot **out, size_t *count)
{
	size_t i, n = 0;

	*out = NULL;
	*count = 0;
	if (j->n == 0)
		return 0;
	if ((*out = calloc(j->n, sizeof(**out))) == NULL)
		return SPA_ERR_NOMEM;
	for (i = 0; i < j->cap && n < j->n; i++)
		if (j->slots[i].id != 0)
			(*out)[n++] = j->slots[i];
	qsort(*out, n, sizeof(**out), by_offset);
	*count = n;
	return 0;
}

static void
note_id(struct journal *j, uint64_t id)
{
	if (id >= j->next_id && id != UINT64_MAX)
		j->next_id = id + 1;
}

/* --- entries ------------------------------------------------------------- */

/* Frame a payload as an entry in `out` (ENTRY_MAX bytes); its length. */
static size_t
entry_make(uint8_t *out, enum entry_type type, const uint8_t *payload,
    size_t plen)
{
	size_t n = ENTRY_HEAD + plen;

	le_store(out, 1 + plen, 4);
	out[4] = (uint8_t)type;
	memmove(out + ENTRY_HEAD, payload, plen);
	if (crypto_hash(SPA_DIGEST_SHA256, out, n, out + n) != 0)
		return 0;
	return n + HASH_LEN;
}

static size_t
entry_id(uint8_t *out, enum entry_type type, uint64_t id)
{
	uint8_t v[8];

	le_store(v, id, 8);
	return entry_make(out, type, v, sizeof(v));
}

enum entry_check {
	ENTRY_OK,
	ENTRY_TORN,		/* runs past the end of the file */
	ENTRY_BAD,		/* impossible length or wrong checksum */
};

/* Is there a whole, intact entry at `p`?  Its total length in *len. */
static enum entry_check
entry_at(const uint8_t *p, size_t avail, size_t *len)
{
	uint8_t hash[HASH_LEN];
	uint64_t n;

	if (avail < 4)
		return ENTRY_TORN;
	n = le_load(p, 4);
	if (n == 0 || n > 1 + JOURNAL_REC_MAX)
		return ENTRY_BAD;
	*len = 4 + (size_t)n + HASH_LEN;
	if (*len > avail)
		return ENTRY_TORN;
	if (crypto_hash(SPA_DIGEST_SHA256, p, 4 + (size_t)n, hash) != 0 ||
	    memcmp(hash, p + 4 + n, HASH_LEN) != 0)
		return ENTRY_BAD;
	return ENTRY_OK;
}

/* --- reading the file at open -------------------------------------------- */

struct scan {
	uint8_t			*buf;
	size_t			 size;
	bool			 damaged;	/* keep a copy for the admin */
	struct journal_rec	*rec;		/* scratch */
};

/* Apply one intact entry to the index; false if its content is bad. */
static bool
apply_entry(struct journal *j, struct scan *sc, size_t off, size_t len)
{
	const uint8_t *p = sc->buf + off + 4;
	size_t plen = len - 4 - HASH_LEN - 1;
	struct slot *s;
	const char *why;

	switch (p[0]) {
	case ENTRY_PUT:
		if ((why = journal_rec_decode(p + 1, plen, sc->rec)) != NULL) {
			log_warnx("journal %s/%s: record at offset %zu: %s: "
			    "ignored", j->dir, JOURNAL_FILE, off, why);
			return false;
		}
		note_id(j, sc->rec->id);
		return index_put(j, sc->rec->id, off, (uint32_t)len) == 0;
	case ENTRY_DEL:
	case ENTRY_NEXT:
		if (plen != 8 || le_load(p + 1, 8) > JOURNAL_ID_MAX)
			break;
		note_id(j, le_load(p + 1, 8) - (p[0] == ENTRY_NEXT));
		if (p[0] == ENTRY_DEL &&
		    (s = index_find(j, le_load(p + 1, 8))) != NULL)
			index_del(j, s);
		return true;
	}
	log_warnx("journal %s/%s: entry at offset %zu: unknown type or size: "
	    "ignored", j->dir, JOURNAL_FILE, off);
	return false;
}

/* The next offset after `off` where an intact entry starts, or size. */
static size_t
resync(const struct scan *sc, size_t off)
{
	size_t len;

	for (off++; off < sc->size; off++)
		if (entry_at(sc->buf + off, sc->size - off, &len) == ENTRY_OK)
			return off;
	return sc->size;
}

static void
scan_entries(struct journal *j, struct scan *sc)
{
	size_t off = HEADER_LEN, len = 0, next;
	enum entry_check c;

	while (off < sc->size) {
		c = entry_at(sc->buf + off, sc->size - off, &len);
		if (c == ENTRY_OK) {
			if (!apply_entry(j, sc, off, len))
				sc->damaged = true;
			off += len;
			continue;
		}
		next = resync(sc, off);
		if (next == sc->size && c == ENTRY_TORN) {
			log_info("journal %s/%s: incomplete last entry (%zu "
			    "bytes, a write cut short by a crash): dropped",
			    j->dir, JOURNAL_FILE, sc->size - off);
			return;
		}
		log_warnx("journal %s/%s: %zu damaged bytes at offset %zu: "
		    "skipped", j->dir, JOURNAL_FILE, next - off, off);
		sc->damaged = true;
		off = next;
	}
}

static int
read_all(int fd, uint8_t *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = pread(fd, buf + got, n - got, (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return SPA_ERR_STATE;	/* error, or shrank under us */
		got += (size_t)r;
	}
	return 0;
}

/* The one file-trust rule (trust.h), then what a journal must be. */
static const char *
check_file_stat(const struct stat *st)
{
	const char *why;

	if ((why = trust_check(st, 0)) != NULL)
		return why;
	if (st->st_size > FILE_MAX)
		return "larger than 1 GiB";
	if (st->st_size != 0 && st->st_size < HEADER_LEN)
		return "shorter than its header";
	return NULL;
}

/* Read and index the whole file; *damaged if a copy should be kept. */
static int
load_file(struct journal *j, bool *damaged)
{
	struct scan sc = { NULL, 0, false, NULL };
	const char *why;
	struct stat st;
	int r;

	if (fstat(j->fd, &st) != 0)
		return SPA_ERR_SYS;
	if ((why = check_file_stat(&st)) != NULL) {
		log_warnx("journal %s/%s: %s", j->dir, JOURNAL_FILE, why);
		return SPA_ERR_STATE;
	}
	j->size = (uint64_t)st.st_size;
	if (st.st_size == 0)
		return 0;	/* created by an open that did not finish */
	sc.size = (size_t)st.st_size;
	if ((sc.rec = malloc(sizeof(*sc.rec))) == NULL ||
	    (sc.buf = malloc(sc.size)) == NULL) {
		free(sc.rec);
		return SPA_ERR_NOMEM;
	}
	if ((r = read_all(j->fd, sc.buf, sc.size)) == 0) {
		if (memcmp(sc.buf, MAGIC, 8) != 0 ||
		    le_load(sc.buf + 8, 4) != FORMAT_VERSION) {
			log_warnx("journal %s/%s: not a spagated journal "
			    "(format %s)", j->dir, JOURNAL_FILE, MAGIC);
			r = SPA_ERR_STATE;
		} else
			scan_entries(j, &sc);
	}
	*damaged = sc.damaged;
	free(sc.buf);
	free(sc.rec);
	return r;
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

/*
 * Append one entry.  A failed write is cut off again, so the file never
 * keeps half an entry; if even that fails, the journal refuses further
 * appends rather than build on a damaged tail.
 */
static int	write_held(struct journal *);

static int
append(struct journal *j, const uint8_t *entry, size_t len, uint64_t *off)
{
	if (j->readonly || j->fd < 0)
		return SPA_ERR_ARG;
	if (j->broken || write_held(j) != 0)	/* the file keeps the order */
		return SPA_ERR_STATE;
	if (write_all(j->fd, entry, len) != 0) {
		log_warn("journal %s/%s: append", j->dir, JOURNAL_FILE);
		if (ftruncate(j->fd, (off_t)j->size) != 0) {
			log_warn("journal %s/%s: cannot cut off a failed "
			    "append: no more grants until restart", j->dir,
			    JOURNAL_FILE);
			j->broken = true;
		}
		return SPA_ERR_STATE;
	}
	*off = j->size;
	j->size += len;
	j->unsynced = true;
	return 0;
}

/*
 * The held records are not in the file after all: out of the index, so
 * that no one reads or deletes them; the cycles they belong to fail.
 */
static void
forget_held(struct journal *j)
{
	struct slot *s;
	size_t i;

	for (i = 0; i < j->nheld_ids; i++)
		if ((s = index_find(j, j->held_ids[i])) != NULL &&
		    s->off >= j->size)
			index_del(j, s);
	j->held_len = j->nheld_ids = 0;
}

/* The held entries, in one write; cut off again if it fails. */
static int
write_held(struct journal *j)
{
	if (j->held_len == 0)
		return 0;
	if (write_all(j->fd, j->held, j->held_len) == 0) {
		j->size += j->held_len;
		j->held_len = j->nheld_ids = 0;
		return 0;
	}
	log_warn("journal %s/%s: append of %zu held records", j->dir,
	    JOURNAL_FILE, j->nheld_ids);
	if (ftruncate(j->fd, (off_t)j->size) != 0) {
		log_warn("journal %s/%s: cannot cut off a failed append: no "
		    "more grants until restart", j->dir, JOURNAL_FILE);
		j->broken = true;
	}
	forget_held(j);
	return SPA_ERR_STATE;
}

/* Hold an entry for the next write; its offset is where it will be. */
static int
append_held(struct journal *j, const uint8_t *entry, size_t len,
    uint64_t id, uint64_t *off)
{
	if (j->readonly || j->fd < 0)
		return SPA_ERR_ARG;
	if (j->broken)
		return SPA_ERR_STATE;
	if (j->held == NULL && ((j->held = malloc(HELD_MAX)) == NULL ||
	    (j->held_ids = calloc(HELD_IDS_MAX, sizeof(uint64_t))) == NULL))
		return SPA_ERR_NOMEM;
	if ((HELD_MAX - j->held_len < len || j->nheld_ids == HELD_IDS_MAX) &&
	    write_held(j) != 0)
		return SPA_ERR_STATE;
	memcpy(j->held + j->held_len, entry, len);
	*off = j->size + j->held_len;
	j->held_len += len;
	j->held_ids[j->nheld_ids++] = id;
	j->unsynced = true;
	return 0;
}

/* Keep the damaged file under a name no later run overwrites. */
static void
keep_damaged(struct journal *j)
{
	char bad[sizeof(JOURNAL_FILE) + 16];
	int i;

	for (i = 0; i < BAD_TRIES; i++) {
		if (i == 0)
			snprintf(bad, sizeof(bad), "%s.bad", JOURNAL_FILE);
		else
			snprintf(bad, sizeof(bad), "%s.bad.%d", JOURNAL_FILE,
			    i);
		if (linkat(j->dirfd, JOURNAL_FILE, j->dirfd, bad, 0) == 0) {
			log_warnx("journal %s/%s: a copy of the damaged file "
			    "is kept as %s", j->dir, JOURNAL_FILE, bad);
			return;
		}
		if (errno != EEXIST)
			break;
	}
	log_warn("journal %s/%s: cannot keep a copy of the damaged file",
	    j->dir, JOURNAL_FILE);
}

/* Copy the `nv` live entries (oldest first) after the header and mark. */
static int
write_live(struct journal *j, int fd, const struct slot *v, size_t nv,
    uint64_t *size)
{
	uint8_t head[HEADER_LEN + ENTRY_MAX], *buf;
	uint64_t off;
	size_t i, n;
	int r = 0;

	memcpy(head, MAGIC, 8);
	le_store(head + 8, FORMAT_VERSION, 4);
	n = HEADER_LEN + entry_id(head + HEADER_LEN, ENTRY_NEXT, j->next_id);
	if (n == HEADER_LEN || write_all(fd, head, n) != 0)
		return SPA_ERR_SYS;
	off = n;
	if ((buf = malloc(ENTRY_MAX)) == NULL)
		return SPA_ERR_NOMEM;
	for (i = 0; r == 0 && i < nv; i++) {
		if (v[i].len > ENTRY_MAX ||
		    pread(j->fd, buf, v[i].len, (off_t)v[i].off) !=
		    (ssize_t)v[i].len || write_all(fd, buf, v[i].len) != 0)
			r = SPA_ERR_SYS;
		off += v[i].len;
	}
	free(buf);
	*size = off;
	return r;
}

/*
 * Rewrite the file with only its live entries: cycles.log.new, synced,
 * renamed over cycles.log, directory synced.  On failure the old file
 * stays in use, untouched.
 */
static int
compact(struct journal *j)
{
	struct slot *v;
	uint64_t size = 0, off;
	size_t i, n;
	int fd, r;

	if ((r = index_sorted(j, &v, &n)) != 0)
		return r;
	(void)unlinkat(j->dirfd, NEW_FILE, 0);
	fd = openat(j->dirfd, NEW_FILE, O_RDWR | O_APPEND | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		r = SPA_ERR_SYS;
	else if ((r = write_live(j, fd, v, n, &size)) == 0 &&
	    fdatasync(fd) != 0)
		r = SPA_ERR_SYS;
	if (r == 0 && renameat(j->dirfd, NEW_FILE, j->dirfd, JOURNAL_FILE) != 0)
		r = SPA_ERR_SYS;
	if (r != 0) {
		log_warn("journal %s/%s: compaction", j->dir, JOURNAL_FILE);
		if (fd >= 0)
			close(fd);
		(void)unlinkat(j->dirfd, NEW_FILE, 0);
		free(v);
		return r;
	}
	if (fsync(j->dirfd) != 0)
		log_warn("journal %s: fsync of the directory", j->dir);
	/* the same entries, now back to back after the header */
	off = size;
	for (i = n; i-- > 0; ) {
		off -= v[i].len;
		index_find(j, v[i].id)->off = off;
	}
	if (j->fd >= 0)
		close(j->fd);
	j->fd = fd;
	j->size = size;
	j->unsynced = false;
	free(v);
	return 0;
}

/* --- opening ------------------------------------------------------------- */

static int
open_dirfd(const char *dir, bool readonly, int *out)
{
	const char *why;
	struct stat st;
	int fd;

	if (!readonly && mkdir(dir, 0700) != 0 && errno != EEXIST) {
		log_err("journal %s: mkdir", dir);
		return SPA_ERR_STATE;
	}
	/* the one file-trust rule (trust.h), on the directory itself */
	if ((fd = trust_open(dir, TRUST_DIR | TRUST_NOFOLLOW, &st, &why)) < 0) {
		if (why != NULL)
			log_warnx("journal %s: %s", dir, why);
		else
			log_warn("journal %s", dir);
		return SPA_ERR_STATE;
	}
	*out = fd;
	return 0;
}

static int
open_file(struct journal *j)
{
	int flags = j->readonly ? O_RDONLY :
	    O_RDWR | O_APPEND | O_CREAT;

	j->fd = openat(j->dirfd, JOURNAL_FILE, flags | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC, 0600);
	if (j->fd >= 0 || (j->readonly && errno == ENOENT))
		return 0;
	if (errno == ELOOP)
		log_warnx("journal %s/%s: a symbolic link", j->dir,
		    JOURNAL_FILE);
	else
		log_warn("journal %s/%s", j->dir, JOURNAL_FILE);
	return SPA_ERR_STATE;
}

static int
open_journal(const char *dir, bool readonly, struct journal **out)
{
	struct journal *j;
	bool damaged = false;
	int r;

	*out = NULL;
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->dir = strdup(dir)) == NULL) {
		free(j);
		return SPA_ERR_NOMEM;
	}
	j->dirfd = j->fd = -1;
	j->readonly = readonly;
	j->next_id = 1;
	j->compact_at = COMPACT_MIN;
	if ((r = open_dirfd(dir, readonly, &j->dirfd)) != 0 ||
	    (r = open_file(j)) != 0 ||
	    (j->fd >= 0 && (r = load_file(j, &damaged)) != 0)) {
		journal_close(j);
		return r;
	}
	if (!readonly) {
		if (damaged)
			keep_damaged(j);
		if ((r = compact(j)) != 0) {
			journal_close(j);
			return SPA_ERR_STATE;
		}
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
	if (j->fd >= 0) {
		(void)write_held(j);
		close(j->fd);
	}
	if (j->dirfd >= 0)
		close(j->dirfd);
	free(j->held);
	free(j->held_ids);
	free(j->slots);
	free(j->dir);
	free(j);
}

/* --- the interface ------------------------------------------------------- */

/* A record's entry, in `entry` (ENTRY_MAX); its length, 0 if refused. */
static size_t
put_entry(const struct journal_rec *rec, uint8_t *entry, int *r)
{
	const char *why;
	size_t n;

	*r = SPA_ERR_ARG;
	if ((why = journal_rec_check(rec)) != NULL) {
		log_warnx("journal: record %016" PRIx64 " not written: %s",
		    rec->id, why);
		return 0;
	}
	/* encoded in place: entry_make frames it where it already is */
	if ((n = journal_rec_encode(rec, entry + ENTRY_HEAD,
	    JOURNAL_REC_MAX)) == 0)
		return 0;
	if ((n = entry_make(entry, ENTRY_PUT, entry + ENTRY_HEAD, n)) == 0)
		*r = SPA_ERR_CRYPTO;
	return n;
}

static int
put(struct journal *j, const struct journal_rec *rec, bool held)
{
	uint8_t entry[ENTRY_MAX];
	uint64_t off;
	size_t n;
	int r;

	if (j->readonly)
		return SPA_ERR_ARG;
	if ((n = put_entry(rec, entry, &r)) == 0)
		return r;
	r = held ? append_held(j, entry, n, rec->id, &off) :
	    append(j, entry, n, &off);
	if (r != 0)
		return r;
	note_id(j, rec->id);
	return index_put(j, rec->id, off, (uint32_t)n);
}

int
journal_put(struct journal *j, const struct journal_rec *rec)
{
	return put(j, rec, false);
}

int
journal_put_held(struct journal *j, const struct journal_rec *rec)
{
	return put(j, rec, true);
}

int
journal_del(struct journal *j, uint64_t id)
{
	uint8_t entry[ENTRY_MAX];
	struct slot *s;
	uint64_t off;
	size_t n;
	int r;

	if (j->readonly)
		return SPA_ERR_ARG;
	if ((s = index_find(j, id)) == NULL)
		return 0;
	if ((n = entry_id(entry, ENTRY_DEL, id)) == 0)
		return SPA_ERR_CRYPTO;
	if ((r = append(j, entry, n, &off)) != 0)
		return r;
	index_del(j, s);
	return 0;
}

int
journal_sync(struct journal *j)
{
	if (j->readonly || !j->unsynced)
		return 0;
	if (write_held(j) != 0)
		return SPA_ERR_STATE;
	if (fdatasync(j->fd) != 0) {
		log_warn("journal %s/%s: fdatasync", j->dir, JOURNAL_FILE);
		return SPA_ERR_STATE;
	}
	j->unsynced = false;
	/* mostly dead entries: rewrite; after a failure, wait for growth */
	if (j->size > j->compact_at && j->size > 4 * (j->live + HEADER_LEN) &&
	    compact(j) != 0)
		j->compact_at = j->size * 2;
	return 0;
}

int
journal_load(struct journal *j,
    int (*cb)(void *arg, const struct journal_rec *rec), void *arg)
{
	struct journal_rec *rec = NULL;
	uint8_t *buf = NULL;
	struct slot *v;
	size_t i, n, len;
	int r;

	if (write_held(j) != 0)	/* read back from the file below */
		return SPA_ERR_STATE;
	/* a snapshot: the callback may put or delete records */
	if ((r = index_sorted(j, &v, &n)) != 0 || v == NULL)
		return r;
	if ((rec = malloc(sizeof(*rec))) == NULL ||
	    (buf = malloc(ENTRY_MAX)) == NULL)
		r = SPA_ERR_NOMEM;
	for (i = 0; r == 0 && i < n; i++) {
		/* read again: the index says where, not what */
		if (pread(j->fd, buf, v[i].len, (off_t)v[i].off) !=
		    (ssize_t)v[i].len ||
		    entry_at(buf, v[i].len, &len) != ENTRY_OK ||
		    len != v[i].len || buf[4] != ENTRY_PUT ||
		    journal_rec_decode(buf + ENTRY_HEAD,
		    len - ENTRY_HEAD - HASH_LEN, rec) != NULL) {
			log_warnx("journal %s/%s: record at offset %" PRIu64
			    " changed since the journal was opened", j->dir,
			    JOURNAL_FILE, v[i].off);
			r = SPA_ERR_STATE;
			break;
		}
		r = cb(arg, rec);
	}
	free(buf);
	free(rec);
	free(v);
	return r;
}

size_t
journal_count(const struct journal *j)
{
	return j->n;
}

uint64_t
journal_next_id(struct journal *j)
{
	return j->next_id++;
}
