/*
 * access.conf: the fwknop format, read as-is (doc/access.conf.5).
 *
 * A file is a list of stanzas; each starts at SOURCE and runs to the next
 * SOURCE.  %include, %include_folder and %include_keys pull in more files.
 * Loading either yields a complete, validated policy or an error naming
 * file, line and reason: there is no partial result.
 */
#ifndef SPA_ACCESS_H
#define SPA_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "addr.h"
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

struct stanza {
	unsigned int		 number;	/* 1-based, in file order */
	char			*file;		/* where its SOURCE line is */
	unsigned int		 line;

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
	bool			 gpg_only;	/* GnuPG directives, no KEY */
	struct spa_key		 key;

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

	/* iptables-era NAT directives: validated and carried for actions */
	bool			 has_force_nat;
	struct spa_addr		 force_nat_addr;
	uint16_t		 force_nat_port;
	bool			 has_force_snat;
	struct spa_addr		 force_snat_addr;
	bool			 force_masquerade;
	bool			 disable_dnat;
	bool			 forward_all;

	/* GnuPG directives: kept only to report them (GnuPG is unsupported) */
	char			*gpg_home_dir;
	char			*gpg_exe;
	char			*gpg_decrypt_id;
	char			*gpg_remote_id;
	char			*gpg_fingerprint_id;
	bool			 has_gpg_decrypt_pw;	/* not kept */
	bool			 gpg_allow_no_pw;
	bool			 gpg_require_sig;
	bool			 gpg_disable_sig;
	bool			 gpg_ignore_sig_verify_error;
};

struct access_conf {
	size_t		  n;
	struct stanza	**stanzas;	/* in order; stanzas[i]->number == i+1 */
};

/* Where and why loading failed: "file:line: reason". */
struct access_error {
	char		msg[512];
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

/* True if some stanza's SOURCE accepts `src` (cheap pre-filter). */
bool	access_any_source(const struct access_conf *conf,
	    const struct spa_addr *src);

/*
 * Print the effective policy, one stanza after the other, keys masked.
 * Used by spagated -D and spagate check.
 */
void	access_dump(const struct access_conf *conf, FILE *fp);

#endif /* SPA_ACCESS_H */
