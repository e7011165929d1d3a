/*
 * The max_packet_age values in force since the start, so that a packet is
 * judged by the smallest one in force at any time since its own
 * timestamp.  After a reload raises the age, a packet stamped before the
 * raise is still judged by the smaller age: its digest may have been kept
 * only that long (a fleet's Redis key lives 2 x the age of the gateway
 * that wrote it), and a replay must not outlive its digest.
 */
#ifndef SPA_AGE_LOG_H
#define SPA_AGE_LOG_H

#include <stddef.h>
#include <stdint.h>

#define AGE_LOG_MAX	16

struct age_log {
	size_t		n;
	struct {
		int64_t		since;	/* wall clock, seconds */
		uint32_t	age;	/* 0: no age check */
	} v[AGE_LOG_MAX];
};

/* The age in force from `now` on (a repeat of the last one is nothing). */
void	age_log_set(struct age_log *l, uint32_t age, int64_t now_s);
/* The age to judge a packet stamped `packet_time` by; 0: no age check. */
uint32_t age_log_for(const struct age_log *l, int64_t packet_time);

#endif /* SPA_AGE_LOG_H */
