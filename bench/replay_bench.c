/*
 * Replay store benchmark: fills a store with N random digests (default
 * 10,000,000) and prints insert and lookup (hit and miss) cost, file size,
 * resident memory, start-up time of the filled store after a clean close
 * and after kill -9, and probe statistics.  It prints, it never asserts.
 *
 * Build by hand from the source tree, e.g.:
 *   cc -O2 -I common -I verifier -I <build dir> bench/replay_bench.c \
 *       common/replay.c common/err.c common/log.c -o replay_bench
 *   ./replay_bench [N] [path]
 */
#include "config.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "replay.h"

#define NOW	1795343068	/* every packet stamped now; no age window */

/* splitmix64: a cheap stream of well-mixed digests, reproducible by seed. */
static uint64_t
next64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
digest(uint64_t *s, uint8_t d[REPLAY_DIGEST_LEN])
{
	uint64_t w;
	size_t i;

	for (i = 0; i < REPLAY_DIGEST_LEN; i += sizeof(w)) {
		w = next64(s);
		memcpy(d + i, &w, sizeof(w));
	}
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A line of /proc/self/status, e.g. "VmRSS:", in kB. */
static long
status_kb(const char *key)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0)
			kb = strtol(line + strlen(key), NULL, 10);
	fclose(f);
	return kb;
}

static void
print_probes(const char *what, const struct replay_stats *a,
    const struct replay_stats *b)
{
	uint64_t ops = b->probe_ops - a->probe_ops;
	size_t k;

	printf("  %-8s mean probe %.3f over %" PRIu64 " ops; histogram",
	    what, ops ? (double)(b->probes - a->probes) / (double)ops : 0.0,
	    ops);
	for (k = 0; k < REPLAY_PROBE_BUCKETS; k++)
		printf(" %s%zu:%" PRIu64, k + 1 == REPLAY_PROBE_BUCKETS ?
		    ">=" : "", (size_t)1 << k,
		    b->probe_hist[k] - a->probe_hist[k]);
	printf("\n");
}

/* Insert n digests of stream `seed`; returns the slowest insert (s). */
static double
fill(struct replay_store *rs, uint64_t seed, uint64_t n, double *total)
{
	uint8_t d[REPLAY_DIGEST_LEN];
	double t0 = now_s(), t, worst = 0, prev = t0;
	uint64_t i;
	int r;

	for (i = 0; i < n; i++) {
		digest(&seed, d);
		if ((r = replay_add(rs, d, NOW, NOW)) != 0) {
			fprintf(stderr, "insert %" PRIu64 ": %s\n", i,
			    spa_strerror(r));
			exit(1);
		}
		if ((i & 63) == 63 || i + 1 == n) {
			t = now_s();
			if (t - prev > worst)
				worst = t - prev;
			prev = t;
		}
	}
	*total = now_s() - t0;
	return worst;
}

/* Look up n digests of stream `seed`; returns ns per lookup. */
static double
lookup(struct replay_store *rs, uint64_t seed, uint64_t n, int want,
    uint64_t *wrong)
{
	uint8_t d[REPLAY_DIGEST_LEN];
	double t0 = now_s();
	uint64_t i;

	*wrong = 0;
	for (i = 0; i < n; i++) {
		digest(&seed, d);
		if (replay_check(rs, d, NOW) != want)
			(*wrong)++;
	}
	return (now_s() - t0) * 1e9 / (double)n;
}

static double
time_open(const char *path, struct replay_store **rs)
{
	double t0 = now_s();
	int r;

	if ((r = replay_open(path, 0, rs)) != 0) {
		fprintf(stderr, "open %s: %s\n", path, spa_strerror(r));
		exit(1);
	}
	return now_s() - t0;
}

/* Open, add one digest and die without closing: the next open recounts. */
static void
kill_while_open(const char *path)
{
	struct replay_store *rs = NULL;
	uint8_t d[REPLAY_DIGEST_LEN];
	uint64_t s = 42;
	pid_t pid;

	if ((pid = fork()) == 0) {
		if (replay_open(path, 0, &rs) != 0)
			_exit(1);
		digest(&s, d);
		replay_add(rs, d, NOW, NOW);
		raise(SIGKILL);
	}
	waitpid(pid, NULL, 0);
}

int
main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
	const char *path = argc > 2 ? argv[2] : "replay_bench.db";
	struct replay_store *rs = NULL;
	struct replay_stats s0, s1, s2, s3;
	uint64_t seed, wrong_hit, wrong_miss, nl = n < 2000000 ? n : 2000000;
	double ins, worst, hit, miss, t_clean, t_dirty;

	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		return 1;
	unlink(path);
	time_open(path, &rs);
	worst = fill(rs, seed, n, &ins);
	replay_get_stats(rs, &s0);
	hit = lookup(rs, seed, nl, SPA_ERR_REPLAY, &wrong_hit);
	replay_get_stats(rs, &s1);
	miss = lookup(rs, ~seed, nl, 0, &wrong_miss);
	replay_get_stats(rs, &s2);

	printf("replay store, %" PRIu64 " random digests, %s\n", n, path);
	printf("  insert   %.0f ns/op mean (%.2f s total, %" PRIu64
	    " rebuilds, slowest insert %.3f s)\n", ins * 1e9 / (double)n,
	    ins, s0.grows, worst);
	printf("  hit      %.0f ns/op (%" PRIu64 " lookups, %" PRIu64
	    " wrong)\n", hit, nl, wrong_hit);
	printf("  miss     %.0f ns/op (%" PRIu64 " lookups, %" PRIu64
	    " wrong)\n", miss, nl, wrong_miss);
	printf("  capacity %zu slots, %.1f%% full, file %zu bytes (%.0f MiB)\n",
	    s2.capacity, 100.0 * (double)s2.entries / (double)s2.capacity,
	    s2.file_bytes, (double)s2.file_bytes / 1048576.0);
	printf("  memory   VmRSS %ld kB (RssFile %ld kB, RssAnon %ld kB),"
	    " VmHWM %ld kB\n", status_kb("VmRSS:"), status_kb("RssFile:"),
	    status_kb("RssAnon:"), status_kb("VmHWM:"));
	memset(&s3, 0, sizeof(s3));
	print_probes("inserts", &s3, &s0);
	print_probes("hits", &s0, &s1);
	print_probes("misses", &s1, &s2);
	printf("  max probe %" PRIu64 " (all operations)\n", s2.max_probe);

	replay_close(rs);
	t_clean = time_open(path, &rs);
	replay_close(rs);
	kill_while_open(path);
	t_dirty = time_open(path, &rs);
	replay_get_stats(rs, &s3);
	replay_close(rs);
	printf("  open     %.6f s after a clean close, %.3f s after kill -9"
	    " (recount: %zu entries)\n", t_clean, t_dirty, s3.entries);
	unlink(path);
	return 0;
}
