/* Names and messages for SPA_ERR_* codes. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "err.h"

struct err_text {
	int		 code;
	const char	*name;	/* short, stable: used as a counter label */
	const char	*text;	/* for log lines */
};

static const struct err_text err_texts[] = {
	{ SPA_OK,		"ok",		"success" },
	{ SPA_ERR_NOMEM,	"nomem",	"out of memory" },
	{ SPA_ERR_SYS,		"system",	"system call failed" },
	{ SPA_ERR_CONFIG,	"config",	"configuration refused" },
	{ SPA_ERR_CRYPTO,	"crypto",	"crypto library failure" },
	{ SPA_ERR_STATE,	"state",	"state store unusable" },
	{ SPA_ERR_ARG,		"arg",		"invalid argument" },
	{ SPA_ERR_ACTION,	"action",	"action failed" },
	{ SPA_ERR_TIMEOUT,	"timeout",	"action timed out" },
	{ SPA_ERR_LENGTH,	"length",	"payload length outside 140..1499 bytes" },
	{ SPA_ERR_PREFIX,	"salt_prefix",	"payload starts with the salt prefix (tampered replay)" },
	{ SPA_ERR_NOT_BASE64,	"not_base64",	"payload is not base64 text" },
	{ SPA_ERR_GPG,		"gnupg",	"GnuPG-encrypted packet: the stanza has no GnuPG key" },
	{ SPA_ERR_REPLAY,	"replay",	"replayed packet" },
	{ SPA_ERR_NO_SOURCE,	"no_source",	"no stanza accepts this source address" },
	{ SPA_ERR_HMAC,		"hmac",		"HMAC does not verify" },
	{ SPA_ERR_DECRYPT,	"decrypt",	"decryption failed (wrong key or mode)" },
	{ SPA_ERR_CIPHERTEXT,	"ciphertext",	"malformed ciphertext" },
	{ SPA_ERR_FRAME,	"frame",	"frame truncated, fragmented or not UDP/TCP/ICMP over IP" },
	{ SPA_ERR_HTTP,		"http",		"malformed HTTP request" },
	{ SPA_ERR_FIELDS,	"fields",	"wrong number of SPA fields" },
	{ SPA_ERR_DIGEST,	"digest",	"embedded digest does not verify" },
	{ SPA_ERR_RANDOM,	"random",	"invalid random value field" },
	{ SPA_ERR_USERNAME,	"username",	"invalid username field" },
	{ SPA_ERR_TIMESTAMP,	"timestamp",	"invalid timestamp field" },
	{ SPA_ERR_VERSION,	"version",	"invalid version field" },
	{ SPA_ERR_REQUEST,	"msg_type",	"invalid message type" },
	{ SPA_ERR_MESSAGE,	"message",	"invalid access or command message" },
	{ SPA_ERR_NAT,		"nat",		"invalid NAT access field" },
	{ SPA_ERR_CLIENT_TIMEOUT, "client_timeout", "invalid client timeout field" },
	{ SPA_ERR_AGE,		"age",		"timestamp outside the allowed age" },
	{ SPA_ERR_EXPIRED,	"expired",	"stanza has expired" },
	{ SPA_ERR_DESTINATION,	"destination",	"destination not allowed by the stanza" },
	{ SPA_ERR_USER_MISMATCH, "username_mismatch", "username does not match REQUIRE_USERNAME" },
	{ SPA_ERR_SOURCE_REQUIRED, "source_required", "allow address 0.0.0.0 refused by REQUIRE_SOURCE_ADDRESS" },
	{ SPA_ERR_PORTS,	"ports",	"a requested port is not allowed" },
	{ SPA_ERR_CMD_DENIED,	"cmd_denied",	"command messages are not enabled for the stanza" },
	{ SPA_ERR_NAT_DENIED,	"nat_denied",	"NAT requests are not enabled" },
	{ SPA_ERR_NO_KEY,	"no_key",	"stanza has no Rijndael key" },
	{ SPA_ERR_NAT_HOST,	"nat_host",	"NAT host is not an IPv4 address (nat.dns is off)" },
	{ SPA_ERR_NAT_NAME,	"nat_name",	"NAT host is neither an IPv4 address nor a valid host name" },
	{ SPA_ERR_SIGNATURE,	"gpg_signature",	"GnuPG signature missing, not valid, or not from a signer the stanza names" },
};

static const struct err_text *
err_lookup(int err)
{
	size_t i;

	for (i = 0; i < sizeof(err_texts) / sizeof(err_texts[0]); i++)
		if (err_texts[i].code == err)
			return &err_texts[i];
	return NULL;
}

const char *
spa_strerror(int err)
{
	const struct err_text *e = err_lookup(err);

	return e != NULL ? e->text : "unknown error";
}

const char *
spa_errname(int err)
{
	const struct err_text *e = err_lookup(err);

	return e != NULL ? e->name : "unknown";
}

void
err_vformat_at(char *buf, size_t len, const char *file, unsigned int line,
    const char *fmt, va_list ap)
{
	int n;

	if (file == NULL)
		n = 0;
	else if (line > 0)
		n = snprintf(buf, len, "%s:%u: ", file, line);
	else
		n = snprintf(buf, len, "%s: ", file);
	if (n < 0 || (size_t)n >= len)
		return;
	vsnprintf(buf + n, len - (size_t)n, fmt, ap);
}
