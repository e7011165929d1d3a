/*
 * spagated.conf's firewall group: the built-in firewall that gives a
 * stanza without CMD_CYCLE_OPEN what fwknopd would open for it.
 */
#ifndef SPA_CONF_FIREWALL_H
#define SPA_CONF_FIREWALL_H

#include <stdint.h>

#include "conf.h"

enum fw_backend {
	FW_NONE,		/* grants are only logged (fwknopd has no such) */
	FW_NFTABLES,		/* spagated's own table, through libnftables */
};

#define FW_NAME_MAX		32
#define FW_DEF_TABLE		"spagate"
#define FW_DEF_PRIORITY		(-10)	/* before the filter chains (0) */
#define FW_DEF_MARK		0x5350	/* "SP" */

struct conf_firewall {
	int		 backend;	/* enum fw_backend */
	char		*table;		/* nftables: table inet <table> */
	int		 priority;	/* nftables: its input hook priority */
	uint32_t	 mark;		/* nftables: set on granted packets */
};

extern const struct conf_group conf_group_firewall;

/* The group's value in `c`, or the defaults if `c` has none. */
const struct conf_firewall *conf_firewall_of(const struct spa_conf *c);
/* The table name in force ("spagate" unless set). */
const char *conf_firewall_table(const struct conf_firewall *f);

#endif
