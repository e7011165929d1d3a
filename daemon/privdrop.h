/* Dropping root for good: groups, gid, uid, then proof it cannot return. */
#ifndef SPA_PRIVDROP_H
#define SPA_PRIVDROP_H

#include <stddef.h>
#include <sys/types.h>

/* Look up `user` (uid and primary gid); SPA_ERR_CONFIG if unknown. */
int	privdrop_lookup(const char *user, uid_t *uid, gid_t *gid);

/*
 * Become `user` irrevocably (setgroups, setresgid, setresuid) and check
 * that root cannot be regained.  Without root nothing changes.  `desc`
 * says what happened, for the log and spagated -S.
 */
int	privdrop_to(const char *user, char *desc, size_t len);

#endif /* SPA_PRIVDROP_H */
