/*
 * The SPA envelope: key-free prechecks, then per stanza the HMAC, the
 * ciphertext container and AES (spec/wire-format.md §2-§4).  The plaintext
 * fields are spa_decode.c's job.
 *
 * Everything here works in fixed stack buffers: a payload is at most
 * SPA_GPG_MIN - 1 base64 characters once the salt prefix is back, so no
 * packet can make us allocate or grow anything.
 */
#include "config.h"

#include <string.h>

#include "b64.h"
#include "crypto.h"
#include "err.h"
#include "spa.h"

#define SALT_PREFIX		"U2FsdGVkX1"	/* b64 of "Salted__", cut */
#define SALT_PREFIX_LEN		10
#define SALTED_MAGIC		"Salted__"
#define SALTED_LEN		8
#define SALT_LEN		8
#define AES_BLOCK		16
#define PLAIN_MIN		36		/* libfko MIN_SPA_PLAINTEXT */
#define RANDOM_LEN		16

/* The prefixed ciphertext text is shorter than SPA_GPG_MIN characters. */
#define CT_TEXT_MAX		(SPA_GPG_MIN - 1)
#define CT_RAW_MAX		B64_DECODED_MAX(CT_TEXT_MAX)


/* Characters of unpadded base64 for n raw bytes. */
static size_t
b64_len(size_t n)
{
	return (n * 4 + 2) / 3;
}

static int
key_check(enum spa_mode mode, const uint8_t *enc_key, size_t enc_key_len,
    enum spa_digest hmac_type, const uint8_t *hmac_key, size_t hmac_key_len)
{
	if (mode > SPA_MODE_LEGACY)
		return SPA_ERR_CONFIG;		/* GnuPG or unknown */
	if (enc_key_len > SPA_KEY_MAX || (enc_key == NULL && enc_key_len != 0))
		return SPA_ERR_CONFIG;
	if (hmac_type == SPA_DIGEST_NONE)
		return 0;
	if (crypto_digest_len(hmac_type) == 0 || mode == SPA_MODE_LEGACY)
		return SPA_ERR_CONFIG;
	if (hmac_key == NULL || hmac_key_len == 0 ||
	    hmac_key_len > SPA_HMAC_KEY_MAX)
		return SPA_ERR_CONFIG;
	if (hmac_key_len == enc_key_len &&
	    crypto_ct_equal(hmac_key, enc_key, enc_key_len))
		return SPA_ERR_CONFIG;
	return 0;
}

int
spa_key_init(struct spa_key *k, enum spa_mode mode,
    const uint8_t *enc_key, size_t enc_key_len,
    enum spa_digest hmac_type, const uint8_t *hmac_key,
    size_t hmac_key_len)
{
	int r;

	memset(k, 0, sizeof(*k));
	if ((r = key_check(mode, enc_key, enc_key_len, hmac_type, hmac_key,
	    hmac_key_len)) != 0)
		return r;
	k->mode = mode;
	if (enc_key_len > 0)
		memcpy(k->enc_key, enc_key, enc_key_len);
	k->enc_key_len = enc_key_len;
	k->hmac_type = hmac_type;
	if (hmac_type == SPA_DIGEST_NONE)
		return 0;
	k->hmac_b64_len = b64_len(crypto_digest_len(hmac_type));
	if ((r = crypto_hmac_new(hmac_type, hmac_key, hmac_key_len,
	    &k->hmac)) != 0)
		spa_key_clear(k);
	return r;
}

void
spa_key_clear(struct spa_key *k)
{
	crypto_hmac_free(k->hmac);
	crypto_wipe(k, sizeof(*k));
	k->hmac = NULL;
}

int
spa_precheck(const char *payload, size_t len)
{
	if (len < SPA_MIN_PAYLOAD || len > SPA_MAX_PAYLOAD)
		return SPA_ERR_LENGTH;
	/* The client always strips the prefix: putting it back is a replay. */
	if (memcmp(payload, SALT_PREFIX, SALT_PREFIX_LEN) == 0)
		return SPA_ERR_PREFIX;
	if (!b64_is_alphabet(payload, len))
		return SPA_ERR_NOT_BASE64;
	return 0;
}

/* Where the MAC starts; the ciphertext text is wire[0..*ctlen). */
static int
split_hmac(const struct spa_key *k, size_t len, size_t *ctlen)
{
	if (k->hmac_type != SPA_DIGEST_NONE) {
		if (len <= k->hmac_b64_len)
			return SPA_ERR_LENGTH;
		len -= k->hmac_b64_len;
	}
	if (len < PLAIN_MIN)
		return SPA_ERR_LENGTH;
	*ctlen = len;
	return 0;
}

/* HMAC over prefix || ciphertext text, compared as base64 text. */
static int
verify_hmac_prefixed(const struct spa_key *k, const char *prefix,
    size_t prefixlen, const char *wire, size_t ctlen)
{
	uint8_t mac[SPA_DIGEST_MAX_LEN];
	char mac64[B64_ENCODED_LEN(SPA_DIGEST_MAX_LEN)];
	size_t maclen = 0;
	int r;

	if ((r = crypto_hmac(k->hmac, prefix, prefixlen, wire,
	    ctlen, mac, &maclen)) != 0)
		return r;
	if (b64_encode(mac, maclen, mac64) != k->hmac_b64_len)
		return SPA_ERR_CRYPTO;
	r = crypto_ct_equal(mac64, wire + ctlen, k->hmac_b64_len) ?
	    0 : SPA_ERR_HMAC;
	crypto_wipe(mac, sizeof(mac));
	crypto_wipe(mac64, sizeof(mac64));
	return r;
}

/* Rijndael: the HMAC covers "U2FsdGVkX1" || ciphertext text. */
static int
verify_hmac(const struct spa_key *k, const char *wire, size_t ctlen)
{
	return verify_hmac_prefixed(k, SALT_PREFIX, SALT_PREFIX_LEN, wire,
	    ctlen);
}

/* Put the prefix back and decode canonically: one text per ciphertext. */
static int
decode_container(const char *wire, size_t ctlen, uint8_t *raw,
    size_t *rawlen)
{
	char text[CT_TEXT_MAX];

	if (SALT_PREFIX_LEN + ctlen > sizeof(text))
		return SPA_ERR_GPG;
	memcpy(text, SALT_PREFIX, SALT_PREFIX_LEN);
	memcpy(text + SALT_PREFIX_LEN, wire, ctlen);
	if (b64_decode(text, SALT_PREFIX_LEN + ctlen, raw, CT_RAW_MAX,
	    rawlen, true) != 0)
		return SPA_ERR_CIPHERTEXT;
	if (*rawlen % AES_BLOCK != 0 || *rawlen < 2 * AES_BLOCK ||
	    memcmp(raw, SALTED_MAGIC, SALTED_LEN) != 0)
		return SPA_ERR_CIPHERTEXT;
	return 0;
}

/* EVP_BytesToKey; legacy mode pads the passphrase with '0' to 16 bytes. */
static int
derive_key(const struct spa_key *k, const uint8_t salt[SALT_LEN],
    uint8_t key[32], uint8_t iv[16])
{
	uint8_t pass[16];
	int r;

	if (k->mode != SPA_MODE_LEGACY)
		return crypto_kdf(k->enc_key, k->enc_key_len, salt, key, iv);
	memset(pass, '0', sizeof(pass));
	memcpy(pass, k->enc_key,
	    k->enc_key_len < sizeof(pass) ? k->enc_key_len : sizeof(pass));
	r = crypto_kdf(pass, sizeof(pass), salt, key, iv);
	crypto_wipe(pass, sizeof(pass));
	return r;
}

/* PKCS#7, leniently as libfko: strip only a well-formed pad. */
static size_t
strip_padding(const uint8_t *p, size_t n)
{
	size_t pad, i;

	if (n == 0)
		return 0;
	pad = p[n - 1];
	if (pad < 1 || pad > AES_BLOCK || pad > n)
		return n;
	for (i = n - pad; i < n; i++)
		if (p[i] != pad)
			return n;
	return n - pad;
}

/* The decryption oracle libfko uses: 16 digits then ':'. */
static bool
looks_decrypted(const uint8_t *p, size_t n)
{
	size_t i;

	if (n <= RANDOM_LEN)
		return false;
	for (i = 0; i < RANDOM_LEN; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return p[RANDOM_LEN] == ':';
}

static int
decrypt_container(const struct spa_key *k, const uint8_t *raw, size_t rawlen,
    uint8_t *plain, size_t *plainlen)
{
	uint8_t key[32], iv[16];
	size_t n = rawlen - SALTED_LEN - SALT_LEN;
	int r;

	if ((r = derive_key(k, raw + SALTED_LEN, key, iv)) != 0)
		goto out;
	if ((r = crypto_aes_decrypt(k->mode, key, iv,
	    raw + SALTED_LEN + SALT_LEN, n, plain)) != 0)
		goto out;
	*plainlen = strip_padding(plain, n);
	if (!looks_decrypted(plain, *plainlen))
		r = SPA_ERR_DECRYPT;
out:
	crypto_wipe(key, sizeof(key));
	crypto_wipe(iv, sizeof(iv));
	return r;
}

int
spa_open(const struct spa_key *k, const char *wire, size_t len,
    struct spa_packet *out)
{
	return spa_open_hook(k, wire, len, out, NULL, NULL);
}

int
spa_open_hook(const struct spa_key *k, const char *wire, size_t len,
    struct spa_packet *out, spa_auth_hook hook, void *arg)
{
	uint8_t raw[CT_RAW_MAX], plain[CT_RAW_MAX];
	size_t ctlen = 0, rawlen = 0, plainlen = 0;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = split_hmac(k, len, &ctlen)) != 0)
		return r;
	/* Size class first, as libfko: GnuPG data is never decrypted. */
	if (SALT_PREFIX_LEN + ctlen >= SPA_GPG_MIN)
		return SPA_ERR_GPG;
	if (k->hmac_type != SPA_DIGEST_NONE) {
		if ((r = verify_hmac(k, wire, ctlen)) != 0)
			return r;
		if (hook != NULL && (r = hook(arg)) != 0)
			return r;
	}
	if ((r = decode_container(wire, ctlen, raw, &rawlen)) != 0)
		goto out;
	if ((r = decrypt_container(k, raw, rawlen, plain, &plainlen)) != 0)
		goto out;
	if (k->hmac_type == SPA_DIGEST_NONE && hook != NULL &&
	    (r = hook(arg)) != 0)
		goto out;
	r = spa_decode((const char *)plain, plainlen, out);
out:
	crypto_wipe(raw, sizeof(raw));
	crypto_wipe(plain, sizeof(plain));
	return r;
}

/* The whole payload as ciphertext: does it decrypt under k? */
static bool
opens_without_hmac(const struct spa_key *k, const char *wire, size_t len)
{
	uint8_t raw[CT_RAW_MAX], plain[CT_RAW_MAX];
	size_t rawlen = 0, plainlen = 0;
	bool ok;

	if (len < PLAIN_MIN || SALT_PREFIX_LEN + len >= SPA_GPG_MIN)
		return false;
	ok = decode_container(wire, len, raw, &rawlen) == 0 &&
	    decrypt_container(k, raw, rawlen, plain, &plainlen) == 0;
	crypto_wipe(raw, sizeof(raw));
	crypto_wipe(plain, sizeof(plain));
	return ok;
}

/* Does the payload end in a valid HMAC of digest d under the same key? */
static bool
verifies_as(enum spa_digest d, const uint8_t *hmac_key, size_t hmac_key_len,
    const char *wire, size_t len)
{
	struct spa_key k;
	size_t ctlen = 0;
	bool ok;

	memset(&k, 0, sizeof(k));
	k.hmac_type = d;
	k.hmac_b64_len = b64_len(crypto_digest_len(d));
	if (split_hmac(&k, len, &ctlen) != 0 ||
	    crypto_hmac_new(d, hmac_key, hmac_key_len, &k.hmac) != 0)
		return false;
	ok = verify_hmac(&k, wire, ctlen) == 0;
	crypto_hmac_free(k.hmac);
	return ok;
}

enum spa_hmac_why
spa_hmac_why(const struct spa_key *k, const uint8_t *hmac_key,
    size_t hmac_key_len, const char *wire, size_t len,
    enum spa_digest *other)
{
	enum spa_digest d;

	*other = SPA_DIGEST_NONE;
	if (k->hmac_type == SPA_DIGEST_NONE)
		return SPA_HMAC_WRONG;
	/* an HMAC that verifies is proof; a first block that decrypts
	   (CBC) is not, as a packet with some other HMAC may decode too */
	for (d = SPA_DIGEST_MD5; d <= SPA_DIGEST_SHA3_512; d++)
		if (d != k->hmac_type &&
		    verifies_as(d, hmac_key, hmac_key_len, wire, len)) {
			*other = d;
			return SPA_HMAC_OTHER;
		}
	return opens_without_hmac(k, wire, len) ? SPA_HMAC_MISSING :
	    SPA_HMAC_WRONG;
}

int
spa_replay_digest(const char *wire, size_t len, uint8_t out[32])
{
	return crypto_hash(SPA_DIGEST_SHA256, wire, len, out);
}

/* --- the GnuPG envelope ---------------------------------------------------- */

#define GPG_PREFIX_LEN		2	/* the base64 characters cut */
#define GPG_PKESK_VERSION	3
#define GPG_PKESK_BODY_MIN	10	/* version, key ID, algorithm */
#define GPG_SESSION_KEYS_MAX	4	/* session-key packets in a message */

bool
spa_gpg_sized(const struct spa_key *k, size_t len)
{
	size_t ctlen = 0;

	return split_hmac(k, len, &ctlen) == 0 &&
	    GPG_PREFIX_LEN + ctlen >= SPA_GPG_MIN;
}

/* The tag of the packet whose header starts with b (RFC 4880 4.2). */
static unsigned int
packet_tag(uint8_t b)
{
	return (b & 0x40) != 0 ? (b & 0x3fu) : (b >> 2 & 0x0fu);
}

/* A packet header that may follow a PKESK: another one, or the data. */
static bool
next_packet_ok(uint8_t b)
{
	unsigned int tag;

	if ((b & 0x80) == 0)
		return false;
	tag = packet_tag(b);
	return tag == 1 || tag == 9 || tag == 18 || tag == 20;
}

/* An MPI at b[*p]: its two-byte bit count, then the bytes. */
static bool
skip_mpi(const uint8_t *b, size_t avail, size_t *p)
{
	size_t bits;

	if (*p + 2 > avail)
		return false;
	bits = (size_t)b[*p] << 8 | b[*p + 1];
	*p += 2 + (bits + 7) / 8;
	return *p <= avail;
}

/*
 * The length of a version 3 public-key encrypted session key body (RFC
 * 4880 5.1, RFC 6637 for ECDH) read from its fields, 0 if it is not one:
 * version, key ID, algorithm, then RSA's one MPI, ElGamal's two, or
 * ECDH's point and wrapped key.
 */
static size_t
pkesk_body_len(const uint8_t *b, size_t avail)
{
	size_t p = 10;

	if (avail < p || b[0] != GPG_PKESK_VERSION)
		return 0;
	switch (b[9]) {
	case 1: case 2: case 3:		/* RSA */
		return skip_mpi(b, avail, &p) ? p : 0;
	case 16: case 20:		/* ElGamal */
		return skip_mpi(b, avail, &p) && skip_mpi(b, avail, &p) ?
		    p : 0;
	case 18:			/* ECDH */
		if (!skip_mpi(b, avail, &p) || p + 1 > avail)
			return 0;
		p += 1 + b[p];
		return p <= avail ? p : 0;
	default:
		return 0;
	}
}

/*
 * The body length of the packet whose header is at b[*p], *p moved past
 * the header (RFC 4880 4.2); false for a length that is partial or
 * indeterminate (no session-key packet has one) or runs past avail.
 */
static bool
packet_body_len(const uint8_t *b, size_t avail, size_t *p, size_t *len)
{
	static const size_t old_len_bytes[] = { 1, 2, 4, 0 };
	size_t q = *p + 1, n, i;

	if ((b[*p] & 0x40) == 0) {		/* old format */
		if ((n = old_len_bytes[b[*p] & 3]) == 0 || q + n > avail)
			return false;
		for (*len = 0, i = 0; i < n; i++)
			*len = *len << 8 | b[q + i];
		q += n;
	} else if (q < avail && b[q] < 192) {	/* new format */
		*len = b[q++];
	} else if (q + 1 < avail && b[q] < 224) {
		*len = ((size_t)(b[q] - 192) << 8 | b[q + 1]) + 192;
		q += 2;
	} else if (q + 4 < avail && b[q] == 255) {
		*len = (size_t)b[q + 1] << 24 | (size_t)b[q + 2] << 16 |
		    (size_t)b[q + 3] << 8 | b[q + 4];
		q += 5;
	} else {
		return false;
	}
	*p = q;
	return *len <= avail - q;
}

/*
 * The session-key packets from the message's start, then the encrypted
 * data, as librnp reads them.  librnp makes a private-key operation for
 * each one that names one of the stanza's keys (key IDs are public: any
 * packet the client sent shows one), whatever its size: a forged message
 * of 15-byte RSA session keys would cost some 70 of them.  gpg writes one
 * a recipient; the fwknop client names one, and gpg.conf's encrypt-to
 * adds one each (the client does not turn it off): more than
 * GPG_SESSION_KEYS_MAX are refused, before any key is tried.
 */
static bool
session_keys_ok(const uint8_t *b, size_t avail)
{
	size_t p = 0, n = 0, len = 0;

	while (p < avail && next_packet_ok(b[p])) {
		if (packet_tag(b[p]) != 1)
			return true;	/* the encrypted data */
		if (++n > GPG_SESSION_KEYS_MAX ||
		    !packet_body_len(b, avail, &p, &len))
			return false;
		p += len;
	}
	return false;
}

/*
 * The message starts with a public-key encrypted session key packet in
 * GnuPG's old format: 0x85 and two length bytes, or 0x84 and one.  The
 * two characters cut held that first byte and the top four bits of the
 * first length byte; the body's own fields give its length, which must
 * agree with the bits that are left and land on the next packet.  raw[]
 * was decoded with "hA" in front (0x84, top bits 0).
 */
static bool
infer_header(uint8_t *raw, size_t rawlen)
{
	size_t l;

	/* 0x85: raw[1] low nibble and raw[2] are the length's low 12 bits */
	l = pkesk_body_len(raw + 3, rawlen - 3);
	if (l >= GPG_PKESK_BODY_MIN && l < 0x1000 && (l & 0xff) == raw[2] &&
	    (l >> 8) == (raw[1] & 0x0fu) && 3 + l < rawlen &&
	    next_packet_ok(raw[3 + l])) {
		raw[0] = 0x85;
		return true;
	}
	/* 0x84: raw[1] low nibble is the length's low 4 bits */
	l = pkesk_body_len(raw + 2, rawlen - 2);
	if (l >= GPG_PKESK_BODY_MIN && l < 0x100 &&
	    (l & 0x0fu) == (raw[1] & 0x0fu) && 2 + l < rawlen &&
	    next_packet_ok(raw[2 + l])) {
		raw[1] = (uint8_t)l;
		return true;
	}
	return false;
}

/* The two characters that encode raw[0] and the top of raw[1]. */
static void
cut_prefix(const uint8_t *raw, char prefix[GPG_PREFIX_LEN])
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";

	prefix[0] = b64[raw[0] >> 2];
	prefix[1] = b64[(raw[0] & 3) << 4 | raw[1] >> 4];
}

static int
decode_gpg(const char *wire, size_t ctlen, uint8_t *msg, size_t *msglen)
{
	char text[GPG_PREFIX_LEN + SPA_MAX_PAYLOAD];

	if (GPG_PREFIX_LEN + ctlen > sizeof(text))
		return SPA_ERR_LENGTH;
	memcpy(text, "hA", GPG_PREFIX_LEN);
	memcpy(text + GPG_PREFIX_LEN, wire, ctlen);
	if (b64_decode(text, GPG_PREFIX_LEN + ctlen, msg, SPA_GPG_MSG_MAX,
	    msglen, true) != 0 || *msglen < 4 || !infer_header(msg, *msglen) ||
	    !session_keys_ok(msg, *msglen))
		return SPA_ERR_CIPHERTEXT;
	return 0;
}

int
spa_open_gpg(const struct spa_key *k, const char *wire, size_t len,
    uint8_t msg[SPA_GPG_MSG_MAX], size_t *msglen, spa_auth_hook hook,
    void *arg)
{
	char prefix[GPG_PREFIX_LEN];
	size_t ctlen = 0;
	int r;

	*msglen = 0;
	if ((r = split_hmac(k, len, &ctlen)) != 0)
		return r;
	/*
	 * No crypto yet: the header tells which characters were cut.  With
	 * an HMAC key, text that has no such header cannot carry a valid
	 * HMAC either (a client without --use-hmac, most often): said so.
	 */
	if ((r = decode_gpg(wire, ctlen, msg, msglen)) != 0) {
		if (k->hmac_type != SPA_DIGEST_NONE)
			r = SPA_ERR_HMAC;
		goto out;
	}
	if (k->hmac_type != SPA_DIGEST_NONE) {
		cut_prefix(msg, prefix);
		if ((r = verify_hmac_prefixed(k, prefix, GPG_PREFIX_LEN, wire,
		    ctlen)) != 0)
			goto out;
		if (hook != NULL && (r = hook(arg)) != 0)
			goto out;
	}
	return 0;
out:
	crypto_wipe(msg, SPA_GPG_MSG_MAX);
	*msglen = 0;
	return r;
}
