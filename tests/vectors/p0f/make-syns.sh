#!/bin/bash
# Capture the SYNs this host's own Linux TCP stack sends, for
# tests/unit/test_p0f_syn.c: the real-stack check of the p0f matcher.
#
#   tests/vectors/p0f/make-syns.sh [OUTDIR]    (default: this directory)
#
# In a private network namespace (nothing leaves the host), tcpdump listens
# on lo while bash connects to a closed port on 127.0.0.1 and on ::1; the
# kernel sends one SYN each (answered by a RST).  Each SYN is written as
# NAME.hex: the IP packet (the 14 bytes of lo's Ethernet header cut off),
# as hex, 16 bytes a line, and NAME.kernel says which kernel sent it.
# Needs root (unshare -n) and tcpdump.  The output is data to commit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
mkdir -p "$out"
out=$(cd "$out" && pwd)

die() { echo "make-syns: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (unshare -n)"
for c in tcpdump unshare ip; do
	command -v $c >/dev/null || die "$c not installed"
done

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# capture NAME ADDRESS: the first SYN to ADDRESS port 9 (discard: closed).
capture() {
	local name=$1 addr=$2
	unshare -n bash -c '
		set -eu
		ip link set lo up
		tcpdump -i lo -U -c 1 -w "$1" tcp \
			2>/dev/null &
		pid=$!
		sleep 1
		(exec 3<>"/dev/tcp/$2/9") 2>/dev/null || true
		wait "$pid"' capture "$scratch/$name.pcap" "$addr"
	# tcpdump -xx: the whole frame in hex; drop the Ethernet header
	tcpdump -r "$scratch/$name.pcap" -xx 2>/dev/null |
		sed -n 's/^[[:space:]]*0x[0-9a-f]*:[[:space:]]*//p' | tr -d ' \n' |
		cut -c29- | fold -w 32 >"$out/$name.hex"
	echo >>"$out/$name.hex"
	uname -sr >"$out/$name.kernel"
}

capture linux-lo4 127.0.0.1
capture linux-lo6 ::1
echo "make-syns: wrote $out/linux-lo4.hex $out/linux-lo6.hex"
