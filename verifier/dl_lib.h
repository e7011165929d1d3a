/*
 * A library loaded at run time, by the soname configure found, with each
 * of its calls resolved at once (pcap_lib.h, rnp_lib.h): a verifier that
 * does not need it maps none of it, nor what it brings along.
 */
#ifndef SPA_DL_LIB_H
#define SPA_DL_LIB_H

#include <stddef.h>

struct dl_sym {
	const char	 *name;
	void		**fn;
};

/* dlopen() soname into *handle and resolve every symbol; -1 and why. */
int	dl_lib_open(void **handle, const char *soname,
	    const struct dl_sym *syms, size_t n, char *err, size_t errlen);
void	dl_lib_close(void **handle);

#endif
