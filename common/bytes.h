/*
 * Bounded cursors over the byte buffers of our binary formats: the
 * messages between the two processes (big-endian) and the journal
 * (little-endian).  A write or read past the end sets `bad`, and every
 * later call on that cursor does nothing, so a codec checks once at the
 * end instead of after every field.
 */
#ifndef SPA_BYTES_H
#define SPA_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct bytes_out {
	uint8_t		*p;
	size_t		 cap;
	size_t		 len;	/* bytes written */
	bool		 bad;
};

struct bytes_in {
	const uint8_t	*p;
	size_t		 len;
	size_t		 off;	/* bytes read */
	bool		 bad;
};

static inline uint64_t
le_load(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

static inline void
le_store(uint8_t *p, uint64_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void
bytes_put(struct bytes_out *w, const void *v, size_t n)
{
	if (w->bad || n > w->cap - w->len) {
		w->bad = true;
		return;
	}
	memcpy(w->p + w->len, v, n);
	w->len += n;
}

/* The low `n` bytes of v, most significant first. */
static inline void
bytes_put_be(struct bytes_out *w, uint64_t v, size_t n)
{
	uint8_t b[8];
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	bytes_put(w, b, n);
}

static inline void
bytes_put_le(struct bytes_out *w, uint64_t v, size_t n)
{
	uint8_t b[8];

	le_store(b, v, n);
	bytes_put(w, b, n);
}

/* The next `n` bytes, or NULL (and bad) if there are fewer. */
static inline const uint8_t *
bytes_get(struct bytes_in *r, size_t n)
{
	const uint8_t *p;

	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

static inline void
bytes_copy(struct bytes_in *r, void *out, size_t n)
{
	const uint8_t *p = bytes_get(r, n);

	if (p != NULL)
		memcpy(out, p, n);
}

static inline uint64_t
bytes_get_be(struct bytes_in *r, size_t n)
{
	const uint8_t *p = bytes_get(r, n);
	uint64_t v = 0;
	size_t i;

	for (i = 0; p != NULL && i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static inline uint64_t
bytes_get_le(struct bytes_in *r, size_t n)
{
	const uint8_t *p = bytes_get(r, n);

	return p != NULL ? le_load(p, n) : 0;
}

#endif /* SPA_BYTES_H */
