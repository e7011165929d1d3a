/*
 * Settings tables (conf_group.h): every spagated.conf group is read,
 * freed, copied and dumped from its table by this code, so a group
 * differs from another only in its keys and its checks.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_group.h"
#include "err.h"
#include "trust.h"

int
conf_fail(struct conf_error *err, const char *file, int line,
    const char *fmt, ...)
{
	char why[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(err->text, sizeof(err->text), "%s:%d: %s", file, line, why);
	return SPA_ERR_CONFIG;
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

const char *
conf_check_secret(const char *v)
{
	return conf_check_file(v, true);
}

const char *
conf_check_pinned(const char *v)
{
	return conf_check_file(v, false);
}

const struct conf_key *
conf_table_find(const struct conf_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->keys[i].name, name) == 0)
			return &t->keys[i];
	return NULL;
}

bool
conf_table_has_group(const struct conf_table *t, const char *prefix)
{
	size_t i, n = strlen(prefix);

	for (i = 0; i < t->n; i++)
		if (strncmp(t->keys[i].name, prefix, n) == 0 &&
		    t->keys[i].name[n] == '.')
			return true;
	return false;
}

static int
store_int(const struct conf_table *t, const struct conf_key *k, void *field,
    config_setting_t *cs, const char *file, struct conf_error *err)
{
	int line = config_setting_source_line(cs);
	long long v;

	if (config_setting_type(cs) != CONFIG_TYPE_INT &&
	    config_setting_type(cs) != CONFIG_TYPE_INT64)
		return conf_fail(err, file, line, "%s%s must be an integer",
		    t->what, k->name);
	v = config_setting_get_int64(cs);
	if (v < k->min || v > k->max)
		return conf_fail(err, file, line, "%s%s must be in "
		    "%lld..%lld, not %lld", t->what, k->name, k->min, k->max,
		    v);
	if (k->size == sizeof(uint16_t))
		*(uint16_t *)field = (uint16_t)v;
	else if (k->size == sizeof(uint32_t))
		*(uint32_t *)field = (uint32_t)v;
	else
		return SPA_ERR_ARG;
	return 0;
}

static int
store_enum(const struct conf_key *k, const char *v, void *field)
{
	const struct conf_name *n;

	if (k->size != sizeof(int))
		return SPA_ERR_ARG;
	for (n = k->names; n->name != NULL; n++) {
		if (k->any_case ? strcasecmp(v, n->name) == 0 :
		    strcmp(v, n->name) == 0) {
			*(int *)field = n->value;
			return 0;
		}
	}
	return SPA_ERR_CONFIG;
}

int
conf_table_store(const struct conf_table *t, const struct conf_key *k,
    void *base, config_setting_t *cs, const char *file,
    struct conf_error *err)
{
	void *field = (char *)base + k->offset;
	int line = config_setting_source_line(cs);
	const char *v, *why;

	if (k->type == CONF_INT)
		return store_int(t, k, field, cs, file, err);
	if (k->type == CONF_BOOL) {
		if (config_setting_type(cs) != CONFIG_TYPE_BOOL)
			return conf_fail(err, file, line,
			    "%s%s must be true or false", t->what, k->name);
		*(bool *)field = config_setting_get_bool(cs);
		return 0;
	}
	if ((v = config_setting_get_string(cs)) == NULL)
		return conf_fail(err, file, line, "%s%s must be a string",
		    t->what, k->name);
	if (k->type == CONF_ENUM) {
		if (store_enum(k, v, field) == SPA_ERR_CONFIG)
			return conf_fail(err, file, line, "%s%s\"%s\"",
			    t->what, k->bad, v);
		return store_enum(k, v, field);
	}
	if (k->check != NULL && (why = k->check(v)) != NULL)
		return conf_fail(err, file, line, "%s%s \"%s\" %s", t->what,
		    k->name, v, why);
	return conf_set_string((char **)field, v);
}

void
conf_table_clear(const struct conf_table *t, void *base)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (t->keys[i].type != CONF_STRING)
			continue;
		free(*(char **)((char *)base + t->keys[i].offset));
		*(char **)((char *)base + t->keys[i].offset) = NULL;
	}
}

int
conf_table_dup(const struct conf_table *t, const void *src, void *dst)
{
	const char *from;
	char **to;
	size_t i, j;

	for (i = 0; i < t->n; i++) {
		if (t->keys[i].type != CONF_STRING)
			continue;
		to = (char **)((char *)dst + t->keys[i].offset);
		from = *(char *const *)((const char *)src +
		    t->keys[i].offset);
		if (from == NULL || (*to = strdup(from)) != NULL)
			continue;
		/* the rest still point into src: not ours to free */
		for (j = i; j < t->n; j++)
			if (t->keys[j].type == CONF_STRING)
				*(char **)((char *)dst +
				    t->keys[j].offset) = NULL;
		conf_table_clear(t, dst);
		return SPA_ERR_NOMEM;
	}
	return 0;
}

/* --- the dump -------------------------------------------------------------- */

static void
dump_value(const struct conf_key *k, const void *field, const char *indent,
    const char *name, FILE *fp)
{
	const struct conf_name *n;
	const char *s;

	switch (k->type) {
	case CONF_STRING:
		if ((s = *(char *const *)field) != NULL)
			fprintf(fp, "%s%s = \"%s\";\n", indent, name, s);
		return;
	case CONF_BOOL:
		fprintf(fp, "%s%s = %s;\n", indent, name,
		    *(const bool *)field ? "true" : "false");
		return;
	case CONF_INT:
		/* a key that may be negative is an int (firewall.priority) */
		fprintf(fp, "%s%s = %lld;\n", indent, name,
		    k->size == sizeof(uint16_t) ?
		    (long long)*(const uint16_t *)field : k->min < 0 ?
		    (long long)*(const int32_t *)field :
		    (long long)*(const uint32_t *)field);
		return;
	case CONF_ENUM:
		for (n = k->names; n->name != NULL; n++)
			if (n->value == *(const int *)field)
				break;
		fprintf(fp, "%s%s = \"%s\";\n", indent, name,
		    n->name != NULL ? n->name : "?");
		return;
	}
}

/* The group a dotted key lives in ("capture" of "capture.mode"), or "". */
static size_t
group_len(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot != NULL ? (size_t)(dot - name) : 0;
}

void
conf_table_dump(const struct conf_table *t, const void *base,
    const char *indent, FILE *fp)
{
	const struct conf_key *k;
	char inner[32], group[64] = "";	/* the group in braces, if any */
	size_t i, n;
	bool shown = true;

	snprintf(inner, sizeof(inner), "%s  ", indent);
	for (i = 0; i < t->n; i++) {
		k = &t->keys[i];
		n = group_len(k->name);
		if (group[0] != '\0' && (n != strlen(group) ||
		    strncmp(k->name, group, n) != 0)) {
			if (shown)
				fprintf(fp, "%s};\n", indent);
			group[0] = '\0';
		}
		if (n > 0 && group[0] == '\0') {
			snprintf(group, sizeof(group), "%.*s", (int)n, k->name);
			shown = t->shown == NULL || t->shown(base, group, fp);
			if (shown)
				fprintf(fp, "%s%s = {\n", indent, group);
		}
		if (n == 0)
			dump_value(k, (const char *)base + k->offset, indent,
			    k->name, fp);
		else if (shown)
			dump_value(k, (const char *)base + k->offset, inner,
			    k->name + n + 1, fp);
	}
	if (group[0] != '\0' && shown)
		fprintf(fp, "%s};\n", indent);
}

/* --- groups ---------------------------------------------------------------- */

int
conf_add_group(struct spa_conf *c, const struct conf_group *g)
{
	void *v;

	if (c->ngroups >= CONF_GROUPS_MAX)
		return SPA_ERR_ARG;
	if ((v = g->create()) == NULL)
		return SPA_ERR_NOMEM;
	c->group[c->ngroups] = g;
	c->group_value[c->ngroups++] = v;
	return 0;
}

void *
conf_group_value(const struct spa_conf *c, const struct conf_group *g)
{
	size_t i;

	for (i = 0; i < c->ngroups; i++)
		if (c->group[i] == g)
			return c->group_value[i];
	return NULL;
}
