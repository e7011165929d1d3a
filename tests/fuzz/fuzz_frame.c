/* libFuzzer: captured frames to payloads, for every link type handled. */
#include "config.h"

#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = {
	DLT_EN10MB, DLT_LINUX_SLL, 276 /* SLL2 */, DLT_NULL, DLT_LOOP,
	DLT_RAW, DLT_IPV4, DLT_IPV6,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p;
	struct pkt_info info;
	size_t n;

	if (size < 1)
		return 0;
	/* the first byte picks the link type, the rest is the frame */
	if (frame_payload(dlts[data[0] % (sizeof(dlts) / sizeof(dlts[0]))],
	    data + 1, size - 1, &info, &p, &n) != 0)
		return 0;
	if (p < data + 1 || p + n > data + size)
		__builtin_trap();
	return 0;
}
