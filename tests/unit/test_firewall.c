/*
 * The built-in firewall apart from the kernel: the cycle it gives a
 * stanza without a command only when a backend is chosen, its strict
 * reading of the line (each word what its variable gives, nothing that
 * could reach a transaction otherwise), NAT requests refused, the
 * exact nft text of the table and of a grant's element, and the
 * iptables backend's restore text: its chain, the jump, a grant's rule,
 * the start's sweep, a failed run split and a rule already gone.
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
#include "fw_exec.h"
#include "fw_ipt.h"
#include "fw_line.h"
#include "fw_nft.h"
#include "nft_batch.h"
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
	    "firewall open $REQUEST $SRC $PROTO_NAME $PORT $DST nat=$NAT_TO "
	    "force_nat=$STANZA_DNAT force_snat=$STANZA_SNAT "
	    "disable_dnat=$DISABLE_DNAT forward_all=$FORWARD_ALL");
	assert_string_equal(close,
	    "firewall close $REQUEST $SRC $PROTO_NAME $PORT $DST nat=$NAT_TO "
	    "force_nat=$STANZA_DNAT force_snat=$STANZA_SNAT "
	    "disable_dnat=$DISABLE_DNAT forward_all=$FORWARD_ALL");
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

#define NAT_TAIL	" nat=- force_nat=- force_snat=- disable_dnat=N " \
	"forward_all=N"

/* Every NAT word is what its variable gives; NAT needs IPv4 and words. */
static void
nat_words_are_read_strictly(void **state)
{
	static const struct { const char *line, *why; } bad[] = {
		{ "firewall open access 192.0.2.1 tcp 22 192.0.2.9 nat=- "
		    "force_nat=- force_snat=- disable_dnat=N", "expected" },
		{ "firewall open access 192.0.2.1 tcp 22 x" NAT_TAIL,
		    "no address" },
		{ "firewall open access 192.0.2.1 tcp 22 192.0.2.9 nat= "
		    "force_nat=- force_snat=- disable_dnat=N forward_all=N",
		    "nat=<IPv4" },
		{ "firewall open access 192.0.2.1 tcp 22 192.0.2.9 "
		    "nat=192.0.2.5 force_nat=- force_snat=- disable_dnat=N "
		    "forward_all=N", "nat=<IPv4" },
		{ "firewall open access 192.0.2.1 tcp 22 192.0.2.9 "
		    "nat=2001:db8::1:22 force_nat=- force_snat=- "
		    "disable_dnat=N forward_all=N", "nat=<IPv4" },
		{ "firewall open access 192.0.2.1 tcp 22 192.0.2.9 "
		    "nat=192.0.2.5:0 force_nat=- force_snat=- disable_dnat=N "
		    "forward_all=N", "nat=<IPv4" },
		{ "firewall open access 192.0.2.1 tcp 22 192.0.2.9 nat=- "
		    "force=- force_snat=- disable_dnat=N forward_all=N",
		    "force_nat=" },
		{ "firewall open access 192.0.2.1 tcp 22 192.0.2.9 nat=- "
		    "force_nat=- force_snat=masq disable_dnat=N forward_all=N",
		    "force_snat=" },
		{ "firewall open access 192.0.2.1 tcp 22 192.0.2.9 nat=- "
		    "force_nat=- force_snat=- disable_dnat=y forward_all=N",
		    "disable_dnat=" },
		{ "firewall open access 192.0.2.1 tcp 22 192.0.2.9 nat=- "
		    "force_nat=- force_snat=- disable_dnat=N forward_all=",
		    "forward_all=" },
		{ "firewall open access 192.0.2.1 tcp 22 192.0.2.9 nat=- "
		    "force_nat=- force_snat=- disable_dnat=N forward_all=Y",
		    "FORWARD_ALL is not done" },
		{ "firewall open access 192.0.2.1 tcp 22 192.0.2.9 nat=- "
		    "force_nat=10.0.0.5:22 force_snat=- disable_dnat=N "
		    "forward_all=N", "FORCE_NAT needs" },
		{ "firewall open nat_access 192.0.2.1 tcp 22 192.0.2.9"
		    NAT_TAIL, "needs the line's NAT words" },
		{ "firewall open nat_access 192.0.2.1 tcp 22", "needs the "
		    "line's NAT words" },
		{ "firewall open nat_access 2001:db8::1 tcp 22 2001:db8::9 "
		    "nat=10.0.0.5:22 force_nat=- force_snat=- disable_dnat=N "
		    "forward_all=N", "IPv4 only" },
		{ "firewall open local_nat_access 192.0.2.1 tcp 80 2001:db8::9 "
		    "nat=192.0.2.9:22 force_nat=- force_snat=- disable_dnat=N "
		    "forward_all=N", "local NAT needs" },
	};
	struct fx *f = *state;
	char why[256];
	size_t i;

	configure(f, FW_NFTABLES);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(check_line(f, bad[i].line, why, sizeof(why)),
		    SPA_ERR_CONFIG);
		if (strstr(why, bad[i].why) == NULL)
			fail_msg("%s: got '%s'", bad[i].line, why);
	}
	assert_int_equal(check_line(f, "firewall open access 192.0.2.1 tcp 22 "
	    "192.0.2.9" NAT_TAIL, why, sizeof(why)), 0);
	assert_int_equal(check_line(f, "firewall open nat_access 192.0.2.1 "
	    "tcp 5022 192.0.2.9 nat=10.0.0.5:22 force_nat=- "
	    "force_snat=10.9.9.9 disable_dnat=Y forward_all=N", why,
	    sizeof(why)), 0);
	f->conf.nat_forwarding = true;
	configure(f, FW_NFTABLES);
	assert_int_equal(check_line(f, "firewall open access 192.0.2.1 tcp 22 "
	    "192.0.2.9 nat=- force_nat=10.0.0.5:22 force_snat=masquerade "
	    "disable_dnat=N forward_all=N", why, sizeof(why)), 0);
}

static void
setup_text_keeps_the_sets_and_marks(void **state)
{
	struct conf_firewall fw = { .backend = FW_NFTABLES, .priority = -10,
	    .mark = 0x5350 };
	char buf[FW_NFT_SETUP_MAX];

	(void)state;
	assert_int_equal(fw_nft_setup(&fw, buf, sizeof(buf)), 0);
	assert_int_equal(strncmp(buf,
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
	    "@allow6 meta mark set meta mark or 0x5350 accept\n", (size_t)(strstr(buf, "add map") - buf)), 0);
	assert_string_equal(strstr(buf, "add map"),
	    "add map inet spagate dnat4 { type ipv4_addr . inet_proto . "
	    "inet_service : ipv4_addr . inet_service; flags timeout; }\n"
	    "add set inet spagate fwd4 { type ipv4_addr . ipv4_addr . "
	    "inet_proto . inet_service; flags timeout; }\n"
	    "add map inet spagate snat4 { type ipv4_addr . ipv4_addr . "
	    "inet_proto . inet_service : ipv4_addr; flags timeout; }\n"
	    "add set inet spagate masq4 { type ipv4_addr . ipv4_addr . "
	    "inet_proto . inet_service; flags timeout; }\n"
	    "add chain inet spagate prerouting\n"
	    "flush chain inet spagate prerouting\n"
	    "delete chain inet spagate prerouting\n"
	    "add chain inet spagate prerouting { type nat hook prerouting "
	    "priority dstnat; policy accept; }\n"
	    "add rule inet spagate prerouting dnat ip to ip saddr . meta "
	    "l4proto . th dport map @dnat4\n"
	    "add chain inet spagate forward\n"
	    "flush chain inet spagate forward\n"
	    "delete chain inet spagate forward\n"
	    "add chain inet spagate forward { type filter hook forward "
	    "priority -10; policy accept; }\n"
	    "add rule inet spagate forward ip saddr . ip daddr . meta l4proto "
	    ". th dport @fwd4 meta mark set meta mark or 0x5350 accept\n"
	    "add chain inet spagate postrouting\n"
	    "flush chain inet spagate postrouting\n"
	    "delete chain inet spagate postrouting\n"
	    "add chain inet spagate postrouting { type nat hook postrouting "
	    "priority srcnat; policy accept; }\n"
	    "add rule inet spagate postrouting snat ip to ip saddr . ip daddr "
	    ". meta l4proto . th dport map @snat4\n"
	    "add rule inet spagate postrouting ip saddr . ip daddr . meta "
	    "l4proto . th dport @masq4 masquerade\n"
	    "add chain inet spagate output\n"
	    "flush chain inet spagate output\n"
	    "delete chain inet spagate output\n");
	/* firewall.output: the host's answers to a granted source */
	fw.output = true;
	assert_int_equal(fw_nft_setup(&fw, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "delete chain inet spagate output\n"
	    "add chain inet spagate output { type filter hook output priority "
	    "-10; policy accept; }\n"
	    "add rule inet spagate output ip daddr . meta l4proto . th sport "
	    "@allow4 meta mark set meta mark or 0x5350 accept\n"
	    "add rule inet spagate output ip6 daddr . meta l4proto . th sport "
	    "@allow6 meta mark set meta mark or 0x5350 accept\n"));
	fw.output = false;
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
	assert_int_equal(fw_nft_add(&fw, &e, 30, true, buf, sizeof(buf)), 0);
	assert_string_equal(buf,
	    "add element inet spagate allow6 { 2001:db8::7 . udp . 53 timeout "
	    "30s }\n"
	    "delete element inet spagate allow6 { 2001:db8::7 . udp . 53 }\n"
	    "add element inet spagate allow6 { 2001:db8::7 . udp . 53 timeout "
	    "30s }");
	/* an element that should be new: created, one command */
	assert_int_equal(fw_nft_add(&fw, &e, 30, false, buf, sizeof(buf)), 0);
	assert_string_equal(buf,
	    "create element inet spagate allow6 { 2001:db8::7 . udp . 53 "
	    "timeout 30s }");
	assert_int_equal(addr_parse("192.0.2.9", &e.src), 0);
	e.proto = IPPROTO_TCP;
	e.port = 22;
	assert_int_equal(fw_nft_delete(&fw, &e, buf, sizeof(buf)), 0);
	assert_string_equal(buf,
	    "delete element inet spagate allow4 { 192.0.2.9 . tcp . 22 }");
}

/* What a line grants, as nft text: fw_line_read then fw_nft_add. */
static const char *
grant_text(const char *line, const struct fw_nat_opts *o)
{
	static char buf[FW_NFT_GRANT_MAX];
	struct conf_firewall fw = { .backend = FW_NFTABLES };
	struct fw_elem e;
	struct cmd_argv a;
	char why[256];

	assert_int_equal(cmd_split(line, &a), 0);
	if (fw_line_read(&a, o, false, &e, why, sizeof(why)) != 0)
		fail_msg("%s: refused: %s", line, why);
	assert_int_equal(fw_nft_delete(&fw, &e, buf, sizeof(buf)), 0);
	return buf;
}

#define W(req, src, port, dst, nat, force, snat, dis) \
	"firewall open " req " " src " tcp " port " " dst " nat=" nat \
	" force_nat=" force " force_snat=" snat " disable_dnat=" dis \
	" forward_all=N"

/*
 * The grants of local NAT (to $DST, whatever host the packet names),
 * forwarding NAT (SNAT: the stanza's first, then firewall.snat),
 * FORCE_NAT and DISABLE_DNAT.
 */
static void
line_grants_nat_as_fwknopd(void **state)
{
	struct fw_nat_opts o = { .nat_forwarding = true, .nat_local = true };

	(void)state;
	assert_string_equal(grant_text(W("local_nat_access", "192.0.2.7",
	    "80", "192.0.2.1", "10.9.9.9:22", "-", "-", "N"), &o),
	    "delete element inet spagate dnat4 { 192.0.2.7 . tcp . 80 }\n"
	    "delete element inet spagate allow4 { 192.0.2.7 . tcp . 22 }");
	{
		struct fw_elem e;
		struct cmd_argv a;
		char why[256];

		assert_int_equal(cmd_split(W("client_timeout_local_nat_access",
		    "192.0.2.7", "80", "192.0.2.1", "10.9.9.9:22", "-", "-",
		    "N"), &a), 0);
		assert_int_equal(fw_line_read(&a, &o, false, &e, why,
		    sizeof(why)), 0);
		assert_int_equal(e.kind, FW_LOCAL_NAT);
		assert_string_equal(addr_fmt(&e.to, why), "192.0.2.1");
		assert_int_equal(e.to_port, 22);
		assert_int_equal(e.snat, FW_SNAT_NONE);
	}
	assert_string_equal(grant_text(W("nat_access", "192.0.2.7", "5022",
	    "192.0.2.1", "10.0.0.5:22", "-", "-", "N"), &o),
	    "delete element inet spagate dnat4 { 192.0.2.7 . tcp . 5022 }\n"
	    "delete element inet spagate fwd4 { 192.0.2.7 . 10.0.0.5 . tcp . "
	    "22 }");
	o.snat = true;
	assert_non_null(strstr(grant_text(W("nat_access", "192.0.2.7", "5022",
	    "192.0.2.1", "10.0.0.5:22", "-", "-", "N"), &o),
	    "\ndelete element inet spagate masq4 { 192.0.2.7 . 10.0.0.5 . "
	    "tcp . 22 }"));
	o.snat_address = "198.51.100.1";
	assert_non_null(strstr(grant_text(W("nat_access", "192.0.2.7", "5022",
	    "192.0.2.1", "10.0.0.5:22", "-", "-", "N"), &o),
	    "\ndelete element inet spagate snat4 {"));
	/* the stanza's FORCE_MASQUERADE outvotes firewall.snat_address */
	assert_non_null(strstr(grant_text(W("nat_access", "192.0.2.7", "5022",
	    "192.0.2.1", "10.0.0.5:22", "-", "masquerade", "N"), &o),
	    "masq4"));
	/* FORCE_NAT: a plain access is forwarded to its address and port */
	o.snat = false;
	assert_string_equal(grant_text(W("access", "192.0.2.7", "443",
	    "192.0.2.1", "-", "10.1.1.1:8443", "-", "N"), &o),
	    "delete element inet spagate dnat4 { 192.0.2.7 . tcp . 443 }\n"
	    "delete element inet spagate fwd4 { 192.0.2.7 . 10.1.1.1 . tcp . "
	    "8443 }");
	/* DISABLE_DNAT: the forward alone */
	assert_string_equal(grant_text(W("access", "192.0.2.7", "443",
	    "192.0.2.1", "-", "10.1.1.1:8443", "-", "Y"), &o),
	    "delete element inet spagate fwd4 { 192.0.2.7 . 10.1.1.1 . tcp . "
	    "8443 }");
	/* no NAT: the accept, as before */
	assert_string_equal(grant_text(W("access", "2001:db8::7", "22",
	    "2001:db8::1", "-", "-", "-", "N"), &o),
	    "delete element inet spagate allow6 { 2001:db8::7 . tcp . 22 }");
	assert_string_equal(grant_text("firewall close access 192.0.2.7 udp "
	    "53", &o), "delete element inet spagate allow4 { 192.0.2.7 . "
	    "udp . 53 }");
}

/* A local NAT: DNAT to $DST and the service port's accept. */
static void
element_text_for_nat(void **state)
{
	struct conf_firewall fw = { .backend = FW_NFTABLES };
	struct fw_elem e = { .proto = IPPROTO_TCP, .port = 80,
	    .kind = FW_LOCAL_NAT, .dnat = true, .to_port = 22 };
	char buf[FW_NFT_GRANT_MAX];

	(void)state;
	assert_int_equal(addr_parse("192.0.2.7", &e.src), 0);
	assert_int_equal(addr_parse("192.0.2.1", &e.to), 0);
	assert_int_equal(fw_nft_add(&fw, &e, 30, true, buf, sizeof(buf)), 0);
	assert_string_equal(buf,
	    "add element inet spagate dnat4 { 192.0.2.7 . tcp . 80 timeout 30s"
	    " : 192.0.2.1 . 22 }\n"
	    "delete element inet spagate dnat4 { 192.0.2.7 . tcp . 80 }\n"
	    "add element inet spagate dnat4 { 192.0.2.7 . tcp . 80 timeout 30s"
	    " : 192.0.2.1 . 22 }\n"
	    "add element inet spagate allow4 { 192.0.2.7 . tcp . 22 timeout "
	    "30s }\n"
	    "delete element inet spagate allow4 { 192.0.2.7 . tcp . 22 }\n"
	    "add element inet spagate allow4 { 192.0.2.7 . tcp . 22 timeout "
	    "30s }");
	assert_int_equal(fw_nft_delete(&fw, &e, buf, sizeof(buf)), 0);
	assert_string_equal(buf,
	    "delete element inet spagate dnat4 { 192.0.2.7 . tcp . 80 }\n"
	    "delete element inet spagate allow4 { 192.0.2.7 . tcp . 22 }");
	/* forwarding: DNAT, forward, SNAT to an address or masquerade */
	e.kind = FW_FWD_NAT;
	e.snat = FW_SNAT_ADDR;
	assert_int_equal(addr_parse("10.0.0.5", &e.to), 0);
	assert_int_equal(addr_parse("198.51.100.1", &e.snat_addr), 0);
	assert_int_equal(fw_nft_delete(&fw, &e, buf, sizeof(buf)), 0);
	assert_string_equal(buf,
	    "delete element inet spagate dnat4 { 192.0.2.7 . tcp . 80 }\n"
	    "delete element inet spagate fwd4 { 192.0.2.7 . 10.0.0.5 . tcp . "
	    "22 }\n"
	    "delete element inet spagate snat4 { 192.0.2.7 . 10.0.0.5 . tcp . "
	    "22 }");
	assert_int_equal(fw_nft_add(&fw, &e, 9, true, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "\nadd element inet spagate snat4 { "
	    "192.0.2.7 . 10.0.0.5 . tcp . 22 timeout 9s : 198.51.100.1 }"));
	e.snat = FW_SNAT_MASQ;
	e.dnat = false;
	assert_int_equal(fw_nft_delete(&fw, &e, buf, sizeof(buf)), 0);
	assert_string_equal(buf,
	    "delete element inet spagate fwd4 { 192.0.2.7 . 10.0.0.5 . tcp . "
	    "22 }\n"
	    "delete element inet spagate masq4 { 192.0.2.7 . 10.0.0.5 . tcp . "
	    "22 }");
}

/* A NAT map's elements no held grant has are deleted at start. */
static void
nft_sweep_nat_keeps_held_grants(void **state)
{
	struct conf_firewall fw = { .backend = FW_NFTABLES };
	const char *listing = "table inet spagate {\n\tmap dnat4 {\n"
	    "\t\ttype ipv4_addr . inet_proto . inet_service : ipv4_addr . "
	    "inet_service\n\t\tflags timeout\n"
	    "\t\telements = { 192.0.2.7 . tcp . 80 timeout 30s expires 29s : "
	    "192.0.2.1 . 22,\n"
	    "\t\t\t     192.0.2.8 . tcp . 80 timeout 30s expires 29s : "
	    "192.0.2.1 . 22 }\n\t}\n}\n";
	struct fw_elem held = { .proto = IPPROTO_TCP, .port = 80,
	    .kind = FW_LOCAL_NAT, .dnat = true, .to_port = 22 };
	char buf[1024];
	size_t swept;

	(void)state;
	assert_int_equal(addr_parse("192.0.2.7", &held.src), 0);
	assert_int_equal(addr_parse("192.0.2.1", &held.to), 0);
	assert_int_equal(fw_nft_sweep_nat(&fw, "dnat4", listing, &held, 1, buf,
	    sizeof(buf), &swept), 0);
	assert_string_equal(buf,
	    "delete element inet spagate dnat4 { 192.0.2.8 . tcp . 80 }\n");
	assert_int_equal(swept, 1);
	assert_int_equal(fw_nft_sweep_nat(&fw, "fwd4", "table inet spagate {\n"
	    "\tset fwd4 {\n\t\telements = { 192.0.2.7 . 10.0.0.5 . tcp . 22 "
	    "timeout 9s expires 8s }\n\t}\n}\n", NULL, 0, buf, sizeof(buf),
	    &swept), 0);
	assert_string_equal(buf, "delete element inet spagate fwd4 { "
	    "192.0.2.7 . 10.0.0.5 . tcp . 22 }\n");
	assert_int_equal(fw_nft_sweep_nat(&fw, "masq4", "set masq4 {\n}\n",
	    NULL, 0, buf, sizeof(buf), &swept), 0);
	assert_int_equal(swept, 0);
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


#define CH	"SPAGATE_INPUT"

static struct fw_ipt_rule
rule(const char *src, uint8_t proto, uint16_t port, int64_t exp)
{
	struct fw_ipt_rule r = { .e = { .proto = proto, .port = port },
	    .exp = exp };

	assert_int_equal(addr_parse(src, &r.e.src), 0);
	return r;
}

/* A grant's rule as iptables-save prints it, IPv4 and IPv6. */
static void
ipt_rule_text_per_family(void **state)
{
	struct fw_ipt_rule r = rule("192.0.2.1", IPPROTO_TCP, 22, 1800000000);
	char buf[FW_IPT_LINE_MAX];

	(void)state;
	assert_int_equal(fw_ipt_line(CH, true, &r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "-A SPAGATE_INPUT -s 192.0.2.1/32 -p tcp "
	    "-m tcp --dport 22 -m comment --comment spagate_exp_1800000000 "
	    "-j ACCEPT");
	r = rule("2001:db8::7", IPPROTO_UDP, 53, 1800000030);
	assert_int_equal(fw_ipt_line(CH, false, &r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "-D SPAGATE_INPUT -s 2001:db8::7/128 -p udp "
	    "-m udp --dport 53 -m comment --comment spagate_exp_1800000030 "
	    "-j ACCEPT");
	assert_int_equal(fw_ipt_line(CH, true, &r, buf, 40), -1);
}

#define SAVED_HEAD "# Generated by iptables-save v1.8.9\n*filter\n" \
	":INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"

/* A chain that is missing is declared; the jump goes first. */
static void
ipt_setup_makes_the_chain_and_jump(void **state)
{
	char buf[1024];
	size_t swept = 9;

	(void)state;
	assert_int_equal(fw_ipt_setup(CH, SAVED_HEAD "-A INPUT -m conntrack "
	    "--ctstate RELATED,ESTABLISHED -j ACCEPT\nCOMMIT\n", true, NULL,
	    0, buf, sizeof(buf), &swept), 0);
	assert_string_equal(buf, ":SPAGATE_INPUT - [0:0]\n"
	    "-I INPUT 1 -j SPAGATE_INPUT\n");
	assert_int_equal(swept, 0);
}

/* Chain there, jump first and once: nothing (a reload adds no jump). */
static void
ipt_setup_leaves_a_first_jump_alone(void **state)
{
	char buf[1024];
	size_t swept;

	(void)state;
	assert_int_equal(fw_ipt_setup(CH, SAVED_HEAD ":SPAGATE_INPUT - [0:0]\n"
	    "-A INPUT -j SPAGATE_INPUT\n-A INPUT -m conntrack --ctstate "
	    "RELATED,ESTABLISHED -j ACCEPT\nCOMMIT\n", false, NULL, 0, buf,
	    sizeof(buf), &swept), 0);
	assert_string_equal(buf, "");
}

/* A jump elsewhere, or twice, ends as one jump at position 1. */
static void
ipt_setup_puts_one_jump_first(void **state)
{
	char buf[1024];
	size_t swept;

	(void)state;
	assert_int_equal(fw_ipt_setup(CH, SAVED_HEAD ":SPAGATE_INPUT - [0:0]\n"
	    "-A INPUT -i lo -j ACCEPT\n-A INPUT -j SPAGATE_INPUT\n"
	    "-A INPUT -j SPAGATE_INPUT_X\n-A INPUT -j SPAGATE_INPUT\nCOMMIT\n",
	    false, NULL, 0, buf, sizeof(buf), &swept), 0);
	assert_string_equal(buf, "-D INPUT -j SPAGATE_INPUT\n"
	    "-D INPUT -j SPAGATE_INPUT\n-I INPUT 1 -j SPAGATE_INPUT\n");
	assert_int_equal(fw_ipt_setup(CH, SAVED_HEAD "-A INPUT -j "
	    "SPAGATE_INPUT\n-A INPUT -j SPAGATE_INPUT\n", false, NULL, 0, buf,
	    sizeof(buf), &swept), 0);
	assert_string_equal(buf, ":SPAGATE_INPUT - [0:0]\n"
	    "-D INPUT -j SPAGATE_INPUT\n-D INPUT -j SPAGATE_INPUT\n"
	    "-I INPUT 1 -j SPAGATE_INPUT\n");
	assert_int_equal(fw_ipt_setup(CH, "", false, NULL, 0, buf, 20,
	    &swept), -1);
}

#define HELD_RULE "-A SPAGATE_INPUT -s 192.0.2.1/32 -p tcp -m tcp " \
	"--dport 22 -m comment --comment spagate_exp_1800000000 -j ACCEPT\n"
#define STALE_RULE "-A SPAGATE_INPUT -s 192.0.2.2/32 -p tcp -m tcp " \
	"--dport 22 -m comment --comment spagate_exp_1700000000 -j ACCEPT\n"
#define OTHER_RULE "-A SPAGATE_INPUT -p icmp -j ACCEPT\n"

/*
 * At start, the chain keeps the rules journaled cycles hold (their
 * comment read back, for the close) and loses every other; at a reload
 * (no sweep) nothing is removed.
 */
static void
ipt_setup_sweeps_what_no_cycle_holds(void **state)
{
	const char *saved = SAVED_HEAD ":SPAGATE_INPUT - [0:0]\n"
	    "-A INPUT -j SPAGATE_INPUT\n" STALE_RULE HELD_RULE OTHER_RULE
	    HELD_RULE "COMMIT\n";
	struct fw_ipt_rule held[2];
	char buf[2048];
	size_t swept;

	(void)state;
	held[0] = rule("192.0.2.9", IPPROTO_TCP, 22, 0);
	held[1] = rule("192.0.2.1", IPPROTO_TCP, 22, 0);
	assert_int_equal(fw_ipt_setup(CH, saved, true, held, 2, buf,
	    sizeof(buf), &swept), 0);
	assert_string_equal(buf, "-D SPAGATE_INPUT -s 192.0.2.2/32 -p tcp "
	    "-m tcp --dport 22 -m comment --comment spagate_exp_1700000000 "
	    "-j ACCEPT\n-D SPAGATE_INPUT -p icmp -j ACCEPT\n"
	    "-D SPAGATE_INPUT -s 192.0.2.1/32 -p tcp -m tcp --dport 22 -m "
	    "comment --comment spagate_exp_1800000000 -j ACCEPT\n");
	assert_int_equal(swept, 3);
	assert_false(held[0].seen);
	assert_true(held[1].seen);
	assert_int_equal(held[1].exp, 1800000000);
	held[1].seen = false;
	assert_int_equal(fw_ipt_setup(CH, saved, false, held, 2, buf,
	    sizeof(buf), &swept), 0);
	assert_string_equal(buf, "");
	assert_int_equal(swept, 0);
}

/* A lone delete's failure that says the rule was not there. */
static const struct fw_ipt_chains NAT_CH = { "SPAGATE_INPUT",
    "SPAGATE_FORWARD", "SPAGATE_PREROUTING", "SPAGATE_POSTROUTING",
    "SPAGATE_OUTPUT" };

/* A NAT grant's rules: fwknopd's DNAT, FORWARD, SNAT or MASQUERADE. */
static void
ipt_nat_grant_text(void **state)
{
	struct fw_ipt_rule r = rule("192.0.2.7", IPPROTO_TCP, 80, 1800000000);
	char buf[FW_IPT_GRANT_MAX];

	(void)state;
	r.e.kind = FW_LOCAL_NAT;
	r.e.dnat = true;
	r.e.to_port = 22;
	assert_int_equal(addr_parse("192.0.2.1", &r.e.to), 0);
	assert_int_equal(fw_ipt_grant(&NAT_CH, true, &r, buf, sizeof(buf)), 0);
	assert_string_equal(buf,
	    "-A SPAGATE_INPUT -s 192.0.2.7/32 -p tcp -m tcp --dport 22 -m "
	    "comment --comment spagate_exp_1800000000 -j ACCEPT\n"
	    "nat -A SPAGATE_PREROUTING -s 192.0.2.7/32 -p tcp -m tcp --dport 80 "
	    "-m comment --comment spagate_exp_1800000000 -j DNAT "
	    "--to-destination 192.0.2.1:22");
	r.e.kind = FW_FWD_NAT;
	r.e.snat = FW_SNAT_MASQ;
	assert_int_equal(addr_parse("10.0.0.5", &r.e.to), 0);
	assert_int_equal(fw_ipt_grant(&NAT_CH, false, &r, buf, sizeof(buf)), 0);
	assert_string_equal(buf,
	    "-D SPAGATE_FORWARD -s 192.0.2.7/32 -d 10.0.0.5/32 -p tcp -m tcp "
	    "--dport 22 -m comment --comment spagate_exp_1800000000 -j ACCEPT\n"
	    "nat -D SPAGATE_PREROUTING -s 192.0.2.7/32 -p tcp -m tcp --dport 80 "
	    "-m comment --comment spagate_exp_1800000000 -j DNAT "
	    "--to-destination 10.0.0.5:22\n"
	    "nat -D SPAGATE_POSTROUTING -s 192.0.2.7/32 -d 10.0.0.5/32 -p tcp -m "
	    "tcp --dport 22 -m comment --comment spagate_exp_1800000000 -j "
	    "MASQUERADE");
	r.e.snat = FW_SNAT_ADDR;
	r.e.dnat = false;
	assert_int_equal(addr_parse("198.51.100.1", &r.e.snat_addr), 0);
	assert_int_equal(fw_ipt_grant(&NAT_CH, true, &r, buf, sizeof(buf)), 0);
	assert_string_equal(buf,
	    "-A SPAGATE_FORWARD -s 192.0.2.7/32 -d 10.0.0.5/32 -p tcp -m tcp "
	    "--dport 22 -m comment --comment spagate_exp_1800000000 -j ACCEPT\n"
	    "nat -A SPAGATE_POSTROUTING -s 192.0.2.7/32 -d 10.0.0.5/32 -p tcp -m "
	    "tcp --dport 22 -m comment --comment spagate_exp_1800000000 -j SNAT "
	    "--to-source 198.51.100.1");
	assert_int_equal(fw_ipt_grant(&NAT_CH, true, &r, buf, 100), -1);
}

/* firewall.output: an access grant's output accept, its chain and jump. */
static void
ipt_output_rule_and_chain(void **state)
{
	struct fw_ipt_rule r = rule("2001:db8::7", IPPROTO_UDP, 53, 9);
	char buf[FW_IPT_GRANT_MAX];
	size_t swept;

	(void)state;
	r.out = true;
	assert_int_equal(fw_ipt_grant(&NAT_CH, true, &r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "-A SPAGATE_INPUT -s 2001:db8::7/128 -p udp "
	    "-m udp --dport 53 -m comment --comment spagate_exp_9 -j ACCEPT\n"
	    "-A SPAGATE_OUTPUT -d 2001:db8::7/128 -p udp -m udp --sport 53 -m "
	    "comment --comment spagate_exp_9 -j ACCEPT");
	r.out = false;
	assert_int_equal(fw_ipt_grant(&NAT_CH, true, &r, buf, sizeof(buf)), 0);
	assert_null(strchr(buf, '\n'));
	r.out = true;
	assert_int_equal(fw_ipt_setup_output(&NAT_CH, SAVED_HEAD
	    ":SPAGATE_OUTPUT - [0:0]\n-A OUTPUT -j SPAGATE_OUTPUT\n"
	    "-A SPAGATE_OUTPUT -d 2001:db8::7/128 -p udp -m udp --sport 53 -m "
	    "comment --comment spagate_exp_12 -j ACCEPT\n"
	    "-A SPAGATE_OUTPUT -d 2001:db8::8/128 -p udp -m udp --sport 53 -m "
	    "comment --comment spagate_exp_12 -j ACCEPT\nCOMMIT\n", true, &r, 1,
	    buf, sizeof(buf), &swept), 0);
	assert_string_equal(buf, "-D SPAGATE_OUTPUT -d 2001:db8::8/128 -p udp "
	    "-m udp --sport 53 -m comment --comment spagate_exp_12 -j ACCEPT\n");
	assert_int_equal(swept, 1);
	assert_int_equal(r.exp, 12);
}

#define NAT_SAVED "*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT " \
	"[0:0]\n:SPAGATE_PREROUTING - [0:0]\n-A PREROUTING -j SPAGATE_PREROUTING\n" \
	"-A SPAGATE_PREROUTING -s 192.0.2.7/32 -p tcp -m tcp --dport 80 -m " \
	"comment --comment spagate_exp_1700000005 -j DNAT --to-destination " \
	"192.0.2.1:22\n" \
	"-A SPAGATE_PREROUTING -s 192.0.2.8/32 -p tcp -m tcp --dport 80 -m " \
	"comment --comment spagate_exp_1700000005 -j DNAT --to-destination " \
	"192.0.2.1:22\nCOMMIT\n"

/*
 * NAT's chains: made if missing, jumped to first from PREROUTING and
 * POSTROUTING (FORWARD in the filter table), a held grant's rule kept
 * (its time read), another's swept; every line marked for *nat.
 */
static void
ipt_setup_nat_chains(void **state)
{
	struct fw_ipt_rule held = rule("192.0.2.7", IPPROTO_TCP, 80, 0);
	char buf[4096];
	size_t swept;

	(void)state;
	held.e.kind = FW_LOCAL_NAT;
	held.e.dnat = true;
	held.e.to_port = 22;
	assert_int_equal(addr_parse("192.0.2.1", &held.e.to), 0);
	assert_int_equal(fw_ipt_setup_nat(&NAT_CH, true, NAT_SAVED, true, &held,
	    1, buf, sizeof(buf), &swept), 0);
	assert_string_equal(buf,
	    "nat -D SPAGATE_PREROUTING -s 192.0.2.8/32 -p tcp -m tcp --dport 80 "
	    "-m comment --comment spagate_exp_1700000005 -j DNAT "
	    "--to-destination 192.0.2.1:22\n"
	    "nat :SPAGATE_POSTROUTING - [0:0]\n"
	    "nat -I POSTROUTING 1 -j SPAGATE_POSTROUTING\n");
	assert_int_equal(swept, 1);
	assert_true(held.seen);
	assert_int_equal(held.exp, 1700000005);
	assert_int_equal(fw_ipt_setup_nat(&NAT_CH, false, SAVED_HEAD "COMMIT\n",
	    false, NULL, 0, buf, sizeof(buf), &swept), 0);
	assert_string_equal(buf, ":SPAGATE_FORWARD - [0:0]\n"
	    "-I FORWARD 1 -j SPAGATE_FORWARD\n");
}

static void
ipt_absent_is_read_from_both_variants(void **state)
{
	(void)state;
	assert_true(fw_ipt_is_absent("iptables-restore: line 2 failed: Bad "
	    "rule (does a matching rule exist in that chain?)."));
	assert_true(fw_ipt_is_absent("iptables-restore: line 2 failed"));
	assert_false(fw_ipt_is_absent("iptables-restore: line 2 failed: "
	    "Permission denied (you must be root)"));
	assert_false(fw_ipt_is_absent("iptables-restore v1.8.9 (legacy): "
	    "invalid port/service `99999' specified"));
	assert_false(fw_ipt_is_absent(""));
}

/* Plays iptables-restore: a run fails whole if any line fails. */
struct fake_ipt {
	size_t	 runs;
	bool	 gone;		/* 192.0.2.100's rule is not there */
};

static int
fake_restore(void *arg, const char *buf, char *err, size_t errlen)
{
	struct fake_ipt *k = arg;

	k->runs++;
	if (strstr(buf, "--dport 99") != NULL) {
		snprintf(err, errlen, "iptables-restore v1.8.9 (legacy): "
		    "invalid port/service `99' specified");
		return -1;
	}
	if (k->gone && strstr(buf, "-D SPAGATE_INPUT -s 192.0.2.100/32") !=
	    NULL) {
		snprintf(err, errlen, "iptables-restore: line 2 failed");
		return -1;
	}
	return 0;
}

static void
units(struct nft_unit *u, size_t n)
{
	struct fw_ipt_rule r;
	char buf[FW_IPT_LINE_MAX], a[32];
	size_t i;

	memset(u, 0, n * sizeof(*u));
	for (i = 0; i < n; i++) {
		snprintf(a, sizeof(a), "192.0.2.%zu", 100 + i);
		r = rule(a, IPPROTO_TCP, 22, 1800000000);
		u[i].is_delete = i % 2 == 0;
		assert_int_equal(fw_ipt_line(CH, !u[i].is_delete, &r, buf,
		    sizeof(buf)), 0);
		assert_non_null(u[i].text = strdup(buf));
	}
}

/*
 * Every rule of a pass in one run; a run that fails is split until the
 * bad rule fails alone with its reason, a delete of a rule already gone
 * is absent, and all the others are applied.
 */
static void
ipt_failed_run_is_split(void **state)
{
	struct nft_unit u[24];
	struct fake_ipt k = { 0 };
	size_t i;

	(void)state;
	units(u, 24);
	assert_int_equal(nft_batch_run_with(u, 24, fake_restore,
	    fw_ipt_is_absent, &k), 1);
	for (i = 0; i < 24; i++)
		assert_int_equal(u[i].outcome, NFT_DONE);
	k.gone = true;
	free(u[7].text);
	assert_non_null(u[7].text = strdup("-A SPAGATE_INPUT -s 192.0.2.7/32 "
	    "-p tcp -m tcp --dport 99 -j ACCEPT"));
	k.runs = 0;
	assert_true(nft_batch_run_with(u, 24, fake_restore, fw_ipt_is_absent,
	    &k) > 1);
	for (i = 0; i < 24; i++) {
		int want = i == 0 ? NFT_ABSENT : i == 7 ? NFT_FAILED : NFT_DONE;

		assert_int_equal(u[i].outcome, want);
		free(u[i].text);
	}
	assert_non_null(strstr(u[7].err, "invalid port/service `99'"));
	assert_true(k.runs < 24);
}

/*
 * At start, the nftables sets lose the elements no journaled cycle
 * holds; those one holds stay.
 */
static void
nft_sweep_deletes_what_no_cycle_holds(void **state)
{
	struct conf_firewall fw = { .backend = FW_NFTABLES };
	const char *listing = "table inet spagate {\n\tset allow4 {\n"
	    "\t\ttype ipv4_addr . inet_proto . inet_service\n"
	    "\t\tflags timeout\n"
	    "\t\telements = { 10.0.0.2 . tcp . 22 timeout 5m expires 4m59s,\n"
	    "\t\t\t     10.0.0.3 . udp . 53 timeout 1m40s expires 1m39s,\n"
	    "\t\t\t     10.0.0.4 . tcp . 80 }\n\t}\n}\n";
	struct fw_elem held[1];
	char buf[1024];
	size_t swept;

	(void)state;
	held[0] = rule("10.0.0.3", IPPROTO_UDP, 53, 0).e;
	assert_int_equal(fw_nft_sweep(&fw, listing, held, 1, buf, sizeof(buf),
	    &swept), 0);
	assert_string_equal(buf,
	    "delete element inet spagate allow4 { 10.0.0.2 . tcp . 22 }\n"
	    "delete element inet spagate allow4 { 10.0.0.4 . tcp . 80 }\n");
	assert_int_equal(swept, 2);
	assert_int_equal(fw_nft_sweep(&fw, "table inet spagate {\n\tset "
	    "allow6 {\n\t\ttype ipv6_addr . inet_proto . inet_service\n"
	    "\t\tflags timeout\n\t\telements = { 2001:db8::1 . tcp . 443 "
	    "timeout 5m expires 4m59s }\n\t}\n}\n", NULL, 0, buf,
	    sizeof(buf), &swept), 0);
	assert_string_equal(buf,
	    "delete element inet spagate allow6 { 2001:db8::1 . tcp . 443 }\n");
	assert_int_equal(fw_nft_sweep(&fw, "table inet spagate {\n\tset "
	    "allow4 {\n\t}\n}\n", NULL, 0, buf, sizeof(buf), &swept), 0);
	assert_string_equal(buf, "");
	assert_int_equal(swept, 0);
}

/* A run: its input and output, its reason on failure, its deadline. */
static void
exec_reads_writes_and_gives_up(void **state)
{
	char cat[] = "/bin/cat", sh[] = "/bin/sh", c[] = "-c", sleep[] =
	    "/bin/sleep", secs[] = "30", none[] = "/nonexistent/iptables";
	char say[] = "echo 'line 2 failed: bad' >&2; echo more >&2; exit 3";
	char *a_cat[] = { cat, NULL }, *a_sh[] = { sh, c, say, NULL };
	char *a_sleep[] = { sleep, secs, NULL }, *a_none[] = { none, NULL };
	char err[256], *out = NULL;

	(void)state;
	assert_int_equal(fw_exec(cat, a_cat, "*filter\nCOMMIT\n", &out,
	    FW_EXEC_TIMEOUT_MS, err, sizeof(err)), 0);
	assert_string_equal(out, "*filter\nCOMMIT\n");
	free(out);
	assert_int_equal(fw_exec(sh, a_sh, "", NULL, FW_EXEC_TIMEOUT_MS, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "line 2 failed: bad");
	assert_int_equal(fw_exec(sleep, a_sleep, "", NULL, 50, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "/bin/sleep did not finish within 50 ms (or "
	    "said too much): killed");
	assert_int_equal(fw_exec(none, a_none, "", NULL, FW_EXEC_TIMEOUT_MS,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot run /nonexistent/iptables"));
}

/* The recheck's probe: each element of a grant, as a dry-run create. */
static void
nft_probe_names_each_element(void **state)
{
	struct conf_firewall fw = { .backend = FW_NFTABLES };
	struct fw_elem e = { .proto = IPPROTO_TCP, .port = 22 };
	char buf[FW_NFT_ELEM_MAX + 32];

	(void)state;
	assert_int_equal(addr_parse("192.0.2.7", &e.src), 0);
	assert_int_equal(fw_nft_probe(&fw, &e, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf,
	    "create element inet spagate allow4 { 192.0.2.7 . tcp . 22 }");
	assert_int_equal(fw_nft_probe(&fw, &e, 1, buf, sizeof(buf)), 1);
	/* a local NAT: its map entry (with the value), then its accept */
	e.kind = FW_LOCAL_NAT;
	e.dnat = true;
	e.port = 80;
	e.to_port = 22;
	assert_int_equal(addr_parse("192.0.2.1", &e.to), 0);
	assert_int_equal(fw_nft_probe(&fw, &e, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "create element inet spagate dnat4 { "
	    "192.0.2.7 . tcp . 80 : 192.0.2.1 . 22 }");
	assert_int_equal(fw_nft_probe(&fw, &e, 1, buf, sizeof(buf)), 0);
	assert_string_equal(buf,
	    "create element inet spagate allow4 { 192.0.2.7 . tcp . 22 }");
	assert_int_equal(fw_nft_probe(&fw, &e, 2, buf, sizeof(buf)), 1);
	assert_int_equal(fw_nft_probe(&fw, &e, 0, buf, 20), -1);
}

/*
 * The recheck reads a grant's rules and the jumps to their chains from
 * iptables-save's lines, in any order.
 */
static void
ipt_verify_reads_the_saved_tables(void **state)
{
	struct fw_ipt_rule r = rule("192.0.2.1", IPPROTO_TCP, 22, 1800000000);
	struct fw_ipt_saved filter, nat;
	size_t there, total;
	bool jumps;

	(void)state;
	assert_int_equal(fw_ipt_saved_index(&filter, strdup(SAVED_HEAD
	    STALE_RULE ":SPAGATE_INPUT - [0:0]\n" OTHER_RULE HELD_RULE
	    "-A INPUT -j SPAGATE_INPUT\nCOMMIT\n")), 0);
	assert_int_equal(fw_ipt_saved_index(&nat, strdup("*nat\nCOMMIT\n")),
	    0);
	assert_int_equal(fw_ipt_verify(&NAT_CH, &r, &filter, &nat, &there,
	    &total, &jumps), 0);
	assert_true(there == 1 && total == 1 && jumps);
	/* another close time is another rule */
	r.exp++;
	assert_int_equal(fw_ipt_verify(&NAT_CH, &r, &filter, &nat, &there,
	    &total, &jumps), 0);
	assert_true(there == 0 && total == 1 && jumps);
	r.exp--;
	/* a local NAT whose DNAT is gone from the nat table, and its jump */
	r.e.kind = FW_LOCAL_NAT;
	r.e.dnat = true;
	r.e.port = 80;
	r.e.to_port = 22;
	assert_int_equal(addr_parse("192.0.2.9", &r.e.to), 0);
	assert_int_equal(fw_ipt_verify(&NAT_CH, &r, &filter, &nat, &there,
	    &total, &jumps), 0);
	assert_true(there == 1 && total == 2 && !jumps);
	assert_int_equal(fw_ipt_verify(&NAT_CH, &r, &filter, NULL, &there,
	    &total, &jumps), 0);
	assert_true(there == 1 && total == 2 && !jumps);
	fw_ipt_saved_free(&filter);
	/* the chain flushed and its jump deleted */
	r.e.kind = FW_ACCESS;
	assert_int_equal(fw_ipt_saved_index(&filter, strdup(SAVED_HEAD
	    ":SPAGATE_INPUT - [0:0]\nCOMMIT\n")), 0);
	assert_int_equal(fw_ipt_verify(&NAT_CH, &r, &filter, &nat, &there,
	    &total, &jumps), 0);
	assert_true(there == 0 && total == 1 && !jumps);
	assert_false(fw_ipt_saved_has(&filter, "-A INPUT -j SPAGATE_INPUT"));
	assert_true(fw_ipt_saved_has(&filter, "COMMIT"));
	fw_ipt_saved_free(&filter);
	fw_ipt_saved_free(&nat);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(implicit_cycle_only_with_a_backend),
		T(reads_only_what_the_variables_give),
		T(nat_words_are_read_strictly),
		T(dump_shows_a_negative_priority),
		cmocka_unit_test(setup_text_keeps_the_sets_and_marks),
		cmocka_unit_test(element_text_per_family),
		cmocka_unit_test(element_text_for_nat),
		cmocka_unit_test(line_grants_nat_as_fwknopd),
		cmocka_unit_test(nft_sweep_nat_keeps_held_grants),
		cmocka_unit_test(ipt_rule_text_per_family),
		cmocka_unit_test(ipt_setup_makes_the_chain_and_jump),
		cmocka_unit_test(ipt_setup_leaves_a_first_jump_alone),
		cmocka_unit_test(ipt_setup_puts_one_jump_first),
		cmocka_unit_test(ipt_setup_sweeps_what_no_cycle_holds),
		cmocka_unit_test(ipt_nat_grant_text),
		cmocka_unit_test(ipt_setup_nat_chains),
		cmocka_unit_test(ipt_output_rule_and_chain),
		cmocka_unit_test(ipt_absent_is_read_from_both_variants),
		cmocka_unit_test(ipt_failed_run_is_split),
		cmocka_unit_test(exec_reads_writes_and_gives_up),
		cmocka_unit_test(nft_sweep_deletes_what_no_cycle_holds),
		cmocka_unit_test(nft_probe_names_each_element),
		cmocka_unit_test(ipt_verify_reads_the_saved_tables),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
