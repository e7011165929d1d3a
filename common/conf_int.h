/* Shared by the spagated.conf loaders (conf.c, conf_cisco.c). */
#ifndef SPA_CONF_INT_H
#define SPA_CONF_INT_H

#include <libconfig.h>

#include "conf.h"

/* "file:line: why" into err; returns SPA_ERR_CONFIG. */
int	conf_fail(struct conf_error *err, const char *file, int line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The "cisco" list: every device, checked (conf_cisco.c). */
int	conf_cisco_load(struct spa_conf *c, config_setting_t *list,
	    const char *file, struct conf_error *err);
void	conf_cisco_free(struct spa_conf *c);
void	conf_cisco_dump(const struct spa_conf *c, FILE *fp);

/* For the dumps: "true"/"false", and `indent name = "v";` unless v is NULL. */
const char *conf_yes(bool b);
void	conf_dump_string(FILE *fp, const char *indent, const char *name,
	    const char *v);

/* NULL if `v` names a file we trust (secret: only root may read it). */
const char *conf_check_file(const char *v, bool secret);

/* The "redis" group and state_backend, checked together (conf_redis.c). */
int	conf_redis_check(config_t *cfg, struct spa_conf *c, const char *file,
	    struct conf_error *err);
void	conf_redis_defaults(struct spa_conf *c);
void	conf_redis_free(struct spa_conf *c);
void	conf_redis_dump(const struct spa_conf *c, FILE *fp);

#endif /* SPA_CONF_INT_H */
