/*
 * The nft path's native encoder and its netlink batches (nft_enc.c,
 * nft_nl.c) against a fake nf_tables (fake_nfnl.c): the bytes of every
 * type the encoder knows, alone and concatenated (padding, byte order),
 * each shape that goes the text way instead, one message for a run of
 * elements of one set and command, errors that fail their own unit
 * only (a message of several split first), and the cache of set types
 * bound to the ruleset's generation: a set made again with another type
 * of the same length between two grants gets the second grant's element
 * right.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_nfnl.h"
#include "nft_batch.h"
#include "nft_enc.h"
#include "nft_line.h"
#include "nft_nl.h"

#define T2(a, b)	((a) << 6 | (b))
#define T3(a, b, c)	((a) << 12 | (b) << 6 | (c))
#define V4_PROTO_PORT	T3(NFT_ENC_IPV4, NFT_ENC_PROTO, NFT_ENC_SERVICE)

/* The key of `line` for a set of `key_type`: its bytes as hex, or "text". */
static const char *
key_of(uint32_t key_type, uint32_t key_len, uint32_t flags, const char *line)
{
	static char hex[2 * NFT_ENC_KEY_MAX + 1];
	uint8_t key[NFT_ENC_KEY_MAX];
	struct nft_enc_type t;
	struct nft_enc_cmd c;
	uint32_t i;

	if (nft_enc_type_read(key_type, key_len, flags, &t) != 0 ||
	    nft_enc_read(line, strlen(line), &c) != 0 ||
	    nft_enc_key(&t, &c, key) != 0)
		return "text";
	for (i = 0; i < t.key_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	return hex;
}

static void
encodes_each_type(void **state)
{
	(void)state;
	assert_string_equal(key_of(NFT_ENC_IPV4, 4, 0,
	    "add element ip t s { 192.0.2.1 }"), "c0000201");
	assert_string_equal(key_of(NFT_ENC_IPV6, 16, 0,
	    "add element ip6 t s { 2001:db8::1 }"),
	    "20010db8000000000000000000000001");
	assert_string_equal(key_of(NFT_ENC_PROTO, 1, 0,
	    "add element inet t s { tcp }"), "06");
	assert_string_equal(key_of(NFT_ENC_PROTO, 1, 0,
	    "add element inet t s { udp }"), "11");
	assert_string_equal(key_of(NFT_ENC_PROTO, 1, 0,
	    "add element inet t s { icmp }"), "01");
	assert_string_equal(key_of(NFT_ENC_PROTO, 1, 0,
	    "add element inet t s { 255 }"), "ff");
	/* a port in network byte order, alone not padded */
	assert_string_equal(key_of(NFT_ENC_SERVICE, 2, 0,
	    "add element inet t s { 22 }"), "0016");
	assert_string_equal(key_of(NFT_ENC_SERVICE, 2, 0,
	    "delete element inet t s { 65535 }"), "ffff");
	assert_string_equal(key_of(NFT_ENC_SERVICE, 2, 0,
	    "add element inet t s { 0 }"), "0000");
}

/* Each field of a concatenation in a 32-bit register, zero padded. */
static void
encodes_concatenations(void **state)
{
	(void)state;
	assert_string_equal(key_of(V4_PROTO_PORT, 12, NFT_SET_TIMEOUT,
	    "add element inet t s { 192.0.2.1 . tcp . 22 timeout 30s }"),
	    "c000020106000000" "00160000");
	assert_string_equal(key_of(V4_PROTO_PORT, 12, 0,
	    "create element inet t s { 10.0.0.1 . 17 . 8080 }"),
	    "0a00000111000000" "1f900000");
	assert_string_equal(key_of(T3(NFT_ENC_IPV6, NFT_ENC_PROTO,
	    NFT_ENC_SERVICE), 24, 0,
	    "add element inet t s { 2001:db8::2 . udp . 53 }"),
	    "20010db8000000000000000000000002" "1100000000350000");
	assert_string_equal(key_of(T2(NFT_ENC_SERVICE, NFT_ENC_IPV4), 8, 0,
	    "add element inet t s { 443 . 192.0.2.9 }"), "01bb0000c0000209");
}

/* A set's type the encoder does not take: its elements go as text. */
static void
other_sets_go_as_text(void **state)
{
	const char *l = "add element inet t s { 192.0.2.1 . tcp . 22 }";
	struct nft_enc_type t;

	(void)state;
	assert_int_equal(nft_enc_type_read(V4_PROTO_PORT, 12, 0, &t), 0);
	assert_int_equal(t.nfields, 3);
	assert_string_equal(key_of(V4_PROTO_PORT, 12, NFT_SET_MAP, l), "text");
	assert_string_equal(key_of(V4_PROTO_PORT, 12, NFT_SET_INTERVAL, l),
	    "text");
	assert_string_equal(key_of(V4_PROTO_PORT, 12, NFT_SET_OBJECT, l),
	    "text");
	assert_string_equal(key_of(V4_PROTO_PORT, 12, NFT_SET_CONCAT, l),
	    "text");
	/* unpadded lengths, or a length that is not the type's */
	assert_string_equal(key_of(V4_PROTO_PORT, 7, 0, l), "text");
	assert_string_equal(key_of(V4_PROTO_PORT, 16, 0, l), "text");
	/* ether_addr, integer (mark), no type, six fields */
	assert_string_equal(key_of(9, 6, 0, "add element inet t s { "
	    "02:00:00:00:00:01 }"), "text");
	assert_string_equal(key_of(T2(NFT_ENC_IPV4, 4), 8, 0,
	    "add element inet t s { 192.0.2.1 . 7 }"), "text");
	assert_int_equal(nft_enc_type_read(0, 4, 0, &t), -1);
	assert_int_equal(nft_enc_type_read(1u << 30 | T3(7u, 7, 7) << 12 |
	    T2(7, 7), 20, 0, &t), -1);
}

/* Words the encoder would read differently from nft: text. */
static void
other_words_go_as_text(void **state)
{
	static const char *const lines[] = {
		"add element inet t s { 192.0.2.1 . tcp . ssh }",
		"add element inet t s { 192.0.2.1 . tcp . 022 }",
		"add element inet t s { 192.0.2.1 . tcp . 0x16 }",
		"add element inet t s { 192.0.2.1 . tcp . 65536 }",
		"add element inet t s { 192.0.2.1 . tcp . 1000-2000 }",
		"add element inet t s { 192.0.2.1 . 256 . 22 }",
		"add element inet t s { 192.0.2.1 . 06 . 22 }",
		"add element inet t s { 192.0.2.1 . sctp . 22 }",
		"add element inet t s { 10.0.0.0/8 . tcp . 22 }",
		"add element inet t s { host.example . tcp . 22 }",
		"add element inet t s { ::1 . tcp . 22 }",
		"add element inet t s { 192.0.2.1 . tcp }",
		"add element inet t s { 192.0.2.1 . tcp . 22 . 1 }",
		"add element inet t s { 192.0.2.1 tcp . 22 }",
		"add element inet t s { 192.0.2.1 . tcp . 22 . }",
		"add element inet t s { 192.0.2.1 . tcp . 22 : 10.0.0.5 }",
		"add element inet t s { 192.0.2.1 . tcp . 22 timeout 1ms }",
		"add element inet t s { 192.0.2.1 . tcp . 22 timeout }",
		"add element inet t s { 192.0.2.1 . tcp . 22 expires 3s }",
		"delete element inet t s { 192.0.2.1 . tcp . 22 timeout 3s }",
		"add element ip4 t s { 192.0.2.1 . tcp . 22 }",
		"get element inet t s { 192.0.2.1 . tcp . 22 }",
		"add element inet t s 192.0.2.1 . tcp . 22",
		"add element inet t s {  192.0.2.1 . tcp . 22 }",
		"add element inet t s { }",
		"add rule inet t s { 192.0.2.1 . tcp . 22 }",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (strcmp(key_of(V4_PROTO_PORT, 12, NFT_SET_TIMEOUT, lines[i]),
		    "text") != 0)
			fail_msg("encoded: %s", lines[i]);
	/* a timeout for a set without the flag: nft says why */
	assert_string_equal(key_of(V4_PROTO_PORT, 12, 0, "add element inet t "
	    "s { 192.0.2.1 . tcp . 22 timeout 3s }"), "text");
}

static void
reads_the_command(void **state)
{
	const char *l = "create element ip6 spagate allow6 { ::1 timeout 1h30m }";
	struct nft_enc_cmd c;

	(void)state;
	assert_int_equal(nft_enc_read(l, strlen(l), &c), 0);
	assert_int_equal(c.cmd, NFT_LINE_CREATE);
	assert_int_equal(c.family, NFPROTO_IPV6);
	assert_string_equal(c.table, "spagate");
	assert_string_equal(c.set, "allow6");
	assert_true(c.has_timeout);
	assert_int_equal(c.timeout_ms, 5400000);
	/* one line of several: its length says where it ends */
	assert_int_equal(nft_enc_read("delete element inet t s { 22 }\nadd",
	    30, &c), 0);
	assert_int_equal(c.cmd, NFT_LINE_DELETE);
	assert_false(c.has_timeout);
}

/* --- the batches, against the fake kernel ------------------------------ */

struct fixture {
	struct fake_nfnl k;
	struct nft_nl_io io;
	struct nft_nl	*nl;
	struct nft_unit	 u[16];
	size_t		 nu;
	char		*own[32];	/* the units' strings */
	size_t		 nown;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->k.gen = 100;
	f->k.poison = -1;
	fake_nfnl_set(&f->k, NFPROTO_INET, "spagate", "allow", V4_PROTO_PORT,
	    12, NFT_SET_TIMEOUT);
	f->io = fake_nfnl_io(&f->k);
	f->nl = nft_nl_new(&f->io);
	assert_non_null(f->nl);
	*state = f;
	return 0;
}

static void
clear_units(struct fixture *f)
{
	size_t i;

	for (i = 0; i < f->nown; i++)
		free(f->own[i]);
	f->nown = 0;
	memset(f->u, 0, sizeof(f->u));
	f->nu = 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	clear_units(f);
	nft_nl_free(f->nl);
	free(f);
	return 0;
}

static struct nft_unit *
unit(struct fixture *f, const char *text, const char *refresh)
{
	struct nft_unit *u = &f->u[f->nu];

	u->job = ++f->nu;
	u->text = f->own[f->nown++] = strdup(text);
	u->refresh = refresh != NULL ? f->own[f->nown++] = strdup(refresh) :
	    NULL;
	u->is_delete = strncmp(text, "delete", 6) == 0;
	return u;
}

/* The element of set `s` whose key is `hex`; NULL if none. */
static const struct fk_elem *
elem(const struct fk_set *s, const char *hex)
{
	char h[2 * NFT_ENC_KEY_MAX + 1];
	size_t i, j;

	for (i = 0; i < s->nel; i++) {
		for (j = 0; j < s->el[i].len; j++)
			snprintf(h + 2 * j, 3, "%02x", s->el[i].key[j]);
		if (strcmp(h, hex) == 0)
			return &s->el[i];
	}
	return NULL;
}

static void
one_batch_per_pass(void **state)
{
	struct fixture *f = *state;
	const struct fk_elem *e;

	unit(f, "create element inet spagate allow { 192.0.2.1 . tcp . 22 "
	    "timeout 30s }", "add element inet spagate allow { 192.0.2.1 . "
	    "tcp . 22 timeout 30s }");
	unit(f, "add element inet spagate allow { 192.0.2.2 . udp . 53 }",
	    NULL);
	assert_int_equal(nft_nl_run(f->nl, f->u, f->nu), 1);
	assert_int_equal(f->k.batches, 1);
	assert_int_equal(f->u[0].outcome, NFT_DONE);
	assert_int_equal(f->u[1].outcome, NFT_DONE);
	assert_non_null(e = elem(&f->k.sets[0], "c000020106000000" "00160000"));
	assert_int_equal(e->timeout_ms, 30000);
	assert_non_null(e = elem(&f->k.sets[0], "c000020211000000" "00350000"));
	assert_int_equal(e->timeout_ms, 0);
	assert_int_equal(f->k.unchecked, 0);
}

/* What the encoder does not take is left for libnftables, per unit. */
static void
other_units_left_for_text(void **state)
{
	struct fixture *f = *state;

	fake_nfnl_set(&f->k, NFPROTO_INET, "spagate", "nat", V4_PROTO_PORT,
	    12, NFT_SET_MAP);
	unit(f, "add element inet spagate allow { 192.0.2.1 . tcp . ssh }",
	    NULL);
	unit(f, "add element inet spagate nat { 192.0.2.1 . tcp . 22 : "
	    "10.0.0.1 }", NULL);
	unit(f, "add element inet spagate nat { 192.0.2.1 . tcp . 22 }", NULL);
	unit(f, "add element inet spagate gone { 192.0.2.1 . tcp . 22 }",
	    NULL);
	unit(f, "add element inet spagate allow { 192.0.2.3 . tcp . 22 }\n"
	    "add element inet spagate allow { 192.0.2.3 . tcp . http }", NULL);
	unit(f, "add element inet spagate allow { 192.0.2.4 . tcp . 22 }",
	    NULL);
	assert_int_equal(nft_nl_run(f->nl, f->u, f->nu), 1);
	assert_int_equal(f->u[0].outcome, NFT_PENDING);
	assert_int_equal(f->u[1].outcome, NFT_PENDING);
	assert_int_equal(f->u[2].outcome, NFT_PENDING);
	assert_int_equal(f->u[3].outcome, NFT_PENDING);
	assert_int_equal(f->u[4].outcome, NFT_PENDING);
	assert_int_equal(f->u[5].outcome, NFT_DONE);
	assert_int_equal(f->k.sets[0].nel, 1);
	/* nothing to encode: no batch */
	clear_units(f);
	unit(f, "add element inet spagate gone { 192.0.2.1 . tcp . 22 }",
	    NULL);
	assert_int_equal(nft_nl_run(f->nl, f->u, f->nu), 0);
	assert_int_equal(f->k.batches, 1);
}

/*
 * The elements of a run of units for the same set and command go as one
 * message: nf_tables parses a message's names and finds its set once.
 */
static void
one_message_per_run(void **state)
{
	struct fixture *f = *state;
	char line[128];
	size_t i;

	for (i = 0; i < 6; i++) {
		snprintf(line, sizeof(line), "%s element inet spagate allow { "
		    "10.0.0.%zu . tcp . 22%s }", i == 3 ? "create" : "add", i,
		    i < 4 ? " timeout 30s" : "");
		unit(f, line, NULL);
	}
	assert_int_equal(nft_nl_run(f->nl, f->u, f->nu), 1);
	/* add add add, create, add add */
	assert_int_equal(f->k.messages, 3);
	for (i = 0; i < 6; i++)
		assert_int_equal(f->u[i].outcome, NFT_DONE);
	assert_int_equal(f->k.sets[0].nel, 6);
	assert_non_null(elem(&f->k.sets[0], "0a00000206000000" "00160000"));
	assert_int_equal(elem(&f->k.sets[0], "0a00000206000000" "00160000")->
	    timeout_ms, 30000);
	assert_int_equal(elem(&f->k.sets[0], "0a00000506000000" "00160000")->
	    timeout_ms, 0);
}

/*
 * A failing element fails its own unit; the others go again, applied.
 * The message it was in fails whole, not saying which element: its
 * elements go again one a message, and the one that fails alone is it.
 */
static void
an_error_fails_its_unit_only(void **state)
{
	struct fixture *f = *state;
	char line[128];
	size_t i;

	f->k.poison = 11;
	for (i = 0; i < 10; i++) {
		snprintf(line, sizeof(line), "add element inet spagate allow { "
		    "%d.0.0.%zu . tcp . 22 }", i == 6 ? 11 : 10, i);
		unit(f, line, NULL);
	}
	assert_int_equal(nft_nl_run(f->nl, f->u, f->nu), 3);
	for (i = 0; i < 10; i++)
		assert_int_equal(f->u[i].outcome, i == 6 ? NFT_FAILED :
		    NFT_DONE);
	assert_string_equal(f->u[6].err,
	    "Could not process rule: Invalid argument");
	assert_int_equal(f->k.sets[0].nel, 9);
	assert_int_equal(f->k.commits, 1);
}

/*
 * Closes due together, one of whose elements expired already: their
 * message fails as a whole (ENOENT), is split, and that close alone is
 * absent; the others delete their elements.
 */
static void
an_expired_element_among_closes(void **state)
{
	static const int closed[] = { 0, 9, 2, 1 };	/* 9: expired */
	struct fixture *f = *state;
	char line[128];
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(line, sizeof(line), "add element inet spagate allow { "
		    "10.0.0.%zu . tcp . 22 }", i);
		unit(f, line, NULL);
	}
	nft_nl_run(f->nl, f->u, f->nu);
	clear_units(f);
	for (i = 0; i < 4; i++) {
		snprintf(line, sizeof(line), "delete element inet spagate "
		    "allow { 10.0.0.%d . tcp . 22 }", closed[i]);
		unit(f, line, NULL);
	}
	/* the four in one message, split; each alone; the three applied */
	assert_int_equal(nft_nl_run(f->nl, f->u, f->nu), 3);
	for (i = 0; i < 4; i++)
		assert_int_equal(f->u[i].outcome, i == 1 ? NFT_ABSENT :
		    NFT_DONE);
	assert_int_equal(f->k.sets[0].nel, 0);
}

static void
absent_and_exists(void **state)
{
	struct fixture *f = *state;
	const char *c = "create element inet spagate allow { 192.0.2.1 . tcp . "
	    "22 timeout 30s }";
	const char *r = "add element inet spagate allow { 192.0.2.1 . tcp . "
	    "22 timeout 30s }\ndelete element inet spagate allow { 192.0.2.1 "
	    ". tcp . 22 }\nadd element inet spagate allow { 192.0.2.1 . tcp . "
	    "22 timeout 30s }";

	unit(f, c, NULL);
	nft_nl_run(f->nl, f->u, f->nu);
	clear_units(f);
	unit(f, c, r);			/* there: refresh it */
	unit(f, c, NULL);		/* there, no refresh: fails */
	unit(f, "delete element inet spagate allow { 192.0.2.9 . tcp . 22 }",
	    NULL);
	nft_nl_run(f->nl, f->u, f->nu);
	assert_int_equal(f->u[0].outcome, NFT_EXISTS);
	assert_int_equal(f->u[1].outcome, NFT_FAILED);
	assert_string_equal(f->u[1].err, "Could not process rule: File exists");
	assert_int_equal(f->u[2].outcome, NFT_ABSENT);
	/* the refresh: three messages, one unit */
	assert_int_equal(nft_batch_take_refresh(f->u, f->nu), 1);
	assert_int_equal(nft_nl_run(f->nl, f->u, 1), 1);
	assert_int_equal(f->u[0].outcome, NFT_DONE);
	assert_int_equal(f->k.sets[0].nel, 1);
}

/*
 * A refresh as the nft module writes it (add, delete by the key, add)
 * goes as netlink messages: its delete names the key without the
 * timeout, which the encoder refuses in a delete (libnftables would take
 * it, at the cost of its parse and cache reads, per grant held).
 */
static void
a_refresh_goes_native(void **state)
{
	struct fixture *f = *state;
	const char *el = "inet spagate allow { 192.0.2.1 . tcp . 22 timeout "
	    "30s }";
	char key[128], refresh[512];

	assert_int_equal(nft_elem_key(key, sizeof(key), el), 0);
	assert_string_equal(key, "inet spagate allow { 192.0.2.1 . tcp . 22 }");
	assert_int_equal(nft_elem_key(refresh, sizeof(refresh), key), 0);
	assert_string_equal(refresh, key);
	assert_int_equal(nft_elem_refresh(refresh, sizeof(refresh), el, key),
	    0);
	unit(f, "add element inet spagate allow { 192.0.2.1 . tcp . 22 "
	    "timeout 3s }", NULL);
	nft_nl_run(f->nl, f->u, f->nu);
	clear_units(f);
	unit(f, refresh, NULL);
	assert_int_equal(nft_nl_run(f->nl, f->u, f->nu), 1);
	assert_int_equal(f->u[0].outcome, NFT_DONE);
	assert_int_equal(f->k.sets[0].nel, 1);
	assert_int_equal(elem(&f->k.sets[0], "c000020106000000" "00160000")->
	    timeout_ms, 30000);
}

/* Our commits move the generation by one: the types are read once. */
static void
the_cache_follows_our_commits(void **state)
{
	struct fixture *f = *state;
	char line[128];
	size_t i;

	for (i = 0; i < 3; i++) {
		clear_units(f);
		snprintf(line, sizeof(line), "add element inet spagate allow { "
		    "10.0.0.%zu . tcp . 22 }", i);
		unit(f, line, NULL);
		assert_int_equal(nft_nl_run(f->nl, f->u, f->nu), 1);
		assert_int_equal(f->u[0].outcome, NFT_DONE);
	}
	assert_int_equal(f->k.getsets, 1);
	assert_int_equal(f->k.restarts, 0);
	assert_int_equal(nft_nl_gen(f->nl), f->k.gen);
}

/* Words that read as the new type too: the old type's bytes would fit. */
#define GRANT	"add element inet spagate allow { 192.0.2.1 . 6 . 22 }"
#define NEW_KEY	"c0000201" "00060000" "16000000"	/* ip . port . proto */

static void
remake_set(struct fake_nfnl *k)
{
	fake_nfnl_set(k, NFPROTO_INET, "spagate", "allow",
	    T3(NFT_ENC_IPV4, NFT_ENC_SERVICE, NFT_ENC_PROTO), 12, 0);
	k->on_batch = NULL;
}

/*
 * The set deleted and made again with another type of the same length
 * between two grants: the second grant's batch, encoded for the old
 * type, is refused (ERESTART), and sent again encoded for the new one.
 */
static void
a_remade_set_gets_its_own_type(void **state)
{
	struct fixture *f = *state;

	unit(f, "add element inet spagate allow { 192.0.2.2 . 6 . 22 }", NULL);
	nft_nl_run(f->nl, f->u, f->nu);
	remake_set(&f->k);
	clear_units(f);
	unit(f, GRANT, NULL);
	assert_int_equal(nft_nl_run(f->nl, f->u, f->nu), 2);
	assert_int_equal(f->k.restarts, 1);
	assert_int_equal(f->u[0].outcome, NFT_DONE);
	assert_int_equal(f->k.sets[0].nel, 1);
	assert_non_null(elem(&f->k.sets[0], NEW_KEY));
	assert_int_equal(f->k.unchecked, 0);
}

/* The same when the set is made again after the types were read. */
static void
a_set_remade_meanwhile(void **state)
{
	struct fixture *f = *state;

	f->k.on_batch = remake_set;
	unit(f, GRANT, NULL);
	assert_int_equal(nft_nl_run(f->nl, f->u, f->nu), 2);
	assert_int_equal(f->k.restarts, 1);
	assert_int_equal(f->u[0].outcome, NFT_DONE);
	assert_non_null(elem(&f->k.sets[0], NEW_KEY));
	assert_int_equal(f->k.getsets, 2);
}

/*
 * The same when a pass's later unit names a set not read yet, and the
 * generation read with it has moved: the cache is dropped there, and the
 * units encoded before it with the old types are encoded again, never
 * sent bound to the new generation in the old type's bytes.
 */
static void
a_set_read_midway_reencodes_the_pass(void **state)
{
	struct fixture *f = *state;

	unit(f, "add element inet spagate allow { 192.0.2.2 . 6 . 22 }", NULL);
	nft_nl_run(f->nl, f->u, f->nu);
	remake_set(&f->k);
	fake_nfnl_set(&f->k, NFPROTO_INET, "spagate", "other", V4_PROTO_PORT,
	    12, 0);
	clear_units(f);
	unit(f, GRANT, NULL);
	unit(f, "add element inet spagate other { 192.0.2.3 . tcp . 22 }",
	    NULL);
	assert_int_equal(nft_nl_run(f->nl, f->u, f->nu), 1);
	assert_int_equal(f->k.restarts, 0);
	assert_int_equal(f->u[0].outcome, NFT_DONE);
	assert_non_null(elem(&f->k.sets[0], NEW_KEY));
	assert_int_equal(f->u[1].outcome, NFT_DONE);
}

/* A set made again with a type the words are not: refused, never wrong. */
static void
a_remade_set_of_another_shape(void **state)
{
	struct fixture *f = *state;

	unit(f, GRANT, NULL);
	nft_nl_run(f->nl, f->u, f->nu);
	fake_nfnl_set(&f->k, NFPROTO_INET, "spagate", "allow",
	    T3(NFT_ENC_IPV4, NFT_ENC_IPV4, NFT_ENC_IPV4), 12, 0);
	clear_units(f);
	unit(f, GRANT, NULL);
	nft_nl_run(f->nl, f->u, f->nu);
	assert_int_equal(f->u[0].outcome, NFT_PENDING);	/* nft's to say */
	assert_int_equal(f->k.sets[0].nel, 0);
}

/*
 * A batch refused as a whole (not ERESTART), or a kernel that does not
 * answer: the units are left for the text path, never taken as done.
 */
static void
no_answer_leaves_text(void **state)
{
	struct fixture *f = *state;

	f->k.refuse = ENOBUFS;
	unit(f, GRANT, NULL);
	assert_int_equal(nft_nl_run(f->nl, f->u, f->nu), 1);
	assert_int_equal(f->u[0].outcome, NFT_PENDING);
	f->k.refuse = 0;
	f->k.mute = true;
	nft_nl_free(f->nl);
	f->nl = nft_nl_new(&f->io);
	assert_int_equal(nft_nl_run(f->nl, f->u, f->nu), 0);
	assert_int_equal(f->u[0].outcome, NFT_PENDING);
	assert_int_equal(f->k.sets[0].nel, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encodes_each_type),
		cmocka_unit_test(encodes_concatenations),
		cmocka_unit_test(other_sets_go_as_text),
		cmocka_unit_test(other_words_go_as_text),
		cmocka_unit_test(reads_the_command),
		cmocka_unit_test_setup_teardown(one_batch_per_pass, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(other_units_left_for_text, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(one_message_per_run, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(an_error_fails_its_unit_only,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(an_expired_element_among_closes,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(absent_and_exists, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_refresh_goes_native, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(the_cache_follows_our_commits,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_remade_set_gets_its_own_type,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_set_remade_meanwhile, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    a_set_read_midway_reencodes_the_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(a_remade_set_of_another_shape,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(no_answer_leaves_text, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
