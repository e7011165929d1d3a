/*
 * replay_fill: put N random digests into a replay store, so that a test
 * can bring it to the edge of a rebuild without sending N packets.
 *
 *   replay_fill PATH N
 *
 * Creates the store if needed (as replay_open does); each digest gets
 * the packet time now + 1 hour, so it stays live through any test.
 * Prints the entries and capacity when done.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include "err.h"
#include "replay.h"

int
main(int argc, char **argv)
{
	struct replay_store *rs = NULL;
	struct replay_stats st;
	uint8_t d[REPLAY_DIGEST_LEN];
	int64_t now_s = (int64_t)time(NULL);
	unsigned long i, n;
	int r;

	if (argc != 3) {
		fprintf(stderr, "usage: replay_fill PATH N\n");
		return 2;
	}
	n = strtoul(argv[2], NULL, 10);
	if ((r = replay_open(argv[1], 0, &rs)) != 0) {
		fprintf(stderr, "replay_fill: %s: %s\n", argv[1], spa_strerror(r));
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (getrandom(d, sizeof(d), 0) != (ssize_t)sizeof(d) ||
		    (r = replay_add(rs, d, now_s, now_s + 3600)) != 0) {
			fprintf(stderr, "replay_fill: digest %lu: %s\n", i,
			    spa_strerror(r));
			replay_close(rs);
			return 1;
		}
	}
	replay_get_stats(rs, &st);
	printf("entries %zu capacity %zu\n", st.entries, st.capacity);
	replay_close(rs);
	return 0;
}
