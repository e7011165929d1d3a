#!/bin/bash
# Files spagated trusts (issue 15, item 9): a spagated.conf owned by
# another user, a group-writable one, and a symbolic link to another
# user's file are refused with the file and the reason by `spagate check`,
# by --exit-parse-config and at start; a SIGHUP that finds one keeps the
# running policy (a grant still works, same executor pid).
# Then %include_folder (item 11): a link zz.conf to the shadow file in a
# writable users.d, in another user's users.d and in root's own, and a
# member whose lines look like secrets: every output of spagate check,
# --exit-parse-config and the daemon's log names the file and the reason
# and shows nothing of those lines.  (A stand-in for /etc/shadow, so that
# a failing run cannot copy real hashes into the test log.)
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

# --- %include_folder (item 11) -------------------------------------------
SHADOW=$WORK/shadow
printf 'root:$6$s3cr3tHASHs3cr3t:19000:0:99999:7:::\nalice:$6$s3cr3tALICE:19000:0:99999:7:::\n' > "$SHADOW"
chmod 640 "$SHADOW"
USERS=$ETC/users.d
FCONF=$ETC/folder.conf
printf '%%include_folder %s\n' "$USERS" > "$ETC/main.conf"
chmod 600 "$ETC/main.conf"
printf 'access_file = "%s";\nlog = { refusals_per_second = 0; };\n' "$ETC/main.conf" > "$FCONF"
chmod 644 "$FCONF"
# users_d KIND: users.d with alice's good file and a bad zz.conf
users_d() {
	rm -rf "$USERS"
	install -d -m 700 "$USERS"
	printf 'SOURCE ANY\nKEY_BASE64 %s\nHMAC_KEY_BASE64 %s\nOPEN_PORTS tcp/22\n' \
		"$KEY64" "$HMAC64" > "$USERS/alice.conf"
	chmod 600 "$USERS/alice.conf"
	case $1 in
	writable) chmod 1777 "$USERS"; ln -s "$SHADOW" "$USERS/zz.conf" ;;
	theirs) chown nobody "$USERS"; chmod 755 "$USERS"; ln -s "$SHADOW" "$USERS/zz.conf" ;;
	link) ln -s "$SHADOW" "$USERS/zz.conf" ;;
	secrets)
		{ cat "$SHADOW"
		  printf 'SOURCE 10.0.0.1, s3cr3t-source\nKEY_BASE64 s3cr3t*key\n'
		  printf 'OPEN_PORTS tcp/s3cr3t\nCMD_EXEC_USER s3cr3t-user\n'; } > "$USERS/zz.conf"
		chmod 600 "$USERS/zz.conf" ;;
	esac
}
# shows_nothing FILE...: no line of the shadow file, no secret-looking word
shows_nothing() { ! grep -qi 's3cr3t' "$@"; }
folder_check() { # folder_check: spagate check and --exit-parse-config
	"$SPAGATE" check -c "$FCONF" -d "$STATE" > "$WORK/check.out" 2>&1; crc=$?
	timeout 10 "$SPAGATED" -f -c "$FCONF" -d "$STATE" --exit-parse-config > "$WORK/parse.out" 2>&1; prc=$?
}
refuses_saying() { # refuses_saying TEXT: both fail, both say TEXT, nothing else shown
	[ $crc -ne 0 ] && [ $prc -ne 0 ] && grep -qF -- "$1" "$WORK/check.out" &&
		grep -qF -- "$1" "$WORK/parse.out" && shows_nothing "$WORK/check.out" "$WORK/parse.out"
}

plan 20
netns_pair 141 || skip_all "cannot create network namespaces"

# --- spagated.conf: spagate check, --exit-parse-config, start ------------
for kind in owner group link; do
	bad_conf $kind
	"$SPAGATE" check -c "$CONF" -d "$STATE" > "$WORK/check.out" 2>&1; rc=$?
	check "spagate check refuses a spagated.conf ($kind), naming file and reason" \
		eval '[ $rc -eq 1 ] && grep -qF "$WHY" "$WORK/check.out"'
	timeout 10 "$SPAGATED" -f -c "$CONF" -d "$STATE" --exit-parse-config > "$WORK/parse.out" 2>&1; rc=$?
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
check "with the file right again, the reload takes it" wait_logged "reloaded: 1 stanza " 5

# --- %include_folder: links, folders, and lines never shown --------------
users_d writable; folder_check
check "a link zz.conf to the shadow file in a writable users.d: refused, the folder and why, nothing of it shown" \
	refuses_saying "folder $USERS must not be writable by group or others"
users_d theirs; folder_check
check "... in a users.d another user owns: the same" \
	refuses_saying "folder $USERS is not owned by our uid or root"
users_d link; folder_check
check "... in root's own users.d: the link is refused as a link, nothing of it shown" \
	refuses_saying "$USERS/zz.conf is a symbolic link (name the file itself)"
users_d secrets; folder_check
check "a member with secret-looking lines: check and --exit-parse-config name zz.conf:1 and show none of them" \
	eval '[ $crc -ne 0 ] && [ $prc -ne 0 ] && grep -q "$USERS/zz.conf:1: " "$WORK/check.out" &&
	grep -q "$USERS/zz.conf:1: " "$WORK/parse.out" && shows_nothing "$WORK/check.out" "$WORK/parse.out"'
mark
cp "$FCONF" "$CONF"
kill -HUP "$SPAGATED_PID"
check "a reload that reads it logs zz.conf:1 at error, and nothing of its lines" \
	eval 'wait_logged "error: .*$USERS/zz.conf:1: " 5 && shows_nothing "$WORK/log"'
for kind in writable link; do
	users_d $kind
	mark
	kill -HUP "$SPAGATED_PID"
	wait_logged "reload failed|reloaded" 5
done
check "nor does a reload that finds the link (writable users.d, then root's)" \
	eval '[ "$(count_lines "$WORK/log" "$USERS: must not be writable|$USERS must not be writable")" -ge 1 ] &&
	[ "$(count_lines "$WORK/log" "zz.conf is a symbolic link")" -ge 1 ] && shows_nothing "$WORK/log"'
finish
