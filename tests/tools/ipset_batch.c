/*
 * ipset_batch: the ipset module's pass queue against the real kernel
 * (tests/integration/ipset.sh runs it in a network namespace, its sets
 * made beforehand).  Each argument is one command line, queued in one
 * pass as the cycle engine queues a burst's opens and closes ("-" before
 * a line makes it a close); then the module's next pass sends them, and
 * one line per request is printed, in the order given:
 *
 *   N ok|absent|failed DETAIL
 *
 * It prints, it never asserts: the script compares with the kernel's
 * sets (ipset list).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "subst.h"

#define REQ_MAX		512

extern const struct action_ops action_ipset;

static char	results[REQ_MAX][600];

static void
on_done(void *arg, const struct action_result *res)
{
	(void)arg;
	if (res->job >= REQ_MAX)
		return;
	snprintf(results[res->job], sizeof(results[0]), "%s %s",
	    res->result != 0 ? "failed" : res->absent ? "absent" : "ok",
	    res->detail);
}

/* Split a line at spaces into argv (the line is modified). */
static void
split(char *line, struct cmd_argv *a)
{
	char *w, *save = NULL;

	memset(a, 0, sizeof(*a));
	for (w = strtok_r(line, " ", &save); w != NULL && a->argc < CMD_MAX_ARGS;
	    w = strtok_r(NULL, " ", &save))
		a->argv[a->argc++] = w;
}

int
main(int argc, char **argv)
{
	static struct cmd_argv a[REQ_MAX];
	struct action_env env = { .done = on_done };
	struct action_req req;
	void *priv = NULL;
	int i, n = argc - 1;
	bool closing;
	char *line;

	if (n < 1 || n > REQ_MAX || action_ipset.create(&priv) != 0)
		return 2;
	for (i = 0; i < n; i++) {
		closing = argv[i + 1][0] == '-';
		line = strdup(argv[i + 1] + (closing ? 1 : 0));
		if (line == NULL)
			return 2;
		split(line, &a[i]);
		memset(&req, 0, sizeof(req));
		req.job = (uint64_t)i;
		req.argv = &a[i];
		if ((closing ? action_ipset.close : action_ipset.open)(priv,
		    &env, &req) != 0)
			return 2;
	}
	if (action_ipset.timeout_ms(priv, 0) != 0)
		printf("queue: nothing waits for the next pass\n");
	action_ipset.dispatch(priv, &env, NULL, 0, 0);
	for (i = 0; i < n; i++)
		printf("%d %s\n", i, results[i][0] ? results[i] : "none");
	action_ipset.shutdown(priv);
	action_ipset.free(priv);
	return 0;
}
