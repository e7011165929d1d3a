/*
 * The verifier's system call filter on Linux: seccomp-bpf, built with the
 * plain linux/filter.h macros from one commented table (see sandbox.h).
 *
 * The list is what the verifier does after sandbox_enter(), observed with
 * strace -f over the integration tests (pcap, UDP, HTTP and capture-file
 * modes, replay store growth, SIGTERM, SIGHUP restarts, syslog and stderr
 * logging) and kept to that.  Any other call kills the whole process with
 * SIGSYS (SECCOMP_RET_KILL_PROCESS): nothing of a process that tried a
 * call it never makes runs again, not even a signal handler.  The executor
 * reaps it, logs the signal and restarts it; the kernel's audit log
 * (type=1326, "syscall=N") names the call.  A few calls that libc makes
 * on paths the verifier may meet but needs no success from fail with an
 * errno instead (SC_DENY), as OpenSSH's sandbox does.
 *
 * The architecture is checked first (a process could otherwise switch to
 * another system call table, e.g. i386's int 0x80, where the numbers mean
 * other calls), and on x86_64 the x32 numbers (bit 30) are refused.
 */
#include "config.h"

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

enum sc_how {
	SC_ALLOW,		/* always */
	SC_ALLOW_MASK,		/* if argument `arg` has no bit outside `val` */
	SC_DENY,		/* fail with errno `val` */
};

struct sc_rule {
	int		 nr;
	enum sc_how	 how;
	unsigned	 arg;
	uint32_t	 val;
};

#define ALLOW(name)		{ __NR_##name, SC_ALLOW, 0, 0 }
#define ALLOW_MASK(name, a, m)	{ __NR_##name, SC_ALLOW_MASK, (a), (m) }
#define DENY(name, e)		{ __NR_##name, SC_DENY, 0, (e) }

static const struct sc_rule rules[] = {
	/* --- the loop (daemon/loop.c) */
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

	/* --- capture */
	ALLOW(recvmsg),		/* UDP mode: datagram plus IP_PKTINFO */
	ALLOW(recvfrom),	/* libpcap (non-ring); executor requests */
	ALLOW(accept4),		/* HTTP mode: a client connects */
	ALLOW(getpeername),	/* HTTP mode: the client's address */
	ALLOW(getsockname),	/* HTTP mode: the address it reached */
	ALLOW(getsockopt),	/* pcap_stats(): the ring's drop count */
	ALLOW(close),		/* HTTP connections; replay store files */
	ALLOW_MASK(ioctl, 1, SIOCGIFFLAGS),	/* libpcap, on POLLERR: did
				 * the interface go down? */

	/* --- messages to the executor; syslog lines */
	ALLOW(sendto),		/* send(): MSG_OPEN, MSG_STATS; syslog() */
	ALLOW(write),		/* log lines on stderr (foreground) */
	ALLOW(getpid),		/* syslog()'s LOG_PID */

	/* --- memory: malloc (brk, mmap), never executable */
	ALLOW(brk),
	ALLOW_MASK(mmap, 2, PROT_READ | PROT_WRITE),	/* + replay.db */
	ALLOW(munmap),
	ALLOW(mremap),		/* realloc of large blocks */
	ALLOW_MASK(madvise, 2, MADV_DONTNEED),	/* free() trimming */

	/* --- the replay store (core/replay.c), in the chroot */
	ALLOW(openat),		/* replay.db.new when it grows; "." to fsync */
	ALLOW(flock),		/* the store's lock, taken on the new file */
	ALLOW(ftruncate),	/* sizing the new file */
	ALLOW(fallocate),	/* and its blocks: a full disk fails there */
	ALLOW(pwrite64),	/* its header */
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
	ALLOW(exit_group),
	ALLOW(exit),

	/* --- refused quietly: libc tries them, the verifier needs none */
	DENY(socket, EACCES),	/* syslog() reconnecting to /dev/log */
	DENY(connect, EACCES),
};

#define NRULES	(sizeof(rules) / sizeof(rules[0]))
#define HEAD	6		/* arch check, load nr, x32 check */
#define MAX_INSNS	(HEAD + NRULES * 8 + 1)

static size_t
put(struct sock_filter *f, size_t n, struct sock_filter insn)
{
	f[n] = insn;
	return n + 1;
}

static size_t
put_rule(struct sock_filter *f, size_t n, const struct sc_rule *r)
{
	switch (r->how) {
	case SC_ALLOW:
		n = put(f, n, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ |
		    BPF_K, (uint32_t)r->nr, 0, 1));
		return put(f, n, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		    SECCOMP_RET_ALLOW));
	case SC_DENY:
		n = put(f, n, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ |
		    BPF_K, (uint32_t)r->nr, 0, 1));
		return put(f, n, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		    SECCOMP_RET_ERRNO | (r->val & SECCOMP_RET_DATA)));
	case SC_ALLOW_MASK:
		/* no bit outside the mask in either 32-bit half */
		n = put(f, n, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ |
		    BPF_K, (uint32_t)r->nr, 0, 7));
		n = put(f, n, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W |
		    BPF_ABS, ARG_LO(r->arg)));
		n = put(f, n, (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND |
		    BPF_K, ~r->val));
		n = put(f, n, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ |
		    BPF_K, 0, 0, 3));
		n = put(f, n, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W |
		    BPF_ABS, ARG_HI(r->arg)));
		n = put(f, n, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ |
		    BPF_K, 0, 0, 1));
		n = put(f, n, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		    SECCOMP_RET_ALLOW));
		/* not allowed: the number back in A for the next rules */
		return put(f, n, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W |
		    BPF_ABS, offsetof(struct seccomp_data, nr)));
	}
	return n;
}

static size_t
build(struct sock_filter *f)
{
	size_t i, n = 0;

	n = put(f, n, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, arch)));
	n = put(f, n, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    SC_ARCH, 1, 0));
	n = put(f, n, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_KILL_PROCESS));
	n = put(f, n, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, nr)));
#if defined(__x86_64__)
	/* x32 calls share AUDIT_ARCH_X86_64: numbers with bit 30 set */
	n = put(f, n, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
	    0x40000000U, 0, 1));
	n = put(f, n, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_KILL_PROCESS));
#endif
	for (i = 0; i < NRULES; i++)
		n = put_rule(f, n, &rules[i]);
	return put(f, n, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_KILL_PROCESS));
}

static size_t
count_allowed(void)
{
	size_t i, n = 0;

	for (i = 0; i < NRULES; i++)
		n += rules[i].how != SC_DENY;
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
		log_warn("verifier: PR_SET_NO_NEW_PRIVS");
		return SPA_ERR_SYS;
	}
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
		log_warn("verifier: cannot install the seccomp filter");
		return SPA_ERR_SYS;
	}
	snprintf(desc, len, "%s, seccomp filter (%zu syscalls)", sb->desc,
	    count_allowed());
	return 0;
}

#ifdef SPA_SANDBOX_SELFTEST
/*
 * A call that always succeeds unconfined and is not in the table, so the
 * only outcome under the filter is SIGSYS.
 */
void
sandbox_selftest_violate(void)
{
	long r;

	log_warnx("sandbox selftest: calling getppid(), which the filter "
	    "does not allow");
	r = syscall(SYS_getppid);
	log_warnx("sandbox selftest: getppid() returned %ld: NOT CONFINED", r);
}
#endif
#endif /* SPA_SANDBOX_NO_FILTER */
