/*
 * IP addresses and address lists (access.conf SOURCE / DESTINATION).
 * Both families are carried everywhere so IPv6 needs no new types later.
 */
#ifndef SPA_ADDR_H
#define SPA_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADDR_STRLEN	INET6_ADDRSTRLEN	/* 46, enough for both families */

struct spa_addr {
	int		family;		/* AF_INET, AF_INET6, or AF_UNSPEC (unset) */
	uint8_t		bytes[16];	/* network order; IPv4 uses the first 4 */
};

/* One list entry: address and netmask of the same family. */
struct spa_cidr {
	int		family;
	uint8_t		addr[16];	/* already masked */
	uint8_t		mask[16];
};

/* A SOURCE/DESTINATION list; `any` matches every address of both families. */
struct spa_addr_list {
	bool		 any;
	size_t		 n;
	struct spa_cidr	*v;
};

/* Parse a numeric IPv4 or IPv6 address (no names, no surrounding spaces). */
int	addr_parse(const char *s, struct spa_addr *out);
/* Strict dotted quad: four decimal octets 0..255, no leading '+', no spaces. */
int	addr_parse_ipv4(const char *s, struct spa_addr *out);
const char *addr_fmt(const struct spa_addr *a, char buf[ADDR_STRLEN]);
bool	addr_is_unspecified(const struct spa_addr *a);
/* ::ffff:a.b.c.d, how a dual-stack socket names an IPv4 peer. */
bool	addr_is_v4_mapped(const struct spa_addr *a);
bool	addr_equal(const struct spa_addr *a, const struct spa_addr *b);
void	addr_from_in(struct spa_addr *out, const struct in_addr *in);
void	addr_from_in6(struct spa_addr *out, const struct in6_addr *in6);

/*
 * Parse one list entry: "ANY" is handled by the caller; accepted forms are
 * a.b.c.d, a.b.c.d/N (1..32), a.b.c.d/m.m.m.m (contiguous mask), and
 * IPv6 x::y or x::y/N (0..128: ::/0 is every IPv6 address).  IPv4-mapped
 * IPv6 addresses (::ffff:a.b.c.d) are refused: sources are matched as
 * IPv4.  On error, *why names the reason.
 */
int	cidr_parse(const char *s, struct spa_cidr *out, const char **why);
bool	cidr_match(const struct spa_cidr *c, const struct spa_addr *a);
const char *cidr_fmt(const struct spa_cidr *c, char *buf, size_t len);

/* Comma-separated list as in access.conf; on error *why and *bad_token. */
int	addr_list_parse(const char *value, struct spa_addr_list *out,
	    const char **why, char *bad_token, size_t bad_len);
bool	addr_list_match(const struct spa_addr_list *l, const struct spa_addr *a);
void	addr_list_free(struct spa_addr_list *l);

#endif /* SPA_ADDR_H */
