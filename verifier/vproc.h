/*
 * The verifier process: forked by the executor, it opens the capture
 * sources while still root, chroots into its state directory and drops to
 * the verifier user, opens its replay store, enters the system call filter
 * (verifier/sandbox.h), and from then on only reads packets and writes typed
 * messages (common/msg.h) to the executor.  It inherits the loaded configuration
 * and policy from its parent, so it never reads a file after the drop.
 */
#ifndef SPA_VPROC_H
#define SPA_VPROC_H

#include <stdint.h>
#include <sys/types.h>

#include "access.h"
#include "conf.h"

#define VPROC_REPLAY_DIR	"verifier"	/* under state_dir: its chroot */
#define VPROC_REPLAY_FILE	"replay.db"

struct vproc_conf {
	const struct spa_conf	*conf;
	struct access_conf	*access;
	const char		*pcap_file;	/* NULL: live capture */
	uint64_t		 packet_limit;	/* 0: none */
};

/* Create the verifier's own state directory, owned by its user. */
int	vproc_prepare_state(const struct spa_conf *conf);

/*
 * Fork the verifier.  Returns its pid and the executor's end of the
 * socketpair in *sock, or -1.  The child never returns from here.
 */
pid_t	vproc_spawn(const struct vproc_conf *vc, int *sock);

#endif /* SPA_VPROC_H */
