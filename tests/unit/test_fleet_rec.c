/*
 * Fleet records sealed with the fleet key (executor/fleet_rec.c): a sealed
 * record opens under its own name with the same key, and is refused when
 * it is not sealed, of another version, cut, too long, sealed with
 * another key, moved to another name, or changed in any byte; a key
 * shorter than 32 bytes is refused.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "fleet_rec.h"

#define KEY	"0123456789abcdef0123456789abcdef"
#define NAME	"spagate:cycle:gwa/0000000000000001"

static struct crypto_hmac *key, *other;
static const uint8_t body[] = "a journal record's bytes";
static uint8_t sealed[FLEET_REC_MAX];
static size_t nsealed;

static int
setup(void **state)
{
	(void)state;
	if (fleet_rec_key((const uint8_t *)KEY, strlen(KEY), &key) != 0 ||
	    fleet_rec_key((const uint8_t *)KEY "x", strlen(KEY) + 1,
	    &other) != 0)
		return -1;
	nsealed = fleet_rec_seal(key, NAME, body, sizeof(body), sealed,
	    sizeof(sealed));
	return nsealed == 0 ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	crypto_hmac_free(key);
	crypto_hmac_free(other);
	return 0;
}

static const char *
open_it(const struct crypto_hmac *k, const char *name, const uint8_t *in,
    size_t n)
{
	const uint8_t *rec = NULL;
	size_t len = 0;
	const char *why = fleet_rec_open(k, name, in, n, &rec, &len);

	if (why == NULL && (len != sizeof(body) ||
	    memcmp(rec, body, len) != 0))
		fail_msg("opened, but not the record sealed");
	return why;
}

static void
sealed_record_opens(void **state)
{
	(void)state;
	assert_int_equal(nsealed, FLEET_REC_HEAD + sizeof(body) +
	    FLEET_REC_MAC);
	assert_memory_equal(sealed, "SPAF\x01", 5);
	assert_null(open_it(key, NAME, sealed, nsealed));
}

static void
short_key_refused(void **state)
{
	struct crypto_hmac *h = NULL;

	(void)state;
	assert_int_equal(fleet_rec_key((const uint8_t *)KEY, 31, &h), -1);
	assert_null(h);
}

static void
unsealed_or_foreign_refused(void **state)
{
	uint8_t buf[FLEET_REC_MAX + 8];

	(void)state;
	assert_string_equal(open_it(key, NAME, body, sizeof(body)),
	    "not a sealed fleet record");
	assert_string_equal(open_it(key, NAME, sealed, 36),
	    "not a sealed fleet record");
	memcpy(buf, sealed, nsealed);
	buf[4] = 2;
	assert_string_equal(open_it(key, NAME, buf, nsealed),
	    "a fleet record of another version");
	memset(buf + 5, 0, sizeof(buf) - 5);
	assert_string_equal(open_it(key, NAME, buf, sizeof(buf)),
	    "a fleet record of another version");
	buf[4] = 1;
	assert_string_equal(open_it(key, NAME, buf, sizeof(buf)),
	    "too long");
}

static void
other_key_name_or_byte_refused(void **state)
{
	uint8_t buf[FLEET_REC_MAX];
	size_t i;

	(void)state;
	assert_string_equal(open_it(other, NAME, sealed, nsealed),
	    "its MAC does not verify with the fleet key");
	assert_string_equal(open_it(key, "spagate:cycle:gwb/0000000000000001",
	    sealed, nsealed), "its MAC does not verify with the fleet key");
	assert_string_equal(open_it(key, NAME, sealed, nsealed - 1),
	    "its MAC does not verify with the fleet key");
	for (i = FLEET_REC_HEAD; i < nsealed; i++) {
		memcpy(buf, sealed, nsealed);
		buf[i] ^= 0x20;
		assert_string_equal(open_it(key, NAME, buf, nsealed),
		    "its MAC does not verify with the fleet key");
	}
}

static void
seal_refuses_what_does_not_fit(void **state)
{
	uint8_t small[FLEET_REC_HEAD + FLEET_REC_MAC + 4];

	(void)state;
	assert_int_equal(fleet_rec_seal(key, NAME, body, sizeof(body), small,
	    sizeof(small)), 0);
	assert_int_equal(fleet_rec_seal(key, NAME, body, JOURNAL_REC_MAX + 1,
	    sealed, sizeof(sealed)), 0);
	assert_int_equal(fleet_rec_seal(NULL, NAME, body, sizeof(body), sealed,
	    sizeof(sealed)), 0);
	/* the fixture's record is sealed again for the other tests */
	assert_int_equal(fleet_rec_seal(key, NAME, body, sizeof(body), sealed,
	    sizeof(sealed)), nsealed);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sealed_record_opens),
		cmocka_unit_test(short_key_refused),
		cmocka_unit_test(unsealed_or_foreign_refused),
		cmocka_unit_test(other_key_name_or_byte_refused),
		cmocka_unit_test(seal_refuses_what_does_not_fit),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
