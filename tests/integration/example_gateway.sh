#!/bin/bash
# examples/gateway as shipped (its setup.sh, access.conf and spagated.conf;
# only keys, interface names and the protected host's address filled in):
# spagated on a router in front of a host that runs no daemon.
#
#   client ─────────── gateway ──────────── bridge ─┬─ protected (tcp 22, 8080)
#   10.231.100.2   10.231.100.1  10.231.101.1       │  10.231.101.2
#                  ip_forward, spagated             └─ lan host 10.231.101.3
#
# The client's SPA packet goes to the protected host's address, routed
# through the gateway; spagated sees it on the outside interface and adds
# client,tcp:22,host to spagw, which the FORWARD chain lets through.
# Then: the SPA packet never reaches the protected host, the close shuts
# the path again, a replay opens nothing, and a packet addressed to the
# gateway itself opens nothing (the filter does not pass it; with a wider
# filter, DESTINATION refuses it).
#
# Promiscuous mode: a veth delivers frames for another MAC to a packet
# socket whether promiscuous or not, so the difference cannot be shown on
# an interface of its own; but a Linux bridge device only receives frames
# of other hosts of its segment when it is promiscuous.  So spagated
# captures on the gateway's bridge while the lan host sends an SPA packet
# straight to the protected host (a frame for the protected host's MAC,
# bridged, filtered by FORWARD through br_netfilter): with promiscuous =
# false it is not seen and the path stays shut; with true it opens, and the
# bridge counts one promiscuous user only while spagated runs.  "any",
# which libpcap cannot make promiscuous, is refused with promiscuous = true.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
for t in ipset iptables; do
	command -v $t >/dev/null || skip_all "needs $t (scripts/deps test)"
done
# the bridge part: bridged packets pass FORWARD only through br_netfilter
[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] ||
	skip_all "needs bridge netfilter (the br_netfilter module)"
TCP_ACCEPT=$top_builddir/tests/tools/tcp_accept
[ -x "$TCP_ACCEPT" ] || skip_all "tests/tools/tcp_accept is not built"
EXAMPLE=$top_srcdir/examples/gateway

K=$(head -c 32 /dev/urandom | base64 -w0) H=$(head -c 64 /dev/urandom | base64 -w0)
STATE=$WORK/state
T=sgw$$			# interface names: at most 15 bytes
CLI_NS=spagw-$$-cli SRV_NS=spagw-$$-gw PROT_NS=spagw-$$-prot LAN_NS=spagw-$$-lan
WAN_IF=${T}w BR_IF=${T}br
CLI_IP=10.231.100.2 GW_IP=10.231.100.1
PROT_IP=10.231.101.2 LAN_IP=10.231.101.3 BR_IP=10.231.101.1

# veth NS-A IF-A NS-B IF-B: a cable between two namespaces
veth() { ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"; }
# host NS IF ADDRESS GATEWAY: an address, a default route, links up
host() {
	ip -n "$1" addr add "$3/24" dev "$2" && ip -n "$1" link set lo up &&
		ip -n "$1" link set "$2" up && ip -n "$1" route add default via "$4"
}
topology() {
	local ns
	for ns in "$CLI_NS" "$SRV_NS" "$PROT_NS" "$LAN_NS"; do
		ip netns add "$ns" || return 1
		on_exit "ip netns del $ns"
	done
	veth "$SRV_NS" "$WAN_IF" "$CLI_NS" "${T}c" &&
		veth "$SRV_NS" "${T}p" "$PROT_NS" "${T}q" &&
		veth "$SRV_NS" "${T}l" "$LAN_NS" "${T}m" &&
		ip -n "$SRV_NS" link add "$BR_IF" type bridge &&
		ip -n "$SRV_NS" link set "${T}p" master "$BR_IF" up &&
		ip -n "$SRV_NS" link set "${T}l" master "$BR_IF" up &&
		ip -n "$SRV_NS" addr add "$GW_IP/24" dev "$WAN_IF" &&
		ip -n "$SRV_NS" addr add "$BR_IP/24" dev "$BR_IF" &&
		ip -n "$SRV_NS" link set "$WAN_IF" up && ip -n "$SRV_NS" link set "$BR_IF" up &&
		ip -n "$SRV_NS" link set lo up &&
		in_srv sysctl -qw net.ipv4.ip_forward=1 &&
		in_srv sysctl -qw net.bridge.bridge-nf-call-iptables=1 &&
		host "$CLI_NS" "${T}c" "$CLI_IP" "$GW_IP" &&
		host "$PROT_NS" "${T}q" "$PROT_IP" "$BR_IP" &&
		host "$LAN_NS" "${T}m" "$LAN_IP" "$BR_IP"
}

# fill FILE: the example's file with this test's keys, names and addresses
fill() {
	sed -e "s|REPLACE_WITH_KEY_BASE64|$K|" -e "s|REPLACE_WITH_HMAC_KEY_BASE64|$H|" \
		-e "s|192\\.0\\.2\\.10|$PROT_IP|g" -e "s|interface = \"eth0\"|interface = \"$WAN_IF\"|" \
		"$EXAMPLE/$1"
}
write_conf() {
	fill access.conf > "$WORK/access.conf"
	chmod 600 "$WORK/access.conf"
	fill spagated.conf > "$WORK/spagated.conf"
	# variants: any destination passes the filter; capture on the bridge
	sed 's|^\( *filter = \).*|\1"udp port 62201";|' "$WORK/spagated.conf" > "$WORK/wide.conf"
	sed "s|interface = \"$WAN_IF\"|interface = \"$BR_IF\"|" "$WORK/spagated.conf" > "$WORK/bridge.conf"
	sed 's|promiscuous = false|promiscuous = true|' "$WORK/bridge.conf" > "$WORK/promisc.conf"
	sed "s|interface = \"$BR_IF\"|interface = \"any\"|" "$WORK/promisc.conf" > "$WORK/any.conf"
}

# parse_config ACCESS: spagated's verdict on the example's files (exit
# status), where its capture interface is
parse_config() {
	in_srv "$SPAGATED" -c "$WORK/spagated.conf" -a "$1" -d "$STATE" -p "$WORK/spagated.pid" \
		--exit-parse-config >"$WORK/parse.out" 2>&1
}

start() { # start CONF
	start_spagated -c "$1" -a "$WORK/access.conf" -d "$STATE" -p "$WORK/spagated.pid" ||
		bail_out "spagated did not start"
}

spa() { # spa NS [fwknop options]: an SPA packet with the example's keys
	local ns=$1; shift
	ip netns exec "$ns" fwknop --no-rc-file --no-save-args \
		--key-base64-rijndael "$K" --key-base64-hmac "$H" "$@" >/dev/null 2>&1
}

connects() { # connects NS HOST PORT: one TCP connect, 1 s limit
	ip netns exec "$1" timeout 1 bash -c \
		'exec 3<>"/dev/tcp/$1/$2" && read -r l <&3 && [ "$l" = ok ]' _ "$2" "$3" 2>/dev/null
}
refused() { ! connects "$@"; }
# the first connect may wait for ARP and the bridge to settle
connects_soon() { connects "$@" || { sleep 0.5; connects "$@"; }; }

# element_timeout ELEMENT: its remaining seconds in spagw, empty if absent
element_timeout() {
	in_srv ipset list spagw | awk -v e="$1" '$1 == e { for (i = 2; i < NF; i++) if ($i == "timeout") print $(i + 1) }'
}
has_element() { [ -n "$(element_timeout "$1")" ]; }
no_element() { ! has_element "$1"; }
within() { [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
# UDP datagrams that reached the protected host for a closed port
udp_noports() {
	ip netns exec "$PROT_NS" awk '$1 == "Udp:" { if (!c) { for (i = 2; i <= NF; i++) if ($i == "NoPorts") c = i } else print $c }' /proc/net/snmp
}
not_logged() { ! wait_logged "$@"; }
promiscuity() { # the bridge's count of promiscuous users
	in_srv ip -d link show "$BR_IF" | grep -o 'promiscuity [0-9]*' | cut -d' ' -f2
}
setup_sh() { in_srv env SPA_PROTECTED="$PROT_IP" sh "$EXAMPLE/setup.sh" "$@"; }
forward_rules() { in_srv iptables -S FORWARD | grep -c -- "$1"; }
# the example's set and rules, as the kernel has them
gw_made() {
	in_srv ipset list -t spagw | grep -qx 'Type: hash:ip,port,ip' &&
	in_srv ipset list -t spagw | grep -q '^Header: family inet ' &&
	[ "$(forward_rules "-d $PROT_IP/32 -p tcp .*--dport 22 .*-j spagate-gw")" -eq 1 ] &&
	[ "$(forward_rules "-d $PROT_IP/32 -p udp .*--dport 62201 .*-j DROP")" -eq 1 ] &&
	in_srv iptables -S spagate-gw | grep -q -- '--match-set spagw src,dst,dst -j ACCEPT'
}
# outlive ELEMENT: its kernel timeout raised past any cycle here (only a
# del removes it from now on), if it is there
outlive() { has_element "$1" && in_srv ipset -exist add spagw "$1" timeout 300; }
setup_again() {
	setup_sh && [ "$(forward_rules '-j spagate-gw')" -eq 1 ] &&
		[ "$(forward_rules '--dport 62201 .*-j DROP')" -eq 1 ]
}
removed() { ! in_srv iptables -S | grep -q spagate-gw && ! in_srv ipset list spagw >/dev/null 2>&1; }
lan_shut() { no_element "$EL" && refused "$LAN_NS" "$PROT_IP" 22; }

plan 34
topology || bail_out "cannot build the namespaces"
write_conf
EC=$CLI_IP,tcp:22,$PROT_IP EL=$LAN_IP,tcp:22,$PROT_IP

# 0. the example's setup and its load-time checks
check "the example's setup.sh creates spagw and the FORWARD rules (ipset list, iptables -S)" \
	eval 'setup_sh && gw_made'
check "setup.sh run again leaves one jump and one SPA drop" setup_again
install -m 600 "$EXAMPLE/access.conf" "$WORK/shipped.conf"
if ! parse_config "$WORK/shipped.conf" && grep -qF "KEY_BASE64 is not valid base64" "$WORK/parse.out"; then
	ok "the example with its placeholder keys is refused"
else
	not_ok "the example with its placeholder keys is refused"; diag "$(cat "$WORK/parse.out")"
fi
check "the example with keys filled in loads" parse_config "$WORK/access.conf"

ip netns exec "$PROT_NS" "$TCP_ACCEPT" 22 >/dev/null 2>&1 &
on_exit "kill $!"
ip netns exec "$PROT_NS" "$TCP_ACCEPT" 8080 >/dev/null 2>&1 &
on_exit "kill $!"
on_exit "ip netns exec $SRV_NS sh '$EXAMPLE/setup.sh' remove"
start "$WORK/spagated.conf"

# 1. routed: dropped, opened by a packet addressed to the protected host, closed
check "the gateway forwards to the protected host (tcp/8080 is not guarded)" \
	connects_soon "$CLI_NS" "$PROT_IP" 8080
check "tcp/22 of the protected host is dropped before any SPA packet" \
	refused "$CLI_NS" "$PROT_IP" 22
noports=$(udp_noports)
mark
t0=$(date +%s)
spa "$CLI_NS" -A tcp/22 -a "$CLI_IP" -f 5 -D "$PROT_IP"
check_logged "a packet sent to the protected host opens the path on the gateway" \
	"stanza #1 $CLI_IP tcp/22: opened \\(ipset -exist add spagw $EC timeout 5\\)" 5
t=$(element_timeout "$EC")
check "ipset list spagw shows $EC (5 s, got ${t:-none})" within "$t" 2 5
check "the TCP connect to the protected host succeeds once granted" \
	connects "$CLI_NS" "$PROT_IP" 22
check "the lan host is not let in by the client's grant" refused "$LAN_NS" "$PROT_IP" 22
check "the SPA packet stopped at the gateway (protected host: $(udp_noports) udp to closed ports, was $noports)" \
	[ "$(udp_noports)" = "$noports" ]
outlive "$EC"
check "the close deletes the element from spagw (ipset list; its kernel timeout was 300 s)" \
	wait_ok 10 no_element "$EC"
check "... when the grant ends, not before (-f 5)" [ "$(date +%s)" -ge $((t0 + 5)) ]
check_logged "the close is logged, through the ipset module" \
	"stanza #1 $CLI_IP tcp/22: closed \\(ipset del spagw $EC" 2
check "tcp/22 of the protected host is dropped again" refused "$CLI_NS" "$PROT_IP" 22

# 2. a replay of a packet that was granted opens nothing
spa "$CLI_NS" -A tcp/22 -a "$CLI_IP" -f 3 -D "$PROT_IP" -T -B "$WORK/once.pkt"
mark
send_udp "$WORK/once.pkt" "$PROT_IP" 62201
wait_logged "stanza #1 $CLI_IP tcp/22: opened" 5
send_udp "$WORK/once.pkt" "$PROT_IP" 62201
check_logged "the same packet again is refused as a replay" \
	"refused $CLI_IP:[0-9]+ -> $PROT_IP:62201 via udp: replayed packet" 5
check "the replay opened nothing" [ "$(since_mark 'accepted by stanza')" -eq 1 ]
wait_logged "stanza #1 $CLI_IP tcp/22: closed" 8

# 3. a packet addressed to the gateway itself: the filter does not pass it
mark
spa "$CLI_NS" -A tcp/22 -a "$CLI_IP" -f 3 -D "$GW_IP"
spa "$CLI_NS" -A tcp/22 -a "$CLI_IP" -f 3 -D "$PROT_IP"
wait_logged "stanza #1 $CLI_IP tcp/22: opened" 5
check "a packet to the gateway's own address is not even seen" \
	[ "$(since_mark "-> $GW_IP:")" -eq 0 -a "$(since_mark 'accepted by stanza')" -eq 1 ]
check "and opens no path to the gateway" no_element "$CLI_IP,tcp:22,$GW_IP"
stop_spagated

# ... and with a filter that passes it, DESTINATION refuses it
start "$WORK/wide.conf"
mark
spa "$CLI_NS" -A tcp/22 -a "$CLI_IP" -f 3 -D "$GW_IP"
check_logged "with a wider filter, DESTINATION refuses a packet to the gateway" \
	"refused $CLI_IP:[0-9]+ -> $GW_IP:62201 via udp: destination not allowed by the stanza" 5
check "nothing was opened for it" \
	[ "$(since_mark 'opened')" -eq 0 -a -z "$(element_timeout "$CLI_IP,tcp:22,$GW_IP")" ]
stop_spagated

# 4. on the bridge: the lan host's packet to the protected host is bridged
check "the bridge carries the lan host to the protected host (tcp/8080)" \
	connects_soon "$LAN_NS" "$PROT_IP" 8080
check "tcp/22 is dropped on the bridge too (FORWARD through br_netfilter)" \
	refused "$LAN_NS" "$PROT_IP" 22
start "$WORK/bridge.conf"
check "promiscuous = false: the bridge has no promiscuous user" [ "$(promiscuity)" = 0 ]
mark
spa "$LAN_NS" -A tcp/22 -a "$LAN_IP" -f 30 -D "$PROT_IP"
not_logged "$LAN_IP" 3		# time to be seen, were it captured
check "promiscuous = false: no path opens" lan_shut
stop_spagated
check "promiscuous = false: the frame for the protected host's MAC was not captured" \
	[ "$(since_mark 'verifier info: packets 0, ')" -eq 1 -a "$(since_mark "$LAN_IP")" -eq 0 ]

start "$WORK/promisc.conf"
check "promiscuous = true: the bridge is promiscuous while spagated runs" [ "$(promiscuity)" = 1 ]
mark
spa "$LAN_NS" -A tcp/22 -a "$LAN_IP" -f 30 -D "$PROT_IP"
check_logged "promiscuous = true: the same packet is seen and opens the path" \
	"stanza #1 $LAN_IP tcp/22: opened \\(ipset -exist add spagw $EL timeout 30\\)" 5
check "and the lan host connects to tcp/22 through the bridge" connects "$LAN_NS" "$PROT_IP" 22
check "its element is in spagw when spagated stops (30 s grant)" has_element "$EL"
stop_spagated
check "the bridge is not promiscuous after spagated stops" [ "$(promiscuity)" = 0 ]
check "the stop closed the pending grant (close_on_exit)" no_element "$EL"

# ... and "any" cannot be promiscuous: refused rather than silently not
in_srv timeout 5 "$SPAGATED" -f -c "$WORK/any.conf" -a "$WORK/access.conf" -d "$STATE" \
	-p "$WORK/any.pid" >"$WORK/any.out" 2>&1
check "promiscuous = true on interface \"any\" is refused at start" \
	grep -qF "cannot open capture: any: promiscuous mode needs a named interface" "$WORK/any.out"

# 5. removal
setup_sh remove
check "setup.sh remove leaves no rule, chain or set" removed
finish
