/* libFuzzer: the HTTP request parser (SPA over HTTP). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *req = (const char *)data;
	struct http_spa hs;
	size_t i;

	(void)http_is_request(req, size);
	(void)http_request_complete(req, size);
	if (http_extract(req, size, size & 1, &hs) != 0)
		return 0;
	/* what comes out is standard base64 text of a sane length */
	if (hs.len == 0 || hs.len > 1499 || strlen(hs.spa) != hs.len)
		__builtin_trap();
	for (i = 0; i < hs.len; i++)
		if (hs.spa[i] == '-' || hs.spa[i] == '_' || hs.spa[i] == ' ')
			__builtin_trap();
	return 0;
}
