#!/bin/bash
# The nft module for real, on the shipped example (examples/nftables: its
# ruleset.nft, access.conf and spagated.conf, only the keys filled in),
# in the server namespace's own ruleset: the fwknop client's packet adds
# the element to allow4 through libnftables, a TCP connect that was
# dropped succeeds, nft list set shows the element, and after the grant
# it is gone and the connect fails again.  IPv6 the same way through
# allow6, with a -s packet carried over IPv6 (the stock client neither
# writes an IPv6 address nor sends over IPv6; see ipset.sh).  Stanzas of
# the test's own beside the example: a NAT map whose element carries its
# value and goes at the close; 25 packets sent at once whose elements go
# in fewer transactions than commands; 12 ports of one packet in one
# transaction; one element the kernel refuses among good ones fails only
# its own cycle, and the metrics file counts it; a close whose element
# is gone is a close.  Refused at
# load with file:line: a typo'd set (the kernel's answer) and a map named
# with an nft keyword (nft's syntax error).  spagated runs inside the
# namespace, so only the namespace's ruleset is touched.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
command -v nft >/dev/null || skip_all "needs nft (scripts/deps test)"
command -v python3 >/dev/null || skip_all "needs python3 (scripts/deps test)"
TCP_ACCEPT=$top_builddir/tests/tools/tcp_accept
[ -x "$TCP_ACCEPT" ] || skip_all "tests/tools/tcp_accept is not built"
EXAMPLE=$top_srcdir/examples/nftables

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64) K2=$(b64key 32) H2=$(b64key 64)
K3=$(b64key 32) H3=$(b64key 64) K4=$(b64key 32) H4=$(b64key 64)
STATE=$WORK/state
PORTS=$(seq -s, -f 'tcp/%g' 1 12)
BURST=25

# The test's own objects beside the example's: a drop for the ports of
# section 5, and a NAT map in a table of its own.
extra_ruleset() {
	in_srv nft add rule inet spagate input tcp dport 1-21 drop &&
	in_srv nft -f - <<'NFT'
table ip spanat {
	map nat4 {
		type ipv4_addr . inet_service : ipv4_addr . inet_service
	}
}
NFT
}

# The example as shipped with keys filled in (its two stanzas share
# them: SOURCE tells IPv4 from IPv6), then stanzas of the test's own.
write_conf() {
	sed -e "s|REPLACE_WITH_KEY_BASE64|$K1|" -e "s|REPLACE_WITH_HMAC_KEY_BASE64|$H1|" \
		"$EXAMPLE/access.conf" > "$WORK/access.conf"
	cat >> "$WORK/access.conf" <<CONF

# 3: create: fails for an element already there
SOURCE ANY
KEY_BASE64 $K2
HMAC_KEY_BASE64 $H2
CMD_CYCLE_OPEN nft create element inet spagate allow4 { \$SRC . \$PROTO . \$PORT timeout 30s }
CMD_CYCLE_CLOSE nft delete element inet spagate allow4 { \$SRC . \$PROTO . \$PORT }
CMD_CYCLE_TIMER 4

# 4: a DNAT map: the client's address and port to 10.9.8.7:22
SOURCE ANY
KEY_BASE64 $K3
HMAC_KEY_BASE64 $H3
CMD_CYCLE_OPEN nft add element ip spanat nat4 { \$SRC . \$PORT : 10.9.8.7 . 22 }
CMD_CYCLE_CLOSE nft delete element ip spanat nat4 { \$SRC . \$PORT }
CMD_CYCLE_TIMER 4

# 5: the burst: elements that outlive the section
SOURCE ANY
KEY_BASE64 $K4
HMAC_KEY_BASE64 $H4
CMD_CYCLE_OPEN nft add element inet spagate allow4 { \$SRC . \$PROTO_NAME . \$PORT timeout 60s }
CMD_CYCLE_CLOSE nft delete element inet spagate allow4 { \$SRC . \$PROTO_NAME . \$PORT }
CMD_CYCLE_TIMER 60
CONF
	chmod 600 "$WORK/access.conf"
	cp "$EXAMPLE/spagated.conf" "$WORK/spagated.conf"
	printf 'metrics = { file = "%s"; interval = 1; };\n' "$WORK/metrics.prom" >>"$WORK/spagated.conf"
}

start() {
	start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
		-p "$WORK/spagated.pid" -i "$SRV_IF" || bail_out "spagated did not start"
}
spa() { # spa KEY HMAC [client options]
	local k=$1 h=$2; shift 2
	fwknop_cli --key-base64-rijndael "$k" --key-base64-hmac "$h" "$@" >/dev/null 2>&1
}
spa4() { spa "$@" -D "$SRV_IP"; }
connects() {
	in_cli timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2" && read -r l <&3 && [ "$l" = ok ]' _ "$1" "$2" 2>/dev/null
}
refused() { ! connects "$@"; }
# listed SET ELEMENT (grep -F on nft list; a map is named "map:NAME")
listed() {
	case $1 in
	map:*) in_srv nft list map ip spanat "${1#map:}" ;;
	*) in_srv nft list set inet spagate "$1" ;;
	esac | grep -qF -- "$2"
}
not_listed() { ! listed "$@"; }
alive() { kill -0 "$SPAGATED_PID" 2>/dev/null; }
# nft_metrics_say FAILED: the metrics file counts FAILED refused element
# commands, and fewer transactions than element commands
nft_metrics_say() {
	awk -v f="$1" '$1 == "spagate_nft_element_commands_total" { c = $2 }
		$1 == "spagate_nft_transactions_total" { t = $2 }
		$1 == "spagate_nft_elements_failed_total" { e = $2 }
		END { exit !(e == f && t > 0 && t < c) }' "$WORK/metrics.prom" 2>/dev/null
}
# the example's table as the kernel has it, loaded once or twice
example_made() {
	local t
	t=$(in_srv nft list table inet spagate) &&
	grep -q 'set allow4 {' <<<"$t" && grep -q 'set allow6 {' <<<"$t" &&
	grep -q 'ip saddr . meta l4proto . th dport @allow4 accept' <<<"$t" &&
	grep -q 'ip6 saddr . meta l4proto . th dport @allow6 accept' <<<"$t" &&
	[ "$(grep -c 'tcp dport 22 drop' <<<"$t")" -eq 1 ]
}
# parse_config FILE: spagated's verdict on an access.conf, in the namespace
parse_config() {
	in_srv "$SPAGATED" -c "$WORK/spagated.conf" -a "$1" -d "$STATE" \
		-p "$WORK/spagated.pid" --exit-parse-config >"$WORK/parse.out" 2>&1
}
# check_refused DESCRIPTION FILE REASON: refused, saying why (grep -E)
check_refused() {
	if ! parse_config "$2" && grep -qE -- "$3" "$WORK/parse.out"; then
		ok "$1"
	else
		not_ok "$1"; diag "$(cat "$WORK/parse.out")"
	fi
}
# sum_logged N|M: the element commands (N) or the transactions (M) of
# the module's log lines since the mark
sum_logged() {
	tail -n +$((MARK + 1)) "$WORK/log" | sed -nE \
		's/.*nft: ([0-9]+) element commands? in ([0-9]+) transactions?$/\1 \2/p' |
		awk -v f="$1" '{ s += (f == "N" ? $1 : $2) } END { print s + 0 }'
}

plan 33
netns_pair 23 || skip_all "cannot create network namespaces"
SRV_IP6=fd00:231:23::1 CLI_IP6=fd00:231:23::2
ip -n "$SRV_NS" addr add "$SRV_IP6/64" dev "$SRV_IF" nodad &&
	ip -n "$CLI_NS" addr add "$CLI_IP6/64" dev "$CLI_IF" nodad ||
	bail_out "cannot give the namespaces IPv6 addresses"
write_conf

# 0. the example's ruleset and the load-time checks
check "the example's ruleset.nft loads: table, sets, accepts, the drop (nft list)" \
	eval 'in_srv nft -f "$EXAMPLE/ruleset.nft" && example_made'
check "loading it again replaces the table (one drop rule)" \
	eval 'in_srv nft -f "$EXAMPLE/ruleset.nft" && example_made'
extra_ruleset || bail_out "cannot add the test's rule and map"
install -m 600 "$EXAMPLE/access.conf" "$WORK/shipped.conf"
check_refused "the example with its placeholder keys is refused" \
	"$WORK/shipped.conf" "KEY_BASE64 is not valid base64"
check "the example with keys filled in loads (checked by the kernel's dry run)" \
	parse_config "$WORK/access.conf"
sed 's/allow4 {/alow4 {/' "$WORK/access.conf" > "$WORK/typo.conf"
chmod 600 "$WORK/typo.conf"
check_refused "a typo'd set refuses the load with file:line and the kernel's reason" \
	"$WORK/typo.conf" "typo.conf:$(grep -n -m1 '^CMD_CYCLE_OPEN' "$WORK/typo.conf" | cut -d: -f1): stanza #1: CMD_CYCLE_OPEN: nft: the kernel refused .*alow4.*: No such file or directory; did you mean set .allow4."
sed 's/ nat4 {/ dnat {/' "$WORK/access.conf" > "$WORK/keyword.conf"
chmod 600 "$WORK/keyword.conf"
check_refused "a map named dnat (an nft keyword) refuses the load with nft's syntax error" \
	"$WORK/keyword.conf" "stanza #4: CMD_CYCLE_OPEN: nft: .*syntax error, unexpected dnat"

for p in $(seq 1 22); do
	ip netns exec "$SRV_NS" "$TCP_ACCEPT" "$p" >/dev/null 2>&1 &
	on_exit "kill $!"
done
start

# 1. IPv4 through allow4: dropped, opened, listed, closed, dropped again
E4="$CLI_IP . tcp . 22"
check "tcp/22 is dropped before any SPA packet" refused "$SRV_IP" 22
mark
spa4 "$K1" "$H1" -A tcp/22 -a "$CLI_IP" -f 4
check_logged "the SPA packet is carried out by the nft module" \
	"stanza #1 $CLI_IP tcp/22: opened \\(nft create element inet spagate allow4 \\{ $CLI_IP \\. tcp \\. 22 timeout 4s \\}\\)" 5
check "the TCP connect succeeds once granted" connects "$SRV_IP" 22
check "nft list set allow4 shows the element" listed allow4 "$E4"
check "the close removes the element (nft list set)" wait_ok 12 not_listed allow4 "$E4"
check "tcp/22 is dropped again" refused "$SRV_IP" 22

# 2. IPv6 through allow6: a -s packet arriving over IPv6 grants its source
E6="$CLI_IP6 . tcp . 22"
check "tcp/22 over IPv6 is dropped before any SPA packet" refused "$SRV_IP6" 22
mark
spa "$K1" "$H1" -A tcp/22 -s -f 4 -D "$SRV_IP" -T -B "$WORK/v6.pkt"
send_udp "$WORK/v6.pkt" "$SRV_IP6" 62201
check_logged "an SPA packet over IPv6 opens through allow6" \
	"stanza #2 $CLI_IP6 tcp/22: opened \\(nft create element inet spagate allow6 \\{ $CLI_IP6 \\. tcp \\. 22 timeout 4s \\}\\)" 5
check "nft list set allow6 shows the IPv6 element" listed allow6 "$E6"
check "the IPv6 TCP connect succeeds once granted" connects "$SRV_IP6" 22
check "the IPv6 close removes the element" wait_ok 12 not_listed allow6 "$E6"
check "tcp/22 over IPv6 is dropped again" refused "$SRV_IP6" 22

# 3. the map: the element carries its value, the close takes it away
M="$CLI_IP . 2222 : 10.9.8.7 . 22"
mark
spa4 "$K3" "$H3" -A tcp/2222 -a "$CLI_IP" -f 3
check_logged "a map element is opened" \
	"stanza #4 $CLI_IP tcp/2222: opened \\(nft add element ip spanat nat4 \\{ $CLI_IP \\. 2222 : 10\\.9\\.8\\.7 \\. 22 \\}\\)" 5
check "nft list map shows the element with its value" listed map:nat4 "$M"
check_logged "the map element's close is logged" \
	"stanza #4 $CLI_IP tcp/2222: closed \\(nft delete element ip spanat nat4" 10
check "the close removes the map element" not_listed map:nat4 "$CLI_IP . 2222"

# 4. a burst: 25 packets written at once, from one process, as fast as
# it can; how the verifier and the loop split them into passes is not
# ours to fix, so what is asserted is what a batch guarantees: every
# element is there, in fewer transactions than element commands.
for i in $(seq 1 $BURST); do
	spa "$K4" "$H4" -A tcp/22 -a "198.51.100.$i" -D "$SRV_IP" -T -B "$WORK/burst.$i"
done
mark
in_cli python3 - "$SRV_IP" 62201 "$WORK"/burst.* <<'PY'
import socket, sys
host, port, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
pkts = [open(f, "rb").read().rstrip(b"\n") for f in files]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for p in pkts:
    s.sendto(p, (host, port))
PY
wait_logged "stanza #5 198\\.51\\.100\\.[0-9]+ tcp/22: opened" $BURST 15
check "every element of the $BURST-packet burst is in allow4" eval \
	'for i in $(seq 1 $BURST); do listed allow4 "198.51.100.$i . tcp . 22" || exit 1; done'
n=$(sum_logged N) m=$(sum_logged M)
check "the burst went in fewer transactions ($m) than element commands ($n)" \
	[ "$n" -ge $BURST -a "$m" -lt "$n" ]

# 5. 12 ports in one packet: one transaction (stanza #5: the example's
# allow only tcp/22)
mark
spa4 "$K4" "$H4" -A "$PORTS" -a "$CLI_IP" -f 30
check_logged "12 element commands of one pass go in one transaction" \
	"nft: 12 element commands in 1 transaction$" 5
wait_logged "tcp/12: opened" 5
check "every port of the packet connects" \
	eval 'for p in $(seq 1 12); do connects "$SRV_IP" $p || exit 1; done'

# 6. one element the kernel refuses among good ones fails alone
# (another address: the cycles above still hold the client's)
A=192.0.2.50
in_srv nft add element inet spagate allow4 "{ $A . tcp . 7 timeout 60s }"
mark
spa4 "$K2" "$H2" -A "$PORTS" -a "$A"
check_logged "the element already there fails its own cycle, with the kernel's reason" \
	"stanza #3 $A tcp/7: open failed \\(nft create element .* 7 timeout 30s \\}: Could not process rule: File exists\\)" 5
wait_logged "tcp/12: opened" 5
check "every other port of the packet was opened" [ "$(since_mark 'stanza #3 .* opened \(nft create')" -eq 11 ]
# (7.'s element goes now, well before these cycles close, 4 s on)
mark
in_srv nft delete element inet spagate allow4 "{ $A . tcp . 3 }"
check "the metrics file counts the refused element and fewer transactions than commands" \
	wait_ok 5 nft_metrics_say 1

# 7. a close whose element is gone is a close
check_logged "a close finds its element gone: absent, not failed" \
	"tcp/3: closed \\(nft delete element .* 3 \\}: not in the set \\(expired already\\)\\)" 10

# 8. an element already there with a short expiry (added by hand) gets
# the grant's whole time: the create finds it, and it is refreshed
B=192.0.2.60
in_srv nft add element inet spagate allow4 "{ $B . tcp . 22 timeout 3s }"
mark
spa4 "$K4" "$H4" -A tcp/22 -a "$B"
check_logged "a create that finds its element there is sent again as add, delete, add" \
	"stanza #5 $B tcp/22: opened \\(nft add element inet spagate allow4 \\{ $B \\. tcp \\. 22 timeout 60s \\}\\)" 5
check "the element has the grant's 60 s, not the 3 s it had" nft_expires_over "inet spagate" allow4 "$B . tcp . 22" 30
check "the daemon is still running after every failure" alive
finish
