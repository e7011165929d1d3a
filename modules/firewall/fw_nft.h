/*
 * The built-in firewall's nftables backend, as text: the table spagated
 * owns and the element of one grant, in nft's syntax.  Pure functions,
 * so that a unit test reads exactly what goes to the kernel.
 *
 *   table inet <table>
 *     set allow4 { type ipv4_addr . inet_proto . inet_service; timeout }
 *     set allow6 { type ipv6_addr . inet_proto . inet_service; timeout }
 *     chain input { type filter hook input priority <priority>;
 *       ip saddr . meta l4proto . th dport @allow4 [mark] accept
 *       ip6 saddr . meta l4proto . th dport @allow6 [mark] accept }
 *     NAT, IPv4 (fw_line.h says when):
 *     map dnat4 { source . proto . port : address . port; timeout }
 *     set fwd4, set masq4, map snat4 (: address)
 *       { source . NAT address . proto . NAT port; timeout }
 *     chain prerouting (nat, dstnat): dnat ip to ... map @dnat4
 *     chain forward (filter, <priority>): ... @fwd4 [mark] accept
 *     chain postrouting (nat, srcnat): snat ... map @snat4; ... @masq4
 *       masquerade
 *     chain output, with firewall.output: the allow sets reversed
 *       (daddr . l4proto . sport) [mark] accept
 *
 * An accept in one table does not outvote a drop in another: a ruleset
 * that drops by default lets spagated's grants through with one rule of
 * its own, `meta mark & <mark> == <mark> accept`, which the mark (set
 * before the filter chains run, priority -10 by default) makes possible.
 */
#ifndef SPA_FW_NFT_H
#define SPA_FW_NFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "conf_firewall.h"

#define FW_NFT_SETUP_MAX	4096
#define FW_NFT_ELEM_MAX		512
#define FW_NFT_GRANT_MAX	(8 * FW_NFT_ELEM_MAX)

enum fw_kind {
	FW_ACCESS,		/* an accept for src proto port */
	FW_LOCAL_NAT,		/* port DNAT'd to to:to_port, to_port accepted */
	FW_FWD_NAT,		/* port DNAT'd to to:to_port, forwarded there */
};

enum fw_snat { FW_SNAT_NONE, FW_SNAT_ADDR, FW_SNAT_MASQ };

/*
 * One grant: source, protocol (IPPROTO_TCP/UDP), port; for NAT (IPv4
 * only) where the port leads and how the source is rewritten.
 */
struct fw_elem {
	struct spa_addr	 src;
	uint8_t		 proto;
	uint16_t	 port;
	uint8_t		 kind;		/* enum fw_kind */
	bool		 dnat;		/* false: DISABLE_DNAT */
	struct spa_addr	 to;
	uint16_t	 to_port;
	uint8_t		 snat;		/* enum fw_snat, FW_FWD_NAT only */
	struct spa_addr	 snat_addr;
};

/* The input accept a grant needs (a local NAT's: the service port). */
void	fw_elem_input(const struct fw_elem *e, struct fw_elem *in);

/*
 * The transaction that makes the table, keeping its sets (and the
 * elements open cycles hold) and making the chain afresh, so a changed
 * priority or mark takes effect.  -1 if it does not fit.
 */
int	fw_nft_setup(const struct conf_firewall *f, char *buf, size_t len);
/*
 * A grant's elements with a timeout: created (each should be new), or
 * refreshed (add; delete; add: see modules/nft/nft_line.h); or "delete
 * element ...".  -1 if it does not fit.
 */
int	fw_nft_add(const struct conf_firewall *f, const struct fw_elem *e,
	    int64_t timeout_s, bool refresh, char *buf, size_t len);
int	fw_nft_delete(const struct conf_firewall *f, const struct fw_elem *e,
	    char *buf, size_t len);

/*
 * The recheck's probe of element `i` of a grant (0 up to 3 for NAT):
 * "create element <key>[ : <data>] }", which a dry run answers "File
 * exists" when the element is there.  1 when the grant has no element
 * `i`, -1 if it does not fit.
 */
int	fw_nft_probe(const struct conf_firewall *f, const struct fw_elem *e,
	    size_t i, char *buf, size_t len);

/*
 * The start's sweep of one set, from `nft list set`'s
 * answer `listing`: a "delete element" line for each element that no
 * grant of `held` is (a previous run's: they would otherwise stay until
 * their kernel timeout, which may be long), each logged.  -1 if the
 * lines do not fit; *swept counts them.
 */
int	fw_nft_sweep(const struct conf_firewall *f, const char *listing, const struct fw_elem *held, size_t nheld,
	    char *buf, size_t len, size_t *swept);

/*
 * The same for a NAT set or map (`set`: dnat4, fwd4, snat4, masq4):
 * a delete of each element that is none of the `held` grants'.
 */
int	fw_nft_sweep_nat(const struct conf_firewall *f, const char *set,
	    const char *listing, const struct fw_elem *held, size_t nheld,
	    char *buf, size_t len, size_t *swept);

#endif
