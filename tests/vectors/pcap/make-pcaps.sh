#!/bin/bash
# Capture real fwknop client packets for tests/unit/test_frame.c and
# tests/unit/test_http.c.
#
#   tests/vectors/pcap/make-pcaps.sh [OUTDIR]    (default: this directory)
#
# Each capture NAME.pcap holds the frames one client run put on the wire
# (tcpdump, inside a private network namespace: nothing leaves the host), and
# NAME.spa holds the SPA packet that run saved with --save-packet.  A test
# extracts the payload from the frames and compares it with NAME.spa.
# Needs root (unshare -n), tcpdump, python3 (loopback listeners) and the
# fwknop client.  HOME points at a scratch directory: ~/.fwknoprc is never
# touched.  The output is data to commit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
mkdir -p "$out"
out=$(cd "$out" && pwd)

die() { echo "make-pcaps: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (unshare -n, raw sockets)"
for c in fwknop tcpdump python3 unshare ip; do
	command -v $c >/dev/null || die "$c not installed"
done

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
chmod 0755 "$scratch"
export HOME=$scratch LC_ALL=C

KEYS=(--key-base64-rijndael EYK5s7JGISsMUttLQHitWsJN/a05MD4JYjSuMmrD+gI=
    --key-base64-hmac oPYfgwyryWrhQjfq8KwzJmiW7y7i+rG8/YLbWTWF0HIg99fbq7wq9iYG/Dh8PUhnLybB5qDaU6tJiBbjDfvQmw==)
BASE=(-A tcp/22 -a 192.0.2.7 -U alice -D 127.0.0.1 "${KEYS[@]}")

# capture NAME LINKTYPE "FILTER" LISTEN_PORT -- fwknop arguments...
# LINKTYPE "" captures on lo (Ethernet), otherwise on "any" with -y LINKTYPE.
# LISTEN_PORT 0: no TCP listener.
capture() {
	local name=$1 link=$2 filter=$3 port=$4
	shift 5
	rm -f "$scratch/cap.pcap" "$scratch/packet"
	unshare -n /bin/bash -s "$scratch" "$link" "$filter" "$port" "$@" <<'EOF' \
	    >"$scratch/log" 2>&1 || { cat "$scratch/log" >&2; die "$name failed"; }
set -e
dir=$1 link=$2 filter=$3 port=$4
shift 4
ip link set lo up
if [ -n "$link" ]; then
	tcpdump -Z root -U -n -i any -y "$link" -w "$dir/cap.pcap" "$filter" &
else
	tcpdump -Z root -U -n -i lo -w "$dir/cap.pcap" "$filter" &
fi
dump=$!
if [ "$port" -ne 0 ]; then
	python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
open(sys.argv[2], "w").write("ready")
c, _ = s.accept(); c.settimeout(5)
while c.recv(4096):
    pass
c.close()
' "$port" "$dir/ready" &
	for i in $(seq 50); do [ -s "$dir/ready" ] && break; sleep 0.1; done
	rm -f "$dir/ready"
fi
sleep 1			# tcpdump is capturing
fwknop "$@" --save-packet "$dir/packet"
sleep 1
kill -INT $dump
wait
EOF
	[ -s "$scratch/cap.pcap" ] || die "$name: nothing captured"
	[ -s "$scratch/packet" ] || die "$name: no packet saved"
	cp "$scratch/cap.pcap" "$out/$name.pcap"
	tr -d '\n' <"$scratch/packet" >"$out/$name.spa"
	echo "$out/$name.pcap: $(stat -c %s "$out/$name.pcap") bytes"
}

capture lo-udp "" "udp dst port 62201" 0 -- "${BASE[@]}"
capture lo-tcp "" "tcp dst port 62201" 62201 -- "${BASE[@]}" -P tcp
capture lo-tcpraw "" "tcp dst port 62201" 0 -- "${BASE[@]}" -P tcpraw -Q 127.0.0.1
capture lo-icmp "" "icmp" 0 -- "${BASE[@]}" -P icmp -Q 127.0.0.1
capture sll-udp LINUX_SLL "udp dst port 62201" 0 -- "${BASE[@]}"
capture sll2-http LINUX_SLL2 "tcp dst port 80" 80 -- "${BASE[@]}" -P http -p 80
capture lo-http-proxy "" "tcp dst port 8080" 8080 -- "${BASE[@]}" -P http \
    -H 127.0.0.1:8080
