/* GnuPG SPA packets with librnp (openpgp.h). */
#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rnp/rnp.h>
#include <rnp/rnp_err.h>

#include "crypto.h"
#include "err.h"
#include "log.h"
#include "openpgp.h"
#include "rnp_lib.h"

#define PLAIN_MAX	1500	/* a decrypted SPA message is far smaller */
#define KEYS_MAX	256	/* secret keys and subkeys in one ring */

/*
 * librnp's entry points, resolved once (load_rnp()) before the sandbox
 * closes and only read after: what the dynamic linker would have done at
 * start had the verifier been linked with it.
 */
static struct rnp_lib rnp;

/* librnp, loaded at the first GnuPG stanza; 0, or SPA_ERR_SYS and why. */
static int
load_rnp(char *err, size_t errlen)
{
	if (rnp.handle != NULL)
		return 0;
	return rnp_lib_load(&rnp, err, errlen) == 0 ? 0 : SPA_ERR_SYS;
}

struct openpgp {
	rnp_ffi_t	 ffi;
	bool		 require_sig;
	bool		 ignore_sig_error;
	char		*remote_ids;		/* NULL: no such list */
	char		*fingerprints;
};

/* A locked key is never unlocked for a packet: no passphrase is asked. */
static bool
no_password(rnp_ffi_t ffi, void *ctx, rnp_key_handle_t key,
    const char *why, char buf[], size_t len)
{
	return false;
}

static int	openpgp_decrypt_only(const struct openpgp *, const uint8_t *,
		    size_t, char *, size_t, size_t *);

/* --- loading --------------------------------------------------------------- */

static const char *const load_format[] = {
	[GPG_FILE_PUBRING_KBX] = "KBX",
	[GPG_FILE_PUBRING_GPG] = "GPG",
	[GPG_FILE_SECRING_GPG] = "GPG",
};

static const char *const file_name[] = {
	[GPG_FILE_PUBRING_KBX] = "pubring.kbx",
	[GPG_FILE_PUBRING_GPG] = "pubring.gpg",
	[GPG_FILE_SECRING_GPG] = "secring.gpg",
};

static int
load_file(rnp_ffi_t ffi, const struct gpg_file *f, char *err, size_t errlen)
{
	uint32_t flags = f->kind == GPG_FILE_PUBRING_KBX ||
	    f->kind == GPG_FILE_PUBRING_GPG ? RNP_LOAD_SAVE_PUBLIC_KEYS :
	    RNP_LOAD_SAVE_SECRET_KEYS;
	rnp_input_t in = NULL;
	rnp_result_t rr;

	if (f->len == 0)
		return 0;
	if (rnp.input_from_memory(&in, f->data, f->len, false) != RNP_SUCCESS)
		return SPA_ERR_NOMEM;
	rr = rnp.load_keys(ffi, load_format[f->kind], in, flags);
	rnp.input_destroy(in);
	if (rr == RNP_SUCCESS)
		return 0;
	snprintf(err, errlen, "cannot read %s: %s", file_name[f->kind],
	    rnp.result_to_string(rr));
	return SPA_ERR_CONFIG;
}

/* The fingerprint of `key` and of its primary key (its own if primary). */
static int
key_fprs(rnp_key_handle_t key, char **fpr, char **primary)
{
	bool is_primary = true;

	*fpr = *primary = NULL;
	if (rnp.key_get_fprint(key, fpr) != RNP_SUCCESS ||
	    rnp.key_is_primary(key, &is_primary) != RNP_SUCCESS)
		return SPA_ERR_CRYPTO;
	if (is_primary)
		return rnp.key_get_fprint(key, primary) == RNP_SUCCESS ? 0 :
		    SPA_ERR_CRYPTO;
	return rnp.key_get_primary_fprint(key, primary) == RNP_SUCCESS ? 0 :
	    SPA_ERR_CRYPTO;
}

/* --- GPG_DECRYPT_ID: the key it names, as gpg would ---------------------- */

#define MATCHES_SHOWN	3	/* fingerprints an ambiguity error names */

/* The keys a name matched, each once: gpg lists a key once. */
struct matches {
	size_t	n;
	char	fpr[KEYS_MAX][GPG_FPR_HEX + 1];
};

static void
matches_add(struct matches *m, const char *fpr)
{
	size_t i;

	for (i = 0; i < m->n && i < KEYS_MAX; i++)
		if (strcmp(m->fpr[i], fpr) == 0)
			return;
	if (m->n < KEYS_MAX)
		snprintf(m->fpr[m->n], sizeof(m->fpr[m->n]), "%s", fpr);
	m->n++;
}

/* A user ID of the primary key `key` that the name matches. */
static bool
uid_named(const struct gpg_spec *sp, rnp_key_handle_t key)
{
	size_t n = 0, i;
	char *uid;
	bool yes = false;

	if (rnp.key_get_uid_count(key, &n) != RNP_SUCCESS)
		return false;
	for (i = 0; i < n && !yes; i++) {
		uid = NULL;
		if (rnp.key_get_uid_at(key, i, &uid) == RNP_SUCCESS &&
		    uid != NULL)
			yes = gpg_spec_names_uid(sp, uid);
		rnp.buffer_destroy(uid);
	}
	return yes;
}

/*
 * If the name matches `key` (its key ID or fingerprint, or for a primary
 * key one of its user IDs), the key it stands for: its primary key, or
 * with the ! form the key itself.
 */
static void
match_key(const struct gpg_spec *sp, rnp_key_handle_t key, struct matches *m)
{
	char *fpr = NULL, *primary = NULL;

	if (key_fprs(key, &fpr, &primary) == 0) {
		if (gpg_spec_names_key(sp, fpr))
			matches_add(m, sp->exact_key ? fpr : primary);
		else if (strcmp(fpr, primary) == 0 && uid_named(sp, key))
			matches_add(m, primary);
	}
	rnp.buffer_destroy(fpr);
	rnp.buffer_destroy(primary);
}

/* Every key of the ring (primary keys and subkeys) the name matches. */
static void
match_ring(rnp_ffi_t ffi, const struct gpg_spec *sp, struct matches *m)
{
	rnp_identifier_iterator_t it = NULL;
	rnp_key_handle_t key = NULL;
	const char *id = NULL;

	m->n = 0;
	if (rnp.identifier_iterator_create(ffi, &it, "fingerprint") !=
	    RNP_SUCCESS)
		return;
	while (rnp.identifier_iterator_next(it, &id) == RNP_SUCCESS &&
	    id != NULL) {
		if (rnp.locate_key(ffi, "fingerprint", id, &key) ==
		    RNP_SUCCESS && key != NULL)
			match_key(sp, key, m);
		rnp.key_handle_destroy(key);
		key = NULL;
	}
	rnp.identifier_iterator_destroy(it);
}

/* "FPR, FPR, FPR and 2 more" */
static void
list_matches(const struct matches *m, char *buf, size_t len)
{
	size_t i, off = 0;
	int k;

	buf[0] = '\0';
	for (i = 0; i < m->n && i < MATCHES_SHOWN && off < len; i++) {
		k = snprintf(buf + off, len - off, "%s%s", i > 0 ? ", " : "",
		    m->fpr[i]);
		off += k > 0 ? (size_t)k : 0;
	}
	if (m->n > MATCHES_SHOWN && off < len)
		snprintf(buf + off, len - off, " and %zu more",
		    m->n - MATCHES_SHOWN);
}

/*
 * GPG_DECRYPT_ID as the fingerprint of the one key it names, the way gpg
 * (and so fwknopd's gpgme) reads a key name: none, or more than one, is
 * an error naming the keys (gpg.h: gpg_spec_parse).
 */
static int
decrypt_id_fpr(rnp_ffi_t ffi, const char *id, char *out, size_t len,
    char *err, size_t errlen)
{
	struct matches *m;
	struct gpg_spec sp;
	char keys[MATCHES_SHOWN * (GPG_FPR_HEX + 2) + 32];
	int r = SPA_ERR_CONFIG;

	if (gpg_spec_parse(id, &sp) != 0) {
		snprintf(err, errlen, "GPG_DECRYPT_ID %s names no key the way "
		    "gpg reads a name (0x needs 8, 16 or 40 hex digits; @, = "
		    "and <> need text)", id);
		return SPA_ERR_CONFIG;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return SPA_ERR_NOMEM;
	match_ring(ffi, &sp, m);
	list_matches(m, keys, sizeof(keys));
	if (m->n == 0)
		snprintf(err, errlen, "GPG_DECRYPT_ID %s: no key of the ring "
		    "matches it", id);
	else if (m->n > 1)
		snprintf(err, errlen, "GPG_DECRYPT_ID %s is ambiguous: %zu keys "
		    "match it (%s); name one by its fingerprint", id, m->n,
		    keys);
	else {
		snprintf(out, len, "%s", m->fpr[0]);
		r = 0;
	}
	free(m);
	return r;
}

/* Is `key` (or its primary key) the one GPG_DECRYPT_ID names? */
static bool
in_family(rnp_key_handle_t key, const char *want)
{
	char *fpr = NULL, *primary = NULL;
	bool yes = false;

	if (key_fprs(key, &fpr, &primary) == 0)
		yes = gpg_ids_match(want, strlen(want) == GPG_FPR_HEX, fpr,
		    NULL) || gpg_ids_match(want, strlen(want) == GPG_FPR_HEX,
		    primary, NULL);
	rnp.buffer_destroy(fpr);
	rnp.buffer_destroy(primary);
	return yes;
}

/* Keep a wanted secret key unlocked; 1 if it is usable, 0 if dropped. */
static int
keep_secret(rnp_key_handle_t key, const char *want, const char *password)
{
	bool protected = false;

	if ((want[0] != '\0' && !in_family(key, want)) ||
	    rnp.key_is_protected(key, &protected) != RNP_SUCCESS ||
	    (protected && (password == NULL ||
	    rnp.key_unlock(key, password) != RNP_SUCCESS))) {
		rnp.key_remove(key, RNP_KEY_REMOVE_SECRET);
		return 0;
	}
	return 1;
}

/* The fingerprints of the secret keys, before any is removed. */
static size_t
secret_fprs(rnp_ffi_t ffi, char **fprs, size_t max)
{
	rnp_identifier_iterator_t it = NULL;
	rnp_key_handle_t key = NULL;
	const char *id = NULL;
	bool secret;
	size_t n = 0;

	if (rnp.identifier_iterator_create(ffi, &it, "fingerprint") !=
	    RNP_SUCCESS)
		return 0;
	while (n < max && rnp.identifier_iterator_next(it, &id) ==
	    RNP_SUCCESS && id != NULL) {
		secret = false;
		if (rnp.locate_key(ffi, "fingerprint", id, &key) == RNP_SUCCESS &&
		    key != NULL && rnp.key_have_secret(key, &secret) ==
		    RNP_SUCCESS && secret && (fprs[n] = strdup(id)) != NULL)
			n++;
		rnp.key_handle_destroy(key);
		key = NULL;
	}
	rnp.identifier_iterator_destroy(it);
	return n;
}

/* Keep the wanted secret keys, unlocked; their fingerprints in kept[]. */
static int
select_secrets(rnp_ffi_t ffi, const struct openpgp_rules *rules,
    char **kept, size_t *nkept, char *err, size_t errlen)
{
	char *fprs[KEYS_MAX], want[256] = "";
	rnp_key_handle_t key = NULL;
	size_t n, i;
	int r;

	*nkept = 0;
	if (rules->decrypt_id != NULL && (r = decrypt_id_fpr(ffi,
	    rules->decrypt_id, want, sizeof(want), err, errlen)) != 0)
		return r;
	n = secret_fprs(ffi, fprs, KEYS_MAX);
	for (i = 0; i < n; i++) {
		if (rnp.locate_key(ffi, "fingerprint", fprs[i], &key) ==
		    RNP_SUCCESS && key != NULL &&
		    keep_secret(key, want, rules->password))
			kept[(*nkept)++] = fprs[i];
		else
			free(fprs[i]);
		rnp.key_handle_destroy(key);
		key = NULL;
	}
	if (*nkept > 0)
		return 0;
	snprintf(err, errlen, "no usable secret key%s%s: none there, or "
	    "protected by another passphrase than GPG_DECRYPT_PW (or by one, "
	    "and GPG_DECRYPT_PW not set)", want[0] ? " for GPG_DECRYPT_ID " :
	    "", want);
	return SPA_ERR_CONFIG;
}

/* A message encrypted to the key `fpr`, into *out (the caller's). */
static bool
encrypt_to(rnp_ffi_t ffi, const char *fpr, rnp_output_t *out)
{
	static const uint8_t probe[] = "spagate";
	rnp_input_t in = NULL;
	rnp_op_encrypt_t op = NULL;
	rnp_key_handle_t key = NULL;
	bool ok;

	ok = rnp.locate_key(ffi, "fingerprint", fpr, &key) == RNP_SUCCESS &&
	    key != NULL &&
	    rnp.input_from_memory(&in, probe, sizeof(probe), false) ==
	    RNP_SUCCESS && rnp.output_to_memory(out, 0) == RNP_SUCCESS &&
	    rnp.op_encrypt_create(&op, ffi, in, *out) == RNP_SUCCESS &&
	    rnp.op_encrypt_add_recipient(op, key) == RNP_SUCCESS &&
	    rnp.op_encrypt_execute(op) == RNP_SUCCESS;
	rnp.op_encrypt_destroy(op);
	rnp.input_destroy(in);
	rnp.key_handle_destroy(key);
	return ok;
}

/*
 * A message encrypted to one of the kept keys must decrypt: it proves the
 * keys and passphrase work, and it is the first private-key operation,
 * which for RSA starts Botan's worker threads (its CRT runs on two):
 * started here, before the system call filter, which then covers them
 * (sandbox_linux_seccomp.c synchronises it to every thread).
 */
static int
self_test(struct openpgp *g, char **kept, size_t nkept, char *err,
    size_t errlen)
{
	rnp_output_t out = NULL;
	uint8_t *buf = NULL;
	char plain[64];
	size_t i, len = 0, plainlen = 0;
	bool ok = false;

	for (i = 0; i < nkept && !ok; i++) {
		ok = encrypt_to(g->ffi, kept[i], &out) &&
		    rnp.output_memory_get_buf(out, &buf, &len, false) ==
		    RNP_SUCCESS && openpgp_decrypt_only(g, buf, len, plain,
		    sizeof(plain), &plainlen) == 0 &&
		    strcmp(plain, "spagate") == 0;
		rnp.output_destroy(out);
		out = NULL;
	}
	if (ok)
		return 0;
	snprintf(err, errlen, "its secret keys cannot decrypt a message made "
	    "for them (a key that cannot encrypt, or not unlocked)");
	return SPA_ERR_CONFIG;
}

static int
copy_rules(struct openpgp *g, const struct openpgp_rules *rules)
{
	g->require_sig = rules->require_sig;
	g->ignore_sig_error = rules->ignore_sig_error;
	if ((rules->remote_ids != NULL &&
	    (g->remote_ids = strdup(rules->remote_ids)) == NULL) ||
	    (rules->fingerprints != NULL &&
	    (g->fingerprints = strdup(rules->fingerprints)) == NULL))
		return SPA_ERR_NOMEM;
	return 0;
}

int
openpgp_load(const struct gpg_keyring *kr, const struct openpgp_rules *rules,
    struct openpgp **out, char *err, size_t errlen)
{
	struct openpgp *g;
	char *kept[KEYS_MAX];
	size_t i, nkept = 0;
	int r;

	*out = NULL;
	err[0] = '\0';
	if ((r = load_rnp(err, errlen)) != 0)
		return r;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return SPA_ERR_NOMEM;
	if (rnp.ffi_create(&g->ffi, "GPG", "GPG") != RNP_SUCCESS ||
	    rnp.ffi_set_pass_provider(g->ffi, no_password, NULL) !=
	    RNP_SUCCESS) {
		r = SPA_ERR_CRYPTO;
		goto fail;
	}
	for (i = 0; i < kr->n; i++)
		if ((r = load_file(g->ffi, &kr->v[i], err, errlen)) != 0)
			goto fail;
	if ((r = select_secrets(g->ffi, rules, kept, &nkept, err,
	    errlen)) != 0 || (r = copy_rules(g, rules)) != 0 ||
	    (r = self_test(g, kept, nkept, err, errlen)) != 0)
		goto fail;
	*out = g;
	for (i = 0; i < nkept; i++)
		free(kept[i]);
	return 0;
fail:
	for (i = 0; i < nkept; i++)
		free(kept[i]);
	if (err[0] == '\0')
		snprintf(err, errlen, "%s", spa_strerror(r));
	openpgp_free(g);
	return r;
}

void
openpgp_free(struct openpgp *g)
{
	if (g == NULL)
		return;
	if (g->ffi != NULL)
		rnp.ffi_destroy(g->ffi);	/* librnp wipes its secrets */
	free(g->remote_ids);
	free(g->fingerprints);
	free(g);
}

/* --- one packet ------------------------------------------------------------ */

/* Encrypted, and with its integrity protection (MDC or AEAD) verified. */
static bool
protected_ok(rnp_op_verify_t op)
{
	char *mode = NULL;
	bool valid = false, ok;

	ok = rnp.op_verify_get_protection_info(op, &mode, NULL, &valid) ==
	    RNP_SUCCESS && mode != NULL && strcmp(mode, "none") != 0 && valid;
	rnp.buffer_destroy(mode);
	return ok;
}

/* Valid now: not revoked, not expired, nor is its primary key. */
static bool
valid_now(rnp_key_handle_t key)
{
	uint64_t till = 0;
	bool valid = false;

	return rnp.key_is_valid(key, &valid) == RNP_SUCCESS && valid &&
	    rnp.key_valid_till64(key, &till) == RNP_SUCCESS &&
	    till > (uint64_t)time(NULL);
}

/* Who signed: fingerprints if the key is known, else the key ID. */
struct signer {
	rnp_key_handle_t key;
	char		*fpr, *primary, *keyid;
};

static void
signer_get(rnp_op_verify_signature_t sig, struct signer *s)
{
	rnp_signature_handle_t h = NULL;

	memset(s, 0, sizeof(*s));
	if (rnp.op_verify_signature_get_key(sig, &s->key) == RNP_SUCCESS &&
	    s->key != NULL && key_fprs(s->key, &s->fpr, &s->primary) == 0)
		return;
	if (rnp.op_verify_signature_get_handle(sig, &h) == RNP_SUCCESS)
		rnp.signature_get_keyid(h, &s->keyid);
	rnp.signature_handle_destroy(h);
}

static void
signer_free(struct signer *s)
{
	rnp.key_handle_destroy(s->key);
	rnp.buffer_destroy(s->fpr);
	rnp.buffer_destroy(s->primary);
	rnp.buffer_destroy(s->keyid);
}

/* Both lists, when both are set, as fwknopd: the signing key or its
   primary key must be in each. */
static bool
signer_named(const struct openpgp *g, const struct signer *s)
{
	if (g->fingerprints != NULL &&
	    !gpg_ids_match(g->fingerprints, true, s->fpr, NULL) &&
	    !gpg_ids_match(g->fingerprints, true, s->primary, NULL))
		return false;
	if (g->remote_ids != NULL &&
	    !gpg_ids_match(g->remote_ids, false, s->fpr, s->keyid) &&
	    !gpg_ids_match(g->remote_ids, false, s->primary, NULL))
		return false;
	return true;
}

/* fwknopd judges the first signature only: so do we. */
static int
judge_signature(const struct openpgp *g, rnp_op_verify_t op)
{
	rnp_op_verify_signature_t sig = NULL;
	struct signer s;
	size_t n = 0;
	bool good;
	int r = 0;

	if (!g->require_sig)
		return 0;
	if (rnp.op_verify_get_signature_count(op, &n) != RNP_SUCCESS ||
	    n == 0 || rnp.op_verify_get_signature_at(op, 0, &sig) !=
	    RNP_SUCCESS)
		return SPA_ERR_SIGNATURE;
	signer_get(sig, &s);
	good = rnp.op_verify_signature_get_status(sig) == RNP_SUCCESS &&
	    s.key != NULL && valid_now(s.key);
	if ((!good && !g->ignore_sig_error) || !signer_named(g, &s))
		r = SPA_ERR_SIGNATURE;
	log_debug("GnuPG signature by %s: %s%s", s.fpr != NULL ? s.fpr :
	    s.keyid != NULL ? s.keyid : "an unknown key", good ? "valid" :
	    "not valid", r == 0 ? "" : ", refused");
	signer_free(&s);
	return r;
}

/* The plaintext out of librnp's buffer, which is wiped. */
static int
take_plain(rnp_output_t out, char *plain, size_t cap, size_t *plainlen)
{
	uint8_t *buf = NULL;
	size_t len = 0;

	if (rnp.output_memory_get_buf(out, &buf, &len, false) != RNP_SUCCESS ||
	    len >= cap)
		return SPA_ERR_DECRYPT;
	memcpy(plain, buf, len);
	plain[len] = '\0';
	*plainlen = len;
	crypto_wipe(buf, len);
	return 0;
}

static int
decrypt(const struct openpgp *g, const uint8_t *msg, size_t len,
    char *plain, size_t cap, size_t *plainlen, bool judge)
{
	rnp_input_t in = NULL;
	rnp_output_t out = NULL;
	rnp_op_verify_t op = NULL;
	int r = SPA_ERR_NOMEM;

	*plainlen = 0;
	if (cap == 0 || rnp.input_from_memory(&in, msg, len, false) !=
	    RNP_SUCCESS || rnp.output_to_memory(&out, cap) != RNP_SUCCESS ||
	    rnp.op_verify_create(&op, g->ffi, in, out) != RNP_SUCCESS ||
	    rnp.op_verify_set_flags(op, RNP_VERIFY_IGNORE_SIGS_ON_DECRYPT) !=
	    RNP_SUCCESS)
		goto out;
	/* every failure here is the packet's: not ours, damaged, forged */
	r = SPA_ERR_DECRYPT;
	if (rnp.op_verify_execute(op) != RNP_SUCCESS || !protected_ok(op))
		goto out;
	if ((r = judge ? judge_signature(g, op) : 0) == 0)
		r = take_plain(out, plain, cap, plainlen);
out:
	rnp.op_verify_destroy(op);
	rnp.input_destroy(in);
	rnp.output_destroy(out);
	return r;
}

int
openpgp_decrypt(const struct openpgp *g, const uint8_t *msg, size_t len,
    char *plain, size_t cap, size_t *plainlen)
{
	return decrypt(g, msg, len, plain, cap, plainlen, true);
}

/* The self test's: the probe is not signed. */
static int
openpgp_decrypt_only(const struct openpgp *g, const uint8_t *msg,
    size_t len, char *plain, size_t cap, size_t *plainlen)
{
	return decrypt(g, msg, len, plain, cap, plainlen, false);
}

/* --- the stanzas ----------------------------------------------------------- */

/* Load a stanza's keys into st->gpg_ctx; its keyring and passphrase go. */
static int
prepare_stanza(struct stanza *st, char *err, size_t errlen)
{
	struct openpgp_rules rules = {
		.decrypt_id = st->gpg_decrypt_id,
		.password = st->gpg_decrypt_pw,
		.require_sig = st->gpg_require_sig,
		.ignore_sig_error = st->gpg_ignore_sig_verify_error,
		.remote_ids = st->gpg_remote_id,
		.fingerprints = st->gpg_fingerprint_id,
	};
	struct openpgp *g = NULL;
	int r;

	r = openpgp_load(&st->gpg_keyring, &rules, &g, err, errlen);
	gpg_keyring_free(&st->gpg_keyring);	/* parsed: not kept */
	if (st->gpg_decrypt_pw != NULL) {
		crypto_wipe(st->gpg_decrypt_pw, strlen(st->gpg_decrypt_pw));
		free(st->gpg_decrypt_pw);
		st->gpg_decrypt_pw = NULL;
	}
	st->gpg_ctx = g;
	return r;
}

static ssize_t
discard(void *cookie, const char *buf, size_t len)
{
	(void)cookie;
	(void)buf;
	return (ssize_t)len;
}

/*
 * Debian's librnp is built with its diagnostics always on: they go to
 * stdio's stderr, one or more lines for each packet it cannot open, which
 * anyone can send.  The verifier's log keeps the real stderr; `stderr`
 * becomes a stream that writes nothing (and makes no system call).
 */
static void
quiet_stderr(void)
{
	cookie_io_functions_t io = { .write = discard };
	FILE *quiet = fopencookie(NULL, "w", io);

	if (quiet == NULL)
		return;
	log_keep_stderr();
	stderr = quiet;
}

int
openpgp_init(const struct access_conf *conf)
{
	rnp_ffi_t ffi = NULL;
	char err[256];
	size_t i;

	for (i = 0; i < conf->n; i++)
		if (conf->stanzas[i]->gpg)
			break;
	if (i == conf->n)
		return 0;	/* librnp is not even loaded */
	if (load_rnp(err, sizeof(err)) != 0) {
		log_errx("GnuPG: %s", err);
		return SPA_ERR_SYS;
	}
	quiet_stderr();
	/* one malloc arena: Botan's worker threads (see self_test) then
	   grow the main heap with brk, not arenas of their own with
	   mprotect, which the filter does not allow */
	mallopt(M_ARENA_MAX, 1);
	if (rnp.ffi_create(&ffi, "GPG", "GPG") != RNP_SUCCESS) {
		log_errx("GnuPG: librnp cannot start (its random number "
		    "generator)");
		return SPA_ERR_CRYPTO;
	}
	rnp.ffi_destroy(ffi);
	return 0;
}

/*
 * Some stanza still grants something: not disabled by the loader, and
 * with its GnuPG keys loaded or a Rijndael key beside them.
 */
static bool
any_usable(const struct access_conf *conf)
{
	const struct stanza *st;
	size_t i;

	for (i = 0; i < conf->n; i++) {
		st = conf->stanzas[i];
		if (!st->disabled && (!st->gpg_only || st->gpg_ctx != NULL))
			return true;
	}
	return false;
}

/*
 * Keys a user chose (st->gpg_user_file) that do not load disable their
 * stanza alone, as an error in that user's file would (access_user.c);
 * the admin's own refuse the start.
 */
static int
contain(const struct stanza *st, int r, const char *err, size_t *ndisabled)
{
	if (r == 0)
		return 0;
	if (r != SPA_ERR_CONFIG || st->gpg_user_file == NULL) {
		log_errx("%s:%u: stanza #%u: GnuPG keys: %s", st->file,
		    st->line, st->number, err);
		return r;
	}
	log_errx("%s:%u: stanza #%u: GnuPG keys: %s: %s is disabled (stanza "
	    "#%u refuses every %spacket)", st->file, st->line, st->number,
	    err, st->gpg_user_file, st->number, st->gpg_only ? "" :
	    "GnuPG ");
	(*ndisabled)++;
	return 0;
}

int
openpgp_prepare(struct access_conf *conf, size_t *ndisabled)
{
	struct stanza *st;
	char err[512];
	size_t i;
	int r;

	*ndisabled = 0;
	for (i = 0; i < conf->n; i++) {
		st = conf->stanzas[i];
		if (st->gpg && (r = contain(st, prepare_stanza(st, err,
		    sizeof(err)), err, ndisabled)) != 0)
			return r;
	}
	if (*ndisabled == 0 || any_usable(conf))
		return 0;
	log_errx("no usable stanza: the GnuPG keys of per-user files that "
	    "do not load disabled every one left");
	return SPA_ERR_CONFIG;
}

void
openpgp_release(struct access_conf *conf)
{
	size_t i;

	for (i = 0; i < conf->n; i++) {
		openpgp_free(conf->stanzas[i]->gpg_ctx);
		conf->stanzas[i]->gpg_ctx = NULL;
	}
}

int
openpgp_open_packet(void *arg, const struct stanza *st, const char *wire,
    size_t len, struct spa_packet *out, spa_auth_hook hook, void *hook_arg)
{
	uint8_t msg[SPA_GPG_MSG_MAX];
	char plain[PLAIN_MAX];
	size_t msglen = 0, plainlen = 0;
	int r;

	(void)arg;
	memset(out, 0, sizeof(*out));
	if (st->gpg_ctx == NULL)
		return SPA_ERR_GPG;
	if ((r = spa_open_gpg(&st->key, wire, len, msg, &msglen, hook,
	    hook_arg)) != 0)
		return r;
	if ((r = openpgp_decrypt(st->gpg_ctx, msg, msglen, plain,
	    sizeof(plain), &plainlen)) == 0 &&
	    st->key.hmac_type == SPA_DIGEST_NONE && hook != NULL)
		r = hook(hook_arg);
	if (r == 0)
		r = spa_decode(plain, plainlen, out);
	crypto_wipe(msg, sizeof(msg));
	crypto_wipe(plain, sizeof(plain));
	return r;
}
