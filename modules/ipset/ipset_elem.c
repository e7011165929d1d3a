/* An ipset operation's element as libipset's data (see ipset_elem.h). */
#include "config.h"

#include <libipset/data.h>
#include <string.h>

#include "err.h"
#include "ipset_elem.h"
#include "ipset_parse.h"

int
ipset_elem_load(struct ipset_data *d, const struct ipset_op *op)
{
	union nf_inet_addr ip, ip2;
	uint32_t timeout = op->timeout;
	uint16_t port = op->port;
	uint8_t proto = op->proto, prefix = op->prefix;
	int r = 0;

	memcpy(&ip, op->ip.bytes, sizeof(ip));
	memcpy(&ip2, op->ip2.bytes, sizeof(ip2));
	r |= ipset_data_set(d, IPSET_OPT_IP, &ip);
	if (op->prefix != 0)
		r |= ipset_data_set(d, IPSET_OPT_CIDR, &prefix);
	if (op->has_port) {
		r |= ipset_data_set(d, IPSET_OPT_PORT, &port);
		r |= ipset_data_set(d, IPSET_OPT_PROTO, &proto);
	}
	if (op->has_ip2)
		r |= ipset_data_set(d, IPSET_OPT_IP2, &ip2);
	if (op->has_timeout)
		r |= ipset_data_set(d, IPSET_OPT_TIMEOUT, &timeout);
	if (op->has_comment)
		r |= ipset_data_set(d, IPSET_OPT_ADT_COMMENT, op->comment);
	return r != 0 ? SPA_ERR_ARG : 0;
}
