/*
 * One journal record, encoded field by field, integers little-endian:
 *
 *   off  size  field
 *     0     8  id, >= 1
 *     8     4  stanza (1-based)
 *    12    16  module name, [a-z0-9_-]+, NUL-padded
 *    28     1  address family: 4 or 6
 *    29    16  address (IPv4: 4 bytes, then 12 zero bytes)
 *    45     1  protocol: 6 or 17 (0: no port, then the port is 0)
 *    46     2  port, 1..65535
 *    48     8  opened, epoch seconds (signed)
 *    56     8  close_at, epoch seconds (signed), >= opened
 *    64     1  has_close: 0 or 1
 *    65     2  argc of the close command (0 without a close, else 1..64)
 *    67     2  buflen: bytes of the argv buffer up to the last NUL
 *    69     n  the argc NUL-terminated words, buflen bytes in all
 *   69+n    2  data_len, 0..JOURNAL_DATA_MAX
 *   71+n    m  module data
 * and, only when either is not zero (so a record has one encoding):
 *  71+n+m   1  reopens
 *  72+n+m   1  k: absent statuses, 0..JOURNAL_ABSENT_MAX
 *  73+n+m   k  the statuses, each 1..255, increasing
 *
 * The layout is fixed; only the byte strings vary, and the length must
 * be exactly what they say.  A record without the last block is one
 * journal format 2 always had, so older journals read as they are.  Decoding trusts nothing: every field is
 * checked with the same rules journal_put() applies before writing.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "bytes.h"
#include "journal_rec.h"

/* --- encoding ------------------------------------------------------------ */

/*
 * Bytes of buf holding the argc words and their NULs, found by walking
 * the buffer (argv[] pointers are not trusted); 0 if they do not fit.
 */
static size_t
argv_extent(const struct cmd_argv *a)
{
	size_t i, n, off = 0;

	for (i = 0; i < a->argc; i++) {
		if (off >= sizeof(a->buf))
			return 0;
		n = strnlen(a->buf + off, sizeof(a->buf) - off);
		if (off + n == sizeof(a->buf))
			return 0;
		off += n + 1;
	}
	return off;
}

static size_t
addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

size_t
journal_rec_encode(const struct journal_rec *r, uint8_t *out, size_t cap)
{
	struct bytes_out b = { out, cap, 0, false };
	size_t used = r->has_close ? argv_extent(&r->close) : 0;
	uint8_t module[JOURNAL_MODULE_MAX] = { 0 }, addr[16] = { 0 };

	memcpy(module, r->module, strnlen(r->module, sizeof(module)));
	memcpy(addr, r->allow.bytes, addr_len(r->allow.family));
	bytes_put_le(&b, r->id, 8);
	bytes_put_le(&b, r->stanza, 4);
	bytes_put(&b, module, sizeof(module));
	bytes_put_le(&b, r->allow.family == AF_INET6 ? 6 : 4, 1);
	bytes_put(&b, addr, sizeof(addr));
	bytes_put_le(&b, r->proto, 1);
	bytes_put_le(&b, r->port, 2);
	bytes_put_le(&b, (uint64_t)r->opened, 8);
	bytes_put_le(&b, (uint64_t)r->close_at, 8);
	bytes_put_le(&b, r->has_close ? 1 : 0, 1);
	bytes_put_le(&b, r->has_close ? r->close.argc : 0, 2);
	bytes_put_le(&b, used, 2);
	bytes_put(&b, r->close.buf, used);
	bytes_put_le(&b, r->data_len, 2);
	bytes_put(&b, r->data, r->data_len);
	if (r->reopens != 0 || r->nabsent != 0) {
		bytes_put_le(&b, r->reopens, 1);
		bytes_put_le(&b, r->nabsent, 1);
		bytes_put(&b, r->absent, r->nabsent);
	}
	return b.bad ? 0 : b.len;
}

/* --- validation (the same rules for writing and reading) ----------------- */

static bool
module_name_ok(const char *m, size_t cap)
{
	size_t i, n = strnlen(m, cap);

	if (n == 0 || n == cap)
		return false;
	for (i = 0; i < n; i++)
		if (!((m[i] >= 'a' && m[i] <= 'z') || (m[i] >= '0' &&
		    m[i] <= '9') || m[i] == '_' || m[i] == '-'))
			return false;
	return true;
}

static const char *
check_grant(const struct journal_rec *r)
{
	/*
	 * 0 marks a free slot of the journal's index: never a record.  Ids
	 * count grants from 1, so the top half can only be damage, and
	 * refusing it keeps the id counter from ever wrapping.
	 */
	if (r->id == 0 || r->id > JOURNAL_ID_MAX)
		return "bad id";
	if (r->stanza == 0)
		return "bad stanza number";
	if (r->allow.family != AF_INET && r->allow.family != AF_INET6)
		return "bad address family";
	if (r->proto != 0 && r->proto != IPPROTO_TCP &&
	    r->proto != IPPROTO_UDP)
		return "bad protocol";
	if ((r->proto != 0 && r->port == 0) || (r->proto == 0 && r->port != 0))
		return "bad port";
	if (r->close_at < r->opened)
		return "close time before open time";
	if (!module_name_ok(r->module, sizeof(r->module)))
		return "bad module name";
	return NULL;
}

static const char *
check_absent(const struct journal_rec *r)
{
	size_t i;

	if (r->nabsent > JOURNAL_ABSENT_MAX)
		return "too many absent statuses";
	for (i = 0; i < r->nabsent; i++)
		if (r->absent[i] == 0 || (i > 0 && r->absent[i] <= r->absent[i - 1]))
			return "absent statuses not 1..255 and increasing";
	return NULL;
}

const char *
journal_rec_check(const struct journal_rec *r)
{
	const char *why;

	if ((why = check_grant(r)) != NULL)
		return why;
	if (r->has_close && (r->close.argc == 0 ||
	    r->close.argc > CMD_MAX_ARGS || argv_extent(&r->close) == 0))
		return "bad close command";
	if (r->data_len > sizeof(r->data))
		return "module data too long";
	return check_absent(r);
}

/* --- decoding ------------------------------------------------------------ */

static void
decode_grant(struct bytes_in *b, struct journal_rec *r, unsigned int *fam)
{
	r->id = bytes_get_le(b, 8);
	r->stanza = (uint32_t)bytes_get_le(b, 4);
	bytes_copy(b, r->module, sizeof(r->module));
	*fam = (unsigned int)bytes_get_le(b, 1);
	bytes_copy(b, r->allow.bytes, sizeof(r->allow.bytes));
	r->allow.family = *fam == 4 ? AF_INET : *fam == 6 ? AF_INET6 :
	    AF_UNSPEC;
	r->proto = (uint8_t)bytes_get_le(b, 1);
	r->port = (uint16_t)bytes_get_le(b, 2);
	r->opened = (int64_t)bytes_get_le(b, 8);
	r->close_at = (int64_t)bytes_get_le(b, 8);
}

static const char *
decode_close(struct bytes_in *b, struct journal_rec *r)
{
	uint64_t has_close, argc, used;

	has_close = bytes_get_le(b, 1);
	argc = bytes_get_le(b, 2);
	used = bytes_get_le(b, 2);
	if (b->bad || has_close > 1)
		return "bad close flag";
	r->has_close = has_close == 1;
	if (argc > CMD_MAX_ARGS || used > sizeof(r->close.buf) ||
	    (r->has_close ? argc == 0 || used == 0 : argc != 0 || used != 0))
		return "bad close command";
	bytes_copy(b, r->close.buf, (size_t)used);
	r->close.argc = (size_t)argc;
	if (b->bad)
		return "wrong size";
	/* exactly argc words, the last NUL at the end of the bytes */
	if (r->has_close && (r->close.buf[used - 1] != '\0' ||
	    argv_extent(&r->close) != used ||
	    cmd_argv_relink(&r->close) != 0))
		return "close command not NUL-terminated words";
	return NULL;
}

/* The name's NUL is followed by NULs only: one encoding per record. */
static bool
zero_padded(const char *m, size_t cap)
{
	size_t i;

	for (i = strnlen(m, cap); i < cap; i++)
		if (m[i] != '\0')
			return false;
	return true;
}

/* The optional block: present only when it says something. */
static const char *
decode_close_runs(struct bytes_in *b, struct journal_rec *r)
{
	r->reopens = (uint8_t)bytes_get_le(b, 1);
	r->nabsent = (uint8_t)bytes_get_le(b, 1);
	if (b->bad || r->nabsent > JOURNAL_ABSENT_MAX)
		return b->bad ? "wrong size" : "too many absent statuses";
	bytes_copy(b, r->absent, r->nabsent);
	if (b->bad)
		return "wrong size";
	if (r->reopens == 0 && r->nabsent == 0)
		return "empty close-runs block";
	return check_absent(r);
}

static const char *
decode_body(struct bytes_in *b, struct journal_rec *r)
{
	unsigned int fam;
	const char *why;
	uint8_t zero[16] = { 0 };

	decode_grant(b, r, &fam);
	if (b->bad)
		return "wrong size";
	if (fam != 4 && fam != 6)
		return "bad address family";
	if (memcmp(r->allow.bytes + addr_len(r->allow.family), zero,
	    sizeof(r->allow.bytes) - addr_len(r->allow.family)) != 0)
		return "bad address";
	if (!zero_padded(r->module, sizeof(r->module)))
		return "bad module name";
	if ((why = decode_close(b, r)) != NULL)
		return why;
	r->data_len = (uint16_t)bytes_get_le(b, 2);
	if (b->bad || r->data_len > sizeof(r->data))
		return b->bad ? "wrong size" : "module data too long";
	bytes_copy(b, r->data, r->data_len);
	if (b->bad)
		return "wrong size";
	if (b->off != b->len && (why = decode_close_runs(b, r)) != NULL)
		return why;
	if (b->off != b->len)
		return "wrong size";
	return check_grant(r);
}

const char *
journal_rec_decode(const uint8_t *in, size_t len, struct journal_rec *r)
{
	struct bytes_in b = { in, len, 0, false };

	memset(r, 0, sizeof(*r));
	return decode_body(&b, r);
}
