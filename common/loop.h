/*
 * The event loop both processes run: one poll() over a signalfd and the
 * descriptors of the registered sources.  No sleeps: a pass waits for
 * I/O, a signal, or the earliest deadline a source names (at most
 * LOOP_MAX_WAIT_MS), then reads the clocks once and hands that struct
 * now to the signal callback's process and to every source, in the order
 * they were added.
 */
#ifndef SPA_LOOP_H
#define SPA_LOOP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"

#define LOOP_MAX_SOURCES	8
#define LOOP_MAX_PFD		512	/* the signalfd and every source's:
					   the verifier's TCP listener
					   alone may poll 257 */
#define LOOP_MAX_WAIT_MS	1000	/* a pass at least once a second */

/*
 * One thing the loop watches.  Every member but dispatch may be NULL.
 * dispatch runs once per pass, whether or not its descriptors had events
 * (it reads their revents); a negative SPA_ERR_* return ends the pass and
 * is what loop_once() returns.
 */
struct loop_source {
	/* Descriptors to poll; how many were written (<= max). */
	size_t	(*pollfds)(void *arg, struct pollfd *pfd, size_t max);
	int	(*dispatch)(void *arg, const struct pollfd *pfd, size_t n,
		    const struct now *now);
	/* Milliseconds until it needs a pass without I/O; -1: never. */
	int64_t	(*timeout_ms)(void *arg, const struct now *now);
	void	*arg;
};

/* Which signals a process takes, and what it does with them. */
struct loop_signals {
	const int	*handled;	/* 0-terminated: read from the signalfd */
	const int	*ignored;	/* 0-terminated: SIG_IGN */
	void		(*on_signal)(void *arg, int signo);
	void		*arg;
};

struct loop {
	struct loop_source	 src[LOOP_MAX_SOURCES];
	size_t			 nsrc;
	int			 sigfd;
	struct loop_signals	 sig;
	struct now		 now;	/* the pass's reading, for what its
					   sources call (0 before one) */
	bool			 stop;	/* set to end loop_run() */
};

/* Block the handled signals into a signalfd, ignore the others named. */
int	loop_init(struct loop *l, const struct loop_signals *sig);
int	loop_add(struct loop *l, const struct loop_source *s);
/*
 * One pass: wait, then signals, then each source until one fails or
 * stop is set.  0, or a negative SPA_ERR_* (poll failed: logged).
 */
int	loop_once(struct loop *l);
/* Passes until stop is set or one fails; what the last one returned. */
int	loop_run(struct loop *l);
void	loop_close(struct loop *l);

#endif /* SPA_LOOP_H */
