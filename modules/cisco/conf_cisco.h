/*
 * The Cisco module's spagated.conf group: the "cisco" list, one group
 * per IOS device (conf_cisco.c), registered by modules/registry.c.
 */
#ifndef SPA_CONF_CISCO_H
#define SPA_CONF_CISCO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define CONF_CISCO_NAME_MAX	15	/* device names: [a-z0-9_-]{1,15} */
#define CONF_CISCO_SEQ_MAX	2147483647	/* IOS sequence numbers */
#define CONF_CISCO_MAX		64	/* devices (one session each) */
#define CONF_CISCO_DEF_TIMEOUT	10	/* seconds: connect, each command */
#define CONF_CISCO_DEF_KEEPALIVE 15	/* seconds between SSH keepalives */

/* One Cisco IOS device. */
struct conf_cisco {
	char		*name;		/* routes "NAME ..." commands to it */
	char		*host;		/* numeric address */
	uint16_t	 port;
	char		*user;
	char		*key_file;		/* NULL: no publickey */
	char		*password_file;		/* NULL: no password */
	char		*enable_secret_file;	/* NULL: no enable */
	char		*known_hosts;	/* the pinned host key */
	char		*acl;		/* extended ACL the entries go in */
	char		*acl6;		/* IPv6 ACL for IPv6 entries */
	uint32_t	 seq_first;	/* sequence numbers owned here */
	uint32_t	 seq_last;
	char		*fleet_ranges;	/* "A-B ...": other gateways' numbers
					   this one may remove (fleet mode) */
	uint32_t	 connect_timeout;	/* seconds, to the first prompt */
	uint32_t	 command_timeout;	/* seconds, per command */
	uint32_t	 keepalive;	/* seconds between SSH keepalives; 0: none */
	bool		 save_config;	/* write memory after each batch */
	bool		 time_range;	/* device-side expiry of each entry */
	char		*kex;		/* libssh2 method preferences */
	char		*hostkey_algorithms;
	char		*ciphers;
	int		 line;		/* where it is defined */
};

/* The group's value: the devices, in file order. */
struct conf_cisco_list {
	struct conf_cisco	*v;
	size_t			 n;
};

extern const struct conf_group conf_group_cisco;

/* The devices of `c` (none if it has no cisco group). */
const struct conf_cisco_list *conf_cisco_list(const struct spa_conf *c);
/* The device named `name`, or NULL. */
const struct conf_cisco *conf_cisco_find(const struct spa_conf *c,
	    const char *name);
/* A deep copy of a device, and freeing one (a module keeps its own). */
int	conf_cisco_dup(const struct conf_cisco *src, struct conf_cisco *dst);
/* Whether `seq` is in the device's range or one of its fleet_ranges. */
bool	conf_cisco_seq_known(const struct conf_cisco *d, uint32_t seq);
void	conf_cisco_clear(struct conf_cisco *d);

#endif /* SPA_CONF_CISCO_H */
