# Shell for bench/run: packages, helpers, namespaces, packets, the two
# daemons, the two workloads and the table.  Sourced; expects the settings
# of bench/run (N, RATE, MODES, MAX_AGE, PORT, SET, ...).

# calc EXPR: floating point arithmetic (awk; no bc needed)
calc() { awk "BEGIN { printf \"%.6f\n\", $* }"; }
note() { printf '== %s\n' "$*" >&2; }
die() { printf 'bench/run: %s\n' "$*" >&2; exit 1; }
# has_act ACTION: ACTION (nft, firewall, firewall-ipt) runs in this bench
has_act() { case " ${EXTRA:-} " in *" $1 "*) return 0 ;; esac; return 1; }

# --- scratch directory, namespaces, cleanup ---------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/spabench.XXXXXX")
chmod 0755 "$WORK"	# spagated's verifier (nobody) opens its replay store
			# under a state directory in here after dropping root
export HOME=$WORK/home	# the fwknop client never sees the caller's ~/.fwknoprc
mkdir -p "$HOME" "$WORK/bin" "$WORK/pkt" "$WORK/run"
SRV_NS=spabench-s$$ CLI_NS=spabench-c$$
SRV_IF=spbs$$ CLI_IF=spbc$$
SRV_IP=10.231.40.1 CLI_IP=10.231.40.2
FLOOD_IP=10.231.40.3	# the flood's source (legit packets come from CLI_IP)
ACCESS=		# access.conf for the next daemon started (default $WORK/access.conf)
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
	for p in fwknop-server fwknop-client ipset libipset-dev pkg-config iproute2 \
	    ${EXTRA:+nftables} $(has_act firewall-ipt && echo iptables) \
	    ${FORGED_STANZAS:+openssl} $([ "${GPG_N:-0}" -gt 0 ] || [ -n "${GPG_FORGED:-}" ] && echo gnupg) \
	    ${GPG_FORGED:+python3}; do
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
	# nft_wait reads the iptables backend's chain as nf_tables rules
	! has_act firewall-ipt || /usr/sbin/iptables-restore -V 2>&1 | grep -q nf_tables ||
		die "BENCH_ACTIONS firewall-ipt: /usr/sbin/iptables-restore is not iptables-nft"
}

# --- C helpers ----------------------------------------------------------------
build_helpers() {
	local cflags="-O2 -Wall -Wextra"
	cc $cflags -o "$WORK/bin/spa_send" "$top/bench/spa_send.c" ||
		die "cannot build bench/spa_send.c"
	cc $cflags -o "$WORK/bin/spa_flood" "$top/tests/tools/spa_flood.c" ||
		die "cannot build tests/tools/spa_flood.c"
	# shellcheck disable=SC2046
	cc $cflags -o "$WORK/bin/ipset_wait" "$top/bench/ipset_wait.c" \
		$(pkg-config --cflags --libs libipset) ||
		die "cannot build bench/ipset_wait.c"
	[ -z "$EXTRA" ] || cc $cflags -o "$WORK/bin/nft_wait" "$top/bench/nft_wait.c" ||
		die "cannot build bench/nft_wait.c"
	[ -z "$TCP_ROWS" ] || { cc $cflags -o "$WORK/bin/tcp_send" "$top/bench/tcp_send.c" &&
		cc $cflags -o "$WORK/bin/tcp_hold" "$top/bench/tcp_hold.c"; } ||
		die "cannot build bench/tcp_send.c or bench/tcp_hold.c"
}

# --- network ------------------------------------------------------------------
make_netns() {
	note "namespaces $SRV_NS ($SRV_IP) and $CLI_NS ($CLI_IP, $FLOOD_IP)"
	ip netns add "$SRV_NS" && ip netns add "$CLI_NS" &&
	ip link add "$SRV_IF" netns "$SRV_NS" type veth peer name "$CLI_IF" netns "$CLI_NS" &&
	ip -n "$SRV_NS" addr add "$SRV_IP/24" dev "$SRV_IF" &&
	ip -n "$CLI_NS" addr add "$CLI_IP/24" dev "$CLI_IF" &&
	ip -n "$CLI_NS" addr add "$FLOOD_IP/24" dev "$CLI_IF" &&
	ip -n "$SRV_NS" link set lo up && ip -n "$CLI_NS" link set lo up &&
	ip -n "$SRV_NS" link set "$SRV_IF" up && ip -n "$CLI_NS" link set "$CLI_IF" up ||
		die "cannot create the network namespaces"
}

# --- keys, access.conf, packets ---------------------------------------------
make_keys() {
	if ! cached_keys; then
		KEY=$(head -c 32 /dev/urandom | base64 -w0)
		HMAC=$(head -c 64 /dev/urandom | base64 -w0)
		save_keys
	fi
	[ -z "${BENCH_PACKETS:-}" ] || { rmdir "$WORK/pkt" && ln -s "$BENCH_PACKETS/pkt" "$WORK/pkt"; } ||
		die "cannot use $BENCH_PACKETS/pkt"
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
	# The nft module's rows: the same grant as an element of an nftables
	# set, through libnftables in spagated (fwknopd is not run with it).
	sed -e "s|^CMD_CYCLE_OPEN .*|CMD_CYCLE_OPEN nft add element inet $NFT_TABLE $SET { \$SRC . \$PROTO . \$PORT timeout ${ELEM_TIMEOUT}s }|" \
	    -e "s|^CMD_CYCLE_CLOSE .*|CMD_CYCLE_CLOSE nft delete element inet $NFT_TABLE $SET { \$SRC . \$PROTO . \$PORT }|" \
		"$WORK/access.conf" >"$WORK/access-nft.conf"
	chmod 0600 "$WORK/access-nft.conf"
	# The built-in firewall's rows: an fwknopd stanza, no CMD_CYCLE_* lines,
	# the grant's time said as fwknopd says it.
	{ grep -v '^CMD_CYCLE_' "$WORK/access.conf"; echo "FW_ACCESS_TIMEOUT $ELEM_TIMEOUT"; } \
		>"$WORK/access-fw.conf"
	chmod 0600 "$WORK/access-fw.conf"
}

# BENCH_PACKETS=DIR keeps the keys and packets in DIR for the next run
# (the fwknop client takes minutes to make them): reused while the keys
# are younger than MAX_AGE less PACKETS_MARGIN seconds (the packets are
# made after them and must stay fresh for a whole run), remade after.
PACKETS_MARGIN=1500
cached_keys() {
	local d=${BENCH_PACKETS:-} age
	[ -n "$d" ] && [ -f "$d/keys" ] || return 1
	age=$(( $(date +%s) - $(stat -c %Y "$d/keys") ))
	if [ "$age" -gt $((MAX_AGE - PACKETS_MARGIN)) ]; then
		note "packets in $d made $age s ago: too old for MAX_AGE $MAX_AGE, made again"
		rm -rf "$d/keys" "$d/pkt"
		return 1
	fi
	# shellcheck disable=SC1091 # written by save_keys
	. "$d/keys"
	note "reusing the keys and packets of $d (made $age s ago)"
}
save_keys() {
	local d=${BENCH_PACKETS:-}
	[ -n "$d" ] || return 0
	rm -rf "$d/pkt" && mkdir -p "$d/pkt" || die "cannot make $d/pkt"
	printf 'KEY=%s\nHMAC=%s\n' "$KEY" "$HMAC" >"$d/keys"
}

# Allow address number I of a range: 10.R.(I/250).(I%250+1).  These are
# only data in the SPA packets and the set; no traffic goes to them.
allow_ip() { echo "10.$1.$(($2 / 250)).$(($2 % 250 + 1))"; }

# The memory workload's own access stanza: the same command lines, but
# cycles (and set elements) that last an hour, so that after MEM_N grants
# every one of them is still open in the daemon (and none closes, which
# would cost fwknopd a fork each while it is still opening).
make_mem_access() {
	sed -e "s/timeout $ELEM_TIMEOUT\$/timeout $MEM_TIMER/" \
	    -e "s/^CMD_CYCLE_TIMER .*/CMD_CYCLE_TIMER $MEM_TIMER/" \
		"$WORK/access.conf" >"$WORK/access-mem.conf"
	chmod 0600 "$WORK/access-mem.conf"
}

# N grant packets (10.244.x.y), LAT_N latency packets (10.245.x.y),
# FLOOD_N legit packets for the flood workload (10.246.x.y) and M_N
# packets for the memory and burst workloads (10.100.x.y and up: 62,500
# to a second octet; M_N is the larger of MEM_N and the largest burst),
# made by the real client in the client namespace, in parallel
# (one fwknop process per packet, nproc at a time, no shell in between),
# before anything is timed.  --test: build and save (-B), send nothing.
# Lists are written by awk: a subshell per line would cost minutes at
# MEM_N=100000.
make_packets() {
	local t0 t1 total=$((N + LAT_N + FLOOD_N + M_N))
	note "making $total SPA packets with the fwknop client ($(nproc) in parallel)"
	awk -v n="$N" -v l="$LAT_N" -v fn="$FLOOD_N" -v mn="$M_N" -v w="$WORK" '
	function ip(r, i) { return "10." r "." int(i / 250) "." (i % 250 + 1) }
	function mip(i) { return "10." (100 + int(i / 62500)) "." (int(i / 250) % 250) "." (i % 250 + 1) }
	function gen(a, f) { print "-a " a " -B " f > (w "/gen.list") }
	BEGIN {
		for (i = 0; i < n; i++) {
			gen(ip(244, i), w "/pkt/g" i); print w "/pkt/g" i > (w "/grants.list")
		}
		for (i = 0; i < l; i++) {
			gen(ip(245, i), w "/pkt/l" i); print w "/pkt/l" i " " ip(245, i) " 6 22" > (w "/latency.list")
		}
		for (i = 0; i < fn; i++) {
			gen(ip(246, i), w "/pkt/f" i); print w "/pkt/f" i > (w "/flood.list")
		}
		for (i = 0; i < mn; i++) {
			gen(mip(i), w "/pkt/m" i); print w "/pkt/m" i > (w "/mem.list")
			print w "/pkt/m" i " " mip(i) " 6 22" > (w "/mem-lat.list")
		}
	}' </dev/null
	touch "$WORK/grants.list" "$WORK/latency.list" "$WORK/flood.list" "$WORK/mem.list" \
		"$WORK/mem-lat.list"
	if [ -n "${BENCH_PACKETS:-}" ]; then
		# packets BENCH_PACKETS already has are not made again
		awk '{ f = $4; if ((getline l < f) > 0) { close(f); next } print }' \
			"$WORK/gen.list" >"$WORK/gen.todo"
		note "  $(wc -l <"$WORK/gen.todo") of them not in $BENCH_PACKETS yet"
	else
		cp "$WORK/gen.list" "$WORK/gen.todo"
	fi
	t0=$(date +%s.%N)
	in_cli xargs -P "$(nproc)" -n 4 fwknop --no-rc-file --no-save-args --test \
		-A tcp/22 -D "$SRV_IP" --key-base64-rijndael "$KEY" --key-base64-hmac "$HMAC" \
		<"$WORK/gen.todo" >/dev/null 2>"$WORK/gen.err" || true
	t1=$(date +%s.%N)
	GEN_SECONDS=$(calc "$t1 - $t0")
	# every packet listed, made now or kept from an earlier run
	[ "$(awk '{ f = $4; if ((getline l < f) > 0 && length(l) > 100) n++; close(f) } END { print n + 0 }' \
		"$WORK/gen.list")" -eq "$total" ] ||
		{ tail -n 5 "$WORK/gen.err" >&2; die "the fwknop client did not make all $total packets"; }
	note "packets made in $(printf '%.1f' "$GEN_SECONDS") s"
}

# --- the daemons --------------------------------------------------------------
reset_set() {
	in_srv ipset destroy "$SET" 2>/dev/null || true
	in_srv ipset create "$SET" hash:ip,port family inet hashsize 4096 \
		maxelem 1048576 timeout 300 || die "cannot create ipset $SET"
	# the built-in firewall's, made again by each spagated started: empty
	! has_act firewall || in_srv nft delete table inet spagate 2>/dev/null || true
	if has_act firewall-ipt; then
		in_srv nft delete table ip filter 2>/dev/null || true
		in_srv nft delete table ip6 filter 2>/dev/null || true
	fi
	has_act nft || return 0
	in_srv nft delete table inet "$NFT_TABLE" 2>/dev/null || true
	in_srv nft -f - <<-EOF || die "cannot create the nft set $NFT_TABLE $SET"
	table inet $NFT_TABLE {
		set $SET {
			type ipv4_addr . inet_proto . inet_service
			flags timeout
			size 1048576
		}
	}
	EOF
}

# set_wait DAEMON count|latency ARGS...: ipset_wait, or nft_wait on the
# nft set of the nft rows, on the built-in firewall's set allow4, or on its
# iptables chain's rules; ARGS after the set's name.
set_wait() {
	local d=$1 cmd=$2
	shift 2
	case $d in
	nft) in_srv "$WORK/bin/nft_wait" "$cmd" inet "$NFT_TABLE" "$SET" "$@" ;;
	firewall) in_srv "$WORK/bin/nft_wait" "$cmd" inet spagate allow4 "$@" ;;
	firewall-ipt) in_srv "$WORK/bin/nft_wait" "$cmd" ip filter rules:SPAGATE_INPUT "$@" ;;
	*) in_srv "$WORK/bin/ipset_wait" "$cmd" "$SET" "$@" ;;
	esac
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

# wait_listen PORT SECONDS: until a TCP socket listens on PORT in the
# server namespace (fwknopd's TCP server is a child of its own).
wait_listen() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		in_srv ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# start_spagated MODE DIR (CAP_EXTRA: more settings of the capture group)
start_spagated() {
	local mode=$1 dir=$2
	cat >"$dir/spagated.conf" <<-EOF
	max_packet_age = $MAX_AGE;
	capture = {
	  mode = "$mode";
	  interface = "${CAP_IF:-$SRV_IF}";
	  filter = "udp port $PORT";
	  udp_port = $PORT;
	  ${CAP_EXTRA:-}
	};
	# Killing the daemon between runs must not run thousands of closes.
	executor = { close_on_exit = false; };
	EOF
	[ -z "${FW_BACKEND:-}" ] ||
		echo "firewall = { backend = \"$FW_BACKEND\"; };" >>"$dir/spagated.conf"

	chmod 0600 "$dir/spagated.conf"
	# not through in_srv (a function, so a subshell): $! must be the daemon
	# a build whose verifier is a program of its own runs the one beside it
	local vp=()
	[ -x "$(dirname "$SPAGATED")/spagate-verifier" ] &&
		vp=(--verifier-program "$(dirname "$SPAGATED")/spagate-verifier")
	ip netns exec "$SRV_NS" "$SPAGATED" -f "${vp[@]}" -c "$dir/spagated.conf" -a "${ACCESS:-$WORK/access.conf}" \
		-d "$dir/state" -p "$dir/spagated.pid" >"$dir/out" 2>"$dir/log" &
	DAEMON_PID=$!
	wait_log "$dir/log" "verifier ready" 10 ||
		{ tail -n 20 "$dir/log" >&2; die "spagated ($mode) did not start"; }
}

# start_workers W MODE DIR: spagated with capture.workers = W, once all W
# verifiers are ready (the workers workload, issue 20 item 5).
start_workers() {
	local w=$1 i
	shift
	CAP_EXTRA="workers = $w;" start_spagated "$@"
	for ((i = 0; i < 200; i++)); do
		[ "$(grep -c 'verifier ready' "$2/log" || true)" -ge "$w" ] && return 0
		sleep 0.05
	done
	die "spagated: $w workers did not start"
}

# bench_workers W: spagated alone with W verifier workers (daemon name
# wW, R[...|wW]): the grants workload in each of MODES, its packets sent
# on WORKER_FLOWS flows (spa_send's SPA_SEND_FLOWS: one flow always goes
# to one worker), then the forged workload with WORKER_FORGED_STANZAS
# stanzas, the forgeries on as many flows (SPA_FLOOD_FLOWS).
bench_workers() {
	local w=$1 mode
	eval "start_w$w() { start_workers $w \"\$@\"; }"
	export SPA_SEND_FLOWS=$WORKER_FLOWS SPA_FLOOD_FLOWS=$WORKER_FLOWS
	for mode in $MODES; do
		bench_grants "w$w" "$mode"
	done
	[ -z "$WORKER_FORGED_STANZAS" ] || bench_forged "w$w" "$WORKER_FORGED_STANZAS"
	unset SPA_SEND_FLOWS SPA_FLOOD_FLOWS
}

# workers_rows: the workers workload's rows, spagated alone
workers_rows() {
	local w mode s=$WORKER_FORGED_STANZAS
	for w in $WORKERS; do
		for mode in $MODES; do
			row "grants/s ($mode), $w worker$([ "$w" = 1 ] || echo s)" "${R["grants_$mode|w$w"]:--}" "n/a" ""
			row "  elements / packets sent" "${R["granted_$mode|w$w"]:--}" "n/a" ""
			row "  CPU us per grant" "${R["cpu_$mode|w$w"]:--}" "n/a" ""
		done
		[ -n "$s" ] || continue
		row "forged examined/s ($s stanza$([ "$s" = 1 ] || echo s)), $w worker$([ "$w" = 1 ] || echo s)" \
			"${R["fx_$s|w$w"]:--}" "n/a" ""
		row "  daemon CPU, share of one core" "${R["fxcpu_$s|w$w"]:--}" "n/a" ""
		row "  UDP receive-buffer drops" "${R["fxdrops_$s|w$w"]:--}" "n/a" ""
	done
}

# start_nft MODE DIR: spagated with the nft module's stanza.
start_nft() {
	ACCESS=$WORK/access-nft.conf start_spagated "$@"
}

# start_firewall MODE DIR: spagated with the CMD_CYCLE_-less stanza and
# its built-in firewall, nftables backend; ready once its table is.
start_firewall() {
	FW_BACKEND=nftables ACCESS=$WORK/access-fw.conf start_spagated "$@"
	wait_log "$2/log" "firewall: nftables table inet spagate ready" 10 ||
		{ tail -n 20 "$2/log" >&2; die "spagated's nftables firewall did not start"; }
}

# start_firewall-ipt MODE DIR: the same, iptables backend.
start_firewall-ipt() {
	FW_BACKEND=iptables ACCESS=$WORK/access-fw.conf start_spagated "$@"
	wait_log "$2/log" "firewall: iptables chain SPAGATE_INPUT ready" 10 ||
		{ tail -n 20 "$2/log" >&2; die "spagated's iptables firewall did not start"; }
}

# start_base MODE DIR: the older spagated of BENCH_BASE, set up the same.
start_base() {
	SPAGATED=$BASE start_spagated "$@"
}

# start_fwknopd MODE DIR: every path is ours; no firewall settings are
# needed, because a stanza with CMD_CYCLE_OPEN never initialises the
# firewall (no iptables chains are created or flushed).
start_fwknopd() {
	local mode=$1 dir=$2 udp=N ready="Starting fwknopd main event loop" tcp=N filter="udp port $PORT"
	[ "$mode" = udp ] && udp=Y
	# FW_TCP=1: its dummy TCP listener too; the packets still come
	# through pcap (fwknopd(8), ENABLE_TCP_SERVER), so the filter
	# takes the port's TCP segments
	[ -n "${FW_TCP:-}" ] && tcp=Y filter="udp port $PORT or tcp port $PORT"
	cat >"$dir/fwknopd.conf" <<-EOF
	PCAP_INTF ${CAP_IF:-$SRV_IF}
	PCAP_FILTER $filter
	ENABLE_UDP_SERVER $udp
	UDPSERV_PORT $PORT
	ENABLE_TCP_SERVER $tcp
	TCPSERV_PORT $PORT
	MAX_SPA_PACKET_AGE $MAX_AGE
	FWKNOP_RUN_DIR $dir
	FWKNOP_PID_FILE $dir/fwknopd.pid
	DIGEST_FILE $dir/digest.cache
	EOF
	chmod 0600 "$dir/fwknopd.conf"
	ip netns exec "$SRV_NS" fwknopd -f -c "$dir/fwknopd.conf" -a "${ACCESS:-$WORK/access.conf}" \
		-p "$dir/fwknopd.pid" -d "$dir/digest.cache" >"$dir/out" 2>"$dir/log" &
	DAEMON_PID=$!
	# In UDP mode it logs nothing once the socket is bound: look for it.
	if [ "$mode" = udp ]; then
		wait_bound "$PORT" 10
	else
		wait_log "$dir/log" "$ready" 10
	fi || { tail -n 20 "$dir/log" >&2; die "fwknopd ($mode) did not start"; }
	[ -z "${FW_TCP:-}" ] || wait_listen "$PORT" 10 ||
		{ tail -n 20 "$dir/log" >&2; die "fwknopd's TCP server did not start"; }
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
	fwknopd) grep -c 'Running CMD_CYCLE_OPEN' "$2/log" || true ;;
	*) grep -c ': opened' "$2/log" || true ;;
	esac
}

# Packets the kernel dropped before the daemon could read them, as the
# daemon reports them (spagated's last verifier line; fwknopd: none).
capture_drops() {
	case $1 in
	fwknopd) echo "n/a" ;;
	*) sed -n 's/.*verifier info: packets .*before capture \([0-9]*\).*/\1/p' "$2/log" | tail -n 1 ;;
	esac
}

# udp_drops: datagrams the server namespace dropped because a socket's
# receive buffer was full (Udp RcvbufErrors; the netns has its own count).
udp_drops() {
	in_srv cat /proc/net/snmp | awk '$1 == "Udp:" { if (!h) { for (i = 2; i <= NF; i++) if ($i == "RcvbufErrors") c = i; h = 1 } else print $c }'
}

# --- workloads ----------------------------------------------------------------
# wait_ready FILE TRIES: until a helper started in the background writes
# "ready" to FILE, polled every 50 ms; 1 if it has not after TRIES polls.
wait_ready() {
	local i
	for ((i = 0; i < $2; i++)); do
		grep -q ready "$1" && return 0
		sleep 0.05
	done
	return 1
}

field() { sed -n "s/.*\b$2 \([0-9]*\).*/\1/p" "$1"; }

# bench_grants DAEMON MODE: sets R[grants_<mode>|DAEMON], R[granted_<mode>|..]
bench_grants() {
	local d=$1 mode=$2 dir=$WORK/run/r${round:-1}/$1-$2-grants i
	local count first reached last end sendlast secs drops0
	mkdir -p "$dir"
	note "$d, $mode: grants, $N packets$([ "$RATE" != 0 ] && echo " at $RATE/s")"
	reset_set
	"start_$d" "$mode" "$dir"
	drops0=$(udp_drops)
	local cpu0 cpu1
	cpu0=$(cpu_ns "$DAEMON_PID")
	set_wait "$d" count "$N" "$GRANTS_TIMEOUT_MS" \
		"$IDLE_MS" 1000 >"$dir/wait.out" &
	local wpid=$!
	wait_ready "$dir/wait.out" 100 || true	# the watcher reports its own failure
	in_cli "$WORK/bin/spa_send" "$SRV_IP" "$PORT" "$RATE" <"$WORK/grants.list" >"$dir/send.out"
	wait "$wpid" || die "the set watcher failed ($d)"
	cpu1=$(cpu_ns "$DAEMON_PID")
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
	# the daemon's CPU per element made, whatever the machine did meanwhile
	R["cpu_$mode|$d"]=$(awk -v c=$((cpu1 - cpu0)) -v n="$count" \
		'BEGIN { if (n > 0) printf "%.1f\n", c / n / 1000; else print "-" }')
	R["opens_$mode|$d"]=$(opens_logged "$d" "$dir")
	R["kdrops_$mode|$d"]=$(capture_drops "$d" "$dir")
	note "  $count/$N elements in $(printf '%.3f' "$secs") s (sender took $(printf '%.3f' \
		"$(calc "($sendlast - $first) / 1e9")") s); $d logged ${R["opens_$mode|$d"]} opens"
	local rep
	rep=$(field "$dir/wait.out" repeats)
	[ "${rep:-0}" = 0 ] || note "  (nft_wait: set dumps returned $rep elements twice while the set grew; counted once)"
}

# bench_burst DAEMON B WHERE: the first B packets of mem.list (distinct
# addresses) in one burst, spa_send's sendmmsg as fast as it goes.  WHERE:
# pcap (captured on the veth, sent from the client namespace), pcap-lo
# (captured on lo, sent from the server namespace to 127.0.0.1: a packet
# socket on lo sees each packet twice, going out and coming in) or udp.
# Sets R[burst_B_WHERE|DAEMON] = "elements/B", R[brate_..] grants/s and
# R[bdrop_..] what the kernel dropped (pcap: the daemon's own count,
# fwknopd has none; udp: the namespace's receive-buffer drops).
bench_burst() {
	local d=$1 b=$2 w=$3 mode=$3 dir=$WORK/run/r${round:-1}/$1-$3-${BURST_NAME:-burst}$2
	local to=$SRV_IP sender=in_cli cap_if=$SRV_IF drops0 wpid i first end count
	mkdir -p "$dir"
	[ "$w" = pcap-lo ] && mode=pcap to=127.0.0.1 sender=in_srv cap_if=lo
	note "$d, $w: a burst of $b packets${BURST_NAME:+ ($BURST_NAME)}"
	head -n "$b" "${BURST_LIST:-$WORK/mem.list}" >"$dir/list"
	reset_set
	CAP_IF=$cap_if "start_$d" "$mode" "$dir"
	drops0=$(udp_drops)
	set_wait "$d" count "$b" "$GRANTS_TIMEOUT_MS" "$IDLE_MS" 1000 >"$dir/wait.out" &
	wpid=$!
	wait_ready "$dir/wait.out" 100 || true	# the watcher reports its own failure
	$sender "$WORK/bin/spa_send" "$to" "$PORT" 0 <"$dir/list" >"$dir/send.out"
	wait "$wpid" || die "the set watcher failed ($d)"
	R["bdrop_${b}_$w|$d"]=$(($(udp_drops) - drops0))
	stop_daemon
	[ "$mode" = pcap ] && R["bdrop_${b}_$w|$d"]=$(capture_drops "$d" "$dir")
	first=$(field "$dir/send.out" first_ns)
	count=$(field "$dir/wait.out" count)
	end=$(field "$dir/wait.out" reached_ns)
	[ "$end" = 0 ] && end=$(field "$dir/wait.out" last_ns)
	R["burst_${b}_$w|$d"]="$count/$b"
	R["brate_${b}_$w|$d"]=$(awk -v c="$count" -v a="$first" -v e="$end" \
		'BEGIN { if (c > 0 && e > a) printf "%.0f\n", c / ((e - a) / 1e9); else print 0 }')
	note "  $count/$b elements, ${R["brate_${b}_$w|$d"]}/s, dropped before the daemon read them: ${R["bdrop_${b}_$w|$d"]:--}"
}

# GnuPG packets (issue 19, item 5): an RSA 2048 key for the server (no
# passphrase: GPG_ALLOW_NO_PW) and one for the client, which signs; the
# stanza names both, with an HMAC key, and opens the same ipset element as
# the Rijndael one, for both daemons.  fwknopd opens packets to RSA keys of
# 2048 bits and more only (it puts back the prefix "hQ" that the client
# cuts; an elliptic-curve key's packets start otherwise).  spagated reads
# the secret key from secring.gpg, fwknopd through gpg-agent.
make_gpg() {
	local g=$WORK/gpg srv cli
	gh() { local h=$1; shift; gpg --homedir "$h" --batch --quiet --pinentry-mode loopback --passphrase '' "$@"; }
	fp() { gh "$1" --with-colons --list-keys "$2" | awk -F: '/^fpr/ { print $10; exit }'; }
	mkdir -m 700 -p "$g/srv" "$g/cli"
	gh "$g/srv" --quick-gen-key 'bench-srv <srv@bench.test>' rsa2048 cert,sign,encr 0 &&
	gh "$g/cli" --quick-gen-key 'bench-cli <cli@bench.test>' rsa2048 cert,sign 0 &&
	gh "$g/srv" --export srv@bench.test | gh "$g/cli" --import &&
	gh "$g/cli" --export cli@bench.test | gh "$g/srv" --import ||
		die "gpg cannot make the bench's keys"
	# fwknopd (gpgme) takes a signature as good only from a key the ring
	# trusts: the server certifies the client's, as its admin would
	gh "$g/srv" --quick-lsign-key "$(fp "$g/srv" cli@bench.test)" ||
		die "gpg cannot certify the client's key"
	gh "$g/srv" --export-secret-keys srv@bench.test >"$g/srv/secring.gpg"
	chmod 600 "$g/srv/secring.gpg"
	srv=$(fp "$g/cli" srv@bench.test) cli=$(fp "$g/srv" cli@bench.test)
	GPG_SRV_FPR=$srv
	GPG_OPTS="--gpg-recipient $srv --gpg-signer $cli --gpg-no-signing-pw --gpg-home-dir $g/cli"
	{
		echo "SOURCE ANY"
		echo "GPG_HOME_DIR $g/srv"
		echo "GPG_DECRYPT_ID ${srv: -8}"
		echo "GPG_ALLOW_NO_PW Y"
		echo "GPG_REMOTE_ID ${cli: -8}"
		echo "HMAC_KEY_BASE64 $HMAC"
		grep '^CMD_CYCLE_' "$WORK/access.conf"
	} >"$WORK/access-gpg.conf"
	chmod 0600 "$WORK/access-gpg.conf"
	[ -z "$GPG_FORGED" ] || make_gpg_forged
	[ "$GPG_N" -gt 0 ] || return 0
	note "making $GPG_N GnuPG SPA packets with the fwknop client"
	awk -v n="$GPG_N" -v w="$WORK" 'BEGIN { for (i = 0; i < n; i++) {
		a = "10.247." int(i / 250) "." (i % 250 + 1)
		print "-a " a " -B " w "/gpg/p" i > (w "/gpg/gen.list"); print w "/gpg/p" i > (w "/gpg.list") } }'
	# shellcheck disable=SC2086
	in_cli xargs -P "$(nproc)" -n 4 fwknop --no-rc-file --no-save-args --test \
		-A tcp/22 -D "$SRV_IP" $GPG_OPTS --use-hmac --key-base64-hmac "$HMAC" \
		<"$WORK/gpg/gen.list" >/dev/null 2>"$WORK/gpg/gen.err" || true
	# the client exits 1 in GnuPG mode with --test, but saves the packet
	[ "$(awk '{ if ((getline l < $0) > 0 && length(l) > 400) n++; close($0) } END { print n + 0 }' \
		"$WORK/gpg.list")" -eq "$GPG_N" ] ||
		{ tail -n 5 "$WORK/gpg/gen.err" >&2; die "the fwknop client did not make all $GPG_N GnuPG packets"; }
}

# bench_gnupg DAEMON: the GnuPG packets as one burst in UDP mode.
bench_gnupg() {
	ACCESS=$WORK/access-gpg.conf BURST_LIST=$WORK/gpg.list BURST_NAME=gnupg \
		bench_burst "$1" "$GPG_N" udp
	R["gpg_granted|$1"]=${R["burst_${GPG_N}_udp|$1"]}
	R["gpg_rate|$1"]=${R["brate_${GPG_N}_udp|$1"]}
	unset 'R[burst_${GPG_N}_udp|$1]' 'R[brate_${GPG_N}_udp|$1]' 'R[bdrop_${GPG_N}_udp|$1]'
}

# --- forged GnuPG packets (issue 19 item 4) -------------------------------------
# make_gpg_forged: what the forged GnuPG workload sends, from make_gpg's
# keys: access-gpg-nohmac.conf (the GnuPG stanza without its HMAC key),
# and in gpg/forged/, each one line:
#   junk-1000     a real packet (the client's, with its HMAC) lengthened
#                 to 1,000 characters or more in the middle of its text
#                 by a multiple of 4: spa_flood's template for random text
#                 of that length whose last characters stay valid base64
#   crafted       bench/gpg_forge.py: GPG_FORGED_KEYS session keys naming
#                 the server key's ID (RSA 2048, MPIs of 256 bytes below
#                 any modulus), then random data, 1,498 characters
#   crafted-hmac  the same in 1,455 characters, and 43 of a fake HMAC
make_gpg_forged() {
	local f=$WORK/gpg/forged t ct grow
	mkdir -p "$f"
	grep -v '^HMAC_KEY_BASE64 ' "$WORK/access-gpg.conf" >"$WORK/access-gpg-nohmac.conf"
	chmod 0600 "$WORK/access-gpg-nohmac.conf"
	python3 "$top/bench/gpg_forge.py" --keyid "${GPG_SRV_FPR: -16}" \
		--count "$GPG_FORGED_KEYS" >"$f/crafted" &&
	python3 "$top/bench/gpg_forge.py" --keyid "${GPG_SRV_FPR: -16}" \
		--count "$GPG_FORGED_KEYS" --len 1455 --hmac >"$f/crafted-hmac" ||
		die "bench/gpg_forge.py failed"
	# shellcheck disable=SC2086
	in_cli fwknop --no-rc-file --no-save-args --test -A tcp/22 -D "$SRV_IP" $GPG_OPTS \
		--use-hmac --key-base64-hmac "$HMAC" -a 10.248.0.1 -B "$f/real" >/dev/null 2>&1 || true
	t=$(tr -d '\n' <"$f/real" 2>/dev/null) || t=
	[ "${#t}" -gt 400 ] || die "the fwknop client made no GnuPG packet for the forged workload"
	ct=${t:0:${#t}-43}
	grow=$(( (1000 - ${#t} + 3) / 4 * 4 ))
	[ "$grow" -gt 0 ] || grow=0
	printf '%s%s%s%s\n' "${ct:0:${#ct}-1}" "$(printf "%${grow}s" | tr ' ' A)" \
		"${ct: -1}" "${t: -43}" >"$f/junk-1000"
	note "forged GnuPG packets: junk of $(($(wc -c <"$f/junk-1000") - 1)) characters (HMAC key)," \
		"$GPG_FORGED_KEYS session keys for key ID ${GPG_SRV_FPR: -16} in $(($(wc -c <"$f/crafted") - 1))"
}

# gpg_forged_how KIND: the access file, spa_flood's template and how it
# sends it (same: that packet again and again; fresh: random text of its
# length) for a kind of the forged GnuPG workload.
gpg_forged_how() {
	local f=$WORK/gpg/forged
	case $1 in
	hmac-junk) echo "$WORK/access-gpg.conf $f/junk-1000 fresh" ;;
	hmac-crafted) echo "$WORK/access-gpg.conf $f/crafted-hmac same" ;;
	crafted) echo "$WORK/access-gpg-nohmac.conf $f/crafted same" ;;
	junk) echo "$WORK/access-gpg-nohmac.conf $f/crafted fresh" ;;
	esac
}

# bench_gpg_forged DAEMON KIND: UDP mode, the GnuPG stanza (with its HMAC
# key for the hmac-* kinds); spa_flood sends the kind's forged packets
# from the flood address asking GPG_FORGED_RATE/s (FORGED_RATE for the
# random ones), until SIGTERM; after GPG_FORGED_WARMUP s, the packets
# examined over GPG_FORGED_SECS s (examined_at: from stats line to stats
# line for spagated, so more when it answers late).  Sets R[gx_KIND|D]
# (examined/s), R[gxsent_KIND|D], R[gxdrops_KIND|D], R[gxcpu_KIND|D].
bench_gpg_forged() {
	local d=$1 k=$2 dir=$WORK/run/r${round:-1}/$1-gpgforged-$2 access tmpl how rate
	local fpid drops0 c0 c1 t0 t1 w0 w1 cpu0 cpu1 same=
	read -r access tmpl how <<<"$(gpg_forged_how "$k")"
	rate=$GPG_FORGED_RATE
	[ "$how" = fresh ] && rate=$FORGED_RATE
	[ "$how" = same ] && same=SPA_FLOOD_SAME=1
	mkdir -p "$dir"
	note "$d, udp: forged GnuPG packets examined/s ($k), asking $rate/s"
	reset_set
	ACCESS=$access
	"start_$d" udp "$dir"
	ACCESS=
	drops0=$(udp_drops)
	# shellcheck disable=SC2086 # $same: one word or none
	ip netns exec "$CLI_NS" env $same "$WORK/bin/spa_flood" "$SRV_IP" "$PORT" "$rate" \
		"$(calc "$GPG_FORGED_WARMUP + $GPG_FORGED_SECS + 70")" "$tmpl" "$FLOOD_IP" >"$dir/flood.out" &
	fpid=$!
	sleep "$GPG_FORGED_WARMUP"
	read -r c0 t0 <<<"$(examined_at "$d" "$dir")"
	w0=$(date +%s.%N); cpu0=$(cpu_ns "$DAEMON_PID")
	sleep "$GPG_FORGED_SECS"
	read -r c1 t1 <<<"$(examined_at "$d" "$dir")"
	w1=$(date +%s.%N); cpu1=$(cpu_ns "$DAEMON_PID")
	kill -TERM "$fpid" 2>/dev/null || true
	wait "$fpid" || die "spa_flood failed"
	R["gxdrops_$k|$d"]=$(($(udp_drops) - drops0))
	stop_daemon
	R["gx_$k|$d"]=$(awk -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" \
		'BEGIN { if (a !~ /^[0-9]+$/ || b !~ /^[0-9]+$/ || e <= s) print "-"; else printf "%.0f\n", (b - a) / (e - s) }')
	R["gxsent_$k|$d"]=$(sed -n 's/.* rate \([0-9]*\).*/\1/p' "$dir/flood.out")
	R["gxcpu_$k|$d"]=$(awk -v c=$((cpu1 - cpu0)) -v t="$(calc "$w1 - $w0")" \
		'BEGIN { printf "%.0f%%\n", 100 * c / 1e9 / t }')
	note "  ${R["gx_$k|$d"]} examined/s ($c0 to $c1); flood: $(cat "$dir/flood.out");" \
		"receive-buffer drops ${R["gxdrops_$k|$d"]}; daemon CPU ${R["gxcpu_$k|$d"]} of a core"
}

# examined_at DAEMON DIR: "COUNT TIME" (TIME in seconds since the epoch)
# of the packets the daemon has examined.  spagated: the count and the
# time of its next stats line after SIGUSR1, waiting up to 30 s: its
# verifier answers between two batches of up to 256 datagrams, which take
# seconds when each costs private-key operations; fwknopd: its count now.
examined_at() {
	local n0 i line
	case $1 in
	fwknopd) echo "$(fwknopd_examined "$2/log") $(date +%s.%N)" ;;
	*)
		n0=$(grep -c 'stats: verifier: packets' "$2/log" || true)
		kill -USR1 "$DAEMON_PID"
		for ((i = 0; i < 3000; i++)); do
			line=$(grep 'stats: verifier: packets' "$2/log" | sed -n "$((n0 + 1))p")
			if [ -n "$line" ]; then
				echo "$(echo "$line" | sed -n 's/.*stats: verifier: packets \([0-9]*\),.*/\1/p')" \
					"$(date -d "$(echo "$line" | cut -c1-23 | tr T ' ')" +%s.%N)"
				return 0
			fi
			sleep 0.01
		done
		note "  no stats line within 30 s of SIGUSR1"
		echo "- -" ;;
	esac
}

# gpg_forged_rows: the forged GnuPG workload's rows
gpg_forged_rows() {
	local k s f label
	for k in $GPG_FORGED; do
		case $k in
		hmac-junk) label="HMAC key, junk 1,000+" ;;
		hmac-crafted) label="HMAC key, crafted" ;;
		crafted) label="no HMAC, $GPG_FORGED_KEYS session keys" ;;
		junk) label="no HMAC, junk" ;;
		esac
		s=${R["gx_$k|spagated"]:--}; f=${R["gx_$k|$OTHER"]:--}
		row "GnuPG forged/s, $label" "$s" "$f" "$(ratio "$s" "$f" higher)"
		row "  daemon CPU, share of one core" "${R["gxcpu_$k|spagated"]:--}" "${R["gxcpu_$k|$OTHER"]:--}" ""
		row "  forgeries/s sent (sender)" "${R["gxsent_$k|spagated"]:--}" "${R["gxsent_$k|$OTHER"]:--}" ""
		row "  UDP receive-buffer drops" "${R["gxdrops_$k|spagated"]:--}" "${R["gxdrops_$k|$OTHER"]:--}" ""
	done
}

# percentile P FILE (sorted, one number a line): nearest rank
percentile() { awk -v p="$1" '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit } i = int(p * NR + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; printf "%.2f\n", v[i] / 1e6 }' "$2"; }

# bench_latency DAEMON MODE COUNT
bench_latency() {
	local d=$1 mode=$2 n=$3 dir=$WORK/run/r${round:-1}/$1-$2-latency timeouts
	mkdir -p "$dir"
	note "$d, $mode: latency, $n packets one at a time"
	reset_set
	"start_$d" "$mode" "$dir"
	head -n "$n" "$WORK/latency.list" |
		set_wait "$d" latency "/run/netns/$CLI_NS" \
			"$SRV_IP" "$PORT" 5000 "$POLL_US" >"$dir/lat.out" ||
		die "the set watcher's latency failed ($d, $mode)"
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

# veth_stat NAME: a counter of the server's veth (rx_packets, rx_dropped).
veth_stat() { in_srv cat "/sys/class/net/$SRV_IF/statistics/$1"; }

# Datagrams the daemon says it examined: spagated's verifier logs
# "packets N, granted M" at shutdown; fwknopd logs "(stanza #S) SPA Packet
# from IP: ..." for each stanza whose SOURCE a packet matches, in order (each
# flood one then fails its HMAC compare there:
# FKO_ERROR_INVALID_DATA_HMAC_COMPAREFAIL): the bench's stanzas are all
# SOURCE ANY, so stanza #1's lines count the packets.
fwknopd_examined() { grep -c '^(stanza #1) SPA Packet from IP: ' "$1" || true; }
examined() {
	case $1 in
	spagated|base) sed -n 's/.*verifier info: packets \([0-9]*\), granted.*/\1/p' "$2/log" | tail -n 1 ;;
	fwknopd) fwknopd_examined "$2/log" ;;
	esac
}

# bench_flood DAEMON MODE [TAG RATE]: FLOOD_N legit packets, one every
# FLOOD_GAP_MS, sent (spa_send, from CLI_IP) while spa_flood sends
# FLOOD_RATE invalid datagrams/s (from FLOOD_IP) for FLOOD_LEAD s before
# the first and FLOOD_TAIL s after the last; then up to FLOOD_DRAIN s for
# the daemon to catch up.  Sets R[flood_<mode>|DAEMON] (granted/N),
# R[frate_<mode>|..] (rate achieved by the flooder), R[frx_<mode>|..]
# (datagrams the server's veth received while it ran), R[fdrops_<mode>|..],
# R[fseen_<mode>|..].  With TAG (the forged workload's "_forged"), the keys
# are <metric>_<mode>TAG and the flood asks for RATE datagrams/s instead of
# FLOOD_RATE; ACCESS, if set, is the access.conf the daemon reads.
bench_flood() {
	local d=$1 mode=$2 tag=${3:-} frate=${4:-$FLOOD_RATE}
	local dir=$WORK/run/r${round:-1}/$1-$2-flood$tag secs ms rate drops0 rx0 count fpid wpid i
	mkdir -p "$dir"
	secs=$(calc "$FLOOD_LEAD + $FLOOD_N * $FLOOD_GAP_MS / 1000 + $FLOOD_TAIL")
	ms=$(printf '%.0f' "$(calc "($secs + $FLOOD_DRAIN) * 1000")")
	rate=$(calc "1000 / $FLOOD_GAP_MS")
	note "$d, $mode: $FLOOD_N legit packets, one every $FLOOD_GAP_MS ms, under a flood of" \
		"$frate invalid datagrams/s for $(printf '%.1f' "$secs") s"
	reset_set
	"start_$d" "$mode" "$dir"
	drops0=$(udp_drops)
	rx0=$(veth_stat rx_packets)
	in_srv "$WORK/bin/ipset_wait" count "$SET" "$FLOOD_N" "$ms" "$ms" 1000 >"$dir/wait.out" &
	wpid=$!
	wait_ready "$dir/wait.out" 100 || true	# the watcher reports its own failure
	in_cli "$WORK/bin/spa_flood" "$SRV_IP" "$PORT" "$frate" "$secs" \
		"$WORK/pkt/f0" "$FLOOD_IP" >"$dir/flood.out" &
	fpid=$!
	sleep "$FLOOD_LEAD"
	in_cli "$WORK/bin/spa_send" "$SRV_IP" "$PORT" "$rate" <"$WORK/flood.list" >"$dir/send.out"
	wait "$fpid" || die "spa_flood failed"
	R["frx_$mode$tag|$d"]=$(($(veth_stat rx_packets) - rx0))
	wait "$wpid" || die "ipset_wait failed"
	R["fdrops_$mode$tag|$d"]=$(($(udp_drops) - drops0))
	stop_daemon
	count=$(field "$dir/wait.out" count)
	R["flood_$mode$tag|$d"]="$count/$FLOOD_N"
	R["frate_$mode$tag|$d"]=$(sed -n 's/.* rate \([0-9]*\).*/\1/p' "$dir/flood.out")
	R["fseen_$mode$tag|$d"]=$(examined "$d" "$dir")
	note "  $count/$FLOOD_N legit granted; flood $(cat "$dir/flood.out");" \
		"server veth received ${R["frx_$mode$tag|$d"]}; $d examined ${R["fseen_$mode$tag|$d"]}"
}

# --- TCP (issue 19 item 5) ----------------------------------------------------
# The client namespace's side of one connection a packet: its ports from
# the whole range and TIME_WAIT ports reused (the sender closes first, so
# each connection leaves one; two daemons' BENCH_N would otherwise near
# the default range's 28,000).  Per-namespace settings, ours.
# TCP_LEGIT_IPS: the tcp hold workload's legit sources, used in turn, as
# many as keep each under 5 connections a second (half spagated's default
# tcp_rate: the row is about held connections, not about one address
# sending more packets a second than a user would): CLI_IP and
# 10.231.40.11 and up, at most 16.
tcp_client_ns() {
	local n i
	in_cli sysctl -qw net.ipv4.ip_local_port_range="1024 65535" \
		net.ipv4.tcp_tw_reuse=1 || die "cannot set the client namespace's TCP settings"
	n=$(awk -v g="$FLOOD_GAP_MS" 'BEGIN { n = int((1000 / g + 4.999) / 5); print (n < 1 ? 1 : (n > 16 ? 16 : n)) }')
	TCP_LEGIT_IPS=$CLI_IP
	for ((i = 1; i < n; i++)); do
		ip -n "$CLI_NS" addr add "10.231.40.$((10 + i))/24" dev "$CLI_IF" ||
			die "cannot add 10.231.40.$((10 + i)) to $CLI_NS"
		TCP_LEGIT_IPS="$TCP_LEGIT_IPS,10.231.40.$((10 + i))"
	done
}

# start_tcp DAEMON DIR [SETTINGS]: DAEMON in pcap mode (fwknopd reads TCP
# payloads only through pcap) with its TCP listener on PORT; spagated's
# capture group gets SETTINGS besides tcp_port (its pcap filter stays
# "udp port PORT": its listener reads the stream itself).
start_tcp() {
	case $1 in
	fwknopd) FW_TCP=1 start_fwknopd pcap "$2" ;;
	*) CAP_EXTRA="tcp_port = $PORT; ${3:-}" "start_$1" pcap "$2"
	   wait_listen "$PORT" 10 || { tail -n 20 "$2/log" >&2; die "no TCP listener ($1)"; } ;;
	esac
}

# bench_tcp_grants DAEMON: the N grant packets, one TCP connection each
# (tcp_send: TCP_INFLIGHT at once, as fast as they go, TCP_SECS at most);
# elements present per second as bench_grants counts them.  spagated with
# tcp_rate = 0: its default (10 new connections a second from one
# address) would refuse all but 10 a second of one sender's.  Sets
# R[tgrants|D] (elements/s), R[tgranted|D] (elements / N), R[tsent|D]
# (connections that wrote their packet / N).
bench_tcp_grants() {
	local d=$1 dir=$WORK/run/r${round:-1}/$1-tcp-grants wpid i count first end secs
	mkdir -p "$dir"
	note "$d, tcp: grants, $N packets, one connection each, $TCP_INFLIGHT in flight"
	reset_set
	start_tcp "$d" "$dir" "tcp_rate = 0; $TCP_CONF"
	set_wait "$d" count "$N" "$GRANTS_TIMEOUT_MS" "$IDLE_MS" 1000 >"$dir/wait.out" &
	wpid=$!
	wait_ready "$dir/wait.out" 100 || true	# the watcher reports its own failure
	in_cli "$WORK/bin/tcp_send" "$SRV_IP" "$PORT" 0 "$TCP_INFLIGHT" "$TCP_CONN_MS" \
		"$((TCP_SECS * 1000))" "$CLI_IP" <"$WORK/grants.list" >"$dir/send.out" ||
		die "tcp_send failed ($d)"
	wait "$wpid" || die "the set watcher failed ($d)"
	stop_daemon
	first=$(field "$dir/send.out" first_ns)
	count=$(field "$dir/wait.out" count)
	end=$(field "$dir/wait.out" reached_ns)
	[ "$end" = 0 ] && end=$(field "$dir/wait.out" last_ns)
	secs=$(calc "($end - $first) / 1e9")
	R["tgrants|$d"]=$(awk -v c="$count" -v s="$secs" 'BEGIN { if (c > 0 && s > 0) printf "%.0f\n", c / s; else print 0 }')
	R["tgranted|$d"]="$count/$N"
	R["tsent|$d"]="$(field "$dir/send.out" sent)/$N"
	note "  $count/$N elements, ${R["tgrants|$d"]}/s; sender: $(cat "$dir/send.out")"
}

# bench_tcp_hold DAEMON: tcp_hold opens TCP_HOLD_N connections from
# FLOOD_IP and keeps them idle; once they have settled (every connect
# ended, or TCP_HOLD_SETTLE_MS), the FLOOD_N legit packets go over TCP from
# TCP_LEGIT_IPS, one every FLOOD_GAP_MS (each connection given TCP_CONN_MS).
# spagated with its TCP defaults (tcp_connections 64, tcp_rate 10,
# tcp_timeout_ms 2000).  Sets R[thold|D] (elements / FLOOD_N),
# R[thold_est|D] (holder's connections established when the legit
# packets started), R[thold_open|D] (still open at the end: the daemon
# closed the others), R[thold_sent|D] (legit connections that wrote).
bench_tcp_hold() {
	local d=$1 dir=$WORK/run/r${round:-1}/$1-tcp-hold hpid wpid i ms hold_ms count
	mkdir -p "$dir"
	ms=$((FLOOD_N * FLOOD_GAP_MS + TCP_CONN_MS + FLOOD_DRAIN * 1000))
	hold_ms=$((TCP_HOLD_SETTLE_MS + ms + 10000))
	note "$d, tcp: $FLOOD_N legit packets, one every $FLOOD_GAP_MS ms, while $TCP_HOLD_N idle" \
		"connections from $FLOOD_IP are held"
	reset_set
	start_tcp "$d" "$dir"
	# not through in_cli (a function, so a subshell): $! must be tcp_hold
	ip netns exec "$CLI_NS" "$WORK/bin/tcp_hold" "$SRV_IP" "$PORT" "$TCP_HOLD_N" "$FLOOD_IP" \
		"$TCP_HOLD_SETTLE_MS" "$hold_ms" >"$dir/hold.out" &
	hpid=$!
	wait_ready "$dir/hold.out" $((TCP_HOLD_SETTLE_MS / 50 + 100)) || die "tcp_hold did not settle ($d)"
	note "  holder: $(head -n 1 "$dir/hold.out")"
	in_srv "$WORK/bin/ipset_wait" count "$SET" "$FLOOD_N" "$ms" "$ms" 1000 >"$dir/wait.out" &
	wpid=$!
	wait_ready "$dir/wait.out" 100 || true	# the watcher reports its own failure
	in_cli "$WORK/bin/tcp_send" "$SRV_IP" "$PORT" "$(calc "1000 / $FLOOD_GAP_MS")" "$TCP_INFLIGHT" \
		"$TCP_CONN_MS" "$ms" "$TCP_LEGIT_IPS" <"$WORK/flood.list" >"$dir/send.out" ||
		die "tcp_send failed ($d)"
	wait "$wpid" || die "ipset_wait failed"
	kill -TERM "$hpid" 2>/dev/null
	wait "$hpid" || true
	stop_daemon
	count=$(field "$dir/wait.out" count)
	R["thold|$d"]="$count/$FLOOD_N"
	R["thold_est|$d"]="$(field "$dir/hold.out" established | head -n 1)/$TCP_HOLD_N"
	R["thold_open|$d"]=$(sed -n 's/^end .*\bopen \([0-9]*\).*/\1/p' "$dir/hold.out")
	R["thold_sent|$d"]="$(field "$dir/send.out" sent)/$FLOOD_N"
	note "  $count/$FLOOD_N legit granted; legit sender: $(cat "$dir/send.out"); holder: $(tail -n 1 "$dir/hold.out")"
}

# --- forged packets (issue 20 item 3) -----------------------------------------
# make_forged_access S: access-forged-S.conf, S SOURCE ANY stanzas each
# with its own keys; the last is the bench's (the legit packets' key, so
# they cost all S HMACs, as for the worst-placed user).  Keys from one
# read of /dev/urandom: 96 bytes a stanza, as 128 base64 characters, cut
# at a 3-byte boundary into a 24-byte key and a 72-byte HMAC key.
make_forged_access() {
	local s=$1 f=$WORK/access-forged-$1.conf
	head -c $(((s - 1) * 96)) /dev/urandom | base64 -w 0 | fold -w 128 |
		awk -v set="$SET" -v t="$ELEM_TIMEOUT" '{
			print "SOURCE ANY"
			print "KEY_BASE64 " substr($0, 1, 32)
			print "HMAC_KEY_BASE64 " substr($0, 33, 96)
			print "CMD_CYCLE_OPEN ipset -exist add " set " $SRC,$PROTO:$PORT timeout " t
			print "CMD_CYCLE_CLOSE ipset -exist del " set " $SRC,$PROTO:$PORT"
			print "CMD_CYCLE_TIMER " t
			print ""
		}' >"$f"
	cat "$WORK/access.conf" >>"$f"
	chmod 0600 "$f"
	[ "$(grep -c '^SOURCE ANY' "$f")" = "$s" ] || die "access-forged-$s.conf: not $s stanzas"
}

# hmac_ceiling: HMAC_PER_S, HMAC-SHA256s a second of one forged packet's
# message (the "U2FsdGVkX1" prefix the client strips and the verifier
# puts back, and the ciphertext text: the packet less its 43-character
# HMAC), on one core, by `openssl speed` (its HMAC keeps the key's
# inner and outer states, as spagated's does); HMAC_BYTES that size,
# FORGED_LEN the packet's.
hmac_ceiling() {
	local len
	len=$(wc -c <"$WORK/pkt/f0")
	[ "$(tail -c 1 "$WORK/pkt/f0" | od -An -c | tr -d ' ')" = '\n' ] && len=$((len - 1))
	FORGED_LEN=$len
	HMAC_BYTES=$((len - 43 + 10))
	HMAC_PER_S=$(openssl speed -mr -hmac sha256 -bytes "$HMAC_BYTES" -seconds 1 2>/dev/null |
		awk -F: -v b="$HMAC_BYTES" '$1 == "+F" { printf "%.0f\n", $4 / b }')
	[ -n "$HMAC_PER_S" ] || die "openssl speed -hmac sha256 printed nothing"
	note "openssl speed: $HMAC_PER_S HMAC-SHA256/s of $HMAC_BYTES bytes (one core)"
}

# examined_now DAEMON DIR: packets the daemon has examined so far.
# spagated: SIGUSR1, then its next "stats: verifier: packets N" line
# (nothing if none comes within 2 s); fwknopd: its stanza #1 "SPA Packet
# from IP" lines so far (examined).
examined_now() {
	local n0 i
	case $1 in
	fwknopd) fwknopd_examined "$2/log" ;;
	*)
		n0=$(grep -c 'stats: verifier: packets' "$2/log" || true)
		kill -USR1 "$DAEMON_PID"
		for ((i = 0; i < 200; i++)); do
			if [ "$(grep -c 'stats: verifier: packets' "$2/log" || true)" -gt "$n0" ]; then
				sed -n 's/.*stats: verifier: packets \([0-9]*\),.*/\1/p' "$2/log" | tail -n 1
				return 0
			fi
			sleep 0.01
		done
		note "  no stats line within 2 s of SIGUSR1" ;;
	esac
}

# bench_forged DAEMON S: UDP mode, access-forged-S.conf; spa_flood sends
# well-formed forgeries (each matching no stanza: S HMACs) asking
# FORGED_RATE/s, above what the daemon takes; after FORGED_WARMUP s, the
# packets examined over FORGED_SECS s.  Sets R[fx_S|D] (examined/s),
# R[fxsent_S|D] (the sender's rate), R[fxdrops_S|D] (receive-buffer drops
# over the whole flood: the daemon was the bottleneck), R[fxcpu_S|D] (the
# CPU time the daemon's processes got over the window, % of one core).
bench_forged() {
	local d=$1 s=$2 dir=$WORK/run/r${round:-1}/$1-forged$2 fpid drops0 c0 c1 t0 t1 cpu0 cpu1
	mkdir -p "$dir"
	note "$d, udp: forged packets examined/s, $s stanza(s), flood asking $FORGED_RATE/s"
	reset_set
	ACCESS=$WORK/access-forged-$s.conf
	"start_$d" udp "$dir"
	ACCESS=
	drops0=$(udp_drops)
	# not through in_cli: $! must be spa_flood, stopped (SIGTERM) once the
	# window is over; asked for more than it can send, it would otherwise
	# go on sending every datagram of its schedule
	ip netns exec "$CLI_NS" "$WORK/bin/spa_flood" "$SRV_IP" "$PORT" "$FORGED_RATE" \
		"$(calc "$FORGED_WARMUP + $FORGED_SECS + 5")" "$WORK/pkt/f0" "$FLOOD_IP" >"$dir/flood.out" &
	fpid=$!
	sleep "$FORGED_WARMUP"
	t0=$(date +%s.%N); c0=$(examined_now "$d" "$dir"); cpu0=$(cpu_ns "$DAEMON_PID")
	sleep "$FORGED_SECS"
	t1=$(date +%s.%N); c1=$(examined_now "$d" "$dir"); cpu1=$(cpu_ns "$DAEMON_PID")
	kill -TERM "$fpid" 2>/dev/null
	wait "$fpid" || die "spa_flood failed"
	R["fxdrops_$s|$d"]=$(($(udp_drops) - drops0))
	stop_daemon
	R["fx_$s|$d"]=$(awk -v a="$c0" -v b="$c1" -v t="$(calc "$t1 - $t0")" \
		'BEGIN { if (a == "" || b == "") print "-"; else printf "%.0f\n", (b - a) / t }')
	R["fxsent_$s|$d"]=$(sed -n 's/.* rate \([0-9]*\).*/\1/p' "$dir/flood.out")
	# the machine's two cores are shared with the flooder (and the
	# kernel's work for its datagrams): the CPU the daemon got
	R["fxcpu_$s|$d"]=$(awk -v c=$((cpu1 - cpu0)) -v t="$(calc "$t1 - $t0")" \
		'BEGIN { printf "%.0f%%\n", 100 * c / 1e9 / t }')
	note "  ${R["fx_$s|$d"]} examined/s ($c0 to $c1); flood: $(cat "$dir/flood.out");" \
		"receive-buffer drops ${R["fxdrops_$s|$d"]}; daemon CPU ${R["fxcpu_$s|$d"]} of a core"
}

# bench_policy: for each S of FORGED_STANZAS, bench/policy_bench's
# forged packets a second through policy_match() in one process (no
# network, no flooder beside it), built with the source tree's
# _build/libcommon.a; sets R[fxproc_S|spagated].  Skipped without it.
bench_policy() {
	local s n out
	[ -f "$top/_build/libcommon.a" ] ||
		{ note "no $top/_build/libcommon.a: policy_bench skipped"; return 0; }
	cc -O2 -iquote "$top/common" -I "$top/_build" "$top/bench/policy_bench.c" \
		"$top/_build/libcommon.a" -lcrypto -o "$WORK/bin/policy_bench" ||
		{ note "cannot build bench/policy_bench.c: skipped"; return 0; }
	for s in $FORGED_STANZAS; do
		n=$((200000 / s)); [ "$n" -ge 50 ] || n=50
		out=$("$WORK/bin/policy_bench" "$WORK/access-forged-$s.conf" "$FORGED_LEN" "$n" 2>/dev/null) ||
			{ note "policy_bench failed ($s stanzas)"; continue; }
		R["fxproc_$s|spagated"]=$(awk -v p="$(echo "$out" | sed -n 's/.*per_packet_ns \([0-9.]*\).*/\1/p')" \
			'BEGIN { if (p > 0) printf "%.0f\n", 1e9 / p; else print "-" }')
		note "policy_bench, $s stanza(s): $out"
	done
}

# forged_flood_rate: FORGED_FLOOD_RATE, or what spagated examined a
# second with FORGED_FLOOD_STANZAS stanzas (the highest forged rate it
# can examine), the same for both daemons.
forged_flood_rate() {
	local r=${BENCH_FORGED_FLOOD_RATE:-${R["fx_$FORGED_FLOOD_STANZAS|spagated"]:-}}
	case $r in ''|0|*[!0-9]*) r=$FLOOD_RATE ;; esac
	echo "$r"
}
# forged_flood_rate_source: where forged_flood_rate's figure came from
forged_flood_rate_source() {
	if [ -n "${BENCH_FORGED_FLOOD_RATE:-}" ]; then
		echo BENCH_FORGED_FLOOD_RATE
	else
		case ${R["fx_$FORGED_FLOOD_STANZAS|spagated"]:-} in
		''|0|*[!0-9]*) echo "BENCH_FLOOD_RATE: the forged workload did not measure $FORGED_FLOOD_STANZAS stanzas" ;;
		*) echo "spagate's examined rate with $FORGED_FLOOD_STANZAS stanzas" ;;
		esac
	fi
}

# proc_tree PID: PID and all its descendants, one a line (from the ppid
# field of /proc/*/stat).
proc_tree() {
	local f line rest p i
	local -a todo=("$1") st
	local -A kids=()
	for f in /proc/[0-9]*/stat; do
		read -r line 2>/dev/null <"$f" || continue
		rest=${line##*) }	# after the command name: state ppid ...
		p=${f#/proc/}; p=${p%/stat}
		read -r -a st <<<"$rest"
		kids[${st[1]}]="${kids[${st[1]}]:-} $p"
	done
	for ((i = 0; i < ${#todo[@]}; i++)); do
		p=${todo[i]}
		echo "$p"
		# shellcheck disable=SC2206
		todo+=(${kids[$p]:-})
	done
}

# cpu_ns PID: CPU time (user and system, ns) of PID and its descendants
# (each task's schedstat), and of the children they reaped (cutime and
# cstime, in clock ticks: fwknopd's ipset runs)
cpu_ns() {
	local p t v total=0 tck line
	local -a st
	tck=$(getconf CLK_TCK)
	for p in $(proc_tree "$1"); do
		for t in /proc/"$p"/task/*/schedstat; do
			read -r v _ <"$t" 2>/dev/null && total=$((total + v))
		done
		read -r line 2>/dev/null <"/proc/$p/stat" || continue
		read -r -a st <<<"${line##*) }"	# st[0] is field 3 (state)
		total=$((total + (st[13] + st[14]) * 1000000000 / tck))
	done
	echo "$total"
}

# rss_sum PID: RSS_KB = VmRSS in kB of PID and its descendants, summed;
# PSS_KB = their proportional set size summed (a page shared by n of them,
# or with other processes, counts 1/n: library pages mapped by two
# processes are counted once, which VmRSS summed does not);
# RSS_DETAIL = " pid:comm:kB(RssAnon RssFile RssShmem)" for each (logged,
# not in the table), RSS_NPROC = how many.
rss_sum() {
	local p kb pss total=0 pss_total=0
	RSS_DETAIL='' RSS_NPROC=0
	for p in $(proc_tree "$1"); do
		kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
		[ -n "$kb" ] || continue
		pss=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null)
		total=$((total + kb))
		pss_total=$((pss_total + ${pss:-0}))
		RSS_NPROC=$((RSS_NPROC + 1))
		RSS_DETAIL="$RSS_DETAIL $p:$(cat "/proc/$p/comm" 2>/dev/null):${kb}kB($(awk \
			'/^Rss(Anon|File|Shmem):/ { sub(/:$/, "", $1); printf "%s%s %s", s, $1, $2; s = " " }' \
			"/proc/$p/status" 2>/dev/null))"
	done
	RSS_KB=$total
	PSS_KB=$pss_total
}

# bench_mem DAEMON: resident memory (all the daemon's processes) idle after
# start, and after n grants (MEM_N; fwknopd MEM_N_FWKNOPD) in MEM_MODE,
# with the access-mem.conf stanza (cycles of MEM_TIMER s: all still open).
# Sent at a paced rate (MEM_RATE; fwknopd MEM_RATE_FWKNOPD), or, with rate
# 0, one at a time, each when the previous one's element is present
# (ipset_wait latency): nothing is dropped however slow the daemon gets as
# its state grows (fwknopd scans its replay digests as a list, so it slows
# down with every grant it keeps: at a fixed 600/s it took 45,652 of
# 100,000 and the kernel dropped the rest).
bench_mem() {
	local d=$1 mode=$MEM_MODE dir=$WORK/run/r${round:-1}/$1-$MEM_MODE-mem n=$MEM_N rate=$MEM_RATE
	local drops0 count ms pidf wpid t0 t1
	if [ "$d" = fwknopd ]; then n=$MEM_N_FWKNOPD rate=$MEM_RATE_FWKNOPD; fi
	mkdir -p "$dir"
	note "$d, $mode: resident memory idle, then after $n grants" \
		"$([ "$rate" = 0 ] && echo "sent one at a time, each when the previous is present" || echo "sent at $rate/s")"
	reset_set
	ACCESS=$WORK/access-mem.conf
	"start_$d" "$mode" "$dir"
	ACCESS=
	sleep "$MEM_SETTLE"
	rss_sum "$DAEMON_PID"
	R["rss_idle|$d"]=$RSS_KB
	R["pss_idle|$d"]=$PSS_KB
	R["nproc_idle|$d"]=$RSS_NPROC
	note "  idle:$RSS_DETAIL"
	pidf=$(cat "$dir/${d/base/spagated}.pid" 2>/dev/null || true)
	[ "$pidf" = "$DAEMON_PID" ] || note "  pid file says '$pidf', the daemon started is $DAEMON_PID"
	drops0=$(udp_drops)
	t0=$(date +%s.%N)
	if [ "$rate" = 0 ]; then
		head -n "$n" "$WORK/mem-lat.list" |
			in_srv "$WORK/bin/ipset_wait" latency "$SET" "/run/netns/$CLI_NS" \
				"$SRV_IP" "$PORT" 5000 "$POLL_US" >"$dir/lat.out" ||
			die "ipset_wait latency failed ($d, memory)"
		echo "count $(grep -cE '^[0-9]+$' "$dir/lat.out")" >"$dir/wait.out"
		t1=$(date +%s.%N)
		note "  $(grep -c timeout "$dir/lat.out") never showed up (5 s limit); per grant:" \
			"first 1000 $(head -n 1000 "$dir/lat.out" | grep -E '^[0-9]+$' | sort -n |
				percentile 0.5 /dev/stdin) ms p50," \
			"last 1000 $(tail -n 1000 "$dir/lat.out" | grep -E '^[0-9]+$' | sort -n |
				percentile 0.5 /dev/stdin) ms p50"
	else
		ms=$(printf '%.0f' "$(calc "($n / $rate + 60) * 1000")")
		in_srv "$WORK/bin/ipset_wait" count "$SET" "$n" "$ms" 5000 20000 >"$dir/wait.out" &
		wpid=$!
		wait_ready "$dir/wait.out" 100 || true
		head -n "$n" "$WORK/mem.list" |
			in_cli "$WORK/bin/spa_send" "$SRV_IP" "$PORT" "$rate" >"$dir/send.out"
		wait "$wpid" || die "ipset_wait failed"
		t1=$(date +%s.%N)
	fi
	note "  $n packets sent and taken in $(printf '%.1f' "$(calc "$t1 - $t0")") s"
	sleep "$MEM_SETTLE"
	rss_sum "$DAEMON_PID"
	R["rss_after|$d"]=$RSS_KB
	R["pss_after|$d"]=$PSS_KB
	R["nproc_after|$d"]=$RSS_NPROC
	note "  after:$RSS_DETAIL"
	R["mdrops|$d"]=$(($(udp_drops) - drops0))
	stop_daemon
	count=$(field "$dir/wait.out" count)
	R["mgranted|$d"]="$count/$n"
	R["mcount|$d"]=$count
	R["mopens|$d"]=$(opens_logged "$d" "$dir")
	note "  $count/$n elements; RSS ${R["rss_idle|$d"]} kB idle, ${R["rss_after|$d"]} kB after"
}

# bench_replay N: spagated's replay store (bench/replay_bench.c) filled with
# N digests; sets R[replay_hit|spagated], R[replay_miss|spagated] in ns.
# fwknopd keeps its digests in a linked list scanned from the head, so it
# has no comparable figure.
bench_replay() {
	local n=$1 out=$WORK/replay.out
	note "replay store: $n digests (bench/replay_bench.c; about 64 bytes and 0.7 us each)"
	cc -O2 -iquote "$top/common" -iquote "$top/verifier" -I "$top/_build" \
		"$top/bench/replay_bench.c" "$top/common/replay.c" \
		"$top/common/err.c" "$top/common/log.c" \
		-o "$WORK/bin/replay_bench" || { note "  cannot build bench/replay_bench.c: skipped"; return 0; }
	"$WORK/bin/replay_bench" "$n" "$WORK/replay.db" >"$out" 2>&1 ||
		{ tail -n 5 "$out" >&2; note "  replay_bench failed: skipped"; return 0; }
	rm -f "$WORK/replay.db"*
	R["replay_hit|spagated"]=$(sed -n 's/^  hit *\([0-9]*\) ns.*/\1/p' "$out")
	R["replay_miss|spagated"]=$(sed -n 's/^  miss *\([0-9]*\) ns.*/\1/p' "$out")
	sed 's/^/   /' "$out" >&2
}

# --- the table ------------------------------------------------------------------
# ratio A B HIGHER_IS_BETTER: how many times better spagate is.  Against
# BENCH_BASE, two decimals, and "!" when spagate is more than 5% worse.
# Below 0.1, two decimals too (an action 20 times slower than ipset is
# 0.05x, not 0.0x).
ratio() {
	local fmt=%.1fx
	case "$1$2" in *-*|"") echo "-"; return ;; esac
	[ -n "$BASE" ] && fmt=%.2fx
	if [ "$3" = higher ]; then
		awk -v a="$1" -v b="$2" -v f="$fmt" -v m="$BASE" \
			'BEGIN { if (b > 0) printf (a / b < 0.095 ? "%.2fx" : f) "%s\n", a / b, (m != "" && a / b < 0.95) ? "!" : ""; else print "-" }'
	else
		awk -v a="$1" -v b="$2" -v f="$fmt" -v m="$BASE" \
			'BEGIN { if (a > 0) printf (b / a < 0.095 ? "%.2fx" : f) "%s\n", b / a, (m != "" && b / a < 0.95) ? "!" : ""; else print "-" }'
	fi
}

# keep_best: after a round against BENCH_BASE, each daemon's best figure
# per row so far (most grants, least latency and memory) in BEST, and R
# made of them at the end (use_best).
declare -A BEST
keep_best() {
	local k
	for k in "${!R[@]}"; do
		if [ -z "${BEST[$k]:-}" ]; then
			BEST[$k]=${R[$k]}
			continue
		fi
		case $k in
		grants_*|flood_*|"tgrants|"*|"thold|"*|fx_*|gx_*)
			awk -v a="${R[$k]%%/*}" -v b="${BEST[$k]%%/*}" 'BEGIN { exit !(a > b) }' &&
				BEST[$k]=${R[$k]} ;;
		p50_*|p99_*|max_*|rss_*|pss_*)
			awk -v a="${R[$k]}" -v b="${BEST[$k]}" 'BEGIN { exit !(a < b) }' &&
				BEST[$k]=${R[$k]} ;;
		*) BEST[$k]=${R[$k]} ;;
		esac
	done
}
use_best() {
	local k
	for k in "${!BEST[@]}"; do R[$k]=${BEST[$k]}; done
}

mib() { case $1 in ''|*[!0-9]*) echo "-" ;; *) awk -v k="$1" 'BEGIN { printf "%.1f\n", k / 1024 }' ;; esac; }
mem_rate() { if [ "$1" = 0 ]; then echo "one at a time, each once the previous was present"; else echo "$1/s"; fi; }
# per_grant DAEMON: (RSS after - RSS idle) / elements present, in bytes.
per_grant() {
	awk -v a="${R["rss_after|$1"]:-0}" -v i="${R["rss_idle|$1"]:-0}" -v n="${R["mcount|$1"]:-0}" \
		'BEGIN { if (n > 0) printf "%.0f\n", (a - i) * 1024 / n; else print "-" }'
}

WORSE=0	# rows marked "!" (more than 5% worse than BENCH_BASE)
# row METRIC SPAGATE OTHER RATIO [VS_IPSET]: the last column only when
# spagated runs more than ipset (EXTRA); rows of those other actions
# stand under ipset's, fwknopd's column stays its ipset run
row() {
	if [ -n "$EXTRA" ]; then
		printf '| %-48s | %13s | %13s | %7s | %8s |\n' "$1" "$2" "$3" "$4" "${5-}"
	else
		printf '| %-42s | %12s | %12s | %7s |\n' "$1" "$2" "$3" "$4"
	fi
	case $4 in *!) WORSE=$((WORSE + 1)) ;; esac
}
# label METRIC A: the metric, and which action's row when there are more
# than ipset's (A: spagated, the ipset run, or an action of EXTRA)
label() {
	if [ -z "$EXTRA" ]; then
		echo "$1"
	elif [ "$2" = spagated ]; then
		echo "$1, ipset"
	else
		echo "$1, $2"
	fi
}
# all KEY A: A made every element it was sent (R[KEY|A] is "N/N")
all() { [ "${R["$1|$2"]:-}" = "$N/$N" ]; }
# clean KEY A: R[KEY|A] says nothing went amiss (every element, every
# open, no drop, every latency sample)
clean() {
	local v=${R["$1|$2"]:--}
	case $1 in
	granted_*) [ "$v" = "$N/$N" ] ;;
	opens_*) [ "$v" = "$N" ] ;;
	kdrops_*|drops_*) [ "$v" = 0 ] ;;
	latn_*) [ "${v%%/*}" = "${v#*/}" ] ;;
	*) return 1 ;;
	esac
}
# arow METRIC KEY: a row of R[KEY|A] per action A, no ratios; the other
# daemon's figure beside the ipset row only.  The actions after ipset get
# a row only where it says something went amiss (the footnote says so):
# four actions' rows of "500/500" would bury the figures.
arow() {
	local a
	for a in spagated $EXTRA; do
		[ "$a" != spagated ] && clean "$2" "$a" && continue
		row "$(label "$1" "$a")" "${R["$2|$a"]:--}" \
			"$([ "$a" = spagated ] && echo "${R["$2|$OTHER"]:--}")" ""
	done
}
# mrow METRIC KEY HIGHER|LOWER [GRANTED_KEY]: a row of R[KEY|A] per
# action A, each against the other daemon's (ipset) figure and against
# spagated's ipset one; with GRANTED_KEY a ratio of unequal work is starred
mrow() {
	local a v f=${R["$2|$OTHER"]:--} s=${R["$2|spagated"]:--} r ri
	for a in spagated $EXTRA; do
		v=${R["$2|$a"]:--} ri=
		r=$(ratio "$v" "$f" "$3")
		[ -z "${4:-}" ] || { all "$4" "$a" && all "$4" "$OTHER"; } || { r="$r*"; star=1; }
		if [ "$a" != spagated ]; then
			ri=$(ratio "$v" "$s" "$3")
			[ -z "${4:-}" ] || { all "$4" "$a" && all "$4" spagated; } || { ri="$ri*"; star=1; }
		fi
		row "$(label "$1" "$a")" "$v" "$f" "$r" "$ri"
	done
}

# tcp_rows: the TCP workloads' rows (issue 19 item 5)
tcp_rows() {
	local s f r
	case " $TCP_ROWS " in *" grants "*)
		s=${R["tgrants|spagated"]:--}; f=${R["tgrants|$OTHER"]:--}
		r=$(ratio "$s" "$f" higher)
		# fewer than N elements: a rate of unequal work, starred as mrow does
		[ "${R["tgranted|spagated"]:-}" = "$N/$N" ] && [ "${R["tgranted|$OTHER"]:-}" = "$N/$N" ] ||
			{ r="$r*"; star=1; }
		row "grants/s (tcp, a connection a packet)" "$s" "$f" "$r"
		row "  elements / packets sent" "${R["tgranted|spagated"]:--}" "${R["tgranted|$OTHER"]:--}" ""
		row "  connections that wrote their packet" "${R["tsent|spagated"]:--}" "${R["tsent|$OTHER"]:--}" ""
	esac
	case " $TCP_ROWS " in *" hold "*)
		s=${R["thold|spagated"]:--}; f=${R["thold|$OTHER"]:--}
		row "legit granted over tcp, $TCP_HOLD_N held" "$s" "$f" "$(ratio "${s%%/*}" "${f%%/*}" higher)"
		row "  held connections established" "${R["thold_est|spagated"]:--}" "${R["thold_est|$OTHER"]:--}" ""
		row "  held connections open after" "${R["thold_open|spagated"]:--}" "${R["thold_open|$OTHER"]:--}" ""
		row "  legit connections that wrote" "${R["thold_sent|spagated"]:--}" "${R["thold_sent|$OTHER"]:--}" ""
	esac
}

# pct_of A B: A as a percentage of B
pct_of() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b > 0) printf "%.1f%%\n", 100 * a / b; else print "-" }'; }

# per_cpu_pct RATE CPU% CEILING: RATE / (CPU% of a core) as a percentage
# of CEILING (one core's HMACs / S): what the daemon made of the CPU it got
per_cpu_pct() {
	awk -v a="$1" -v u="${2%\%}" -v b="$3" 'BEGIN {
		if (a ~ /^[0-9.]+$/ && u > 0 && b > 0) printf "%.1f%%\n", 100 * a / (u / 100) / b; else print "-" }'
}

# forged_rows: the forged-packet workloads' rows (issue 20 item 3)
forged_rows() {
	local n s f c t=_forged
	for n in $FORGED_STANZAS; do
		s=${R["fx_$n|spagated"]:--}; f=${R["fx_$n|$OTHER"]:--}
		c=$(awk -v h="$HMAC_PER_S" -v n="$n" 'BEGIN { printf "%.0f\n", h / n }')
		row "forged examined/s ($n stanza$([ "$n" = 1 ] || echo s))" "$s" "$f" "$(ratio "$s" "$f" higher)"
		row "  ceiling: openssl HMACs/s / $n" "$c" "$c" ""
		row "  achieved / ceiling" "$(pct_of "$s" "$c")" "$(pct_of "$f" "$c")" ""
		row "  daemon CPU, share of one core" "${R["fxcpu_$n|spagated"]:--}" "${R["fxcpu_$n|$OTHER"]:--}" ""
		row "  achieved / ceiling, per CPU second" "$(per_cpu_pct "$s" "${R["fxcpu_$n|spagated"]:-}" "$c")" \
			"$(per_cpu_pct "$f" "${R["fxcpu_$n|$OTHER"]:-}" "$c")" ""
		if [ -n "${R["fxproc_$n|spagated"]:-}" ]; then
			row "  policy_bench: one process, packets/s" "${R["fxproc_$n|spagated"]}" "n/a" ""
			row "  policy_bench / ceiling" "$(pct_of "${R["fxproc_$n|spagated"]}" "$c")" "n/a" ""
		fi
		row "  forgeries/s sent (sender)" "${R["fxsent_$n|spagated"]:--}" "${R["fxsent_$n|$OTHER"]:--}" ""
		row "  UDP receive-buffer drops" "${R["fxdrops_$n|spagated"]:--}" "${R["fxdrops_$n|$OTHER"]:--}" ""
	done
	[ -n "$FORGED_FLOOD_STANZAS" ] || return 0
	s=${R["flood_udp$t|spagated"]:--}; f=${R["flood_udp$t|$OTHER"]:--}
	row "legit granted, forgeries ($FORGED_FLOOD_STANZAS stanzas)" "$s" "$f" "$(ratio "${s%%/*}" "${f%%/*}" higher)"
	row "  forgeries/s achieved (sender)" "${R["frate_udp$t|spagated"]:--}" "${R["frate_udp$t|$OTHER"]:--}" ""
	row "  datagrams the daemon examined" "${R["fseen_udp$t|spagated"]:--}" "${R["fseen_udp$t|$OTHER"]:--}" ""
	row "  UDP receive-buffer drops" "${R["fdrops_udp$t|spagated"]:--}" "${R["fdrops_udp$t|$OTHER"]:--}" ""
}

print_table() {
	local mode s f star=
	echo
	local versus lat_other=$LAT_N_FWKNOPD
	if [ -n "$BASE" ]; then
		versus="base $BASE" lat_other=$LAT_N
	else
		versus="fwknopd $(fwknopd -V 2>&1 | grep -o '[0-9][0-9.]*' | head -n1)"
	fi
	echo "spagate $(cd "$top" && git describe --always --dirty 2>/dev/null || echo '?') ($SPAGATED) vs $versus," \
		"$(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), kernel $(uname -r)"
	echo "N=$N, send rate ${RATE/#0/max}, latency samples $LAT_N (spagated) / $lat_other ($OTHER);" \
		"ratio = how many times better spagate is$([ "$ROUNDS" -gt 1 ] && echo "; best of $ROUNDS rounds each")"
	echo
	if [ -n "$EXTRA" ]; then
		row metric spagate "$OTHER ipset" ratio "vs ipset"
		row "------------------------------------------------" ------------- ------------- ------- --------
	else
		row metric spagate "$OTHER" ratio
		row "------------------------------------------" ------------ ------------ -------
	fi
	# each mode's figures first, one row per action, then what qualifies them
	for mode in $MODES; do
		mrow "grants/s ($mode)" "grants_$mode" higher "granted_$mode"
		mrow "CPU us per grant ($mode)" "cpu_$mode" lower "granted_$mode"
		for p in p50 p99 max; do
			mrow "latency $p ms ($mode)" "${p}_$mode" lower
		done
		arow "  grants: elements / packets sent" "granted_$mode"
		arow "  grants: cycle opens logged" "opens_$mode"
		[ "$mode" = pcap ] && arow "  grants: dropped before capture" "kdrops_$mode"
		[ "$mode" = udp ] && arow "  grants: UDP receive-buffer drops" "drops_$mode"
		arow "  latency samples" "latn_$mode"
	done
	for mode in $FLOOD_MODES; do
		s=${R["flood_$mode|spagated"]}; f=${R["flood_$mode|$OTHER"]}
		row "legit granted under flood ($mode)" "$s" "$f" "$(ratio "${s%%/*}" "${f%%/*}" higher)"
		row "  flood datagrams/s achieved (sender)" "${R["frate_$mode|spagated"]}" "${R["frate_$mode|$OTHER"]}" ""
		row "  datagrams the server veth received" "${R["frx_$mode|spagated"]}" "${R["frx_$mode|$OTHER"]}" ""
		row "  datagrams the daemon examined" "${R["fseen_$mode|spagated"]}" "${R["fseen_$mode|$OTHER"]}" ""
		[ "$mode" = udp ] &&
			row "  UDP receive-buffer drops" "${R["fdrops_$mode|spagated"]}" "${R["fdrops_$mode|$OTHER"]}" ""
	done
	tcp_rows
	forged_rows
	workers_rows
	for b in $BURSTS; do
		for w in $BURST_MODES; do
			s=${R["burst_${b}_$w|spagated"]:--}; f=${R["burst_${b}_$w|$OTHER"]:--}
			row "burst of $b ($w): elements / sent" "$s" "$f" "$(ratio "${s%%/*}" "${f%%/*}" higher)"
			s=${R["brate_${b}_$w|spagated"]:--}; f=${R["brate_${b}_$w|$OTHER"]:--}
			row "  grants/s" "$s" "$f" "$(ratio "$s" "$f" higher)"
			row "  $([ "$w" = udp ] && echo "UDP receive-buffer drops" || echo "dropped before capture")" \
				"${R["bdrop_${b}_$w|spagated"]:--}" "${R["bdrop_${b}_$w|$OTHER"]:--}" ""
		done
	done
	if [ "$GPG_N" -gt 0 ]; then
		s=${R["gpg_rate|spagated"]:--}; f=${R["gpg_rate|$OTHER"]:--}
		row "grants/s, GnuPG packets (udp)" "$s" "$f" "$(ratio "$s" "$f" higher)"
		row "  elements / packets sent" "${R["gpg_granted|spagated"]:--}" "${R["gpg_granted|$OTHER"]:--}" ""
	fi
	gpg_forged_rows
	if [ -n "${R["rss_idle|spagated"]:-}" ]; then
		local lab="$MEM_N grants" si fw_i sa fw_a
		local mem_other=$MEM_N_FWKNOPD
		[ -n "$BASE" ] && mem_other=$MEM_N
		[ "$mem_other" = "$MEM_N" ] || lab="$lab (fwknopd $MEM_N_FWKNOPD)"
		si=$(mib "${R["rss_idle|spagated"]:--}"); fw_i=$(mib "${R["rss_idle|$OTHER"]:--}")
		sa=$(mib "${R["rss_after|spagated"]:--}"); fw_a=$(mib "${R["rss_after|$OTHER"]:--}")
		row "RSS MiB, idle after start ($MEM_MODE)" "$si" "$fw_i" "$(ratio "$si" "$fw_i" lower)"
		# unequal counts: no ratio of the totals (bytes per grant compare)
		row "RSS MiB, after $lab" "$sa" "$fw_a" \
			"$([ "$mem_other" = "$MEM_N" ] && ratio "$sa" "$fw_a" lower || echo -)"
		si=$(mib "${R["pss_idle|spagated"]:--}"); fw_i=$(mib "${R["pss_idle|$OTHER"]:--}")
		sa=$(mib "${R["pss_after|spagated"]:--}"); fw_a=$(mib "${R["pss_after|$OTHER"]:--}")
		row "PSS MiB, idle after start ($MEM_MODE)" "$si" "$fw_i" "$(ratio "$si" "$fw_i" lower)"
		row "PSS MiB, after $lab" "$sa" "$fw_a" \
			"$([ "$mem_other" = "$MEM_N" ] && ratio "$sa" "$fw_a" lower || echo -)"
		row "  bytes per grant held" "$(per_grant spagated)" "$(per_grant "$OTHER")" ""
		row "  elements present / packets sent" "${R["mgranted|spagated"]:--}" "${R["mgranted|$OTHER"]:--}" ""
		row "  processes summed (idle / after)" "${R["nproc_idle|spagated"]:--} / ${R["nproc_after|spagated"]:--}" \
			"${R["nproc_idle|$OTHER"]:--} / ${R["nproc_after|$OTHER"]:--}" ""
		[ "$MEM_MODE" = udp ] &&
			row "  UDP receive-buffer drops" "${R["mdrops|spagated"]:--}" "${R["mdrops|$OTHER"]:--}" ""
	fi
	if [ -n "${R["replay_hit|spagated"]:-}" ]; then
		row "replay lookup ns, hit ($REPLAY_N stored)" "${R["replay_hit|spagated"]}" "n/a" ""
		row "replay lookup ns, miss ($REPLAY_N stored)" "${R["replay_miss|spagated"]}" "n/a" ""
	fi
	echo
	[ -n "$star" ] && echo "* not all N elements appeared for one daemon: its rate counts the elements it did add" \
		"(first packet sent to last new element), so the ratio compares unequal work."
	[ -n "$FLOOD_MODES" ] && echo "flood: $FLOOD_N legit packets, one every $FLOOD_GAP_MS ms, from $CLI_IP;" \
		"invalid datagrams asked for at $FLOOD_RATE/s from $FLOOD_IP," \
		"$FLOOD_LEAD s before the first legit packet to $FLOOD_TAIL s after the last;" \
		"granted = elements present up to $FLOOD_DRAIN s after the flood"
	case " $TCP_ROWS " in *" grants "*)
		echo "tcp grants: the $N grant packets, one TCP connection each (connect, write, close;" \
			"$TCP_INFLIGHT in flight, $TCP_SECS s at most), pcap mode;" \
			"spagate with capture.tcp_rate = 0 (its default, 10 a second from one address, would refuse" \
			"the rest)${TCP_CONF:+ and $TCP_CONF}$([ "$OTHER" = fwknopd ] &&
				echo "; fwknopd's ENABLE_TCP_SERVER (accepts one a second), packets through pcap")" ;;
	esac
	case " $TCP_ROWS " in *" hold "*)
		echo "tcp hold: $TCP_HOLD_N idle connections opened at once from $FLOOD_IP and held; then" \
			"$FLOOD_N legit packets over TCP from ${TCP_LEGIT_IPS//,/, } in turn, one every $FLOOD_GAP_MS ms;" \
			"spagate with its TCP defaults (tcp_connections 64, tcp_rate 10, tcp_timeout_ms 2000);" \
			"established: the holder's connects answered before the legit packets;" \
			"open after: still open when the last legit one was granted or given up" ;;
	esac
	[ -n "$FORGED_STANZAS" ] && echo "forged: UDP mode, S SOURCE ANY stanzas each with its own keys," \
		"well-formed forgeries matching none (S HMACs each), flood asking $FORGED_RATE/s;" \
		"examined over $FORGED_SECS s after $FORGED_WARMUP s; ceiling: openssl speed HMAC-SHA256 of" \
		"$HMAC_BYTES bytes, $HMAC_PER_S/s on one core, / S"
	[ -n "$FORGED_FLOOD_STANZAS" ] && echo "legit under forgeries: $FORGED_FLOOD_STANZAS stanzas (the legit" \
		"key's last), $FLOOD_N legit packets one every $FLOOD_GAP_MS ms, forgeries asked for at" \
		"$FORGED_FLOOD_RATE/s for both daemons ($(forged_flood_rate_source))"
	[ -n "$WORKERS" ] && echo "workers: spagate alone with capture.workers = ${WORKERS// /, then };" \
		"the grants packets (each mode) and the forgeries ($WORKER_FORGED_STANZAS stanza(s)) sent on" \
		"$WORKER_FLOWS flows, which the kernel deals among the workers (pcap: PACKET_FANOUT_HASH," \
		"UDP: SO_REUSEPORT); $(nproc) CPUs shared with the executor, the kernel and the sender"
	[ -n "$GPG_FORGED" ] && echo "GnuPG forged: UDP mode, make_gpg's stanza (RSA 2048 server key," \
		"signature required), with its HMAC key for the HMAC rows, without for the others;" \
		"random text fresh for each datagram (spa_flood, asking $FORGED_RATE/s); crafted: one" \
		"bench/gpg_forge.py packet sent again and again (asking $GPG_FORGED_RATE/s), whose" \
		"$GPG_FORGED_KEYS session keys name the server key (spagated refuses more than 4 before any" \
		"is tried); examined over $GPG_FORGED_SECS s after $GPG_FORGED_WARMUP s; CPU: the daemon's" \
		"processes and the children they reaped (not fwknopd's gpg-agent, which is no child)"
	[ -n "${R["rss_idle|spagated"]:-}" ] && echo "memory: $MEM_MODE mode, VmRSS and PSS summed over the daemon's processes;" \
		"grants sent at $(mem_rate "$MEM_RATE") (spagated), $(mem_rate "$MEM_RATE_FWKNOPD") (fwknopd);" \
		"cycles of $MEM_TIMER s, all still open"
	[ -n "$EXTRA" ] && echo "rows per action: ipset = the stanza's ipset lines, which $OTHER runs too;" \
		"$OTHER's column is its ipset run in every row, ratio = against it;" \
		"vs ipset = against spagate's ipset row; the indented rows of ${EXTRA// /, } only where" \
		"one falls short (elements or opens below N, drops, latency samples missing)"
	has_act nft && echo "nft: the same stanza as nft element lines" \
		"(nft add element inet $NFT_TABLE $SET { \$SRC . \$PROTO . \$PORT timeout ${ELEM_TIMEOUT}s }," \
		"delete at the close) through spagate's nft module (libnftables)"
	has_act firewall && echo "firewall: the stanza without its CMD_CYCLE_* lines (an fwknopd stanza)," \
		"spagate's built-in firewall, backend \"nftables\": an element of set allow4 in table inet spagate," \
		"kernel timeout ${ELEM_TIMEOUT} s (FW_ACCESS_TIMEOUT)"
	has_act firewall-ipt && echo "firewall-ipt: the stanza without its CMD_CYCLE_* lines, the built-in firewall," \
		"backend \"iptables\": a rule in chain SPAGATE_INPUT" \
		"(iptables-nft, one iptables-restore --noflush run a loop pass), removed by spagate's close"
	[ -n "$BASE" ] && echo "rows more than 5% worse than base (marked !): $WORSE"
	echo "packets made by the fwknop client: $((N + LAT_N + FLOOD_N + M_N)) in $(printf '%.1f' "$GEN_SECONDS") s (not timed above)"
}
