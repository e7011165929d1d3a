/*
 * knockd.conf, read as knockd(1) reads it, into typed doors (knock.h).
 *
 * The file is a list of sections: [options] for global settings, and one
 * [name] per door.  Keys are case-insensitive, `key = value`, one per
 * line; a line starting with '#' is a comment.  What spagated does with
 * each knockd setting (doc/knock.md):
 *
 *   [options]  UseSyslog   accepted: spagated logs through syslog or the
 *                          journal already (its own logging settings);
 *              LogFile     accepted with a warning, no effect: decisions
 *                          go to spagated's log, one line each;
 *              PidFile     accepted with a warning, no effect: spagated
 *                          has its own pid file (spagated.conf);
 *              Interface   accepted: knocks count only when they arrive
 *                          on that interface (the default of every door
 *                          without its own `interface`).
 *   [door]     sequence, one_time_sequences, seq_timeout (timeout),
 *              tcpflags, start_command (command), start_command_6
 *              (command_6), stop_command, stop_command_6, cmd_timeout,
 *              target: as knockd; `interface` is spagated's own (knockd
 *              0.8 refuses it): this door's knocks count only on it.
 *
 * Anything else is refused with file:line and the reason, and so are
 * values knockd would have read as something else (atoi's "5s" is 5 to
 * knockd, and a mistake to us), a setting given twice in one door (knockd
 * keeps the last), two doors of the same name, and a door that has no
 * sequence or runs no command.  A one_time_sequences file is read at load
 * (its lines starting with '#' are used ones, as knockd marks them); a
 * bad line in it is refused, where knockd skips it.
 */
#ifndef SPA_KNOCKD_CONF_H
#define SPA_KNOCKD_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "knock.h"

struct knockd_conf {
	size_t			 n;
	struct knock_door	*doors;		/* in file order */
	char			*interface;	/* [options] Interface, or NULL */
	bool			 use_syslog;
};

/* Where and why loading failed: "file:line: reason". */
struct knockd_error {
	char		text[512];
};

/*
 * Load `path`, which must pass the file-trust rule (trust.h: it names
 * commands root runs).  0 and *out, or a negative SPA_ERR_* with `err`
 * filled; warnings are logged.  Freed with knockd_free().
 */
int	knockd_load(const char *path, struct knockd_conf **out,
	    struct knockd_error *err);
/* The same for bytes in memory named `name` (tests, the fuzz target). */
int	knockd_load_buffer(const char *name, const char *buf, size_t len,
	    struct knockd_conf **out, struct knockd_error *err);
void	knockd_free(struct knockd_conf *conf);

#endif /* SPA_KNOCKD_CONF_H */
