#!/bin/bash
# The real fwknop client against spagated in a private network namespace
# pair: every client option of issue 2 must produce exactly the expected
# OPEN event, in pcap and in UDP-server mode, and a replay of each packet
# must be refused.  Then the packets that must be refused: no HMAC, an
# HMAC of another digest, too old, wrong key, altered HMAC, truncated,
# trailing newline, trailing '=', each with what its log line says.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop

b64key() { head -c "$1" /dev/urandom | base64 -w0; }

K1=$(b64key 32); H1=$(b64key 64)
declare -A HK HH
for t in md5 sha1 sha384 sha512 sha3_256 sha3_512; do
	HK[$t]=$(b64key 32); HH[$t]=$(b64key 64)
done
KNOHMAC=$(b64key 32)

# One stanza per key set; stanza numbers are what the events must name.
write_access() {
	local f=$WORK/access.conf n=1
	{
		echo "# stanza 1: base64 keys, HMAC sha256"
		printf 'SOURCE ANY\nKEY_BASE64 %s\nHMAC_KEY_BASE64 %s\nENABLE_CMD_EXEC Y\n\n' "$K1" "$H1"
		for t in md5 sha1 sha384 sha512 sha3_256 sha3_512; do
			printf 'SOURCE ANY\nKEY_BASE64 %s\nHMAC_KEY_BASE64 %s\nHMAC_DIGEST_TYPE %s\n\n' \
				"${HK[$t]}" "${HH[$t]}" "$t"
		done
		printf 'SOURCE ANY\nKEY passphrase-one\nHMAC_KEY hmac-passphrase-two\n\n'
		printf 'SOURCE ANY\nKEY_BASE64 %s\n\n' "$KNOHMAC"
		printf 'SOURCE ANY\nKEY shortpw\nENCRYPTION_MODE legacy\n'
	} > "$f"
	chmod 600 "$f"
}
declare -A STANZA=([sha256]=1 [md5]=2 [sha1]=3 [sha384]=4 [sha512]=5 [sha3_256]=6 [sha3_512]=7 [pass]=8 [nohmac]=9 [legacy]=10)

write_conf() {
	cat > "$WORK/spagated.conf" <<CONF
nat = { forwarding = true; local = true; };
capture = { http = true; http_port = 62201; tcp_port = 62202; };
log = { refusals_per_second = 0; };
CONF
}

# Cases: name | stanza key | client options | fields the event must carry.
# ALLOW is the address inside the packet, CLI the client's own address.
cases() {
	cat <<'CASES'
access|sha256|-A tcp/22 -a 10.9.9.9|stanza=1 type=access allow=10.9.9.9 .* ports=tcp/22 .* timeout=30 client_timeout=0
multiport|sha256|-A tcp/22,udp/53,tcp/8443 -a 10.9.9.9|type=access allow=10.9.9.9 .* ports=tcp/22,udp/53,tcp/8443 
client-timeout|sha256|-A tcp/22 -a 10.9.9.9 -f 45|type=client_timeout_access .* timeout=45 client_timeout=45
source-ip|sha256|-A tcp/22 -s|type=access allow=CLI .* ports=tcp/22
username|sha256|-A tcp/22 -a 10.9.9.9 -U alice|user=alice 
command|sha256|-C CMD -a 10.9.9.9|type=command allow=10.9.9.9 .* command="touch /tmp/x; id"$
nat|sha256|-N 192.168.10.2:22 -A tcp/5022 -a 10.9.9.9|type=nat_access .* ports=tcp/5022 .* nat=192.168.10.2 nat_port=22
nat-timeout|sha256|-N 192.168.10.2:22 -A tcp/5022 -a 10.9.9.9 -f 60|type=client_timeout_nat_access .* ports=tcp/5022 .* timeout=60 .* nat=192.168.10.2 nat_port=22
local-nat|sha256|--nat-local -A tcp/5022 -a 10.9.9.9|type=local_nat_access .* ports=tcp/5022 .* nat=SRV nat_port=5022
local-nat-timeout|sha256|--nat-local -A tcp/5022 -a 10.9.9.9 -f 70|type=client_timeout_local_nat_access .* timeout=70 .* nat=SRV nat_port=5022
digest-md5|sha256|-A tcp/22 -a 10.9.9.9 -m md5|stanza=1 type=access
digest-sha1|sha256|-A tcp/22 -a 10.9.9.9 -m sha1|stanza=1 type=access
digest-sha384|sha256|-A tcp/22 -a 10.9.9.9 -m sha384|stanza=1 type=access
digest-sha512|sha256|-A tcp/22 -a 10.9.9.9 -m sha512|stanza=1 type=access
digest-sha3_256|sha256|-A tcp/22 -a 10.9.9.9 -m sha3_256|stanza=1 type=access
digest-sha3_512|sha256|-A tcp/22 -a 10.9.9.9 -m sha3_512|stanza=1 type=access
hmac-md5|md5|-A tcp/22 -a 10.9.9.9|stanza=2 type=access
hmac-sha1|sha1|-A tcp/22 -a 10.9.9.9|stanza=3 type=access
hmac-sha384|sha384|-A tcp/22 -a 10.9.9.9|stanza=4 type=access
hmac-sha512|sha512|-A tcp/22 -a 10.9.9.9|stanza=5 type=access
hmac-sha3_256|sha3_256|-A tcp/22 -a 10.9.9.9|stanza=6 type=access
hmac-sha3_512|sha3_512|-A tcp/22 -a 10.9.9.9|stanza=7 type=access
passphrase|pass|-A tcp/22 -a 10.9.9.9|stanza=8 type=access
no-hmac|nohmac|-A udp/53 -a 10.9.9.9|stanza=9 type=access .* ports=udp/53
legacy|legacy|-A tcp/22 -a 10.9.9.9|stanza=10 type=access
CASES
}

# Key options for the client, by stanza key.
key_opts() {
	case $1 in
	sha256) echo "--key-base64-rijndael $K1 --key-base64-hmac $H1" ;;
	pass) echo "--key-rijndael passphrase-one --key-hmac hmac-passphrase-two" ;;
	nohmac) echo "--key-base64-rijndael $KNOHMAC" ;;
	legacy) echo "--key-rijndael shortpw -M legacy" ;;
	*) echo "--key-base64-rijndael ${HK[$1]} --key-base64-hmac ${HH[$1]} --hmac-digest-type $1" ;;
	esac
}

# send_case MODE NAME KEY OPTIONS PATTERN: one grant, then its replay.
send_case() {
	local mode=$1 name=$2 key=$3 opts=$4 pattern=$5 pkt=$WORK/$1-$2.pkt
	local before after extra=""
	pattern=${pattern//CLI/$CLI_IP}
	pattern=${pattern//SRV/$SRV_IP}
	[ "$mode" = http ] && extra="-P http"
	[ "$mode" = tcp ] && extra="-P tcp --server-port 62202"
	before=$(count_lines "$WORK/events" '^OPEN ')
	# The command has spaces: it cannot travel through the word-split $opts.
	# shellcheck disable=SC2046,SC2086
	if [ "$name" = command ]; then
		fwknop_cli -D "$SRV_IP" $extra $(key_opts "$key") \
			-C "touch /tmp/x; id" -a 10.9.9.9 -B "$pkt" >/dev/null 2>&1
	else
		fwknop_cli -D "$SRV_IP" $extra $(key_opts "$key") $opts \
			-B "$pkt" >/dev/null 2>&1
	fi
	if ! wait_for_count "$WORK/events" '^OPEN ' $((before + 1)) 3; then
		not_ok "$mode $name: no OPEN event"; diag "$(tail -n 3 "$WORK/log")"
		not_ok "$mode $name: replay"
		return
	fi
	after=$(tail -n 1 "$WORK/events")
	# the destination as received: the SPA port, also read off a socket
	if [[ "$after" =~ $pattern ]] && [[ "$after" == *" src=$CLI_IP:"* ]] &&
		{ [ "$mode" = http ] || [[ "$after" == *" dst=$SRV_IP:$(spa_port "$mode") "* ]]; }; then
		ok "$mode $name: $pattern"
	else
		not_ok "$mode $name"; diag "got: $after" "want: $pattern src=$CLI_IP:... dst=$SRV_IP:62201 (pcap, udp)"
	fi
	check_replay "$mode" "$name" "$pkt" "$((before + 1))"
}

# The same bytes again must be refused as a replay and open nothing.
check_replay() {
	local mode=$1 name=$2 pkt=$3 events=$4 refusals
	refusals=$(count_lines "$WORK/log" 'replayed packet')
	if [ "$mode" = http ]; then
		send_http "$pkt"
	elif [ "$mode" = tcp ]; then
		send_tcp "$pkt"
	else
		send_udp "$pkt" "$SRV_IP" 62201
	fi
	if wait_for_count "$WORK/log" 'replayed packet' $((refusals + 1)) 3 &&
		[ "$(count_lines "$WORK/events" '^OPEN ')" -eq "$events" ]; then
		ok "$mode $name: replay refused"
	else
		not_ok "$mode $name: replay refused"; diag "$(tail -n 2 "$WORK/log")"
	fi
}

# Resend a saved packet the way the client's -P http does.
send_http() {
	local spa
	spa=$(tr '+/' '-_' < "$1")
	in_cli bash -c 'exec 3<>"/dev/tcp/$1/62201"; printf "GET /%s HTTP/1.0\r\nUser-Agent: Fwknop/2.6.10\r\nAccept: */*\r\nHost: %s\r\nConnection: close\r\n\r\n" "$2" "$1" >&3; exec 3>&-' _ "$SRV_IP" "$spa"
}

# The same bytes over one TCP connection, the way the client's -P tcp
# sends them (the listener reads them until the client's end); the saved
# file ends in a newline the client does not send.
send_tcp() {
	in_cli bash -c 'exec 3<>"/dev/tcp/$1/62202"; printf %s "$(cat "$2")" >&3; exec 3>&-' _ "$SRV_IP" "$1"
}
spa_port() { if [ "$1" = tcp ]; then echo 62202; else echo 62201; fi; }

# A packet made with -T (not sent), altered, then sent: refused, no event.
send_refused() {
	local what=$1 reason=$2 transform=$3 pkt=$WORK/bad.pkt before
	shift 3
	fwknop_cli -D "$SRV_IP" -T "$@" -B "$pkt" >/dev/null 2>&1
	$transform "$pkt"
	before=$(count_lines "$WORK/events" '^OPEN ')
	local refusals; refusals=$(count_lines "$WORK/log" "refused .*: $reason")
	send_udp "$pkt" "$SRV_IP" 62201
	if wait_for_count "$WORK/log" "refused .*: $reason" $((refusals + 1)) 3 &&
		[ "$(count_lines "$WORK/events" '^OPEN ')" -eq "$before" ]; then
		ok "refused: $what ($reason)"
	else
		not_ok "refused: $what"; diag "$(tail -n 6 "$WORK/log")"
	fi
}
keep() { :; }
flip_last() { local s; s=$(cat "$1"); local c=${s: -1}; [ "$c" = A ] && c=B || c=A; printf '%s' "${s%?}$c" > "$1"; }
truncate_20() { local s; s=$(cat "$1"); printf '%s' "${s:0:${#s}-20}" > "$1"; }
add_newline() { printf '\n' >> "$1"; }
add_equals() { printf '=' >> "$1"; }

run_mode() {
	local mode=$1; shift
	start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$WORK/state-$mode" \
		-p "$WORK/$mode.pid" -t "$@"
	while IFS='|' read -r name key opts pattern; do
		case $mode in http|tcp) [ "$name" = access ] || [ "$name" = multiport ] || [ "$name" = command ] || continue ;; esac
		send_case "$mode" "$name" "$key" "$opts" "$pattern"
	done < <(cases)
}

ncases=$(cases | wc -l)
plan $(( ncases * 2 * 2 + 3 * 2 * 2 + 9 ))
netns_pair 7 || skip_all "cannot create network namespaces"
write_access
write_conf

run_mode pcap -i "$SRV_IF"
# Refusals, in pcap mode (same daemon).
K="--key-base64-rijndael $K1 --key-base64-hmac $H1"
# The client's usual mistakes, named (first: a few such hints a second).
send_refused "no --use-hmac" "HMAC does not verify: the packet has no HMAC" keep \
	--key-base64-rijndael "$K1" -A tcp/22 -a 10.9.9.9
send_refused "wrong --hmac-digest-type" \
	"HMAC does not verify: the packet's HMAC is SHA1, the stanza's HMAC_DIGEST_TYPE is SHA256" \
	keep $K --hmac-digest-type sha1 -A tcp/22 -a 10.9.9.9
send_refused "timestamp 300 s old" \
	"timestamp outside the allowed age: the packet's time is 30[0-9] s behind the clock here, the limit is 120 s" \
	keep $K -A tcp/22 -a 10.9.9.9 --time-offset-minus 300s
send_refused "wrong keys" "HMAC does not verify" keep --key-base64-rijndael "$(b64key 32)" --key-base64-hmac "$(b64key 64)" -A tcp/22 -a 10.9.9.9
send_refused "altered HMAC" "HMAC does not verify" flip_last $K -A tcp/22 -a 10.9.9.9
send_refused "truncated" "HMAC does not verify" truncate_20 $K -A tcp/22 -a 10.9.9.9
send_refused "trailing newline" "payload is not base64" add_newline $K -A tcp/22 -a 10.9.9.9
send_refused "trailing =" "payload is not base64" add_equals $K -A tcp/22 -a 10.9.9.9
# fwknopd forwards to IPv4 addresses only (ENABLE_NAT_DNS off).  The client
# makes no "bad%host" packet (it checks the name): test_policy sends that.
send_refused "NAT host name" "NAT host is not an IPv4 address" keep $K -N internal.example.org:22 -A tcp/5022 -a 10.9.9.9
stop_spagated

run_mode udp -U
stop_spagated

# SPA over HTTP: the client's -P http request to the HTTP listener.
run_mode http -U
stop_spagated

# SPA over TCP (-P tcp, how it travels over Tor): the TCP listener.
run_mode tcp -U
stop_spagated

finish
