/*
 * GnuPG packets (verifier/openpgp.c, the envelope of common/spa.c, the
 * signer lists of common/gpg.c) on fixtures the real fwknop client and
 * gpg made: tests/vectors/make-gpg.sh, whose header lists them.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

#include "access.h"
#include "b64.h"
#include "crypto.h"
#include "err.h"
#include "gpg.h"
#include "helpers.h"
#include "log.h"
#include "openpgp.h"
#include "rnp_lib.h"
#include "spa.h"

#define HMAC_KEY	"fixture-hmac"

/*
 * What a packet cost: HMACs (crypto_hmac, wrapped by ld) and librnp
 * decryptions (op_verify_execute, whose pointer the wrapped
 * rnp_lib_load swaps for a counting one).
 */
static unsigned int n_hmac, n_decrypt;
static __typeof__(rnp_op_verify_execute) *real_verify_execute;

int	__real_crypto_hmac(const struct crypto_hmac *, const void *, size_t,
	    const void *, size_t, uint8_t *, size_t *);
int	__wrap_crypto_hmac(const struct crypto_hmac *, const void *, size_t,
	    const void *, size_t, uint8_t *, size_t *);
int	__real_rnp_lib_load(struct rnp_lib *, char *, size_t);
int	__wrap_rnp_lib_load(struct rnp_lib *, char *, size_t);

int
__wrap_crypto_hmac(const struct crypto_hmac *h, const void *a, size_t alen,
    const void *b, size_t blen, uint8_t *out, size_t *outlen)
{
	n_hmac++;
	return __real_crypto_hmac(h, a, alen, b, blen, out, outlen);
}

static rnp_result_t
counted_verify_execute(rnp_op_verify_t op)
{
	n_decrypt++;
	return real_verify_execute(op);
}

int
__wrap_rnp_lib_load(struct rnp_lib *lib, char *err, size_t errlen)
{
	int r = __real_rnp_lib_load(lib, err, errlen);

	if (r == 0) {
		real_verify_execute = lib->op_verify_execute;
		lib->op_verify_execute = counted_verify_execute;
	}
	return r;
}

static char *
vec(const char *name, size_t *len)
{
	char rel[128], *path, *data;
	size_t n = 0;

	snprintf(rel, sizeof(rel), "tests/vectors/gpg/%s", name);
	path = th_srcpath(rel);
	data = th_slurp(path, &n);
	if (data == NULL)
		fail_msg("cannot read %s", path);
	free(path);
	if (len != NULL)
		*len = n;
	return data;
}

/* A fingerprint file's 40 digits (the newline cut). */
static char *
fpr(const char *name)
{
	char *s = vec(name, NULL);

	s[strcspn(s, "\n")] = '\0';
	return s;
}

static void
add(struct gpg_keyring *kr, enum gpg_file_kind kind, const char *name)
{
	size_t n = 0;
	char *data = vec(name, &n);

	assert_int_equal(gpg_keyring_append(kr, kind, (uint8_t *)data, n,
	    true), 0);
	free(data);
}

static void
ring(struct gpg_keyring *kr, const char *home)
{
	char name[64];

	memset(kr, 0, sizeof(*kr));
	snprintf(name, sizeof(name), "%s/pubring.kbx", home);
	add(kr, GPG_FILE_PUBRING_KBX, name);
	snprintf(name, sizeof(name), "%s/secring.gpg", home);
	add(kr, GPG_FILE_SECRING_GPG, name);
}

/* Load `home` with these rules; the load's result. */
static int
load(const char *home, const struct openpgp_rules *rules, struct openpgp **g,
    char *err, size_t errlen)
{
	struct gpg_keyring kr;
	int r;

	ring(&kr, home);
	r = openpgp_load(&kr, rules, g, err, errlen);
	gpg_keyring_free(&kr);
	return r;
}

/* A stanza as the verifier holds one: its keys loaded, its HMAC key. */
struct fix {
	struct stanza	 st;
	struct openpgp	*g;
	int		 hooks;		/* the replay hook's runs */
};

static int
hook(void *arg)
{
	((struct fix *)arg)->hooks++;
	return 0;
}

static void
fix_init(struct fix *f, const char *home, const struct openpgp_rules *rules,
    const char *hmac_key)
{
	char err[256];

	memset(f, 0, sizeof(*f));
	if (load(home, rules, &f->g, err, sizeof(err)) != 0)
		fail_msg("load %s: %s", home, err);
	f->st.gpg = true;
	f->st.gpg_ctx = f->g;
	assert_int_equal(spa_key_init(&f->st.key, SPA_MODE_CBC, NULL, 0,
	    hmac_key != NULL ? SPA_DIGEST_SHA256 : SPA_DIGEST_NONE,
	    (const uint8_t *)hmac_key, hmac_key != NULL ? strlen(hmac_key) : 0),
	    0);
}

static void
fix_free(struct fix *f)
{
	spa_key_clear(&f->st.key);
	openpgp_free(f->g);
}

/* Open a fixture packet (its text, as the client saved it). */
static int
open_vec(struct fix *f, const char *name, struct spa_packet *pkt)
{
	size_t n = 0;
	char *wire = vec(name, &n);
	int r;

	r = openpgp_open_packet(NULL, &f->st, wire, n, pkt, hook, f);
	free(wire);
	return r;
}

static struct openpgp_rules
signed_by(const char *ids, const char *fprs)
{
	struct openpgp_rules r = { .require_sig = true, .remote_ids = ids,
	    .fingerprints = fprs };

	return r;
}

/* --- the packets ----------------------------------------------------------- */

static void
signed_packet_is_opened(void **state)
{
	char *alice = fpr("alice.fpr");
	struct openpgp_rules rules = signed_by(alice + 32, NULL);
	struct spa_packet pkt;
	struct fix f;

	(void)state;
	fix_init(&f, "ecc", &rules, NULL);
	assert_int_equal(open_vec(&f, "ecc-alice.spa", &pkt), 0);
	assert_string_equal(pkt.message, "10.0.0.1,tcp/22");
	assert_int_equal(pkt.nports, 1);
	assert_int_equal(pkt.ports[0].port, 22);
	assert_int_equal(f.hooks, 1);	/* after the signature, once */
	fix_free(&f);
	free(alice);
}

/* Every signer list form: key ID of 8 or 16, 0x, fingerprint, both. */
static void
signer_lists_name_alice(void **state)
{
	char *alice = fpr("alice.fpr"), *mallory = fpr("mallory.fpr");
	char id16[32], with0x[32], two[128];
	struct openpgp_rules rules;
	struct spa_packet pkt;
	struct fix f;

	(void)state;
	snprintf(id16, sizeof(id16), "%s", alice + 24);
	snprintf(with0x, sizeof(with0x), "0x%s", alice + 32);
	snprintf(two, sizeof(two), "%s , %s", mallory, alice);
	const char *ids[][2] = {
		{ id16, NULL }, { with0x, NULL }, { NULL, alice },
		{ NULL, two }, { id16, alice },
	};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		rules = signed_by(ids[i][0], ids[i][1]);
		fix_init(&f, "ecc", &rules, NULL);
		assert_int_equal(open_vec(&f, "ecc-alice.spa", &pkt), 0);
		fix_free(&f);
	}
	free(alice);
	free(mallory);
}

static void
other_signer_is_refused(void **state)
{
	char *alice = fpr("alice.fpr"), *mallory = fpr("mallory.fpr");
	struct openpgp_rules rules = signed_by(alice + 32, NULL);
	struct spa_packet pkt;
	struct fix f;

	(void)state;
	fix_init(&f, "ecc", &rules, NULL);
	assert_int_equal(open_vec(&f, "ecc-mallory.spa", &pkt),
	    SPA_ERR_SIGNATURE);
	assert_int_equal(f.hooks, 0);	/* never authentic: no replay check */
	fix_free(&f);
	/* both lists: each must name the signer (fwknopd) */
	rules = signed_by(mallory + 32, alice);
	fix_init(&f, "ecc", &rules, NULL);
	assert_int_equal(open_vec(&f, "ecc-alice.spa", &pkt),
	    SPA_ERR_SIGNATURE);
	fix_free(&f);
	free(alice);
	free(mallory);
}

/*
 * A signature made while the key was valid, the key expired since:
 * refused (fwknopd: gpgme says the key expired), unless
 * GPG_IGNORE_SIG_VERIFY_ERROR, which still wants the signer named.
 */
static void
expired_signer_is_refused(void **state)
{
	char *erin = fpr("erin.fpr");
	struct openpgp_rules rules = signed_by(NULL, erin);
	struct spa_packet pkt;
	struct fix f;

	(void)state;
	fix_init(&f, "ecc", &rules, NULL);
	assert_int_equal(open_vec(&f, "ecc-erin.spa", &pkt), SPA_ERR_SIGNATURE);
	fix_free(&f);
	rules.ignore_sig_error = true;
	fix_init(&f, "ecc", &rules, NULL);
	assert_int_equal(open_vec(&f, "ecc-erin.spa", &pkt), 0);
	assert_int_equal(open_vec(&f, "ecc-mallory.spa", &pkt),
	    SPA_ERR_SIGNATURE);
	fix_free(&f);
	free(erin);
}

static void
unsigned_packet_needs_no_signature_rule(void **state)
{
	char *alice = fpr("alice.fpr");
	struct openpgp_rules rules = signed_by(alice + 32, NULL);
	struct spa_packet pkt;
	struct fix f;

	(void)state;
	fix_init(&f, "ecc", &rules, NULL);
	assert_int_equal(open_vec(&f, "ecc-unsigned.spa", &pkt),
	    SPA_ERR_SIGNATURE);
	assert_int_equal(f.hooks, 0);
	fix_free(&f);
	rules.require_sig = false;
	fix_init(&f, "ecc", &rules, NULL);
	assert_int_equal(open_vec(&f, "ecc-unsigned.spa", &pkt), 0);
	assert_int_equal(f.hooks, 1);
	fix_free(&f);
	free(alice);
}

/* A signed message that is not encrypted is no SPA packet. */
static void
unencrypted_message_is_refused(void **state)
{
	struct openpgp_rules rules = { .require_sig = false };
	char plain[256], *msg;
	size_t n = 0, plainlen = 0;
	struct fix f;

	(void)state;
	fix_init(&f, "ecc", &rules, NULL);
	msg = vec("signed-only.gpg", &n);
	assert_int_equal(openpgp_decrypt(f.g, (uint8_t *)msg, n, plain,
	    sizeof(plain), &plainlen), SPA_ERR_DECRYPT);
	free(msg);
	fix_free(&f);
}

/* The packet for the RSA server is not for the ECC one. */
static void
packet_for_another_key_is_refused(void **state)
{
	struct openpgp_rules rules = { .require_sig = false };
	struct spa_packet pkt;
	struct fix f;

	(void)state;
	fix_init(&f, "ecc", &rules, NULL);
	assert_int_equal(open_vec(&f, "rsa-alice.spa", &pkt), SPA_ERR_DECRYPT);
	assert_int_equal(f.hooks, 0);
	fix_free(&f);
}

/* HMAC first: a packet whose HMAC is wrong is never decrypted. */
static void
hmac_is_checked_before_decryption(void **state)
{
	char *alice = fpr("alice.fpr"), *wire;
	struct openpgp_rules rules = signed_by(alice + 32, NULL);
	struct spa_packet pkt;
	struct fix f;
	size_t n = 0;

	(void)state;
	fix_init(&f, "ecc", &rules, HMAC_KEY);
	assert_int_equal(open_vec(&f, "ecc-alice-hmac.spa", &pkt), 0);
	assert_int_equal(f.hooks, 1);
	wire = vec("ecc-alice-hmac.spa", &n);
	wire[n - 1] = wire[n - 1] == 'A' ? 'B' : 'A';
	assert_int_equal(openpgp_open_packet(NULL, &f.st, wire, n, &pkt, hook,
	    &f), SPA_ERR_HMAC);
	assert_int_equal(f.hooks, 1);
	free(wire);
	/* a packet without an HMAC, to a stanza with a key */
	assert_int_equal(open_vec(&f, "ecc-alice.spa", &pkt), SPA_ERR_HMAC);
	fix_free(&f);
	free(alice);
}

/* Any damage in the body: refused, never opened. */
static void
damaged_packets_are_refused(void **state)
{
	struct openpgp_rules rules = { .require_sig = false };
	struct spa_packet pkt;
	struct fix f;
	size_t n = 0, i;
	char *wire;

	(void)state;
	fix_init(&f, "ecc", &rules, NULL);
	wire = vec("ecc-unsigned.spa", &n);
	for (i = 0; i < n; i += 7) {
		char c = wire[i];

		wire[i] = c == 'A' ? 'B' : 'A';
		assert_int_not_equal(openpgp_open_packet(NULL, &f.st, wire, n,
		    &pkt, hook, &f), 0);
		wire[i] = c;
	}
	assert_int_not_equal(openpgp_open_packet(NULL, &f.st, wire, n / 2,
	    &pkt, hook, &f), 0);
	free(wire);
	fix_free(&f);
}

/* --- what a forged packet costs ------------------------------------------- */

/* The OpenPGP message of a fixture packet sent without an HMAC. */
static size_t
message_of(const char *name, uint8_t *msg)
{
	struct spa_key k;
	size_t n = 0, len = 0;
	char *wire = vec(name, &n);

	memset(&k, 0, sizeof(k));
	assert_int_equal(spa_open_gpg(&k, wire, n, msg, &len, NULL, NULL), 0);
	free(wire);
	return len;
}

/* The packet's text for a message: its base64, the first two cut. */
static size_t
text_of(const uint8_t *msg, size_t len, char *wire)
{
	char b64[B64_ENCODED_LEN(SPA_GPG_MSG_MAX)];
	size_t n = b64_encode(msg, len, b64);

	memcpy(wire, b64 + 2, n - 2);
	wire[n - 2] = '\0';
	return n - 2;
}

/*
 * ecc-unsigned.spa's message with its session-key packet (0x84, a
 * one-byte length: the first 2 + msg[1] bytes) `copies` times, then
 * `pad` bytes after its encrypted data, as text.
 */
static size_t
forged_text(size_t copies, size_t pad, char *wire)
{
	uint8_t msg[SPA_GPG_MSG_MAX], out[2 * SPA_GPG_MSG_MAX];
	size_t len = message_of("ecc-unsigned.spa", msg), first, n = 0, i;

	assert_int_equal(msg[0], 0x84);
	first = 2 + msg[1];
	for (i = 0; i < copies; i++, n += first)
		memcpy(out + n, msg, first);
	memcpy(out + n, msg + first, len - first);
	n += len - first;
	memset(out + n, 0x5a, pad);
	return text_of(out, n + pad, wire);
}

/*
 * librnp tries every session-key packet naming the stanza's key, each a
 * private-key operation: a message holds four at most, the fifth is
 * refused before any is tried.
 */
static void
session_keys_are_capped(void **state)
{
	struct openpgp_rules rules = { .require_sig = false };
	char wire[2 * SPA_MAX_PAYLOAD];
	struct spa_packet pkt;
	struct fix f;
	size_t n;

	(void)state;
	fix_init(&f, "ecc", &rules, NULL);
	n = forged_text(4, 0, wire);
	assert_int_equal(openpgp_open_packet(NULL, &f.st, wire, n, &pkt, hook,
	    &f), 0);
	assert_int_equal(f.hooks, 1);
	n_decrypt = 0;
	n = forged_text(5, 0, wire);
	assert_true(n <= SPA_MAX_PAYLOAD);
	assert_int_equal(openpgp_open_packet(NULL, &f.st, wire, n, &pkt, hook,
	    &f), SPA_ERR_CIPHERTEXT);
	assert_int_equal(n_decrypt, 0);
	fix_free(&f);
}

/*
 * ecc-unsigned.spa's message with a second copy of its session key under
 * the header hdr (hlen bytes), as text.
 */
static size_t
second_key_under(const uint8_t *hdr, size_t hlen, char *wire)
{
	uint8_t msg[SPA_GPG_MSG_MAX], out[2 * SPA_GPG_MSG_MAX];
	size_t len = message_of("ecc-unsigned.spa", msg), first = 2 + msg[1];
	size_t n = 0;

	memcpy(out, msg, first);
	n += first;
	memcpy(out + n, hdr, hlen);
	n += hlen;
	memcpy(out + n, msg + 2, first - 2);
	n += first - 2;
	memcpy(out + n, msg + first, len - first);
	return text_of(out, n + len - first, wire);
}

/* The walk reads old and new headers; a session key's length is whole. */
static void
walk_reads_both_header_formats(void **state)
{
	static const struct {
		uint8_t	hdr[6];
		size_t	len;
		int	want;
	} v[] = {
		{ { 0xc1, 94 }, 2, 0 },				/* new, 1 byte */
		{ { 0xc1, 0xff, 0, 0, 0, 94 }, 6, 0 },		/* new, 4 bytes */
		{ { 0x85, 0, 94 }, 3, 0 },			/* old, 2 bytes */
		{ { 0x86, 0, 0, 0, 94 }, 5, 0 },		/* old, 4 bytes */
		{ { 0xc1, 0xe6 }, 2, SPA_ERR_CIPHERTEXT },	/* partial */
		{ { 0x87 }, 1, SPA_ERR_CIPHERTEXT },	/* indeterminate */
		{ { 0x8c, 94 }, 2, SPA_ERR_CIPHERTEXT },	/* tag 3 */
	};
	struct openpgp_rules rules = { .require_sig = false };
	char wire[2 * SPA_MAX_PAYLOAD];
	struct spa_packet pkt;
	struct fix f;
	size_t i, n;

	(void)state;
	fix_init(&f, "ecc", &rules, NULL);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = second_key_under(v[i].hdr, v[i].len, wire);
		if (openpgp_open_packet(NULL, &f.st, wire, n, &pkt, hook, &f) !=
		    v[i].want)
			fail_msg("header %zu: not %d", i, v[i].want);
	}
	fix_free(&f);
}

/*
 * A forged packet of 1,000 characters and more at a stanza with an HMAC
 * key costs one HMAC at most and never a decryption: one whose header
 * walk passes (four session keys naming the stanza's key, an HMAC of the
 * right length that is not the packet's), and random text (no header:
 * no HMAC either).  The same packet at a stanza without an HMAC key is
 * decrypted: the counter sees decryptions.
 */
static void
forged_packet_costs_one_hmac(void **state)
{
	struct openpgp_rules rules = { .require_sig = false };
	char wire[2 * SPA_MAX_PAYLOAD];
	struct spa_packet pkt;
	struct fix f;
	size_t n, i;

	(void)state;
	n = forged_text(4, 200, wire);
	memset(wire + n, 'A', 43);		/* an HMAC-SHA256's length */
	n += 43;
	assert_true(n >= 1000 && n <= SPA_MAX_PAYLOAD);
	fix_init(&f, "ecc", &rules, HMAC_KEY);
	n_hmac = n_decrypt = 0;
	assert_int_equal(openpgp_open_packet(NULL, &f.st, wire, n, &pkt, hook,
	    &f), SPA_ERR_HMAC);
	assert_int_equal(n_hmac, 1);
	assert_int_equal(n_decrypt, 0);
	assert_int_equal(f.hooks, 0);
	for (i = 0; i < n; i++)			/* random text */
		wire[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789+/"[(i * 7919 + i / 3) % 64];
	wire[n - 1] = 'A';
	n_hmac = 0;
	assert_int_equal(openpgp_open_packet(NULL, &f.st, wire, n, &pkt, hook,
	    &f), SPA_ERR_HMAC);
	assert_int_equal(n_hmac + n_decrypt, 0);
	fix_free(&f);
	fix_init(&f, "ecc", &rules, NULL);
	n = forged_text(4, 200, wire);
	n_decrypt = 0;
	(void)openpgp_open_packet(NULL, &f.st, wire, n, &pkt, hook, &f);
	assert_int_equal(n_decrypt, 1);
	fix_free(&f);
}

/* --- the envelope ---------------------------------------------------------- */

/* The two characters the client cut: "hQ" for RSA, "hF" for cv25519. */
static void
cut_prefix_is_read_off_the_header(void **state)
{
	struct spa_key k;
	uint8_t msg[SPA_GPG_MSG_MAX];
	size_t n = 0, len = 0;
	char *wire;

	(void)state;
	memset(&k, 0, sizeof(k));
	wire = vec("rsa-alice.spa", &n);
	assert_int_equal(spa_open_gpg(&k, wire, n, msg, &len, NULL, NULL), 0);
	assert_int_equal(msg[0], 0x85);		/* base64 "hQ..." */
	free(wire);
	wire = vec("ecc-alice.spa", &n);
	assert_int_equal(spa_open_gpg(&k, wire, n, msg, &len, NULL, NULL), 0);
	assert_int_equal(msg[0], 0x84);		/* base64 "hF..." */
	assert_int_equal(msg[1] >> 4, 5);
	free(wire);
	/* base64 that is no OpenPGP message at all */
	memset(msg, 0, sizeof(msg));
	assert_int_equal(spa_open_gpg(&k, "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"
	    "QUFBQUFBQUFBQUFB", 48, msg, &len, NULL, NULL), SPA_ERR_CIPHERTEXT);
}

/* --- loading --------------------------------------------------------------- */

static void
rsa_key_needs_its_passphrase(void **state)
{
	char *alice = fpr("alice.fpr"), err[256];
	struct openpgp_rules rules = signed_by(alice + 32, NULL);
	struct openpgp *g = NULL;
	struct spa_packet pkt;
	struct fix f;

	(void)state;
	assert_int_equal(load("rsa", &rules, &g, err, sizeof(err)),
	    SPA_ERR_CONFIG);
	assert_non_null(strstr(err, "no usable secret key"));
	rules.password = "wrong";
	assert_int_equal(load("rsa", &rules, &g, err, sizeof(err)),
	    SPA_ERR_CONFIG);
	assert_null(g);
	rules.password = "srvpw";
	fix_init(&f, "rsa", &rules, NULL);
	assert_int_equal(open_vec(&f, "rsa-alice.spa", &pkt), 0);
	fix_free(&f);
	free(alice);
}

/* Load the ECC ring with GPG_DECRYPT_ID `id`; the load's result and why. */
static int
load_id(const char *id, char *err, size_t errlen)
{
	struct openpgp_rules rules = { .require_sig = false, .decrypt_id = id };
	struct openpgp *g = NULL;
	int r;

	r = load("ecc", &rules, &g, err, errlen);
	openpgp_free(g);
	return r;
}

/*
 * GPG_DECRYPT_ID in each of gpg's forms picks the server key of the ECC
 * ring, which also holds alice's, mallory's and erin's public keys (user
 * IDs "NAME <NAME@spagate.test>"); a packet to it then opens.
 */
static void
decrypt_id_picks_the_key(void **state)
{
	char *ecc = fpr("ecc.fpr"), with0x[64];
	const char *ids[] = {
		"ecc <ecc@spagate.test>", "ECC", "*cc <e", "  ecc",
		"<ECC@spagate.test>", "@ecc", "@<ecc", "=ecc <ecc@spagate.test>",
		/* the encryption subkey's key ID: its primary key, or itself */
		"7BAFD357F7808184", "0x7bafd357f7808184!", NULL, NULL, NULL,
	};
	struct openpgp_rules rules = { .require_sig = false };
	struct spa_packet pkt;
	struct fix f;
	size_t i;

	(void)state;
	snprintf(with0x, sizeof(with0x), "0x%s", ecc);
	ids[10] = ecc + 32;
	ids[11] = with0x;
	for (i = 0; ids[i] != NULL; i++) {
		rules.decrypt_id = ids[i];
		fix_init(&f, "ecc", &rules, NULL);
		if (open_vec(&f, "ecc-unsigned.spa", &pkt) != 0)
			fail_msg("GPG_DECRYPT_ID %s does not open", ids[i]);
		fix_free(&f);
	}
	free(ecc);
}

/* What names no key, or more than one: an error that says so. */
static void
decrypt_id_names_one_key(void **state)
{
	char *alice = fpr("alice.fpr"), err[512];

	(void)state;
	assert_int_equal(load_id("0123456789ABCDEF", err, sizeof(err)),
	    SPA_ERR_CONFIG);	/* no such key */
	assert_non_null(strstr(err, "0123456789ABCDEF: no key of the ring"));
	assert_int_equal(load_id("=ECC <ecc@spagate.test>", err,
	    sizeof(err)), SPA_ERR_CONFIG);	/* = is exact, case too */
	assert_int_equal(load_id("<cc@spagate.test>", err, sizeof(err)),
	    SPA_ERR_CONFIG);	/* <> is the whole address */
	assert_int_equal(load_id("0xECC", err, sizeof(err)), SPA_ERR_CONFIG);
	assert_non_null(strstr(err, "names no key the way gpg reads"));
	/* every user ID is at spagate.test: four keys */
	assert_int_equal(load_id("spagate.test", err, sizeof(err)),
	    SPA_ERR_CONFIG);
	assert_non_null(strstr(err, "GPG_DECRYPT_ID spagate.test is "
	    "ambiguous: 4 keys match it ("));
	assert_non_null(strstr(err, "and 1 more"));
	assert_int_equal(load_id("@SPAGATE", err, sizeof(err)),
	    SPA_ERR_CONFIG);
	assert_non_null(strstr(err, "ambiguous"));
	assert_int_equal(load_id("*", err, sizeof(err)), SPA_ERR_CONFIG);
	assert_non_null(strstr(err, "ambiguous"));
	/* alice's is one key, but a public one: nothing to decrypt with */
	assert_int_equal(load_id("alice", err, sizeof(err)), SPA_ERR_CONFIG);
	assert_non_null(strstr(err, "no usable secret key"));
	assert_int_equal(load_id(alice, err, sizeof(err)), SPA_ERR_CONFIG);
	free(alice);
}

static void
keyring_without_public_ring_is_refused(void **state)
{
	struct openpgp_rules rules = { .require_sig = false };
	struct gpg_keyring kr;
	struct openpgp *g = NULL;
	char err[256];
	static const uint8_t junk[] = "not a keyring";

	(void)state;
	memset(&kr, 0, sizeof(kr));
	assert_int_equal(gpg_keyring_append(&kr, GPG_FILE_PUBRING_KBX, junk,
	    sizeof(junk), true), 0);
	assert_int_equal(openpgp_load(&kr, &rules, &g, err, sizeof(err)),
	    SPA_ERR_CONFIG);
	gpg_keyring_free(&kr);
}

/* --- the stanzas: keys that do not load ----------------------------------- */

/* Stanzas as the verifier gets them: #1 the admin's ECC keys, which load. */
struct policy {
	struct access_conf	 conf;
	struct stanza		 st[3];
	struct stanza		*v[3];
	char			*dir;
	int			 saved_stderr;
};

static void
gpg_stanza(struct stanza *st, unsigned int number, const char *home,
    char *user_file)
{
	st->number = number;
	st->file = "access.conf";
	st->line = number * 10;
	st->gpg = st->gpg_only = true;
	st->gpg_user_file = user_file;
	ring(&st->gpg_keyring, home);
}

static void
policy_init(struct policy *p, size_t n)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < n; i++)
		p->v[i] = &p->st[i];
	p->conf.n = n;
	p->conf.stanzas = p->v;
	gpg_stanza(&p->st[0], 1, "ecc", NULL);
	p->dir = th_mkdtemp();
}

/* What openpgp_prepare() logs, from its stderr. */
static int
prepare_caught(struct policy *p, size_t *ndisabled, char **out)
{
	char path[512];
	int fd, r;

	snprintf(path, sizeof(path), "%s/log", p->dir);
	fflush(stderr);
	p->saved_stderr = dup(2);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0 && p->saved_stderr >= 0 && dup2(fd, 2) == 2);
	close(fd);
	r = openpgp_prepare(&p->conf, ndisabled);
	fflush(stderr);
	dup2(p->saved_stderr, 2);
	close(p->saved_stderr);
	*out = th_slurp(path, NULL);
	return r;
}

static void
policy_free(struct policy *p)
{
	size_t i;

	openpgp_release(&p->conf);
	for (i = 0; i < p->conf.n; i++)
		gpg_keyring_free(&p->st[i].gpg_keyring);
	th_rmtree(p->dir);
	free(p->dir);
}

/*
 * A user's keys that do not load (the RSA key needs a passphrase the
 * user's file does not give): that stanza alone is left without keys,
 * logged at error with file:line and the file, and counted; the admin's
 * stanza beside it serves.
 */
static void
user_keys_that_fail_disable_their_stanza_only(void **state)
{
	struct spa_packet pkt;
	struct policy p;
	struct fix f;
	size_t ndisabled = 9;
	char *out, bob[] = "users/bob.conf", carol[] = "users/carol.conf";

	(void)state;
	policy_init(&p, 3);
	gpg_stanza(&p.st[1], 2, "rsa", bob);
	gpg_stanza(&p.st[2], 3, "ecc", carol);
	assert_int_equal(prepare_caught(&p, &ndisabled, &out), 0);
	assert_int_equal(ndisabled, 1);
	assert_non_null(p.st[0].gpg_ctx);
	assert_null(p.st[1].gpg_ctx);
	assert_non_null(p.st[2].gpg_ctx);
	assert_int_equal(p.st[1].gpg_keyring.n, 0);	/* dropped all the same */
	assert_non_null(strstr(out, "error: access.conf:20: stanza #2: GnuPG "
	    "keys: no usable secret key"));
	assert_non_null(strstr(out, "users/bob.conf is disabled (stanza #2 "
	    "refuses every packet)"));
	assert_null(strstr(out, "stanza #1"));	/* nothing said of those */
	assert_null(strstr(out, "stanza #3"));
	/* the disabled stanza refuses, the others open their packets */
	memset(&f, 0, sizeof(f));
	f.st = p.st[1];
	assert_int_equal(openpgp_open_packet(NULL, &f.st, "x", 1, &pkt, hook,
	    &f), SPA_ERR_GPG);
	f.st = p.st[2];
	assert_int_equal(open_vec(&f, "ecc-unsigned.spa", &pkt), 0);
	free(out);
	policy_free(&p);
}

/* The admin's own keys that do not load still refuse the start. */
static void
admin_keys_that_fail_refuse_the_start(void **state)
{
	struct policy p;
	size_t ndisabled = 9;
	char *out;

	(void)state;
	policy_init(&p, 2);
	gpg_stanza(&p.st[1], 2, "rsa", NULL);
	assert_int_equal(prepare_caught(&p, &ndisabled, &out), SPA_ERR_CONFIG);
	assert_int_equal(ndisabled, 0);
	assert_non_null(strstr(out, "access.conf:20: stanza #2: GnuPG keys: "
	    "no usable secret key"));
	assert_null(strstr(out, "is disabled"));
	free(out);
	policy_free(&p);
}

/* Every stanza left without keys: nothing to serve, refused as today. */
static void
no_stanza_left_is_refused(void **state)
{
	struct policy p;
	size_t ndisabled = 0;
	char *out, bob[] = "users/bob.conf";

	(void)state;
	policy_init(&p, 1);
	gpg_keyring_free(&p.st[0].gpg_keyring);
	gpg_stanza(&p.st[0], 1, "rsa", bob);
	assert_int_equal(prepare_caught(&p, &ndisabled, &out), SPA_ERR_CONFIG);
	assert_int_equal(ndisabled, 1);
	assert_non_null(strstr(out, "no usable stanza"));
	free(out);
	policy_free(&p);
}

/* --- common/gpg.c ---------------------------------------------------------- */

/* gpg's forms of a key name (gpg(1), HOW TO SPECIFY A USER ID). */
static void
key_names_parse_as_gpg_reads_them(void **state)
{
	static const struct {
		const char	*in;
		int		 kind;		/* -1: refused */
		const char	*text;
		bool		 exact_key;
	} t[] = {
		{ "C3E51A8D", GPG_SPEC_KEYID, "C3E51A8D", false },
		{ "0xc3e51a8d", GPG_SPEC_KEYID, "C3E51A8D", false },
		{ "0C3E51A8D", GPG_SPEC_KEYID, "C3E51A8D", false },
		{ "0B0B427EC3E51A8D", GPG_SPEC_KEYID, "0B0B427EC3E51A8D", false },
		{ "0X0B0B427EC3E51A8D!", GPG_SPEC_KEYID, "0B0B427EC3E51A8D", true },
		{ "4B9D7EDED2F33F6368772F220B0B427EC3E51A8D", GPG_SPEC_FPR,
		  "4B9D7EDED2F33F6368772F220B0B427EC3E51A8D", false },
		{ "4b9d 7ede d2f3 3f63 6877  2f22 0b0b 427e c3e5 1a8d",
		  GPG_SPEC_FPR, "4B9D7EDED2F33F6368772F220B0B427EC3E51A8D",
		  false },
		{ "4B9D 7EDE D2F3 3F63 6877 2F22 0B0B 427E C3E5 1A8D",
		  GPG_SPEC_FPR, "4B9D7EDED2F33F6368772F220B0B427EC3E51A8D",
		  false },
		/* not a key ID: text to look for (gpg too) */
		{ "4B9D 7EDE", GPG_SPEC_SUBSTR, "4B9D 7EDE", false },
		{ "4B9D7EDE D2F33F63", GPG_SPEC_SUBSTR, "4B9D7EDE D2F33F63",
		  false },
		{ "C3E51A8", GPG_SPEC_SUBSTR, "C3E51A8", false },
		{ "0x", -1, NULL, false },
		{ "0xC3E51A8", -1, NULL, false },
		{ "0x4B9D 7EDE D2F3 3F63 6877  2F22 0B0B 427E C3E5 1A8D", -1,
		  NULL, false },
		{ "<alice@spagate.test>", GPG_SPEC_MAIL, "alice@spagate.test",
		  false },
		{ "<alice@spagate.test", GPG_SPEC_MAIL, "alice@spagate.test",
		  false },
		{ "@alice", GPG_SPEC_MAILSUB, "alice", false },
		{ "=alice <alice@spagate.test>", GPG_SPEC_EXACT,
		  "alice <alice@spagate.test>", false },
		{ "*alice", GPG_SPEC_SUBSTR, "alice", false },
		{ "*", GPG_SPEC_SUBSTR, "", false },
		{ " \talice!", GPG_SPEC_SUBSTR, "alice!", false },
		{ "", -1, NULL, false }, { "  ", -1, NULL, false },
		{ "@", -1, NULL, false }, { "=", -1, NULL, false },
		{ "<>", -1, NULL, false },
	};
	struct gpg_spec sp;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (t[i].kind < 0) {
			if (gpg_spec_parse(t[i].in, &sp) != SPA_ERR_CONFIG)
				fail_msg("\"%s\" is not refused", t[i].in);
			continue;
		}
		if (gpg_spec_parse(t[i].in, &sp) != 0 ||
		    (int)sp.kind != t[i].kind ||
		    strcmp(sp.text, t[i].text) != 0 ||
		    sp.exact_key != t[i].exact_key)
			fail_msg("\"%s\": kind %d \"%s\"", t[i].in, sp.kind,
			    sp.text);
	}
}

/* Does the name `in` match user ID `uid`, or the key `fpr`? */
static bool
uid_is(const char *in, const char *uid)
{
	struct gpg_spec sp;

	assert_int_equal(gpg_spec_parse(in, &sp), 0);
	return gpg_spec_names_uid(&sp, uid);
}

static bool
key_is(const char *in, const char *fpr)
{
	struct gpg_spec sp;

	assert_int_equal(gpg_spec_parse(in, &sp), 0);
	return gpg_spec_names_key(&sp, fpr);
}

static void
key_names_match_as_gpg_matches_them(void **state)
{
	static const char *u = "Alice Liddell <alice@Spagate.test>";
	static const char *f = "4B9D7EDED2F33F6368772F220B0B427EC3E51A8D";

	(void)state;
	/* <address>: the whole address, any case */
	assert_true(uid_is("<alice@spagate.test>", u));
	assert_true(uid_is("<ALICE@SPAGATE.TEST>", u));
	assert_false(uid_is("<lice@spagate.test>", u));
	assert_false(uid_is("<alice@spagate.test>x", u));
	assert_true(uid_is("<bob@example.org>", "bob@example.org"));
	assert_false(uid_is("<bob@example.org>", "bob"));
	/* @text: in the address only, any case */
	assert_true(uid_is("@ALICE@", u));
	assert_true(uid_is("@spagate", u));
	assert_true(uid_is("@test>", u));	/* gpg looks at <> too */
	assert_false(uid_is("@Liddell", u));
	/* =: the whole user ID, exactly */
	assert_true(uid_is("=Alice Liddell <alice@Spagate.test>", u));
	assert_false(uid_is("=alice liddell <alice@spagate.test>", u));
	assert_false(uid_is("=Alice Liddell", u));
	/* the default: anywhere in the user ID, any case */
	assert_true(uid_is("liddell <AL", u));
	assert_true(uid_is("*alice", u));
	assert_true(uid_is("*", u));
	assert_false(uid_is("carroll", u));
	/* key IDs and fingerprints name keys, never user IDs */
	assert_false(uid_is("C3E51A8D", "C3E51A8D"));
	assert_true(key_is("C3E51A8D", f));
	assert_true(key_is("0x0b0b427ec3e51a8d", f));
	assert_false(key_is("0B0B427E", f));	/* not the end */
	assert_true(key_is("4B9D 7EDE D2F3 3F63 6877  2F22 0B0B 427E C3E5 "
	    "1A8D", f));
	assert_false(key_is("5B9D7EDED2F33F6368772F220B0B427EC3E51A8D", f));
	assert_false(key_is("alice", f));
}

static void
signer_list_syntax(void **state)
{
	char bad[64];

	(void)state;
	assert_int_equal(gpg_ids_check("ABCD1234", false, bad, sizeof(bad)), 0);
	assert_int_equal(gpg_ids_check("0xabcd1234, 0123456789ABCDEF", false,
	    bad, sizeof(bad)), 0);
	assert_int_equal(gpg_ids_check("ABCD", false, bad, sizeof(bad)),
	    SPA_ERR_CONFIG);
	assert_int_equal(gpg_ids_check("ABCD123G", false, bad, sizeof(bad)),
	    SPA_ERR_CONFIG);
	assert_int_equal(gpg_ids_check(" , ", false, bad, sizeof(bad)),
	    SPA_ERR_CONFIG);
	assert_int_equal(gpg_ids_check("00CC 95F0 5BC1 46B6 AC40 38C9 E36F "
	    "443C 6A3F AD56", true, bad, sizeof(bad)), 0);
	assert_int_equal(gpg_ids_check("6A3FAD56", true, bad, sizeof(bad)),
	    SPA_ERR_CONFIG);
	assert_int_equal(gpg_ids_check("00CC95F05BC146B6AC4038C9E36F443C6A3F"
	    "AD5600", true, bad, sizeof(bad)), SPA_ERR_CONFIG);
}

static void
signer_list_matching(void **state)
{
	static const char *f = "00CC95F05BC146B6AC4038C9E36F443C6A3FAD56";

	(void)state;
	assert_true(gpg_ids_match("6a3fad56", false, f, NULL));
	assert_true(gpg_ids_match("1111AAAA,E36F443C6A3FAD56", false, f, NULL));
	assert_false(gpg_ids_match("E36F443C", false, f, NULL));
	assert_true(gpg_ids_match("6A3FAD56", false, NULL, "E36F443C6A3FAD56"));
	assert_true(gpg_ids_match(f, true, f, NULL));
	assert_false(gpg_ids_match(f, true, NULL, "E36F443C6A3FAD56"));
	assert_false(gpg_ids_match("6A3FAD56", true, f, NULL));
}

static void
keyring_limits(void **state)
{
	struct gpg_keyring kr;
	static uint8_t big[GPG_FILE_MAX + 1];

	(void)state;
	memset(&kr, 0, sizeof(kr));
	assert_int_equal(gpg_keyring_append(&kr, GPG_FILE_PUBRING_KBX, big,
	    sizeof(big), true), SPA_ERR_ARG);
	assert_int_equal(gpg_keyring_append(&kr, GPG_FILE_PUBRING_KBX, big,
	    10, false), 0);
	assert_false(gpg_keyring_complete(&kr));
	/* a piece of another kind while a file is open */
	assert_int_equal(gpg_keyring_append(&kr, GPG_FILE_SECRING_GPG, big,
	    10, true), SPA_ERR_ARG);
	assert_int_equal(gpg_keyring_append(&kr, GPG_FILE_PUBRING_KBX, big,
	    10, true), 0);
	assert_true(gpg_keyring_complete(&kr));
	assert_int_equal(kr.n, 1);
	assert_int_equal(kr.v[0].len, 20);
	gpg_keyring_free(&kr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signed_packet_is_opened),
		cmocka_unit_test(signer_lists_name_alice),
		cmocka_unit_test(other_signer_is_refused),
		cmocka_unit_test(expired_signer_is_refused),
		cmocka_unit_test(unsigned_packet_needs_no_signature_rule),
		cmocka_unit_test(unencrypted_message_is_refused),
		cmocka_unit_test(packet_for_another_key_is_refused),
		cmocka_unit_test(hmac_is_checked_before_decryption),
		cmocka_unit_test(damaged_packets_are_refused),
		cmocka_unit_test(session_keys_are_capped),
		cmocka_unit_test(walk_reads_both_header_formats),
		cmocka_unit_test(forged_packet_costs_one_hmac),
		cmocka_unit_test(cut_prefix_is_read_off_the_header),
		cmocka_unit_test(rsa_key_needs_its_passphrase),
		cmocka_unit_test(decrypt_id_picks_the_key),
		cmocka_unit_test(decrypt_id_names_one_key),
		cmocka_unit_test(keyring_without_public_ring_is_refused),
		cmocka_unit_test(user_keys_that_fail_disable_their_stanza_only),
		cmocka_unit_test(admin_keys_that_fail_refuse_the_start),
		cmocka_unit_test(no_stanza_left_is_refused),
		cmocka_unit_test(key_names_parse_as_gpg_reads_them),
		cmocka_unit_test(key_names_match_as_gpg_matches_them),
		cmocka_unit_test(signer_list_syntax),
		cmocka_unit_test(signer_list_matching),
		cmocka_unit_test(keyring_limits),
	};

	log_init("test_openpgp", LOG_TO_STDERR, LOG_USER);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
