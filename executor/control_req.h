/*
 * The control socket's protocol (spagate list / close / status, and
 * spagated --fw-list / --fw-flush).  One connection, one request: the
 * client sends one line, the executor answers with data lines and then
 * one end line, and closes the connection.
 *
 *   request  = ( "list" | "status" | "close all" | "close id " HEX
 *              | "close source " ADDRESS | "close stanza " NUMBER ) LF
 *   data     = ( "cycle " | "closing " | "status " ) TEXT LF
 *   end      = ( "ok" | "error " TEXT ) LF
 *
 * A request is at most CONTROL_REQ_MAX bytes with its LF, printable
 * ASCII, single spaces between words: anything else is refused.  HEX is a
 * cycle id as `spagate list` prints it (1 to 16 hex digits, not 0),
 * ADDRESS an IPv4 or IPv6 address, NUMBER a stanza (1 to 4294967295, no
 * leading zero).  This file only parses; control.c serves the socket and
 * control_cmd.c carries requests out.
 */
#ifndef SPA_CONTROL_REQ_H
#define SPA_CONTROL_REQ_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define CONTROL_SOCKET		"control"	/* in the state directory */
#define CONTROL_REQ_MAX		128	/* a request line, its LF included */

enum control_verb {
	CONTROL_LIST = 1,
	CONTROL_STATUS,
	CONTROL_CLOSE,
};

/* What a close covers. */
enum control_by {
	CONTROL_BY_NONE = 0,	/* list, status */
	CONTROL_BY_ALL,
	CONTROL_BY_ID,
	CONTROL_BY_SOURCE,
	CONTROL_BY_STANZA,
};

struct control_req {
	enum control_verb	 verb;
	enum control_by		 by;
	uint64_t		 id;
	struct spa_addr		 source;
	uint32_t		 stanza;
};

/*
 * Parse `len` bytes that must be exactly one request line, its LF last.
 * 0, or SPA_ERR_ARG with *why set to a reason fit for the reply.
 */
int	control_req_parse(const char *buf, size_t len, struct control_req *out,
	    const char **why);

#endif /* SPA_CONTROL_REQ_H */
