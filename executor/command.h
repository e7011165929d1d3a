/*
 * The argv an SPA command request runs as, built in one place for the
 * executor (command.c) and for spagate test, which prints it.
 */
#ifndef SPA_COMMAND_H
#define SPA_COMMAND_H

#include "access.h"
#include "subst.h"

/*
 * `words` (cmd_split of the client's command) as they are run: behind
 * "sudo -n [-u user] [-g group] --" when the stanza has
 * ENABLE_CMD_SUDO_EXEC (sudo_exe NULL: CONF_DEF_SUDO), else as they are.
 * 0, or SPA_ERR_ARG (`out` cleared) when the result is too long.
 */
int	command_argv(const char *sudo_exe, const struct stanza *st,
	    const struct cmd_argv *words, struct cmd_argv *out);

#endif
