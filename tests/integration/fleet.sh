#!/bin/bash
# Fleet mode (issue 9): two gateways, each spagated in its own network
# namespace, share a real redis-server and one Cisco device (the IOS
# double behind a real sshd), all on one test LAN:
#
#   lan (bridge, redis TLS 10.231.160.1:6380, sshd+double :2222, sentinel
#        TLS :26379, later a replica TLS :6381)
#    ├── gwa 10.231.160.2   spagated, gateway "gwa", ACL range 100-199
#    ├── gwb 10.231.160.3   spagated, gateway "gwb", ACL range 200-299
#    └── cli 10.231.160.4   the fwknop client
#
# Redis and Sentinel speak TLS only; each gateway reaches them through
# its own stunnel (examples/fleet/stunnel.conf), and tcpdump on the LAN
# shows at the end that neither password ever crossed it in clear.
# A packet gwa granted is refused by gwb as a replay; gwb grants a fresh
# one.  gwa is killed (-9) with a cycle open: once its heartbeat is gone
# gwb claims the overdue cycle and removes gwa's entry from the device, not
# before its close time.  Redis stopped: gwb refuses new grants
# (fail_closed), still closes its own cycle from its journal, and when
# Redis is back writes its open cycles again and grants.  Then a gateway
# finds the master through a real redis-sentinel, and when the master
# dies and Sentinel promotes its replica, reconnects to the new master.
# Records written straight into Redis are never acted on unless sealed
# with the fleet key, and a Cisco close removes only a number of the
# device's ranges holding the entry the record describes (read back);
# text from Redis and Sentinel is logged escaped.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
for t in redis-server redis-cli redis-sentinel stunnel4 openssl tcpdump /usr/sbin/sshd ssh-keygen /usr/bin/python3; do
	command -v $t >/dev/null || skip_all "needs $t (scripts/deps test)"
done
TOOLS=$top_srcdir/tests/tools
plan 51

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K=$(b64key 32) H=$(b64key 64)
ETC=$WORK/etc
mkdir -p "$ETC" "$WORK/redis"
NET=10.231.160
TAG=spa$$f
LAN=${TAG}lan GWA=${TAG}gwa GWB=${TAG}gwb CLI_NS=${TAG}cli
REDIS=127.0.0.1:16380		# the master, through the gateway's stunnel

# --- the LAN --------------------------------------------------------------
topology() {
	local ns n=2
	for ns in "$LAN" "$GWA" "$GWB" "$CLI_NS"; do
		ip netns add "$ns" || return 1
		on_exit "ip netns del $ns"
		ip -n "$ns" link set lo up
	done
	ip -n "$LAN" link add br0 type bridge && ip -n "$LAN" link set br0 up &&
		ip -n "$LAN" addr add "$NET.1/24" dev br0 || return 1
	for ns in "$GWA" "$GWB" "$CLI_NS"; do
		ip link add eth0 netns "$ns" type veth peer name "p$n" netns "$LAN" &&
		ip -n "$LAN" link set "p$n" master br0 up &&
		ip -n "$ns" addr add "$NET.$n/24" dev eth0 &&
		ip -n "$ns" link set eth0 up || return 1
		n=$((n + 1))
	done
}
topology || bail_out "cannot create the test LAN"
CLI_IP=$NET.4
# everything on the LAN is captured: no secret may cross it in clear
ip netns exec "$LAN" tcpdump -i br0 -U -s 0 -w "$WORK/lan.pcap" tcp 2>"$WORK/tcpdump.err" &
TCPDUMP=$!
on_exit "kill $TCPDUMP"
wait_for "$WORK/tcpdump.err" "listening on br0" 5 || bail_out "tcpdump did not start"

# --- redis, the device ------------------------------------------------------
printf 'fleet-%s\n' "$(head -c 12 /dev/urandom | base64 -w0 | tr -d '/+=')" >"$ETC/redis.pw"
chmod 600 "$ETC/redis.pw"
PW=$(cat "$ETC/redis.pw")
# the key that seals the cycle records, the same file on every gateway
head -c 33 /dev/urandom | base64 -w0 >"$ETC/fleet.key"; echo >>"$ETC/fleet.key"
head -c 33 /dev/urandom | base64 -w0 >"$ETC/other.key"; echo >>"$ETC/other.key"
chmod 600 "$ETC/fleet.key" "$ETC/other.key"
printf 'sentinel-%s\n' "$(head -c 12 /dev/urandom | base64 -w0 | tr -d '/+=')" >"$ETC/sentinel.pw"
chmod 600 "$ETC/sentinel.pw"
SPW=$(cat "$ETC/sentinel.pw")
# a CA for the test, and the servers' certificate for their address
tls_certs() {
	local d=$ETC/tls
	mkdir -p "$d" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$d/ca.key" -out "$d/ca.crt" -days 2 -subj "/CN=spagate fleet test CA" &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$d/redis.key" -out "$d/redis.csr" -subj "/CN=$NET.1" &&
	printf 'subjectAltName=IP:%s\n' "$NET.1" >"$d/san" &&
	openssl x509 -req -in "$d/redis.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
		-CAcreateserial -out "$d/redis.crt" -days 2 -extfile "$d/san"
} >"$WORK/openssl.log" 2>&1
tls_certs || bail_out "cannot make the test certificates: $(tail -n 3 "$WORK/openssl.log")"
# examples/fleet/redis-tls.conf, filled in: TLS only, on 6380 (6381 for
# the replica, started later)
sed -e "s|/etc/redis/tls/|$ETC/tls/|" -e "s|REPLACE_WITH_THE_REDIS_PASSWORD|$PW|" \
	"$top_srcdir/examples/fleet/redis-tls.conf" >"$ETC/redis-tls.conf"
start_redis() { # start_redis [PORT DIR MORE-OPTIONS...]
	local port=${1:-6380} dir=${2:-$WORK/redis}
	mkdir -p "$dir"
	ip netns exec "$LAN" redis-server "$ETC/redis-tls.conf" --bind "$NET.1" \
		--tls-port "$port" --save '' --appendonly no --dir "$dir" \
		--logfile "$dir/redis.log" --daemonize no "${@:3}" &
	REDIS_PID=$!
	on_exit "kill $REDIS_PID"
	for _ in $(seq 50); do rcli -p "$port" PING 2>/dev/null | grep -q PONG && return 0; sleep 0.1; done
	return 1
}
stop_redis() { kill "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null; }
# the test's own client, from the LAN's side: TLS too
rcli() { ip netns exec "$LAN" redis-cli --tls --cacert "$ETC/tls/ca.crt" -h "$NET.1" \
	-p 6380 --no-auth-warning -a "$PW" "$@"; }
scli() { ip netns exec "$LAN" redis-cli --tls --cacert "$ETC/tls/ca.crt" -h "$NET.1" \
	-p 26379 --no-auth-warning -a "$SPW" "$@"; }
start_redis || bail_out "redis-server did not start: $(tail -n 3 "$WORK/redis/redis.log")"

# examples/fleet/stunnel.conf, filled in, in each gateway's namespace
sed -e "s/192.0.2.11:6380/$NET.1:6381/" -e "s/192.0.2.1[01]/$NET.1/g" \
	-e "s|/etc/spagate/redis-ca.crt|$ETC/tls/ca.crt|" -e "s/^foreground = no/foreground = yes/" \
	-e "s|^pid = .*|pid =|" "$top_srcdir/examples/fleet/stunnel.conf" >"$ETC/stunnel.conf"
for ns in "$GWA" "$GWB" "$CLI_NS"; do
	ip netns exec "$ns" stunnel4 "$ETC/stunnel.conf" >>"$WORK/stunnel-$ns.log" 2>&1 &
	on_exit "kill $!"
done
tunnels_up() {
	local ns
	for ns in "$GWA" "$GWB" "$CLI_NS"; do
		ip netns exec "$ns" ss -ltn | grep -q '127.0.0.1:16381 ' || return 1
	done
}
for _ in $(seq 50); do tunnels_up && break; sleep 0.1; done

ssh-keygen -q -t ed25519 -N '' -f "$ETC/id"
"$TOOLS/ios_sshd" start --netns "$LAN" --listen "$NET.1" --port 2222 \
	--authorized-key "$ETC/id.pub" --init "--privilege 15 --hostname EDGE1" \
	>"$WORK/sshd.env" || bail_out "ios_sshd did not start"
eval "$(cat "$WORK/sshd.env")"
on_exit "'$TOOLS/ios_sshd' stop '$IOS_SSHD_DIR'"
install -m 644 "$IOS_SSHD_KNOWN_HOSTS" "$ETC/known_hosts"
acl() { "$IOS_DOUBLE" --state "$IOS_SSHD_STATE" --get running.acl4.SPA-IN 2>/dev/null; }
has_seq_in() { acl | grep -qE "\"$1[0-9][0-9]\": \"permit tcp host $2 "; }
no_seq_in() { ! acl | grep -qE "\"$1[0-9][0-9]\""; }
not_granted_by() { ! acl | grep -qE "\"$1[0-9][0-9]\": \"permit tcp host $2 "; }

# --- the gateways -------------------------------------------------------------
write_conf() { # write_conf NAME FIRST LAST [REDIS-SETTINGS]
	local where="address = \"$REDIS\";"
	[ $# -ge 4 ] && where=$4
	cat >"$ETC/$1.conf" <<CONF
capture = { mode = "udp"; udp_address = "0.0.0.0"; };
executor = { close_on_exit = false; };
metrics = { file = "$WORK/$1.prom"; interval = 1; };
state_backend = "redis";
redis = { $where password_file = "$ETC/redis.pw"; fleet_key_file = "$ETC/fleet.key";
          gateway = "$1"; heartbeat = 2; timeout_ms = 300; };
cisco = (
  { name = "edge1"; host = "$NET.1"; port = 2222; user = "$IOS_SSHD_USER";
    key_file = "$ETC/id"; known_hosts = "$ETC/known_hosts"; acl = "SPA-IN";
    seq_first = $2; seq_last = $3; fleet_ranges = "100-499";
    connect_timeout = 5; command_timeout = 5; }
);
CONF
	chmod 600 "$ETC/$1.conf"
}
cat >"$WORK/access.conf" <<CONF
SOURCE ANY
KEY_BASE64 $K
HMAC_KEY_BASE64 $H
CMD_CYCLE_OPEN edge1 permit tcp host \$IP any eq \$PORT
CMD_CYCLE_CLOSE edge1 remove
CMD_CYCLE_TIMER 6
CONF
chmod 600 "$WORK/access.conf"
write_conf gwa 100 199
write_conf gwb 200 299

declare -A GPID
start_gw() { # start_gw NAME NS
	local log=$WORK/$1.log ready
	touch "$log"
	ready=$(count_lines "$log" "verifier ready")
	ip netns exec "$2" $SPAGATED_WRAPPER "$SPAGATED" -f -c "$ETC/$1.conf" \
		-a "$WORK/access.conf" -d "$WORK/state-$1" -p "$WORK/$1.pid" \
		>>"$WORK/$1.events" 2>>"$log" &
	GPID[$1]=$!
	SPAGATED_PIDS="$SPAGATED_PIDS ${GPID[$1]}"
	on_exit "kill ${GPID[$1]}"
	wait_for_count "$log" "verifier ready" $((ready + 1)) 15
}
logged() { # logged NAME PATTERN SECONDS
	wait_for "$WORK/$1.log" "$2" "$3"
}
packet() { # packet FILE ALLOW [CLIENT OPTIONS]: made by the client, not sent
	fwknop_cli --key-base64-rijndael "$K" --key-base64-hmac "$H" -A tcp/22 \
		-a "$2" -D "$NET.2" --test -B "$1" "${@:3}" >/dev/null 2>&1
}

# fleet mode needs the fleet key: without the setting the file is refused,
# with a key too short the daemon does not start
refused_with() { # refused_with CONF PATTERN [--exit-parse-config]
	local out
	out=$(ip netns exec "$GWA" timeout 20 "$SPAGATED" -f -c "$1" -a "$WORK/access.conf" \
		-d "$WORK/state-x" -p "$WORK/x.pid" "${@:3}" 2>&1) && return 1
	grep -q -- "$2" <<<"$out" || { diag "$out"; return 1; }
}
sed 's| fleet_key_file = "[^"]*";||' "$ETC/gwa.conf" >"$ETC/nokey.conf"
printf 'short\n' >"$ETC/short.key"
sed "s|$ETC/fleet.key|$ETC/short.key|" "$ETC/gwa.conf" >"$ETC/shortkey.conf"
chmod 600 "$ETC/nokey.conf" "$ETC/short.key" "$ETC/shortkey.conf"
check "state_backend redis without redis.fleet_key_file is refused at load" \
	refused_with "$ETC/nokey.conf" 'state_backend "redis" needs redis.fleet_key_file' --exit-parse-config
check "a fleet key shorter than 32 bytes: spagated does not start" \
	refused_with "$ETC/shortkey.conf" "fleet: redis.fleet_key_file $ETC/short.key: the key (its first line) must be at least 32 bytes: fleet mode cannot start"

start_gw gwa "$GWA" || bail_out "gwa did not start: $(tail -n 3 "$WORK/gwa.log")"
start_gw gwb "$GWB" || bail_out "gwb did not start: $(tail -n 3 "$WORK/gwb.log")"
check "both gateways connect to redis (TLS, through their stunnel) with the password file" \
	bash -c "grep -q 'fleet: connected to redis $REDIS as gateway \"gwa\"' '$WORK/gwa.log' &&
		grep -q 'fleet: connected to redis $REDIS as gateway \"gwb\"' '$WORK/gwb.log'"
heartbeats() { [ "$(rcli EXISTS spagate:gw:gwa spagate:gw:gwb)" = 2 ]; }
check "each keeps a heartbeat in redis" heartbeats

# 1. one packet, two gateways: the second sees a replay
packet "$WORK/p1" 10.9.0.1
send_udp "$WORK/p1" "$NET.2" 62201
check "gwa grants the packet: entry in its range on the device" \
	wait_for "$WORK/gwa.log" "stanza #1 10.9.0.1 tcp/22: opened \\(edge1 seq 1[0-9][0-9] added" 8
in_redis() { [ "$(rcli --scan --pattern 'spagate:replay:*' | wc -l)" = 1 ] &&
	rcli ZRANGE spagate:cycles 0 -1 | grep -q '^gwa/'; }
check "the grant's digest and cycle are in redis" in_redis
send_udp "$WORK/p1" "$NET.3" 62201
check "gwb refuses the same packet as a replay of the fleet" \
	logged gwb "grant refused: replay \\(the fleet granted this packet already" 5
check "and puts nothing on the device" no_seq_in 2 10.9.0.1
packet "$WORK/p2" 10.9.0.2
send_udp "$WORK/p2" "$NET.3" 62201
check "gwb grants a fresh packet in its own range" \
	wait_for "$WORK/gwb.log" "stanza #1 10.9.0.2 tcp/22: opened" 8

check "gwb's metrics file counts it" wait_for "$WORK/gwb.prom" \
	"^spagate_fleet_replays_refused_total 1\$" 3
kill -USR1 "${GPID[gwb]}"
check "SIGUSR1: gwb counts the fleet's replay" \
	logged gwb "stats: fleet: digests checked 2, replays refused 1, unreachable 0" 5

# 1e. max_packet_age raised by a reload: a packet stamped before the raise
# is still judged by the smaller age, since the digest the granting
# gateway wrote lived only 2 x that age in redis (both gateways at 2 s,
# then gwb at 3600 s)
reload_gw() { # reload_gw NAME: SIGHUP, until its new verifier is ready
	local ready
	ready=$(count_lines "$WORK/$1.log" "verifier ready")
	kill -HUP "${GPID[$1]}"
	wait_for_count "$WORK/$1.log" "verifier ready" $((ready + 1)) 15
}
printf 'max_packet_age = 2;\n' >>"$ETC/gwa.conf"
printf 'max_packet_age = 2;\n' >>"$ETC/gwb.conf"
reload_gw gwa
reload_gw gwb
packet "$WORK/p9" 10.9.0.9
send_udp "$WORK/p9" "$NET.2" 62201
wait_for "$WORK/gwa.log" "stanza #1 10.9.0.9 tcp/22: opened" 8
digest=$(tr -d '\n' <"$WORK/p9" | sha256sum | cut -d' ' -f1)
for _ in $(seq 100); do
	[ "$(rcli EXISTS "spagate:replay:$digest")" = 0 ] && break
	sleep 0.1
done
check "gwa (max_packet_age 2) wrote the digest for 4 s: gone from redis" \
	[ "$(rcli EXISTS "spagate:replay:$digest")" = 0 ]
write_conf gwb 200 299
printf 'max_packet_age = 3600;\n' >>"$ETC/gwb.conf"
reload_gw gwb
send_udp "$WORK/p9" "$NET.3" 62201
check "gwb, raised to 3600 after the packet's time, refuses it by the age in force then" \
	logged gwb "error: stanza #1: grant to 10.9.0.9 refused: .*max_packet_age 2" 5
check "and puts nothing on the device" not_granted_by 2 10.9.0.9
write_conf gwa 100 199
write_conf gwb 200 299
reload_gw gwa
reload_gw gwb

# 1a. a cycle record written straight into redis (under a gateway that
# has no heartbeat) names an entry nobody granted: the administrator's
# entry 10, outside every configured range.  It is taken over, but no
# gateway removes it.
cat >"$WORK/rec.py" <<'PY'
# rec.py ID ALLOW DATA [KEYFILE NAME]: one journal record (executor/journal_rec.c)
# on stdout, module cisco, tcp/22, closed 5 s ago by "edge1 remove"; with a
# key file, sealed as Redis holds it under NAME (executor/fleet_rec.h)
import hashlib, hmac, socket, struct, sys, time
rid, allow, data = int(sys.argv[1], 16), sys.argv[2], sys.argv[3].encode()
now, close = int(time.time()), b"edge1\0remove\0"
rec = struct.pack("<QI16sB16sBHqqBHH", rid, 1, b"cisco", 4,
                  socket.inet_aton(allow), 6, 22, now - 20, now - 5, 1, 2,
                  len(close)) + close + struct.pack("<H", len(data)) + data
if len(sys.argv) > 5:
    key = open(sys.argv[4], "rb").readline().rstrip(b"\r\n")
    rec = b"SPAF\x01" + rec
    rec += hmac.new(key, sys.argv[5].encode() + b"\0" + rec, hashlib.sha256).digest()
sys.stdout.buffer.write(rec)
PY
forge() { # forge ID ALLOW DATA [KEYFILE|-]: gateway "ghost"'s record, overdue,
	# sealed with the fleet key (or KEYFILE; - for not sealed)
	local m key=${4:-$ETC/fleet.key}; m=ghost/$(printf '%016x' "0x$1")
	if [ "$key" = - ]; then set -- "$1" "$2" "$3"; else set -- "$1" "$2" "$3" "$key" "spagate:cycle:$m"; fi
	python3 "$WORK/rec.py" "$@" >"$WORK/rec.bin" &&
	rcli -x SET "spagate:cycle:$m" <"$WORK/rec.bin" >/dev/null &&
	rcli ZADD spagate:cycles "$(( $(date +%s) - 5 ))" "$m" >/dev/null
}
wait_until_ok() { # wait_until_ok SECONDS COMMAND...: until it succeeds
	local i n=$(( $1 * 10 )); shift
	for i in $(seq $n); do "$@" && return 0; sleep 0.1; done
	return 1
}
either_logged() { # either_logged PATTERN SECONDS: in gwa's or gwb's log
	local i
	for i in $(seq $(( $2 * 10 ))); do
		grep -Eq -- "$1" "$WORK/gwa.log" "$WORK/gwb.log" && return 0
		sleep 0.1
	done
	return 1
}
has_entry() { [ "$("$IOS_DOUBLE" --state "$IOS_SSHD_STATE" --get "running.acl4.SPA-IN.$1" 2>/dev/null)" = "\"$2\"" ]; }
ADMIN="permit tcp any host $NET.1 eq 22"
"$IOS_DOUBLE" --state "$IOS_SSHD_STATE" --set "running.acl4.SPA-IN.10=$ADMIN" >/dev/null
forge a1 10.9.9.10 "edge1 10"
check "a forged record of a gateway without heartbeat is taken over" \
	either_logged "10.9.9.10 tcp/22: taken over from gateway \"ghost\"" 10
either_logged "10.9.9.10 tcp/22: clos" 10
check "but the administrator's entry 10 (outside every range) stays on the device" \
	has_entry 10 "$ADMIN"
check "and the refusal is logged at error" \
	either_logged "error: cisco edge1: .*seq 10\b" 2
# the same with an entry digest (what records hold now): still out of range
digest() { python3 -c 'import hashlib,sys; print(hashlib.sha256(sys.argv[1].encode()).hexdigest()[:24])' "$1"; }
forge a2 10.9.9.11 "C2 edge1 10 4 $(digest "$ADMIN")"
either_logged "10.9.9.11 tcp/22: clos" 10
check "a record with the entry's digest but outside seq_first..seq_last and fleet_ranges: left alone" \
	has_entry 10 "$ADMIN"
check "... logged at error as outside the ranges" \
	either_logged "error: cisco edge1: seq 10 not removed: outside this device's seq_first..seq_last and fleet_ranges" 2
# in range, but the number holds another entry than the record's
OTHER="permit ip any any"
"$IOS_DOUBLE" --state "$IOS_SSHD_STATE" --set "running.acl4.SPA-IN.480=$OTHER" >/dev/null
forge a3 10.9.9.12 "C2 edge1 480 4 $(digest "permit tcp host 10.9.9.12 any eq 22")"
either_logged "10.9.9.12 tcp/22: clos" 10
check "a record whose entry is not the one at its number: that entry stays" \
	has_entry 480 "$OTHER"
check "... read back and logged at error" \
	either_logged "error: cisco edge1: seq 480 holds \"permit ip any any\", not the entry this cycle added: not removed" 2
forge a4 10.9.9.13 "C2 edge1 490 4 $(digest "permit tcp host 10.9.9.13 any eq 22")"
check "a record whose number is empty on the device: already absent, the cycle ends" \
	either_logged "10.9.9.13 tcp/22: closed \(edge1 seq 490 already absent\)" 10
left_alone() { # the two gateways' counters, added
	local a b
	a=$(sed -n 's/^spagate_cisco_entries_left_alone_total //p' "$WORK/gwa.prom")
	b=$(sed -n 's/^spagate_cisco_entries_left_alone_total //p' "$WORK/gwb.prom")
	[ "$(( ${a:-0} + ${b:-0} ))" = 3 ]
}
check "the three refusals are counted in the metrics" \
	wait_until_ok 5 left_alone
kill -USR1 "${GPID[gwa]}" "${GPID[gwb]}"
check "and in the SIGUSR1 stats line" \
	either_logged "stats: cisco: entries left alone [1-3]\$" 5

# 1b. fleet records are authenticated: a record in the right form, for
# an entry that is on the device in range, but not made with the fleet
# key, is never acted on
MINE="permit tcp host 10.9.9.14 any eq 22"
"$IOS_DOUBLE" --state "$IOS_SSHD_STATE" --set "running.acl4.SPA-IN.470=$MINE" >/dev/null
forge a5 10.9.9.14 "C2 edge1 470 4 $(digest "$MINE")" -
check "a record not made with the fleet key is refused, logged at error" \
	either_logged "error: fleet: cycle ghost/00000000000000a5 of gateway \"ghost\": record refused \(.*\): not acted on" 10
check "... and the entry at its number stays" has_entry 470 "$MINE"
forge a6 10.9.9.14 "C2 edge1 470 4 $(digest "$MINE")" "$ETC/other.key"
check "a record sealed with another key is refused: its MAC does not verify" \
	either_logged "error: fleet: cycle ghost/00000000000000a6 of gateway \"ghost\": record refused \(its MAC does not verify with the fleet key\): not acted on" 10
check "... and the entry at its number stays" has_entry 470 "$MINE"
refused_records() {
	local a b
	a=$(sed -n 's/^spagate_fleet_records_refused_total //p' "$WORK/gwa.prom")
	b=$(sed -n 's/^spagate_fleet_records_refused_total //p' "$WORK/gwb.prom")
	[ "$(( ${a:-0} + ${b:-0} ))" -ge 2 ]
}
check "... both counted in the metrics" wait_until_ok 5 refused_records

# 2. gwa dies with a cycle open: gwb claims it and closes it, not before its time
# removed_after SEQ EPOCH: the device read "no SEQ" at or after EPOCH
removed_after() {
	local t
	t=$("$IOS_DOUBLE" --state "$IOS_SSHD_STATE" --when "no $1") ||
		{ diag "the device never read 'no $1'"; return 1; }
	awk -v t="$t" -v due="$2" 'BEGIN { exit !(t >= due) }' && return 0
	diag "'no $1' read at $t, before its close time $2"
	return 1
}
packet "$WORK/p3" 10.9.0.3
SENT=$(date +%s)	# the grant, and its close time (CMD_CYCLE_TIMER 6), after this
send_udp "$WORK/p3" "$NET.2" 62201
wait_for "$WORK/gwa.log" "stanza #1 10.9.0.3 tcp/22: opened" 8 || diag "gwa did not open 10.9.0.3"
check "gwa's entry for 10.9.0.3 is on the device" has_seq_in 1 10.9.0.3
seq3=$(acl | sed -n 's/.*"\(1[0-9][0-9]\)": "permit tcp host 10\.9\.0\.3 .*/\1/p')
kill -9 "${GPID[gwa]}"; wait "${GPID[gwa]}" 2>/dev/null
check "gwb takes gwa's cycle over once gwa's heartbeat is gone" \
	logged gwb "10.9.0.3 tcp/22: taken over from gateway \"gwa\" \\(no heartbeat\\)" 15
logged gwb "10.9.0.3 tcp/22: closed" 10
check "and removes gwa's entry from the device" no_seq_in 1 10.9.0.3
check "not before its close time: the device read 'no ${seq3:-?}' after it" \
	removed_after "$seq3" $((SENT + 6))

# 3. redis down: fail closed for grants, closes go on from the journal;
# a cycle open through the outage (40 s) is written again afterwards
packet "$WORK/p9" 10.9.0.9 -f 40
send_udp "$WORK/p9" "$NET.3" 62201
wait_for "$WORK/gwb.log" "stanza #1 10.9.0.9 tcp/22: opened" 8 || diag "gwb did not open 10.9.0.9"
stop_redis
packet "$WORK/p4" 10.9.0.4
send_udp "$WORK/p4" "$NET.3" 62201
check "redis down: gwb refuses a new grant (redis.fail_closed)" \
	logged gwb "10.9.0.4: grant refused: the fleet's replay store cannot be reached \\(redis.fail_closed\\)" 5
check "and says redis is unreachable" logged gwb "fleet: redis $REDIS: .*retrying with backoff" 2
check "its metrics say the fleet is down" wait_for "$WORK/gwb.prom" "^spagate_fleet_up 0\$" 3
check "gwb's own cycle still closes from its journal" \
	logged gwb "stanza #1 10.9.0.2 tcp/22: closed" 10
# with fail_closed = false a grant goes through, said to be unchecked
write_conf gwd 400 499 "address = \"$REDIS\"; fail_closed = false;"
start_gw gwd "$GWA" || diag "gwd did not start: $(tail -n 3 "$WORK/gwd.log")"
packet "$WORK/p6" 10.9.0.6
send_udp "$WORK/p6" "$NET.2" 62201
check "redis.fail_closed = false: granted, logged as without the fleet's check" \
	logged gwd "granted without the fleet.s replay check" 5
kill "${GPID[gwd]}"; wait "${GPID[gwd]}" 2>/dev/null
start_redis || bail_out "redis-server did not restart"
check "redis back: gwb reconnects and writes its open cycles again" \
	logged gwb "fleet: connected to redis $REDIS as gateway \"gwb\": writing the open cycles again" 35
gwb_cycle() { rcli ZRANGE spagate:cycles 0 -1 | grep -q '^gwb/'; }
check "the restarted (empty) redis has gwb's open cycle again" wait_until_ok 2 gwb_cycle
packet "$WORK/p5" 10.9.0.5
send_udp "$WORK/p5" "$NET.3" 62201
check "and grants again" wait_for "$WORK/gwb.log" "stanza #1 10.9.0.5 tcp/22: opened" 8

# 1d. what comes back from Redis is escaped before it is logged: a rogue
# Sentinel names a master address holding a newline and an escape
# sequence, another answers with an error holding control bytes
cat >"$WORK/rogue.py" <<'PY'
# rogue.py ADDR PORT MODE: answers every command as a rogue Sentinel would
import socket, sys
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((sys.argv[1], int(sys.argv[2]))); srv.listen(8)
host = b"10.0.0.1\nerror: fleet: FORGED LINE\x1b[2J"
if sys.argv[3] == "address":
    reply = b"*2\r\n$%d\r\n%s\r\n$4\r\n6379\r\n" % (len(host), host)
else:
    reply = b"-ERR \x1b]0;forged\x07\x1b[31mFORGED ERROR\r\n"
while True:
    c, _ = srv.accept()
    c.settimeout(2)
    try:
        if c.recv(4096):
            c.sendall(reply)
        c.recv(4096)
    except OSError:
        pass
    c.close()
PY
for mode in address error; do
	port=$([ $mode = address ] && echo 26390 || echo 26391)
	ip netns exec "$LAN" python3 "$WORK/rogue.py" "$NET.1" $port $mode >/dev/null 2>&1 &
	on_exit "kill $!"
done
wait_until_ok 5 bash -c "ip netns exec $LAN ss -ltn | grep -q ':26390 ' &&
	ip netns exec $LAN ss -ltn | grep -q ':26391 '"
write_conf gwe 500 599 "sentinels = \"$NET.1:26390\"; master = \"rogue\";"
write_conf gwf 600 699 "sentinels = \"$NET.1:26391\"; master = \"rogue\";"
start_gw gwe "$CLI_NS" || diag "gwe did not start"
start_gw gwf "$GWA" || diag "gwf did not start"
logged gwe "fleet: redis master" 5
logged gwf "fleet: redis master" 5
kill "${GPID[gwe]}" "${GPID[gwf]}"; wait "${GPID[gwe]}" "${GPID[gwf]}" 2>/dev/null
check "a master address with a newline from Sentinel is logged escaped, on one line" \
	bash -c "! grep -q '^error: fleet: FORGED' '$WORK/gwe.log' && grep -q 'FORGED LINE' '$WORK/gwe.log'"
check "a Sentinel error with escape sequences is logged without control bytes" \
	bash -c "! grep -qP '[\\x00-\\x08\\x0b-\\x1f\\x7f]' '$WORK/gwf.log' && grep -q 'FORGED ERROR' '$WORK/gwf.log'"

# 4. the master found through Sentinel (TLS, with its own password), and
# found again after a failover to its replica (port 6381): each Redis
# server Sentinel names is reached through its tunnel (redis.tunnels)
MASTER_PID=$REDIS_PID
start_redis 6381 "$WORK/replica" --replicaof "$NET.1" 6380 ||
	diag "the replica did not start: $(tail -n 3 "$WORK/replica/redis.log")"
REPLICA_PID=$REDIS_PID
REDIS_PID=$MASTER_PID
# Sentinel learns replicas from the master's INFO: start it once the
# replica is in sync, and wait until it lists it
wait_for "$WORK/replica/redis.log" "MASTER <-> REPLICA sync: Finished with success" 10 ||
	diag "the replica did not sync: $(tail -n 3 "$WORK/replica/redis.log")"
cat >"$WORK/sentinel.conf" <<SEN
bind $NET.1
port 0
tls-port 26379
tls-cert-file $ETC/tls/redis.crt
tls-key-file $ETC/tls/redis.key
tls-ca-cert-file $ETC/tls/ca.crt
tls-auth-clients no
tls-replication yes
requirepass $SPW
dir $WORK/redis
sentinel monitor spafleet $NET.1 6380 1
sentinel auth-pass spafleet $PW
sentinel down-after-milliseconds spafleet 1000
sentinel failover-timeout spafleet 10000
SEN
ip netns exec "$LAN" redis-sentinel "$WORK/sentinel.conf" --logfile "$WORK/sentinel.log" &
on_exit "kill $!"
for _ in $(seq 100); do
	scli SENTINEL replicas spafleet 2>/dev/null | grep -q "^$NET.1:6381\$" && break
	sleep 0.1
done
TUNNELS="$NET.1:6380=127.0.0.1:16380 $NET.1:6381=127.0.0.1:16381"
write_conf gwg 700 799 "sentinels = \"127.0.0.1:26379\"; master = \"spafleet\";
	tunnels = \"$NET.1:6380=127.0.0.1:16380\"; sentinel_password_file = \"$ETC/sentinel.pw\";"
write_conf gwc 300 399 "sentinels = \"127.0.0.1:26379\"; master = \"spafleet\";
	tunnels = \"$TUNNELS\"; sentinel_password_file = \"$ETC/sentinel.pw\";"
kill "${GPID[gwb]}"; wait "${GPID[gwb]}" 2>/dev/null
start_gw gwc "$GWB" || diag "gwc did not start: $(tail -n 3 "$WORK/gwc.log")"
check "through Sentinel (AUTH with its password): connected to the master it names, through its tunnel" \
	logged gwc "fleet: connected to redis master \"spafleet\" at $NET.1:6380 through 127.0.0.1:16380 \\(from sentinel 127.0.0.1:26379\\)" 5
start_gw gwg "$CLI_NS" || diag "gwg did not start: $(tail -n 3 "$WORK/gwg.log")"
logged gwg "fleet: connected to redis master" 5
stop_redis
check "the master dies: Sentinel promotes the replica" \
	wait_for "$WORK/sentinel.log" "switch-master spafleet $NET.1 6380 $NET.1 6381" 20
check "the gateway finds the new master through Sentinel and its tunnel (retrying with backoff)" \
	logged gwc "fleet: connected to redis master \"spafleet\" at $NET.1:6381 through 127.0.0.1:16381 \\(from sentinel 127.0.0.1:26379\\)" 40
check "a gateway whose redis.tunnels does not list the new master does not connect to it, logged at error" \
	logged gwg "error: fleet: sentinel 127.0.0.1:26379 names the master at $NET.1:6381, which redis.tunnels does not list" 40
kill "${GPID[gwg]}"; wait "${GPID[gwg]}" 2>/dev/null
packet "$WORK/p8" 10.9.0.8
send_udp "$WORK/p8" "$NET.3" 62201
check "and grants through it" wait_for "$WORK/gwc.log" "stanza #1 10.9.0.8 tcp/22: opened" 8

# 5. what crossed the LAN (read while tcpdump still writes: the last
# packets it received may not be in the file yet)
captured() { # captured PORT: the capture holds traffic to that port
	tcpdump -r "$WORK/lan.pcap" -nn "dst port $1" 2>/dev/null | grep -q .
}
capture_complete() { captured 6380 && captured 6381 && captured 26379; }
for _ in $(seq 100); do capture_complete && break; sleep 0.1; done
check "the LAN capture holds the gateways' traffic to Redis and Sentinel" capture_complete
kill -INT "$TCPDUMP"; wait "$TCPDUMP" 2>/dev/null
check "the Redis password never crossed the LAN in clear" \
	bash -c "! grep -aqF -- '$PW' '$WORK/lan.pcap'"
check "nor the Sentinel password" \
	bash -c "! grep -aqF -- '$SPW' '$WORK/lan.pcap'"
finish
