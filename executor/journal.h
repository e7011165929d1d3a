/*
 * The journal of open cycles: one append-only file, <dir>/cycles.log,
 * where each grant appends its record before the open command runs and
 * each successful close appends a deletion.  A crash at any moment
 * therefore leaves every cycle whose open may have run on disk, and a
 * restart runs or reschedules its close.
 *
 * Appends are written at once (they survive the process being killed),
 * except a grant's record, which is held and written with the others of
 * its loop pass by the sync that comes before their opens run (one write
 * for the batch); journal_sync() makes them survive a power loss too,
 * with one fdatasync for every grant of a batch.  The file is read like outside input (checksums, every
 * field checked) and compacted when deletions dominate it, so it never
 * grows without bound.
 */
#ifndef SPA_JOURNAL_H
#define SPA_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "journal_rec.h"

#define JOURNAL_FILE		"cycles.log"

struct journal;

/*
 * Open (creating the directory mode 0700 and the file) and check the
 * journal, repair a torn last entry, set aside a damaged file's copy and
 * compact; SPA_ERR_STATE if it is unusable.
 */
int	journal_open(const char *dir, struct journal **out);
/*
 * For readers beside a running daemon (spagated -S): creates, repairs
 * and compacts nothing, only reports what it finds.
 */
int	journal_open_readonly(const char *dir, struct journal **out);
void	journal_close(struct journal *j);

/*
 * Append a record (replacing one with the same id).  Survives the process
 * once it returns 0; survives the machine after journal_sync().  A record
 * journal_rec_check() refuses is not written (SPA_ERR_ARG).
 */
int	journal_put(struct journal *j, const struct journal_rec *rec);
/*
 * The same, held in memory until the next journal_sync() (or the next
 * append) writes every held record at once: for a record whose effect
 * waits for that sync, as a grant's open does.  Until then it survives
 * neither a kill nor a crash; if that write fails, the held records are
 * forgotten (journal_count drops) and the sync returns SPA_ERR_STATE.
 */
int	journal_put_held(struct journal *j, const struct journal_rec *rec);
/* Append the removal of a record; an unknown id is not an error. */
int	journal_del(struct journal *j, uint64_t id);
/* Make every append so far durable (one fdatasync); may compact. */
int	journal_sync(struct journal *j);

/*
 * Call `cb` for every live record, oldest first.  Returns 0, the
 * callback's first nonzero value, or an error.  The callback may put and
 * delete records (not sync): it is handed the records live when the load
 * began, each once.
 */
int	journal_load(struct journal *j,
	    int (*cb)(void *arg, const struct journal_rec *rec), void *arg);

/* Live records now. */
size_t	journal_count(const struct journal *j);

/*
 * An id larger than every id the journal has ever held (compaction keeps
 * the high-water mark in the file header), then increasing.
 */
uint64_t journal_next_id(struct journal *j);

#endif /* SPA_JOURNAL_H */
