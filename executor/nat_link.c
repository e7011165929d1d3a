/*
 * The executor's side of nat.dns (executor/nat_dns.c resolves): a
 * re-checked NAT grant whose host is a name waits for its address, then
 * is checked again against the policy in force (a reload may have come
 * meanwhile) and carried out with the address in $NAT_IP and $NAT_TO.
 * A name that gives no IPv4 address in time refuses that one grant.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "executor.h"
#include "log.h"

static void
refuse(struct executor *x, const struct spa_event *ev, const char *name,
    const char *why)
{
	char allow[ADDR_STRLEN];

	x->nat_dns_refused++;
	log_errx("stanza #%u: grant to %s refused: NAT host %s: %s",
	    ev->stanza, addr_fmt(&ev->allow, allow), name, why);
}

static void
resolved(void *arg, struct spa_event *ev, const char *name, const char *why)
{
	struct executor *x = arg;
	const struct stanza *st = NULL;
	char allow[ADDR_STRLEN];
	int r;

	if (why != NULL) {
		refuse(x, ev, name, why);
		return;
	}
	if (x->stopping || !x->conf.nat_dns) {
		refuse(x, ev, name, x->stopping ? "shutting down" :
		    "nat.dns was switched off meanwhile");
		return;
	}
	if ((r = executor_recheck(x, ev, &st)) != 0) {
		refuse(x, ev, name, spa_strerror(r));
		return;
	}
	log_info("stanza #%u: grant to %s: NAT host %s is %s", ev->stanza,
	    addr_fmt(&ev->allow, allow), name, ev->nat_host);
	cycles_grant(x->cycles, st, ev, &x->loop.now);
}

int
nat_link_start(struct executor *x)
{
	return nat_dns_new(resolved, x, &x->nat_dns);
}

void
nat_link_resolve(struct executor *x, const struct spa_event *ev)
{
	int r;

	/* the recheck refuses a name then; never ask a resolver anyway */
	if (!x->conf.nat_dns) {
		refuse(x, ev, ev->nat_host, "nat.dns is off");
		return;
	}
	if ((r = nat_dns_start(x->nat_dns, ev, x->conf.verifier_user)) != 0)
		refuse(x, ev, ev->nat_host, r == SPA_ERR_SYS && errno == EAGAIN
		    ? "too many names being resolved" : spa_strerror(r));
}

size_t
nat_link_pollfds(void *arg, struct pollfd *pfd, size_t max)
{
	struct executor *x = arg;

	return nat_dns_pollfds(x->nat_dns, pfd, max);
}

int
nat_link_dispatch(void *arg, const struct pollfd *pfd, size_t n,
    const struct now *now)
{
	struct executor *x = arg;

	(void)now;	/* the grants read x->loop.now */
	nat_dns_dispatch(x->nat_dns, pfd, n);
	return 0;
}

int64_t
nat_link_timeout_ms(void *arg, const struct now *now)
{
	struct executor *x = arg;

	(void)now;
	return nat_dns_timeout_ms(x->nat_dns);
}
