/*
 * TCP source for the fwknop client's "-P tcp" mode (fwknopd's
 * ENABLE_TCP_SERVER), the way SPA travels over Tor: the client connects,
 * writes its packet and closes.  The stream listener (capture_stream.h)
 * reads up to one packet's worth until the peer's end, within the
 * settings' limits, and never answers.
 */
#include "config.h"

#include "capture_stream.h"
#include "spa.h"

static const struct stream_kind tcp_kind = {
	.kind = "tcp",
	.via = SPA_VIA_TCP,
	/* one byte more than a packet may have, so a longer one is refused */
	.max_len = SPA_MAX_PAYLOAD + 1,
	.complete = NULL,
};

int
capture_open_tcp(const struct conf_capture *cc, struct capture **out,
    char *errbuf, size_t errlen)
{
	const struct stream_limits lim = {
		.address = cc->tcp_address,
		.port = cc->tcp_port,
		.max_conns = cc->tcp_connections,
		.per_source_rate = cc->tcp_rate,
		.timeout_ms = cc->tcp_timeout_ms,
	};

	return capture_open_stream(&tcp_kind, &lim, out, errbuf, errlen);
}
