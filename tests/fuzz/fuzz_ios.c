/*
 * libFuzzer: reading an IOS CLI (modules/cisco/ios_parse.c).  What a device
 * prints is untrusted: the input is fed to a reader whole and again in
 * pieces (sizes taken from the input), and both must agree, keep the text
 * bounded, NUL-terminated and free of control bytes, and report an error
 * line that starts with '%'.  The same bytes are read as `show clock`
 * output (a time in the accepted years, or nothing), as an ACL listing
 * (only sequence numbers in range), as an entry template (accepted only
 * with safe words after permit|deny, IPv6 addresses that parse, one
 * family, and the family its words say), as a time for the
 * time-range end, as an entry to take to its canonical form (which is
 * its own canonical form) and to find in a listing, and as the state a
 * Cisco cycle records (which writes back the same).  The reader's text
 * also answers the conversation (modules/cisco/cisco_talk.c) at every stage of
 * a login and of a script: what it says is a line of its own or of the
 * script, and a pager's marker cut leaves a sound reader.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cisco_data.h"
#include "cisco_talk.h"
#include "ios_parse.h"

#define INPUT_MAX	(4 * IOS_TEXT_MAX)
#define WORDS_MAX	64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ios_reader whole, pieces;

static void
check_reader(const struct ios_reader *r)
{
	size_t i;

	if (r->len >= IOS_TEXT_MAX || r->line > r->len ||
	    r->text[r->len] != '\0' || strlen(r->text) != r->len ||
	    strlen(r->error) >= IOS_LINE_MAX ||
	    (r->error[0] != '\0' && r->error[0] != '%') ||
	    strchr(r->error, '\n') != NULL ||
	    (r->line > 0 && r->text[r->line - 1] != '\n') ||
	    memchr(r->text + r->line, '\n', r->len - r->line) != NULL)
		abort();
	for (i = 0; i < r->len; i++)
		if ((unsigned char)r->text[i] < 0x20 && r->text[i] != '\n')
			abort();
}

static void
check_prompt(const struct ios_reader *r, const char *cmd)
{
	enum ios_prompt any = ios_reader_prompt(r, NULL);
	enum ios_prompt after = ios_reader_prompt(r, cmd);

	if (any > IOS_PROMPT_MORE || (after != IOS_PROMPT_NONE &&
	    after != any))
		abort();
}

static void
feed_both(const uint8_t *data, size_t size)
{
	size_t off = 0, n;

	ios_reader_reset(&whole);
	ios_reader_feed(&whole, data, size);
	ios_reader_reset(&pieces);
	while (off < size) {
		n = 1 + data[off] % 17;
		if (n > size - off)
			n = size - off;
		ios_reader_feed(&pieces, data + off, n);
		off += n;
	}
	if (whole.len != pieces.len || whole.line != pieces.line ||
	    whole.truncated != pieces.truncated ||
	    strcmp(whole.text, pieces.text) != 0 ||
	    strcmp(whole.error, pieces.error) != 0)
		abort();
	check_reader(&whole);
}

static void
check_clock(const char *text)
{
	time_t t;

	if (ios_clock_parse(text, &t) == 0 &&
	    (t < 725846400 || t > 4133980800))	/* 1993 .. 2100 */
		abort();
}

static uint32_t first_seq, last_seq;
static size_t nseqs;

static void
seq_seen(void *arg, uint32_t seq)
{
	(void)arg;
	if (seq < first_seq || seq > last_seq)
		abort();
	nseqs++;
}

static void
check_acl(const char *text, const uint8_t *data, size_t size)
{
	uint32_t a = 0, b = 0;

	if (size >= 8) {
		memcpy(&a, data, 4);
		memcpy(&b, data + 4, 4);
	}
	first_seq = a % 100000;
	last_seq = b;
	nseqs = 0;
	if (ios_acl_seqs(text, first_seq, last_seq, seq_seen, NULL) != nseqs)
		abort();
}

static bool
safe_text(const char *w)
{
	size_t n = strlen(w);

	return n > 0 && n < 64 && strspn(w, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./:_-") == n;
}

/* A word of an accepted entry: IPv6 (1), IPv4 address or mask (0), other. */
static int
word_family(const char *w)
{
	char addr[64];
	uint8_t a[16];
	size_t n = strcspn(w, "/");

	if (strchr(w, ':') != NULL) {
		memcpy(addr, w, n);
		addr[n] = '\0';
		if (inet_pton(AF_INET6, addr, a) != 1)
			abort();
		return 1;
	}
	return inet_pton(AF_INET, w, a) == 1 ? 0 : -1;
}

/* Words split on spaces; an accepted template holds only safe words. */
static void
check_ace(char *buf)
{
	char *words[WORDS_MAX], *p = buf;
	const char *why;
	bool v4 = false, v6 = false;
	size_t n = 0, i;
	int fam;

	while (n < WORDS_MAX) {
		words[n++] = p;
		if ((p = strchr(p, ' ')) == NULL)
			break;
		*p++ = '\0';
	}
	if ((why = ios_ace_check(words, n)) != NULL) {
		if (*why == '\0')
			abort();
		return;
	}
	if (n < 4 || (strcmp(words[0], "permit") != 0 &&
	    strcmp(words[0], "deny") != 0))
		abort();
	for (i = 0; i < n; i++) {
		if (!safe_text(words[i]) || strcmp(words[i], "remark") == 0 ||
		    strcmp(words[i], "time-range") == 0 ||
		    strcmp(words[i], "sequence") == 0)
			abort();
		fam = word_family(words[i]);
		if (fam == 1)
			v6 = true;
		if (fam == 0)
			v4 = true;
	}
	if ((v4 && v6) ||
	    ios_ace_family(words, n) != (v6 ? AF_INET6 : AF_INET))
		abort();
}

static void
check_absolute_end(const uint8_t *data, size_t size)
{
	char buf[64];
	int64_t t = 0;
	int32_t offset = 0;
	size_t len;

	if (size < 12)
		return;
	memcpy(&t, data, 8);
	memcpy(&offset, data + 8, 4);
	len = 1 + data[0] % sizeof(buf);
	memset(buf, 'X', sizeof(buf));
	/* never a year IOS refuses: later ends are capped at 2035 */
	if (ios_absolute_end((time_t)t, offset, buf, len) >= 0 &&
	    (strncmp(buf, "absolute end ", 13) != 0 || strlen(buf) >= len ||
	    atol(strrchr(buf, ' ') + 1) > 2035))
		abort();
	if (len < sizeof(buf) && buf[len] != 'X')
		abort();
}

/* Canonical twice is canonical once; a listed entry is one line. */
static void
check_canon(const char *text, const uint8_t *data, size_t size)
{
	char once[512], twice[512], ace[512];
	bool v6 = size > 0 && (data[0] & 1);
	uint32_t seq = size >= 4 ? (uint32_t)data[1] << 16 | data[2] << 8 |
	    data[3] : 10;

	if (ios_ace_canon(text, v6, once, sizeof(once)) == NULL &&
	    (ios_ace_canon(once, v6, twice, sizeof(twice)) != NULL ||
	    strcmp(once, twice) != 0))
		abort();
	if (ios_acl_entry(text, seq, v6, ace, sizeof(ace)) == 1 &&
	    (strchr(ace, '\n') != NULL || strlen(ace) >= sizeof(ace)))
		abort();
}

static void
check_cisco_data(const uint8_t *data, size_t size)
{
	struct cisco_entry e;
	uint8_t back[64];
	size_t n;

	if (cisco_data_parse(data, size, &e) != NULL || e.digest[0] == '\0')
		return;
	n = cisco_data_format(&e, back, sizeof(back));
	if (n != size || memcmp(back, data, n) != 0)
		abort();
}

/* One answer: what the conversation says must be in range. */
static enum talk_do
talk_once(struct cisco_talk *t, enum ios_prompt p, const struct ios_reader *r)
{
	struct talk_out o;
	enum talk_do d = cisco_talk_answer(t, p, r, 1796033732, &o);

	if ((d == TALK_SAY && (o.say == NULL || strlen(o.say) >= 64)) ||
	    (d == TALK_LINE && o.line >= t->nlines) ||
	    o.answered >= (int)t->nlines || t->failed < -1 ||
	    t->failed >= (int)t->nlines + 1 ||
	    memchr(t->why, '\0', sizeof(t->why)) == NULL ||
	    (d == TALK_FAIL && t->why[0] == '\0') ||
	    ((d == TALK_READY || d == TALK_DONE) && t->phase != TALK_IDLE))
		abort();
	return d;
}

static void
check_talk(struct ios_reader *r, const uint8_t *data, size_t size)
{
	enum ios_prompt p = ios_reader_prompt(r, NULL);
	struct cisco_talk t;
	enum talk_do d;
	int i;

	cisco_talk_login(&t, size > 0 && (data[0] & 1));
	for (i = 0; i < 8; i++)
		if ((d = talk_once(&t, p, r)) == TALK_FAIL || d == TALK_READY ||
		    d == TALK_WAIT)
			break;
	cisco_talk_script(&t, 1 + (size > 1 ? data[1] % 8 : 0));
	for (i = 0; i < 12 && t.phase != TALK_IDLE; i++)
		if ((d = talk_once(&t, p, r)) == TALK_WAIT)
			break;
	if (p == IOS_PROMPT_MORE) {
		ios_reader_cut_line(r);
		check_reader(r);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[INPUT_MAX + 1];
	const char *nl;

	if (size > INPUT_MAX)
		return 0;
	feed_both(data, size);
	check_prompt(&whole, "show clock");
	memcpy(buf, data, size);
	buf[size] = '\0';
	/* the first line as the command whose echo the prompt follows */
	if ((nl = strchr(buf, '\n')) != NULL && nl - buf < 256) {
		buf[nl - buf] = '\0';
		check_prompt(&whole, buf);
		buf[nl - buf] = '\n';
	}
	check_clock(buf);
	check_clock(whole.text);
	check_acl(buf, data, size);
	check_acl(whole.text, data, size);
	check_absolute_end(data, size);
	check_canon(buf, data, size);
	check_canon(whole.text, data, size);
	check_cisco_data(data, size);
	check_ace(buf);
	check_talk(&whole, data, size);
	return 0;
}
