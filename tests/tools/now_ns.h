/*
 * The monotonic clock in nanoseconds, for the standalone test and bench
 * tools (each built from its own file, without the project's library).
 */
#ifndef SPA_TOOLS_NOW_NS_H
#define SPA_TOOLS_NOW_NS_H

#include <stdint.h>
#include <time.h>

static inline uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif /* SPA_TOOLS_NOW_NS_H */
