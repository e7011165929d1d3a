/* Sequence numbers in use on a Cisco device.  See cisco_seq.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "cisco_seq.h"
#include "err.h"

struct cisco_held *
cisco_seq_find(const struct cisco_seqs *s, uint32_t seq)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].seq == seq)
			return &s->v[i];
	return NULL;
}

bool
cisco_seq_held(const struct cisco_seqs *s, uint32_t seq)
{
	return cisco_seq_find(s, seq) != NULL;
}

int
cisco_seq_hold(struct cisco_seqs *s, uint32_t seq)
{
	struct cisco_held *nv;

	if (cisco_seq_held(s, seq))
		return 0;
	if ((nv = array_room(s->v, &s->cap, s->n, sizeof(*nv), 32)) == NULL)
		return SPA_ERR_NOMEM;
	s->v = nv;
	s->v[s->n].seq = seq;
	s->v[s->n++].ace = NULL;
	return 0;
}

void
cisco_seq_release(struct cisco_seqs *s, uint32_t seq)
{
	struct cisco_held *h = cisco_seq_find(s, seq);

	if (h == NULL)
		return;
	free(h->ace);
	*h = s->v[--s->n];
}

void
cisco_seq_remember(struct cisco_seqs *s, uint32_t seq, const char *ace)
{
	struct cisco_held *h = cisco_seq_find(s, seq);

	if (h != NULL && h->ace == NULL)
		h->ace = strdup(ace);	/* none: refreshes cannot re-add */
}

uint32_t
cisco_seq_alloc(struct cisco_seqs *s, uint32_t first, uint32_t last)
{
	uint32_t seq;

	/* seq != 0: a last of UINT32_MAX must not wrap round */
	for (seq = first; seq <= last && seq != 0; seq++)
		if (!cisco_seq_held(s, seq))
			return cisco_seq_hold(s, seq) == 0 ? seq : 0;
	return 0;
}

void
cisco_seqs_free(struct cisco_seqs *s)
{
	while (s->n > 0)
		cisco_seq_release(s, s->v[0].seq);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
