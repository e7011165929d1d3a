/*
 * Messages between the verifier (child, unprivileged) and the executor
 * (parent, privileged) over a SOCK_SEQPACKET socketpair: one message per
 * datagram, a fixed header then a body whose size is fixed per type.
 * Every field is encoded explicitly (no struct copies), and the decoder
 * treats the bytes as hostile: exact sizes, enum ranges, address
 * families, NUL-terminated printable strings, and for an OPEN the packet
 * decoder's own field rules (event_check).
 */
#ifndef SPA_MSG_H
#define SPA_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "err.h"
#include "event.h"
#include "gpg.h"
#include "spa.h"

#define MSG_VERSION	4	/* 3: the configuration travels as messages,
				   4: with GnuPG stanzas and keyrings */
#define MSG_MAX		4096	/* largest encoded message */

enum msg_type {
	MSG_READY = 1,		/* verifier: capture open, privileges dropped */
	MSG_OPEN,		/* verifier: a verified request */
	MSG_STATS_REQ,		/* executor: send your counters */
	MSG_STATS,		/* verifier: counters, answering MSG_STATS_REQ */
	MSG_REPLAY_STATE,	/* verifier: counters, unasked: its replay
				   store failed to record, or records again */
	MSG_CONF,		/* executor: the verifier's settings */
	MSG_CONF_STANZA,	/* executor: one stanza, what the policy uses */
	MSG_CONF_ADDR,		/* executor: one SOURCE or DESTINATION item */
	MSG_CONF_PORT,		/* executor: one OPEN_PORTS or RESTRICT_PORTS */
	MSG_CONF_END,		/* executor: that was all of it */
	MSG_CONF_KEYRING,	/* executor: a piece of a GnuPG stanza's
				   keyring file */
};
#define MSG_TYPE_MAX	MSG_CONF_KEYRING

/*
 * Where a receiver is in the verifier's life: each phase admits only the
 * message types msg_expected() names (OpenSSH's monitor table).  Anything
 * else, even well formed, is out of place: the sender is hostile.
 *
 *   executor, MSG_PHASE_STARTING  READY, once, as the first message
 *   executor, MSG_PHASE_RUNNING   OPEN, REPLAY_STATE
 *   executor, MSG_PHASE_ASKED     the same, and STATS (a STATS_REQ is
 *                                 unanswered)
 *   verifier, MSG_PHASE_CONF_FIRST  CONF, as the first message
 *   verifier, MSG_PHASE_CONF      CONF_STANZA, CONF_ADDR, CONF_PORT,
 *                                 CONF_KEYRING, CONF_END (the items name
 *                                 their stanza, the last one sent:
 *                                 vconf.c checks)
 *   verifier, MSG_PHASE_SERVING   STATS_REQ
 */
enum msg_phase {
	MSG_PHASE_STARTING,
	MSG_PHASE_RUNNING,
	MSG_PHASE_ASKED,
	MSG_PHASE_CONF_FIRST,
	MSG_PHASE_CONF,
	MSG_PHASE_SERVING,
};

#define MSG_STATS_MAX	80	/* counters in one MSG_STATS */

struct msg_ready {
	char		capture[96];	/* source description, for the log */
	char		sandbox[96];	/* what confinement is in effect */
};

/*
 * The verifier's counters, in this order: packets, granted, log lines
 * suppressed, packets the kernel dropped before capture (a full ring or
 * socket buffer), then one per drop reason: v[MSG_STATS_REASONS + -err] for
 * each SPA_ERR_* err (0 unused), then the replay store's state: the errno
 * of its last failure to record a digest, 0 while it records (grants are
 * refused meanwhile), then the stanzas whose GnuPG keys, chosen in a
 * per-user file, did not load (verifier/openpgp.h: they refuse every
 * GnuPG packet).  MSG_REPLAY_STATE carries the same counters, sent
 * unasked when that state changes.
 */
struct msg_stats {
	uint32_t	n;
	uint64_t	v[MSG_STATS_MAX];
};

#define MSG_STATS_PACKETS	0
#define MSG_STATS_GRANTED	1
#define MSG_STATS_SUPPRESSED	2
#define MSG_STATS_CAPTURE_DROPPED 3
#define MSG_STATS_REASONS	4
#define MSG_STATS_REPLAY_ERRNO	(MSG_STATS_REASONS + SPA_ERR_COUNT)
#define MSG_STATS_GPG_DISABLED	(MSG_STATS_REPLAY_ERRNO + 1)
_Static_assert(MSG_STATS_GPG_DISABLED < MSG_STATS_MAX, "MSG_STATS_MAX");

/* Counter i, 0 if the message did not carry it. */
static inline uint64_t
msg_stats_get(const struct msg_stats *vs, size_t i)
{
	return i < vs->n ? vs->v[i] : 0;
}

/*
 * The configuration, executor to verifier, right after the exec: after
 * it the verifier knows what it would have inherited from a fork, and
 * nothing else of the executor's (no commands, accounts, devices).
 */
#define MSG_NAME_MAX	64	/* user, interface, address, syslog ident */
#define MSG_PATH_MAX	1024	/* paths, the BPF filter (with the NUL) */

struct msg_conf {
	uint8_t		capture_mode;		/* enum capture_mode */
	char		interface[MSG_NAME_MAX];
	char		filter[MSG_PATH_MAX];
	bool		promiscuous;
	bool		any_direction;
	uint32_t	buffer;			/* CONF_BUFFER_MIN..MAX packets */
	uint32_t	max_delay_ms;		/* 1..CONF_MAX_DELAY_MS_MAX */
	uint8_t		workers;		/* 1..CONF_WORKERS_MAX */
	uint8_t		worker;			/* this one, below workers */
	uint16_t	fanout_group;		/* PACKET_FANOUT's id */
	char		udp_address[MSG_NAME_MAX];
	uint16_t	udp_port;
	bool		http;
	char		http_address[MSG_NAME_MAX];
	uint16_t	http_port;
	bool		http_any_user_agent;
	bool		x_forwarded_for;
	char		tcp_address[MSG_NAME_MAX];
	uint16_t	tcp_port;		/* 0: no TCP listener */
	uint16_t	tcp_connections;	/* 1..CONF_TCP_CONNECTIONS_MAX */
	uint32_t	tcp_rate;
	uint32_t	tcp_timeout_ms;		/* 100..60000 */
	bool		nat_forwarding;
	bool		nat_local;
	bool		nat_dns;
	char		verifier_user[MSG_NAME_MAX];
	char		state_dir[MSG_PATH_MAX];
	uint32_t	replay_capacity;	/* 0..2^30 (0: the default) */
	uint32_t	max_packet_age;
	uint32_t	log_refusals_per_sec;
	uint8_t		log_dest;		/* LOG_TO_STDERR | LOG_TO_SYSLOG */
	uint32_t	log_facility;		/* LOG_KERN..LOG_LOCAL7 */
	char		log_ident[MSG_NAME_MAX];
	uint32_t	verbose;		/* 0..MSG_VERBOSE_MAX */
	char		pcap_file[MSG_PATH_MAX];	/* "": live capture */
	uint64_t	packet_limit;		/* 0: none */
};
#define MSG_VERBOSE_MAX	9

/* A stanza: what policy_match() reads of it (access.h), keys included. */
struct msg_stanza {
	uint32_t	number;			/* 1, 2, ... in order */
	char		file[MSG_PATH_MAX];
	uint32_t	line;
	bool		source_any;
	bool		has_destination;
	bool		destination_any;
	bool		has_open_ports;
	bool		has_enc_key;
	uint8_t		enc_key[SPA_KEY_MAX + 1];
	uint8_t		enc_key_len;
	bool		has_hmac_key;
	uint8_t		hmac_key[SPA_HMAC_KEY_MAX + 1];
	uint8_t		hmac_key_len;
	uint8_t		hmac_type;		/* enum spa_digest */
	uint8_t		mode;			/* enum spa_mode */
	bool		gpg_only;
	uint32_t	fw_access_timeout;
	uint32_t	max_fw_timeout;
	uint32_t	cmd_cycle_timer;	/* 0: none */
	int64_t		expire;
	bool		has_require_username;
	char		require_username[SPA_USER_MAX + 1];
	bool		require_source_address;
	bool		enable_cmd_exec;
	/* GnuPG (access.h); the keyring follows as MSG_CONF_KEYRING */
	bool		gpg;
	bool		gpg_require_sig;
	bool		gpg_ignore_sig_verify_error;
	bool		gpg_allow_no_pw;
	bool		has_gpg_decrypt_pw;
	char		gpg_decrypt_id[GPG_DECRYPT_ID_MAX + 1];
	char		gpg_decrypt_pw[GPG_PW_MAX + 1];
	char		gpg_remote_id[GPG_ID_TEXT_MAX + 1];
	char		gpg_fingerprint_id[GPG_ID_TEXT_MAX + 1];
	char		gpg_user_file[MSG_PATH_MAX];	/* "": the admin's */
};

/*
 * A piece of one keyring file of the stanza sent last (gpg.h): pieces of
 * one file come in order, `last` on its final one; the next piece starts
 * the next file.  The body is fixed: data[] is zero past `len`.
 */
#define MSG_KEYRING_CHUNK	2048
struct msg_conf_keyring {
	uint32_t	stanza;
	uint8_t		kind;			/* enum gpg_file_kind */
	bool		last;
	uint16_t	len;			/* 0..MSG_KEYRING_CHUNK */
	uint8_t		data[MSG_KEYRING_CHUNK];
};

/* One list item of the stanza sent last. */
#define MSG_LIST_SOURCE		0	/* MSG_CONF_ADDR */
#define MSG_LIST_DESTINATION	1
#define MSG_LIST_OPEN		0	/* MSG_CONF_PORT */
#define MSG_LIST_RESTRICT	1

struct msg_conf_addr {
	uint32_t	stanza;
	uint8_t		list;
	struct spa_cidr	cidr;		/* a prefix, the address masked */
};

struct msg_conf_port {
	uint32_t	stanza;
	uint8_t		list;
	struct spa_port	port;
};

struct msg {
	enum msg_type	type;
	union {
		struct msg_ready	ready;
		struct spa_event	open;
		struct msg_stats	stats;
		struct msg_conf		conf;
		struct msg_stanza	stanza;
		struct msg_conf_addr	addr;
		struct msg_conf_port	port;
		struct msg_conf_keyring	keyring;
		uint32_t		nstanzas;	/* MSG_CONF_END */
	} u;
};

/* Encode into buf; returns the length or a negative SPA_ERR_*. */
int	msg_encode(const struct msg *m, uint8_t *buf, size_t cap);
/* Decode one datagram; 0 or SPA_ERR_ARG for anything malformed. */
int	msg_decode(const uint8_t *buf, size_t len, struct msg *m);

/* True if a message of type `t` may arrive in phase `p` (see above). */
bool	msg_expected(enum msg_phase p, enum msg_type t);

#endif /* SPA_MSG_H */
