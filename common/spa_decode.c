/*
 * SPA plaintext decoder: the ':'-separated fields of spec/wire-format.md §5,
 * the embedded digest, and the access, command and NAT message syntax.
 *
 * Each field has its own error code so a drop counter says which field was
 * wrong.  Field text is never trusted for a length: every field is measured
 * against the plaintext bounds and copied into fixed buffers.
 */
#include "config.h"

#include <netinet/in.h>
#include <string.h>

#include "b64.h"
#include "crypto.h"
#include "err.h"
#include "spa.h"

#define PLAIN_MIN		36	/* libfko MIN_SPA_PLAINTEXT_MSG_SIZE */
#define MIN_COLONS		6	/* libfko MIN_SPA_FIELDS */
#define MAX_FIELDS		9	/* before the digest */
#define FIXED_FIELDS		5	/* random user timestamp version type */
#define RANDOM_LEN		16
#define USER_B64_MAX		64
#define TIMESTAMP_MAX		12
#define VERSION_MAX		8
#define TYPE_MAX		2
#define FIELD_B64_MAX		256	/* message, NAT, server_auth */
#define TIMEOUT_DIGITS_MAX	5	/* 65536 */
#define IPV4_TEXT_MAX		15
#define PORT_DIGITS_MAX		5
#define PROTO_LEN		3	/* "tcp", "udp" */

struct field {
	const char	*p;
	size_t		 n;
};

/* The fields of the encoded part, before the digest. */
struct fields {
	struct field	 f[MAX_FIELDS];
	size_t		 count;		/* may exceed MAX_FIELDS: then refused */
};

/* Where the optional fields of each request type sit. */
struct type_layout {
	size_t		 min_rest, max_rest;	/* fields after the type */
	bool		 nat;
	bool		 timeout;
};

static const char *const request_names[] = {
	[SPA_REQ_COMMAND] = "command",
	[SPA_REQ_ACCESS] = "access",
	[SPA_REQ_NAT_ACCESS] = "nat_access",
	[SPA_REQ_CLIENT_TIMEOUT_ACCESS] = "client_timeout_access",
	[SPA_REQ_CLIENT_TIMEOUT_NAT_ACCESS] = "client_timeout_nat_access",
	[SPA_REQ_LOCAL_NAT_ACCESS] = "local_nat_access",
	[SPA_REQ_CLIENT_TIMEOUT_LOCAL_NAT_ACCESS] =
	    "client_timeout_local_nat_access",
};
#define NREQUESTS	(sizeof(request_names) / sizeof(request_names[0]))

static const struct type_layout layouts[] = {
	[SPA_REQ_COMMAND] =				{ 1, 2, false, false },
	[SPA_REQ_ACCESS] =				{ 1, 2, false, false },
	[SPA_REQ_NAT_ACCESS] =				{ 2, 3, true, false },
	[SPA_REQ_CLIENT_TIMEOUT_ACCESS] =		{ 2, 3, false, true },
	[SPA_REQ_CLIENT_TIMEOUT_NAT_ACCESS] =		{ 3, 4, true, true },
	[SPA_REQ_LOCAL_NAT_ACCESS] =			{ 2, 3, true, false },
	[SPA_REQ_CLIENT_TIMEOUT_LOCAL_NAT_ACCESS] =	{ 3, 4, true, true },
};
#define NLAYOUTS	(sizeof(layouts) / sizeof(layouts[0]))

static bool
is_digits(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

static bool
is_printable(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] > 0x7e)
			return false;
	return true;
}

/* Decimal digits only, 1..maxdigits of them: no sign, no space. */
static int
parse_uint(const char *p, size_t n, size_t maxdigits, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > maxdigits || !is_digits(p, n))
		return -1;
	for (i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(p[i] - '0');
	*out = v;
	return 0;
}

/* --- field rules (spa.h) ------------------------------------------------- */

/* 1..max printable characters, then a NUL within max + 1 bytes. */
static bool
is_text(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	return n >= 1 && n <= max && is_printable(s, n);
}

bool
spa_request_ok(enum spa_request t)
{
	return (size_t)t < NLAYOUTS;
}

/* fwknop's username rule */
bool
spa_user_ok(const char *user)
{
	return is_text(user, SPA_USER_MAX) &&
	    strpbrk(user, "\"/\\[]:;|=,+*?<>") == NULL;
}

bool
spa_timestamp_ok(int64_t ts)
{
	return ts >= 0 && ts <= SPA_TIMESTAMP_MAX;
}

bool
spa_port_ok(const struct spa_port *p)
{
	return (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) &&
	    p->port != 0;
}

bool
spa_command_ok(const char *command)
{
	return is_text(command, SPA_FIELD_MAX);
}

/*
 * fwknop's NAT host rule; and a name of digits and dots is no host name
 * (RFC 1123) but an IPv4 address, so 999.1.1.1 is refused, as fwknopd
 * refuses it.
 */
bool
spa_nat_host_ok(const char *host)
{
	struct spa_addr a;

	if (!is_text(host, SPA_NAT_HOST_MAX) ||
	    strpbrk(host, " /?\"'\\,") != NULL)
		return false;
	return strspn(host, "0123456789.") != strlen(host) ||
	    addr_parse_ipv4(host, &a) == 0;
}

static bool
is_alnum_ascii(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9');
}

/* Locale-free: the resolver sees bytes, not what isalnum() thinks. */
bool
spa_nat_name_ok(const char *name)
{
	size_t i, label = 0, n = strnlen(name, SPA_NAT_HOST_MAX + 1);

	if (n == 0 || n > SPA_NAT_HOST_MAX)
		return false;
	for (i = 0; i < n; i++) {
		if (name[i] == '.') {
			if (label == 0 || name[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!is_alnum_ascii(name[i]) && (name[i] != '-' || label == 0))
			return false;
		if (++label > 63)
			return false;
	}
	return name[n - 1] != '-';
}

bool
spa_client_timeout_ok(enum spa_request t, uint32_t timeout)
{
	if (!spa_request_ok(t) || !layouts[t].timeout)
		return timeout == 0;
	return timeout <= SPA_CLIENT_TIMEOUT_MAX;
}

/* --- digest --------------------------------------------------------------- */

/* Candidate hashes by b64 length, in the order libfko tries them. */
static size_t
digest_candidates(size_t b64len, enum spa_digest cand[2])
{
	switch (b64len) {
	case 22:
		cand[0] = SPA_DIGEST_MD5;
		return 1;
	case 27:
		cand[0] = SPA_DIGEST_SHA1;
		return 1;
	case 43:
		cand[0] = SPA_DIGEST_SHA256;
		cand[1] = SPA_DIGEST_SHA3_256;
		return 2;
	case 64:
		cand[0] = SPA_DIGEST_SHA384;
		return 1;
	case 86:
		cand[0] = SPA_DIGEST_SHA512;
		cand[1] = SPA_DIGEST_SHA3_512;
		return 2;
	default:
		return 0;
	}
}

static int
digest_matches(enum spa_digest d, const char *enc, size_t enclen,
    const char *digest, size_t dlen, bool *match)
{
	uint8_t raw[SPA_DIGEST_MAX_LEN];
	char text[B64_ENCODED_LEN(SPA_DIGEST_MAX_LEN)];
	int r;

	if ((r = crypto_hash(d, enc, enclen, raw)) != 0)
		return r;
	if (b64_encode(raw, crypto_digest_len(d), text) != dlen)
		return SPA_ERR_CRYPTO;
	*match = crypto_ct_equal(text, digest, dlen);
	return 0;
}

static int
verify_digest(const char *enc, size_t enclen, const char *digest,
    size_t dlen, enum spa_digest *type)
{
	enum spa_digest cand[2];
	size_t i, n = digest_candidates(dlen, cand);
	bool match = false;
	int r;

	for (i = 0; i < n; i++) {
		if ((r = digest_matches(cand[i], enc, enclen, digest, dlen,
		    &match)) != 0)
			return r;
		if (match) {
			*type = cand[i];
			return 0;
		}
	}
	return SPA_ERR_DIGEST;
}

/* --- splitting ------------------------------------------------------------ */

static void
split_fields(const char *p, size_t n, struct fields *fs)
{
	size_t i, start = 0;

	fs->count = 0;
	for (i = 0; i <= n; i++) {
		if (i < n && p[i] != ':')
			continue;
		if (fs->count < MAX_FIELDS) {
			fs->f[fs->count].p = p + start;
			fs->f[fs->count].n = i - start;
		}
		fs->count++;
		start = i + 1;
	}
}

static size_t
count_colons(const char *p, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += p[i] == ':';
	return c;
}

/*
 * Base64 text field of 1..maxchars characters that decodes to printable
 * text, NUL-terminated in out (cap bytes).  '=' is refused: no client
 * sends padding inside the plaintext.
 */
static int
decode_text(const struct field *f, size_t maxchars, char *out, size_t cap)
{
	size_t len = 0;

	if (f->n == 0 || f->n > maxchars || !b64_is_alphabet(f->p, f->n))
		return -1;
	if (b64_decode(f->p, f->n, (uint8_t *)out, cap - 1, &len, false) != 0)
		return -1;
	out[len] = '\0';
	if (len == 0 || !is_printable(out, len))
		return -1;
	return 0;
}

/* --- fixed fields --------------------------------------------------------- */

static int
parse_random(const struct field *f, struct spa_packet *m)
{
	if (f->n != RANDOM_LEN || !is_digits(f->p, f->n))
		return SPA_ERR_RANDOM;
	memcpy(m->random, f->p, RANDOM_LEN);
	m->random[RANDOM_LEN] = '\0';
	return 0;
}

static int
parse_username(const struct field *f, struct spa_packet *m)
{
	if (decode_text(f, USER_B64_MAX, m->user, sizeof(m->user)) != 0 ||
	    !spa_user_ok(m->user))
		return SPA_ERR_USERNAME;
	return 0;
}

static int
parse_timestamp(const struct field *f, struct spa_packet *m)
{
	uint64_t v;

	if (parse_uint(f->p, f->n, TIMESTAMP_MAX, &v) != 0 ||
	    !spa_timestamp_ok((int64_t)v))
		return SPA_ERR_TIMESTAMP;
	m->timestamp = (int64_t)v;
	return 0;
}

static int
parse_version(const struct field *f, struct spa_packet *m)
{
	if (f->n == 0 || f->n > VERSION_MAX)
		return SPA_ERR_VERSION;
	memcpy(m->version, f->p, f->n);
	m->version[f->n] = '\0';
	return 0;
}

static int
parse_type(const struct field *f, struct spa_packet *m)
{
	uint64_t v;

	if (parse_uint(f->p, f->n, TYPE_MAX, &v) != 0 ||
	    !spa_request_ok((enum spa_request)v))
		return SPA_ERR_REQUEST;
	m->type = (enum spa_request)v;
	return 0;
}

/* --- message -------------------------------------------------------------- */

/*
 * fwknopd reads the address with inet_aton, where "010" is octal 8; a
 * decimal parser would grant 10.  Such text has two meanings: refuse it.
 */
static bool
has_leading_zero_octet(const char *ip)
{
	const char *p;

	for (p = ip; *p != '\0'; p++)
		if (*p == '0' && (p == ip || p[-1] == '.') &&
		    p[1] >= '0' && p[1] <= '9')
			return true;
	return false;
}

/* "IPv4,rest": parse the address, point *rest after the comma. */
static int
parse_allow_ip(const char *s, struct spa_addr *a, const char **rest)
{
	const char *comma = strchr(s, ',');
	char ip[IPV4_TEXT_MAX + 1];
	size_t n;

	if (comma == NULL || (n = (size_t)(comma - s)) > IPV4_TEXT_MAX)
		return -1;
	memcpy(ip, s, n);
	ip[n] = '\0';
	if (has_leading_zero_octet(ip) || addr_parse_ipv4(ip, a) != 0)
		return -1;
	*rest = comma + 1;
	return 0;
}

static int
parse_proto(const char *p, size_t n, uint8_t *proto)
{
	if (n == PROTO_LEN && memcmp(p, "tcp", PROTO_LEN) == 0)
		*proto = IPPROTO_TCP;
	else if (n == PROTO_LEN && memcmp(p, "udp", PROTO_LEN) == 0)
		*proto = IPPROTO_UDP;
	else
		return -1;
	return 0;
}

/* One "proto/port" spec of n characters. */
static int
parse_port_spec(const char *p, size_t n, struct spa_port *out)
{
	const char *slash = memchr(p, '/', n);
	uint64_t port;
	size_t plen;

	if (slash == NULL)
		return -1;
	plen = (size_t)(slash - p);
	if (parse_proto(p, plen, &out->proto) != 0 ||
	    parse_uint(slash + 1, n - plen - 1, PORT_DIGITS_MAX, &port) != 0 ||
	    port > 65535)
		return -1;
	out->port = (uint16_t)port;
	return spa_port_ok(out) ? 0 : -1;
}

int
spa_parse_ports(const char *s, struct spa_port *ports, size_t max, size_t *n)
{
	const char *end;
	size_t count = 0, len;

	*n = 0;
	for (;;) {
		end = strchr(s, ',');
		len = end != NULL ? (size_t)(end - s) : strlen(s);
		if (count >= max ||
		    parse_port_spec(s, len, &ports[count]) != 0)
			return SPA_ERR_MESSAGE;
		count++;
		if (end == NULL)
			break;
		s = end + 1;
	}
	*n = count;
	return 0;
}

static int
parse_message(const struct field *f, struct spa_packet *m)
{
	const char *rest = NULL;

	if (decode_text(f, FIELD_B64_MAX, m->message, sizeof(m->message)) != 0 ||
	    parse_allow_ip(m->message, &m->allow, &rest) != 0)
		return SPA_ERR_MESSAGE;
	if (m->type != SPA_REQ_COMMAND)
		return spa_parse_ports(rest, m->ports, SPA_MAX_PORTS, &m->nports);
	/* Both buffers hold SPA_FIELD_MAX + 1 bytes and rest is inside one. */
	memcpy(m->command, rest, strlen(rest) + 1);
	return spa_command_ok(m->command) ? 0 : SPA_ERR_MESSAGE;
}

/* --- optional fields ------------------------------------------------------ */

/* "host,port": spa_nat_host_ok(host), port 1..65535. */
static int
parse_nat(const struct field *f, struct spa_packet *m)
{
	char text[SPA_FIELD_MAX + 1];
	char *comma;
	uint64_t port;
	size_t hlen;
	int r = SPA_ERR_NAT;

	if (decode_text(f, FIELD_B64_MAX, text, sizeof(text)) != 0 ||
	    (comma = strchr(text, ',')) == NULL)
		goto out;
	*comma = '\0';
	hlen = (size_t)(comma - text);
	if (!spa_nat_host_ok(text))
		goto out;
	if (parse_uint(comma + 1, strlen(comma + 1), PORT_DIGITS_MAX,
	    &port) != 0 || port < 1 || port > 65535)
		goto out;
	memcpy(m->nat_host, text, hlen);
	m->nat_host[hlen] = '\0';
	m->nat_port = (uint16_t)port;
	m->has_nat = true;
	r = 0;
out:
	crypto_wipe(text, sizeof(text));
	return r;
}

/* Carried, not interpreted: fwknopd ignores it too. */
static int
parse_server_auth(const struct field *f, struct spa_packet *m)
{
	if (decode_text(f, FIELD_B64_MAX, m->server_auth,
	    sizeof(m->server_auth)) != 0)
		return SPA_ERR_FIELDS;
	m->has_server_auth = true;
	return 0;
}

static int
parse_client_timeout(const struct field *f, struct spa_packet *m)
{
	uint64_t v;

	if (parse_uint(f->p, f->n, TIMEOUT_DIGITS_MAX, &v) != 0 ||
	    !spa_client_timeout_ok(m->type, (uint32_t)v))
		return SPA_ERR_CLIENT_TIMEOUT;
	m->client_timeout = (uint32_t)v;
	return 0;
}

/* Message, then NAT, server_auth and timeout as the type lays them out. */
static int
parse_rest(const struct fields *fs, struct spa_packet *m)
{
	const struct type_layout *l = &layouts[m->type];
	size_t rest = fs->count - FIXED_FIELDS, i = FIXED_FIELDS;
	size_t last = fs->count - 1;
	int r;

	if (rest < l->min_rest || rest > l->max_rest)
		return SPA_ERR_FIELDS;
	if ((r = parse_message(&fs->f[i++], m)) != 0)
		return r;
	if (l->nat && (r = parse_nat(&fs->f[i++], m)) != 0)
		return r;
	if (i < fs->count - (l->timeout ? 1 : 0) &&
	    (r = parse_server_auth(&fs->f[i++], m)) != 0)
		return r;
	if (l->timeout)
		return parse_client_timeout(&fs->f[last], m);
	return 0;
}

/* --- entry point ---------------------------------------------------------- */

static int
decode_fields(const char *enc, size_t enclen, struct spa_packet *m)
{
	struct fields fs;
	int r;

	split_fields(enc, enclen, &fs);
	if (fs.count < FIXED_FIELDS + 1)
		return SPA_ERR_FIELDS;
	if ((r = parse_random(&fs.f[0], m)) != 0 ||
	    (r = parse_username(&fs.f[1], m)) != 0 ||
	    (r = parse_timestamp(&fs.f[2], m)) != 0 ||
	    (r = parse_version(&fs.f[3], m)) != 0 ||
	    (r = parse_type(&fs.f[4], m)) != 0)
		return r;
	return parse_rest(&fs, m);
}

int
spa_decode(const char *plain, size_t len, struct spa_packet *out)
{
	const char *digest;
	size_t enclen;
	int r;

	memset(out, 0, sizeof(*out));
	if (len < PLAIN_MIN || len > SPA_MAX_PAYLOAD ||
	    !is_printable(plain, len) || count_colons(plain, len) < MIN_COLONS)
		return SPA_ERR_FIELDS;
	digest = (const char *)memrchr(plain, ':', len) + 1;
	enclen = (size_t)(digest - plain) - 1;
	if ((r = verify_digest(plain, enclen, digest, len - enclen - 1,
	    &out->digest_type)) != 0 ||
	    (r = decode_fields(plain, enclen, out)) != 0)
		crypto_wipe(out, sizeof(*out));
	return r;
}

const char *
spa_request_name(enum spa_request t)
{
	return (size_t)t < NREQUESTS ? request_names[t] : "unknown";
}

bool
spa_request_is_nat(enum spa_request t)
{
	return t == SPA_REQ_NAT_ACCESS ||
	    t == SPA_REQ_CLIENT_TIMEOUT_NAT_ACCESS ||
	    spa_request_is_local_nat(t);
}

bool
spa_request_is_local_nat(enum spa_request t)
{
	return t == SPA_REQ_LOCAL_NAT_ACCESS ||
	    t == SPA_REQ_CLIENT_TIMEOUT_LOCAL_NAT_ACCESS;
}

const char *
spa_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	default:
		return "unknown";
	}
}
