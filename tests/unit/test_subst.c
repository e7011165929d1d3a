/*
 * Command templates: variables, fwknopd compatibility, quoting, hostile
 * values that must stay one argument, shell mode run for real, and the
 * splitting of untrusted commands.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "access.h"
#include "access_int.h"
#include "err.h"
#include "helpers.h"
#include "subst.h"

struct fix {
	struct access_conf	*conf;
	struct spa_event	 ev;
};

static int
setup(void **state)
{
	static const char text[] =
	    "SOURCE 10.0.0.0/8, 192.0.2.0/24\n"
	    "KEY secret-key-1234\nHMAC_KEY hmac-key-1234\n"
	    "OPEN_PORTS tcp/22, udp/53\nFW_ACCESS_TIMEOUT 45\n"
	    "CMD_CYCLE_OPEN /bin/true\nCMD_CYCLE_CLOSE /bin/true\n"
	    "CMD_CYCLE_TIMER 60\n"
	    "\n"
	    "SOURCE ANY\nDESTINATION 198.51.100.0/24\n"
	    "KEY other-key-1234\nHMAC_KEY other-hmac-1234\n"
	    "HMAC_DIGEST_TYPE sha512\nMAX_FW_TIMEOUT 300\n"
	    "REQUIRE_USERNAME alice\nENABLE_CMD_EXEC Y\n"
	    "CMD_EXEC_USER nobody\nACCESS_EXPIRE 12/31/2099\n"
	    "RESTRICT_PORTS tcp/23, udp/69\nCMD_TIMEOUT 7\n";
	struct access_error err;
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	if (access_load_buffer("t.conf", text, strlen(text), &f->conf,
	    &err) != 0)
		fail_msg("%s", err.text);
	assert_int_equal(f->conf->n, 2);
	f->ev.stanza = 1;
	f->ev.type = SPA_REQ_ACCESS;
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

static const struct stanza *
stanza(struct fix *f, size_t n)
{
	return f->conf->stanzas[n - 1];
}

/* Expand `line` in stanza `sn` for port `port`: words joined by '|'. */
static char *
expand_join(struct fix *f, size_t sn, const char *line, size_t port)
{
	struct cmd_template t;
	struct subst_vars v = { &f->ev, stanza(f, sn), port };
	struct cmd_argv a;
	char why[256], *out = calloc(1, CMD_MAX_LEN * 2);
	size_t i;

	assert_non_null(out);
	if (cmd_template_parse(line, false, stanza(f, sn), &t, why,
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
assert_expands_in(struct fix *f, size_t sn, const char *line, size_t port,
    const char *want)
{
	char *got = expand_join(f, sn, line, port);

	assert_string_equal(got, want);
	free(got);
}

static void
assert_expands(struct fix *f, const char *line, size_t port, const char *want)
{
	assert_expands_in(f, 1, line, port, want);
}

static void
assert_refused(struct fix *f, const char *line, const char *why_part)
{
	struct cmd_template t;
	char why[256] = "";

	assert_int_equal(cmd_template_parse(line, false, stanza(f, 1), &t, why,
	    sizeof(why)), SPA_ERR_CONFIG);
	if (strstr(why, why_part) == NULL)
		fail_msg("reason '%s' lacks '%s'", why, why_part);
	assert_int_equal(t.nwords, 0);	/* nothing left to free */
}

/* --- variables ----------------------------------------------------------- */

static void
every_event_variable(void **state)
{
	assert_expands(*state, "x $IP $SRC $PKT_SRC $DST $PORT $PROTO "
	    "$PROTO_NAME $TIMEOUT $CLIENT_TIMEOUT $USER $STANZA", 1,
	    "x|192.0.2.10|192.0.2.10|192.0.2.11|198.51.100.1|53|17|udp|"
	    "1795343128|60|alice|1");
}

/*
 * The request's kind and a NAT request's destination.  $NAT_IP is the
 * host only when it is an IPv4 address (the policy refuses others before
 * any cycle): junk expands to nothing, so no line can be given it.
 */
static void
request_and_nat_variables(void **state)
{
	struct fix *f = *state;

	assert_expands(f, "x [$REQUEST] [$NAT_IP] [$NAT_PORT]", 0,
	    "x|[access]|[]|[]");
	f->ev.type = SPA_REQ_LOCAL_NAT_ACCESS;
	f->ev.has_nat = true;
	strcpy(f->ev.nat_host, "10.0.0.5");
	f->ev.nat_port = 2222;
	assert_expands(f, "x $REQUEST $NAT_IP:$NAT_PORT", 0,
	    "x|local_nat_access|10.0.0.5:2222");
	strcpy(f->ev.nat_host, "bad%host");
	assert_expands(f, "x [$NAT_IP] $NAT_PORT", 0, "x|[]|2222");
}

/*
 * The built-in firewall's NAT words are never empty: "-" when there is
 * nothing (a word that vanished would shift the others).
 */
static void
nat_words_are_never_empty(void **state)
{
	struct fix *f = *state;
	struct stanza *st = f->conf->stanzas[0];

	assert_expands(f, "x $NAT_TO $STANZA_DNAT $STANZA_SNAT", 0,
	    "x|-|-|-");
	f->ev.type = SPA_REQ_NAT_ACCESS;
	f->ev.has_nat = true;
	strcpy(f->ev.nat_host, "10.0.0.5");
	f->ev.nat_port = 2222;
	st->has_force_nat = true;
	assert_int_equal(addr_parse("10.1.1.1", &st->force_nat_addr), 0);
	st->force_nat_port = 443;
	st->force_masquerade = true;
	assert_expands(f, "x nat=$NAT_TO $STANZA_DNAT $STANZA_SNAT $STANZA", 0,
	    "x|nat=10.0.0.5:2222|10.1.1.1:443|masquerade|1");
	st->has_force_snat = true;
	assert_int_equal(addr_parse("198.51.100.9", &st->force_snat_addr), 0);
	assert_expands(f, "x $STANZA_SNAT", 0, "x|198.51.100.9");
	strcpy(f->ev.nat_host, "bad%host");	/* not IPv4: none */
	assert_expands(f, "x $NAT_TO", 0, "x|-");
}

static void
one_cycle_per_port_sees_its_port(void **state)
{
	assert_expands(*state, "ipset add s $SRC,$PROTO_NAME:$PORT", 0,
	    "ipset|add|s|192.0.2.10,tcp:22");
	assert_expands(*state, "ipset add s $SRC,$PROTO_NAME:$PORT", 1,
	    "ipset|add|s|192.0.2.10,udp:53");
}

static void
no_ports_expand_to_zero(void **state)
{
	struct fix *f = *state;

	f->ev.nports = 0;
	assert_expands(f, "x $PORT $PROTO [$PROTO_NAME]", 0, "x|0|0|[]");
}

/* fwknopd matches names by prefix with no terminator; the longest wins. */
static void
fwknopd_prefix_names_still_work(void **state)
{
	assert_expands(*state, "echo $IP_$PORT_$PROTOTEST", 0,
	    "echo|192.0.2.10_22_6TEST");
	assert_expands(*state, "echo $CLIENT_TIMEOUT1", 0, "echo|601");
	assert_expands(*state, "echo $PROTO_NAMEx $PORTS $USERNAME", 0,
	    "echo|tcpx|22S|aliceNAME");
}

static void
braces_and_dollar_dollar(void **state)
{
	assert_expands(*state, "echo ${PORT}0 $$HOME cost$$ ${CLIENT_TIMEOUT}",
	    0, "echo|220|$HOME|cost$|60");
}

static void
directive_variables(void **state)
{
	assert_expands(*state, "echo $FW_ACCESS_TIMEOUT $OPEN_PORTS $SOURCE "
	    "$CMD_CYCLE_TIMER $EXTERNAL_CMD_ALARM $ENABLE_CMD_EXEC "
	    "$REQUIRE_SOURCE_ADDRESS $HMAC_DIGEST_TYPE $ENCRYPTION_MODE", 0,
	    "echo|45|tcp/22, udp/53|10.0.0.0/8, 192.0.2.0/24|60|60|N|N|"
	    "sha256|CBC");
	assert_expands_in(*state, 2, "echo $SOURCE $DESTINATION "
	    "$HMAC_DIGEST_TYPE $MAX_FW_TIMEOUT $REQUIRE_USERNAME "
	    "$ENABLE_CMD_EXEC $CMD_EXEC_USER $ACCESS_EXPIRE "
	    "$RESTRICT_PORTS $CMD_TIMEOUT", 0,
	    "echo|ANY|198.51.100.0/24|sha512|300|alice|Y|nobody|12/31/2099|"
	    "tcp/23, udp/69|7");
}

/* A directive value is inserted as is: never expanded again. */
static void
directive_value_is_not_expanded(void **state)
{
	struct fix *f = *state;
	char *old = f->conf->stanzas[1]->require_username;

	f->conf->stanzas[1]->require_username = "$IP $(id)";
	assert_expands_in(f, 2, "echo u=$REQUIRE_USERNAME", 0,
	    "echo|u=$IP $(id)");
	f->conf->stanzas[1]->require_username = old;
}

static void
refuses_unknown_variable(void **state)
{
	assert_refused(*state, "echo $HOME",
	    "unknown variable $HOME (write $$ for a literal $)");
	assert_refused(*state, "echo ${IPX}", "unknown variable ${IPX}");
	assert_refused(*state, "echo ${IP", "'${' without '}'");
	assert_refused(*state, "echo $", "without a variable name");
	assert_refused(*state, "echo $-x", "without a variable name");
	assert_refused(*state, "echo $ip", "unknown variable $ip");
}

/* Nothing an %include_keys file may hold reaches a command. */
static void
refuses_secret_directives(void **state)
{
	static const char *const secret[] = {
		"KEY", "KEY_BASE64", "HMAC_KEY", "HMAC_KEY_BASE64",
		"GPG_DECRYPT_PW", "GPG_DECRYPT_ID", "GPG_ALLOW_NO_PW",
	};
	char line[64], want[64];
	size_t i;

	for (i = 0; i < sizeof(secret) / sizeof(secret[0]); i++) {
		snprintf(line, sizeof(line), "echo $%s", secret[i]);
		snprintf(want, sizeof(want), "unknown variable $%s", secret[i]);
		assert_refused(*state, line, want);
		snprintf(line, sizeof(line), "echo ${%s}", secret[i]);
		assert_refused(*state, line, "unknown variable ${");
	}
}

static void
refuses_unset_directives(void **state)
{
	assert_refused(*state, "echo $REQUIRE_USERNAME",
	    "$REQUIRE_USERNAME is not set in this stanza");
	assert_refused(*state, "echo $DESTINATION", "$DESTINATION is not set");
	assert_refused(*state, "echo $CMD_EXEC_USER", "is not set");
	assert_refused(*state, "echo $RESTRICT_PORTS", "is not set");
	assert_refused(*state, "echo $FORCE_NAT", "is not set");
	assert_refused(*state, "echo $ACCESS_EXPIRE", "is not set");
	assert_refused(*state, "echo $CMD_TIMEOUT", "is not set");
}

static void
refuses_bad_templates(void **state)
{
	assert_refused(*state, "", "empty command");
	assert_refused(*state, "   ", "empty command");
	assert_refused(*state, "echo 'open", "unbalanced single quote");
	assert_refused(*state, "echo \"open", "unbalanced double quote");
	assert_refused(*state, "echo \"open\\", "unbalanced double quote");
	assert_refused(*state, "echo x\\", "trailing backslash");
	assert_refused(*state, "echo \x01", "control character");
	assert_refused(*state, "echo '\x1b[2J'", "control character");
	assert_refused(*state, "echo \x7f", "control character");
}

/* The program picks the module and runs as root: no packet value in it. */
static void
refuses_variable_program(void **state)
{
	assert_refused(*state, "$IP up", "first word");
	assert_refused(*state, "/usr/bin/$USER x", "first word");
	assert_refused(*state, "${USER}", "first word");
	assert_refused(*state, "'' x", "first word");
}

static void
refuses_too_many_words(void **state)
{
	char line[400];
	size_t i;

	strcpy(line, "echo");
	for (i = 0; i < CMD_MAX_ARGS; i++)
		strcat(line, " w");
	assert_refused(*state, line, "more than 64 words");
	line[strlen(line) - 2] = '\0';	/* exactly 64 words */
	free(expand_join(*state, 1, line, 0));
}

static void
quotes_group_words(void **state)
{
	assert_expands(*state, "cmd 'a b' \"c $PORT\" d\\ e '' f", 0,
	    "cmd|a b|c 22|d e||f");
	assert_expands(*state, "cmd '$IP' \"\\$IP\" \\$IP x\"y\"'z'", 0,
	    "cmd|$IP|$IP|$IP|xyz");
	assert_expands(*state, "cmd\t\"a\tb\"  ''", 0, "cmd|a\tb|");
}

/* A value from the packet is one argument, whatever it contains. */
static void
hostile_user_stays_one_argument(void **state)
{
	static const char *const users[] = {
		"a b", "'; rm -rf / #", "\"q\"", "$(id)", "`id`", "a;b|c&d",
		"--help", "", "x\ny", "$IP", "\\", "*",
	};
	struct fix *f = *state;
	struct cmd_template t;
	struct subst_vars v = { &f->ev, stanza(f, 1), 0 };
	struct cmd_argv a;
	char why[128], want[128];
	size_t i;

	assert_int_equal(cmd_template_parse("logger -t spa $USER u=$USER",
	    false, stanza(f, 1), &t, why, sizeof(why)), 0);
	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		snprintf(f->ev.user, sizeof(f->ev.user), "%s", users[i]);
		assert_int_equal(cmd_template_expand(&t, &v, &a), 0);
		assert_int_equal(a.argc, 5);
		assert_string_equal(a.argv[3], users[i]);
		snprintf(want, sizeof(want), "u=%s", users[i]);
		assert_string_equal(a.argv[4], want);
	}
	cmd_template_free(&t);
}

/* A user field without its NUL (a bad peer) is cut at its size. */
static void
unterminated_user_is_bounded(void **state)
{
	struct fix *f = *state;
	char want[SPA_USER_MAX + 8];

	/* the user field and every byte after it in the event */
	memset(f->ev.user, 'u', sizeof(f->ev) -
	    offsetof(struct spa_event, user));
	snprintf(want, sizeof(want), "x|%.*s", (int)sizeof(f->ev.user),
	    f->ev.user);
	assert_expands(f, "x $USER", 0, want);
}

/* --- shell mode ---------------------------------------------------------- */

/* Run argv (["/bin/sh", "-c", line, ...]) in `dir`; what it printed. */
static void
run_capture_in(const struct cmd_argv *a, const char *dir, char *got,
    size_t len)
{
	size_t n = 0;
	ssize_t k;
	int pfd[2];
	pid_t pid;

	assert_int_equal(pipe(pfd), 0);
	if ((pid = fork()) == 0) {
		dup2(pfd[1], 1);
		if (freopen("/dev/null", "w", stderr) == NULL || chdir(dir) != 0)
			_exit(126);
		execv(a->argv[0], a->argv);
		_exit(127);
	}
	close(pfd[1]);
	while (n + 1 < len && (k = read(pfd[0], got + n, len - 1 - n)) > 0)
		n += (size_t)k;
	got[n] = '\0';
	close(pfd[0]);
	waitpid(pid, NULL, 0);
}

static void
run_capture(const struct cmd_argv *a, char *got, size_t len)
{
	run_capture_in(a, "/", got, len);
}

static const char *const hostile[] = {
	"a b", "it's", "$(touch pwned)", "`id`", "x;y",
	"'\"'\"", "a\\b", "two\nlines", "$IP", "*", "", "-n", "\\'",
};

/* Run it for real: the shell must see each value byte for byte. */
static void
shell_mode_quotes_values(void **state)
{
	struct fix *f = *state;
	struct cmd_template t;
	struct subst_vars v = { &f->ev, stanza(f, 1), 0 };
	struct cmd_argv a;
	char why[128], got[512], want[512], *dir;
	size_t i;

	/* the command substitution, were it run, would leave dir/pwned */
	assert_non_null(dir = th_mkdtemp());
	assert_int_equal(cmd_template_parse("printf '%s|' \"$USER\" \"[$USER]\" "
	    "'[$USER]' x\"$USER\"\\ \"$PORT\"", true, stanza(f, 1), &t, why,
	    sizeof(why)), 0);
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		snprintf(f->ev.user, sizeof(f->ev.user), "%s", hostile[i]);
		assert_int_equal(cmd_template_expand(&t, &v, &a), 0);
		assert_int_equal(a.argc, 6);
		assert_string_equal(a.argv[0], "/bin/sh");
		assert_string_equal(a.argv[1], "-c");
		run_capture_in(&a, dir, got, sizeof(got));
		snprintf(want, sizeof(want), "%s|[%s]|[$USER]|x%s 22|",
		    hostile[i], hostile[i], hostile[i]);
		assert_string_equal(got, want);
	}
	assert_int_equal(th_entries(dir), 0);
	th_rmtree(dir);
	free(dir);
	cmd_template_free(&t);
}

/* Literal text is the admin's shell syntax: kept as written. */
static void
shell_mode_keeps_literal_text(void **state)
{
	struct fix *f = *state;
	struct cmd_template t;
	struct subst_vars v = { &f->ev, stanza(f, 1), 0 };
	struct cmd_argv a;
	char why[128], got[256];

	strcpy(f->ev.user, "it's");
	assert_int_equal(cmd_template_parse("echo  'a  b' $USER\"x\" | "
	    "tr a-z A-Z; echo $$PATH", true, stanza(f, 1), &t, why,
	    sizeof(why)), 0);
	assert_int_equal(cmd_template_expand(&t, &v, &a), 0);
	assert_string_equal(a.argv[2], "echo 'a  b' ${1}\"x\" | "
	    "tr a-z A-Z; echo $PATH");
	assert_string_equal(a.argv[4], "it's");
	run_capture(&a, got, sizeof(got));
	assert_non_null(strstr(got, "A  B IT'SX\n"));
	cmd_template_free(&t);
}

/*
 * Shell mode passes values as positional parameters: the script is the
 * template's own text with ${N} for each variable, the same whatever the
 * packet holds, and each value is one argument after it ("sh" is $0).
 * One parameter per variable, however often it is used.
 */
static void
shell_values_are_parameters(void **state)
{
	struct fix *f = *state;
	struct cmd_template t;
	struct subst_vars v = { &f->ev, stanza(f, 1), 0 };
	struct cmd_argv a;
	char why[128];
	size_t i;

	assert_int_equal(cmd_template_parse("logger -t spa \"($$(echo $USER))\" "
	    "$IP:$PORT u=$USER '$USER' $FW_ACCESS_TIMEOUT", true, stanza(f, 1),
	    &t, why, sizeof(why)), 0);
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		snprintf(f->ev.user, sizeof(f->ev.user), "%s", hostile[i]);
		assert_int_equal(cmd_template_expand(&t, &v, &a), 0);
		assert_int_equal(a.argc, 8);
		assert_string_equal(a.argv[0], "/bin/sh");
		assert_string_equal(a.argv[1], "-c");
		assert_string_equal(a.argv[2], "logger -t spa "
		    "\"($(echo ${1}))\" ${2}:${3} u=${1} '$USER' ${4}");
		assert_string_equal(a.argv[3], "sh");
		assert_string_equal(a.argv[4], hostile[i]);
		assert_string_equal(a.argv[5], "192.0.2.10");
		assert_string_equal(a.argv[6], "22");
		assert_string_equal(a.argv[7], "45");
		assert_null(a.argv[8]);
	}
	cmd_template_free(&t);
}

/* A directive's value (set by the admin) is a parameter too. */
static void
shell_directive_value_is_a_parameter(void **state)
{
	struct fix *f = *state;
	struct cmd_template t;
	struct subst_vars v = { &f->ev, stanza(f, 2), 0 };
	struct cmd_argv a;
	char *old = f->conf->stanzas[1]->require_username, why[128];


	f->conf->stanzas[1]->require_username = strdup("a'$(id)\"`id`");
	free(old);
	assert_int_equal(cmd_template_parse("echo \"$REQUIRE_USERNAME\" "
	    "$USER $REQUIRE_USERNAME", true, stanza(f, 2), &t, why,
	    sizeof(why)), 0);
	assert_int_equal(cmd_template_expand(&t, &v, &a), 0);
	assert_int_equal(a.argc, 6);
	assert_string_equal(a.argv[2], "echo \"${1}\" ${2} ${1}");
	assert_string_equal(a.argv[4], "a'$(id)\"`id`");
	assert_string_equal(a.argv[5], "alice");
	cmd_template_free(&t);
}

/* What a shell context makes of a value (see shell_contexts). */
enum ctx_want {
	W_VALUE,	/* pre value post */
	W_FIELDS,	/* pre, each IFS field of the value as fpre f fpost, post */
	W_FIXED,	/* pre, whatever the value */
	W_NOTHING,	/* only: no command of the value ran */
};

/* The line as written is what the shell sees, with ${N} for a variable. */
static const struct shell_ctx {
	const char	*name;
	const char	*line;
	enum ctx_want	 want;
	const char	*pre, *post, *fpre, *fpost;	/* NULL: "" */
} shell_contexts[] = {
#define C(n, l, w)	.name = (n), .line = (l), .want = (w)
	{ C("bare", "printf '[%s]' $USER", W_FIELDS), .fpre = "[",
	    .fpost = "]" },
	{ C("bare, quoted", "printf '[%s]' \"$USER\"", W_VALUE), .pre = "[",
	    .post = "]" },
	{ C("double quotes", "printf '[%s]' \"<$USER>\"", W_VALUE),
	    .pre = "[<", .post = ">]" },
	{ C("single quotes", "printf '[%s]' '<$USER>'", W_FIXED),
	    .pre = "[<$USER>]" },
	{ C("single quotes in double quotes", "printf '[%s]' \"'$USER'\"",
	    W_VALUE), .pre = "['", .post = "']" },
	{ C("$(...) quoted inside",
	    "printf '[%s]' \"$$(printf %s \"$USER\")\"", W_VALUE), .pre = "[",
	    .post = "]" },
	{ C("$(...) in double quotes (issue 15)",
	    "printf '[%s]' \"($$(printf '<%s>' $USER))\"", W_FIELDS),
	    .pre = "[(", .post = ")]", .fpre = "<", .fpost = ">" },
	{ C("$(...) bare", "printf '[%s]' $$(printf '<%s>' $USER)", W_FIELDS),
	    .pre = "[", .post = "]", .fpre = "<", .fpost = ">" },
	{ C("backticks in double quotes",
	    "printf '[%s]' \"`printf '<%s>' $USER`\"", W_FIELDS), .pre = "[",
	    .post = "]", .fpre = "<", .fpost = ">" },
	{ C("backticks bare", "printf '[%s]' `printf '<%s>' $USER`",
	    W_FIELDS), .pre = "[", .post = "]", .fpre = "<", .fpost = ">" },
	{ C("$((...)) of a number", "printf '[%s]' $$(( $PORT + 1 ))",
	    W_FIXED), .pre = "[23]" },
	{ C("$((...)) of the user", "printf '[%s]' \"$$(( $USER ))\"",
	    W_NOTHING) },
	{ C("${...} bare", "printf '[%s]' $${NOPE:-$USER}", W_FIELDS),
	    .fpre = "[", .fpost = "]" },
	{ C("${...} quoted inside", "printf '[%s]' $${NOPE:-\"$USER\"}",
	    W_VALUE), .pre = "[", .post = "]" },
	{ C("${...} in double quotes", "printf '[%s]' \"$${NOPE:-$USER}\"",
	    W_VALUE), .pre = "[", .post = "]" },
	{ C("standard input (heredoc-ish)",
	    "printf %s \"$USER\" | (printf '['; cat; printf ']')", W_VALUE),
	    .pre = "[", .post = "]" },
#undef C
};

/* Usernames a packet may carry, and a forged event's worse. */
static const char *const hostile_users[] = {
	"x&touch pwned&&echo", "x&cd .&&touch pwned&&echo", "$(touch pwned)",
	"`touch pwned`", "x;touch pwned", "x|touch pwned", "x>pwned",
	"x<pwned", "'; touch pwned; '", "\"; touch pwned; \"",
	"x\ntouch pwned", "x\\\ntouch pwned", "it's", "a  b", "\tc ", "",
	"-n", "a\\b", "*", "?[a]", "${1}", "$IP", "$0", "<>", "!1", "#x",
	"~", "{a,b}", "$((1+1))",
};

#define OR_EMPTY(s)	((s) != NULL ? (s) : "")

/* The IFS fields of `s` (space, tab, newline), each as fpre f fpost. */
static void
add_fields(char *want, size_t len, const char *s, const struct shell_ctx *c)
{
	size_t n, fields = 0;

	while (*s != '\0') {
		s += strspn(s, " \t\n");
		if ((n = strcspn(s, " \t\n")) == 0)
			break;
		snprintf(want + strlen(want), len - strlen(want), "%s%.*s%s",
		    OR_EMPTY(c->fpre), (int)n, s, OR_EMPTY(c->fpost));
		s += n;
		fields++;
	}
	if (fields == 0)	/* printf with no argument: its format once */
		snprintf(want + strlen(want), len - strlen(want), "%s%s",
		    OR_EMPTY(c->fpre), OR_EMPTY(c->fpost));
}

static void
context_want(const struct shell_ctx *c, const char *user, char *want,
    size_t len)
{
	snprintf(want, len, "%s", OR_EMPTY(c->pre));
	if (c->want == W_VALUE)
		snprintf(want + strlen(want), len - strlen(want), "%s", user);
	if (c->want == W_FIELDS)
		add_fields(want, len, user, c);
	if (c->want == W_VALUE || c->want == W_FIELDS)
		snprintf(want + strlen(want), len - strlen(want), "%s",
		    OR_EMPTY(c->post));
}

/* Remove what a hostile value made, so the next run starts empty. */
static int
unlink_all(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int r = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    unlinkat(dirfd(d), e->d_name, 0) != 0)
			r = -1;
	closedir(d);
	return r;
}

/* One context, every user: the number of users it went wrong for. */
static int
run_context(struct fix *f, const struct shell_ctx *c, const char *dir)
{
	struct cmd_template t;
	struct subst_vars v = { &f->ev, stanza(f, 1), 0 };
	struct cmd_argv a;
	char why[128], got[512], want[512];
	size_t u;
	int bad = 0;

	if (cmd_template_parse(c->line, true, stanza(f, 1), &t, why,
	    sizeof(why)) != 0)
		fail_msg("%s: refused: %s", c->name, why);
	for (u = 0; u < sizeof(hostile_users) / sizeof(hostile_users[0]);
	    u++) {
		snprintf(f->ev.user, sizeof(f->ev.user), "%s", hostile_users[u]);
		assert_int_equal(cmd_template_expand(&t, &v, &a), 0);
		run_capture_in(&a, dir, got, sizeof(got));
		context_want(c, hostile_users[u], want, sizeof(want));
		if (th_entries(dir) != 0) {
			print_message("%s: user '%s' ran a command\n", c->name,
			    hostile_users[u]);
			bad++;
			assert_int_equal(unlink_all(dir), 0);
		} else if (c->want != W_NOTHING && strcmp(got, want) != 0) {
			print_message("%s: user '%s': got '%s', want '%s'\n",
			    c->name, hostile_users[u], got, want);
			bad++;
		}
	}
	cmd_template_free(&t);
	return bad;
}

/*
 * Every quoting context, run for real in an empty directory: no hostile
 * username ever runs a command (nothing appears there), and the value
 * arrives as data: whole where the line quotes it, split into fields
 * where it does not, as "$1" and $1 would in any shell script.
 */
static void
shell_every_context_keeps_values_data(void **state)
{
	struct fix *f = *state;
	char dir[] = "/tmp/spagate-subst.XXXXXX";
	size_t i;
	int bad = 0;

	assert_non_null(mkdtemp(dir));
	strcpy(f->ev.nat_host, "$(touch pwned)");
	strcpy(f->ev.command, "`touch pwned`");
	for (i = 0; i < sizeof(shell_contexts) / sizeof(shell_contexts[0]);
	    i++)
		bad += run_context(f, &shell_contexts[i], dir);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(bad, 0);
}

static void
expansion_overflow_refused(void **state)
{
	struct fix *f = *state;
	struct cmd_template t;
	struct subst_vars v = { &f->ev, stanza(f, 1), 0 };
	struct cmd_argv a;
	char line[CMD_MAX_LEN], why[128];

	/* one word of ~200 x 26 bytes: more than CMD_MAX_LEN */
	strcpy(line, "echo ");
	while (strlen(line) + 7 < 1600)
		strcat(line, "$SOURCE");
	assert_int_equal(cmd_template_parse(line, false, stanza(f, 1), &t,
	    why, sizeof(why)), 0);
	assert_int_equal(cmd_template_expand(&t, &v, &a), SPA_ERR_ARG);
	assert_int_equal(a.argc, 0);
	assert_null(a.argv[0]);
	cmd_template_free(&t);
	/* shell mode: a value once, after a script that nearly fills it */
	memset(line, 'x', sizeof(line) - 1);
	memcpy(line, "echo ", 5);
	memcpy(line + sizeof(line) - 9, " $SOURCE", 9);
	assert_int_equal(cmd_template_parse(line, true, stanza(f, 1), &t,
	    why, sizeof(why)), 0);
	assert_int_equal(cmd_template_expand(&t, &v, &a), SPA_ERR_ARG);
	assert_int_equal(a.argc, 0);
	cmd_template_free(&t);
}

/* --- untrusted commands -------------------------------------------------- */

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
	assert_null(a.argv[4]);
	assert_int_equal(cmd_split("  echo 'a b' \"c\\\"d\" 'e\\' '' \\ ", &a),
	    0);
	assert_int_equal(a.argc, 6);
	assert_string_equal(a.argv[1], "a b");
	assert_string_equal(a.argv[2], "c\"d");
	assert_string_equal(a.argv[3], "e\\");
	assert_string_equal(a.argv[4], "");
	assert_string_equal(a.argv[5], " ");
}

static void
split_refuses_blank_and_control_bytes(void **state)
{
	static const char *const bad[] = {
		"", "   ", "echo\nid", "echo\tx", "echo x\x7f", "echo \x1b",
		"echo 'a\rb'",
	};
	struct cmd_argv a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cmd_split(bad[i], &a) != SPA_ERR_ARG)
			fail_msg("accepted: %s", bad[i]);
}

static void
split_refuses_unbalanced_quotes(void **state)
{
	struct cmd_argv a;

	(void)state;
	assert_int_equal(cmd_split("echo 'x", &a), SPA_ERR_ARG);
	assert_int_equal(cmd_split("echo \"x", &a), SPA_ERR_ARG);
	assert_int_equal(cmd_split("echo \"x\\\"", &a), SPA_ERR_ARG);
}

static void
split_refuses_trailing_backslash(void **state)
{
	struct cmd_argv a;

	(void)state;
	assert_int_equal(cmd_split("echo x\\", &a), SPA_ERR_ARG);
}

static void
split_refuses_too_many_words(void **state)
{
	char many[400];
	struct cmd_argv a;
	size_t i;

	(void)state;
	many[0] = '\0';
	for (i = 0; i < CMD_MAX_ARGS; i++)
		strcat(many, "w ");
	assert_int_equal(cmd_split(many, &a), 0);
	assert_int_equal(a.argc, CMD_MAX_ARGS);
	strcat(many, "w");
	assert_int_equal(cmd_split(many, &a), SPA_ERR_ARG);
	assert_int_equal(a.argc, 0);
}

static void
split_refuses_too_long(void **state)
{
	char *big = malloc(CMD_MAX_LEN + 16);
	struct cmd_argv a;

	(void)state;
	assert_non_null(big);
	memset(big, 'a', CMD_MAX_LEN + 15);
	big[CMD_MAX_LEN - 1] = '\0';	/* one word with its NUL: fits */
	assert_int_equal(cmd_split(big, &a), 0);
	big[CMD_MAX_LEN - 1] = 'a';
	big[CMD_MAX_LEN] = '\0';	/* one byte more */
	assert_int_equal(cmd_split(big, &a), SPA_ERR_ARG);
	free(big);
}

/* --- argument vectors ---------------------------------------------------- */

static void
argv_from_prepends_and_relinks(void **state)
{
	const char *sudo[] = { "/usr/bin/sudo", "-u", "alice", "--", NULL };
	struct cmd_argv tail, a, copy;

	(void)state;
	assert_int_equal(cmd_split("/bin/echo 'a b'", &tail), 0);
	assert_int_equal(cmd_argv_from(&a, sudo, &tail), 0);
	assert_int_equal(a.argc, 6);
	assert_string_equal(a.argv[4], "/bin/echo");
	assert_string_equal(a.argv[5], "a b");
	assert_null(a.argv[6]);
	memcpy(&copy, &a, sizeof(a));
	memset(copy.argv, 0, sizeof(copy.argv));
	assert_int_equal(cmd_argv_relink(&copy), 0);
	assert_ptr_equal(copy.argv[0], copy.buf);
	assert_string_equal(copy.argv[2], "alice");
	assert_string_equal(copy.argv[5], "a b");
	assert_null(copy.argv[6]);
}

static void
argv_from_refuses_empty_and_overflow(void **state)
{
	const char *none[] = { NULL };
	const char *w[CMD_MAX_ARGS + 2];
	struct cmd_argv tail, a;
	size_t i;

	(void)state;
	assert_int_equal(cmd_argv_from(&a, none, NULL), SPA_ERR_ARG);
	for (i = 0; i < CMD_MAX_ARGS; i++)
		w[i] = "x";
	w[i] = NULL;
	assert_int_equal(cmd_argv_from(&a, w, NULL), 0);
	assert_int_equal(cmd_split("y", &tail), 0);
	assert_int_equal(cmd_argv_from(&a, w, &tail), SPA_ERR_ARG);
	assert_int_equal(a.argc, 0);
}

static void
relink_refuses_bad_buffers(void **state)
{
	struct cmd_argv a;

	(void)state;
	assert_int_equal(cmd_split("a bb ccc", &a), 0);
	a.argc = 4;			/* claims one word more than there is */
	memset(a.buf + 9, 'x', sizeof(a.buf) - 9);	/* and no NUL after */
	assert_int_equal(cmd_argv_relink(&a), SPA_ERR_ARG);
	a.argc = CMD_MAX_ARGS + 1;
	assert_int_equal(cmd_argv_relink(&a), SPA_ERR_ARG);
	memset(a.buf, 'x', sizeof(a.buf));	/* no NUL anywhere */
	a.argc = 1;
	assert_int_equal(cmd_argv_relink(&a), SPA_ERR_ARG);
	a.argc = 0;
	assert_int_equal(cmd_argv_relink(&a), 0);
	assert_null(a.argv[0]);
}

static void
format_quotes_like_event_lines(void **state)
{
	const char *w[] = { "/bin/echo", "a b", "q\"t", "nl\nx", "", NULL };
	struct cmd_argv a;
	char line[256], small[12];
	size_t n;

	(void)state;
	assert_int_equal(cmd_argv_from(&a, w, NULL), 0);
	n = cmd_argv_format(&a, line, sizeof(line));
	assert_string_equal(line,
	    "/bin/echo \"a b\" \"q\\\"t\" \"nl\\x0ax\" \"\"");
	assert_int_equal(n, strlen(line));
	n = cmd_argv_format(&a, small, sizeof(small));
	assert_string_equal(small, "/bin/echo \"");
	assert_int_equal(n, strlen(small));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(every_event_variable),
		T(request_and_nat_variables),
		T(nat_words_are_never_empty),
		T(one_cycle_per_port_sees_its_port),
		T(no_ports_expand_to_zero),
		T(fwknopd_prefix_names_still_work),
		T(braces_and_dollar_dollar),
		T(directive_variables),
		T(directive_value_is_not_expanded),
		T(refuses_unknown_variable),
		T(refuses_secret_directives),
		T(refuses_unset_directives),
		T(refuses_bad_templates),
		T(refuses_variable_program),
		T(refuses_too_many_words),
		T(quotes_group_words),
		T(hostile_user_stays_one_argument),
		T(unterminated_user_is_bounded),
		T(shell_mode_quotes_values),
		T(shell_mode_keeps_literal_text),
		T(shell_values_are_parameters),
		T(shell_directive_value_is_a_parameter),
		T(shell_every_context_keeps_values_data),
		T(expansion_overflow_refused),
#undef T
		cmocka_unit_test(split_untrusted_command),
		cmocka_unit_test(split_refuses_blank_and_control_bytes),
		cmocka_unit_test(split_refuses_unbalanced_quotes),
		cmocka_unit_test(split_refuses_trailing_backslash),
		cmocka_unit_test(split_refuses_too_many_words),
		cmocka_unit_test(split_refuses_too_long),
		cmocka_unit_test(argv_from_prepends_and_relinks),
		cmocka_unit_test(argv_from_refuses_empty_and_overflow),
		cmocka_unit_test(relink_refuses_bad_buffers),
		cmocka_unit_test(format_quotes_like_event_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
