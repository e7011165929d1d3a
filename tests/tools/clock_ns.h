/*
 * The monotonic clock in nanoseconds, and sleeping until a point of it,
 * for the standalone test and bench tools (each built from its own file,
 * without the project's library).
 */
#ifndef SPA_TOOLS_CLOCK_NS_H
#define SPA_TOOLS_CLOCK_NS_H

#include <stdint.h>
#include <time.h>

static inline uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Sleep until now_ns() reaches `t` (an absolute time: no drift). */
static inline void
wait_until(uint64_t t)
{
	struct timespec ts;

	while (now_ns() < t) {
		ts.tv_sec = (time_t)(t / 1000000000u);
		ts.tv_nsec = (long)(t % 1000000000u);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
}

#endif /* SPA_TOOLS_CLOCK_NS_H */
