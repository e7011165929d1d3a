/*
 * Live capture: a packet socket with a TPACKET_V3 ring of small blocks.
 *
 * libpcap's own V3 ring has blocks of 256 KiB.  The kernel hands a block
 * over when it is full or capture.max_delay_ms after it opened, so in a
 * burst slower than 780 packets per delay its blocks go out part empty,
 * and a ring sized for capture.buffer packets held half as many.  Blocks
 * of RING_BLOCK bytes fill at any rate the verifier cannot keep up with,
 * so the ring holds what capture.buffer says.  libpcap is still what
 * compiles capture.filter; the kernel runs the program on the socket.
 *
 * An Ethernet or loopback interface is read with its link header, so a
 * filter may name it (DLT_EN10MB, as libpcap would); "any" and other link
 * types are read from the IP header on (DLT_RAW).
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "err.h"
#include "log.h"
#include "pcap_lib.h"

#define RING_SNAPLEN	2048		/* a 1500-byte SPA payload plus headers */
#define RING_BLOCK	(16 * 1024)	/* 48 SPA packets */
#define RING_BATCH	256		/* packets per dispatch, for fairness */
/*
 * Ring bytes a packet takes: a 205-byte SPA datagram over Ethernet takes
 * 336 (header, address, alignment); 512 leaves room for the longer
 * optional fields and a block's unused tail.
 */
#define RING_SLOT	512

struct capture_ring {
	struct capture	 base;
	int		 fd;
	int		 dlt;
	bool		 any_direction;
	char		 ifname[IF_NAMESIZE];	/* "" for any */
	bool		 down;		/* ENETDOWN: is it still there? */
	uint8_t		*map;
	size_t		 nblocks;
	size_t		 cur;		/* the block being read */
	bool		 in_block;	/* cur is ours until released */
	uint32_t	 left;		/* its packets not read yet */
	const struct tpacket3_hdr *pkt;
	uint64_t	 dropped;	/* the kernel's count, summed */
};

static struct tpacket_block_desc *
block_at(const struct capture_ring *cr, size_t i)
{
	return (struct tpacket_block_desc *)(cr->map + i * RING_BLOCK);
}

static bool
deliver(const struct capture_ring *cr, const struct tpacket3_hdr *h,
    const struct now *now, capture_cb cb, void *arg)
{
	const struct sockaddr_ll *sll = (const void *)((const uint8_t *)h +
	    TPACKET_ALIGN(sizeof(*h)));
	struct packet pkt;

	/* an old kernel without PACKET_IGNORE_OUTGOING keeps them */
	if (!cr->any_direction && sll->sll_pkttype == PACKET_OUTGOING)
		return true;
	if (capture_frame(&pkt, cr->dlt, (const uint8_t *)h + h->tp_mac,
	    h->tp_snaplen, now->wall_s))
		return cb(arg, &pkt);
	return true;
}

/* Give the block being read back to the kernel, and go to the next. */
static void
release(struct capture_ring *cr)
{
	__atomic_store_n(&block_at(cr, cr->cur)->hdr.bh1.block_status,
	    TP_STATUS_KERNEL, __ATOMIC_RELEASE);
	cr->in_block = false;
	cr->cur = (cr->cur + 1) % cr->nblocks;
}

/* The next packet of the ring, NULL when the kernel has handed none over. */
static const struct tpacket3_hdr *
next_packet(struct capture_ring *cr)
{
	struct tpacket_block_desc *b;

	while (cr->left == 0) {
		if (cr->in_block)
			release(cr);
		b = block_at(cr, cr->cur);
		if ((__atomic_load_n(&b->hdr.bh1.block_status,
		    __ATOMIC_ACQUIRE) & TP_STATUS_USER) == 0)
			return NULL;
		cr->in_block = true;
		cr->left = b->hdr.bh1.num_pkts;
		cr->pkt = (const void *)((uint8_t *)b +
		    b->hdr.bh1.offset_to_first_pkt);
	}
	return cr->pkt;
}

/*
 * After ENETDOWN the socket delivers again once the interface is up; if
 * it was deleted, nothing ever comes: the source fails, and the verifier
 * started next says why when it cannot open it.
 */
static int
check_interface(struct capture_ring *cr)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, cr->ifname, sizeof(ifr.ifr_name));
	if (ioctl(cr->fd, SIOCGIFFLAGS, &ifr) != 0) {
		log_warn("%s", cr->ifname);
		return SPA_ERR_SYS;
	}
	if (ifr.ifr_flags & IFF_UP)
		cr->down = false;
	return 0;
}

static void
read_error(struct capture_ring *cr)
{
	socklen_t len = sizeof(int);
	int err = 0;

	(void)getsockopt(cr->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err == ENETDOWN && !cr->down) {
		log_warnx("%s: the interface went down", cr->ifname);
		cr->down = true;
	}
}

static size_t
ring_pollfds(struct capture *c, struct pollfd *pfd, size_t max)
{
	struct capture_ring *cr = (struct capture_ring *)c;

	if (max == 0)
		return 0;
	pfd[0].fd = cr->fd;
	pfd[0].events = POLLIN;
	return 1;
}

static int
ring_dispatch(struct capture *c, const struct pollfd *pfd, size_t n,
    const struct now *now, capture_cb cb, void *arg)
{
	struct capture_ring *cr = (struct capture_ring *)c;
	const struct tpacket3_hdr *h;
	bool more = true;
	int i;

	if (n > 0 && (pfd[0].revents & POLLERR))
		read_error(cr);
	if (cr->down && check_interface(cr) != 0)
		return SPA_ERR_SYS;
	for (i = 0; i < RING_BATCH && more && (h = next_packet(cr)) != NULL;
	    i++) {
		more = deliver(cr, h, now, cb, arg);
		if (--cr->left > 0)
			cr->pkt = (const void *)((const uint8_t *)h +
			    h->tp_next_offset);
	}
	return 0;
}

/* A block handed over and not read to its end: a pass at once. */
static int
ring_timeout_ms(struct capture *c, int64_t now_ms)
{
	const struct capture_ring *cr = (const struct capture_ring *)c;

	(void)now_ms;
	return cr->left > 0 ? 0 : -1;
}

/* The ring overflowed: the kernel's count, which each reading resets. */
static uint64_t
ring_dropped(struct capture *c)
{
	struct capture_ring *cr = (struct capture_ring *)c;
	struct tpacket_stats_v3 st;
	socklen_t len = sizeof(st);

	if (getsockopt(cr->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0)
		cr->dropped += st.tp_drops;
	return cr->dropped;
}

static void
ring_close(struct capture *c)
{
	struct capture_ring *cr = (struct capture_ring *)c;

	if (cr->map != NULL)
		munmap(cr->map, cr->nblocks * RING_BLOCK);
	if (cr->fd >= 0)
		close(cr->fd);
	free(cr);
}

static const struct capture_ops ring_ops = {
	.kind = "pcap",
	.pollfds = ring_pollfds,
	.dispatch = ring_dispatch,
	.timeout_ms = ring_timeout_ms,
	.dropped = ring_dropped,
	.close = ring_close,
};

/* --- opening --------------------------------------------------------------- */

/* The socket type and link type for the interface (ifindex 0: any). */
static int
link_kind(int fd, const char *ifname, int *type, int *dlt)
{
	struct ifreq ifr;

	*type = SOCK_DGRAM;
	*dlt = DLT_RAW;
	if (*ifname == '\0')
		return 0;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0)
		return -1;
	if (ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER ||
	    ifr.ifr_hwaddr.sa_family == ARPHRD_LOOPBACK) {
		*type = SOCK_RAW;
		*dlt = DLT_EN10MB;
	}
	return 0;
}

/* capture.filter, compiled by libpcap for the link type, on the socket. */
static int
attach_filter(int fd, int dlt, const char *filter, char *errbuf,
    size_t errlen)
{
	struct pcap_lib pl;
	struct bpf_program prog;
	struct sock_fprog fprog;
	pcap_t *p;
	int r = -1;

	if (pcap_lib_load(&pl, errbuf, errlen) != 0)
		return -1;
	if ((p = pl.open_dead(dlt, RING_SNAPLEN)) == NULL) {
		snprintf(errbuf, errlen, "libpcap: out of memory");
		goto out;
	}
	if (pl.compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(errbuf, errlen, "%s", pl.geterr(p));
		goto out;
	}
	/* struct bpf_insn and struct sock_filter are the same four fields */
	fprog.len = (unsigned short)prog.bf_len;
	fprog.filter = (struct sock_filter *)prog.bf_insns;
	r = setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog,
	    sizeof(fprog));
	if (r != 0)
		snprintf(errbuf, errlen, "SO_ATTACH_FILTER: %s",
		    strerror(errno));
	pl.freecode(&prog);
out:
	if (p != NULL)
		pl.close(p);
	/* no libpcap mapped in the verifier from here on */
	pcap_lib_unload(&pl);
	return r;
}

/* Blocks for capture.buffer packets. */
static size_t
ring_blocks(const struct conf_capture *cc)
{
	uint64_t bytes = (uint64_t)cc->buffer * RING_SLOT;

	return (size_t)((bytes + RING_BLOCK - 1) / RING_BLOCK);
}

static int
make_ring(struct capture_ring *cr, const struct conf_capture *cc)
{
	struct tpacket_req3 req;
	int version = TPACKET_V3, one = 1;

	if (setsockopt(cr->fd, SOL_PACKET, PACKET_VERSION, &version,
	    sizeof(version)) != 0)
		return -1;
	/* on lo the outgoing copy of each packet would take a slot too */
	if (!cc->any_direction)
		(void)setsockopt(cr->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING,
		    &one, sizeof(one));
	memset(&req, 0, sizeof(req));
	cr->nblocks = ring_blocks(cc);
	req.tp_block_size = RING_BLOCK;
	req.tp_block_nr = (unsigned int)cr->nblocks;
	req.tp_frame_size = RING_SNAPLEN;	/* V3: only checked against blocks */
	req.tp_frame_nr = (unsigned int)(cr->nblocks *
	    (RING_BLOCK / req.tp_frame_size));
	req.tp_retire_blk_tov = cc->max_delay_ms;
	if (setsockopt(cr->fd, SOL_PACKET, PACKET_RX_RING, &req,
	    sizeof(req)) != 0)
		return -1;
	cr->map = mmap(NULL, cr->nblocks * RING_BLOCK, PROT_READ | PROT_WRITE,
	    MAP_SHARED, cr->fd, 0);
	if (cr->map == MAP_FAILED) {
		cr->map = NULL;
		return -1;
	}
	return 0;
}

static int
bind_interface(struct capture_ring *cr, unsigned int ifindex, bool promisc)
{
	struct sockaddr_ll sll;
	struct packet_mreq mr;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)ifindex;
	if (bind(cr->fd, (struct sockaddr *)&sll, sizeof(sll)) != 0)
		return -1;
	if (!promisc)
		return 0;
	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = (int)ifindex;
	mr.mr_type = PACKET_MR_PROMISC;
	return setsockopt(cr->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr,
	    sizeof(mr));
}

/*
 * Several verifier workers (capture.workers): each one's socket joins the
 * daemon's fanout group, and the kernel hands each packet to one of them
 * by the hash of its flow, or to the next one when that one's ring is
 * full (a burst on one flow spills over instead of being dropped).  Only
 * a bound socket can join; what it gets before is judged as usual (the
 * executor refuses a second grant of one packet).
 */
static int
join_fanout(struct capture_ring *cr, const struct conf_capture *cc)
{
	int arg = (int)cc->fanout_group |
	    (PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_ROLLOVER) << 16;

	if (cc->workers <= 1)
		return 0;
	return setsockopt(cr->fd, SOL_PACKET, PACKET_FANOUT, &arg,
	    sizeof(arg));
}

/*
 * The socket receives nothing until it is bound, after its filter and
 * ring are in place: no unfiltered packet ever lands in the ring.
 */
static int
open_socket(struct capture_ring *cr, const struct conf_capture *cc,
    char *errbuf, size_t errlen)
{
	unsigned int ifindex = 0;
	int probe, type, r;

	if (*cr->ifname != '\0' && (ifindex = if_nametoindex(cr->ifname)) == 0)
		goto sys;
	if ((probe = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		goto sys;
	r = link_kind(probe, cr->ifname, &type, &cr->dlt);
	close(probe);
	if (r != 0)
		goto sys;
	if ((cr->fd = socket(AF_PACKET, type | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) < 0)
		goto sys;
	if (attach_filter(cr->fd, cr->dlt, cc->filter, errbuf, errlen) != 0)
		return -1;
	if (make_ring(cr, cc) != 0 ||
	    bind_interface(cr, ifindex, cc->promiscuous) != 0)
		goto sys;
	if (join_fanout(cr, cc) != 0) {
		snprintf(errbuf, errlen, "PACKET_FANOUT group %u: %s",
		    (unsigned int)cc->fanout_group, strerror(errno));
		return -1;
	}
	return 0;
sys:
	snprintf(errbuf, errlen, "%s", strerror(errno));
	return -1;
}

int
capture_open_ring(const struct conf_capture *cc, struct capture **out,
    char *errbuf, size_t errlen)
{
	struct capture_ring *cr;
	char why[256] = "";

	if (cc->promiscuous && strcmp(cc->interface, "any") == 0) {
		snprintf(errbuf, errlen, "any: promiscuous mode needs a named "
		    "interface");
		return SPA_ERR_CONFIG;
	}
	if (strlen(cc->interface) >= IF_NAMESIZE) {
		snprintf(errbuf, errlen, "%s: No such device", cc->interface);
		return SPA_ERR_CONFIG;
	}
	if ((cr = calloc(1, sizeof(*cr))) == NULL)
		return SPA_ERR_NOMEM;
	cr->fd = -1;
	cr->any_direction = cc->any_direction;
	if (strcmp(cc->interface, "any") != 0)
		snprintf(cr->ifname, sizeof(cr->ifname), "%s", cc->interface);
	if (open_socket(cr, cc, why, sizeof(why)) != 0) {
		snprintf(errbuf, errlen, "%s: %s", cc->interface, why);
		ring_close(&cr->base);
		return SPA_ERR_SYS;
	}
	cr->base.ops = &ring_ops;
	snprintf(cr->base.name, sizeof(cr->base.name), "pcap %s \"%s\"%s",
	    cc->interface, cc->filter, cc->promiscuous ? " promiscuous" : "");
	*out = &cr->base;
	return 0;
}
