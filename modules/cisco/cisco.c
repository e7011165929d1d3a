/*
 * The Cisco IOS action module: a command whose first word names a device
 * of spagated.conf adds an entry to (open) or removes it from (close)
 * that device's extended IPv4 ACL (acl), or its IPv6 ACL (acl6) for an
 * entry with an IPv6 address, over one SSH session per device
 * (ios_session.c), in the executor's loop.
 *
 *   CMD_CYCLE_OPEN   edge1 permit tcp host $SRC any eq $PORT
 *   CMD_CYCLE_CLOSE  edge1 remove
 *
 * The open allocates a free sequence number in the device's range (one
 * range for both lists) and records "device seq" ("device seq ipv6" for
 * the IPv6 list) as the cycle's data before anything is sent (the
 * executor journals it first; see action.h), so the close, even after a
 * restart, removes exactly that line: `no <seq>` in the IPv4 list, `no
 * sequence <seq>` in the IPv6 one.
 *
 * Requests to one device queue up and run as one batch when the session
 * is idle: configure terminal, then each request's lines, each entering
 * its list first (ip access-list extended NAME, ipv6 access-list NAME)
 * unless the line before left the session there, then end (and write
 * memory if asked).  A '%' line fails the request whose line drew it; the
 * ones before it are done, the ones after it run in the next batch.  A
 * session that drops is reconnected with backoff (1 s doubling to 60 s)
 * while requests wait; an open whose
 * entry may have reached the device when the session dropped is not
 * reported until that entry is removed again, so a failed open never
 * leaves access behind.
 *
 * With time_range, an open first makes time-range SPA-<seq> ending after
 * the close (on the device's clock) and names it in the entry; a grant
 * that moves the close later moves that end (the refresh hook); an entry
 * refused after its time-range was made gets the time-range removed
 * before the open is failed.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libssh2.h>

#include "action.h"
#include "array.h"
#include "cisco.h"
#include "cisco_batch.h"
#include "cisco_data.h"
#include "cisco_seq.h"
#include "clock.h"
#include "conf.h"
#include "conf_cisco.h"
#include "err.h"
#include "event.h"
#include "ios_parse.h"
#include "ios_session.h"
#include "log.h"

#define BACKOFF_MAX	60	/* seconds between reconnections */
#define DETAIL_MAX	CISCO_DETAIL_MAX

struct cisco_mod;

struct device {
	struct cisco_mod	*mod;		/* the instance it belongs to */
	struct conf_cisco	 cf;		/* our copy: reloads free theirs */
	struct conf_cisco	 next_cf;	/* a reload's, until idle */
	bool			 has_next;
	bool			 configured;	/* in the configuration in force */
	struct ios_session	*s;
	struct cisco_req		*q;		/* q[0..nbatch) are in flight */
	size_t			 nq, qcap, nbatch;
	struct cisco_seqs	 seqs;		/* sequence numbers in use */
	unsigned int		 backoff;	/* seconds */
	int64_t			 retry_ms;
	bool			 kick;		/* the session changed: pump */
	bool			 reading;	/* the batch in flight reads */
	bool			 ready;		/* logged in since it last went down */
	bool			 retried;	/* the fresh session after one found
						   closed: used, until a batch ends */
	char			 last_why[256];
	uint64_t		 left_alone;	/* entries not removed */
};

/* The instance: every device of spagated.conf, each with its session. */
struct cisco_mod {
	struct device		**devs;
	size_t			  ndevs;
	struct action_env	 *env;		/* the executor's, once called */
	bool			  ssh_ready;	/* libssh2_init done */
	struct cisco_script	  sc;		/* 64 KiB: not on the stack */
};

static struct device *
device_find(const struct cisco_mod *m, const char *name, bool configured_only)
{
	size_t i;

	for (i = 0; i < m->ndevs; i++)
		if (strcmp(m->devs[i]->cf.name, name) == 0)
			return configured_only && !m->devs[i]->configured ?
			    NULL : m->devs[i];
	return NULL;
}

/* --- sequence numbers and lists ---------------------------------------- */

static void
seq_hold(struct device *d, uint32_t seq)
{
	if (cisco_seq_hold(&d->seqs, seq) != 0)
		log_errx("cisco %s: out of memory: seq %u not marked in use",
		    d->cf.name, seq);
}

static void
seq_release(struct device *d, uint32_t seq)
{
	cisco_seq_release(&d->seqs, seq);
}

/* The device's list of that family, or NULL if it has none. */
static const char *
list_name(const struct device *d, bool v6)
{
	return v6 ? d->cf.acl6 : d->cf.acl;
}

static const char *
list_key(bool v6)
{
	return v6 ? "acl6 (an IPv6 access list)" :
	    "acl (an extended IPv4 access list)";
}

/* --- the queue ----------------------------------------------------------- */

static struct cisco_req *
queue_push(struct device *d)
{
	struct cisco_req *nq;

	if ((nq = array_room(d->q, &d->qcap, d->nq, sizeof(*nq), 16)) == NULL)
		return NULL;
	d->q = nq;
	memset(&d->q[d->nq], 0, sizeof(d->q[d->nq]));
	return &d->q[d->nq++];
}

static void
queue_remove(struct device *d, size_t i)
{
	memmove(&d->q[i], &d->q[i + 1], (d->nq - i - 1) * sizeof(*d->q));
	d->nq--;
}

/* A request is over: report it and free what it holds. */
static void
finish(struct device *d, const struct cisco_req *rq, int result,
    const char *detail)
{
	if (rq->kind == R_OPEN && result != 0)
		seq_release(d, rq->seq);
	if (rq->kind == R_OPEN && result == 0)
		cisco_seq_remember(&d->seqs, rq->seq, rq->ace);
	if ((rq->kind == R_CLOSE || rq->kind == R_CLEANUP) && result == 0)
		seq_release(d, rq->seq);
	if (rq->kind == R_TRDROP) {
		seq_release(d, rq->seq);
		if (result != 0)
			log_warnx("cisco %s: time-range SPA-%u is left on the "
			    "device: %s", d->cf.name, rq->seq, detail);
		action_done(d->mod->env, rq->job, SPA_ERR_ACTION, rq->detail,
		    NULL);
		return;
	}
	if (rq->kind == R_CLEANUP && result == 0) {
		char why[DETAIL_MAX];

		snprintf(why, sizeof(why), "%s: the session dropped while "
		    "seq %u was sent (%s)", d->cf.name, rq->seq, detail);
		action_done(d->mod->env, rq->job, SPA_ERR_ACTION, why, NULL);
		return;
	}
	action_done(d->mod->env, rq->job, result, detail, NULL);
}

static void
fail_waiting(struct device *d, const char *why, bool all, int64_t now_ms)
{
	char detail[DETAIL_MAX];
	struct cisco_req rq;
	size_t i = d->nbatch;

	while (i < d->nq) {
		if (d->q[i].kind == R_CLEANUP || d->q[i].kind == R_TRDROP ||
		    (!all &&
		    now_ms < d->q[i].deadline_ms)) {
			i++;
			continue;
		}
		rq = d->q[i];
		queue_remove(d, i);
		snprintf(detail, sizeof(detail), "%s: %s", d->cf.name, why);
		finish(d, &rq, SPA_ERR_ACTION, detail);
	}
}

/* --- batches ------------------------------------------------------------- */

/* A request whose list a reload took away cannot be sent: fail it now. */
static bool
list_gone(struct device *d, size_t i)
{
	struct cisco_req rq = d->q[i];
	char why[DETAIL_MAX];

	if (rq.kind == R_TRDROP || (rq.kind == R_REFRESH && rq.ck != CK_NONE &&
	    rq.ck != CK_ABSENT) || list_name(d, rq.v6) != NULL)
		return false;
	queue_remove(d, i);
	snprintf(why, sizeof(why), "%s: seq %u is in the %s list, and the "
	    "device has no %s any more", d->cf.name, rq.seq,
	    rq.v6 ? "IPv6" : "IPv4", list_key(rq.v6));
	finish(d, &rq, SPA_ERR_CONFIG, why);
	return true;
}

/* Requests of the next batch whose list is gone fail now. */
static void
drop_list_gone(struct device *d)
{
	size_t i;

	for (i = 0; i < d->nq && i < CISCO_BATCH_MAX; )
		if (!list_gone(d, i))
			i++;
}

static struct cisco_clock
device_clock(const struct device *d)
{
	struct cisco_clock clk = { ios_session_clock_offset(d->s),
	    time(NULL) };

	return clk;
}

static void
start_batch(struct device *d, int64_t now_ms)
{
	struct cisco_script *sc = &d->mod->sc;
	struct cisco_clock clk = device_clock(d);
	size_t n;
	int r;

	drop_list_gone(d);
	r = cisco_batch_lines(&d->cf, d->q, d->nq, &clk, sc, &n);
	if (n == 0)
		return;
	d->nbatch = n;		/* before: a session found closed calls on_down */
	if (r != 0 || ios_session_run(d->s, sc->v, sc->n, now_ms) != 0) {
		log_errx("cisco %s: cannot build the batch", d->cf.name);
		d->nbatch = 0;
		return;
	}
	log_debug("cisco %s: batch of %zu request%s (%zu lines)", d->cf.name,
	    n, n == 1 ? "" : "s", sc->n);
}

/* --- reading entries back ------------------------------------------------ */

/*
 * A removal, and an extension's check that the entry is still there,
 * act on what the device holds at the number now: each is read first
 * (cisco_needs_read), in one script.  False if none needs it.
 */
static bool
start_read(struct device *d, int64_t now_ms)
{
	struct cisco_script *sc = &d->mod->sc;
	size_t i;

	drop_list_gone(d);
	if (cisco_read_lines(&d->cf, d->q, d->nq, sc) == 0)
		return false;
	d->reading = true;		/* before: run may call on_down */
	if (ios_session_run(d->s, sc->v, sc->n, now_ms) != 0) {
		log_warnx("cisco %s: cannot build the read", d->cf.name);
		d->reading = false;
		for (i = 0; i < d->nq; i++)
			d->q[i].read_line = -1;
	}
	return true;
}

/* One listing read: what the device holds at the request's number. */
static void
on_answer(void *arg, size_t ln, const char *text)
{
	struct device *d = arg;
	char ace[IOS_LINE_MAX], hex[IOS_DIGEST_HEX + 1];
	struct cisco_req *rq = NULL;
	size_t i;

	for (i = 0; d->reading && i < d->nq && rq == NULL; i++)
		if (d->q[i].read_line == (int)ln)
			rq = &d->q[i];
	if (rq == NULL)
		return;
	if (text == NULL)
		rq->ck = CK_FAILED;
	else if (ios_acl_entry(text, rq->seq, rq->v6, ace, sizeof(ace)) == 0)
		rq->ck = CK_ABSENT;
	else if (ios_ace_digest(ace, rq->v6, hex, sizeof(hex)) == 0 &&
	    strcmp(hex, rq->digest) == 0)
		rq->ck = CK_MATCH;
	else {
		rq->ck = CK_OTHER;
		event_quote(ace, rq->detail, sizeof(rq->detail));
	}
}

/* Another entry holds the number: never ours to remove or replace. */
static void
left_alone(struct device *d, const struct cisco_req *rq, char *detail,
    size_t len)
{
	d->left_alone++;
	log_errx("cisco %s: seq %u holds %s, not the entry this cycle "
	    "added: %s", d->cf.name, rq->seq, rq->detail,
	    rq->kind == R_REFRESH ? "not added again" : "not removed");
	snprintf(detail, len, "%s: seq %u holds another entry: %s",
	    d->cf.name, rq->seq, rq->kind == R_REFRESH ? "not added again" :
	    "nothing removed");
}

/* Done with what was read (true), or on to the batch that acts on it. */
static bool
settle(struct device *d, size_t i, const char *answer)
{
	struct cisco_req rq = d->q[i];
	char detail[DETAIL_MAX];
	int r = 0;

	if (rq.ck == CK_NONE || (rq.ck == CK_MATCH && (rq.kind != R_REFRESH ||
	    rq.tr)) || (rq.ck == CK_ABSENT && rq.kind == R_REFRESH &&
	    rq.ace[0] != '\0'))
		return false;
	queue_remove(d, i);
	if (rq.ck == CK_OTHER) {
		left_alone(d, &rq, detail, sizeof(detail));
		r = rq.kind == R_CLOSE ? 0 : SPA_ERR_STATE;
	} else if (rq.ck == CK_FAILED) {
		snprintf(detail, sizeof(detail), "%s: seq %u cannot be read "
		    "back: %s", d->cf.name, rq.seq, answer != NULL ? answer :
		    "the listing is too long");
		r = SPA_ERR_ACTION;
	} else if (rq.ck == CK_MATCH)
		snprintf(detail, sizeof(detail), "%s seq %u present",
		    d->cf.name, rq.seq);
	else if (rq.kind == R_REFRESH) {
		log_errx("cisco %s: seq %u is gone, and the entry is not known "
		    "here (added before a restart): not added again",
		    d->cf.name, rq.seq);
		snprintf(detail, sizeof(detail), "%s: seq %u is gone",
		    d->cf.name, rq.seq);
		r = SPA_ERR_STATE;
	} else {
		log_info("cisco %s: seq %u is already absent", d->cf.name,
		    rq.seq);
		snprintf(detail, sizeof(detail), "%s seq %u already absent",
		    d->cf.name, rq.seq);
	}
	finish(d, &rq, r, detail);
	if (rq.ck == CK_OTHER)
		seq_hold(d, rq.seq);	/* someone else's: skip it */
	return true;
}

/* The read is over: each request is done, or goes on to the batch. */
static void
read_done(struct device *d, int failed, const char *answer)
{
	size_t i;

	d->reading = false;
	for (i = 0; i < d->nq; i++) {
		if (d->q[i].read_line >= 0 && d->q[i].ck == CK_NONE &&
		    failed >= 0 && d->q[i].read_line == failed)
			d->q[i].ck = CK_FAILED;
		d->q[i].read_line = -1;
	}
	for (i = 0; i < d->nq; )
		if (!settle(d, i, answer))
			i++;
	d->kick = true;
}

/* Whatever was read or checked is stale once the device was left. */
static void
forget_reads(struct device *d)
{
	size_t i;

	d->reading = false;
	for (i = 0; i < d->nq; i++) {
		d->q[i].read_line = -1;
		d->q[i].ck = CK_NONE;
	}
}

static void
session_new(struct device *d);

/* Apply a reload's settings once nothing is in flight. */
static void
apply_next(struct device *d)
{
	if (!d->has_next || d->nbatch != 0 || d->reading)
		return;
	ios_session_free(d->s);
	d->s = NULL;
	conf_cisco_clear(&d->cf);
	d->cf = d->next_cf;
	memset(&d->next_cf, 0, sizeof(d->next_cf));
	d->has_next = false;
	session_new(d);
}

/* Whatever can be done now: expire, connect, or run a batch. */
static void
pump(struct device *d, int64_t now_ms)
{
	d->kick = false;
	apply_next(d);
	if (d->s == NULL || d->nbatch != 0 || d->reading)
		return;
	fail_waiting(d, d->last_why[0] ? d->last_why :
	    "no session within the command's timeout", false, now_ms);
	if (d->nq == 0)
		return;
	if (!ios_session_connected(d->s)) {
		if (now_ms >= d->retry_ms)
			ios_session_connect(d->s, now_ms);
		return;
	}
	if (ios_session_idle(d->s) && !start_read(d, now_ms))
		start_batch(d, now_ms);
}

/* --- session callbacks --------------------------------------------------- */

static void
on_ready(void *arg)
{
	struct device *d = arg;

	d->backoff = 0;
	d->last_why[0] = '\0';
	d->kick = true;
	d->ready = true;
	log_info("cisco %s: logged in to %s port %u", d->cf.name, d->cf.host,
	    d->cf.port);
}

static bool
is_duplicate(const char *answer)
{
	return answer != NULL && strstr(answer, "Duplicate sequence") != NULL;
}

static const char *
done_word(const struct cisco_req *rq)
{
	if (rq->kind == R_REFRESH)
		return rq->ck == CK_ABSENT ? "added again" :
		    "time-range end moved";
	return rq->kind == R_OPEN ? "added" : "removed";
}

/*
 * An open refused after its time-range was made (the entry drew the '%'):
 * remove the time-range in the next batch, then fail the open.  Not for
 * a duplicate number: that entry and its time-range are not ours to undo
 * (a missing time-range would make it always active).
 */
static bool
drop_time_range(struct device *d, struct cisco_req *rq, int failed,
    const char *answer)
{
	if (rq->kind != R_OPEN || !d->cf.time_range ||
	    (size_t)failed <= rq->first || is_duplicate(answer))
		return false;
	rq->kind = R_TRDROP;
	rq->deadline_ms = -1;
	snprintf(rq->detail, sizeof(rq->detail), "%s: %s", d->cf.name, answer);
	log_info("cisco %s: seq %u refused: removing its time-range SPA-%u",
	    d->cf.name, rq->seq, rq->seq);
	return true;
}

static void
on_done(void *arg, int failed, const char *answer)
{
	struct device *d = arg;
	char detail[DETAIL_MAX];
	size_t i, n = d->nbatch, entries;
	struct cisco_req rq;
	int o;

	d->retried = false;		/* this session did its work */
	if (d->reading) {
		read_done(d, failed, answer);
		return;
	}
	entries = n > 0 ? d->q[n - 1].last + 1 : CISCO_PROLOGUE;
	if (failed >= 0 && (size_t)failed >= entries)
		log_warnx("cisco %s: after the batch: %s", d->cf.name, answer);
	d->nbatch = 0;
	for (i = 0; i < n; ) {
		o = cisco_outcome(&d->q[i], failed, entries);
		if (o > 0 || (o < 0 && drop_time_range(d, &d->q[i], failed,
		    answer))) {
			d->q[i++].ck = CK_NONE;	/* queued: read it again */
			continue;
		}
		rq = d->q[i];
		queue_remove(d, i);
		n--;
		if (o == 0) {
			snprintf(detail, sizeof(detail), "%s seq %u %s",
			    d->cf.name, rq.seq, done_word(&rq));
			finish(d, &rq, 0, detail);
			continue;
		}
		snprintf(detail, sizeof(detail), "%s: %s", d->cf.name, answer);
		finish(d, &rq, SPA_ERR_ACTION, detail);
		if (rq.kind == R_OPEN && is_duplicate(answer))
			seq_hold(d, rq.seq);	/* someone else's: skip it */
	}
	d->kick = true;
}

/* Requests in flight when the session dropped. */
static void
sort_out_batch(struct device *d, size_t answered, size_t sent)
{
	char detail[DETAIL_MAX];
	size_t i, n = d->nbatch;
	struct cisco_req rq;

	d->nbatch = 0;
	for (i = 0; i < n; ) {
		struct cisco_req *q = &d->q[i];

		if (sent > 0 && q->last < answered) {
			rq = *q;
			queue_remove(d, i);
			n--;
			snprintf(detail, sizeof(detail), "%s seq %u %s",
			    d->cf.name, rq.seq, done_word(&rq));
			finish(d, &rq, 0, detail);
			continue;
		}
		if (q->kind == R_OPEN && q->first < sent) {
			/* it may be on the device: take it off first */
			q->kind = R_CLEANUP;
			q->deadline_ms = -1;
			log_warnx("cisco %s: seq %u may have been added as the "
			    "session dropped: removing it", d->cf.name, q->seq);
		}
		i++;
	}
}

/*
 * A session that was up and is found closed before the device accepted a
 * line of what waits (IOS's exec-timeout ends idle sessions): once, a
 * fresh session at once, and nothing is lost.  Anything accepted is
 * never sent again.
 */
static bool
retry_fresh(struct device *d, bool was_ready, size_t answered,
    const char *why, int64_t now_ms)
{
	if (!was_ready || answered != 0 || d->retried)
		return false;
	d->retried = true;
	d->backoff = 0;
	d->retry_ms = now_ms;
	log_info("cisco %s: %s before the device accepted a line: retrying "
	    "once on a fresh session", d->cf.name, why);
	return true;
}

static void
on_down(void *arg, const char *why, size_t answered, size_t sent)
{
	struct device *d = arg;
	bool in_flight = d->nbatch != 0, was_ready = d->ready, reading, fresh;
	int64_t now_ms = mono_ms();

	d->ready = false;
	snprintf(d->last_why, sizeof(d->last_why), "%s", why);
	if (d->nq == 0) {
		log_info("cisco %s: session closed: %s", d->cf.name, why);
		d->backoff = 0;		/* idle: reconnect on demand */
		d->retry_ms = 0;
		return;
	}
	if (!(fresh = retry_fresh(d, was_ready, answered, why, now_ms))) {
		d->backoff = d->backoff == 0 ? 1 : d->backoff * 2 >
		    BACKOFF_MAX ? BACKOFF_MAX : d->backoff * 2;
		d->retry_ms = now_ms + (int64_t)d->backoff * 1000;
		log_warnx("cisco %s: %s; retrying in %u s", d->cf.name, why,
		    d->backoff);
	}
	reading = d->reading;
	forget_reads(d);		/* what was read is stale now */
	if (reading)
		;			/* nothing was changed: read again */
	else if (in_flight)
		sort_out_batch(d, answered, sent);
	else if (!fresh)
		fail_waiting(d, why, true, now_ms);	/* refused before use */
	d->kick = true;
}

static const struct ios_session_cbs session_cbs = {
	on_ready, on_done, on_down, on_answer,
};

static void
session_new(struct device *d)
{
	if ((d->s = ios_session_new(&d->cf, &session_cbs, d)) == NULL)
		log_errx("cisco %s: out of memory", d->cf.name);
}

/* --- the module ---------------------------------------------------------- */

/*
 * A configured device's name, or the shape of a device command
 * ("NAME permit|deny ..." or "NAME remove", NAME not a path): an unknown
 * device is then refused at load by cisco_check() instead of being run
 * as a program.  A program of that shape is run by its full path.
 */
static bool
cisco_claims(void *priv, const struct cmd_argv *argv)
{
	if (argv->argc < 1)
		return false;
	if (device_find(priv, argv->argv[0], true) != NULL)
		return true;
	return argv->argc >= 2 && strchr(argv->argv[0], '/') == NULL &&
	    (strcmp(argv->argv[1], "permit") == 0 ||
	    strcmp(argv->argv[1], "deny") == 0 ||
	    strcmp(argv->argv[1], "remove") == 0);
}

static bool
is_remove(const struct cmd_argv *argv)
{
	return argv->argc == 2 && strcmp(argv->argv[1], "remove") == 0;
}

/* Another gateway's "DEVICE remove" runs here if DEVICE is ours too. */
static bool
cisco_claimable(void *priv, const struct cmd_argv *close)
{
	return close->argc >= 1 && is_remove(close) &&
	    device_find(priv, close->argv[0], true) != NULL;
}

/* The entry's list (IPv6 if it has an IPv6 address); NULL if none. */
static const char *
entry_list(const struct device *d, const struct cmd_argv *argv, bool *v6)
{
	*v6 = ios_ace_family(argv->argv + 1, argv->argc - 1) == AF_INET6;
	return list_name(d, *v6);
}

static void
no_list_why(const struct device *d, bool v6, char *why, size_t whylen)
{
	snprintf(why, whylen, "%s: an %s entry needs %s, which this device "
	    "does not set in spagated.conf", d->cf.name, v6 ? "IPv6" : "IPv4",
	    list_key(v6));
}

static void
join_words(const struct cmd_argv *argv, size_t from, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = from; i < argv->argc && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i > from ? " " : "", argv->argv[i]);
}

/*
 * At load, for a sample grant of each family (see plan.c): a line fine
 * for one family passes; an entry needing a list the device lacks fails
 * for that family.
 */
static int
cisco_check(void *priv, const struct cmd_argv *argv, char *why,
    size_t whylen)
{
	char text[IOS_CMD_MAX], canon[IOS_CMD_MAX];
	const struct device *d;
	const char *bad;
	bool v6;

	if ((d = device_find(priv, argv->argv[0], true)) == NULL) {
		snprintf(why, whylen, "no Cisco device named '%s' in "
		    "spagated.conf (a program of that shape is run by its "
		    "full path)", argv->argv[0]);
		return SPA_ERR_CONFIG;
	}
	if (is_remove(argv))
		return 0;
	if ((bad = ios_ace_check(argv->argv + 1, argv->argc - 1)) == NULL) {
		if (entry_list(d, argv, &v6) == NULL) {
			snprintf(why, whylen, "device ");
			no_list_why(d, v6, why + strlen(why),
			    whylen - strlen(why));
			return SPA_ERR_CONFIG;
		}
		join_words(argv, 1, text, sizeof(text));
		if ((bad = ios_ace_canon(text, v6, canon,
		    sizeof(canon))) == NULL)
			return 0;
		snprintf(why, whylen, "device %s: %s: an entry is written in "
		    "full keywords, the options after the destination being "
		    "ports, established, log or log-input (spagated reads it "
		    "back before removing it)", argv->argv[0], bad);
		return SPA_ERR_CONFIG;
	}
	snprintf(why, whylen, "device %s: %s (an open is \"%s permit|deny "
	    "PROTO SRC DST ...\", a close \"%s remove\")", argv->argv[0], bad,
	    argv->argv[0], argv->argv[0]);
	return SPA_ERR_CONFIG;
}

/* Queue a request about entry `seq` for the next batch; NULL: no memory. */
static struct cisco_req *
queue_request(struct device *d, const struct action_req *req,
    enum req_kind kind, uint32_t seq, bool v6)
{
	struct cisco_req *rq;

	if ((rq = queue_push(d)) == NULL)
		return NULL;
	rq->job = req->job;
	rq->kind = kind;
	rq->seq = seq;
	rq->v6 = v6;
	rq->close_at = req->close_at;
	rq->read_line = -1;
	rq->deadline_ms = mono_ms() + req->timeout_ms;
	d->kick = true;
	return rq;
}

/* The open's entry, its list, and what the cycle records of it. */
static int
open_entry(struct device *d, const struct cmd_argv *argv, struct cisco_req *rq,
    char *why, size_t whylen)
{
	const char *bad = NULL;

	if (is_remove(argv) || (bad = ios_ace_check(argv->argv + 1,
	    argv->argc - 1)) != NULL) {
		snprintf(why, whylen, "%s: not an entry: %s", d->cf.name,
		    bad != NULL ? bad : "\"remove\" is a close");
		return SPA_ERR_ARG;
	}
	if (entry_list(d, argv, &rq->v6) == NULL) {
		no_list_why(d, rq->v6, why, whylen);
		return SPA_ERR_CONFIG;
	}
	join_words(argv, 1, rq->ace, sizeof(rq->ace));
	rq->tr = d->cf.time_range;
	if (cisco_entry_digest(rq, rq->digest, sizeof(rq->digest)) != 0) {
		snprintf(why, whylen, "%s: not an entry spagated can read "
		    "back", d->cf.name);
		return SPA_ERR_ARG;
	}
	return 0;
}

static int
cisco_open(void *priv, struct action_env *e, const struct action_req *req)
{
	struct cisco_mod *m = priv;
	struct cisco_entry ce = { .seq = 0 };
	char why[DETAIL_MAX];
	struct cisco_req want, *rq;
	struct device *d;
	int r;

	m->env = e;
	memset(&want, 0, sizeof(want));
	if ((d = device_find(m, req->argv->argv[0], true)) == NULL)
		return SPA_ERR_CONFIG;
	if ((r = open_entry(d, req->argv, &want, why, sizeof(why))) != 0 ||
	    (want.seq = cisco_seq_alloc(&d->seqs,
	    d->cf.seq_first, d->cf.seq_last)) == 0) {
		if (r == 0)
			snprintf(why, sizeof(why), "%s: no free sequence number "
			    "in %u..%u", d->cf.name, d->cf.seq_first,
			    d->cf.seq_last);
		action_done(e, req->job, r != 0 ? r : SPA_ERR_ACTION, why,
		    NULL);
		return 0;
	}
	/* the digest names the time-range, whose name is the number */
	if (cisco_entry_digest(&want, want.digest, sizeof(want.digest)) != 0 ||
	    (rq = queue_request(d, req, R_OPEN, want.seq, want.v6)) == NULL) {
		seq_release(d, want.seq);
		return SPA_ERR_NOMEM;
	}
	memcpy(rq->ace, want.ace, sizeof(rq->ace));
	memcpy(rq->digest, want.digest, sizeof(rq->digest));
	rq->tr = want.tr;
	snprintf(ce.device, sizeof(ce.device), "%s", d->cf.name);
	ce.seq = want.seq;
	ce.v6 = want.v6;
	memcpy(ce.digest, want.digest, sizeof(ce.digest));
	/* journaled by the executor before the next pass sends it */
	*req->data_len = (uint16_t)cisco_data_format(&ce, req->data,
	    ACTION_DATA_MAX);
	return 0;
}

/*
 * The entry a cycle's open recorded, and its device; NULL after
 * completing the request with the reason when they cannot be used.
 */
static struct device *
journaled_entry(const struct cisco_mod *m, struct action_env *e,
    const struct action_req *req, struct cisco_entry *ce)
{
	char why[DETAIL_MAX];
	const char *bad;
	struct device *d;

	if ((bad = cisco_data_parse(req->data, *req->data_len, ce)) != NULL) {
		snprintf(why, sizeof(why), "cisco: the cycle's record is not "
		    "one: %s", bad);
		action_done(e, req->job, SPA_ERR_STATE, why, NULL);
		return NULL;
	}
	if ((d = device_find(m, ce->device, false)) == NULL) {
		snprintf(why, sizeof(why), "device %s (seq %u) is not in "
		    "spagated.conf", ce->device, ce->seq);
		action_done(e, req->job, SPA_ERR_CONFIG, why, NULL);
	}
	return d;
}

/* A removal refused before asking the device: the cycle ends with it. */
static void
refuse_removal(struct action_env *e, struct device *d, uint64_t job,
    uint32_t seq, const char *why)
{
	char detail[DETAIL_MAX];

	d->left_alone++;
	log_errx("cisco %s: seq %u not removed: %s", d->cf.name, seq, why);
	snprintf(detail, sizeof(detail), "%s: seq %u left alone: %s",
	    d->cf.name, seq, why);
	action_done(e, job, 0, detail, NULL);
}

/*
 * Only an entry this device's configuration gives to spagated, read back
 * as the very entry the cycle recorded (see settle()), is removed.
 */
static int
cisco_close(void *priv, struct action_env *e, const struct action_req *req)
{
	struct cisco_mod *m = priv;
	struct cisco_entry ce;
	struct device *d;
	struct cisco_req *rq;

	m->env = e;
	if (*req->data_len == 0) {
		action_done(e, req->job, 0, "no entry was added", NULL);
		return 0;
	}
	if ((d = journaled_entry(m, e, req, &ce)) == NULL)
		return 0;
	if (ce.digest[0] == '\0')
		refuse_removal(e, d, req->job, ce.seq, "the cycle was recorded "
		    "without the entry's digest (by an older spagated): it "
		    "cannot be told from another entry; remove it by hand");
	else if (!conf_cisco_seq_known(&d->cf, ce.seq))
		refuse_removal(e, d, req->job, ce.seq, "outside this device's "
		    "seq_first..seq_last and fleet_ranges");
	else if ((rq = queue_request(d, req, R_CLOSE, ce.seq, ce.v6)) == NULL)
		return SPA_ERR_NOMEM;
	else {
		memcpy(rq->digest, ce.digest, sizeof(rq->digest));
		seq_hold(d, ce.seq);
	}
	return 0;
}

/* The entry to add again: the grant's own text, or the one kept here. */
static void
refresh_text(struct device *d, const struct action_req *req,
    struct cisco_req *rq)
{
	const struct cisco_held *h = cisco_seq_find(&d->seqs, rq->seq);
	struct cisco_req fresh;
	char why[DETAIL_MAX];

	memset(&fresh, 0, sizeof(fresh));
	fresh.seq = rq->seq;
	if (!is_remove(req->argv) && strcmp(req->argv->argv[0],
	    d->cf.name) == 0 && open_entry(d, req->argv, &fresh, why,
	    sizeof(why)) == 0 && fresh.v6 == rq->v6) {
		memcpy(rq->ace, fresh.ace, sizeof(rq->ace));
		rq->tr = fresh.tr;
	} else if (h != NULL && h->ace != NULL)
		snprintf(rq->ace, sizeof(rq->ace), "%s", h->ace);
	/* only the entry the cycle recorded is ever added again */
	if (rq->ace[0] != '\0' && (cisco_entry_digest(rq, fresh.digest,
	    sizeof(fresh.digest)) != 0 || strcmp(fresh.digest,
	    rq->digest) != 0))
		rq->ace[0] = '\0';
}

/*
 * A grant for a cycle already open: the entry is read back and added
 * again at its number if it has gone (an operator removed it), and with
 * time_range the end of its time-range moves to the new close.
 */
static int
cisco_refresh(void *priv, struct action_env *e, const struct action_req *req)
{
	struct cisco_mod *m = priv;
	struct cisco_entry ce;
	struct device *d;
	struct cisco_req *rq;

	m->env = e;
	if (*req->data_len == 0) {
		action_done(e, req->job, SPA_ERR_STATE, "cisco: no journaled "
		    "entry to refresh", NULL);
		return 0;
	}
	if ((d = journaled_entry(m, e, req, &ce)) == NULL)
		return 0;
	if (ce.digest[0] == '\0' || !conf_cisco_seq_known(&d->cf, ce.seq)) {
		action_done(e, req->job, SPA_ERR_STATE, "cisco: the cycle's "
		    "entry cannot be checked (no digest, or outside the "
		    "device's ranges)", NULL);
		return 0;
	}
	if ((rq = queue_request(d, req, R_REFRESH, ce.seq, ce.v6)) == NULL)
		return SPA_ERR_NOMEM;
	memcpy(rq->digest, ce.digest, sizeof(rq->digest));
	rq->tr = d->cf.time_range;
	refresh_text(d, req, rq);
	return 0;
}

static void
cisco_adopt(void *priv, const struct cmd_argv *close, const uint8_t *data,
    uint16_t len)
{
	struct cisco_entry ce;
	struct device *d;

	(void)close;
	if (cisco_data_parse(data, len, &ce) == NULL &&
	    (d = device_find(priv, ce.device, false)) != NULL)
		seq_hold(d, ce.seq);
}

static struct device *
device_add(struct cisco_mod *m, const struct conf_cisco *cf)
{
	struct device **nd, *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->mod = m;
	if (conf_cisco_dup(cf, &d->cf) != 0 ||
	    (nd = reallocarray(m->devs, m->ndevs + 1, sizeof(*nd))) == NULL) {
		conf_cisco_clear(&d->cf);
		free(d);
		return NULL;
	}
	m->devs = nd;
	m->devs[m->ndevs++] = d;
	session_new(d);
	return d;
}

/*
 * A device keeps its session and queue across reloads; new settings
 * apply when its batch is over.  A device no longer configured takes no
 * new opens but keeps its settings for the closes of its entries.
 */
/* Each device's algorithm lists name methods this libssh2 has. */
static int
check_methods(const struct spa_conf *conf, char *why, size_t whylen)
{
	const struct conf_cisco_list *l = conf_cisco_list(conf);
	const struct conf_cisco *cf;
	char text[768];
	size_t i;
	int r;

	for (i = 0; i < l->n; i++) {
		cf = &l->v[i];
		if ((r = ios_session_check_methods(cf, text, sizeof(text))) != 0) {
			snprintf(why, whylen, "%s:%d: cisco: device %s: %s",
			    conf->path != NULL ? conf->path : "spagated.conf",
			    cf->line, cf->name, text);
			return r;
		}
	}
	return 0;
}

static int
cisco_configure(void *priv, const struct spa_conf *conf, char *why,
    size_t whylen)
{
	const struct conf_cisco_list *l = conf_cisco_list(conf);
	struct cisco_mod *m = priv;
	struct device *d;
	size_t i;
	int r;

	/* libssh2's global state (counted): before any session, given
	   back when the instance is freed */
	if (!m->ssh_ready && l->n > 0) {
		if (libssh2_init(0) != 0) {
			snprintf(why, whylen, "cisco: libssh2_init failed");
			return SPA_ERR_SYS;
		}
		m->ssh_ready = true;
	}
	/* before anything changes: a refused configuration leaves none */
	if ((r = check_methods(conf, why, whylen)) != 0)
		return r;
	for (i = 0; i < m->ndevs; i++)
		m->devs[i]->configured = false;
	for (i = 0; i < l->n; i++) {
		if ((d = device_find(m, l->v[i].name, false)) == NULL) {
			if ((d = device_add(m, &l->v[i])) == NULL)
				goto nomem;
		} else {
			if (d->has_next)
				conf_cisco_clear(&d->next_cf);
			d->has_next = false;
			if (conf_cisco_dup(&l->v[i], &d->next_cf) != 0)
				goto nomem;
			d->has_next = true;
			d->kick = true;
		}
		d->configured = true;
	}
	return 0;
nomem:
	snprintf(why, whylen, "cisco: out of memory");
	return SPA_ERR_NOMEM;
}

static size_t
cisco_pollfds(void *priv, struct pollfd *pfd, size_t max)
{
	const struct cisco_mod *m = priv;
	size_t i, n = 0;

	for (i = 0; i < m->ndevs && n < max; i++)
		if (m->devs[i]->s != NULL)
			n += ios_session_pollfd(m->devs[i]->s, &pfd[n]);
	return n;
}

static bool
due(const struct device *d, const struct pollfd *pfd, size_t n,
    int64_t now_ms)
{
	struct pollfd mine;
	int64_t t;
	size_t i;

	if (d->s == NULL || ios_session_pollfd(d->s, &mine) == 0)
		return false;
	for (i = 0; i < n; i++)
		if (pfd[i].fd == mine.fd && pfd[i].revents != 0)
			return true;
	t = ios_session_deadline(d->s);
	return t >= 0 && now_ms >= t;
}

static void
cisco_dispatch(void *priv, struct action_env *e, const struct pollfd *pfd,
    size_t n, int64_t now_ms)
{
	struct cisco_mod *m = priv;
	struct device *d;
	size_t i;

	m->env = e;
	for (i = 0; i < m->ndevs; i++) {
		d = m->devs[i];
		if (due(d, pfd, n, now_ms))
			ios_session_step(d->s, now_ms);
		pump(d, now_ms);
		/* a callback may have made more work possible at once */
		while (d->kick)
			pump(d, now_ms);
	}
}

static int64_t
earliest(int64_t a, int64_t b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

static int
cisco_timeout_ms(void *priv, int64_t now_ms)
{
	const struct cisco_mod *m = priv;
	const struct device *d;
	int64_t t = -1;
	size_t i, j;

	for (i = 0; i < m->ndevs; i++) {
		d = m->devs[i];
		if (d->s == NULL)
			continue;
		t = earliest(t, ios_session_deadline(d->s));
		if (d->nq > 0 && !ios_session_connected(d->s))
			t = earliest(t, d->retry_ms);
		for (j = d->nbatch; j < d->nq; j++)
			t = earliest(t, d->q[j].deadline_ms);
		if (d->kick)
			t = now_ms;
	}
	if (t < 0)
		return -1;
	return t <= now_ms ? 0 : t - now_ms > INT32_MAX ? INT32_MAX :
	    (int)(t - now_ms);
}

static void
cisco_shutdown(void *priv)
{
	struct cisco_mod *m = priv;
	struct device *d;
	size_t i;

	for (i = 0; i < m->ndevs; i++) {
		d = m->devs[i];
		ios_session_free(d->s);
		conf_cisco_clear(&d->cf);
		if (d->has_next)
			conf_cisco_clear(&d->next_cf);
		free(d->q);
		cisco_seqs_free(&d->seqs);
		free(d);
	}
	free(m->devs);
	m->devs = NULL;
	m->ndevs = 0;
}

static int
cisco_create(void **priv)
{
	return (*priv = calloc(1, sizeof(struct cisco_mod))) == NULL ?
	    SPA_ERR_NOMEM : 0;
}

static void
cisco_free(void *priv)
{
	struct cisco_mod *m = priv;

	if (m == NULL)
		return;
	cisco_shutdown(m);
	if (m->ssh_ready)
		libssh2_exit();
	free(m);
}

const struct action_ops action_cisco = {
	.name = "cisco",
	.create = cisco_create,
	.claims = cisco_claims,
	.check = cisco_check,
	.open = cisco_open,
	.close = cisco_close,
	.open_is_idempotent = false,
	.refresh = cisco_refresh,
	.close_pairs_open = true,
	.claimable = cisco_claimable,
	.configure = cisco_configure,
	.adopt = cisco_adopt,
	.pollfds = cisco_pollfds,
	.dispatch = cisco_dispatch,
	.timeout_ms = cisco_timeout_ms,
	.shutdown = cisco_shutdown,
	.free = cisco_free,
};

/* Every Cisco instance of `t` counted together. */
void
cisco_get_stats(const struct action_table *t, struct cisco_stats *st)
{
	const struct cisco_mod *m;
	size_t i, j;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < t->n; i++) {
		if (t->v[i].ops != &action_cisco)
			continue;
		m = t->v[i].priv;
		st->devices += m->ndevs;
		for (j = 0; j < m->ndevs; j++)
			st->left_alone += m->devs[j]->left_alone;
	}
}
