#!/bin/bash
# The Cisco module for real: spagated in a namespace drives the IOS CLI
# double (tests/tools/ios_double behind a real OpenSSH sshd, listening in
# the same namespace) over libssh2.  The real fwknop client's packet adds
# "<seq> permit tcp host CLIENT any eq PORT" to the device's ACL, and the
# close removes exactly that sequence number; a device error fails the
# cycle without a close (and the session leaves config mode with `end`
# right after the refused line); a changed host key and a wrong password
# refuse cleanly; a device that drops the session during the close gets
# it retried; a second gateway with its own range does not collide (a
# kill -9 and restart: cisco_restart.sh).  With
# time_range = true (device edgetr: same double, ACL SPA-TR) the entry names
# a time-range ending after the close on the device's own clock, a repeated
# grant moves that end (each end checked against the close the test
# computes from when it sent the packet), and the close or a refused
# entry leaves no time-range behind.  Every entry is checked on the device,
# exactly (JSON, not a grep), and a close by the entry leaving it.  A close reads its entry back first: another entry
# at its number stays (logged at error), an entry already gone is done.
# A session IOS closed (exec-timeout) whose end the gateway never saw is
# found closed by the next batch, which goes again on a fresh session;
# the terminal width is set at login (a vty of 60 columns would wrap the
# echo); keepalives as often as the device says; time-range ends capped
# at 31 December 2035, and none once the device's clock is past it.  The shipped examples/cisco files load once their
# placeholders are filled in.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
require_ios_double
plan 59

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64) K2=$(b64key 32) H2=$(b64key 64)
K3=$(b64key 32) H3=$(b64key 64) K4=$(b64key 32) H4=$(b64key 64)
K5=$(b64key 32) H5=$(b64key 64) K6=$(b64key 32) H6=$(b64key 64)
K7=$(b64key 32) H7=$(b64key 64) K8=$(b64key 32) H8=$(b64key 64)
K9=$(b64key 32) H9=$(b64key 64) K10=$(b64key 32) H10=$(b64key 64)
STATE=$WORK/state

netns_pair 30 || skip_all "cannot create network namespaces"
ios_double_start "$SRV_IP" 2222 "--privilege 1 --enable-secret s3cret --hostname EDGE1" ||
	bail_out "ios_sshd did not start"
# a second sshd on the same device, logging each SSH keepalive it gets
"$top_srcdir/tests/tools/ios_sshd" start --netns "$SRV_NS" --listen "$SRV_IP" --port 2223 \
	--state "$IOS_SSHD_STATE" --password spa-pw-1 --authorized-key "$ETC/id.pub" \
	--log-level DEBUG1 >"$WORK/sshd2.env" || bail_out "the second ios_sshd did not start"
KDIR=$(sed -n 's/^IOS_SSHD_DIR=//p' "$WORK/sshd2.env")
on_exit "'$top_srcdir/tests/tools/ios_sshd' stop '$KDIR'"
cat "$KDIR/known_hosts" >>"$ETC/known_hosts"
acl() { dbl --get running.acl4.SPA-IN 2>/dev/null; }
# has_ace SEQ TEXT: the device holds exactly TEXT at SEQ (a JSON string)
has_ace() { [ "$(dbl --get "running.acl4.SPA-IN.$1" 2>/dev/null)" = "\"$2\"" ]; }
# no_seq SEQ: the device's list was read, and holds nothing at SEQ
no_seq() { [ "$(dbl --get "running.acl4.SPA-IN.$1" 2>/dev/null)" = null ]; }
no_acl_entries() { local a; a=$(acl) && [ -n "$a" ] && ! grep -q '"[0-9]*":' <<<"$a"; }
# seq_of TEXT: the numbers at which the device holds exactly TEXT
seq_of() { acl | python3 -c 'import json, sys
print(" ".join(k for k, v in (json.load(sys.stdin) or {}).items() if v == sys.argv[1]))' "$1"; }
# removed_after SEQ EPOCH: the device read "no SEQ" at or after EPOCH
removed_after() {
	local t
	t=$(dbl --when "no $1") || { diag "the device never read 'no $1'"; return 1; }
	awk -v t="$t" -v due="$2" 'BEGIN { exit !(t >= due) }' && return 0
	diag "'no $1' read at $t, before its close time $2"
	return 1
}

# a known_hosts with another key than the pinned one for the same address
ssh-keygen -q -t ed25519 -N '' -f "$WORK/other"
echo "[$SRV_IP]:2222 $(cut -d' ' -f1,2 "$WORK/other.pub")" >"$ETC/wrong_hosts"
chmod 644 "$ETC/wrong_hosts"
printf 's3cret\n' >"$ETC/enable.pw"; printf 'spa-pw-1\n' >"$ETC/good.pw"
printf 'wrong\n' >"$ETC/bad.pw"; chmod 600 "$ETC"/*.pw

device() { # device NAME KNOWN_HOSTS AUTH FIRST LAST [ACL [MORE]]
	cat <<DEV
  { name = "$1"; host = "$SRV_IP"; port = 2222; user = "$IOS_SSHD_USER";
    $3 enable_secret_file = "$ETC/enable.pw";
    known_hosts = "$2"; acl = "${6:-SPA-IN}"; seq_first = $4; seq_last = $5;
    connect_timeout = 5; command_timeout = 5; ${7:-} }
DEV
}
write_spagated() { # write_spagated FILE RANGE_FIRST RANGE_LAST
	cat >"$1" <<CONF
capture = { mode = "pcap"; filter = "udp port 62201"; };
executor = { close_on_exit = false; };
cisco = (
$(device edge1 "$ETC/known_hosts" "key_file = \"$ETC/id\";" "$2" "$3"),
$(device badkey "$ETC/wrong_hosts" "key_file = \"$ETC/id\";" 30000 30099),
$(device badpw "$ETC/known_hosts" "password_file = \"$ETC/bad.pw\";" 30100 30199),
$(device edgetr "$ETC/known_hosts" "key_file = \"$ETC/id\";" 40000 40099 SPA-TR "time_range = true;"),
$(device edgey "$ETC/known_hosts" "key_file = \"$ETC/id\";" 50000 50099 SPA-Y "time_range = true;"),
$(device edgez "$ETC/known_hosts" "key_file = \"$ETC/id\";" 51000 51099 SPA-Z "time_range = true;"),
$(device edgew "$ETC/known_hosts" "key_file = \"$ETC/id\";" 60000 60099 SPA-W),
$(device edgek "$ETC/known_hosts" "key_file = \"$ETC/id\";" 52000 52099 SPA-K "keepalive = 1;" |
	sed 's/port = 2222;/port = 2223;/')
);
CONF
}
stanza() { # stanza KEY HMAC DEVICE TIMER
	cat <<ST

SOURCE ANY
KEY_BASE64 $1
HMAC_KEY_BASE64 $2
CMD_CYCLE_OPEN $3 permit tcp host \$SRC any eq \$PORT
CMD_CYCLE_CLOSE $3 remove
CMD_CYCLE_TIMER $4
ST
}
{ stanza "$K1" "$H1" edge1 6; stanza "$K2" "$H2" badkey 6
  stanza "$K3" "$H3" badpw 6; stanza "$K4" "$H4" edge1 20
  stanza "$K6" "$H6" edgetr 6; stanza "$K7" "$H7" edgey 6
  stanza "$K8" "$H8" edgez 6; stanza "$K9" "$H9" edgew 6
  stanza "$K10" "$H10" edgek 30; } >"$WORK/access.conf"
chmod 600 "$WORK/access.conf"
write_spagated "$WORK/spagated.conf" 10000 10999

spa() { # spa KEY HMAC PORT [-f SECONDS]
	fwknop_cli --key-base64-rijndael "$1" --key-base64-hmac "$2" -A "tcp/$3" \
		-a "$CLI_IP" -D "$SRV_IP" "${@:4}" >/dev/null 2>&1
}
start() {
	start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
		-p "$WORK/spagated.pid" -i "$SRV_IF" -v || bail_out "spagated did not start"
}

# 0. load-time checks
printf '%s\n' "$(stanza "$K1" "$H1" edge9 6)" >"$WORK/unknown.conf"; chmod 600 "$WORK/unknown.conf"
if ! "$SPAGATED" -c "$WORK/spagated.conf" -a "$WORK/unknown.conf" -d "$STATE" \
	-p "$WORK/spagated.pid" --exit-parse-config >"$WORK/parse.out" 2>&1 &&
	grep -q "unknown.conf:$(grep -n -m1 '^CMD_CYCLE_OPEN' "$WORK/unknown.conf" | cut -d: -f1): stanza #1: CMD_CYCLE_OPEN" "$WORK/parse.out"; then
	ok "an access.conf naming an unknown device is refused with file:line"
else not_ok "unknown device refused"; diag "$(cat "$WORK/parse.out")"; fi
# a Cisco open must close on the same device: elsewhere or NONE is refused
for close in "badpw remove" "NONE"; do
	stanza "$K1" "$H1" edge1 6 | sed "s/^CMD_CYCLE_CLOSE .*/CMD_CYCLE_CLOSE $close/" >"$WORK/pair.conf"
	chmod 600 "$WORK/pair.conf"
	if ! "$SPAGATED" -c "$WORK/spagated.conf" -a "$WORK/pair.conf" -d "$STATE" \
		-p "$WORK/spagated.pid" --exit-parse-config >"$WORK/parse.out" 2>&1 &&
		grep -q "pair.conf:$(grep -n -m1 '^CMD_CYCLE_CLOSE' "$WORK/pair.conf" | cut -d: -f1): stanza #1: CMD_CYCLE_CLOSE: an entry opened by 'edge1' must be closed by the same device" "$WORK/parse.out"; then
		ok "CMD_CYCLE_CLOSE $close after an edge1 open is refused at load"
	else not_ok "CMD_CYCLE_CLOSE $close refused"; diag "$(cat "$WORK/parse.out")"; fi
done
chmod 640 "$ETC/good.pw"
sed "s|bad.pw|good.pw|" "$WORK/spagated.conf" >"$WORK/loose.conf"
if ! "$SPAGATED" -c "$WORK/loose.conf" -D >"$WORK/parse.out" 2>&1 &&
	grep -q "loose.conf:[0-9]*: cisco: password_file .* must not be accessible by group or others" "$WORK/parse.out"; then
	ok "a password file readable by its group is refused with file:line"
else not_ok "loose password file refused"; diag "$(cat "$WORK/parse.out")"; fi
chmod 600 "$ETC/good.pw"
# examples/cisco as shipped: refused for its placeholder address; loads
# with this device's address, port, user and files, and keys filled in
EXAMPLE=$top_srcdir/examples/cisco
sed -e "s|REPLACE_WITH_ROUTER_ADDRESS|$SRV_IP|" -e "s|port = 22;|port = 2222;|" \
	-e "s|user = \"spagate\";|user = \"$IOS_SSHD_USER\";|" \
	-e "s|/etc/spagate/access.conf|$WORK/ex-access.conf|" \
	-e "s|/etc/spagate/cisco/edge1.key|$ETC/id|" \
	-e "s|# enable_secret_file = \"/etc/spagate/cisco/edge1.enable\"|enable_secret_file = \"$ETC/enable.pw\"|" \
	-e "s|/etc/spagate/cisco/known_hosts|$ETC/known_hosts|" \
	"$EXAMPLE/spagated.conf" >"$WORK/ex-spagated.conf"; chmod 600 "$WORK/ex-spagated.conf"
sed -e "s|REPLACE_WITH_KEY_BASE64|$K1|" -e "s|REPLACE_WITH_HMAC_KEY_BASE64|$H1|" \
	"$EXAMPLE/access.conf" >"$WORK/ex-access.conf"; chmod 600 "$WORK/ex-access.conf"
# as shipped, but owner-only: a checkout may leave files group-writable
install -m 600 "$EXAMPLE/spagated.conf" "$WORK/shipped-spagated.conf"
if ! "$SPAGATED" -c "$WORK/shipped-spagated.conf" -a "$WORK/ex-access.conf" -d "$STATE" \
	-p "$WORK/spagated.pid" --exit-parse-config >"$WORK/parse.out" 2>&1 &&
	grep -q 'host "REPLACE_WITH_ROUTER_ADDRESS" must be a numeric' "$WORK/parse.out" &&
	"$SPAGATED" -c "$WORK/ex-spagated.conf" -d "$STATE" -p "$WORK/spagated.pid" \
	--exit-parse-config >"$WORK/parse.out" 2>&1 &&
	grep -q "enable_secret_file = \"$ETC/enable.pw\"" "$WORK/ex-spagated.conf"; then
	ok "examples/cisco is refused as shipped and loads once filled in"
else not_ok "examples/cisco loads"; diag "$(cat "$WORK/parse.out")"; fi

start

# 1. open and close through the session
mark
T0=$(date +%s)
spa "$K1" "$H1" 22
check_logged "the open is carried out by the cisco module" \
	"stanza #1 $CLI_IP tcp/22: opened \\(edge1 seq 10000 added\\)" 15
check "the ACE is on the device with the client's address and port" \
	has_ace 10000 "permit tcp host $CLI_IP any eq 22"
check "the module logged in with enable" bash -c "'$IOS_DOUBLE' --state '$IOS_SSHD_STATE' --get log | grep -q '\"l\": \"enable\"'"
check "the close removes the ACE from the device" wait_ok 20 no_seq 10000
check "... not before its close time (6 s after the packet was sent)" \
	removed_after 10000 $((T0 + 6))
check_logged "... and logs it" \
	"stanza #1 $CLI_IP tcp/22: closed \\(edge1 seq 10000 removed\\)" 5
check "nothing was saved (save_config = false)" bash -c "! '$IOS_DOUBLE' --state '$IOS_SSHD_STATE' --get log | grep -q '\"l\": \"write'"

# 2. a device error fails the cycle, without a close
dbl --set 'faults.reject_next_ace=% Error: test refusal' >/dev/null
mark
spa "$K1" "$H1" 23
check_logged "a '%' line fails the open with the device's message" \
	"tcp/23: open failed \\(edge1: % Error: test refusal\\): no close scheduled" 15
check "no ACE was added" no_acl_entries
# the failure is reported once the session is back in exec mode
check "the session was brought back to exec mode: end right after the refused line" \
	[ "$(dbl --next "[0-9]+ permit tcp host $CLI_IP any eq 23")" = end ]

# 3. a changed host key and a wrong password refuse cleanly
mark
spa "$K2" "$H2" 22
check_logged "a host key that is not the pinned one is refused" \
	"cisco badkey: .*host key MISMATCH" 15
check_logged "... and the open fails without a close" "stanza #2 .*open failed .*MISMATCH" 15
mark
spa "$K3" "$H3" 22
check_logged "a wrong password fails the open cleanly" \
	"stanza #3 .*open failed \\(badpw: authentication as $IOS_SSHD_USER refused" 20
check "no ACE from the refused devices" no_acl_entries
check "spagated still runs" kill -0 "$SPAGATED_PID"

# 4. the device drops the session during the close: retried until done
mark
spa "$K1" "$H1" 24
wait_logged "tcp/24: opened" 15
dbl --set 'faults.drop_on=^no ' >/dev/null
check_logged "a close whose session drops is retried" "cisco edge1: .*retrying in" 30
dbl --set 'faults.drop_on=' >/dev/null
check_logged "... and done once the device answers again" "tcp/24: closed \\(edge1 seq [0-9]+ removed\\)" 40
check "the ACE is gone after the retried close" no_acl_entries

# 5. a second gateway with its own range on the same device and ACL
write_spagated "$WORK/gw2.conf" 20000 20999
sed -i 's/close_on_exit = false/close_on_exit = true/' "$WORK/gw2.conf"
stanza "$K5" "$H5" edge1 8 >"$WORK/gw2-access.conf"; chmod 600 "$WORK/gw2-access.conf"
ip netns exec "$SRV_NS" "$SPAGATED" -f -c "$WORK/gw2.conf" -a "$WORK/gw2-access.conf" \
	-d "$WORK/state2" -p "$WORK/gw2.pid" -i "$SRV_IF" -v >/dev/null 2>"$WORK/gw2.log" &
GW2=$!
on_exit "kill $GW2"
wait_for "$WORK/gw2.log" "verifier ready" 15
mark
spa "$K1" "$H1" 22
spa "$K5" "$H5" 443
wait_logged "tcp/22: opened \\(edge1 seq 10000" 15
wait_for "$WORK/gw2.log" "tcp/443: opened \\(edge1 seq 20000 added" 15
check "two gateways add their entries in their own ranges" \
	bash -c "$(declare -f acl has_ace dbl); IOS_DOUBLE='$IOS_DOUBLE' IOS_SSHD_STATE='$IOS_SSHD_STATE'; has_ace 10000 'permit tcp host $CLI_IP any eq 22' && has_ace 20000 'permit tcp host $CLI_IP any eq 443'"
check_logged "... and each removes only its own" "tcp/22: closed \\(edge1 seq 10000 removed" 15
wait_for "$WORK/gw2.log" "tcp/443: closed \\(edge1 seq 20000 removed" 15
check "both entries are gone" no_acl_entries
kill "$GW2"; wait "$GW2" 2>/dev/null

# 7. time_range = true on edgetr (ACL SPA-TR, 40000-40099), whose clock is
# 3 h 17 min 30 s ahead: set before its first login (show clock)
OFF=11850 TR_GRACE=120
dbl --set "device.clock_offset_s=$OFF" >/dev/null
tracl() { dbl --get running.acl4.SPA-TR 2>/dev/null; }
has_tr_ace() { tracl | grep -qF -- "\"$1\": \"$2\""; }
tr_end_of() { # "" when there is none (--get prints null)
	dbl --get "running.trange.SPA-$1.end" 2>/dev/null | tr -d '"' | grep -vx null; }
no_time_ranges() { ! dbl --get running.trange 2>/dev/null | grep -q SPA-; }
shows() { SSH_ORIGINAL_COMMAND="show ip access-lists SPA-TR" "$IOS_DOUBLE" \
	--state "$IOS_SSHD_STATE" | grep -qF -- "$1"; }
# end_ok SEQ TIMER SENT GRANTED: the time-range ends 2 min after the close,
# rounded up to a minute, on the device's clock.  The close is TIMER after
# the packet arrived, between SENT (before the client ran) and GRANTED
# (once the grant was seen): the test's own clock, not spagated's log.
end_ok() {
	local got e lo hi
	got=$(tr_end_of "$1")
	e=$(date -u -d "$got" +%s 2>/dev/null) || { diag "SPA-$1 ends '${got:-none}'"; return 1; }
	e=$((e - OFF))	# the device's clock is OFF ahead
	lo=$(($3 + $2 + TR_GRACE - 1)) hi=$(($4 + $2 + TR_GRACE + 60))
	[ "$e" -ge "$lo" ] && [ "$e" -le "$hi" ] && return 0
	diag "SPA-$1 ends '$got' on the device: $((e - $3 - $2)) s after the packet's" \
		"timer ran out, want $((TR_GRACE - 1))..$((hi - $3 - $2))"
	return 1
}
mark
SENT=$(date +%s)
spa "$K6" "$H6" 22 -f 6
check_logged "time_range: the open adds the entry" \
	"stanza #5 $CLI_IP tcp/22: opened \\(edgetr seq 40000 added\\)" 15
GRANTED=$(date +%s)
check "time-range SPA-40000 ends 2 min after the close (rounded up) on the device's clock" \
	end_ok 40000 6 "$SENT" "$GRANTED"
check "the entry names the time-range" \
	has_tr_ace 40000 "permit tcp host $CLI_IP any eq 22 time-range SPA-40000"
check "show ip access-lists shows the entry active" \
	shows "40000 permit tcp host $CLI_IP any eq 22 time-range SPA-40000 (active)"
gone() { ! tracl | grep -q "\"$1\"" && [ -z "$(tr_end_of "$1")" ]; }
check "the close removes the entry and its time-range from the device" \
	wait_ok 20 gone 40000
check "... not before its close time" removed_after 40000 $((SENT + 6))
check_logged "... and logs it" \
	"stanza #5 $CLI_IP tcp/22: closed \\(edgetr seq 40000 removed\\)" 5

# a refused entry: its time-range is removed before the open fails
dbl --set 'faults.reject_next_ace=% Error: test refusal' >/dev/null
mark
spa "$K6" "$H6" 23 -f 6
check_logged "time_range: a '%' on the entry fails the open" \
	"tcp/23: open failed \\(edgetr: % Error: test refusal\\): no close scheduled" 15
check "... and no time-range is left on the device" no_time_ranges

# a repeated grant moves the device's end with the close
mark
spa "$K6" "$H6" 24 -f 6
wait_logged "tcp/24: opened \\(edgetr seq 40000 added" 15
E1=$(tr_end_of 40000)
mark
SENT=$(date +%s)
spa "$K6" "$H6" 24 -f 150
check_logged "a repeated grant refreshes the time-range" \
	"tcp/24: refreshed \\(edgetr seq 40000 time-range end moved\\)" 15
GRANTED=$(date +%s)
end_moved() { [ "$(tr_end_of 40000)" != "$E1" ] && end_ok 40000 150 "$SENT" "$GRANTED"; }
check "... whose end moves to the new close + 2 min (was $E1)" end_moved
only_entry() { [ "$(tracl | grep -c '"[0-9]*":')" -eq 1 ] && has_tr_ace "$@"; }
check "... and the entry is unchanged, the only one" \
	only_entry 40000 "permit tcp host $CLI_IP any eq 24 time-range SPA-40000"

# 8. the close reads its entry back first: an entry someone else put at
# the number meanwhile stays; an entry already gone ends the cycle
mark
spa "$K1" "$H1" 25
wait_logged "tcp/25: opened \\(edge1 seq 10000 added" 15
dbl --set 'running.acl4.SPA-IN.10000=permit ip any any' >/dev/null
check_logged "a close whose number holds another entry removes nothing, logged at error" \
	"error: cisco edge1: seq 10000 holds \"permit ip any any\", not the entry this cycle added: not removed" 15
check "the other entry at that number stays on the device" has_ace 10000 "permit ip any any"
dbl --set 'running.acl4.SPA-IN={}' >/dev/null
mark
spa "$K1" "$H1" 26
# (10000 holds someone else's entry: the open takes the next number)
wait_logged "tcp/26: opened \\(edge1 seq 10001 added" 15
dbl --set 'running.acl4.SPA-IN={}' >/dev/null
check_logged "a close whose entry is already gone is done: already absent" \
	"tcp/26: closed \\(edge1 seq 10001 already absent\\)" 15

# 9. IOS closes an idle session (exec-timeout), and the end of it never
# reaches the gateway (a firewall between dropped it: here the FIN from
# port 2222): the gateway finds the session closed only when it sends the
# next batch.  That batch is retried once on a fresh session, and the
# grant is carried out.
in_srv iptables -I OUTPUT -p tcp --sport 2222 --tcp-flags FIN FIN -j DROP
dbl --set device.exec_timeout_s=2 device.exec_timeout_mode=kill >/dev/null
closed_before=$(dbl --get exec_timeouts)
mark
spa "$K4" "$H4" 2202
wait_logged "tcp/2202: opened \\(edge1 seq [0-9]+ added" 15
idle_closed() { [ "$(dbl --get exec_timeouts)" -gt "$closed_before" ]; }
wait_ok 15 idle_closed || diag "the device did not close the idle session"
spa "$K1" "$H1" 28
check_logged "a session found closed before a line was accepted is retried once on a fresh one" \
	"cisco edge1: .*before the device accepted a line: retrying once on a fresh session" 15
check_logged "... and the grant is carried out" \
	"stanza #1 $CLI_IP tcp/28: opened \\(edge1 seq [0-9]+ added\\)" 15
dbl --set device.exec_timeout_s=0 device.exec_timeout_mode=close >/dev/null
in_srv iptables -D OUTPUT -p tcp --sport 2222 --tcp-flags FIN FIN -j DROP

# 10. the terminal's width is set at login (512), never taken from the
# PTY: a vty of 60 columns would wrap the echo of a long entry
dbl --set device.vty_width=60 >/dev/null
mark
spa "$K9" "$H9" 22
check_logged "a device whose vty wraps at 60 columns takes a 66-column entry" \
	"stanza #8 $CLI_IP tcp/22: opened \\(edgew seq 60000 added\\)" 15
check "the module set terminal width 512 at login" \
	bash -c "'$IOS_DOUBLE' --state '$IOS_SSHD_STATE' --get log | grep -q '\"l\": \"terminal width 512\"'"
dbl --set device.vty_width=null >/dev/null

# 11. SSH keepalives as often as the device's keepalive says (1 s here)
keepalives() { [ "$(grep -c 'keepalive@libssh2.org' "$KDIR/sshd.log")" -ge 3 ]; }
mark
spa "$K10" "$H10" 22
wait_logged "tcp/22: opened \\(edgek seq 52000 added" 15
check "keepalive = 1: the idle session sends an SSH keepalive every second" \
	wait_ok 10 keepalives

# 12. IOS takes absolute dates up to 31 December 2035 only: an end past it
# is capped there (edgey, its clock at 23:58:30 that day), and a device
# whose clock is past it gets a time-range without an end (edgez)
now=$(date +%s)
dbl --set "device.clock_offset_s=$(( 2082758310 - now ))" >/dev/null
mark
spa "$K7" "$H7" 22 -f 6
check_logged "an end past 2035: the open is carried out" \
	"stanza #6 $CLI_IP tcp/22: opened \\(edgey seq 50000 added\\)" 15
check_logged "... with a warning" \
	"warning: cisco edgey: time-range SPA-50000 would end after 31 December 2035, the last date IOS takes: it ends then" 2
check "... and the time-range ends at 23:59 31 December 2035" \
	[ "$(tr_end_of 50000)" = "23:59 31 December 2035" ]
dbl --set "device.clock_offset_s=$(( 2082931200 - now ))" >/dev/null
mark
spa "$K8" "$H8" 22 -f 6
check_logged "a device clock in 2036: the open is carried out" \
	"stanza #7 $CLI_IP tcp/22: opened \\(edgez seq 51000 added\\)" 15
check_logged "... with a warning" \
	"warning: cisco edgez: the device's clock is past 31 December 2035" 2
check "... and time-range SPA-51000 has no end" \
	[ "$(dbl --get running.trange.SPA-51000 | tr -d ' \n')" = "{}" ]
dbl --set device.clock_offset_s=0 >/dev/null

# 13. an extension re-asserts the open: the entry removed on the device
# between two grants is added again at its number
mark
spa "$K1" "$H1" 29 -f 20
wait_logged "tcp/29: opened \\(edge1 seq [0-9]+ added" 15
seq29=$(seq_of "permit tcp host $CLI_IP any eq 29")
[ -n "$seq29" ] || diag "no entry for tcp/29 on the device"
dbl --set 'running.acl4.SPA-IN={}' >/dev/null
mark
spa "$K1" "$H1" 29 -f 40
check_logged "a second grant finds the entry gone and adds it again" \
	"tcp/29: refreshed \\(edge1 seq $seq29 added again\\)" 15
check "the entry is back on the device at its number" \
	has_ace "$seq29" "permit tcp host $CLI_IP any eq 29"
# ... also after a restart, which forgets what the daemon kept in memory:
# the new grant's own open command says what to add again
kill -9 "$SPAGATED_PID"; wait "$SPAGATED_PID" 2>/dev/null
start
dbl --set 'running.acl4.SPA-IN={}' >/dev/null
mark
spa "$K1" "$H1" 29 -f 40
check_logged "after kill -9 and a restart, a grant adds the vanished entry again" \
	"tcp/29: refreshed \\(edge1 seq $seq29 added again\\)" 15
check "the entry is back at its number" \
	has_ace "$seq29" "permit tcp host $CLI_IP any eq 29"

# 14. SIGTERM while a Cisco open is in flight (a slow device): the open
# completes, then its close runs before the gateway exits
write_spagated "$WORK/gw3.conf" 21000 21999
sed -i 's/close_on_exit = false/close_on_exit = true/' "$WORK/gw3.conf"
stanza "$K5" "$H5" edge1 60 >"$WORK/gw3-access.conf"; chmod 600 "$WORK/gw3-access.conf"
ip netns exec "$SRV_NS" "$SPAGATED" -f -c "$WORK/gw3.conf" -a "$WORK/gw3-access.conf" \
	-d "$WORK/state3" -p "$WORK/gw3.pid" -i "$SRV_IF" -v >/dev/null 2>"$WORK/gw3.log" &
GW3=$!
on_exit "kill $GW3"
wait_for "$WORK/gw3.log" "verifier ready" 15
dbl --set faults.slow_ms=700 >/dev/null
spa "$K5" "$H5" 31
wait_for "$WORK/gw3.log" "tcp/31: cisco: edge1 permit" 10
kill "$GW3"; wait "$GW3" 2>/dev/null
dbl --set faults.slow_ms=0 >/dev/null
check "SIGTERM during a Cisco open: the open completes" \
	grep -q "tcp/31: opened (edge1 seq 21000 added" "$WORK/gw3.log"
check "... and its close runs at shutdown" \
	grep -q "tcp/31: shutdown, closing" "$WORK/gw3.log"
check "no entry is left on the device" bash -c "! grep -q '\"21000\"' <<<\"\$('$IOS_DOUBLE' --state '$IOS_SSHD_STATE' --get running.acl4.SPA-IN)\""
finish
