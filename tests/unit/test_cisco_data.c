/*
 * What a Cisco cycle records (modules/cisco/cisco_data.c): the record written
 * now reads back the same, one written before digests reads with none,
 * and every other shape is refused with its reason (the bytes come from
 * the journal or from Redis).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cisco_data.h"

#define DIGEST	"0123456789abcdef01234567"

static const char *
parse(const char *text, struct cisco_entry *e)
{
	return cisco_data_parse((const uint8_t *)text, strlen(text), e);
}

static void
assert_refused(const char *text, const char *why)
{
	struct cisco_entry e;
	const char *got = parse(text, &e);

	if (got == NULL || strcmp(got, why) != 0)
		fail_msg("\"%s\": %s, want %s", text, got ? got : "accepted",
		    why);
}

static void
record_round_trip(void **state)
{
	struct cisco_entry e = { "edge-1_x", 2147483647, true, DIGEST }, back;
	uint8_t buf[64];
	size_t n;

	(void)state;
	n = cisco_data_format(&e, buf, sizeof(buf));
	assert_int_equal(n, strlen("C2 edge-1_x 2147483647 6 " DIGEST));
	assert_memory_equal(buf, "C2 edge-1_x 2147483647 6 " DIGEST, n);
	assert_null(cisco_data_parse(buf, n, &back));
	assert_string_equal(back.device, e.device);
	assert_int_equal(back.seq, e.seq);
	assert_true(back.v6);
	assert_string_equal(back.digest, e.digest);
	/* the longest record fits the 64 bytes a cycle keeps */
	snprintf(e.device, sizeof(e.device), "abcdefghijklmno");
	assert_int_equal(cisco_data_format(&e, buf, sizeof(buf)), 56);
	assert_int_equal(cisco_data_format(&e, buf, 55), 0);
	e.digest[3] = '\0';
	assert_int_equal(cisco_data_format(&e, buf, sizeof(buf)), 0);
}

static void
record_without_digest(void **state)
{
	struct cisco_entry e;

	(void)state;
	assert_null(parse("edge1 10", &e));
	assert_string_equal(e.device, "edge1");
	assert_int_equal(e.seq, 10);
	assert_false(e.v6);
	assert_string_equal(e.digest, "");
	assert_null(parse("edge1 10007 ipv6", &e));
	assert_true(e.v6);
	assert_int_equal(e.seq, 10007);
}

static void
record_refused(void **state)
{
	(void)state;
	assert_refused("", "no device name");
	assert_refused(" edge1 10", "no device name");
	assert_refused("Edge1 10", "no device name");
	assert_refused("abcdefghijklmnop 10", "no device name");
	assert_refused("edge1", "no sequence number");
	assert_refused("edge1 ", "no sequence number");
	assert_refused("edge1  10", "no sequence number");
	assert_refused("edge1 0", "no sequence number");
	assert_refused("edge1 010", "no sequence number");
	assert_refused("edge1 2147483648", "no sequence number");
	assert_refused("edge1 99999999999", "no sequence number");
	assert_refused("edge1 10x", "no sequence number");
	assert_refused("edge1 10 ", "not \"device seq [ipv6]\"");
	assert_refused("edge1 10 ipv4", "not \"device seq [ipv6]\"");
	assert_refused("edge1 10 ipv6 ", "not \"device seq [ipv6]\"");
	assert_refused("C2 edge1 10", "no list (4 or 6)");
	assert_refused("C2 edge1 10 5 " DIGEST, "no list (4 or 6)");
	assert_refused("C2 edge1 10 44 " DIGEST, "no list (4 or 6)");
	assert_refused("C2 edge1 10 4", "no entry digest");
	assert_refused("C2 edge1 10 4 ", "no entry digest");
	assert_refused("C2 edge1 10 4 0123", "no entry digest");
	assert_refused("C2 edge1 10 4 " DIGEST "0", "no entry digest");
	assert_refused("C2 edge1 10 4 " DIGEST " ", "no entry digest");
	assert_refused("C2 edge1 10 4 0123456789ABCDEF01234567",
	    "no entry digest");
}

static void
record_with_nul_refused(void **state)
{
	static const uint8_t nul[] = "edge1\0 10";
	struct cisco_entry e;

	(void)state;
	assert_non_null(cisco_data_parse(nul, sizeof(nul) - 1, &e));
	/* the length given is the record: "edge1 1" */
	assert_null(cisco_data_parse((const uint8_t *)"edge1 10", 7, &e));
	assert_int_equal(e.seq, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(record_round_trip),
		cmocka_unit_test(record_without_digest),
		cmocka_unit_test(record_refused),
		cmocka_unit_test(record_with_nul_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
