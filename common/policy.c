/* Stanza matching: try each stanza in order, first full success wins. */
#include "config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "policy.h"

int
policy_prepare(struct access_conf *conf)
{
	struct stanza *st;
	size_t i;
	int r;

	for (i = 0; i < conf->n; i++) {
		st = conf->stanzas[i];
		if (st->gpg_only && !st->gpg)
			continue;
		/* a GnuPG-only stanza's key is its HMAC alone */
		r = spa_key_init(&st->key, st->gpg_only ? SPA_MODE_CBC :
		    st->mode, st->enc_key, st->gpg_only ? 0 : st->enc_key_len,
		    st->has_hmac_key ? st->hmac_type : SPA_DIGEST_NONE,
		    st->hmac_key, st->hmac_key_len);
		if (r != 0) {
			log_errx("%s:%u: stanza #%u: cannot prepare its keys: %s",
			    st->file, st->line, st->number, spa_strerror(r));
			policy_release(conf);
			return r;
		}
	}
	return 0;
}

void
policy_release(struct access_conf *conf)
{
	size_t i;

	for (i = 0; i < conf->n; i++)
		spa_key_clear(&conf->stanzas[i]->key);
}

/* How far a refusal got: later stages explain a refusal better. */
static int
reason_stage(int reason)
{
	switch (reason) {
	case SPA_ERR_DESTINATION:
	case SPA_ERR_EXPIRED:
	case SPA_ERR_NO_KEY:
		return 0;
	case SPA_ERR_AGE:
	case SPA_ERR_USER_MISMATCH:
	case SPA_ERR_SOURCE_REQUIRED:
	case SPA_ERR_PORTS:
	case SPA_ERR_CMD_DENIED:
	case SPA_ERR_NAT_DENIED:
	case SPA_ERR_NAT_HOST:
	case SPA_ERR_NAT_NAME:
		return 3;
	default:
		break;
	}
	/* plaintext field errors, or a GnuPG signature: the key was
	   right, the content was not */
	if ((reason <= SPA_ERR_FIELDS && reason >= SPA_ERR_CLIENT_TIMEOUT) ||
	    reason == SPA_ERR_SIGNATURE)
		return 2;
	return 1;
}

uint32_t
policy_timeout(const struct stanza *st, const struct spa_packet *pkt)
{
	if (pkt->client_timeout > 0)
		return pkt->client_timeout < st->max_fw_timeout ?
		    pkt->client_timeout : st->max_fw_timeout;
	if (st->cmd_cycle_open != NULL && st->cmd_cycle_timer > 0)
		return st->cmd_cycle_timer;
	return st->fw_access_timeout;
}

static bool
ports_contain(const struct access_ports *l, const struct spa_port *p)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].proto == p->proto && l->v[i].port == p->port)
			return true;
	return false;
}

/* Every requested port must be open, and none restricted. */
static int
check_ports(const struct stanza *st, const struct spa_packet *pkt,
    struct policy_detail *d)
{
	size_t i;

	for (i = 0; i < pkt->nports; i++) {
		d->port = pkt->ports[i];
		d->restricted = ports_contain(&st->restrict_ports,
		    &pkt->ports[i]);
		if (d->restricted || (st->has_open_ports &&
		    !ports_contain(&st->open_ports, &pkt->ports[i])))
			return SPA_ERR_PORTS;
	}
	return 0;
}

/*
 * The packet format lets a NAT host be almost any text ("bad%host").
 * fwknopd forwards to an IPv4 address, or, with ENABLE_NAT_DNS, to a
 * well-formed host name it resolves; spagated's nat.dns is that setting,
 * and the name is resolved by the executor (nat_dns.h), never here.
 */
static int
check_nat_host(const struct policy_opts *opts, const struct spa_packet *pkt)
{
	struct spa_addr a;

	if (addr_parse_ipv4(pkt->nat_host, &a) == 0)
		return 0;
	if (!opts->nat_dns)
		return SPA_ERR_NAT_HOST;
	return spa_nat_name_ok(pkt->nat_host) ? 0 : SPA_ERR_NAT_NAME;
}

static int
check_type(const struct stanza *st, const struct policy_opts *opts,
    const struct spa_packet *pkt)
{
	if (pkt->type == SPA_REQ_COMMAND)
		return st->enable_cmd_exec ? 0 : SPA_ERR_CMD_DENIED;
	if (spa_request_is_local_nat(pkt->type))
		return opts->nat_local ? check_nat_host(opts, pkt) :
		    SPA_ERR_NAT_DENIED;
	if (spa_request_is_nat(pkt->type))
		return opts->nat_forwarding ? check_nat_host(opts, pkt) :
		    SPA_ERR_NAT_DENIED;
	return 0;
}

static bool
too_old(const struct policy_opts *opts, int64_t now_s, int64_t ts)
{
	int64_t d = now_s > ts ? now_s - ts : ts - now_s;

	return opts->max_packet_age != 0 && d > (int64_t)opts->max_packet_age;
}

/*
 * A proxy listening on a dual-stack socket names an IPv4 client
 * ::ffff:a.b.c.d; its grant is that IPv4 address, as for a packet the
 * UDP source receives that way.
 */
static void
forwarded_address(const struct spa_addr *xff, struct spa_addr *out)
{
	struct in_addr in;

	*out = *xff;
	if (!addr_is_v4_mapped(xff))
		return;
	memcpy(&in.s_addr, xff->bytes + 12, 4);
	addr_from_in(out, &in);
}

/* The address to grant: the one in the packet, or its sender for 0.0.0.0. */
static int
grant_address(const struct stanza *st, const struct policy_input *in,
    const struct spa_packet *pkt, struct spa_addr *out)
{
	if (!addr_is_unspecified(&pkt->allow)) {
		*out = pkt->allow;
		return 0;
	}
	if (st->require_source_address)
		return SPA_ERR_SOURCE_REQUIRED;
	if (in->xff != NULL)
		forwarded_address(in->xff, out);
	else
		*out = in->pkt->src;
	return 0;
}

static int
check_message(const struct stanza *st, const struct policy_opts *opts,
    const struct policy_input *in, const struct spa_packet *pkt,
    struct spa_addr *allow, struct policy_detail *d)
{
	int r;

	if (too_old(opts, in->now_s, pkt->timestamp)) {
		d->skew = pkt->timestamp - in->now_s;
		return SPA_ERR_AGE;
	}
	if ((r = check_type(st, opts, pkt)) != 0)
		return r;
	if ((r = grant_address(st, in, pkt, allow)) != 0)
		return r;
	if (st->require_username != NULL &&
	    strcmp(st->require_username, pkt->user) != 0)
		return SPA_ERR_USER_MISMATCH;
	return pkt->type == SPA_REQ_COMMAND ? 0 : check_ports(st, pkt, d);
}

static void
fill_event(const struct stanza *st, const struct policy_input *in,
    const struct spa_packet *pkt, const struct spa_addr *allow,
    struct spa_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->stanza = st->number;
	ev->type = pkt->type;
	ev->allow = *allow;
	ev->pkt_src = in->pkt->src;
	ev->pkt_dst = in->pkt->dst;
	ev->src_port = in->pkt->sport;
	ev->dst_port = in->pkt->dport;
	ev->via = in->via;
	ev->nports = pkt->nports;
	memcpy(ev->ports, pkt->ports, sizeof(ev->ports));
	memcpy(ev->user, pkt->user, sizeof(ev->user));
	ev->timeout = policy_timeout(st, pkt);
	ev->client_timeout = pkt->client_timeout;
	ev->spa_time = pkt->timestamp;
	ev->recv_time = in->now_s;
	memcpy(ev->command, pkt->command, sizeof(ev->command));
	ev->has_nat = pkt->has_nat;
	memcpy(ev->nat_host, pkt->nat_host, sizeof(ev->nat_host));
	ev->nat_port = pkt->nat_port;
}

/* Checks that need no key. */
static int
check_stanza_filters(const struct stanza *st, const struct policy_input *in)
{
	if (st->has_destination &&
	    !addr_list_match(&st->destination, &in->pkt->dst))
		return SPA_ERR_DESTINATION;
	if (st->expire != 0 && in->now_s >= st->expire)
		return SPA_ERR_EXPIRED;
	if (st->gpg_only && !st->gpg)
		return SPA_ERR_NO_KEY;
	return 0;
}

/*
 * By size, as fwknopd: a GnuPG-sized packet goes to the stanza's GnuPG
 * keys (the verifier's in->gpg_open), any other to its Rijndael key.  A
 * stanza with GnuPG keys only tries them on a smaller packet too: an
 * unsigned packet to an elliptic-curve key is under 400 characters.
 */
static int
open_packet(const struct stanza *st, const struct policy_input *in,
    struct spa_packet *pkt)
{
	bool gpg_sized = spa_gpg_sized(&st->key, in->len);
	int r;

	if (gpg_sized || (st->gpg_only && st->gpg)) {
		if (!st->gpg || in->gpg_open == NULL)
			return gpg_sized ? SPA_ERR_GPG : SPA_ERR_NO_KEY;
		r = in->gpg_open(in->gpg_arg, st, in->wire, in->len, pkt,
		    in->on_auth, in->on_auth_arg);
		/* not OpenPGP at all: a Rijndael packet, for another stanza */
		return !gpg_sized && r == SPA_ERR_CIPHERTEXT ? SPA_ERR_NO_KEY : r;
	}
	if (st->gpg_only)
		return SPA_ERR_NO_KEY;
	return spa_open_hook(&st->key, in->wire, in->len, pkt, in->on_auth,
	    in->on_auth_arg);
}

static int
try_stanza(const struct stanza *st, const struct policy_opts *opts,
    const struct policy_input *in, struct spa_event *ev,
    struct policy_result *res, struct policy_detail *d)
{
	struct spa_packet pkt;
	struct spa_addr allow;
	int r;

	if ((r = check_stanza_filters(st, in)) != 0)
		return r;
	if ((r = open_packet(st, in, &pkt)) != 0)
		return r;
	res->authenticated = true;
	res->spa_time = pkt.timestamp;
	r = check_message(st, opts, in, &pkt, &allow, d);
	if (r == 0) {
		fill_event(st, in, &pkt, &allow, ev);
		/* what the executor will hold it to (a sender of 0.0.0.0) */
		r = event_check(ev);
	}
	crypto_wipe(&pkt, sizeof(pkt));
	return r;
}

int
policy_match(const struct access_conf *conf, const struct policy_opts *opts,
    const struct policy_input *in, struct spa_event *ev,
    struct policy_result *res)
{
	struct policy_detail d;
	const struct stanza *st;
	size_t i;
	int r;

	memset(res, 0, sizeof(*res));
	res->reason = SPA_ERR_NO_SOURCE;
	for (i = 0; i < conf->n; i++) {
		st = conf->stanzas[i];
		if (!addr_list_match(&st->source, &in->pkt->src))
			continue;
		memset(&d, 0, sizeof(d));
		r = try_stanza(st, opts, in, ev, res, &d);
		if (r == SPA_ERR_REPLAY) {
			/* The same bytes for every stanza: no further try. */
			res->tried++;
			res->reason = r;
			res->stanza = NULL;
			return r;
		}
		log_debug("stanza #%u (%s:%u): %s", st->number, st->file,
		    st->line, r == 0 ? "grants" : spa_strerror(r));
		if (res->tried++ == 0 ||
		    reason_stage(r) > reason_stage(res->reason)) {
			res->reason = r;
			res->stanza = st;
			res->detail = d;
		}
		if (r == 0) {
			res->reason = 0;
			res->stanza = st;
			return 0;
		}
	}
	return res->reason;
}

/* The effective timeout the stanza gives for a client timeout. */
static uint32_t
timeout_for(const struct stanza *st, uint32_t client_timeout)
{
	struct spa_packet pkt;

	memset(&pkt, 0, sizeof(pkt));
	pkt.client_timeout = client_timeout;
	return policy_timeout(st, &pkt);
}

static int
recheck_request(const struct stanza *st, const struct policy_opts *opts,
    const struct spa_event *ev, struct policy_detail *d)
{
	struct spa_packet pkt;
	int r;

	memset(&pkt, 0, sizeof(pkt));
	pkt.type = ev->type;
	pkt.nports = ev->nports;
	memcpy(pkt.ports, ev->ports, sizeof(pkt.ports));
	memcpy(pkt.nat_host, ev->nat_host, sizeof(pkt.nat_host));
	if ((r = check_type(st, opts, &pkt)) != 0)
		return r;
	if (ev->type != SPA_REQ_COMMAND &&
	    (r = check_ports(st, &pkt, d)) != 0)
		return r;
	if (st->require_username != NULL &&
	    strcmp(st->require_username, ev->user) != 0)
		return SPA_ERR_USER_MISMATCH;
	if (ev->timeout != timeout_for(st, ev->client_timeout))
		return SPA_ERR_ARG;
	return 0;
}

/*
 * The verifier judged the age at recv_time; the executor looks a moment
 * later, maybe in the next second.  It accepts the verifier's clock only
 * within POLICY_RECV_SKEW of its own, so a lying verifier gains no more.
 */
static bool
recv_time_ok(const struct policy_opts *opts, int64_t recv_time, int64_t now_s)
{
	int64_t d = now_s > recv_time ? now_s - recv_time : recv_time - now_s;

	return opts->max_packet_age == 0 || d <= POLICY_RECV_SKEW;
}

int
policy_recheck(const struct access_conf *conf, const struct policy_opts *opts,
    const struct spa_event *ev, int64_t now_s, const struct stanza **out)
{
	struct policy_detail d;
	int r;

	*out = NULL;
	if ((r = event_check(ev)) != 0)
		return r;
	if (ev->stanza == 0 || ev->stanza > conf->n)
		return SPA_ERR_ARG;
	*out = conf->stanzas[ev->stanza - 1];
	return policy_try(*out, opts, ev, now_s, &d);
}

int
policy_try(const struct stanza *st, const struct policy_opts *opts,
    const struct spa_event *ev, int64_t now_s, struct policy_detail *d)
{
	memset(d, 0, sizeof(*d));
	if (!addr_list_match(&st->source, &ev->pkt_src))
		return SPA_ERR_NO_SOURCE;
	if (st->has_destination &&
	    !addr_list_match(&st->destination, &ev->pkt_dst))
		return SPA_ERR_DESTINATION;
	if (st->expire != 0 && now_s >= st->expire)
		return SPA_ERR_EXPIRED;
	if (st->gpg_only && !st->gpg)
		return SPA_ERR_NO_KEY;
	if (too_old(opts, ev->recv_time, ev->spa_time) ||
	    !recv_time_ok(opts, ev->recv_time, now_s)) {
		d->skew = ev->spa_time - ev->recv_time;
		return SPA_ERR_AGE;
	}
	return recheck_request(st, opts, ev, d);
}

/* --- the refusal in words ------------------------------------------------ */

static void
explain_age(const struct policy_result *res, const struct policy_opts *opts,
    char *buf, size_t len)
{
	int64_t d = res->detail.skew;

	snprintf(buf, len, "%s: the packet's time is %lld s %s the clock here, "
	    "the limit is %u s (max_packet_age)", spa_strerror(res->reason),
	    (long long)(d < 0 ? -d : d), d < 0 ? "behind" : "ahead of",
	    opts->max_packet_age);
}

static void
explain_port(const struct policy_result *res, char *buf, size_t len)
{
	const struct spa_port *p = &res->detail.port;

	snprintf(buf, len, "%s: %s/%u (%s)", spa_strerror(res->reason),
	    p->proto == IPPROTO_TCP ? "tcp" : "udp", p->port,
	    res->detail.restricted ? "in RESTRICT_PORTS" : "not in OPEN_PORTS");
}

/* "SHA3_256": the spelling of access.conf and the client's options. */
static void
digest_upper(enum spa_digest d, char *out, size_t len)
{
	size_t i;

	snprintf(out, len, "%s", crypto_digest_name(d));
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] >= 'a' && out[i] <= 'z')
			out[i] = (char)(out[i] - 'a' + 'A');
}

static void
explain_hmac(const struct policy_result *res, const struct policy_input *in,
    char *buf, size_t len)
{
	const struct stanza *st = res->stanza;
	enum spa_digest other;
	char got[16], want[16];

	switch (spa_hmac_why(&st->key, st->hmac_key, st->hmac_key_len,
	    in->wire, in->len, &other)) {
	case SPA_HMAC_MISSING:
		snprintf(buf, len, "%s: the packet has no HMAC (a client "
		    "without --use-hmac?)", spa_strerror(res->reason));
		return;
	case SPA_HMAC_OTHER:
		digest_upper(other, got, sizeof(got));
		digest_upper(st->hmac_type, want, sizeof(want));
		snprintf(buf, len, "%s: the packet's HMAC is %s, the stanza's "
		    "HMAC_DIGEST_TYPE is %s (the client's --hmac-digest-type?)",
		    spa_strerror(res->reason), got, want);
		return;
	default:
		snprintf(buf, len, "%s", spa_strerror(res->reason));
	}
}

void
policy_explain(const struct policy_result *res, const struct policy_opts *opts,
    const struct policy_input *in, char *buf, size_t len)
{
	if (res->reason == SPA_ERR_AGE)
		explain_age(res, opts, buf, len);
	else if (res->reason == SPA_ERR_PORTS)
		explain_port(res, buf, len);
	else if (res->reason == SPA_ERR_HMAC && in != NULL &&
	    res->stanza != NULL && res->stanza->has_hmac_key)
		explain_hmac(res, in, buf, len);
	else
		snprintf(buf, len, "%s", spa_strerror(res->reason));
}
