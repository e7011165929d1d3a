/*
 * The close scheduler: open cycles ordered by close time (a binary heap
 * on the monotonic clock, O(log n)), and indexed by what they grant
 * (stanza, address, protocol, port: a hash table, O(1)) so that a second
 * request for the same grant extends the open cycle instead of stacking
 * another close.
 *
 * Entries live in the scheduler's own storage, allocated in growing
 * blocks that never move: a pointer returned by sched_find() or
 * sched_due() stays valid until that entry is removed.  Apart from that
 * growth, no operation allocates.
 */
#ifndef SPA_SCHED_H
#define SPA_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/*
 * What a cycle grants: duplicates share a key.  Keys are compared and
 * hashed field by field (the address on its family's length), so padding
 * and unused address bytes never matter.
 */
struct sched_key {
	uint32_t	stanza;
	struct spa_addr	allow;
	uint8_t		proto;
	uint16_t	port;
};

struct sched_entry {
	struct sched_key key;
	uint64_t	 id;		/* journal id */
	int64_t		 due_ms;	/* monotonic milliseconds */
	void		*data;		/* the caller's cycle */
	size_t		 heap_index;	/* internal */
};

struct sched;

int	sched_new(struct sched **out);
/* Frees the scheduler, not the callers' data. */
void	sched_free(struct sched *s);

/*
 * Add a new entry (the key is copied); SPA_ERR_ARG if its key is already
 * present, SPA_ERR_NOMEM if growing fails.
 */
int	sched_add(struct sched *s, const struct sched_key *key, uint64_t id,
	    int64_t due_ms, void *data);
/* The entry with this key, or NULL. */
struct sched_entry *sched_find(struct sched *s, const struct sched_key *key);
/* Move an entry to a new time (later or earlier). */
void	sched_reschedule(struct sched *s, struct sched_entry *e,
	    int64_t due_ms);
/* Remove an entry (found or popped); returns its data. */
void	*sched_remove(struct sched *s, struct sched_entry *e);

/* The earliest entry if it is due at `now_ms`, else NULL (not removed). */
struct sched_entry *sched_due(struct sched *s, int64_t now_ms);
/* Milliseconds from `now_ms` to the earliest entry (0 if due); -1: empty. */
int64_t	sched_wait_ms(const struct sched *s, int64_t now_ms);
size_t	sched_count(const struct sched *s);

/*
 * Visit every entry once, in no particular order (for status output and
 * clean shutdown).  The callback may read entries and change what their
 * `data` points to, but must not add, remove or reschedule: doing so is
 * a programming error and fatal.  Collect first, then act.
 */
void	sched_foreach(struct sched *s,
	    void (*cb)(void *arg, struct sched_entry *e), void *arg);

#endif /* SPA_SCHED_H */
