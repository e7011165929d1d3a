#!/bin/bash
# After a reload raises max_packet_age, a packet stamped before the raise
# is judged by the age in force then (common/age_log.h; issue 15, item 10):
# the verifier, restarted with the new age, passes it, and the executor
# refuses that one grant on the clock, at error level and counted, without
# killing the verifier for it (issue 15, item 2).
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop

K=$(head -c 32 /dev/urandom | base64 -w0) H=$(head -c 64 /dev/urandom | base64 -w0)

plan 5
netns_pair 162 || skip_all "cannot create network namespaces"
printf 'SOURCE ANY\nKEY_BASE64 %s\nHMAC_KEY_BASE64 %s\nOPEN_PORTS tcp/22\n' "$K" "$H" \
	> "$WORK/access.conf"
chmod 600 "$WORK/access.conf"
conf() {
	printf 'max_packet_age = %s;\ncapture = { mode = "udp"; };\nlog = { refusals_per_second = 0; };\n' \
		"$1" > "$WORK/spagated.conf"
}
packet() { # packet FILE ALLOW: made by the client, not sent
	fwknop_cli -D "$SRV_IP" --key-base64-rijndael "$K" --key-base64-hmac "$H" \
		-A tcp/22 -a "$2" --test -B "$1" >/dev/null 2>&1
}
verifier_pid() { sed -n 's/.*verifier ready (pid \([0-9]*\)).*/\1/p' "$WORK/log" | tail -n 1; }

conf 2
start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$WORK/state" \
	-p "$WORK/spagated.pid" -t || bail_out "spagated did not start"
packet "$WORK/old" 10.9.9.8
made=$EPOCHSECONDS
# older than 2 s (the age in force when it was made), then the raise
while [ "$EPOCHSECONDS" -le $((made + 3)) ]; do sleep 0.2; done
conf 3600
ready=$(count_lines "$WORK/log" "verifier ready")
kill -HUP "$SPAGATED_PID"
wait_for_count "$WORK/log" "verifier ready" $((ready + 1)) 10 || bail_out "no verifier after SIGHUP"
vpid=$(verifier_pid)
mark
send_udp "$WORK/old" "$SRV_IP" 62201
check_logged "a packet stamped before the raise is refused by the age in force then, at error level" \
	"error: stanza #1: grant to 10.9.9.8 refused: .*max_packet_age 2," 5
check "nothing is carried out for it" bash -c "! grep -q 'allow=10.9.9.8 ' '$WORK/events'"
packet "$WORK/new" 10.9.9.7
send_udp "$WORK/new" "$SRV_IP" 62201
check "a packet made after the raise is granted" wait_for "$WORK/events" "allow=10.9.9.7 " 5
check "by the same verifier: not killed for the refusal on the clock" \
	bash -c "[ '$(verifier_pid)' = '$vpid' ] && ! tail -n +$((MARK + 1)) '$WORK/log' | grep -q 'killing it'"
kill -USR1 "$SPAGATED_PID"
check_logged "SIGUSR1 counts it as refused by the clock" "refused \\(1 by the clock\\)" 5
finish
