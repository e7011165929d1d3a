/* Socket helpers shared by the UDP and HTTP sources. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sock.h"

static const uint8_t v4_mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

void
addr_unmap_v4(struct spa_addr *a)
{
	if (a->family != AF_INET6 ||
	    memcmp(a->bytes, v4_mapped_prefix, sizeof(v4_mapped_prefix)) != 0)
		return;
	a->family = AF_INET;
	memmove(a->bytes, a->bytes + 12, 4);
	memset(a->bytes + 4, 0, 12);
}

void
sock_to_addr(const struct sockaddr_storage *ss, struct spa_addr *a,
    uint16_t *port)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

	memset(a, 0, sizeof(*a));
	*port = 0;
	if (ss->ss_family == AF_INET) {
		addr_from_in(a, &sin->sin_addr);
		*port = ntohs(sin->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		addr_from_in6(a, &sin6->sin6_addr);
		*port = ntohs(sin6->sin6_port);
		addr_unmap_v4(a);
	}
}

int
sock_family(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return AF_UNSPEC;
	return ss.ss_family;
}

uint16_t
sock_local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct spa_addr a;
	uint16_t port;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	sock_to_addr(&ss, &a, &port);
	return port;
}

static socklen_t
sock_fill(const struct spa_addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a->bytes, 4);
		return sizeof(*sin);
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	memcpy(&sin6->sin6_addr, a->bytes, 16);
	return sizeof(*sin6);
}

int
sock_bind(const char *address, uint16_t port, int type, bool shared,
    char *errbuf, size_t errlen)
{
	struct sockaddr_storage ss;
	struct spa_addr a;
	socklen_t len;
	int fd = -1, on = 1, off = 0;

	if (addr_parse(address, &a) != 0) {
		snprintf(errbuf, errlen, "\"%s\" is not an IP address", address);
		return -1;
	}
	len = sock_fill(&a, port, &ss);
	fd = socket(a.family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (shared &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0)
		goto fail;
	if (a.family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	if (bind(fd, (struct sockaddr *)&ss, len) != 0)
		goto fail;
	return fd;
fail:
	snprintf(errbuf, errlen, "%s port %u: %s", address, port,
	    strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}
