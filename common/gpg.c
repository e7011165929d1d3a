/* A GnuPG stanza's keyring bytes and signer lists (gpg.h). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "err.h"
#include "gpg.h"

static int
start_file(struct gpg_keyring *kr, enum gpg_file_kind kind)
{
	struct gpg_file *v;

	if (kr->n == GPG_FILES_MAX)
		return SPA_ERR_ARG;
	if ((v = reallocarray(kr->v, kr->n + 1, sizeof(*v))) == NULL)
		return SPA_ERR_NOMEM;
	kr->v = v;
	memset(&kr->v[kr->n], 0, sizeof(kr->v[0]));
	kr->v[kr->n++].kind = kind;
	return 0;
}

/* Grow without leaving a copy of secret key bytes behind. */
static int
grow(struct gpg_file *f, size_t add)
{
	uint8_t *p;

	if ((p = malloc(f->len + add)) == NULL)
		return SPA_ERR_NOMEM;
	if (f->len > 0)
		memcpy(p, f->data, f->len);
	if (f->data != NULL) {
		crypto_wipe(f->data, f->len);
		free(f->data);
	}
	f->data = p;
	return 0;
}

int
gpg_keyring_append(struct gpg_keyring *kr, enum gpg_file_kind kind,
    const uint8_t *data, size_t len, bool last)
{
	struct gpg_file *f;
	int r;

	if (kind > GPG_FILE_KIND_MAX || len > GPG_FILE_MAX ||
	    kr->total + len > GPG_KEYRING_MAX)
		return SPA_ERR_ARG;
	if ((kr->n == 0 || kr->v[kr->n - 1].done) &&
	    (r = start_file(kr, kind)) != 0)
		return r;
	f = &kr->v[kr->n - 1];
	if (f->kind != kind || f->len + len > GPG_FILE_MAX)
		return SPA_ERR_ARG;
	if (len > 0) {
		if ((r = grow(f, len)) != 0)
			return r;
		memcpy(f->data + f->len, data, len);
		f->len += len;
		kr->total += len;
	}
	f->done = last;
	return 0;
}

bool
gpg_keyring_complete(const struct gpg_keyring *kr)
{
	return kr->n == 0 || kr->v[kr->n - 1].done;
}

void
gpg_keyring_free(struct gpg_keyring *kr)
{
	size_t i;

	for (i = 0; i < kr->n; i++) {
		if (kr->v[i].data != NULL)
			crypto_wipe(kr->v[i].data, kr->v[i].len);
		free(kr->v[i].data);
	}
	free(kr->v);
	memset(kr, 0, sizeof(*kr));
}

/*
 * The next item of a list into `out` as upper-case hex without blanks;
 * false at the end.  An item with other characters comes out with them,
 * so the caller's length and digit checks refuse it.
 */
static bool
next_item(const char **s, char *out, size_t cap)
{
	const char *p = *s;
	size_t n = 0;

	while (*p == ',' || isspace((unsigned char)*p))
		p++;
	if (*p == '\0')
		return false;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))	/* gpg's 0x form */
		p += 2;
	for (; *p != '\0' && *p != ','; p++) {
		if (isspace((unsigned char)*p))
			continue;
		if (n + 1 < cap)
			out[n] = (char)toupper((unsigned char)*p);
		n++;
	}
	if (n >= cap) {		/* too long: the digit check refuses it */
		out[0] = '!';
		n = cap - 1;
	}
	out[n] = '\0';
	*s = p;
	return true;
}

static bool
is_hex(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

static bool
item_ok(const char *item, bool fingerprints)
{
	size_t n = strlen(item);

	if (!is_hex(item))
		return false;
	return fingerprints ? n == GPG_FPR_HEX : n == 8 || n == 16;
}

int
gpg_ids_check(const char *list, bool fingerprints, char *bad, size_t badlen)
{
	char item[GPG_FPR_HEX + 8];
	const char *s = list;
	size_t count = 0;

	while (next_item(&s, item, sizeof(item))) {
		count++;
		if (!item_ok(item, fingerprints)) {
			snprintf(bad, badlen, "%s", item);
			return SPA_ERR_CONFIG;
		}
	}
	if (count == 0) {
		snprintf(bad, badlen, "(empty)");
		return SPA_ERR_CONFIG;
	}
	return 0;
}

/* Does upper-case `tail` end `s` (compared without regard to case)? */
static bool
ends_with(const char *s, const char *tail)
{
	size_t n, m;

	if (s == NULL)
		return false;
	n = strlen(s);
	m = strlen(tail);
	return m <= n && strcasecmp(s + n - m, tail) == 0;
}

bool
gpg_ids_match(const char *list, bool fingerprints, const char *fpr,
    const char *keyid)
{
	char item[GPG_FPR_HEX + 8];
	const char *s = list;

	while (next_item(&s, item, sizeof(item))) {
		if (!item_ok(item, fingerprints))
			continue;
		if (fingerprints) {
			if (fpr != NULL && strcasecmp(fpr, item) == 0)
				return true;
		} else if (ends_with(fpr, item) || ends_with(keyid, item))
			return true;
	}
	return false;
}

/* --- a key as gpg names one (GPG_DECRYPT_ID) ------------------------------ */

/*
 * Hex digits as gpg reads a key ID or fingerprint: 8, 16 or 40 of them,
 * an optional 0x in front (or a 0 before 8 or 16, gpg's old form), or a
 * fingerprint in groups of 4 with blanks between (as gpg prints it, 0x
 * not allowed then).  The digits, upper case, into out[41]; false if
 * `s` is no such thing.
 */
static bool
hex_key(const char *s, size_t len, bool with_0x, char *out)
{
	size_t n = 0, run = 0, i;	/* digits; blanks in a row */
	bool spaced = false;

	for (i = 0; i < len; i++) {
		if (s[i] == ' ') {	/* 4 digits, 1 blank (2 in the middle) */
			if (with_0x || n % 4 != 0 || (!spaced && n != 4) ||
			    ++run > (n == GPG_FPR_HEX / 2 ? 2 : 1))
				return false;
			spaced = true;
			continue;
		}
		if ((spaced && run == 0 && n % 4 == 0) || n == GPG_FPR_HEX ||
		    !isxdigit((unsigned char)s[i]))
			return false;
		run = 0;
		out[n++] = (char)toupper((unsigned char)s[i]);
	}
	out[n] = '\0';
	if (spaced)
		return n == GPG_FPR_HEX && run == 0;
	if (!with_0x && (n == 9 || n == 17) && out[0] == '0')
		memmove(out, out + 1, n--);
	return n == 8 || n == 16 || n == GPG_FPR_HEX;
}

int
gpg_spec_parse(const char *s, struct gpg_spec *sp)
{
	size_t len;
	bool with_0x;

	memset(sp, 0, sizeof(*sp));
	while (*s == ' ' || *s == '\t')
		s++;
	if ((len = strlen(s)) == 0 || len >= sizeof(sp->text))
		return SPA_ERR_CONFIG;
	with_0x = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	sp->exact_key = s[len - 1] == '!';
	if (hex_key(s + (with_0x ? 2 : 0), len - (with_0x ? 2 : 0) -
	    (sp->exact_key ? 1 : 0), with_0x, sp->text)) {
		sp->kind = strlen(sp->text) == GPG_FPR_HEX ? GPG_SPEC_FPR :
		    GPG_SPEC_KEYID;
		return 0;
	}
	sp->exact_key = false;
	if (with_0x)
		return SPA_ERR_CONFIG;	/* gpg: "Invalid user ID" */
	switch (s[0]) {
	case '<':
		sp->kind = GPG_SPEC_MAIL;
		/* the address: without its brackets, the closing one optional */
		snprintf(sp->text, sizeof(sp->text), "%.*s", (int)(len - 1 -
		    (s[len - 1] == '>' && len > 1 ? 1 : 0)), s + 1);
		break;
	case '@':
		sp->kind = GPG_SPEC_MAILSUB;
		snprintf(sp->text, sizeof(sp->text), "%s", s + 1);
		break;
	case '=':
		sp->kind = GPG_SPEC_EXACT;
		snprintf(sp->text, sizeof(sp->text), "%s", s + 1);
		break;
	case '*':
		sp->kind = GPG_SPEC_SUBSTR;
		snprintf(sp->text, sizeof(sp->text), "%s", s + 1);
		return 0;	/* "*" alone: every user ID */
	default:
		sp->kind = GPG_SPEC_SUBSTR;
		snprintf(sp->text, sizeof(sp->text), "%s", s);
	}
	return sp->text[0] != '\0' ? 0 : SPA_ERR_CONFIG;
}

/* Is `needle` in s[0..len), compared without regard to ASCII case? */
static bool
has_text(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; n <= len && i <= len - n; i++)
		if (strncasecmp(s + i, needle, n) == 0)
			return true;
	return false;
}

/*
 * The address of a user ID: what its last <...> holds (with the brackets
 * if `brackets`: gpg's @ form looks at them too), or the whole of a user
 * ID that is a bare address.  Its start and length; false if none.
 */
static bool
uid_address(const char *uid, bool brackets, const char **addr, size_t *len)
{
	const char *lt = strrchr(uid, '<'), *gt;

	if (lt != NULL && (gt = strchr(lt, '>')) != NULL) {
		*addr = brackets ? lt : lt + 1;
		*len = brackets ? (size_t)(gt - lt) + 1 : (size_t)(gt - lt) - 1;
		return true;
	}
	if (strchr(uid, '@') == NULL || strchr(uid, ' ') != NULL)
		return false;
	*addr = uid;
	*len = strlen(uid);
	return true;
}

bool
gpg_spec_names_uid(const struct gpg_spec *sp, const char *uid)
{
	const char *addr;
	size_t len;

	switch (sp->kind) {
	case GPG_SPEC_MAIL:
		return uid_address(uid, false, &addr, &len) &&
		    len == strlen(sp->text) &&
		    strncasecmp(addr, sp->text, len) == 0;
	case GPG_SPEC_MAILSUB:
		return uid_address(uid, true, &addr, &len) &&
		    has_text(addr, len, sp->text);
	case GPG_SPEC_EXACT:
		return strcmp(uid, sp->text) == 0;
	case GPG_SPEC_SUBSTR:
		return has_text(uid, strlen(uid), sp->text);
	default:
		return false;	/* a key ID names a key, not a user ID */
	}
}

bool
gpg_spec_names_key(const struct gpg_spec *sp, const char *fpr)
{
	switch (sp->kind) {
	case GPG_SPEC_KEYID:
		return ends_with(fpr, sp->text);
	case GPG_SPEC_FPR:
		return fpr != NULL && strcasecmp(fpr, sp->text) == 0;
	default:
		return false;
	}
}
