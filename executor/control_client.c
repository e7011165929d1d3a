/* Asking the running daemon over its control socket (control_client.h). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "control_client.h"

static int
dial(const char *state_dir, char *why, size_t whylen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s",
	    state_dir, CONTROL_SOCKET) >= sizeof(sun.sun_path)) {
		snprintf(why, whylen, "%s/%s: path too long", state_dir,
		    CONTROL_SOCKET);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		snprintf(why, whylen, "%s: %s", sun.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Bytes until the end of the stream or the deadline; NUL-terminated. */
static char *
read_all(int fd, size_t *len)
{
	int64_t deadline = mono_ms() + CONTROL_REPLY_MS, left;
	size_t cap = 4096, n = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char *buf = malloc(cap), *nb;
	ssize_t r;

	while (buf != NULL && (left = deadline - mono_ms()) > 0) {
		if (poll(&p, 1, (int)left) <= 0 && errno != EINTR)
			break;
		if (n + 1 == cap) {
			if ((nb = realloc(buf, cap * 2)) == NULL)
				break;
			buf = nb;
			cap *= 2;
		}
		if ((r = read(fd, buf + n, cap - n - 1)) <= 0) {
			/* a refusal closed before our request was read: the
			   kernel says reset after what was sent */
			if (r == 0 || errno == ECONNRESET) {
				buf[n] = '\0';
				*len = n;
				return buf;
			}
			if (errno != EINTR && errno != EAGAIN)
				break;
			continue;
		}
		n += (size_t)r;
	}
	free(buf);
	return NULL;
}

/* The answer: data lines to `line`, then its end line's verdict. */
static int
split_reply(char *buf, void (*line)(void *, const char *), void *arg)
{
	char *p = buf, *lf;

	while ((lf = strchr(p, '\n')) != NULL) {
		*lf = '\0';
		if (strcmp(p, "ok") == 0)
			return 0;
		if (strncmp(p, "error ", 6) == 0) {
			fprintf(stderr, "spagated: %s\n", p + 6);
			return 1;
		}
		if (line != NULL)
			line(arg, p);
		p = lf + 1;
	}
	fprintf(stderr, "control socket: the answer ended without its end "
	    "line\n");
	return 2;
}

int
control_ask(const char *state_dir, const char *request,
    void (*line)(void *arg, const char *line), void *arg, char *why,
    size_t whylen)
{
	char req[CONTROL_REQ_MAX + 1];
	size_t len;
	char *buf;
	int fd, r;

	if ((size_t)snprintf(req, sizeof(req), "%s\n", request) > CONTROL_REQ_MAX) {
		fprintf(stderr, "control socket: request too long\n");
		return 2;
	}
	if ((fd = dial(state_dir, why, whylen)) < 0)
		return CONTROL_NO_DAEMON;
	/* a refusal may come before the request is sent: read it anyway */
	if ((send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req) &&
	    errno != EPIPE) || (buf = read_all(fd, &len)) == NULL) {
		fprintf(stderr, "control socket %s/%s: no answer\n", state_dir,
		    CONTROL_SOCKET);
		close(fd);
		return 2;
	}
	close(fd);
	r = split_reply(buf, line, arg);
	free(buf);
	return r;
}

/* One "cycle ..." or "closing ..." line, its fields checked. */
struct cycle_line {
	char		tag[8];
	char		id[17];
	char		source[46];
	unsigned int	stanza;
	char		what[16];
	char		module[16];
	long long	opened;
	long long	close_at;
	char		state[12];
};

static int
parse_cycle(const char *s, struct cycle_line *c)
{
	int end = 0;

	if (sscanf(s, "%7[a-z] %16[0-9a-f] %45[0-9a-fA-F.:] %u %15[a-z0-9/-] "
	    "%15[a-z0-9_-] %lld %lld %11[a-z]%n", c->tag, c->id, c->source,
	    &c->stanza, c->what, c->module, &c->opened, &c->close_at,
	    c->state, &end) != 9 || s[end] != '\0')
		return -1;
	return 0;
}

struct show {
	FILE		*fp;
	bool		 json;
	int		 indent;	/* json: spaces before each object */
	size_t		 n;
	bool		 bad;
};

void
control_json_str(FILE *fp, const char *s, size_t n)
{
	size_t i;

	fputc('"', fp);
	for (i = 0; i < n && s[i] != '\0'; i++) {
		if (s[i] == '"' || s[i] == '\\')
			fprintf(fp, "\\%c", s[i]);
		else if ((unsigned char)s[i] < 0x20)
			fprintf(fp, "\\u%04x", (unsigned int)(unsigned char)s[i]);
		else
			fputc(s[i], fp);
	}
	fputc('"', fp);
}

/* "NAME": "TEXT", with the separator before it. */
static void
json_member(FILE *fp, const char *sep, const char *name, const char *text)
{
	fprintf(fp, "%s\"%s\": ", sep, name);
	control_json_str(fp, text, strlen(text));
}

static void
json_cycle(FILE *fp, const struct cycle_line *c)
{
	fputc('{', fp);
	json_member(fp, "", "id", c->id);
	json_member(fp, ", ", "source", c->source);
	fprintf(fp, ", \"stanza\": %u", c->stanza);
	json_member(fp, ", ", "opened", c->what);
	json_member(fp, ", ", "module", c->module);
	fprintf(fp, ", \"opened_at\": %lld, \"closes_at\": %lld",
	    c->opened, c->close_at);
	json_member(fp, ", ", "state", c->state);
	fputc('}', fp);
}

static const char *
fmt_time(long long t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		snprintf(buf, 32, "%lld", t);
	return buf;
}

static void
show_cycle(void *arg, const char *s)
{
	struct show *sh = arg;
	struct cycle_line c;
	char o[32], t[32];

	if (parse_cycle(s, &c) != 0) {
		sh->bad = true;
		return;
	}
	if (sh->json) {
		fprintf(sh->fp, "%s\n%*s", sh->n == 0 ? "" : ",", sh->indent,
		    "");
		json_cycle(sh->fp, &c);
	} else
		fprintf(sh->fp, "%-16s  %-15s %6u  %-9s %-6s %s  %s  %s\n",
		    c.id, c.source, c.stanza, c.what, c.module,
		    fmt_time(c.opened, o), fmt_time(c.close_at, t), c.state);
	sh->n++;
}

static int
no_daemon(const char *why)
{
	fprintf(stderr, "spagated is not running, or does not answer (%s)\n",
	    why);
	return CONTROL_NO_DAEMON;
}

/* The "list" answer, shown into *text (to free) only once it all came. */
static int
ask_list(const char *state_dir, struct show *sh, char **text, char *why,
    size_t whylen)
{
	size_t len = 0;
	int r;

	*text = NULL;
	if ((sh->fp = open_memstream(text, &len)) == NULL)
		return 2;
	r = control_ask(state_dir, "list", show_cycle, sh, why, whylen);
	fclose(sh->fp);
	if (r == 0 && sh->bad) {
		fprintf(stderr, "control socket: a line of the answer is not "
		    "a cycle\n");
		r = 2;
	}
	return r;
}

int
control_cycles_json(const char *state_dir, int depth, FILE *fp,
    char *why, size_t whylen)
{
	struct show sh = { NULL, true, 2 * depth + 2, 0, false };
	char *text;
	int r;

	if ((r = ask_list(state_dir, &sh, &text, why, whylen)) == 0 &&
	    sh.n == 0)
		fprintf(fp, "[]");
	else if (r == 0)
		fprintf(fp, "[%s\n%*s]", text, 2 * depth, "");
	free(text);
	return r;
}

/* Printed only once the whole answer came: never half a list. */
int
control_list(const char *state_dir, bool json, FILE *fp)
{
	struct show sh = { NULL, false, 0, 0, false };
	char why[4200], *text = NULL;
	int r;

	if (json) {
		if ((r = control_cycles_json(state_dir, 0, fp, why,
		    sizeof(why))) == 0)
			fputc('\n', fp);
	} else if ((r = ask_list(state_dir, &sh, &text, why, sizeof(why)))
	    == 0)
		fprintf(fp, "%-16s  %-15s %6s  %-9s %-6s %-19s  %-19s  %s\n%s",
		    "ID", "SOURCE", "STANZA", "OPENED", "MODULE", "OPENED AT",
		    "CLOSES AT", "STATE", text);
	free(text);
	return r == CONTROL_NO_DAEMON ? no_daemon(why) : r;
}

static void
show_closing(void *arg, const char *s)
{
	struct show *sh = arg;
	struct cycle_line c;

	if (parse_cycle(s, &c) != 0) {
		sh->bad = true;
		return;
	}
	fprintf(sh->fp, "closing %s  %s  stanza %u  %s\n", c.id, c.source,
	    c.stanza, c.what);
	sh->n++;
}

int
control_close_cycles(const char *state_dir, const char *request, FILE *fp)
{
	struct show sh = { fp, false, 0, 0, false };
	char why[4200];
	int r;

	r = control_ask(state_dir, request, show_closing, &sh, why,
	    sizeof(why));
	if (r == CONTROL_NO_DAEMON)
		return no_daemon(why);
	if (r != 0)
		return r;
	fprintf(fp, "%zu cycle%s closing\n", sh.n, sh.n == 1 ? "" : "s");
	/* nothing matched a cycle, source or stanza named: say so in $? */
	return sh.n == 0 && strcmp(request, "close all") != 0 ? 1 :
	    sh.bad ? 2 : 0;
}
