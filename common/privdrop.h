/* Dropping root for good: groups, gid, uid, then proof it cannot return. */
#ifndef SPA_PRIVDROP_H
#define SPA_PRIVDROP_H

#include <stddef.h>
#include <sys/types.h>

/* Look up `user` (uid and primary gid); SPA_ERR_CONFIG if unknown. */
int	privdrop_lookup(const char *user, uid_t *uid, gid_t *gid);

/*
 * Become `user` (uid, gid from privdrop_lookup, which must run before any
 * chroot) irrevocably: setgroups, setresgid, setresuid, then check that
 * root cannot be regained.  Must be called as root; refuses uid 0.
 */
int	privdrop_to(const char *user, uid_t uid, gid_t gid);

#endif /* SPA_PRIVDROP_H */
