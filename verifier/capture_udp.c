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
#define UDP_MMSG	32		/* datagrams per recvmmsg() */
/*
 * Receive buffer per packet of capture.buffer: the kernel charges a
 * 205-byte SPA datagram 1,280 bytes (its sk_buff and buffer), and doubles
 * what is set; the margin is for longer packets (GnuPG's take 2,304).
 */
#define UDP_SLOT	1280

struct udp_slot {
	struct sockaddr_storage from;
	union { struct cmsghdr align; char buf[256]; } control;
	struct iovec	 iov;
	uint8_t		 data[SPA_MAX_PAYLOAD + 2];	/* +1 detects oversize */
};

struct capture_udp {
	struct capture	base;
	int		fd;
	uint16_t	port;		/* bound to; read once, at open */
	struct mmsghdr	hdr[UDP_MMSG];
	struct udp_slot	slot[UDP_MMSG];
	int		have, at;	/* read by the last recvmmsg, handed on */
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

/* recvmmsg() writes the lengths back: set every header again. */
static void
udp_arm(struct capture_udp *cu)
{
	struct msghdr *mh;
	size_t i;

	for (i = 0; i < UDP_MMSG; i++) {
		mh = &cu->hdr[i].msg_hdr;
		cu->slot[i].iov.iov_base = cu->slot[i].data;
		cu->slot[i].iov.iov_len = sizeof(cu->slot[i].data);
		mh->msg_name = &cu->slot[i].from;
		mh->msg_namelen = sizeof(cu->slot[i].from);
		mh->msg_iov = &cu->slot[i].iov;
		mh->msg_iovlen = 1;
		mh->msg_control = cu->slot[i].control.buf;
		mh->msg_controllen = sizeof(cu->slot[i].control.buf);
		mh->msg_flags = 0;
	}
}

static bool
udp_deliver(struct capture_udp *cu, size_t i, int64_t now_s, capture_cb cb,
    void *arg)
{
	struct msghdr *mh = &cu->hdr[i].msg_hdr;
	struct packet pkt;

	memset(&pkt, 0, sizeof(pkt));
	sock_to_addr(&cu->slot[i].from, &pkt.info.src, &pkt.info.sport);
	pkt.info.dst = pkt.info.src;	/* same family until pktinfo says */
	memset(pkt.info.dst.bytes, 0, sizeof(pkt.info.dst.bytes));
	udp_pktinfo(mh, &pkt.info.dst);
	pkt.info.dport = cu->port;
	pkt.info.proto = IPPROTO_UDP;
	pkt.via = SPA_VIA_UDP;
	pkt.data = cu->slot[i].data;
	pkt.len = cu->hdr[i].msg_len;
	if ((mh->msg_flags & MSG_TRUNC) != 0)
		pkt.error = SPA_ERR_LENGTH;
	pkt.seen_s = now_s;
	return cb(arg, &pkt);
}

/* Read up to UDP_MMSG datagrams: how many, 0 when drained, <0 on error. */
static int
udp_read_batch(struct capture_udp *cu)
{
	int n;

	udp_arm(cu);
	cu->have = cu->at = 0;
	if ((n = recvmmsg(cu->fd, cu->hdr, UDP_MMSG, MSG_DONTWAIT, NULL)) < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : SPA_ERR_SYS;
	cu->have = n;
	return n;
}

/*
 * Hand on what the last batch left, then read more, UDP_BATCH at most;
 * the callback may end the pass (capture_cb), the rest waits in cu.
 */
static int
udp_dispatch(struct capture *c, const struct pollfd *pfd, size_t n,
    const struct now *now, capture_cb cb, void *arg)
{
	struct capture_udp *cu = (struct capture_udp *)c;
	bool readable = n > 0 && (pfd[0].revents & POLLIN) != 0;
	int got, total;

	for (total = 0; total < UDP_BATCH; total++) {
		if (cu->at == cu->have) {
			if (!readable)
				return 0;
			if ((got = udp_read_batch(cu)) <= 0)
				return got;
			readable = got == UDP_MMSG;	/* else drained */
		}
		if (!udp_deliver(cu, (size_t)cu->at++, now->wall_s, cb, arg))
			return 0;
	}
	return 0;
}

/* Datagrams read and not handed on yet: a pass at once. */
static int
udp_timeout_ms(struct capture *c, int64_t now_ms)
{
	const struct capture_udp *cu = (const struct capture_udp *)c;

	(void)now_ms;
	return cu->at < cu->have ? 0 : -1;
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
	.timeout_ms = udp_timeout_ms,
	.dropped = udp_dropped,
	.close = udp_close,
};

static int
udp_socket(const struct conf_capture *cc, char *errbuf, size_t errlen)
{
	uint64_t bytes = (uint64_t)cc->buffer * UDP_SLOT;
	int fd, on = 1, size = bytes > INT_MAX / 2 ? INT_MAX / 2 : (int)bytes;

	fd = sock_bind(cc->udp_address, cc->udp_port, SOCK_DGRAM,
	    cc->workers > 1, errbuf, errlen);
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
