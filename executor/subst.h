/*
 * Command lines: access.conf templates split into words once, at load
 * time, and expanded per grant into an argument vector.  A value taken
 * from a packet is always one whole argument: it is never re-split, never
 * scanned for '$' again, and never seen by a shell unless the stanza opts
 * in (CMD_CYCLE_SHELL), and then it is quoted.
 *
 * Variables (longest name wins, so fwknopd's "$IP_$PORT_$PROTO" and
 * "$CLIENT_TIMEOUT1" keep working; "${NAME}" delimits a name):
 *   $IP $SRC       address granted        $PKT_SRC  packet source
 *   $DST           packet destination     $PORT     the requested port
 *   $PROTO         6 or 17 (as fwknopd)   $PROTO_NAME tcp or udp
 *   $TIMEOUT       epoch of the close     $CLIENT_TIMEOUT seconds granted
 *   $USER          username in the packet $STANZA   stanza number
 *   $<DIRECTIVE>   the value of a directive set in this stanza: numbers in
 *                  decimal, booleans Y/N, lists joined by ", "; never a
 *                  directive an %include_keys file may hold (keys), nor
 *                  the GnuPG ones (unsupported)
 *   $$             a literal '$'
 * A request without ports gives $PORT and $PROTO "0", $PROTO_NAME "".
 * An unknown name, or a directive not set in the stanza, is refused when
 * the template is parsed; so is a first word (the program, which picks the
 * action module) that is not written out in full.
 *
 * Shell mode, an explicit opt-in: the template's words, literal text kept
 * as written (quotes and backslashes included), joined by single spaces
 * into one script run as ["/bin/sh", "-c", script, "sh", value1, ...].
 * No value is ever part of the script: each variable (event or directive)
 * is a positional parameter, numbered in order of first use, and written
 * ${N} where the template names it; the template's own quotes apply to it
 * as to "$1" in any script.  "$$" puts a bare '$' in the script, for the
 * shell's own syntax.
 */
#ifndef SPA_SUBST_H
#define SPA_SUBST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "access.h"
#include "event.h"

#define CMD_MAX_ARGS	64
#define CMD_MAX_LEN	4096	/* all arguments with their NULs */

/* An expanded command: flat, so it can be journaled and sent as is. */
struct cmd_argv {
	size_t	 argc;
	char	*argv[CMD_MAX_ARGS + 1];	/* into buf; argv[argc] == NULL */
	char	 buf[CMD_MAX_LEN];
};

struct cmd_word;		/* literal and variable parts of one word */

struct cmd_template {
	char		*text;		/* as configured, for log lines */
	bool		 shell;		/* run through /bin/sh -c (opt-in) */
	size_t		 nparams;	/* shell mode: positional parameters */
	size_t		 nwords;
	struct cmd_word	*words;
};

/* What the variables of one grant are made of. */
struct subst_vars {
	const struct spa_event	*ev;
	const struct stanza	*st;
	size_t			 port;	/* index into ev->ports; ignored if none */
};

/*
 * Split `line` into words (blanks separate; '...' and "..." group;
 * backslash escapes outside single quotes; '$' is literal inside '...')
 * and check every $NAME against the variables above and the directives of
 * `st`, whose values are taken now.  Control bytes other than tab are
 * refused.  On error `why` says what is wrong and SPA_ERR_CONFIG is
 * returned (SPA_ERR_CONFIG too when out of memory).
 */
int	cmd_template_parse(const char *line, bool shell,
	    const struct stanza *st, struct cmd_template *out,
	    char *why, size_t whylen);
void	cmd_template_free(struct cmd_template *t);

/*
 * Expand for one grant port (vars->port indexes ev->ports).  SPA_ERR_ARG,
 * and `out` cleared, if the result does not fit CMD_MAX_ARGS/CMD_MAX_LEN.
 */
int	cmd_template_expand(const struct cmd_template *t,
	    const struct subst_vars *vars, struct cmd_argv *out);

/*
 * Split an untrusted command (an SPA command request) into words with the
 * same quoting rules and no variables ('$' is literal).  Refused with
 * SPA_ERR_ARG: empty or blank commands, any byte below 0x20 (tab and
 * newline included) or 0x7f, unbalanced quotes, a trailing backslash,
 * more than CMD_MAX_ARGS words or CMD_MAX_LEN bytes.
 */
int	cmd_split(const char *command, struct cmd_argv *out);

/*
 * Build an argv from NULL-terminated words followed by `tail` (may be
 * NULL): prepending sudo and the like.  SPA_ERR_ARG if empty or too big.
 */
int	cmd_argv_from(struct cmd_argv *out, const char *const *words,
	    const struct cmd_argv *tail);

/*
 * One line for the log: words joined by spaces, each quoted and escaped
 * as event_quote() does when needed.  Returns the length written
 * (truncated to fit `len`).
 */
size_t	cmd_argv_format(const struct cmd_argv *a, char *buf, size_t len);

/*
 * Re-point argv[] into buf after a copy (memcpy, journal read).
 * SPA_ERR_ARG unless buf holds argc NUL-terminated strings.
 */
int	cmd_argv_relink(struct cmd_argv *a);

#endif /* SPA_SUBST_H */
