/*
 * The built-in firewall's iptables backend, as text: what fwknopd 2.6.10
 * made (its FWKNOP_INPUT chain), in iptables-restore's syntax.  Pure
 * functions, so that a unit test reads exactly what the program gets.
 *
 *   *filter
 *   :SPAGATE_INPUT - [0:0]                     (only if missing)
 *   -I INPUT 1 -j SPAGATE_INPUT                (only if not first)
 *   -A SPAGATE_INPUT -s 192.0.2.1/32 -p tcp -m tcp --dport 22
 *      -m comment --comment spagate_exp_<close epoch> -j ACCEPT
 *   COMMIT
 *
 * A rule is written as iptables-save prints it, so that the setup can
 * read the chain back and know its own rules.  The comment carries the
 * close time (an operator reading the chain sees when each rule goes;
 * iptables has no timeout of its own) and is part of the rule: a delete
 * names it too.  A chain declaration flushes the chain under --noflush,
 * so the setup declares it only when iptables-save shows it missing.
 */
#ifndef SPA_FW_IPT_H
#define SPA_FW_IPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fw_nft.h"

#define FW_IPT_LINE_MAX		512
#define FW_IPT_COMMENT		"spagate_exp_"

/* A rule spagated holds in its chain: its grant and the comment's time. */
struct fw_ipt_rule {
	struct fw_elem	 e;
	int64_t		 exp;
	bool		 seen;		/* the setup found it in the chain */
};

/* "-A|-D <chain> -s ... -j ACCEPT" for `r`; -1 if it does not fit. */
int	fw_ipt_line(const char *chain, bool add, const struct fw_ipt_rule *r,
	    char *buf, size_t len);

/*
 * The setup of one family from iptables-save's output `saved` (filter
 * table): the chain if missing, the jump at INPUT position 1 exactly
 * once, and, if `sweep`, a delete of every rule in the chain that is
 * not in `held` (rules a previous run left: logged), keeping those that
 * are (their comment's time read into `held`, marked seen).  `buf` gets
 * the lines (none if nothing is to change); -1 if they do not fit.
 * `*swept` counts the deletes.
 */
int	fw_ipt_setup(const char *chain, const char *saved, bool sweep,
	    struct fw_ipt_rule *held, size_t nheld, char *buf, size_t len,
	    size_t *swept);

/*
 * Whether iptables-restore's reason for a lone delete says the rule was
 * not there: iptables-nft says "Bad rule (does a matching rule exist in
 * that chain?)", the legacy one only "line N failed".
 */
bool	fw_ipt_is_absent(const char *err);

#endif
