/*
 * The keyring files of every GnuPG stanza (access.h: st->gpg), read into
 * st->gpg_keyring for the verifier, which parses them (verifier/
 * openpgp.h).  From GPG_HOME_DIR, or the .gnupg of the user spagated runs
 * as: pubring.kbx (else pubring.gpg) and secring.gpg, the secret keys
 * as gpg --export-secret-keys writes them, each under the file-trust rule
 * (trust.h; secring.gpg readable by its owner only) and the limits of
 * gpg.h.
 */
#ifndef SPA_KEYRING_H
#define SPA_KEYRING_H

#include <stddef.h>

#include "access.h"

/*
 * 0, or SPA_ERR_* with "file:line: stanza #N: GPG_HOME_DIR ..." in err.
 * A GPG_HOME_DIR a folder member set that cannot be read disables that
 * stanza only (access_disable_stanza), logged; a policy left with no
 * usable stanza is refused.
 */
int	keyring_read_all(struct access_conf *conf, char *err, size_t errlen);

#endif /* SPA_KEYRING_H */
