/*
 * libFuzzer target for the SPA plaintext decoder.  Each input is decoded
 * twice: as it is, and as the encoded fields with a correct SHA-256 digest
 * appended, so the fuzzer gets past the digest check to every field parser.
 * spa_parse_ports() also gets the input as a C string.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "b64.h"
#include "crypto.h"
#include "spa.h"

#define TEXT_MAX	1600

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* text ":" b64(SHA-256(text)) */
static size_t
with_digest(const uint8_t *data, size_t size, char *out)
{
	uint8_t d[32];

	if (crypto_hash(SPA_DIGEST_SHA256, data, size, d) != 0)
		return 0;
	memcpy(out, data, size);
	out[size] = ':';
	return size + 1 + b64_encode(d, sizeof(d), out + size + 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spa_packet pkt;
	struct spa_port ports[SPA_MAX_PORTS];
	char text[TEXT_MAX + 64];
	size_t n;

	(void)spa_decode((const char *)data, size, &pkt);
	if (size > TEXT_MAX)
		return 0;
	if ((n = with_digest(data, size, text)) != 0)
		(void)spa_decode(text, n, &pkt);
	memcpy(text, data, size);
	text[size] = '\0';
	(void)spa_parse_ports(text, ports, SPA_MAX_PORTS, &n);
	return 0;
}
