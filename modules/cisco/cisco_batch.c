/*
 * The lines the Cisco module sends, and what a refused line means for
 * each request of a batch.  See cisco_batch.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cisco_batch.h"
#include "log.h"

#define REQ_LINES_MAX	6	/* the most one request takes */

int
cisco_line(struct cisco_script *sc, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sc->n >= IOS_SCRIPT_MAX)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(sc->buf[sc->n], IOS_CMD_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= IOS_CMD_MAX)
		return -1;
	sc->v[sc->n] = sc->buf[sc->n];
	sc->n++;
	return 0;
}

/*
 * Into the request's list, unless the line before left the session there
 * (IOS reads a global command typed in a list's mode, and then stays in
 * global configuration).
 */
static int
enter_list(const struct conf_cisco *cf, const struct cisco_req *rq,
    struct cisco_script *sc)
{
	int want = rq->v6 ? AF_INET6 : AF_INET;

	if (sc->in_list == want)
		return 0;
	sc->in_list = want;
	return rq->v6 ? cisco_line(sc, "ipv6 access-list %s", cf->acl6) :
	    cisco_line(sc, "ip access-list extended %s", cf->acl);
}

/*
 * time-range SPA-<seq> ending after the close, on the device's clock.
 * IOS takes no date after 2035: a later end is capped there, and once the
 * device's clock is past it the time-range gets no end at all (the close
 * alone then ends access); both are said.
 */
static int
time_range_lines(const struct conf_cisco *cf, const struct cisco_req *rq,
    const struct cisco_clock *clk, struct cisco_script *sc)
{
	char end[64];
	int r = 0, e;

	if ((e = ios_absolute_end((time_t)rq->close_at + CISCO_TR_GRACE + 59,
	    clk->offset, end, sizeof(end))) < 0)
		return -1;
	if (e == IOS_END_CAPPED && clk->now_s + clk->offset >= IOS_END_MAX) {
		log_warnx("cisco %s: the device's clock is past 31 December "
		    "2035, the last date IOS takes: time-range SPA-%u gets no "
		    "end (the close still removes the entry)", cf->name,
		    rq->seq);
		snprintf(end, sizeof(end), "no absolute");
	} else if (e == IOS_END_CAPPED)
		log_warnx("cisco %s: time-range SPA-%u would end after 31 "
		    "December 2035, the last date IOS takes: it ends then",
		    cf->name, rq->seq);
	r |= cisco_line(sc, "time-range SPA-%u", rq->seq);
	r |= cisco_line(sc, "%s", end);		/* replaces an earlier end */
	sc->in_list = 0;
	return r;
}

/* The entry: IPv6 lists take "sequence" before the number. */
static int
entry_line(const struct cisco_req *rq, struct cisco_script *sc)
{
	char tr[32] = "";

	if (rq->tr)
		snprintf(tr, sizeof(tr), " time-range SPA-%u", rq->seq);
	return cisco_line(sc, "%s%u %s%s", rq->v6 ? "sequence " : "",
	    rq->seq, rq->ace, tr);
}

int
cisco_entry_digest(const struct cisco_req *rq, char *hex, size_t len)
{
	char text[IOS_CMD_MAX + 32];

	snprintf(text, sizeof(text), "%s", rq->ace);
	if (rq->tr)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    " time-range SPA-%u", rq->seq);
	return ios_ace_digest(text, rq->v6, hex, len);
}

static int
removal_lines(const struct conf_cisco *cf, const struct cisco_req *rq,
    struct cisco_script *sc)
{
	int r;

	r = enter_list(cf, rq, sc);
	r |= cisco_line(sc, "no %s%u", rq->v6 ? "sequence " : "", rq->seq);
	if (cf->time_range) {
		/* after the entry, never before it */
		r |= cisco_line(sc, "no time-range SPA-%u", rq->seq);
		sc->in_list = 0;
	}
	return r;
}

int
cisco_request_lines(const struct conf_cisco *cf, struct cisco_req *rq,
    const struct cisco_clock *clk, struct cisco_script *sc)
{
	int r = 0;

	rq->first = sc->n;
	if (rq->kind == R_OPEN || (rq->kind == R_REFRESH &&
	    rq->ck == CK_ABSENT)) {
		/* the range first: an entry naming a missing one is active */
		if (rq->tr)
			r |= time_range_lines(cf, rq, clk, sc);
		r |= enter_list(cf, rq, sc);
		r |= entry_line(rq, sc);
	} else if (rq->kind == R_REFRESH)
		r |= time_range_lines(cf, rq, clk, sc);
	else if (rq->kind == R_TRDROP) {
		r |= cisco_line(sc, "no time-range SPA-%u", rq->seq);
		sc->in_list = 0;
	} else
		r |= removal_lines(cf, rq, sc);
	rq->last = sc->n - 1;
	return r;
}

int
cisco_batch_lines(const struct conf_cisco *cf, struct cisco_req *q, size_t n,
    const struct cisco_clock *clk, struct cisco_script *sc, size_t *taken)
{
	size_t i;
	int r;

	sc->n = 0;
	sc->in_list = 0;
	r = cisco_line(sc, "configure terminal");
	for (i = 0; i < n && i < CISCO_BATCH_MAX && r == 0; i++) {
		if (sc->n + REQ_LINES_MAX + 2 > IOS_SCRIPT_MAX)
			break;		/* room for end and write memory */
		r |= cisco_request_lines(cf, &q[i], clk, sc);
	}
	*taken = i;
	if (i == 0)
		return 0;
	r |= cisco_line(sc, "end");
	if (cf->save_config)
		r |= cisco_line(sc, "write memory");
	return r != 0 ? -1 : 0;
}

bool
cisco_needs_read(const struct cisco_req *rq)
{
	return rq->ck == CK_NONE && (rq->kind == R_CLOSE ||
	    rq->kind == R_CLEANUP || rq->kind == R_REFRESH);
}

/* The listing of that one number (the device filters: lists are long). */
static int
read_line(const struct conf_cisco *cf, const struct cisco_req *rq,
    struct cisco_script *sc)
{
	return rq->v6 ? cisco_line(sc, "show ipv6 access-list %s | include "
	    "sequence %u$", cf->acl6, rq->seq) : cisco_line(sc, "show ip "
	    "access-lists %s | include ^ +%u [pd]", cf->acl, rq->seq);
}

size_t
cisco_read_lines(const struct conf_cisco *cf, struct cisco_req *q, size_t n,
    struct cisco_script *sc)
{
	size_t i, reads = 0;

	sc->n = 0;
	sc->in_list = 0;
	for (i = 0; i < n && i < CISCO_BATCH_MAX; i++)
		if (cisco_needs_read(&q[i]) && read_line(cf, &q[i], sc) == 0) {
			q[i].read_line = (int)sc->n - 1;
			reads++;
		}
	return reads;
}

int
cisco_outcome(const struct cisco_req *rq, int failed, size_t entries)
{
	if (failed < 0 || (size_t)failed >= entries)
		return 0;			/* all, or only end/write */
	if ((size_t)failed < CISCO_PROLOGUE || ((size_t)failed >= rq->first &&
	    (size_t)failed <= rq->last))
		return -1;			/* refused */
	return (size_t)failed > rq->last ? 0 : 1;	/* 1: not run */
}
