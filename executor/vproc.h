/*
 * The verifier process, from the executor's side: a program of its own
 * (spagate-verifier, linked without the executor's code), started with
 * fork and exec on a socketpair, and told its configuration in typed
 * messages (common/msg.h: MSG_CONF ... MSG_CONF_END) before it opens
 * anything.  It inherits no executor memory: what it knows is what those
 * messages say.
 */
#ifndef SPA_VPROC_H
#define SPA_VPROC_H

#include <stdint.h>
#include <sys/types.h>

#include "access.h"
#include "conf.h"
#include "sandbox.h"

/* The installed verifier (test builds run their own: daemon/cli.c). */
#define SPA_VERIFIER_PROGRAM	SPA_LIBEXECDIR "/spagate-verifier"

#define VPROC_REPLAY_DIR	SANDBOX_ROOT_DIR	/* under state_dir */

struct vproc_conf {
	const char		*program;	/* the verifier program */
	const struct spa_conf	*conf;
	const struct access_conf *access;
	const char		*pcap_file;	/* NULL: live capture */
	uint64_t		 packet_limit;	/* 0: none */
	int			 log_dest;	/* LOG_TO_STDERR, LOG_TO_SYSLOG */
	const char		*state_dir;	/* NULL: conf's (else a throwaway) */
	unsigned int		 workers;	/* verifiers sharing the capture */
	unsigned int		 worker;	/* this one: 0..workers - 1 */
	uint16_t		 fanout_group;	/* their PACKET_FANOUT group */
};

/* Create the verifier's own directory in state_dir, owned by its user. */
int	vproc_prepare_state(const char *state_dir, const char *user);

/*
 * spagated -t --pcap-file: a state directory of its own under conf's, so
 * that its replay store starts empty and a second run on one capture
 * gives the same answer; removed by vproc_throwaway_remove().  0 or
 * SPA_ERR_STATE.
 */
int	vproc_throwaway_make(const struct spa_conf *conf, char *dir,
	    size_t len);
void	vproc_throwaway_remove(const char *dir);

/*
 * The verifier program must be trusted (common/trust.h: a regular file,
 * root's, writable by no one else); returns 0 or SPA_ERR_CONFIG after
 * logging why not at error level.
 */
int	vproc_check_program(const char *path);

/*
 * Check the program, fork, exec it and send it its configuration.
 * Returns its pid and the executor's end of the socketpair in *sock, or
 * -1 (logged).
 */
pid_t	vproc_spawn(const struct vproc_conf *vc, int *sock);

/*
 * Encode and send the configuration (vproc_conf.c); 0 or SPA_ERR_*
 * (logged at error: a setting too long for its message).  With sock -1
 * only encode: whether a configuration can be sent, checked at load.
 */
int	vproc_send_conf(int sock, const struct vproc_conf *vc);

#endif /* SPA_VPROC_H */
