/*
 * The keyrings of GnuPG stanzas, read as bytes (keyring.h).
 *
 * Why here, and not in the verifier: the verifier opens no file that the
 * configuration names (it gets its configuration as messages, and reads
 * nothing from outside its chroot), the one file-trust rule (trust.h)
 * stays in the process that reads every other configuration file, and the
 * bytes are parsed only in the verifier, unprivileged.  Nothing here
 * parses OpenPGP: spagated links no OpenPGP code.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "err.h"
#include "keyring.h"
#include "trust.h"

struct kr_read {
	const struct stanza	*st;
	const char		*home;
	char			*err;
	size_t			 errlen;
};

static int
fail(const struct kr_read *k, const char *name, const char *why)
{
	snprintf(k->err, k->errlen, "%s:%u: stanza #%u: GPG_HOME_DIR %s: %s%s%s",
	    k->st->file, k->st->line, k->st->number, k->home, name,
	    name[0] != '\0' ? " " : "", why);
	return SPA_ERR_CONFIG;
}

/* The whole of an open file, in pieces, into the keyring. */
static int
read_into(const struct kr_read *k, int fd, const char *name,
    enum gpg_file_kind kind, struct gpg_keyring *kr)
{
	uint8_t buf[8192];
	ssize_t n;
	int r = 0;

	do {
		if ((n = read(fd, buf, sizeof(buf))) < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = fail(k, name, strerror(errno));
		else if ((r = gpg_keyring_append(kr, kind, buf, (size_t)n,
		    n == 0)) == SPA_ERR_ARG)
			r = fail(k, name, "is too large (keyring limits: "
			    "1 MiB a file, 4 MiB and 64 files a stanza)");
	} while (r == 0 && n != 0);
	crypto_wipe(buf, sizeof(buf));
	return r;
}

/* One file of the home directory; absent is fine unless `required`. */
static int
read_file(const struct kr_read *k, int dirfd, const char *name,
    enum gpg_file_kind kind, unsigned int flags, struct gpg_keyring *kr,
    bool *found)
{
	struct stat sb;
	const char *why = NULL;
	int fd, r;

	*found = false;
	if ((fd = trust_openat(dirfd, name, flags | TRUST_NOFOLLOW, &sb,
	    &why)) == -1) {
		if (why == NULL && errno == ENOENT)
			return 0;
		return fail(k, name, why != NULL ? why : strerror(errno));
	}
	*found = true;
	r = read_into(k, fd, name, kind, kr);
	close(fd);
	return r;
}

static int
read_home(const struct kr_read *k, int homefd, struct gpg_keyring *kr)
{
	bool found = false;
	int r;

	if ((r = read_file(k, homefd, "pubring.kbx", GPG_FILE_PUBRING_KBX,
	    0, kr, &found)) != 0)
		return r;
	if (!found && (r = read_file(k, homefd, "pubring.gpg",
	    GPG_FILE_PUBRING_GPG, 0, kr, &found)) != 0)
		return r;
	if (!found)
		return fail(k, "", "has neither pubring.kbx nor pubring.gpg");
	if ((r = read_file(k, homefd, "secring.gpg", GPG_FILE_SECRING_GPG,
	    TRUST_SECRET, kr, &found)) != 0)
		return r;
	if (!found)
		return fail(k, "", "has no secring.gpg: export the secret key "
		    "there (gpg --homedir DIR --export-secret-keys ID > "
		    "DIR/secring.gpg, mode 0600), since librnp cannot read "
		    "GnuPG 2.2's private-keys-v1.d/");
	return 0;
}

/* fwknopd's default: the .gnupg of the user the daemon runs as. */
static int
default_home(char *buf, size_t len)
{
	struct passwd *pw = getpwuid(geteuid());

	if (pw == NULL || pw->pw_dir == NULL ||
	    (size_t)snprintf(buf, len, "%s/.gnupg", pw->pw_dir) >= len)
		return SPA_ERR_CONFIG;
	return 0;
}

static int
read_stanza(struct stanza *st, char *err, size_t errlen)
{
	char home[4096];
	struct kr_read k = { st, home, err, errlen };
	struct stat sb;
	const char *why = NULL;
	int fd, r;

	if (st->gpg_home_dir != NULL)
		snprintf(home, sizeof(home), "%s", st->gpg_home_dir);
	else if (default_home(home, sizeof(home)) != 0)
		return fail(&k, "", "no home directory for the default");
	if ((fd = trust_open(home, TRUST_DIR, &sb, &why)) == -1)
		return fail(&k, "", why != NULL ? why : strerror(errno));
	r = read_home(&k, fd, &st->gpg_keyring);
	close(fd);
	if (r != 0)
		gpg_keyring_free(&st->gpg_keyring);
	return r;
}

/*
 * A folder member that names its own GPG_HOME_DIR owns what is there: if
 * it cannot be read, that member's stanza alone is disabled, as an error
 * in the member itself would (access.h); the admin's own directories
 * still refuse the policy.
 */
static int
contain(struct access_conf *conf, struct stanza *st, int r, const char *err)
{
	if (r != SPA_ERR_CONFIG || !st->gpg_home_per_user ||
	    st->gpg_user_file == NULL)
		return r;
	return access_disable_stanza(conf, st, st->gpg_user_file, err);
}

int
keyring_read_all(struct access_conf *conf, char *err, size_t errlen)
{
	struct stanza *st;
	size_t i;
	int r;

	for (i = 0; i < conf->n; i++) {
		st = conf->stanzas[i];
		if (st->gpg && (r = contain(conf, st, read_stanza(st, err,
		    errlen), err)) != 0)
			return r;
	}
	if (conf->ndisabled == 0 || access_any_usable(conf))
		return 0;
	snprintf(err, errlen, "no usable stanza: an error in a per-user file "
	    "disabled every one (the last: %s)",
	    conf->disabled[conf->ndisabled - 1].why);
	return SPA_ERR_CONFIG;
}
