/*
 * What a Cisco cycle records (its 64 bytes of journaled module state):
 * the device, the sequence number the open added, the list, and a digest
 * of the entry as it went to the device, so that its close can know the
 * entry again before it removes anything.
 *
 *   C2 edge1 10007 4 0123456789abcdef01234567
 *
 * "C2" cannot be a device name (names are lower case), so the version is
 * told from a record written before digests existed ("edge1 10007", or
 * "edge1 10007 ipv6"), which is read with an empty digest.  The record
 * comes from the journal or from another gateway through Redis: nothing
 * in it is trusted.
 */
#ifndef SPA_CISCO_DATA_H
#define SPA_CISCO_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf_cisco.h"
#include "ios_parse.h"

struct cisco_entry {
	char		device[CONF_CISCO_NAME_MAX + 1];
	uint32_t	seq;
	bool		v6;		/* in the device's acl6 */
	char		digest[IOS_DIGEST_HEX + 1];	/* "": none recorded */
};

/* The record into `data` (no NUL): its length, 0 if it does not fit. */
size_t	cisco_data_format(const struct cisco_entry *e, uint8_t *data,
	    size_t max);
/* NULL if `data` is a record of either version (in *e), else why not. */
const char *cisco_data_parse(const uint8_t *data, size_t len,
	    struct cisco_entry *e);

#endif /* SPA_CISCO_DATA_H */
