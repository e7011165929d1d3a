/*
 * spagated.conf: the daemon's own settings (libconfig syntax), see
 * doc/spagated.conf.5.  A missing file means every default.  Unknown
 * settings and bad values are refused with "file:line: reason".
 */
#ifndef SPA_CONF_H
#define SPA_CONF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CONF_DEF_PATH		SPA_SYSCONFDIR "/spagated.conf"
#define CONF_DEF_ACCESS		SPA_SYSCONFDIR "/access.conf"
#define CONF_DEF_PID_FILE	SPA_RUN_DIR "/spagated.pid"
#define CONF_DEF_PORT		62201
#define CONF_STR_(x)		#x
#define CONF_STR(x)		CONF_STR_(x)
#define CONF_DEF_FILTER		"udp port " CONF_STR(CONF_DEF_PORT)
#define CONF_DEF_PACKET_AGE	120
#define CONF_MAX_PACKET_AGE	100000
#define CONF_DEF_VERIFIER_USER	"nobody"
#define CONF_DEF_CMD_TIMEOUT	30	/* seconds, when CMD_TIMEOUT is unset */
#define CONF_DEF_CLOSE_RETRY_LIMIT 3600	/* seconds */
#define CONF_DEF_REFUSAL_LOG	20	/* unauthenticated refusals a second */
#define CONF_DEF_SUDO		"/usr/bin/sudo"
#define CONF_DEF_METRICS_INTERVAL 10	/* seconds between metrics writes */

enum capture_mode {
	CAPTURE_PCAP = 0,	/* sniff with libpcap (default) */
	CAPTURE_UDP,		/* bind a UDP socket */
};

struct conf_capture {
	enum capture_mode	 mode;
	char			*interface;	/* pcap; "any" by default */
	char			*filter;	/* BPF */
	bool			 promiscuous;
	bool			 any_direction;	/* also frames sent by this host */
	char			*udp_address;
	uint16_t		 udp_port;
	bool			 http;		/* SPA inside HTTP GET requests */
	char			*http_address;
	uint16_t		 http_port;	/* 0: no HTTP listener */
	bool			 http_any_user_agent;
	bool			 x_forwarded_for;
};

#define CONF_CISCO_NAME_MAX	15	/* device names: [a-z0-9_-]{1,15} */
#define CONF_CISCO_SEQ_MAX	2147483647	/* IOS sequence numbers */
#define CONF_CISCO_MAX		64	/* devices (one session each) */
#define CONF_CISCO_DEF_TIMEOUT	10	/* seconds: connect, each command */
#define CONF_CISCO_DEF_KEEPALIVE 15	/* seconds between SSH keepalives */

/* One Cisco IOS device (spagated.conf "cisco" list; see conf_cisco.c). */
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

enum state_backend {
	STATE_LOCAL = 0,	/* the replay store and journal only (default) */
	STATE_REDIS,		/* plus fleet state shared through Redis */
};

#define CONF_REDIS_DEF_PREFIX	"spagate:"
#define CONF_REDIS_DEF_TIMEOUT	500	/* ms, connect and each reply */
#define CONF_REDIS_DEF_HEARTBEAT 5	/* s: no heartbeat for this long = gone */
#define CONF_REDIS_NAME_MAX	64	/* gateway names, key prefixes */

/* The "redis" group: fleet mode's shared store (conf_redis.c). */
struct conf_redis {
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

struct spa_conf {
	char			*path;		/* file read, or NULL if absent */
	char			*access_file;
	char			*access_folder;	/* replaces access_file if set */
	char			*state_dir;
	char			*pid_file;
	uint32_t		 max_packet_age;	/* 0: no age check */
	uint32_t		 replay_capacity;	/* initial slots */
	struct conf_capture	 capture;
	bool			 nat_forwarding;	/* NAT access requests */
	bool			 nat_local;		/* local NAT requests */
	char			*verifier_user;	/* the verifier runs as */
	uint32_t		 command_timeout;	/* seconds per command */
	bool			 close_on_exit;	/* run pending closes at exit */
	uint32_t		 close_retry_limit;	/* seconds a close is
							   retried */
	char			*sudo_exe;
	char			*syslog_ident;
	int			 syslog_facility;
	int			 verbose;
	uint32_t		 log_refusals_per_sec;	/* 0: unlimited */
	char			*metrics_file;	/* Prometheus text; NULL: off */
	uint32_t		 metrics_interval;	/* seconds */
	struct conf_cisco	*cisco;		/* devices, in file order */
	size_t			 ncisco;
	enum state_backend	 state_backend;
	struct conf_redis	 redis;
};

struct conf_error {
	char		msg[512];
};

void	conf_defaults(struct spa_conf *c);
/* Load `path`; with !must_exist a missing file leaves the defaults. */
int	conf_load(const char *path, bool must_exist, struct spa_conf *c,
	    struct conf_error *err);
/* Checks that span several settings; run after command-line overrides. */
int	conf_validate(const struct spa_conf *c, struct conf_error *err);
/*
 * What a start would find wrong on this host: the capture interface
 * (unless `live` is false: a capture file), the verifier's user, the
 * state, pid and metrics directories, sudo_exe.  Run by spagate check,
 * --exit-parse-config, at start and before a reload is taken, so that
 * none of these stops a running daemon.
 */
int	conf_check_host(const struct spa_conf *c, bool live,
	    struct conf_error *err);
void	conf_free(struct spa_conf *c);
void	conf_dump(const struct spa_conf *c, FILE *fp);
/* The device named `name`, or NULL. */
const struct conf_cisco *conf_cisco_find(const struct spa_conf *c,
	    const char *name);
/* A deep copy of a device, and freeing one (a module keeps its own). */
int	conf_cisco_dup(const struct conf_cisco *src, struct conf_cisco *dst);
/* Whether `seq` is in the device's range or one of its fleet_ranges. */
bool	conf_cisco_seq_known(const struct conf_cisco *d, uint32_t seq);
void	conf_cisco_clear(struct conf_cisco *d);
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
/* Replace a string setting (command-line overrides). */
int	conf_set_string(char **field, const char *value);

#endif /* SPA_CONF_H */
