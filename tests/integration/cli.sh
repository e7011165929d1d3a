#!/bin/bash
# The command line and start-up refusals of fwknopd's test suite
# (fwknopd-behaviour.md §7.2 items 1-19), as spagated has them: options
# that cannot go together, fwknopd-only options, bad -C counts, missing or
# unusable -c/-a/--access-folder/-d paths, spagated.conf values out of
# range, a sudo_exe that is not there, a damaged replay store, a bad BPF
# filter or interface; then -C 1 ending the daemon after one junk
# datagram (counted), a -P filter hiding another port, SIGUSR2 and
# SIGTSTP not ending it, -S/-R/-K with and without a daemon, SIGINT, and
# an interface going down and away under the capture; spagate's help and
# usage for every subcommand, both programs' bash completion, installed.
# Each refusal must
# exit non-zero and say why; nothing may hang.  Every spagated runs in a
# network namespace of the test's own: its loopback carries the UDP ports
# 42130-42139 (never the machine's), and one namespace pair (subnet 130)
# the interface that goes down.
. "$(dirname "$0")/lib.sh"
require_root
LO_NS=spa$$lo
on_exit "ip netns del $LO_NS"
ip netns add "$LO_NS" && ip -n "$LO_NS" link set lo up ||
	skip_all "cannot create a network namespace"
in_lo() { ip netns exec "$LO_NS" "$@"; }

KEY64=AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=
HMAC64=ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoOEhYaHiImKi4yNjo+QkZKTlJWWl5iZmpucnZ6foKGiow==
printf 'SOURCE ANY\nKEY_BASE64 %s\nHMAC_KEY_BASE64 %s\nCMD_CYCLE_OPEN /bin/true\nCMD_CYCLE_CLOSE NONE\n' \
	"$KEY64" "$HMAC64" > "$WORK/access.conf"
chmod 600 "$WORK/access.conf"
printf 'log = { refusals_per_second = 0; };\n' > "$WORK/spagated.conf"

# spa NAME [options]: one short run of spagated in the foreground, its
# status in $rc, its stdout and stderr in $WORK/NAME.out; a run over 10 s
# is a failure.
spa() {
	local name=$1; shift
	in_lo timeout 10 "$SPAGATED" -f "$@" >"$WORK/$name.out" 2>&1
	rc=$?
}
# refused NAME STATUS PATTERN DESCRIPTION [options]: exit STATUS, and the
# output matches PATTERN (grep -E).
refused() {
	local name=$1 want=$2 pattern=$3 what=$4
	shift 4
	spa "$name" "$@"
	if [ "$rc" -eq "$want" ] && grep -Eq -- "$pattern" "$WORK/$name.out"; then
		ok "$what"
	else
		not_ok "$what"; diag "exit $rc (want $want)" "$(tail -n 3 "$WORK/$name.out")"
	fi
}
# conf_refused NAME PATTERN DESCRIPTION TEXT: a spagated.conf holding TEXT
# is refused by --exit-parse-config with status 1.
conf_refused() {
	printf '%s\n' "$4" > "$WORK/$1.conf"
	refused "$1" 1 "$2" "$3" -c "$WORK/$1.conf" -a "$WORK/access.conf" --exit-parse-config
}
parse_ok() { # parse_ok NAME [options]: --exit-parse-config accepts
	spa "$1" -a "$WORK/access.conf" -d "$WORK/st-parse" --exit-parse-config "${@:2}"
	[ "$rc" -eq 0 ] && grep -q 'configuration OK: 1 stanza' "$WORK/$1.out"
}

# A daemon in the test's namespace (loopback only), log in $WORK/NAME.log.
# Not through in_lo: $! must be spagated itself.
start_bg() {
	local name=$1; shift
	touch "$WORK/$name.log"
	# shellcheck disable=SC2086 # the wrapper is words
	ip netns exec "$LO_NS" $SPAGATED_WRAPPER "$SPAGATED" -f -t "$@" >"$WORK/$name.events" 2>"$WORK/$name.log" &
	BG_PID=$!
	SPAGATED_PIDS="$SPAGATED_PIDS $BG_PID"
	on_exit "kill $BG_PID; wait $BG_PID"
	wait_for "$WORK/$name.log" "verifier ready" 15
}
# exits_within PID SECONDS: the process ends in time; its status in $rc.
exits_within() {
	local i
	for i in $(seq $(( $2 * 20 * SPA_WAIT_SCALE ))); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$1" 2>/dev/null; then rc=999; return 1; fi
	wait "$1"; rc=$?
	return 0
}
udp() { in_lo bash -c 'printf %s "$2" > "/dev/udp/127.0.0.1/$1"' _ "$1" "$2"; }
AAA120=$(printf 'A%.0s' $(seq 120))

plan 59

# --- command line (items 2, 7, 10, 16, 18) ------------------------------
refused kr 2 'mutually exclusive' "-K with -R is refused (exit 2)" -K -R
refused dr 2 'mutually exclusive' "-D with -R is refused (exit 2)" -D -R
refused sk 2 'mutually exclusive' "-S with --exit-parse-config is refused (exit 2)" -S --exit-parse-config
bad_opts=0
for o in "-O $WORK/x.conf" "-l C" "--gpg-exe /usr/bin/gpg" "--sudo-exe /usr/bin/sudo" "-X" "--locale C"; do
	# shellcheck disable=SC2086 # an option and its value
	spa fwknopd-only $o
	[ "$rc" -eq 2 ] && grep -q '^usage: spagated' "$WORK/fwknopd-only.out" || { bad_opts=1; diag "$o: exit $rc"; }
done
check "fwknopd-only options (-O, -l, --gpg-exe, --sudo-exe, -X, --locale): usage, exit 2" test $bad_opts -eq 0
refused extra 2 'unexpected argument "extra"' "a stray argument is refused (exit 2)" -a "$WORK/access.conf" extra
"$SPAGATED_BIN" --help > "$WORK/help.out"; rc=$?
check "spagated --help: -d is the state directory, its replay store and journal" \
	eval '[ $rc -eq 0 ] && grep -A1 -- "--state-dir D *state directory: the replay store and the journal" "$WORK/help.out" | grep -q "of open cycles"'

# --- spagate's command line (issue 18, item 8) -----------------------------
SPAGATE=$top_builddir/spagate
"$SPAGATE" help > "$WORK/tool-help.out"; rc=$?
cmds=$(awk '$1 == "spagate" && $2 !~ /^-/ { print $2 }' "$WORK/tool-help.out")
"$SPAGATE" --help > "$WORK/tool-help2.out" && "$SPAGATE" -h > "$WORK/tool-help3.out" || rc=$?
missing=
for c in keygen check status list close help; do
	echo "$cmds" | grep -qx "$c" || missing="$missing $c"
done
check "spagate help, --help and -h: every subcommand's usage on stdout, exit 0" \
	eval '[ $rc -eq 0 -a -z "$missing" ] && cmp -s "$WORK/tool-help.out" "$WORK/tool-help2.out" && cmp -s "$WORK/tool-help.out" "$WORK/tool-help3.out"'
bad_help=0 bad_usage=0
for c in $cmds; do
	for h in "$c --help" "$c -h" "help $c"; do
		# shellcheck disable=SC2086 # a subcommand and its option
		"$SPAGATE" $h > "$WORK/h.out" 2>&1 && [ "$(head -1 "$WORK/h.out" | cut -d' ' -f1-3)" = "usage: spagate $c" ] ||
			{ bad_help=1; diag "spagate $h: exit $?: $(head -1 "$WORK/h.out")"; }
	done
	"$SPAGATE" "$c" --no-such-option > /dev/null 2> "$WORK/u.out"; rc=$?
	[ $rc -eq 2 ] && grep -q "^usage: spagate $c" "$WORK/u.out" ||
		{ bad_usage=1; diag "spagate $c --no-such-option: exit $rc: $(cat "$WORK/u.out")"; }
done
check "spagate CMD --help, CMD -h, help CMD: CMD's usage on stdout, exit 0, for every subcommand" test $bad_help -eq 0
check "spagate CMD --no-such-option: exit 2 with CMD's usage line, for every subcommand" test $bad_usage -eq 0
# completion FILE WORDS...: what bash, with completion/FILE loaded,
# completes for the last word (the function is _FILE)
completion() {
	bash -c 'source "$1" || exit 1; f=_${1##*/}; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); "$f"; echo "${COMPREPLY[*]}"' _ \
		"$top_srcdir/completion/$1" "${@:2}"
}
check "bash completion for spagate: the file loads and completes every subcommand" \
	eval '[ "$(completion spagate "$SPAGATE" "")" = "$(echo $cmds --version --help)" ] && [ "$(completion spagate "$SPAGATE" st)" = status ]'
check "bash completion for spagated: the file loads and completes its options" \
	eval '[ "$(completion spagated "$SPAGATED_BIN" --state)" = --state-dir ] && [ "$(completion spagate "$SPAGATE" keygen --qr-)" = "--qr-fwknoprc --qr-png" ]'
make -s -C "$top_builddir" install-dist_bashcompletionDATA DESTDIR="$WORK/inst" >/dev/null 2>&1
check "make install puts both completion files in bash-completion's completions directory" \
	eval '[ "$(find "$WORK/inst" -path "*/bash-completion/completions/*" -type f -printf "%f " 2>/dev/null)" != "" ] && cmp -s "$(find "$WORK/inst" -path "*/bash-completion/completions/spagate")" "$top_srcdir/completion/spagate" && cmp -s "$(find "$WORK/inst" -path "*/bash-completion/completions/spagated")" "$top_srcdir/completion/spagated"'
bad_counts=0
for n in 0 -1 abc 1x '' 99999999999999999999999; do
	spa count -C "$n" -a "$WORK/access.conf" --exit-parse-config
	[ "$rc" -eq 2 ] && grep -q -- "-C needs a positive number, not \"$n\"" "$WORK/count.out" || { bad_counts=1; diag "-C '$n': exit $rc"; }
done
check "-C 0, -1, abc, 1x, empty and 2^76 are refused (exit 2)" test $bad_counts -eq 0

# --- -c and -a (item 8) --------------------------------------------------
refused c-missing 1 "$WORK/none.conf: No such file" "-c naming a missing file: exit 1, file named" \
	-c "$WORK/none.conf" -a "$WORK/access.conf" --exit-parse-config
mkdir -p "$WORK/adir"
refused c-dir 1 "adir is not a regular file" "-c naming a directory: exit 1, not a regular file" \
	-c "$WORK/adir" -a "$WORK/access.conf" --exit-parse-config
mkfifo "$WORK/fifo"
refused c-fifo 1 "fifo is not a regular file" "-c naming a FIFO: exit 1 at once (no hang)" \
	-c "$WORK/fifo" -a "$WORK/access.conf" --exit-parse-config
cp "$WORK/spagated.conf" "$WORK/loose.conf"; chmod 664 "$WORK/loose.conf"
refused c-loose 1 "loose.conf must not be writable by group or others" "-c naming a group-writable file: exit 1" \
	-c "$WORK/loose.conf" -a "$WORK/access.conf" --exit-parse-config
spa c-null -c /dev/null -a "$WORK/access.conf" -d "$WORK/st-null" -D
check "-c /dev/null reads as an empty file: every default" \
	eval '[ $rc -eq 0 ] && grep -q "^# spagated.conf: /dev/null" "$WORK/c-null.out" && grep -q "^max_packet_age = 120;" "$WORK/c-null.out"'
refused a-missing 1 "cannot open $WORK/none.conf: No such file" "-a naming a missing file: exit 1, file named" \
	-c "$WORK/spagated.conf" -a "$WORK/none.conf" --exit-parse-config
refused a-null 1 "/dev/null is not a regular file" "-a /dev/null: exit 1, not a regular file" \
	-c "$WORK/spagated.conf" -a /dev/null --exit-parse-config
refused a-dir 1 "adir is not a regular file" "-a naming a directory: exit 1" \
	-c "$WORK/spagated.conf" -a "$WORK/adir" --exit-parse-config

# --- --access-folder (item 36) -------------------------------------------
refused f-missing 1 "cannot open folder $WORK/nodir: No such file" "--access-folder missing: exit 1" \
	-c "$WORK/spagated.conf" --access-folder "$WORK/nodir" --exit-parse-config
refused f-null 1 "folder /dev/null is not a directory" "--access-folder /dev/null: exit 1" \
	-c "$WORK/spagated.conf" --access-folder /dev/null --exit-parse-config
refused f-empty 1 "cannot open folder : No such file" "--access-folder '': exit 1" \
	-c "$WORK/spagated.conf" --access-folder '' --exit-parse-config
# (the reason is cut off: the message holds 512 bytes)
refused f-long 1 "error: cannot open folder /a{400}" "--access-folder of 1030 characters: exit 1" \
	-c "$WORK/spagated.conf" --access-folder "/$(printf 'a%.0s' $(seq 1029))" --exit-parse-config
mkdir -p "$WORK/noconf"; touch "$WORK/noconf/readme.txt"
refused f-noconf 1 "noconf: no stanza found" "--access-folder without a .conf file: exit 1, no stanza" \
	-c "$WORK/spagated.conf" --access-folder "$WORK/noconf" --exit-parse-config

# --- spagated.conf values (items 3, 4, 5, 15, 16) -----------------------
conf_refused udp-port 'udp-port.conf:1: capture.udp_port must be in 1..65535, not 70000' \
	"capture.udp_port 70000 (UDPSERV_PORT): exit 1, file:line" 'capture = { udp_port = 70000; };'
conf_refused http-port 'http-port.conf:1: capture.http_port must be in 0..65535, not 65536' \
	"capture.http_port 65536 (TCPSERV_PORT): exit 1, file:line" 'capture = { http = true; http_port = 65536; };'
conf_refused verbose 'verbose.conf:2: log.verbose must be in 0..3, not -1' \
	"log.verbose -1 (VERBOSE -1): exit 1, file:line" $'# line 1\nlog = { verbose = -1; };'
conf_refused timeout 'timeout.conf:1: executor.command_timeout must be in 1..3600, not 0' \
	"executor.command_timeout 0: exit 1" 'executor = { command_timeout = 0; };'
conf_refused pcap-names "pcap-names.conf:1: unknown setting 'PCAP_DISPATCH_COUNT'" \
	"fwknopd.conf names (PCAP_DISPATCH_COUNT) are unknown settings" 'PCAP_DISPATCH_COUNT = 100;'
conf_refused locale "locale.conf:1: unknown setting 'LOCALE'" "LOCALE is an unknown setting" 'LOCALE = "C";'
conf_refused no-value 'no-value.conf:1: syntax error' "a setting without a value: exit 1, syntax error" 'pid_file = ;'
conf_refused var 'state_dir "\$RUN_DIR/state" must be an absolute path' \
	"\$VAR is not expanded: a state_dir of \$RUN_DIR/... is refused as relative" 'state_dir = "$RUN_DIR/state";'
conf_refused local8 'local8.conf:1: unknown syslog facility "local8"' \
	"log.syslog_facility local8: exit 1" 'log = { syslog_facility = "local8"; };'
printf 'log = { syslog_facility = "LOCAL7"; };\n' > "$WORK/local7.conf"
check "log.syslog_facility local7 (any case) and daemon are accepted" \
	eval 'parse_ok local7 -c "$WORK/local7.conf" && printf "log = { syslog_facility = \"daemon\"; };\n" > "$WORK/daemon.conf" && parse_ok daemon -c "$WORK/daemon.conf"'

# --- state directory (items 9, 17) ---------------------------------------
refused d-relative 1 'state_dir "state" must be an absolute path' "-d relative: exit 1" \
	-c "$WORK/spagated.conf" -a "$WORK/access.conf" -d state --exit-parse-config
touch "$WORK/afile"
refused d-file 1 "state_dir $WORK/afile is not a directory" "-d naming a file: exit 1 at start" \
	-c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$WORK/afile" -p "$WORK/d.pid" -U -C 1
mkdir -p "$WORK/open"; chmod 777 "$WORK/open"
refused d-open 1 "state_dir $WORK/open must not be writable by group or others" "-d group/world-writable: exit 1 at start" \
	-c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$WORK/open" -p "$WORK/d.pid" -U -C 1
refused d-parent 1 "state_dir \"$WORK/none/state\": $WORK/none: no such directory" "-d under a missing directory: exit 1 at start" \
	-c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$WORK/none/state" -p "$WORK/d.pid" -U -C 1
mkdir -p "$WORK/damaged/verifier"; chmod 700 "$WORK/damaged"
head -c 8192 /dev/urandom > "$WORK/damaged/verifier/replay.db"
chown -R nobody "$WORK/damaged/verifier"; chmod 600 "$WORK/damaged/verifier/replay.db"
printf 'capture = { udp_address = "127.0.0.1"; udp_port = 42139; };\n' > "$WORK/udp9.conf"
refused damaged 1 "replay store $WORK/damaged/verifier/replay.db: state store unusable" \
	"a damaged replay store is refused at start, not replaced (exit 1)" \
	-c "$WORK/udp9.conf" -a "$WORK/access.conf" -d "$WORK/damaged" -p "$WORK/d.pid" -U -C 1
check "... and the damaged file is left as it was" test "$(stat -c %s "$WORK/damaged/verifier/replay.db")" -eq 8192

# --- executor.sudo_exe (item 18) -----------------------------------------
cp "$WORK/access.conf" "$WORK/sudo.conf"
printf 'ENABLE_CMD_EXEC Y\nENABLE_CMD_SUDO_EXEC Y\n' >> "$WORK/sudo.conf"
conf_sudo() { printf 'executor = { sudo_exe = "%s"; };\n' "$1" > "$WORK/sudo-exe.conf"; }
conf_sudo "$WORK/no-sudo"
refused sudo-missing 1 "sudo.conf:1: stanza #1: ENABLE_CMD_SUDO_EXEC: executor.sudo_exe \"$WORK/no-sudo\" is not an executable file" \
	"executor.sudo_exe missing, with a sudo stanza: exit 1, stanza named" \
	-c "$WORK/sudo-exe.conf" -a "$WORK/sudo.conf" --exit-parse-config
conf_sudo "$WORK/access.conf"
refused sudo-noexec 1 'is not an executable file' "executor.sudo_exe not executable: exit 1" \
	-c "$WORK/sudo-exe.conf" -a "$WORK/sudo.conf" --exit-parse-config
conf_sudo "$WORK/no-sudo"
check "executor.sudo_exe is not looked at without a sudo stanza" parse_ok sudo-unused -c "$WORK/sudo-exe.conf"

# --- capture (items 13, 10, 11, 12) --------------------------------------
refused bpf 1 'cannot open capture: lo: .*filter' "an invalid BPF filter fails the start (exit 1)" \
	-c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$WORK/st-bpf" -p "$WORK/bpf.pid" -i lo -P 'udp prot 1'
refused intf 1 'capture.interface "nosuchif0": no such network interface' "a missing interface fails the start (exit 1)" \
	-c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$WORK/st-if" -p "$WORK/if.pid" -i nosuchif0

printf 'capture = { udp_address = "127.0.0.1"; udp_port = 42130; };\nlog = { refusals_per_second = 0; };\n' > "$WORK/udp0.conf"
start_bg limit-udp -c "$WORK/udp0.conf" -a "$WORK/access.conf" -d "$WORK/st-limit" -p "$WORK/limit.pid" -U -C 1 ||
	bail_out "spagated -U -C 1 did not start"
udp 42130 'junk'
exits_within "$BG_PID" 5
check "UDP mode, -C 1: one junk datagram and spagated exits 0" test "$rc" -eq 0
check "... the datagram was counted and refused as too short" \
	eval 'grep -q "packet limit 1 reached" "$WORK/limit-udp.log" && grep -q "packets 1, granted 0" "$WORK/limit-udp.log" && grep -q "refused length: 1" "$WORK/limit-udp.log"'

start_bg limit-pcap -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$WORK/st-pcap" -p "$WORK/pcap.pid" \
	-i lo -P 'udp port 42132' -C 1 || bail_out "spagated -i lo -C 1 did not start"
# another port first: were it seen, -C 1 would end spagated with it
udp 42131 "$AAA120"
udp 42132 "$AAA120"
exits_within "$BG_PID" 5
check "pcap mode, -P 'udp port 42132': a datagram to 42131 is not seen" \
	eval '[ $rc -eq 0 ] && ! grep -q ":42131" "$WORK/limit-pcap.log" && grep -q ":42132" "$WORK/limit-pcap.log"'
check "pcap mode, -C 1: a 120-byte payload is counted, refused, and spagated exits 0" \
	eval '[ $rc -eq 0 ] && grep -q "127.0.0.1:42132 via udp: payload length outside 140..1499 bytes" "$WORK/limit-pcap.log" && grep -q "packets 1, granted 0" "$WORK/limit-pcap.log"'

# --- signals and -S/-R/-K (item 6) ---------------------------------------
printf 'capture = { udp_address = "127.0.0.1"; udp_port = 42133; };\nlog = { refusals_per_second = 0; };\n' > "$WORK/udp3.conf"
CTL=(-c "$WORK/udp3.conf" -d "$WORK/st-sig" -p "$WORK/sig.pid")
start_bg sig "${CTL[@]}" -a "$WORK/access.conf" -U || bail_out "spagated -U did not start"
DAEMON=$BG_PID
# proc_state PID: R, S, T (stopped), Z (ended, not yet waited for)...
proc_state() { sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null; }
running() { case $(proc_state "$1") in ''|T|Z|X) return 1 ;; esac; }
# tstp_taken PID: SIGTSTP (20) no longer pending: it stopped the process
# or, its process group being orphaned (as under some test drivers), the
# kernel dropped it.  A SIGCONT before then would discard it unseen.
tstp_taken() {
	local p
	p=$(sed -n 's/^ShdPnd:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null) || return 0
	[ -z "$p" ] || [ $(( 0x$p & (1 << 19) )) -eq 0 ]
}
# SIGUSR2 is taken first (the lower number): a daemon it ended is gone
kill -USR2 "$DAEMON"; kill -TSTP "$DAEMON"
wait_ok 5 tstp_taken "$DAEMON"
kill -CONT "$DAEMON"
wait_ok 5 running "$DAEMON"
udp 42133 'after the signals'
if wait_for "$WORK/sig.log" "refused 127.0.0.1:[0-9]+ -> 127.0.0.1:42133" 3 && running $DAEMON; then
	ok "SIGUSR2 and SIGTSTP/SIGCONT: spagated runs on and still reads packets"
else
	not_ok "SIGUSR2 and SIGTSTP/SIGCONT: spagated runs on and still reads packets"
	diag "state now '$(proc_state $DAEMON)'" "$(tail -n 3 "$WORK/sig.log")"
fi
spa status "${CTL[@]}" -S
check "-S: running (exit 0)" eval '[ $rc -eq 0 ] && grep -q "spagated is running (pid $DAEMON)" "$WORK/status.out"'
spa restart "${CTL[@]}" -R
check "-R: SIGHUP, the daemon reloads and runs on" \
	eval '[ $rc -eq 0 ] && wait_for "$WORK/sig.log" "SIGHUP: reloading configuration" 3 && wait_for_count "$WORK/sig.log" "verifier ready" 2 5 && kill -0 $DAEMON'
spa kill "${CTL[@]}" -K
kill_rc=$rc
exits_within "$DAEMON" 5
check "-K: the daemon stops cleanly (exit 0 both)" \
	eval '[ $kill_rc -eq 0 ] && [ $rc -eq 0 ] && grep -q "stopped spagated (pid $DAEMON)" "$WORK/kill.out"'
not_running=0
for a in -S -R -K; do
	spa none "${CTL[@]}" $a
	[ "$rc" -eq 1 ] && grep -q 'spagated is not running' "$WORK/none.out" || { not_running=1; diag "$a: exit $rc"; }
done
check "-S, -R and -K without a daemon: 'not running', exit 1" test $not_running -eq 0
printf 'capture = { udp_address = "127.0.0.1"; udp_port = 42134; };\n' > "$WORK/udp4.conf"
start_bg int -c "$WORK/udp4.conf" -a "$WORK/access.conf" -d "$WORK/st-int" -p "$WORK/int.pid" -U ||
	bail_out "spagated -U did not start"
kill -INT "$BG_PID"
exits_within "$BG_PID" 5
check "SIGINT: a clean stop, exit 0" eval '[ $rc -eq 0 ] && grep -q "Interrupt: shutting down" "$WORK/int.log"'

# --- interface down (item 14), in a namespace ----------------------------
netns_pair 130 || bail_out "cannot create network namespaces"
start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$WORK/st-down" -p "$WORK/down.pid" \
	-i "$SRV_IF" || bail_out "spagated did not start in the namespace"
ip -n "$SRV_NS" link set "$SRV_IF" down
# down as the peer sees it: its carrier is gone
wait_ok 5 eval 'ip -n "$CLI_NS" link show "$CLI_IF" | grep -q "NO-CARRIER"'
ip -n "$SRV_NS" link set "$SRV_IF" up
ip -n "$CLI_NS" link set "$CLI_IF" up
mark
for _ in $(seq 20); do
	in_cli bash -c 'printf junk > /dev/udp/$1/62201' _ "$SRV_IP" 2>/dev/null
	[ "$(since_mark "refused $CLI_IP:[0-9]+ -> $SRV_IP:62201")" -ge 1 ] && break
	sleep 0.25
done
check "the interface down then up: spagated runs on and captures again" \
	eval 'kill -0 $SPAGATED_PID && [ "$(since_mark "refused $CLI_IP:")" -ge 1 ]'
ip -n "$SRV_NS" link del "$SRV_IF"
exits_within "$SPAGATED_PID" 10
check "the interface deleted: exit 1, the device named, no sandbox kill" \
	eval '[ $rc -eq 1 ] && grep -q "cannot open capture: $SRV_IF: No such device" "$WORK/log" && ! grep -q SIGSYS "$WORK/log"'

finish
