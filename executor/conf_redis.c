/*
 * spagated.conf's fleet settings: state_backend and the "redis" group,
 * a group of the root registered like a module's.  Checked as a whole
 * once the file is read, so that each complaint can name the line of the
 * setting it is about.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conf_group.h"
#include "conf_redis.h"
#include "err.h"

#define NAME_CHARS \
	"abcdefghijklmnopqrstuvwxyz" "ABCDEFGHIJKLMNOPQRSTUVWXYZ" "0123456789"

static const struct conf_name backends[] = {
	{ "local", STATE_LOCAL }, { "redis", STATE_REDIS }, { NULL, 0 },
};

#define R_STR(n, f)		CONF_KEY_STR(struct conf_redis, n, f, NULL)
#define R_BOOL(n, f)		CONF_KEY_BOOL(struct conf_redis, n, f)
#define R_INT(n, f, lo, hi)	CONF_KEY_INT(struct conf_redis, n, f, lo, hi)

/* Settings of the root, in the order of the dump; checked as a whole. */
static const struct conf_key keys[] = {
	CONF_KEY_ENUM(struct conf_redis, "state_backend", state_backend,
	    backends, false,
	    "state_backend must be \"local\" or \"redis\", not "),
	R_STR("redis.address", address),
	R_STR("redis.sentinels", sentinels),
	R_STR("redis.master", master),
	R_STR("redis.sentinel_password_file", sentinel_password_file),
	R_STR("redis.tunnels", tunnels),
	R_STR("redis.user", user),
	R_STR("redis.password_file", password_file),
	R_STR("redis.fleet_key_file", fleet_key_file),
	R_STR("redis.prefix", prefix),
	R_STR("redis.gateway", gateway),
	R_INT("redis.timeout_ms", timeout_ms, 10, 60000),
	R_INT("redis.heartbeat", heartbeat, 2, 3600),
	R_BOOL("redis.fail_closed", fail_closed),
	R_BOOL("redis.claim", claim),
};

/* The redis group is shown with the backend that uses it. */
static bool
shown(const void *base, const char *group, FILE *fp)
{
	const struct conf_redis *r = base;

	(void)group;
	(void)fp;
	return r->state_backend == STATE_REDIS;
}

static const struct conf_table table = {
	"", keys, sizeof(keys) / sizeof(keys[0]), shown,
};

static void
defaults(struct conf_redis *r)
{
	memset(r, 0, sizeof(*r));
	r->timeout_ms = CONF_REDIS_DEF_TIMEOUT;
	r->heartbeat = CONF_REDIS_DEF_HEARTBEAT;
	r->fail_closed = true;
	r->claim = true;
}

const struct conf_redis *
conf_redis_of(const struct spa_conf *c)
{
	static const struct conf_redis local = {
		.timeout_ms = CONF_REDIS_DEF_TIMEOUT,
		.heartbeat = CONF_REDIS_DEF_HEARTBEAT,
		.fail_closed = true, .claim = true,
	};
	const struct conf_redis *r = conf_group_value(c, &conf_group_redis);

	return r != NULL ? r : &local;
}

int
conf_host_port(const char *s, char *host, size_t hostlen, uint16_t *port)
{
	const char *colon, *h = s;
	size_t hl;
	char *end;
	unsigned char buf[16];
	long p;

	if (*s == '[') {		/* [v6]:port */
		if ((colon = strstr(s, "]:")) == NULL)
			return -1;
		h = s + 1;
		hl = (size_t)(colon - h);
		colon++;
	} else {
		if ((colon = strrchr(s, ':')) == NULL ||
		    strchr(s, ':') != colon)
			return -1;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= hostlen)
		return -1;
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, buf) != 1 &&
	    inet_pton(AF_INET6, host, buf) != 1)
		return -1;
	if (colon[1] < '0' || colon[1] > '9')
		return -1;
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 1 || p > 65535)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

static bool
is_name(const char *v, const char *extra)
{
	size_t n = strlen(v);
	const char *q;

	if (n == 0 || n > CONF_REDIS_NAME_MAX)
		return false;
	for (q = v; *q != '\0'; q++)
		if (strchr(NAME_CHARS, *q) == NULL && strchr(extra, *q) == NULL)
			return false;
	return true;
}

/* Each word of a space- or comma-separated list is host:port. */
static const char *
check_addresses(const char *v, bool list)
{
	char word[128], host[INET6_ADDRSTRLEN];
	const char *p = v;
	uint16_t port;
	size_t n, count = 0;

	while (*p != '\0') {
		p += strspn(p, " ,");
		if (*p == '\0')
			break;
		n = strcspn(p, " ,");
		if (n >= sizeof(word))
			return "has an entry that is too long";
		memcpy(word, p, n);
		word[n] = '\0';
		if (conf_host_port(word, host, sizeof(host), &port) != 0)
			return list ? "must list numeric host:port entries "
			    "([v6]:port for IPv6; no DNS)" :
			    "must be a numeric host:port ([v6]:port for IPv6; "
			    "no DNS)";
		count++;
		p += n;
	}
	if (count == 0 || (!list && count > 1))
		return list ? "lists no address" : "must be one host:port";
	return NULL;
}

/* "SERVER=LOCAL SERVER=LOCAL ...", each side a numeric host:port. */
static const char *
check_tunnels(const char *v)
{
	char word[260], host[INET6_ADDRSTRLEN], *eq;
	const char *p = v;
	uint16_t port;
	size_t n, count = 0;

	for (;;) {
		p += strspn(p, " ,");
		if (*p == '\0')
			break;
		n = strcspn(p, " ,");
		if (n >= sizeof(word))
			return "has an entry that is too long";
		memcpy(word, p, n);
		word[n] = '\0';
		if ((eq = strchr(word, '=')) == NULL)
			return "must list SERVER=LOCAL pairs";
		*eq = '\0';
		if (conf_host_port(word, host, sizeof(host), &port) != 0 ||
		    conf_host_port(eq + 1, host, sizeof(host), &port) != 0)
			return "must list SERVER=LOCAL pairs of numeric host:port "
			    "([v6]:port for IPv6; no DNS)";
		count++;
		p += n;
	}
	return count == 0 ? "lists no tunnel" : NULL;
}

/* The address of a numeric host:port, as bytes; false if it is not one. */
static bool
endpoint(const char *s, unsigned char addr[16], int *family, uint16_t *port)
{
	char host[INET6_ADDRSTRLEN];

	memset(addr, 0, 16);
	if (conf_host_port(s, host, sizeof(host), port) != 0)
		return false;
	*family = strchr(host, ':') != NULL ? AF_INET6 : AF_INET;
	return inet_pton(*family, host, addr) == 1;
}

static bool
same_endpoint(const char *a, const char *b)
{
	unsigned char aa[16], ab[16];
	uint16_t pa, pb;
	int fa, fb;

	return endpoint(a, aa, &fa, &pa) && endpoint(b, ab, &fb, &pb) &&
	    fa == fb && pa == pb && memcmp(aa, ab, 16) == 0;
}

int
conf_redis_tunnel(const char *tunnels, const char *server, char *local,
    size_t len)
{
	char word[260], *eq;
	const char *p = tunnels;
	size_t n;

	for (; *(p += strspn(p, " ,")) != '\0'; p += n) {
		n = strcspn(p, " ,");
		if (n >= sizeof(word))
			continue;
		memcpy(word, p, n);
		word[n] = '\0';
		if ((eq = strchr(word, '=')) == NULL)
			continue;
		*eq = '\0';
		if (same_endpoint(word, server))
			return (size_t)snprintf(local, len, "%s", eq + 1) < len ?
			    0 : -1;
	}
	return -1;
}

/* "file:line: why", at the line of `setting` (else of the group). */
static int __attribute__((format(printf, 5, 6)))
fail_at(config_t *cfg, const char *setting, const char *file,
    struct conf_error *err, const char *fmt, ...)
{
	config_setting_t *cs = config_lookup(cfg, setting);
	char why[300];
	va_list ap;

	if (cs == NULL)
		cs = config_lookup(cfg, "redis");
	if (cs == NULL)
		cs = config_lookup(cfg, "state_backend");
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return conf_fail(err, file, cs != NULL ?
	    config_setting_source_line(cs) : 0, "%s", why);
}

/* This host's name, as far as a key may carry it. */
static int
default_gateway(struct conf_redis *r)
{
	char name[HOST_NAME_MAX + 1], *p;

	if (gethostname(name, sizeof(name)) != 0)
		snprintf(name, sizeof(name), "gateway");
	name[sizeof(name) - 1] = '\0';
	name[CONF_REDIS_NAME_MAX] = '\0';
	for (p = name; *p != '\0'; p++)
		if (strchr(NAME_CHARS "._-", *p) == NULL)
			*p = '_';
	return conf_set_string(&r->gateway, name);
}

#define NAME_RULE	"must be 1 to 64 of A-Z a-z 0-9"

static int
check(void *value, config_t *cfg, const char *file, struct conf_error *err)
{
	struct conf_redis *r = value;
	const char *why;

	if (r->state_backend != STATE_REDIS) {
		if (config_lookup(cfg, "redis") != NULL)
			return fail_at(cfg, "redis", file, err, "the redis "
			    "group needs state_backend = \"redis\"");
		return 0;
	}
	if ((r->address == NULL) == (r->sentinels == NULL))
		return fail_at(cfg, "state_backend", file, err,
		    "state_backend \"redis\" needs either redis.address or "
		    "redis.sentinels (with redis.master)");
	if (r->address != NULL &&
	    (why = check_addresses(r->address, false)) != NULL)
		return fail_at(cfg, "redis.address", file, err,
		    "redis.address \"%s\" %s", r->address, why);
	if (r->sentinels != NULL &&
	    (why = check_addresses(r->sentinels, true)) != NULL)
		return fail_at(cfg, "redis.sentinels", file, err,
		    "redis.sentinels \"%s\" %s", r->sentinels, why);
	if (r->sentinels != NULL && r->master == NULL)
		return fail_at(cfg, "redis.sentinels", file, err,
		    "redis.sentinels needs redis.master (the name Sentinel "
		    "knows the master by)");
	if (r->tunnels != NULL && r->sentinels == NULL)
		return fail_at(cfg, "redis.tunnels", file, err, "redis.tunnels "
		    "maps the servers Sentinel names: it needs redis.sentinels "
		    "(with redis.address, give the tunnel's own address)");
	if (r->tunnels != NULL && (why = check_tunnels(r->tunnels)) != NULL)
		return fail_at(cfg, "redis.tunnels", file, err,
		    "redis.tunnels \"%s\" %s", r->tunnels, why);
	if (r->sentinel_password_file != NULL && r->sentinels == NULL)
		return fail_at(cfg, "redis.sentinel_password_file", file, err,
		    "redis.sentinel_password_file needs redis.sentinels");
	if (r->sentinel_password_file != NULL &&
	    (why = conf_check_file(r->sentinel_password_file, true)) != NULL)
		return fail_at(cfg, "redis.sentinel_password_file", file, err,
		    "redis.sentinel_password_file \"%s\" %s",
		    r->sentinel_password_file, why);
	if (r->master != NULL && !is_name(r->master, "._-"))
		return fail_at(cfg, "redis.master", file, err,
		    "redis.master \"%s\" " NAME_RULE " . _ -", r->master);
	if (r->user != NULL && !is_name(r->user, "._-@"))
		return fail_at(cfg, "redis.user", file, err,
		    "redis.user \"%s\" " NAME_RULE " . _ - @", r->user);
	if (r->password_file != NULL &&
	    (why = conf_check_file(r->password_file, true)) != NULL)
		return fail_at(cfg, "redis.password_file", file, err,
		    "redis.password_file \"%s\" %s", r->password_file, why);
	if (r->prefix != NULL && !is_name(r->prefix, ":._-"))
		return fail_at(cfg, "redis.prefix", file, err,
		    "redis.prefix \"%s\" " NAME_RULE " : . _ -", r->prefix);
	if (r->gateway != NULL && !is_name(r->gateway, "._-"))
		return fail_at(cfg, "redis.gateway", file, err,
		    "redis.gateway \"%s\" " NAME_RULE " . _ -", r->gateway);
	if (r->fleet_key_file == NULL)
		return fail_at(cfg, "redis", file, err, "state_backend "
		    "\"redis\" needs redis.fleet_key_file (the key that "
		    "seals the cycle records every gateway acts on)");
	if ((why = conf_check_file(r->fleet_key_file, true)) != NULL)
		return fail_at(cfg, "redis.fleet_key_file", file, err,
		    "redis.fleet_key_file \"%s\" %s", r->fleet_key_file, why);
	if (r->prefix == NULL &&
	    conf_set_string(&r->prefix, CONF_REDIS_DEF_PREFIX) != 0)
		return SPA_ERR_NOMEM;
	if (r->gateway == NULL && default_gateway(r) != 0)
		return SPA_ERR_NOMEM;
	return 0;
}

static void *
create(void)
{
	struct conf_redis *r = malloc(sizeof(*r));

	if (r != NULL)
		defaults(r);
	return r;
}

static void
free_value(void *value)
{
	if (value != NULL)
		conf_table_clear(&table, value);
	free(value);
}

static void
dump(const void *value, FILE *fp)
{
	conf_table_dump(&table, value, "", fp);
}

const struct conf_group conf_group_redis = {
	.name = "redis",
	.table = &table,
	.create = create,
	.check = check,
	.free = free_value,
	.dump = dump,
};
