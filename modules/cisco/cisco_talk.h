/*
 * The conversation with an IOS CLI, without I/O: what to say after each
 * prompt.  At login: `enable` and its secret at a '>' prompt, then
 * `terminal length 0`, `terminal width 512` and `show clock` (the
 * device's clock, for time-range ends).  In a script: the next line
 * after each accepted one; a '%' line stops it, and a configuration mode
 * is left with `end` before the script is reported.  A pager's --More--
 * is answered with a space.  ios_session.c does the SSH and the reading.
 */
#ifndef SPA_CISCO_TALK_H
#define SPA_CISCO_TALK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "ios_parse.h"

#define CISCO_TERM_WIDTH	"512"	/* the most IOS takes: no wrapping */

enum talk_phase {
	TALK_LOGIN,
	TALK_IDLE,
	TALK_SCRIPT,
	TALK_RECOVER,	/* `end` after a refused line */
};

enum talk_do {
	TALK_WAIT,	/* nothing to say */
	TALK_SAY,	/* say out->say */
	TALK_SECRET,	/* say the enable secret */
	TALK_LINE,	/* say the script's line out->line */
	TALK_SPACE,	/* a pager: one space, no line end */
	TALK_READY,	/* logged in, idle */
	TALK_DONE,	/* the script ended (t->failed, t->why) */
	TALK_FAIL,	/* give the session up: t->why says why */
};

struct talk_out {
	const char	*say;
	size_t		 line;
	int		 answered;	/* the script's line accepted, whose
					   answer the reader holds; -1: none */
};

struct cisco_talk {
	enum talk_phase	 phase;
	int		 login;		/* what the last prompt answered */
	bool		 can_enable;	/* an enable secret is configured */
	size_t		 nlines, next;	/* the line after the one said */
	int		 failed;	/* the line refused; -1: none */
	char		 why[IOS_LINE_MAX + 64];
	long		 clock_offset;	/* the device's clock minus ours */
};

/* A login starts: the first prompt is the next answer. */
void	cisco_talk_login(struct cisco_talk *t, bool can_enable);
/* A script of n lines starts: its line 0 is said now. */
void	cisco_talk_script(struct cisco_talk *t, size_t n);
/*
 * The device answered with prompt `p` (the reader holds its text and its
 * first '%' line); `now` is our clock.  What to do next, in *out.
 */
enum talk_do cisco_talk_answer(struct cisco_talk *t, enum ios_prompt p,
	    const struct ios_reader *rd, time_t now_s, struct talk_out *out);

#endif /* SPA_CISCO_TALK_H */
