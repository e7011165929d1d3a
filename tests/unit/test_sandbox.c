/*
 * The verifier's system call filter, for real: a child process with the
 * verifier's pinned descriptors (2 the log, 3 the executor, 4 syslog, 5+
 * its own) installs the filter and makes one call.  Allowed calls return;
 * a call the filter forbids kills the child with SIGSYS; the quiet refusals
 * return their errno.  Linux with seccomp only (Makefile.am); not run
 * under valgrind, whose own calls no filter allows.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "sandbox.h"

#define CAPTURE_FD	7	/* a UDP socket, as the capture's */
#define FILE_FD		8	/* a file, as the replay store's */

enum outcome { RETURNS_OK, RETURNS_ERRNO, KILLED };

/* One call after the filter: its result as the child's exit status. */
typedef long (*call_fn)(void);

static long call_write_log(void) { return syscall(SYS_write, SANDBOX_FD_LOG, "", 0); }
static long call_write_stdout(void) { return syscall(SYS_write, 1, "x", 1); }
static long call_write_capture(void) { return syscall(SYS_write, CAPTURE_FD, "x", 1); }
static long call_write_executor(void) { return syscall(SYS_write, SANDBOX_FD_EXECUTOR, "x", 1); }
static long call_send_executor(void)
{
	return syscall(SYS_sendto, SANDBOX_FD_EXECUTOR, "x", 1, 0, NULL, 0);
}
static long call_send_syslog(void)
{
	return syscall(SYS_sendto, SANDBOX_FD_SYSLOG, "x", 1, 0, NULL, 0);
}
static long call_send_capture(void)
{
	return syscall(SYS_sendto, CAPTURE_FD, "x", 1, 0, NULL, 0);
}
static long call_send_with_address(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	return syscall(SYS_sendto, SANDBOX_FD_EXECUTOR, "x", 1, 0, &sin,
	    sizeof(sin));
}
static long call_sendmsg_executor(void)
{
	struct iovec iov = { "x", 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	return syscall(SYS_sendmsg, SANDBOX_FD_EXECUTOR, &mh, 0);
}
static long call_pwrite_file(void) { return syscall(SYS_pwrite64, FILE_FD, "x", 1, 0); }
static long call_pwrite_log(void) { return syscall(SYS_pwrite64, SANDBOX_FD_LOG, "x", 1, 0); }
static long call_ftruncate_file(void) { return syscall(SYS_ftruncate, FILE_FD, 0); }
static long call_ftruncate_log(void) { return syscall(SYS_ftruncate, SANDBOX_FD_LOG, 0); }
static long call_close_own(void) { return syscall(SYS_close, CAPTURE_FD); }
static long call_close_executor(void) { return syscall(SYS_close, SANDBOX_FD_EXECUTOR); }
static long call_socket(void) { return syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0); }
static long call_execve(void)
{
	char *argv[] = { "true", NULL };

	return syscall(SYS_execve, "/bin/true", argv, NULL);
}
static long call_getuid(void) { return syscall(SYS_getuid); }

/* The verifier's descriptor layout (vproc.c), made in the child. */
static void
pin_descriptors(void)
{
	int sv[2], devnull, udp, file;
	char path[] = "/tmp/spagate-sandbox-XXXXXX";

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0 ||
	    dup2(sv[0], SANDBOX_FD_EXECUTOR) < 0 ||
	    (devnull = open("/dev/null", O_WRONLY)) < 0 ||
	    dup2(devnull, SANDBOX_FD_SYSLOG) < 0 ||
	    (udp = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    dup2(udp, CAPTURE_FD) < 0 ||
	    (file = mkstemp(path)) < 0 || dup2(file, FILE_FD) < 0)
		_exit(100);
	unlink(path);
	/* 4 must be a socket for sendto: syslog's is a datagram socket */
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) != 0 ||
	    dup2(sv[0], SANDBOX_FD_SYSLOG) < 0)
		_exit(100);
}

/* Run `fn` under the filter in a child; how it ended. */
static enum outcome
under_filter(call_fn fn, int *err)
{
	struct sandbox sb;
	char desc[256];
	int status;
	pid_t pid;
	long r;

	memset(&sb, 0, sizeof(sb));
	if ((pid = fork()) == 0) {
		pin_descriptors();
		if (sandbox_enter(&sb, desc, sizeof(desc)) != 0)
			_exit(101);
		errno = 0;
		r = fn();
		/* errno, or 0: the status says how the call ended */
		syscall(SYS_exit_group, r < 0 ? (errno & 0x7f) : 0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status)) {
		assert_int_equal(WTERMSIG(status), SIGSYS);
		return KILLED;
	}
	assert_true(WIFEXITED(status));
	assert_true(WEXITSTATUS(status) < 100);	/* set up and filter in */
	*err = WEXITSTATUS(status);
	return *err == 0 ? RETURNS_OK : RETURNS_ERRNO;
}

static void
expect(call_fn fn, enum outcome want, int want_errno)
{
	int err = -1;

	assert_int_equal(under_filter(fn, &err), want);
	if (want == RETURNS_ERRNO)
		assert_int_equal(err, want_errno);
}

static void
writes_only_to_the_log(void **state)
{
	(void)state;
	expect(call_write_log, RETURNS_OK, 0);
	expect(call_write_stdout, KILLED, 0);
	expect(call_write_capture, KILLED, 0);
	expect(call_write_executor, KILLED, 0);
}

static void
sends_only_to_executor_and_syslog_without_address(void **state)
{
	(void)state;
	expect(call_send_executor, RETURNS_OK, 0);
	expect(call_send_syslog, RETURNS_OK, 0);
	expect(call_send_capture, KILLED, 0);
	expect(call_send_with_address, KILLED, 0);
	expect(call_sendmsg_executor, KILLED, 0);
}

static void
store_calls_only_on_its_own_descriptors(void **state)
{
	(void)state;
	expect(call_pwrite_file, RETURNS_OK, 0);
	expect(call_ftruncate_file, RETURNS_OK, 0);
	expect(call_pwrite_log, KILLED, 0);
	expect(call_ftruncate_log, KILLED, 0);
}

static void
pinned_descriptors_cannot_be_closed(void **state)
{
	(void)state;
	expect(call_close_own, RETURNS_OK, 0);
	expect(call_close_executor, RETURNS_ERRNO, EBADF);
}

static void
no_new_socket_no_exec_nothing_unlisted(void **state)
{
	(void)state;
	expect(call_socket, RETURNS_ERRNO, EACCES);
	expect(call_execve, KILLED, 0);
	expect(call_getuid, KILLED, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(writes_only_to_the_log),
		cmocka_unit_test(sends_only_to_executor_and_syslog_without_address),
		cmocka_unit_test(store_calls_only_on_its_own_descriptors),
		cmocka_unit_test(pinned_descriptors_cannot_be_closed),
		cmocka_unit_test(no_new_socket_no_exec_nothing_unlisted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
