/*
 * libFuzzer: the SYN parser and the p0f matcher (verifier/p0f_syn.c,
 * p0f_match.c), against a small database that uses every signature form.
 * The seeds (tests/fuzz/corpus/p0f_syn) are real IPv4 and IPv6 SYNs.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "p0f.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Our own lines, one per form the parser knows (not p0f's database). */
static const char SIGS[] =
	"classes = unix,win\n"
	"[tcp:request]\n"
	"label = s:unix:A:fixed\n"
	"sig = 4:64:0:1460:29200,7:mss,sok,ts,nop,ws:df,id+:0\n"
	"label = s:unix:A:mss\n"
	"sig = *:64:0:*:mss*10,*:mss,sok,ts,nop,ws:df,id+:0\n"
	"label = s:win:B:mtu\n"
	"sig = *:128:0:*:mtu*4,8:mss,nop,ws,nop,nop,sok:df,id+:*\n"
	"label = s:unix:C:mod\n"
	"sig = 6:60+4:0:1440:%512,0:mss,nop,ws,sok,ts,eol+3:flow,ecn:+\n"
	"label = s:!:D:tool\n"
	"sys = @unix,B\n"
	"sig = *:64-:0:1460:1024,0:mss,?30:ack+,seq-,uptr+,urgf+,pushf+:0\n"
	"label = g:unix:E:\n"
	"sig = *:64:0:*:*,*:mss,ts:ts1-,ts2+,opt+,exws,bad,0+:*\n";

static struct p0f_db *db;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p0f_error err;
	struct p0f_match m;
	struct p0f_syn syn;
	const char *why;
	uint8_t *pkt;

	if (db == NULL &&
	    p0f_db_parse(SIGS, sizeof(SIGS) - 1, "fuzz.fp", &db, &err) != 0)
		__builtin_trap();
	if (size == 0)
		return 0;
	/* a copy of exactly `size` bytes: any read past it is found */
	if ((pkt = malloc(size)) == NULL)
		return 0;
	memcpy(pkt, data, size);
	if (p0f_syn_parse(pkt, size, &syn, &why) != 0) {
		if (why == NULL)
			__builtin_trap();
	} else if (syn.opt_cnt > P0F_MAX_OPTS || syn.tot_hdr > size ||
	    (syn.ip_ver != 4 && syn.ip_ver != 6)) {
		__builtin_trap();
	} else if (p0f_match(db, &syn, &m) &&
	    (m.label < db->labels || m.label >= db->labels + db->nlabels)) {
		__builtin_trap();
	}
	free(pkt);
	return 0;
}
