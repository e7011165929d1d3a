/*
 * The close scheduler (see sched.h): a binary min-heap of entry pointers
 * by due time (ties by id, so the order is deterministic), each entry
 * knowing its heap index so that reschedule and removal are O(log n),
 * and an open-addressing hash table (linear probing, tombstones, grown or
 * rebuilt at load 0.5) of the same entries by key.
 *
 * Entries come from blocks that double in size and never move; removed
 * entries go on a free list.  Only growth allocates: the heap array, the
 * hash table or a new block of entries.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "array.h"
#include "err.h"
#include "log.h"
#include "sched.h"

#define MIN_SLOTS	64	/* hash table; a power of two */
#define MIN_BLOCK	64	/* entries in the first block */
#define NOT_IN_HEAP	SIZE_MAX

struct sched {
	struct sched_entry	**heap;
	size_t			  n;
	size_t			  heap_cap;
	struct sched_entry	**slots;	/* NULL: empty; or DELETED */
	struct sched_entry	  tombstone;	/* what DELETED points to */
	size_t			  mask;
	size_t			  used;		/* live + tombstones */
	struct sched_entry	**blocks;	/* entry storage */
	size_t			  nblocks;
	size_t			  capacity;	/* entries in all blocks */
	struct sched_entry	 *free;		/* linked through ->data */
	uint64_t		  seed;
	int			  iterating;	/* inside sched_foreach */
};

/* A deleted hash slot (a per-scheduler marker): probing walks past it. */
#define DELETED	(&s->tombstone)

/* --- keys ---------------------------------------------------------------- */

static bool
key_equal(const struct sched_key *a, const struct sched_key *b)
{
	return a->stanza == b->stanza && a->proto == b->proto &&
	    a->port == b->port && addr_equal(&a->allow, &b->allow);
}

/* One multiply-xorshift round: a bijection of h for each v. */
static uint64_t
mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 31);
}

/* Seeded hash of the fields addr_equal() and key_equal() look at. */
static size_t
key_hash(const struct sched *s, const struct sched_key *k)
{
	size_t alen = k->allow.family == AF_INET ? 4 :
	    k->allow.family == AF_INET6 ? 16 : 0;
	uint64_t h, w;
	size_t i;

	h = mix(s->seed, (uint64_t)k->stanza << 32 |
	    (uint64_t)k->proto << 16 | k->port);
	h = mix(h, (uint64_t)(uint32_t)k->allow.family);
	for (i = 0; i < alen; i += 4) {
		w = (uint64_t)k->allow.bytes[i] << 24 |
		    (uint64_t)k->allow.bytes[i + 1] << 16 |
		    (uint64_t)k->allow.bytes[i + 2] << 8 |
		    k->allow.bytes[i + 3];
		h = mix(h, w);
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (size_t)h & s->mask;
}

/* --- hash table ---------------------------------------------------------- */

/* The slot holding `k`, or the empty slot where it would go. */
static struct sched_entry **
slot_of(struct sched *s, const struct sched_key *k)
{
	size_t i = key_hash(s, k);

	for (;; i = (i + 1) & s->mask) {
		if (s->slots[i] == NULL)
			return &s->slots[i];
		if (s->slots[i] != DELETED && key_equal(&s->slots[i]->key, k))
			return &s->slots[i];
	}
}

static int
rehash(struct sched *s, size_t nslots)
{
	struct sched_entry **old = s->slots, **sl;
	size_t i, oldn = old != NULL ? s->mask + 1 : 0;

	if ((s->slots = calloc(nslots, sizeof(*s->slots))) == NULL) {
		s->slots = old;
		return SPA_ERR_NOMEM;
	}
	s->mask = nslots - 1;
	s->used = 0;
	for (i = 0; i < oldn; i++) {
		if (old[i] == NULL || old[i] == DELETED)
			continue;
		sl = slot_of(s, &old[i]->key);
		*sl = old[i];
		s->used++;
	}
	free(old);
	return 0;
}

/* Keep live entries and tombstones at most half of the table. */
static int
hash_room(struct sched *s)
{
	size_t nslots = s->mask + 1;

	if ((s->used + 1) * 2 <= nslots)
		return 0;
	/* mostly tombstones: rebuild at the same size, else double */
	if ((s->n + 1) * 4 > nslots) {
		if (nslots > SIZE_MAX / 2 / sizeof(*s->slots))
			return SPA_ERR_NOMEM;
		nslots *= 2;
	}
	return rehash(s, nslots);
}

/* --- entry storage ------------------------------------------------------- */

static int
entry_room(struct sched *s)
{
	struct sched_entry **nb, *block;
	size_t i, size = s->capacity ? s->capacity : MIN_BLOCK;

	if (s->free != NULL)
		return 0;
	if ((nb = reallocarray(s->blocks, s->nblocks + 1,
	    sizeof(*nb))) == NULL)
		return SPA_ERR_NOMEM;
	s->blocks = nb;
	if ((block = calloc(size, sizeof(*block))) == NULL)
		return SPA_ERR_NOMEM;
	s->blocks[s->nblocks++] = block;
	s->capacity += size;
	for (i = size; i > 0; i--) {
		block[i - 1].heap_index = NOT_IN_HEAP;
		block[i - 1].data = s->free;
		s->free = &block[i - 1];
	}
	return 0;
}

static struct sched_entry *
entry_take(struct sched *s)
{
	struct sched_entry *e = s->free;

	s->free = e->data;
	memset(e, 0, sizeof(*e));
	return e;
}

static void
entry_give_back(struct sched *s, struct sched_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->heap_index = NOT_IN_HEAP;
	e->data = s->free;
	s->free = e;
}

static int
heap_room(struct sched *s)
{
	struct sched_entry **nh;

	if ((nh = array_room(s->heap, &s->heap_cap, s->n, sizeof(*nh),
	    MIN_BLOCK)) == NULL)
		return SPA_ERR_NOMEM;
	s->heap = nh;
	return 0;
}

/* --- heap ---------------------------------------------------------------- */

static bool
before(const struct sched_entry *a, const struct sched_entry *b)
{
	return a->due_ms < b->due_ms ||
	    (a->due_ms == b->due_ms && a->id < b->id);
}

static void
heap_set(struct sched *s, size_t i, struct sched_entry *e)
{
	s->heap[i] = e;
	e->heap_index = i;
}

static void
sift_up(struct sched *s, size_t i)
{
	struct sched_entry *e = s->heap[i];

	while (i > 0 && before(e, s->heap[(i - 1) / 2])) {
		heap_set(s, i, s->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(s, i, e);
}

static void
sift_down(struct sched *s, size_t i)
{
	struct sched_entry *e = s->heap[i];
	size_t c;

	while ((c = 2 * i + 1) < s->n) {
		if (c + 1 < s->n && before(s->heap[c + 1], s->heap[c]))
			c++;
		if (!before(s->heap[c], e))
			break;
		heap_set(s, i, s->heap[c]);
		i = c;
	}
	heap_set(s, i, e);
}

static void
check_not_iterating(const struct sched *s, const char *what)
{
	if (s->iterating)
		fatalx("sched: %s called from sched_foreach", what);
}

/* --- interface ----------------------------------------------------------- */

int
sched_new(struct sched **out)
{
	struct sched *s;
	int r = SPA_ERR_SYS;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return SPA_ERR_NOMEM;
	if (getrandom(&s->seed, sizeof(s->seed), 0) != sizeof(s->seed) ||
	    (r = rehash(s, MIN_SLOTS)) != 0) {
		free(s);
		return r;
	}
	*out = s;
	return 0;
}

void
sched_free(struct sched *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nblocks; i++)
		free(s->blocks[i]);
	free(s->blocks);
	free(s->heap);
	free(s->slots);
	free(s);
}

int
sched_add(struct sched *s, const struct sched_key *key, uint64_t id,
    int64_t due_ms, void *data)
{
	struct sched_entry *e, **sl;
	int r;

	check_not_iterating(s, "sched_add");
	if (sched_find(s, key) != NULL)
		return SPA_ERR_ARG;
	if ((r = hash_room(s)) != 0 || (r = heap_room(s)) != 0 ||
	    (r = entry_room(s)) != 0)
		return r;
	e = entry_take(s);
	e->key.stanza = key->stanza;
	e->key.allow = key->allow;
	e->key.proto = key->proto;
	e->key.port = key->port;
	e->id = id;
	e->due_ms = due_ms;
	e->data = data;
	sl = slot_of(s, key);
	*sl = e;
	s->used++;
	heap_set(s, s->n++, e);
	sift_up(s, e->heap_index);
	return 0;
}

struct sched_entry *
sched_find(struct sched *s, const struct sched_key *key)
{
	return *slot_of(s, key);
}

void
sched_reschedule(struct sched *s, struct sched_entry *e, int64_t due_ms)
{
	check_not_iterating(s, "sched_reschedule");
	e->due_ms = due_ms;
	sift_up(s, e->heap_index);
	sift_down(s, e->heap_index);
}

void *
sched_remove(struct sched *s, struct sched_entry *e)
{
	struct sched_entry *last;
	void *data = e->data;
	size_t i = e->heap_index;

	check_not_iterating(s, "sched_remove");
	*slot_of(s, &e->key) = DELETED;
	last = s->heap[--s->n];
	if (i < s->n) {
		heap_set(s, i, last);
		sift_up(s, i);
		sift_down(s, last->heap_index);
	}
	entry_give_back(s, e);
	return data;
}

struct sched_entry *
sched_due(struct sched *s, int64_t now_ms)
{
	return s->n > 0 && s->heap[0]->due_ms <= now_ms ? s->heap[0] : NULL;
}

int64_t
sched_wait_ms(const struct sched *s, int64_t now_ms)
{
	if (s->n == 0)
		return -1;
	return s->heap[0]->due_ms > now_ms ? s->heap[0]->due_ms - now_ms : 0;
}

size_t
sched_count(const struct sched *s)
{
	return s->n;
}

void
sched_foreach(struct sched *s, void (*cb)(void *, struct sched_entry *),
    void *arg)
{
	size_t i;

	s->iterating++;
	for (i = 0; i < s->n; i++)
		cb(arg, s->heap[i]);
	s->iterating--;
}
