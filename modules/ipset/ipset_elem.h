/*
 * An ipset operation's element as libipset's data: the attributes
 * (address, prefix, port and protocol, second address, timeout, comment)
 * from which libipset builds the netlink message.  No session and no
 * kernel, so a unit test reads back exactly what would be sent.
 */
#ifndef SPA_IPSET_ELEM_H
#define SPA_IPSET_ELEM_H

struct ipset_data;
struct ipset_op;

/*
 * Load op's element into `data`, whose family must already be the set's
 * (libipset reads addresses by it).  0, or SPA_ERR_ARG if libipset
 * refused a value.
 */
int	ipset_elem_load(struct ipset_data *data, const struct ipset_op *op);

#endif /* SPA_IPSET_ELEM_H */
