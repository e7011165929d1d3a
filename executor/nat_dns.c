/* NAT host names resolved by a child, the loop never waiting (nat_dns.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "addr.h"
#include "array.h"
#include "err.h"
#include "nat_dns.h"
#include "privdrop.h"
#include "runner.h"

struct pending {
	uint64_t		id;
	struct spa_event	ev;
};

struct nat_dns {
	struct runner		*runner;
	nat_dns_cb		 cb;
	void			*arg;
	struct pending		*v;
	size_t			 n, cap;
	uint64_t		 next_id;
	struct nat_dns_stats	 stats;
};

static void	resolved(void *arg, const struct run_result *res);

int
nat_dns_new(nat_dns_cb cb, void *arg, struct nat_dns **out)
{
	struct nat_dns *d;
	int r;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return SPA_ERR_NOMEM;
	d->cb = cb;
	d->arg = arg;
	if ((r = runner_new(resolved, d, &d->runner)) != 0) {
		free(d);
		return r;
	}
	*out = d;
	return 0;
}

void
nat_dns_free(struct nat_dns *d)
{
	if (d == NULL)
		return;
	runner_free(d->runner);
	free(d->v);
	free(d);
}

bool
nat_dns_wanted(const struct spa_event *ev)
{
	struct spa_addr a;

	return ev->has_nat && addr_parse_ipv4(ev->nat_host, &a) != 0;
}

bool
nat_dns_parse(const char *out, struct spa_addr *a)
{
	char word[ADDR_STRLEN];
	size_t len = strcspn(out, " \t\n");

	if (len == 0 || len >= sizeof(word))
		return false;
	memcpy(word, out, len);
	word[len] = '\0';
	return addr_parse_ipv4(word, a) == 0;
}

static int
child_cred(const char *user, struct run_cred *cred)
{
	memset(cred, 0, sizeof(*cred));
	if (user == NULL || geteuid() != 0)
		return 0;
	if (privdrop_lookup(user, &cred->uid, &cred->gid) != 0)
		return SPA_ERR_CONFIG;
	cred->set = true;
	cred->user = user;
	return 0;
}

int
nat_dns_start(struct nat_dns *d, const struct spa_event *ev,
    const char *user)
{
	const char *const words[] = { "getent", "ahostsv4", ev->nat_host,
	    NULL };
	struct cmd_argv argv;
	struct run_cred cred;
	struct pending *nv;
	int r;

	if (d->n >= NAT_DNS_PENDING_MAX) {
		errno = EAGAIN;
		return SPA_ERR_SYS;
	}
	if ((r = child_cred(user, &cred)) != 0)
		return r;
	if ((r = cmd_argv_from(&argv, words, NULL)) != 0)
		return r;
	if ((nv = array_room(d->v, &d->cap, d->n, sizeof(*nv), 8)) == NULL)
		return SPA_ERR_NOMEM;
	d->v = nv;
	d->v[d->n].id = ++d->next_id;
	d->v[d->n].ev = *ev;
	d->n++;
	r = runner_start(d->runner, d->next_id, &argv, &cred,
	    NAT_DNS_TIMEOUT_MS);
	if (r != 0)
		d->n--;	/* no callback will come for it */
	return r;
}

/* What went wrong, when no address came. */
static void
failure(const struct run_result *res, char *buf, size_t len)
{
	char how[128];

	if (res->start_error == 0 && !res->timed_out &&
	    WIFEXITED(res->status) && WEXITSTATUS(res->status) == 2)
		snprintf(buf, len, "no IPv4 address for it");
	else if (res->start_error == 0 && !res->timed_out &&
	    WIFEXITED(res->status) && WEXITSTATUS(res->status) == 0)
		snprintf(buf, len, "the resolver gave no IPv4 address");
	else {
		runner_describe(res, how, sizeof(how));
		snprintf(buf, len, "the resolver failed (getent %s)", how);
	}
}

static void
resolved(void *arg, const struct run_result *res)
{
	struct nat_dns *d = arg;
	struct pending p;
	struct spa_addr a;
	char name[SPA_NAT_HOST_MAX + 1], why[192];
	size_t i;

	for (i = 0; i < d->n && d->v[i].id != res->id; i++)
		;
	if (i == d->n)
		return;
	p = d->v[i];
	d->v[i] = d->v[--d->n];
	memcpy(name, p.ev.nat_host, sizeof(name));
	name[sizeof(name) - 1] = '\0';
	if (res->start_error == 0 && !res->timed_out &&
	    WIFEXITED(res->status) && WEXITSTATUS(res->status) == 0 &&
	    nat_dns_parse(res->output, &a)) {
		d->stats.resolved++;
		memset(p.ev.nat_host, 0, sizeof(p.ev.nat_host));
		addr_fmt(&a, p.ev.nat_host);
		d->cb(d->arg, &p.ev, name, NULL);
		return;
	}
	d->stats.failed++;
	failure(res, why, sizeof(why));
	d->cb(d->arg, &p.ev, name, why);
}

size_t
nat_dns_pollfds(struct nat_dns *d, struct pollfd *pfd, size_t max)
{
	return runner_pollfds(d->runner, pfd, max);
}

void
nat_dns_dispatch(struct nat_dns *d, const struct pollfd *pfd, size_t n)
{
	runner_dispatch(d->runner, pfd, n);
}

int
nat_dns_timeout_ms(const struct nat_dns *d)
{
	return runner_timeout_ms(d->runner);
}

void
nat_dns_get_stats(const struct nat_dns *d, struct nat_dns_stats *st)
{
	*st = d->stats;
	st->pending = d->n;
}
