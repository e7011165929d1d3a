/*
 * spagate keygen: a Rijndael key (32 random bytes) and an HMAC key (64
 * random bytes, as fwknop --key-gen makes them) from getrandom(2), printed
 * for access.conf and for the fwknop client's .fwknoprc; with --qr as a
 * QR code in the form the Fwknop2 phone client imports (keygen_qr_text),
 * on the terminal or (--qr-png) in a PNG file (qrpng.c).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#ifdef HAVE_QRENCODE
#include <qrencode.h>
#endif
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "err.h"
#include "tool.h"

static const struct option keygen_long[] = {
	{ "qr", no_argument, NULL, 'q' },
	{ "qr-fwknoprc", no_argument, NULL, 'f' },
	{ "qr-png", required_argument, NULL, 'p' },
	{ "hmac-digest", required_argument, NULL, 'm' },
	{ NULL, 0, NULL, 0 },
};

int
keygen_parse(int argc, char **argv, struct keygen_opts *o, char *why,
    size_t len)
{
	int ch;

	o->qr = o->qr_fwknoprc = false;
	o->qr_png = NULL;
	o->digest = SPA_DIGEST_SHA256;
	optind = 0;	/* GNU: a full re-initialisation (tests parse twice) */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:", keygen_long, NULL)) != -1) {
		switch (ch) {
		case 'q':
			o->qr = true;
			break;
		case 'f':
			o->qr_fwknoprc = true;
			break;
		case 'p':
			o->qr_png = optarg;
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
	if (o->qr_fwknoprc && !o->qr && o->qr_png == NULL) {
		snprintf(why, len, "--qr-fwknoprc chooses what --qr or "
		    "--qr-png encodes: give one of them");
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

int
keygen_make(enum spa_digest digest, struct keygen_keys *k)
{
	uint8_t key[KEYGEN_KEY_LEN], hmac[KEYGEN_HMAC_KEY_LEN];
	int r;

	memset(k, 0, sizeof(*k));
	k->digest = digest;
	if ((r = crypto_random(key, sizeof(key))) == 0 &&
	    (r = crypto_random(hmac, sizeof(hmac))) == 0) {
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

int
keygen_qr_text(const struct keygen_keys *k, bool fwknoprc, char *out,
    size_t len)
{
	int n;

	if (fwknoprc)
		return keygen_fwknoprc(k, out, len);
	n = snprintf(out, len, "KEY_BASE64:%s HMAC_KEY_BASE64:%s", k->key,
	    k->hmac);
	return n < 0 || (size_t)n >= len ? SPA_ERR_ARG : 0;
}

#ifdef HAVE_QRENCODE
#define KEYGEN_QR	true
/*
 * Two module rows per text line with half blocks, black on a forced
 * white background (ANSI), so it scans on dark and light terminals.
 */
static void
draw_qr(const QRcode *qr)
{
	const int quiet = 2;
	int x, y, w = qr->width;

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
}

/* A new file only, mode 0600: it holds the keys.  NULL after saying why. */
static FILE *
png_open(const char *path)
{
	FILE *fp = NULL;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd >= 0 && (fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(path);
	}
	if (fp == NULL)
		fprintf(stderr, "spagate keygen: %s: %s\n", path,
		    strerror(errno));
	return fp;
}

/* Written and closed; a file that failed is removed. */
static int
png_finish(const char *path, FILE *fp, const QRcode *qr)
{
	struct qr_bitmap bm = { NULL, 0 };
	int r = SPA_ERR_ARG;

	if (qr != NULL) {
		bm.dark = qr->data;
		bm.width = (size_t)qr->width;
		r = qrpng_write(fp, &bm);
	}
	if (fclose(fp) != 0 && r == 0)
		r = SPA_ERR_SYS;
	if (r != 0) {
		fprintf(stderr, "spagate keygen: %s: %s\n", path,
		    r == SPA_ERR_SYS ? strerror(errno) : spa_strerror(r));
		unlink(path);
	}
	return r;
}

static int
show_qr(const struct keygen_opts *o, const char *text, FILE *png)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	int r = 0;

	if (qr == NULL)
		perror("spagate keygen: QRcode_encodeString");
	else if (o->qr)
		draw_qr(qr);
	if (png != NULL)
		r = png_finish(o->qr_png, png, qr);
	if (qr == NULL)
		return SPA_ERR_SYS;
	QRcode_free(qr);
	return r;
}
#else
/* ./configure --without-qrencode, or libqrencode not found */
#define KEYGEN_QR	false
static FILE *
png_open(const char *path)
{
	return NULL;
}

static int
show_qr(const struct keygen_opts *o, const char *text, FILE *png)
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

/* What the QR code holds, said before it is drawn or written. */
static void
qr_caption(const struct keygen_opts *o, const struct keygen_keys *k)
{
	char d[16];

	keygen_digest_upper(k->digest, d, sizeof(d));
	if (o->qr_fwknoprc)
		printf("\n# the .fwknoprc lines above as a QR code");
	else
		printf("\n# the keys as a QR code for the Fwknop2 phone client "
		    "(Rijndael key, HMAC key:\n# set its HMAC digest to %s "
		    "yourself)", d);
	if (o->qr_png != NULL)
		printf(o->qr ? ", also in %s" : ": in %s", o->qr_png);
	printf("%s\n", o->qr ? ":" : "");
}

int
keygen_main(int argc, char **argv)
{
	struct keygen_opts o;
	struct keygen_keys k;
	char why[256], rc[512], qr[512];
	FILE *png = NULL;
	int r = 0;

	if (keygen_parse(argc, argv, &o, why, sizeof(why)) != 0) {
		fprintf(stderr, "spagate keygen: %s\n", why);
		tool_usage("keygen", stderr);
		return 2;
	}
	if ((o.qr || o.qr_png != NULL) && !KEYGEN_QR) {
		fprintf(stderr, "spagate keygen: --qr: this spagate was built "
		    "without QR support (libqrencode)\n");
		return 1;
	}
	/* before any key is printed: a refused file wastes none */
	if (o.qr_png != NULL && (png = png_open(o.qr_png)) == NULL)
		return 1;
	if (keygen_make(o.digest, &k) != 0 ||
	    keygen_fwknoprc(&k, rc, sizeof(rc)) != 0 ||
	    keygen_qr_text(&k, o.qr_fwknoprc, qr, sizeof(qr)) != 0) {
		perror("spagate keygen: getrandom");
		if (png != NULL) {
			fclose(png);
			unlink(o.qr_png);
		}
		return 1;
	}
	print_keys(&k, rc);
	if (o.qr || o.qr_png != NULL) {
		qr_caption(&o, &k);
		fflush(stdout);
		r = show_qr(&o, qr, png);
	}
	explicit_bzero(&k, sizeof(k));
	explicit_bzero(rc, sizeof(rc));
	explicit_bzero(qr, sizeof(qr));
	return r != 0 ? 1 : 0;
}
