/*
 * One SSH session to an IOS device: an interactive shell on a PTY,
 * driven by prompts, with libssh2 in non-blocking mode so that the
 * executor's loop never waits on a router.  The owner polls the session's
 * descriptor, calls ios_session_step() when it is ready or a deadline
 * passed, and is told through callbacks when the session is logged in,
 * when a script of commands finished, and when the session went down.
 *
 * Login: TCP connect, SSH handshake, the host key checked against the
 * pinned known_hosts (unknown or changed: refused, never learned), then
 * publickey, password or keyboard-interactive, a PTY and a shell; at the
 * first prompt `enable` if it ends in '>', then `terminal length 0`,
 * `terminal width 512` and `show clock`.
 * A script runs its lines in order, each answered by a prompt after its
 * echo; the first line answered by a '%' line stops it, and the session
 * is brought back to exec mode with `end` before the script is reported.
 * A pager's --More-- (a device that pages anyway) is answered with a
 * space.  What to say when is cisco_talk.c's; this file does the SSH.
 */
#ifndef SPA_IOS_SESSION_H
#define SPA_IOS_SESSION_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf_cisco.h"
#include "ios_parse.h"

#define IOS_SCRIPT_MAX	256	/* lines in one script */
#define IOS_CMD_MAX	256	/* bytes in one line */

struct ios_session;

struct ios_session_cbs {
	/* Logged in, in privileged exec mode, idle. */
	void	(*ready)(void *arg);
	/*
	 * The script ended: `failed` is the index of the line refused (and
	 * `answer` the device's '%' line), or -1 if every line was accepted.
	 */
	void	(*done)(void *arg, int failed, const char *answer);
	/*
	 * The session is gone (cannot connect, refused, dropped, timed
	 * out).  Lines before `answered` were accepted; line `answered`
	 * may or may not have been applied if `answered < sent`.
	 */
	void	(*down)(void *arg, const char *why, size_t answered,
		    size_t sent);
	/*
	 * Optional: line `line` of the script was accepted, and `text` is
	 * what the device printed for it, from its echo to the prompt (NULL
	 * if that was more than a reader keeps).  Called before done().
	 */
	void	(*answer)(void *arg, size_t line, const char *text);
};

struct ios_session *ios_session_new(const struct conf_cisco *cf,
	    const struct ios_session_cbs *cbs, void *arg);
/* Hang up (politely if possible, never waiting) and free. */
void	ios_session_free(struct ios_session *s);

/* Start connecting; the owner hears ready() or down(). */
void	ios_session_connect(struct ios_session *s, int64_t now_ms);
/* Run lines (copied); only when idle.  Returns 0 or SPA_ERR_*. */
int	ios_session_run(struct ios_session *s, const char *const *lines,
	    size_t n, int64_t now_ms);
bool	ios_session_idle(const struct ios_session *s);
bool	ios_session_connected(const struct ios_session *s);

/* Its descriptor and events (0 if none), and its next deadline (-1). */
size_t	ios_session_pollfd(const struct ios_session *s, struct pollfd *pfd);
int64_t	ios_session_deadline(const struct ios_session *s);
/* Make progress: I/O that is ready, deadlines that passed. */
void	ios_session_step(struct ios_session *s, int64_t now_ms);

/*
 * The algorithms a session offers, most preferred first: the device's
 * kex, hostkey_algorithms or ciphers from spagated.conf, or, when it sets
 * none, a modern list (no SHA-1 key exchange or host key, no CBC).
 */
enum ios_methods { IOS_KEX, IOS_HOSTKEY, IOS_CIPHERS };
const char *ios_session_methods(const struct conf_cisco *cf,
	    enum ios_methods which);
/*
 * What a session hands libssh2: ios_session_methods' list less the names
 * this libssh2 lacks (libssh2 1.10 drops them itself, but with an
 * overlapping memcpy).  0, or -1 when no name is left.
 */
int	ios_session_offered(const struct conf_cisco *cf, enum ios_methods which,
	    char *out, size_t outlen);
/*
 * At load: every name the device's lists give is a method of that kind
 * the libssh2 spagated runs with has (libssh2 itself drops names it does
 * not know, so a typo would go unseen).  0, or SPA_ERR_CONFIG with why
 * (the setting, the name, and what libssh2 has).
 */
int	ios_session_check_methods(const struct conf_cisco *cf, char *why,
	    size_t whylen);

/* The device clock minus ours, learnt at login (0 if unknown). */
long	ios_session_clock_offset(const struct ios_session *s);

#endif /* SPA_IOS_SESSION_H */
