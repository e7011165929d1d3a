/*
 * The knock doors of an access.conf policy (access.h): each stanza with a
 * SHARED_SEQUENCE becomes a door of the same engine knockd.conf's doors
 * use, with fwknop 1.x's rules: its own progress per stanza, the gaps of
 * MIN_TIME_DIFF and MAX_TIME_DIFF, and SOURCE choosing the knockers.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "err.h"

static int
stanza_door(const struct stanza *st, struct knock_door *d)
{
	memset(d, 0, sizeof(*d));
	if (asprintf(&d->name, "stanza #%u", st->number) < 0) {
		d->name = NULL;
		return SPA_ERR_NOMEM;
	}
	if ((d->file = strdup(st->file)) == NULL)
		return SPA_ERR_NOMEM;
	d->line = st->line;
	d->stanza = st->number;
	d->seq = st->shared_sequence;
	/* fwknopd dropped a sequence once more than KNOCK_INTERVAL passed */
	d->seq_timeout = st->knock_interval + 1;
	d->independent = true;
	d->has_min_gap = st->has_min_time_diff;
	d->min_gap = st->min_time_diff;
	d->has_max_gap = st->has_max_time_diff;
	d->max_gap = st->max_time_diff;
	d->sources = &st->source;
	return 0;
}

int
access_knock_doors(const struct access_conf *conf, struct knock_door **out,
    size_t *nout)
{
	struct knock_door *doors = NULL;
	size_t i, n = 0;
	int r = 0;

	*out = NULL;
	*nout = 0;
	for (i = 0; i < conf->n; i++)
		n += conf->stanzas[i]->knock && !conf->stanzas[i]->disabled;
	if (n == 0)
		return 0;
	if ((doors = calloc(n, sizeof(*doors))) == NULL)
		return SPA_ERR_NOMEM;
	for (i = 0, n = 0; i < conf->n && r == 0; i++)
		if (conf->stanzas[i]->knock && !conf->stanzas[i]->disabled)
			r = stanza_door(conf->stanzas[i], &doors[n++]);
	if (r != 0) {
		access_knock_doors_free(doors, n);
		return r;
	}
	*out = doors;
	*nout = n;
	return 0;
}

void
access_knock_doors_free(struct knock_door *doors, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		knock_door_clear(&doors[i]);	/* sources stay the stanza's */
	free(doors);
}
