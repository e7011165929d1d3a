/* libFuzzer: captured frames to payloads, for every link type handled. */
#include "config.h"

#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "frame.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2	276
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = {
	DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL, DLT_LOOP,
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
	/* the payload lies inside the frame, after at least the IP header */
	if (p < data + 1 + 20 || n > (size_t)(data + size - p))
		__builtin_trap();
	if (info.src.family != info.dst.family ||
	    (info.src.family != AF_INET && info.src.family != AF_INET6))
		__builtin_trap();
	switch (info.proto) {
	case IPPROTO_UDP:
	case IPPROTO_TCP:
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (info.sport != 0 || info.dport != 0)
			__builtin_trap();
		break;
	default:
		__builtin_trap();
	}
	return 0;
}
