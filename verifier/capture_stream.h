/*
 * The listener behind the connection-based sources (HTTP, plain TCP): it
 * accepts, reads one message per connection, hands it on and closes
 * without sending a byte (an answer would tell a scanner more than a
 * closed connection).  Bounded everywhere: connections held (the oldest
 * is dropped for a new one), bytes per connection, time per connection,
 * and new connections per source per second.  SYN floods are the
 * kernel's (syncookies), before accept().
 */
#ifndef SPA_CAPTURE_STREAM_H
#define SPA_CAPTURE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"

#define STREAM_MAX_CONNS	256	/* descriptors a source may poll */

/* What one kind of connection carries, and when it is whole. */
struct stream_kind {
	const char		*kind;		/* "http", "tcp" */
	enum spa_transport	 via;
	size_t			 max_len;	/* bytes read at most */
	/* whether buf[0..len) is whole before EOF; NULL: only at EOF */
	bool			(*complete)(const uint8_t *buf, size_t len);
};

struct stream_limits {
	const char	*address;
	uint16_t	 port;
	size_t		 max_conns;	/* 1..STREAM_MAX_CONNS */
	uint32_t	 per_source_rate;	/* per second; 0: no limit */
	int64_t		 timeout_ms;	/* from accept to the last byte */
};

int	capture_open_stream(const struct stream_kind *k,
	    const struct stream_limits *lim, struct capture **out,
	    char *errbuf, size_t errlen);

/*
 * The per-source admission of new connections, apart so that a unit test
 * can drive its clock: whether a connection from `a` at `now_ms` stays
 * within `rate` a second.  A fixed table; a source that collides with
 * another only resets the other's count (both are real TCP peers, which
 * cannot choose their address freely).
 */
#define STREAM_RATE_SLOTS	512

struct stream_rate_slot {
	struct spa_addr	 a;
	int64_t		 window_ms;	/* start of its current second */
	uint32_t	 count;
};

struct stream_rate {
	uint32_t		 rate;
	uint64_t		 seed;
	struct stream_rate_slot	 slot[STREAM_RATE_SLOTS];
};

bool	stream_rate_admit(struct stream_rate *sr, const struct spa_addr *a,
	    int64_t now_ms);

#endif /* SPA_CAPTURE_STREAM_H */
