/* What to say to an IOS CLI next.  See cisco_talk.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cisco_talk.h"

/* Login stages: what the last prompt answered. */
enum login {
	L_BANNER,	/* the first prompt */
	L_ENABLE,	/* `enable` */
	L_SECRET,	/* the enable secret */
	L_TERMINAL,	/* `terminal length 0` */
	L_WIDTH,	/* `terminal width 512` */
	L_CLOCK,	/* `show clock` */
};

void
cisco_talk_login(struct cisco_talk *t, bool can_enable)
{
	memset(t, 0, sizeof(*t));
	t->phase = TALK_LOGIN;
	t->login = L_BANNER;
	t->can_enable = can_enable;
	t->failed = -1;
}

void
cisco_talk_script(struct cisco_talk *t, size_t n)
{
	t->phase = TALK_SCRIPT;
	t->nlines = n;
	t->next = 1;
	t->failed = -1;
	t->why[0] = '\0';
}

static enum talk_do
give_up(struct cisco_talk *t, const char *why, const char *detail)
{
	snprintf(t->why, sizeof(t->why), "%s%s", why, detail);
	return TALK_FAIL;
}

static enum talk_do
say(struct talk_out *out, const char *line)
{
	out->say = line;
	return TALK_SAY;
}

/* The login conversation, one prompt at a time. */
static enum talk_do
login_answer(struct cisco_talk *t, enum ios_prompt p,
    const struct ios_reader *rd, time_t now_s, struct talk_out *out)
{
	time_t dev;

	switch (t->login) {
	case L_BANNER:
		if (p != IOS_PROMPT_USER)
			break;
		if (!t->can_enable)
			return give_up(t, "user exec prompt ('>') and no "
			    "enable_secret_file to enable with", "");
		t->login = L_ENABLE;
		return say(out, "enable");
	case L_ENABLE:
		if (p != IOS_PROMPT_PASSWORD)
			break;
		t->login = L_SECRET;
		return TALK_SECRET;
	case L_SECRET:
		if (p == IOS_PROMPT_PRIV)
			break;
		snprintf(t->why, sizeof(t->why), "enable refused%s%s",
		    rd->error[0] ? ": " : " (secret asked again)", rd->error);
		return TALK_FAIL;
	case L_TERMINAL:
		/* never the PTY's width: a vty may have its own, and a line
		   wrapped in its echo is never answered */
		t->login = L_WIDTH;
		return say(out, "terminal width " CISCO_TERM_WIDTH);
	case L_WIDTH:
		t->login = L_CLOCK;
		return say(out, "show clock");
	case L_CLOCK:
		t->clock_offset = ios_clock_parse(rd->text, &dev) == 0 ?
		    (long)(dev - now_s) : 0;
		t->phase = TALK_IDLE;
		return TALK_READY;
	}
	if (p != IOS_PROMPT_PRIV)
		return give_up(t, "unexpected answer at login: ",
		    rd->error[0] ? rd->error : "not a privileged prompt");
	t->login = L_TERMINAL;
	return say(out, "terminal length 0");
}

/* A script's line answered: the next, or `end` after a refusal, or done. */
static enum talk_do
script_answer(struct cisco_talk *t, enum ios_prompt p,
    const struct ios_reader *rd, struct talk_out *out)
{
	if (t->phase == TALK_RECOVER) {
		t->phase = TALK_IDLE;
		return TALK_DONE;
	}
	if (rd->error[0] != '\0') {
		t->failed = (int)t->next - 1;
		snprintf(t->why, sizeof(t->why), "%s", rd->error);
		if (p == IOS_PROMPT_CONFIG) {
			t->phase = TALK_RECOVER;
			return say(out, "end");
		}
		t->phase = TALK_IDLE;
		return TALK_DONE;
	}
	out->answered = (int)t->next - 1;
	if (t->next < t->nlines) {
		out->line = t->next++;
		return TALK_LINE;
	}
	t->phase = TALK_IDLE;
	return TALK_DONE;
}

enum talk_do
cisco_talk_answer(struct cisco_talk *t, enum ios_prompt p,
    const struct ios_reader *rd, time_t now_s, struct talk_out *out)
{
	out->say = NULL;
	out->line = 0;
	out->answered = -1;
	if (p == IOS_PROMPT_NONE || t->phase == TALK_IDLE)
		return TALK_WAIT;
	if (p == IOS_PROMPT_MORE)
		return TALK_SPACE;
	if (t->phase == TALK_LOGIN)
		return login_answer(t, p, rd, now_s, out);
	return script_answer(t, p, rd, out);
}
