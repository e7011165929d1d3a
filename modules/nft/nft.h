/* The nft module's counters (nft.c), for the stats and metrics. */
#ifndef SPA_NFT_H
#define SPA_NFT_H

#include <stdint.h>

struct nft_stats {
	uint64_t	commands;	/* element commands settled */
	uint64_t	transactions;	/* sent to the kernel, splits included */
	uint64_t	failed;		/* commands the kernel refused */
};

struct action_table;

/* The counters of the nft instances of `t`. */
void	nft_get_stats(const struct action_table *t, struct nft_stats *st);

#endif /* SPA_NFT_H */
