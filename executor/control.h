/*
 * The control socket: a unix stream socket in the state directory
 * (CONTROL_SOCKET, mode 0600) that the executor serves in its loop, for
 * spagate list / close / status.  Root only: each connection's peer
 * credentials must be uid 0 or the executor's own, else it is closed,
 * logged and counted.  Bounded: at most CONTROL_MAX_CONNS connections at
 * a time (more wait in the listen queue), a request of CONTROL_REQ_MAX
 * bytes sent within CONTROL_READ_MS, a reply taken within
 * CONTROL_WRITE_MS; nothing blocks.  The protocol is in control_req.h;
 * what a request does is the handler's (control_cmd.c).
 */
#ifndef SPA_CONTROL_H
#define SPA_CONTROL_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "control_req.h"

#define CONTROL_MAX_CONNS	8
#define CONTROL_READ_MS		5000
#define CONTROL_WRITE_MS	30000

struct control_stats {
	uint64_t	served;		/* requests carried out */
	uint64_t	refused_peer;	/* connections from another uid */
	uint64_t	bad_request;	/* requests refused by the parser */
	uint64_t	timed_out;	/* connections past their deadline */
};

/* Who is on the other end, from SO_PEERCRED. */
struct control_peer {
	uid_t	uid;
	pid_t	pid;
};

/*
 * Carry out one parsed request: data lines, then the end line ("ok" or
 * "error ..."), written to fp.
 */
typedef void (*control_handler)(void *arg, const struct control_req *req,
    const struct control_peer *peer, FILE *fp);

struct control;

/*
 * Listen on state_dir/CONTROL_SOCKET, replacing a stale socket left
 * there (the pid file's lock says no other spagated runs).
 */
int	control_open(const char *state_dir, control_handler h, void *arg,
	    struct control **out);
/* Close every connection and the socket, and remove it. */
void	control_close(struct control *ctl);

size_t	control_pollfds(struct control *ctl, struct pollfd *pfd, size_t max);
void	control_dispatch(struct control *ctl, const struct pollfd *pfd,
	    size_t n, int64_t now_ms);
/* Milliseconds until the earliest deadline; -1: none. */
int64_t	control_timeout_ms(const struct control *ctl, int64_t now_ms);
void	control_get_stats(const struct control *ctl, struct control_stats *st);

#endif /* SPA_CONTROL_H */
