/*
 * The executor's replay check, with several verifier workers
 * (capture.workers > 1).  Each worker's store (common/replay.h) sees
 * only the packets the kernel deals to it, by the hash of their flow:
 * one packet sent on two flows at once reaches two workers, passes both
 * stores, and comes as two OPENs.  The executor keeps one more store, of
 * every digest it lets through, in the state directory, and each OPEN's
 * digest (event.h: the verifier computed it) must be new there: checked
 * and recorded in one step, before the grant.  A store that cannot record
 * refuses the grant (fail closed: an unrecorded digest could pass again).
 * With one worker, the worker's own store is the check and this is not
 * opened.
 */
#ifndef SPA_REPLAY_GATE_H
#define SPA_REPLAY_GATE_H

#include <stdint.h>

#include "event.h"

/* state_dir/REPLAY_GATE_FILE */
#define REPLAY_GATE_FILE	"executor-replay.db"

struct replay_gate_stats {
	uint64_t	checked;	/* OPENs looked up */
	uint64_t	replays;	/* refused: let through before */
	uint64_t	unrecorded;	/* refused: the store could not record */
};

struct replay_gate;

/* Open or create the store (logged at error if it cannot be). */
int	replay_gate_open(const char *path, uint32_t capacity,
	    struct replay_gate **out);
/*
 * Take in a worker's store file (replay_merge_file), while no worker
 * runs: 0, or an error logged at error level.  Taking it again changes
 * nothing: the executor does at each start of its workers.
 */
int	replay_gate_seed(struct replay_gate *g, const char *path,
	    int64_t now_s);
void	replay_gate_close(struct replay_gate *g);
/* max_packet_age: how long a digest is kept (replay_set_age). */
void	replay_gate_set_age(struct replay_gate *g, uint32_t age);

/*
 * 0: `ev`'s digest was new and is now recorded: grant it.
 * SPA_ERR_REPLAY: it was let through before (logged at info);
 * another SPA_ERR_*: it could not be recorded (logged at error).
 * Either refusal is counted.
 */
int	replay_gate_admit(struct replay_gate *g, const struct spa_event *ev,
	    int64_t now_s);

/* To disk (about once a second, and at exit). */
void	replay_gate_sync(struct replay_gate *g);
void	replay_gate_get_stats(const struct replay_gate *g,
	    struct replay_gate_stats *st);

#endif /* SPA_REPLAY_GATE_H */
