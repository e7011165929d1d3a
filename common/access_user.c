/*
 * Per-user files: a %include_folder member (one user's stanzas) and a
 * %include_keys file (one user's keys).  An error in one disables what it
 * holds and nothing else, so one user's typo no longer stops the gateway
 * for everyone; the admin's own files (the top file, %include) still
 * refuse the whole policy on any error.
 *
 * A disabled stanza stays in the policy as a placeholder that refuses
 * every packet: no key (never a partial one), no SOURCE, no command, but
 * its number, so that the stanzas after it keep theirs and journaled
 * cycles still meet their stanza.  A member read up to its error also
 * keeps a placeholder for each SOURCE line after it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access_int.h"
#include "crypto.h"
#include "err.h"
#include "log.h"

void
access_make_placeholder(struct stanza *st)
{
	unsigned int number = st->number, line = st->line;
	char *file = st->file;

	access_stanza_clear(st);
	memset(st, 0, sizeof(*st));
	st->number = number;
	st->file = file;
	st->line = line;
	st->disabled = true;
	st->gpg_only = true;	/* policy.c: no key to prepare, refuses */
}

/* "stanzas #2-#4 refuse every packet" */
static void
describe(unsigned int first, unsigned int last, char *buf, size_t len)
{
	if (last < first)
		snprintf(buf, len, "no stanza of its own");
	else if (last == first)
		snprintf(buf, len, "stanza #%u refuses every packet", first);
	else
		snprintf(buf, len, "stanzas #%u-#%u refuse every packet", first,
		    last);
}

/* List the file with the error now in p->err, and log it at error. */
static int
record(struct access_parser *p, const char *path, unsigned int first,
    unsigned int last)
{
	struct access_conf *conf = p->conf;
	struct access_disabled *v, *d;
	char what[96];

	v = reallocarray(conf->disabled, conf->ndisabled + 1, sizeof(*v));
	if (v == NULL)
		return access_nomem(p);
	conf->disabled = v;
	d = &v[conf->ndisabled];
	memset(d, 0, sizeof(*d));
	if ((d->file = strdup(path)) == NULL ||
	    (d->why = strdup(p->err->text)) == NULL) {
		free(d->file);
		return access_nomem(p);
	}
	d->first = first;
	d->last = last;
	conf->ndisabled++;
	describe(first, last, what, sizeof(what));
	log_errx("%s: %s is disabled (%s)", p->err->text, path, what);
	p->err->text[0] = '\0';
	return 0;
}

/* The key file's stanza: no key at all, then a placeholder once it ends. */
static int
disable_keys(struct access_parser *p, const char *path, size_t depth)
{
	struct stanza *st;

	p->depth = depth;
	st = access_cur(p);
	st->disabled = true;
	crypto_wipe(st->enc_key, sizeof(st->enc_key));
	crypto_wipe(st->hmac_key, sizeof(st->hmac_key));
	st->enc_key_len = st->hmac_key_len = 0;
	st->has_enc_key = st->has_hmac_key = false;
	return record(p, path, st->number, st->number);
}

/* SOURCE lines in text not read yet (the rest of a member). */
static size_t
count_sources(const char *s, size_t len)
{
	const char *end = s + len, *nl;
	size_t n = 0, k;

	for (; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		while (s < nl && (*s == ' ' || *s == '\t'))
			s++;
		k = (size_t)(nl - s);
		if (k >= 6 && memcmp(s, "SOURCE", 6) == 0 &&
		    (k == 6 || strchr(" \t:\r", s[6]) != NULL))
			n++;
	}
	return n;
}

static int
add_placeholder(struct access_parser *p, const char *path)
{
	struct access_conf *conf = p->conf;
	struct stanza *st = NULL, **v;

	v = reallocarray(conf->stanzas, conf->n + 1, sizeof(*v));
	if (v == NULL)
		return access_nomem(p);
	conf->stanzas = v;
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->file = strdup(path)) == NULL) {
		free(st);
		return access_nomem(p);
	}
	st->number = (unsigned int)conf->n + 1;
	access_make_placeholder(st);
	conf->stanzas[conf->n++] = st;
	return 0;
}

/* Every stanza the member began, and one per SOURCE line not read. */
static int
disable_member(struct access_parser *p, const char *path, size_t depth,
    size_t first, const char *buf, size_t len)
{
	size_t i, extra = 0, next;
	int r;

	if (buf != NULL && p->depth > depth) {
		next = p->frames[depth].next;
		extra = count_sources(buf + next, len - next);
	}
	p->depth = depth;
	for (i = first; i < p->conf->n; i++)
		access_make_placeholder(p->conf->stanzas[i]);
	for (; extra > 0; extra--)
		if ((r = add_placeholder(p, path)) != 0)
			return r;
	return record(p, path, (unsigned int)first + 1,
	    (unsigned int)p->conf->n);
}

int
access_contain(struct access_parser *p, enum file_kind kind,
    const char *path, size_t depth, size_t first, const char *buf,
    size_t len, int r)
{
	if (r != SPA_ERR_CONFIG || kind == FILE_ACCESS)
		return r;
	if (kind == FILE_KEYS)
		return disable_keys(p, path, depth);
	return disable_member(p, path, depth, first, buf, len);
}

/* The same, for a stanza the executor found unusable after loading. */
int
access_disable_stanza(struct access_conf *conf, struct stanza *st,
    const char *path, const char *why)
{
	struct access_disabled *v, *d;
	char what[96];

	v = reallocarray(conf->disabled, conf->ndisabled + 1, sizeof(*v));
	if (v == NULL)
		return SPA_ERR_NOMEM;
	conf->disabled = v;
	d = &v[conf->ndisabled];
	memset(d, 0, sizeof(*d));
	if ((d->file = strdup(path)) == NULL ||
	    (d->why = strdup(why)) == NULL) {
		free(d->file);
		return SPA_ERR_NOMEM;
	}
	d->first = d->last = st->number;
	conf->ndisabled++;
	describe(st->number, st->number, what, sizeof(what));
	log_errx("%s: %s is disabled (%s)", why, path, what);
	access_make_placeholder(st);
	return 0;
}

bool
access_any_usable(const struct access_conf *conf)
{
	size_t i;

	for (i = 0; i < conf->n; i++)
		if (!conf->stanzas[i]->disabled)
			return true;
	return false;
}

/* A policy that grants no one is refused, saying why. */
int
access_check_usable(struct access_parser *p)
{
	const struct access_conf *conf = p->conf;
	size_t i;

	for (i = 0; i < conf->n; i++)
		if (!conf->stanzas[i]->disabled)
			return 0;
	if (conf->ndisabled == 0)
		return access_fail(p, "no stanza found: access.conf needs at "
		    "least one SOURCE line");
	return access_fail(p, "no usable stanza: an error in a per-user file "
	    "disabled every one (the first: %s)", conf->disabled[0].why);
}

void
access_print_disabled(const struct access_conf *conf, FILE *fp)
{
	const struct access_disabled *d;
	char what[96];
	size_t i;

	for (i = 0; i < conf->ndisabled; i++) {
		d = &conf->disabled[i];
		describe(d->first, d->last, what, sizeof(what));
		fprintf(fp, "disabled: %s (%s): %s\n", d->file, what, d->why);
	}
}

int
access_print_verdict(const struct access_conf *conf, const char *path,
    FILE *fp)
{
	const char *s = conf->n == 1 ? "" : "s";

	if (conf->ndisabled == 0) {
		fprintf(fp, "configuration OK: %zu stanza%s from %s\n", conf->n,
		    s, path);
		return 0;
	}
	access_print_disabled(conf, fp);
	fprintf(fp, "configuration loaded with errors: %zu stanza%s from %s, "
	    "%zu disabled by errors in per-user files\n", conf->n, s, path,
	    access_disabled_stanzas(conf));
	return ACCESS_EXIT_DISABLED;
}

size_t
access_disabled_stanzas(const struct access_conf *conf)
{
	size_t i, n = 0;

	for (i = 0; i < conf->n; i++)
		if (conf->stanzas[i]->disabled)
			n++;
	return n;
}

void
access_disabled_free(struct access_conf *conf)
{
	size_t i;

	for (i = 0; i < conf->ndisabled; i++) {
		free(conf->disabled[i].file);
		free(conf->disabled[i].why);
	}
	free(conf->disabled);
	conf->disabled = NULL;
	conf->ndisabled = 0;
}
