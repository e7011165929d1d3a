/* libFuzzer: the HTTP request parser (SPA over HTTP). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "b64.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *req = (const char *)data;
	struct http_spa hs;
	bool is_req, complete;

	is_req = http_is_request(req, size);
	complete = http_request_complete(req, size);
	/* the last bit picks any_user_agent */
	if (http_extract(req, size, size & 1, &hs) != 0)
		return 0;
	/* only a complete GET request parses */
	if (!is_req || !complete || size > 4096)
		__builtin_trap();
	/* what comes out is standard base64 text of a sane length */
	if (hs.len == 0 || hs.len > 1499 || strlen(hs.spa) != hs.len ||
	    !b64_is_alphabet(hs.spa, hs.len))
		__builtin_trap();
	return 0;
}
