/* Dropping root in the verifier process. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "privdrop.h"

int
privdrop_lookup(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL)
		return SPA_ERR_CONFIG;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

static bool
can_regain_root(void)
{
	return setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0;
}

int
privdrop_to(const char *user, uid_t uid, gid_t gid)
{
	if (uid == 0) {
		log_errx("verifier user '%s' is root: refusing to run the "
		    "verifier with privileges", user);
		return SPA_ERR_CONFIG;
	}
	if (setgroups(1, &gid) != 0 || setresgid(gid, gid, gid) != 0 ||
	    setresuid(uid, uid, uid) != 0) {
		log_err("cannot become %s", user);
		return SPA_ERR_SYS;
	}
	if (can_regain_root()) {
		log_errx("privilege drop to %s did not stick", user);
		return SPA_ERR_SYS;
	}
	return 0;
}
