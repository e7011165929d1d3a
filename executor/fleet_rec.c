/* Fleet records sealed with the fleet key.  See fleet_rec.h. */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "crypto.h"
#include "fleet_rec.h"

#define MAGIC		"SPAF"
#define REC_VERSION	1
#define NAME_MAX_LEN	512

int
fleet_rec_key(const uint8_t *key, size_t keylen, struct crypto_hmac **out)
{
	if (keylen < FLEET_KEY_MIN)
		return -1;
	return crypto_hmac_new(SPA_DIGEST_SHA256, key, keylen, out);
}

/* HMAC-SHA256 over name NUL, then the header and the record. */
static int
mac(const struct crypto_hmac *key, const char *name, const uint8_t *body,
    size_t n, uint8_t out[SPA_DIGEST_MAX_LEN])
{
	size_t len = strlen(name) + 1, outlen = 0;

	if (key == NULL || len > NAME_MAX_LEN ||
	    crypto_hmac(key, name, len, body, n, out, &outlen) != 0)
		return -1;
	return outlen == FLEET_REC_MAC ? 0 : -1;
}

size_t
fleet_rec_seal(const struct crypto_hmac *key, const char *name,
    const uint8_t *rec, size_t n, uint8_t *out, size_t cap)
{
	uint8_t m[SPA_DIGEST_MAX_LEN];
	size_t body = FLEET_REC_HEAD + n;

	if (n > JOURNAL_REC_MAX || cap < body + FLEET_REC_MAC)
		return 0;
	memcpy(out, MAGIC, 4);
	out[4] = REC_VERSION;
	memcpy(out + FLEET_REC_HEAD, rec, n);
	if (mac(key, name, out, body, m) != 0)
		return 0;
	memcpy(out + body, m, FLEET_REC_MAC);
	crypto_wipe(m, sizeof(m));
	return body + FLEET_REC_MAC;
}

const char *
fleet_rec_open(const struct crypto_hmac *key, const char *name,
    const uint8_t *in, size_t n, const uint8_t **rec, size_t *reclen)
{
	uint8_t m[SPA_DIGEST_MAX_LEN];
	size_t body;
	bool ok;

	if (n < FLEET_REC_HEAD + FLEET_REC_MAC || memcmp(in, MAGIC, 4) != 0)
		return "not a sealed fleet record";
	if (in[4] != REC_VERSION)
		return "a fleet record of another version";
	if (n > FLEET_REC_MAX)
		return "too long";
	body = n - FLEET_REC_MAC;
	if (mac(key, name, in, body, m) != 0)
		return "cannot compute its MAC";
	ok = crypto_ct_equal(m, in + body, FLEET_REC_MAC);
	crypto_wipe(m, sizeof(m));
	if (!ok)
		return "its MAC does not verify with the fleet key";
	*rec = in + FLEET_REC_HEAD;
	*reclen = body - FLEET_REC_HEAD;
	return NULL;
}
