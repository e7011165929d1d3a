/*
 * spagated.conf's firewall group: the built-in firewall that gives a
 * stanza without CMD_CYCLE_OPEN what fwknopd would open for it.
 */
#ifndef SPA_CONF_FIREWALL_H
#define SPA_CONF_FIREWALL_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"

enum fw_backend {
	FW_NONE,		/* grants are only logged (fwknopd has no such) */
	FW_NFTABLES,		/* spagated's own table, through libnftables */
	FW_IPTABLES,		/* fwknopd's own chain, iptables-restore */
	FW_NBACKENDS
};

#define FW_NAME_MAX		32
#define FW_DEF_TABLE		"spagate"
#define FW_DEF_PRIORITY		(-10)	/* before the filter chains (0) */
#define FW_DEF_MARK		0x5350	/* "SP" */
#define FW_CHAIN_MAX		28	/* iptables' limit on a chain name */
#define FW_DEF_CHAIN		"SPAGATE_INPUT"
#define FW_DEF_FORWARD_CHAIN	"SPAGATE_FORWARD"	/* NAT, filter */
#define FW_DEF_DNAT_CHAIN	"SPAGATE_PREROUTING"	/* NAT, nat */
#define FW_DEF_SNAT_CHAIN	"SPAGATE_POSTROUTING"	/* NAT, nat */
#define FW_DEF_OUTPUT_CHAIN	"SPAGATE_OUTPUT"	/* firewall.output */
#define FW_PATH_MAX		256
#define FW_DEF_IPT_RESTORE	"/usr/sbin/iptables-restore"
#define FW_DEF_IP6T_RESTORE	"/usr/sbin/ip6tables-restore"
#define FW_DEF_IPT_SAVE		"/usr/sbin/iptables-save"
#define FW_DEF_IP6T_SAVE	"/usr/sbin/ip6tables-save"

struct conf_firewall {
	int		 backend;	/* enum fw_backend */
	char		*table;		/* nftables: table inet <table> */
	int		 priority;	/* nftables: its input hook priority */
	uint32_t	 mark;		/* nftables: set on granted packets */
	char		*chain;		/* iptables: filter table's chain */
	char		*nat_chain[3];	/* iptables NAT: forward, dnat, snat */
	bool		 output;	/* an output accept for each grant */
	char		*output_chain;	/* iptables: its chain */
	char		*restore[2];	/* iptables: iptables-, ip6tables- */
	char		*save[2];	/* ... -restore and -save programs */
	bool		 snat;		/* NAT: rewrite a forwarded source */
	char		*snat_address;	/* ... to this IPv4 address, else
					   MASQUERADE */
};

extern const struct conf_group conf_group_firewall;

/* The group's value in `c`, or the defaults if `c` has none. */
const struct conf_firewall *conf_firewall_of(const struct spa_conf *c);
/* The table name in force ("spagate" unless set). */
const char *conf_firewall_table(const struct conf_firewall *f);
/* The iptables chain in force ("SPAGATE_INPUT" unless set). */
const char *conf_firewall_chain(const struct conf_firewall *f);
/* NAT's chains in force: FW_NAT_FORWARD, _DNAT or _SNAT. */
enum { FW_NAT_FORWARD, FW_NAT_DNAT, FW_NAT_SNAT };
const char *conf_firewall_nat_chain(const struct conf_firewall *f, int which);
/* The iptables output chain in force ("SPAGATE_OUTPUT" unless set). */
const char *conf_firewall_output_chain(const struct conf_firewall *f);
/* iptables-restore/-save for IPv4 (v6 false) or ip6tables'. */
const char *conf_firewall_restore(const struct conf_firewall *f, bool v6);
const char *conf_firewall_save(const struct conf_firewall *f, bool v6);

#endif
