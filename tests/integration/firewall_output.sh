#!/bin/bash
# firewall.output (fwknopd's ENABLE_IPT_OUTPUT) through the built-in
# firewall, nftables (or iptables when firewall_output_iptables.sh runs
# this file): the server drops its own outgoing packets by policy, so a
# granted TCP connect cannot complete unless spagated also accepts the
# answers from the granted port to the granted source.  Without
# firewall.output it cannot; with it, it can, and not after the timeout.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
FW_BACKEND=${FW_BACKEND:-nftables}
for t in nft iptables; do
	command -v $t >/dev/null || skip_all "needs $t (scripts/deps test)"
done

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64)
cat > "$WORK/access.conf" <<CONF
SOURCE              ANY
KEY_BASE64          $K1
HMAC_KEY_BASE64     $H1
OPEN_PORTS          tcp/22
FW_ACCESS_TIMEOUT   30
CONF
chmod 600 "$WORK/access.conf"
printf 'firewall = { backend = "%s"; };\n' "$FW_BACKEND" > "$WORK/off.conf"
printf 'firewall = { backend = "%s"; output = true; };\n' "$FW_BACKEND" > "$WORK/on.conf"
cat > "$WORK/ruleset.nft" <<'NFT'
table inet guard {
	chain output {
		type filter hook output priority 0; policy drop;
		oif lo accept
		meta mark & 0x5350 == 0x5350 accept
	}
}
NFT
guard() {
	if [ "$FW_BACKEND" = iptables ]; then
		in_srv iptables -A OUTPUT -o lo -j ACCEPT && in_srv iptables -P OUTPUT DROP
	else
		in_srv nft -f "$WORK/ruleset.nft"
	fi
}
connects() {
	in_cli timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" && read -r l <&3 && [ "$l" = ok ]' _ "$1" "$2" 2>/dev/null
}
refused() { ! connects "$@"; }
knock() {
	fwknop_cli --key-base64-rijndael "$K1" --key-base64-hmac "$H1" -D "$SRV_IP" \
		-A tcp/22 -a "$CLI_IP" -f "$1" >/dev/null 2>&1
}
start() {
	start_spagated -c "$WORK/$1" -a "$WORK/access.conf" -d "$WORK/state.$1" \
		-p "$WORK/spagated.pid" -i "$SRV_IF" || bail_out "spagated did not start"
}

plan 5
netns_pair $([ "$FW_BACKEND" = iptables ] && echo 67 || echo 66) ||
	skip_all "cannot create network namespaces"
check "the server sends nothing out by policy" guard
start_tcp_accept 22
start off.conf
mark
knock 30
check "without firewall.output a grant cannot answer: the connect fails" \
	eval 'wait_logged "stanza #1 $CLI_IP tcp/22: opened" 5 && refused "$SRV_IP" 22'
stop_spagated
mark
start on.conf
knock 4
check "with firewall.output the granted connect succeeds" \
	eval 'wait_logged "stanza #1 $CLI_IP tcp/22: opened" 5 && connects "$SRV_IP" 22'
check "after the client's 4 s the grant is closed" \
	wait_logged "stanza #1 $CLI_IP tcp/22: closed" 10
check "... and the connect fails again" refused "$SRV_IP" 22
stop_spagated
finish
