#!/bin/bash
# A ghost service, as fwknop's author describes it, on the shipped example
# (examples/ghost-service: ruleset.nft, access.conf, spagated.conf, only
# the keys filled in): a real sshd and a real web server in the server
# namespace.  The client asks for sshd through port 80 with the real
# fwknop client (-A tcp/22 --nat-local --nat-port 80): for its address
# alone, port 80 then leads to sshd, while another client address still
# gets the web server; after the client's timeout port 80 is the web
# server again for everyone.  sshd is never reachable on its own port.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
for t in nft /usr/sbin/sshd ssh-keygen python3; do
	command -v $t >/dev/null || skip_all "needs $t (scripts/deps test)"
done
EXAMPLE=$top_srcdir/examples/ghost-service

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64)
STATE=$WORK/state

sed -e "s|^\(KEY_BASE64 *\)__CHANGEME__|\1$K1|" \
	-e "s|^\(HMAC_KEY_BASE64 *\)__CHANGEME__|\1$H1|" \
	"$EXAMPLE/access.conf" > "$WORK/access.conf"
chmod 600 "$WORK/access.conf"
cp "$EXAMPLE/spagated.conf" "$WORK/spagated.conf"

plan 10
netns_pair 63 || skip_all "cannot create network namespaces"
CLI_IP2=10.231.63.3
ip -n "$CLI_NS" addr add "$CLI_IP2/24" dev "$CLI_IF"
check "the example's ruleset loads" in_srv nft -f "$EXAMPLE/ruleset.nft"
check "a real sshd and a real web server run" ghost_services_start
check "before any SPA packet port 80 is the web server" answers "$CLI_IP" 80 http
check "... and sshd is not reachable on port 22" answers "$CLI_IP" 22 none
start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
	-p "$WORK/spagated.pid" -i "$SRV_IF" || bail_out "spagated did not start"
mark
fwknop_cli --key-base64-rijndael "$K1" --key-base64-hmac "$H1" -D "$SRV_IP" \
	-A tcp/22 --nat-local --nat-port 80 -a "$CLI_IP" -f 4 >/dev/null 2>&1
check "the local NAT request opens the map's element" \
	wait_logged "stanza #1 $CLI_IP tcp/80: opened \\(nft create element inet ghost sshd \\{ $CLI_IP \\. 6 \\. 80 timeout 4s : $SRV_IP \\. 22 \\}\\)" 5
check "for the granted client port 80 is sshd" answers "$CLI_IP" 80 ssh
check "for another client port 80 is still the web server" answers "$CLI_IP2" 80 http
check "... and sshd is still not reachable on port 22" answers "$CLI_IP" 22 none
check "after the client's 4 s the element is closed" \
	wait_logged "stanza #1 $CLI_IP tcp/80: closed" 10
check "port 80 is the web server again for the granted client" answers "$CLI_IP" 80 http
stop_spagated
finish
