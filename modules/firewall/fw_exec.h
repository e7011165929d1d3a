/*
 * One run of iptables-restore or iptables-save for the built-in
 * firewall: the text on its standard input, its output collected, all
 * within a deadline (the loop waits for it: a program that hangs is
 * killed, and what it was sent fails with a clear reason).
 */
#ifndef SPA_FW_EXEC_H
#define SPA_FW_EXEC_H

#include <stddef.h>

#define FW_EXEC_TIMEOUT_MS	10000
#define FW_EXEC_OUT_MAX		(8 * 1024 * 1024)	/* a saved table */

/*
 * Run `path` with arguments `argv` (argv[0] first, NULL-terminated),
 * `in` on its standard input, killed after `timeout_ms` (normally
 * FW_EXEC_TIMEOUT_MS).  0 if it exited 0; else -1 with the first line of
 * what it said on stderr (or why it did not run, or that it was killed)
 * in `err`.
 * If `out` is not NULL, *out gets its standard output (malloc'd, free
 * it; also on failure).
 */
int	fw_exec(const char *path, char *const argv[], const char *in,
	    char **out, int timeout_ms, char *err, size_t errlen);

#endif
