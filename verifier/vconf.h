/*
 * The verifier's configuration, as the executor sends it after the exec
 * (common/msg.h: MSG_CONF, then per stanza MSG_CONF_STANZA with its
 * MSG_CONF_ADDR and MSG_CONF_PORT items, then MSG_CONF_END).  Each
 * message is decoded as hostile and must come in its phase; the stanzas
 * are rebuilt as the policy code reads them (access.h), keys unprepared.
 */
#ifndef SPA_VCONF_H
#define SPA_VCONF_H

#include <stdint.h>

#include "access.h"
#include "conf.h"
#include "msg.h"

struct vconf {
	struct spa_conf		 conf;		/* the verifier's fields only */
	struct access_conf	*access;
	char			*pcap_file;	/* NULL: live capture */
	uint64_t		 packet_limit;	/* 0: none */
	int			 log_dest;
	int			 log_facility;
	char			*log_ident;
	int			 verbose;
	enum msg_phase		 phase;		/* CONF_FIRST, CONF, SERVING */
};

/*
 * Apply one received message (vconf_recv's step, for tests): 0, or
 * SPA_ERR_ARG for a message out of place or inconsistent (a stanza
 * number out of order, an item for another stanza, a wrong count).
 */
int	vconf_apply(struct vconf *vc, const struct msg *m);

/* Read from `sock` until MSG_CONF_END; 0, or SPA_ERR_* (logged). */
int	vconf_recv(int sock, struct vconf *vc);

void	vconf_free(struct vconf *vc);

#endif /* SPA_VCONF_H */
