/*
 * p0f.fp parsing (verifier/p0f_sig.c): every field form of a [tcp:request]
 * signature, the sections skipped, each refusal with its file:line and
 * reason, the caps, the file reader, and Debian's own p0f.fp (package p0f:
 * /etc/p0f/p0f.fp, or $P0F_FP), which must load.
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

#define HEAD	"classes = win,unix,other\n[tcp:request]\n"

static struct p0f_db *
parse_ok(const char *text)
{
	struct p0f_error err;
	struct p0f_db *db = NULL;
	int rc;

	rc = p0f_db_parse(text, strlen(text), "t.fp", &db, &err);
	if (rc != 0)
		print_error("refused: %s\n", err.text);
	assert_int_equal(rc, 0);
	assert_non_null(db);
	return db;
}

/* Refused, with exactly `want` ("t.fp:LINE: reason") as the error. */
static void
refused(const char *text, size_t len, const char *want)
{
	struct p0f_error err;
	struct p0f_db *db = (struct p0f_db *)&err;

	assert_int_equal(p0f_db_parse(text, len, "t.fp", &db, &err),
	    SPA_ERR_CONFIG);
	assert_null(db);
	assert_string_equal(err.text, want);
}

static void
refused_str(const char *text, const char *want)
{
	refused(text, strlen(text), want);
}

/* --- what a signature says ---------------------------------------------- */

static void
test_fields(void **state)
{
	struct p0f_db *db;
	const struct p0f_sig *g;

	(void)state;
	db = parse_ok(HEAD
	    "label = s:unix:Linux:3.11 and newer\n"
	    "sig   = *:64:0:*:mss*20,10:mss,sok,ts,nop,ws:df,id+:0\n"
	    "label = g:win:Windows:\n"
	    "sig = 4:54+10:4:1460:mtu*4,*::ecn,0+:+\n"
	    "; a comment, and a blank line\n"
	    "\n"
	    "label = s:!:Scanner:SYN\n"
	    "sys = @unix, Linux,@WIN\n"
	    "sig = 6:64-:0:265:%8192,0:nop,?30,sack,eol+3:flow,seq-,ack+,"
	    "ack-,uptr+,urgf+,pushf+,ts1-,ts2+,opt+,exws,bad:*\n"
	    "sig = *:128:0:0:0,0:eol+0::0\n");
	assert_int_equal(db->nsigs, 4);
	assert_int_equal(db->nlabels, 3);

	g = &db->sigs[0];
	assert_int_equal(g->line, 4);
	assert_int_equal(g->ip_ver, -1);
	assert_int_equal(g->ttl, 64);
	assert_false(g->bad_ttl);
	assert_int_equal(g->mss, -1);
	assert_int_equal(g->win_type, P0F_WIN_MSS);
	assert_int_equal(g->win, 20);
	assert_int_equal(g->wscale, 10);
	assert_int_equal(g->opt_cnt, 5);
	assert_memory_equal(g->opts, ((uint8_t[]){ 2, 4, 8, 1, 3 }), 5);
	assert_int_equal(g->quirks, P0F_Q_DF | P0F_Q_ID_NZ);
	assert_int_equal(g->pclass, 0);
	assert_string_equal(db->labels[g->label].text, "Linux 3.11 and newer");
	assert_false(db->labels[g->label].generic);
	assert_false(db->labels[g->label].app);

	g = &db->sigs[1];
	assert_int_equal(g->ip_ver, 4);
	assert_int_equal(g->ttl, 64);		/* 54 seen + 10 hops */
	assert_int_equal(g->ip_opt_len, 4);
	assert_int_equal(g->mss, 1460);
	assert_int_equal(g->win_type, P0F_WIN_MTU);
	assert_int_equal(g->win, 4);
	assert_int_equal(g->wscale, -1);
	assert_int_equal(g->opt_cnt, 0);
	assert_int_equal(g->quirks, P0F_Q_ECN | P0F_Q_MBZ);
	assert_int_equal(g->pclass, 1);
	assert_string_equal(db->labels[g->label].text, "Windows");
	assert_true(db->labels[g->label].generic);

	g = &db->sigs[2];
	assert_int_equal(g->ip_ver, 6);
	assert_true(g->bad_ttl);
	assert_int_equal(g->win_type, P0F_WIN_MOD);
	assert_int_equal(g->win, 8192);
	assert_int_equal(g->opt_cnt, 4);
	assert_memory_equal(g->opts, ((uint8_t[]){ 1, 30, 5, 0 }), 4);
	assert_int_equal(g->eol_pad, 3);
	assert_int_equal(g->quirks, P0F_Q_FLOW | P0F_Q_SEQ_ZERO |
	    P0F_Q_ACK_NZ | P0F_Q_ACK_ZERO | P0F_Q_UPTR_NZ | P0F_Q_URG |
	    P0F_Q_PUSH | P0F_Q_TS1_ZERO | P0F_Q_TS2_NZ | P0F_Q_OPT_NZ |
	    P0F_Q_EXWS | P0F_Q_BAD);
	assert_int_equal(g->pclass, -1);
	assert_string_equal(db->labels[g->label].text, "Scanner SYN");
	assert_true(db->labels[g->label].app);

	g = &db->sigs[3];
	assert_int_equal(g->win_type, P0F_WIN_FIXED);
	assert_int_equal(g->win, 0);
	assert_int_equal(g->opt_cnt, 1);
	assert_int_equal(g->eol_pad, 0);
	assert_int_equal(g->label, 2);		/* still the tool's label */
	p0f_db_free(db);
}

static void
test_any_window(void **state)
{
	struct p0f_db *db;

	(void)state;
	db = parse_ok(HEAD "label = s:other:X:\nsig = *:255:0:*:*,*:mss:df:0\n");
	assert_int_equal(db->sigs[0].win_type, P0F_WIN_ANY);
	assert_int_equal(db->sigs[0].ttl, 255);
	p0f_db_free(db);
}

/* CRLF line ends and blanks around everything are not part of values. */
static void
test_blanks_and_crlf(void **state)
{
	struct p0f_db *db;

	(void)state;
	db = parse_ok("classes=unix\r\n  [tcp:request]  \r\n"
	    "\tlabel\t=\ts:unix:Linux:2.6 \r\n"
	    "sig=*:64:0:*:*,*:mss:df:0\r\n");
	assert_string_equal(db->labels[0].text, "Linux 2.6");
	assert_int_equal(db->sigs[0].pclass, 0);
	p0f_db_free(db);
}

/* Lines of the sections we do not read are skipped, not parsed as ours. */
static void
test_other_sections_skipped(void **state)
{
	struct p0f_db *db;

	(void)state;
	db = parse_ok("classes = unix\n"
	    "[mtu]\nlabel = Ethernet or modem\nsig = 1500\n"
	    "[tcp:response]\nlabel = s:unix:Linux:3.x\n"
	    "sig = *:64:0:*:mss*10,0:mss,sok,ts:df:0\n"
	    "[http:request]\nua_os = Linux,Windows\n"
	    "label = s:!:Firefox:2.x\nsys = Windows,@unix\n"
	    "sig = *:Host,User-Agent,Accept=[,*/*;q=]:Accept-Charset:Firefox/\n"
	    "[tcp:request]\nlabel = s:unix:Linux:3.x\n"
	    "sig = *:64:0:*:*,*:mss:df:0\n"
	    "[http:response]\nlabel = s:!:Apache:2.x\n"
	    "sig = 1:Date,Server,?Last-Modified:Keep-Alive:Apache\n");
	assert_int_equal(db->nsigs, 1);
	assert_int_equal(db->nlabels, 1);
	assert_int_equal(db->sigs[0].line, 15);
	p0f_db_free(db);
}

/* --- refusals: one line each, with file:line and why --------------------- */

static void
test_refused_lines(void **state)
{
	static const struct {
		const char	*text;
		const char	*err;
	} cases[] = {
		{ HEAD "[tcp:sideways]\n", "t.fp:3: unknown section [tcp:sideways]" },
		{ HEAD "label s:unix:L:x\n", "t.fp:3: expected key = value" },
		{ "label = s:unix:L:x\n", "t.fp:1: 'label' outside a section" },
		{ HEAD "colour = red\n", "t.fp:3: unknown key 'colour'" },
		{ HEAD "classes = bsd\n", "t.fp:3: classes after the first section" },
		{ "classes = a b\n", "t.fp:1: bad class name 'a b'" },
		{ "classes = a,,b\n", "t.fp:1: bad class name ''" },
		{ "classes = abcdefghijklmnop\n",
		    "t.fp:1: bad class name 'abcdefghijklmnop'" },
		{ HEAD "label = s:unix:Linux\n",
		    "t.fp:3: label needs type:class:name:flavor" },
		{ HEAD "label = x:unix:Linux:\n", "t.fp:3: label type 'x': s or g" },
		{ HEAD "label = s:mac:Linux:\n",
		    "t.fp:3: unknown class 'mac' (not in classes =)" },
		{ HEAD "label = s:unix:Lin$ux:\n", "t.fp:3: bad name 'Lin$ux'" },
		{ HEAD "label = s:unix::3.x\n", "t.fp:3: bad name ''" },
		{ HEAD "label = s:unix:Linux:x\nsys = Linux\n",
		    "t.fp:4: sys only right after a label of class '!'" },
		{ HEAD "label = s:!:Tool:\nsys = @bsd\n",
		    "t.fp:4: unknown class 'bsd' in sys" },
		{ HEAD "label = s:!:Tool:\nsys = Linux,,BSD\n",
		    "t.fp:4: bad sys entry ''" },
		{ HEAD "sig = *:64:0:*:*,*:mss:df:0\n", "t.fp:3: sig before any label" },
		{ HEAD "label = s:!:Tool:\nsig = *:64:0:*:*,*:mss:df:0\n",
		    "t.fp:4: a label of class '!' needs sys = before its sig" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		refused_str(cases[i].text, cases[i].err);
}

/* Each field of a sig, refused: "t.fp:4: <why>". */
static void
test_refused_sig_fields(void **state)
{
	static const struct {
		const char	*sig;
		const char	*err;
	} cases[] = {
		{ "*:64:0:*:*,*:mss:df", "sig needs 8 fields separated by ':'" },
		{ "*:64:0:*:*,*:mss:df:0:0", "sig needs 8 fields separated by ':'" },
		{ "5:64:0:*:*,*:mss:df:0", "IP version '5': 4, 6 or *" },
		{ "*:0:0:*:*,*:mss:df:0", "bad initial TTL (1-255, N+hops or N-)" },
		{ "*:256:0:*:*,*:mss:df:0", "bad initial TTL (1-255, N+hops or N-)" },
		{ "*:x:0:*:*,*:mss:df:0", "bad initial TTL (1-255, N+hops or N-)" },
		{ "*:64+:0:*:*,*:mss:df:0", "bad initial TTL (1-255, N+hops or N-)" },
		{ "*:64+?:0:*:*,*:mss:df:0", "bad initial TTL (1-255, N+hops or N-)" },
		{ "*:250+10:0:*:*,*:mss:df:0", "bad initial TTL (1-255, N+hops or N-)" },
		{ "*:64-1:0:*:*,*:mss:df:0", "bad initial TTL (1-255, N+hops or N-)" },
		{ "*:64:256:*:*,*:mss:df:0", "bad IP options length '256'" },
		{ "*:64:-1:*:*,*:mss:df:0", "bad IP options length '-1'" },
		{ "*:64:0:65536:*,*:mss:df:0", "bad MSS '65536'" },
		{ "*:64:0:*:*:mss:df:0", "window needs wsize,scale" },
		{ "*:64:0:*:1,2,3:mss:df:0", "window needs wsize,scale" },
		{ "*:64:0:*:%1,*:mss:df:0", "bad window size '%1'" },
		{ "*:64:0:*:%,*:mss:df:0", "bad window size '%'" },
		{ "*:64:0:*:mss*0,*:mss:df:0", "bad window size 'mss*0'" },
		{ "*:64:0:*:mtu*1001,*:mss:df:0", "bad window size 'mtu*1001'" },
		{ "*:64:0:*:65536,*:mss:df:0", "bad window size '65536'" },
		{ "*:64:0:*:mss,*:mss:df:0", "bad window size 'mss'" },
		{ "*:64:0:*:*,256:mss:df:0", "bad window scale '256'" },
		{ "*:64:0:*:*,:mss:df:0", "bad window scale ''" },
		{ "*:64:0:*:*,*:mss,foo:df:0", "unknown TCP option 'foo'" },
		{ "*:64:0:*:*,*:mss,:df:0", "unknown TCP option ''" },
		{ "*:64:0:*:*,*:?256:df:0", "unknown TCP option '?256'" },
		{ "*:64:0:*:*,*:eol+x:df:0", "unknown TCP option 'eol+x'" },
		{ "*:64:0:*:*,*:eol+1,mss:df:0", "eol+N must be the last option" },
		{ "*:64:0:*:*,*:nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,"
		  "nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop:df:0",
		    "more than 24 TCP options" },
		{ "*:64:0:*:*,*:mss:df,zz:0", "unknown quirk 'zz'" },
		{ "*:64:0:*:*,*:mss:df,:0", "unknown quirk ''" },
		{ "6:64:0:*:*,*:mss:df:0", "quirk 'df' is not for IPv6" },
		{ "6:64:0:*:*,*:mss:id-:0", "quirk 'id-' is not for IPv6" },
		{ "6:64:0:*:*,*:mss:0+:0", "quirk '0+' is not for IPv6" },
		{ "4:64:0:*:*,*:mss:flow:0", "quirk 'flow' is not for IPv4" },
		{ "*:64:0:*:*,*:mss:df,df,df,df,df,df,df,df,df,df,df,df,df,df,"
		  "df,df,df,df:0", "more quirks than there are" },
		{ "*:64:0:*:*,*:mss:df:1", "payload class '1': 0, + or *" },
		{ "*:64:0:*:*,*:mss:df:", "payload class '': 0, + or *" },
	};
	char text[512], want[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), HEAD "label = s:unix:L:\nsig = %s\n",
		    cases[i].sig);
		snprintf(want, sizeof(want), "t.fp:4: %s", cases[i].err);
		refused_str(text, want);
	}
}

static void
test_refused_bytes(void **state)
{
	static const char nul[] = HEAD "label = s:unix:L:\nsig = *:64:0\0:*\n";
	char *long_line;

	(void)state;
	refused(nul, sizeof(nul) - 1, "t.fp:4: NUL byte");
	/* P0F_MAX_LINE bytes pass, one more is refused */
	long_line = malloc(P0F_MAX_LINE + 64);
	assert_non_null(long_line);
	snprintf(long_line, P0F_MAX_LINE + 64, ";%0*d\n", P0F_MAX_LINE - 1, 0);
	refused_str(long_line, "t.fp: no [tcp:request] signatures");
	snprintf(long_line, P0F_MAX_LINE + 64, ";%0*d\n", P0F_MAX_LINE, 0);
	refused_str(long_line, "t.fp:1: line longer than 1024 bytes");
	free(long_line);
	refused_str("", "t.fp: no [tcp:request] signatures");
	refused_str(HEAD "label = s:unix:L:\n", "t.fp: no [tcp:request] signatures");
}

static void
test_refused_long_label(void **state)
{
	char text[512];

	(void)state;
	/* "N " and a flavor: 95 bytes fit, 96 do not */
	snprintf(text, sizeof(text), HEAD "label = s:unix:N:%0*d\n"
	    "sig = *:64:0:*:*,*:mss:df:0\n", P0F_LABEL_LEN - 3, 0);
	p0f_db_free(parse_ok(text));
	snprintf(text, sizeof(text), HEAD "label = s:unix:N:%0*d\n",
	    P0F_LABEL_LEN - 2, 0);
	refused_str(text, "t.fp:3: label longer than 95 bytes");
}

/* A file of `n` lines made by `line(i)`, after HEAD. */
static char *
repeated(size_t n, const char *first, const char *each)
{
	size_t len = strlen(HEAD) + strlen(first) + n * strlen(each) + 1, i;
	char *text = malloc(len), *p;

	assert_non_null(text);
	p = text + sprintf(text, "%s%s", HEAD, first);
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s", each);
	return text;
}

static void
test_caps(void **state)
{
	char *text, want[64];
	struct p0f_db *db;

	(void)state;
	text = repeated(P0F_MAX_SIGS, "label = s:unix:L:\n",
	    "sig = *:64:0:*:*,*:mss:df:0\n");
	db = parse_ok(text);
	assert_int_equal(db->nsigs, P0F_MAX_SIGS);
	p0f_db_free(db);
	free(text);
	text = repeated(P0F_MAX_SIGS + 1, "label = s:unix:L:\n",
	    "sig = *:64:0:*:*,*:mss:df:0\n");
	snprintf(want, sizeof(want), "t.fp:%d: more than %d signatures",
	    P0F_MAX_SIGS + 4, P0F_MAX_SIGS);
	refused_str(text, want);
	free(text);

	text = repeated(P0F_MAX_LABELS + 1, "", "label = s:unix:L:\n");
	snprintf(want, sizeof(want), "t.fp:%d: more than %d labels",
	    P0F_MAX_LABELS + 3, P0F_MAX_LABELS);
	refused_str(text, want);
	free(text);

	refused_str("classes = a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,"
	    "x,y,z,aa,bb,cc,dd,ee,ff\nclasses = gg\n",
	    "t.fp:2: more than 32 classes");

	/* a sys line of more entries than a line could name */
	text = malloc(strlen(HEAD) + 64 + 600);
	assert_non_null(text);
	sprintf(text, "%slabel = s:!:T:\nsys = %0600d\n", HEAD, 0);
	memset(strstr(text, "sys = ") + 6, ',', 600);
	refused_str(text, "t.fp:4: more than 512 sys entries");
	free(text);
}

/* --- the file ------------------------------------------------------------- */

static void
test_load(void **state)
{
	char *dir, *path, *big, want[512];
	struct p0f_error err;
	struct p0f_db *db;
	FILE *fp;

	(void)state;
	dir = th_mkdtemp();
	path = th_write(dir, "ok.fp", HEAD "label = s:unix:L:x\n"
	    "sig = *:64:0:*:*,*:mss:df:0\n", 0644);
	assert_int_equal(p0f_db_load(path, &db, &err), 0);
	assert_string_equal(db->labels[0].text, "L x");
	p0f_db_free(db);
	free(path);

	path = th_write(dir, "bad.fp", HEAD "label = s:unix:L:x\nsig = 1\n", 0644);
	assert_int_equal(p0f_db_load(path, &db, &err), SPA_ERR_CONFIG);
	snprintf(want, sizeof(want), "%s:4: sig needs 8 fields separated by ':'",
	    path);
	assert_string_equal(err.text, want);
	free(path);

	/* the file-trust rule (trust.h): the file decides who gets in */
	path = th_write(dir, "open.fp", HEAD "label = s:unix:L:x\n"
	    "sig = *:64:0:*:*,*:mss:df:0\n", 0664);
	assert_int_equal(chmod(path, 0664), 0);
	assert_int_equal(p0f_db_load(path, &db, &err), SPA_ERR_CONFIG);
	snprintf(want, sizeof(want), "%s must not be writable by group or "
	    "others", path);
	assert_string_equal(err.text, want);
	assert_null(db);
	free(path);

	assert_int_equal(p0f_db_load(dir, &db, &err), SPA_ERR_CONFIG);
	snprintf(want, sizeof(want), "%s is not a regular file", dir);
	assert_string_equal(err.text, want);

	assert_int_equal(asprintf(&path, "%s/absent.fp", dir) > 0, 1);
	assert_int_equal(p0f_db_load(path, &db, &err), SPA_ERR_CONFIG);
	snprintf(want, sizeof(want), "cannot open %s: No such file or "
	    "directory", path);
	assert_string_equal(err.text, want);
	free(path);

	assert_int_equal(asprintf(&big, "%s/big.fp", dir) > 0, 1);
	assert_non_null(fp = fopen(big, "w"));
	assert_int_equal(fseek(fp, P0F_MAX_FILE, SEEK_SET), 0);
	fputc(';', fp);
	fclose(fp);
	assert_int_equal(p0f_db_load(big, &db, &err), SPA_ERR_CONFIG);
	snprintf(want, sizeof(want), "%s is larger than %d bytes", big,
	    P0F_MAX_FILE);
	assert_string_equal(err.text, want);
	assert_null(db);
	free(big);
	th_rmtree(dir);
	free(dir);
}

/* Debian's p0f.fp loads: every section read or skipped without error. */
static void
test_debian_file(void **state)
{
	const char *path = getenv("P0F_FP");
	struct p0f_error err;
	struct p0f_db *db;
	struct stat st;
	int rc;

	(void)state;
	if (path == NULL)
		path = "/etc/p0f/p0f.fp";
	if (stat(path, &st) != 0) {
		if (getenv("CI") != NULL && strcmp(getenv("CI"), "true") == 0)
			fail_msg("%s is missing (scripts/deps test installs p0f)",
			    path);
		print_message("# SKIP: %s is missing (Debian package p0f)\n",
		    path);
		skip();
	}
	rc = p0f_db_load(path, &db, &err);
	if (rc != 0)
		print_error("%s\n", err.text);
	assert_int_equal(rc, 0);
	assert_in_range(db->nsigs, 50, P0F_MAX_SIGS);
	assert_string_equal(db->labels[db->sigs[0].label].text,
	    "Linux 3.11 and newer");
	p0f_db_free(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_any_window),
		cmocka_unit_test(test_blanks_and_crlf),
		cmocka_unit_test(test_other_sections_skipped),
		cmocka_unit_test(test_refused_lines),
		cmocka_unit_test(test_refused_sig_fields),
		cmocka_unit_test(test_refused_bytes),
		cmocka_unit_test(test_refused_long_label),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_debian_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
