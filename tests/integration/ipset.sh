#!/bin/bash
# The ipset module for real, on the shipped example (examples/ipset: its
# setup.sh, access.conf and spagated.conf, only the keys filled in): the
# fwknop client's packet adds the client to spa4 through libipset, a TCP
# connect to the protected port that was dropped succeeds, the element
# carries the client's timeout, a repeat refreshes it, and the close
# deletes it.  IPv6 the same way: the stock client (2.6.10) neither
# writes an IPv6 address into a packet (-a refuses one) nor sends over
# IPv6 (it resolves -D for IPv4 only), so it makes a -s packet (0.0.0.0:
# "grant my source address") that the test carries over IPv6.  Then
# every failure stays one cycle's logged error while the daemon serves
# on: a set that does not exist, an element of the wrong shape, an
# element already there without -exist; a close whose element the kernel
# already dropped is a close; a bad ipset line refuses the configuration.
# A close is judged in the kernel (ipset list), with the element's kernel
# timeout first raised past the cycle, so that only spagated's del can
# have removed it; and by order: after the close's due time.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
for t in ipset iptables ip6tables; do
	command -v $t >/dev/null || skip_all "needs $t (scripts/deps test)"
done
TCP_ACCEPT=$top_builddir/tests/tools/tcp_accept
[ -x "$TCP_ACCEPT" ] || skip_all "tests/tools/tcp_accept is not built"
EXAMPLE=$top_srcdir/examples/ipset

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64) K3=$(b64key 32) H3=$(b64key 64)
K4=$(b64key 32) H4=$(b64key 64) K5=$(b64key 32) H5=$(b64key 64)
STATE=$WORK/state

# The example as shipped with keys filled in, then three stanzas of our
# own that must fail: a typo in the set name, an element without the
# port a hash:ip,port set needs, and an add without -exist.
write_conf() {
	sed -e "s|REPLACE_WITH_KEY_BASE64|$K1|" -e "s|REPLACE_WITH_HMAC_KEY_BASE64|$H1|" \
		"$EXAMPLE/access.conf" > "$WORK/access.conf"
	cat >> "$WORK/access.conf" <<CONF

# 3: a typo in the set name
SOURCE ANY
KEY_BASE64 $K3
HMAC_KEY_BASE64 $H3
CMD_CYCLE_OPEN ipset -exist add spa4typo \$IP,\$PROTO_NAME:\$PORT timeout \$CLIENT_TIMEOUT
CMD_CYCLE_CLOSE ipset del spa4typo \$IP,\$PROTO_NAME:\$PORT
CMD_CYCLE_TIMER 5

# 4: no port for a hash:ip,port set
SOURCE ANY
KEY_BASE64 $K4
HMAC_KEY_BASE64 $H4
CMD_CYCLE_OPEN ipset add spa4 \$IP timeout 5
CMD_CYCLE_CLOSE ipset del spa4 \$IP
CMD_CYCLE_TIMER 5

# 5: no -exist, and the element is already there
SOURCE ANY
KEY_BASE64 $K5
HMAC_KEY_BASE64 $H5
OPEN_PORTS tcp/2222
CMD_CYCLE_OPEN ipset add spa4 \$IP,\$PROTO_NAME:\$PORT timeout 5
CMD_CYCLE_CLOSE ipset del spa4 \$IP,\$PROTO_NAME:\$PORT
CMD_CYCLE_TIMER 5
CONF
	chmod 600 "$WORK/access.conf"
	cp "$EXAMPLE/spagated.conf" "$WORK/spagated.conf"
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

connects() { # connects HOST PORT: one TCP connect from the client, 1 s limit
	in_cli timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2" && read -r l <&3 && [ "$l" = ok ]' _ "$1" "$2" 2>/dev/null
}
refused() { ! connects "$@"; }

# element_timeout SET ELEMENT: its remaining seconds, empty if absent
element_timeout() {
	in_srv ipset list "$1" | awk -v e="$2" '$1 == e { for (i = 2; i < NF; i++) if ($i == "timeout") print $(i + 1) }'
}
has_element() { [ -n "$(element_timeout "$1" "$2")" ]; }
no_element() { ! has_element "$1" "$2"; }
within() { [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
# outlive SET ELEMENT: the element's kernel timeout raised to 300 s, past
# any cycle here: from now on only a del removes it
outlive() { has_element "$1" "$2" && in_srv ipset -exist add "$1" "$2" timeout 300; }
# the example's sets and rules, as the kernel has them
example_made() {
	in_srv ipset list -t spa4 | grep -qx 'Type: hash:ip,port' &&
	in_srv ipset list -t spa4 | grep -q '^Header: family inet ' &&
	in_srv ipset list -t spa6 | grep -qx 'Type: hash:ip,port' &&
	in_srv ipset list -t spa6 | grep -q '^Header: family inet6 ' &&
	in_srv iptables -S INPUT | grep -q -- '-p tcp -m tcp --dport 22 -j spagate-ssh' &&
	in_srv ip6tables -S INPUT | grep -q -- '-p tcp -m tcp --dport 22 -j spagate-ssh' &&
	in_srv iptables -S spagate-ssh | grep -q -- '--match-set spa4 src,dst -j ACCEPT' &&
	in_srv ip6tables -S spagate-ssh | grep -q -- '--match-set spa6 src,dst -j ACCEPT'
}
alive() { kill -0 "$SPAGATED_PID" 2>/dev/null; }

# parse_config FILE: spagated's verdict on an access.conf (exit status)
parse_config() {
	"$SPAGATED" -c "$WORK/spagated.conf" -a "$1" -d "$STATE" -p "$WORK/spagated.pid" \
		--exit-parse-config >"$WORK/parse.out" 2>&1
}
# check_refused DESCRIPTION FILE REASON: refused, saying why (grep -F)
check_refused() {
	if ! parse_config "$2" && grep -qF -- "$3" "$WORK/parse.out"; then
		ok "$1"
	else
		not_ok "$1"; diag "$(cat "$WORK/parse.out")"
	fi
}

plan 42
netns_pair 20 || skip_all "cannot create network namespaces"
SRV_IP6=fd00:231:20::1 CLI_IP6=fd00:231:20::2
ip -n "$SRV_NS" addr add "$SRV_IP6/64" dev "$SRV_IF" nodad &&
	ip -n "$CLI_NS" addr add "$CLI_IP6/64" dev "$CLI_IF" nodad ||
	bail_out "cannot give the namespaces IPv6 addresses"
E4=$CLI_IP,tcp:22 E6=$CLI_IP6,tcp:22
write_conf

# 0. the example's setup and load-time checks
check "the example's setup.sh creates spa4, spa6 and the rules (ipset list, iptables -S)" \
	eval 'in_srv sh "$EXAMPLE/setup.sh" && example_made'
check "setup.sh run again leaves one jump per family" \
	bash -c "ip netns exec $SRV_NS sh '$EXAMPLE/setup.sh' &&
		[ \$(ip netns exec $SRV_NS iptables -S INPUT | grep -c spagate-ssh) -eq 1 ] &&
		[ \$(ip netns exec $SRV_NS ip6tables -S INPUT | grep -c spagate-ssh) -eq 1 ]"
install -m 600 "$EXAMPLE/access.conf" "$WORK/shipped.conf"
check_refused "the example with its placeholder keys is refused" \
	"$WORK/shipped.conf" "KEY_BASE64 is not valid base64"
check "the example with keys filled in loads" parse_config "$WORK/access.conf"
sed 's/^\(CMD_CYCLE_OPEN *ipset -exist add spa4 .*\)$/\1 -exist/' "$WORK/access.conf" > "$WORK/bad1.conf"
chmod 600 "$WORK/bad1.conf"
check_refused "a doubled -exist refuses the configuration with file:line and reason" \
	"$WORK/bad1.conf" "bad1.conf:$(grep -n -m1 '^CMD_CYCLE_OPEN' "$WORK/bad1.conf" | cut -d: -f1): stanza #1: CMD_CYCLE_OPEN: ipset: -exist is given twice"
sed 's/^CMD_CYCLE_CLOSE *ipset del spa6 .*$/CMD_CYCLE_CLOSE ipset destroy spa6/' "$WORK/access.conf" > "$WORK/bad2.conf"
chmod 600 "$WORK/bad2.conf"
check_refused "ipset destroy as a close refuses the configuration" \
	"$WORK/bad2.conf" "stanza #2: CMD_CYCLE_CLOSE: ipset: 'destroy' is not allowed"
sed 's/^CMD_CYCLE_CLOSE *ipset del spa6 .*$/&\nCMD_CYCLE_CLOSE_ABSENT 1/' "$WORK/access.conf" > "$WORK/bad3.conf"
chmod 600 "$WORK/bad3.conf"
check_refused "exit statuses meaning 'absent' are refused for an ipset close" \
	"$WORK/bad3.conf" "stanza #2: CMD_CYCLE_CLOSE_ABSENT: only for a close run as a command"

# not through in_srv: $! must be the listener itself
ip netns exec "$SRV_NS" "$TCP_ACCEPT" 22 &
on_exit "kill $!"
on_exit "ip netns exec $SRV_NS sh '$EXAMPLE/setup.sh' remove"
start

# 1. IPv4: dropped, granted with the client's timeout, refreshed (the
# close moved: still open past the first grant's time), closed
check "tcp/22 is dropped before any SPA packet" refused "$SRV_IP" 22
mark
spa4 "$K1" "$H1" -A tcp/22 -a "$CLI_IP" -f 8
check_logged "the SPA packet is carried out by the ipset module" \
	"stanza #1 $CLI_IP tcp/22: opened \\(ipset -exist add spa4 $E4 timeout 8\\)" 5
first_due=$(( $(date +%s) + 8 ))
check "the TCP connect succeeds once granted" connects "$SRV_IP" 22
t=$(element_timeout spa4 "$E4")
check "ipset list shows $E4 with the client's timeout (8 s, got ${t:-none})" within "$t" 5 8
mark
t1=$(date +%s)
spa4 "$K1" "$H1" -A tcp/22 -a "$CLI_IP" -f 14
check_logged "a repeated request moves the close" 'tcp/22: already open: close moved' 5
wait_logged 'tcp/22: refreshed' 5
t=$(element_timeout spa4 "$E4")
check "a repeated request refreshes the kernel timeout (14 s, got ${t:-none})" within "$t" 11 14
check "the refresh is not an error" [ "$(since_mark 'failed')" -eq 0 ]
outlive spa4 "$E4"
wait_until $((first_due + 2))
check "past the first grant's close time, the element is there and tcp/22 connects" \
	eval 'has_element spa4 "$E4" && connects "$SRV_IP" 22'
check "the close deletes the element from spa4 (ipset list; its kernel timeout was 300 s)" \
	wait_ok 16 no_element spa4 "$E4"
check "... when the refreshed grant ends, not before (-f 14)" [ "$(date +%s)" -ge $((t1 + 14)) ]
check_logged "the close is logged, through the ipset module" "stanza #1 $CLI_IP tcp/22: closed \\(ipset del spa4 $E4" 2
check "tcp/22 is dropped again" refused "$SRV_IP" 22

# 2. IPv6: a -s packet arriving over IPv6 grants its source, in spa6
mark
spa "$K1" "$H1" -A tcp/22 -s -f 6 -D "$SRV_IP" -T -B "$WORK/v6.pkt"
t6=$(date +%s)
send_udp "$WORK/v6.pkt" "$SRV_IP6" 62201
check_logged "an SPA packet over IPv6 opens through spa6" \
	"stanza #2 $CLI_IP6 tcp/22: opened \\(ipset -exist add spa6 $E6 timeout 6\\)" 5
t=$(element_timeout spa6 "$E6")
check "ipset list spa6 shows $E6 (6 s, got ${t:-none})" within "$t" 3 6
check "the IPv6 TCP connect succeeds once granted" connects "$SRV_IP6" 22
outlive spa6 "$E6"
check "the IPv6 close deletes the element from spa6 (its kernel timeout was 300 s)" \
	wait_ok 10 no_element spa6 "$E6"
check "... when the grant ends, not before (-f 6)" [ "$(date +%s)" -ge $((t6 + 6)) ]
check_logged "the IPv6 close is logged" "stanza #2 $CLI_IP6 tcp/22: closed \\(ipset del spa6 $E6" 2
check "tcp/22 over IPv6 is dropped again" refused "$SRV_IP6" 22

# 3. an element the kernel dropped before the close is closed
mark
spa4 "$K1" "$H1" -A tcp/22 -a "$CLI_IP" -f 3
wait_logged 'tcp/22: opened' 5
in_srv ipset del spa4 "$E4"
check_logged "a close finds its element expired: closed, not retried" \
	"tcp/22: closed \\(ipset del spa4 $E4: not in the set \\(expired already\\)\\)" 8
check "no close was retried" [ "$(since_mark 'close failed')" -eq 0 ]

# 4. failures stay in their cycle; the daemon serves on
mark
spa4 "$K3" "$H3" -A tcp/22 -a "$CLI_IP"
check_logged "a set that does not exist fails that open, with libipset's reason" \
	"stanza #3 .* open failed \\(ipset -exist add spa4typo $E4 timeout 5: The set with the given name does not exist\\)" 5
spa4 "$K4" "$H4" -A tcp/22 -a "$CLI_IP"
check_logged "an element of the wrong shape fails that open" \
	"stanza #4 .* open failed \\(ipset add spa4 $CLI_IP timeout 5: element $CLI_IP does not fit set spa4 of type hash:ip,port \\(ADDR,PORT\\)\\)" 5
in_srv ipset add spa4 "$CLI_IP,tcp:2222" timeout 30
spa4 "$K5" "$H5" -A tcp/2222 -a "$CLI_IP"
check_logged "an element already there without -exist fails that open" \
	"stanza #5 .* open failed \\(.*it's already added\\)" 5
in_srv ipset del spa4 "$CLI_IP,tcp:2222"
check "the daemon is still running after every failure" alive
mark
spa4 "$K1" "$H1" -A tcp/22 -a "$CLI_IP" -f 6
check_logged "another stanza still grants after the failures" "stanza #1 $CLI_IP tcp/22: opened" 5
check "and its grant works" connects "$SRV_IP" 22

# 5. kill -9 and a restart: the journaled close still goes through ipset
kill -9 "$SPAGATED_PID"; wait "$SPAGATED_PID" 2>/dev/null
mark
start
check_logged "the restarted daemon restores the open cycle" "tcp/22: restored from the journal" 5
check "the element stays while the grant lasts" has_element spa4 "$E4"
outlive spa4 "$E4"
check "the restored cycle's close deletes the element (its kernel timeout was 300 s)" \
	wait_ok 10 no_element spa4 "$E4"
check_logged "... through the ipset module" \
	"stanza #1 $CLI_IP tcp/22: closed \\(ipset del spa4 $E4" 2

# 5b. a set destroyed and made again with another type: the next grant
# is judged by the type it has now, not the one spagated saw before (a
# stale hash:ip,port type would send the port to a hash:ip set, which
# adds the bare address: a wider grant than configured).  Stanza #3's
# set, spa4typo, is no firewall rule's, so it can be destroyed; the
# kernel refuses to swap sets of different types.
in_srv ipset create spa4typo hash:ip,port timeout 300
mark
spa4 "$K3" "$H3" -A tcp/22 -a "$CLI_IP" -f 2
wait_logged "stanza #3 .* closed" 6
in_srv ipset destroy spa4typo
in_srv ipset create spa4typo hash:ip timeout 300
spa4 "$K3" "$H3" -A tcp/22 -a "$CLI_IP" -f 2
check_logged "a set made again with another type: the grant is checked against the new type" \
	"stanza #3 .* open failed \\(ipset -exist add spa4typo $E4 timeout 2: element $E4 does not fit set spa4typo of type hash:ip " 5
check "and nothing was added to it" \
	[ -z "$(in_srv ipset list spa4typo | sed -n '/^Members:/,$p' | tail -n +2)" ]
in_srv ipset destroy spa4typo

# 6. SIGTERM runs the pending close through the module
mark
spa4 "$K1" "$H1" -A tcp/22 -a "$CLI_IP" -f 60
wait_logged 'tcp/22: opened' 5
check "a 60 s grant is in spa4 when SIGTERM comes" has_element spa4 "$E4"
stop_spagated
check "SIGTERM deletes the element of the pending cycle" no_element spa4 "$E4"

finish
