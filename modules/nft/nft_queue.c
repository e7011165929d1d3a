/*
 * The queue of element commands for one pass, and its libnftables
 * context (see nft_queue.h).
 */
#include "config.h"

#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "err.h"
#include "log.h"
#include "nft_nl.h"
#include "nft_queue.h"

#define DETAIL_MAX	(CMD_MAX_LEN + NFT_ERR_MAX + 32)
#define TEXT_BLOCK	65536	/* lines of queued units, a block at a time */
#define SPARE_MAX	16	/* blocks kept from one pass to the next */

/* Lines of queued units: a block never moves (units point into it). */
struct nft_texts {
	struct nft_texts	*next;
	size_t			 len, cap;
	char			 buf[];
};

static struct nft_ctx *
ctx_get(struct nft_queue *q)
{
	if (q->ctx == NULL && (q->ctx = nft_ctx_new(NFT_CTX_DEFAULT)) != NULL &&
	    (nft_ctx_buffer_error(q->ctx) != 0 ||
	    nft_ctx_buffer_output(q->ctx) != 0)) {
		nft_ctx_free(q->ctx);
		q->ctx = NULL;
	}
	return q->ctx;
}

int
nft_queue_send_now(struct nft_queue *q, bool dry, const char *buf,
    char *err, size_t errlen)
{
	int r;

	err[0] = '\0';
	if (ctx_get(q) == NULL) {
		snprintf(err, errlen, "cannot make a libnftables context");
		return -1;
	}
	nft_ctx_set_dry_run(q->ctx, dry);
	r = nft_run_cmd_from_buffer(q->ctx, buf);
	nft_batch_first_error(nft_ctx_get_error_buffer(q->ctx), err, errlen);
	if (r != 0 && err[0] == '\0')
		snprintf(err, errlen, "libnftables failed without saying why");
	return r != 0 ? -1 : 0;
}

int
nft_queue_list(struct nft_queue *q, const char *cmd, char **out, char *err,
    size_t errlen)
{
	*out = NULL;
	if (nft_queue_send_now(q, false, cmd, err, errlen) != 0)
		return -1;
	if ((*out = strdup(nft_ctx_get_output_buffer(q->ctx))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int
send_real(void *arg, const char *buf, char *err, size_t errlen)
{
	return nft_queue_send_now(arg, false, buf, err, errlen);
}

/* A block of at least `n` free bytes: a spare one, or a new one. */
static struct nft_texts *
block_get(struct nft_queue *q, size_t n)
{
	struct nft_texts *b = q->spare;

	if (b != NULL && b->cap >= n) {
		q->spare = b->next;
		b->len = 0;
		return b;
	}
	n = n > TEXT_BLOCK ? n : TEXT_BLOCK;
	if ((b = malloc(sizeof(*b) + n)) == NULL)
		return NULL;
	b->cap = n;
	b->len = 0;
	return b;
}

/* A copy of `s` among this pass's lines; NULL: no memory. */
static char *
text_put(struct nft_queue *q, const char *s)
{
	struct nft_texts *b = q->texts;
	size_t n = strlen(s) + 1;

	if (b == NULL || b->cap - b->len < n) {
		if ((b = block_get(q, n)) == NULL)
			return NULL;
		b->next = q->texts;
		q->texts = b;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	return b->buf + b->len - n;
}

static void
blocks_free(struct nft_texts *b)
{
	struct nft_texts *next;

	for (; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
}

int
nft_queue_add(struct nft_queue *q, uint64_t job, const char *text,
    const char *refresh, bool is_delete)
{
	struct nft_unit *v;

	if ((v = array_room(q->q, &q->capq, q->nq, sizeof(*v), 16)) == NULL)
		return SPA_ERR_NOMEM;
	q->q = v;
	v = &q->q[q->nq];
	v->job = job;
	v->is_delete = is_delete;
	v->outcome = NFT_PENDING;
	v->err[0] = '\0';
	v->refresh = NULL;
	if ((v->text = text_put(q, text)) == NULL ||
	    (refresh != NULL && (v->refresh = text_put(q, refresh)) == NULL))
		return SPA_ERR_NOMEM;
	q->nq++;
	return 0;
}

/* The log line and the result of one settled request. */
static void
report(const struct nft_queue *q, struct action_env *env,
    const struct nft_unit *u)
{
	char detail[DETAIL_MAX];
	size_t n = strcspn(u->text, "\n");

	if (u->outcome == NFT_ABSENT) {
		snprintf(detail, sizeof(detail), "%s %.*s: not in the set "
		    "(expired already)", q->who, (int)n, u->text);
		action_report(env, &(struct action_result){ .job = u->job,
		    .detail = detail, .absent = true, .exit_status = -1 });
		return;
	}
	if (u->outcome == NFT_DONE)
		snprintf(detail, sizeof(detail), "%s %.*s", q->who, (int)n,
		    u->text);
	else
		snprintf(detail, sizeof(detail), "%s %.*s: %s", q->who, (int)n,
		    u->text, u->err);
	action_done(env, u->job, u->outcome == NFT_DONE ? 0 : SPA_ERR_ACTION,
	    detail, NULL);
}

/*
 * Taken first: a completion may start another request (a close after a
 * failed open), queued for the next pass.
 */
static struct nft_unit *
take(struct nft_queue *q, size_t *n, size_t *cap, struct nft_texts **texts)
{
	struct nft_unit *u = q->q;

	*n = q->nq;
	*cap = q->capq;
	*texts = q->texts;
	q->q = NULL;
	q->nq = q->capq = 0;
	q->texts = NULL;
	return u;
}

/*
 * A run's array and line blocks kept for the next pass (the array unless
 * one was started meanwhile, at most SPARE_MAX blocks).
 */
static void
give_back(struct nft_queue *q, struct nft_unit *u, size_t cap,
    struct nft_texts *texts)
{
	struct nft_texts *next;
	size_t nspare = 0, i;

	if (q->q != NULL)
		free(u);
	else {
		q->q = u;
		q->capq = cap;
	}
	for (next = q->spare; next != NULL; next = next->next)
		nspare++;
	for (i = nspare; texts != NULL && i < SPARE_MAX; i++) {
		next = texts->next;
		texts->next = q->spare;
		q->spare = texts;
		texts = next;
	}
	blocks_free(texts);
}

static struct nft_nl *
nl_get(struct nft_queue *q)
{
	if (q->nl == NULL && !q->nl_off &&
	    (q->nl = nft_nl_new(q->io)) == NULL) {
		log_warnx("%s: no netlink socket for nf_tables: element "
		    "commands go through libnftables", q->who);
		q->nl_off = true;
	}
	return q->nl;
}

/* The units the native path settles, then the others as text. */
static size_t
settle(struct nft_queue *q, struct nft_unit *u, size_t n)
{
	size_t sent = 0;

	if (n > 0 && nl_get(q) != NULL)
		sent = nft_nl_run(q->nl, u, n);
	n = nft_batch_take_pending(u, n);
	return sent + nft_batch_run_with(u, n, send_real, nft_batch_is_absent,
	    q);
}

size_t
nft_queue_run(struct nft_queue *q, struct action_env *env)
{
	struct nft_texts *texts;
	struct nft_unit *u;
	size_t nu, cap, i, sent;

	if (q->nq == 0)
		return 0;
	u = take(q, &nu, &cap, &texts);
	sent = settle(q, u, nu);
	/* a create that found its element there: its refresh */
	sent += settle(q, u, nft_batch_take_refresh(u, nu));
	log_info("%s: %zu element command%s in %zu transaction%s", q->who,
	    nu, nu == 1 ? "" : "s", sent, sent == 1 ? "" : "s");
	q->st.commands += nu;
	q->st.transactions += sent;
	for (i = 0; i < nu; i++) {
		q->st.failed += u[i].outcome == NFT_FAILED;
		report(q, env, &u[i]);
	}
	give_back(q, u, cap, texts);
	return sent;
}

void
nft_queue_fail(struct nft_queue *q, struct action_env *env, const char *why)
{
	struct nft_texts *texts;
	struct nft_unit *u;
	size_t nu, cap, i;

	u = take(q, &nu, &cap, &texts);
	for (i = 0; i < nu; i++) {
		u[i].outcome = NFT_FAILED;
		snprintf(u[i].err, sizeof(u[i].err), "%s", why);
		report(q, env, &u[i]);
	}
	give_back(q, u, cap, texts);
}

void
nft_queue_clear(struct nft_queue *q)
{
	free(q->q);
	q->q = NULL;
	q->nq = q->capq = 0;
	blocks_free(q->texts);
	blocks_free(q->spare);
	q->texts = q->spare = NULL;
	if (q->ctx != NULL)
		nft_ctx_free(q->ctx);
	q->ctx = NULL;
	nft_nl_free(q->nl);
	q->nl = NULL;
	q->nl_off = false;
}
