/*
 * p0f_label P0F_FP PCAP: for each SYN of a capture file, the label our
 * matcher (verifier/p0f_*.c) gives it, in the words p0f -r prints, so that
 * tests/integration/p0f_agree.sh can compare the two line by line:
 *
 *   os = Linux 3.11 and newer | dist = 0 | params = none
 *
 * (app = for a tool's label, os = ??? when nothing matched; params keeps
 * p0f's words generic and fuzzy).  Reads classic pcap files of raw IP
 * (linktype 101) or Ethernet (1) frames.  Exit 1 on a bad file.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p0f.h"

#define LINKTYPE_ETHERNET	1
#define LINKTYPE_RAW		101

static uint32_t
u32(const uint8_t *b, bool swap)
{
	return swap ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3] :
	    (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[1] << 8 | b[0];
}

static void
label(const struct p0f_db *db, const uint8_t *pkt, size_t len)
{
	struct p0f_match m;
	struct p0f_syn syn;
	const char *why, *params;

	if (p0f_syn_parse(pkt, len, &syn, &why) != 0)
		return;
	if (!p0f_match(db, &syn, &m)) {
		printf("os = ??? | dist = %u | params = none\n", m.dist);
		return;
	}
	params = m.quality == (P0F_GENERIC | P0F_FUZZY) ? "generic fuzzy" :
	    m.quality == P0F_GENERIC ? "generic" :
	    m.quality == P0F_FUZZY ? "fuzzy" : "none";
	printf("%s = %s | dist = %s%u | params = %s\n",
	    m.label->app ? "app" : "os", m.label->text,
	    m.sig->bad_ttl ? "<= " : "", m.dist, params);
}

/* Each record's frame, its link header skipped. */
static int
records(const struct p0f_db *db, FILE *fp, uint32_t link, bool swap)
{
	uint8_t hdr[16], frame[65536];
	size_t skip = link == LINKTYPE_ETHERNET ? 14 : 0;
	uint32_t n;

	while (fread(hdr, 1, sizeof(hdr), fp) == sizeof(hdr)) {
		n = u32(hdr + 8, swap);
		if (n > sizeof(frame) || fread(frame, 1, n, fp) != n)
			return -1;
		if (n > skip)
			label(db, frame + skip, n - skip);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct p0f_error err;
	struct p0f_db *db;
	uint8_t gh[24];
	uint32_t link;
	bool swap;
	FILE *fp;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: p0f_label P0F_FP PCAP\n");
		return 2;
	}
	if (p0f_db_load(argv[1], &db, &err) != 0) {
		fprintf(stderr, "p0f_label: %s\n", err.text);
		return 1;
	}
	if ((fp = fopen(argv[2], "rb")) == NULL ||
	    fread(gh, 1, sizeof(gh), fp) != sizeof(gh) ||
	    (u32(gh, false) != 0xa1b2c3d4 && u32(gh, true) != 0xa1b2c3d4)) {
		fprintf(stderr, "p0f_label: %s: not a pcap file\n", argv[2]);
		return 1;
	}
	swap = u32(gh, false) != 0xa1b2c3d4;
	link = u32(gh + 20, swap);
	if (link != LINKTYPE_RAW && link != LINKTYPE_ETHERNET) {
		fprintf(stderr, "p0f_label: linktype %u\n", link);
		return 1;
	}
	rc = records(db, fp, link, swap);
	fclose(fp);
	p0f_db_free(db);
	return rc == 0 ? 0 : 1;
}
