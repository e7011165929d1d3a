/*
 * The knock sequence engine (knock_engine.h).  Sources with a sequence in
 * progress live in a keyed hash table (chains, buckets >= the cap) and on
 * an LRU list, most recently knocked first; a source entry holds one
 * progress record per door and is released as soon as nothing is in
 * progress, so only live progress takes room.  Released entries are kept
 * on a free list: the engine never holds more than max_sources of them.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "err.h"
#include "knock_engine.h"

#define RECLAIM_PER_PACKET	2	/* timed-out tail entries freed per call */

/* A door's progress for one source: stage 0 is nothing in progress. */
struct knock_prog {
	uint8_t		 stage;		/* knocks matched so far */
	uint32_t	 gen;		/* the door's sequence generation */
	int64_t		 start_ms;
	int64_t		 last_ms;
};

struct knock_src {
	struct knock_src *hnext;	/* hash chain */
	struct knock_src *prev;		/* LRU: towards the most recent */
	struct knock_src *next;		/* LRU: towards the oldest */
	struct spa_addr	 addr;
	size_t		 active;	/* doors with stage > 0 */
	struct knock_prog prog[];	/* one per door */
};

struct knock_engine {
	const struct knock_door	*doors;
	size_t			 ndoors;
	size_t			*ot_next;	/* one-time: index expected */
	uint32_t		*gen;		/* bumped when a sequence changes */
	uint8_t			 ports[2][65536 / 8];	/* tcp, udp in use */
	struct knock_src	**buckets;
	size_t			 nbuckets;	/* a power of two */
	struct knock_src	*head;		/* most recent */
	struct knock_src	*tail;		/* oldest */
	struct knock_src	*spare;		/* released entries */
	size_t			 allocated;	/* entries ever malloc'd */
	uint64_t		 hkey[2];	/* SipHash key */
	struct knock_open	*opened;	/* ndoors slots */
	size_t			 nopened;
	struct knock_stats	 st;
};

/* --- SipHash-2-4 of an address (Aumasson and Bernstein's construction) --- */

#define ROTL(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))

static void
sip_round(uint64_t v[4])
{
	v[0] += v[1]; v[1] = ROTL(v[1], 13); v[1] ^= v[0];
	v[0] = ROTL(v[0], 32);
	v[2] += v[3]; v[3] = ROTL(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = ROTL(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = ROTL(v[1], 17); v[1] ^= v[2];
	v[2] = ROTL(v[2], 32);
}

static void
sip_block(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sip_round(v);
	sip_round(v);
	v[0] ^= m;
}

static uint64_t
le64(const uint8_t *p)
{
	uint64_t x = 0;
	int i;

	for (i = 7; i >= 0; i--)
		x = x << 8 | p[i];
	return x;
}

/* The address's 16 bytes, then a last block with length and family. */
static uint64_t
addr_hash(const struct knock_engine *e, const struct spa_addr *a)
{
	uint64_t v[4] = {
		e->hkey[0] ^ 0x736f6d6570736575ULL,
		e->hkey[1] ^ 0x646f72616e646f6dULL,
		e->hkey[0] ^ 0x6c7967656e657261ULL,
		e->hkey[1] ^ 0x7465646279746573ULL,
	};

	sip_block(v, le64(a->bytes));
	sip_block(v, le64(a->bytes + 8));
	sip_block(v, (uint64_t)17 << 56 | (uint8_t)a->family);
	v[2] ^= 0xff;
	sip_round(v);
	sip_round(v);
	sip_round(v);
	sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* --- doors and packets --------------------------------------------------- */

/* The sequence a door expects now, or NULL when its one-time ones are used. */
static const struct knock_seq *
door_seq(const struct knock_engine *e, size_t d)
{
	const struct knock_door *door = &e->doors[d];

	if (door->one_time_path == NULL)
		return &door->seq;
	return e->ot_next[d] < door->n_one_time ?
	    &door->one_time[e->ot_next[d]] : NULL;
}

static bool
hit_is(const struct knock_hit *h, const struct knock_pkt *p)
{
	return h->proto == p->proto && h->port == p->dport;
}

/* Interface, target and SOURCE: does this door look at the packet at all? */
static bool
door_sees(const struct knock_door *d, const struct knock_pkt *p)
{
	return (d->ifindex == 0 || d->ifindex == p->ifindex) &&
	    (!d->has_target || addr_equal(&d->target, &p->dst)) &&
	    (d->sources == NULL || addr_list_match(d->sources, &p->src));
}

static bool
flags_ok(const struct knock_door *d, const struct knock_pkt *p)
{
	return p->proto != IPPROTO_TCP || knock_tcp_flags_ok(d, p->tcp_flags);
}

static bool
seq_has(const struct knock_seq *s, const struct knock_pkt *p)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (hit_is(&s->hits[i], p))
			return true;
	return false;
}

static int
proto_row(uint8_t proto)
{
	return proto == IPPROTO_TCP ? 0 : proto == IPPROTO_UDP ? 1 : -1;
}

/* knockd's capture filter: some door's port, flags and target. */
static bool
relevant(const struct knock_engine *e, const struct knock_pkt *p)
{
	const struct knock_seq *s;
	int row = proto_row(p->proto);
	size_t d;

	if (row < 0 || !(e->ports[row][p->dport / 8] & (1u << (p->dport % 8))))
		return false;
	for (d = 0; d < e->ndoors; d++)
		if ((s = door_seq(e, d)) != NULL && seq_has(s, p) &&
		    flags_ok(&e->doors[d], p) && door_sees(&e->doors[d], p))
			return true;
	return false;
}

static int64_t
seconds(int64_t ms)
{
	return ms / 1000;
}

static bool
timed_out(const struct knock_engine *e, size_t d,
    const struct knock_prog *pr, int64_t now_ms)
{
	return pr->gen != e->gen[d] || seconds(now_ms) - seconds(pr->start_ms)
	    >= (int64_t)e->doors[d].seq_timeout;
}

/* --- source entries ------------------------------------------------------ */

static size_t
bucket_of(const struct knock_engine *e, const struct spa_addr *a)
{
	return (size_t)(addr_hash(e, a) & (e->nbuckets - 1));
}

static struct knock_src *
lookup(const struct knock_engine *e, const struct spa_addr *a)
{
	struct knock_src *s;

	for (s = e->buckets[bucket_of(e, a)]; s != NULL; s = s->hnext)
		if (addr_equal(&s->addr, a))
			return s;
	return NULL;
}

static void
lru_unlink(struct knock_engine *e, struct knock_src *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		e->head = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	else
		e->tail = s->prev;
	s->prev = s->next = NULL;
}

static void
lru_push(struct knock_engine *e, struct knock_src *s)
{
	s->prev = NULL;
	s->next = e->head;
	if (e->head != NULL)
		e->head->prev = s;
	e->head = s;
	if (e->tail == NULL)
		e->tail = s;
}

static void
hash_unlink(struct knock_engine *e, struct knock_src *s)
{
	struct knock_src **pp = &e->buckets[bucket_of(e, &s->addr)];

	while (*pp != s)
		pp = &(*pp)->hnext;
	*pp = s->hnext;
}

/* Out of the table and list, onto the spare list. */
static void
release(struct knock_engine *e, struct knock_src *s)
{
	hash_unlink(e, s);
	lru_unlink(e, s);
	s->hnext = e->spare;
	e->spare = s;
	e->st.sources--;
}

static size_t
entry_size(const struct knock_engine *e)
{
	return sizeof(struct knock_src) + e->ndoors * sizeof(struct knock_prog);
}

/* A blank entry: a spare one, a new one under the cap, or the oldest. */
static struct knock_src *
take_entry(struct knock_engine *e)
{
	struct knock_src *s = e->spare;

	if (s != NULL)
		e->spare = s->hnext;
	else if (e->allocated < e->st.max_sources) {
		if ((s = malloc(entry_size(e))) == NULL)
			return NULL;
		e->allocated++;
	} else {
		s = e->tail;
		release(e, s);
		e->spare = s->hnext;
		e->st.evicted++;
	}
	memset(s, 0, entry_size(e));
	return s;
}

static struct knock_src *
add_source(struct knock_engine *e, const struct spa_addr *a)
{
	struct knock_src *s = take_entry(e);
	size_t b;

	if (s == NULL) {
		e->st.nomem++;
		return NULL;
	}
	s->addr = *a;
	b = bucket_of(e, a);
	s->hnext = e->buckets[b];
	e->buckets[b] = s;
	lru_push(e, s);
	e->st.sources++;
	return s;
}

static bool
all_timed_out(const struct knock_engine *e, const struct knock_src *s,
    int64_t now_ms)
{
	size_t d;

	for (d = 0; d < e->ndoors; d++)
		if (s->prog[d].stage > 0 &&
		    !timed_out(e, d, &s->prog[d], now_ms))
			return false;
	return true;
}

/* Free the oldest entries whose progress has all timed out, but `keep`. */
static void
reclaim(struct knock_engine *e, const struct knock_src *keep, int64_t now_ms)
{
	int i;

	for (i = 0; i < RECLAIM_PER_PACKET && e->tail != NULL &&
	    e->tail != keep && all_timed_out(e, e->tail, now_ms); i++) {
		e->st.timed_out += e->tail->active;
		release(e, e->tail);
	}
}

/* --- progress ------------------------------------------------------------ */

static void
stop(struct knock_src *s, struct knock_prog *pr)
{
	pr->stage = 0;
	s->active--;
}

static void
drop_timed_out(struct knock_engine *e, struct knock_src *s, int64_t now_ms)
{
	size_t d;

	for (d = 0; d < e->ndoors; d++)
		if (s->prog[d].stage > 0 &&
		    timed_out(e, d, &s->prog[d], now_ms)) {
			stop(s, &s->prog[d]);
			e->st.timed_out++;
		}
}

static void
open_door(struct knock_engine *e, struct knock_src *s, size_t d)
{
	struct knock_open *o = &e->opened[e->nopened++];
	const struct knock_door *door = &e->doors[d];

	memset(o, 0, sizeof(*o));
	o->door = d;
	o->src = s->addr;
	e->st.opened++;
	if (door->one_time_path == NULL)
		return;
	o->one_time = true;
	o->used = e->ot_next[d]++;
	o->exhausted = e->ot_next[d] >= door->n_one_time;
	e->gen[d]++;		/* everyone's progress on it is void */
}

static void
advance(struct knock_engine *e, struct knock_src *s, size_t d,
    const struct knock_pkt *p)
{
	struct knock_prog *pr = &s->prog[d];

	pr->stage++;
	pr->last_ms = p->mono_ms;
	if (pr->stage < door_seq(e, d)->n)
		return;
	stop(s, pr);
	open_door(e, s, d);
}

static void
start(struct knock_engine *e, struct knock_src **sp, size_t d,
    const struct knock_pkt *p)
{
	struct knock_prog *pr;

	if (*sp == NULL && (*sp = add_source(e, &p->src)) == NULL)
		return;
	pr = &(*sp)->prog[d];
	pr->gen = e->gen[d];
	pr->start_ms = p->mono_ms;
	(*sp)->active++;
	e->st.started++;
	advance(e, *sp, d, p);
}

static void
reset(struct knock_engine *e, struct knock_src *s, size_t d)
{
	stop(s, &s->prog[d]);
	e->st.reset++;
}

/* Is the packet the first knock of door d, for it to start? */
static bool
starts(const struct knock_engine *e, size_t d, const struct knock_pkt *p)
{
	const struct knock_seq *seq = door_seq(e, d);

	return seq != NULL && door_sees(&e->doors[d], p) &&
	    flags_ok(&e->doors[d], p) && hit_is(&seq->hits[0], p);
}

/* knockd's doors in progress for this source that see the packet. */
static bool
in_progress(const struct knock_engine *e, const struct knock_src *s,
    size_t d, const struct knock_pkt *p)
{
	return s != NULL && s->prog[d].stage > 0 &&
	    !e->doors[d].independent && door_sees(&e->doors[d], p);
}

static void
knockd_step(struct knock_engine *e, struct knock_src *s, size_t d,
    const struct knock_pkt *p)
{
	if (!flags_ok(&e->doors[d], p))
		return;		/* ignored, as knockd does */
	if (hit_is(&door_seq(e, d)->hits[s->prog[d].stage], p))
		advance(e, s, d, p);
	else
		reset(e, s, d);
}

/* knockd: progress on some door excludes starting any. */
static void
feed_knockd(struct knock_engine *e, struct knock_src **sp,
    const struct knock_pkt *p)
{
	bool busy = false;
	size_t d;

	for (d = 0; d < e->ndoors; d++)
		if (in_progress(e, *sp, d, p)) {
			busy = true;
			knockd_step(e, *sp, d, p);
		}
	if (busy)
		return;
	for (d = 0; d < e->ndoors; d++)
		if (!e->doors[d].independent && starts(e, d, p))
			start(e, sp, d, p);
}

/* fwknop's gaps: more than min_gap, less than max_gap, whole seconds. */
static bool
gap_ok(const struct knock_door *d, const struct knock_prog *pr,
    const struct knock_pkt *p)
{
	int64_t gap = seconds(p->mono_ms) - seconds(pr->last_ms);

	return (!d->has_min_gap || gap > (int64_t)d->min_gap) &&
	    (!d->has_max_gap || gap < (int64_t)d->max_gap);
}

static void
independent_step(struct knock_engine *e, struct knock_src **sp, size_t d,
    const struct knock_pkt *p)
{
	const struct knock_door *door = &e->doors[d];
	struct knock_src *s = *sp;

	if (s == NULL || s->prog[d].stage == 0) {
		if (starts(e, d, p))
			start(e, sp, d, p);
		return;
	}
	if (!flags_ok(door, p))
		return;
	if (hit_is(&door_seq(e, d)->hits[s->prog[d].stage], p) &&
	    gap_ok(door, &s->prog[d], p))
		advance(e, s, d, p);
	else
		reset(e, s, d);
}

static void
feed_independent(struct knock_engine *e, struct knock_src **sp,
    const struct knock_pkt *p)
{
	size_t d;

	for (d = 0; d < e->ndoors; d++)
		if (e->doors[d].independent && door_sees(&e->doors[d], p))
			independent_step(e, sp, d, p);
}

size_t
knock_feed(struct knock_engine *e, const struct knock_pkt *p,
    const struct knock_open **opened)
{
	struct knock_src *s;

	e->nopened = 0;
	*opened = e->opened;
	e->st.packets++;
	if (!relevant(e, p)) {
		e->st.ignored++;
		return 0;
	}
	if ((s = lookup(e, &p->src)) != NULL)
		drop_timed_out(e, s, p->mono_ms);
	reclaim(e, s, p->mono_ms);
	feed_knockd(e, &s, p);
	feed_independent(e, &s, p);
	if (s != NULL && s->active == 0)
		release(e, s);
	else if (s != NULL) {
		lru_unlink(e, s);
		lru_push(e, s);
	}
	return e->nopened;
}

/* --- life ---------------------------------------------------------------- */

static void
mark_ports(struct knock_engine *e, const struct knock_seq *s)
{
	size_t i;
	int row;

	for (i = 0; i < s->n; i++)
		if ((row = proto_row(s->hits[i].proto)) >= 0)
			e->ports[row][s->hits[i].port / 8] |=
			    (uint8_t)(1u << (s->hits[i].port % 8));
}

static int
index_doors(struct knock_engine *e)
{
	const struct knock_door *d;
	size_t i, j;

	for (i = 0; i < e->ndoors; i++) {
		d = &e->doors[i];
		if (d->one_time_path == NULL ? d->seq.n == 0 :
		    d->n_one_time == 0)
			return SPA_ERR_ARG;
		mark_ports(e, &d->seq);
		for (j = 0; j < d->n_one_time; j++)
			mark_ports(e, &d->one_time[j]);
	}
	return 0;
}

/* An entry holds a progress record per door: many doors, fewer entries. */
static size_t
entries_within_budget(const struct knock_engine *e, size_t max_sources)
{
	size_t fit = KNOCK_MEMORY_MAX / entry_size(e);

	return max_sources < fit ? max_sources : fit > 0 ? fit : 1;
}

static size_t
bucket_count(size_t max_sources)
{
	size_t n = 16;

	while (n < max_sources)
		n *= 2;
	return n;
}

int
knock_new(const struct knock_door *doors, size_t ndoors, size_t max_sources,
    struct knock_engine **out)
{
	struct knock_engine *e = NULL;
	int r = SPA_ERR_ARG;

	*out = NULL;
	if (max_sources == 0)
		max_sources = KNOCK_SOURCES_DEFAULT;
	if (ndoors == 0 || max_sources > KNOCK_SOURCES_MAX)
		return SPA_ERR_ARG;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return SPA_ERR_NOMEM;
	e->doors = doors;
	e->ndoors = ndoors;
	e->st.max_sources = entries_within_budget(e, max_sources);
	e->nbuckets = bucket_count(e->st.max_sources);
	if ((r = index_doors(e)) != 0)
		goto out;
	r = SPA_ERR_NOMEM;
	if ((e->ot_next = calloc(ndoors, sizeof(*e->ot_next))) == NULL ||
	    (e->gen = calloc(ndoors, sizeof(*e->gen))) == NULL ||
	    (e->opened = calloc(ndoors, sizeof(*e->opened))) == NULL ||
	    (e->buckets = calloc(e->nbuckets, sizeof(*e->buckets))) == NULL)
		goto out;
	if ((r = crypto_random(e->hkey, sizeof(e->hkey))) != 0)
		goto out;
	*out = e;
	e = NULL;
out:
	knock_free(e);
	return r;
}

static void
free_list(struct knock_src *s, bool by_lru)
{
	struct knock_src *next;

	for (; s != NULL; s = next) {
		next = by_lru ? s->next : s->hnext;
		free(s);
	}
}

void
knock_free(struct knock_engine *e)
{
	if (e == NULL)
		return;
	free_list(e->head, true);
	free_list(e->spare, false);
	free(e->ot_next);
	free(e->gen);
	free(e->opened);
	free(e->buckets);
	free(e);
}

int
knock_one_time_resume(struct knock_engine *e, size_t door, size_t next)
{
	if (door >= e->ndoors || e->doors[door].one_time_path == NULL ||
	    next > e->doors[door].n_one_time)
		return SPA_ERR_ARG;
	e->ot_next[door] = next;
	e->gen[door]++;
	return 0;
}

void
knock_get_stats(const struct knock_engine *e, struct knock_stats *st)
{
	*st = e->st;
}
