/* Addresses and SOURCE/DESTINATION lists. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "err.h"

static struct spa_addr
addr(const char *s)
{
	struct spa_addr a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

static void
ipv4_strict_dotted_quad(void **state)
{
	struct spa_addr a;
	char buf[ADDR_STRLEN];

	assert_int_equal(addr_parse_ipv4("10.0.0.255", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_string_equal(addr_fmt(&a, buf), "10.0.0.255");
	assert_int_equal(addr_parse_ipv4("0.0.0.0", &a), 0);
	assert_true(addr_is_unspecified(&a));
}

static void
ipv4_rejects_malformed(void **state)
{
	static const char *const bad[] = {
		"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", " 1.2.3.4",
		"+1.2.3.4", "1..2.3", "1.2.3.", ".1.2.3", "1.2.3.0004",
		"a.b.c.d", "1.2.3.4/8", "0x1.2.3.4", "1,2,3,4",
	};
	struct spa_addr a;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_not_equal(addr_parse_ipv4(bad[i], &a), 0);
}

static void
ipv6_parses_and_formats(void **state)
{
	struct spa_addr a = addr("2001:db8::1");
	char buf[ADDR_STRLEN];

	assert_int_equal(a.family, AF_INET6);
	assert_string_equal(addr_fmt(&a, buf), "2001:db8::1");
	assert_int_not_equal(addr_parse("2001:db8::g", &a), 0);
	assert_int_not_equal(addr_parse("example.com", &a), 0);
}

static void
cidr_matches_prefix(void **state)
{
	struct spa_cidr c;
	const char *why = NULL;
	struct spa_addr in = addr("192.168.7.200"), out = addr("192.168.8.1");

	assert_int_equal(cidr_parse("192.168.7.0/24", &c, &why), 0);
	assert_true(cidr_match(&c, &in));
	assert_false(cidr_match(&c, &out));
	assert_int_equal(cidr_parse("192.168.7.9/255.255.255.0", &c, &why), 0);
	assert_true(cidr_match(&c, &in));
}

static void
cidr_host_without_mask_is_exact(void **state)
{
	struct spa_cidr c;
	const char *why = NULL;
	struct spa_addr same = addr("10.1.2.3"), other = addr("10.1.2.4");

	assert_int_equal(cidr_parse("10.1.2.3", &c, &why), 0);
	assert_true(cidr_match(&c, &same));
	assert_false(cidr_match(&c, &other));
}

static void
cidr_never_matches_other_family(void **state)
{
	struct spa_cidr c;
	const char *why = NULL;
	struct spa_addr v6 = addr("::ffff:10.0.0.1");

	assert_int_equal(cidr_parse("10.0.0.0/8", &c, &why), 0);
	assert_false(cidr_match(&c, &v6));
}

static void
cidr_ipv6_prefix(void **state)
{
	struct spa_cidr c;
	const char *why = NULL;
	struct spa_addr in = addr("2001:db8:0:1::5"), out = addr("2001:db9::5");
	char buf[80];

	assert_int_equal(cidr_parse("2001:db8::/32", &c, &why), 0);
	assert_true(cidr_match(&c, &in));
	assert_false(cidr_match(&c, &out));
	assert_string_equal(cidr_fmt(&c, buf, sizeof(buf)), "2001:db8::/32");
}

static void
cidr_rejects_bad_masks(void **state)
{
	static const struct {
		const char *s, *why;
	} bad[] = {
		{ "10.0.0.0/0", "prefix length" },
		{ "10.0.0.0/33", "prefix length" },
		{ "10.0.0.0/", "missing mask" },
		{ "10.0.0.0/2x", "prefix length" },
		{ "10.0.0.0/255.0.255.0", "contiguous" },
		{ "10.0.0.0/0.0.0.0", "contiguous" },
		{ "2001:db8::/129", "1..128" },
		{ "10.0.0.300/8", "invalid IP" },
		{ "A0.10.10.10", "invalid IP" },
	};
	struct spa_cidr c;
	const char *why = NULL;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_not_equal(cidr_parse(bad[i].s, &c, &why), 0);
		assert_non_null(why);
		assert_non_null(strstr(why, bad[i].why));
	}
}

static void
list_any_matches_both_families(void **state)
{
	struct spa_addr_list l;
	const char *why = NULL;
	char bad[64];
	struct spa_addr v4 = addr("1.2.3.4"), v6 = addr("::1");

	assert_int_equal(addr_list_parse("ANY", &l, &why, bad, sizeof(bad)), 0);
	assert_true(addr_list_match(&l, &v4));
	assert_true(addr_list_match(&l, &v6));
	addr_list_free(&l);
	assert_int_equal(addr_list_parse("any", &l, &why, bad, sizeof(bad)), 0);
	assert_true(l.any);
	addr_list_free(&l);
}

static void
list_with_spaces_and_several_entries(void **state)
{
	struct spa_addr_list l;
	const char *why = NULL;
	char bad[64];
	struct spa_addr a = addr("10.0.0.7"), b = addr("172.16.5.5"),
	    c = addr("8.8.8.8");

	assert_int_equal(addr_list_parse("10.0.0.0/24,  172.16.0.0/12 ,fe80::/10",
	    &l, &why, bad, sizeof(bad)), 0);
	assert_int_equal(l.n, 3);
	assert_true(addr_list_match(&l, &a));
	assert_true(addr_list_match(&l, &b));
	assert_false(addr_list_match(&l, &c));
	addr_list_free(&l);
}

static void
list_reports_the_bad_entry(void **state)
{
	struct spa_addr_list l;
	const char *why = NULL;
	char bad[64];

	assert_int_not_equal(addr_list_parse("10.0.0.1, 10.0.0.256, 10.0.0.3",
	    &l, &why, bad, sizeof(bad)), 0);
	assert_string_equal(bad, "10.0.0.256");
	assert_non_null(strstr(why, "invalid IP"));
	assert_null(l.v);
	assert_int_not_equal(addr_list_parse("10.0.0.1,,10.0.0.3", &l, &why,
	    bad, sizeof(bad)), 0);
	assert_non_null(strstr(why, "empty"));
	assert_int_not_equal(addr_list_parse("10.0.0.1,", &l, &why, bad,
	    sizeof(bad)), 0);
}

static void
list_rejects_overlong_entry(void **state)
{
	struct spa_addr_list l;
	const char *why = NULL;
	char bad[64], val[200];

	memset(val, '1', sizeof(val) - 1);
	val[sizeof(val) - 1] = '\0';
	assert_int_not_equal(addr_list_parse(val, &l, &why, bad, sizeof(bad)), 0);
	assert_non_null(strstr(why, "too long"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipv4_strict_dotted_quad),
		cmocka_unit_test(ipv4_rejects_malformed),
		cmocka_unit_test(ipv6_parses_and_formats),
		cmocka_unit_test(cidr_matches_prefix),
		cmocka_unit_test(cidr_host_without_mask_is_exact),
		cmocka_unit_test(cidr_never_matches_other_family),
		cmocka_unit_test(cidr_ipv6_prefix),
		cmocka_unit_test(cidr_rejects_bad_masks),
		cmocka_unit_test(list_any_matches_both_families),
		cmocka_unit_test(list_with_spaces_and_several_entries),
		cmocka_unit_test(list_reports_the_bad_entry),
		cmocka_unit_test(list_rejects_overlong_entry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
