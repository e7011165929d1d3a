# Shell for bench/run: packages, helpers, namespaces, packets, the two
# daemons, the two workloads and the table.  Sourced; expects the settings
# of bench/run (N, RATE, MODES, MAX_AGE, PORT, SET, ...).

# calc EXPR: floating point arithmetic (awk; no bc needed)
calc() { awk "BEGIN { printf \"%.6f\n\", $* }"; }
note() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench/run: %s\n' "$*" >&2; exit 1; }

# --- scratch directory, namespaces, cleanup ---------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/spabench.XXXXXX")
chmod 0755 "$WORK"	# spagated's verifier (nobody) opens its replay store
			# under a state directory in here after dropping root
export HOME=$WORK/home	# the fwknop client never sees the caller's ~/.fwknoprc
mkdir -p "$HOME" "$WORK/bin" "$WORK/pkt" "$WORK/run"
SRV_NS=spabench-s$$ CLI_NS=spabench-c$$
SRV_IF=spbs$$ CLI_IF=spbc$$
SRV_IP=10.231.40.1 CLI_IP=10.231.40.2
DAEMON_PID=

kill_ns_pids() {
	local p
	for p in $(ip netns pids "$1" 2>/dev/null); do
		kill -KILL "$p" 2>/dev/null
	done
}

cleanup() {
	local rc=$?
	set +e
	[ -n "$DAEMON_PID" ] && { kill -KILL "$DAEMON_PID" 2>/dev/null; wait "$DAEMON_PID" 2>/dev/null; }
	# whatever we started that still runs in our namespaces, by pid
	kill_ns_pids "$SRV_NS"
	kill_ns_pids "$CLI_NS"
	ip netns del "$SRV_NS" 2>/dev/null
	ip netns del "$CLI_NS" 2>/dev/null
	if [ -n "${BENCH_KEEP:-}" ]; then
		note "kept $WORK"
	else
		rm -rf "$WORK"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_srv() { ip netns exec "$SRV_NS" "$@"; }
in_cli() { ip netns exec "$CLI_NS" "$@"; }

# --- packages ---------------------------------------------------------------
installed() { dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

# The packaged fwknopd must not run system-wide because of us: Debian's
# /etc/default/fwknop-server says START_DAEMON="no" for the init script,
# but on systemd the unit may be started by the postinst.
disable_packaged_fwknopd() {
	if [ -d /run/systemd/system ]; then
		systemctl disable --now fwknop-server.service >/dev/null 2>&1 || true
	elif [ -x /etc/init.d/fwknop-server ]; then
		invoke-rc.d fwknop-server stop >/dev/null 2>&1 || true
	fi
}

install_deps() {
	local p missing=
	"$top/scripts/deps" build || die "scripts/deps build failed"
	for p in fwknop-server fwknop-client ipset libipset-dev pkg-config iproute2; do
		installed "$p" || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		note "installing$missing"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -q --no-install-recommends $missing >&2 ||
			{ apt-get update -q >&2 && apt-get install -y -q --no-install-recommends $missing >&2; } ||
			die "apt-get install$missing failed"
		case " $missing " in *" fwknop-server "*) disable_packaged_fwknopd ;; esac
	fi
	command -v fwknopd >/dev/null || die "no fwknopd after installing fwknop-server"
}

# --- C helpers ----------------------------------------------------------------
build_helpers() {
	local cflags="-O2 -Wall -Wextra"
	cc $cflags -o "$WORK/bin/spa_send" "$top/bench/spa_send.c" ||
		die "cannot build bench/spa_send.c"
	# shellcheck disable=SC2046
	cc $cflags -o "$WORK/bin/ipset_wait" "$top/bench/ipset_wait.c" \
		$(pkg-config --cflags --libs libipset) ||
		die "cannot build bench/ipset_wait.c"
}

# --- network ------------------------------------------------------------------
make_netns() {
	note "namespaces $SRV_NS ($SRV_IP) and $CLI_NS ($CLI_IP)"
	ip netns add "$SRV_NS" && ip netns add "$CLI_NS" &&
	ip link add "$SRV_IF" netns "$SRV_NS" type veth peer name "$CLI_IF" netns "$CLI_NS" &&
	ip -n "$SRV_NS" addr add "$SRV_IP/24" dev "$SRV_IF" &&
	ip -n "$CLI_NS" addr add "$CLI_IP/24" dev "$CLI_IF" &&
	ip -n "$SRV_NS" link set lo up && ip -n "$CLI_NS" link set lo up &&
	ip -n "$SRV_NS" link set "$SRV_IF" up && ip -n "$CLI_NS" link set "$CLI_IF" up ||
		die "cannot create the network namespaces"
}

# --- keys, access.conf, packets ---------------------------------------------
make_keys() {
	KEY=$(head -c 32 /dev/urandom | base64 -w0)
	HMAC=$(head -c 64 /dev/urandom | base64 -w0)
	# One stanza, read unchanged by both daemons.
	cat >"$WORK/access.conf" <<-EOF
	SOURCE ANY
	KEY_BASE64 $KEY
	HMAC_KEY_BASE64 $HMAC
	CMD_CYCLE_OPEN ipset -exist add $SET \$SRC,\$PROTO:\$PORT timeout $ELEM_TIMEOUT
	CMD_CYCLE_CLOSE ipset -exist del $SET \$SRC,\$PROTO:\$PORT
	CMD_CYCLE_TIMER $ELEM_TIMEOUT
	EOF
	chmod 0600 "$WORK/access.conf"
}

# Allow address number I of a range: 10.R.(I/250).(I%250+1).  These are
# only data in the SPA packets and the set; no traffic goes to them.
allow_ip() { echo "10.$1.$(($2 / 250)).$(($2 % 250 + 1))"; }

# N grant packets (10.244.x.y) and LAT_N latency packets (10.245.x.y), made
# by the real client in the client namespace, in parallel, before anything
# is timed.  --test: build and save (-B), send nothing.
make_packets() {
	local i t0 t1 total=$((N + LAT_N))
	note "making $total SPA packets with the fwknop client ($(nproc) in parallel)"
	: >"$WORK/grants.list"; : >"$WORK/latency.list"; : >"$WORK/gen.list"
	for ((i = 0; i < N; i++)); do
		echo "$(allow_ip 244 $i) $WORK/pkt/g$i" >>"$WORK/gen.list"
		echo "$WORK/pkt/g$i" >>"$WORK/grants.list"
	done
	for ((i = 0; i < LAT_N; i++)); do
		echo "$(allow_ip 245 $i) $WORK/pkt/l$i" >>"$WORK/gen.list"
		echo "$WORK/pkt/l$i $(allow_ip 245 $i) 6 22" >>"$WORK/latency.list"
	done
	t0=$(date +%s.%N)
	in_cli env K="$KEY" H="$HMAC" D="$SRV_IP" xargs -P "$(nproc)" -n 2 \
		sh -c 'fwknop --no-rc-file --no-save-args --test -A tcp/22 -a "$1" -D "$D" \
			--key-base64-rijndael "$K" --key-base64-hmac "$H" -B "$2" >/dev/null 2>&1 ||
			echo "fwknop failed for $1" >&2' _ <"$WORK/gen.list"
	t1=$(date +%s.%N)
	GEN_SECONDS=$(calc "$t1 - $t0")
	[ "$(find "$WORK/pkt" -type f -size +100c | wc -l)" -eq "$total" ] ||
		die "the fwknop client did not make all $total packets"
	note "packets made in $(printf '%.1f' "$GEN_SECONDS") s"
}

# --- the daemons --------------------------------------------------------------
reset_set() {
	in_srv ipset destroy "$SET" 2>/dev/null || true
	in_srv ipset create "$SET" hash:ip,port family inet hashsize 4096 \
		maxelem 1048576 timeout 300 || die "cannot create ipset $SET"
}

# wait_log FILE PATTERN SECONDS
wait_log() {
	local i
	for ((i = 0; i < $3 * 20; i++)); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# wait_bound PORT SECONDS: until the daemon has a UDP socket on PORT.
wait_bound() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		in_srv ss -Hlunp "sport = :$1" 2>/dev/null | grep -q "pid=$DAEMON_PID," && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# start_spagated MODE DIR
start_spagated() {
	local mode=$1 dir=$2
	cat >"$dir/spagated.conf" <<-EOF
	max_packet_age = $MAX_AGE;
	capture = {
	  mode = "$mode";
	  interface = "$SRV_IF";
	  filter = "udp port $PORT";
	  udp_port = $PORT;
	};
	# Killing the daemon between runs must not run thousands of closes.
	executor = { close_on_exit = false; };
	EOF
	chmod 0600 "$dir/spagated.conf"
	# not through in_srv (a function, so a subshell): $! must be the daemon
	ip netns exec "$SRV_NS" "$SPAGATED" -f -c "$dir/spagated.conf" -a "$WORK/access.conf" \
		-d "$dir/state" -p "$dir/spagated.pid" >"$dir/out" 2>"$dir/log" &
	DAEMON_PID=$!
	wait_log "$dir/log" "verifier ready" 10 ||
		{ tail -n 20 "$dir/log" >&2; die "spagated ($mode) did not start"; }
}

# start_fwknopd MODE DIR: every path is ours; no firewall settings are
# needed, because a stanza with CMD_CYCLE_OPEN never initialises the
# firewall (no iptables chains are created or flushed).
start_fwknopd() {
	local mode=$1 dir=$2 udp=N ready="Starting fwknopd main event loop"
	[ "$mode" = udp ] && udp=Y
	cat >"$dir/fwknopd.conf" <<-EOF
	PCAP_INTF $SRV_IF
	PCAP_FILTER udp port $PORT
	ENABLE_UDP_SERVER $udp
	UDPSERV_PORT $PORT
	MAX_SPA_PACKET_AGE $MAX_AGE
	FWKNOP_RUN_DIR $dir
	FWKNOP_PID_FILE $dir/fwknopd.pid
	DIGEST_FILE $dir/digest.cache
	EOF
	chmod 0600 "$dir/fwknopd.conf"
	ip netns exec "$SRV_NS" fwknopd -f -c "$dir/fwknopd.conf" -a "$WORK/access.conf" \
		-p "$dir/fwknopd.pid" -d "$dir/digest.cache" >"$dir/out" 2>"$dir/log" &
	DAEMON_PID=$!
	# In UDP mode it logs nothing once the socket is bound: look for it.
	if [ "$mode" = udp ]; then
		wait_bound "$PORT" 10
	else
		wait_log "$dir/log" "$ready" 10
	fi || { tail -n 20 "$dir/log" >&2; die "fwknopd ($mode) did not start"; }
}

stop_daemon() {
	local i left
	kill -TERM "$DAEMON_PID" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$DAEMON_PID" 2>/dev/null; then
		note "  the daemon did not exit within 10 s of SIGTERM: killed"
		kill -KILL "$DAEMON_PID" 2>/dev/null || true
	fi
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
	sleep 0.2
	left=$(ip netns pids "$SRV_NS" 2>/dev/null | tr '\n' ' ')
	if [ -n "$left" ]; then
		note "  processes left in $SRV_NS after the daemon exited: $left(killed)"
		kill_ns_pids "$SRV_NS"
	fi
}

# Cycle opens the daemon logged (to tell capture losses from failed opens).
opens_logged() {
	case $1 in
	spagated) grep -c ': opened' "$2/log" || true ;;
	fwknopd) grep -c 'Running CMD_CYCLE_OPEN' "$2/log" || true ;;
	esac
}

# udp_drops: datagrams the server namespace dropped because a socket's
# receive buffer was full (Udp RcvbufErrors; the netns has its own count).
udp_drops() {
	in_srv cat /proc/net/snmp | awk '$1 == "Udp:" { if (!h) { for (i = 2; i <= NF; i++) if ($i == "RcvbufErrors") c = i; h = 1 } else print $c }'
}

# --- workloads ----------------------------------------------------------------
field() { sed -n "s/.*\b$2 \([0-9]*\).*/\1/p" "$1"; }

# bench_grants DAEMON MODE: sets R[grants_<mode>|DAEMON], R[granted_<mode>|..]
bench_grants() {
	local d=$1 mode=$2 dir=$WORK/run/$1-$2-grants i
	local count first reached last end sendlast secs drops0
	mkdir -p "$dir"
	note "$d, $mode: grants, $N packets$([ "$RATE" != 0 ] && echo " at $RATE/s")"
	reset_set
	"start_$d" "$mode" "$dir"
	drops0=$(udp_drops)
	in_srv "$WORK/bin/ipset_wait" count "$SET" "$N" "$GRANTS_TIMEOUT_MS" \
		"$IDLE_MS" 1000 >"$dir/wait.out" &
	local wpid=$!
	for ((i = 0; i < 100; i++)); do
		grep -q ready "$dir/wait.out" && break
		sleep 0.05
	done
	in_cli "$WORK/bin/spa_send" "$SRV_IP" "$PORT" "$RATE" <"$WORK/grants.list" >"$dir/send.out"
	wait "$wpid" || die "ipset_wait failed"
	R["drops_$mode|$d"]=$(($(udp_drops) - drops0))
	stop_daemon
	first=$(field "$dir/send.out" first_ns)
	sendlast=$(field "$dir/send.out" last_ns)
	count=$(field "$dir/wait.out" count)
	reached=$(field "$dir/wait.out" reached_ns)
	last=$(field "$dir/wait.out" last_ns)
	end=$reached
	[ "$end" = 0 ] && end=$last
	if [ "$count" -gt 0 ] && [ "$end" -gt "$first" ]; then
		secs=$(calc "($end - $first) / 1e9")
		R["grants_$mode|$d"]=$(printf '%.0f' "$(calc "$count / $secs")")
	else
		secs=0
		R["grants_$mode|$d"]=0
	fi
	R["granted_$mode|$d"]="$count/$N"
	R["opens_$mode|$d"]=$(opens_logged "$d" "$dir")
	note "  $count/$N elements in $(printf '%.3f' "$secs") s (sender took $(printf '%.3f' \
		"$(calc "($sendlast - $first) / 1e9")") s); $d logged ${R["opens_$mode|$d"]} opens"
}

# percentile P FILE (sorted, one number a line): nearest rank
percentile() { awk -v p="$1" '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit } i = int(p * NR + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; printf "%.2f\n", v[i] / 1e6 }' "$2"; }

# bench_latency DAEMON MODE COUNT
bench_latency() {
	local d=$1 mode=$2 n=$3 dir=$WORK/run/$1-$2-latency timeouts
	mkdir -p "$dir"
	note "$d, $mode: latency, $n packets one at a time"
	reset_set
	"start_$d" "$mode" "$dir"
	head -n "$n" "$WORK/latency.list" |
		in_srv "$WORK/bin/ipset_wait" latency "$SET" "/run/netns/$CLI_NS" \
			"$SRV_IP" "$PORT" 5000 "$POLL_US" >"$dir/lat.out" ||
		die "ipset_wait latency failed ($d, $mode)"
	stop_daemon
	grep -E '^[0-9]+$' "$dir/lat.out" | sort -n >"$dir/lat.sorted" || true
	timeouts=$(grep -c timeout "$dir/lat.out" || true)
	R["p50_$mode|$d"]=$(percentile 0.50 "$dir/lat.sorted")
	R["p99_$mode|$d"]=$(percentile 0.99 "$dir/lat.sorted")
	R["max_$mode|$d"]=$(percentile 1 "$dir/lat.sorted")
	R["latn_$mode|$d"]="$(wc -l <"$dir/lat.sorted")/$n"
	[ "$timeouts" -gt 0 ] && note "  $timeouts packets never showed up (5 s limit)"
	note "  p50 ${R["p50_$mode|$d"]} ms, p99 ${R["p99_$mode|$d"]} ms, max ${R["max_$mode|$d"]} ms"
}

# bench_replay N: spagated's replay store (bench/replay_bench.c) filled with
# N digests; sets R[replay_hit|spagated], R[replay_miss|spagated] in ns.
# fwknopd keeps its digests in a linked list scanned from the head, so it
# has no comparable figure.
bench_replay() {
	local n=$1 out=$WORK/replay.out
	note "replay store: $n digests (bench/replay_bench.c; about 64 bytes and 0.7 us each)"
	cc -O2 -iquote "$top/core" -I "$top/_build" "$top/bench/replay_bench.c" \
		"$top/core/replay.c" "$top/core/err.c" "$top/core/log.c" \
		-o "$WORK/bin/replay_bench" || { note "  cannot build bench/replay_bench.c: skipped"; return 0; }
	"$WORK/bin/replay_bench" "$n" "$WORK/replay.db" >"$out" 2>&1 ||
		{ tail -n 5 "$out" >&2; note "  replay_bench failed: skipped"; return 0; }
	rm -f "$WORK/replay.db"*
	R["replay_hit|spagated"]=$(sed -n 's/^  hit *\([0-9]*\) ns.*/\1/p' "$out")
	R["replay_miss|spagated"]=$(sed -n 's/^  miss *\([0-9]*\) ns.*/\1/p' "$out")
	sed 's/^/   /' "$out" >&2
}

# --- the table ------------------------------------------------------------------
# ratio A B HIGHER_IS_BETTER: how many times better spagate is.
ratio() {
	case "$1$2" in *-*|"") echo "-"; return ;; esac
	if [ "$3" = higher ]; then
		awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx\n", a / b; else print "-" }'
	else
		awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.1fx\n", b / a; else print "-" }'
	fi
}

row() { printf '| %-42s | %12s | %12s | %7s |\n' "$1" "$2" "$3" "$4"; }

print_table() {
	local mode s f r star=
	echo
	echo "spagate $(cd "$top" && git describe --always --dirty 2>/dev/null || echo '?') vs fwknopd $(fwknopd -V 2>&1 | grep -o '[0-9][0-9.]*' | head -n1)," \
		"$(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), kernel $(uname -r)"
	echo "N=$N, send rate ${RATE/#0/max}, latency samples $LAT_N (spagated) / $LAT_N_FWKNOPD (fwknopd);" \
		"ratio = how many times better spagate is"
	echo
	row metric spagate fwknopd ratio
	row "------------------------------------------" ------------ ------------ -------
	for mode in $MODES; do
		s=${R["grants_$mode|spagated"]}; f=${R["grants_$mode|fwknopd"]}
		r=$(ratio "$s" "$f" higher)
		[ "${R["granted_$mode|spagated"]}" = "$N/$N" ] && [ "${R["granted_$mode|fwknopd"]}" = "$N/$N" ] ||
			{ r="$r*"; star=1; }
		row "grants/s ($mode)" "$s" "$f" "$r"
		row "  elements present / packets sent" "${R["granted_$mode|spagated"]}" "${R["granted_$mode|fwknopd"]}" ""
		row "  cycle opens logged" "${R["opens_$mode|spagated"]}" "${R["opens_$mode|fwknopd"]}" ""
		[ "$mode" = udp ] &&
			row "  UDP receive-buffer drops" "${R["drops_$mode|spagated"]}" "${R["drops_$mode|fwknopd"]}" ""
		for p in p50 p99 max; do
			s=${R["${p}_$mode|spagated"]}; f=${R["${p}_$mode|fwknopd"]}
			row "latency $p ms ($mode)" "$s" "$f" "$(ratio "$s" "$f" lower)"
		done
		row "  latency samples" "${R["latn_$mode|spagated"]}" "${R["latn_$mode|fwknopd"]}" ""
	done
	if [ -n "${R["replay_hit|spagated"]:-}" ]; then
		row "replay lookup ns, hit ($REPLAY_N stored)" "${R["replay_hit|spagated"]}" "n/a" ""
		row "replay lookup ns, miss ($REPLAY_N stored)" "${R["replay_miss|spagated"]}" "n/a" ""
	fi
	echo
	[ -n "$star" ] && echo "* not all N elements appeared for one daemon: its rate counts the elements it did add" \
		"(first packet sent to last new element), so the ratio compares unequal work."
	echo "packets made by the fwknop client: $((N + LAT_N)) in $(printf '%.1f' "$GEN_SECONDS") s (not timed above)"
}
