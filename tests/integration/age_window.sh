#!/bin/bash
# Issue 15, item 2: a packet stamped exactly `now - max_packet_age`, sent
# in the last milliseconds of a second, passes the verifier's age check;
# the executor checks the same OPEN a moment later, maybe in the next
# second.  It must judge the age by the verifier's receive time, so that
# nothing the verifier granted is refused, and a time-based refusal must
# never kill the verifier.
#
# 200 packets from the real fwknop client (20 before each of 10 second
# boundaries), each stamped `S - age` for the second S it is sent in, go
# out during S's last 2 milliseconds.  Every packet the verifier received
# inside the window is carried out, the verifier is never restarted, and
# some of them were indeed checked by the executor after the boundary
# (its debug line), so the test cannot pass by luck of timing.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
command -v python3 >/dev/null || skip_all "needs python3 (scripts/deps test)"

BOUNDARIES=10 PER=20
TOTAL=$((BOUNDARIES * PER))
K=$(head -c 32 /dev/urandom | base64 -w0) H=$(head -c 64 /dev/urandom | base64 -w0)

plan 6
netns_pair 160 || skip_all "cannot create network namespaces"

# DECOYS stanzas with other keys come first: each packet costs the
# verifier one HMAC per decoy, a fraction of a millisecond in all, so a
# burst keeps it busy across the boundary, and the packet it reads last
# before the boundary reaches the executor after it.
DECOYS=100
python3 -c '
import base64, os, sys
for i in range(int(sys.argv[1])):
    print("SOURCE ANY\nKEY_BASE64 %s\nHMAC_KEY_BASE64 %s\n" % (
        base64.b64encode(os.urandom(32)).decode(),
        base64.b64encode(os.urandom(64)).decode()))' "$DECOYS" > "$WORK/access.conf"
cat >> "$WORK/access.conf" <<CONF
SOURCE ANY
KEY_BASE64 $K
HMAC_KEY_BASE64 $H
OPEN_PORTS tcp/22
CONF
chmod 600 "$WORK/access.conf"

# make_packet TS FILE: a packet stamped TS, made by the client (not sent)
# with a time offset; made again if the second turned meanwhile.
make_packet() {
	local ts=$1 file=$2 out i
	for i in 1 2 3; do
		out=$(fwknop --no-rc-file --no-save-args -D "$SRV_IP" \
			--key-base64-rijndael "$K" --key-base64-hmac "$H" \
			-A tcp/22 -a 10.9.9.9 -T -v -B "$file" \
			--time-offset-minus $((EPOCHSECONDS - ts)) 2>/dev/null)
		[[ $out =~ Timestamp:\ *([0-9]+) ]] &&
			[ "${BASH_REMATCH[1]}" = "$ts" ] && return 0
	done
	rm -f "$file"
	return 1
}
export -f make_packet
export K H SRV_IP

# The packets for boundary b are stamped T0 + b, a few at a time; the age
# limit is chosen once they exist, so that their second to be sent in,
# T0 + b + AGE, is still ahead however long making them took.
T0=$(( $(date +%s) - 100 ))
for b in $(seq 0 $((BOUNDARIES - 1))); do
	for i in $(seq "$PER"); do
		echo "$((T0 + b)) $WORK/p-$b-$i"
	done
done > "$WORK/stamps"
xargs -P 4 -L 1 bash -c 'make_packet "$@"' _ < "$WORK/stamps"
made=$(find "$WORK" -name 'p-*' | wc -l)
AGE=$(( $(date +%s) + 5 * SPA_WAIT_SCALE - T0 ))	# the start below comes first
diag "made $made packets; max_packet_age = $AGE"
cat > "$WORK/spagated.conf" <<CONF
max_packet_age = $AGE;
capture = { mode = "udp"; };
log = { refusals_per_second = 0; verbose = 1; };
CONF
start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$WORK/state" \
	-p "$WORK/spagated.pid" -t || bail_out "spagated did not start"
vpid=$(sed -n 's/.*verifier ready (pid \([0-9]*\)).*/\1/p' "$WORK/log" | tail -n 1)
while read -r ts f; do echo "$((ts + AGE)) $f"; done < "$WORK/stamps" > "$WORK/schedule"
if [ "$made" -eq "$TOTAL" ] && [ "$(date +%s)" -lt $((T0 + AGE)) ]; then
	ok "$TOTAL packets stamped 'second sent - $AGE s' by the client"
else
	not_ok "$TOTAL packets stamped 'second sent - $AGE s' by the client"
	diag "the first second to send in is $((T0 + AGE)), now $(date +%s)"
fi

mark
# Each second's packets go out in its last 2 ms, 100 us apart, the last
# 100 us before the boundary: closer together than the verifier takes for
# one, so it is busy from the first until after the boundary.
in_cli python3 - "$SRV_IP" 62201 "$WORK/schedule" <<'PY'
import socket, sys, time
host, port, sched = sys.argv[1], int(sys.argv[2]), sys.argv[3]
groups = {}
for line in open(sched):
    s, f = line.split()
    data = open(f, "rb").read().rstrip(b"\n")
    groups.setdefault(int(s), []).append(data)
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for s in sorted(groups):
    pkts = groups[s]
    start = s + 1 - 0.0001 * len(pkts)
    while time.time() < start - 0.02:
        time.sleep(0.01)
    for i, p in enumerate(pkts):
        at = start + 0.0001 * i
        while time.time() < at:
            pass
        sock.sendto(p, (host, port))
PY

# Every packet ends as a grant or as a refusal of its age by the verifier.
wait_logged 'accepted by stanza|refused .*timestamp outside the allowed age' "$TOTAL" 10
granted=$(since_mark 'accepted by stanza')
late=$(since_mark 'refused .*timestamp outside the allowed age')
diag "verifier: $granted granted inside the window, $late received after their second"
if [ $((granted + late)) -eq "$TOTAL" ] && [ "$granted" -gt 0 ]; then
	ok "the verifier decided on all $TOTAL packets"
else
	not_ok "the verifier decided on all $TOTAL packets"
	diag "granted $granted, refused as too old $late"
fi

wait_for_count "$WORK/events" '^OPEN ' "$granted" 5
opens=$(count_lines "$WORK/events" '^OPEN ')
if [ "$opens" -eq "$granted" ]; then
	ok "every packet granted inside the window is carried out ($opens)"
else
	not_ok "every packet granted inside the window is carried out"
	diag "verifier granted $granted, executor carried out $opens"
fi

crossed=$(since_mark 'received by the verifier at [0-9]+, checked at [0-9]+')
diag "$crossed OPEN events checked by the executor after their second ended"
check "some were checked after the second boundary the verifier saw" [ "$crossed" -gt 0 ]

check "the verifier was never killed or restarted" \
	[ "$(since_mark 'killing it|restarting it|verifier ready')" -eq 0 ]
check "the same verifier process runs (pid $vpid)" \
	kill -0 "$vpid"

finish
