/*
 * SPA command requests: the command a client sent, run by the exec
 * module as a job of its own (no cycle, nothing to close), directly or
 * through sudo.  See cycle_int.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "action.h"
#include "command.h"
#include "conf.h"
#include "cycle_int.h"
#include "event.h"
#include "log.h"
#include "runner.h"
#include "subst.h"

int
command_argv(const char *sudo_exe, const struct stanza *st,
    const struct cmd_argv *words, struct cmd_argv *out)
{
	const char *w[8];
	size_t n = 0;

	if (!st->enable_cmd_sudo_exec)
		return cmd_argv_from(out, (const char *[]){ NULL }, words);
	w[n++] = sudo_exe != NULL ? sudo_exe : CONF_DEF_SUDO;
	w[n++] = "-n";
	if (st->cmd_sudo_exec_user.name != NULL) {
		w[n++] = "-u";
		w[n++] = st->cmd_sudo_exec_user.name;
	}
	if (st->cmd_sudo_exec_group.name != NULL) {
		w[n++] = "-g";
		w[n++] = st->cmd_sudo_exec_group.name;
	}
	w[n++] = "--";
	w[n] = NULL;
	return cmd_argv_from(out, w, words);
}

static void
exec_cred(const struct stanza *st, struct run_cred *cred)
{
	memset(cred, 0, sizeof(*cred));
	if (st->cmd_exec_user.name == NULL && st->cmd_exec_group.name == NULL)
		return;
	cred->set = true;
	cred->uid = st->cmd_exec_user.name != NULL ? st->cmd_exec_user.uid : 0;
	cred->gid = st->cmd_exec_group.name != NULL ? st->cmd_exec_group.gid :
	    st->cmd_exec_user.gid;
	cred->user = st->cmd_exec_user.name;
}

void
command_run(struct cycles *c, const struct stanza *st,
    const struct spa_event *ev)
{
	const struct action_module *exec =
	    action_table_by_name(c->modules, "exec");
	struct cmd_argv words, argv;
	struct run_cred cred;
	char what[128], a[ADDR_STRLEN], q[SPA_FIELD_MAX * 4 + 3];
	struct job *j;

	snprintf(what, sizeof(what), "stanza #%u %s command", st->number,
	    addr_fmt(&ev->allow, a));
	event_quote(ev->command, q, sizeof(q));
	if (exec == NULL) {
		log_errx("%s %s: no exec module runs commands: refused", what,
		    q);
		return;
	}
	if (cmd_split(ev->command, &words) != 0) {
		log_warnx("%s %s: cannot be split into words: refused", what, q);
		return;
	}
	if (command_argv(c->conf.sudo_exe, st, &words, &argv) != 0) {
		log_warnx("%s %s: too long: refused", what, q);
		return;
	}
	exec_cred(st, &cred);
	if ((j = job_new(c, JOB_COMMAND, NULL, st->number, what)) == NULL)
		return;
	c->stats.commands++;
	log_notice("%s: running %s%s", what, q,
	    st->enable_cmd_sudo_exec ? " through sudo" : "");
	job_run(c, exec, j, &argv, &cred, NULL);
}

void
command_done(const struct job *j, const struct action_result *res)
{
	if (res->result == 0)
		log_notice("%s: finished (%s)", j->what, res->detail);
	else
		log_errx("%s: failed (%s)", j->what, res->detail);
}
