/*
 * GnuPG SPA packets, decrypted and verified in process with librnp (the
 * OpenPGP library behind Thunderbird, Debian's librnp0): it parses and
 * computes in memory, never runs gpg or an agent, and writes nothing.
 * Why librnp rather than gpgme (fwknopd's): gpgme runs gpg and gpg-agent
 * as processes, which the verifier's sandbox (no fork, no exec, no files
 * after the chroot) cannot allow.
 *
 * openpgp_load() parses a stanza's keyring bytes (gpg.h) and unlocks its
 * secret keys once, as the verifier user before the system call filter;
 * each packet then costs one public-key decryption and at most one
 * signature check, with no key derivation and no allocation that the
 * packet's size does not bound.
 */
#ifndef SPA_OPENPGP_H
#define SPA_OPENPGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "access.h"
#include "gpg.h"
#include "spa.h"

struct openpgp;

/* What a stanza says about its GnuPG keys (access.h). */
struct openpgp_rules {
	const char	*decrypt_id;	/* NULL: any secret key of the ring */
	const char	*password;	/* NULL: keys without a passphrase */
	bool		 require_sig;
	bool		 ignore_sig_error;
	const char	*remote_ids;	/* GPG_REMOTE_ID, or NULL */
	const char	*fingerprints;	/* GPG_FINGERPRINT_ID, or NULL */
};

/*
 * Load the keyring and unlock the decryption keys: those of decrypt_id
 * (its primary key and subkeys) or, without one, every secret key; the
 * other secret keys are dropped.  0, or SPA_ERR_CONFIG with the reason in
 * err (no public ring, no such secret key, a wrong or missing passphrase).
 */
int	openpgp_load(const struct gpg_keyring *kr,
	    const struct openpgp_rules *rules, struct openpgp **out,
	    char *err, size_t errlen);
void	openpgp_free(struct openpgp *g);

/*
 * Decrypt the OpenPGP message msg[0..len) and judge its signature by the
 * rules: the plaintext, NUL-terminated, into plain[cap] and its length
 * into *plainlen.  SPA_ERR_DECRYPT: not for our keys, damaged, or without
 * integrity protection; SPA_ERR_SIGNATURE: the signature is required and
 * missing, not valid now (bad, signer unknown, expired or revoked: unless
 * ignore_sig_error) or from a signer the lists do not name.
 */
int	openpgp_decrypt(const struct openpgp *g, const uint8_t *msg,
	    size_t len, char *plain, size_t cap, size_t *plainlen);

/*
 * Before the chroot, if a stanza is a GnuPG one: librnp's random number
 * generator (Botan's system RNG, needed for RSA blinding) opens
 * /dev/urandom on its first use and keeps it open for the process's life;
 * in the chroot there is none.  Logged on failure.
 */
int	openpgp_init(const struct access_conf *conf);

/*
 * Load every GnuPG stanza's keys into st->gpg_ctx, dropping its keyring
 * bytes.  Keys that do not load are logged with the stanza's file and
 * line, and refuse the start (SPA_ERR_CONFIG), unless a per-user file
 * chose them (st->gpg_user_file): then that stanza alone stays without
 * keys (openpgp_open_packet refuses its packets), counted in *ndisabled.
 * A policy left with no usable stanza is refused.
 */
int	openpgp_prepare(struct access_conf *conf, size_t *ndisabled);
void	openpgp_release(struct access_conf *conf);

/*
 * policy_gpg_fn (policy.h): the envelope (spa_open_gpg: HMAC, then the
 * hook), the decryption and signature, the hook for a stanza without an
 * HMAC key, then the plaintext's fields (spa_decode).
 */
int	openpgp_open_packet(void *arg, const struct stanza *st,
	    const char *wire, size_t len, struct spa_packet *out,
	    spa_auth_hook hook, void *hook_arg);

#endif /* SPA_OPENPGP_H */
