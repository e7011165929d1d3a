/*
 * Packet sources: libpcap (live interface or a capture file), a UDP
 * socket, and listeners for the fwknop client's "-P http" and "-P tcp"
 * modes (capture_stream.h).
 * Each source exposes its descriptors for poll() and hands every payload
 * it reads to one callback; none of them blocks.
 */
#ifndef SPA_CAPTURE_H
#define SPA_CAPTURE_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "conf.h"
#include "event.h"
#include "frame.h"
#include "loop.h"

/* One received payload, as a source saw it. */
struct packet {
	struct pkt_info		 info;
	enum spa_transport	 via;
	const uint8_t		*data;
	size_t			 len;
	int64_t			 seen_s;	/* wall-clock seconds it was seen
					   (a capture file's: its own) */
	int			 error;	/* nonzero: frame refused, no payload */
};

/*
 * A source hands each packet to its callback, which answers whether the
 * source may go on in this pass: false when the pass's time for packets
 * is spent (vproc's budget).  The live sources (UDP, the ring) then stop
 * after that packet and keep the rest, read or not, for the next pass,
 * which their timeout_ms brings at once; the others go on.
 */
typedef bool (*capture_cb)(void *arg, const struct packet *pkt);

struct capture;

#define CAPTURE_EOF		1	/* capture file exhausted */

/*
 * A capture file (libpcap); a live interface (a packet socket's ring).
 * With capture.workers > 1, each worker's ring joins cc->fanout_group
 * (PACKET_FANOUT_HASH) and each worker's UDP socket binds with
 * SO_REUSEPORT: the kernel deals each flow to one worker.
 */
int	capture_open_pcap(const struct conf_capture *cc, const char *file,
	    struct capture **out, char *errbuf, size_t errlen);
int	capture_open_ring(const struct conf_capture *cc, struct capture **out,
	    char *errbuf, size_t errlen);

/*
 * A captured frame of link type dlt as the packet a source hands over;
 * false when there is nothing to judge (an empty TCP segment).
 */
bool	capture_frame(struct packet *pkt, int dlt, const uint8_t *bytes,
	    size_t caplen, int64_t seen_s);
int	capture_open_udp(const struct conf_capture *cc, struct capture **out,
	    char *errbuf, size_t errlen);
int	capture_open_http(const struct conf_capture *cc, struct capture **out,
	    char *errbuf, size_t errlen);
int	capture_open_tcp(const struct conf_capture *cc, struct capture **out,
	    char *errbuf, size_t errlen);

/* One vtable per source kind. */
struct capture_ops {
	const char	*kind;
	size_t		(*pollfds)(struct capture *, struct pollfd *, size_t);
	int		(*dispatch)(struct capture *, const struct pollfd *, size_t,
			    const struct now *, capture_cb, void *);
	int		(*timeout_ms)(struct capture *, int64_t now_ms);
	uint64_t	(*dropped)(struct capture *);
	void		(*close)(struct capture *);
};

struct capture {
	const struct capture_ops	*ops;
	char				 name[96];	/* for log lines */
};

/* Descriptors to poll; returns how many were written (<= max). */
static inline size_t
capture_pollfds(struct capture *c, struct pollfd *pfd, size_t max)
{
	return c->ops->pollfds(c, pfd, max);
}

/*
 * Handle what poll() reported on the descriptors capture_pollfds() gave
 * (a capture file ignores them and reads a batch); `now` is the loop
 * pass's.  Returns 0, CAPTURE_EOF, or a negative SPA_ERR_* for a fatal
 * source error.
 */
static inline int
capture_dispatch(struct capture *c, const struct pollfd *pfd, size_t n,
    const struct now *now, capture_cb cb, void *arg)
{
	return c->ops->dispatch(c, pfd, n, now, cb, arg);
}

/* Milliseconds until the source needs attention without I/O; -1: never. */
static inline int
capture_timeout_ms(struct capture *c, int64_t now_ms)
{
	return c->ops->timeout_ms != NULL ? c->ops->timeout_ms(c, now_ms) : -1;
}

/*
 * Packets the kernel dropped before this source could read them (capture
 * ring or socket buffer full); never examined, so never counted as
 * packets.  0 where the source cannot tell.
 */
static inline uint64_t
capture_dropped(struct capture *c)
{
	return c->ops->dropped != NULL ? c->ops->dropped(c) : 0;
}

static inline const char *
capture_name(const struct capture *c)
{
	return c->name;
}

static inline void
capture_close(struct capture *c)
{
	if (c != NULL)
		c->ops->close(c);
}

/*
 * A capture source in the event loop (loop.h): its payloads go to `cb`,
 * and a descriptor poll() calls invalid, or a source error, ends the
 * loop.  `cs` must outlive the loop.
 */
struct capture_source {
	struct capture	*c;
	capture_cb	 cb;
	void		*arg;
};

int	capture_loop_add(struct loop *l, struct capture_source *cs);

#endif /* SPA_CAPTURE_H */
