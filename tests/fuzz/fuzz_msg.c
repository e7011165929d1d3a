/* libFuzzer: the decoder of the messages between the two processes, both
 * ways (the OPEN and counters, the configuration). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t again[MSG_MAX];
	struct msg m, m2;
	int n;

	if (msg_decode(data, size, &m) != 0)
		return 0;
	/* whatever decodes must encode back to the same bytes */
	n = msg_encode(&m, again, sizeof(again));
	if (n < 0 || (size_t)n != size || memcmp(again, data, size) != 0)
		__builtin_trap();
	if (msg_decode(again, (size_t)n, &m2) != 0)
		__builtin_trap();
	return 0;
}
