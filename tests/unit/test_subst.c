/*
 * Command templates: variables, fwknopd compatibility, quoting, hostile
 * values that must stay one argument, shell mode, and untrusted commands.
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
#include <sys/wait.h>
#include <unistd.h>

#include "access.h"
#include "access_int.h"
#include "err.h"
#include "subst.h"

struct fix {
	struct access_conf	*conf;
	struct spa_event	 ev;
};

static int
setup(void **state)
{
	static const char text[] = "SOURCE 10.0.0.0/8, 192.0.2.0/24\n"
	    "KEY secret-key-1234\nHMAC_KEY hmac-key-1234\n"
	    "OPEN_PORTS tcp/22, udp/53\nFW_ACCESS_TIMEOUT 45\n"
	    "CMD_CYCLE_TIMER 60\n";
	struct access_error err;
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	if (access_load_buffer("t.conf", text, strlen(text), &f->conf,
	    &err) != 0)
		fail_msg("%s", err.msg);
	f->ev.stanza = 1;
	f->ev.type = SPA_MSG_ACCESS;
	assert_int_equal(addr_parse("192.0.2.10", &f->ev.allow), 0);
	assert_int_equal(addr_parse("192.0.2.11", &f->ev.pkt_src), 0);
	assert_int_equal(addr_parse("198.51.100.1", &f->ev.pkt_dst), 0);
	f->ev.nports = 2;
	f->ev.ports[0].proto = IPPROTO_TCP;
	f->ev.ports[0].port = 22;
	f->ev.ports[1].proto = IPPROTO_UDP;
	f->ev.ports[1].port = 53;
	strcpy(f->ev.user, "alice");
	f->ev.timeout = 60;
	f->ev.spa_time = 1795343068;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	access_free(f->conf);
	free(f);
	return 0;
}

/* Expand `line` for port `port`; returns the words joined by '|'. */
static char *
expand_join(struct fix *f, const char *line, bool shell, size_t port)
{
	struct cmd_template t;
	struct subst_vars v = { &f->ev, f->conf->stanzas[0], port };
	struct cmd_argv a;
	char why[256], *out = calloc(1, CMD_MAX_LEN * 2);
	size_t i;

	assert_non_null(out);
	if (cmd_template_parse(line, shell, f->conf->stanzas[0], &t, why,
	    sizeof(why)) != 0)
		fail_msg("refused: %s", why);
	assert_int_equal(cmd_template_expand(&t, &v, &a), 0);
	for (i = 0; i < a.argc; i++) {
		if (i > 0)
			strcat(out, "|");
		strcat(out, a.argv[i]);
	}
	assert_null(a.argv[a.argc]);
	cmd_template_free(&t);
	return out;
}

static void
assert_expands(struct fix *f, const char *line, size_t port, const char *want)
{
	char *got = expand_join(f, line, false, port);

	assert_string_equal(got, want);
	free(got);
}

static void
assert_refused(struct fix *f, const char *line, const char *why_part)
{
	struct cmd_template t;
	char why[256] = "";

	assert_int_equal(cmd_template_parse(line, false, f->conf->stanzas[0],
	    &t, why, sizeof(why)), SPA_ERR_CONFIG);
	if (strstr(why, why_part) == NULL)
		fail_msg("reason '%s' lacks '%s'", why, why_part);
}

static void
every_event_variable(void **state)
{
	assert_expands(*state, "x $IP $SRC $PKT_SRC $DST $PORT $PROTO "
	    "$PROTO_NAME $TIMEOUT $CLIENT_TIMEOUT $USER $STANZA", 1,
	    "x|192.0.2.10|192.0.2.10|192.0.2.11|198.51.100.1|53|17|udp|"
	    "1795343128|60|alice|1");
}

static void
one_cycle_per_port_sees_its_port(void **state)
{
	assert_expands(*state, "ipset add s $SRC,$PROTO_NAME:$PORT", 0,
	    "ipset|add|s|192.0.2.10,tcp:22");
	assert_expands(*state, "ipset add s $SRC,$PROTO_NAME:$PORT", 1,
	    "ipset|add|s|192.0.2.10,udp:53");
}

/* fwknopd matches names by prefix with no terminator; the longest wins. */
static void
fwknopd_prefix_names_still_work(void **state)
{
	assert_expands(*state, "echo $IP_$PORT_$PROTOTEST", 0,
	    "echo|192.0.2.10_22_6TEST");
	assert_expands(*state, "echo $CLIENT_TIMEOUT1", 0, "echo|601");
}

static void
braces_and_dollar_dollar(void **state)
{
	assert_expands(*state, "echo ${PORT}0 $$HOME cost$$", 0,
	    "echo|220|$HOME|cost$");
}

static void
directive_variables(void **state)
{
	assert_expands(*state, "echo $FW_ACCESS_TIMEOUT $OPEN_PORTS $SOURCE", 0,
	    "echo|45|tcp/22, udp/53|10.0.0.0/8, 192.0.2.0/24");
}

static void
refuses_unknown_variable(void **state)
{
	assert_refused(*state, "echo $HOME", "unknown variable $HOME");
	assert_refused(*state, "echo ${IPX}", "unknown variable ${IPX}");
	assert_refused(*state, "echo $", "without a variable name");
}

static void
refuses_secret_and_unset_directives(void **state)
{
	assert_refused(*state, "echo $KEY", "unknown variable $KEY");
	assert_refused(*state, "echo $HMAC_KEY_BASE64", "unknown variable");
	assert_refused(*state, "echo $REQUIRE_USERNAME", "is not set");
}

static void
refuses_bad_templates(void **state)
{
	assert_refused(*state, "", "empty command");
	assert_refused(*state, "echo 'open", "unbalanced single quote");
	assert_refused(*state, "echo \"open", "unbalanced double quote");
	assert_refused(*state, "echo x\\", "trailing backslash");
	assert_refused(*state, "$IP up", "first word");
	assert_refused(*state, "echo \x01", "control character");
}

static void
quotes_group_words(void **state)
{
	assert_expands(*state, "cmd 'a b' \"c $PORT\" d\\ e '' f", 0,
	    "cmd|a b|c 22|d e||f");
	assert_expands(*state, "cmd '$IP'", 0, "cmd|$IP");
}

/* A value from the packet is one argument, whatever it contains. */
static void
hostile_user_stays_one_argument(void **state)
{
	static const char *const users[] = {
		"a b", "'; rm -rf / #", "\"q\"", "$(id)", "`id`", "a;b|c&d",
		"--help", "",
	};
	struct fix *f = *state;
	char want[128];
	size_t i;

	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		snprintf(f->ev.user, sizeof(f->ev.user), "%s", users[i]);
		snprintf(want, sizeof(want), "logger|-t|spa|%s", users[i]);
		assert_expands(f, "logger -t spa $USER", 0, want);
	}
}

/* Shell mode: run the line for real and compare what the shell saw. */
static void
shell_mode_quotes_values(void **state)
{
	static const char *const users[] = {
		"a b", "it's", "$(touch /tmp/spagate-pwned)", "`id`", "x;y",
		"'\"'\"", "a\\b",
	};
	struct fix *f = *state;
	struct cmd_template t;
	struct subst_vars v = { &f->ev, f->conf->stanzas[0], 0 };
	struct cmd_argv a;
	char why[128], got[256];
	size_t i, n;
	int pfd[2];
	pid_t pid;

	assert_int_equal(cmd_template_parse("printf %s \"[$USER]\"", true,
	    f->conf->stanzas[0], &t, why, sizeof(why)), 0);
	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		snprintf(f->ev.user, sizeof(f->ev.user), "%s", users[i]);
		assert_int_equal(cmd_template_expand(&t, &v, &a), 0);
		assert_int_equal(a.argc, 3);
		assert_string_equal(a.argv[0], "/bin/sh");
		assert_int_equal(pipe(pfd), 0);
		if ((pid = fork()) == 0) {
			dup2(pfd[1], 1);
			execv(a.argv[0], a.argv);
			_exit(127);
		}
		close(pfd[1]);
		n = (size_t)read(pfd[0], got, sizeof(got) - 1);
		got[n] = '\0';
		close(pfd[0]);
		waitpid(pid, NULL, 0);
		snprintf(why, sizeof(why), "[%s]", users[i]);
		assert_string_equal(got, why);
	}
	assert_int_equal(access("/tmp/spagate-pwned", F_OK), -1);
	cmd_template_free(&t);
}

static void
expansion_overflow_refused(void **state)
{
	struct fix *f = *state;
	struct cmd_template t;
	struct subst_vars v = { &f->ev, f->conf->stanzas[0], 0 };
	struct cmd_argv a;
	char line[1600], why[128];

	/* one word per "$SOURCE": more than CMD_MAX_ARGS words */
	line[0] = '\0';
	strcat(line, "echo");
	while (strlen(line) + 8 < sizeof(line))
		strcat(line, " $SOURCE");
	assert_int_equal(cmd_template_parse(line, false, f->conf->stanzas[0],
	    &t, why, sizeof(why)), SPA_ERR_CONFIG);	/* > 64 words */
	/* one word of ~200 x 26 bytes: more than CMD_MAX_LEN */
	strcpy(line, "echo ");
	while (strlen(line) + 7 < sizeof(line))
		strcat(line, "$SOURCE");
	assert_int_equal(cmd_template_parse(line, false, f->conf->stanzas[0],
	    &t, why, sizeof(why)), 0);
	assert_int_equal(cmd_template_expand(&t, &v, &a), SPA_ERR_ARG);
	assert_int_equal(a.argc, 0);
	cmd_template_free(&t);
}

static void
split_untrusted_command(void **state)
{
	struct cmd_argv a;

	(void)state;
	assert_int_equal(cmd_split("touch /tmp/x; id $(whoami)", &a), 0);
	assert_int_equal(a.argc, 4);
	assert_string_equal(a.argv[1], "/tmp/x;");
	assert_string_equal(a.argv[2], "id");
	assert_string_equal(a.argv[3], "$(whoami)");
	assert_int_equal(cmd_split("  echo 'a b' \"c\\\"d\"  ", &a), 0);
	assert_int_equal(a.argc, 3);
	assert_string_equal(a.argv[1], "a b");
	assert_string_equal(a.argv[2], "c\"d");
}

static void
split_refuses_bad_commands(void **state)
{
	static const char *const bad[] = {
		"", "   ", "echo 'x", "echo \"x", "echo x\\", "echo\nid",
		"echo\tx\x7f",
	};
	char many[400];
	struct cmd_argv a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cmd_split(bad[i], &a) != SPA_ERR_ARG)
			fail_msg("accepted: %s", bad[i]);
	many[0] = '\0';
	for (i = 0; i < CMD_MAX_ARGS + 1; i++)
		strcat(many, "w ");
	assert_int_equal(cmd_split(many, &a), SPA_ERR_ARG);
}

static void
argv_from_prepends_and_relinks(void **state)
{
	const char *sudo[] = { "/usr/bin/sudo", "-n", "--", NULL };
	struct cmd_argv tail, a, copy;
	char line[256];

	(void)state;
	assert_int_equal(cmd_split("/bin/echo 'a b'", &tail), 0);
	assert_int_equal(cmd_argv_from(&a, sudo, &tail), 0);
	assert_int_equal(a.argc, 5);
	assert_string_equal(a.argv[3], "/bin/echo");
	memcpy(&copy, &a, sizeof(a));
	assert_int_equal(cmd_argv_relink(&copy), 0);
	assert_ptr_equal(copy.argv[0], copy.buf);
	assert_string_equal(copy.argv[4], "a b");
	cmd_argv_format(&copy, line, sizeof(line));
	assert_string_equal(line, "/usr/bin/sudo -n -- /bin/echo \"a b\"");
	memset(copy.buf, 'x', sizeof(copy.buf));	/* no NUL anywhere */
	assert_int_equal(cmd_argv_relink(&copy), SPA_ERR_ARG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(every_event_variable),
		T(one_cycle_per_port_sees_its_port),
		T(fwknopd_prefix_names_still_work),
		T(braces_and_dollar_dollar),
		T(directive_variables),
		T(refuses_unknown_variable),
		T(refuses_secret_and_unset_directives),
		T(refuses_bad_templates),
		T(quotes_group_words),
		T(hostile_user_stays_one_argument),
		T(shell_mode_quotes_values),
		T(expansion_overflow_refused),
		cmocka_unit_test(split_untrusted_command),
		cmocka_unit_test(split_refuses_bad_commands),
		cmocka_unit_test(argv_from_prepends_and_relinks),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
