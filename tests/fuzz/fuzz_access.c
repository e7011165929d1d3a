/*
 * libFuzzer target for the access.conf parser: the input is one in-memory
 * access file (includes resolve against the current directory, so run the
 * fuzzer in a scratch directory).  A successful parse is also dumped and
 * queried (a GPG_DECRYPT_ID read as gpg reads a key name, against the
 * stanza's other texts), then freed.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "access_int.h"
#include "log.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_init("fuzz_access", 0, 0);	/* warnings go nowhere */
	return 0;
}

/* gpg.h's key names, which the verifier matches against its keyring. */
static void
key_name(const struct stanza *st)
{
	struct gpg_spec sp;

	if (st->gpg_decrypt_id == NULL ||
	    gpg_spec_parse(st->gpg_decrypt_id, &sp) != 0)
		return;
	(void)gpg_spec_names_uid(&sp, st->gpg_decrypt_id);
	(void)gpg_spec_names_key(&sp, st->gpg_decrypt_id);
	if (st->gpg_remote_id != NULL)
		(void)gpg_spec_names_uid(&sp, st->gpg_remote_id);
}

static void
exercise(const struct access_conf *conf)
{
	static const uint8_t v4[4] = { 10, 0, 0, 1 };
	struct spa_addr a;
	FILE *fp;
	size_t i;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	memcpy(a.bytes, v4, sizeof(v4));
	(void)access_any_source(conf, &a);
	for (i = 0; i < conf->n; i++)
		key_name(conf->stanzas[i]);
	if ((fp = fopen("/dev/null", "w")) != NULL) {
		access_dump(conf, fp);
		fclose(fp);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct access_conf *conf = NULL;
	struct access_error err;

	if (access_load_buffer("fuzz.conf", (const char *)data, size, &conf,
	    &err) == 0) {
		exercise(conf);
		access_free(conf);
	}
	return 0;
}
