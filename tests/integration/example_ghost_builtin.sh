#!/bin/bash
# A ghost service through the built-in firewall, on the shipped example
# (examples/ghost-service/builtin: spagated.conf, access.conf without a
# command, ruleset.nft, only the keys filled in): a real sshd and a real
# web server in the server namespace.  The client asks for sshd through
# port 80 with the real fwknop client (-A tcp/22 --nat-local --nat-port
# 80): spagated's nftables backend DNATs its port 80 to sshd and accepts
# the translated connection; another client address still gets the web
# server; after the client's timeout port 80 is the web server again.
# example_ghost_builtin_iptables.sh runs this file with firewall.backend
# = "iptables" (fwknopd's own rules: SPAGATE_PREROUTING's DNAT and
# SPAGATE_INPUT's accept) and an iptables rule dropping port 22 in place
# of ruleset.nft; as with fwknopd, the granted source may then reach
# port 22 directly too, so only another source's is checked closed.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
FW_BACKEND=${FW_BACKEND:-nftables}
for t in nft iptables /usr/sbin/sshd ssh-keygen python3; do
	command -v $t >/dev/null || skip_all "needs $t (scripts/deps test)"
done
EXAMPLE=$top_srcdir/examples/ghost-service/builtin

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64)
STATE=$WORK/state

sed -e "s|^\(KEY_BASE64 *\)__CHANGEME__|\1$K1|" \
	-e "s|^\(HMAC_KEY_BASE64 *\)__CHANGEME__|\1$H1|" \
	"$EXAMPLE/access.conf" > "$WORK/access.conf"
chmod 600 "$WORK/access.conf"
sed "s|backend = \"nftables\"|backend = \"$FW_BACKEND\"|" "$EXAMPLE/spagated.conf" \
	> "$WORK/spagated.conf"

# the administrator's part: port 22 closed but to what spagated lets in
guard() {
	if [ "$FW_BACKEND" = iptables ]; then
		in_srv iptables -A INPUT -p tcp --dport 22 -j DROP
	else
		in_srv nft -f "$EXAMPLE/ruleset.nft"
	fi
}
# has dnat|accept: the local NAT's DNAT of port 80, the accept of port 22
has() {
	if [ "$FW_BACKEND" = iptables ]; then
		case $1 in
		dnat) in_srv iptables -t nat -S SPAGATE_PREROUTING | grep -q -- "-s $CLI_IP/32 -p tcp -m tcp --dport 80 .* -j DNAT --to-destination $SRV_IP:22" ;;
		accept) in_srv iptables -S SPAGATE_INPUT | grep -q -- "-s $CLI_IP/32 -p tcp -m tcp --dport 22 .* -j ACCEPT" ;;
		esac
	else
		case $1 in
		dnat) in_srv nft list map inet spagate dnat4 | grep -q "$CLI_IP . tcp . 80 .*: $SRV_IP . 22" ;;
		accept) in_srv nft list set inet spagate allow4 | grep -q "$CLI_IP . tcp . 22" ;;
		esac
	fi
}

plan 12
netns_pair $([ "$FW_BACKEND" = iptables ] && echo 65 || echo 64) || skip_all "cannot create network namespaces"
CLI_IP2=${CLI_IP%.2}.3
ip -n "$CLI_NS" addr add "$CLI_IP2/24" dev "$CLI_IF"
check "the administrator's ruleset loads (port 22 closed)" guard
check "a real sshd and a real web server run" ghost_services_start
check "before any SPA packet port 80 is the web server" answers "$CLI_IP" 80 http
check "... and sshd is not reachable on port 22" answers "$CLI_IP" 22 none
start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
	-p "$WORK/spagated.pid" -i "$SRV_IF" || bail_out "spagated did not start"
mark
fwknop_cli --key-base64-rijndael "$K1" --key-base64-hmac "$H1" -D "$SRV_IP" \
	-A tcp/22 --nat-local --nat-port 80 -a "$CLI_IP" -f 4 >/dev/null 2>&1
check "the local NAT request opens through the built-in firewall" \
	wait_logged "stanza #1 $CLI_IP tcp/80: opened" 5
check "... a DNAT of its port 80 to the address it reached, port 22" has dnat
check "... and the accept of the service port" has accept
check "for the granted client port 80 is sshd" answers "$CLI_IP" 80 ssh
check "for another client port 80 is still the web server" answers "$CLI_IP2" 80 http
if [ "$FW_BACKEND" = iptables ]; then
	check "... and sshd is still not reachable on port 22 for another client" \
		answers "$CLI_IP2" 22 none
else
	check "... and sshd is still not reachable on port 22" answers "$CLI_IP" 22 none
fi
check "after the client's 4 s the element is closed" \
	wait_logged "stanza #1 $CLI_IP tcp/80: closed" 10
check "port 80 is the web server again for the granted client" answers "$CLI_IP" 80 http
stop_spagated
finish
