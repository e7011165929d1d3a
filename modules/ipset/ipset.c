/*
 * The ipset action module: add, del and test set elements through
 * libipset's session API, in this process.  The adds and dels of one pass
 * of the event loop are queued and sent when the loop next calls the
 * module (timeout_ms says 0 while something waits), as the nft module
 * does: libipset aggregates a run of elements for the same set, command
 * and -exist into one netlink message (as `ipset restore` does), each
 * element numbered.  The kernel applies them in order and stops at the
 * first that fails, answering with its number: the ones before it are
 * done, it fails alone, and the rest are sent again (ipset_batch_run).
 * A failure without a number is run again one element at a time.  Each
 * request completes through action_done() then; its timeout does not
 * apply (microseconds).
 *
 * The command line is read by ipset_parse.c; here it is checked against
 * the set's real type and sent.  libipset reports through a text buffer
 * and a report type, never by exiting: the exit() of its default error
 * handlers belongs to the high-level struct ipset API, not used here.
 * A call succeeded only if it returned 0 *and* left no IPSET_ERROR
 * report (a missing set can come back as 0 with an error report).
 *
 * Open is idempotent: a set holds an element once, so an add run again
 * never needs a second del.  With -exist it refreshes the kernel's
 * timeout (the recommended form); without it the repeat fails with
 * "already added", is logged, and the first add still holds.
 */
#include "config.h"

#include <libipset/data.h>
#include <libipset/nfproto.h>
#include <libipset/session.h>
#include <libipset/types.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "action.h"
#include "err.h"
#include "ipset_elem.h"
#include "ipset_parse.h"
#include "log.h"

#define TEXT_MAX		512
#define DETAIL_MAX	(2 * TEXT_MAX + 16)

#define TYPES_CACHED_MAX	16

/*
 * The instance's state.  The session is made at first use; any failure
 * drops it: libipset describes failures only in text, so a socket-level
 * one (EPERM, ENOBUFS, a reply out of sequence) cannot be told from an
 * element-level one, and a fresh session costs one socket.
 *
 * types_cached counts the set types learned during this pass of the
 * event loop.  Without them libipset asks the kernel for the set's header
 * before every element: a second round trip per grant.  They live in
 * libipset's own cache (process-wide: spagated makes one ipset
 * instance), which it reads before asking; we empty it at every pass
 * (ipset_dispatch), so a type is trusted only for the burst of requests
 * that one pass runs, no longer than the uncached header-then-element gap
 * is trusted anyway.  Any failure forgets the set and tries once more
 * with a fresh header, so a set destroyed or swapped under us is judged
 * by its real type.
 */
struct ipset_queued {
	uint64_t		 job;
	bool			 closing;
	struct ipset_op		 op;
};

struct ipset_mod {
	struct ipset_session	*session;
	unsigned int		 types_cached;
	struct ipset_queued	*q;		/* this pass's adds and dels */
	size_t			 nq, qcap;
};

enum outcome {
	DONE,		/* for test: the element is in the set */
	ABSENT,		/* test: the element is not in the set */
	FAILED,
};

static const enum ipset_cmd kernel_cmd[] = {
	[IPSET_OP_ADD] = IPSET_CMD_ADD,
	[IPSET_OP_DEL] = IPSET_CMD_DEL,
	[IPSET_OP_TEST] = IPSET_CMD_TEST,
};

/* What libipset would print (list, save): never asked for, so logged. */
static int __attribute__((format(printf, 3, 4)))
print_out(struct ipset_session *s, void *p, const char *fmt, ...)
{
	char line[TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("ipset: libipset output: %s", line);
	return 0;
}

static struct ipset_session *
session_get(struct ipset_mod *m)
{
	if (m->session == NULL) {
		ipset_load_types();	/* registers once, then returns */
		m->session = ipset_session_init(print_out, NULL);
	}
	return m->session;
}

static void
session_drop(struct ipset_mod *m)
{
	if (m->session != NULL)
		ipset_session_fini(m->session);
	m->session = NULL;
}

/* The report's text on one line, then the report cleared. */
static void
take_report(struct ipset_session *s, char *text, size_t len)
{
	size_t n;
	char *nl;

	snprintf(text, len, "%s", ipset_session_report_msg(s));
	n = strlen(text);
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
		text[--n] = '\0';
	while ((nl = strchr(text, '\n')) != NULL)
		*nl = ' ';
	ipset_session_report_reset(s);
}

static enum outcome
failed(struct ipset_mod *m, char *text, size_t len)
{
	take_report(m->session, text, len);
	if (text[0] == '\0')
		snprintf(text, len, "libipset failed without saying why");
	session_drop(m);
	return FAILED;
}

/* The set's family, as libipset read it from the kernel's set header. */
static int
set_family(struct ipset_session *s)
{
	switch (ipset_data_family(ipset_session_data(s))) {
	case NFPROTO_IPV4:
		return AF_INET;
	case NFPROTO_IPV6:
		return AF_INET6;
	default:
		return AF_UNSPEC;
	}
}

/* Whether the command worked, from its return and its report's type. */
static enum outcome
outcome_of(struct ipset_mod *m, int r, char *text, size_t len)
{
	enum ipset_err_type t = ipset_session_report_type(m->session);

	if (t == IPSET_ERROR || (r != 0 && t != IPSET_NOTICE))
		return failed(m, text, len);
	take_report(m->session, text, len);	/* test: "... is (NOT) in set" */
	return t == IPSET_NOTICE ? ABSENT : DONE;
}

static void
types_forget(struct ipset_mod *m)
{
	if (m->types_cached > 0)
		ipset_cache_del(NULL);
	m->types_cached = 0;
}

/* Remember the type libipset just used; false if it came from the cache. */
static bool
type_remember(struct ipset_mod *m, const char *set,
    const struct ipset_type *type)
{
	if (m->types_cached >= TYPES_CACHED_MAX ||
	    ipset_cache_add(set, type,
	    ipset_data_family(ipset_session_data(m->session))) != 0)
		return false;
	m->types_cached++;
	return true;
}

/* The session's data for one operation; DONE, or FAILED with `text`. */
static enum outcome
prepare_op(struct ipset_mod *m, const struct ipset_op *op, bool *cached,
    char *text, size_t len)
{
	enum ipset_cmd cmd = kernel_cmd[op->cmd];
	const struct ipset_type *type;
	struct ipset_session *s;

	text[0] = '\0';
	if ((s = session_get(m)) == NULL) {
		snprintf(text, len, "cannot start a libipset session (out of "
		    "memory)");
		return FAILED;
	}
	ipset_session_report_reset(s);
	ipset_data_reset(ipset_session_data(s));
	if (ipset_session_data_set(s, IPSET_SETNAME, op->set) != 0 ||
	    (type = ipset_type_get(s, cmd)) == NULL)
		return failed(m, text, len);
	*cached = !type_remember(m, op->set, type);
	if (ipset_op_fits(op, type->name, set_family(s), text, len) != 0)
		return FAILED;
	if (ipset_elem_load(ipset_session_data(s), op) != 0) {
		snprintf(text, len, "libipset refused the element's data");
		return FAILED;
	}
	if (op->exist)
		ipset_envopt_set(s, IPSET_ENV_EXIST);
	else
		ipset_envopt_unset(s, IPSET_ENV_EXIST);
	return DONE;
}

/* One operation against the kernel, now; `text` says what went wrong. */
static enum outcome
run_op_once(struct ipset_mod *m, const struct ipset_op *op, bool *cached,
    char *text, size_t len)
{
	enum outcome o = prepare_op(m, op, cached, text, len);

	if (o != DONE)
		return o;
	return outcome_of(m, ipset_cmd(m->session, kernel_cmd[op->cmd], 0),
	    text, len);
}

static enum outcome
run_op(struct ipset_mod *m, const struct ipset_op *op, char *text, size_t len)
{
	enum outcome o;
	bool cached = false;

	o = run_op_once(m, op, &cached, text, len);
	if (o == FAILED && cached) {
		types_forget(m);
		o = run_op_once(m, op, &cached, text, len);
	}
	return o;
}

/* After a failed del: is the element simply not there (expired)? */
static bool
element_gone(struct ipset_mod *m, const struct ipset_op *del)
{
	struct ipset_op test = *del;
	char text[TEXT_MAX];

	test.cmd = IPSET_OP_TEST;
	test.exist = false;
	return run_op(m, &test, text, sizeof(text)) == ABSENT;
}

static void
finish(struct action_env *env, const struct action_req *req, int result,
    const char *detail)
{
	action_done(env, req->job, result, detail, NULL);
}

/*
 * An add's kernel timeout never ends before the close of the latest
 * cycle holding the element (see action.h): a grant for 1 s must not cut
 * short another user's 600 s on the same element.
 */
static void
cover_close(struct ipset_op *op, const struct action_req *req)
{
	int64_t left = req->close_at - time(NULL);

	if (op->cmd != IPSET_OP_ADD || !op->has_timeout || op->timeout == 0 ||
	    req->close_at == 0 || left <= (int64_t)op->timeout)
		return;
	op->timeout = left > IPSET_OP_TIMEOUT_MAX ? IPSET_OP_TIMEOUT_MAX :
	    (uint32_t)left;
}

/*
 * Report one request.  For a close, a del whose element is no longer in
 * the set (its kernel timeout ran out) has done its job.
 */
static void
report(struct ipset_mod *m, struct action_env *env,
    const struct ipset_queued *rq, enum outcome o, const char *text)
{
	char line[TEXT_MAX], detail[DETAIL_MAX];

	ipset_op_format(&rq->op, line, sizeof(line));
	if (o == FAILED && rq->closing && rq->op.cmd == IPSET_OP_DEL &&
	    element_gone(m, &rq->op)) {
		snprintf(detail, sizeof(detail), "ipset %s: not in the set "
		    "(expired already)", line);
		action_report(env, &(struct action_result){ .job = rq->job,
		    .detail = detail, .absent = true, .exit_status = -1 });
		return;
	}
	if (o == DONE && rq->op.cmd != IPSET_OP_TEST)
		snprintf(detail, sizeof(detail), "ipset %s", line);
	else
		snprintf(detail, sizeof(detail), "ipset %s: %s", line,
		    o == ABSENT ? "not in the set" : text);
	action_done(env, rq->job, o == DONE ? 0 : SPA_ERR_ACTION, detail,
	    NULL);
}

/* Queue a request for the next pass; a line that does not parse fails now. */
static int
ipset_queue(struct ipset_mod *m, struct action_env *env,
    const struct action_req *req, bool closing)
{
	char text[TEXT_MAX], detail[DETAIL_MAX];
	struct ipset_queued *rq, *v;
	size_t cap;

	if (m->nq == m->qcap) {
		cap = m->qcap == 0 ? 64 : 2 * m->qcap;
		if ((v = reallocarray(m->q, cap, sizeof(*v))) == NULL) {
			finish(env, req, SPA_ERR_NOMEM, "ipset: out of memory");
			return 0;
		}
		m->q = v;
		m->qcap = cap;
	}
	rq = &m->q[m->nq];
	if (ipset_op_parse(req->argv->argc, req->argv->argv, &rq->op, text,
	    sizeof(text)) != 0) {
		snprintf(detail, sizeof(detail), "ipset: %s", text);
		finish(env, req, SPA_ERR_ACTION, detail);
		return 0;
	}
	if (!closing)
		cover_close(&rq->op, req);
	rq->job = req->job;
	rq->closing = closing;
	if (rq->op.cmd == IPSET_OP_TEST) {	/* an answer, not aggregated */
		report(m, env, rq, run_op(m, &rq->op, text, sizeof(text)),
		    text);
		return 0;
	}
	m->nq++;
	return 0;
}

static int
ipset_open(void *priv, struct action_env *env, const struct action_req *req)
{
	return ipset_queue(priv, env, req, false);
}

static int
ipset_close(void *priv, struct action_env *env, const struct action_req *req)
{
	return ipset_queue(priv, env, req, true);
}

/* Elements of one netlink message: same set, command and -exist. */
static bool
same_message(const struct ipset_op *a, const struct ipset_op *b)
{
	return a->cmd == b->cmd && a->exist == b->exist &&
	    strcmp(a->set, b->set) == 0;
}

/*
 * The element the kernel named in "Error in line N: why", or 0; `text`
 * keeps the why (N is the queue's numbering, not the admin's).
 */
static size_t
failed_line(char *text)
{
	unsigned int n;
	int skip = 0;

	if (sscanf(text, "Error in line %u: %n", &n, &skip) != 1 || skip == 0)
		return 0;
	memmove(text, text + skip, strlen(text + skip) + 1);
	return n;
}

/* Send the message being built; false if the kernel refused any of it. */
static bool
commit_ok(struct ipset_session *s)
{
	return ipset_commit(s) == 0 &&
	    ipset_session_report_type(s) != IPSET_ERROR;
}

/*
 * Send the queue from `from` on, aggregated; returns how many were
 * applied, in order from `from`.  If one failed, *bad is its index and
 * `text` says why; if all went, *bad is nq.  A message the kernel
 * refused without numbering an element (its set is gone) applied none
 * of it: *bad is SIZE_MAX, and the caller runs the rest one at a time.
 */
static size_t
send_from(struct ipset_mod *m, size_t from, size_t *bad, char *text,
    size_t len)
{
	const struct ipset_op *op;
	size_t k, first = from, line;	/* first: of the message built */
	bool cached;

	*bad = m->nq;
	for (k = from; k < m->nq; k++) {
		op = &m->q[k].op;
		if (k > first && !same_message(op, &m->q[k - 1].op)) {
			if (!commit_ok(m->session))
				goto refused;
			first = k;
		}
		if (prepare_op(m, op, &cached, text, len) != DONE) {
			/* this element alone: the ones before it go first */
			if (m->session == NULL) {
				*bad = SIZE_MAX;	/* lost with the session */
				return first - from;
			}
			if (k > first && !commit_ok(m->session))
				goto refused;
			*bad = k;
			return k - from;
		}
		if (ipset_cmd(m->session, kernel_cmd[op->cmd],
		    (uint32_t)(k + 1)) != 0 ||
		    ipset_session_report_type(m->session) == IPSET_ERROR)
			goto refused;
	}
	if (commit_ok(m->session))
		return k - from;
refused:
	take_report(m->session, text, len);
	session_drop(m);
	line = failed_line(text);
	if (line < first + 1 || line > m->nq) {
		*bad = SIZE_MAX;
		return first - from;
	}
	*bad = line - 1;
	return line - 1 - from;
}

/* The pass's queue: aggregated, a failing element failing alone. */
static void
ipset_batch_run(struct ipset_mod *m, struct action_env *env)
{
	char text[TEXT_MAX];
	size_t i = 0, k, ok, bad;

	while (i < m->nq) {
		text[0] = '\0';
		if (session_get(m) == NULL)
			bad = SIZE_MAX, ok = 0;
		else
			ok = send_from(m, i, &bad, text, sizeof(text));
		for (k = i; k < i + ok; k++)
			report(m, env, &m->q[k], DONE, "");
		i += ok;
		if (bad == SIZE_MAX)
			break;
		if (bad < m->nq) {
			report(m, env, &m->q[bad], FAILED, text);
			i = bad + 1;
		}
	}
	/* what the kernel did not number: one at a time, as it was */
	for (; i < m->nq; i++)
		report(m, env, &m->q[i], run_op(m, &m->q[i].op, text,
		    sizeof(text)), text);
	m->nq = 0;
}

/*
 * Whether an add's element is still in its set (libipset's test).  A set
 * that is gone, or a test that fails, cannot tell: the add would fail
 * too, and only the operator can make the set again.
 */
static int
ipset_verify(void *priv, const struct cmd_argv *open, const uint8_t *data,
    uint16_t data_len, char *why, size_t whylen)
{
	char text[TEXT_MAX], line[TEXT_MAX];
	struct ipset_op op;
	enum outcome o;

	(void)data;
	(void)data_len;
	if (ipset_op_parse(open->argc, open->argv, &op, text,
	    sizeof(text)) != 0) {
		snprintf(why, whylen, "ipset: %s", text);
		return SPA_ERR_ARG;
	}
	if (op.cmd != IPSET_OP_ADD) {
		snprintf(why, whylen, "ipset: the open is not an add");
		return SPA_ERR_ARG;
	}
	op.cmd = IPSET_OP_TEST;
	op.exist = op.has_timeout = op.has_comment = false;
	ipset_op_format(&op, line, sizeof(line));
	o = run_op(priv, &op, text, sizeof(text));
	snprintf(why, whylen, "ipset %s: %s", line, o == ABSENT ?
	    "not in the set" : text);
	if (o == FAILED)
		return SPA_ERR_ACTION;
	return o == ABSENT ? ACTION_ABSENT : ACTION_PRESENT;
}

static bool
ipset_claims(void *priv, const struct cmd_argv *argv)
{
	(void)priv;
	return argv->argc > 0 && ipset_op_is_ipset(argv->argv[0]);
}

/* Syntax only: the set may not exist yet when the policy loads. */
static int
ipset_check(void *priv, const struct cmd_argv *argv, char *why,
    size_t whylen)
{
	struct ipset_op op;
	char text[TEXT_MAX];

	(void)priv;
	if (ipset_op_parse(argv->argc, argv->argv, &op, text,
	    sizeof(text)) != 0) {
		snprintf(why, whylen, "ipset: %s", text);
		return SPA_ERR_CONFIG;
	}
	return 0;
}

/* A new pass of the event loop: set types learned afresh, the queue sent. */
static void
ipset_dispatch(void *priv, struct action_env *env, const struct pollfd *pfd,
    size_t n, int64_t now_ms)
{
	struct ipset_mod *m = priv;

	(void)pfd;
	(void)n;
	(void)now_ms;
	types_forget(m);
	if (m->nq > 0)
		ipset_batch_run(m, env);
}

static int
ipset_timeout_ms(void *priv, int64_t now_ms)
{
	const struct ipset_mod *m = priv;

	(void)now_ms;
	return m->nq > 0 ? 0 : -1;
}

static void
ipset_shutdown(void *priv)
{
	struct ipset_mod *m = priv;

	types_forget(m);
	session_drop(m);
}

static void
ipset_free(void *priv)
{
	struct ipset_mod *m = priv;

	if (m != NULL)
		free(m->q);
	free(m);
}

static int
ipset_create(void **priv)
{
	return (*priv = calloc(1, sizeof(struct ipset_mod))) == NULL ?
	    SPA_ERR_NOMEM : 0;
}

const struct action_ops action_ipset = {
	.name = "ipset",
	.create = ipset_create,
	.claims = ipset_claims,
	.check = ipset_check,
	.open = ipset_open,
	.close = ipset_close,
	.verify = ipset_verify,
	.dispatch = ipset_dispatch,
	.timeout_ms = ipset_timeout_ms,
	.shutdown = ipset_shutdown,
	.free = ipset_free,
	.open_is_idempotent = true,
};
