/*
 * knockd.conf reader: Debian's shipped file loads as it is; every setting
 * is stored as knockd(1) means it; every refusal names file, line and
 * reason (common/knockd_conf.h).
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "helpers.h"
#include "knockd_conf.h"
#include "log.h"

#define DEBIAN_CONF	"/etc/knockd.conf"

static struct knockd_conf *
load_ok(const char *text)
{
	struct knockd_conf *conf = NULL;
	struct knockd_error err;
	int r;

	r = knockd_load_buffer("t.conf", text, strlen(text), &conf, &err);
	if (r != 0)
		fail_msg("refused: %s", err.text);
	return conf;
}

static void
refused(const char *text, const char *want)
{
	struct knockd_conf *conf = NULL;
	struct knockd_error err;
	int r;

	r = knockd_load_buffer("t.conf", text, strlen(text), &conf, &err);
	if (r == 0)
		fail_msg("accepted: %s", text);
	assert_null(conf);
	if (strcmp(err.text, want) != 0)
		fail_msg("for %s\n got: %s\nwant: %s", text, err.text, want);
}

static void
assert_hit(const struct knock_hit *h, uint8_t proto, uint16_t port)
{
	assert_int_equal(h->proto, proto);
	assert_int_equal(h->port, port);
}

/* --- warnings, caught from stderr ----------------------------------------- */

/* --- what loads ---------------------------------------------------------- */

/* The file Debian's knockd package installs, read where it lies. */
static void
debian_conf_loads(void **state)
{
	struct knockd_conf *conf = NULL;
	struct knockd_error err;
	const struct knock_door *d;

	if (access(DEBIAN_CONF, R_OK) != 0) {
		if (getenv("CI") != NULL && strcmp(getenv("CI"), "true") == 0)
			fail_msg("%s is missing: scripts/deps test installs "
			    "knockd", DEBIAN_CONF);
		skip();
	}
	if (knockd_load(DEBIAN_CONF, &conf, &err) != 0)
		fail_msg("%s", err.text);
	assert_true(conf->use_syslog);
	assert_int_equal(conf->n, 3);
	d = &conf->doors[0];
	assert_string_equal(d->name, "openSSH");
	assert_int_equal(d->seq.n, 3);
	assert_hit(&d->seq.hits[0], IPPROTO_TCP, 7000);
	assert_hit(&d->seq.hits[2], IPPROTO_TCP, 9000);
	assert_int_equal(d->seq_timeout, 5);
	assert_int_equal(d->tcp_set, KNOCK_TCP_SYN);
	assert_non_null(strstr(d->start_command, "%IP%"));
	assert_string_equal(conf->doors[1].name, "closeSSH");
	assert_hit(&conf->doors[1].seq.hits[0], IPPROTO_TCP, 9000);
	assert_int_equal(conf->doors[2].seq.n, 4);
	knockd_free(conf);
}

static void
every_setting_stored(void **state)
{
	struct knockd_conf *conf = load_ok(
	    "[options]\n"
	    "\tlogfile = /var/log/knockd.log\n"
	    "\tInterface = eth1\n"
	    "[opencloseSSH]\n"
	    "\tsequence      = 2222:udp,3333:tcp, 4444 : UDP\n"
	    "\tseq_timeout   = 15\n"
	    "\ttcpflags      = syn,!ack\n"
	    "\tstart_command = /sbin/open %IP%\n"
	    "\tstart_command_6 = /sbin/open6 %IP%\n"
	    "\tcmd_timeout   = 5\n"
	    "\tstop_command  = /sbin/close %IP%\n"
	    "\tstop_command_6 =\n"
	    "\ttarget = 192.0.2.7\n"
	    "[other]\n"
	    "\tSEQUENCE = 1\n"
	    "\tCommand = /bin/true\n"
	    "\tinterface = wg0\n");
	const struct knock_door *d = &conf->doors[0];

	assert_int_equal(conf->n, 2);
	assert_int_equal(d->seq.n, 3);
	assert_hit(&d->seq.hits[0], IPPROTO_UDP, 2222);
	assert_hit(&d->seq.hits[1], IPPROTO_TCP, 3333);
	assert_hit(&d->seq.hits[2], IPPROTO_UDP, 4444);
	assert_int_equal(d->seq_timeout, 15);
	assert_int_equal(d->tcp_set, KNOCK_TCP_SYN);
	assert_int_equal(d->tcp_clear, KNOCK_TCP_ACK);
	assert_string_equal(d->start_command, "/sbin/open %IP%");
	assert_string_equal(d->start_command6, "/sbin/open6 %IP%");
	assert_string_equal(d->stop_command, "/sbin/close %IP%");
	assert_string_equal(d->stop_command6, "");	/* nothing for IPv6 */
	assert_int_equal(d->cmd_timeout, 5);
	assert_true(d->has_target);
	assert_int_equal(d->target.family, AF_INET);
	assert_string_equal(d->interface, "eth1");	/* [options]' */
	assert_string_equal(d->file, "t.conf");
	assert_int_equal(d->line, 4);
	/* synonyms, any case, knockd's defaults */
	d = &conf->doors[1];
	assert_string_equal(d->start_command, "/bin/true");
	assert_hit(&d->seq.hits[0], IPPROTO_TCP, 1);
	assert_int_equal(d->seq_timeout, KNOCK_DEF_SEQ_TIMEOUT);
	assert_int_equal(d->cmd_timeout, KNOCK_DEF_CMD_TIMEOUT);
	assert_int_equal(d->tcp_set | d->tcp_clear, 0);
	assert_null(d->stop_command);
	assert_string_equal(d->interface, "wg0");	/* its own wins */
	knockd_free(conf);
}

/* Settings that load but do nothing say so, with file:line. */
static void
no_effect_warned(void **state)
{
	struct knockd_conf *conf;
	char *text;

	th_stderr_catch();
	conf = load_ok("[options]\nUseSyslog\nLogFile = /var/log/k.log\n"
	    "PidFile = /run/k.pid\n[d]\nsequence = 1\ncommand = x\n"
	    "cmd_timeout = 5\n");
	text = th_stderr_caught();
	th_assert_logged(text, "t.conf:3: LogFile has no effect: spagated logs "
	    "each decision through its own log (syslog, the journal or "
	    "stderr)");
	th_assert_logged(text, "t.conf:4: PidFile has no effect: spagated writes "
	    "its own pid file");
	th_assert_logged(text, "t.conf:8: door [d]: cmd_timeout without "
	    "stop_command has no effect");
	assert_null(strstr(text, "UseSyslog"));
	free(text);
	knockd_free(conf);
}

static void
timeout_is_seq_timeout(void **state)
{
	struct knockd_conf *conf = load_ok("[d]\nsequence = 1\ntimeout = 7\n"
	    "command = x\n");

	assert_int_equal(conf->doors[0].seq_timeout, 7);
	knockd_free(conf);
}

/* --- one-time sequence files --------------------------------------------- */

struct fx {
	char	*dir;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = th_mkdtemp();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	th_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* A knockd.conf naming the one-time file `path`. */
static char *
one_time_conf(const char *path)
{
	char *text = NULL;

	assert_true(asprintf(&text, "[smtp]\none_time_sequences = %s\n"
	    "command = x\n", path) > 0);
	return text;
}

static void
one_time_sequences_read(void **state)
{
	struct fx *f = *state;
	char *path = th_write(f->dir, "seq", "#000,2000\n\n 1000,2000:udp\r\n"
	    "\t# a comment\n 3000,4000", 0600);
	char *text = one_time_conf(path);
	struct knockd_conf *conf = load_ok(text);
	const struct knock_door *d = &conf->doors[0];

	assert_string_equal(d->one_time_path, path);
	assert_int_equal(d->seq.n, 0);
	assert_int_equal(d->n_one_time, 2);	/* '#': used by knockd */
	assert_int_equal(d->one_time[0].line, 3);
	assert_hit(&d->one_time[0].hits[1], IPPROTO_UDP, 2000);
	assert_int_equal(d->one_time[1].line, 5);
	assert_hit(&d->one_time[1].hits[0], IPPROTO_TCP, 3000);
	knockd_free(conf);
	free(text);
	free(path);
}

static void
one_time_refusals(void **state)
{
	struct fx *f = *state;
	char *bad = th_write(f->dir, "bad", "1000\n 2000,0\n", 0600);
	char *used = th_write(f->dir, "used", "#1000\n\n", 0600);
	char *open = th_write(f->dir, "open", "1000\n", 0620);
	char *none = NULL, *text = NULL, *want = NULL;

	assert_true(asprintf(&none, "%s/none", f->dir) > 0);
	refused("[d]\none_time_sequences = seq\ncommand = x\n", "t.conf:2: "
	    "one_time_sequences must be an absolute path");
	text = one_time_conf(bad);
	assert_true(asprintf(&want, "t.conf:2: one_time_sequences: %s:2: "
	    "entry #2: the port must be a number from 1 to 65535", bad) > 0);
	refused(text, want);
	free(text);
	free(want);
	text = one_time_conf(used);
	assert_true(asprintf(&want, "t.conf:2: one_time_sequences: %s holds "
	    "no unused sequence (knockd refuses to start too)", used) > 0);
	refused(text, want);
	free(text);
	free(want);
	text = one_time_conf(open);
	assert_true(asprintf(&want, "t.conf:2: %s must not be writable by "
	    "group or others", open) > 0);
	refused(text, want);
	free(text);
	free(want);
	text = one_time_conf(none);
	assert_true(asprintf(&want, "t.conf:2: cannot open %s: No such file "
	    "or directory", none) > 0);
	refused(text, want);
	free(text);
	free(want);
	free(bad);
	free(used);
	free(open);
	free(none);
}

/* 1 MiB and one byte: refused before it is read. */
static void
big_file_refused(const struct fx *f)
{
	struct knockd_conf *conf = NULL;
	struct knockd_error err;
	char *text = calloc(1, KNOCK_FILE_MAX + 2), *path, *want = NULL;

	assert_non_null(text);
	memset(text, '#', KNOCK_FILE_MAX + 1);
	path = th_write(f->dir, "big.conf", text, 0600);
	assert_int_equal(knockd_load(path, &conf, &err), SPA_ERR_CONFIG);
	assert_true(asprintf(&want, "%s is larger than 1048576 bytes",
	    path) > 0);
	assert_string_equal(err.text, want);
	free(want);
	free(path);
	free(text);
}

static void
file_refusals(void **state)
{
	struct fx *f = *state;
	char *open = th_write(f->dir, "k.conf", "[d]\nsequence = 1\n"
	    "command = x\n", 0602);
	struct knockd_conf *conf = NULL;
	struct knockd_error err;
	char *want = NULL, *none = NULL;

	assert_int_equal(knockd_load(open, &conf, &err), SPA_ERR_CONFIG);
	assert_true(asprintf(&want, "%s must not be writable by group or "
	    "others", open) > 0);
	assert_string_equal(err.text, want);
	free(want);
	assert_true(asprintf(&none, "%s/none.conf", f->dir) > 0);
	assert_int_equal(knockd_load(none, &conf, &err), SPA_ERR_CONFIG);
	assert_true(asprintf(&want, "cannot open %s: No such file or "
	    "directory", none) > 0);
	assert_string_equal(err.text, want);
	assert_null(conf);
	free(want);
	free(none);
	free(open);
	big_file_refused(f);
}

/* --- refusals ------------------------------------------------------------ */

#define DOOR	"[d]\ncommand = x\n"		/* lines 1-2 */
#define SEQ	"[d]\ncommand = x\nsequence = "	/* the value on line 3 */

static const struct {
	const char	*text;
	const char	*want;
} refusals[] = {
	{ "sequence = 1\n", "t.conf:1: a setting before the first section "
	    "(all settings belong to [options] or a door)" },
	{ DOOR "foo = 1\n", "t.conf:3: unknown setting 'foo' in a door "
	    "(knockd(1) lists them)" },
	{ DOOR "f$o = 1\n", "t.conf:3: unknown setting (its text is not "
	    "shown) in a door (knockd(1) lists them)" },
	{ "[options]\nfoo = 1\n", "t.conf:2: unknown setting 'foo' in "
	    "[options] (UseSyslog, LogFile, PidFile, Interface)" },
	{ "[options]\nsequence = 1\n", "t.conf:2: sequence belongs in a "
	    "door, not in [options]" },
	{ DOOR "sequence 1\n", "t.conf:3: expected key = value" },
	{ DOOR "= 1\n", "t.conf:3: missing key before '='" },
	{ DOOR "sequence =\n", "t.conf:3: missing value for SEQUENCE" },
	{ DOOR "sequence = 1\nSequence = 2\n", "t.conf:4: duplicate SEQUENCE "
	    "(first set at line 3)" },
	{ "[d]\nsequence = 1\ncommand = a\nstart_command = b\n", "t.conf:4: "
	    "START_COMMAND repeats COMMAND (line 3): give it once" },
	{ DOOR "sequence = 1\none_time_sequences = /x\n", "t.conf:4: sequence "
	    "and one_time_sequences exclude each other (the other is at "
	    "line 3)" },
	{ SEQ "7000,abc\n", "t.conf:3: sequence: entry #2: the port must be "
	    "a number from 1 to 65535" },
	{ SEQ "0\n", "t.conf:3: sequence: entry #1: the port must be a "
	    "number from 1 to 65535" },
	{ SEQ "65536\n", "t.conf:3: sequence: entry #1: the port must be a "
	    "number from 1 to 65535" },
	{ SEQ "-1\n", "t.conf:3: sequence: entry #1: the port must be a "
	    "number from 1 to 65535" },
	{ SEQ "7000,,8000\n", "t.conf:3: sequence: entry #2: the entry is "
	    "empty" },
	{ SEQ "7000,\n", "t.conf:3: sequence: entry #2: the entry is "
	    "empty" },
	{ SEQ "7000:icmp\n", "t.conf:3: sequence: entry #1: the protocol "
	    "must be tcp or udp" },
	{ SEQ "7000:\n", "t.conf:3: sequence: entry #1: the protocol must "
	    "be tcp or udp" },
	{ SEQ "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,"
	    "24,25,26,27,28,29,30,31,32,33\n", "t.conf:3: sequence: entry "
	    "#33: more than 32 knocks" },
	{ SEQ "1\nseq_timeout = 5s\n", "t.conf:4: seq_timeout must be a "
	    "number of seconds from 1 to 86400" },
	{ SEQ "1\nseq_timeout = 0\n", "t.conf:4: seq_timeout must be a "
	    "number of seconds from 1 to 86400" },
	{ SEQ "1\nseq_timeout = 86401\n", "t.conf:4: seq_timeout must be a "
	    "number of seconds from 1 to 86400" },
	{ SEQ "1\ncmd_timeout = 0\n", "t.conf:4: cmd_timeout must be a "
	    "number of seconds from 1 to 86400" },
	{ SEQ "1\ntcpflags = syn,foo\n", "t.conf:4: tcpflags: entry #2 is "
	    "not one of fin, syn, rst, psh, ack, urg (each may follow a "
	    "'!')" },
	{ SEQ "1\ntcpflags = syn,,ack\n", "t.conf:4: tcpflags: entry #2 is "
	    "not one of fin, syn, rst, psh, ack, urg (each may follow a "
	    "'!')" },
	{ SEQ "1\ntcpflags = syn,!SYN\n", "t.conf:4: tcpflags: entry #2 "
	    "contradicts an earlier one (a flag cannot be both set and not "
	    "set)" },
	{ SEQ "1\ntarget = gw.example\n", "t.conf:4: target must be an IPv4 "
	    "or IPv6 address (no names: knockd compares it as text with the "
	    "packet's destination)" },
	{ SEQ "1\ninterface = /dev/eth0\n", "t.conf:4: interface must be an "
	    "interface name (as eth0, at most 15 characters)" },
	{ "[options]\nInterface = a-very-long-name0\n", "t.conf:2: Interface "
	    "must be an interface name (as eth0, at most 15 characters)" },
	{ "[options]\nLogFile = /a\nlogfile = /b\n", "t.conf:3: duplicate "
	    "LogFile (first set at line 2)" },
	{ "[options]\nUseSyslog = yes\n", "t.conf:2: UseSyslog takes no "
	    "value" },
	{ "[d\n", "t.conf:1: a section name must end with ']'" },
	{ "[]\n", "t.conf:1: a door's name must be 1 to 127 printable "
	    "characters" },
	{ "[d\x01]\n", "t.conf:1: a door's name must be 1 to 127 printable "
	    "characters" },
	{ SEQ "1\n[d]\n", "t.conf:4: door [d] is already defined at line 1 "
	    "(a door's name is its identity in logs and state)" },
	{ DOOR "[e]\n", "t.conf:1: door [d] has no sequence (sequence or "
	    "one_time_sequences)" },
	{ "[d]\nsequence = 1\n", "t.conf:1: door [d] runs no command "
	    "(start_command or command)" },
	{ "[options]\nUseSyslog\n", "t.conf: no door (a [name] section with "
	    "a sequence): knocks would open nothing" },
	{ "", "t.conf: no door (a [name] section with a sequence): knocks "
	    "would open nothing" },
};

static void
every_refusal_names_line_and_reason(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		refused(refusals[i].text, refusals[i].want);
}

/* Refusals that need lengths or bytes a literal cannot hold. */
static void
size_refusals(void **state)
{
	struct knockd_conf *conf = NULL;
	struct knockd_error err;
	char text[8192], name[200];

	memset(name, 'n', 128);
	name[128] = '\0';
	snprintf(text, sizeof(text), "[%s]\n", name);
	refused(text, "t.conf:1: a door's name must be 1 to 127 printable "
	    "characters");
	snprintf(text, sizeof(text), SEQ "1\ncommand_6 = %01100d\n", 0);
	refused(text, "t.conf:4: COMMAND_6 is longer than 1024 characters");
	memset(text, ' ', sizeof(text));
	memcpy(text, "[d]\n#", 5);
	text[sizeof(text) - 1] = '\0';
	refused(text, "t.conf:2: line is longer than 4096 bytes");
	assert_int_equal(knockd_load_buffer("t.conf", "[d]\nx\0y\n", 8, &conf,
	    &err), SPA_ERR_CONFIG);
	assert_string_equal(err.text, "t.conf:2: line contains a NUL byte");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(debian_conf_loads),
		cmocka_unit_test(every_setting_stored),
		cmocka_unit_test(no_effect_warned),
		cmocka_unit_test(timeout_is_seq_timeout),
		cmocka_unit_test_setup_teardown(one_time_sequences_read, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(one_time_refusals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(file_refusals, setup, teardown),
		cmocka_unit_test(every_refusal_names_line_and_reason),
		cmocka_unit_test(size_refusals),
	};

	log_init("test_knockd_conf", LOG_TO_STDERR, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
