/* The native path's encoder: see nft_enc.h. */
#include "config.h"

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <string.h>

#include "nft_enc.h"

#define TYPE_BITS	6
/* Set flags whose elements are more than a key (or made by nft only). */
#define TEXT_FLAGS	(NFT_SET_ANONYMOUS | NFT_SET_CONSTANT | \
	NFT_SET_INTERVAL | NFT_SET_MAP | NFT_SET_OBJECT | NFT_SET_CONCAT | \
	NFT_SET_EXPR)
#define WORDS_MAX	(8 + 2 * NFT_ENC_FIELDS_MAX + 2)

static const struct {
	const char	*name;
	uint8_t		 nfproto;
} families[] = {
	{ "ip", NFPROTO_IPV4 }, { "ip6", NFPROTO_IPV6 },
	{ "inet", NFPROTO_INET }, { "bridge", NFPROTO_BRIDGE },
	{ "arp", NFPROTO_ARP }, { "netdev", NFPROTO_NETDEV },
};

/* A field's bytes before padding; 0 for a type the encoder does not know. */
static uint8_t
raw_size(uint8_t type)
{
	switch (type) {
	case NFT_ENC_IPV4: return 4;
	case NFT_ENC_IPV6: return 16;
	case NFT_ENC_PROTO: return 1;
	case NFT_ENC_SERVICE: return 2;
	default: return 0;
	}
}

int
nft_enc_type_read(uint32_t key_type, uint32_t key_len, uint32_t flags,
    struct nft_enc_type *t)
{
	uint8_t rev[NFT_ENC_FIELDS_MAX + 1], n = 0, i;
	uint32_t sum = 0;

	memset(t, 0, sizeof(*t));
	if ((flags & TEXT_FLAGS) != 0 || key_type == 0)
		return -1;
	/* the last field in the lowest bits */
	for (; key_type != 0 && n <= NFT_ENC_FIELDS_MAX; key_type >>= TYPE_BITS)
		rev[n++] = key_type & ((1u << TYPE_BITS) - 1);
	if (n > NFT_ENC_FIELDS_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		t->type[i] = rev[n - 1 - i];
		if ((t->size[i] = raw_size(t->type[i])) == 0)
			return -1;
		if (n > 1)	/* concatenated: 32-bit registers */
			t->size[i] = (t->size[i] + 3) & ~3u;
		sum += t->size[i];
	}
	if (sum != key_len)
		return -1;
	t->nfields = n;
	t->key_len = key_len;
	t->timeout = (flags & NFT_SET_TIMEOUT) != 0;
	return 0;
}

/* The line's words, split at single spaces into `w`: how many, or -1. */
static int
split(char *s, char **w)
{
	int n = 0;
	char *p;

	for (p = s; ; p++) {
		if (*p != ' ' && *p != '\0')
			continue;
		if (p == s || n == WORDS_MAX)
			return -1;
		w[n++] = s;
		if (*p == '\0')
			return n;
		*p = '\0';
		s = p + 1;
	}
}

static int
read_head(char **w, int n, struct nft_enc_cmd *c)
{
	size_t i;

	if (n < 7 || strcmp(w[1], "element") != 0 || strcmp(w[5], "{") != 0 ||
	    strcmp(w[n - 1], "}") != 0)
		return -1;
	if (strcmp(w[0], "add") == 0)
		c->cmd = NFT_LINE_ADD;
	else if (strcmp(w[0], "create") == 0)
		c->cmd = NFT_LINE_CREATE;
	else if (strcmp(w[0], "delete") == 0)
		c->cmd = NFT_LINE_DELETE;
	else
		return -1;
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (strcmp(w[2], families[i].name) == 0)
			c->family = families[i].nfproto;
	if (c->family == 0 || strlen(w[3]) > NFT_LINE_NAME_MAX ||
	    strlen(w[4]) > NFT_LINE_NAME_MAX)
		return -1;
	strcpy(c->table, w[3]);
	strcpy(c->set, w[4]);
	return 0;
}

/* "K1 . K2 ... [timeout T]" between the braces (w[6] to w[n - 2]). */
static int
read_elem(char **w, int n, struct nft_enc_cmd *c)
{
	int i = 6, end = n - 1;
	int64_t s;

	if (end - i >= 3 && strcmp(w[end - 2], "timeout") == 0) {
		if ((s = nft_line_seconds(w[end - 1])) < 0 ||
		    c->cmd == NFT_LINE_DELETE)
			return -1;
		c->has_timeout = true;
		c->timeout_ms = (uint64_t)s * 1000;
		end -= 2;
	}
	for (; i < end; i += 2) {
		if (c->nfields == NFT_ENC_FIELDS_MAX ||
		    strlen(w[i]) >= NFT_ENC_WORD_MAX ||
		    (i + 1 < end && strcmp(w[i + 1], ".") != 0))
			return -1;
		strcpy(c->field[c->nfields++], w[i]);
	}
	return c->nfields > 0 && i == end + 1 ? 0 : -1;
}

int
nft_enc_read(const char *line, size_t len, struct nft_enc_cmd *c)
{
	char copy[CMD_MAX_LEN], *w[WORDS_MAX];
	int n;

	memset(c, 0, sizeof(*c));
	if (len >= sizeof(copy))
		return -1;
	memcpy(copy, line, len);
	copy[len] = '\0';
	if ((n = split(copy, w)) < 0 || read_head(w, n, c) != 0)
		return -1;
	return read_elem(w, n, c);
}

/* A decimal without a leading zero (nft reads "022" as octal), at most max. */
static int
decimal(const char *w, unsigned long max, unsigned long *v)
{
	size_t n = strlen(w);

	if (n == 0 || n > 5 || strspn(w, "0123456789") != n ||
	    (w[0] == '0' && n > 1))
		return -1;
	for (*v = 0; *w != '\0'; w++)
		*v = *v * 10 + (unsigned long)(*w - '0');
	return *v <= max ? 0 : -1;
}

static int
enc_proto(const char *w, uint8_t *out)
{
	unsigned long v;

	if (strcmp(w, "tcp") == 0)
		v = 6;
	else if (strcmp(w, "udp") == 0)
		v = 17;
	else if (strcmp(w, "icmp") == 0)
		v = 1;
	else if (decimal(w, 255, &v) != 0)
		return -1;
	out[0] = (uint8_t)v;
	return 0;
}

static int
enc_field(uint8_t type, const char *w, uint8_t *out)
{
	unsigned long v;

	switch (type) {
	case NFT_ENC_IPV4:
		return inet_pton(AF_INET, w, out) == 1 ? 0 : -1;
	case NFT_ENC_IPV6:
		return inet_pton(AF_INET6, w, out) == 1 ? 0 : -1;
	case NFT_ENC_PROTO:
		return enc_proto(w, out);
	case NFT_ENC_SERVICE:
		if (decimal(w, 65535, &v) != 0)
			return -1;
		out[0] = (uint8_t)(v >> 8);	/* network byte order */
		out[1] = (uint8_t)v;
		return 0;
	default:
		return -1;
	}
}

int
nft_enc_key(const struct nft_enc_type *t, const struct nft_enc_cmd *c,
    uint8_t key[NFT_ENC_KEY_MAX])
{
	size_t off = 0;
	uint8_t i;

	memset(key, 0, NFT_ENC_KEY_MAX);
	if (c->nfields != t->nfields || (c->has_timeout && !t->timeout) ||
	    t->key_len > NFT_ENC_KEY_MAX)
		return -1;
	for (i = 0; i < t->nfields; i++) {
		if (enc_field(t->type[i], c->field[i], key + off) != 0)
			return -1;
		off += t->size[i];
	}
	return 0;
}
