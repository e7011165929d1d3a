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

#include "err.h"
#include "event.h"

#define MSG_VERSION	2	/* 2: OPEN carries the receive time */
#define MSG_MAX		4096	/* largest encoded message */

enum msg_type {
	MSG_READY = 1,		/* verifier: capture open, privileges dropped */
	MSG_OPEN,		/* verifier: a verified request */
	MSG_STATS_REQ,		/* executor: send your counters */
	MSG_STATS,		/* verifier: counters, answering MSG_STATS_REQ */
	MSG_REPLAY_STATE,	/* verifier: counters, unasked: its replay
				   store failed to record, or records again */
};
#define MSG_TYPE_MAX	MSG_REPLAY_STATE

/*
 * Where a receiver is in the verifier's life: each phase admits only the
 * message types msg_expected() names (OpenSSH's monitor table).  Anything
 * else, even well formed, is out of place: the sender is hostile.
 *
 *   executor, MSG_PHASE_STARTING  READY, once, as the first message
 *   executor, MSG_PHASE_RUNNING   OPEN, REPLAY_STATE
 *   executor, MSG_PHASE_ASKED     the same, and STATS (a STATS_REQ is
 *                                 unanswered)
 *   verifier, MSG_PHASE_SERVING   STATS_REQ
 */
enum msg_phase {
	MSG_PHASE_STARTING,
	MSG_PHASE_RUNNING,
	MSG_PHASE_ASKED,
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
 * refused meanwhile).  MSG_REPLAY_STATE carries the same counters, sent
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
_Static_assert(MSG_STATS_REPLAY_ERRNO < MSG_STATS_MAX, "MSG_STATS_MAX");

/* Counter i, 0 if the message did not carry it. */
static inline uint64_t
msg_stats_get(const struct msg_stats *vs, size_t i)
{
	return i < vs->n ? vs->v[i] : 0;
}

struct msg {
	enum msg_type	type;
	union {
		struct msg_ready	ready;
		struct spa_event	open;
		struct msg_stats	stats;
	} u;
};

/* Encode into buf; returns the length or a negative SPA_ERR_*. */
int	msg_encode(const struct msg *m, uint8_t *buf, size_t cap);
/* Decode one datagram; 0 or SPA_ERR_ARG for anything malformed. */
int	msg_decode(const uint8_t *buf, size_t len, struct msg *m);

/* True if a message of type `t` may arrive in phase `p` (see above). */
bool	msg_expected(enum msg_phase p, enum msg_type t);

#endif /* SPA_MSG_H */
