/*
 * spagate test's dry run (tool/test.c): the request a command line
 * describes, then what each stanza of a policy makes of it, printed as
 * the admin reads it, with the commands its modules would run.
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

#include "access.h"
#include "access_int.h"
#include "action.h"
#include "command.h"
#include "conf.h"
#include "err.h"
#include "plan.h"
#include "policy.h"
#include "subst.h"
#include "tool.h"

#define NOW	1795343068

/* tool/status.c's, which test_main needs and these tests do not call. */
int
tool_load_conf(const char *config, struct spa_conf *c, const char *cmd)
{
	(void)config;
	(void)c;
	(void)cmd;
	return -1;
}

/* tool/spagate.c's, likewise. */
void
tool_usage(const char *cmd, FILE *fp)
{
	(void)cmd;
	(void)fp;
}

/* dry_parse over a NULL-terminated list of words after "test". */
static int
parse(struct dry_opts *o, ...)
{
	char *argv[32];
	va_list ap;
	int argc = 0;

	argv[argc++] = (char *)"test";
	va_start(ap, o);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	return dry_parse(argc, argv, o);
}

static int
event_of(struct spa_event *ev, char *why, size_t len, ...)
{
	struct dry_opts o;
	char *argv[32];
	va_list ap;
	int argc = 0;

	argv[argc++] = (char *)"test";
	va_start(ap, len);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	assert_int_equal(dry_parse(argc, argv, &o), 0);
	return dry_event(&o, NOW, ev, why, len);
}

static void
usage_errors_are_refused(void **state)
{
	struct dry_opts o;

	(void)state;
	assert_int_equal(parse(&o, "--dst", "192.0.2.1", NULL), -1);
	assert_int_equal(parse(&o, "--source", "192.0.2.7", NULL), -1);
	assert_int_equal(parse(&o, "--source", "192.0.2.7", "--dst",
	    "192.0.2.1", "-a", "x", "--access-folder", "d", NULL), -1);
	assert_int_equal(parse(&o, "--source", "192.0.2.7", "--dst",
	    "192.0.2.1", "stray", NULL), -1);
	assert_int_equal(parse(&o, "--source", "192.0.2.7", "--dst",
	    "192.0.2.1", "--bogus", NULL), -1);
	assert_int_equal(parse(&o, "--source", "192.0.2.7", "--dst",
	    "192.0.2.1", "--ports", "tcp/22", NULL), 0);
	assert_string_equal(o.ports, "tcp/22");
}

/* Each request no client could send is refused, saying which option. */
static void
impossible_requests_are_refused(void **state)
{
	struct spa_event ev;
	char why[256];

	(void)state;
#define BAD(want, ...) do {						\
		why[0] = '\0';						\
		assert_int_equal(event_of(&ev, why, sizeof(why),	\
		    "--source", "192.0.2.7", "--dst", "192.0.2.1",	\
		    __VA_ARGS__, NULL), -1);				\
		assert_non_null(strstr(why, want));			\
	} while (0)
	BAD("--ports", "--ports", "tcp/22 udp/53");
	BAD("--ports", "--ports", "icmp/8");
	BAD("--ports", "--type", "access");
	BAD("--type is access", "--type", "knock", "--ports", "tcp/22");
	BAD("--nat HOST:PORT", "--type", "nat", "--ports", "tcp/22");
	BAD("--nat HOST:PORT", "--ports", "tcp/22", "--nat", "10.0.0.2:22");
	BAD("--nat HOST:PORT", "--type", "nat", "--ports", "tcp/22", "--nat",
	    "10.0.0.2:0");
	BAD("--command", "--type", "command");
	BAD("--command", "--type", "command", "--command", "id", "--ports",
	    "tcp/22");
	BAD("--client-timeout", "--ports", "tcp/22", "--client-timeout", "0");
	BAD("--client-timeout", "--ports", "tcp/22", "--client-timeout", "9x");
	BAD("IP addresses", "--ports", "tcp/22", "--user", "u", "--nat",
	    "h:1", "--source", "host.example");
	BAD("no client can send", "--ports", "tcp/22", "--user", "a:b");
#undef BAD
	/* --source names the address granted: 0.0.0.0 is the sender's */
	assert_int_equal(event_of(&ev, why, sizeof(why), "--source",
	    "0.0.0.0", "--dst", "192.0.2.1", "--ports", "tcp/22", NULL), -1);
}

static void
request_is_what_the_client_would_send(void **state)
{
	struct spa_event ev;
	char why[256], a[ADDR_STRLEN];

	(void)state;
	assert_int_equal(event_of(&ev, why, sizeof(why), "--source",
	    "192.0.2.7", "--dst", "198.51.100.1", "--ports", "tcp/22,udp/53",
	    "--user", "alice", "--client-timeout", "45", NULL), 0);
	assert_int_equal(ev.type, SPA_REQ_CLIENT_TIMEOUT_ACCESS);
	assert_string_equal(addr_fmt(&ev.allow, a), "192.0.2.7");
	assert_string_equal(addr_fmt(&ev.pkt_src, a), "192.0.2.7");
	assert_string_equal(addr_fmt(&ev.pkt_dst, a), "198.51.100.1");
	assert_int_equal(ev.nports, 2);
	assert_int_equal(ev.ports[1].proto, IPPROTO_UDP);
	assert_int_equal(ev.ports[1].port, 53);
	assert_string_equal(ev.user, "alice");
	assert_int_equal(ev.client_timeout, 45);
	assert_int_equal(ev.spa_time, NOW);
	assert_int_equal(event_of(&ev, why, sizeof(why), "--source",
	    "192.0.2.7", "--dst", "198.51.100.1", "--ports", "tcp/5022",
	    "--type", "nat", "--nat", "10.0.0.2:22", NULL), 0);
	assert_int_equal(ev.type, SPA_REQ_NAT_ACCESS);
	assert_string_equal(ev.nat_host, "10.0.0.2");
	assert_int_equal(ev.nat_port, 22);
	assert_int_equal(event_of(&ev, why, sizeof(why), "--source",
	    "192.0.2.7", "--dst", "198.51.100.1", "--type", "command",
	    "--command", "uptime", NULL), 0);
	assert_int_equal(ev.type, SPA_REQ_COMMAND);
	assert_string_equal(ev.command, "uptime");
}

/* A policy loaded and planned as spagated does, and its dry run. */
struct dry {
	struct spa_conf		 conf;
	struct action_table	*modules;
	struct access_conf	*access;
	struct plan		 plan;
	struct policy_opts	 opts;
	char			*text;
	size_t			 len;
};

static void
dry_load(struct dry *d, const char *policy)
{
	struct access_error aerr;
	char why[256];

	memset(d, 0, sizeof(*d));
	conf_defaults(&d->conf);
	assert_int_equal(action_conf_groups(&d->conf), 0);
	assert_int_equal(action_table_new(&d->modules), 0);
	assert_int_equal(action_table_configure(d->modules, &d->conf, why,
	    sizeof(why)), 0);
	if (access_load_buffer("access.conf", policy, strlen(policy),
	    &d->access, &aerr) != 0)
		fail_msg("policy refused: %s", aerr.text);
	if (plan_build(d->access, d->modules, &d->plan, why, sizeof(why)) != 0)
		fail_msg("plan refused: %s", why);
	d->opts.max_packet_age = 120;
}

static int
dry_judge_text(struct dry *d, struct spa_event *ev)
{
	FILE *out;
	int r;

	free(d->text);
	assert_non_null(out = open_memstream(&d->text, &d->len));
	r = dry_judge(d->access, &d->plan, &d->opts, d->conf.sudo_exe, ev, NOW,
	    out);
	fclose(out);
	return r;
}

static void
dry_free(struct dry *d)
{
	free(d->text);
	plan_free(&d->plan);
	access_free(d->access);
	action_table_free(d->modules);
	conf_free(&d->conf);
}

#define KEYS	"KEY_BASE64 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"

static void
refusals_then_the_grant_with_its_commands(void **state)
{
	struct spa_event ev;
	struct dry d;
	char why[256];

	(void)state;
	dry_load(&d,
	    "SOURCE 10.0.0.0/8\n" KEYS "\n"
	    "SOURCE ANY\n" KEYS "OPEN_PORTS tcp/22\n\n"
	    "SOURCE ANY\n" KEYS "REQUIRE_USERNAME bob\n\n"
	    "SOURCE ANY\n" KEYS "FW_ACCESS_TIMEOUT 30\nMAX_FW_TIMEOUT 60\n"
	    "CMD_CYCLE_OPEN /usr/bin/logger open $SRC $PROTO_NAME/$PORT "
	    "$CLIENT_TIMEOUT\n"
	    "CMD_CYCLE_CLOSE /usr/bin/logger close $SRC $PORT\n"
	    "CMD_CYCLE_TIMER 30\n\n"
	    "SOURCE ANY\n" KEYS "\n");
	assert_int_equal(event_of(&ev, why, sizeof(why), "--source",
	    "192.0.2.7", "--dst", "198.51.100.1", "--ports", "tcp/22,udp/53",
	    "--user", "alice", "--client-timeout", "90", NULL), 0);
	assert_int_equal(dry_judge_text(&d, &ev), 0);
	assert_string_equal(d.text,
	    "stanza #1 (access.conf:1): refuses: SOURCE does not match\n"
	    "stanza #2 (access.conf:4): refuses: a requested port is not "
	    "allowed: udp/53 (not in OPEN_PORTS)\n"
	    "stanza #3 (access.conf:8): refuses: username does not match "
	    "REQUIRE_USERNAME\n"
	    "stanza #4 (access.conf:12): grants, timeout 60 s (keys not "
	    "checked: no packet)\n"
	    "  tcp/22 open (exec): /usr/bin/logger open 192.0.2.7 tcp/22 60\n"
	    "  tcp/22 close (exec): /usr/bin/logger close 192.0.2.7 22\n"
	    "  udp/53 open (exec): /usr/bin/logger open 192.0.2.7 udp/53 60\n"
	    "  udp/53 close (exec): /usr/bin/logger close 192.0.2.7 53\n"
	    "stanzas after #4 are not tried\n");
	dry_free(&d);
}

static void
no_stanza_grants(void **state)
{
	struct spa_event ev;
	struct dry d;
	char why[256];

	(void)state;
	dry_load(&d,
	    "SOURCE ANY\n" KEYS "DESTINATION 10.0.0.1\n\n"
	    "SOURCE ANY\n" KEYS "ACCESS_EXPIRE_EPOCH 1795343000\n\n"
	    "SOURCE ANY\n" KEYS "RESTRICT_PORTS udp/53\n\n"
	    "SOURCE ANY\n" KEYS "\n");
	assert_int_equal(event_of(&ev, why, sizeof(why), "--source",
	    "192.0.2.7", "--dst", "198.51.100.1", "--ports", "udp/53",
	    "--user", "alice", "--type", "nat", "--nat", "10.0.0.2:53", NULL),
	    0);
	assert_int_equal(dry_judge_text(&d, &ev), 1);
	assert_string_equal(d.text,
	    "stanza #1 (access.conf:1): refuses: destination not allowed by "
	    "the stanza\n"
	    "stanza #2 (access.conf:5): refuses: stanza has expired\n"
	    "stanza #3 (access.conf:9): refuses: NAT requests are not "
	    "enabled\n"
	    "stanza #4 (access.conf:13): refuses: NAT requests are not "
	    "enabled\n"
	    "no stanza grants this request\n");
	d.opts.nat_forwarding = true;
	assert_int_equal(dry_judge_text(&d, &ev), 0);
	assert_non_null(strstr(d.text, "stanza #3 (access.conf:9): refuses: "
	    "a requested port is not allowed: udp/53 (in RESTRICT_PORTS)\n"
	    "stanza #4 (access.conf:13): grants, timeout 30 s"));
	assert_non_null(strstr(d.text, "nothing is opened"));
	dry_free(&d);
}

/* The argv a command request runs as: sudo's words, then the client's. */
static void
command_argv_wraps_in_sudo_when_the_stanza_says(void **state)
{
	struct access_conf *access = NULL;
	struct access_error aerr;
	struct cmd_argv words, argv;
	char line[1024], big[CMD_MAX_LEN];
	const char *policy =
	    "SOURCE ANY\n" KEYS "ENABLE_CMD_EXEC Y\n\n"
	    "SOURCE ANY\n" KEYS "ENABLE_CMD_EXEC Y\nENABLE_CMD_SUDO_EXEC Y\n"
	    "CMD_EXEC_USER root\nCMD_SUDO_EXEC_USER root\n"
	    "CMD_SUDO_EXEC_GROUP root\n";

	(void)state;
	if (access_load_buffer("access.conf", policy, strlen(policy), &access,
	    &aerr) != 0)
		fail_msg("policy refused: %s", aerr.text);
	assert_int_equal(cmd_split("touch 'a b'", &words), 0);
	assert_int_equal(command_argv(NULL, access->stanzas[0], &words,
	    &argv), 0);
	cmd_argv_format(&argv, line, sizeof(line));
	assert_string_equal(line, "touch \"a b\"");
	assert_int_equal(command_argv("/opt/sudo", access->stanzas[1], &words,
	    &argv), 0);
	cmd_argv_format(&argv, line, sizeof(line));
	assert_string_equal(line, "/opt/sudo -n -u root -g root -- touch "
	    "\"a b\"");
	assert_int_equal(command_argv(NULL, access->stanzas[1], &words,
	    &argv), 0);
	assert_string_equal(argv.argv[0], CONF_DEF_SUDO);
	/* fits alone, not behind sudo */
	memset(big, 'x', CMD_MAX_LEN - 8);
	big[CMD_MAX_LEN - 8] = '\0';
	assert_int_equal(cmd_split(big, &words), 0);
	assert_int_equal(command_argv(NULL, access->stanzas[0], &words,
	    &argv), 0);
	assert_int_equal(command_argv(NULL, access->stanzas[1], &words,
	    &argv), SPA_ERR_ARG);
	access_free(access);
}

/* spagate test prints that argv, as the executor would run it. */
static void
a_command_request_shows_the_sudo_line(void **state)
{
	struct spa_event ev;
	struct dry d;
	char why[256];

	(void)state;
	dry_load(&d,
	    "SOURCE ANY\n" KEYS "ENABLE_CMD_EXEC Y\nENABLE_CMD_SUDO_EXEC Y\n"
	    "CMD_EXEC_USER root\nCMD_SUDO_EXEC_USER root\n");
	assert_int_equal(event_of(&ev, why, sizeof(why), "--source",
	    "192.0.2.7", "--dst", "198.51.100.1", "--type", "command",
	    "--command", "systemctl restart 'my unit'", NULL), 0);
	assert_int_equal(dry_judge_text(&d, &ev), 0);
	assert_non_null(strstr(d.text, "  runs the command through sudo: "
	    CONF_DEF_SUDO " -n -u root -- systemctl restart \"my unit\"\n"));
	snprintf(ev.command, sizeof(ev.command), "echo 'unbalanced");
	assert_int_equal(dry_judge_text(&d, &ev), 0);
	assert_non_null(strstr(d.text, "cannot be split into words"));
	dry_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(usage_errors_are_refused),
		cmocka_unit_test(impossible_requests_are_refused),
		cmocka_unit_test(request_is_what_the_client_would_send),
		cmocka_unit_test(refusals_then_the_grant_with_its_commands),
		cmocka_unit_test(no_stanza_grants),
		cmocka_unit_test(command_argv_wraps_in_sudo_when_the_stanza_says),
		cmocka_unit_test(a_command_request_shows_the_sudo_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
