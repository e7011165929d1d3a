/*
 * Command lines: access.conf templates split into words once, at load
 * time, and expanded per grant into an argument vector.  A value taken
 * from a packet is always one whole argument: it is never re-split, never
 * seen by a shell unless the stanza opts in (CMD_SHELL), and then it is
 * single-quoted.
 *
 * Variables (longest name wins, so fwknopd's "$IP_$PORT" keeps working):
 *   $IP $SRC       address granted        $PKT_SRC  packet source
 *   $DST           packet destination     $PORT     the requested port
 *   $PROTO         6 or 17 (as fwknopd)   $PROTO_NAME tcp or udp
 *   $TIMEOUT       epoch of the close     $CLIENT_TIMEOUT seconds granted
 *   $USER          username in the packet $STANZA   stanza number
 *   $<DIRECTIVE>   any value-carrying directive of the stanza (keys excluded)
 *   $$             a literal '$'
 * An unknown name is refused when the template is parsed.
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
 * Split `line` into words (whitespace separates; '...' and "..." group;
 * backslash escapes outside single quotes) and check every $NAME against
 * the variables above and the directives of `st`.  On error `why` says
 * what is wrong and SPA_ERR_CONFIG is returned.
 */
int	cmd_template_parse(const char *line, bool shell,
	    const struct stanza *st, struct cmd_template *out,
	    char *why, size_t whylen);
void	cmd_template_free(struct cmd_template *t);

/* Expand for one grant port.  SPA_ERR_ARG if the result does not fit. */
int	cmd_template_expand(const struct cmd_template *t,
	    const struct subst_vars *vars, struct cmd_argv *out);

/*
 * Split an untrusted command (an SPA command message) into words with the
 * same quoting rules and no variables.  Empty commands, NUL or control
 * bytes, unbalanced quotes and too many words are refused (SPA_ERR_ARG).
 */
int	cmd_split(const char *command, struct cmd_argv *out);

/* Build an argv from NULL-terminated words (prepending sudo and the like). */
int	cmd_argv_from(struct cmd_argv *out, const char *const *words,
	    const struct cmd_argv *tail);

/* One line for the log: words joined by spaces, quoted when needed. */
size_t	cmd_argv_format(const struct cmd_argv *a, char *buf, size_t len);

/* Re-point argv[] into buf after a copy (memcpy, journal read). */
int	cmd_argv_relink(struct cmd_argv *a);

#endif /* SPA_SUBST_H */
