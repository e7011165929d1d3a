/*
 * spagate test: a dry run of the policy.  A request described on the
 * command line (no client, no packet, so no key and no age to check) is
 * judged by each stanza of the configured access.conf, loaded and planned
 * as spagated loads it (plan_load), in file order as the verifier does:
 * the first stanza that grants wins.  Prints why each stanza before it
 * refuses, then its timeout and, for every port, the open and close
 * command lines its action modules would run, expanded as the cycle
 * engine expands them (plan_expand).  Nothing is run and no firewall is
 * touched.  Exit 0 on a grant, 1 when every stanza refuses, 2 on usage.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "action.h"
#include "command.h"
#include "conf.h"
#include "err.h"
#include "plan.h"
#include "policy.h"
#include "subst.h"
#include "tool.h"

enum {
	OPT_SOURCE = 256,
	OPT_DST,
	OPT_PORTS,
	OPT_USER,
	OPT_TYPE,
	OPT_CLIENT_TIMEOUT,
	OPT_NAT,
	OPT_COMMAND,
	OPT_ACCESS_FOLDER,
};

static const struct option dry_long[] = {
	{ "config-file", required_argument, NULL, 'c' },
	{ "access-file", required_argument, NULL, 'a' },
	{ "access-folder", required_argument, NULL, OPT_ACCESS_FOLDER },
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "dst", required_argument, NULL, OPT_DST },
	{ "ports", required_argument, NULL, OPT_PORTS },
	{ "user", required_argument, NULL, OPT_USER },
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "client-timeout", required_argument, NULL, OPT_CLIENT_TIMEOUT },
	{ "nat", required_argument, NULL, OPT_NAT },
	{ "command", required_argument, NULL, OPT_COMMAND },
	{ NULL, 0, NULL, 0 },
};

static int
dry_option(struct dry_opts *o, int ch, const char *arg)
{
	switch (ch) {
	case 'c': o->config = arg; return 0;
	case 'a': o->access_file = arg; return 0;
	case OPT_ACCESS_FOLDER: o->access_folder = arg; return 0;
	case OPT_SOURCE: o->source = arg; return 0;
	case OPT_DST: o->dst = arg; return 0;
	case OPT_PORTS: o->ports = arg; return 0;
	case OPT_USER: o->user = arg; return 0;
	case OPT_TYPE: o->type = arg; return 0;
	case OPT_CLIENT_TIMEOUT: o->client_timeout = arg; return 0;
	case OPT_NAT: o->nat = arg; return 0;
	case OPT_COMMAND: o->command = arg; return 0;
	default: return -1;
	}
}

int
dry_parse(int argc, char **argv, struct dry_opts *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	optind = 0;
	while ((ch = getopt_long(argc, argv, "+c:a:", dry_long, NULL)) != -1)
		if (dry_option(o, ch, optarg) != 0)
			return -1;
	if (optind < argc || (o->access_file && o->access_folder) ||
	    o->source == NULL || o->dst == NULL)
		return -1;
	return 0;
}

/* access, nat, local-nat, command: and a client timeout's variant. */
static int
request_type(const struct dry_opts *o, enum spa_request *t)
{
	static const struct {
		const char	*name;
		enum spa_request plain, timed;
	} types[] = {
		{ "access", SPA_REQ_ACCESS, SPA_REQ_CLIENT_TIMEOUT_ACCESS },
		{ "nat", SPA_REQ_NAT_ACCESS, SPA_REQ_CLIENT_TIMEOUT_NAT_ACCESS },
		{ "local-nat", SPA_REQ_LOCAL_NAT_ACCESS,
		    SPA_REQ_CLIENT_TIMEOUT_LOCAL_NAT_ACCESS },
		{ "command", SPA_REQ_COMMAND, SPA_REQ_COMMAND },
	};
	const char *name = o->type != NULL ? o->type : "access";
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(name, types[i].name) == 0) {
			*t = o->client_timeout != NULL ? types[i].timed :
			    types[i].plain;
			return 0;
		}
	return -1;
}

static int
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end = NULL;

	if (*s < '0' || *s > '9')
		return -1;
	*out = strtoul(s, &end, 10);
	return *end == '\0' && *out <= max ? 0 : -1;
}

/* --nat HOST:PORT, as the client's -N. */
static int
parse_nat(const char *s, struct spa_event *ev)
{
	const char *colon = strrchr(s, ':');
	unsigned long port;
	size_t n;

	if (colon == NULL || (n = (size_t)(colon - s)) == 0 ||
	    n >= sizeof(ev->nat_host) ||
	    parse_uint(colon + 1, 65535, &port) != 0 || port == 0)
		return -1;
	memcpy(ev->nat_host, s, n);
	ev->nat_host[n] = '\0';
	ev->nat_port = (uint16_t)port;
	ev->has_nat = true;
	return 0;
}

/* What the request asks for: ports, a NAT destination or a command. */
static int
request_body(const struct dry_opts *o, struct spa_event *ev, char *why,
    size_t len)
{
	if (ev->type == SPA_REQ_COMMAND) {
		if (o->command == NULL || o->ports != NULL || o->nat != NULL) {
			snprintf(why, len, "--type command needs --command "
			    "TEXT, and no --ports or --nat");
			return -1;
		}
		snprintf(ev->command, sizeof(ev->command), "%s", o->command);
		return 0;
	}
	if (o->command != NULL || o->ports == NULL ||
	    spa_parse_ports(o->ports, ev->ports, SPA_MAX_PORTS, &ev->nports)
	    != 0) {
		snprintf(why, len, "--ports needs a list such as "
		    "tcp/22,udp/53, not \"%s\"", o->ports ? o->ports : "");
		return -1;
	}
	if (spa_request_is_nat(ev->type) != (o->nat != NULL) ||
	    (o->nat != NULL && parse_nat(o->nat, ev) != 0)) {
		snprintf(why, len, "--nat HOST:PORT goes with --type nat or "
		    "local-nat, and only with them");
		return -1;
	}
	return 0;
}

/* The addresses, user and times: what a client's packet would carry. */
static int
request_head(const struct dry_opts *o, int64_t now, struct spa_event *ev,
    char *why, size_t len)
{
	unsigned long t = 0;

	if (addr_parse(o->source, &ev->allow) != 0 ||
	    addr_parse(o->dst, &ev->pkt_dst) != 0) {
		snprintf(why, len, "--source and --dst need IP addresses");
		return -1;
	}
	if (o->client_timeout != NULL &&
	    (parse_uint(o->client_timeout, UINT32_MAX, &t) != 0 || t == 0)) {
		snprintf(why, len, "--client-timeout needs a positive number "
		    "of seconds, not \"%s\"", o->client_timeout);
		return -1;
	}
	ev->client_timeout = (uint32_t)t;
	ev->pkt_src = ev->allow;
	ev->src_port = 40000;
	ev->dst_port = 62201;
	ev->via = SPA_VIA_UDP;
	ev->spa_time = ev->recv_time = now;
	snprintf(ev->user, sizeof(ev->user), "%s", o->user != NULL ? o->user :
	    getenv("USER") != NULL ? getenv("USER") : "root");
	return 0;
}

int
dry_event(const struct dry_opts *o, int64_t now, struct spa_event *ev,
    char *why, size_t len)
{
	int r;

	memset(ev, 0, sizeof(*ev));
	if (request_type(o, &ev->type) != 0) {
		snprintf(why, len, "--type is access, nat, local-nat or "
		    "command, not \"%s\"", o->type);
		return -1;
	}
	if (request_head(o, now, ev, why, len) != 0 ||
	    request_body(o, ev, why, len) != 0)
		return -1;
	if ((r = event_check(ev)) != 0) {
		snprintf(why, len, "no client can send this request: %s",
		    spa_strerror(r));
		return -1;
	}
	return 0;
}

static void
print_line(FILE *out, const char *port, const char *what,
    const struct action_module *m, const struct cmd_template *t,
    const struct stanza *st, const struct spa_event *ev, size_t i)
{
	struct cmd_argv a;
	char line[2048];

	if (plan_expand(t, st, ev, i, &a) != 0) {
		fprintf(out, "  %s %s: does not expand\n", port, what);
		return;
	}
	cmd_argv_format(&a, line, sizeof(line));
	fprintf(out, "  %s %s (%s): %s\n", port, what, m->ops->name, line);
}

/* A command request's argv, as the executor runs it (command.h). */
static void
print_command(FILE *out, const char *sudo_exe, const struct stanza *st,
    const struct spa_event *ev)
{
	struct cmd_argv words, argv;
	char line[2048];

	if (cmd_split(ev->command, &words) != 0) {
		fprintf(out, "  the command cannot be split into words: "
		    "refused\n");
		return;
	}
	if (command_argv(sudo_exe, st, &words, &argv) != 0) {
		fprintf(out, "  the command is too long: refused\n");
		return;
	}
	cmd_argv_format(&argv, line, sizeof(line));
	fprintf(out, "  runs the command%s: %s\n",
	    st->enable_cmd_sudo_exec ? " through sudo" : "", line);
}

/* Every port's open and close, as the cycle engine runs them. */
static void
print_commands(FILE *out, const char *sudo_exe, const struct stanza *st,
    const struct stanza_plan *sp, const struct spa_event *ev)
{
	char port[16];
	size_t i;

	if (ev->type == SPA_REQ_COMMAND) {
		print_command(out, sudo_exe, st, ev);
		return;
	}
	if (!sp->has_open) {
		fprintf(out, "  nothing is opened: no CMD_CYCLE_OPEN (and no "
		    "firewall.backend): the grant is only logged\n");
		return;
	}
	for (i = 0; i < ev->nports; i++) {
		snprintf(port, sizeof(port), "%s/%u",
		    ev->ports[i].proto == IPPROTO_TCP ? "tcp" : "udp",
		    ev->ports[i].port);
		print_line(out, port, "open", sp->open_ops, &sp->open, st, ev,
		    i);
		if (sp->has_close)
			print_line(out, port, "close", sp->close_ops,
			    &sp->close, st, ev, i);
		else
			fprintf(out, "  %s close: none (CMD_CYCLE_CLOSE NONE)\n",
			    port);
	}
}

static void
print_refusal(FILE *out, const struct stanza *st,
    const struct policy_opts *opts, int r, const struct policy_detail *d)
{
	struct policy_result res;
	char why[256];

	memset(&res, 0, sizeof(res));
	res.reason = r;
	res.stanza = st;
	res.detail = *d;
	if (r == SPA_ERR_NO_SOURCE)
		snprintf(why, sizeof(why), "SOURCE does not match");
	else
		policy_explain(&res, opts, NULL, why, sizeof(why));
	fprintf(out, "stanza #%u (%s:%u): refuses: %s\n", st->number, st->file,
	    st->line, why);
}

int
dry_judge(const struct access_conf *access, const struct plan *plan,
    const struct policy_opts *opts, const char *sudo_exe,
    struct spa_event *ev, int64_t now, FILE *out)
{
	struct policy_detail d;
	struct spa_packet pkt;
	const struct stanza *st;
	size_t i;
	int r;

	memset(&pkt, 0, sizeof(pkt));
	pkt.client_timeout = ev->client_timeout;
	for (i = 0; i < access->n; i++) {
		st = access->stanzas[i];
		ev->stanza = st->number;
		ev->timeout = policy_timeout(st, &pkt);
		if ((r = policy_try(st, opts, ev, now, &d)) != 0) {
			print_refusal(out, st, opts, r, &d);
			continue;
		}
		fprintf(out, "stanza #%u (%s:%u): grants, timeout %u s (keys "
		    "not checked: no packet)\n", st->number, st->file, st->line,
		    ev->timeout);
		print_commands(out, sudo_exe, st, &plan->v[i], ev);
		if (i + 1 < access->n)
			fprintf(out, "stanzas after #%u are not tried\n",
			    st->number);
		return 0;
	}
	fprintf(out, "no stanza grants this request\n");
	return 1;
}

/* spagated.conf and the access file as spagated loads them. */
static int
dry_conf(const struct dry_opts *o, struct spa_conf *c)
{
	struct conf_error err = { .text = "out of memory" };
	int r = 0;

	if (tool_load_conf(o->config, c, "test") != 0)
		return -1;
	if (o->access_file != NULL) {
		free(c->access_folder);
		c->access_folder = NULL;
		r = conf_set_string(&c->access_file, o->access_file);
	}
	if (r == 0 && o->access_folder != NULL)
		r = conf_set_string(&c->access_folder, o->access_folder);
	if (r == 0 && conf_validate(c, &err) == 0)
		return 0;
	fprintf(stderr, "spagate test: %s\n", r != 0 ? spa_strerror(r) :
	    err.text);
	conf_free(c);
	return -1;
}

static int
dry_run(struct spa_conf *c, struct spa_event *ev, int64_t now)
{
	struct policy_opts opts = { c->max_packet_age, c->nat_forwarding,
	    c->nat_local, c->nat_dns, false };
	struct action_table *modules = NULL;
	struct access_conf *access = NULL;
	struct plan plan = { 0, NULL };
	char why[512];
	int r;

	if ((r = action_table_new(&modules)) != 0) {
		fprintf(stderr, "spagate test: %s\n", spa_strerror(r));
		return 2;
	}
	if (plan_load(c, modules, &access, &plan, why, sizeof(why)) != 0) {
		fprintf(stderr, "spagate test: %s\n", why);
		r = 2;
	} else {
		r = dry_judge(access, &plan, &opts, c->sudo_exe, ev, now,
		    stdout);
		policy_release(access);
	}
	plan_free(&plan);
	access_free(access);
	action_table_free(modules);
	return r;
}

int
test_main(int argc, char **argv)
{
	struct dry_opts o;
	struct spa_event ev;
	struct spa_conf c;
	int64_t now = (int64_t)time(NULL);
	char why[256];
	int r;

	if (dry_parse(argc, argv, &o) != 0) {
		tool_usage("test", stderr);
		return 2;
	}
	if (dry_event(&o, now, &ev, why, sizeof(why)) != 0) {
		fprintf(stderr, "spagate test: %s\n", why);
		return 2;
	}
	if (dry_conf(&o, &c) != 0)
		return 2;
	r = dry_run(&c, &ev, now);
	conf_free(&c);
	return r;
}
