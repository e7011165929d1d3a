/*
 * The nft module's command language: an expanded CMD_CYCLE_OPEN or
 * CMD_CYCLE_CLOSE in nft's syntax, limited to one element command, read
 * and rebuilt from its words without touching the kernel, so a
 * configured line can be checked at load time, unit-tested and fuzzed.
 * Accepted:
 *
 *   nft add|create|delete element FAMILY TABLE SET { WORD... }
 *
 *   FAMILY   ip, ip6, inet, bridge, arp or netdev (written out: nft's
 *            default family is not guessed)
 *   TABLE    [A-Za-z_][A-Za-z0-9_.-]*, at most NFT_LINE_NAME_MAX bytes
 *   SET      the same (a set or a map)
 *   WORD     [A-Za-z0-9._:/-]+: addresses, prefixes, ports, protocols,
 *            '.' and ':' (concatenations, a map's value), "timeout 30s"
 *
 * '{' and '}' are words of their own, first and last; one element per
 * line (no ','), so a close that finds its element gone can say so.
 * Every word is checked, whether written in the template or substituted
 * from a packet: a value can never close the braces, start a second
 * command (';', a newline), comment the rest out ('#'), quote, or name a
 * variable or another set ('$', '@').  The line sent is rebuilt from the
 * words joined by single spaces, never taken from the configuration's
 * text.  Whether the element has the set's shape is the kernel's to say
 * (a dry run at load, see nft.c).
 */
#ifndef SPA_NFT_LINE_H
#define SPA_NFT_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "subst.h"

#define NFT_LINE_NAME_MAX	255	/* NFT_NAME_MAXLEN - 1 */
#define NFT_LINE_TIMEOUT_MAX	2147483	/* covering never asks for more (s) */

enum nft_line_cmd {
	NFT_LINE_ADD = 1,
	NFT_LINE_CREATE,
	NFT_LINE_DELETE,
};

/* One element command, as it will be given to libnftables. */
struct nft_line {
	enum nft_line_cmd cmd;
	bool		 has_timeout;
	int64_t		 timeout_s;	/* the element's timeout, seconds */
	char		 text[CMD_MAX_LEN];	/* without "nft", no newline */
};

/* Whether a command's program (its first word) is nft. */
bool	nft_line_is_nft(const char *program);

/*
 * Read argv[0..argc-1] (argv[0] the program) into `line`.  If
 * `min_timeout_s` is larger than the element's timeout, the timeout
 * written is raised to it (at most NFT_LINE_TIMEOUT_MAX).  On error
 * returns SPA_ERR_ARG with the reason in `why`.
 */
int	nft_line_parse(size_t argc, char *const *argv, int64_t min_timeout_s,
	    struct nft_line *line, char *why, size_t whylen);

/*
 * An nft time ("30s", "1h30m", "90", "2d"; no "ms") in seconds; -1 if it
 * is not one, or larger than INT32_MAX seconds.
 */
int64_t	nft_line_seconds(const char *word);

/*
 * Seconds an add must keep its element for a cycle closing at epoch
 * `close_at`, now being `now` (both seconds); 0: nothing to cover.
 */
int64_t	nft_line_cover(int64_t close_at, int64_t now);

/*
 * An add of an element with a timeout, as sent.  An add of an element
 * that is there keeps its old expiry (kernel 6.x, libnftables 1.0.6), so
 * a refresh is "add E; delete K; add E" in one transaction: applied at
 * once, the element is never missing, and it ends with the new timeout.
 * An element that should be new goes as "create E": one command instead
 * of three (libnftables parses each), failing with EEXIST if the element
 * is there after all, when it is refreshed instead (nft_batch.c).  `elem`
 * is what follows "add element " ("inet t s { k timeout 30s }"), `key`
 * the element as a delete names it.  0, or -1 if it does not fit.
 */
int	nft_elem_create(char *buf, size_t len, const char *elem);
int	nft_elem_refresh(char *buf, size_t len, const char *elem,
	    const char *key);
/*
 * `elem` without its "timeout T": the key a delete names (a delete with
 * a timeout is refused by the native path, nft_enc.c, and would go
 * through libnftables).  0, or -1 if it does not fit.
 */
int	nft_elem_key(char *buf, size_t len, const char *elem);

#endif /* SPA_NFT_LINE_H */
