/*
 * The verifier's configuration as messages: a policy sent by the executor
 * (executor/vproc_conf.c) and rebuilt by the verifier (verifier/vconf.c)
 * grants and refuses as the original does; every malformed or misplaced
 * configuration message is refused.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "access_int.h"
#include "conf.h"
#include "log.h"
#include "msg.h"
#include "policy.h"
#include "vconf.h"
#include "vproc.h"

#define KEY	"0123456789abcdef0123456789abcdef"
#define HKEY	"an HMAC key of some length, 48 bytes long......"

static const char policy[] =
    "SOURCE 192.0.2.0/24, 2001:db8::/32\n"
    "DESTINATION 198.51.100.1\n"
    "OPEN_PORTS tcp/22, udp/53\n"
    "RESTRICT_PORTS tcp/23\n"
    "KEY " KEY "\n"
    "HMAC_KEY " HKEY "\n"
    "HMAC_DIGEST_TYPE sha512\n"
    "ENCRYPTION_MODE ctr\n"
    "FW_ACCESS_TIMEOUT 45\n"
    "MAX_FW_TIMEOUT 90\n"
    "REQUIRE_USERNAME alice\n"
    "REQUIRE_SOURCE_ADDRESS Y\n"
    "ENABLE_CMD_EXEC Y\n"
    "CMD_CYCLE_OPEN /bin/true open\n"
    "CMD_CYCLE_CLOSE /bin/true close\n"
    "CMD_CYCLE_TIMER 33\n"
    "SOURCE ANY\n"
    "KEY other-key\n";

struct pair {
	struct spa_conf		 conf;
	struct access_conf	*access;
	struct vproc_conf	 vc;
	struct vconf		 got;
	int			 sv[2];
};

static void
pair_init(struct pair *p)
{
	struct access_error err;

	memset(p, 0, sizeof(*p));
	conf_defaults(&p->conf);
	assert_int_equal(conf_set_string(&p->conf.state_dir, "/var/lib/x"),
	    0);
	p->conf.max_packet_age = 77;
	p->conf.nat_local = true;
	p->conf.capture.http = true;
	if (access_load_buffer("test.conf", policy, strlen(policy),
	    &p->access, &err) != 0)
		fail_msg("policy refused: %s", err.text);
	p->vc.conf = &p->conf;
	p->vc.access = p->access;
	p->vc.pcap_file = "/tmp/in.pcap";
	p->vc.packet_limit = 12;
	p->vc.log_dest = LOG_TO_SYSLOG;
	p->vc.workers = 3;
	p->vc.worker = 2;
	p->vc.fanout_group = 0xbeef;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, p->sv), 0);
}

static void
pair_free(struct pair *p)
{
	vconf_free(&p->got);
	access_free(p->access);
	conf_free(&p->conf);
	close(p->sv[0]);
	close(p->sv[1]);
}

/* The settings arrive as they were sent. */
static void
settings_arrive(void **state)
{
	struct pair p;

	(void)state;
	pair_init(&p);
	assert_int_equal(vproc_send_conf(p.sv[0], &p.vc), 0);
	assert_int_equal(vconf_recv(p.sv[1], &p.got), 0);
	assert_int_equal(p.got.phase, MSG_PHASE_SERVING);
	assert_string_equal(p.got.conf.state_dir, "/var/lib/x");
	assert_string_equal(p.got.conf.capture.interface, "any");
	assert_string_equal(p.got.conf.capture.filter, CONF_DEF_FILTER);
	assert_string_equal(p.got.conf.verifier_user, CONF_DEF_VERIFIER_USER);
	assert_int_equal(p.got.conf.max_packet_age, 77);
	assert_true(p.got.conf.nat_local);
	assert_false(p.got.conf.nat_forwarding);
	assert_true(p.got.conf.capture.http);
	assert_string_equal(p.got.pcap_file, "/tmp/in.pcap");
	assert_int_equal(p.got.packet_limit, 12);
	assert_int_equal(p.got.log_dest, LOG_TO_SYSLOG);
	assert_int_equal(p.got.log_facility, LOG_DAEMON);
	assert_string_equal(p.got.log_ident, "spagated");
	assert_int_equal(p.got.conf.capture.workers, 3);
	assert_int_equal(p.got.conf.capture.worker, 2);
	assert_int_equal(p.got.conf.capture.fanout_group, 0xbeef);
	pair_free(&p);
}

static void
same_list(const struct spa_addr_list *a, const struct spa_addr_list *b)
{
	assert_int_equal(a->any, b->any);
	assert_int_equal(a->n, b->n);
	if (a->n > 0)
		assert_memory_equal(a->v, b->v, a->n * sizeof(*a->v));
}

static void
same_ports(const struct access_ports *a, const struct access_ports *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->v[i].proto, b->v[i].proto);
		assert_int_equal(a->v[i].port, b->v[i].port);
	}
}

/* Every field the policy reads, and no command. */
static void
stanzas_arrive(void **state)
{
	const struct stanza *a, *b;
	struct pair p;
	size_t i;

	(void)state;
	pair_init(&p);
	assert_int_equal(vproc_send_conf(p.sv[0], &p.vc), 0);
	assert_int_equal(vconf_recv(p.sv[1], &p.got), 0);
	assert_int_equal(p.got.access->n, 2);
	for (i = 0; i < 2; i++) {
		a = p.access->stanzas[i];
		b = p.got.access->stanzas[i];
		assert_int_equal(b->number, a->number);
		assert_string_equal(b->file, a->file);
		assert_int_equal(b->line, a->line);
		same_list(&b->source, &a->source);
		same_list(&b->destination, &a->destination);
		assert_int_equal(b->has_destination, a->has_destination);
		same_ports(&b->open_ports, &a->open_ports);
		same_ports(&b->restrict_ports, &a->restrict_ports);
		assert_int_equal(b->has_open_ports, a->has_open_ports);
		assert_int_equal(b->enc_key_len, a->enc_key_len);
		assert_memory_equal(b->enc_key, a->enc_key, a->enc_key_len);
		assert_int_equal(b->hmac_key_len, a->hmac_key_len);
		assert_memory_equal(b->hmac_key, a->hmac_key, a->hmac_key_len);
		assert_int_equal(b->hmac_type, a->hmac_type);
		assert_int_equal(b->mode, a->mode);
		assert_int_equal(b->fw_access_timeout, a->fw_access_timeout);
		assert_int_equal(b->max_fw_timeout, a->max_fw_timeout);
		assert_int_equal(b->cmd_cycle_timer, a->cmd_cycle_timer);
		assert_int_equal(b->require_source_address,
		    a->require_source_address);
		assert_int_equal(b->enable_cmd_exec, a->enable_cmd_exec);
		assert_null(b->cmd_cycle_close);
	}
	assert_string_equal(p.got.access->stanzas[0]->require_username,
	    "alice");
	assert_null(p.got.access->stanzas[1]->require_username);
	/* the verifier learns that a cycle sets the timeout, not its command */
	assert_string_not_equal(p.got.access->stanzas[0]->cmd_cycle_open,
	    p.access->stanzas[0]->cmd_cycle_open);
	assert_null(p.got.access->stanzas[1]->cmd_cycle_open);
	assert_int_equal(policy_prepare(p.got.access), 0);
	policy_release(p.got.access);
	pair_free(&p);
}

/*
 * A setting too long for its message, or one the verifier would refuse, is
 * found when the configuration is loaded (a dry run, sock -1), not when a
 * verifier starts.
 */
static void
unsendable_is_found_at_load(void **state)
{
	char filter[MSG_PATH_MAX + 1];
	struct pair p;

	(void)state;
	pair_init(&p);
	assert_int_equal(vproc_send_conf(-1, &p.vc), 0);
	memset(filter, 'x', sizeof(filter) - 1);
	filter[sizeof(filter) - 1] = '\0';
	assert_int_equal(conf_set_string(&p.conf.capture.filter, filter), 0);
	assert_int_equal(vproc_send_conf(-1, &p.vc), SPA_ERR_CONFIG);
	filter[sizeof(filter) - 2] = '\0';	/* 1023 bytes: it fits */
	assert_int_equal(conf_set_string(&p.conf.capture.filter, filter), 0);
	assert_int_equal(vproc_send_conf(-1, &p.vc), 0);
	filter[7] = '\n';	/* refused by the verifier: found here */
	assert_int_equal(conf_set_string(&p.conf.capture.filter, filter), 0);
	assert_int_equal(vproc_send_conf(-1, &p.vc), SPA_ERR_CONFIG);
	/* UTF-8 is text, in a path as in a name */
	assert_int_equal(conf_set_string(&p.conf.state_dir, "/var/lib/sp\xc3\xa5"),
	    0);
	assert_int_equal(conf_set_string(&p.conf.capture.filter, "udp"), 0);
	assert_int_equal(vproc_send_conf(-1, &p.vc), 0);
	pair_free(&p);
}

/* --- refusals: one message at a time through vconf_apply -------------- */

static struct msg
conf_msg(void)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MSG_CONF;
	strcpy(m.u.conf.interface, "any");
	strcpy(m.u.conf.verifier_user, "nobody");
	strcpy(m.u.conf.state_dir, "/var/lib/x");
	strcpy(m.u.conf.log_ident, "spagated");
	m.u.conf.log_dest = LOG_TO_STDERR;
	m.u.conf.log_facility = LOG_DAEMON;
	strcpy(m.u.conf.tcp_address, "0.0.0.0");
	m.u.conf.tcp_connections = CONF_DEF_TCP_CONNECTIONS;
	m.u.conf.tcp_timeout_ms = CONF_DEF_TCP_TIMEOUT_MS;
	m.u.conf.buffer = CONF_DEF_BUFFER;
	m.u.conf.max_delay_ms = CONF_DEF_MAX_DELAY_MS;
	m.u.conf.workers = 1;
	return m;
}

static struct msg
stanza_msg(uint32_t number)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MSG_CONF_STANZA;
	m.u.stanza.number = number;
	strcpy(m.u.stanza.file, "/etc/spagate/access.conf");
	m.u.stanza.line = number;
	m.u.stanza.enc_key_len = 3;
	memcpy(m.u.stanza.enc_key, "abc", 3);
	m.u.stanza.has_enc_key = true;
	return m;
}

static struct msg
port_msg(uint32_t stanza)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MSG_CONF_PORT;
	m.u.port.stanza = stanza;
	m.u.port.port.proto = IPPROTO_TCP;
	m.u.port.port.port = 22;
	return m;
}

static struct msg
end_msg(uint32_t n)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MSG_CONF_END;
	m.u.nstanzas = n;
	return m;
}

/* Encode, decode (as hostile), apply. */
static int
feed(struct vconf *vc, const struct msg *in)
{
	uint8_t buf[MSG_MAX];
	struct msg out;
	int n = msg_encode(in, buf, sizeof(buf));

	assert_true(n > 0);
	if (msg_decode(buf, (size_t)n, &out) != 0)
		return SPA_ERR_ARG;
	return vconf_apply(vc, &out);
}

static void
vconf_start(struct vconf *vc)
{
	struct msg m = conf_msg();

	memset(vc, 0, sizeof(*vc));
	vc->phase = MSG_PHASE_CONF_FIRST;
	assert_int_equal(feed(vc, &m), 0);
}

static void
a_whole_sequence_is_taken(void **state)
{
	struct msg m;
	struct vconf vc;

	(void)state;
	vconf_start(&vc);
	m = stanza_msg(1);
	assert_int_equal(feed(&vc, &m), 0);
	m = port_msg(1);
	assert_int_equal(feed(&vc, &m), 0);
	m = end_msg(1);
	assert_int_equal(feed(&vc, &m), 0);
	assert_int_equal(vc.phase, MSG_PHASE_SERVING);
	assert_int_equal(vc.access->stanzas[0]->open_ports.n, 1);
	vconf_free(&vc);
}

static void
refuses_out_of_place(void **state)
{
	struct msg m;
	struct vconf vc;

	(void)state;
	memset(&vc, 0, sizeof(vc));
	vc.phase = MSG_PHASE_CONF_FIRST;
	m = stanza_msg(1);
	assert_int_equal(feed(&vc, &m), SPA_ERR_ARG);	/* before CONF */
	m = end_msg(0);
	assert_int_equal(feed(&vc, &m), SPA_ERR_ARG);
	vconf_free(&vc);

	vconf_start(&vc);
	m = conf_msg();
	assert_int_equal(feed(&vc, &m), SPA_ERR_ARG);	/* a second CONF */
	m.type = MSG_STATS_REQ;
	assert_int_equal(feed(&vc, &m), SPA_ERR_ARG);	/* before the end */
	m = end_msg(0);
	assert_int_equal(feed(&vc, &m), 0);
	m = stanza_msg(1);
	assert_int_equal(feed(&vc, &m), SPA_ERR_ARG);	/* after the end */
	vconf_free(&vc);
}

static void
refuses_inconsistent_sequence(void **state)
{
	struct msg m;
	struct vconf vc;

	(void)state;
	vconf_start(&vc);
	m = port_msg(1);
	assert_int_equal(feed(&vc, &m), SPA_ERR_ARG);	/* no stanza yet */
	m = stanza_msg(2);
	assert_int_equal(feed(&vc, &m), SPA_ERR_ARG);	/* not the next */
	m = stanza_msg(1);
	assert_int_equal(feed(&vc, &m), 0);
	m = stanza_msg(1);
	assert_int_equal(feed(&vc, &m), SPA_ERR_ARG);	/* again */
	m = stanza_msg(2);
	assert_int_equal(feed(&vc, &m), 0);
	m = port_msg(1);
	assert_int_equal(feed(&vc, &m), SPA_ERR_ARG);	/* not the last */
	m = end_msg(3);
	assert_int_equal(feed(&vc, &m), SPA_ERR_ARG);	/* wrong count */
	m = end_msg(2);
	assert_int_equal(feed(&vc, &m), 0);
	vconf_free(&vc);
}

/* A field set out of its range: the decoder refuses the message. */
static void
refused(const struct msg *in)
{
	uint8_t buf[MSG_MAX];
	struct msg out;
	int n = msg_encode(in, buf, sizeof(buf));

	if (n < 0)
		return;		/* not even encodable: fine */
	assert_int_equal(msg_decode(buf, (size_t)n, &out), SPA_ERR_ARG);
}

static void
refuses_bad_settings(void **state)
{
	struct msg m;

	(void)state;
	m = conf_msg(); m.u.conf.capture_mode = 2; refused(&m);
	m = conf_msg(); m.u.conf.tcp_connections = 0; refused(&m);
	m = conf_msg(); m.u.conf.tcp_connections = CONF_TCP_CONNECTIONS_MAX + 1;
	refused(&m);
	m = conf_msg(); m.u.conf.tcp_timeout_ms = 99; refused(&m);
	m = conf_msg(); m.u.conf.tcp_timeout_ms = 60001; refused(&m);
	m = conf_msg(); m.u.conf.buffer = CONF_BUFFER_MIN - 1; refused(&m);
	m = conf_msg(); m.u.conf.buffer = CONF_BUFFER_MAX + 1; refused(&m);
	m = conf_msg(); m.u.conf.max_delay_ms = 0; refused(&m);
	m = conf_msg(); m.u.conf.max_delay_ms = CONF_MAX_DELAY_MS_MAX + 1;
	refused(&m);
	m = conf_msg(); m.u.conf.workers = 0; refused(&m);
	m = conf_msg(); m.u.conf.workers = CONF_WORKERS_MAX + 1; refused(&m);
	m = conf_msg(); m.u.conf.workers = 2; m.u.conf.worker = 2;
	refused(&m);
	m = conf_msg(); m.u.conf.log_dest = 0; refused(&m);
	m = conf_msg(); m.u.conf.log_dest = 4; refused(&m);
	m = conf_msg(); m.u.conf.log_facility = LOG_DAEMON + 1; refused(&m);
	m = conf_msg(); m.u.conf.log_facility = LOG_LOCAL7 + 8; refused(&m);
	m = conf_msg(); m.u.conf.verbose = MSG_VERBOSE_MAX + 1; refused(&m);
	m = conf_msg(); m.u.conf.replay_capacity = (1U << 30) + 1; refused(&m);
	m = conf_msg(); m.u.conf.interface[0] = '\0'; refused(&m);
	m = conf_msg(); m.u.conf.verifier_user[0] = '\0'; refused(&m);
	m = conf_msg(); strcpy(m.u.conf.state_dir, "relative"); refused(&m);
	m = conf_msg(); m.u.conf.log_ident[0] = '\0'; refused(&m);
	m = conf_msg(); strcpy(m.u.conf.filter, "udp\nport 1"); refused(&m);
	m = conf_msg(); strcpy(m.u.conf.interface, "eth\x7f"); refused(&m);
}

/* Bytes the encoder cannot produce: a boolean 2, key bytes past the key. */
static void
refuses_bent_bytes(void **state)
{
	uint8_t buf[MSG_MAX];
	struct msg m = stanza_msg(1), out;
	int n = msg_encode(&m, buf, sizeof(buf));
	size_t off_bool = 4 + 4 + MSG_PATH_MAX + 4;	/* source_any */
	size_t off_key = off_bool + 5 + 1 + 3;	/* enc_key past "abc" */

	(void)state;
	assert_true(n > 0);
	assert_int_equal(msg_decode(buf, (size_t)n, &out), 0);
	buf[off_bool] = 2;
	assert_int_equal(msg_decode(buf, (size_t)n, &out), SPA_ERR_ARG);
	buf[off_bool] = 0;
	buf[off_key] = 'd';
	assert_int_equal(msg_decode(buf, (size_t)n, &out), SPA_ERR_ARG);
	buf[off_key] = 0;
	buf[off_key - 4] = SPA_KEY_MAX + 2;	/* enc_key_len */
	assert_int_equal(msg_decode(buf, (size_t)n, &out), SPA_ERR_ARG);
}

static void
refuses_bad_stanza(void **state)
{
	struct msg m;

	(void)state;
	m = stanza_msg(0); refused(&m);
	m = stanza_msg(1); m.u.stanza.hmac_type = SPA_DIGEST_SHA3_512 + 1;
	refused(&m);
	m = stanza_msg(1); m.u.stanza.mode = SPA_MODE_ASYMMETRIC + 1;
	refused(&m);
	m = stanza_msg(1); m.u.stanza.fw_access_timeout = ACCESS_MAX_TIMEOUT + 1;
	refused(&m);
	m = stanza_msg(1); m.u.stanza.max_fw_timeout = ACCESS_MAX_TIMEOUT + 1;
	refused(&m);
	m = stanza_msg(1); m.u.stanza.cmd_cycle_timer = ACCESS_MAX_TIMEOUT + 1;
	refused(&m);
	m = stanza_msg(1); m.u.stanza.expire = -1; refused(&m);
	m = stanza_msg(1); strcpy(m.u.stanza.require_username, "bob");
	refused(&m);	/* a name without has_require_username */
	m = stanza_msg(1); strcpy(m.u.stanza.file, "a\tb"); refused(&m);
}

static void
refuses_bad_items(void **state)
{
	struct msg m;

	(void)state;
	m = port_msg(0); refused(&m);
	m = port_msg(1); m.u.port.list = 2; refused(&m);
	m = port_msg(1); m.u.port.port.proto = IPPROTO_ICMP; refused(&m);
	m = port_msg(1); m.u.port.port.port = 0; refused(&m);

	memset(&m, 0, sizeof(m));
	m.type = MSG_CONF_ADDR;
	m.u.addr.stanza = 1;
	m.u.addr.cidr.family = AF_INET;
	memset(m.u.addr.cidr.mask, 0xff, 3);	/* a /24 */
	m.u.addr.cidr.addr[0] = 192;
	{
		uint8_t buf[MSG_MAX];
		struct msg out;
		int n = msg_encode(&m, buf, sizeof(buf));

		assert_true(n > 0);
		assert_int_equal(msg_decode(buf, (size_t)n, &out), 0);
	}
	m.u.addr.list = 2; refused(&m); m.u.addr.list = 0;
	m.u.addr.cidr.addr[3] = 1; refused(&m);	/* outside the mask */
	m.u.addr.cidr.addr[3] = 0;
	m.u.addr.cidr.mask[4] = 0xff; refused(&m);	/* IPv4 past 4 bytes */
	m.u.addr.cidr.mask[4] = 0;
	m.u.addr.cidr.mask[1] = 0xfe; refused(&m);	/* not a prefix */
	m.u.addr.cidr.mask[1] = 0xff;
	m.u.addr.cidr.family = AF_UNIX; refused(&m);
	m.u.addr.stanza = 0; m.u.addr.cidr.family = AF_INET; refused(&m);
}

/* --- GnuPG stanzas (issue 19) ----------------------------------------------- */

static const char gpg_policy[] =
    "SOURCE ANY\n"
    "GPG_HOME_DIR /nonexistent\n"
    "GPG_DECRYPT_ID ABCD1234\n"
    "GPG_DECRYPT_PW a passphrase\n"
    "GPG_IGNORE_SIG_VERIFY_ERROR Y\n"
    "GPG_REMOTE_ID 0x1234ABCD, 0123456789ABCDEF\n"
    "GPG_FINGERPRINT_ID 00CC95F05BC146B6AC4038C9E36F443C6A3FAD56\n"
    "HMAC_KEY " HKEY "\n"
    "SOURCE ANY\n"
    "KEY other-key\n";

/* Its rules, its passphrase and every byte of its keyring arrive; the
   keyring in pieces (a file of 5,000 bytes is three). */
static void
gnupg_stanza_arrives_with_its_keyring(void **state)
{
	static uint8_t big[5000], small[] = "secret key bytes";
	const struct stanza *b;
	struct access_error err;
	struct pair p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	pair_init(&p);
	access_free(p.access);
	if (access_load_buffer("gpg.conf", gpg_policy, strlen(gpg_policy),
	    &p.access, &err) != 0)
		fail_msg("policy refused: %s", err.text);
	p.vc.access = p.access;
	p.access->stanzas[0]->gpg_user_file = strdup("users/alice.keys");
	assert_int_equal(gpg_keyring_append(&p.access->stanzas[0]->gpg_keyring,
	    GPG_FILE_PUBRING_KBX, big, sizeof(big), true), 0);
	assert_int_equal(gpg_keyring_append(&p.access->stanzas[0]->gpg_keyring,
	    GPG_FILE_SECRING_GPG, small, sizeof(small), true), 0);
	assert_int_equal(vproc_send_conf(p.sv[0], &p.vc), 0);
	assert_int_equal(vconf_recv(p.sv[1], &p.got), 0);
	b = p.got.access->stanzas[0];
	assert_true(b->gpg && b->gpg_only && b->gpg_require_sig);
	assert_true(b->gpg_ignore_sig_verify_error);
	assert_string_equal(b->gpg_decrypt_id, "ABCD1234");
	assert_string_equal(b->gpg_decrypt_pw, "a passphrase");
	assert_string_equal(b->gpg_remote_id, "0x1234ABCD, 0123456789ABCDEF");
	assert_string_equal(b->gpg_fingerprint_id,
	    "00CC95F05BC146B6AC4038C9E36F443C6A3FAD56");
	assert_string_equal(b->gpg_user_file, "users/alice.keys");
	assert_int_equal(b->gpg_keyring.n, 2);
	assert_int_equal(b->gpg_keyring.v[0].kind, GPG_FILE_PUBRING_KBX);
	assert_int_equal(b->gpg_keyring.v[0].len, sizeof(big));
	assert_memory_equal(b->gpg_keyring.v[0].data, big, sizeof(big));
	assert_int_equal(b->gpg_keyring.v[1].kind, GPG_FILE_SECRING_GPG);
	assert_memory_equal(b->gpg_keyring.v[1].data, small, sizeof(small));
	assert_false(p.got.access->stanzas[1]->gpg);
	assert_int_equal(p.got.access->stanzas[1]->gpg_keyring.n, 0);
	pair_free(&p);
}

static struct msg
keyring_msg(uint32_t stanza, bool last)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MSG_CONF_KEYRING;
	m.u.keyring.stanza = stanza;
	m.u.keyring.kind = GPG_FILE_PUBRING_KBX;
	m.u.keyring.last = last;
	m.u.keyring.len = 3;
	memcpy(m.u.keyring.data, "kbx", 3);
	return m;
}

static struct msg
gpg_stanza_msg(uint32_t number)
{
	struct msg m = stanza_msg(number);

	m.u.stanza.gpg = true;
	m.u.stanza.gpg_allow_no_pw = true;
	return m;
}

/* A keyring for a stanza without GnuPG keys, or one never finished. */
static void
refuses_keyring_out_of_place(void **state)
{
	struct msg m;
	struct vconf vc;

	(void)state;
	vconf_start(&vc);
	m = stanza_msg(1);
	assert_int_equal(feed(&vc, &m), 0);
	m = keyring_msg(1, true);
	assert_int_equal(feed(&vc, &m), SPA_ERR_ARG);	/* not a GnuPG one */
	m = gpg_stanza_msg(2);
	assert_int_equal(feed(&vc, &m), 0);
	m = keyring_msg(1, true);
	assert_int_equal(feed(&vc, &m), SPA_ERR_ARG);	/* not the last */
	m = keyring_msg(2, false);
	assert_int_equal(feed(&vc, &m), 0);
	m = end_msg(2);
	assert_int_equal(feed(&vc, &m), SPA_ERR_ARG);	/* file unfinished */
	m = keyring_msg(2, true);
	assert_int_equal(feed(&vc, &m), 0);
	m = end_msg(2);
	assert_int_equal(feed(&vc, &m), 0);
	assert_int_equal(vc.access->stanzas[1]->gpg_keyring.v[0].len, 6);
	vconf_free(&vc);
}

static void
refuses_bad_keyring(void **state)
{
	uint8_t buf[MSG_MAX];
	struct msg m, out;
	int n;

	(void)state;
	m = keyring_msg(0, true); refused(&m);
	m = keyring_msg(1, true); m.u.keyring.kind = GPG_FILE_KIND_MAX + 1;
	refused(&m);
	m = keyring_msg(1, true); m.u.keyring.len = MSG_KEYRING_CHUNK + 1;
	refused(&m);
	/* bytes past len, which the encoder never sends */
	m = keyring_msg(1, true);
	n = msg_encode(&m, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(msg_decode(buf, (size_t)n, &out), 0);
	buf[n - 1] = 1;
	assert_int_equal(msg_decode(buf, (size_t)n, &out), SPA_ERR_ARG);
	/* GnuPG fields on a stanza without GnuPG keys, or no key to use */
	m = stanza_msg(1); strcpy(m.u.stanza.gpg_remote_id, "ABCD1234");
	refused(&m);
	m = stanza_msg(1); m.u.stanza.gpg_require_sig = true; refused(&m);
	m = gpg_stanza_msg(1); m.u.stanza.gpg_allow_no_pw = false; refused(&m);
	m = gpg_stanza_msg(1); strcpy(m.u.stanza.gpg_decrypt_pw, "pw");
	refused(&m);	/* a passphrase without has_gpg_decrypt_pw */
	m = gpg_stanza_msg(1); strcpy(m.u.stanza.gpg_remote_id, "AB\tCD");
	refused(&m);
	/* whose keys: only a GnuPG stanza has any, a path without control
	   characters */
	m = stanza_msg(1); strcpy(m.u.stanza.gpg_user_file, "u/a.conf");
	refused(&m);
	m = gpg_stanza_msg(1); strcpy(m.u.stanza.gpg_user_file, "u/a\n.conf");
	refused(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(settings_arrive),
		cmocka_unit_test(stanzas_arrive),
		cmocka_unit_test(unsendable_is_found_at_load),
		cmocka_unit_test(a_whole_sequence_is_taken),
		cmocka_unit_test(refuses_out_of_place),
		cmocka_unit_test(refuses_inconsistent_sequence),
		cmocka_unit_test(refuses_bad_settings),
		cmocka_unit_test(refuses_bent_bytes),
		cmocka_unit_test(refuses_bad_stanza),
		cmocka_unit_test(refuses_bad_items),
		cmocka_unit_test(gnupg_stanza_arrives_with_its_keyring),
		cmocka_unit_test(refuses_keyring_out_of_place),
		cmocka_unit_test(refuses_bad_keyring),
	};

	log_init("test_vconf", LOG_TO_STDERR, LOG_USER);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
