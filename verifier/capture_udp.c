/*
 * UDP server source: a bound socket instead of sniffing.  The destination
 * address of each datagram comes from IP_PKTINFO / IPV6_PKTINFO, so
 * DESTINATION matching works (fwknopd records 0.0.0.0 here).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture.h"
#include "err.h"
#include "sock.h"

#define UDP_BATCH	256		/* datagrams per dispatch */
/*
 * Receive buffer per packet of capture.buffer: the kernel charges a
 * 205-byte SPA datagram 1,280 bytes (its sk_buff and buffer), and doubles
 * what is set; the margin is for longer packets (GnuPG's take 2,304).
 */
#define UDP_SLOT	1280

struct capture_udp {
	struct capture	base;
	int		fd;
	uint16_t	port;		/* bound to; read once, at open */
	uint8_t		buf[SPA_MAX_PAYLOAD + 2];	/* +1 detects oversize */
};

/* Destination address from the ancillary data. */
static void
udp_pktinfo(struct msghdr *mh, struct spa_addr *dst)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			addr_from_in(dst, &pi.ipi_addr);
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi6;

			memcpy(&pi6, CMSG_DATA(cm), sizeof(pi6));
			addr_from_in6(dst, &pi6.ipi6_addr);
			addr_unmap_v4(dst);
		}
	}
}

/* Read one datagram; 1 if one was read, 0 when drained, <0 on error. */
static int
udp_read_one(struct capture_udp *cu, int64_t now_s, capture_cb cb, void *arg)
{
	union { struct cmsghdr align; char buf[256]; } control;
	struct sockaddr_storage from;
	struct iovec iov = { cu->buf, sizeof(cu->buf) };
	struct msghdr mh;
	struct packet pkt;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &from;
	mh.msg_namelen = sizeof(from);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = control.buf;
	mh.msg_controllen = sizeof(control.buf);
	if ((n = recvmsg(cu->fd, &mh, MSG_DONTWAIT)) < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : SPA_ERR_SYS;
	memset(&pkt, 0, sizeof(pkt));
	sock_to_addr(&from, &pkt.info.src, &pkt.info.sport);
	pkt.info.dst = pkt.info.src;	/* same family until pktinfo says */
	memset(pkt.info.dst.bytes, 0, sizeof(pkt.info.dst.bytes));
	udp_pktinfo(&mh, &pkt.info.dst);
	pkt.info.dport = cu->port;
	pkt.info.proto = IPPROTO_UDP;
	pkt.via = SPA_VIA_UDP;
	pkt.data = cu->buf;
	pkt.len = (size_t)n;
	if ((mh.msg_flags & MSG_TRUNC) != 0)
		pkt.error = SPA_ERR_LENGTH;
	pkt.seen_s = now_s;
	cb(arg, &pkt);
	return 1;
}

static int
udp_dispatch(struct capture *c, const struct pollfd *pfd, size_t n,
    const struct now *now, capture_cb cb, void *arg)
{
	struct capture_udp *cu = (struct capture_udp *)c;
	int i, r;

	if (n == 0 || (pfd[0].revents & POLLIN) == 0)
		return 0;
	for (i = 0; i < UDP_BATCH; i++)
		if ((r = udp_read_one(cu, now->wall_s, cb, arg)) <= 0)
			return r;
	return 0;
}

static size_t
udp_pollfds(struct capture *c, struct pollfd *pfd, size_t max)
{
	struct capture_udp *cu = (struct capture_udp *)c;

	if (max == 0)
		return 0;
	pfd[0].fd = cu->fd;
	pfd[0].events = POLLIN;
	return 1;
}

/* Datagrams the socket dropped for want of buffer space, as of now. */
static uint64_t
udp_dropped(struct capture *c)
{
	struct capture_udp *cu = (struct capture_udp *)c;
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mem);

	if (getsockopt(cu->fd, SOL_SOCKET, SO_MEMINFO, mem, &len) != 0 ||
	    len <= SK_MEMINFO_DROPS * sizeof(mem[0]))
		return 0;
	return mem[SK_MEMINFO_DROPS];
}

static void
udp_close(struct capture *c)
{
	struct capture_udp *cu = (struct capture_udp *)c;

	if (cu->fd >= 0)
		close(cu->fd);
	free(cu);
}

static const struct capture_ops udp_ops = {
	.kind = "udp",
	.pollfds = udp_pollfds,
	.dispatch = udp_dispatch,
	.dropped = udp_dropped,
	.close = udp_close,
};

static int
udp_socket(const struct conf_capture *cc, char *errbuf, size_t errlen)
{
	uint64_t bytes = (uint64_t)cc->buffer * UDP_SLOT;
	int fd, on = 1, size = bytes > INT_MAX / 2 ? INT_MAX / 2 : (int)bytes;

	fd = sock_bind(cc->udp_address, cc->udp_port, SOCK_DGRAM, errbuf,
	    errlen);
	if (fd < 0)
		return -1;
	/* as root, past net.core.rmem_max; else as much as it allows */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof(size)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) != 0 &&
	    sock_family(fd) == AF_INET) {
		snprintf(errbuf, errlen, "IP_PKTINFO: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (sock_family(fd) == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
	return fd;
}

int
capture_open_udp(const struct conf_capture *cc, struct capture **out,
    char *errbuf, size_t errlen)
{
	struct capture_udp *cu = NULL;

	if ((cu = calloc(1, sizeof(*cu))) == NULL)
		return SPA_ERR_NOMEM;
	if ((cu->fd = udp_socket(cc, errbuf, errlen)) < 0) {
		free(cu);
		return SPA_ERR_SYS;
	}
	cu->port = sock_local_port(cu->fd);
	cu->base.ops = &udp_ops;
	snprintf(cu->base.name, sizeof(cu->base.name), "udp %s port %u",
	    cc->udp_address, cc->udp_port);
	*out = &cu->base;
	return 0;
}
