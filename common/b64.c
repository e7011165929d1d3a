/* Base64 without padding, as on the SPA wire; padded form for key files. */
#include "config.h"

#include <string.h>

#include "b64.h"
#include "err.h"

static const char b64_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* 0..63 for alphabet bytes, 64 for anything else. */
static unsigned int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return 64;
}

bool
b64_is_alphabet(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b64_value((unsigned char)s[i]) == 64)
			return false;
	return true;
}

/* The bits of the last character that carry no data must be zero. */
static bool
b64_tail_canonical(unsigned int last, size_t rem)
{
	if (rem == 2)
		return (last & 0x0f) == 0;
	if (rem == 3)
		return (last & 0x03) == 0;
	return true;
}

int
b64_decode(const char *in, size_t n, uint8_t *out, size_t cap,
    size_t *outlen, bool canonical)
{
	uint32_t acc = 0;
	unsigned int v = 0;
	size_t i, bits = 0, o = 0;

	for (i = 0; i < n && in[i] != '='; i++) {
		v = b64_value((unsigned char)in[i]);
		if (v == 64)
			return SPA_ERR_NOT_BASE64;
		acc = (acc << 6) | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return SPA_ERR_LENGTH;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	if (i % 4 == 1)
		return SPA_ERR_NOT_BASE64;
	if (canonical && !b64_tail_canonical(v, i % 4))
		return SPA_ERR_NOT_BASE64;
	*outlen = o;
	return 0;
}

size_t
b64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 2 < n; i += 3) {
		v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8) | in[i + 2];
		out[o++] = b64_chars[(v >> 18) & 63];
		out[o++] = b64_chars[(v >> 12) & 63];
		out[o++] = b64_chars[(v >> 6) & 63];
		out[o++] = b64_chars[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = b64_chars[(v >> 18) & 63];
		out[o++] = b64_chars[(v >> 12) & 63];
	} else if (n - i == 2) {
		v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8);
		out[o++] = b64_chars[(v >> 18) & 63];
		out[o++] = b64_chars[(v >> 12) & 63];
		out[o++] = b64_chars[(v >> 6) & 63];
	}
	out[o] = '\0';
	return o;
}

int
b64_decode_padded(const char *in, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t n = strlen(in), body = n;

	while (body > 0 && in[body - 1] == '=')
		body--;
	if (n == 0 || n - body > 2 || !b64_is_alphabet(in, body))
		return SPA_ERR_NOT_BASE64;
	if (n != body && n % 4 != 0)
		return SPA_ERR_NOT_BASE64;
	return b64_decode(in, body, out, cap, outlen, false);
}
