/*
 * One error idiom for spagate: functions return 0 on success or a negative
 * SPA_ERR_* code.  Packet errors double as drop reasons: the verifier keeps
 * one counter per code, so every refused packet is counted under its cause.
 */
#ifndef SPA_ERR_H
#define SPA_ERR_H

#include <stdarg.h>
#include <stddef.h>

enum spa_err {
	SPA_OK = 0,

	/* system and configuration */
	SPA_ERR_NOMEM = -1,		/* allocation failed */
	SPA_ERR_SYS = -2,		/* system call failed, see errno */
	SPA_ERR_CONFIG = -3,		/* configuration refused */
	SPA_ERR_CRYPTO = -4,		/* the crypto library failed */
	SPA_ERR_STATE = -5,		/* state store unusable */
	SPA_ERR_ARG = -6,		/* bad argument from our own code */
	SPA_ERR_ACTION = -7,		/* an open or close command failed */
	SPA_ERR_TIMEOUT = -8,		/* an action did not finish in time */

	/* packet envelope, in the order the verifier checks them */
	SPA_ERR_LENGTH = -20,		/* payload outside 140..1499 bytes */
	SPA_ERR_PREFIX = -21,		/* starts with the salt prefix: tampered replay */
	SPA_ERR_NOT_BASE64 = -22,	/* a byte outside the base64 alphabet */
	SPA_ERR_GPG = -23,		/* GnuPG-sized: the stanza has no GnuPG key */
	SPA_ERR_REPLAY = -24,		/* digest already seen */
	SPA_ERR_NO_SOURCE = -25,	/* no stanza accepts the packet source */
	SPA_ERR_HMAC = -26,		/* HMAC mismatch */
	SPA_ERR_DECRYPT = -27,		/* wrong key or mode: plaintext is garbage */
	SPA_ERR_CIPHERTEXT = -28,	/* ciphertext length or base64 not canonical */
	SPA_ERR_FRAME = -29,		/* frame truncated, fragmented or not IP */
	SPA_ERR_HTTP = -30,		/* malformed HTTP request */

	/* plaintext fields */
	SPA_ERR_FIELDS = -40,		/* wrong number of ':' separated fields */
	SPA_ERR_DIGEST = -41,		/* embedded digest absent or wrong */
	SPA_ERR_RANDOM = -42,		/* random value field */
	SPA_ERR_USERNAME = -43,		/* username field */
	SPA_ERR_TIMESTAMP = -44,	/* timestamp field */
	SPA_ERR_VERSION = -45,		/* version field */
	SPA_ERR_REQUEST = -46,		/* type field: the kind of request */
	SPA_ERR_MESSAGE = -47,		/* message field: ports or command */
	SPA_ERR_NAT = -48,		/* NAT access field */
	SPA_ERR_CLIENT_TIMEOUT = -49,	/* client timeout field */

	/* policy, after the packet authenticated */
	SPA_ERR_AGE = -60,		/* timestamp outside the age window */
	SPA_ERR_EXPIRED = -61,		/* stanza past ACCESS_EXPIRE */
	SPA_ERR_DESTINATION = -62,	/* packet destination not in DESTINATION */
	SPA_ERR_USER_MISMATCH = -63,	/* REQUIRE_USERNAME differs */
	SPA_ERR_SOURCE_REQUIRED = -64,	/* 0.0.0.0 with REQUIRE_SOURCE_ADDRESS */
	SPA_ERR_PORTS = -65,		/* a requested port is not allowed */
	SPA_ERR_CMD_DENIED = -66,	/* command request without ENABLE_CMD_EXEC */
	SPA_ERR_NAT_DENIED = -67,	/* NAT request while NAT is disabled */
	SPA_ERR_NO_KEY = -68,		/* stanza cannot verify Rijndael packets */
	SPA_ERR_NAT_HOST = -69,		/* NAT host not an IPv4 address */
	SPA_ERR_NAT_NAME = -70,		/* NAT host neither IPv4 nor a host name */

	SPA_ERR_SIGNATURE = -71,	/* GnuPG: signature missing, bad or not
					   from a signer the stanza names */

	SPA_ERR_MIN = -72
};

/* Number of counters needed to index by -err. */
#define SPA_ERR_COUNT	(-SPA_ERR_MIN)

const char	*spa_strerror(int err);
const char	*spa_errname(int err);

/*
 * A configuration error or warning as every reader words it into `buf`:
 * "FILE:LINE: message", "FILE: message" when LINE is 0, the message alone
 * when FILE is NULL (it names the file itself).
 */
void	err_vformat_at(char *buf, size_t len, const char *file,
	    unsigned int line, const char *fmt, va_list ap)
	    __attribute__((format(printf, 5, 0)));

#endif /* SPA_ERR_H */
