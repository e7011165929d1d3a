/* The native path for element commands: see nft_nl.h. */
#include "config.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/gen.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "array.h"
#include "nft_enc.h"
#include "nft_nl.h"
#include "nft_nl_int.h"

#define RCVBUF_LEN	(8 << 20)	/* the errors of a large failed batch */
#define SNDBUF_MIN	(128 << 10)
#define RESTARTS_MAX	3
#define READS_MAX	3		/* GETGEN around the type reads */

static int
sock_send(void *arg, const void *buf, size_t len)
{
	int fd = mnl_socket_get_fd(arg), want;
	ssize_t r;

	/* a batch larger than the default send buffer (EMSGSIZE) */
	if (len > SNDBUF_MIN && len < INT32_MAX / 2) {
		want = (int)len * 2;
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &want,
		    sizeof(want)) != 0)
			(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want,
			    sizeof(want));
	}
	r = mnl_socket_sendto(arg, buf, len);

	return r == (ssize_t)len ? 0 : -1;
}

static ssize_t
sock_recv(void *arg, void *buf, size_t len)
{
	ssize_t r = recv(mnl_socket_get_fd(arg), buf, len, MSG_DONTWAIT);

	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	return r;
}

static struct mnl_socket *
sock_open(void)
{
	struct mnl_socket *s = mnl_socket_open(NETLINK_NETFILTER);
	int one = 1, rcv = RCVBUF_LEN;

	if (s == NULL)
		return NULL;
	if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) != 0) {
		mnl_socket_close(s);
		return NULL;
	}
	/* best effort: errors only lose detail, and the text path follows */
	(void)mnl_socket_setsockopt(s, NETLINK_CAP_ACK, &one, sizeof(one));
	if (setsockopt(mnl_socket_get_fd(s), SOL_SOCKET, SO_RCVBUFFORCE, &rcv,
	    sizeof(rcv)) != 0)
		(void)setsockopt(mnl_socket_get_fd(s), SOL_SOCKET, SO_RCVBUF,
		    &rcv, sizeof(rcv));
	return s;
}

struct nft_nl *
nft_nl_new(const struct nft_nl_io *io)
{
	struct nft_nl *nl;

	if ((nl = calloc(1, sizeof(*nl))) == NULL ||
	    (nl->rbuf = malloc(RBUF_LEN)) == NULL)
		goto fail;
	if (io != NULL)
		nl->io = *io;
	else if ((nl->sock = sock_open()) == NULL)
		goto fail;
	else
		nl->io = (struct nft_nl_io){ sock_send, sock_recv, nl->sock };
	nl->seq = 1;
	return nl;
fail:
	nft_nl_free(nl);
	return NULL;
}

static void
drop_cache(struct nft_nl *nl)
{
	size_t i;

	if (nl->nsets > 0)
		nl->drops++;	/* what was encoded with it is stale */
	for (i = 0; i < nl->nsets; i++) {
		free(nl->sets[i].table);
		free(nl->sets[i].set);
	}
	nl->nsets = 0;
	nl->gen = 0;
}

void
nft_nl_free(struct nft_nl *nl)
{
	if (nl == NULL)
		return;
	drop_cache(nl);
	free(nl->sets);
	free(nl->el);
	free(nl->out);
	free(nl->rbuf);
	free(nl->p);
	if (nl->sock != NULL)
		mnl_socket_close(nl->sock);
	free(nl);
}

uint32_t
nft_nl_gen(const struct nft_nl *nl)
{
	return nl->gen;
}

/* A request's header: nf_tables' message `type` in `family`. */
struct nlmsghdr *
nft_nl_put_header(void *buf, uint16_t type, uint8_t family, uint16_t flags,
    uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g;

	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
	g->res_id = 0;
	return nlh;
}

typedef void (*reply_fn)(const struct nlmsghdr *nlh, void *data);

/*
 * One request with NLM_F_ACK: each reply for it to `cb`, until its ack.
 * 0, or the kernel's errno as a negative number.
 */
static int
talk(struct nft_nl *nl, struct nlmsghdr *req, reply_fn cb, void *data)
{
	const struct nlmsghdr *nlh;
	ssize_t r;
	int len;

	if (nl->io.send(nl->io.arg, req, req->nlmsg_len) != 0)
		return -errno;
	for (;;) {
		if ((r = nl->io.recv(nl->io.arg, nl->rbuf, RBUF_LEN)) <= 0)
			return r == 0 ? -EIO : -errno;	/* no answer: none */
		len = (int)r;
		for (nlh = (void *)nl->rbuf; mnl_nlmsg_ok(nlh, len);
		    nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != req->nlmsg_seq)
				continue;	/* an old batch's error */
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return ((const struct nlmsgerr *)
				    mnl_nlmsg_get_payload(nlh))->error;
			cb(nlh, data);
		}
	}
}

static void
gen_reply(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_gen *g = nftnl_gen_alloc();

	if (g != NULL && nftnl_gen_nlmsg_parse(nlh, g) == 0)
		*(uint32_t *)data = nftnl_gen_get_u32(g, NFTNL_GEN_ID);
	nftnl_gen_free(g);
}

/* nf_tables' ruleset generation: 0 if it cannot be read. */
static uint32_t
read_gen(struct nft_nl *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t gen = 0;

	memset(buf, 0, sizeof(buf));	/* libmnl 1.0.4 leaves padding */
	nft_nl_put_header(buf, NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK, nl->seq++);
	if (talk(nl, (void *)buf, gen_reply, &gen) != 0)
		return 0;
	return gen;
}

struct set_reply {
	uint32_t	 key_type, key_len, flags;
	bool		 seen;
};

static void
set_reply(const struct nlmsghdr *nlh, void *data)
{
	struct set_reply *sr = data;
	struct nftnl_set *s = nftnl_set_alloc();

	if (s != NULL && nftnl_set_nlmsg_parse(nlh, s) == 0 &&
	    nftnl_set_is_set(s, NFTNL_SET_KEY_TYPE) &&
	    nftnl_set_is_set(s, NFTNL_SET_KEY_LEN)) {
		sr->key_type = nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE);
		sr->key_len = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
		sr->flags = nftnl_set_is_set(s, NFTNL_SET_FLAGS) ?
		    nftnl_set_get_u32(s, NFTNL_SET_FLAGS) : 0;
		sr->seen = true;
	}
	nftnl_set_free(s);
}

/* The set's type into `e`: 0, or -1 (no such set, no answer). */
static int
read_set(struct nft_nl *nl, struct nl_set *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct set_reply sr = { 0 };
	struct nlmsghdr *nlh;

	memset(buf, 0, sizeof(buf));	/* libmnl 1.0.4 leaves padding */
	nlh = nft_nl_put_header(buf, NFT_MSG_GETSET, e->family, NLM_F_ACK,
	    nl->seq++);
	mnl_attr_put_strz(nlh, NFTA_SET_TABLE, e->table);
	mnl_attr_put_strz(nlh, NFTA_SET_NAME, e->set);
	if (talk(nl, nlh, set_reply, &sr) != 0 || !sr.seen)
		return -1;
	e->native = nft_enc_type_read(sr.key_type, sr.key_len, sr.flags,
	    &e->t) == 0;
	return 0;
}

static struct nl_set *
find_set(struct nft_nl *nl, const struct nft_enc_cmd *c)
{
	size_t i;

	for (i = 0; i < nl->nsets; i++)
		if (nl->sets[i].family == c->family &&
		    strcmp(nl->sets[i].set, c->set) == 0 &&
		    strcmp(nl->sets[i].table, c->table) == 0)
			return &nl->sets[i];
	return NULL;
}

/* A new cache entry for c's set, its type not read yet; NULL: no memory. */
static struct nl_set *
add_set(struct nft_nl *nl, const struct nft_enc_cmd *c)
{
	struct nl_set *v;

	if ((v = array_room(nl->sets, &nl->capsets, nl->nsets, sizeof(*v),
	    4)) == NULL)
		return NULL;
	nl->sets = v;
	v = &nl->sets[nl->nsets];
	memset(v, 0, sizeof(*v));
	v->family = c->family;
	if ((v->table = strdup(c->table)) == NULL ||
	    (v->set = strdup(c->set)) == NULL) {
		free(v->table);
		return NULL;
	}
	nl->nsets++;
	return v;
}

/*
 * c's set type, read if it is not cached, bound to the generation read
 * before and after: NULL when it cannot be (text path).
 */
static const struct nl_set *
lookup(struct nft_nl *nl, const struct nft_enc_cmd *c)
{
	struct nl_set *e;
	uint32_t before;
	int i;

	if ((e = find_set(nl, c)) != NULL)
		return e;
	for (i = 0; i < READS_MAX; i++) {
		if ((before = read_gen(nl)) == 0)
			return NULL;
		if (before != nl->gen)
			drop_cache(nl);
		nl->gen = before;
		if ((e = add_set(nl, c)) == NULL)
			return NULL;
		if (read_set(nl, e) != 0) {
			nl->nsets--;	/* not cached: made meanwhile? */
			free(e->table);
			free(e->set);
			return NULL;
		}
		if (read_gen(nl) == before)
			return e;
		drop_cache(nl);
	}
	return NULL;
}

static struct nl_elem *
elem_room(struct nft_nl *nl)
{
	struct nl_elem *v;

	if ((v = array_room(nl->el, &nl->capel, nl->nel, sizeof(*v), 64)) ==
	    NULL)
		return NULL;
	nl->el = v;
	return &nl->el[nl->nel];
}

/* One line of a unit as an element, appended to nl->el: 0 or -1. */
static int
encode_line(struct nft_nl *nl, const char *line, size_t len)
{
	const struct nl_set *e;
	struct nft_enc_cmd c;
	struct nl_elem *el;

	if (nft_enc_read(line, len, &c) != 0 ||
	    (e = lookup(nl, &c)) == NULL || !e->native ||
	    (el = elem_room(nl)) == NULL ||
	    nft_enc_key(&e->t, &c, el->key) != 0)
		return -1;
	el->set = (size_t)(e - nl->sets);
	el->key_len = e->t.key_len;
	el->type = c.cmd == NFT_LINE_DELETE ? NFT_MSG_DELSETELEM :
	    NFT_MSG_NEWSETELEM;
	el->flags = c.cmd == NFT_LINE_DELETE ? 0 : NLM_F_CREATE |
	    (c.cmd == NFT_LINE_CREATE ? NLM_F_EXCL : 0);
	el->has_timeout = c.has_timeout;
	el->timeout_ms = c.timeout_ms;
	el->alone = false;
	nl->nel++;
	return 0;
}

/* A unit's lines as elements: 0, or -1 (nl->el as it was). */
static int
encode_unit(struct nft_nl *nl, struct nl_pend *p)
{
	const char *s = p->u->text, *eol;

	p->first = nl->nel;
	for (; ; s = eol + 1) {
		eol = s + strcspn(s, "\n");
		if (encode_line(nl, s, (size_t)(eol - s)) != 0) {
			nl->nel = p->first;
			return -1;
		}
		if (*eol == '\0')
			break;
	}
	p->nel = nl->nel - p->first;
	return 0;
}

/*
 * The units still pending, encoded afresh: how many.  A set read
 * meanwhile in a new generation drops the cache the units before it were
 * encoded with: they are encoded again.
 */
static size_t
encode_all(struct nft_nl *nl, struct nft_unit *u, size_t n)
{
	struct nl_pend *v;
	uint32_t drops;
	size_t i;
	int tries = 0;

	if (n > nl->capp) {
		if ((v = reallocarray(nl->p, n, sizeof(*v))) == NULL)
			return 0;
		nl->p = v;
		nl->capp = n;
	}
	do {
		drops = nl->drops;
		nl->nel = nl->np = 0;
		for (i = 0; i < n; i++) {
			if (u[i].outcome != NFT_PENDING)
				continue;
			nl->p[nl->np].u = &u[i];
			if (encode_unit(nl, &nl->p[nl->np]) == 0)
				nl->np++;
		}
	} while (drops != nl->drops && ++tries < RESTARTS_MAX);
	if (drops != nl->drops)
		nl->np = 0;
	return nl->np;
}

/* A unit's outcome from its error (the kernel's errno). */
static void
settle(struct nft_unit *u, int err)
{
	if (u->is_delete && err == ENOENT)
		u->outcome = NFT_ABSENT;
	else if (u->refresh != NULL && err == EEXIST)
		u->outcome = NFT_EXISTS;
	else {
		u->outcome = NFT_FAILED;
		/* libnftables' words for the kernel's refusal */
		snprintf(u->err, sizeof(u->err), "Could not process rule: %s",
		    strerror(err));
	}
}

/* The units that failed settled, the others kept pending, in order. */
static void
settle_failed(struct nft_nl *nl)
{
	size_t i, k = 0;

	for (i = 0; i < nl->np; i++) {
		if (nl->p[i].err != 0)
			settle(nl->p[i].u, nl->p[i].err);
		else
			nl->p[k++] = nl->p[i];
	}
	nl->np = k;
}

static void
committed(struct nft_nl *nl)
{
	size_t i;

	for (i = 0; i < nl->np; i++)
		nl->p[i].u->outcome = NFT_DONE;
	nl->np = 0;
	/* our commit, checked against gen, made it gen + 1 (never 0) */
	if (++nl->gen == 0)
		nl->gen = 1;
}

/*
 * One batch of the pending units: 0 if nf_tables applied it, 1 if
 * messages failed (their units settled, or split for the next round; the
 * batch applied none), or -1 with *batch_err when the batch itself was
 * refused (ERESTART: the generation moved).
 */
static int
send_batch(struct nft_nl *nl, int *batch_err)
{
	uint32_t begin = nl->seq, last = 0;
	size_t len;

	*batch_err = 0;
	if (nl->gen == 0) {	/* never a batch nf_tables would not check */
		*batch_err = ERESTART;
		return -1;
	}
	if ((len = nft_nl_build_batch(nl, begin, &last)) == 0) {
		*batch_err = ENOMEM;
		return -1;
	}
	nl->seq = begin + last + 1;
	if (nl->io.send(nl->io.arg, nl->out, len) != 0) {
		*batch_err = errno;
		return -1;
	}
	if (nft_nl_read_errors(nl, begin, last, batch_err) == 0 &&
	    *batch_err == 0) {
		committed(nl);
		return 0;
	}
	if (*batch_err != 0)
		return -1;
	settle_failed(nl);
	return 1;
}

/* Replies nobody waits for (a batch whose errors overflowed). */
static void
drain(struct nft_nl *nl)
{
	while (nl->io.recv(nl->io.arg, nl->rbuf, RBUF_LEN) > 0)
		continue;
}

size_t
nft_nl_run(struct nft_nl *nl, struct nft_unit *u, size_t n)
{
	size_t sent = 0;
	int restarts = 0, r, err;

	drain(nl);
	if (encode_all(nl, u, n) == 0)
		return 0;
	for (;;) {
		r = send_batch(nl, &err);
		sent++;
		if (r == 0 || (r == 1 && nl->np == 0))
			return sent;
		if (r == 1)
			continue;
		/* the ruleset changed since the types were read */
		drop_cache(nl);
		if (err != ERESTART || ++restarts > RESTARTS_MAX ||
		    encode_all(nl, u, n) == 0)
			return sent;
	}
}
