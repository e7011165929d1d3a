/* The OPEN event's one-line form. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <string.h>

#include "event.h"

static void
sample_event(struct spa_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->stanza = 3;
	ev->type = SPA_REQ_ACCESS;
	assert_int_equal(addr_parse("10.9.9.9", &ev->allow), 0);
	assert_int_equal(addr_parse("10.0.0.2", &ev->pkt_src), 0);
	assert_int_equal(addr_parse("10.0.0.1", &ev->pkt_dst), 0);
	ev->src_port = 41234;
	ev->dst_port = 62201;
	ev->via = SPA_VIA_UDP;
	ev->nports = 2;
	ev->ports[0].proto = IPPROTO_TCP;
	ev->ports[0].port = 22;
	ev->ports[1].proto = IPPROTO_UDP;
	ev->ports[1].port = 53;
	strcpy(ev->user, "alice");
	ev->timeout = 30;
	ev->spa_time = 1795343068;
}

static void
access_event_line(void **state)
{
	struct spa_event ev;
	char line[512];

	sample_event(&ev);
	assert_true(event_format(&ev, line, sizeof(line)) > 0);
	assert_string_equal(line, "OPEN stanza=3 type=access allow=10.9.9.9 "
	    "src=10.0.0.2:41234 dst=10.0.0.1:62201 via=udp "
	    "ports=tcp/22,udp/53 user=alice timeout=30 client_timeout=0 "
	    "spa_time=1795343068");
}

static void
command_is_quoted_and_escaped(void **state)
{
	struct spa_event ev;
	char line[512];

	sample_event(&ev);
	ev.type = SPA_REQ_COMMAND;
	ev.nports = 0;
	strcpy(ev.command, "echo \"a\" \\ b; x=1");
	assert_true(event_format(&ev, line, sizeof(line)) > 0);
	assert_non_null(strstr(line, " ports=- "));
	assert_non_null(strstr(line,
	    " command=\"echo \\\"a\\\" \\\\ b; x=1\""));
}

static void
hostile_username_cannot_forge_a_key(void **state)
{
	struct spa_event ev;
	char line[512];

	sample_event(&ev);
	strcpy(ev.user, "bob timeout=99999");
	assert_true(event_format(&ev, line, sizeof(line)) > 0);
	assert_non_null(strstr(line, " user=\"bob timeout=99999\" "));
	assert_non_null(strstr(line, " timeout=30 "));
}

static void
control_bytes_are_hex_escaped(void **state)
{
	char out[64];

	event_quote("a\nb\x7f", out, sizeof(out));
	assert_string_equal(out, "\"a\\x0ab\\x7f\"");
	event_quote("", out, sizeof(out));
	assert_string_equal(out, "\"\"");
}

static void
quote_truncates_safely(void **state)
{
	char out[6];

	event_quote("\"\"\"\"\"\"", out, sizeof(out));
	assert_int_equal(strlen(out), 5);
}

static void
nat_and_ipv6_source(void **state)
{
	struct spa_event ev;
	char line[512];

	sample_event(&ev);
	ev.type = SPA_REQ_NAT_ACCESS;
	ev.has_nat = true;
	strcpy(ev.nat_host, "192.168.10.2");
	ev.nat_port = 22;
	assert_int_equal(addr_parse("2001:db8::2", &ev.pkt_src), 0);
	assert_true(event_format(&ev, line, sizeof(line)) > 0);
	assert_non_null(strstr(line, " src=[2001:db8::2]:41234 "));
	assert_non_null(strstr(line, " nat=192.168.10.2 nat_port=22"));
}

static void
short_buffer_is_reported(void **state)
{
	struct spa_event ev;
	char line[40];

	sample_event(&ev);
	assert_int_equal(event_format(&ev, line, sizeof(line)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(access_event_line),
		cmocka_unit_test(command_is_quoted_and_escaped),
		cmocka_unit_test(hostile_username_cannot_forge_a_key),
		cmocka_unit_test(control_bytes_are_hex_escaped),
		cmocka_unit_test(quote_truncates_safely),
		cmocka_unit_test(nat_and_ipv6_source),
		cmocka_unit_test(short_buffer_is_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
