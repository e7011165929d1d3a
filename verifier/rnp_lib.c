/*
 * librnp through dlopen(): see rnp_lib.h for why.
 */
#include "config.h"

#include <string.h>

#include "dl_lib.h"
#include "rnp_lib.h"

int
rnp_lib_load(struct rnp_lib *lib, char *err, size_t errlen)
{
#define RNP_LIB_SYM(name)	{ "rnp_" #name, (void **)&lib->name },
	const struct dl_sym syms[] = { RNP_LIB_CALLS(RNP_LIB_SYM) };
#undef RNP_LIB_SYM

	memset(lib, 0, sizeof(*lib));
	return dl_lib_open(&lib->handle, RNP_SONAME, syms,
	    sizeof(syms) / sizeof(syms[0]), err, errlen);
}

void
rnp_lib_unload(struct rnp_lib *lib)
{
	dl_lib_close(&lib->handle);
	memset(lib, 0, sizeof(*lib));
}
