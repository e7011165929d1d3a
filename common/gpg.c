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
