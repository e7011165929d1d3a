/*
 * Command templates and argument vectors (see subst.h).
 *
 * A template word is a list of parts: literal text as written, a value
 * fixed at load time (a stanza directive), or a per-grant variable.  Only
 * expansion joins the parts of one word, so a value can never add or
 * remove words.  In shell mode (CMD_CYCLE_SHELL) the words are joined
 * into one /bin/sh -c line and every value is single-quoted.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "subst.h"

enum var {
	V_IP, V_SRC, V_PKT_SRC, V_DST, V_PORT, V_PROTO, V_PROTO_NAME,
	V_TIMEOUT, V_CLIENT_TIMEOUT, V_USER, V_STANZA,
};

static const struct {
	const char	*name;
	enum var	 var;
} event_vars[] = {
	{ "IP", V_IP }, { "SRC", V_SRC }, { "PKT_SRC", V_PKT_SRC },
	{ "DST", V_DST }, { "PORT", V_PORT }, { "PROTO", V_PROTO },
	{ "PROTO_NAME", V_PROTO_NAME }, { "TIMEOUT", V_TIMEOUT },
	{ "CLIENT_TIMEOUT", V_CLIENT_TIMEOUT }, { "USER", V_USER },
	{ "STANZA", V_STANZA },
};
#define NEVENT_VARS	(sizeof(event_vars) / sizeof(event_vars[0]))

/* Directives whose value a command may use; keys are never among them. */
static const char *const directive_vars[] = {
	"SOURCE", "DESTINATION", "OPEN_PORTS", "RESTRICT_PORTS",
	"FW_ACCESS_TIMEOUT", "MAX_FW_TIMEOUT", "ACCESS_EXPIRE_EPOCH",
	"REQUIRE_USERNAME", "CMD_EXEC_USER", "CMD_EXEC_GROUP",
	"CMD_SUDO_EXEC_USER", "CMD_SUDO_EXEC_GROUP", "CMD_CYCLE_TIMER",
	"CMD_TIMEOUT", "HMAC_DIGEST_TYPE",
};
#define NDIRECTIVE_VARS	(sizeof(directive_vars) / sizeof(directive_vars[0]))

enum part_kind { P_LIT, P_VALUE, P_VAR };

struct cmd_part {
	enum part_kind	 kind;
	char		*text;		/* P_LIT, P_VALUE */
	enum var	 var;		/* P_VAR */
};

struct cmd_word {
	size_t		 nparts;
	struct cmd_part	*parts;
};

/* --- directive values ---------------------------------------------------- */

static void
fmt_list(const struct spa_addr_list *l, char *buf, size_t len)
{
	size_t i, o = 0;
	char c[96];

	buf[0] = '\0';
	if (l->any) {
		snprintf(buf, len, "ANY");
		return;
	}
	for (i = 0; i < l->n && o < len; i++) {
		cidr_fmt(&l->v[i], c, sizeof(c));
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", c);
	}
}

static void
fmt_ports(const struct access_ports *p, char *buf, size_t len)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < p->n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s/%u", i ? ", " : "",
		    spa_proto_name(p->v[i].proto), p->v[i].port);
}

static bool
fmt_number(uint64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu64, v);
	return v != 0;
}

static bool
fmt_text(const char *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s", s != NULL ? s : "");
	return s != NULL;
}

/* The value of directive `name` in `st`; false if it is not set there. */
static bool
directive_value(const struct stanza *st, const char *name, char *buf,
    size_t len)
{
	if (strcmp(name, "SOURCE") == 0)
		return fmt_list(&st->source, buf, len), true;
	if (strcmp(name, "DESTINATION") == 0)
		return fmt_list(&st->destination, buf, len), st->has_destination;
	if (strcmp(name, "OPEN_PORTS") == 0)
		return fmt_ports(&st->open_ports, buf, len), st->has_open_ports;
	if (strcmp(name, "RESTRICT_PORTS") == 0)
		return fmt_ports(&st->restrict_ports, buf, len),
		    st->restrict_ports.n > 0;
	if (strcmp(name, "FW_ACCESS_TIMEOUT") == 0)
		return fmt_number(st->fw_access_timeout, buf, len);
	if (strcmp(name, "MAX_FW_TIMEOUT") == 0)
		return fmt_number(st->max_fw_timeout, buf, len);
	if (strcmp(name, "ACCESS_EXPIRE_EPOCH") == 0)
		return fmt_number((uint64_t)st->expire, buf, len);
	if (strcmp(name, "CMD_CYCLE_TIMER") == 0)
		return fmt_number(st->cmd_cycle_timer, buf, len);
	if (strcmp(name, "CMD_TIMEOUT") == 0)
		return fmt_number(st->cmd_timeout, buf, len);
	if (strcmp(name, "HMAC_DIGEST_TYPE") == 0)
		return fmt_text(st->has_hmac_key ?
		    crypto_digest_name(st->hmac_type) : NULL, buf, len);
	if (strcmp(name, "REQUIRE_USERNAME") == 0)
		return fmt_text(st->require_username, buf, len);
	if (strcmp(name, "CMD_EXEC_USER") == 0)
		return fmt_text(st->cmd_exec_user.name, buf, len);
	if (strcmp(name, "CMD_EXEC_GROUP") == 0)
		return fmt_text(st->cmd_exec_group.name, buf, len);
	if (strcmp(name, "CMD_SUDO_EXEC_USER") == 0)
		return fmt_text(st->cmd_sudo_exec_user.name, buf, len);
	if (strcmp(name, "CMD_SUDO_EXEC_GROUP") == 0)
		return fmt_text(st->cmd_sudo_exec_group.name, buf, len);
	return false;
}

/* --- parsing ------------------------------------------------------------- */

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

static struct cmd_part *
new_part(struct parser *p, enum part_kind kind)
{
	struct cmd_word *w;
	struct cmd_part *np;

	if (p->word == NULL) {
		if (p->t->nwords == CMD_MAX_ARGS)
			return NULL;
		w = reallocarray(p->t->words, p->t->nwords + 1, sizeof(*w));
		if (w == NULL)
			return NULL;
		p->t->words = w;
		p->word = &w[p->t->nwords++];
		memset(p->word, 0, sizeof(*p->word));
	}
	w = p->word;
	if ((np = reallocarray(w->parts, w->nparts + 1, sizeof(*np))) == NULL)
		return NULL;
	w->parts = np;
	np = &w->parts[w->nparts++];
	memset(np, 0, sizeof(*np));
	np->kind = kind;
	return np;
}

/* Append one literal byte (to the last literal part, or a new one). */
static int
add_char(struct parser *p, char c)
{
	struct cmd_part *part = NULL;
	size_t n;
	char *nt;

	if (p->word != NULL && p->word->nparts > 0 &&
	    p->word->parts[p->word->nparts - 1].kind == P_LIT)
		part = &p->word->parts[p->word->nparts - 1];
	else if ((part = new_part(p, P_LIT)) == NULL)
		return fail(p, "%s", "too many words or out of memory");
	n = part->text != NULL ? strlen(part->text) : 0;
	if ((nt = realloc(part->text, n + 2)) == NULL)
		return fail(p, "%s", "out of memory");
	nt[n] = c;
	nt[n + 1] = '\0';
	part->text = nt;
	return 0;
}

static bool
is_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* Longest known name that `s` starts with (braced: all of it). */
static size_t
match_name(const char *s, size_t avail, bool exact, int *ev, int *dv)
{
	size_t i, n, best = 0;

	*ev = *dv = -1;
	for (i = 0; i < NEVENT_VARS; i++) {
		n = strlen(event_vars[i].name);
		if (n <= avail && n > best && strncmp(s, event_vars[i].name,
		    n) == 0 && (!exact || n == avail)) {
			best = n;
			*ev = (int)i;
			*dv = -1;
		}
	}
	for (i = 0; i < NDIRECTIVE_VARS; i++) {
		n = strlen(directive_vars[i]);
		if (n <= avail && n > best && strncmp(s, directive_vars[i],
		    n) == 0 && (!exact || n == avail)) {
			best = n;
			*dv = (int)i;
			*ev = -1;
		}
	}
	return best;
}

static int
add_variable(struct parser *p, int ev, int dv)
{
	struct cmd_part *part;
	char value[ACCESS_CMD_MAX];

	if (ev >= 0) {
		if ((part = new_part(p, P_VAR)) == NULL)
			return fail(p, "%s", "too many words or out of memory");
		part->var = event_vars[ev].var;
		return 0;
	}
	if (!directive_value(p->st, directive_vars[dv], value, sizeof(value)))
		return fail(p, "$%s is not set in this stanza",
		    directive_vars[dv]);
	if ((part = new_part(p, P_VALUE)) == NULL ||
	    (part->text = strdup(value)) == NULL)
		return fail(p, "%s", "out of memory");
	return 0;
}

/* At a '$': consume the reference, add the part. */
static int
parse_dollar(struct parser *p)
{
	const char *s = p->s + 1, *close;
	char name[64];
	size_t run = 0, n;
	int ev, dv;

	if (*s == '$') {
		p->s += 2;
		return add_char(p, '$');
	}
	if (*s == '{') {
		if ((close = strchr(s + 1, '}')) == NULL)
			return fail(p, "%s", "'${' without '}'");
		n = match_name(s + 1, (size_t)(close - s - 1), true, &ev, &dv);
		if (n == 0) {
			snprintf(name, sizeof(name), "%.*s",
			    (int)(close - s - 1), s + 1);
			return fail(p, "unknown variable ${%s}", name);
		}
		p->s = close + 1;
		return add_variable(p, ev, dv);
	}
	while (is_name_char(s[run]))
		run++;
	if (run == 0)
		return fail(p, "%s", "'$' without a variable name (write $$ "
		    "for a literal $)");
	if ((n = match_name(s, run, false, &ev, &dv)) == 0) {
		snprintf(name, sizeof(name), "%.*s", (int)run, s);
		return fail(p, "unknown variable $%s (write $$ for a literal $)",
		    name);
	}
	p->s = s + n;
	return add_variable(p, ev, dv);
}

static int
parse_quoted(struct parser *p, char q)
{
	int r;

	p->s++;
	while (*p->s != q) {
		if (*p->s == '\0')
			return fail(p, "unbalanced %s quote", q == '"' ?
			    "double" : "single");
		if (q == '"' && *p->s == '$') {
			if ((r = parse_dollar(p)) != 0)
				return r;
			continue;
		}
		if (q == '"' && *p->s == '\\' && p->s[1] != '\0')
			p->s++;
		if ((r = add_char(p, *p->s++)) != 0)
			return r;
	}
	p->s++;
	/* an empty quoted word ("") is still a word */
	if (p->word == NULL && new_part(p, P_LIT) != NULL &&
	    (p->word->parts[0].text = strdup("")) == NULL)
		return fail(p, "%s", "out of memory");
	return 0;
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
		if ((unsigned char)*p->s < 0x20 || *p->s == 0x7f)
			return fail(p, "%s", "control character in command");
		if (*p->s == '\'' || *p->s == '"')
			r = parse_quoted(p, *p->s);
		else if (*p->s == '$')
			r = parse_dollar(p);
		else if (*p->s == '\\') {
			if (p->s[1] == '\0')
				return fail(p, "%s", "trailing backslash");
			p->s++;
			r = add_char(p, *p->s++);
		} else
			r = add_char(p, *p->s++);
		if (r != 0)
			return r;
	}
	return 0;
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
		return SPA_ERR_NOMEM;
	if ((r = parse_words(&p)) == 0 && out->nwords == 0)
		r = fail(&p, "%s", "empty command");
	if (r == 0 && out->words[0].parts[0].kind != P_LIT)
		r = fail(&p, "%s", "the first word must be written out, not a "
		    "variable (it chooses the action module)");
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

static const char *
var_value(enum var v, const struct subst_vars *vars, char *buf, size_t len)
{
	const struct spa_event *ev = vars->ev;
	const struct spa_port *port = ev->nports > vars->port ?
	    &ev->ports[vars->port] : NULL;
	char a[ADDR_STRLEN];

	switch (v) {
	case V_IP:
	case V_SRC:
		snprintf(buf, len, "%s", addr_fmt(&ev->allow, a));
		break;
	case V_PKT_SRC:
		snprintf(buf, len, "%s", addr_fmt(&ev->pkt_src, a));
		break;
	case V_DST:
		snprintf(buf, len, "%s", addr_fmt(&ev->pkt_dst, a));
		break;
	case V_PORT:
		snprintf(buf, len, "%u", port ? port->port : 0);
		break;
	case V_PROTO:
		snprintf(buf, len, "%u", port ? port->proto : 0);
		break;
	case V_PROTO_NAME:
		snprintf(buf, len, "%s", port ? spa_proto_name(port->proto) :
		    "");
		break;
	case V_TIMEOUT:
		snprintf(buf, len, "%" PRId64, ev->spa_time +
		    (int64_t)ev->timeout);
		break;
	case V_CLIENT_TIMEOUT:
		snprintf(buf, len, "%u", ev->timeout);
		break;
	case V_USER:
		return ev->user;
	case V_STANZA:
		snprintf(buf, len, "%u", ev->stanza);
		break;
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

/* A value for /bin/sh: '...' with each ' written as '\'' */
static void
emit_quoted(struct out *o, const char *s)
{
	emit(o, "'", 1);
	for (; *s != '\0'; s++)
		if (*s == '\'')
			emit(o, "'\\''", 4);
		else
			emit(o, s, 1);
	emit(o, "'", 1);
}

static void
emit_word(struct out *o, const struct cmd_word *w,
    const struct subst_vars *vars, bool shell)
{
	char buf[64];
	const char *v;
	size_t i;

	for (i = 0; i < w->nparts; i++) {
		const struct cmd_part *pt = &w->parts[i];

		v = pt->kind == P_VAR ? var_value(pt->var, vars, buf,
		    sizeof(buf)) : pt->text;
		if (shell && pt->kind != P_LIT)
			emit_quoted(o, v);
		else
			emit(o, v, strlen(v));
	}
}

static void
end_arg(struct out *o)
{
	emit(o, "", 0);
	if (o->bad || o->a->argc == CMD_MAX_ARGS || o->len >= sizeof(o->a->buf)) {
		o->bad = true;
		return;
	}
	o->a->buf[o->len++] = '\0';
	o->a->argc++;
}

int
cmd_template_expand(const struct cmd_template *t,
    const struct subst_vars *vars, struct cmd_argv *out)
{
	struct out o = { out, 0, false };
	size_t i;

	memset(out, 0, sizeof(*out));
	if (t->shell) {
		emit(&o, "/bin/sh", 7);
		end_arg(&o);
		emit(&o, "-c", 2);
		end_arg(&o);
	}
	for (i = 0; i < t->nwords; i++) {
		if (t->shell && i > 0)
			emit(&o, " ", 1);
		emit_word(&o, &t->words[i], vars, t->shell);
		if (!t->shell)
			end_arg(&o);
	}
	if (t->shell)
		end_arg(&o);
	if (o.bad || cmd_argv_relink(out) != 0) {
		memset(out, 0, sizeof(*out));
		return SPA_ERR_ARG;
	}
	return 0;
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
		} else if (q == 0 && (*s == ' ' || *s == '\t')) {
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
	if (o.bad || out->argc == 0 || cmd_argv_relink(out) != 0) {
		memset(out, 0, sizeof(*out));
		return SPA_ERR_ARG;
	}
	return 0;
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
	if (o.bad || out->argc == 0 || cmd_argv_relink(out) != 0) {
		memset(out, 0, sizeof(*out));
		return SPA_ERR_ARG;
	}
	return 0;
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
	size_t i, o = 0;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (i = 0; i < a->argc && o + 1 < len; i++) {
		event_quote(a->argv[i], q, sizeof(q));
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? " " : "", q);
	}
	return o < len ? o : len - 1;
}
