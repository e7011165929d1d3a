/*
 * access.conf: the fwknop format, read as-is (doc/spagate-access.conf.5).
 *
 * A file is a list of stanzas; each starts at SOURCE and runs to the next
 * SOURCE.  %include, %include_folder and %include_keys pull in more files.
 * Loading either yields a validated policy or an error naming file, line
 * and reason.  An error in a per-user file (a folder member, a key file)
 * disables that file's stanzas only: they stay, keeping their numbers, as
 * placeholders that refuse every packet, and the policy lists the file.
 */
#ifndef SPA_ACCESS_H
#define SPA_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "addr.h"
#include "gpg.h"
#include "knock.h"
#include "spa.h"

#define ACCESS_DEF_FW_TIMEOUT	30	/* FW_ACCESS_TIMEOUT default */
#define ACCESS_DEF_MAX_TIMEOUT	300	/* MAX_FW_TIMEOUT default */
#define ACCESS_MAX_TIMEOUT	8388608	/* upper bound of every timeout */
#define ACCESS_CMD_MAX		1024	/* CMD_CYCLE_* length (fwknopd: 255) */
#define ACCESS_ABSENT_MAX	4	/* CMD_CYCLE_CLOSE_ABSENT statuses */
#define ACCESS_INCLUDE_DEPTH	8	/* nested %include levels */

struct access_ports {
	size_t		 n;
	struct spa_port	*v;
};

/* An OS account resolved at load time (CMD_EXEC_USER and friends). */
struct access_account {
	char		*name;		/* NULL: not set */
	uid_t		 uid;
	gid_t		 gid;
};

/* Where a command directive was read, for messages: a line of the stanza's file. */
struct stanza_at {
	unsigned int		 line;		/* 0: not set */
	const char		*name;		/* as written: EXTERNAL_CMD_OPEN... */
};

struct stanza {
	unsigned int		 number;	/* 1-based, in file order */
	char			*file;		/* where its SOURCE line is */
	unsigned int		 line;		/* 0: not read (disabled) */
	bool			 disabled;	/* its per-user file has an error */

	struct spa_addr_list	 source;
	struct spa_addr_list	 destination;	/* n == 0 && !any: no filter */
	bool			 has_destination;
	struct access_ports	 open_ports;	/* n == 0: any port */
	bool			 has_open_ports;
	struct access_ports	 restrict_ports;

	/* key material as configured; `key` is what the codec uses */
	uint8_t			 enc_key[SPA_KEY_MAX + 1];
	size_t			 enc_key_len;
	bool			 has_enc_key;
	uint8_t			 hmac_key[SPA_HMAC_KEY_MAX + 1];
	size_t			 hmac_key_len;
	bool			 has_hmac_key;
	enum spa_digest		 hmac_type;
	enum spa_mode		 mode;
	bool			 gpg_only;	/* no Rijndael key: refuses
						   Rijndael packets (a GnuPG
						   stanza, or disabled) */
	struct spa_key		 key;		/* Rijndael, and the HMAC of
						   GnuPG packets */

	uint32_t		 fw_access_timeout;
	uint32_t		 max_fw_timeout;
	int64_t			 expire;	/* epoch seconds, 0: never */

	char			*require_username;
	bool			 require_source_address;

	bool			 enable_cmd_exec;
	bool			 enable_cmd_sudo_exec;
	struct access_account	 cmd_exec_user;
	struct access_account	 cmd_exec_group;	/* gid only */
	struct access_account	 cmd_sudo_exec_user;
	struct access_account	 cmd_sudo_exec_group;	/* gid only */

	char			*cmd_cycle_open;
	char			*cmd_cycle_close;	/* NULL with close_none */
	bool			 cmd_cycle_close_none;
	uint32_t		 cmd_cycle_timer;	/* 0: not set */
	char			*cmd_cycle_refresh;	/* NULL: the open again */
	bool			 cmd_cycle_refresh_none;
	uint8_t			 cmd_cycle_close_absent[ACCESS_ABSENT_MAX];
	size_t			 cmd_cycle_close_nabsent;	/* increasing */
	bool			 cmd_cycle_shell;	/* run cycles via /bin/sh -c */
	uint32_t		 cmd_timeout;	/* seconds per command, 0: default */
	struct stanza_at	 at_open;	/* CMD_CYCLE_OPEN's line */
	struct stanza_at	 at_close;
	struct stanza_at	 at_refresh;
	struct stanza_at	 at_close_absent;

	/* iptables-era NAT directives: validated and carried for actions */
	bool			 has_force_nat;
	struct spa_addr		 force_nat_addr;
	uint16_t		 force_nat_port;
	bool			 has_force_snat;
	struct spa_addr		 force_snat_addr;
	bool			 force_masquerade;
	bool			 disable_dnat;
	bool			 forward_all;

	/*
	 * fwknop 1.x's shared knock sequences (doc/knock.md): a stanza with
	 * SHARED_SEQUENCE is a knock stanza.  It has no key, so no SPA
	 * packet matches it; a complete sequence from a SOURCE address
	 * opens OPEN_PORTS through the stanza's command cycle.
	 */
	bool			 knock;
	struct knock_seq	 shared_sequence;
	uint32_t		 knock_interval;	/* seconds, first to last */
	bool			 has_min_time_diff;
	uint32_t		 min_time_diff;	/* between knocks: more than */
	bool			 has_max_time_diff;
	uint32_t		 max_time_diff;	/* between knocks: less than */

	/*
	 * GnuPG (gpg.h): `gpg` when GPG_DECRYPT_PW or GPG_ALLOW_NO_PW gives
	 * the stanza a key to decrypt with.  gpg_require_sig is the rule in
	 * force once the stanza is read (fwknopd's default: on unless
	 * GPG_DISABLE_SIG).  The keyring is read by the executor
	 * (executor/keyring.c) and parsed by the verifier into gpg_ctx.
	 */
	bool			 gpg;
	char			*gpg_home_dir;
	char			*gpg_exe;	/* read, never used: no gpg runs */
	char			*gpg_decrypt_id;
	char			*gpg_remote_id;
	char			*gpg_fingerprint_id;
	bool			 has_gpg_decrypt_pw;
	char			*gpg_decrypt_pw;	/* wiped when freed */
	bool			 gpg_allow_no_pw;
	bool			 gpg_require_sig;
	bool			 gpg_disable_sig;
	bool			 gpg_ignore_sig_verify_error;
	struct gpg_keyring	 gpg_keyring;
	void			*gpg_ctx;	/* the verifier's (openpgp.h) */
	/*
	 * The per-user file (folder member or %include_keys file) that set
	 * GPG_HOME_DIR, GPG_DECRYPT_ID, GPG_DECRYPT_PW or GPG_ALLOW_NO_PW,
	 * or NULL: all in the admin's files.  Its keys failing to load
	 * then disables this stanza alone (verifier/openpgp.c).
	 */
	char			*gpg_user_file;
	bool			 gpg_home_per_user;	/* GPG_HOME_DIR set
						   in gpg_user_file */
};

/* A per-user file whose error disabled its stanzas. */
struct access_disabled {
	char		*file;		/* the folder member or key file */
	char		*why;		/* "file:line: reason" */
	unsigned int	 first;		/* its stanzas: first..last */
	unsigned int	 last;		/* (last < first: none) */
};

struct access_conf {
	size_t			  n;
	struct stanza		**stanzas;	/* stanzas[i]->number == i+1 */
	size_t			  ndisabled;
	struct access_disabled	 *disabled;	/* in load order */
};

/* Where and why loading failed: "file:line: reason". */
struct access_error {
	char		text[512];
};

/*
 * Load a policy from an access file, or from every *.conf file of a folder
 * (sorted by name) when `folder` is true.  Warnings are logged; errors fill
 * `err` and return a negative SPA_ERR_*.  The result is freed with
 * access_free(), which wipes the keys.
 */
int	access_load(const char *path, bool folder, struct access_conf **out,
	    struct access_error *err);
void	access_free(struct access_conf *conf);

/* Stanzas disabled by per-user files' errors. */
size_t	access_disabled_stanzas(const struct access_conf *conf);
/*
 * Disable stanza `st` after loading, as an error in the per-user file
 * `path` would have (a GnuPG home directory a member names that cannot be
 * read: executor/keyring.c): a placeholder, listed with `why`
 * ("file:line: reason"), logged at error.  0 or SPA_ERR_NOMEM.
 */
int	access_disable_stanza(struct access_conf *conf, struct stanza *st,
	    const char *path, const char *why);
/* Some stanza is not disabled. */
bool	access_any_usable(const struct access_conf *conf);
/* One line per disabled per-user file: its error, what it disabled. */
void	access_print_disabled(const struct access_conf *conf, FILE *fp);
/*
 * The verdict spagate check and --exit-parse-config print: "configuration
 * OK: N stanzas from PATH" and 0, or the disabled files, "configuration
 * loaded with errors: ..." and ACCESS_EXIT_DISABLED.
 */
int	access_print_verdict(const struct access_conf *conf, const char *path,
	    FILE *fp);
/*
 * The exit status of spagate check and spagated --exit-parse-config when
 * the policy loads but per-user files are disabled (0: all loaded, 1:
 * refused), so that `spagate check && restart` stops there too.
 */
#define ACCESS_EXIT_DISABLED	3

/* True if some stanza's SOURCE accepts `src` (cheap pre-filter). */
bool	access_any_source(const struct access_conf *conf,
	    const struct spa_addr *src);

/*
 * The knock doors of the SHARED_SEQUENCE stanzas (not disabled ones), in
 * stanza order, for the knock engine (verifier/knock_engine.h).  Each
 * refers to its stanza's SOURCE list: it must not outlive `conf`.  0 and
 * none (*doors NULL) when no stanza has one, or SPA_ERR_NOMEM.  Freed
 * with access_knock_doors_free().
 */
int	access_knock_doors(const struct access_conf *conf,
	    struct knock_door **doors, size_t *n);
void	access_knock_doors_free(struct knock_door *doors, size_t n);

/*
 * Print the effective policy, one stanza after the other, keys masked.
 * Used by spagated -D and spagate check.
 */
void	access_dump(const struct access_conf *conf, FILE *fp);

#endif /* SPA_ACCESS_H */
