/*
 * Reading an IOS CLI without a device (modules/cisco/ios_parse.c): the prompt
 * of every mode, counted only after the command's echo, through CR/LF
 * mixes, escape sequences and split reads; the first '%' line as the
 * error; `show clock` in the shapes IOS prints it and garbage refused;
 * sequence numbers from an ACL listing; the time-range end; and the
 * entry templates a policy may hold.
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
#include <sys/socket.h>
#include <time.h>

#include "ios_parse.h"

/* --- helpers ------------------------------------------------------------- */

static struct ios_reader rd;

/* A fresh reader fed `n` bytes (NUL bytes included). */
static struct ios_reader *
feed_n(const char *bytes, size_t n)
{
	ios_reader_reset(&rd);
	ios_reader_feed(&rd, bytes, n);
	return &rd;
}

static struct ios_reader *
feed(const char *text)
{
	return feed_n(text, strlen(text));
}

/* A fresh reader fed one byte at a time, as a slow link delivers it. */
static struct ios_reader *
feed_bytewise(const char *text)
{
	ios_reader_reset(&rd);
	for (; *text != '\0'; text++)
		ios_reader_feed(&rd, text, 1);
	return &rd;
}

static void
assert_prompt(const char *text, const char *cmd, enum ios_prompt want)
{
	enum ios_prompt got = ios_reader_prompt(feed(text), cmd);

	if (got != want)
		fail_msg("\"%s\" after \"%s\": prompt %d, want %d", text,
		    cmd != NULL ? cmd : "(secret)", got, want);
	got = ios_reader_prompt(feed_bytewise(text), cmd);
	if (got != want)
		fail_msg("\"%s\" byte by byte: prompt %d, want %d", text, got,
		    want);
}

static void
assert_error(const char *text, const char *want)
{
	assert_string_equal(feed(text)->error, want);
	assert_string_equal(feed_bytewise(text)->error, want);
}

/* `show clock` text read as "YYYY-MM-DD HH:MM:SS" UTC. */
static void
assert_clock(const char *text, const char *want)
{
	time_t t = 0;
	struct tm tm;
	char got[32];

	if (ios_clock_parse(text, &t) != 0)
		fail_msg("clock \"%s\" refused", text);
	assert_non_null(gmtime_r(&t, &tm));
	strftime(got, sizeof(got), "%Y-%m-%d %H:%M:%S", &tm);
	assert_string_equal(got, want);
}

static void
assert_clock_refused(const char *text)
{
	time_t t = 12345;

	if (ios_clock_parse(text, &t) == 0)
		fail_msg("clock \"%s\" accepted", text);
	assert_int_equal(t, 12345);
}

static time_t
utc(int year, int mon, int day, int hh, int mm)
{
	struct tm tm = { .tm_year = year - 1900, .tm_mon = mon - 1,
	    .tm_mday = day, .tm_hour = hh, .tm_min = mm };

	return timegm(&tm);
}

/* Words split on single spaces (two spaces make an empty word). */
static const char *
ace_check(const char *line)
{
	static char buf[1024];
	char *words[64], *p;
	size_t n = 0;

	assert_true(strlen(line) < sizeof(buf));
	strcpy(buf, line);
	for (p = buf; n < 64; p++) {
		words[n++] = p;
		if ((p = strchr(p, ' ')) == NULL)
			break;
		*p = '\0';
	}
	return ios_ace_check(words, n);
}

static void
assert_ace_accepted(const char *line)
{
	const char *why = ace_check(line);

	if (why != NULL)
		fail_msg("\"%s\" refused: %s", line, why);
}

static void
assert_ace_refused(const char *line, const char *why_part)
{
	const char *why = ace_check(line);

	if (why == NULL)
		fail_msg("\"%s\" accepted", line);
	if (strstr(why, why_part) == NULL)
		fail_msg("\"%s\": reason \"%s\" lacks \"%s\"", line, why,
		    why_part);
}

struct seqs {
	uint32_t	 v[16];
	size_t		 n;
};

static void
seq_add(void *arg, uint32_t seq)
{
	struct seqs *s = arg;

	assert_true(s->n < 16);
	s->v[s->n++] = seq;
}

static const char acl_listing[] =
    "show ip access-lists SPA\r\n"
    "Extended IP access list SPA\r\n"
    "    10 permit tcp any host 192.0.2.1 eq 22\r\n"
    "    10010 permit tcp host 198.51.100.7 any eq 443 (12 matches)\r\n"
    "    10020 deny ip any any\r\n"
    "    19999 permit udp any any eq 53\r\n"
    "    20000 permit udp any any\r\n"
    "R#";

/* --- prompts ------------------------------------------------------------- */

static void
user_prompt(void **state)
{
	assert_prompt("\r\nR>", NULL, IOS_PROMPT_USER);
	assert_prompt("\r\nR> ", NULL, IOS_PROMPT_USER);
}

static void
privileged_prompt(void **state)
{
	assert_prompt("\r\nR#", NULL, IOS_PROMPT_PRIV);
	assert_prompt("R# ", NULL, IOS_PROMPT_PRIV);
}

static void
config_prompt(void **state)
{
	assert_prompt("\r\nR(config)#", NULL, IOS_PROMPT_CONFIG);
	assert_prompt("\r\nR(config-if)#", NULL, IOS_PROMPT_CONFIG);
	assert_prompt("\r\nR(config-time-range)# ", NULL, IOS_PROMPT_CONFIG);
}

static void
acl_config_prompt(void **state)
{
	assert_prompt("\r\nR(config-ext-nacl)#", NULL, IOS_PROMPT_CONFIG);
	assert_prompt("\r\nR(config-std-nacl)#", NULL, IOS_PROMPT_CONFIG);
}

static void
hostnames_with_dashes_and_dots(void **state)
{
	assert_prompt("\r\nedge-rtr-01>", NULL, IOS_PROMPT_USER);
	assert_prompt("\r\ncore.site-2.example#", NULL, IOS_PROMPT_PRIV);
	assert_prompt("\r\nbr-1.lab(config-ext-nacl)#", NULL,
	    IOS_PROMPT_CONFIG);
	assert_prompt("\r\nR_9#", NULL, IOS_PROMPT_PRIV);
}

static void
password_prompt(void **state)
{
	assert_prompt("enable\r\nPassword: ", "enable", IOS_PROMPT_PASSWORD);
	assert_prompt("\r\npassword:", NULL, IOS_PROMPT_PASSWORD);
}

static void
confirm_prompt(void **state)
{
	assert_prompt("copy running-config startup-config\r\n"
	    "Destination filename [startup-config]? ",
	    "copy running-config startup-config", IOS_PROMPT_CONFIRM);
}

static void
lines_that_are_not_prompts(void **state)
{
	static const char *const lines[] = { "", "#", ">", "R", "R #",
	    "R(config#", "R()#", "R(Config)#", "R(config)", "R(config)>",
	    "R(config)#x", "R#x", "R>#", "R(config) #", "Building "
	    "configuration...", "[OK]", "R#\r\n", "R#\n\n", "(config)#",
	    "    10 permit tcp any any eq 22#", "R$#", "R!#" };
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		assert_prompt(lines[i], NULL, IOS_PROMPT_NONE);
}

static void
prompt_counts_only_after_the_echo(void **state)
{
	/* the prompt before the echo is the previous command's */
	assert_prompt("R#", "show clock", IOS_PROMPT_NONE);
	assert_prompt("R#show clock", "show clock", IOS_PROMPT_NONE);
	assert_prompt("R#show clock\r\n", "show clock", IOS_PROMPT_NONE);
	assert_prompt("R#show clock\r\n*10:15:32.123 UTC Mon Nov 30 2026\r\n"
	    "R#", "show clock", IOS_PROMPT_PRIV);
	assert_prompt("show clock\r\nR#", "show clock", IOS_PROMPT_PRIV);
}

static void
prompt_needs_the_whole_echo(void **state)
{
	assert_prompt("R#show clo\r\nR#", "show clock", IOS_PROMPT_NONE);
	assert_prompt("R#terminal\r\nR#", "terminal length 0",
	    IOS_PROMPT_NONE);
}

static void
secret_prompt_needs_no_echo(void **state)
{
	/* a secret is not echoed: NULL or "" matches anywhere */
	assert_prompt("\r\nR#", NULL, IOS_PROMPT_PRIV);
	assert_prompt("\r\nR#", "", IOS_PROMPT_PRIV);
	assert_prompt("\r\nPassword: ", NULL, IOS_PROMPT_PASSWORD);
}

static void
partial_prompt_line(void **state)
{
	struct ios_reader *r = feed("permit ip any any\r\nR(config-ext");

	assert_int_equal(ios_reader_prompt(r, "permit ip any any"),
	    IOS_PROMPT_NONE);
	ios_reader_feed(r, "-nacl)", 6);
	assert_int_equal(ios_reader_prompt(r, "permit ip any any"),
	    IOS_PROMPT_NONE);
	ios_reader_feed(r, "#", 1);
	assert_int_equal(ios_reader_prompt(r, "permit ip any any"),
	    IOS_PROMPT_CONFIG);
}

static void
crlf_cr_and_lf_mixes(void **state)
{
	assert_prompt("end\r\r\nR#", "end", IOS_PROMPT_PRIV);
	assert_prompt("end\n\rR#", "end", IOS_PROMPT_PRIV);
	assert_prompt("end\nR#\r", "end", IOS_PROMPT_PRIV);
	assert_prompt("end\r\n\r\n\rR#\r", "end", IOS_PROMPT_PRIV);
	assert_string_equal(feed("a\r\nb\rc\n\r")->text, "a\nbc\n");
}

static void
escape_sequences_and_control_bytes_dropped(void **state)
{
	static const char junk[] = "end\r\n\x1b[K\x1b[2J\x1b[0;1mR\x1b[0m\a"
	    "\x1b" "7#\x00\x1b[?25h";

	assert_int_equal(ios_reader_prompt(feed_n(junk, sizeof(junk) - 1),
	    "end"), IOS_PROMPT_PRIV);
	assert_string_equal(rd.text, "end\nR#");
	assert_string_equal(feed("\tR\x01\x02\x1f#")->text, " R#");
}

static void
escape_split_across_reads(void **state)
{
	struct ios_reader *r = feed("end\r\n\x1b");

	ios_reader_feed(r, "[", 1);
	ios_reader_feed(r, "2", 1);
	ios_reader_feed(r, "JR#", 3);
	assert_string_equal(r->text, "end\nR#");
	assert_int_equal(ios_reader_prompt(r, "end"), IOS_PROMPT_PRIV);
}

static void
backspaces_edit_the_current_line(void **state)
{
	assert_string_equal(feed("R#shw\b\bhow clock")->text, "R#show clock");
	assert_string_equal(feed("R#x\x7f\x7f\x7f\x7fy")->text, "y");
	/* never into the line before */
	assert_string_equal(feed("ab\n\b\bc")->text, "ab\nc");
}

static void
long_output_keeps_the_newest_text(void **state)
{
	char *big = malloc(3 * IOS_TEXT_MAX);
	size_t i;

	assert_non_null(big);
	for (i = 0; i < 3 * IOS_TEXT_MAX - 1; i++)
		big[i] = i % 80 == 79 ? '\n' : 'x';
	ios_reader_reset(&rd);
	ios_reader_feed(&rd, big, 3 * IOS_TEXT_MAX - 1);
	ios_reader_feed(&rd, "\r\nR#", 4);
	assert_true(rd.truncated);
	assert_true(rd.len < IOS_TEXT_MAX);
	assert_int_equal(strlen(rd.text), rd.len);
	assert_int_equal(ios_reader_prompt(&rd, NULL), IOS_PROMPT_PRIV);
	free(big);
}

static void
very_long_line_stays_bounded(void **state)
{
	char *big = malloc(4 * IOS_TEXT_MAX);

	assert_non_null(big);
	memset(big, 'x', 4 * IOS_TEXT_MAX);
	ios_reader_reset(&rd);
	ios_reader_feed(&rd, big, 4 * IOS_TEXT_MAX);
	assert_true(rd.truncated);
	assert_true(rd.line <= rd.len && rd.len < IOS_TEXT_MAX);
	assert_int_equal(ios_reader_prompt(&rd, NULL), IOS_PROMPT_NONE);
	ios_reader_feed(&rd, "\nR(config)#", 11);
	assert_int_equal(ios_reader_prompt(&rd, NULL), IOS_PROMPT_CONFIG);
	free(big);
}

static void
reset_forgets_everything(void **state)
{
	struct ios_reader *r = feed("% Incomplete command.\r\nR#");

	ios_reader_reset(r);
	assert_int_equal(r->len, 0);
	assert_string_equal(r->text, "");
	assert_string_equal(r->error, "");
	assert_false(r->truncated);
	assert_int_equal(ios_reader_prompt(r, NULL), IOS_PROMPT_NONE);
}

/* --- '%' lines ------------------------------------------------------------ */

static void
invalid_input_after_its_caret_line(void **state)
{
	const char *out = "R(config-ext-nacl)#10010 permit tcp any any eq 99999"
	    "\r\n                                             ^\r\n"
	    "% Invalid input detected at '^' marker.\r\n\r\n"
	    "R(config-ext-nacl)#";

	assert_error(out, "% Invalid input detected at '^' marker.");
	assert_int_equal(ios_reader_prompt(&rd,
	    "10010 permit tcp any any eq 99999"), IOS_PROMPT_CONFIG);
}

static void
duplicate_sequence_number(void **state)
{
	assert_error("R(config-ext-nacl)#10010 permit ip any any\r\n"
	    "% Duplicate sequence number\r\nR(config-ext-nacl)#",
	    "% Duplicate sequence number");
}

static void
incomplete_command(void **state)
{
	assert_error("R(config)#ip access-list extended\r\n"
	    "% Incomplete command.\r\n\r\nR(config)#", "% Incomplete command.");
}

static void
ambiguous_command(void **state)
{
	assert_error("R#sh\r\n% Ambiguous command:  \"sh\"\r\nR#",
	    "% Ambiguous command:  \"sh\"");
}

static void
first_percent_line_wins(void **state)
{
	assert_error("% Duplicate sequence number\r\n"
	    "% Incomplete command.\r\n", "% Duplicate sequence number");
}

static void
percent_line_counts_once_complete(void **state)
{
	struct ios_reader *r = feed("R#x\r\n% Invalid input");

	assert_string_equal(r->error, "");
	ios_reader_feed(r, " detected at '^' marker.\r", 25);
	assert_string_equal(r->error, "");
	ios_reader_feed(r, "\n", 1);
	assert_string_equal(r->error,
	    "% Invalid input detected at '^' marker.");
}

static void
percent_inside_a_line_is_no_error(void **state)
{
	assert_error("Copying 100% done\r\n  % indented\r\nR#% x\r\nR#", "");
}

static void
percent_line_cleaned_of_escapes(void **state)
{
	assert_error("\x1b[1m% Invalid\tinput\x1b[0m\a\r\n",
	    "% Invalid input");
}

static void
long_percent_line_cut_to_its_buffer(void **state)
{
	char line[4 * IOS_LINE_MAX];

	memset(line, '%', sizeof(line) - 2);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	feed(line);
	assert_int_equal(strlen(rd.error), IOS_LINE_MAX - 1);
	assert_int_equal(strspn(rd.error, "%"), IOS_LINE_MAX - 1);
}

/* --- show clock ---------------------------------------------------------- */

static void
clock_not_synchronised(void **state)
{
	assert_clock("*10:15:32.123 UTC Mon Nov 30 2026",
	    "2026-11-30 10:15:32");
}

static void
clock_synchronised_then_lost(void **state)
{
	assert_clock(".10:15:32.123 UTC Mon Nov 30 2026",
	    "2026-11-30 10:15:32");
}

static void
clock_synchronised(void **state)
{
	assert_clock("10:15:32.123 UTC Mon Nov 30 2026", "2026-11-30 10:15:32");
	assert_clock("09:05:07.001 UTC Mon Mar 4 2024", "2024-03-04 09:05:07");
}

static void
clock_zone_name_is_the_devices(void **state)
{
	/* the device's local time, as its time-ranges read it */
	assert_clock("*23:59:59.999 CET Tue Dec 31 2024", "2024-12-31 23:59:59");
	assert_clock("00:00:00.000 PST Fri Jan 1 2027", "2027-01-01 00:00:00");
	assert_clock("12:00:00.000 GMT+1 Wed Jun 17 2026",
	    "2026-06-17 12:00:00");
}

static void
clock_in_session_output(void **state)
{
	time_t t;

	feed("show clock\r\n*10:15:32.123 UTC Mon Nov 30 2026\r\nR#");
	assert_int_equal(ios_clock_parse(rd.text, &t), 0);
	assert_int_equal(t, utc(2026, 11, 30, 10, 15) + 32);
}

static void
clock_leap_day(void **state)
{
	assert_clock("08:00:00.000 UTC Tue Feb 29 2028", "2028-02-29 08:00:00");
	assert_clock_refused("08:00:00.000 UTC Mon Feb 29 2027");
	assert_clock_refused("08:00:00.000 UTC Mon Feb 29 2100");
}

static void
clock_garbage_refused(void **state)
{
	static const char *const bad[] = {
		"", "show clock", "R#",
		"10:15:32 UTC Mon Nov 30 2026",		/* no milliseconds */
		"24:00:00.000 UTC Mon Nov 30 2026",
		"10:60:00.000 UTC Mon Nov 30 2026",
		"10:15:61.000 UTC Mon Nov 30 2026",
		"10:5:32.123 UTC Mon Nov 30 2026",
		"10:-5:32.123 UTC Mon Nov 30 2026",
		"10: 15:+32.123 UTC Mon Nov 30 2026",
		"4294967295:00:00.000 UTC Mon Nov 30 2026",
		"99999999999:00:00.000 UTC Mon Nov 30 2026",
		"10:15:32.123 Mon Nov 30 2026",		/* no zone */
		"10:15:32.123 UTC Xyz Nov 30 2026",
		"10:15:32.123 UTC Mon Foo 30 2026",
		"10:15:32.123 UTC Mon November 30 2026",
		"10:15:32.123 UTC Mon Nov 0 2026",
		"10:15:32.123 UTC Mon Nov 31 2026",
		"10:15:32.123 UTC Mon Nov 30 1992",
		"10:15:32.123 UTC Mon Nov 30 2101",
		"10:15:32.123 UTC Mon Nov 30 20266",
		"10:15:32.123 UTC Mon Nov 30 2026x",
		"10:15:32.123 UTC Mon Nov 30",
		"10:15:32.123 UTC-but-a-very-long-zone Mon Nov 30 2026",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_clock_refused(bad[i]);
}

static void
clock_first_valid_time_wins(void **state)
{
	assert_clock("% Invalid 99:99:99.9 noise\n"
	    "*10:15:32.123 UTC Mon Nov 30 2026\n"
	    "*11:00:00.000 UTC Mon Nov 30 2026\n", "2026-11-30 10:15:32");
}

/* --- ACL listings -------------------------------------------------------- */

static void
acl_seqs_in_range(void **state)
{
	struct seqs s = { .n = 0 };

	assert_int_equal(ios_acl_seqs(acl_listing, 10000, 19999, seq_add, &s),
	    3);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.v[0], 10010);
	assert_int_equal(s.v[1], 10020);
	assert_int_equal(s.v[2], 19999);
}

static void
acl_seqs_whole_range(void **state)
{
	struct seqs s = { .n = 0 };

	assert_int_equal(ios_acl_seqs(acl_listing, 1, 2147483647, seq_add, &s),
	    5);
	assert_int_equal(s.v[0], 10);
	assert_int_equal(s.v[4], 20000);
}

static void
acl_seqs_skip_other_lines(void **state)
{
	struct seqs s = { .n = 0 };

	assert_int_equal(ios_acl_seqs(
	    "10 permit ip any any\n"			/* not indented */
	    "    10\n"					/* nothing after */
	    "    x10 permit ip any any\n"
	    "    -10 permit ip any any\n"
	    "    10permit ip any any\n"
	    "    99999999999999999999999 permit ip any any\n"
	    "    4294967306 permit ip any any\n"	/* 2^32 + 10 */
	    "Extended IP access list 10\n"
	    "    10", 1, 2147483647, seq_add, &s), 0);
	assert_int_equal(s.n, 0);
}

static void
acl_seqs_empty_listing(void **state)
{
	struct seqs s = { .n = 0 };

	assert_int_equal(ios_acl_seqs("", 1, 10, seq_add, &s), 0);
	assert_int_equal(ios_acl_seqs("R#", 1, 10, seq_add, &s), 0);
}

/* --- time-range end ------------------------------------------------------ */

static void
absolute_end_in_utc(void **state)
{
	char buf[64];

	assert_int_equal(ios_absolute_end(utc(2026, 11, 30, 10, 15) + 59, 0,
	    buf, sizeof(buf)), 0);
	assert_string_equal(buf, "absolute end 10:15 30 November 2026");
}

static void
absolute_end_in_device_time(void **state)
{
	char buf[64];

	assert_int_equal(ios_absolute_end(utc(2027, 1, 1, 0, 30), -3600, buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "absolute end 23:30 31 December 2026");
	assert_int_equal(ios_absolute_end(utc(2026, 2, 28, 23, 0), 7200, buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "absolute end 01:00 1 March 2026");
}

static void
absolute_end_refuses_small_buffer(void **state)
{
	char buf[20];

	assert_int_equal(ios_absolute_end(utc(2026, 11, 30, 10, 15), 0, buf,
	    sizeof(buf)), -1);
}

static void
absolute_end_refuses_overflow(void **state)
{
	char buf[64];
	time_t max = (time_t)INT64_MAX;

	assert_int_equal(ios_absolute_end(max, 1, buf, sizeof(buf)), -1);
	assert_int_equal(ios_absolute_end(max, 0, buf, sizeof(buf)), -1);
}

/* IOS takes absolute dates up to 31 December 2035: later ends are capped. */
static void
absolute_end_capped_at_2035(void **state)
{
	char buf[64];

	assert_int_equal(ios_absolute_end(utc(2035, 12, 31, 23, 59) + 59, 0,
	    buf, sizeof(buf)), 0);
	assert_string_equal(buf, "absolute end 23:59 31 December 2035");
	assert_int_equal(ios_absolute_end(utc(2036, 1, 1, 0, 0), 0, buf,
	    sizeof(buf)), IOS_END_CAPPED);
	assert_string_equal(buf, "absolute end 23:59 31 December 2035");
	assert_int_equal(ios_absolute_end(utc(2035, 12, 31, 23, 30), 3600, buf,
	    sizeof(buf)), IOS_END_CAPPED);
	assert_string_equal(buf, "absolute end 23:59 31 December 2035");
	assert_int_equal(ios_absolute_end(utc(2091, 6, 1, 12, 0), 0, buf,
	    sizeof(buf)), IOS_END_CAPPED);
	assert_string_equal(buf, "absolute end 23:59 31 December 2035");
}

/* --- entry templates ----------------------------------------------------- */

static void
ace_accepted_shapes(void **state)
{
	assert_ace_accepted("permit tcp host 198.51.100.7 any eq 22");
	assert_ace_accepted("deny ip any any");
	assert_ace_accepted("permit udp 10.0.0.0 0.0.0.255 host 192.0.2.1 "
	    "eq 53");
	assert_ace_accepted("permit tcp any any eq 443 log");
	assert_ace_accepted("permit icmp any host 192.0.2.1 echo");
	assert_ace_accepted("permit tcp any any range 1000 2000 established");
}

static void
ace_needs_four_words(void **state)
{
	assert_ace_refused("permit", "at least");
	assert_ace_refused("permit tcp any", "at least");
}

static void
ace_starts_with_permit_or_deny(void **state)
{
	assert_ace_refused("10 permit tcp any any", "permit or deny");
	assert_ace_refused("Permit tcp any any", "permit or deny");
	assert_ace_refused("remark opened by spagate", "permit or deny");
	assert_ace_refused("no 10 permit ip any any", "permit or deny");
}

static void
ace_leaves_sequence_time_range_and_remark_to_the_module(void **state)
{
	assert_ace_refused("permit tcp any any time-range spa",
	    "module's to add");
	assert_ace_refused("permit tcp any any sequence 10", "module's to add");
	assert_ace_refused("permit tcp any any remark x", "module's to add");
}

/* Family of a line split as ace_check() splits it. */
static int
ace_family(const char *line)
{
	static char buf[1024];
	char *words[64], *p;
	size_t n = 0;

	strcpy(buf, line);
	for (p = buf; n < 64; p++) {
		words[n++] = p;
		if ((p = strchr(p, ' ')) == NULL)
			break;
		*p = '\0';
	}
	return ios_ace_family(words, n);
}

/* IOS IPv6 entries: "host X:X::X" or "X:X::X/len", no wildcard masks. */
static void
ace_ipv6_shapes_accepted(void **state)
{
	assert_ace_accepted("permit tcp host 2001:db8::5 any eq 22");
	assert_ace_accepted("permit tcp host 2001:DB8::5 host fd00::1 eq 22");
	assert_ace_accepted("deny ipv6 2001:db8::/32 any");
	assert_ace_accepted("permit udp any 2001:db8:0:1::/64 eq 53 log");
	assert_ace_accepted("permit tcp ::/0 host ::1 eq 22");
	assert_ace_accepted("permit tcp host 2001:db8::5 any range 1000 2000");
	assert_ace_accepted("permit tcp 2001:db8::5/128 any eq 443");
}

static void
ace_ipv6_shapes_refused(void **state)
{
	/* an address alone is IPv4's "address wildcard" form */
	assert_ace_refused("permit tcp 2001:db8::1 any eq 22", "wildcard");
	assert_ace_refused("permit tcp 2001:db8:: ::ffff any eq 22",
	    "wildcard");
	assert_ace_refused("permit tcp host 2001:db8::/32 any", "no \"host\"");
	assert_ace_refused("permit tcp 2001:db8::/129 any", "not an IPv6");
	assert_ace_refused("permit tcp 2001:db8::/ any", "not an IPv6");
	assert_ace_refused("permit tcp 2001:db8::/1a any", "not an IPv6");
	assert_ace_refused("permit tcp 2001:db8::/0128 any", "not an IPv6");
	assert_ace_refused("permit tcp host 2001:db8:::1 any", "not an IPv6");
	assert_ace_refused("permit tcp host 2001:db8::g any", "not an IPv6");
	assert_ace_refused("permit tcp host : any", "not an IPv6");
	assert_ace_refused("permit tcp any any eq 22:23", "not an IPv6");
	assert_ace_refused("permit tcp host fe80::1%eth0 any",
	    "character other than");
	assert_ace_refused("permit tcp host [2001:db8::1] any",
	    "character other than");
}

/* One entry, one list: IPv4 and IPv6 addresses never mix. */
static void
ace_families_do_not_mix(void **state)
{
	assert_ace_refused("permit tcp host 2001:db8::5 host 192.0.2.1 eq 22",
	    "mixes IPv4 and IPv6");
	assert_ace_refused("permit tcp 10.0.0.0 0.0.0.255 host ::1 eq 22",
	    "mixes IPv4 and IPv6");
	assert_ace_refused("permit tcp host ::ffff:10.0.0.1 host 10.0.0.2",
	    "mixes IPv4 and IPv6");
}

static void
ace_family_follows_the_addresses(void **state)
{
	assert_int_equal(ace_family("permit tcp host 2001:db8::5 any eq 22"),
	    AF_INET6);
	assert_int_equal(ace_family("permit tcp any 2001:db8::/32 eq 22"),
	    AF_INET6);
	assert_int_equal(ace_family("permit tcp host 192.0.2.1 any eq 22"),
	    AF_INET);
	/* no address at all: the extended IPv4 list, as before IPv6 */
	assert_int_equal(ace_family("permit tcp any any eq 22"), AF_INET);
}

static void
ace_unsafe_characters_refused(void **state)
{
	static const char *const bad[] = {
		"permit tcp any any eq 22\nend",
		"permit tcp any any eq 22\rend",
		"permit tcp any any;reload",
		"permit tcp any any|x",
		"permit tcp any any eq $PORT",
		"permit tcp any any eq 'x'",
		"permit tcp any any eq \"x\"",
		"permit tcp any any eq 22\x1b",
		"permit tcp any any eq 22\t",
		"permit tcp any any eq 2*",
		"permit tcp any any eq 2?",
		"permit tcp any any eq 22\xc3\xa9",
		"permit  tcp any any",		/* an empty word */
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_ace_refused(bad[i], "character other than");
}

static void
ace_word_too_long_refused(void **state)
{
	char line[128];

	snprintf(line, sizeof(line), "permit tcp any any %.*s", 63,
	    "0123456789012345678901234567890123456789012345678901234567890123");
	assert_ace_accepted(line);
	snprintf(line, sizeof(line), "permit tcp any any %.*s", 64,
	    "0123456789012345678901234567890123456789012345678901234567890123");
	assert_ace_refused(line, "too long");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(user_prompt),
		cmocka_unit_test(privileged_prompt),
		cmocka_unit_test(config_prompt),
		cmocka_unit_test(acl_config_prompt),
		cmocka_unit_test(hostnames_with_dashes_and_dots),
		cmocka_unit_test(password_prompt),
		cmocka_unit_test(confirm_prompt),
		cmocka_unit_test(lines_that_are_not_prompts),
		cmocka_unit_test(prompt_counts_only_after_the_echo),
		cmocka_unit_test(prompt_needs_the_whole_echo),
		cmocka_unit_test(secret_prompt_needs_no_echo),
		cmocka_unit_test(partial_prompt_line),
		cmocka_unit_test(crlf_cr_and_lf_mixes),
		cmocka_unit_test(escape_sequences_and_control_bytes_dropped),
		cmocka_unit_test(escape_split_across_reads),
		cmocka_unit_test(backspaces_edit_the_current_line),
		cmocka_unit_test(long_output_keeps_the_newest_text),
		cmocka_unit_test(very_long_line_stays_bounded),
		cmocka_unit_test(reset_forgets_everything),
		cmocka_unit_test(invalid_input_after_its_caret_line),
		cmocka_unit_test(duplicate_sequence_number),
		cmocka_unit_test(incomplete_command),
		cmocka_unit_test(ambiguous_command),
		cmocka_unit_test(first_percent_line_wins),
		cmocka_unit_test(percent_line_counts_once_complete),
		cmocka_unit_test(percent_inside_a_line_is_no_error),
		cmocka_unit_test(percent_line_cleaned_of_escapes),
		cmocka_unit_test(long_percent_line_cut_to_its_buffer),
		cmocka_unit_test(clock_not_synchronised),
		cmocka_unit_test(clock_synchronised_then_lost),
		cmocka_unit_test(clock_synchronised),
		cmocka_unit_test(clock_zone_name_is_the_devices),
		cmocka_unit_test(clock_in_session_output),
		cmocka_unit_test(clock_leap_day),
		cmocka_unit_test(clock_garbage_refused),
		cmocka_unit_test(clock_first_valid_time_wins),
		cmocka_unit_test(acl_seqs_in_range),
		cmocka_unit_test(acl_seqs_whole_range),
		cmocka_unit_test(acl_seqs_skip_other_lines),
		cmocka_unit_test(acl_seqs_empty_listing),
		cmocka_unit_test(absolute_end_in_utc),
		cmocka_unit_test(absolute_end_in_device_time),
		cmocka_unit_test(absolute_end_refuses_small_buffer),
		cmocka_unit_test(absolute_end_refuses_overflow),
		cmocka_unit_test(absolute_end_capped_at_2035),
		cmocka_unit_test(ace_accepted_shapes),
		cmocka_unit_test(ace_needs_four_words),
		cmocka_unit_test(ace_starts_with_permit_or_deny),
		cmocka_unit_test(ace_leaves_sequence_time_range_and_remark_to_the_module),
		cmocka_unit_test(ace_ipv6_shapes_accepted),
		cmocka_unit_test(ace_ipv6_shapes_refused),
		cmocka_unit_test(ace_families_do_not_mix),
		cmocka_unit_test(ace_family_follows_the_addresses),
		cmocka_unit_test(ace_unsafe_characters_refused),
		cmocka_unit_test(ace_word_too_long_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
