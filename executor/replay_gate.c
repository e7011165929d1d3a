/* The executor's replay check across verifier workers (replay_gate.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "replay.h"
#include "replay_gate.h"

struct replay_gate {
	struct replay_store	*store;
	char			*path;
	struct replay_gate_stats st;
};

int
replay_gate_open(const char *path, uint32_t capacity,
    struct replay_gate **out)
{
	struct replay_gate *g;
	int r;

	if ((g = calloc(1, sizeof(*g))) == NULL ||
	    (g->path = strdup(path)) == NULL) {
		free(g);
		return SPA_ERR_NOMEM;
	}
	if ((r = replay_open(path, capacity, &g->store)) != 0) {
		log_errx("the executor's replay store %s: %s%s", path,
		    spa_strerror(r), r == SPA_ERR_STATE ? " (damaged, or in "
		    "use by another spagated)" : "");
		free(g->path);
		free(g);
		return r;
	}
	*out = g;
	return 0;
}

int
replay_gate_seed(struct replay_gate *g, const char *path, int64_t now_s)
{
	int r = replay_merge_file(g->store, path, now_s);

	if (r != 0)
		log_errx("the executor's replay store %s cannot take the "
		    "digests of %s: %s (a replay of a packet it granted before "
		    "may pass another worker)", g->path, path, r == SPA_ERR_SYS ?
		    strerror(errno) : spa_strerror(r));
	return r;
}

void
replay_gate_close(struct replay_gate *g)
{
	if (g == NULL)
		return;
	replay_close(g->store);	/* syncs it */
	free(g->path);
	free(g);
}

void
replay_gate_set_age(struct replay_gate *g, uint32_t age)
{
	replay_set_age(g->store, age);
}

static void
log_replay(const struct spa_event *ev)
{
	char src[ADDR_STRLEN], allow[ADDR_STRLEN];

	log_info("refused %s:%u -> %s (stanza #%u): %s: another verifier "
	    "worker let it through already", addr_fmt(&ev->pkt_src, src),
	    ev->src_port, addr_fmt(&ev->allow, allow), ev->stanza,
	    spa_strerror(SPA_ERR_REPLAY));
}

static void
log_unrecorded(const struct replay_gate *g, const struct spa_event *ev,
    int r)
{
	char allow[ADDR_STRLEN];

	log_errx("stanza #%u: grant to %s refused: the executor's replay "
	    "store %s cannot record its digest (%s)", ev->stanza,
	    addr_fmt(&ev->allow, allow), g->path, r == SPA_ERR_SYS ?
	    strerror(errno) : spa_strerror(r));
}

int
replay_gate_admit(struct replay_gate *g, const struct spa_event *ev,
    int64_t now_s)
{
	int r;

	g->st.checked++;
	r = replay_add(g->store, ev->digest, now_s, ev->spa_time);
	if (r == 0)
		return 0;
	if (r == SPA_ERR_REPLAY) {
		g->st.replays++;
		log_replay(ev);
		return r;
	}
	g->st.unrecorded++;
	log_unrecorded(g, ev, r);
	return r;
}

void
replay_gate_sync(struct replay_gate *g)
{
	if (g != NULL)
		replay_sync(g->store);
}

void
replay_gate_get_stats(const struct replay_gate *g,
    struct replay_gate_stats *st)
{
	if (g == NULL)
		memset(st, 0, sizeof(*st));
	else
		*st = g->st;
}
