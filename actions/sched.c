/*
 * The close scheduler: a binary min-heap of entries by due time (ties by
 * id, so the order is deterministic) and an open-addressing hash table of
 * the same entries by key.  Entries are allocated one by one and never
 * move, so callers may keep pointers to them until sched_remove().
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "err.h"
#include "sched.h"

#define MIN_SLOTS	64

struct sched {
	struct sched_entry	**heap;
	size_t			  n;
	size_t			  heap_cap;
	struct sched_entry	**slots;	/* hash table; NULL: empty */
	size_t			  mask;
	size_t			  used;		/* live + deleted markers */
	uint64_t		  seed;
};

/* A deleted hash slot: probing walks past it. */
static struct sched_entry deleted_marker;
#define DELETED	(&deleted_marker)

/* --- keys ---------------------------------------------------------------- */

static bool
key_equal(const struct sched_key *a, const struct sched_key *b)
{
	return a->stanza == b->stanza && a->proto == b->proto &&
	    a->port == b->port && addr_equal(&a->allow, &b->allow);
}

static size_t
key_hash(const struct sched *s, const struct sched_key *k)
{
	uint64_t h = s->seed ^ ((uint64_t)k->stanza << 32 | k->proto << 16 |
	    k->port);
	size_t i;

	h ^= (uint64_t)k->allow.family;
	for (i = 0; i < sizeof(k->allow.bytes); i++)
		h = (h ^ k->allow.bytes[i]) * 0x100000001b3ULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (size_t)h & s->mask;
}

/* --- hash table ---------------------------------------------------------- */

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
	size_t i, oldn = s->mask + 1;

	if ((s->slots = calloc(nslots, sizeof(*s->slots))) == NULL) {
		s->slots = old;
		return SPA_ERR_NOMEM;
	}
	s->mask = nslots - 1;
	s->used = 0;
	for (i = 0; old != NULL && i < oldn; i++) {
		if (old[i] == NULL || old[i] == DELETED)
			continue;
		sl = slot_of(s, &old[i]->key);
		*sl = old[i];
		s->used++;
	}
	free(old);
	return 0;
}

/* --- heap ---------------------------------------------------------------- */

static bool
before(const struct sched_entry *a, const struct sched_entry *b)
{
	return a->due_ms < b->due_ms || (a->due_ms == b->due_ms && a->id < b->id);
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

/* --- interface ----------------------------------------------------------- */

int
sched_new(struct sched **out)
{
	struct sched *s;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return SPA_ERR_NOMEM;
	if (getrandom(&s->seed, sizeof(s->seed), 0) != sizeof(s->seed) ||
	    rehash(s, MIN_SLOTS) != 0) {
		free(s);
		return SPA_ERR_SYS;
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
	for (i = 0; i < s->n; i++)
		free(s->heap[i]);
	free(s->heap);
	free(s->slots);
	free(s);
}

static int
make_room(struct sched *s)
{
	struct sched_entry **nh;
	size_t cap;
	int r;

	if ((s->used + 1) * 2 > s->mask + 1 &&
	    (r = rehash(s, (s->n + 1) * 4 > s->mask + 1 ?
	    (s->mask + 1) * 2 : s->mask + 1)) != 0)
		return r;
	if (s->n < s->heap_cap)
		return 0;
	cap = s->heap_cap ? s->heap_cap * 2 : 64;
	if ((nh = reallocarray(s->heap, cap, sizeof(*nh))) == NULL)
		return SPA_ERR_NOMEM;
	s->heap = nh;
	s->heap_cap = cap;
	return 0;
}

int
sched_add(struct sched *s, const struct sched_key *key, uint64_t id,
    int64_t due_ms, void *data)
{
	struct sched_entry *e, **sl;
	int r;

	if (sched_find(s, key) != NULL)
		return SPA_ERR_ARG;
	if ((r = make_room(s)) != 0)
		return r;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return SPA_ERR_NOMEM;
	e->key = *key;
	e->id = id;
	e->due_ms = due_ms;
	e->data = data;
	sl = slot_of(s, key);
	if (*sl == NULL)
		s->used++;
	*sl = e;
	heap_set(s, s->n++, e);
	sift_up(s, e->heap_index);
	return 0;
}

struct sched_entry *
sched_find(struct sched *s, const struct sched_key *key)
{
	struct sched_entry **sl = slot_of(s, key);

	return *sl;
}

void
sched_reschedule(struct sched *s, struct sched_entry *e, int64_t due_ms)
{
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

	*slot_of(s, &e->key) = DELETED;
	last = s->heap[--s->n];
	if (i < s->n) {
		heap_set(s, i, last);
		sift_up(s, i);
		sift_down(s, last->heap_index);
	}
	free(e);
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

	for (i = 0; i < s->n; i++)
		cb(arg, s->heap[i]);
}
