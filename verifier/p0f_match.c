/*
 * Which p0f.fp label a SYN matches, by the rules of p0f's README (section
 * 5) and p0f 3.09's matcher:
 *
 * - the option layout (kinds, order, EOL padding) and the IP options
 *   length must be equal; MSS, window scale and payload class equal unless
 *   the signature says '*';
 * - the window is compared as the signature writes it: a value, a
 *   multiple of N (%N), or N times the MSS or the MTU, where the SYN's
 *   multiple is found the way p0f finds it (window_multiple());
 * - quirks must be equal, except that a match is only "fuzzy" when 'df'
 *   or 'id+' disappeared or 'id-' or 'ecn' appeared; a signature for both
 *   IP versions ignores the quirks the SYN's version cannot have;
 * - the TTL may have lost up to P0F_MAX_DIST hops; more (or a higher TTL
 *   than the signature's) makes the match fuzzy, and for a tool's random
 *   TTL ("64-") only a TTL above it fails.
 *
 * Signatures are tried in file order: the first exact specific one wins;
 * then the first exact generic one; then the first fuzzy one, unless it
 * names a tool (class '!').
 *
 * Where spagate departs from p0f 3.09, on purpose:
 * - a signature for IPv4 only ('4:') or IPv6 only ('6:') matches only that
 *   version, as the README defines `ver`; p0f 3.09 never compares it;
 * - the 'ack+' quirk is "ACK number non-zero without the ACK flag", as the
 *   README says; p0f 3.09 tests it with a bitwise AND of the raw number
 *   and 1, so it sees the quirk only when one particular bit is set.
 */
#include "config.h"

#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "p0f.h"

#define MIN_TCP4	40	/* IPv4 + TCP headers without options */
#define MIN_TCP6	60	/* IPv6 + TCP */
#define ETHER_MTU	1500

/* The quirks a signature for both versions drops for an IPv6 SYN. */
#define Q_IPV4_ID	(P0F_Q_DF | P0F_Q_ID_NZ | P0F_Q_ID_ZERO)
/* The differences that make a match fuzzy instead of failing it. */
#define Q_MAY_GO	(P0F_Q_DF | P0F_Q_ID_NZ)
#define Q_MAY_COME	(P0F_Q_ID_ZERO | P0F_Q_ECN)

/* The window as a multiple of the MSS or of the MTU; n < 0: neither. */
struct win_multiple {
	long	n;
	bool	mtu;
};

/*
 * The first divisor of the window among those stacks use, in p0f's
 * order: the MSS (less the 12 bytes of timestamps), the MSS of a 1500-byte
 * MTU (a stack reading the wrong interface), then the MTU itself.
 */
static struct win_multiple
window_multiple(const struct p0f_syn *s)
{
	const long mss = s->mss;
	const bool v6 = s->ip_ver == 6;
	const struct {
		long	div;
		bool	mtu;
		bool	tried;
	} divs[] = {
		{ mss, false, true },
		{ mss - 12, false, s->ts1 != 0 },
		{ ETHER_MTU - MIN_TCP4, false, true },
		{ ETHER_MTU - MIN_TCP4 - 12, false, true },
		{ ETHER_MTU - MIN_TCP6, false, v6 },
		{ ETHER_MTU - MIN_TCP6 - 12, false, v6 },
		{ mss + MIN_TCP4, true, true },
		{ mss + s->tot_hdr, true, true },
		{ mss + MIN_TCP6, true, v6 },
		{ ETHER_MTU, true, true },
	};
	struct win_multiple m = { .n = -1 };
	size_t i;

	if (s->win == 0 || mss < 100)
		return m;
	for (i = 0; i < sizeof(divs) / sizeof(divs[0]); i++)
		if (divs[i].tried && s->win % divs[i].div == 0) {
			m.n = s->win / divs[i].div;
			m.mtu = divs[i].mtu;
			break;
		}
	return m;
}

static bool
window_matches(const struct p0f_sig *g, const struct p0f_syn *s,
    const struct win_multiple *m)
{
	switch (g->win_type) {
	case P0F_WIN_FIXED:
		return g->win == s->win;
	case P0F_WIN_MOD:
		return g->win != 0 && s->win % g->win == 0;
	case P0F_WIN_MSS:
		return !m->mtu && m->n == g->win;
	case P0F_WIN_MTU:
		return m->mtu && m->n == g->win;
	default:
		return true;
	}
}

/* Equal quirks, or a difference p0f forgives as fuzzy. */
static bool
quirks_match(const struct p0f_sig *g, const struct p0f_syn *s, bool *fuzzy)
{
	uint32_t want = g->quirks, gone, came;

	if (g->ip_ver == -1)
		want &= s->ip_ver == 4 ? ~(uint32_t)P0F_Q_IPV6_ONLY :
		    ~(uint32_t)Q_IPV4_ID;
	if (want == s->quirks)
		return true;
	gone = want & ~s->quirks;
	came = s->quirks & ~want;
	if ((gone & ~(uint32_t)Q_MAY_GO) != 0 ||
	    (came & ~(uint32_t)Q_MAY_COME) != 0)
		return false;
	*fuzzy = true;
	return true;
}

static bool
ttl_matches(const struct p0f_sig *g, const struct p0f_syn *s, bool *fuzzy)
{
	if (g->bad_ttl)
		return g->ttl >= s->ttl;
	if (g->ttl < s->ttl || g->ttl - s->ttl > P0F_MAX_DIST)
		*fuzzy = true;
	return true;
}

static bool
layout_matches(const struct p0f_sig *g, const struct p0f_syn *s)
{
	return g->opt_cnt == s->opt_cnt && g->eol_pad == s->eol_pad &&
	    memcmp(g->opts, s->opts, s->opt_cnt) == 0;
}

static bool
sig_matches(const struct p0f_sig *g, const struct p0f_syn *s,
    const struct win_multiple *m, bool *fuzzy)
{
	*fuzzy = false;
	return (g->ip_ver == -1 || g->ip_ver == s->ip_ver) &&
	    layout_matches(g, s) && quirks_match(g, s, fuzzy) &&
	    g->ip_opt_len == s->ip_opt_len && ttl_matches(g, s, fuzzy) &&
	    (g->mss == -1 || g->mss == s->mss) &&
	    (g->wscale == -1 || g->wscale == s->wscale) &&
	    (g->pclass == -1 || g->pclass == (s->payload ? 1 : 0)) &&
	    window_matches(g, s, m);
}

/* Hops from the nearest usual initial TTL, for a SYN no signature explains. */
static unsigned int
guess_dist(uint8_t ttl)
{
	if (ttl <= 32)
		return 32u - ttl;
	if (ttl <= 64)
		return 64u - ttl;
	if (ttl <= 128)
		return 128u - ttl;
	return 255u - ttl;
}

static bool
found(const struct p0f_db *db, const struct p0f_sig *g,
    const struct p0f_syn *s, unsigned int quality, struct p0f_match *out)
{
	out->sig = g;
	out->label = &db->labels[g->label];
	out->quality = quality | (out->label->generic ? P0F_GENERIC : 0);
	if (g->ttl < s->ttl || (!g->bad_ttl && g->ttl - s->ttl > P0F_MAX_DIST))
		out->dist = guess_dist(s->ttl);
	else
		out->dist = (unsigned int)(g->ttl - s->ttl);
	return true;
}

bool
p0f_match(const struct p0f_db *db, const struct p0f_syn *syn,
    struct p0f_match *out)
{
	const struct win_multiple m = window_multiple(syn);
	const struct p0f_sig *g, *generic = NULL, *fuzzy_one = NULL;
	bool fuzzy;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < db->nsigs; i++) {
		g = &db->sigs[i];
		if (!sig_matches(g, syn, &m, &fuzzy))
			continue;
		if (!fuzzy && !db->labels[g->label].generic)
			return found(db, g, syn, 0, out);
		if (!fuzzy && generic == NULL)
			generic = g;
		if (fuzzy && fuzzy_one == NULL)
			fuzzy_one = g;
	}
	if (generic != NULL)
		return found(db, generic, syn, 0, out);
	if (fuzzy_one != NULL && !db->labels[fuzzy_one->label].app)
		return found(db, fuzzy_one, syn, P0F_FUZZY, out);
	out->dist = guess_dist(syn->ttl);
	return false;
}

/* --- REQUIRE_OS_REGEX ----------------------------------------------------- */

int
p0f_os_regex_compile(struct p0f_os_regex *r, const char *pattern, char *why,
    size_t whylen)
{
	int rc;

	rc = regcomp(&r->re, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (rc == 0)
		return 0;
	if (whylen > 0)
		regerror(rc, &r->re, why, whylen);
	return SPA_ERR_CONFIG;
}

bool
p0f_os_regex_match(const struct p0f_os_regex *r, const char *label)
{
	return label != NULL && regexec(&r->re, label, 0, NULL, 0) == 0;
}

void
p0f_os_regex_free(struct p0f_os_regex *r)
{
	regfree(&r->re);
}
