/*
 * The cycle engine's jobs: each command a module runs (an open, a
 * refresh, a close, an SPA command request) is a job until its module
 * reports it done; the completion goes to the state machine (cycle.c) or,
 * for a command request, to command.c.  See cycle_int.h.
 */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "action.h"
#include "array.h"
#include "conf.h"
#include "cycle_int.h"
#include "err.h"
#include "event.h"
#include "log.h"
#include "runner.h"

struct job *
job_new(struct cycles *c, enum job_kind kind, struct cycle *cy,
    uint32_t stanza, const char *what)
{
	struct job *j, *nj;

	if ((nj = array_room(c->jobs, &c->jobs_cap, c->njobs, sizeof(*nj),
	    16)) == NULL)
		return NULL;
	c->jobs = nj;
	j = &c->jobs[c->njobs++];
	memset(j, 0, sizeof(*j));
	j->id = c->next_job++;
	j->kind = kind;
	j->cycle = cy;
	j->stanza = stanza;
	snprintf(j->what, sizeof(j->what), "%s", what);
	return j;
}

/* Whether a job still runs (not yet reported through action_done). */
static bool
job_pending(const struct cycles *c, uint64_t id)
{
	size_t i;

	for (i = 0; i < c->njobs; i++)
		if (c->jobs[i].id == id)
			return true;
	return false;
}

/* Take a finished job out of the table (copied out: the table moves). */
static bool
job_take(struct cycles *c, uint64_t id, struct job *out)
{
	size_t i;

	for (i = 0; i < c->njobs; i++)
		if (c->jobs[i].id == id) {
			*out = c->jobs[i];
			c->jobs[i] = c->jobs[--c->njobs];
			return true;
		}
	return false;
}

static unsigned int
timeout_ms(const struct cycles *c, const struct stanza *st)
{
	unsigned int s = st != NULL && st->cmd_timeout != 0 ? st->cmd_timeout :
	    c->conf.command_timeout != 0 ? c->conf.command_timeout :
	    CONF_DEF_CMD_TIMEOUT;

	return s * 1000;
}

const struct stanza *
cycle_stanza_of(const struct cycles *c, uint32_t number)
{
	if (c->policy == NULL || number == 0 || number > c->policy->n)
		return NULL;
	return c->policy->stanzas[number - 1];
}

/*
 * State an open recorded (a sequence number) goes to the journal now; the
 * module sends nothing before the loop's next pass, and cycles_flush()
 * syncs the journal before that (see action.h).
 */
static void
journal_data(struct cycles *c, const struct cycle *cy)
{
	char what[128];

	if (cycle_put(c, cy) == 0) {
		c->data_unsynced = true;
		return;
	}
	cycle_describe(&cy->rec, what, sizeof(what));
	log_warnx("%s: cannot journal the module state: a restart would not "
	    "know what to close", what);
}

/*
 * Run one command through its module.  A module that cannot even start
 * reports through action_done like any other failure.
 */
void
job_run(struct cycles *c, const struct action_module *m, struct job *j,
    const struct cmd_argv *argv, const struct run_cred *cred,
    struct cycle *cy)
{
	uint16_t no_len = 0;	/* a command has no cycle to record data in;
				   modules write data only during the call */
	struct cycle_rec *rec = cy != NULL ? &cy->rec : NULL;
	struct action_req req = {
		.job = j->id, .argv = argv, .cred = cred,
		.timeout_ms = timeout_ms(c, cycle_stanza_of(c, j->stanza)),
		.data = rec != NULL ? rec->data : NULL,
		.data_len = rec != NULL ? &rec->data_len : &no_len,
		.close_at = cy != NULL ? cycle_object_close_at(cy) : 0,
		.held = j->kind == JOB_REFRESH ||
		    (cy != NULL && cycle_object_shared(cy)),
	};
	uint64_t id = j->id;
	enum job_kind kind = j->kind;
	char line[512];
	int r;

	/* exec's result says only how the program ended, where a native
	   module's names its own line: say what runs (the line formatted
	   only to be written: a word at a time, it costs a grant dearly) */
	if (strcmp(m->ops->name, "exec") == 0) {
		cmd_argv_format(argv, line, sizeof(line));
		log_info("%s: running %s", j->what, line);
	} else if (log_debug_on()) {
		cmd_argv_format(argv, line, sizeof(line));
		log_debug("%s: %s: %s", j->what, m->ops->name, line);
	}
	if (j->kind == JOB_CLOSE)
		r = m->ops->close(m->priv, &c->env, &req);
	else if (j->kind == JOB_REFRESH && m->ops->refresh != NULL)
		r = m->ops->refresh(m->priv, &c->env, &req); /* data unchanged */
	else
		r = m->ops->open(m->priv, &c->env, &req);
	/*
	 * An in-process module (ipset) reports before it returns: the job
	 * has left the table (`j` may point at another one) and a failed
	 * open has freed `cy`; cycle_open_done() journaled any state already.
	 */
	if (r != 0)
		action_done(&c->env, id, r, spa_strerror(r), NULL);
	else if (kind != JOB_CLOSE && cy != NULL && job_pending(c, id) &&
	    rec->data_len != 0)
		journal_data(c, cy);
}

/* --- completion ---------------------------------------------------------- */

static void
log_output(const char *what, const char *output)
{
	char q[RUNNER_OUTPUT_MAX * 4 + 3];

	if (output == NULL || output[0] == '\0')
		return;
	event_quote(output, q, sizeof(q));
	log_info("%s: output: %s", what, q);
}

/* A process the runner started has ended: its module reports it. */
void
job_run_done(void *arg, const struct run_result *res)
{
	struct cycles *c = arg;

	action_exec_finished(&c->env, res);
}

/* A job has ended: the state machine or command.c takes it from here. */
void
job_action_done(void *arg, const struct action_result *res)
{
	struct cycles *c = arg;
	int64_t now_s = cycle_wall_now(c);
	struct job j;

	if (!job_take(c, res->job, &j)) {
		log_warnx("completion for unknown job %" PRIu64, res->job);
		return;
	}
	log_output(j.what, res->output);
	switch (j.kind) {
	case JOB_OPEN:
	case JOB_REFRESH:
	case JOB_RESTORE:
		cycle_open_done(c, &j, res, now_s);
		break;
	case JOB_CLOSE:
		cycle_close_done(c, &j, res, now_s);
		break;
	case JOB_COMMAND:
		command_done(&j, res);
		break;
	}
}

size_t
cycles_busy(const struct cycles *c)
{
	return c->njobs;
}

unsigned int
cycles_longest_timeout_ms(const struct cycles *c)
{
	unsigned int t = timeout_ms(c, NULL), s;
	size_t i;

	for (i = 0; c->policy != NULL && i < c->policy->n; i++)
		if ((s = timeout_ms(c, c->policy->stanzas[i])) > t)
			t = s;
	return t;
}
