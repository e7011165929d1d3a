#!/bin/bash
# SIGHUP never stops the daemon (issue 15, item 13).  A capture.interface
# that does not exist, an unknown executor.verifier_user and a missing
# metrics directory are refused by `spagate check` and --exit-parse-config
# with the reason, and a reload that finds one keeps the running policy:
# same executor pid, and a grant still works.  A new verifier that fails
# only when it starts (its UDP port taken by another process, which no
# check can know beforehand) falls back to the previous configuration,
# logged at error; a good reload afterwards works.  Under systemd the
# failed reload reaches the journal at priority err.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
SPAGATE=$top_builddir/spagate
[ -x "$SPAGATE" ] || skip_all "spagate is not built"
command -v python3 >/dev/null || skip_all "needs python3 (scripts/deps test)"

KEY64=AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=
HMAC64=ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoOEhYaHiImKi4yNjo+QkZKTlJWWl5iZmpucnZ6foKGiow==
CONF=$WORK/spagated.conf
STATE=$WORK/state
printf 'SOURCE ANY\nKEY_BASE64 %s\nHMAC_KEY_BASE64 %s\nOPEN_PORTS tcp/22\n' \
	"$KEY64" "$HMAC64" > "$WORK/access.conf"
chmod 600 "$WORK/access.conf"

# write_conf [SETTINGS...]: spagated.conf sniffing on the server's veth
# (or $IFACE), with $CAPTURE in its capture group, plus the lines given
write_conf() {
	{ printf 'access_file = "%s";\nlog = { refusals_per_second = 0; };\n' "$WORK/access.conf"
	  printf 'capture = { interface = "%s"; %s };\n' "${IFACE:-$SRV_IF}" "${CAPTURE:-}"
	  printf '%s\n' "$@"; } > "$CONF"
	chmod 644 "$CONF"
}
# bad_conf KIND: one start-time fact wrong, its reason in $WHY
bad_conf() {
	CAPTURE= IFACE=
	case $1 in
	interface)
		IFACE=nosuchif0 write_conf
		WHY='capture.interface "nosuchif0": no such network interface' ;;
	user)
		write_conf 'executor = { verifier_user = "spagate-no-such-user"; };'
		WHY='executor.verifier_user "spagate-no-such-user" does not exist' ;;
	metrics)
		write_conf "metrics = { file = \"$WORK/none/metrics.prom\"; };"
		WHY="metrics.file \"$WORK/none/metrics.prom\": $WORK/none: no such directory" ;;
	esac
}

grant() { # grant: one packet from the client; its OPEN event is printed
	local n
	n=$(count_lines "$WORK/events" "^OPEN ")
	fwknop_cli -D "$SRV_IP" -A tcp/22 -a "$CLI_IP" --key-base64-rijndael "$KEY64" \
		--key-base64-hmac "$HMAC64" >/dev/null 2>&1
	wait_for_count "$WORK/events" "^OPEN " $((n + 1)) 5
}
# an error-level line since the mark that says $WHY
error_since_mark() { tail -n +$((MARK + 1)) "$WORK/log" | grep "error: " | grep -qF -- "$WHY"; }
# the daemon started first still runs, and never gave up
same_daemon() { kill -0 "$SPAGATED_PID" && ! grep -q "giving up" "$WORK/log"; }

plan 17
netns_pair 142 || skip_all "cannot create network namespaces"

# --- spagate check and --exit-parse-config --------------------------------
for kind in interface user metrics; do
	bad_conf $kind
	in_srv "$SPAGATE" check -c "$CONF" -d "$STATE" > "$WORK/check.out" 2>&1; rc=$?
	in_srv timeout 10 "$SPAGATED" -f -c "$CONF" -d "$STATE" --exit-parse-config > "$WORK/parse.out" 2>&1; prc=$?
	check "spagate check and --exit-parse-config refuse a $kind that a start would not find" \
		eval '[ $rc -eq 1 ] && [ $prc -eq 1 ] && grep -qF -- "$WHY" "$WORK/check.out" &&
		grep -qF -- "$WHY" "$WORK/parse.out"'
done

# --- SIGHUP with each: the daemon and its policy stay ---------------------
CAPTURE=
write_conf
# stderr as systemd gives it: JOURNAL_STREAM names its device and inode
# (no journald in a namespace test: the "<N>" prefix journald reads as
# the priority is checked on the stream itself)
touch "$WORK/log"
JOURNAL_STREAM=$(stat -c %d:%i "$WORK/log") \
	start_spagated -t -c "$CONF" -d "$STATE" -p "$WORK/spagated.pid" || bail_out "spagated did not start"
check "a grant works" grant
for kind in interface user metrics; do
	bad_conf $kind
	mark
	kill -HUP "$SPAGATED_PID"
	check "SIGHUP with a $kind a start would not find: reload failed, the reason at error" \
		eval 'wait_logged "reload failed: the running configuration stays" 5 && error_since_mark'
	check "... the same daemon runs on, and a grant still works" eval 'same_daemon && grant'
done
check "under systemd (JOURNAL_STREAM) a failed reload goes at priority err: journalctl -p err shows it" \
	grep -q "^<3>error: reload failed: the running configuration stays" "$WORK/log"

# --- a verifier that fails only when it starts: back to the previous one --
# another process holds udp/62201 in the server's namespace
ip netns exec "$SRV_NS" python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 62201))
open(sys.argv[1], "w").close()
time.sleep(3600)' "$WORK/bound" >/dev/null 2>&1 &
BLOCKER=$!
on_exit "kill $BLOCKER"
for _ in $(seq 100); do [ -e "$WORK/bound" ] && break; sleep 0.05; done
[ -e "$WORK/bound" ] || bail_out "cannot bind udp/62201 in the server namespace"
CAPTURE='mode = "udp";'
write_conf
in_srv "$SPAGATE" check -c "$CONF" -d "$STATE" > "$WORK/check.out" 2>&1; rc=$?
check "a UDP port another process holds is not known to spagate check (it passes)" [ $rc -eq 0 ]
mark
ready=$(count_lines "$WORK/log" "verifier ready")
kill -HUP "$SPAGATED_PID"
check "SIGHUP into a UDP port that is taken: the new verifier fails, back to the previous configuration at error" \
	wait_logged "error: .*back to the previous configuration" 10
check "... the previous verifier is ready again, in the same daemon" \
	eval 'wait_for_count "$WORK/log" "verifier ready" $((ready + 1)) 10 && same_daemon'
check "... and a grant works (sniffed, as before the reload)" grant
CAPTURE=
write_conf
mark
kill -HUP "$SPAGATED_PID"
check "a good reload afterwards is taken" \
	eval 'wait_logged "reloaded: 1 stanza " 5 && wait_logged "verifier ready" 15 && same_daemon'
check "... and a grant works" grant
finish
