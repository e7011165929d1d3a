/*
 * SPA over HTTP: the fwknop client's "-P http" request,
 *   GET /<spa with + as - and / as _> HTTP/1.x\r\nUser-Agent: Fwknop/...
 * (or "GET http://host/<spa>" through a proxy).
 */
#ifndef SPA_HTTP_H
#define SPA_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

struct http_spa {
	char		spa[1500];	/* translated back to the standard alphabet */
	size_t		len;
	bool		has_xff;	/* X-Forwarded-For's leftmost entry is an
					   IPv4 or IPv6 address */
	struct spa_addr	xff;
};

/*
 * True if the payload starts like an HTTP GET: case-insensitive "GET /" or,
 * in the proxy form, "GET http://".
 */
bool	http_is_request(const char *buf, size_t len);

/*
 * Extract the SPA string from a request of at most 4096 bytes: request line
 * "GET /<spa> HTTP/1.0|1.1" (or "GET http://host/<spa> ..."), header lines,
 * empty line.  The SPA (1..1499 characters) is translated back from the
 * client's '-' and '_' to '+' and '/'.  Unless `any_user_agent`, a
 * User-Agent header starting "Fwknop" is required.  Returns 0, or
 * SPA_ERR_HTTP with *out zeroed.
 */
int	http_extract(const char *buf, size_t len, bool any_user_agent,
	    struct http_spa *out);

/* True once `buf` holds a complete header block ("\r\n\r\n" or "\n\n"). */
bool	http_request_complete(const char *buf, size_t len);

#endif /* SPA_HTTP_H */
