/*
 * Verifier <-> executor messages: round trips, and every way a hostile
 * verifier could bend an OPEN refused by the decoder.
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
#include <unistd.h>

#include "access_int.h"
#include "bad_fields.h"
#include "err.h"
#include "msg.h"
#include "msg_batch.h"
#include "policy.h"

/* Offsets into an encoded OPEN (see the layout in common/msg.c). */
#define OFF_BODY	4
#define OFF_STANZA	(OFF_BODY)
#define OFF_TYPE	(OFF_STANZA + 4)
#define OFF_ALLOW	(OFF_TYPE + 1)
#define OFF_PKT_SRC	(OFF_ALLOW + 17)
#define OFF_PKT_DST	(OFF_PKT_SRC + 17)
#define OFF_VIA		(OFF_PKT_DST + 17 + 4)
#define OFF_NPORTS	(OFF_VIA + 1)
#define OFF_PORTS	(OFF_NPORTS + 1)
#define OFF_USER	(OFF_PORTS + 3 * SPA_MAX_PORTS)

static void
sample_open(struct msg *m)
{
	struct spa_event *ev = &m->u.open;

	memset(m, 0, sizeof(*m));
	m->type = MSG_OPEN;
	ev->stanza = 3;
	ev->type = SPA_REQ_CLIENT_TIMEOUT_ACCESS;
	assert_int_equal(addr_parse("192.0.2.10", &ev->allow), 0);
	assert_int_equal(addr_parse("192.0.2.11", &ev->pkt_src), 0);
	assert_int_equal(addr_parse("2001:db8::1", &ev->pkt_dst), 0);
	ev->src_port = 40000;
	ev->dst_port = 62201;
	ev->via = SPA_VIA_UDP;
	ev->nports = 2;
	ev->ports[0].proto = IPPROTO_TCP;
	ev->ports[0].port = 22;
	ev->ports[1].proto = IPPROTO_UDP;
	ev->ports[1].port = 53;
	strcpy(ev->user, "al ice' $(id)");	/* legal, if unwise */
	ev->timeout = 90;
	ev->client_timeout = 90;
	ev->spa_time = 1795343068;
	ev->recv_time = 1795343069;
	memset(ev->digest, 0xa5, sizeof(ev->digest));	/* crosses whole */
	ev->digest[0] = 0x00;
	ev->digest[31] = 0xff;
}

static size_t
encode(const struct msg *m, uint8_t *buf, size_t cap)
{
	int n = msg_encode(m, buf, cap);

	assert_true(n > 0);
	return (size_t)n;
}

static void
open_round_trips(void **state)
{
	uint8_t buf[MSG_MAX];
	struct msg in, out;
	size_t n;

	(void)state;
	sample_open(&in);
	n = encode(&in, buf, sizeof(buf));
	assert_int_equal(msg_decode(buf, n, &out), 0);
	assert_int_equal(out.type, MSG_OPEN);
	assert_memory_equal(&in.u.open, &out.u.open, sizeof(in.u.open));
}

static void
nat_open_round_trips(void **state)
{
	uint8_t buf[MSG_MAX];
	struct msg in, out;
	size_t n;

	(void)state;
	sample_open(&in);
	in.u.open.type = SPA_REQ_CLIENT_TIMEOUT_NAT_ACCESS;
	in.u.open.has_nat = true;
	strcpy(in.u.open.nat_host, "10.0.0.5");
	in.u.open.nat_port = 22;
	n = encode(&in, buf, sizeof(buf));
	assert_int_equal(msg_decode(buf, n, &out), 0);
	assert_memory_equal(&in.u.open, &out.u.open, sizeof(in.u.open));
}

static void
command_open_round_trips(void **state)
{
	uint8_t buf[MSG_MAX];
	struct msg in, out;
	size_t n;

	(void)state;
	sample_open(&in);
	in.u.open.type = SPA_REQ_COMMAND;
	in.u.open.nports = 0;
	memset(in.u.open.ports, 0, sizeof(in.u.open.ports));
	in.u.open.client_timeout = 0;
	strcpy(in.u.open.command, "touch /tmp/x; id");
	n = encode(&in, buf, sizeof(buf));
	assert_int_equal(msg_decode(buf, n, &out), 0);
	assert_string_equal(out.u.open.command, "touch /tmp/x; id");
}

static void
ready_and_stats_round_trip(void **state)
{
	uint8_t buf[MSG_MAX];
	struct msg in, out;
	size_t n;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.type = MSG_READY;
	strcpy(in.u.ready.capture, "pcap eth0 (udp port 62201)");
	strcpy(in.u.ready.sandbox, "uid 65534");
	n = encode(&in, buf, sizeof(buf));
	assert_int_equal(msg_decode(buf, n, &out), 0);
	assert_string_equal(out.u.ready.capture, in.u.ready.capture);
	assert_string_equal(out.u.ready.sandbox, in.u.ready.sandbox);

	memset(&in, 0, sizeof(in));
	in.type = MSG_STATS;
	in.u.stats.n = 3;
	in.u.stats.v[0] = 1;
	in.u.stats.v[2] = UINT64_MAX;
	n = encode(&in, buf, sizeof(buf));
	assert_int_equal(msg_decode(buf, n, &out), 0);
	assert_int_equal(out.u.stats.n, 3);
	assert_true(out.u.stats.v[2] == UINT64_MAX);
}

static void
replay_state_round_trips(void **state)
{
	uint8_t buf[MSG_MAX];
	struct msg in, out;
	size_t n;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.type = MSG_REPLAY_STATE;
	in.u.stats.n = MSG_STATS_REPLAY_ERRNO + 1;
	in.u.stats.v[MSG_STATS_REPLAY_ERRNO] = 28;	/* ENOSPC */
	n = encode(&in, buf, sizeof(buf));
	assert_int_equal(msg_decode(buf, n, &out), 0);
	assert_int_equal(out.type, MSG_REPLAY_STATE);
	assert_int_equal(msg_stats_get(&out.u.stats, MSG_STATS_REPLAY_ERRNO),
	    28);
}

/*
 * The whole table, phase by type, out-of-range values included: what is
 * not listed here is out of place (msg.h).
 */
static void
each_phase_admits_only_its_types(void **state)
{
	static const struct {
		enum msg_phase	p;
		enum msg_type	t;
	} admitted[] = {
		{ MSG_PHASE_STARTING, MSG_READY },
		{ MSG_PHASE_RUNNING, MSG_OPEN },
		{ MSG_PHASE_RUNNING, MSG_REPLAY_STATE },
		{ MSG_PHASE_ASKED, MSG_OPEN },
		{ MSG_PHASE_ASKED, MSG_REPLAY_STATE },
		{ MSG_PHASE_ASKED, MSG_STATS },
		{ MSG_PHASE_CONF_FIRST, MSG_CONF },
		{ MSG_PHASE_CONF, MSG_CONF_STANZA },
		{ MSG_PHASE_CONF, MSG_CONF_ADDR },
		{ MSG_PHASE_CONF, MSG_CONF_PORT },
		{ MSG_PHASE_CONF, MSG_CONF_KEYRING },
		{ MSG_PHASE_CONF, MSG_CONF_END },
		{ MSG_PHASE_SERVING, MSG_STATS_REQ },
	};
	int p, t;
	size_t i;
	bool want;

	(void)state;
	for (p = -1; p <= MSG_PHASE_SERVING + 1; p++)
		for (t = -1; t <= MSG_TYPE_MAX + 1; t++) {
			want = false;
			for (i = 0; i < sizeof(admitted) / sizeof(admitted[0]);
			    i++)
				if ((int)admitted[i].p == p &&
				    (int)admitted[i].t == t)
					want = true;
			if (msg_expected((enum msg_phase)p,
			    (enum msg_type)t) != want)
				fail_msg("phase %d, type %d: %s", p, t,
				    want ? "refused" : "admitted");
		}
}

static void
encode_refuses_small_buffer(void **state)
{
	uint8_t buf[64];
	struct msg in;

	(void)state;
	sample_open(&in);
	assert_int_equal(msg_encode(&in, buf, sizeof(buf)), SPA_ERR_ARG);
}

/* Encode the sample, let `bend` alter the bytes, expect a refusal. */
static void
assert_bent_refused(void (*bend)(uint8_t *buf, size_t *n))
{
	uint8_t buf[MSG_MAX];
	struct msg in, out;
	size_t n;

	sample_open(&in);
	n = encode(&in, buf, sizeof(buf));
	bend(buf, &n);
	assert_int_equal(msg_decode(buf, n, &out), SPA_ERR_ARG);
	assert_int_equal(out.type, 0);
}

static void bend_version(uint8_t *b, size_t *n) { (void)n; b[0] = MSG_VERSION - 1; }
static void bend_type(uint8_t *b, size_t *n) { (void)n; b[1] = 77; }
static void bend_length(uint8_t *b, size_t *n) { (void)n; b[3] ^= 1; }
static void bend_truncate(uint8_t *b, size_t *n) { *n -= 1; b[3] -= 1; }
static void bend_trailing(uint8_t *b, size_t *n) { b[*n] = 0; *n += 1; b[3] += 1; }
static void bend_stanza_zero(uint8_t *b, size_t *n) { (void)n; b[OFF_STANZA + 3] = 0; }
static void bend_msg_type(uint8_t *b, size_t *n) { (void)n; b[OFF_TYPE] = 200; }
static void bend_family(uint8_t *b, size_t *n) { (void)n; b[OFF_ALLOW] = 5; }
static void bend_allow_unset(uint8_t *b, size_t *n) { (void)n; memset(b + OFF_ALLOW, 0, 17); }
static void bend_v4_tail(uint8_t *b, size_t *n) { (void)n; b[OFF_ALLOW + 1 + 5] = 1; }
static void bend_via(uint8_t *b, size_t *n) { (void)n; b[OFF_VIA] = 9; }
static void bend_nports_big(uint8_t *b, size_t *n) { (void)n; b[OFF_NPORTS] = SPA_MAX_PORTS + 1; }
static void bend_nports_zero(uint8_t *b, size_t *n) { (void)n; b[OFF_NPORTS] = 0; }
static void bend_port_proto(uint8_t *b, size_t *n) { (void)n; b[OFF_PORTS] = 1; }
static void bend_port_zero(uint8_t *b, size_t *n) { (void)n; b[OFF_PORTS + 1] = 0; b[OFF_PORTS + 2] = 0; }
static void bend_unused_port(uint8_t *b, size_t *n) { (void)n; b[OFF_PORTS + 3 * 5 + 2] = 1; }
static void bend_user_unterminated(uint8_t *b, size_t *n) { (void)n; memset(b + OFF_USER, 'a', SPA_USER_MAX + 1); }
static void bend_user_newline(uint8_t *b, size_t *n) { (void)n; b[OFF_USER + 2] = '\n'; }
static void bend_user_after_nul(uint8_t *b, size_t *n) { (void)n; b[OFF_USER + SPA_USER_MAX - 1] = 'x'; }

static void refuses_version(void **s) { (void)s; assert_bent_refused(bend_version); }
static void refuses_unknown_type(void **s) { (void)s; assert_bent_refused(bend_type); }
static void refuses_wrong_length(void **s) { (void)s; assert_bent_refused(bend_length); }
static void refuses_truncated(void **s) { (void)s; assert_bent_refused(bend_truncate); }
static void refuses_trailing_bytes(void **s) { (void)s; assert_bent_refused(bend_trailing); }
static void refuses_stanza_zero(void **s) { (void)s; assert_bent_refused(bend_stanza_zero); }
static void refuses_unknown_msg_type(void **s) { (void)s; assert_bent_refused(bend_msg_type); }
static void refuses_unknown_family(void **s) { (void)s; assert_bent_refused(bend_family); }
static void refuses_unset_allow(void **s) { (void)s; assert_bent_refused(bend_allow_unset); }
static void refuses_ipv4_with_tail(void **s) { (void)s; assert_bent_refused(bend_v4_tail); }
static void refuses_unknown_via(void **s) { (void)s; assert_bent_refused(bend_via); }
static void refuses_too_many_ports(void **s) { (void)s; assert_bent_refused(bend_nports_big); }
static void refuses_access_without_ports(void **s) { (void)s; assert_bent_refused(bend_nports_zero); }
static void refuses_port_protocol(void **s) { (void)s; assert_bent_refused(bend_port_proto); }
static void refuses_port_zero(void **s) { (void)s; assert_bent_refused(bend_port_zero); }
static void refuses_data_in_unused_ports(void **s) { (void)s; assert_bent_refused(bend_unused_port); }
static void refuses_unterminated_text(void **s) { (void)s; assert_bent_refused(bend_user_unterminated); }
static void refuses_control_byte_in_text(void **s) { (void)s; assert_bent_refused(bend_user_newline); }
static void refuses_bytes_after_text(void **s) { (void)s; assert_bent_refused(bend_user_after_nul); }

static void
refuses_command_type_without_command(void **state)
{
	uint8_t buf[MSG_MAX];
	struct msg in, out;
	size_t n;

	(void)state;
	sample_open(&in);
	in.u.open.type = SPA_REQ_COMMAND;
	in.u.open.nports = 0;
	n = encode(&in, buf, sizeof(buf));
	assert_int_equal(msg_decode(buf, n, &out), SPA_ERR_ARG);
}

static void
refuses_nat_flag_on_plain_access(void **state)
{
	uint8_t buf[MSG_MAX];
	struct msg in, out;
	size_t n;

	(void)state;
	sample_open(&in);
	in.u.open.has_nat = true;
	strcpy(in.u.open.nat_host, "10.0.0.5");
	n = encode(&in, buf, sizeof(buf));
	assert_int_equal(msg_decode(buf, n, &out), SPA_ERR_ARG);
}

/* The receive time is a wall-clock second like the packet's: never unset. */
static void
refuses_receive_time_unset_or_negative(void **state)
{
	static const int64_t bad[] = { 0, -1, INT64_MIN, 1000000000000LL };
	uint8_t buf[MSG_MAX];
	struct msg in, out;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sample_open(&in);
		in.u.open.recv_time = bad[i];
		n = encode(&in, buf, sizeof(buf));
		assert_int_equal(msg_decode(buf, n, &out), SPA_ERR_ARG);
	}
}

static void
refuses_oversized_stats(void **state)
{
	uint8_t buf[MSG_MAX];
	struct msg in, out;
	size_t n;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.type = MSG_STATS;
	in.u.stats.n = 1;
	n = encode(&in, buf, sizeof(buf));
	buf[OFF_BODY] = 0xff;		/* n = 0xff000001 */
	assert_int_equal(msg_decode(buf, n, &out), SPA_ERR_ARG);
}

static void
refuses_short_header(void **state)
{
	uint8_t buf[3] = { MSG_VERSION, MSG_STATS_REQ, 0 };
	struct msg out;

	(void)state;
	assert_int_equal(msg_decode(buf, 0, &out), SPA_ERR_ARG);
	assert_int_equal(msg_decode(buf, sizeof(buf), &out), SPA_ERR_ARG);
}

/* A valid OPEN of each kind the forbidden-field cases start from. */
static void
sample_of_kind(struct msg *m, enum bad_kind kind)
{
	struct spa_event *ev = &m->u.open;

	sample_open(m);
	if (kind == BAD_NAT) {
		ev->type = SPA_REQ_CLIENT_TIMEOUT_NAT_ACCESS;
		ev->has_nat = true;
		strcpy(ev->nat_host, "10.0.0.5");
		ev->nat_port = 22;
	} else if (kind == BAD_COMMAND) {
		ev->type = SPA_REQ_COMMAND;
		ev->nports = 0;
		memset(ev->ports, 0, sizeof(ev->ports));
		ev->client_timeout = 0;
		strcpy(ev->command, "touch /tmp/x; id");
	}
}

/*
 * Every value the packet decoder refuses is refused in an OPEN too: a
 * compromised verifier cannot hand the executor a field no packet could
 * carry (tests/unit/bad_fields.h; policy_recheck: test_policy.c).
 */
static void
decoder_refuses_every_forbidden_field(void **state)
{
	uint8_t buf[MSG_MAX];
	struct msg in, out;
	size_t i, passed = 0;
	int n;

	(void)state;
	for (i = 0; i < N_BAD_FIELDS; i++) {
		sample_of_kind(&in, bad_fields[i].kind);
		n = msg_encode(&in, buf, sizeof(buf));
		assert_true(n > 0);
		if (msg_decode(buf, (size_t)n, &out) != 0)
			fail_msg("%s: the valid base is refused",
			    bad_fields[i].name);
		bad_fields[i].bend(&in.u.open);
		/* an OPEN the encoder will not even write is refused too */
		if ((n = msg_encode(&in, buf, sizeof(buf))) < 0)
			continue;
		if (msg_decode(buf, (size_t)n, &out) != SPA_ERR_ARG ||
		    out.type != 0) {
			print_message("decoded: %s\n", bad_fields[i].name);
			passed++;
		}
	}
	if (passed > 0)
		fail_msg("%zu of %zu forbidden values decoded", passed,
		    N_BAD_FIELDS);
}

/*
 * A well-formed OPEN can still ask for more than the policy gives: the
 * executor checks it again (policy_recheck) before it runs anything, so
 * a verifier that lies about the port, the timeout, the stanza, the type
 * or the time gets nothing.
 */
static void
open_beyond_the_policy_is_refused_by_the_executor(void **state)
{
	static const char policy[] =
	    "SOURCE 192.0.2.0/24\nKEY secret-key-alpha\n"
	    "HMAC_KEY hmac-key-alpha-0123456789\nOPEN_PORTS tcp/22, udp/53\n"
	    "MAX_FW_TIMEOUT 90\nCMD_CYCLE_OPEN /bin/true\nCMD_CYCLE_CLOSE NONE\n";
	struct policy_opts opts = { .max_packet_age = 120 };
	struct access_conf *conf = NULL;
	struct access_error aerr;
	const struct stanza *st = NULL;
	struct msg m;
	struct spa_event *ev = &m.u.open;
	const int64_t now_s = 1795343068;

	(void)state;
	assert_int_equal(access_load_buffer("test.conf", policy,
	    strlen(policy), &conf, &aerr), 0);
	sample_open(&m);
	ev->stanza = 1;
	assert_int_equal(policy_recheck(conf, &opts, ev, now_s, &st), 0);
	ev->stanza = 2;		/* no such stanza */
	assert_int_equal(policy_recheck(conf, &opts, ev, now_s, &st),
	    SPA_ERR_ARG);
	sample_open(&m);
	ev->stanza = 1;
	ev->ports[1].port = 54;	/* a port OPEN_PORTS does not list */
	assert_int_equal(policy_recheck(conf, &opts, ev, now_s, &st),
	    SPA_ERR_PORTS);
	sample_open(&m);
	ev->stanza = 1;
	ev->timeout = 91;	/* more than the stanza gives */
	assert_int_equal(policy_recheck(conf, &opts, ev, now_s, &st),
	    SPA_ERR_ARG);
	sample_open(&m);
	ev->stanza = 1;
	assert_int_equal(addr_parse("198.51.100.7", &ev->pkt_src), 0);
	assert_int_equal(policy_recheck(conf, &opts, ev, now_s, &st),
	    SPA_ERR_NO_SOURCE);
	sample_open(&m);
	ev->stanza = 1;
	ev->type = SPA_REQ_COMMAND;	/* without ENABLE_CMD_EXEC */
	ev->nports = 0;
	memset(ev->ports, 0, sizeof(ev->ports));
	ev->client_timeout = 0;
	strcpy(ev->command, "id");
	assert_int_equal(policy_recheck(conf, &opts, ev, now_s, &st),
	    SPA_ERR_CMD_DENIED);
	sample_open(&m);
	ev->stanza = 1;
	ev->type = SPA_REQ_CLIENT_TIMEOUT_NAT_ACCESS;	/* NAT is off */
	ev->has_nat = true;
	strcpy(ev->nat_host, "10.0.0.5");
	ev->nat_port = 22;
	assert_int_equal(policy_recheck(conf, &opts, ev, now_s, &st),
	    SPA_ERR_NAT_DENIED);
	sample_open(&m);
	ev->stanza = 1;
	assert_int_equal(policy_recheck(conf, &opts, ev, now_s + 121, &st),
	    SPA_ERR_AGE);
	access_free(conf);
}

/* --- msg_batch.c: a pass's messages at a time ------------------------- */

static void
seqpacket_pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
}

/*
 * More OPENs than one send takes, a STATS between them: every message
 * arrives whole, once, in the order queued, a datagram each.
 */
static void
batch_keeps_every_message_in_order(void **state)
{
	struct msg_out *q = malloc(sizeof(*q));
	struct msg_in *in = malloc(sizeof(*in));
	const uint8_t *buf;
	struct msg m, got;
	size_t len, n = 0;
	int sv[2], r;

	(void)state;
	assert_non_null(q);
	assert_non_null(in);
	seqpacket_pair(sv);
	msg_out_init(q, sv[0]);
	msg_in_init(in, sv[1]);
	sample_open(&m);
	for (m.u.open.stanza = 1; m.u.open.stanza <= 150; m.u.open.stanza++)
		assert_int_equal(msg_out_queue(q, &m), 0);
	assert_true(q->n < MSG_BATCH_OUT);	/* full queues went on their own */
	assert_int_equal(msg_out_flush(q), 0);
	assert_int_equal(q->n, 0);
	close(sv[0]);
	while ((r = msg_in_read(in)) > 0) {
		assert_true(r <= MSG_BATCH_IN);
		while ((buf = msg_in_next(in, &len)) != NULL) {
			assert_int_equal(msg_decode(buf, len, &got), 0);
			assert_int_equal(got.type, MSG_OPEN);
			assert_int_equal(got.u.open.stanza, ++n);
		}
	}
	assert_int_equal(r, -1);	/* then the end: the peer closed */
	assert_int_equal(n, 150);
	close(sv[1]);
	free(q);
	free(in);
}

/* Nothing waiting reads 0; a datagram too long for a message is cut, refused. */
static void
batch_reads_nothing_and_refuses_oversize(void **state)
{
	struct msg_in *in = malloc(sizeof(*in));
	uint8_t big[MSG_MAX + 100];
	const uint8_t *buf;
	struct msg m;
	size_t len;
	int sv[2];

	(void)state;
	assert_non_null(in);
	seqpacket_pair(sv);
	msg_in_init(in, sv[1]);
	assert_int_equal(msg_in_read(in), 0);
	assert_null(msg_in_next(in, &len));
	sample_open(&m);
	len = encode(&m, big, sizeof(big));
	memset(big + len, 0, sizeof(big) - len);
	assert_int_equal(send(sv[0], big, sizeof(big), 0), (ssize_t)sizeof(big));
	assert_int_equal(msg_in_read(in), 1);
	assert_non_null(buf = msg_in_next(in, &len));
	assert_true(len > MSG_MAX);
	assert_int_not_equal(msg_decode(buf, len, &m), 0);
	close(sv[0]);
	close(sv[1]);
	free(in);
}

/* A peer gone: the flush says so (and no SIGPIPE kills the sender). */
static void
batch_flush_reports_a_closed_peer(void **state)
{
	struct msg_out *q = malloc(sizeof(*q));
	struct msg m;
	int sv[2];

	(void)state;
	assert_non_null(q);
	seqpacket_pair(sv);
	close(sv[1]);
	msg_out_init(q, sv[0]);
	sample_open(&m);
	assert_int_equal(msg_out_queue(q, &m), 0);
	assert_int_not_equal(msg_out_flush(q), 0);
	assert_int_equal(q->n, 0);
	close(sv[0]);
	free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_round_trips),
		cmocka_unit_test(batch_keeps_every_message_in_order),
		cmocka_unit_test(batch_reads_nothing_and_refuses_oversize),
		cmocka_unit_test(batch_flush_reports_a_closed_peer),
		cmocka_unit_test(nat_open_round_trips),
		cmocka_unit_test(command_open_round_trips),
		cmocka_unit_test(ready_and_stats_round_trip),
		cmocka_unit_test(replay_state_round_trips),
		cmocka_unit_test(each_phase_admits_only_its_types),
		cmocka_unit_test(encode_refuses_small_buffer),
		cmocka_unit_test(refuses_version),
		cmocka_unit_test(refuses_unknown_type),
		cmocka_unit_test(refuses_wrong_length),
		cmocka_unit_test(refuses_truncated),
		cmocka_unit_test(refuses_trailing_bytes),
		cmocka_unit_test(refuses_stanza_zero),
		cmocka_unit_test(refuses_unknown_msg_type),
		cmocka_unit_test(refuses_unknown_family),
		cmocka_unit_test(refuses_unset_allow),
		cmocka_unit_test(refuses_ipv4_with_tail),
		cmocka_unit_test(refuses_unknown_via),
		cmocka_unit_test(refuses_too_many_ports),
		cmocka_unit_test(refuses_access_without_ports),
		cmocka_unit_test(refuses_port_protocol),
		cmocka_unit_test(refuses_port_zero),
		cmocka_unit_test(refuses_data_in_unused_ports),
		cmocka_unit_test(refuses_unterminated_text),
		cmocka_unit_test(refuses_control_byte_in_text),
		cmocka_unit_test(refuses_bytes_after_text),
		cmocka_unit_test(refuses_command_type_without_command),
		cmocka_unit_test(refuses_nat_flag_on_plain_access),
		cmocka_unit_test(refuses_receive_time_unset_or_negative),
		cmocka_unit_test(refuses_oversized_stats),
		cmocka_unit_test(refuses_short_header),
		cmocka_unit_test(decoder_refuses_every_forbidden_field),
		cmocka_unit_test(open_beyond_the_policy_is_refused_by_the_executor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
