/* spagate keygen: key lengths, base64 a client accepts, digest options. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "crypto.h"
#include "err.h"
#include "tool.h"

/* spagate.c's, which this test does not link */
void
tool_usage(const char *cmd, FILE *fp)
{
}

/* Padded base64 (what fwknop --key-gen prints) of exactly `n` bytes. */
static void
assert_b64_of(const char *s, size_t n)
{
	uint8_t out[256];
	size_t len = 0;

	assert_int_equal(strlen(s) % 4, 0);
	assert_int_equal(strlen(s), (n + 2) / 3 * 4);
	assert_int_equal(b64_decode_padded(s, out, sizeof(out), &len), 0);
	assert_int_equal(len, n);
}

static void
keys_have_fwknop_lengths(void **state)
{
	struct keygen_keys k;

	assert_int_equal(keygen_make(SPA_DIGEST_SHA256, &k), 0);
	assert_int_equal(strlen(k.key), 44);
	assert_int_equal(strlen(k.hmac), 88);
	assert_b64_of(k.key, KEYGEN_KEY_LEN);
	assert_b64_of(k.hmac, KEYGEN_HMAC_KEY_LEN);
	assert_int_equal(k.digest, SPA_DIGEST_SHA256);
}

static void
keys_differ_each_time(void **state)
{
	struct keygen_keys a, b;

	assert_int_equal(keygen_make(SPA_DIGEST_SHA512, &a), 0);
	assert_int_equal(keygen_make(SPA_DIGEST_SHA512, &b), 0);
	assert_string_not_equal(a.key, b.key);
	assert_string_not_equal(a.hmac, b.hmac);
	assert_string_not_equal(a.key, a.hmac);
}

static void
fwknoprc_has_the_client_variables(void **state)
{
	struct keygen_keys k;
	char rc[512], want[256];

	assert_int_equal(keygen_make(SPA_DIGEST_SHA3_256, &k), 0);
	assert_int_equal(keygen_fwknoprc(&k, rc, sizeof(rc)), 0);
	snprintf(want, sizeof(want), "KEY_BASE64          %s\n", k.key);
	assert_non_null(strstr(rc, want));
	snprintf(want, sizeof(want), "HMAC_KEY_BASE64     %s\n", k.hmac);
	assert_non_null(strstr(rc, want));
	assert_non_null(strstr(rc, "USE_HMAC            Y\n"));
	assert_non_null(strstr(rc, "HMAC_DIGEST_TYPE    SHA3_256\n"));
	assert_int_equal(keygen_fwknoprc(&k, rc, 40), SPA_ERR_ARG);
}

/* Fwknop2 splits the text at spaces, then each word at its colon. */
static void
qr_text_is_what_fwknop2_imports(void **state)
{
	struct keygen_keys k;
	char qr[512], want[256], rc[512];

	assert_int_equal(keygen_make(SPA_DIGEST_SHA512, &k), 0);
	assert_int_equal(keygen_qr_text(&k, false, qr, sizeof(qr)), 0);
	snprintf(want, sizeof(want), "KEY_BASE64:%s HMAC_KEY_BASE64:%s", k.key,
	    k.hmac);
	assert_string_equal(qr, want);
	assert_int_equal(keygen_qr_text(&k, false, qr, 100), SPA_ERR_ARG);
	assert_int_equal(keygen_qr_text(&k, true, qr, sizeof(qr)), 0);
	assert_int_equal(keygen_fwknoprc(&k, rc, sizeof(rc)), 0);
	assert_string_equal(qr, rc);
}

static int
parse(struct keygen_opts *o, char *why, size_t len, ...)
{
	char *argv[8];
	va_list ap;
	int argc = 0;

	argv[argc++] = (char *)"keygen";
	va_start(ap, len);
	while (argc < 7 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	why[0] = '\0';
	return keygen_parse(argc, argv, o, why, len);
}

static void
digest_option_parsed(void **state)
{
	static const struct {
		const char	*name;
		enum spa_digest	 d;
	} ok[] = {
		{ "md5", SPA_DIGEST_MD5 }, { "sha1", SPA_DIGEST_SHA1 },
		{ "sha256", SPA_DIGEST_SHA256 }, { "SHA384", SPA_DIGEST_SHA384 },
		{ "sha512", SPA_DIGEST_SHA512 },
		{ "sha3_256", SPA_DIGEST_SHA3_256 },
		{ "SHA3_512", SPA_DIGEST_SHA3_512 },
	};
	struct keygen_opts o;
	char why[256], upper[16];
	size_t i;

	assert_int_equal(parse(&o, why, sizeof(why), NULL), 0);
	assert_int_equal(o.digest, SPA_DIGEST_SHA256);
	assert_false(o.qr);
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(parse(&o, why, sizeof(why), "--hmac-digest",
		    ok[i].name, NULL), 0);
		assert_int_equal(o.digest, ok[i].d);
	}
	assert_int_equal(parse(&o, why, sizeof(why), "--qr",
	    "--hmac-digest=sha512", NULL), 0);
	assert_true(o.qr);
	assert_int_equal(o.digest, SPA_DIGEST_SHA512);
	assert_false(o.qr_fwknoprc);
	assert_null(o.qr_png);
	assert_int_equal(parse(&o, why, sizeof(why), "--qr-png", "q.png",
	    "--qr-fwknoprc", NULL), 0);
	assert_false(o.qr);
	assert_true(o.qr_fwknoprc);
	assert_string_equal(o.qr_png, "q.png");
	keygen_digest_upper(SPA_DIGEST_SHA3_512, upper, sizeof(upper));
	assert_string_equal(upper, "SHA3_512");
}

static void
bad_options_refused(void **state)
{
	struct keygen_opts o;
	char why[256];

	assert_int_equal(parse(&o, why, sizeof(why), "--hmac-digest", "sha224",
	    NULL), -1);
	assert_non_null(strstr(why, "unknown HMAC digest 'sha224'"));
	assert_int_equal(parse(&o, why, sizeof(why), "--hmac-digest", "none",
	    NULL), -1);
	assert_non_null(strstr(why, "unknown HMAC digest 'none'"));
	assert_int_equal(parse(&o, why, sizeof(why), "--hmac-digest", NULL), -1);
	assert_non_null(strstr(why, "needs a value"));
	assert_int_equal(parse(&o, why, sizeof(why), "--bogus", NULL), -1);
	assert_non_null(strstr(why, "unknown option '--bogus'"));
	assert_int_equal(parse(&o, why, sizeof(why), "-x", NULL), -1);
	assert_non_null(strstr(why, "unknown option"));
	assert_int_equal(parse(&o, why, sizeof(why), "extra", NULL), -1);
	assert_non_null(strstr(why, "unexpected argument 'extra'"));
	assert_int_equal(parse(&o, why, sizeof(why), "--qr-fwknoprc", NULL), -1);
	assert_non_null(strstr(why, "give one of them"));
	assert_int_equal(parse(&o, why, sizeof(why), "--qr-png", NULL), -1);
	assert_non_null(strstr(why, "needs a value"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys_have_fwknop_lengths),
		cmocka_unit_test(keys_differ_each_time),
		cmocka_unit_test(fwknoprc_has_the_client_variables),
		cmocka_unit_test(qr_text_is_what_fwknop2_imports),
		cmocka_unit_test(digest_option_parsed),
		cmocka_unit_test(bad_options_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
