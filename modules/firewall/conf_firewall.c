/*
 * spagated.conf's firewall group (see conf_firewall.h).  The names
 * given to nft are checked here, once, so that no setting can reach a
 * transaction as anything but a plain name.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "conf.h"
#include "conf_firewall.h"
#include "conf_group.h"
#include "err.h"

static const struct conf_name backends[] = {
	{ "none", FW_NONE }, { "nftables", FW_NFTABLES },
	{ "iptables", FW_IPTABLES }, { NULL, 0 },
};

/* An nft identifier: a letter, then letters, digits, '_' or '-'. */
static const char *
check_name(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > FW_NAME_MAX ||
	    strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
	    v[0]) == NULL ||
	    strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-") != n)
		return "must be a name of letters, digits, '_' and '-', "
		    "starting with a letter, at most 32 characters";
	return NULL;
}

/* An iptables chain: the same, at most 28 characters. */
static const char *
check_chain(const char *v)
{
	if (strlen(v) > FW_CHAIN_MAX || check_name(v) != NULL)
		return "must be a name of letters, digits, '_' and '-', "
		    "starting with a letter, at most 28 characters";
	return NULL;
}

/* A program run later: an absolute path that fits. */
static const char *
check_prog(const char *v)
{
	if (v[0] != '/' || strlen(v) >= FW_PATH_MAX)
		return "must be an absolute path (under 256 characters)";
	return NULL;
}

/* firewall.snat_address: an IPv4 address (NAT is IPv4 only). */
static const char *
check_ipv4(const char *v)
{
	struct spa_addr a;

	if (addr_parse_ipv4(v, &a) != 0)
		return "must be an IPv4 address";
	return NULL;
}

#define F_KEY_INT(n, f, lo, hi) \
	CONF_KEY_INT(struct conf_firewall, n, f, lo, hi)

/* Settings of the root's "firewall" group, in the order of the dump. */
static const struct conf_key keys[] = {
	CONF_KEY_ENUM(struct conf_firewall, "firewall.backend", backend,
	    backends, false,
	    "firewall.backend must be \"none\", \"nftables\" or "
	    "\"iptables\", not "),
	CONF_KEY_STR(struct conf_firewall, "firewall.table", table,
	    check_name),
	F_KEY_INT("firewall.priority", priority, -400, 400),
	F_KEY_INT("firewall.mark", mark, 0, 0x7fffffff),
	CONF_KEY_STR(struct conf_firewall, "firewall.chain", chain,
	    check_chain),
	CONF_KEY_STR(struct conf_firewall, "firewall.forward_chain",
	    nat_chain[0], check_chain),
	CONF_KEY_STR(struct conf_firewall, "firewall.dnat_chain",
	    nat_chain[1], check_chain),
	CONF_KEY_STR(struct conf_firewall, "firewall.snat_chain",
	    nat_chain[2], check_chain),
	CONF_KEY_BOOL(struct conf_firewall, "firewall.output", output),
	CONF_KEY_STR(struct conf_firewall, "firewall.output_chain",
	    output_chain, check_chain),
	CONF_KEY_STR(struct conf_firewall, "firewall.iptables_restore",
	    restore[0], check_prog),
	CONF_KEY_STR(struct conf_firewall, "firewall.ip6tables_restore",
	    restore[1], check_prog),
	CONF_KEY_STR(struct conf_firewall, "firewall.iptables_save",
	    save[0], check_prog),
	CONF_KEY_STR(struct conf_firewall, "firewall.ip6tables_save",
	    save[1], check_prog),
	CONF_KEY_BOOL(struct conf_firewall, "firewall.snat", snat),
	CONF_KEY_STR(struct conf_firewall, "firewall.snat_address",
	    snat_address, check_ipv4),
};

static const struct conf_table table = {
	"", keys, sizeof(keys) / sizeof(keys[0]), NULL,
};

static void *
fw_create(void)
{
	struct conf_firewall *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->backend = FW_NONE;
	f->priority = FW_DEF_PRIORITY;
	f->mark = FW_DEF_MARK;
	return f;
}

static void
fw_free(void *value)
{
	if (value != NULL)
		conf_table_clear(&table, value);
	free(value);
}

static void
fw_dump(const void *value, FILE *fp)
{
	conf_table_dump(&table, value, "", fp);
}

const struct conf_group conf_group_firewall = {
	.name = "firewall",
	.table = &table,
	.create = fw_create,
	.free = fw_free,
	.dump = fw_dump,
};

const struct conf_firewall *
conf_firewall_of(const struct spa_conf *c)
{
	static const struct conf_firewall defaults = {
		.backend = FW_NONE, .priority = FW_DEF_PRIORITY,
		.mark = FW_DEF_MARK,
	};
	const struct conf_firewall *f = conf_group_value(c,
	    &conf_group_firewall);

	return f != NULL ? f : &defaults;
}

const char *
conf_firewall_table(const struct conf_firewall *f)
{
	return f->table != NULL ? f->table : FW_DEF_TABLE;
}

const char *
conf_firewall_chain(const struct conf_firewall *f)
{
	return f->chain != NULL ? f->chain : FW_DEF_CHAIN;
}

const char *
conf_firewall_nat_chain(const struct conf_firewall *f, int which)
{
	static const char *const defaults[] = { FW_DEF_FORWARD_CHAIN,
	    FW_DEF_DNAT_CHAIN, FW_DEF_SNAT_CHAIN };

	return f->nat_chain[which] != NULL ? f->nat_chain[which] :
	    defaults[which];
}

const char *
conf_firewall_output_chain(const struct conf_firewall *f)
{
	return f->output_chain != NULL ? f->output_chain : FW_DEF_OUTPUT_CHAIN;
}

const char *
conf_firewall_restore(const struct conf_firewall *f, bool v6)
{
	if (f->restore[v6] != NULL)
		return f->restore[v6];
	return v6 ? FW_DEF_IP6T_RESTORE : FW_DEF_IPT_RESTORE;
}

const char *
conf_firewall_save(const struct conf_firewall *f, bool v6)
{
	if (f->save[v6] != NULL)
		return f->save[v6];
	return v6 ? FW_DEF_IP6T_SAVE : FW_DEF_IPT_SAVE;
}
