#!/bin/bash
# A Cisco IOS 15.x / IOS-XE 16.x router as spagated meets it: the IOS
# double behind an sshd offering only SHA-1 key exchanges, an ssh-rsa host
# key, CTR and CBC ciphers and SHA-1 MACs (ios_sshd --legacy), and an RSA
# user key.  With its default, modern, algorithms spagated cannot connect,
# and says where the lists are; with the three lines examples/cisco gives
# for such a router, a grant's entry is added and removed.  A list naming
# a method libssh2 lacks is refused at load.  Then the forms of `show
# clock` IOS prints go through the module: not synchronised ('*'),
# synchronisation lost ('.'), a time zone ahead or behind UTC: each
# device's time-range ends 2 min after the close on that device's clock,
# which the test computes from when it sent the packet.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
require_ios_double
plan 14

netns_pair 32 || skip_all "cannot create network namespaces"
ETC=$WORK/etc
mkdir -p "$ETC"
ssh-keygen -q -t rsa -b 2048 -N '' -f "$ETC/id"
"$top_srcdir/tests/tools/ios_sshd" start --legacy --netns "$SRV_NS" --listen "$SRV_IP" \
	--port 2222 --password spa-pw-1 --authorized-key "$ETC/id.pub" \
	--init "--privilege 15 --hostname EDGE1" >"$WORK/sshd.env" ||
	bail_out "ios_sshd --legacy did not start"
eval "$(cat "$WORK/sshd.env")"
on_exit "'$top_srcdir/tests/tools/ios_sshd' stop '$IOS_SSHD_DIR'"
install -m 644 "$IOS_SSHD_KNOWN_HOSTS" "$ETC/known_hosts"
dbl() { "$IOS_DOUBLE" --state "$IOS_SSHD_STATE" "$@"; }

# the lines examples/cisco/spagated.conf gives, commented, for such a router
LEGACY=$(sed -n 's/^ *# *\(kex\|hostkey_algorithms\|ciphers\) = /\1 = /p' \
	"$top_srcdir/examples/cisco/spagated.conf")
[ "$(grep -c . <<<"$LEGACY")" = 3 ] ||
	bail_out "examples/cisco/spagated.conf lacks the kex, hostkey_algorithms and ciphers lines"
LEGACY=$(tr '\n' ' ' <<<"$LEGACY")

device() { # device NAME ACL FIRST [MORE]
	cat <<DEV
  { name = "$1"; host = "$SRV_IP"; port = 2222; user = "$IOS_SSHD_USER";
    key_file = "$ETC/id"; known_hosts = "$ETC/known_hosts"; acl = "$2";
    seq_first = $3; seq_last = $(($3 + 99)); connect_timeout = 5;
    command_timeout = 5; ${4:-} }
DEV
}
cat >"$WORK/spagated.conf" <<CONF
capture = { mode = "pcap"; filter = "udp port 62201"; };
executor = { close_on_exit = false; };
cisco = (
$(device modern SPA-M 10000),
$(device legacy SPA-IN 20000 "$LEGACY"),
$(device clk1 SPA-C1 30000 "$LEGACY time_range = true;"),
$(device clk2 SPA-C2 31000 "$LEGACY time_range = true;"),
$(device clk3 SPA-C3 32000 "$LEGACY time_range = true;")
);
CONF
b64key() { head -c "$1" /dev/urandom | base64 -w0; }
declare -A K H
for d in modern legacy clk1 clk2 clk3; do
	K[$d]=$(b64key 32) H[$d]=$(b64key 64)
	cat <<ST
SOURCE ANY
KEY_BASE64 ${K[$d]}
HMAC_KEY_BASE64 ${H[$d]}
CMD_CYCLE_OPEN $d permit tcp host \$SRC any eq \$PORT
CMD_CYCLE_CLOSE $d remove
CMD_CYCLE_TIMER 6

ST
done >"$WORK/access.conf"
chmod 600 "$WORK/access.conf" "$WORK/spagated.conf"
spa() { # spa DEVICE PORT
	fwknop_cli --key-base64-rijndael "${K[$1]}" --key-base64-hmac "${H[$1]}" \
		-A "tcp/$2" -a "$CLI_IP" -D "$SRV_IP" >/dev/null 2>&1
}
# at ACL SEQ: the entry the device holds there, as JSON (null: none)
at() { dbl --get "running.acl4.$1.$2" 2>/dev/null; }

# 0. a list naming a method libssh2 lacks is refused at load
sed 's/kex = "diffie-hellman-group14-sha1"/kex = "diffie-hellman-group14-sha1,diffie-hellman-group99-sha1"/' \
	"$WORK/spagated.conf" >"$WORK/typo.conf"
chmod 600 "$WORK/typo.conf"
if ! "$SPAGATED" -c "$WORK/typo.conf" -a "$WORK/access.conf" -d "$WORK/state" \
	-p "$WORK/spagated.pid" --exit-parse-config >"$WORK/parse.out" 2>&1 &&
	grep -q "typo.conf:[0-9]*: cisco: device legacy: kex: libssh2 .* has no key exchange method \"diffie-hellman-group99-sha1\" (it has: .*diffie-hellman-group14-sha1" "$WORK/parse.out"; then
	ok "a kex naming a method libssh2 lacks is refused at load, with file:line and the name"
else not_ok "unknown kex refused"; diag "$(cat "$WORK/parse.out")"; fi

start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$WORK/state" \
	-p "$WORK/spagated.pid" -i "$SRV_IF" -v || bail_out "spagated did not start"

# 1. the default algorithms: no key exchange in common with the router
mark
spa modern 22
check_logged "modern defaults: the open fails at the SSH handshake, naming the settings" \
	"tcp/22: open failed \\(modern: SSH handshake \\(no algorithms in common\\? an older device needs kex, hostkey_algorithms or ciphers" 15
check "... the router's sshd found no key exchange in common" \
	grep -q "no matching key exchange method found" "$IOS_SSHD_DIR/sshd.log"
untouched() { [ "$(dbl --get running.acl4.SPA-M)" = null ] &&
	! dbl --when "ip access-list extended SPA-M" >/dev/null; }
check "... and nothing reached the device (its list never entered)" untouched

# 2. the lines of examples/cisco: the entry is added, then removed
mark
SENT=$(date +%s)
spa legacy 22
check_logged "legacy lists: the open is carried out" \
	"tcp/22: opened \\(legacy seq 20000 added\\)" 15
check "... the router holds the entry" \
	[ "$(at SPA-IN 20000)" = "\"permit tcp host $CLI_IP any eq 22\"" ]
removed() { [ "$(at SPA-IN 20000)" = null ] && t=$(dbl --when "no 20000") &&
	awk -v t="$t" -v due=$((SENT + 6)) 'BEGIN { exit !(t >= due) }'; }
check "... and the close removes it, not before its time" wait_ok 20 removed

# 3. each form of `show clock`, read at the device's first login
TR_GRACE=120
# end_ok ACL SEQ OFF SENT GRANTED: time-range SPA-SEQ ends 2 min after the
# close (6 s after the packet), rounded up to a minute, on a clock OFF
# seconds ahead of UTC; the packet arrived between SENT and GRANTED
end_ok() {
	local got e lo hi
	got=$(dbl --get "running.trange.SPA-$2.end" 2>/dev/null | tr -d '"')
	e=$(date -u -d "$got" +%s 2>/dev/null) || { diag "SPA-$2 ends '$got'"; return 1; }
	e=$((e - $3))
	lo=$(($4 + 6 + TR_GRACE - 1)) hi=$(($5 + 6 + TR_GRACE + 60))
	[ "$e" -ge "$lo" ] && [ "$e" -le "$hi" ] && return 0
	diag "SPA-$2 ends '$got' on the device: $((e - $4 - 6)) s after the earliest close"
	return 1
}
form() { # form DEVICE ACL SEQ SYNC ZONE ZONE_OFFSET CLOCK_OFFSET WHAT
	local off=$(($6 + $7)) sent granted
	dbl --set "device.clock_sync=$4" "device.timezone=$5" \
		"device.timezone_offset_s=$6" "device.clock_offset_s=$7" >/dev/null
	mark
	sent=$(date +%s)
	spa "$1" 22
	check_logged "$8: the open is carried out" "tcp/22: opened \\($1 seq $3 added\\)" 15
	granted=$(date +%s)
	check "... its time-range ends 2 min after the close on that clock" \
		end_ok "$2" "$3" "$off" "$sent" "$granted"
}
form clk1 SPA-C1 30000 none UTC 0 11850 "'*' (not synchronised), 3 h 17 min 30 s ahead"
form clk2 SPA-C2 31000 lost CET 3600 0 "'.' (synchronisation lost), CET"
form clk3 SPA-C3 32000 ntp PST -28800 -90 "PST, behind UTC"
# the device judges the entry by its own (local) clock: active
shows_active() { SSH_ORIGINAL_COMMAND="show ip access-lists SPA-C3" dbl |
	grep -qF "32000 permit tcp host $CLI_IP any eq 22 time-range SPA-32000 (active)"; }
check "... and the device shows the entry active on its local clock" shows_active
dbl --set device.clock_sync=ntp device.timezone=UTC device.timezone_offset_s=0 \
	device.clock_offset_s=0 >/dev/null
finish
