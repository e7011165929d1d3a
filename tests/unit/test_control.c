/*
 * The control socket (executor/control_req.c, executor/control.c): every
 * request of the protocol parses to what it says; each way a request can
 * be wrong is refused with its reason; the server answers a request,
 * refuses one too long, drops a client that sends nothing by its
 * deadline, and serves at most CONTROL_MAX_CONNS clients at a time.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "control_client.h"
#include "control_req.h"
#include "err.h"
#include "helpers.h"

static int
parse(const char *s, struct control_req *r, const char **why)
{
	return control_req_parse(s, strlen(s), r, why);
}

static void
requests_parse(void **state)
{
	struct control_req r;
	const char *why;

	(void)state;
	assert_int_equal(parse("list\n", &r, &why), 0);
	assert_int_equal(r.verb, CONTROL_LIST);
	assert_int_equal(parse("status\n", &r, &why), 0);
	assert_int_equal(r.verb, CONTROL_STATUS);
	assert_int_equal(parse("close all\n", &r, &why), 0);
	assert_int_equal(r.verb, CONTROL_CLOSE);
	assert_int_equal(r.by, CONTROL_BY_ALL);
	assert_int_equal(parse("close id 00000000000000aF\n", &r, &why), 0);
	assert_int_equal(r.by, CONTROL_BY_ID);
	assert_true(r.id == 0xaf);
	assert_int_equal(parse("close id ffffffffffffffff\n", &r, &why), 0);
	assert_true(r.id == UINT64_MAX);
	assert_int_equal(parse("close source 10.0.0.7\n", &r, &why), 0);
	assert_int_equal(r.by, CONTROL_BY_SOURCE);
	assert_int_equal(r.source.family, AF_INET);
	assert_memory_equal(r.source.bytes, "\x0a\x00\x00\x07", 4);
	assert_int_equal(parse("close source 2001:db8::1\n", &r, &why), 0);
	assert_int_equal(r.source.family, AF_INET6);
	assert_int_equal(parse("close stanza 4294967295\n", &r, &why), 0);
	assert_int_equal(r.by, CONTROL_BY_STANZA);
	assert_true(r.stanza == UINT32_MAX);
}

/* Each refused request, and the start of the reason it gets. */
static const struct {
	const char	*req;
	size_t		 len;	/* 0: strlen */
	const char	*why;
} refused[] = {
	{ "", 0, "no line feed" },
	{ "list", 0, "no line feed" },
	{ "\n", 0, "empty request" },
	{ "list\r\n", 0, "a byte that is not printable" },
	{ "li\0st\n", 6, "a byte that is not printable" },
	{ "list\xff\n", 0, "a byte that is not printable" },
	{ "close\tall\n", 0, "a byte that is not printable" },
	{ " list\n", 0, "stray space" },
	{ "list \n", 0, "stray space" },
	{ "close  all\n", 0, "stray space" },
	{ "list\nlist\n", 0, "a byte that is not printable" },
	{ "LIST\n", 0, "unknown request" },
	{ "lists\n", 0, "unknown request" },
	{ "close\n", 0, "unknown request" },
	{ "flush\n", 0, "unknown request" },
	{ "close all now\n", 0, "close all takes no argument" },
	{ "close some\n", 0, "close takes all, or id" },
	{ "close some 1\n", 0, "close takes all, id" },
	{ "close id\n", 0, "close takes all, or id" },
	{ "close id 1 2\n", 0, "close takes all, or id" },
	{ "close id 0\n", 0, "not a cycle id" },
	{ "close id 0000000000000000\n", 0, "not a cycle id" },
	{ "close id 10000000000000000\n", 0, "not a cycle id" },
	{ "close id 12g\n", 0, "not a cycle id" },
	{ "close id -1\n", 0, "not a cycle id" },
	{ "close id 0x1\n", 0, "not a cycle id" },
	{ "close source 10.0.0\n", 0, "not an IPv4 or IPv6" },
	{ "close source 10.0.0.256\n", 0, "not an IPv4 or IPv6" },
	{ "close source 10.0.0.0/8\n", 0, "not an IPv4 or IPv6" },
	{ "close source host.example\n", 0, "not an IPv4 or IPv6" },
	{ "close source 2001:db8::g\n", 0, "not an IPv4 or IPv6" },
	{ "close stanza 0\n", 0, "not a stanza number" },
	{ "close stanza 01\n", 0, "not a stanza number" },
	{ "close stanza +1\n", 0, "not a stanza number" },
	{ "close stanza 4294967296\n", 0, "not a stanza number" },
	{ "close stanza 99999999999\n", 0, "not a stanza number" },
	{ "close stanza 1a\n", 0, "not a stanza number" },
};

static void
bad_requests_refused(void **state)
{
	struct control_req r;
	const char *why;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		len = refused[i].len != 0 ? refused[i].len :
		    strlen(refused[i].req);
		why = NULL;
		if (control_req_parse(refused[i].req, len, &r, &why) !=
		    SPA_ERR_ARG || why == NULL ||
		    strncmp(why, refused[i].why, strlen(refused[i].why)) != 0)
			fail_msg("request %zu (\"%s\"): %s", i, refused[i].req,
			    why ? why : "accepted");
		assert_int_equal(r.verb, 0);
	}
}

static void
too_long_refused(void **state)
{
	char buf[CONTROL_REQ_MAX + 1];
	struct control_req r;
	const char *why;

	(void)state;
	/* "close source " and an address padded to the limit, LF last */
	memset(buf, '1', sizeof(buf));
	memcpy(buf, "close stanza ", 13);
	buf[CONTROL_REQ_MAX - 1] = '\n';
	assert_int_equal(control_req_parse(buf, CONTROL_REQ_MAX, &r, &why),
	    SPA_ERR_ARG);
	assert_string_equal(why, "not a stanza number (1 to 4294967295)");
	buf[CONTROL_REQ_MAX] = '\n';
	buf[CONTROL_REQ_MAX - 1] = '1';
	assert_int_equal(control_req_parse(buf, CONTROL_REQ_MAX + 1, &r,
	    &why), SPA_ERR_ARG);
	assert_string_equal(why, "request too long");
	/* what the server hands over when its buffer fills without a LF */
	assert_int_equal(control_req_parse(buf, CONTROL_REQ_MAX, &r, &why),
	    SPA_ERR_ARG);
	assert_string_equal(why, "request too long");
}

/* --- the server ------------------------------------------------------- */

static void
answer_ok(void *arg, const struct control_req *req,
    const struct control_peer *peer, FILE *fp)
{
	(*(int *)arg)++;
	fprintf(fp, "verb %d uid %u\nok\n", (int)req->verb,
	    (unsigned int)peer->uid);
}

static int
dial(const char *dir)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s", dir,
	    CONTROL_SOCKET);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* Passes of the server's loop at the clock now_ms. */
static void
serve(struct control *ctl, int passes, int64_t now_ms)
{
	struct pollfd pfd[CONTROL_MAX_CONNS + 1];
	size_t n;

	while (passes-- > 0) {
		n = control_pollfds(ctl, pfd, CONTROL_MAX_CONNS + 1);
		assert_true(poll(pfd, n, 100) >= 0);
		control_dispatch(ctl, pfd, n, now_ms);
	}
}

static size_t
reply(int fd, char *buf, size_t len)
{
	ssize_t n, got = 0;

	while ((size_t)got < len - 1 &&
	    (n = read(fd, buf + got, len - 1 - (size_t)got)) > 0)
		got += n;
	buf[got] = '\0';
	return (size_t)got;
}

static void
server_answers_and_refuses(void **state)
{
	char *dir = th_mkdtemp(), buf[512], path[4200], big[300];
	struct control *ctl;
	struct control_stats st;
	struct stat sb;
	int calls = 0, fd;

	(void)state;
	/* a stale socket file is replaced */
	snprintf(path, sizeof(path), "%s/%s", dir, CONTROL_SOCKET);
	assert_int_equal(control_open(dir, answer_ok, &calls, &ctl), 0);
	control_close(ctl);
	assert_int_equal(control_open(dir, answer_ok, &calls, &ctl), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISSOCK(sb.st_mode) && (sb.st_mode & 0777) == 0600);
	fd = dial(dir);
	assert_int_equal(write(fd, "list\n", 5), 5);
	serve(ctl, 3, 0);
	reply(fd, buf, sizeof(buf));
	close(fd);
	assert_int_equal(calls, 1);
	snprintf(path, sizeof(path), "verb %d uid %u\nok\n", CONTROL_LIST,
	    (unsigned int)geteuid());
	assert_string_equal(buf, path);
	/* too long: refused without reaching the handler */
	fd = dial(dir);
	memset(big, 'x', sizeof(big));
	assert_int_equal(write(fd, big, sizeof(big)), (ssize_t)sizeof(big));
	serve(ctl, 3, 0);
	reply(fd, buf, sizeof(buf));
	close(fd);
	assert_string_equal(buf, "error request too long\n");
	assert_int_equal(calls, 1);
	control_get_stats(ctl, &st);
	assert_true(st.served == 1 && st.bad_request == 1);
	control_close(ctl);
	assert_int_equal(stat(path, &sb), -1);
	th_rmtree(dir);
	free(dir);
}

static void
silent_clients_bounded(void **state)
{
	char *dir = th_mkdtemp(), buf[64];
	struct pollfd pfd[CONTROL_MAX_CONNS + 1];
	struct control *ctl;
	struct control_stats st;
	int calls = 0, fd[CONTROL_MAX_CONNS + 1], i;

	(void)state;
	assert_int_equal(control_open(dir, answer_ok, &calls, &ctl), 0);
	for (i = 0; i <= CONTROL_MAX_CONNS; i++)
		fd[i] = dial(dir);
	serve(ctl, CONTROL_MAX_CONNS + 2, 0);
	/* every slot taken: the listener is no longer polled */
	assert_int_equal(control_pollfds(ctl, pfd, CONTROL_MAX_CONNS + 1),
	    CONTROL_MAX_CONNS);
	assert_int_equal(control_timeout_ms(ctl, 1000),
	    CONTROL_READ_MS - 1000);
	/* the last one, still queued, is served once the deadline passes */
	assert_int_equal(write(fd[CONTROL_MAX_CONNS], "status\n", 7), 7);
	serve(ctl, 4, CONTROL_READ_MS);
	reply(fd[CONTROL_MAX_CONNS], buf, sizeof(buf));
	assert_non_null(strstr(buf, "ok\n"));
	control_get_stats(ctl, &st);
	assert_true(st.timed_out == CONTROL_MAX_CONNS && calls == 1);
	for (i = 0; i < CONTROL_MAX_CONNS; i++) {
		assert_int_equal(read(fd[i], buf, sizeof(buf)), 0);
		close(fd[i]);
	}
	close(fd[CONTROL_MAX_CONNS]);
	control_close(ctl);
	th_rmtree(dir);
	free(dir);
}

/* What list --json and status --json print of a string: valid JSON. */
static void
json_strings_escaped(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} cases[] = {
		{ "", "\"\"" },
		{ "/var/lib/spagate", "\"/var/lib/spagate\"" },
		{ "a\"b", "\"a\\\"b\"" },
		{ "C:\\x\\", "\"C:\\\\x\\\\\"" },
		{ "\"\"\\\"", "\"\\\"\\\"\\\\\\\"\"" },
		{ "l1\nl2\r\t", "\"l1\\u000al2\\u000d\\u0009\"" },
		{ "\x01\x1f \x7f", "\"\\u0001\\u001f \x7f\"" },
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
	};
	char *text = NULL;
	size_t i, len = 0;
	FILE *fp;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_non_null(fp = open_memstream(&text, &len));
		control_json_str(fp, cases[i].in, strlen(cases[i].in));
		fclose(fp);
		assert_string_equal(text, cases[i].out);
		free(text);
		text = NULL;
	}
	/* n bytes, or up to a NUL */
	assert_non_null(fp = open_memstream(&text, &len));
	control_json_str(fp, "ab\"cd", 3);
	control_json_str(fp, "x\0y", 3);
	fclose(fp);
	assert_string_equal(text, "\"ab\\\"\"\"x\"");
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(requests_parse),
		cmocka_unit_test(json_strings_escaped),
		cmocka_unit_test(bad_requests_refused),
		cmocka_unit_test(too_long_refused),
		cmocka_unit_test(server_answers_and_refuses),
		cmocka_unit_test(silent_clients_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
