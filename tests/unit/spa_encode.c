/*
 * TEST-ONLY fwknop-compatible SPA encoder (see spa_encode.h).  Written from
 * spec/wire-format.md; its packets were checked against the real fwknopd.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "crypto.h"
#include "err.h"
#include "spa_encode.h"

#define SALT_PREFIX_LEN	10
#define AES_BLOCK	16

/* Append s to out at *o; fails on overflow. */
static int
put(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
	if (n >= cap - *o)
		return SPA_ERR_LENGTH;
	memcpy(out + *o, s, n);
	*o += n;
	out[*o] = '\0';
	return 0;
}

static int
put_str(char *out, size_t cap, size_t *o, const char *s)
{
	return put(out, cap, o, s, strlen(s));
}

/* ":" then the field, base64-encoded unless raw. */
static int
put_field(char *out, size_t cap, size_t *o, const char *s, bool raw)
{
	char b64[B64_ENCODED_LEN(SPA_ENC_MAX)];
	size_t n = strlen(s);

	if (put_str(out, cap, o, ":") != 0)
		return SPA_ERR_LENGTH;
	if (raw)
		return put(out, cap, o, s, n);
	if (n > SPA_ENC_MAX)
		return SPA_ERR_LENGTH;
	n = b64_encode((const uint8_t *)s, n, b64);
	return put(out, cap, o, b64, n);
}

/* ":" then a decimal number. */
static int
put_num(char *out, size_t cap, size_t *o, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), ":%" PRId64, v);
	return put_str(out, cap, o, buf);
}

static void
random_digits(char out[17])
{
	uint8_t r[16];
	size_t i;

	if (crypto_random(r, sizeof(r)) != 0)
		memset(r, 7, sizeof(r));
	for (i = 0; i < 16; i++)
		out[i] = (char)('0' + r[i] % 10);
	out[16] = '\0';
}

static int
encode_fields(const struct spa_enc *e, char *out, size_t cap, size_t *o)
{
	char rnd[17];
	bool raw = e->raw_fields;

	if (e->random == NULL)
		random_digits(rnd);
	if (put_str(out, cap, o, e->random != NULL ? e->random : rnd) != 0 ||
	    put_field(out, cap, o, e->user != NULL ? e->user : "alice",
	    raw) != 0 ||
	    put_num(out, cap, o, e->timestamp) != 0 ||
	    put_str(out, cap, o, ":") != 0 ||
	    put_str(out, cap, o, e->version != NULL ? e->version : "3.0.0") != 0 ||
	    put_num(out, cap, o, e->type) != 0 ||
	    put_field(out, cap, o, e->message != NULL ? e->message : "",
	    raw) != 0)
		return SPA_ERR_LENGTH;
	if (e->nat != NULL && put_field(out, cap, o, e->nat, raw) != 0)
		return SPA_ERR_LENGTH;
	if (e->server_auth != NULL &&
	    put_field(out, cap, o, e->server_auth, raw) != 0)
		return SPA_ERR_LENGTH;
	if (e->client_timeout > 0 &&
	    put_num(out, cap, o, e->client_timeout) != 0)
		return SPA_ERR_LENGTH;
	return 0;
}

int
spa_enc_digest(const char *encoded, enum spa_digest d, char *out,
    size_t cap, size_t *len)
{
	uint8_t raw[SPA_DIGEST_MAX_LEN];
	char b64[B64_ENCODED_LEN(SPA_DIGEST_MAX_LEN)];
	size_t o = 0;
	int r;

	if (d == SPA_DIGEST_NONE)
		d = SPA_DIGEST_SHA256;
	if ((r = crypto_hash(d, encoded, strlen(encoded), raw)) != 0)
		return r;
	b64_encode(raw, crypto_digest_len(d), b64);
	if (put_str(out, cap, &o, encoded) != 0 ||
	    put_str(out, cap, &o, ":") != 0 || put_str(out, cap, &o, b64) != 0)
		return SPA_ERR_LENGTH;
	*len = o;
	return 0;
}

int
spa_enc_plaintext(const struct spa_enc *e, char *out, size_t cap,
    size_t *len)
{
	char enc[SPA_ENC_MAX];
	size_t o = 0;
	int r;

	if ((r = encode_fields(e, enc, sizeof(enc), &o)) != 0)
		return r;
	return spa_enc_digest(enc, e->digest, out, cap, len);
}

/* The client's key handling: legacy pads with '0' to 16 and truncates. */
static int
derive(const struct spa_enc *e, const uint8_t salt[8], uint8_t key[32],
    uint8_t iv[16])
{
	uint8_t pass[16];
	size_t n = e->key_len < 16 ? e->key_len : 16;

	if (e->mode != SPA_MODE_LEGACY)
		return crypto_kdf(e->key, e->key_len, salt, key, iv);
	memset(pass, '0', sizeof(pass));
	memcpy(pass, e->key, n);
	return crypto_kdf(pass, sizeof(pass), salt, key, iv);
}

/* "Salted__" || salt || AES(PKCS7(plain)), as openssl enc writes it. */
static int
encrypt_container(const struct spa_enc *e, const void *plain, size_t n,
    uint8_t *raw, size_t cap, size_t *rawlen)
{
	uint8_t salt[8], key[32], iv[16];
	size_t padded = (n / AES_BLOCK + 1) * AES_BLOCK;
	uint8_t pad;
	int r;

	if (e->no_padding) {
		if (n % AES_BLOCK != 0)
			return SPA_ERR_ARG;
		padded = n;
	}
	pad = (uint8_t)(padded - n);
	if (16 + padded > cap)
		return SPA_ERR_LENGTH;
	if (e->salt != NULL)
		memcpy(salt, e->salt, sizeof(salt));
	else if ((r = crypto_random(salt, sizeof(salt))) != 0)
		return r;
	if ((r = derive(e, salt, key, iv)) != 0)
		return r;
	memcpy(raw, "Salted__", 8);
	memcpy(raw + 8, salt, 8);
	memcpy(raw + 16, plain, n);
	memset(raw + 16 + n, pad, pad);
	r = crypto_aes_encrypt(e->mode, key, iv, raw + 16, padded, raw + 16);
	*rawlen = 16 + padded;
	return r;
}

static int
append_hmac(const struct spa_enc *e, const char *ct64, size_t ctlen,
    char *out, size_t cap, size_t *o)
{
	struct crypto_hmac *h = NULL;
	uint8_t mac[SPA_DIGEST_MAX_LEN];
	char mac64[B64_ENCODED_LEN(SPA_DIGEST_MAX_LEN)];
	size_t maclen = 0;
	int r;

	if ((r = crypto_hmac_new(e->hmac_type, e->hmac_key, e->hmac_key_len,
	    &h)) != 0)
		return r;
	r = crypto_hmac(h, ct64, ctlen, "", 0, mac, &maclen);
	crypto_hmac_free(h);
	if (r != 0)
		return r;
	b64_encode(mac, maclen, mac64);
	return put_str(out, cap, o, mac64);
}

int
spa_enc_seal(const struct spa_enc *e, const void *plain, size_t n,
    char *out, size_t cap, size_t *len)
{
	uint8_t raw[SPA_ENC_MAX + 64];
	char ct64[B64_ENCODED_LEN(sizeof(raw))];
	size_t rawlen = 0, ctlen, o = 0;
	int r;

	if ((r = encrypt_container(e, plain, n, raw, sizeof(raw),
	    &rawlen)) != 0)
		return r;
	ctlen = b64_encode(raw, rawlen, ct64);
	/* The client cuts the "U2FsdGVkX1" prefix after computing the HMAC. */
	if ((r = put(out, cap, &o, ct64 + SALT_PREFIX_LEN,
	    ctlen - SALT_PREFIX_LEN)) != 0)
		return r;
	if (e->hmac_type != SPA_DIGEST_NONE &&
	    (r = append_hmac(e, ct64, ctlen, out, cap, &o)) != 0)
		return r;
	*len = o;
	return 0;
}

int
spa_enc_packet(const struct spa_enc *e, char *out, size_t cap, size_t *len)
{
	char plain[SPA_ENC_MAX];
	size_t n = 0;
	int r;

	if ((r = spa_enc_plaintext(e, plain, sizeof(plain), &n)) != 0)
		return r;
	return spa_enc_seal(e, plain, n, out, cap, len);
}
