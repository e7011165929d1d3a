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

#include "conf.h"
#include "err.h"
#include "helpers.h"

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
	conf_defaults(&f->conf);
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
	assert_non_null(strstr(err.msg, "No such file"));
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
	    "udp_address = \"::\"; udp_port = 4000; http = true; "
	    "http_address = \"127.0.0.1\"; http_port = 8080; "
	    "http_any_user_agent = true; x_forwarded_for = true; };\n"
	    "nat = { forwarding = true; local = true; };\n"
	    "log = { syslog_ident = \"spa\"; syslog_facility = \"local3\"; "
	    "verbose = 2; };\n", &err), 0);
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
	assert_int_equal(conf_validate(&f->conf, &err), 0);
}

/* Each refusal: the message names the file, the line and the reason. */
static void
expect_refusal(struct fixture *f, const char *text, const char *where,
    const char *why)
{
	struct conf_error err;

	assert_int_equal(load(f, text, &err), SPA_ERR_CONFIG);
	if (strstr(err.msg, where) == NULL || strstr(err.msg, why) == NULL)
		fail_msg("got \"%s\", want \"%s\" and \"%s\"", err.msg, where, why);
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
	expect_refusal(*state, "firewall = { x = 1; };\n", "spagated.conf:1:",
	    "unknown group 'firewall'");
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

static void
validate_refuses_bad_addresses(void **state)
{
	struct fixture *f = *state;
	struct conf_error err;

	assert_int_equal(load(f, "capture = { udp_address = \"localhost\"; };\n",
	    &err), 0);
	assert_int_equal(conf_validate(&f->conf, &err), SPA_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "capture.udp_address"));
}

static void
validate_refuses_relative_state_dir(void **state)
{
	struct fixture *f = *state;
	struct conf_error err;

	assert_int_equal(load(f, "state_dir = \"var/lib\";\n", &err), 0);
	assert_int_equal(conf_validate(&f->conf, &err), SPA_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "absolute"));
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
	conf_defaults(&again);
	assert_int_equal(conf_load(path, true, &again, &err), 0);
	assert_int_equal(again.max_packet_age, 77);
	assert_int_equal(again.capture.mode, CAPTURE_UDP);
	assert_true(again.capture.http);
	assert_true(again.nat_local);
	assert_false(again.nat_forwarding);
	conf_free(&again);
	free(path);
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
		cmocka_unit_test_setup_teardown(syntax_error_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(wrong_type_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(out_of_range_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_enum_values_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(validate_refuses_bad_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(validate_refuses_relative_state_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(dump_reparses_to_the_same_settings, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
