/*
 * The verifier pipeline for one received payload:
 *   frame error? → HTTP extraction → key-free precheck → any SOURCE? →
 *   policy (per stanza: HMAC, then once authentic the replay lookup,
 *   decrypt, decode, checks) → digest stored → one log line with the
 *   decision.  A grant whose digest the store cannot record is refused:
 *   its replay could not be recognised.  A packet with a wrong HMAC costs
 *   one HMAC per stanza whose SOURCE matches and whose key has an HMAC
 *   key, no allocation, and at most log_per_sec log lines a second; the
 *   first VERIFIER_HINTS_PER_SEC of those lines in a second also say why
 *   (spa_hmac_why: a decryption and six HMACs, allocated and freed).
 * Each refusal is counted under its reason.
 */
#ifndef SPA_VERIFIER_H
#define SPA_VERIFIER_H

#include <stdbool.h>
#include <stdint.h>

#include "access.h"
#include "capture.h"
#include "conf.h"
#include "event.h"
#include "policy.h"
#include "replay.h"

/* Refusal lines a second that may spend crypto on saying why. */
#define VERIFIER_HINTS_PER_SEC	10

struct verifier_stats {
	uint64_t	packets;
	uint64_t	granted;
	uint64_t	refused[SPA_ERR_COUNT];		/* by -reason */
	uint64_t	log_suppressed;
	uint64_t	capture_dropped;	/* by the kernel, never seen */
};

struct verifier {
	struct access_conf	*access;
	struct replay_store	*replay;
	struct policy_opts	 popts;
	bool			 http;
	bool			 http_any_user_agent;
	struct verifier_stats	 stats;
	int64_t			 log_window;	/* second of the rate limit */
	unsigned int		 log_lines;	/* unauthenticated lines in it */
	unsigned int		 log_per_sec;	/* 0: no limit */
	uint64_t		 log_suppressed_now;	/* in this window */
	int			 replay_errno;	/* the store's last failure to
						   record (errno), 0: records */
	bool			 replay_changed;	/* since last reported */
	/* GnuPG packets (openpgp.h), set by the verifier program; NULL:
	   refused (spagated and spagate link no OpenPGP code) */
	policy_gpg_fn		 gpg_open;
};

void	verifier_init(struct verifier *v, const struct spa_conf *conf,
	    struct access_conf *access, struct replay_store *replay);

/* New policy and settings (SIGHUP); counters and replay store stay. */
void	verifier_reconfigure(struct verifier *v, const struct spa_conf *conf,
	    struct access_conf *access);

/* Returns 0 and fills `ev` when the packet is granted, else the reason. */
int	verifier_packet(struct verifier *v, const struct packet *pkt,
	    struct spa_event *ev);

/* Log the counters, one line per nonzero reason. */
void	verifier_log_stats(const struct verifier *v);

#endif /* SPA_VERIFIER_H */
