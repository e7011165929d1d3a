/*
 * libFuzzer: the nft module's line reader (modules/nft/nft_line.c) and
 * the error-text reader of its transactions (nft_batch.c), and the native
 * path's encoder of an accepted line (nft_enc.c) for a set type taken
 * from the input's length: an element it encodes must be the line's
 * command, with as many fields as the type; a refresh's key
 * (nft_elem_key) must be the element without its timeout.  The input is
 * the words after "nft", separated by NUL bytes.  A refusal must come
 * with a reason; an accepted line must be one element command whose
 * text holds no byte that could start another command or leave the
 * braces: no newline, ';', '#', quote, '$', '@', and '{' and '}' once.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nft_batch.h"
#include "nft_enc.h"
#include "nft_line.h"
#include "subst.h"

#define WORDS_MAX	CMD_MAX_ARGS
#define INPUT_MAX	4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const struct nft_line *line)
{
	const char *t = line->text, *open = strchr(t, '{');
	size_t n = strlen(t);

	if (n == 0 || n >= sizeof(line->text) ||
	    strpbrk(t, "\n\r;#'\"$@\\,") != NULL || open == NULL ||
	    strchr(open + 1, '{') != NULL || strchr(t, '}') != t + n - 1 ||
	    (strncmp(t, "add element ", 12) != 0 &&
	    strncmp(t, "create element ", 15) != 0 &&
	    strncmp(t, "delete element ", 15) != 0) ||
	    line->timeout_s < 0 || line->timeout_s > INT32_MAX ||
	    (line->has_timeout && line->cmd == NFT_LINE_DELETE))
		abort();
}

/* A refresh's key: the element without its timeout, braces kept. */
static void
check_key(const struct nft_line *line)
{
	static char key[sizeof(line->text)];
	const char *elem = line->text + strcspn(line->text, " ") + 1;
	size_t n;

	elem += strcspn(elem, " ") + 1;		/* after "CMD element " */
	if (nft_elem_key(key, sizeof(key), elem) != 0)
		abort();
	n = strlen(key);
	/* a table or a set may be named "timeout": the braces only */
	if ((line->has_timeout && strstr(strchr(key, '{'), " timeout ") !=
	    NULL) ||
	    (!line->has_timeout && strcmp(key, elem) != 0) ||
	    n < 2 || strcmp(key + n - 2, " }") != 0)
		abort();
}

static void
check_enc(const struct nft_line *line, size_t pick)
{
	static const uint32_t types[][2] = {
		{ 7 << 12 | 12 << 6 | 13, 12 }, { 8 << 12 | 12 << 6 | 13, 24 },
		{ 7, 4 }, { 8, 16 }, { 12, 1 }, { 13, 2 }, { 13 << 6 | 7, 8 },
	};
	const uint32_t *ty = types[pick % (sizeof(types) / sizeof(types[0]))];
	uint8_t key[NFT_ENC_KEY_MAX];
	struct nft_enc_type t;
	struct nft_enc_cmd c;

	if (nft_enc_type_read(ty[0], ty[1], 0x10, &t) != 0)
		abort();
	if (nft_enc_read(line->text, strlen(line->text), &c) != 0 ||
	    nft_enc_key(&t, &c, key) != 0)
		return;
	if (c.cmd != line->cmd || c.nfields != t.nfields ||
	    c.has_timeout != line->has_timeout)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[INPUT_MAX + 1], program[] = "nft";
	static struct nft_line line;
	char *argv[WORDS_MAX + 1], why[256], err[NFT_ERR_MAX];
	size_t argc = 0, i;

	if (size > INPUT_MAX)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	nft_batch_first_error(buf, err, sizeof(err));
	if (strlen(err) >= sizeof(err) || strchr(err, '\n') != NULL)
		abort();
	argv[argc++] = program;
	for (i = 0; i <= size && argc < WORDS_MAX; i += strlen(buf + i) + 1)
		argv[argc++] = buf + i;
	argv[argc] = NULL;
	why[0] = '\0';
	if (nft_line_parse(argc, argv, size % 100000, &line, why,
	    sizeof(why)) != 0) {
		if (why[0] == '\0' || strlen(why) >= sizeof(why))
			abort();
		return 0;
	}
	check_text(&line);
	check_key(&line);
	check_enc(&line, size);
	return 0;
}
