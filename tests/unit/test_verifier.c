/*
 * The cost of a forged packet through verifier_packet(), the function the
 * verifier process runs for every payload (issue 6, flood resistance):
 *   - no allocation at all, counted by a malloc/calloc/realloc interposer
 *     in this binary (it sees libcrypto's allocations too);
 *   - one HMAC per stanza whose SOURCE matches and which has an HMAC key,
 *     and no other cryptography (no replay digest, no KDF, no AES):
 *     crypto_hmac/crypto_hash/crypto_kdf/crypto_aes_decrypt are wrapped
 *     with ld --wrap and counted;
 *   - one counter per refusal reason, and the log rate limit holds.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access.h"
#include "access_int.h"
#include "conf.h"
#include "crypto.h"
#include "err.h"
#include "helpers.h"
#include "policy.h"
#include "replay.h"
#include "spa.h"
#include "spa_encode.h"
#include "verifier.h"

#if defined(__SANITIZE_ADDRESS__)
#define SPA_TEST_NO_INTERPOSER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SPA_TEST_NO_INTERPOSER 1
#endif
#endif

#define NOW		1795343068
#define KEY_A		"secret-key-alpha"
#define HMAC_A		"hmac-key-alpha-0123456789"
#define FORGED		10000	/* packets measured per case */

/* --- counting ------------------------------------------------------------ */

static volatile unsigned long n_alloc;		/* malloc, calloc, realloc */
static unsigned long n_hmac, n_hash, n_kdf, n_aes;

#ifndef SPA_TEST_NO_INTERPOSER
/*
 * glibc's own entry points under the public names: every allocation of
 * the process, libcrypto's included, goes through these.
 */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

void	*malloc(size_t);
void	*calloc(size_t, size_t);
void	*realloc(void *, size_t);
int	 posix_memalign(void **, size_t, size_t);
void	*aligned_alloc(size_t, size_t);

void *
malloc(size_t n)
{
	n_alloc++;
	return __libc_malloc(n);
}

void *
calloc(size_t a, size_t b)
{
	n_alloc++;
	return __libc_calloc(a, b);
}

void *
realloc(void *p, size_t n)
{
	n_alloc++;
	return __libc_realloc(p, n);
}

int
posix_memalign(void **p, size_t align, size_t n)
{
	n_alloc++;
	*p = __libc_memalign(align, n);
	return *p == NULL ? 12 /* ENOMEM */ : 0;
}

void *
aligned_alloc(size_t align, size_t n)
{
	n_alloc++;
	return __libc_memalign(align, n);
}
#else
/* AddressSanitizer owns malloc: it reports each allocation to a hook. */
/* sanitizer/allocator_interface.h, which GCC does not install */
int	__sanitizer_install_malloc_and_free_hooks(
	    void (*)(const volatile void *, size_t),
	    void (*)(const volatile void *));

static void
count_alloc(const volatile void *p, size_t n)
{
	(void)p;
	(void)n;
	n_alloc++;
}

__attribute__((constructor)) static void
install_alloc_hook(void)
{
	__sanitizer_install_malloc_and_free_hooks(count_alloc, NULL);
}
#endif

int	__real_crypto_hmac(const struct crypto_hmac *, const void *, size_t,
	    const void *, size_t, uint8_t *, size_t *);
int	__wrap_crypto_hmac(const struct crypto_hmac *, const void *, size_t,
	    const void *, size_t, uint8_t *, size_t *);
int	__real_crypto_hash(enum spa_digest, const void *, size_t, uint8_t *);
int	__wrap_crypto_hash(enum spa_digest, const void *, size_t, uint8_t *);
int	__real_crypto_kdf(const uint8_t *, size_t, const uint8_t *, uint8_t *,
	    uint8_t *);
int	__wrap_crypto_kdf(const uint8_t *, size_t, const uint8_t *, uint8_t *,
	    uint8_t *);
int	__real_crypto_aes_decrypt(enum spa_mode, const uint8_t *,
	    const uint8_t *, const uint8_t *, size_t, uint8_t *);
int	__wrap_crypto_aes_decrypt(enum spa_mode, const uint8_t *,
	    const uint8_t *, const uint8_t *, size_t, uint8_t *);

int
__wrap_crypto_hmac(const struct crypto_hmac *h, const void *a, size_t alen,
    const void *b, size_t blen, uint8_t *out, size_t *outlen)
{
	n_hmac++;
	return __real_crypto_hmac(h, a, alen, b, blen, out, outlen);
}

int
__wrap_crypto_hash(enum spa_digest d, const void *p, size_t n, uint8_t *out)
{
	n_hash++;
	return __real_crypto_hash(d, p, n, out);
}

int
__wrap_crypto_kdf(const uint8_t *pass, size_t passlen, const uint8_t *salt,
    uint8_t *key, uint8_t *iv)
{
	n_kdf++;
	return __real_crypto_kdf(pass, passlen, salt, key, iv);
}

int
__wrap_crypto_aes_decrypt(enum spa_mode m, const uint8_t *key,
    const uint8_t *iv, const uint8_t *in, size_t n, uint8_t *out)
{
	n_aes++;
	return __real_crypto_aes_decrypt(m, key, iv, in, n, out);
}

static void
counters_reset(void)
{
	n_alloc = 0;
	n_hmac = n_hash = n_kdf = n_aes = 0;
}

/* --- fixture ------------------------------------------------------------- */

struct fixture {
	char			*dir;
	struct spa_conf		 conf;
	struct access_conf	*access;
	struct replay_store	*replay;
	struct verifier		 v;
	struct packet		 pkt;
	struct spa_event	 ev;
	char			 wire[SPA_ENC_MAX];
	size_t			 len;
};

/*
 * Four stanzas: three match the source (SHA-256, SHA3-512 and SHA-512
 * HMAC keys), one does not (another network), so a forged packet from
 * 192.0.2.10 must cost exactly three HMACs.
 */
static const char policy_text[] =
    "SOURCE 192.0.2.0/24\n"
    "KEY " KEY_A "\n"
    "HMAC_KEY " HMAC_A "\n"
    "\n"
    "SOURCE ANY\n"
    "KEY other-key-bravo\n"
    "HMAC_KEY hmac-key-bravo-0123456789\n"
    "HMAC_DIGEST_TYPE sha3_512\n"
    "\n"
    "SOURCE 203.0.113.0/24\n"
    "KEY other-key-charlie\n"
    "HMAC_KEY hmac-key-charlie-0123456789\n"
    "\n"
    "SOURCE 192.0.2.10\n"
    "KEY other-key-delta\n"
    "HMAC_KEY hmac-key-delta-0123456789\n"
    "HMAC_DIGEST_TYPE sha512\n";
#define MATCHING_HMAC_STANZAS	3

static void
encode_valid(struct fixture *f, const char *random)
{
	struct spa_enc e;

	memset(&e, 0, sizeof(e));
	e.random = random;
	e.user = "alice";
	e.timestamp = NOW;
	e.type = SPA_REQ_ACCESS;
	e.message = "192.0.2.10,tcp/22";
	e.mode = SPA_MODE_CBC;
	e.key = (const uint8_t *)KEY_A;
	e.key_len = strlen(KEY_A);
	e.hmac_type = SPA_DIGEST_SHA256;
	e.hmac_key = (const uint8_t *)HMAC_A;
	e.hmac_key_len = strlen(HMAC_A);
	assert_int_equal(spa_enc_packet(&e, f->wire, sizeof(f->wire),
	    &f->len), 0);
	f->pkt.data = (const uint8_t *)f->wire;
	f->pkt.len = f->len;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct access_error err;
	char *path;

	assert_non_null(f);
	f->dir = th_mkdtemp();
	conf_defaults(&f->conf);
	f->conf.max_packet_age = 120;
	f->conf.log_refusals_per_sec = 2;
	memset(&err, 0, sizeof(err));
	if (access_load_buffer("test.conf", policy_text, strlen(policy_text),
	    &f->access, &err) != 0)
		fail_msg("policy refused: %s", err.text);
	assert_int_equal(policy_prepare(f->access), 0);
	assert_true(asprintf(&path, "%s/replay", f->dir) > 0);
	assert_int_equal(replay_open(path, 0, &f->replay), 0);
	free(path);
	verifier_init(&f->v, &f->conf, f->access, f->replay);
	assert_int_equal(addr_parse("192.0.2.10", &f->pkt.info.src), 0);
	assert_int_equal(addr_parse("198.51.100.1", &f->pkt.info.dst), 0);
	f->pkt.info.sport = 40000;
	f->pkt.info.dport = 62201;
	f->pkt.info.proto = IPPROTO_UDP;
	f->pkt.via = SPA_VIA_UDP;
	f->pkt.seen_s = NOW;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	replay_close(f->replay);
	policy_release(f->access);
	access_free(f->access);
	conf_free(&f->conf);
	th_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* Flip one base64 character of the trailing HMAC: right length, alphabet. */
static void
forge_hmac(struct fixture *f, size_t i)
{
	char *c = &f->wire[f->len - 1 - (i % 40)];

	*c = *c == 'A' ? 'B' : 'A';
}

static void
skip_without_interposer(void)
{
	/* counted by the sanitizer's malloc hook in a sanitizer build */
}

/* --- tests --------------------------------------------------------------- */

static void
forged_hmac_costs_one_hmac_per_stanza_and_no_allocation(void **state)
{
	struct fixture *f = *state;
	unsigned long i;

	skip_without_interposer();
	encode_valid(f, "1111111111111111");
	forge_hmac(f, 0);
	/* Warm-up: OpenSSL's one-time initialisation, the log window. */
	for (i = 0; i < 8; i++)
		assert_int_equal(verifier_packet(&f->v, &f->pkt, &f->ev),
		    SPA_ERR_HMAC);
	counters_reset();
	for (i = 0; i < FORGED; i++) {
		encode_valid(f, NULL);	/* allocates: not counted below */
		forge_hmac(f, i);
		n_alloc = 0;
		n_hmac = 0;
		n_hash = n_kdf = n_aes = 0;
		assert_int_equal(verifier_packet(&f->v, &f->pkt, &f->ev),
		    SPA_ERR_HMAC);
		if (n_alloc != 0)
			fail_msg("packet %lu: %lu allocations", i, n_alloc);
		assert_int_equal(n_hmac, MATCHING_HMAC_STANZAS);
		assert_int_equal(n_hash, 0);	/* no replay digest */
		assert_int_equal(n_kdf, 0);
		assert_int_equal(n_aes, 0);
	}
	assert_int_equal(f->v.stats.refused[-SPA_ERR_HMAC], FORGED + 8);
	assert_int_equal(f->v.stats.granted, 0);
	/* 2 lines a second: everything else was counted, not logged. */
	assert_int_equal(f->v.stats.log_suppressed, FORGED + 8 - 2);
}

/* The same forged bytes again and again: the pure flood case. */
static void
repeated_forgery_allocates_nothing(void **state)
{
	struct fixture *f = *state;
	unsigned long i;

	skip_without_interposer();
	encode_valid(f, "2222222222222222");
	forge_hmac(f, 3);
	/* Warm-up: the log window, whose lines also say why (allocating) */
	for (i = 0; i < 8; i++)
		(void)verifier_packet(&f->v, &f->pkt, &f->ev);
	counters_reset();
	for (i = 0; i < FORGED; i++)
		assert_int_equal(verifier_packet(&f->v, &f->pkt, &f->ev),
		    SPA_ERR_HMAC);
	assert_int_equal(n_alloc, 0);
	assert_int_equal(n_hmac, (unsigned long)FORGED * MATCHING_HMAC_STANZAS);
	assert_int_equal(n_hash + n_kdf + n_aes, 0);
}

/* Key-free refusals cost no cryptography and no allocation either. */
static void
keyless_refusals_cost_nothing(void **state)
{
	struct fixture *f = *state;
	static const char junk[] = "AAAA";
	char big[200];
	unsigned long i;

	skip_without_interposer();
	memset(big, '*', sizeof(big));
	f->pkt.data = (const uint8_t *)junk;
	f->pkt.len = sizeof(junk) - 1;
	(void)verifier_packet(&f->v, &f->pkt, &f->ev);	/* warm-up */
	counters_reset();
	for (i = 0; i < 1000; i++) {
		f->pkt.data = (const uint8_t *)junk;	/* too short */
		f->pkt.len = sizeof(junk) - 1;
		assert_int_equal(verifier_packet(&f->v, &f->pkt, &f->ev),
		    SPA_ERR_LENGTH);
		f->pkt.data = (const uint8_t *)big;	/* not base64 */
		f->pkt.len = sizeof(big);
		assert_int_equal(verifier_packet(&f->v, &f->pkt, &f->ev),
		    SPA_ERR_NOT_BASE64);
	}
	assert_int_equal(n_alloc, 0);
	assert_int_equal(n_hmac + n_hash + n_kdf + n_aes, 0);
	assert_int_equal(f->v.stats.refused[-SPA_ERR_LENGTH], 1001);
	assert_int_equal(f->v.stats.refused[-SPA_ERR_NOT_BASE64], 1000);
}

/* A replay is refused after the HMAC and the digest: never decrypted. */
static void
replay_is_refused_before_decryption(void **state)
{
	struct fixture *f = *state;

	encode_valid(f, "3333333333333333");
	assert_int_equal(verifier_packet(&f->v, &f->pkt, &f->ev), 0);
	assert_int_equal(f->v.stats.granted, 1);
	counters_reset();
	assert_int_equal(verifier_packet(&f->v, &f->pkt, &f->ev),
	    SPA_ERR_REPLAY);
	assert_int_equal(n_hmac, 1);		/* the first stanza's key */
	assert_int_equal(n_hash, 1);		/* the replay digest */
	assert_int_equal(n_kdf + n_aes, 0);
	assert_int_equal(f->v.stats.refused[-SPA_ERR_REPLAY], 1);
	/* The verifier log line of a replay stays under the rate limit. */
}

/* A valid packet amid forgeries is granted, and counted once. */
static void
valid_packet_amid_forgeries_is_granted(void **state)
{
	struct fixture *f = *state;
	int i;

	for (i = 0; i < 100; i++) {
		encode_valid(f, NULL);
		forge_hmac(f, (size_t)i);
		assert_int_equal(verifier_packet(&f->v, &f->pkt, &f->ev),
		    SPA_ERR_HMAC);
		if (i % 10 == 0) {
			encode_valid(f, NULL);
			assert_int_equal(verifier_packet(&f->v, &f->pkt,
			    &f->ev), 0);
			assert_int_equal(f->ev.stanza, 1);
		}
	}
	assert_int_equal(f->v.stats.granted, 10);
	assert_int_equal(f->v.stats.refused[-SPA_ERR_HMAC], 100);
}

/*
 * A grant whose digest the store cannot record is refused (its replay
 * could not be recognised), counted as "state", and the store's state is
 * flagged for the executor; once it records again, so are grants.
 */
static void
unrecorded_grant_is_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t d[REPLAY_DIGEST_LEN];
	char *tmp;
	int i;

	for (i = 0; i < 614; i++) {	/* the store's next digest grows it */
		memset(d, 0, sizeof(d));
		memcpy(d, &i, sizeof(i));
		d[31] = 0x5a;
		assert_int_equal(replay_add(f->replay, d, NOW, NOW), 0);
	}
	assert_true(asprintf(&tmp, "%s/replay.new", f->dir) > 0);
	assert_int_equal(mkdir(tmp, 0700), 0);	/* where it would grow */
	encode_valid(f, "4444444444444444");
	assert_int_equal(verifier_packet(&f->v, &f->pkt, &f->ev),
	    SPA_ERR_STATE);
	assert_int_equal(f->v.stats.granted, 0);
	assert_int_equal(f->v.stats.refused[-SPA_ERR_STATE], 1);
	assert_int_equal(f->v.replay_errno, EEXIST);
	assert_true(f->v.replay_changed);
	f->v.replay_changed = false;
	/* its replay is not granted either */
	assert_int_equal(verifier_packet(&f->v, &f->pkt, &f->ev),
	    SPA_ERR_STATE);
	assert_false(f->v.replay_changed);
	assert_int_equal(rmdir(tmp), 0);
	assert_int_equal(verifier_packet(&f->v, &f->pkt, &f->ev), 0);
	assert_int_equal(f->v.replay_errno, 0);
	assert_true(f->v.replay_changed);
	assert_int_equal(verifier_packet(&f->v, &f->pkt, &f->ev),
	    SPA_ERR_REPLAY);
	free(tmp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    forged_hmac_costs_one_hmac_per_stanza_and_no_allocation,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    repeated_forgery_allocates_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    keyless_refusals_cost_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    replay_is_refused_before_decryption, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    valid_packet_amid_forgeries_is_granted, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    unrecorded_grant_is_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
