/*
 * A fake nf_tables behind nft_nl.c's pluggable io, for the unit tests:
 * it answers NFT_MSG_GETGEN and NFT_MSG_GETSET, and applies a batch of
 * NFT_MSG_NEWSETELEM / NFT_MSG_DELSETELEM (each a list of elements,
 * applied in order up to the first that fails) as a transaction: the batch's
 * NFNL_BATCH_GENID checked (ERESTART), one error per failing message
 * with its sequence number, nothing applied unless every message is,
 * the generation moved by one on a commit.  Elements are kept as the
 * bytes of their key, so a test reads exactly what was encoded.
 */
#ifndef SPA_FAKE_NFNL_H
#define SPA_FAKE_NFNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nft_nl.h"

#define FK_SETS		4
#define FK_ELEMS	64
#define FK_OUT		65536

struct fk_elem {
	uint8_t		 key[64];
	uint32_t	 len;
	uint64_t	 timeout_ms;	/* as sent, 0: none */
};

struct fk_set {
	uint8_t		 family;
	char		 table[32], name[32];
	uint32_t	 key_type, key_len, flags;
	struct fk_elem	 el[FK_ELEMS];
	size_t		 nel;
};

struct fake_nfnl {
	uint32_t	 gen;
	struct fk_set	 sets[FK_SETS];
	size_t		 nsets;
	uint8_t		 out[FK_OUT];
	size_t		 outlen;
	/* an element whose key starts with this byte fails (EINVAL) */
	int		 poison;
	/* every batch refused with this errno (0: none); mute: no answer */
	int		 refuse;
	bool		 mute;
	/* called as a batch arrives, before its generation is checked */
	void		(*on_batch)(struct fake_nfnl *k);
	size_t		 batches, commits, restarts, getsets, unchecked;
	size_t		 messages;	/* element messages of known sets */
};

/* k's io (k zeroed by the caller, gen set to a start). */
struct nft_nl_io fake_nfnl_io(struct fake_nfnl *k);
/* A set made (or made again, empty, with another type): the gen moves. */
struct fk_set	*fake_nfnl_set(struct fake_nfnl *k, uint8_t family,
		    const char *table, const char *name, uint32_t key_type,
		    uint32_t key_len, uint32_t flags);

#endif
