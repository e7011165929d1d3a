/*
 * The verifier's system call filter on Linux: seccomp-bpf, built with the
 * plain linux/filter.h macros from one commented table (see sandbox.h).
 *
 * The list is what the verifier does after sandbox_enter(), observed with
 * strace -f over the integration tests (pcap, UDP, HTTP and capture-file
 * modes, replay store growth, SIGTERM, SIGHUP restarts, syslog and stderr
 * logging) and kept to that.  Calls that write or send are allowed on the
 * descriptors pinned for them only (sandbox.h): a write to stderr, a send
 * without address to the executor or to syslog; a capture socket can only
 * be read, so a verifier taken over cannot inject a frame.  Any other
 * call kills the whole process with SIGSYS (SECCOMP_RET_KILL_PROCESS):
 * nothing of a process that tried a call it never makes runs again, not
 * even a signal handler.  The executor reaps it, logs the signal and
 * restarts it; the kernel's audit log
 * (type=1326, "syscall=N") names the call.  A few calls that libc makes
 * on paths the verifier may meet but needs no success from fail with an
 * errno instead (SC_DENY), as OpenSSH's sandbox does.
 *
 * The architecture is checked first (a process could otherwise switch to
 * another system call table, e.g. i386's int 0x80, where the numbers mean
 * other calls), and on x86_64 the x32 numbers (bit 30) are refused.
 */
#include "config.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SC_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(SC_ASAN)
#define SC_ASAN 1
#endif

#ifdef SPA_SANDBOX_NO_FILTER
/*
 * tests/tools/spagated_nofilter only (never installed): the valgrind pass
 * of the test command runs spagated under valgrind, whose own system calls
 * (gettid, executable mappings for its translations) no filter allows.
 * Chroot, user and capabilities still apply, and it says so at start.
 */
#include "sandbox_none.c"
#else

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "err.h"
#include "log.h"
#include "sandbox.h"

#if defined(__x86_64__)
#define SC_ARCH		AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SC_ARCH		AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define SC_ARCH		AUDIT_ARCH_I386
#elif defined(__arm__)
#define SC_ARCH		AUDIT_ARCH_ARM
#elif defined(__riscv) && __riscv_xlen == 64
#define SC_ARCH		AUDIT_ARCH_RISCV64
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SC_ARCH		AUDIT_ARCH_PPC64LE
#elif defined(__s390x__)
#define SC_ARCH		AUDIT_ARCH_S390X
#else
#error "no AUDIT_ARCH for this architecture: add it, or build with sandbox_none.c"
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(n)	(offsetof(struct seccomp_data, args[(n)]))
#define ARG_HI(n)	(offsetof(struct seccomp_data, args[(n)]) + 4)
#else
#define ARG_LO(n)	(offsetof(struct seccomp_data, args[(n)]) + 4)
#define ARG_HI(n)	(offsetof(struct seccomp_data, args[(n)]))
#endif

/* One condition on one argument, checked in both 32-bit halves. */
enum sc_op {
	OP_EQ,			/* == val */
	OP_GE,			/* >= val (a descriptor at least val) */
	OP_MASK,		/* no bit outside val */
};

struct sc_cond {
	unsigned	 arg;
	enum sc_op	 op;
	uint32_t	 val;
};

/*
 * A call, the conditions on its arguments (all must hold), and what the
 * filter answers.  A call whose conditions fail goes on to the next rules
 * for the same call, and past the last to SECCOMP_RET_KILL_PROCESS.
 */
struct sc_rule {
	int		 nr;
	uint32_t	 ret;		/* SECCOMP_RET_ALLOW, or _ERRNO | e */
	size_t		 ncond;
	struct sc_cond	 cond[2];
};

#define ARG_EQ(a, v)		{ (a), OP_EQ, (v) }
#define ARG_GE(a, v)		{ (a), OP_GE, (v) }
#define ARG_MASK(a, m)		{ (a), OP_MASK, (m) }
#define ALLOW(name)		{ __NR_##name, SECCOMP_RET_ALLOW, 0, { { 0 } } }
#define ALLOW_IF(name, c)	{ __NR_##name, SECCOMP_RET_ALLOW, 1, { c } }
#define ALLOW_IF2(name, c, d)	{ __NR_##name, SECCOMP_RET_ALLOW, 2, { c, d } }
#define DENY(name, e)		{ __NR_##name, SECCOMP_RET_ERRNO | (e), 0, \
				    { { 0 } } }

/* Only to the log, the executor or syslog; never an explicit address. */
#define FD_IS(fd)		ARG_EQ(0, (fd))
#define NO_ADDRESS		ARG_EQ(4, 0)
#define OWN_FD			ARG_GE(0, SANDBOX_FD_FIRST)

static const struct sc_rule rules[] = {
	/* --- the loop (verifier/loop.c) */
#ifdef __NR_poll
	ALLOW(poll),		/* sources, executor socket, signalfd */
#endif
	ALLOW(ppoll),		/* the same, where libc has no poll() */
	ALLOW(read),		/* signalfd; HTTP requests; a capture file */
	ALLOW(clock_gettime),	/* tick and deadlines, if not in the vDSO */
#ifdef __NR_gettimeofday
	ALLOW(gettimeofday),	/* libpcap timestamps (vDSO fallback) */
#endif
#ifdef __NR_time
	ALLOW(time),		/* packet age (vDSO fallback) */
#endif

	/* --- capture: read only */
	ALLOW(recvmsg),		/* UDP mode: datagram plus IP_PKTINFO */
	ALLOW(recvmmsg),	/* the same, a batch at a time */
	ALLOW(recvfrom),	/* libpcap (non-ring); executor requests */
	ALLOW(accept4),		/* HTTP, TCP listeners: a client connects (it
				 * is never answered: no write to it) */
	ALLOW(getpeername),	/* HTTP, TCP listeners: the client's address */
	ALLOW(getsockname),	/* HTTP, TCP listeners: the address it reached */
	ALLOW(getsockopt),	/* pcap_stats(): the ring's drop count */
	ALLOW_IF(close, OWN_FD),	/* HTTP, TCP connections; replay files */
	DENY(close, EBADF),	/* a pinned one: glibc closes its syslog
				 * socket when syslogd goes away; the number
				 * must stay taken, dead, not be reused */
	ALLOW_IF(ioctl, ARG_EQ(1, SIOCGIFFLAGS)),	/* libpcap, on
				 * POLLERR: did the interface go down? */

	/* --- messages to the executor; syslog lines; log lines */
	ALLOW_IF2(sendto, FD_IS(SANDBOX_FD_EXECUTOR), NO_ADDRESS),
	ALLOW_IF2(sendto, FD_IS(SANDBOX_FD_SYSLOG), NO_ADDRESS),
	ALLOW_IF(sendmmsg, FD_IS(SANDBOX_FD_EXECUTOR)),	/* a pass's OPENs
				 * (msg_batch.c); the pair is connected
				 * SOCK_SEQPACKET, which ignores an address */
	ALLOW_IF(write, FD_IS(SANDBOX_FD_LOG)),	/* stderr (foreground) */
	ALLOW_IF(writev, FD_IS(SANDBOX_FD_LOG)),
	ALLOW(getpid),		/* syslog()'s LOG_PID */

	/* --- memory: malloc (brk, mmap), never executable */
	ALLOW(brk),
	ALLOW_IF(mmap, ARG_MASK(2, PROT_READ | PROT_WRITE)),	/* + replay.db */
	ALLOW(munmap),
	ALLOW(mremap),		/* realloc of large blocks */
	ALLOW_IF(madvise, ARG_MASK(2, MADV_DONTNEED)),	/* free() trimming */

	/* --- the replay store (verifier/replay.c), in the chroot */
	ALLOW(openat),		/* replay.db.new when it grows; "." to fsync */
	ALLOW(flock),		/* the store's lock, taken on the new file */
	ALLOW_IF(ftruncate, OWN_FD),	/* sizing the new file */
	ALLOW_IF(fallocate, OWN_FD),	/* and its blocks: a full disk fails there */
	ALLOW_IF(pwrite64, OWN_FD),	/* its header */
	ALLOW(fstat),		/* checking what was opened */
#ifdef __NR_newfstatat
	ALLOW(newfstatat),	/* lstat(), fstat() in newer libc */
#endif
	ALLOW(msync),		/* every tick, and before the rename */
	ALLOW(fsync),		/* the new file and the directory */
	ALLOW(fdatasync),
#ifdef __NR_rename
	ALLOW(rename),		/* replay.db.new over replay.db */
#endif
#ifdef __NR_renameat
	ALLOW(renameat),
#endif
	ALLOW(renameat2),
#ifdef __NR_unlink
	ALLOW(unlink),		/* a leftover replay.db.new */
#endif
	ALLOW(unlinkat),
	ALLOW(getrandom),	/* the new table's hash seed */

	/* --- signals and the end */
	ALLOW(rt_sigreturn),
	ALLOW(restart_syscall),	/* poll() resumed after SIGSTOP/SIGCONT */
	ALLOW(rt_sigprocmask),
	ALLOW(futex),		/* librnp's RSA: Botan's worker threads, made
				   before the filter (openpgp.c), wait and wake */
#ifdef SC_ASAN
	ALLOW(sigaltstack),	/* sanitizer builds only: AddressSanitizer sets
				   and unsets a thread's signal stack as one of
				   Botan's worker threads comes and goes under
				   load (30 forgeries to an RSA 4096 key) */
#endif
	ALLOW(exit_group),
	ALLOW(exit),

	/* --- refused quietly: libc tries them, the verifier needs none */
	DENY(socket, EACCES),	/* syslog() reconnecting to /dev/log */
	DENY(connect, EACCES),
};

#define NRULES		(sizeof(rules) / sizeof(rules[0]))
#define HEAD		6	/* arch check, load nr, x32 check */
#define RULE_MAX	(1 + 2 * 5 + 2)	/* nr, two conditions, ret, reload */
#define MAX_INSNS	(HEAD + NRULES * RULE_MAX + 1)

#define STMT(code, k)		((struct sock_filter)BPF_STMT((code), (k)))
#define JUMP(code, k, t, f)	((struct sock_filter)BPF_JUMP((code), (k), \
				    (t), (f)))

static size_t
put(struct sock_filter *f, size_t n, struct sock_filter insn)
{
	f[n] = insn;
	return n + 1;
}

/*
 * One condition; each jump that fails it is recorded in `fails` to point
 * at the rule's end once that is known.
 */
static size_t
put_cond(struct sock_filter *f, size_t n, const struct sc_cond *c,
    size_t *fails, size_t *nfails)
{
	n = put(f, n, STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(c->arg)));
	if (c->op == OP_MASK) {
		n = put(f, n, STMT(BPF_ALU | BPF_AND | BPF_K, ~c->val));
		n = put(f, n, JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0));
	} else
		n = put(f, n, JUMP(BPF_JMP | (c->op == OP_GE ? BPF_JGE :
		    BPF_JEQ) | BPF_K, c->val, 0, 0));
	fails[(*nfails)++] = n - 1;
	/* every condition wants the upper half 0 (a descriptor, flags) */
	n = put(f, n, STMT(BPF_LD | BPF_W | BPF_ABS, ARG_HI(c->arg)));
	n = put(f, n, JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0));
	fails[(*nfails)++] = n - 1;
	return n;
}

static size_t
put_rule(struct sock_filter *f, size_t n, const struct sc_rule *r)
{
	size_t fails[1 + 2 * 2], nfails = 0, i, end;

	n = put(f, n, JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)r->nr, 0, 0));
	fails[nfails++] = n - 1;
	for (i = 0; i < r->ncond; i++)
		n = put_cond(f, n, &r->cond[i], fails, &nfails);
	n = put(f, n, STMT(BPF_RET | BPF_K, r->ret));
	end = n;
	if (r->ncond > 0)	/* the number back in A for the next rules */
		n = put(f, n, STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)));
	for (i = 0; i < nfails; i++)
		f[fails[i]].jf = (uint8_t)(end - fails[i] - 1);
	return n;
}

static size_t
build(struct sock_filter *f)
{
	size_t i, n = 0;

	n = put(f, n, STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, arch)));
	n = put(f, n, JUMP(BPF_JMP | BPF_JEQ | BPF_K, SC_ARCH, 1, 0));
	n = put(f, n, STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
	n = put(f, n, STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, nr)));
#if defined(__x86_64__)
	/* x32 calls share AUDIT_ARCH_X86_64: numbers with bit 30 set */
	n = put(f, n, JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000U, 0, 1));
	n = put(f, n, STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
#endif
	for (i = 0; i < NRULES; i++)
		n = put_rule(f, n, &rules[i]);
	return put(f, n, STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
}

/* Calls allowed, in some form: each counted once. */
static size_t
count_allowed(void)
{
	size_t i, j, n = 0;

	for (i = 0; i < NRULES; i++) {
		if (rules[i].ret != SECCOMP_RET_ALLOW)
			continue;
		for (j = 0; j < i && rules[j].nr != rules[i].nr; j++)
			;
		n += j == i;
	}
	return n;
}

int
sandbox_enter(const struct sandbox *sb, char *desc, size_t len)
{
	struct sock_filter insns[MAX_INSNS];
	struct sock_fprog prog;

	prog.len = (unsigned short)build(insns);
	prog.filter = insns;
	/* no_new_privs: required for an unprivileged filter, and no exec
	 * (there is none anyway) could ever gain privileges */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		log_err("verifier: PR_SET_NO_NEW_PRIVS");
		return SPA_ERR_SYS;
	}
	/* TSYNC: every thread, also librnp's (Botan's RSA worker threads,
	   started before this by openpgp.c's self test), gets the filter */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_TSYNC, &prog) != 0) {
		log_err("verifier: cannot install the seccomp filter");
		return SPA_ERR_SYS;
	}
	snprintf(desc, len, "%s, seccomp filter (%zu syscalls)", sb->desc,
	    count_allowed());
	return 0;
}

#endif /* SPA_SANDBOX_NO_FILTER */
