/* Base64 as on the SPA wire (unpadded) and in key files (padded). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "b64.h"
#include "crypto.h"
#include "err.h"
#include "helpers.h"

/* RFC 4648 §10, with the '=' padding removed as fwknop does. */
static const struct {
	const char	*raw;
	const char	*b64;
} rfc4648[] = {
	{ "", "" },
	{ "f", "Zg" },
	{ "fo", "Zm8" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg" },
	{ "fooba", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy" },
};
#define NRFC	(sizeof(rfc4648) / sizeof(rfc4648[0]))

static int
decode_str(const char *s, uint8_t *out, size_t cap, size_t *len,
    bool canonical)
{
	return b64_decode(s, strlen(s), out, cap, len, canonical);
}

static void
encode_rfc4648_without_padding(void **state)
{
	char out[16];
	size_t i;

	for (i = 0; i < NRFC; i++) {
		assert_int_equal(b64_encode((const uint8_t *)rfc4648[i].raw,
		    strlen(rfc4648[i].raw), out), strlen(rfc4648[i].b64));
		assert_string_equal(out, rfc4648[i].b64);
	}
}

static void
decode_rfc4648_unpadded(void **state)
{
	uint8_t out[16];
	size_t i, len;

	for (i = 0; i < NRFC; i++) {
		len = 99;
		assert_int_equal(decode_str(rfc4648[i].b64, out, sizeof(out),
		    &len, true), 0);
		assert_int_equal(len, strlen(rfc4648[i].raw));
		assert_memory_equal(out, rfc4648[i].raw, len);
	}
}

static void
decode_stops_at_first_equals(void **state)
{
	uint8_t out[16];
	size_t len = 0;

	assert_int_equal(decode_str("Zg==", out, sizeof(out), &len, true), 0);
	assert_int_equal(len, 1);
	assert_int_equal(out[0], 'f');
	/* What follows a '=' is never looked at (callers check the alphabet). */
	assert_int_equal(decode_str("Zm9v=!!!", out, sizeof(out), &len, true),
	    0);
	assert_int_equal(len, 3);
	assert_memory_equal(out, "foo", 3);
	assert_int_equal(decode_str("=Zm9v", out, sizeof(out), &len, true), 0);
	assert_int_equal(len, 0);
}

static void
decode_refuses_one_mod_four_lengths(void **state)
{
	uint8_t out[16];
	size_t len;

	assert_int_equal(decode_str("Z", out, sizeof(out), &len, false),
	    SPA_ERR_NOT_BASE64);
	assert_int_equal(decode_str("Zm9vY", out, sizeof(out), &len, false),
	    SPA_ERR_NOT_BASE64);
	assert_int_equal(decode_str("Zm9vYmFyZ", out, sizeof(out), &len,
	    false), SPA_ERR_NOT_BASE64);
	/* Also when the text is cut short by '='. */
	assert_int_equal(decode_str("Zm9vY===", out, sizeof(out), &len,
	    false), SPA_ERR_NOT_BASE64);
}

static void
decode_canonical_refuses_nonzero_tail_bits(void **state)
{
	uint8_t out[16];
	size_t len;

	/* 2-char tail: 4 unused bits; 'h' = 33 has the low bit set. */
	assert_int_equal(decode_str("Zh", out, sizeof(out), &len, true),
	    SPA_ERR_NOT_BASE64);
	assert_int_equal(decode_str("Zh", out, sizeof(out), &len, false), 0);
	assert_int_equal(len, 1);
	assert_int_equal(out[0], 'f');
	/* Every non-zero value of the 4 unused bits is refused. */
	assert_int_equal(decode_str("Zn", out, sizeof(out), &len, true),
	    SPA_ERR_NOT_BASE64);
	assert_int_equal(decode_str("Zv", out, sizeof(out), &len, true),
	    SPA_ERR_NOT_BASE64);
	/* 3-char tail: 2 unused bits; '9' = 61 has them at 01. */
	assert_int_equal(decode_str("Zm9", out, sizeof(out), &len, true),
	    SPA_ERR_NOT_BASE64);
	assert_int_equal(decode_str("Zm/", out, sizeof(out), &len, true),
	    SPA_ERR_NOT_BASE64);
	assert_int_equal(decode_str("Zm9", out, sizeof(out), &len, false), 0);
	assert_int_equal(len, 2);
	assert_memory_equal(out, "fo", 2);
	/* Full quads have no unused bits. */
	assert_int_equal(decode_str("////", out, sizeof(out), &len, true), 0);
	assert_int_equal(len, 3);
}

static void
decode_refuses_bytes_outside_alphabet(void **state)
{
	static const char *const bad[] = {
		"Zm9v!A", "Zm9v-A", "Zm9v_A", "Zm 9v", "Zm9v\n", "Zm\t9v",
		"Zm9v*A", "\xc3\xa9" "AA",
	};
	uint8_t out[16];
	size_t i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(decode_str(bad[i], out, sizeof(out), &len,
		    false), SPA_ERR_NOT_BASE64);
	/* An embedded NUL inside the length given is just a bad byte. */
	assert_int_equal(b64_decode("Zm\0v", 4, out, sizeof(out), &len,
	    false), SPA_ERR_NOT_BASE64);
}

static void
decode_refuses_capacity_overflow(void **state)
{
	uint8_t out[8];
	size_t len = 0;

	assert_int_equal(decode_str("Zm9vYmFy", out, 5, &len, true),
	    SPA_ERR_LENGTH);
	assert_int_equal(decode_str("Zm9vYmFy", out, 6, &len, true), 0);
	assert_int_equal(len, 6);
	assert_int_equal(decode_str("Zg", out, 0, &len, true),
	    SPA_ERR_LENGTH);
	assert_int_equal(decode_str("", out, 0, &len, true), 0);
	assert_int_equal(len, 0);
}

static void
round_trip_every_length(void **state)
{
	uint8_t raw[200], back[200];
	char text[B64_ENCODED_LEN(200)];
	size_t n, tl, len;

	assert_int_equal(crypto_random(raw, sizeof(raw)), 0);
	for (n = 0; n <= sizeof(raw); n++) {
		tl = b64_encode(raw, n, text);
		assert_int_equal(tl, strlen(text));
		assert_true(tl + 1 <= B64_ENCODED_LEN(n));
		assert_true(b64_is_alphabet(text, tl));
		assert_true(n <= B64_DECODED_MAX(tl));
		assert_int_not_equal(tl % 4, 1);
		assert_int_equal(b64_decode(text, tl, back, n, &len, true), 0);
		assert_int_equal(len, n);
		assert_memory_equal(back, raw, n);
	}
}

static void
alphabet_check(void **state)
{
	assert_true(b64_is_alphabet("", 0));
	assert_true(b64_is_alphabet("AZaz09+/", 8));
	assert_false(b64_is_alphabet("AZaz09+/=", 9));
	assert_false(b64_is_alphabet("ABC\n", 4));
	assert_false(b64_is_alphabet("AB\0C", 4));
	assert_false(b64_is_alphabet("AB-C", 4));
	/* Only n bytes are examined. */
	assert_true(b64_is_alphabet("ABC=", 3));
}

/* --- padded form (key files, access.conf *_BASE64) ----------------------- */

static void
padded_accepts_padded_and_unpadded(void **state)
{
	uint8_t out[64];
	size_t len = 0;

	assert_int_equal(b64_decode_padded("Zm9vYg==", out, sizeof(out), &len),
	    0);
	assert_int_equal(len, 4);
	assert_memory_equal(out, "foob", 4);
	assert_int_equal(b64_decode_padded("Zm9vYmE=", out, sizeof(out), &len),
	    0);
	assert_int_equal(len, 5);
	assert_int_equal(b64_decode_padded("Zm9vYg", out, sizeof(out), &len),
	    0);
	assert_int_equal(len, 4);
	assert_int_equal(b64_decode_padded("Zm9vYmFy", out, sizeof(out), &len),
	    0);
	assert_int_equal(len, 6);
	/* A real key: 32 bytes. */
	assert_int_equal(b64_decode_padded(
	    "EYK5s7JGISsMUttLQHitWsJN/a05MD4JYjSuMmrD+gI=", out, sizeof(out),
	    &len), 0);
	assert_int_equal(len, 32);
}

static void
padded_refuses_malformed(void **state)
{
	static const char *const bad[] = {
		"",		/* empty */
		"=",		/* only padding */
		"==",
		"====",
		"Zm9vYg=",	/* padding that does not complete a quad */
		"Zm9vY===",	/* three '=' */
		"Zm=9v",	/* '=' inside */
		"Zm9v Yg==",	/* whitespace */
		"Zm9vYg==\n",	/* trailing newline */
		" Zm9vYg==",
		"Zm9vY",	/* 1 mod 4 */
		"Zm9v!g==",
	};
	uint8_t out[64];
	size_t i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(b64_decode_padded(bad[i], out, sizeof(out),
		    &len), SPA_ERR_NOT_BASE64);
}

static void
padded_refuses_capacity_overflow(void **state)
{
	uint8_t out[8];
	size_t len;

	assert_int_equal(b64_decode_padded("Zm9vYmFy", out, 5, &len),
	    SPA_ERR_LENGTH);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encode_rfc4648_without_padding),
		cmocka_unit_test(decode_rfc4648_unpadded),
		cmocka_unit_test(decode_stops_at_first_equals),
		cmocka_unit_test(decode_refuses_one_mod_four_lengths),
		cmocka_unit_test(decode_canonical_refuses_nonzero_tail_bits),
		cmocka_unit_test(decode_refuses_bytes_outside_alphabet),
		cmocka_unit_test(decode_refuses_capacity_overflow),
		cmocka_unit_test(round_trip_every_length),
		cmocka_unit_test(alphabet_check),
		cmocka_unit_test(padded_accepts_padded_and_unpadded),
		cmocka_unit_test(padded_refuses_malformed),
		cmocka_unit_test(padded_refuses_capacity_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
