/*
 * The default action: run the command as an argument vector in a child
 * process (executor/runner.c), without a shell, with a deadline.  Exit
 * status 0 is success; anything else fails the request with the status
 * and the command's output for the log.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <sys/wait.h>

#include "action.h"
#include "err.h"

static int
exec_run(void *priv, struct action_env *env, const struct action_req *req)
{
	(void)priv;
	return runner_start(env->runner, req->job, req->argv, req->cred,
	    req->timeout_ms);
}

/* The runner's completion, turned into the request's result. */
void
action_exec_finished(struct action_env *env, const struct run_result *res)
{
	char detail[128];
	bool exited = res->start_error == 0 && !res->timed_out &&
	    WIFEXITED(res->status);
	struct action_result ar = {
		.job = res->id, .detail = detail, .output = res->output,
		.exit_status = exited ? WEXITSTATUS(res->status) : -1,
	};

	runner_describe(res, detail, sizeof(detail));
	ar.result = ar.exit_status == 0 ? 0 : SPA_ERR_ACTION;
	action_report(env, &ar);
}

const struct action_ops action_exec = {
	.name = "exec",
	.claims = NULL,
	.check = NULL,
	.open = exec_run,
	.close = exec_run,
	.open_is_idempotent = false,
};
