#!/bin/bash
# Files spagated trusts (issue 15, item 9): a spagated.conf owned by
# another user, a group-writable one, and a symbolic link to another
# user's file are refused with the file and the reason by `spagate check`,
# by --exit-parse-config and at start; a SIGHUP that finds one keeps the
# running policy (a grant still works, same executor pid).
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
SPAGATE=$top_builddir/spagate
[ -x "$SPAGATE" ] || skip_all "spagate is not built"
getent passwd nobody >/dev/null || skip_all "needs the user nobody"

KEY64=AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=
HMAC64=ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoOEhYaHiImKi4yNjo+QkZKTlJWWl5iZmpucnZ6foKGiow==
ETC=$WORK/etc
CONF=$ETC/spagated.conf
STATE=$WORK/state
mkdir -p "$ETC"
chmod 755 "$ETC"
printf 'SOURCE ANY\nKEY_BASE64 %s\nHMAC_KEY_BASE64 %s\nOPEN_PORTS tcp/22\n' \
	"$KEY64" "$HMAC64" > "$ETC/access.conf"
chmod 600 "$ETC/access.conf"

# good_conf FILE: a spagated.conf root owns, mode 644
good_conf() {
	printf 'access_file = "%s";\nlog = { refusals_per_second = 0; };\n' \
		"$ETC/access.conf" > "$1"
	chmod 644 "$1"
}
# bad_conf KIND: $CONF made untrustworthy in place, the reason in $WHY
bad_conf() {
	rm -f "$CONF" "$ETC/theirs.conf"
	good_conf "$CONF"
	case $1 in
	owner)
		chown nobody "$CONF"
		WHY="$CONF is not owned by our uid or root" ;;
	group)
		chmod 664 "$CONF"
		WHY="$CONF must not be writable by group or others" ;;
	link)
		mv "$CONF" "$ETC/theirs.conf"
		chown nobody "$ETC/theirs.conf"
		ln -s "$ETC/theirs.conf" "$CONF"
		WHY="$CONF is a symbolic link" ;;
	esac
}

grant() { # grant: one packet from the client; its OPEN event is printed
	local n
	n=$(count_lines "$WORK/events" "^OPEN ")
	fwknop_cli -D "$SRV_IP" -A tcp/22 -a "$CLI_IP" --key-base64-rijndael "$KEY64" \
		--key-base64-hmac "$HMAC64" >/dev/null 2>&1
	wait_for_count "$WORK/events" "^OPEN " $((n + 1)) 5
}
reload_refused() { # reload_refused: SIGHUP, "reload failed" and $WHY logged
	mark
	kill -HUP "$SPAGATED_PID"
	wait_logged "reload failed" 5 && [ "$(since_mark "error: .*$WHY")" -ge 1 ]
}

plan 14
netns_pair 141 || skip_all "cannot create network namespaces"

# --- spagated.conf: spagate check, --exit-parse-config, start ------------
for kind in owner group link; do
	bad_conf $kind
	"$SPAGATE" check -c "$CONF" > "$WORK/check.out" 2>&1; rc=$?
	check "spagate check refuses a spagated.conf ($kind), naming file and reason" \
		eval '[ $rc -eq 1 ] && grep -qF "$WHY" "$WORK/check.out"'
	timeout 10 "$SPAGATED" -f -c "$CONF" --exit-parse-config > "$WORK/parse.out" 2>&1; rc=$?
	timeout 10 ip netns exec "$SRV_NS" "$SPAGATED" -f -t -c "$CONF" -d "$STATE" \
		-p "$WORK/start.pid" -i "$SRV_IF" > "$WORK/start.out" 2>&1; rc2=$?
	check "--exit-parse-config and a start refuse it ($kind) with the reason" \
		eval '[ $rc -eq 1 ] && grep -qF "$WHY" "$WORK/parse.out" &&
		[ $rc2 -eq 1 ] && grep -qF "$WHY" "$WORK/start.out" && ! grep -q "verifier ready" "$WORK/start.out"'
done

# --- at reload: the running policy stays ---------------------------------
rm -f "$CONF" "$ETC/theirs.conf"
good_conf "$CONF"
start_spagated -t -c "$CONF" -d "$STATE" -p "$WORK/spagated.pid" -i "$SRV_IF" ||
	bail_out "spagated did not start"
check "a grant works with a spagated.conf root owns" grant
for kind in owner group link; do
	bad_conf $kind
	check "SIGHUP with a spagated.conf ($kind): reload failed, file and reason at error" reload_refused
	check "... the daemon runs on (same pid) and a grant still works" \
		eval 'kill -0 $SPAGATED_PID && grant'
done
rm -f "$CONF" "$ETC/theirs.conf"
good_conf "$CONF"
mark
kill -HUP "$SPAGATED_PID"
check "with the file right again, the reload takes it" wait_logged "reloaded: 1 stanzas" 5
finish
