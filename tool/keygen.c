/*
 * spagate keygen: a Rijndael key (32 random bytes) and an HMAC key (64
 * random bytes, as fwknop --key-gen makes them) from getrandom(2), printed
 * for access.conf and for the fwknop client's .fwknoprc, and with --qr as
 * a QR code of the .fwknoprc lines for a phone client.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#ifdef HAVE_QRENCODE
#include <qrencode.h>
#endif
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "err.h"
#include "tool.h"

static const struct option keygen_long[] = {
	{ "qr", no_argument, NULL, 'q' },
	{ "hmac-digest", required_argument, NULL, 'm' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
keygen_parse(int argc, char **argv, struct keygen_opts *o, char *why,
    size_t len)
{
	int ch;

	o->qr = false;
	o->digest = SPA_DIGEST_SHA256;
	optind = 0;	/* GNU: a full re-initialisation (tests parse twice) */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:", keygen_long, NULL)) != -1) {
		switch (ch) {
		case 'q':
			o->qr = true;
			break;
		case 'm':
			if (crypto_digest_from_name(optarg, &o->digest) != 0 ||
			    o->digest == SPA_DIGEST_NONE) {
				snprintf(why, len, "unknown HMAC digest '%s' "
				    "(md5, sha1, sha256, sha384, sha512, "
				    "sha3_256, sha3_512)", optarg);
				return -1;
			}
			break;
		case ':':
			snprintf(why, len, "option '%s' needs a value",
			    argv[optind - 1]);
			return -1;
		default:
			snprintf(why, len, "unknown option '%s'",
			    argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		snprintf(why, len, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

/* Padded base64, as fwknop --key-gen prints it. */
static void
b64_padded(const uint8_t *in, size_t n, char *out)
{
	size_t len = b64_encode(in, n, out);

	while (len % 4 != 0)
		out[len++] = '=';
	out[len] = '\0';
}

static int
fill_random(uint8_t *buf, size_t n)
{
	size_t off = 0;
	ssize_t r;

	while (off < n) {
		r = getrandom(buf + off, n - off, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return SPA_ERR_SYS;
		off += (size_t)r;
	}
	return 0;
}

int
keygen_make(enum spa_digest digest, struct keygen_keys *k)
{
	uint8_t key[KEYGEN_KEY_LEN], hmac[KEYGEN_HMAC_KEY_LEN];
	int r;

	memset(k, 0, sizeof(*k));
	k->digest = digest;
	if ((r = fill_random(key, sizeof(key))) == 0 &&
	    (r = fill_random(hmac, sizeof(hmac))) == 0) {
		b64_padded(key, sizeof(key), k->key);
		b64_padded(hmac, sizeof(hmac), k->hmac);
	}
	explicit_bzero(key, sizeof(key));
	explicit_bzero(hmac, sizeof(hmac));
	return r;
}

void
keygen_digest_upper(enum spa_digest d, char *out, size_t len)
{
	size_t i;

	snprintf(out, len, "%s", crypto_digest_name(d));
	for (i = 0; out[i] != '\0'; i++)
		out[i] = (char)toupper((unsigned char)out[i]);
}

int
keygen_fwknoprc(const struct keygen_keys *k, char *out, size_t len)
{
	char d[16];
	int n;

	keygen_digest_upper(k->digest, d, sizeof(d));
	n = snprintf(out, len, "KEY_BASE64          %s\nHMAC_KEY_BASE64     %s\n"
	    "USE_HMAC            Y\nHMAC_DIGEST_TYPE    %s\n", k->key, k->hmac, d);
	return n < 0 || (size_t)n >= len ? SPA_ERR_ARG : 0;
}

#ifdef HAVE_QRENCODE
#define KEYGEN_QR	true
/*
 * Two module rows per text line with half blocks, black on a forced
 * white background (ANSI), so it scans on dark and light terminals.
 */
static int
print_qr(const char *text)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	const int quiet = 2;
	int x, y, w;

	if (qr == NULL)
		return SPA_ERR_SYS;
	w = qr->width;
	for (y = -quiet; y < w + quiet; y += 2) {
		fputs("\033[30;47m", stdout);
		for (x = -quiet; x < w + quiet; x++) {
			int top = y >= 0 && y < w && x >= 0 && x < w &&
			    (qr->data[y * w + x] & 1);
			int bot = y + 1 >= 0 && y + 1 < w && x >= 0 && x < w &&
			    (qr->data[(y + 1) * w + x] & 1);

			fputs(top && bot ? "\u2588" : top ? "\u2580" :
			    bot ? "\u2584" : " ", stdout);
		}
		fputs("\033[0m\n", stdout);
	}
	QRcode_free(qr);
	return 0;
}
#else
/* ./configure --without-qrencode, or libqrencode not found */
#define KEYGEN_QR	false
static int
print_qr(const char *text)
{
	return SPA_ERR_ARG;
}
#endif

static void
print_keys(const struct keygen_keys *k, const char *rc)
{
	char d[16];

	keygen_digest_upper(k->digest, d, sizeof(d));
	printf("# access.conf (spagated, fwknopd): in the client's stanza\n"
	    "KEY_BASE64          %s\nHMAC_KEY_BASE64     %s\n"
	    "HMAC_DIGEST_TYPE    %s\n\n", k->key, k->hmac, d);
	printf("# ~/.fwknoprc (fwknop client): in the [server] stanza, with "
	    "SPA_SERVER and ACCESS\n%s", rc);
}

int
keygen_main(int argc, char **argv)
{
	struct keygen_opts o;
	struct keygen_keys k;
	char why[256], rc[512];
	int r = 0;

	if (keygen_parse(argc, argv, &o, why, sizeof(why)) != 0) {
		fprintf(stderr, "spagate keygen: %s\nusage: spagate keygen [--qr] "
		    "[--hmac-digest DIGEST]\n", why);
		return 2;
	}
	if (o.qr && !KEYGEN_QR) {
		fprintf(stderr, "spagate keygen: --qr: this spagate was built "
		    "without QR support (libqrencode)\n");
		return 1;
	}
	if (keygen_make(o.digest, &k) != 0 ||
	    keygen_fwknoprc(&k, rc, sizeof(rc)) != 0) {
		perror("spagate keygen: getrandom");
		return 1;
	}
	print_keys(&k, rc);
	if (o.qr) {
		printf("\n# the .fwknoprc lines above as a QR code "
		    "(for a phone client):\n");
		if ((r = print_qr(rc)) != 0)
			perror("spagate keygen: QRcode_encodeString");
	}
	explicit_bzero(&k, sizeof(k));
	explicit_bzero(rc, sizeof(rc));
	return r != 0 ? 1 : 0;
}
