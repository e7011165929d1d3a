/* libFuzzer: the p0f.fp signature parser (verifier/p0f_sig.c). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "err.h"
#include "p0f.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a parsed database promises its matcher. */
static void
check_db(const struct p0f_db *db)
{
	size_t i;

	if (db->nsigs == 0 || db->nsigs > P0F_MAX_SIGS ||
	    db->nlabels > P0F_MAX_LABELS || db->nclasses > P0F_MAX_CLASSES)
		__builtin_trap();
	for (i = 0; i < db->nsigs; i++)
		if (db->sigs[i].label >= db->nlabels ||
		    db->sigs[i].opt_cnt > P0F_MAX_OPTS ||
		    db->sigs[i].line == 0)
			__builtin_trap();
	for (i = 0; i < db->nlabels; i++)
		if (memchr(db->labels[i].text, '\0', P0F_LABEL_LEN) == NULL)
			__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p0f_error err;
	struct p0f_db *db;
	int rc;

	rc = p0f_db_parse((const char *)data, size, "fuzz.fp", &db, &err);
	if (rc != 0) {
		/* every refusal says where and why */
		if (db != NULL || strncmp(err.text, "fuzz.fp:", 8) != 0)
			__builtin_trap();
		return 0;
	}
	check_db(db);
	p0f_db_free(db);
	return 0;
}
