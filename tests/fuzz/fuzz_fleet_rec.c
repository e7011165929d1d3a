/*
 * libFuzzer: a cycle record as it comes back from Redis
 * (executor/fleet_rec.c, then executor/journal_rec.c).  Whoever can write
 * to Redis chooses these bytes: opening them with the fleet key must
 * refuse all but a record sealed with it, never read outside them, and
 * what it opens is only then decoded.  The same bytes as a record body,
 * sealed and opened again, must come back unchanged.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_rec.h"
#include "journal_rec.h"

#define KEY	"fuzz-fleet-key-0123456789abcdef!"
#define NAME	"spagate:cycle:gw/0000000000000001"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct crypto_hmac *
key(void)
{
	static struct crypto_hmac *k;

	if (k == NULL &&
	    fleet_rec_key((const uint8_t *)KEY, strlen(KEY), &k) != 0)
		abort();
	return k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t sealed[FLEET_REC_MAX];
	struct journal_rec rec;
	const uint8_t *body;
	size_t n, len;

	if (fleet_rec_open(key(), NAME, data, size, &body, &len) == NULL) {
		if (body != data + FLEET_REC_HEAD ||
		    len + FLEET_REC_HEAD + FLEET_REC_MAC != size)
			abort();
		(void)journal_rec_decode(body, len, &rec);
	}
	if ((n = fleet_rec_seal(key(), NAME, data, size, sealed,
	    sizeof(sealed))) == 0)
		return size > JOURNAL_REC_MAX ? 0 : (abort(), 0);
	if (fleet_rec_open(key(), NAME, sealed, n, &body, &len) != NULL ||
	    len != size || memcmp(body, data, size) != 0)
		abort();
	return 0;
}
