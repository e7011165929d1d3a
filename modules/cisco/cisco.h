/* The Cisco IOS module's counters (cisco.c), for the stats and metrics. */
#ifndef SPA_CISCO_H
#define SPA_CISCO_H

#include <stddef.h>
#include <stdint.h>

struct cisco_stats {
	size_t		devices;	/* known to the module */
	uint64_t	left_alone;	/* removals refused: not spagated's
					   entry (range, text, no digest) */
};

struct action_table;

/* The counters of the Cisco instances of `t`. */
void	cisco_get_stats(const struct action_table *t, struct cisco_stats *st);

#endif /* SPA_CISCO_H */
