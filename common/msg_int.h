/* Shared by the message codec's two files (msg.c, msg_conf.c). */
#ifndef SPA_MSG_INT_H
#define SPA_MSG_INT_H

#include "bytes.h"
#include "msg.h"

/*
 * Text fields: exactly n bytes, NUL-padded; printable ASCII, or for a path
 * (and every configuration text) any byte but a control character.
 */
void	msg_put_text(struct bytes_out *w, const char *s, size_t n);
void	msg_get_text(struct bytes_in *r, char *out, size_t n);
void	msg_get_path(struct bytes_in *r, char *out, size_t n);

/* The configuration messages; any other type is bad. */
void	msg_conf_encode(struct bytes_out *w, const struct msg *m);
void	msg_conf_decode(struct bytes_in *r, struct msg *m);

#endif /* SPA_MSG_INT_H */
