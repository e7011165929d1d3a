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

#define MSG_MAX		1024	/* one element message, names included */
#define RBUF_LEN	65536
#define RCVBUF_LEN	(8 << 20)	/* the errors of a large failed batch */
#define SNDBUF_MIN	(128 << 10)
#define RESTARTS_MAX	3
#define READS_MAX	3		/* GETGEN around the type reads */

/* A set's type as read at the cached generation; native false: text. */
struct nl_set {
	uint8_t			 family;
	char			*table, *set;
	bool			 native;
	struct nft_enc_type	 t;
};

/* A unit the native path took: its messages in the arena. */
struct nl_pend {
	struct nft_unit	*u;
	size_t		 off, len;
	uint16_t	 nmsg;
	uint32_t	 rel;		/* its first seq, from the batch's */
	int		 err;		/* the first error of this round */
};

struct nft_nl {
	struct nft_nl_io	 io;
	struct mnl_socket	*sock;		/* io's, when it is ours */
	uint32_t		 gen;		/* the cache's; 0: none */
	uint32_t		 seq;
	struct nl_set		*sets;
	size_t			 nsets, capsets;
	uint8_t			*arena, *out, *rbuf;
	size_t			 alen, acap, outcap;
	struct nl_pend		*p;
	size_t			 np, capp;
};

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
	free(nl->arena);
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
static struct nlmsghdr *
put_header(void *buf, uint16_t type, uint8_t family, uint16_t flags,
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

	put_header(buf, NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK, nl->seq++);
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

	nlh = put_header(buf, NFT_MSG_GETSET, e->family, NLM_F_ACK, nl->seq++);
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

/* One element message for `c` with its key, at `buf` (MSG_MAX bytes). */
static size_t
put_elem(void *buf, const struct nft_enc_cmd *c, const struct nl_set *e,
    const uint8_t *key)
{
	struct nlattr *list, *elem, *k;
	struct nlmsghdr *nlh;

	if (c->cmd == NFT_LINE_DELETE)
		nlh = put_header(buf, NFT_MSG_DELSETELEM, c->family, 0, 0);
	else
		nlh = put_header(buf, NFT_MSG_NEWSETELEM, c->family,
		    NLM_F_CREATE | (c->cmd == NFT_LINE_CREATE ? NLM_F_EXCL : 0),
		    0);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, c->table);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, c->set);
	list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	k = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);
	mnl_attr_put(nlh, NFTA_DATA_VALUE, e->t.key_len, key);
	mnl_attr_nest_end(nlh, k);
	if (c->has_timeout)
		mnl_attr_put_u64(nlh, NFTA_SET_ELEM_TIMEOUT,
		    htobe64(c->timeout_ms));
	mnl_attr_nest_end(nlh, elem);
	mnl_attr_nest_end(nlh, list);
	return nlh->nlmsg_len;
}

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
	*buf = v;
	*cap = n;
	return 0;
}

/* One line of a unit as its message, appended to the arena: 0 or -1. */
static int
encode_line(struct nft_nl *nl, const char *line, size_t len)
{
	uint8_t key[NFT_ENC_KEY_MAX];
	const struct nl_set *e;
	struct nft_enc_cmd c;

	if (nft_enc_read(line, len, &c) != 0 ||
	    (e = lookup(nl, &c)) == NULL || !e->native ||
	    nft_enc_key(&e->t, &c, key) != 0 ||
	    reserve(&nl->arena, &nl->acap, nl->alen + MSG_MAX) != 0)
		return -1;
	nl->alen += put_elem(nl->arena + nl->alen, &c, e, key);
	return 0;
}

/* A unit's lines as messages: 0, or -1 (the arena as it was). */
static int
encode_unit(struct nft_nl *nl, struct nl_pend *p)
{
	const char *s = p->u->text, *eol;
	size_t start = nl->alen;

	p->off = start;
	p->nmsg = 0;
	for (; ; s = eol + 1) {
		eol = s + strcspn(s, "\n");
		if (encode_line(nl, s, (size_t)(eol - s)) != 0) {
			nl->alen = start;
			return -1;
		}
		p->nmsg++;
		if (*eol == '\0')
			break;
	}
	p->len = nl->alen - start;
	return 0;
}

/* The units still pending, encoded afresh (a new cache): how many. */
static size_t
encode_all(struct nft_nl *nl, struct nft_unit *u, size_t n)
{
	struct nl_pend *v;
	size_t i;

	nl->alen = nl->np = 0;
	if (n > nl->capp) {
		if ((v = reallocarray(nl->p, n, sizeof(*v))) == NULL)
			return 0;
		nl->p = v;
		nl->capp = n;
	}
	for (i = 0; i < n; i++) {
		if (u[i].outcome != NFT_PENDING)
			continue;
		nl->p[nl->np].u = &u[i];
		if (encode_unit(nl, &nl->p[nl->np]) == 0)
			nl->np++;
	}
	return nl->np;
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

/* The pending units' messages, numbered from `begin`: the batch's length. */
static size_t
build_batch(struct nft_nl *nl, uint32_t begin)
{
	struct nlmsghdr *nlh;
	size_t off, end, i;
	uint32_t rel = 1;

	if (reserve(&nl->out, &nl->outcap, nl->alen + 2 * MSG_MAX) != 0)
		return 0;
	off = put_frame(nl->out, NFNL_MSG_BATCH_BEGIN, begin, nl->gen);
	for (i = 0; i < nl->np; i++) {
		memcpy(nl->out + off, nl->arena + nl->p[i].off, nl->p[i].len);
		nl->p[i].rel = rel;
		nl->p[i].err = 0;
		for (end = off + nl->p[i].len; off < end;
		    off += nlh->nlmsg_len) {
			nlh = (struct nlmsghdr *)(nl->out + off);
			nlh->nlmsg_seq = begin + rel++;
		}
	}
	return off + put_frame(nl->out + off, NFNL_MSG_BATCH_END, begin + rel,
	    0);
}

/* The pending unit whose messages hold `rel`; NULL: a frame's. */
static struct nl_pend *
owner(struct nft_nl *nl, uint32_t rel)
{
	size_t lo = 0, hi = nl->np, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (rel < nl->p[mid].rel)
			hi = mid;
		else if (rel >= nl->p[mid].rel + nl->p[mid].nmsg)
			lo = mid + 1;
		else
			return &nl->p[mid];
	}
	return NULL;
}

/*
 * One error reply of the batch numbered from `begin` (`last`: its end's
 * number): to its unit, or the batch's own; an older batch's ignored.
 */
static void
take_error(struct nft_nl *nl, const struct nlmsghdr *nlh, uint32_t begin,
    uint32_t last, int *batch_err, size_t *nerr)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	uint32_t rel = nlh->nlmsg_seq - begin;
	struct nl_pend *p;

	if (nlh->nlmsg_type != NLMSG_ERROR || e->error == 0 || rel > last)
		return;
	if ((p = owner(nl, rel)) == NULL) {
		if (*batch_err == 0)
			*batch_err = -e->error;
		return;
	}
	if (p->err == 0) {
		p->err = -e->error;
		(*nerr)++;
	}
}

/*
 * Every reply the batch left (all there when sendmsg returns): how many
 * units failed; *batch_err: an error of the batch itself.
 */
static size_t
read_errors(struct nft_nl *nl, uint32_t begin, uint32_t last, int *batch_err)
{
	const struct nlmsghdr *nlh;
	size_t nerr = 0;
	ssize_t r;
	int len;

	while ((r = nl->io.recv(nl->io.arg, nl->rbuf, RBUF_LEN)) > 0) {
		len = (int)r;
		for (nlh = (void *)nl->rbuf; mnl_nlmsg_ok(nlh, len);
		    nlh = mnl_nlmsg_next(nlh, &len))
			take_error(nl, nlh, begin, last, batch_err, &nerr);
	}
	if (r < 0 && *batch_err == 0)
		*batch_err = errno != 0 ? errno : EIO;	/* ENOBUFS: lost */
	return nerr;
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
 * One batch of the pending units: 0 if nf_tables applied it, 1 if units
 * failed (settled; the batch applied none), or -1 with *batch_err when
 * the batch itself was refused (ERESTART: the generation moved).
 */
static int
send_batch(struct nft_nl *nl, int *batch_err)
{
	uint32_t begin = nl->seq, last = 1;
	size_t len, i;

	*batch_err = 0;
	if (nl->gen == 0) {	/* never a batch nf_tables would not check */
		*batch_err = ERESTART;
		return -1;
	}
	for (i = 0; i < nl->np; i++)
		last += nl->p[i].nmsg;
	nl->seq = begin + last + 1;
	if ((len = build_batch(nl, begin)) == 0) {
		*batch_err = ENOMEM;
		return -1;
	}
	if (nl->io.send(nl->io.arg, nl->out, len) != 0) {
		*batch_err = errno;
		return -1;
	}
	if (read_errors(nl, begin, last, batch_err) == 0 && *batch_err == 0) {
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
