/*
 * libFuzzer target for the GnuPG path: the envelope (spa_open_gpg: the cut
 * characters read off the header, the HMAC) and librnp's decryption and
 * signature check (openpgp_open_packet) on the raw input as wire text,
 * with the ECC server key of tests/vectors/gpg (no passphrase), for three
 * stanzas: signatures required (alice's fingerprint), not required, and
 * with an HMAC key ("fixture-hmac", as the fixtures).  An input starting with 'B' is instead an OpenPGP message in
 * binary, given to openpgp_decrypt directly: librnp's packet parser,
 * which wire text reaches only through a header that passes.
 *
 * The keyring is read at start from $top_srcdir/tests/vectors/gpg (the
 * working directory when top_srcdir is not set).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "gpg.h"
#include "openpgp.h"
#include "spa.h"

#define NSTANZAS	3

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct stanza stanzas[NSTANZAS];

/* A file of tests/vectors/gpg into buf; its length. */
static size_t
slurp(const char *name, uint8_t *buf, size_t cap)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/vectors/gpg/%s",
	    top != NULL ? top : ".", name);
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "fuzz_openpgp: cannot read %s\n", path);
		abort();
	}
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void
add_file(struct gpg_keyring *kr, enum gpg_file_kind kind, const char *name)
{
	static uint8_t buf[GPG_FILE_MAX];
	size_t n = slurp(name, buf, sizeof(buf));

	if (gpg_keyring_append(kr, kind, buf, n, true) != 0)
		abort();
}

static void
stanza(struct stanza *st, bool require_sig, const char *hmac_key)
{
	static char alice[GPG_FPR_HEX + 1];
	struct openpgp_rules rules = {
		.require_sig = require_sig,
		.fingerprints = require_sig ? alice : NULL,
	};
	struct gpg_keyring kr;
	struct openpgp *g = NULL;
	char err[256];

	if (slurp("alice.fpr", (uint8_t *)alice, GPG_FPR_HEX) != GPG_FPR_HEX)
		abort();
	memset(&kr, 0, sizeof(kr));
	add_file(&kr, GPG_FILE_PUBRING_KBX, "ecc/pubring.kbx");
	add_file(&kr, GPG_FILE_SECRING_GPG, "ecc/secring.gpg");
	if (openpgp_load(&kr, &rules, &g, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_openpgp: %s\n", err);
		abort();
	}
	gpg_keyring_free(&kr);
	st->gpg = true;
	st->gpg_only = true;
	st->gpg_ctx = g;
	if (spa_key_init(&st->key, SPA_MODE_CBC, NULL, 0, hmac_key != NULL ?
	    SPA_DIGEST_SHA256 : SPA_DIGEST_NONE, (const uint8_t *)hmac_key,
	    hmac_key != NULL ? strlen(hmac_key) : 0) != 0)
		abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct stanza *one = &stanzas[0];
	struct access_conf conf = { .n = 1, .stanzas = &one };

	(void)argc;
	(void)argv;
	stanzas[0].gpg = true;
	/* as the verifier: librnp's stderr lines silenced, its RNG up */
	if (openpgp_init(&conf) != 0)
		abort();
	stanza(&stanzas[0], true, NULL);
	stanza(&stanzas[1], false, NULL);
	stanza(&stanzas[2], false, "fixture-hmac");
	return 0;
}

static int
hook(void *arg)
{
	(void)arg;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spa_packet pkt;
	char plain[1500];
	size_t i, plainlen = 0;

	if (size > 0 && data[0] == 'B') {
		(void)openpgp_decrypt(stanzas[1].gpg_ctx, data + 1, size - 1,
		    plain, sizeof(plain), &plainlen);
		(void)openpgp_decrypt(stanzas[0].gpg_ctx, data + 1, size - 1,
		    plain, sizeof(plain), &plainlen);
		return 0;
	}
	if (size > SPA_MAX_PAYLOAD)
		return 0;
	for (i = 0; i < NSTANZAS; i++)
		(void)openpgp_open_packet(NULL, &stanzas[i], (const char *)data,
		    size, &pkt, hook, NULL);
	return 0;
}
