/*
 * The built-in firewall: what fwknopd 2.6.10 opens for a stanza without
 * a command, an accept for the granted source to each requested port,
 * for the grant's time.  spagated.conf's firewall.backend chooses how
 * ("nftables": spagated's own table, see fw_nft.h; "iptables":
 * fwknopd's own chain, see fw_ipt.h; "none": grants are only logged, as
 * before); each backend is the same few calls (fw_backend.h).  A
 * stanza without CMD_CYCLE_OPEN gets
 *
 *   firewall open|close $REQUEST $SRC $PROTO_NAME $PORT $DST
 *       nat=$NAT_TO force_nat=$STANZA_DNAT force_snat=$STANZA_SNAT
 *       disable_dnat=$DISABLE_DNAT forward_all=$FORWARD_ALL
 *
 * as its cycle (implicit_cycle), run here; the same lines may be
 * written in a stanza.  fw_line.h reads them (strictly: nothing but
 * what the variables give reaches a transaction) and says what NAT
 * they make.
 *
 * The table (chain) is made at the first pass of the event loop after
 * start (never by `spagate check`, which only loads the configuration),
 * and made again at a reload; until it exists, grants fail, logged.
 * nftables elements carry the kernel timeout of the close, so a grant
 * ends even if spagated is gone by then; iptables rules do not, so at
 * start the chain loses the rules no journaled cycle holds.  The
 * recheck (fw_verify) asks the backend whether a grant is still there,
 * and makes the table again when an operator removed it.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "addr.h"
#include "conf_firewall.h"
#include "err.h"
#include "fw_backend.h"
#include "fw_line.h"
#include "log.h"
#include "spa.h"

#define SETUP_RETRY_MS	5000
#define WHY_MAX		FW_WHY_MAX

static const struct fw_backend_ops *const backends[FW_NBACKENDS] = {
	[FW_NFTABLES] = &fw_backend_nft,
	[FW_IPTABLES] = &fw_backend_ipt,
};

/* The configuration's strings, copied (a reload frees the group's). */
struct fw_names {
	char	 table[FW_NAME_MAX + 1];
	char	 chain[FW_CHAIN_MAX + 1];
	char	 nat_chain[3][FW_CHAIN_MAX + 1];
	char	 output_chain[FW_CHAIN_MAX + 1];
	char	 restore[2][FW_PATH_MAX];
	char	 save[2][FW_PATH_MAX];
	char	 snat_address[ADDR_STRLEN];
};

struct fw_mod {
	struct conf_firewall	 conf;		/* strings in `names` */
	struct fw_names		 names;
	const struct fw_backend_ops	*be;		/* NULL: backend "none" */
	void			*st[FW_NBACKENDS];	/* each backend's */
	bool			 setup_due;	/* make the table at next pass */
	bool			 ready;		/* the table is there */
	int64_t			 retry_ms;	/* after a failed setup */
	char			 why[WHY_MAX];	/* why it is not ready */
	struct fw_nat_opts	 nat;		/* strings in `names` */
};

#define ST(m)	((m)->st[(m)->conf.backend])

static bool
fw_claims(void *priv, const struct cmd_argv *argv)
{
	(void)priv;
	return argv->argc > 0 && strcmp(argv->argv[0], "firewall") == 0;
}

static int
fw_check(void *priv, const struct cmd_argv *argv, char *why, size_t whylen)
{
	const struct fw_mod *m = priv;
	struct fw_elem e;

	if (m->conf.backend == FW_NONE) {
		snprintf(why, whylen, "firewall: spagated.conf's "
		    "firewall.backend is \"none\"");
		return SPA_ERR_CONFIG;
	}
	return fw_line_read(argv, &m->nat, false, &e, why, whylen) == 0 ? 0 :
	    SPA_ERR_CONFIG;
}

static bool
fw_implicit(void *priv, const char **open, const char **close)
{
	const struct fw_mod *m = priv;

	if (m->conf.backend == FW_NONE)
		return false;
	*open = FW_LINE_OPEN;
	*close = FW_LINE_CLOSE;
	return true;
}

static int
fw_queue(struct fw_mod *m, struct action_env *env,
    const struct action_req *req, bool closing)
{
	char why[WHY_MAX];
	struct fw_elem e;

	if (fw_line_read(req->argv, &m->nat, closing, &e, why,
	    sizeof(why)) != 0)
		goto fail;
	if (m->be == NULL) {
		snprintf(why, sizeof(why), "firewall: spagated.conf's "
		    "firewall.backend is \"none\"");
		goto fail;
	}
	if (m->be->queue(ST(m), &m->conf, env, req, &e, closing, why,
	    sizeof(why)) == 0)
		return 0;
fail:
	action_done(env, req->job, SPA_ERR_ACTION, why, NULL);
	return 0;
}

static int
fw_open(void *priv, struct action_env *env, const struct action_req *req)
{
	return fw_queue(priv, env, req, false);
}

static int
fw_close(void *priv, struct action_env *env, const struct action_req *req)
{
	return fw_queue(priv, env, req, true);
}

/* Strings of the group kept by value; `conf` points at the copies. */
static void
copy_names(struct conf_firewall *conf, struct fw_names *n)
{
	int v6, i;

	for (i = 0; i < 3; i++) {
		snprintf(n->nat_chain[i], sizeof(n->nat_chain[i]), "%s",
		    conf_firewall_nat_chain(conf, i));
		conf->nat_chain[i] = n->nat_chain[i];
	}
	snprintf(n->output_chain, sizeof(n->output_chain), "%s",
	    conf_firewall_output_chain(conf));
	conf->output_chain = n->output_chain;
	snprintf(n->table, sizeof(n->table), "%s", conf_firewall_table(conf));
	snprintf(n->chain, sizeof(n->chain), "%s", conf_firewall_chain(conf));
	conf->table = n->table;
	conf->chain = n->chain;
	for (v6 = 0; v6 < 2; v6++) {
		snprintf(n->restore[v6], sizeof(n->restore[v6]), "%s",
		    conf_firewall_restore(conf, v6));
		snprintf(n->save[v6], sizeof(n->save[v6]), "%s",
		    conf_firewall_save(conf, v6));
		conf->restore[v6] = n->restore[v6];
		conf->save[v6] = n->save[v6];
	}
	if (conf->snat_address != NULL) {
		snprintf(n->snat_address, sizeof(n->snat_address), "%s",
		    conf->snat_address);
		conf->snat_address = n->snat_address;
	}
}

/*
 * The configuration in force: kept by value, the table made at the next
 * pass.  A reload makes it again, keeping what open cycles hold.  What
 * another backend had queued is dropped.
 */
static int
fw_configure(void *priv, const struct spa_conf *conf, char *why,
    size_t whylen)
{
	struct fw_mod *m = priv;

	(void)why;
	(void)whylen;
	if (m->be != NULL)
		m->be->clear(ST(m));
	m->conf = *conf_firewall_of(conf);
	copy_names(&m->conf, &m->names);
	m->nat.nat_forwarding = conf->nat_forwarding;
	m->nat.nat_local = conf->nat_local;
	m->nat.snat = m->conf.snat;
	m->nat.snat_address = m->conf.snat_address;
	m->be = backends[m->conf.backend];
	m->setup_due = m->be != NULL;
	m->ready = false;
	m->retry_ms = 0;
	snprintf(m->why, sizeof(m->why), "the table is not made yet");
	return 0;
}

/* A journaled cycle's grant, at start: the setup keeps its rule. */
static void
fw_adopt(void *priv, const struct cmd_argv *close, const uint8_t *data,
    uint16_t data_len)
{
	struct fw_mod *m = priv;
	char why[WHY_MAX];
	struct fw_elem e;

	(void)data;
	(void)data_len;
	if (m->be == NULL || m->be->hold == NULL ||
	    fw_line_read(close, &m->nat, true, &e, why, sizeof(why)) != 0)
		return;
	if (m->be->hold(ST(m), &e) != 0)
		log_errx("firewall: out of memory: a journaled grant's rule "
		    "may be swept at setup");
}

/*
 * The recheck of one open grant (action.h's verify).  What the setup
 * makes being gone (nft flush ruleset, iptables -F with the jump
 * deleted) is spagated's to make again: the setup runs at the next
 * pass, before the put-back opens it queues are sent, so the grant
 * answers ABSENT and is put back rather than left as "cannot tell".
 */
static int
fw_verify(void *priv, const struct cmd_argv *open, const uint8_t *data,
    uint16_t data_len, char *why, size_t whylen)
{
	struct fw_mod *m = priv;
	struct fw_elem e;
	bool remake = false;
	int r;

	(void)data;
	(void)data_len;
	if (m->be == NULL || m->be->verify == NULL) {
		snprintf(why, whylen, "firewall: no backend to ask");
		return SPA_ERR_ACTION;
	}
	if (fw_line_read(open, &m->nat, false, &e, why, whylen) != 0)
		return SPA_ERR_ACTION;
	r = m->be->verify(ST(m), &m->conf, &e, &remake, why, whylen);
	if (remake && !m->setup_due) {
		log_warnx("firewall: %s: what spagated's setup made is gone "
		    "(%s): made again", m->be->name, why);
		m->setup_due = true;
		m->ready = false;
		m->retry_ms = 0;
		snprintf(m->why, sizeof(m->why), "the %s setup was removed "
		    "outside spagated and is being made again", m->be->name);
	}
	return r;
}

static void
fw_setup(struct fw_mod *m, int64_t now_ms)
{
	if (m->be->setup(ST(m), &m->conf, m->why, sizeof(m->why)) == 0) {
		m->setup_due = false;
		m->ready = true;
		return;
	}
	m->ready = false;
	m->retry_ms = now_ms + SETUP_RETRY_MS;
	log_errx("firewall: %s (trying again in %d s)", m->why,
	    SETUP_RETRY_MS / 1000);
}

/* A new pass: make the table if due, then send what was queued. */
static void
fw_dispatch(void *priv, struct action_env *env, const struct pollfd *pfd,
    size_t n, int64_t now_ms)
{
	struct fw_mod *m = priv;

	(void)pfd;
	(void)n;
	if (m->be == NULL)
		return;
	if (m->setup_due && now_ms >= m->retry_ms)
		fw_setup(m, now_ms);
	if (m->ready)
		m->be->send(ST(m), &m->conf, env);
	else if (m->be->pending(ST(m)) > 0)
		m->be->fail(ST(m), env, m->why);
}

static int
fw_timeout_ms(void *priv, int64_t now_ms)
{
	const struct fw_mod *m = priv;

	if (m->be == NULL)
		return -1;
	if (m->be->pending(ST(m)) > 0)
		return 0;
	if (!m->setup_due)
		return -1;
	return m->retry_ms > now_ms ? (int)(m->retry_ms - now_ms) : 0;
}

static void
fw_shutdown(void *priv)
{
	struct fw_mod *m = priv;

	if (m->be != NULL)
		m->be->clear(ST(m));
	m->ready = false;
	m->setup_due = m->be != NULL;
}

static void
fw_free(void *priv)
{
	struct fw_mod *m = priv;
	int b;

	for (b = 0; b < FW_NBACKENDS; b++)
		if (backends[b] != NULL && m->st[b] != NULL)
			backends[b]->free(m->st[b]);
	free(m);
}

static int
fw_create(void **priv)
{
	struct fw_mod *m;
	int b;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return SPA_ERR_NOMEM;
	m->conf.backend = FW_NONE;
	for (b = 0; b < FW_NBACKENDS; b++)
		if (backends[b] != NULL && backends[b]->create(&m->st[b]) != 0) {
			fw_free(m);
			return SPA_ERR_NOMEM;
		}
	*priv = m;
	return 0;
}

const struct action_ops action_firewall = {
	.name = "firewall",
	.create = fw_create,
	.claims = fw_claims,
	.check = fw_check,
	.implicit_cycle = fw_implicit,
	.open = fw_open,
	.close = fw_close,
	.configure = fw_configure,
	.adopt = fw_adopt,
	.verify = fw_verify,
	.dispatch = fw_dispatch,
	.timeout_ms = fw_timeout_ms,
	.shutdown = fw_shutdown,
	.free = fw_free,
	.open_is_idempotent = true,
};
