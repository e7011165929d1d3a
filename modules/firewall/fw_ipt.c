/* The iptables backend's restore text (see fw_ipt.h). */
#include "config.h"

#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_ipt.h"
#include "log.h"

#define SAVED_LINE_MAX	(2 * FW_IPT_LINE_MAX)

static int
fits(int n, size_t len)
{
	return n >= 0 && (size_t)n < len ? 0 : -1;
}

int
fw_ipt_line(const char *chain, bool add, const struct fw_ipt_rule *r,
    char *buf, size_t len)
{
	const char *proto = r->e.proto == IPPROTO_UDP ? "udp" : "tcp";
	char a[ADDR_STRLEN];

	return fits(snprintf(buf, len, "%s %s -s %s/%d -p %s -m %s --dport %u "
	    "-m comment --comment " FW_IPT_COMMENT "%" PRId64 " -j ACCEPT",
	    add ? "-A" : "-D", chain, addr_fmt(&r->e.src, a),
	    r->e.src.family == AF_INET6 ? 128 : 32, proto, proto, r->e.port,
	    r->exp), len);
}

/*
 * A NAT rule: "-A|-D <chain> -s S/32 [-d NAT/32] -p P -m P --dport N
 * -m comment ... -j <target>", to the NAT address and port if `to_nat`.
 */
static int
nat_line(const char *chain, bool add, const struct fw_ipt_rule *r,
    bool to_nat, const char *target, char *buf, size_t len)
{
	const char *proto = r->e.proto == IPPROTO_UDP ? "udp" : "tcp";
	char a[ADDR_STRLEN], d[ADDR_STRLEN + 8] = "";

	if (to_nat)
		snprintf(d, sizeof(d), " -d %s/32", addr_fmt(&r->e.to, a));
	return fits(snprintf(buf, len, "%s %s -s %s/32%s -p %s -m %s --dport "
	    "%u -m comment --comment " FW_IPT_COMMENT "%" PRId64 " -j %s",
	    add ? "-A" : "-D", chain, addr_fmt(&r->e.src, a), d, proto, proto,
	    to_nat ? r->e.to_port : r->e.port, r->exp, target), len);
}

/* Appends `mark` and `line` to buf at *off, '\n' between lines. */
static int
join(char *buf, size_t len, size_t *off, const char *mark, const char *line)
{
	if (fits(snprintf(buf + *off, len - *off, "%s%s%s", *off > 0 ?
	    "\n" : "", mark, line), len - *off) != 0)
		return -1;
	*off += strlen(buf + *off);
	return 0;
}

static int
grant_nat(const struct fw_ipt_chains *c, bool add,
    const struct fw_ipt_rule *r, char *buf, size_t len, size_t *off)
{
	char line[FW_IPT_LINE_MAX], target[64], a[ADDR_STRLEN];
	const struct fw_elem *e = &r->e;

	if (e->kind == FW_FWD_NAT && c->forward != NULL &&
	    (nat_line(c->forward, add, r, true, "ACCEPT", line,
	    sizeof(line)) != 0 || join(buf, len, off, "", line) != 0))
		return -1;
	snprintf(target, sizeof(target), "DNAT --to-destination %s:%u",
	    addr_fmt(&e->to, a), e->to_port);
	if (e->dnat && c->dnat != NULL && (nat_line(c->dnat, add, r, false,
	    target, line, sizeof(line)) != 0 ||
	    join(buf, len, off, FW_IPT_NAT_MARK, line) != 0))
		return -1;
	if (e->kind != FW_FWD_NAT || e->snat == FW_SNAT_NONE || c->snat == NULL)
		return 0;
	if (e->snat == FW_SNAT_ADDR)
		snprintf(target, sizeof(target), "SNAT --to-source %s",
		    addr_fmt(&e->snat_addr, a));
	else
		snprintf(target, sizeof(target), "MASQUERADE");
	if (nat_line(c->snat, add, r, true, target, line, sizeof(line)) != 0)
		return -1;
	return join(buf, len, off, FW_IPT_NAT_MARK, line);
}

/* The output accept of an access grant: the host's answers to it. */
static int
grant_output(const char *chain, bool add, const struct fw_ipt_rule *r,
    char *buf, size_t len, size_t *off)
{
	const char *proto = r->e.proto == IPPROTO_UDP ? "udp" : "tcp";
	char line[FW_IPT_LINE_MAX], a[ADDR_STRLEN];

	if (fits(snprintf(line, sizeof(line), "%s %s -d %s/%d -p %s -m %s "
	    "--sport %u -m comment --comment " FW_IPT_COMMENT "%" PRId64
	    " -j ACCEPT", add ? "-A" : "-D", chain, addr_fmt(&r->e.src, a),
	    r->e.src.family == AF_INET6 ? 128 : 32, proto, proto, r->e.port,
	    r->exp), sizeof(line)) != 0)
		return -1;
	return join(buf, len, off, "", line);
}

int
fw_ipt_grant(const struct fw_ipt_chains *c, bool add,
    const struct fw_ipt_rule *r, char *buf, size_t len)
{
	struct fw_ipt_rule in = *r;
	char line[FW_IPT_LINE_MAX];
	size_t off = 0;

	buf[0] = '\0';
	fw_elem_input(&r->e, &in.e);
	if (r->e.kind != FW_FWD_NAT && c->input != NULL &&
	    (fw_ipt_line(c->input, add, &in, line, sizeof(line)) != 0 ||
	    join(buf, len, &off, "", line) != 0))
		return -1;
	if (r->e.kind == FW_ACCESS)
		return r->out && c->output != NULL ? grant_output(c->output, add,
		    r, buf, len, &off) : 0;
	return grant_nat(c, add, r, buf, len, &off);
}

/* `line` without its comment's time, for a comparison. */
static void
strip_time(const char *line, char *out, size_t len)
{
	const char *t = strstr(line, FW_IPT_COMMENT);
	size_t n;

	if (t == NULL) {
		snprintf(out, len, "%s", line);
		return;
	}
	n = (size_t)(t - line) + strlen(FW_IPT_COMMENT);
	t += strlen(FW_IPT_COMMENT);
	t += strspn(t, "0123456789");
	snprintf(out, len, "%.*s%s", (int)n, line, t);
}

/* Whether held rule `h`'s line `k` (-1: none) is `want`. */
static int
grant_has(const struct fw_ipt_chains *c, const struct fw_ipt_rule *h,
    const char *want)
{
	char text[FW_IPT_GRANT_MAX], bare[SAVED_LINE_MAX], *p, *save = NULL;
	int k = 0;

	if (fw_ipt_grant(c, true, h, text, sizeof(text)) != 0)
		return -1;
	for (p = strtok_r(text, "\n", &save); p != NULL;
	    p = strtok_r(NULL, "\n", &save), k++) {
		if (strncmp(p, FW_IPT_NAT_MARK, strlen(FW_IPT_NAT_MARK)) == 0)
			p += strlen(FW_IPT_NAT_MARK);
		strip_time(p, bare, sizeof(bare));
		if (strcmp(bare, want) == 0)
			return k;
	}
	return -1;
}

/*
 * Whether the rule `line` ("-A <chain> ...") is a held grant's: mark
 * that line seen, and read the grant's time from the comment.
 */
static bool
held_by(const struct fw_ipt_chains *c, const char *line,
    struct fw_ipt_rule *held, size_t nheld)
{
	char bare[SAVED_LINE_MAX], *end;
	const char *t = strstr(line, FW_IPT_COMMENT);
	long long exp;
	size_t i;
	int k;

	if (t == NULL)
		return false;
	exp = strtoll(t + strlen(FW_IPT_COMMENT), &end, 10);
	if (*end != ' ' && *end != '\0')
		return false;
	strip_time(line, bare, sizeof(bare));
	for (i = 0; i < nheld; i++)
		if ((k = grant_has(c, &held[i], bare)) >= 0 &&
		    !(held[i].seen_lines & (1u << k))) {
			held[i].seen_lines |= 1u << k;
			held[i].seen = true;
			held[i].exp = exp;
			return true;
		}
	return false;
}

/* What the saved filter table says about the chain and the jump. */
struct saved_facts {
	bool	 has_chain;
	bool	 jump_first;
	size_t	 njump;
};

/* The next line of `*p` into `line`; false at the end. */
static bool
next_line(const char **p, char *line, size_t len)
{
	size_t n;

	if (**p == '\0')
		return false;
	n = strcspn(*p, "\n");
	snprintf(line, len, "%.*s", (int)(n < len ? n : len - 1), *p);
	if (n >= len)
		line[0] = '\0';		/* too long to be ours: skipped */
	*p += n + ((*p)[n] == '\n');
	return true;
}

static void
read_facts(const char *hook, const char *chain, const char *saved,
    struct saved_facts *f)
{
	char line[SAVED_LINE_MAX], decl[64], jump[64], from[32];
	size_t ninput = 0;

	memset(f, 0, sizeof(*f));
	snprintf(decl, sizeof(decl), ":%s ", chain);
	snprintf(jump, sizeof(jump), "-A %s -j %s", hook, chain);
	snprintf(from, sizeof(from), "-A %s ", hook);
	while (next_line(&saved, line, sizeof(line))) {
		if (strncmp(line, decl, strlen(decl)) == 0)
			f->has_chain = true;
		if (strncmp(line, from, strlen(from)) != 0)
			continue;
		ninput++;
		if (strcmp(line, jump) == 0) {
			f->njump++;
			f->jump_first |= ninput == 1;
		}
	}
}

/* Appends `mark` `line` '\n' to buf at *off; -1 if it does not fit. */
static int
put(char *buf, size_t len, size_t *off, const char *mark, const char *line)
{
	if (fits(snprintf(buf + *off, len - *off, "%s%s\n", mark, line),
	    len - *off) != 0)
		return -1;
	*off += strlen(buf + *off);
	return 0;
}

/* What one setup_chain call reads and writes. */
struct setup_ctx {
	const struct fw_ipt_chains	*c;
	const char			*saved;
	bool				 sweep;
	struct fw_ipt_rule		*held;
	size_t				 nheld;
	const char			*mark;	/* "" or FW_IPT_NAT_MARK */
	char				*buf;
	size_t				 len, off, swept;
};

static int
sweep_lines(struct setup_ctx *x, const char *chain)
{
	char line[SAVED_LINE_MAX], del[SAVED_LINE_MAX + 8], own[64];
	const char *saved = x->saved;

	snprintf(own, sizeof(own), "-A %s ", chain);
	while (next_line(&saved, line, sizeof(line))) {
		if (strncmp(line, own, strlen(own)) != 0 ||
		    held_by(x->c, line, x->held, x->nheld))
			continue;
		log_info("firewall: %s: a rule no open cycle holds (left by a "
		    "previous run): removed", line);
		snprintf(del, sizeof(del), "-D %s", line + 3);
		if (put(x->buf, x->len, &x->off, x->mark, del) != 0)
			return -1;
		x->swept++;
	}
	return 0;
}

/* A chain if missing, its jump at `hook` position 1 once, the sweep. */
static int
setup_chain(struct setup_ctx *x, const char *hook, const char *chain)
{
	struct saved_facts f;
	char line[FW_IPT_LINE_MAX];
	size_t i;

	read_facts(hook, chain, x->saved, &f);
	snprintf(line, sizeof(line), ":%s - [0:0]", chain);
	if (!f.has_chain && put(x->buf, x->len, &x->off, x->mark, line) != 0)
		return -1;
	if (!(f.njump == 1 && f.jump_first)) {
		snprintf(line, sizeof(line), "-D %s -j %s", hook, chain);
		for (i = 0; i < f.njump; i++)
			if (put(x->buf, x->len, &x->off, x->mark, line) != 0)
				return -1;
		snprintf(line, sizeof(line), "-I %s 1 -j %s", hook, chain);
		if (put(x->buf, x->len, &x->off, x->mark, line) != 0)
			return -1;
	}
	if (x->sweep)
		return sweep_lines(x, chain);
	return 0;
}

int
fw_ipt_setup(const char *chain, const char *saved, bool sweep,
    struct fw_ipt_rule *held, size_t nheld, char *buf, size_t len,
    size_t *swept)
{
	struct fw_ipt_chains c = { .input = chain };
	struct setup_ctx x = { &c, saved, sweep, held, nheld, "", buf, len,
	    0, 0 };
	int r;

	buf[0] = '\0';
	r = setup_chain(&x, "INPUT", chain);
	*swept = x.swept;
	return r;
}

int
fw_ipt_setup_output(const struct fw_ipt_chains *c, const char *saved,
    bool sweep, struct fw_ipt_rule *held, size_t nheld, char *buf,
    size_t len, size_t *swept)
{
	struct setup_ctx x = { c, saved, sweep, held, nheld, "", buf, len,
	    0, 0 };
	int r;

	buf[0] = '\0';
	r = setup_chain(&x, "OUTPUT", c->output);
	*swept = x.swept;
	return r;
}

int
fw_ipt_setup_nat(const struct fw_ipt_chains *c, bool nat_table,
    const char *saved, bool sweep, struct fw_ipt_rule *held, size_t nheld,
    char *buf, size_t len, size_t *swept)
{
	struct setup_ctx x = { c, saved, sweep, held, nheld, nat_table ?
	    FW_IPT_NAT_MARK : "", buf, len, 0, 0 };
	int r;

	buf[0] = '\0';
	if (!nat_table)
		r = setup_chain(&x, "FORWARD", c->forward);
	else
		r = setup_chain(&x, "PREROUTING", c->dnat) != 0 ? -1 :
		    setup_chain(&x, "POSTROUTING", c->snat);
	*swept = x.swept;
	return r;
}

bool
fw_ipt_is_absent(const char *err)
{
	const char *p;
	unsigned int n;
	int end = 0;

	if (strstr(err, "does a matching rule exist") != NULL)
		return true;
	/* legacy: "iptables-restore: line 3 failed", nothing more */
	return (p = strstr(err, "line ")) != NULL &&
	    sscanf(p, "line %u failed%n", &n, &end) == 1 && end > 0 &&
	    p[end] == '\0';
}

/* --- the recheck --------------------------------------------------------- */

static int
cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
fw_ipt_saved_index(struct fw_ipt_saved *s, char *text)
{
	size_t n = 1, i = 0;
	char *p, *save = NULL;

	memset(s, 0, sizeof(*s));
	s->text = text;
	for (p = text; *p != '\0'; p++)
		n += *p == '\n';
	if ((s->line = calloc(n, sizeof(*s->line))) == NULL) {
		fw_ipt_saved_free(s);
		return -1;
	}
	for (p = strtok_r(text, "\n", &save); p != NULL && i < n;
	    p = strtok_r(NULL, "\n", &save))
		s->line[i++] = p;
	s->n = i;
	qsort(s->line, s->n, sizeof(*s->line), cmp_line);
	return 0;
}

void
fw_ipt_saved_free(struct fw_ipt_saved *s)
{
	free(s->line);
	free(s->text);
	memset(s, 0, sizeof(*s));
}

bool
fw_ipt_saved_has(const struct fw_ipt_saved *s, const char *line)
{
	return s->n > 0 && bsearch(&line, s->line, s->n, sizeof(*s->line),
	    cmp_line) != NULL;
}

/* The built-in chain that jumps to spagated's `chain`; NULL: none. */
static const char *
hook_of(const struct fw_ipt_chains *c, const char *chain, size_t n)
{
	const char *own[] = { c->input, c->output, c->forward, c->dnat,
	    c->snat };
	static const char *const hook[] = { "INPUT", "OUTPUT", "FORWARD",
	    "PREROUTING", "POSTROUTING" };
	size_t i;

	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (own[i] != NULL && strlen(own[i]) == n &&
		    strncmp(own[i], chain, n) == 0)
			return hook[i];
	return NULL;
}

/* One line of a grant ("-A <chain> ..."): there, and its chain jumped to. */
static void
verify_line(const struct fw_ipt_chains *c, const char *line,
    const struct fw_ipt_saved *t, size_t *there, bool *jumps)
{
	const char *chain = line + 3, *hook;
	size_t n = strcspn(chain, " ");
	char jump[128];

	if (fw_ipt_saved_has(t, line))
		(*there)++;
	if ((hook = hook_of(c, chain, n)) == NULL)
		return;
	snprintf(jump, sizeof(jump), "-A %s -j %.*s", hook, (int)n, chain);
	if (!fw_ipt_saved_has(t, jump))
		*jumps = false;
}

int
fw_ipt_verify(const struct fw_ipt_chains *c, const struct fw_ipt_rule *r,
    const struct fw_ipt_saved *filter, const struct fw_ipt_saved *nat,
    size_t *there, size_t *total, bool *jumps)
{
	static const struct fw_ipt_saved none;
	char text[FW_IPT_GRANT_MAX], *p, *save = NULL;
	size_t m = strlen(FW_IPT_NAT_MARK);
	bool is_nat;

	*there = *total = 0;
	*jumps = true;
	if (fw_ipt_grant(c, true, r, text, sizeof(text)) != 0)
		return -1;
	for (p = strtok_r(text, "\n", &save); p != NULL;
	    p = strtok_r(NULL, "\n", &save), (*total)++) {
		is_nat = strncmp(p, FW_IPT_NAT_MARK, m) == 0;
		verify_line(c, p + (is_nat ? m : 0), !is_nat ? filter :
		    nat != NULL ? nat : &none, there, jumps);
	}
	return 0;
}
