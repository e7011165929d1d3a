#!/bin/bash
# The nft module for real, in the server namespace's own ruleset (an
# inet spagate table: an allow set of address . protocol . port with
# timeouts, an accept on it and a drop for the ports, an IPv6 set and a
# NAT map beside it): the fwknop client's packet adds the element
# through libnftables, a TCP connect that was dropped succeeds, nft list
# set shows the element, and after the timer it is gone and the connect
# fails again.  A typo'd set refuses the load with file:line and the
# kernel's reason; 12 ports in one packet go as one transaction (the
# module's log line counts them); one element the kernel refuses among
# good ones fails only its own cycle.  spagated runs inside the
# namespace, so only the namespace's ruleset is touched.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
command -v nft >/dev/null || skip_all "needs nft (scripts/deps test)"
TCP_ACCEPT=$top_builddir/tests/tools/tcp_accept
[ -x "$TCP_ACCEPT" ] || skip_all "tests/tools/tcp_accept is not built"

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64) K2=$(b64key 32) H2=$(b64key 64)
STATE=$WORK/state
PORTS=$(seq -s, -f 'tcp/%g' 1 12)

write_ruleset() {
	cat > "$WORK/ruleset.nft" <<'NFT'
table inet spagate {
	set allow {
		type ipv4_addr . inet_proto . inet_service
		flags timeout
	}
	set allow6 {
		type ipv6_addr . inet_proto . inet_service
		flags timeout
	}
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr . meta l4proto . th dport @allow accept
		ip6 saddr . meta l4proto . th dport @allow6 accept
		tcp dport { 1-22 } drop
	}
}
table ip spagate {
	map nat4 {
		type ipv4_addr . inet_service : ipv4_addr . inet_service
	}
}
NFT
}

write_conf() {
	cat > "$WORK/access.conf" <<CONF
# 1: the allow set, IPv4 and IPv6 (nft.sh)
SOURCE ANY
KEY_BASE64 $K1
HMAC_KEY_BASE64 $H1
CMD_CYCLE_OPEN nft add element inet spagate allow { \$SRC . \$PROTO . \$PORT timeout \${CLIENT_TIMEOUT}s }
CMD_CYCLE_CLOSE nft delete element inet spagate allow { \$SRC . \$PROTO . \$PORT }
CMD_CYCLE_TIMER 4

# 2: create: fails for an element already there
SOURCE ANY
KEY_BASE64 $K2
HMAC_KEY_BASE64 $H2
CMD_CYCLE_OPEN nft create element inet spagate allow { \$SRC . \$PROTO . \$PORT timeout 30s }
CMD_CYCLE_CLOSE nft delete element inet spagate allow { \$SRC . \$PROTO . \$PORT }
CMD_CYCLE_TIMER 4
CONF
	chmod 600 "$WORK/access.conf"
	: > "$WORK/spagated.conf"
}

start() {
	start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
		-p "$WORK/spagated.pid" -i "$SRV_IF" || bail_out "spagated did not start"
}
spa4() { # spa4 KEY HMAC [client options]
	local k=$1 h=$2; shift 2
	fwknop_cli --key-base64-rijndael "$k" --key-base64-hmac "$h" -D "$SRV_IP" "$@" >/dev/null 2>&1
}
connects() {
	in_cli timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2" && read -r l <&3 && [ "$l" = ok ]' _ "$1" "$2" 2>/dev/null
}
refused() { ! connects "$@"; }
listed() { in_srv nft list set inet spagate allow | grep -qF "$1"; }
not_listed() { ! listed "$1"; }
alive() { kill -0 "$SPAGATED_PID" 2>/dev/null; }
# parse_config FILE: spagated's verdict on an access.conf, in the namespace
parse_config() {
	in_srv "$SPAGATED" -c "$WORK/spagated.conf" -a "$1" -d "$STATE" \
		-p "$WORK/spagated.pid" --exit-parse-config >"$WORK/parse.out" 2>&1
}

plan 15
netns_pair 23 || skip_all "cannot create network namespaces"
write_ruleset
write_conf
check "the ruleset loads in the server namespace" in_srv nft -f "$WORK/ruleset.nft"
check "the configuration loads (checked by the kernel's dry run)" parse_config "$WORK/access.conf"
sed 's/allow {/alow {/' "$WORK/access.conf" > "$WORK/typo.conf"
chmod 600 "$WORK/typo.conf"
line=$(grep -n -m1 '^SOURCE' "$WORK/typo.conf" | cut -d: -f1)
if ! parse_config "$WORK/typo.conf" &&
	grep -q "typo.conf:$line: stanza #1: CMD_CYCLE_OPEN: nft: the kernel refused .*alow.*: No such file or directory; did you mean set .allow." "$WORK/parse.out"; then
	ok "a typo'd set refuses the load with file:line and the kernel's reason"
else
	not_ok "a typo'd set refuses the load with file:line and the kernel's reason"
	diag "$(cat "$WORK/parse.out")"
fi

for p in $(seq 1 22); do
	ip netns exec "$SRV_NS" "$TCP_ACCEPT" "$p" >/dev/null 2>&1 &
	on_exit "kill $!"
done
start

# 1. one grant: dropped, opened, listed, closed, dropped again
E4="$CLI_IP . tcp . 22"
check "tcp/22 is dropped before any SPA packet" refused "$SRV_IP" 22
mark
spa4 "$K1" "$H1" -A tcp/22 -a "$CLI_IP" -f 4
check_logged "the SPA packet is carried out by the nft module" \
	"stanza #1 $CLI_IP tcp/22: opened \\(nft add element inet spagate allow \\{ $CLI_IP \\. 6 \\. 22 timeout 4s \\}\\)" 5
check "the TCP connect succeeds once granted" connects "$SRV_IP" 22
check "nft list set shows the element" listed "$E4"
check "the close removes the element (nft list set)" wait_ok 12 not_listed "$E4"
check "tcp/22 is dropped again" refused "$SRV_IP" 22

# 2. 21 ports in one packet: one transaction
mark
spa4 "$K1" "$H1" -A "$PORTS" -a "$CLI_IP" -f 30
check_logged "12 element commands of one pass go in one transaction" \
	"nft: 12 element commands in 1 transaction$" 5
wait_logged "tcp/12: opened" 5
check "every port of the packet connects" \
	eval 'for p in $(seq 1 12); do connects "$SRV_IP" $p || exit 1; done'

# 3. one element the kernel refuses among good ones fails alone
# (another address: the cycles above still hold the client's)
A=192.0.2.50
in_srv nft add element inet spagate allow "{ $A . tcp . 7 timeout 60s }"
mark
spa4 "$K2" "$H2" -A "$PORTS" -a "$A"
check_logged "the element already there fails its own cycle, with the kernel's reason" \
	"stanza #2 $A tcp/7: open failed \\(nft create element .* 7 timeout 30s \\}: Could not process rule: File exists\\)" 5
wait_logged "tcp/12: opened" 5
check "every other port of the packet was opened" [ "$(since_mark 'stanza #2 .* opened \(nft create')" -eq 11 ]

# 4. a close whose element is gone is a close
mark
in_srv nft delete element inet spagate allow "{ $A . tcp . 3 }"
check_logged "a close finds its element gone: absent, not failed" \
	"tcp/3: closed \\(nft delete element .* 3 \\}: not in the set \\(expired already\\)\\)" 10
check "the daemon is still running after every failure" alive
finish
