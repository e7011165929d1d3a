/*
 * What bench/spa_send.c and bench/tcp_send.c share: the saved SPA packets
 * (fwknop -B files) named one a line on standard input, all read before
 * the first one goes out.  Each tool is one file built by bench/lib.sh,
 * so these are static functions in a header.
 */
#ifndef SPA_BENCH_PKT_LIST_H
#define SPA_BENCH_PKT_LIST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PKT		1500

struct pkt {
	char	buf[MAX_PKT];
	size_t	len;
};

/* One saved packet, without the newline the client appends. */
static int
pkt_load(const char *path, struct pkt *p)
{
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return -1;
	p->len = fread(p->buf, 1, sizeof(p->buf), f);
	fclose(f);
	if (p->len > 0 && p->buf[p->len - 1] == '\n')
		p->len--;
	return p->len > 0 ? 0 : -1;
}

/* Every file named on standard input; NULL (and why, as `tool`) on error. */
static struct pkt *
pkt_load_all(const char *tool, size_t *n)
{
	struct pkt *v = NULL, *nv;
	size_t cap = 0;
	char line[4096];

	*n = 0;
	while (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				return NULL;
			v = nv;
		}
		if (pkt_load(line, &v[*n]) != 0) {
			fprintf(stderr, "%s: cannot read %s\n", tool, line);
			return NULL;
		}
		(*n)++;
	}
	return v;
}

#endif
