/*
 * libFuzzer target for the SPA envelope: spa_precheck() and spa_open() on
 * the raw input with fixed test keys (HMAC-SHA256/CBC, no-HMAC CBC, legacy),
 * and spa_hmac_why() under the HMAC key.
 *
 * An input starting with 'P' is instead taken as the encoded fields of a
 * plaintext: the digest is appended, the result sealed with the no-HMAC key
 * (fixed salt) and opened, so the fuzzer reaches the field decoder, which
 * random wire text never gets past.  'Q' seals the rest as it is (padding
 * and the decryption oracle).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "crypto.h"
#include "spa.h"

/* The test encoder (tests/unit), compiled into this target. */
#include "../unit/spa_encode.c"

#define NKEYS	3

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prepared once: the keys of spec/vectors (ENC, H64) and "shortpw". */
static struct spa_key keys[NKEYS];
static uint8_t enc[32], hmac[64];
static size_t enc_len, hmac_len;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (b64_decode_padded("EYK5s7JGISsMUttLQHitWsJN/a05MD4JYjSuMmrD+gI=",
	    enc, sizeof(enc), &enc_len) != 0 ||
	    b64_decode_padded("oPYfgwyryWrhQjfq8KwzJmiW7y7i+rG8/YLbWTWF0HIg99"
	    "fbq7wq9iYG/Dh8PUhnLybB5qDaU6tJiBbjDfvQmw==", hmac, sizeof(hmac),
	    &hmac_len) != 0)
		abort();
	if (spa_key_init(&keys[0], SPA_MODE_CBC, enc, enc_len,
	    SPA_DIGEST_SHA256, hmac, hmac_len) != 0 ||
	    spa_key_init(&keys[1], SPA_MODE_CBC, enc, enc_len,
	    SPA_DIGEST_NONE, NULL, 0) != 0 ||
	    spa_key_init(&keys[2], SPA_MODE_LEGACY, (const uint8_t *)"shortpw",
	    7, SPA_DIGEST_NONE, NULL, 0) != 0)
		abort();
	return 0;
}

static void
open_wire(const char *wire, size_t len)
{
	struct spa_packet pkt;
	size_t i;

	enum spa_digest other;

	(void)spa_precheck(wire, len);
	/* spa_open must survive any bytes, prechecked or not. */
	for (i = 0; i < NKEYS; i++)
		(void)spa_open(&keys[i], wire, len, &pkt);
	/* and so must the log's reading of an HMAC that does not verify */
	(void)spa_hmac_why(&keys[0], hmac, hmac_len, wire, len, &other);
}

static void
open_plaintext(const uint8_t *plain, size_t len, bool add_digest)
{
	static const uint8_t salt[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct spa_enc e;
	struct spa_packet pkt;
	char wire[SPA_ENC_MAX], text[SPA_ENC_MAX];
	size_t n = 0;

	if (add_digest) {
		memcpy(text, plain, len);
		text[len] = '\0';
		if (strlen(text) != len || spa_enc_digest(text,
		    SPA_DIGEST_SHA256, text, sizeof(text), &len) != 0)
			return;
		plain = (const uint8_t *)text;
	}
	memset(&e, 0, sizeof(e));
	e.mode = SPA_MODE_CBC;
	e.key = enc;
	e.key_len = enc_len;
	e.salt = salt;
	if (spa_enc_seal(&e, plain, len, wire, sizeof(wire), &n) != 0)
		return;
	(void)spa_open(&keys[1], wire, n, &pkt);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 0 && (data[0] == 'P' || data[0] == 'Q') && size <= 400)
		open_plaintext(data + 1, size - 1, data[0] == 'P');
	else
		open_wire((const char *)data, size);
	return 0;
}
