/*
 * The configuration messages, executor to verifier (msg.h).  Layout, all
 * integers big-endian, booleans one byte 0 or 1, text NUL-padded to its
 * field's size (msg.c):
 *
 *   CONF         u8 capture_mode, interface[64], filter[1024],
 *                bool promiscuous, bool any_direction, u32 buffer
 *                (1000..1000000), u32 max_delay_ms (1..1000),
 *                u8 workers (1..64), u8 worker (0..workers - 1),
 *                u16 fanout_group,
 *                udp_address[64],
 *                u16 udp_port, bool http, http_address[64], u16 http_port,
 *                bool http_any_user_agent, bool x_forwarded_for,
 *                tcp_address[64], u16 tcp_port, u16 tcp_connections
 *                (1..256), u32 tcp_rate, u32 tcp_timeout_ms (100..60000),
 *                bool nat_forwarding, bool nat_local, bool nat_dns,
 *                verifier_user[64],
 *                state_dir[1024], u32 replay_capacity, u32 max_packet_age,
 *                u32 log_refusals_per_sec, u8 log_dest, u32 log_facility,
 *                log_ident[64], u32 verbose, pcap_file[1024],
 *                u64 packet_limit
 *   CONF_STANZA  u32 number, file[1024], u32 line, bool source_any,
 *                bool has_destination, bool destination_any,
 *                bool has_open_ports, bool has_enc_key, u8 enc_key_len,
 *                enc_key[33], bool has_hmac_key, u8 hmac_key_len,
 *                hmac_key[137], u8 hmac_type, u8 mode, bool gpg_only,
 *                u32 fw_access_timeout, u32 max_fw_timeout,
 *                u32 cmd_cycle_timer, i64 expire, bool has_require_username,
 *                require_username[49], bool require_source_address,
 *                bool enable_cmd_exec, bool gpg, bool gpg_require_sig,
 *                bool gpg_ignore_sig_verify_error, bool gpg_allow_no_pw,
 *                bool has_gpg_decrypt_pw, gpg_decrypt_id[128],
 *                gpg_decrypt_pw[128], gpg_remote_id[512],
 *                gpg_fingerprint_id[512], gpg_user_file[1024] (set
 *                only in a GnuPG stanza)
 *   CONF_ADDR    u32 stanza, u8 list, u8 family (4 or 6), addr[16], mask[16]
 *   CONF_PORT    u32 stanza, u8 list, u8 proto, u16 port
 *   CONF_END     u32 stanzas
 *   CONF_KEYRING u32 stanza, u8 kind (0..2), bool last, u16 len (0..2048),
 *                data[2048]
 *
 * Text holds no control character (UTF-8 is fine).  Key bytes past their
 * length are zero; a mask is a prefix and the address has no bit outside
 * it.  Ranges are the configuration parsers'.
 */
#include "config.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#include "access.h"
#include "conf.h"
#include "log.h"
#include "msg_int.h"

static void
put_bool(struct bytes_out *w, bool b)
{
	bytes_put_be(w, b ? 1 : 0, 1);
}

static bool
get_bool(struct bytes_in *r)
{
	uint64_t v = bytes_get_be(r, 1);

	if (v > 1)
		r->bad = true;
	return v == 1;
}

static uint64_t
get_range(struct bytes_in *r, size_t n, uint64_t lo, uint64_t hi)
{
	uint64_t v = bytes_get_be(r, n);

	if (v < lo || v > hi)
		r->bad = true;
	return v;
}

static void
encode_capture(struct bytes_out *w, const struct msg_conf *c)
{
	bytes_put_be(w, c->capture_mode, 1);
	msg_put_text(w, c->interface, sizeof(c->interface));
	msg_put_text(w, c->filter, sizeof(c->filter));
	put_bool(w, c->promiscuous);
	put_bool(w, c->any_direction);
	bytes_put_be(w, c->buffer, 4);
	bytes_put_be(w, c->max_delay_ms, 4);
	bytes_put_be(w, c->workers, 1);
	bytes_put_be(w, c->worker, 1);
	bytes_put_be(w, c->fanout_group, 2);
	msg_put_text(w, c->udp_address, sizeof(c->udp_address));
	bytes_put_be(w, c->udp_port, 2);
	put_bool(w, c->http);
	msg_put_text(w, c->http_address, sizeof(c->http_address));
	bytes_put_be(w, c->http_port, 2);
	put_bool(w, c->http_any_user_agent);
	put_bool(w, c->x_forwarded_for);
	msg_put_text(w, c->tcp_address, sizeof(c->tcp_address));
	bytes_put_be(w, c->tcp_port, 2);
	bytes_put_be(w, c->tcp_connections, 2);
	bytes_put_be(w, c->tcp_rate, 4);
	bytes_put_be(w, c->tcp_timeout_ms, 4);
}

static void
encode_conf(struct bytes_out *w, const struct msg_conf *c)
{
	encode_capture(w, c);
	put_bool(w, c->nat_forwarding);
	put_bool(w, c->nat_local);
	put_bool(w, c->nat_dns);
	msg_put_text(w, c->verifier_user, sizeof(c->verifier_user));
	msg_put_text(w, c->state_dir, sizeof(c->state_dir));
	bytes_put_be(w, c->replay_capacity, 4);
	bytes_put_be(w, c->max_packet_age, 4);
	bytes_put_be(w, c->log_refusals_per_sec, 4);
	bytes_put_be(w, c->log_dest, 1);
	bytes_put_be(w, c->log_facility, 4);
	msg_put_text(w, c->log_ident, sizeof(c->log_ident));
	bytes_put_be(w, c->verbose, 4);
	msg_put_text(w, c->pcap_file, sizeof(c->pcap_file));
	bytes_put_be(w, c->packet_limit, 8);
}

static void
decode_capture(struct bytes_in *r, struct msg_conf *c)
{
	c->capture_mode = (uint8_t)get_range(r, 1, 0, 1);
	msg_get_path(r, c->interface, sizeof(c->interface));
	msg_get_path(r, c->filter, sizeof(c->filter));
	c->promiscuous = get_bool(r);
	c->any_direction = get_bool(r);
	c->buffer = (uint32_t)get_range(r, 4, CONF_BUFFER_MIN,
	    CONF_BUFFER_MAX);
	c->max_delay_ms = (uint32_t)get_range(r, 4, 1,
	    CONF_MAX_DELAY_MS_MAX);
	c->workers = (uint8_t)get_range(r, 1, 1, CONF_WORKERS_MAX);
	c->worker = (uint8_t)get_range(r, 1, 0, CONF_WORKERS_MAX - 1);
	if (c->worker >= c->workers)
		r->bad = true;
	c->fanout_group = (uint16_t)bytes_get_be(r, 2);
	msg_get_path(r, c->udp_address, sizeof(c->udp_address));
	c->udp_port = (uint16_t)bytes_get_be(r, 2);
	c->http = get_bool(r);
	msg_get_path(r, c->http_address, sizeof(c->http_address));
	c->http_port = (uint16_t)bytes_get_be(r, 2);
	c->http_any_user_agent = get_bool(r);
	c->x_forwarded_for = get_bool(r);
	msg_get_path(r, c->tcp_address, sizeof(c->tcp_address));
	c->tcp_port = (uint16_t)bytes_get_be(r, 2);
	c->tcp_connections = (uint16_t)get_range(r, 2, 1,
	    CONF_TCP_CONNECTIONS_MAX);
	c->tcp_rate = (uint32_t)bytes_get_be(r, 4);
	c->tcp_timeout_ms = (uint32_t)get_range(r, 4, 100, 60000);
}

static void
decode_conf(struct bytes_in *r, struct msg_conf *c)
{
	decode_capture(r, c);
	c->nat_forwarding = get_bool(r);
	c->nat_local = get_bool(r);
	c->nat_dns = get_bool(r);
	msg_get_path(r, c->verifier_user, sizeof(c->verifier_user));
	msg_get_path(r, c->state_dir, sizeof(c->state_dir));
	c->replay_capacity = (uint32_t)get_range(r, 4, 0, 1U << 30);
	c->max_packet_age = (uint32_t)bytes_get_be(r, 4);
	c->log_refusals_per_sec = (uint32_t)bytes_get_be(r, 4);
	c->log_dest = (uint8_t)get_range(r, 1, LOG_TO_STDERR,
	    LOG_TO_STDERR | LOG_TO_SYSLOG);
	c->log_facility = (uint32_t)get_range(r, 4, 0, LOG_LOCAL7);
	if ((c->log_facility & 7) != 0)
		r->bad = true;
	msg_get_path(r, c->log_ident, sizeof(c->log_ident));
	c->verbose = (uint32_t)get_range(r, 4, 0, MSG_VERBOSE_MAX);
	msg_get_path(r, c->pcap_file, sizeof(c->pcap_file));
	c->packet_limit = bytes_get_be(r, 8);
	if (c->interface[0] == '\0' || c->verifier_user[0] == '\0' ||
	    c->state_dir[0] != '/' || c->log_ident[0] == '\0')
		r->bad = true;
}

/* Key bytes: a length up to `max`, then the field, zero past the length. */
static void
put_key(struct bytes_out *w, const uint8_t *k, uint8_t len, size_t field)
{
	size_t i;

	bytes_put_be(w, len, 1);
	for (i = 0; i < field; i++)
		bytes_put_be(w, i < len ? k[i] : 0, 1);
}

static void
get_key(struct bytes_in *r, uint8_t *k, uint8_t *len, size_t field)
{
	const uint8_t *p;
	size_t i;

	*len = (uint8_t)bytes_get_be(r, 1);
	if (*len > field || (p = bytes_get(r, field)) == NULL) {
		r->bad = true;
		return;
	}
	for (i = *len; i < field; i++)
		if (p[i] != 0)
			r->bad = true;
	memcpy(k, p, field);
}

static void
encode_stanza(struct bytes_out *w, const struct msg_stanza *s)
{
	bytes_put_be(w, s->number, 4);
	msg_put_text(w, s->file, sizeof(s->file));
	bytes_put_be(w, s->line, 4);
	put_bool(w, s->source_any);
	put_bool(w, s->has_destination);
	put_bool(w, s->destination_any);
	put_bool(w, s->has_open_ports);
	put_bool(w, s->has_enc_key);
	put_key(w, s->enc_key, s->enc_key_len, sizeof(s->enc_key));
	put_bool(w, s->has_hmac_key);
	put_key(w, s->hmac_key, s->hmac_key_len, sizeof(s->hmac_key));
	bytes_put_be(w, s->hmac_type, 1);
	bytes_put_be(w, s->mode, 1);
	put_bool(w, s->gpg_only);
	bytes_put_be(w, s->fw_access_timeout, 4);
	bytes_put_be(w, s->max_fw_timeout, 4);
	bytes_put_be(w, s->cmd_cycle_timer, 4);
	bytes_put_be(w, (uint64_t)s->expire, 8);
	put_bool(w, s->has_require_username);
	msg_put_text(w, s->require_username, sizeof(s->require_username));
	put_bool(w, s->require_source_address);
	put_bool(w, s->enable_cmd_exec);
	put_bool(w, s->gpg);
	put_bool(w, s->gpg_require_sig);
	put_bool(w, s->gpg_ignore_sig_verify_error);
	put_bool(w, s->gpg_allow_no_pw);
	put_bool(w, s->has_gpg_decrypt_pw);
	msg_put_text(w, s->gpg_decrypt_id, sizeof(s->gpg_decrypt_id));
	msg_put_text(w, s->gpg_decrypt_pw, sizeof(s->gpg_decrypt_pw));
	msg_put_text(w, s->gpg_remote_id, sizeof(s->gpg_remote_id));
	msg_put_text(w, s->gpg_fingerprint_id, sizeof(s->gpg_fingerprint_id));
	msg_put_text(w, s->gpg_user_file, sizeof(s->gpg_user_file));
}

/* GnuPG fields: only a GnuPG stanza has any, and then a key to use. */
static void
decode_stanza_gpg(struct bytes_in *r, struct msg_stanza *s)
{
	s->gpg = get_bool(r);
	s->gpg_require_sig = get_bool(r);
	s->gpg_ignore_sig_verify_error = get_bool(r);
	s->gpg_allow_no_pw = get_bool(r);
	s->has_gpg_decrypt_pw = get_bool(r);
	msg_get_path(r, s->gpg_decrypt_id, sizeof(s->gpg_decrypt_id));
	msg_get_path(r, s->gpg_decrypt_pw, sizeof(s->gpg_decrypt_pw));
	msg_get_path(r, s->gpg_remote_id, sizeof(s->gpg_remote_id));
	msg_get_path(r, s->gpg_fingerprint_id, sizeof(s->gpg_fingerprint_id));
	msg_get_path(r, s->gpg_user_file, sizeof(s->gpg_user_file));
	if (!s->gpg && (s->gpg_require_sig || s->gpg_ignore_sig_verify_error ||
	    s->gpg_allow_no_pw || s->has_gpg_decrypt_pw ||
	    s->gpg_decrypt_id[0] != '\0' || s->gpg_remote_id[0] != '\0' ||
	    s->gpg_fingerprint_id[0] != '\0' || s->gpg_user_file[0] != '\0'))
		r->bad = true;
	if (s->gpg && !s->gpg_allow_no_pw && !s->has_gpg_decrypt_pw)
		r->bad = true;
	if (!s->has_gpg_decrypt_pw && s->gpg_decrypt_pw[0] != '\0')
		r->bad = true;
}

static void
decode_stanza(struct bytes_in *r, struct msg_stanza *s)
{
	s->number = (uint32_t)get_range(r, 4, 1, UINT32_MAX);
	msg_get_path(r, s->file, sizeof(s->file));
	s->line = (uint32_t)bytes_get_be(r, 4);
	s->source_any = get_bool(r);
	s->has_destination = get_bool(r);
	s->destination_any = get_bool(r);
	s->has_open_ports = get_bool(r);
	s->has_enc_key = get_bool(r);
	get_key(r, s->enc_key, &s->enc_key_len, sizeof(s->enc_key));
	s->has_hmac_key = get_bool(r);
	get_key(r, s->hmac_key, &s->hmac_key_len, sizeof(s->hmac_key));
	s->hmac_type = (uint8_t)get_range(r, 1, SPA_DIGEST_NONE,
	    SPA_DIGEST_SHA3_512);
	s->mode = (uint8_t)get_range(r, 1, SPA_MODE_CBC, SPA_MODE_ASYMMETRIC);
	s->gpg_only = get_bool(r);
	s->fw_access_timeout = (uint32_t)get_range(r, 4, 0, ACCESS_MAX_TIMEOUT);
	s->max_fw_timeout = (uint32_t)get_range(r, 4, 0, ACCESS_MAX_TIMEOUT);
	s->cmd_cycle_timer = (uint32_t)get_range(r, 4, 0, ACCESS_MAX_TIMEOUT);
	s->expire = (int64_t)get_range(r, 8, 0, INT64_MAX);
	s->has_require_username = get_bool(r);
	msg_get_path(r, s->require_username, sizeof(s->require_username));
	s->require_source_address = get_bool(r);
	s->enable_cmd_exec = get_bool(r);
	decode_stanza_gpg(r, s);
	if (!s->has_require_username && s->require_username[0] != '\0')
		r->bad = true;
}

static void
encode_keyring(struct bytes_out *w, const struct msg_conf_keyring *k)
{
	size_t i;

	if (k->len > MSG_KEYRING_CHUNK) {
		w->bad = true;
		return;
	}
	bytes_put_be(w, k->stanza, 4);
	bytes_put_be(w, k->kind, 1);
	put_bool(w, k->last);
	bytes_put_be(w, k->len, 2);
	for (i = 0; i < MSG_KEYRING_CHUNK; i++)
		bytes_put_be(w, i < k->len ? k->data[i] : 0, 1);
}

static void
decode_keyring(struct bytes_in *r, struct msg_conf_keyring *k)
{
	size_t i;

	k->stanza = (uint32_t)get_range(r, 4, 1, UINT32_MAX);
	k->kind = (uint8_t)get_range(r, 1, 0, GPG_FILE_KIND_MAX);
	k->last = get_bool(r);
	k->len = (uint16_t)get_range(r, 2, 0, MSG_KEYRING_CHUNK);
	bytes_copy(r, k->data, sizeof(k->data));
	for (i = k->len; i < MSG_KEYRING_CHUNK && !r->bad; i++)
		if (k->data[i] != 0)
			r->bad = true;
}

static void
encode_cidr(struct bytes_out *w, const struct spa_cidr *c)
{
	bytes_put_be(w, c->family == AF_INET6 ? 6 : c->family == AF_INET ?
	    4 : 0, 1);
	bytes_put(w, c->addr, sizeof(c->addr));
	bytes_put(w, c->mask, sizeof(c->mask));
}

/* A mask of leading ones (only in the first 4 bytes for IPv4). */
static bool
mask_ok(const uint8_t *m, size_t len, size_t used)
{
	size_t i;
	bool zeros = false;
	int b;

	for (i = 0; i < len; i++)
		for (b = 7; b >= 0; b--) {
			if ((m[i] >> b & 1) != 0 && (zeros || i >= used))
				return false;
			if ((m[i] >> b & 1) == 0)
				zeros = true;
		}
	return true;
}

static void
decode_cidr(struct bytes_in *r, struct spa_cidr *c)
{
	unsigned int fam = (unsigned int)bytes_get_be(r, 1);
	size_t i;

	bytes_copy(r, c->addr, sizeof(c->addr));
	bytes_copy(r, c->mask, sizeof(c->mask));
	if (fam != 4 && fam != 6) {
		r->bad = true;
		return;
	}
	c->family = fam == 4 ? AF_INET : AF_INET6;
	if (!mask_ok(c->mask, sizeof(c->mask), fam == 4 ? 4 : 16))
		r->bad = true;
	for (i = 0; i < sizeof(c->addr); i++)
		if ((c->addr[i] & ~c->mask[i]) != 0)
			r->bad = true;
}

void
msg_conf_encode(struct bytes_out *w, const struct msg *m)
{
	switch (m->type) {
	case MSG_CONF:
		encode_conf(w, &m->u.conf);
		break;
	case MSG_CONF_STANZA:
		encode_stanza(w, &m->u.stanza);
		break;
	case MSG_CONF_ADDR:
		bytes_put_be(w, m->u.addr.stanza, 4);
		bytes_put_be(w, m->u.addr.list, 1);
		encode_cidr(w, &m->u.addr.cidr);
		break;
	case MSG_CONF_PORT:
		bytes_put_be(w, m->u.port.stanza, 4);
		bytes_put_be(w, m->u.port.list, 1);
		bytes_put_be(w, m->u.port.port.proto, 1);
		bytes_put_be(w, m->u.port.port.port, 2);
		break;
	case MSG_CONF_END:
		bytes_put_be(w, m->u.nstanzas, 4);
		break;
	case MSG_CONF_KEYRING:
		encode_keyring(w, &m->u.keyring);
		break;
	default:
		w->bad = true;
	}
}

static void
decode_port(struct bytes_in *r, struct msg_conf_port *p)
{
	p->stanza = (uint32_t)get_range(r, 4, 1, UINT32_MAX);
	p->list = (uint8_t)get_range(r, 1, MSG_LIST_OPEN, MSG_LIST_RESTRICT);
	p->port.proto = (uint8_t)bytes_get_be(r, 1);
	p->port.port = (uint16_t)get_range(r, 2, 1, 65535);
	if (p->port.proto != IPPROTO_TCP && p->port.proto != IPPROTO_UDP)
		r->bad = true;
}

void
msg_conf_decode(struct bytes_in *r, struct msg *m)
{
	switch (m->type) {
	case MSG_CONF:
		decode_conf(r, &m->u.conf);
		break;
	case MSG_CONF_STANZA:
		decode_stanza(r, &m->u.stanza);
		break;
	case MSG_CONF_ADDR:
		m->u.addr.stanza = (uint32_t)get_range(r, 4, 1, UINT32_MAX);
		m->u.addr.list = (uint8_t)get_range(r, 1, MSG_LIST_SOURCE,
		    MSG_LIST_DESTINATION);
		decode_cidr(r, &m->u.addr.cidr);
		break;
	case MSG_CONF_PORT:
		decode_port(r, &m->u.port);
		break;
	case MSG_CONF_END:
		m->u.nstanzas = (uint32_t)bytes_get_be(r, 4);
		break;
	case MSG_CONF_KEYRING:
		decode_keyring(r, &m->u.keyring);
		break;
	default:
		r->bad = true;
	}
}
