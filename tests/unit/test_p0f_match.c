/*
 * The p0f matcher (verifier/p0f_match.c): its rules against a small
 * database of our own lines; then the header shapes of common stacks and
 * two SYNs this host's Linux sent (tests/vectors/p0f, make-syns.sh)
 * against Debian's p0f.fp (package p0f; $P0F_FP), which must give p0f's
 * labels; and REQUIRE_OS_REGEX's matching.
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
#include <sys/stat.h>

#include "err.h"
#include "helpers.h"
#include "p0f.h"
#include "p0f_build.h"

/* --- the matcher, against our own lines ------------------------------------ */

static const char OWN_DB[] =
	"classes = unix,win\n"
	"[tcp:request]\n"
	"label = g:unix:Generic:any window\n"
	"sig = *:64:0:*:*,*:mss,sok,ts,nop,ws:df,id+:0\n"
	"label = s:unix:MssWin:\n"
	"sig = *:64:0:*:mss*20,7:mss,sok,ts,nop,ws:df,id+:0\n"
	"label = s:win:MtuWin:\n"
	"sig = *:128:0:*:mtu*4,8:mss,nop,ws,nop,nop,sok:df,id+:0\n"
	"label = s:win:ModWin:\n"
	"sig = *:128:0:*:%8192,8:mss,nop,ws,nop,nop,sok:df,id+:0\n"
	"label = s:win:FixedWin:\n"
	"sig = *:128:0:1460:64240,8:mss,nop,ws,nop,nop,sok:df,id+:0\n"
	"label = s:unix:V4only:\n"
	"sig = 4:64:0:1460:65535,6:mss,nop,ws,sok,ts:df,id+:0\n"
	"label = s:!:Tool:random ttl\n"
	"sys = @unix\n"
	"sig = *:64-:0:1460:1024,0:mss::0\n"
	"label = s:unix:Eol:\n"
	"sig = *:64:0:*:65535,6:mss,nop,ws,nop,nop,ts,sok,eol+1:df,id+:0\n";

static struct p0f_db *
own_db(void)
{
	struct p0f_error err;
	struct p0f_db *db;

	assert_int_equal(p0f_db_parse(OWN_DB, sizeof(OWN_DB) - 1, "own.fp",
	    &db, &err), 0);
	return db;
}

/* The label `s` gets (NULL: none), its quality and distance. */
static const char *
label_of(const struct p0f_db *db, const struct shape *s, unsigned int *q,
    unsigned int *dist)
{
	struct p0f_syn syn = syn_parse_ok(s);
	struct p0f_match m;
	unsigned int qq, dd;

	q = q != NULL ? q : &qq;
	dist = dist != NULL ? dist : &dd;
	if (!p0f_match(db, &syn, &m)) {
		assert_null(m.label);
		*dist = m.dist;
		return NULL;
	}
	*q = m.quality;
	*dist = m.dist;
	return m.label->text;
}

static void
test_window_forms(void **state)
{
	struct p0f_db *db = own_db();
	struct shape s = linux_shape();
	unsigned int q;

	(void)state;
	assert_string_equal(label_of(db, &s, &q, NULL), "MssWin");	/* 1460*20 */
	assert_int_equal(q, 0);
	s.win = 28000;			/* 1400 * 20: not with an MSS of 1460 */
	assert_string_equal(label_of(db, &s, &q, NULL), "Generic any window");
	assert_int_equal(q, P0F_GENERIC);

	s = windows_shape();
	assert_string_equal(label_of(db, &s, &q, NULL), "FixedWin");
	s.win = 6000;			/* (1460 + 40) * 4 */
	assert_string_equal(label_of(db, &s, &q, NULL), "MtuWin");
	s.win = 5840;			/* 1460 * 4: an MSS multiple, not MTU */
	assert_null(label_of(db, &s, &q, NULL));
	s.win = 16384;			/* % 8192 */
	assert_string_equal(label_of(db, &s, &q, NULL), "ModWin");
	s.win = 16385;
	assert_null(label_of(db, &s, &q, NULL));
	p0f_db_free(db);
}

static void
test_fuzzy(void **state)
{
	struct p0f_db *db = own_db();
	struct shape s = windows_shape();
	unsigned int q, dist;

	(void)state;
	s.df = false;			/* df and id+ gone */
	assert_string_equal(label_of(db, &s, &q, NULL), "FixedWin");
	assert_int_equal(q, P0F_FUZZY);
	s.id = 0;			/* id- came */
	assert_string_equal(label_of(db, &s, &q, NULL), "FixedWin");
	assert_int_equal(q, P0F_FUZZY);
	s = windows_shape();
	s.tos = 2;			/* ecn came */
	assert_string_equal(label_of(db, &s, &q, NULL), "FixedWin");
	assert_int_equal(q, P0F_FUZZY);
	s = windows_shape();
	s.flags |= 0x08;		/* pushf+ came: not forgiven */
	assert_null(label_of(db, &s, &q, NULL));
	s = windows_shape();
	s.frag = 0x8000;		/* 0+ came: not forgiven */
	assert_null(label_of(db, &s, &q, NULL));

	/* TTL: up to 35 hops lost is exact; more, or higher, is fuzzy */
	s = windows_shape();
	s.ttl = 93;
	assert_string_equal(label_of(db, &s, &q, &dist), "FixedWin");
	assert_int_equal(q, 0);
	assert_int_equal(dist, 35);
	s.ttl = 92;
	assert_string_equal(label_of(db, &s, &q, &dist), "FixedWin");
	assert_int_equal(q, P0F_FUZZY);
	assert_int_equal(dist, 36);	/* guessed from 128 */
	s.ttl = 200;
	assert_string_equal(label_of(db, &s, &q, &dist), "FixedWin");
	assert_int_equal(q, P0F_FUZZY);
	assert_int_equal(dist, 55);

	/* a fuzzy generic match says both */
	s = linux_shape();
	s.win = 28000;
	s.df = false;
	assert_string_equal(label_of(db, &s, &q, NULL), "Generic any window");
	assert_int_equal(q, P0F_FUZZY | P0F_GENERIC);
	p0f_db_free(db);
}

/* An exact specific match wins over an earlier generic one. */
static void
test_specific_first(void **state)
{
	struct p0f_db *db = own_db();
	struct shape s = linux_shape();
	unsigned int q;

	(void)state;
	assert_string_equal(label_of(db, &s, &q, NULL), "MssWin");
	assert_int_equal(q, 0);
	s.opts = LINUX_OPTS;
	s.win = 29200;
	s.ttl = 60;
	assert_string_equal(label_of(db, &s, &q, NULL), "MssWin");
	p0f_db_free(db);
}

static void
test_tool_random_ttl(void **state)
{
	static const uint8_t mss_only[] = { 2, 4, 5, 0xb4 };
	struct p0f_db *db = own_db();
	struct shape s = { .ver = 4, .ttl = 50, .id = 7, .seq = 9,
	    .flags = TH_SYN, .win = 1024, .opts = mss_only,
	    .optlen = sizeof(mss_only) };
	unsigned int q, dist;

	(void)state;
	assert_string_equal(label_of(db, &s, &q, &dist), "Tool random ttl");
	assert_int_equal(q, 0);
	assert_int_equal(dist, 14);
	s.ttl = 65;			/* above a random TTL's maximum */
	assert_null(label_of(db, &s, NULL, NULL));
	s.ttl = 50;
	s.tos = 2;			/* fuzzy: never for a tool */
	assert_null(label_of(db, &s, NULL, NULL));
	p0f_db_free(db);
}

static void
test_ip_versions(void **state)
{
	struct p0f_db *db = own_db();
	struct shape s = { .ver = 4, .ttl = 64, .df = true, .id = 3,
	    .seq = 1, .flags = TH_SYN, .win = 65535, .opts = BSD_OPTS,
	    .optlen = sizeof(BSD_OPTS) };
	unsigned int q, dist;

	(void)state;
	assert_string_equal(label_of(db, &s, &q, NULL), "V4only");
	s.ver = 6;
	s.df = false;
	assert_null(label_of(db, &s, NULL, &dist));
	assert_int_equal(dist, 0);	/* guessed: 64 - 64 */

	/* a sig for both versions forgets df/id+ for IPv6, not flow */
	s.opts = MAC_OPTS, s.optlen = sizeof(MAC_OPTS);
	assert_string_equal(label_of(db, &s, &q, NULL), "Eol");
	assert_int_equal(q, 0);
	s.flow = 0xabcde;
	assert_null(label_of(db, &s, NULL, NULL));
	p0f_db_free(db);
}

/* --- Debian's p0f.fp: the labels p0f gives ------------------------------- */

static struct p0f_db *debian;

static int
load_debian(void **state)
{
	const char *path = getenv("P0F_FP");
	struct p0f_error err;
	struct stat st;

	(void)state;
	if (path == NULL)
		path = "/etc/p0f/p0f.fp";
	if (stat(path, &st) != 0) {
		if (getenv("CI") != NULL && strcmp(getenv("CI"), "true") == 0) {
			print_error("%s is missing (scripts/deps test installs "
			    "p0f)\n", path);
			return -1;
		}
		print_message("# SKIP: %s is missing (Debian package p0f)\n",
		    path);
		return 0;
	}
	if (p0f_db_load(path, &debian, &err) != 0) {
		print_error("%s\n", err.text);
		return -1;
	}
	return 0;
}

static int
free_debian(void **state)
{
	(void)state;
	p0f_db_free(debian);
	debian = NULL;
	return 0;
}

static void
expect(const struct shape *s, const char *label, unsigned int quality,
    unsigned int dist)
{
	unsigned int q, d;
	const char *got;

	if (debian == NULL)
		skip();
	got = label_of(debian, s, &q, &d);
	if (got == NULL)
		fail_msg("no label, expected '%s'", label);
	assert_string_equal(got, label);
	assert_int_equal(q, quality);
	assert_int_equal(d, dist);
}

static void
test_debian_linux(void **state)
{
	struct shape s = linux_shape();

	(void)state;
	/* Linux 3.11 to 4.18: 20 MSS, scale 7 */
	expect(&s, "Linux 3.11 and newer", 0, 0);
	s.ttl = 52;
	expect(&s, "Linux 3.11 and newer", 0, 12);
	/* Linux 5 and 6: 64240 (44 MSS), scale 7: p0f's generic label */
	s = linux_shape();
	s.win = 64240;
	expect(&s, "Linux 2.2.x-3.x", P0F_GENERIC, 0);
	/* its IPv6 SYN without a flow label */
	s.ver = 6;
	s.df = false;
	s.ttl = 60;
	expect(&s, "Linux 2.2.x-3.x", P0F_GENERIC, 4);
}

static void
test_debian_windows(void **state)
{
	struct shape s = windows_shape();

	(void)state;
	/* Windows 10 and 11: 64240, scale 8 */
	s.ttl = 116;
	expect(&s, "Windows NT kernel", P0F_GENERIC, 12);
	/* Windows 7 and 8: 8192, scale 8 */
	s.win = 8192;
	expect(&s, "Windows 7 or 8", 0, 12);
}

static void
test_debian_macos(void **state)
{
	struct shape s = { .ver = 4, .ttl = 64, .df = true, .id = 0x9a1b,
	    .seq = 0x7f3e9a01, .flags = TH_SYN, .win = 65535,
	    .opts = MAC_OPTS, .optlen = sizeof(MAC_OPTS) };
	uint8_t ws4[sizeof(MAC_OPTS)];

	(void)state;
	/* recent macOS: scale 6, a label without flavor */
	expect(&s, "Mac OS X", P0F_GENERIC, 0);
	memcpy(ws4, MAC_OPTS, sizeof(ws4));
	ws4[7] = 4;
	s.opts = ws4;
	expect(&s, "MacOS X 10.9 or newer (sometimes iPhone or iPad)", 0, 0);
}

static void
test_debian_freebsd(void **state)
{
	struct shape s = { .ver = 4, .ttl = 61, .df = true, .id = 0x55aa,
	    .seq = 0x11223344, .flags = TH_SYN, .win = 65535,
	    .opts = BSD_OPTS, .optlen = sizeof(BSD_OPTS) };

	(void)state;
	expect(&s, "FreeBSD 9.x or newer", 0, 3);
}

/* A SYN of this host's kernel (tests/vectors/p0f/NAME.hex). */
static struct p0f_syn
vector(const char *name)
{
	char *rel, *path, *hex;
	uint8_t pkt[256];
	size_t n = 0, i, len;
	struct p0f_syn syn;
	const char *why;
	unsigned int b;

	assert_true(asprintf(&rel, "tests/vectors/p0f/%s.hex", name) > 0);
	path = th_srcpath(rel);
	hex = th_slurp(path, &len);
	for (i = 0; i + 1 < len && n < sizeof(pkt); i++) {
		if (hex[i] == '\n')
			continue;
		assert_int_equal(sscanf(hex + i, "%2x", &b), 1);
		pkt[n++] = (uint8_t)b;
		i++;
	}
	assert_int_equal(syn_parse_exact(pkt, n, &syn, &why), 0);
	free(hex);
	free(path);
	free(rel);
	return syn;
}

static void
test_real_linux_syn(void **state)
{
	struct p0f_syn syn = vector("linux-lo4");
	struct p0f_match m;

	(void)state;
	if (debian == NULL)
		skip();
	/* loopback: MSS 65495, the window one MSS, scale 10 */
	assert_int_equal(syn.mss, 65495);
	assert_true(p0f_match(debian, &syn, &m));
	assert_string_equal(m.label->text, "Linux 2.2.x-3.x");
	assert_int_equal(m.quality, P0F_GENERIC);
	assert_int_equal(m.dist, 0);

	/* IPv6: Linux sets a flow label, which no signature in Debian's
	 * file allows for (p0f too gives no label) */
	syn = vector("linux-lo6");
	assert_int_equal(syn.ip_ver, 6);
	assert_true((syn.quirks & P0F_Q_FLOW) != 0);
	assert_false(p0f_match(debian, &syn, &m));
	syn.quirks &= ~(uint32_t)P0F_Q_FLOW;
	assert_true(p0f_match(debian, &syn, &m));
	assert_string_equal(m.label->text, "Linux 2.2.x-3.x");
}

/* --- REQUIRE_OS_REGEX ------------------------------------------------------ */

static void
test_os_regex(void **state)
{
	struct p0f_os_regex r;
	char why[128];

	(void)state;
	assert_int_equal(p0f_os_regex_compile(&r, "linux", why, sizeof(why)), 0);
	assert_true(p0f_os_regex_match(&r, "Linux 3.11 and newer"));
	assert_false(p0f_os_regex_match(&r, "Windows 7 or 8"));
	assert_false(p0f_os_regex_match(&r, NULL));
	p0f_os_regex_free(&r);

	assert_int_equal(p0f_os_regex_compile(&r, "^(WINDOWS|freebsd) [0-9]+",
	    why, sizeof(why)), 0);
	assert_true(p0f_os_regex_match(&r, "Windows 7 or 8"));
	assert_true(p0f_os_regex_match(&r, "FreeBSD 9.x or newer"));
	assert_false(p0f_os_regex_match(&r, "Windows NT kernel"));
	p0f_os_regex_free(&r);

	why[0] = '\0';
	assert_int_equal(p0f_os_regex_compile(&r, "(linux", why, sizeof(why)),
	    SPA_ERR_CONFIG);
	assert_true(why[0] != '\0');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_forms),
		cmocka_unit_test(test_fuzzy),
		cmocka_unit_test(test_specific_first),
		cmocka_unit_test(test_tool_random_ttl),
		cmocka_unit_test(test_ip_versions),
		cmocka_unit_test(test_debian_linux),
		cmocka_unit_test(test_debian_windows),
		cmocka_unit_test(test_debian_macos),
		cmocka_unit_test(test_debian_freebsd),
		cmocka_unit_test(test_real_linux_syn),
		cmocka_unit_test(test_os_regex),
	};

	return cmocka_run_group_tests(tests, load_debian, free_debian);
}
