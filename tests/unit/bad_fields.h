/*
 * OPEN events a compromised verifier could forge: each one valid but for
 * one field holding a value the packet decoder never lets through.  Shared
 * by test_msg.c (msg_decode must refuse each) and test_policy.c
 * (policy_recheck must refuse each), so both sides are held to one list.
 *
 * Each case starts from a valid event of its kind (an access request with
 * a client timeout, a NAT access with one, a command) and bends one field.
 * `err` is the decoder's code for that field, which the recheck returns.
 */
#ifndef SPA_TEST_BAD_FIELDS_H
#define SPA_TEST_BAD_FIELDS_H

#include <string.h>

#include "err.h"
#include "event.h"

enum bad_kind { BAD_ACCESS, BAD_NAT, BAD_COMMAND };

struct bad_field {
	const char	*name;
	enum bad_kind	 kind;
	int		 err;
	void		(*bend)(struct spa_event *);
};

static inline void
bad_set_user(struct spa_event *ev, const char *s)
{
	memset(ev->user, 0, sizeof(ev->user));
	memcpy(ev->user, s, strlen(s));
}

static inline void
bad_set_nat(struct spa_event *ev, const char *s)
{
	memset(ev->nat_host, 0, sizeof(ev->nat_host));
	memcpy(ev->nat_host, s, strlen(s));
}

static void bf_user_injection(struct spa_event *ev) { bad_set_user(ev, "../../x;id|sh>q \"y"); }
static void bf_user_slash(struct spa_event *ev) { bad_set_user(ev, "a/b"); }
static void bf_user_backslash(struct spa_event *ev) { bad_set_user(ev, "a\\b"); }
static void bf_user_bracket(struct spa_event *ev) { bad_set_user(ev, "a[b]"); }
static void bf_user_colon(struct spa_event *ev) { bad_set_user(ev, "a:b"); }
static void bf_user_semicolon(struct spa_event *ev) { bad_set_user(ev, "a;id"); }
static void bf_user_pipe(struct spa_event *ev) { bad_set_user(ev, "a|sh"); }
static void bf_user_equals(struct spa_event *ev) { bad_set_user(ev, "a=b"); }
static void bf_user_comma(struct spa_event *ev) { bad_set_user(ev, "a,b"); }
static void bf_user_plus(struct spa_event *ev) { bad_set_user(ev, "a+b"); }
static void bf_user_star(struct spa_event *ev) { bad_set_user(ev, "a*"); }
static void bf_user_question(struct spa_event *ev) { bad_set_user(ev, "a?"); }
static void bf_user_angle(struct spa_event *ev) { bad_set_user(ev, "a>q"); }
static void bf_user_quote(struct spa_event *ev) { bad_set_user(ev, "a\"b"); }
static void bf_user_empty(struct spa_event *ev) { bad_set_user(ev, ""); }
static void bf_allow_unspecified(struct spa_event *ev) { addr_parse("0.0.0.0", &ev->allow); }
static void bf_allow_unspecified6(struct spa_event *ev) { addr_parse("::", &ev->allow); }
static void bf_port_zero(struct spa_event *ev) { ev->ports[0].port = 0; }
static void bf_port_proto(struct spa_event *ev) { ev->ports[0].proto = 1; /* ICMP */ }
static void bf_no_ports(struct spa_event *ev) { ev->nports = 0; memset(ev->ports, 0, sizeof(ev->ports)); }
static void bf_too_many_ports(struct spa_event *ev) { ev->nports = SPA_MAX_PORTS + 1; }
static void bf_type_range(struct spa_event *ev) { ev->type = (enum spa_request)7; }
static void bf_type_negative(struct spa_event *ev) { ev->type = (enum spa_request)-1; }
static void bf_command_on_access(struct spa_event *ev) { strcpy(ev->command, "id"); }
static void bf_client_timeout_big(struct spa_event *ev) { ev->client_timeout = SPA_CLIENT_TIMEOUT_MAX + 1; }
static void bf_client_timeout_on_plain(struct spa_event *ev) { ev->type = SPA_REQ_ACCESS; }
static void bf_time_negative(struct spa_event *ev) { ev->spa_time = -1; }
static void bf_time_13_digits(struct spa_event *ev) { ev->spa_time = 1000000000000LL; }
static void bf_nat_space(struct spa_event *ev) { bad_set_nat(ev, "a b"); }
static void bf_nat_slash(struct spa_event *ev) { bad_set_nat(ev, "../x"); }
static void bf_nat_question(struct spa_event *ev) { bad_set_nat(ev, "a?"); }
static void bf_nat_dquote(struct spa_event *ev) { bad_set_nat(ev, "a\"b"); }
static void bf_nat_squote(struct spa_event *ev) { bad_set_nat(ev, "a'b"); }
static void bf_nat_backslash(struct spa_event *ev) { bad_set_nat(ev, "a\\b"); }
static void bf_nat_comma(struct spa_event *ev) { bad_set_nat(ev, "a,22"); }
static void bf_nat_bad_ipv4(struct spa_event *ev) { bad_set_nat(ev, "999.1.1.1"); }
static void bf_nat_empty(struct spa_event *ev) { bad_set_nat(ev, ""); }
static void bf_nat_port_zero(struct spa_event *ev) { ev->nat_port = 0; }
static void bf_nat_missing(struct spa_event *ev) { ev->has_nat = false; bad_set_nat(ev, ""); ev->nat_port = 0; }
static void bf_command_empty(struct spa_event *ev) { memset(ev->command, 0, sizeof(ev->command)); }
static void bf_command_with_ports(struct spa_event *ev) { ev->nports = 1; ev->ports[0].proto = 6; ev->ports[0].port = 22; }
static void bf_command_with_nat(struct spa_event *ev) { ev->has_nat = true; bad_set_nat(ev, "host"); ev->nat_port = 22; }

static const struct bad_field bad_fields[] = {
	{ "user ../../x;id|sh>q \"y", BAD_ACCESS, SPA_ERR_USERNAME, bf_user_injection },
	{ "user with /", BAD_ACCESS, SPA_ERR_USERNAME, bf_user_slash },
	{ "user with \\", BAD_ACCESS, SPA_ERR_USERNAME, bf_user_backslash },
	{ "user with []", BAD_ACCESS, SPA_ERR_USERNAME, bf_user_bracket },
	{ "user with :", BAD_ACCESS, SPA_ERR_USERNAME, bf_user_colon },
	{ "user with ;", BAD_ACCESS, SPA_ERR_USERNAME, bf_user_semicolon },
	{ "user with |", BAD_ACCESS, SPA_ERR_USERNAME, bf_user_pipe },
	{ "user with =", BAD_ACCESS, SPA_ERR_USERNAME, bf_user_equals },
	{ "user with ,", BAD_ACCESS, SPA_ERR_USERNAME, bf_user_comma },
	{ "user with +", BAD_ACCESS, SPA_ERR_USERNAME, bf_user_plus },
	{ "user with *", BAD_ACCESS, SPA_ERR_USERNAME, bf_user_star },
	{ "user with ?", BAD_ACCESS, SPA_ERR_USERNAME, bf_user_question },
	{ "user with >", BAD_ACCESS, SPA_ERR_USERNAME, bf_user_angle },
	{ "user with \"", BAD_ACCESS, SPA_ERR_USERNAME, bf_user_quote },
	{ "empty user", BAD_ACCESS, SPA_ERR_USERNAME, bf_user_empty },
	{ "allow 0.0.0.0", BAD_ACCESS, SPA_ERR_MESSAGE, bf_allow_unspecified },
	{ "allow ::", BAD_ACCESS, SPA_ERR_MESSAGE, bf_allow_unspecified6 },
	{ "port 0", BAD_ACCESS, SPA_ERR_MESSAGE, bf_port_zero },
	{ "protocol icmp", BAD_ACCESS, SPA_ERR_MESSAGE, bf_port_proto },
	{ "access without ports", BAD_ACCESS, SPA_ERR_MESSAGE, bf_no_ports },
	{ "33 ports", BAD_ACCESS, SPA_ERR_MESSAGE, bf_too_many_ports },
	{ "request type 7", BAD_ACCESS, SPA_ERR_REQUEST, bf_type_range },
	{ "request type -1", BAD_ACCESS, SPA_ERR_REQUEST, bf_type_negative },
	{ "command text on an access", BAD_ACCESS, SPA_ERR_MESSAGE, bf_command_on_access },
	{ "client timeout 65537", BAD_ACCESS, SPA_ERR_CLIENT_TIMEOUT, bf_client_timeout_big },
	{ "client timeout without its type", BAD_ACCESS, SPA_ERR_CLIENT_TIMEOUT, bf_client_timeout_on_plain },
	{ "timestamp -1", BAD_ACCESS, SPA_ERR_TIMESTAMP, bf_time_negative },
	{ "timestamp of 13 digits", BAD_ACCESS, SPA_ERR_TIMESTAMP, bf_time_13_digits },
	{ "NAT host with a space", BAD_NAT, SPA_ERR_NAT, bf_nat_space },
	{ "NAT host with /", BAD_NAT, SPA_ERR_NAT, bf_nat_slash },
	{ "NAT host with ?", BAD_NAT, SPA_ERR_NAT, bf_nat_question },
	{ "NAT host with \"", BAD_NAT, SPA_ERR_NAT, bf_nat_dquote },
	{ "NAT host with '", BAD_NAT, SPA_ERR_NAT, bf_nat_squote },
	{ "NAT host with \\", BAD_NAT, SPA_ERR_NAT, bf_nat_backslash },
	{ "NAT host with ,", BAD_NAT, SPA_ERR_NAT, bf_nat_comma },
	{ "NAT host 999.1.1.1", BAD_NAT, SPA_ERR_NAT, bf_nat_bad_ipv4 },
	{ "empty NAT host", BAD_NAT, SPA_ERR_NAT, bf_nat_empty },
	{ "NAT port 0", BAD_NAT, SPA_ERR_NAT, bf_nat_port_zero },
	{ "NAT type without NAT", BAD_NAT, SPA_ERR_NAT, bf_nat_missing },
	{ "empty command", BAD_COMMAND, SPA_ERR_MESSAGE, bf_command_empty },
	{ "command with ports", BAD_COMMAND, SPA_ERR_MESSAGE, bf_command_with_ports },
	{ "command with NAT", BAD_COMMAND, SPA_ERR_NAT, bf_command_with_nat },
};
#define N_BAD_FIELDS	(sizeof(bad_fields) / sizeof(bad_fields[0]))

#endif /* SPA_TEST_BAD_FIELDS_H */
