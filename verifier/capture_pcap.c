/*
 * A capture file, read through libpcap (spagated -r): the packets of a
 * file are judged as they were recorded, at their own time.  A live
 * interface is read from a packet socket's ring (capture_ring.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "err.h"
#include "pcap_lib.h"

#define PCAP_BATCH		256	/* packets per dispatch, for fairness */

struct capture_pcap {
	struct capture	 base;
	struct pcap_lib	 lib;
	pcap_t		*p;
	int		 dlt;
	capture_cb	 cb;	/* for the dispatch in progress */
	void		*arg;
};

static void
pcap_handler_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct capture_pcap *cp = (struct capture_pcap *)user;
	struct packet pkt;

	if (capture_frame(&pkt, cp->dlt, bytes, h->caplen,
	    (int64_t)h->ts.tv_sec))
		cp->cb(cp->arg, &pkt);
}

static size_t
pcap_src_pollfds(struct capture *c, struct pollfd *pfd, size_t max)
{
	(void)c;
	(void)pfd;
	(void)max;
	return 0;	/* a file is read on every pass until its end */
}

static int
pcap_src_dispatch(struct capture *c, const struct pollfd *pfd, size_t n,
    const struct now *now, capture_cb cb, void *arg)
{
	struct capture_pcap *cp = (struct capture_pcap *)c;
	int r;

	(void)pfd;
	(void)n;
	(void)now;
	cp->cb = cb;
	cp->arg = arg;
	r = cp->lib.dispatch(cp->p, PCAP_BATCH, pcap_handler_cb, (u_char *)cp);
	if (r == PCAP_ERROR)
		return SPA_ERR_SYS;
	return r == 0 ? CAPTURE_EOF : 0;
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

static uint64_t
pcap_src_dropped(struct capture *c)
{
	(void)c;
	return 0;	/* a file drops nothing */
}

static const struct capture_ops pcap_ops = {
	.kind = "pcap",
	.pollfds = pcap_src_pollfds,
	.dispatch = pcap_src_dispatch,
	.dropped = pcap_src_dropped,
	.close = pcap_src_close,
};

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

int
capture_open_pcap(const struct conf_capture *cc, const char *file,
    struct capture **out, char *errbuf, size_t errlen)
{
	char pe[PCAP_ERRBUF_SIZE] = "";
	struct capture_pcap *cp = NULL;

	if ((cp = calloc(1, sizeof(*cp))) == NULL)
		return SPA_ERR_NOMEM;
	if (pcap_lib_load(&cp->lib, errbuf, errlen) != 0) {
		free(cp);
		return SPA_ERR_SYS;
	}
	if ((cp->p = cp->lib.open_offline(file, pe)) == NULL) {
		snprintf(errbuf, errlen, "%s: %s", file, pe);
		pcap_src_close(&cp->base);
		return SPA_ERR_SYS;
	}
	if (bpf_install(&cp->lib, cp->p, cc->filter) != 0) {
		snprintf(errbuf, errlen, "%s: %s", file, cp->lib.geterr(cp->p));
		pcap_src_close(&cp->base);
		return SPA_ERR_SYS;
	}
	cp->base.ops = &pcap_ops;
	cp->dlt = cp->lib.datalink(cp->p);
	snprintf(cp->base.name, sizeof(cp->base.name), "pcap %s \"%s\"", file,
	    cc->filter);
	*out = &cp->base;
	return 0;
}
