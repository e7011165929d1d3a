/*
 * A capture source as one of the event loop's sources, and the packet
 * every source that reads frames makes of one (capture.h).
 */
#include "config.h"

#include <netinet/in.h>
#include <string.h>

#include "capture.h"
#include "err.h"
#include "log.h"

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

bool
capture_frame(struct packet *pkt, int dlt, const uint8_t *bytes,
    size_t caplen, int64_t seen_s)
{
	memset(pkt, 0, sizeof(*pkt));
	pkt->seen_s = seen_s;
	pkt->error = frame_payload(dlt, bytes, caplen, &pkt->info, &pkt->data,
	    &pkt->len);
	pkt->via = via_of(pkt->info.proto);
	/* handshakes and bare ACKs of an SPA-over-TCP connection carry nothing */
	return pkt->error != 0 || pkt->via != SPA_VIA_TCP || pkt->len != 0;
}

static size_t
cs_pollfds(void *arg, struct pollfd *pfd, size_t max)
{
	struct capture_source *cs = arg;

	return capture_pollfds(cs->c, pfd, max);
}

static int
cs_dispatch(void *arg, const struct pollfd *pfd, size_t n,
    const struct now *now)
{
	struct capture_source *cs = arg;
	size_t i;
	int r;

	for (i = 0; i < n; i++)
		if ((pfd[i].revents & POLLNVAL) != 0)
			return SPA_ERR_SYS;
	if ((r = capture_dispatch(cs->c, pfd, n, now, cs->cb, cs->arg)) < 0)
		log_err("%s: capture failed", capture_name(cs->c));
	return r < 0 ? r : 0;
}

static int64_t
cs_timeout_ms(void *arg, const struct now *now)
{
	struct capture_source *cs = arg;

	return capture_timeout_ms(cs->c, now->mono_ms);
}

int
capture_loop_add(struct loop *l, struct capture_source *cs)
{
	const struct loop_source s = {
		.pollfds = cs_pollfds, .dispatch = cs_dispatch,
		.timeout_ms = cs_timeout_ms, .arg = cs,
	};

	return loop_add(l, &s);
}
