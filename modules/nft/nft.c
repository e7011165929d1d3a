/*
 * The nft action module: element commands ("nft add element inet spagate
 * allow { $SRC . $PROTO . $PORT timeout 30s }") carried to nf_tables
 * through libnftables, in this process; nft is never forked.
 *
 * The lines opened and closed during one pass of the event loop are
 * queued and sent as one transaction when the loop next calls the module
 * (timeout_ms says 0 while something is queued, dispatch sends), so a
 * burst of grants costs one netlink batch; they complete then, through
 * action_report(), as an exec child does.  nft_batch.c splits a failed
 * transaction so that a bad element fails only its own request.
 *
 * Checked at load with the kernel's answer: libnftables' dry run (nft
 * -c).  In libnftables 1.0.6 a dry run does reach the kernel: the batch
 * is sent without its end message, so nf_tables checks every command
 * (a missing set, a timeout on a set without the flag, a delete of an
 * element not there) and then aborts the transaction.  Names and the
 * element's shape are judged first by nft itself, from the kernel's
 * ruleset that it reads for the purpose.  Both need root.
 *
 * An add of an element that is already there (another cycle's, or a
 * repeated grant) kept its old expiry on the 6.x kernel this was first
 * written on, with libnftables 1.0.6.  Kernel 6.18 updates it (an add
 * of timeout 100s over one of 10s: "expires 1m39s"), but older kernels
 * do not, so an add with a timeout that refreshes its element goes as
 * "add; delete; add" in the same transaction: applied at once, the
 * element is never missing, and it ends with the full timeout.  One
 * whose element should be new (no other cycle holds it: req->held) goes
 * as a create, a third of the parsing, refreshed only if it finds the
 * element there after all (nft_line.h).  Open is therefore idempotent.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "action.h"
#include "err.h"
#include "log.h"
#include "nft.h"
#include "nft_batch.h"
#include "nft_line.h"
#include "nft_queue.h"

#define DETAIL_MAX	(CMD_MAX_LEN + NFT_ERR_MAX + 32)

#define UNIT_MAX	(3 * CMD_MAX_LEN + 64)

/*
 * The instance's state: this pass's queue, and the buffers a request is
 * read and written in, made once (each call leaves them free).
 */
struct nft_mod {
	struct nft_queue	 q;
	struct nft_line		 line;
	char			 text[UNIT_MAX], refresh[UNIT_MAX];
};

/*
 * What the queue holds for one request: the line as written, or for an
 * add with a timeout, its create (if the element should be new) or
 * refresh, and the refresh to fall back on.
 */
static int
enqueue(struct nft_mod *m, const struct action_req *req,
    const struct nft_line *line)
{
	const char *elem = line->text + strlen("add element ");

	if (line->cmd != NFT_LINE_ADD || !line->has_timeout)
		return nft_queue_add(&m->q, req->job, line->text, NULL,
		    line->cmd == NFT_LINE_DELETE);
	/* cannot fail: 3 lines of CMD_MAX_LEN (m->text: the key for now) */
	if (nft_elem_key(m->text, UNIT_MAX, elem) != 0 ||
	    nft_elem_refresh(m->refresh, UNIT_MAX, elem, m->text) != 0)
		return SPA_ERR_NOMEM;
	if (req->held)
		return nft_queue_add(&m->q, req->job, m->refresh, NULL, false);
	if (nft_elem_create(m->text, UNIT_MAX, elem) != 0)
		return SPA_ERR_NOMEM;
	return nft_queue_add(&m->q, req->job, m->text, m->refresh, false);
}

/*
 * Queue one request.  An add's kernel timeout never ends before the
 * close of the latest cycle holding the element (see action.h).
 */
static int
nft_queue(struct nft_mod *m, struct action_env *env,
    const struct action_req *req, bool closing)
{
	char why[NFT_ERR_MAX], detail[DETAIL_MAX];
	int64_t cover;

	cover = closing ? 0 : nft_line_cover(req->close_at, time(NULL));
	if (nft_line_parse(req->argv->argc, req->argv->argv, cover, &m->line,
	    why, sizeof(why)) != 0) {
		snprintf(detail, sizeof(detail), "nft: %s", why);
		action_done(env, req->job, SPA_ERR_ACTION, detail, NULL);
		return 0;
	}
	return enqueue(m, req, &m->line);
}

static int
nft_open(void *priv, struct action_env *env, const struct action_req *req)
{
	return nft_queue(priv, env, req, false);
}

static int
nft_close(void *priv, struct action_env *env, const struct action_req *req)
{
	return nft_queue(priv, env, req, true);
}

/* A new pass: send what the last one queued. */
static void
nft_dispatch(void *priv, struct action_env *env, const struct pollfd *pfd,
    size_t n, int64_t now_ms)
{
	struct nft_mod *m = priv;

	(void)pfd;
	(void)n;
	(void)now_ms;
	nft_queue_run(&m->q, env);
}

static int
nft_timeout_ms(void *priv, int64_t now_ms)
{
	const struct nft_mod *m = priv;

	(void)now_ms;
	return m->q.nq > 0 ? 0 : -1;
}

static bool
nft_claims(void *priv, const struct cmd_argv *argv)
{
	(void)priv;
	return argv->argc > 0 && nft_line_is_nft(argv->argv[0]);
}

/*
 * The line's words, then the kernel's dry run of it.  A delete of an
 * element that is not there is what a close usually meets at load.
 */
static int
nft_check(void *priv, const struct cmd_argv *argv, char *why,
    size_t whylen)
{
	struct nft_mod *m = priv;
	const struct nft_line *line = &m->line;
	char text[NFT_ERR_MAX];

	if (nft_line_parse(argv->argc, argv->argv, 0, &m->line, text,
	    sizeof(text)) != 0)
		snprintf(why, whylen, "nft: %s", text);
	else if (nft_queue_send_now(&m->q, true, line->text, text,
	    sizeof(text)) != 0 &&
	    !(line->cmd == NFT_LINE_DELETE && nft_batch_is_absent(text)))
		snprintf(why, whylen, "nft: the kernel refused '%s': %s",
		    line->text, text);
	else
		return 0;
	return SPA_ERR_CONFIG;
}

/*
 * Whether an add's element is still in its set: the same element created
 * in a dry run (nft -c create element), which the kernel checks and then
 * aborts, so nothing changes.  "File exists": it is there; accepted: it
 * is not.  Not "get element": libnftables 1.0.6 first reads every element
 * of the table into its cache, per call (0.9 s with 50,000 elements).  A
 * table or set that is gone, or an interval overlapping another one,
 * cannot tell (the add would fail too).
 */
static int
nft_verify(void *priv, const struct cmd_argv *open, const uint8_t *data,
    uint16_t data_len, char *why, size_t whylen)
{
	struct nft_mod *m = priv;
	const struct nft_line *line = &m->line;
	char text[NFT_ERR_MAX], *create = m->text;
	int r;

	(void)data;
	(void)data_len;
	if (nft_line_parse(open->argc, open->argv, 0, &m->line, text,
	    sizeof(text)) != 0) {
		snprintf(why, whylen, "nft: %s", text);
		return SPA_ERR_ACTION;
	}
	if (line->cmd == NFT_LINE_DELETE) {
		snprintf(why, whylen, "nft: the open is not an add");
		return SPA_ERR_ACTION;
	}
	snprintf(create, UNIT_MAX, "create %s",
	    line->text + strcspn(line->text, " ") + 1);
	r = nft_queue_send_now(&m->q, true, create, text, sizeof(text));
	snprintf(why, whylen, "nft -c %s: %s", create, r == 0 ?
	    "not in the set" : text);
	return r == 0 ? ACTION_ABSENT : nft_batch_is_exists(text) ?
	    ACTION_PRESENT : SPA_ERR_ACTION;
}

static void
nft_shutdown(void *priv)
{
	struct nft_mod *m = priv;

	nft_queue_clear(&m->q);
}

static int
nft_create(void **priv)
{
	struct nft_mod *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return SPA_ERR_NOMEM;
	m->q.who = "nft";
	*priv = m;
	return 0;
}

static void
nft_free(void *priv)
{
	nft_shutdown(priv);
	free(priv);
}

const struct action_ops action_nft = {
	.name = "nft",
	.create = nft_create,
	.claims = nft_claims,
	.check = nft_check,
	.open = nft_open,
	.close = nft_close,
	.verify = nft_verify,
	.dispatch = nft_dispatch,
	.timeout_ms = nft_timeout_ms,
	.shutdown = nft_shutdown,
	.free = nft_free,
	.open_is_idempotent = true,
};

/* Every nft instance of `t` counted together. */
void
nft_get_stats(const struct action_table *t, struct nft_stats *st)
{
	const struct nft_mod *m;
	size_t i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < t->n; i++) {
		if (t->v[i].ops != &action_nft)
			continue;
		m = t->v[i].priv;
		st->commands += m->q.st.commands;
		st->transactions += m->q.st.transactions;
		st->failed += m->q.st.failed;
	}
}
