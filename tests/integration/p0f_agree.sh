#!/bin/bash
# OS fingerprints as p0f gives them (issue 21, item 3): SYNs in the header
# shapes of common stacks (crafted with scapy), and the SYNs this kernel
# sends over IPv4 and IPv6 (captured by tcpdump in a private network
# namespace), labelled by our matcher (tests/tools/p0f_label) and by p0f
# itself (p0f -r) against Debian's p0f.fp: for each SYN, the same label,
# distance and match quality (generic, fuzzy).
. "$(dirname "$0")/lib.sh"
require_root
command -v p0f >/dev/null || skip_all "needs p0f (Debian package p0f)"
command -v tcpdump >/dev/null || skip_all "needs tcpdump"
python3 -c 'import scapy' 2>/dev/null || skip_all "needs python3-scapy"
FP=${P0F_FP:-/etc/p0f/p0f.fp}
[ -r "$FP" ] || skip_all "$FP is missing (Debian package p0f)"
LABEL=$top_builddir/tests/tools/p0f_label
CRAFTED=15

plan $((CRAFTED + 4))

# Ethernet frames: p0f and p0f_label both read linktype 1.
python3 - "$WORK/crafted.pcap" <<'PY'
import sys
from scapy.all import Ether, IP, IPv6, TCP, wrpcap

def opts(*names, ws=7, ts=0x10203):
    o = {"mss": ("MSS", 1460), "sok": ("SAckOK", b""), "nop": ("NOP", None),
         "ws": ("WScale", ws), "ts": ("Timestamp", (ts, 0)), "eol": ("EOL", None)}
    return [o[n] for n in names]

LINUX = opts("mss", "sok", "ts", "nop", "ws")
WIN = opts("mss", "nop", "ws", "nop", "nop", "sok", ws=8)
MAC = lambda ws: opts("mss", "nop", "ws", "nop", "nop", "ts", "sok", "eol", ws=ws)
BSD = opts("mss", "nop", "ws", "sok", "ts", ws=6)
port = [40000]

def syn(ip, win, o, flags="S"):
    port[0] += 1
    return Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / ip / TCP(sport=port[0], dport=22, flags=flags,
                              seq=0x1000 + port[0], window=win, options=o)

v4 = lambda ttl, df=True, id=0x1234, tos=0: IP(src="192.0.2.1", dst="192.0.2.2",
    ttl=ttl, flags="DF" if df else 0, id=id, tos=tos)
v6 = lambda hlim, fl=0: IPv6(src="2001:db8::1", dst="2001:db8::2", hlim=hlim, fl=fl)
pkts = [
    syn(v4(64), 29200, LINUX),                # Linux 3.11 to 4.18
    syn(v4(52), 29200, LINUX),                # the same, 12 hops away
    syn(v4(64), 64240, LINUX),                # Linux 5 and 6
    syn(v6(60), 64240, LINUX),                # over IPv6, no flow label
    syn(v6(64, 0x12345), 64240, LINUX),       # with one
    syn(v4(116, id=0x4321), 64240, WIN),      # Windows 10 and 11
    syn(v4(116, id=0x4321), 8192, WIN),       # Windows 7 and 8
    syn(v4(64), 65535, MAC(6)),               # macOS
    syn(v4(64), 65535, MAC(4)),               # macOS 10.9 and later
    syn(v4(61), 65535, BSD),                  # FreeBSD
    syn(v4(50, df=False, id=4242), 1024, opts("mss")),  # nmap -sS
    syn(v4(128, df=False), 64240, WIN),       # fuzzy: no DF
    syn(v4(90), 64240, WIN),                  # fuzzy: 38 hops
    syn(v4(64), 29200, LINUX, flags="SEC"),   # fuzzy: ECN
    syn(v4(64), 512, opts("ws", "nop")),      # nothing known
]
wrpcap(sys.argv[1], pkts)
PY
[ -s "$WORK/crafted.pcap" ] || bail_out "scapy wrote no capture"

# The kernel's own SYNs: connect to a closed port on 127.0.0.1 and ::1.
NS=p0f$$
on_exit "ip netns del $NS"
ip netns add "$NS" && ip netns exec "$NS" ip link set lo up ||
	bail_out "cannot make a network namespace"
ip netns exec "$NS" timeout 10 tcpdump -i lo -U -c 4 -w "$WORK/kernel.pcap" \
	tcp 2>/dev/null &
tcpdump_pid=$!
sleep 1			# tcpdump listening: it prints nothing to wait for
ip netns exec "$NS" bash -c '(exec 3<>/dev/tcp/127.0.0.1/9) 2>/dev/null;
	(exec 3<>/dev/tcp/::1/9) 2>/dev/null' || true
wait "$tcpdump_pid"

# p0f's verdict per SYN, in p0f_label's words.
p0f_says() {
	timeout 20 p0f -r "$1" -f "$FP" 2>/dev/null | awk -F' += ' '
		/^\| (os|app) / { k = $1; sub(/^\| /, "", k); sub(/ +$/, "", k);
			who = k " = " $2 }
		/^\| dist / { d = $2 }
		/^\| params / { p = ""; n = split($2, w, " ")
			for (i = 1; i <= n; i++)
				if (w[i] == "generic" || w[i] == "fuzzy")
					p = p (p == "" ? "" : " ") w[i]
			print who " | dist = " d " | params = " (p == "" ? "none" : p) }'
}

# agree NAME COUNT: each SYN of NAME.pcap gets p0f's verdict.
agree() {
	local name=$1 count=$2 i ours theirs
	"$LABEL" "$FP" "$WORK/$name.pcap" >"$WORK/$name.ours" ||
		bail_out "p0f_label failed on $name.pcap"
	p0f_says "$WORK/$name.pcap" >"$WORK/$name.p0f"
	for ((i = 1; i <= count; i++)); do
		ours=$(sed -n "${i}p" "$WORK/$name.ours")
		theirs=$(sed -n "${i}p" "$WORK/$name.p0f")
		if [ -n "$ours" ] && [ "$ours" = "$theirs" ]; then
			ok "$name SYN $i: $ours"
		else
			not_ok "$name SYN $i: ours '$ours', p0f '$theirs'"
		fi
	done
}

agree crafted "$CRAFTED"
# all_kinds: a specific, a generic and a fuzzy label among ours
all_kinds() {
	grep -q '^os = Windows 7 or 8 | dist = 12 | params = none$' "$WORK/crafted.ours" &&
		grep -q 'params = generic$' "$WORK/crafted.ours" &&
		grep -q 'params = fuzzy$' "$WORK/crafted.ours"
}
check "not all unknown: a specific, a generic and a fuzzy label among them" all_kinds
agree kernel 2
check "the kernel's IPv4 SYN is named Linux" \
	grep -q '^os = Linux ' "$WORK/kernel.ours"
finish
