#!/bin/bash
# Two users, one firewall object: alice's stanza and bob's stanza open the
# same ipset element (one client address and port).  Bob holds it for
# 600 s; alice then asks for 1 s.  Her grant must not shorten the
# element's kernel timeout, and her close must not delete the element
# while bob's cycle is open: the object is removed only when its last
# holder closes (here, at shutdown).  The reverse order too: the short
# holder first, the long one joining.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
for t in ipset iptables; do
	command -v $t >/dev/null || skip_all "needs $t (scripts/deps test)"
done
TCP_ACCEPT=$top_builddir/tests/tools/tcp_accept
[ -x "$TCP_ACCEPT" ] || skip_all "tests/tools/tcp_accept is not built"

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
KA=$(b64key 32) HA=$(b64key 64) KB=$(b64key 32) HB=$(b64key 64)
STATE=$WORK/state
SET=spaobj$$

write_conf() {
	local who k h
	: > "$WORK/access.conf"
	for who in alice bob; do
		if [ $who = alice ]; then k=$KA h=$HA; else k=$KB h=$HB; fi
		cat >> "$WORK/access.conf" <<CONF
# $who
SOURCE ANY
KEY_BASE64 $k
HMAC_KEY_BASE64 $h
OPEN_PORTS tcp/22
CMD_CYCLE_TIMER 5
MAX_FW_TIMEOUT 600
CMD_CYCLE_OPEN ipset -exist add $SET \$IP,\$PROTO_NAME:\$PORT timeout \$CLIENT_TIMEOUT
CMD_CYCLE_CLOSE ipset del $SET \$IP,\$PROTO_NAME:\$PORT

CONF
	done
	chmod 600 "$WORK/access.conf"
	printf 'log = { refusals_per_second = 0; };\n' > "$WORK/spagated.conf"
}

start() {
	start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
		-p "$WORK/spagated.pid" -i "$SRV_IF" || bail_out "spagated did not start"
}

spa() { # spa KEY HMAC [client options]
	local k=$1 h=$2; shift 2
	fwknop_cli -D "$SRV_IP" --key-base64-rijndael "$k" --key-base64-hmac "$h" -A tcp/22 -a "$CLI_IP" "$@" >/dev/null 2>&1
}
connects() {
	in_cli timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/22" && read -r l <&3 && [ "$l" = ok ]' _ "$SRV_IP" 2>/dev/null
}
# the element's remaining seconds, empty if absent
element_timeout() {
	in_srv ipset list "$SET" | awk -v e="$CLI_IP,tcp:22" '$1 == e { for (i = 2; i < NF; i++) if ($i == "timeout") print $(i + 1) }'
}
refused() { ! connects; }
at_least() { local t; t=$(element_timeout); [ -n "$t" ] && [ "$t" -ge "$1" ]; }
no_element() { [ -z "$(element_timeout)" ]; }
journal_count() {
	"$SPAGATED" -S -c "$WORK/spagated.conf" -d "$STATE" -p "$WORK/spagated.pid" |
		sed -n 's/^ *\([0-9][0-9]*\) open cycles*$/\1/p'
}
listed() { # listed STANZA: spagated -S lists that stanza's cycle
	"$SPAGATED" -S -c "$WORK/spagated.conf" -d "$STATE" -p "$WORK/spagated.pid" |
		grep -q "stanza #$1 $CLI_IP tcp/22"
}
not_listed() { ! listed "$1"; }

plan 13
netns_pair 41 || skip_all "cannot create network namespaces"
write_conf
in_srv ipset create "$SET" hash:ip,port timeout 0 || bail_out "cannot create the set"
in_srv iptables -A INPUT -p tcp --dport 22 -m set ! --match-set "$SET" src,dst -j DROP
ip netns exec "$SRV_NS" "$TCP_ACCEPT" 22 >/dev/null 2>&1 &
on_exit "kill $!"
start

# 1. bob holds the element for 600 s; alice asks for 1 s
check "tcp/22 is dropped before any SPA packet" refused
mark
spa "$KB" "$HB" -f 600
wait_logged "stanza #2 $CLI_IP tcp/22: opened" 5
check "bob's grant puts the element in with his 600 s" at_least 590
mark
spa "$KA" "$HA" -f 1
wait_logged "stanza #1 $CLI_IP tcp/22: opened" 5
t=$(element_timeout)
check "alice's 1 s grant leaves bob's timeout (got ${t:-none} s)" at_least 590
# alice's close comes due 1 s later: wait until her cycle has ended
wait_logged "stanza #1 $CLI_IP tcp/22: (closed|released)" 6
check "after alice's close is due, the element is still in the set" at_least 580
check "and bob's TCP connect still works" connects
check "alice's close did not run: bob still holds the element" \
	[ "$(since_mark "stanza #1 $CLI_IP tcp/22: closed")" -eq 0 ]
check "spagated -S still lists bob's cycle" listed 2
check "and no longer alice's" not_listed 1

# 2. the last holder's close removes it (SIGTERM runs pending closes)
mark
stop_spagated
check "bob's close at shutdown removes the element" no_element
check "the journal is empty" [ "$(journal_count)" -eq 0 ]

# 3. the short holder first, the long one joining: the long one wins
start
mark
spa "$KA" "$HA" -f 2
wait_logged "stanza #1 $CLI_IP tcp/22: opened" 5
spa "$KB" "$HB" -f 600
wait_logged "stanza #2 $CLI_IP tcp/22: opened" 5
wait_logged "stanza #1 $CLI_IP tcp/22: (closed|released)" 6
check "alice's earlier close leaves bob's element" at_least 580
check "bob's TCP connect works after alice's close" connects
stop_spagated
check "the element is gone after the last close" no_element
finish
