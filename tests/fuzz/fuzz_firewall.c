/*
 * libFuzzer: the built-in firewall's line reader (fw_line.c) and its
 * readers of what the kernel's tools print back (the start's sweeps:
 * iptables-save for fw_ipt.c, `nft list` for fw_nft.c).  The input is
 * the words after "firewall", separated by NUL bytes; the same bytes are
 * also read as a saved table and as a set's listing.  A refused line
 * must say why; an accepted one must be a grant nothing else could be
 * made of: tcp or udp, ports 1 to 65535, NAT only from IPv4, and its
 * nft and iptables text plain element and rule commands.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fw_ipt.h"
#include "fw_line.h"
#include "fw_nft.h"
#include "subst.h"

#define WORDS_MAX	CMD_MAX_ARGS
#define INPUT_MAX	4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct conf_firewall fw = { .backend = FW_NFTABLES,
    .table = "spagate" };
static const struct fw_ipt_chains chains = { "SPAGATE_INPUT",
    "SPAGATE_FORWARD", "SPAGATE_PREROUTING", "SPAGATE_POSTROUTING" };

/* Every line starts as a command and holds nothing that starts another. */
static void
check_lines(const char *text, const char *const *starts, size_t n)
{
	const char *p;
	size_t i, len;

	if (strpbrk(text, ";#'\"$@\\\r") != NULL)
		abort();
	for (p = text; *p != '\0'; p += len + (p[len] == '\n')) {
		len = strcspn(p, "\n");
		for (i = 0; i < n; i++)
			if (strncmp(p, starts[i], strlen(starts[i])) == 0)
				break;
		if (i == n)
			abort();
	}
}

static void
check_grant(const struct fw_elem *e)
{
	static const char *const nft[] = { "add element inet spagate ",
	    "delete element inet spagate ", "create element inet spagate " };
	static const char *const ipt[] = { "-A SPAGATE_", "-D SPAGATE_",
	    "nat -A SPAGATE_", "nat -D SPAGATE_" };
	static char text[2 * FW_NFT_GRANT_MAX];
	struct fw_ipt_rule r = { .e = *e, .exp = 1 };

	if ((e->proto != IPPROTO_TCP && e->proto != IPPROTO_UDP) ||
	    e->port == 0 || e->kind > FW_FWD_NAT ||
	    (e->kind != FW_ACCESS && (e->src.family != AF_INET ||
	    e->to.family != AF_INET || e->to_port == 0)))
		abort();
	if (fw_nft_add(&fw, e, 30, true, text, sizeof(text)) != 0)
		abort();
	check_lines(text, nft, 3);
	if (fw_nft_add(&fw, e, 30, false, text, sizeof(text)) != 0)
		abort();
	check_lines(text, nft, 3);
	if (fw_ipt_grant(&chains, true, &r, text, sizeof(text)) != 0)
		abort();
	check_lines(text, ipt, 4);
}

/* The same bytes as what iptables-save and nft print: no crash. */
static void
read_as_listing(const char *buf, const struct fw_elem *held, size_t nheld)
{
	static char out[4 * INPUT_MAX + 8 * FW_IPT_LINE_MAX];
	struct fw_ipt_rule r[1];
	size_t swept;

	memset(r, 0, sizeof(r));
	if (nheld > 0)
		r[0].e = held[0];
	(void)fw_ipt_setup("SPAGATE_INPUT", buf, true, r, nheld, out,
	    sizeof(out), &swept);
	(void)fw_ipt_setup_nat(&chains, true, buf, true, r, nheld, out,
	    sizeof(out), &swept);
	(void)fw_nft_sweep(&fw, buf, held, nheld, out, sizeof(out), &swept);
	(void)fw_nft_sweep_nat(&fw, "dnat4", buf, held, nheld, out,
	    sizeof(out), &swept);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[INPUT_MAX + 1], program[] = "firewall";
	const struct fw_nat_opts opts[2] = { { true, true, true, NULL },
	    { true, false, true, "198.51.100.1" } };
	struct cmd_argv a;
	struct fw_elem e;
	char why[256];
	size_t i, n = 0;

	if (size > INPUT_MAX)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	memset(&a, 0, sizeof(a));
	a.argv[a.argc++] = program;
	for (i = 0; i <= size && a.argc < WORDS_MAX; i += strlen(buf + i) + 1)
		a.argv[a.argc++] = buf + i;
	a.argv[a.argc] = NULL;
	why[0] = '\0';
	if (fw_line_read(&a, &opts[size % 2], size % 3 == 0, &e, why,
	    sizeof(why)) != 0) {
		if (why[0] == '\0' || strlen(why) >= sizeof(why))
			abort();
	} else {
		check_grant(&e);
		n = 1;
	}
	for (i = 0; i < size; i++)	/* the listing: NULs as newlines */
		if (buf[i] == '\0')
			buf[i] = '\n';
	read_as_listing(buf, &e, n);
	return 0;
}
