/*
 * SPA over HTTP: the fwknop 2.6.10 client's own requests (the one recorded
 * in spec/vectors/44-http-transport.vec and the ones captured on the wire in
 * tests/vectors/pcap/, direct and through a proxy), then each accepted
 * variant and each refusal of a malformed request.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "frame.h"
#include "helpers.h"
#include "http.h"

/* URL-safe SPA text as the client sends it ('+' as '-', '/' as '_'). */
#define SPA_URL	"9mQ6Jm-7h0bTZ1Pkq_2wQ1x0k3y-Ab_cDeFgHiJkLmNoPqRsTuVwXyZ0123456789"
#define SPA_STD	"9mQ6Jm+7h0bTZ1Pkq/2wQ1x0k3y+Ab/cDeFgHiJkLmNoPqRsTuVwXyZ0123456789"

/* A request shaped exactly as fwknop -P http writes it. */
#define CLIENT_REQ(target) \
	"GET " target " HTTP/1.0\r\nUser-Agent: Fwknop/2.6.10\r\n" \
	"Accept: */*\r\nHost: 10.231.7.1\r\nConnection: close\r\n\r\n"

/* Request line and User-Agent, then `headers` and the empty line. */
#define REQ_WITH(headers) \
	"GET /" SPA_URL " HTTP/1.1\r\nUser-Agent: Fwknop/2.6.10\r\n" \
	headers "\r\n"

static int
extract(const char *req, bool any_ua, struct http_spa *out)
{
	return http_extract(req, strlen(req), any_ua, out);
}

static void
assert_extracts(const char *req, bool any_ua)
{
	struct http_spa hs;

	assert_int_equal(extract(req, any_ua, &hs), 0);
	assert_string_equal(hs.spa, SPA_STD);
	assert_int_equal(hs.len, strlen(SPA_STD));
}

/* Refused even with any_user_agent, and nothing is left in *out. */
static void
assert_refused(const char *req)
{
	static const struct http_spa zero;
	struct http_spa hs;

	memset(&hs, 0x5a, sizeof(hs));
	assert_int_equal(extract(req, true, &hs), SPA_ERR_HTTP);
	assert_memory_equal(&hs, &zero, sizeof(hs));
}

/* Value of "key: " in a .vec file, "\r" and "\n" escapes undone. */
static char *
vec_field(const char *vec, const char *key)
{
	const char *p = vec, *end;
	char *out, *o;
	size_t klen = strlen(key);

	while (p != NULL && !(strncmp(p, key, klen) == 0 && p[klen] == ':'))
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	assert_non_null(p);
	p += klen + 2;
	end = strchr(p, '\n');
	assert_non_null(end);
	assert_non_null(o = out = calloc(1, (size_t)(end - p) + 1));
	for (; p < end; p++) {
		if (p[0] == '\\' && p + 1 < end && (p[1] == 'r' || p[1] == 'n'))
			*o++ = *++p == 'r' ? '\r' : '\n';
		else
			*o++ = *p;
	}
	return out;
}

/* --- the real client ------------------------------------------------------ */

static void
client_request_from_vector_yields_saved_packet(void **state)
{
	char *path, *vec, *req, *packet;
	struct http_spa hs;

	(void)state;
	path = th_srcpath("spec/vectors/44-http-transport.vec");
	assert_non_null(vec = th_slurp(path, NULL));
	req = vec_field(vec, "http_request");
	packet = vec_field(vec, "packet");
	assert_true(http_is_request(req, strlen(req)));
	assert_true(http_request_complete(req, strlen(req)));
	assert_int_equal(extract(req, false, &hs), 0);
	assert_string_equal(hs.spa, packet);
	assert_int_equal(hs.len, strlen(packet));
	assert_false(hs.has_xff);
	free(packet);
	free(req);
	free(vec);
	free(path);
}

/* The request in the one data-carrying frame of a capture, as the sniffer
 * would hand it over, yields the packet the client saved. */
static void
check_capture(const char *name, const char *target_prefix)
{
	char errbuf[PCAP_ERRBUF_SIZE], rel[128], *path = NULL, *spa = NULL;
	struct pcap_pkthdr *h;
	const u_char *bytes;
	const uint8_t *p;
	struct pkt_info info;
	struct http_spa hs;
	pcap_t *pc;
	size_t n;
	int requests = 0;

	snprintf(rel, sizeof(rel), "tests/vectors/pcap/%s.spa", name);
	path = th_srcpath(rel);
	assert_non_null(spa = th_slurp(path, NULL));
	free(path);
	snprintf(rel, sizeof(rel), "tests/vectors/pcap/%s.pcap", name);
	path = th_srcpath(rel);
	if ((pc = pcap_open_offline(path, errbuf)) == NULL)
		fail_msg("%s: %s", path, errbuf);
	while (pcap_next_ex(pc, &h, &bytes) == 1) {
		assert_int_equal(frame_payload(pcap_datalink(pc), bytes,
		    h->caplen, &info, &p, &n), 0);
		if (n == 0)
			continue;
		requests++;
		assert_int_equal(strncmp((const char *)p, target_prefix,
		    strlen(target_prefix)), 0);
		assert_true(http_is_request((const char *)p, n));
		assert_true(http_request_complete((const char *)p, n));
		assert_int_equal(http_extract((const char *)p, n, false, &hs),
		    0);
		assert_string_equal(hs.spa, spa);
		assert_false(hs.has_xff);
	}
	assert_int_equal(requests, 1);
	pcap_close(pc);
	free(path);
	free(spa);
}

static void
client_request_captured_on_the_wire(void **state)
{
	(void)state;
	check_capture("sll2-http", "GET /");
}

static void
client_proxy_request_captured_on_the_wire(void **state)
{
	(void)state;
	check_capture("lo-http-proxy", "GET http://127.0.0.1/");
}

/* --- accepted variants ---------------------------------------------------- */

static void
client_shaped_request_translates_alphabet(void **state)
{
	(void)state;
	assert_extracts(CLIENT_REQ("/" SPA_URL), false);
}

static void
proxy_form_accepted(void **state)
{
	(void)state;
	assert_extracts(CLIENT_REQ("http://10.231.7.1/" SPA_URL), false);
	assert_extracts(CLIENT_REQ("HTTP://spa.example:8080/" SPA_URL), false);
}

static void
lower_case_get_accepted(void **state)
{
	(void)state;
	assert_extracts("get /" SPA_URL " HTTP/1.0\r\n"
	    "User-Agent: Fwknop/2.6.10\r\n\r\n", false);
}

static void
http_1_1_accepted(void **state)
{
	(void)state;
	assert_extracts(REQ_WITH(""), false);
}

static void
bare_lf_line_ends_accepted(void **state)
{
	static const char req[] = "GET /" SPA_URL " HTTP/1.0\n"
	    "User-Agent: Fwknop/2.6.10\nHost: x\n\n";

	(void)state;
	assert_true(http_request_complete(req, strlen(req)));
	assert_extracts(req, false);
}

static void
standard_alphabet_passes_through(void **state)
{
	(void)state;
	assert_extracts("GET /" SPA_STD " HTTP/1.0\r\n"
	    "User-Agent: Fwknop\r\n\r\n", false);
}

static void
longest_spa_accepted(void **state)
{
	char req[1700], spa[1500];
	struct http_spa hs;

	(void)state;
	memset(spa, 'A', 1499);
	spa[1499] = '\0';
	snprintf(req, sizeof(req), "GET /%s HTTP/1.0\r\nUser-Agent: Fwknop\r\n"
	    "\r\n", spa);
	assert_int_equal(extract(req, false, &hs), 0);
	assert_int_equal(hs.len, 1499);
	assert_string_equal(hs.spa, spa);
}

/* What follows the header block is not looked at. */
static void
bytes_after_header_block_ignored(void **state)
{
	(void)state;
	assert_extracts(REQ_WITH("") "\x01\x02 not a header", false);
}

/* --- User-Agent ----------------------------------------------------------- */

static void
user_agent_name_case_insensitive_value_trimmed(void **state)
{
	(void)state;
	assert_extracts("GET /" SPA_URL " HTTP/1.0\r\n"
	    "user-AGENT:\t Fwknop/2.6.11 \r\n\r\n", false);
}

static void
refuses_missing_user_agent(void **state)
{
	struct http_spa hs;

	(void)state;
	assert_int_equal(extract("GET /" SPA_URL " HTTP/1.1\r\nHost: x\r\n\r\n",
	    false, &hs), SPA_ERR_HTTP);
}

static void
refuses_other_user_agent(void **state)
{
	struct http_spa hs;

	(void)state;
	assert_int_equal(extract("GET /" SPA_URL " HTTP/1.1\r\n"
	    "User-Agent: curl/7.88\r\n\r\n", false, &hs), SPA_ERR_HTTP);
	assert_int_equal(hs.len, 0);
}

/* fwknopd compares "Fwknop" case-sensitively; so do we. */
static void
refuses_lower_case_fwknop_user_agent(void **state)
{
	struct http_spa hs;

	(void)state;
	assert_int_equal(extract("GET /" SPA_URL " HTTP/1.1\r\n"
	    "User-Agent: fwknop/2.6.10\r\n\r\n", false, &hs), SPA_ERR_HTTP);
}

/* "Fwknop" elsewhere than in a User-Agent value does not count. */
static void
refuses_fwknop_outside_user_agent(void **state)
{
	struct http_spa hs;

	(void)state;
	assert_int_equal(extract("GET /" SPA_URL " HTTP/1.1\r\n"
	    "X-Agent: Fwknop\r\nUser-Agent: curl Fwknop\r\n\r\n", false, &hs),
	    SPA_ERR_HTTP);
}

static void
any_user_agent_accepts_other_and_missing(void **state)
{
	(void)state;
	assert_extracts("GET /" SPA_URL " HTTP/1.1\r\n"
	    "User-Agent: curl/7.88\r\n\r\n", true);
	assert_extracts("GET /" SPA_URL " HTTP/1.1\r\n\r\n", true);
}

/* --- X-Forwarded-For ------------------------------------------------------ */

static void
assert_xff(const char *req, const char *want)
{
	struct http_spa hs;
	char a[ADDR_STRLEN];

	assert_int_equal(extract(req, false, &hs), 0);
	if (want == NULL) {
		assert_false(hs.has_xff);
		return;
	}
	assert_true(hs.has_xff);
	assert_string_equal(addr_fmt(&hs.xff, a), want);
}

static void
forwarded_for_ipv4(void **state)
{
	(void)state;
	assert_xff(REQ_WITH("X-Forwarded-For: 203.0.113.7\r\n"), "203.0.113.7");
}

static void
forwarded_for_list_takes_leftmost_trimmed(void **state)
{
	(void)state;
	assert_xff(REQ_WITH("x-forwarded-for: \t203.0.113.7 , 10.0.0.1,10.0.0.2"
	    "\r\n"), "203.0.113.7");
}

static void
forwarded_for_ipv6(void **state)
{
	(void)state;
	assert_xff(REQ_WITH("X-Forwarded-For: 2001:db8::7, 192.0.2.1\r\n"),
	    "2001:db8::7");
}

static void
forwarded_for_garbage_ignored(void **state)
{
	(void)state;
	assert_xff(REQ_WITH("X-Forwarded-For: unknown, 1.2.3.4\r\n"), NULL);
	assert_xff(REQ_WITH("X-Forwarded-For: 1.2.3.4:5678\r\n"), NULL);
	assert_xff(REQ_WITH("X-Forwarded-For: 1.2.3\r\n"), NULL);
	assert_xff(REQ_WITH("X-Forwarded-For: \r\n"), NULL);
	assert_xff(REQ_WITH("X-Forwarded-For: ,1.2.3.4\r\n"), NULL);
	assert_xff(REQ_WITH("X-Forwarded-For: 1.2.3.4.example.com\r\n"), NULL);
}

/* A second header continues the list: its entries are not the leftmost. */
static void
forwarded_for_only_first_header_counts(void **state)
{
	(void)state;
	assert_xff(REQ_WITH("X-Forwarded-For: 192.0.2.1\r\n"
	    "X-Forwarded-For: 192.0.2.2\r\n"), "192.0.2.1");
	assert_xff(REQ_WITH("X-Forwarded-For: nonsense\r\n"
	    "X-Forwarded-For: 192.0.2.2\r\n"), NULL);
}

static void
forwarded_for_with_nul_ignored(void **state)
{
	static const char req[] = REQ_WITH("X-Forwarded-For: 192.0.2.1\0x\r\n");
	struct http_spa hs;

	(void)state;
	assert_int_equal(http_extract(req, sizeof(req) - 1, false, &hs), 0);
	assert_false(hs.has_xff);
}

/* --- refusals ------------------------------------------------------------- */

static void
refuses_over_long_spa(void **state)
{
	char req[1700], spa[1501];

	(void)state;
	memset(spa, 'A', 1500);
	spa[1500] = '\0';
	snprintf(req, sizeof(req), "GET /%s HTTP/1.0\r\nUser-Agent: Fwknop\r\n"
	    "\r\n", spa);
	assert_refused(req);
}

static void
refuses_missing_version(void **state)
{
	(void)state;
	assert_refused("GET /" SPA_URL "\r\nUser-Agent: Fwknop\r\n\r\n");
	assert_refused("GET /" SPA_URL " \r\nUser-Agent: Fwknop\r\n\r\n");
}

static void
refuses_other_version(void **state)
{
	(void)state;
	assert_refused("GET /" SPA_URL " HTTP/2.0\r\nUser-Agent: Fwknop\r\n\r\n");
	assert_refused("GET /" SPA_URL " http/1.0\r\nUser-Agent: Fwknop\r\n\r\n");
	assert_refused("GET /" SPA_URL " HTTP/1.01\r\nUser-Agent: Fwknop\r\n\r\n");
}

static void
refuses_text_after_version(void **state)
{
	(void)state;
	assert_refused("GET /" SPA_URL " HTTP/1.0 x\r\nUser-Agent: Fwknop\r\n"
	    "\r\n");
}

static void
refuses_other_method(void **state)
{
	(void)state;
	assert_refused("POST /" SPA_URL " HTTP/1.0\r\nUser-Agent: Fwknop\r\n"
	    "\r\n");
	assert_refused("GETX /" SPA_URL " HTTP/1.0\r\nUser-Agent: Fwknop\r\n"
	    "\r\n");
}

static void
refuses_target_without_slash(void **state)
{
	(void)state;
	assert_refused("GET " SPA_URL " HTTP/1.0\r\nUser-Agent: Fwknop\r\n\r\n");
}

static void
refuses_empty_spa(void **state)
{
	(void)state;
	assert_refused("GET / HTTP/1.0\r\nUser-Agent: Fwknop\r\n\r\n");
	assert_refused("GET http://host/ HTTP/1.0\r\nUser-Agent: Fwknop\r\n\r\n");
}

static void
refuses_proxy_form_without_path(void **state)
{
	(void)state;
	assert_refused("GET http://host HTTP/1.0\r\nUser-Agent: Fwknop\r\n\r\n");
}

static void
refuses_proxy_form_with_empty_authority(void **state)
{
	(void)state;
	assert_refused("GET http:///" SPA_URL " HTTP/1.0\r\n"
	    "User-Agent: Fwknop\r\n\r\n");
}

/* The SPA runs to the first space, so an authority cannot hold one. */
static void
refuses_space_in_target(void **state)
{
	(void)state;
	assert_refused("GET http://a b/" SPA_URL " HTTP/1.0\r\n"
	    "User-Agent: Fwknop\r\n\r\n");
	assert_refused("GET /" SPA_URL " " SPA_URL " HTTP/1.0\r\n"
	    "User-Agent: Fwknop\r\n\r\n");
}

static void
refuses_percent_encoding(void **state)
{
	(void)state;
	assert_refused("GET /abc%2Bdef HTTP/1.0\r\nUser-Agent: Fwknop\r\n\r\n");
}

/* The client strips '=' padding; a query or padding is not its packet. */
static void
refuses_padding_and_query(void **state)
{
	(void)state;
	assert_refused("GET /abcdef== HTTP/1.0\r\nUser-Agent: Fwknop\r\n\r\n");
	assert_refused("GET /abc?def HTTP/1.0\r\nUser-Agent: Fwknop\r\n\r\n");
}

static void
refuses_nul_in_spa(void **state)
{
	static const char req[] = "GET /abc\0def HTTP/1.0\r\n"
	    "User-Agent: Fwknop\r\n\r\n";
	struct http_spa hs;

	(void)state;
	assert_int_equal(http_extract(req, sizeof(req) - 1, true, &hs),
	    SPA_ERR_HTTP);
}

static void
refuses_header_line_without_colon(void **state)
{
	(void)state;
	assert_refused("GET /" SPA_URL " HTTP/1.0\r\nnot a header\r\n\r\n");
}

static void
refuses_bad_header_name(void **state)
{
	(void)state;
	assert_refused("GET /" SPA_URL " HTTP/1.0\r\nUser Agent: Fwknop\r\n\r\n");
	assert_refused("GET /" SPA_URL " HTTP/1.0\r\n: Fwknop\r\n\r\n");
	assert_refused("GET /" SPA_URL " HTTP/1.0\r\n User-Agent: Fwknop\r\n"
	    "\r\n");
}

static void
refuses_unterminated_header_block(void **state)
{
	(void)state;
	assert_refused("GET /" SPA_URL " HTTP/1.0\r\nUser-Agent: Fwknop\r\n");
	assert_refused("GET /" SPA_URL " HTTP/1.0\r\nUser-Agent: Fwknop");
	assert_refused("GET /" SPA_URL " HTTP/1.0");
}

static void
refuses_request_over_4096_bytes(void **state)
{
	char req[4098];
	size_t n;

	(void)state;
	n = (size_t)snprintf(req, sizeof(req), "GET /" SPA_URL " HTTP/1.0\r\n"
	    "User-Agent: Fwknop\r\nX-Pad: ");
	memset(req + n, 'p', sizeof(req) - n - 5);
	memcpy(req + sizeof(req) - 5, "\r\n\r\n", 5);
	assert_int_equal(strlen(req), 4097);
	assert_refused(req);
	/* one byte less is a request like any other */
	memcpy(req + sizeof(req) - 6, "\r\n\r\n", 5);
	assert_extracts(req, false);
}

static void
refuses_junk(void **state)
{
	static const char *const junk[] = {
		"",
		"\r\n\r\n",
		"GET",
		"GET /",
		SPA_STD,
		"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
		"GET /\xff\xfe HTTP/1.0\r\nUser-Agent: Fwknop\r\n\r\n",
		"SSH-2.0-OpenSSH_9.2\r\n\r\n",
	};
	uint8_t buf[512];
	uint32_t x = 0x12345678;
	size_t i, j;
	struct http_spa hs;

	(void)state;
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		assert_refused(junk[i]);
	for (i = 0; i < 1000; i++) {		/* xorshift noise */
		for (j = 0; j < sizeof(buf); j++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[j] = (uint8_t)x;
		}
		assert_int_equal(http_extract((const char *)buf, i % sizeof(buf),
		    true, &hs), SPA_ERR_HTTP);
	}
}

/* --- detection ------------------------------------------------------------ */

static void
detects_both_request_forms(void **state)
{
	(void)state;
	assert_true(http_is_request("gEt /x", 6));
	assert_true(http_is_request("GET http://h/x", 14));
	assert_true(http_is_request("get HTTP://h/x", 14));
	assert_false(http_is_request("GET", 3));
	assert_false(http_is_request("GET http:/", 10));
	assert_false(http_is_request("GET x", 5));
	assert_false(http_is_request("9mQ6Jm+7h0bTZ1P", 15));
}

static void
detects_end_of_header_block(void **state)
{
	(void)state;
	assert_false(http_request_complete("", 0));
	assert_false(http_request_complete("GET / HTTP/1.0\r\n", 16));
	assert_false(http_request_complete("GET / HTTP/1.0\r\n\r", 17));
	assert_true(http_request_complete("GET / HTTP/1.0\r\n\r\n", 18));
	assert_true(http_request_complete("GET / HTTP/1.0\n\n", 16));
	assert_true(http_request_complete("GET / HTTP/1.0\r\nA: b\n\r\n", 24));
	/* the length bounds the search, not a NUL */
	assert_false(http_request_complete("GET / HTTP/1.0\r\n\r\n", 17));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(client_request_from_vector_yields_saved_packet),
		cmocka_unit_test(client_request_captured_on_the_wire),
		cmocka_unit_test(client_proxy_request_captured_on_the_wire),
		cmocka_unit_test(client_shaped_request_translates_alphabet),
		cmocka_unit_test(proxy_form_accepted),
		cmocka_unit_test(lower_case_get_accepted),
		cmocka_unit_test(http_1_1_accepted),
		cmocka_unit_test(bare_lf_line_ends_accepted),
		cmocka_unit_test(standard_alphabet_passes_through),
		cmocka_unit_test(longest_spa_accepted),
		cmocka_unit_test(bytes_after_header_block_ignored),
		cmocka_unit_test(user_agent_name_case_insensitive_value_trimmed),
		cmocka_unit_test(refuses_missing_user_agent),
		cmocka_unit_test(refuses_other_user_agent),
		cmocka_unit_test(refuses_lower_case_fwknop_user_agent),
		cmocka_unit_test(refuses_fwknop_outside_user_agent),
		cmocka_unit_test(any_user_agent_accepts_other_and_missing),
		cmocka_unit_test(forwarded_for_ipv4),
		cmocka_unit_test(forwarded_for_list_takes_leftmost_trimmed),
		cmocka_unit_test(forwarded_for_ipv6),
		cmocka_unit_test(forwarded_for_garbage_ignored),
		cmocka_unit_test(forwarded_for_only_first_header_counts),
		cmocka_unit_test(forwarded_for_with_nul_ignored),
		cmocka_unit_test(refuses_over_long_spa),
		cmocka_unit_test(refuses_missing_version),
		cmocka_unit_test(refuses_other_version),
		cmocka_unit_test(refuses_text_after_version),
		cmocka_unit_test(refuses_other_method),
		cmocka_unit_test(refuses_target_without_slash),
		cmocka_unit_test(refuses_empty_spa),
		cmocka_unit_test(refuses_proxy_form_without_path),
		cmocka_unit_test(refuses_proxy_form_with_empty_authority),
		cmocka_unit_test(refuses_space_in_target),
		cmocka_unit_test(refuses_percent_encoding),
		cmocka_unit_test(refuses_padding_and_query),
		cmocka_unit_test(refuses_nul_in_spa),
		cmocka_unit_test(refuses_header_line_without_colon),
		cmocka_unit_test(refuses_bad_header_name),
		cmocka_unit_test(refuses_unterminated_header_block),
		cmocka_unit_test(refuses_request_over_4096_bytes),
		cmocka_unit_test(refuses_junk),
		cmocka_unit_test(detects_both_request_forms),
		cmocka_unit_test(detects_end_of_header_block),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
