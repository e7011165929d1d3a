#!/bin/bash
# SPA through an HTTP proxy (issue 19, item 3): the real client's
# `-P http --http-proxy` through a real tinyproxy in a third namespace, to
# spagated's HTTP listener.  The request is granted to the address inside
# it, and the packet's source is the proxy's address.  tinyproxy 1.11
# writes no X-Forwarded-For of its own (its XTinyproxy option sends
# X-Tinyproxy, which spagated does not read, nor does fwknopd), so with
# capture.x_forwarded_for -s still grants the proxy; a tinyproxy that adds
# the header with AddHeader (a fixed value, as a proxy that knows its one
# client would) gets that address granted, for -s only, and only while
# capture.x_forwarded_for is on; a stanza's SOURCE still sees the proxy.  A packet sent twice through the proxy
# is refused the second time as a replay.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
command -v tinyproxy >/dev/null || skip_all "needs tinyproxy (scripts/deps test)"

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64)	# stanza 1: SOURCE ANY
K2=$(b64key 32) H2=$(b64key 64)	# stanza 2: SOURCE the client's address
PROXY_PORT=8888
# The client names no port in the URL it asks the proxy for (-p is not
# used through a proxy): the proxy connects to port 80.
HTTP_PORT=80

write_configs() {
	printf 'SOURCE ANY\nKEY_BASE64 %s\nHMAC_KEY_BASE64 %s\n\n' "$K1" "$H1" > "$WORK/access.conf"
	printf 'SOURCE %s\nKEY_BASE64 %s\nHMAC_KEY_BASE64 %s\n' "$CLI_IP" "$K2" "$H2" >> "$WORK/access.conf"
	chmod 600 "$WORK/access.conf"
	printf 'capture = { http = true; http_port = %s; x_forwarded_for = %s; };\n' \
		"$HTTP_PORT" false > "$WORK/plain.conf"
	printf 'capture = { http = true; http_port = %s; x_forwarded_for = %s; };\n' \
		"$HTTP_PORT" true > "$WORK/xff.conf"
}

# tinyproxy_start [AddHeader line]: tinyproxy in the foreground in the
# proxy namespace, for the client only, stopped at exit.
tinyproxy_start() {
	local conf=$WORK/tinyproxy.conf
	{
		printf 'User nobody\nGroup nogroup\nPort %s\nListen %s\nTimeout 10\nMaxClients 5\n' \
			"$PROXY_PORT" "$PRX_IP"
		printf 'Allow %s\nLogLevel Info\nLogFile "%s"\nXTinyproxy Yes\n' \
			"$CLI_PRX_IP" "$WORK/tinyproxy.log"
		[ $# -eq 0 ] || printf '%s\n' "$1"
	} > "$conf"
	touch "$WORK/tinyproxy.log"
	chmod 666 "$WORK/tinyproxy.log"	# tinyproxy drops to nobody
	ip netns exec "$PRX_NS" tinyproxy -d -c "$conf" >>"$WORK/tinyproxy.out" 2>&1 &
	TINYPROXY_PID=$!
	on_exit "kill $TINYPROXY_PID"
	wait_ok 5 proxy_listens
}
proxy_listens() { in_prx ss -Hltn "src $PRX_IP:$PROXY_PORT" | grep -q LISTEN; }
tinyproxy_stop() { kill "$TINYPROXY_PID"; wait "$TINYPROXY_PID" 2>/dev/null; }

# The real client through the proxy; -B keeps the packet it sent.
proxy_fwknop() {
	fwknop_cli -P http --http-proxy "$PRX_IP:$PROXY_PORT" -D "$SRV_IP" -A tcp/22 \
		--key-base64-rijndael "${KEY:-$K1}" --key-base64-hmac "${HKEY:-$H1}" "$@" \
		>>"$WORK/client.log" 2>&1
}

# The same packet again through the proxy, as the client asks for it.
resend_via_proxy() {
	local spa
	spa=$(tr '+/' '-_' < "$1")
	in_cli bash -c 'exec 3<>"/dev/tcp/$1/$2" &&
		printf "GET http://%s/%s HTTP/1.0\r\nUser-Agent: Fwknop/2.6.10\r\nAccept: */*\r\nHost: %s\r\nConnection: close\r\n\r\n" "$3" "$4" "$1" >&3 &&
		cat <&3 >/dev/null' _ "$PRX_IP" "$PROXY_PORT" "$SRV_IP" "$spa"
}

# grant_logged WHAT ALLOW: a grant of ALLOW to a packet from the proxy
grant_logged() {
	check_logged "$1" "accepted by stanza #1 .* allow=$2 src=$PRX_OUT_IP:[0-9]+ dst=$SRV_IP:$HTTP_PORT via=http " 5
}
opens() { count_lines "$WORK/events" '^OPEN '; }
nothing_accepted() { [ "$(since_mark 'accepted by stanza')" -eq 0 ]; }

plan 9
netns_pair 191 && netns_proxy 191 || skip_all "cannot create network namespaces"
write_configs
tinyproxy_start || bail_out "tinyproxy did not start: $(tail -n 3 "$WORK/tinyproxy.out")"
start_spagated -c "$WORK/xff.conf" -a "$WORK/access.conf" -d "$WORK/state" \
	-p "$WORK/spagated.pid" -t -U || bail_out "spagated did not start"

mark
proxy_fwknop -a "$CLI_IP" -B "$WORK/a.pkt"
grant_logged "through tinyproxy: granted to the -a address, from the proxy's address" "$CLI_IP"
n=$(opens)
mark
resend_via_proxy "$WORK/a.pkt"
check_logged "the same packet again through the proxy is refused as a replay" \
	"refused $PRX_OUT_IP:[0-9]+ .*via http: replayed packet: seen before" 5
check "... and opens nothing" [ "$(opens)" -eq "$n" ]
mark
proxy_fwknop -s
grant_logged "x_forwarded_for, tinyproxy's own headers: -s grants the proxy's address" "$PRX_OUT_IP"

# A tinyproxy that adds the header (a fixed value: tinyproxy knows no other)
tinyproxy_stop
tinyproxy_start "AddHeader \"X-Forwarded-For\" \"$CLI_IP\"" || bail_out "tinyproxy did not restart"
mark
proxy_fwknop -s
grant_logged "x_forwarded_for, AddHeader X-Forwarded-For: -s grants that address" "$CLI_IP"
mark
proxy_fwknop -a 10.9.9.9
grant_logged "... a packet naming its address (-a) is granted that one" 10.9.9.9
mark
KEY=$K2 HKEY=$H2 proxy_fwknop -a "$CLI_IP"
# (stanza 2, whose SOURCE is the client, is not tried: 1 tried)
check_logged "... a stanza's SOURCE sees the proxy, not X-Forwarded-For: refused" \
	"refused $PRX_OUT_IP:[0-9]+ .*via http: HMAC does not verify \\(stanza #1 .*, 1 tried\\)" 5
check "... and opens nothing" nothing_accepted
stop_spagated

# The default: the header is not read, the peer (the proxy) is the source
start_spagated -c "$WORK/plain.conf" -a "$WORK/access.conf" -d "$WORK/state" \
	-p "$WORK/spagated.pid" -t -U || bail_out "spagated did not start"
mark
proxy_fwknop -s
grant_logged "without x_forwarded_for, -s grants the proxy's address despite the header" "$PRX_OUT_IP"
finish
