/*
 * The built-in firewall: what fwknopd 2.6.10 opens for a stanza without
 * a command, an accept for the granted source to each requested port,
 * for the grant's time.  spagated.conf's firewall.backend chooses how
 * ("nftables": spagated's own table, see fw_nft.h; "none": grants are
 * only logged, as before).  A stanza without CMD_CYCLE_OPEN gets
 *
 *   firewall open  $REQUEST $SRC $PROTO_NAME $PORT
 *   firewall close $REQUEST $SRC $PROTO_NAME $PORT
 *
 * as its cycle (implicit_cycle), run here; the same lines may be
 * written in a stanza.  The words are read strictly: each must be what
 * its variable gives, so nothing else reaches a transaction.
 *
 * The table is made at the first pass of the event loop after start
 * (never by `spagate check`, which only loads the configuration), and
 * made again at a reload; until it exists, grants fail, logged.  The
 * elements carry the kernel timeout of the close, so a grant ends even
 * if spagated is gone by then.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "action.h"
#include "conf_firewall.h"
#include "err.h"
#include "fw_nft.h"
#include "log.h"
#include "nft_queue.h"
#include "spa.h"

#define FW_OPEN		"firewall open $REQUEST $SRC $PROTO_NAME $PORT"
#define FW_CLOSE	"firewall close $REQUEST $SRC $PROTO_NAME $PORT"
#define SETUP_RETRY_MS	5000
#define WHY_MAX		(NFT_ERR_MAX + 128)

struct fw_mod {
	struct conf_firewall	 conf;		/* strings not kept: see below */
	char			 table[FW_NAME_MAX + 1];
	bool			 setup_due;	/* make the table at next pass */
	bool			 ready;		/* the table is there */
	int64_t			 retry_ms;	/* after a failed setup */
	char			 why[WHY_MAX];	/* why it is not ready */
	struct nft_queue	 q;
};

/* One line's words, read. */
struct fw_request {
	bool		 open;
	bool		 nat;		/* a NAT request */
	struct fw_elem	 elem;
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

/* "firewall open|close REQUEST SRC PROTO PORT"; why it is not. */
static int
fw_read(const struct cmd_argv *argv, struct fw_request *fr, char *why,
    size_t whylen)
{
	char *const *w = argv->argv;

	memset(fr, 0, sizeof(*fr));
	if (argv->argc != 6 || (strcmp(w[1], "open") != 0 &&
	    strcmp(w[1], "close") != 0)) {
		snprintf(why, whylen, "firewall: expected '%s' or '%s'",
		    FW_OPEN, FW_CLOSE);
		return SPA_ERR_ARG;
	}
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
	return fw_read(argv, &fr, why, whylen) == 0 ? 0 : SPA_ERR_CONFIG;
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

/* Seconds until the close: the element's own timeout (at least 1). */
static int64_t
timeout_of(const struct action_req *req)
{
	int64_t left = req->close_at - (int64_t)time(NULL);

	return left > 0 ? left : 1;
}

static int
fw_queue(struct fw_mod *m, struct action_env *env,
    const struct action_req *req, bool closing)
{
	char why[WHY_MAX], text[3 * FW_NFT_ELEM_MAX];
	struct fw_request fr;
	int r;

	if (fw_read(req->argv, &fr, why, sizeof(why)) != 0)
		goto fail;
	if (fr.nat && !closing) {
		snprintf(why, sizeof(why), "firewall: NAT requests are not "
		    "forwarded by the built-in firewall yet: refused");
		goto fail;
	}
	r = closing ? fw_nft_delete(&m->conf, &fr.elem, text, sizeof(text)) :
	    fw_nft_add(&m->conf, &fr.elem, timeout_of(req), text,
	    sizeof(text));
	if (r != 0) {
		snprintf(why, sizeof(why), "firewall: the element is too long");
		goto fail;
	}
	return nft_queue_add(&m->q, req->job, text, closing);
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

/*
 * The configuration in force: kept by value (the table name copied), the
 * table made at the next pass.  A reload makes it again, keeping the
 * sets and what they hold.
 */
static int
fw_configure(void *priv, const struct spa_conf *conf, char *why,
    size_t whylen)
{
	struct fw_mod *m = priv;
	const struct conf_firewall *f = conf_firewall_of(conf);

	(void)why;
	(void)whylen;
	m->conf = *f;
	snprintf(m->table, sizeof(m->table), "%s", conf_firewall_table(f));
	m->conf.table = m->table;
	m->setup_due = m->conf.backend != FW_NONE;
	m->ready = false;
	m->retry_ms = 0;
	snprintf(m->why, sizeof(m->why), "the table is not made yet");
	return 0;
}

static void
fw_setup(struct fw_mod *m, int64_t now_ms)
{
	char buf[FW_NFT_SETUP_MAX], err[NFT_ERR_MAX];

	if (fw_nft_setup(&m->conf, buf, sizeof(buf)) != 0)
		snprintf(err, sizeof(err), "the setup is too long");
	else if (nft_queue_send_now(&m->q, false, buf, err, sizeof(err)) == 0) {
		m->setup_due = false;
		m->ready = true;
		log_info("firewall: nftables table inet %s ready (input hook, "
		    "priority %d, mark 0x%x)", m->table, m->conf.priority,
		    (unsigned)m->conf.mark);
		return;
	}
	m->ready = false;
	m->retry_ms = now_ms + SETUP_RETRY_MS;
	snprintf(m->why, sizeof(m->why), "nftables table inet %s cannot be "
	    "made: %s", m->table, err);
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
	if (m->setup_due && now_ms >= m->retry_ms)
		fw_setup(m, now_ms);
	if (m->ready)
		nft_queue_run(&m->q, env);
	else if (m->q.nq > 0)
		nft_queue_fail(&m->q, env, m->why);
}

static int
fw_timeout_ms(void *priv, int64_t now_ms)
{
	const struct fw_mod *m = priv;

	if (m->q.nq > 0)
		return 0;
	if (!m->setup_due)
		return -1;
	return m->retry_ms > now_ms ? (int)(m->retry_ms - now_ms) : 0;
}

static void
fw_shutdown(void *priv)
{
	struct fw_mod *m = priv;

	nft_queue_clear(&m->q);
	m->ready = false;
	m->setup_due = m->conf.backend != FW_NONE;
}

static int
fw_create(void **priv)
{
	struct fw_mod *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return SPA_ERR_NOMEM;
	m->conf.backend = FW_NONE;
	m->q.who = "firewall";
	*priv = m;
	return 0;
}

static void
fw_free(void *priv)
{
	fw_shutdown(priv);
	free(priv);
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
	.dispatch = fw_dispatch,
	.timeout_ms = fw_timeout_ms,
	.shutdown = fw_shutdown,
	.free = fw_free,
	.open_is_idempotent = true,
};
