/*
 * libpcap, loaded at run time by the captures that use it.  Debian's
 * libpcap brings libsystemd, libgcrypt, libdbus and three compressors
 * with it (about 2 MiB of mappings): a verifier reading UDP or HTTP never
 * needs them, so it does not load them.  Loading happens before the
 * sandbox closes, like every other file the verifier opens.
 */
#ifndef SPA_PCAP_LIB_H
#define SPA_PCAP_LIB_H

#include <pcap/pcap.h>
#include <stddef.h>

/* The calls capture_pcap.c makes, each with libpcap's own prototype. */
#define PCAP_LIB_CALLS(X) \
	X(create) X(open_offline) X(close) X(activate) \
	X(set_snaplen) X(set_promisc) X(set_immediate_mode) X(set_timeout) \
	X(set_buffer_size) X(setdirection) X(setnonblock) \
	X(compile) X(setfilter) X(freecode) X(geterr) X(datalink) \
	X(get_selectable_fd) X(get_required_select_timeout) \
	X(dispatch) X(stats)

struct pcap_lib {
	void	*handle;	/* dlopen()'s */
#define PCAP_LIB_FIELD(name)	__typeof__(pcap_##name)	*name;
	PCAP_LIB_CALLS(PCAP_LIB_FIELD)
#undef PCAP_LIB_FIELD
};

/* Load libpcap (by its soname) and resolve every call; -1 and why. */
int	pcap_lib_load(struct pcap_lib *lib, char *err, size_t errlen);
void	pcap_lib_unload(struct pcap_lib *lib);

#endif
