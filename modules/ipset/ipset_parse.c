/*
 * ipset command lines read into a struct ipset_op (see ipset_parse.h).
 * Pure: no libipset, no kernel, no allocation.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "event.h"
#include "ipset_parse.h"

#define ELEM_MAX	128	/* two IPv6 addresses and a port fit easily */
#define QUOTE_MAX	72	/* a word quoted in a reason, truncated */

/* What an element looks like in each set type this module handles. */
static const struct set_shape {
	const char	*type;
	const char	*usage;
	bool		 prefix;	/* ADDR may carry /PREFIX (a net) */
	bool		 port;		/* ,PORT */
	bool		 ip2;		/* ,ADDR2 */
} shapes[] = {
	{ "hash:ip",		"ADDR",			false, false, false },
	{ "hash:ip,port",	"ADDR,PORT",		false, true,  false },
	{ "hash:net",		"ADDR[/PREFIX]",	true,  false, false },
	{ "hash:net,port",	"ADDR[/PREFIX],PORT",	true,  true,  false },
	{ "hash:ip,port,ip",	"ADDR,PORT,ADDR2",	false, true,  true },
};

#define NSHAPES		(sizeof(shapes) / sizeof(shapes[0]))

static const char *const cmd_names[] = {
	[IPSET_OP_ADD] = "add", [IPSET_OP_DEL] = "del", [IPSET_OP_TEST] = "test",
};

/* ipset commands that act on whole sets: never from a grant. */
static const char *const set_commands[] = {
	"create", "n", "destroy", "x", "flush", "f", "list", "l", "save",
	"s", "restore", "r", "rename", "e", "swap", "w", "help", "version",
};

struct parser {
	size_t		 argc;
	char *const	*argv;
	size_t		 i;		/* next word */
	struct ipset_op	*op;
	char		*why;
	size_t		 whylen;
};

static int __attribute__((format(printf, 3, 4)))
refuse_to(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return SPA_ERR_ARG;
}

#define refuse(p, ...)	refuse_to((p)->why, (p)->whylen, __VA_ARGS__)

/* A word from the command line, quoted if it is not plain, for a reason. */
static const char *
quote(const char *s, char buf[QUOTE_MAX])
{
	event_quote(s, buf, QUOTE_MAX);
	return buf;
}

static const char *
next_word(struct parser *p)
{
	return p->i < p->argc ? p->argv[p->i++] : NULL;
}

/*
 * Plain decimal: no sign, no blank, no leading zero (ipset's own parser
 * would take 010 as octal).  Values past UINT32_MAX saturate, so the
 * caller's range check reports them.
 */
static int
decimal(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (*s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			v = (uint64_t)UINT32_MAX + 1;
	}
	*out = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	return 0;
}

bool
ipset_op_is_ipset(const char *program)
{
	size_t n = strlen(program);

	return strcmp(program, "ipset") == 0 ||
	    (n >= 6 && strcmp(program + n - 6, "/ipset") == 0);
}

static bool
is_exist(const char *w)
{
	return strcmp(w, "-exist") == 0 || strcmp(w, "-!") == 0;
}

/* The ipset tool takes -exist anywhere, once. */
static int
set_exist(struct parser *p)
{
	if (p->op->exist)
		return refuse(p, "-exist is given twice");
	p->op->exist = true;
	return 0;
}

/* -exist (or -!) before the command; nothing else is taken there. */
static int
parse_global_options(struct parser *p)
{
	char q[QUOTE_MAX];
	const char *w;
	int r;

	while (p->i < p->argc && p->argv[p->i][0] == '-') {
		w = next_word(p);
		if (!is_exist(w))
			return refuse(p, "option %s is not supported (the only "
			    "option is -exist, also written -!)", quote(w, q));
		if ((r = set_exist(p)) != 0)
			return r;
	}
	return 0;
}

static int
parse_command(struct parser *p)
{
	char q[QUOTE_MAX];
	const char *w;
	size_t i;

	if ((w = next_word(p)) == NULL)
		return refuse(p, "missing the command (add, del or test)");
	for (i = IPSET_OP_ADD; i <= IPSET_OP_TEST; i++)
		if (strcmp(w, cmd_names[i]) == 0) {
			p->op->cmd = (enum ipset_op_cmd)i;
			return 0;
		}
	for (i = 0; i < sizeof(set_commands) / sizeof(set_commands[0]); i++)
		if (strcmp(w, set_commands[i]) == 0)
			return refuse(p, "'%s' is not allowed: the ipset module "
			    "only adds, deletes and tests elements (create "
			    "the sets before spagated starts)", w);
	return refuse(p, "unknown command %s (expected add, del or test)",
	    quote(w, q));
}

static bool
has_control_byte(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static int
parse_set_name(struct parser *p)
{
	char q[QUOTE_MAX];
	const char *w;

	if ((w = next_word(p)) == NULL)
		return refuse(p, "%s: missing the set name",
		    cmd_names[p->op->cmd]);
	if (w[0] == '\0' || w[0] == '-' || has_control_byte(w))
		return refuse(p, "%s: %s is not a set name",
		    cmd_names[p->op->cmd], quote(w, q));
	if (strlen(w) > IPSET_OP_NAME_MAX)
		return refuse(p, "set name %s is longer than %d bytes",
		    quote(w, q), IPSET_OP_NAME_MAX);
	memcpy(p->op->set, w, strlen(w) + 1);
	return 0;
}

/* ADDR, or ADDR/PREFIX when `prefix` is not NULL. */
static int
parse_addr(struct parser *p, char *s, struct spa_addr *a, uint8_t *prefix)
{
	char q[QUOTE_MAX], canon[ADDR_STRLEN], *slash = strchr(s, '/');
	unsigned int max;
	uint32_t n;

	if (slash != NULL && prefix == NULL)
		return refuse(p, "%s: only the first address may have a "
		    "prefix", quote(s, q));
	if (slash != NULL)
		*slash = '\0';
	if (addr_parse(s, a) != 0)
		return refuse(p, "%s is not a numeric IPv4 or IPv6 address",
		    quote(s, q));
	/* the one loose form left: ipset's resolver reads "010" as octal */
	if (a->family == AF_INET && strcmp(addr_fmt(a, canon), s) != 0)
		return refuse(p, "%s has an octet with a leading zero",
		    quote(s, q));
	if (slash == NULL)
		return 0;
	max = a->family == AF_INET ? 32 : 128;
	if (decimal(slash + 1, &n) != 0 || n < 1 || n > max)
		return refuse(p, "prefix length /%s is not 1..%u",
		    quote(slash + 1, q), max);
	*prefix = (uint8_t)n;
	return 0;
}

static int
parse_proto(const char *s, uint8_t *proto)
{
	if (strcmp(s, "tcp") == 0 || strcmp(s, "6") == 0)
		*proto = IPPROTO_TCP;
	else if (strcmp(s, "udp") == 0 || strcmp(s, "17") == 0)
		*proto = IPPROTO_UDP;
	else
		return -1;
	return 0;
}

/* [PROTO:]PORT; a bare port is tcp, as in ipset. */
static int
parse_port(struct parser *p, char *s)
{
	char q[QUOTE_MAX], *num = s, *colon = strchr(s, ':');
	uint32_t n;

	p->op->proto = IPPROTO_TCP;
	if (colon != NULL) {
		*colon = '\0';
		num = colon + 1;
		if (parse_proto(s, &p->op->proto) != 0)
			return refuse(p, "protocol %s is not supported (tcp, "
			    "udp, 6 or 17)", quote(s, q));
	}
	if ((colon != NULL && *num == '\0') || strcmp(num, "tcp") == 0 ||
	    strcmp(num, "udp") == 0)
		return refuse(p, "protocol %s without a port (write "
		    "PROTO:PORT)", quote(colon != NULL ? s : num, q));
	if (decimal(num, &n) != 0)
		return refuse(p, "port %s is not a decimal number (no names, "
		    "no ranges)", quote(num, q));
	if (n < 1 || n > 65535)
		return refuse(p, "port %s is out of range (1..65535)", num);
	p->op->has_port = true;
	p->op->port = (uint16_t)n;
	return 0;
}

/* Split at commas: at most three parts. */
static int
split_element(struct parser *p, char *buf, char *part[3], size_t *n)
{
	char q[QUOTE_MAX], *s = buf, *comma;

	*n = 0;
	for (;;) {
		if (*n == 3)
			return refuse(p, "element %s has more than three parts "
			    "(ADDR[/PREFIX][,PORT[,ADDR2]])",
			    quote(p->argv[p->i - 1], q));
		part[(*n)++] = s;
		if ((comma = strchr(s, ',')) == NULL)
			return 0;
		*comma = '\0';
		s = comma + 1;
	}
}

static int
parse_element(struct parser *p)
{
	char buf[ELEM_MAX], *part[3];
	struct ipset_op *op = p->op;
	const char *w;
	size_t n;
	int r;

	if ((w = next_word(p)) == NULL)
		return refuse(p, "%s %s: missing the element",
		    cmd_names[op->cmd], op->set);
	if (strlen(w) >= sizeof(buf))
		return refuse(p, "element is longer than %zu bytes",
		    sizeof(buf) - 1);
	memcpy(buf, w, strlen(w) + 1);
	if ((r = split_element(p, buf, part, &n)) != 0 ||
	    (r = parse_addr(p, part[0], &op->ip, &op->prefix)) != 0 ||
	    (n > 1 && (r = parse_port(p, part[1])) != 0) ||
	    (n > 2 && (r = parse_addr(p, part[2], &op->ip2, NULL)) != 0))
		return r;
	op->has_ip2 = n > 2;
	if (op->has_ip2 && op->ip2.family != op->ip.family)
		return refuse(p, "element %s mixes IPv4 and IPv6", w);
	return 0;
}

static int
parse_timeout(struct parser *p)
{
	char q[QUOTE_MAX];
	const char *w;
	uint32_t n;

	if (p->op->has_timeout)
		return refuse(p, "timeout is given twice");
	if ((w = next_word(p)) == NULL)
		return refuse(p, "timeout without a number of seconds");
	if (decimal(w, &n) != 0)
		return refuse(p, "timeout %s is not a decimal number of "
		    "seconds", quote(w, q));
	/* at load the value is a sample grant's: say the limit, not it */
	if (n > IPSET_OP_TIMEOUT_MAX)
		return refuse(p, "timeout is more than the kernel's limit of "
		    "%d seconds%s", IPSET_OP_TIMEOUT_MAX, n >= 1000000000 ?
		    " (a time since 1970, such as $TIMEOUT? $CLIENT_TIMEOUT "
		    "is the grant's length)" : "");
	p->op->has_timeout = true;
	p->op->timeout = n;
	return 0;
}

static int
parse_comment(struct parser *p)
{
	const char *w;

	if (p->op->has_comment)
		return refuse(p, "comment is given twice");
	if ((w = next_word(p)) == NULL)
		return refuse(p, "comment without a text");
	if (strlen(w) > IPSET_OP_COMMENT_MAX)
		return refuse(p, "comment is longer than %d bytes",
		    IPSET_OP_COMMENT_MAX);
	if (strchr(w, '"') != NULL || has_control_byte(w))
		return refuse(p, "comment holds a '\"' or a control byte");
	p->op->has_comment = true;
	memcpy(p->op->comment, w, strlen(w) + 1);
	return 0;
}

/* What may follow the element: timeout and comment (add only), -exist. */
static int
parse_element_options(struct parser *p)
{
	char q[QUOTE_MAX];
	const char *w;
	bool add = p->op->cmd == IPSET_OP_ADD;
	int r;

	while ((w = next_word(p)) != NULL) {
		if (add && strcmp(w, "timeout") == 0)
			r = parse_timeout(p);
		else if (add && strcmp(w, "comment") == 0)
			r = parse_comment(p);
		else if (is_exist(w))
			r = set_exist(p);
		else if (strcmp(w, "timeout") == 0 || strcmp(w, "comment") == 0)
			r = refuse(p, "%s is only accepted by add", w);
		else
			r = refuse(p, "unexpected %s after the element "
			    "(accepted: timeout N, comment TEXT)", quote(w, q));
		if (r != 0)
			return r;
	}
	return 0;
}

int
ipset_op_parse(size_t argc, char *const *argv, struct ipset_op *op,
    char *why, size_t whylen)
{
	struct parser p = { argc, argv, 1, op, why, whylen };
	int r;

	memset(op, 0, sizeof(*op));
	if (argc == 0 || !ipset_op_is_ipset(argv[0]))
		return refuse(&p, "not an ipset command");
	if ((r = parse_global_options(&p)) != 0 ||
	    (r = parse_command(&p)) != 0 ||
	    (r = parse_set_name(&p)) != 0 ||
	    (r = parse_element(&p)) != 0 ||
	    (r = parse_element_options(&p)) != 0)
		return r;
	return 0;
}

/* --- against a set's type ------------------------------------------------ */

static const char *
family_name(int family)
{
	return family == AF_INET ? "IPv4" : family == AF_INET6 ? "IPv6" :
	    "unknown";
}

static void
format_element(const struct ipset_op *op, char *buf, size_t len)
{
	char a[ADDR_STRLEN], pre[8] = "", port[16] = "", ip2[ADDR_STRLEN + 1] = "";

	if (op->prefix != 0)
		snprintf(pre, sizeof(pre), "/%u", op->prefix);
	if (op->has_port)
		snprintf(port, sizeof(port), ",%s:%u",
		    op->proto == IPPROTO_UDP ? "udp" : "tcp", op->port);
	if (op->has_ip2)
		snprintf(ip2, sizeof(ip2), ",%s", addr_fmt(&op->ip2, a));
	snprintf(buf, len, "%s%s%s%s", addr_fmt(&op->ip, a), pre, port, ip2);
}

int
ipset_op_fits(const struct ipset_op *op, const char *type, int family,
    char *why, size_t whylen)
{
	const struct set_shape *s = NULL;
	char elem[ELEM_MAX];
	size_t i;

	for (i = 0; i < NSHAPES && s == NULL; i++)
		if (strcmp(type, shapes[i].type) == 0)
			s = &shapes[i];
	if (s == NULL)
		return refuse_to(why, whylen, "set %s has type %s, which the "
		    "ipset module does not handle (hash:ip, hash:ip,port, "
		    "hash:net, hash:net,port, hash:ip,port,ip)", op->set, type);
	format_element(op, elem, sizeof(elem));
	if (op->ip.family != family)
		return refuse_to(why, whylen, "set %s holds %s addresses, the "
		    "element %s is %s", op->set, family_name(family), elem,
		    family_name(op->ip.family));
	if ((op->prefix != 0 && !s->prefix) || op->has_port != s->port ||
	    op->has_ip2 != s->ip2)
		return refuse_to(why, whylen, "element %s does not fit set %s "
		    "of type %s (%s)", elem, op->set, type, s->usage);
	return 0;
}

void
ipset_op_format(const struct ipset_op *op, char *buf, size_t len)
{
	char elem[ELEM_MAX], timeout[24] = "";
	char comment[IPSET_OP_COMMENT_MAX + 12] = "";

	format_element(op, elem, sizeof(elem));
	if (op->has_timeout)
		snprintf(timeout, sizeof(timeout), " timeout %u", op->timeout);
	if (op->has_comment)
		snprintf(comment, sizeof(comment), " comment \"%s\"",
		    op->comment);
	snprintf(buf, len, "%s%s %s %s%s%s", op->exist ? "-exist " : "",
	    cmd_names[op->cmd], op->set, elem, timeout, comment);
}
