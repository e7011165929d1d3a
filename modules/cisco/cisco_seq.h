/*
 * The sequence numbers a Cisco device's entries hold, as the module knows
 * them: each number an open took (with the entry it added, for an
 * extension to add it again), each one a journaled cycle holds after a
 * restart (entry unknown), and each one found holding someone else's
 * entry.  Pure bookkeeping, no I/O: cisco.c owns one set per device.
 */
#ifndef SPA_CISCO_SEQ_H
#define SPA_CISCO_SEQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cisco_held {
	uint32_t	 seq;
	char		*ace;		/* NULL: not known (restarted since) */
};

struct cisco_seqs {
	struct cisco_held	*v;
	size_t			 n, cap;
};

struct cisco_held *cisco_seq_find(const struct cisco_seqs *s, uint32_t seq);
bool	cisco_seq_held(const struct cisco_seqs *s, uint32_t seq);
/* Mark `seq` in use (again: a no-op).  0 or SPA_ERR_NOMEM. */
int	cisco_seq_hold(struct cisco_seqs *s, uint32_t seq);
/* Free `seq` and forget its entry; a number not held: a no-op. */
void	cisco_seq_release(struct cisco_seqs *s, uint32_t seq);
/* The entry an open added at `seq`, if none is known yet. */
void	cisco_seq_remember(struct cisco_seqs *s, uint32_t seq,
	    const char *ace);
/* The lowest free number of first..last, now held; 0 if none is free. */
uint32_t cisco_seq_alloc(struct cisco_seqs *s, uint32_t first,
	    uint32_t last);
void	cisco_seqs_free(struct cisco_seqs *s);

#endif /* SPA_CISCO_SEQ_H */
