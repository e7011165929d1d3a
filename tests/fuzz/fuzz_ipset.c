/*
 * libFuzzer: the ipset module's command reader (modules/ipset/ipset_parse.c).
 * The input is the words after "ipset", separated by NUL bytes.  A
 * refusal must come with a reason; an accepted line must hold only
 * values the kernel may be sent, fit-check against every set type
 * without overrunning, and read back to the same operation from its own
 * formatted text (when its set name and comment need no quoting).
 */
#include "config.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "ipset_parse.h"
#include "subst.h"

#define WORDS_MAX	CMD_MAX_ARGS
#define INPUT_MAX	4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_values(const struct ipset_op *op)
{
	size_t host = op->ip.family == AF_INET ? 32 : 128;

	if (op->cmd < IPSET_OP_ADD || op->cmd > IPSET_OP_TEST ||
	    op->set[0] == '\0' || strlen(op->set) > IPSET_OP_NAME_MAX ||
	    (op->ip.family != AF_INET && op->ip.family != AF_INET6) ||
	    op->prefix > host ||
	    (op->has_port && (op->port == 0 || (op->proto != IPPROTO_TCP &&
	    op->proto != IPPROTO_UDP))) ||
	    (op->has_ip2 && op->ip2.family != op->ip.family) ||
	    op->timeout > IPSET_OP_TIMEOUT_MAX ||
	    strlen(op->comment) > IPSET_OP_COMMENT_MAX ||
	    ((op->has_timeout || op->has_comment) && op->cmd != IPSET_OP_ADD))
		abort();
}

static void
check_fits(const struct ipset_op *op)
{
	static const char *const types[] = { "hash:ip", "hash:ip,port",
	    "hash:net", "hash:net,port", "hash:ip,port,ip", "list:set", "" };
	char why[64];
	size_t i;
	int r;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		why[0] = '\0';
		r = ipset_op_fits(op, types[i], op->ip.family, why, sizeof(why));
		if ((r != 0 && (r != SPA_ERR_ARG || why[0] == '\0')) ||
		    strlen(why) >= sizeof(why))
			abort();
	}
}

/* Formatted, split like a command line, and read again: the same op. */
static void
check_round_trip(const struct ipset_op *op)
{
	struct cmd_argv words;
	struct ipset_op back;
	char line[1024], why[256];

	if (strpbrk(op->set, " \t'\"\\") != NULL ||
	    strchr(op->comment, '\\') != NULL)
		return;
	memcpy(line, "ipset ", 6);
	ipset_op_format(op, line + 6, sizeof(line) - 6);
	if (cmd_split(line, &words) != 0 ||
	    ipset_op_parse(words.argc, words.argv, &back, why,
	    sizeof(why)) != 0 || memcmp(&back, op, sizeof(back)) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[INPUT_MAX + 1], program[] = "ipset";
	char *argv[WORDS_MAX + 1], why[256];
	struct ipset_op op;
	size_t argc = 0, i;

	if (size > INPUT_MAX)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = program;
	for (i = 0; i <= size && argc < WORDS_MAX; i += strlen(buf + i) + 1)
		argv[argc++] = buf + i;
	argv[argc] = NULL;
	why[0] = '\0';
	if (ipset_op_parse(argc, argv, &op, why, sizeof(why)) != 0) {
		if (why[0] == '\0' || strlen(why) >= sizeof(why))
			abort();
		return 0;
	}
	check_values(&op);
	check_fits(&op);
	check_round_trip(&op);
	return 0;
}
