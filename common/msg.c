/*
 * Verifier <-> executor messages.  Layout (all integers big-endian):
 *
 *   header   u8 version, u8 type, u16 body length
 *   READY    capture[96] sandbox[96]                  (NUL-padded text)
 *   OPEN     u32 stanza, u8 msgtype, addr allow, addr pkt_src, addr pkt_dst,
 *            u16 src_port, u16 dst_port, u8 via, u8 nports,
 *            nports x (u8 proto, u16 port) padded to SPA_MAX_PORTS,
 *            user[SPA_USER_MAX+1], u32 timeout, u32 client_timeout,
 *            i64 spa_time, i64 recv_time, command[SPA_FIELD_MAX+1], u8 has_nat,
 *            nat_host[SPA_NAT_HOST_MAX+1], u16 nat_port, digest[32]
 *   STATS_REQ  empty
 *   CONF, CONF_STANZA, CONF_ADDR, CONF_PORT, CONF_END: msg_conf.c
 *   STATS, REPLAY_STATE  u32 n, n x u64
 *   addr     u8 family (4 or 6), 16 bytes
 *
 * The decoder reads through a cursor that fails on short data, so no
 * length in a message is ever trusted; a message must be used up exactly.
 */
#include "config.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "bytes.h"
#include "err.h"
#include "msg.h"
#include "msg_int.h"

#define HDR_LEN		4

/* A string field: exactly `n` bytes, NUL-padded. */
void
msg_put_text(struct bytes_out *w, const char *s, size_t n)
{
	size_t l = strnlen(s, n);

	if (l >= n) {
		w->bad = true;
		return;
	}
	bytes_put(w, s, l);
	while (l++ < n)
		bytes_put_be(w, 0, 1);
}

static void
put_addr(struct bytes_out *w, const struct spa_addr *a)
{
	bytes_put_be(w, a->family == AF_INET6 ? 6 :
	    a->family == AF_INET ? 4 : 0, 1);
	bytes_put(w, a->bytes, sizeof(a->bytes));
}

/*
 * Up to the first NUL, then only NULs; before it printable ASCII, or for
 * a path (`path`) any byte but a control character.
 */
static void
get_string(struct bytes_in *r, char *out, size_t n, bool path)
{
	const uint8_t *p = bytes_get(r, n);
	size_t i, l;

	out[0] = '\0';
	if (p == NULL)
		return;
	l = strnlen((const char *)p, n);
	if (l == n) {
		r->bad = true;
		return;
	}
	for (i = 0; i < l; i++)
		if (p[i] < 0x20 || p[i] == 0x7f || (!path && p[i] > 0x7e))
			r->bad = true;
	for (i = l; i < n; i++)
		if (p[i] != 0)
			r->bad = true;
	if (!r->bad)
		memcpy(out, p, l + 1);
}

void
msg_get_text(struct bytes_in *r, char *out, size_t n)
{
	get_string(r, out, n, false);
}

void
msg_get_path(struct bytes_in *r, char *out, size_t n)
{
	get_string(r, out, n, true);
}

static void
get_addr(struct bytes_in *r, struct spa_addr *a, bool may_be_unset)
{
	unsigned int fam = (unsigned int)bytes_get_be(r, 1);
	const uint8_t *p = bytes_get(r, sizeof(a->bytes));
	size_t i;

	memset(a, 0, sizeof(*a));
	if (p == NULL)
		return;
	if (fam == 4 || fam == 6) {
		a->family = fam == 4 ? AF_INET : AF_INET6;
		memcpy(a->bytes, p, sizeof(a->bytes));
		/* IPv4 uses the first four bytes; the rest must be zero */
		for (i = 4; fam == 4 && i < sizeof(a->bytes); i++)
			if (p[i] != 0)
				r->bad = true;
		return;
	}
	if (fam != 0 || !may_be_unset)
		r->bad = true;
	for (i = 0; i < sizeof(a->bytes); i++)
		if (p[i] != 0)
			r->bad = true;
	a->family = AF_UNSPEC;
}

static void
encode_ports(struct bytes_out *w, const struct spa_event *ev)
{
	size_t i;

	bytes_put_be(w, ev->nports, 1);
	for (i = 0; i < SPA_MAX_PORTS; i++) {
		bytes_put_be(w, i < ev->nports ? ev->ports[i].proto : 0, 1);
		bytes_put_be(w, i < ev->nports ? ev->ports[i].port : 0, 2);
	}
}

static void
encode_open(struct bytes_out *w, const struct spa_event *ev)
{
	if (ev->nports > SPA_MAX_PORTS) {
		w->bad = true;
		return;
	}
	bytes_put_be(w, ev->stanza, 4);
	bytes_put_be(w, (uint64_t)ev->type, 1);
	put_addr(w, &ev->allow);
	put_addr(w, &ev->pkt_src);
	put_addr(w, &ev->pkt_dst);
	bytes_put_be(w, ev->src_port, 2);
	bytes_put_be(w, ev->dst_port, 2);
	bytes_put_be(w, (uint64_t)ev->via, 1);
	encode_ports(w, ev);
	msg_put_text(w, ev->user, sizeof(ev->user));
	bytes_put_be(w, ev->timeout, 4);
	bytes_put_be(w, ev->client_timeout, 4);
	bytes_put_be(w, (uint64_t)ev->spa_time, 8);
	bytes_put_be(w, (uint64_t)ev->recv_time, 8);
	msg_put_text(w, ev->command, sizeof(ev->command));
	bytes_put_be(w, ev->has_nat, 1);
	msg_put_text(w, ev->nat_host, sizeof(ev->nat_host));
	bytes_put_be(w, ev->nat_port, 2);
	bytes_put(w, ev->digest, sizeof(ev->digest));
}

static void
encode_body(struct bytes_out *w, const struct msg *m)
{
	uint32_t i;

	switch (m->type) {
	case MSG_READY:
		msg_put_text(w, m->u.ready.capture, sizeof(m->u.ready.capture));
		msg_put_text(w, m->u.ready.sandbox, sizeof(m->u.ready.sandbox));
		break;
	case MSG_OPEN:
		encode_open(w, &m->u.open);
		break;
	case MSG_STATS_REQ:
		break;
	case MSG_STATS:
	case MSG_REPLAY_STATE:
		if (m->u.stats.n > MSG_STATS_MAX) {
			w->bad = true;
			break;
		}
		bytes_put_be(w, m->u.stats.n, 4);
		for (i = 0; i < m->u.stats.n; i++)
			bytes_put_be(w, m->u.stats.v[i], 8);
		break;
	default:
		msg_conf_encode(w, m);
	}
}

int
msg_encode(const struct msg *m, uint8_t *buf, size_t cap)
{
	struct bytes_out w = { buf, cap, 0, false };
	size_t body;

	bytes_put_be(&w, MSG_VERSION, 1);
	bytes_put_be(&w, (uint64_t)m->type, 1);
	bytes_put_be(&w, 0, 2);
	encode_body(&w, m);
	if (w.bad)
		return SPA_ERR_ARG;
	body = w.len - HDR_LEN;
	if (body > UINT16_MAX)
		return SPA_ERR_ARG;
	buf[2] = (uint8_t)(body >> 8);
	buf[3] = (uint8_t)body;
	return (int)w.len;
}

/* The ports in use (event_check judges them), then only zeros. */
static void
decode_ports(struct bytes_in *r, struct spa_event *ev)
{
	unsigned int proto, port;
	size_t i;

	ev->nports = (size_t)bytes_get_be(r, 1);
	if (ev->nports > SPA_MAX_PORTS)
		r->bad = true;
	for (i = 0; i < SPA_MAX_PORTS; i++) {
		proto = (unsigned int)bytes_get_be(r, 1);
		port = (unsigned int)bytes_get_be(r, 2);
		if (i >= ev->nports) {
			if (proto != 0 || port != 0)
				r->bad = true;
			continue;
		}
		ev->ports[i].proto = (uint8_t)proto;
		ev->ports[i].port = (uint16_t)port;
	}
}

/* The message's own fields, then the decoder's rules for the rest. */
static void
check_open(struct bytes_in *r, const struct spa_event *ev)
{
	if (ev->via < SPA_VIA_UDP || ev->via > SPA_VIA_HTTP)
		r->bad = true;
	if (ev->stanza == 0 || event_check(ev) != 0)
		r->bad = true;
	/* a wall-clock second, as the packet's own time is */
	if (!spa_timestamp_ok(ev->recv_time) || ev->recv_time == 0)
		r->bad = true;
}

static void
decode_open(struct bytes_in *r, struct spa_event *ev)
{
	const uint8_t *p;
	unsigned int has_nat;

	memset(ev, 0, sizeof(*ev));
	ev->stanza = (uint32_t)bytes_get_be(r, 4);
	ev->type = (enum spa_request)bytes_get_be(r, 1);
	get_addr(r, &ev->allow, false);
	get_addr(r, &ev->pkt_src, false);
	get_addr(r, &ev->pkt_dst, true);
	ev->src_port = (uint16_t)bytes_get_be(r, 2);
	ev->dst_port = (uint16_t)bytes_get_be(r, 2);
	ev->via = (enum spa_transport)bytes_get_be(r, 1);
	decode_ports(r, ev);
	msg_get_text(r, ev->user, sizeof(ev->user));
	ev->timeout = (uint32_t)bytes_get_be(r, 4);
	ev->client_timeout = (uint32_t)bytes_get_be(r, 4);
	ev->spa_time = (int64_t)bytes_get_be(r, 8);
	ev->recv_time = (int64_t)bytes_get_be(r, 8);
	msg_get_text(r, ev->command, sizeof(ev->command));
	has_nat = (unsigned int)bytes_get_be(r, 1);
	if (has_nat > 1)
		r->bad = true;
	ev->has_nat = has_nat == 1;
	msg_get_text(r, ev->nat_host, sizeof(ev->nat_host));
	ev->nat_port = (uint16_t)bytes_get_be(r, 2);
	if ((p = bytes_get(r, sizeof(ev->digest))) != NULL)
		memcpy(ev->digest, p, sizeof(ev->digest));
	if (!r->bad)
		check_open(r, ev);
}

static void
decode_stats(struct bytes_in *r, struct msg_stats *st)
{
	uint32_t i;

	st->n = (uint32_t)bytes_get_be(r, 4);
	if (st->n > MSG_STATS_MAX) {
		r->bad = true;
		return;
	}
	for (i = 0; i < st->n; i++)
		st->v[i] = bytes_get_be(r, 8);
}

static void
decode_body(struct bytes_in *r, struct msg *m)
{
	switch (m->type) {
	case MSG_READY:
		msg_get_text(r, m->u.ready.capture, sizeof(m->u.ready.capture));
		msg_get_text(r, m->u.ready.sandbox, sizeof(m->u.ready.sandbox));
		break;
	case MSG_OPEN:
		decode_open(r, &m->u.open);
		break;
	case MSG_STATS_REQ:
		break;
	case MSG_STATS:
	case MSG_REPLAY_STATE:
		decode_stats(r, &m->u.stats);
		break;
	default:
		msg_conf_decode(r, m);
	}
}

int
msg_decode(const uint8_t *buf, size_t len, struct msg *m)
{
	struct bytes_in r = { buf, len, 0, false };
	unsigned int version;
	size_t body;

	memset(m, 0, sizeof(*m));
	version = (unsigned int)bytes_get_be(&r, 1);
	m->type = (enum msg_type)bytes_get_be(&r, 1);
	body = (size_t)bytes_get_be(&r, 2);
	if (!r.bad && (version != MSG_VERSION || body != len - HDR_LEN))
		r.bad = true;
	if (!r.bad)
		decode_body(&r, m);
	if (!r.bad && r.off != len)
		r.bad = true;
	if (r.bad) {
		memset(m, 0, sizeof(*m));
		return SPA_ERR_ARG;
	}
	return 0;
}

#define BIT(t)	(1U << (t))

/* Per phase, the message types it admits (msg.h). */
static const uint32_t expected[] = {
	[MSG_PHASE_STARTING] = BIT(MSG_READY),
	[MSG_PHASE_RUNNING] = BIT(MSG_OPEN) | BIT(MSG_REPLAY_STATE),
	[MSG_PHASE_ASKED] = BIT(MSG_OPEN) | BIT(MSG_REPLAY_STATE) |
	    BIT(MSG_STATS),
	[MSG_PHASE_CONF_FIRST] = BIT(MSG_CONF),
	[MSG_PHASE_CONF] = BIT(MSG_CONF_STANZA) | BIT(MSG_CONF_ADDR) |
	    BIT(MSG_CONF_PORT) | BIT(MSG_CONF_KEYRING) | BIT(MSG_CONF_END),
	[MSG_PHASE_SERVING] = BIT(MSG_STATS_REQ),
};

bool
msg_expected(enum msg_phase p, enum msg_type t)
{
	if ((size_t)p >= sizeof(expected) / sizeof(expected[0]) ||
	    t < MSG_READY || t > MSG_TYPE_MAX)
		return false;
	return (expected[p] & BIT(t)) != 0;
}
