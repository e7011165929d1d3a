/* The iptables backend's restore text (see fw_ipt.h). */
#include "config.h"

#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_ipt.h"
#include "log.h"

#define SAVED_LINE_MAX	(2 * FW_IPT_LINE_MAX)

static int
fits(int n, size_t len)
{
	return n >= 0 && (size_t)n < len ? 0 : -1;
}

int
fw_ipt_line(const char *chain, bool add, const struct fw_ipt_rule *r,
    char *buf, size_t len)
{
	const char *proto = r->e.proto == IPPROTO_UDP ? "udp" : "tcp";
	char a[ADDR_STRLEN];

	return fits(snprintf(buf, len, "%s %s -s %s/%d -p %s -m %s --dport %u "
	    "-m comment --comment " FW_IPT_COMMENT "%" PRId64 " -j ACCEPT",
	    add ? "-A" : "-D", chain, addr_fmt(&r->e.src, a),
	    r->e.src.family == AF_INET6 ? 128 : 32, proto, proto, r->e.port,
	    r->exp), len);
}

/* The value after `opt` among the words of `line`, or NULL. */
static const char *
word_after(char *const *w, size_t n, const char *opt)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (strcmp(w[i], opt) == 0)
			return w[i + 1];
	return NULL;
}

/* A rule of the chain read back as a grant; -1 if it is none of ours. */
static int
read_rule(char *line, struct fw_ipt_rule *r)
{
	char *w[32], *save = NULL, *p, *end;
	const char *src, *proto, *port, *cmt;
	size_t n = 0;
	long v;

	for (p = strtok_r(line, " ", &save); p != NULL && n < 32;
	    p = strtok_r(NULL, " ", &save))
		w[n++] = p;
	src = word_after(w, n, "-s");
	proto = word_after(w, n, "-p");
	port = word_after(w, n, "--dport");
	cmt = word_after(w, n, "--comment");
	if (src == NULL || proto == NULL || port == NULL || cmt == NULL ||
	    strncmp(cmt, FW_IPT_COMMENT, strlen(FW_IPT_COMMENT)) != 0 ||
	    (p = strchr(src, '/')) == NULL)
		return -1;
	*p++ = '\0';
	if (addr_parse(src, &r->e.src) != 0 || strcmp(p,
	    r->e.src.family == AF_INET6 ? "128" : "32") != 0)
		return -1;
	if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0)
		return -1;
	r->e.proto = proto[0] == 'u' ? IPPROTO_UDP : IPPROTO_TCP;
	v = strtol(port, &end, 10);
	if (*end != '\0' || v < 1 || v > 65535)
		return -1;
	r->e.port = (uint16_t)v;
	r->exp = strtoll(cmt + strlen(FW_IPT_COMMENT), &end, 10);
	return *end == '\0' ? 0 : -1;
}

static bool
same_elem(const struct fw_elem *a, const struct fw_elem *b)
{
	return a->proto == b->proto && a->port == b->port &&
	    addr_equal(&a->src, &b->src);
}

/* Whether the rule `line` (after "-A <chain> ") is held: mark it seen. */
static bool
held_by(const char *line, struct fw_ipt_rule *held, size_t nheld)
{
	char copy[SAVED_LINE_MAX];
	struct fw_ipt_rule r;
	size_t i;

	snprintf(copy, sizeof(copy), "%s", line);
	if (read_rule(copy, &r) != 0)
		return false;
	for (i = 0; i < nheld; i++)
		if (!held[i].seen && same_elem(&held[i].e, &r.e)) {
			held[i].seen = true;
			held[i].exp = r.exp;
			return true;
		}
	return false;
}

/* What the saved filter table says about the chain and the jump. */
struct saved_facts {
	bool	 has_chain;
	bool	 jump_first;
	size_t	 njump;
};

/* The next line of `*p` into `line`; false at the end. */
static bool
next_line(const char **p, char *line, size_t len)
{
	size_t n;

	if (**p == '\0')
		return false;
	n = strcspn(*p, "\n");
	snprintf(line, len, "%.*s", (int)(n < len ? n : len - 1), *p);
	if (n >= len)
		line[0] = '\0';		/* too long to be ours: skipped */
	*p += n + ((*p)[n] == '\n');
	return true;
}

static void
read_facts(const char *chain, const char *saved, struct saved_facts *f)
{
	char line[SAVED_LINE_MAX], decl[64], jump[64];
	size_t ninput = 0;

	memset(f, 0, sizeof(*f));
	snprintf(decl, sizeof(decl), ":%s ", chain);
	snprintf(jump, sizeof(jump), "-A INPUT -j %s", chain);
	while (next_line(&saved, line, sizeof(line))) {
		if (strncmp(line, decl, strlen(decl)) == 0)
			f->has_chain = true;
		if (strncmp(line, "-A INPUT ", 9) != 0)
			continue;
		ninput++;
		if (strcmp(line, jump) == 0) {
			f->njump++;
			f->jump_first |= ninput == 1;
		}
	}
}

/* Appends to buf at *off; -1 if it does not fit. */
static int
put(char *buf, size_t len, size_t *off, const char *line)
{
	if (fits(snprintf(buf + *off, len - *off, "%s\n", line),
	    len - *off) != 0)
		return -1;
	*off += strlen(line) + 1;
	return 0;
}

static int
sweep_lines(const char *chain, const char *saved, struct fw_ipt_rule *held,
    size_t nheld, char *buf, size_t len, size_t *off, size_t *swept)
{
	char line[SAVED_LINE_MAX], del[SAVED_LINE_MAX + 8], own[64];

	snprintf(own, sizeof(own), "-A %s ", chain);
	while (next_line(&saved, line, sizeof(line))) {
		if (strncmp(line, own, strlen(own)) != 0 ||
		    held_by(line + strlen(own), held, nheld))
			continue;
		log_info("firewall: %s: a rule no open cycle holds (left by a "
		    "previous run): removed", line);
		snprintf(del, sizeof(del), "-D %s", line + 3);
		if (put(buf, len, off, del) != 0)
			return -1;
		(*swept)++;
	}
	return 0;
}

int
fw_ipt_setup(const char *chain, const char *saved, bool sweep,
    struct fw_ipt_rule *held, size_t nheld, char *buf, size_t len,
    size_t *swept)
{
	struct saved_facts f;
	char line[FW_IPT_LINE_MAX];
	size_t off = 0, i;

	*swept = 0;
	buf[0] = '\0';
	read_facts(chain, saved, &f);
	snprintf(line, sizeof(line), ":%s - [0:0]", chain);
	if (!f.has_chain && put(buf, len, &off, line) != 0)
		return -1;
	if (!(f.njump == 1 && f.jump_first)) {
		snprintf(line, sizeof(line), "-D INPUT -j %s", chain);
		for (i = 0; i < f.njump; i++)
			if (put(buf, len, &off, line) != 0)
				return -1;
		snprintf(line, sizeof(line), "-I INPUT 1 -j %s", chain);
		if (put(buf, len, &off, line) != 0)
			return -1;
	}
	if (sweep)
		return sweep_lines(chain, saved, held, nheld, buf, len, &off,
		    swept);
	return 0;
}

bool
fw_ipt_is_absent(const char *err)
{
	const char *p;
	unsigned int n;
	int end = 0;

	if (strstr(err, "does a matching rule exist") != NULL)
		return true;
	/* legacy: "iptables-restore: line 3 failed", nothing more */
	return (p = strstr(err, "line ")) != NULL &&
	    sscanf(p, "line %u failed%n", &n, &end) == 1 && end > 0 &&
	    p[end] == '\0';
}
