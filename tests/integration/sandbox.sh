#!/bin/bash
# The verifier's sandbox, seen from outside: its root directory, user,
# capabilities, no_new_privs and seccomp mode in /proc; real fwknop grants
# through it in pcap and UDP mode; and the proof that the filter bites: a
# test build (tests/tools/spagated_selftest, -DSPA_SANDBOX_SELFTEST) makes
# a forbidden system call on SIGUSR1, the kernel kills the verifier with
# SIGSYS, the executor logs it and restarts it, and a cycle opened before
# the kill still closes on time.
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

plan 21
touch "$WORK/log"
netns_pair 53 || skip_all "cannot create network namespaces"
check "the production binary has no self-test in it" \
	bash -c "! grep -q 'sandbox selftest' '$SPAGATED'"

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
# under the filter; the verifier must survive it.
mkdir -p "$WORK/many"
seq 1300 | xargs -P 4 -I{} sh -c 'i={}; ip netns exec "$1" fwknop --no-rc-file \
	--no-save-args -D "$2" --key-base64-rijndael "$3" --key-base64-hmac "$4" \
	-A tcp/22 -a "10.8.$((i / 250)).$((i % 250 + 1))" -T -B "$5/$i" >/dev/null 2>&1' \
	_ "$CLI_NS" "$SRV_IP" "$K" "$H" "$WORK/many"
for f in "$WORK"/many/*; do truncate -s -1 "$f"; done
in_cli bash -c 'for f in "$1"/*; do cat "$f" > "/dev/udp/$2/62201"; sleep 0.002; done' _ "$WORK/many" "$SRV_IP"
sleep 2
diag "grants $(since_mark 'granted by stanza #1'), kills $(since_mark 'killed by signal'), verifier $V alive: $([ -d /proc/$V ] && echo yes), replay.db $(stat -c %s "$STATE/verifier/replay.db")"
check "UDP mode: 1300 more grants grow the replay store under the filter" \
	bash -c "[ \$(tail -n +$((MARK + 1)) '$WORK/log' | grep -c 'granted by stanza #1') -ge 1300 ] &&
		[ \$(tail -n +$((MARK + 1)) '$WORK/log' | grep -c 'killed by signal') -eq 0 ] &&
		[ -d /proc/$V ] && [ \$(stat -c %s '$STATE/verifier/replay.db') -gt 81984 ]"
stop_spagated

# 3. the self-test build: a forbidden call kills the verifier, not the grants
SPAGATED=$SELFTEST
export SPAGATE_SANDBOX_SELFTEST=1
rm -f "$WORK/opened" "$WORK/closed"
mark
start -i "$SRV_IF"
V1=$(verifier_pid)
spa
wait_logged 'stanza #1 .*: opened' 5
T0=$(date +%s)
check "self-test build: a cycle is open before the violation" [ -e "$WORK/opened" ]
kill -USR1 "$SPAGATED_PID"
check "the verifier attempts the forbidden call" wait_logged 'sandbox selftest: calling getppid' 5
check "the kernel kills it with SIGSYS and the executor logs it" \
	wait_logged "verifier killed by signal 31 \\(SIGSYS" 5
check "the forbidden call never returned" [ "$(since_mark 'NOT CONFINED')" -eq 0 ]
MARK2=$MARK
mark
check "the executor restarts the verifier" wait_logged 'verifier ready' 5
V2=$(verifier_pid)
check "the restarted verifier is a new, sandboxed process" \
	bash -c "[ -n '$V2' ] && [ '$V2' != '$V1' ] && [ '$(status_field "$V2" Seccomp)' = 2 ]"
MARK=$MARK2
if wait_logged 'stanza #1 .*: closed' $((CYCLE + 4)) && [ -e "$WORK/closed" ]; then
	T1=$(date +%s)
	if [ $((T1 - T0)) -ge $((CYCLE - 2)) ] && [ $((T1 - T0)) -le $((CYCLE + 2)) ]; then
		ok "the cycle opened before the kill closes on time ($((T1 - T0)) s of $CYCLE)"
	else
		not_ok "the cycle opened before the kill closes on time ($((T1 - T0)) s of $CYCLE)"
	fi
else
	not_ok "the cycle opened before the kill closes on time"; diag "$(tail -n 5 "$WORK/log")"
fi
mark
spa
check "the restarted verifier grants again" wait_logged 'stanza #1 .*: opened' 5
stop_spagated
unset SPAGATE_SANDBOX_SELFTEST
finish
