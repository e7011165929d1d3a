/*
 * Captured frames to transport payloads: link layer, IPv4/IPv6 and the
 * UDP, TCP or ICMP header, all through bounds-checked reads.  A frame that
 * does not parse is dropped by the caller; nothing here trusts a length
 * field beyond the bytes actually captured.
 */
#ifndef SPA_FRAME_H
#define SPA_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

/*
 * Find the transport payload of a frame of pcap link type `dlt` (DLT_EN10MB
 * with 802.1Q tags, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL, DLT_LOOP,
 * DLT_RAW, DLT_IPV4, DLT_IPV6).  Fragments and other protocols are refused.
 * Returns 0 and points *payload into `frame`, or a negative SPA_ERR_*.
 */
int	frame_payload(int dlt, const uint8_t *frame, size_t caplen,
	    struct pkt_info *info, const uint8_t **payload, size_t *plen);

#endif /* SPA_FRAME_H */
