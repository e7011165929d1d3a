/*
 * libFuzzer: command splitting and templates (executor/subst.c).  The first
 * byte picks what the rest is:
 *   0  an SPA command request, through cmd_split (outside bytes)
 *   1  an access.conf command template, "<template>\0<user>", parsed in
 *      argv mode and expanded with <user> as $USER
 *   2  the same in shell mode
 *   3  a raw cmd_argv buffer (argc = second byte), through cmd_argv_relink
 * Every vector that comes out must hold argc NUL-terminated strings inside
 * buf, survive a copy and relink, and format without overrunning.  In
 * shell mode the script (argv[2]) must not depend on any value: the same
 * template expanded for another, hostile, user gives the same script.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "access_int.h"
#include "subst.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct stanza *
test_stanza(void)
{
	static const char text[] = "SOURCE 10.0.0.0/8, 192.0.2.0/24\n"
	    "KEY fuzz-key-1234\nHMAC_KEY fuzz-hmac-1234\n"
	    "OPEN_PORTS tcp/22, udp/53\nFW_ACCESS_TIMEOUT 45\n"
	    "REQUIRE_USERNAME alice\n";
	static struct access_conf *conf;
	struct access_error err;

	if (conf == NULL && access_load_buffer("f.conf", text, strlen(text),
	    &conf, &err) != 0)
		abort();
	return conf->stanzas[0];
}

static void
check_argv(const struct cmd_argv *a)
{
	static const char *const sudo[] = { "/usr/bin/sudo", "-n", "--", NULL };
	struct cmd_argv copy, b;
	char line[512];
	size_t i;

	if (a->argc > CMD_MAX_ARGS || a->argv[a->argc] != NULL)
		abort();
	for (i = 0; i < a->argc; i++)
		if (a->argv[i] < a->buf ||
		    a->argv[i] + strlen(a->argv[i]) >= a->buf + sizeof(a->buf))
			abort();
	memcpy(&copy, a, sizeof(copy));
	if (cmd_argv_relink(&copy) != 0)
		abort();
	for (i = 0; i < a->argc; i++)
		if (strcmp(copy.argv[i], a->argv[i]) != 0)
			abort();
	if (cmd_argv_format(a, line, sizeof(line)) >= sizeof(line))
		abort();
	if (cmd_argv_from(&b, sudo, a) == 0 && b.argc != a->argc + 3)
		abort();
}

/* /bin/sh -c script sh value...: one argument per parameter. */
static void
check_shell(const struct cmd_template *t, const struct subst_vars *v,
    const struct cmd_argv *a)
{
	struct spa_event other = *v->ev;
	struct subst_vars ov = { &other, v->st, v->port };
	struct cmd_argv b;

	if (a->argc != 4 + t->nparams || strcmp(a->argv[0], "/bin/sh") != 0 ||
	    strcmp(a->argv[1], "-c") != 0 || strcmp(a->argv[3], "sh") != 0)
		abort();
	snprintf(other.user, sizeof(other.user), "%s", "'\"$(x)`x`${1}");
	if (cmd_template_expand(t, &ov, &b) == 0 &&
	    strcmp(a->argv[2], b.argv[2]) != 0)
		abort();
}

static void
fuzz_template(const char *text, size_t size, bool shell)
{
	const struct stanza *st = test_stanza();
	struct spa_event ev;
	struct subst_vars v = { &ev, st, 0 };
	struct cmd_template t;
	struct cmd_argv a;
	char why[256];
	size_t n = strnlen(text, size);

	memset(&ev, 0, sizeof(ev));
	ev.stanza = 1;
	ev.nports = 1;
	ev.ports[0].proto = 6;
	ev.ports[0].port = 22;
	if (n + 1 < size)
		memcpy(ev.user, text + n + 1, size - n - 1 < SPA_USER_MAX ?
		    size - n - 1 : SPA_USER_MAX);
	if (cmd_template_parse(text, shell, st, &t, why, sizeof(why)) != 0)
		return;
	if (cmd_template_expand(&t, &v, &a) == 0) {
		check_argv(&a);
		if (shell)
			check_shell(&t, &v, &a);
		else if (a.argc != t.nwords)
			abort();
	}
	cmd_template_free(&t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmd_argv a;
	char *s;

	if (size < 2 || size > 2 * CMD_MAX_LEN)
		return 0;
	if (data[0] % 4 == 3) {
		memset(&a, 0, sizeof(a));
		a.argc = data[1];
		memcpy(a.buf, data + 2, size - 2 < sizeof(a.buf) ?
		    size - 2 : sizeof(a.buf));
		if (cmd_argv_relink(&a) == 0)
			check_argv(&a);
		return 0;
	}
	if ((s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	if (data[0] % 4 == 0) {
		if (cmd_split(s, &a) == 0)
			check_argv(&a);
	} else
		fuzz_template(s, size - 1, data[0] % 4 == 2);
	free(s);
	return 0;
}
