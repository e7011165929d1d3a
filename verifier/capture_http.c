/*
 * HTTP source for the fwknop client's "-P http" mode: one GET request per
 * connection, read by the stream listener (capture_stream.h) and handed
 * on whole (verifier.c takes the packet out of its path).
 */
#include "config.h"

#include "capture_stream.h"
#include "http.h"

#define HTTP_MAX_CONNS		64
#define HTTP_MAX_REQUEST	4096
#define HTTP_TIMEOUT_MS		5000

static bool
http_complete(const uint8_t *buf, size_t len)
{
	return http_request_complete((const char *)buf, len);
}

static const struct stream_kind http_kind = {
	.kind = "http",
	.via = SPA_VIA_HTTP,
	.max_len = HTTP_MAX_REQUEST,
	.complete = http_complete,
};

int
capture_open_http(const struct conf_capture *cc, struct capture **out,
    char *errbuf, size_t errlen)
{
	const struct stream_limits lim = {
		.address = cc->http_address,
		.port = cc->http_port,
		.max_conns = HTTP_MAX_CONNS,
		.per_source_rate = 0,
		.timeout_ms = HTTP_TIMEOUT_MS,
	};

	return capture_open_stream(&http_kind, &lim, out, errbuf, errlen);
}
