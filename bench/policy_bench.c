/*
 * policy_bench: what a forged, well-formed packet costs the verifier's
 * policy in one process, without the network or the machine's other
 * load: policy_match() (every SOURCE ANY stanza's HMAC, in file order)
 * on random base64 text of a real packet's length, which no stanza's key
 * opens.  For bench/run's forged workload (issue 20 item 3), beside
 * openssl speed's HMAC: the verifier's ceiling on one core.  It prints,
 * it never asserts.
 *
 *   policy_bench ACCESS_CONF LEN N
 *
 * Runs N packets three times and keeps the fastest round, in CPU time:
 *
 *   stanzas S per_packet_ns P per_stanza_ns Q refused R
 *
 * R: how many of the last round's packets were refused as HMAC
 * mismatches (all N, or the packets were not what was meant).
 *
 * Build with the project's common library, e.g.:
 *   cc -O2 -iquote common -I _build bench/policy_bench.c \
 *       _build/libcommon.a -lcrypto -o policy_bench
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#include "err.h"
#include "policy.h"

#define MAX_LEN		1500

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* CPU time, as openssl speed counts (user time): the machine's other
 * load does not move it as it moves the wall clock. */
static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Random base64 text; "U2Fsd" at the start would be refused cheaply. */
static void
forge(char *wire, size_t len)
{
	uint8_t r[MAX_LEN];
	size_t i;

	if (getrandom(r, len, 0) != (ssize_t)len)
		exit(1);
	for (i = 0; i < len; i++)
		wire[i] = b64[r[i] & 63];
	wire[0] = 'A';
}

/* One round of n packets; returns ns, counts HMAC refusals. */
static uint64_t
round_ns(const struct access_conf *conf, struct policy_input *in,
    char *wire, size_t n, size_t *refused, unsigned int *tried)
{
	const struct policy_opts opts = { .max_packet_age = 120 };
	struct policy_result res;
	struct spa_event ev;
	uint64_t t0 = now_ns();
	size_t i;

	*refused = 0;
	for (i = 0; i < n; i++) {
		wire[1 + i % 32] = b64[i & 63];	/* no two alike */
		if (policy_match(conf, &opts, in, &ev, &res) == SPA_ERR_HMAC)
			(*refused)++;
		*tried = res.tried;
	}
	return now_ns() - t0;
}

int
main(int argc, char **argv)
{
	static char wire[MAX_LEN];
	struct access_conf *conf = NULL;
	struct access_error aerr;
	struct pkt_info pi;
	struct policy_input in;
	uint64_t best = UINT64_MAX, t;
	size_t len, n, refused = 0;
	unsigned int tried = 0;
	int k;

	if (argc != 4) {
		fprintf(stderr, "usage: policy_bench ACCESS_CONF LEN N\n");
		return 2;
	}
	len = (size_t)atol(argv[2]);
	n = (size_t)atol(argv[3]);
	if (len < 100 || len > MAX_LEN || n == 0)
		return 2;
	memset(&aerr, 0, sizeof(aerr));
	if (access_load(argv[1], false, &conf, &aerr) != 0 ||
	    policy_prepare(conf) != 0) {
		fprintf(stderr, "policy_bench: cannot load %s\n", argv[1]);
		return 1;
	}
	forge(wire, len);
	memset(&pi, 0, sizeof(pi));
	pi.src.family = AF_INET;
	pi.dst.family = AF_INET;
	pi.proto = 17;
	pi.dport = 62201;
	memset(&in, 0, sizeof(in));
	in.pkt = &pi;
	in.via = SPA_VIA_UDP;
	in.wire = wire;
	in.len = len;
	in.now_s = time(NULL);
	for (k = 0; k < 3; k++)
		if ((t = round_ns(conf, &in, wire, n, &refused, &tried)) < best)
			best = t;
	printf("stanzas %u per_packet_ns %.0f per_stanza_ns %.1f refused %zu\n",
	    tried, (double)best / (double)n,
	    tried ? (double)best / (double)n / tried : 0.0, refused);
	policy_release(conf);
	access_free(conf);
	return 0;
}
