/*
 * The spagated.conf core every group uses: one dialect of settings
 * tables (a key's name, type, place in its group's value, bounds or
 * check), read, freed, copied and dumped by the same code, and the groups
 * owners register (a module's device list, the fleet's redis group), so
 * that conf.c names none of them.  A group's parsed value lives in the
 * configuration but belongs to its owner, who reaches it with
 * conf_group_value().
 */
#ifndef SPA_CONF_GROUP_H
#define SPA_CONF_GROUP_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "conf.h"

enum conf_type {
	CONF_STRING,
	CONF_BOOL,
	CONF_INT,	/* uint16_t, uint32_t or int, by the field's size */
	CONF_ENUM,	/* a name of `names`, stored as an int-sized value */
};

struct conf_name {
	const char	*name;
	int		 value;
};

struct conf_key {
	const char		*name;	/* "mode", or "capture.mode" at root */
	enum conf_type		 type;
	size_t			 offset;	/* into the group's value */
	size_t			 size;		/* CONF_INT: the field's */
	long long		 min, max;	/* CONF_INT */
	/* CONF_STRING: NULL, or why `v` is refused */
	const char		*(*check)(const char *v);
	const struct conf_name	*names;	/* CONF_ENUM: ends with NULL */
	bool			 any_case;	/* CONF_ENUM: "LOCAL0" too */
	const char		*bad;	/* CONF_ENUM: the complaint, before
					   the value in quotes */
};

#define CONF_KEY_STR(T, n, f, chk) { .name = n, .type = CONF_STRING, \
	.offset = offsetof(T, f), .check = chk }
#define CONF_KEY_BOOL(T, n, f) { .name = n, .type = CONF_BOOL, \
	.offset = offsetof(T, f) }
#define CONF_KEY_INT(T, n, f, lo, hi) { .name = n, .type = CONF_INT, \
	.offset = offsetof(T, f), .size = sizeof(((T *)0)->f), .min = lo, \
	.max = hi }
#define CONF_KEY_ENUM(T, n, f, nm, anycase, complaint) { .name = n, \
	.type = CONF_ENUM, .offset = offsetof(T, f), \
	.size = sizeof(((T *)0)->f), .names = nm, .any_case = anycase, \
	.bad = complaint }

struct conf_table {
	const char		*what;	/* starts its complaints: "cisco: " */
	const struct conf_key	*keys;
	size_t			 n;
	/*
	 * Optional, for the dump: whether the group `group` ("metrics") is
	 * shown; it may print a line in its place.
	 */
	bool			(*shown)(const void *base, const char *group,
				    FILE *fp);
};

const struct conf_key *conf_table_find(const struct conf_table *t,
	    const char *name);
/* Whether some key of `t` lives in the group `prefix` ("capture"). */
bool	conf_table_has_group(const struct conf_table *t, const char *prefix);
/* One value into its field of `base`; "file:line: why" if refused. */
int	conf_table_store(const struct conf_table *t, const struct conf_key *k,
	    void *base, config_setting_t *cs, const char *file,
	    struct conf_error *err);
void	conf_table_clear(const struct conf_table *t, void *base);
/* A deep copy of `src`'s strings into `dst` (a copy of `src`). */
int	conf_table_dup(const struct conf_table *t, const void *src, void *dst);
/* `name = value;` for each key, its groups in braces, strings if set. */
void	conf_table_dump(const struct conf_table *t, const void *base,
	    const char *indent, FILE *fp);

/*
 * A group an owner registers.  `table` holds settings of the root (the
 * fleet's state_backend and redis.*), or `load` reads the setting named
 * `name` as a whole (the cisco device list).  After the file is read,
 * `check` sees the value and the file (for line numbers).
 */
struct conf_group {
	const char		*name;
	const struct conf_table	*table;
	int	(*load)(void *value, config_setting_t *cs, const char *file,
		    struct conf_error *err);
	/* A value with every default. */
	void	*(*create)(void);
	int	(*check)(void *value, config_t *cfg, const char *file,
		    struct conf_error *err);
	void	(*free)(void *value);
	void	(*dump)(const void *value, FILE *fp);
};

/* Register `g` in `c` (after conf_defaults, before conf_load). */
int	conf_add_group(struct spa_conf *c, const struct conf_group *g);
/* The value of `g` in `c`; NULL if `c` has no such group. */
void	*conf_group_value(const struct spa_conf *c, const struct conf_group *g);

/* "file:line: why" into err; returns SPA_ERR_CONFIG. */
int	conf_fail(struct conf_error *err, const char *file, int line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* NULL if `v` names a file we trust (secret: only root may read it). */
const char *conf_check_file(const char *v, bool secret);
/* The same, for a key's check: a secret file, a pinned one. */
const char *conf_check_secret(const char *v);
const char *conf_check_pinned(const char *v);

#endif /* SPA_CONF_GROUP_H */
