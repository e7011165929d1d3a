/*
 * libcrypto wrappers for the SPA wire format: digests, a keyed HMAC that is
 * prepared once per stanza, EVP_BytesToKey, AES-256 without padding, and
 * the name tables of access.conf.
 *
 * Algorithms are fetched from the provider once per process and kept in a
 * write-once table: an implicit fetch on every EVP_DigestInit costs more
 * than hashing a whole SPA packet.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "crypto.h"
#include "err.h"

struct digest_info {
	enum spa_digest	 id;
	const char	*name;		/* access.conf / fwknop client spelling */
	size_t		 len;
	const char	*ossl_name;	/* provider algorithm name */
};

static const struct digest_info digests[] = {
	{ SPA_DIGEST_MD5,	"md5",		16, "MD5" },
	{ SPA_DIGEST_SHA1,	"sha1",		20, "SHA1" },
	{ SPA_DIGEST_SHA256,	"sha256",	32, "SHA2-256" },
	{ SPA_DIGEST_SHA384,	"sha384",	48, "SHA2-384" },
	{ SPA_DIGEST_SHA512,	"sha512",	64, "SHA2-512" },
	{ SPA_DIGEST_SHA3_256,	"sha3_256",	32, "SHA3-256" },
	{ SPA_DIGEST_SHA3_512,	"sha3_512",	64, "SHA3-512" },
};
#define NDIGESTS	(sizeof(digests) / sizeof(digests[0]))

static const char *const mode_names[] = {
	[SPA_MODE_CBC] = "CBC",
	[SPA_MODE_ECB] = "ECB",
	[SPA_MODE_CFB] = "CFB",
	[SPA_MODE_OFB] = "OFB",
	[SPA_MODE_CTR] = "CTR",
	[SPA_MODE_LEGACY] = "legacy",
	[SPA_MODE_ASYMMETRIC] = "Asymmetric",
};
#define NMODES	(sizeof(mode_names) / sizeof(mode_names[0]))

static const struct digest_info *
digest_info(enum spa_digest d)
{
	size_t i;

	for (i = 0; i < NDIGESTS; i++)
		if (digests[i].id == d)
			return &digests[i];
	return NULL;
}

size_t
crypto_digest_len(enum spa_digest d)
{
	const struct digest_info *di = digest_info(d);

	return di != NULL ? di->len : 0;
}

const char *
crypto_digest_name(enum spa_digest d)
{
	const struct digest_info *di = digest_info(d);

	return di != NULL ? di->name : "none";
}

int
crypto_digest_from_name(const char *s, enum spa_digest *out)
{
	size_t i;

	for (i = 0; i < NDIGESTS; i++) {
		if (strcasecmp(s, digests[i].name) == 0) {
			*out = digests[i].id;
			return 0;
		}
	}
	return SPA_ERR_ARG;
}

const char *
crypto_mode_name(enum spa_mode m)
{
	return (size_t)m < NMODES ? mode_names[m] : "unknown";
}

int
crypto_mode_from_name(const char *s, enum spa_mode *out)
{
	size_t i;

	for (i = 0; i < NMODES; i++) {
		if (strcasecmp(s, mode_names[i]) == 0) {
			*out = (enum spa_mode)i;
			return 0;
		}
	}
	return SPA_ERR_ARG;
}

bool
crypto_ct_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

void
crypto_wipe(void *p, size_t n)
{
	OPENSSL_cleanse(p, n);
}

int
crypto_random(void *p, size_t n)
{
	if (n > (size_t)INT32_MAX)
		return SPA_ERR_ARG;
	if (n == 0)
		return 0;
	if (RAND_bytes(p, (int)n) != 1) {
		crypto_wipe(p, n);
		return SPA_ERR_CRYPTO;
	}
	return 0;
}

/* --- algorithms, fetched once --------------------------------------------- */

/* AES-256 cipher names by mode; LEGACY is CBC, ASYMMETRIC has none. */
static const char *const cipher_names[] = {
	[SPA_MODE_CBC] = "AES-256-CBC",
	[SPA_MODE_ECB] = "AES-256-ECB",
	[SPA_MODE_CFB] = "AES-256-CFB",		/* CFB-128 */
	[SPA_MODE_OFB] = "AES-256-OFB",
	[SPA_MODE_CTR] = "AES-256-CTR",		/* 128-bit big-endian counter */
	[SPA_MODE_LEGACY] = "AES-256-CBC",
	[SPA_MODE_ASYMMETRIC] = NULL,
};

struct algo_table {
	EVP_MD		*md[NDIGESTS];
	EVP_CIPHER	*cipher[NMODES];
	EVP_MAC		*hmac;
};

/* Written once under pthread_once, read-only afterwards. */
static struct algo_table algos;
static pthread_once_t algos_once = PTHREAD_ONCE_INIT;

static void
algos_fetch(void)
{
	size_t i;

	for (i = 0; i < NDIGESTS; i++)
		algos.md[i] = EVP_MD_fetch(NULL, digests[i].ossl_name, NULL);
	for (i = 0; i < NMODES; i++)
		if (cipher_names[i] != NULL)
			algos.cipher[i] = EVP_CIPHER_fetch(NULL,
			    cipher_names[i], NULL);
	algos.hmac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
}

static const struct algo_table *
algos_get(void)
{
	if (pthread_once(&algos_once, algos_fetch) != 0)
		return NULL;
	return &algos;
}

static const EVP_MD *
md_get(enum spa_digest d)
{
	const struct algo_table *t = algos_get();
	size_t i;

	if (t == NULL)
		return NULL;
	for (i = 0; i < NDIGESTS; i++)
		if (digests[i].id == d)
			return t->md[i];
	return NULL;
}

static const EVP_CIPHER *
cipher_get(enum spa_mode m)
{
	const struct algo_table *t = algos_get();

	if (t == NULL || (size_t)m >= NMODES)
		return NULL;
	return t->cipher[m];
}

/* --- digests -------------------------------------------------------------- */

int
crypto_hash(enum spa_digest d, const void *data, size_t n, uint8_t *out)
{
	const EVP_MD *md = md_get(d);
	unsigned int len = 0;

	if (md == NULL)
		return SPA_ERR_ARG;
	if (EVP_Digest(data, n, out, &len, md, NULL) != 1 ||
	    len != crypto_digest_len(d))
		return SPA_ERR_CRYPTO;
	return 0;
}

/* --- HMAC ----------------------------------------------------------------- */

struct crypto_hmac {
	EVP_MAC_CTX	*keyed;		/* initialised with the key, never used */
	size_t		 len;
};

int
crypto_hmac_new(enum spa_digest d, const uint8_t *key, size_t keylen,
    struct crypto_hmac **out)
{
	const struct algo_table *t = algos_get();
	const struct digest_info *di = digest_info(d);
	struct crypto_hmac *h = NULL;
	OSSL_PARAM params[2];
	int r = SPA_ERR_CRYPTO;

	*out = NULL;
	if (di == NULL || (key == NULL && keylen != 0))
		return SPA_ERR_ARG;
	if (t == NULL || t->hmac == NULL)
		return SPA_ERR_CRYPTO;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return SPA_ERR_NOMEM;
	h->len = di->len;
	/* The parameter is only read; the API just lacks the const. */
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)(uintptr_t)di->ossl_name, 0);
	params[1] = OSSL_PARAM_construct_end();
	/* A zero-length key still needs a non-NULL pointer to be "set". */
	if ((h->keyed = EVP_MAC_CTX_new(t->hmac)) == NULL ||
	    EVP_MAC_init(h->keyed, keylen ? key : (const uint8_t *)"", keylen,
	    params) != 1)
		goto out;
	*out = h;
	h = NULL;
	r = 0;
out:
	crypto_hmac_free(h);
	return r;
}

int
crypto_hmac(const struct crypto_hmac *h, const void *a, size_t alen,
    const void *b, size_t blen, uint8_t *out, size_t *outlen)
{
	EVP_MAC_CTX *ctx = NULL;
	size_t len = 0;
	int r = SPA_ERR_CRYPTO;

	/* The copy carries the precomputed inner and outer key states. */
	if ((ctx = EVP_MAC_CTX_dup(h->keyed)) == NULL)
		return SPA_ERR_CRYPTO;
	if (EVP_MAC_update(ctx, a, alen) != 1 ||
	    EVP_MAC_update(ctx, b, blen) != 1 ||
	    EVP_MAC_final(ctx, out, &len, SPA_DIGEST_MAX_LEN) != 1 ||
	    len != h->len)
		goto out;
	*outlen = len;
	r = 0;
out:
	EVP_MAC_CTX_free(ctx);
	return r;
}

void
crypto_hmac_free(struct crypto_hmac *h)
{
	if (h == NULL)
		return;
	EVP_MAC_CTX_free(h->keyed);
	free(h);
}

/* --- key derivation ------------------------------------------------------- */

/* One EVP_BytesToKey round: MD5(prev || pass || salt). */
static int
kdf_round(EVP_MD_CTX *ctx, const EVP_MD *md5, const uint8_t *prev,
    const uint8_t *pass, size_t passlen, const uint8_t salt[8],
    uint8_t out[16])
{
	unsigned int len = 0;

	if (EVP_DigestInit_ex(ctx, md5, NULL) != 1 ||
	    (prev != NULL && EVP_DigestUpdate(ctx, prev, 16) != 1) ||
	    EVP_DigestUpdate(ctx, pass, passlen) != 1 ||
	    EVP_DigestUpdate(ctx, salt, 8) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, &len) != 1 || len != 16)
		return SPA_ERR_CRYPTO;
	return 0;
}

int
crypto_kdf(const uint8_t *pass, size_t passlen, const uint8_t salt[8],
    uint8_t key[32], uint8_t iv[16])
{
	const EVP_MD *md5 = md_get(SPA_DIGEST_MD5);
	EVP_MD_CTX *ctx = NULL;
	int r = SPA_ERR_CRYPTO;

	if (md5 == NULL)
		return SPA_ERR_CRYPTO;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return SPA_ERR_NOMEM;
	if (kdf_round(ctx, md5, NULL, pass, passlen, salt, key) != 0 ||
	    kdf_round(ctx, md5, key, pass, passlen, salt, key + 16) != 0 ||
	    kdf_round(ctx, md5, key + 16, pass, passlen, salt, iv) != 0)
		goto out;
	r = 0;
out:
	EVP_MD_CTX_free(ctx);
	if (r != 0) {
		crypto_wipe(key, 32);
		crypto_wipe(iv, 16);
	}
	return r;
}

/* --- AES-256 -------------------------------------------------------------- */

static int
aes_run(enum spa_mode mode, int enc, const uint8_t key[32],
    const uint8_t iv[16], const uint8_t *in, size_t n, uint8_t *out)
{
	const EVP_CIPHER *c = cipher_get(mode);
	EVP_CIPHER_CTX *ctx = NULL;
	int len = 0, fin = 0, r = SPA_ERR_CRYPTO;

	if (c == NULL || n % 16 != 0 || n > (size_t)INT32_MAX - 16)
		return SPA_ERR_ARG;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return SPA_ERR_NOMEM;
	if (EVP_CipherInit_ex2(ctx, c, key, mode == SPA_MODE_ECB ? NULL : iv,
	    enc, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_CipherUpdate(ctx, out, &len, in, (int)n) != 1 ||
	    EVP_CipherFinal_ex(ctx, out + len, &fin) != 1 ||
	    (size_t)len + (size_t)fin != n)
		goto out;
	r = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return r;
}

int
crypto_aes_decrypt(enum spa_mode mode, const uint8_t key[32],
    const uint8_t iv[16], const uint8_t *in, size_t n, uint8_t *out)
{
	return aes_run(mode, 0, key, iv, in, n, out);
}

int
crypto_aes_encrypt(enum spa_mode mode, const uint8_t key[32],
    const uint8_t iv[16], const uint8_t *in, size_t n, uint8_t *out)
{
	return aes_run(mode, 1, key, iv, in, n, out);
}
