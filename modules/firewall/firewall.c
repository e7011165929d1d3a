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
 * written in a stanza (the first six words alone: no NAT).  The words
 * are read strictly: each must be what its variable gives (never
 * empty), so nothing else reaches a transaction.
 *
 * NAT, as fwknopd 2.6.10 (IPv4 only): a local NAT request leads its
 * port to the NAT port of the address the SPA packet reached ($DST,
 * never the host the packet names: a local request cannot forward
 * elsewhere) and accepts the NAT port; a forwarding request (or any
 * grant of a FORCE_NAT stanza, to FORCE_NAT's address and port) leads
 * its port to the NAT address and port, forwards the source there and
 * rewrites its source on the way out if FORCE_SNAT, FORCE_MASQUERADE or
 * firewall.snat says so.
 *
 * The table (chain) is made at the first pass of the event loop after
 * start (never by `spagate check`, which only loads the configuration),
 * and made again at a reload; until it exists, grants fail, logged.
 * nftables elements carry the kernel timeout of the close, so a grant
 * ends even if spagated is gone by then; iptables rules do not, so at
 * start the chain loses the rules no journaled cycle holds.
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
#include "log.h"
#include "spa.h"

#define FW_NAT_WORDS	" $DST nat=$NAT_TO force_nat=$STANZA_DNAT " \
	"force_snat=$STANZA_SNAT disable_dnat=$DISABLE_DNAT " \
	"forward_all=$FORWARD_ALL"
#define FW_OPEN		"firewall open $REQUEST $SRC $PROTO_NAME $PORT" \
	FW_NAT_WORDS
#define FW_CLOSE	"firewall close $REQUEST $SRC $PROTO_NAME $PORT" \
	FW_NAT_WORDS
#define FW_NWORDS	12	/* the line as above */
#define FW_NWORDS_OLD	6	/* without the NAT words: no NAT request */
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
	bool			 nat_forwarding, nat_local;	/* nat.* */
};

#define ST(m)	((m)->st[(m)->conf.backend])

/* One line's words, read. */
struct fw_request {
	bool		 open;
	bool		 nat;		/* a NAT request */
	bool		 local;		/* ... a local one */
	struct fw_elem	 elem;
	struct spa_addr	 dst;		/* $DST */
	bool		 has_to, has_force, has_snat;
	struct spa_addr	 to, force, snat;	/* NAT, FORCE_NAT, FORCE_SNAT */
	uint16_t	 to_port, force_port;
	bool		 masq, disable_dnat, forward_all;
};

static int
read_request(struct fw_request *fr, const char *word)
{
	static const char *const kinds[] = { "access", "client_timeout_access",
	    "nat_access", "client_timeout_nat_access", "local_nat_access",
	    "client_timeout_local_nat_access" };
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(word, kinds[i]) == 0) {
			fr->nat = i >= 2;
			fr->local = i >= 4;
			return 0;
		}
	return -1;
}

static int
read_port(const char *w, uint16_t *port)
{
	char *end;
	long v;

	if (w[0] < '1' || w[0] > '9')
		return -1;
	v = strtol(w, &end, 10);
	if (*end != '\0' || v < 1 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* "key=" then what follows it, or NULL. */
static const char *
after(const char *w, const char *key)
{
	size_t n = strlen(key);

	return strncmp(w, key, n) == 0 && w[n] == '=' ? w + n + 1 : NULL;
}

/* "key=-" (false) or "key=a.b.c.d:port" (true); -1 if neither. */
static int
read_to(const char *w, const char *key, struct spa_addr *a, uint16_t *port,
    bool *has)
{
	char host[ADDR_STRLEN];
	const char *v = after(w, key), *colon;

	*has = false;
	if (v == NULL)
		return -1;
	if (strcmp(v, "-") == 0)
		return 0;
	if ((colon = strchr(v, ':')) == NULL ||
	    (size_t)(colon - v) >= sizeof(host))
		return -1;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - v), v);
	if (addr_parse_ipv4(host, a) != 0 || read_port(colon + 1, port) != 0)
		return -1;
	*has = true;
	return 0;
}

/* "force_snat=-", "=a.b.c.d" or "=masquerade". */
static int
read_snat(const char *w, struct fw_request *fr)
{
	const char *v = after(w, "force_snat");

	if (v == NULL)
		return -1;
	if (strcmp(v, "-") == 0)
		return 0;
	if (strcmp(v, "masquerade") == 0) {
		fr->masq = true;
		return 0;
	}
	fr->has_snat = true;
	return addr_parse_ipv4(v, &fr->snat);
}

/* "key=Y" or "key=N". */
static int
read_yn(const char *w, const char *key, bool *b)
{
	const char *v = after(w, key);

	if (v == NULL || (strcmp(v, "Y") != 0 && strcmp(v, "N") != 0))
		return -1;
	*b = v[0] == 'Y';
	return 0;
}

/* The NAT words, w[6..11]; why one is not what its variable gives. */
static int
read_nat_words(char *const *w, struct fw_request *fr, char *why,
    size_t whylen)
{
	if (addr_parse(w[6], &fr->dst) != 0)
		snprintf(why, whylen, "firewall: '%s' is no address", w[6]);
	else if (read_to(w[7], "nat", &fr->to, &fr->to_port,
	    &fr->has_to) != 0)
		snprintf(why, whylen, "firewall: '%s' is not nat=- or "
		    "nat=<IPv4 address>:<port>", w[7]);
	else if (read_to(w[8], "force_nat", &fr->force, &fr->force_port,
	    &fr->has_force) != 0)
		snprintf(why, whylen, "firewall: '%s' is not force_nat=- or "
		    "force_nat=<IPv4 address>:<port>", w[8]);
	else if (read_snat(w[9], fr) != 0)
		snprintf(why, whylen, "firewall: '%s' is not force_snat=-, "
		    "=masquerade or =<IPv4 address>", w[9]);
	else if (read_yn(w[10], "disable_dnat", &fr->disable_dnat) != 0)
		snprintf(why, whylen, "firewall: '%s' is not disable_dnat=Y "
		    "or N", w[10]);
	else if (read_yn(w[11], "forward_all", &fr->forward_all) != 0)
		snprintf(why, whylen, "firewall: '%s' is not forward_all=Y "
		    "or N", w[11]);
	else
		return 0;
	return SPA_ERR_ARG;
}

/* "firewall open|close REQUEST SRC PROTO PORT [NAT words]"; why not. */
static int
fw_read(const struct cmd_argv *argv, struct fw_request *fr, char *why,
    size_t whylen)
{
	char *const *w = argv->argv;

	memset(fr, 0, sizeof(*fr));
	if ((argv->argc != FW_NWORDS && argv->argc != FW_NWORDS_OLD) ||
	    (strcmp(w[1], "open") != 0 && strcmp(w[1], "close") != 0)) {
		snprintf(why, whylen, "firewall: expected '%s' or '%s'",
		    FW_OPEN, FW_CLOSE);
		return SPA_ERR_ARG;
	}
	if (argv->argc == FW_NWORDS &&
	    read_nat_words(w, fr, why, whylen) != 0)
		return SPA_ERR_ARG;
	fr->open = strcmp(w[1], "open") == 0;
	if (read_request(fr, w[2]) != 0)
		snprintf(why, whylen, "firewall: '%s' is no request", w[2]);
	else if (addr_parse(w[3], &fr->elem.src) != 0)
		snprintf(why, whylen, "firewall: '%s' is no address", w[3]);
	else if (strcmp(w[4], "tcp") != 0 && strcmp(w[4], "udp") != 0)
		snprintf(why, whylen, "firewall: '%s' is not tcp or udp", w[4]);
	else if (read_port(w[5], &fr->elem.port) != 0)
		snprintf(why, whylen, "firewall: '%s' is no port", w[5]);
	else {
		fr->elem.proto = strcmp(w[4], "udp") == 0 ? IPPROTO_UDP :
		    IPPROTO_TCP;
		return 0;
	}
	return SPA_ERR_ARG;
}

/* Where the port leads, and the SNAT of a forwarding NAT. */
static void
fw_nat_fill(const struct fw_mod *m, struct fw_request *fr)
{
	struct fw_elem *e = &fr->elem;

	e->dnat = !fr->disable_dnat;
	if (fr->has_force) {
		e->kind = FW_FWD_NAT;
		e->to = fr->force;
		e->to_port = fr->force_port;
	} else {
		e->kind = fr->local ? FW_LOCAL_NAT : FW_FWD_NAT;
		e->to = fr->local ? fr->dst : fr->to;
		e->to_port = fr->to_port;
	}
	if (e->kind != FW_FWD_NAT)
		return;
	if (fr->has_snat) {
		e->snat = FW_SNAT_ADDR;
		e->snat_addr = fr->snat;
	} else if (fr->masq)
		e->snat = FW_SNAT_MASQ;
	else if (m->conf.snat && m->conf.snat_address != NULL &&
	    addr_parse_ipv4(m->conf.snat_address, &e->snat_addr) == 0)
		e->snat = FW_SNAT_ADDR;
	else if (m->conf.snat)
		e->snat = FW_SNAT_MASQ;
}

/*
 * What a read line grants (fr->elem): an accept, a local NAT or a
 * forwarding NAT, as the head comment says; why it cannot be.
 */
static int
fw_nat(const struct fw_mod *m, struct fw_request *fr, bool closing,
    char *why, size_t whylen)
{
	struct fw_elem *e = &fr->elem;

	if (fr->forward_all)
		snprintf(why, whylen, "firewall: FORWARD_ALL is not done by "
		    "the built-in firewall: refused");
	else if (fr->has_force && !closing && !m->nat_forwarding &&
	    !m->nat_local)
		snprintf(why, whylen, "firewall: FORCE_NAT needs spagated.conf's "
		    "nat.forwarding or nat.local: refused");
	else if (!fr->nat && !fr->has_force)
		return 0;		/* an accept */
	else if (!fr->has_to && !fr->has_force)
		snprintf(why, whylen, "firewall: a NAT request needs the "
		    "line's NAT words (nat=<IPv4 address>:<port>): refused");
	else if (e->src.family != AF_INET)
		snprintf(why, whylen, "firewall: NAT is IPv4 only (as in "
		    "fwknopd): refused for an IPv6 source");
	else if (fr->local && !fr->has_force && fr->dst.family != AF_INET)
		snprintf(why, whylen, "firewall: local NAT needs the IPv4 "
		    "address the SPA packet reached: refused");
	else {
		fw_nat_fill(m, fr);
		return 0;
	}
	return SPA_ERR_ARG;
}

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
	struct fw_request fr;

	if (m->conf.backend == FW_NONE) {
		snprintf(why, whylen, "firewall: spagated.conf's "
		    "firewall.backend is \"none\"");
		return SPA_ERR_CONFIG;
	}
	return fw_read(argv, &fr, why, whylen) == 0 &&
	    fw_nat(m, &fr, false, why, whylen) == 0 ? 0 : SPA_ERR_CONFIG;
}

static bool
fw_implicit(void *priv, const char **open, const char **close)
{
	const struct fw_mod *m = priv;

	if (m->conf.backend == FW_NONE)
		return false;
	*open = FW_OPEN;
	*close = FW_CLOSE;
	return true;
}

static int
fw_queue(struct fw_mod *m, struct action_env *env,
    const struct action_req *req, bool closing)
{
	char why[WHY_MAX];
	struct fw_request fr;

	if (fw_read(req->argv, &fr, why, sizeof(why)) != 0 ||
	    fw_nat(m, &fr, closing, why, sizeof(why)) != 0)
		goto fail;
	if (m->be == NULL) {
		snprintf(why, sizeof(why), "firewall: spagated.conf's "
		    "firewall.backend is \"none\"");
		goto fail;
	}
	if (m->be->queue(ST(m), &m->conf, env, req, &fr.elem, closing, why,
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
	int v6;

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
	m->nat_forwarding = conf->nat_forwarding;
	m->nat_local = conf->nat_local;
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
	struct fw_request fr;
	char why[WHY_MAX];
	struct fw_elem in;

	(void)data;
	(void)data_len;
	if (m->be == NULL || m->be->hold == NULL ||
	    fw_read(close, &fr, why, sizeof(why)) != 0 ||
	    fw_nat(m, &fr, true, why, sizeof(why)) != 0)
		return;
	fw_elem_input(&fr.elem, &in);
	if (m->be->hold(ST(m), &in) != 0)
		log_errx("firewall: out of memory: a journaled grant's rule "
		    "may be swept at setup");
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
	.dispatch = fw_dispatch,
	.timeout_ms = fw_timeout_ms,
	.shutdown = fw_shutdown,
	.free = fw_free,
	.open_is_idempotent = true,
};
