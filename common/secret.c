#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "secret.h"
#include "trust.h"

int
secret_read(const char *path, char *buf, size_t len)
{
	const char *why = NULL;
	struct stat sb;
	ssize_t n;
	int fd;

	/* checked again on what is read: the file may have changed since */
	if ((fd = trust_open(path, TRUST_NOFOLLOW | TRUST_SECRET, &sb,
	    &why)) == -1) {
		if (why != NULL)
			errno = EPERM;
		return -1;
	}
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}
