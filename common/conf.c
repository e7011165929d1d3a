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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "conf.h"
#include "conf_group.h"
#include "err.h"
#include "trust.h"

static const struct conf_name modes[] = {
	{ "pcap", CAPTURE_PCAP }, { "udp", CAPTURE_UDP }, { NULL, 0 },
};

static const struct conf_name facilities[] = {
	{ "daemon", LOG_DAEMON }, { "auth", LOG_AUTH },
	{ "authpriv", LOG_AUTHPRIV }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	{ NULL, 0 },
};

#define S_STR(n, f)		CONF_KEY_STR(struct spa_conf, n, f, NULL)
#define S_BOOL(n, f)		CONF_KEY_BOOL(struct spa_conf, n, f)
#define S_INT(n, f, lo, hi)	CONF_KEY_INT(struct spa_conf, n, f, lo, hi)

/* In the order of the dump (spagated -D). */
static const struct conf_key settings[] = {
	S_STR("access_file", access_file),
	S_STR("access_folder", access_folder),
	S_STR("state_dir", state_dir),
	S_STR("pid_file", pid_file),
	S_INT("max_packet_age", max_packet_age, 0, CONF_MAX_PACKET_AGE),
	S_INT("replay_capacity", replay_capacity, 0, 1 << 30),
	CONF_KEY_ENUM(struct spa_conf, "capture.mode", capture.mode, modes,
	    false, "capture.mode must be \"pcap\" or \"udp\", not "),
	S_STR("capture.interface", capture.interface),
	S_STR("capture.filter", capture.filter),
	S_BOOL("capture.promiscuous", capture.promiscuous),
	S_BOOL("capture.any_direction", capture.any_direction),
	S_INT("capture.buffer", capture.buffer, CONF_BUFFER_MIN,
	    CONF_BUFFER_MAX),
	S_INT("capture.max_delay_ms", capture.max_delay_ms, 1,
	    CONF_MAX_DELAY_MS_MAX),
	S_INT("capture.workers", capture.workers, 1, CONF_WORKERS_MAX),
	S_STR("capture.udp_address", capture.udp_address),
	S_INT("capture.udp_port", capture.udp_port, 1, 65535),
	S_BOOL("capture.http", capture.http),
	S_STR("capture.http_address", capture.http_address),
	S_INT("capture.http_port", capture.http_port, 0, 65535),
	S_BOOL("capture.http_any_user_agent", capture.http_any_user_agent),
	S_BOOL("capture.x_forwarded_for", capture.x_forwarded_for),
	S_STR("capture.tcp_address", capture.tcp_address),
	S_INT("capture.tcp_port", capture.tcp_port, 0, 65535),
	S_INT("capture.tcp_connections", capture.tcp_connections, 1,
	    CONF_TCP_CONNECTIONS_MAX),
	S_INT("capture.tcp_rate", capture.tcp_rate, 0, 1000000),
	S_INT("capture.tcp_timeout_ms", capture.tcp_timeout_ms, 100, 60000),
	S_BOOL("nat.forwarding", nat_forwarding),
	S_BOOL("nat.local", nat_local),
	S_BOOL("nat.dns", nat_dns),
	S_STR("executor.verifier_user", verifier_user),
	S_INT("executor.command_timeout", command_timeout, 1, 3600),
	S_BOOL("executor.close_on_exit", close_on_exit),
	S_INT("executor.close_retry_limit", close_retry_limit, 1, 2592000),
	S_INT("executor.recheck_interval", recheck_interval, 0, 86400),
	S_STR("executor.sudo_exe", sudo_exe),
	S_STR("log.syslog_ident", syslog_ident),
	CONF_KEY_ENUM(struct spa_conf, "log.syslog_facility", syslog_facility,
	    facilities, true, "unknown syslog facility "),
	S_INT("log.verbose", verbose, 0, 3),
	S_INT("log.refusals_per_second", log_refusals_per_sec, 0, 1000000),
	S_STR("metrics.file", metrics_file),
	S_INT("metrics.interval", metrics_interval, 1, 86400),
};

/* metrics = { ... } is opt-in: shown only when on. */
static bool
shown(const void *base, const char *group, FILE *fp)
{
	const struct spa_conf *c = base;

	if (strcmp(group, "metrics") != 0 || c->metrics_file != NULL)
		return true;
	fprintf(fp, "# metrics: off (metrics = { file = \"...\"; })\n");
	return false;
}

static const struct conf_table core = {
	"", settings, sizeof(settings) / sizeof(settings[0]), shown,
};

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

/*
 * One verifier per core but one, which the executor, the kernel's
 * softirqs and the action commands share; one on a single core.
 */
uint32_t
conf_default_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n <= 2)
		return 1;
	return n - 1 > CONF_WORKERS_MAX ? CONF_WORKERS_MAX : (uint32_t)(n - 1);
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
	c->recheck_interval = CONF_DEF_RECHECK_INTERVAL;
	c->metrics_interval = CONF_DEF_METRICS_INTERVAL;
	c->capture.buffer = CONF_DEF_BUFFER;
	c->capture.max_delay_ms = CONF_DEF_MAX_DELAY_MS;
	c->capture.workers = conf_default_workers();
	c->capture.tcp_connections = CONF_DEF_TCP_CONNECTIONS;
	c->capture.tcp_rate = CONF_DEF_TCP_RATE;
	c->capture.tcp_timeout_ms = CONF_DEF_TCP_TIMEOUT_MS;
	if (conf_set_string(&c->access_file, CONF_DEF_ACCESS) != 0 ||
	    conf_set_string(&c->state_dir, SPA_STATE_DIR) != 0 ||
	    conf_set_string(&c->pid_file, CONF_DEF_PID_FILE) != 0 ||
	    conf_set_string(&c->verifier_user, CONF_DEF_VERIFIER_USER) != 0 ||
	    conf_set_string(&c->sudo_exe, CONF_DEF_SUDO) != 0 ||
	    conf_set_string(&c->capture.interface, "any") != 0 ||
	    conf_set_string(&c->capture.filter, CONF_DEF_FILTER) != 0 ||
	    conf_set_string(&c->capture.udp_address, "0.0.0.0") != 0 ||
	    conf_set_string(&c->capture.http_address, "0.0.0.0") != 0 ||
	    conf_set_string(&c->capture.tcp_address, "0.0.0.0") != 0 ||
	    conf_set_string(&c->syslog_ident, "spagated") != 0)
		abort();	/* start-up allocation of a few bytes */
}

void
conf_free(struct spa_conf *c)
{
	size_t i;

	free(c->path);
	conf_table_clear(&core, c);
	for (i = 0; i < c->ngroups; i++)
		c->group[i]->free(c->group_value[i]);
	memset(c, 0, sizeof(*c));
}

/* The table of the root's setting `path`, and its key; NULL if none. */
static const struct conf_key *
setting_find(struct spa_conf *c, const char *path, void **base,
    const struct conf_table **t)
{
	const struct conf_key *k;
	size_t i;

	*t = &core;
	*base = c;
	if ((k = conf_table_find(&core, path)) != NULL)
		return k;
	for (i = 0; i < c->ngroups; i++) {
		if ((*t = c->group[i]->table) == NULL)
			continue;
		*base = c->group_value[i];
		if ((k = conf_table_find(*t, path)) != NULL)
			return k;
	}
	return NULL;
}

/* The group that reads the setting `name` as a whole; NULL if none. */
static size_t
loader_find(const struct spa_conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ngroups; i++)
		if (c->group[i]->load != NULL &&
		    strcmp(c->group[i]->name, name) == 0)
			return i;
	return SIZE_MAX;
}

static int walk_group(struct spa_conf *, config_setting_t *, const char *,
    const char *, struct conf_error *);

static int
walk_setting(struct spa_conf *c, config_setting_t *cs, const char *prefix,
    const char *file, struct conf_error *err)
{
	const struct conf_table *t;
	const struct conf_key *k;
	char path[128];
	void *base;
	size_t g;

	snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "",
	    config_setting_name(cs));
	/* first: "cisco = { ... }" is a device list mistyped, not a group */
	if (*prefix == '\0' && (g = loader_find(c, path)) != SIZE_MAX)
		return c->group[g]->load(c->group_value[g], cs, file, err);
	if (config_setting_is_group(cs) && *prefix == '\0')
		return walk_group(c, cs, path, file, err);
	if ((k = setting_find(c, path, &base, &t)) == NULL)
		return conf_fail(err, file, config_setting_source_line(cs),
		    "unknown setting '%s'", path);
	return conf_table_store(t, k, base, cs, file, err);
}

/* A group exists if some setting lives in it. */
static bool
known_group(const struct spa_conf *c, const char *prefix)
{
	size_t i;

	if (conf_table_has_group(&core, prefix))
		return true;
	for (i = 0; i < c->ngroups; i++)
		if (c->group[i]->table != NULL &&
		    conf_table_has_group(c->group[i]->table, prefix))
			return true;
	return false;
}

static int
walk_group(struct spa_conf *c, config_setting_t *group, const char *prefix,
    const char *file, struct conf_error *err)
{
	config_setting_t *cs;
	int i, r;

	if (*prefix != '\0' && !known_group(c, prefix))
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
			snprintf(err->text, sizeof(err->text), "%s %s", path,
			    why);
			errno = 0;
		}
		return NULL;
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		snprintf(err->text, sizeof(err->text), "%s: %s", path,
		    strerror(errno));
		close(fd);
		errno = 0;
	}
	return fp;
}

/* Each registered group's checks, once the whole file is read. */
static int
check_groups(config_t *cfg, struct spa_conf *c, const char *file,
    struct conf_error *err)
{
	size_t i;
	int r;

	for (i = 0; i < c->ngroups; i++)
		if (c->group[i]->check != NULL && (r = c->group[i]->check(
		    c->group_value[i], cfg, file, err)) != 0)
			return r;
	return 0;
}

int
conf_load(const char *path, bool must_exist, struct spa_conf *c,
    struct conf_error *err)
{
	config_t cfg;
	FILE *fp = NULL;
	int r;

	err->text[0] = '\0';
	if ((fp = open_conf(path, err)) == NULL) {
		if (errno == ENOENT && !must_exist)
			return 0;
		if (err->text[0] == '\0')
			snprintf(err->text, sizeof(err->text), "%s: %s", path,
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
		r = check_groups(&cfg, c, path, err);
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
	snprintf(err->text, sizeof(err->text),
	    "%s: \"%s\" is not a numeric IPv4 or IPv6 address", name, v);
	return SPA_ERR_CONFIG;
}

int
conf_validate(const struct spa_conf *c, struct conf_error *err)
{
	if (check_address("capture.udp_address", c->capture.udp_address, err) ||
	    check_address("capture.http_address", c->capture.http_address, err) ||
	    check_address("capture.tcp_address", c->capture.tcp_address, err))
		return SPA_ERR_CONFIG;
	if (c->state_dir[0] != '/') {
		snprintf(err->text, sizeof(err->text),
		    "state_dir \"%s\" must be an absolute path", c->state_dir);
		return SPA_ERR_CONFIG;
	}
	if (c->capture.http_port != 0 && !c->capture.http) {
		snprintf(err->text, sizeof(err->text),
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
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
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

void
conf_dump(const struct spa_conf *c, FILE *fp)
{
	size_t i;

	fprintf(fp, "# spagated.conf: %s\n", c->path ? c->path :
	    "(none found: defaults)");
	conf_table_dump(&core, c, "", fp);
	for (i = 0; i < c->ngroups; i++)
		c->group[i]->dump(c->group_value[i], fp);
}
