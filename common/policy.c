/* Stanza matching: try each stanza in order, first full success wins. */
#include "config.h"

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
		if (st->gpg_only)
			continue;
		r = spa_key_init(&st->key, st->mode, st->enc_key,
		    st->enc_key_len, st->has_hmac_key ? st->hmac_type :
		    SPA_DIGEST_NONE, st->hmac_key, st->hmac_key_len);
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
	/* plaintext field errors: the key was right, the content was not */
	if (reason <= SPA_ERR_FIELDS && reason >= SPA_ERR_CLIENT_TIMEOUT)
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
check_ports(const struct stanza *st, const struct spa_packet *pkt)
{
	size_t i;

	for (i = 0; i < pkt->nports; i++) {
		if (ports_contain(&st->restrict_ports, &pkt->ports[i]))
			return SPA_ERR_PORTS;
		if (st->has_open_ports &&
		    !ports_contain(&st->open_ports, &pkt->ports[i]))
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
    struct spa_addr *allow)
{
	int r;

	if (too_old(opts, in->now_s, pkt->timestamp))
		return SPA_ERR_AGE;
	if ((r = check_type(st, opts, pkt)) != 0)
		return r;
	if ((r = grant_address(st, in, pkt, allow)) != 0)
		return r;
	if (st->require_username != NULL &&
	    strcmp(st->require_username, pkt->user) != 0)
		return SPA_ERR_USER_MISMATCH;
	return pkt->type == SPA_REQ_COMMAND ? 0 : check_ports(st, pkt);
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
	if (st->gpg_only)
		return SPA_ERR_NO_KEY;
	return 0;
}

static int
try_stanza(const struct stanza *st, const struct policy_opts *opts,
    const struct policy_input *in, struct spa_event *ev,
    struct policy_result *res)
{
	struct spa_packet pkt;
	struct spa_addr allow;
	int r;

	if ((r = check_stanza_filters(st, in)) != 0)
		return r;
	if ((r = spa_open_hook(&st->key, in->wire, in->len, &pkt,
	    in->on_auth, in->on_auth_arg)) != 0)
		return r;
	res->authenticated = true;
	res->spa_time = pkt.timestamp;
	r = check_message(st, opts, in, &pkt, &allow);
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
	const struct stanza *st;
	size_t i;
	int r;

	memset(res, 0, sizeof(*res));
	res->reason = SPA_ERR_NO_SOURCE;
	for (i = 0; i < conf->n; i++) {
		st = conf->stanzas[i];
		if (!addr_list_match(&st->source, &in->pkt->src))
			continue;
		r = try_stanza(st, opts, in, ev, res);
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
    const struct spa_event *ev)
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
	if (ev->type != SPA_REQ_COMMAND && (r = check_ports(st, &pkt)) != 0)
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
	const struct stanza *st;
	int r;

	*out = NULL;
	if ((r = event_check(ev)) != 0)
		return r;
	if (ev->stanza == 0 || ev->stanza > conf->n)
		return SPA_ERR_ARG;
	st = conf->stanzas[ev->stanza - 1];
	*out = st;
	if (!addr_list_match(&st->source, &ev->pkt_src))
		return SPA_ERR_NO_SOURCE;
	if (st->has_destination &&
	    !addr_list_match(&st->destination, &ev->pkt_dst))
		return SPA_ERR_DESTINATION;
	if (st->expire != 0 && now_s >= st->expire)
		return SPA_ERR_EXPIRED;
	if (st->gpg_only)
		return SPA_ERR_NO_KEY;
	if (too_old(opts, ev->recv_time, ev->spa_time) ||
	    !recv_time_ok(opts, ev->recv_time, now_s))
		return SPA_ERR_AGE;
	return recheck_request(st, opts, ev);
}
