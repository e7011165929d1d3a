#!/bin/bash
# The control socket (spagate list / close, spagated --fw-list /
# --fw-flush): two clients granted through ipset, both listed (and the
# JSON parses), and described by spagate status (text and --json, the
# counters from the daemon itself, fresh), which refuses a pid file that
# is not that daemon's; a close by source ends one client's access at once while
# the other's still works; a close by cycle id; --fw-list; --fw-flush
# and close --all; a user who is not root is refused, and, with the
# socket's mode opened up by mistake, refused by spagated itself and
# logged; a SIGKILL right after a close was asked leaves nothing open
# once spagated starts again.  Access is judged by real TCP connects.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
for t in ipset iptables runuser python3; do
	command -v $t >/dev/null || skip_all "needs $t (scripts/deps test)"
done
SPAGATE=$top_builddir/spagate
TCP_ACCEPT=$top_builddir/tests/tools/tcp_accept
[ -x "$SPAGATE" ] || skip_all "spagate is not built"
[ -x "$TCP_ACCEPT" ] || skip_all "tests/tools/tcp_accept is not built"

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64) K2=$(b64key 32) H2=$(b64key 64)
STATE=$WORK/state SOCK=$WORK/state/control
SET=spactl$$

# Stanza 1 opens an ipset element per client; stanza 2's close blocks
# until the test lets it go (a close still running when spagated dies).
write_conf() {
	cat > "$WORK/slowclose" <<EOS
#!/bin/sh
echo \$\$ > "$WORK/slowclose.pid"
[ -e "$WORK/release" ] || exec sleep 3600
touch "$WORK/closed-\$1"
EOS
	chmod 755 "$WORK/slowclose"
	cat > "$WORK/access.conf" <<CONF
SOURCE ANY
KEY_BASE64 $K1
HMAC_KEY_BASE64 $H1
OPEN_PORTS tcp/2222
CMD_CYCLE_TIMER 600
CMD_CYCLE_OPEN ipset -exist add $SET \$IP,\$PROTO_NAME:\$PORT
CMD_CYCLE_CLOSE ipset del $SET \$IP,\$PROTO_NAME:\$PORT

SOURCE ANY
KEY_BASE64 $K2
HMAC_KEY_BASE64 $H2
OPEN_PORTS tcp/3333
CMD_CYCLE_TIMER 600
CMD_CYCLE_OPEN /usr/bin/touch $WORK/opened-\$PORT
CMD_CYCLE_CLOSE $WORK/slowclose \$PORT
CONF
	chmod 600 "$WORK/access.conf"
	printf 'log = { refusals_per_second = 0; };\n' > "$WORK/spagated.conf"
}
start() {
	start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
		-p "$WORK/spagated.pid" -i "$SRV_IF" || bail_out "spagated did not start"
}
spa() { # spa KEY HMAC PORT ALLOW_IP
	fwknop_cli -D "$SRV_IP" --key-base64-rijndael "$1" --key-base64-hmac "$2" \
		-A "tcp/$3" -a "$4" >/dev/null 2>&1
}
tool() { "$SPAGATE" "$@" -c "$WORK/spagated.conf" -d "$STATE"; }
has() { in_srv ipset test "$SET" "$1,tcp:2222" 2>/dev/null; }
# connects FROM: one TCP connect to tcp/2222 from that client address
connects() {
	in_cli timeout 2 python3 -c 'import socket, sys
s = socket.socket(); s.settimeout(1); s.bind((sys.argv[1], 0))
s.connect((sys.argv[2], 2222)); sys.exit(s.recv(3) != b"ok\n")' "$1" "$SRV_IP" 2>/dev/null
}
refused() { ! connects "$1"; }
listed() { tool list > "$WORK/list" 2>&1 && cat "$WORK/list"; }
json_sources() { # the sources `spagate list --json` names, sorted
	tool list --json | python3 -c 'import json, sys
print(" ".join(sorted(c["source"] for c in json.load(sys.stdin))))'
}
id_of() { # the cycle id of ALLOW_IP, from --json
	tool list --json | python3 -c 'import json, sys
print([c["id"] for c in json.load(sys.stdin) if c["source"] == sys.argv[1]][0])' "$1"
}
grant_both() {
	spa "$K1" "$H1" 2222 "$CLI_IP"; spa "$K1" "$H1" 2222 "$CLI_IP2"
	wait_ok 5 has "$CLI_IP" && wait_ok 5 has "$CLI_IP2"
}

plan 27
netns_pair 175 || skip_all "cannot create network namespaces"
CLI_IP2=10.231.175.3
ip -n "$CLI_NS" addr add "$CLI_IP2/24" dev "$CLI_IF" || bail_out "second client address"
in_srv ipset create "$SET" hash:ip,port || bail_out "ipset create"
in_srv iptables -A INPUT -p tcp --dport 2222 -m set --match-set "$SET" src,dst -j ACCEPT
in_srv iptables -A INPUT -p tcp --dport 2222 -j DROP
start_tcp_accept 2222
write_conf
start
check "the socket is there, a socket, mode 0600" \
	eval '[ -S "$SOCK" ] && [ "$(stat -c %a "$SOCK")" = 600 ]'
check "before any grant, neither client connects" eval 'refused "$CLI_IP" && refused "$CLI_IP2"'

# two clients
grant_both || diag "the two elements did not appear"
check "both granted clients connect" eval 'connects "$CLI_IP" && connects "$CLI_IP2"'
check "spagate list shows both, open, stanza 1, tcp/2222" eval \
	'[ "$(listed | grep -Ec " ($CLI_IP|$CLI_IP2) +1  tcp/2222 +ipset .* open$")" -eq 2 ]'
check "spagate list --json parses and names both sources" \
	[ "$(json_sources)" = "$CLI_IP $CLI_IP2" ]
# no -p: status finds the daemon it talks to, whatever its pid file
"$SPAGATE" status -c "$WORK/spagated.conf" -d "$STATE" > "$WORK/status" 2>&1; rc=$?
check "spagate status describes the daemon on the socket (pid, config, 2 open cycles)" \
	eval '[ $rc -eq 0 ] && grep -q "^spagated is running (pid $SPAGATED_PID)$" "$WORK/status" &&
		grep -q "^  config: $WORK/spagated.conf$" "$WORK/status" && grep -q "^  open_cycles: 2$" "$WORK/status"'
check "spagate status: the daemon's own counters (no metrics file), the verifier's under a second old" \
	eval 'grep -q "^  spagate_cycles_open 2$" "$WORK/status" && grep -q "^  spagate_packets_total 2$" "$WORK/status" &&
		age=$(sed -n "s/^counters (from spagated now; the verifier.s \([0-9]*\) ms old):$/\1/p" "$WORK/status") &&
		[ -n "$age" ] && [ "$age" -le 1000 ]'
"$SPAGATE" status -c "$WORK/spagated.conf" -d "$STATE" --json > "$WORK/status.json" 2>&1; rc=$?
check "spagate status --json parses: running, its pid, 2 open cycles counted" \
	eval '[ $rc -eq 0 ] && python3 -c "import json, sys
s = json.load(open(sys.argv[1]))
assert s[\"running\"] and s[\"pid\"] == int(sys.argv[2]) and s[\"daemon\"][\"open_cycles\"] == 2
assert s[\"counters\"][\"spagate_cycles_open\"] == 2 and 0 <= s[\"counters_age_ms\"] <= 1000" "$WORK/status.json" "$SPAGATED_PID"'
# a pid file that is not that daemon's: refused, both named
"$SPAGATE" status -c "$WORK/spagated.conf" -d "$STATE" -p "$WORK/none.pid" > "$WORK/status" 2>&1; rc=$?
check "spagate status refuses a pid file that is not the answering daemon's (exit 2)" \
	eval '[ $rc -eq 2 ] && grep -q "state directory $STATE (pid $SPAGATED_PID) holds the pid file .*, not $WORK/none.pid: give the -p and -d of one daemon" "$WORK/status"'

# close --source
mark
tool close --source "$CLI_IP" > "$WORK/out" 2>&1; rc=$?
check "close --source: exit 0, one cycle closing" eval '[ $rc -eq 0 ] && grep -q "^1 cycle closing$" "$WORK/out"'
check "its client's connect fails at once" wait_ok 5 refused "$CLI_IP"
check "the other client still connects" connects "$CLI_IP2"
check "logged at notice with who asked" \
	[ "$(since_mark "notice: .*$CLI_IP.*tcp/2222: closed by the control socket, uid 0 ")" -eq 1 ]
check "and listed no more" eval '[ "$(json_sources)" = "$CLI_IP2" ]'
tool close --source 10.231.175.99 > "$WORK/out" 2>&1; rc=$?
check "close --source matching nothing: exit 1, nothing closed" \
	eval '[ $rc -eq 1 ] && grep -q "^0 cycles closing$" "$WORK/out" && connects "$CLI_IP2"'

# close by cycle id
spa "$K1" "$H1" 2222 "$CLI_IP"
wait_ok 5 has "$CLI_IP" || diag "the grant did not come back"
ID=$(id_of "$CLI_IP")
tool close "$ID" > "$WORK/out" 2>&1
check "close CYCLE: that cycle's client is refused, the other connects" \
	eval 'grep -q "^closing $ID " "$WORK/out" && wait_ok 5 refused "$CLI_IP" && connects "$CLI_IP2"'

# --fw-list, --fw-flush, close --all
"$SPAGATED" --fw-list -c "$WORK/spagated.conf" -d "$STATE" > "$WORK/fwlist" 2>&1; rc=$?
check "spagated --fw-list lists the open cycle" \
	eval '[ $rc -eq 0 ] && grep -Eq " $CLI_IP2 +1  tcp/2222 .* open$" "$WORK/fwlist"'
grant_both || diag "the two elements did not appear"
"$SPAGATED" --fw-flush -c "$WORK/spagated.conf" -d "$STATE" > "$WORK/out" 2>&1; rc=$?
check "spagated --fw-flush closes both" \
	eval '[ $rc -eq 0 ] && wait_ok 5 refused "$CLI_IP" && wait_ok 5 refused "$CLI_IP2"'
grant_both || diag "the two elements did not appear"
tool close --all > "$WORK/out" 2>&1; rc=$?
check "close --all closes both, the list is empty" \
	eval '[ $rc -eq 0 ] && wait_ok 5 refused "$CLI_IP" && refused "$CLI_IP2" && [ -z "$(json_sources)" ]'

# not root
BIN=$WORK/bin
mkdir -p "$BIN" && cp "$SPAGATE" "$BIN/" && chmod 755 "$WORK" "$BIN"
as_nobody() { runuser -u nobody -- "$BIN/spagate" list -d "$STATE" > "$WORK/nobody" 2>&1; }
as_nobody; rc=$?
check "a user who is not root cannot reach the socket (exit 3)" \
	eval '[ $rc -eq 3 ] && grep -q "Permission denied" "$WORK/nobody"'
mark
chmod 711 "$STATE"; chmod 666 "$SOCK"	# an operator's mistake
as_nobody; rc=$?
chmod 700 "$STATE" "$WORK"; chmod 600 "$SOCK"
check "with the socket opened up, spagated refuses that user (exit 1, \"root only\")" \
	eval '[ $rc -eq 1 ] && grep -q "root only" "$WORK/nobody" && ! grep -q "^ID " "$WORK/nobody"'
check "and logs the refusal at warning" \
	[ "$(since_mark "warning: control socket: connection from uid $(id -u nobody) .* refused: root only")" -eq 1 ]
kill -USR1 "$SPAGATED_PID"
check "and counts it (SIGUSR1 stats line)" \
	wait_logged "stats: control socket: requests [0-9]+, refused 0, peers refused 1," 5

# a crash right after a close was asked
spa "$K2" "$H2" 3333 "$CLI_IP"
wait_ok 5 test -e "$WORK/opened-3333" || diag "stanza 2 did not open"
tool close --stanza 2 > "$WORK/out" 2>&1
wait_ok 5 test -s "$WORK/slowclose.pid" || diag "the close did not start"
kill -KILL "$SPAGATED_PID"; wait "$SPAGATED_PID" 2>/dev/null
kill "$(cat "$WORK/slowclose.pid")"
check "the close was asked and was running at the SIGKILL" \
	eval 'grep -q "^1 cycle closing$" "$WORK/out" && [ ! -e "$WORK/closed-3333" ]'
touch "$WORK/release"
start
check "after the restart its close runs at once" wait_ok 10 test -e "$WORK/closed-3333"
check "the stale socket was replaced: the new daemon answers" \
	eval 'tool list >/dev/null && [ -z "$(json_sources)" ]'
stop_spagated
check "a clean stop removes the socket" [ ! -e "$SOCK" ]
finish
