/*
 * Messages a loop pass at a time over the executor's SOCK_SEQPACKET pair:
 * the verifier queues what a pass decides and sends it with one
 * sendmmsg(); the executor takes up to MSG_BATCH_IN with one recvmmsg().
 * Each message stays its own datagram, so framing and checks are those
 * of msg_decode(); only the number of system calls changes.
 */
#ifndef SPA_MSG_BATCH_H
#define SPA_MSG_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "msg.h"

#define MSG_BATCH_OUT	64		/* messages queued before a send */
#define MSG_BATCH_BYTES	(8 * MSG_MAX)	/* their encoded bytes */
#define MSG_BATCH_IN	16		/* messages a recvmmsg() takes */

struct msg_out {
	int		 fd;
	size_t		 n;		/* queued */
	size_t		 used;		/* bytes of buf */
	struct iovec	 iov[MSG_BATCH_OUT];
	uint8_t		 buf[MSG_BATCH_BYTES];
};

void	msg_out_init(struct msg_out *q, int fd);
/* Encode m behind the queued ones (sending them first if full); <0: error. */
int	msg_out_queue(struct msg_out *q, const struct msg *m);
/* Send what is queued, in order; <0 if the peer cannot be reached. */
int	msg_out_flush(struct msg_out *q);

struct msg_in {
	int		 fd;
	size_t		 n;		/* received by the last msg_in_read */
	size_t		 next;		/* the next one msg_in_next returns */
	struct mmsghdr	 hdr[MSG_BATCH_IN];
	struct iovec	 iov[MSG_BATCH_IN];
	uint8_t		 buf[MSG_BATCH_IN][MSG_MAX + 1];	/* +1: oversize */
};

void	msg_in_init(struct msg_in *b, int fd);
/*
 * Receive what is waiting, up to MSG_BATCH_IN: their number, 0 if none
 * (EAGAIN), -1 when the peer closed or on error (errno).
 */
int	msg_in_read(struct msg_in *b);
/* The next received datagram, in order; NULL once all are taken. */
const uint8_t *msg_in_next(struct msg_in *b, size_t *len);

#endif /* SPA_MSG_BATCH_H */
