/*
 * The verifier's configuration as messages (common/msg.h): MSG_CONF, then
 * per stanza MSG_CONF_STANZA and one MSG_CONF_ADDR or MSG_CONF_PORT per
 * list item, and for a GnuPG stanza its keyring files in MSG_CONF_KEYRING
 * pieces, then MSG_CONF_END.  Only what the verifier uses travels: no
 * command, account, device or secret of the executor's but the stanzas'
 * keys (Rijndael, HMAC, GnuPG keyrings and passphrases), which it needs
 * to open packets.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "crypto.h"
#include "err.h"
#include "log.h"
#include "msg.h"
#include "vproc.h"

/*
 * A string into a text field of `n` bytes; false (logged) if it does not
 * fit or holds a control character, which the verifier would refuse.
 */
static bool
text(char *dst, size_t n, const char *src, const char *what)
{
	const unsigned char *p;

	if (src == NULL)
		src = "";
	for (p = (const unsigned char *)src; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f) {
			log_errx("%s holds a control character: the verifier "
			    "is not told such a value", what);
			return false;
		}
	if ((size_t)snprintf(dst, n, "%s", src) < n)
		return true;
	log_errx("%s is too long for the verifier (at most %zu bytes)", what,
	    n - 1);
	return false;
}

static int
send_one(int sock, const struct msg *m)
{
	uint8_t buf[MSG_MAX];
	int n;

	if ((n = msg_encode(m, buf, sizeof(buf))) < 0) {
		log_errx("verifier configuration: message type %d does not "
		    "encode", (int)m->type);
		return n;
	}
	if (sock >= 0 && send(sock, buf, (size_t)n, MSG_NOSIGNAL) != n) {
		log_warn("verifier configuration");
		n = SPA_ERR_SYS;
	}
	crypto_wipe(buf, sizeof(buf));	/* a stanza's keys */
	return n < 0 ? n : 0;
}

static bool
fill_capture(struct msg_conf *mc, const struct vproc_conf *vc)
{
	const struct conf_capture *cc = &vc->conf->capture;

	mc->capture_mode = (uint8_t)cc->mode;
	mc->promiscuous = cc->promiscuous;
	mc->any_direction = cc->any_direction;
	mc->buffer = cc->buffer;
	mc->max_delay_ms = cc->max_delay_ms;
	mc->workers = (uint8_t)vc->workers;
	mc->worker = (uint8_t)vc->worker;
	mc->fanout_group = vc->fanout_group;
	mc->udp_port = cc->udp_port;
	mc->http = cc->http;
	mc->http_port = cc->http_port;
	mc->http_any_user_agent = cc->http_any_user_agent;
	mc->x_forwarded_for = cc->x_forwarded_for;
	mc->tcp_port = cc->tcp_port;
	mc->tcp_connections = (uint16_t)cc->tcp_connections;
	mc->tcp_rate = cc->tcp_rate;
	mc->tcp_timeout_ms = cc->tcp_timeout_ms;
	return text(mc->interface, sizeof(mc->interface), cc->interface,
	    "capture.interface") &&
	    text(mc->filter, sizeof(mc->filter), cc->filter,
	    "capture.filter") &&
	    text(mc->udp_address, sizeof(mc->udp_address), cc->udp_address,
	    "capture.udp_address") &&
	    text(mc->http_address, sizeof(mc->http_address), cc->http_address,
	    "capture.http_address") &&
	    text(mc->tcp_address, sizeof(mc->tcp_address), cc->tcp_address,
	    "capture.tcp_address");
}

static int
send_settings(int sock, const struct vproc_conf *vc)
{
	const struct spa_conf *c = vc->conf;
	struct msg m;
	struct msg_conf *mc = &m.u.conf;

	memset(&m, 0, sizeof(m));
	m.type = MSG_CONF;
	mc->nat_forwarding = c->nat_forwarding;
	mc->nat_local = c->nat_local;
	mc->nat_dns = c->nat_dns;
	mc->replay_capacity = c->replay_capacity;
	mc->max_packet_age = c->max_packet_age;
	mc->log_refusals_per_sec = c->log_refusals_per_sec;
	mc->log_dest = (uint8_t)vc->log_dest;
	mc->log_facility = (uint32_t)c->syslog_facility;
	mc->verbose = c->verbose > MSG_VERBOSE_MAX ? MSG_VERBOSE_MAX :
	    (uint32_t)c->verbose;
	mc->packet_limit = vc->packet_limit;
	if (!fill_capture(mc, vc) ||
	    !text(mc->verifier_user, sizeof(mc->verifier_user),
	    c->verifier_user, "executor.verifier_user") ||
	    !text(mc->state_dir, sizeof(mc->state_dir), vc->state_dir ?
	    vc->state_dir : c->state_dir, "state_dir") ||
	    !text(mc->log_ident, sizeof(mc->log_ident), c->syslog_ident,
	    "log.syslog_ident") ||
	    !text(mc->pcap_file, sizeof(mc->pcap_file), vc->pcap_file,
	    "--pcap-file"))
		return SPA_ERR_CONFIG;
	return send_one(sock, &m);
}

static void
fill_keys(struct msg_stanza *ms, const struct stanza *st)
{
	ms->has_enc_key = st->has_enc_key;
	ms->enc_key_len = (uint8_t)st->enc_key_len;
	memcpy(ms->enc_key, st->enc_key, st->enc_key_len);
	ms->has_hmac_key = st->has_hmac_key;
	ms->hmac_key_len = (uint8_t)st->hmac_key_len;
	memcpy(ms->hmac_key, st->hmac_key, st->hmac_key_len);
	ms->hmac_type = (uint8_t)st->hmac_type;
	ms->mode = (uint8_t)st->mode;
	ms->gpg_only = st->gpg_only;
}

/* A GnuPG stanza's rules and passphrase (its keyring follows). */
static bool
fill_gpg(struct msg_stanza *ms, const struct stanza *st)
{
	if (!st->gpg)
		return true;
	ms->gpg = true;
	ms->gpg_require_sig = st->gpg_require_sig;
	ms->gpg_ignore_sig_verify_error = st->gpg_ignore_sig_verify_error;
	ms->gpg_allow_no_pw = st->gpg_allow_no_pw;
	ms->has_gpg_decrypt_pw = st->has_gpg_decrypt_pw;
	return text(ms->gpg_decrypt_id, sizeof(ms->gpg_decrypt_id),
	    st->gpg_decrypt_id, "GPG_DECRYPT_ID") &&
	    text(ms->gpg_decrypt_pw, sizeof(ms->gpg_decrypt_pw),
	    st->gpg_decrypt_pw, "GPG_DECRYPT_PW") &&
	    text(ms->gpg_remote_id, sizeof(ms->gpg_remote_id),
	    st->gpg_remote_id, "GPG_REMOTE_ID") &&
	    text(ms->gpg_fingerprint_id, sizeof(ms->gpg_fingerprint_id),
	    st->gpg_fingerprint_id, "GPG_FINGERPRINT_ID") &&
	    text(ms->gpg_user_file, sizeof(ms->gpg_user_file),
	    st->gpg_user_file, "a per-user file's path");
}

static int
send_stanza_head(int sock, const struct stanza *st)
{
	struct msg m;
	struct msg_stanza *ms = &m.u.stanza;
	int r;

	memset(&m, 0, sizeof(m));
	m.type = MSG_CONF_STANZA;
	ms->number = st->number;
	ms->line = st->line;
	ms->source_any = st->source.any;
	ms->has_destination = st->has_destination;
	ms->destination_any = st->destination.any;
	ms->has_open_ports = st->has_open_ports;
	fill_keys(ms, st);
	ms->fw_access_timeout = st->fw_access_timeout;
	ms->max_fw_timeout = st->max_fw_timeout;
	ms->cmd_cycle_timer = st->cmd_cycle_open != NULL ?
	    st->cmd_cycle_timer : 0;
	ms->expire = st->expire;
	ms->has_require_username = st->require_username != NULL;
	ms->require_source_address = st->require_source_address;
	ms->enable_cmd_exec = st->enable_cmd_exec;
	if (!fill_gpg(ms, st) ||
	    !text(ms->file, sizeof(ms->file), st->file, "an access file's "
	    "path") || (st->require_username != NULL &&
	    !text(ms->require_username, sizeof(ms->require_username),
	    st->require_username, "REQUIRE_USERNAME")))
		r = SPA_ERR_CONFIG;
	else
		r = send_one(sock, &m);
	crypto_wipe(&m, sizeof(m));
	return r;
}

static int
send_addrs(int sock, uint32_t number, uint8_t list,
    const struct spa_addr_list *l)
{
	struct msg m;
	size_t i;
	int r = 0;

	for (i = 0; i < l->n && r == 0; i++) {
		memset(&m, 0, sizeof(m));
		m.type = MSG_CONF_ADDR;
		m.u.addr.stanza = number;
		m.u.addr.list = list;
		m.u.addr.cidr = l->v[i];
		r = send_one(sock, &m);
	}
	return r;
}

static int
send_ports(int sock, uint32_t number, uint8_t list,
    const struct access_ports *l)
{
	struct msg m;
	size_t i;
	int r = 0;

	for (i = 0; i < l->n && r == 0; i++) {
		memset(&m, 0, sizeof(m));
		m.type = MSG_CONF_PORT;
		m.u.port.stanza = number;
		m.u.port.list = list;
		m.u.port.port = l->v[i];
		r = send_one(sock, &m);
	}
	return r;
}

/* Each keyring file in pieces, the last piece of each marked. */
static int
send_keyring(int sock, uint32_t number, const struct gpg_keyring *kr)
{
	struct msg m;
	const struct gpg_file *f;
	size_t i, off, n;
	int r = 0;

	for (i = 0; i < kr->n && r == 0; i++) {
		f = &kr->v[i];
		off = 0;
		do {
			n = f->len - off < MSG_KEYRING_CHUNK ? f->len - off :
			    MSG_KEYRING_CHUNK;
			memset(&m, 0, sizeof(m));
			m.type = MSG_CONF_KEYRING;
			m.u.keyring.stanza = number;
			m.u.keyring.kind = (uint8_t)f->kind;
			m.u.keyring.len = (uint16_t)n;
			memcpy(m.u.keyring.data, f->data + off, n);
			off += n;
			m.u.keyring.last = off == f->len;
			r = send_one(sock, &m);
		} while (r == 0 && off < f->len);
	}
	crypto_wipe(&m, sizeof(m));
	return r;
}

static int
send_stanza(int sock, const struct stanza *st)
{
	int r;

	if ((r = send_stanza_head(sock, st)) != 0 ||
	    (r = send_addrs(sock, st->number, MSG_LIST_SOURCE,
	    &st->source)) != 0 ||
	    (r = send_addrs(sock, st->number, MSG_LIST_DESTINATION,
	    &st->destination)) != 0 ||
	    (r = send_ports(sock, st->number, MSG_LIST_OPEN,
	    &st->open_ports)) != 0 ||
	    (r = send_keyring(sock, st->number, &st->gpg_keyring)) != 0)
		return r;
	return send_ports(sock, st->number, MSG_LIST_RESTRICT,
	    &st->restrict_ports);
}

int
vproc_send_conf(int sock, const struct vproc_conf *vc)
{
	struct msg m;
	size_t i;
	int r;

	if ((r = send_settings(sock, vc)) != 0)
		return r;
	for (i = 0; i < vc->access->n; i++)
		if ((r = send_stanza(sock, vc->access->stanzas[i])) != 0)
			return r;
	memset(&m, 0, sizeof(m));
	m.type = MSG_CONF_END;
	m.u.nstanzas = (uint32_t)vc->access->n;
	return send_one(sock, &m);
}
