/*
 * Passive OS fingerprints in p0f v3's format: the SYN signatures of a
 * p0f.fp file (its [tcp:request] section), the fields a SYN shows, and
 * the matcher that names the stack that sent it ("Linux 3.11 and newer").
 *
 * Everything here reads hostile bytes: the SYN comes off the wire, and
 * p0f.fp is a file from another package.  Both parsers are bounded (the
 * caps below) and never read past the buffer they are given; nothing
 * keeps state between calls but the database the caller owns.
 *
 * The format and p0f's matching rules are described in p0f's README,
 * section 5 (Debian: /usr/share/doc/p0f/README.gz); where spagate departs
 * from what p0f 3.09 does, p0f_match.c says so.
 */
#ifndef SPA_P0F_H
#define SPA_P0F_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Caps.  Debian's p0f.fp (938 lines) holds 91 SYN signatures under 45
 * labels and no line longer than 227 bytes; the caps leave room for a
 * much larger file while bounding what a hostile one can make us hold
 * (about 220 KiB of signatures and labels at most).
 */
#define P0F_MAX_FILE	(1024 * 1024)	/* bytes of p0f.fp read */
#define P0F_MAX_LINE	1024		/* bytes in one line */
#define P0F_MAX_SIGS	2048		/* [tcp:request] signatures */
#define P0F_MAX_LABELS	1024		/* [tcp:request] labels */
#define P0F_MAX_CLASSES	32		/* names in `classes =` */
#define P0F_CLASS_LEN	16		/* bytes in a class name, with NUL */
#define P0F_LABEL_LEN	96		/* "name flavor", with NUL */
#define P0F_MAX_OPTS	24		/* TCP options in a layout (as p0f) */
#define P0F_MAX_DIST	35		/* hops a TTL may have lost and match */

/* Quirks: properties of the IP and TCP headers (README's names). */
enum p0f_quirk {
	P0F_Q_DF	= 1u << 0,	/* df: don't fragment (IPv4) */
	P0F_Q_ID_NZ	= 1u << 1,	/* id+: DF set, IP ID not zero */
	P0F_Q_ID_ZERO	= 1u << 2,	/* id-: DF clear, IP ID zero */
	P0F_Q_ECN	= 1u << 3,	/* ecn: ECN bits in IP or TCP */
	P0F_Q_MBZ	= 1u << 4,	/* 0+: the reserved IPv4 flag set */
	P0F_Q_FLOW	= 1u << 5,	/* flow: IPv6 flow label not zero */
	P0F_Q_SEQ_ZERO	= 1u << 6,	/* seq-: sequence number zero */
	P0F_Q_ACK_NZ	= 1u << 7,	/* ack+: ACK number without ACK flag */
	P0F_Q_ACK_ZERO	= 1u << 8,	/* ack-: ACK flag with ACK number 0 */
	P0F_Q_UPTR_NZ	= 1u << 9,	/* uptr+: URG pointer without URG */
	P0F_Q_URG	= 1u << 10,	/* urgf+: URG flag */
	P0F_Q_PUSH	= 1u << 11,	/* pushf+: PUSH flag */
	P0F_Q_TS1_ZERO	= 1u << 12,	/* ts1-: own timestamp zero */
	P0F_Q_TS2_NZ	= 1u << 13,	/* ts2+: peer timestamp on a SYN */
	P0F_Q_OPT_NZ	= 1u << 14,	/* opt+: non-zero bytes after EOL */
	P0F_Q_EXWS	= 1u << 15,	/* exws: window scale over 14 */
	P0F_Q_BAD	= 1u << 16,	/* bad: malformed TCP options */
};
/* The quirks only IPv4 has, and the one only IPv6 has. */
#define P0F_Q_IPV4_ONLY	(P0F_Q_DF | P0F_Q_ID_NZ | P0F_Q_ID_ZERO | P0F_Q_MBZ)
#define P0F_Q_IPV6_ONLY	P0F_Q_FLOW

/* TCP option kinds a layout names; any other kind is "?n". */
enum p0f_opt {
	P0F_OPT_EOL = 0, P0F_OPT_NOP = 1, P0F_OPT_MSS = 2, P0F_OPT_WS = 3,
	P0F_OPT_SOK = 4, P0F_OPT_SACK = 5, P0F_OPT_TS = 8
};

/* What one SYN shows (p0f_syn_parse() fills it from the wire). */
struct p0f_syn {
	uint8_t		 ip_ver;	/* 4 or 6 */
	uint8_t		 ttl;		/* as received (hop limit for IPv6) */
	uint8_t		 ip_opt_len;	/* bytes of IPv4 options; 0 for IPv6 */
	uint16_t	 tot_hdr;	/* IP + TCP header bytes */
	uint16_t	 win;
	uint16_t	 mss;		/* 0 without the option */
	uint8_t		 wscale;	/* 0 without the option */
	uint32_t	 ts1;		/* own timestamp, 0 without the option */
	uint8_t		 opt_cnt;
	uint8_t		 opts[P0F_MAX_OPTS];	/* option kinds, in order */
	uint8_t		 eol_pad;	/* bytes after an EOL option */
	uint32_t	 quirks;	/* enum p0f_quirk */
	bool		 payload;	/* data after the TCP header */
};

/* Window forms of a signature. */
enum p0f_win {
	P0F_WIN_ANY,		/* '*' */
	P0F_WIN_FIXED,		/* N */
	P0F_WIN_MOD,		/* %N: a multiple of N */
	P0F_WIN_MSS,		/* mss*N */
	P0F_WIN_MTU		/* mtu*N */
};

/* One `sig =` line of [tcp:request]. */
struct p0f_sig {
	int8_t		 ip_ver;	/* 4, 6, or -1 for '*' */
	uint8_t		 ttl;		/* initial TTL (with any +distance) */
	bool		 bad_ttl;	/* "64-": a tool's random TTL */
	uint8_t		 ip_opt_len;
	int32_t		 mss;		/* -1 for '*' */
	uint8_t		 win_type;	/* enum p0f_win */
	uint16_t	 win;		/* value, divisor or multiplier */
	int16_t		 wscale;	/* -1 for '*' */
	uint8_t		 opt_cnt;
	uint8_t		 opts[P0F_MAX_OPTS];
	uint8_t		 eol_pad;
	uint32_t	 quirks;
	int8_t		 pclass;	/* -1 '*', 0 no payload, 1 payload */
	uint16_t	 label;		/* index in the database's labels */
	unsigned int	 line;		/* where it was read */
};

/* A `label =` line: who the signatures after it identify. */
struct p0f_label {
	bool		 generic;	/* 'g': used only when nothing else is */
	bool		 app;		/* class '!': a tool, not an OS */
	char		 text[P0F_LABEL_LEN];	/* "name" or "name flavor" */
};

struct p0f_db {
	struct p0f_sig	*sigs;		/* in file order */
	size_t		 nsigs, sigcap;
	struct p0f_label *labels;
	size_t		 nlabels, labelcap;
	char		 classes[P0F_MAX_CLASSES][P0F_CLASS_LEN];
	size_t		 nclasses;
};

/* Where and why p0f.fp was refused: "file:line: reason". */
struct p0f_error {
	char		text[256];
};

/*
 * Parse p0f.fp text (`len` bytes, NUL not needed; `name` is the file
 * name errors give).  Only [tcp:request] is read; the other sections
 * p0f knows ([mtu], [tcp:response], [http:*]) are skipped line by line.
 * 0 and *out (free with p0f_db_free), or SPA_ERR_CONFIG / SPA_ERR_NOMEM
 * with `err` filled.
 */
int	p0f_db_parse(const char *text, size_t len, const char *name,
	    struct p0f_db **out, struct p0f_error *err);
/* p0f_db_parse() of a regular file of at most P0F_MAX_FILE bytes. */
int	p0f_db_load(const char *path, struct p0f_db **out,
	    struct p0f_error *err);
void	p0f_db_free(struct p0f_db *db);

/*
 * Parse a SYN as a capture delivers it: an IPv4 or IPv6 packet from its
 * first IP byte, `len` bytes (link padding after the IP length is
 * ignored).  Only a SYN without ACK, FIN or RST is fingerprinted.
 * 0 with *out filled, or SPA_ERR_FRAME with *why saying what it is not.
 */
int	p0f_syn_parse(const uint8_t *pkt, size_t len, struct p0f_syn *out,
	    const char **why);

/* Match quality, as p0f's API reports it (0: exact). */
#define P0F_FUZZY	1u	/* quirks or TTL differ as p0f allows */
#define P0F_GENERIC	2u	/* a 'g' label: nothing specific matched */

struct p0f_match {
	const struct p0f_label	*label;	/* NULL: unknown */
	const struct p0f_sig	*sig;
	unsigned int		 quality;	/* P0F_FUZZY | P0F_GENERIC */
	unsigned int		 dist;		/* hops from the sender, guessed */
};

/*
 * The label p0f would give `syn`: the first exact specific signature in
 * file order; else the first exact generic one; else the first fuzzy one
 * (never for a tool's label).  true if one matched.
 */
bool	p0f_match(const struct p0f_db *db, const struct p0f_syn *syn,
	    struct p0f_match *out);

/* REQUIRE_OS_REGEX: a POSIX extended regex, matched ignoring case. */
struct p0f_os_regex {
	regex_t		re;
};
/*
 * 0 (free with p0f_os_regex_free), or SPA_ERR_CONFIG with regcomp's
 * reason in `why` (`whylen` bytes) and nothing to free.
 */
int	p0f_os_regex_compile(struct p0f_os_regex *r, const char *pattern,
	    char *why, size_t whylen);
/* Does the OS label match?  An unknown OS (NULL) never does. */
bool	p0f_os_regex_match(const struct p0f_os_regex *r, const char *label);
void	p0f_os_regex_free(struct p0f_os_regex *r);

#endif /* SPA_P0F_H */
