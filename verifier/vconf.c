/* The verifier's configuration, rebuilt from the executor's messages. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "crypto.h"
#include "err.h"
#include "log.h"
#include "vconf.h"

static int
dup_text(char **dst, const char *s)
{
	free(*dst);
	return (*dst = strdup(s)) == NULL ? SPA_ERR_NOMEM : 0;
}

static int
apply_capture(struct conf_capture *cc, const struct msg_conf *mc)
{
	cc->mode = (enum capture_mode)mc->capture_mode;
	cc->promiscuous = mc->promiscuous;
	cc->any_direction = mc->any_direction;
	cc->buffer = mc->buffer;
	cc->max_delay_ms = mc->max_delay_ms;
	cc->workers = mc->workers;
	cc->worker = mc->worker;
	cc->fanout_group = mc->fanout_group;
	cc->udp_port = mc->udp_port;
	cc->http = mc->http;
	cc->http_port = mc->http_port;
	cc->http_any_user_agent = mc->http_any_user_agent;
	cc->x_forwarded_for = mc->x_forwarded_for;
	cc->tcp_port = mc->tcp_port;
	cc->tcp_connections = mc->tcp_connections;
	cc->tcp_rate = mc->tcp_rate;
	cc->tcp_timeout_ms = mc->tcp_timeout_ms;
	if (dup_text(&cc->interface, mc->interface) != 0 ||
	    dup_text(&cc->filter, mc->filter) != 0 ||
	    dup_text(&cc->udp_address, mc->udp_address) != 0 ||
	    dup_text(&cc->http_address, mc->http_address) != 0 ||
	    dup_text(&cc->tcp_address, mc->tcp_address) != 0)
		return SPA_ERR_NOMEM;
	return 0;
}

static int
apply_settings(struct vconf *vc, const struct msg_conf *mc)
{
	struct spa_conf *c = &vc->conf;

	c->nat_forwarding = mc->nat_forwarding;
	c->nat_local = mc->nat_local;
	c->nat_dns = mc->nat_dns;
	c->replay_capacity = mc->replay_capacity;
	c->max_packet_age = mc->max_packet_age;
	c->log_refusals_per_sec = mc->log_refusals_per_sec;
	vc->packet_limit = mc->packet_limit;
	vc->log_dest = mc->log_dest;
	vc->log_facility = (int)mc->log_facility;
	vc->verbose = (int)mc->verbose;
	if (apply_capture(&c->capture, mc) != 0 ||
	    dup_text(&c->verifier_user, mc->verifier_user) != 0 ||
	    dup_text(&c->state_dir, mc->state_dir) != 0 ||
	    dup_text(&vc->log_ident, mc->log_ident) != 0 ||
	    (mc->pcap_file[0] != '\0' &&	/* "": live capture */
	    dup_text(&vc->pcap_file, mc->pcap_file) != 0))
		return SPA_ERR_NOMEM;
	if ((vc->access = calloc(1, sizeof(*vc->access))) == NULL)
		return SPA_ERR_NOMEM;
	vc->phase = MSG_PHASE_CONF;
	return 0;
}

static void
stanza_keys(struct stanza *st, const struct msg_stanza *ms)
{
	st->has_enc_key = ms->has_enc_key;
	st->enc_key_len = ms->enc_key_len;
	memcpy(st->enc_key, ms->enc_key, sizeof(st->enc_key));
	st->has_hmac_key = ms->has_hmac_key;
	st->hmac_key_len = ms->hmac_key_len;
	memcpy(st->hmac_key, ms->hmac_key, sizeof(st->hmac_key));
	st->hmac_type = (enum spa_digest)ms->hmac_type;
	st->mode = (enum spa_mode)ms->mode;
	st->gpg_only = ms->gpg_only;
}

static int
dup_if(char **dst, const char *s)
{
	return s[0] == '\0' ? 0 : dup_text(dst, s);
}

static int
stanza_gpg(struct stanza *st, const struct msg_stanza *ms)
{
	st->gpg = ms->gpg;
	st->gpg_require_sig = ms->gpg_require_sig;
	st->gpg_ignore_sig_verify_error = ms->gpg_ignore_sig_verify_error;
	st->gpg_allow_no_pw = ms->gpg_allow_no_pw;
	st->has_gpg_decrypt_pw = ms->has_gpg_decrypt_pw;
	if (dup_if(&st->gpg_decrypt_id, ms->gpg_decrypt_id) != 0 ||
	    (ms->has_gpg_decrypt_pw &&
	    dup_text(&st->gpg_decrypt_pw, ms->gpg_decrypt_pw) != 0) ||
	    dup_if(&st->gpg_remote_id, ms->gpg_remote_id) != 0 ||
	    dup_if(&st->gpg_fingerprint_id, ms->gpg_fingerprint_id) != 0 ||
	    dup_if(&st->gpg_user_file, ms->gpg_user_file) != 0)
		return SPA_ERR_NOMEM;
	return 0;
}

static int
stanza_fields(struct stanza *st, const struct msg_stanza *ms)
{
	st->number = ms->number;
	st->line = ms->line;
	st->source.any = ms->source_any;
	st->has_destination = ms->has_destination;
	st->destination.any = ms->destination_any;
	st->has_open_ports = ms->has_open_ports;
	stanza_keys(st, ms);
	st->fw_access_timeout = ms->fw_access_timeout;
	st->max_fw_timeout = ms->max_fw_timeout;
	st->expire = ms->expire;
	st->require_source_address = ms->require_source_address;
	st->enable_cmd_exec = ms->enable_cmd_exec;
	st->cmd_cycle_timer = ms->cmd_cycle_timer;
	/* the verifier knows only that a cycle sets the timeout
	   (policy_timeout), never its commands */
	if (ms->cmd_cycle_timer > 0 &&
	    (st->cmd_cycle_open = strdup("-")) == NULL)
		return SPA_ERR_NOMEM;
	if (stanza_gpg(st, ms) != 0 || (st->file = strdup(ms->file)) == NULL ||
	    (ms->has_require_username &&
	    (st->require_username = strdup(ms->require_username)) == NULL))
		return SPA_ERR_NOMEM;
	return 0;
}

static int
add_stanza(struct access_conf *a, const struct msg_stanza *ms)
{
	struct stanza **v, *st;

	if (ms->number != a->n + 1)
		return SPA_ERR_ARG;
	if ((v = reallocarray(a->stanzas, a->n + 1, sizeof(*v))) == NULL)
		return SPA_ERR_NOMEM;
	a->stanzas = v;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return SPA_ERR_NOMEM;
	a->stanzas[a->n++] = st;	/* access_free frees it from here on */
	return stanza_fields(st, ms);
}

/* The stanza an item names: the last one sent, or NULL. */
static struct stanza *
item_stanza(const struct access_conf *a, uint32_t number)
{
	return a->n > 0 && number == a->n ? a->stanzas[a->n - 1] : NULL;
}

static int
add_addr(struct access_conf *a, const struct msg_conf_addr *ma)
{
	struct stanza *st = item_stanza(a, ma->stanza);
	struct spa_addr_list *l;
	struct spa_cidr *v;

	if (st == NULL)
		return SPA_ERR_ARG;
	l = ma->list == MSG_LIST_SOURCE ? &st->source : &st->destination;
	if ((v = reallocarray(l->v, l->n + 1, sizeof(*v))) == NULL)
		return SPA_ERR_NOMEM;
	l->v = v;
	l->v[l->n++] = ma->cidr;
	return 0;
}

static int
add_port(struct access_conf *a, const struct msg_conf_port *mp)
{
	struct stanza *st = item_stanza(a, mp->stanza);
	struct access_ports *l;
	struct spa_port *v;

	if (st == NULL)
		return SPA_ERR_ARG;
	l = mp->list == MSG_LIST_OPEN ? &st->open_ports : &st->restrict_ports;
	if ((v = reallocarray(l->v, l->n + 1, sizeof(*v))) == NULL)
		return SPA_ERR_NOMEM;
	l->v = v;
	l->v[l->n++] = mp->port;
	return 0;
}

/* A piece of a GnuPG stanza's keyring: only a GnuPG stanza has one. */
static int
add_keyring(struct access_conf *a, const struct msg_conf_keyring *mk)
{
	struct stanza *st = item_stanza(a, mk->stanza);

	if (st == NULL || !st->gpg)
		return SPA_ERR_ARG;
	return gpg_keyring_append(&st->gpg_keyring,
	    (enum gpg_file_kind)mk->kind, mk->data, mk->len, mk->last);
}

/* Every keyring whole: a file whose last piece never came is refused. */
static bool
keyrings_complete(const struct access_conf *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (!gpg_keyring_complete(&a->stanzas[i]->gpg_keyring))
			return false;
	return true;
}

int
vconf_apply(struct vconf *vc, const struct msg *m)
{
	if (!msg_expected(vc->phase, m->type))
		return SPA_ERR_ARG;
	switch (m->type) {
	case MSG_CONF:
		return apply_settings(vc, &m->u.conf);
	case MSG_CONF_STANZA:
		return add_stanza(vc->access, &m->u.stanza);
	case MSG_CONF_ADDR:
		return add_addr(vc->access, &m->u.addr);
	case MSG_CONF_PORT:
		return add_port(vc->access, &m->u.port);
	case MSG_CONF_KEYRING:
		return add_keyring(vc->access, &m->u.keyring);
	case MSG_CONF_END:
		if (m->u.nstanzas != vc->access->n ||
		    !keyrings_complete(vc->access))
			return SPA_ERR_ARG;
		vc->phase = MSG_PHASE_SERVING;
		return 0;
	default:	/* msg_expected admits none */
		return SPA_ERR_ARG;
	}
}

int
vconf_recv(int sock, struct vconf *vc)
{
	uint8_t buf[MSG_MAX + 1];
	struct msg m;
	ssize_t n;
	int r = 0;

	vc->phase = MSG_PHASE_CONF_FIRST;
	while (r == 0 && vc->phase != MSG_PHASE_SERVING) {
		if ((n = recv(sock, buf, sizeof(buf), 0)) < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_errx("the executor went away before the whole "
			    "configuration");
			r = SPA_ERR_SYS;
		} else if ((r = msg_decode(buf, (size_t)n, &m)) == 0 &&
		    (r = vconf_apply(vc, &m)) == SPA_ERR_ARG)
			log_errx("the executor sent a configuration message "
			    "out of place or inconsistent (type %d)",
			    (int)m.type);
		else if (r == SPA_ERR_ARG)
			log_errx("the executor sent a malformed message");
		crypto_wipe(&m, sizeof(m));
	}
	crypto_wipe(buf, sizeof(buf));
	return r;
}

void
vconf_free(struct vconf *vc)
{
	struct conf_capture *cc = &vc->conf.capture;

	access_free(vc->access);
	free(cc->interface);
	free(cc->filter);
	free(cc->udp_address);
	free(cc->http_address);
	free(cc->tcp_address);
	free(vc->conf.verifier_user);
	free(vc->conf.state_dir);
	free(vc->log_ident);
	free(vc->pcap_file);
	memset(vc, 0, sizeof(*vc));
}
