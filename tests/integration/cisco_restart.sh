#!/bin/bash
# A Cisco cycle survives kill -9: the entry stays on the device while
# spagated is down, and after the restart the journaled sequence number is
# removed at its time: not before the close time the test computes from
# when it sent the packet (the device's own log says when it read
# `no N`), and once that time has passed (the entry leaves the device).
# Small on purpose: the mutants of a restored close (at once, an hour
# late) run it.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
require_ios_double
plan 7

K=$(head -c 32 /dev/urandom | base64 -w0) H=$(head -c 64 /dev/urandom | base64 -w0)
TIMER=10

netns_pair 31 || skip_all "cannot create network namespaces"
ios_double_start "$SRV_IP" 2222 "--privilege 15 --hostname EDGE1" ||
	bail_out "ios_sshd did not start"
cat >"$WORK/spagated.conf" <<CONF
capture = { mode = "pcap"; filter = "udp port 62201"; };
executor = { close_on_exit = false; };
cisco = (
  { name = "edge1"; host = "$SRV_IP"; port = 2222; user = "$IOS_SSHD_USER";
    key_file = "$ETC/id"; known_hosts = "$ETC/known_hosts"; acl = "SPA-IN";
    seq_first = 10000; seq_last = 10999; connect_timeout = 5;
    command_timeout = 5; }
);
CONF
cat >"$WORK/access.conf" <<ST
SOURCE ANY
KEY_BASE64 $K
HMAC_KEY_BASE64 $H
CMD_CYCLE_OPEN edge1 permit tcp host \$SRC any eq \$PORT
CMD_CYCLE_CLOSE edge1 remove
CMD_CYCLE_TIMER $TIMER
ST
chmod 600 "$WORK/access.conf" "$WORK/spagated.conf"
start() {
	start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$WORK/state" \
		-p "$WORK/spagated.pid" -i "$SRV_IF" -v || bail_out "spagated did not start"
}
ACE="permit tcp host $CLI_IP any eq 2201"
# at SEQ the device holds exactly ACE (JSON), or nothing (null)
holds() { [ "$(dbl --get "running.acl4.SPA-IN.$1" 2>/dev/null)" = "\"$ACE\"" ]; }
empty() { [ "$(dbl --get "running.acl4.SPA-IN.$1" 2>/dev/null)" = null ]; }
# removed_after SEQ EPOCH: the device read "no SEQ" at or after EPOCH
removed_after() {
	local t
	t=$(dbl --when "no $1") || { diag "the device never read 'no $1'"; return 1; }
	awk -v t="$t" -v due="$2" 'BEGIN { exit !(t >= due) }' && return 0
	diag "'no $1' read at $t, $(awk -v t="$t" -v d="$2" 'BEGIN { print d - t }') s before its close time"
	return 1
}

start
mark
SENT=$(date +%s)
fwknop_cli --key-base64-rijndael "$K" --key-base64-hmac "$H" -A tcp/2201 \
	-a "$CLI_IP" -D "$SRV_IP" >/dev/null 2>&1
check_logged "the open adds the entry" "tcp/2201: opened \\(edge1 seq 10000 added\\)" 15
check "the device holds it at 10000" holds 10000
kill -9 "$SPAGATED_PID"; wait "$SPAGATED_PID" 2>/dev/null
check "the entry stays on the device while spagated is down" holds 10000
mark
start
check_logged "the restart takes the cycle over from the journal" \
	"tcp/2201: restored from the journal, close rescheduled" 5
# the close: the entry leaves the device once its time has come (the
# wait is generous; the order is what is asserted) ...
check "after the restart the journaled entry leaves the device" \
	wait_ok $((TIMER + 15)) empty 10000
check "... not before its close time ($TIMER s after the packet was sent)" \
	removed_after 10000 $((SENT + TIMER))
check_logged "... and the close is logged" "tcp/2201: closed \\(edge1 seq 10000 removed\\)" 5
finish
