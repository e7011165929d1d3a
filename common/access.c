/*
 * access.conf loader: reads files (and folders of files), splits lines into
 * directive and value, hands each to its handler (access_directive.c),
 * follows %include, %include_folder and %include_keys, checks file
 * permissions on the open descriptor, and validates every stanza when it
 * closes.  The first error stops everything: the caller gets a complete
 * policy or an error naming file, line and reason.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "access_int.h"
#include "crypto.h"
#include "err.h"
#include "log.h"
#include "trust.h"

/* --- errors and warnings ------------------------------------------------- */

/* The current position: the line being read, or the top path. */
static void
position(struct access_parser *p, const char **file, unsigned int *line)
{
	if (p->depth == 0) {
		*file = p->top;
		*line = 0;
	} else {
		*file = p->frames[p->depth - 1].path;
		*line = p->frames[p->depth - 1].line;
	}
}

int
access_fail(struct access_parser *p, const char *fmt, ...)
{
	const char *file;
	unsigned int line;
	va_list ap;

	position(p, &file, &line);
	va_start(ap, fmt);
	err_vformat_at(p->err->text, sizeof(p->err->text), file, line, fmt, ap);
	va_end(ap);
	return SPA_ERR_CONFIG;
}

/*
 * A message about the file `path` names it; at the top, where the
 * position would be that same path, it goes without the position
 * ("cannot open a.conf: ...", not "a.conf: cannot open a.conf: ...").
 */
static void
position_about(struct access_parser *p, const char *path,
    const char **file, unsigned int *line)
{
	position(p, file, line);
	if (*line == 0 && strcmp(*file, path) == 0)
		*file = NULL;
}

static int
fail_about(struct access_parser *p, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail_about(struct access_parser *p, const char *path, const char *fmt, ...)
{
	const char *file;
	unsigned int line;
	va_list ap;

	position_about(p, path, &file, &line);
	va_start(ap, fmt);
	err_vformat_at(p->err->text, sizeof(p->err->text), file, line, fmt, ap);
	va_end(ap);
	return SPA_ERR_CONFIG;
}

static int
fail_at(struct access_parser *p, const char *file, unsigned int line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
fail_at(struct access_parser *p, const char *file, unsigned int line,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vformat_at(p->err->text, sizeof(p->err->text), file, line, fmt, ap);
	va_end(ap);
	return SPA_ERR_CONFIG;
}

int
access_nomem(struct access_parser *p)
{
	access_fail(p, "out of memory");
	return SPA_ERR_NOMEM;
}

static void
warn_at(const char *file, unsigned int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
warn_at(const char *file, unsigned int line, const char *fmt, ...)
{
	char text[sizeof(((struct access_error *)0)->text)];
	va_list ap;

	va_start(ap, fmt);
	err_vformat_at(text, sizeof(text), file, line, fmt, ap);
	va_end(ap);
	log_warnx("%s", text);
}

static void
warn_about(struct access_parser *p, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As fail_about(), for a warning. */
static void
warn_about(struct access_parser *p, const char *path, const char *fmt, ...)
{
	char text[sizeof(p->err->text)];
	const char *file;
	unsigned int line;
	va_list ap;

	position_about(p, path, &file, &line);
	va_start(ap, fmt);
	err_vformat_at(text, sizeof(text), file, line, fmt, ap);
	va_end(ap);
	log_warnx("%s", text);
}

void
access_warn(struct access_parser *p, const char *fmt, ...)
{
	char text[sizeof(p->err->text)];
	const char *file;
	unsigned int line;
	va_list ap;

	position(p, &file, &line);
	va_start(ap, fmt);
	err_vformat_at(text, sizeof(text), file, line, fmt, ap);
	va_end(ap);
	log_warnx("%s", text);
}

/* --- parser state -------------------------------------------------------- */

struct access_frame *
access_frame(struct access_parser *p)
{
	return &p->frames[p->depth - 1];
}

struct stanza *
access_cur(struct access_parser *p)
{
	return access_frame(p)->cur->st;
}

/* Keep every path read until the end: marks point into them. */
static const char *
keep_path(struct access_parser *p, char *path)
{
	char **v;

	if (path == NULL)
		return NULL;
	if ((v = reallocarray(p->paths, p->npaths + 1, sizeof(*v))) == NULL) {
		free(path);
		return NULL;
	}
	p->paths = v;
	p->paths[p->npaths++] = path;
	return path;
}

/* Relative to the including file's directory (or CWD for a buffer). */
static const char *
resolve(struct access_parser *p, const char *rel)
{
	const struct access_frame *f = access_frame(p);
	const char *slash = strrchr(f->path, '/');
	char *out = NULL;

	if (rel[0] == '/' || f->cwd_relative || slash == NULL)
		return keep_path(p, strdup(rel));
	if (asprintf(&out, "%.*s/%s", (int)(slash - f->path), f->path,
	    rel) < 0)
		return NULL;
	return keep_path(p, out);
}

/* A NULL stat means an in-memory file: its includes are relative to CWD. */
static void
push_frame(struct access_parser *p, const char *path, enum file_kind kind,
    const struct stat *sb)
{
	struct access_open *includer = NULL;
	struct access_frame *f = NULL;

	if (p->depth > 0)
		includer = access_frame(p)->cur;
	f = &p->frames[p->depth++];

	memset(f, 0, sizeof(*f));
	f->path = path;
	f->keys = kind == FILE_KEYS;
	f->cur = f->keys ? includer : &f->open;
	/* a file a member includes is still that user's */
	f->user_file = kind != FILE_ACCESS ? path : p->depth > 1 ?
	    p->frames[p->depth - 2].user_file : NULL;
	if (sb != NULL) {
		f->dev = sb->st_dev;
		f->ino = sb->st_ino;
		f->has_id = true;
	} else
		f->cwd_relative = true;
}

/* --- stanzas ------------------------------------------------------------- */

static int
validate_stanza(struct access_parser *p, struct access_open *o);

int
access_stanza_begin(struct access_parser *p)
{
	struct access_frame *f = access_frame(p);
	struct access_conf *conf = p->conf;
	struct stanza *st = NULL, **v;
	int r;

	if (f->cur->st != NULL && (r = validate_stanza(p, f->cur)) != 0)
		return r;
	if ((v = reallocarray(conf->stanzas, conf->n + 1, sizeof(*v))) == NULL)
		return access_nomem(p);
	conf->stanzas = v;
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->file = strdup(f->path)) == NULL) {
		free(st);
		return access_nomem(p);
	}
	st->number = (unsigned int)conf->n + 1;
	st->line = f->line;
	st->fw_access_timeout = ACCESS_DEF_FW_TIMEOUT;
	st->max_fw_timeout = ACCESS_DEF_MAX_TIMEOUT;
	st->mode = SPA_MODE_CBC;
	st->knock_interval = KNOCK_DEF_INTERVAL;
	conf->stanzas[conf->n++] = st;
	memset(f->cur, 0, sizeof(*f->cur));
	f->cur->st = st;
	return 0;
}

/* --- stanza validation --------------------------------------------------- */

/* Where a directive was set, or the stanza's SOURCE line. */
static void
mark_pos(const struct access_open *o, enum access_slot slot,
    const char **file, unsigned int *line)
{
	if (o->marks[slot].file != NULL) {
		*file = o->marks[slot].file;
		*line = o->marks[slot].line;
	} else {
		*file = o->st->file;
		*line = o->st->line;
	}
}

static bool
is_set(const struct access_open *o, enum access_slot slot)
{
	return o->marks[slot].file != NULL;
}

/*
 * "stanza #n", with where its SOURCE line is when the message is at
 * another line ("(line 1)", or "(file:1)" in another file): the
 * message's position already names the file.
 */
static void
stanza_label(const struct stanza *st, const char *file, unsigned int line,
    char *buf, size_t len)
{
	if (strcmp(file, st->file) != 0)
		snprintf(buf, len, "stanza #%u (%s:%u)", st->number, st->file,
		    st->line);
	else if (line != st->line)
		snprintf(buf, len, "stanza #%u (line %u)", st->number,
		    st->line);
	else
		snprintf(buf, len, "stanza #%u", st->number);
}

static int
fail_stanza(struct access_parser *p, const struct access_open *o,
    enum access_slot slot, const char *what)
{
	const char *file;
	unsigned int line;
	char label[sizeof(((struct access_error *)0)->text)];

	mark_pos(o, slot, &file, &line);
	stanza_label(o->st, file, line, label, sizeof(label));
	return fail_at(p, file, line, "%s%s", label, what);
}

static void
warn_stanza(const struct access_open *o, enum access_slot slot,
    const char *what)
{
	const char *file;
	unsigned int line;
	char label[sizeof(((struct access_error *)0)->text)];

	mark_pos(o, slot, &file, &line);
	stanza_label(o->st, file, line, label, sizeof(label));
	warn_at(file, line, "%s%s", label, what);
}

/*
 * A Rijndael KEY, GnuPG keys (GPG_DECRYPT_PW or GPG_ALLOW_NO_PW), or both:
 * the packet's size picks which is tried, as fwknopd does.
 */
static int
check_key(struct access_parser *p, struct access_open *o)
{
	struct stanza *st = o->st;

	st->gpg = st->has_gpg_decrypt_pw || st->gpg_allow_no_pw;
	st->gpg_only = !st->has_enc_key || st->mode == SPA_MODE_ASYMMETRIC;
	if (st->mode == SPA_MODE_ASYMMETRIC && !st->gpg)
		return fail_stanza(p, o, SLOT_ENCRYPTION_MODE, ": ENCRYPTION_MODE "
		    "Asymmetric needs GPG_DECRYPT_PW or GPG_ALLOW_NO_PW");
	if (!st->gpg && !st->has_enc_key)
		return fail_stanza(p, o, SLOT_NONE, " has no key (KEY, "
		    "KEY_BASE64, GPG_DECRYPT_PW or GPG_ALLOW_NO_PW)");
	return 0;
}

static int
check_gpg_ids(struct access_parser *p, struct access_open *o,
    enum access_slot slot, const char *list, bool fingerprints)
{
	char bad[64];

	if (list == NULL || gpg_ids_check(list, fingerprints, bad,
	    sizeof(bad)) == 0)
		return 0;
	return fail_stanza(p, o, slot, fingerprints ? ": GPG_FINGERPRINT_ID: "
	    "not a fingerprint of 40 hex digits" : ": GPG_REMOTE_ID: not a "
	    "key ID of 8 or 16 hex digits");
}

/* A GPG_DECRYPT_ID gpg could read (gpg.h); which key it names is known
   only once the verifier loads the keyring. */
static int
check_decrypt_id(struct access_parser *p, struct access_open *o)
{
	struct gpg_spec sp;

	if (o->st->gpg_decrypt_id == NULL ||
	    gpg_spec_parse(o->st->gpg_decrypt_id, &sp) == 0)
		return 0;
	return fail_stanza(p, o, SLOT_GPG_DECRYPT_ID, ": GPG_DECRYPT_ID: "
	    "names no key the way gpg reads a name (0x needs 8, 16 or 40 hex "
	    "digits; @, = and <> need text)");
}

/*
 * fwknopd's signature rules: required unless GPG_DISABLE_SIG (GPG_REQUIRE_SIG
 * wins when both are set), and then a signer list is needed.
 */
static int
check_gpg_sig(struct access_parser *p, struct access_open *o)
{
	struct stanza *st = o->st;

	if (st->gpg_require_sig && st->gpg_disable_sig)
		warn_stanza(o, SLOT_GPG_DISABLE_SIG, ": GPG_REQUIRE_SIG and "
		    "GPG_DISABLE_SIG are both set: signatures are checked");
	st->gpg_require_sig = st->gpg_require_sig || !st->gpg_disable_sig;
	if (!st->gpg_require_sig) {
		warn_stanza(o, SLOT_GPG_DISABLE_SIG, ": GPG_DISABLE_SIG: any "
		    "packet encrypted to the stanza's key is accepted, signed "
		    "or not");
		if (st->gpg_ignore_sig_verify_error)
			warn_stanza(o, SLOT_GPG_IGNORE_SIG_VERIFY_ERROR, ": "
			    "GPG_IGNORE_SIG_VERIFY_ERROR has no effect without "
			    "signature checks");
		return 0;
	}
	if (st->gpg_remote_id == NULL && st->gpg_fingerprint_id == NULL)
		return fail_stanza(p, o, SLOT_NONE, ": GnuPG signatures are "
		    "required: name the signers with GPG_REMOTE_ID or "
		    "GPG_FINGERPRINT_ID (or set GPG_DISABLE_SIG Y)");
	return 0;
}

static int
check_gpg(struct access_parser *p, struct access_open *o)
{
	struct stanza *st = o->st;
	int r;

	if (!st->gpg) {
		free(st->gpg_user_file);	/* no keys to load */
		st->gpg_user_file = NULL;
		st->gpg_home_per_user = false;
		return 0;
	}
	if ((r = check_decrypt_id(p, o)) != 0 ||
	    (r = check_gpg_ids(p, o, SLOT_GPG_REMOTE_ID, st->gpg_remote_id,
	    false)) != 0 || (r = check_gpg_ids(p, o, SLOT_GPG_FINGERPRINT_ID,
	    st->gpg_fingerprint_id, true)) != 0 ||
	    (r = check_gpg_sig(p, o)) != 0)
		return r;
	if (st->has_hmac_key && st->gpg_decrypt_pw != NULL &&
	    st->hmac_key_len == strlen(st->gpg_decrypt_pw) &&
	    crypto_ct_equal(st->hmac_key, st->gpg_decrypt_pw,
	    st->hmac_key_len))
		return fail_stanza(p, o, SLOT_HMAC_KEY, ": the HMAC key is "
		    "identical to GPG_DECRYPT_PW");
	if (st->gpg_exe != NULL)
		warn_stanza(o, SLOT_GPG_EXE, ": GPG_EXE is not used: spagated "
		    "decrypts GnuPG packets in process (librnp), it runs no "
		    "gpg");
	return 0;
}

/* The client truncates legacy-mode keys to 16 bytes: so do we. */
static void
legacy_truncate(struct access_open *o)
{
	struct stanza *st = o->st;

	if (st->mode != SPA_MODE_LEGACY || st->enc_key_len <= 16)
		return;
	warn_stanza(o, SLOT_KEY, ": ENCRYPTION_MODE legacy uses only the "
	    "first 16 bytes of the key");
	crypto_wipe(st->enc_key + 16, sizeof(st->enc_key) - 16);
	st->enc_key_len = 16;
}

static int
check_hmac(struct access_parser *p, struct access_open *o)
{
	struct stanza *st = o->st;

	if (!st->has_hmac_key) {
		if (is_set(o, SLOT_HMAC_DIGEST_TYPE))
			warn_stanza(o, SLOT_HMAC_DIGEST_TYPE, ": "
			    "HMAC_DIGEST_TYPE without an HMAC key has no "
			    "effect");
		if (!st->gpg_only)
			warn_stanza(o, SLOT_NONE, " has no HMAC key: packets "
			    "are not authenticated before decryption");
		return 0;
	}
	if (st->has_enc_key && st->hmac_key_len == st->enc_key_len &&
	    crypto_ct_equal(st->hmac_key, st->enc_key, st->enc_key_len))
		return fail_stanza(p, o, SLOT_HMAC_KEY, ": the HMAC key is "
		    "identical to the encryption key");
	if (st->mode == SPA_MODE_LEGACY)
		return fail_stanza(p, o, SLOT_ENCRYPTION_MODE, ": "
		    "ENCRYPTION_MODE legacy cannot be used with an HMAC key");
	if (!is_set(o, SLOT_HMAC_DIGEST_TYPE))
		st->hmac_type = SPA_DIGEST_SHA256;
	return 0;
}

static int
check_cycle(struct access_parser *p, const struct access_open *o)
{
	const struct stanza *st = o->st;
	bool close = st->cmd_cycle_close != NULL || st->cmd_cycle_close_none;

	if (st->cmd_cycle_open != NULL && !close)
		return fail_stanza(p, o, SLOT_CMD_CYCLE_OPEN,
		    ": CMD_CYCLE_OPEN without CMD_CYCLE_CLOSE");
	if (st->cmd_cycle_open == NULL && close)
		return fail_stanza(p, o, SLOT_CMD_CYCLE_CLOSE,
		    ": CMD_CYCLE_CLOSE without CMD_CYCLE_OPEN");
	if (st->cmd_cycle_open != NULL && !st->cmd_cycle_close_none &&
	    st->cmd_cycle_timer == 0)
		return fail_stanza(p, o, SLOT_CMD_CYCLE_OPEN,
		    ": CMD_CYCLE_TIMER is required unless CMD_CYCLE_CLOSE "
		    "is NONE");
	if (st->cmd_cycle_open == NULL && st->cmd_cycle_timer != 0)
		warn_stanza(o, SLOT_CMD_CYCLE_TIMER, ": CMD_CYCLE_TIMER "
		    "without CMD_CYCLE_OPEN has no effect");
	if (st->cmd_cycle_open == NULL && (st->cmd_cycle_refresh != NULL ||
	    st->cmd_cycle_refresh_none))
		return fail_stanza(p, o, SLOT_CMD_CYCLE_REFRESH,
		    ": CMD_CYCLE_REFRESH without CMD_CYCLE_OPEN");
	if (st->cmd_cycle_close == NULL && st->cmd_cycle_close_nabsent != 0)
		return fail_stanza(p, o, SLOT_CMD_CYCLE_CLOSE_ABSENT,
		    ": CMD_CYCLE_CLOSE_ABSENT without a CMD_CYCLE_CLOSE "
		    "command");
	return 0;
}

static int
check_nat(struct access_parser *p, const struct access_open *o)
{
	const struct stanza *st = o->st;

	if (st->has_force_nat || st->forward_all)
		return 0;
	if (st->has_force_snat)
		return fail_stanza(p, o, SLOT_FORCE_SNAT,
		    ": FORCE_SNAT needs FORCE_NAT or FORWARD_ALL");
	if (st->force_masquerade)
		return fail_stanza(p, o, SLOT_FORCE_MASQUERADE,
		    ": FORCE_MASQUERADE needs FORCE_NAT or FORWARD_ALL");
	return 0;
}

/*
 * Both set and different: a grant without the client's timeout lasts
 * CMD_CYCLE_TIMER, the time the cycle's close is scheduled after (as in
 * fwknopd); FW_ACCESS_TIMEOUT then only names a value ($FW_ACCESS_TIMEOUT).
 */
static void
check_timers(const struct access_open *o)
{
	const struct stanza *st = o->st;
	char what[200];

	if (st->cmd_cycle_open == NULL || st->cmd_cycle_timer == 0 ||
	    !is_set(o, SLOT_FW_ACCESS_TIMEOUT) ||
	    st->cmd_cycle_timer == st->fw_access_timeout)
		return;
	snprintf(what, sizeof(what), ": %s %u and FW_ACCESS_TIMEOUT %u "
	    "differ: a grant without the client's timeout lasts %u s (%s "
	    "wins: it times the command cycle)",
	    o->marks[SLOT_CMD_CYCLE_TIMER].name, st->cmd_cycle_timer,
	    st->fw_access_timeout, st->cmd_cycle_timer,
	    o->marks[SLOT_CMD_CYCLE_TIMER].name);
	warn_stanza(o, SLOT_CMD_CYCLE_TIMER, what);
}

static void
check_warnings(const struct access_open *o)
{
	const struct stanza *st = o->st;

	check_timers(o);

	if (st->max_fw_timeout < st->fw_access_timeout)
		warn_stanza(o, SLOT_MAX_FW_TIMEOUT, ": MAX_FW_TIMEOUT is "
		    "smaller than FW_ACCESS_TIMEOUT: grants last at most "
		    "MAX_FW_TIMEOUT");
	if (st->enable_cmd_sudo_exec && !st->enable_cmd_exec)
		warn_stanza(o, SLOT_ENABLE_CMD_SUDO_EXEC, ": "
		    "ENABLE_CMD_SUDO_EXEC has no effect without "
		    "ENABLE_CMD_EXEC");
	/* sudo started as root: root's sudoers line allows everything */
	if (st->enable_cmd_sudo_exec && st->enable_cmd_exec &&
	    st->cmd_exec_user.name == NULL)
		warn_stanza(o, SLOT_ENABLE_CMD_SUDO_EXEC, ": "
		    "ENABLE_CMD_SUDO_EXEC without CMD_EXEC_USER starts sudo "
		    "as root, which sudoers lets run any command: set "
		    "CMD_EXEC_USER to the account your sudoers rules name");
	/* a stanza without a command: executor/plan.c says what it opens */
}

/*
 * The command directives' lines, for the planner's messages: commands
 * are checked after the file is read (executor/plan.c).  They are in
 * the stanza's own file: a key file holds keys only.
 */
static void
keep_at(const struct access_open *o, enum access_slot slot,
    struct stanza_at *at)
{
	at->line = o->marks[slot].file != NULL ? o->marks[slot].line : 0;
	at->name = o->marks[slot].name;
}

static void
keep_positions(const struct access_open *o)
{
	keep_at(o, SLOT_CMD_CYCLE_OPEN, &o->st->at_open);
	keep_at(o, SLOT_CMD_CYCLE_CLOSE, &o->st->at_close);
	keep_at(o, SLOT_CMD_CYCLE_REFRESH, &o->st->at_refresh);
	keep_at(o, SLOT_CMD_CYCLE_CLOSE_ABSENT, &o->st->at_close_absent);
}

/* The timing directives of shared sequences, in a stanza without one. */
static void
warn_knock_timing(const struct access_open *o)
{
	static const enum access_slot slots[] = { SLOT_KNOCK_INTERVAL,
	    SLOT_MIN_TIME_DIFF, SLOT_MAX_TIME_DIFF };
	char what[120];
	size_t i;

	for (i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		if (!is_set(o, slots[i]))
			continue;
		snprintf(what, sizeof(what), ": %s without SHARED_SEQUENCE "
		    "has no effect", o->marks[slots[i]].name);
		warn_stanza(o, slots[i], what);
	}
}

/*
 * A SHARED_SEQUENCE makes a knock stanza (fwknop 1.x): no key, since a
 * knock carries nothing to decrypt, and OPEN_PORTS, since it carries no
 * request either: fwknopd required both so.
 */
static int
check_knock(struct access_parser *p, struct access_open *o)
{
	struct stanza *st = o->st;

	if (!st->knock) {
		warn_knock_timing(o);
		return 0;
	}
	if (st->has_enc_key || st->has_hmac_key || st->has_gpg_decrypt_pw ||
	    st->gpg_allow_no_pw)
		return fail_stanza(p, o, SLOT_SHARED_SEQUENCE, ": "
		    "SHARED_SEQUENCE makes a knock stanza, which takes no key "
		    "(knocks are not encrypted): give SPA a stanza of its own");
	if (!st->has_open_ports)
		return fail_stanza(p, o, SLOT_SHARED_SEQUENCE, ": "
		    "SHARED_SEQUENCE needs OPEN_PORTS (a knock requests "
		    "nothing: OPEN_PORTS is what it opens)");
	if (st->has_min_time_diff && st->has_max_time_diff &&
	    st->max_time_diff <= st->min_time_diff + 1)
		return fail_stanza(p, o, SLOT_MAX_TIME_DIFF, ": "
		    "MAX_TIME_DIFF must exceed MIN_TIME_DIFF by 2 or more "
		    "(knocks must be more than MIN and less than MAX seconds "
		    "apart)");
	st->gpg_only = true;	/* no key: every SPA packet is refused */
	/* the engine is written, its capture and commands are not yet */
	warn_stanza(o, SLOT_SHARED_SEQUENCE, ": spagated does not capture "
	    "knocks yet: this knock stanza opens nothing");
	return 0;
}

static int
validate_stanza(struct access_parser *p, struct access_open *o)
{
	int r;

	/* its key file had an error: whatever else it says, it refuses */
	if (o->st->disabled) {
		access_make_placeholder(o->st);
		return 0;
	}
	if ((r = check_knock(p, o)) != 0)
		return r;
	if (!o->st->knock && ((r = check_key(p, o)) != 0 ||
	    (r = check_hmac(p, o)) != 0))
		return r;
	if ((r = check_gpg(p, o)) != 0 ||
	    (r = check_cycle(p, o)) != 0 || (r = check_nat(p, o)) != 0)
		return r;
	legacy_truncate(o);
	check_warnings(o);
	keep_positions(o);
	return 0;
}

/* --- lines --------------------------------------------------------------- */

/* Split a line in place; false for blank lines and comments. */
static bool
split_line(char *s, char **name, char **value)
{
	char *v, *end;
	size_t n;

	if (*s == ';')
		return false;
	s[strcspn(s, "\r")] = '\0';
	s += strspn(s, " \t");
	if (*s == '\0' || *s == '#')
		return false;
	*name = s;
	s += strcspn(s, " \t");
	if (*s != '\0') {
		*s++ = '\0';
		s += strspn(s, " \t");
	}
	v = s;
	v[strcspn(v, ";")] = '\0';
	end = v + strlen(v);
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	*value = v;
	if ((n = strlen(*name)) > 1 && (*name)[n - 1] == ':')
		(*name)[n - 1] = '\0';
	return true;
}

/*
 * The word is not shown: the file may not be an access file at all (a
 * link to the shadow file), or hold a key (a key file's text is its
 * owner's).  A directive it is close to is named from the table.
 */
static int
unknown_directive(struct access_parser *p, const char *name)
{
	const struct access_directive *d = access_directive_suggest(name);

	if (d != NULL)
		return access_fail(p, "unknown directive (did you mean '%s'?)",
		    d->name);
	return access_fail(p, "unknown directive (its text is not shown)");
}

static int
check_duplicate(struct access_parser *p, const struct access_directive *d)
{
	const struct access_frame *f = access_frame(p);
	const struct access_mark *m = &f->cur->marks[d->slot];
	char as[80] = "";

	if (d->slot == SLOT_NONE || m->file == NULL)
		return 0;
	if (strcmp(m->name, d->name) != 0)
		snprintf(as, sizeof(as), " as %s", m->name);
	if (strcmp(m->file, f->path) == 0)
		return access_fail(p, "duplicate %s (first set at line %u%s)",
		    d->name, m->line, as);
	return access_fail(p, "duplicate %s (first set at %s:%u%s)", d->name,
	    m->file, m->line, as);
}

static int
check_placement(struct access_parser *p, const struct access_directive *d)
{
	const struct access_frame *f = access_frame(p);

	if (f->keys && !(d->flags & AD_KEYFILE))
		return access_fail(p, "%s is not allowed in a key file (only "
		    "KEY, KEY_BASE64, HMAC_KEY, HMAC_KEY_BASE64, "
		    "GPG_DECRYPT_ID, GPG_DECRYPT_PW, GPG_ALLOW_NO_PW)",
		    d->name);
	if (!(d->flags & AD_OUTSIDE) && f->cur->st == NULL)
		return access_fail(p, "%s appears before the first SOURCE line",
		    d->name);
	return 0;
}

/*
 * A directive that chooses a stanza's GnuPG keys, read in a per-user
 * file: that user's keys, whose failure to load disables this stanza
 * only (access.h).
 */
static int
note_gpg_user_file(struct access_parser *p, const struct access_directive *d)
{
	const struct access_frame *f = access_frame(p);
	struct stanza *st = f->cur->st;

	if ((d->slot != SLOT_GPG_HOME_DIR && d->slot != SLOT_GPG_DECRYPT_ID &&
	    d->slot != SLOT_GPG_DECRYPT_PW && d->slot != SLOT_GPG_ALLOW_NO_PW) ||
	    f->user_file == NULL || st == NULL)
		return 0;
	if (d->slot == SLOT_GPG_HOME_DIR)
		st->gpg_home_per_user = true;
	if (st->gpg_user_file == NULL &&
	    (st->gpg_user_file = strdup(f->user_file)) == NULL)
		return access_nomem(p);
	return 0;
}

static int
dispatch(struct access_parser *p, const char *name, char *value)
{
	const struct access_directive *d = access_directive_find(name);
	struct access_frame *f;
	size_t n = strlen(value);
	int r;

	if (d == NULL)
		return unknown_directive(p, name);
	if (n == 0)
		return access_fail(p, "missing value for %s", name);
	if ((r = check_placement(p, d)) != 0 ||
	    (r = check_duplicate(p, d)) != 0)
		return r;
	if (n >= 2 && value[0] == '"' && value[n - 1] == '"')
		access_warn(p, "the value of %s is in double quotes: "
		    "quotes are part of the value", name);
	if ((r = d->handler(p, d, value)) != 0 ||
	    (r = note_gpg_user_file(p, d)) != 0)
		return r;
	f = access_frame(p);
	if (d->slot != SLOT_NONE) {
		f->cur->marks[d->slot].file = f->path;
		f->cur->marks[d->slot].name = d->name;
		f->cur->marks[d->slot].line = f->line;
	}
	return 0;
}

static int
parse_line(struct access_parser *p, char *line, size_t n)
{
	char *name = NULL, *value = NULL;

	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (n > ACCESS_LINE_MAX)
		return access_fail(p, "line is longer than %d bytes",
		    ACCESS_LINE_MAX);
	if (memchr(line, '\0', n) != NULL)
		return access_fail(p, "line contains a NUL byte");
	line[n] = '\0';
	if (!split_line(line, &name, &value))
		return 0;
	return dispatch(p, name, value);
}

/* buf holds len bytes plus one spare byte for the last line's NUL. */
static int
parse_buffer(struct access_parser *p, char *buf, size_t len)
{
	struct access_frame *f = access_frame(p);
	char *line = buf, *end = buf + len, *nl;
	int r;

	while (line < end) {
		nl = memchr(line, '\n', (size_t)(end - line));
		f->line++;
		f->next = nl != NULL ? (size_t)(nl + 1 - buf) : len;
		r = parse_line(p, line,
		    (size_t)((nl != NULL ? nl : end) - line));
		if (r != 0 || nl == NULL)
			return r;
		line = nl + 1;
	}
	return 0;
}

/* Parse a file's bytes on a new frame; its last stanza closes at EOF. */
static int
parse_frame(struct access_parser *p, const char *path, enum file_kind kind,
    const struct stat *sb, char *buf, size_t len)
{
	struct access_frame *f;
	int r;

	push_frame(p, path, kind, sb);
	f = access_frame(p);
	if ((r = parse_buffer(p, buf, len)) == 0 && f->open.st != NULL)
		r = validate_stanza(p, &f->open);
	if (r == 0)
		p->depth--;
	return r;
}

/* --- files --------------------------------------------------------------- */

/*
 * The one file-trust rule (trust.h); key files may belong to their user.
 * A key file holds a secret and a folder member may sit in a folder its
 * owner lets others fill: both are named as themselves, never through a
 * link.  Readable by others is the admin's choice, and warned about.
 */
static unsigned int
trust_flags(enum file_kind kind)
{
	switch (kind) {
	case FILE_KEYS:
		return TRUST_NOFOLLOW | TRUST_ANY_OWNER;
	case FILE_MEMBER:
		return TRUST_NOFOLLOW;
	default:
		return 0;
	}
}

static void
warn_readable(struct access_parser *p, const char *path,
    const struct stat *sb, enum file_kind kind)
{
	if (kind == FILE_KEYS && (sb->st_mode & S_IROTH))
		warn_about(p, path, "%s is readable by others: it holds keys",
		    path);
	else if (kind != FILE_KEYS && (sb->st_mode & (S_IRGRP | S_IROTH)))
		warn_about(p, path, "%s is readable by group or others: it holds "
		    "keys", path);
}

static int
check_loop(struct access_parser *p, const char *path, const struct stat *sb)
{
	size_t i;

	for (i = 0; i < p->depth; i++)
		if (p->frames[i].has_id && p->frames[i].dev == sb->st_dev &&
		    p->frames[i].ino == sb->st_ino)
			return access_fail(p, "include loop: %s is already "
			    "being read", path);
	return 0;
}

/* Grow a secret-holding buffer without leaving a copy behind. */
static char *
grow(char *buf, size_t used, size_t cap)
{
	char *nbuf = malloc(cap);

	if (nbuf != NULL && buf != NULL)
		memcpy(nbuf, buf, used);
	if (buf != NULL) {
		crypto_wipe(buf, used);
		free(buf);
	}
	return nbuf;
}

/* Read the whole file, keeping one spare byte after the data. */
static int
read_all(struct access_parser *p, int fd, const char *path, off_t size,
    char **out, size_t *outlen)
{
	size_t cap = (size_t)size + 1 < 4096 ? 4096 : (size_t)size + 1;
	size_t len = 0;
	char *buf = NULL;
	ssize_t n = 0;

	if ((buf = grow(NULL, 0, cap)) == NULL)
		return access_nomem(p);
	for (;;) {
		if (len + 1 == cap) {
			cap = cap * 2 > ACCESS_FILE_MAX + 2 ?
			    ACCESS_FILE_MAX + 2 : cap * 2;
			if (len + 1 == cap)
				break;
			if ((buf = grow(buf, len, cap)) == NULL)
				return access_nomem(p);
		}
		if ((n = read(fd, buf + len, cap - len - 1)) <= 0)
			break;
		len += (size_t)n;
	}
	*out = buf;
	*outlen = len;
	if (n < 0)
		return fail_about(p, path, "cannot read %s: %s", path,
		    strerror(errno));
	if (len + 1 == cap)
		return fail_about(p, path, "%s is larger than %d bytes", path,
		    ACCESS_FILE_MAX);
	return 0;
}

/*
 * Open and check a file; 1 means "skip it" (a directory in a folder).
 * Every check is on the open descriptor, so the file cannot change
 * between the check and the read.
 */
static int
open_checked(struct access_parser *p, int dirfd, const char *name,
    const char *path, enum file_kind kind, int *fdp, struct stat *sb)
{
	const char *why = NULL;
	int fd, r;

	memset(sb, 0, sizeof(*sb));
	fd = trust_openat(dirfd, name, trust_flags(kind), sb, &why);
	if (fd == -1) {
		if (why == NULL)
			return fail_about(p, path, "cannot open %s: %s", path,
			    strerror(errno));
		if (kind == FILE_MEMBER && S_ISDIR(sb->st_mode)) {
			warn_about(p, path, "%s is a directory: skipped", path);
			return 1;
		}
		return fail_about(p, path, "%s %s", path, why);
	}
	warn_readable(p, path, sb, kind);
	if ((r = check_loop(p, path, sb)) == 0 && sb->st_size > ACCESS_FILE_MAX)
		r = fail_about(p, path, "%s is larger than %d bytes", path,
		    ACCESS_FILE_MAX);
	if (r != 0) {
		close(fd);
		return r;
	}
	*fdp = fd;
	return 0;
}

/* `name` is opened relative to `dirfd`; `path` is what messages say. */
static int
read_at(struct access_parser *p, int dirfd, const char *name,
    const char *path, enum file_kind kind)
{
	size_t depth = p->depth, first = p->conf->n, len = 0;
	struct stat sb;
	char *buf = NULL;
	int fd = -1, r;

	if (path == NULL)
		return access_nomem(p);
	if (p->depth > ACCESS_INCLUDE_DEPTH)
		r = access_fail(p, "includes nested deeper than %d levels "
		    "(%s)", ACCESS_INCLUDE_DEPTH, path);
	else
		r = open_checked(p, dirfd, name, path, kind, &fd, &sb);
	if (r != 0)
		return r == 1 ? 0 : access_contain(p, kind, path, depth, first,
		    NULL, 0, r);
	r = read_all(p, fd, path, sb.st_size, &buf, &len);
	close(fd);
	if (r == 0)
		r = parse_frame(p, path, kind, &sb, buf, len);
	if (r != 0)
		r = access_contain(p, kind, path, depth, first, buf, len, r);
	if (buf != NULL) {
		crypto_wipe(buf, len);
		free(buf);
	}
	return r;
}

static int
read_file(struct access_parser *p, const char *path, enum file_kind kind)
{
	return read_at(p, AT_FDCWD, path, path, kind);
}

int
access_include(struct access_parser *p, const char *path, bool keys)
{
	return read_file(p, resolve(p, path), keys ? FILE_KEYS : FILE_ACCESS);
}

/* --- folders ------------------------------------------------------------- */

static bool
is_conf_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".conf") == 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The *.conf names of an open folder, sorted by byte order. */
static int
list_folder(struct access_parser *p, const char *dir, int dfd, char ***out,
    size_t *n)
{
	DIR *d = NULL;
	struct dirent *de;
	char **v = NULL, **nv;
	size_t cnt = 0;
	int fd = dup(dfd);

	if (fd == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return access_fail(p, "cannot read folder %s: %s", dir,
		    strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_conf_name(de->d_name))
			continue;
		if ((nv = reallocarray(v, cnt + 1, sizeof(*v))) == NULL ||
		    (nv[cnt] = strdup(de->d_name)) == NULL) {
			closedir(d);
			free_names(nv != NULL ? nv : v, cnt);
			return access_nomem(p);
		}
		v = nv;
		cnt++;
	}
	closedir(d);
	if (cnt > 0)
		qsort(v, cnt, sizeof(*v), cmp_names);
	*out = v;
	*n = cnt;
	return 0;
}

static const char *
member_path(struct access_parser *p, const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *out = NULL;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (asprintf(&out, "%.*s%s%s", (int)n, dir,
	    dir[n - 1] == '/' ? "" : "/", name) < 0)
		return NULL;
	return keep_path(p, out);
}

/*
 * Whoever may add a name to a folder chooses what it holds: the folder is
 * trusted like a file (trust.h), and its members are opened through the
 * descriptor that was checked, each named as itself.
 */
static int
open_folder(struct access_parser *p, const char *dir, int *dfd)
{
	const char *why = NULL;
	struct stat sb;

	if ((*dfd = trust_open(dir, TRUST_DIR, &sb, &why)) != -1)
		return 0;
	if (why != NULL)
		return fail_about(p, dir, "folder %s %s", dir, why);
	return fail_about(p, dir, "cannot open folder %s: %s", dir,
	    strerror(errno));
}

static int
read_folder(struct access_parser *p, const char *dir)
{
	char **names = NULL;
	size_t i, n = 0;
	int dfd = -1, r;

	if (dir == NULL)
		return access_nomem(p);
	if ((r = open_folder(p, dir, &dfd)) != 0)
		return r;
	if ((r = list_folder(p, dir, dfd, &names, &n)) == 0)
		for (i = 0; i < n && r == 0; i++)
			r = read_at(p, dfd, names[i],
			    member_path(p, dir, names[i]), FILE_MEMBER);
	free_names(names, n);
	close(dfd);
	return r;
}

int
access_include_folder(struct access_parser *p, const char *dir)
{
	return read_folder(p, resolve(p, dir));
}

/* --- loading ------------------------------------------------------------- */

static void
parser_free(struct access_parser *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->npaths; i++)
		free(p->paths[i]);
	free(p->paths);
	free(p);
}

/* Set up, run `load`, check the result, and hand over or free it. */
static int
load(const char *top, int (*fn)(struct access_parser *, const void *),
    const void *arg, struct access_conf **out, struct access_error *err)
{
	struct access_error local;
	struct access_parser *p = NULL;
	int r;

	*out = NULL;
	if (err == NULL)
		err = &local;
	err->text[0] = '\0';
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->conf = calloc(1, sizeof(*p->conf))) == NULL) {
		snprintf(err->text, sizeof(err->text), "%s: out of memory", top);
		free(p);
		return SPA_ERR_NOMEM;
	}
	p->err = err;
	p->top = top;
	p->depth = 0;
	if ((r = fn(p, arg)) == 0)
		r = access_check_usable(p);
	if (r == 0)
		*out = p->conf;
	else
		access_free(p->conf);
	parser_free(p);
	return r;
}

static int
load_file(struct access_parser *p, const void *arg)
{
	return read_file(p, keep_path(p, strdup(p->top)), FILE_ACCESS);
}

static int
load_folder(struct access_parser *p, const void *arg)
{
	return read_folder(p, p->top);
}

int
access_load(const char *path, bool folder, struct access_conf **out,
    struct access_error *err)
{
	return load(path, folder ? load_folder : load_file, NULL, out, err);
}

struct buffer_arg {
	const char	*buf;
	size_t		 len;
};

static int
load_mem(struct access_parser *p, const void *arg)
{
	const struct buffer_arg *b = arg;
	const char *path = keep_path(p, strdup(p->top));
	char *copy = NULL;
	int r;

	if (path == NULL || (copy = malloc(b->len + 1)) == NULL)
		return access_nomem(p);
	memcpy(copy, b->buf, b->len);
	r = parse_frame(p, path, FILE_ACCESS, NULL, copy, b->len);
	crypto_wipe(copy, b->len);
	free(copy);
	return r;
}

int
access_load_buffer(const char *name, const char *buf, size_t len,
    struct access_conf **out, struct access_error *err)
{
	struct buffer_arg b = { buf, len };

	return load(name, load_mem, &b, out, err);
}

/* --- using and freeing the result ---------------------------------------- */

static void
account_free(struct access_account *a)
{
	free(a->name);
	a->name = NULL;
}

void
access_stanza_clear(struct stanza *st)
{
	crypto_wipe(st->enc_key, sizeof(st->enc_key));
	crypto_wipe(st->hmac_key, sizeof(st->hmac_key));
	addr_list_free(&st->source);
	addr_list_free(&st->destination);
	free(st->open_ports.v);
	free(st->restrict_ports.v);
	free(st->require_username);
	account_free(&st->cmd_exec_user);
	account_free(&st->cmd_exec_group);
	account_free(&st->cmd_sudo_exec_user);
	account_free(&st->cmd_sudo_exec_group);
	free(st->cmd_cycle_open);
	free(st->cmd_cycle_close);
	free(st->cmd_cycle_refresh);
	free(st->gpg_home_dir);
	free(st->gpg_exe);
	free(st->gpg_decrypt_id);
	free(st->gpg_remote_id);
	free(st->gpg_fingerprint_id);
	free(st->gpg_user_file);
	if (st->gpg_decrypt_pw != NULL) {
		crypto_wipe(st->gpg_decrypt_pw, strlen(st->gpg_decrypt_pw));
		free(st->gpg_decrypt_pw);
	}
	gpg_keyring_free(&st->gpg_keyring);
}

static void
stanza_free(struct stanza *st)
{
	access_stanza_clear(st);
	free(st->file);
	free(st);
}

void
access_free(struct access_conf *conf)
{
	size_t i;

	if (conf == NULL)
		return;
	for (i = 0; i < conf->n; i++)
		stanza_free(conf->stanzas[i]);
	free(conf->stanzas);
	access_disabled_free(conf);
	free(conf);
}

bool
access_any_source(const struct access_conf *conf, const struct spa_addr *src)
{
	size_t i;

	for (i = 0; i < conf->n; i++)
		if (addr_list_match(&conf->stanzas[i]->source, src))
			return true;
	return false;
}

/* --- dump: the effective policy in access.conf form, keys masked --------- */

#define DUMP_MASK	"********"

static void
dump_line(FILE *fp, const char *name, const char *value)
{
	if (value != NULL)
		fprintf(fp, "%-22s %s\n", name, value);
}

static void
dump_bool(FILE *fp, const char *name, bool v)
{
	dump_line(fp, name, v ? "Y" : "N");
}

static void
dump_uint(FILE *fp, const char *name, unsigned long long v)
{
	fprintf(fp, "%-22s %llu\n", name, v);
}

static void
dump_addrs(FILE *fp, const char *name, const struct spa_addr_list *l)
{
	char buf[ADDR_STRLEN + 8];
	const char *sep = "";
	size_t i;

	fprintf(fp, "%-22s ", name);
	if (l->any) {
		fputs("ANY", fp);
		sep = ", ";
	}
	for (i = 0; i < l->n; i++, sep = ", ")
		fprintf(fp, "%s%s", sep, cidr_fmt(&l->v[i], buf, sizeof(buf)));
	fputc('\n', fp);
}

static void
dump_ports(FILE *fp, const char *name, const struct access_ports *l)
{
	size_t i;

	fprintf(fp, "%-22s ", name);
	for (i = 0; i < l->n; i++)
		fprintf(fp, "%s%s/%u", i > 0 ? ", " : "",
		    l->v[i].proto == IPPROTO_TCP ? "tcp" : "udp",
		    (unsigned int)l->v[i].port);
	fputc('\n', fp);
}

static void
dump_keys(FILE *fp, const struct stanza *st)
{
	if (st->has_enc_key)
		dump_line(fp, "KEY_BASE64", DUMP_MASK);
	if (st->has_hmac_key) {
		dump_line(fp, "HMAC_KEY_BASE64", DUMP_MASK);
		dump_line(fp, "HMAC_DIGEST_TYPE",
		    crypto_digest_name(st->hmac_type));
	}
	dump_line(fp, "ENCRYPTION_MODE", crypto_mode_name(st->mode));
}

static void
dump_expire(FILE *fp, int64_t expire)
{
	time_t t = (time_t)expire;
	char date[64];
	struct tm tm;

	if (expire == 0)
		return;
	if (localtime_r(&t, &tm) != NULL &&
	    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm) > 0)
		fprintf(fp, "# expires %s local time\n", date);
	dump_uint(fp, "ACCESS_EXPIRE_EPOCH", (unsigned long long)expire);
}

static void
dump_absent(FILE *fp, const struct stanza *st)
{
	char v[ACCESS_ABSENT_MAX * 4 + 1] = "";
	size_t i, off = 0;

	for (i = 0; i < st->cmd_cycle_close_nabsent; i++)
		off += (size_t)snprintf(v + off, sizeof(v) - off, "%s%u",
		    i > 0 ? "," : "", st->cmd_cycle_close_absent[i]);
	if (off > 0)
		dump_line(fp, "CMD_CYCLE_CLOSE_ABSENT", v);
}

static void
dump_commands(FILE *fp, const struct stanza *st)
{
	dump_bool(fp, "ENABLE_CMD_EXEC", st->enable_cmd_exec);
	dump_bool(fp, "ENABLE_CMD_SUDO_EXEC", st->enable_cmd_sudo_exec);
	dump_line(fp, "CMD_EXEC_USER", st->cmd_exec_user.name);
	dump_line(fp, "CMD_EXEC_GROUP", st->cmd_exec_group.name);
	dump_line(fp, "CMD_SUDO_EXEC_USER", st->cmd_sudo_exec_user.name);
	dump_line(fp, "CMD_SUDO_EXEC_GROUP", st->cmd_sudo_exec_group.name);
	dump_line(fp, "CMD_CYCLE_OPEN", st->cmd_cycle_open);
	dump_line(fp, "CMD_CYCLE_CLOSE", st->cmd_cycle_close_none ? "NONE" :
	    st->cmd_cycle_close);
	if (st->cmd_cycle_timer != 0)
		dump_uint(fp, "CMD_CYCLE_TIMER", st->cmd_cycle_timer);
	dump_line(fp, "CMD_CYCLE_REFRESH", st->cmd_cycle_refresh_none ?
	    "NONE" : st->cmd_cycle_refresh);
	dump_absent(fp, st);
}

static void
dump_nat(FILE *fp, const struct stanza *st)
{
	char a[ADDR_STRLEN];

	if (st->has_force_nat)
		fprintf(fp, "%-22s %s %u\n", "FORCE_NAT",
		    addr_fmt(&st->force_nat_addr, a),
		    (unsigned int)st->force_nat_port);
	if (st->has_force_snat)
		dump_line(fp, "FORCE_SNAT", addr_fmt(&st->force_snat_addr, a));
	if (st->force_masquerade)
		dump_bool(fp, "FORCE_MASQUERADE", true);
	if (st->disable_dnat)
		dump_bool(fp, "DISABLE_DNAT", true);
	if (st->forward_all)
		dump_bool(fp, "FORWARD_ALL", true);
}

static void
dump_gpg(FILE *fp, const struct stanza *st)
{
	dump_line(fp, "GPG_HOME_DIR", st->gpg_home_dir);
	dump_line(fp, "GPG_EXE", st->gpg_exe);
	dump_line(fp, "GPG_DECRYPT_ID", st->gpg_decrypt_id);
	dump_line(fp, "GPG_DECRYPT_PW", st->has_gpg_decrypt_pw ? DUMP_MASK :
	    NULL);
	if (st->gpg_allow_no_pw)
		dump_bool(fp, "GPG_ALLOW_NO_PW", true);
	if (st->gpg_require_sig)
		dump_bool(fp, "GPG_REQUIRE_SIG", true);
	if (st->gpg_disable_sig)
		dump_bool(fp, "GPG_DISABLE_SIG", true);
	if (st->gpg_ignore_sig_verify_error)
		dump_bool(fp, "GPG_IGNORE_SIG_VERIFY_ERROR", true);
	dump_line(fp, "GPG_REMOTE_ID", st->gpg_remote_id);
	dump_line(fp, "GPG_FINGERPRINT_ID", st->gpg_fingerprint_id);
}

/* The sequence is the stanza's secret: its length only, as keys. */
static void
dump_knock(FILE *fp, const struct stanza *st)
{
	if (!st->knock)
		return;
	fprintf(fp, "%-22s (%zu knocks, not shown)\n", "SHARED_SEQUENCE",
	    st->shared_sequence.n);
	dump_uint(fp, "KNOCK_INTERVAL", st->knock_interval);
	if (st->has_min_time_diff)
		dump_uint(fp, "MIN_TIME_DIFF", st->min_time_diff);
	if (st->has_max_time_diff)
		dump_uint(fp, "MAX_TIME_DIFF", st->max_time_diff);
}

static void
dump_stanza(FILE *fp, const struct stanza *st)
{
	if (st->disabled) {
		fprintf(fp, "# stanza #%u from %s\n# disabled: refuses every "
		    "packet (an error in its per-user file)\n", st->number,
		    st->file);
		return;
	}
	fprintf(fp, "# stanza #%u from %s:%u\n", st->number, st->file,
	    st->line);
	if (st->knock)
		fputs("# knock stanza: no SPA packet matches it\n", fp);
	else if (st->gpg_only)
		fputs("# GnuPG only: spagated refuses every packet here\n", fp);
	dump_addrs(fp, "SOURCE", &st->source);
	if (st->has_destination)
		dump_addrs(fp, "DESTINATION", &st->destination);
	if (st->has_open_ports)
		dump_ports(fp, "OPEN_PORTS", &st->open_ports);
	if (st->restrict_ports.n > 0)
		dump_ports(fp, "RESTRICT_PORTS", &st->restrict_ports);
	dump_keys(fp, st);
	dump_uint(fp, "FW_ACCESS_TIMEOUT", st->fw_access_timeout);
	dump_uint(fp, "MAX_FW_TIMEOUT", st->max_fw_timeout);
	dump_expire(fp, st->expire);
	dump_line(fp, "REQUIRE_USERNAME", st->require_username);
	dump_bool(fp, "REQUIRE_SOURCE_ADDRESS", st->require_source_address);
	dump_commands(fp, st);
	dump_nat(fp, st);
	dump_gpg(fp, st);
	dump_knock(fp, st);
}

void
access_dump(const struct access_conf *conf, FILE *fp)
{
	size_t i;

	for (i = 0; i < conf->n; i++) {
		if (i > 0)
			fputc('\n', fp);
		dump_stanza(fp, conf->stanzas[i]);
	}
}
