/* poll() loop over the sources and a signalfd (see loop.h). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "loop.h"

int
loop_init(struct loop *l, const struct loop_signals *sig)
{
	sigset_t set;
	size_t i;

	memset(l, 0, sizeof(*l));
	l->sig = *sig;
	l->sigfd = -1;
	sigemptyset(&set);
	for (i = 0; sig->handled != NULL && sig->handled[i] != 0; i++)
		sigaddset(&set, sig->handled[i]);
	for (i = 0; sig->ignored != NULL && sig->ignored[i] != 0; i++)
		signal(sig->ignored[i], SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return SPA_ERR_SYS;
	l->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return l->sigfd < 0 ? SPA_ERR_SYS : 0;
}

int
loop_add(struct loop *l, const struct loop_source *s)
{
	if (l->nsrc == LOOP_MAX_SOURCES || s->dispatch == NULL)
		return SPA_ERR_ARG;
	l->src[l->nsrc++] = *s;
	return 0;
}

static void
read_signals(struct loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (l->sig.on_signal != NULL)
			l->sig.on_signal(l->sig.arg, (int)si.ssi_signo);
}

/* The earliest deadline of any source, or LOOP_MAX_WAIT_MS. */
static int
wait_ms(const struct loop *l, const struct now *now)
{
	int64_t t = LOOP_MAX_WAIT_MS, s;
	size_t i;

	for (i = 0; i < l->nsrc; i++) {
		if (l->src[i].timeout_ms == NULL)
			continue;
		s = l->src[i].timeout_ms(l->src[i].arg, now);
		if (s >= 0 && s < t)
			t = s;
	}
	return (int)t;
}

/* The sources' descriptors after the signalfd's; returns the total. */
static size_t
gather(struct loop *l, struct pollfd *pfd, size_t *first, size_t *count)
{
	size_t n = 1, i;

	pfd[0].fd = l->sigfd;
	pfd[0].events = POLLIN;
	pfd[0].revents = 0;
	for (i = 0; i < l->nsrc; i++) {
		first[i] = n;
		count[i] = l->src[i].pollfds == NULL ? 0 :
		    l->src[i].pollfds(l->src[i].arg, pfd + n, LOOP_MAX_PFD - n);
		n += count[i];
	}
	return n;
}

int
loop_once(struct loop *l)
{
	struct pollfd pfd[LOOP_MAX_PFD];
	size_t first[LOOP_MAX_SOURCES], count[LOOP_MAX_SOURCES], n, i;
	struct now before = clock_now();
	int r;

	n = gather(l, pfd, first, count);
	log_flush();	/* the pass's lines, before it sleeps */
	if (poll(pfd, n, wait_ms(l, &before)) < 0) {
		if (errno == EINTR)
			return 0;
		log_warn("poll");
		return SPA_ERR_SYS;
	}
	l->now = clock_now();	/* the one reading this pass acts on */
	if (pfd[0].revents & POLLIN)
		read_signals(l);
	for (i = 0; i < l->nsrc && !l->stop; i++)
		if ((r = l->src[i].dispatch(l->src[i].arg, pfd + first[i],
		    count[i], &l->now)) < 0)
			return r;
	return 0;
}

int
loop_run(struct loop *l)
{
	int r = 0;

	while (!l->stop && r == 0)
		r = loop_once(l);
	return r;
}

void
loop_close(struct loop *l)
{
	if (l->sigfd >= 0)
		close(l->sigfd);
	l->sigfd = -1;
}
