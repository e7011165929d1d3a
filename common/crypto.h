/*
 * Thin layer over OpenSSL's libcrypto: the digests, HMACs, key derivation
 * and AES-256 modes the fwknop wire format uses.  Nothing else in spagate
 * calls libcrypto directly.
 */
#ifndef SPA_CRYPTO_H
#define SPA_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Numbering follows libfko's digest/HMAC type ids (not on the wire). */
enum spa_digest {
	SPA_DIGEST_NONE = 0,
	SPA_DIGEST_MD5 = 1,
	SPA_DIGEST_SHA1 = 2,
	SPA_DIGEST_SHA256 = 3,
	SPA_DIGEST_SHA384 = 4,
	SPA_DIGEST_SHA512 = 5,
	SPA_DIGEST_SHA3_256 = 6,
	SPA_DIGEST_SHA3_512 = 7,
};
#define SPA_DIGEST_MAX_LEN	64	/* SHA-512 */

/* Encryption modes of access.conf ENCRYPTION_MODE (Asymmetric is GnuPG). */
enum spa_mode {
	SPA_MODE_CBC = 0,
	SPA_MODE_ECB,
	SPA_MODE_CFB,
	SPA_MODE_OFB,
	SPA_MODE_CTR,
	SPA_MODE_LEGACY,	/* CBC with the pre-2.5 key padding */
	SPA_MODE_ASYMMETRIC,	/* GnuPG: recognised, not supported */
};

size_t		 crypto_digest_len(enum spa_digest d);	/* raw bytes, 0 if none */
const char	*crypto_digest_name(enum spa_digest d);	/* "sha256", ... */
int		 crypto_digest_from_name(const char *s, enum spa_digest *out);
const char	*crypto_mode_name(enum spa_mode m);	/* "CBC", ... */
int		 crypto_mode_from_name(const char *s, enum spa_mode *out);

int	crypto_hash(enum spa_digest d, const void *data, size_t n, uint8_t *out);

/* A keyed HMAC prepared once per stanza and reused for every packet. */
struct crypto_hmac;
int	crypto_hmac_new(enum spa_digest d, const uint8_t *key, size_t keylen,
	    struct crypto_hmac **out);
/* HMAC over the concatenation a || b; out holds SPA_DIGEST_MAX_LEN. */
int	crypto_hmac(const struct crypto_hmac *h, const void *a, size_t alen,
	    const void *b, size_t blen, uint8_t *out, size_t *outlen);
void	crypto_hmac_free(struct crypto_hmac *h);

/* OpenSSL EVP_BytesToKey(MD5, 1 round): 32-byte key and 16-byte IV. */
int	crypto_kdf(const uint8_t *pass, size_t passlen, const uint8_t salt[8],
	    uint8_t key[32], uint8_t iv[16]);

/*
 * AES-256 in `mode` without padding handling; n is a multiple of 16; iv
 * may be NULL for ECB only.
 */
int	crypto_aes_decrypt(enum spa_mode mode, const uint8_t key[32],
	    const uint8_t iv[16], const uint8_t *in, size_t n, uint8_t *out);
int	crypto_aes_encrypt(enum spa_mode mode, const uint8_t key[32],
	    const uint8_t iv[16], const uint8_t *in, size_t n, uint8_t *out);

/* Constant-time comparison: no branch on the data. */
bool	crypto_ct_equal(const void *a, const void *b, size_t n);
/* Wipe a secret so the compiler cannot elide it. */
void	crypto_wipe(void *p, size_t n);
/* Fill with random bytes from getrandom(2); fails closed. */
int	crypto_random(void *p, size_t n);

#endif /* SPA_CRYPTO_H */
