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
#define FW_IPT_GRANT_MAX	(3 * FW_IPT_LINE_MAX)
#define FW_IPT_COMMENT		"spagate_exp_"
/* A line of the nat table, among a grant's lines (restore's *nat). */
#define FW_IPT_NAT_MARK		"nat "

/*
 * The chains (NULL: not made, its lines left out).  NAT (IPv4 only, as
 * fwknopd's FWKNOP_FORWARD, _PREROUTING, _POSTROUTING):
 *
 *   *filter   -I FORWARD 1 -j <forward>
 *     -A <forward> -s S/32 -d NAT/32 -p tcp -m tcp --dport NP ... -j ACCEPT
 *   *nat      -I PREROUTING 1 -j <dnat>, -I POSTROUTING 1 -j <snat>
 *     -A <dnat> -s S/32 -p tcp -m tcp --dport P ... -j DNAT
 *        --to-destination NAT:NP
 *     -A <snat> -s S/32 -d NAT/32 -p tcp -m tcp --dport NP ...
 *        -j SNAT --to-source A | -j MASQUERADE
 *
 * A local NAT's accept is the input chain's rule for its NAT port.
 */
struct fw_ipt_chains {
	const char	*input, *forward, *dnat, *snat;
	const char	*output;	/* firewall.output's (any family) */
};

/* A grant spagated holds in its chains: the grant and the comment's time. */
struct fw_ipt_rule {
	struct fw_elem	 e;
	int64_t		 exp;
	bool		 out;		/* with an output accept (an access) */
	bool		 seen;		/* the setup found it in a chain */
	unsigned int	 seen_lines;	/* which of its lines (bits) */
};

/* "-A|-D <chain> -s ... -j ACCEPT" for `r`; -1 if it does not fit. */
int	fw_ipt_line(const char *chain, bool add, const struct fw_ipt_rule *r,
	    char *buf, size_t len);
/*
 * Every line of a grant, one a line (no last '\n'), the nat table's
 * marked FW_IPT_NAT_MARK; -1 if they do not fit.
 */
int	fw_ipt_grant(const struct fw_ipt_chains *c, bool add,
	    const struct fw_ipt_rule *r, char *buf, size_t len);

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
 * The same for NAT's chains, IPv4: in the filter table (`nat_table`
 * false) the forward chain and its jump at FORWARD position 1; in the
 * nat table the DNAT and SNAT chains, their jumps at PREROUTING and
 * POSTROUTING position 1, each line marked FW_IPT_NAT_MARK.
 */
int	fw_ipt_setup_nat(const struct fw_ipt_chains *c, bool nat_table,
	    const char *saved, bool sweep, struct fw_ipt_rule *held,
	    size_t nheld, char *buf, size_t len, size_t *swept);

/*
 * The output chain (firewall.output, fwknopd's ENABLE_IPT_OUTPUT) and
 * its jump at OUTPUT position 1, in the filter table; an access grant
 * with `out` has "-A <output> -d S/32 -p P -m P --sport N ... -j ACCEPT".
 */
int	fw_ipt_setup_output(const struct fw_ipt_chains *c, const char *saved,
	    bool sweep, struct fw_ipt_rule *held, size_t nheld, char *buf,
	    size_t len, size_t *swept);

/*
 * A saved table's lines, sorted, for the recheck's lookups (one
 * iptables-save read serves every grant checked until it is dropped).
 */
struct fw_ipt_saved {
	char	*text;		/* iptables-save's output, split in place */
	char	**line;
	size_t	 n;
};

/* Index `text` (malloc'd, taken over, freed by _free): 0 or -1 (memory). */
int	fw_ipt_saved_index(struct fw_ipt_saved *s, char *text);
void	fw_ipt_saved_free(struct fw_ipt_saved *s);
bool	fw_ipt_saved_has(const struct fw_ipt_saved *s, const char *line);

/*
 * The recheck of a held grant `r` against the saved filter table and
 * (NULL for IPv6) nat table: how many of its lines are there (*there,
 * of *total), and whether every chain they go in is still jumped to
 * from its hook (*jumps).  -1 if its lines do not fit.
 */
int	fw_ipt_verify(const struct fw_ipt_chains *c, const struct fw_ipt_rule *r,
	    const struct fw_ipt_saved *filter, const struct fw_ipt_saved *nat,
	    size_t *there, size_t *total, bool *jumps);

/*
 * Whether iptables-restore's reason for a lone delete says the rule was
 * not there: iptables-nft says "Bad rule (does a matching rule exist in
 * that chain?)", the legacy one only "line N failed".
 */
bool	fw_ipt_is_absent(const char *err);

#endif
