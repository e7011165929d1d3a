/* spagated -S and spagate status (see status.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "array.h"
#include "control_client.h"
#include "cycle.h"
#include "err.h"
#include "executor.h"
#include "journal.h"
#include "pidfile.h"
#include "safefile.h"
#include "status.h"

/* Open cycles straight from the journal: works whether or not it runs. */
struct status_recs {
	struct journal_rec	**v;
	size_t			  n;
	size_t			  cap;
};

static int
collect_rec(void *arg, const struct journal_rec *rec)
{
	struct status_recs *sr = arg;
	struct journal_rec **nv;

	if ((nv = array_room(sr->v, &sr->cap, sr->n, sizeof(*nv), 16)) == NULL)
		return SPA_ERR_NOMEM;
	sr->v = nv;
	if ((sr->v[sr->n] = malloc(sizeof(*rec))) == NULL)
		return SPA_ERR_NOMEM;
	/*
	 * The copy's close.argv still points into `rec`, journal_load()'s
	 * scratch record, reused for the next record and freed before
	 * cycles_print() reads it: point it into the copy's own buffer.
	 */
	*sr->v[sr->n] = *rec;
	if (cmd_argv_relink(&sr->v[sr->n]->close) != 0) {
		free(sr->v[sr->n]);
		return SPA_ERR_STATE;
	}
	sr->n++;
	return 0;
}

static void
print_cycles(const char *state_dir, FILE *fp)
{
	struct status_recs sr = { NULL, 0, 0 };
	struct journal *j = NULL;
	char dir[4096];
	size_t i;

	snprintf(dir, sizeof(dir), "%s/cycles", state_dir);
	if (journal_open_readonly(dir, &j) != 0 ||
	    journal_load(j, collect_rec, &sr) != 0) {
		fprintf(fp, "journal %s: cannot be read\n", dir);
	} else {
		cycles_print((const struct journal_rec *const *)sr.v, sr.n,
		    time(NULL), fp);
	}
	for (i = 0; i < sr.n; i++)
		free(sr.v[i]);
	free(sr.v);
	journal_close(j);
}

/*
 * A line the running executor keeps in the state directory: the
 * verifier's sandbox (from its last READY), and whether its replay store
 * cannot record (grants refused).
 */
static void
print_state_line(const char *state_dir, const char *name, FILE *fp)
{
	char path[4096], line[4096 + 256];
	FILE *in;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", state_dir, name) >=
	    sizeof(path) || (in = safefile_read(path)) == NULL)
		return;
	if (fgets(line, sizeof(line), in) != NULL)
		fprintf(fp, "  %s", line);
	fclose(in);
}

/* A sample worth showing: every one but the reasons never seen. */
static int
interesting(const char *line)
{
	const char *sp = strrchr(line, ' ');

	if (line[0] == '#' || sp == NULL)
		return 0;
	return strncmp(line, "spagate_refused_total{", 22) != 0 ||
	    strcmp(sp, " 0\n") != 0;
}

static void
print_metrics(const struct status_opts *o, FILE *fp)
{
	char line[512];
	struct stat st;
	FILE *in;

	if (o->metrics_file == NULL) {
		if (o->metrics_hint != NULL)
			fprintf(fp, "counters: off (%s)\n", o->metrics_hint);
		return;
	}
	if ((in = safefile_read(o->metrics_file)) == NULL ||
	    fstat(fileno(in), &st) != 0) {
		fprintf(fp, "counters: %s cannot be read (written while "
		    "spagated runs)\n", o->metrics_file);
		if (in != NULL)
			fclose(in);
		return;
	}
	fprintf(fp, "counters (%s, written %" PRId64 " s ago):\n",
	    o->metrics_file, (int64_t)(time(NULL) - st.st_mtime));
	while (fgets(line, sizeof(line), in) != NULL)
		if (interesting(line))
			fprintf(fp, "  %s", line);
	fclose(in);
}

/* The per-user files the running policy disabled (executor.c writes it). */
static void
print_policy_errors(const char *state_dir, FILE *fp)
{
	char path[4096], line[1024];
	FILE *in;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", state_dir,
	    EXECUTOR_POLICY_FILE) >= sizeof(path) ||
	    (in = safefile_read(path)) == NULL)
		return;
	fprintf(fp, "policy: per-user files with errors, their stanzas refuse "
	    "every packet:\n");
	while (fgets(line, sizeof(line), in) != NULL)
		fprintf(fp, "  %s", line);
	fclose(in);
}

/* The daemon's own "status KEY VALUE" lines, as "  KEY: VALUE". */
struct self {
	FILE	*fp;
	long	 pid;
};

static void
self_line(void *arg, const char *line)
{
	struct self *sf = arg;
	const char *v;
	char *end;

	if (strncmp(line, "status ", 7) != 0 ||
	    (v = strchr(line + 7, ' ')) == NULL)
		return;
	if (strncmp(line + 7, "pid ", 4) == 0)
		sf->pid = strtol(v + 1, &end, 10);
	else
		fprintf(sf->fp, "  %.*s: %s\n", (int)(v - line - 7), line + 7,
		    v + 1);
}

/*
 * Whom the control socket reaches: that daemon describes itself.  With
 * no answer, the pid file's lock says whether one runs.  Its pid, or 0.
 */
static long
print_daemon(const struct status_opts *o, FILE *fp)
{
	struct self sf = { NULL, 0 };
	char *text = NULL, why[4200] = "no answer";
	size_t len = 0;
	long pid;

	if ((sf.fp = open_memstream(&text, &len)) == NULL)
		return 0;
	if (control_ask(o->state_dir, "status", self_line, &sf, why,
	    sizeof(why)) == 0 && sf.pid > 0) {
		fclose(sf.fp);
		fprintf(fp, "spagated is running (pid %ld)\n  answers on "
		    "%s/%s\n%s", sf.pid, o->state_dir, CONTROL_SOCKET, text);
		free(text);
		return sf.pid;
	}
	fclose(sf.fp);
	free(text);
	if ((pid = pidfile_running(o->pid_file)) <= 0) {
		fprintf(fp, "spagated is not running\n");
		return 0;
	}
	fprintf(fp, "spagated is running (pid %ld)\n  but does not answer "
	    "on its control socket (%s)\n", pid, why);
	return pid;
}

int
status_report(const struct status_opts *o, FILE *fp)
{
	long pid = print_daemon(o, fp);

	if (pid > 0) {
		print_state_line(o->state_dir, EXECUTOR_SANDBOX_FILE, fp);
		print_state_line(o->state_dir, EXECUTOR_REPLAY_FILE, fp);
		print_policy_errors(o->state_dir, fp);
	}
	print_cycles(o->state_dir, fp);
	print_metrics(o, fp);
	return pid > 0 ? 0 : 1;
}
