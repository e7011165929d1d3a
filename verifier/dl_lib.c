/* Libraries loaded at run time (dl_lib.h). */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>

#include "dl_lib.h"

int
dl_lib_open(void **handle, const char *soname, const struct dl_sym *syms,
    size_t n, char *err, size_t errlen)
{
	const char *why;
	size_t i;

	if ((*handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		why = dlerror();
		snprintf(err, errlen, "cannot load %s: %s", soname,
		    why != NULL ? why : "dlopen failed");
		return -1;
	}
	for (i = 0; i < n; i++) {
		/* POSIX's way to store dlsym()'s answer in a function pointer */
		if ((*syms[i].fn = dlsym(*handle, syms[i].name)) == NULL) {
			snprintf(err, errlen, "%s has no %s", soname,
			    syms[i].name);
			dl_lib_close(handle);
			return -1;
		}
	}
	return 0;
}

void
dl_lib_close(void **handle)
{
	if (*handle != NULL)
		dlclose(*handle);
	*handle = NULL;
}
