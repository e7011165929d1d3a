#!/bin/bash
# A grant for a cycle already open re-asserts its open, so a client whose
# access vanished meanwhile is not locked out: an nftables element whose
# own timeout is shorter than the cycle, an iptables chain flushed
# between open and close.  A close that finds its object already gone is
# a close (CMD_CYCLE_CLOSE_ABSENT for commands), never retried for ever;
# a close that keeps failing is given up after executor.close_retry_limit
# with an error.  CMD_CYCLE_REFRESH replaces the open on extension (an
# idempotent form), NONE skips it.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
for t in nft iptables; do
	command -v $t >/dev/null || skip_all "needs $t (scripts/deps test)"
done
TCP_ACCEPT=$top_builddir/tests/tools/tcp_accept
[ -x "$TCP_ACCEPT" ] || skip_all "tests/tools/tcp_accept is not built"
NFT=$(command -v nft) IPT=$(command -v iptables)

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64) K2=$(b64key 32) H2=$(b64key 64)
K3=$(b64key 32) H3=$(b64key 64) K4=$(b64key 32) H4=$(b64key 64)
K5=$(b64key 32) H5=$(b64key 64)
STATE=$WORK/state RUNS=$WORK/runs

write_conf() {
	cat > "$WORK/access.conf" <<CONF
# 1: an nftables element that expires on its own after 2 s, run as a
# command (through env: a line whose first word is nft goes to the nft
# module, which gives its element the whole cycle's time)
SOURCE ANY
KEY_BASE64 $K1
HMAC_KEY_BASE64 $H1
OPEN_PORTS tcp/2223
MAX_FW_TIMEOUT 60
CMD_CYCLE_TIMER 30
CMD_CYCLE_OPEN /usr/bin/env $NFT add element inet spart allow { \$IP . \$PORT timeout 2s }
CMD_CYCLE_CLOSE /usr/bin/env $NFT delete element inet spart allow { \$IP . \$PORT }
CMD_CYCLE_CLOSE_ABSENT 1

# 2: an iptables rule in a chain someone may flush
SOURCE ANY
KEY_BASE64 $K2
HMAC_KEY_BASE64 $H2
OPEN_PORTS tcp/2224
MAX_FW_TIMEOUT 60
CMD_CYCLE_TIMER 30
CMD_CYCLE_OPEN $IPT -I SPART 1 -s \$IP -p tcp --dport \$PORT -j ACCEPT
CMD_CYCLE_CLOSE $IPT -D SPART -s \$IP -p tcp --dport \$PORT -j ACCEPT
CMD_CYCLE_CLOSE_ABSENT 1

# 3: the same with an idempotent refresh: one rule, whatever happens
SOURCE ANY
KEY_BASE64 $K3
HMAC_KEY_BASE64 $H3
OPEN_PORTS tcp/2225
MAX_FW_TIMEOUT 60
CMD_CYCLE_TIMER 30
CMD_CYCLE_OPEN $IPT -I SPART 1 -s \$IP -p tcp --dport \$PORT -j ACCEPT
CMD_CYCLE_REFRESH /bin/sh -c '$IPT -C SPART -s "\$1" -p tcp --dport "\$2" -j ACCEPT || $IPT -I SPART 1 -s "\$1" -p tcp --dport "\$2" -j ACCEPT' sh \$IP \$PORT
CMD_CYCLE_CLOSE $IPT -D SPART -s \$IP -p tcp --dport \$PORT -j ACCEPT

# 4: no re-assert at all
SOURCE ANY
KEY_BASE64 $K4
HMAC_KEY_BASE64 $H4
OPEN_PORTS tcp/2226
CMD_CYCLE_TIMER 30
CMD_CYCLE_OPEN /bin/sh -c 'echo open >> "\$1"' sh $RUNS
CMD_CYCLE_REFRESH NONE
CMD_CYCLE_CLOSE /bin/true

# 5: a close that never succeeds
SOURCE ANY
KEY_BASE64 $K5
HMAC_KEY_BASE64 $H5
OPEN_PORTS tcp/2227
CMD_CYCLE_TIMER 1
CMD_CYCLE_OPEN /bin/true
CMD_CYCLE_CLOSE /bin/false
CONF
	chmod 600 "$WORK/access.conf"
	printf 'executor = { close_retry_limit = 3; };\nlog = { refusals_per_second = 0; };\n' > "$WORK/spagated.conf"
}

start() {
	start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
		-p "$WORK/spagated.pid" -i "$SRV_IF" || bail_out "spagated did not start"
}
spa() { # spa KEY HMAC PORT [client options]
	local k=$1 h=$2 p=$3; shift 3
	fwknop_cli -D "$SRV_IP" --key-base64-rijndael "$k" --key-base64-hmac "$h" -A "tcp/$p" -a "$CLI_IP" "$@" >/dev/null 2>&1
}
connects() { # connects PORT: one TCP connect from the client, 1 s limit
	in_cli timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2" && read -r l <&3 && [ "$l" = ok ]' _ "$SRV_IP" "$1" 2>/dev/null
}
refused() { ! connects "$1"; }
elements() { in_srv nft list set inet spart allow | grep -c "$CLI_IP . $1" || true; }
no_element() { [ "$(elements "$1")" -eq 0 ]; }
rules() { in_srv iptables -S SPART | grep -c -- "-s $CLI_IP/32 .*--dport $1 -j ACCEPT" || true; }
journal_count() {
	"$SPAGATED" -S -c "$WORK/spagated.conf" -d "$STATE" -p "$WORK/spagated.pid" |
		sed -n 's/^ *\([0-9][0-9]*\) open cycles*$/\1/p'
}
# until COMMAND... succeeds (at most 10 s)
until_true() { local i; for i in $(seq 200); do "$@" && return 0; sleep 0.05; done; return 1; }

plan 22
netns_pair 42 || skip_all "cannot create network namespaces"
write_conf
in_srv nft -f - <<NFT || bail_out "cannot load the nftables table"
table inet spart {
	set allow { type ipv4_addr . inet_service; flags timeout; }
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 2223 ip saddr . tcp dport != @allow drop
	}
}
NFT
in_srv iptables -N SPART &&
	in_srv iptables -A INPUT -p tcp -m multiport --dports 2224,2225 -j SPART &&
	in_srv iptables -A INPUT -p tcp -m multiport --dports 2224,2225 -j DROP ||
	bail_out "cannot set up the iptables chain"
for p in 2223 2224 2225; do
	ip netns exec "$SRV_NS" "$TCP_ACCEPT" $p >/dev/null 2>&1 &
	on_exit "kill $!"
done
start

# 1. nftables: the element's own timeout (2 s) is shorter than the cycle
check "tcp/2223 is dropped before any SPA packet" refused 2223
mark
spa "$K1" "$H1" 2223 -f 8
wait_logged "stanza #1 .* tcp/2223: opened" 5
check "the grant opens tcp/2223" connects 2223
check "the element's own 2 s timeout ends it before the cycle" until_true no_element 2223
check "so the client is locked out again" refused 2223
spa "$K1" "$H1" 2223 -f 8
check_logged "a second grant extends the cycle" "tcp/2223: already open: close moved" 5
check_logged "and runs the open again" "tcp/2223: refreshed" 5
check "the client gets in again" connects 2223
check_logged "the close finds the element gone (exit 1, CMD_CYCLE_CLOSE_ABSENT): closed" \
	"tcp/2223: closed: already absent \\(exit 1, listed in CMD_CYCLE_CLOSE_ABSENT\\)" 12
check "a close whose object is gone is not retried" [ "$(since_mark 'tcp/2223: close failed')" -eq 0 ]

# 2. iptables: the chain flushed between open and close
mark
spa "$K2" "$H2" 2224 -f 8
wait_logged "stanza #2 .* tcp/2224: opened" 5
check "the grant opens tcp/2224" connects 2224
in_srv iptables -F SPART
check "iptables -F removes the rule: locked out" refused 2224
spa "$K2" "$H2" 2224 -f 8
wait_logged "tcp/2224: refreshed" 5
check "a second grant puts the rule back: the client gets in" connects 2224
wait_logged "tcp/2224: closed" 12
check "the close removes it: dropped again, no rule left" \
	bash -c "[ \$(ip netns exec $SRV_NS iptables -S SPART | grep -c -- '--dport 2224') -eq 0 ]"
check "no close failed" [ "$(since_mark 'tcp/2224: close failed')" -eq 0 ]

# 3. CMD_CYCLE_REFRESH: an idempotent re-assert, one rule
mark
spa "$K3" "$H3" 2225 -f 8
wait_logged "stanza #3 .* tcp/2225: opened" 5
spa "$K3" "$H3" 2225 -f 8
wait_logged "tcp/2225: refreshed" 5
check "CMD_CYCLE_REFRESH runs instead of the open: still one rule" [ "$(rules 2225)" -eq 1 ]
in_srv iptables -F SPART
mark
spa "$K3" "$H3" 2225 -f 8
wait_logged "tcp/2225: refreshed" 5
check "after a flush CMD_CYCLE_REFRESH puts the rule back" connects 2225
wait_logged "tcp/2225: closed" 12
check "its close leaves no rule" [ "$(rules 2225)" -eq 0 ]

# 4. CMD_CYCLE_REFRESH NONE: the open runs once
mark
spa "$K4" "$H4" 2226 -f 8
wait_logged "stanza #4 .* tcp/2226: opened" 5
spa "$K4" "$H4" 2226 -f 2
wait_logged "tcp/2226: already open" 5
wait_logged "tcp/2226: closed" 12
check "CMD_CYCLE_REFRESH NONE: the open command ran once" [ "$(wc -l < "$RUNS")" -eq 1 ]
check "and nothing was refreshed" [ "$(since_mark 'tcp/2226: refreshed')" -eq 0 ]

# 5. a close that keeps failing is given up after close_retry_limit (3 s)
mark
spa "$K5" "$H5" 2227 -f 1
wait_logged "stanza #5 .* tcp/2227: close failed" 5
check_logged "after 3 s of failures the close is given up, at error level" \
	" error: stanza #5 .* tcp/2227: close failed .* giving up" 12
check "the abandoned cycle leaves the journal (others remain: $(journal_count))" \
	bash -c "! '$SPAGATED' -S -c '$WORK/spagated.conf' -d '$STATE' -p '$WORK/spagated.pid' | grep -q 'tcp/2227'"
mark
kill -USR1 "$SPAGATED_PID"
check_logged "SIGUSR1 counts it" "closes abandoned 1," 5
finish
