/* The Cisco module's journaled state, both versions.  See cisco_data.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cisco_data.h"

#define V2	"C2 "
#define WORD_MAX	32

size_t
cisco_data_format(const struct cisco_entry *e, uint8_t *data, size_t max)
{
	char buf[96];
	int n;

	n = snprintf(buf, sizeof(buf), V2 "%s %u %c %s", e->device, e->seq,
	    e->v6 ? '6' : '4', e->digest);
	if (n < 0 || (size_t)n >= sizeof(buf) || (size_t)n > max ||
	    strlen(e->digest) != IOS_DIGEST_HEX)
		return 0;
	memcpy(data, buf, (size_t)n);
	return (size_t)n;
}

/*
 * The next word: 1 to `max` bytes of `set`, then one space or the end
 * (the space is passed over); false if there is none.
 */
static bool
word(const char **p, const char *end, const char *set, char *out,
    size_t max)
{
	size_t n = 0;

	while (*p + n < end && n < max && (*p)[n] != '\0' &&
	    strchr(set, (*p)[n]) != NULL)
		n++;
	if (n == 0 || (*p + n < end && (*p)[n] != ' '))
		return false;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n;
	if (*p < end)
		(*p)++;			/* the one space after it */
	return true;
}

/* Decimal, 1..CONF_CISCO_SEQ_MAX, no leading zero. */
static bool
seq_of(const char *w, uint32_t *seq)
{
	unsigned long long v = 0;
	size_t i;

	if (w[0] == '0' || strlen(w) > 10)
		return false;
	for (i = 0; w[i] != '\0'; i++)
		v = v * 10 + (unsigned long long)(w[i] - '0');
	if (v == 0 || v > CONF_CISCO_SEQ_MAX)
		return false;
	*seq = (uint32_t)v;
	return true;
}

const char *
cisco_data_parse(const uint8_t *data, size_t len, struct cisco_entry *e)
{
	const char *p = (const char *)data, *end = p + len;
	char w[WORD_MAX + 1];
	bool v2 = len > strlen(V2) && memcmp(p, V2, strlen(V2)) == 0;

	memset(e, 0, sizeof(*e));
	if (v2)
		p += strlen(V2);
	if (!word(&p, end, "abcdefghijklmnopqrstuvwxyz0123456789_-",
	    e->device, CONF_CISCO_NAME_MAX))
		return "no device name";
	if (!word(&p, end, "0123456789", w, 10) || !seq_of(w, &e->seq))
		return "no sequence number";
	if (!v2) {		/* "edge1 10007" or "edge1 10007 ipv6" */
		if (p == end && end[-1] != ' ')
			return NULL;
		if (end - p == 4 && memcmp(p, "ipv6", 4) == 0) {
			e->v6 = true;
			return NULL;
		}
		return "not \"device seq [ipv6]\"";
	}
	if (!word(&p, end, "46", w, 1))
		return "no list (4 or 6)";
	e->v6 = w[0] == '6';
	if (!word(&p, end, "0123456789abcdef", e->digest, IOS_DIGEST_HEX) ||
	    strlen(e->digest) != IOS_DIGEST_HEX || p != end ||
	    end[-1] == ' ')
		return "no entry digest";
	return NULL;
}
