/*
 * NAT host names (spagated.conf nat.dns, fwknopd's ENABLE_NAT_DNS),
 * resolved without blocking the executor's loop: one child per name,
 * `getent ahostsv4 NAME` (getaddrinfo for IPv4, as fwknopd resolves),
 * through a runner of its own (runner.h: no shell, a deadline, bounded
 * output), as the verifier's unprivileged user when the executor is
 * root.  The first address it prints is the grant's, as fwknopd takes
 * the first.  getaddrinfo_a would put threads in a process that forks.
 *
 * The name's syntax was checked before (spa_nat_name_ok, verifier and
 * executor); the name cannot start with '-', so it is no getent option.
 */
#ifndef SPA_NAT_DNS_H
#define SPA_NAT_DNS_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

#define NAT_DNS_TIMEOUT_MS	5000	/* an answer later than this: none */
#define NAT_DNS_PENDING_MAX	256	/* names being resolved at once */

struct nat_dns;

struct nat_dns_stats {
	uint64_t	resolved;	/* names that gave an IPv4 address */
	uint64_t	failed;		/* grants refused: no address in time */
	size_t		pending;
};

/*
 * Called once per nat_dns_start that returned 0, from nat_dns_dispatch:
 * `why` NULL and ev->nat_host the address on success; else `why` says
 * what failed and ev is as it was given.  `name` is the host asked for.
 */
typedef void (*nat_dns_cb)(void *arg, struct spa_event *ev,
    const char *name, const char *why);

int	nat_dns_new(nat_dns_cb cb, void *arg, struct nat_dns **out);
void	nat_dns_free(struct nat_dns *d);

/* A NAT request whose host is not an IPv4 address. */
bool	nat_dns_wanted(const struct spa_event *ev);

/*
 * Resolve ev->nat_host (ev is copied), running the child as `user` (NULL
 * or a non-root executor: as itself).  0: the callback will come; else
 * SPA_ERR_NOMEM, SPA_ERR_CONFIG (user unknown), SPA_ERR_SYS (EAGAIN: too
 * many pending) and no callback.
 */
int	nat_dns_start(struct nat_dns *d, const struct spa_event *ev,
	    const char *user);

size_t	nat_dns_pollfds(struct nat_dns *d, struct pollfd *pfd, size_t max);
void	nat_dns_dispatch(struct nat_dns *d, const struct pollfd *pfd,
	    size_t n);
int	nat_dns_timeout_ms(const struct nat_dns *d);
void	nat_dns_get_stats(const struct nat_dns *d, struct nat_dns_stats *st);

/* The first word of getent's output as an IPv4 address; false if none. */
bool	nat_dns_parse(const char *out, struct spa_addr *a);

#endif /* SPA_NAT_DNS_H */
