#!/bin/bash
# SPA over Tor, without the internet (issue 19, item 2): the path Tor
# makes is a SOCKS5 proxy whose exit, not the client, opens the TCP
# connection.  A real SOCKS5 proxy (OpenSSH's dynamic forwarding, ssh -D
# to a private sshd) runs in a third namespace; the real client runs as
# `torsocks fwknop -P tcp -a <its own address>` with a torsocks.conf
# naming that proxy.  spagated's TCP listener sees the packet arrive from
# the proxy, grants the address inside the packet (the client's direct
# TCP connect fails before, succeeds after; the proxy gets nothing), and
# a stanza with REQUIRE_SOURCE_ADDRESS refuses the request that asks for
# the packet's source (-s: over Tor, the exit's address), as fwknopd does,
# while a stanza without it grants -s the proxy's address.  Under
# torsocks the client's default UDP is refused (why -P tcp).  doc/tor.md
# is the user's side of this.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
for t in torsocks nft /usr/sbin/sshd ssh ssh-keygen; do
	command -v $t >/dev/null || skip_all "needs $t (scripts/deps test)"
done

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64)	# stanza 1: any request
K2=$(b64key 32) H2=$(b64key 64)	# stanza 2: REQUIRE_SOURCE_ADDRESS
SOCKS_PORT=1080
SPA_PORT=62201

write_configs() {
	printf 'SOURCE ANY\nKEY_BASE64 %s\nHMAC_KEY_BASE64 %s\nOPEN_PORTS tcp/22\nFW_ACCESS_TIMEOUT 30\n\n' \
		"$K1" "$H1" > "$WORK/access.conf"
	printf 'SOURCE ANY\nKEY_BASE64 %s\nHMAC_KEY_BASE64 %s\nOPEN_PORTS tcp/22\nREQUIRE_SOURCE_ADDRESS Y\n' \
		"$K2" "$H2" >> "$WORK/access.conf"
	chmod 600 "$WORK/access.conf"
	cat > "$WORK/spagated.conf" <<CONF
capture = { tcp_port = $SPA_PORT; };
firewall = { backend = "nftables"; };
CONF
	# the server drops by policy, accepts the SPA port and spagated's mark
	cat > "$WORK/ruleset.nft" <<NFT
table inet filter {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iif lo accept
		tcp dport $SPA_PORT accept
		meta mark & 0x5350 == 0x5350 accept
	}
}
NFT
	# torsocks(8) sends every TCP connect to this SOCKS5 server instead
	# of a local Tor (and refuses UDP, hence -P tcp)
	printf 'TorAddress %s\nTorPort %s\n' "$PRX_IP" "$SOCKS_PORT" > "$WORK/torsocks.conf"
}

# The SOCKS5 proxy: a private sshd on the proxy namespace's loopback and
# `ssh -N -D` logged into it with a throwaway key, listening on PRX_IP.
# Outgoing connections leave the proxy namespace from PRX_OUT_IP.
socks_start() {
	local d=$WORK/socks
	mkdir -p "$d" /run/sshd
	ssh-keygen -q -t ed25519 -N '' -f "$d/hostkey" &&
	ssh-keygen -q -t ed25519 -N '' -f "$d/id" || return 1
	cp "$d/id.pub" "$d/authorized_keys"
	printf '127.0.0.1 %s\n' "$(cut -d' ' -f1,2 "$d/hostkey.pub")" > "$d/known_hosts"
	# StrictModes off: $WORK lies under the world-writable /tmp; PAM on:
	# without it sshd refuses a root whose password is locked ("!")
	ip netns exec "$PRX_NS" /usr/sbin/sshd -D -e -f /dev/null -h "$d/hostkey" \
		-o ListenAddress=127.0.0.1:22 -o "PidFile=$d/sshd.pid" \
		-o "AuthorizedKeysFile=$d/authorized_keys" -o StrictModes=no \
		-o PermitRootLogin=prohibit-password -o AllowTcpForwarding=yes -o UsePAM=yes \
		>>"$d/sshd.log" 2>&1 &
	on_exit "kill $!"
	wait_ok 5 listens 127.0.0.1:22 || return 1
	ip netns exec "$PRX_NS" ssh -F /dev/null -N -i "$d/id" -o BatchMode=yes \
		-o "UserKnownHostsFile=$d/known_hosts" -o StrictHostKeyChecking=yes \
		-o ExitOnForwardFailure=yes -D "$PRX_IP:$SOCKS_PORT" root@127.0.0.1 \
		>>"$d/ssh.log" 2>&1 &
	on_exit "kill $!"
	wait_ok 5 listens "$PRX_IP:$SOCKS_PORT"
}
listens() { in_prx ss -Hltn "src $1" | grep -q LISTEN; }

# The real client through the proxy, as a Tor user runs it.
tor_fwknop() {
	in_cli env TORSOCKS_CONF_FILE="$WORK/torsocks.conf" torsocks \
		fwknop --no-rc-file --no-save-args -P tcp -D "$SRV_IP" -A tcp/22 "$@" \
		>>"$WORK/client.log" 2>&1
}

connects() {
	ip netns exec "$1" timeout 1 bash -c \
		'exec 3<>"/dev/tcp/$1/22" && read -r l <&3 && [ "$l" = ok ]' _ "$SRV_IP" 2>/dev/null
}
refused() { ! connects "$@"; }
nothing_accepted() { [ "$(since_mark 'accepted by stanza')" -eq 0 ]; }
udp_refused() {
	mark
	! in_cli env TORSOCKS_CONF_FILE="$WORK/torsocks.conf" torsocks \
		fwknop --no-rc-file --no-save-args -D "$SRV_IP" -A tcp/22 -a "$CLI_IP" \
		--key-base64-rijndael "$K1" --key-base64-hmac "$H1" >"$WORK/udp.log" 2>&1 &&
	grep -q "Could not create socket: Operation not permitted" "$WORK/udp.log" &&
	sleep 0.5 && [ "$(since_mark 'accepted|refused')" -eq 0 ]
}
client_quiet() { ! grep -Eqi 'error|refus|denied|not sent' "$WORK/client.log"; }
# accepted STANZA ALLOW: the verifier's line for a grant of ALLOW to a
# packet that came from the proxy
accepted() {
	echo "accepted by stanza #$1 .* allow=$2 src=$PRX_OUT_IP:[0-9]+ dst=$SRV_IP:$SPA_PORT via=tcp "
}
# opened STANZA ADDRESS: the grant's element in the built-in firewall's set
opened() {
	echo "stanza #$1 $2 tcp/22: opened \\(firewall (create|add) element inet spagate allow4 \\{ $2 \\. tcp \\. 22 "
}

plan 13
netns_pair 190 && netns_proxy 190 || skip_all "cannot create network namespaces"
write_configs
in_srv nft -f "$WORK/ruleset.nft" || bail_out "cannot load the server's ruleset"
socks_start || bail_out "the SOCKS5 proxy did not start: $(tail -n 3 "$WORK/socks/"*.log)"
start_tcp_accept 22
start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$WORK/state" \
	-p "$WORK/spagated.pid" -U || bail_out "spagated did not start"

check "the client's tcp/22 is dropped before any SPA packet" refused "$CLI_NS"
mark
tor_fwknop --key-base64-rijndael "$K1" --key-base64-hmac "$H1" -a "$CLI_IP"
check_logged "through the SOCKS5 proxy: the packet arrives from the proxy, the grant is the -a address" \
	"$(accepted 1 "$CLI_IP")" 5
check_logged "... the firewall's element is that address" "$(opened 1 "$CLI_IP")" 5
check "... the client's direct TCP connect succeeds" connects "$CLI_NS"
check "... the proxy, the packet's source, is not granted" refused "$PRX_NS"

# -s asks for the packet's source address: over Tor, the exit's
mark
tor_fwknop --key-base64-rijndael "$K2" --key-base64-hmac "$H2" -s
check_logged "REQUIRE_SOURCE_ADDRESS refuses -s through the proxy, logged with the proxy's address" \
	"refused .*$PRX_OUT_IP.*: .*REQUIRE_SOURCE_ADDRESS.* \\(stanza #2 " 5
check "... and grants nothing" nothing_accepted
mark
tor_fwknop --key-base64-rijndael "$K2" --key-base64-hmac "$H2" -a "$CLI_IP"
check_logged "REQUIRE_SOURCE_ADDRESS grants -a through the proxy (fwknopd refuses only 0.0.0.0)" \
	"$(accepted 2 "$CLI_IP")" 5
# Why a Tor user must not use -s: without REQUIRE_SOURCE_ADDRESS the
# grant goes to whoever delivered the packet
mark
tor_fwknop --key-base64-rijndael "$K1" --key-base64-hmac "$H1" -s
check_logged "without it, -s through the proxy grants the proxy's address" \
	"$(accepted 1 "$PRX_OUT_IP")" 5
check_logged "... its element is the proxy's address" "$(opened 1 "$PRX_OUT_IP")" 5
check "... so the proxy's own TCP connect succeeds" connects "$PRX_NS"
check "torsocks and the client reported no error" client_quiet
# doc/tor.md's reason for -P tcp: torsocks refuses the default UDP
check "under torsocks the client's default -P udp is refused, nothing sent" udp_refused
finish
