#!/bin/bash
# SPA command messages through sudo, on the shipped example (examples/sudo:
# access.conf, spagate.sudoers, spagate-wake, spagated.conf), with only the
# keys, the two accounts (throwaway users) and the install paths (under
# the scratch directory) filled in.  The snippet is checked with
# visudo -cf and installed in /etc/sudoers.d for the test's duration.  The
# real fwknop client's --server-cmd messages: a command sudoers lists runs
# as sudo's target user (its stamp file appears, owned by that user); a
# command it does not list, even one the script itself would accept, is
# refused by sudo, whose answer is in spagated's log, and creates
# nothing; a command message to a stanza without ENABLE_CMD_EXEC is
# refused before anything runs; without CMD_EXEC_USER sudoers filters
# nothing (README.md's warning); a replayed packet is refused.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
for t in sudo visudo useradd setpriv; do
	command -v $t >/dev/null || skip_all "needs $t (scripts/deps test)"
done
EXAMPLE=$top_srcdir/examples/sudo

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64) K2=$(b64key 32) H2=$(b64key 64)
K3=$(b64key 32) H3=$(b64key 64)
STATE=$WORK/state
# the example's accounts and paths, as this test names them
CMD_USER=spacmd$$ WAKE_USER=spawake$$
SUDOERS=/etc/sudoers.d/spagate-example-$$
ROOT=$WORK/root
WAKE=$ROOT/sbin/spagate-wake STAMPS=$ROOT/stamps

# Accounts without a home or a shell, as README.md creates them.
setup_users() {
	useradd -r -M -s /usr/sbin/nologin "$CMD_USER" || return 1
	on_exit "userdel $CMD_USER"
	useradd -r -M -s /usr/sbin/nologin "$WAKE_USER" || return 1
	on_exit "userdel $WAKE_USER"
}

# in_example FILE: the shipped file with our users and paths
in_example() {
	sed -e "s|/usr/local/sbin/spagate-wake|$WAKE|g" \
		-e "s|/var/lib/spagate-wake|$STAMPS|g" \
		-e "s|\\bspagate-cmd\\b|$CMD_USER|g" \
		-e "s|(spagate-wake)|($WAKE_USER)|g" \
		-e "s|^\\(CMD_SUDO_EXEC_USER *\\)spagate-wake\$|\\1$WAKE_USER|" \
		"$EXAMPLE/$1"
}

# The script and its stamp directory (README.md, section 2); the
# scratch directory must be searchable by the two accounts.
install_script() {
	chmod 755 "$WORK"
	install -d -m 755 "$ROOT" "$ROOT/sbin" &&
	install -d -m 755 -o "$WAKE_USER" -g "$WAKE_USER" "$STAMPS" &&
	in_example spagate-wake > "$WAKE" && chmod 755 "$WAKE"
}

# The snippet: checked first, then in /etc/sudoers.d (no dot in the name,
# or sudo skips it), removed at exit.
install_sudoers() {
	in_example spagate.sudoers > "$WORK/spagate.sudoers" &&
	visudo_ok "$WORK/spagate.sudoers" || return 1
	on_exit "rm -f $SUDOERS"
	install -m 440 "$WORK/spagate.sudoers" "$SUDOERS"
}

# with_keys KEY HMAC: the placeholders filled in
with_keys() {
	sed -e "s|REPLACE_WITH_KEY_BASE64|$1|" -e "s|REPLACE_WITH_HMAC_KEY_BASE64|$2|"
}

# The example's stanza, keys filled in, then two of our own: one without
# ENABLE_CMD_EXEC, and the example's stanza without CMD_EXEC_USER.
write_conf() {
	in_example access.conf | with_keys "$K1" "$H1" > "$WORK/access.conf"
	cat >> "$WORK/access.conf" <<CONF

# 2: keys of its own, no ENABLE_CMD_EXEC
SOURCE ANY
KEY_BASE64 $K2
HMAC_KEY_BASE64 $H2
CMD_EXEC_USER $CMD_USER

# 3: the example's stanza without CMD_EXEC_USER
CONF
	in_example access.conf | sed -n '/^SOURCE/,$p' | sed '/^CMD_EXEC_USER/d' |
		with_keys "$K3" "$H3" >> "$WORK/access.conf"
	chmod 600 "$WORK/access.conf"
}

parse_config() {
	"$SPAGATED" -c "$WORK/spagated.conf" -a "$1" -d "$STATE" -p "$WORK/spagated.pid" \
		--exit-parse-config >"$WORK/parse.out" 2>&1
}

start() {
	start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
		-p "$WORK/spagated.pid" -i "$SRV_IF" || bail_out "spagated did not start"
}

spa() { # spa KEY HMAC [client options]
	local k=$1 h=$2; shift 2
	fwknop_cli -D "$SRV_IP" --key-base64-rijndael "$k" --key-base64-hmac "$h" \
		-a "$CLI_IP" "$@" >/dev/null 2>&1
}

visudo_ok() { visudo -cf "$1" >/dev/null; }
owned_by() { [ -f "$1" ] && [ "$(stat -c %U "$1")" = "$2" ]; }
# nothing_ran FILE: FILE is absent and no command started since the mark
nothing_ran() { [ ! -e "$1" ] && [ "$(since_mark ': running ')" -eq 0 ]; }
# settled: the stats line of a SIGUSR1, logged since the mark.  The
# verifier answers it after whatever it sent for the packets before, so
# a command one of them started is logged (": running") by then.
settled() {
	kill -USR1 "$SPAGATED_PID"
	wait_logged 'stats: executor:' 5 || diag "no stats line after SIGUSR1"
}
# refused_by_sudo FILE: FILE is absent and sudo's refusal was logged
refused_by_sudo() {
	[ ! -e "$1" ] && [ "$(since_mark "$S1: output: \"sudo: a password is required")" -eq 1 ]
}
# script_accepts NAME: spagate-wake, run directly as its user, takes NAME
script_accepts() {
	setpriv --reuid="$WAKE_USER" --regid="$WAKE_USER" --clear-groups "$WAKE" "$1" >/dev/null &&
		rm "$STAMPS/$1"
}
# logged DESCRIPTION PATTERN: one TAP line from the log since the mark
logged() {
	if [ "$(since_mark "$2")" -ge 1 ]; then ok "$1"; else not_ok "$1"; diag "$(tail -n 6 "$WORK/log")"; fi
}

plan 20
netns_pair 120 || skip_all "cannot create network namespaces"
S1="stanza #1 $CLI_IP command"
setup_users || skip_all "cannot create the test users"

# 0. the shipped files before anything runs
check "the shipped sudoers snippet passes visudo -cf" \
	visudo_ok "$EXAMPLE/spagate.sudoers"
install_script || bail_out "cannot install spagate-wake"
check "the snippet with this test's users and paths passes visudo -cf and is installed" \
	install_sudoers
install -m 600 "$EXAMPLE/access.conf" "$WORK/shipped.conf"
cp "$EXAMPLE/spagated.conf" "$WORK/spagated.conf"
if ! parse_config "$WORK/shipped.conf" && grep -qF 'KEY_BASE64 is not valid base64' "$WORK/parse.out"; then
	ok "the example with its placeholder keys is refused"
else
	not_ok "the example with its placeholder keys is refused"; diag "$(cat "$WORK/parse.out")"
fi
write_conf
check "the example with keys and accounts filled in loads" parse_config "$WORK/access.conf"
check "the load warns about stanza #3 only: sudo without CMD_EXEC_USER starts as root" \
	bash -c "[ \"\$(grep -c 'without CMD_EXEC_USER starts sudo as root' '$WORK/parse.out')\" = 1 ] &&
		grep -q 'stanza #3 .*without CMD_EXEC_USER starts sudo as root' '$WORK/parse.out'"
start

# 1. a command sudoers lists runs, as sudo's target user
mark
spa "$K1" "$H1" --server-cmd "$WAKE backup"
check_logged "spagated runs the command message through sudo" \
	"$S1: running \"$WAKE backup\" through sudo" 5
check_logged "the listed command finishes" "$S1: finished" 5
check "its stamp file exists, owned by sudo's target user $WAKE_USER" \
	owned_by "$STAMPS/backup" "$WAKE_USER"
logged "the command's output is in the log" 'output: "wake backup requested'

# 2. commands sudoers does not list: sudo refuses, nothing is created
check "control: spagate-wake itself accepts the name 'other'" script_accepts other
mark
spa "$K1" "$H1" --server-cmd "$WAKE other"
check_logged "a name sudoers does not list fails (exit 1)" "$S1: failed \\(exit 1\\)" 5
check "sudo refused it (its answer is in spagated's log): no stamp file" \
	refused_by_sudo "$STAMPS/other"
mark
spa "$K1" "$H1" --server-cmd "/usr/bin/touch $STAMPS/touched"
check_logged "a command other than spagate-wake fails (exit 1)" "$S1: failed \\(exit 1\\)" 5
check "sudo refused it: nothing created" refused_by_sudo "$STAMPS/touched"

# 3. a stanza without ENABLE_CMD_EXEC refuses command messages
mark
spa "$K2" "$H2" --server-cmd "$WAKE media"
check_logged "a command message to a stanza without ENABLE_CMD_EXEC is refused" \
	"refused .*command messages are not enabled for the stanza" 5
settled
check "nothing ran for it" nothing_ran "$STAMPS/media"

# 4. why CMD_EXEC_USER (README.md): without it sudo starts as root, and
# the root rule of Debian's /etc/sudoers lets any command through
mark
spa "$K3" "$H3" --server-cmd "/usr/bin/touch $STAMPS/asroot"
wait_logged "stanza #3 .*command: (finished|failed)" 5
check "without CMD_EXEC_USER, sudo runs a command the snippet does not list" \
	owned_by "$STAMPS/asroot" "$WAKE_USER"

# 5. the same packet twice: the second is a replay and runs nothing
spa "$K1" "$H1" --server-cmd "$WAKE media" -T -B "$WORK/media.pkt"
mark
send_udp "$WORK/media.pkt" "$SRV_IP" 62201
wait_logged "$S1: finished" 5
check "a saved packet runs its command once" owned_by "$STAMPS/media" "$WAKE_USER"
rm -f "$STAMPS/media"
mark
send_udp "$WORK/media.pkt" "$SRV_IP" 62201
check_logged "the same packet again is refused as a replay" "refused .*replayed packet" 5
settled
check "the replay ran nothing" nothing_ran "$STAMPS/media"
stop_spagated
finish
