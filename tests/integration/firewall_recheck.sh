#!/bin/bash
# The built-in firewall's recheck (executor.recheck_interval), in both
# backends, one grant each.  A stanza without commands grants tcp/22;
# then the operator's firewall reload removes spagated's part of it:
# nftables: the admin's ruleset loaded again (its first line is `flush
# ruleset`, as /etc/nftables.conf's is), which deletes table inet
# spagate; iptables: `iptables -F SPAGATE_INPUT` and the jump from INPUT
# deleted.  The connect fails; within the interval spagated makes its
# table (chain, jump) again and puts the grant back, logged at warning
# and counted; the connect works; and the grant still ends at its close.
# The admin's own rules reject tcp/22 with a reset, so a refusal is
# seen at once.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
for t in nft iptables iptables-save iptables-restore; do
	command -v $t >/dev/null || skip_all "needs $t (scripts/deps test)"
done

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64)
INTERVAL=2
cat > "$WORK/access.conf" <<CONF
SOURCE ANY
KEY_BASE64 $K1
HMAC_KEY_BASE64 $H1
CONF
chmod 600 "$WORK/access.conf"
cat > "$WORK/ruleset.nft" <<'NFT'
flush ruleset
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		meta mark & 0x5350 == 0x5350 accept
		tcp dport 22 reject with tcp reset
	}
}
NFT

connects() {
	in_cli timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2" && read -r l <&3 && [ "$l" = ok ]' _ "$1" "$2" 2>/dev/null
}
refused() { ! connects "$@"; }
since_mark_has() { [ "$(since_mark "$1")" -ge 1 ]; }
# the first check after the mark put it back: none called it still there
first_check_puts_back() {
	[ "$(tail -n +$((MARK + 1)) "$WORK/log" | sed '/put back/q' | grep -c 'still there')" -eq 0 ]
}
stats_say() {
	mark
	kill -USR1 "$SPAGATED_PID"
	wait_logged "stats: objects: $1" 5
}
# run BACKEND: spagated with that backend, a 12 s grant of tcp/22
run() {
	printf 'firewall = { backend = "%s"; };\nexecutor = { recheck_interval = %s; };\n' \
		"$1" "$INTERVAL" > "$WORK/spagated.conf"
	rm -rf "$WORK/state"
	mark
	start_spagated -v -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$WORK/state" \
		-p "$WORK/spagated.pid" -i "$SRV_IF" || bail_out "spagated did not start"
	wait_logged "firewall: $2 ready" 5 || diag "no setup"
	mark
	fwknop_cli --key-base64-rijndael "$K1" --key-base64-hmac "$H1" -D "$SRV_IP" \
		-A tcp/22 -a "$CLI_IP" -f 12 >/dev/null 2>&1
	wait_logged "stanza #1 $CLI_IP tcp/22: opened" 5 || diag "no grant"
}

plan 16
touch "$WORK/log"
netns_pair 77 || skip_all "cannot create network namespaces"
start_tcp_accept 22

# 1. nftables: a reload of the admin's ruleset deletes spagated's table
in_srv nft -f "$WORK/ruleset.nft" || bail_out "the admin's ruleset does not load"
run nftables "nftables table inet spagate"
check "nftables: the grant connects" connects "$SRV_IP" 22
mark
wait_logged "$CLI_IP tcp/22: still there \\(nft -c create element inet spagate allow4" $((INTERVAL + 5))
in_srv nft -f "$WORK/ruleset.nft"
mark
check "nftables: after the admin's reload the connect is refused" refused "$SRV_IP" 22
check_logged "nftables: the grant is put back, logged at warning" \
	"warning: stanza #1 $CLI_IP tcp/22: was removed outside spagated: put back \\(firewall create element inet spagate allow4 \\{ $CLI_IP \\. tcp \\. 22 timeout ([1-9]|1[01])s" \
	$((INTERVAL + 5))
check "... after the table was made again" since_mark_has "firewall: nftables table inet spagate ready"
check "... at the first check after the reload" first_check_puts_back
check "nftables: the connect works again" connects "$SRV_IP" 22
check "nftables: the stats line counts it" stats_say "put back 1, could not be put back 0"
check "nftables: the grant still closes at its time" wait_logged "stanza #1 $CLI_IP tcp/22: closed" 15
check "nftables: and the connect is refused again" refused "$SRV_IP" 22
stop_spagated

# 2. iptables: the chain flushed and the jump to it deleted
in_srv nft flush ruleset
in_srv iptables -A INPUT -p tcp --dport 22 -j REJECT --reject-with tcp-reset
run iptables "iptables chain SPAGATE_INPUT"
check "iptables: the grant connects" connects "$SRV_IP" 22
mark
wait_logged "$CLI_IP tcp/22: still there \\([^ ]*iptables-save: 1 of" $((INTERVAL + 5))
in_srv iptables -F SPAGATE_INPUT
in_srv iptables -D INPUT -j SPAGATE_INPUT
mark
check "iptables: after -F and the jump deleted the connect is refused" refused "$SRV_IP" 22
check_logged "iptables: the grant is put back, logged at warning" \
	"warning: stanza #1 $CLI_IP tcp/22: was removed outside spagated: put back \\(firewall -A SPAGATE_INPUT -s $CLI_IP/32" \
	$((INTERVAL + 5))
check "... at most one check after the flush" eval \
	'[ "$(tail -n +$((MARK + 1)) "$WORK/log" | sed "/put back/q" | grep -c "still there")" -le 1 ]'
check "iptables: the connect works again" connects "$SRV_IP" 22
check "iptables: the grant still closes at its time" wait_logged "stanza #1 $CLI_IP tcp/22: closed" 15
check "iptables: and the connect is refused again" refused "$SRV_IP" 22
stop_spagated
finish
