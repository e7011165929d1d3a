/*
 * spagated.conf: the "cisco" list, one group per IOS device.  Every key
 * is known to a table (a typo is refused, never ignored), every value is
 * checked where it is read, and the files holding secrets are checked
 * when the configuration is loaded: a key or password another user can
 * read, or replace, is refused then rather than used later.
 */
#include "config.h"

#include <ctype.h>
#include <libconfig.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "conf.h"
#include "conf_int.h"
#include "err.h"
#include "trust.h"

enum key_kind { C_STRING, C_INT, C_BOOL };

/* How a string value is checked. */
enum key_check {
	V_NONE,
	V_NAME,		/* device name */
	V_ADDR,		/* numeric address */
	V_WORD,		/* printable, no blank */
	V_ACL,		/* IOS ACL name */
	V_SECRET,	/* file only root may read */
	V_PINNED,	/* file only root may change */
	V_ALGOS,	/* libssh2 method list */
	V_RANGES,	/* sequence ranges "A-B A-B ..." */
};

struct key {
	const char	*name;
	enum key_kind	 kind;
	enum key_check	 check;
	size_t		 offset;	/* into struct conf_cisco */
	long long	 min, max;	/* C_INT */
	size_t		 size;		/* C_INT field width */
};

#define K_STR(n, chk)	{ #n, C_STRING, chk, offsetof(struct conf_cisco, n), 0, 0, 0 }
#define K_BOOL(n)	{ #n, C_BOOL, V_NONE, offsetof(struct conf_cisco, n), 0, 0, 0 }
#define K_INT(n, lo, hi) { #n, C_INT, V_NONE, offsetof(struct conf_cisco, n), \
			  lo, hi, sizeof(((struct conf_cisco *)0)->n) }

static const struct key keys[] = {
	K_STR(name, V_NAME),
	K_STR(host, V_ADDR),
	K_INT(port, 1, 65535),
	K_STR(user, V_WORD),
	K_STR(key_file, V_SECRET),
	K_STR(password_file, V_SECRET),
	K_STR(enable_secret_file, V_SECRET),
	K_STR(known_hosts, V_PINNED),
	K_STR(acl, V_ACL),
	K_STR(acl6, V_ACL),
	K_INT(seq_first, 1, CONF_CISCO_SEQ_MAX),
	K_INT(seq_last, 1, CONF_CISCO_SEQ_MAX),
	K_STR(fleet_ranges, V_RANGES),
	K_INT(connect_timeout, 1, 600),
	K_INT(command_timeout, 1, 600),
	K_INT(keepalive, 0, 3600),
	K_BOOL(save_config),
	K_BOOL(time_range),
	K_STR(kex, V_ALGOS),
	K_STR(hostkey_algorithms, V_ALGOS),
	K_STR(ciphers, V_ALGOS),
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

/* Words that already route elsewhere: a device may not hide them. */
static const char *const reserved[] = { "ipset", "exec", "none" };

const struct conf_cisco *
conf_cisco_find(const struct spa_conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ncisco; i++)
		if (strcmp(c->cisco[i].name, name) == 0)
			return &c->cisco[i];
	return NULL;
}

static bool
all_of(const char *s, const char *set, bool alnum)
{
	for (; *s != '\0'; s++)
		if (!(alnum && isalnum((unsigned char)*s)) &&
		    strchr(set, *s) == NULL)
			return false;
	return true;
}

static const char *
check_name(const char *v)
{
	size_t i;

	if (v[0] == '\0' || strlen(v) > CONF_CISCO_NAME_MAX ||
	    !all_of(v, "abcdefghijklmnopqrstuvwxyz0123456789_-", false))
		return "must be 1 to 15 of a-z 0-9 _ -";
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (strcmp(v, reserved[i]) == 0)
			return "is reserved (it names another action module)";
	return NULL;
}

/*
 * A file the executor opens later, by name (libssh2 reads the key and
 * known_hosts itself): checked now by the one rule (trust.h), named as
 * itself; a secret is also unreadable by others.
 */
const char *
conf_check_file(const char *v, bool secret)
{
	unsigned int flags = TRUST_NOFOLLOW | (secret ? TRUST_SECRET : 0);
	const char *why = NULL;
	struct stat sb;
	int fd;

	if (v[0] != '/')
		return "must be an absolute path";
	if ((fd = trust_open(v, flags, &sb, &why)) == -1)
		return why != NULL ? why : "cannot be read (missing?)";
	close(fd);
	return NULL;
}

#define RANGES_MAX	16

/*
 * Each "A-B" (or "N") of a space- or comma-separated list through `cb`;
 * NULL, or why the list is not one.
 */
static const char *
ranges_walk(const char *v, void (*cb)(void *, unsigned long, unsigned long),
    void *arg)
{
	unsigned long a, b;
	const char *p = v;
	char *end;
	size_t n = 0;

	for (;;) {
		p += strspn(p, " ,");
		if (*p == '\0')
			break;
		if (!isdigit((unsigned char)*p) || ++n > RANGES_MAX)
			return "must be up to 16 ranges FIRST-LAST of sequence "
			    "numbers, separated by spaces or commas";
		a = b = strtoul(p, &end, 10);
		if (*end == '-' && isdigit((unsigned char)end[1]))
			b = strtoul(end + 1, &end, 10);
		if ((*end != '\0' && *end != ' ' && *end != ',') || a == 0 ||
		    a > b || b > CONF_CISCO_SEQ_MAX)
			return "must be up to 16 ranges FIRST-LAST of sequence "
			    "numbers, separated by spaces or commas";
		if (cb != NULL)
			cb(arg, a, b);
		p = end;
	}
	return n == 0 ? "lists no range" : NULL;
}

struct seq_find {
	uint32_t	seq;
	bool		found;
};

static void
seq_in(void *arg, unsigned long a, unsigned long b)
{
	struct seq_find *f = arg;

	if (f->seq >= a && f->seq <= b)
		f->found = true;
}

bool
conf_cisco_seq_known(const struct conf_cisco *d, uint32_t seq)
{
	struct seq_find f = { seq, false };

	if (seq >= d->seq_first && seq <= d->seq_last)
		return true;
	if (d->fleet_ranges != NULL)
		(void)ranges_walk(d->fleet_ranges, seq_in, &f);
	return f.found;
}

static const char *
check_value(enum key_check chk, const char *v)
{
	struct spa_addr a;

	switch (chk) {
	case V_NAME:
		return check_name(v);
	case V_ADDR:
		return addr_parse(v, &a) == 0 ? NULL :
		    "must be a numeric IPv4 or IPv6 address (no DNS)";
	case V_WORD:
		return v[0] != '\0' && strlen(v) <= 64 &&
		    all_of(v, "._-@", true) ? NULL :
		    "must be 1 to 64 of A-Z a-z 0-9 . _ - @";
	case V_ACL:
		return isalpha((unsigned char)v[0]) && strlen(v) <= 64 &&
		    all_of(v, "._-", true) ? NULL :
		    "must start with a letter, then A-Z a-z 0-9 . _ - (64 at "
		    "most)";
	case V_SECRET:
		return conf_check_file(v, true);
	case V_PINNED:
		return conf_check_file(v, false);
	case V_ALGOS:
		return v[0] != '\0' && strlen(v) <= 1024 &&
		    all_of(v, "abcdefghijklmnopqrstuvwxyz0123456789@.,+-", false) ?
		    NULL : "must be a comma-separated list of algorithm names";
	case V_RANGES:
		return ranges_walk(v, NULL, NULL);
	case V_NONE:
		break;
	}
	return NULL;
}

static const struct key *
key_find(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int
store_key(struct conf_cisco *d, const struct key *k, config_setting_t *cs,
    const char *file, struct conf_error *err)
{
	void *field = (char *)d + k->offset;
	int line = config_setting_source_line(cs), type;
	const char *v, *why;
	long long n;

	type = config_setting_type(cs);
	if (k->kind == C_BOOL) {
		if (type != CONFIG_TYPE_BOOL)
			return conf_fail(err, file, line,
			    "cisco: %s must be true or false", k->name);
		*(bool *)field = config_setting_get_bool(cs);
		return 0;
	}
	if (k->kind == C_INT) {
		if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
			return conf_fail(err, file, line,
			    "cisco: %s must be an integer", k->name);
		n = config_setting_get_int64(cs);
		if (n < k->min || n > k->max)
			return conf_fail(err, file, line, "cisco: %s must be "
			    "in %lld..%lld, not %lld", k->name, k->min, k->max,
			    n);
		if (k->size == sizeof(uint16_t))
			*(uint16_t *)field = (uint16_t)n;
		else
			*(uint32_t *)field = (uint32_t)n;
		return 0;
	}
	if ((v = config_setting_get_string(cs)) == NULL)
		return conf_fail(err, file, line, "cisco: %s must be a string",
		    k->name);
	if ((why = check_value(k->check, v)) != NULL)
		return conf_fail(err, file, line, "cisco: %s \"%s\" %s",
		    k->name, v, why);
	return conf_set_string((char **)field, v);
}

static bool
same_list(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Checks between keys of one device, then against the ones before it. */
static int
check_device(const struct spa_conf *c, const struct conf_cisco *d,
    const char *file, struct conf_error *err)
{
	static const char *const required[] = { "name", "host", "user",
	    "known_hosts" };
	const struct conf_cisco *o;
	size_t i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (*(char *const *)((const char *)d +
		    key_find(required[i])->offset) == NULL)
			return conf_fail(err, file, d->line, "cisco: device "
			    "without %s", required[i]);
	if (d->acl == NULL && d->acl6 == NULL)
		return conf_fail(err, file, d->line, "cisco: device without "
		    "acl or acl6 (the IPv4 or IPv6 access list to fill)");
	/* IOS keeps one name space for both: one name is one list */
	if (d->acl != NULL && d->acl6 != NULL && strcmp(d->acl, d->acl6) == 0)
		return conf_fail(err, file, d->line, "cisco: device %s: acl "
		    "and acl6 must differ (IOS refuses an IPv6 list named "
		    "like an IPv4 one)", d->name);
	if (d->key_file == NULL && d->password_file == NULL)
		return conf_fail(err, file, d->line, "cisco: device %s: "
		    "needs key_file or password_file", d->name);
	if (d->seq_first == 0 || d->seq_last == 0 ||
	    d->seq_first > d->seq_last)
		return conf_fail(err, file, d->line, "cisco: device %s: "
		    "seq_first and seq_last must be set, first <= last",
		    d->name);
	for (o = c->cisco; o < d; o++) {
		if (strcmp(o->name, d->name) == 0)
			return conf_fail(err, file, d->line, "cisco: device "
			    "%s is already defined at line %d", d->name,
			    o->line);
		if (strcmp(o->host, d->host) == 0 && o->port == d->port &&
		    (same_list(o->acl, d->acl) || same_list(o->acl6, d->acl6)) &&
		    d->seq_first <= o->seq_last && o->seq_first <= d->seq_last)
			return conf_fail(err, file, d->line, "cisco: device "
			    "%s: sequence range %u..%u overlaps device %s's "
			    "in the same ACL", d->name, d->seq_first,
			    d->seq_last, o->name);
	}
	return 0;
}

static int
load_device(struct spa_conf *c, config_setting_t *group, const char *file,
    struct conf_error *err)
{
	struct conf_cisco *d = &c->cisco[c->ncisco];
	config_setting_t *cs;
	const struct key *k;
	unsigned int i;
	int r;

	memset(d, 0, sizeof(*d));
	c->ncisco++;		/* so that conf_cisco_free sees it */
	d->port = 22;
	d->connect_timeout = d->command_timeout = CONF_CISCO_DEF_TIMEOUT;
	d->keepalive = CONF_CISCO_DEF_KEEPALIVE;
	d->line = config_setting_source_line(group);
	if (!config_setting_is_group(group))
		return conf_fail(err, file, d->line,
		    "cisco: each device must be a group { ... }");
	for (i = 0; (cs = config_setting_get_elem(group, i)) != NULL; i++) {
		if ((k = key_find(config_setting_name(cs))) == NULL)
			return conf_fail(err, file,
			    config_setting_source_line(cs),
			    "cisco: unknown setting '%s'",
			    config_setting_name(cs));
		if ((r = store_key(d, k, cs, file, err)) != 0)
			return r;
	}
	return check_device(c, d, file, err);
}

int
conf_cisco_load(struct spa_conf *c, config_setting_t *list,
    const char *file, struct conf_error *err)
{
	int i, n, r;

	if (!config_setting_is_list(list))
		return conf_fail(err, file, config_setting_source_line(list),
		    "cisco must be a list of devices: cisco = ( { ... } );");
	conf_cisco_free(c);
	n = config_setting_length(list);
	if (n > CONF_CISCO_MAX)
		return conf_fail(err, file, config_setting_source_line(list),
		    "cisco: %d devices, at most %d", n, CONF_CISCO_MAX);
	if (n == 0)
		return 0;
	if ((c->cisco = calloc((size_t)n, sizeof(*c->cisco))) == NULL)
		return SPA_ERR_NOMEM;
	for (i = 0; i < n; i++)
		if ((r = load_device(c, config_setting_get_elem(list,
		    (unsigned)i), file, err)) != 0)
			return r;
	return 0;
}

void
conf_cisco_clear(struct conf_cisco *d)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].kind == C_STRING)
			free(*(char **)((char *)d + keys[i].offset));
	memset(d, 0, sizeof(*d));
}

int
conf_cisco_dup(const struct conf_cisco *src, struct conf_cisco *dst)
{
	char **to;
	const char *from;
	size_t i;

	*dst = *src;
	for (i = 0; i < NKEYS; i++) {
		if (keys[i].kind != C_STRING)
			continue;
		to = (char **)((char *)dst + keys[i].offset);
		from = *(char *const *)((const char *)src + keys[i].offset);
		if (from != NULL && (*to = strdup(from)) == NULL) {
			/* the rest still point into src: not ours to free */
			for (; i < NKEYS; i++)
				if (keys[i].kind == C_STRING)
					*(char **)((char *)dst +
					    keys[i].offset) = NULL;
			conf_cisco_clear(dst);
			return SPA_ERR_NOMEM;
		}
	}
	return 0;
}

void
conf_cisco_free(struct spa_conf *c)
{
	size_t i;

	for (i = 0; i < c->ncisco; i++)
		conf_cisco_clear(&c->cisco[i]);
	free(c->cisco);
	c->cisco = NULL;
	c->ncisco = 0;
}

/* Paths only: the secrets themselves are never read here. */
void
conf_cisco_dump(const struct spa_conf *c, FILE *fp)
{
	const struct conf_cisco *d;
	size_t i;

	if (c->ncisco == 0)
		return;
	fprintf(fp, "cisco = (\n");
	for (i = 0; i < c->ncisco; i++) {
		d = &c->cisco[i];
		fprintf(fp, "  {\n");
		conf_dump_string(fp, "    ", "name", d->name);
		conf_dump_string(fp, "    ", "host", d->host);
		fprintf(fp, "    port = %u;\n", d->port);
		conf_dump_string(fp, "    ", "user", d->user);
		conf_dump_string(fp, "    ", "key_file", d->key_file);
		conf_dump_string(fp, "    ", "password_file", d->password_file);
		conf_dump_string(fp, "    ", "enable_secret_file", d->enable_secret_file);
		conf_dump_string(fp, "    ", "known_hosts", d->known_hosts);
		conf_dump_string(fp, "    ", "acl", d->acl);
		conf_dump_string(fp, "    ", "acl6", d->acl6);
		fprintf(fp, "    seq_first = %u;\n    seq_last = %u;\n"
		    "    connect_timeout = %u;\n    command_timeout = %u;\n"
		    "    keepalive = %u;\n"
		    "    save_config = %s;\n    time_range = %s;\n",
		    d->seq_first, d->seq_last, d->connect_timeout,
		    d->command_timeout, d->keepalive, conf_yes(d->save_config),
		    conf_yes(d->time_range));
		conf_dump_string(fp, "    ", "fleet_ranges", d->fleet_ranges);
		conf_dump_string(fp, "    ", "kex", d->kex);
		conf_dump_string(fp, "    ", "hostkey_algorithms", d->hostkey_algorithms);
		conf_dump_string(fp, "    ", "ciphers", d->ciphers);
		fprintf(fp, "  }%s\n", i + 1 < c->ncisco ? "," : "");
	}
	fprintf(fp, ");\n");
}
