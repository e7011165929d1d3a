/*
 * TEST-ONLY SPA encoder: builds fwknop 2.x compatible wire packets from
 * given fields and keys, so tests can make any packet the real client makes
 * (checked against fwknopd --test) and many it never would.
 *
 * Layers, each usable on its own:
 *   spa_enc_plaintext()  fields -> "rand:b64(user):ts:ver:type:b64(msg)
 *                        [:b64(nat)][:b64(auth)][:timeout]:digest"
 *   spa_enc_digest()     any encoded text -> text ":" digest
 *   spa_enc_seal()       any plaintext bytes -> wire (AES, HMAC, prefix cut)
 *   spa_enc_packet()     all of the above
 * Never linked into the daemon.
 */
#ifndef SPA_TEST_SPA_ENCODE_H
#define SPA_TEST_SPA_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

#define SPA_ENC_MAX	4096	/* plaintext and wire buffers used here */

struct spa_enc {
	/* Plaintext fields (text as the client takes it, not base64). */
	const char	*random;	/* NULL: 16 random digits */
	const char	*user;		/* NULL: "alice" */
	int64_t		 timestamp;
	const char	*version;	/* NULL: "3.0.0" */
	int		 type;		/* enum spa_request, or anything */
	const char	*message;	/* "1.2.3.4,tcp/22" */
	const char	*nat;		/* NULL: no NAT field */
	const char	*server_auth;	/* NULL: no server_auth field */
	uint32_t	 client_timeout;	/* 0: no timeout field */
	/* user/message/nat/server_auth are already wire text: no base64. */
	bool		 raw_fields;
	enum spa_digest	 digest;	/* NONE: sha256, as the client */

	/* Envelope. */
	enum spa_mode	 mode;		/* CBC, ECB, CFB, OFB, CTR, LEGACY */
	const uint8_t	*key;
	size_t		 key_len;
	enum spa_digest	 hmac_type;	/* NONE: no HMAC appended */
	const uint8_t	*hmac_key;
	size_t		 hmac_key_len;
	const uint8_t	*salt;		/* 8 bytes; NULL: random */
	bool		 no_padding;	/* whole blocks given: no PKCS#7 */
};

/* The full plaintext (digest included), NUL-terminated. */
int	spa_enc_plaintext(const struct spa_enc *e, char *out, size_t cap,
	    size_t *len);
/* Append ":" b64(H_d(encoded)) to arbitrary encoded text. */
int	spa_enc_digest(const char *encoded, enum spa_digest d, char *out,
	    size_t cap, size_t *len);
/* Encrypt any plaintext bytes with e's envelope settings: the wire text. */
int	spa_enc_seal(const struct spa_enc *e, const void *plain, size_t n,
	    char *out, size_t cap, size_t *len);
/* Fields to wire. */
int	spa_enc_packet(const struct spa_enc *e, char *out, size_t cap,
	    size_t *len);

#endif /* SPA_TEST_SPA_ENCODE_H */
