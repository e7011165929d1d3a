/*
 * The knock sequence engine: packets in, doors opened out.  It reads
 * hostile packets (any source can be spoofed), so its memory is bounded
 * and each packet costs O(doors), never O(sources).
 *
 * What counts, as knockd(1) decides it:
 *   - the engine sees only packets whose protocol and port are in some
 *     door's sequence, with that door's tcpflags and target (knockd's
 *     capture filter does the same); the capture passes only packets
 *     addressed to this host (or to a door's target) and fills in the
 *     interface they arrived on;
 *   - a TCP packet whose flags a door's tcpflags refuse is ignored by that
 *     door: it neither advances nor resets its progress;
 *   - knockd's doors share a source's progress: while a source has a
 *     sequence in progress (on a door seeing this packet), a packet
 *     advances each such door it is next for and resets each other one,
 *     and starts nothing; a source with nothing in progress starts every
 *     door whose first knock the packet is;
 *   - a sequence fails once floor(now) - floor(first knock) >= seq_timeout
 *     (whole seconds, as knockd compares packet times);
 *   - a completed sequence opens its door and starts over; with one-time
 *     sequences the sequence is used up and the door expects the next one
 *     (progress other sources made on the used one is dropped); a door
 *     whose last one-time sequence is used opens no more;
 *   - fwknop's shared sequences (knock_door.independent) keep progress per
 *     door: a packet that is not the next knock resets that door alone,
 *     and so does a knock too soon (<= min_gap s) or too late (>= max_gap
 *     s) after the previous one, as fwknopd 1.x did.
 *
 * Per-source state is bounded: at most `max_sources` sources with a
 * sequence in progress (KNOCK_SOURCES_DEFAULT unless configured), fewer
 * when so many entries would take more than KNOCK_MEMORY_MAX (an entry
 * holds a progress record per door: a file of thousands of doors gets
 * fewer sources, knock_stats.max_sources says how many).  A new
 * source beyond that evicts the one idle the longest, and the eviction is
 * counted (knock_stats.evicted): a spoofed-source flood of first knocks
 * costs at most max_sources entries, and may push out a real knocker's
 * progress (who then knocks again), never memory.  Sources are found by a
 * keyed hash (SipHash, random key), so chosen addresses cannot collide.
 */
#ifndef SPA_KNOCK_ENGINE_H
#define SPA_KNOCK_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "knock.h"

#define KNOCK_SOURCES_DEFAULT	16384
#define KNOCK_SOURCES_MAX	(1u << 20)
#define KNOCK_MEMORY_MAX	(32u << 20)	/* bytes of source entries */

/* One packet, as the capture read it. */
struct knock_pkt {
	struct spa_addr	 src;
	struct spa_addr	 dst;
	uint8_t		 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t	 dport;
	uint8_t		 tcp_flags;	/* th_flags; ignored for UDP */
	unsigned int	 ifindex;	/* where it arrived, 0: unknown */
	int64_t		 mono_ms;	/* monotonic clock, never decreasing */
};

/* A door a packet opened. */
struct knock_open {
	size_t		 door;		/* index in the doors of knock_new() */
	struct spa_addr	 src;
	bool		 one_time;
	size_t		 used;		/* one-time: the sequence's index */
	bool		 exhausted;	/* one-time: that was the last one */
};

struct knock_stats {
	uint64_t	 packets;	/* fed */
	uint64_t	 ignored;	/* no door uses that port, flags, target */
	uint64_t	 started;
	uint64_t	 reset;		/* wrong knock or gap */
	uint64_t	 timed_out;
	uint64_t	 opened;
	uint64_t	 evicted;	/* progress lost to the cap */
	uint64_t	 nomem;		/* a start lost to a failed allocation */
	size_t		 sources;	/* with progress now */
	size_t		 max_sources;
};

struct knock_engine;

/*
 * An engine for `doors` (kept by reference: they must outlive it),
 * tracking at most `max_sources` sources (0: KNOCK_SOURCES_DEFAULT).
 * 0, SPA_ERR_ARG (no door, a door without a sequence, a cap above
 * KNOCK_SOURCES_MAX), SPA_ERR_NOMEM or SPA_ERR_CRYPTO (no random key).
 */
int	knock_new(const struct knock_door *doors, size_t ndoors,
	    size_t max_sources, struct knock_engine **out);
void	knock_free(struct knock_engine *e);

/*
 * Feed one packet.  Returns how many doors it opened, listed in *opened
 * (valid until the next call).  For a one-time door the caller must make
 * the use durable before it acts (the executor owns the state).
 */
size_t	knock_feed(struct knock_engine *e, const struct knock_pkt *p,
	    const struct knock_open **opened);

/*
 * One-time door `door` resumes at its sequence `next` (the ones before it
 * are used: what the executor recorded).  SPA_ERR_ARG if it is not a
 * one-time door or `next` is beyond its last sequence (== n: exhausted).
 */
int	knock_one_time_resume(struct knock_engine *e, size_t door, size_t next);

void	knock_get_stats(const struct knock_engine *e, struct knock_stats *st);

#endif /* SPA_KNOCK_ENGINE_H */
