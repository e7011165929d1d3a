/*
 * What the Cisco module sends a device, without I/O: the requests waiting
 * for a device, the lines of a batch (configure terminal, each request's
 * lines in queue order, end, write memory if asked), the read of each
 * entry before it is removed, and how each request fared once the device
 * stopped at a refused line.  cisco.c runs them over the session.
 */
#ifndef SPA_CISCO_BATCH_H
#define SPA_CISCO_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf_cisco.h"
#include "ios_parse.h"
#include "ios_session.h"

#define CISCO_BATCH_MAX	32	/* requests in one batch */
#define CISCO_TR_GRACE	120	/* device expiry after the close, seconds */
#define CISCO_PROLOGUE	1	/* configure terminal */
#define CISCO_DETAIL_MAX (IOS_LINE_MAX + 64)

enum req_kind {
	R_OPEN,
	R_CLOSE,
	R_CLEANUP,	/* an open of unknown outcome: remove, then fail it */
	R_REFRESH,	/* an extension: the entry again if it is gone, and
			   (time_range) a later end of its time-range */
	R_TRDROP,	/* time_range: an open refused after its time-range
			   was made: remove that, then fail the open */
};

/* What the device holds at a request's number, read before it is sent. */
enum check {
	CK_NONE,	/* not read yet */
	CK_MATCH,	/* the entry the cycle recorded */
	CK_ABSENT,	/* nothing */
	CK_OTHER,	/* another entry: not ours */
	CK_FAILED,	/* the listing could not be read */
};

struct cisco_req {
	uint64_t	 job;
	enum req_kind	 kind;
	uint32_t	 seq;
	bool		 v6;		/* in the IPv6 list (acl6) */
	bool		 tr;		/* names time-range SPA-<seq> */
	char		 ace[IOS_CMD_MAX];	/* the entry's text, if known */
	char		 digest[IOS_DIGEST_HEX + 1];	/* of the entry */
	enum check	 ck;
	int		 read_line;	/* of the read in flight; -1: none */
	int64_t		 deadline_ms;	/* -1: never (cleanups) */
	int64_t		 close_at;
	size_t		 first, last;	/* its lines in the batch */
	char		 detail[CISCO_DETAIL_MAX];	/* R_TRDROP: why it
							   failed */
};

struct cisco_script {
	const char	*v[IOS_SCRIPT_MAX];
	char		 buf[IOS_SCRIPT_MAX][IOS_CMD_MAX];
	size_t		 n;
	int		 in_list;	/* AF_INET(6): in that list; else 0 */
};

/* The device's clock, for time-range ends: its offset, and our time. */
struct cisco_clock {
	long		 offset;	/* device minus ours, seconds */
	time_t		 now_s;
};

/* Append one line; 0, or -1 if the script or the line is full. */
int	cisco_line(struct cisco_script *sc, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* What a cycle records of its entry: the digest of what is sent. */
int	cisco_entry_digest(const struct cisco_req *rq, char *hex, size_t len);

/* The lines of one request, appended; rq->first and rq->last set. */
int	cisco_request_lines(const struct conf_cisco *cf, struct cisco_req *rq,
	    const struct cisco_clock *clk, struct cisco_script *sc);

/*
 * A batch of the first requests of q[0..n) (up to CISCO_BATCH_MAX, as
 * many as fit), in queue order, into `sc`: configure terminal, their
 * lines, end, and write memory if the device saves.  How many it took
 * in *taken; 0, or -1 if a line could not be written.
 */
int	cisco_batch_lines(const struct conf_cisco *cf, struct cisco_req *q,
	    size_t n, const struct cisco_clock *clk, struct cisco_script *sc,
	    size_t *taken);

/* Whether the request acts on what the device holds: read it first. */
bool	cisco_needs_read(const struct cisco_req *rq);

/*
 * The listing of each number q[0..n) (up to CISCO_BATCH_MAX) needs read,
 * one line each (rq->read_line set), into `sc`: how many.
 */
size_t	cisco_read_lines(const struct conf_cisco *cf, struct cisco_req *q,
	    size_t n, struct cisco_script *sc);

/*
 * How request `rq` fared in a batch that stopped at line `failed` (-1:
 * none) of which the requests' lines end before `entries`: 0 done, -1
 * refused, 1 not run (it goes again).
 */
int	cisco_outcome(const struct cisco_req *rq, int failed, size_t entries);

#endif /* SPA_CISCO_BATCH_H */
