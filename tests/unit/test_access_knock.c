/*
 * fwknop 1.x's shared knock sequences in access.conf: SHARED_SEQUENCE,
 * KNOCK_INTERVAL, MIN_TIME_DIFF and MAX_TIME_DIFF are read and checked
 * (every refusal with file:line and reason), and such stanzas become
 * doors the knock engine opens as fwknopd did (common/access_knock.c).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "access_int.h"
#include "err.h"
#include "helpers.h"
#include "knock_engine.h"
#include "log.h"

#define SPA_STANZA	"SOURCE ANY\nKEY_BASE64 " \
	"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n"
#define KNOCK_STANZA	"SOURCE 198.51.100.0/24\nOPEN_PORTS tcp/22\n" \
	"SHARED_SEQUENCE "	/* the sequence on line 3 */

static struct access_conf *
load_ok(const char *text)
{
	struct access_conf *c = NULL;
	struct access_error e;

	if (access_load_buffer("t.conf", text, strlen(text), &c, &e) != 0)
		fail_msg("refused: %s", e.text);
	return c;
}

static void
refused(const char *text, const char *want)
{
	struct access_conf *c = NULL;
	struct access_error e;

	if (access_load_buffer("t.conf", text, strlen(text), &c, &e) == 0)
		fail_msg("accepted: %s", text);
	if (strcmp(e.text, want) != 0)
		fail_msg("for %s\n got: %s\nwant: %s", text, e.text, want);
}

/* --- warnings, caught from stderr ----------------------------------------- */

/* --- reading ------------------------------------------------------------- */

/* README.PK's example, in fwknop 1.x's own punctuation. */
static void
fwknop_example_loads(void **state)
{
	struct access_conf *c = load_ok("SOURCE: ANY;\n"
	    "SHARED_SEQUENCE: tcp/65531, udp/65533, tcp/65532, udp/65530;\n"
	    "OPEN_PORTS: tcp/22;\n");
	const struct stanza *st = c->stanzas[0];

	assert_true(st->knock);
	assert_int_equal(st->shared_sequence.n, 4);
	assert_int_equal(st->shared_sequence.hits[1].proto, IPPROTO_UDP);
	assert_int_equal(st->shared_sequence.hits[1].port, 65533);
	assert_int_equal(st->shared_sequence.hits[3].port, 65530);
	assert_int_equal(st->knock_interval, KNOCK_DEF_INTERVAL);
	assert_false(st->has_min_time_diff);
	assert_false(st->has_max_time_diff);
	/* no key: no SPA packet can match it */
	assert_true(st->gpg_only);
	assert_false(st->gpg);
	assert_false(st->has_enc_key);
	access_free(c);
}

static void
timings_stored(void **state)
{
	struct access_conf *c = load_ok(KNOCK_STANZA "tcp/1000\n"
	    "KNOCK_INTERVAL 30\nMIN_TIME_DIFF 0\nMAX_TIME_DIFF 5\n");
	const struct stanza *st = c->stanzas[0];

	assert_int_equal(st->knock_interval, 30);
	assert_true(st->has_min_time_diff);
	assert_int_equal(st->min_time_diff, 0);
	assert_true(st->has_max_time_diff);
	assert_int_equal(st->max_time_diff, 5);
	access_free(c);
}

static const struct {
	const char	*text;
	const char	*want;
} refusals[] = {
	{ KNOCK_STANZA "tcp/1, icmp\n", "t.conf:3: invalid SHARED_SEQUENCE "
	    "entry #2: missing '/' (expected proto/port, as tcp/1234)" },
	{ KNOCK_STANZA "icmp/8\n", "t.conf:3: invalid SHARED_SEQUENCE entry "
	    "#1: the protocol must be tcp or udp" },
	{ KNOCK_STANZA "tcp/0\n", "t.conf:3: invalid SHARED_SEQUENCE entry "
	    "#1: the port must be a number from 1 to 65535" },
	{ KNOCK_STANZA "tcp/1,,udp/2\n", "t.conf:3: invalid SHARED_SEQUENCE "
	    "entry #2: the entry is empty" },
	{ KNOCK_STANZA "tcp/1\nSHARED_SEQUENCE tcp/2\n", "t.conf:4: duplicate "
	    "SHARED_SEQUENCE (first set at line 3)" },
	{ KNOCK_STANZA "tcp/1\nKNOCK_INTERVAL 0\n", "t.conf:4: KNOCK_INTERVAL "
	    "must be a number of seconds from 1 to 86400" },
	{ KNOCK_STANZA "tcp/1\nKNOCK_INTERVAL 86401\n", "t.conf:4: "
	    "KNOCK_INTERVAL must be a number of seconds from 1 to 86400" },
	{ KNOCK_STANZA "tcp/1\nMIN_TIME_DIFF -1\n", "t.conf:4: MIN_TIME_DIFF "
	    "must be a number of seconds from 0 to 86400" },
	{ KNOCK_STANZA "tcp/1\nMAX_TIME_DIFF 0\n", "t.conf:4: MAX_TIME_DIFF "
	    "must be a number of seconds from 1 to 86400" },
	{ KNOCK_STANZA "tcp/1\nMIN_TIME_DIFF 2\nMAX_TIME_DIFF 3\n",
	    "t.conf:5: stanza #1 (line 1): MAX_TIME_DIFF must exceed "
	    "MIN_TIME_DIFF by 2 or more (knocks must be more than MIN and "
	    "less than MAX seconds apart)" },
	{ KNOCK_STANZA "tcp/1\nKEY secret\n", "t.conf:3: stanza #1 (line 1): "
	    "SHARED_SEQUENCE makes a knock stanza, which takes no key (knocks "
	    "are not encrypted): give SPA a stanza of its own" },
	{ "SOURCE ANY\nSHARED_SEQUENCE tcp/1\n", "t.conf:2: stanza #1 (line "
	    "1): SHARED_SEQUENCE needs OPEN_PORTS (a knock requests nothing: "
	    "OPEN_PORTS is what it opens)" },
	{ "SHARED_SEQUENCE tcp/1\n", "t.conf:1: SHARED_SEQUENCE appears "
	    "before the first SOURCE line" },
};

static void
every_refusal_names_line_and_reason(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		refused(refusals[i].text, refusals[i].want);
}

static void
warnings_logged(void **state)
{
	struct access_conf *c;
	char *text;

	th_stderr_catch();
	c = load_ok(SPA_STANZA "MIN_TIME_DIFF 1\n" KNOCK_STANZA "tcp/1\n");
	text = th_stderr_caught();
	th_assert_logged(text, "t.conf:3: stanza #1 (line 1): MIN_TIME_DIFF "
	    "without SHARED_SEQUENCE has no effect");
	th_assert_logged(text, "t.conf:6: stanza #2 (line 4): spagated does not "
	    "capture knocks yet: this knock stanza opens nothing");
	free(text);
	access_free(c);
}

/* spagated -D and spagate check print the policy: the sequence is a secret. */
static void
dump_hides_the_sequence(void **state)
{
	struct access_conf *c = load_ok(KNOCK_STANZA "tcp/65531, udp/65533\n"
	    "MAX_TIME_DIFF 5\n");
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	assert_non_null(fp);
	access_dump(c, fp);
	fclose(fp);
	assert_non_null(strstr(text, "# knock stanza: no SPA packet matches "
	    "it\n"));
	assert_non_null(strstr(text, "SHARED_SEQUENCE        (2 knocks, not "
	    "shown)\nKNOCK_INTERVAL         60\nMAX_TIME_DIFF          5\n"));
	assert_null(strstr(text, "6553"));
	free(text);
	access_free(c);
}

/* A stanza without a sequence is an SPA stanza, keys required as ever. */
static void
spa_stanzas_unchanged(void **state)
{
	refused("SOURCE ANY\nOPEN_PORTS tcp/22\nKNOCK_INTERVAL 5\n",
	    "t.conf:1: stanza #1 has no key (KEY, KEY_BASE64, GPG_DECRYPT_PW "
	    "or GPG_ALLOW_NO_PW)");
}

/* --- doors --------------------------------------------------------------- */

static struct spa_addr
v4(const char *text)
{
	struct spa_addr a;

	assert_int_equal(addr_parse(text, &a), 0);
	return a;
}

static size_t
knock(struct knock_engine *e, const char *src, uint8_t proto, uint16_t port,
    int64_t ms)
{
	const struct knock_open *o = NULL;
	struct knock_pkt p;

	memset(&p, 0, sizeof(p));
	p.src = v4(src);
	p.dst = v4("192.0.2.1");
	p.proto = proto;
	p.dport = port;
	p.tcp_flags = 0x02;
	p.mono_ms = ms;
	return knock_feed(e, &p, &o);
}

static void
stanzas_become_doors(void **state)
{
	struct access_conf *c = load_ok(SPA_STANZA
	    KNOCK_STANZA "tcp/1000, udp/2000\nKNOCK_INTERVAL 3\n"
	    "MIN_TIME_DIFF 0\nMAX_TIME_DIFF 9\n"
	    "SOURCE ANY\nOPEN_PORTS tcp/80\nSHARED_SEQUENCE tcp/3000\n");
	struct knock_door *doors = NULL;
	size_t n = 0;

	assert_int_equal(access_knock_doors(c, &doors, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(doors[0].name, "stanza #2");
	assert_int_equal(doors[0].stanza, 2);
	assert_int_equal(doors[0].line, 3);
	assert_string_equal(doors[0].file, "t.conf");
	assert_true(doors[0].independent);
	assert_int_equal(doors[0].seq.n, 2);
	assert_int_equal(doors[0].seq_timeout, 4);	/* more than 3 s */
	assert_true(doors[0].has_min_gap);
	assert_int_equal(doors[0].max_gap, 9);
	assert_ptr_equal(doors[0].sources, &c->stanzas[1]->source);
	assert_int_equal(doors[1].stanza, 3);
	assert_false(doors[1].has_min_gap);
	access_knock_doors_free(doors, n);
	access_free(c);
}

static void
no_knock_stanza_no_doors(void **state)
{
	struct access_conf *c = load_ok(SPA_STANZA);
	struct knock_door *doors = (struct knock_door *)&doors;
	size_t n = 1;

	assert_int_equal(access_knock_doors(c, &doors, &n), 0);
	assert_int_equal(n, 0);
	assert_null(doors);
	access_free(c);
}

/* fwknopd: KNOCK_INTERVAL from the first knock, SOURCE, the gaps. */
static void
doors_open_as_fwknopd_did(void **state)
{
	struct access_conf *c = load_ok(KNOCK_STANZA "tcp/1000, udp/2000, "
	    "tcp/3000\nKNOCK_INTERVAL 3\nMIN_TIME_DIFF 0\n");
	struct knock_door *doors = NULL;
	struct knock_engine *e = NULL;
	size_t n = 0;

	assert_int_equal(access_knock_doors(c, &doors, &n), 0);
	assert_int_equal(knock_new(doors, n, 0, &e), 0);
	knock(e, "198.51.100.7", IPPROTO_TCP, 1000, 0);
	knock(e, "198.51.100.7", IPPROTO_UDP, 2000, 1000);
	assert_int_equal(knock(e, "198.51.100.7", IPPROTO_TCP, 3000, 3999),
	    1);
	/* 4 s after the first knock is more than KNOCK_INTERVAL */
	knock(e, "198.51.100.7", IPPROTO_TCP, 1000, 10000);
	knock(e, "198.51.100.7", IPPROTO_UDP, 2000, 11000);
	assert_int_equal(knock(e, "198.51.100.7", IPPROTO_TCP, 3000, 14000),
	    0);
	/* two knocks in one second: not more than MIN_TIME_DIFF 0 */
	knock(e, "198.51.100.7", IPPROTO_TCP, 1000, 20000);
	knock(e, "198.51.100.7", IPPROTO_UDP, 2000, 20500);
	assert_int_equal(knock(e, "198.51.100.7", IPPROTO_TCP, 3000, 21000),
	    0);
	/* outside SOURCE */
	knock(e, "203.0.113.7", IPPROTO_TCP, 1000, 30000);
	knock(e, "203.0.113.7", IPPROTO_UDP, 2000, 31000);
	assert_int_equal(knock(e, "203.0.113.7", IPPROTO_TCP, 3000, 32000),
	    0);
	knock_free(e);
	access_knock_doors_free(doors, n);
	access_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fwknop_example_loads),
		cmocka_unit_test(timings_stored),
		cmocka_unit_test(every_refusal_names_line_and_reason),
		cmocka_unit_test(warnings_logged),
		cmocka_unit_test(dump_hides_the_sequence),
		cmocka_unit_test(spa_stanzas_unchanged),
		cmocka_unit_test(stanzas_become_doors),
		cmocka_unit_test(no_knock_stanza_no_doors),
		cmocka_unit_test(doors_open_as_fwknopd_did),
	};

	log_init("test_access_knock", LOG_TO_STDERR, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
