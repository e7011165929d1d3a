/*
 * Arrays that grow by doubling: room for one more element.
 */
#ifndef SPA_ARRAY_H
#define SPA_ARRAY_H

#include <stdlib.h>

/*
 * `v` holds `n` of `*cap` elements of `size` bytes.  Returns `v` if there
 * is room for one more, else the array grown to twice its capacity (to
 * `first` if it had none) with *cap updated, or NULL (out of memory: `v`
 * and *cap are unchanged).
 */
static inline void *
array_room(void *v, size_t *cap, size_t n, size_t size, size_t first)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return v;
	ncap = *cap != 0 ? *cap * 2 : first;
	if ((nv = reallocarray(v, ncap, size)) == NULL)
		return NULL;
	*cap = ncap;
	return nv;
}

#endif /* SPA_ARRAY_H */
