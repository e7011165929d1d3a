#!/bin/bash
# examples/per-user as shipped (files copied, only /etc/spagate moved into
# the scratch directory): two throwaway system users, each owning only
# their key file under a root-owned keys/ directory, while root owns the
# stanza files in users.d that decide what each one gets.  The real
# fwknop client with alice's .fwknoprc opens alice's port and only hers;
# bob's keys under alice's name are refused; alice rotates her own keys
# and after `spagated -R` the old key is refused and the new one granted,
# with no file of root's changed.  A key file that breaks (a directive
# that is not a key, group-writable, missing, placeholders) disables that
# user's stanza only, naming the file and line at error level: at a
# reload and at a start, the other user is granted and the broken one
# refused, and spagate check (exit 3), spagate status and the metrics
# say so.  With every key file still a placeholder nothing is left, and
# the policy is refused.  `spagate check` prints both stanzas with the
# keys masked.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
for t in ipset iptables useradd userdel groupdel runuser getent; do
	command -v $t >/dev/null || skip_all "needs $t (scripts/deps test)"
done
[ -x "$top_builddir/tests/tools/tcp_accept" ] || skip_all "tests/tools/tcp_accept is not built"
SPAGATE=$top_builddir/spagate
[ -x "$SPAGATE" ] || skip_all "spagate is not built"
EXAMPLE=$top_srcdir/examples/per-user
# system users of this run's own: two runs at once never share one
ALICE=spagate-t$$-alice BOB=spagate-t$$-bob
ETC=$WORK/etc/spagate
KEYS=$ETC/keys
STATE=$WORK/state
PIDFILE=$WORK/spagated.pid
METRICS=$WORK/metrics.prom

# The example's files with /etc/spagate moved; the admin's part.
install_example() {
	local f
	# the users must reach keys/ (search permission only on the way)
	chmod 711 "$WORK"
	install -d -m 711 "$WORK/etc" "$ETC" "$KEYS"
	install -d -m 700 "$ETC/users.d"
	for f in access.conf spagated.conf users.d/alice.conf users.d/bob.conf; do
		sed "s|/etc/spagate|$ETC|g" "$EXAMPLE/$f" > "$ETC/$f" && chmod 600 "$ETC/$f"
	done
	# the test's one addition: the counters, to see what they say
	printf 'metrics = { file = "%s"; interval = 1; };\n' "$METRICS" >> "$ETC/spagated.conf"
	install -m 600 -o "$ALICE" "$EXAMPLE/user.keys.sample" "$KEYS/alice.keys"
	install -m 600 -o "$BOB" "$EXAMPLE/user.keys.sample" "$KEYS/bob.keys"
}

# make_user NAME: a system user whose home is in $WORK; removed at exit
make_user() {
	on_exit "userdel $1; groupdel $1"
	useradd -M -d "$WORK/users/$1" -s /usr/sbin/nologin -U "$1" &&
		install -d -m 700 -o "$1" -g "$1" "$WORK/users/$1"
}
as() { local u=$1; shift; runuser -u "$u" -- "$@"; }

# new_keys USER KEYFILE: as the user, fresh keys into their key file and
# a [gw] stanza with the same keys into their own ~/.fwknoprc
new_keys() {
	as "$1" sh -c 'umask 077
		fwknop --key-gen --no-rc-file > "$1" &&
		{ printf "[gw]\nSPA_SERVER %s\nACCESS tcp/22\nALLOW_IP %s\nSPOOF_USER %s\nUSE_HMAC Y\n" "$2" "$3" "$4"
		  sed "s/: */ /" "$1"; } > "$HOME/.fwknoprc"' _ "$2" "$SRV_IP" "$CLI_IP" "$3"
}
rc_of() { echo "$WORK/users/$1/.fwknoprc"; }
key_of() { awk -v w="$2" '$1 == w { print $2; exit }' "$(rc_of "$1")"; }

# alice's client: her ~/.fwknoprc stanza, as she would run it
spa_rc() { # spa_rc RCFILE [options]
	local rc=$1; shift
	in_cli fwknop --rc-file "$rc" -n gw --no-save-args "$@" >/dev/null 2>&1
}
# a client given keys on the command line
spa_keys() { # spa_keys RCFILE USERNAME PORT [options]
	local rc=$1 user=$2 port=$3; shift 3
	fwknop_cli -D "$SRV_IP" -A "$port" -a "$CLI_IP" -U "$user" \
		--key-base64-rijndael "$(awk '$1 == "KEY_BASE64" { print $2 }' "$rc")" \
		--key-base64-hmac "$(awk '$1 == "HMAC_KEY_BASE64" { print $2 }' "$rc")" \
		"$@" >/dev/null 2>&1
}

# has_element PORT / outlive PORT: the client's element for tcp/PORT in
# spausers; its kernel timeout raised past any cycle here (only a del
# removes it from now on), if it is there
has_element() { in_srv ipset test spausers "$CLI_IP,tcp:$1" 2>/dev/null; }
outlive() { has_element "$1" && in_srv ipset -exist add spausers "$CLI_IP,tcp:$1" timeout 300; }

connects() { # connects PORT: one TCP connect from the client, 1 s limit
	in_cli timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2" && read -r l <&3 && [ "$l" = ok ]' _ "$SRV_IP" "$1" 2>/dev/null
}
dropped() { ! connects "$@"; }

start() {
	start_spagated -c "$ETC/spagated.conf" -d "$STATE" -p "$PIDFILE" \
		-i "$SRV_IF" || bail_out "spagated did not start"
}
# reload: spagated -R, then the log's verdict
reload() {
	mark
	"$SPAGATED" -R -c "$ETC/spagated.conf" -p "$PIDFILE" >/dev/null ||
		return 1
	wait_logged 'reloaded: [0-9]+ stanzas|reload failed' 5
}
reload_ok() {
	reload && [ "$(since_mark 'reloaded: 2 stanzas')" -eq 1 ] &&
		wait_logged 'verifier ready' 15
}
# check_says DESCRIPTION STATUS PATTERN...: spagate check exits STATUS
# (1: refused, 3: loaded with per-user files disabled) and says each
check_says() {
	local what=$1 want=$2 rc pat
	shift 2
	"$SPAGATE" check -c "$ETC/spagated.conf" -d "$STATE" > "$WORK/check.out" 2>&1
	rc=$?
	for pat in "$@"; do grep -qE -- "$pat" "$WORK/check.out" || rc=999; done
	if [ $rc -eq "$want" ]; then ok "$what"; else not_ok "$what"; diag "$(cat "$WORK/check.out")"; fi
}
# reload_disables KEYFILE STANZA: the reload is taken, the file's error
# logged at error level with file:line, its stanza disabled
reload_disables() {
	reload && [ "$(since_mark 'reloaded: 2 stanzas \(1 disabled')" -eq 1 ] &&
		[ "$(since_mark "error: .*: $1 is disabled \(stanza #$2 refuses every packet\)")" -eq 1 ] &&
		wait_logged 'verifier ready' 15
}
sums() { sha256sum "$ETC/access.conf" "$ETC/spagated.conf" "$ETC"/users.d/*; }

plan 43
for u in $ALICE $BOB; do
	getent passwd "$u" >/dev/null || getent group "$u" >/dev/null &&
		bail_out "user or group $u exists (an earlier run killed?): remove it first"
done
netns_pair 110 || skip_all "cannot create network namespaces"
make_user "$ALICE" && make_user "$BOB" || bail_out "cannot create the test users"
install_example

# 1. a user's stanza counts once they have written real keys; with no
# one's keys written yet, nothing is left and the policy is refused
check_says "placeholders in every key file: no usable stanza, refused, naming the files" 1 \
	"no usable stanza" "$KEYS/alice.keys:[0-9]+: KEY_BASE64: key is the placeholder __CHANGEME__" \
	"$KEYS/bob.keys:[0-9]+: KEY_BASE64: key is the placeholder __CHANGEME__"
new_keys "$ALICE" "$KEYS/alice.keys" alice
check_says "alice's keys written, bob's not: bob's stanza alone is disabled (exit 3)" 3 \
	"^disabled: $KEYS/bob.keys \(stanza #2 refuses every packet\): $KEYS/bob.keys:[0-9]+: KEY_BASE64: key is the placeholder" \
	"^# stanza #1 from $ETC/users.d/alice.conf:" "^# disabled: refuses every packet" \
	"^configuration loaded with errors: 2 stanzas from $ETC/access.conf, 1 disabled"
new_keys "$BOB" "$KEYS/bob.keys" bob
check "each user wrote their own key file (owner, mode 600)" \
	[ "$(stat -c '%U %a' "$KEYS/alice.keys" "$KEYS/bob.keys" | tr '\n' ' ')" = "$ALICE 600 $BOB 600 " ]
"$SPAGATE" check -c "$ETC/spagated.conf" -d "$STATE" > "$WORK/check.out" 2>&1; rc=$?
check "spagate check: both stanzas, from their users.d files, with their user names" \
	eval '[ $rc -eq 0 ] && grep -q "^configuration OK: 2 stanzas from $ETC/access.conf" "$WORK/check.out" &&
	grep -q "^# stanza #1 from $ETC/users.d/alice.conf:" "$WORK/check.out" &&
	grep -q "^# stanza #2 from $ETC/users.d/bob.conf:" "$WORK/check.out" &&
	grep -q "^REQUIRE_USERNAME *alice$" "$WORK/check.out" &&
	grep -q "^REQUIRE_USERNAME *bob$" "$WORK/check.out" &&
	grep -q "^OPEN_PORTS *tcp/22, tcp/5432$" "$WORK/check.out"'
check "spagate check: every key masked, none printed" \
	eval '[ "$(grep -cE "^(HMAC_)?KEY_BASE64 +\*+$" "$WORK/check.out")" -eq 4 ] &&
	! grep -qF -e "$(key_of "$ALICE" KEY_BASE64)" -e "$(key_of "$ALICE" HMAC_KEY_BASE64)" \
		-e "$(key_of "$BOB" KEY_BASE64)" -e "$(key_of "$BOB" HMAC_KEY_BASE64)" "$WORK/check.out"'

# 2. the set and rules, the daemon, and both ports dropped
check "the example's setup.sh creates the set and the rules" in_srv sh "$EXAMPLE/setup.sh"
on_exit "ip netns exec $SRV_NS sh '$EXAMPLE/setup.sh' remove"
start_tcp_accept 22
start_tcp_accept 5432
start
check "tcp/22 and tcp/5432 are dropped before any SPA packet" eval 'dropped 22 && dropped 5432'

# 3. alice: her port, only hers, and only with her keys
A_RC=$(rc_of "$ALICE") B_RC=$(rc_of "$BOB")
mark
spa_rc "$A_RC" -f 4
check_logged "alice's .fwknoprc opens tcp/22 through her stanza" \
	"stanza #1 $CLI_IP tcp/22: opened \\(ipset -exist add spausers $CLI_IP,tcp:22 timeout 4\\)" 5
check "alice's TCP connect to tcp/22 succeeds" connects 22
outlive 22
mark
spa_rc "$A_RC" -A tcp/5432
check_logged "alice asking for tcp/5432 is refused: her stanza does not grant it" \
	"refused .*: a requested port is not allowed: tcp/5432 \\(not in OPEN_PORTS\\) \\(stanza #1 " 5
check "tcp/5432 stays dropped" eval '[ "$(since_mark opened)" -eq 0 ] && dropped 5432'
mark
spa_keys "$B_RC" alice tcp/22
check_logged "bob's keys under alice's name are refused" "refused .*: username does not match REQUIRE_USERNAME \\(stanza #2 " 5
check "and open nothing" [ "$(since_mark 'opened|granted')" -eq 0 ]
mark
spa_keys "$B_RC" bob tcp/5432 -f 4
check_logged "bob's keys and name open tcp/5432 through his stanza" "stanza #2 $CLI_IP tcp/5432: opened" 5
check "bob's TCP connect to tcp/5432 succeeds" connects 5432

# 4. alice rotates her keys herself; root only sends -R
before=$(sums)
cp "$A_RC" "$WORK/alice-old.rc"
new_keys "$ALICE" "$KEYS/alice.keys" alice
check "alice's new keys: her file, changed by her; no file of root's changed" \
	eval '[ "$(stat -c %U "$KEYS/alice.keys")" = "$ALICE" ] && ! cmp -s "$A_RC" "$WORK/alice-old.rc" &&
	[ "$(sums)" = "$before" ]'
check "spagated -R reloads both stanzas" reload_ok
check "alice's first grant has ended: spagated deleted her element (kernel timeout 300 s), tcp/22 dropped" \
	eval 'wait_ok 8 eval "! has_element 22" && dropped 22'
mark
spa_rc "$WORK/alice-old.rc"
check_logged "alice's old key is refused after the reload" "refused $CLI_IP:[0-9]+ -> .*: HMAC does not verify" 5
spa_rc "$A_RC" -f 4
check_logged "alice's new key opens tcp/22" "stanza #1 $CLI_IP tcp/22: opened" 5
check "and the old key opened nothing" [ "$(since_mark opened)" -eq 1 ]
check "alice's TCP connect to tcp/22 succeeds again" connects 22

# 5. a key file cannot widen its stanza: it disables it
as "$ALICE" sh -c 'echo "OPEN_PORTS tcp/5432" >> "$1"' _ "$KEYS/alice.keys"
mark
check "a directive that is not a key in alice's file disables her stanza at the reload, naming file and line" \
	eval 'reload_disables "$KEYS/alice.keys" 1 &&
	[ "$(since_mark "$KEYS/alice.keys:[0-9]+: OPEN_PORTS is not allowed in a key file")" -eq 1 ]'
mark
spa_rc "$A_RC" -A tcp/5432
spa_rc "$A_RC" -f 2
check "alice's tcp/5432 and tcp/22 are refused: her stanza refuses every packet" \
	eval 'wait_logged "refused $CLI_IP:[0-9]+ -> " 2 5 && [ "$(since_mark "opened|granted")" -eq 0 ]'
wait_for_log "stanza #2 $CLI_IP tcp/5432: closed" 8
mark
spa_keys "$B_RC" bob tcp/5432 -f 4
check_logged "bob is served by the reloaded policy" "stanza #2 $CLI_IP tcp/5432: opened" 5
# she takes the line out again, by herself
as "$ALICE" sh -c 'umask 077; head -n 2 "$1" > "$HOME/k" && cat "$HOME/k" > "$1"' _ "$KEYS/alice.keys"

# 6. alice's file group-writable, at a reload and at a start: her stanza
# alone is disabled; bob is granted, and check, status and metrics say so
as "$ALICE" chmod g+w "$KEYS/alice.keys"
mark
check "a group-writable key file disables alice's stanza at the reload, naming the file" \
	eval 'reload_disables "$KEYS/alice.keys" 1 &&
	[ "$(since_mark "$KEYS/alice.keys must not be writable by group or others")" -eq 1 ]'
"$SPAGATED" -c "$ETC/spagated.conf" -d "$STATE" -p "$WORK/other.pid" --exit-parse-config > "$WORK/parse.out" 2>&1; rc=$?
check "--exit-parse-config: exit 3, naming the file and its stanza" \
	eval '[ $rc -eq 3 ] && grep -q "^disabled: $KEYS/alice.keys (stanza #1 refuses every packet): .*$KEYS/alice.keys must not be writable by group or others" "$WORK/parse.out"'
stop_spagated
start
check "a start with alice's file broken: her error logged at error level, with file and line" \
	grep -qE "error: $ETC/users.d/alice.conf:[0-9]+: $KEYS/alice.keys must not be writable by group or others: $KEYS/alice.keys is disabled" "$WORK/log"
wait_for_log "stanza #2 $CLI_IP tcp/5432: closed" 8
mark
spa_keys "$B_RC" bob tcp/5432 -f 4
check_logged "bob is granted" "stanza #2 $CLI_IP tcp/5432: opened" 5
check "bob's TCP connect to tcp/5432 succeeds" connects 5432
mark
spa_rc "$A_RC" -f 2
check_logged "alice is refused" "refused $CLI_IP:[0-9]+ -> " 5
check "and nothing opens for her" eval '[ "$(since_mark "opened|granted")" -eq 0 ] && dropped 22'
check_says "spagate check says so (exit 3)" 3 \
	"^disabled: $KEYS/alice.keys \(stanza #1 refuses every packet\)"
"$SPAGATE" status -c "$ETC/spagated.conf" -d "$STATE" -p "$PIDFILE" > "$WORK/status.out" 2>&1
check "spagate status says so" \
	eval 'grep -q "^policy: per-user files with errors" "$WORK/status.out" &&
	grep -q "^  disabled: $KEYS/alice.keys (stanza #1 refuses every packet)" "$WORK/status.out"'
check "the metrics say so: one file, one stanza" \
	eval 'wait_for "$METRICS" "^spagate_policy_files_disabled 1\$" 5 && grep -q "^spagate_policy_stanzas_disabled 1\$" "$METRICS"'
# alice's own check: a stanza of hers around her key file, read as her
as "$ALICE" sh -c 'umask 077; : > "$HOME/empty.conf"
	printf "SOURCE ANY\n%%include_keys %s\n" "$1" > "$HOME/self.conf"' _ "$KEYS/alice.keys"
self_check() {
	as "$ALICE" "$SPAGATE" check -c "$WORK/users/$ALICE/empty.conf" \
		-a "$WORK/users/$ALICE/self.conf" > "$WORK/self.out" 2>&1
}
check "alice's own spagate check fails, and says why" \
	eval '! self_check && grep -q "alice.keys must not be writable by group or others" "$WORK/self.out"'
as "$ALICE" chmod g-w "$KEYS/alice.keys"
check "after her chmod g-w it passes" self_check
check "and a reload brings her stanza back" reload_ok
mark
spa_rc "$A_RC" -f 2
check_logged "alice is granted again" "accepted by stanza #1 " 5
"$SPAGATE" status -c "$ETC/spagated.conf" -d "$STATE" -p "$PIDFILE" > "$WORK/status.out" 2>&1
check "status and metrics: nothing disabled any more" \
	eval '! grep -q "^policy: per-user files with errors" "$WORK/status.out" &&
	wait_for "$METRICS" "^spagate_policy_files_disabled 0\$" 5'

# 7. what a user cannot do, and a missing file
check "alice cannot replace her key file (by a symlink to another file)" \
	eval '! as "$ALICE" ln -sf /etc/shadow "$KEYS/alice.keys" 2>/dev/null &&
	! as "$ALICE" rm -f "$KEYS/alice.keys" 2>/dev/null && [ -f "$KEYS/alice.keys" ] && [ ! -L "$KEYS/alice.keys" ]'
mv "$KEYS/bob.keys" "$WORK/bob.keys.saved"
check_says "a missing key file disables its stanza, naming the include line" 3 \
	"^disabled: $KEYS/bob.keys \(stanza #2 refuses every packet\): $ETC/users.d/bob.conf:[0-9]+: cannot open $KEYS/bob.keys: No such file"
mv "$WORK/bob.keys.saved" "$KEYS/bob.keys"
check "with every file right again, the reload takes the current keys" reload_ok
finish
