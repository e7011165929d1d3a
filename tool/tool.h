/*
 * spagate(1): the admin's tool.  One binary, one file per subcommand,
 * each an entry of the table in spagate.c: keygen (keygen.c), check
 * (check.c), status (status.c), list (list.c), close (close.c), test
 * (test.c).
 */
#ifndef SPA_TOOL_H
#define SPA_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "b64.h"
#include "crypto.h"

#define KEYGEN_KEY_LEN		32	/* Rijndael: AES-256 */
#define KEYGEN_HMAC_KEY_LEN	64	/* as fwknop --key-gen, every digest */
#define KEYGEN_B64_SIZE(n)	(((n) + 2) / 3 * 4 + 1)	/* padded, NUL */

struct keygen_opts {
	bool		 qr;		/* draw it on the terminal */
	bool		 qr_fwknoprc;	/* the .fwknoprc lines, not Fwknop2's */
	const char	*qr_png;	/* NULL: no PNG file */
	enum spa_digest	 digest;
};

struct keygen_keys {
	char		 key[KEYGEN_B64_SIZE(KEYGEN_KEY_LEN)];
	char		 hmac[KEYGEN_B64_SIZE(KEYGEN_HMAC_KEY_LEN)];
	enum spa_digest	 digest;
};

/* keygen's options; 0, or -1 with the reason in why. */
int	keygen_parse(int argc, char **argv, struct keygen_opts *o, char *why,
	    size_t len);
/* Fresh keys from getrandom(2); 0 or SPA_ERR_SYS. */
int	keygen_make(enum spa_digest digest, struct keygen_keys *k);
/* "SHA256", "SHA3_256": the spelling access.conf and .fwknoprc use. */
void	keygen_digest_upper(enum spa_digest d, char *out, size_t len);
/* The .fwknoprc lines (what --qr-fwknoprc encodes). */
int	keygen_fwknoprc(const struct keygen_keys *k, char *out, size_t len);
/*
 * What --qr encodes: the text the Fwknop2 Android client imports from a
 * QR code, "KEY_BASE64:<key> HMAC_KEY_BASE64:<hmac key>" (one space, no
 * newline: it splits on spaces, then each word at its colon), or with
 * fwknoprc the .fwknoprc lines.
 */
int	keygen_qr_text(const struct keygen_keys *k, bool fwknoprc, char *out,
	    size_t len);

/* A QR code's modules, bit 0 of each byte dark (libqrencode's layout). */
struct qr_bitmap {
	const unsigned char	*dark;	/* width * width */
	size_t			 width;
};
#define QRPNG_SCALE	8	/* pixels per module */
#define QRPNG_QUIET	4	/* modules of white border (ISO 18004) */
/* A black on white PNG of it; 0, SPA_ERR_ARG, _NOMEM or _SYS (ferror). */
int	qrpng_write(FILE *fp, const struct qr_bitmap *q);

struct spa_conf;
/* spagated.conf (config NULL: the default, optional); -1 after saying why. */
int	tool_load_conf(const char *config, struct spa_conf *c, const char *cmd);

/* spagate test (test.c): a dry run of the policy for a described request. */
#define TEST_USAGE \
	"test [-c spagated.conf] [-a access.conf | --access-folder DIR]\n" \
	"        --source ADDR --dst ADDR [--ports tcp/22,udp/53] [--user U]\n" \
	"        [--type access|nat|local-nat|command] [--client-timeout N]\n" \
	"        [--nat HOST:PORT] [--command TEXT]"

struct dry_opts {
	const char	*config, *access_file, *access_folder;
	const char	*source, *dst, *ports, *user, *type;
	const char	*client_timeout, *nat, *command;
};

struct access_conf;
struct plan;
struct policy_opts;
struct spa_event;

/* The command line; -1 on a usage error. */
int	dry_parse(int argc, char **argv, struct dry_opts *o);
/* The event a client's packet would make at `now`; -1 with why. */
int	dry_event(const struct dry_opts *o, int64_t now, struct spa_event *ev,
	    char *why, size_t len);
/* Each stanza in order until one grants: 0, printed with its commands;
   1 if none does. */
int	dry_judge(const struct access_conf *access, const struct plan *plan,
	    const struct policy_opts *opts, const char *sudo_exe,
	    struct spa_event *ev, int64_t now, FILE *out);

/* "usage: spagate CMD ..." from spagate.c's table, for a refusal. */
void	tool_usage(const char *cmd, FILE *fp);

int	keygen_main(int argc, char **argv);
int	test_main(int argc, char **argv);
int	check_main(int argc, char **argv);
int	status_main(int argc, char **argv);
int	list_main(int argc, char **argv);
int	close_main(int argc, char **argv);

#endif /* SPA_TOOL_H */
