/*
 * The client side of the control socket (control_req.h): spagate list,
 * close and status (status.c asks itself), and spagated --fw-list / --fw-flush, ask the daemon
 * whose state directory they are given and print its answer.  Each
 * returns an exit status: 0 done, 1 the daemon refused or nothing
 * matched, CONTROL_NO_DAEMON when no daemon answers on the socket.
 */
#ifndef SPA_CONTROL_CLIENT_H
#define SPA_CONTROL_CLIENT_H

#include <stdbool.h>
#include <stdio.h>

#include "control_req.h"

#define CONTROL_NO_DAEMON	3
#define CONTROL_REPLY_MS	60000	/* for the whole answer */

/*
 * Send `request` (without its LF); each data line of the answer, LF
 * stripped, goes to `line`.  0 on "ok"; 1 on "error ..." (printed to
 * stderr); CONTROL_NO_DAEMON (and why in `why`) if nobody listens; 2 on
 * any other failure (printed).
 */
int	control_ask(const char *state_dir, const char *request,
	    void (*line)(void *arg, const char *line), void *arg,
	    char *why, size_t whylen);

/* The open cycles, one per line, or as a JSON array. */
int	control_list(const char *state_dir, bool json, FILE *fp);
/*
 * The open cycles as list --json gives them (status --json too): a JSON
 * array nested `depth` levels, each object on a line of its own, printed
 * only once the whole answer came.  control_ask's returns.
 */
int	control_cycles_json(const char *state_dir, int depth, FILE *fp,
	    char *why, size_t whylen);
/*
 * A JSON string of the first n bytes of s (up to a NUL): quote and
 * backslash escaped, control bytes as \u00XX.  The one escape of every
 * JSON spagate prints.
 */
void	control_json_str(FILE *fp, const char *s, size_t n);
/* A close request ("close all", "close id ..."): what it closed. */
int	control_close_cycles(const char *state_dir, const char *request,
	    FILE *fp);

#endif /* SPA_CONTROL_CLIENT_H */
