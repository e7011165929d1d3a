/*
 * p0f.fp, p0f v3's fingerprint file: the [tcp:request] (SYN) signatures.
 *
 * The file is lines of `key = value` under `[module:direction]` section
 * heads; ';' starts a comment line.  Before the first section, `classes =`
 * names the OS classes labels may use.  In [tcp:request]:
 *
 *   label = s|g:class:name:flavor     (class '!' for a tool, then sys =)
 *   sys   = name,@class,...
 *   sig   = ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass
 *
 * Each line is copied into a buffer of P0F_MAX_LINE bytes and split there;
 * every field is checked whole (digits, ranges, known words), so a line
 * that p0f would refuse is refused here too, with file:line and why.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "array.h"
#include "err.h"
#include "p0f.h"
#include "trust.h"

#define SIG_FIELDS	8	/* ver:ittl:olen:mss:win,scale:opts:quirks:pc */

enum section {
	SEC_NONE,		/* before the first section: classes */
	SEC_SYN,		/* [tcp:request]: ours */
	SEC_SKIP		/* a section p0f knows and we do not need */
};

struct parser {
	struct p0f_db		*db;
	const char		*name;		/* file name, for errors */
	unsigned int		 line;
	struct p0f_error	*err;
	enum section		 sec;
	bool			 seen_section;
	long			 label;		/* current label, -1: none yet */
	bool			 need_sys;	/* a tool's label before its sys */
};

static int
fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vformat_at(p->err->text, sizeof(p->err->text), p->name, p->line,
	    fmt, ap);
	va_end(ap);
	return SPA_ERR_CONFIG;
}

static int
nomem(struct parser *p)
{
	fail(p, "out of memory");
	return SPA_ERR_NOMEM;
}

/* --- small readers -------------------------------------------------------- */

/* A decimal number of at most `max`: digits only, at least one. */
static bool
number(const char *s, long max, long *out)
{
	long v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
		v = v * 10 + (*s - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

/* As number(), at least `min`. */
static bool
number_in(const char *s, long min, long max, long *out)
{
	return number(s, max, out) && *out >= min;
}

/* Split `s` in place at each `sep`: up to `max` fields; the count. */
static size_t
split(char *s, char sep, char **fields, size_t max)
{
	size_t n = 0;

	for (;;) {
		if (n == max)
			return max + 1;		/* too many */
		fields[n++] = s;
		if ((s = strchr(s, sep)) == NULL)
			return n;
		*s++ = '\0';
	}
}

static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Characters p0f allows in names, besides letters and digits. */
static bool
is_name_char(char c)
{
	return isalnum((unsigned char)c) || (c != '\0' && strchr(" ./-_!?()",
	    c) != NULL);
}

static bool
is_name(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!is_name_char(*s))
			return false;
	return true;
}

static bool
is_word(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s))
			return false;
	return true;
}

static bool
known_class(const struct p0f_db *db, const char *name)
{
	size_t i;

	for (i = 0; i < db->nclasses; i++)
		if (strcasecmp(db->classes[i], name) == 0)
			return true;
	return false;
}

/* --- classes, label, sys -------------------------------------------------- */

static int
parse_classes(struct parser *p, char *val)
{
	char *items[P0F_MAX_CLASSES + 1], *c;
	size_t n, i;

	if (p->seen_section)
		return fail(p, "classes after the first section");
	n = split(val, ',', items, P0F_MAX_CLASSES);
	if (n + p->db->nclasses > P0F_MAX_CLASSES)
		return fail(p, "more than %d classes", P0F_MAX_CLASSES);
	for (i = 0; i < n; i++) {
		c = trim(items[i]);
		if (!is_word(c) || strlen(c) >= P0F_CLASS_LEN)
			return fail(p, "bad class name '%s'", c);
		strcpy(p->db->classes[p->db->nclasses++], c);
	}
	return 0;
}

/* The label's text: "name", or "name flavor". */
static int
label_text(struct parser *p, struct p0f_label *l, const char *name,
    const char *flavor)
{
	int n;

	if (*flavor == '\0')
		n = snprintf(l->text, sizeof(l->text), "%s", name);
	else
		n = snprintf(l->text, sizeof(l->text), "%s %s", name, flavor);
	if (n < 0 || (size_t)n >= sizeof(l->text))
		return fail(p, "label longer than %d bytes", P0F_LABEL_LEN - 1);
	return 0;
}

static int
add_label(struct parser *p, const struct p0f_label *l)
{
	struct p0f_db *db = p->db;
	struct p0f_label *v;

	if (db->nlabels == P0F_MAX_LABELS)
		return fail(p, "more than %d labels", P0F_MAX_LABELS);
	v = array_room(db->labels, &db->labelcap, db->nlabels, sizeof(*v), 64);
	if (v == NULL)
		return nomem(p);
	db->labels = v;
	v[db->nlabels] = *l;
	p->label = (long)db->nlabels++;
	return 0;
}

/* Cut `s` at its first `sep`: what follows, or NULL if there is none. */
static char *
cut(char *s, char sep)
{
	char *at = strchr(s, sep);

	if (at == NULL)
		return NULL;
	*at = '\0';
	return at + 1;
}

/* label = s|g:class:name:flavor (the flavor may hold anything). */
static int
parse_label(struct parser *p, char *type)
{
	struct p0f_label l = { .generic = false };
	char *class, *name, *flavor;
	int rc;

	if ((class = cut(type, ':')) == NULL || (name = cut(class, ':')) == NULL ||
	    (flavor = cut(name, ':')) == NULL)
		return fail(p, "label needs type:class:name:flavor");
	if (strcmp(type, "s") != 0 && strcmp(type, "g") != 0)
		return fail(p, "label type '%s': s or g", type);
	l.generic = type[0] == 'g';
	l.app = strcmp(class, "!") == 0;
	if (!l.app && !known_class(p->db, class))
		return fail(p, "unknown class '%s' (not in classes =)", class);
	if (!is_name(name))
		return fail(p, "bad name '%s'", name);
	if ((rc = label_text(p, &l, name, flavor)) != 0)
		return rc;
	if ((rc = add_label(p, &l)) != 0)
		return rc;
	p->need_sys = l.app;
	return 0;
}

/* sys = name,@class,... : where a tool runs; checked, not kept. */
static int
parse_sys(struct parser *p, char *val)
{
	char *items[P0F_MAX_LINE / 2 + 1], *s;
	size_t n, i;

	if (!p->need_sys)
		return fail(p, "sys only right after a label of class '!'");
	if ((n = split(val, ',', items, P0F_MAX_LINE / 2)) > P0F_MAX_LINE / 2)
		return fail(p, "more than %d sys entries", P0F_MAX_LINE / 2);
	for (i = 0; i < n; i++) {
		s = trim(items[i]);
		if (*s == '@' && !known_class(p->db, s + 1))
			return fail(p, "unknown class '%s' in sys", s + 1);
		if (*s != '@' && !is_name(s))
			return fail(p, "bad sys entry '%s'", s);
	}
	p->need_sys = false;
	return 0;
}

/* --- sig fields ----------------------------------------------------------- */

static int
sig_ver(struct parser *p, const char *s, struct p0f_sig *sig)
{
	if (strcmp(s, "4") == 0)
		sig->ip_ver = 4;
	else if (strcmp(s, "6") == 0)
		sig->ip_ver = 6;
	else if (strcmp(s, "*") == 0)
		sig->ip_ver = -1;
	else
		return fail(p, "IP version '%s': 4, 6 or *", s);
	return 0;
}

/* ittl: N, N+distance (the sender's TTL), or N- (a tool's random TTL). */
static int
sig_ttl(struct parser *p, char *s, struct p0f_sig *sig)
{
	char *mark = strpbrk(s, "+-");
	long ttl, dist = 0;
	char kind = mark != NULL ? *mark : '\0';

	if (mark != NULL)
		*mark++ = '\0';
	if (!number_in(s, 1, 255, &ttl) ||
	    (kind == '-' && *mark != '\0') ||
	    (kind == '+' && !number(mark, 255, &dist)) || ttl + dist > 255)
		return fail(p, "bad initial TTL (1-255, N+hops or N-)");
	sig->ttl = (uint8_t)(ttl + dist);
	sig->bad_ttl = kind == '-';
	return 0;
}

static int
sig_olen(struct parser *p, const char *s, struct p0f_sig *sig)
{
	long v;

	if (!number(s, 255, &v))
		return fail(p, "bad IP options length '%s'", s);
	sig->ip_opt_len = (uint8_t)v;
	return 0;
}

static int
sig_mss(struct parser *p, const char *s, struct p0f_sig *sig)
{
	long v;

	if (strcmp(s, "*") == 0)
		v = -1;
	else if (!number(s, 65535, &v))
		return fail(p, "bad MSS '%s'", s);
	sig->mss = (int32_t)v;
	return 0;
}

/* wsize: *, N, %N (a multiple of N), mss*N or mtu*N. */
static int
sig_win(struct parser *p, const char *s, struct p0f_sig *sig)
{
	long v = 0;
	bool ok;

	if (strcmp(s, "*") == 0) {
		sig->win_type = P0F_WIN_ANY;
		ok = true;
	} else if (*s == '%') {
		sig->win_type = P0F_WIN_MOD;
		ok = number_in(s + 1, 2, 65535, &v);
	} else if (strncmp(s, "mss*", 4) == 0 || strncmp(s, "mtu*", 4) == 0) {
		sig->win_type = s[1] == 's' ? P0F_WIN_MSS : P0F_WIN_MTU;
		ok = number_in(s + 4, 1, 1000, &v);
	} else {
		sig->win_type = P0F_WIN_FIXED;
		ok = number(s, 65535, &v);
	}
	if (!ok)
		return fail(p, "bad window size '%s'", s);
	sig->win = (uint16_t)v;
	return 0;
}

static int
sig_scale(struct parser *p, const char *s, struct p0f_sig *sig)
{
	long v;

	if (strcmp(s, "*") == 0)
		v = -1;
	else if (!number(s, 255, &v))
		return fail(p, "bad window scale '%s'", s);
	sig->wscale = (int16_t)v;
	return 0;
}

/* wsize,scale */
static int
sig_window(struct parser *p, char *s, struct p0f_sig *sig)
{
	char *f[2];
	int rc;

	if (split(s, ',', f, 2) != 2)
		return fail(p, "window needs wsize,scale");
	if ((rc = sig_win(p, f[0], sig)) != 0)
		return rc;
	return sig_scale(p, f[1], sig);
}

static const struct {
	const char	*name;
	uint8_t		 kind;
} opt_names[] = {
	{ "nop", P0F_OPT_NOP }, { "mss", P0F_OPT_MSS }, { "ws", P0F_OPT_WS },
	{ "sok", P0F_OPT_SOK }, { "sack", P0F_OPT_SACK }, { "ts", P0F_OPT_TS },
};

/* One option of a layout; `last` tells whether eol+N may stand here. */
static int
sig_opt(struct parser *p, const char *s, bool last, struct p0f_sig *sig)
{
	size_t i;
	long v;

	for (i = 0; i < sizeof(opt_names) / sizeof(opt_names[0]); i++)
		if (strcmp(s, opt_names[i].name) == 0) {
			sig->opts[sig->opt_cnt++] = opt_names[i].kind;
			return 0;
		}
	if (*s == '?' && number(s + 1, 255, &v)) {
		sig->opts[sig->opt_cnt++] = (uint8_t)v;
		return 0;
	}
	if (strncmp(s, "eol+", 4) != 0 || !number(s + 4, 255, &v))
		return fail(p, "unknown TCP option '%s'", s);
	if (!last)
		return fail(p, "eol+N must be the last option");
	sig->opts[sig->opt_cnt++] = P0F_OPT_EOL;
	sig->eol_pad = (uint8_t)v;
	return 0;
}

/* olayout: comma-separated options, or nothing. */
static int
sig_layout(struct parser *p, char *s, struct p0f_sig *sig)
{
	char *f[P0F_MAX_OPTS + 1];
	size_t n, i;
	int rc;

	if (*s == '\0')
		return 0;
	if ((n = split(s, ',', f, P0F_MAX_OPTS)) > P0F_MAX_OPTS)
		return fail(p, "more than %d TCP options", P0F_MAX_OPTS);
	for (i = 0; i < n; i++)
		if ((rc = sig_opt(p, f[i], i + 1 == n, sig)) != 0)
			return rc;
	return 0;
}

static const struct {
	const char	*name;
	uint32_t	 bit;
} quirk_names[] = {
	{ "df", P0F_Q_DF }, { "id+", P0F_Q_ID_NZ }, { "id-", P0F_Q_ID_ZERO },
	{ "ecn", P0F_Q_ECN }, { "0+", P0F_Q_MBZ }, { "flow", P0F_Q_FLOW },
	{ "seq-", P0F_Q_SEQ_ZERO }, { "ack+", P0F_Q_ACK_NZ },
	{ "ack-", P0F_Q_ACK_ZERO }, { "uptr+", P0F_Q_UPTR_NZ },
	{ "urgf+", P0F_Q_URG }, { "pushf+", P0F_Q_PUSH },
	{ "ts1-", P0F_Q_TS1_ZERO }, { "ts2+", P0F_Q_TS2_NZ },
	{ "opt+", P0F_Q_OPT_NZ }, { "exws", P0F_Q_EXWS }, { "bad", P0F_Q_BAD },
};

static int
sig_quirk(struct parser *p, const char *s, struct p0f_sig *sig)
{
	size_t i;
	uint32_t bit;

	for (i = 0; i < sizeof(quirk_names) / sizeof(quirk_names[0]); i++)
		if (strcmp(s, quirk_names[i].name) == 0)
			break;
	if (i == sizeof(quirk_names) / sizeof(quirk_names[0]))
		return fail(p, "unknown quirk '%s'", s);
	bit = quirk_names[i].bit;
	if ((sig->ip_ver == 6 && (bit & P0F_Q_IPV4_ONLY) != 0) ||
	    (sig->ip_ver == 4 && (bit & P0F_Q_IPV6_ONLY) != 0))
		return fail(p, "quirk '%s' is not for IPv%d", s, sig->ip_ver);
	sig->quirks |= bit;
	return 0;
}

/* quirks: comma-separated, or nothing. */
static int
sig_quirks(struct parser *p, char *s, struct p0f_sig *sig)
{
	char *f[sizeof(quirk_names) / sizeof(quirk_names[0]) + 1];
	size_t n, i, max = sizeof(quirk_names) / sizeof(quirk_names[0]);
	int rc;

	if (*s == '\0')
		return 0;
	if ((n = split(s, ',', f, max)) > max)
		return fail(p, "more quirks than there are");
	for (i = 0; i < n; i++)
		if ((rc = sig_quirk(p, f[i], sig)) != 0)
			return rc;
	return 0;
}

static int
sig_pclass(struct parser *p, const char *s, struct p0f_sig *sig)
{
	if (strcmp(s, "*") == 0)
		sig->pclass = -1;
	else if (strcmp(s, "0") == 0)
		sig->pclass = 0;
	else if (strcmp(s, "+") == 0)
		sig->pclass = 1;
	else
		return fail(p, "payload class '%s': 0, + or *", s);
	return 0;
}

static int
sig_fields(struct parser *p, char **f, struct p0f_sig *sig)
{
	int rc;

	if ((rc = sig_ver(p, f[0], sig)) != 0 ||
	    (rc = sig_ttl(p, f[1], sig)) != 0 ||
	    (rc = sig_olen(p, f[2], sig)) != 0 ||
	    (rc = sig_mss(p, f[3], sig)) != 0 ||
	    (rc = sig_window(p, f[4], sig)) != 0 ||
	    (rc = sig_layout(p, f[5], sig)) != 0 ||
	    (rc = sig_quirks(p, f[6], sig)) != 0)
		return rc;
	return sig_pclass(p, f[7], sig);
}

static int
add_sig(struct parser *p, const struct p0f_sig *sig)
{
	struct p0f_db *db = p->db;
	struct p0f_sig *v;

	if (db->nsigs == P0F_MAX_SIGS)
		return fail(p, "more than %d signatures", P0F_MAX_SIGS);
	v = array_room(db->sigs, &db->sigcap, db->nsigs, sizeof(*v), 128);
	if (v == NULL)
		return nomem(p);
	db->sigs = v;
	v[db->nsigs++] = *sig;
	return 0;
}

static int
parse_sig(struct parser *p, char *val)
{
	struct p0f_sig sig = { .line = p->line };
	char *f[SIG_FIELDS];
	size_t n;
	int rc;

	if (p->label < 0)
		return fail(p, "sig before any label");
	if (p->need_sys)
		return fail(p, "a label of class '!' needs sys = before its sig");
	n = split(val, ':', f, SIG_FIELDS);
	if (n != SIG_FIELDS)
		return fail(p, "sig needs %d fields separated by ':'",
		    SIG_FIELDS);
	sig.label = (uint16_t)p->label;
	if ((rc = sig_fields(p, f, &sig)) != 0)
		return rc;
	return add_sig(p, &sig);
}

/* --- lines ---------------------------------------------------------------- */

static int
parse_section(struct parser *p, const char *head)
{
	static const char *const skipped[] = {
		"[mtu]", "[tcp:response]", "[http:request]", "[http:response]"
	};
	size_t i;

	p->seen_section = true;
	p->label = -1;
	p->need_sys = false;
	if (strcmp(head, "[tcp:request]") == 0) {
		p->sec = SEC_SYN;
		return 0;
	}
	for (i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
		if (strcmp(head, skipped[i]) == 0) {
			p->sec = SEC_SKIP;
			return 0;
		}
	return fail(p, "unknown section %s", head);
}

/* key = value, outside the sections we skip. */
static int
parse_setting(struct parser *p, char *line)
{
	char *eq = strchr(line, '='), *key, *val;

	if (eq == NULL)
		return fail(p, "expected key = value");
	*eq = '\0';
	key = trim(line);
	val = trim(eq + 1);
	if (strcmp(key, "classes") == 0)
		return parse_classes(p, val);
	if (p->sec == SEC_NONE)
		return fail(p, "'%s' outside a section", key);
	if (strcmp(key, "label") == 0)
		return parse_label(p, val);
	if (strcmp(key, "sys") == 0)
		return parse_sys(p, val);
	if (strcmp(key, "sig") == 0)
		return parse_sig(p, val);
	return fail(p, "unknown key '%s'", key);
}

static int
parse_line(struct parser *p, const char *s, size_t n)
{
	char buf[P0F_MAX_LINE + 1], *line;

	if (n > P0F_MAX_LINE)
		return fail(p, "line longer than %d bytes", P0F_MAX_LINE);
	if (memchr(s, '\0', n) != NULL)
		return fail(p, "NUL byte");
	memcpy(buf, s, n);
	buf[n] = '\0';
	line = trim(buf);
	if (*line == '\0' || *line == ';')
		return 0;
	if (*line == '[')
		return parse_section(p, line);
	if (p->sec == SEC_SKIP)
		return 0;
	return parse_setting(p, line);
}

static int
parse_lines(struct parser *p, const char *text, size_t len)
{
	const char *s = text, *end = text + len, *nl;
	int rc;

	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		p->line++;
		rc = parse_line(p, s, (size_t)((nl != NULL ? nl : end) - s));
		if (rc != 0)
			return rc;
		s = nl != NULL ? nl + 1 : end;
	}
	p->line = 0;
	if (p->db->nsigs == 0)
		return fail(p, "no [tcp:request] signatures");
	return 0;
}

int
p0f_db_parse(const char *text, size_t len, const char *name,
    struct p0f_db **out, struct p0f_error *err)
{
	struct parser p = { .name = name, .err = err, .label = -1 };
	int rc;

	*out = NULL;
	err->text[0] = '\0';
	if ((p.db = calloc(1, sizeof(*p.db))) == NULL)
		return nomem(&p);
	if ((rc = parse_lines(&p, text, len)) != 0) {
		p0f_db_free(p.db);
		return rc;
	}
	*out = p.db;
	return 0;
}

void
p0f_db_free(struct p0f_db *db)
{
	if (db == NULL)
		return;
	free(db->sigs);
	free(db->labels);
	free(db);
}

/* --- the file ------------------------------------------------------------- */

int
p0f_db_load(const char *path, struct p0f_db **out, struct p0f_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	/* it decides which clients a REQUIRE_OS_REGEX stanza lets in */
	if ((rc = trust_read(path, 0, P0F_MAX_FILE, &buf, &len, err->text,
	    sizeof(err->text))) != 0)
		return rc;
	rc = p0f_db_parse(buf, len, path, out, err);
	free(buf);
	return rc;
}
