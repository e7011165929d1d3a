#!/bin/bash
# A clean stop closes every cycle that opened, also one whose open was
# still running when the stop came: SIGTERM while a 2 s open runs, and the
# end of a --pcap-file run whose last packet starts such an open.  The
# close must run (a marker the close command writes), the journal must be
# empty, and the log must say "shutdown", not "timer expired".
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
command -v tcpdump >/dev/null || skip_all "needs tcpdump"

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64)
STATE=$WORK/state M=$WORK/mark

write_conf() {
	cat > "$WORK/access.conf" <<CONF
SOURCE ANY
KEY_BASE64 $K1
HMAC_KEY_BASE64 $H1
CMD_CYCLE_TIMER 600
CMD_CYCLE_OPEN /bin/sh -c 'touch "\$1.started" && sleep 2 && touch "\$1.opened"' sh $M-\$PORT
CMD_CYCLE_CLOSE /usr/bin/touch $M-\$PORT.closed
CONF
	chmod 600 "$WORK/access.conf"
	printf 'log = { refusals_per_second = 0; };\n' > "$WORK/spagated.conf"
}
spa() { # spa PORT [client options]
	local p=$1; shift
	fwknop_cli -D "$SRV_IP" --key-base64-rijndael "$K1" --key-base64-hmac "$H1" -A "tcp/$p" -a "$CLI_IP" "$@" >/dev/null 2>&1
}
journal_count() {
	"$SPAGATED" -S -c "$WORK/spagated.conf" -d "$1" -p "$WORK/spagated.pid" |
		sed -n 's/^ *\([0-9][0-9]*\) open cycles*$/\1/p'
}
until_file() { local i; for i in $(seq 200); do [ -e "$1" ] && return 0; sleep 0.05; done; return 1; }

plan 8
netns_pair 43 || skip_all "cannot create network namespaces"
write_conf

# 1. SIGTERM while the open runs
start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
	-p "$WORK/spagated.pid" -i "$SRV_IF" || bail_out "spagated did not start"
spa 22
until_file "$M-22.started" || bail_out "the open did not start"
mark
stop_spagated
check "the open running at SIGTERM completes" [ -e "$M-22.opened" ]
check "and its close runs before spagated exits" [ -e "$M-22.closed" ]
check "the close is logged as a shutdown close" \
	[ "$(since_mark 'tcp/22: shutdown, closing')" -eq 1 ]
check "the journal is empty" [ "$(journal_count "$STATE")" -eq 0 ]

# 2. the end of a --pcap-file run whose last packet starts an open
ip netns exec "$SRV_NS" tcpdump --immediate-mode -U -n -i "$SRV_IF" \
	-w "$WORK/one.pcap" 'udp port 62201' 2>"$WORK/tcpdump.log" &
TCPDUMP=$!
on_exit "kill $TCPDUMP"
wait_for "$WORK/tcpdump.log" "listening on" 5
spa 23
captured() { [ "$(tcpdump -n -r "$WORK/one.pcap" 2>/dev/null | wc -l)" -ge 1 ]; }
wait_ok 5 captured || diag "tcpdump did not write the packet"
kill "$TCPDUMP"; wait "$TCPDUMP" 2>/dev/null
timeout 60 "$SPAGATED" -f -c "$WORK/spagated.conf" -a "$WORK/access.conf" \
	-d "$WORK/state2" -p "$WORK/pcap.pid" --pcap-file "$WORK/one.pcap" \
	>"$WORK/pcap.out" 2>"$WORK/pcap.log"
check "the --pcap-file run ends by itself" [ $? -eq 0 ]
check "the open its packet started completes" [ -e "$M-23.opened" ]
check "and is closed before the run ends" [ -e "$M-23.closed" ]
check "nothing is left in its journal" [ "$(journal_count "$WORK/state2")" -eq 0 ]
finish
