/* The control socket: listening, peer checks, bounded I/O (control.h). */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "err.h"
#include "log.h"

struct control_conn {
	int			 fd;		/* -1: a free slot */
	struct control_peer	 peer;
	char			 in[CONTROL_REQ_MAX];
	size_t			 inlen;
	char			*out;		/* NULL: still reading */
	size_t			 outlen;
	size_t			 outoff;
	int64_t			 deadline_ms;
};

struct control {
	int			 lfd;
	char			 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uid_t			 self;
	control_handler		 handler;
	void			*arg;
	struct control_conn	 conn[CONTROL_MAX_CONNS];
	struct control_stats	 stats;
};

/* A socket left by a run that did not exit cleanly is replaced. */
static int
listen_at(struct control *ctl)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int r;

	memcpy(sun.sun_path, ctl->path, sizeof(sun.sun_path));
	if (lstat(ctl->path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(ctl->path);
	if ((ctl->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) < 0)
		return SPA_ERR_SYS;
	old = umask(0177);	/* created 0600: no window with more */
	r = bind(ctl->lfd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r != 0 || chmod(ctl->path, 0600) != 0 ||
	    listen(ctl->lfd, CONTROL_MAX_CONNS) != 0)
		return SPA_ERR_SYS;
	return 0;
}

int
control_open(const char *state_dir, control_handler h, void *arg,
    struct control **out)
{
	struct control *ctl;
	size_t i;

	if ((ctl = calloc(1, sizeof(*ctl))) == NULL)
		return SPA_ERR_NOMEM;
	ctl->lfd = -1;
	ctl->self = geteuid();
	ctl->handler = h;
	ctl->arg = arg;
	for (i = 0; i < CONTROL_MAX_CONNS; i++)
		ctl->conn[i].fd = -1;
	if ((size_t)snprintf(ctl->path, sizeof(ctl->path), "%s/%s",
	    state_dir, CONTROL_SOCKET) >= sizeof(ctl->path)) {
		log_warnx("control socket: %s/%s: path too long", state_dir,
		    CONTROL_SOCKET);
		free(ctl);
		return SPA_ERR_CONFIG;
	}
	if (listen_at(ctl) != 0) {
		log_warn("control socket %s", ctl->path);
		if (ctl->lfd >= 0)
			close(ctl->lfd);
		free(ctl);
		return SPA_ERR_SYS;
	}
	*out = ctl;
	return 0;
}

static void
conn_end(struct control_conn *cn)
{
	close(cn->fd);
	free(cn->out);
	memset(cn, 0, sizeof(*cn));
	cn->fd = -1;
}

void
control_close(struct control *ctl)
{
	size_t i;

	if (ctl == NULL)
		return;
	for (i = 0; i < CONTROL_MAX_CONNS; i++)
		if (ctl->conn[i].fd >= 0)
			conn_end(&ctl->conn[i]);
	close(ctl->lfd);
	unlink(ctl->path);
	free(ctl);
}

static struct control_conn *
free_slot(struct control *ctl)
{
	size_t i;

	for (i = 0; i < CONTROL_MAX_CONNS; i++)
		if (ctl->conn[i].fd < 0)
			return &ctl->conn[i];
	return NULL;
}

/* Root, or the executor's own uid; anyone else is closed and counted. */
static bool
peer_allowed(struct control *ctl, int fd, struct control_peer *peer)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) != 0 ||
	    len != sizeof(uc)) {
		log_warn("control socket: peer credentials");
		ctl->stats.refused_peer++;
		return false;
	}
	peer->uid = uc.uid;
	peer->pid = uc.pid;
	if (uc.uid == 0 || uc.uid == ctl->self)
		return true;
	log_warnx("control socket: connection from uid %u (pid %ld) "
	    "refused: root only", (unsigned int)uc.uid, (long)uc.pid);
	ctl->stats.refused_peer++;
	return false;
}

static void
accept_one(struct control *ctl, int64_t now_ms)
{
	struct control_conn *cn;
	struct control_peer peer;
	int fd;

	if ((cn = free_slot(ctl)) == NULL)
		return;
	if ((fd = accept4(ctl->lfd, NULL, NULL, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != ECONNABORTED && errno != EINTR)
			log_warn("control socket: accept");
		return;
	}
	if (!peer_allowed(ctl, fd, &peer)) {
		static const char no[] = "error root only\n";

		(void)send(fd, no, sizeof(no) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		return;
	}
	cn->fd = fd;
	cn->peer = peer;
	cn->deadline_ms = now_ms + CONTROL_READ_MS;
}

/* The request (or why it is refused) turned into the reply to send. */
static void
answer(struct control *ctl, struct control_conn *cn, int64_t now_ms)
{
	struct control_req req;
	const char *why;
	FILE *fp;

	if ((fp = open_memstream(&cn->out, &cn->outlen)) == NULL) {
		conn_end(cn);
		return;
	}
	if (control_req_parse(cn->in, cn->inlen, &req, &why) != 0) {
		ctl->stats.bad_request++;
		log_warnx("control socket: request from uid %u refused: %s",
		    (unsigned int)cn->peer.uid, why);
		fprintf(fp, "error %s\n", why);
	} else {
		ctl->stats.served++;
		ctl->handler(ctl->arg, &req, &cn->peer, fp);
	}
	if (fclose(fp) != 0 || cn->out == NULL) {
		conn_end(cn);
		return;
	}
	shutdown(cn->fd, SHUT_RD);	/* one request per connection */
	cn->deadline_ms = now_ms + CONTROL_WRITE_MS;
}

/* Read until a line feed, the size limit, or the end of the stream. */
static void
read_request(struct control *ctl, struct control_conn *cn, int64_t now_ms)
{
	char *lf;
	ssize_t r;

	r = recv(cn->fd, cn->in + cn->inlen, sizeof(cn->in) - cn->inlen, 0);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	if (r < 0) {
		conn_end(cn);
		return;
	}
	if ((lf = memchr(cn->in + cn->inlen, '\n', (size_t)r)) != NULL)
		cn->inlen = (size_t)(lf - cn->in) + 1;	/* what follows: unread */
	else
		cn->inlen += (size_t)r;
	/* a full buffer without a line feed: "too long" from the parser */
	if (lf != NULL || r == 0 || cn->inlen == sizeof(cn->in))
		answer(ctl, cn, now_ms);
}

static void
write_reply(struct control_conn *cn)
{
	ssize_t w;

	w = send(cn->fd, cn->out + cn->outoff, cn->outlen - cn->outoff,
	    MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	if (w < 0 || (cn->outoff += (size_t)w) == cn->outlen)
		conn_end(cn);
}

size_t
control_pollfds(struct control *ctl, struct pollfd *pfd, size_t max)
{
	size_t n = 0, i;

	if (max > 0 && free_slot(ctl) != NULL) {
		pfd[n].fd = ctl->lfd;
		pfd[n++].events = POLLIN;
	}
	for (i = 0; i < CONTROL_MAX_CONNS && n < max; i++) {
		if (ctl->conn[i].fd < 0)
			continue;
		pfd[n].fd = ctl->conn[i].fd;
		pfd[n++].events = ctl->conn[i].out == NULL ? POLLIN : POLLOUT;
	}
	return n;
}

static struct control_conn *
conn_of(struct control *ctl, int fd)
{
	size_t i;

	for (i = 0; i < CONTROL_MAX_CONNS; i++)
		if (ctl->conn[i].fd == fd)
			return &ctl->conn[i];
	return NULL;
}

static void
expire(struct control *ctl, int64_t now_ms)
{
	size_t i;

	for (i = 0; i < CONTROL_MAX_CONNS; i++) {
		if (ctl->conn[i].fd < 0 || now_ms < ctl->conn[i].deadline_ms)
			continue;
		ctl->stats.timed_out++;
		log_warnx("control socket: connection from uid %u dropped: "
		    "%s in time", (unsigned int)ctl->conn[i].peer.uid,
		    ctl->conn[i].out == NULL ? "no request" :
		    "reply not taken");
		conn_end(&ctl->conn[i]);
	}
}

void
control_dispatch(struct control *ctl, const struct pollfd *pfd, size_t n,
    int64_t now_ms)
{
	struct control_conn *cn;
	size_t i;

	for (i = 0; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		if (pfd[i].fd == ctl->lfd) {
			accept_one(ctl, now_ms);
			continue;
		}
		if ((cn = conn_of(ctl, pfd[i].fd)) == NULL)
			continue;
		if (cn->out == NULL)
			read_request(ctl, cn, now_ms);
		else
			write_reply(cn);
	}
	expire(ctl, now_ms);
}

int64_t
control_timeout_ms(const struct control *ctl, int64_t now_ms)
{
	int64_t t = -1, d;
	size_t i;

	for (i = 0; i < CONTROL_MAX_CONNS; i++) {
		if (ctl->conn[i].fd < 0)
			continue;
		d = ctl->conn[i].deadline_ms > now_ms ?
		    ctl->conn[i].deadline_ms - now_ms : 0;
		if (t < 0 || d < t)
			t = d;
	}
	return t;
}

void
control_get_stats(const struct control *ctl, struct control_stats *st)
{
	*st = ctl->stats;
}
