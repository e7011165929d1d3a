/*
 * Replay store: SHA-256 digests of accepted SPA packets, each kept until
 * it can no longer pass the age check, with O(1) lookup and insert.
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
#define REPLAY_FOREVER		INT64_MAX	/* expiry when aging is off */
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

/* SPA_ERR_REPLAY if `digest` is stored and expires after `now`, else 0. */
int	replay_check(struct replay_store *rs,
	    const uint8_t digest[REPLAY_DIGEST_LEN], int64_t now);

/*
 * Record `digest` until `expires` (epoch seconds, or REPLAY_FOREVER).
 * Returns SPA_ERR_REPLAY if it is already present and live, else 0 or an
 * error.
 */
int	replay_add(struct replay_store *rs,
	    const uint8_t digest[REPLAY_DIGEST_LEN], int64_t now,
	    int64_t expires);

/* Flush to disk (msync); the daemon calls it periodically and at exit. */
int	replay_sync(struct replay_store *rs);

void	replay_get_stats(const struct replay_store *rs, struct replay_stats *st);

#endif /* SPA_REPLAY_H */
