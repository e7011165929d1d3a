/*
 * The monotonic clock in milliseconds: every deadline, timeout and
 * backoff in both processes, never moved by a change of the wall clock.
 */
#ifndef SPA_CLOCK_H
#define SPA_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif /* SPA_CLOCK_H */
