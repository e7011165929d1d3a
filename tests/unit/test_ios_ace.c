/*
 * One entry, two texts (modules/cisco/ios_ace.c): what the module sent and what
 * the device lists for it canonicalise to the same words (ports by name
 * or number, "host A" or "A 0.0.0.0", upper-case IPv6, options in another
 * order, "(active)" and match counters); every shape outside what a
 * policy may hold is refused with its reason; the digest a cycle records
 * follows the canonical text; and an entry is found in a listing by its
 * exact sequence number only.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ios_parse.h"

static void
assert_canon(const char *text, bool v6, const char *want)
{
	char out[512];
	const char *why = ios_ace_canon(text, v6, out, sizeof(out));

	if (why != NULL)
		fail_msg("\"%s\": refused (%s), want \"%s\"", text, why, want);
	if (strcmp(out, want) != 0)
		fail_msg("\"%s\": \"%s\", want \"%s\"", text, out, want);
}

static void
assert_refused(const char *text, bool v6, const char *reason)
{
	char out[512];
	const char *why = ios_ace_canon(text, v6, out, sizeof(out));

	if (why == NULL)
		fail_msg("\"%s\": accepted as \"%s\"", text, out);
	if (strstr(why, reason) == NULL)
		fail_msg("\"%s\": refused (%s), want (%s)", text, why, reason);
	assert_string_equal(out, "");
}

/* --- the same entry, as sent and as listed ------------------------------- */

static void
canon_keeps_a_canonical_entry(void **state)
{
	(void)state;
	assert_canon("permit tcp host 10.0.0.1 any eq 22", false,
	    "permit tcp host 10.0.0.1 any eq 22");
	assert_canon("deny udp any host 192.0.2.1 eq 53", false,
	    "deny udp any host 192.0.2.1 eq 53");
	assert_canon("permit ip any any", false, "permit ip any any");
}

static void
canon_port_names_are_numbers(void **state)
{
	(void)state;
	assert_canon("permit tcp host 10.0.0.1 any eq www", false,
	    "permit tcp host 10.0.0.1 any eq 80");
	assert_canon("permit udp any any range 100 domain", false,
	    "permit udp any any range 100 53");
	assert_canon("permit tcp any eq telnet any", false,
	    "permit tcp any eq 23 any");
	/* a name of the other protocol is no port of this one */
	assert_refused("permit tcp any any eq tftp", false, "bad port");
}

static void
canon_addresses_as_ios_shows_them(void **state)
{
	(void)state;
	assert_canon("permit tcp 10.0.0.1 0.0.0.0 0.0.0.0 255.255.255.255 "
	    "eq 22", false, "permit tcp host 10.0.0.1 any eq 22");
	assert_canon("permit ip 10.1.2.3 0.0.0.255 any", false,
	    "permit ip 10.1.2.0 0.0.0.255 any");
	assert_canon("permit tcp host 2001:DB8::7 any eq 22", true,
	    "permit tcp host 2001:db8::7 any eq 22");
	assert_canon("permit ipv6 2001:db8:0:0::1/32 any", true,
	    "permit ipv6 2001:db8::/32 any");
	assert_canon("permit ipv6 any 2001:db8::1/127", true,
	    "permit ipv6 any 2001:db8::/127");
}

static void
canon_case_protocols_and_options(void **state)
{
	(void)state;
	assert_canon("PERMIT TCP HOST 10.0.0.1 ANY EQ 22", false,
	    "permit tcp host 10.0.0.1 any eq 22");
	assert_canon("permit 6 host 10.0.0.1 any eq 22", false,
	    "permit tcp host 10.0.0.1 any eq 22");
	assert_canon("permit 200 any any", false, "permit 200 any any");
	assert_canon("permit tcp any any eq 22 log established", false,
	    "permit tcp any any eq 22 established log");
	assert_canon("permit tcp any any time-range SPA-9 log-input", false,
	    "permit tcp any any log-input time-range SPA-9");
}

static void
canon_drops_state_and_counters(void **state)
{
	(void)state;
	assert_canon("permit tcp host 10.0.0.1 any eq 22 time-range SPA-1 "
	    "(active)", false,
	    "permit tcp host 10.0.0.1 any eq 22 time-range SPA-1");
	assert_canon("permit tcp host 10.0.0.1 any eq www (12 matches)", false,
	    "permit tcp host 10.0.0.1 any eq 80");
	assert_canon("  permit   tcp host 10.0.0.1   any eq 22  ", false,
	    "permit tcp host 10.0.0.1 any eq 22");
}

/* --- refusals -------------------------------------------------------------- */

static void
canon_refuses_what_is_not_an_entry(void **state)
{
	(void)state;
	assert_refused("remark spagate", false, "not permit or deny");
	assert_refused("", false, "ends too early");
	assert_refused("permit tcp any", false, "ends too early");
	assert_refused("permit tcp host", false, "ends too early");
	assert_refused("permit tcp any any eq", false, "ends too early");
	assert_refused("permit t;p any any", false, "bad protocol");
}

static void
canon_refuses_bad_addresses(void **state)
{
	(void)state;
	assert_refused("permit tcp host 10.0.0 any", false, "bad IPv4");
	assert_refused("permit tcp 10.0.0.1 any any", false, "bad IPv4");
	assert_refused("permit tcp host 0x0a.0.0.1 any", false, "bad IPv4");
	assert_refused("permit tcp host 2001:db8::1 any", false, "bad IPv4");
	assert_refused("permit tcp host 2001:db8::1/64 any", true, "bad IPv6");
	assert_refused("permit tcp 2001:db8::1 any", true, "bad IPv6");
	assert_refused("permit tcp 2001:db8::/129 any", true, "bad IPv6");
	assert_refused("permit tcp host fe80::1%eth0 any", true, "bad IPv6");
	assert_refused("permit tcp host 10.0.0.1 any", true, "bad IPv6");
}

static void
canon_refuses_options_it_cannot_compare(void **state)
{
	(void)state;
	assert_refused("permit ip any any eq 22", false, "option");
	assert_refused("permit tcp any any dscp ef", false, "option");
	assert_refused("permit tcp any any log log", false, "option");
	assert_refused("permit tcp any any log eq 22", false, "option");
	assert_refused("permit udp any any established", false, "option");
	assert_refused("permit tcp any any eq 65536", false, "bad port");
	assert_refused("permit tcp any any eq -1", false, "bad port");
}

static void
canon_refuses_too_much(void **state)
{
	char text[600], out[16];
	size_t i;

	(void)state;
	snprintf(text, sizeof(text), "permit tcp any any");
	for (i = 0; i < 60; i++)
		strcat(text, " log");
	assert_refused(text, false, "too many words");
	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	assert_refused(text, false, "too long");
	assert_non_null(ios_ace_canon("permit tcp host 10.0.0.1 any eq 22",
	    false, out, sizeof(out)));
}

/* --- the digest ------------------------------------------------------------ */

static void
digest_of_the_canonical_text(void **state)
{
	char a[IOS_DIGEST_HEX + 1], b[IOS_DIGEST_HEX + 1];

	(void)state;
	assert_int_equal(ios_ace_digest("permit tcp host 10.0.0.1 any eq 22",
	    false, a, sizeof(a)), 0);
	/* SHA-256("permit tcp host 10.0.0.1 any eq 22"), 12 bytes */
	assert_string_equal(a, "fcbda33a17cfab6651125c8d");
	assert_int_equal(ios_ace_digest("permit tcp 10.0.0.1 0.0.0.0 any eq 22 "
	    "(3 matches)", false, b, sizeof(b)), 0);
	assert_string_equal(a, b);
	assert_int_equal(ios_ace_digest("permit tcp host 10.0.0.1 any eq 23",
	    false, b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(ios_ace_digest("permit tcp any any dscp ef", false, b,
	    sizeof(b)), -1);
	assert_int_equal(ios_ace_digest("permit ip any any", false, b,
	    IOS_DIGEST_HEX), -1);
}

/* --- finding an entry in a listing ---------------------------------------- */

static const char listing4[] =
    "EDGE1#show ip access-lists SPA-IN | include ^ +10007 [pd]\n"
    "Extended IP access list SPA-IN\n"
    "    100070 deny ip any any\n"
    "    10007 permit tcp host 10.0.0.1 any eq 22 time-range SPA-10007 "
    "(active)\n"
    "    10008 permit tcp host 10.0.0.2 any eq 22\n"
    "EDGE1#";

static const char listing6[] =
    "EDGE1#show ipv6 access-list SPA6 | include sequence 10$\n"
    "IPv6 access list SPA6\n"
    "    permit tcp host 2001:DB8::7 any eq 22 sequence 100\n"
    "    permit tcp host 2001:DB8::8 any eq 22 (active) sequence 10\n"
    "EDGE1#";

static void
entry_found_by_its_exact_number(void **state)
{
	char ace[256];

	(void)state;
	assert_int_equal(ios_acl_entry(listing4, 10007, false, ace,
	    sizeof(ace)), 1);
	assert_string_equal(ace, "permit tcp host 10.0.0.1 any eq 22 "
	    "time-range SPA-10007 (active)");
	assert_int_equal(ios_acl_entry(listing4, 100070, false, ace,
	    sizeof(ace)), 1);
	assert_string_equal(ace, "deny ip any any");
	assert_int_equal(ios_acl_entry(listing4, 1000, false, ace,
	    sizeof(ace)), 0);
	assert_int_equal(ios_acl_entry(listing4, 7, false, ace,
	    sizeof(ace)), 0);
	assert_string_equal(ace, "");
}

static void
entry_ipv6_by_its_sequence_word(void **state)
{
	char ace[256];

	(void)state;
	assert_int_equal(ios_acl_entry(listing6, 10, true, ace,
	    sizeof(ace)), 1);
	assert_string_equal(ace, "permit tcp host 2001:DB8::8 any eq 22 "
	    "(active)");
	assert_int_equal(ios_acl_entry(listing6, 100, true, ace,
	    sizeof(ace)), 1);
	assert_int_equal(ios_acl_entry(listing6, 1, true, ace,
	    sizeof(ace)), 0);
	/* the IPv4 shape is not read in an IPv6 listing, nor the reverse */
	assert_int_equal(ios_acl_entry(listing4, 10007, true, ace,
	    sizeof(ace)), 0);
	assert_int_equal(ios_acl_entry(listing6, 10, false, ace,
	    sizeof(ace)), 0);
}

static void
entry_not_found_in_other_lines(void **state)
{
	char ace[256], small[8];

	(void)state;
	/* the echo, headers, a prompt, an error: never an entry */
	assert_int_equal(ios_acl_entry("10 permit ip any any\n"
	    "% Invalid input detected at '^' marker.\n10\n    10\n"
	    "    10permit ip any any\nEDGE1#", 10, false, ace, sizeof(ace)), 0);
	assert_int_equal(ios_acl_entry("", 10, false, ace, sizeof(ace)), 0);
	/* an entry too long for the buffer is not taken in part */
	assert_int_equal(ios_acl_entry(listing4, 10008, false, small,
	    sizeof(small)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(canon_keeps_a_canonical_entry),
		cmocka_unit_test(canon_port_names_are_numbers),
		cmocka_unit_test(canon_addresses_as_ios_shows_them),
		cmocka_unit_test(canon_case_protocols_and_options),
		cmocka_unit_test(canon_drops_state_and_counters),
		cmocka_unit_test(canon_refuses_what_is_not_an_entry),
		cmocka_unit_test(canon_refuses_bad_addresses),
		cmocka_unit_test(canon_refuses_options_it_cannot_compare),
		cmocka_unit_test(canon_refuses_too_much),
		cmocka_unit_test(digest_of_the_canonical_text),
		cmocka_unit_test(entry_found_by_its_exact_number),
		cmocka_unit_test(entry_ipv6_by_its_sequence_word),
		cmocka_unit_test(entry_not_found_in_other_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
