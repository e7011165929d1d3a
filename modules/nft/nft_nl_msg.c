/*
 * The native path's batches (see nft_nl.h): the pending units' elements
 * as messages, a run of one set's in one, and the kernel's errors read
 * back to the units they fail.
 */
#include "config.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "nft_nl_int.h"

/* Room for `need` bytes in *buf (kept from one batch to the next). */
static int
reserve(uint8_t **buf, size_t *cap, size_t need)
{
	uint8_t *v;
	size_t n = *cap == 0 ? 65536 : *cap;

	while (n < need)
		n *= 2;
	if (n == *cap)
		return 0;
	if ((v = realloc(*buf, n)) == NULL)
		return -1;
	/* libmnl 1.0.4 leaves attributes' padding as it finds it */
	memset(v + *cap, 0, n - *cap);
	*buf = v;
	*cap = n;
	return 0;
}

/* The batch's frame: begin (bound to the cached generation) or end. */
static size_t
put_frame(void *buf, uint16_t type, uint32_t seq, uint32_t gen)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = AF_UNSPEC;
	g->version = NFNETLINK_V0;
	g->res_id = htons(NFNL_SUBSYS_NFTABLES);
	if (type == NFNL_MSG_BATCH_BEGIN)
		mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(gen));
	return nlh->nlmsg_len;
}

/* The batch being built: where its open element message is. */
struct build {
	size_t			 off;		/* the batch's length */
	size_t			 msg, list;	/* the open message, its list */
	const struct nl_elem	*head;		/* its first element; NULL */
	uint16_t		 n;		/* its elements */
	uint32_t		 begin, rel;	/* numbers: the batch's, its */
};

static void
close_msg(struct nft_nl *nl, struct build *b)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(nl->out + b->msg);

	if (b->head == NULL)
		return;
	mnl_attr_nest_end(nlh, (struct nlattr *)(nl->out + b->list));
	b->off += nlh->nlmsg_len;
	b->head = NULL;
}

/* Whether `el` may go in the open message (its set, command, flags). */
static bool
joins(const struct build *b, const struct nl_elem *el)
{
	const struct nl_elem *h = b->head;

	return h != NULL && !h->alone && !el->alone && b->n < MSG_ELEMS_MAX &&
	    h->set == el->set && h->type == el->type && h->flags == el->flags;
}

/* A new element message for `el`'s set, its list opened. */
static void
open_msg(struct nft_nl *nl, struct build *b, const struct nl_elem *el)
{
	const struct nl_set *e = &nl->sets[el->set];
	struct nlmsghdr *nlh;

	close_msg(nl, b);
	nlh = nft_nl_put_header(nl->out + b->off, el->type, e->family,
	    el->flags, b->begin + ++b->rel);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, e->table);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, e->set);
	b->msg = b->off;
	b->list = (size_t)((uint8_t *)mnl_attr_nest_start(nlh,
	    NFTA_SET_ELEM_LIST_ELEMENTS) - nl->out);
	b->head = el;
	b->n = 0;
}

/* `el` into the batch: in the open message if it joins, else a new one. */
static int
put_elem(struct nft_nl *nl, struct build *b, struct nl_elem *el)
{
	struct nlattr *one, *k;
	struct nlmsghdr *nlh;

	/* the open message, a new one, and the end frame: each MSG_MAX */
	if (reserve(&nl->out, &nl->outcap, b->off +
	    (b->head != NULL ? ((struct nlmsghdr *)(nl->out +
	    b->msg))->nlmsg_len : 0) + 3 * MSG_MAX) != 0)
		return -1;
	if (!joins(b, el))
		open_msg(nl, b, el);
	nlh = (struct nlmsghdr *)(nl->out + b->msg);
	one = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	k = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);
	mnl_attr_put(nlh, NFTA_DATA_VALUE, el->key_len, el->key);
	mnl_attr_nest_end(nlh, k);
	if (el->has_timeout)
		mnl_attr_put_u64(nlh, NFTA_SET_ELEM_TIMEOUT,
		    htobe64(el->timeout_ms));
	mnl_attr_nest_end(nlh, one);
	el->rel = b->rel;
	b->n++;
	return 0;
}

/* The pending units' elements as one batch: see nft_nl_int.h. */
size_t
nft_nl_build_batch(struct nft_nl *nl, uint32_t begin, uint32_t *last)
{
	struct build b = { .begin = begin };
	size_t i, j;

	if (reserve(&nl->out, &nl->outcap, 3 * MSG_MAX) != 0)
		return 0;
	b.off = put_frame(nl->out, NFNL_MSG_BATCH_BEGIN, begin, nl->gen);
	for (i = 0; i < nl->np; i++) {
		nl->p[i].err = 0;
		for (j = 0; j < nl->p[i].nel; j++)
			if (put_elem(nl, &b, &nl->el[nl->p[i].first + j]) != 0)
				return 0;
	}
	close_msg(nl, &b);
	*last = ++b.rel;
	return b.off + put_frame(nl->out + b.off, NFNL_MSG_BATCH_END,
	    begin + b.rel, 0);
}

static uint32_t
first_rel(const struct nft_nl *nl, const struct nl_pend *p)
{
	return nl->el[p->first].rel;
}

static uint32_t
last_rel(const struct nft_nl *nl, const struct nl_pend *p)
{
	return nl->el[p->first + p->nel - 1].rel;
}

/* The first pending unit with an element in message `rel`, or np. */
static size_t
first_owner(const struct nft_nl *nl, uint32_t rel)
{
	size_t lo = 0, hi = nl->np, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (last_rel(nl, &nl->p[mid]) < rel)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nl->np && first_rel(nl, &nl->p[lo]) <= rel ? lo : nl->np;
}

/*
 * An error of message `rel`: its unit's if the message holds one element.
 * nf_tables stops at a message's first failing element, and does not say
 * which it was unless asked for extended acks, so a message of several
 * elements is split instead: each goes alone in the next round.  False:
 * no unit's message (a frame's: the batch's own error).
 */
static bool
blame(struct nft_nl *nl, uint32_t rel, int err)
{
	struct nl_pend *owner = NULL;
	size_t i, j, n = 0;

	if ((i = first_owner(nl, rel)) == nl->np)
		return false;
	for (; i < nl->np && first_rel(nl, &nl->p[i]) <= rel; i++)
		for (j = 0; j < nl->p[i].nel; j++)
			if (nl->el[nl->p[i].first + j].rel == rel) {
				nl->el[nl->p[i].first + j].alone = true;
				owner = &nl->p[i];
				n++;
			}
	if (n == 1 && owner->err == 0)
		owner->err = err;
	return n > 0;
}

/* The batch's errors, to their units: see nft_nl_int.h. */
size_t
nft_nl_read_errors(struct nft_nl *nl, uint32_t begin, uint32_t last,
    int *batch_err)
{
	const struct nlmsghdr *nlh;
	const struct nlmsgerr *e;
	size_t nerr = 0;
	uint32_t rel;
	ssize_t r;
	int len;

	while ((r = nl->io.recv(nl->io.arg, nl->rbuf, RBUF_LEN)) > 0) {
		len = (int)r;
		for (nlh = (void *)nl->rbuf; mnl_nlmsg_ok(nlh, len);
		    nlh = mnl_nlmsg_next(nlh, &len)) {
			e = mnl_nlmsg_get_payload(nlh);
			rel = nlh->nlmsg_seq - begin;
			if (nlh->nlmsg_type != NLMSG_ERROR || e->error == 0 ||
			    rel > last)
				continue;	/* an older batch's */
			if (blame(nl, rel, -e->error))
				nerr++;
			else if (*batch_err == 0)
				*batch_err = -e->error;
		}
	}
	if (r < 0 && *batch_err == 0)
		*batch_err = errno != 0 ? errno : EIO;	/* ENOBUFS: lost */
	return nerr;
}
