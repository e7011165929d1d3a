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
	bool		has_xff;	/* X-Forwarded-For carried an IPv4 address */
	struct spa_addr	xff;
};

/* True if the payload starts like an HTTP GET (case-insensitive "GET /"). */
bool	http_is_request(const char *buf, size_t len);

/*
 * Extract the SPA string from a request.  Unless `any_user_agent`, the
 * request must carry "User-Agent: Fwknop" as the client sends it.
 * Returns 0 or a negative SPA_ERR_*.
 */
int	http_extract(const char *buf, size_t len, bool any_user_agent,
	    struct http_spa *out);

/* True once `buf` holds a complete header block ("\r\n\r\n" or "\n\n"). */
bool	http_request_complete(const char *buf, size_t len);

#endif /* SPA_HTTP_H */
