/*
 * What an IOS CLI says, read from the bytes of its PTY: pure functions,
 * no I/O, so that recorded sessions and fuzzers can drive them.
 *
 * A reader keeps the text received since the last command, normalised
 * (CR, backspaces, ANSI escapes and other control bytes removed), and
 * answers two questions: does the text end in a prompt (and which), and
 * did a line start with '%' (an IOS error or warning)?
 */
#ifndef SPA_IOS_PARSE_H
#define SPA_IOS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define IOS_TEXT_MAX	8192	/* kept per command; older text is dropped */
#define IOS_LINE_MAX	256	/* an error line as reported */
#define IOS_HOST_MAX	64

enum ios_prompt {
	IOS_PROMPT_NONE,
	IOS_PROMPT_USER,	/* R> */
	IOS_PROMPT_PRIV,	/* R# */
	IOS_PROMPT_CONFIG,	/* R(config)# R(config-ext-nacl)# ... */
	IOS_PROMPT_PASSWORD,	/* Password: */
	IOS_PROMPT_CONFIRM,	/* Destination filename [startup-config]? */
	IOS_PROMPT_MORE,	/* --More--: a pager waits for a key */
};

struct ios_reader {
	char		 text[IOS_TEXT_MAX];
	size_t		 len;
	int		 esc;		/* inside an escape sequence */
	size_t		 line;		/* where the current line starts */
	bool		 truncated;	/* older text was dropped */
	char		 error[IOS_LINE_MAX];	/* first '%' line, or "" */
};

void	ios_reader_reset(struct ios_reader *r);
/* Append raw bytes from the device. */
void	ios_reader_feed(struct ios_reader *r, const void *data, size_t n);
/*
 * The prompt the text ends with, on a line after the echo of `cmd` (IOS
 * echoes what it reads: a prompt before the echo is a stale one), or
 * anywhere for cmd NULL (a secret, which is not echoed).
 */
enum ios_prompt ios_reader_prompt(const struct ios_reader *r,
	    const char *cmd);
/*
 * Drop the current (last, unfinished) line: a pager's --More-- once it
 * is answered, so that the text goes on as if it had not paused.
 */
void	ios_reader_cut_line(struct ios_reader *r);
/* The device's clock from `show clock` output, as epoch seconds. */
int	ios_clock_parse(const char *text, time_t *out);

/*
 * The sequence numbers listed by `show ip access-lists NAME`, in
 * [first, last]; calls `cb` for each.  Returns how many it found.
 */
size_t	ios_acl_seqs(const char *text, uint32_t first, uint32_t last,
	    void (*cb)(void *arg, uint32_t seq), void *arg);

/*
 * An entry after the device name: "permit|deny PROTO SRC ..." of safe
 * words only (no sequence number, no time-range: the module adds those).
 * IPv6 addresses are "host X:X::X" or "X:X::X/len" (no wildcard masks),
 * and one entry holds one family.  NULL if fine, else why not.
 */
const char *ios_ace_check(char *const *words, size_t n);
/*
 * The list an entry belongs in: AF_INET6 if a word has a ':' (an IPv6
 * address), else AF_INET (the extended IPv4 list).
 */
int	ios_ace_family(char *const *words, size_t n);

/*
 * An entry (without its sequence number) in the one form the module's
 * text and the device's listing of it share (ios_ace.c): keywords in
 * lower case, numbers for ports and names for protocols, addresses
 * masked ("host A", "any", lower-case IPv6), options in IOS's order,
 * "(active)" and match counters dropped.  NULL if done, else why not (an
 * entry outside what a policy may hold is never taken for one).
 */
const char *ios_ace_canon(const char *text, bool v6, char *out, size_t len);

#define IOS_DIGEST_HEX	24	/* hex digits of an entry's digest */
/*
 * The first 12 bytes of SHA-256 over the canonical entry, in hex (len >
 * IOS_DIGEST_HEX): what a cycle records of the entry it added, to know
 * it again before removing it.  0, or -1 if the entry has no canonical
 * form.
 */
int	ios_ace_digest(const char *text, bool v6, char *hex, size_t len);

/*
 * In `show ip access-lists NAME` (or `show ipv6 access-list NAME`)
 * output, the entry numbered `seq`: its text without the number (IPv6:
 * without "sequence N") into `ace`.  1 if found, 0 if not.
 */
int	ios_acl_entry(const char *text, uint32_t seq, bool v6, char *ace,
	    size_t len);

/*
 * "absolute end HH:MM D Month YYYY" for `t` in UTC shifted by `offset`:
 * 0, -1 if it cannot be written, or IOS_END_CAPPED when that time is
 * after the last one IOS takes (IOS_END_MAX, device time), which is then
 * written instead.
 */
#define IOS_END_MAX	((time_t)2082758399)	/* 23:59:59 31 December 2035 */
#define IOS_END_CAPPED	1
int	ios_absolute_end(time_t t, long offset, char *buf, size_t len);

#endif /* SPA_IOS_PARSE_H */
