/* The nft module's transactions: see nft_batch.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nft_batch.h"

/*
 * The kernel's answer to a delete of an element that is not there
 * (ENOENT from nf_tables, as libnftables 1.0.6 words it).  A table or
 * set that does not exist is found missing earlier, by nft's cache,
 * and reads "Error: No such file or directory; did you mean ...", or
 * without "Could not process rule": not taken for an absent element.
 */
#define ABSENT_TEXT	"Could not process rule: No such file or directory"
/* And to a create of an element that is there (EEXIST). */
#define EXISTS_TEXT	"Could not process rule: File exists"

bool
nft_batch_is_absent(const char *err)
{
	return strcmp(err, ABSENT_TEXT) == 0;
}

bool
nft_batch_is_exists(const char *err)
{
	return strcmp(err, EXISTS_TEXT) == 0;
}

void
nft_batch_first_error(const char *text, char *out, size_t len)
{
	const char *e = strstr(text, "Error: ");
	size_t n;

	out[0] = '\0';
	if (len == 0 || e == NULL)
		return;
	e += strlen("Error: ");
	n = strcspn(e, "\n");
	if (n >= len)
		n = len - 1;
	memcpy(out, e, n);
	out[n] = '\0';
}

/* The units' lines as one buffer; NULL when out of memory. */
static char *
join(const struct nft_unit *u, size_t n)
{
	size_t i, len = 1, off = 0;
	char *buf;

	for (i = 0; i < n; i++)
		len += strlen(u[i].text) + 1;
	if ((buf = malloc(len)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s\n",
		    u[i].text);
	buf[off] = '\0';
	return buf;
}

static void
settle_one(struct nft_unit *u, const char *err, nft_absent_fn absent)
{
	if (u->is_delete && absent(err)) {
		u->outcome = NFT_ABSENT;
		return;
	}
	if (u->refresh != NULL && nft_batch_is_exists(err)) {
		u->outcome = NFT_EXISTS;
		return;
	}
	u->outcome = NFT_FAILED;
	snprintf(u->err, sizeof(u->err), "%s", err[0] != '\0' ? err :
	    "libnftables failed without saying why");
}

/* The units of `outcome` moved to the front; returns how many. */
static size_t
take(struct nft_unit *u, size_t n, enum nft_outcome outcome)
{
	struct nft_unit t;
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (u[i].outcome != outcome)
			continue;
		t = u[k];
		u[k++] = u[i];
		u[i] = t;
	}
	return k;
}

size_t
nft_batch_take_refresh(struct nft_unit *u, size_t n)
{
	size_t i, k = take(u, n, NFT_EXISTS);

	for (i = 0; i < k; i++) {
		u[i].text = u[i].refresh;
		u[i].refresh = NULL;
		u[i].outcome = NFT_PENDING;
	}
	return k;
}

size_t
nft_batch_take_pending(struct nft_unit *u, size_t n)
{
	return take(u, n, NFT_PENDING);
}

size_t
nft_batch_run(struct nft_unit *u, size_t n, nft_send_fn send, void *arg)
{
	size_t sent = nft_batch_run_with(u, n, send, nft_batch_is_absent, arg);

	n = nft_batch_take_refresh(u, n);
	return sent + nft_batch_run_with(u, n, send, nft_batch_is_absent, arg);
}

size_t
nft_batch_run_with(struct nft_unit *u, size_t n, nft_send_fn send,
    nft_absent_fn absent, void *arg)
{
	char err[NFT_ERR_MAX] = "", *buf;
	size_t i, half;
	int r;

	if (n == 0)
		return 0;
	if ((buf = join(u, n)) == NULL) {
		for (i = 0; i < n; i++)
			settle_one(&u[i], "out of memory", absent);
		return 0;
	}
	r = send(arg, buf, err, sizeof(err));
	free(buf);
	if (r == 0) {
		for (i = 0; i < n; i++)
			u[i].outcome = NFT_DONE;
		return 1;
	}
	if (n == 1) {
		settle_one(u, err, absent);
		return 1;
	}
	half = n / 2;
	return 1 + nft_batch_run_with(u, half, send, absent, arg) +
	    nft_batch_run_with(u + half, n - half, send, absent, arg);
}
