/*
 * Base64 as fwknop uses it: standard alphabet, '=' padding stripped on
 * the wire.  The decoder accepts unpadded input and stops at the first '='.
 */
#ifndef SPA_B64_H
#define SPA_B64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decoded size bound for n input characters. */
#define B64_DECODED_MAX(n)	(((n) / 4) * 3 + 3)
/* Encoded size for n bytes, without padding, plus a NUL. */
#define B64_ENCODED_LEN(n)	(((n) * 4 + 2) / 3 + 1)

/* True if every byte of s[0..n) is in [A-Za-z0-9+/]. */
bool	b64_is_alphabet(const char *s, size_t n);

/*
 * Decode n characters of unpadded (or '='-terminated) base64 into out.
 * With `canonical`, the unused low bits of the last character must be zero,
 * so that one byte string has exactly one text form (replay digests are
 * taken over the text).  A length of 1 mod 4 is always an error.
 * Returns 0 and sets *outlen, or a negative SPA_ERR_* code.
 */
int	b64_decode(const char *in, size_t n, uint8_t *out, size_t cap,
	    size_t *outlen, bool canonical);

/* Encode without '=' padding; out must hold B64_ENCODED_LEN(n). Returns length. */
size_t	b64_encode(const uint8_t *in, size_t n, char *out);

/*
 * Decode padded or unpadded base64 as found in key files and access.conf
 * (KEY_BASE64, HMAC_KEY_BASE64): whitespace not allowed, '=' only at the end.
 */
int	b64_decode_padded(const char *in, uint8_t *out, size_t cap,
	    size_t *outlen);

#endif /* SPA_B64_H */
