/*
 * access.conf loader internals shared by access.c (files, lines, includes,
 * stanza checks) and access_directive.c (the directive table and one
 * handler per value type).  Nothing outside these two files includes this,
 * except the unit tests and the fuzz target (access_load_buffer).
 */
#ifndef SPA_ACCESS_INT_H
#define SPA_ACCESS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "access.h"

#define ACCESS_LINE_MAX		4096	/* bytes, line end excluded */
#define ACCESS_FILE_MAX		(4 * 1024 * 1024)	/* bytes */
#define ACCESS_USER_MAX		48	/* REQUIRE_USERNAME */
#define ACCESS_EPOCH_MAX	253402300799LL	/* 9999-12-31 23:59:59Z */

/*
 * Directives that may be set once per stanza.  Synonyms share a slot, so
 * KEY and KEY_BASE64 (for example) count as the same directive.
 */
enum access_slot {
	SLOT_NONE = 0,		/* SOURCE and the %include forms */
	SLOT_DESTINATION,
	SLOT_OPEN_PORTS,
	SLOT_RESTRICT_PORTS,
	SLOT_KEY,
	SLOT_HMAC_KEY,
	SLOT_HMAC_DIGEST_TYPE,
	SLOT_ENCRYPTION_MODE,
	SLOT_FW_ACCESS_TIMEOUT,
	SLOT_MAX_FW_TIMEOUT,
	SLOT_ACCESS_EXPIRE,
	SLOT_REQUIRE_USERNAME,
	SLOT_REQUIRE_SOURCE,
	SLOT_ENABLE_CMD_EXEC,
	SLOT_ENABLE_CMD_SUDO_EXEC,
	SLOT_CMD_EXEC_USER,
	SLOT_CMD_EXEC_GROUP,
	SLOT_CMD_SUDO_EXEC_USER,
	SLOT_CMD_SUDO_EXEC_GROUP,
	SLOT_CMD_CYCLE_OPEN,
	SLOT_CMD_CYCLE_CLOSE,
	SLOT_CMD_CYCLE_TIMER,
	SLOT_CMD_CYCLE_REFRESH,
	SLOT_CMD_CYCLE_CLOSE_ABSENT,
	SLOT_CMD_CYCLE_SHELL,
	SLOT_CMD_TIMEOUT,
	SLOT_FORCE_NAT,
	SLOT_FORCE_SNAT,
	SLOT_FORCE_MASQUERADE,
	SLOT_DISABLE_DNAT,
	SLOT_FORWARD_ALL,
	SLOT_GPG_HOME_DIR,
	SLOT_GPG_EXE,
	SLOT_GPG_DECRYPT_ID,
	SLOT_GPG_DECRYPT_PW,
	SLOT_GPG_ALLOW_NO_PW,
	SLOT_GPG_REQUIRE_SIG,
	SLOT_GPG_DISABLE_SIG,
	SLOT_GPG_IGNORE_SIG_VERIFY_ERROR,
	SLOT_GPG_REMOTE_ID,
	SLOT_GPG_FINGERPRINT_ID,
	SLOT_SHARED_SEQUENCE,
	SLOT_KNOCK_INTERVAL,
	SLOT_MIN_TIME_DIFF,
	SLOT_MAX_TIME_DIFF,
	SLOT_COUNT
};

/* What a file is to the policy: an error in a per-user file is its own. */
enum file_kind {
	FILE_ACCESS,		/* top level or %include: the admin's */
	FILE_MEMBER,		/* one *.conf of a folder: per-user */
	FILE_KEYS,		/* %include_keys: per-user */
};

/* Where a directive was first set in the open stanza. */
struct access_mark {
	const char	*file;	/* NULL: not set yet */
	const char	*name;	/* as written (synonyms differ) */
	unsigned int	 line;
};

/* The stanza a file is filling, with what it has set so far. */
struct access_open {
	struct stanza		*st;	/* NULL before the first SOURCE */
	struct access_mark	 marks[SLOT_COUNT];
};

/* One file on the include stack. */
struct access_frame {
	const char		*path;	/* as opened; the parser owns it */
	unsigned int		 line;	/* current line, 1-based */
	size_t			 next;	/* offset of the line after it */
	bool			 keys;	/* an %include_keys file */
	const char		*user_file;	/* the per-user file this one is
						   or is read from, or NULL */
	bool			 cwd_relative;	/* in memory: includes vs CWD */
	dev_t			 dev;	/* identity, for loop detection */
	ino_t			 ino;
	bool			 has_id;
	struct access_open	 open;	/* the stanza this file began */
	struct access_open	*cur;	/* &open, or the includer's */
};

struct access_parser {
	struct access_conf	*conf;
	struct access_error	*err;
	const char		*top;		/* path given to access_load */
	struct access_frame	 frames[ACCESS_INCLUDE_DEPTH + 1];
	size_t			 depth;		/* frames in use */
	char			**paths;	/* every file read, for marks */
	size_t			 npaths;
};

struct access_directive;
typedef int (*access_handler)(struct access_parser *,
    const struct access_directive *, char *);

/* Flags of a directive. */
#define AD_OUTSIDE	0x1	/* allowed before the first SOURCE */
#define AD_KEYFILE	0x2	/* allowed in an %include_keys file */

struct access_directive {
	const char	*name;
	access_handler	 handler;
	enum access_slot slot;
	unsigned int	 flags;
	size_t		 off;		/* field for the generic handlers */
	size_t		 max;		/* longest string value, 0: no limit */
};

/* access_directive.c */
const struct access_directive *access_directive_find(const char *name);
const struct access_directive *access_directive_suggest(const char *name);

/* access.c: the services handlers use */
struct stanza	*access_cur(struct access_parser *p);
struct access_frame *access_frame(struct access_parser *p);
int	access_fail(struct access_parser *p, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	access_nomem(struct access_parser *p);
void	access_warn(struct access_parser *p, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	access_stanza_begin(struct access_parser *p);
int	access_include(struct access_parser *p, const char *path, bool keys);
int	access_include_folder(struct access_parser *p, const char *dir);

/* access.c: free what a stanza holds (keys wiped), but not its file name */
void	access_stanza_clear(struct stanza *st);

/* access_user.c: per-user files, whose errors disable their stanzas only */
int	access_contain(struct access_parser *p, enum file_kind kind,
	    const char *path, size_t depth, size_t first, const char *buf,
	    size_t len, int r);
void	access_make_placeholder(struct stanza *st);
int	access_check_usable(struct access_parser *p);
void	access_disabled_free(struct access_conf *conf);

/* Parse an in-memory file; includes are relative to the current directory. */
int	access_load_buffer(const char *name, const char *buf, size_t len,
	    struct access_conf **out, struct access_error *err);

#endif /* SPA_ACCESS_INT_H */
