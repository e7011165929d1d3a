/*
 * spagated.conf loader.  One table lists every setting with its type and
 * bounds; the loader walks the parsed file and refuses anything the table
 * does not know, so a typo never silently leaves a default in place.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <net/if.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "conf.h"
#include "conf_int.h"
#include "err.h"
#include "trust.h"

enum setting_kind { K_STRING, K_BOOL, K_INT, K_MODE, K_FACILITY, K_BACKEND };

struct setting {
	const char		*name;		/* dotted path */
	enum setting_kind	 kind;
	size_t			 offset;	/* into struct spa_conf */
	long long		 min, max;	/* K_INT */
	size_t			 size;		/* K_INT field width */
};

#define S_STR(n, f)		{ n, K_STRING, offsetof(struct spa_conf, f), 0, 0, 0 }
#define S_BOOL(n, f)		{ n, K_BOOL, offsetof(struct spa_conf, f), 0, 0, 0 }
#define S_INT(n, f, lo, hi)	{ n, K_INT, offsetof(struct spa_conf, f), lo, hi, \
				  sizeof(((struct spa_conf *)0)->f) }

static const struct setting settings[] = {
	S_STR("access_file", access_file),
	S_STR("access_folder", access_folder),
	S_STR("state_dir", state_dir),
	S_STR("pid_file", pid_file),
	S_INT("max_packet_age", max_packet_age, 0, CONF_MAX_PACKET_AGE),
	S_INT("replay_capacity", replay_capacity, 0, 1 << 30),
	{ "capture.mode", K_MODE, offsetof(struct spa_conf, capture.mode), 0, 0, 0 },
	S_STR("capture.interface", capture.interface),
	S_STR("capture.filter", capture.filter),
	S_BOOL("capture.promiscuous", capture.promiscuous),
	S_BOOL("capture.any_direction", capture.any_direction),
	S_STR("capture.udp_address", capture.udp_address),
	S_INT("capture.udp_port", capture.udp_port, 1, 65535),
	S_BOOL("capture.http", capture.http),
	S_STR("capture.http_address", capture.http_address),
	S_INT("capture.http_port", capture.http_port, 0, 65535),
	S_BOOL("capture.http_any_user_agent", capture.http_any_user_agent),
	S_BOOL("capture.x_forwarded_for", capture.x_forwarded_for),
	S_BOOL("nat.forwarding", nat_forwarding),
	S_BOOL("nat.local", nat_local),
	S_STR("executor.verifier_user", verifier_user),
	S_INT("executor.command_timeout", command_timeout, 1, 3600),
	S_BOOL("executor.close_on_exit", close_on_exit),
	S_INT("executor.close_retry_limit", close_retry_limit, 1, 2592000),
	S_STR("executor.sudo_exe", sudo_exe),
	S_STR("log.syslog_ident", syslog_ident),
	{ "log.syslog_facility", K_FACILITY,
	    offsetof(struct spa_conf, syslog_facility), 0, 0, 0 },
	S_INT("log.verbose", verbose, 0, 3),
	S_INT("log.refusals_per_second", log_refusals_per_sec, 0, 1000000),
	S_STR("metrics.file", metrics_file),
	S_INT("metrics.interval", metrics_interval, 1, 86400),
	{ "state_backend", K_BACKEND,
	    offsetof(struct spa_conf, state_backend), 0, 0, 0 },
	S_STR("redis.address", redis.address),
	S_STR("redis.sentinels", redis.sentinels),
	S_STR("redis.master", redis.master),
	S_STR("redis.sentinel_password_file", redis.sentinel_password_file),
	S_STR("redis.tunnels", redis.tunnels),
	S_STR("redis.user", redis.user),
	S_STR("redis.password_file", redis.password_file),
	S_STR("redis.fleet_key_file", redis.fleet_key_file),
	S_STR("redis.prefix", redis.prefix),
	S_STR("redis.gateway", redis.gateway),
	S_INT("redis.timeout_ms", redis.timeout_ms, 10, 60000),
	S_INT("redis.heartbeat", redis.heartbeat, 2, 3600),
	S_BOOL("redis.fail_closed", redis.fail_closed),
	S_BOOL("redis.claim", redis.claim),
};
#define NSETTINGS	(sizeof(settings) / sizeof(settings[0]))

static const struct {
	const char	*name;
	int		 value;
} facilities[] = {
	{ "daemon", LOG_DAEMON }, { "auth", LOG_AUTH },
	{ "authpriv", LOG_AUTHPRIV }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

static const char *
facility_name(int value)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (facilities[i].value == value)
			return facilities[i].name;
	return "?";
}

int
conf_set_string(char **field, const char *value)
{
	char *copy = strdup(value);

	if (copy == NULL)
		return SPA_ERR_NOMEM;
	free(*field);
	*field = copy;
	return 0;
}

void
conf_defaults(struct spa_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->max_packet_age = CONF_DEF_PACKET_AGE;
	c->capture.mode = CAPTURE_PCAP;
	c->capture.udp_port = CONF_DEF_PORT;
	c->syslog_facility = LOG_DAEMON;
	c->command_timeout = CONF_DEF_CMD_TIMEOUT;
	c->log_refusals_per_sec = CONF_DEF_REFUSAL_LOG;
	c->close_on_exit = true;
	c->close_retry_limit = CONF_DEF_CLOSE_RETRY_LIMIT;
	c->metrics_interval = CONF_DEF_METRICS_INTERVAL;
	conf_redis_defaults(c);
	if (conf_set_string(&c->access_file, CONF_DEF_ACCESS) != 0 ||
	    conf_set_string(&c->state_dir, SPA_STATE_DIR) != 0 ||
	    conf_set_string(&c->pid_file, CONF_DEF_PID_FILE) != 0 ||
	    conf_set_string(&c->verifier_user, CONF_DEF_VERIFIER_USER) != 0 ||
	    conf_set_string(&c->sudo_exe, CONF_DEF_SUDO) != 0 ||
	    conf_set_string(&c->capture.interface, "any") != 0 ||
	    conf_set_string(&c->capture.filter, CONF_DEF_FILTER) != 0 ||
	    conf_set_string(&c->capture.udp_address, "0.0.0.0") != 0 ||
	    conf_set_string(&c->capture.http_address, "0.0.0.0") != 0 ||
	    conf_set_string(&c->syslog_ident, "spagated") != 0)
		abort();	/* start-up allocation of a few bytes */
}

void
conf_free(struct spa_conf *c)
{
	free(c->path);
	free(c->access_file);
	free(c->access_folder);
	free(c->state_dir);
	free(c->pid_file);
	free(c->capture.interface);
	free(c->capture.filter);
	free(c->capture.udp_address);
	free(c->capture.http_address);
	free(c->syslog_ident);
	free(c->verifier_user);
	free(c->sudo_exe);
	free(c->metrics_file);
	conf_cisco_free(c);
	conf_redis_free(c);
	memset(c, 0, sizeof(*c));
}

int
conf_fail(struct conf_error *err, const char *file, int line,
    const char *fmt, ...)
{
	char why[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(err->msg, sizeof(err->msg), "%s:%d: %s", file, line, why);
	return SPA_ERR_CONFIG;
}

static const struct setting *
setting_find(const char *path)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++)
		if (strcmp(settings[i].name, path) == 0)
			return &settings[i];
	return NULL;
}

static int
store_int(const struct setting *s, config_setting_t *cs, void *field,
    const char *file, struct conf_error *err)
{
	long long v;

	if (config_setting_type(cs) != CONFIG_TYPE_INT &&
	    config_setting_type(cs) != CONFIG_TYPE_INT64)
		return conf_fail(err, file, config_setting_source_line(cs),
		    "%s must be an integer", s->name);
	v = config_setting_get_int64(cs);
	if (v < s->min || v > s->max)
		return conf_fail(err, file, config_setting_source_line(cs),
		    "%s must be in %lld..%lld, not %lld", s->name, s->min,
		    s->max, v);
	if (s->size == sizeof(uint16_t))
		*(uint16_t *)field = (uint16_t)v;
	else if (s->size == sizeof(uint32_t))
		*(uint32_t *)field = (uint32_t)v;
	else
		return SPA_ERR_ARG;
	return 0;
}

static int
store_enum(const struct setting *s, const char *v, void *field)
{
	size_t i;

	if (s->kind == K_BACKEND) {
		if (strcmp(v, "local") == 0)
			*(enum state_backend *)field = STATE_LOCAL;
		else if (strcmp(v, "redis") == 0)
			*(enum state_backend *)field = STATE_REDIS;
		else
			return SPA_ERR_ARG;
		return 0;
	}
	if (s->kind == K_MODE) {
		if (strcmp(v, "pcap") == 0)
			*(enum capture_mode *)field = CAPTURE_PCAP;
		else if (strcmp(v, "udp") == 0)
			*(enum capture_mode *)field = CAPTURE_UDP;
		else
			return SPA_ERR_ARG;
		return 0;
	}
	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++) {
		if (strcasecmp(v, facilities[i].name) == 0) {
			*(int *)field = facilities[i].value;
			return 0;
		}
	}
	return SPA_ERR_ARG;
}

static int
store_setting(struct spa_conf *c, const struct setting *s,
    config_setting_t *cs, const char *file, struct conf_error *err)
{
	void *field = (char *)c + s->offset;
	int line = config_setting_source_line(cs);
	const char *v;

	switch (s->kind) {
	case K_INT:
		return store_int(s, cs, field, file, err);
	case K_BOOL:
		if (config_setting_type(cs) != CONFIG_TYPE_BOOL)
			return conf_fail(err, file, line,
			    "%s must be true or false", s->name);
		*(bool *)field = config_setting_get_bool(cs);
		return 0;
	default:
		break;
	}
	if ((v = config_setting_get_string(cs)) == NULL)
		return conf_fail(err, file, line, "%s must be a string", s->name);
	if (s->kind == K_STRING)
		return conf_set_string((char **)field, v);
	if (store_enum(s, v, field) == 0)
		return 0;
	if (s->kind == K_MODE)
		return conf_fail(err, file, line,
		    "capture.mode must be \"pcap\" or \"udp\", not \"%s\"", v);
	if (s->kind == K_BACKEND)
		return conf_fail(err, file, line,
		    "state_backend must be \"local\" or \"redis\", not \"%s\"",
		    v);
	return conf_fail(err, file, line, "unknown syslog facility \"%s\"", v);
}

static int walk_group(struct spa_conf *, config_setting_t *, const char *,
    const char *, struct conf_error *);

static int
walk_setting(struct spa_conf *c, config_setting_t *cs, const char *prefix,
    const char *file, struct conf_error *err)
{
	const struct setting *s;
	char path[128];

	snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "",
	    config_setting_name(cs));
	/* first: "cisco = { ... }" is a device list mistyped, not a group */
	if (strcmp(path, "cisco") == 0)
		return conf_cisco_load(c, cs, file, err);
	if (config_setting_is_group(cs) && *prefix == '\0')
		return walk_group(c, cs, path, file, err);
	if ((s = setting_find(path)) == NULL)
		return conf_fail(err, file, config_setting_source_line(cs),
		    "unknown setting '%s'", path);
	return store_setting(c, s, cs, file, err);
}

/* A group exists if some setting lives in it. */
static bool
known_group(const char *prefix)
{
	size_t i, n = strlen(prefix);

	for (i = 0; i < NSETTINGS; i++)
		if (strncmp(settings[i].name, prefix, n) == 0 &&
		    settings[i].name[n] == '.')
			return true;
	return false;
}

static int
walk_group(struct spa_conf *c, config_setting_t *group, const char *prefix,
    const char *file, struct conf_error *err)
{
	config_setting_t *cs;
	int i, r;

	if (*prefix != '\0' && !known_group(prefix))
		return conf_fail(err, file, config_setting_source_line(group),
		    "unknown group '%s'", prefix);
	for (i = 0; (cs = config_setting_get_elem(group, (unsigned)i)) != NULL; i++)
		if ((r = walk_setting(c, cs, prefix, file, err)) != 0)
			return r;
	return 0;
}

/* metrics = { file = "/abs/path"; interval = N; }: a group needs a file. */
static int
check_metrics(config_t *cfg, const struct spa_conf *c, const char *file,
    struct conf_error *err)
{
	config_setting_t *g = config_lookup(cfg, "metrics");
	config_setting_t *f = config_lookup(cfg, "metrics.file");
	const char *v = c->metrics_file;
	size_t n;

	if (g == NULL)
		return 0;
	if (f == NULL)
		return conf_fail(err, file, config_setting_source_line(g),
		    "metrics needs a file (metrics = { file = "
		    "\"/run/spagate/metrics.prom\"; })");
	n = strlen(v);
	if (v[0] != '/' || v[n - 1] == '/')
		return conf_fail(err, file, config_setting_source_line(f),
		    "metrics.file \"%s\" must be an absolute file name", v);
	if (n + sizeof(".tmp") > 4096)
		return conf_fail(err, file, config_setting_source_line(f),
		    "metrics.file is too long");
	return 0;
}

/*
 * Trusted like every file spagated reads (common/trust.h), and named as
 * itself: it names sudo_exe, the metrics path and the secret files the
 * root executor opens.  A regular file (a directory would end the process
 * in libconfig's scanner, a FIFO would block); /dev/null reads as an empty
 * file: every default (-c /dev/null).
 */
static FILE *
open_conf(const char *path, struct conf_error *err)
{
	struct stat sb;
	const char *why = NULL;
	FILE *fp;
	int fd;

	fd = trust_open(path, TRUST_NOFOLLOW | TRUST_DEV_NULL, &sb, &why);
	if (fd == -1) {
		if (why != NULL) {
			snprintf(err->msg, sizeof(err->msg), "%s %s", path,
			    why);
			errno = 0;
		}
		return NULL;
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		snprintf(err->msg, sizeof(err->msg), "%s: %s", path,
		    strerror(errno));
		close(fd);
		errno = 0;
	}
	return fp;
}

int
conf_load(const char *path, bool must_exist, struct spa_conf *c,
    struct conf_error *err)
{
	config_t cfg;
	FILE *fp = NULL;
	int r;

	err->msg[0] = '\0';
	if ((fp = open_conf(path, err)) == NULL) {
		if (errno == ENOENT && !must_exist)
			return 0;
		if (err->msg[0] == '\0')
			snprintf(err->msg, sizeof(err->msg), "%s: %s", path,
			    strerror(errno));
		return SPA_ERR_CONFIG;
	}
	config_init(&cfg);
	if (config_read(&cfg, fp) != CONFIG_TRUE)
		r = conf_fail(err, path, config_error_line(&cfg), "%s",
		    config_error_text(&cfg));
	else
		r = walk_group(c, config_root_setting(&cfg), "", path, err);
	if (r == 0)
		r = check_metrics(&cfg, c, path, err);
	if (r == 0)
		r = conf_redis_check(&cfg, c, path, err);
	if (r == 0)
		r = conf_set_string(&c->path, path);
	config_destroy(&cfg);
	fclose(fp);
	return r;
}

static int
check_address(const char *name, const char *v, struct conf_error *err)
{
	struct spa_addr a;

	if (addr_parse(v, &a) == 0)
		return 0;
	snprintf(err->msg, sizeof(err->msg),
	    "%s: \"%s\" is not a numeric IPv4 or IPv6 address", name, v);
	return SPA_ERR_CONFIG;
}

int
conf_validate(const struct spa_conf *c, struct conf_error *err)
{
	if (check_address("capture.udp_address", c->capture.udp_address, err) ||
	    check_address("capture.http_address", c->capture.http_address, err))
		return SPA_ERR_CONFIG;
	if (c->state_dir[0] != '/') {
		snprintf(err->msg, sizeof(err->msg),
		    "state_dir \"%s\" must be an absolute path", c->state_dir);
		return SPA_ERR_CONFIG;
	}
	if (c->capture.http_port != 0 && !c->capture.http) {
		snprintf(err->msg, sizeof(err->msg),
		    "capture.http_port is set but capture.http is false");
		return SPA_ERR_CONFIG;
	}
	return 0;
}

static int
host_fail(struct conf_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
host_fail(struct conf_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return SPA_ERR_CONFIG;
}

/* The verifier sniffs on it: it must exist in this network namespace. */
static int
check_interface(const struct spa_conf *c, struct conf_error *err)
{
	const char *ifname = c->capture.interface;

	if (c->capture.mode != CAPTURE_PCAP || strcmp(ifname, "any") == 0 ||
	    if_nametoindex(ifname) != 0)
		return 0;
	return host_fail(err, "capture.interface \"%s\": no such network "
	    "interface", ifname);
}

/* The verifier drops to it: it must exist, and not be root. */
static int
check_verifier_user(const struct spa_conf *c, struct conf_error *err)
{
	struct passwd *pw = getpwnam(c->verifier_user);

	if (pw == NULL)
		return host_fail(err, "executor.verifier_user \"%s\" does not "
		    "exist", c->verifier_user);
	if (pw->pw_uid == 0 && geteuid() == 0)
		return host_fail(err, "executor.verifier_user \"%s\" is root: "
		    "the verifier must run unprivileged", c->verifier_user);
	return 0;
}

/* The directory a file of `what` goes in must exist (nothing makes it). */
static int
check_parent(const char *what, const char *path, struct conf_error *err)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	struct stat sb;

	if (slash == NULL || slash == path)
		return 0;
	if ((size_t)(slash - path) >= sizeof(dir))
		return host_fail(err, "%s \"%s\" is too long", what, path);
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 0;
	return host_fail(err, "%s \"%s\": %s: no such directory", what, path,
	    dir);
}

/*
 * Created if missing (in a parent that exists), else trusted as it is.
 * Only root (as spagated runs) can see into it: a user checking their
 * own files (spagate check) leaves it out.
 */
static int
check_state_dir(const struct spa_conf *c, struct conf_error *err)
{
	const char *why = NULL;
	struct stat sb;
	int fd;

	if (geteuid() != 0)
		return 0;
	if ((fd = trust_open(c->state_dir, TRUST_DIR, &sb, &why)) != -1) {
		close(fd);
		return 0;
	}
	if (why != NULL)
		return host_fail(err, "state_dir %s %s", c->state_dir, why);
	if (errno == ENOENT)
		return check_parent("state_dir", c->state_dir, err);
	return host_fail(err, "state_dir %s: %s", c->state_dir,
	    strerror(errno));
}

/* Run as root for sudo stanzas: if it is there, only root may change it. */
static int
check_sudo_exe(const struct spa_conf *c, struct conf_error *err)
{
	const char *why = NULL;
	struct stat sb;

	if (stat(c->sudo_exe, &sb) != 0)
		return 0;	/* needed only by a sudo stanza: plan_load says */
	if ((why = trust_check(&sb, 0)) == NULL)
		return 0;
	return host_fail(err, "executor.sudo_exe \"%s\" %s", c->sudo_exe,
	    why);
}

int
conf_check_host(const struct spa_conf *c, bool live, struct conf_error *err)
{
	int r;

	if ((live && (r = check_interface(c, err)) != 0) ||
	    (r = check_verifier_user(c, err)) != 0 ||
	    (r = check_state_dir(c, err)) != 0 ||
	    (r = check_parent("pid_file", c->pid_file, err)) != 0 ||
	    (c->metrics_file != NULL &&
	    (r = check_parent("metrics.file", c->metrics_file, err)) != 0) ||
	    (r = check_sudo_exe(c, err)) != 0)
		return r;
	return 0;
}

const char *
conf_yes(bool b)
{
	return b ? "true" : "false";
}

void
conf_dump_string(FILE *fp, const char *indent, const char *name,
    const char *v)
{
	if (v != NULL)
		fprintf(fp, "%s%s = \"%s\";\n", indent, name, v);
}

void
conf_dump(const struct spa_conf *c, FILE *fp)
{
	fprintf(fp, "# spagated.conf: %s\n", c->path ? c->path :
	    "(none found: defaults)");
	fprintf(fp, "access_file = \"%s\";\n", c->access_file);
	if (c->access_folder != NULL)
		fprintf(fp, "access_folder = \"%s\";\n", c->access_folder);
	fprintf(fp, "state_dir = \"%s\";\npid_file = \"%s\";\n",
	    c->state_dir, c->pid_file);
	fprintf(fp, "max_packet_age = %u;\nreplay_capacity = %u;\n",
	    c->max_packet_age, c->replay_capacity);
	fprintf(fp, "capture = {\n  mode = \"%s\";\n  interface = \"%s\";\n"
	    "  filter = \"%s\";\n  promiscuous = %s;\n  any_direction = %s;\n",
	    c->capture.mode == CAPTURE_UDP ? "udp" : "pcap",
	    c->capture.interface, c->capture.filter,
	    conf_yes(c->capture.promiscuous), conf_yes(c->capture.any_direction));
	fprintf(fp, "  udp_address = \"%s\";\n  udp_port = %u;\n"
	    "  http = %s;\n  http_address = \"%s\";\n  http_port = %u;\n",
	    c->capture.udp_address, c->capture.udp_port, conf_yes(c->capture.http),
	    c->capture.http_address, c->capture.http_port);
	fprintf(fp, "  http_any_user_agent = %s;\n  x_forwarded_for = %s;\n};\n",
	    conf_yes(c->capture.http_any_user_agent),
	    conf_yes(c->capture.x_forwarded_for));
	fprintf(fp, "nat = {\n  forwarding = %s;\n  local = %s;\n};\n",
	    conf_yes(c->nat_forwarding), conf_yes(c->nat_local));
	fprintf(fp, "executor = {\n  verifier_user = \"%s\";\n"
	    "  command_timeout = %u;\n  close_on_exit = %s;\n"
	    "  close_retry_limit = %u;\n  sudo_exe = \"%s\";\n};\n",
	    c->verifier_user, c->command_timeout, conf_yes(c->close_on_exit),
	    c->close_retry_limit, c->sudo_exe);
	fprintf(fp, "log = {\n  syslog_ident = \"%s\";\n"
	    "  syslog_facility = \"%s\";\n  verbose = %d;\n"
	    "  refusals_per_second = %u;\n};\n", c->syslog_ident,
	    facility_name(c->syslog_facility), c->verbose,
	    c->log_refusals_per_sec);
	if (c->metrics_file != NULL)
		fprintf(fp, "metrics = {\n  file = \"%s\";\n  interval = %u;\n"
		    "};\n", c->metrics_file, c->metrics_interval);
	else
		fprintf(fp, "# metrics: off (metrics = { file = \"...\"; })\n");
	conf_cisco_dump(c, fp);
	conf_redis_dump(c, fp);
}
