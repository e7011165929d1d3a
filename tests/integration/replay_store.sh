#!/bin/bash
# Issue 15, item 3: a replay store that cannot record a digest must not
# let the packet through, nor its replay.  The store is brought to the
# edge of a rebuild (tests/tools/replay_fill), one packet is granted and
# recorded, then the next one needs a new file where none can be made:
#   - a read-only directory (the verifier's user may not write to it:
#     EACCES during the rebuild);
#   - a small tmpfs that is full (ENOSPC).
# That packet is refused, logged at error level with the reason, counted,
# and `spagate status` says so; its replay and the first one's are refused;
# the verifier never dies; once the directory is writable again, grants
# resume and the status says nothing more.  These runs are real ones
# (their opens /bin/true): the store they break is the state directory's,
# which -t never uses.
#
# Issue 18, item 4: every -t, live too, judges with a throwaway store: a
# packet a live -t run saw is judged the same by a second -t run, then
# granted by the real daemon, and refused as a replay by it after that.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
FILL=$top_builddir/tests/tools/replay_fill
SPAGATE=$top_builddir/spagate
[ -x "$FILL" ] || skip_all "tests/tools/replay_fill is not built"
id nobody >/dev/null 2>&1 || skip_all "needs the user nobody (executor.verifier_user)"

K=$(head -c 32 /dev/urandom | base64 -w0) H=$(head -c 64 /dev/urandom | base64 -w0)
EDGE=613	# 1024 slots: one more fits, the next one needs a rebuild

plan 18
netns_pair 162 || skip_all "cannot create network namespaces"

cat > "$WORK/access.conf" <<CONF
SOURCE ANY
KEY_BASE64 $K
HMAC_KEY_BASE64 $H
OPEN_PORTS tcp/22
CMD_CYCLE_OPEN /bin/true \$IP \$PORT
CMD_CYCLE_CLOSE /bin/true \$IP \$PORT
CMD_CYCLE_TIMER 60
CONF
chmod 600 "$WORK/access.conf"
cat > "$WORK/spagated.conf" <<CONF
capture = { mode = "udp"; };
log = { refusals_per_second = 0; };
metrics = { file = "$WORK/metrics.prom"; interval = 1; };
CONF

spa() {
	fwknop_cli -D "$SRV_IP" --key-base64-rijndael "$K" --key-base64-hmac "$H" \
		-A tcp/22 -a 10.9.9.9 -B "$1" >/dev/null 2>&1
}
GRANTED='tcp/22: (opened|already open)'
opens() { count_lines "$WORK/log" "$GRANTED"; }
status() { "$SPAGATE" status -c "$WORK/spagated.conf" -d "$1" -p "$WORK/spagated.pid" 2>&1; }

# A store of EDGE digests in DIR/verifier, the verifier user's.
prefill() {
	mkdir -p "$1/verifier" && chmod 700 "$1/verifier" &&
	"$FILL" "$1/verifier/replay.db" "$EDGE" >/dev/null &&
	chown -R nobody: "$1/verifier"
}

# run_case NAME STATE REASON BREAK [MEND]: one grant recorded, BREAK, then
# what must hold; MEND (if given) makes the store writable again.
run_case() {
	local name=$1 state=$2 reason=$3 break=$4 mend=${5:-} before pid
	start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$state" \
		-p "$WORK/spagated.pid" || bail_out "spagated did not start"
	pid=$(sed -n 's/.*verifier ready (pid \([0-9]*\)).*/\1/p' "$WORK/log" | tail -n 1)
	before=$(opens)
	spa "$WORK/$name-a"
	check "$name: a grant while the store can grow" wait_for_count "$WORK/log" "$GRANTED" $((before + 1)) 5

	$break
	mark
	before=$(opens)
	spa "$WORK/$name-b"
	if wait_logged "verifier error: .*replay store cannot record.*$reason" 5 &&
		[ "$(since_mark 'accepted by stanza')" -eq 0 ] && [ "$(opens)" -eq "$before" ]; then
		ok "$name: the next packet is refused, at error level: $reason"
	else
		not_ok "$name: the next packet is refused, at error level: $reason"
		diag "$(tail -n 4 "$WORK/log")" "grants: $(opens), before: $before"
	fi

	mark
	send_udp "$WORK/$name-b" "$SRV_IP" 62201
	send_udp "$WORK/$name-a" "$SRV_IP" 62201
	wait_logged 'refused' 2 5
	if [ "$(since_mark 'accepted by stanza')" -eq 0 ] && [ "$(since_mark 'replayed packet')" -ge 1 ] &&
		[ "$(opens)" -eq "$before" ]; then
		ok "$name: its replay and the first packet's are refused"
	else
		not_ok "$name: its replay and the first packet's are refused"; diag "$(tail -n 3 "$WORK/log")"
	fi

	check "$name: counted (spagate_refused_total{reason=\"state\"})" \
		wait_for "$WORK/metrics.prom" '^spagate_refused_total\{reason="state"\} [1-9]' 5
	check "$name: spagate status says the store cannot record" \
		eval "status '$state' | grep -q 'replay store: cannot record digests.*$reason'"

	if [ -n "$mend" ]; then
		$mend
		spa "$WORK/$name-c"
		check "$name: writable again, grants resume" wait_for_count "$WORK/log" "$GRANTED" $((before + 1)) 5
		check "$name: and the status no longer warns" \
			eval "! status '$state' | grep -q 'replay store: cannot record'"
	fi
	check "$name: the verifier never died (pid $pid)" \
		eval "kill -0 $pid && [ \"\$(since_mark 'restarting|verifier ready')\" -eq 0 ]"
	stop_spagated
	rm -f "$WORK/metrics.prom"
}

# 0. -t, live: a throwaway store each run, never the state directory's.
T=$WORK/t
spa "$WORK/p" || bail_out "fwknop did not make a packet"	# sent to nobody yet
t_opens() { count_lines "$WORK/events" '^OPEN '; }
for run in 1 2; do
	start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$T" \
		-p "$WORK/spagated.pid" -t || bail_out "spagated -t did not start"
	mark
	send_udp "$WORK/p" "$SRV_IP" 62201
	wait_logged 'accepted by stanza|refused' 5
	wait_for_count "$WORK/events" '^OPEN ' "$run" 2
	stop_spagated
	check "-t, live, run $run: the packet is granted (its OPEN printed, not a replay)" \
		eval '[ "$(t_opens)" -eq $run ] && [ "$(since_mark "replayed packet")" -eq 0 ]'
done
check "-t wrote nothing in the state directory: no replay store, no test store left" \
	eval '[ ! -e "$T/verifier/replay.db" ] && [ -z "$(ls -d "$T"/test.* 2>/dev/null)" ]'
start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$T" \
	-p "$WORK/spagated.pid" || bail_out "spagated did not start"
mark
send_udp "$WORK/p" "$SRV_IP" 62201
wait_for_log 'tcp/22: opened' 5
send_udp "$WORK/p" "$SRV_IP" 62201
wait_logged 'refused' 5
check "then the real daemon grants it once, and refuses it as a replay after" \
	eval '[ "$(since_mark "tcp/22: opened")" -eq 1 ] && [ "$(since_mark "replayed packet")" -eq 1 ]'
stop_spagated

# 1. The verifier's directory made read-only under it: EACCES.
RO=$WORK/ro
prefill "$RO" || bail_out "cannot fill the replay store"
read_only() { chmod 500 "$RO/verifier"; }
writable() { chmod 700 "$RO/verifier"; }
run_case "read-only directory" "$RO" "Permission denied" read_only writable

# 2. The store on a small tmpfs, filled up: ENOSPC.
FULL=$WORK/full
mkdir -p "$FULL/verifier"
mount -t tmpfs -o size=64k,mode=0700 spagate-test "$FULL/verifier" ||
	bail_out "cannot mount a tmpfs"
on_exit "umount -l '$FULL/verifier'"
prefill "$FULL" || bail_out "cannot fill the replay store"
fill_up() { dd if=/dev/zero of="$FULL/verifier/filler" bs=4k 2>/dev/null; true; }
run_case "full tmpfs" "$FULL" "No space left on device" fill_up

finish
