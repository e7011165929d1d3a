/*
 * spagated.conf: the daemon's own settings (libconfig syntax), see
 * doc/spagated.conf.5.  A missing file means every default.  Unknown
 * settings and bad values are refused with "file:line: reason".  The
 * groups of action modules and of the fleet are theirs (conf_group.h):
 * registered before the file is loaded, which refuses them otherwise.
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
/* configure --with-verifier-user (default nobody) */
#define CONF_DEF_VERIFIER_USER	SPA_VERIFIER_USER
#define CONF_DEF_CMD_TIMEOUT	30	/* seconds, when CMD_TIMEOUT is unset */
#define CONF_DEF_CLOSE_RETRY_LIMIT 3600	/* seconds */
#define CONF_DEF_RECHECK_INTERVAL 30	/* seconds; 0: never */
#define CONF_DEF_REFUSAL_LOG	20	/* unauthenticated refusals a second */
#define CONF_DEF_SUDO		"/usr/bin/sudo"
#define CONF_DEF_METRICS_INTERVAL 10	/* seconds between metrics writes */
#define CONF_DEF_TCP_CONNECTIONS 64	/* TCP listener: connections held */
#define CONF_DEF_TCP_RATE	10	/* new connections a second a source */
#define CONF_DEF_TCP_TIMEOUT_MS	2000	/* from accept to the last byte */
#define CONF_TCP_CONNECTIONS_MAX 256	/* capture_stream.h STREAM_MAX_CONNS */
#define CONF_DEF_BUFFER		100000	/* SPA packets the kernel holds */
#define CONF_BUFFER_MIN		1000
#define CONF_BUFFER_MAX		1000000
#define CONF_DEF_MAX_DELAY_MS	1
#define CONF_WORKERS_MAX	64	/* verifier workers */
#define CONF_MAX_DELAY_MS_MAX	1000

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
	uint32_t		 buffer;	/* packets waiting for the verifier */
	uint32_t		 max_delay_ms;	/* a pcap ring block's longest wait */
	uint32_t		 workers;	/* verifier processes sharing it */
	/* the verifier's own, from the executor (never in spagated.conf) */
	uint32_t		 worker;	/* this one: 0..workers - 1 */
	uint16_t		 fanout_group;	/* PACKET_FANOUT group id */
	char			*udp_address;
	uint16_t		 udp_port;
	bool			 http;		/* SPA inside HTTP GET requests */
	char			*http_address;
	uint16_t		 http_port;	/* 0: no HTTP listener */
	bool			 http_any_user_agent;
	bool			 x_forwarded_for;
	char			*tcp_address;
	uint16_t		 tcp_port;	/* 0: no TCP listener */
	uint32_t		 tcp_connections;	/* held at once */
	uint32_t		 tcp_rate;	/* new a second per source */
	uint32_t		 tcp_timeout_ms;	/* accept to last byte */
};

#define CONF_GROUPS_MAX		8	/* groups owners register */

struct conf_group;

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
	bool			 nat_dns;		/* resolve NAT host names */
	char			*verifier_user;	/* the verifier runs as */
	uint32_t		 command_timeout;	/* seconds per command */
	bool			 close_on_exit;	/* run pending closes at exit */
	uint32_t		 close_retry_limit;	/* seconds a close is
							   retried */
	uint32_t		 recheck_interval;	/* seconds between
							   object rechecks */
	char			*sudo_exe;
	char			*syslog_ident;
	int			 syslog_facility;
	int			 verbose;
	uint32_t		 log_refusals_per_sec;	/* 0: unlimited */
	char			*metrics_file;	/* Prometheus text; NULL: off */
	uint32_t		 metrics_interval;	/* seconds */
	/* the groups registered (conf_group.h) and their values */
	const struct conf_group	*group[CONF_GROUPS_MAX];
	void			*group_value[CONF_GROUPS_MAX];
	size_t			 ngroups;
};

struct conf_error {
	char		text[512];
};

void	conf_defaults(struct spa_conf *c);
/* capture.workers unset: the online cores but one, 1..CONF_WORKERS_MAX. */
uint32_t	conf_default_workers(void);
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
/* Replace a string setting (command-line overrides). */
int	conf_set_string(char **field, const char *value);

#endif /* SPA_CONF_H */
