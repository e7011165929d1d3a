/*
 * Stanza matching: packets built with the test encoder against policies
 * parsed from access.conf text, one behaviour per test.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "access_int.h"
#include "bad_fields.h"
#include "err.h"
#include "age_log.h"
#include "policy.h"
#include "spa_encode.h"

#define NOW		1795343068
#define KEY_A		"secret-key-alpha"
#define HMAC_A		"hmac-key-alpha-0123456789"
#define KEY_B		"secret-key-bravo"
#define HMAC_B		"hmac-key-bravo-0123456789"

#define STANZA(src, key, hmac, extra)					\
	"SOURCE " src "\n"						\
	"KEY " key "\n"							\
	"HMAC_KEY " hmac "\n" extra "\n"

/* One policy, one packet, one answer. */
struct case_ {
	struct access_conf	*conf;
	struct policy_opts	 opts;
	struct pkt_info		 pkt;
	struct spa_enc		 enc;
	struct spa_event	 ev;
	struct policy_result	 res;
	char			 wire[SPA_ENC_MAX];
	size_t			 len;
	char			 why[256];	/* policy_explain's */
};

static void
load_policy(struct case_ *c, const char *text)
{
	struct access_error err;

	memset(&err, 0, sizeof(err));
	if (access_load_buffer("test.conf", text, strlen(text), &c->conf,
	    &err) != 0)
		fail_msg("policy refused: %s", err.text);
	assert_int_equal(policy_prepare(c->conf), 0);
}

/* A client-like packet from 192.0.2.10 to 198.51.100.1, keys A. */
static void
case_init(struct case_ *c, const char *policy)
{
	memset(c, 0, sizeof(*c));
	load_policy(c, policy);
	c->opts.max_packet_age = 120;
	assert_int_equal(addr_parse("192.0.2.10", &c->pkt.src), 0);
	assert_int_equal(addr_parse("198.51.100.1", &c->pkt.dst), 0);
	c->pkt.sport = 40000;
	c->pkt.dport = 62201;
	c->pkt.proto = IPPROTO_UDP;
	c->enc.user = "alice";
	c->enc.timestamp = NOW;
	c->enc.type = SPA_REQ_ACCESS;
	c->enc.message = "192.0.2.10,tcp/22";
	c->enc.mode = SPA_MODE_CBC;
	c->enc.key = (const uint8_t *)KEY_A;
	c->enc.key_len = strlen(KEY_A);
	c->enc.hmac_type = SPA_DIGEST_SHA256;
	c->enc.hmac_key = (const uint8_t *)HMAC_A;
	c->enc.hmac_key_len = strlen(HMAC_A);
}

static void
use_keys_b(struct case_ *c)
{
	c->enc.key = (const uint8_t *)KEY_B;
	c->enc.key_len = strlen(KEY_B);
	c->enc.hmac_key = (const uint8_t *)HMAC_B;
	c->enc.hmac_key_len = strlen(HMAC_B);
}

static int
case_match_at(struct case_ *c, int64_t now_s, const struct spa_addr *xff)
{
	struct policy_input in;

	assert_int_equal(spa_enc_packet(&c->enc, c->wire, sizeof(c->wire),
	    &c->len), 0);
	memset(&in, 0, sizeof(in));
	in.pkt = &c->pkt;
	in.via = SPA_VIA_UDP;
	in.wire = c->wire;
	in.len = c->len;
	in.now_s = now_s;
	in.xff = xff;
	return policy_match(c->conf, &c->opts, &in, &c->ev, &c->res);
}

static int
case_match(struct case_ *c)
{
	return case_match_at(c, NOW, NULL);
}

static void
case_free(struct case_ *c)
{
	policy_release(c->conf);
	access_free(c->conf);
}

static void
assert_addr(const struct spa_addr *a, const char *text)
{
	char buf[ADDR_STRLEN];

	assert_string_equal(addr_fmt(a, buf), text);
}

static void
grants_and_fills_the_event(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, "FW_ACCESS_TIMEOUT 45"));
	c.enc.message = "192.0.2.10,tcp/22,udp/53";
	assert_int_equal(case_match(&c), 0);
	assert_int_equal(c.res.reason, 0);
	assert_true(c.res.authenticated);
	assert_int_equal(c.ev.stanza, 1);
	assert_int_equal(c.ev.type, SPA_REQ_ACCESS);
	assert_addr(&c.ev.allow, "192.0.2.10");
	assert_addr(&c.ev.pkt_src, "192.0.2.10");
	assert_addr(&c.ev.pkt_dst, "198.51.100.1");
	assert_int_equal(c.ev.src_port, 40000);
	assert_int_equal(c.ev.dst_port, 62201);
	assert_int_equal(c.ev.nports, 2);
	assert_int_equal(c.ev.ports[0].proto, IPPROTO_TCP);
	assert_int_equal(c.ev.ports[0].port, 22);
	assert_int_equal(c.ev.ports[1].proto, IPPROTO_UDP);
	assert_int_equal(c.ev.ports[1].port, 53);
	assert_string_equal(c.ev.user, "alice");
	assert_int_equal(c.ev.timeout, 45);
	assert_int_equal(c.ev.client_timeout, 0);
	assert_int_equal(c.ev.spa_time, NOW);
	case_free(&c);
}

static void
refuses_source_outside_every_stanza(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("10.0.0.0/8, 172.16.0.0/12", KEY_A, HMAC_A, ""));
	assert_int_equal(case_match(&c), SPA_ERR_NO_SOURCE);
	assert_int_equal(c.res.tried, 0);
	assert_false(c.res.authenticated);
	case_free(&c);
}

static void
refuses_wrong_keys_with_hmac_error(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, ""));
	use_keys_b(&c);
	assert_int_equal(case_match(&c), SPA_ERR_HMAC);
	assert_false(c.res.authenticated);
	case_free(&c);
}

/* Each stanza is tried with its own keys. */
static void
tries_every_stanza_with_its_own_keys(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, "")
	    STANZA("192.0.2.0/24", KEY_B, HMAC_B, ""));
	use_keys_b(&c);
	assert_int_equal(case_match(&c), 0);
	assert_int_equal(c.ev.stanza, 2);
	assert_int_equal(c.res.tried, 2);
	case_free(&c);
}

/* A stanza whose key opens the packet but whose checks fail is passed over. */
static void
first_fully_passing_stanza_wins(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, "OPEN_PORTS tcp/443")
	    STANZA("ANY", KEY_A, HMAC_A, "OPEN_PORTS tcp/22")
	    STANZA("ANY", KEY_A, HMAC_A, ""));
	assert_int_equal(case_match(&c), 0);
	assert_int_equal(c.ev.stanza, 2);
	assert_int_equal(c.res.tried, 2);
	case_free(&c);
}

/* The reason logged is the one of the stanza that got furthest. */
static void
reports_reason_of_furthest_stanza(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_B, HMAC_B, "")
	    STANZA("ANY", KEY_A, HMAC_A, "OPEN_PORTS tcp/443")
	    STANZA("ANY", KEY_B, HMAC_B, ""));
	assert_int_equal(case_match(&c), SPA_ERR_PORTS);
	assert_non_null(c.res.stanza);
	assert_int_equal(c.res.stanza->number, 2);
	assert_true(c.res.authenticated);
	assert_int_equal(c.res.tried, 3);
	case_free(&c);
}

/* fwknopd only checks the first requested port; every one counts here. */
static void
refuses_when_any_port_is_not_open(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, "OPEN_PORTS tcp/22, udp/53"));
	c.enc.message = "192.0.2.10,tcp/22,tcp/23";
	assert_int_equal(case_match(&c), SPA_ERR_PORTS);
	case_free(&c);
}

static void
refuses_when_any_port_is_restricted(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, "RESTRICT_PORTS tcp/23"));
	c.enc.message = "192.0.2.10,tcp/22,tcp/23";
	assert_int_equal(case_match(&c), SPA_ERR_PORTS);
	c.enc.message = "192.0.2.10,tcp/22,udp/23";
	assert_int_equal(case_match(&c), 0);
	case_free(&c);
}

static void
grants_ports_all_listed_in_open_ports(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, "OPEN_PORTS tcp/22, udp/53"));
	c.enc.message = "192.0.2.10,udp/53,tcp/22";
	assert_int_equal(case_match(&c), 0);
	assert_int_equal(c.ev.nports, 2);
	case_free(&c);
}

static void
age_window_is_inclusive_both_ways(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, ""));
	assert_int_equal(case_match_at(&c, NOW + 120, NULL), 0);
	assert_int_equal(case_match_at(&c, NOW - 120, NULL), 0);
	assert_int_equal(case_match_at(&c, NOW + 121, NULL), SPA_ERR_AGE);
	assert_int_equal(case_match_at(&c, NOW - 121, NULL), SPA_ERR_AGE);
	case_free(&c);
}

static void
age_zero_disables_the_check(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, ""));
	c.opts.max_packet_age = 0;
	assert_int_equal(case_match_at(&c, NOW + 86400 * 365, NULL), 0);
	case_free(&c);
}

static void
refuses_other_username(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, "REQUIRE_USERNAME bob"));
	assert_int_equal(case_match(&c), SPA_ERR_USER_MISMATCH);
	c.enc.user = "bob";
	assert_int_equal(case_match(&c), 0);
	assert_string_equal(c.ev.user, "bob");
	case_free(&c);
}

/* 0.0.0.0 in the packet means "the address this came from" (-s). */
static void
grants_packet_source_for_unspecified_allow(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, ""));
	c.enc.message = "0.0.0.0,tcp/22";
	assert_int_equal(case_match(&c), 0);
	assert_addr(&c.ev.allow, "192.0.2.10");
	case_free(&c);
}

/*
 * Nothing the verifier grants fails the executor's field rules: a sender
 * of 0.0.0.0 (or a proxy naming ::) asking for its own address has none
 * to grant, and is refused here rather than sent on (the executor would
 * take such an OPEN for a forgery and kill the verifier).
 */
static void
unspecified_sender_is_refused(void **state)
{
	struct spa_addr xff;
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, ""));
	c.enc.message = "0.0.0.0,tcp/22";
	assert_int_equal(addr_parse("0.0.0.0", &c.pkt.src), 0);
	assert_int_equal(case_match(&c), SPA_ERR_MESSAGE);
	assert_int_equal(addr_parse("192.0.2.10", &c.pkt.src), 0);
	assert_int_equal(addr_parse("::", &xff), 0);
	assert_int_equal(case_match_at(&c, NOW, &xff), SPA_ERR_MESSAGE);
	case_free(&c);
}

static void
require_source_address_refuses_unspecified(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, "REQUIRE_SOURCE_ADDRESS Y"));
	c.enc.message = "0.0.0.0,tcp/22";
	assert_int_equal(case_match(&c), SPA_ERR_SOURCE_REQUIRED);
	case_free(&c);
}

/* Behind a proxy the sender is the proxy; X-Forwarded-For names the client. */
static void
grants_forwarded_address_when_given(void **state)
{
	struct spa_addr xff;
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, ""));
	assert_int_equal(addr_parse("203.0.113.7", &xff), 0);
	c.enc.message = "0.0.0.0,tcp/22";
	assert_int_equal(case_match_at(&c, NOW, &xff), 0);
	assert_addr(&c.ev.allow, "203.0.113.7");
	/* an explicit allow address is never replaced */
	c.enc.message = "192.0.2.99,tcp/22";
	assert_int_equal(case_match_at(&c, NOW, &xff), 0);
	assert_addr(&c.ev.allow, "192.0.2.99");
	case_free(&c);
}

static void
client_timeout_is_capped_by_max_fw_timeout(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A,
	    "FW_ACCESS_TIMEOUT 30\nMAX_FW_TIMEOUT 600"));
	c.enc.type = SPA_REQ_CLIENT_TIMEOUT_ACCESS;
	c.enc.client_timeout = 90;
	assert_int_equal(case_match(&c), 0);
	assert_int_equal(c.ev.timeout, 90);
	assert_int_equal(c.ev.client_timeout, 90);
	c.enc.client_timeout = 5000;
	assert_int_equal(case_match(&c), 0);
	assert_int_equal(c.ev.timeout, 600);
	assert_int_equal(c.ev.client_timeout, 5000);
	case_free(&c);
}

static void
cmd_cycle_timer_sets_the_default_timeout(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A,
	    "CMD_CYCLE_OPEN /bin/true\nCMD_CYCLE_CLOSE NONE\n"
	    "CMD_CYCLE_TIMER 77"));
	assert_int_equal(case_match(&c), 0);
	assert_int_equal(c.ev.timeout, 77);
	case_free(&c);
}

static void
refuses_expired_stanza(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A,
	    "ACCESS_EXPIRE_EPOCH 1795343000"));
	assert_int_equal(case_match(&c), SPA_ERR_EXPIRED);
	assert_false(c.res.authenticated);
	case_free(&c);
}

static void
refuses_packet_to_other_destination(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, "DESTINATION 10.1.0.0/16"));
	assert_int_equal(case_match(&c), SPA_ERR_DESTINATION);
	assert_int_equal(addr_parse("10.1.2.3", &c.pkt.dst), 0);
	assert_int_equal(case_match(&c), 0);
	case_free(&c);
}

static void
refuses_command_without_enable_cmd_exec(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, ""));
	c.enc.type = SPA_REQ_COMMAND;
	c.enc.message = "192.0.2.10,uptime";
	assert_int_equal(case_match(&c), SPA_ERR_CMD_DENIED);
	case_free(&c);
}

static void
grants_command_with_its_text(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, "ENABLE_CMD_EXEC Y"));
	c.enc.type = SPA_REQ_COMMAND;
	c.enc.message = "192.0.2.10,touch /tmp/x; echo $(id)";
	assert_int_equal(case_match(&c), 0);
	assert_int_equal(c.ev.type, SPA_REQ_COMMAND);
	assert_string_equal(c.ev.command, "touch /tmp/x; echo $(id)");
	assert_int_equal(c.ev.nports, 0);
	case_free(&c);
}

static void
nat_access_needs_forwarding_enabled(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, ""));
	c.enc.type = SPA_REQ_NAT_ACCESS;
	c.enc.nat = "10.0.0.5,22";
	assert_int_equal(case_match(&c), SPA_ERR_NAT_DENIED);
	c.opts.nat_local = true;
	assert_int_equal(case_match(&c), SPA_ERR_NAT_DENIED);
	c.opts.nat_forwarding = true;
	assert_int_equal(case_match(&c), 0);
	assert_true(c.ev.has_nat);
	assert_string_equal(c.ev.nat_host, "10.0.0.5");
	assert_int_equal(c.ev.nat_port, 22);
	case_free(&c);
}

/*
 * fwknopd forwards only to an IPv4 address unless ENABLE_NAT_DNS is set
 * (nat.dns, off by default): a host name, and junk such as fwknop's own
 * test suite's "bad%host" (which the packet format allows), is refused
 * after authentication, for NAT and local NAT alike.
 */
static void
nat_host_must_be_an_ipv4_address(void **state)
{
	static const char *const refused[] = { "bad%host,22",
	    "internal.example.org,22", "10.0.0.5x,22", "::1,22" };
	const struct stanza *st;
	struct spa_event ev;
	struct case_ c;
	size_t i;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, ""));
	c.opts.nat_forwarding = true;
	c.opts.nat_local = true;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		c.enc.type = i % 2 ? SPA_REQ_LOCAL_NAT_ACCESS :
		    SPA_REQ_NAT_ACCESS;
		c.enc.nat = refused[i];
		assert_int_equal(case_match(&c), SPA_ERR_NAT_HOST);
	}
	c.enc.nat = "10.0.0.5,22";
	assert_int_equal(case_match(&c), 0);
	/* and the executor's recheck holds an OPEN to the same rule */
	ev = c.ev;
	assert_int_equal(policy_recheck(c.conf, &c.opts, &ev, NOW, &st), 0);
	strcpy(ev.nat_host, "bad%host");
	assert_int_equal(policy_recheck(c.conf, &c.opts, &ev, NOW, &st),
	    SPA_ERR_NAT_HOST);
	case_free(&c);
}

/*
 * With nat.dns a well-formed name is granted as it came (the executor
 * resolves it); one fwknopd's ENABLE_NAT_DNS refuses is refused with its
 * own reason, by the verifier and by the executor's recheck.
 */
static void
nat_dns_allows_host_names_only(void **state)
{
	static const char *const refused[] = { "bad%host,22", "a..b,22",
	    "-a.test,22", "a-.test,22", "a_b.test,22", "::1,22" };
	const struct stanza *st;
	struct spa_event ev;
	struct case_ c;
	size_t i;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, ""));
	c.opts.nat_forwarding = true;
	c.opts.nat_local = true;
	c.opts.nat_dns = true;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		c.enc.type = i % 2 ? SPA_REQ_LOCAL_NAT_ACCESS :
		    SPA_REQ_NAT_ACCESS;
		c.enc.nat = refused[i];
		assert_int_equal(case_match(&c), SPA_ERR_NAT_NAME);
	}
	c.enc.type = SPA_REQ_NAT_ACCESS;
	c.enc.nat = "inside.test,22";
	assert_int_equal(case_match(&c), 0);
	assert_string_equal(c.ev.nat_host, "inside.test");
	c.enc.nat = "10.0.0.5,22";
	assert_int_equal(case_match(&c), 0);
	c.enc.nat = "inside.test,22";
	assert_int_equal(case_match(&c), 0);
	ev = c.ev;
	assert_int_equal(policy_recheck(c.conf, &c.opts, &ev, NOW, &st), 0);
	strcpy(ev.nat_host, "bad%host");
	assert_int_equal(policy_recheck(c.conf, &c.opts, &ev, NOW, &st),
	    SPA_ERR_NAT_NAME);
	/* the setting off: the name is refused as before */
	c.opts.nat_dns = false;
	assert_int_equal(case_match(&c), SPA_ERR_NAT_HOST);
	case_free(&c);
}

static void
local_nat_needs_local_enabled(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, ""));
	c.enc.type = SPA_REQ_LOCAL_NAT_ACCESS;
	c.enc.nat = "127.0.0.1,2222";
	c.opts.nat_forwarding = true;
	assert_int_equal(case_match(&c), SPA_ERR_NAT_DENIED);
	c.opts.nat_local = true;
	assert_int_equal(case_match(&c), 0);
	assert_int_equal(c.ev.type, SPA_REQ_LOCAL_NAT_ACCESS);
	case_free(&c);
}

/* A GnuPG-only stanza cannot open Rijndael packets; the next one can. */
static void
skips_gpg_only_stanza(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, "SOURCE ANY\nGPG_REMOTE_ID 0x1234ABCD\n"
	    "GPG_DECRYPT_ID 0xABCD1234\nGPG_DECRYPT_PW pw\n"
	    STANZA("ANY", KEY_A, HMAC_A, ""));
	assert_int_equal(case_match(&c), 0);
	assert_int_equal(c.ev.stanza, 2);
	case_free(&c);
}

/* --- IPv6 ----------------------------------------------------------------- */

/* The packet comes from 2001:db8:1::7 to fd00::1; "-s" asks for its source. */
static void
case_init6(struct case_ *c, const char *policy)
{
	case_init(c, policy);
	assert_int_equal(addr_parse("2001:db8:1::7", &c->pkt.src), 0);
	assert_int_equal(addr_parse("fd00::1", &c->pkt.dst), 0);
	c->enc.message = "0.0.0.0,tcp/22";
}

/* An IPv6 sender inside an IPv6 SOURCE network is granted its address. */
static void
ipv6_source_cidr_grants_the_sender(void **state)
{
	struct case_ c;

	(void)state;
	case_init6(&c, STANZA("192.0.2.0/24", KEY_A, HMAC_A, "")
	    STANZA("2001:db8:1::/48", KEY_A, HMAC_A, ""));
	assert_int_equal(case_match(&c), 0);
	assert_int_equal(c.ev.stanza, 2);
	assert_int_equal(c.res.tried, 1);
	assert_int_equal(c.ev.allow.family, AF_INET6);
	assert_addr(&c.ev.allow, "2001:db8:1::7");
	assert_addr(&c.ev.pkt_src, "2001:db8:1::7");
	assert_addr(&c.ev.pkt_dst, "fd00::1");
	case_free(&c);
}

/* Outside every IPv6 network, and no IPv4 entry ever matches it. */
static void
ipv6_source_outside_the_cidr_is_refused(void **state)
{
	struct case_ c;

	(void)state;
	case_init6(&c, STANZA("2001:db8:2::/48, 2001:db8:1::8/128, "
	    "192.0.2.0/24", KEY_A, HMAC_A, ""));
	assert_int_equal(case_match(&c), SPA_ERR_NO_SOURCE);
	assert_int_equal(c.res.tried, 0);
	assert_false(c.res.authenticated);
	/* ::/0 takes every IPv6 sender and no IPv4 one */
	case_free(&c);
	case_init6(&c, STANZA("::/0", KEY_A, HMAC_A, ""));
	assert_int_equal(case_match(&c), 0);
	assert_int_equal(addr_parse("192.0.2.10", &c.pkt.src), 0);
	assert_int_equal(case_match(&c), SPA_ERR_NO_SOURCE);
	case_free(&c);
}

/* One SOURCE list may hold both families. */
static void
mixed_family_source_takes_both(void **state)
{
	struct case_ c;

	(void)state;
	case_init6(&c, STANZA("192.0.2.0/24, 2001:db8::/32", KEY_A, HMAC_A,
	    ""));
	assert_int_equal(case_match(&c), 0);
	assert_addr(&c.ev.allow, "2001:db8:1::7");
	assert_int_equal(addr_parse("192.0.2.10", &c.pkt.src), 0);
	assert_int_equal(case_match(&c), 0);
	assert_addr(&c.ev.allow, "192.0.2.10");
	case_free(&c);
}

static void
ipv6_destination_is_checked(void **state)
{
	struct case_ c;

	(void)state;
	case_init6(&c, STANZA("ANY", KEY_A, HMAC_A,
	    "DESTINATION fd00::2/128, 198.51.100.0/24"));
	assert_int_equal(case_match(&c), SPA_ERR_DESTINATION);
	assert_int_equal(addr_parse("fd00::2", &c.pkt.dst), 0);
	assert_int_equal(case_match(&c), 0);
	assert_addr(&c.ev.pkt_dst, "fd00::2");
	case_free(&c);
}

/*
 * The client writes only IPv4 into a packet: with REQUIRE_SOURCE_ADDRESS
 * an IPv6 sender's "-s" packet is refused, and an explicit IPv4 address
 * is granted as asked (SOURCE filters the sender, not that address).
 */
static void
require_source_address_with_an_ipv6_sender(void **state)
{
	struct case_ c;

	(void)state;
	case_init6(&c, STANZA("2001:db8:1::/48", KEY_A, HMAC_A,
	    "REQUIRE_SOURCE_ADDRESS Y"));
	assert_int_equal(case_match(&c), SPA_ERR_SOURCE_REQUIRED);
	c.enc.message = "203.0.113.5,tcp/22";
	assert_int_equal(case_match(&c), 0);
	assert_int_equal(c.ev.allow.family, AF_INET);
	assert_addr(&c.ev.allow, "203.0.113.5");
	assert_addr(&c.ev.pkt_src, "2001:db8:1::7");
	case_free(&c);
}

/* The wire format's allow address is IPv4 text: IPv6 there is refused. */
static void
ipv6_text_as_allow_address_is_refused(void **state)
{
	static const char *const bad[] = { "2001:db8::5,tcp/22",
	    "::ffff:192.0.2.10,tcp/22", "[2001:db8::5],tcp/22", "::,tcp/22" };
	struct case_ c;
	size_t i;

	(void)state;
	case_init6(&c, STANZA("ANY", KEY_A, HMAC_A, ""));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c.enc.message = bad[i];
		assert_int_equal(case_match(&c), SPA_ERR_MESSAGE);
	}
	case_free(&c);
}

/*
 * Through an IPv4 proxy, X-Forwarded-For may name an IPv6 client, or an
 * IPv4 one as a dual-stack socket writes it.
 */
static void
forwarded_ipv6_address_is_granted(void **state)
{
	struct spa_addr xff;
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("192.0.2.0/24", KEY_A, HMAC_A, ""));
	assert_int_equal(addr_parse("2001:db8:9::1", &xff), 0);
	c.enc.message = "0.0.0.0,tcp/22";
	assert_int_equal(case_match_at(&c, NOW, &xff), 0);
	assert_addr(&c.ev.allow, "2001:db8:9::1");
	assert_addr(&c.ev.pkt_src, "192.0.2.10");
	/* a dual-stack proxy's name for an IPv4 client grants the IPv4 one */
	assert_int_equal(addr_parse("::ffff:203.0.113.7", &xff), 0);
	assert_int_equal(case_match_at(&c, NOW, &xff), 0);
	assert_int_equal(c.ev.allow.family, AF_INET);
	assert_addr(&c.ev.allow, "203.0.113.7");
	case_free(&c);
}

/* The executor's second opinion reads the IPv6 addresses of the event. */
static void
recheck_of_an_ipv6_grant(void **state)
{
	const struct stanza *st;
	struct spa_event ev;
	struct case_ c;

	(void)state;
	case_init6(&c, STANZA("2001:db8:1::/48", KEY_A, HMAC_A,
	    "DESTINATION fd00::/64"));
	assert_int_equal(case_match(&c), 0);
	ev = c.ev;
	assert_int_equal(policy_recheck(c.conf, &c.opts, &ev, NOW, &st), 0);
	assert_int_equal(addr_parse("2001:db8:2::7", &ev.pkt_src), 0);
	assert_int_equal(policy_recheck(c.conf, &c.opts, &ev, NOW, &st),
	    SPA_ERR_NO_SOURCE);
	ev = c.ev;
	assert_int_equal(addr_parse("fd00:0:0:1::1", &ev.pkt_dst), 0);
	assert_int_equal(policy_recheck(c.conf, &c.opts, &ev, NOW, &st),
	    SPA_ERR_DESTINATION);
	case_free(&c);
}

/*
 * The executor judges the age at the verifier's receive time: a packet
 * stamped exactly `received - max_packet_age` is still granted when the
 * executor looks in the next second (issue 15, item 2), and the receive
 * time itself must agree with the executor's clock within
 * POLICY_RECV_SKEW.
 */
static void
recheck_judges_the_age_at_the_receive_time(void **state)
{
	const struct stanza *st;
	struct spa_event ev;
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, ""));
	c.enc.timestamp = NOW - 120;
	assert_int_equal(case_match(&c), 0);	/* at NOW: 120 s old */
	assert_int_equal(c.ev.recv_time, NOW);
	ev = c.ev;
	assert_int_equal(policy_recheck(c.conf, &c.opts, &ev, NOW + 1, &st),
	    0);
	assert_int_equal(policy_recheck(c.conf, &c.opts, &ev,
	    NOW + POLICY_RECV_SKEW, &st), 0);
	assert_int_equal(policy_recheck(c.conf, &c.opts, &ev,
	    NOW - POLICY_RECV_SKEW, &st), 0);
	/* a receive time the executor's clock does not vouch for */
	assert_int_equal(policy_recheck(c.conf, &c.opts, &ev,
	    NOW + POLICY_RECV_SKEW + 1, &st), SPA_ERR_AGE);
	assert_int_equal(policy_recheck(c.conf, &c.opts, &ev,
	    NOW - POLICY_RECV_SKEW - 1, &st), SPA_ERR_AGE);
	/* a receive time that makes the packet too old */
	ev.recv_time = NOW + 1;
	assert_int_equal(policy_recheck(c.conf, &c.opts, &ev, NOW + 1, &st),
	    SPA_ERR_AGE);
	ev.recv_time = NOW - 241;
	assert_int_equal(policy_recheck(c.conf, &c.opts, &ev, NOW - 241, &st),
	    SPA_ERR_AGE);
	/* no age check (and a capture file's old times): no clock check */
	c.opts.max_packet_age = 0;
	ev = c.ev;
	assert_int_equal(policy_recheck(c.conf, &c.opts, &ev, NOW + 86400,
	    &st), 0);
	case_free(&c);
}

/* A real grant of each kind the forbidden-field cases start from. */
static void
grant_of_kind(struct case_ *c, enum bad_kind kind)
{
	case_init(c, STANZA("ANY", KEY_A, HMAC_A,
	    "ENABLE_CMD_EXEC Y\nMAX_FW_TIMEOUT 90"));
	c->opts.nat_forwarding = true;
	c->enc.type = SPA_REQ_CLIENT_TIMEOUT_ACCESS;
	c->enc.client_timeout = 90;
	if (kind == BAD_NAT) {
		c->enc.type = SPA_REQ_CLIENT_TIMEOUT_NAT_ACCESS;
		c->enc.nat = "10.0.0.5,22";
	} else if (kind == BAD_COMMAND) {
		c->enc.type = SPA_REQ_COMMAND;
		c->enc.client_timeout = 0;
		c->enc.message = "192.0.2.10,touch /tmp/x; id";
	}
	assert_int_equal(case_match(c), 0);
}

/*
 * The executor's recheck holds an OPEN to the decoder's field rules: a
 * forged username, address, port, protocol, type, timeout, NAT host or
 * command is refused with the decoder's code for that field
 * (tests/unit/bad_fields.h; msg_decode: test_msg.c).
 */
static void
recheck_refuses_every_forbidden_field(void **state)
{
	const struct stanza *st;
	struct spa_event ev;
	struct case_ c;
	size_t i, wrong = 0;
	int r;

	(void)state;
	for (i = 0; i < N_BAD_FIELDS; i++) {
		grant_of_kind(&c, bad_fields[i].kind);
		ev = c.ev;
		if (policy_recheck(c.conf, &c.opts, &ev, NOW, &st) != 0)
			fail_msg("%s: the valid grant is refused",
			    bad_fields[i].name);
		bad_fields[i].bend(&ev);
		if ((r = policy_recheck(c.conf, &c.opts, &ev, NOW, &st)) !=
		    bad_fields[i].err) {
			print_message("%s: %s, not %s\n", bad_fields[i].name,
			    spa_errname(r), spa_errname(bad_fields[i].err));
			wrong++;
		}
		case_free(&c);
	}
	if (wrong > 0)
		fail_msg("%zu of %zu forbidden values not refused as the "
		    "decoder refuses them", wrong, N_BAD_FIELDS);
}

static void
timeout_helper_prefers_client_value_below_cap(void **state)
{
	struct stanza st;
	struct spa_packet pkt;

	(void)state;
	memset(&st, 0, sizeof(st));
	memset(&pkt, 0, sizeof(pkt));
	st.fw_access_timeout = 30;
	st.max_fw_timeout = 300;
	assert_int_equal(policy_timeout(&st, &pkt), 30);
	pkt.client_timeout = 300;
	assert_int_equal(policy_timeout(&st, &pkt), 300);
	pkt.client_timeout = 301;
	assert_int_equal(policy_timeout(&st, &pkt), 300);
}

/* --- max_packet_age over reloads (age_log.h) ---------------------------- */

static void
age_log_judges_by_the_smallest_age_since_the_packet(void **state)
{
	struct age_log l = { 0 };

	(void)state;
	age_log_set(&l, 10, 1000);
	age_log_set(&l, 10, 1005);		/* a repeat is nothing */
	assert_int_equal(l.n, 1);
	age_log_set(&l, 3600, 2000);		/* raised at 2000 */
	/* stamped before the raise: its digest may be kept only 2 x 10 s */
	assert_int_equal(age_log_for(&l, 1990), 10);
	assert_int_equal(age_log_for(&l, 1999), 10);
	/* stamped at or after it: the new age */
	assert_int_equal(age_log_for(&l, 2000), 3600);
	assert_int_equal(age_log_for(&l, 2500), 3600);
	age_log_set(&l, 60, 3000);		/* lowered: at once for all */
	assert_int_equal(age_log_for(&l, 2500), 60);
	assert_int_equal(age_log_for(&l, 1990), 10);
	assert_int_equal(age_log_for(&l, 9999), 60);
}

static void
age_log_zero_is_no_limit(void **state)
{
	struct age_log l = { 0 };

	(void)state;
	assert_int_equal(age_log_for(&l, 5), 0);	/* nothing set */
	age_log_set(&l, 0, 100);
	assert_int_equal(age_log_for(&l, 50), 0);
	age_log_set(&l, 30, 200);
	assert_int_equal(age_log_for(&l, 150), 30);	/* 30 since */
	age_log_set(&l, 0, 300);
	assert_int_equal(age_log_for(&l, 150), 30);
	assert_int_equal(age_log_for(&l, 300), 0);
}

/* policy_explain of the last match (the packet still in c->wire). */
static const char *
explain(struct case_ *c)
{
	char *buf = c->why;
	struct policy_input in;

	memset(&in, 0, sizeof(in));
	in.pkt = &c->pkt;
	in.wire = c->wire;
	in.len = c->len;
	policy_explain(&c->res, &c->opts, &in, buf, sizeof(c->why));
	return buf;
}

static void
age_refusal_says_the_difference_and_the_limit(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, ""));
	assert_int_equal(case_match_at(&c, NOW + 200, NULL), SPA_ERR_AGE);
	assert_string_equal(explain(&c), "timestamp outside the allowed age: "
	    "the packet's time is 200 s behind the clock here, the limit is "
	    "120 s (max_packet_age)");
	assert_int_equal(case_match_at(&c, NOW - 121, NULL), SPA_ERR_AGE);
	assert_string_equal(explain(&c), "timestamp outside the allowed age: "
	    "the packet's time is 121 s ahead of the clock here, the limit "
	    "is 120 s (max_packet_age)");
	case_free(&c);
}

static void
port_refusal_names_the_port(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, "OPEN_PORTS tcp/22"));
	c.enc.message = "192.0.2.10,tcp/22,udp/53";
	assert_int_equal(case_match(&c), SPA_ERR_PORTS);
	assert_string_equal(explain(&c), "a requested port is not allowed: "
	    "udp/53 (not in OPEN_PORTS)");
	case_free(&c);
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, "RESTRICT_PORTS tcp/23"));
	c.enc.message = "192.0.2.10,tcp/22,tcp/23";
	assert_int_equal(case_match(&c), SPA_ERR_PORTS);
	assert_string_equal(explain(&c), "a requested port is not allowed: "
	    "tcp/23 (in RESTRICT_PORTS)");
	case_free(&c);
}

/* fwknop without --use-hmac: the packet is all ciphertext. */
static void
hmac_refusal_says_the_packet_has_none(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, ""));
	c.enc.hmac_type = SPA_DIGEST_NONE;
	assert_int_equal(case_match(&c), SPA_ERR_HMAC);
	assert_string_equal(explain(&c), "HMAC does not verify: the packet "
	    "has no HMAC (a client without --use-hmac?)");
	case_free(&c);
}

/* fwknop --hmac-digest-type: another length, or the same (SHA3_256). */
static void
hmac_refusal_names_the_packets_digest(void **state)
{
	static const struct {
		enum spa_digest	 d;
		const char	*name;
	} sent[] = {
		{ SPA_DIGEST_MD5, "MD5" }, { SPA_DIGEST_SHA1, "SHA1" },
		{ SPA_DIGEST_SHA384, "SHA384" }, { SPA_DIGEST_SHA512, "SHA512" },
		{ SPA_DIGEST_SHA3_256, "SHA3_256" },
		{ SPA_DIGEST_SHA3_512, "SHA3_512" },
	};
	char want[160];
	struct case_ c;
	size_t i;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, ""));
	for (i = 0; i < sizeof(sent) / sizeof(sent[0]); i++) {
		c.enc.hmac_type = sent[i].d;
		assert_int_equal(case_match(&c), SPA_ERR_HMAC);
		snprintf(want, sizeof(want), "HMAC does not verify: the "
		    "packet's HMAC is %s, the stanza's HMAC_DIGEST_TYPE is "
		    "SHA256 (the client's --hmac-digest-type?)", sent[i].name);
		assert_string_equal(explain(&c), want);
	}
	case_free(&c);
}

/* Another key: nothing to add, and no false hint. */
static void
hmac_refusal_with_another_key_says_no_more(void **state)
{
	struct case_ c;

	(void)state;
	case_init(&c, STANZA("ANY", KEY_A, HMAC_A, ""));
	use_keys_b(&c);
	assert_int_equal(case_match(&c), SPA_ERR_HMAC);
	assert_string_equal(explain(&c), "HMAC does not verify");
	c.enc.hmac_type = SPA_DIGEST_NONE;	/* and no HMAC, other keys */
	assert_int_equal(case_match(&c), SPA_ERR_HMAC);
	assert_string_equal(explain(&c), "HMAC does not verify");
	case_free(&c);
}

/* A full log merges its two oldest entries into the stricter one. */
static void
age_log_full_keeps_the_stricter_age(void **state)
{
	struct age_log l = { 0 };
	int i;

	(void)state;
	age_log_set(&l, 5, 0);
	for (i = 1; i < 40; i++)
		age_log_set(&l, (uint32_t)(100 + i), i * 10);
	assert_int_equal(l.n, AGE_LOG_MAX);
	assert_int_equal(age_log_for(&l, 0), 5);	/* never looser */
	assert_int_equal(age_log_for(&l, 390), 139);
	assert_int_equal(age_log_for(&l, 385), 138);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(grants_and_fills_the_event),
		cmocka_unit_test(refuses_source_outside_every_stanza),
		cmocka_unit_test(refuses_wrong_keys_with_hmac_error),
		cmocka_unit_test(tries_every_stanza_with_its_own_keys),
		cmocka_unit_test(first_fully_passing_stanza_wins),
		cmocka_unit_test(reports_reason_of_furthest_stanza),
		cmocka_unit_test(refuses_when_any_port_is_not_open),
		cmocka_unit_test(refuses_when_any_port_is_restricted),
		cmocka_unit_test(grants_ports_all_listed_in_open_ports),
		cmocka_unit_test(age_window_is_inclusive_both_ways),
		cmocka_unit_test(age_zero_disables_the_check),
		cmocka_unit_test(refuses_other_username),
		cmocka_unit_test(grants_packet_source_for_unspecified_allow),
		cmocka_unit_test(require_source_address_refuses_unspecified),
		cmocka_unit_test(unspecified_sender_is_refused),
		cmocka_unit_test(age_log_judges_by_the_smallest_age_since_the_packet),
		cmocka_unit_test(age_log_zero_is_no_limit),
		cmocka_unit_test(age_log_full_keeps_the_stricter_age),
		cmocka_unit_test(grants_forwarded_address_when_given),
		cmocka_unit_test(client_timeout_is_capped_by_max_fw_timeout),
		cmocka_unit_test(cmd_cycle_timer_sets_the_default_timeout),
		cmocka_unit_test(refuses_expired_stanza),
		cmocka_unit_test(refuses_packet_to_other_destination),
		cmocka_unit_test(refuses_command_without_enable_cmd_exec),
		cmocka_unit_test(grants_command_with_its_text),
		cmocka_unit_test(nat_access_needs_forwarding_enabled),
		cmocka_unit_test(local_nat_needs_local_enabled),
		cmocka_unit_test(nat_host_must_be_an_ipv4_address),
		cmocka_unit_test(nat_dns_allows_host_names_only),
		cmocka_unit_test(skips_gpg_only_stanza),
		cmocka_unit_test(ipv6_source_cidr_grants_the_sender),
		cmocka_unit_test(ipv6_source_outside_the_cidr_is_refused),
		cmocka_unit_test(mixed_family_source_takes_both),
		cmocka_unit_test(ipv6_destination_is_checked),
		cmocka_unit_test(require_source_address_with_an_ipv6_sender),
		cmocka_unit_test(ipv6_text_as_allow_address_is_refused),
		cmocka_unit_test(forwarded_ipv6_address_is_granted),
		cmocka_unit_test(recheck_of_an_ipv6_grant),
		cmocka_unit_test(recheck_refuses_every_forbidden_field),
		cmocka_unit_test(recheck_judges_the_age_at_the_receive_time),
		cmocka_unit_test(timeout_helper_prefers_client_value_below_cap),
		cmocka_unit_test(age_refusal_says_the_difference_and_the_limit),
		cmocka_unit_test(port_refusal_names_the_port),
		cmocka_unit_test(hmac_refusal_says_the_packet_has_none),
		cmocka_unit_test(hmac_refusal_names_the_packets_digest),
		cmocka_unit_test(hmac_refusal_with_another_key_says_no_more),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
