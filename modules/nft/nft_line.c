/* The nft module's element commands: see nft_line.h. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "nft_line.h"

#define ARG_FIRST_ELEM	7	/* nft CMD element FAMILY TABLE SET { */

static const char *const families[] = {
	"ip", "ip6", "inet", "bridge", "arp", "netdev", NULL,
};

static int __attribute__((format(printf, 3, 4)))
refuse(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return SPA_ERR_ARG;
}

bool
nft_line_is_nft(const char *program)
{
	size_t n = strlen(program);

	return strcmp(program, "nft") == 0 ||
	    (n >= 4 && strcmp(program + n - 4, "/nft") == 0);
}

static int
read_cmd(const char *w, enum nft_line_cmd *cmd)
{
	if (strcmp(w, "add") == 0)
		*cmd = NFT_LINE_ADD;
	else if (strcmp(w, "create") == 0)
		*cmd = NFT_LINE_CREATE;
	else if (strcmp(w, "delete") == 0)
		*cmd = NFT_LINE_DELETE;
	else
		return -1;
	return 0;
}

static bool
is_family(const char *w)
{
	size_t i;

	for (i = 0; families[i] != NULL; i++)
		if (strcmp(w, families[i]) == 0)
			return true;
	return false;
}

/*
 * The length of `w` if every byte is a letter, a digit or one of
 * `extra`, else 0.  Not strspn(): glibc builds a table of the accepted
 * set on every call, and each grant's line has a dozen words.
 */
static size_t
word_len(const char *w, const char *extra)
{
	size_t n;
	char c;

	for (n = 0; (c = w[n]) != '\0'; n++)
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr(extra, c) != NULL))
			return 0;
	return n;
}

static bool
is_name(const char *w)
{
	size_t n = word_len(w, "_.-");

	return n > 0 && n <= NFT_LINE_NAME_MAX &&
	    strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_",
	    w[0]) != NULL;
}

/* The strict set for the words inside the braces. */
static bool
is_elem_word(const char *w)
{
	return word_len(w, "._:/-") > 0;
}

int64_t
nft_line_seconds(const char *w)
{
	int64_t total = 0, v;
	const char *p = w;

	if (*p == '\0')
		return -1;
	while (*p != '\0') {
		if (*p < '0' || *p > '9')
			return -1;
		for (v = 0; *p >= '0' && *p <= '9'; p++)
			if ((v = v * 10 + (*p - '0')) > INT32_MAX)
				return -1;
		switch (*p) {
		case 'd': v *= 86400; p++; break;
		case 'h': v *= 3600; p++; break;
		case 'm': v *= 60; p++; break;	/* "ms" fails below */
		case 's': p++; break;
		case '\0': if (p != w + strspn(w, "0123456789")) return -1;
			break;
		default: return -1;
		}
		if ((total += v) > INT32_MAX)
			return -1;
	}
	return total;
}

int64_t
nft_line_cover(int64_t close_at, int64_t now)
{
	int64_t left = close_at - now;

	if (close_at == 0 || left <= 0)
		return 0;
	return left > NFT_LINE_TIMEOUT_MAX ? NFT_LINE_TIMEOUT_MAX : left;
}

/* The element's words: the strict set, one element, one timeout. */
static int
check_elem(size_t argc, char *const *argv, struct nft_line *line,
    char *why, size_t whylen)
{
	size_t i;

	if (argc <= ARG_FIRST_ELEM || strcmp(argv[ARG_FIRST_ELEM - 1], "{") != 0)
		return refuse(why, whylen, "expected '{' as a word of its own "
		    "after the set's name");
	if (strcmp(argv[argc - 1], "}") != 0)
		return refuse(why, whylen, "expected '}' as the last word");
	if (argc == ARG_FIRST_ELEM + 1)
		return refuse(why, whylen, "no element between '{' and '}'");
	for (i = ARG_FIRST_ELEM; i < argc - 1; i++) {
		if (!is_elem_word(argv[i]))
			return refuse(why, whylen, "'%.64s' in the element: only "
			    "letters, digits and . : / _ - may be (one "
			    "element, one command)", argv[i]);
		if (strcmp(argv[i], "timeout") != 0)
			continue;
		if (line->has_timeout || i + 2 >= argc ||
		    (line->timeout_s = nft_line_seconds(argv[i + 1])) < 0)
			return refuse(why, whylen, "timeout: expected one time "
			    "in seconds, minutes, hours or days (30s, 1h30m)");
		if (line->cmd == NFT_LINE_DELETE)
			return refuse(why, whylen, "timeout: a delete has none");
		line->has_timeout = true;
	}
	return 0;
}

/* `w` (n bytes) at line->text + *off, after a space unless first. */
static int
append(struct nft_line *line, size_t *off, const char *w, size_t n)
{
	size_t sep = *off > 0;

	if (n + sep >= sizeof(line->text) - *off)
		return -1;
	line->text[*off] = ' ';
	memcpy(line->text + *off + sep, w, n);
	*off += sep + n;
	line->text[*off] = '\0';
	return 0;
}

/* The words joined by single spaces; the timeout raised to `min`. */
static int
rebuild(size_t argc, char *const *argv, int64_t min, struct nft_line *line,
    char *why, size_t whylen)
{
	char raised[24];
	const char *w;
	size_t i, off = 0;

	for (i = 1; i < argc; i++) {
		w = argv[i];
		/* inside the braces only: a set may be named "timeout" */
		if (i > ARG_FIRST_ELEM && strcmp(argv[i - 1], "timeout") == 0 &&
		    min > line->timeout_s) {
			line->timeout_s = min > NFT_LINE_TIMEOUT_MAX ?
			    NFT_LINE_TIMEOUT_MAX : min;
			snprintf(raised, sizeof(raised), "%" PRId64 "s",
			    line->timeout_s);
			w = raised;
		}
		if (append(line, &off, w, strlen(w)) != 0)
			return refuse(why, whylen, "the line is too long");
	}
	return 0;
}

int
nft_line_parse(size_t argc, char *const *argv, int64_t min_timeout_s,
    struct nft_line *line, char *why, size_t whylen)
{
	/* not the text's 4 KB: rebuild() writes it whole */
	line->cmd = 0;
	line->has_timeout = false;
	line->timeout_s = 0;
	line->text[0] = '\0';
	if (argc == 0 || !nft_line_is_nft(argv[0]))
		return refuse(why, whylen, "not an nft command");
	if (argc < 3 || read_cmd(argv[1], &line->cmd) != 0 ||
	    strcmp(argv[2], "element") != 0)
		return refuse(why, whylen, "only 'add element', 'create "
		    "element' and 'delete element' are run");
	if (argc < 4 || !is_family(argv[3]))
		return refuse(why, whylen, "expected a family (ip, ip6, inet, "
		    "bridge, arp, netdev) after 'element'");
	if (argc < 6 || !is_name(argv[4]) || !is_name(argv[5]))
		return refuse(why, whylen, "expected a table and a set named "
		    "with letters, digits and _ . - after the family");
	if (check_elem(argc, argv, line, why, whylen) != 0)
		return SPA_ERR_ARG;
	return rebuild(argc, argv, min_timeout_s, line, why, whylen);
}

/* The strings of `parts` (NULL-terminated) into buf: 0, or -1. */
static int
concat(char *buf, size_t len, const char *const *parts)
{
	size_t off = 0, n;

	for (; *parts != NULL; parts++) {
		n = strlen(*parts);
		if (n >= len - off)
			return -1;
		memcpy(buf + off, *parts, n);
		off += n;
	}
	buf[off] = '\0';
	return 0;
}

int
nft_elem_create(char *buf, size_t len, const char *elem)
{
	return concat(buf, len, (const char *const []){ "create element ",
	    elem, NULL });
}

int
nft_elem_refresh(char *buf, size_t len, const char *elem, const char *key)
{
	return concat(buf, len, (const char *const []){ "add element ", elem,
	    "\ndelete element ", key, "\nadd element ", elem, NULL });
}

int
nft_elem_key(char *buf, size_t len, const char *elem)
{
	const char *open = strchr(elem, '{'), *t;
	size_t head, skip;

	if (open == NULL || (t = strstr(open, " timeout ")) == NULL)
		return concat(buf, len, (const char *const []){ elem, NULL });
	head = (size_t)(t - elem);
	skip = strlen(" timeout ");
	skip += strcspn(t + skip, " ");	/* and its time */
	if (head >= len || strlen(t + skip) >= len - head)
		return -1;
	memcpy(buf, elem, head);
	memcpy(buf + head, t + skip, strlen(t + skip) + 1);
	return 0;
}
