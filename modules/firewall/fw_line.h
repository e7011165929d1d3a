/*
 * The built-in firewall's line, as the implicit cycle writes it:
 *
 *   firewall open|close $REQUEST $SRC $PROTO_NAME $PORT $DST
 *       nat=$NAT_TO force_nat=$STANZA_DNAT force_snat=$STANZA_SNAT
 *       disable_dnat=$DISABLE_DNAT forward_all=$FORWARD_ALL
 *
 * Every word is never empty ("-": none), so no value can shift another.
 * The first six words alone (the line before NAT) still read, for an
 * access only.  What a line grants, as fwknopd 2.6.10 (IPv4 only for
 * NAT): an accept of the port; a local NAT request's port led to the
 * NAT port of the address the packet reached ($DST, never the host the
 * packet names: a local request cannot lead elsewhere) and that port
 * accepted; a forwarding request's port (or any grant of a FORCE_NAT
 * stanza, to FORCE_NAT's address and port) led to the NAT address and
 * port and forwarded there, its source rewritten on the way out if
 * FORCE_SNAT, FORCE_MASQUERADE or firewall.snat says so.
 */
#ifndef SPA_FW_LINE_H
#define SPA_FW_LINE_H

#include <stdbool.h>
#include <stddef.h>

#include "fw_nft.h"
#include "subst.h"

#define FW_LINE_NAT	" $DST nat=$NAT_TO force_nat=$STANZA_DNAT " \
	"force_snat=$STANZA_SNAT disable_dnat=$DISABLE_DNAT " \
	"forward_all=$FORWARD_ALL"
#define FW_LINE_OPEN	"firewall open $REQUEST $SRC $PROTO_NAME $PORT" \
	FW_LINE_NAT
#define FW_LINE_CLOSE	"firewall close $REQUEST $SRC $PROTO_NAME $PORT" \
	FW_LINE_NAT

/* The settings NAT depends on: spagated.conf's nat.* and firewall.snat*. */
struct fw_nat_opts {
	bool		 nat_forwarding, nat_local;
	bool		 snat;
	const char	*snat_address;		/* NULL: MASQUERADE */
};

/*
 * The grant of a line: 0 with *e, or SPA_ERR_ARG with why.  A close is
 * read without asking the nat.* settings (it undoes what was opened).
 */
int	fw_line_read(const struct cmd_argv *argv, const struct fw_nat_opts *o,
	    bool closing, struct fw_elem *e, char *why, size_t whylen);

#endif
