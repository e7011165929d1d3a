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
#include "conf_cisco.h"
#include "conf_group.h"
#include "err.h"

/* Words that already route elsewhere: a device may not hide them. */
static const char *const reserved[] = { "ipset", "exec", "none" };

const struct conf_cisco_list *
conf_cisco_list(const struct spa_conf *c)
{
	static const struct conf_cisco_list none = { NULL, 0 };
	const struct conf_cisco_list *l = conf_group_value(c,
	    &conf_group_cisco);

	return l != NULL ? l : &none;
}

const struct conf_cisco *
conf_cisco_find(const struct spa_conf *c, const char *name)
{
	const struct conf_cisco_list *l = conf_cisco_list(c);
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
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
check_addr(const char *v)
{
	struct spa_addr a;

	return addr_parse(v, &a) == 0 ? NULL :
	    "must be a numeric IPv4 or IPv6 address (no DNS)";
}

static const char *
check_word(const char *v)
{
	return v[0] != '\0' && strlen(v) <= 64 && all_of(v, "._-@", true) ?
	    NULL : "must be 1 to 64 of A-Z a-z 0-9 . _ - @";
}

static const char *
check_acl(const char *v)
{
	return isalpha((unsigned char)v[0]) && strlen(v) <= 64 &&
	    all_of(v, "._-", true) ? NULL :
	    "must start with a letter, then A-Z a-z 0-9 . _ - (64 at most)";
}

static const char *
check_algos(const char *v)
{
	return v[0] != '\0' && strlen(v) <= 1024 &&
	    all_of(v, "abcdefghijklmnopqrstuvwxyz0123456789@.,+-", false) ?
	    NULL : "must be a comma-separated list of algorithm names";
}

static const char *
check_ranges(const char *v)
{
	return ranges_walk(v, NULL, NULL);
}

#define K_STR(n, chk)	CONF_KEY_STR(struct conf_cisco, #n, n, chk)
#define K_BOOL(n)	CONF_KEY_BOOL(struct conf_cisco, #n, n)
#define K_INT(n, lo, hi) CONF_KEY_INT(struct conf_cisco, #n, n, lo, hi)

/* One device's settings, in the order of the dump. */
static const struct conf_key keys[] = {
	K_STR(name, check_name),
	K_STR(host, check_addr),
	K_INT(port, 1, 65535),
	K_STR(user, check_word),
	K_STR(key_file, conf_check_secret),
	K_STR(password_file, conf_check_secret),
	K_STR(enable_secret_file, conf_check_secret),
	K_STR(known_hosts, conf_check_pinned),
	K_STR(acl, check_acl),
	K_STR(acl6, check_acl),
	K_INT(seq_first, 1, CONF_CISCO_SEQ_MAX),
	K_INT(seq_last, 1, CONF_CISCO_SEQ_MAX),
	K_INT(connect_timeout, 1, 600),
	K_INT(command_timeout, 1, 600),
	K_INT(keepalive, 0, 3600),
	K_BOOL(save_config),
	K_BOOL(time_range),
	K_STR(fleet_ranges, check_ranges),
	K_STR(kex, check_algos),
	K_STR(hostkey_algorithms, check_algos),
	K_STR(ciphers, check_algos),
};

static const struct conf_table device = {
	"cisco: ", keys, sizeof(keys) / sizeof(keys[0]), NULL,
};

static bool
same_list(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Checks between keys of one device, then against the ones before it. */
static int
check_device(const struct conf_cisco_list *c, const struct conf_cisco *d,
    const char *file, struct conf_error *err)
{
	static const char *const required[] = { "name", "host", "user",
	    "known_hosts" };
	const struct conf_cisco *o;
	size_t i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (*(char *const *)((const char *)d +
		    conf_table_find(&device, required[i])->offset) == NULL)
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
	for (o = c->v; o < d; o++) {
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
load_device(struct conf_cisco_list *c, config_setting_t *group,
    const char *file, struct conf_error *err)
{
	struct conf_cisco *d = &c->v[c->n];
	config_setting_t *cs;
	const struct conf_key *k;
	unsigned int i;
	int r;

	memset(d, 0, sizeof(*d));
	c->n++;			/* so that list_clear sees it */
	d->port = 22;
	d->connect_timeout = d->command_timeout = CONF_CISCO_DEF_TIMEOUT;
	d->keepalive = CONF_CISCO_DEF_KEEPALIVE;
	d->line = config_setting_source_line(group);
	if (!config_setting_is_group(group))
		return conf_fail(err, file, d->line,
		    "cisco: each device must be a group { ... }");
	for (i = 0; (cs = config_setting_get_elem(group, i)) != NULL; i++) {
		if ((k = conf_table_find(&device,
		    config_setting_name(cs))) == NULL)
			return conf_fail(err, file,
			    config_setting_source_line(cs),
			    "cisco: unknown setting '%s'",
			    config_setting_name(cs));
		if ((r = conf_table_store(&device, k, d, cs, file, err)) != 0)
			return r;
	}
	return check_device(c, d, file, err);
}

static void
list_clear(struct conf_cisco_list *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		conf_cisco_clear(&c->v[i]);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

static int
list_load(void *value, config_setting_t *list, const char *file,
    struct conf_error *err)
{
	struct conf_cisco_list *c = value;
	int i, n, r;

	if (!config_setting_is_list(list))
		return conf_fail(err, file, config_setting_source_line(list),
		    "cisco must be a list of devices: cisco = ( { ... } );");
	list_clear(c);
	n = config_setting_length(list);
	if (n > CONF_CISCO_MAX)
		return conf_fail(err, file, config_setting_source_line(list),
		    "cisco: %d devices, at most %d", n, CONF_CISCO_MAX);
	if (n == 0)
		return 0;
	if ((c->v = calloc((size_t)n, sizeof(*c->v))) == NULL)
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
	conf_table_clear(&device, d);
	memset(d, 0, sizeof(*d));
}

int
conf_cisco_dup(const struct conf_cisco *src, struct conf_cisco *dst)
{
	*dst = *src;
	return conf_table_dup(&device, src, dst);
}

static void *
list_create(void)
{
	return calloc(1, sizeof(struct conf_cisco_list));
}

static void
list_free(void *value)
{
	if (value != NULL)
		list_clear(value);
	free(value);
}

/* Paths only: the secrets themselves are never read here. */
static void
list_dump(const void *value, FILE *fp)
{
	const struct conf_cisco_list *c = value;
	size_t i;

	if (c->n == 0)
		return;
	fprintf(fp, "cisco = (\n");
	for (i = 0; i < c->n; i++) {
		fprintf(fp, "  {\n");
		conf_table_dump(&device, &c->v[i], "    ", fp);
		fprintf(fp, "  }%s\n", i + 1 < c->n ? "," : "");
	}
	fprintf(fp, ");\n");
}

const struct conf_group conf_group_cisco = {
	.name = "cisco",
	.load = list_load,
	.create = list_create,
	.free = list_free,
	.dump = list_dump,
};
