/*
 * access.conf directives: one table row per directive name, one small
 * handler per kind of value.  A handler parses the value, stores it in the
 * current stanza and returns 0, or fails through access_fail() with the
 * reason.  Duplicates, placement and key-file rules are checked by the
 * caller (access.c) before a handler runs.
 */
#include "config.h"

#include <ctype.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <netinet/in.h>

#include "access_int.h"
#include "b64.h"
#include "crypto.h"
#include "err.h"

#define FIELD(p, d, type)	((type *)(void *)((char *)(p) + (d)->off))

/* --- value helpers ------------------------------------------------------- */

/* Decimal digits only, no sign or blanks, at most `max`. */
static int
parse_number(const char *s, long long max, long long *out)
{
	long long v = 0;

	if (*s == '\0')
		return SPA_ERR_ARG;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return SPA_ERR_ARG;
		v = v * 10 + (*s - '0');
		if (v > max)
			return SPA_ERR_ARG;
	}
	*out = v;
	return 0;
}

static int
parse_bool(const char *s, bool *out)
{
	if (strcasecmp(s, "Y") == 0 || strcasecmp(s, "YES") == 0)
		*out = true;
	else if (strcasecmp(s, "N") == 0 || strcasecmp(s, "NO") == 0)
		*out = false;
	else
		return SPA_ERR_ARG;
	return 0;
}

static bool
is_placeholder(const char *s)
{
	return strcasestr(s, "__CHANGEME__") != NULL;
}

static int
store_string(struct access_parser *p, char **dst, const char *value)
{
	char *copy = strdup(value);

	if (copy == NULL)
		return access_nomem(p);
	free(*dst);
	*dst = copy;
	return 0;
}

/* --- generic handlers, driven by the table's field offset ---------------- */

static int
h_bool(struct access_parser *p, const struct access_directive *d, char *v)
{
	if (parse_bool(v, FIELD(access_cur(p), d, bool)) != 0)
		return access_fail(p, "%s must be Y or N (or YES, NO)",
		    d->name);
	return 0;
}

static int
h_timeout(struct access_parser *p, const struct access_directive *d, char *v)
{
	long long n;

	if (parse_number(v, ACCESS_MAX_TIMEOUT, &n) != 0 || n < 1)
		return access_fail(p, "%s must be a number from 1 to %d",
		    d->name, ACCESS_MAX_TIMEOUT);
	*FIELD(access_cur(p), d, uint32_t) = (uint32_t)n;
	return 0;
}

static int
h_string(struct access_parser *p, const struct access_directive *d, char *v)
{
	if (d->max != 0 && strlen(v) > d->max)
		return access_fail(p, "%s is longer than %zu characters",
		    d->name, d->max);
	return store_string(p, FIELD(access_cur(p), d, char *), v);
}

static int
h_user(struct access_parser *p, const struct access_directive *d, char *v)
{
	struct access_account *acct = NULL;
	struct passwd *pw;

	acct = FIELD(access_cur(p), d, struct access_account);

	if ((pw = getpwnam(v)) == NULL)
		return access_fail(p, "%s: unknown user", d->name);
	acct->uid = pw->pw_uid;
	acct->gid = pw->pw_gid;
	return store_string(p, &acct->name, v);
}

/*
 * fwknopd resolves group names as user names and takes that user's primary
 * group, so "CMD_EXEC_GROUP nobody" works there on systems that have no
 * such group: point at the group it meant.
 */
static int
unknown_group(struct access_parser *p, const struct access_directive *d,
    const char *v)
{
	struct passwd *pw = getpwnam(v);
	struct group *gr = pw != NULL ? getgrgid(pw->pw_gid) : NULL;

	if (gr != NULL)
		return access_fail(p, "%s: unknown group (fwknopd would use "
		    "the primary group of the user of that name: '%s')",
		    d->name, gr->gr_name);
	return access_fail(p, "%s: unknown group", d->name);
}

/* The group database, not the user one (fwknopd uses getpwnam here). */
static int
h_group(struct access_parser *p, const struct access_directive *d, char *v)
{
	struct access_account *acct = NULL;
	struct group *gr;

	acct = FIELD(access_cur(p), d, struct access_account);

	if ((gr = getgrnam(v)) == NULL)
		return unknown_group(p, d, v);
	acct->uid = (uid_t)-1;
	acct->gid = gr->gr_gid;
	return store_string(p, &acct->name, v);
}

/* --- addresses and ports ------------------------------------------------- */

/*
 * Which entry of a comma-separated list is `bad` (1-based): a message
 * says where, never what (the line may be someone's secret).
 */
static size_t
entry_number(const char *v, const char *bad)
{
	size_t i = 1, n = strlen(bad), len;
	const char *seg = v, *end;

	for (;;) {
		seg += strspn(seg, " \t");
		end = seg + strcspn(seg, ",");
		len = (size_t)(end - seg);
		while (len > 0 && (seg[len - 1] == ' ' || seg[len - 1] == '\t'))
			len--;
		if (len >= n && strncmp(seg, bad, n) == 0)
			return i;
		if (*end == '\0')
			return i;
		seg = end + 1;
		i++;
	}
}

static int
parse_addr_list(struct access_parser *p, const char *name, const char *v,
    struct spa_addr_list *out)
{
	char bad[64];
	const char *why = "invalid entry";
	int r;

	if ((r = addr_list_parse(v, out, &why, bad, sizeof(bad))) == 0)
		return 0;
	if (r == SPA_ERR_NOMEM)
		return access_nomem(p);
	r = access_fail(p, "invalid %s entry #%zu: %s", name,
	    entry_number(v, bad), why);
	crypto_wipe(bad, sizeof(bad));
	return r;
}

static int
h_source(struct access_parser *p, const struct access_directive *d, char *v)
{
	int r;

	if ((r = access_stanza_begin(p)) != 0)
		return r;
	return parse_addr_list(p, d->name, v, &access_cur(p)->source);
}

static int
h_destination(struct access_parser *p, const struct access_directive *d,
    char *v)
{
	struct stanza *st = access_cur(p);
	int r;

	if ((r = parse_addr_list(p, d->name, v, &st->destination)) != 0)
		return r;
	st->has_destination = true;
	return 0;
}

/* The i-th "proto/port" token, already trimmed. */
static int
parse_port_token(struct access_parser *p, const char *name, size_t i,
    char *tok, struct spa_port *out)
{
	char *slash = strchr(tok, '/');
	long long port;

	if (*tok == '\0')
		return access_fail(p, "invalid %s: entry #%zu is empty", name,
		    i);
	if (strpbrk(tok, " \t") != NULL)	/* "tcp/22 udp/53" */
		return access_fail(p, "invalid %s entry #%zu: a space inside "
		    "an entry (entries are separated by commas, as in "
		    "\"tcp/22, udp/53\")", name, i);
	if (slash == NULL)
		return access_fail(p, "invalid %s entry #%zu: missing '/' "
		    "(expected proto/port)", name, i);
	*slash = '\0';
	if (strcasecmp(tok, "tcp") == 0)
		out->proto = IPPROTO_TCP;
	else if (strcasecmp(tok, "udp") == 0)
		out->proto = IPPROTO_UDP;
	else
		return access_fail(p, "invalid %s entry #%zu: the protocol is "
		    "not supported (tcp or udp)", name, i);
	if (parse_number(slash + 1, 65535, &port) != 0 || port < 1)
		return access_fail(p, "invalid %s entry #%zu: port must be a "
		    "number from 1 to 65535", name, i);
	out->port = (uint16_t)port;
	return 0;
}

/* Append unless already present: the list is a set. */
static int
ports_add(struct access_parser *p, struct access_ports *l,
    const struct spa_port *sp)
{
	struct spa_port *v;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].proto == sp->proto && l->v[i].port == sp->port)
			return 0;
	if ((v = reallocarray(l->v, l->n + 1, sizeof(*v))) == NULL)
		return access_nomem(p);
	l->v = v;
	l->v[l->n++] = *sp;
	return 0;
}

static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

static int
parse_ports(struct access_parser *p, const char *name, char *v,
    struct access_ports *out)
{
	struct spa_port sp;
	char *tok, *next;
	size_t i = 1;
	int r;

	for (tok = v; tok != NULL; tok = next, i++) {
		if ((next = strchr(tok, ',')) != NULL)
			*next++ = '\0';
		if ((r = parse_port_token(p, name, i, trim(tok), &sp)) != 0 ||
		    (r = ports_add(p, out, &sp)) != 0)
			return r;
	}
	return 0;
}

static int
h_open_ports(struct access_parser *p, const struct access_directive *d,
    char *v)
{
	struct stanza *st = access_cur(p);

	st->has_open_ports = true;
	return parse_ports(p, d->name, v, &st->open_ports);
}

static int
h_restrict_ports(struct access_parser *p, const struct access_directive *d,
    char *v)
{
	return parse_ports(p, d->name, v, &access_cur(p)->restrict_ports);
}

/* --- keys ---------------------------------------------------------------- */

static int
store_key(struct access_parser *p, const char *name, const uint8_t *key,
    size_t len, uint8_t *dst, size_t cap, size_t *dst_len, bool *has)
{
	if (len == 0 || len > cap)
		return access_fail(p, "%s is %zu bytes long: it must be 1 "
		    "to %zu", name, len, cap);
	memcpy(dst, key, len);
	*dst_len = len;
	*has = true;
	return 0;
}

static int
decode_key(struct access_parser *p, const char *name, const char *v,
    uint8_t *dst, size_t cap, size_t *dst_len, bool *has)
{
	uint8_t buf[SPA_HMAC_KEY_MAX + 1];
	size_t n = 0;
	int r;

	if (is_placeholder(v))
		return access_fail(p, "%s: key is the placeholder __CHANGEME__",
		    name);
	r = b64_decode_padded(v, buf, cap, &n);
	if (r == SPA_ERR_LENGTH)
		r = access_fail(p, "%s decodes to more than %zu bytes", name,
		    cap);
	else if (r != 0)
		r = access_fail(p, "%s is not valid base64", name);
	else
		r = store_key(p, name, buf, n, dst, cap, dst_len, has);
	crypto_wipe(buf, sizeof(buf));
	return r;
}

static int
h_key(struct access_parser *p, const struct access_directive *d, char *v)
{
	struct stanza *st = access_cur(p);

	if (is_placeholder(v))
		return access_fail(p, "%s: key is the placeholder __CHANGEME__",
		    d->name);
	return store_key(p, d->name, (const uint8_t *)v, strlen(v),
	    st->enc_key, SPA_KEY_MAX, &st->enc_key_len, &st->has_enc_key);
}

static int
h_key_base64(struct access_parser *p, const struct access_directive *d,
    char *v)
{
	struct stanza *st = access_cur(p);

	return decode_key(p, d->name, v, st->enc_key, SPA_KEY_MAX,
	    &st->enc_key_len, &st->has_enc_key);
}

static int
h_hmac_key(struct access_parser *p, const struct access_directive *d, char *v)
{
	struct stanza *st = access_cur(p);

	if (is_placeholder(v))
		return access_fail(p, "%s: key is the placeholder __CHANGEME__",
		    d->name);
	return store_key(p, d->name, (const uint8_t *)v, strlen(v),
	    st->hmac_key, SPA_HMAC_KEY_MAX, &st->hmac_key_len,
	    &st->has_hmac_key);
}

static int
h_hmac_key_base64(struct access_parser *p, const struct access_directive *d,
    char *v)
{
	struct stanza *st = access_cur(p);

	return decode_key(p, d->name, v, st->hmac_key, SPA_HMAC_KEY_MAX,
	    &st->hmac_key_len, &st->has_hmac_key);
}

/* The passphrase of the stanza's GnuPG key, for the verifier to unlock it. */
static int
h_gpg_pw(struct access_parser *p, const struct access_directive *d, char *v)
{
	struct stanza *st = access_cur(p);

	if (is_placeholder(v))
		return access_fail(p, "%s: key is the placeholder __CHANGEME__",
		    d->name);
	if (strlen(v) > GPG_PW_MAX)
		return access_fail(p, "%s: longer than %d bytes", d->name,
		    GPG_PW_MAX);
	if (st->gpg_decrypt_pw != NULL) {
		crypto_wipe(st->gpg_decrypt_pw, strlen(st->gpg_decrypt_pw));
		free(st->gpg_decrypt_pw);
	}
	if ((st->gpg_decrypt_pw = strdup(v)) == NULL)
		return access_nomem(p);
	st->has_gpg_decrypt_pw = true;
	return 0;
}

static int
h_digest(struct access_parser *p, const struct access_directive *d, char *v)
{
	if (crypto_digest_from_name(v, &access_cur(p)->hmac_type) != 0)
		return access_fail(p, "unknown %s (valid: md5, sha1, "
		    "sha256, sha384, sha512, sha3_256, sha3_512)", d->name);
	return 0;
}

static int
h_mode(struct access_parser *p, const struct access_directive *d, char *v)
{
	if (strcasecmp(v, "PCBC") == 0)
		return access_fail(p, "%s PCBC is not supported", d->name);
	if (crypto_mode_from_name(v, &access_cur(p)->mode) != 0)
		return access_fail(p, "unknown %s (valid: CBC, ECB, CFB, "
		    "OFB, CTR, legacy, Asymmetric)", d->name);
	return 0;
}

/* --- expiry -------------------------------------------------------------- */

static int
days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* One to `maxd` digits, then `sep` (or the end when sep is NUL). */
static const char *
date_field(const char *s, int mind, int maxd, char sep, int *out)
{
	int n = 0, v = 0;

	for (; *s >= '0' && *s <= '9' && n < maxd; s++, n++)
		v = v * 10 + (*s - '0');
	if (n < mind || *s != sep)
		return NULL;
	*out = v;
	return sep == '\0' ? s : s + 1;
}

/* MM/DD/YYYY (or YY = 20YY) to local midnight at the start of that day. */
static int
parse_date(const char *s, time_t *out)
{
	struct tm tm;
	int mon, day, year;
	const char *y;

	if ((s = date_field(s, 1, 2, '/', &mon)) == NULL ||
	    (y = date_field(s, 1, 2, '/', &day)) == NULL ||
	    date_field(y, 2, 4, '\0', &year) == NULL)
		return SPA_ERR_ARG;
	if (strlen(y) == 2)
		year += 2000;
	else if (strlen(y) != 4 || year < 1970)
		return SPA_ERR_ARG;
	if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon))
		return SPA_ERR_ARG;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_isdst = -1;
	if ((*out = mktime(&tm)) == (time_t)-1)
		return SPA_ERR_ARG;
	return 0;
}

static void
warn_if_past(struct access_parser *p, const char *name, int64_t when)
{
	if (when <= (int64_t)time(NULL))
		access_warn(p, "%s is in the past: this stanza never matches",
		    name);
}

static int
h_expire(struct access_parser *p, const struct access_directive *d, char *v)
{
	time_t t;

	if (parse_date(v, &t) != 0)
		return access_fail(p, "%s is not a valid date (MM/DD/YYYY)",
		    d->name);
	access_cur(p)->expire = (int64_t)t;
	warn_if_past(p, d->name, (int64_t)t);
	return 0;
}

static int
h_expire_epoch(struct access_parser *p, const struct access_directive *d,
    char *v)
{
	long long n;

	if (parse_number(v, ACCESS_EPOCH_MAX, &n) != 0 || n < 1)
		return access_fail(p, "%s must be a number from 1 to %lld",
		    d->name, ACCESS_EPOCH_MAX);
	access_cur(p)->expire = (int64_t)n;
	warn_if_past(p, d->name, (int64_t)n);
	return 0;
}

/* --- commands and NAT ---------------------------------------------------- */

static int
h_cmd_close(struct access_parser *p, const struct access_directive *d,
    char *v)
{
	if (strcasecmp(v, "NONE") == 0) {
		access_cur(p)->cmd_cycle_close_none = true;
		return 0;
	}
	return h_string(p, d, v);
}

static int
h_cmd_refresh(struct access_parser *p, const struct access_directive *d,
    char *v)
{
	if (strcasecmp(v, "NONE") == 0) {
		access_cur(p)->cmd_cycle_refresh_none = true;
		return 0;
	}
	return h_string(p, d, v);
}

/* Add status n to the increasing list; false if it is full. */
static bool
absent_add(struct stanza *st, uint8_t n)
{
	size_t i = st->cmd_cycle_close_nabsent;

	if (memchr(st->cmd_cycle_close_absent, n, i) != NULL)
		return true;
	if (i == ACCESS_ABSENT_MAX)
		return false;
	while (i > 0 && st->cmd_cycle_close_absent[i - 1] > n) {
		st->cmd_cycle_close_absent[i] = st->cmd_cycle_close_absent[i - 1];
		i--;
	}
	st->cmd_cycle_close_absent[i] = n;
	st->cmd_cycle_close_nabsent++;
	return true;
}

/* "1" or "1,2" (or spaces): exit statuses of the close meaning "gone". */
static int
h_close_absent(struct access_parser *p, const struct access_directive *d,
    char *v)
{
	struct stanza *st = access_cur(p);
	long long n;
	char *w, *save = NULL;

	st->cmd_cycle_close_nabsent = 0;
	for (w = strtok_r(v, ", \t", &save); w != NULL;
	    w = strtok_r(NULL, ", \t", &save))
		if (parse_number(w, 255, &n) != 0 || n < 1 ||
		    !absent_add(st, (uint8_t)n))
			break;
	if (w != NULL || st->cmd_cycle_close_nabsent == 0)
		return access_fail(p, "%s must list 1 to %d exit statuses "
		    "from 1 to 255, separated by commas", d->name,
		    ACCESS_ABSENT_MAX);
	return 0;
}

static int
parse_port(const char *s, uint16_t *out)
{
	long long n;

	if (parse_number(s, 65535, &n) != 0 || n < 1)
		return SPA_ERR_ARG;
	*out = (uint16_t)n;
	return 0;
}

/* "IPv4 PORT" */
static int
h_force_nat(struct access_parser *p, const struct access_directive *d,
    char *v)
{
	struct stanza *st = access_cur(p);
	char *port = v + strcspn(v, " \t");

	if (*port == '\0')
		return access_fail(p, "%s needs an IPv4 address and a port",
		    d->name);
	*port++ = '\0';
	port = trim(port);
	if (addr_parse_ipv4(v, &st->force_nat_addr) != 0)
		return access_fail(p, "%s: the address is not an IPv4 address",
		    d->name);
	if (parse_port(port, &st->force_nat_port) != 0)
		return access_fail(p, "%s: the port must be a number from 1 "
		    "to 65535", d->name);
	st->has_force_nat = true;
	return 0;
}

static int
h_force_snat(struct access_parser *p, const struct access_directive *d,
    char *v)
{
	struct stanza *st = access_cur(p);

	if (addr_parse_ipv4(v, &st->force_snat_addr) != 0)
		return access_fail(p, "%s: the address is not an IPv4 address",
		    d->name);
	st->has_force_snat = true;
	return 0;
}

/* --- shared knock sequences (fwknop 1.x) --------------------------------- */

static int
h_shared_sequence(struct access_parser *p, const struct access_directive *d,
    char *v)
{
	struct stanza *st = access_cur(p);
	const char *why = NULL;
	size_t entry = 0;

	if (knock_seq_parse_fwknop(v, &st->shared_sequence, &why, &entry) != 0)
		return access_fail(p, "invalid %s entry #%zu: %s", d->name,
		    entry, why);
	st->knock = true;
	return 0;
}

static int
h_knock_seconds(struct access_parser *p, const struct access_directive *d,
    char *v, long long min, uint32_t *out)
{
	long long n;

	if (parse_number(v, KNOCK_TIMEOUT_MAX, &n) != 0 || n < min)
		return access_fail(p, "%s must be a number of seconds from "
		    "%lld to %d", d->name, min, KNOCK_TIMEOUT_MAX);
	*out = (uint32_t)n;
	return 0;
}

static int
h_knock_interval(struct access_parser *p, const struct access_directive *d,
    char *v)
{
	return h_knock_seconds(p, d, v, 1, &access_cur(p)->knock_interval);
}

/* 0 is a bound: knocks in the same second are too soon. */
static int
h_min_time_diff(struct access_parser *p, const struct access_directive *d,
    char *v)
{
	struct stanza *st = access_cur(p);

	st->has_min_time_diff = true;
	return h_knock_seconds(p, d, v, 0, &st->min_time_diff);
}

/* 0 would let no knock follow another. */
static int
h_max_time_diff(struct access_parser *p, const struct access_directive *d,
    char *v)
{
	struct stanza *st = access_cur(p);

	st->has_max_time_diff = true;
	return h_knock_seconds(p, d, v, 1, &st->max_time_diff);
}

/* --- includes ------------------------------------------------------------ */

static int
h_include(struct access_parser *p, const struct access_directive *d, char *v)
{
	return access_include(p, v, false);
}

static int
h_include_keys(struct access_parser *p, const struct access_directive *d,
    char *v)
{
	return access_include(p, v, true);
}

static int
h_include_folder(struct access_parser *p, const struct access_directive *d,
    char *v)
{
	return access_include_folder(p, v);
}

/* --- the table ----------------------------------------------------------- */

#define F(field)	offsetof(struct stanza, field)
#define D(name, fn, slot, flags)	{ name, fn, slot, flags, 0, 0 }
#define DF(name, fn, slot, flags, field, max) \
	{ name, fn, slot, flags, F(field), max }

static const struct access_directive directives[] = {
	D("SOURCE", h_source, SLOT_NONE, AD_OUTSIDE),
	D("DESTINATION", h_destination, SLOT_DESTINATION, 0),
	D("OPEN_PORTS", h_open_ports, SLOT_OPEN_PORTS, 0),
	D("RESTRICT_PORTS", h_restrict_ports, SLOT_RESTRICT_PORTS, 0),
	D("KEY", h_key, SLOT_KEY, AD_KEYFILE),
	D("KEY_BASE64", h_key_base64, SLOT_KEY, AD_KEYFILE),
	D("HMAC_KEY", h_hmac_key, SLOT_HMAC_KEY, AD_KEYFILE),
	D("HMAC_KEY_BASE64", h_hmac_key_base64, SLOT_HMAC_KEY, AD_KEYFILE),
	D("HMAC_DIGEST_TYPE", h_digest, SLOT_HMAC_DIGEST_TYPE, 0),
	D("ENCRYPTION_MODE", h_mode, SLOT_ENCRYPTION_MODE, 0),
	DF("FW_ACCESS_TIMEOUT", h_timeout, SLOT_FW_ACCESS_TIMEOUT, 0,
	    fw_access_timeout, 0),
	DF("MAX_FW_TIMEOUT", h_timeout, SLOT_MAX_FW_TIMEOUT, 0,
	    max_fw_timeout, 0),
	D("ACCESS_EXPIRE", h_expire, SLOT_ACCESS_EXPIRE, 0),
	D("ACCESS_EXPIRE_EPOCH", h_expire_epoch, SLOT_ACCESS_EXPIRE, 0),
	DF("REQUIRE_USERNAME", h_string, SLOT_REQUIRE_USERNAME, 0,
	    require_username, ACCESS_USER_MAX),
	DF("REQUIRE_SOURCE_ADDRESS", h_bool, SLOT_REQUIRE_SOURCE, 0,
	    require_source_address, 0),
	DF("REQUIRE_SOURCE", h_bool, SLOT_REQUIRE_SOURCE, 0,
	    require_source_address, 0),
	DF("ENABLE_CMD_EXEC", h_bool, SLOT_ENABLE_CMD_EXEC, 0,
	    enable_cmd_exec, 0),
	DF("ENABLE_CMD_SUDO_EXEC", h_bool, SLOT_ENABLE_CMD_SUDO_EXEC, 0,
	    enable_cmd_sudo_exec, 0),
	DF("CMD_EXEC_USER", h_user, SLOT_CMD_EXEC_USER, 0, cmd_exec_user, 0),
	DF("CMD_EXEC_GROUP", h_group, SLOT_CMD_EXEC_GROUP, 0,
	    cmd_exec_group, 0),
	DF("CMD_SUDO_EXEC_USER", h_user, SLOT_CMD_SUDO_EXEC_USER, 0,
	    cmd_sudo_exec_user, 0),
	DF("CMD_SUDO_EXEC_GROUP", h_group, SLOT_CMD_SUDO_EXEC_GROUP, 0,
	    cmd_sudo_exec_group, 0),
	DF("CMD_CYCLE_OPEN", h_string, SLOT_CMD_CYCLE_OPEN, 0,
	    cmd_cycle_open, ACCESS_CMD_MAX),
	DF("EXTERNAL_CMD_OPEN", h_string, SLOT_CMD_CYCLE_OPEN, 0,
	    cmd_cycle_open, ACCESS_CMD_MAX),
	DF("CMD_CYCLE_CLOSE", h_cmd_close, SLOT_CMD_CYCLE_CLOSE, 0,
	    cmd_cycle_close, ACCESS_CMD_MAX),
	DF("EXTERNAL_CMD_CLOSE", h_cmd_close, SLOT_CMD_CYCLE_CLOSE, 0,
	    cmd_cycle_close, ACCESS_CMD_MAX),
	DF("CMD_CYCLE_TIMER", h_timeout, SLOT_CMD_CYCLE_TIMER, 0,
	    cmd_cycle_timer, 0),
	DF("EXTERNAL_CMD_ALARM", h_timeout, SLOT_CMD_CYCLE_TIMER, 0,
	    cmd_cycle_timer, 0),
	DF("CMD_CYCLE_SHELL", h_bool, SLOT_CMD_CYCLE_SHELL, 0,
	    cmd_cycle_shell, 0),
	DF("CMD_CYCLE_REFRESH", h_cmd_refresh, SLOT_CMD_CYCLE_REFRESH, 0,
	    cmd_cycle_refresh, ACCESS_CMD_MAX),
	D("CMD_CYCLE_CLOSE_ABSENT", h_close_absent,
	    SLOT_CMD_CYCLE_CLOSE_ABSENT, 0),
	DF("CMD_TIMEOUT", h_timeout, SLOT_CMD_TIMEOUT, 0, cmd_timeout, 0),
	D("FORCE_NAT", h_force_nat, SLOT_FORCE_NAT, 0),
	D("FORCE_SNAT", h_force_snat, SLOT_FORCE_SNAT, 0),
	DF("FORCE_MASQUERADE", h_bool, SLOT_FORCE_MASQUERADE, 0,
	    force_masquerade, 0),
	DF("DISABLE_DNAT", h_bool, SLOT_DISABLE_DNAT, 0, disable_dnat, 0),
	DF("FORWARD_ALL", h_bool, SLOT_FORWARD_ALL, 0, forward_all, 0),
	DF("GPG_HOME_DIR", h_string, SLOT_GPG_HOME_DIR, 0, gpg_home_dir, 0),
	DF("GPG_EXE", h_string, SLOT_GPG_EXE, 0, gpg_exe, 0),
	DF("GPG_DECRYPT_ID", h_string, SLOT_GPG_DECRYPT_ID, AD_KEYFILE,
	    gpg_decrypt_id, GPG_DECRYPT_ID_MAX),
	D("GPG_DECRYPT_PW", h_gpg_pw, SLOT_GPG_DECRYPT_PW, AD_KEYFILE),
	DF("GPG_ALLOW_NO_PW", h_bool, SLOT_GPG_ALLOW_NO_PW, AD_KEYFILE,
	    gpg_allow_no_pw, 0),
	/* fwknopd reads these in %include_keys files too */
	DF("GPG_REQUIRE_SIG", h_bool, SLOT_GPG_REQUIRE_SIG, AD_KEYFILE,
	    gpg_require_sig, 0),
	DF("GPG_DISABLE_SIG", h_bool, SLOT_GPG_DISABLE_SIG, AD_KEYFILE,
	    gpg_disable_sig, 0),
	DF("GPG_IGNORE_SIG_VERIFY_ERROR", h_bool,
	    SLOT_GPG_IGNORE_SIG_VERIFY_ERROR, AD_KEYFILE,
	    gpg_ignore_sig_verify_error, 0),
	DF("GPG_REMOTE_ID", h_string, SLOT_GPG_REMOTE_ID, AD_KEYFILE,
	    gpg_remote_id, GPG_ID_TEXT_MAX),
	DF("GPG_FINGERPRINT_ID", h_string, SLOT_GPG_FINGERPRINT_ID, AD_KEYFILE,
	    gpg_fingerprint_id, GPG_ID_TEXT_MAX),
	D("SHARED_SEQUENCE", h_shared_sequence, SLOT_SHARED_SEQUENCE, 0),
	D("KNOCK_INTERVAL", h_knock_interval, SLOT_KNOCK_INTERVAL, 0),
	D("MIN_TIME_DIFF", h_min_time_diff, SLOT_MIN_TIME_DIFF, 0),
	D("MAX_TIME_DIFF", h_max_time_diff, SLOT_MAX_TIME_DIFF, 0),
	D("%include", h_include, SLOT_NONE, AD_OUTSIDE),
	D("%include_folder", h_include_folder, SLOT_NONE, AD_OUTSIDE),
	D("%include_keys", h_include_keys, SLOT_NONE, 0),
};
#define NDIRECTIVES	(sizeof(directives) / sizeof(directives[0]))

const struct access_directive *
access_directive_find(const char *name)
{
	size_t i;

	for (i = 0; i < NDIRECTIVES; i++)
		if (strcmp(name, directives[i].name) == 0)
			return &directives[i];
	return NULL;
}

#define SUGGEST_MAX	40	/* longer words get no hint */

/* Edit distance of two short words, case ignored. */
static size_t
distance(const char *a, const char *b)
{
	size_t row[SUGGEST_MAX + 1], i, j, diag, up, na = strlen(a),
	    nb = strlen(b);

	for (j = 0; j <= nb; j++)
		row[j] = j;
	for (i = 1; i <= na; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= nb; j++) {
			up = row[j];
			row[j] = diag + (toupper((unsigned char)a[i - 1]) !=
			    toupper((unsigned char)b[j - 1]));
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[nb];
}

/*
 * For the "did you mean" hint (names are case-sensitive): a directive
 * that differs only in case, or by at most two letters.  Only the
 * table's name is ever shown, never the word that was written.
 */
const struct access_directive *
access_directive_suggest(const char *name)
{
	const struct access_directive *best = NULL;
	size_t i, d, best_d = 3;

	if (strlen(name) < 4 || strlen(name) > SUGGEST_MAX)
		return NULL;
	for (i = 0; i < NDIRECTIVES; i++) {
		if (strlen(directives[i].name) > SUGGEST_MAX)
			continue;
		if ((d = distance(name, directives[i].name)) < best_d) {
			best = &directives[i];
			best_d = d;
		}
	}
	return best;
}
