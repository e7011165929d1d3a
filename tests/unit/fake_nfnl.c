/* A fake nf_tables for nft_nl.c: see fake_nfnl.h. */
#include "config.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <string.h>

#include "fake_nfnl.h"

static void
reply_error(struct fake_nfnl *k, const struct nlmsghdr *req, int err)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(k->out + k->outlen);
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = req->nlmsg_seq;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -err;
	e->msg = *req;
	k->outlen += nlh->nlmsg_len;
}

struct fk_set *
fake_nfnl_set(struct fake_nfnl *k, uint8_t family, const char *table,
    const char *name, uint32_t key_type, uint32_t key_len, uint32_t flags)
{
	struct fk_set *s;
	size_t i;

	for (i = 0; i < k->nsets; i++)
		if (strcmp(k->sets[i].name, name) == 0 &&
		    strcmp(k->sets[i].table, table) == 0)
			break;
	if (i == k->nsets)
		k->nsets++;
	s = &k->sets[i];
	memset(s, 0, sizeof(*s));
	s->family = family;
	snprintf(s->table, sizeof(s->table), "%s", table);
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->key_type = key_type;
	s->key_len = key_len;
	s->flags = flags;
	k->gen++;
	return s;
}

static struct fk_set *
find(struct fk_set *sets, size_t n, uint8_t family, const char *table,
    const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (sets[i].family == family &&
		    strcmp(sets[i].table, table) == 0 &&
		    strcmp(sets[i].name, name) == 0)
			return &sets[i];
	return NULL;
}

static void
reply_gen(struct fake_nfnl *k, const struct nlmsghdr *req)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(k->out + k->outlen);
	struct nfgenmsg *g;

	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN;
	nlh->nlmsg_seq = req->nlmsg_seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	memset(g, 0, sizeof(*g));
	mnl_attr_put_u32(nlh, NFTA_GEN_ID, htonl(k->gen));
	k->outlen += nlh->nlmsg_len;
	reply_error(k, req, 0);
}

/* The GETSET's table and name, from its attributes. */
static int
req_names(const struct nlmsghdr *req, int ta, int na, const char **t,
    const char **n)
{
	const struct nlattr *a;

	*t = *n = NULL;
	mnl_attr_for_each(a, req, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) == ta)
			*t = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == na)
			*n = mnl_attr_get_str(a);
	}
	return *t != NULL && *n != NULL ? 0 : -1;
}

static void
reply_set(struct fake_nfnl *k, const struct nlmsghdr *req)
{
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(req);
	const char *t, *n;
	struct nftnl_set *ns;
	struct nlmsghdr *nlh;
	struct fk_set *s;

	k->getsets++;
	if (req_names(req, NFTA_SET_TABLE, NFTA_SET_NAME, &t, &n) != 0 ||
	    (s = find(k->sets, k->nsets, g->nfgen_family, t, n)) == NULL) {
		reply_error(k, req, ENOENT);
		return;
	}
	ns = nftnl_set_alloc();
	nftnl_set_set_str(ns, NFTNL_SET_TABLE, s->table);
	nftnl_set_set_str(ns, NFTNL_SET_NAME, s->name);
	nftnl_set_set_u32(ns, NFTNL_SET_KEY_TYPE, s->key_type);
	nftnl_set_set_u32(ns, NFTNL_SET_KEY_LEN, s->key_len);
	nftnl_set_set_u32(ns, NFTNL_SET_FLAGS, s->flags);
	nlh = nftnl_nlmsg_build_hdr((char *)k->out + k->outlen, NFT_MSG_NEWSET,
	    s->family, 0, req->nlmsg_seq);
	nftnl_set_nlmsg_build_payload(nlh, ns);
	nftnl_set_free(ns);
	k->outlen += nlh->nlmsg_len;
	reply_error(k, req, 0);
}

/* One element of a NEWSETELEM/DELSETELEM's list: key bytes, timeout. */
static int
read_elem(const struct nlattr *l, struct fk_elem *e)
{
	const struct nlattr *x, *d;

	memset(e, 0, sizeof(*e));
	mnl_attr_for_each_nested(x, l) {
		if (mnl_attr_get_type(x) == NFTA_SET_ELEM_TIMEOUT)
			e->timeout_ms = be64toh(mnl_attr_get_u64(x));
		if (mnl_attr_get_type(x) != NFTA_SET_ELEM_KEY)
			continue;
		mnl_attr_for_each_nested(d, x) {
			e->len = mnl_attr_get_payload_len(d);
			if (e->len > sizeof(e->key))
				return -1;
			memcpy(e->key, mnl_attr_get_payload(d), e->len);
		}
	}
	return e->len > 0 ? 0 : -1;
}

static struct fk_elem *
find_elem(struct fk_set *s, const struct fk_elem *e)
{
	size_t i;

	for (i = 0; i < s->nel; i++)
		if (s->el[i].len == e->len &&
		    memcmp(s->el[i].key, e->key, e->len) == 0)
			return &s->el[i];
	return NULL;
}

/* One element applied to set `s`: errno or 0. */
static int
apply_one(struct fake_nfnl *k, struct fk_set *s, const struct nlmsghdr *req,
    const struct nlattr *l)
{
	struct fk_elem e, *there;

	if (read_elem(l, &e) != 0)
		return EINVAL;
	if (e.len != s->key_len || e.key[0] == k->poison)
		return EINVAL;
	there = find_elem(s, &e);
	if ((req->nlmsg_type & 0xff) == NFT_MSG_DELSETELEM) {
		if (there == NULL)
			return ENOENT;
		*there = s->el[--s->nel];
		return 0;
	}
	if (there != NULL)
		return (req->nlmsg_flags & NLM_F_EXCL) ? EEXIST : 0;
	if (s->nel == FK_ELEMS)
		return ENFILE;
	s->el[s->nel++] = e;
	return 0;
}

/*
 * One element message applied to the transaction's `sets`, its elements
 * in order up to the first that fails (nf_tables'): errno or 0.
 */
static int
apply(struct fake_nfnl *k, struct fk_set *sets, const struct nlmsghdr *req)
{
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(req);
	const struct nlattr *a, *l;
	const char *t, *n;
	struct fk_set *s;
	int err, nel = 0;

	if (req_names(req, NFTA_SET_ELEM_LIST_TABLE, NFTA_SET_ELEM_LIST_SET,
	    &t, &n) != 0)
		return EINVAL;
	if ((s = find(sets, k->nsets, g->nfgen_family, t, n)) == NULL)
		return ENOENT;
	k->messages++;
	mnl_attr_for_each(a, req, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(l, a) {
			if ((err = apply_one(k, s, req, l)) != 0)
				return err;
			nel++;
		}
	}
	return nel > 0 ? 0 : EINVAL;
}

/* The batch's generation: 0 when it has none (nf_tables: no check). */
static uint32_t
batch_gen(const struct nlmsghdr *begin)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, begin, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == NFNL_BATCH_GENID)
			return ntohl(mnl_attr_get_u32(a));
	return 0;
}

static void
batch(struct fake_nfnl *k, const struct nlmsghdr *nlh, int len)
{
	struct fk_set sets[FK_SETS];
	uint32_t gen = batch_gen(nlh);
	int err, failed = 0;

	k->batches++;
	if (k->on_batch != NULL)
		k->on_batch(k);
	if (k->refuse != 0) {
		reply_error(k, nlh, k->refuse);
		return;
	}
	if (gen == 0)
		k->unchecked++;
	else if (gen != k->gen) {
		k->restarts++;
		reply_error(k, nlh, ERESTART);
		return;
	}
	memcpy(sets, k->sets, sizeof(sets));
	for (nlh = mnl_nlmsg_next(nlh, &len); mnl_nlmsg_ok(nlh, len);
	    nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_type == NFNL_MSG_BATCH_END)
			break;
		if ((err = apply(k, sets, nlh)) != 0) {
			reply_error(k, nlh, err);
			failed++;
		}
	}
	if (failed == 0) {
		memcpy(k->sets, sets, sizeof(sets));
		k->commits++;
		k->gen++;
	}
}

static int
fk_send(void *arg, const void *buf, size_t len)
{
	struct fake_nfnl *k = arg;
	const struct nlmsghdr *nlh = buf;

	if (k->mute)
		return 0;
	if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN)
		batch(k, nlh, (int)len);
	else if ((nlh->nlmsg_type & 0xff) == NFT_MSG_GETGEN)
		reply_gen(k, nlh);
	else if ((nlh->nlmsg_type & 0xff) == NFT_MSG_GETSET)
		reply_set(k, nlh);
	else
		reply_error(k, nlh, EOPNOTSUPP);
	return 0;
}

static ssize_t
fk_recv(void *arg, void *buf, size_t len)
{
	struct fake_nfnl *k = arg;
	size_t n = k->outlen;

	if (n == 0)
		return 0;
	if (n > len)
		n = len;	/* the tests' replies are small */
	memcpy(buf, k->out, n);
	memmove(k->out, k->out + n, k->outlen - n);
	k->outlen -= n;
	return (ssize_t)n;
}

struct nft_nl_io
fake_nfnl_io(struct fake_nfnl *k)
{
	return (struct nft_nl_io){ fk_send, fk_recv, k };
}
