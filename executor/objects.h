/*
 * The firewall objects open cycles act on, and which cycles hold each.
 *
 * Two cycles whose closes would remove the same thing (the same ipset
 * element, the same rule) act on one object: it must stay while either is
 * open, so only the close of its last holder may run.  An object is named
 * by its key, the bytes that say what the close removes (the module's
 * name and the expanded close command); equal keys, one object.
 *
 * A holder is the caller's pointer (a cycle).  Lookups are O(1) through a
 * seeded hash table, so keys built from packet values cannot be chosen to
 * collide; an object lives while it has holders.
 */
#ifndef SPA_OBJECTS_H
#define SPA_OBJECTS_H

#include <stddef.h>

struct objects;
struct object;

int	objects_new(struct objects **out);
/* Frees every object; the holders are the caller's. */
void	objects_free(struct objects *t);

/*
 * Add `holder` to the object named by `key` (made if new).  Returns the
 * object, or NULL if out of memory (nothing changed).
 */
struct object *objects_join(struct objects *t, const void *key, size_t len,
	    void *holder);
/* The object named by `key`, or NULL if no cycle holds it. */
struct object *objects_find(const struct objects *t, const void *key,
	    size_t len);
/* Take `holder` off its object; the last one out frees the object. */
void	objects_leave(struct objects *t, struct object *o, void *holder);

/* Holders of `o`, in the order they joined. */
size_t	object_nholders(const struct object *o);
void	*object_holder(const struct object *o, size_t i);

/* Objects in the table (for tests and status). */
size_t	objects_count(const struct objects *t);

#endif /* SPA_OBJECTS_H */
