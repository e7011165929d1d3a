#!/bin/bash
# The verifier's sandbox, seen from outside: its root directory, user,
# capabilities, no_new_privs and seccomp mode in /proc; real fwknop grants
# through it in pcap and UDP mode; and the proof that the filter bites: a
# test build (tests/tools/spagated_selftest, -DSPA_SANDBOX_SELFTEST) makes
# a forbidden system call on SIGUSR1, the kernel kills the verifier with
# SIGSYS, the executor logs it and restarts it, and a cycle opened before
# the kill still closes, not before its time.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
SELFTEST=$top_builddir/tests/tools/spagated_selftest
[ -x "$SELFTEST" ] || skip_all "tests/tools/spagated_selftest is not built"
id nobody >/dev/null 2>&1 || skip_all "needs the user nobody"

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K=$(b64key 32) H=$(b64key 64)
STATE=$WORK/state
CYCLE=6

cat > "$WORK/access.conf" <<CONF
SOURCE ANY
KEY_BASE64 $K
HMAC_KEY_BASE64 $H
CMD_CYCLE_OPEN /bin/touch $WORK/opened
CMD_CYCLE_CLOSE /bin/touch $WORK/closed
CMD_CYCLE_TIMER $CYCLE
CONF
chmod 600 "$WORK/access.conf"
printf 'executor = { verifier_user = "nobody"; };\nlog = { refusals_per_second = 0; };\n' > "$WORK/spagated.conf"

start() {
	start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
		-p "$WORK/spagated.pid" "$@" || bail_out "spagated did not start"
}
spa() { fwknop_cli -D "$SRV_IP" --key-base64-rijndael "$K" --key-base64-hmac "$H" -A tcp/22 -a "$CLI_IP" >/dev/null 2>&1; }
verifier_pid() { tail -n +$((MARK + 1)) "$WORK/log" | sed -n 's/.*verifier ready (pid \([0-9]*\)).*/\1/p' | tail -n 1; }
status_field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr -s '\t ' ' '; }
# fds PID: its descriptors up to 4, what 3 and 4 are ("3:socket 4:/dev/null")
fds() {
	local fd t out=""
	for fd in 0 1 2 3 4; do
		t=$(readlink "/proc/$1/fd/$fd") || continue
		case $fd:$t in
		[012]:*) out="$out $fd" ;;
		*:socket:*) out="$out $fd:socket" ;;
		*) out="$out $fd:$t" ;;
		esac
	done
	echo "${out# }"
}
PRODUCTION=$SPAGATED

plan 35
touch "$WORK/log"
netns_pair 53 || skip_all "cannot create network namespaces"
check "the production binaries have no self-test in them" \
	bash -c "! grep -qE 'sandbox selftest|message selftest' '$SPAGATED_BIN' '$SPAGATE_VERIFIER'"

# 1. pcap mode: the sandbox in /proc, and a real grant through it
mark
start -i "$SRV_IF"
V=$(verifier_pid)
grep -q 'sandbox: no seccomp' "$WORK/log" && skip_all "built without seccomp (sandbox_none.c)"
check "the log shows the sandbox" \
	grep -Eq "verifier ready .*sandbox: chroot $STATE/verifier, uid 65534 \(nobody\), gid [0-9]+, no capabilities, seccomp filter \([0-9]+ syscalls\)" "$WORK/log"
check "spagated -S shows the sandbox" \
	bash -c "'$SPAGATED' -S -c '$WORK/spagated.conf' -d '$STATE' -p '$WORK/spagated.pid' | grep -q 'verifier (pid $V): chroot $STATE/verifier, uid 65534 (nobody).*seccomp filter'"
check "the verifier's root is its state directory" \
	[ "$(readlink "/proc/$V/root")" = "$(readlink -f "$STATE/verifier")" ]
check "the verifier runs as nobody (uid and gid)" \
	bash -c "[ '$(status_field "$V" Uid)' = '65534 65534 65534 65534' ] && [ \"\$(id -g nobody)\" = '$(status_field "$V" Gid | cut -d' ' -f1)' ]"
check "the verifier has no effective or permitted capability" \
	bash -c "[ '$(status_field "$V" CapEff)' = 0000000000000000 ] && [ '$(status_field "$V" CapPrm)' = 0000000000000000 ]"
check "the verifier has no_new_privs" [ "$(status_field "$V" NoNewPrivs)" = 1 ]
check "the verifier is under a seccomp filter (mode 2)" [ "$(status_field "$V" Seccomp)" = 2 ]
check "the state directory holds only the replay store" \
	bash -c "[ \"\$(ls -A '$STATE/verifier')\" = replay.db ]"
check "its descriptors: 3 the executor, 4 /dev/null (no syslog in the foreground)" \
	eval '[ "$(fds "$V")" = "0 1 2 3:socket 4:/dev/null" ]'
mark
spa
check "pcap mode: a real fwknop packet opens a cycle" wait_logged 'stanza #1 .*: opened' 5
wait_logged 'stanza #1 .*: closed' $((CYCLE + 4))
stop_spagated

# 2. UDP mode, same checks that matter
mark
start -U
V=$(verifier_pid)
check "UDP mode: seccomp filter and no capabilities" \
	bash -c "[ '$(status_field "$V" Seccomp)' = 2 ] && [ '$(status_field "$V" CapEff)' = 0000000000000000 ]"
spa
check "UDP mode: a real fwknop packet opens a cycle" wait_logged 'stanza #1 .*: opened' 5
# 1300 more grants: the replay store (2048 slots, 81984 bytes, at first)
# passes 60% and is rebuilt in a new file, renamed over the old one, all
# under the filter; the verifier must survive it.  The client only writes
# them (-T -B: nothing is sent, so no namespace is needed), the loop sends.
mkdir -p "$WORK/many"
seq 1300 | xargs -P 4 -I{} sh -c 'i={}; fwknop --no-rc-file \
	--no-save-args -D "$2" --key-base64-rijndael "$3" --key-base64-hmac "$4" \
	-A tcp/22 -a "10.8.$((i / 250)).$((i % 250 + 1))" -T -B "$5/$i" >/dev/null 2>&1' \
	_ unused "$SRV_IP" "$K" "$H" "$WORK/many"
for f in "$WORK"/many/*; do truncate -s -1 "$f"; done
# Sent without a process per packet (a fork each took minutes on a busy
# machine, past the packets' age): one socket, one write each, a pause
# every 50 so the socket's buffer never holds more than 50.
in_cli bash -c 'exec 3>"/dev/udp/$2/62201"; n=0
	for f in "$1"/*; do
		IFS= read -r p < "$f"; printf %s "$p" >&3
		n=$((n + 1)); [ $((n % 50)) -ne 0 ] || sleep 0.1
	done' _ "$WORK/many" "$SRV_IP"
wait_logged 'accepted by stanza #1' 1300 120
diag "grants $(since_mark 'accepted by stanza #1'), kills $(since_mark 'killed by signal'), verifier $V alive: $([ -d /proc/$V ] && echo yes), replay.db $(stat -c %s "$STATE/verifier/replay.db")"
check "UDP mode: 1300 more grants grow the replay store under the filter" \
	bash -c "[ \$(tail -n +$((MARK + 1)) '$WORK/log' | grep -c 'accepted by stanza #1') -ge 1300 ] &&
		[ \$(tail -n +$((MARK + 1)) '$WORK/log' | grep -c 'killed by signal') -eq 0 ] &&
		[ -d /proc/$V ] && [ \$(stat -c %s '$STATE/verifier/replay.db') -gt 81984 ]"
stop_spagated

# 3. the self-test build: a forbidden call kills the verifier, not the grants
SPAGATED=$SELFTEST
export SPAGATE_SANDBOX_SELFTEST=getppid
rm -f "$WORK/opened" "$WORK/closed"
mark
start -i "$SRV_IF"
V1=$(verifier_pid)
SENT=$(date +%s)	# the grant, and so its close time, come after this
spa
wait_logged 'stanza #1 .*: opened' 5
check "self-test build: a cycle is open before the violation" [ -e "$WORK/opened" ]
kill -USR1 "$SPAGATED_PID"
check "the verifier attempts the forbidden call" wait_logged 'sandbox selftest: calling getppid' 5
check "the kernel kills it with SIGSYS and the executor logs it at error" \
	wait_logged "error: verifier killed by signal 31 \\(SIGSYS" 5
check "the forbidden call never returned" [ "$(since_mark 'NOT CONFINED')" -eq 0 ]
MARK2=$MARK
mark
check "the executor restarts the verifier" wait_logged 'verifier ready' 15
V2=$(verifier_pid)
check "the restarted verifier is a new, sandboxed process" \
	bash -c "[ -n '$V2' ] && [ '$V2' != '$V1' ] && [ '$(status_field "$V2" Seccomp)' = 2 ]"
MARK=$MARK2
# the close command's file: made, and not before the cycle's end
closed_in_time() {
	wait_logged 'stanza #1 .*: closed' $((CYCLE + 4)) && [ -e "$WORK/closed" ] &&
		[ "$(stat -c %Y "$WORK/closed")" -ge $((SENT + CYCLE)) ]
}
if closed_in_time; then
	ok "the cycle opened before the kill closes, not before its time"
else
	not_ok "the cycle opened before the kill closes, not before its time"
	diag "sent at $SENT, CMD_CYCLE_TIMER $CYCLE, closed at $(stat -c %Y "$WORK/closed" 2>&1)" "$(tail -n 5 "$WORK/log")"
fi
mark
spa
check "the restarted verifier grants again" wait_logged 'stanza #1 .*: opened' 5
stop_spagated

# 4. the filter looks at descriptors (issue 15, item 5): writes only to the
# log (2), sends only to the executor (3) and syslog (4), without an address.
# Each call below was allowed before; the self-test build makes it on
# SIGUSR1, and it must end in SIGSYS, logged, and a new verifier.
forbidden() { # forbidden CALL
	export SPAGATE_SANDBOX_SELFTEST=$1
	local r=1
	mark
	start -i "$SRV_IF"
	kill -USR1 "$SPAGATED_PID"
	if wait_logged "sandbox selftest: calling $1" 5 &&
		wait_logged 'verifier killed by signal 31 \(SIGSYS' 5 &&
		[ "$(since_mark "selftest: $1 returned")" -eq 0 ]; then
		mark
		wait_logged 'verifier ready' 15 && r=0
	fi
	[ $r -eq 0 ] || diag "$(tail -n 4 "$WORK/log")"
	stop_spagated
	return $r
}
for call in write-capture sendto-capture write-stdout sendto-address \
	pwrite-log ftruncate-stdout sendmsg-socket; do
	check "$call: killed by SIGSYS, logged, and restarted" forbidden "$call"
done
# Closing a pinned descriptor fails quietly: glibc closes its syslog socket
# when syslogd goes away, and the number must never go to another socket.
export SPAGATE_SANDBOX_SELFTEST=close-executor
mark
start -i "$SRV_IF"
kill -USR1 "$SPAGATED_PID"
check "close(3) is refused with an error, the verifier keeps its executor" \
	eval 'wait_logged "selftest: close-executor returned -1" 5 &&
		wait_logged "stats: verifier: packets" 5 &&
		[ "$(since_mark "killed by signal|cannot reach the executor")" -eq 0 ]'
mark
spa
check "and it still grants" wait_logged 'stanza #1 .*: opened' 5
stop_spagated
unset SPAGATE_SANDBOX_SELFTEST

# 5. daemon mode: log lines go to syslog(3), the verifier's through the
# socket pinned at 4 and sent under the filter.  The test's own syslog at
# /dev/log, in a mount namespace of spagated's alone.  When it goes away,
# the verifier loses its log lines, not its life (close(4) fails quietly).
SYSLOG=$WORK/syslog.out
python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
f = open(sys.argv[2], "ab", buffering=0)
while True:
    f.write(s.recv(65536) + b"\n")' "$WORK/log.sock" "$SYSLOG" &
SYSLOGD=$!
on_exit "kill $SYSLOGD"
# wait_for_path TEST PATH: until [ TEST PATH ] holds (5 s)
wait_for_path() {
	local i=0
	while ! [ "$1" "$2" ] && [ $i -lt $((100 * SPA_WAIT_SCALE)) ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ "$1" "$2" ]
}
wait_for_file() { wait_for_path -e "$1"; }
wait_for_path -S "$WORK/log.sock" || bail_out "the test's syslog did not start"
# /dev of spagated's own: null, zero, random, urandom, and log
dev_setup='mkdir -p "$0/olddev" && mount --bind /dev "$0/olddev" &&
	mount -t tmpfs none /dev && for n in null zero random urandom; do
	touch "/dev/$n" && mount --bind "$0/olddev/$n" "/dev/$n" || exit 1; done &&
	touch /dev/log && mount --bind "$0/log.sock" /dev/log && exec "$@"'
rm -f "$WORK/opened"
ip netns exec "$SRV_NS" unshare -m --propagation private sh -c "$dev_setup" "$WORK" \
	"$PRODUCTION" -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
	-p "$WORK/daemon.pid" -i "$SRV_IF" >>"$WORK/log" 2>&1
wait_for "$SYSLOG" 'verifier ready \(pid [0-9]+\)' 15
DPID=$(cat "$WORK/daemon.pid" 2>/dev/null)
[ -n "$DPID" ] && on_exit "kill $DPID"
VD=$(sed -n 's/.*verifier ready (pid \([0-9]*\)).*/\1/p' "$SYSLOG" | tail -n 1)
check "daemon mode: the verifier's descriptor 4 is its syslog socket" \
	eval '[ -n "$VD" ] && [ "$(fds "$VD")" = "0 1 2 3:socket 4:socket" ]'
spa
check "daemon mode: the verifier's own line reaches syslog under the filter" \
	wait_for "$SYSLOG" "spagated\\[$VD\\]: accepted by stanza #1" 5
check "daemon mode: the grant opens" wait_for_file "$WORK/opened"
kill "$SYSLOGD"
wait "$SYSLOGD" 2>/dev/null
# new cycles (other ports): a second grant of an open one runs no command
spa_port() { fwknop_cli -D "$SRV_IP" --key-base64-rijndael "$K" --key-base64-hmac "$H" -A "tcp/$1" -a "$CLI_IP" >/dev/null 2>&1; }
rm -f "$WORK/opened"
spa_port 2201
wait_for_file "$WORK/opened"
rm -f "$WORK/opened"
spa_port 2202
check "syslog gone: the verifier still grants, the same process, never killed" \
	eval 'wait_for_file "$WORK/opened" && [ -d "/proc/$VD" ] &&
		[ "$(status_field "$VD" Seccomp)" = 2 ] && [ "$(fds "$VD")" = "0 1 2 3:socket 4:socket" ]'
kill "$DPID"
i=0; while [ -d "/proc/$DPID" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
finish
