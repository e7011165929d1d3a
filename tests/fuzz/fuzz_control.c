/*
 * libFuzzer: a control socket request (executor/control_req.c).  Whoever
 * can connect chooses these bytes: the parser must never read outside
 * them, and what it accepts must be one line of printable ASCII of at
 * most CONTROL_REQ_MAX bytes, LF last, naming a request it knows.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct control_req r;
	const char *why = NULL;
	size_t i;

	if (control_req_parse((const char *)data, size, &r, &why) != 0) {
		if (why == NULL || r.verb != 0)
			abort();
		return 0;
	}
	if (size > CONTROL_REQ_MAX || size < 2 || data[size - 1] != '\n' ||
	    r.verb < CONTROL_LIST || r.verb > CONTROL_CLOSE ||
	    (r.verb == CONTROL_CLOSE) != (r.by != CONTROL_BY_NONE))
		abort();
	for (i = 0; i + 1 < size; i++)
		if (data[i] < ' ' || data[i] > '~')
			abort();
	return 0;
}
