/*
 * The OPEN event: what a verified SPA request asks for, as the verifier
 * hands it on (spec/event.md).  Fixed size, no pointers, so it crosses the
 * process boundary as one typed, length-checked message.
 */
#ifndef SPA_EVENT_H
#define SPA_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "spa.h"

/* Where a payload came from. */
struct pkt_info {
	struct spa_addr	src;
	struct spa_addr	dst;
	uint16_t	sport;		/* 0 for ICMP */
	uint16_t	dport;
	uint8_t		proto;		/* IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMP(V6) */
};

/* How the SPA packet arrived. */
enum spa_transport {
	SPA_VIA_UDP = 1,
	SPA_VIA_TCP,
	SPA_VIA_ICMP,
	SPA_VIA_HTTP,
};

struct spa_event {
	uint32_t		stanza;		/* 1-based stanza number */
	enum spa_request	type;
	struct spa_addr		allow;		/* address to grant */
	struct spa_addr		pkt_src;	/* IP header source */
	struct spa_addr		pkt_dst;	/* IP header destination */
	uint16_t		src_port;
	uint16_t		dst_port;
	enum spa_transport	via;
	size_t			nports;
	struct spa_port		ports[SPA_MAX_PORTS];
	char			user[SPA_USER_MAX + 1];
	uint32_t		timeout;	/* effective seconds */
	uint32_t		client_timeout;	/* 0: none requested */
	int64_t			spa_time;	/* timestamp in the packet */
	int64_t			recv_time;	/* the verifier's clock when it
						   arrived: the age is judged
						   against it */
	char			command[SPA_FIELD_MAX + 1];	/* command type */
	bool			has_nat;
	char			nat_host[SPA_NAT_HOST_MAX + 1];
	uint16_t		nat_port;
	uint8_t			digest[32];	/* the replay digest (SHA-256
						   of the packet's text) */
};

const char *event_via_name(enum spa_transport via);

/*
 * The decoder's field rules (spa.h) applied to an event: request type,
 * allow address, username, timestamp, client timeout, ports or command,
 * NAT host and port, and what the type says is present.  Returns 0 or
 * the decoder's code for the first field that breaks its rule.  The
 * message decoder and the executor's recheck both run it on every OPEN.
 */
int	event_check(const struct spa_event *ev);

/*
 * One line of key=value pairs, values quoted and escaped when they are
 * not plain tokens; the same line test mode prints and the log shows.
 * Returns the length, or -1 if `len` was too small.
 */
int	event_format(const struct spa_event *ev, char *buf, size_t len);

/* Escape an untrusted string for a key=value log line. */
size_t	event_quote(const char *s, char *buf, size_t len);

#endif /* SPA_EVENT_H */
