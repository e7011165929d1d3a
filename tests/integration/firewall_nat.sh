#!/bin/bash
# Forwarding NAT through the built-in firewall (firewall.backend =
# "nftables", or "iptables" when firewall_nat_iptables.sh runs this file;
# nat.forwarding = true), as fwknopd makes it for fwknop -N, for Debian's
# stock access.conf with only its keys filled in:
#
#   client ────────── gateway (spagated, ip_forward) ────────── internal
#   10.231.112.2   10.231.112.1   10.231.113.1            10.231.113.2 tcp/22
#
# The gateway forwards nothing by policy (its own table, as an admin's
# ruleset would, accepting spagated's mark).  Before the SPA packet the
# internal service is not reachable through the gateway's port 5022, nor
# directly; after `fwknop -N 10.231.113.2:22 -A tcp/5022` from the real
# client it is, through the gateway, for the granted client only; after
# the timeout it is not.  Before that, with nat.dns (nftables run only),
# the same request to a name, inside.test, reaches the internal host
# through the address the gateway's hosts file gives it (ip netns exec
# shows spagated /etc/netns/NS/hosts as /etc/hosts); a name it does not
# know refuses that one grant, as does a name with an IPv6 address only,
# and nat.dns off refuses the name.  Then, with an internal host that has
# no route back to the client, firewall.snat (MASQUERADE, then SNAT to
# firewall.snat_address) makes the reply find its way; without it the
# same grant's connection cannot complete.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
FW_BACKEND=${FW_BACKEND:-nftables}
for t in nft iptables; do
	command -v $t >/dev/null || skip_all "needs $t (scripts/deps test)"
done
TCP_ACCEPT=$top_builddir/tests/tools/tcp_accept
[ -x "$TCP_ACCEPT" ] || skip_all "tests/tools/tcp_accept is not built"

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64)
T=sfn$$
CLI_NS=spafn-$$-cli SRV_NS=spafn-$$-gw INT_NS=spafn-$$-int
CLI_IP=10.231.112.2 CLI_IP2=10.231.112.3 GW_IP=10.231.112.1
GW_IN=10.231.113.1 INT_IP=10.231.113.2

# Debian's stock access.conf, only its two keys filled in (NAT is the
# gateway's setting, nat.forwarding, as ENABLE_IPT_FORWARDING is fwknopd's)
STOCK=/etc/fwknop/access.conf
[ -r "$STOCK" ] || skip_all "needs Debian's fwknop-server (/etc/fwknop/access.conf)"
sed -e "s|^\(KEY_BASE64 *\)__CHANGEME__|\1$K1|" \
	-e "s|^\(HMAC_KEY_BASE64 *\)__CHANGEME__|\1$H1|" "$STOCK" > "$WORK/access.conf"
chmod 600 "$WORK/access.conf"
# FORCE_NAT: a plain access to tcp/6022 is led to the internal host
{ cat "$WORK/access.conf"; echo "OPEN_PORTS          tcp/6022"
  echo "FORCE_NAT           $INT_IP 22"; } > "$WORK/force.conf"
sed 's|^FORCE_NAT.*|&\nFORWARD_ALL         Y|' "$WORK/force.conf" > "$WORK/all.conf"
chmod 600 "$WORK/force.conf" "$WORK/all.conf"
printf 'firewall = { backend = "%s"; };\nnat = { forwarding = true; };\n' \
	"$FW_BACKEND" > "$WORK/spagated.conf"
printf 'firewall = { backend = "%s"; snat = true; };\nnat = { forwarding = true; };\n' \
	"$FW_BACKEND" > "$WORK/masq.conf"
printf 'firewall = { backend = "%s"; };\nnat = { forwarding = true; dns = true; };\nmetrics = { file = "%s"; interval = 1; };\n' \
	"$FW_BACKEND" "$WORK/metrics.prom" > "$WORK/dns.conf"
printf 'firewall = { backend = "%s"; snat = true; snat_address = "%s"; };\nnat = { forwarding = true; };\n' \
	"$FW_BACKEND" "$GW_IN" > "$WORK/snat.conf"
# the gateway's own ruleset: nothing forwarded but what spagated grants
# (nftables: its mark; iptables: its chain, jumped to first)
guard() {
	if [ "$FW_BACKEND" = iptables ]; then
		in_srv iptables -P FORWARD DROP &&
			in_srv iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
	else
		in_srv nft -f "$WORK/ruleset.nft"
	fi
}
cat > "$WORK/ruleset.nft" <<'NFT'
table inet guard {
	chain forward {
		type filter hook forward priority 0; policy drop;
		ct state established,related accept
		meta mark & 0x5350 == 0x5350 accept
	}
}
NFT

veth() { ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"; }
topology() {
	local ns
	for ns in "$CLI_NS" "$SRV_NS" "$INT_NS"; do
		ip netns add "$ns" || return 1
		on_exit "ip netns del $ns"
	done
	veth "$SRV_NS" "${T}w" "$CLI_NS" "${T}c" &&
		veth "$SRV_NS" "${T}i" "$INT_NS" "${T}j" &&
		ip -n "$SRV_NS" addr add "$GW_IP/24" dev "${T}w" &&
		ip -n "$SRV_NS" addr add "$GW_IN/24" dev "${T}i" &&
		ip -n "$CLI_NS" addr add "$CLI_IP/24" dev "${T}c" &&
		ip -n "$CLI_NS" addr add "$CLI_IP2/24" dev "${T}c" &&
		ip -n "$INT_NS" addr add "$INT_IP/24" dev "${T}j" &&
		for ns in "$CLI_NS" "$SRV_NS" "$INT_NS"; do
			ip -n "$ns" link set lo up || return 1
		done &&
		ip -n "$SRV_NS" link set "${T}w" up && ip -n "$SRV_NS" link set "${T}i" up &&
		ip -n "$CLI_NS" link set "${T}c" up && ip -n "$INT_NS" link set "${T}j" up &&
		ip -n "$CLI_NS" route add default via "$GW_IP" &&
		ip -n "$INT_NS" route add default via "$GW_IN" &&
		in_srv sysctl -qw net.ipv4.ip_forward=1
}

# connects SRC HOST PORT: one TCP connect from client address SRC, 1 s limit
connects() {
	in_cli timeout 5 python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=1,
    source_address=(sys.argv[1], 0))
sys.exit(0 if s.recv(3) == b"ok\n" else 1)' "$1" "$2" "$3" 2>/dev/null
}
refused() { ! connects "$@"; }
# knock_to HOST ALLOW SECONDS: fwknop -N HOST:22 for client address ALLOW
knock_to() {
	fwknop_cli --key-base64-rijndael "$K1" --key-base64-hmac "$H1" -D "$GW_IP" \
		-N "$1:22" -A tcp/5022 -a "$2" -f "$3" >/dev/null 2>&1
}
knock() { knock_to "$INT_IP" "$CLI_IP" "$1"; }
# has WHAT SRC[ EXTRA]: spagated's DNAT (dnat), forward accept (fwd),
# MASQUERADE (masq) or SNAT (snat) for SRC to the internal host
has() {
	if [ "$FW_BACKEND" = iptables ]; then
		case $1 in
		dnat) in_srv iptables -t nat -S SPAGATE_PREROUTING | grep -q -- "-s $2/32 -p tcp -m tcp --dport 5022 .* -j DNAT --to-destination $INT_IP:22" ;;
		fwd) in_srv iptables -S SPAGATE_FORWARD | grep -q -- "-s $2/32 -d $INT_IP/32 -p tcp -m tcp --dport 22 .* -j ACCEPT" ;;
		masq) in_srv iptables -t nat -S SPAGATE_POSTROUTING | grep -q -- "-s $2/32 -d $INT_IP/32 .* -j MASQUERADE" ;;
		snat) in_srv iptables -t nat -S SPAGATE_POSTROUTING | grep -q -- "-s $2/32 -d $INT_IP/32 .* -j SNAT --to-source $3" ;;
		esac
	else
		case $1 in
		dnat) in_srv nft list map inet spagate dnat4 | grep -q "$2 . tcp . 5022 .*: $INT_IP . 22" ;;
		fwd) in_srv nft list set inet spagate fwd4 | grep -q "$2 . $INT_IP . tcp . 22" ;;
		masq) in_srv nft list set inet spagate masq4 | grep -q "$2 . $INT_IP . tcp . 22" ;;
		snat) in_srv nft list map inet spagate snat4 | grep -q "$2 . $INT_IP . tcp . 22 .*: $3" ;;
		esac
	fi
}
# start CONF [ACCESS]: a run of its own (state), so phases do not mix;
# what a previous run left goes by the start's sweep
start() {
	STATE=$WORK/state.$1
	start_spagated -c "$WORK/$1" -a "$WORK/${2:-access.conf}" -d "$STATE" \
		-p "$WORK/spagated.pid" -i "${T}w" || bail_out "spagated did not start"
}

# nat.dns: the names' answers in the gateway's namespace only; a name the
# hosts file lacks asks a name server nobody runs there
dns_files() {
	mkdir -p "/etc/netns/$SRV_NS" && on_exit "rm -rf /etc/netns/$SRV_NS" &&
		printf '%s inside.test\nfd00::5 v6only.test\n' "$INT_IP" \
			> "/etc/netns/$SRV_NS/hosts" &&
		printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' \
			> "/etc/netns/$SRV_NS/resolv.conf"
}
# prom_dns RESOLVED REFUSED: the metrics file counts them
prom_dns() {
	grep -q "^spagate_nat_dns_resolved_total $1\$" "$WORK/metrics.prom" &&
		grep -q "^spagate_nat_dns_refused_total $2\$" "$WORK/metrics.prom"
}
dns_phase() {
	check "nat.dns: the gateway's own hosts file" dns_files
	start spagated.conf
	mark
	knock_to inside.test "$CLI_IP" 30
	check "nat.dns off: a NAT host name is refused as before" \
		eval "wait_logged 'NAT host is not an IPv4 address' 5 && ! has dnat $CLI_IP"
	stop_spagated
	start dns.conf
	mark
	knock_to inside.test "$CLI_IP" 30
	check "nat.dns: the name is resolved, the address in the grant's line" \
		wait_logged "stanza #1: grant to $CLI_IP: NAT host inside.test is $INT_IP" 5
	check "... its DNAT leads to that address" \
		eval "wait_logged 'stanza #1 $CLI_IP tcp/5022: opened' 5 && has dnat $CLI_IP"
	check "... and the internal service is reached through the name's address" \
		connects "$CLI_IP" "$GW_IP" 5022
	knock_to nowhere.test "$CLI_IP2" 30
	check "a name the resolver does not know refuses that grant, at error" \
		wait_logged "error: stanza #1: grant to $CLI_IP2 refused: NAT host nowhere.test: no IPv4 address" 10
	check "... and opens nothing for it" eval "! has dnat $CLI_IP2"
	knock_to v6only.test "$CLI_IP2" 30
	check "a name with an IPv6 address only is refused too (IPv4, as fwknopd)" \
		wait_logged "error: stanza #1: grant to $CLI_IP2 refused: NAT host v6only.test: no IPv4 address" 10
	knock_to inside.test "$CLI_IP2" 30
	check "... another grant right after still works" \
		eval "wait_logged 'stanza #1 $CLI_IP2 tcp/5022: opened' 5 && connects $CLI_IP2 $GW_IP 5022"
	kill -USR1 "$SPAGATED_PID"
	check_logged "SIGUSR1 counts the names resolved and the grants refused" \
		"stats: nat.dns: names resolved 2, grants refused 2" 5
	check "... and so does the metrics file" wait_ok 5 prom_dns 2 2
	stop_spagated
}

if [ "$FW_BACKEND" = nftables ]; then plan 33; else plan 22; fi
topology || skip_all "cannot create network namespaces"
check "only the two key lines differ from Debian's access.conf" \
	[ "$(diff "$STOCK" "$WORK/access.conf" | grep -c '^[<>]')" -eq 4 ]
check "the gateway forwards nothing by policy" guard
ip netns exec "$INT_NS" "$TCP_ACCEPT" 22 >/dev/null 2>&1 &
on_exit "kill $!"
check "the internal service listens (seen from the gateway)" \
	wait_ok 5 in_srv timeout 1 bash -c "exec 3<>/dev/tcp/$INT_IP/22"
# first: a mutant's run ends at its first failure, soon
[ "$FW_BACKEND" = nftables ] && dns_phase
start spagated.conf
check "before the packet the gateway's port 5022 leads nowhere" refused "$CLI_IP" "$GW_IP" 5022
check "... and the internal host is not reachable directly" refused "$CLI_IP" "$INT_IP" 22
mark
knock 4
check "the NAT request opens a DNAT of the gateway's port to the internal host" \
	eval 'wait_logged "stanza #1 $CLI_IP tcp/5022: opened" 5 && has dnat $CLI_IP'
check "... and the forward accept to it" has fwd "$CLI_IP"
check "... and no SNAT (firewall.snat is off)" eval "! has masq $CLI_IP && ! has snat $CLI_IP $GW_IN"
check "the internal service is reached through the gateway" connects "$CLI_IP" "$GW_IP" 5022
check "... but not from another client address" refused "$CLI_IP2" "$GW_IP" 5022
# an admin's flush takes the forward accept away before the close
if [ "$FW_BACKEND" = iptables ]; then
	in_srv iptables -F SPAGATE_FORWARD
else
	in_srv nft delete element inet spagate fwd4 "{ $CLI_IP . $INT_IP . tcp . 22 }"
fi
check "after the client's 4 s the grant is closed" \
	wait_logged "stanza #1 $CLI_IP tcp/5022: closed" 10
check "... its DNAT too, though its forward accept was gone already" \
	eval "! has dnat $CLI_IP"
check "... and the gateway's port 5022 leads nowhere again" refused "$CLI_IP" "$GW_IP" 5022
stop_spagated

# The internal host now has no route back: only a rewritten source works.
ip -n "$INT_NS" route del default
start spagated.conf
knock 30
wait_logged "stanza #1 $CLI_IP tcp/5022: opened" 5
check "without SNAT the reply cannot find the client" refused "$CLI_IP" "$GW_IP" 5022
# a crash leaves the grant's rules; the next run (a state of its own)
# has no journaled cycle that holds them
kill -9 "$SPAGATED_PID"; wait "$SPAGATED_PID" 2>/dev/null
check "a crash leaves the open grant's DNAT and forward" eval "has dnat $CLI_IP && has fwd $CLI_IP"
mark
start masq.conf
check "the next run removes them at start (no journaled cycle holds them)" \
	eval "wait_logged 'left by a previous run removed' 5 && ! has dnat $CLI_IP && ! has fwd $CLI_IP"
mark
knock 30
check "with firewall.snat the grant adds a MASQUERADE" \
	eval "wait_logged 'stanza #1 $CLI_IP tcp/5022: opened' 5 && has masq $CLI_IP"
check "... and the connection completes through the gateway" connects "$CLI_IP" "$GW_IP" 5022
stop_spagated
start snat.conf
mark
knock 30
check "with firewall.snat_address the grant SNATs to that address" \
	eval "wait_logged 'stanza #1 $CLI_IP tcp/5022: opened' 5 && has snat $CLI_IP $GW_IN"
check "... and the connection completes through the gateway" connects "$CLI_IP" "$GW_IP" 5022
stop_spagated
parse() { in_srv "$SPAGATED" -c "$WORK/masq.conf" -a "$WORK/$1" -d "$WORK/parse" \
	-p "$WORK/parse.pid" --exit-parse-config >"$WORK/parse.out" 2>&1; }
check "FORWARD_ALL is refused at load, saying so" \
	eval '! parse all.conf && grep -q "FORWARD_ALL is not done by the built-in firewall" "$WORK/parse.out"'
start masq.conf force.conf
mark
fwknop_cli --key-base64-rijndael "$K1" --key-base64-hmac "$H1" -D "$GW_IP" \
	-A tcp/6022 -a "$CLI_IP" -f 30 >/dev/null 2>&1
check "FORCE_NAT leads a plain access grant to its address and port" \
	eval "wait_logged 'stanza #1 $CLI_IP tcp/6022: opened' 5 && connects $CLI_IP $GW_IP 6022"
stop_spagated
finish
