#!/bin/bash
# Issue 20, item 5: several verifier workers (capture.workers = 2) share
# the capture: in pcap mode each one's ring joins the daemon's fanout
# group, in UDP mode each binds the port with SO_REUSEPORT; the TCP and
# HTTP listeners are the first worker's.  What must hold:
#   - one packet sent on many flows at the same instant reaches both
#     workers, each of which lets its first copy through: the executor's
#     replay store grants it once, and every other copy is logged as a
#     replay (by a worker, or by the executor for the second worker's);
#   - a grant through each capture (pcap, UDP, the TCP and HTTP
#     listeners) still works;
#   - a packet one worker granted before there were two (the executor's
#     store is new then, and takes the first worker's digests) is
#     refused on every flow;
#   - one worker killed is restarted alone, the other goes on granting;
#   - SIGUSR1 and the metrics list the workers; a reload restarts both.
# Real runs (their opens /bin/true): the executor's store is the state
# directory's.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
command -v python3 >/dev/null || skip_all "needs python3 (tests/tools/same_packet.py)"
id nobody >/dev/null 2>&1 || skip_all "needs the user nobody (executor.verifier_user)"
SAME=$top_srcdir/tests/tools/same_packet.py
FLOWS=24	# all on one worker by chance: 1 in 2^23

K=$(head -c 32 /dev/urandom | base64 -w0) H=$(head -c 64 /dev/urandom | base64 -w0)

plan 28
netns_pair 200 || skip_all "cannot create network namespaces"

cat > "$WORK/access.conf" <<CONF
SOURCE ANY
KEY_BASE64 $K
HMAC_KEY_BASE64 $H
OPEN_PORTS tcp/22
CMD_CYCLE_OPEN /bin/true \$IP \$PORT
CMD_CYCLE_CLOSE /bin/true \$IP \$PORT
CMD_CYCLE_TIMER 60
CONF
chmod 600 "$WORK/access.conf"

# write_conf MODE [WORKERS]: two workers by default, the listeners beside
# the UDP capture.
write_conf() {
	local capture="mode = \"pcap\"; interface = \"$SRV_IF\";"
	[ "$1" = udp ] && capture='mode = "udp"; http = true; http_port = 62201; tcp_port = 62202;'
	cat > "$WORK/spagated.conf" <<CONF
capture = { $capture workers = ${2:-2}; };
log = { refusals_per_second = 0; };
metrics = { file = "$WORK/metrics.prom"; interval = 1; };
CONF
}

# spa FILE [CLIENT OPTIONS]: a packet, sent (unless -T is among them).
spa() {
	local f=$1
	shift
	fwknop_cli -D "$SRV_IP" --key-base64-rijndael "$K" --key-base64-hmac "$H" \
		-A tcp/22 -a 10.9.9.9 -B "$f" "$@" >/dev/null 2>&1
}
GRANTED='tcp/22: (opened|already open)'
REPLAY='replayed packet'
BY_EXECUTOR='another verifier worker let it through'

# start MODE [WORKERS]: until each worker is ready.
start() {
	local ready
	ready=$(count_lines "$WORK/log" "verifier ready")
	write_conf "$1" "${2:-2}"
	start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$WORK/state-$1" \
		-p "$WORK/$1.pid" || bail_out "spagated did not start"
	wait_for_count "$WORK/log" "verifier ready" $((ready + ${2:-2})) 15 ||
		bail_out "the second worker did not start"
}

# grant_through WHAT [CLIENT OPTIONS]: a fresh packet is granted.
grant_through() {
	local what=$1 n
	shift
	mark
	n=$(count_lines "$WORK/log" "$GRANTED")
	spa "$WORK/pkt-$RANDOM" "$@"
	cp "$WORK"/pkt-[0-9]* "$WORK/pkt-last" 2>/dev/null; rm -f "$WORK"/pkt-[0-9]*
	check "a grant through $what" wait_for_count "$WORK/log" "$GRANTED" $((n + 1)) 5
}

# one_grant_on_many_flows MODE: the same packet on FLOWS flows at once.
one_grant_on_many_flows() {
	local pkt=$WORK/same-$1 n
	spa "$pkt" -T
	n=$(count_lines "$WORK/log" "$GRANTED")
	mark
	in_cli python3 "$SAME" "$SRV_IP" 62201 "$FLOWS" "$pkt" >/dev/null
	wait_logged "$REPLAY" $((FLOWS - 1)) 5
	sleep 0.3	# a second grant would be carried out by now
	check "$1: one packet on $FLOWS flows at once: one grant" \
		eval '[ "$(count_lines "$WORK/log" "$GRANTED")" -eq $((n + 1)) ]'
	check "$1: the other $((FLOWS - 1)) copies refused as replays" \
		eval '[ "$(since_mark "$REPLAY")" -eq $((FLOWS - 1)) ]'
	# both workers let their first copy through: the executor refused one
	if [ "$(since_mark "$BY_EXECUTOR")" -eq 1 ]; then
		ok "$1: the second worker's copy refused by the executor's replay store"
	else
		not_ok "$1: the second worker's copy refused by the executor's replay store"
		diag "$(grep -E "$REPLAY|$GRANTED" "$WORK/log" | tail -n 4)"
	fi
}

worker_pid() { sed -n "s/.*verifier ready (pid \([0-9]*\)).*worker $1 of 2.*/\1/p" "$WORK/log" | tail -n 1; }

# --- pcap: one worker grants a packet, then two refuse it everywhere ------
start pcap 1
grant_through "pcap, one worker"
cp "$WORK/pkt-last" "$WORK/granted-by-one"
stop_spagated
check "one worker: no executor's replay store" test ! -e "$WORK/state-pcap/executor-replay.db"
# An empty store, as a crash while it was made leaves it: still a new one,
# which takes what the workers granted before.
: > "$WORK/state-pcap/executor-replay.db"

# --- pcap: a fanout group ---------------------------------------------------
start pcap
n=$(count_lines "$WORK/log" "$GRANTED")
mark
in_cli python3 "$SAME" "$SRV_IP" 62201 "$FLOWS" "$WORK/granted-by-one" >/dev/null
wait_logged "$REPLAY" "$FLOWS" 5
check "two workers: a packet one worker granted before is refused on all $FLOWS flows" \
	eval '[ "$(since_mark "$REPLAY")" -eq "$FLOWS" ] && [ "$(count_lines "$WORK/log" "$GRANTED")" -eq "$n" ]'
check "  the second worker's first copy by the executor's store, seeded from the first's" \
	eval '[ "$(since_mark "$BY_EXECUTOR")" -eq 1 ]'
check "pcap: two workers, one fanout group" \
	eval 'grep -q "worker 1 of 2, fanout group" "$WORK/log" && grep -q "worker 2 of 2, fanout group" "$WORK/log"'
grant_through pcap
one_grant_on_many_flows pcap
check "the executor's replay store is in the state directory" test -s "$WORK/state-pcap/executor-replay.db"
check "metrics: two workers, two replays refused by the executor" \
	wait_for "$WORK/metrics.prom" '^spagate_worker_replays_refused_total 2$' 3
check "metrics: spagate_verifier_workers 2" grep -q '^spagate_verifier_workers 2$' "$WORK/metrics.prom"
check "spagated -S shows both workers' sandboxes" \
	eval '[ "$("$SPAGATED" -S -c "$WORK/spagated.conf" -d "$WORK/state-pcap" -p "$WORK/pcap.pid" |
		grep -c "verifier (pid [0-9]*): chroot")" -eq 2 ]'

mark
kill -USR1 "$SPAGATED_PID"
check_logged "SIGUSR1: each worker's counters" 'stats: verifier 2 of 2 \(pid [0-9]+\): packets [0-9]+' 3
check_logged "SIGUSR1: the executor's replay store" "stats: the executor's replay store: OPENs checked [0-9]+, replays refused 2," 3

# one worker killed: restarted alone, the other one grants meanwhile
W1=$(worker_pid 1) W2=$(worker_pid 2)
ready=$(count_lines "$WORK/log" "verifier ready")
kill -KILL "$W2"
check_logged "a killed worker is restarted" 'verifier 2 of 2 killed by signal 9 .*restarting it in 1 s' 3
grant_through "the other worker while the killed one is down"
check "the other worker ran on" kill -0 "$W1"
check "the killed worker is back" wait_for_count "$WORK/log" "verifier ready" $((ready + 1)) 15
stop_spagated

# -C (one worker, the real state) after a run with two: the executor's
# store still refuses what they granted.  The workers' own stores are
# removed, so that only the executor's knows the packet.
rm -f "$WORK"/state-pcap/verifier/replay*.db
write_conf pcap 1
n=$(count_lines "$WORK/log" "$GRANTED")
mark
start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$WORK/state-pcap" \
	-p "$WORK/pcap.pid" -C 1 || bail_out "spagated -C did not start"
in_cli python3 "$SAME" "$SRV_IP" 62201 1 "$WORK/pkt-last" >/dev/null
check "-C, one worker: the executor's store still refuses what two workers granted" \
	eval 'wait_logged "$BY_EXECUTOR" 5 && [ "$(count_lines "$WORK/log" "$GRANTED")" -eq "$n" ]'
stop_spagated

# --- UDP: SO_REUSEPORT, and the listeners -----------------------------------
start udp
grant_through udp
one_grant_on_many_flows udp
grant_through "the TCP listener" -P tcp --server-port 62202
grant_through "the HTTP listener" -P http

ready=$(count_lines "$WORK/log" "verifier ready")
kill -HUP "$SPAGATED_PID"
check "a reload restarts both workers" wait_for_count "$WORK/log" "verifier ready" $((ready + 2)) 15
grant_through "udp after the reload"
stop_spagated
finish
