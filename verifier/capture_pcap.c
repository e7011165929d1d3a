/*
 * libpcap source: a live interface (optionally promiscuous, so a gateway
 * can verify packets addressed to hosts behind it) or a capture file.
 *
 * The ring is sized in packets (capture.buffer), so that a burst that fits
 * is never dropped.  By default libpcap's TPACKET_V3 ring packs packets
 * densely into blocks of 256 KiB, each handed over when full or
 * capture.max_delay_ms after it opened.  A block the timer hands over
 * holds what arrived meanwhile, so the ring holds capture.buffer packets
 * of a burst that fills a block within the delay (780 SPA packets: from
 * 195,000 a second at 4 ms); a slower burst leaves blocks part empty, but
 * the verifier then drains most of it as it comes.  max_delay_ms 0 hands
 * each packet over on arrival, in fixed frames of a page each
 * (TPACKET_V2): eight times the memory for the same burst.
 */
#include "config.h"

#include <sys/socket.h>
#include <linux/if_packet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "err.h"
#include "pcap_lib.h"

#define PCAP_SNAPLEN		2048	/* a 1500-byte SPA payload plus headers */
/*
 * Ring bytes a packet takes: a 205-byte SPA datagram over Ethernet takes
 * 336 in a V3 block (header, address, alignment); 512 leaves room for the
 * longer optional fields and a block's unused tail.  An immediate-mode
 * frame holds PCAP_SNAPLEN bytes and its header: one a page.
 */
#define PCAP_DENSE_SLOT		512
#define PCAP_FRAME_SLOT		4096
#define PCAP_BATCH		256	/* packets per dispatch, for fairness */

struct capture_pcap {
	struct capture	 base;
	struct pcap_lib	 lib;
	pcap_t		*p;
	int		 dlt;
	bool		 offline;
	capture_cb	 cb;	/* for the dispatch in progress */
	void		*arg;
	int64_t		 now_s;
};

static enum spa_transport
via_of(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return SPA_VIA_TCP;
	case IPPROTO_UDP:
		return SPA_VIA_UDP;
	default:
		return SPA_VIA_ICMP;
	}
}

static void
pcap_handler_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct capture_pcap *cp = (struct capture_pcap *)user;
	struct packet pkt;

	memset(&pkt, 0, sizeof(pkt));
	pkt.seen_s = cp->offline ? (int64_t)h->ts.tv_sec : cp->now_s;
	pkt.error = frame_payload(cp->dlt, bytes, h->caplen, &pkt.info,
	    &pkt.data, &pkt.len);
	pkt.via = via_of(pkt.info.proto);
	/* handshakes and bare ACKs of an SPA-over-TCP connection carry nothing */
	if (pkt.error == 0 && pkt.via == SPA_VIA_TCP && pkt.len == 0)
		return;
	cp->cb(cp->arg, &pkt);
}

static size_t
pcap_src_pollfds(struct capture *c, struct pollfd *pfd, size_t max)
{
	struct capture_pcap *cp = (struct capture_pcap *)c;

	if (cp->offline || max == 0)
		return 0;
	pfd[0].fd = cp->lib.get_selectable_fd(cp->p);
	pfd[0].events = POLLIN;
	return 1;
}

static int
pcap_src_dispatch(struct capture *c, const struct pollfd *pfd, size_t n,
    const struct now *now, capture_cb cb, void *arg)
{
	struct capture_pcap *cp = (struct capture_pcap *)c;
	int r;

	/*
	 * After an ENETDOWN libpcap asks to be called without an event (a
	 * "required select timeout") until it knows whether the interface
	 * came back or is gone: the loop's tick does that.
	 */
	if (!cp->offline &&
	    (n == 0 || (pfd[0].revents & (POLLIN | POLLERR)) == 0) &&
	    cp->lib.get_required_select_timeout(cp->p) == NULL)
		return 0;
	cp->cb = cb;
	cp->arg = arg;
	cp->now_s = now->wall_s;
	r = cp->lib.dispatch(cp->p, PCAP_BATCH, pcap_handler_cb, (u_char *)cp);
	if (r == PCAP_ERROR)
		return SPA_ERR_SYS;
	if (cp->offline && r == 0)
		return CAPTURE_EOF;
	return 0;
}

static void
pcap_src_close(struct capture *c)
{
	struct capture_pcap *cp = (struct capture_pcap *)c;

	if (cp->p != NULL)
		cp->lib.close(cp->p);
	pcap_lib_unload(&cp->lib);
	free(cp);
}

/* The ring overflowed: libpcap keeps the kernel's count across reads. */
static uint64_t
pcap_src_dropped(struct capture *c)
{
	struct capture_pcap *cp = (struct capture_pcap *)c;
	struct pcap_stat ps;

	if (cp->offline || cp->lib.stats(cp->p, &ps) != 0)
		return 0;
	return ps.ps_drop;
}

static const struct capture_ops pcap_ops = {
	.kind = "pcap",
	.pollfds = pcap_src_pollfds,
	.dispatch = pcap_src_dispatch,
	.dropped = pcap_src_dropped,
	.close = pcap_src_close,
};

/* The ring's bytes for capture.buffer packets (libpcap takes an int). */
static int
ring_bytes(const struct conf_capture *cc)
{
	uint64_t bytes = (uint64_t)cc->buffer *
	    (cc->max_delay_ms == 0 ? PCAP_FRAME_SLOT : PCAP_DENSE_SLOT);

	return bytes > INT_MAX ? INT_MAX : (int)bytes;
}

/*
 * Incoming packets only, filtered by the kernel: on lo each packet is
 * seen twice, and libpcap's own direction filter drops the outgoing copy
 * only after it has taken a slot of the ring.  An older kernel (< 4.20)
 * lacks the option: libpcap's filter still applies.
 */
static void
ignore_outgoing(const struct pcap_lib *pl, pcap_t *p)
{
	int one = 1;

	(void)setsockopt(pl->get_selectable_fd(p), SOL_PACKET,
	    PACKET_IGNORE_OUTGOING, &one, sizeof(one));
}

static int
live_setup(const struct pcap_lib *pl, pcap_t *p,
    const struct conf_capture *cc)
{
	int r;

	if (pl->set_snaplen(p, PCAP_SNAPLEN) != 0 ||
	    pl->set_promisc(p, cc->promiscuous) != 0 ||
	    pl->set_immediate_mode(p, cc->max_delay_ms == 0) != 0 ||
	    pl->set_timeout(p, (int)cc->max_delay_ms) != 0 ||
	    pl->set_buffer_size(p, ring_bytes(cc)) != 0)
		return -1;
	/* a warning, but promiscuous mode was asked for and is not there */
	if ((r = pl->activate(p)) < 0 || r == PCAP_WARNING_PROMISC_NOTSUP)
		return -1;
	if (!cc->any_direction) {
		if (pl->setdirection(p, PCAP_D_IN) != 0)
			return -1;
		ignore_outgoing(pl, p);
	}
	return 0;
}

static int
bpf_install(const struct pcap_lib *pl, pcap_t *p, const char *filter)
{
	struct bpf_program prog;
	int r;

	if (pl->compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0)
		return -1;
	r = pl->setfilter(p, &prog);
	pl->freecode(&prog);
	return r;
}

static pcap_t *
open_source(const struct pcap_lib *pl, const struct conf_capture *cc,
    const char *file, char *errbuf, size_t errlen)
{
	char pe[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = NULL;

	/* libpcap ignores it there or refuses it, depending on its version */
	if (file == NULL && cc->promiscuous && strcmp(cc->interface, "any") == 0) {
		snprintf(errbuf, errlen, "any: promiscuous mode needs a named "
		    "interface");
		return NULL;
	}
	p = file != NULL ? pl->open_offline(file, pe) :
	    pl->create(cc->interface, pe);
	if (p == NULL) {
		snprintf(errbuf, errlen, "%s: %s", file ? file : cc->interface, pe);
		return NULL;
	}
	if ((file == NULL && live_setup(pl, p, cc) != 0) ||
	    bpf_install(pl, p, cc->filter) != 0 ||
	    (file == NULL && pl->setnonblock(p, 1, pe) != 0)) {
		snprintf(errbuf, errlen, "%s: %s", file ? file : cc->interface,
		    pl->geterr(p));
		pl->close(p);
		return NULL;
	}
	return p;
}

int
capture_open_pcap(const struct conf_capture *cc, const char *file,
    struct capture **out, char *errbuf, size_t errlen)
{
	struct capture_pcap *cp = NULL;

	if ((cp = calloc(1, sizeof(*cp))) == NULL)
		return SPA_ERR_NOMEM;
	if (pcap_lib_load(&cp->lib, errbuf, errlen) != 0) {
		free(cp);
		return SPA_ERR_SYS;
	}
	if ((cp->p = open_source(&cp->lib, cc, file, errbuf, errlen)) == NULL) {
		pcap_lib_unload(&cp->lib);
		free(cp);
		return SPA_ERR_SYS;
	}
	cp->base.ops = &pcap_ops;
	cp->dlt = cp->lib.datalink(cp->p);
	cp->offline = file != NULL;
	snprintf(cp->base.name, sizeof(cp->base.name), "pcap %s \"%s\"%s",
	    file ? file : cc->interface, cc->filter,
	    cc->promiscuous && !file ? " promiscuous" : "");
	*out = &cp->base;
	return 0;
}
