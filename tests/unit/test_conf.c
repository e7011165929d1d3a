/* spagated.conf: defaults, every setting, and every refusal. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "action.h"
#include "conf.h"
#include "conf_cisco.h"
#include "conf_group.h"
#include "conf_redis.h"
#include "err.h"
#include "helpers.h"

/* The defaults with every group spagated registers (modules, fleet). */
static void
spagated_defaults(struct spa_conf *c)
{
	conf_defaults(c);
	assert_int_equal(action_conf_groups(c), 0);
}

struct fixture {
	char		*dir;
	struct spa_conf	 conf;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = th_mkdtemp();
	spagated_defaults(&f->conf);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	conf_free(&f->conf);
	th_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* Load `text`; returns the result and leaves the message in err. */
static int
load(struct fixture *f, const char *text, struct conf_error *err)
{
	char *path = th_write(f->dir, "spagated.conf", text, 0600);
	int r;

	memset(err, 0, sizeof(*err));
	r = conf_load(path, true, &f->conf, err);
	free(path);
	return r;
}

/* What conf_dump prints for the loaded configuration (free it). */
static char *
dumped(const struct fixture *f)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);

	assert_non_null(fp);
	conf_dump(&f->conf, fp);
	fclose(fp);
	return out;
}

/* capture.workers' default: the online cores but one, at least one. */
static uint32_t
expected_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n - 1 < 1 ? 1 : n - 1 > CONF_WORKERS_MAX ? CONF_WORKERS_MAX :
	    (uint32_t)(n - 1);
}

static void
missing_optional_file_keeps_defaults(void **state)
{
	struct fixture *f = *state;
	struct conf_error err;
	char *path = NULL;

	assert_true(asprintf(&path, "%s/nope.conf", f->dir) > 0);
	assert_int_equal(conf_load(path, false, &f->conf, &err), 0);
	assert_null(f->conf.path);
	assert_int_equal(f->conf.max_packet_age, 120);
	assert_int_equal(f->conf.capture.mode, CAPTURE_PCAP);
	assert_string_equal(f->conf.capture.filter, "udp port 62201");
	assert_string_equal(f->conf.capture.interface, "any");
	assert_int_equal(f->conf.capture.udp_port, 62201);
	assert_int_equal(f->conf.capture.buffer, 100000);
	assert_int_equal(f->conf.capture.max_delay_ms, 1);
	assert_int_equal(f->conf.capture.workers, expected_workers());
	assert_int_equal(f->conf.recheck_interval, 30);
	assert_int_equal(conf_validate(&f->conf, &err), 0);
	free(path);
}

static void
missing_named_file_is_an_error(void **state)
{
	struct fixture *f = *state;
	struct conf_error err;
	char *path = NULL;

	assert_true(asprintf(&path, "%s/nope.conf", f->dir) > 0);
	assert_int_equal(conf_load(path, true, &f->conf, &err), SPA_ERR_CONFIG);
	assert_non_null(strstr(err.text, "No such file"));
	free(path);
}

static void
every_setting_is_stored(void **state)
{
	struct fixture *f = *state;
	struct conf_error err;

	assert_int_equal(load(f,
	    "access_file = \"/a.conf\";\naccess_folder = \"/d\";\n"
	    "state_dir = \"/s\";\npid_file = \"/p.pid\";\n"
	    "max_packet_age = 60;\nreplay_capacity = 4096;\n"
	    "capture = { mode = \"udp\"; interface = \"eth1\"; "
	    "filter = \"udp port 1\"; promiscuous = true; any_direction = true; "
	    "buffer = 5000; max_delay_ms = 7; workers = 3; "
	    "udp_address = \"::\"; udp_port = 4000; http = true; "
	    "http_address = \"127.0.0.1\"; http_port = 8080; "
	    "http_any_user_agent = true; x_forwarded_for = true; };\n"
	    "nat = { forwarding = true; local = true; };\n"
	    "log = { syslog_ident = \"spa\"; syslog_facility = \"local3\"; "
	    "verbose = 2; };\nexecutor = { recheck_interval = 0; };\n",
	    &err), 0);
	assert_string_equal(f->conf.access_file, "/a.conf");
	assert_string_equal(f->conf.access_folder, "/d");
	assert_string_equal(f->conf.state_dir, "/s");
	assert_string_equal(f->conf.pid_file, "/p.pid");
	assert_int_equal(f->conf.max_packet_age, 60);
	assert_int_equal(f->conf.replay_capacity, 4096);
	assert_int_equal(f->conf.capture.mode, CAPTURE_UDP);
	assert_string_equal(f->conf.capture.interface, "eth1");
	assert_true(f->conf.capture.promiscuous);
	assert_true(f->conf.capture.any_direction);
	assert_int_equal(f->conf.capture.buffer, 5000);
	assert_int_equal(f->conf.capture.max_delay_ms, 7);
	assert_int_equal(f->conf.capture.workers, 3);
	assert_string_equal(f->conf.capture.udp_address, "::");
	assert_int_equal(f->conf.capture.udp_port, 4000);
	assert_true(f->conf.capture.http);
	assert_int_equal(f->conf.capture.http_port, 8080);
	assert_true(f->conf.capture.http_any_user_agent);
	assert_true(f->conf.capture.x_forwarded_for);
	assert_true(f->conf.nat_forwarding);
	assert_true(f->conf.nat_local);
	assert_string_equal(f->conf.syslog_ident, "spa");
	assert_int_equal(f->conf.syslog_facility, LOG_LOCAL3);
	assert_int_equal(f->conf.verbose, 2);
	assert_int_equal(f->conf.recheck_interval, 0);
	assert_int_equal(conf_validate(&f->conf, &err), 0);
}

/* Each refusal: the message names the file, the line and the reason. */
static void
expect_refusal(struct fixture *f, const char *text, const char *where,
    const char *why)
{
	struct conf_error err;

	assert_int_equal(load(f, text, &err), SPA_ERR_CONFIG);
	if (strstr(err.text, where) == NULL || strstr(err.text, why) == NULL)
		fail_msg("got \"%s\", want \"%s\" and \"%s\"", err.text, where, why);
}

static void
unknown_setting_refused(void **state)
{
	expect_refusal(*state, "max_packet_age = 60;\nmax_pakcet_age = 5;\n",
	    "spagated.conf:2:", "unknown setting 'max_pakcet_age'");
}

static void
unknown_setting_in_group_refused(void **state)
{
	expect_refusal(*state, "capture = {\n  mode = \"udp\";\n  port = 1;\n};\n",
	    "spagated.conf:3:", "unknown setting 'capture.port'");
}

static void
unknown_group_refused(void **state)
{
	expect_refusal(*state, "pf = { x = 1; };\n", "spagated.conf:1:",
	    "unknown group 'pf'");
}

/*
 * conf.c knows no module's group: without the groups spagated registers,
 * the Cisco list and the fleet's settings are unknown like any typo.
 */
static void
groups_unknown_without_their_owners(void **state)
{
	struct fixture *f = *state;

	conf_free(&f->conf);
	conf_defaults(&f->conf);
	expect_refusal(f, "max_packet_age = 60;\ncisco = ( { name = \"e\"; } );\n",
	    "spagated.conf:2:", "unknown setting 'cisco'");
	expect_refusal(f, "state_backend = \"redis\";\n", "spagated.conf:1:",
	    "unknown setting 'state_backend'");
	expect_refusal(f, "redis = { address = \"127.0.0.1:6379\"; };\n",
	    "spagated.conf:1:", "unknown group 'redis'");
}

/* A registered group's value belongs to it, reached through its group. */
static void
group_value_reached_through_its_group(void **state)
{
	struct fixture *f = *state;
	struct spa_conf plain;
	struct conf_error err;

	conf_defaults(&plain);
	assert_null(conf_group_value(&plain, &conf_group_cisco));
	assert_int_equal(conf_cisco_list(&plain)->n, 0);
	assert_int_equal(conf_redis_of(&plain)->state_backend, STATE_LOCAL);
	conf_free(&plain);
	assert_int_equal(load(f, "cisco = ( );\nstate_backend = \"local\";\n",
	    &err), 0);
	assert_ptr_equal(conf_group_value(&f->conf, &conf_group_cisco),
	    conf_cisco_list(&f->conf));
	assert_ptr_equal(conf_group_value(&f->conf, &conf_group_redis),
	    conf_redis_of(&f->conf));
}

static void
syntax_error_refused(void **state)
{
	expect_refusal(*state, "max_packet_age = 60;\nstate_dir = = \"/x\";\n",
	    "spagated.conf:2:", "syntax error");
}

static void
wrong_type_refused(void **state)
{
	expect_refusal(*state, "max_packet_age = \"60\";\n", "spagated.conf:1:",
	    "must be an integer");
	expect_refusal(*state, "capture = { promiscuous = 1; };\n",
	    "spagated.conf:1:", "must be true or false");
	expect_refusal(*state, "state_dir = 5;\n", "spagated.conf:1:",
	    "must be a string");
}

static void
out_of_range_refused(void **state)
{
	expect_refusal(*state, "max_packet_age = 100001;\n", "spagated.conf:1:",
	    "0..100000");
	expect_refusal(*state, "capture = { udp_port = 0; };\n",
	    "spagated.conf:1:", "1..65535");
	expect_refusal(*state, "capture = { udp_port = 65536; };\n",
	    "spagated.conf:1:", "1..65535");
	expect_refusal(*state, "capture = { buffer = 999; };\n",
	    "spagated.conf:1:", "1000..1000000");
	expect_refusal(*state, "capture = { max_delay_ms = 0; };\n",
	    "spagated.conf:1:", "1..1000");
	expect_refusal(*state, "capture = { workers = 0; };\n",
	    "spagated.conf:1:", "capture.workers must be in 1..64, not 0");
	expect_refusal(*state, "capture = {\n workers = 1000; };\n",
	    "spagated.conf:2:", "1..64, not 1000");
	expect_refusal(*state, "capture = { workers = \"all\"; };\n",
	    "spagated.conf:1:", "capture.workers must be an integer");
	expect_refusal(*state, "log = { verbose = -1; };\n",
	    "spagated.conf:1:", "0..3");
}

static void
bad_enum_values_refused(void **state)
{
	expect_refusal(*state, "capture = { mode = \"nfq\"; };\n",
	    "spagated.conf:1:", "\"pcap\" or \"udp\"");
	expect_refusal(*state, "log = { syslog_facility = \"local8\"; };\n",
	    "spagated.conf:1:", "unknown syslog facility");
}

/* fwknopd's fwknopd.conf names (its test suite's bad values use them). */
static void
fwknopd_setting_names_refused(void **state)
{
	static const char *const names[] = {
		"PCAP_DISPATCH_COUNT", "PCAP_LOOP_SLEEP", "TCPSERV_PORT",
		"UDPSERV_PORT", "VERBOSE", "SYSLOG_FACILITY", "LOCALE",
		"EXIT_AT_INTF_DOWN",
	};
	char text[128], why[128];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(text, sizeof(text), "# fwknopd.conf\n%s = 1;\n",
		    names[i]);
		snprintf(why, sizeof(why), "unknown setting '%s'", names[i]);
		expect_refusal(*state, text, "spagated.conf:2:", why);
	}
}

/* The range of every integer setting fwknopd's "not in the range" tests
 * have an equivalent of, and the others, at both ends. */
static void
every_integer_refused_outside_its_range(void **state)
{
	static const struct {
		const char *text, *why;
	} t[] = {
		{ "capture = { udp_port = 0; };", "1..65535, not 0" },
		{ "capture = { http_port = 65536; };", "0..65535, not 65536" },
		{ "capture = { http_port = -1; };", "0..65535, not -1" },
		{ "log = { verbose = 4; };", "0..3, not 4" },
		{ "log = { refusals_per_second = -1; };", "0..1000000" },
		{ "executor = { command_timeout = 0; };", "1..3600, not 0" },
		{ "executor = { command_timeout = 3601; };", "1..3600" },
		{ "executor = { close_retry_limit = 0; };",
		    "1..2592000, not 0" },
		{ "executor = { close_retry_limit = 2592001; };", "1..2592000" },
		{ "executor = { recheck_interval = 86401; };",
		    "0..86400, not 86401" },
		{ "executor = { recheck_interval = -1; };", "0..86400, not -1" },
		{ "metrics = { file = \"/m\"; interval = 0; };", "1..86400" },
		{ "max_packet_age = -1;", "0..100000, not -1" },
		{ "replay_capacity = 1073741825;", "0..1073741824" },
		{ "capture = { udp_port = 9223372036854775807L; };",
		    "1..65535, not 9223372036854775807" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		expect_refusal(*state, t[i].text, "spagated.conf:1:", t[i].why);
}

/* fwknopd reports "VAR" without a value as an invalid line: a syntax
 * error here, never a setting left at its default. */
static void
setting_without_value_refused(void **state)
{
	expect_refusal(*state, "pid_file = ;\n", "spagated.conf:1:",
	    "syntax error");
	expect_refusal(*state, "log = { verbose; };\n", "spagated.conf:1:",
	    "syntax error");
}

/* No $VAR expansion (fwknopd has it): the text stays as written, and a
 * path that needed expanding is refused as relative. */
static void
dollar_variables_are_not_expanded(void **state)
{
	struct fixture *f = *state;
	struct conf_error err;

	assert_int_equal(load(f, "state_dir = \"$FWKNOP_RUN_DIR/s\";\n"
	    "access_file = \"$CONF_DIR/access.conf\";\n", &err), 0);
	assert_string_equal(f->conf.state_dir, "$FWKNOP_RUN_DIR/s");
	assert_string_equal(f->conf.access_file, "$CONF_DIR/access.conf");
	assert_int_equal(conf_validate(&f->conf, &err), SPA_ERR_CONFIG);
	assert_non_null(strstr(err.text, "state_dir \"$FWKNOP_RUN_DIR/s\" "
	    "must be an absolute path"));
}

/* fwknopd accepts LOG_DAEMON and LOG_LOCAL0..7 and refuses LOG_LOCAL8. */
static void
syslog_facilities_accepted_and_refused(void **state)
{
	static const char *const good[] = { "daemon", "local0", "local1",
	    "local2", "local3", "local4", "local5", "local6", "LOCAL7",
	    "auth", "authpriv", "user" };
	static const char *const bad[] = { "local8", "LOG_LOCAL0",
	    "LOG_DAEMON", "", "kern" };
	struct fixture *f = *state;
	struct conf_error err;
	char text[128];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "log = { syslog_facility = "
		    "\"%s\"; };\n", good[i]);
		assert_int_equal(load(f, text, &err), 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "log = { syslog_facility = "
		    "\"%s\"; };\n", bad[i]);
		expect_refusal(f, text, "spagated.conf:1:",
		    "unknown syslog facility");
	}
}

/* A file that is not a regular file: refused, whether -c named it or it
 * is the default path; a FIFO must not block the load. */
static void
file_that_is_not_regular_refused(void **state)
{
	struct fixture *f = *state;
	struct conf_error err;
	char *dir = NULL, *fifo = NULL;

	assert_true(asprintf(&dir, "%s/d.conf", f->dir) > 0);
	assert_true(asprintf(&fifo, "%s/f.conf", f->dir) > 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(conf_load(dir, true, &f->conf, &err), SPA_ERR_CONFIG);
	assert_non_null(strstr(err.text, "d.conf is not a regular file"));
	assert_int_equal(conf_load(dir, false, &f->conf, &err),
	    SPA_ERR_CONFIG);
	assert_int_equal(conf_load(fifo, false, &f->conf, &err),
	    SPA_ERR_CONFIG);
	assert_non_null(strstr(err.text, "f.conf is not a regular file"));
	assert_int_equal(conf_load("/dev/zero", true, &f->conf, &err),
	    SPA_ERR_CONFIG);
	free(dir);
	free(fifo);
}

/* /dev/null is the one exception: an empty file, every default. */
static void
dev_null_means_every_default(void **state)
{
	struct fixture *f = *state;
	struct conf_error err;

	assert_int_equal(conf_load("/dev/null", true, &f->conf, &err), 0);
	assert_string_equal(f->conf.path, "/dev/null");
	assert_int_equal(f->conf.max_packet_age, CONF_DEF_PACKET_AGE);
	assert_int_equal(conf_validate(&f->conf, &err), 0);
}

/* It names the programs the executor runs as root: owner-writable only. */
static void
file_writable_by_group_or_others_refused(void **state)
{
	static const mode_t modes[] = { 0620, 0602, 0666 };
	struct fixture *f = *state;
	struct conf_error err;
	char *path;
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		path = th_write(f->dir, "loose.conf", "log = { verbose = 1; };\n",
		    modes[i]);
		assert_int_equal(chmod(path, modes[i]), 0);
		assert_int_equal(conf_load(path, false, &f->conf, &err),
		    SPA_ERR_CONFIG);
		assert_non_null(strstr(err.text,
		    "loose.conf must not be writable by group or others"));
		free(path);
	}
	path = th_write(f->dir, "ok.conf", "log = { verbose = 1; };\n", 0644);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(conf_load(path, true, &f->conf, &err), 0);
	assert_int_equal(f->conf.verbose, 1);
	free(path);
}

/*
 * It names sudo_exe, the metrics path and the secret files the executor
 * opens as root: owned by root (or the user spagated runs as), and named
 * as itself, not through a symbolic link.
 */
static void
file_of_another_user_refused(void **state)
{
	struct fixture *f = *state;
	struct conf_error err;
	char *path;

	if (geteuid() != 0)
		skip();
	path = th_write(f->dir, "theirs.conf", "log = { verbose = 1; };\n",
	    0644);
	assert_int_equal(chown(path, 65534, (gid_t)-1), 0);
	assert_int_equal(conf_load(path, true, &f->conf, &err),
	    SPA_ERR_CONFIG);
	assert_non_null(strstr(err.text, "theirs.conf is not owned by our uid "
	    "or root"));
	assert_int_equal(f->conf.verbose, 0);
	free(path);
}

static void
symbolic_link_refused(void **state)
{
	struct fixture *f = *state;
	struct conf_error err;
	char *target, *link = NULL;

	target = th_write(f->dir, "real.conf", "log = { verbose = 1; };\n",
	    0644);
	assert_true(asprintf(&link, "%s/link.conf", f->dir) > 0);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(conf_load(link, true, &f->conf, &err),
	    SPA_ERR_CONFIG);
	assert_non_null(strstr(err.text, "link.conf is a symbolic link (name "
	    "the file itself)"));
	/* and a link to another user's file, whatever the link's owner */
	if (geteuid() == 0) {
		assert_int_equal(chown(target, 65534, (gid_t)-1), 0);
		assert_int_equal(conf_load(link, false, &f->conf, &err),
		    SPA_ERR_CONFIG);
		assert_non_null(strstr(err.text, "link.conf is a symbolic "
		    "link"));
	}
	assert_int_equal(f->conf.verbose, 0);
	free(target);
	free(link);
}

/*
 * Facts of the host a start (or the verifier a reload starts) would find
 * wrong: checked by spagate check, --exit-parse-config and before a reload
 * is taken, so that none of them can stop a running daemon.
 */
static int
host_checked(struct fixture *f, const char *text, struct conf_error *err)
{
	memset(err, 0, sizeof(*err));
	conf_free(&f->conf);
	spagated_defaults(&f->conf);
	assert_int_equal(load(f, text, err), 0);
	return conf_check_host(&f->conf, true, err);
}

static void
host_refused(struct fixture *f, const char *text, const char *why)
{
	struct conf_error err;

	assert_int_equal(host_checked(f, text, &err), SPA_ERR_CONFIG);
	if (strstr(err.text, why) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", err.text, why);
}

static void
host_accepted(struct fixture *f, const char *text)
{
	struct conf_error err;

	if (host_checked(f, text, &err) != 0)
		fail_msg("refused: %s", err.text);
}

static void
host_interface_must_exist(void **state)
{
	struct fixture *f = *state;
	char text[512];

	snprintf(text, sizeof(text), "state_dir = \"%s\";\ncapture = { "
	    "interface = \"nosuchif0\"; };\n", f->dir);
	host_refused(f, text, "capture.interface \"nosuchif0\": no such "
	    "network interface");
	snprintf(text, sizeof(text), "state_dir = \"%s\";\ncapture = { "
	    "interface = \"lo\"; };\n", f->dir);
	host_accepted(f, text);
	snprintf(text, sizeof(text), "state_dir = \"%s\";\ncapture = { "
	    "interface = \"any\"; };\n", f->dir);
	host_accepted(f, text);
	/* a UDP socket names no interface; nor does a capture file */
	snprintf(text, sizeof(text), "state_dir = \"%s\";\ncapture = { "
	    "mode = \"udp\"; interface = \"nosuchif0\"; };\n", f->dir);
	host_accepted(f, text);
	snprintf(text, sizeof(text), "state_dir = \"%s\";\ncapture = { "
	    "interface = \"nosuchif0\"; };\n", f->dir);
	assert_int_equal(load(f, text, &(struct conf_error){ { 0 } }), 0);
	assert_int_equal(conf_check_host(&f->conf, false,
	    &(struct conf_error){ { 0 } }), 0);
}

static void
host_verifier_user_must_exist_and_not_be_root(void **state)
{
	struct fixture *f = *state;
	char text[512];

	snprintf(text, sizeof(text), "state_dir = \"%s\";\nexecutor = { "
	    "verifier_user = \"no-such-user-x\"; };\n", f->dir);
	host_refused(f, text, "executor.verifier_user \"no-such-user-x\" does "
	    "not exist");
	if (geteuid() != 0)
		return;
	snprintf(text, sizeof(text), "state_dir = \"%s\";\nexecutor = { "
	    "verifier_user = \"root\"; };\n", f->dir);
	host_refused(f, text, "executor.verifier_user \"root\" is root: the "
	    "verifier must run unprivileged");
}

static void
host_directories_must_be_usable(void **state)
{
	struct fixture *f = *state;
	char text[1024], *file = th_write(f->dir, "plain", "x", 0600);
	char *open = NULL;

	snprintf(text, sizeof(text), "state_dir = \"%s/none/state\";\n",
	    f->dir);
	host_refused(f, text, "/none: no such directory");
	snprintf(text, sizeof(text), "state_dir = \"%s\";\n", file);
	host_refused(f, text, "plain is not a directory");
	assert_true(asprintf(&open, "%s/open", f->dir) > 0);
	assert_int_equal(mkdir(open, 0700), 0);
	assert_int_equal(chmod(open, 0777), 0);
	snprintf(text, sizeof(text), "state_dir = \"%s\";\n", open);
	host_refused(f, text, "open must not be writable by group or others");
	/* missing is fine: it is created, in a directory that exists */
	snprintf(text, sizeof(text), "state_dir = \"%s/new\";\n", f->dir);
	host_accepted(f, text);
	snprintf(text, sizeof(text), "state_dir = \"%s\";\npid_file = "
	    "\"%s/none/p.pid\";\n", f->dir, f->dir);
	host_refused(f, text, "pid_file");
	snprintf(text, sizeof(text), "state_dir = \"%s\";\nmetrics = { file = "
	    "\"%s/none/m.prom\"; };\n", f->dir, f->dir);
	host_refused(f, text, "metrics.file");
	snprintf(text, sizeof(text), "state_dir = \"%s\";\nmetrics = { file = "
	    "\"%s/m.prom\"; };\n", f->dir, f->dir);
	host_accepted(f, text);
	free(file);
	free(open);
}

/* The program the root executor runs for sudo stanzas: root's alone. */
static void
host_sudo_exe_must_be_trusted(void **state)
{
	struct fixture *f = *state;
	char text[1024], *sudo = th_write(f->dir, "sudo", "#!/bin/sh\n", 0755);

	assert_int_equal(chmod(sudo, 0775), 0);
	snprintf(text, sizeof(text), "state_dir = \"%s\";\nexecutor = { "
	    "sudo_exe = \"%s\"; };\n", f->dir, sudo);
	host_refused(f, text, "executor.sudo_exe \"");
	host_refused(f, text, "sudo\" must not be writable by group or "
	    "others");
	assert_int_equal(chmod(sudo, 0755), 0);
	host_accepted(f, text);
	free(sudo);
}

static void
validate_refuses_bad_addresses(void **state)
{
	struct fixture *f = *state;
	struct conf_error err;

	assert_int_equal(load(f, "capture = { udp_address = \"localhost\"; };\n",
	    &err), 0);
	assert_int_equal(conf_validate(&f->conf, &err), SPA_ERR_CONFIG);
	assert_non_null(strstr(err.text, "capture.udp_address"));
}

static void
validate_refuses_relative_state_dir(void **state)
{
	struct fixture *f = *state;
	struct conf_error err;

	assert_int_equal(load(f, "state_dir = \"var/lib\";\n", &err), 0);
	assert_int_equal(conf_validate(&f->conf, &err), SPA_ERR_CONFIG);
	assert_non_null(strstr(err.text, "absolute"));
}

static void
dump_reparses_to_the_same_settings(void **state)
{
	struct fixture *f = *state;
	struct spa_conf again;
	struct conf_error err;
	char *path = NULL;
	FILE *fp;

	assert_int_equal(load(f, "max_packet_age = 77;\n"
	    "capture = { mode = \"udp\"; http = true; };\n"
	    "nat = { local = true; };\n", &err), 0);
	assert_true(asprintf(&path, "%s/dump.conf", f->dir) > 0);
	assert_non_null(fp = fopen(path, "w"));
	conf_dump(&f->conf, fp);
	fclose(fp);
	spagated_defaults(&again);
	assert_int_equal(conf_load(path, true, &again, &err), 0);
	assert_int_equal(again.max_packet_age, 77);
	assert_int_equal(again.capture.mode, CAPTURE_UDP);
	assert_true(again.capture.http);
	assert_true(again.nat_local);
	assert_false(again.nat_forwarding);
	conf_free(&again);
	free(path);
}

/* --- cisco devices -------------------------------------------------------- */

/*
 * A device group, its settings one a line: the lines of `set` first (so
 * that in a file holding this device first they are lines 3, 4, ...),
 * then the required settings `set` does not name.  A value "-" leaves
 * that setting out.  "@" in a value is the fixture's directory.
 */
static char *
device(struct fixture *f, const char *set)
{
	static const char *const required[][2] = {
		{ "name", "\"edge1\"" }, { "host", "\"192.0.2.1\"" },
		{ "user", "\"spa\"" }, { "key_file", "\"@/key\"" },
		{ "known_hosts", "\"@/known_hosts\"" }, { "acl", "\"SPA\"" },
		{ "seq_first", "10000" }, { "seq_last", "10999" },
	};
	const char *p, *e, *v;
	char key[32], *text = NULL;
	size_t i, n, len = 0;
	FILE *fp = open_memstream(&text, &len);

	assert_non_null(fp);
	fprintf(fp, "  {\n");
	for (p = set; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		if (strncmp(strstr(p, "= ") + 2, "-;", 2) == 0)
			continue;
		fprintf(fp, "    ");
		for (v = p; v < e; v++)
			if (*v == '@')
				fputs(f->dir, fp);
			else
				fputc(*v, fp);
		fputc('\n', fp);
	}
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		n = (size_t)snprintf(key, sizeof(key), "%s = ", required[i][0]);
		for (p = set; p != NULL; p = strchr(p, '\n'), p += p != NULL)
			if (strncmp(p, key, n) == 0)
				break;
		if (p != NULL)
			continue;
		fprintf(fp, "    %s = ", required[i][0]);
		for (v = required[i][1]; *v != '\0'; v++)
			if (*v == '@')
				fputs(f->dir, fp);
			else
				fputc(*v, fp);
		fprintf(fp, ";\n");
	}
	fprintf(fp, "  }");
	fclose(fp);
	return text;
}

/* "cisco = (" on line 1, then the devices, the first on line 2. */
static int
load_devices(struct fixture *f, const char *const *sets, size_t n,
    struct conf_error *err)
{
	char *text = NULL, *dev;
	size_t i, len = 0;
	FILE *fp = open_memstream(&text, &len);
	int r;

	assert_non_null(fp);
	fprintf(fp, "cisco = (\n");
	for (i = 0; i < n; i++) {
		dev = device(f, sets[i]);
		fprintf(fp, "%s%s\n", dev, i + 1 < n ? "," : "");
		free(dev);
	}
	fprintf(fp, ");\n");
	fclose(fp);
	r = load(f, text, err);
	free(text);
	return r;
}

static int
load_device(struct fixture *f, const char *set, struct conf_error *err)
{
	return load_devices(f, &set, 1, err);
}

/* The whole message: "DIR/spagated.conf:LINE: cisco: WHY". */
static void
assert_refused_as(struct fixture *f, struct conf_error *err, int line,
    const char *why)
{
	char *want = NULL;

	assert_true(asprintf(&want, "%s/spagated.conf:%d: cisco: %s", f->dir,
	    line, why) > 0);
	assert_string_equal(err->text, want);
	free(want);
}

static void
device_refused(struct fixture *f, const char *set, int line, const char *why)
{
	struct conf_error err;

	assert_int_equal(load_device(f, set, &err), SPA_ERR_CONFIG);
	assert_refused_as(f, &err, line, why);
}

/* The same, with "@" in `why` standing for the fixture's directory. */
static void
device_refused_at_dir(struct fixture *f, const char *set, int line,
    const char *why)
{
	char *at = strchr(why, '@'), *full = NULL;

	assert_non_null(at);
	assert_true(asprintf(&full, "%.*s%s%s", (int)(at - why), why, f->dir,
	    at + 1) > 0);
	device_refused(f, set, line, full);
	free(full);
}

static void
devices_refused(struct fixture *f, const char *const *sets, size_t n,
    int line, const char *why)
{
	struct conf_error err;

	assert_int_equal(load_devices(f, sets, n, &err), SPA_ERR_CONFIG);
	assert_refused_as(f, &err, line, why);
}

static void
devices_accepted(struct fixture *f, const char *const *sets, size_t n)
{
	struct conf_error err;

	if (load_devices(f, sets, n, &err) != 0)
		fail_msg("refused: %s", err.text);
	assert_int_equal(conf_cisco_list(&f->conf)->n, n);
}

/* A file in the fixture's directory, owned by `uid`, with `mode`. */
static void
file_as(struct fixture *f, const char *name, const char *content, uid_t uid,
    mode_t mode)
{
	char *path = th_write(f->dir, name, content, mode);

	assert_int_equal(chown(path, uid, (gid_t)-1), 0);
	assert_int_equal(chmod(path, mode), 0);
	free(path);
}

static int
cisco_setup(void **state)
{
	struct fixture *f;

	setup(state);
	f = *state;
	file_as(f, "key", "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret-key\n",
	    0, 0600);
	file_as(f, "password", "secret-password\n", 0, 0600);
	file_as(f, "enable", "secret-enable\n", 0, 0600);
	file_as(f, "known_hosts", "192.0.2.1 ssh-ed25519 AAAA\n", 0, 0644);
	return 0;
}

static void
cisco_device_stored(void **state)
{
	struct fixture *f = *state;
	const struct conf_cisco *d;
	const char *set = "host = \"2001:db8::1\";\npassword_file = \"@/password\";\n"
	    "enable_secret_file = \"@/enable\";\nport = 2222;\n"
	    "save_config = true;\ncommand_timeout = 30;\n"
	    "kex = \"curve25519-sha256,diffie-hellman-group14-sha256\";";

	devices_accepted(f, &set, 1);
	assert_non_null(d = conf_cisco_find(&f->conf, "edge1"));
	assert_string_equal(d->host, "2001:db8::1");
	assert_int_equal(d->port, 2222);
	assert_string_equal(d->acl, "SPA");
	assert_int_equal(d->seq_first, 10000);
	assert_int_equal(d->seq_last, 10999);
	assert_int_equal(d->connect_timeout, CONF_CISCO_DEF_TIMEOUT);
	assert_int_equal(d->command_timeout, 30);
	assert_true(d->save_config);
	assert_false(d->time_range);
	assert_int_equal(d->line, 2);
	assert_null(conf_cisco_find(&f->conf, "edge2"));
}

static void
cisco_unknown_setting_refused(void **state)
{
	device_refused(*state, "port = 22;\nprot = 22;", 4,
	    "unknown setting 'prot'");
}

static void
cisco_wrong_types_refused(void **state)
{
	device_refused(*state, "port = \"22\";", 3, "port must be an integer");
	device_refused(*state, "save_config = 1;", 3,
	    "save_config must be true or false");
	device_refused(*state, "user = 5;", 3, "user must be a string");
}

static void
cisco_list_of_groups_required(void **state)
{
	struct fixture *f = *state;
	struct conf_error err;

	assert_int_equal(load(f, "cisco = { name = \"edge1\"; };\n", &err),
	    SPA_ERR_CONFIG);
	assert_non_null(strstr(err.text, "/spagated.conf:1: cisco must be a "
	    "list of devices: cisco = ( { ... } );"));
	assert_int_equal(load(f, "cisco = [ 1, 2 ];\n", &err), SPA_ERR_CONFIG);
	assert_non_null(strstr(err.text, "/spagated.conf:1: cisco must be a "
	    "list of devices"));
	assert_int_equal(load(f, "cisco = (\n  \"edge1\" );\n", &err),
	    SPA_ERR_CONFIG);
	assert_refused_as(f, &err, 2, "each device must be a group { ... }");
}

static void
cisco_bad_name_refused(void **state)
{
	static const char *const names[] = { "Edge1", "", "edge.1", "edge 1",
	    "a234567890123456" };
	char set[64], why[128];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(set, sizeof(set), "name = \"%s\";", names[i]);
		snprintf(why, sizeof(why), "name \"%s\" must be 1 to 15 of "
		    "a-z 0-9 _ -", names[i]);
		device_refused(*state, set, 3, why);
	}
}

static void
cisco_reserved_names_refused(void **state)
{
	static const char *const names[] = { "ipset", "exec", "none" };
	char set[64], why[128];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(set, sizeof(set), "name = \"%s\";", names[i]);
		snprintf(why, sizeof(why), "name \"%s\" is reserved (it names "
		    "another action module)", names[i]);
		device_refused(*state, set, 3, why);
	}
}

static void
cisco_dns_host_refused(void **state)
{
	device_refused(*state, "host = \"router.example.com\";", 3,
	    "host \"router.example.com\" must be a numeric IPv4 or IPv6 "
	    "address (no DNS)");
	device_refused(*state, "host = \"localhost\";", 3,
	    "host \"localhost\" must be a numeric IPv4 or IPv6 address "
	    "(no DNS)");
}

static void
cisco_port_out_of_range_refused(void **state)
{
	device_refused(*state, "port = 0;", 3,
	    "port must be in 1..65535, not 0");
	device_refused(*state, "port = 65536;", 3,
	    "port must be in 1..65535, not 65536");
}

static void
cisco_relative_secret_file_refused(void **state)
{
	device_refused(*state, "key_file = \"key\";", 3,
	    "key_file \"key\" must be an absolute path");
	device_refused(*state, "password_file = \"./password\";", 3,
	    "password_file \"./password\" must be an absolute path");
}

static void
cisco_missing_secret_file_refused(void **state)
{
	device_refused_at_dir(*state, "key_file = \"@/nope\";", 3,
	    "key_file \"@/nope\" cannot be read (missing?)");
	device_refused_at_dir(*state, "enable_secret_file = \"@/nope\";", 3,
	    "enable_secret_file \"@/nope\" cannot be read (missing?)");
}

static void
cisco_secret_file_not_regular_refused(void **state)
{
	device_refused_at_dir(*state, "key_file = \"@\";", 3,
	    "key_file \"@\" is not a regular file");
}

/* Secrets are opened with O_NOFOLLOW at login: a link must fail at load. */
static void
cisco_symlinked_secret_file_refused(void **state)
{
	struct fixture *f = *state;
	char *link = NULL, *target = NULL;

	assert_true(asprintf(&link, "%s/password-link", f->dir) > 0);
	assert_true(asprintf(&target, "%s/password", f->dir) > 0);
	assert_int_equal(symlink(target, link), 0);
	device_refused_at_dir(f, "password_file = \"@/password-link\";", 3,
	    "password_file \"@/password-link\" is a symbolic link (name the "
	    "file itself)");
	free(link);
	free(target);
}

static void
cisco_readable_secret_file_refused(void **state)
{
	struct fixture *f = *state;

	file_as(f, "key640", "k", 0, 0640);
	file_as(f, "password604", "p", 0, 0604);
	file_as(f, "enable660", "e", 0, 0660);
	device_refused_at_dir(f, "key_file = \"@/key640\";", 3,
	    "key_file \"@/key640\" must not be accessible by group or others "
	    "(chmod 600)");
	device_refused_at_dir(f, "password_file = \"@/password604\";", 3,
	    "password_file \"@/password604\" must not be accessible by group or "
	    "others (chmod 600)");
	device_refused_at_dir(f, "enable_secret_file = \"@/enable660\";", 3,
	    "enable_secret_file \"@/enable660\" must not be accessible by group "
	    "or others (chmod 600)");
}

static void
cisco_secret_file_of_another_user_refused(void **state)
{
	struct fixture *f = *state;

	file_as(f, "nobody_key", "k", 65534, 0600);
	device_refused_at_dir(f, "key_file = \"@/nobody_key\";", 3,
	    "key_file \"@/nobody_key\" is not owned by our uid or root");
}

static void
cisco_known_hosts_writable_by_group_refused(void **state)
{
	struct fixture *f = *state;
	const char *set = "known_hosts = \"@/kh644\";";

	file_as(f, "kh664", "h", 0, 0664);
	file_as(f, "kh646", "h", 0, 0646);
	file_as(f, "kh_nobody", "h", 65534, 0644);
	device_refused_at_dir(f, "known_hosts = \"@/kh664\";", 3,
	    "known_hosts \"@/kh664\" must not be writable by group or others");
	device_refused_at_dir(f, "known_hosts = \"@/kh646\";", 3,
	    "known_hosts \"@/kh646\" must not be writable by group or others");
	device_refused_at_dir(f, "known_hosts = \"@/kh_nobody\";", 3,
	    "known_hosts \"@/kh_nobody\" is not owned by our uid or root");
	/* readable by all is fine: a host key is public */
	file_as(f, "kh644", "h", 0, 0644);
	devices_accepted(f, &set, 1);
}

/* The pinned key decides which device is trusted: named as itself too. */
static void
cisco_symlinked_known_hosts_refused(void **state)
{
	struct fixture *f = *state;
	char *link = NULL, *target = NULL;

	assert_true(asprintf(&link, "%s/kh-link", f->dir) > 0);
	assert_true(asprintf(&target, "%s/known_hosts", f->dir) > 0);
	assert_int_equal(symlink(target, link), 0);
	device_refused_at_dir(f, "known_hosts = \"@/kh-link\";", 3,
	    "known_hosts \"@/kh-link\" is a symbolic link (name the file "
	    "itself)");
	free(link);
	free(target);
}

static void
cisco_seq_range_refused(void **state)
{
	device_refused(*state, "seq_first = 0;", 3,
	    "seq_first must be in 1..2147483647, not 0");
	device_refused(*state, "seq_last = 2147483648L;", 3,
	    "seq_last must be in 1..2147483647, not 2147483648");
	device_refused(*state, "seq_last = -1;", 3,
	    "seq_last must be in 1..2147483647, not -1");
	device_refused(*state, "seq_first = 20000;", 2,
	    "device edge1: seq_first and seq_last must be set, first <= last");
	device_refused(*state, "seq_last = -;", 2,
	    "device edge1: seq_first and seq_last must be set, first <= last");
}

static void
cisco_seq_range_of_one_accepted(void **state)
{
	const char *set = "seq_first = 2147483647;\nseq_last = 2147483647;";

	devices_accepted(*state, &set, 1);
}

/* Fleet mode: the numbers other gateways use on the device, removable here. */
static void
cisco_fleet_ranges(void **state)
{
	struct fixture *f = *state;
	const struct conf_cisco *d;
	const char *set = "fleet_ranges = \"200-299, 400-410 7\";";

	devices_accepted(f, &set, 1);
	assert_non_null(d = conf_cisco_find(&f->conf, "edge1"));
	assert_string_equal(d->fleet_ranges, "200-299, 400-410 7");
	assert_true(conf_cisco_seq_known(d, 10000));	/* its own range */
	assert_true(conf_cisco_seq_known(d, 200));
	assert_true(conf_cisco_seq_known(d, 299));
	assert_true(conf_cisco_seq_known(d, 7));
	assert_false(conf_cisco_seq_known(d, 10));
	assert_false(conf_cisco_seq_known(d, 300));
	assert_false(conf_cisco_seq_known(d, 411));
}

static void
cisco_fleet_ranges_refused(void **state)
{
	static const char *const bad[] = { "", " , ", "abc", "0-5", "5-3",
	    "1-2147483648", "10-", "-10", "10-20x", "10 -20",
	    "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17" };
	char set[128], why[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(set, sizeof(set), "fleet_ranges = \"%s\";", bad[i]);
		snprintf(why, sizeof(why), "fleet_ranges \"%s\" %s",
		    bad[i], i < 2 ? "lists no range" : "must be up to 16 "
		    "ranges FIRST-LAST of sequence numbers, separated by "
		    "spaces or commas");
		device_refused(*state, set, 3, why);
	}
}

/* Each device below is 10 lines: the second one's group is on line 12. */
static void
cisco_overlapping_ranges_refused(void **state)
{
	const char *const sets[] = { "seq_first = 10000;",
	    "name = \"edge2\";\nseq_first = 10500;\nseq_last = 11500;" };

	devices_refused(*state, sets, 2, 12, "device edge2: sequence range "
	    "10500..11500 overlaps device edge1's in the same ACL");
}

static void
cisco_same_range_on_other_acl_or_port_accepted(void **state)
{
	struct fixture *f = *state;
	const char *const sets[] = { "seq_first = 10000;",
	    "name = \"edge2\";\nacl = \"OTHER\";",
	    "name = \"edge3\";\nport = 2222;",
	    "name = \"edge4\";\nhost = \"192.0.2.2\";",
	    "name = \"edge5\";\nseq_first = 11000;\nseq_last = 11999;" };

	devices_accepted(f, sets, 5);
}

static void
cisco_duplicate_name_refused(void **state)
{
	const char *const sets[] = { "acl = \"A\";", "acl = \"B\";" };

	devices_refused(*state, sets, 2, 12,
	    "device edge1 is already defined at line 2");
}

static void
cisco_required_settings_refused_when_missing(void **state)
{
	device_refused(*state, "host = -;", 2, "device without host");
	device_refused(*state, "known_hosts = -;", 2,
	    "device without known_hosts");
	device_refused(*state, "acl = -;", 2, "device without acl or acl6 "
	    "(the IPv4 or IPv6 access list to fill)");
}

/* acl6: the IPv6 list, alone or beside acl, never under acl's name. */
static void
cisco_acl6(void **state)
{
	struct fixture *f = *state;
	const struct conf_cisco *d;
	const char *only6 = "acl = -;\nacl6 = \"SPA6-IN\";";
	const char *const both[] = { "acl6 = \"SPA6\";",
	    "name = \"edge2\";\nacl = \"OTHER\";\nacl6 = \"SPA6\";\n"
	    "seq_first = 10999;\nseq_last = 11999;" };
	const char *const apart[] = { "acl6 = \"SPA6\";",
	    "name = \"edge2\";\nacl = \"OTHER\";\nacl6 = \"SPA6B\";" };

	devices_accepted(f, &only6, 1);
	assert_non_null(d = conf_cisco_find(&f->conf, "edge1"));
	assert_null(d->acl);
	assert_string_equal(d->acl6, "SPA6-IN");
	device_refused(f, "acl6 = \"SPA\";", 2, "device edge1: acl and acl6 "
	    "must differ (IOS refuses an IPv6 list named like an IPv4 one)");
	device_refused(f, "acl6 = \"6SPA\";", 3, "acl6 \"6SPA\" must start "
	    "with a letter, then A-Z a-z 0-9 . _ - (64 at most)");
	devices_refused(f, both, 2, 13, "device edge2: sequence range "
	    "10999..11999 overlaps device edge1's in the same ACL");
	devices_accepted(f, apart, 2);
}

static void
cisco_key_or_password_required(void **state)
{
	const char *password = "key_file = -;\npassword_file = \"@/password\";";

	device_refused(*state, "key_file = -;", 2,
	    "device edge1: needs key_file or password_file");
	devices_accepted(*state, &password, 1);
}

static void
cisco_more_than_64_devices_refused(void **state)
{
	struct fixture *f = *state;
	struct conf_error err;
	char *text = NULL;
	size_t i, len = 0;
	FILE *fp = open_memstream(&text, &len);

	assert_non_null(fp);
	fprintf(fp, "max_packet_age = 60;\ncisco = (\n");
	for (i = 0; i < CONF_CISCO_MAX + 1; i++)
		fprintf(fp, "  { name = \"d%zu\"; }%s\n", i,
		    i < CONF_CISCO_MAX ? "," : "");
	fprintf(fp, ");\n");
	fclose(fp);
	assert_int_equal(load(f, text, &err), SPA_ERR_CONFIG);
	free(text);
	assert_refused_as(f, &err, 2, "65 devices, at most 64");
}

static void
cisco_dump_shows_paths_not_secrets(void **state)
{
	struct fixture *f = *state;
	const char *set = "password_file = \"@/password\";\n"
	    "enable_secret_file = \"@/enable\";";
	char *out, *want = NULL;

	devices_accepted(f, &set, 1);
	out = dumped(f);
	assert_true(asprintf(&want, "    key_file = \"%s/key\";\n"
	    "    password_file = \"%s/password\";\n"
	    "    enable_secret_file = \"%s/enable\";\n", f->dir, f->dir,
	    f->dir) > 0);
	assert_non_null(strstr(out, want));
	assert_null(strstr(out, "secret-key"));
	assert_null(strstr(out, "PRIVATE KEY"));
	assert_null(strstr(out, "secret-password"));
	assert_null(strstr(out, "secret-enable"));
	free(want);
	free(out);
}

static void
cisco_dump_shows_acl6(void **state)
{
	struct fixture *f = *state;
	const char *set = "acl6 = \"SPA6\";";
	char *out;

	devices_accepted(f, &set, 1);
	out = dumped(f);
	assert_non_null(strstr(out, "    acl = \"SPA\";\n    acl6 = \"SPA6\";\n"));
	free(out);
}

static void
cisco_dump_reparses_to_the_same_device(void **state)
{
	struct fixture *f = *state;
	const char *set = "port = 2200;\ntime_range = true;\n"
	    "ciphers = \"aes256-ctr\";";
	const struct conf_cisco *d;
	struct spa_conf again;
	struct conf_error err;
	char *path = NULL;
	FILE *fp;

	devices_accepted(f, &set, 1);
	assert_true(asprintf(&path, "%s/dump.conf", f->dir) > 0);
	assert_non_null(fp = fopen(path, "w"));
	conf_dump(&f->conf, fp);
	fclose(fp);
	spagated_defaults(&again);
	if (conf_load(path, true, &again, &err) != 0)
		fail_msg("dump refused: %s", err.text);
	assert_int_equal(conf_cisco_list(&again)->n, 1);
	assert_non_null(d = conf_cisco_find(&again, "edge1"));
	assert_int_equal(d->port, 2200);
	assert_true(d->time_range);
	assert_string_equal(d->ciphers, "aes256-ctr");
	assert_int_equal(d->seq_first, 10000);
	conf_free(&again);
	free(path);
}

/* metrics = { ... }: opt-in, validated with file:line. */
static void
metrics_off_by_default_and_stored(void **state)
{
	struct fixture *f = *state;
	struct conf_error err;

	assert_null(f->conf.metrics_file);
	assert_int_equal(f->conf.metrics_interval, 10);
	assert_int_equal(load(f, "metrics = {\n  file = \"/run/m.prom\";\n"
	    "  interval = 30;\n};\n", &err), 0);
	assert_string_equal(f->conf.metrics_file, "/run/m.prom");
	assert_int_equal(f->conf.metrics_interval, 30);
}

static void
metrics_settings_refused(void **state)
{
	struct fixture *f = *state;

	expect_refusal(f, "log = { verbose = 1; };\nmetrics = {\n  interval = 5;\n};\n",
	    "spagated.conf:2:", "metrics needs a file");
	conf_free(&f->conf);
	spagated_defaults(&f->conf);
	expect_refusal(f, "metrics = {\n  file = \"m.prom\";\n};\n",
	    "spagated.conf:2:", "must be an absolute file name");
	conf_free(&f->conf);
	spagated_defaults(&f->conf);
	expect_refusal(f, "metrics = {\n  file = \"/run/\";\n};\n",
	    "spagated.conf:2:", "must be an absolute file name");
	conf_free(&f->conf);
	spagated_defaults(&f->conf);
	expect_refusal(f, "metrics = {\n  file = \"/m\";\n  interval = 0;\n};\n",
	    "spagated.conf:3:", "metrics.interval must be in 1..86400");
	conf_free(&f->conf);
	spagated_defaults(&f->conf);
	expect_refusal(f, "metrics = {\n  file = \"/m\";\n  port = 9;\n};\n",
	    "spagated.conf:3:", "unknown setting 'metrics.port'");
}

/* --- fleet mode: state_backend and the redis group ------------------------ */

/* Fleet mode needs the fleet key: a root-only file in the fixture. */
static char *
with_fleet_key(struct fixture *f, const char *text)
{
	char *out = NULL;
	const char *at = strstr(text, "redis = {");

	file_as(f, "fleet.key", "0123456789abcdef0123456789abcdef\n", 0, 0600);
	assert_non_null(at);
	at += strlen("redis = {");
	assert_true(asprintf(&out, "%.*s fleet_key_file = \"%s/fleet.key\";%s",
	    (int)(at - text), text, f->dir, at) > 0);
	return out;
}

static int
load_fleet(struct fixture *f, const char *text, struct conf_error *err)
{
	char *full = with_fleet_key(f, text);
	int r = load(f, full, err);

	free(full);
	return r;
}

static void
redis_settings_stored(void **state)
{
	struct fixture *f = *state;
	struct conf_error err;
	char *key = NULL;

	file_as(f, "redis.pw", "pw\n", 0, 0600);
	if (load_fleet(f, "state_backend = \"redis\";\nredis = {\n"
	    "  address = \"[::1]:6380\";\n  user = \"spa\";\n"
	    "  prefix = \"site1:\";\n  gateway = \"gw-1.a\";\n"
	    "  timeout_ms = 250;\n  heartbeat = 3;\n  fail_closed = false;\n"
	    "  claim = false;\n};\n", &err) != 0)
		fail_msg("refused: %s", err.text);
	assert_true(asprintf(&key, "%s/fleet.key", f->dir) > 0);
	assert_string_equal(conf_redis_of(&f->conf)->fleet_key_file, key);
	free(key);
	assert_int_equal(conf_redis_of(&f->conf)->state_backend, STATE_REDIS);
	assert_string_equal(conf_redis_of(&f->conf)->address, "[::1]:6380");
	assert_string_equal(conf_redis_of(&f->conf)->user, "spa");
	assert_string_equal(conf_redis_of(&f->conf)->prefix, "site1:");
	assert_string_equal(conf_redis_of(&f->conf)->gateway, "gw-1.a");
	assert_int_equal(conf_redis_of(&f->conf)->timeout_ms, 250);
	assert_int_equal(conf_redis_of(&f->conf)->heartbeat, 3);
	assert_false(conf_redis_of(&f->conf)->fail_closed);
	assert_false(conf_redis_of(&f->conf)->claim);
}

static void
redis_defaults(void **state)
{
	struct fixture *f = *state;
	struct conf_error err;
	char host[256];

	assert_int_equal(load_fleet(f, "state_backend = \"redis\";\n"
	    "redis = { sentinels = \"10.0.0.1:26379, 10.0.0.2:26379\"; "
	    "master = \"mymaster\"; };\n", &err), 0);
	assert_string_equal(conf_redis_of(&f->conf)->prefix, "spagate:");
	assert_int_equal(conf_redis_of(&f->conf)->timeout_ms, 500);
	assert_int_equal(conf_redis_of(&f->conf)->heartbeat, 5);
	assert_true(conf_redis_of(&f->conf)->fail_closed);
	assert_true(conf_redis_of(&f->conf)->claim);
	/* the gateway is named after the host, as a key may carry it */
	assert_int_equal(gethostname(host, sizeof(host)), 0);
	assert_non_null(conf_redis_of(&f->conf)->gateway);
	assert_int_equal(strlen(conf_redis_of(&f->conf)->gateway),
	    strlen(host) > 64 ? 64 : strlen(host));
}

static void
redis_local_by_default(void **state)
{
	struct fixture *f = *state;
	struct conf_error err;

	assert_int_equal(load(f, "max_packet_age = 60;\n", &err), 0);
	assert_int_equal(conf_redis_of(&f->conf)->state_backend, STATE_LOCAL);
	assert_null(conf_redis_of(&f->conf)->address);
}

static void
redis_refused_at(struct fixture *f, const char *text, int line,
    const char *why)
{
	struct conf_error err;
	char *want = NULL;

	conf_free(&f->conf);		/* each case from the defaults */
	spagated_defaults(&f->conf);
	assert_int_equal(load(f, text, &err), SPA_ERR_CONFIG);
	assert_true(asprintf(&want, "%s/spagated.conf:%d: %s", f->dir, line,
	    why) > 0);
	assert_string_equal(err.text, want);
	free(want);
}

static void
redis_mistakes_refused_with_their_line(void **state)
{
	struct fixture *f = *state;

	redis_refused_at(f, "state_backend = \"etcd\";\n", 1,
	    "state_backend must be \"local\" or \"redis\", not \"etcd\"");
	redis_refused_at(f, "x = 1;\nredis = { address = \"1.2.3.4:1\"; };\n", 1,
	    "unknown setting 'x'");
	redis_refused_at(f, "redis = { address = \"1.2.3.4:1\"; };\n", 1,
	    "the redis group needs state_backend = \"redis\"");
	redis_refused_at(f, "state_backend = \"redis\";\n", 1,
	    "state_backend \"redis\" needs either redis.address or "
	    "redis.sentinels (with redis.master)");
	redis_refused_at(f, "state_backend = \"redis\";\nredis = {\n"
	    "  address = \"1.2.3.4:1\";\n  sentinels = \"1.2.3.4:2\";\n"
	    "  master = \"m\";\n};\n", 1,
	    "state_backend \"redis\" needs either redis.address or "
	    "redis.sentinels (with redis.master)");
	redis_refused_at(f, "state_backend = \"redis\";\nredis = {\n"
	    "  address = \"redis.example:6379\";\n};\n", 3,
	    "redis.address \"redis.example:6379\" must be a numeric host:port "
	    "([v6]:port for IPv6; no DNS)");
	redis_refused_at(f, "state_backend = \"redis\";\nredis = {\n"
	    "  address = \"10.0.0.1:0\";\n};\n", 3,
	    "redis.address \"10.0.0.1:0\" must be a numeric host:port "
	    "([v6]:port for IPv6; no DNS)");
	redis_refused_at(f, "state_backend = \"redis\";\nredis = {\n"
	    "  address = \"::1:6379\";\n};\n", 3,
	    "redis.address \"::1:6379\" must be a numeric host:port "
	    "([v6]:port for IPv6; no DNS)");
	redis_refused_at(f, "state_backend = \"redis\";\nredis = {\n"
	    "  address = \"1.2.3.4:1 1.2.3.5:1\";\n};\n", 3,
	    "redis.address \"1.2.3.4:1 1.2.3.5:1\" must be one host:port");
	redis_refused_at(f, "state_backend = \"redis\";\nredis = {\n"
	    "  sentinels = \"1.2.3.4:26379\";\n};\n", 3,
	    "redis.sentinels needs redis.master (the name Sentinel knows the "
	    "master by)");
	redis_refused_at(f, "state_backend = \"redis\";\nredis = {\n"
	    "  sentinels = \"1.2.3.4:26379 x:1\";\n  master = \"m\";\n};\n", 3,
	    "redis.sentinels \"1.2.3.4:26379 x:1\" must list numeric host:port "
	    "entries ([v6]:port for IPv6; no DNS)");
	redis_refused_at(f, "state_backend = \"redis\";\nredis = {\n"
	    "  address = \"1.2.3.4:1\";\n  gateway = \"a/b\";\n};\n", 4,
	    "redis.gateway \"a/b\" must be 1 to 64 of A-Z a-z 0-9 . _ -");
	redis_refused_at(f, "state_backend = \"redis\";\nredis = {\n"
	    "  address = \"1.2.3.4:1\";\n  prefix = \"a b\";\n};\n", 4,
	    "redis.prefix \"a b\" must be 1 to 64 of A-Z a-z 0-9 : . _ -");
	redis_refused_at(f, "state_backend = \"redis\";\nredis = {\n"
	    "  address = \"1.2.3.4:1\";\n  timeout_ms = 5;\n};\n", 4,
	    "redis.timeout_ms must be in 10..60000, not 5");
}

/* TLS through local tunnels: what Sentinel names maps to a tunnel. */
static void
redis_tunnels_and_sentinel_password(void **state)
{
	struct fixture *f = *state;
	struct conf_error err;
	const char *t;
	char local[64], tiny[8];

	file_as(f, "sentinel.pw", "spw\n", 0, 0600);
	if (load_fleet(f, "state_backend = \"redis\";\nredis = {\n"
	    "  sentinels = \"127.0.0.1:26379\";\n  master = \"m\";\n"
	    "  tunnels = \"10.0.0.1:6380=127.0.0.1:16380, "
	    "[2001:db8::1]:6380=[::1]:16390\";\n};\n", &err) != 0)
		fail_msg("refused: %s", err.text);
	t = conf_redis_of(&f->conf)->tunnels;
	assert_int_equal(conf_redis_tunnel(t, "10.0.0.1:6380", local,
	    sizeof(local)), 0);
	assert_string_equal(local, "127.0.0.1:16380");
	/* the same address written another way */
	assert_int_equal(conf_redis_tunnel(t, "[2001:db8:0::1]:6380", local,
	    sizeof(local)), 0);
	assert_string_equal(local, "[::1]:16390");
	assert_int_equal(conf_redis_tunnel(t, "10.0.0.1:6381", local,
	    sizeof(local)), -1);
	assert_int_equal(conf_redis_tunnel(t, "10.0.0.2:6380", local,
	    sizeof(local)), -1);
	assert_int_equal(conf_redis_tunnel(t, "[::ffff:10.0.0.1]:6380", local,
	    sizeof(local)), -1);
	assert_int_equal(conf_redis_tunnel(t, "10.0.0.1\n:6380", local,
	    sizeof(local)), -1);
	assert_int_equal(conf_redis_tunnel(t, "10.0.0.1:6380", tiny,
	    sizeof(tiny)), -1);
}

static void
redis_tunnels_refused(void **state)
{
	struct fixture *f = *state;
	char *text = NULL, *why = NULL;

	redis_refused_at(f, "state_backend = \"redis\";\nredis = {\n"
	    "  address = \"127.0.0.1:16380\";\n"
	    "  tunnels = \"10.0.0.1:6380=127.0.0.1:16380\";\n};\n", 4,
	    "redis.tunnels maps the servers Sentinel names: it needs "
	    "redis.sentinels (with redis.address, give the tunnel's own "
	    "address)");
	redis_refused_at(f, "state_backend = \"redis\";\nredis = {\n"
	    "  sentinels = \"127.0.0.1:26379\";\n  master = \"m\";\n"
	    "  tunnels = \"10.0.0.1:6380\";\n};\n", 5,
	    "redis.tunnels \"10.0.0.1:6380\" must list SERVER=LOCAL pairs");
	redis_refused_at(f, "state_backend = \"redis\";\nredis = {\n"
	    "  sentinels = \"127.0.0.1:26379\";\n  master = \"m\";\n"
	    "  tunnels = \"10.0.0.1:6380=localhost:1\";\n};\n", 5,
	    "redis.tunnels \"10.0.0.1:6380=localhost:1\" must list "
	    "SERVER=LOCAL pairs of numeric host:port ([v6]:port for IPv6; no "
	    "DNS)");
	redis_refused_at(f, "state_backend = \"redis\";\nredis = {\n"
	    "  sentinels = \"127.0.0.1:26379\";\n  master = \"m\";\n"
	    "  tunnels = \" , \";\n};\n", 5,
	    "redis.tunnels \" , \" lists no tunnel");
	redis_refused_at(f, "state_backend = \"redis\";\nredis = {\n"
	    "  address = \"127.0.0.1:16380\";\n"
	    "  sentinel_password_file = \"/x\";\n};\n", 4,
	    "redis.sentinel_password_file needs redis.sentinels");
	file_as(f, "loose.spw", "spw\n", 0, 0604);
	assert_true(asprintf(&text, "state_backend = \"redis\";\nredis = {\n"
	    "  sentinels = \"127.0.0.1:26379\";\n  master = \"m\";\n"
	    "  sentinel_password_file = \"%s/loose.spw\";\n};\n", f->dir) > 0);
	assert_true(asprintf(&why, "redis.sentinel_password_file "
	    "\"%s/loose.spw\" must not be accessible by group or others "
	    "(chmod 600)", f->dir) > 0);
	redis_refused_at(f, text, 5, why);
	free(text);
	free(why);
}

/* Without the fleet key, or with one others may read, no fleet mode. */
static void
redis_fleet_key_required_and_root_only(void **state)
{
	struct fixture *f = *state;
	char *text = NULL, *why = NULL;

	redis_refused_at(f, "state_backend = \"redis\";\nredis = {\n"
	    "  address = \"1.2.3.4:1\";\n};\n", 2,
	    "state_backend \"redis\" needs redis.fleet_key_file (the key that "
	    "seals the cycle records every gateway acts on)");
	file_as(f, "loose.key", "0123456789abcdef0123456789abcdef\n", 0, 0644);
	assert_true(asprintf(&text, "state_backend = \"redis\";\nredis = {\n"
	    "  address = \"1.2.3.4:1\";\n  fleet_key_file = \"%s/loose.key\";\n"
	    "};\n", f->dir) > 0);
	assert_true(asprintf(&why, "redis.fleet_key_file \"%s/loose.key\" "
	    "must not be accessible by group or others (chmod 600)",
	    f->dir) > 0);
	redis_refused_at(f, text, 4, why);
	free(text);
	free(why);
}

static void
redis_password_file_must_be_root_only(void **state)
{
	struct fixture *f = *state;
	char *text = NULL, *why = NULL;

	file_as(f, "loose.pw", "pw\n", 0, 0640);
	assert_true(asprintf(&text, "state_backend = \"redis\";\nredis = {\n"
	    "  address = \"1.2.3.4:1\";\n  password_file = \"%s/loose.pw\";\n"
	    "};\n", f->dir) > 0);
	assert_true(asprintf(&why, "redis.password_file \"%s/loose.pw\" must "
	    "not be accessible by group or others (chmod 600)", f->dir) > 0);
	redis_refused_at(f, text, 4, why);
	free(text);
	free(why);
}

static void
host_port_forms(void **state)
{
	char host[64];
	uint16_t port = 0;

	(void)state;
	assert_int_equal(conf_host_port("127.0.0.1:6379", host, sizeof(host),
	    &port), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 6379);
	assert_int_equal(conf_host_port("[fd00::1]:1", host, sizeof(host),
	    &port), 0);
	assert_string_equal(host, "fd00::1");
	assert_int_equal(port, 1);
	assert_int_equal(conf_host_port("1.2.3.4", host, sizeof(host), &port), -1);
	assert_int_equal(conf_host_port("1.2.3.4:65536", host, sizeof(host),
	    &port), -1);
	assert_int_equal(conf_host_port("1.2.3.4:-1", host, sizeof(host),
	    &port), -1);
	assert_int_equal(conf_host_port("1.2.3.4:6379x", host, sizeof(host),
	    &port), -1);
	assert_int_equal(conf_host_port("[fd00::1]6379", host, sizeof(host),
	    &port), -1);
	assert_int_equal(conf_host_port(":6379", host, sizeof(host), &port), -1);
	assert_int_equal(conf_host_port("localhost:6379", host, sizeof(host),
	    &port), -1);
}

static void
redis_dump_reparses(void **state)
{
	struct fixture *f = *state;
	struct conf_error err;
	char *dump;

	assert_int_equal(load_fleet(f, "state_backend = \"redis\";\nredis = { "
	    "address = \"10.0.0.1:6379\"; gateway = \"g1\"; claim = false; };\n",
	    &err), 0);
	dump = dumped(f);
	assert_non_null(strstr(dump, "state_backend = \"redis\";\n"));
	assert_non_null(strstr(dump, "  address = \"10.0.0.1:6379\";\n"));
	assert_non_null(strstr(dump, "  claim = false;\n"));
	conf_free(&f->conf);
	spagated_defaults(&f->conf);
	if (load(f, dump, &err) != 0)
		fail_msg("the dump does not load: %s", err.text);
	assert_string_equal(conf_redis_of(&f->conf)->gateway, "g1");
	assert_false(conf_redis_of(&f->conf)->claim);
	free(dump);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(missing_optional_file_keeps_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_named_file_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(every_setting_is_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_setting_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_setting_in_group_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_group_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(groups_unknown_without_their_owners, setup, teardown),
		cmocka_unit_test_setup_teardown(group_value_reached_through_its_group, setup, teardown),
		cmocka_unit_test_setup_teardown(syntax_error_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(wrong_type_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(out_of_range_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_enum_values_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(fwknopd_setting_names_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(every_integer_refused_outside_its_range, setup, teardown),
		cmocka_unit_test_setup_teardown(setting_without_value_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(dollar_variables_are_not_expanded, setup, teardown),
		cmocka_unit_test_setup_teardown(syslog_facilities_accepted_and_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(file_that_is_not_regular_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(dev_null_means_every_default, setup, teardown),
		cmocka_unit_test_setup_teardown(file_writable_by_group_or_others_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(file_of_another_user_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(symbolic_link_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(host_interface_must_exist, setup, teardown),
		cmocka_unit_test_setup_teardown(host_verifier_user_must_exist_and_not_be_root, setup, teardown),
		cmocka_unit_test_setup_teardown(host_directories_must_be_usable, setup, teardown),
		cmocka_unit_test_setup_teardown(host_sudo_exe_must_be_trusted, setup, teardown),
		cmocka_unit_test_setup_teardown(validate_refuses_bad_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(validate_refuses_relative_state_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(dump_reparses_to_the_same_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(metrics_off_by_default_and_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(metrics_settings_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_device_stored, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_unknown_setting_refused, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_wrong_types_refused, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_list_of_groups_required, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_bad_name_refused, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_reserved_names_refused, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_dns_host_refused, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_port_out_of_range_refused, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_relative_secret_file_refused, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_missing_secret_file_refused, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_secret_file_not_regular_refused, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_symlinked_secret_file_refused, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_readable_secret_file_refused, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_secret_file_of_another_user_refused, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_known_hosts_writable_by_group_refused, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_symlinked_known_hosts_refused, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_seq_range_refused, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_seq_range_of_one_accepted, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_overlapping_ranges_refused, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_fleet_ranges, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_fleet_ranges_refused, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_same_range_on_other_acl_or_port_accepted, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_duplicate_name_refused, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_required_settings_refused_when_missing, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_acl6, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_key_or_password_required, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_more_than_64_devices_refused, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_dump_shows_paths_not_secrets, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_dump_shows_acl6, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(cisco_dump_reparses_to_the_same_device, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(redis_settings_stored, cisco_setup, teardown),
		cmocka_unit_test_setup_teardown(redis_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(redis_local_by_default, setup, teardown),
		cmocka_unit_test_setup_teardown(redis_mistakes_refused_with_their_line, setup, teardown),
		cmocka_unit_test_setup_teardown(redis_password_file_must_be_root_only, setup, teardown),
		cmocka_unit_test_setup_teardown(redis_fleet_key_required_and_root_only, setup, teardown),
		cmocka_unit_test_setup_teardown(redis_tunnels_and_sentinel_password, setup, teardown),
		cmocka_unit_test_setup_teardown(redis_tunnels_refused, setup, teardown),
		cmocka_unit_test(host_port_forms),
		cmocka_unit_test_setup_teardown(redis_dump_reparses, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
