#!/bin/bash
# Flood resistance (issue 6, item 4): while ~100,000 invalid datagrams a
# second hit the SPA port, every valid SPA packet from the real fwknop
# client is still granted, in pcap and in UDP-server mode.  The invalid
# datagrams have a real packet's length and the base64 alphabet, so each
# costs spagated one HMAC; SIGUSR1's counters must show them refused as
# "hmac".  The rate the flooder achieved is reported, not asserted: on a
# small VM the flooder and spagated share the CPUs.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop

FLOOD=$top_builddir/tests/tools/spa_flood
[ -x "$FLOOD" ] || skip_all "needs $FLOOD (make check builds it)"
RATE=${FLOOD_RATE:-100000}
SECS=${FLOOD_SECONDS:-5}
NLEGIT=20

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K=$(b64key 32); H=$(b64key 64)
KOPTS="--key-base64-rijndael $K --key-base64-hmac $H"

printf 'SOURCE ANY\nKEY_BASE64 %s\nHMAC_KEY_BASE64 %s\n' "$K" "$H" > "$WORK/access.conf"
chmod 600 "$WORK/access.conf"
# The default refusal log rate limit stays on: it is part of what is tested.
: > "$WORK/spagated.conf"

# run_mode MODE NET SPAGATED-OPTIONS...: flood + NLEGIT legit packets.
run_mode() {
	local mode=$1 net=$2 i granted missing=0 out rate sent hmac stats
	shift 2
	start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" \
		-d "$WORK/state-$mode" -p "$WORK/$mode.pid" -t "$@" ||
		bail_out "$mode: spagated did not start"
	fwknop_cli -D "$SRV_IP" $KOPTS -A tcp/22 -a 10.200.0.1 -T -B "$WORK/template" >/dev/null 2>&1 ||
		bail_out "fwknop cannot make a template packet"
	in_cli "$FLOOD" "$SRV_IP" 62201 "$RATE" "$SECS" "$WORK/template" > "$WORK/flood-$mode.out" 2>&1 &
	local flood_pid=$!
	on_exit "kill $flood_pid"
	sleep 0.3	# the flood is on before the first legit packet
	for i in $(seq 1 $NLEGIT); do
		# shellcheck disable=SC2086
		fwknop_cli -D "$SRV_IP" $KOPTS -A tcp/22 -a "10.$net.0.$i" >/dev/null 2>&1 ||
			diag "$mode: fwknop client failed for packet $i"
		sleep "$(awk -v s="$SECS" -v n=$NLEGIT 'BEGIN { printf "%.3f", (s - 0.8) / n }')"
	done
	wait "$flood_pid"
	out=$(cat "$WORK/flood-$mode.out")
	rate=$(echo "$out" | sed -n 's/.* rate \([0-9]*\).*/\1/p')
	sent=$(echo "$out" | sed -n 's/^sent \([0-9]*\) .*/\1/p')
	wait_for_count "$WORK/events" "^OPEN .*allow=10\\.$net\\.0\\." $NLEGIT 10
	for i in $(seq 1 $NLEGIT); do
		grep -Eq "^OPEN .*allow=10\\.$net\\.0\\.$i " "$WORK/events" || missing=$((missing + 1))
	done
	granted=$((NLEGIT - missing))
	if [ "$missing" -eq 0 ]; then
		ok "$mode: all $NLEGIT valid packets granted under a flood of ${rate:-?}/s (asked $RATE/s, $SECS s, ${sent:-?} sent)"
	else
		not_ok "$mode: $granted of $NLEGIT valid packets granted under a flood of ${rate:-?}/s (asked $RATE/s)"
		diag "$(tail -n 5 "$WORK/log")"
	fi
	# The counters: SIGUSR1 logs one "stats: verifier:" line.
	local before; before=$(count_lines "$WORK/log" 'stats: verifier:')
	kill -USR1 "$SPAGATED_PID"
	wait_for_count "$WORK/log" 'stats: verifier:' $((before + 1)) 5
	stats=$(grep 'stats: verifier:' "$WORK/log" | tail -n 1)
	hmac=$(echo "$stats" | grep -oE '[, ]hmac [0-9]+' | grep -oE '[0-9]+')
	diag "$mode: $stats"
	# Every flood datagram that reached spagated is an HMAC refusal; at
	# least half of those sent must have arrived (pcap can drop under load).
	if [ -n "$hmac" ] && [ -n "$sent" ] && [ "$hmac" -ge $((sent / 2)) ] && [ "$hmac" -ge 10000 ]; then
		ok "$mode: flood counted as HMAC refusals ($hmac of $sent sent)"
	else
		not_ok "$mode: flood counted as HMAC refusals (${hmac:-none} of ${sent:-?} sent)"
	fi
	# The log is rate limited: far fewer refusal lines than refusals.
	local lines; lines=$(count_lines "$WORK/log" 'refused .*HMAC does not verify')
	if [ -n "$hmac" ] && [ "$lines" -lt $((hmac / 10 + 1)) ]; then
		ok "$mode: refusal log rate limited ($lines lines for $hmac refusals)"
	else
		not_ok "$mode: refusal log rate limited ($lines lines for ${hmac:-?} refusals)"
	fi
	stop_spagated
}

plan 6
netns_pair 70 || skip_all "cannot create network namespaces"
run_mode pcap 70 -i "$SRV_IF"
: > "$WORK/log.prev"; cat "$WORK/log" >> "$WORK/log.prev"; : > "$WORK/log"
run_mode udp 71 -U
finish
