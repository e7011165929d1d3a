/* poll() loop over the capture sources and a signalfd. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "log.h"
#include "loop.h"

#define LOOP_TICK_MS	1000
#define LOOP_MAX_PFD	(2 + LOOP_MAX_SOURCES * CAPTURE_MAX_FDS)

int
loop_init(struct loop *l, const struct loop_hooks *hooks)
{
	sigset_t set;

	memset(l, 0, sizeof(*l));
	l->hooks = *hooks;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return SPA_ERR_SYS;
	l->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	signal(SIGPIPE, SIG_IGN);
	return l->sigfd < 0 ? SPA_ERR_SYS : 0;
}

int
loop_add(struct loop *l, struct capture *c)
{
	if (l->nsrc == LOOP_MAX_SOURCES)
		return SPA_ERR_ARG;
	l->src[l->nsrc++] = c;
	return 0;
}

static void
loop_signal(struct loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
		case SIGUSR1:
			/* the executor's: it reloads and logs counters */
			break;
		default:
			l->exit_signal = (int)si.ssi_signo;
			l->stop = true;
			break;
		}
	}
}

/* Poll timeout: the next tick or the earliest source deadline. */
static int
loop_timeout(struct loop *l, int64_t next_tick)
{
	int64_t t = next_tick - mono_ms();
	size_t i;
	int s;

	if (t < 0)
		t = 0;
	for (i = 0; i < l->nsrc; i++) {
		s = capture_timeout_ms(l->src[i]);
		if (s >= 0 && s < t)
			t = s;
	}
	return (int)t;
}

static int
loop_dispatch(struct loop *l, struct pollfd *pfd, const size_t *first,
    const size_t *count)
{
	size_t i;
	int r;

	for (i = 0; i < l->nsrc && !l->stop; i++) {
		r = capture_dispatch(l->src[i], pfd + first[i], count[i],
		    l->hooks.packet, l->hooks.arg);
		if (r < 0) {
			log_warn("%s: capture failed", capture_name(l->src[i]));
			return r;
		}
	}
	return 0;
}

static int
loop_once(struct loop *l, int64_t next_tick)
{
	struct pollfd pfd[LOOP_MAX_PFD];
	size_t first[LOOP_MAX_SOURCES], count[LOOP_MAX_SOURCES], n = 2, i;

	pfd[0].fd = l->sigfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = l->hooks.ctl_fd;	/* poll() skips a negative fd */
	pfd[1].events = POLLIN;
	pfd[1].revents = 0;
	for (i = 0; i < l->nsrc; i++) {
		first[i] = n;
		count[i] = capture_pollfds(l->src[i], pfd + n, LOOP_MAX_PFD - n);
		n += count[i];
	}
	if (poll(pfd, n, loop_timeout(l, next_tick)) < 0)
		return errno == EINTR ? 0 : SPA_ERR_SYS;
	for (i = 0; i < n; i++)
		if (i > 0 && (pfd[i].revents & POLLNVAL) != 0)
			return SPA_ERR_SYS;
	if (pfd[0].revents & POLLIN)
		loop_signal(l);
	if (pfd[1].revents != 0 && l->hooks.ctl != NULL)
		l->hooks.ctl(l->hooks.arg, pfd[1].revents);
	return loop_dispatch(l, pfd, first, count);
}

int
loop_run(struct loop *l)
{
	int64_t next_tick = mono_ms() + LOOP_TICK_MS;
	int r = 0;

	while (!l->stop && r == 0) {
		r = loop_once(l, next_tick);
		if (mono_ms() >= next_tick) {
			next_tick = mono_ms() + LOOP_TICK_MS;
			if (l->hooks.tick != NULL)
				l->hooks.tick(l->hooks.arg);
		}
	}
	return r;
}
