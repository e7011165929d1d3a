/*
 * SYNs built header by header for the p0f unit tests (test_p0f_syn.c,
 * test_p0f_match.c), and the option bytes of common stacks.
 */
#ifndef SPA_TEST_P0F_BUILD_H
#define SPA_TEST_P0F_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "p0f.h"

/* A SYN's headers, as the tests vary them. */
struct shape {
	int		 ver;		/* 4 or 6 */
	uint8_t		 ttl;
	bool		 df;
	uint16_t	 id;
	uint16_t	 frag;		/* other IPv4 flag/offset bits */
	uint8_t		 tos;		/* TOS or traffic class */
	uint32_t	 flow;
	size_t		 ipopts;	/* bytes of IPv4 NOP options */
	uint32_t	 seq, ack;
	uint8_t		 flags;
	uint8_t		 ns;		/* low bits of the data offset byte */
	uint16_t	 win, urg;
	const uint8_t	*opts;
	size_t		 optlen;	/* a multiple of 4 */
	size_t		 payload;
};

#define TH_SYN	0x02
struct pkt {
	uint8_t	b[512];
	size_t	n;
};

/* Option bytes of common stacks. */
extern const uint8_t LINUX_OPTS[20];	/* mss,sok,ts,nop,ws 7 */
extern const uint8_t WIN_OPTS[12];	/* mss,nop,ws 8,nop,nop,sok */
extern const uint8_t MAC_OPTS[24];	/* mss,nop,ws 6,nop,nop,ts,sok,eol+1 */
extern const uint8_t BSD_OPTS[20];	/* mss,nop,ws 6,sok,ts */

/* Linux 3.11 to 4.18 (29200, scale 7); Windows 10 (64240, scale 8). */
struct shape	 linux_shape(void);
struct shape	 windows_shape(void);
struct pkt	 syn_build(const struct shape *s);
/* Parse `n` bytes from an allocation of exactly that size. */
int		 syn_parse_exact(const uint8_t *b, size_t n, struct p0f_syn *syn,
		    const char **why);
/* syn_build(), parsed: it must parse. */
struct p0f_syn	 syn_parse_ok(const struct shape *s);

#endif /* SPA_TEST_P0F_BUILD_H */
