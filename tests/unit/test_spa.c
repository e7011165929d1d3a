/*
 * The SPA codec: every vector made by the real fwknop client decodes to its
 * expected fields; the worked example reproduces step by step; every
 * rejection path returns its own code, end to end through the test encoder.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access_int.h"
#include "b64.h"
#include "crypto.h"
#include "err.h"
#include "helpers.h"
#include "policy.h"
#include "spa.h"
#include "spa_encode.h"

#define VECTORS_EXPECTED	44

/* The keys of the vectors (tests/vectors/make-vectors.sh). */
#define ENC_B64		"EYK5s7JGISsMUttLQHitWsJN/a05MD4JYjSuMmrD+gI="
#define H64_B64		"oPYfgwyryWrhQjfq8KwzJmiW7y7i+rG8/YLbWTWF0HIg99fbq7wq" \
			"9iYG/Dh8PUhnLybB5qDaU6tJiBbjDfvQmw=="

#define RAND		"1234567890123456"
#define USER64		"YWxpY2U"			/* alice */
#define TS		"1795343068"
#define MSG64		"MS4yLjMuNCx0Y3AvMjI"		/* 1.2.3.4,tcp/22 */
#define NAT64		"MTkyLjE2OC4xMC4yLDIy"		/* 192.168.10.2,22 */
#define AUTH64		"c2VjcmV0"			/* secret */
#define CMD64		"MS4yLjMuNCx1bmFtZSAtYQ"	/* 1.2.3.4,uname -a */
#define HEAD		RAND ":" USER64 ":" TS ":3.0.0:"

/* ------------------------------------------------------------------------ */
/* vector files                                                              */

#define VEC_MAX_KEYS	48

struct vec {
	char		*name;
	char		*buf;
	size_t		 n;
	const char	*key[VEC_MAX_KEYS];
	const char	*val[VEC_MAX_KEYS];
};

static void
vec_parse(struct vec *v)
{
	char *line = v->buf, *nl, *colon;

	v->n = 0;
	for (; line != NULL && *line != '\0'; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		if (*line == '#' || *line == '\0')
			continue;
		colon = strchr(line, ':');
		assert_non_null(colon);
		assert_true(v->n < VEC_MAX_KEYS);
		*colon++ = '\0';
		if (*colon == ' ')
			colon++;
		v->key[v->n] = line;
		v->val[v->n++] = colon;
	}
}

static void
vec_load(const char *file, struct vec *v)
{
	char rel[256];
	char *path = NULL;

	snprintf(rel, sizeof(rel), "spec/vectors/%s", file);
	path = th_srcpath(rel);
	memset(v, 0, sizeof(*v));
	v->name = strdup(file);
	v->buf = th_slurp(path, NULL);
	if (v->buf == NULL)
		fail_msg("cannot read %s", path);
	free(path);
	vec_parse(v);
}

static void
vec_free(struct vec *v)
{
	free(v->name);
	free(v->buf);
}

static const char *
vec_get(const struct vec *v, const char *key)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->key[i], key) == 0)
			return v->val[i];
	return NULL;
}

static const char *
vec_need(const struct vec *v, const char *key)
{
	const char *s = vec_get(v, key);

	if (s == NULL)
		fail_msg("%s: no '%s' line", v->name, key);
	return s;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of all .vec files, sorted; returns the count. */
static size_t
vec_list(char ***names)
{
	char *dir = th_srcpath("spec/vectors");
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0, len;

	if (d == NULL)
		fail_msg("cannot open %s", dir);
	*names = calloc(256, sizeof(char *));
	assert_non_null(*names);
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".vec") != 0)
			continue;
		assert_true(n < 256);
		(*names)[n++] = strdup(de->d_name);
	}
	closedir(d);
	free(dir);
	qsort(*names, n, sizeof(char *), cmp_str);
	return n;
}

/* Key bytes from "<what>_base64" or the passphrase line "<what>". */
static size_t
vec_key_bytes(const struct vec *v, const char *what, uint8_t *out,
    size_t cap)
{
	char k[64];
	const char *s;
	size_t len = 0;

	snprintf(k, sizeof(k), "%s_base64", what);
	if ((s = vec_get(v, k)) != NULL) {
		assert_int_equal(b64_decode_padded(s, out, cap, &len), 0);
		return len;
	}
	if ((s = vec_get(v, what)) == NULL)
		return 0;
	len = strlen(s);
	assert_true(len <= cap);
	memcpy(out, s, len);
	return len;
}

static enum spa_digest
digest_by_name(const char *s)
{
	enum spa_digest d = SPA_DIGEST_NONE;

	if (strcmp(s, "none") != 0)
		assert_int_equal(crypto_digest_from_name(s, &d), 0);
	return d;
}

static void
vec_key(const struct vec *v, struct spa_key *k)
{
	uint8_t enc[64], hmac[256];
	size_t elen, hlen;
	enum spa_mode mode;

	elen = vec_key_bytes(v, "enc_key", enc, sizeof(enc));
	hlen = vec_key_bytes(v, "hmac_key", hmac, sizeof(hmac));
	assert_int_equal(crypto_mode_from_name(vec_need(v, "mode"), &mode), 0);
	assert_int_equal(spa_key_init(k, mode, enc, elen,
	    digest_by_name(vec_need(v, "hmac_type")), hmac, hlen), 0);
}

/* The message text rebuilt from the parsed fields. */
static void
format_message(const struct spa_packet *m, char *buf, size_t len)
{
	char ip[ADDR_STRLEN];
	size_t i, o;

	o = (size_t)snprintf(buf, len, "%s,", addr_fmt(&m->allow, ip));
	if (m->type == SPA_REQ_COMMAND) {
		snprintf(buf + o, len - o, "%s", m->command);
		return;
	}
	for (i = 0; i < m->nports && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s/%u",
		    i ? "," : "", spa_proto_name(m->ports[i].proto),
		    m->ports[i].port);
}

static void
vec_check_msg(const struct vec *v, const struct spa_packet *m)
{
	char buf[512];

	assert_string_equal(m->random, vec_need(v, "random"));
	assert_string_equal(m->user, vec_need(v, "user"));
	assert_int_equal(m->timestamp, strtoll(vec_need(v, "timestamp"),
	    NULL, 10));
	assert_string_equal(m->version, vec_need(v, "version"));
	assert_int_equal(m->type, atoi(vec_need(v, "type")));
	assert_string_equal(m->message, vec_need(v, "message"));
	format_message(m, buf, sizeof(buf));
	assert_string_equal(buf, vec_need(v, "message"));
	if (*vec_need(v, "nat") != '\0') {
		assert_true(m->has_nat);
		snprintf(buf, sizeof(buf), "%s,%u", m->nat_host, m->nat_port);
		assert_string_equal(buf, vec_need(v, "nat"));
	} else
		assert_false(m->has_nat);
	assert_int_equal(m->has_server_auth,
	    *vec_need(v, "server_auth") != '\0');
	assert_string_equal(m->server_auth, vec_need(v, "server_auth"));
	assert_int_equal(m->client_timeout,
	    atoi(vec_need(v, "client_timeout")));
	assert_string_equal(crypto_digest_name(m->digest_type),
	    vec_need(v, "digest_type"));
}

/* ------------------------------------------------------------------------ */
/* every vector                                                              */

static void
vector_decodes(const char *file)
{
	struct vec v;
	struct spa_key k;
	struct spa_packet m;
	const char *packet;

	vec_load(file, &v);
	packet = vec_need(&v, "packet");
	vec_key(&v, &k);
	assert_int_equal(spa_precheck(packet, strlen(packet)), 0);
	if (spa_open(&k, packet, strlen(packet), &m) != 0)
		fail_msg("%s: spa_open: %s", file,
		    spa_errname(spa_open(&k, packet, strlen(packet), &m)));
	vec_check_msg(&v, &m);
	spa_key_clear(&k);
	vec_free(&v);
}

static void
all_vectors_decode_to_expected_fields(void **state)
{
	char **names = NULL;
	size_t n, i;

	n = vec_list(&names);
	if (n < VECTORS_EXPECTED)
		fail_msg("spec/vectors holds %zu vectors, expected %d", n,
		    VECTORS_EXPECTED);
	for (i = 0; i < n; i++) {
		vector_decodes(names[i]);
		free(names[i]);
	}
	free(names);
}

/* Each vector's plaintext decodes alone too (spa_decode, no envelope). */
static void
all_vector_plaintexts_decode(void **state)
{
	char **names = NULL;
	struct vec v;
	struct spa_packet m;
	const char *pt;
	size_t n, i;

	n = vec_list(&names);
	for (i = 0; i < n; i++) {
		vec_load(names[i], &v);
		pt = vec_need(&v, "plaintext");
		assert_int_equal(spa_decode(pt, strlen(pt), &m), 0);
		vec_check_msg(&v, &m);
		vec_free(&v);
		free(names[i]);
	}
	free(names);
}

/* A vector's packet fails with another vector's key of the same shape. */
static void
vectors_do_not_open_with_wrong_mode(void **state)
{
	static const char *const modes[] = {
		"35-mode-ecb.vec", "36-mode-cfb.vec", "37-mode-ofb.vec",
		"38-mode-ctr.vec",
	};
	struct vec v;
	struct spa_key k;
	struct spa_packet m;
	uint8_t enc[32], hmac[64];
	size_t i, el, hl;
	const char *p;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		vec_load(modes[i], &v);
		p = vec_need(&v, "packet");
		el = vec_key_bytes(&v, "enc_key", enc, sizeof(enc));
		hl = vec_key_bytes(&v, "hmac_key", hmac, sizeof(hmac));
		assert_int_equal(spa_key_init(&k, SPA_MODE_CBC, enc, el,
		    SPA_DIGEST_SHA256, hmac, hl), 0);
		assert_int_equal(spa_open(&k, p, strlen(p), &m),
		    SPA_ERR_DECRYPT);
		spa_key_clear(&k);
		vec_free(&v);
	}
}

/* ------------------------------------------------------------------------ */
/* worked example (wire-format §8 method, on our vector 01)                  */

static void
hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void
worked_example_step_by_step(void **state)
{
	struct vec v;
	struct crypto_hmac *h = NULL;
	uint8_t hk[64], ek[32], mac[SPA_DIGEST_MAX_LEN], raw[512], pt[512];
	uint8_t key[32], iv[16], dig[32];
	char text[512], mac64[100], hx[200];
	const char *packet;
	size_t plen, ctlen, maclen, hkl, ekl, rawlen, n;

	vec_load("01-access-sha256.vec", &v);
	packet = vec_need(&v, "packet");
	plen = strlen(packet);
	/* 1. the last 43 characters are the HMAC */
	ctlen = plen - 43;
	assert_string_equal(packet + ctlen, vec_need(&v, "hmac"));
	/* 2. HMAC-SHA256 over "U2FsdGVkX1" + the rest, base64 without '=' */
	hkl = vec_key_bytes(&v, "hmac_key", hk, sizeof(hk));
	assert_int_equal(crypto_hmac_new(SPA_DIGEST_SHA256, hk, hkl, &h), 0);
	assert_int_equal(crypto_hmac(h, "U2FsdGVkX1", 10, packet, ctlen, mac,
	    &maclen), 0);
	crypto_hmac_free(h);
	assert_int_equal(b64_encode(mac, maclen, mac64), 43);
	assert_string_equal(mac64, vec_need(&v, "hmac"));
	/* 3. decode: "Salted__", the salt, then whole blocks */
	snprintf(text, sizeof(text), "U2FsdGVkX1%.*s", (int)ctlen, packet);
	assert_int_equal(b64_decode(text, strlen(text), raw, sizeof(raw),
	    &rawlen, true), 0);
	assert_memory_equal(raw, "Salted__", 8);
	assert_int_equal(rawlen % 16, 0);
	hex(raw + 8, 8, hx);
	assert_string_equal(hx, vec_need(&v, "salt"));
	/* 4. EVP_BytesToKey-MD5: key and IV as openssl enc -P printed them */
	ekl = vec_key_bytes(&v, "enc_key", ek, sizeof(ek));
	assert_int_equal(crypto_kdf(ek, ekl, raw + 8, key, iv), 0);
	hex(key, 32, hx);
	assert_string_equal(hx, vec_need(&v, "kdf_key"));
	hex(iv, 16, hx);
	assert_string_equal(hx, vec_need(&v, "kdf_iv"));
	/* 5. AES-256-CBC, then PKCS#7 */
	assert_int_equal(crypto_aes_decrypt(SPA_MODE_CBC, key, iv, raw + 16,
	    rawlen - 16, pt), 0);
	n = rawlen - 16 - pt[rawlen - 17];
	assert_int_equal(n, strlen(vec_need(&v, "plaintext")));
	assert_memory_equal(pt, vec_need(&v, "plaintext"), n);
	/* 6. the embedded digest: b64(SHA256(encoded)) */
	assert_int_equal(crypto_hash(SPA_DIGEST_SHA256, vec_need(&v, "encoded"),
	    strlen(vec_need(&v, "encoded")), dig), 0);
	b64_encode(dig, 32, mac64);
	assert_string_equal(mac64, vec_need(&v, "digest"));
	vec_free(&v);
}

/* The reference's own vector 1, as printed in fwknop-wire-format.md §8. */
#define REF1_PACKET	"+BJgJBGiRai48nrVlO3d7aosdxxcj7t1mkLSp7f8xwSSbgaQEiqnFHmf9P" \
	"ows5Hbg5e/hNrEPHr72M40o7NzfvT43W539MuaQZ8FLKPsDFL/Eazpm83Q781bOCtJOjt" \
	"fXexd8pJ6dXCBcyirA12OEpIqBtPgF/ekAr6ky/g1Hc+ZkMNJFOvpgA65z7XyXUeVnKRr" \
	"6B0E5eoM"

static void
reference_vector_1_opens(void **state)
{
	uint8_t ek[32], hk[64], raw[256], key[32], iv[16];
	char text[256], hx[65];
	size_t ekl, hkl, rawlen;
	struct spa_key k;
	struct spa_packet m;

	assert_int_equal(strlen(REF1_PACKET), 204);
	assert_int_equal(b64_decode_padded(ENC_B64, ek, sizeof(ek), &ekl), 0);
	assert_int_equal(b64_decode_padded(H64_B64, hk, sizeof(hk), &hkl), 0);
	snprintf(text, sizeof(text), "U2FsdGVkX1%.161s", REF1_PACKET);
	assert_int_equal(b64_decode(text, 171, raw, sizeof(raw), &rawlen,
	    true), 0);
	assert_int_equal(rawlen, 128);
	hex(raw + 8, 8, hx);
	assert_string_equal(hx, "812602411a245a8b");
	assert_int_equal(crypto_kdf(ek, ekl, raw + 8, key, iv), 0);
	hex(key, 32, hx);
	assert_memory_equal(hx, "e0432418", 8);
	assert_memory_equal(hx + 56, "2cc48dd8", 8);
	hex(iv, 16, hx);
	assert_memory_equal(hx, "a94409e0", 8);
	assert_memory_equal(hx + 24, "c37026de", 8);

	assert_int_equal(spa_key_init(&k, SPA_MODE_CBC, ek, ekl,
	    SPA_DIGEST_SHA256, hk, hkl), 0);
	assert_int_equal(spa_precheck(REF1_PACKET, 204), 0);
	assert_int_equal(spa_open(&k, REF1_PACKET, 204, &m), 0);
	assert_string_equal(m.random, "1497909641742408");
	assert_string_equal(m.user, "alice");
	assert_int_equal(m.timestamp, 1795343068);
	assert_string_equal(m.message, "1.2.3.4,tcp/22");
	assert_int_equal(m.digest_type, SPA_DIGEST_SHA256);
	spa_key_clear(&k);
}

/* ------------------------------------------------------------------------ */
/* helpers for the rejection tests                                           */

struct tkey {
	uint8_t		enc[32];
	size_t		enc_len;
	uint8_t		hmac[64];
	size_t		hmac_len;
};

static void
tkey_load(struct tkey *t)
{
	assert_int_equal(b64_decode_padded(ENC_B64, t->enc, sizeof(t->enc),
	    &t->enc_len), 0);
	assert_int_equal(b64_decode_padded(H64_B64, t->hmac, sizeof(t->hmac),
	    &t->hmac_len), 0);
}

/* The encoder set up like vector 01: CBC, HMAC-SHA256, access tcp/22. */
static struct spa_enc
enc_default(const struct tkey *t)
{
	struct spa_enc e;

	memset(&e, 0, sizeof(e));
	e.random = RAND;
	e.user = "alice";
	e.timestamp = 1795343068;
	e.type = SPA_REQ_ACCESS;
	e.message = "1.2.3.4,tcp/22";
	e.mode = SPA_MODE_CBC;
	e.key = t->enc;
	e.key_len = t->enc_len;
	e.hmac_type = SPA_DIGEST_SHA256;
	e.hmac_key = t->hmac;
	e.hmac_key_len = t->hmac_len;
	return e;
}

static void
key_for(const struct spa_enc *e, struct spa_key *k)
{
	assert_int_equal(spa_key_init(k, e->mode, e->key, e->key_len,
	    e->hmac_type, e->hmac_key, e->hmac_key_len), 0);
}

/* Precheck then open with e's own keys. */
static int
open_wire(const struct spa_enc *e, const char *wire, size_t n,
    struct spa_packet *m)
{
	struct spa_key k;
	int r;

	key_for(e, &k);
	if ((r = spa_precheck(wire, n)) == 0)
		r = spa_open(&k, wire, n, m);
	spa_key_clear(&k);
	return r;
}

static int
seal_and_open(const struct spa_enc *e, const char *plain, size_t n,
    struct spa_packet *m)
{
	char wire[SPA_ENC_MAX];
	size_t wl = 0;

	assert_int_equal(spa_enc_seal(e, plain, n, wire, sizeof(wire), &wl), 0);
	return open_wire(e, wire, wl, m);
}

/* Short plaintexts make packets under 140 characters: skip the precheck. */
static int
seal_and_open_short(const struct spa_enc *e, const char *plain, size_t n,
    struct spa_packet *m)
{
	char wire[SPA_ENC_MAX];
	size_t wl = 0;
	struct spa_key k;
	int r;

	assert_int_equal(spa_enc_seal(e, plain, n, wire, sizeof(wire), &wl), 0);
	key_for(e, &k);
	r = spa_open(&k, wire, wl, m);
	spa_key_clear(&k);
	return r;
}

/* Fields through the whole envelope. */
static int
open_fields(const struct spa_enc *e, struct spa_packet *m)
{
	char plain[SPA_ENC_MAX];
	size_t n = 0;

	assert_int_equal(spa_enc_plaintext(e, plain, sizeof(plain), &n), 0);
	return seal_and_open(e, plain, n, m);
}

/* Arbitrary encoded text (digest appended) through the whole envelope. */
static int
open_encoded(const char *encoded, struct spa_packet *m)
{
	struct tkey t;
	struct spa_enc e;
	char plain[SPA_ENC_MAX];
	size_t n = 0;

	tkey_load(&t);
	e = enc_default(&t);
	assert_int_equal(spa_enc_digest(encoded, SPA_DIGEST_SHA256, plain,
	    sizeof(plain), &n), 0);
	return seal_and_open(&e, plain, n, m);
}

/* Arbitrary encoded text (digest appended) through spa_decode alone. */
static int
decode_encoded(const char *encoded, struct spa_packet *m)
{
	char plain[SPA_ENC_MAX];
	size_t n = 0;

	assert_int_equal(spa_enc_digest(encoded, SPA_DIGEST_SHA256, plain,
	    sizeof(plain), &n), 0);
	return spa_decode(plain, n, m);
}

/* Fields through spa_decode alone: for plaintexts too big to encrypt. */
static int
decode_fields(const struct spa_enc *e, struct spa_packet *m)
{
	char plain[SPA_ENC_MAX];
	size_t n = 0;

	assert_int_equal(spa_enc_plaintext(e, plain, sizeof(plain), &n), 0);
	return spa_decode(plain, n, m);
}

/* A fresh valid packet of vector-01 shape. */
static size_t
good_wire(struct tkey *t, struct spa_enc *e, char *wire, size_t cap)
{
	size_t n = 0;

	tkey_load(t);
	*e = enc_default(t);
	assert_int_equal(spa_enc_packet(e, wire, cap, &n), 0);
	return n;
}

/* Another base64 character at position i. */
static void
flip_char(char *s, size_t i)
{
	s[i] = s[i] == 'A' ? 'B' : 'A';
}

/* ------------------------------------------------------------------------ */
/* the encoder itself                                                        */

static void
encoder_matches_client_plaintext(void **state)
{
	struct vec v;
	struct tkey t;
	struct spa_enc e;
	char plain[SPA_ENC_MAX];
	size_t n;

	vec_load("05-nat-access-timeout.vec", &v);
	tkey_load(&t);
	e = enc_default(&t);
	e.random = vec_need(&v, "random");
	e.timestamp = strtoll(vec_need(&v, "timestamp"), NULL, 10);
	e.type = SPA_REQ_CLIENT_TIMEOUT_NAT_ACCESS;
	e.message = vec_need(&v, "message");
	e.nat = vec_need(&v, "nat");
	e.client_timeout = (uint32_t)atoi(vec_need(&v, "client_timeout"));
	assert_int_equal(spa_enc_plaintext(&e, plain, sizeof(plain), &n), 0);
	assert_string_equal(plain, vec_need(&v, "plaintext"));
	vec_free(&v);
}

static void
encoder_packets_open_in_every_mode_and_hmac(void **state)
{
	static const enum spa_mode modes[] = {
		SPA_MODE_CBC, SPA_MODE_ECB, SPA_MODE_CFB, SPA_MODE_OFB,
		SPA_MODE_CTR,
	};
	static const enum spa_digest hmacs[] = {
		SPA_DIGEST_NONE, SPA_DIGEST_MD5, SPA_DIGEST_SHA1,
		SPA_DIGEST_SHA256, SPA_DIGEST_SHA384, SPA_DIGEST_SHA512,
		SPA_DIGEST_SHA3_256, SPA_DIGEST_SHA3_512,
	};
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t i, j;

	tkey_load(&t);
	e = enc_default(&t);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		for (j = 0; j < sizeof(hmacs) / sizeof(hmacs[0]); j++) {
			e.mode = modes[i];
			e.hmac_type = hmacs[j];
			e.digest = hmacs[j];
			assert_int_equal(open_fields(&e, &m), 0);
			assert_int_equal(m.digest_type, hmacs[j] ==
			    SPA_DIGEST_NONE ? SPA_DIGEST_SHA256 : hmacs[j]);
			assert_int_equal(m.ports[0].port, 22);
		}
	}
}

/* ------------------------------------------------------------------------ */
/* spa_key_init                                                              */

static void
key_init_refuses_long_enc_key(void **state)
{
	uint8_t enc[33] = { 1 }, hmac[16] = { 2 };
	struct spa_key k;

	assert_int_equal(spa_key_init(&k, SPA_MODE_CBC, enc, 33,
	    SPA_DIGEST_SHA256, hmac, 16), SPA_ERR_CONFIG);
	assert_int_equal(spa_key_init(&k, SPA_MODE_CBC, enc, 32,
	    SPA_DIGEST_SHA256, hmac, 16), 0);
	spa_key_clear(&k);
}

static void
key_init_refuses_long_hmac_key(void **state)
{
	uint8_t enc[16] = { 1 }, hmac[137] = { 2 };
	struct spa_key k;

	assert_int_equal(spa_key_init(&k, SPA_MODE_CBC, enc, 16,
	    SPA_DIGEST_SHA256, hmac, 137), SPA_ERR_CONFIG);
	assert_int_equal(spa_key_init(&k, SPA_MODE_CBC, enc, 16,
	    SPA_DIGEST_SHA256, hmac, 136), 0);
	assert_int_equal(k.hmac_b64_len, 43);
	spa_key_clear(&k);
}

static void
key_init_refuses_hmac_key_equal_to_enc_key(void **state)
{
	uint8_t key[32];
	struct spa_key k;

	memset(key, 0x5a, sizeof(key));
	assert_int_equal(spa_key_init(&k, SPA_MODE_CBC, key, 32,
	    SPA_DIGEST_SHA256, key, 32), SPA_ERR_CONFIG);
}

static void
key_init_refuses_gnupg_and_legacy_with_hmac(void **state)
{
	uint8_t enc[16] = { 1 }, hmac[16] = { 2 };
	struct spa_key k;

	assert_int_equal(spa_key_init(&k, SPA_MODE_ASYMMETRIC, enc, 16,
	    SPA_DIGEST_NONE, NULL, 0), SPA_ERR_CONFIG);
	assert_int_equal(spa_key_init(&k, SPA_MODE_LEGACY, enc, 16,
	    SPA_DIGEST_SHA256, hmac, 16), SPA_ERR_CONFIG);
	assert_int_equal(spa_key_init(&k, SPA_MODE_CBC, enc, 16,
	    SPA_DIGEST_SHA256, hmac, 0), SPA_ERR_CONFIG);
}

static void
key_init_sets_hmac_length_per_type(void **state)
{
	static const struct {
		enum spa_digest	d;
		size_t		len;
	} t[] = {
		{ SPA_DIGEST_NONE, 0 }, { SPA_DIGEST_MD5, 22 },
		{ SPA_DIGEST_SHA1, 27 }, { SPA_DIGEST_SHA256, 43 },
		{ SPA_DIGEST_SHA384, 64 }, { SPA_DIGEST_SHA512, 86 },
		{ SPA_DIGEST_SHA3_256, 43 }, { SPA_DIGEST_SHA3_512, 86 },
	};
	uint8_t enc[16] = { 1 }, hmac[16] = { 2 };
	struct spa_key k;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(spa_key_init(&k, SPA_MODE_CBC, enc, 16,
		    t[i].d, hmac, 16), 0);
		assert_int_equal(k.hmac_b64_len, t[i].len);
		spa_key_clear(&k);
		assert_null(k.hmac);
	}
}

/* ------------------------------------------------------------------------ */
/* spa_precheck                                                              */

static void
precheck_rejects_short_payload(void **state)
{
	char buf[200];

	memset(buf, 'A', sizeof(buf));
	assert_int_equal(spa_precheck(buf, 139), SPA_ERR_LENGTH);
	assert_int_equal(spa_precheck(buf, 0), SPA_ERR_LENGTH);
	assert_int_equal(spa_precheck(buf, 140), 0);
}

static void
precheck_rejects_long_payload(void **state)
{
	char buf[1600];

	memset(buf, 'A', sizeof(buf));
	assert_int_equal(spa_precheck(buf, 1500), SPA_ERR_LENGTH);
	assert_int_equal(spa_precheck(buf, 1499), 0);
}

static void
precheck_rejects_salt_prefix(void **state)
{
	char wire[SPA_ENC_MAX] = "U2FsdGVkX1";
	struct tkey t;
	struct spa_enc e;
	size_t n;

	n = good_wire(&t, &e, wire + 10, sizeof(wire) - 10);
	assert_int_equal(spa_precheck(wire, n + 10), SPA_ERR_PREFIX);
}

static void
precheck_rejects_bad_byte(char c)
{
	char wire[SPA_ENC_MAX];
	struct tkey t;
	struct spa_enc e;
	size_t n, at[3], i;

	n = good_wire(&t, &e, wire, sizeof(wire));
	at[0] = 0;
	at[1] = n / 2;
	at[2] = n;			/* appended */
	for (i = 0; i < 3; i++) {
		n = good_wire(&t, &e, wire, sizeof(wire));
		wire[at[i]] = c;
		assert_int_equal(spa_precheck(wire, at[i] == n ? n + 1 : n),
		    SPA_ERR_NOT_BASE64);
	}
}

static void
precheck_rejects_equals(void **state)
{
	precheck_rejects_bad_byte('=');
}

static void
precheck_rejects_newline(void **state)
{
	precheck_rejects_bad_byte('\n');
}

static void
precheck_rejects_nul(void **state)
{
	precheck_rejects_bad_byte('\0');
}

static void
precheck_rejects_star(void **state)
{
	precheck_rejects_bad_byte('*');
}

/* ------------------------------------------------------------------------ */
/* spa_open: envelope                                                        */

static void
open_rejects_gnupg_sized_packet(void **state)
{
	char wire[SPA_ENC_MAX];
	struct tkey t;
	struct spa_enc e;
	struct spa_key k;
	struct spa_packet m;

	tkey_load(&t);
	e = enc_default(&t);
	key_for(&e, &k);
	memset(wire, 'A', sizeof(wire));
	/* 10 + 390 >= 400: GnuPG, before the HMAC is even computed. */
	assert_int_equal(spa_open(&k, wire, 390 + 43, &m), SPA_ERR_GPG);
	assert_int_equal(spa_open(&k, wire, 1499, &m), SPA_ERR_GPG);
	/* One less is Rijndael-sized: the HMAC decides. */
	assert_int_equal(spa_open(&k, wire, 389 + 43, &m), SPA_ERR_HMAC);
	spa_key_clear(&k);
}

static void
open_rejects_gnupg_sized_packet_without_hmac(void **state)
{
	char wire[SPA_ENC_MAX];
	struct spa_key k;
	struct spa_packet m;
	uint8_t enc[16] = { 1 };

	assert_int_equal(spa_key_init(&k, SPA_MODE_CBC, enc, 16,
	    SPA_DIGEST_NONE, NULL, 0), 0);
	memset(wire, '/', sizeof(wire));
	assert_int_equal(spa_open(&k, wire, 390, &m), SPA_ERR_GPG);
	spa_key_clear(&k);
}

/* A full-size real packet whose ciphertext text reaches 400 characters. */
static void
open_rejects_encoder_packet_of_gnupg_size(void **state)
{
	char wire[SPA_ENC_MAX];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t n;

	tkey_load(&t);
	e = enc_default(&t);
	e.message = "1.2.3.4,tcp/10001,tcp/10002,tcp/10003,tcp/10004,"
	    "tcp/10005,tcp/10006,tcp/10007,tcp/10008,tcp/10009,tcp/10010,"
	    "tcp/10011,tcp/10012,tcp/10013,tcp/10014";
	assert_int_equal(spa_enc_packet(&e, wire, sizeof(wire), &n), 0);
	assert_true(n - 43 + 10 >= 400);
	assert_int_equal(open_wire(&e, wire, n, &m), SPA_ERR_GPG);
}

static void
open_rejects_flipped_hmac_char(void **state)
{
	char wire[SPA_ENC_MAX];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t n, at[3], i;

	for (i = 0; i < 3; i++) {
		n = good_wire(&t, &e, wire, sizeof(wire));
		at[0] = n - 43;		/* first HMAC character */
		at[1] = n - 22;		/* middle */
		at[2] = n - 1;		/* last */
		flip_char(wire, at[i]);
		assert_int_equal(open_wire(&e, wire, n, &m), SPA_ERR_HMAC);
	}
}

static void
open_rejects_flipped_ciphertext_char(void **state)
{
	char wire[SPA_ENC_MAX];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t n;

	n = good_wire(&t, &e, wire, sizeof(wire));
	flip_char(wire, 50);
	assert_int_equal(open_wire(&e, wire, n, &m), SPA_ERR_HMAC);
}

static void
open_rejects_wrong_hmac_key(void **state)
{
	char wire[SPA_ENC_MAX];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t n;

	n = good_wire(&t, &e, wire, sizeof(wire));
	t.hmac[0] ^= 1;
	assert_int_equal(open_wire(&e, wire, n, &m), SPA_ERR_HMAC);
}

static void
open_rejects_wrong_hmac_type(void **state)
{
	static const enum spa_digest others[] = {
		SPA_DIGEST_MD5, SPA_DIGEST_SHA1, SPA_DIGEST_SHA384,
		SPA_DIGEST_SHA512, SPA_DIGEST_SHA3_256, SPA_DIGEST_SHA3_512,
	};
	char wire[SPA_ENC_MAX];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t n, i;

	n = good_wire(&t, &e, wire, sizeof(wire));
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		e.hmac_type = others[i];
		assert_int_equal(open_wire(&e, wire, n, &m), SPA_ERR_HMAC);
	}
}

static void
open_rejects_hmac_packet_on_stanza_without_hmac(void **state)
{
	char wire[SPA_ENC_MAX];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t n;

	tkey_load(&t);
	e = enc_default(&t);
	e.hmac_type = SPA_DIGEST_MD5;
	assert_int_equal(spa_enc_packet(&e, wire, sizeof(wire), &n), 0);
	e.hmac_type = SPA_DIGEST_NONE;
	/* 161 + 22 + 10 characters, 1 mod 4: not base64 at all. */
	assert_int_equal(n, 183);
	assert_int_equal(open_wire(&e, wire, n, &m), SPA_ERR_CIPHERTEXT);
}

static void
open_rejects_wrong_enc_key(void **state)
{
	char wire[SPA_ENC_MAX];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t n;

	n = good_wire(&t, &e, wire, sizeof(wire));
	t.enc[31] ^= 0x80;
	assert_int_equal(open_wire(&e, wire, n, &m), SPA_ERR_DECRYPT);
}

static void
open_rejects_wrong_mode(void **state)
{
	static const enum spa_mode others[] = {
		SPA_MODE_ECB, SPA_MODE_CFB, SPA_MODE_OFB, SPA_MODE_CTR,
	};
	char wire[SPA_ENC_MAX];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t n, i;

	n = good_wire(&t, &e, wire, sizeof(wire));
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		e.mode = others[i];
		assert_int_equal(open_wire(&e, wire, n, &m), SPA_ERR_DECRYPT);
	}
}

static void
open_rejects_truncated_packet(void **state)
{
	char wire[SPA_ENC_MAX];
	struct tkey t;
	struct spa_enc e;
	struct spa_key k;
	struct spa_packet m;
	size_t n;

	n = good_wire(&t, &e, wire, sizeof(wire));
	/* The MAC split moves: the HMAC no longer matches. */
	assert_int_equal(open_wire(&e, wire, n - 1, &m), SPA_ERR_HMAC);
	assert_int_equal(open_wire(&e, wire, n - 4, &m), SPA_ERR_HMAC);
	key_for(&e, &k);
	/* Too short to hold the MAC and 36 characters. */
	assert_int_equal(spa_open(&k, wire, 43 + 35, &m), SPA_ERR_LENGTH);
	assert_int_equal(spa_open(&k, wire, 43, &m), SPA_ERR_LENGTH);
	assert_int_equal(spa_open(&k, wire, 10, &m), SPA_ERR_LENGTH);
	spa_key_clear(&k);
}

static void
open_rejects_appended_aaaa(void **state)
{
	char wire[SPA_ENC_MAX];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t n;

	n = good_wire(&t, &e, wire, sizeof(wire));
	memcpy(wire + n, "AAAA", 4);
	assert_int_equal(open_wire(&e, wire, n + 4, &m), SPA_ERR_HMAC);
}

static void
open_rejects_prepended_aaaa(void **state)
{
	char wire[SPA_ENC_MAX] = "AAAA";
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t n;

	n = good_wire(&t, &e, wire + 4, sizeof(wire) - 4);
	assert_int_equal(open_wire(&e, wire, n + 4, &m), SPA_ERR_HMAC);
}

/* Without an HMAC the container checks are what catches tampering. */
static size_t
good_wire_no_hmac(struct tkey *t, struct spa_enc *e, char *wire, size_t cap)
{
	size_t n = 0;

	tkey_load(t);
	*e = enc_default(t);
	e->hmac_type = SPA_DIGEST_NONE;
	assert_int_equal(spa_enc_packet(e, wire, cap, &n), 0);
	return n;
}

static void
open_no_hmac_rejects_appended_and_prepended_aaaa(void **state)
{
	char wire[SPA_ENC_MAX] = "AAAA";
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t n;

	n = good_wire_no_hmac(&t, &e, wire + 4, sizeof(wire) - 4);
	/* "AAAA" first: the first byte no longer ends "Salted__". */
	assert_int_equal(open_wire(&e, wire, n + 4, &m), SPA_ERR_CIPHERTEXT);
	/* "AAAA" last: three more bytes, not a whole block. */
	memcpy(wire + 4 + n, "AAAA", 4);
	assert_int_equal(open_wire(&e, wire + 4, n + 4, &m),
	    SPA_ERR_CIPHERTEXT);
	/* The untouched packet still opens. */
	assert_int_equal(open_wire(&e, wire + 4, n, &m), 0);
}

/* The bits of the last character that carry no data. */
static size_t
tail_unused_bits(size_t ctlen)
{
	switch ((10 + ctlen) % 4) {
	case 2:
		return 4;
	case 3:
		return 2;
	default:
		return 0;
	}
}

static void
set_tail_bit(char *c)
{
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t v = (size_t)(strchr(alpha, *c) - alpha);

	*c = alpha[v | 1];
}

static void
open_no_hmac_rejects_noncanonical_tail(void **state)
{
	char wire[SPA_ENC_MAX];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t n;

	n = good_wire_no_hmac(&t, &e, wire, sizeof(wire));
	/* Same ciphertext bytes, new text: a replay-cache bypass in fwknopd. */
	assert_true(tail_unused_bits(n) > 0);
	set_tail_bit(&wire[n - 1]);
	assert_int_equal(spa_precheck(wire, n), 0);
	assert_int_equal(open_wire(&e, wire, n, &m), SPA_ERR_CIPHERTEXT);
}

/* Wire text with a correct HMAC over arbitrary ciphertext text. */
static size_t
hmac_over(const struct spa_enc *e, const char *ct, char *wire, size_t cap)
{
	struct crypto_hmac *h = NULL;
	uint8_t mac[SPA_DIGEST_MAX_LEN];
	size_t maclen = 0, n = strlen(ct);

	assert_true(n + 100 < cap);
	memcpy(wire, ct, n);
	assert_int_equal(crypto_hmac_new(e->hmac_type, e->hmac_key,
	    e->hmac_key_len, &h), 0);
	assert_int_equal(crypto_hmac(h, "U2FsdGVkX1", 10, ct, n, mac,
	    &maclen), 0);
	crypto_hmac_free(h);
	return n + b64_encode(mac, maclen, wire + n);
}

static void
open_with_hmac_rejects_noncanonical_tail(void **state)
{
	char wire[SPA_ENC_MAX], ct[SPA_ENC_MAX];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t n;

	n = good_wire(&t, &e, wire, sizeof(wire)) - 43;
	memcpy(ct, wire, n);
	ct[n] = '\0';
	set_tail_bit(&ct[n - 1]);
	/* Without a new MAC the text change is an HMAC failure ... */
	memcpy(wire, ct, n);
	assert_int_equal(open_wire(&e, wire, n + 43, &m), SPA_ERR_HMAC);
	/* ... and with one (a key holder) it is still refused. */
	n = hmac_over(&e, ct, wire, sizeof(wire));
	assert_int_equal(open_wire(&e, wire, n, &m), SPA_ERR_CIPHERTEXT);
}

static void
open_rejects_ciphertext_not_whole_blocks(void **state)
{
	char wire[SPA_ENC_MAX], ct[SPA_ENC_MAX];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t n;

	n = good_wire(&t, &e, wire, sizeof(wire)) - 43;
	/* Drop 4 characters = 3 bytes: HMAC recomputed, length is wrong. */
	memcpy(ct, wire, n - 4);
	ct[n - 4] = '\0';
	n = hmac_over(&e, ct, wire, sizeof(wire));
	assert_int_equal(open_wire(&e, wire, n, &m), SPA_ERR_CIPHERTEXT);
}

static void
open_rejects_container_without_salted_header(void **state)
{
	char wire[SPA_ENC_MAX], ct[SPA_ENC_MAX];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t n;

	n = good_wire(&t, &e, wire, sizeof(wire)) - 43;
	memcpy(ct, wire, n);
	ct[n] = '\0';
	ct[0] = 'A';		/* "Salted_" followed by 0x50..: not '_' */
	n = hmac_over(&e, ct, wire, sizeof(wire));
	assert_int_equal(open_wire(&e, wire, n, &m), SPA_ERR_CIPHERTEXT);
}

static void
open_rejects_too_short_ciphertext(void **state)
{
	char wire[SPA_ENC_MAX], ct[200];
	struct tkey t;
	struct spa_enc e;
	struct spa_key k;
	struct spa_packet m;
	size_t n;

	(void)good_wire(&t, &e, wire, sizeof(wire));
	/* 42 + 10 characters = 39 bytes: "Salted__" + salt + 23. */
	memcpy(ct, wire, 42);
	ct[42] = '\0';
	n = hmac_over(&e, ct, wire, sizeof(wire));
	key_for(&e, &k);
	assert_int_equal(spa_open(&k, wire, n, &m), SPA_ERR_CIPHERTEXT);
	/* 30 + 10 characters = 30 bytes: below the 36-character floor. */
	memcpy(ct, wire, 30);
	ct[30] = '\0';
	n = hmac_over(&e, ct, wire, sizeof(wire));
	assert_int_equal(spa_open(&k, wire, n, &m), SPA_ERR_LENGTH);
	spa_key_clear(&k);
}

/* Decryption succeeds but the plaintext is not "16 digits ':'". */
static void
open_rejects_plaintext_without_random_prefix(void **state)
{
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	static const char *const bad[] = {
		"123456789012345:YWxpY2U:1795343068:3.0.0:1:MS4yLjMuNCx0Y3AvMjI",
		"12345678901234567:YWxpY2U:1795343068:3.0.0:1:MS4yLjMuNCx0Y3AvMjI",
		"123456789012345a:YWxpY2U:1795343068:3.0.0:1:MS4yLjMuNCx0Y3AvMjI",
		"1234567890123456",
	};
	size_t i;

	tkey_load(&t);
	e = enc_default(&t);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(seal_and_open_short(&e, bad[i], strlen(bad[i]),
		    &m), SPA_ERR_DECRYPT);
}

/* Authentic but shorter than 36 bytes. */
static void
open_rejects_short_plaintext(void **state)
{
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	const char *p = "1234567890123456:a:b:c:d:e:f:g";

	tkey_load(&t);
	e = enc_default(&t);
	assert_int_equal(seal_and_open_short(&e, p, strlen(p), &m),
	    SPA_ERR_FIELDS);
}

/* A valid plaintext whose length is a whole number of blocks. */
static size_t
block_sized_plaintext(struct spa_enc *e, char *plain, size_t cap)
{
	static const char *const versions[] = { "1", "12", "123", "1234",
	    "12345", "123456", "1234567", "12345678" };
	static const char *const users[] = { "a", "ab", "abc", "abcd",
	    "abcde", "abcdef", "abcdefg", "abcdefgh", "abcdefghi" };
	size_t i, j, n = 0;

	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		for (j = 0; j < sizeof(versions) / sizeof(versions[0]); j++) {
			e->user = users[i];
			e->version = versions[j];
			assert_int_equal(spa_enc_plaintext(e, plain, cap, &n),
			    0);
			if (n % 16 == 0)
				return n;
		}
	}
	fail_msg("no block-sized plaintext");
	return 0;
}

/* libfko strips PKCS#7 only when it is well formed, and never fails on it. */
static void
open_accepts_unpadded_plaintext(void **state)
{
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	char plain[SPA_ENC_MAX];
	size_t n;

	tkey_load(&t);
	e = enc_default(&t);
	n = block_sized_plaintext(&e, plain, sizeof(plain));
	e.no_padding = true;
	/* The last byte is a digest character: no pad, nothing stripped. */
	assert_int_equal(seal_and_open(&e, plain, n, &m), 0);
	assert_string_equal(m.version, e.version);
}

static void
open_leaves_malformed_padding_in_place(void **state)
{
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	char plain[SPA_ENC_MAX];
	size_t n;

	tkey_load(&t);
	e = enc_default(&t);
	n = block_sized_plaintext(&e, plain, sizeof(plain));
	e.no_padding = true;
	/* A last block ending 0x01 0x02 is no pad: left in place. */
	memset(plain + n, 'x', 16);
	memcpy(plain + n + 14, "\x01\x02", 2);
	assert_int_equal(seal_and_open(&e, plain, n + 16, &m), SPA_ERR_FIELDS);
	/* A last byte over 16 is no pad either. */
	memcpy(plain + n + 14, "\x01\x11", 2);
	assert_int_equal(seal_and_open(&e, plain, n + 16, &m), SPA_ERR_FIELDS);
	/* A well-formed pad of 16 is stripped. */
	memset(plain + n, 16, 16);
	assert_int_equal(seal_and_open(&e, plain, n + 16, &m), 0);
}

/* ------------------------------------------------------------------------ */
/* legacy mode                                                               */

static int
open_legacy_vector(const char *file, enum spa_mode mode, const char *pass)
{
	struct vec v;
	struct spa_key k;
	struct spa_packet m;
	const char *p;
	int r;

	vec_load(file, &v);
	p = vec_need(&v, "packet");
	assert_int_equal(spa_key_init(&k, mode, (const uint8_t *)pass,
	    strlen(pass), SPA_DIGEST_NONE, NULL, 0), 0);
	r = spa_open(&k, p, strlen(p), &m);
	spa_key_clear(&k);
	vec_free(&v);
	return r;
}

static void
legacy_pads_short_key_with_zeros(void **state)
{
	assert_int_equal(open_legacy_vector("39-legacy-shortkey.vec",
	    SPA_MODE_LEGACY, "shortpw"), 0);
	assert_int_equal(open_legacy_vector("39-legacy-shortkey.vec",
	    SPA_MODE_LEGACY, "shortpw000000000"), 0);
	/* The same bytes in CBC mode are a different key. */
	assert_int_equal(open_legacy_vector("39-legacy-shortkey.vec",
	    SPA_MODE_CBC, "shortpw"), SPA_ERR_DECRYPT);
	assert_int_equal(open_legacy_vector("39-legacy-shortkey.vec",
	    SPA_MODE_CBC, "shortpw000000000"), 0);
	assert_int_equal(open_legacy_vector("39-legacy-shortkey.vec",
	    SPA_MODE_LEGACY, "shortpx"), SPA_ERR_DECRYPT);
}

static void
legacy_truncates_long_key_to_16(void **state)
{
	assert_int_equal(open_legacy_vector("40-legacy-longkey.vec",
	    SPA_MODE_LEGACY, "legacykey1234567890x"), 0);
	assert_int_equal(open_legacy_vector("40-legacy-longkey.vec",
	    SPA_MODE_LEGACY, "legacykey1234567"), 0);
	assert_int_equal(open_legacy_vector("40-legacy-longkey.vec",
	    SPA_MODE_LEGACY, "legacykey1234567-anything"), 0);
	assert_int_equal(open_legacy_vector("40-legacy-longkey.vec",
	    SPA_MODE_CBC, "legacykey1234567890x"), SPA_ERR_DECRYPT);
}

/* ------------------------------------------------------------------------ */
/* spa_decode: structure and digest                                          */

static void
decode_rejects_non_printable_bytes(void **state)
{
	static const char bytes[] = { '\t', '\n', '\0', 0x7f, (char)0x80,
	    (char)0xff, 0x10 };
	char plain[SPA_ENC_MAX];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t n, i;

	tkey_load(&t);
	e = enc_default(&t);
	for (i = 0; i < sizeof(bytes); i++) {
		assert_int_equal(spa_enc_plaintext(&e, plain, sizeof(plain),
		    &n), 0);
		plain[20] = bytes[i];	/* inside the username field */
		assert_int_equal(seal_and_open(&e, plain, n, &m),
		    SPA_ERR_FIELDS);
	}
}

static void
decode_rejects_too_few_colons(void **state)
{
	struct spa_packet m;

	/* Five fields plus the digest: one ':' short. */
	assert_int_equal(open_encoded(RAND ":" USER64 ":" TS ":3.0.0:1" MSG64,
	    &m), SPA_ERR_FIELDS);
	assert_int_equal(decode_encoded(RAND ":" USER64 ":" TS ":3.0.0",
	    &m), SPA_ERR_FIELDS);
}

static void
decode_rejects_plaintext_length_out_of_range(void **state)
{
	static char big[1600];
	struct spa_packet m;

	assert_int_equal(spa_decode("1234567890123456:a:b:c:d:e:f", 28, &m),
	    SPA_ERR_FIELDS);
	memset(big, 'a', sizeof(big));
	memcpy(big, "1234567890123456:a:b:c:d:e:", 27);
	assert_int_equal(spa_decode(big, 1500, &m), SPA_ERR_FIELDS);
}

static void
decode_rejects_bad_digest_length(void **state)
{
	static const size_t cut[] = { 1, 21 };
	char plain[SPA_ENC_MAX];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t n, i;

	tkey_load(&t);
	e = enc_default(&t);
	for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		assert_int_equal(spa_enc_plaintext(&e, plain, sizeof(plain),
		    &n), 0);
		assert_int_equal(seal_and_open(&e, plain, n - cut[i], &m),
		    SPA_ERR_DIGEST);
	}
	/* One character more. */
	assert_int_equal(spa_enc_plaintext(&e, plain, sizeof(plain), &n), 0);
	plain[n] = 'A';
	assert_int_equal(seal_and_open(&e, plain, n + 1, &m), SPA_ERR_DIGEST);
	/* An empty digest. */
	assert_int_equal(seal_and_open(&e, HEAD "1:" MSG64 ":",
	    strlen(HEAD "1:" MSG64 ":"), &m), SPA_ERR_DIGEST);
}

static void
decode_rejects_wrong_digest_value(void **state)
{
	static const enum spa_digest all[] = {
		SPA_DIGEST_MD5, SPA_DIGEST_SHA1, SPA_DIGEST_SHA256,
		SPA_DIGEST_SHA384, SPA_DIGEST_SHA512, SPA_DIGEST_SHA3_256,
		SPA_DIGEST_SHA3_512,
	};
	char plain[SPA_ENC_MAX];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t n, i;

	tkey_load(&t);
	e = enc_default(&t);
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		e.digest = all[i];
		assert_int_equal(spa_enc_plaintext(&e, plain, sizeof(plain),
		    &n), 0);
		flip_char(plain, n - 2);
		assert_int_equal(seal_and_open(&e, plain, n, &m),
		    SPA_ERR_DIGEST);
		/* A change in the fields is caught the same way. */
		assert_int_equal(spa_enc_plaintext(&e, plain, sizeof(plain),
		    &n), 0);
		plain[0] = plain[0] == '1' ? '2' : '1';
		assert_int_equal(seal_and_open(&e, plain, n, &m),
		    SPA_ERR_DIGEST);
	}
}

static void
decode_infers_sha3_from_length_after_sha2(void **state)
{
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;

	tkey_load(&t);
	e = enc_default(&t);
	e.digest = SPA_DIGEST_SHA3_256;
	assert_int_equal(open_fields(&e, &m), 0);
	assert_int_equal(m.digest_type, SPA_DIGEST_SHA3_256);
	e.digest = SPA_DIGEST_SHA3_512;
	assert_int_equal(open_fields(&e, &m), 0);
	assert_int_equal(m.digest_type, SPA_DIGEST_SHA3_512);
}

/* A failed decode leaves nothing behind in the output. */
static void
decode_failure_clears_output(void **state)
{
	struct spa_packet m, zero;

	memset(&zero, 0, sizeof(zero));
	assert_int_equal(open_encoded(HEAD "1:" MSG64 ":" AUTH64 ":x", &m),
	    SPA_ERR_FIELDS);
	assert_memory_equal(&m, &zero, sizeof(m));
}

/* ------------------------------------------------------------------------ */
/* spa_decode: fixed fields                                                  */

static void
decode_rejects_bad_random(void **state)
{
	static const char *const bad[] = {
		"123456789012345", "12345678901234567", "123456789012345a",
		"+23456789012345", " 234567890123456", "",
	};
	char enc[256];
	struct spa_packet m;
	size_t i;

	/* spa_open's oracle already demands 16 digits: spa_decode alone. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(enc, sizeof(enc), "%s:" USER64 ":" TS ":3.0.0:1:"
		    MSG64, bad[i]);
		assert_int_equal(decode_encoded(enc, &m), SPA_ERR_RANDOM);
	}
}

static void
decode_rejects_username_bad_characters(void **state)
{
	static const char *const bad[] = {
		"a\"b", "a/b", "a\\b", "a[b", "a]b", "a:b", "a;b", "a|b",
		"a=b", "a,b", "a+b", "a*b", "a?b", "a<b", "a>b", ",1", "\x10x",
		"abc\x7f",
	};
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t i;

	tkey_load(&t);
	e = enc_default(&t);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.user = bad[i];
		assert_int_equal(open_fields(&e, &m), SPA_ERR_USERNAME);
	}
}

static void
decode_accepts_username_space_and_punctuation(void **state)
{
	static const char *const good[] = {
		"alice smith", "a.b-c_d", "x@example.org", "~!#$%^&()'{}`",
		"a", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL",
	};
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t i;

	tkey_load(&t);
	e = enc_default(&t);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		e.user = good[i];
		assert_int_equal(open_fields(&e, &m), 0);
		assert_string_equal(m.user, good[i]);
	}
}

static void
decode_rejects_username_length(void **state)
{
	char big[1001];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;

	tkey_load(&t);
	e = enc_default(&t);
	/* 49 bytes: 66 base64 characters, over the 64 limit. */
	e.user = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLM";
	assert_int_equal(open_fields(&e, &m), SPA_ERR_USERNAME);
	e.user = "";
	assert_int_equal(open_fields(&e, &m), SPA_ERR_USERNAME);
	/* fwknop's fuzz value: 1000 x 'A' (no envelope holds it) */
	memset(big, 'A', 1000);
	big[1000] = '\0';
	e.user = big;
	assert_int_equal(open_fields(&e, &m), SPA_ERR_LENGTH);
	assert_int_equal(decode_fields(&e, &m), SPA_ERR_USERNAME);
}

static void
decode_rejects_username_bad_base64(void **state)
{
	static const char *const bad[] = {
		"YWxp*2U",	/* non-base64 character */
		"YWxpY2U=",	/* padding left in */
		"YWxpY",	/* 1 mod 4 */
		"YWxp\x10" "2U",
	};
	char enc[256];
	struct spa_packet m;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(enc, sizeof(enc), RAND ":%s:" TS ":3.0.0:1:" MSG64,
		    bad[i]);
		if (strchr(bad[i], '\x10') != NULL)
			assert_int_equal(decode_encoded(enc, &m),
			    SPA_ERR_FIELDS);	/* caught as non-printable */
		else
			assert_int_equal(open_encoded(enc, &m),
			    SPA_ERR_USERNAME);
	}
}

static void
decode_rejects_bad_timestamp(void **state)
{
	static const char *const bad[] = {
		"+1795343068", "-1795343068", " 1795343068", "1795343068 ",
		"1234567890123", "17953430x8", "", "0x1234",
	};
	char enc[256];
	struct spa_packet m;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(enc, sizeof(enc), RAND ":" USER64 ":%s:3.0.0:1:"
		    MSG64, bad[i]);
		assert_int_equal(open_encoded(enc, &m), SPA_ERR_TIMESTAMP);
	}
}

static void
decode_accepts_twelve_digit_timestamp(void **state)
{
	struct spa_packet m;

	assert_int_equal(open_encoded(RAND ":" USER64 ":999999999999:3.0.0:1:"
	    MSG64, &m), 0);
	assert_int_equal(m.timestamp, 999999999999LL);
	assert_int_equal(open_encoded(RAND ":" USER64 ":0:3.0.0:1:" MSG64,
	    &m), 0);
	assert_int_equal(m.timestamp, 0);
}

static void
decode_rejects_bad_version(void **state)
{
	struct spa_packet m;

	assert_int_equal(open_encoded(RAND ":" USER64 ":" TS "::1:" MSG64,
	    &m), SPA_ERR_VERSION);
	assert_int_equal(open_encoded(RAND ":" USER64 ":" TS ":123456789:1:"
	    MSG64, &m), SPA_ERR_VERSION);
	assert_int_equal(open_encoded(RAND ":" USER64 ":" TS ":12345678:1:"
	    MSG64, &m), 0);
	assert_string_equal(m.version, "12345678");
}

static void
decode_rejects_bad_message_type(void **state)
{
	static const char *const bad[] = { "7", "9", "-1", "-2", "255", "",
	    "a", "+1", " 1", "99" };
	char enc[256];
	struct spa_packet m;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(enc, sizeof(enc), HEAD "%s:" MSG64, bad[i]);
		assert_int_equal(open_encoded(enc, &m), SPA_ERR_REQUEST);
	}
}

/* fwknop's fuzzing patches: doubled and missing separators (§7.3). */
static void
decode_rejects_doubled_and_missing_colons(void **state)
{
	static const struct {
		const char	*enc;
		int		 err;
	} t[] = {
		{ RAND "::" USER64 ":" TS ":3.0.0:1:" MSG64, SPA_ERR_USERNAME },
		{ RAND ":" USER64 "::" TS ":3.0.0:1:" MSG64, SPA_ERR_TIMESTAMP },
		{ RAND ":" USER64 ":" TS "::3.0.0:1:" MSG64, SPA_ERR_VERSION },
		{ RAND ":" USER64 TS ":3.0.0:1:" MSG64 ":x", SPA_ERR_USERNAME },
		{ RAND ":" USER64 ":" TS "3.0.0:1:" MSG64 ":x",
		    SPA_ERR_TIMESTAMP },
		{ RAND ":" USER64 ":" TS ":3.0.01:" MSG64 ":x",
		    SPA_ERR_REQUEST },
		{ RAND ":" USER64 ":" TS ":3.0.0:1" MSG64 ":x",
		    SPA_ERR_REQUEST },
		{ HEAD "1::" MSG64, SPA_ERR_MESSAGE },
	};
	struct spa_packet m;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(open_encoded(t[i].enc, &m), t[i].err);
	/* Separator before the username removed: only spa_decode sees it. */
	assert_int_equal(decode_encoded(RAND USER64 ":" TS ":3.0.0:1:" MSG64
	    ":x", &m), SPA_ERR_RANDOM);
}

/* ------------------------------------------------------------------------ */
/* fwknop's libfko fuzzing patches (test/fuzzing/patches), one per test:     */
/* the encoded text each patch makes, digested as the patched client does   */

/* An encoded text with byte `at` (inside the random value) set to `c`. */
static void
random_byte_set(char *enc, size_t cap, size_t at, char c)
{
	snprintf(enc, cap, HEAD "1:" MSG64);
	enc[at] = c;
}

/*
 * encoding_append_b64_modified_byte (0x10 at byte 1), its _eq variant ('='
 * at byte 1) and encoding_non_digit_rand_val (0x10 at byte 2).  Through
 * the envelope, the "16 digits then ':'" check after decryption refuses
 * them like a wrong key; spa_decode alone names the field.
 */
static void
patch_bytes_in_random_value_are_refused(void **state)
{
	static const struct {
		size_t	at;
		char	c;
		int	decode_err;
	} t[] = {
		{ 1, 0x10, SPA_ERR_FIELDS },	/* not printable */
		{ 1, '=', SPA_ERR_RANDOM },
		{ 2, 0x10, SPA_ERR_FIELDS },
	};
	char enc[256];
	struct spa_packet m;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		random_byte_set(enc, sizeof(enc), t[i].at, t[i].c);
		assert_int_equal(open_encoded(enc, &m), SPA_ERR_DECRYPT);
		assert_int_equal(decode_encoded(enc, &m), t[i].decode_err);
	}
	/* the unpatched text opens */
	random_byte_set(enc, sizeof(enc), 1, '2');
	assert_int_equal(open_encoded(enc, &m), 0);
}

/*
 * encoding_non_b64_access_msg ('*' as the next-to-last character of the
 * base64 message) and non_b64_user_char (0x10 as the next-to-last
 * character of the base64 username).
 */
static void
patch_non_base64_fields_are_refused(void **state)
{
	char msg[] = MSG64, user[] = USER64, enc[256];
	struct spa_packet m;

	msg[strlen(msg) - 2] = '*';
	snprintf(enc, sizeof(enc), HEAD "1:%s", msg);
	assert_int_equal(open_encoded(enc, &m), SPA_ERR_MESSAGE);
	user[strlen(user) - 2] = 0x10;
	snprintf(enc, sizeof(enc), RAND ":%s:" TS ":3.0.0:1:" MSG64, user);
	assert_int_equal(open_encoded(enc, &m), SPA_ERR_FIELDS);
	assert_int_equal(decode_encoded(enc, &m), SPA_ERR_FIELDS);
}

/* encoding_strip_eq_return: base64 '=' padding left in every field. */
static void
patch_base64_padding_kept_is_refused(void **state)
{
	struct spa_packet m;

	/* "alice" and "1.2.3.4,tcp/22" both need one '=' of padding */
	assert_int_equal(open_encoded(RAND ":" USER64 "=:" TS ":3.0.0:1:" MSG64,
	    &m), SPA_ERR_USERNAME);
	assert_int_equal(open_encoded(HEAD "1:" MSG64 "=", &m),
	    SPA_ERR_MESSAGE);
	assert_int_equal(open_encoded(RAND ":" USER64 "=:" TS ":3.0.0:1:"
	    MSG64 "=", &m), SPA_ERR_USERNAME);
	/* NAT and server_auth fields the same way */
	assert_int_equal(open_encoded(HEAD "2:" MSG64 ":" NAT64 "==", &m),
	    SPA_ERR_NAT);
	assert_int_equal(open_encoded(HEAD "1:" MSG64 ":" AUTH64 "=", &m),
	    SPA_ERR_FIELDS);
}

/*
 * extra_timestamp_digit: the client's timestamp with a '1' appended, 11
 * digits.  libfko decodes it, and so does spa_decode (up to 12 digits);
 * what refuses it is the age check: it is centuries ahead of the clock.
 */
static void
patch_extra_timestamp_digit_is_refused_by_age(void **state)
{
	static const char policy[] = "SOURCE ANY\nKEY_BASE64 " ENC_B64 "\n"
	    "HMAC_KEY_BASE64 " H64_B64 "\nCMD_CYCLE_OPEN /bin/true\n"
	    "CMD_CYCLE_CLOSE NONE\n";
	struct access_conf *conf = NULL;
	struct access_error aerr;
	struct policy_opts opts = { .max_packet_age = 120 };
	struct policy_input in;
	struct policy_result res;
	struct pkt_info pkt;
	struct spa_event ev;
	struct spa_packet m;
	char wire[SPA_ENC_MAX], plain[SPA_ENC_MAX];
	struct tkey t;
	struct spa_enc e;
	size_t n = 0, wl = 0;

	tkey_load(&t);
	e = enc_default(&t);
	assert_int_equal(spa_enc_digest(RAND ":" USER64 ":" TS "1:3.0.0:1:"
	    MSG64, SPA_DIGEST_SHA256, plain, sizeof(plain), &n), 0);
	assert_int_equal(seal_and_open(&e, plain, n, &m), 0);
	assert_int_equal(m.timestamp, 17953430681LL);
	assert_int_equal(spa_enc_seal(&e, plain, n, wire, sizeof(wire), &wl),
	    0);
	assert_int_equal(access_load_buffer("test.conf", policy,
	    strlen(policy), &conf, &aerr), 0);
	assert_int_equal(policy_prepare(conf), 0);
	memset(&pkt, 0, sizeof(pkt));
	assert_int_equal(addr_parse("192.0.2.10", &pkt.src), 0);
	assert_int_equal(addr_parse("198.51.100.1", &pkt.dst), 0);
	pkt.proto = IPPROTO_UDP;
	memset(&in, 0, sizeof(in));
	in.pkt = &pkt;
	in.via = SPA_VIA_UDP;
	in.wire = wire;
	in.len = wl;
	in.now_s = 1795343068;
	assert_int_equal(policy_match(conf, &opts, &in, &ev, &res), SPA_ERR_AGE);
	assert_true(res.authenticated);
	/* the same packet without the extra digit is granted */
	assert_int_equal(spa_enc_packet(&e, wire, sizeof(wire), &wl), 0);
	in.len = wl;
	assert_int_equal(policy_match(conf, &opts, &in, &ev, &res), 0);
	policy_release(conf);
	access_free(conf);
}

/* A version string of `len` 'A's in an otherwise valid access request. */
static int
open_with_version_of(size_t len, bool decode_only, struct spa_packet *m)
{
	char version[400];
	struct tkey t;
	struct spa_enc e;

	assert_true(len < sizeof(version));
	memset(version, 'A', len);
	version[len] = '\0';
	tkey_load(&t);
	e = enc_default(&t);
	e.version = version;
	return decode_only ? decode_fields(&e, m) : open_fields(&e, m);
}

/*
 * invalid_long_proto_define_enc_mode_trigger (a 346-character protocol
 * version: the packet is long enough to be taken for GnuPG) and
 * invalid_long_proto_define_rijndael_trigger (143 characters: still a
 * Rijndael packet, refused at the version field).
 */
static void
patch_long_protocol_versions_are_refused(void **state)
{
	struct spa_packet m;

	assert_int_equal(open_with_version_of(346, false, &m), SPA_ERR_GPG);
	assert_int_equal(open_with_version_of(346, true, &m), SPA_ERR_VERSION);
	assert_int_equal(open_with_version_of(143, false, &m), SPA_ERR_VERSION);
	assert_int_equal(open_with_version_of(8, false, &m), 0);
}

/* long_ip: the client's 16-byte IPv4 limit raised to 1000. */
static void
patch_long_allow_ip_is_refused(void **state)
{
	char msg[1100];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t i;

	for (i = 0; i < 1000; i += 2)
		memcpy(msg + i, "1.", 2);
	memcpy(msg + 999, ",tcp/22", 8);
	tkey_load(&t);
	e = enc_default(&t);
	e.message = msg;
	/* no packet that long exists: over 1499 bytes on the wire */
	assert_int_equal(open_fields(&e, &m), SPA_ERR_LENGTH);
	assert_int_equal(decode_fields(&e, &m), SPA_ERR_MESSAGE);
	/* one an envelope can carry: a 120-character "address" */
	memcpy(msg + 119, ",tcp/22", 8);
	assert_int_equal(open_fields(&e, &m), SPA_ERR_MESSAGE);
}

/* ------------------------------------------------------------------------ */
/* fwknop's rijndael_fuzzing.pl: authenticated packets from a modified      */
/* client, rebuilt here with the same fields                                 */

/* Open e's fields as CBC with HMAC, then as fwknopd's test did: legacy IV,
 * no HMAC; both must give `want`. */
static void
both_envelopes_refuse(struct spa_enc *e, int want)
{
	struct spa_packet m;
	int r;

	if ((r = open_fields(e, &m)) != want)
		fail_msg("'%s': CBC+HMAC: got %s, want %s", e->message,
		    spa_errname(r), spa_errname(want));
	e->mode = SPA_MODE_LEGACY;
	e->hmac_type = SPA_DIGEST_NONE;
	if ((r = open_fields(e, &m)) != want)
		fail_msg("'%s': legacy, no HMAC: got %s, want %s", e->message,
		    spa_errname(r), spa_errname(want));
	e->mode = SPA_MODE_CBC;
	e->hmac_type = SPA_DIGEST_SHA256;
}

static void
rijndael_fuzzing_packets_are_refused(void **state)
{
	char port40[64], proto28[64], octet136[200];
	const char *const msgs[] = {
		port40,			/* overly long port value */
		proto28,		/* overly long proto value */
		"127.0.0.2,tcp/-33",	/* negative port value */
		"127.0.0.2,tcp/",	/* null port value */
		"127.0.0.2,/22",	/* null proto value */
	};
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t i;

	snprintf(port40, sizeof(port40), "127.0.0.2,tcp/%s",
	    "1111111111111111111111111111111111111111");
	assert_int_equal(strlen(port40) - 14, 40);
	snprintf(proto28, sizeof(proto28), "127.0.0.2,tcp%s/1",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	assert_int_equal(strlen(proto28) - 15, 28);
	memset(octet136, '1', 136);
	strcpy(octet136 + 136, ".0.0.1,tcp/22");	/* overly long IP */
	tkey_load(&t);
	e = enc_default(&t);
	e.user = "fwknop";
	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		e.message = msgs[i];
		both_envelopes_refuse(&e, SPA_ERR_MESSAGE);
	}
	/* The 136-digit octet makes a packet of GnuPG size, as upstream's. */
	e.message = octet136;
	both_envelopes_refuse(&e, SPA_ERR_GPG);
	assert_int_equal(decode_fields(&e, &m), SPA_ERR_MESSAGE);
	/* invalid NAT IP: -N 999.1.1.1:22 */
	e.message = "127.0.0.2,tcp/22";
	e.type = SPA_REQ_NAT_ACCESS;
	e.nat = "999.1.1.1,22";
	both_envelopes_refuse(&e, SPA_ERR_NAT);
	e.nat = "99.1.1.1,22";
	assert_int_equal(open_fields(&e, &m), 0);
	/* the long-version packets: patch_long_protocol_versions_are_refused */
}

/* ------------------------------------------------------------------------ */
/* test-fwknop.pl's packet corruptions of a real packet                      */

/* A valid packet with a fixed salt: its first characters are known. */
static size_t
fixed_wire(struct tkey *t, struct spa_enc *e, char *wire, size_t cap,
    bool hmac)
{
	static const uint8_t salt[8] = { 0x81, 0x26, 0x02, 0x41, 0x1a, 0x24,
	    0x5a, 0x8b };
	size_t n = 0;

	tkey_load(t);
	*e = enc_default(t);
	e->salt = salt;
	if (!hmac)
		e->hmac_type = SPA_DIGEST_NONE;
	assert_int_equal(spa_enc_packet(e, wire, cap, &n), 0);
	assert_memory_not_equal(wire, "AAAAA", 5);
	assert_memory_not_equal(wire + n - 5, "AAAAA", 5);
	return n;
}

static void
packet_corruptions_are_refused(void **state)
{
	char wire[SPA_ENC_MAX], buf[SPA_ENC_MAX + 8];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t n;

	/* altered_non_base64_spa_data: the 4th character becomes ':' */
	n = fixed_wire(&t, &e, wire, sizeof(wire), true);
	wire[3] = ':';
	assert_int_equal(open_wire(&e, wire, n, &m), SPA_ERR_NOT_BASE64);
	/* altered_base64_spa_data: first 4 -> "AAAA", last 5 -> "AAAAA" */
	n = fixed_wire(&t, &e, wire, sizeof(wire), true);
	memcpy(wire, "AAAA", 4);
	memcpy(wire + n - 5, "AAAAA", 5);
	assert_int_equal(open_wire(&e, wire, n, &m), SPA_ERR_HMAC);
	/* altered_pkt_hmac_spa_data: first 5 -> "AAAAA", HMAC untouched */
	n = fixed_wire(&t, &e, wire, sizeof(wire), true);
	memcpy(wire, "AAAAA", 5);
	assert_int_equal(open_wire(&e, wire, n, &m), SPA_ERR_HMAC);
	/* the same without an HMAC: "Salted__" no longer decodes */
	n = fixed_wire(&t, &e, wire, sizeof(wire), false);
	memcpy(wire, "AAAAA", 5);
	assert_int_equal(open_wire(&e, wire, n, &m), SPA_ERR_CIPHERTEXT);
	/* rijndael_replay_attacks.pl: "hQ" (GnuPG's prefix) prepended */
	memcpy(buf, "hQ", 2);
	n = fixed_wire(&t, &e, buf + 2, sizeof(buf) - 2, true);
	assert_int_equal(open_wire(&e, buf, n + 2, &m), SPA_ERR_HMAC);
	n = fixed_wire(&t, &e, buf + 2, sizeof(buf) - 2, false);
	assert_int_equal(open_wire(&e, buf, n + 2, &m), SPA_ERR_CIPHERTEXT);
	/* and the salt prefix "U2FsdGVkX1" (not base64-decodable as SPA) */
	memcpy(buf, "U2FsdGVkX1", 10);
	n = fixed_wire(&t, &e, buf + 10, sizeof(buf) - 10, true);
	assert_int_equal(open_wire(&e, buf, n + 10, &m), SPA_ERR_PREFIX);
	/* the untouched packet opens */
	n = fixed_wire(&t, &e, wire, sizeof(wire), true);
	assert_int_equal(open_wire(&e, wire, n, &m), 0);
}

/* "ignore packets < min SPA len (140)" and server_packet_limit's 700. */
static void
all_a_payloads_of_120_and_700_bytes_are_refused(void **state)
{
	char buf[700];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;

	memset(buf, 'A', sizeof(buf));
	tkey_load(&t);
	e = enc_default(&t);
	assert_int_equal(open_wire(&e, buf, 120, &m), SPA_ERR_LENGTH);
	/* 700 is a legal length and alphabet: GnuPG-sized, refused unread */
	assert_int_equal(spa_precheck(buf, 700), 0);
	assert_int_equal(open_wire(&e, buf, 700, &m), SPA_ERR_GPG);
	e.hmac_type = SPA_DIGEST_NONE;
	e.hmac_key = NULL;
	e.hmac_key_len = 0;
	assert_int_equal(open_wire(&e, buf, 700, &m), SPA_ERR_GPG);
}

/* ------------------------------------------------------------------------ */
/* field count per type                                                      */

static void
decode_field_count_per_type(void **state)
{
	static const struct {
		const char	*rest;
		int		 err;
	} t[] = {
		/* type 0 and 1: message [server_auth] */
		{ "0:" CMD64, 0 },
		{ "0:" CMD64 ":" AUTH64, 0 },
		{ "0:" CMD64 ":" AUTH64 ":" AUTH64, SPA_ERR_FIELDS },
		{ "1:" MSG64, 0 },
		{ "1:" MSG64 ":" AUTH64, 0 },
		{ "1:" MSG64 ":" AUTH64 ":45", SPA_ERR_FIELDS },
		/* type 2 and 5: message nat [server_auth] */
		{ "2:" MSG64, SPA_ERR_FIELDS },
		{ "2:" MSG64 ":" NAT64, 0 },
		{ "2:" MSG64 ":" NAT64 ":" AUTH64, 0 },
		{ "2:" MSG64 ":" NAT64 ":" AUTH64 ":" AUTH64, SPA_ERR_FIELDS },
		{ "5:" MSG64, SPA_ERR_FIELDS },
		{ "5:" MSG64 ":" NAT64, 0 },
		{ "5:" MSG64 ":" NAT64 ":" AUTH64 ":45", SPA_ERR_FIELDS },
		/* type 3: message [server_auth] timeout */
		{ "3:" MSG64, SPA_ERR_FIELDS },
		{ "3:" MSG64 ":45", 0 },
		{ "3:" MSG64 ":" AUTH64 ":45", 0 },
		{ "3:" MSG64 ":" AUTH64 ":" AUTH64 ":45", SPA_ERR_FIELDS },
		/* type 4 and 6: message nat [server_auth] timeout */
		{ "4:" MSG64 ":" NAT64, SPA_ERR_FIELDS },
		{ "4:" MSG64 ":" NAT64 ":45", 0 },
		{ "4:" MSG64 ":" NAT64 ":" AUTH64 ":45", 0 },
		{ "4:" MSG64 ":" NAT64 ":" AUTH64 ":45:45", SPA_ERR_FIELDS },
		{ "6:" MSG64 ":" NAT64, SPA_ERR_FIELDS },
		{ "6:" MSG64 ":" NAT64 ":45", 0 },
		{ "6:" MSG64 ":" NAT64 ":" AUTH64 ":45:45", SPA_ERR_FIELDS },
		/* far too many fields */
		{ "1:" MSG64 ":a:b:c:d:e:f:g:h", SPA_ERR_FIELDS },
	};
	char enc[512];
	struct spa_packet m;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(enc, sizeof(enc), HEAD "%s", t[i].rest);
		if (open_encoded(enc, &m) != t[i].err)
			fail_msg("%s: got %s", t[i].rest,
			    spa_errname(open_encoded(enc, &m)));
	}
}

static void
decode_places_optional_fields_by_type(void **state)
{
	struct spa_packet m;

	assert_int_equal(open_encoded(HEAD "1:" MSG64 ":" AUTH64, &m), 0);
	assert_true(m.has_server_auth);
	assert_string_equal(m.server_auth, "secret");
	assert_false(m.has_nat);
	assert_int_equal(m.client_timeout, 0);

	assert_int_equal(open_encoded(HEAD "3:" MSG64 ":45", &m), 0);
	assert_false(m.has_server_auth);
	assert_int_equal(m.client_timeout, 45);

	assert_int_equal(open_encoded(HEAD "4:" MSG64 ":" NAT64 ":" AUTH64
	    ":65536", &m), 0);
	assert_true(m.has_nat);
	assert_string_equal(m.nat_host, "192.168.10.2");
	assert_int_equal(m.nat_port, 22);
	assert_true(m.has_server_auth);
	assert_int_equal(m.client_timeout, 65536);
}

static void
decode_rejects_empty_server_auth(void **state)
{
	struct spa_packet m;

	assert_int_equal(open_encoded(HEAD "1:" MSG64 ":", &m),
	    SPA_ERR_FIELDS);
	assert_int_equal(open_encoded(HEAD "3:" MSG64 "::45", &m),
	    SPA_ERR_FIELDS);
	assert_int_equal(open_encoded(HEAD "1:" MSG64 ":c2Vj*mV0", &m),
	    SPA_ERR_FIELDS);
}

/* ------------------------------------------------------------------------ */
/* access request                                                            */

static void
decode_rejects_access_message_defects(void **state)
{
	static const char *const bad[] = {
		"1.2.3.4", "1.2.3.4,", "1.2.3.4.,tcp/22", "1.2.3.4..,tcp/22",
		"256.2.3.4,tcp/22", "1.2.3.999,tcp/22", "a.b.c.d,tcp/22",
		"1.2.3,tcp/22", "1.2.3.4.5,tcp/22", "1.2.3.4tcp/22",
		"1.2.3.4,,tcp/22", "1.2.3.4,tcp/22,", "1.2.3.4,tcp/22,,udp/53",
		",1.2.3.4,tcp/22", "1.2.3.4,tcp/2a2",
		"1.2.3.4,tcp/1234567890123456789012345678901234567890",
		"1.2.3.4,tcp//22", "1.2.3.4,tcp/22/", "1.2.3.4,rcp/22",
		"1.2.3.4,icmp/0", "1.2.3.4,none/0", "1.2.3.4,tcp/-1",
		"1.2.3.4,tcp/-33", "1.2.3.4,tcp/0", "1.2.3.4,tcp/65536",
		"1.2.3.4,tcp/+22", "1.2.3.4,tcp/ 22", "1.2.3.4,tcp/22 ",
		"1.2.3.4,TCP/22", "1.2.3.4,Udp/53", "1.2.3.4,tcp", "1.2.3.4,tcp/",
		"1.2.3.4,/22", "1.2.3.4,22", "1.2.3.4,tcp/22,udp/x",
		"1.2.3.4,tcp/22:", "1.2.3.4,%", ",,,", "----", "1.2.3.4,A",
		"1.2.3.4,tcpp/22", "1.2.3.4,tc/22", " 1.2.3.4,tcp/22",
		"01.2.3.4,tcp/22", "1.2.3.010,tcp/22", "1.00.3.4,tcp/22",
		"1.2.3.4,tcp/12345678901234567890123456789012345678901234567890"
		    "12345678901234567890123456789012345678901234567890123456789",
		"1234567890123456789012345678901234567890"
		    "12345678901234567890,tcp/22",
	};
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t i;
	int r;

	tkey_load(&t);
	e = enc_default(&t);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.message = bad[i];
		if ((r = open_fields(&e, &m)) != SPA_ERR_MESSAGE)
			fail_msg("'%s': got %s", bad[i], spa_errname(r));
	}
}

static void
decode_rejects_oversized_messages(void **state)
{
	char big[1100];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	static const char fill[] = { '/', 'A', ':', '%' };
	size_t i;

	tkey_load(&t);
	e = enc_default(&t);
	for (i = 0; i < sizeof(fill); i++) {
		memset(big, fill[i], 400);
		big[400] = '\0';
		e.message = big;
		/* Far over any limit: GnuPG-sized, refused before decryption. */
		assert_int_equal(open_fields(&e, &m), SPA_ERR_GPG);
		/* fwknop's 1000 x '/', 'A', ':', '%': no packet is that long */
		memset(big, fill[i], 1000);
		big[1000] = '\0';
		assert_int_equal(open_fields(&e, &m), SPA_ERR_LENGTH);
		assert_int_equal(decode_fields(&e, &m), SPA_ERR_MESSAGE);
	}
	/*
	 * 193 decoded bytes (258 base64 characters) is over the 256 limit;
	 * such a plaintext cannot fit under the 400-character envelope, so
	 * spa_decode alone sees it.
	 */
	memset(big, '0', sizeof(big));
	memcpy(big, "1.2.3.4,tcp/22,tcp/", 19);
	big[193] = '\0';
	e.message = big;
	assert_int_equal(decode_fields(&e, &m), SPA_ERR_MESSAGE);
	memset(big, 'A', sizeof(big));
	memcpy(big, "1.2.3.4,", 8);
	big[193] = '\0';
	e.message = big;
	e.type = SPA_REQ_COMMAND;
	assert_int_equal(strlen(e.message), 193);
	assert_int_equal(decode_fields(&e, &m), SPA_ERR_MESSAGE);
}

static void
decode_rejects_nul_anywhere_in_message(void **state)
{
	const char *msg = "1.2.3.4,tcp/22";
	char raw[32], b64[64], enc[256];
	struct spa_packet m;
	size_t i, n = strlen(msg);

	for (i = 0; i < n; i++) {
		memcpy(raw, msg, n);
		raw[i] = '\0';
		b64_encode((const uint8_t *)raw, n, b64);
		snprintf(enc, sizeof(enc), HEAD "1:%s", b64);
		assert_int_equal(open_encoded(enc, &m), SPA_ERR_MESSAGE);
	}
}

static void
decode_accepts_access_messages(void **state)
{
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	char buf[ADDR_STRLEN];

	tkey_load(&t);
	e = enc_default(&t);
	e.message = "0.0.0.0,udp/1,tcp/65535,tcp/022";
	assert_int_equal(open_fields(&e, &m), 0);
	assert_true(addr_is_unspecified(&m.allow));
	assert_int_equal(m.nports, 3);
	assert_int_equal(m.ports[0].proto, IPPROTO_UDP);
	assert_int_equal(m.ports[0].port, 1);
	assert_int_equal(m.ports[1].proto, IPPROTO_TCP);
	assert_int_equal(m.ports[1].port, 65535);
	assert_int_equal(m.ports[2].port, 22);
	e.message = "255.255.255.255,tcp/22";
	assert_int_equal(open_fields(&e, &m), 0);
	assert_string_equal(addr_fmt(&m.allow, buf), "255.255.255.255");
}

static void
parse_ports_limits_count(void **state)
{
	struct spa_port ports[SPA_MAX_PORTS];
	char list[SPA_MAX_PORTS * 8 + 16];
	size_t i, n, o = 0;

	for (i = 0; i < SPA_MAX_PORTS; i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%stcp/%zu",
		    i ? "," : "", i + 1);
	assert_int_equal(spa_parse_ports(list, ports, SPA_MAX_PORTS, &n), 0);
	assert_int_equal(n, SPA_MAX_PORTS);
	assert_int_equal(ports[SPA_MAX_PORTS - 1].port, SPA_MAX_PORTS);
	snprintf(list + o, sizeof(list) - o, ",udp/9");
	assert_int_equal(spa_parse_ports(list, ports, SPA_MAX_PORTS, &n),
	    SPA_ERR_MESSAGE);
	assert_int_equal(spa_parse_ports("tcp/1,tcp/2,tcp/3", ports, 2, &n),
	    SPA_ERR_MESSAGE);
	assert_int_equal(spa_parse_ports("", ports, 2, &n), SPA_ERR_MESSAGE);
}

/* ------------------------------------------------------------------------ */
/* command request                                                           */

static void
decode_rejects_command_message_defects(void **state)
{
	static const char *const bad[] = {
		"1.2.3.4,", "1.2.3.4", "-1,ls", "1,ls", "A,ls", "999.3.4.5,ls",
		"1.2.3.,ls", ",ls", "1.2.3.4 ,ls", "1.2.3.4.5,ls",
	};
	char enc[256], b64[64], big[1010];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t i;

	tkey_load(&t);
	e = enc_default(&t);
	e.type = SPA_REQ_COMMAND;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.message = bad[i];
		assert_int_equal(open_fields(&e, &m), SPA_ERR_MESSAGE);
	}
	/* a NUL byte where the address starts */
	b64_encode((const uint8_t *)"\0.2.3.4,ls", 10, b64);
	snprintf(enc, sizeof(enc), HEAD "0:%s", b64);
	assert_int_equal(open_encoded(enc, &m), SPA_ERR_MESSAGE);
	/* the address, then 1000 x 'A' */
	memcpy(big, "1.2.3.4,", 8);
	memset(big + 8, 'A', 1000);
	big[1008] = '\0';
	e.message = big;
	assert_int_equal(open_fields(&e, &m), SPA_ERR_LENGTH);
	assert_int_equal(decode_fields(&e, &m), SPA_ERR_MESSAGE);
}

static void
decode_accepts_command_message(void **state)
{
	char big[200];
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;

	tkey_load(&t);
	e = enc_default(&t);
	e.type = SPA_REQ_COMMAND;
	e.message = "10.0.0.1,ipset add allow 10.0.0.1, with, commas";
	assert_int_equal(open_fields(&e, &m), 0);
	assert_int_equal(m.type, SPA_REQ_COMMAND);
	assert_string_equal(m.command, "ipset add allow 10.0.0.1, with, commas");
	assert_int_equal(m.nports, 0);
	/* 192 bytes, the most a message holds (spa_decode alone: too big
	 * for the envelope). */
	memset(big, 'A', sizeof(big));
	memcpy(big, "1.2.3.4,", 8);
	big[192] = '\0';
	e.message = big;
	assert_int_equal(decode_fields(&e, &m), 0);
	assert_int_equal(strlen(m.command), 184);
}

/* ------------------------------------------------------------------------ */
/* NAT field                                                                 */

static void
decode_rejects_nat_defects(void **state)
{
	static const char *const bad[] = {
		"192.168.1.1", "192.168.1.1,", "192.168.1.1,0",
		"192.168.1.1,65536", ",22", "a,b,22", "host name,22",
		"ho/st,22", "ho?st,22", "ho\"st,22", "ho'st,22", "ho\\st,22",
		"192.168.1.1,22x", "192.168.1.1,-22", "192.168.1.1,+22",
		"192.168.1.1,123456", "192.168.1.1, 22", "192.168.1.1,22,",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaa,22",	/* 71-character host */
	};
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;
	size_t i;
	int r;

	tkey_load(&t);
	e = enc_default(&t);
	e.type = SPA_REQ_NAT_ACCESS;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.nat = bad[i];
		if ((r = open_fields(&e, &m)) != SPA_ERR_NAT)
			fail_msg("'%s': got %s", bad[i], spa_errname(r));
	}
}

static void
decode_rejects_nat_bad_base64(void **state)
{
	struct spa_packet m;

	assert_int_equal(open_encoded(HEAD "2:" MSG64 ":MTky*jE2OC4xMC4yLDIy",
	    &m), SPA_ERR_NAT);
	assert_int_equal(open_encoded(HEAD "2:" MSG64 "::", &m), SPA_ERR_NAT);
}

static void
decode_accepts_nat_hosts(void **state)
{
	struct tkey t;
	struct spa_enc e;
	struct spa_packet m;

	tkey_load(&t);
	e = enc_default(&t);
	e.type = SPA_REQ_LOCAL_NAT_ACCESS;
	e.nat = "internal.example.org,65535";
	assert_int_equal(open_fields(&e, &m), 0);
	assert_string_equal(m.nat_host, "internal.example.org");
	assert_int_equal(m.nat_port, 65535);
	/* 70 characters is the limit. */
	e.nat = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaa,1";
	assert_int_equal(open_fields(&e, &m), 0);
	assert_int_equal(strlen(m.nat_host), 70);
}

/*
 * The host name rule fwknopd applies with ENABLE_NAT_DNS (nat.dns): each
 * rejection path once, and the shapes it accepts, its final dot included.
 */
static void
nat_name_syntax(void **state)
{
	static const char *const good[] = { "a", "a.b", "a.b.", "a.",
	    "inside.test", "x-1.EXAMPLE.org", "1a.2b", "a--b.c" };
	static const char *const bad[] = {
		"", "bad%host", "a_b.test", "a b", "h\xc3\xa9.test",
		".a.b", "a..b", ".", "..", "a.b..",	/* empty labels */
		"-a.b", "a.-b", "a-.b", "a.b-",		/* hyphen at an end */
		"a.b.-", "a@b", "a/b", "a:b",
	};
	char name[SPA_NAT_HOST_MAX + 2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(spa_nat_name_ok(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(spa_nat_name_ok(bad[i]));
	/* a label of 63 is fine, of 64 not */
	memset(name, 'a', 63);
	strcpy(name + 63, ".b");
	assert_true(spa_nat_name_ok(name));
	memset(name, 'a', 64);
	strcpy(name + 64, ".b");
	assert_false(spa_nat_name_ok(name));
	strcpy(name, "b.");
	memset(name + 2, 'a', 64);
	name[66] = '\0';
	assert_false(spa_nat_name_ok(name));	/* the last label too */
	/* SPA_NAT_HOST_MAX characters in all, not one more */
	for (i = 0; i < SPA_NAT_HOST_MAX; i++)
		name[i] = i % 10 == 9 ? '.' : 'a';
	name[SPA_NAT_HOST_MAX] = '\0';
	assert_true(spa_nat_name_ok(name));
	name[SPA_NAT_HOST_MAX] = 'a';
	name[SPA_NAT_HOST_MAX + 1] = '\0';
	assert_false(spa_nat_name_ok(name));
}

/* ------------------------------------------------------------------------ */
/* client timeout                                                            */

static void
decode_rejects_bad_client_timeout(void **state)
{
	static const char *const bad[] = {
		"-1", "-10", "-10000", "65537", "99999", "123456", "4a", "",
		"+5", " 5", "0x10",
	};
	char enc[256];
	struct spa_packet m;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(enc, sizeof(enc), HEAD "3:" MSG64 ":%s", bad[i]);
		assert_int_equal(open_encoded(enc, &m),
		    SPA_ERR_CLIENT_TIMEOUT);
	}
}

static void
decode_accepts_client_timeout_range(void **state)
{
	struct spa_packet m;

	assert_int_equal(open_encoded(HEAD "3:" MSG64 ":0", &m), 0);
	assert_int_equal(m.client_timeout, 0);
	assert_int_equal(open_encoded(HEAD "3:" MSG64 ":65536", &m), 0);
	assert_int_equal(m.client_timeout, 65536);
	assert_int_equal(open_encoded(HEAD "6:" MSG64 ":" NAT64 ":00030", &m),
	    0);
	assert_int_equal(m.client_timeout, 30);
}

/* ------------------------------------------------------------------------ */
/* names and replay digest                                                   */

static void
request_names_and_classes(void **state)
{
	assert_string_equal(spa_request_name(SPA_REQ_COMMAND), "command");
	assert_string_equal(spa_request_name(SPA_REQ_ACCESS), "access");
	assert_string_equal(spa_request_name(
	    SPA_REQ_CLIENT_TIMEOUT_LOCAL_NAT_ACCESS),
	    "client_timeout_local_nat_access");
	assert_string_equal(spa_request_name((enum spa_request)7),
	    "unknown");
	assert_true(spa_request_is_nat(SPA_REQ_NAT_ACCESS));
	assert_true(spa_request_is_nat(SPA_REQ_CLIENT_TIMEOUT_NAT_ACCESS));
	assert_true(spa_request_is_nat(SPA_REQ_LOCAL_NAT_ACCESS));
	assert_false(spa_request_is_nat(SPA_REQ_CLIENT_TIMEOUT_ACCESS));
	assert_false(spa_request_is_nat(SPA_REQ_COMMAND));
	assert_true(spa_request_is_local_nat(
	    SPA_REQ_CLIENT_TIMEOUT_LOCAL_NAT_ACCESS));
	assert_false(spa_request_is_local_nat(SPA_REQ_NAT_ACCESS));
	assert_string_equal(spa_proto_name(IPPROTO_TCP), "tcp");
	assert_string_equal(spa_proto_name(IPPROTO_UDP), "udp");
}

static void
replay_digest_is_sha256_of_wire_text(void **state)
{
	uint8_t d[32];
	char hx[65];

	assert_int_equal(spa_replay_digest("abc", 3, d), 0);
	hex(d, 32, hx);
	assert_string_equal(hx, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(all_vectors_decode_to_expected_fields),
		cmocka_unit_test(all_vector_plaintexts_decode),
		cmocka_unit_test(vectors_do_not_open_with_wrong_mode),
		cmocka_unit_test(worked_example_step_by_step),
		cmocka_unit_test(reference_vector_1_opens),
		cmocka_unit_test(encoder_matches_client_plaintext),
		cmocka_unit_test(encoder_packets_open_in_every_mode_and_hmac),
		cmocka_unit_test(key_init_refuses_long_enc_key),
		cmocka_unit_test(key_init_refuses_long_hmac_key),
		cmocka_unit_test(key_init_refuses_hmac_key_equal_to_enc_key),
		cmocka_unit_test(key_init_refuses_gnupg_and_legacy_with_hmac),
		cmocka_unit_test(key_init_sets_hmac_length_per_type),
		cmocka_unit_test(precheck_rejects_short_payload),
		cmocka_unit_test(precheck_rejects_long_payload),
		cmocka_unit_test(precheck_rejects_salt_prefix),
		cmocka_unit_test(precheck_rejects_equals),
		cmocka_unit_test(precheck_rejects_newline),
		cmocka_unit_test(precheck_rejects_nul),
		cmocka_unit_test(precheck_rejects_star),
		cmocka_unit_test(open_rejects_gnupg_sized_packet),
		cmocka_unit_test(open_rejects_gnupg_sized_packet_without_hmac),
		cmocka_unit_test(open_rejects_encoder_packet_of_gnupg_size),
		cmocka_unit_test(open_rejects_flipped_hmac_char),
		cmocka_unit_test(open_rejects_flipped_ciphertext_char),
		cmocka_unit_test(open_rejects_wrong_hmac_key),
		cmocka_unit_test(open_rejects_wrong_hmac_type),
		cmocka_unit_test(open_rejects_hmac_packet_on_stanza_without_hmac),
		cmocka_unit_test(open_rejects_wrong_enc_key),
		cmocka_unit_test(open_rejects_wrong_mode),
		cmocka_unit_test(open_rejects_truncated_packet),
		cmocka_unit_test(open_rejects_appended_aaaa),
		cmocka_unit_test(open_rejects_prepended_aaaa),
		cmocka_unit_test(open_no_hmac_rejects_appended_and_prepended_aaaa),
		cmocka_unit_test(open_no_hmac_rejects_noncanonical_tail),
		cmocka_unit_test(open_with_hmac_rejects_noncanonical_tail),
		cmocka_unit_test(open_rejects_ciphertext_not_whole_blocks),
		cmocka_unit_test(open_rejects_container_without_salted_header),
		cmocka_unit_test(open_rejects_too_short_ciphertext),
		cmocka_unit_test(open_rejects_plaintext_without_random_prefix),
		cmocka_unit_test(open_rejects_short_plaintext),
		cmocka_unit_test(open_accepts_unpadded_plaintext),
		cmocka_unit_test(open_leaves_malformed_padding_in_place),
		cmocka_unit_test(legacy_pads_short_key_with_zeros),
		cmocka_unit_test(legacy_truncates_long_key_to_16),
		cmocka_unit_test(decode_rejects_non_printable_bytes),
		cmocka_unit_test(decode_rejects_too_few_colons),
		cmocka_unit_test(decode_rejects_plaintext_length_out_of_range),
		cmocka_unit_test(decode_rejects_bad_digest_length),
		cmocka_unit_test(decode_rejects_wrong_digest_value),
		cmocka_unit_test(decode_infers_sha3_from_length_after_sha2),
		cmocka_unit_test(decode_failure_clears_output),
		cmocka_unit_test(decode_rejects_bad_random),
		cmocka_unit_test(decode_rejects_username_bad_characters),
		cmocka_unit_test(decode_accepts_username_space_and_punctuation),
		cmocka_unit_test(decode_rejects_username_length),
		cmocka_unit_test(decode_rejects_username_bad_base64),
		cmocka_unit_test(decode_rejects_bad_timestamp),
		cmocka_unit_test(decode_accepts_twelve_digit_timestamp),
		cmocka_unit_test(decode_rejects_bad_version),
		cmocka_unit_test(decode_rejects_bad_message_type),
		cmocka_unit_test(decode_rejects_doubled_and_missing_colons),
		cmocka_unit_test(patch_bytes_in_random_value_are_refused),
		cmocka_unit_test(patch_non_base64_fields_are_refused),
		cmocka_unit_test(patch_base64_padding_kept_is_refused),
		cmocka_unit_test(patch_extra_timestamp_digit_is_refused_by_age),
		cmocka_unit_test(patch_long_protocol_versions_are_refused),
		cmocka_unit_test(patch_long_allow_ip_is_refused),
		cmocka_unit_test(rijndael_fuzzing_packets_are_refused),
		cmocka_unit_test(packet_corruptions_are_refused),
		cmocka_unit_test(all_a_payloads_of_120_and_700_bytes_are_refused),
		cmocka_unit_test(decode_field_count_per_type),
		cmocka_unit_test(decode_places_optional_fields_by_type),
		cmocka_unit_test(decode_rejects_empty_server_auth),
		cmocka_unit_test(decode_rejects_access_message_defects),
		cmocka_unit_test(decode_rejects_oversized_messages),
		cmocka_unit_test(decode_rejects_nul_anywhere_in_message),
		cmocka_unit_test(decode_accepts_access_messages),
		cmocka_unit_test(parse_ports_limits_count),
		cmocka_unit_test(decode_rejects_command_message_defects),
		cmocka_unit_test(decode_accepts_command_message),
		cmocka_unit_test(decode_rejects_nat_defects),
		cmocka_unit_test(decode_rejects_nat_bad_base64),
		cmocka_unit_test(decode_accepts_nat_hosts),
		cmocka_unit_test(decode_rejects_bad_client_timeout),
		cmocka_unit_test(decode_accepts_client_timeout_range),
		cmocka_unit_test(request_names_and_classes),
		cmocka_unit_test(replay_digest_is_sha256_of_wire_text),
		cmocka_unit_test(nat_name_syntax),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
