/*
 * The nft module's transactions, apart from libnftables so that a unit
 * test can play the kernel.  The element commands of one pass of the
 * event loop go as one transaction (one command per line); nft applies a
 * transaction whole or not at all, so one that fails is split in halves
 * and each half sent again, until every command that fails has failed
 * alone, with its own reason, and all the others are applied.
 */
#ifndef SPA_NFT_BATCH_H
#define SPA_NFT_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NFT_ERR_MAX	256

enum nft_outcome {
	NFT_PENDING,
	NFT_DONE,
	NFT_ABSENT,	/* a delete whose element was not there */
	NFT_EXISTS,	/* a create whose element was there: refresh it */
	NFT_FAILED,
};

/*
 * One request: its lines (one, or add/delete/add to refresh a timeout),
 * and for a create, the lines that refresh the element if it was there
 * (see nft_line.h, nft_elem_create).  The strings are the caller's:
 * nothing here frees them.
 */
struct nft_unit {
	uint64_t	 job;
	bool		 is_delete;
	char		*text;		/* lines without a last '\n' */
	char		*refresh;	/* or NULL */
	enum nft_outcome outcome;
	char		 err[NFT_ERR_MAX];	/* why it failed (NFT_FAILED) */
};

/*
 * Send `buf` (commands, one a line) as one transaction: 0 if applied,
 * else nonzero with the first line of the reason in `err`.
 */
typedef int (*nft_send_fn)(void *arg, const char *buf, char *err,
    size_t errlen);

/* Whether a lone delete's reason says its object was not there. */
typedef bool (*nft_absent_fn)(const char *err);

/*
 * Settle every unit; returns how many transactions were sent.  A unit
 * whose create found its element there is sent again as its refresh
 * (the refreshes of one run together, as one transaction).
 */
size_t	nft_batch_run(struct nft_unit *u, size_t n, nft_send_fn send,
	    void *arg);
/*
 * The units whose create found the element there, their refresh made
 * their text (the create's text left to its owner) and pending again,
 * moved to the front of `u` (the order of units is the caller's business
 * only through their jobs): how many.
 */
size_t	nft_batch_take_refresh(struct nft_unit *u, size_t n);
/* The units still pending moved to the front: how many. */
size_t	nft_batch_take_pending(struct nft_unit *u, size_t n);
/* The same for another program's transactions (iptables-restore). */
size_t	nft_batch_run_with(struct nft_unit *u, size_t n, nft_send_fn send,
	    nft_absent_fn absent, void *arg);

/*
 * The first meaningful line of libnftables' error text ("Error: ..."
 * without its location), or "" if there is none.
 */
void	nft_batch_first_error(const char *text, char *out, size_t len);

/* Whether a delete's reason says its element was not in the set. */
bool	nft_batch_is_absent(const char *err);
/* Whether a create's reason says its element was there already. */
bool	nft_batch_is_exists(const char *err);

#endif /* SPA_NFT_BATCH_H */
