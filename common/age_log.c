/* max_packet_age over time (see age_log.h). */
#include "config.h"

#include "age_log.h"

/* 0 means no limit: the largest age of all. */
static uint64_t
as_limit(uint32_t age)
{
	return age == 0 ? UINT64_MAX : age;
}

void
age_log_set(struct age_log *l, uint32_t age, int64_t now_s)
{
	if (l->n > 0 && l->v[l->n - 1].age == age)
		return;
	if (l->n == AGE_LOG_MAX) {
		/* the two oldest become one, with the stricter age */
		if (as_limit(l->v[1].age) > as_limit(l->v[0].age))
			l->v[1].age = l->v[0].age;
		l->v[1].since = l->v[0].since;
		for (size_t i = 0; i + 1 < l->n; i++)
			l->v[i] = l->v[i + 1];
		l->n--;
	}
	l->v[l->n].since = now_s;
	l->v[l->n].age = age;
	l->n++;
}

uint32_t
age_log_for(const struct age_log *l, int64_t packet_time)
{
	uint64_t best = UINT64_MAX;
	size_t i;

	/* every age in force from the packet's time on */
	for (i = 0; i < l->n; i++)
		if (i + 1 == l->n || l->v[i + 1].since > packet_time)
			if (as_limit(l->v[i].age) < best)
				best = as_limit(l->v[i].age);
	return best == UINT64_MAX ? 0 : (uint32_t)best;
}
