/*
 * The ipset action module without a kernel: command lines read into
 * struct ipset_op for every set type and family, options, the many lines
 * refused (with their reasons), each element shape loaded into libipset's
 * data as it goes to the kernel, elements checked against set types,
 * routing by first word, a refused line completing its request through
 * action_done(), and the policy refused at load for a bad ipset line.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <libipset/data.h>
#include <libipset/nfproto.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "access_int.h"
#include "action.h"
#include "err.h"
#include "ipset_elem.h"
#include "ipset_parse.h"
#include "plan.h"
#include "subst.h"

/* --- helpers ------------------------------------------------------------- */

static int
parse(const char *line, struct ipset_op *op, char *why, size_t whylen)
{
	struct cmd_argv a;

	if (cmd_split(line, &a) != 0)
		fail_msg("test line cannot be split: %s", line);
	why[0] = '\0';
	return ipset_op_parse(a.argc, a.argv, op, why, whylen);
}

static struct ipset_op
accepted(const char *line)
{
	struct ipset_op op;
	char why[256];

	if (parse(line, &op, why, sizeof(why)) != 0)
		fail_msg("'%s' refused: %s", line, why);
	return op;
}

static void
assert_refused(const char *line, const char *why_part)
{
	struct ipset_op op;
	char why[256];

	if (parse(line, &op, why, sizeof(why)) != SPA_ERR_ARG)
		fail_msg("'%s' accepted", line);
	if (strstr(why, why_part) == NULL)
		fail_msg("'%s': reason '%s' lacks '%s'", line, why, why_part);
}

static void
assert_addr(const struct spa_addr *a, const char *want)
{
	char buf[ADDR_STRLEN];

	assert_string_equal(addr_fmt(a, buf), want);
}

static void
assert_format(const char *line, const char *want)
{
	struct ipset_op op = accepted(line);
	char buf[512];

	ipset_op_format(&op, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

/* --- accepted lines: every set type, both families ---------------------- */

static void
element_ip(void **state)
{
	struct ipset_op op = accepted("ipset add spa4 192.0.2.7");

	assert_int_equal(op.cmd, IPSET_OP_ADD);
	assert_string_equal(op.set, "spa4");
	assert_int_equal(op.ip.family, AF_INET);
	assert_addr(&op.ip, "192.0.2.7");
	assert_false(op.has_port || op.has_ip2 || op.has_timeout ||
	    op.has_comment || op.exist);
	assert_int_equal(op.prefix, 0);
	op = accepted("/usr/sbin/ipset del spa6 2001:db8::7");
	assert_int_equal(op.cmd, IPSET_OP_DEL);
	assert_int_equal(op.ip.family, AF_INET6);
	assert_addr(&op.ip, "2001:db8::7");
}

static void
element_ip_port(void **state)
{
	struct ipset_op op = accepted("ipset add spa4 192.0.2.7,tcp:22");

	assert_true(op.has_port);
	assert_int_equal(op.proto, IPPROTO_TCP);
	assert_int_equal(op.port, 22);
	op = accepted("ipset add spa6 2001:db8::7,udp:53");
	assert_int_equal(op.ip.family, AF_INET6);
	assert_int_equal(op.proto, IPPROTO_UDP);
	assert_int_equal(op.port, 53);
	/* a bare port is tcp, as in ipset; fwknopd's $PROTO gives 6 or 17 */
	op = accepted("ipset test spa4 192.0.2.7,2222");
	assert_int_equal(op.cmd, IPSET_OP_TEST);
	assert_int_equal(op.proto, IPPROTO_TCP);
	assert_int_equal(op.port, 2222);
	op = accepted("ipset add spa4 192.0.2.7,17:65535");
	assert_int_equal(op.proto, IPPROTO_UDP);
	assert_int_equal(op.port, 65535);
	op = accepted("ipset add spa4 192.0.2.7,6:1");
	assert_int_equal(op.proto, IPPROTO_TCP);
	assert_int_equal(op.port, 1);
}

static void
element_net(void **state)
{
	struct ipset_op op = accepted("ipset add nets 198.51.100.0/24");

	assert_int_equal(op.prefix, 24);
	assert_false(op.has_port);
	op = accepted("ipset add nets6 2001:db8::/48");
	assert_int_equal(op.ip.family, AF_INET6);
	assert_int_equal(op.prefix, 48);
	op = accepted("ipset add nets 192.0.2.7/32");
	assert_int_equal(op.prefix, 32);
	op = accepted("ipset add nets6 2001:db8::1/128");
	assert_int_equal(op.prefix, 128);
}

static void
element_net_port(void **state)
{
	struct ipset_op op = accepted("ipset add np 198.51.100.0/25,udp:500");

	assert_int_equal(op.prefix, 25);
	assert_int_equal(op.proto, IPPROTO_UDP);
	assert_int_equal(op.port, 500);
	op = accepted("ipset add np6 2001:db8:1::/64,tcp:443");
	assert_int_equal(op.prefix, 64);
	assert_int_equal(op.port, 443);
}

static void
element_ip_port_ip(void **state)
{
	struct ipset_op op = accepted("ipset add d4 192.0.2.7,tcp:22,198.51.100.1");

	assert_true(op.has_port && op.has_ip2);
	assert_addr(&op.ip2, "198.51.100.1");
	op = accepted("ipset add d6 2001:db8::7,udp:53,2001:db8::53");
	assert_int_equal(op.ip2.family, AF_INET6);
	assert_addr(&op.ip2, "2001:db8::53");
}

static void
options(void **state)
{
	struct ipset_op op;

	op = accepted("ipset -exist add spa4 192.0.2.7,tcp:22 timeout 30");
	assert_true(op.exist && op.has_timeout);
	/* as the ipset tool, and many fwknopd configurations, write it */
	op = accepted("ipset add spa4 192.0.2.7,tcp:22 timeout 30 -exist");
	assert_true(op.exist && op.has_timeout);
	op = accepted("ipset add spa4 192.0.2.7,tcp:22 -! timeout 30");
	assert_true(op.exist && op.has_timeout);
	assert_int_equal(op.timeout, 30);
	op = accepted("ipset -! add spa4 192.0.2.7,tcp:22 timeout 0");
	assert_true(op.exist && op.has_timeout);
	assert_int_equal(op.timeout, 0);	/* 0: the element never expires */
	op = accepted("ipset add spa4 192.0.2.7 timeout 2147483");
	assert_int_equal(op.timeout, IPSET_OP_TIMEOUT_MAX);
	op = accepted("ipset add spa4 192.0.2.7 comment 'stanza 1: alice' "
	    "timeout 5");
	assert_true(op.has_comment);
	assert_string_equal(op.comment, "stanza 1: alice");
	assert_int_equal(op.timeout, 5);
	op = accepted("ipset add spa4 192.0.2.7 comment ''");
	assert_true(op.has_comment);
	assert_string_equal(op.comment, "");
	op = accepted("ipset -exist del spa4 192.0.2.7");
	assert_true(op.exist);
	/* the longest set name and comment the kernel takes */
	op = accepted("ipset add abcdefghijklmnopqrstuvwxyz01234 192.0.2.7");
	assert_int_equal(strlen(op.set), IPSET_OP_NAME_MAX);
}

/* --- the element as libipset will send it --------------------------------- */

/* The attributes an element may carry; each test says which it has. */
enum {
	A_IP = 1, A_CIDR = 2, A_PORT = 4, A_PROTO = 8, A_IP2 = 16,
	A_TIMEOUT = 32, A_COMMENT = 64,
};
static const struct {
	int		 bit;
	enum ipset_opt	 opt;
	const char	*name;
} elem_attrs[] = {
	{ A_IP, IPSET_OPT_IP, "ip" }, { A_CIDR, IPSET_OPT_CIDR, "cidr" },
	{ A_PORT, IPSET_OPT_PORT, "port" }, { A_PROTO, IPSET_OPT_PROTO, "proto" },
	{ A_IP2, IPSET_OPT_IP2, "ip2" }, { A_TIMEOUT, IPSET_OPT_TIMEOUT, "timeout" },
	{ A_COMMENT, IPSET_OPT_ADT_COMMENT, "comment" },
};

/*
 * The line's element in libipset's data, the family set first as the set
 * header does; exactly the attributes in `want`, no other.
 */
static struct ipset_data *
loaded(const char *line, int want)
{
	struct ipset_op op = accepted(line);
	struct ipset_data *d = ipset_data_init();
	uint8_t family = op.ip.family == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	size_t i;

	assert_non_null(d);
	assert_int_equal(ipset_data_set(d, IPSET_OPT_FAMILY, &family), 0);
	assert_int_equal(ipset_elem_load(d, &op), 0);
	for (i = 0; i < sizeof(elem_attrs) / sizeof(elem_attrs[0]); i++)
		if (ipset_data_test(d, elem_attrs[i].opt) !=
		    ((want & elem_attrs[i].bit) != 0))
			fail_msg("'%s': %s is %s", line, elem_attrs[i].name,
			    ipset_data_test(d, elem_attrs[i].opt) ? "set" :
			    "missing");
	return d;
}

static void
assert_data_addr(const struct ipset_data *d, enum ipset_opt opt,
    const char *want)
{
	char buf[INET6_ADDRSTRLEN];
	int af = ipset_data_family(d) == NFPROTO_IPV6 ? AF_INET6 : AF_INET;

	assert_non_null(inet_ntop(af, ipset_data_get(d, opt), buf, sizeof(buf)));
	assert_string_equal(buf, want);
}

static uint32_t
data_u(const struct ipset_data *d, enum ipset_opt opt)
{
	const void *p = ipset_data_get(d, opt);

	switch (opt) {
	case IPSET_OPT_PORT:
		return *(const uint16_t *)p;
	case IPSET_OPT_TIMEOUT:
		return *(const uint32_t *)p;
	default:
		return *(const uint8_t *)p;
	}
}

static void
data_ip(void **state)
{
	struct ipset_data *d = loaded("ipset del spa4 192.0.2.7", A_IP);

	assert_int_equal(ipset_data_family(d), NFPROTO_IPV4);
	assert_data_addr(d, IPSET_OPT_IP, "192.0.2.7");
	ipset_data_fini(d);
	d = loaded("ipset add spa6 2001:db8::7", A_IP);
	assert_int_equal(ipset_data_family(d), NFPROTO_IPV6);
	assert_data_addr(d, IPSET_OPT_IP, "2001:db8::7");
	ipset_data_fini(d);
}

/* The port always with its protocol: a udp grant must not become tcp. */
static void
data_ip_port(void **state)
{
	struct ipset_data *d;

	d = loaded("ipset -exist add spa4 192.0.2.7,tcp:22 timeout 30",
	    A_IP | A_PORT | A_PROTO | A_TIMEOUT);
	assert_data_addr(d, IPSET_OPT_IP, "192.0.2.7");
	assert_int_equal(data_u(d, IPSET_OPT_PORT), 22);
	assert_int_equal(data_u(d, IPSET_OPT_PROTO), IPPROTO_TCP);
	assert_int_equal(data_u(d, IPSET_OPT_TIMEOUT), 30);
	ipset_data_fini(d);
	d = loaded("ipset del spa6 2001:db8::7,udp:53", A_IP | A_PORT | A_PROTO);
	assert_data_addr(d, IPSET_OPT_IP, "2001:db8::7");
	assert_int_equal(data_u(d, IPSET_OPT_PORT), 53);
	assert_int_equal(data_u(d, IPSET_OPT_PROTO), IPPROTO_UDP);
	ipset_data_fini(d);
	d = loaded("ipset add spa4 192.0.2.7,17:65535", A_IP | A_PORT | A_PROTO);
	assert_int_equal(data_u(d, IPSET_OPT_PORT), 65535);
	assert_int_equal(data_u(d, IPSET_OPT_PROTO), IPPROTO_UDP);
	ipset_data_fini(d);
}

static void
data_net(void **state)
{
	struct ipset_data *d;

	d = loaded("ipset add nets 198.51.100.0/24", A_IP | A_CIDR);
	assert_data_addr(d, IPSET_OPT_IP, "198.51.100.0");
	assert_int_equal(data_u(d, IPSET_OPT_CIDR), 24);
	ipset_data_fini(d);
	d = loaded("ipset add np6 2001:db8:1::/64,tcp:443",
	    A_IP | A_CIDR | A_PORT | A_PROTO);
	assert_data_addr(d, IPSET_OPT_IP, "2001:db8:1::");
	assert_int_equal(data_u(d, IPSET_OPT_CIDR), 64);
	assert_int_equal(data_u(d, IPSET_OPT_PORT), 443);
	ipset_data_fini(d);
	d = loaded("ipset add nets6 2001:db8::1/128", A_IP | A_CIDR);
	assert_int_equal(data_u(d, IPSET_OPT_CIDR), 128);
	ipset_data_fini(d);
}

/* hash:ip,port,ip: the gateway's element names the protected host too. */
static void
data_ip_port_ip(void **state)
{
	struct ipset_data *d;

	d = loaded("ipset -exist add spagw 192.0.2.7,tcp:22,198.51.100.1 "
	    "timeout 5", A_IP | A_PORT | A_PROTO | A_IP2 | A_TIMEOUT);
	assert_data_addr(d, IPSET_OPT_IP, "192.0.2.7");
	assert_data_addr(d, IPSET_OPT_IP2, "198.51.100.1");
	assert_int_equal(data_u(d, IPSET_OPT_TIMEOUT), 5);
	ipset_data_fini(d);
	d = loaded("ipset del d6 2001:db8::7,udp:53,2001:db8::53",
	    A_IP | A_PORT | A_PROTO | A_IP2);
	assert_data_addr(d, IPSET_OPT_IP, "2001:db8::7");
	assert_data_addr(d, IPSET_OPT_IP2, "2001:db8::53");
	ipset_data_fini(d);
}

/* timeout 0 is sent (never expires), not left out (the set's default). */
static void
data_timeout_and_comment(void **state)
{
	struct ipset_data *d;

	d = loaded("ipset -! add spa4 192.0.2.7,tcp:22 timeout 0",
	    A_IP | A_PORT | A_PROTO | A_TIMEOUT);
	assert_int_equal(data_u(d, IPSET_OPT_TIMEOUT), 0);
	ipset_data_fini(d);
	d = loaded("ipset add spa4 192.0.2.7 timeout 2147483", A_IP | A_TIMEOUT);
	assert_int_equal(data_u(d, IPSET_OPT_TIMEOUT), IPSET_OP_TIMEOUT_MAX);
	ipset_data_fini(d);
	d = loaded("ipset add spa4 192.0.2.7 comment 'stanza 1: alice' "
	    "timeout 5", A_IP | A_TIMEOUT | A_COMMENT);
	assert_string_equal(ipset_data_get(d, IPSET_OPT_ADT_COMMENT),
	    "stanza 1: alice");
	ipset_data_fini(d);
}

static void
longest_comment(void **state)
{
	char line[400];
	struct ipset_op op;

	snprintf(line, sizeof(line), "ipset add s 192.0.2.7 comment %0255d", 7);
	op = accepted(line);
	assert_int_equal(strlen(op.comment), IPSET_OP_COMMENT_MAX);
	snprintf(line, sizeof(line), "ipset add s 192.0.2.7 comment %0256d", 7);
	assert_refused(line, "comment is longer than 255 bytes");
}

static void
format_is_ipset_syntax(void **state)
{
	assert_format("ipset -! add spa4 192.0.2.7,22 timeout 30",
	    "-exist add spa4 192.0.2.7,tcp:22 timeout 30");
	assert_format("ipset add s6 2001:DB8:0::7/64,17:53,2001:db8::1 "
	    "comment 'a b'", "add s6 2001:db8::7/64,udp:53,2001:db8::1 "
	    "comment \"a b\"");
	assert_format("ipset test s 192.0.2.7", "test s 192.0.2.7");
}

static void
program_names(void **state)
{
	assert_true(ipset_op_is_ipset("ipset"));
	assert_true(ipset_op_is_ipset("/usr/sbin/ipset"));
	assert_true(ipset_op_is_ipset("./ipset"));
	assert_true(ipset_op_is_ipset("/ipset"));
	assert_false(ipset_op_is_ipset("ipset6"));
	assert_false(ipset_op_is_ipset("/usr/sbin/myipset"));
	assert_false(ipset_op_is_ipset("/usr/sbin/ipset/"));
	assert_false(ipset_op_is_ipset(""));
}

/* --- refused lines -------------------------------------------------------- */

static void
refuses_commands(void **state)
{
	assert_refused("ipset", "missing the command");
	assert_refused("ipset -exist", "missing the command");
	assert_refused("ipset create spa4 hash:ip,port family inet timeout 300",
	    "'create' is not allowed");
	assert_refused("ipset destroy spa4", "'destroy' is not allowed");
	assert_refused("ipset x spa4", "'x' is not allowed");
	assert_refused("ipset flush spa4", "'flush' is not allowed");
	assert_refused("ipset swap a b", "'swap' is not allowed");
	assert_refused("ipset list", "'list' is not allowed");
	assert_refused("ipset save", "'save' is not allowed");
	assert_refused("ipset restore", "'restore' is not allowed");
	assert_refused("ipset rename a b", "'rename' is not allowed");
	assert_refused("ipset addd spa4 192.0.2.7",
	    "unknown command addd (expected add, del or test)");
	assert_refused("ipset ADD spa4 192.0.2.7", "unknown command ADD");
	assert_refused("ipset -A spa4 192.0.2.7", "option -A is not supported");
	assert_refused("ipset -q add spa4 192.0.2.7",
	    "option -q is not supported");
	assert_refused("ipset -exist -! add spa4 192.0.2.7",
	    "-exist is given twice");
	assert_refused("iptables -A INPUT", "not an ipset command");
}

static void
refuses_set_names(void **state)
{
	assert_refused("ipset add", "add: missing the set name");
	assert_refused("ipset del ''", "del: \"\" is not a set name");
	assert_refused("ipset add -exist 192.0.2.7",
	    "add: -exist is not a set name");
	assert_refused("ipset add abcdefghijklmnopqrstuvwxyz012345 192.0.2.7",
	    "is longer than 31 bytes");
	assert_refused("ipset test spa4", "test spa4: missing the element");
}

static void
refuses_addresses(void **state)
{
	assert_refused("ipset add s 192.0.2.256", "192.0.2.256 is not a "
	    "numeric IPv4 or IPv6 address");
	assert_refused("ipset add s host.example", "is not a numeric IPv4");
	assert_refused("ipset add s 192.0.2.1-192.0.2.9", "is not a numeric");
	assert_refused("ipset add s 192.0.2.010", "192.0.2.010 has an octet "
	    "with a leading zero");
	assert_refused("ipset add s 010.0.2.1/24", "leading zero");
	assert_refused("ipset add s 2001:db8::1%eth0", "is not a numeric");
	assert_refused("ipset add s ''", "is not a numeric");
	assert_refused("ipset add s 192.0.2.0/33", "prefix length /33 is not "
	    "1..32");
	assert_refused("ipset add s 192.0.2.0/0", "prefix length /0");
	assert_refused("ipset add s 2001:db8::/129", "is not 1..128");
	assert_refused("ipset add s 192.0.2.0/", "prefix length");
	assert_refused("ipset add s 192.0.2.0/024", "prefix length /024");
	assert_refused("ipset add s 192.0.2.7,tcp:22,198.51.100.0/24",
	    "only the first address may have a prefix");
	assert_refused("ipset add s 192.0.2.7,tcp:22,2001:db8::1",
	    "mixes IPv4 and IPv6");
	assert_refused("ipset add s 2001:db8::7,udp:53,192.0.2.1",
	    "mixes IPv4 and IPv6");
	assert_refused("ipset add s 192.0.2.7,tcp:22,192.0.2.8,x",
	    "has more than three parts");
}

static void
refuses_ports(void **state)
{
	assert_refused("ipset add s 192.0.2.7,tcp:0", "port 0 is out of range "
	    "(1..65535)");
	assert_refused("ipset add s 192.0.2.7,0", "port 0 is out of range");
	assert_refused("ipset add s 192.0.2.7,65536", "port 65536 is out of "
	    "range");
	assert_refused("ipset add s 192.0.2.7,99999999999", "out of range");
	assert_refused("ipset add s 192.0.2.7,tcp:ssh", "port ssh is not a "
	    "decimal number");
	assert_refused("ipset add s 192.0.2.7,tcp:22-25", "port 22-25 is not");
	assert_refused("ipset add s 192.0.2.7,tcp:022", "port 022 is not");
	assert_refused("ipset add s 192.0.2.7,tcp:+22", "is not a decimal");
	assert_refused("ipset add s 192.0.2.7,tcp:", "protocol tcp without a "
	    "port");
	assert_refused("ipset add s 192.0.2.7,udp", "protocol udp without a "
	    "port");
	assert_refused("ipset add s 192.0.2.7,icmp:ping", "protocol icmp is "
	    "not supported");
	assert_refused("ipset add s 192.0.2.7,sctp:22", "protocol sctp");
	assert_refused("ipset add s 192.0.2.7,", "is not a decimal number");
}

static void
refuses_options(void **state)
{
	assert_refused("ipset add s 192.0.2.7 timeout 30 timeout 40",
	    "timeout is given twice");
	assert_refused("ipset add s 192.0.2.7 timeout", "timeout without a "
	    "number");
	assert_refused("ipset add s 192.0.2.7 timeout abc", "timeout abc is "
	    "not a decimal number");
	assert_refused("ipset add s 192.0.2.7 timeout -1", "is not a decimal");
	assert_refused("ipset add s 192.0.2.7 timeout 030", "timeout 030 is not");
	assert_refused("ipset add s 192.0.2.7 timeout 0x1e", "is not a decimal");
	assert_refused("ipset add s 192.0.2.7 timeout 2147484",
	    "timeout is more than the kernel's limit of 2147483 seconds");
	assert_refused("ipset add s 192.0.2.7 timeout 1700000030",
	    "is more than the kernel's limit of 2147483 seconds (a time "
	    "since 1970, such as $TIMEOUT? $CLIENT_TIMEOUT is the grant's "
	    "length)");
	assert_refused("ipset add s 192.0.2.7 comment", "comment without a "
	    "text");
	assert_refused("ipset add s 192.0.2.7 comment a comment b",
	    "comment is given twice");
	assert_refused("ipset add s 192.0.2.7 comment 'say \"hi\"'",
	    "comment holds a '\"' or a control byte");
	assert_refused("ipset del s 192.0.2.7 timeout 30",
	    "timeout is only accepted by add");
	assert_refused("ipset test s 192.0.2.7 comment x",
	    "comment is only accepted by add");
	assert_refused("ipset -exist add s 192.0.2.7,tcp:22 -exist",
	    "-exist is given twice");
	assert_refused("ipset add s 192.0.2.7 -! timeout 3 -exist",
	    "-exist is given twice");
	assert_refused("ipset add s 192.0.2.7 nomatch", "unexpected nomatch "
	    "after the element (accepted: timeout N, comment TEXT)");
	assert_refused("ipset add s 192.0.2.7 timeout 30 junk",
	    "unexpected junk");
	assert_refused("ipset add s 192.0.2.7 192.0.2.8", "unexpected "
	    "192.0.2.8");
}

static void
refusal_quotes_hostile_words(void **state)
{
	struct ipset_op op;
	char why[128];
	char *argv[] = { "ipset", "add", "s", "a\nb\x1b[31m", NULL };
	char *tab[] = { "ipset", "add", "a\tb", "192.0.2.7", NULL };

	assert_int_equal(ipset_op_parse(4, argv, &op, why, sizeof(why)),
	    SPA_ERR_ARG);
	assert_null(strchr(why, '\n'));
	assert_null(strchr(why, '\x1b'));
	assert_non_null(strstr(why, "\"a\\x0ab\\x1b[31m\""));
	/* a reason never overruns its buffer */
	assert_int_equal(ipset_op_parse(4, argv, &op, why, 8), SPA_ERR_ARG);
	assert_int_equal(strlen(why), 7);
	assert_int_equal(ipset_op_parse(0, argv, &op, why, sizeof(why)),
	    SPA_ERR_ARG);
	assert_int_equal(ipset_op_parse(4, tab, &op, why, sizeof(why)),
	    SPA_ERR_ARG);
	assert_string_equal(why, "add: \"a\\x09b\" is not a set name");
}

/* --- elements against set types ------------------------------------------ */

static void
assert_fits(const char *line, const char *type, int family)
{
	struct ipset_op op = accepted(line);
	char why[256] = "";

	if (ipset_op_fits(&op, type, family, why, sizeof(why)) != 0)
		fail_msg("'%s' does not fit %s: %s", line, type, why);
}

static void
assert_misfits(const char *line, const char *type, int family,
    const char *why_part)
{
	struct ipset_op op = accepted(line);
	char why[256] = "";

	assert_int_equal(ipset_op_fits(&op, type, family, why, sizeof(why)),
	    SPA_ERR_ARG);
	if (strstr(why, why_part) == NULL)
		fail_msg("'%s' in %s: reason '%s' lacks '%s'", line, type, why,
		    why_part);
}

static void
fits_each_type(void **state)
{
	assert_fits("ipset add s 192.0.2.7", "hash:ip", AF_INET);
	assert_fits("ipset add s 2001:db8::7", "hash:ip", AF_INET6);
	assert_fits("ipset add s 192.0.2.7,udp:53", "hash:ip,port", AF_INET);
	assert_fits("ipset add s 2001:db8::7,22", "hash:ip,port", AF_INET6);
	assert_fits("ipset add s 192.0.2.0/24", "hash:net", AF_INET);
	assert_fits("ipset add s 192.0.2.7", "hash:net", AF_INET);
	assert_fits("ipset add s 2001:db8::/32,tcp:22", "hash:net,port",
	    AF_INET6);
	assert_fits("ipset add s 192.0.2.7,tcp:22,198.51.100.1",
	    "hash:ip,port,ip", AF_INET);
	assert_fits("ipset add s 2001:db8::7,tcp:22,2001:db8::1",
	    "hash:ip,port,ip", AF_INET6);
}

static void
misfits(void **state)
{
	assert_misfits("ipset add spa4 192.0.2.7", "hash:ip,port", AF_INET,
	    "element 192.0.2.7 does not fit set spa4 of type hash:ip,port "
	    "(ADDR,PORT)");
	assert_misfits("ipset add s 192.0.2.7,tcp:22", "hash:ip", AF_INET,
	    "(ADDR)");
	assert_misfits("ipset add s 192.0.2.0/24", "hash:ip", AF_INET,
	    "does not fit set s of type hash:ip");
	assert_misfits("ipset add s 192.0.2.0/24,22", "hash:ip,port",
	    AF_INET, "(ADDR,PORT)");
	assert_misfits("ipset add s 192.0.2.7,22", "hash:net", AF_INET,
	    "(ADDR[/PREFIX])");
	assert_misfits("ipset add s 192.0.2.7", "hash:net,port", AF_INET,
	    "(ADDR[/PREFIX],PORT)");
	assert_misfits("ipset add s 192.0.2.7,22", "hash:ip,port,ip", AF_INET,
	    "(ADDR,PORT,ADDR2)");
	assert_misfits("ipset add s 192.0.2.7,22,192.0.2.8", "hash:ip,port",
	    AF_INET, "192.0.2.7,tcp:22,192.0.2.8 does not fit");
	assert_misfits("ipset add spa6 192.0.2.7,22", "hash:ip,port",
	    AF_INET6, "set spa6 holds IPv6 addresses, the element "
	    "192.0.2.7,tcp:22 is IPv4");
	assert_misfits("ipset add spa4 2001:db8::7,22", "hash:ip,port",
	    AF_INET, "holds IPv4 addresses");
	assert_misfits("ipset add s 192.0.2.7", "list:set", AF_UNSPEC,
	    "set s has type list:set, which the ipset module does not handle");
	assert_misfits("ipset add s 192.0.2.7", "bitmap:ip", AF_INET,
	    "does not handle");
	assert_misfits("ipset add s 192.0.2.7,22", "hash:net,net", AF_INET,
	    "does not handle");
}

/* --- the module ----------------------------------------------------------- */

/* spagated's table: an instance of every registered module. */
static struct action_table *
new_table(void)
{
	struct action_table *t;

	assert_int_equal(action_table_new(&t), 0);
	return t;
}

static const char *
routed_to(const struct action_table *t, const char *line)
{
	struct cmd_argv a;

	assert_int_equal(cmd_split(line, &a), 0);
	return action_table_for(t, &a)->ops->name;
}

static void
routes_by_first_word(void **state)
{
	struct action_table *t = new_table();

	assert_string_equal(routed_to(t, "ipset add s 192.0.2.7"), "ipset");
	assert_string_equal(routed_to(t, "/usr/sbin/ipset list"), "ipset");
	assert_string_equal(routed_to(t, "ipset6 add s 192.0.2.7"), "exec");
	assert_string_equal(routed_to(t, "/bin/echo ipset"), "exec");
	assert_ptr_equal(action_table_by_name(t, "ipset"), action_table_for(t,
	    &(struct cmd_argv){ .argc = 1, .argv = { "ipset", NULL } }));
	assert_true(action_table_by_name(t, "ipset")->ops->open_is_idempotent);
	action_table_free(t);
}

static void
check_gives_the_reason(void **state)
{
	struct action_table *t = new_table();
	const struct action_module *m = action_table_by_name(t, "ipset");
	struct cmd_argv a;
	char why[256];

	assert_int_equal(cmd_split("ipset -exist add spa4 192.0.2.7,tcp:22 "
	    "timeout 30", &a), 0);
	assert_int_equal(action_check(m, &a, why, sizeof(why)), 0);
	assert_int_equal(cmd_split("ipset flush spa4", &a), 0);
	assert_int_equal(action_check(m, &a, why, sizeof(why)),
	    SPA_ERR_CONFIG);
	assert_string_equal(why, "ipset: 'flush' is not allowed: the ipset "
	    "module only adds, deletes and tests elements (create the sets "
	    "before spagated starts)");
	action_table_free(t);
}

struct done {
	int		 calls;
	uint64_t	 job;
	int		 result;
	char		 detail[512];
};

static void
record_done(void *arg, const struct action_result *res)
{
	struct done *d = arg;

	d->calls++;
	d->job = res->job;
	d->result = res->result;
	snprintf(d->detail, sizeof(d->detail), "%s", res->detail);
}

/* A line refused at run time (a packet value) ends its request at once. */
static void
refused_request_completes(void **state)
{
	struct action_table *t = new_table();
	const struct action_module *m = action_table_by_name(t, "ipset");
	struct done d = { 0 };
	struct action_env env = { NULL, record_done, &d };
	struct cmd_argv a;
	uint16_t len = 0;
	struct action_req req = { .job = 42, .argv = &a, .data_len = &len };

	assert_int_equal(cmd_split("ipset add s 192.0.2.7 comment 'x\"y'",
	    &a), 0);
	assert_int_equal(m->ops->open(m->priv, &env, &req), 0);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.job, 42);
	assert_int_equal(d.result, SPA_ERR_ACTION);
	assert_string_equal(d.detail, "ipset: comment holds a '\"' or a "
	    "control byte");
	assert_int_equal(cmd_split("ipset swap a b", &a), 0);
	assert_int_equal(m->ops->close(m->priv, &env, &req), 0);
	assert_int_equal(d.calls, 2);
	assert_int_equal(d.result, SPA_ERR_ACTION);
	assert_non_null(strstr(d.detail, "'swap' is not allowed"));
	assert_int_equal(len, 0);	/* nothing journaled */
	action_table_free(t);
}

/* --- load-time checks through the plan ----------------------------------- */

static int
build_plan_text(const char *text, char *err, size_t errlen)
{
	struct access_conf *conf;
	struct access_error aerr;
	struct action_table *t = new_table();
	struct plan plan;
	int r;

	if (access_load_buffer("t.conf", text, strlen(text), &conf,
	    &aerr) != 0)
		fail_msg("access.conf refused: %s", aerr.text);
	err[0] = '\0';
	r = plan_build(conf, t, &plan, err, errlen);
	if (r == 0) {
		assert_ptr_equal(plan.v[0].open_ops,
		    action_table_by_name(t, "ipset"));
		plan_free(&plan);
	}
	access_free(conf);
	action_table_free(t);
	return r;
}

static int
build_plan(const char *open, const char *close, char *err, size_t errlen)
{
	char text[2048];

	snprintf(text, sizeof(text),
	    "# a comment line\n"
	    "SOURCE ANY\nKEY secret-key-1234\nHMAC_KEY hmac-key-1234\n"
	    "OPEN_PORTS tcp/22\nFW_ACCESS_TIMEOUT 60\n"
	    "CMD_CYCLE_OPEN %s\nCMD_CYCLE_CLOSE %s\nCMD_CYCLE_TIMER 60\n",
	    open, close);
	return build_plan_text(text, err, errlen);
}

static void
plan_accepts_good_lines(void **state)
{
	char err[512];

	assert_int_equal(build_plan("ipset -exist add spa4 "
	    "$IP,$PROTO_NAME:$PORT timeout $CLIENT_TIMEOUT comment "
	    "\"stanza $STANZA $USER\"", "ipset del spa4 $IP,$PROTO_NAME:$PORT",
	    err, sizeof(err)), 0);
	/* fwknopd's style: $PROTO is 6 or 17 */
	assert_int_equal(build_plan("ipset add spa4 $IP,$PROTO:$PORT "
	    "timeout $FW_ACCESS_TIMEOUT", "/usr/sbin/ipset del spa4 "
	    "$IP,$PROTO:$PORT", err, sizeof(err)), 0);
	/* destination-bound, a literal IPv6 server: checked as IPv6 */
	assert_int_equal(build_plan("ipset add d6 $IP,tcp:$PORT,2001:db8::53",
	    "ipset del d6 $IP,tcp:$PORT,2001:db8::53", err, sizeof(err)), 0);
	assert_int_equal(build_plan("ipset add d4 $SRC,$PORT,$DST",
	    "ipset del d4 $SRC,$PORT,$DST", err, sizeof(err)), 0);
}

static void
assert_plan_refused(const char *open, const char *close, const char *want)
{
	char err[512];

	assert_int_equal(build_plan(open, close, err, sizeof(err)),
	    SPA_ERR_CONFIG);
	if (strstr(err, want) == NULL)
		fail_msg("error '%s' lacks '%s'", err, want);
}

static void
plan_refuses_bad_lines(void **state)
{
	assert_plan_refused("ipset -! add spa4 $IP,$PROTO_NAME:$PORT -exist",
	    "ipset del spa4 $IP", "t.conf:7: stanza #1: CMD_CYCLE_OPEN: ipset: "
	    "-exist is given twice");
	assert_plan_refused("ipset add spa4 $IP,$PORT timeout $TIMEOUT",
	    "ipset del spa4 $IP,$PORT", "CMD_CYCLE_OPEN: ipset: timeout "
	    "is more than the kernel's limit of 2147483 seconds (a time");

	assert_plan_refused("ipset add spa4 $IP,$PROTO_NAME:$PORT",
	    "ipset destroy spa4", "t.conf:8: stanza #1: CMD_CYCLE_CLOSE: ipset: "
	    "'destroy' is not allowed");
	assert_plan_refused("ipset add spa4 $IP,$PROTO_NAME",
	    "ipset del spa4 $IP", "protocol tcp without a port");
	assert_plan_refused("ipset add this-set-name-is-far-too-long-for-ipset "
	    "$IP", "ipset del s $IP", "is longer than 31 bytes");
	/* a literal IPv4 server with $IP: mixed for IPv6, bad for IPv4 too */
	assert_plan_refused("ipset add d $IP,tcp:$PORT,192.0.2.300",
	    "ipset del d $IP", "192.0.2.300 is not a numeric");
}

/* An error names the command's own line and directive, as written. */
static void
plan_error_at_the_directive(void **state)
{
	char err[512];

	(void)state;
	assert_int_equal(build_plan_text("SOURCE ANY\n"
	    "KEY secret-key-1234\nHMAC_KEY hmac-key-1234\n"
	    "EXTERNAL_CMD_CLOSE ipset destroy spa4\n"
	    "EXTERNAL_CMD_ALARM 60\n"
	    "EXTERNAL_CMD_OPEN ipset add spa4 $IP\n", err, sizeof(err)),
	    SPA_ERR_CONFIG);
	assert_string_equal(err, "t.conf:4: stanza #1: EXTERNAL_CMD_CLOSE: "
	    "ipset: 'destroy' is not allowed: the ipset module only adds, "
	    "deletes and tests elements (create the sets before spagated "
	    "starts)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(element_ip),
		cmocka_unit_test(element_ip_port),
		cmocka_unit_test(element_net),
		cmocka_unit_test(element_net_port),
		cmocka_unit_test(element_ip_port_ip),
		cmocka_unit_test(options),
		cmocka_unit_test(data_ip),
		cmocka_unit_test(data_ip_port),
		cmocka_unit_test(data_net),
		cmocka_unit_test(data_ip_port_ip),
		cmocka_unit_test(data_timeout_and_comment),
		cmocka_unit_test(longest_comment),
		cmocka_unit_test(format_is_ipset_syntax),
		cmocka_unit_test(program_names),
		cmocka_unit_test(refuses_commands),
		cmocka_unit_test(refuses_set_names),
		cmocka_unit_test(refuses_addresses),
		cmocka_unit_test(refuses_ports),
		cmocka_unit_test(refuses_options),
		cmocka_unit_test(refusal_quotes_hostile_words),
		cmocka_unit_test(fits_each_type),
		cmocka_unit_test(misfits),
		cmocka_unit_test(routes_by_first_word),
		cmocka_unit_test(check_gives_the_reason),
		cmocka_unit_test(refused_request_completes),
		cmocka_unit_test(plan_accepts_good_lines),
		cmocka_unit_test(plan_refuses_bad_lines),
		cmocka_unit_test(plan_error_at_the_directive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
