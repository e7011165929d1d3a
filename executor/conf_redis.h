/*
 * The fleet's spagated.conf settings: state_backend and the "redis"
 * group (conf_redis.c), registered with the module groups.
 */
#ifndef SPA_CONF_REDIS_H
#define SPA_CONF_REDIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

enum state_backend {
	STATE_LOCAL = 0,	/* the replay store and journal only (default) */
	STATE_REDIS,		/* plus fleet state shared through Redis */
};

#define CONF_REDIS_DEF_PREFIX	"spagate:"
#define CONF_REDIS_DEF_TIMEOUT	500	/* ms, connect and each reply */
#define CONF_REDIS_DEF_HEARTBEAT 5	/* s: no heartbeat for this long = gone */
#define CONF_REDIS_NAME_MAX	64	/* gateway names, key prefixes */

/* The group's value: the backend, and the redis group if it is Redis. */
struct conf_redis {
	enum state_backend state_backend;
	char		*address;	/* "host:port", numeric */
	char		*sentinels;	/* "host:port host:port ..." */
	char		*master;	/* the Sentinel master name */
	char		*sentinel_password_file;	/* NULL: no AUTH */
	char		*tunnels;	/* "SERVER=LOCAL ...": how a server
					   Sentinel names is reached (TLS) */
	char		*user;		/* ACL user; NULL: AUTH password only */
	char		*password_file;	/* NULL: no AUTH */
	char		*fleet_key_file;	/* seals the cycle records */
	char		*prefix;	/* of every key */
	char		*gateway;	/* this gateway's name in the fleet */
	uint32_t	 timeout_ms;
	uint32_t	 heartbeat;	/* seconds */
	bool		 fail_closed;	/* refuse grants while unreachable */
	bool		 claim;		/* run closes of gateways gone */
};

extern const struct conf_group conf_group_redis;

/* The fleet settings of `c` (the defaults if it has no such group). */
const struct conf_redis *conf_redis_of(const struct spa_conf *c);
/*
 * "host:port" or "[v6]:port" with a numeric host; 0, or -1 if it is not
 * one (host must hold INET6_ADDRSTRLEN bytes).
 */
int	conf_host_port(const char *s, char *host, size_t hostlen,
	    uint16_t *port);
/*
 * redis.tunnels: the local endpoint ("host:port") that reaches `server`
 * (a Redis server as Sentinel names it); 0, or -1 if none is listed.
 */
int	conf_redis_tunnel(const char *tunnels, const char *server, char *local,
	    size_t len);

#endif /* SPA_CONF_REDIS_H */
