/*
 * A libnftables context and the element commands queued in one pass of
 * the event loop, sent as one transaction when the loop next calls the
 * module (nft_batch.c splits one that fails) and reported through
 * action_report().  Shared by the modules that speak to nf_tables: nft
 * (lines as configured) and firewall (spagated's own table).
 */
#ifndef SPA_NFT_QUEUE_H
#define SPA_NFT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "action.h"
#include "nft.h"
#include "nft_batch.h"

struct nft_ctx;
struct nft_nl;
struct nft_texts;
struct nft_nl_io;

/*
 * The element commands nft_enc.c encodes go through nft_nl.c (netlink,
 * no libnftables); the others, and the rest of a unit the native path
 * could not settle, as text through libnftables.
 */
struct nft_queue {
	struct nft_ctx	*ctx;		/* made at first use */
	struct nft_nl	*nl;		/* made at first use */
	bool		 nl_off;	/* no netlink socket: text only */
	const struct nft_nl_io *io;	/* NULL, or a unit test's kernel */
	struct nft_unit	*q;
	size_t		 nq, capq;
	struct nft_texts *texts;	/* q's lines; spare: kept, empty */
	struct nft_texts *spare;
	const char	*who;		/* "nft", "firewall": log lines */
	struct nft_stats st;		/* what it settled */
};

/*
 * Queue a request's commands (one a line, without the last '\n'; they
 * settle together), and for a create, the commands that refresh its
 * element if it is there (else NULL).  SPA_ERR_NOMEM if it cannot be
 * queued.
 */
int	nft_queue_add(struct nft_queue *q, uint64_t job, const char *text,
	    const char *refresh, bool is_delete);
/* Send what is queued, report each request; 0 if nothing was queued. */
size_t	nft_queue_run(struct nft_queue *q, struct action_env *env);
/* Fail every queued request with `why` (the module cannot send them). */
void	nft_queue_fail(struct nft_queue *q, struct action_env *env,
	    const char *why);
/* One transaction now, outside the queue: 0 or -1 with the reason. */
int	nft_queue_send_now(struct nft_queue *q, bool dry, const char *buf,
	    char *err, size_t errlen);
/*
 * A command whose answer is read (`list set ...`): 0 with what nft
 * printed in *out (malloc'd), or -1 with the reason.
 */
int	nft_queue_list(struct nft_queue *q, const char *cmd, char **out,
	    char *err, size_t errlen);
/* Drop what is queued (unreported) and the context. */
void	nft_queue_clear(struct nft_queue *q);

#endif
