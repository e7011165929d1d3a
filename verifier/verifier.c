/* Per-packet verification pipeline and its decision log line. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "err.h"
#include "http.h"
#include "log.h"
#include "verifier.h"

/*
 * Refusals of unauthenticated packets are logged at most this often per
 * second: under a flood the log must not become the bottleneck.
 */

void
verifier_init(struct verifier *v, const struct spa_conf *conf,
    struct access_conf *access, struct replay_store *replay)
{
	memset(v, 0, sizeof(*v));
	v->replay = replay;
	verifier_reconfigure(v, conf, access);
}

void
verifier_reconfigure(struct verifier *v, const struct spa_conf *conf,
    struct access_conf *access)
{
	v->access = access;
	v->popts.max_packet_age = conf->max_packet_age;
	replay_set_age(v->replay, conf->max_packet_age);
	v->popts.nat_forwarding = conf->nat_forwarding;
	v->popts.nat_local = conf->nat_local;
	v->popts.nat_dns = conf->nat_dns;
	v->popts.x_forwarded_for = conf->capture.x_forwarded_for;
	v->http = conf->capture.http;
	v->http_any_user_agent = conf->capture.http_any_user_agent;
	v->log_per_sec = conf->log_refusals_per_sec;
}

static void
fmt_origin(const struct packet *pkt, char *buf, size_t len)
{
	char src[ADDR_STRLEN], dst[ADDR_STRLEN];

	snprintf(buf, len, "%s%s%s:%u -> %s:%u via %s",
	    pkt->info.src.family == AF_INET6 ? "[" : "",
	    addr_fmt(&pkt->info.src, src),
	    pkt->info.src.family == AF_INET6 ? "]" : "", pkt->info.sport,
	    addr_fmt(&pkt->info.dst, dst), pkt->info.dport,
	    event_via_name(pkt->via));
}

static bool
log_allowed(struct verifier *v, int64_t now_s)
{
	if (now_s != v->log_window) {
		if (v->log_suppressed_now > 0)
			log_info("%llu refusals of unauthenticated packets "
			    "were not logged (rate limit)",
			    (unsigned long long)v->log_suppressed_now);
		v->log_window = now_s;
		v->log_lines = 0;
		v->log_suppressed_now = 0;
	}
	if (v->log_per_sec != 0 && v->log_lines >= v->log_per_sec) {
		v->stats.log_suppressed++;
		v->log_suppressed_now++;
		return false;
	}
	v->log_lines++;
	return true;
}

static void
log_refusal(struct verifier *v, const struct packet *pkt, int reason,
    const struct policy_result *res)
{
	char origin[160];

	if (res == NULL || !res->authenticated) {
		if (!log_allowed(v, pkt->seen_s))
			return;
	}
	fmt_origin(pkt, origin, sizeof(origin));
	if (res != NULL && res->stanza != NULL)
		log_info("refused %s: %s (stanza #%u %s:%u, %u tried)", origin,
		    spa_strerror(reason), res->stanza->number,
		    res->stanza->file, res->stanza->line, res->tried);
	else
		log_info("refused %s: %s", origin, spa_strerror(reason));
}

static int
refuse(struct verifier *v, const struct packet *pkt, int reason,
    const struct policy_result *res)
{
	if (reason < 0 && reason > SPA_ERR_MIN)
		v->stats.refused[-reason]++;
	log_refusal(v, pkt, reason, res);
	return reason;
}

/* The policy's refusal, with what an admin needs to act on it. */
static int
refuse_judged(struct verifier *v, const struct packet *pkt,
    const struct policy_result *res, const struct policy_input *in)
{
	char origin[160], why[256];

	if (res->stanza == NULL)
		return refuse(v, pkt, res->reason, res);
	if (res->reason < 0 && res->reason > SPA_ERR_MIN)
		v->stats.refused[-res->reason]++;
	if (!res->authenticated && !log_allowed(v, pkt->seen_s))
		return res->reason;
	fmt_origin(pkt, origin, sizeof(origin));
	policy_explain(res, &v->popts, res->authenticated ||
	    v->log_lines <= VERIFIER_HINTS_PER_SEC ? in : NULL, why,
	    sizeof(why));
	log_info("refused %s: %s (stanza #%u %s:%u, %u tried)", origin, why,
	    res->stanza->number, res->stanza->file, res->stanza->line,
	    res->tried);
	return res->reason;
}

/*
 * Record an authenticated packet stamped `stamp` for as long as it could
 * pass the age check.  SPA_ERR_REPLAY: a packet no newer than one the
 * store has forgotten, which may be its replay; another error: not
 * recorded, and the store's state (replay_errno) says why.
 */
static int
remember(struct verifier *v, const uint8_t digest[32], int64_t stamp,
    int64_t now_s)
{
	int r = replay_add(v->replay, digest, now_s, stamp);
	int e = r == SPA_ERR_SYS ? errno : EIO;

	if (r == 0 || r == SPA_ERR_REPLAY)
		e = 0;
	if (e != v->replay_errno) {
		if (e == 0)
			log_info("replay store: digests are recorded again");
		v->replay_errno = e;
		v->replay_changed = true;
	}
	return r;
}

/* Fail closed: a grant whose digest is not recorded could be replayed. */
static int
refuse_unrecorded(struct verifier *v, const struct packet *pkt,
    const struct policy_result *res)
{
	char origin[160];

	v->stats.refused[-SPA_ERR_STATE]++;
	fmt_origin(pkt, origin, sizeof(origin));
	log_errx("refused %s: the replay store cannot record its digest (%s): "
	    "every grant is refused until it can (stanza #%u %s:%u)", origin,
	    strerror(v->replay_errno), res->stanza->number, res->stanza->file,
	    res->stanza->line);
	return SPA_ERR_STATE;
}

/* A grant whose replay the store can no longer rule out (replay.h). */
static int
refuse_forgotten(struct verifier *v, const struct packet *pkt,
    const struct policy_result *res)
{
	struct replay_stats st;

	replay_get_stats(v->replay, &st);
	log_info("stanza #%u: packet time %lld is not newer than the newest "
	    "the replay store has forgotten (%lld; max_packet_age was raised, "
	    "or the clock went back)", res->stanza->number,
	    (long long)res->spa_time, (long long)st.forgotten);
	return refuse(v, pkt, SPA_ERR_REPLAY, res);
}

/* The replay check, run by the policy once a stanza's key authenticates. */
struct replay_hook {
	struct verifier	*v;
	const char	*wire;
	size_t		 len;
	int64_t		 now_s;
	bool		 done;		/* digest computed and checked */
	int		 result;
	int64_t		 stamp;		/* SPA_ERR_REPLAY: the first's time */
	uint8_t		 digest[32];
};

static int
replay_hook(void *arg)
{
	struct replay_hook *h = arg;

	if (!h->done) {
		h->done = true;
		if ((h->result = spa_replay_digest(h->wire, h->len,
		    h->digest)) == 0)
			h->result = replay_check_stamp(h->v->replay,
			    h->digest, h->now_s, &h->stamp);
	}
	return h->result;
}

/*
 * What the store knows of the first copy: the time its client stamped
 * in it (replay.h), which is also this copy's.
 */
static int
refuse_replay(struct verifier *v, const struct packet *pkt,
    const struct replay_hook *h, int r)
{
	char origin[160], when[32];
	struct tm tm;
	time_t t = (time_t)h->stamp;
	int64_t d = pkt->seen_s - h->stamp;	/* < 0: its clock is ahead */

	r = h->result != 0 ? h->result : r;
	if (r != SPA_ERR_REPLAY || h->stamp == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		return refuse(v, pkt, r, NULL);
	v->stats.refused[-r]++;
	if (!log_allowed(v, pkt->seen_s))
		return r;
	fmt_origin(pkt, origin, sizeof(origin));
	log_info("refused %s: %s: seen before, stamped %s by its client "
	    "(%lld s %s this copy arrived)", origin, spa_strerror(r), when,
	    (long long)(d < 0 ? -d : d), d < 0 ? "after" : "before");
	return r;
}

static int
extract_spa(struct verifier *v, const struct packet *pkt,
    struct http_spa *hs, const char **wire, size_t *len)
{
	const char *data = (const char *)pkt->data;
	int r;

	hs->has_xff = false;
	if (pkt->via == SPA_VIA_HTTP ||
	    (v->http && pkt->via == SPA_VIA_TCP &&
	    http_is_request(data, pkt->len))) {
		if ((r = http_extract(data, pkt->len, v->http_any_user_agent,
		    hs)) != 0)
			return r;
		*wire = hs->spa;
		*len = hs->len;
		return 0;
	}
	*wire = data;
	*len = pkt->len;
	return 0;
}

static void
log_grant(const struct policy_result *res, const struct spa_event *ev)
{
	char line[1024];

	if (event_format(ev, line, sizeof(line)) < 0)
		snprintf(line, sizeof(line), "OPEN (event too long to log)");
	log_info("accepted by stanza #%u (%s:%u): %s", res->stanza->number,
	    res->stanza->file, res->stanza->line, line);
}

int
verifier_packet(struct verifier *v, const struct packet *pkt,
    struct spa_event *ev)
{
	struct policy_input in;
	struct policy_result res;
	struct http_spa hs;
	struct replay_hook rh;
	int r, rr = 0;

	v->stats.packets++;
	if (pkt->error != 0)
		return refuse(v, pkt, pkt->error, NULL);
	memset(&in, 0, sizeof(in));
	if ((r = extract_spa(v, pkt, &hs, &in.wire, &in.len)) != 0 ||
	    (r = spa_precheck(in.wire, in.len)) != 0)
		return refuse(v, pkt, r, NULL);
	if (!access_any_source(v->access, &pkt->info.src))
		return refuse(v, pkt, SPA_ERR_NO_SOURCE, NULL);
	/*
	 * The replay digest is taken only once some stanza's key has
	 * authenticated the packet: a forged packet costs the HMAC of each
	 * stanza whose SOURCE matches it, and nothing else.
	 */
	memset(&rh, 0, sizeof(rh));
	rh.v = v;
	rh.wire = in.wire;
	rh.len = in.len;
	rh.now_s = pkt->seen_s;
	in.on_auth = replay_hook;
	in.on_auth_arg = &rh;
	in.gpg_open = v->gpg_open;
	in.pkt = &pkt->info;
	in.via = pkt->via;
	in.now_s = pkt->seen_s;
	in.xff = hs.has_xff && v->popts.x_forwarded_for ? &hs.xff : NULL;
	r = policy_match(v->access, &v->popts, &in, ev, &res);
	if (r == SPA_ERR_REPLAY || (rh.done && rh.result != 0))
		/* anyone can resend a packet: rate-limited like forgeries */
		return refuse_replay(v, pkt, &rh, r);
	if (res.authenticated && replay_hook(&rh) == 0)
		rr = remember(v, rh.digest, res.spa_time, pkt->seen_s);
	if (r != 0)
		return refuse_judged(v, pkt, &res, &in);
	if (rr == SPA_ERR_REPLAY)
		return refuse_forgotten(v, pkt, &res);
	if (rr != 0)
		return refuse_unrecorded(v, pkt, &res);
	memcpy(ev->digest, rh.digest, sizeof(ev->digest));
	v->stats.granted++;
	log_grant(&res, ev);
	return 0;
}

void
verifier_log_stats(const struct verifier *v)
{
	int i;

	log_info("packets %llu, granted %llu, dropped by the kernel before "
	    "capture %llu", (unsigned long long)v->stats.packets,
	    (unsigned long long)v->stats.granted,
	    (unsigned long long)v->stats.capture_dropped);
	for (i = 1; i < SPA_ERR_COUNT; i++)
		if (v->stats.refused[i] != 0)
			log_info("refused %s: %llu", spa_errname(-i),
			    (unsigned long long)v->stats.refused[i]);
}
