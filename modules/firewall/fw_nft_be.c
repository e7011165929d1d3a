/*
 * The nftables backend: spagated's table through libnftables (fw_nft.h
 * for its text, nft_queue.h for the transactions).  At start, the sets
 * and maps (NAT's too) lose the elements no journaled cycle holds (a
 * previous run's grants, whose kernel timeout may be long).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "fw_backend.h"
#include "log.h"
#include "nft_queue.h"

struct nft_state {
	struct nft_queue	 q;
	struct fw_elem		*held;		/* journaled, until the sweep */
	size_t			 nheld, capheld;
	bool			 sweep_due;	/* until the first setup */
};

static int
nft_create(void **st)
{
	struct nft_state *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return SPA_ERR_NOMEM;
	s->q.who = "firewall";
	s->sweep_due = true;
	*st = s;
	return 0;
}

static int
nft_hold(void *st, const struct fw_elem *e)
{
	struct nft_state *s = st;
	struct fw_elem *v;
	size_t cap;

	if (!s->sweep_due)
		return 0;
	if (s->nheld == s->capheld) {
		cap = s->capheld == 0 ? 16 : 2 * s->capheld;
		if ((v = reallocarray(s->held, cap, sizeof(*v))) == NULL)
			return SPA_ERR_NOMEM;
		s->held = v;
		s->capheld = cap;
	}
	s->held[s->nheld++] = *e;
	return 0;
}

/* The lines that delete what nothing holds in `set`, from `listing`. */
static int
sweep_text(struct nft_state *s, const struct conf_firewall *f,
    const char *set, const char *listing, char *buf, size_t len, size_t *n)
{
	struct fw_elem *in;
	size_t i;
	int r;

	if (strncmp(set, "allow", 5) != 0)
		return fw_nft_sweep_nat(f, set, listing, s->held, s->nheld, buf,
		    len, n);
	/* allow4/allow6 hold a grant's accept (a local NAT's: its port) */
	if ((in = calloc(s->nheld + 1, sizeof(*in))) == NULL)
		return -1;
	for (i = 0; i < s->nheld; i++)
		fw_elem_input(&s->held[i], &in[i]);
	r = fw_nft_sweep(f, listing, in, s->nheld, buf, len, n);
	free(in);
	return r;
}

/* One set's elements that nothing holds, deleted: 0 or -1 with err. */
static int
sweep_set(struct nft_state *s, const struct conf_firewall *f,
    const char *set, size_t *swept, char *err, size_t errlen)
{
	char cmd[128], *listing, *buf = NULL;
	size_t len, n = 0;
	int r = -1;

	snprintf(cmd, sizeof(cmd), "list %s inet %s %s",
	    strcmp(set, "dnat4") == 0 || strcmp(set, "snat4") == 0 ? "map" :
	    "set", conf_firewall_table(f), set);
	if (nft_queue_list(&s->q, cmd, &listing, err, errlen) != 0)
		return -1;
	len = 2 * strlen(listing) + FW_NFT_ELEM_MAX;
	if ((buf = malloc(len)) == NULL)
		snprintf(err, errlen, "out of memory");
	else if (sweep_text(s, f, set, listing, buf, len, &n) != 0)
		snprintf(err, errlen, "the sweep is too long");
	else if (n == 0 || nft_queue_send_now(&s->q, false, buf, err,
	    errlen) == 0)
		r = 0;
	*swept += n;
	free(buf);
	free(listing);
	return r;
}

static int
sweep(struct nft_state *s, const struct conf_firewall *f, char *err,
    size_t errlen)
{
	static const char *const sets[] = { "allow4", "allow6", "dnat4",
	    "fwd4", "snat4", "masq4" };
	size_t swept = 0, i;

	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		if (sweep_set(s, f, sets[i], &swept, err, errlen) != 0)
			return -1;
	log_info("firewall: %zu element%s left by a previous run removed",
	    swept, swept == 1 ? "" : "s");
	free(s->held);
	s->held = NULL;
	s->nheld = s->capheld = 0;
	s->sweep_due = false;
	return 0;
}

static int
nft_setup(void *st, const struct conf_firewall *f, char *why, size_t whylen)
{
	char buf[FW_NFT_SETUP_MAX], err[NFT_ERR_MAX];
	const char *t = conf_firewall_table(f);
	struct nft_state *s = st;

	if (fw_nft_setup(f, buf, sizeof(buf)) != 0)
		snprintf(err, sizeof(err), "the setup is too long");
	else if (nft_queue_send_now(&s->q, false, buf, err, sizeof(err)) == 0 &&
	    (!s->sweep_due || sweep(s, f, err, sizeof(err)) == 0)) {
		log_info("firewall: nftables table inet %s ready (input hook, "
		    "priority %d, mark 0x%x)", t, f->priority,
		    (unsigned)f->mark);
		return 0;
	}
	snprintf(why, whylen, "nftables table inet %s cannot be made: %s", t,
	    err);
	return -1;
}

/* Seconds until the close: the element's own timeout (at least 1). */
static int64_t
timeout_of(const struct action_req *req)
{
	int64_t left = req->close_at - (int64_t)time(NULL);

	return left > 0 ? left : 1;
}

static int
nft_queue_req(void *st, const struct conf_firewall *f, struct action_env *env,
    const struct action_req *req, const struct fw_elem *e, bool closing,
    char *why, size_t whylen)
{
	char text[FW_NFT_GRANT_MAX], refresh[FW_NFT_GRANT_MAX];
	struct nft_queue *q = &((struct nft_state *)st)->q;
	int r;

	(void)env;
	if (closing)
		r = fw_nft_delete(f, e, text, sizeof(text));
	else
		r = fw_nft_add(f, e, timeout_of(req), true, refresh,
		    sizeof(refresh)) != 0 ? -1 : fw_nft_add(f, e,
		    timeout_of(req), false, text, sizeof(text));
	if (r != 0) {
		snprintf(why, whylen, "firewall: the element is too long");
		return SPA_ERR_ACTION;
	}
	/* see modules/nft/nft.c: an element that should be new is created */
	if (closing)
		return nft_queue_add(q, req->job, text, NULL, true);
	return req->held ? nft_queue_add(q, req->job, refresh, NULL, false) :
	    nft_queue_add(q, req->job, text, refresh, false);
}

/* The kernel's answers to a dry-run create, as libnftables words them. */
#define EXISTS_TEXT	"File exists"
#define NOENT_TEXT	"No such file or directory"

/*
 * Whether each element of a grant is in spagated's table: the element
 * created in a dry run, which the kernel checks and aborts ("File
 * exists": there).  Not "get element", which reads every element of
 * the table per call (see modules/nft/nft.c).  No such table or set
 * (nft flush ruleset, nft delete table): the setup is made again and
 * the grant is absent.
 */
static int
nft_verify(void *st, const struct conf_firewall *f, const struct fw_elem *e,
    bool *remake, char *why, size_t whylen)
{
	struct nft_state *s = st;
	char probe[FW_NFT_ELEM_MAX + 32], err[NFT_ERR_MAX];
	size_t i;
	int r;

	for (i = 0; (r = fw_nft_probe(f, e, i, probe, sizeof(probe))) == 0;
	    i++) {
		if (nft_queue_send_now(&s->q, true, probe, err,
		    sizeof(err)) == 0) {
			snprintf(why, whylen, "nft -c %s: not there", probe);
			return ACTION_ABSENT;
		}
		if (strstr(err, EXISTS_TEXT) != NULL) {
			if (i == 0)
				snprintf(why, whylen, "nft -c %s: there", probe);
			continue;
		}
		snprintf(why, whylen, "nft -c %s: %s", probe, err);
		if (strstr(err, NOENT_TEXT) == NULL)
			return SPA_ERR_ACTION;
		*remake = true;
		return ACTION_ABSENT;
	}
	if (r < 0) {
		snprintf(why, whylen, "firewall: the element is too long");
		return SPA_ERR_ACTION;
	}
	return ACTION_PRESENT;
}

static void
nft_send(void *st, const struct conf_firewall *f, struct action_env *env)
{
	(void)f;
	nft_queue_run(&((struct nft_state *)st)->q, env);
}

static void
nft_fail(void *st, struct action_env *env, const char *why)
{
	nft_queue_fail(&((struct nft_state *)st)->q, env, why);
}

static size_t
nft_pending(const void *st)
{
	const struct nft_state *s = st;

	return s->q.nq;
}

static void
nft_clear(void *st)
{
	nft_queue_clear(&((struct nft_state *)st)->q);
}

static void
nft_free(void *st)
{
	struct nft_state *s = st;

	if (s == NULL)
		return;
	nft_queue_clear(&s->q);
	free(s->held);
	free(s);
}

const struct fw_backend_ops fw_backend_nft = {
	.name = "nftables",
	.create = nft_create,
	.setup = nft_setup,
	.queue = nft_queue_req,
	.send = nft_send,
	.fail = nft_fail,
	.pending = nft_pending,
	.verify = nft_verify,
	.hold = nft_hold,
	.clear = nft_clear,
	.free = nft_free,
};
