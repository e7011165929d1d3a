/*
 * Knock doors: port-knock sequences that open a command cycle, read from
 * a knockd.conf (knockd(1)'s format, common/knockd_conf.c) or from an
 * access.conf stanza's SHARED_SEQUENCE (fwknop's old shared sequences,
 * common/access_directive.c).  Both become the same typed door, which the
 * verifier's sequence engine (verifier/knock_engine.h) matches packets
 * against and the executor runs the commands of.
 *
 * Knocks travel in the clear: anyone who sees a sequence can replay it.
 * SPA is the recommended mode; doors exist for knockd's users, and are
 * off unless a knockd.conf or a SHARED_SEQUENCE is configured.
 */
#ifndef SPA_KNOCK_H
#define SPA_KNOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define KNOCK_SEQ_MAX		32	/* knocks in a sequence (knockd's SEQ_MAX) */
#define KNOCK_NAME_MAX		127	/* door name (knockd keeps 127 bytes) */
#define KNOCK_LINE_MAX		4096	/* bytes per line, end excluded */
#define KNOCK_FILE_MAX		(1024 * 1024)	/* knockd.conf, sequence files */
#define KNOCK_TIMEOUT_MAX	86400	/* seq_timeout, KNOCK_INTERVAL (s) */
#define KNOCK_DEF_SEQ_TIMEOUT	25	/* knockd's default seq_timeout */
#define KNOCK_DEF_CMD_TIMEOUT	10	/* knockd's default cmd_timeout */
#define KNOCK_DEF_INTERVAL	60	/* fwknop's default KNOCK_INTERVAL */

/* TCP flag bits as they are on the wire (th_flags). */
#define KNOCK_TCP_FIN		0x01
#define KNOCK_TCP_SYN		0x02
#define KNOCK_TCP_RST		0x04
#define KNOCK_TCP_PSH		0x08
#define KNOCK_TCP_ACK		0x10
#define KNOCK_TCP_URG		0x20

/* One knock: a packet to this port over this protocol. */
struct knock_hit {
	uint8_t		 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t	 port;		/* 1..65535 */
};

struct knock_seq {
	size_t		 n;		/* 1..KNOCK_SEQ_MAX */
	struct knock_hit hits[KNOCK_SEQ_MAX];
	unsigned int	 line;		/* its line in a one-time file, else 0 */
};

struct knock_door {
	char		*name;		/* [name], or "stanza #N" */
	char		*file;		/* where it was read */
	unsigned int	 line;		/* its [name] or SOURCE line */

	/* exactly one of these: a fixed sequence, or a one-time file */
	struct knock_seq seq;		/* n == 0 with one_time_path */
	char		*one_time_path;
	size_t		 n_one_time;	/* sequences not marked used ('#') */
	struct knock_seq *one_time;	/* in file order */

	/*
	 * Whole seconds, as knockd and fwknop count them: a sequence has
	 * failed once floor(now) - floor(first knock) >= seq_timeout.
	 */
	uint32_t	 seq_timeout;
	/* TCP packets count only with every bit of `set` and none of `clear` */
	uint8_t		 tcp_set;
	uint8_t		 tcp_clear;

	bool		 has_target;	/* Target: the knocks' destination */
	struct spa_addr	 target;
	char		*interface;	/* NULL: the capture's interfaces */
	unsigned int	 ifindex;	/* set by the capture's wiring, 0: any */

	char		*start_command;
	char		*start_command6;	/* NULL: start_command serves */
	char		*stop_command;		/* NULL: no close */
	char		*stop_command6;		/* NULL: stop_command serves */
	uint32_t	 cmd_timeout;		/* seconds from start to stop */

	/*
	 * fwknop's shared sequences: each stanza keeps its own progress
	 * (knockd's doors share a source's: verifier/knock_engine.h),
	 * knocks must be more than min_gap and less than max_gap seconds
	 * apart (MIN_TIME_DIFF, MAX_TIME_DIFF), and only SOURCE's
	 * addresses count.
	 */
	bool		 independent;
	bool		 has_min_gap;
	uint32_t	 min_gap;
	bool		 has_max_gap;
	uint32_t	 max_gap;
	const struct spa_addr_list *sources;	/* NULL: any; not owned */
	unsigned int	 stanza;	/* access.conf stanza number, else 0 */
};

/* Parse "7000,8000:udp,9000" (knockd) into `out`; *why on error. */
int	knock_seq_parse_knockd(const char *text, struct knock_seq *out,
	    const char **why, size_t *entry);
/* Parse "tcp/1234, udp/5432" (fwknop) into `out`; *why on error. */
int	knock_seq_parse_fwknop(const char *text, struct knock_seq *out,
	    const char **why, size_t *entry);
/*
 * Append the sequences of a one_time_sequences file's bytes (`buf`, NUL
 * after `len`, modified) to d->one_time: lines starting with '#' are used
 * ones; any other bad line is refused.  0, or an error as above.
 */
int	knock_one_time_parse(const char *path, char *buf, size_t len,
	    struct knock_door *d, char *why, size_t whylen);
/* Does a TCP packet with `flags` pass the door's tcpflags? */
bool	knock_tcp_flags_ok(const struct knock_door *d, uint8_t flags);
/* Free what a door holds (not the door itself). */
void	knock_door_clear(struct knock_door *d);

#endif /* SPA_KNOCK_H */
