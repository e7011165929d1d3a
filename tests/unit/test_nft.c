/*
 * The nft module apart from the kernel: the line reader's every refusal
 * (the injection guard among them), the rebuilt text and the raised
 * timeout, the cover_close arithmetic, and the transactions against a
 * fake kernel that fails chosen lines: one transaction for a pass, a
 * failing element split off alone with its reason, an absent delete.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "nft_batch.h"
#include "nft_line.h"
#include "subst.h"

/* Split `text` as a configured line is, then read it. */
static int
parse(const char *text, int64_t min, struct nft_line *line, char *why,
    size_t whylen)
{
	struct cmd_argv a;

	assert_int_equal(cmd_split(text, &a), 0);
	why[0] = '\0';
	return nft_line_parse(a.argc, a.argv, min, line, why, whylen);
}

static void
refused(const char *text, const char *reason)
{
	struct nft_line line;
	char why[256];

	if (parse(text, 0, &line, why, sizeof(why)) != SPA_ERR_ARG)
		fail_msg("accepted: %s", text);
	if (strstr(why, reason) == NULL)
		fail_msg("%s: reason '%s', expected '%s'", text, why, reason);
}

static void
accepted(const char *text, int64_t min, const char *sent)
{
	struct nft_line line;
	char why[256];

	if (parse(text, min, &line, why, sizeof(why)) != 0)
		fail_msg("refused: %s: %s", text, why);
	assert_string_equal(line.text, sent);
}

static void
accepts_element_commands(void **state)
{
	(void)state;
	accepted("nft add element inet spagate allow { 192.0.2.1 . 6 . 22 "
	    "timeout 30s }", 0,
	    "add element inet spagate allow { 192.0.2.1 . 6 . 22 timeout 30s }");
	accepted("/usr/sbin/nft  delete element ip6 t s {  2001:db8::1 }", 0,
	    "delete element ip6 t s { 2001:db8::1 }");
	accepted("nft create element ip spagate nat4 { 192.0.2.1 . 22 : "
	    "10.0.0.5 . 22 }", 0,
	    "create element ip spagate nat4 { 192.0.2.1 . 22 : 10.0.0.5 . 22 }");
	accepted("nft add element netdev t s { 10.0.0.0/8 }", 0,
	    "add element netdev t s { 10.0.0.0/8 }");
	accepted("nft add element bridge t s { 02:00:00:00:00:01 }", 0,
	    "add element bridge t s { 02:00:00:00:00:01 }");
	accepted("nft add element arp t s { 192.0.2.1 }", 0,
	    "add element arp t s { 192.0.2.1 }");
	/* a set named "timeout": its '{' is no time to raise */
	accepted("nft add element inet t timeout { 192.0.2.1 timeout 10s }",
	    60, "add element inet t timeout { 192.0.2.1 timeout 60s }");
}

static void
refuses_other_commands(void **state)
{
	(void)state;
	refused("iptables -A INPUT", "not an nft command");
	refused("nft", "only 'add element'");
	refused("nft flush ruleset", "only 'add element'");
	refused("nft add rule inet t c accept", "only 'add element'");
	refused("nft destroy element inet t s { 1.2.3.4 }", "only 'add element'");
	refused("nft -f /etc/nftables.conf", "only 'add element'");
	refused("nft add element", "expected a family");
	refused("nft add element t s { 1.2.3.4 }", "expected a family");
	refused("nft add element ip4 t s { 1.2.3.4 }", "expected a family");
	refused("nft add element inet t", "expected a table and a set");
	refused("nft add element inet 1t s { 1.2.3.4 }",
	    "expected a table and a set");
	refused("nft add element inet t @s { 1.2.3.4 }",
	    "expected a table and a set");
	refused("nft add element inet t 's;x' { 1.2.3.4 }",
	    "expected a table and a set");
}

static void
refuses_bad_braces(void **state)
{
	(void)state;
	refused("nft add element inet t s 1.2.3.4", "expected '{'");
	refused("nft add element inet t s {1.2.3.4 }", "expected '{'");
	refused("nft add element inet t s { 1.2.3.4}", "expected '}'");
	refused("nft add element inet t s { }", "no element");
	refused("nft add element inet t s { 1.2.3.4", "expected '}'");
}

/*
 * The injection guard.  Each hostile value is one word, as a
 * substituted value always is; none may reach nft.
 */
static void
refuses_hostile_words(void **state)
{
	static char *const bad[] = {
		"1.2.3.4 }; flush ruleset; add element inet t s { 1.2.3.4",
		"1.2.3.4\nflush ruleset", "1.2.3.4;", "}", "{", "1.2.3.4#",
		"$var", "@other", "'x'", "\"x\"", "1.2.3.4,5.6.7.8", "a b",
		"x\\y", "*", "1.2.3.4\t", "",
	};
	struct nft_line line;
	char *argv[CMD_MAX_ARGS + 1], why[256];
	char *fixed[] = { "nft", "add", "element", "inet", "t", "s", "{" };
	size_t i, argc;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(argv, fixed, sizeof(fixed));
		argc = sizeof(fixed) / sizeof(fixed[0]);
		argv[argc++] = bad[i];
		argv[argc++] = "}";
		argv[argc] = NULL;
		why[0] = '\0';
		if (nft_line_parse(argc, argv, 0, &line, why,
		    sizeof(why)) != SPA_ERR_ARG)
			fail_msg("accepted the value '%s'", bad[i]);
		assert_non_null(strstr(why, "only letters, digits"));
	}
}

static void
refuses_timeouts(void **state)
{
	(void)state;
	refused("nft add element inet t s { 1.2.3.4 timeout }", "timeout:");
	refused("nft add element inet t s { 1.2.3.4 timeout 30x }", "timeout:");
	refused("nft add element inet t s { 1.2.3.4 timeout 500ms }",
	    "timeout:");
	refused("nft add element inet t s { 1.2.3.4 timeout 1s timeout 2s }",
	    "timeout:");
	refused("nft delete element inet t s { 1.2.3.4 timeout 30s }",
	    "a delete has none");
}

static void
reads_times(void **state)
{
	(void)state;
	assert_int_equal(nft_line_seconds("30s"), 30);
	assert_int_equal(nft_line_seconds("90"), 90);
	assert_int_equal(nft_line_seconds("1h30m"), 5400);
	assert_int_equal(nft_line_seconds("2d1s"), 172801);
	assert_int_equal(nft_line_seconds(""), -1);
	assert_int_equal(nft_line_seconds("1h30"), -1);
	assert_int_equal(nft_line_seconds("s"), -1);
	assert_int_equal(nft_line_seconds("10ms"), -1);
	assert_int_equal(nft_line_seconds("99999999999s"), -1);
	assert_int_equal(nft_line_seconds("30000d"), -1);
}

/* The cover_close arithmetic, and the timeout it raises. */
static void
covers_the_latest_close(void **state)
{
	(void)state;
	assert_int_equal(nft_line_cover(0, 1000), 0);
	assert_int_equal(nft_line_cover(1000, 1000), 0);
	assert_int_equal(nft_line_cover(900, 1000), 0);
	assert_int_equal(nft_line_cover(1600, 1000), 600);
	assert_int_equal(nft_line_cover(INT64_MAX / 2, 0),
	    NFT_LINE_TIMEOUT_MAX);
	accepted("nft add element inet t s { 1.2.3.4 timeout 30s }", 600,
	    "add element inet t s { 1.2.3.4 timeout 600s }");
	accepted("nft add element inet t s { 1.2.3.4 timeout 1h }", 600,
	    "add element inet t s { 1.2.3.4 timeout 1h }");
	accepted("nft add element inet t s { 1.2.3.4 }", 600,
	    "add element inet t s { 1.2.3.4 }");
	accepted("nft add element inet t s { 1.2.3.4 timeout 30s }",
	    (int64_t)NFT_LINE_TIMEOUT_MAX + 5,
	    "add element inet t s { 1.2.3.4 timeout 2147483s }");
}

/* --- transactions against a fake kernel ---------------------------------- */

struct fake_kernel {
	const char	*bad;		/* a line holding this fails */
	const char	*gone;		/* a delete holding this: ENOENT */
	const char	*there;		/* a create holding this: EEXIST */
	size_t		 sent;
	size_t		 applied;	/* lines of transactions applied */
};

static int
fake_send(void *arg, const char *buf, char *err, size_t errlen)
{
	struct fake_kernel *k = arg;
	const char *p;
	size_t lines = 0;

	k->sent++;
	for (p = buf; *p != '\0'; p++)
		lines += *p == '\n';
	if (k->bad != NULL && strstr(buf, k->bad) != NULL) {
		snprintf(err, errlen, "Could not process rule: Invalid argument");
		return -1;
	}
	if (k->gone != NULL && strstr(buf, k->gone) != NULL) {
		snprintf(err, errlen, "Could not process rule: No such file "
		    "or directory");
		return -1;
	}
	for (p = buf; k->there != NULL && (p = strstr(p, "create ")) != NULL;
	    p++)
		if (strncmp(p + strcspn(p, "{"), k->there,
		    strlen(k->there)) == 0) {
			snprintf(err, errlen, "Could not process rule: File "
			    "exists");
			return -1;
		}
	k->applied += lines;
	return 0;
}

static struct nft_unit *
units(size_t n, const char *delete_of)
{
	struct nft_unit *u = calloc(n, sizeof(*u));
	size_t i;

	assert_non_null(u);
	for (i = 0; i < n; i++) {
		u[i].job = i + 1;
		u[i].text = malloc(64);
		assert_non_null(u[i].text);
		snprintf(u[i].text, 64, "%s element inet t s { 192.0.2.%zu }",
		    delete_of != NULL && i == 3 ? "delete" : "add", i + 1);
		u[i].is_delete = delete_of != NULL && i == 3;
	}
	return u;
}

static void
free_units(struct nft_unit *u, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(u[i].text);
	free(u);
}

static void
one_transaction_per_pass(void **state)
{
	struct fake_kernel k = { 0 };
	struct nft_unit *u = units(25, NULL);
	size_t i;

	(void)state;
	assert_int_equal(nft_batch_run(u, 25, fake_send, &k), 1);
	assert_int_equal(k.sent, 1);
	assert_int_equal(k.applied, 25);
	for (i = 0; i < 25; i++)
		assert_int_equal(u[i].outcome, NFT_DONE);
	free_units(u, 25);
}

static void
a_bad_element_fails_alone(void **state)
{
	struct fake_kernel k = { .bad = "192.0.2.7 " };
	struct nft_unit *u = units(25, NULL);
	size_t i;

	(void)state;
	assert_true(nft_batch_run(u, 25, fake_send, &k) > 1);
	assert_int_equal(k.applied, 24);
	for (i = 0; i < 25; i++) {
		if (i == 6) {
			assert_int_equal(u[i].outcome, NFT_FAILED);
			assert_string_equal(u[i].err,
			    "Could not process rule: Invalid argument");
		} else
			assert_int_equal(u[i].outcome, NFT_DONE);
	}
	free_units(u, 25);
}

static void
an_absent_delete_is_absent(void **state)
{
	struct fake_kernel k = { .gone = "delete" };
	struct nft_unit *u = units(8, "delete");
	size_t i;

	(void)state;
	nft_batch_run(u, 8, fake_send, &k);
	assert_int_equal(k.applied, 7);
	for (i = 0; i < 8; i++)
		assert_int_equal(u[i].outcome, i == 3 ? NFT_ABSENT : NFT_DONE);
	free_units(u, 8);
}

/*
 * A create that finds its element there (an operator's, or one left by
 * a crash) is sent again as its refresh, and only those, together: the
 * others are created once.
 */
static void
a_create_found_there_is_refreshed(void **state)
{
	struct fake_kernel k = { .there = "{ 192.0.2.5 " };
	struct nft_unit *u = calloc(8, sizeof(*u));
	char *own[16];		/* the units' strings are ours to free */
	size_t i;

	(void)state;
	assert_non_null(u);
	for (i = 0; i < 8; i++) {
		u[i].job = i + 1;
		assert_true(asprintf(&u[i].text, "create element inet t s "
		    "{ 192.0.2.%zu timeout 30s }", i + 1) > 0);
		assert_true(asprintf(&u[i].refresh, "add element inet t s "
		    "{ 192.0.2.%zu timeout 30s }\ndelete element inet t s "
		    "{ 192.0.2.%zu }\nadd element inet t s { 192.0.2.%zu "
		    "timeout 30s }", i + 1, i + 1, i + 1) > 0);
		own[2 * i] = u[i].text;
		own[2 * i + 1] = u[i].refresh;
	}
	nft_batch_run(u, 8, fake_send, &k);
	assert_int_equal(k.applied, 7 + 3);
	for (i = 0; i < 8; i++) {
		assert_int_equal(u[i].outcome, NFT_DONE);
		if (u[i].job == 5)
			assert_non_null(strstr(u[i].text, "delete element"));
		else
			assert_true(strncmp(u[i].text, "create ", 7) == 0);
	}
	for (i = 0; i < 16; i++)
		free(own[i]);
	free(u);
}

/* Without a refresh to fall back on, EEXIST is the create's failure. */
static void
a_create_without_refresh_fails(void **state)
{
	struct fake_kernel k = { .there = "{ 192.0.2.1 " };
	struct nft_unit u = { .job = 1 };

	(void)state;
	assert_non_null(u.text = strdup("create element inet t s "
	    "{ 192.0.2.1 }"));
	nft_batch_run(&u, 1, fake_send, &k);
	assert_int_equal(u.outcome, NFT_FAILED);
	assert_true(nft_batch_is_exists(u.err));
	free(u.text);
}

/* ENOENT on an add (a set gone) is a failure, not an absent element. */
static void
enoent_on_an_add_fails(void **state)
{
	struct fake_kernel k = { .gone = "192.0.2.2 " };
	struct nft_unit *u = units(2, NULL);

	(void)state;
	nft_batch_run(u, 2, fake_send, &k);
	assert_int_equal(u[0].outcome, NFT_DONE);
	assert_int_equal(u[1].outcome, NFT_FAILED);
	free_units(u, 2);
}

static void
reads_the_first_error(void **state)
{
	char out[NFT_ERR_MAX];

	(void)state;
	nft_batch_first_error("<cmdline>:2:37-54: Error: Could not process "
	    "rule: No such file or directory\ndelete element ...\n   ^^^\n",
	    out, sizeof(out));
	assert_string_equal(out,
	    "Could not process rule: No such file or directory");
	assert_true(nft_batch_is_absent(out));
	nft_batch_first_error("Error: No such file or directory; did you "
	    "mean set 'allow' in table inet 'spagate'?\n", out, sizeof(out));
	assert_false(nft_batch_is_absent(out));
	nft_batch_first_error("", out, sizeof(out));
	assert_string_equal(out, "");
	nft_batch_first_error("Error: 0123456789", out, 5);
	assert_string_equal(out, "0123");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_element_commands),
		cmocka_unit_test(refuses_other_commands),
		cmocka_unit_test(refuses_bad_braces),
		cmocka_unit_test(refuses_hostile_words),
		cmocka_unit_test(refuses_timeouts),
		cmocka_unit_test(reads_times),
		cmocka_unit_test(covers_the_latest_close),
		cmocka_unit_test(one_transaction_per_pass),
		cmocka_unit_test(a_bad_element_fails_alone),
		cmocka_unit_test(an_absent_delete_is_absent),
		cmocka_unit_test(a_create_found_there_is_refreshed),
		cmocka_unit_test(a_create_without_refresh_fails),
		cmocka_unit_test(enoent_on_an_add_fails),
		cmocka_unit_test(reads_the_first_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
