/*
 * The nftables backend: spagated's table through libnftables (fw_nft.h
 * for its text, nft_queue.h for the transactions).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "err.h"
#include "fw_backend.h"
#include "log.h"
#include "nft_queue.h"

static int
nft_create(void **st)
{
	struct nft_queue *q;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return SPA_ERR_NOMEM;
	q->who = "firewall";
	*st = q;
	return 0;
}

static int
nft_setup(void *st, const struct conf_firewall *f, char *why, size_t whylen)
{
	char buf[FW_NFT_SETUP_MAX], err[NFT_ERR_MAX];
	const char *t = conf_firewall_table(f);

	if (fw_nft_setup(f, buf, sizeof(buf)) != 0)
		snprintf(err, sizeof(err), "the setup is too long");
	else if (nft_queue_send_now(st, false, buf, err, sizeof(err)) == 0) {
		log_info("firewall: nftables table inet %s ready (input hook, "
		    "priority %d, mark 0x%x)", t, f->priority,
		    (unsigned)f->mark);
		return 0;
	}
	snprintf(why, whylen, "nftables table inet %s cannot be made: %s", t,
	    err);
	return -1;
}

/* Seconds until the close: the element's own timeout (at least 1). */
static int64_t
timeout_of(const struct action_req *req)
{
	int64_t left = req->close_at - (int64_t)time(NULL);

	return left > 0 ? left : 1;
}

static int
nft_queue_req(void *st, const struct conf_firewall *f, struct action_env *env,
    const struct action_req *req, const struct fw_elem *e, bool closing,
    char *why, size_t whylen)
{
	char text[3 * FW_NFT_ELEM_MAX];
	int r;

	(void)env;
	r = closing ? fw_nft_delete(f, e, text, sizeof(text)) :
	    fw_nft_add(f, e, timeout_of(req), text, sizeof(text));
	if (r != 0) {
		snprintf(why, whylen, "firewall: the element is too long");
		return SPA_ERR_ACTION;
	}
	return nft_queue_add(st, req->job, text, closing);
}

static void
nft_send(void *st, const struct conf_firewall *f, struct action_env *env)
{
	(void)f;
	nft_queue_run(st, env);
}

static void
nft_fail(void *st, struct action_env *env, const char *why)
{
	nft_queue_fail(st, env, why);
}

static size_t
nft_pending(const void *st)
{
	const struct nft_queue *q = st;

	return q->nq;
}

static void
nft_clear(void *st)
{
	nft_queue_clear(st);
}

static void
nft_free(void *st)
{
	if (st != NULL)
		nft_queue_clear(st);
	free(st);
}

const struct fw_backend_ops fw_backend_nft = {
	.name = "nftables",
	.create = nft_create,
	.setup = nft_setup,
	.queue = nft_queue_req,
	.send = nft_send,
	.fail = nft_fail,
	.pending = nft_pending,
	.clear = nft_clear,
	.free = nft_free,
};
