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
		{ "2001:db8::/129", "0..128" },
		{ "2001:db8::/1000", "0..128" },
		{ "2001:db8::/-1", "0..128" },
		{ "2001:db8::/+64", "0..128" },
		{ "2001:db8::/64x", "0..128" },
		{ "2001:db8::/ffff:ffff::", "0..128" },
		{ "2001:db8::/255.255.0.0", "0..128" },
		{ "2001:db8::/", "missing mask" },
		{ "fe80::1%eth0", "invalid IP" },
		{ "2001:db8:::1", "invalid IP" },
		{ "[2001:db8::1]", "invalid IP" },
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

/* /128 is one address; the prefix boundary holds at /127 and /64. */
static void
cidr_ipv6_prefix_edges(void **state)
{
	struct spa_cidr c;
	const char *why = NULL;
	struct spa_addr a = addr("2001:db8::5"), b = addr("2001:db8::4"),
	    d = addr("2001:db8::6"), e = addr("2001:db8:0:0:ffff:ffff:ffff:ffff"),
	    f = addr("2001:db8:0:1::");
	char buf[80];

	assert_int_equal(cidr_parse("2001:db8::5/128", &c, &why), 0);
	assert_true(cidr_match(&c, &a));
	assert_false(cidr_match(&c, &b));
	assert_false(cidr_match(&c, &d));
	assert_string_equal(cidr_fmt(&c, buf, sizeof(buf)), "2001:db8::5/128");
	assert_int_equal(cidr_parse("2001:db8::5/127", &c, &why), 0);
	assert_true(cidr_match(&c, &b));
	assert_true(cidr_match(&c, &a));
	assert_false(cidr_match(&c, &d));
	assert_string_equal(cidr_fmt(&c, buf, sizeof(buf)), "2001:db8::4/127");
	assert_int_equal(cidr_parse("2001:db8::1234/64", &c, &why), 0);
	assert_true(cidr_match(&c, &e));
	assert_false(cidr_match(&c, &f));
	assert_string_equal(cidr_fmt(&c, buf, sizeof(buf)), "2001:db8::/64");
}

/*
 * IPv4 keeps fwknopd's 1..32 (so a file both read means the same);
 * ::/0 is every IPv6 address and no IPv4 one.
 */
static void
cidr_zero_prefix_is_ipv6_only(void **state)
{
	struct spa_cidr c;
	const char *why = NULL;
	struct spa_addr v6a = addr("2001:db8::1"), v6b = addr("ff02::1"),
	    v6c = addr("::"), v4 = addr("0.0.0.0"), v4b = addr("192.0.2.1");
	char buf[80];

	assert_int_equal(cidr_parse("::/0", &c, &why), 0);
	assert_true(cidr_match(&c, &v6a));
	assert_true(cidr_match(&c, &v6b));
	assert_true(cidr_match(&c, &v6c));
	assert_false(cidr_match(&c, &v4));
	assert_false(cidr_match(&c, &v4b));
	assert_string_equal(cidr_fmt(&c, buf, sizeof(buf)), "::/0");
	assert_int_equal(cidr_parse("2001:db8::1/0", &c, &why), 0);
	assert_string_equal(cidr_fmt(&c, buf, sizeof(buf)), "::/0");
	assert_int_not_equal(cidr_parse("0.0.0.0/0", &c, &why), 0);
	assert_non_null(strstr(why, "1..32"));
}

/*
 * A dual-stack socket names an IPv4 peer ::ffff:a.b.c.d and the sources
 * reach the policy as IPv4, so such an entry could never match: refused,
 * saying what to write instead.
 */
static void
cidr_refuses_ipv4_mapped(void **state)
{
	static const char *const bad[] = { "::ffff:10.0.0.1",
	    "::ffff:10.0.0.0/104", "::FFFF:a00:1", "0:0:0:0:0:ffff:0a00:0001/128" };
	struct spa_cidr c;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_not_equal(cidr_parse(bad[i], &c, &why), 0);
		assert_non_null(strstr(why, "IPv4-mapped"));
	}
	/* the neighbours are ordinary IPv6 */
	assert_int_equal(cidr_parse("::fffe:10.0.0.1", &c, &why), 0);
	assert_int_equal(cidr_parse("::ffff:0:0:1", &c, &why), 0);
	assert_int_equal(cidr_parse("::/96", &c, &why), 0);
	assert_int_equal(c.family, AF_INET6);
}

static void
v4_mapped_predicate(void **state)
{
	struct spa_addr m = addr("::ffff:192.0.2.1"), v4 = addr("192.0.2.1"),
	    v6 = addr("2001:db8::ffff:c000:201");

	assert_true(addr_is_v4_mapped(&m));
	assert_false(addr_is_v4_mapped(&v4));
	assert_false(addr_is_v4_mapped(&v6));
}

/* One list may hold both families; each entry matches its own only. */
static void
list_mixing_families(void **state)
{
	struct spa_addr_list l;
	const char *why = NULL;
	char bad[64];
	struct spa_addr a = addr("192.0.2.9"), b = addr("2001:db8:1::9"),
	    c = addr("2001:db8:2::9"), d = addr("198.51.100.9"),
	    e = addr("fd00::1");

	assert_int_equal(addr_list_parse("192.0.2.0/24, 2001:db8:1::/48,"
	    "fd00::1/128", &l, &why, bad, sizeof(bad)), 0);
	assert_int_equal(l.n, 3);
	assert_false(l.any);
	assert_true(addr_list_match(&l, &a));
	assert_true(addr_list_match(&l, &b));
	assert_true(addr_list_match(&l, &e));
	assert_false(addr_list_match(&l, &c));
	assert_false(addr_list_match(&l, &d));
	addr_list_free(&l);
	/* ANY anywhere in the list wins */
	assert_int_equal(addr_list_parse("2001:db8:1::/48, any", &l, &why, bad,
	    sizeof(bad)), 0);
	assert_true(l.any);
	assert_true(addr_list_match(&l, &c));
	assert_true(addr_list_match(&l, &d));
	addr_list_free(&l);
	/* the IPv6 entry at fault is named, whole */
	assert_int_not_equal(addr_list_parse("192.0.2.0/24, 2001:db8::/129",
	    &l, &why, bad, sizeof(bad)), 0);
	assert_string_equal(bad, "2001:db8::/129");
	assert_int_not_equal(addr_list_parse("2001:db8::1, ::ffff:192.0.2.9",
	    &l, &why, bad, sizeof(bad)), 0);
	assert_string_equal(bad, "::ffff:192.0.2.9");
	assert_non_null(strstr(why, "IPv4-mapped"));
}

/* The longest IPv6 text with a prefix fits a list entry. */
static void
list_longest_ipv6_entry(void **state)
{
	struct spa_addr_list l;
	const char *why = NULL;
	char bad[64];
	struct spa_addr a = addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");

	assert_int_equal(addr_list_parse(
	    "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.254/128", &l, &why, bad,
	    sizeof(bad)), 0);
	assert_true(addr_list_match(&l, &a));
	addr_list_free(&l);
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
		cmocka_unit_test(cidr_ipv6_prefix_edges),
		cmocka_unit_test(cidr_zero_prefix_is_ipv6_only),
		cmocka_unit_test(cidr_refuses_ipv4_mapped),
		cmocka_unit_test(v4_mapped_predicate),
		cmocka_unit_test(list_mixing_families),
		cmocka_unit_test(list_longest_ipv6_entry),
		cmocka_unit_test(list_any_matches_both_families),
		cmocka_unit_test(list_with_spaces_and_several_entries),
		cmocka_unit_test(list_reports_the_bad_entry),
		cmocka_unit_test(list_rejects_overlong_entry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
