/*
 * A cycle's record: kept packed in memory, in the journal's form when it
 * is written or shown, and how log lines name a cycle.  See cycle_int.h.
 */
#include "config.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "cycle_int.h"
#include "err.h"
#include "journal.h"

/* --- a cycle's record ---------------------------------------------------- */

int
cycle_argv_pack(struct packed_argv *pk, const struct cmd_argv *a)
{
	size_t len = 0, i;

	for (i = 0; i < a->argc; i++)
		len += strlen(a->argv[i]) + 1;
	if (len == 0 || len > UINT16_MAX || (pk->words = malloc(len)) == NULL)
		return SPA_ERR_ARG;
	memcpy(pk->words, a->buf, len);
	pk->len = (uint16_t)len;
	pk->argc = (uint16_t)a->argc;
	return 0;
}

/* The packed words back as an argv (cmd_argv keeps them contiguous). */
void
cycle_argv_unpack(const struct packed_argv *pk, struct cmd_argv *out)
{
	memset(out, 0, offsetof(struct cmd_argv, buf));
	if (pk->words == NULL || pk->len > sizeof(out->buf))
		return;
	memcpy(out->buf, pk->words, pk->len);
	out->argc = pk->argc;
	if (cmd_argv_relink(out) != 0)
		out->argc = 0;
}

/* The journal's form of a cycle, in `out`. */
void
cycle_rec_fill(const struct cycle *cy, struct journal_rec *out)
{
	const struct cycle_rec *rec = &cy->rec;

	memset(out, 0, offsetof(struct journal_rec, close));
	out->id = rec->id;
	out->stanza = rec->stanza;
	snprintf(out->module, sizeof(out->module), "%s",
	    rec->has_close ? cy->close_ops->ops->name : "none");
	out->allow = rec->allow;
	out->proto = rec->proto;
	out->port = rec->port;
	out->opened = rec->opened;
	out->close_at = rec->close_at;
	out->has_close = rec->has_close;
	cycle_argv_unpack(&rec->close, &out->close);
	memcpy(out->data, rec->data, rec->data_len);
	out->data_len = rec->data_len;
	out->reopens = rec->reopens;
	memcpy(out->absent, rec->absent, rec->nabsent);
	out->nabsent = rec->nabsent;
}

/* A journaled record as a cycle keeps it. */
int
cycle_rec_unfill(struct cycle_rec *rec, const struct journal_rec *in)
{
	rec->id = in->id;
	rec->stanza = in->stanza;
	rec->allow = in->allow;
	rec->proto = in->proto;
	rec->port = in->port;
	rec->opened = in->opened;
	rec->close_at = in->close_at;
	rec->has_close = in->has_close;
	memcpy(rec->data, in->data, in->data_len);
	rec->data_len = in->data_len;
	rec->reopens = in->reopens;
	memcpy(rec->absent, in->absent, in->nabsent);
	rec->nabsent = in->nabsent;
	return in->has_close ? cycle_argv_pack(&rec->close, &in->close) : 0;
}

static int
put_rec(struct cycles *c, const struct cycle *cy, bool held)
{
	int r;

	cycle_rec_fill(cy, c->scratch);
	r = held ? journal_put_held(c->journal, c->scratch) :
	    journal_put(c->journal, c->scratch);
	if (r == 0 && c->obs.put != NULL)
		c->obs.put(c->obs.arg, c->scratch);
	return r;
}

int
cycle_put(struct cycles *c, const struct cycle *cy)
{
	return put_rec(c, cy, false);
}

int
cycle_put_held(struct cycles *c, const struct cycle *cy)
{
	return put_rec(c, cy, true);
}

void
cycle_pending_free(struct pending_grant *pg)
{
	struct pending_grant *next;

	for (; pg != NULL; pg = next) {
		next = pg->next;
		free(pg);
	}
}

void
cycle_free(struct cycle *cy)
{
	if (cy == NULL)
		return;
	free(cy->rec.close.words);
	free(cy->refresh_argv.words);
	free(cy->open.words);
	cycle_pending_free(cy->pending);
	free(cy);
}

/* --- log lines ----------------------------------------------------------- */

const char *
cycle_fmt_time(int64_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, 32, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, 32, "%" PRId64, t);
	return buf;
}

/* "stanza #3 192.0.2.10 tcp/22" */
static void
describe(uint32_t stanza, const struct spa_addr *allow, uint8_t proto,
    uint16_t port, char *buf, size_t len)
{
	char a[ADDR_STRLEN];

	snprintf(buf, len, "stanza #%u %s %s/%u", stanza, addr_fmt(allow, a),
	    spa_proto_name(proto), port);
}

void
cycle_describe(const struct cycle_rec *rec, char *buf, size_t len)
{
	describe(rec->stanza, &rec->allow, rec->proto, rec->port, buf, len);
}

void
cycle_describe_rec(const struct journal_rec *rec, char *buf, size_t len)
{
	describe(rec->stanza, &rec->allow, rec->proto, rec->port, buf, len);
}

static int
by_close_time(const void *a, const void *b)
{
	const struct journal_rec *x = *(const struct journal_rec *const *)a;
	const struct journal_rec *y = *(const struct journal_rec *const *)b;

	return x->close_at < y->close_at ? -1 : x->close_at > y->close_at;
}

void
cycles_print(const struct journal_rec *const *recs, size_t n, int64_t now_s,
    FILE *fp)
{
	const struct journal_rec **v;
	char what[128], t[32], line[512];
	size_t i;

	fprintf(fp, "%zu open cycle%s\n", n, n == 1 ? "" : "s");
	if (n == 0 || (v = calloc(n, sizeof(*v))) == NULL)
		return;
	memcpy(v, recs, n * sizeof(*v));
	qsort(v, n, sizeof(*v), by_close_time);
	for (i = 0; i < n; i++) {
		cycle_describe_rec(v[i], what, sizeof(what));
		if (v[i]->has_close)
			cmd_argv_format(&v[i]->close, line, sizeof(line));
		else
			snprintf(line, sizeof(line), "(none)");
		fprintf(fp, "  %s  close at %s (%s%" PRId64 " s)  %s: %s\n",
		    what, cycle_fmt_time(v[i]->close_at, t),
		    v[i]->close_at >= now_s ? "in " : "overdue by ",
		    v[i]->close_at >= now_s ? v[i]->close_at - now_s :
		    now_s - v[i]->close_at, v[i]->module, line);
	}
	free(v);
}
