/*
 * Policy: which stanza, if any, grants a packet.
 *
 * Every stanza whose SOURCE accepts the packet is tried in file order with
 * its own keys; the first that passes every check wins.  When none does,
 * the refusal reported is the one from the stanza that got furthest, so
 * the log names the real cause (an old timestamp, a port) rather than the
 * HMAC mismatches of unrelated stanzas.
 */
#ifndef SPA_POLICY_H
#define SPA_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "access.h"
#include "event.h"

struct policy_opts {
	uint32_t	max_packet_age;	/* seconds; 0: no age check */
	bool		nat_forwarding;	/* allow NAT access requests */
	bool		nat_local;	/* allow local NAT requests */
	bool		nat_dns;	/* a NAT host may be a name (resolved later) */
	bool		x_forwarded_for; /* HTTP: grant the X-Forwarded-For address */
};

/*
 * Open a GnuPG-sized packet with stanza st's GnuPG keys, as spa_open_hook
 * does a Rijndael one (the hook runs once the packet is authentic).  The
 * verifier's (verifier/openpgp.h); common/ links no OpenPGP code.
 */
typedef int (*policy_gpg_fn)(void *arg, const struct stanza *st,
	    const char *wire, size_t len, struct spa_packet *out,
	    spa_auth_hook hook, void *hook_arg);

struct policy_input {
	const struct pkt_info	*pkt;
	enum spa_transport	 via;
	const char		*wire;
	size_t			 len;
	int64_t			 now_s;	/* wall clock, seconds */
	const struct spa_addr	*xff;	/* HTTP X-Forwarded-For, or NULL */
	/* Run when a stanza's key authenticates the packet (replay check);
	 * SPA_ERR_REPLAY from it ends the match at once.  May be NULL. */
	spa_auth_hook		 on_auth;
	void			*on_auth_arg;
	/* GnuPG packets; NULL: refused as SPA_ERR_GPG */
	policy_gpg_fn		 gpg_open;
	void			*gpg_arg;
};

/* What the deciding refusal was about (policy_explain). */
struct policy_detail {
	int64_t		 skew;		/* SPA_ERR_AGE: packet time - now, s */
	struct spa_port	 port;		/* SPA_ERR_PORTS: the first refused */
	bool		 restricted;	/* ... by RESTRICT_PORTS */
};

struct policy_result {
	int		 reason;	/* 0: granted, else the deciding SPA_ERR_* */
	struct policy_detail detail;	/* of that refusal */
	const struct stanza *stanza;	/* that granted or decided; may be NULL */
	bool		 authenticated;	/* some stanza's key opened the packet */
	int64_t		 spa_time;	/* its timestamp, when authenticated */
	unsigned int	 tried;		/* stanzas whose SOURCE matched */
};

/* Prepare every stanza's codec key; undone by policy_release(). */
int	policy_prepare(struct access_conf *conf);
void	policy_release(struct access_conf *conf);

/* Returns 0 and fills `ev` on a grant, else the refusal reason. */
int	policy_match(const struct access_conf *conf,
	    const struct policy_opts *opts, const struct policy_input *in,
	    struct spa_event *ev, struct policy_result *res);

/*
 * The refusal in `res` as the log says it: spa_strerror(res->reason),
 * then what to act on: how far the packet's time is from the clock here
 * and the limit; the port refused and by which directive; for an HMAC
 * that does not verify, whether the packet has none or one of another
 * digest (spa_hmac_why: it costs HMACs, so only for a line that is
 * logged).  `in` is the packet policy_match judged; NULL: no HMAC hint.
 */
void	policy_explain(const struct policy_result *res,
	    const struct policy_opts *opts, const struct policy_input *in,
	    char *buf, size_t len);

/* How far the verifier's receive time may be from the executor's clock. */
#define POLICY_RECV_SKEW	10	/* seconds */

/*
 * The executor's second opinion on an OPEN from the verifier process: its
 * fields pass the packet decoder's rules (event_check), the stanza it
 * names exists and would grant exactly this (source, destination, expiry,
 * age, type, every port, username, timeout).  It cannot re-check the keys
 * (it never sees the packet), so a compromised verifier can at most ask
 * for what some stanza allows.
 *
 * The age is judged at the event's recv_time, as the verifier judged it,
 * and recv_time must lie within POLICY_RECV_SKEW of `now`: a packet the
 * verifier took in the last moment of its window is not refused because
 * the executor looks a second later.  SPA_ERR_AGE and SPA_ERR_EXPIRED are
 * the refusals that depend on the clock; every other one means the
 * verifier sent what it could not have granted.
 */
int	policy_recheck(const struct access_conf *conf,
	    const struct policy_opts *opts, const struct spa_event *ev,
	    int64_t now_s, const struct stanza **st);

/*
 * policy_recheck's checks of one stanza, none of which needs a key: what
 * `st` makes of `ev` (its stanza field is not read), and in `d` what a
 * refusal was about.  Also spagate test's dry run, with an event made
 * from its command line (ev->timeout: policy_timeout for `st`).
 */
int	policy_try(const struct stanza *st, const struct policy_opts *opts,
	    const struct spa_event *ev, int64_t now_s, struct policy_detail *d);

/* Effective grant duration for a message under a stanza. */
uint32_t policy_timeout(const struct stanza *st, const struct spa_packet *pkt);

#endif /* SPA_POLICY_H */
