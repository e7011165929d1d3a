/*
 * The built-in firewall apart from the kernel: the cycle it gives a
 * stanza without a command only when a backend is chosen, its strict
 * reading of the line (each word what its variable gives, nothing that
 * could reach a transaction otherwise), NAT requests refused, and the
 * exact nft text of the table and of a grant's element.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "conf.h"
#include "conf_firewall.h"
#include "conf_group.h"
#include "err.h"
#include "fw_nft.h"
#include "subst.h"

extern const struct action_ops action_firewall;

struct fx {
	struct spa_conf		 conf;
	struct conf_firewall	*fw;
	void			*priv;
	int			 done_result;
	char			 done_detail[512];
	int			 ndone;
};

static void
on_done(void *arg, const struct action_result *res)
{
	struct fx *f = arg;

	f->ndone++;
	f->done_result = res->result;
	snprintf(f->done_detail, sizeof(f->done_detail), "%s", res->detail);
}

/* An instance configured with `backend`. */
static void
configure(struct fx *f, int backend)
{
	char why[256];

	f->fw->backend = backend;
	assert_int_equal(action_firewall.configure(f->priv, &f->conf, why,
	    sizeof(why)), 0);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	conf_defaults(&f->conf);
	assert_int_equal(conf_add_group(&f->conf, &conf_group_firewall), 0);
	f->fw = conf_group_value(&f->conf, &conf_group_firewall);
	assert_non_null(f->fw);
	assert_int_equal(action_firewall.create(&f->priv), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	action_firewall.free(f->priv);
	conf_free(&f->conf);
	free(f);
	return 0;
}

static int
check_line(struct fx *f, const char *text, char *why, size_t whylen)
{
	struct cmd_argv a;

	assert_int_equal(cmd_split(text, &a), 0);
	why[0] = '\0';
	return action_firewall.check(f->priv, &a, why, whylen);
}

/* With backend "none" a stanza without a command only logs its grants. */
static void
implicit_cycle_only_with_a_backend(void **state)
{
	struct fx *f = *state;
	const char *open = NULL, *close = NULL;
	char why[256];

	configure(f, FW_NONE);
	assert_false(action_firewall.implicit_cycle(f->priv, &open, &close));
	assert_int_equal(check_line(f, "firewall open access 192.0.2.1 tcp 22",
	    why, sizeof(why)), SPA_ERR_CONFIG);
	assert_non_null(strstr(why, "firewall.backend is \"none\""));
	configure(f, FW_NFTABLES);
	assert_true(action_firewall.implicit_cycle(f->priv, &open, &close));
	assert_string_equal(open,
	    "firewall open $REQUEST $SRC $PROTO_NAME $PORT");
	assert_string_equal(close,
	    "firewall close $REQUEST $SRC $PROTO_NAME $PORT");
}

static void
reads_only_what_the_variables_give(void **state)
{
	static const struct { const char *line, *why; } bad[] = {
		{ "firewall open access 192.0.2.1 tcp", "expected" },
		{ "firewall grant access 192.0.2.1 tcp 22", "expected" },
		{ "firewall open access 192.0.2.1 tcp 22 x", "expected" },
		{ "firewall open command 192.0.2.1 tcp 22", "no request" },
		{ "firewall open access 192.0.2.300 tcp 22", "no address" },
		{ "firewall open access 192.0.2.1/24 tcp 22", "no address" },
		{ "firewall open access 192.0.2.1} tcp 22", "no address" },
		{ "firewall open access 192.0.2.1 sctp 22", "not tcp or udp" },
		{ "firewall open access 192.0.2.1 6 22", "not tcp or udp" },
		{ "firewall open access 192.0.2.1 tcp 0", "no port" },
		{ "firewall open access 192.0.2.1 tcp 65536", "no port" },
		{ "firewall open access 192.0.2.1 tcp 22;", "no port" },
		{ "firewall open access 192.0.2.1 tcp 022", "no port" },
	};
	struct fx *f = *state;
	char why[256];
	size_t i;

	configure(f, FW_NFTABLES);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (check_line(f, bad[i].line, why, sizeof(why)) !=
		    SPA_ERR_CONFIG)
			fail_msg("accepted: %s", bad[i].line);
		if (strstr(why, bad[i].why) == NULL)
			fail_msg("%s: '%s', expected '%s'", bad[i].line, why,
			    bad[i].why);
	}
	assert_int_equal(check_line(f, "firewall open access 2001:db8::1 udp "
	    "53", why, sizeof(why)), 0);
	assert_int_equal(check_line(f, "firewall close "
	    "client_timeout_access 192.0.2.1 tcp 65535", why, sizeof(why)), 0);
}

/* Until it forwards them, the built-in firewall refuses NAT requests. */
static void
nat_requests_are_refused(void **state)
{
	struct fx *f = *state;
	struct action_env env = { NULL, on_done, f };
	struct action_req req = { .job = 7 };
	struct cmd_argv a;

	configure(f, FW_NFTABLES);
	assert_int_equal(cmd_split("firewall open local_nat_access 192.0.2.1 "
	    "tcp 22", &a), 0);
	req.argv = &a;
	assert_int_equal(action_firewall.open(f->priv, &env, &req), 0);
	assert_int_equal(f->ndone, 1);
	assert_int_equal(f->done_result, SPA_ERR_ACTION);
	assert_non_null(strstr(f->done_detail, "NAT requests are not "
	    "forwarded"));
}

static void
setup_text_keeps_the_sets_and_marks(void **state)
{
	struct conf_firewall fw = { .backend = FW_NFTABLES, .priority = -10,
	    .mark = 0x5350 };
	char buf[FW_NFT_SETUP_MAX];

	(void)state;
	assert_int_equal(fw_nft_setup(&fw, buf, sizeof(buf)), 0);
	assert_string_equal(buf,
	    "add table inet spagate\n"
	    "add set inet spagate allow4 { type ipv4_addr . inet_proto . "
	    "inet_service; flags timeout; }\n"
	    "add set inet spagate allow6 { type ipv6_addr . inet_proto . "
	    "inet_service; flags timeout; }\n"
	    "add chain inet spagate input\n"
	    "flush chain inet spagate input\n"
	    "delete chain inet spagate input\n"
	    "add chain inet spagate input { type filter hook input priority "
	    "-10; policy accept; }\n"
	    "add rule inet spagate input ip saddr . meta l4proto . th dport "
	    "@allow4 meta mark set meta mark or 0x5350 accept\n"
	    "add rule inet spagate input ip6 saddr . meta l4proto . th dport "
	    "@allow6 meta mark set meta mark or 0x5350 accept\n");
	fw.mark = 0;
	fw.table = "gw1";
	assert_int_equal(fw_nft_setup(&fw, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "add rule inet gw1 input ip saddr . meta "
	    "l4proto . th dport @allow4 accept\n"));
	assert_int_equal(fw_nft_setup(&fw, buf, 64), -1);
}

static void
element_text_per_family(void **state)
{
	struct conf_firewall fw = { .backend = FW_NFTABLES };
	struct fw_elem e = { .proto = IPPROTO_UDP, .port = 53 };
	char buf[3 * FW_NFT_ELEM_MAX];

	(void)state;
	assert_int_equal(addr_parse("2001:db8::7", &e.src), 0);
	assert_int_equal(fw_nft_add(&fw, &e, 30, buf, sizeof(buf)), 0);
	assert_string_equal(buf,
	    "add element inet spagate allow6 { 2001:db8::7 . udp . 53 timeout "
	    "30s }\n"
	    "delete element inet spagate allow6 { 2001:db8::7 . udp . 53 }\n"
	    "add element inet spagate allow6 { 2001:db8::7 . udp . 53 timeout "
	    "30s }");
	assert_int_equal(addr_parse("192.0.2.9", &e.src), 0);
	e.proto = IPPROTO_TCP;
	e.port = 22;
	assert_int_equal(fw_nft_delete(&fw, &e, buf, sizeof(buf)), 0);
	assert_string_equal(buf,
	    "delete element inet spagate allow4 { 192.0.2.9 . tcp . 22 }");
}

/* spagated -D shows the group as it reads it: a priority below zero. */
static void
dump_shows_a_negative_priority(void **state)
{
	struct fx *f = *state;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	f->fw->backend = FW_NFTABLES;
	f->fw->priority = -150;
	assert_non_null(fp = open_memstream(&text, &len));
	conf_group_firewall.dump(f->fw, fp);
	fclose(fp);
	assert_non_null(strstr(text, "backend = \"nftables\";\n"));
	assert_non_null(strstr(text, "priority = -150;\n"));
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(implicit_cycle_only_with_a_backend),
		T(reads_only_what_the_variables_give),
		T(nat_requests_are_refused),
		T(dump_shows_a_negative_priority),
		cmocka_unit_test(setup_text_keeps_the_sets_and_marks),
		cmocka_unit_test(element_text_per_family),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
