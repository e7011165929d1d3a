/*
 * An SSH session to an IOS device, non-blocking.  See ios_session.h.
 *
 * Every libssh2 call may return LIBSSH2_ERROR_EAGAIN: the state machine
 * then returns to the loop, which polls the socket in the directions
 * libssh2_session_block_directions() names, and the same call is made
 * again at the next step.  Nothing here waits.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libssh2.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "cisco_talk.h"
#include "err.h"
#include "ios_session.h"
#include "log.h"
#include "secret.h"

#define AGAIN		1	/* a step result: wait for the socket */
#define SECRET_MAX	256
#define WHY_MAX		320

enum state {
	S_DOWN,
	S_TCP,		/* non-blocking connect() */
	S_HANDSHAKE,
	S_AUTH,
	S_CHANNEL,	/* open, PTY, shell */
	S_TALK,		/* logged in or logging in: prompts */
};

struct ios_session {
	const struct conf_cisco	*cf;
	struct ios_session_cbs	 cbs;
	void			*arg;
	enum state		 state;
	struct cisco_talk	 t;		/* what to say next */
	int			 fd;
	LIBSSH2_SESSION		*ssh;
	LIBSSH2_CHANNEL		*ch;
	int			 chan_step;	/* 0 open, 1 pty, 2 shell */
	unsigned int		 auth_tried;	/* AUTH_* bits */
	const char		*auth_list;	/* libssh2's, asked once */
	char			 password[SECRET_MAX];
	int64_t			 deadline_ms;	/* -1: none */
	int64_t			 keepalive_ms;
	struct ios_reader	 rd;
	char			 cmd[IOS_CMD_MAX];	/* awaiting its answer */
	bool			 cmd_secret;
	char			 out[IOS_CMD_MAX + 1];	/* not yet written */
	size_t			 out_len, out_off;
	char			 (*lines)[IOS_CMD_MAX];
};

enum { AUTH_KEY = 1, AUTH_PASSWORD = 2, AUTH_KBDINT = 4 };

struct ios_session *
ios_session_new(const struct conf_cisco *cf, const struct ios_session_cbs *cbs,
    void *arg)
{
	struct ios_session *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((s->lines = calloc(IOS_SCRIPT_MAX, sizeof(*s->lines))) == NULL) {
		free(s);
		return NULL;
	}
	s->cf = cf;
	s->cbs = *cbs;
	s->arg = arg;
	s->fd = -1;
	s->deadline_ms = -1;
	return s;
}

/* Tear down without waiting: a dead peer must not hold the loop. */
static void
hang_up(struct ios_session *s)
{
	if (s->ssh != NULL) {
		/* one try each: EAGAIN means the goodbye is not sent */
		if (s->ch != NULL)
			libssh2_channel_close(s->ch);
		libssh2_session_disconnect(s->ssh, "spagated: done");
		if (s->fd >= 0)
			shutdown(s->fd, SHUT_RDWR);	/* no write can block */
		libssh2_session_set_blocking(s->ssh, 1);
		if (s->ch != NULL)
			libssh2_channel_free(s->ch);
		libssh2_session_free(s->ssh);
	}
	if (s->fd >= 0)
		close(s->fd);
	s->ssh = NULL;
	s->auth_list = NULL;	/* freed with the session */
	s->ch = NULL;
	s->fd = -1;
	s->state = S_DOWN;
	s->deadline_ms = -1;
	explicit_bzero(s->password, sizeof(s->password));
}

void
ios_session_free(struct ios_session *s)
{
	if (s == NULL)
		return;
	hang_up(s);
	free(s->lines);
	free(s);
}

/* Down, telling the owner what happened to the script, if any. */
static void
fail(struct ios_session *s, const char *why)
{
	size_t answered = 0, sent = 0;
	enum talk_phase was = s->t.phase;

	if (was == TALK_SCRIPT) {
		sent = s->t.next;
		answered = sent - 1;
	}
	hang_up(s);
	s->t.phase = TALK_LOGIN;
	/* the refused line was answered: the script's outcome is known */
	if (was == TALK_RECOVER)
		s->cbs.done(s->arg, s->t.failed, s->t.why);
	s->cbs.down(s->arg, why, answered, sent);
}

static void
fail_ssh(struct ios_session *s, const char *what)
{
	char why[WHY_MAX], *text = NULL;

	if (s->ssh != NULL)
		libssh2_session_last_error(s->ssh, &text, NULL, 0);
	snprintf(why, sizeof(why), "%s: %s", what, text != NULL && *text ?
	    text : "failed");
	fail(s, why);
}

/* --- TCP and SSH ------------------------------------------------------- */

static int
tcp_start(struct ios_session *s)
{
	struct sockaddr_storage ss;
	struct spa_addr a;
	socklen_t sl;
	int on = 1;

	memset(&ss, 0, sizeof(ss));
	if (addr_parse(s->cf->host, &a) != 0)
		return SPA_ERR_CONFIG;
	if (a.family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(s->cf->port);
		memcpy(&in->sin_addr, a.bytes, 4);
		sl = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(s->cf->port);
		memcpy(&in6->sin6_addr, a.bytes, 16);
		sl = sizeof(*in6);
	}
	s->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return SPA_ERR_SYS;
	setsockopt(s->fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	if (connect(s->fd, (struct sockaddr *)&ss, sl) != 0 &&
	    errno != EINPROGRESS)
		return SPA_ERR_SYS;
	return 0;
}

static int
tcp_done(struct ios_session *s)
{
	struct pollfd p = { .fd = s->fd, .events = POLLOUT };
	int err = 0;
	socklen_t len = sizeof(err);
	char why[WHY_MAX];

	if (poll(&p, 1, 0) <= 0)
		return AGAIN;
	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
	    err != 0) {
		snprintf(why, sizeof(why), "cannot connect to %s port %u: %s",
		    s->cf->host, s->cf->port, strerror(err ? err : errno));
		fail(s, why);
		return -1;
	}
	s->state = S_HANDSHAKE;
	return 0;
}

/* --- algorithms ---------------------------------------------------------- */

/*
 * What a device that sets none gets: no SHA-1 key exchange or host key
 * signature, no CBC, arcfour, blowfish or 3DES.  Names this libssh2 does
 * not have (RSA SHA-2 host keys and AES-GCM before 1.11) are dropped by
 * libssh2_session_method_pref; an old device needs its own lists (see
 * spagated.conf(5)).
 */
#define KEX_MODERN	"curve25519-sha256,curve25519-sha256@libssh.org," \
	"ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521," \
	"diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512," \
	"diffie-hellman-group18-sha512,diffie-hellman-group14-sha256"
#define HOSTKEY_MODERN	"ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384," \
	"ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256"
#define CIPHERS_MODERN	"aes256-gcm@openssh.com,aes128-gcm@openssh.com," \
	"aes256-ctr,aes192-ctr,aes128-ctr"

static const struct {
	const char	*key;		/* the setting in spagated.conf */
	const char	*kind;
	int		 type;		/* libssh2's */
	const char	*modern;
} methods[] = {
	[IOS_KEX] = { "kex", "key exchange", LIBSSH2_METHOD_KEX, KEX_MODERN },
	[IOS_HOSTKEY] = { "hostkey_algorithms", "host key",
	    LIBSSH2_METHOD_HOSTKEY, HOSTKEY_MODERN },
	[IOS_CIPHERS] = { "ciphers", "cipher", LIBSSH2_METHOD_CRYPT_CS,
	    CIPHERS_MODERN },
};

static const char *
methods_set(const struct conf_cisco *cf, enum ios_methods which)
{
	return which == IOS_KEX ? cf->kex : which == IOS_HOSTKEY ?
	    cf->hostkey_algorithms : cf->ciphers;
}

const char *
ios_session_methods(const struct conf_cisco *cf, enum ios_methods which)
{
	const char *set = methods_set(cf, which);

	return set != NULL ? set : methods[which].modern;
}

static bool
has_method(const char **algs, int n, const char *name, size_t len)
{
	int i;

	for (i = 0; i < n; i++)
		if (strlen(algs[i]) == len && strncmp(algs[i], name, len) == 0)
			return true;
	return false;
}

/*
 * The names of LIST this libssh2 has, in LIST's order.  libssh2 1.10 drops
 * the others itself, but with an overlapping memcpy (undefined behaviour,
 * which the sanitizer build aborts on), so it is never handed one.
 */
static int
supported_only(LIBSSH2_SESSION *ssh, int type, const char *list, char *out,
    size_t outlen)
{
	const char **algs, *p;
	size_t len, used = 0;
	int n;

	if ((n = libssh2_session_supported_algs(ssh, type, &algs)) <= 0)
		return -1;
	out[0] = '\0';
	for (p = list; *p != '\0'; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		if (len == 0 || !has_method(algs, n, p, len) ||
		    used + len + 2 > outlen)
			continue;
		used += (size_t)snprintf(out + used, outlen - used, "%s%.*s",
		    used > 0 ? "," : "", (int)len, p);
	}
	libssh2_free(ssh, algs);
	return used > 0 ? 0 : -1;
}

int
ios_session_offered(const struct conf_cisco *cf, enum ios_methods which,
    char *out, size_t outlen)
{
	LIBSSH2_SESSION *ssh;
	int r;

	if ((ssh = libssh2_session_init()) == NULL)
		return -1;
	r = supported_only(ssh, methods[which].type,
	    ios_session_methods(cf, which), out, outlen);
	libssh2_session_free(ssh);
	return r;
}

static int
set_pref(struct ios_session *s, enum ios_methods which, int type)
{
	char list[512];

	if (supported_only(s->ssh, methods[which].type,
	    ios_session_methods(s->cf, which), list, sizeof(list)) != 0)
		return -1;
	return libssh2_session_method_pref(s->ssh, type, list);
}

static int
set_prefs(struct ios_session *s)
{
	if (set_pref(s, IOS_KEX, LIBSSH2_METHOD_KEX) != 0 ||
	    set_pref(s, IOS_HOSTKEY, LIBSSH2_METHOD_HOSTKEY) != 0 ||
	    set_pref(s, IOS_CIPHERS, LIBSSH2_METHOD_CRYPT_CS) != 0 ||
	    set_pref(s, IOS_CIPHERS, LIBSSH2_METHOD_CRYPT_SC) != 0)
		return -1;
	return 0;
}

/* Every name of one list is a method of its kind libssh2 has. */
static int
check_list(int which, const char *list, const char **algs, int n,
    char *why, size_t whylen)
{
	const char *p = list;
	size_t len, off;
	int i;

	for (;; p += len + 1) {
		len = strcspn(p, ",");
		if (len == 0 || !has_method(algs, n, p, len))
			break;
		if (p[len] == '\0')
			return 0;
	}
	off = (size_t)snprintf(why, whylen, "%s: libssh2 %s has no %s method "
	    "\"%.*s\" (it has:", methods[which].key, libssh2_version(0),
	    methods[which].kind, (int)len, p);
	for (i = 0; i < n && off < whylen; i++)
		off += (size_t)snprintf(why + off, whylen - off, "%s%s",
		    i > 0 ? ", " : " ", algs[i]);
	if (off < whylen)
		snprintf(why + off, whylen - off, ")");
	return SPA_ERR_CONFIG;
}

int
ios_session_check_methods(const struct conf_cisco *cf, char *why,
    size_t whylen)
{
	LIBSSH2_SESSION *ssh;
	const char **algs;
	const char *list;
	int which, n, r = 0;

	if ((ssh = libssh2_session_init()) == NULL) {
		snprintf(why, whylen, "out of memory");
		return SPA_ERR_NOMEM;
	}
	for (which = 0; which <= IOS_CIPHERS && r == 0; which++) {
		if ((list = methods_set(cf, which)) == NULL)
			continue;
		if ((n = libssh2_session_supported_algs(ssh,
		    methods[which].type, &algs)) <= 0) {
			snprintf(why, whylen, "%s: libssh2 cannot list its "
			    "methods", methods[which].key);
			r = SPA_ERR_SYS;
			break;
		}
		r = check_list(which, list, algs, n, why, whylen);
		libssh2_free(ssh, algs);
	}
	libssh2_session_free(ssh);
	return r;
}

static int
knownhost_type(int hostkey_type)
{
	switch (hostkey_type) {
	case LIBSSH2_HOSTKEY_TYPE_RSA:
		return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
	case LIBSSH2_HOSTKEY_TYPE_DSS:
		return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_256:
		return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_384:
		return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_521:
		return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
	case LIBSSH2_HOSTKEY_TYPE_ED25519:
		return LIBSSH2_KNOWNHOST_KEY_ED25519;
	}
	return -1;
}

/* The pinned key, or refusal: never trust on first use. */
static const char *
hostkey_verdict(struct ios_session *s)
{
	LIBSSH2_KNOWNHOSTS *kh;
	const char *key;
	size_t len;
	int type, kt, r;

	if ((key = libssh2_session_hostkey(s->ssh, &len, &type)) == NULL ||
	    (kt = knownhost_type(type)) < 0)
		return "the host key cannot be read";
	if ((kh = libssh2_knownhost_init(s->ssh)) == NULL)
		return "out of memory";
	if (libssh2_knownhost_readfile(kh, s->cf->known_hosts,
	    LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0) {
		libssh2_knownhost_free(kh);
		return "known_hosts cannot be read";
	}
	r = libssh2_knownhost_checkp(kh, s->cf->host, s->cf->port, key, len,
	    LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | kt,
	    NULL);
	libssh2_knownhost_free(kh);
	switch (r) {
	case LIBSSH2_KNOWNHOST_CHECK_MATCH:
		return NULL;
	case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
		return "host key MISMATCH with known_hosts (changed key or "
		    "another machine): refused";
	case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
		return "host key not in known_hosts (no trust on first use): "
		    "refused";
	}
	return "host key check failed";
}

static int
handshake(struct ios_session *s)
{
	const char *why;
	char text[WHY_MAX];
	int r;

	if ((r = libssh2_session_handshake(s->ssh, s->fd)) ==
	    LIBSSH2_ERROR_EAGAIN)
		return AGAIN;
	if (r == LIBSSH2_ERROR_KEX_FAILURE || r == LIBSSH2_ERROR_METHOD_NONE) {
		/* most often an older device: say where the lists are */
		fail_ssh(s, "SSH handshake (no algorithms in common? an older "
		    "device needs kex, hostkey_algorithms or ciphers in "
		    "spagated.conf)");
		return -1;
	}
	if (r != 0) {
		fail_ssh(s, "SSH handshake");
		return -1;
	}
	if ((why = hostkey_verdict(s)) != NULL) {
		snprintf(text, sizeof(text), "%s port %u: %s", s->cf->host,
		    s->cf->port, why);
		fail(s, text);
		return -1;
	}
	s->state = S_AUTH;
	return 0;
}

/* --- authentication ---------------------------------------------------- */

static void
kbdint_answer(const char *name, int name_len, const char *instruction,
    int instruction_len, int num_prompts,
    const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts,
    LIBSSH2_USERAUTH_KBDINT_RESPONSE *responses, void **abstract)
{
	struct ios_session *s = *abstract;
	int i;

	(void)name; (void)name_len; (void)instruction;
	(void)instruction_len; (void)prompts;
	for (i = 0; i < num_prompts; i++) {
		/* freed by libssh2 */
		responses[i].text = strdup(s->password);
		responses[i].length = responses[i].text != NULL ?
		    (unsigned int)strlen(s->password) : 0;
	}
}

/* The next method both sides allow and we have not tried. */
static unsigned int
next_method(struct ios_session *s, const char *list)
{
	const struct conf_cisco *cf = s->cf;

	if (cf->key_file != NULL && !(s->auth_tried & AUTH_KEY) &&
	    strstr(list, "publickey") != NULL)
		return AUTH_KEY;
	if (cf->password_file != NULL && !(s->auth_tried & AUTH_PASSWORD) &&
	    strstr(list, "password") != NULL)
		return AUTH_PASSWORD;
	if (cf->password_file != NULL && !(s->auth_tried & AUTH_KBDINT) &&
	    strstr(list, "keyboard-interactive") != NULL)
		return AUTH_KBDINT;
	return 0;
}

static int
try_method(struct ios_session *s, unsigned int m)
{
	const char *u = s->cf->user;
	unsigned int ulen = (unsigned int)strlen(u);

	if (m != AUTH_KEY && s->password[0] == '\0' &&
	    secret_read(s->cf->password_file, s->password,
	    sizeof(s->password)) != 0)
		return LIBSSH2_ERROR_FILE;
	if (m == AUTH_KEY)
		return libssh2_userauth_publickey_fromfile_ex(s->ssh, u, ulen,
		    NULL, s->cf->key_file, NULL);
	if (m == AUTH_PASSWORD)
		return libssh2_userauth_password_ex(s->ssh, u, ulen,
		    s->password, (unsigned int)strlen(s->password), NULL);
	return libssh2_userauth_keyboard_interactive_ex(s->ssh, u, ulen,
	    kbdint_answer);
}

static int
authenticate(struct ios_session *s)
{
	const char *list;
	char why[WHY_MAX];
	unsigned int m;
	int r;

	/*
	 * Asked once per session: each call sends another "none" request
	 * (whose answer can be taken for the pending method's) and leaks
	 * the list libssh2 returned before.  Re-entered after AGAIN.
	 */
	if ((list = s->auth_list) == NULL) {
		list = libssh2_userauth_list(s->ssh, s->cf->user,
		    (unsigned int)strlen(s->cf->user));
		if (list == NULL && libssh2_session_last_errno(s->ssh) ==
		    LIBSSH2_ERROR_EAGAIN)
			return AGAIN;
		s->auth_list = list;
	}
	while (list != NULL && (m = next_method(s, list)) != 0) {
		if ((r = try_method(s, m)) == LIBSSH2_ERROR_EAGAIN)
			return AGAIN;
		if (r == 0)
			break;
		s->auth_tried |= m;	/* refused: the next one */
	}
	explicit_bzero(s->password, sizeof(s->password));
	if (!libssh2_userauth_authenticated(s->ssh)) {
		snprintf(why, sizeof(why), "authentication as %s refused "
		    "(offered: %s)", s->cf->user, list != NULL ? list : "?");
		fail(s, why);
		return -1;
	}
	s->state = S_CHANNEL;
	s->chan_step = 0;
	return 0;
}

/* --- the shell ----------------------------------------------------------- */

static int
open_shell(struct ios_session *s)
{
	int r = 0;

	if (s->chan_step == 0) {
		s->ch = libssh2_channel_open_session(s->ssh);
		if (s->ch == NULL)
			r = libssh2_session_last_errno(s->ssh);
		else
			s->chan_step = 1;
	}
	if (s->chan_step == 1 && (r = libssh2_channel_request_pty_ex(s->ch,
	    "vt100", 5, NULL, 0, 511, 24, 0, 0)) == 0)
		s->chan_step = 2;
	if (s->chan_step == 2 && (r = libssh2_channel_shell(s->ch)) == 0)
		s->chan_step = 3;
	if (r == LIBSSH2_ERROR_EAGAIN)
		return AGAIN;
	if (r != 0) {
		fail_ssh(s, s->chan_step == 0 ? "channel" : s->chan_step == 1 ?
		    "PTY request" : "shell request");
		return -1;
	}
	s->state = S_TALK;
	cisco_talk_login(&s->t, s->cf->enable_secret_file != NULL);
	s->cmd[0] = '\0';
	ios_reader_reset(&s->rd);
	return 0;
}

/* Queue one line; its answer is the next prompt after its echo. */
static void
say(struct ios_session *s, const char *line, bool secret, int64_t now_ms)
{
	snprintf(s->out, sizeof(s->out), "%s\n", line);
	s->out_len = strlen(s->out);
	s->out_off = 0;
	snprintf(s->cmd, sizeof(s->cmd), "%s", secret ? "" : line);
	s->cmd_secret = secret;
	ios_reader_reset(&s->rd);
	s->deadline_ms = now_ms + (int64_t)s->cf->command_timeout * 1000;
}

static int
flush_out(struct ios_session *s)
{
	ssize_t n;

	while (s->out_off < s->out_len) {
		n = libssh2_channel_write(s->ch, s->out + s->out_off,
		    s->out_len - s->out_off);
		if (n == LIBSSH2_ERROR_EAGAIN)
			return AGAIN;
		if (n < 0) {
			fail_ssh(s, "write to the device");
			return -1;
		}
		s->out_off += (size_t)n;
	}
	if (s->cmd_secret)
		explicit_bzero(s->out, sizeof(s->out));
	return 0;
}

/* Read what is there; AGAIN when drained, -1 if the device left. */
static int
drain(struct ios_session *s)
{
	char buf[4096], why[WHY_MAX];
	ssize_t n;

	for (;;) {
		n = libssh2_channel_read(s->ch, buf, sizeof(buf));
		if (n > 0) {
			ios_reader_feed(&s->rd, buf, (size_t)n);
			continue;
		}
		if (n == LIBSSH2_ERROR_EAGAIN && !libssh2_channel_eof(s->ch))
			return AGAIN;
		if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
			fail_ssh(s, "read from the device");
			return -1;
		}
		snprintf(why, sizeof(why), "the device closed the session%s%s",
		    s->rd.error[0] ? ": " : "", s->rd.error);
		fail(s, why);
		return -1;
	}
}

/* --- login --------------------------------------------------------------- */

static void
secret_line(struct ios_session *s, int64_t now_ms)
{
	char secret[SECRET_MAX];

	if (secret_read(s->cf->enable_secret_file, secret,
	    sizeof(secret)) != 0) {
		explicit_bzero(secret, sizeof(secret));
		fail(s, "enable_secret_file cannot be read");
		return;
	}
	say(s, secret, true, now_ms);
	explicit_bzero(secret, sizeof(secret));
}

static void
logged_in(struct ios_session *s, int64_t now_ms)
{
	s->deadline_ms = -1;
	s->keepalive_ms = s->cf->keepalive == 0 ? -1 :
	    now_ms + (int64_t)s->cf->keepalive * 1000;
	s->cmd[0] = '\0';
	s->cbs.ready(s->arg);
}

/* A pager's --More--: a space for the rest, and its marker is dropped. */
static void
press_space(struct ios_session *s, int64_t now_ms)
{
	snprintf(s->out, sizeof(s->out), " ");
	s->out_len = 1;
	s->out_off = 0;
	ios_reader_cut_line(&s->rd);
	s->deadline_ms = now_ms + (int64_t)s->cf->command_timeout * 1000;
}

/* --- scripts ------------------------------------------------------------- */

/* Carry out what the conversation says to do next. */
static void
act(struct ios_session *s, enum talk_do d, const struct talk_out *o,
    int64_t now_ms)
{
	char why[sizeof(s->t.why)];

	if (o->answered >= 0 && s->cbs.answer != NULL)
		s->cbs.answer(s->arg, (size_t)o->answered, s->rd.truncated ?
		    NULL : s->rd.text);
	switch (d) {
	case TALK_WAIT:
		break;
	case TALK_SAY:
		say(s, o->say, false, now_ms);
		break;
	case TALK_SECRET:
		secret_line(s, now_ms);
		break;
	case TALK_LINE:
		say(s, s->lines[o->line], false, now_ms);
		break;
	case TALK_SPACE:
		press_space(s, now_ms);
		break;
	case TALK_READY:
		logged_in(s, now_ms);
		break;
	case TALK_DONE:
		s->deadline_ms = -1;
		s->cbs.done(s->arg, s->t.failed, s->t.failed >= 0 ?
		    s->t.why : NULL);
		break;
	case TALK_FAIL:
		snprintf(why, sizeof(why), "%s", s->t.why);
		fail(s, why);
		break;
	}
}

static int
talk(struct ios_session *s, int64_t now_ms)
{
	struct talk_out o;
	enum ios_prompt p;
	enum talk_do d;
	int r;

	if ((r = flush_out(s)) != 0 || (r = drain(s)) < 0)
		return r;
	if (s->t.phase == TALK_IDLE)
		return AGAIN;	/* banner noise, keepalive replies */
	p = ios_reader_prompt(&s->rd, s->cmd_secret ? NULL : s->cmd);
	if (p == IOS_PROMPT_NONE)
		return AGAIN;
	if (p != IOS_PROMPT_MORE)
		s->cmd_secret = false;
	if ((d = cisco_talk_answer(&s->t, p, &s->rd, time(NULL), &o)) ==
	    TALK_WAIT)
		return AGAIN;
	act(s, d, &o, now_ms);
	return s->state == S_TALK ? 0 : -1;
}

/* --- the owner's side ---------------------------------------------------- */

void
ios_session_connect(struct ios_session *s, int64_t now_ms)
{
	char why[WHY_MAX];

	hang_up(s);
	s->auth_tried = 0;
	s->auth_list = NULL;
	cisco_talk_login(&s->t, s->cf->enable_secret_file != NULL);
	s->deadline_ms = now_ms + (int64_t)s->cf->connect_timeout * 1000;
	if (tcp_start(s) != 0) {
		snprintf(why, sizeof(why), "cannot connect to %s port %u: %s",
		    s->cf->host, s->cf->port, strerror(errno));
		fail(s, why);
		return;
	}
	if ((s->ssh = libssh2_session_init_ex(NULL, NULL, NULL, s)) == NULL ||
	    set_prefs(s) != 0) {
		fail(s, "cannot set up the SSH session (algorithm lists?)");
		return;
	}
	libssh2_session_set_blocking(s->ssh, 0);
	libssh2_keepalive_config(s->ssh, 1, s->cf->keepalive);
	s->state = S_TCP;
	ios_session_step(s, now_ms);
}

int
ios_session_run(struct ios_session *s, const char *const *lines, size_t n,
    int64_t now_ms)
{
	size_t i;

	if (!ios_session_idle(s) || n == 0 || n > IOS_SCRIPT_MAX)
		return SPA_ERR_ARG;
	for (i = 0; i < n; i++)
		if (snprintf(s->lines[i], IOS_CMD_MAX, "%s", lines[i]) >=
		    IOS_CMD_MAX)
			return SPA_ERR_ARG;
	cisco_talk_script(&s->t, n);
	say(s, s->lines[0], false, now_ms);
	ios_session_step(s, now_ms);
	return 0;
}

bool
ios_session_idle(const struct ios_session *s)
{
	return s->state == S_TALK && s->t.phase == TALK_IDLE;
}

bool
ios_session_connected(const struct ios_session *s)
{
	return s->state != S_DOWN;
}

size_t
ios_session_pollfd(const struct ios_session *s, struct pollfd *pfd)
{
	int dir;

	if (s->state == S_DOWN || s->fd < 0)
		return 0;
	pfd->fd = s->fd;
	pfd->revents = 0;
	if (s->state == S_TCP) {
		pfd->events = POLLOUT;
		return 1;
	}
	dir = libssh2_session_block_directions(s->ssh);
	pfd->events = POLLIN;
	if ((dir & LIBSSH2_SESSION_BLOCK_OUTBOUND) ||
	    s->out_off < s->out_len)
		pfd->events |= POLLOUT;
	return 1;
}

int64_t
ios_session_deadline(const struct ios_session *s)
{
	if (s->state == S_TALK && s->t.phase == TALK_IDLE)
		return s->keepalive_ms;
	return s->deadline_ms;
}

/* From the module's timer (ios_session_deadline) while the session idles. */
static void
keepalive(struct ios_session *s, int64_t now_ms)
{
	int next = (int)s->cf->keepalive;

	if (s->keepalive_ms < 0 || now_ms < s->keepalive_ms)
		return;
	if (libssh2_keepalive_send(s->ssh, &next) != 0 &&
	    libssh2_session_last_errno(s->ssh) != LIBSSH2_ERROR_EAGAIN) {
		fail_ssh(s, "keepalive");
		return;
	}
	s->keepalive_ms = now_ms + (int64_t)(next > 0 ? next : 1) * 1000;
}

static void
timed_out(struct ios_session *s)
{
	char why[WHY_MAX];

	if (s->state != S_TALK)
		snprintf(why, sizeof(why), "no login within connect_timeout "
		    "(%u s)", s->cf->connect_timeout);
	else
		snprintf(why, sizeof(why), "no prompt within command_timeout "
		    "(%u s) after '%s'", s->cf->command_timeout,
		    s->cmd_secret ? "(secret)" : s->cmd);
	fail(s, why);
}

void
ios_session_step(struct ios_session *s, int64_t now_ms)
{
	int r = 0;

	while (r == 0) {
		if (s->state != S_DOWN && s->deadline_ms >= 0 &&
		    now_ms >= s->deadline_ms && !ios_session_idle(s)) {
			timed_out(s);
			return;
		}
		switch (s->state) {
		case S_DOWN:
			return;
		case S_TCP:
			r = tcp_done(s);
			break;
		case S_HANDSHAKE:
			r = handshake(s);
			break;
		case S_AUTH:
			r = authenticate(s);
			break;
		case S_CHANNEL:
			r = open_shell(s);
			break;
		case S_TALK:
			r = talk(s, now_ms);
			break;
		}
	}
	if (r == AGAIN && ios_session_idle(s))
		keepalive(s, now_ms);
}

long
ios_session_clock_offset(const struct ios_session *s)
{
	return s->t.clock_offset;
}
