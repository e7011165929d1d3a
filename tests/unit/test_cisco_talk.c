/*
 * The conversation with an IOS CLI (modules/cisco/cisco_talk.c), fed the
 * device's text through a reader as ios_session.c does: the login says
 * enable and its secret at a '>' prompt, then terminal length 0,
 * terminal width 512 and show clock, and learns the device's clock from
 * each form IOS prints (not synchronised '*', synchronisation lost '.',
 * any zone); a refusal at login gives the session up with the reason; a
 * script goes line by line, reporting each accepted line, and a line
 * refused in a configuration mode is followed by `end` before the
 * script is over (never at an exec prompt); a pager's --More-- is
 * answered with a space, in the login and in a script.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cisco_talk.h"

static struct ios_reader rd;
static struct talk_out out;
/* 10:15:32 30 November 2026 UTC */
#define CLOCK_EPOCH	1796033732

/* The device's text after a command: its prompt is the next answer. */
static enum talk_do
answer(struct cisco_talk *t, const char *text, enum ios_prompt want_p)
{
	enum ios_prompt p;

	ios_reader_reset(&rd);
	ios_reader_feed(&rd, text, strlen(text));
	p = ios_reader_prompt(&rd, NULL);
	assert_int_equal(p, want_p);
	return cisco_talk_answer(t, p, &rd, CLOCK_EPOCH, &out);
}

static void
feed(const char *text)
{
	ios_reader_feed(&rd, text, strlen(text));
}

static void
assert_says(enum talk_do d, const char *line)
{
	assert_int_equal(d, TALK_SAY);
	assert_string_equal(out.say, line);
}

/* From the first privileged prompt to idle; the clock's text last. */
static void
login_from_priv(struct cisco_talk *t, const char *clock)
{
	assert_says(answer(t, "\r\nEDGE1#", IOS_PROMPT_PRIV),
	    "terminal length 0");
	assert_says(answer(t, "terminal length 0\r\nEDGE1#", IOS_PROMPT_PRIV),
	    "terminal width " CISCO_TERM_WIDTH);
	assert_says(answer(t, "terminal width 512\r\nEDGE1#", IOS_PROMPT_PRIV),
	    "show clock");
	assert_int_equal(answer(t, clock, IOS_PROMPT_PRIV), TALK_READY);
	assert_int_equal(t->phase, TALK_IDLE);
}

/* --- login --------------------------------------------------------------- */

static void
login_sets_the_terminal_then_reads_the_clock(void **state)
{
	struct cisco_talk t;

	(void)state;
	cisco_talk_login(&t, false);
	login_from_priv(&t, "show clock\r\n10:15:32.123 UTC Mon Nov 30 2026"
	    "\r\nEDGE1#");
	assert_int_equal(t.clock_offset, 0);
	/* idle: nothing is said, whatever comes */
	assert_int_equal(answer(&t, "\r\nEDGE1#", IOS_PROMPT_PRIV), TALK_WAIT);
}

static void
login_enables_at_a_user_prompt(void **state)
{
	struct cisco_talk t;

	(void)state;
	cisco_talk_login(&t, true);
	assert_says(answer(&t, "\r\nEDGE1>", IOS_PROMPT_USER), "enable");
	assert_int_equal(answer(&t, "enable\r\nPassword: ",
	    IOS_PROMPT_PASSWORD), TALK_SECRET);
	assert_says(answer(&t, "\r\nEDGE1#", IOS_PROMPT_PRIV),
	    "terminal length 0");
}

static void
login_refusals_give_up(void **state)
{
	struct cisco_talk t;

	(void)state;
	cisco_talk_login(&t, false);
	assert_int_equal(answer(&t, "\r\nEDGE1>", IOS_PROMPT_USER), TALK_FAIL);
	assert_string_equal(t.why, "user exec prompt ('>') and no "
	    "enable_secret_file to enable with");
	cisco_talk_login(&t, true);
	answer(&t, "\r\nEDGE1>", IOS_PROMPT_USER);
	answer(&t, "enable\r\nPassword: ", IOS_PROMPT_PASSWORD);
	assert_int_equal(answer(&t, "\r\n% Bad secrets\r\n\r\nEDGE1>",
	    IOS_PROMPT_USER), TALK_FAIL);
	assert_string_equal(t.why, "enable refused: % Bad secrets");
	cisco_talk_login(&t, true);
	answer(&t, "\r\nEDGE1>", IOS_PROMPT_USER);
	answer(&t, "enable\r\nPassword: ", IOS_PROMPT_PASSWORD);
	assert_int_equal(answer(&t, "\r\nPassword: ", IOS_PROMPT_PASSWORD),
	    TALK_FAIL);
	assert_string_equal(t.why, "enable refused (secret asked again)");
	/* enable that needs no secret, then a '>' again: not privileged */
	cisco_talk_login(&t, true);
	answer(&t, "\r\nEDGE1>", IOS_PROMPT_USER);
	assert_int_equal(answer(&t, "enable\r\n% No password set\r\nEDGE1>",
	    IOS_PROMPT_USER), TALK_FAIL);
	assert_string_equal(t.why, "unexpected answer at login: "
	    "% No password set");
	cisco_talk_login(&t, false);
	assert_int_equal(answer(&t, "Destination filename [x]? ",
	    IOS_PROMPT_CONFIRM), TALK_FAIL);
	assert_string_equal(t.why, "unexpected answer at login: not a "
	    "privileged prompt");
}

/* Each form of `show clock`: the offset is what the device shows. */
static void
login_learns_each_clock_form(void **state)
{
	static const struct {
		const char	*line;
		long		 offset;
	} forms[] = {
		{ "10:15:32.123 UTC Mon Nov 30 2026", 0 },
		/* not synchronised (never set, or no NTP) */
		{ "*13:32:32.999 UTC Mon Nov 30 2026", 11820 },
		/* synchronised once, lost since */
		{ ".10:14:32.001 UTC Mon Nov 30 2026", -60 },
		/* a time zone: the device shows, and keeps, local time */
		{ "11:15:32.123 CET Mon Nov 30 2026", 3600 },
		{ "*02:15:32.000 PST Mon Nov 30 2026", -28800 },
		{ ".13:45:32.500 IST Mon Nov 30 2026", 12600 },
		/* unreadable: none learnt, the login still ends */
		{ "Time source is NTP", 0 },
	};
	char text[256];
	struct cisco_talk t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		cisco_talk_login(&t, false);
		snprintf(text, sizeof(text), "show clock\r\n%s\r\nEDGE1#",
		    forms[i].line);
		login_from_priv(&t, text);
		if (t.clock_offset != forms[i].offset)
			fail_msg("\"%s\": offset %ld, want %ld", forms[i].line,
			    t.clock_offset, forms[i].offset);
	}
}

/* --- scripts ------------------------------------------------------------- */

static void
script_goes_line_by_line(void **state)
{
	struct cisco_talk t;

	(void)state;
	cisco_talk_login(&t, false);
	login_from_priv(&t, "show clock\r\nEDGE1#");
	cisco_talk_script(&t, 3);
	assert_int_equal(answer(&t, "configure terminal\r\nEnter configuration "
	    "commands, one per line.  End with CNTL/Z.\r\nEDGE1(config)#",
	    IOS_PROMPT_CONFIG), TALK_LINE);
	assert_int_equal(out.line, 1);
	assert_int_equal(out.answered, 0);
	assert_int_equal(answer(&t, "\r\nEDGE1(config-ext-nacl)#",
	    IOS_PROMPT_CONFIG), TALK_LINE);
	assert_int_equal(out.line, 2);
	assert_int_equal(out.answered, 1);
	assert_int_equal(answer(&t, "end\r\nEDGE1#", IOS_PROMPT_PRIV),
	    TALK_DONE);
	assert_int_equal(out.answered, 2);
	assert_int_equal(t.failed, -1);
	assert_int_equal(t.phase, TALK_IDLE);
}

/* Refused in a configuration mode: `end`, then the script is over. */
static void
refused_in_config_mode_ends_it(void **state)
{
	struct cisco_talk t;

	(void)state;
	cisco_talk_login(&t, false);
	login_from_priv(&t, "show clock\r\nEDGE1#");
	cisco_talk_script(&t, 4);
	answer(&t, "\r\nEDGE1(config)#", IOS_PROMPT_CONFIG);
	answer(&t, "\r\nEDGE1(config-ext-nacl)#", IOS_PROMPT_CONFIG);
	assert_says(answer(&t, "10000 permit tcp host 192.0.2.7 any eq 23\r\n"
	    "% Error: test refusal\r\nEDGE1(config-ext-nacl)#",
	    IOS_PROMPT_CONFIG), "end");
	assert_int_equal(out.answered, -1);
	assert_int_equal(t.phase, TALK_RECOVER);
	assert_int_equal(t.failed, 2);
	assert_int_equal(answer(&t, "end\r\nEDGE1#", IOS_PROMPT_PRIV),
	    TALK_DONE);
	assert_int_equal(t.failed, 2);
	assert_string_equal(t.why, "% Error: test refusal");
	assert_int_equal(t.phase, TALK_IDLE);
	/* the next script starts afresh */
	cisco_talk_script(&t, 1);
	assert_int_equal(answer(&t, "\r\nEDGE1#", IOS_PROMPT_PRIV), TALK_DONE);
	assert_int_equal(t.failed, -1);
}

/* At an exec prompt there is no mode to leave: over at once. */
static void
refused_at_exec_prompt_is_over(void **state)
{
	struct cisco_talk t;

	(void)state;
	cisco_talk_login(&t, false);
	login_from_priv(&t, "show clock\r\nEDGE1#");
	cisco_talk_script(&t, 2);
	assert_int_equal(answer(&t, "show ip access-lists X | include (\r\n"
	    "% Invalid input detected at '^' marker.\r\n\r\nEDGE1#",
	    IOS_PROMPT_PRIV), TALK_DONE);
	assert_int_equal(t.failed, 0);
	assert_string_equal(t.why, "% Invalid input detected at '^' marker.");
}

/* --- the pager ----------------------------------------------------------- */

static void
pager_gets_a_space(void **state)
{
	struct cisco_talk t;

	(void)state;
	cisco_talk_login(&t, false);
	assert_says(answer(&t, "\r\nEDGE1#", IOS_PROMPT_PRIV),
	    "terminal length 0");
	/* a device that paged anyway (terminal length refused) */
	assert_int_equal(answer(&t, "terminal length 0\r\n line 1\r\n"
	    " --More-- ", IOS_PROMPT_MORE), TALK_SPACE);
	assert_says(answer(&t, "\r\nEDGE1#", IOS_PROMPT_PRIV),
	    "terminal width " CISCO_TERM_WIDTH);
	cisco_talk_login(&t, false);
	login_from_priv(&t, "show clock\r\nEDGE1#");
	cisco_talk_script(&t, 2);
	assert_int_equal(answer(&t, "show ip access-lists SPA-IN\r\n"
	    "    10 permit ip any any\r\n --More-- ", IOS_PROMPT_MORE),
	    TALK_SPACE);
	assert_int_equal(out.answered, -1);
	assert_int_equal(t.next, 1);
	assert_int_equal(answer(&t, "    11 permit ip any any\r\nEDGE1#",
	    IOS_PROMPT_PRIV), TALK_LINE);
	assert_int_equal(out.line, 1);
}

/* The marker leaves the text once answered, whatever IOS sends after. */
static void
pager_marker_is_cut(void **state)
{
	static const char page2[] = "\b\b\b\b\b\b\b\b\b\b          "
	    "\b\b\b\b\b\b\b\b\b\b    11 permit ip any any\r\nEDGE1#";

	(void)state;
	ios_reader_reset(&rd);
	feed("show x\r\n    10 permit ip any any\r\n --More-- ");
	assert_int_equal(ios_reader_prompt(&rd, "show x"), IOS_PROMPT_MORE);
	ios_reader_cut_line(&rd);
	feed(page2);
	assert_string_equal(rd.text, "show x\n    10 permit ip any any\n"
	    "    11 permit ip any any\nEDGE1#");
	assert_int_equal(ios_reader_prompt(&rd, "show x"), IOS_PROMPT_PRIV);
	/* "--More--" inside a line is text */
	ios_reader_reset(&rd);
	feed("x\r\nremark --More-- here");
	assert_int_equal(ios_reader_prompt(&rd, NULL), IOS_PROMPT_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(login_sets_the_terminal_then_reads_the_clock),
		cmocka_unit_test(login_enables_at_a_user_prompt),
		cmocka_unit_test(login_refusals_give_up),
		cmocka_unit_test(login_learns_each_clock_form),
		cmocka_unit_test(script_goes_line_by_line),
		cmocka_unit_test(refused_in_config_mode_ends_it),
		cmocka_unit_test(refused_at_exec_prompt_is_over),
		cmocka_unit_test(pager_gets_a_space),
		cmocka_unit_test(pager_marker_is_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
