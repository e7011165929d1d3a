/*
 * What the control socket's requests do (control_req.h has the protocol):
 * list the cycles, close some through the cycle engine, describe the
 * running daemon.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "control.h"
#include "cycle.h"
#include "executor.h"
#include "metrics.h"
#include "clock.h"
#include "spa.h"

/* One cycle: id source stanza proto/port module opened close_at state. */
static void
put_cycle(FILE *fp, const char *tag, const struct journal_rec *rec,
    const char *state)
{
	char a[ADDR_STRLEN];

	fprintf(fp, "%s %016" PRIx64 " %s %" PRIu32 " ", tag, rec->id,
	    addr_fmt(&rec->allow, a), rec->stanza);
	if (rec->proto == 0)
		fprintf(fp, "-");
	else
		fprintf(fp, "%s/%u", spa_proto_name(rec->proto),
		    (unsigned int)rec->port);
	fprintf(fp, " %s %" PRId64 " %" PRId64 " %s\n", rec->module,
	    rec->opened, rec->close_at, state);
}

static void
list_one(void *arg, const struct journal_rec *rec, const char *state)
{
	put_cycle(arg, "cycle", rec, state);
}

static void
closing_one(void *arg, const struct journal_rec *rec)
{
	put_cycle(arg, "closing", rec, "closing");
}

static void
close_cycles(struct executor *x, const struct control_req *req,
    const struct control_peer *peer, FILE *fp)
{
	struct cycles_sel sel = {
		.by = req->by == CONTROL_BY_ALL ? CYCLES_SEL_ALL :
		    req->by == CONTROL_BY_ID ? CYCLES_SEL_ID :
		    req->by == CONTROL_BY_SOURCE ? CYCLES_SEL_SOURCE :
		    CYCLES_SEL_STANZA,
		.id = req->id, .source = req->source, .stanza = req->stanza,
	};
	char who[96];

	if (x->stopping) {
		fprintf(fp, "error shutting down: every close is running\n");
		return;
	}
	snprintf(who, sizeof(who), "the control socket, uid %u (pid %ld)",
	    (unsigned int)peer->uid, (long)peer->pid);
	cycles_close_now(x->cycles, &sel, who, &x->loop.now, closing_one, fp);
	fprintf(fp, "ok\n");
}

/*
 * Every sample of the metrics file as it would be written now, one
 * "counter NAME VALUE" line each, and how old the verifier's part is:
 * spagate status shows counters no older than a second, or says so.
 */
static void
put_counters(struct executor *x, FILE *fp)
{
	struct metrics_exec ex;
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *mf;

	executor_refresh_stats(x);
	fprintf(fp, "status counters_age_ms %" PRId64 "\n", x->vstats_ms == 0 ?
	    (int64_t)-1 : mono_ms() - x->vstats_ms);
	executor_metrics_of(x, &ex);
	if ((mf = open_memstream(&text, &len)) == NULL)
		return;
	metrics_format(mf, &x->vstats, &ex);
	if (fclose(mf) != 0) {
		free(text);
		return;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (line[0] != '#')
			fprintf(fp, "counter %s\n", line);
	free(text);
}

static void
describe(struct executor *x, FILE *fp)
{
	struct cycles_stats cs;

	cycles_get_stats(x->cycles, &cs);
	fprintf(fp, "status pid %ld\n", (long)getpid());
	fprintf(fp, "status version %s\n", PACKAGE_VERSION);
	fprintf(fp, "status config %s\n", x->cli->config_file != NULL ?
	    x->cli->config_file : CONF_DEF_PATH);
	fprintf(fp, "status access %s\n", x->conf.access_folder != NULL ?
	    x->conf.access_folder : x->conf.access_file);
	fprintf(fp, "status state_dir %s\n", x->conf.state_dir);
	fprintf(fp, "status pid_file %s\n", x->conf.pid_file);
	fprintf(fp, "status stanzas %zu\n", x->access->n);
	fprintf(fp, "status verifier %s\n", executor_verifier_state(x));
	fprintf(fp, "status workers %zu\n", x->nw);
	fprintf(fp, "status open_cycles %zu\n", cs.open);
	fprintf(fp, "status jobs %zu\n", cs.jobs);
	fprintf(fp, "status grants %" PRIu64 "\n", x->opens);
	fprintf(fp, "status refused %" PRIu64 "\n", x->refused);
	fprintf(fp, "status closed %" PRIu64 "\n", cs.closed);
	put_counters(x, fp);
	fprintf(fp, "ok\n");
}

void
executor_control(void *arg, const struct control_req *req,
    const struct control_peer *peer, FILE *fp)
{
	struct executor *x = arg;

	switch (req->verb) {
	case CONTROL_LIST:
		cycles_list(x->cycles, list_one, fp);
		fprintf(fp, "ok\n");
		break;
	case CONTROL_STATUS:
		describe(x, fp);
		break;
	case CONTROL_CLOSE:
		close_cycles(x, req, peer, fp);
		break;
	}
}
