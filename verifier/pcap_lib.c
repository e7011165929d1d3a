/*
 * libpcap through dlopen(): see pcap_lib.h for why.
 */
#include "config.h"

#include <string.h>

#include "dl_lib.h"
#include "pcap_lib.h"

int
pcap_lib_load(struct pcap_lib *lib, char *err, size_t errlen)
{
#define PCAP_LIB_SYM(name)	{ "pcap_" #name, (void **)&lib->name },
	const struct dl_sym syms[] = { PCAP_LIB_CALLS(PCAP_LIB_SYM) };
#undef PCAP_LIB_SYM

	memset(lib, 0, sizeof(*lib));
	/* the soname configure found: the library the build was linked against */
	return dl_lib_open(&lib->handle, PCAP_SONAME, syms,
	    sizeof(syms) / sizeof(syms[0]), err, errlen);
}

void
pcap_lib_unload(struct pcap_lib *lib)
{
	dl_lib_close(&lib->handle);
	memset(lib, 0, sizeof(*lib));
}
