#!/bin/bash
# spagated --pcap-file: packets read from a capture file are verified like
# live ones, aged against the time they were captured; with -t each run
# has a replay store of its own, without it the store persists.  Uses the committed captures of the real
# client (tests/vectors/pcap) and a fresh tcpdump capture of fwknop
# packets sent in a private namespace pair.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
command -v tcpdump >/dev/null || skip_all "needs tcpdump"

VEC=$top_srcdir/tests/vectors/pcap
# The keys tests/vectors/pcap/make-pcaps.sh made those captures with.
VKEY=EYK5s7JGISsMUttLQHitWsJN/a05MD4JYjSuMmrD+gI=
VHMAC=oPYfgwyryWrhQjfq8KwzJmiW7y7i+rG8/YLbWTWF0HIg99fbq7wq9iYG/Dh8PUhnLybB5qDaU6tJiBbjDfvQmw==
K=$(head -c 32 /dev/urandom | base64 -w0)
H=$(head -c 64 /dev/urandom | base64 -w0)

printf 'SOURCE ANY\nKEY_BASE64 %s\nHMAC_KEY_BASE64 %s\n\nSOURCE ANY\nKEY_BASE64 %s\nHMAC_KEY_BASE64 %s\n' \
	"$VKEY" "$VHMAC" "$K" "$H" > "$WORK/access.conf"
chmod 600 "$WORK/access.conf"
# http: SPA inside captured HTTP requests too (the client's -P http)
printf 'log = { refusals_per_second = 0; };\ncapture = { http = true; };\n' > "$WORK/spagated.conf"

# read_file NAME FILE [spagated options]: one offline run (-t unless
# TEST=), its events in $WORK/NAME.events and log in $WORK/NAME.log;
# returns spagated's status.
read_file() {
	local name=$1 file=$2
	shift 2
	timeout 20 "$SPAGATED" -f ${TEST--t} -c "$WORK/spagated.conf" -a "$WORK/access.conf" \
		-d "$WORK/state-$name" -p "$WORK/$name.pid" --pcap-file "$file" "$@" \
		>"$WORK/$name.events" 2>"$WORK/$name.log"
}

# vector NAME PATTERN [options]: a committed capture gives exactly one OPEN.
vector() {
	local name=$1 pattern=$2
	shift 2
	if read_file "$name" "$VEC/$name.pcap" "$@" &&
		[ "$(count_lines "$WORK/$name.events" '^OPEN ')" -eq 1 ] &&
		grep -Eq -- "$pattern" "$WORK/$name.events"; then
		ok "$name.pcap: one OPEN ($pattern)"
	else
		not_ok "$name.pcap: one OPEN"; diag "$(cat "$WORK/$name.events")" "$(tail -n 4 "$WORK/$name.log")"
	fi
}

plan 12

# 1-4: the real client's packets as captured on several link types.
vector lo-udp 'stanza=1 type=access allow=192.0.2.7 .*ports=tcp/22 user=alice'
vector sll-udp 'stanza=1 type=access allow=192.0.2.7 .*ports=tcp/22'
vector lo-tcp 'stanza=1 type=access allow=192.0.2.7' -P 'tcp port 62201'
vector sll2-http 'stanza=1 type=access allow=192.0.2.7 .*ports=tcp/22' -P 'tcp port 80'

# 5-7: a fresh capture: a grant, its replay, a packet with other keys.
netns_pair 9 || bail_out "cannot create network namespaces"
# not through in_srv: $! must be tcpdump itself
ip netns exec "$SRV_NS" tcpdump --immediate-mode -U -n -i "$SRV_IF" -w "$WORK/live.pcap" 'udp port 62201' 2>"$WORK/tcpdump.log" &
TCPDUMP=$!
on_exit "kill $TCPDUMP"
wait_for "$WORK/tcpdump.log" 'listening on' 5 || bail_out "tcpdump did not start"
fwknop_cli -D "$SRV_IP" --key-base64-rijndael "$K" --key-base64-hmac "$H" \
	-A tcp/22,udp/53 -a 10.9.9.9 -T -B "$WORK/grant.pkt" >/dev/null 2>&1
send_udp "$WORK/grant.pkt" "$SRV_IP" 62201
send_udp "$WORK/grant.pkt" "$SRV_IP" 62201
fwknop_cli -D "$SRV_IP" --key-base64-rijndael "$(head -c 32 /dev/urandom | base64 -w0)" \
	--key-base64-hmac "$H" -A tcp/22 -a 10.9.9.9 >/dev/null 2>&1
# until the three datagrams are in the file
datagrams() { tcpdump -n -r "$WORK/live.pcap" 2>/dev/null | wc -l; }
wait_ok 10 prints_at_least 3 datagrams
kill -TERM $TCPDUMP; wait $TCPDUMP 2>/dev/null

read_file live "$WORK/live.pcap"
check "live capture: exit status 0 at the end of the file" test $? -eq 0
check "live capture: one OPEN for the grant" \
	test "$(count_lines "$WORK/live.events" '^OPEN stanza=2 type=access allow=10.9.9.9 .*ports=tcp/22,udp/53')" -eq 1 -a \
	"$(count_lines "$WORK/live.events" '^OPEN ')" -eq 1
check "live capture: the resent copy is a replay (seen before, when), the stranger fails HMAC" \
	test "$(count_lines "$WORK/live.log" 'replayed packet: seen before, stamped 2[0-9-]{9} [0-9:]{8} UTC by its client \([0-9] s before this copy arrived\)')" -eq 1 -a \
	"$(count_lines "$WORK/live.log" 'HMAC does not verify')" -eq 1

# 8: -t remembers nothing: a second run judges the file the same, and
# leaves no store of its own behind.
read_file live "$WORK/live.pcap"
check "second -t run over the same file: the same OPEN, replay and refusal" \
	test "$(count_lines "$WORK/live.events" '^OPEN stanza=2 type=access allow=10.9.9.9 ')" -eq 1 -a \
	"$(count_lines "$WORK/live.events" '^OPEN ')" -eq 1 -a \
	"$(count_lines "$WORK/live.log" 'replayed packet')" -eq 1 -a \
	"$(count_lines "$WORK/live.log" 'HMAC does not verify')" -eq 1 -a \
	-z "$(ls "$WORK/state-live" | grep '^test\.')"

# 9-10: without -t the replay store outlives the process: a second run
# grants nothing (no CMD_CYCLE_OPEN: grants are only logged).
TEST= read_file real "$WORK/live.pcap"
check "without -t: the grant" test "$(count_lines "$WORK/real.log" 'accepted by stanza #2')" -eq 1
TEST= read_file real "$WORK/live.pcap"
check "without -t, second run over the same file: every packet is a replay" \
	test "$(count_lines "$WORK/real.log" 'accepted by stanza')" -eq 0 -a \
	"$(count_lines "$WORK/real.log" 'replayed packet')" -eq 2

# 11-12: files that are not captures: refused, named, nonzero status.
read_file missing "$WORK/no-such.pcap"
st=$?
check "missing file: nonzero exit, the file is named" \
	test $st -ne 0 -a "$(count_lines "$WORK/missing.log" 'no-such.pcap')" -ge 1
head -c 4096 /dev/urandom > "$WORK/garbage.pcap"
read_file garbage "$WORK/garbage.pcap"
st=$?
check "garbage file: nonzero exit, the file is named" \
	test $st -ne 0 -a "$(count_lines "$WORK/garbage.log" 'garbage.pcap')" -ge 1

finish
