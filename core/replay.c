/*
 * Replay store: a memory-mapped open-addressing hash table of SHA-256
 * digests with an expiry each.
 *
 * File layout (host byte order: the file never leaves this machine):
 *   header  64 bytes: magic "SPAGRPL1", u32 version, u32 slot size,
 *           u64 capacity (a power of two), u64 seed, then zeros
 *   slots   capacity x { u8 digest[32]; i64 expires; }  (expires 0: empty)
 *
 * Lookups and inserts probe linearly from a home slot chosen by the digest
 * mixed with the file's random seed.  An expired slot is a tombstone: a
 * lookup walks past it, an insert reuses it once the digest is known to be
 * absent.  A slot is written digest first, expiry last, so a process that
 * dies mid-write leaves an empty slot or a complete one.  The mapping is
 * shared: pages written before a crash reach the file through the page
 * cache; replay_sync() (msync MS_SYNC, once a second from the daemon)
 * bounds what a power loss can take.
 *
 * When live plus expired slots pass 70% of the table it is rebuilt with
 * only the live entries into a new file (same size if that leaves it at
 * most 35% full, else doubled), fsynced and renamed over the old one: a
 * crash at any moment leaves a complete old or new table.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "replay.h"

#define MAGIC		"SPAGRPL1"
#define FORMAT_VERSION	1
#define HEADER_LEN	64
#define MIN_CAPACITY	1024
#define MAX_CAPACITY	((size_t)1 << 32)
#define LOAD_MAX_PCT	70	/* rebuild above this many slots in use */
#define LOAD_AFTER_PCT	35	/* a rebuilt table is at most this full */

struct header {
	char		magic[8];
	uint32_t	version;
	uint32_t	slot_size;
	uint64_t	capacity;
	uint64_t	seed;
	uint8_t		zero[HEADER_LEN - 32];
};

struct slot {
	uint8_t		digest[REPLAY_DIGEST_LEN];
	int64_t		expires;
};

struct replay_store {
	char		*path;
	int		 fd;
	uint8_t		*map;
	size_t		 map_len;
	struct header	*hdr;
	struct slot	*slots;
	size_t		 mask;		/* capacity - 1 */
	size_t		 used;		/* non-empty slots (live + expired) */
	struct replay_stats stats;
};

_Static_assert(sizeof(struct header) == HEADER_LEN, "header size");
_Static_assert(sizeof(struct slot) == 40, "slot size");

static size_t
home_slot(const struct replay_store *rs, const uint8_t *d)
{
	uint64_t h;

	memcpy(&h, d, sizeof(h));
	h ^= rs->hdr->seed;
	/* the digest is already uniform; mixing only hides the seed */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (size_t)h & rs->mask;
}

static size_t
file_len(size_t capacity)
{
	return HEADER_LEN + capacity * sizeof(struct slot);
}

static void
note_probe(struct replay_store *rs, size_t probes)
{
	rs->stats.probe_ops++;
	rs->stats.probes += probes;
	if (probes > rs->stats.max_probe)
		rs->stats.max_probe = probes;
}

/* Index of the live or expired slot holding `d`, or of the empty slot. */
static size_t
find(struct replay_store *rs, const uint8_t *d, size_t *first_free,
    int64_t now)
{
	size_t i = home_slot(rs, d), n = 1;
	struct slot *s;

	*first_free = SIZE_MAX;
	for (;; i = (i + 1) & rs->mask, n++) {
		s = &rs->slots[i];
		if (s->expires == 0)
			break;
		if (memcmp(s->digest, d, REPLAY_DIGEST_LEN) == 0)
			break;
		if (s->expires <= now && *first_free == SIZE_MAX)
			*first_free = i;
	}
	note_probe(rs, n);
	return i;
}

int
replay_check(struct replay_store *rs, const uint8_t digest[REPLAY_DIGEST_LEN],
    int64_t now)
{
	size_t ff, i;

	rs->stats.lookups++;
	i = find(rs, digest, &ff, now);
	if (rs->slots[i].expires > now) {
		rs->stats.hits++;
		return SPA_ERR_REPLAY;
	}
	return 0;
}

static void
write_slot(struct slot *s, const uint8_t *d, int64_t expires)
{
	memcpy(s->digest, d, REPLAY_DIGEST_LEN);
	/* the expiry makes the slot visible: it goes last */
	__atomic_store_n(&s->expires, expires, __ATOMIC_RELEASE);
}

/* --- files --------------------------------------------------------------- */

static int
map_file(struct replay_store *rs, int fd, size_t len)
{
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (m == MAP_FAILED)
		return SPA_ERR_SYS;
	rs->map = m;
	rs->map_len = len;
	rs->hdr = m;
	rs->slots = (struct slot *)((uint8_t *)m + HEADER_LEN);
	rs->mask = (size_t)rs->hdr->capacity - 1;
	return 0;
}

static void
unmap(struct replay_store *rs)
{
	if (rs->map != NULL)
		munmap(rs->map, rs->map_len);
	rs->map = NULL;
}

/* A fresh table in `fd` (empty file of ours). */
static int
init_file(int fd, size_t capacity)
{
	struct header h;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, MAGIC, sizeof(h.magic));
	h.version = FORMAT_VERSION;
	h.slot_size = sizeof(struct slot);
	h.capacity = capacity;
	if (getrandom(&h.seed, sizeof(h.seed), 0) != sizeof(h.seed))
		return SPA_ERR_SYS;
	if (ftruncate(fd, (off_t)file_len(capacity)) != 0 ||
	    pwrite(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return SPA_ERR_SYS;
	return 0;
}

static bool
header_valid(const struct header *h, off_t size)
{
	static const uint8_t zero[HEADER_LEN - 32];

	return memcmp(h->magic, MAGIC, sizeof(h->magic)) == 0 &&
	    h->version == FORMAT_VERSION && h->slot_size == sizeof(struct slot) &&
	    h->capacity >= MIN_CAPACITY && h->capacity <= MAX_CAPACITY &&
	    (h->capacity & (h->capacity - 1)) == 0 &&
	    (uint64_t)size == file_len((size_t)h->capacity) &&
	    memcmp(h->zero, zero, sizeof(zero)) == 0;
}

static size_t
round_capacity(size_t want)
{
	size_t c = MIN_CAPACITY;

	while (c < want && c < MAX_CAPACITY)
		c <<= 1;
	return c;
}

/* Count slots in use; a damaged slot (negative expiry) damns the file. */
static int
scan(struct replay_store *rs)
{
	size_t i;

	rs->used = 0;
	for (i = 0; i <= rs->mask; i++) {
		if (rs->slots[i].expires < 0)
			return SPA_ERR_STATE;
		if (rs->slots[i].expires != 0)
			rs->used++;
	}
	return 0;
}

static int
open_fd(const char *path, int *fd_out, struct stat *st)
{
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno == ELOOP ? SPA_ERR_STATE : SPA_ERR_SYS;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0 || fstat(fd, st) != 0 ||
	    !S_ISREG(st->st_mode)) {
		close(fd);
		return SPA_ERR_STATE;
	}
	*fd_out = fd;
	return 0;
}

static int
load(struct replay_store *rs, size_t min_capacity)
{
	struct header h;
	struct stat st;
	int r;

	if ((r = open_fd(rs->path, &rs->fd, &st)) != 0)
		return r;
	if (st.st_size == 0 &&
	    (r = init_file(rs->fd, round_capacity(min_capacity * 2))) != 0)
		return r;
	if (fstat(rs->fd, &st) != 0)
		return SPA_ERR_SYS;
	if (pread(rs->fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    !header_valid(&h, st.st_size))
		return SPA_ERR_STATE;
	if ((r = map_file(rs, rs->fd, (size_t)st.st_size)) != 0)
		return r;
	return scan(rs);
}

int
replay_open(const char *path, size_t min_capacity, struct replay_store **out)
{
	struct replay_store *rs;
	int r;

	*out = NULL;
	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		return SPA_ERR_NOMEM;
	rs->fd = -1;
	if ((rs->path = strdup(path)) == NULL) {
		free(rs);
		return SPA_ERR_NOMEM;
	}
	if ((r = load(rs, min_capacity)) != 0) {
		replay_close(rs);
		return r;
	}
	*out = rs;
	return 0;
}

void
replay_close(struct replay_store *rs)
{
	if (rs == NULL)
		return;
	unmap(rs);
	if (rs->fd >= 0)
		close(rs->fd);
	free(rs->path);
	free(rs);
}

int
replay_sync(struct replay_store *rs)
{
	return msync(rs->map, rs->map_len, MS_SYNC) == 0 ? 0 : SPA_ERR_SYS;
}

/* --- growth -------------------------------------------------------------- */

static size_t
live_count(const struct replay_store *rs, int64_t now)
{
	size_t i, n = 0;

	for (i = 0; i <= rs->mask; i++)
		if (rs->slots[i].expires > now)
			n++;
	return n;
}

/* Copy live entries of `old` into the fresh, mapped table `nw`. */
static void
copy_live(const struct replay_store *old, struct replay_store *nw,
    int64_t now)
{
	const struct slot *s;
	size_t i, j;

	nw->used = 0;
	for (i = 0; i <= old->mask; i++) {
		s = &old->slots[i];
		if (s->expires <= now)
			continue;
		for (j = home_slot(nw, s->digest); nw->slots[j].expires != 0;
		    j = (j + 1) & nw->mask)
			;
		nw->slots[j] = *s;
		nw->used++;
	}
}

static int
sync_dir(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd, r;

	if ((size_t)snprintf(dir, sizeof(dir), "%s", path) >= sizeof(dir))
		return SPA_ERR_STATE;
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		*(slash == dir ? slash + 1 : slash) = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return SPA_ERR_SYS;
	r = fsync(fd) == 0 ? 0 : SPA_ERR_SYS;
	close(fd);
	return r;
}

/* Build the new table in path.new, then rename it into place. */
static int
rebuild(struct replay_store *rs, int64_t now)
{
	struct replay_store nw;
	char tmp[PATH_MAX];
	size_t live = live_count(rs, now), cap = rs->mask + 1;
	int r;

	while (live * 100 > cap * LOAD_AFTER_PCT && cap < MAX_CAPACITY)
		cap <<= 1;
	memset(&nw, 0, sizeof(nw));
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new", rs->path) >=
	    sizeof(tmp))
		return SPA_ERR_STATE;
	unlink(tmp);		/* a leftover of a crash mid-rebuild */
	nw.fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (nw.fd < 0)
		return SPA_ERR_SYS;
	if ((r = init_file(nw.fd, cap)) != 0 ||
	    (r = map_file(&nw, nw.fd, file_len(cap))) != 0)
		goto fail;
	copy_live(rs, &nw, now);
	if (msync(nw.map, nw.map_len, MS_SYNC) != 0 || fsync(nw.fd) != 0 ||
	    flock(nw.fd, LOCK_EX | LOCK_NB) != 0 || rename(tmp, rs->path) != 0) {
		r = SPA_ERR_SYS;
		goto fail;
	}
	sync_dir(rs->path);
	unmap(rs);
	close(rs->fd);
	rs->fd = nw.fd;
	rs->map = nw.map;
	rs->map_len = nw.map_len;
	rs->hdr = nw.hdr;
	rs->slots = nw.slots;
	rs->mask = nw.mask;
	rs->used = nw.used;
	rs->stats.grows++;
	return 0;
fail:
	unmap(&nw);
	close(nw.fd);
	unlink(tmp);
	return r;
}

int
replay_add(struct replay_store *rs, const uint8_t digest[REPLAY_DIGEST_LEN],
    int64_t now, int64_t expires)
{
	size_t ff, i;
	int r;

	if (expires <= now || expires <= 0)
		return SPA_ERR_ARG;
	i = find(rs, digest, &ff, now);
	if (rs->slots[i].expires > now)
		return SPA_ERR_REPLAY;
	if (rs->slots[i].expires == 0 && ff == SIZE_MAX) {
		/* a new slot: grow first if the table is full enough */
		if ((rs->used + 1) * 100 > (rs->mask + 1) * LOAD_MAX_PCT) {
			if ((r = rebuild(rs, now)) != 0) {
				log_warn("replay store %s: cannot grow",
				    rs->path);
				return r;
			}
			i = find(rs, digest, &ff, now);
		}
		if (ff == SIZE_MAX)
			rs->used++;
	}
	if (rs->slots[i].expires == 0 && ff != SIZE_MAX)
		i = ff;		/* reuse the first expired slot on the path */
	write_slot(&rs->slots[i], digest, expires);
	rs->stats.inserts++;
	return 0;
}

void
replay_get_stats(const struct replay_store *rs, struct replay_stats *st)
{
	*st = rs->stats;
	st->entries = rs->used;
	st->capacity = rs->mask + 1;
	st->file_bytes = rs->map_len;
}
