/*
 * A cycle record as it is kept in Redis: the journal record (journal_rec.c)
 * sealed with the fleet key that every gateway reads from the same
 * root-only file (redis.fleet_key_file).
 *
 *   off  size  field
 *     0     4  "SPAF"
 *     4     1  version: 1
 *     5     n  the journal record
 *   5+n    32  HMAC-SHA256(key, name NUL "SPAF" version record)
 *
 * `name` is the record's key in Redis (prefix "cycle:" gateway/id), so a
 * record is valid under its own name only.  Whoever can write to Redis
 * without the key can make no record a gateway acts on.
 */
#ifndef SPA_FLEET_REC_H
#define SPA_FLEET_REC_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "journal_rec.h"

#define FLEET_REC_HEAD	5
#define FLEET_REC_MAC	32
#define FLEET_REC_MAX	(FLEET_REC_HEAD + JOURNAL_REC_MAX + FLEET_REC_MAC)
#define FLEET_KEY_MIN	32	/* bytes of the key file's first line */

/* The fleet key's HMAC-SHA256, prepared once (crypto_hmac_free it). */
int	fleet_rec_key(const uint8_t *key, size_t keylen,
	    struct crypto_hmac **out);

/* The sealed record into `out`: its length, 0 on failure. */
size_t	fleet_rec_seal(const struct crypto_hmac *key, const char *name,
	    const uint8_t *rec, size_t n, uint8_t *out, size_t cap);

/*
 * NULL if `in` is a record sealed under `name` with `key` (then *rec and
 * *reclen point at the journal record inside it), else why not.  The
 * MAC is compared in constant time.
 */
const char *fleet_rec_open(const struct crypto_hmac *key, const char *name,
	    const uint8_t *in, size_t n, const uint8_t **rec, size_t *reclen);

#endif /* SPA_FLEET_REC_H */
