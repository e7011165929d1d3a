/*
 * spagate keygen --qr-png: a QR code's modules as a 1-bit greyscale PNG.
 * Written by hand rather than with libpng: the image is a few tens of
 * kilobytes, so zlib's "stored" blocks (no compression) are enough, and
 * the tool gains no library for one file.  PNG: RFC 2083; zlib: RFC
 * 1950; deflate's stored blocks: RFC 1951 section 3.2.4.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "tool.h"

#define STORED_MAX	65535	/* bytes in one stored deflate block */

static uint32_t
crc32_add(uint32_t crc, const uint8_t *p, size_t n)
{
	size_t i;
	int k;

	crc = ~crc;
	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One chunk: length, type, data, CRC of type and data. */
static void
chunk(FILE *fp, const char *type, const uint8_t *data, size_t n)
{
	uint8_t b[4];
	uint32_t crc;

	put32(b, (uint32_t)n);
	fwrite(b, 1, 4, fp);
	fwrite(type, 1, 4, fp);
	crc = crc32_add(0, (const uint8_t *)type, 4);
	if (n > 0) {
		fwrite(data, 1, n, fp);
		crc = crc32_add(crc, data, n);
	}
	put32(b, crc);
	fwrite(b, 1, 4, fp);
}

/* The raw scanlines in a zlib stream of stored blocks; its length. */
static size_t
zlib_stored(const uint8_t *raw, size_t n, uint8_t *out)
{
	uint32_t a = 1, b = 0;
	size_t i, o = 0, len;

	out[o++] = 0x78;	/* deflate, 32 KiB window */
	out[o++] = 0x01;	/* no preset dictionary; (0x7801 % 31) == 0 */
	for (i = 0; i == 0 || i < n; i += len) {
		len = n - i < STORED_MAX ? n - i : STORED_MAX;
		out[o++] = i + len == n;	/* BFINAL, BTYPE 00 */
		out[o++] = (uint8_t)len;
		out[o++] = (uint8_t)(len >> 8);
		out[o++] = (uint8_t)~len;
		out[o++] = (uint8_t)(~len >> 8);
		memcpy(out + o, raw + i, len);
		o += len;
	}
	for (i = 0; i < n; i++) {	/* Adler-32 */
		a = (a + raw[i]) % 65521;
		b = (b + a) % 65521;
	}
	put32(out + o, b << 16 | a);
	return o + 4;
}

/* Row y of the image: filter 0, then one bit per pixel, 0 black. */
static void
scanline(const struct qr_bitmap *q, size_t y, uint8_t *row)
{
	size_t side = q->width + 2 * QRPNG_QUIET, x, mx, my;

	row[0] = 0;
	memset(row + 1, 0xff, (side * QRPNG_SCALE + 7) / 8);
	my = y / QRPNG_SCALE;
	for (x = 0; x < side * QRPNG_SCALE; x++) {
		mx = x / QRPNG_SCALE;
		if (mx < QRPNG_QUIET || my < QRPNG_QUIET ||
		    mx >= q->width + QRPNG_QUIET || my >= q->width + QRPNG_QUIET)
			continue;
		if (q->dark[(my - QRPNG_QUIET) * q->width + mx - QRPNG_QUIET] & 1)
			row[1 + x / 8] &= (uint8_t)~(0x80 >> (x % 8));
	}
}

int
qrpng_write(FILE *fp, const struct qr_bitmap *q)
{
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n',
	    0x1a, '\n' };
	size_t px = (q->width + 2 * QRPNG_QUIET) * QRPNG_SCALE;
	size_t rowlen = 1 + (px + 7) / 8, n = rowlen * px, y, zn;
	uint8_t ihdr[13], *raw, *z;

	if (q->width == 0 || q->width > 177)	/* QR version 40 */
		return SPA_ERR_ARG;
	raw = malloc(n);
	z = malloc(n + 6 + 5 * (n / STORED_MAX + 1));
	if (raw == NULL || z == NULL) {
		free(raw);
		free(z);
		return SPA_ERR_NOMEM;
	}
	for (y = 0; y < px; y++)
		scanline(q, y, raw + y * rowlen);
	zn = zlib_stored(raw, n, z);
	put32(ihdr, (uint32_t)px);
	put32(ihdr + 4, (uint32_t)px);
	memcpy(ihdr + 8, "\x01\x00\x00\x00\x00", 5);	/* 1-bit grey */
	fwrite(sig, 1, sizeof(sig), fp);
	chunk(fp, "IHDR", ihdr, sizeof(ihdr));
	chunk(fp, "IDAT", z, zn);
	chunk(fp, "IEND", NULL, 0);
	free(raw);
	free(z);
	return ferror(fp) ? SPA_ERR_SYS : 0;
}
