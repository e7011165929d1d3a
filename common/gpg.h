/*
 * What both processes know of a GnuPG stanza (issue 19): its keyring as
 * bytes, and the signer lists of GPG_REMOTE_ID and GPG_FINGERPRINT_ID.
 *
 * The executor reads the keyring files of GPG_HOME_DIR (executor/
 * keyring.c, with the file-trust rule) and sends their bytes; the verifier
 * parses them with librnp (verifier/openpgp.c), unprivileged, before its
 * system call filter.  Nothing here parses OpenPGP.
 */
#ifndef SPA_GPG_H
#define SPA_GPG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GPG_FILE_MAX		(1024 * 1024)	/* one keyring file */
#define GPG_KEYRING_MAX		(4 * 1024 * 1024) /* a stanza's files */
#define GPG_FILES_MAX		64		/* a stanza's files */
#define GPG_ID_TEXT_MAX		511	/* GPG_REMOTE_ID, GPG_FINGERPRINT_ID */
#define GPG_DECRYPT_ID_MAX	127
#define GPG_PW_MAX		127	/* GPG_DECRYPT_PW bytes */
#define GPG_FPR_HEX		40	/* a v4 fingerprint */

/* The kind of a keyring file, which says how librnp reads it. */
enum gpg_file_kind {
	GPG_FILE_PUBRING_KBX,	/* pubring.kbx, GnuPG 2.1 and later */
	GPG_FILE_PUBRING_GPG,	/* pubring.gpg, older GnuPG */
	GPG_FILE_SECRING_GPG,	/* secring.gpg: secret keys as OpenPGP packets
				   (gpg --export-secret-keys; librnp 0.16
				   cannot read GnuPG 2.2's private-keys-v1.d) */
};
#define GPG_FILE_KIND_MAX	GPG_FILE_SECRING_GPG

struct gpg_file {
	enum gpg_file_kind	 kind;
	uint8_t			*data;
	size_t			 len;
	bool			 done;	/* all of it is here */
};

struct gpg_keyring {
	size_t			 n;
	struct gpg_file		*v;
	size_t			 total;	/* bytes, all files */
};

/*
 * Append `len` bytes to the keyring's last file if it is of `kind` and not
 * done, else start a new file; `last` marks the file done.  SPA_ERR_ARG
 * past the limits above, SPA_ERR_NOMEM.
 */
int	gpg_keyring_append(struct gpg_keyring *kr, enum gpg_file_kind kind,
	    const uint8_t *data, size_t len, bool last);
/* Every file done (a keyring whose last chunk never came is refused). */
bool	gpg_keyring_complete(const struct gpg_keyring *kr);
/* Wipe (secret keys) and free; the keyring is empty after. */
void	gpg_keyring_free(struct gpg_keyring *kr);

/*
 * A signer list as fwknopd reads it: items separated by commas, blanks
 * around them ignored.  A GPG_REMOTE_ID item is a key ID of 8 or 16 hex
 * digits (0x in front allowed), a GPG_FINGERPRINT_ID item a fingerprint
 * of 40, either case,
 * spaces inside a fingerprint allowed (as gpg prints them).  Returns 0, or
 * SPA_ERR_CONFIG with the offending item (cut) in `bad`.
 */
int	gpg_ids_check(const char *list, bool fingerprints, char *bad,
	    size_t badlen);

/*
 * Does a key with fingerprint `fpr` (40 hex digits) or, when its key is
 * unknown, key ID `keyid` (16 hex digits; may be NULL) match an item of
 * `list`?  A key ID matches the end of the fingerprint (or the key ID);
 * a fingerprint matches only a whole fingerprint.
 */
bool	gpg_ids_match(const char *list, bool fingerprints, const char *fpr,
	    const char *keyid);

/*
 * GPG_DECRYPT_ID as gpg(1) reads a key name ("HOW TO SPECIFY A USER ID"),
 * which is what fwknopd hands gpgme's key listing:
 *   8, 16 or 40 hex digits   a key ID or fingerprint (0x in front
 *                            allowed; a fingerprint also in gpg's groups
 *                            of 4), of a primary key or a subkey; a
 *                            trailing ! means that key itself
 *   <address>                the address of a user ID, whole, any case
 *   @text                    text in the address of a user ID, any case
 *   =text                    a whole user ID, exactly
 *   text or *text            text in a user ID, any case
 * Leading blanks are skipped.  gpg_spec_parse(): 0, or SPA_ERR_CONFIG
 * for what names nothing (empty, "@", "=", "0x" without its digits).
 */
enum gpg_spec_kind {
	GPG_SPEC_KEYID,
	GPG_SPEC_FPR,
	GPG_SPEC_MAIL,
	GPG_SPEC_MAILSUB,
	GPG_SPEC_EXACT,
	GPG_SPEC_SUBSTR,
};

struct gpg_spec {
	enum gpg_spec_kind	 kind;
	bool			 exact_key;	/* the ! form */
	char			 text[GPG_DECRYPT_ID_MAX + 1];	/* hex digits
						   upper case, or the text */
};

int	gpg_spec_parse(const char *s, struct gpg_spec *sp);
/* Does the spec name this user ID (the user ID forms only)? */
bool	gpg_spec_names_uid(const struct gpg_spec *sp, const char *uid);
/* Does it name the key with this fingerprint (the hex forms only)? */
bool	gpg_spec_names_key(const struct gpg_spec *sp, const char *fpr);

#endif /* SPA_GPG_H */
