/*
 * The verifier's sandbox where no system call filter is available (no
 * linux/seccomp.h at build time): chroot, user and capabilities still
 * apply (sandbox.c), and every start says loudly that the filter does not.
 */
#include "config.h"

#include <stdio.h>

#include "log.h"
#include "sandbox.h"

int
sandbox_enter(const struct sandbox *sb, char *desc, size_t len)
{
	log_warnx("verifier: no seccomp: this build has no system call "
	    "filter; the verifier is confined only by %s",
	    sb->chrooted ? "chroot and user" : "nothing (not root)");
	snprintf(desc, len, "no seccomp: %s", sb->desc);
	return 0;
}
