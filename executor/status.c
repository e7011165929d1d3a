/* spagated -S and spagate status (see status.h). */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
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
 * The lines the running executor keeps in the state directory: each
 * verifier worker's sandbox (from its last READY), and whether a replay
 * store cannot record (grants refused).
 */
static void
print_state_lines(const char *state_dir, const char *name, FILE *fp)
{
	char path[4096], line[4096 + 256];
	FILE *in;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", state_dir, name) >=
	    sizeof(path) || (in = safefile_read(path)) == NULL)
		return;
	while (fgets(line, sizeof(line), in) != NULL)
		fprintf(fp, "  %s", line);
	fclose(in);
}

/* A sample worth showing (n bytes): every one but reasons never seen. */
static int
interesting(const char *line, size_t n)
{
	if (n == 0 || line[0] == '#')
		return 0;
	return strncmp(line, "spagate_refused_total{", 22) != 0 ||
	    n < 2 || strncmp(line + n - 2, " 0", 2) != 0;
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
		if (interesting(line, strcspn(line, "\n")))
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

/*
 * What the daemon on the control socket says of itself: its "status KEY
 * VALUE" lines and its "counter NAME VALUE" lines, kept as "KEY VALUE".
 */
struct self {
	FILE	*sfp, *cfp;
	char	*status, *counters;
	size_t	 slen, clen;
	long	 pid;
	int64_t	 age_ms;	/* of the verifier's counters, -1 unknown */
	char	 pid_file[4096];
};

static void
self_line(void *arg, const char *line)
{
	struct self *sf = arg;
	const char *v;

	if (strncmp(line, "counter ", 8) == 0) {
		fprintf(sf->cfp, "%s\n", line + 8);
		return;
	}
	if (strncmp(line, "status ", 7) != 0 ||
	    (v = strchr(line + 7, ' ')) == NULL)
		return;
	if (strncmp(line + 7, "pid ", 4) == 0)
		sf->pid = strtol(v + 1, NULL, 10);
	else if (strncmp(line + 7, "counters_age_ms ", 16) == 0)
		sf->age_ms = strtoll(v + 1, NULL, 10);
	else {
		if (strncmp(line + 7, "pid_file ", 9) == 0)
			snprintf(sf->pid_file, sizeof(sf->pid_file), "%s", v + 1);
		fprintf(sf->sfp, "%s\n", line + 7);
	}
}

static void
self_free(struct self *sf)
{
	if (sf->sfp != NULL)
		fclose(sf->sfp);
	if (sf->cfp != NULL)
		fclose(sf->cfp);
	free(sf->status);
	free(sf->counters);
	memset(sf, 0, sizeof(*sf));
}

/* One "status" request; 0 if the daemon answered with its pid. */
static int
ask_self(const char *state_dir, struct self *sf, char *why, size_t len)
{
	int r;

	memset(sf, 0, sizeof(*sf));
	sf->age_ms = -1;
	if ((sf->sfp = open_memstream(&sf->status, &sf->slen)) == NULL ||
	    (sf->cfp = open_memstream(&sf->counters, &sf->clen)) == NULL)
		return -1;
	r = control_ask(state_dir, "status", self_line, sf, why, len);
	fclose(sf->sfp);
	fclose(sf->cfp);
	sf->sfp = sf->cfp = NULL;
	return r == 0 && sf->pid > 0 ? 0 : -1;
}

/*
 * The daemon's counters, the verifier's part no older than a second: a
 * request older than that makes the daemon ask its verifier, so ask
 * again, for up to a second, then show what there is with its age.
 */
static int
ask_fresh(const char *state_dir, struct self *sf, char *why, size_t len)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int i;

	for (i = 0; ask_self(state_dir, sf, why, len) == 0; i++) {
		if ((sf->age_ms >= 0 && sf->age_ms <= 1000) || i == 20)
			return 0;
		self_free(sf);
		nanosleep(&ts, NULL);
	}
	self_free(sf);
	return -1;
}

/*
 * The pid file and the state directory must name one daemon: the one
 * that answers in the state directory holds the pid file it reports; a
 * pid file given (-p) must be that one, and one held by another live
 * daemon never is.  0, or -1 after saying why.
 */
static int
same_daemon(const struct status_opts *o, const struct self *sf)
{
	char a[PATH_MAX], b[PATH_MAX];
	long pid = pidfile_running(o->pid_file);
	int same_file = realpath(o->pid_file, a) != NULL &&
	    realpath(sf->pid_file, b) != NULL && strcmp(a, b) == 0;

	if (pid > 0 && pid != sf->pid)
		fprintf(stderr, "spagate status: the pid file %s is held by "
		    "spagated pid %ld, but pid %ld answers in the state "
		    "directory %s: give the -p and -d of one daemon\n",
		    o->pid_file, pid, sf->pid, o->state_dir);
	else if (o->pid_file_given && !same_file)
		fprintf(stderr, "spagate status: the spagated answering in the "
		    "state directory %s (pid %ld) holds the pid file %s, not "
		    "%s: give the -p and -d of one daemon\n", o->state_dir,
		    sf->pid, sf->pid_file, o->pid_file);
	else
		return 0;
	return -1;
}

/* "KEY VALUE" lines as JSON members, a VALUE of digits as a number. */
static void
json_members(FILE *fp, char *text)
{
	char *line, *v, *save = NULL;
	const char *sep = "";

	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((v = strrchr(line, ' ')) == NULL)
			continue;
		if (strncmp(line, "spagate_", 8) != 0 &&
		    (v = strchr(line, ' ')) == NULL)
			continue;
		fprintf(fp, "%s\n    ", sep);
		control_json_str(fp, line, (size_t)(v - line));
		fputs(": ", fp);
		if (v[1] != '\0' && strspn(v + 1, "0123456789") == strlen(v + 1))
			fputs(v + 1, fp);
		else
			control_json_str(fp, v + 1, strlen(v + 1));
		sep = ",";
	}
}

/* Its own lines, its open cycles as spagate list --json gives them (null:
   no answer to that request), its counters. */
static void
json_running(const struct status_opts *o, const struct self *sf, FILE *fp)
{
	char why[4200];

	fprintf(fp, "{\n  \"running\": true,\n  \"answers\": true,\n"
	    "  \"pid\": %ld,\n  \"daemon\": {", sf->pid);
	json_members(fp, sf->status);
	fprintf(fp, "\n  },\n  \"cycles\": ");
	if (control_cycles_json(o->state_dir, 1, fp, why, sizeof(why)) != 0)
		fprintf(fp, "null");
	fprintf(fp, ",\n  \"counters_age_ms\": %" PRId64 ",\n"
	    "  \"counters\": {", sf->age_ms);
	json_members(fp, sf->counters);
	fprintf(fp, "\n  }\n}\n");
}

static void
text_running(const struct status_opts *o, const struct self *sf, FILE *fp)
{
	const char *p, *sp, *lf;

	fprintf(fp, "spagated is running (pid %ld)\n  answers on %s/%s\n",
	    sf->pid, o->state_dir, CONTROL_SOCKET);
	for (p = sf->status; (lf = strchr(p, '\n')) != NULL; p = lf + 1)
		if ((sp = memchr(p, ' ', (size_t)(lf - p))) != NULL)
			fprintf(fp, "  %.*s: %.*s\n", (int)(sp - p), p,
			    (int)(lf - sp - 1), sp + 1);
	print_state_lines(o->state_dir, EXECUTOR_SANDBOX_FILE, fp);
	print_state_lines(o->state_dir, EXECUTOR_REPLAY_FILE, fp);
	print_policy_errors(o->state_dir, fp);
	print_cycles(o->state_dir, fp);
	if (sf->age_ms >= 0)
		fprintf(fp, "counters (from spagated now; the verifier's "
		    "%" PRId64 " ms old):\n", sf->age_ms);
	else
		fprintf(fp, "counters (from spagated now; the verifier has "
		    "sent none yet):\n");
	for (p = sf->counters; (lf = strchr(p, '\n')) != NULL; p = lf + 1)
		if (interesting(p, (size_t)(lf - p)))
			fprintf(fp, "  %.*s\n", (int)(lf - p), p);
}

/* No daemon answers: whether one holds the pid file. */
static long
not_answering(const struct status_opts *o, const char *why, FILE *fp)
{
	long pid = pidfile_running(o->pid_file);

	if (o->json) {
		fprintf(fp, "{\n  \"running\": %s,\n  \"answers\": false,\n"
		    "  \"pid\": %ld,\n  \"why\": ", pid > 0 ? "true" : "false",
		    pid > 0 ? pid : 0);
		control_json_str(fp, why, strlen(why));
		fprintf(fp, "\n}\n");
		return pid;
	}
	if (pid <= 0)
		fprintf(fp, "spagated is not running\n");
	else
		fprintf(fp, "spagated is running (pid %ld)\n  but does not "
		    "answer on its control socket (%s)\n", pid, why);
	if (pid > 0) {	/* what it last wrote of its state */
		print_state_lines(o->state_dir, EXECUTOR_SANDBOX_FILE, fp);
		print_state_lines(o->state_dir, EXECUTOR_REPLAY_FILE, fp);
	}
	print_cycles(o->state_dir, fp);
	print_metrics(o, fp);
	return pid;
}

int
status_report(const struct status_opts *o, FILE *fp)
{
	struct self sf;
	char why[4200] = "no answer";
	int r = 0;

	if (ask_fresh(o->state_dir, &sf, why, sizeof(why)) != 0)
		return not_answering(o, why, fp) > 0 ? 0 : 1;
	if (same_daemon(o, &sf) != 0)
		r = 2;
	else if (o->json)
		json_running(o, &sf, fp);
	else
		text_running(o, &sf, fp);
	self_free(&sf);
	return r;
}
