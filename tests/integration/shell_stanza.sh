#!/bin/bash
# CMD_CYCLE_SHELL with hostile usernames sent by the real fwknop client
# (issue 15, item 4).  The stanza's commands are the issue's template,
# "($$(echo $USER))", run in a directory with a tmp/ in it: a username such
# as x&cd tmp&&touch pwned&&echo must be printed by the open and the close,
# never run.  The client and the decoder let & $ ( ) ` ' { } ~ and blanks
# through; | ; < > " \ * / [ ] : = , + ? are refused before any command,
# and the client cuts a username to 29 characters.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K=$(b64key 32) H=$(b64key 64)
RUN=$WORK/run		# the commands' directory: a run user lands in RUN/tmp
STATE=$WORK/state

users=(
	'x&cd tmp&&touch pwned&&echo'
	'$(cd tmp&&touch pwned2)'
	'`cd tmp&&touch pwned3`'
	"x'&&cd tmp&&touch p4&&echo '"
	'x&cd tmp&&touch p{5}&&echo ~'
	'$IFS&&cd tmp&&touch p6&&echo'
	'x & cd tmp && touch p7 & echo'
)

write_access() {
	cat > "$WORK/access.conf" <<CONF
SOURCE ANY
KEY_BASE64 $K
HMAC_KEY_BASE64 $H
CMD_CYCLE_SHELL Y
CMD_CYCLE_OPEN cd $RUN && echo "open (\$\$(echo \$USER))" "<\$USER>"
CMD_CYCLE_CLOSE cd $RUN && echo "close (\$\$(echo \$USER))"
CMD_CYCLE_TIMER 1
CONF
	chmod 600 "$WORK/access.conf"
	printf 'log = { refusals_per_second = 0; };\n' > "$WORK/spagated.conf"
}

spa() { # spa USER
	fwknop_cli -D "$SRV_IP" --key-base64-rijndael "$K" --key-base64-hmac "$H" \
		-A tcp/22 -a "$CLI_IP" -U "$1" >/dev/null 2>&1
}
# logged_since_mark TEXT: a line since the mark holds TEXT as it is
logged_since_mark() { tail -n +$((MARK + 1)) "$WORK/log" | grep -Fq -- "$1"; }
nothing_made() { [ -z "$(ls -A "$RUN/tmp")" ]; }

plan $((${#users[@]} * 3))
netns_pair 160 || skip_all "cannot create network namespaces"
mkdir -p "$RUN/tmp"
write_access
start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
	-p "$WORK/spagated.pid" -i "$SRV_IF" || bail_out "spagated did not start"

for u in "${users[@]}"; do
	mark
	spa "$u" || diag "the client refused user $u"
	wait_logged 'stanza #1 .*: closed' 10 || diag "$(tail -n 5 "$WORK/log")"
	check "user $u: no command of it ran (nothing in tmp/)" nothing_made
	check "user $u: the open printed it intact" logged_since_mark "open ($u) <$u>"
	check "user $u: the close printed it intact" logged_since_mark "close ($u)"
	rm -f "$RUN/tmp/"*
done
finish
