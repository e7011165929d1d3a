#!/bin/bash
# State that stays true (executor.recheck_interval): an element an
# operator removes behind spagated's back is put back.  The fwknop
# client's packet grants tcp/22 through an ipset set and tcp/24 through
# an nft set in the server namespace; then `ipset flush` (and, in the
# second part, `nft flush set`) removes the element: the TCP connect
# fails, and within the interval spagated finds the element gone, logs
# "was removed outside spagated: put back" at warning, counts it (the
# SIGUSR1 stats line), and the connect works again.  After the ipset
# cycle's close nothing is put back: a later round (seen checking the
# nft cycle) leaves the port closed.  After kill -9 and a restart, the
# nft cycle taken over from the journal is checked and put back too
# (`nft delete element`).  With the table gone (nft flush ruleset) the
# check cannot tell: logged at error once, counted.  Each removal
# follows a check of its cycle seen in the log (-v), so the next check
# is an interval away and the connect is tried before it.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
for t in ipset iptables nft; do
	command -v $t >/dev/null || skip_all "needs $t (scripts/deps test)"
done
TCP_ACCEPT=$top_builddir/tests/tools/tcp_accept
[ -x "$TCP_ACCEPT" ] || skip_all "tests/tools/tcp_accept is not built"

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64) K2=$(b64key 32) H2=$(b64key 64)
STATE=$WORK/state
INTERVAL=3

# tcp/22 through the ipset set, tcp/24 through the nft set; both
# rejected (a reset, at once) for anyone not in them.
firewall() {
	in_srv ipset create rck4 hash:ip,port family inet timeout 300 &&
	in_srv iptables -A INPUT -p tcp --dport 22 -m set --match-set rck4 src,dst -j ACCEPT &&
	in_srv iptables -A INPUT -p tcp --dport 22 -j REJECT --reject-with tcp-reset &&
	in_srv nft -f - <<'NFT'
table inet rck {
	set allow {
		type ipv4_addr . inet_proto . inet_service
		flags timeout
	}
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr . meta l4proto . th dport @allow accept
		tcp dport 24 reject with tcp reset
	}
}
NFT
}

write_conf() {
	cat > "$WORK/access.conf" <<CONF
# 1: ipset
SOURCE ANY
KEY_BASE64 $K1
HMAC_KEY_BASE64 $H1
CMD_CYCLE_OPEN ipset -exist add rck4 \$IP,\$PROTO_NAME:\$PORT timeout \$CLIENT_TIMEOUT
CMD_CYCLE_CLOSE ipset del rck4 \$IP,\$PROTO_NAME:\$PORT
CMD_CYCLE_TIMER 5

# 2: nft
SOURCE ANY
KEY_BASE64 $K2
HMAC_KEY_BASE64 $H2
CMD_CYCLE_OPEN nft add element inet rck allow { \$SRC . \$PROTO . \$PORT timeout \${CLIENT_TIMEOUT}s }
CMD_CYCLE_CLOSE nft delete element inet rck allow { \$SRC . \$PROTO . \$PORT }
CMD_CYCLE_TIMER 5
CONF
	chmod 600 "$WORK/access.conf"
	printf 'executor = { recheck_interval = %s; };\n' "$INTERVAL" > "$WORK/spagated.conf"
}

spa() { # spa KEY HMAC [client options]
	local k=$1 h=$2; shift 2
	fwknop_cli --key-base64-rijndael "$k" --key-base64-hmac "$h" -D "$SRV_IP" "$@" >/dev/null 2>&1
}
connects() {
	in_cli timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2" && read -r l <&3 && [ "$l" = ok ]' _ "$1" "$2" 2>/dev/null
}
refused() { ! connects "$@"; }
in_ipset() { in_srv ipset test rck4 "$CLI_IP,tcp:22" 2>/dev/null; }
not_in_ipset() { ! in_ipset; }
# stats PATTERN: the SIGUSR1 stats line says so
stats_say() {
	mark
	kill -USR1 "$SPAGATED_PID"
	wait_logged "stats: objects: $1" 5
}

plan 24
netns_pair 47 || skip_all "cannot create network namespaces"
check "the ipset set, the nft set and their rules load" firewall
write_conf
for p in 22 24; do
	ip netns exec "$SRV_NS" "$TCP_ACCEPT" "$p" >/dev/null 2>&1 &
	on_exit "kill $!"
done
start_spagated -v -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
	-p "$WORK/spagated.pid" -i "$SRV_IF" || bail_out "spagated did not start"

check "tcp/22 and tcp/24 are refused before any SPA packet" \
	eval 'refused "$SRV_IP" 22 && refused "$SRV_IP" 24'
mark
spa "$K2" "$H2" -A tcp/24 -a "$CLI_IP" -f 120
spa "$K1" "$H1" -A tcp/22 -a "$CLI_IP" -f 20
wait_logged "tcp/24: opened" 5 && wait_logged "tcp/22: opened" 5
check "both connect once granted" \
	eval 'connects "$SRV_IP" 22 && connects "$SRV_IP" 24'

# 1. ipset flush
mark
wait_logged "$CLI_IP tcp/22: still there \\(ipset test rck4" $((INTERVAL + 5))
in_srv ipset flush rck4
check "after ipset flush, tcp/22 is refused" refused "$SRV_IP" 22
check_logged "spagated puts it back, logged at warning" \
	"warning: stanza #1 $CLI_IP tcp/22: was removed outside spagated: put back \\(ipset -exist add rck4 $CLI_IP,tcp:22" \
	$((INTERVAL + 5))
check "the element is back in the set" in_ipset
check "tcp/22 connects again" connects "$SRV_IP" 22
check "the stats line counts it" stats_say "put back 1, could not be put back 0"

# 2. nft flush set
mark
wait_logged "$CLI_IP tcp/24: still there \\(nft -c create element inet rck allow" $((INTERVAL + 5))
in_srv nft flush set inet rck allow
check "after nft flush set, tcp/24 is refused" refused "$SRV_IP" 24
check_logged "spagated puts the nft element back, logged at warning" \
	"warning: stanza #2 $CLI_IP tcp/24: was removed outside spagated: put back \\(nft create element inet rck allow" \
	$((INTERVAL + 5))
check "tcp/24 connects again" connects "$SRV_IP" 24
check "the stats line counts both" stats_say "put back 2,"

# 3. after its close, nothing is put back
check "the ipset cycle closes at its time" wait_for_log "tcp/22: closed \\(ipset del" 30
mark
check_logged "a later round checks the cycles still open" \
	"$CLI_IP tcp/24: still there" $((INTERVAL + 5))
check "the closed element was not put back" not_in_ipset
check "tcp/22 is refused again" refused "$SRV_IP" 22
check "nothing else was put back" [ "$(count_lines "$WORK/log" "put back \\(")" -eq 2 ]

# 4. after kill -9 and a restart, the journaled cycle is checked too
kill -9 "$SPAGATED_PID"; wait "$SPAGATED_PID" 2>/dev/null
mark
start_spagated -v -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
	-p "$WORK/spagated.pid" -i "$SRV_IF" || bail_out "spagated did not restart"
check_logged "the restart takes the nft cycle over from the journal" \
	"tcp/24: restored from the journal" 5
wait_logged "$CLI_IP tcp/24: still there \\(nft -c create element inet rck allow" $((INTERVAL + 5))
in_srv nft delete element inet rck allow "{ $CLI_IP . tcp . 24 }"
check "after nft delete element, tcp/24 is refused" refused "$SRV_IP" 24
check_logged "the restarted spagated puts it back" \
	"warning: stanza #2 $CLI_IP tcp/24: was removed outside spagated: put back \\(nft create element inet rck allow" \
	$((INTERVAL + 5))
check "tcp/24 connects again after the restart" connects "$SRV_IP" 24

# 5. the table itself gone (nft flush ruleset): cannot tell, said once
in_srv nft flush ruleset
mark
check_logged "a check that cannot tell is logged at error" \
	"error: stanza #2 $CLI_IP tcp/24: cannot tell whether what it opened is still there \\(nft -c create element inet rck allow .*No such file or directory" \
	$((INTERVAL + 5))
check "the stats line counts each check that could not tell (two)" \
	wait_ok $((INTERVAL * 2 + 5)) stats_say "put back 1, could not be put back 0, rechecks that could not tell [2-9]"
check "it is logged once per cycle" [ "$(count_lines "$WORK/log" "cannot tell whether")" -eq 1 ]
finish
