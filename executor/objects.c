/*
 * Firewall objects and their holders (see objects.h): a chained hash
 * table of objects, each with its key and a small array of holders.
 * Most objects have one holder; a few have two or three.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "array.h"
#include "objects.h"

#define MIN_BUCKETS	64	/* a power of two */

struct object {
	struct object	 *next;		/* in its bucket */
	uint64_t	  hash;
	void		**holders;
	size_t		  nholders;
	size_t		  cap;
	size_t		  len;
	unsigned char	  key[];	/* len bytes */
};

struct objects {
	struct object	**buckets;
	size_t		  mask;
	size_t		  n;
	uint64_t	  seed;
};

/* One multiply-xorshift round per 8 bytes, from a secret seed. */
static uint64_t
key_hash(const struct objects *t, const unsigned char *k, size_t len)
{
	uint64_t h = t->seed ^ len, w;
	size_t i, n;

	for (i = 0; i < len; i += 8) {
		n = len - i < 8 ? len - i : 8;
		w = 0;
		memcpy(&w, k + i, n);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 31;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 32);
}

int
objects_new(struct objects **out)
{
	struct objects *t;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->buckets = calloc(MIN_BUCKETS, sizeof(*t->buckets))) == NULL) {
		free(t);
		return -1;
	}
	t->mask = MIN_BUCKETS - 1;
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(t->seed))
		t->seed = (uint64_t)(uintptr_t)t ^ 0x5bd1e9955bd1e995ULL;
	*out = t;
	return 0;
}

static void
object_free(struct object *o)
{
	free(o->holders);
	free(o);
}

void
objects_free(struct objects *t)
{
	struct object *o, *next;
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i <= t->mask; i++)
		for (o = t->buckets[i]; o != NULL; o = next) {
			next = o->next;
			object_free(o);
		}
	free(t->buckets);
	free(t);
}

/* Double the buckets when objects outnumber them; a failure is harmless. */
static void
grow(struct objects *t)
{
	size_t i, nmask = t->mask * 2 + 1;
	struct object **nb, *o, *next;

	if (t->n <= t->mask ||
	    (nb = calloc(nmask + 1, sizeof(*nb))) == NULL)
		return;
	for (i = 0; i <= t->mask; i++)
		for (o = t->buckets[i]; o != NULL; o = next) {
			next = o->next;
			o->next = nb[o->hash & nmask];
			nb[o->hash & nmask] = o;
		}
	free(t->buckets);
	t->buckets = nb;
	t->mask = nmask;
}

static struct object *
find(const struct objects *t, uint64_t h, const void *key, size_t len)
{
	struct object *o;

	for (o = t->buckets[h & t->mask]; o != NULL; o = o->next)
		if (o->hash == h && o->len == len &&
		    memcmp(o->key, key, len) == 0)
			return o;
	return NULL;
}

static struct object *
insert(struct objects *t, uint64_t h, const void *key, size_t len)
{
	struct object *o;

	if ((o = calloc(1, sizeof(*o) + len)) == NULL)
		return NULL;
	o->hash = h;
	o->len = len;
	memcpy(o->key, key, len);
	o->next = t->buckets[h & t->mask];
	t->buckets[h & t->mask] = o;
	t->n++;
	grow(t);
	return o;
}

static void
unlink_object(struct objects *t, struct object *o)
{
	struct object **pp = &t->buckets[o->hash & t->mask];

	while (*pp != NULL && *pp != o)
		pp = &(*pp)->next;
	if (*pp == o) {
		*pp = o->next;
		t->n--;
	}
}

struct object *
objects_join(struct objects *t, const void *key, size_t len, void *holder)
{
	uint64_t h = key_hash(t, key, len);
	struct object *o;
	void **nh;
	bool made = false;

	if ((o = find(t, h, key, len)) == NULL) {
		if ((o = insert(t, h, key, len)) == NULL)
			return NULL;
		made = true;
	}
	if ((nh = array_room(o->holders, &o->cap, o->nholders,
	    sizeof(*nh), 2)) == NULL) {
		if (made) {
			unlink_object(t, o);
			object_free(o);
		}
		return NULL;
	}
	o->holders = nh;
	o->holders[o->nholders++] = holder;
	return o;
}

struct object *
objects_find(const struct objects *t, const void *key, size_t len)
{
	return find(t, key_hash(t, key, len), key, len);
}

void
objects_leave(struct objects *t, struct object *o, void *holder)
{
	size_t i;

	for (i = 0; i < o->nholders; i++)
		if (o->holders[i] == holder) {
			memmove(&o->holders[i], &o->holders[i + 1],
			    (o->nholders - i - 1) * sizeof(*o->holders));
			o->nholders--;
			break;
		}
	if (o->nholders == 0) {
		unlink_object(t, o);
		object_free(o);
	}
}

size_t
object_nholders(const struct object *o)
{
	return o->nholders;
}

void *
object_holder(const struct object *o, size_t i)
{
	return i < o->nholders ? o->holders[i] : NULL;
}

size_t
objects_count(const struct objects *t)
{
	return t->n;
}
