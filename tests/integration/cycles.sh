#!/bin/bash
# Command cycles for real: the fwknop client's packet makes spagated run
# CMD_CYCLE_OPEN (an iptables ACCEPT in the server namespace) for each
# port it asks for, so TCP connects that were dropped succeed; the close
# runs after the timeout and connects fail again.  Then: a repeated grant
# that keeps access open past the first close time, a hanging command
# that must not delay other grants, a failed open that never closes, kill
# -9 with cycles open and a restart, SIGHUP, SIGTERM, and SPA command
# messages through a real sudoers file.  Closes are judged by what they
# do (connects, rules) and by order (after their due time), never by how
# long they took.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
command -v iptables >/dev/null || skip_all "needs iptables"
command -v sudo >/dev/null || skip_all "needs sudo"
TCP_ACCEPT=$top_builddir/tests/tools/tcp_accept
[ -x "$TCP_ACCEPT" ] || skip_all "tests/tools/tcp_accept is not built"

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64) K2=$(b64key 32) H2=$(b64key 64)
K3=$(b64key 32) H3=$(b64key 64) K4=$(b64key 32) H4=$(b64key 64)
K5=$(b64key 32) H5=$(b64key 64)
SUDO_USER_T=spatest$$
SUDOERS=/etc/sudoers.d/spagate-test-$$
SUDO_OK=$WORK/sudo-ok SUDO_NO=$WORK/sudo-no
STATE=$WORK/state

write_access() {
	cat > "$WORK/access.conf" <<CONF
# 1: iptables cycle on tcp/2222 and tcp/2223
SOURCE ANY
KEY_BASE64 $K1
HMAC_KEY_BASE64 $H1
OPEN_PORTS tcp/2222, tcp/2223
CMD_CYCLE_TIMER 4
MAX_FW_TIMEOUT 60
CMD_CYCLE_OPEN iptables -I INPUT 1 -s \$IP -p \$PROTO --dport \$PORT -j ACCEPT
CMD_CYCLE_CLOSE iptables -D INPUT -s \$IP -p \$PROTO --dport \$PORT -j ACCEPT

# 2: an open command that hangs for 10 s
SOURCE ANY
KEY_BASE64 $K2
HMAC_KEY_BASE64 $H2
CMD_CYCLE_OPEN /bin/sleep 10
CMD_CYCLE_CLOSE /bin/true
CMD_CYCLE_TIMER 20

# 3: an open command that fails; a close, were it run, leaves a mark
SOURCE ANY
KEY_BASE64 $K3
HMAC_KEY_BASE64 $H3
CMD_CYCLE_OPEN /bin/false
CMD_CYCLE_CLOSE /usr/bin/touch $WORK/closed3
CMD_CYCLE_TIMER 2

# 4: commands through sudo, started as an unprivileged user
SOURCE ANY
KEY_BASE64 $K4
HMAC_KEY_BASE64 $H4
ENABLE_CMD_EXEC Y
ENABLE_CMD_SUDO_EXEC Y
CMD_EXEC_USER $SUDO_USER_T

# 5: plain command execution, as nobody
SOURCE ANY
KEY_BASE64 $K5
HMAC_KEY_BASE64 $H5
ENABLE_CMD_EXEC Y
CMD_EXEC_USER nobody
CONF
	chmod 600 "$WORK/access.conf"
	printf 'executor = { command_timeout = 15; };\nlog = { refusals_per_second = 0; };\n' > "$WORK/spagated.conf"
}

start() {
	start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
		-p "$WORK/spagated.pid" -i "$SRV_IF" "$@" || bail_out "spagated did not start"
}

spa() { # spa KEY HMAC [client options]
	local k=$1 h=$2; shift 2
	fwknop_cli -D "$SRV_IP" --key-base64-rijndael "$k" --key-base64-hmac "$h" "$@" >/dev/null 2>&1
}

connects() { # connects PORT: one TCP connect from the client, 1 s limit
	in_cli timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2" && read -r l <&3 && [ "$l" = ok ]' _ "$SRV_IP" "$1" 2>/dev/null
}
refused() { ! connects "$1"; }

accept_rules() { # accept_rules [PORT]: the client's ACCEPT rules (tcp/2222)
	in_srv iptables -S INPUT | grep -c -- "-s $CLI_IP/32 .*--dport ${1:-2222} -j ACCEPT" || true
}
# Cycles in the journal, as spagated -S reads it from disk.
journal_count() {
	"$SPAGATED" -S -c "$WORK/spagated.conf" -d "$STATE" -p "$WORK/spagated.pid" |
		sed -n 's/^ *\([0-9][0-9]*\) open cycles*$/\1/p'
}

setup_sudo() {
	useradd -r -M -s /usr/sbin/nologin "$SUDO_USER_T" || return 1
	on_exit "userdel $SUDO_USER_T"
	printf '%s ALL=(root) NOPASSWD: /usr/bin/touch %s\n' "$SUDO_USER_T" "$SUDO_OK" > "$SUDOERS"
	chmod 440 "$SUDOERS"
	on_exit "rm -f $SUDOERS"
	visudo -cf "$SUDOERS" >/dev/null
}

plan 31
netns_pair 8 || skip_all "cannot create network namespaces"
setup_sudo || skip_all "cannot create the sudo test user"
write_access
in_srv iptables -A INPUT -p tcp --dport 2222 -j DROP
in_srv iptables -A INPUT -p tcp --dport 2223 -j DROP
start_tcp_accept 2222
start_tcp_accept 2223
start

# 1. the basic cycle, for the two ports one packet asks for: each opens
check "tcp/2222 and tcp/2223 are dropped before any SPA packet" \
	eval 'refused 2222 && refused 2223'
mark
t0=$(date +%s)
spa "$K1" "$H1" -A tcp/2222,tcp/2223 -a "$CLI_IP"
wait_logged 'stanza #1 .* tcp/2222: opened' 5
check "the SPA packet opens tcp/2222 (TCP connect succeeds)" connects 2222
wait_logged 'stanza #1 .* tcp/2223: opened' 5
check "the same packet's second port, tcp/2223, opens too" connects 2223
check "one ACCEPT rule for each port" \
	eval '[ "$(accept_rules 2222)" -eq 1 ] && [ "$(accept_rules 2223)" -eq 1 ]'
check "spagated -S shows the open cycle and its close time" \
	bash -c "'$SPAGATED' -S -c '$WORK/spagated.conf' -d '$STATE' -p '$WORK/spagated.pid' | grep -q 'tcp/2222  close at .* (in [0-9]* s)'"
check "each port's cycle is in the journal while open" [ "$(journal_count)" -eq 2 ]
wait_logged 'tcp/222[23]: closed' 2 10
check "the closes run after the timeout: tcp/2222 and tcp/2223 are dropped again" \
	eval 'refused 2222 && refused 2223'
check "... not before it (CMD_CYCLE_TIMER 4)" [ "$(date +%s)" -ge $((t0 + 4)) ]
check "the journal is empty after the close" [ "$(journal_count)" -eq 0 ]
check "the exec open logs the command line it runs, as ipset's opened line does" \
	[ "$(since_mark "info: stanza #1 .*tcp/2222: running iptables -I INPUT 1 -s $CLI_IP -p 6 --dport 2222 -j ACCEPT")" -eq 1 ]
check "the packet is accepted at info; the open and the close are at notice" \
	eval '[ "$(since_mark "info: accepted by stanza #1 ")" -eq 1 ] &&
	[ "$(since_mark "notice: stanza #1 .*tcp/2222: opened \\(exit 0\\)")" -eq 1 ] &&
	[ "$(since_mark "notice: stanza #1 .*tcp/2222: closed \\(exit 0\\)")" -eq 1 ]'

# 2. a second request for the same port moves the close and runs the
# open again (the rule may have gone meanwhile: see reassert.sh): access
# stays open past the first grant's close time; the close then removes
# each copy the two opens left, not before the second grant's time
mark
spa "$K1" "$H1" -A tcp/2222 -a "$CLI_IP"
wait_logged 'tcp/2222: opened' 5
first_due=$(( $(date +%s) + 4 ))	# CMD_CYCLE_TIMER 4: due by then
t1=$(date +%s)
spa "$K1" "$H1" -A tcp/2222 -a "$CLI_IP" -f 8
check_logged "a repeated grant moves the close" 'tcp/2222: already open: close moved' 5
check_logged "and runs CMD_CYCLE_OPEN again" 'tcp/2222: refreshed \(exit 0\)' 5
check "a repeated grant keeps one journaled cycle" [ "$(journal_count)" -eq 1 ]
wait_until $((first_due + 2))
check "past the first grant's close time, tcp/2222 still connects (the close moved)" \
	eval '[ "$(since_mark "tcp/2222: .*closing")" -eq 0 ] && connects 2222'
wait_logged 'tcp/2222: closed' 2 12
check "the extended cycle's close removes both copies, leaving no rule" [ "$(accept_rules)" -eq 0 ]
check "... at the second grant's time, not before (-f 8)" [ "$(date +%s)" -ge $((t1 + 8)) ]

# 3. a hanging open does not hold up the next grant
mark
spa "$K2" "$H2" -A tcp/22 -a "$CLI_IP"
wait_logged 'accepted by stanza #2' 5
spa "$K1" "$H1" -A tcp/2222 -a "$CLI_IP"
if wait_logged 'tcp/2222: opened' 4 && [ "$(since_mark 'stanza #2 .*: opened')" -eq 0 ]; then
	ok "a grant is carried out while a 10 s open command still runs"
else
	not_ok "a grant is carried out while a 10 s open command still runs"; diag "$(tail -n 5 "$WORK/log")"
fi
wait_logged 'tcp/2222: closed' 10

# 4. a failed open schedules no close.  To see that no close ran, the
# test waits for a later cycle's close, due after the failed one's would
# have been (the scheduler runs closes in the order they are due).
mark
spa "$K3" "$H3" -A tcp/22 -a "$CLI_IP"
check_logged "a failed open is logged at error, with no close scheduled" \
	'error: stanza #3 .*tcp/22: open failed \(exit 1\): no close scheduled' 5
spa "$K1" "$H1" -A tcp/2222 -a "$CLI_IP" -f 3
wait_logged 'stanza #1 .*tcp/2222: closed' 10
check "its close never runs, even after a later cycle's close time (no mark)" \
	eval '[ ! -e "$WORK/closed3" ] && [ "$(since_mark "stanza #3 .*(closing|closed|opened)")" -eq 0 ]'

# 5. kill -9 with a cycle open, restart: the close still runs, on time
mark
spa "$K1" "$H1" -A tcp/2222 -a "$CLI_IP" -f 6
wait_logged 'tcp/2222: opened' 5
kill -9 "$SPAGATED_PID"; wait "$SPAGATED_PID" 2>/dev/null
check "after kill -9 the grant is still open and journaled" \
	test "$(journal_count)" -ge 1
mark
start
wait_logged 'tcp/2222: restored from the journal' 5
check "the restarted daemon keeps the cycle open until its time" connects 2222
if wait_logged 'tcp/2222: closed' 10 && refused 2222; then
	ok "the restarted daemon runs the journaled close"
else
	not_ok "the restarted daemon runs the journaled close"; diag "$(tail -n 5 "$WORK/log")"
fi

# 6. an overdue close runs at once after a restart
mark
spa "$K1" "$H1" -A tcp/2222 -a "$CLI_IP" -f 2
wait_logged 'tcp/2222: opened' 5
kill -9 "$SPAGATED_PID"; wait "$SPAGATED_PID" 2>/dev/null
wait_until $(( $(date +%s) + 3 ))	# past its close time, while down
mark
start
check "an overdue journaled close runs at start" wait_logged 'tcp/2222: closed' 3

# 7. SIGHUP reloads without dropping the open cycle
mark
spa "$K1" "$H1" -A tcp/2222 -a "$CLI_IP" -f 4
wait_logged 'tcp/2222: opened' 5
kill -HUP "$SPAGATED_PID"
check "SIGHUP restarts the verifier with the new policy" \
	eval 'wait_logged "reloaded: 5 stanzas" 5 && wait_logged "verifier ready" 15'
check "the cycle opened before SIGHUP still closes" wait_logged 'tcp/2222: closed' 10

# 8. SIGTERM runs pending closes
mark
spa "$K1" "$H1" -A tcp/2222 -a "$CLI_IP" -f 60
wait_logged 'tcp/2222: opened' 5
check "a 60 s grant is open when SIGTERM comes (its rule, a connect)" \
	eval '[ "$(accept_rules)" -eq 1 ] && connects 2222'
stop_spagated
check "SIGTERM runs the pending close (no ACCEPT rule left)" [ "$(accept_rules)" -eq 0 ]

# 9. SPA command messages: sudo filters them, no shell splits them (after
# a reload: the executor.sudo_exe in use must be the reloaded one)
start
mark
kill -HUP "$SPAGATED_PID"
wait_logged 'verifier ready' 15
mark
spa "$K4" "$H4" -C "/usr/bin/touch $SUDO_OK" -a "$CLI_IP"
spa "$K4" "$H4" -C "/usr/bin/touch $SUDO_NO" -a "$CLI_IP"
wait_logged 'stanza #4 .* command: (finished|failed)' 2 10
check "sudo runs the command its sudoers file allows" [ -e "$SUDO_OK" ]
check "sudo refuses the command its sudoers file does not allow" \
	bash -c "[ ! -e '$SUDO_NO' ] && tail -n +$((MARK + 1)) '$WORK/log' | grep -q 'stanza #4 .* command: failed (exit 1)'"
mark
spa "$K5" "$H5" -C '/bin/echo hi; id $(whoami)' -a "$CLI_IP"
wait_logged 'stanza #5 .* command: finished' 5
check "a command message is split into words, never run by a shell" \
	grep -q 'output: "hi; id \$(whoami)' "$WORK/log"
stop_spagated
finish
