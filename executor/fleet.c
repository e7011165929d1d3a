/*
 * Fleet mode through hiredis's synchronous API (see fleet.h).  Commands
 * are appended to the connection's buffer and their replies read in
 * order: `queued` counts the replies still owed for cycle updates, read
 * before anything else waits for its own.  Any error, timeout or reply
 * of the wrong shape drops the connection: the next attempt starts
 * afresh after a backoff, and nothing here ever blocks longer than
 * redis.timeout_ms per call.
 */
#include "config.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "event.h"
#include "fleet.h"
#include "fleet_rec.h"
#include "log.h"
#include "secret.h"

#define BACKOFF_MAX_S	30
#define TICK_MS		1000	/* heartbeat and claim scan */
#define CLAIM_BATCH	64	/* overdue members looked at per scan */
#define SECRET_MAX	512
#define KEY_MAX		(CONF_REDIS_NAME_MAX * 2 + 80)
#define MEMBER_MAX	(CONF_REDIS_NAME_MAX + 1 + 16 + 1)
#define TEXT_MAX	160	/* of a reply's text, escaped, in a log line */

struct fleet {
	struct conf_redis	 conf;		/* our own copies */
	struct fleet_hooks	 hooks;
	struct crypto_hmac	*key;		/* the fleet key, read at each
						   connection */
	redisContext		*ctx;		/* NULL: not connected */
	char			 where[400];	/* for log lines */
	size_t			 queued;	/* replies owed for updates */
	int64_t			 retry_at_ms;	/* next connection attempt */
	unsigned int		 backoff_s;
	bool			 ever_up;
	bool			 said_down;	/* logged since the last up */
	int64_t			 tick_due_ms;
	struct fleet_stats	 stats;
};

/* --- connection ---------------------------------------------------------- */

static struct timeval
tv_of(uint32_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	return tv;
}

static void
hang_up(struct fleet *f)
{
	if (f->ctx != NULL)
		redisFree(f->ctx);
	f->ctx = NULL;
	f->queued = 0;
}

/* The connection failed: log once, retry after the backoff. */
static void
went_down(struct fleet *f, const char *why, int64_t now_ms)
{
	hang_up(f);
	f->retry_at_ms = now_ms + (int64_t)f->backoff_s * 1000;
	if (!f->said_down)
		log_warnx("fleet: redis %s: %s: %s; closes run from the local "
		    "journal, retrying with backoff", f->where, why,
		    f->conf.fail_closed ? "new grants are refused "
		    "(redis.fail_closed)" : "new grants are let through "
		    "without the fleet's replay check (redis.fail_closed "
		    "= false)");
	f->said_down = true;
}

/*
 * Text that comes from Redis (a reply, an address a Sentinel names) or
 * from hiredis about it: escaped before it goes into a log line.
 */
static const char *
quoted(const char *s, char *buf, size_t len)
{
	event_quote(s, buf, len);
	return buf;
}

static const char *
ctx_error(const redisContext *c, char *buf, size_t len)
{
	return c != NULL && c->errstr[0] != '\0' ?
	    quoted(c->errstr, buf, len) :
	    "no reply (timeout or connection closed)";
}

static redisContext *
connect_to(const char *hostport, uint32_t timeout_ms, char *why, size_t len)
{
	char host[64], q[TEXT_MAX];
	uint16_t port;
	redisContext *c;

	if (conf_host_port(hostport, host, sizeof(host), &port) != 0) {
		snprintf(why, len, "bad address %s", quoted(hostport, q,
		    sizeof(q)));
		return NULL;
	}
	c = redisConnectWithTimeout(host, port, tv_of(timeout_ms));
	if (c == NULL || c->err != 0) {
		snprintf(why, len, "%s", c != NULL ? ctx_error(c, q, sizeof(q)) :
		    "out of memory");
		if (c != NULL)
			redisFree(c);
		return NULL;
	}
	if (redisSetTimeout(c, tv_of(timeout_ms)) != REDIS_OK) {
		snprintf(why, len, "cannot set a timeout");
		redisFree(c);
		return NULL;
	}
	return c;
}

/* A reply of the expected type, else why not (escaped); frees nothing. */
static const char *
reply_error(const redisReply *r, int type, char *buf, size_t len)
{
	if (r == NULL)
		return "no reply";
	if (r->type == REDIS_REPLY_ERROR)
		return quoted(r->str, buf, len);
	return r->type == type ? NULL : "unexpected reply";
}

/* AUTH with the first line of `file` (as `user` if set); 0 if accepted. */
static int
authenticate(redisContext *c, const char *file, const char *user,
    const char *what, char *why, size_t len)
{
	char pw[SECRET_MAX], q[TEXT_MAX];
	redisReply *r;
	const char *bad;

	if (file == NULL)
		return 0;
	if (secret_read(file, pw, sizeof(pw)) != 0) {
		snprintf(why, len, "%s %s cannot be read: %s", what, file,
		    strerror(errno));
		return -1;
	}
	r = user != NULL ? redisCommand(c, "AUTH %s %s", user, pw) :
	    redisCommand(c, "AUTH %s", pw);
	explicit_bzero(pw, sizeof(pw));
	if ((bad = reply_error(r, REDIS_REPLY_STATUS, q, sizeof(q))) != NULL)
		snprintf(why, len, "AUTH refused: %s", r != NULL ? bad :
		    ctx_error(c, q, sizeof(q)));
	if (r != NULL)
		freeReplyObject(r);
	return bad == NULL ? 0 : -1;
}

/* Ask one Sentinel where the master is: "host:port" into `out`. */
static int
ask_sentinel(struct fleet *f, const char *sentinel, char *out, size_t len,
    char *why, size_t whylen)
{
	char q[TEXT_MAX];
	redisContext *c;
	redisReply *r;
	const char *bad;
	int ok = -1;

	if ((c = connect_to(sentinel, f->conf.timeout_ms, why, whylen)) == NULL)
		return -1;
	if (authenticate(c, f->conf.sentinel_password_file, NULL,
	    "redis.sentinel_password_file", q, sizeof(q)) != 0) {
		snprintf(why, whylen, "sentinel %s: %s", sentinel, q);
		redisFree(c);
		return -1;
	}
	r = redisCommand(c, "SENTINEL get-master-addr-by-name %s",
	    f->conf.master);
	if ((bad = reply_error(r, REDIS_REPLY_ARRAY, q, sizeof(q))) != NULL)
		snprintf(why, whylen, "sentinel %s: %s", sentinel,
		    r != NULL ? bad : ctx_error(c, q, sizeof(q)));
	else if (r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_STRING ||
	    r->element[1]->type != REDIS_REPLY_STRING)
		snprintf(why, whylen, "sentinel %s knows no master \"%s\"",
		    sentinel, f->conf.master);
	else if ((size_t)snprintf(out, len, strchr(r->element[0]->str, ':') ?
	    "[%s]:%s" : "%s:%s", r->element[0]->str, r->element[1]->str) >=
	    len)
		snprintf(why, whylen, "sentinel %s: address too long",
		    sentinel);
	else
		ok = 0;
	if (r != NULL)
		freeReplyObject(r);
	redisFree(c);
	return ok;
}

/* A Sentinel's answer is only a hint: the server must say it is master. */
static int
is_master(redisContext *c, char *why, size_t len)
{
	redisReply *r = redisCommand(c, "ROLE");
	char q[TEXT_MAX];
	const char *bad = reply_error(r, REDIS_REPLY_ARRAY, q, sizeof(q));
	int ok = -1;

	if (bad != NULL)
		snprintf(why, len, "ROLE: %s", r != NULL ? bad :
		    ctx_error(c, q, sizeof(q)));
	else if (r->elements < 1 || r->element[0]->type != REDIS_REPLY_STRING ||
	    strcmp(r->element[0]->str, "master") != 0)
		snprintf(why, len, "the server is not a master (a failover "
		    "in progress?)");
	else
		ok = 0;
	if (r != NULL)
		freeReplyObject(r);
	return ok;
}

/*
 * Where to connect for the master a Sentinel named: with redis.tunnels
 * the local tunnel listed for it, never the server itself (the password
 * would cross the network in clear); without, the server.
 */
static int
route(const struct fleet *f, const char *sentinel, const char *master,
    char *via, size_t len, char *why, size_t whylen)
{
	if (f->conf.tunnels == NULL)
		return (size_t)snprintf(via, len, "%s", master) < len ? 0 : -1;
	if (conf_redis_tunnel(f->conf.tunnels, master, via, len) == 0)
		return 0;
	snprintf(why, whylen, "sentinel %s names the master at %s, which "
	    "redis.tunnels does not list: not connected (it would be in "
	    "clear)", sentinel, master);
	log_errx("fleet: %s", why);	/* a setting to fix: said each time */
	return -1;
}

/* The master that Sentinel `sentinel` names, if it says it is one. */
static redisContext *
dial_sentinel(struct fleet *f, const char *sentinel, char *why, size_t len)
{
	char master[96], via[96];
	redisContext *c;

	if (ask_sentinel(f, sentinel, master, sizeof(master), why, len) != 0 ||
	    route(f, sentinel, master, via, sizeof(via), why, len) != 0 ||
	    (c = connect_to(via, f->conf.timeout_ms, why, len)) == NULL)
		return NULL;
	if (authenticate(c, f->conf.password_file, f->conf.user,
	    "redis.password_file", why, len) == 0 &&
	    is_master(c, why, len) == 0) {
		snprintf(f->where, sizeof(f->where), "master \"%s\" at %s%s%s "
		    "(from sentinel %s)", f->conf.master, master,
		    strcmp(via, master) != 0 ? " through " : "",
		    strcmp(via, master) != 0 ? via : "", sentinel);
		return c;
	}
	redisFree(c);
	return NULL;
}

/* Connect to the address, or to the master one of the Sentinels names. */
static redisContext *
dial(struct fleet *f, char *why, size_t len)
{
	char list[1024];
	redisContext *c;
	char *tok, *save = NULL;

	if (f->conf.address != NULL) {
		snprintf(f->where, sizeof(f->where), "%s", f->conf.address);
		if ((c = connect_to(f->conf.address, f->conf.timeout_ms, why,
		    len)) == NULL)
			return NULL;
		if (authenticate(c, f->conf.password_file, f->conf.user,
		    "redis.password_file", why, len) == 0)
			return c;
		redisFree(c);
		return NULL;
	}
	snprintf(f->where, sizeof(f->where), "master \"%s\" (sentinels %s)",
	    f->conf.master, f->conf.sentinels);
	snprintf(list, sizeof(list), "%s", f->conf.sentinels);
	for (tok = strtok_r(list, " ,", &save); tok != NULL;
	    tok = strtok_r(NULL, " ,", &save))
		if ((c = dial_sentinel(f, tok, why, len)) != NULL)
			return c;
	return NULL;
}

/* The fleet key from its file (read again at each connection). */
static int
load_key(struct fleet *f, char *why, size_t len)
{
	char buf[SECRET_MAX];
	struct crypto_hmac *h = NULL;
	int r = -1;

	if (secret_read(f->conf.fleet_key_file, buf, sizeof(buf)) != 0)
		snprintf(why, len, "redis.fleet_key_file %s cannot be read: %s",
		    f->conf.fleet_key_file, strerror(errno));
	else if (fleet_rec_key((const uint8_t *)buf, strlen(buf), &h) != 0)
		snprintf(why, len, "redis.fleet_key_file %s: the key (its "
		    "first line) must be at least %d bytes",
		    f->conf.fleet_key_file, FLEET_KEY_MIN);
	else {
		crypto_hmac_free(f->key);
		f->key = h;
		r = 0;
	}
	explicit_bzero(buf, sizeof(buf));
	return r;
}

/* Connected, or trying again now if the backoff allows; false: down. */
static bool
ensure_up(struct fleet *f, int64_t now_ms)
{
	char why[256] = "";

	if (f->ctx != NULL)
		return true;
	if (now_ms < f->retry_at_ms)
		return false;
	if (load_key(f, why, sizeof(why)) != 0 ||
	    (f->ctx = dial(f, why, sizeof(why))) == NULL) {
		went_down(f, why, now_ms);
		f->backoff_s = f->backoff_s * 2 > BACKOFF_MAX_S ?
		    BACKOFF_MAX_S : f->backoff_s * 2;
		return false;
	}
	log_info("fleet: connected to redis %s as gateway \"%s\"%s", f->where,
	    f->conf.gateway, f->ever_up ? ": writing the open cycles again" :
	    "");
	f->backoff_s = 1;
	f->said_down = false;
	f->ever_up = true;
	f->tick_due_ms = 0;		/* heartbeat at once */
	if (f->hooks.resync != NULL)
		f->hooks.resync(f->hooks.arg);
	return true;
}

/* A failure mid-conversation: drop the connection, retry from `now_ms`. */
static void
fail(struct fleet *f, int64_t now_ms, const char *what)
{
	char why[256], q[TEXT_MAX];

	snprintf(why, sizeof(why), "%s: %s", what,
	    ctx_error(f->ctx, q, sizeof(q)));
	went_down(f, why, now_ms);
}

/* Read the replies owed for queued updates; false if the link broke. */
static bool
drain(struct fleet *f, int64_t now_ms)
{
	char q[TEXT_MAX];
	redisReply *r;

	while (f->ctx != NULL && f->queued > 0) {
		if (redisGetReply(f->ctx, (void **)&r) != REDIS_OK) {
			fail(f, now_ms, "cycle update");
			return false;
		}
		f->queued--;
		if (r->type == REDIS_REPLY_ERROR)
			log_warnx("fleet: cycle update refused: %s",
			    quoted(r->str, q, sizeof(q)));
		freeReplyObject(r);
	}
	return f->ctx != NULL;
}

/* --- public ------------------------------------------------------------ */

static int
copy_conf(struct conf_redis *dst, const struct conf_redis *src)
{
	*dst = *src;
	dst->address = src->address ? strdup(src->address) : NULL;
	dst->sentinels = src->sentinels ? strdup(src->sentinels) : NULL;
	dst->master = src->master ? strdup(src->master) : NULL;
	dst->sentinel_password_file = src->sentinel_password_file ?
	    strdup(src->sentinel_password_file) : NULL;
	dst->tunnels = src->tunnels ? strdup(src->tunnels) : NULL;
	dst->user = src->user ? strdup(src->user) : NULL;
	dst->password_file = src->password_file ?
	    strdup(src->password_file) : NULL;
	dst->fleet_key_file = src->fleet_key_file ?
	    strdup(src->fleet_key_file) : NULL;
	dst->prefix = strdup(src->prefix ? src->prefix : CONF_REDIS_DEF_PREFIX);
	dst->gateway = strdup(src->gateway ? src->gateway : "gateway");
	if ((src->address && !dst->address) ||
	    (src->sentinels && !dst->sentinels) ||
	    (src->master && !dst->master) || (src->user && !dst->user) ||
	    (src->sentinel_password_file && !dst->sentinel_password_file) ||
	    (src->tunnels && !dst->tunnels) ||
	    (src->password_file && !dst->password_file) ||
	    (src->fleet_key_file && !dst->fleet_key_file) || !dst->prefix ||
	    !dst->gateway)
		return SPA_ERR_NOMEM;
	return 0;
}

static void
free_conf(struct conf_redis *c)
{
	free(c->address);
	free(c->sentinels);
	free(c->master);
	free(c->sentinel_password_file);
	free(c->tunnels);
	free(c->user);
	free(c->password_file);
	free(c->fleet_key_file);
	free(c->prefix);
	free(c->gateway);
}

int
fleet_new(const struct conf_redis *conf, const struct fleet_hooks *h,
    struct fleet **out)
{
	char why[256];
	struct fleet *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return SPA_ERR_NOMEM;
	if (copy_conf(&f->conf, conf) != 0) {
		free_conf(&f->conf);
		free(f);
		return SPA_ERR_NOMEM;
	}
	if (f->conf.fleet_key_file == NULL ||
	    load_key(f, why, sizeof(why)) != 0) {
		log_errx("fleet: %s: fleet mode cannot start",
		    f->conf.fleet_key_file == NULL ? "no redis.fleet_key_file" :
		    why);
		free_conf(&f->conf);
		free(f);
		return SPA_ERR_CONFIG;
	}
	f->hooks = *h;
	f->backoff_s = 1;
	snprintf(f->where, sizeof(f->where), "%s", conf->address != NULL ?
	    conf->address : "(sentinels)");
	*out = f;
	return 0;
}

void
fleet_free(struct fleet *f)
{
	if (f == NULL)
		return;
	hang_up(f);
	crypto_hmac_free(f->key);
	free_conf(&f->conf);
	free(f);
}

static void
hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

void
fleet_check(struct fleet *f, const uint8_t (*digest)[32], size_t n,
    uint32_t ttl_ms, enum fleet_verdict *out)
{
	int64_t now_ms = mono_ms();
	char h[65], q[TEXT_MAX];
	redisReply *r;
	size_t i, sent = 0;

	for (i = 0; i < n; i++)
		out[i] = FLEET_UNREACHABLE;
	if (n == 0 || !ensure_up(f, now_ms) || !drain(f, now_ms))
		goto count;
	for (i = 0; i < n; i++) {
		hex(digest[i], 32, h);
		if (redisAppendCommand(f->ctx, "SET %sreplay:%s %s NX PX %u",
		    f->conf.prefix, h, f->conf.gateway, ttl_ms) != REDIS_OK)
			break;
		sent++;
	}
	for (i = 0; i < sent; i++) {
		if (redisGetReply(f->ctx, (void **)&r) != REDIS_OK) {
			fail(f, now_ms, "replay check");
			break;
		}
		if (r->type == REDIS_REPLY_STATUS)
			out[i] = FLEET_FRESH;
		else if (r->type == REDIS_REPLY_NIL)
			out[i] = FLEET_REPLAY;
		else
			log_warnx("fleet: replay check refused: %s",
			    reply_error(r, REDIS_REPLY_STATUS, q, sizeof(q)));
		freeReplyObject(r);
	}
count:
	for (i = 0; i < n; i++) {
		f->stats.checked++;
		if (out[i] == FLEET_REPLAY)
			f->stats.replays++;
		else if (out[i] == FLEET_UNREACHABLE)
			f->stats.unreachable++;
	}
}

static void
member_of(const struct fleet *f, uint64_t id, char *out, size_t len)
{
	snprintf(out, len, "%s/%016" PRIx64, f->conf.gateway, id);
}

/* The record's key in Redis, which its seal names too. */
static void
record_key(const struct fleet *f, const char *member, char *out, size_t len)
{
	snprintf(out, len, "%scycle:%s", f->conf.prefix, member);
}

void
fleet_cycle_put(struct fleet *f, const struct journal_rec *rec)
{
	uint8_t buf[JOURNAL_REC_MAX], sealed[FLEET_REC_MAX];
	char m[MEMBER_MAX], key[KEY_MAX];
	size_t n;

	if (f->ctx == NULL || !rec->has_close ||
	    (n = journal_rec_encode(rec, buf, sizeof(buf))) == 0)
		return;
	member_of(f, rec->id, m, sizeof(m));
	record_key(f, m, key, sizeof(key));
	if ((n = fleet_rec_seal(f->key, key, buf, n, sealed,
	    sizeof(sealed))) == 0) {
		log_errx("fleet: cycle %s cannot be sealed: not mirrored", m);
		return;
	}
	if (redisAppendCommand(f->ctx, "SET %s %b", key, sealed,
	    n) != REDIS_OK ||
	    redisAppendCommand(f->ctx, "ZADD %scycles %lld %s", f->conf.prefix,
	    (long long)rec->close_at, m) != REDIS_OK) {
		fail(f, mono_ms(), "cycle update");
		return;
	}
	f->queued += 2;
}

void
fleet_cycle_gone(struct fleet *f, uint64_t id)
{
	char m[MEMBER_MAX];

	if (f->ctx == NULL)
		return;
	member_of(f, id, m, sizeof(m));
	if (redisAppendCommand(f->ctx, "ZREM %scycles %s", f->conf.prefix,
	    m) != REDIS_OK ||
	    redisAppendCommand(f->ctx, "DEL %scycle:%s", f->conf.prefix,
	    m) != REDIS_OK) {
		fail(f, mono_ms(), "cycle update");
		return;
	}
	f->queued += 2;
}

/* --- heartbeat and claims ------------------------------------------------ */

static redisReply *
command(struct fleet *f, int64_t now_ms, int type, const char *what,
    const char *fmt, ...)
{
	char q[TEXT_MAX];
	redisReply *r;
	va_list ap;

	va_start(ap, fmt);
	r = redisvCommand(f->ctx, fmt, ap);
	va_end(ap);
	if (r == NULL) {
		fail(f, now_ms, what);
		return NULL;
	}
	if (r->type != type) {
		log_warnx("fleet: %s: %s", what, reply_error(r, type, q,
		    sizeof(q)));
		freeReplyObject(r);
		return NULL;
	}
	return r;
}

static void
heartbeat(struct fleet *f, int64_t now_s, int64_t now_ms)
{
	redisReply *r;

	r = command(f, now_ms, REDIS_REPLY_STATUS, "heartbeat",
	    "SET %sgw:%s %lld PX %u", f->conf.prefix, f->conf.gateway,
	    (long long)now_s, f->conf.heartbeat * 1000u);
	if (r != NULL)
		freeReplyObject(r);
}

/* Whether gateway `gw` has a heartbeat; errors count as alive. */
static bool
alive(struct fleet *f, int64_t now_ms, const char *gw)
{
	redisReply *r;
	bool yes;

	if ((r = command(f, now_ms, REDIS_REPLY_INTEGER, "heartbeat check",
	    "EXISTS %sgw:%s", f->conf.prefix, gw)) == NULL)
		return true;
	yes = r->integer != 0;
	freeReplyObject(r);
	return yes;
}

/* "<gateway>/<16 hex>" with a gateway name we accept; false if not. */
static bool
parse_member(const char *m, size_t len, char *gw, size_t gwlen)
{
	const char *slash = memchr(m, '/', len);
	size_t n, i;

	if (slash == NULL || (n = (size_t)(slash - m)) == 0 || n >= gwlen ||
	    len - n - 1 != 16)
		return false;
	for (i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._-", m[i]) == NULL || m[i] == '\0')
			return false;
	for (i = n + 1; i < len; i++)
		if (strchr("0123456789abcdef", m[i]) == NULL || m[i] == '\0')
			return false;
	memcpy(gw, m, n);
	gw[n] = '\0';
	return true;
}

/* NULL if the reply is a record sealed with the fleet key (into *rec). */
static const char *
unseal(const struct fleet *f, const char *m, const redisReply *r,
    struct journal_rec *rec)
{
	char key[KEY_MAX];
	const uint8_t *body;
	size_t n;
	const char *bad;

	record_key(f, m, key, sizeof(key));
	if ((bad = fleet_rec_open(f->key, key, (const uint8_t *)r->str,
	    r->len, &body, &n)) != NULL)
		return bad;
	return journal_rec_decode(body, n, rec);
}

/* We won member `m`: its record, checked, into our journal. */
static void
take_over(struct fleet *f, int64_t now_ms, const char *m, const char *gw)
{
	struct journal_rec *rec;
	redisReply *r;
	const char *bad;
	char why[256];

	if ((rec = calloc(1, sizeof(*rec))) == NULL)
		return;
	r = command(f, now_ms, REDIS_REPLY_STRING, "claim",
	    "GET %scycle:%s", f->conf.prefix, m);
	if (r == NULL) {
		log_warnx("fleet: cycle %s of gateway \"%s\" claimed, but its "
		    "record is gone: nothing to close", m, gw);
		free(rec);
		return;
	}
	bad = unseal(f, m, r, rec);
	freeReplyObject(r);
	if ((r = redisCommand(f->ctx, "DEL %scycle:%s", f->conf.prefix,
	    m)) != NULL)
		freeReplyObject(r);
	if (bad != NULL) {
		f->stats.refused++;
		log_errx("fleet: cycle %s of gateway \"%s\": record refused "
		    "(%s): not acted on", m, gw, bad);
	} else if (!f->hooks.claimable(f->hooks.arg, rec, why, sizeof(why)))
		log_warnx("fleet: cycle %s of gateway \"%s\" (gone): its close "
		    "cannot run here (%s); left to that gateway's journal",
		    m, gw, why);
	else if (f->hooks.adopt(f->hooks.arg, rec, gw) == 0)
		f->stats.claimed++;
	explicit_bzero(rec, sizeof(*rec));
	free(rec);
}

/* Overdue cycles of gateways without a heartbeat: claim and close them. */
static void
claim_overdue(struct fleet *f, int64_t now_s, int64_t now_ms)
{
	char gw[CONF_REDIS_NAME_MAX + 1], m[MEMBER_MAX];
	redisReply *list, *r;
	size_t i;
	bool won;

	if ((list = command(f, now_ms, REDIS_REPLY_ARRAY, "claim scan",
	    "ZRANGEBYSCORE %scycles -inf %lld LIMIT 0 %d", f->conf.prefix,
	    (long long)now_s, CLAIM_BATCH)) == NULL)
		return;
	for (i = 0; i < list->elements && f->ctx != NULL; i++) {
		const redisReply *e = list->element[i];

		if (e->type != REDIS_REPLY_STRING || e->len >= sizeof(m) ||
		    !parse_member(e->str, e->len, gw, sizeof(gw))) {
			log_warnx("fleet: a member of %scycles is not ours to "
			    "read: ignored", f->conf.prefix);
			continue;
		}
		memcpy(m, e->str, e->len);
		m[e->len] = '\0';
		if (strcmp(gw, f->conf.gateway) == 0 || alive(f, now_ms, gw))
			continue;	/* ours, or its owner will close it */
		if ((r = command(f, now_ms, REDIS_REPLY_INTEGER, "claim",
		    "ZREM %scycles %s", f->conf.prefix, m)) == NULL)
			continue;
		won = r->integer == 1;	/* one gateway wins each member */
		freeReplyObject(r);
		if (won)
			take_over(f, now_ms, m, gw);
	}
	freeReplyObject(list);
}

void
fleet_tick(struct fleet *f, const struct now *now)
{
	if (!ensure_up(f, now->mono_ms) || !drain(f, now->mono_ms))
		return;
	if (now->mono_ms < f->tick_due_ms)
		return;
	f->tick_due_ms = now->mono_ms + TICK_MS;
	heartbeat(f, now->wall_s, now->mono_ms);
	if (f->ctx != NULL && f->conf.claim)
		claim_overdue(f, now->wall_s, now->mono_ms);
	if (f->ctx != NULL)
		drain(f, now->mono_ms);	/* what adopting queued */
}

int
fleet_timeout_ms(const struct fleet *f, int64_t now_ms)
{
	int64_t due = f->ctx != NULL ? f->tick_due_ms : f->retry_at_ms;

	if (f->ctx != NULL && f->queued > 0)
		return 0;
	return due <= now_ms ? 0 : due - now_ms > TICK_MS ? TICK_MS :
	    (int)(due - now_ms);
}

bool
fleet_fail_closed(const struct fleet *f)
{
	return f->conf.fail_closed;
}

bool
fleet_is_up(const struct fleet *f)
{
	return f->ctx != NULL;
}

void
fleet_get_stats(const struct fleet *f, struct fleet_stats *st)
{
	*st = f->stats;
}
