/*
 * The native path for element commands (nft_queue.c's hot path): a unit
 * whose every line nft_enc.c encodes goes to nf_tables as
 * NFT_MSG_NEWSETELEM / NFT_MSG_DELSETELEM in one netlink batch, without
 * libnftables (which parses each line with nft's grammar and reads the
 * ruleset's cache, seven dumps, per transaction).  The rest go as text.
 *
 * The set types are read from the kernel once (NFT_MSG_GETSET) and
 * cached for one ruleset generation (NFT_MSG_GETGEN before and after the
 * reads), and each batch carries that generation (NFNL_BATCH_GENID): if
 * anyone changed the ruleset since, nf_tables refuses the whole batch
 * with ERESTART, the cache is dropped, the types read again and the
 * batch encoded again.  So bytes encoded for a set's old key type never
 * reach a set made again with another.  A batch we commit moves the
 * generation by one, which the cache follows; an abort does not move it
 * (nf_tables' abort leaves base_seq), and the next pass reads it anyway.
 *
 * The elements of a run of units for the same set and command (and
 * flags) go as one message, as nft itself sends them: nf_tables reads a
 * message's names and finds its set once, which halves its CPU per
 * element (20,000 creates: 1.3 us each one a message, 0.65 us 64 or
 * 1,000 a message).
 *
 * Replies: only errors (no NLM_F_ACK), each with its message's sequence
 * number, read at once (nfnetlink handles a batch inside sendmsg).  An
 * error of a message of one element fails its own unit only (ENOENT on a
 * delete: absent; EEXIST on a create with a refresh: exists).  A message
 * of several elements stops at its first failing one without saying
 * which, so its elements go again one a message.  Either way the batch,
 * which nf_tables applied not at all, is sent again without the units
 * settled: a failure costs one round more than a message each would.
 */
#ifndef SPA_NFT_NL_H
#define SPA_NFT_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nft_batch.h"

/*
 * How bytes reach nf_tables: a socket, or a unit test's fake kernel.
 * send: 0 or -1 (errno).  recv, never blocking: bytes of one read, 0
 * when nothing is left, -1 on error (errno).  nfnetlink answers inside
 * the send, so every reply is there when send returns, and a reply that
 * is not can never hang the executor.
 */
struct nft_nl_io {
	int		(*send)(void *arg, const void *buf, size_t len);
	ssize_t		(*recv)(void *arg, void *buf, size_t len);
	void		*arg;
};

struct nft_nl;

/* A session on `io`, or on a netlink socket if io is NULL; NULL: none. */
struct nft_nl	*nft_nl_new(const struct nft_nl_io *io);
void		 nft_nl_free(struct nft_nl *nl);

/*
 * Settle the units it can encode; the others are left NFT_PENDING for
 * the text path (and every unit, when the native path cannot tell).
 * Returns how many batches were sent.
 */
size_t		 nft_nl_run(struct nft_nl *nl, struct nft_unit *u, size_t n);

/* The generation the cache is bound to (0: none), for the tests. */
uint32_t	 nft_nl_gen(const struct nft_nl *nl);

#endif /* SPA_NFT_NL_H */
