/*
 * The iptables backend: fwknopd's chain, through iptables-restore
 * --noflush (fw_ipt.h for its text, fw_exec.h for the run).
 *
 * Exec rather than a library: libiptc is not a stable interface (its
 * own authors say so; iptables-nft does not even use it), and
 * iptables-restore is what the host runs, legacy or nf_tables, so
 * spagated's rules are written by the same program as the admin's.
 * One run per pass and family carries every rule of the pass, so the
 * fork is paid once however many grants arrive together.
 *
 * iptables has no timeout: each rule stays until its close deletes it,
 * so the backend remembers the rules it holds (`held`, a rule per
 * grant, as the close must name it exactly), which also makes an open
 * run again harmless (nothing added twice).  At start, rules of the
 * chain that no journaled cycle holds are a previous run's and go.
 *
 * The recheck (verify) reads iptables-save's filter and nat tables once
 * and looks each grant's lines up in them, sorted: one save serves every
 * check for SAVE_FRESH_MS, or until spagated itself changes the chains
 * (a send, a setup), so thousands of grants cost a save a second, not a
 * fork per grant.  A removal is seen one round later at worst.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "err.h"
#include "fw_backend.h"
#include "fw_exec.h"
#include "fw_ipt.h"
#include "log.h"
#include "nft_batch.h"

enum ipt_kind { IPT_ADD, IPT_REPLACE, IPT_DEL };

/* What a queued unit does to `held` once it has settled. */
struct ipt_item {
	enum ipt_kind		 kind;
	struct fw_ipt_rule	 r;
	int64_t			 old_exp;	/* REPLACE, DEL */
	bool			 old_out;	/* REPLACE */
};

struct ipt_family {
	bool			 v6;
	struct nft_unit		*u;
	struct ipt_item		*it;
	size_t			 n, cap;
	struct fw_ipt_rule	*held;
	size_t			 nheld, capheld;
	bool			 sweep_due;	/* until the first setup */
	const char		*restore;	/* in force for this send */
	bool			 broken;	/* a run of this send hung */
	char			 broken_why[NFT_ERR_MAX];
	struct fw_ipt_saved	 saved[2];	/* the recheck's: filter, nat */
	bool			 saved_ok;
	int64_t			 saved_ms;	/* when read (monotonic) */
};

struct ipt_state {
	struct ipt_family	 fam[2];
};

#define SAVE_FRESH_MS	1000

static const char *
prog(bool v6)
{
	return v6 ? "ip6tables-restore" : "iptables-restore";
}

static int
ipt_create(void **st)
{
	struct ipt_state *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return SPA_ERR_NOMEM;
	s->fam[1].v6 = true;
	s->fam[0].sweep_due = s->fam[1].sweep_due = true;
	*st = s;
	return 0;
}

/* --- held rules ---------------------------------------------------------- */

/* The same rules: source, protocol, port and, for NAT, all of it. */
static bool
same_grant(const struct fw_elem *a, const struct fw_elem *b)
{
	if (a->proto != b->proto || a->port != b->port ||
	    !addr_equal(&a->src, &b->src) || a->kind != b->kind)
		return false;
	if (a->kind == FW_ACCESS)
		return true;
	return a->dnat == b->dnat && a->to_port == b->to_port &&
	    addr_equal(&a->to, &b->to) && a->snat == b->snat &&
	    (a->snat != FW_SNAT_ADDR || addr_equal(&a->snat_addr,
	    &b->snat_addr));
}

static struct fw_ipt_rule *
held_find(struct ipt_family *fa, const struct fw_elem *e)
{
	size_t i;

	for (i = 0; i < fa->nheld; i++)
		if (same_grant(&fa->held[i].e, e))
			return &fa->held[i];
	return NULL;
}

static int
held_add(struct ipt_family *fa, const struct fw_elem *e, int64_t exp,
    bool out)
{
	struct fw_ipt_rule *v;
	size_t cap;

	if (fa->nheld == fa->capheld) {
		cap = fa->capheld == 0 ? 16 : 2 * fa->capheld;
		if ((v = reallocarray(fa->held, cap, sizeof(*v))) == NULL)
			return SPA_ERR_NOMEM;
		fa->held = v;
		fa->capheld = cap;
	}
	memset(&fa->held[fa->nheld], 0, sizeof(fa->held[0]));
	fa->held[fa->nheld].e = *e;
	fa->held[fa->nheld].out = out;
	fa->held[fa->nheld++].exp = exp;
	return 0;
}

static void
held_remove(struct ipt_family *fa, struct fw_ipt_rule *r)
{
	*r = fa->held[--fa->nheld];
}

static int
ipt_hold(void *st, const struct fw_elem *e)
{
	struct ipt_family *fa = &((struct ipt_state *)st)->fam[
	    e->src.family == AF_INET6];

	return held_find(fa, e) != NULL ? 0 : held_add(fa, e, 0, false);
}

/* --- the recheck's saved tables -------------------------------------------- */

/* Forget the saved tables: spagated changed the chains. */
static void
saved_drop(struct ipt_family *fa)
{
	fw_ipt_saved_free(&fa->saved[0]);
	fw_ipt_saved_free(&fa->saved[1]);
	fa->saved_ok = false;
}

/* --- setup --------------------------------------------------------------- */

/*
 * The restore text of `lines` (each ending in '\n'): the unmarked ones
 * in *filter, those marked FW_IPT_NAT_MARK in *nat; NULL if no memory.
 */
static char *
restore_text(const char *lines)
{
	size_t len = strlen(lines) + 64, off, n, m = strlen(FW_IPT_NAT_MARK);
	char *text;
	const char *p;
	int nat;

	if ((text = malloc(len)) == NULL)
		return NULL;
	text[0] = '\0';
	for (nat = 0; nat < 2; nat++) {
		off = strlen(text);
		snprintf(text + off, len - off, nat ? "*nat\n" : "*filter\n");
		for (p = lines; *p != '\0'; p += n + (p[n] == '\n')) {
			n = strcspn(p, "\n");
			if ((strncmp(p, FW_IPT_NAT_MARK, m) == 0) != nat)
				continue;
			off = strlen(text);
			snprintf(text + off, len - off, "%.*s\n",
			    (int)(n - (nat ? m : 0)), p + (nat ? m : 0));
		}
		off = strlen(text);
		if (nat && strcmp(text + off - 5, "*nat\n") == 0)
			text[off - 5] = '\0';	/* no NAT line: no *nat */
		else
			snprintf(text + off, len - off, "COMMIT\n");
	}
	return text;
}

/* A restore of `lines`: 0 or -1 with why. */
static int
restore(const char *path, const char *lines, char *why, size_t whylen)
{
	char prog_path[FW_PATH_MAX], noflush[] = "--noflush", *text;
	char *argv[] = { prog_path, noflush, NULL };
	int r;

	snprintf(prog_path, sizeof(prog_path), "%s", path);
	if ((text = restore_text(lines)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	r = fw_exec(path, argv, text, NULL, FW_EXEC_TIMEOUT_MS, why, whylen);
	free(text);
	return r;
}

/* The chains of a family: NAT's only for IPv4 (as fwknopd). */
static void
chains_of(const struct conf_firewall *f, bool v6, struct fw_ipt_chains *c)
{
	memset(c, 0, sizeof(*c));
	c->input = conf_firewall_chain(f);
	c->output = conf_firewall_output_chain(f);
	if (v6)
		return;
	c->forward = conf_firewall_nat_chain(f, FW_NAT_FORWARD);
	c->dnat = conf_firewall_nat_chain(f, FW_NAT_DNAT);
	c->snat = conf_firewall_nat_chain(f, FW_NAT_SNAT);
}

/* After the start's sweep: a journaled grant whose rule is gone. */
static void
drop_unseen(struct ipt_family *fa)
{
	const struct fw_elem *e;
	char a[ADDR_STRLEN];
	size_t i = 0;

	while (i < fa->nheld) {
		if (fa->held[i].seen) {
			i++;
			continue;
		}
		e = &fa->held[i].e;
		log_warnx("firewall: %s %s/%u: a journaled open cycle's rule "
		    "is not in the chain (its close will find it gone)",
		    addr_fmt(&e->src, a), e->proto == IPPROTO_UDP ? "udp" :
		    "tcp", e->port);
		held_remove(fa, &fa->held[i]);
	}
}

/* iptables-save -t <table>'s output (malloc'd), or NULL with why. */
static char *
saved_table(const struct conf_firewall *f, bool v6, const char *table,
    char *why, size_t whylen)
{
	char save[FW_PATH_MAX], t[] = "-t", tab[16], *saved = NULL;
	char *argv[] = { save, t, tab, NULL };

	snprintf(save, sizeof(save), "%s", conf_firewall_save(f, v6));
	snprintf(tab, sizeof(tab), "%s", table);
	if (fw_exec(save, argv, "", &saved, FW_EXEC_TIMEOUT_MS, why,
	    whylen) != 0) {
		free(saved);
		return NULL;
	}
	return saved;
}

/* The setup's lines of a family (NAT's chains for IPv4) into buf. */
static int
setup_lines(struct ipt_family *fa, const struct fw_ipt_chains *c,
    const char *sfilter, const char *snat, char *buf, size_t len,
    size_t *swept)
{
	size_t off, n;

	if (fw_ipt_setup(c->input, sfilter, fa->sweep_due, fa->held,
	    fa->nheld, buf, len, swept) != 0)
		return -1;
	off = strlen(buf);
	if (fw_ipt_setup_output(c, sfilter, fa->sweep_due, fa->held,
	    fa->nheld, buf + off, len - off, &n) != 0)
		return -1;
	*swept += n;
	if (fa->v6)
		return 0;
	off += strlen(buf + off);
	if (fw_ipt_setup_nat(c, false, sfilter, fa->sweep_due, fa->held,
	    fa->nheld, buf + off, len - off, &n) != 0)
		return -1;
	*swept += n;
	off += strlen(buf + off);
	if (fw_ipt_setup_nat(c, true, snat, fa->sweep_due, fa->held,
	    fa->nheld, buf + off, len - off, &n) != 0)
		return -1;
	*swept += n;
	return 0;
}

static int
setup_family(struct ipt_family *fa, const struct conf_firewall *f,
    char *why, size_t whylen)
{
	struct fw_ipt_chains c;
	char *sfilter, *snat = NULL, *buf = NULL;
	size_t len, swept = 0, n;
	int r = -1;

	saved_drop(fa);
	chains_of(f, fa->v6, &c);
	for (n = 0; fa->sweep_due && n < fa->nheld; n++)	/* journaled */
		fa->held[n].out = f->output && fa->held[n].e.kind == FW_ACCESS;
	if ((sfilter = saved_table(f, fa->v6, "filter", why, whylen)) == NULL ||
	    (!fa->v6 && (snat = saved_table(f, fa->v6, "nat", why,
	    whylen)) == NULL))
		goto out;
	len = 2 * (strlen(sfilter) + (snat ? strlen(snat) : 0)) +
	    8 * FW_IPT_LINE_MAX;
	if ((buf = malloc(len)) == NULL)
		snprintf(why, whylen, "out of memory");
	else if (setup_lines(fa, &c, sfilter, snat ? snat : "", buf, len,
	    &swept) != 0)
		snprintf(why, whylen, "the setup is too long");
	else if (buf[0] == '\0' || restore(conf_firewall_restore(f, fa->v6),
	    buf, why, whylen) == 0)
		r = 0;
	if (r == 0 && fa->sweep_due) {
		drop_unseen(fa);
		fa->sweep_due = false;
		log_info("firewall: %s: %zu rule%s left by a previous run "
		    "removed", prog(fa->v6), swept, swept == 1 ? "" : "s");
	}
out:
	free(buf);
	free(sfilter);
	free(snat);
	return r;
}

static int
ipt_setup(void *st, const struct conf_firewall *f, char *why, size_t whylen)
{
	struct ipt_state *s = st;
	const char *c = conf_firewall_chain(f);
	char err[FW_WHY_MAX];
	int v6;

	for (v6 = 0; v6 < 2; v6++)
		if (setup_family(&s->fam[v6], f, err, sizeof(err)) != 0) {
			snprintf(why, whylen, "%s chain %s cannot be made: %s",
			    v6 ? "ip6tables" : "iptables", c, err);
			return -1;
		}
	log_info("firewall: iptables chain %s ready (filter table, jump at "
	    "INPUT position 1, IPv4 and IPv6; output %s%s; NAT, IPv4: %s, "
	    "%s, %s)", c, conf_firewall_output_chain(f), f->output ? "" :
	    " (unused: firewall.output is off)",
	    conf_firewall_nat_chain(f, FW_NAT_FORWARD),
	    conf_firewall_nat_chain(f, FW_NAT_DNAT),
	    conf_firewall_nat_chain(f, FW_NAT_SNAT));
	return 0;
}

/* --- requests ------------------------------------------------------------ */

static int
push(struct ipt_family *fa, uint64_t job, const char *text,
    const struct ipt_item *it)
{
	size_t cap;
	void *v;

	if (fa->n == fa->cap) {
		cap = fa->cap == 0 ? 16 : 2 * fa->cap;
		if ((v = reallocarray(fa->u, cap, sizeof(*fa->u))) == NULL)
			return SPA_ERR_NOMEM;
		fa->u = v;
		if ((v = reallocarray(fa->it, cap, sizeof(*fa->it))) == NULL)
			return SPA_ERR_NOMEM;
		fa->it = v;
		fa->cap = cap;
	}
	memset(&fa->u[fa->n], 0, sizeof(fa->u[0]));
	if ((fa->u[fa->n].text = strdup(text)) == NULL)
		return SPA_ERR_NOMEM;
	fa->u[fa->n].job = job;
	fa->u[fa->n].is_delete = it->kind == IPT_DEL;
	fa->it[fa->n++] = *it;
	return 0;
}

/* A request settled without a run: already there, or already gone. */
static void
settle_now(struct action_env *env, uint64_t job, const char *line,
    bool absent)
{
	char detail[FW_IPT_LINE_MAX + 64];
	int n = (int)strcspn(line, "\n");	/* a grant's first rule */

	snprintf(detail, sizeof(detail), "firewall %.*s: %s", n, line, absent ?
	    "not in the chain (gone already)" : "in the chain already");
	action_report(env, &(struct action_result){ .job = job,
	    .detail = detail, .absent = absent, .exit_status = -1 });
}

/* The text of an open: "-A new", or "-A new" and "-D old" to renew. */
static int
open_text(const struct fw_ipt_chains *c, struct ipt_family *fa,
    struct ipt_item *it, const struct fw_ipt_rule *old, char *text,
    size_t len)
{
	char del[FW_IPT_GRANT_MAX];

	if (fw_ipt_grant(c, true, &it->r, text, len) != 0)
		return -1;
	(void)fa;
	if (old == NULL)
		return 0;
	it->kind = IPT_REPLACE;
	it->old_exp = old->exp;
	it->old_out = old->out;
	if (fw_ipt_grant(c, false, old, del, sizeof(del)) != 0 ||
	    strlen(text) + strlen(del) + 2 > len)
		return -1;
	strcat(text, "\n");
	strcat(text, del);
	return 0;
}

static int
queue_open(struct ipt_family *fa, const struct fw_ipt_chains *c,
    struct action_env *env, const struct action_req *req,
    const struct fw_elem *e, bool out)
{
	struct ipt_item it = { .kind = IPT_ADD, .r = { .e = *e,
	    .exp = req->close_at, .out = out && e->kind == FW_ACCESS } };
	struct fw_ipt_rule *old = held_find(fa, e);
	char text[2 * FW_IPT_GRANT_MAX];
	int r;

	if (old != NULL && old->exp >= req->close_at && old->out == it.r.out) {
		fw_ipt_grant(c, true, old, text, sizeof(text));
		settle_now(env, req->job, text, false);
		return 0;
	}
	if (open_text(c, fa, &it, old, text, sizeof(text)) != 0)
		return SPA_ERR_ACTION;
	if ((r = push(fa, req->job, text, &it)) != 0)
		return r;
	if (old != NULL) {
		old->exp = req->close_at;
		old->out = it.r.out;
	} else if ((r = held_add(fa, e, req->close_at, it.r.out)) != 0)
		free(fa->u[--fa->n].text);	/* not queued after all */
	return r;
}

static int
queue_close(struct ipt_family *fa, const struct fw_ipt_chains *c,
    struct action_env *env, const struct action_req *req,
    const struct fw_elem *e)
{
	struct fw_ipt_rule *old = held_find(fa, e), gone = { .e = *e };
	struct ipt_item it = { .kind = IPT_DEL };
	char text[FW_IPT_GRANT_MAX];
	int r;

	if (old == NULL) {
		fw_ipt_grant(c, false, &gone, text, sizeof(text));
		settle_now(env, req->job, text, true);
		return 0;
	}
	it.r = *old;
	it.old_exp = old->exp;
	if (fw_ipt_grant(c, false, old, text, sizeof(text)) != 0)
		return SPA_ERR_ACTION;
	if ((r = push(fa, req->job, text, &it)) == 0)
		held_remove(fa, old);
	return r;
}

static int
ipt_queue(void *st, const struct conf_firewall *f, struct action_env *env,
    const struct action_req *req, const struct fw_elem *e, bool closing,
    char *why, size_t whylen)
{
	struct ipt_family *fa = &((struct ipt_state *)st)->fam[
	    e->src.family == AF_INET6];
	struct fw_ipt_chains c;
	int r;

	chains_of(f, fa->v6, &c);
	r = closing ? queue_close(fa, &c, env, req, e) :
	    queue_open(fa, &c, env, req, e, f->output);
	if (r != 0)
		snprintf(why, whylen, "firewall: the rule cannot be queued "
		    "(%s)", r == SPA_ERR_NOMEM ? "out of memory" : "too long");
	return r;
}

/* --- sending ------------------------------------------------------------- */

static int
send_family(void *arg, const char *buf, char *err, size_t errlen)
{
	struct ipt_family *fa = arg;

	if (fa->broken) {
		snprintf(err, errlen, "%s", fa->broken_why);
		return -1;
	}
	if (restore(fa->restore, buf, err, errlen) == 0)
		return 0;
	/* a run that hung is not tried again for every half */
	if (strstr(err, "did not finish within") != NULL) {
		fa->broken = true;
		snprintf(fa->broken_why, sizeof(fa->broken_why), "%s", err);
	}
	return -1;
}

/* What a settled unit leaves in `held`: undo what failed. */
static void
settle_held(struct ipt_family *fa, const struct nft_unit *u,
    const struct ipt_item *it)
{
	struct fw_ipt_rule *h = held_find(fa, &it->r.e);

	if (u->outcome == NFT_DONE || u->outcome == NFT_ABSENT)
		return;
	if (it->kind == IPT_ADD && h != NULL && h->exp == it->r.exp)
		held_remove(fa, h);
	else if (it->kind == IPT_REPLACE && h != NULL &&
	    h->exp == it->r.exp) {
		h->exp = it->old_exp;
		h->out = it->old_out;
	}
	else if (it->kind == IPT_DEL && h == NULL &&
	    held_add(fa, &it->r.e, it->old_exp, it->r.out) != 0)
		log_errx("firewall: out of memory: a rule kept in the chain "
		    "is forgotten until the next start");
}

static void
report(struct action_env *env, const struct nft_unit *u)
{
	char detail[FW_IPT_LINE_MAX + NFT_ERR_MAX + 64];
	size_t n = strcspn(u->text, "\n");

	if (u->outcome == NFT_ABSENT) {
		snprintf(detail, sizeof(detail), "firewall %.*s: not in the "
		    "chain (gone already)", (int)n, u->text);
		action_report(env, &(struct action_result){ .job = u->job,
		    .detail = detail, .absent = true, .exit_status = -1 });
		return;
	}
	if (u->outcome == NFT_DONE)
		snprintf(detail, sizeof(detail), "firewall %.*s", (int)n,
		    u->text);
	else
		snprintf(detail, sizeof(detail), "firewall %.*s: %s", (int)n,
		    u->text, u->err);
	action_done(env, u->job, u->outcome == NFT_DONE ? 0 : SPA_ERR_ACTION,
	    detail, NULL);
}

static void
free_queue(struct nft_unit *u, struct ipt_item *it, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(u[i].text);
	free(u);
	free(it);
}

/*
 * A close of several rules (NAT's) that one of them was missing from
 * (an admin's flush of a chain): the restore stopped at that table, so
 * the rest are deleted one by one; no DNAT or SNAT may outlive its
 * grant.  Rules already gone are what the close wanted.
 */
static void
delete_each(struct ipt_family *fa, const struct nft_unit *u)
{
	char line[FW_IPT_LINE_MAX + 8], err[NFT_ERR_MAX];
	const char *p;
	size_t n;

	for (p = u->text; *p != '\0'; p += n + (p[n] == '\n')) {
		n = strcspn(p, "\n");
		if (n >= sizeof(line) - 1)
			continue;
		snprintf(line, sizeof(line), "%.*s\n", (int)n, p);
		if (send_family(fa, line, err, sizeof(err)) != 0 &&
		    !fw_ipt_is_absent(err))
			log_errx("firewall: %s: %.*s: %s", prog(fa->v6), (int)n,
			    p, err);
	}
}

/*
 * Taken first: a completion may start another request (a close after a
 * failed open), queued for the next pass.
 */
static void
send_one(struct ipt_family *fa, const struct conf_firewall *f,
    struct action_env *env)
{
	struct nft_unit *u = fa->u;
	struct ipt_item *it = fa->it;
	size_t n = fa->n, i, runs;

	if (n == 0)
		return;
	fa->u = NULL;
	fa->it = NULL;
	fa->n = fa->cap = 0;
	saved_drop(fa);
	fa->restore = conf_firewall_restore(f, fa->v6);
	fa->broken = false;
	runs = nft_batch_run_with(u, n, send_family, fw_ipt_is_absent, fa);
	log_info("firewall: %zu rule command%s in %zu %s run%s", n,
	    n == 1 ? "" : "s", runs, prog(fa->v6), runs == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		settle_held(fa, &u[i], &it[i]);
		if (u[i].outcome == NFT_ABSENT && strchr(u[i].text, '\n'))
			delete_each(fa, &u[i]);
	}
	for (i = 0; i < n; i++)
		report(env, &u[i]);
	free_queue(u, it, n);
}

static void
ipt_send(void *st, const struct conf_firewall *f, struct action_env *env)
{
	struct ipt_state *s = st;

	send_one(&s->fam[0], f, env);
	send_one(&s->fam[1], f, env);
}

/* --- the recheck ----------------------------------------------------------- */

/* The filter and (IPv4) nat tables, read again when SAVE_FRESH_MS old. */
static int
saved_get(struct ipt_family *fa, const struct conf_firewall *f, char *why,
    size_t whylen)
{
	char *text;
	int t;

	if (fa->saved_ok && mono_ms() - fa->saved_ms < SAVE_FRESH_MS)
		return 0;
	saved_drop(fa);
	for (t = 0; t < (fa->v6 ? 1 : 2); t++) {
		if ((text = saved_table(f, fa->v6, t ? "nat" : "filter", why,
		    whylen)) == NULL)
			return -1;
		if (fw_ipt_saved_index(&fa->saved[t], text) != 0) {
			snprintf(why, whylen, "out of memory");
			saved_drop(fa);
			return -1;
		}
	}
	fa->saved_ok = true;
	fa->saved_ms = mono_ms();
	return 0;
}

/*
 * A grant some of whose lines are gone: the rest are deleted one by
 * one, so that the put-back open adds the whole grant once.
 */
static void
delete_rest(struct ipt_family *fa, const struct conf_firewall *f,
    const struct fw_ipt_chains *c, const struct fw_ipt_rule *r)
{
	struct nft_unit u = { .text = NULL };
	char text[FW_IPT_GRANT_MAX];

	if (fw_ipt_grant(c, false, r, text, sizeof(text)) != 0)
		return;
	u.text = text;
	fa->restore = conf_firewall_restore(f, fa->v6);
	fa->broken = false;
	delete_each(fa, &u);
	saved_drop(fa);
}

/*
 * Whether a grant's lines are all in the chains (the held rule names
 * them, with the comment's time); the chains not jumped to: *remake.
 * Gone: no longer held, so that the put-back open adds it again.
 */
static int
ipt_verify(void *st, const struct conf_firewall *f, const struct fw_elem *e,
    bool *remake, char *why, size_t whylen)
{
	struct ipt_family *fa = &((struct ipt_state *)st)->fam[
	    e->src.family == AF_INET6];
	struct fw_ipt_rule *r = held_find(fa, e);
	struct fw_ipt_chains c;
	size_t there, total;
	bool jumps;

	chains_of(f, fa->v6, &c);
	if (saved_get(fa, f, why, whylen) != 0)
		return SPA_ERR_ACTION;
	if (r == NULL) {
		snprintf(why, whylen, "%s: not a rule spagated holds",
		    conf_firewall_save(f, fa->v6));
		return ACTION_ABSENT;
	}
	if (fw_ipt_verify(&c, r, &fa->saved[0], fa->v6 ? NULL : &fa->saved[1],
	    &there, &total, &jumps) != 0) {
		snprintf(why, whylen, "firewall: the rule is too long");
		return SPA_ERR_ACTION;
	}
	*remake = !jumps;
	snprintf(why, whylen, "%s: %zu of the grant's %zu rule%s in the "
	    "chains%s", conf_firewall_save(f, fa->v6), there, total,
	    total == 1 ? "" : "s", jumps ? "" : ", a jump to them gone");
	if (there == total)
		return ACTION_PRESENT;
	if (there > 0)
		delete_rest(fa, f, &c, r);
	held_remove(fa, r);
	return ACTION_ABSENT;
}

static void
ipt_fail(void *st, struct action_env *env, const char *why)
{
	struct ipt_state *s = st;
	struct ipt_family *fa;
	size_t i, v6;

	for (v6 = 0; v6 < 2; v6++) {
		fa = &s->fam[v6];
		for (i = 0; i < fa->n; i++) {
			fa->u[i].outcome = NFT_FAILED;
			snprintf(fa->u[i].err, sizeof(fa->u[i].err), "%s", why);
			settle_held(fa, &fa->u[i], &fa->it[i]);
		}
		for (i = 0; i < fa->n; i++)
			report(env, &fa->u[i]);
		free_queue(fa->u, fa->it, fa->n);
		fa->u = NULL;
		fa->it = NULL;
		fa->n = fa->cap = 0;
	}
}

static size_t
ipt_pending(const void *st)
{
	const struct ipt_state *s = st;

	return s->fam[0].n + s->fam[1].n;
}

/* Drop what is queued; the held rules stay (they are in the chain). */
static void
ipt_clear(void *st)
{
	struct ipt_state *s = st;
	size_t v6;

	for (v6 = 0; v6 < 2; v6++) {
		free_queue(s->fam[v6].u, s->fam[v6].it, s->fam[v6].n);
		s->fam[v6].u = NULL;
		s->fam[v6].it = NULL;
		s->fam[v6].n = s->fam[v6].cap = 0;
	}
}

static void
ipt_free(void *st)
{
	struct ipt_state *s = st;

	if (s == NULL)
		return;
	ipt_clear(s);
	saved_drop(&s->fam[0]);
	saved_drop(&s->fam[1]);
	free(s->fam[0].held);
	free(s->fam[1].held);
	free(s);
}

const struct fw_backend_ops fw_backend_ipt = {
	.name = "iptables",
	.create = ipt_create,
	.setup = ipt_setup,
	.queue = ipt_queue,
	.send = ipt_send,
	.fail = ipt_fail,
	.pending = ipt_pending,
	.verify = ipt_verify,
	.hold = ipt_hold,
	.clear = ipt_clear,
	.free = ipt_free,
};
