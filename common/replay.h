/*
 * Replay store: SHA-256 digests of accepted SPA packets, each kept while
 * its packet could still pass the age check, with O(1) lookup and insert.
 *
 * Each digest is stored with its packet's own timestamp, and the age
 * limit is applied when the store is read, not when a digest is written:
 * a digest is live while its packet time lies within max_packet_age of
 * now.  Raising max_packet_age (SIGHUP) therefore makes old packets and
 * their digests live again together.  A digest that was dropped before
 * the raise (its slot reused, or left out of a rebuild) cannot come back,
 * so the store also keeps the newest packet time it ever dropped, and
 * refuses to record (SPA_ERR_REPLAY) any packet not newer than that: it
 * may be a replay of one it forgot.  With a steady age that refuses
 * nothing a client sends, since a digest is only dropped once its packet
 * is too old to pass; after a raise, or a clock stepped back, it refuses
 * exactly the packets whose replays it can no longer rule out.
 *
 * The table lives in a memory-mapped file under the state directory, so
 * entries survive a crash or restart without any write path of their own;
 * growth rebuilds the table into a new file and renames it into place, so
 * a crash at any moment leaves either the old or the new table.
 */
#ifndef SPA_REPLAY_H
#define SPA_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#define REPLAY_DIGEST_LEN	32
#define REPLAY_PROBE_BUCKETS	8

struct replay_store;

struct replay_stats {
	size_t		entries;	/* live and expired-not-yet-reused */
	size_t		capacity;	/* slots */
	size_t		file_bytes;
	uint64_t	lookups;
	uint64_t	hits;
	uint64_t	inserts;
	uint64_t	grows;		/* rebuilds (growth or clean-up) */
	uint64_t	probe_ops;	/* lookups and inserts, for the mean */
	uint64_t	probes;		/* slots visited by them */
	uint64_t	max_probe;	/* longest probe seen */
	/* probe lengths: bucket k counts 2^k..2^(k+1)-1 slots, the last more */
	uint64_t	probe_hist[REPLAY_PROBE_BUCKETS];
	int64_t		forgotten;	/* newest packet time dropped, 0: none */
};

/*
 * Open or create the store at `path` (mode 0600).  A file that is not a
 * replay store, or is damaged, is refused: the caller decides, the store
 * never silently starts empty over existing data.  `min_capacity` sizes a
 * new table (0: a small default); tables grow as needed.
 */
int	replay_open(const char *path, size_t min_capacity,
	    struct replay_store **out);
void	replay_close(struct replay_store *rs);

/*
 * The age window, max_packet_age in seconds: a digest is live while its
 * packet time is at least now - age.  0 (the default): digests are kept
 * for ever.  Takes effect on every entry at once.
 */
void	replay_set_age(struct replay_store *rs, uint32_t age);

/* SPA_ERR_REPLAY if `digest` is stored and live at `now`, else 0. */
int	replay_check(struct replay_store *rs,
	    const uint8_t digest[REPLAY_DIGEST_LEN], int64_t now_s);
/*
 * The same, and on SPA_ERR_REPLAY what the store knows of the first
 * copy: its packet time (the client's clock, not its arrival: keeping
 * that too would grow every slot), else 0.
 */
int	replay_check_stamp(struct replay_store *rs,
	    const uint8_t digest[REPLAY_DIGEST_LEN], int64_t now_s,
	    int64_t *stamp);

/*
 * Record `digest` of a packet stamped `stamp` (epoch seconds).  Returns
 * SPA_ERR_REPLAY if it is stored and live, or if `stamp` is not newer
 * than every packet time the store has forgotten; 0 once it is recorded,
 * or if the packet is already too old to pass the age check (nothing to
 * guard); else SPA_ERR_SYS (errno says why: ENOSPC, EROFS, EACCES while
 * growing the table) or SPA_ERR_STATE, and the digest is not recorded.
 */
int	replay_add(struct replay_store *rs,
	    const uint8_t digest[REPLAY_DIGEST_LEN], int64_t now_s,
	    int64_t stamp);

/*
 * Take into `rs` every digest of the store file at `path` that is live at
 * `now_s` under rs's age, and its forgotten time: the executor's store,
 * new beside the verifier workers' older ones, then refuses what they
 * granted.  The file is only read (shared lock, read-only mapping), and
 * must not be held by a process (SPA_ERR_STATE).  A missing file: 0.
 * Returns 0, SPA_ERR_STATE (damaged, held, format 1), SPA_ERR_SYS, or
 * replay_add()'s error (not all were recorded).
 */
int	replay_merge_file(struct replay_store *rs, const char *path,
	    int64_t now_s);

/* Flush to disk (msync); the daemon calls it periodically and at exit. */
int	replay_sync(struct replay_store *rs);

void	replay_get_stats(const struct replay_store *rs, struct replay_stats *st);

#endif /* SPA_REPLAY_H */
