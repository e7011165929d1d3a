/*
 * The SPA codec: fwknop 2.x wire format (spec/wire-format.md).
 *
 * Order of work on a packet, cheapest and safest first:
 *   spa_precheck()  length, salt prefix, alphabet: no key needed
 *   spa_open()      per stanza key: GnuPG size class, HMAC (constant time)
 *                   before anything else, then AES, then the plaintext
 *                   fields
 * Nothing here allocates per packet and nothing here logs.
 */
#ifndef SPA_SPA_H
#define SPA_SPA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "b64.h"
#include "crypto.h"

#define SPA_MIN_PAYLOAD		140	/* the client never sends less */
#define SPA_MAX_PAYLOAD		1499	/* libfko: lengths must be < 1500 */
#define SPA_GPG_MIN		400	/* classified as GnuPG from here */
#define SPA_KEY_MAX		32	/* Rijndael passphrase bytes */
#define SPA_HMAC_KEY_MAX	136	/* libfko MAX_DIGEST_BLOCK_LEN */
#define SPA_USER_MAX		48	/* decoded bytes (64 base64 chars) */
#define SPA_FIELD_MAX		192	/* decoded bytes of message/NAT/auth */
#define SPA_NAT_HOST_MAX	70
#define SPA_MAX_PORTS		32	/* more cannot fit in 192 bytes */
#define SPA_CLIENT_TIMEOUT_MAX	65536

enum spa_request {
	SPA_REQ_COMMAND = 0,
	SPA_REQ_ACCESS = 1,
	SPA_REQ_NAT_ACCESS = 2,
	SPA_REQ_CLIENT_TIMEOUT_ACCESS = 3,
	SPA_REQ_CLIENT_TIMEOUT_NAT_ACCESS = 4,
	SPA_REQ_LOCAL_NAT_ACCESS = 5,
	SPA_REQ_CLIENT_TIMEOUT_LOCAL_NAT_ACCESS = 6,
};

/* One stanza's key material, prepared at configuration load. */
struct spa_key {
	enum spa_mode		 mode;
	uint8_t			 enc_key[SPA_KEY_MAX];
	size_t			 enc_key_len;
	enum spa_digest		 hmac_type;	/* NONE: no HMAC expected */
	size_t			 hmac_b64_len;	/* HMAC characters on the wire */
	struct crypto_hmac	*hmac;
};

struct spa_port {
	uint8_t		proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t	port;		/* 1..65535 */
};

/* A decoded, validated SPA packet. */
struct spa_packet {
	char			random[17];
	char			user[SPA_USER_MAX + 1];
	int64_t			timestamp;
	char			version[9];
	enum spa_request	type;
	enum spa_digest		digest_type;	/* embedded digest, by length */
	char			message[SPA_FIELD_MAX + 1];	/* as decoded */
	struct spa_addr		allow;		/* IPv4; 0.0.0.0 = packet source */
	size_t			nports;		/* access types */
	struct spa_port		ports[SPA_MAX_PORTS];
	char			command[SPA_FIELD_MAX + 1];	/* command type */
	bool			has_nat;	/* NAT types */
	char			nat_host[SPA_NAT_HOST_MAX + 1];
	uint16_t		nat_port;
	bool			has_server_auth;
	char			server_auth[SPA_FIELD_MAX + 1];
	uint32_t		client_timeout;	/* 0: none sent */
};

int	spa_key_init(struct spa_key *k, enum spa_mode mode,
	    const uint8_t *enc_key, size_t enc_key_len,
	    enum spa_digest hmac_type, const uint8_t *hmac_key,
	    size_t hmac_key_len);
void	spa_key_clear(struct spa_key *k);

/*
 * Key-free checks on a received payload (fwknopd's preprocessing): length,
 * salt prefix, base64 alphabet.  spec/wire-format.md §3.
 */
int	spa_precheck(const char *payload, size_t len);

/*
 * Authenticate, decrypt and decode with one stanza's key (wire-format §5):
 * LENGTH, GPG, HMAC, CIPHERTEXT, DECRYPT, then spa_decode's codes.  *out
 * is all zero unless 0 is returned.  No allocation, no logging.
 */
int	spa_open(const struct spa_key *k, const char *wire, size_t len,
	    struct spa_packet *out);

/*
 * spa_open with a hook run once the packet is authentic for this key: right
 * after the HMAC matched, or for a key without HMAC once the decryption
 * oracle passed.  A nonzero return stops the work with that code (the
 * verifier checks the replay store there, so a packet that fails the HMAC
 * costs the HMAC alone and a replay is never decrypted).
 */
typedef int (*spa_auth_hook)(void *arg);
int	spa_open_hook(const struct spa_key *k, const char *wire, size_t len,
	    struct spa_packet *out, spa_auth_hook hook, void *arg);

/*
 * The GnuPG envelope (wire-format §3.7), for a stanza with GnuPG keys.
 * spa_gpg_sized: with k's HMAC cut, is the payload of GnuPG size (the
 * Rijndael path refuses it as SPA_ERR_GPG)?  spa_open_gpg, for such a
 * packet or any for a stanza without a Rijndael key: put back the
 * two base64 characters the client cut (always "hQ" for an RSA recipient
 * of 2048 bits or more, another for smaller or elliptic-curve ones: it is
 * read off the OpenPGP packet lengths, no key needed), walk the headers
 * to the encrypted data (at most 4 session-key packets: librnp makes a
 * private-key operation for each that names a stanza key), verify the HMAC
 * over the two characters and the text when k has one (one HMAC, constant time), run
 * the hook, and decode the OpenPGP message into msg (SPA_GPG_MSG_MAX).
 * The decryption and the signature are verifier/openpgp.c's.
 */
#define SPA_GPG_MSG_MAX		B64_DECODED_MAX(SPA_MAX_PAYLOAD + 2)
bool	spa_gpg_sized(const struct spa_key *k, size_t len);
int	spa_open_gpg(const struct spa_key *k, const char *wire, size_t len,
	    uint8_t msg[SPA_GPG_MSG_MAX], size_t *msglen, spa_auth_hook hook,
	    void *arg);

/* Decode and validate a plaintext, digest included (wire-format §6). */
int	spa_decode(const char *plain, size_t len, struct spa_packet *out);

/*
 * Why a packet's HMAC did not verify under `k`, for the log: the client's
 * usual mistakes, found with the stanza's own keys (hmac_key is the key
 * `k` was made with).  SPA_HMAC_MISSING: the whole packet decrypts, it
 * carries no HMAC (a client without --use-hmac); SPA_HMAC_OTHER: it ends
 * in a valid HMAC of digest *other (the client's --hmac-digest-type);
 * SPA_HMAC_WRONG: neither (another key, or a damaged packet).  Costs up
 * to a decryption and six HMACs: call it only for a line that is logged.
 */
enum spa_hmac_why {
	SPA_HMAC_WRONG,
	SPA_HMAC_MISSING,
	SPA_HMAC_OTHER,
};
enum spa_hmac_why spa_hmac_why(const struct spa_key *k,
	    const uint8_t *hmac_key, size_t hmac_key_len, const char *wire,
	    size_t len, enum spa_digest *other);

/* Replay digest: SHA-256 over the payload text exactly as received. */
int	spa_replay_digest(const char *wire, size_t len, uint8_t out[32]);

/* Parse the strict wire form "tcp/22,udp/53" of an access request. */
int	spa_parse_ports(const char *s, struct spa_port *ports, size_t max,
	    size_t *n);

/*
 * The field rules, one copy: the decoder applies them to every packet and
 * event_check() to every OPEN the executor receives, so a compromised
 * verifier cannot pass on a value no packet could carry.
 */
#define SPA_TIMESTAMP_MAX	999999999999LL	/* 12 digits on the wire */
bool	spa_request_ok(enum spa_request t);		/* 0..6 */
/* 1..SPA_USER_MAX printable characters, none of "/\[]:;|=,+*?<> */
bool	spa_user_ok(const char *user);
bool	spa_timestamp_ok(int64_t ts);			/* 0..TIMESTAMP_MAX */
bool	spa_port_ok(const struct spa_port *p);		/* tcp|udp, 1..65535 */
/* 1..SPA_FIELD_MAX printable characters */
bool	spa_command_ok(const char *command);
/*
 * 1..SPA_NAT_HOST_MAX printable characters, none of ' /?"\', and ',';
 * digits and dots only must be an IPv4 address
 */
bool	spa_nat_host_ok(const char *host);
/*
 * A host name as fwknopd's ENABLE_NAT_DNS accepts one: labels of ASCII
 * letters, digits and '-', each 1..63 long, starting with a letter or
 * digit and not ending with '-', separated by single dots; one final dot
 * allowed; 1..SPA_NAT_HOST_MAX characters in all.
 */
bool	spa_nat_name_ok(const char *name);
/* Only the client-timeout types carry one, up to SPA_CLIENT_TIMEOUT_MAX. */
bool	spa_client_timeout_ok(enum spa_request t, uint32_t timeout);

const char *spa_request_name(enum spa_request t);	/* spec/event.md */
bool	spa_request_is_nat(enum spa_request t);	/* 2, 4, 5, 6 */
bool	spa_request_is_local_nat(enum spa_request t);	/* 5, 6 */
const char *spa_proto_name(uint8_t proto);	/* "tcp", "udp" */

#endif /* SPA_SPA_H */
