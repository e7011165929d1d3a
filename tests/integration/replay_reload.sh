#!/bin/bash
# Issue 15, item 10: raising max_packet_age on SIGHUP must not reopen a
# replay window.  With max_packet_age = 10 a packet is granted; once its
# age has run out and twice the age has passed since the grant (when the
# old store forgot its digest), the age goes up to 3600 with SIGHUP: the
# same packet, young enough again, must be refused as a replay.
#
# A second packet, granted just after the first, shows when the age has
# run out: its resends are refused as replays until then, and for their
# age after.  (Resending the first packet itself would record it again.)
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop

K=$(head -c 32 /dev/urandom | base64 -w0) H=$(head -c 64 /dev/urandom | base64 -w0)
PKT=$WORK/packet PROBE=$WORK/probe

plan 5
netns_pair 161 || skip_all "cannot create network namespaces"

cat > "$WORK/access.conf" <<CONF
SOURCE ANY
KEY_BASE64 $K
HMAC_KEY_BASE64 $H
OPEN_PORTS tcp/22
CONF
chmod 600 "$WORK/access.conf"
conf() {
	printf 'max_packet_age = %s;\ncapture = { mode = "udp"; };\nlog = { refusals_per_second = 0; };\n' \
		"$1" > "$WORK/spagated.conf"
}
conf 10
start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$WORK/state" \
	-p "$WORK/spagated.pid" -t || bail_out "spagated did not start"

spa() {
	fwknop_cli -D "$SRV_IP" --key-base64-rijndael "$K" --key-base64-hmac "$H" \
		-A tcp/22 -a 10.9.9.9 -B "$1" >/dev/null 2>&1
}
spa "$PKT"
granted_at=$EPOCHSECONDS
wait_for_count "$WORK/events" '^OPEN ' 1 5
spa "$PROBE"
if wait_for_count "$WORK/events" '^OPEN ' 2 5; then
	ok "two packets are granted with max_packet_age = 10"
else
	not_ok "two packets are granted with max_packet_age = 10"; diag "$(tail -n 3 "$WORK/log")"
fi

# Resend the second each second until it is refused for its age, and
# until twice the age has passed since the first one's grant.
aged=no
for _ in $(seq 40); do
	mark
	send_udp "$PROBE" "$SRV_IP" 62201
	wait_logged 'refused .*(replayed packet|timestamp outside the allowed age)' 3
	if [ "$(since_mark 'timestamp outside the allowed age')" -gt 0 ] &&
		[ "$EPOCHSECONDS" -gt $((granted_at + 20)) ]; then
		aged=yes
		break
	fi
	sleep 1
done
check "the second one's resends are refused for their age, $((EPOCHSECONDS - granted_at)) s after the grant" \
	[ "$aged" = yes ]
check "and nothing else was granted" [ "$(count_lines "$WORK/events" '^OPEN ')" -eq 2 ]

conf 3600
ready=$(count_lines "$WORK/log" 'verifier ready')
kill -HUP "$SPAGATED_PID"
check "SIGHUP: a new verifier runs with max_packet_age = 3600" \
	wait_for_count "$WORK/log" 'verifier ready' $((ready + 1)) 10

mark
send_udp "$PKT" "$SRV_IP" 62201
wait_logged 'refused .*(replayed packet|timestamp outside)|accepted by stanza' 5
if [ "$(since_mark 'replayed packet')" -eq 1 ] &&
	[ "$(since_mark 'accepted by stanza')" -eq 0 ] &&
	[ "$(count_lines "$WORK/events" '^OPEN ')" -eq 2 ]; then
	ok "the replay after the raise is refused as a replay"
else
	not_ok "the replay after the raise is refused as a replay"
	diag "$(tail -n 3 "$WORK/log")" "OPEN events: $(count_lines "$WORK/events" '^OPEN ')"
fi

finish
