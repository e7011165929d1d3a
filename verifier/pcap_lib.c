/*
 * libpcap through dlopen(): see pcap_lib.h for why.
 */
#include "config.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "pcap_lib.h"

int
pcap_lib_load(struct pcap_lib *lib, char *err, size_t errlen)
{
	const char *why;
	void *fn;

	memset(lib, 0, sizeof(*lib));
	/* the soname configure found: the library the build was linked against */
	if ((lib->handle = dlopen(PCAP_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		why = dlerror();
		snprintf(err, errlen, "cannot load libpcap: %s",
		    why != NULL ? why : PCAP_SONAME);
		return -1;
	}
	/* POSIX's way to store dlsym()'s answer in a function pointer */
#define PCAP_LIB_RESOLVE(name) \
	if ((fn = dlsym(lib->handle, "pcap_" #name)) == NULL) { \
		snprintf(err, errlen, "%s has no pcap_" #name, PCAP_SONAME); \
		pcap_lib_unload(lib); \
		return -1; \
	} \
	*(void **)&lib->name = fn;
	PCAP_LIB_CALLS(PCAP_LIB_RESOLVE)
#undef PCAP_LIB_RESOLVE
	return 0;
}

void
pcap_lib_unload(struct pcap_lib *lib)
{
	if (lib->handle != NULL)
		dlclose(lib->handle);
	memset(lib, 0, sizeof(*lib));
}
