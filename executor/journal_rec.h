/*
 * A journal record: one open cycle, as its close needs it after a restart,
 * and its byte encoding (see journal_rec.c for the layout).
 */
#ifndef SPA_JOURNAL_REC_H
#define SPA_JOURNAL_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "access.h"
#include "addr.h"
#include "subst.h"

#define JOURNAL_MODULE_MAX	16
#define JOURNAL_DATA_MAX	64	/* = ACTION_DATA_MAX */
#define JOURNAL_ID_MAX		(UINT64_MAX >> 1)
#define JOURNAL_ABSENT_MAX	ACCESS_ABSENT_MAX /* CMD_CYCLE_CLOSE_ABSENT statuses */
#define JOURNAL_REC_MIN		71
#define JOURNAL_REC_MAX		(JOURNAL_REC_MIN + CMD_MAX_LEN + \
				 JOURNAL_DATA_MAX + 2 + JOURNAL_ABSENT_MAX)

struct journal_rec {
	uint64_t	 id;		/* unique, never reused */
	uint32_t	 stanza;	/* for log lines only */
	char		 module[JOURNAL_MODULE_MAX];	/* action module name */
	struct spa_addr	 allow;
	uint8_t		 proto;
	uint16_t	 port;
	int64_t		 opened;	/* epoch seconds */
	int64_t		 close_at;	/* epoch seconds */
	bool		 has_close;	/* false: CMD_CYCLE_CLOSE NONE */
	struct cmd_argv	 close;		/* expanded close command */
	uint8_t		 data[JOURNAL_DATA_MAX];	/* module state (e.g. ACE seq) */
	uint16_t	 data_len;
	/*
	 * Opens run after the first that the close must also undo (a rule
	 * inserted again by an extension): the close runs 1 + reopens times.
	 */
	uint8_t		 reopens;
	/* Exit statuses of the close that mean its object was already gone
	 * (CMD_CYCLE_CLOSE_ABSENT), increasing. */
	uint8_t		 absent[JOURNAL_ABSENT_MAX];
	uint8_t		 nabsent;
};

/*
 * NULL if `r` may be written, else why not: id >= 1 (0 marks a free slot
 * of the journal's index), family AF_INET/AF_INET6, proto 6 or 17 with
 * port 1..65535 (or proto 0 and port 0), stanza >= 1, close_at >= opened,
 * module name [a-z0-9_-]+ and NUL-terminated, a close of 1..CMD_MAX_ARGS
 * words, at most JOURNAL_ABSENT_MAX absent statuses, each 1..255 and
 * greater than the one before.
 */
const char *journal_rec_check(const struct journal_rec *r);

/* Bytes written to `out` (at most JOURNAL_REC_MAX), 0 if it does not fit. */
size_t	journal_rec_encode(const struct journal_rec *r, uint8_t *out,
	    size_t cap);

/* NULL if `in` is exactly one valid record (stored in *r), else why not. */
const char *journal_rec_decode(const uint8_t *in, size_t len,
	    struct journal_rec *r);

#endif /* SPA_JOURNAL_REC_H */
