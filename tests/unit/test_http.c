/*
 * SPA over HTTP: the fwknop 2.6.10 client's request and its proxy form,
 * user agents, X-Forwarded-For, and malformed requests.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "http.h"

/* URL-safe SPA text as the client sends it ('+' as '-', '/' as '_'). */
#define SPA_URL	"9mQ6Jm-7h0bTZ1Pkq_2wQ1x0k3y-Ab_cDeFgHiJkLmNoPqRsTuVwXyZ0123456789"
#define SPA_STD	"9mQ6Jm+7h0bTZ1Pkq/2wQ1x0k3y+Ab/cDeFgHiJkLmNoPqRsTuVwXyZ0123456789"

/* The request exactly as fwknop -P http writes it. */
#define CLIENT_REQ(target) \
	"GET " target " HTTP/1.0\r\nUser-Agent: Fwknop/2.6.10\r\n" \
	"Accept: */*\r\nHost: 10.231.7.1\r\nConnection: close\r\n\r\n"

static int
extract(const char *req, bool any_ua, struct http_spa *out)
{
	return http_extract(req, strlen(req), any_ua, out);
}

static void
client_request_yields_standard_base64(void **state)
{
	static const char req[] = CLIENT_REQ("/" SPA_URL);
	struct http_spa hs;

	(void)state;
	assert_true(http_is_request(req, strlen(req)));
	assert_true(http_request_complete(req, strlen(req)));
	assert_int_equal(extract(req, false, &hs), 0);
	assert_string_equal(hs.spa, SPA_STD);
	assert_int_equal(hs.len, strlen(SPA_STD));
	assert_false(hs.has_xff);
}

static void
proxy_form_accepted(void **state)
{
	static const char req[] = CLIENT_REQ("http://10.231.7.1/" SPA_URL);
	struct http_spa hs;

	(void)state;
	assert_int_equal(extract(req, false, &hs), 0);
	assert_string_equal(hs.spa, SPA_STD);
}

static void
lower_case_get_and_bare_lf(void **state)
{
	static const char req[] = "get /" SPA_URL " HTTP/1.1\n"
	    "user-agent: Fwknop/2.6.10\n\n";
	struct http_spa hs;

	(void)state;
	assert_true(http_request_complete(req, strlen(req)));
	assert_int_equal(extract(req, false, &hs), 0);
	assert_string_equal(hs.spa, SPA_STD);
}

static void
other_user_agent_needs_any_user_agent(void **state)
{
	static const char curl[] = "GET /" SPA_URL " HTTP/1.1\r\n"
	    "User-Agent: curl/7.88\r\n\r\n";
	static const char none[] = "GET /" SPA_URL " HTTP/1.1\r\n\r\n";
	struct http_spa hs;

	(void)state;
	assert_int_equal(extract(curl, false, &hs), SPA_ERR_HTTP);
	assert_int_equal(hs.len, 0);
	assert_int_equal(extract(none, false, &hs), SPA_ERR_HTTP);
	assert_int_equal(extract(curl, true, &hs), 0);
	assert_int_equal(extract(none, true, &hs), 0);
}

static void
forwarded_for_takes_leftmost_address(void **state)
{
	static const char req[] = "GET /" SPA_URL " HTTP/1.1\r\n"
	    "User-Agent: Fwknop/2.6.10\r\n"
	    "X-Forwarded-For:  203.0.113.7 , 10.0.0.1, 10.0.0.2\r\n\r\n";
	struct http_spa hs;
	char a[ADDR_STRLEN];

	(void)state;
	assert_int_equal(extract(req, false, &hs), 0);
	assert_true(hs.has_xff);
	assert_string_equal(addr_fmt(&hs.xff, a), "203.0.113.7");
}

static void
forwarded_for_ipv6_and_garbage(void **state)
{
	static const char v6[] = "GET /" SPA_URL " HTTP/1.1\r\n"
	    "User-Agent: Fwknop\r\nx-forwarded-for: 2001:db8::7\r\n\r\n";
	static const char junk[] = "GET /" SPA_URL " HTTP/1.1\r\n"
	    "User-Agent: Fwknop\r\nX-Forwarded-For: unknown, 1.2.3.4\r\n\r\n";
	struct http_spa hs;
	char a[ADDR_STRLEN];

	(void)state;
	assert_int_equal(extract(v6, false, &hs), 0);
	assert_true(hs.has_xff);
	assert_string_equal(addr_fmt(&hs.xff, a), "2001:db8::7");
	assert_int_equal(extract(junk, false, &hs), 0);
	assert_false(hs.has_xff);
}

static void
refuses_over_long_spa(void **state)
{
	char req[2200], spa[1501];
	struct http_spa hs;

	(void)state;
	memset(spa, 'A', 1500);
	spa[1500] = '\0';
	snprintf(req, sizeof(req), "GET /%s HTTP/1.0\r\nUser-Agent: Fwknop\r\n"
	    "\r\n", spa);
	assert_int_equal(extract(req, false, &hs), SPA_ERR_HTTP);
	spa[1499] = '\0';
	snprintf(req, sizeof(req), "GET /%s HTTP/1.0\r\nUser-Agent: Fwknop\r\n"
	    "\r\n", spa);
	assert_int_equal(extract(req, false, &hs), 0);
	assert_int_equal(hs.len, 1499);
}

static void
refuses_malformed_request_lines(void **state)
{
	static const char *const bad[] = {
		"GET /" SPA_URL "\r\nUser-Agent: Fwknop\r\n\r\n",
		"GET /" SPA_URL " HTTP/2.0\r\nUser-Agent: Fwknop\r\n\r\n",
		"GET /" SPA_URL " HTTP/1.0 x\r\nUser-Agent: Fwknop\r\n\r\n",
		"POST /" SPA_URL " HTTP/1.0\r\nUser-Agent: Fwknop\r\n\r\n",
		"GET " SPA_URL " HTTP/1.0\r\nUser-Agent: Fwknop\r\n\r\n",
		"GET / HTTP/1.0\r\nUser-Agent: Fwknop\r\n\r\n",
		"GET http://host" " HTTP/1.0\r\nUser-Agent: Fwknop\r\n\r\n",
		"GET /abc%2Bdef HTTP/1.0\r\nUser-Agent: Fwknop\r\n\r\n",
		"GET /abc=def HTTP/1.0\r\nUser-Agent: Fwknop\r\n\r\n",
		"GET /" SPA_URL " HTTP/1.0\r\nnot a header\r\n\r\n",
		"GET /" SPA_URL " HTTP/1.0",
		"",
	};
	struct http_spa hs;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (extract(bad[i], true, &hs) != SPA_ERR_HTTP)
			fail_msg("accepted: %s", bad[i]);
}

static void
refuses_request_over_4096_bytes(void **state)
{
	char req[5000];
	struct http_spa hs;
	size_t n;

	(void)state;
	n = (size_t)snprintf(req, sizeof(req), "GET /" SPA_URL " HTTP/1.0\r\n"
	    "User-Agent: Fwknop\r\nX-Pad: ");
	memset(req + n, 'p', sizeof(req) - n - 5);
	memcpy(req + sizeof(req) - 5, "\r\n\r\n", 5);
	assert_int_equal(extract(req, false, &hs), SPA_ERR_HTTP);
}

static void
detects_requests_and_completion(void **state)
{
	(void)state;
	assert_true(http_is_request("gEt /x", 6));
	assert_false(http_is_request("GET", 3));
	assert_false(http_is_request("9mQ6Jm+7h0bTZ1P", 15));
	assert_false(http_request_complete("GET / HTTP/1.0\r\n", 16));
	assert_false(http_request_complete("GET / HTTP/1.0\r\n\r", 17));
	assert_true(http_request_complete("GET / HTTP/1.0\r\n\r\n", 18));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(client_request_yields_standard_base64),
		cmocka_unit_test(proxy_form_accepted),
		cmocka_unit_test(lower_case_get_and_bare_lf),
		cmocka_unit_test(other_user_agent_needs_any_user_agent),
		cmocka_unit_test(forwarded_for_takes_leftmost_address),
		cmocka_unit_test(forwarded_for_ipv6_and_garbage),
		cmocka_unit_test(refuses_over_long_spa),
		cmocka_unit_test(refuses_malformed_request_lines),
		cmocka_unit_test(refuses_request_over_4096_bytes),
		cmocka_unit_test(detects_requests_and_completion),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
