#!/bin/bash
# IPv6 end to end over a veth pair with addresses of both families, with
# the real fwknop client's packets.  The stock client (2.6.10) neither
# writes an IPv6 address into a packet (-a refuses one) nor sends over
# IPv6 (it resolves -D for IPv4 only), so the client makes a -s packet
# (allow 0.0.0.0: "grant my source address"), saves it with -B, and the
# test sends those bytes over IPv6 itself, as the client would.
#
# In pcap mode, in UDP-server mode (bound to "::", both families) and
# over HTTP: a sender inside an IPv6 SOURCE network, to the one address
# DESTINATION names, is granted its IPv6 address in the inet6 set spa6
# of examples/ipset, and a TCP connect over IPv6 that was dropped goes
# through until the close; a sender outside the network, a packet to
# another address of the server, a replayed packet and a -s packet under
# REQUIRE_SOURCE_ADDRESS are refused; one SOURCE list takes both
# families and an exec hook gets the IPv6 $IP/$SRC/$DST.  The Cisco
# module (IOS double behind sshd, reached over IPv6): an IPv6 grant
# becomes "sequence N permit ... time-range SPA-N" in the device's
# `ipv6 access-list` and is removed with its time-range on close, next to
# an IPv4 grant in the extended IPv4 list, and after a kill -9 the
# restarted daemon removes the journaled IPv6 entry; a device without
# acl6 fails an IPv6 grant's cycle with the reason.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
require_ios_double
for t in ipset ip6tables; do
	command -v $t >/dev/null || skip_all "needs $t (scripts/deps test)"
done
TCP_ACCEPT=$top_builddir/tests/tools/tcp_accept
[ -x "$TCP_ACCEPT" ] || skip_all "tests/tools/tcp_accept is not built"
EXAMPLE=$top_srcdir/examples/ipset
plan 48

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64) K2=$(b64key 32) H2=$(b64key 64)
K3=$(b64key 32) H3=$(b64key 64) K4=$(b64key 32) H4=$(b64key 64)
K5=$(b64key 32) H5=$(b64key 64)
STATE=$WORK/state

netns_pair 150 || skip_all "cannot create network namespaces"
# The server: SRV6, and OTHER6 outside DESTINATION.  The client: CLI6
# (named in every stanza), CLI6B (only in stanza 1's network) and FAR6
# (in no SOURCE); the last two are deprecated, so that the kernel picks
# CLI6 whenever the client does not bind one (fwknop, TCP connects).
SRV6=fd00:231:150::1 OTHER6=fd00:231:150::3
CLI6=fd00:231:150::2 CLI6B=fd00:231:150::4 FAR6=fd00:231:151::2
for a in "$SRV6" "$OTHER6" fd00:231:151::1; do
	ip -n "$SRV_NS" addr add "$a/64" dev "$SRV_IF" nodad || bail_out "cannot add $a"
done
ip -n "$CLI_NS" addr add "$CLI6/64" dev "$CLI_IF" nodad || bail_out "cannot add $CLI6"
for a in "$CLI6B" "$FAR6"; do
	ip -n "$CLI_NS" addr add "$a/64" dev "$CLI_IF" nodad preferred_lft 0 ||
		bail_out "cannot add $a"
done
ios_double_start "$SRV6" 2222 "--hostname EDGE6" || bail_out "ios_sshd did not start"

cat >"$WORK/access.conf" <<CONF
# 1: IPv6 senders of one /64, to the server's $SRV6 only
SOURCE              fd00:231:150::/64
DESTINATION         $SRV6/128
KEY_BASE64          $K1
HMAC_KEY_BASE64     $H1
OPEN_PORTS          tcp/22
CMD_CYCLE_OPEN      ipset -exist add spa6 \$IP,\$PROTO_NAME:\$PORT timeout \$CLIENT_TIMEOUT
CMD_CYCLE_CLOSE     ipset del spa6 \$IP,\$PROTO_NAME:\$PORT
CMD_CYCLE_TIMER     30

# 2: one list of both families; a hook sees the addresses
SOURCE              $CLI_IP/32, $CLI6/128
KEY_BASE64          $K2
HMAC_KEY_BASE64     $H2
CMD_CYCLE_OPEN      /usr/bin/touch $WORK/hook/ip=\$IP,src=\$SRC,dst=\$DST
CMD_CYCLE_CLOSE     NONE

# 3: a Cisco device with an IPv6 list (and an IPv4 one)
SOURCE              $CLI6, 10.231.150.0/24
KEY_BASE64          $K3
HMAC_KEY_BASE64     $H3
CMD_CYCLE_OPEN      edge6 permit tcp host \$SRC any eq \$PORT
CMD_CYCLE_CLOSE     edge6 remove
CMD_CYCLE_TIMER     4

# 4: a Cisco device without one
SOURCE              $CLI6
KEY_BASE64          $K4
HMAC_KEY_BASE64     $H4
CMD_CYCLE_OPEN      edge4 permit tcp host \$SRC any eq \$PORT
CMD_CYCLE_CLOSE     edge4 remove
CMD_CYCLE_TIMER     4

# 5: an IPv6 -s packet cannot name its address
SOURCE              $CLI6
KEY_BASE64          $K5
HMAC_KEY_BASE64     $H5
REQUIRE_SOURCE_ADDRESS Y
CMD_CYCLE_OPEN      /bin/true
CMD_CYCLE_CLOSE     NONE
CONF
chmod 600 "$WORK/access.conf"
mkdir "$WORK/hook"
hooked() { [ -e "$WORK/hook/ip=$1,src=$1,dst=$2" ]; }

device() { # device NAME ACLS FIRST LAST [MORE]
	cat <<DEV
  { name = "$1"; host = "$SRV6"; port = 2222; user = "$IOS_SSHD_USER";
    key_file = "$ETC/id"; known_hosts = "$ETC/known_hosts";
    $2 seq_first = $3; seq_last = $4; connect_timeout = 5; command_timeout = 5; ${5:-} }
DEV
}
write_conf() { # write_conf FILE CAPTURE
	cat >"$1" <<CONF
capture = { $2 };
executor = { close_on_exit = true; };
cisco = (
$(device edge6 'acl = "SPA-IN"; acl6 = "SPA6-IN";' 10000 10999 "time_range = true;"),
$(device edge4 'acl = "SPA4-ONLY";' 20000 20099)
);
CONF
}
write_conf "$WORK/pcap.conf" 'mode = "pcap"; filter = "udp port 62201";'
write_conf "$WORK/udp.conf" 'mode = "udp"; udp_address = "::"; http = true;
	http_address = "::"; http_port = 8062;'
write_conf "$WORK/udp6.conf" "mode = \"udp\"; udp_address = \"$SRV6\";"

start() { # start CONF [spagated options]
	local c=$1; shift
	start_spagated -c "$c" -a "$WORK/access.conf" -d "$STATE" \
		-p "$WORK/spagated.pid" "$@" || bail_out "spagated did not start"
}
# pkt KEY HMAC FILE [client options]: the client's packet, saved, not sent
pkt() {
	local k=$1 h=$2 f=$3; shift 3
	fwknop_cli --key-base64-rijndael "$k" --key-base64-hmac "$h" -D "$SRV_IP" \
		-T -B "$f" "$@" >/dev/null 2>&1 || bail_out "fwknop could not make $f"
}
# send_from SRC DST FILE: a saved packet as one datagram from SRC (the
# client's own address choice would always be CLI6)
send_from() {
	in_cli python3 -c 'import socket, sys
d = open(sys.argv[3], "rb").read()
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
s.sendto(d[:-1] if d.endswith(b"\n") else d, (sys.argv[2], 62201))' "$@"
}
# send6 KEY HMAC SRC DST [client options]: a fresh -s packet for tcp/22
send6() {
	local k=$1 h=$2 src=$3 dst=$4; shift 4
	rm -f "$WORK/p.spa"
	pkt "$k" "$h" "$WORK/p.spa" -A tcp/22 -s "$@"
	send_from "$src" "$dst" "$WORK/p.spa"
}
connects() { # connects HOST PORT: one TCP connect from the client, 1 s limit
	in_cli timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2" && read -r l <&3 && [ "$l" = ok ]' _ "$1" "$2" 2>/dev/null
}
refused() { ! connects "$@"; }
has_element() { in_srv ipset test spa6 "$1,tcp:22" >/dev/null 2>&1; }
no_element() { ! has_element "$@"; }
parse_config() { # parse_config ACCESS: spagated's verdict, output in parse.out
	"$SPAGATED" -c "$WORK/pcap.conf" -a "$1" -d "$STATE" -p "$WORK/spagated.pid" \
		--exit-parse-config >"$WORK/parse.out" 2>&1
}
check_refused() { # check_refused DESCRIPTION ACCESS_TEXT REASON
	printf '%s\n' "$2" >"$WORK/bad.conf"; chmod 600 "$WORK/bad.conf"
	if ! parse_config "$WORK/bad.conf" && grep -qF -- "$3" "$WORK/parse.out"; then
		ok "$1"
	else
		not_ok "$1"; diag "$(cat "$WORK/parse.out")"
	fi
}

# 0. load time
check "the IPv6 SOURCE/DESTINATION policy and both devices load" parse_config "$WORK/access.conf"
check_refused "an IPv4-mapped SOURCE entry is refused, saying what to write" \
	"$(printf 'SOURCE 10.0.0.0/8, ::ffff:10.231.150.2\nKEY_BASE64 %s\nHMAC_KEY_BASE64 %s' "$K1" "$H1")" \
	"bad.conf:1: invalid SOURCE entry #2: an IPv4-mapped IPv6 address (write the IPv4 address)"
check_refused "an IPv6 entry for a device without acl6 is refused at load" \
	"$(printf 'SOURCE ANY\nKEY_BASE64 %s\nHMAC_KEY_BASE64 %s\nCMD_CYCLE_OPEN edge4 permit tcp host 2001:db8::9 any eq $PORT\nCMD_CYCLE_CLOSE edge4 remove\nCMD_CYCLE_TIMER 5' "$K1" "$H1")" \
	"an IPv6 entry needs acl6 (an IPv6 access list), which this device does not set"
check_refused "an IPv6 address without 'host' or a /length is refused at load" \
	"$(printf 'SOURCE ANY\nKEY_BASE64 %s\nHMAC_KEY_BASE64 %s\nCMD_CYCLE_OPEN edge6 permit tcp 2001:db8::9 any eq $PORT\nCMD_CYCLE_CLOSE edge6 remove\nCMD_CYCLE_TIMER 5' "$K1" "$H1")" \
	"IPv6 entries have no wildcard masks"

in_srv sh "$EXAMPLE/setup.sh" || bail_out "examples/ipset/setup.sh failed"
on_exit "ip netns exec $SRV_NS sh '$EXAMPLE/setup.sh' remove"
ip netns exec "$SRV_NS" "$TCP_ACCEPT" 22 &
on_exit "kill $!"

# 1. pcap: granted, connected, replay, refusals
start "$WORK/pcap.conf" -i "$SRV_IF"
check "tcp/22 over IPv6 is dropped before any SPA packet" refused "$SRV6" 22
mark
pkt "$K1" "$H1" "$WORK/first.spa" -A tcp/22 -s -f 8
send_udp "$WORK/first.spa" "$SRV6" 62201
check_logged "pcap: a -s packet over IPv6 grants the sender's IPv6 address in spa6" \
	"stanza #1 $CLI6 tcp/22: opened \\(ipset -exist add spa6 $CLI6,tcp:22 timeout 8\\)" 5
check "the TCP connect over IPv6 succeeds once granted" connects "$SRV6" 22
mark
send_udp "$WORK/first.spa" "$SRV6" 62201
check_logged "the same packet again is refused as a replay" \
	"refused \\[$CLI6\\]:[0-9]+ -> $SRV6:62201 via udp: replayed packet" 5
send6 "$K1" "$H1" "$CLI6B" "$SRV6" -f 3
check_logged "another sender of the SOURCE network is granted too" \
	"stanza #1 $CLI6B tcp/22: opened \\(ipset -exist add spa6 $CLI6B,tcp:22" 5
mark
send6 "$K1" "$H1" "$FAR6" "$SRV6"
check_logged "a sender outside the SOURCE network is refused" \
	"refused \\[$FAR6\\]:[0-9]+ -> $SRV6:62201 via udp: no stanza accepts this source address" 5
send6 "$K1" "$H1" "$CLI6B" "$OTHER6"
check_logged "a packet to an address outside DESTINATION is refused" \
	"refused \\[$CLI6B\\]:[0-9]+ -> $OTHER6:62201 via udp: destination not allowed by the stanza" 5
send6 "$K5" "$H5" "$CLI6" "$SRV6"
check_logged "REQUIRE_SOURCE_ADDRESS refuses an IPv6 -s packet" \
	"refused \\[$CLI6\\]:[0-9]+ -> $SRV6:62201 via udp: allow address 0.0.0.0 refused by REQUIRE_SOURCE_ADDRESS" 5
check "... and none of them granted anything" [ "$(since_mark 'opened')" -eq 0 ]
check "... the outside sender has no element" no_element "$FAR6"
mark
send6 "$K2" "$H2" "$CLI6" "$SRV6"
check_logged "a list of both families takes an IPv6 sender" \
	"stanza #2 $CLI6 tcp/22: opened \\(exit 0\\)" 5
check "... and the hook gets \$IP, \$SRC and \$DST in IPv6" hooked "$CLI6" "$SRV6"
fwknop_cli --key-base64-rijndael "$K2" --key-base64-hmac "$H2" -A tcp/22 -a "$CLI_IP" \
	-D "$SRV_IP" >/dev/null 2>&1
check_logged "... and an IPv4 one" "stanza #2 $CLI_IP tcp/22: opened \\(exit 0\\)" 5
check_logged "the IPv6 grant closes when the client's timeout ends" \
	"stanza #1 $CLI6 tcp/22: closed \\(ipset del spa6 $CLI6,tcp:22" 10
check "tcp/22 over IPv6 is dropped again after the close" refused "$SRV6" 22

# 2. Cisco: an IPv6 entry in the IPv6 list, an IPv4 one in the IPv4 list
acl6() { dbl --get running.acl6.SPA6-IN 2>/dev/null; }
acl4() { dbl --get running.acl4.SPA-IN 2>/dev/null; }
has6() { acl6 | grep -qF -- "\"$1\": \"$2\""; }
has4() { acl4 | grep -qF -- "\"$1\": \"$2\""; }
no6() { ! acl6 | grep -qF -- "\"$1\""; }
sent() { dbl --get log | grep -qF -- "\"l\": \"$1\""; }
tr_of() { dbl --get "running.trange.SPA-$1.end" 2>/dev/null | grep -vx null; }
UP6=$(echo "$CLI6" | tr a-f A-F)
mark
send6 "$K3" "$H3" "$CLI6" "$SRV6" -f 4
fwknop_cli --key-base64-rijndael "$K3" --key-base64-hmac "$H3" -A tcp/22 -a "$CLI_IP" \
	-D "$SRV_IP" -f 4 >/dev/null 2>&1
check_logged "cisco: the IPv6 grant is added to the device" \
	"stanza #3 $CLI6 tcp/22: opened \\(edge6 seq 1000[01] added\\)" 15
check_logged "... and the IPv4 grant beside it" \
	"stanza #3 $CLI_IP tcp/22: opened \\(edge6 seq 1000[01] added\\)" 15
seq6() { # the sequence number of the last IPv6 open of stanza #3 since the mark
	tail -n +$((MARK + 1)) "$WORK/log" |
		sed -n "s/.*stanza #3 $CLI6 tcp\\/22: opened (edge6 seq \\([0-9]*\\).*/\\1/p" | tail -n 1
}
S6=$(seq6)
S4=$((${S6:-0} == 10000 ? 10001 : 10000))
check "the device's ipv6 access-list holds it as IOS shows it (seq ${S6:-none})" \
	has6 "$S6" "permit tcp host $UP6 any eq 22 time-range SPA-$S6"
check "the module typed it with 'sequence' in IPv6 list mode" \
	sent "sequence $S6 permit tcp host $CLI6 any eq 22 time-range SPA-$S6"
check "the IPv4 entry is in the extended IPv4 list" \
	has4 "$S4" "permit tcp host $CLI_IP any eq 22 time-range SPA-$S4"
check "the IPv6 entry's time-range exists on the device (fail-safe)" test -n "$(tr_of "$S6")"
check_logged "the IPv6 entry is removed at the close" \
	"stanza #3 $CLI6 tcp/22: closed \\(edge6 seq $S6 removed\\)" 12
check_logged "... and the IPv4 one" "stanza #3 $CLI_IP tcp/22: closed \\(edge6 seq $S4 removed\\)" 12
check "the ipv6 access-list no longer has it" no6 "$S6"
check "... removed with 'no sequence' in IPv6 list mode" sent "no sequence $S6"
check "... and its time-range is gone" test -z "$(tr_of "$S6")"
mark
send6 "$K4" "$H4" "$CLI6" "$SRV6"
check_logged "an IPv6 grant on a device without acl6 fails that cycle, saying why" \
	"stanza #4 $CLI6 tcp/22: open failed \\(edge4: an IPv6 entry needs acl6 \\(an IPv6 access list\\), which this device does not set in spagated.conf\\)" 5
check "... and nothing reached the device" [ "$(dbl --get running.acl4.SPA4-ONLY)" = null ]
# kill -9 with an IPv6 entry open: the journal says which list it is in
mark
send6 "$K3" "$H3" "$CLI6" "$SRV6" -f 5
wait_logged "stanza #3 $CLI6 tcp/22: opened \\(edge6 seq [0-9]+ added" 15
S6=$(seq6)
kill -9 "$SPAGATED_PID"; wait "$SPAGATED_PID" 2>/dev/null
check "after kill -9 the IPv6 entry stays on the device" \
	has6 "$S6" "permit tcp host $UP6 any eq 22 time-range SPA-$S6"
mark
start "$WORK/pcap.conf" -i "$SRV_IF"
check_logged "the restarted daemon removes it from the IPv6 list at its time" \
	"stanza #3 $CLI6 tcp/22: closed \\(edge6 seq $S6 removed\\)" 15
check "... which no longer has it" no6 "$S6"
stop_spagated

# 3. UDP server bound to "::": IPv6 and IPv4 on one socket, and HTTP
start "$WORK/udp.conf"
mark
send_udp "$WORK/first.spa" "$SRV6" 62201
check_logged "udp: the packet seen in pcap mode is still a replay (the store persists)" \
	"refused \\[$CLI6\\]:[0-9]+ -> $SRV6:62201 via udp: replayed packet" 5
send6 "$K1" "$H1" "$CLI6" "$SRV6" -f 6
check_logged "udp on \"::\": a -s packet over IPv6 grants the sender in spa6" \
	"stanza #1 $CLI6 tcp/22: opened \\(ipset -exist add spa6 $CLI6,tcp:22 timeout 6\\)" 5
check "the TCP connect over IPv6 succeeds once granted" connects "$SRV6" 22
mark
send_from "$CLI6" "$SRV6" "$WORK/p.spa"
check_logged "udp: a replayed packet is refused" \
	"refused \\[$CLI6\\]:[0-9]+ -> $SRV6:62201 via udp: replayed packet" 5
send6 "$K1" "$H1" "$CLI6B" "$OTHER6"
check_logged "udp: DESTINATION is checked against the datagram's own destination" \
	"refused \\[$CLI6B\\]:[0-9]+ -> $OTHER6:62201 via udp: destination not allowed" 5
send6 "$K1" "$H1" "$FAR6" "$SRV6"
check_logged "udp: a sender outside SOURCE is refused" \
	"refused \\[$FAR6\\]:[0-9]+ -> $SRV6:62201 via udp: no stanza accepts" 5
rm -f "$WORK"/hook/*
fwknop_cli --key-base64-rijndael "$K2" --key-base64-hmac "$H2" -A tcp/22 -s \
	-D "$SRV_IP" >/dev/null 2>&1
check_logged "udp on \"::\": an IPv4 packet is matched as IPv4 (not ::ffff:...)" \
	"stanza #2 $CLI_IP tcp/22: opened \\(exit 0\\)" 5
check "... its source and destination reach the hook as IPv4" hooked "$CLI_IP" "$SRV_IP"
check "... and the mapped form appears nowhere" [ "$(since_mark '::ffff:')" -eq 0 ]
pkt "$K1" "$H1" "$WORK/http.spa" -A tcp/22 -s -f 6 -P http
in_cli bash -c 'exec 3<>"/dev/tcp/$1/8062"; printf "GET /%s HTTP/1.0\r\nUser-Agent: Fwknop/2.6.10\r\nHost: [%s]\r\nConnection: close\r\n\r\n" "$(tr -d "\n" < "$2" | tr "+/" "-_")" "$1" >&3; exec 3>&-' _ "$SRV6" "$WORK/http.spa"
check_logged "http on \"::\": a request over IPv6 grants the sender" \
	"stanza #1 $CLI6 tcp/22: (opened|already open)" 5
stop_spagated
check "a clean stop closes the IPv6 grant (close_on_exit)" no_element "$CLI6"

# 4. UDP bound to one IPv6 address: datagrams to another are not read
start "$WORK/udp6.conf"
mark
send6 "$K1" "$H1" "$CLI6B" "$OTHER6"
send6 "$K1" "$H1" "$CLI6" "$SRV6" -f 4
check_logged "udp on $SRV6: a packet to it is granted" "stanza #1 $CLI6 tcp/22: opened" 5
check "... and the one sent to $OTHER6 before it never reached spagated" \
	[ "$(since_mark "$OTHER6")" -eq 0 ]
finish
