/*
 * The two clocks.  The monotonic one in milliseconds times every
 * deadline, timeout and backoff in both processes, never moved by a
 * change of the wall clock; the wall clock in seconds is what packets,
 * stanza expiries and the journal's close times are written in.
 *
 * The event loop reads both once per pass (struct now) and hands them
 * down: a variable named `now` is always a struct now; a function that
 * needs one unit takes `now_s` (wall seconds) or `now_ms` (monotonic
 * milliseconds).
 */
#ifndef SPA_CLOCK_H
#define SPA_CLOCK_H

#include <stdint.h>
#include <time.h>

struct now {
	int64_t	wall_s;		/* epoch seconds */
	int64_t	mono_ms;	/* CLOCK_MONOTONIC, milliseconds */
};

static inline int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline struct now
clock_now(void)
{
	struct now n;

	n.wall_s = (int64_t)time(NULL);
	n.mono_ms = mono_ms();
	return n;
}

#endif /* SPA_CLOCK_H */
