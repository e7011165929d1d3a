/* libcrypto wrappers for the SPA wire format. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

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

/* --- hashes, HMAC, KDF and AES: see the functions below ------------------ */
