/*
 * libFuzzer target for the knockd.conf reader (common/knockd_conf.c): the
 * input is one in-memory knockd.conf.  A file that loads has its doors
 * handed to the sequence engine (verifier/knock_engine.c), which is fed
 * each door's own sequence from one source and a wrong knock from
 * another, so that whatever doors a file can make are also matched.
 */
#include "config.h"

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "knock_engine.h"
#include "knockd_conf.h"
#include "log.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_init("fuzz_knockd", 0, 0);	/* warnings go nowhere */
	return 0;
}

static void
knock(struct knock_engine *e, uint8_t host, const struct knock_hit *h,
    int64_t ms)
{
	const struct knock_open *o = NULL;
	struct knock_pkt p;

	memset(&p, 0, sizeof(p));
	p.src.family = p.dst.family = AF_INET;
	p.src.bytes[0] = 10;
	p.src.bytes[3] = host;
	p.dst.bytes[0] = 192;
	p.proto = h->proto;
	p.dport = h->port;
	p.tcp_flags = (uint8_t)(ms & 0x3f);
	p.mono_ms = ms;
	(void)knock_feed(e, &p, &o);
}

static void
exercise(const struct knockd_conf *conf)
{
	struct knock_engine *e = NULL;
	const struct knock_seq *s;
	struct knock_hit wrong = { IPPROTO_UDP, 1 };
	size_t i, j;
	int64_t ms = 0;

	if (knock_new(conf->doors, conf->n, 8, &e) != 0)
		return;
	for (i = 0; i < conf->n; i++) {
		s = conf->doors[i].one_time_path != NULL ?
		    &conf->doors[i].one_time[0] : &conf->doors[i].seq;
		for (j = 0; j < s->n; j++) {
			knock(e, (uint8_t)i, &s->hits[j], ms += 300);
			knock(e, (uint8_t)(i + 1), j == 0 ? &s->hits[j] :
			    &wrong, ms);
		}
	}
	knock_free(e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct knockd_conf *conf = NULL;
	struct knockd_error err;

	if (knockd_load_buffer("fuzz.conf", (const char *)data, size, &conf,
	    &err) == 0) {
		exercise(conf);
		knockd_free(conf);
	}
	return 0;
}
