/*
 * What nft_nl.c (the session: socket, cache of set types, rounds) and
 * nft_nl_msg.c (a round's batch and its errors) share.
 */
#ifndef SPA_NFT_NL_INT_H
#define SPA_NFT_NL_INT_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nft_batch.h"
#include "nft_enc.h"
#include "nft_nl.h"

#define MSG_MAX		1024	/* one element message, names included */
#define MSG_ELEMS_MAX	256	/* a message's list (its length: 16 bits) */
#define RBUF_LEN	65536

/* A set's type as read at the cached generation; native false: text. */
struct nl_set {
	uint8_t			 family;
	char			*table, *set;
	bool			 native;
	struct nft_enc_type	 t;
};

/* One line of a unit, encoded: an element of a set, to add or delete. */
struct nl_elem {
	size_t		 set;		/* its set, in nl->sets */
	uint16_t	 type;		/* NFT_MSG_NEWSETELEM, _DELSETELEM */
	uint16_t	 flags;		/* NLM_F_CREATE, NLM_F_EXCL */
	bool		 alone;		/* in a message of its own */
	bool		 has_timeout;
	uint64_t	 timeout_ms;
	uint32_t	 key_len;
	uint8_t		 key[NFT_ENC_KEY_MAX];
	uint32_t	 rel;		/* its message's, from the batch's */
};

/* A unit the native path took: its elements in nl->el. */
struct nl_pend {
	struct nft_unit	*u;
	size_t		 first;
	uint16_t	 nel;
	int		 err;		/* the first error of this round */
};

struct nft_nl {
	struct nft_nl_io	 io;
	struct mnl_socket	*sock;		/* io's, when it is ours */
	uint32_t		 gen;		/* the cache's; 0: none */
	uint32_t		 drops;		/* of a cache that had sets */
	uint32_t		 seq;
	struct nl_set		*sets;
	size_t			 nsets, capsets;
	struct nl_elem		*el;
	size_t			 nel, capel;
	uint8_t			*out, *rbuf;
	size_t			 outcap;
	struct nl_pend		*p;
	size_t			 np, capp;
};

/* A request's header: nf_tables' message `type` in `family`. */
struct nlmsghdr	*nft_nl_put_header(void *buf, uint16_t type,
		    uint8_t family, uint16_t flags, uint32_t seq);
/*
 * The pending units' elements, a message for each run of elements of the
 * same set and command (at most MSG_ELEMS_MAX), numbered from `begin`:
 * the batch's length (0: no memory), and in *last its end's number.
 */
size_t		 nft_nl_build_batch(struct nft_nl *nl, uint32_t begin,
		    uint32_t *last);
/*
 * Every reply the batch left (all there when sendmsg returns): how many
 * of its element messages failed; *batch_err: an error of the batch
 * itself.
 */
size_t		 nft_nl_read_errors(struct nft_nl *nl, uint32_t begin,
		    uint32_t last, int *batch_err);

#endif
