/*
 * Replay store: a memory-mapped open-addressing hash table of SHA-256
 * digests with their packet's time each (replay.h says why the time and
 * not an expiry).
 *
 * File layout (host byte order: the file never leaves this machine):
 *   header  64 bytes: magic "SPAGRPL1", u32 version, u32 slot size,
 *           u64 capacity (a power of two), u64 seed, u64 count of slots
 *           in use, u32 flags (CLEAN), u32 zero, i64 forgotten (the
 *           newest packet time ever dropped, 0: none), then zeros
 *   slots   capacity x { u8 digest[32]; i64 stamp; }  (stamp 0: empty)
 * Format 1 held an expiry where the stamp is and no `forgotten`; it is
 * converted in place when opened (convert_v1).
 *
 * Lookups and inserts probe linearly from a home slot chosen by the digest
 * mixed with the file's random seed, and never visit more than `capacity`
 * slots whatever the file holds.  A slot whose packet is too old for the
 * age window is a tombstone: a lookup walks past it, an insert reuses it
 * once the digest is known to be absent (or reuses the digest's own
 * slot), so chains never break.  Reusing another digest's slot forgets
 * that digest: `forgotten` is raised first, then the slot is written,
 * digest first, stamp last, so a process that dies mid-write leaves the
 * slot empty or a tombstone (harmless) or complete.
 *
 * The mapping is shared, so every store is in the page cache the moment
 * it is made and survives kill -9.  replay_sync() is msync(MS_SYNC): on
 * Linux MS_ASYNC does nothing (dirty shared pages are already tracked), so
 * only MS_SYNC bounds what a power loss can take, to one daemon tick (1 s);
 * it writes only the pages dirtied since the last call.
 *
 * The count in the header is a hint: it is trusted only when the CLEAN
 * flag says the store was closed by replay_close(), and it only decides
 * when to rebuild; otherwise open() recounts.  CLEAN is cleared (and
 * synced) as soon as a store is opened.
 *
 * Every file is allocated in full when it is made (posix_fallocate), and an
 * older sparse one when it is opened: writing a slot through the mapping
 * never needs a new block, so a full or read-only file system makes a
 * rebuild fail with its errno (and the digest go unrecorded, which the
 * verifier refuses) instead of killing the process with SIGBUS.
 *
 * When live plus expired slots would pass 60% of the table it is rebuilt
 * with only the live entries into path.new (same size if that leaves it at
 * most 30% full, else doubled until it does), fsynced, locked and renamed
 * over the old file: a crash at any moment leaves a complete old or new
 * table.  A new store is made the same way, so a crash while creating it
 * leaves the empty file, which is again a new store.  Growth is amortised
 * O(1); a rebuild pauses the caller for one pass over the table and an
 * fsync of the new file (about 2 s at 10 million entries; size the table
 * up front with min_capacity to avoid it).  60% keeps linear probing near
 * 1.2 slots per hit and 3.6 per miss at worst, and 10 million entries in
 * 2^24 slots (640 MiB).
 *
 * The file is flock()ed for the life of the store: a second process gets
 * SPA_ERR_STATE.  The lock is checked to be on the inode now at `path`, as
 * a rebuild renames a new file over the one an opener may have locked.
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
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "replay.h"

#define MAGIC		"SPAGRPL1"
#define FORMAT_VERSION	2
#define FORMAT_V1	1	/* expiries instead of packet times */
#define HEADER_LEN	64
#define FLAG_CLEAN	0x1
#define MIN_CAPACITY	1024
#define MAX_CAPACITY	((size_t)1 << (sizeof(size_t) >= 8 ? 32 : 24))
#define LOAD_MAX_PCT	60	/* rebuild above this many slots in use */
#define LOAD_AFTER_PCT	30	/* a rebuilt table is at most this full */

struct header {
	char		magic[8];
	uint32_t	version;
	uint32_t	slot_size;
	uint64_t	capacity;
	uint64_t	seed;
	uint64_t	count;		/* slots in use: a hint, see above */
	uint32_t	flags;
	uint32_t	zero1;
	int64_t		forgotten;	/* newest packet time dropped */
	uint8_t		zero[HEADER_LEN - 56];
};

struct slot {
	uint8_t		digest[REPLAY_DIGEST_LEN];
	int64_t		stamp;		/* packet time, >= 1; 0: empty */
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
	int64_t		 age;		/* the window; 0: for ever */
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

/* Could the slot's packet still pass the age check at `now`? */
static bool
live(const struct replay_store *rs, const struct slot *s, int64_t now_s)
{
	return s->stamp != 0 && (rs->age == 0 || s->stamp >= now_s - rs->age);
}

/* A digest of a packet stamped `stamp` is dropped: remember the time. */
static void
forget(struct header *h, int64_t stamp)
{
	if (stamp > h->forgotten)
		h->forgotten = stamp;
}

static size_t
file_len(size_t capacity)
{
	return HEADER_LEN + capacity * sizeof(struct slot);
}

static void
note_probe(struct replay_store *rs, size_t probes)
{
	size_t b = 0;

	rs->stats.probe_ops++;
	rs->stats.probes += probes;
	if (probes > rs->stats.max_probe)
		rs->stats.max_probe = probes;
	while (b < REPLAY_PROBE_BUCKETS - 1 && probes >= ((size_t)2 << b))
		b++;
	rs->stats.probe_hist[b]++;
}

/*
 * Index of the slot holding `d` (live or expired) or of the empty slot
 * that ends its chain; SIZE_MAX if the whole table was walked without
 * either, which only a damaged count can cause.  *first_free: the first
 * expired slot on the way, or SIZE_MAX.
 */
static size_t
find(struct replay_store *rs, const uint8_t *d, int64_t now_s,
    size_t *first_free)
{
	size_t i = home_slot(rs, d), n;
	struct slot *s;

	*first_free = SIZE_MAX;
	for (n = 1; n <= rs->mask + 1; n++, i = (i + 1) & rs->mask) {
		s = &rs->slots[i];
		if (s->stamp == 0 ||
		    memcmp(s->digest, d, REPLAY_DIGEST_LEN) == 0) {
			note_probe(rs, n);
			return i;
		}
		if (!live(rs, s, now_s) && *first_free == SIZE_MAX)
			*first_free = i;
	}
	note_probe(rs, n - 1);
	return SIZE_MAX;
}

int
replay_check(struct replay_store *rs, const uint8_t digest[REPLAY_DIGEST_LEN],
    int64_t now_s)
{
	int64_t stamp;

	return replay_check_stamp(rs, digest, now_s, &stamp);
}

int
replay_check_stamp(struct replay_store *rs,
    const uint8_t digest[REPLAY_DIGEST_LEN], int64_t now_s, int64_t *stamp)
{
	size_t ff, i;

	*stamp = 0;
	rs->stats.lookups++;
	i = find(rs, digest, now_s, &ff);
	if (i != SIZE_MAX && live(rs, &rs->slots[i], now_s)) {
		rs->stats.hits++;
		*stamp = rs->slots[i].stamp;
		return SPA_ERR_REPLAY;
	}
	return 0;
}

void
replay_set_age(struct replay_store *rs, uint32_t age)
{
	rs->age = age;
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

/* Sync the header page alone: the flag and count, not the slots. */
static int
sync_header(struct replay_store *rs)
{
	return msync(rs->map, HEADER_LEN, MS_SYNC) == 0 ? 0 : SPA_ERR_SYS;
}

/* Every block of the file's `len` bytes exists on disk. */
static int
reserve(int fd, size_t len)
{
	int e = posix_fallocate(fd, 0, (off_t)len);

	if (e == 0)
		return 0;
	errno = e;
	return SPA_ERR_SYS;
}

/* A fresh, empty table of `capacity` slots in the empty file `fd`. */
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
	    reserve(fd, file_len(capacity)) != 0)
		return SPA_ERR_SYS;
	if (pwrite(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return SPA_ERR_SYS;
	return 0;
}

static bool
header_valid(const struct header *h, off_t size)
{
	static const uint8_t zero[sizeof(h->zero)];

	return memcmp(h->magic, MAGIC, sizeof(h->magic)) == 0 &&
	    (h->version == FORMAT_VERSION || h->version == FORMAT_V1) &&
	    h->slot_size == sizeof(struct slot) &&
	    h->capacity >= MIN_CAPACITY && h->capacity <= MAX_CAPACITY &&
	    (h->capacity & (h->capacity - 1)) == 0 &&
	    (uint64_t)size == file_len((size_t)h->capacity) &&
	    (h->flags & ~FLAG_CLEAN) == 0 && h->zero1 == 0 &&
	    h->forgotten >= 0 && (h->version != FORMAT_V1 || h->forgotten == 0) &&
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

/* Slots in use, from the header if the store was closed cleanly. */
static size_t
count_used(const struct replay_store *rs)
{
	size_t i, n = 0;

	if ((rs->hdr->flags & FLAG_CLEAN) != 0 &&
	    rs->hdr->count <= rs->mask + 1)
		return (size_t)rs->hdr->count;
	for (i = 0; i <= rs->mask; i++)
		if (rs->slots[i].stamp != 0)
			n++;
	return n;
}

/*
 * Format 1 stored receive time + 2 x age, which is no earlier than the
 * packet's time: read as a stamp it keeps each digest longer, never
 * shorter.  "Forever" (no age check then) becomes now.  What format 1
 * dropped it did not record: every packet up to now counts as forgotten.
 */
static int
convert_v1(struct replay_store *rs)
{
	int64_t now_s = (int64_t)time(NULL);
	size_t i;

	for (i = 0; i <= rs->mask; i++)
		if (rs->slots[i].stamp == INT64_MAX)
			rs->slots[i].stamp = now_s;
	rs->hdr->forgotten = now_s;
	if (msync(rs->map, rs->map_len, MS_SYNC) != 0)
		return SPA_ERR_SYS;
	rs->hdr->version = FORMAT_VERSION;
	log_info("replay store %s: converted to format %d", rs->path,
	    FORMAT_VERSION);
	return sync_header(rs);
}

/*
 * Open and lock the store file.  The lock must be on the file that is at
 * `path` now: one locked before another process renamed a rebuilt table
 * over it is stale, and that process still holds the store.
 */
static int
open_fd(const char *path, int *fd_out, struct stat *st)
{
	struct stat cur;
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno == ELOOP ? SPA_ERR_STATE : SPA_ERR_SYS;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode) ||
	    flock(fd, LOCK_EX | LOCK_NB) != 0 || lstat(path, &cur) != 0 ||
	    cur.st_dev != st->st_dev || cur.st_ino != st->st_ino) {
		close(fd);
		return SPA_ERR_STATE;
	}
	*fd_out = fd;
	return 0;
}

static int	replace_table(struct replay_store *, size_t, int64_t);

/* path.new: where tables are built; a leftover is a crash mid-rebuild. */
static int
new_path(const struct replay_store *rs, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s.new", rs->path) >= len)
		return SPA_ERR_STATE;
	return 0;
}

static int
load(struct replay_store *rs, size_t min_capacity)
{
	struct header h;
	struct stat st;
	char tmp[PATH_MAX];
	int r;

	if ((r = new_path(rs, tmp, sizeof(tmp))) != 0 ||
	    (r = open_fd(rs->path, &rs->fd, &st)) != 0)
		return r;
	if (st.st_size == 0) {
		if (min_capacity > MAX_CAPACITY / 2)
			min_capacity = MAX_CAPACITY / 2;
		return replace_table(rs, round_capacity(min_capacity * 2), 0);
	}
	if (pread(rs->fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    !header_valid(&h, st.st_size))
		return SPA_ERR_STATE;
	unlink(tmp);		/* ours, and we hold the lock: a leftover */
	if ((r = reserve(rs->fd, (size_t)st.st_size)) != 0 ||
	    (r = map_file(rs, rs->fd, (size_t)st.st_size)) != 0)
		return r;
	rs->used = count_used(rs);
	rs->hdr->flags &= ~FLAG_CLEAN;
	if (rs->hdr->version == FORMAT_V1 && (r = convert_v1(rs)) != 0)
		return r;
	return sync_header(rs);
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
		unmap(rs);	/* not replay_close: leave the file as found */
		if (rs->fd >= 0)
			close(rs->fd);
		free(rs->path);
		free(rs);
		return r;
	}
	*out = rs;
	return 0;
}

/* Slots first, then the flag saying the count in the header is right. */
void
replay_close(struct replay_store *rs)
{
	if (rs == NULL)
		return;
	if (rs->map != NULL && msync(rs->map, rs->map_len, MS_SYNC) == 0) {
		rs->hdr->count = rs->used;
		rs->hdr->flags |= FLAG_CLEAN;
		sync_header(rs);
	}
	unmap(rs);
	if (rs->fd >= 0)
		close(rs->fd);
	free(rs->path);
	free(rs);
}

int
replay_sync(struct replay_store *rs)
{
	if (rs->hdr->count != rs->used)
		rs->hdr->count = rs->used;
	return msync(rs->map, rs->map_len, MS_SYNC) == 0 ? 0 : SPA_ERR_SYS;
}

/* --- rebuild ------------------------------------------------------------- */

static size_t
live_count(const struct replay_store *rs, int64_t now_s)
{
	size_t i, n = 0;

	for (i = 0; i <= rs->mask; i++)
		if (live(rs, &rs->slots[i], now_s))
			n++;
	return n;
}

/*
 * Copy live entries of `old` into the fresh, mapped table `nw`; the
 * others are forgotten there.
 */
static void
copy_live(const struct replay_store *old, struct replay_store *nw,
    int64_t now_s)
{
	const struct slot *s;
	size_t i, j;

	nw->used = 0;
	nw->hdr->forgotten = old->hdr->forgotten;
	for (i = 0; i <= old->mask; i++) {
		s = &old->slots[i];
		if (!live(old, s, now_s)) {
			if (s->stamp != 0)
				forget(nw->hdr, s->stamp);
			continue;
		}
		for (j = home_slot(nw, s->digest); nw->slots[j].stamp != 0;
		    j = (j + 1) & nw->mask)
			;
		nw->slots[j] = *s;
		nw->used++;
	}
	nw->hdr->count = nw->used;
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

/* Make `nw` the store: the old file is already replaced on disk. */
static void
adopt(struct replay_store *rs, const struct replay_store *nw)
{
	unmap(rs);
	close(rs->fd);
	rs->fd = nw->fd;
	rs->map = nw->map;
	rs->map_len = nw->map_len;
	rs->hdr = nw->hdr;
	rs->slots = nw->slots;
	rs->mask = nw->mask;
	rs->used = nw->used;
}

/*
 * Build a table of `cap` slots in path.new holding the live entries of the
 * current one (if mapped), make it durable, then rename it over path.
 */
static int
replace_table(struct replay_store *rs, size_t cap, int64_t now_s)
{
	struct replay_store nw;
	char tmp[PATH_MAX];
	int r, saved;

	memset(&nw, 0, sizeof(nw));
	if ((r = new_path(rs, tmp, sizeof(tmp))) != 0)
		return r;
	unlink(tmp);
	nw.fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (nw.fd < 0)
		return SPA_ERR_SYS;
	if ((r = init_file(nw.fd, cap)) != 0 ||
	    (r = map_file(&nw, nw.fd, file_len(cap))) != 0)
		goto fail;
	if (rs->map != NULL)
		copy_live(rs, &nw, now_s);
	if (msync(nw.map, nw.map_len, MS_SYNC) != 0 || fsync(nw.fd) != 0 ||
	    flock(nw.fd, LOCK_EX | LOCK_NB) != 0 || rename(tmp, rs->path) != 0) {
		r = SPA_ERR_SYS;
		goto fail;
	}
	if (sync_dir(rs->path) != 0)
		log_warn("replay store %s: fsync of directory", rs->path);
	adopt(rs, &nw);
	return 0;
fail:
	saved = errno;	/* why, for the caller's log line */
	unmap(&nw);
	close(nw.fd);
	unlink(tmp);
	errno = saved;
	return r;
}

static int
rebuild(struct replay_store *rs, int64_t now_s)
{
	size_t live = live_count(rs, now_s), cap = rs->mask + 1;
	int r;

	while (live * 100 > cap * LOAD_AFTER_PCT && cap < MAX_CAPACITY)
		cap <<= 1;
	/* on failure errno says why; the caller refuses and logs */
	if ((r = replace_table(rs, cap, now_s)) != 0)
		return r;
	rs->stats.grows++;
	return 0;
}

/* --- insert -------------------------------------------------------------- */

/*
 * Where `d` goes: its own expired slot, else the first expired slot on its
 * chain, else the empty slot ending the chain (*fresh; SIZE_MAX if none).
 */
static int
place(struct replay_store *rs, const uint8_t *d, int64_t now_s, size_t *at,
    bool *fresh)
{
	size_t ff, i = find(rs, d, now_s, &ff);

	*fresh = false;
	if (i != SIZE_MAX && live(rs, &rs->slots[i], now_s))
		return SPA_ERR_REPLAY;
	if (i != SIZE_MAX && rs->slots[i].stamp != 0)
		*at = i;
	else if (ff != SIZE_MAX)
		*at = ff;
	else {
		*at = i;
		*fresh = true;
	}
	return 0;
}

/* Into slot `s`: another digest's tombstone is forgotten first. */
static void
write_slot(struct replay_store *rs, struct slot *s, const uint8_t *d,
    int64_t stamp)
{
	if (s->stamp != 0 && memcmp(s->digest, d, REPLAY_DIGEST_LEN) != 0) {
		forget(rs->hdr, s->stamp);
		__atomic_thread_fence(__ATOMIC_RELEASE);
	}
	memcpy(s->digest, d, REPLAY_DIGEST_LEN);
	/* the stamp makes the slot visible: it goes last */
	__atomic_store_n(&s->stamp, stamp, __ATOMIC_RELEASE);
}

int
replay_add(struct replay_store *rs, const uint8_t digest[REPLAY_DIGEST_LEN],
    int64_t now_s, int64_t stamp)
{
	size_t i;
	bool fresh;
	int r;

	if (stamp < 1)
		stamp = 1;	/* 0 marks an empty slot: a second longer */
	if (rs->age != 0 && stamp < now_s - rs->age)
		return 0;	/* too old to pass the age check */
	if (rs->hdr->forgotten != 0 && stamp <= rs->hdr->forgotten)
		return SPA_ERR_REPLAY;	/* may be one it forgot */
	if ((r = place(rs, digest, now_s, &i, &fresh)) != 0)
		return r;
	if (fresh && (i == SIZE_MAX ||
	    (rs->used + 1) * 100 > (rs->mask + 1) * LOAD_MAX_PCT)) {
		if ((r = rebuild(rs, now_s)) != 0 ||
		    (r = place(rs, digest, now_s, &i, &fresh)) != 0)
			return r;
		if (i == SIZE_MAX)
			return SPA_ERR_STATE;
	}
	if (fresh)
		rs->used++;
	write_slot(rs, &rs->slots[i], digest, stamp);
	rs->stats.inserts++;
	return 0;
}

/*
 * A packet time from a file a sandboxed process wrote, capped at `most`:
 * past it the time cannot be honest, and taken as is it would refuse (a
 * forgotten time) or keep (a digest's) for ever in a durable store.
 */
static int64_t
capped(int64_t stamp, int64_t most)
{
	return stamp > most ? most : stamp;
}

/* Every live slot of the mapped table `h` into `rs`. */
static int
merge_table(struct replay_store *rs, const struct header *h, int64_t now_s)
{
	const struct slot *s = (const struct slot *)((const uint8_t *)h +
	    HEADER_LEN);
	int64_t most = rs->age != 0 ? now_s + rs->age : now_s;
	uint64_t i;
	int r;

	if (h->version != FORMAT_VERSION)
		return SPA_ERR_STATE;	/* its verifier converts it first */
	forget(rs->hdr, capped(h->forgotten, now_s));
	for (i = 0; i < h->capacity; i++) {
		if (!live(rs, &s[i], now_s))
			continue;
		r = replay_add(rs, s[i].digest, now_s, capped(s[i].stamp, most));
		if (r != 0 && r != SPA_ERR_REPLAY)
			return r;
	}
	return 0;
}

int
replay_merge_file(struct replay_store *rs, const char *path, int64_t now_s)
{
	struct header h;
	struct stat st;
	void *map;
	int fd, r;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : errno == ELOOP ? SPA_ERR_STATE :
		    SPA_ERR_SYS;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    flock(fd, LOCK_SH | LOCK_NB) != 0) {
		close(fd);
		return SPA_ERR_STATE;
	}
	if (st.st_size == 0) {	/* made, never written: nothing in it */
		close(fd);
		return 0;
	}
	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    !header_valid(&h, st.st_size)) {
		close(fd);
		return SPA_ERR_STATE;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		close(fd);
		return SPA_ERR_SYS;
	}
	r = merge_table(rs, map, now_s);
	munmap(map, (size_t)st.st_size);
	close(fd);	/* the lock, held while it was read */
	return r;
}

void
replay_get_stats(const struct replay_store *rs, struct replay_stats *st)
{
	*st = rs->stats;
	st->entries = rs->used;
	st->capacity = rs->mask + 1;
	st->file_bytes = rs->map_len;
	st->forgotten = rs->hdr->forgotten;
}
