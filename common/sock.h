/* Sockets for the UDP and HTTP sources: binding and address conversion. */
#ifndef SPA_SOCK_H
#define SPA_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "addr.h"

/*
 * A non-blocking, close-on-exec socket of `type` bound to address:port.
 * "::" accepts both families.  `shared`: SO_REUSEPORT, for the verifier
 * workers that each bind one (the kernel deals the flows among them).
 * Returns the fd or -1 with errbuf set.
 */
int	sock_bind(const char *address, uint16_t port, int type, bool shared,
	    char *errbuf, size_t errlen);
int	sock_family(int fd);
uint16_t sock_local_port(int fd);
void	sock_to_addr(const struct sockaddr_storage *ss, struct spa_addr *a,
	    uint16_t *port);
/* ::ffff:a.b.c.d becomes a.b.c.d, so IPv4 policy matches dual-stack peers. */
void	addr_unmap_v4(struct spa_addr *a);

#endif /* SPA_SOCK_H */
