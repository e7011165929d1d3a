# Shared shell for the integration tests: TAP output, network namespaces,
# the real fwknop client, and spagated started in the server namespace.
# Sourced by tests/integration/*.sh; each test runs `make check` style with
# top_srcdir and top_builddir exported.

set -u
# The system's programs first: the tests are about Debian's packages, and a
# user's shims (pyenv's python3 takes seconds under load) must not decide
# a check's time limit.
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir/_build}"
SPAGATED_BIN=$top_builddir/spagated
SPAGATE_VERIFIER=$top_builddir/spagate-verifier

# Memory checking of spagated itself (the test command runs both):
#   SPA_SANITIZERS=yes  an --enable-sanitizers build (`make check` there sets
#                       it with ASAN_OPTIONS): ASan/UBSan reports fail a test
#   SPA_VALGRIND=yes    start_spagated runs spagated under valgrind
#   SPAGATED_WRAPPER    a command start_spagated puts before spagated
# In any of these modes each test ends with one more TAP line (see plan and
# finish): spagated is stopped and its reports must be empty.  Waits are
# multiplied by SPA_WAIT_SCALE (default 8 under valgrind, else 1).
: "${SPA_SANITIZERS:=no}" "${SPA_VALGRIND:=no}" "${SPAGATED_WRAPPER:=}"
report_check=no
[ "$SPA_SANITIZERS" = yes ] || [ "$SPA_VALGRIND" = yes ] ||
	[ -n "$SPAGATED_WRAPPER" ] && report_check=yes
if [ "$SPA_VALGRIND" = yes ]; then
	: "${SPA_WAIT_SCALE:=8}"
else
	: "${SPA_WAIT_SCALE:=1}"
fi
SPAGATED_PIDS=""

tap_n=0
tap_failed=0
tap_plan=0

plan() {
	tap_plan=$1
	[ "$report_check" = yes ] && tap_plan=$((tap_plan + 1))
	echo "1..$tap_plan"
}
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
# SPA_FIRST_FAILURE_ENDS=1 (the mutant suite): one failure is the verdict,
# the rest of the script would only cost time.
not_ok() {
	tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"
	[ -z "${SPA_FIRST_FAILURE_ENDS:-}" ] || { diag "stopped at the first failure"; exit 1; }
}
diag() { printf '# %s\n' "$@"; }
# check DESCRIPTION COMMAND...: one TAP line from a command's status
check() {
	local what=$1; shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# Skip the whole file when a requirement is missing; in CI that is a failure.
skip_all() {
	if [ "${CI:-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - cannot run in CI: $*"
		exit 1
	fi
	echo "1..0 # SKIP $*"
	exit 0
}

require_root() {
	[ "$(id -u)" = 0 ] || skip_all "needs root (network namespaces)"
	command -v ip >/dev/null || skip_all "needs iproute2"
}

require_fwknop() {
	command -v fwknop >/dev/null || skip_all "needs the fwknop client (fwknop-client)"
}

# A scratch directory removed at exit.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/spagate-it.XXXXXX")
export HOME=$WORK/home
mkdir -p "$HOME"
cleanup_hooks=""
on_exit() { cleanup_hooks="$* ; $cleanup_hooks"; }
run_cleanup() {
	eval "$cleanup_hooks" 2>/dev/null
	[ -n "${KEEP_WORK:-}" ] && echo "# kept $WORK" || rm -rf "$WORK"
}
trap run_cleanup EXIT
# spagated runs the verifier of this build tree, not the installed one:
# $SPAGATED is spagated with --verifier-program (the same process: exec).
SPAGATED=$WORK/bin/spagated
mkdir -p "$WORK/bin"
printf '#!/bin/sh\nexec "%s" --verifier-program "%s" "$@"\n' \
	"$SPAGATED_BIN" "$SPAGATE_VERIFIER" > "$SPAGATED"
chmod 755 "$SPAGATED"
if [ "$SPA_VALGRIND" = yes ] && [ -z "$SPAGATED_WRAPPER" ]; then
	# valgrind's own system calls are outside the verifier's seccomp
	# filter: the same daemon built without it (chroot and user remain),
	# which runs the verifier built without it (valgrind checks spagated,
	# not the program it executes)
	SPAGATED=$top_builddir/tests/tools/spagated_nofilter
	# One log per process: empty when clean.
	mkdir -p "$WORK/valgrind"
	SPAGATED_WRAPPER="valgrind -q --log-file=$WORK/valgrind/spagated.%p.log
		--leak-check=full --show-leak-kinds=definite,indirect
		--errors-for-leak-kinds=definite,indirect --error-exitcode=99
		--suppressions=$top_srcdir/tests/valgrind.supp"
fi
trap 'exit 130' INT TERM

# Two namespaces joined by a veth pair: the server (spagated) and the
# client (fwknop).  Addresses are private to this test.
# Usage: netns_pair SUBNET (a number 1..250), sets SRV_NS CLI_NS SRV_IP CLI_IP
netns_pair() {
	local net=$1 tag="spa$$x$1"
	SRV_NS=${tag}s CLI_NS=${tag}c
	SRV_IF=${tag}a CLI_IF=${tag}b
	SRV_IP=10.231.$net.1 CLI_IP=10.231.$net.2
	on_exit "ip netns del $SRV_NS; ip netns del $CLI_NS"
	ip netns add "$SRV_NS" && ip netns add "$CLI_NS" &&
	ip link add "$SRV_IF" netns "$SRV_NS" type veth peer name "$CLI_IF" netns "$CLI_NS" &&
	ip -n "$SRV_NS" addr add "$SRV_IP/24" dev "$SRV_IF" &&
	ip -n "$CLI_NS" addr add "$CLI_IP/24" dev "$CLI_IF" &&
	ip -n "$SRV_NS" link set lo up && ip -n "$CLI_NS" link set lo up &&
	ip -n "$SRV_NS" link set "$SRV_IF" up && ip -n "$CLI_NS" link set "$CLI_IF" up
}

in_srv() { ip netns exec "$SRV_NS" "$@"; }
in_cli() { ip netns exec "$CLI_NS" "$@"; }

# A third namespace for a proxy (SOCKS5 for the Tor path, HTTP), after
# netns_pair SUBNET: linked to the client (10.232.SUBNET.0/24, the client
# 10.232.SUBNET.2 reaches the proxy at PRX_IP) and to the server
# (10.233.SUBNET.0/24, the proxy reaches SRV_IP through the server's
# PRX_SRV_IP side and its packets arrive from PRX_OUT_IP).  The client
# keeps its own link to the server: a grant to its address is used
# directly, as a Tor user's SSH connection leaves outside Tor.  Sets
# PRX_NS PRX_IP PRX_OUT_IP CLI_PRX_IP; in_prx runs a command there.
netns_proxy() {
	local net=$1 tag="spa$$x$1"
	PRX_NS=${tag}p
	PRX_IP=10.232.$net.1 CLI_PRX_IP=10.232.$net.2
	PRX_OUT_IP=10.233.$net.2 PRX_SRV_IP=10.233.$net.1
	on_exit "ip netns del $PRX_NS"
	ip netns add "$PRX_NS" &&
	ip link add "${tag}c" netns "$CLI_NS" type veth peer name "${tag}p" netns "$PRX_NS" &&
	ip link add "${tag}s" netns "$SRV_NS" type veth peer name "${tag}q" netns "$PRX_NS" &&
	ip -n "$CLI_NS" addr add "$CLI_PRX_IP/24" dev "${tag}c" &&
	ip -n "$PRX_NS" addr add "$PRX_IP/24" dev "${tag}p" &&
	ip -n "$SRV_NS" addr add "$PRX_SRV_IP/24" dev "${tag}s" &&
	ip -n "$PRX_NS" addr add "$PRX_OUT_IP/24" dev "${tag}q" &&
	ip -n "$PRX_NS" link set lo up &&
	ip -n "$CLI_NS" link set "${tag}c" up && ip -n "$PRX_NS" link set "${tag}p" up &&
	ip -n "$SRV_NS" link set "${tag}s" up && ip -n "$PRX_NS" link set "${tag}q" up &&
	ip -n "$PRX_NS" route add "$SRV_IP/32" via "$PRX_SRV_IP"
}
in_prx() { ip netns exec "$PRX_NS" "$@"; }

# fwknop client in the client namespace; never reads or writes ~/.fwknoprc.
fwknop_cli() { in_cli fwknop --no-rc-file --no-save-args "$@"; }

# Send a saved SPA packet (fwknop -B file) as one UDP datagram to host:port:
# the file's bytes without the one newline the client appends, written
# with a single write() (printf would split a payload at a newline).
send_udp() {
	local f=$WORK/datagram
	cp "$1" "$f"
	[ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] && truncate -s -1 "$f"
	in_cli bash -c 'cat "$1" > "/dev/udp/$2/$3"' _ "$f" "$2" "$3"
}

# Start spagated in the server namespace in the foreground; its stdout
# (OPEN lines in test mode) goes to $WORK/events, its log to $WORK/log.
start_spagated() {
	local ready
	touch "$WORK/log" "$WORK/events"
	ready=$(count_lines "$WORK/log" "verifier ready")
	echo "# --- start_spagated $*" >>"$WORK/log"
	# not through in_srv: $! must be spagated itself, not a subshell
	# shellcheck disable=SC2086 # the wrapper is words
	ip netns exec "$SRV_NS" $SPAGATED_WRAPPER "$SPAGATED" -f "$@" >>"$WORK/events" 2>>"$WORK/log" &
	SPAGATED_PID=$!
	SPAGATED_PIDS="$SPAGATED_PIDS $SPAGATED_PID"
	on_exit "kill $SPAGATED_PID; wait $SPAGATED_PID"
	# 15 s: a loaded machine, the sanitizers, GnuPG keys to load
	wait_for_count "$WORK/log" "verifier ready" $((ready + 1)) 15 || { diag "spagated did not start:" "$(tail -n 5 "$WORK/log")"; return 1; }
}

# A TCP listener in the server namespace answering "ok" (tests/tools).
# Its output stays off the TAP stream, and it is killed at exit: a
# leftover would hold the test's stdout open and hang `make check`.
start_tcp_accept() {
	ip netns exec "$SRV_NS" "$top_builddir/tests/tools/tcp_accept" "$1" >/dev/null 2>&1 &
	on_exit "kill $!"
}

# The ghost-service tests' servers: a real sshd on the server's port 22 (no
# login is needed: its banner says who answers) and a real web server on
# port 80, both stopped at exit.  answers SRC PORT WHAT: from client
# address SRC, port PORT of the server is WHAT (ssh, http or none;
# tests/tools/probe_port.py).
ghost_services_start() {
	ssh-keygen -q -t ed25519 -N '' -f "$WORK/hostkey" || return 1
	mkdir -p /run/sshd "$WORK/www"
	echo web > "$WORK/www/index.html"
	# not through in_srv: $! must be the server itself, not a subshell
	ip netns exec "$SRV_NS" /usr/sbin/sshd -D -e -f /dev/null -h "$WORK/hostkey" \
		-o "ListenAddress=$SRV_IP:22" -o "PidFile=$WORK/sshd.pid" \
		>>"$WORK/sshd.log" 2>&1 &
	on_exit "kill $!"
	ip netns exec "$SRV_NS" python3 -m http.server 80 --bind "$SRV_IP" \
		--directory "$WORK/www" >/dev/null 2>&1 &
	on_exit "kill $!"
	wait_ok 5 answers "$CLI_IP" 80 http && wait_ok 5 sshd_listens
}
sshd_listens() { in_srv ss -Hltn "sport = :22" | grep -q LISTEN; }
answers() {
	[ "$(in_cli python3 "$top_srcdir/tests/tools/probe_port.py" "$1" "$SRV_IP" "$2")" = "$3" ]
}

# The IOS CLI double (tests/tools/ios_double, README.md there) behind a
# real sshd in the server namespace, stopped at exit.
# Usage: ios_double_start ADDR PORT INIT (ios_double --init arguments).
# Sets IOS_SSHD_* and IOS_DOUBLE, and ETC=$WORK/etc holding the client key
# id (and id.pub) and the pinned host key known_hosts; the user's password
# is spa-pw-1.  dbl ARGS...: ios_double on the device's state.
require_ios_double() {
	local t
	for t in /usr/sbin/sshd ssh-keygen /usr/bin/python3; do
		command -v $t >/dev/null || skip_all "needs $t (scripts/deps test)"
	done
}
ios_double_start() {
	ETC=$WORK/etc
	mkdir -p "$ETC"
	ssh-keygen -q -t ed25519 -N '' -f "$ETC/id" &&
	"$top_srcdir/tests/tools/ios_sshd" start --netns "$SRV_NS" --listen "$1" \
		--port "$2" --password spa-pw-1 --authorized-key "$ETC/id.pub" \
		--init "$3" >"$WORK/sshd.env" || return 1
	eval "$(cat "$WORK/sshd.env")"
	on_exit "'$top_srcdir/tests/tools/ios_sshd' stop '$IOS_SSHD_DIR'"
	install -m 644 "$IOS_SSHD_KNOWN_HOSTS" "$ETC/known_hosts"
}
dbl() { "$IOS_DOUBLE" --state "$IOS_SSHD_STATE" "$@"; }

stop_spagated() {
	kill "$SPAGATED_PID" 2>/dev/null
	wait "$SPAGATED_PID" 2>/dev/null
}

# retry_for SECONDS COMMAND...: run the command every 0.05 s until it
# succeeds (0) or SECONDS of wall time (times SPA_WAIT_SCALE) have passed
# (1; it ran once more at the deadline).  Time, not a count of tries: a
# command that takes a while must not stretch the wait (a slow `nft list`
# or device query 400 times made a 40 s wait take almost 3 minutes).
retry_for() {
	# underscored: the command runs in this scope (bash's locals are dynamic)
	local _retry_end=$(( ${EPOCHREALTIME//[.,]/} + $1 * SPA_WAIT_SCALE * 1000000 ))
	shift
	while ! "$@"; do
		[ "${EPOCHREALTIME//[.,]/}" -lt "$_retry_end" ] || return 1
		sleep 0.05
	done
}

# wait_for FILE PATTERN SECONDS: until a line matches (grep -E).
wait_for() { retry_for "$3" grep -Eq -- "$2" "$1" 2>/dev/null; }
wait_for_log() { wait_for "$WORK/log" "$1" "$2"; }

# wait_ok SECONDS COMMAND...: until the command succeeds (what a test
# observes: an element gone, a rule there); false if it never does.
wait_ok() { retry_for "$@"; }

# wait_until EPOCH: until the clock reads EPOCH (seconds), a time the test
# computed, e.g. one second past a close that must not have run yet.  A
# wait for time itself, never an assertion on how long something took.
wait_until() {
	while [ "$(date +%s)" -lt "$1" ]; do sleep 0.1; done
}

# wait_for_count FILE PATTERN N SECONDS: until N lines match.
wait_for_count() { retry_for "$4" prints_at_least "$3" count_lines "$1" "$2"; }
# prints_at_least N COMMAND...: the number the command prints is N or more.
prints_at_least() { local _least=$1; shift; [ "$("$@")" -ge "$_least" ]; }

# mark, then since_mark PATTERN: lines of $WORK/log since the mark that
# match; wait_logged PATTERN [N] SECONDS: until N (default 1) of them do;
# check_logged DESCRIPTION PATTERN SECONDS: one TAP line from that.
mark() { MARK=$(wc -l < "$WORK/log"); }
since_mark() { tail -n +$((MARK + 1)) "$WORK/log" | grep -Ec -- "$1" || true; }
wait_logged() {
	local want=1
	[ $# -eq 3 ] && { want=$2; set -- "$1" "$3"; }
	retry_for "$2" prints_at_least "$want" since_mark "$1"
}
check_logged() {
	if wait_logged "$2" "$3"; then ok "$1"; else not_ok "$1"; diag "$(tail -n 8 "$WORK/log")"; fi
}

# Number of lines in a file matching a pattern.
count_lines() { grep -Ec -- "$2" "$1" || true; }

# Stop here: the rest cannot run (counts as a failure).
bail_out() {
	echo "Bail out! $*"
	exit 1
}

# What a sanitizer or valgrind prints about spagated: in its log, in any
# file a test sent its output to, in valgrind's logs.
REPORT_PATTERN='ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|runtime error:|Sanitizer:DEADLYSIGNAL|==[0-9]+== +(Invalid |Mismatched |Conditional jump|Use of uninitialised|Syscall param|Source and destination|Argument |Process terminating|Jump to|[0-9,]+ (\([0-9,]+ direct, [0-9,]+ indirect\) )?bytes in [0-9,]+ blocks are (definitely|indirectly))'

# The last TAP line in a memory-checking mode: stop every spagated this
# test started (leaks are reported at exit), then no report may be left.
check_reports() {
	local pid i files
	for pid in $SPAGATED_PIDS; do
		kill "$pid" 2>/dev/null || continue
		# valgrind's leak check takes a while: up to 60 s, then kill -9
		for i in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	sleep 0.2	# the verifier, killed with its parent, ends too
	files=$(grep -rlIE -- "$REPORT_PATTERN" "$WORK" 2>/dev/null)
	if [ -z "$files" ]; then
		ok "no sanitizer or valgrind report from spagated"
		return
	fi
	not_ok "no sanitizer or valgrind report from spagated"
	for f in $files; do
		diag "${f#"$WORK"/}:"
		grep -E -A 12 -- "$REPORT_PATTERN" "$f" | head -n 40 | sed 's/^/#   /'
	done
}

finish() {
	[ "$report_check" = yes ] && check_reports
	diag "$(basename "$0"): $SECONDS s"	# what the test command's time is made of
	[ "$tap_n" -eq "$tap_plan" ] || { echo "# planned $tap_plan tests, ran $tap_n"; exit 1; }
	[ "$tap_failed" -eq 0 ]
}

# nft_expires_over "FAMILY TABLE" SET ELEMENT SECONDS: in the server
# namespace, the element's kernel expiry is more than SECONDS away
nft_expires_over() {
	local e
	# shellcheck disable=SC2086 # FAMILY TABLE: two words
	e=$(in_srv nft list set $1 "$2" | grep -oE -- "$3 timeout [0-9a-z]+ expires [0-9a-z]+" |
		sed -E 's/.* expires //; s/[0-9]+ms$//')
	[ -n "$e" ] && awk -v e="$e" -v min="$4" 'BEGIN {
		s = 0; n = 0
		for (i = 1; i <= length(e); i++) {
			c = substr(e, i, 1)
			if (c ~ /[0-9]/) { n = n * 10 + c; continue }
			s += n * (c == "d" ? 86400 : c == "h" ? 3600 : c == "m" ? 60 : 1); n = 0
		}
		exit !(s > min) }'
}
