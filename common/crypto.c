/*
 * libcrypto wrappers for the SPA wire format: digests, a keyed HMAC that is
 * prepared once per stanza, EVP_BytesToKey, AES-256 without padding, and
 * the name tables of access.conf.
 *
 * Only libcrypto's low-level functions are called, never an EVP fetch: the
 * first fetch initialises OpenSSL's default provider, which builds the
 * method tables of every algorithm it has (3.4 MiB of libcrypto touched,
 * 0.8 MiB of it private, against 1.6 MiB and 0.5 MiB for the functions
 * used here), in both processes (bench/RESULTS.md, run 8).  The low-level
 * AES is the table-based one, not AES-NI: as fwknopd's own Rijndael, and
 * a packet is decrypted only after its HMAC verified, where the stanza
 * has an HMAC key (the recommended setup).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

/*
 * MD5_CTX, SHA_CTX, SHA256_CTX, SHA512_CTX and AES_KEY are deprecated in
 * OpenSSL 3.0 but still built by default; they are the only digest states
 * that can be copied without an allocation (see the HMAC section), and
 * they need no provider.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <openssl/aes.h>
#include <openssl/crypto.h>
#include <openssl/md5.h>
#include <openssl/modes.h>
#include <openssl/sha.h>

#include "crypto.h"
#include "err.h"

struct digest_info {
	enum spa_digest	 id;
	const char	*name;		/* access.conf / fwknop client spelling */
	size_t		 len;
};

static const struct digest_info digests[] = {
	{ SPA_DIGEST_MD5,	"md5",		16 },
	{ SPA_DIGEST_SHA1,	"sha1",		20 },
	{ SPA_DIGEST_SHA256,	"sha256",	32 },
	{ SPA_DIGEST_SHA384,	"sha384",	48 },
	{ SPA_DIGEST_SHA512,	"sha512",	64 },
	{ SPA_DIGEST_SHA3_256,	"sha3_256",	32 },
	{ SPA_DIGEST_SHA3_512,	"sha3_512",	64 },
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

/* The kernel's generator: no libcrypto DRBG, so no provider. */
int
crypto_random(void *p, size_t n)
{
	uint8_t *b = p;
	size_t off = 0;
	ssize_t r;

	while (off < n) {
		r = getrandom(b + off, n - off, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			crypto_wipe(p, n);
			return SPA_ERR_SYS;
		}
		off += (size_t)r;
	}
	return 0;
}

/* --- digest states without allocation -------------------------------------- */

/* SHA-3 (FIPS 202): OpenSSL 3.0 exposes no copyable state for it. */
#define KECCAK_ROUNDS	24

struct keccak {
	uint64_t	st[25];
	size_t		pt;		/* bytes absorbed in this block */
	size_t		rate;		/* block bytes: 200 - 2 * mdlen */
	size_t		mdlen;
};

static const uint64_t keccak_rc[KECCAK_ROUNDS] = {
	0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
	0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
	0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
	0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
	0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
	0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
	0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
	0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};
static const unsigned int keccak_rho[24] = {
	1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14,
	27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44,
};
static const unsigned int keccak_pi[24] = {
	10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4,
	15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1,
};

static uint64_t
rotl64(uint64_t x, unsigned int n)
{
	return (x << n) | (x >> (64 - n));
}

static void
keccakf(uint64_t st[25])
{
	uint64_t bc[5], t;
	int round, i, j;

	for (round = 0; round < KECCAK_ROUNDS; round++) {
		for (i = 0; i < 5; i++)
			bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^
			    st[i + 20];
		for (i = 0; i < 5; i++) {
			t = bc[(i + 4) % 5] ^ rotl64(bc[(i + 1) % 5], 1);
			for (j = 0; j < 25; j += 5)
				st[j + i] ^= t;
		}
		t = st[1];
		for (i = 0; i < 24; i++) {
			j = (int)keccak_pi[i];
			bc[0] = st[j];
			st[j] = rotl64(t, keccak_rho[i]);
			t = bc[0];
		}
		for (j = 0; j < 25; j += 5) {
			for (i = 0; i < 5; i++)
				bc[i] = st[j + i];
			for (i = 0; i < 5; i++)
				st[j + i] ^= (~bc[(i + 1) % 5]) & bc[(i + 2) % 5];
		}
		st[0] ^= keccak_rc[round];
	}
}

static void
keccak_init(struct keccak *k, size_t mdlen)
{
	memset(k, 0, sizeof(*k));
	k->mdlen = mdlen;
	k->rate = 200 - 2 * mdlen;
}

/* Lanes are little-endian whatever the host. */
static void
keccak_xor_byte(struct keccak *k, size_t i, uint8_t b)
{
	k->st[i / 8] ^= (uint64_t)b << (8 * (i % 8));
}

static void
keccak_update(struct keccak *k, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		keccak_xor_byte(k, k->pt++, p[i]);
		if (k->pt == k->rate) {
			keccakf(k->st);
			k->pt = 0;
		}
	}
}

static void
keccak_final(struct keccak *k, uint8_t *out)
{
	size_t i;

	keccak_xor_byte(k, k->pt, 0x06);		/* SHA-3 domain bits */
	keccak_xor_byte(k, k->rate - 1, 0x80);
	keccakf(k->st);
	for (i = 0; i < k->mdlen; i++)
		out[i] = (uint8_t)(k->st[i / 8] >> (8 * (i % 8)));
}

/* One digest's running state: plain memory, copied by assignment. */
union hstate {
	MD5_CTX		md5;
	SHA_CTX		sha1;
	SHA256_CTX	sha256;
	SHA512_CTX	sha512;		/* also SHA-384 */
	struct keccak	sha3;
};
#define HSTATE_BLOCK_MAX	144	/* SHA3-224 rate; largest of ours 136 */

/* HMAC block size in bytes, 0 for an unknown digest. */
static size_t
hs_block(enum spa_digest d)
{
	switch (d) {
	case SPA_DIGEST_MD5:
	case SPA_DIGEST_SHA1:
	case SPA_DIGEST_SHA256:
		return 64;
	case SPA_DIGEST_SHA384:
	case SPA_DIGEST_SHA512:
		return 128;
	case SPA_DIGEST_SHA3_256:
		return 200 - 2 * 32;
	case SPA_DIGEST_SHA3_512:
		return 200 - 2 * 64;
	default:
		return 0;
	}
}

/* Callers check hs_block(d) != 0 first. */
static void
hs_init(enum spa_digest d, union hstate *s)
{
	switch (d) {
	case SPA_DIGEST_MD5:
		MD5_Init(&s->md5);
		break;
	case SPA_DIGEST_SHA1:
		SHA1_Init(&s->sha1);
		break;
	case SPA_DIGEST_SHA256:
		SHA256_Init(&s->sha256);
		break;
	case SPA_DIGEST_SHA384:
		SHA384_Init(&s->sha512);
		break;
	case SPA_DIGEST_SHA512:
		SHA512_Init(&s->sha512);
		break;
	case SPA_DIGEST_SHA3_256:
		keccak_init(&s->sha3, 32);
		break;
	case SPA_DIGEST_SHA3_512:
		keccak_init(&s->sha3, 64);
		break;
	default:
		break;
	}
}

static void
hs_update(enum spa_digest d, union hstate *s, const void *p, size_t n)
{
	switch (d) {
	case SPA_DIGEST_MD5:
		MD5_Update(&s->md5, p, n);
		break;
	case SPA_DIGEST_SHA1:
		SHA1_Update(&s->sha1, p, n);
		break;
	case SPA_DIGEST_SHA256:
		SHA256_Update(&s->sha256, p, n);
		break;
	case SPA_DIGEST_SHA384:
		SHA384_Update(&s->sha512, p, n);
		break;
	case SPA_DIGEST_SHA512:
		SHA512_Update(&s->sha512, p, n);
		break;
	case SPA_DIGEST_SHA3_256:
	case SPA_DIGEST_SHA3_512:
		keccak_update(&s->sha3, p, n);
		break;
	default:
		break;
	}
}

static void
hs_final(enum spa_digest d, union hstate *s, uint8_t *out)
{
	switch (d) {
	case SPA_DIGEST_MD5:
		MD5_Final(out, &s->md5);
		break;
	case SPA_DIGEST_SHA1:
		SHA1_Final(out, &s->sha1);
		break;
	case SPA_DIGEST_SHA256:
		SHA256_Final(out, &s->sha256);
		break;
	case SPA_DIGEST_SHA384:
		SHA384_Final(out, &s->sha512);
		break;
	case SPA_DIGEST_SHA512:
		SHA512_Final(out, &s->sha512);
		break;
	case SPA_DIGEST_SHA3_256:
	case SPA_DIGEST_SHA3_512:
		keccak_final(&s->sha3, out);
		break;
	default:
		break;
	}
}

/* --- digests -------------------------------------------------------------- */

int
crypto_hash(enum spa_digest d, const void *data, size_t n, uint8_t *out)
{
	union hstate s;

	if (hs_block(d) == 0)
		return SPA_ERR_ARG;
	hs_init(d, &s);
	hs_update(d, &s, data, n);
	hs_final(d, &s, out);
	crypto_wipe(&s, sizeof(s));
	return 0;
}

/* --- HMAC ----------------------------------------------------------------- */

/*
 * The HMAC is computed on plain digest states, not on EVP contexts: in
 * OpenSSL 3.0 every EVP_MAC_CTX_dup, EVP_MAC_init, EVP_MD_CTX_copy_ex and
 * EVP_DigestInit_ex on a live context allocates a new provider context
 * (measured with CRYPTO_set_mem_functions: 11, 2, 1 and 1 allocations per
 * call), so an EVP HMAC per packet would mean allocations per invalid
 * packet.  The key is absorbed once into an inner and an outer state; a
 * packet costs two struct copies on the stack and the digest work.
 */
struct crypto_hmac {
	enum spa_digest	 d;
	size_t		 len;
	union hstate	 inner;		/* after key ^ ipad */
	union hstate	 outer;		/* after key ^ opad */
};

int
crypto_hmac_new(enum spa_digest d, const uint8_t *key, size_t keylen,
    struct crypto_hmac **out)
{
	const struct digest_info *di = digest_info(d);
	struct crypto_hmac *h = NULL;
	uint8_t k[HSTATE_BLOCK_MAX], pad[HSTATE_BLOCK_MAX];
	size_t block, i;

	*out = NULL;
	if (di == NULL || (key == NULL && keylen != 0))
		return SPA_ERR_ARG;
	if ((block = hs_block(d)) == 0 || block > sizeof(k))
		return SPA_ERR_CRYPTO;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return SPA_ERR_NOMEM;
	h->d = d;
	h->len = di->len;
	memset(k, 0, sizeof(k));
	if (keylen > block) {
		hs_init(d, &h->inner);
		hs_update(d, &h->inner, key, keylen);
		hs_final(d, &h->inner, k);
	} else if (keylen > 0)
		memcpy(k, key, keylen);
	for (i = 0; i < block; i++)
		pad[i] = k[i] ^ 0x36;
	hs_init(d, &h->inner);
	hs_update(d, &h->inner, pad, block);
	for (i = 0; i < block; i++)
		pad[i] = k[i] ^ 0x5c;
	hs_init(d, &h->outer);
	hs_update(d, &h->outer, pad, block);
	crypto_wipe(k, sizeof(k));
	crypto_wipe(pad, sizeof(pad));
	*out = h;
	return 0;
}

int
crypto_hmac(const struct crypto_hmac *h, const void *a, size_t alen,
    const void *b, size_t blen, uint8_t *out, size_t *outlen)
{
	union hstate s;
	uint8_t ih[SPA_DIGEST_MAX_LEN];

	s = h->inner;
	hs_update(h->d, &s, a, alen);
	hs_update(h->d, &s, b, blen);
	hs_final(h->d, &s, ih);
	s = h->outer;
	hs_update(h->d, &s, ih, h->len);
	hs_final(h->d, &s, out);
	*outlen = h->len;
	crypto_wipe(&s, sizeof(s));
	crypto_wipe(ih, sizeof(ih));
	return 0;
}

void
crypto_hmac_free(struct crypto_hmac *h)
{
	if (h == NULL)
		return;
	crypto_wipe(h, sizeof(*h));
	free(h);
}

/* --- key derivation ------------------------------------------------------- */

/* One EVP_BytesToKey round: MD5(prev || pass || salt). */
static void
kdf_round(const uint8_t *prev, const uint8_t *pass, size_t passlen,
    const uint8_t salt[8], uint8_t out[16])
{
	union hstate s;

	hs_init(SPA_DIGEST_MD5, &s);
	if (prev != NULL)
		hs_update(SPA_DIGEST_MD5, &s, prev, 16);
	hs_update(SPA_DIGEST_MD5, &s, pass, passlen);
	hs_update(SPA_DIGEST_MD5, &s, salt, 8);
	hs_final(SPA_DIGEST_MD5, &s, out);
	crypto_wipe(&s, sizeof(s));
}

int
crypto_kdf(const uint8_t *pass, size_t passlen, const uint8_t salt[8],
    uint8_t key[32], uint8_t iv[16])
{
	if (pass == NULL && passlen != 0)
		return SPA_ERR_ARG;
	kdf_round(NULL, pass, passlen, salt, key);
	kdf_round(key, pass, passlen, salt, key + 16);
	kdf_round(key + 16, pass, passlen, salt, iv);
	return 0;
}

/* --- AES-256 -------------------------------------------------------------- */

/* ECB, one block at a time: the only mode without an IV. */
static void
aes_ecb(const AES_KEY *ks, int enc, const uint8_t *in, size_t n,
    uint8_t *out)
{
	size_t i;

	for (i = 0; i < n; i += 16)
		AES_ecb_encrypt(in + i, out + i, ks, enc);
}

/*
 * The stream modes (CFB-128, OFB, CTR with a 128-bit big-endian counter)
 * run the block cipher forwards in both directions.
 */
static void
aes_stream(enum spa_mode mode, const AES_KEY *ks, int enc, uint8_t iv[16],
    const uint8_t *in, size_t n, uint8_t *out)
{
	uint8_t ecount[16] = { 0 };
	unsigned int ctr_num = 0;
	int num = 0;

	if (mode == SPA_MODE_CFB)
		AES_cfb128_encrypt(in, out, n, ks, iv, &num, enc);
	else if (mode == SPA_MODE_OFB)
		AES_ofb128_encrypt(in, out, n, ks, iv, &num);
	else
		CRYPTO_ctr128_encrypt(in, out, n, ks, iv, ecount, &ctr_num,
		    (block128_f)AES_encrypt);
	crypto_wipe(ecount, sizeof(ecount));
}

static bool
aes_mode_known(enum spa_mode mode)
{
	return mode == SPA_MODE_CBC || mode == SPA_MODE_LEGACY ||
	    mode == SPA_MODE_ECB || mode == SPA_MODE_CFB ||
	    mode == SPA_MODE_OFB || mode == SPA_MODE_CTR;
}

static int
aes_run(enum spa_mode mode, int enc, const uint8_t key[32],
    const uint8_t iv[16], const uint8_t *in, size_t n, uint8_t *out)
{
	bool block_dec = !enc && (mode == SPA_MODE_CBC ||
	    mode == SPA_MODE_LEGACY || mode == SPA_MODE_ECB);
	uint8_t ivc[16];
	AES_KEY ks;
	int r;

	if (!aes_mode_known(mode) || n % 16 != 0 ||
	    (iv == NULL && mode != SPA_MODE_ECB))
		return SPA_ERR_ARG;
	r = block_dec ? AES_set_decrypt_key(key, 256, &ks) :
	    AES_set_encrypt_key(key, 256, &ks);
	if (r != 0)
		return SPA_ERR_CRYPTO;
	if (iv != NULL)
		memcpy(ivc, iv, sizeof(ivc));
	if (mode == SPA_MODE_ECB)
		aes_ecb(&ks, enc ? AES_ENCRYPT : AES_DECRYPT, in, n, out);
	else if (mode == SPA_MODE_CBC || mode == SPA_MODE_LEGACY)
		AES_cbc_encrypt(in, out, n, &ks, ivc,
		    enc ? AES_ENCRYPT : AES_DECRYPT);
	else
		aes_stream(mode, &ks, enc ? AES_ENCRYPT : AES_DECRYPT, ivc, in,
		    n, out);
	crypto_wipe(&ks, sizeof(ks));
	crypto_wipe(ivc, sizeof(ivc));
	return 0;
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
