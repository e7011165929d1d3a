/*
 * The built-in firewall's backends: nftables (fw_nft_be.c) and iptables
 * (fw_ipt_be.c) are the same few calls, chosen by firewall.backend.
 * Each keeps its own state, made at create; firewall.c reads the
 * requests and keeps the setup's timing.
 */
#ifndef SPA_FW_BACKEND_H
#define SPA_FW_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "action.h"
#include "conf_firewall.h"
#include "fw_nft.h"

#define FW_WHY_MAX	384

struct fw_backend_ops {
	const char	*name;		/* "nftables": its log lines */
	int		(*create)(void **st);
	/*
	 * Make what grants go into (the table, the chain and its jump), as
	 * one transaction: 0 (logged) or -1 with why.
	 */
	int		(*setup)(void *st, const struct conf_firewall *f,
			    char *why, size_t whylen);
	/*
	 * Queue a grant's open (close_at: its close epoch) or close for
	 * the next send; 0, or a negative SPA_ERR_* with why.  A request
	 * may be reported done at once (already there).
	 */
	int		(*queue)(void *st, const struct conf_firewall *f,
			    struct action_env *env, const struct action_req *req,
			    const struct fw_elem *e, bool closing, char *why,
			    size_t whylen);
	/* Send what is queued, report each request. */
	void		(*send)(void *st, const struct conf_firewall *f,
			    struct action_env *env);
	/* Fail what is queued with `why` (no setup yet). */
	void		(*fail)(void *st, struct action_env *env,
			    const char *why);
	size_t		(*pending)(const void *st);
	/*
	 * Optional: whether grant `e`'s rules or elements are still there
	 * (the recheck, action.h's verify): ACTION_PRESENT, ACTION_ABSENT,
	 * or a negative SPA_ERR_* with why when it cannot tell.  *remake:
	 * what the setup makes (table, chain, jump) is gone, so the setup
	 * must run again before anything can be put back.  Synchronous.
	 */
	int		(*verify)(void *st, const struct conf_firewall *f,
			    const struct fw_elem *e, bool *remake, char *why,
			    size_t whylen);
	/* A grant a journaled cycle holds (start): kept by the setup. */
	int		(*hold)(void *st, const struct fw_elem *e);
	/* Drop what is queued; the state stays for a new configuration. */
	void		(*clear)(void *st);
	void		(*free)(void *st);
};

extern const struct fw_backend_ops fw_backend_nft;
extern const struct fw_backend_ops fw_backend_ipt;

#endif
