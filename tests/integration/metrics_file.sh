#!/bin/bash
# Files the executor writes in directories others may own (issue 15,
# item 6): whoever owns node_exporter's textfile directory can plant a FIFO,
# a symlink or a directory at the metrics file's temporary name or at its
# name.  spagated never blocks on them and never writes through them: each
# time a grant and its close still run, SIGUSR1 is still answered, and the
# metrics file comes back as a regular file.  The same for the sandbox line
# file in the state directory, and for the readers: spagated -S and
# spagate status with a FIFO as the pid, metrics or sandbox file.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K=$(b64key 32) H=$(b64key 64)
MDIR=$WORK/textfile	# the collector's directory, someone else's
PROM=$MDIR/spagate.prom
STATE=$WORK/state
SPAGATE=$top_builddir/spagate

write_conf() {
	cat > "$WORK/access.conf" <<CONF
SOURCE ANY
KEY_BASE64 $K
HMAC_KEY_BASE64 $H
CMD_CYCLE_OPEN /bin/true
CMD_CYCLE_CLOSE /bin/true
CMD_CYCLE_TIMER 1
CONF
	chmod 600 "$WORK/access.conf"
	printf 'metrics = { file = "%s"; interval = 1; };\nlog = { refusals_per_second = 0; };\n' \
		"$PROM" > "$WORK/spagated.conf"
}

# A writer blocked on a FIFO (the defect) would block the test's own stop
# and cleanup: a reader that opens each FIFO without blocking releases it.
release_fifos() {
	local f
	for f in "$MDIR"/* "$STATE"/*; do
		[ -p "$f" ] && dd if="$f" of=/dev/null iflag=nonblock count=0 2>/dev/null
	done
	return 0
}
start() {
	start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
		-p "$WORK/spagated.pid" -i "$SRV_IF"
	local r=$?
	on_exit release_fifos	# runs before the stop start_spagated set up
	return $r
}
stop() { release_fifos; stop_spagated; }
# unplant FILE...: remove what the test planted (a FIFO released first: a
# writer blocked on a FIFO without a name could never be released).
unplant() { release_fifos; rm -rf "$@"; }
# replant MAKER PATH: mkdir or mkfifo at PATH, removing what is there
# first; again if the daemon wrote its file there in between.
replant() {
	local i
	for i in $(seq 50); do
		unplant "$2"
		"$1" "$2" 2>/dev/null && return 0
	done
	diag "cannot $1 $2"
	return 1
}
spa() {
	fwknop_cli -D "$SRV_IP" --key-base64-rijndael "$K" --key-base64-hmac "$H" \
		-A tcp/22 -a "$CLI_IP" >/dev/null 2>&1
}
# A grant and its close (CMD_CYCLE_TIMER 1), both seen in the log.
cycle_runs() {
	mark
	spa
	wait_logged 'stanza #1 .*: opened' 5 && wait_logged 'stanza #1 .*: closed' 5
}
answers_usr1() {
	mark
	kill -USR1 "$SPAGATED_PID"
	wait_logged 'stats: verifier: packets' 5
}
# prom_counts N: the metrics file, a regular file again, counts N grants.
# Never grep a FIFO: that would block the test itself.
prom_counts() { wait_ok 5 prom_holds "$1"; }
prom_holds() {
	[ -f "$PROM" ] && [ ! -L "$PROM" ] && grep -q "^spagate_granted_total $1\$" "$PROM"
}
# in_background_prints FILE PATTERN COMMAND...: the command, run in the
# background, prints PATTERN (a reader blocked on a FIFO never does).
in_background_prints() {
	local out=$1 pattern=$2 pid r
	shift 2
	"$@" >"$out" 2>&1 &
	pid=$!
	wait_for "$out" "$pattern" 5
	r=$?
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return $r
}

plan 20
netns_pair 170 || skip_all "cannot create network namespaces"
mkdir -p "$MDIR"
write_conf
start || bail_out "spagated did not start"
check "the metrics file is written" prom_counts 0

# 1. a FIFO at the temporary name the executor used to open
mkfifo "$PROM.tmp"
check "FIFO at the temporary name: a grant and its close run" cycle_runs
check "FIFO at the temporary name: the metrics file follows" prom_counts 1
check "FIFO at the temporary name: SIGUSR1 is answered" answers_usr1

# 2. a FIFO at the file's name
replant mkfifo "$PROM"
check "FIFO at the file's name: a grant and its close run" cycle_runs
check "FIFO at the file's name: replaced by the metrics file" prom_counts 2

# 3. symlinks at both names, to a file that is not spagated's
unplant "$PROM" "$PROM.tmp"
echo precious > "$WORK/target"
ln -s "$WORK/target" "$PROM" && ln -s "$WORK/target" "$PROM.tmp"
check "symlinks at both names: a grant and its close run" cycle_runs
check "symlinks at both names: the metrics file replaces the link" prom_counts 3
check "symlinks at both names: nothing was written through them" \
	eval '[ "$(cat "$WORK/target")" = precious ] && [ -f "$WORK/target" ] && [ ! -L "$WORK/target" ]'

# 4. a directory at the file's name: the write fails, the gateway does not
unplant "$PROM.tmp"
before=$(wc -l < "$WORK/log")
replant mkdir "$PROM"
check "directory at the file's name: a grant and its close run" cycle_runs
check "directory at the file's name: a second one too" cycle_runs
# the writes that failed meanwhile (one a second): warned about once
dir_warnings() { tail -n +$((before + 1)) "$WORK/log" | grep -c "warning: metrics file $PROM"; }
for _ in $(seq 100); do [ "$(dir_warnings)" -ge 1 ] && break; sleep 0.05; done
check "directory at the file's name: one warning, not one per write" \
	[ "$(dir_warnings)" -eq 1 ]
mark
rmdir "$PROM"
check "the directory gone: the metrics file is written again" prom_counts 5
check_logged "and that is logged" "metrics file $PROM written again" 5

# 5. the sandbox line file (state directory), the pid file and the readers
unplant "$STATE/verifier.sandbox" && mkfifo "$STATE/verifier.sandbox.tmp"
stop
unplant "$PROM"
mkfifo "$PROM.tmp"
mkdir "$PROM"
mark
check "restart with FIFOs at both temporary names, a directory at the metrics file's name: the verifier is ready" start
check "a warning says the metrics file cannot be written" \
	wait_logged "warning: metrics file $PROM: Is a directory" 5
check "after that restart: a grant and its close run" cycle_runs
check "spagated -S shows the sandbox line written there" \
	in_background_prints "$WORK/s" 'verifier \(pid [0-9]+\): chroot' \
	"$SPAGATED" -S -c "$WORK/spagated.conf" -d "$STATE" -p "$WORK/spagated.pid"
# the executor writes the sandbox file at READY only; the metrics file of
# a configuration it does not run
unplant "$STATE/verifier.sandbox" "$PROM" && mkfifo "$STATE/verifier.sandbox"
mkdir "$WORK/reader" && mkfifo "$WORK/reader/spagate.prom"
printf 'metrics = { file = "%s"; };\n' "$WORK/reader/spagate.prom" > "$WORK/reader.conf"
# (the daemon answers on its socket: status reads neither file, and must
# not block on them)
check "spagate status with FIFOs as sandbox and metrics files answers" \
	in_background_prints "$WORK/st" 'spagated is running' \
	"$SPAGATE" status -c "$WORK/reader.conf" -d "$STATE" -p "$WORK/spagated.pid"
# a state directory no daemon answers in: -S falls back to the pid file
mkfifo "$WORK/fifo.pid" && mkdir -m 700 "$WORK/nostate"
check "spagated -S with a FIFO as the pid file answers" \
	in_background_prints "$WORK/s2" 'is not running' \
	"$SPAGATED" -S -c "$WORK/spagated.conf" -d "$WORK/nostate" -p "$WORK/fifo.pid"
stop
finish
