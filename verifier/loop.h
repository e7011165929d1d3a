/*
 * The event loop: one poll() over every capture source and a signalfd.
 * No sleeps: the loop wakes for a packet, a signal, or the next deadline.
 */
#ifndef SPA_LOOP_H
#define SPA_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "capture.h"

#define LOOP_MAX_SOURCES	4

struct loop;

struct loop_hooks {
	capture_cb	  packet;	/* each payload */
	void		(*tick)(void *arg);	/* about once a second */
	/* one more descriptor (the verifier's link to the executor) */
	int		  ctl_fd;		/* -1: none */
	void		(*ctl)(void *arg, short revents);
	void		 *arg;
};

struct loop {
	struct capture		*src[LOOP_MAX_SOURCES];
	size_t			 nsrc;
	int			 sigfd;
	struct loop_hooks	 hooks;
	volatile bool		 stop;		/* set by hooks to end the loop */
	int			 exit_signal;	/* signal that ended it, or 0 */
};

/* Block the handled signals and create the signalfd. */
int	loop_init(struct loop *l, const struct loop_hooks *hooks);
int	loop_add(struct loop *l, struct capture *c);
/* Run until stopped by a hook, SIGTERM/SIGINT, or a fatal source error. */
int	loop_run(struct loop *l);

#endif /* SPA_LOOP_H */
