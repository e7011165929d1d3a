/*
 * Command templates and argument vectors (see subst.h).
 *
 * A template is split into words once, when the policy is loaded.  A word
 * is a list of parts: literal text, the value of a stanza directive (fixed
 * at load time) or a per-grant variable.  Only expansion joins the parts
 * of one word, so a value can never add or remove words, and a value is
 * never scanned for '$' again.
 *
 * Shell mode (CMD_CYCLE_SHELL, an explicit opt-in of the stanza) keeps the
 * literal text as written, quotes and backslashes included, and joins the
 * words with single spaces into one "/bin/sh -c" script.  A value is never
 * pasted into that script: each variable becomes a positional parameter,
 * written ${N} where the template names it, its value one argument after
 * the script.  Quoting a value for the place it stands would need the
 * shell's own parser (inside "$(...)" the quoting starts afresh); a
 * parameter is data wherever it stands.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "err.h"
#include "subst.h"

/* --- names --------------------------------------------------------------- */

enum var {
	V_IP, V_SRC, V_PKT_SRC, V_DST, V_PORT, V_PROTO, V_PROTO_NAME,
	V_TIMEOUT, V_CLIENT_TIMEOUT, V_USER, V_STANZA, V_REQUEST, V_NAT_IP,
	V_NAT_PORT, V_NAT_TO, V_STANZA_DNAT, V_STANZA_SNAT,
};

static const struct {
	const char	*name;
	enum var	 var;
} event_vars[] = {
	{ "IP", V_IP }, { "SRC", V_SRC }, { "PKT_SRC", V_PKT_SRC },
	{ "DST", V_DST }, { "PORT", V_PORT }, { "PROTO", V_PROTO },
	{ "PROTO_NAME", V_PROTO_NAME }, { "TIMEOUT", V_TIMEOUT },
	{ "CLIENT_TIMEOUT", V_CLIENT_TIMEOUT }, { "USER", V_USER },
	{ "STANZA", V_STANZA }, { "REQUEST", V_REQUEST },
	{ "NAT_IP", V_NAT_IP }, { "NAT_PORT", V_NAT_PORT },
	{ "NAT_TO", V_NAT_TO }, { "STANZA_DNAT", V_STANZA_DNAT },
	{ "STANZA_SNAT", V_STANZA_SNAT },
};
#define NEVENT_VARS	(sizeof(event_vars) / sizeof(event_vars[0]))

/* A bounded string being built; `over` once something did not fit. */
struct sbuf {
	char	*p;
	size_t	 len;
	size_t	 o;
	bool	 over;
};

static void sb_add(struct sbuf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->over)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->o, b->len - b->o, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->len - b->o)
		b->over = true;
	else
		b->o += (size_t)n;
}

/* --- directive values ---------------------------------------------------- */

/* Each formatter writes the value of one field; false: not set. */
typedef bool (*dir_fmt)(const struct stanza *, const void *, struct sbuf *);

static bool
d_addrs(const struct stanza *st, const void *f, struct sbuf *b)
{
	const struct spa_addr_list *l = f;
	char c[96];
	size_t i;

	if (l->any) {
		sb_add(b, "ANY");
		return true;
	}
	for (i = 0; i < l->n; i++)
		sb_add(b, "%s%s", i > 0 ? ", " : "",
		    cidr_fmt(&l->v[i], c, sizeof(c)));
	return l->n > 0;
}

static bool
d_ports(const struct stanza *st, const void *f, struct sbuf *b)
{
	const struct access_ports *p = f;
	size_t i;

	for (i = 0; i < p->n; i++)
		sb_add(b, "%s%s/%u", i > 0 ? ", " : "",
		    spa_proto_name(p->v[i].proto), p->v[i].port);
	return p->n > 0;
}

static bool
d_u32(const struct stanza *st, const void *f, struct sbuf *b)
{
	uint32_t v = *(const uint32_t *)f;

	sb_add(b, "%" PRIu32, v);
	return v != 0;
}

static bool
d_epoch(const struct stanza *st, const void *f, struct sbuf *b)
{
	int64_t v = *(const int64_t *)f;

	sb_add(b, "%" PRId64, v);
	return v != 0;
}

/* ACCESS_EXPIRE as written: MM/DD/YYYY, local time as when parsed. */
static bool
d_date(const struct stanza *st, const void *f, struct sbuf *b)
{
	time_t t = (time_t)*(const int64_t *)f;
	struct tm tm;

	if (t == 0 || localtime_r(&t, &tm) == NULL)
		return false;
	sb_add(b, "%02d/%02d/%04d", tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_year + 1900);
	return true;
}

static bool
d_str(const struct stanza *st, const void *f, struct sbuf *b)
{
	const char *s = *(char *const *)f;

	if (s != NULL)
		sb_add(b, "%s", s);
	return s != NULL;
}

static bool
d_bool(const struct stanza *st, const void *f, struct sbuf *b)
{
	sb_add(b, "%s", *(const bool *)f ? "Y" : "N");
	return true;
}

static bool
d_digest(const struct stanza *st, const void *f, struct sbuf *b)
{
	sb_add(b, "%s", crypto_digest_name(st->hmac_type));
	return true;
}

static bool
d_mode(const struct stanza *st, const void *f, struct sbuf *b)
{
	sb_add(b, "%s", crypto_mode_name(st->mode));
	return true;
}

/* FORCE_NAT as written: "<address> <port>". */
static bool
d_nat(const struct stanza *st, const void *f, struct sbuf *b)
{
	char a[ADDR_STRLEN];

	sb_add(b, "%s %u", addr_fmt(&st->force_nat_addr, a),
	    st->force_nat_port);
	return true;
}

static bool
d_addr(const struct stanza *st, const void *f, struct sbuf *b)
{
	char a[ADDR_STRLEN];

	sb_add(b, "%s", addr_fmt(f, a));
	return true;
}

static bool
d_close(const struct stanza *st, const void *f, struct sbuf *b)
{
	if (st->cmd_cycle_close_none) {
		sb_add(b, "NONE");
		return true;
	}
	return d_str(st, f, b);
}

#define F(field)	offsetof(struct stanza, field)
#define ALWAYS		((size_t)-1)

/*
 * Directives a command may use: every directive of common/access_directive.c
 * that carries a value, except those an %include_keys file may hold
 * (KEY, KEY_BASE64, HMAC_KEY, HMAC_KEY_BASE64 and the GnuPG key and
 * signer directives): key material never reaches a command, nor does a
 * key file's text.  GPG_HOME_DIR and GPG_EXE are left out too: a command
 * has no use for them.
 * `has` is the stanza's "was it set" flag, if it has one.
 */
static const struct dir_var {
	const char	*name;
	dir_fmt		 fmt;
	size_t		 off;
	size_t		 has;
} dir_vars[] = {
	{ "SOURCE", d_addrs, F(source), ALWAYS },
	{ "DESTINATION", d_addrs, F(destination), F(has_destination) },
	{ "OPEN_PORTS", d_ports, F(open_ports), F(has_open_ports) },
	{ "RESTRICT_PORTS", d_ports, F(restrict_ports), ALWAYS },
	{ "HMAC_DIGEST_TYPE", d_digest, 0, F(has_hmac_key) },
	{ "ENCRYPTION_MODE", d_mode, 0, F(has_enc_key) },
	{ "FW_ACCESS_TIMEOUT", d_u32, F(fw_access_timeout), ALWAYS },
	{ "MAX_FW_TIMEOUT", d_u32, F(max_fw_timeout), ALWAYS },
	{ "ACCESS_EXPIRE", d_date, F(expire), ALWAYS },
	{ "ACCESS_EXPIRE_EPOCH", d_epoch, F(expire), ALWAYS },
	{ "REQUIRE_USERNAME", d_str, F(require_username), ALWAYS },
	{ "REQUIRE_SOURCE_ADDRESS", d_bool, F(require_source_address),
	    ALWAYS },
	{ "REQUIRE_SOURCE", d_bool, F(require_source_address), ALWAYS },
	{ "ENABLE_CMD_EXEC", d_bool, F(enable_cmd_exec), ALWAYS },
	{ "ENABLE_CMD_SUDO_EXEC", d_bool, F(enable_cmd_sudo_exec), ALWAYS },
	{ "CMD_EXEC_USER", d_str, F(cmd_exec_user.name), ALWAYS },
	{ "CMD_EXEC_GROUP", d_str, F(cmd_exec_group.name), ALWAYS },
	{ "CMD_SUDO_EXEC_USER", d_str, F(cmd_sudo_exec_user.name), ALWAYS },
	{ "CMD_SUDO_EXEC_GROUP", d_str, F(cmd_sudo_exec_group.name), ALWAYS },
	{ "CMD_CYCLE_OPEN", d_str, F(cmd_cycle_open), ALWAYS },
	{ "EXTERNAL_CMD_OPEN", d_str, F(cmd_cycle_open), ALWAYS },
	{ "CMD_CYCLE_CLOSE", d_close, F(cmd_cycle_close), ALWAYS },
	{ "EXTERNAL_CMD_CLOSE", d_close, F(cmd_cycle_close), ALWAYS },
	{ "CMD_CYCLE_TIMER", d_u32, F(cmd_cycle_timer), ALWAYS },
	{ "EXTERNAL_CMD_ALARM", d_u32, F(cmd_cycle_timer), ALWAYS },
	{ "CMD_CYCLE_SHELL", d_bool, F(cmd_cycle_shell), ALWAYS },
	{ "CMD_TIMEOUT", d_u32, F(cmd_timeout), ALWAYS },
	{ "FORCE_NAT", d_nat, 0, F(has_force_nat) },
	{ "FORCE_SNAT", d_addr, F(force_snat_addr), F(has_force_snat) },
	{ "FORCE_MASQUERADE", d_bool, F(force_masquerade), ALWAYS },
	{ "DISABLE_DNAT", d_bool, F(disable_dnat), ALWAYS },
	{ "FORWARD_ALL", d_bool, F(forward_all), ALWAYS },
};
#define NDIR_VARS	(sizeof(dir_vars) / sizeof(dir_vars[0]))

/* 1: set (value in b), 0: not set in this stanza, SPA_ERR_ARG: too long. */
static int
dir_value(const struct stanza *st, const struct dir_var *d, struct sbuf *b)
{
	const char *base = (const char *)st;

	if (d->has != ALWAYS && !*(const bool *)(const void *)(base + d->has))
		return 0;
	if (!d->fmt(st, base + d->off, b))
		return 0;
	return b->over ? SPA_ERR_ARG : 1;
}

/* --- parsing ------------------------------------------------------------- */

enum part_kind { P_LIT, P_VALUE, P_VAR };

struct cmd_part {
	enum part_kind	 kind;
	char		*text;		/* P_LIT, P_VALUE */
	size_t		 len;
	enum var	 var;		/* P_VAR */
	size_t		 dir;		/* P_VALUE: index into dir_vars */
	size_t		 param;		/* shell mode, P_VAR and P_VALUE:
					   its positional parameter, 1.. */
};

struct cmd_word {
	size_t		 nparts;
	struct cmd_part	*parts;
};

struct parser {
	const char		*s;
	const struct stanza	*st;
	struct cmd_template	*t;
	struct cmd_word		*word;		/* being built, or NULL */
	char			*why;
	size_t			 whylen;
};

static int fail(struct parser *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->why, p->whylen, fmt, ap);
	va_end(ap);
	return SPA_ERR_CONFIG;
}

/* A new word, unless one is being built. */
static int
start_word(struct parser *p)
{
	struct cmd_word *w;

	if (p->word != NULL)
		return 0;
	if (p->t->nwords == CMD_MAX_ARGS)
		return fail(p, "more than %d words", CMD_MAX_ARGS);
	w = reallocarray(p->t->words, p->t->nwords + 1, sizeof(*w));
	if (w == NULL)
		return fail(p, "%s", "out of memory");
	p->t->words = w;
	p->word = &w[p->t->nwords++];
	memset(p->word, 0, sizeof(*p->word));
	return 0;
}

static int
new_part(struct parser *p, enum part_kind kind, struct cmd_part **out)
{
	struct cmd_part *np;
	struct cmd_word *w;
	int r;

	if ((r = start_word(p)) != 0)
		return r;
	w = p->word;
	if ((np = reallocarray(w->parts, w->nparts + 1, sizeof(*np))) == NULL)
		return fail(p, "%s", "out of memory");
	w->parts = np;
	np = &w->parts[w->nparts++];
	memset(np, 0, sizeof(*np));
	np->kind = kind;
	*out = np;
	return 0;
}

/* Append one literal byte (to the last literal part, or a new one). */
static int
add_char(struct parser *p, char c)
{
	struct cmd_part *part = NULL;
	char *nt;
	int r;

	if (p->word != NULL && p->word->nparts > 0 &&
	    p->word->parts[p->word->nparts - 1].kind == P_LIT)
		part = &p->word->parts[p->word->nparts - 1];
	else if ((r = new_part(p, P_LIT, &part)) != 0)
		return r;
	if ((nt = realloc(part->text, part->len + 2)) == NULL)
		return fail(p, "%s", "out of memory");
	nt[part->len++] = c;
	nt[part->len] = '\0';
	part->text = nt;
	return 0;
}

/* Quote and escape characters stay in the text only for the shell. */
static int
add_raw(struct parser *p, char c)
{
	return p->t->shell ? add_char(p, c) : 0;
}

static bool
is_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* Is `name` a candidate for s[0..avail) (a prefix, or all of it)? */
static bool
name_fits(const char *name, const char *s, size_t avail, bool exact,
    size_t best)
{
	size_t n = strlen(name);

	return n <= avail && n > best && strncmp(s, name, n) == 0 &&
	    (!exact || n == avail);
}

/* Longest known name that `s` starts with (braced: all of it). */
static size_t
match_name(const char *s, size_t avail, bool exact, int *ev, int *dv)
{
	size_t i, best = 0;

	*ev = *dv = -1;
	for (i = 0; i < NEVENT_VARS; i++)
		if (name_fits(event_vars[i].name, s, avail, exact, best)) {
			best = strlen(event_vars[i].name);
			*ev = (int)i;
		}
	for (i = 0; i < NDIR_VARS; i++)
		if (name_fits(dir_vars[i].name, s, avail, exact, best)) {
			best = strlen(dir_vars[i].name);
			*dv = (int)i;
			*ev = -1;
		}
	return best;
}

static int
add_directive(struct parser *p, const struct dir_var *d)
{
	char value[CMD_MAX_LEN];
	struct sbuf b = { value, sizeof(value), 0, false };
	struct cmd_part *part;
	int r;

	if ((r = dir_value(p->st, d, &b)) == 0)
		return fail(p, "$%s is not set in this stanza", d->name);
	if (r < 0)
		return fail(p, "the value of $%s is too long for a command",
		    d->name);
	if ((r = new_part(p, P_VALUE, &part)) != 0)
		return r;
	if ((part->text = strdup(value)) == NULL)
		return fail(p, "%s", "out of memory");
	part->len = b.o;
	part->dir = (size_t)(d - dir_vars);
	return 0;
}

static int
add_variable(struct parser *p, int ev, int dv)
{
	struct cmd_part *part;
	int r;

	if (ev < 0)
		return add_directive(p, &dir_vars[dv]);
	if ((r = new_part(p, P_VAR, &part)) != 0)
		return r;
	part->var = event_vars[ev].var;
	return 0;
}

/* "${NAME}": the whole name must be known. */
static int
parse_braced(struct parser *p)
{
	const char *s = p->s + 2, *close;
	int ev, dv;

	if ((close = strchr(s, '}')) == NULL)
		return fail(p, "%s", "'${' without '}'");
	if (match_name(s, (size_t)(close - s), true, &ev, &dv) == 0)
		return fail(p, "unknown variable ${%.*s}",
		    (int)(close - s > 40 ? 40 : close - s), s);
	p->s = close + 1;
	return add_variable(p, ev, dv);
}

/* At a '$': consume the reference, add the part. */
static int
parse_dollar(struct parser *p)
{
	const char *s = p->s + 1;
	size_t run = 0, n;
	int ev, dv;

	if (*s == '$') {
		p->s += 2;
		return add_char(p, '$');
	}
	if (*s == '{')
		return parse_braced(p);
	while (is_name_char(s[run]))
		run++;
	if (run == 0)
		return fail(p, "%s", "'$' without a variable name (write $$ "
		    "for a literal $)");
	if ((n = match_name(s, run, false, &ev, &dv)) == 0)
		return fail(p, "unknown variable $%.*s (write $$ for a "
		    "literal $)", (int)(run > 40 ? 40 : run), s);
	p->s = s + n;
	return add_variable(p, ev, dv);
}

/* A backslash outside single quotes takes the next byte literally. */
static int
parse_escape(struct parser *p)
{
	int r;

	if (p->s[1] == '\0')
		return fail(p, "%s", "trailing backslash");
	if ((r = add_raw(p, '\\')) != 0)
		return r;
	p->s += 2;
	return add_char(p, p->s[-1]);
}

static int
parse_quoted(struct parser *p, char q)
{
	int r;

	if ((r = start_word(p)) != 0 || (r = add_raw(p, q)) != 0)
		return r;	/* an empty quoted word ("") is still a word */
	p->s++;
	while (*p->s != q) {
		if (*p->s == '\0')
			return fail(p, "unbalanced %s quote", q == '"' ?
			    "double" : "single");
		if (q == '"' && *p->s == '$')
			r = parse_dollar(p);
		else if (q == '"' && *p->s == '\\' && p->s[1] != '\0')
			r = parse_escape(p);
		else
			r = add_char(p, *p->s++);
		if (r != 0)
			return r;
	}
	p->s++;
	return add_raw(p, q);
}

static int
parse_words(struct parser *p)
{
	int r;

	while (*p->s != '\0') {
		if (*p->s == ' ' || *p->s == '\t') {
			p->word = NULL;
			p->s++;
			continue;
		}
		if (*p->s == '\'' || *p->s == '"')
			r = parse_quoted(p, *p->s);
		else if (*p->s == '$')
			r = parse_dollar(p);
		else if (*p->s == '\\')
			r = parse_escape(p);
		else
			r = add_char(p, *p->s++);
		if (r != 0)
			return r;
	}
	return 0;
}

/* Tabs separate words (or stay inside quotes); other control bytes never. */
static bool
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return true;
	return false;
}

/* The program decides the action module: it may not come from a packet. */
static bool
first_word_written_out(const struct cmd_template *t)
{
	const struct cmd_word *w = &t->words[0];

	return w->nparts == 1 && w->parts[0].kind == P_LIT &&
	    w->parts[0].len > 0;
}

static bool
same_value(const struct cmd_part *a, const struct cmd_part *b)
{
	return a->kind == b->kind && (a->kind == P_VAR ? a->var == b->var :
	    a->dir == b->dir);
}

/* The parameter an earlier part with the same value has, or 0. */
static size_t
param_of(const struct cmd_template *t, const struct cmd_part *pt)
{
	const struct cmd_part *q;
	size_t i, j;

	for (i = 0; i < t->nwords; i++)
		for (j = 0; j < t->words[i].nparts; j++) {
			q = &t->words[i].parts[j];
			if (q == pt)
				return 0;
			if (q->kind != P_LIT && same_value(q, pt))
				return q->param;
		}
	return 0;
}

/* Shell mode: one positional parameter per variable, in order of use. */
static void
number_params(struct cmd_template *t)
{
	struct cmd_part *pt;
	size_t i, j;

	for (i = 0; i < t->nwords; i++)
		for (j = 0; j < t->words[i].nparts; j++) {
			pt = &t->words[i].parts[j];
			if (pt->kind == P_LIT)
				continue;
			if ((pt->param = param_of(t, pt)) == 0)
				pt->param = ++t->nparams;
		}
}

int
cmd_template_parse(const char *line, bool shell, const struct stanza *st,
    struct cmd_template *out, char *why, size_t whylen)
{
	struct parser p = { line, st, out, NULL, why, whylen };
	int r;

	memset(out, 0, sizeof(*out));
	out->shell = shell;
	if ((out->text = strdup(line)) == NULL)
		return fail(&p, "%s", "out of memory");
	if (has_control(line))
		r = fail(&p, "%s", "control character in command");
	else if ((r = parse_words(&p)) == 0 && out->nwords == 0)
		r = fail(&p, "%s", "empty command");
	if (r == 0 && !first_word_written_out(out))
		r = fail(&p, "%s", "the first word (the program) must be "
		    "written out, without variables");
	if (r == 0 && shell)
		number_params(out);
	if (r != 0)
		cmd_template_free(out);
	return r;
}

void
cmd_template_free(struct cmd_template *t)
{
	size_t i, j;

	for (i = 0; i < t->nwords; i++) {
		for (j = 0; j < t->words[i].nparts; j++)
			free(t->words[i].parts[j].text);
		free(t->words[i].parts);
	}
	free(t->words);
	free(t->text);
	memset(t, 0, sizeof(*t));
}

/* --- expansion ----------------------------------------------------------- */

#define VALUE_MAX	(ADDR_STRLEN + SPA_USER_MAX + 32)

/* A NAT request's host as an IPv4 address, written into `a`. */
static bool
nat_ipv4(const struct spa_event *ev, char a[ADDR_STRLEN])
{
	struct spa_addr na;
	char host[SPA_NAT_HOST_MAX + 1];

	if (!ev->has_nat)
		return false;
	snprintf(host, sizeof(host), "%.*s",
	    (int)strnlen(ev->nat_host, sizeof(ev->nat_host)), ev->nat_host);
	if (addr_parse_ipv4(host, &na) != 0)
		return false;
	addr_fmt(&na, a);
	return true;
}

/*
 * The words of the built-in firewall's line, never empty ("-": none):
 * the request's NAT as address:port, the stanza's FORCE_NAT as
 * address:port, its FORCE_SNAT address or "masquerade".
 */
static const char *
nat_value(enum var v, const struct subst_vars *vars, char buf[VALUE_MAX])
{
	const struct stanza *st = vars->st;
	char a[ADDR_STRLEN];

	strcpy(buf, "-");
	if (v == V_NAT_TO && nat_ipv4(vars->ev, a) && vars->ev->nat_port != 0)
		snprintf(buf, VALUE_MAX, "%s:%u", a, vars->ev->nat_port);
	else if (v == V_STANZA_DNAT && st != NULL && st->has_force_nat)
		snprintf(buf, VALUE_MAX, "%s:%u",
		    addr_fmt(&st->force_nat_addr, a), st->force_nat_port);
	else if (v == V_STANZA_SNAT && st != NULL && st->has_force_snat)
		strcpy(buf, addr_fmt(&st->force_snat_addr, a));
	else if (v == V_STANZA_SNAT && st != NULL && st->force_masquerade)
		strcpy(buf, "masquerade");
	return buf;
}

static const char *
var_value(enum var v, const struct subst_vars *vars, char buf[VALUE_MAX])
{
	const struct spa_event *ev = vars->ev;
	const struct spa_port *port = ev->nports > vars->port ?
	    &ev->ports[vars->port] : NULL;
	char a[ADDR_STRLEN];

	switch (v) {
	case V_IP:
	case V_SRC:
		return strcpy(buf, addr_fmt(&ev->allow, a));
	case V_PKT_SRC:
		return strcpy(buf, addr_fmt(&ev->pkt_src, a));
	case V_DST:
		return strcpy(buf, addr_fmt(&ev->pkt_dst, a));
	case V_PORT:
		snprintf(buf, VALUE_MAX, "%u", port ? port->port : 0);
		break;
	case V_PROTO:
		snprintf(buf, VALUE_MAX, "%u", port ? port->proto : 0);
		break;
	case V_PROTO_NAME:
		snprintf(buf, VALUE_MAX, "%s", port ?
		    spa_proto_name(port->proto) : "");
		break;
	case V_TIMEOUT:
		snprintf(buf, VALUE_MAX, "%" PRId64, ev->spa_time +
		    (int64_t)ev->timeout);
		break;
	case V_CLIENT_TIMEOUT:
		snprintf(buf, VALUE_MAX, "%" PRIu32, ev->timeout);
		break;
	case V_USER:	/* bounded: the event may come from a peer */
		snprintf(buf, VALUE_MAX, "%.*s",
		    (int)strnlen(ev->user, sizeof(ev->user)), ev->user);
		break;
	case V_STANZA:
		snprintf(buf, VALUE_MAX, "%" PRIu32, ev->stanza);
		break;
	case V_REQUEST:		/* "access", "nat_access", ... */
		snprintf(buf, VALUE_MAX, "%s", spa_request_name(ev->type));
		break;
	case V_NAT_IP:		/* empty unless an IPv4 address (policy.c) */
		return strcpy(buf, nat_ipv4(ev, a) ? a : "");
	case V_NAT_PORT:
		if (ev->has_nat && ev->nat_port != 0)
			snprintf(buf, VALUE_MAX, "%u", ev->nat_port);
		else
			buf[0] = '\0';
		break;
	case V_NAT_TO:
	case V_STANZA_DNAT:
	case V_STANZA_SNAT:
		return nat_value(v, vars, buf);
	}
	return buf;
}

/* Output buffer being filled with NUL-separated arguments. */
struct out {
	struct cmd_argv	*a;
	size_t		 len;
	bool		 bad;
};

static void
emit(struct out *o, const char *s, size_t n)
{
	if (o->bad || n >= sizeof(o->a->buf) - o->len) {
		o->bad = true;
		return;
	}
	memcpy(o->a->buf + o->len, s, n);
	o->len += n;
}

static const char *
part_value(const struct cmd_part *pt, const struct subst_vars *vars,
    char buf[VALUE_MAX])
{
	if (pt->kind == P_VAR)
		return var_value(pt->var, vars, buf);
	return pt->text != NULL ? pt->text : "";
}

/* One word's parts; in shell mode a value is a reference, ${N}. */
static void
emit_word(struct out *o, const struct cmd_word *w,
    const struct subst_vars *vars, bool shell)
{
	const struct cmd_part *pt;
	char buf[VALUE_MAX];
	const char *v;
	size_t i;

	for (i = 0; i < w->nparts; i++) {
		pt = &w->parts[i];
		if (shell && pt->kind != P_LIT) {
			snprintf(buf, sizeof(buf), "${%zu}", pt->param);
			v = buf;
		} else
			v = part_value(pt, vars, buf);
		emit(o, v, strlen(v));
	}
}

static void
end_arg(struct out *o)
{
	if (o->bad || o->a->argc == CMD_MAX_ARGS ||
	    o->len >= sizeof(o->a->buf)) {
		o->bad = true;
		return;
	}
	o->a->buf[o->len++] = '\0';
	o->a->argc++;
}

/* Relink a finished vector, or clear it and fail. */
static int
out_done(struct out *o)
{
	if (o->bad || o->a->argc == 0 || cmd_argv_relink(o->a) != 0) {
		memset(o->a, 0, sizeof(*o->a));
		return SPA_ERR_ARG;
	}
	return 0;
}

/* Shell mode: /bin/sh -c script sh value1 ... valueN. */
static void
emit_shell(struct out *o, const struct cmd_template *t,
    const struct subst_vars *vars)
{
	const struct cmd_part *pt;
	char buf[VALUE_MAX];
	const char *v;
	size_t i, j, next = 1;

	emit(o, "/bin/sh", 7);
	end_arg(o);
	emit(o, "-c", 2);
	end_arg(o);
	for (i = 0; i < t->nwords; i++) {
		if (i > 0)
			emit(o, " ", 1);
		emit_word(o, &t->words[i], vars, true);
	}
	end_arg(o);
	emit(o, "sh", 2);	/* $0, the name in the shell's messages */
	end_arg(o);
	for (i = 0; i < t->nwords; i++)
		for (j = 0; j < t->words[i].nparts; j++) {
			pt = &t->words[i].parts[j];
			if (pt->kind == P_LIT || pt->param != next)
				continue;
			v = part_value(pt, vars, buf);
			emit(o, v, strlen(v));
			end_arg(o);
			next++;
		}
}

int
cmd_template_expand(const struct cmd_template *t,
    const struct subst_vars *vars, struct cmd_argv *out)
{
	struct out o = { out, 0, false };
	size_t i;

	memset(out, 0, sizeof(*out));
	if (t->shell)
		emit_shell(&o, t, vars);
	else
		for (i = 0; i < t->nwords; i++) {
			emit_word(&o, &t->words[i], vars, false);
			end_arg(&o);
		}
	return out_done(&o);
}

/* --- untrusted commands -------------------------------------------------- */

int
cmd_split(const char *command, struct cmd_argv *out)
{
	struct out o = { out, 0, false };
	const char *s = command;
	bool in_word = false;
	char q = 0;

	memset(out, 0, sizeof(*out));
	for (; *s != '\0' && !o.bad; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return SPA_ERR_ARG;
		if (q != 0 && *s == q) {
			q = 0;
		} else if (q == 0 && (*s == '\'' || *s == '"')) {
			q = *s;
			in_word = true;
		} else if (q == 0 && *s == ' ') {
			if (in_word)
				end_arg(&o);
			in_word = false;
		} else {
			if (*s == '\\' && q != '\'') {
				if (s[1] == '\0')
					return SPA_ERR_ARG;
				s++;
			}
			emit(&o, s, 1);
			in_word = true;
		}
	}
	if (q != 0)
		return SPA_ERR_ARG;
	if (in_word)
		end_arg(&o);
	return out_done(&o);
}

int
cmd_argv_from(struct cmd_argv *out, const char *const *words,
    const struct cmd_argv *tail)
{
	struct out o = { out, 0, false };
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; words[i] != NULL; i++) {
		emit(&o, words[i], strlen(words[i]));
		end_arg(&o);
	}
	for (i = 0; tail != NULL && i < tail->argc; i++) {
		emit(&o, tail->argv[i], strlen(tail->argv[i]));
		end_arg(&o);
	}
	return out_done(&o);
}

int
cmd_argv_relink(struct cmd_argv *a)
{
	size_t i, off = 0, n;

	if (a->argc > CMD_MAX_ARGS)
		return SPA_ERR_ARG;
	for (i = 0; i < a->argc; i++) {
		if (off >= sizeof(a->buf))
			return SPA_ERR_ARG;
		n = strnlen(a->buf + off, sizeof(a->buf) - off);
		if (off + n == sizeof(a->buf))
			return SPA_ERR_ARG;	/* no NUL before the end */
		a->argv[i] = a->buf + off;
		off += n + 1;
	}
	a->argv[a->argc] = NULL;
	return 0;
}

size_t
cmd_argv_format(const struct cmd_argv *a, char *buf, size_t len)
{
	char q[CMD_MAX_LEN * 4 + 3];
	struct sbuf b = { buf, len, 0, false };
	size_t i;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (i = 0; i < a->argc && !b.over; i++) {
		event_quote(a->argv[i], q, sizeof(q));
		sb_add(&b, "%s%s", i > 0 ? " " : "", q);
	}
	return b.over ? strlen(buf) : b.o;	/* truncated: what fits */
}
