/*
 * libFuzzer target for the spagated.conf loader (common/conf.c and the Cisco
 * devices of modules/cisco/conf_cisco.c).  libconfig reads files, so each input is
 * written to one scratch file in the current directory (run the fuzzer in
 * a scratch directory) and loaded over the defaults; a successful load is
 * also validated and dumped, then freed.  Inputs with @include are
 * skipped: an include names any file (/dev/zero would never end).
 */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conf_cisco.h"
#include "conf_firewall.h"
#include "conf_group.h"
#include "conf_redis.h"
#include "log.h"

#define CONF_FILE	"fuzz-spagated.conf"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_init("fuzz_conf", 0, 0);	/* warnings go nowhere */
	if ((fd = open(CONF_FILE, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0) {
		perror(CONF_FILE);
		abort();
	}
	return 0;
}

static int
write_input(const uint8_t *data, size_t size)
{
	size_t off = 0;
	ssize_t n;

	if (ftruncate(fd, 0) != 0)
		return -1;
	while (off < size) {
		if ((n = pwrite(fd, data + off, size - off, (off_t)off)) <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spa_conf c;
	struct conf_error err;
	FILE *fp;

	if (size > 65536 || memmem(data, size, "include", 7) != NULL ||
	    write_input(data, size) != 0)
		return 0;
	conf_defaults(&c);
	memset(&err, 0, sizeof(err));
	/* the groups spagated registers: Cisco devices, firewall, fleet */
	if (conf_add_group(&c, &conf_group_cisco) == 0 &&
	    conf_add_group(&c, &conf_group_firewall) == 0 &&
	    conf_add_group(&c, &conf_group_redis) == 0 &&
	    conf_load(CONF_FILE, true, &c, &err) == 0) {
		(void)conf_validate(&c, &err);
		if ((fp = fopen("/dev/null", "w")) != NULL) {
			conf_dump(&c, fp);
			fclose(fp);
		}
	}
	conf_free(&c);
	return 0;
}
