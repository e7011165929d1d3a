/* Messages a pass at a time (see msg_batch.h). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "err.h"
#include "msg_batch.h"

void
msg_out_init(struct msg_out *q, int fd)
{
	q->fd = fd;
	q->n = q->used = 0;
}

int
msg_out_flush(struct msg_out *q)
{
	struct mmsghdr hdr[MSG_BATCH_OUT];
	size_t done = 0, i;
	int r;

	memset(hdr, 0, sizeof(hdr[0]) * q->n);
	for (i = 0; i < q->n; i++) {
		hdr[i].msg_hdr.msg_iov = &q->iov[i];
		hdr[i].msg_hdr.msg_iovlen = 1;
	}
	/* a SEQPACKET socket takes the whole message or none of it */
	while (done < q->n) {
		r = sendmmsg(q->fd, hdr + done, (unsigned int)(q->n - done),
		    MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			q->n = q->used = 0;
			return SPA_ERR_SYS;
		}
		done += (size_t)r;
	}
	q->n = q->used = 0;
	return 0;
}

int
msg_out_queue(struct msg_out *q, const struct msg *m)
{
	int len, r;

	if ((q->n == MSG_BATCH_OUT || sizeof(q->buf) - q->used < MSG_MAX) &&
	    (r = msg_out_flush(q)) != 0)
		return r;
	if ((len = msg_encode(m, q->buf + q->used, MSG_MAX)) < 0)
		return len;
	q->iov[q->n].iov_base = q->buf + q->used;
	q->iov[q->n].iov_len = (size_t)len;
	q->used += (size_t)len;
	q->n++;
	return 0;
}

void
msg_in_init(struct msg_in *b, int fd)
{
	size_t i;

	memset(b->hdr, 0, sizeof(b->hdr));
	for (i = 0; i < MSG_BATCH_IN; i++) {
		b->iov[i].iov_base = b->buf[i];
		b->iov[i].iov_len = sizeof(b->buf[i]);
		b->hdr[i].msg_hdr.msg_iov = &b->iov[i];
		b->hdr[i].msg_hdr.msg_iovlen = 1;
	}
	b->fd = fd;
	b->n = b->next = 0;
}

int
msg_in_read(struct msg_in *b)
{
	int r;
	size_t i;

	b->n = b->next = 0;
	do
		r = recvmmsg(b->fd, b->hdr, MSG_BATCH_IN, MSG_DONTWAIT, NULL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == EAGAIN ? 0 : -1;
	if (r == 0)
		return -1;	/* not reached: a closed pair reads one 0 */
	for (i = 0; i < (size_t)r; i++)
		if (b->hdr[i].msg_len == 0)	/* the peer closed */
			break;
	b->n = i;
	return i == 0 ? -1 : (int)i;
}

const uint8_t *
msg_in_next(struct msg_in *b, size_t *len)
{
	struct mmsghdr *h;

	if (b->next >= b->n)
		return NULL;
	h = &b->hdr[b->next++];
	*len = (h->msg_hdr.msg_flags & MSG_TRUNC) != 0 ?
	    sizeof(b->buf[0]) : h->msg_len;	/* too long: msg_decode refuses */
	return b->buf[b->next - 1];
}
