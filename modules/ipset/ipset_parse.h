/*
 * The ipset module's command language: an expanded CMD_CYCLE_OPEN or
 * CMD_CYCLE_CLOSE in the ipset tool's syntax, read into a typed operation
 * without touching the kernel, so that a configured line can be checked
 * at load time, unit-tested and fuzzed.  Accepted:
 *
 *   ipset [-exist | -!] add  SET ELEMENT [timeout N] [comment TEXT]
 *   ipset [-exist | -!] del  SET ELEMENT
 *   ipset [-exist | -!] test SET ELEMENT
 *
 *   ELEMENT  ADDR[/PREFIX] [,PORT [,ADDR2]]   both addresses one family
 *   ADDR     numeric IPv4 or IPv6 (no names, no ranges)
 *   PORT     [PROTO:]1..65535, PROTO tcp, udp, 6 or 17 (bare: tcp, as ipset)
 *   N        0..2147483 seconds (0: never expires), decimal
 *   TEXT     at most 255 bytes, no '"', no control bytes
 *
 * Numbers are plain decimal: ipset would read "010" as octal, so a
 * leading zero is refused rather than guessed.  Everything else (other
 * commands, options, set types' extra parts) is refused with the reason.
 */
#ifndef SPA_IPSET_PARSE_H
#define SPA_IPSET_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define IPSET_OP_NAME_MAX	31	/* IPSET_MAXNAMELEN - 1 */
#define IPSET_OP_COMMENT_MAX	255	/* IPSET_MAX_COMMENT_SIZE */
#define IPSET_OP_TIMEOUT_MAX	2147483	/* the kernel's largest timeout */

enum ipset_op_cmd {
	IPSET_OP_ADD = 1,
	IPSET_OP_DEL,
	IPSET_OP_TEST,
};

/* One add, del or test, as the kernel will be asked for it. */
struct ipset_op {
	enum ipset_op_cmd cmd;
	bool		 exist;		/* -exist: no error if (not) there */
	char		 set[IPSET_OP_NAME_MAX + 1];
	struct spa_addr	 ip;
	uint8_t		 prefix;	/* 0: none written */
	bool		 has_port;
	uint8_t		 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t	 port;
	bool		 has_ip2;
	struct spa_addr	 ip2;
	bool		 has_timeout;
	uint32_t	 timeout;
	bool		 has_comment;
	char		 comment[IPSET_OP_COMMENT_MAX + 1];
};

/* Whether a command's program (its first word) is ipset. */
bool	ipset_op_is_ipset(const char *program);

/*
 * Read argv[0..argc-1] (argv[0] the program) into `op`.  On error returns
 * SPA_ERR_ARG with the reason in `why`.
 */
int	ipset_op_parse(size_t argc, char *const *argv, struct ipset_op *op,
	    char *why, size_t whylen);

/*
 * Whether the element fits a set of type `type` (libipset's name, e.g.
 * "hash:ip,port") and `family` (AF_INET, AF_INET6).  SPA_ERR_ARG with
 * the reason in `why` otherwise, including for types this module does
 * not handle.
 */
int	ipset_op_fits(const struct ipset_op *op, const char *type, int family,
	    char *why, size_t whylen);

/* The operation in ipset syntax, for log lines ("add spa4 192.0.2.1,tcp:22"). */
void	ipset_op_format(const struct ipset_op *op, char *buf, size_t len);

#endif /* SPA_IPSET_PARSE_H */
