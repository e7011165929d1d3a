/*
 * The journal of open cycles: one small file per cycle in
 * <state_dir>/cycles/, written (temp file, fsync, rename, fsync of the
 * directory) before the open command runs and removed once its close has
 * succeeded.  A crash at any moment therefore leaves every cycle whose
 * open may have run on disk, and a restart runs or reschedules its close.
 * Files are checked like any outside input: magic, version, size,
 * checksum and every field; a damaged file is reported and set aside
 * (renamed *.bad), never half-trusted.
 */
#ifndef SPA_JOURNAL_H
#define SPA_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "subst.h"

#define JOURNAL_MODULE_MAX	16
#define JOURNAL_DATA_MAX	256

/* One open cycle, as a close needs it after a restart. */
struct journal_rec {
	uint64_t	 id;		/* unique, never reused (file name) */
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
};

struct journal;

/* Open (creating mode 0700) the directory; SPA_ERR_STATE if unusable. */
int	journal_open(const char *dir, struct journal **out);
/*
 * For readers beside a running daemon (spagated -S): creates nothing,
 * never removes or renames a file, only reports what it finds.
 */
int	journal_open_readonly(const char *dir, struct journal **out);
void	journal_close(struct journal *j);

/*
 * Durable when it returns 0: the record is on disk (and replaces one with
 * the same id).  A record that journal_load() would refuse is not written
 * (SPA_ERR_ARG): family AF_INET/AF_INET6, proto 6 or 17 with port 1..65535
 * (or proto 0 and port 0), stanza >= 1, close_at >= opened, module name
 * [a-z0-9_-]+ and NUL-terminated, a close of 1..CMD_MAX_ARGS words.
 */
int	journal_put(struct journal *j, const struct journal_rec *rec);
/* Remove a record; a missing one is not an error. */
int	journal_del(struct journal *j, uint64_t id);

/*
 * Call `cb` for every valid record (order unspecified); damaged files are
 * logged and renamed aside.  Returns 0, the callback's first nonzero
 * value, or an error.
 */
int	journal_load(struct journal *j,
	    int (*cb)(void *arg, const struct journal_rec *rec), void *arg);

/*
 * An id larger than every id on disk when the journal was opened
 * (records, temp files and records set aside), then increasing.
 */
uint64_t journal_next_id(struct journal *j);

#endif /* SPA_JOURNAL_H */
