/*
 * libcrypto wrappers: digests, HMAC (RFC 2202, RFC 4231, NIST HMAC-SHA3
 * samples), EVP_BytesToKey against `openssl enc -P`, and AES-256 in every
 * mode against NIST SP 800-38A.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "crypto.h"
#include "err.h"
#include "helpers.h"

/* Hex text to bytes; returns the length. */
static size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2, i;
	unsigned int v;

	assert_true(n <= cap);
	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static void
assert_hex_equal(const uint8_t *got, size_t n, const char *want)
{
	char buf[2 * 256 + 1];
	size_t i;

	assert_true(n <= 256);
	for (i = 0; i < n; i++)
		snprintf(buf + 2 * i, 3, "%02x", got[i]);
	buf[2 * n] = '\0';
	assert_string_equal(buf, want);
}

/* --- names ---------------------------------------------------------------- */

static void
digest_names_round_trip(void **state)
{
	static const enum spa_digest all[] = {
		SPA_DIGEST_MD5, SPA_DIGEST_SHA1, SPA_DIGEST_SHA256,
		SPA_DIGEST_SHA384, SPA_DIGEST_SHA512, SPA_DIGEST_SHA3_256,
		SPA_DIGEST_SHA3_512,
	};
	static const size_t lens[] = { 16, 20, 32, 48, 64, 32, 64 };
	enum spa_digest d;
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		assert_int_equal(crypto_digest_from_name(
		    crypto_digest_name(all[i]), &d), 0);
		assert_int_equal(d, all[i]);
		assert_int_equal(crypto_digest_len(all[i]), lens[i]);
	}
	assert_int_equal(crypto_digest_from_name("SHA3_256", &d), 0);
	assert_int_equal(d, SPA_DIGEST_SHA3_256);
	assert_int_equal(crypto_digest_len(SPA_DIGEST_NONE), 0);
}

static void
digest_name_unknown_is_refused(void **state)
{
	enum spa_digest d;

	assert_int_equal(crypto_digest_from_name("sha3-256", &d), SPA_ERR_ARG);
	assert_int_equal(crypto_digest_from_name("", &d), SPA_ERR_ARG);
	assert_int_equal(crypto_digest_from_name("sha224", &d), SPA_ERR_ARG);
}

static void
mode_names_case_insensitive(void **state)
{
	enum spa_mode m;

	assert_int_equal(crypto_mode_from_name("cbc", &m), 0);
	assert_int_equal(m, SPA_MODE_CBC);
	assert_int_equal(crypto_mode_from_name("Legacy", &m), 0);
	assert_int_equal(m, SPA_MODE_LEGACY);
	assert_int_equal(crypto_mode_from_name("ctr", &m), 0);
	assert_int_equal(m, SPA_MODE_CTR);
	assert_int_equal(crypto_mode_from_name("asymmetric", &m), 0);
	assert_int_equal(m, SPA_MODE_ASYMMETRIC);
	assert_int_equal(crypto_mode_from_name("pcbc", &m), SPA_ERR_ARG);
}

/* --- digests -------------------------------------------------------------- */

static void
hash_known_answers(void **state)
{
	static const struct {
		enum spa_digest	 d;
		const char	*hex;
	} kat[] = {
		{ SPA_DIGEST_MD5, "900150983cd24fb0d6963f7d28e17f72" },
		{ SPA_DIGEST_SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ SPA_DIGEST_SHA256, "ba7816bf8f01cfea414140de5dae2223"
		    "b00361a396177a9cb410ff61f20015ad" },
		{ SPA_DIGEST_SHA384, "cb00753f45a35e8bb5a03d699ac65007"
		    "272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca1"
		    "34c825a7" },
		{ SPA_DIGEST_SHA512, "ddaf35a193617abacc417349ae204131"
		    "12e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23"
		    "a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
		/* FIPS 202 SHA-3, not Keccak */
		{ SPA_DIGEST_SHA3_256, "3a985da74fe225b2045c172d6bd390bd"
		    "855f086e3e9d525b46bfe24511431532" },
		{ SPA_DIGEST_SHA3_512, "b751850b1a57168a5693cd924b6b096e"
		    "08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec576"
		    "47e3934057340b4cf408d5a56592f8274eec53f0" },
	};
	uint8_t out[SPA_DIGEST_MAX_LEN];
	size_t i;

	for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		assert_int_equal(crypto_hash(kat[i].d, "abc", 3, out), 0);
		assert_hex_equal(out, crypto_digest_len(kat[i].d), kat[i].hex);
	}
}

static void
hash_refuses_none(void **state)
{
	uint8_t out[SPA_DIGEST_MAX_LEN];

	assert_int_equal(crypto_hash(SPA_DIGEST_NONE, "abc", 3, out),
	    SPA_ERR_ARG);
}

/* --- HMAC ----------------------------------------------------------------- */

struct hmac_kat {
	enum spa_digest	 d;
	const char	*key_hex;	/* NULL: key_byte repeated key_len */
	uint8_t		 key_byte;
	size_t		 key_len;
	const char	*msg;
	const char	*mac_hex;
};

#define LONGKEY_MSG	"Test Using Larger Than Block-Size Key - Hash Key First"

static const struct hmac_kat hmac_kats[] = {
	/* RFC 2202 test cases 1 and 6 (80-byte key > 64-byte block) */
	{ SPA_DIGEST_MD5, NULL, 0x0b, 16, "Hi There",
	    "9294727a3638bb1c13f48ef8158bfc9d" },
	{ SPA_DIGEST_MD5, NULL, 0xaa, 80, LONGKEY_MSG,
	    "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd" },
	{ SPA_DIGEST_SHA1, NULL, 0x0b, 20, "Hi There",
	    "b617318655057264e28bc0b6fb378c8ef146be00" },
	{ SPA_DIGEST_SHA1, NULL, 0xaa, 80, LONGKEY_MSG,
	    "aa4ae5e15272d00e95705637ce8a3b55ed402112" },
	/* RFC 4231 test cases 1 and 6 (131-byte key > block) */
	{ SPA_DIGEST_SHA256, NULL, 0x0b, 20, "Hi There",
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
	{ SPA_DIGEST_SHA256, NULL, 0xaa, 131, LONGKEY_MSG,
	    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
	{ SPA_DIGEST_SHA384, NULL, 0x0b, 20, "Hi There",
	    "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	    "faea9ea9076ede7f4af152e8b2fa9cb6" },
	{ SPA_DIGEST_SHA384, NULL, 0xaa, 131, LONGKEY_MSG,
	    "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
	    "0c2ef6ab4030fe8296248df163f44952" },
	{ SPA_DIGEST_SHA512, NULL, 0x0b, 20, "Hi There",
	    "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	    "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
	{ SPA_DIGEST_SHA512, NULL, 0xaa, 131, LONGKEY_MSG,
	    "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	    "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
};

/* NIST HMAC-SHA3 samples: key = 00 01 02 ..., key_len bytes. */
static const struct {
	enum spa_digest	 d;
	size_t		 key_len;
	const char	*msg;
	const char	*mac_hex;
} sha3_kats[] = {
	{ SPA_DIGEST_SHA3_256, 32, "Sample message for keylen<blocklen",
	    "4fe8e202c4f058e8dddc23d8c34e467343e23555e24fc2f025d598f558f67205" },
	{ SPA_DIGEST_SHA3_256, 168, "Sample message for keylen>blocklen",
	    "9bcf2c238e235c3ce88404e813bd2f3a97185ac6f238c63d6229a00b07974258" },
	{ SPA_DIGEST_SHA3_512, 64, "Sample message for keylen<blocklen",
	    "4efd629d6c71bf86162658f29943b1c308ce27cdfa6db0d9c3ce81763f9cbce5"
	    "f7ebe9868031db1a8f8eb7b6b95e5c5e3f657a8996c86a2f6527e307f0213196" },
	{ SPA_DIGEST_SHA3_512, 72, "Sample message for keylen=blocklen",
	    "544e257ea2a3e5ea19a590e6a24b724ce6327757723fe2751b75bf007d80f6b3"
	    "60744bf1b7a88ea585f9765b47911976d3191cf83c039f5ffab0d29cc9d9b6da" },
	{ SPA_DIGEST_SHA3_512, 136, "Sample message for keylen>blocklen",
	    "5f464f5e5b7848e3885e49b2c385f0694985d0e38966242dc4a5fe3fea4b37d4"
	    "6b65ceced5dcf59438dd840bab22269f0ba7febdb9fcf74602a35666b2a32915" },
};

static void
check_hmac(enum spa_digest d, const uint8_t *key, size_t keylen,
    const char *msg, const char *want)
{
	struct crypto_hmac *h = NULL;
	uint8_t mac[SPA_DIGEST_MAX_LEN];
	size_t maclen = 0, half = strlen(msg) / 2;

	assert_int_equal(crypto_hmac_new(d, key, keylen, &h), 0);
	/* Twice with the same prepared key: it must not be consumed. */
	assert_int_equal(crypto_hmac(h, msg, strlen(msg), "", 0, mac,
	    &maclen), 0);
	assert_hex_equal(mac, maclen, want);
	/* a || b is one message however it is split. */
	assert_int_equal(crypto_hmac(h, msg, half, msg + half,
	    strlen(msg) - half, mac, &maclen), 0);
	assert_hex_equal(mac, maclen, want);
	crypto_hmac_free(h);
}

static void
hmac_rfc2202_rfc4231_vectors(void **state)
{
	uint8_t key[256];
	size_t i;

	for (i = 0; i < sizeof(hmac_kats) / sizeof(hmac_kats[0]); i++) {
		memset(key, hmac_kats[i].key_byte, hmac_kats[i].key_len);
		check_hmac(hmac_kats[i].d, key, hmac_kats[i].key_len,
		    hmac_kats[i].msg, hmac_kats[i].mac_hex);
	}
}

static void
hmac_nist_sha3_vectors(void **state)
{
	uint8_t key[256];
	size_t i, j;

	for (i = 0; i < sizeof(sha3_kats) / sizeof(sha3_kats[0]); i++) {
		for (j = 0; j < sha3_kats[i].key_len; j++)
			key[j] = (uint8_t)j;
		check_hmac(sha3_kats[i].d, key, sha3_kats[i].key_len,
		    sha3_kats[i].msg, sha3_kats[i].mac_hex);
	}
}

static void
hmac_refuses_unknown_type(void **state)
{
	struct crypto_hmac *h = NULL;

	assert_int_equal(crypto_hmac_new(SPA_DIGEST_NONE,
	    (const uint8_t *)"k", 1, &h), SPA_ERR_ARG);
	assert_null(h);
	crypto_hmac_free(NULL);
}

/* --- key derivation ------------------------------------------------------- */

/*
 * Computed once by hand:
 *   openssl enc -aes-256-cbc -md md5 -P -S 0102030405060708 \
 *       -pass pass:fwknoptest
 */
static void
kdf_matches_openssl_enc(void **state)
{
	static const uint8_t salt[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t key[32], iv[16];

	assert_int_equal(crypto_kdf((const uint8_t *)"fwknoptest", 10, salt,
	    key, iv), 0);
	assert_hex_equal(key, 32, "ebe462fe5be052f4611bbb47b9e7c48b"
	    "d8b947d85052411f55c16f0e4e04a5ff");
	assert_hex_equal(iv, 16, "48926d083e8525f9424a6bdaec95c20c");
}

static void
kdf_depends_on_salt_and_pass(void **state)
{
	static const uint8_t s1[8] = { 1 }, s2[8] = { 2 };
	uint8_t k1[32], k2[32], k3[32], iv[16];

	assert_int_equal(crypto_kdf((const uint8_t *)"a", 1, s1, k1, iv), 0);
	assert_int_equal(crypto_kdf((const uint8_t *)"a", 1, s2, k2, iv), 0);
	assert_int_equal(crypto_kdf((const uint8_t *)"b", 1, s1, k3, iv), 0);
	assert_memory_not_equal(k1, k2, 32);
	assert_memory_not_equal(k1, k3, 32);
	/* An empty passphrase is allowed (libfko accepts 0..32 bytes). */
	assert_int_equal(crypto_kdf((const uint8_t *)"", 0, s1, k1, iv), 0);
}

/* --- AES-256 -------------------------------------------------------------- */

#define SP800_KEY	"603deb1015ca71be2b73aef0857d7781" \
			"1f352c073b6108d72d9810a30914dff4"
#define SP800_IV	"000102030405060708090a0b0c0d0e0f"
#define SP800_CTR_IV	"f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"
#define SP800_PT	"6bc1bee22e409f96e93d7e117393172a"

/* NIST SP 800-38A, AES-256, first block of F.1.5/F.2.5/F.3.17/F.4.5/F.5.5. */
static void
aes_known_answer_every_mode(void **state)
{
	static const struct {
		enum spa_mode	 m;
		const char	*iv;
		const char	*ct;
	} kat[] = {
		{ SPA_MODE_ECB, SP800_IV, "f3eed1bdb5d2a03c064b5a7e3db181f8" },
		{ SPA_MODE_CBC, SP800_IV, "f58c4c04d6e5f1ba779eabfb5f7bfbd6" },
		{ SPA_MODE_LEGACY, SP800_IV, "f58c4c04d6e5f1ba779eabfb5f7bfbd6" },
		{ SPA_MODE_CFB, SP800_IV, "dc7e84bfda79164b7ecd8486985d3860" },
		{ SPA_MODE_OFB, SP800_IV, "dc7e84bfda79164b7ecd8486985d3860" },
		{ SPA_MODE_CTR, SP800_CTR_IV, "601ec313775789a5b7a7f504bbf3d228" },
	};
	uint8_t key[32], iv[16], pt[16], ct[16], back[16];
	size_t i;

	unhex(SP800_KEY, key, sizeof(key));
	unhex(SP800_PT, pt, sizeof(pt));
	for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		unhex(kat[i].iv, iv, sizeof(iv));
		assert_int_equal(crypto_aes_encrypt(kat[i].m, key, iv, pt, 16,
		    ct), 0);
		assert_hex_equal(ct, 16, kat[i].ct);
		assert_int_equal(crypto_aes_decrypt(kat[i].m, key, iv, ct, 16,
		    back), 0);
		assert_memory_equal(back, pt, 16);
	}
}

static void
aes_round_trip_every_mode(void **state)
{
	static const enum spa_mode modes[] = {
		SPA_MODE_CBC, SPA_MODE_ECB, SPA_MODE_CFB, SPA_MODE_OFB,
		SPA_MODE_CTR, SPA_MODE_LEGACY,
	};
	uint8_t key[32], iv[16], pt[160], ct[160], back[160];
	size_t i;

	assert_int_equal(crypto_random(key, sizeof(key)), 0);
	assert_int_equal(crypto_random(iv, sizeof(iv)), 0);
	assert_int_equal(crypto_random(pt, sizeof(pt)), 0);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(crypto_aes_encrypt(modes[i], key, iv, pt,
		    sizeof(pt), ct), 0);
		assert_memory_not_equal(ct, pt, sizeof(pt));
		assert_int_equal(crypto_aes_decrypt(modes[i], key, iv, ct,
		    sizeof(ct), back), 0);
		assert_memory_equal(back, pt, sizeof(pt));
	}
}

/* The counter is 128 bits wide: the carry crosses the 64-bit halves. */
static void
aes_ctr_counter_is_128_bit_big_endian(void **state)
{
	uint8_t key[32], iv[16], ctr2[16], zero[32], ct[32], ks[16];

	memset(zero, 0, sizeof(zero));
	memset(key, 0x42, sizeof(key));
	unhex("0000000000000000ffffffffffffffff", iv, sizeof(iv));
	unhex("00000000000000010000000000000000", ctr2, sizeof(ctr2));
	assert_int_equal(crypto_aes_encrypt(SPA_MODE_CTR, key, iv, zero, 32,
	    ct), 0);
	/* Keystream block 2 = AES_K(counter + 1). */
	assert_int_equal(crypto_aes_encrypt(SPA_MODE_ECB, key, NULL, ctr2, 16,
	    ks), 0);
	assert_memory_equal(ct + 16, ks, 16);
}

static void
aes_refuses_partial_blocks_and_gnupg(void **state)
{
	uint8_t key[32] = { 0 }, iv[16] = { 0 }, buf[32] = { 0 };

	assert_int_equal(crypto_aes_decrypt(SPA_MODE_CBC, key, iv, buf, 17,
	    buf), SPA_ERR_ARG);
	assert_int_equal(crypto_aes_decrypt(SPA_MODE_ASYMMETRIC, key, iv, buf,
	    16, buf), SPA_ERR_ARG);
}

/* --- helpers -------------------------------------------------------------- */

static void
ct_equal_compares_all_bytes(void **state)
{
	assert_true(crypto_ct_equal("abcdef", "abcdef", 6));
	assert_false(crypto_ct_equal("abcdef", "abcdeg", 6));
	assert_false(crypto_ct_equal("xbcdef", "abcdef", 6));
	assert_true(crypto_ct_equal("a", "b", 0));
}

static void
wipe_zeroes(void **state)
{
	uint8_t buf[32];

	memset(buf, 0xa5, sizeof(buf));
	crypto_wipe(buf, sizeof(buf));
	assert_memory_equal(buf, (uint8_t[32]){ 0 }, sizeof(buf));
}

static void
random_fills_and_differs(void **state)
{
	uint8_t a[32] = { 0 }, b[32] = { 0 };

	assert_int_equal(crypto_random(a, sizeof(a)), 0);
	assert_int_equal(crypto_random(b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(crypto_random(a, 0), 0);
}

/*
 * crypto.c hashes without libcrypto's allocating EVP contexts (and has
 * its own Keccak for SHA3): it must agree with EVP, byte for byte, for
 * every digest at every length around the block sizes (0..300 bytes,
 * and every key length 0..200 for HMAC, longer keys than a block too).
 */
static const EVP_MD *
evp_of(enum spa_digest d)
{
	switch (d) {
	case SPA_DIGEST_MD5: return EVP_md5();
	case SPA_DIGEST_SHA1: return EVP_sha1();
	case SPA_DIGEST_SHA256: return EVP_sha256();
	case SPA_DIGEST_SHA384: return EVP_sha384();
	case SPA_DIGEST_SHA512: return EVP_sha512();
	case SPA_DIGEST_SHA3_256: return EVP_sha3_256();
	case SPA_DIGEST_SHA3_512: return EVP_sha3_512();
	default: return NULL;
	}
}

static void
hash_and_hmac_agree_with_evp(void **state)
{
	uint8_t msg[300], key[200], ours[SPA_DIGEST_MAX_LEN];
	uint8_t theirs[EVP_MAX_MD_SIZE];
	struct crypto_hmac *h;
	unsigned int tlen;
	size_t i, n, olen;
	int d;

	(void)state;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 131 + 7);
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 71 + 3);
	for (d = SPA_DIGEST_MD5; d <= SPA_DIGEST_SHA3_512; d++) {
		for (n = 0; n <= sizeof(msg); n++) {
			assert_int_equal(crypto_hash(d, msg, n, ours), 0);
			assert_int_equal(EVP_Digest(msg, n, theirs, &tlen,
			    evp_of(d), NULL), 1);
			assert_int_equal(tlen, crypto_digest_len(d));
			assert_memory_equal(ours, theirs, tlen);
		}
		for (n = 1; n <= sizeof(key); n++) {
			assert_int_equal(crypto_hmac_new(d, key, n, &h), 0);
			/* a || b split anywhere is the same message */
			assert_int_equal(crypto_hmac(h, msg, n % 97, msg +
			    n % 97, 150 - n % 97, ours, &olen), 0);
			assert_non_null(HMAC(evp_of(d), key, (int)n, msg, 150,
			    theirs, &tlen));
			assert_int_equal(olen, tlen);
			assert_memory_equal(ours, theirs, tlen);
			crypto_hmac_free(h);
		}
	}
}

/*
 * AES and EVP_BytesToKey run on libcrypto's low-level functions, not
 * EVP (no provider): every mode must agree with EVP's cipher over many
 * blocks (chaining, feedback, the counter's carry), both ways, and the
 * KDF with EVP_BytesToKey for every passphrase length fwknop allows.
 */
static const EVP_CIPHER *
evp_cipher_of(enum spa_mode m)
{
	switch (m) {
	case SPA_MODE_ECB: return EVP_aes_256_ecb();
	case SPA_MODE_CBC: case SPA_MODE_LEGACY: return EVP_aes_256_cbc();
	case SPA_MODE_CFB: return EVP_aes_256_cfb128();
	case SPA_MODE_OFB: return EVP_aes_256_ofb();
	case SPA_MODE_CTR: return EVP_aes_256_ctr();
	default: return NULL;
	}
}

static void
evp_encrypt(enum spa_mode m, const uint8_t *key, const uint8_t *iv,
    const uint8_t *in, size_t n, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int len = 0, fin = 0;

	assert_non_null(ctx);
	assert_int_equal(EVP_EncryptInit_ex(ctx, evp_cipher_of(m), NULL, key,
	    iv), 1);
	assert_int_equal(EVP_CIPHER_CTX_set_padding(ctx, 0), 1);
	assert_int_equal(EVP_EncryptUpdate(ctx, out, &len, in, (int)n), 1);
	assert_int_equal(EVP_EncryptFinal_ex(ctx, out + len, &fin), 1);
	assert_int_equal((size_t)(len + fin), n);
	EVP_CIPHER_CTX_free(ctx);
}

static void
aes_and_kdf_agree_with_evp(void **state)
{
	static const enum spa_mode modes[] = {
		SPA_MODE_ECB, SPA_MODE_CBC, SPA_MODE_LEGACY, SPA_MODE_CFB,
		SPA_MODE_OFB, SPA_MODE_CTR,
	};
	uint8_t key[32], iv[16], pt[320], ours[320], theirs[320], back[320];
	uint8_t k2[32], iv2[16], salt[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(pt); i++)
		pt[i] = (uint8_t)(i * 37 + 11);
	memset(key, 0xa5, sizeof(key));
	/* the counter's low bytes about to carry across 64 bits */
	memset(iv, 0xff, sizeof(iv));
	iv[0] = 0x01;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		for (n = 16; n <= sizeof(pt); n += 16) {
			assert_int_equal(crypto_aes_encrypt(modes[i], key, iv,
			    pt, n, ours), 0);
			evp_encrypt(modes[i], key, iv, pt, n, theirs);
			assert_memory_equal(ours, theirs, n);
			assert_int_equal(crypto_aes_decrypt(modes[i], key, iv,
			    ours, n, back), 0);
			assert_memory_equal(back, pt, n);
		}
	}
	for (n = 0; n <= 40; n++) {
		assert_int_equal(crypto_kdf(pt, n, salt, key, iv), 0);
		assert_int_equal(EVP_BytesToKey(EVP_aes_256_cbc(), EVP_md5(),
		    salt, pt, (int)n, 1, k2, iv2), 32);
		assert_memory_equal(key, k2, 32);
		assert_memory_equal(iv, iv2, 16);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(digest_names_round_trip),
		cmocka_unit_test(digest_name_unknown_is_refused),
		cmocka_unit_test(mode_names_case_insensitive),
		cmocka_unit_test(hash_known_answers),
		cmocka_unit_test(hash_refuses_none),
		cmocka_unit_test(hmac_rfc2202_rfc4231_vectors),
		cmocka_unit_test(hmac_nist_sha3_vectors),
		cmocka_unit_test(hash_and_hmac_agree_with_evp),
		cmocka_unit_test(hmac_refuses_unknown_type),
		cmocka_unit_test(kdf_matches_openssl_enc),
		cmocka_unit_test(kdf_depends_on_salt_and_pass),
		cmocka_unit_test(aes_known_answer_every_mode),
		cmocka_unit_test(aes_round_trip_every_mode),
		cmocka_unit_test(aes_ctr_counter_is_128_bit_big_endian),
		cmocka_unit_test(aes_and_kdf_agree_with_evp),
		cmocka_unit_test(aes_refuses_partial_blocks_and_gnupg),
		cmocka_unit_test(ct_equal_compares_all_bytes),
		cmocka_unit_test(wipe_zeroes),
		cmocka_unit_test(random_fills_and_differs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
