/*
 * The native path's encoder: an element command in the canonical text
 * nft_line.c rebuilds (and fw_nft.c writes), "add|create|delete element
 * FAMILY TABLE SET { K1 . K2 ... [timeout T] }", read into the bytes of
 * the set's key, by the key's type as nf_tables describes the set
 * (NFTA_SET_KEY_TYPE: nft's datatypes, 6 bits each, the first field in
 * the highest bits; NFTA_SET_KEY_LEN).  Pure functions: no kernel.
 *
 * Encoded natively: sets (not maps, not interval sets) whose key is
 * ipv4_addr, ipv6_addr, inet_proto (tcp, udp, icmp or a decimal 0-255)
 * or inet_service (a decimal 0-65535), alone or concatenated (each field
 * then padded to 4 bytes, nf_tables' registers); with or without a
 * timeout.  Anything else (a map's ':', a prefix or range, a name nft
 * would resolve, a number nft would read as octal or hex, another type)
 * is not refused here: it answers -1 and goes the text way, through
 * libnftables, which says what is wrong in nft's words.
 */
#ifndef SPA_NFT_ENC_H
#define SPA_NFT_ENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nft_line.h"

#define NFT_ENC_FIELDS_MAX	5	/* 32 bits of 6-bit types */
#define NFT_ENC_KEY_MAX		64	/* NFT_DATA_VALUE_MAXLEN */
#define NFT_ENC_WORD_MAX	48	/* an IPv6 address's text, and more */

/* nft's datatype numbers (nftables' include/datatype.h). */
enum {
	NFT_ENC_IPV4 = 7,
	NFT_ENC_IPV6 = 8,
	NFT_ENC_PROTO = 12,
	NFT_ENC_SERVICE = 13,
};

/* A set's key read into fields the encoder knows. */
struct nft_enc_type {
	uint8_t		 nfields;
	uint8_t		 type[NFT_ENC_FIELDS_MAX];
	uint8_t		 size[NFT_ENC_FIELDS_MAX];	/* padded */
	uint32_t	 key_len;
	bool		 timeout;	/* NFT_SET_TIMEOUT */
};

/* One element command, read from its text. */
struct nft_enc_cmd {
	enum nft_line_cmd cmd;
	uint8_t		 family;	/* NFPROTO_* */
	char		 table[NFT_LINE_NAME_MAX + 1];
	char		 set[NFT_LINE_NAME_MAX + 1];
	uint8_t		 nfields;
	char		 field[NFT_ENC_FIELDS_MAX][NFT_ENC_WORD_MAX];
	bool		 has_timeout;
	uint64_t	 timeout_ms;
};

/*
 * The set's description as nf_tables gives it: 0 with `t` if the native
 * path encodes its elements, -1 if they go as text (a map, an interval
 * set, an object map, a type or length the encoder does not know).
 */
int	nft_enc_type_read(uint32_t key_type, uint32_t key_len, uint32_t flags,
	    struct nft_enc_type *t);

/* One line of canonical text read: 0, or -1 (not for the native path). */
int	nft_enc_read(const char *line, size_t len, struct nft_enc_cmd *c);

/*
 * The element's key in `key` (t->key_len bytes, padding zeroed): 0, or
 * -1 if a field is not its type's plain form or the count differs.  A
 * timeout on a set without the flag is -1 too (nft says why).
 */
int	nft_enc_key(const struct nft_enc_type *t, const struct nft_enc_cmd *c,
	    uint8_t key[NFT_ENC_KEY_MAX]);

#endif /* SPA_NFT_ENC_H */
