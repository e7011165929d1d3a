#!/bin/bash
# The IOS CLI double (tests/tools/ios_double) behind a real OpenSSH sshd
# (tests/tools/ios_sshd), driven by the real OpenSSH client on a PTY the
# way the Cisco module drives a router: log in with a password and with a
# key, enable with a wrong then the right secret, add an ACE and find it
# in `show ip access-lists`, get the IOS answers to a duplicate sequence,
# a malformed line, an incomplete and an ambiguous one, remove the entry,
# leave config mode with `end`, see the state in a second session, save
# it; then the fault knobs: slow prompts, a dropped connection, a refused
# ACE, a refused login, a hung command; a vty's width and `terminal
# width`, an exec-timeout; the pager (24 lines until `terminal length 0`);
# the forms of `show clock` and a time-range judged by local time; the
# sshd inside a namespace, and one offering only IOS 15's algorithms.
. "$(dirname "$0")/lib.sh"
require_root
for t in /usr/sbin/sshd ssh ssh-keygen /usr/bin/python3; do
	command -v $t >/dev/null || skip_all "needs $t (scripts/deps test)"
done
TOOLS=$top_srcdir/tests/tools
plan 49

# drive SCRIPT NAME ARGS...: run ssh ARGS on a PTY, follow SCRIPT, keep the
# transcript (CRs removed) in $WORK/NAME.out; status 0 when every step
# passed, 1 on a timeout, 2 on an unexpected end of the connection.
# Steps: `cmd TEXT` (send TEXT + LF, wait for a prompt), `send TEXT`,
# `secret TEXT` (send, wait for nothing), `expect REGEX`, `eof`,
# `timeout SECONDS`.  The ssh exit status goes to $WORK/NAME.rc.
cat >"$WORK/drive.py" <<'PY'
import os, pty, re, select, sys, time
script, name, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
PROMPT = re.compile(r"(^|\n)[A-Za-z0-9._-]+(\([a-z0-9-]+\))?[>#]$")
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
buf, seen, timeout, status = "", 0, 10.0, 0
def fill(deadline):
    global buf
    r, _, _ = select.select([fd], [], [], max(0, deadline - time.time()))
    if not r:
        return None
    try:
        data = os.read(fd, 4096)
    except OSError:
        data = b""
    if not data:
        return False
    buf += data.decode("latin-1").replace("\r", "")
    return True
def wait(rx):
    global seen
    deadline = time.time() + timeout
    while True:
        m = rx.search(buf, seen)
        if m:
            seen = m.end()
            return 0
        if time.time() >= deadline:
            return 1
        if fill(deadline) is False:
            return 2
for step in open(script).read().splitlines():
    op, _, arg = step.partition(" ")
    if op in ("cmd", "send", "secret"):
        os.write(fd, (arg + "\n").encode())
    if op == "cmd":
        status = wait(PROMPT)
    elif op == "expect":
        status = wait(re.compile(arg))
    elif op == "timeout":
        timeout = float(arg)
    elif op == "eof":
        deadline, status = time.time() + timeout, 1
        while time.time() < deadline:
            if fill(deadline) is False:
                status = 0
                break
    if status:
        sys.stderr.write("step failed (%d): %s\n" % (status, step))
        break
while status == 0 and fill(time.time() + 0.2) is True:
    pass
open(name + ".out", "w").write(buf)
try:
    os.kill(pid, 15)
except ProcessLookupError:
    pass
_, st = os.waitpid(pid, 0)
open(name + ".rc", "w").write("%d\n" % (os.waitstatus_to_exitcode(st)))
sys.exit(status)
PY

# session NAME [ssh options...] <<SCRIPT: one ssh session to the double.
session() {
	local name=$1; shift
	cat >"$WORK/$name.script"
	/usr/bin/python3 "$WORK/drive.py" "$WORK/$name.script" "$WORK/$name" \
		ssh -F /dev/null -tt -o BatchMode=no -o StrictHostKeyChecking=yes \
		-o UserKnownHostsFile="$IOS_SSHD_KNOWN_HOSTS" -o ConnectTimeout=5 \
		-p "$IOS_SSHD_PORT" "$@" "$IOS_SSHD_USER@$IOS_SSHD_ADDR" 2>>"$WORK/ssh.err"
}
as_key() { session "$1" -i "$WORK/id" -o PasswordAuthentication=no; }
# has NAME TEXT / lacks NAME TEXT: a fixed line (or part) in the transcript
has() { grep -qxF -- "$2" "$WORK/$1.out"; }
has_part() { grep -qF -- "$2" "$WORK/$1.out"; }
lacks() { ! grep -qF -- "$2" "$WORK/$1.out"; }
dbl() { "$IOS_DOUBLE" --state "$IOS_SSHD_STATE" "$@"; }
show_out() { diag "--- $1" "$(sed 's/^/  /' "$WORK/$1.out")"; }

ssh-keygen -q -t ed25519 -N '' -f "$WORK/id"
out=$("$TOOLS/ios_sshd" start --password spa-pw-1 --authorized-key "$WORK/id.pub" \
	--init "--privilege 1 --enable-secret s3cret --hostname EDGE1") ||
	bail_out "ios_sshd did not start"
eval "$out"
on_exit "'$TOOLS/ios_sshd' stop '$IOS_SSHD_DIR'"
check "ios_sshd prints a pinned host key and its pid" \
	grep -q "^\[127.0.0.1\]:$IOS_SSHD_PORT ssh-ed25519 " "$IOS_SSHD_KNOWN_HOSTS"
kill -0 "$IOS_SSHD_PID" 2>/dev/null && ok "sshd runs as pid $IOS_SSHD_PID" || not_ok "sshd pid"

# 1. password login, then enable: wrong secret three times, then right.
session pw -o PubkeyAuthentication=no -o PreferredAuthentications=password <<'S'
expect assword: $
secret spa-pw-1
expect \nEDGE1>$
cmd terminal length 0
cmd terminal width 0
send enable
expect Password: $
secret wrong1
expect Password: $
secret wrong2
expect Password: $
secret wrong3
expect % Bad secrets\n\nEDGE1>$
send en
expect Password: $
secret s3cret
expect \nEDGE1#$
cmd show privilege
cmd exit
eof
S
check "password login reaches user exec EDGE1>" has pw "EDGE1>terminal length 0"
check "three wrong enable secrets: % Bad secrets, back to >" has pw "% Bad secrets"
check "the secret is never echoed" lacks pw "wrong1"
check "right enable secret: privileged, level 15" has pw "Current privilege level is 15"
[ "$(cat "$WORK/pw.rc")" = 0 ] && ok "exit closes the session (ssh status 0)" ||
	not_ok "exit closes the session (ssh status $(cat "$WORK/pw.rc"))"

# 2. key login; the ACL work the Cisco module does.
as_key acl <<'S'
expect \nEDGE1>$
send enable
expect Password: $
secret s3cret
expect #$
cmd conf t
cmd ip access-list extended SPA-IN
cmd 10010 permit tcp host 192.0.2.7 host 10.0.0.1 eq 22
cmd 10010 permit tcp host 192.0.2.9 any eq 22
cmd 10020 permit tcp host 192.0.2.7 hots 10.0.0.1 eq 22
cmd 10020 permit tcp host 192.0.2.7
cmd 10020 permit tcp host 192.0.2.8 any eq 22
cmd 10030 permit tcp host 192.0.2.8 any e 22
cmd no 10020
cmd no 99
cmd end
cmd show ip access-lists SPA-IN
cmd exit
eof
S
check "key login works" has_part acl "EDGE1>enable"
check "config prompts: (config)# and (config-ext-nacl)#" \
	has acl "EDGE1(config-ext-nacl)#10010 permit tcp host 192.0.2.7 host 10.0.0.1 eq 22"
check "duplicate sequence: % Duplicate sequence number" has acl "% Duplicate sequence number"
bad="EDGE1(config-ext-nacl)#10020 permit tcp host 192.0.2.7 hots 10.0.0.1 eq 22"
caret=$(grep -A1 -xF -- "$bad" "$WORK/acl.out" | sed -n 2p)
prefix=${bad%%hots*}
[ "$caret" = "$(printf '%*s^' "${#prefix}" '')" ] && has acl "% Invalid input detected at '^' marker." &&
	ok "malformed line: ^ under the bad word, % Invalid input" || not_ok "malformed line marker"
check "incomplete line: % Incomplete command." has acl "% Incomplete command."
check "ambiguous keyword: % Ambiguous command" has acl '% Ambiguous command:  "10030 permit tcp host 192.0.2.8 any e 22"'
check "end returns to EDGE1#" has acl "EDGE1#show ip access-lists SPA-IN"
sed -n '/^EDGE1#show ip access-lists SPA-IN$/,/^EDGE1#/p' "$WORK/acl.out" >"$WORK/acl.show"
printf '%s\n' "EDGE1#show ip access-lists SPA-IN" "Extended IP access list SPA-IN" \
	"    10010 permit tcp host 192.0.2.7 host 10.0.0.1 eq 22" "EDGE1#exit" >"$WORK/acl.want"
if cmp -s "$WORK/acl.show" "$WORK/acl.want"; then
	ok "show ip access-lists: the ACE in IOS format; no <seq> removed 10020"
else
	not_ok "show ip access-lists"; show_out acl
fi

# 3. a second session sees the device; time-range, IPv6, save.
as_key second <<'S'
expect >$
send enable
expect Password: $
secret s3cret
expect #$
cmd sh ip access-lists
cmd configure terminal
cmd time-range SPA-1
cmd absolute end 23:59 31 December 2035
cmd ip access-list extended SPA-IN
cmd 10040 permit tcp host 192.0.2.7 any eq 22 time-range SPA-1
cmd ipv6 access-list SPA6-IN
cmd sequence 10010 permit tcp host 2001:db8::7 any eq 22
cmd end
cmd show access-lists
cmd write memory
cmd exit
eof
S
check "state persists across sessions" has second "    10010 permit tcp host 192.0.2.7 host 10.0.0.1 eq 22"
check "time-range ACE shown with its state" \
	has second "    10040 permit tcp host 192.0.2.7 any eq 22 time-range SPA-1 (active)"
check "IPv6 ACE shown as IOS does" has second "    permit tcp host 2001:DB8::7 any eq 22 sequence 10010"
has second "Building configuration..." && has second "[OK]" &&
	dbl --get startup.acl4.SPA-IN | grep -q '"10040"' &&
	ok "write memory: Building configuration... [OK], saved" || not_ok "write memory"

# 4. faults.  Slow: every prompt 400 ms late (a lower bound only).
dbl --set faults.slow_ms=400
t0=$(date +%s%N)
as_key slow <<'S'
expect >$
cmd show clock
cmd show privilege
cmd exit
eof
S
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -ge 1200 ] && ok "slow_ms delays each prompt ($ms ms for 3 prompts)" ||
	not_ok "slow_ms: only $ms ms for 3 prompts"
dbl --set faults.slow_ms=0

# Drop after 3 commands: the third is echoed, never answered, TCP goes.
dbl --set faults.drop_after=3
as_key drop <<'S'
expect >$
cmd show privilege
cmd terminal length 0
cmd show ip access-lists
S
st=$?
dbl --set faults.drop_after=0
# The double logs a command before it drops: that is the proof the third
# arrived (the echo may or may not make it out before the kill).
[ $st = 2 ] && [ "$(dbl --get log | python3 -c 'import json, sys; print(json.load(sys.stdin)[-1]["l"])')" = \
	"show ip access-lists" ] &&
	lacks drop "Extended IP" &&
	[ "$(cat "$WORK/drop.rc")" = 255 ] &&
	ok "drop_after=3: connection lost after the 3rd command (ssh 255)" ||
	{ not_ok "drop_after (driver $st, ssh $(cat "$WORK/drop.rc"))"; show_out drop; }

# Drop on a matching command, closing the channel only.
dbl --set faults.drop_on='^conf' faults.drop_mode=close
as_key dropon <<'S'
expect >$
send enable
expect Password: $
secret s3cret
expect #$
cmd configure terminal
S
st=$?
dbl --set faults.drop_on= faults.drop_mode=kill
[ $st = 2 ] && lacks dropon "Enter configuration" && ok "drop_on: the matching command ends the session" ||
	not_ok "drop_on (driver $st)"

# The next ACE refused with a chosen error, once.
dbl --set 'faults.reject_next_ace=% Error: ACL SPA-IN is locked'
as_key reject <<'S'
expect >$
send enable
expect Password: $
secret s3cret
expect #$
cmd conf t
cmd ip access-list extended SPA-IN
cmd 10050 permit tcp host 192.0.2.50 any eq 22
cmd 10060 permit tcp host 192.0.2.60 any eq 22
cmd do show ip access-lists SPA-IN
cmd end
cmd exit
eof
S
has reject "% Error: ACL SPA-IN is locked" && lacks reject "    10050 permit" &&
	has reject "    10060 permit tcp host 192.0.2.60 any eq 22" &&
	ok "reject_next_ace: one ACE refused with the given line" || not_ok "reject_next_ace"

# Hang: the command is echoed and never answered.
dbl --set 'faults.hang_on=^write'
as_key hang <<'S'
expect >$
send enable
expect Password: $
secret s3cret
expect #$
timeout 2
cmd write memory
S
st=$?
dbl --set faults.hang_on=
[ $st = 1 ] && lacks hang "Building" && ok "hang_on: no answer, no prompt" || not_ok "hang_on (driver $st)"

# A refused login: the double closes at once with the given line.
dbl --set 'faults.refuse_login=% Authorization failed.'
as_key refused <<'S'
expect % Authorization failed.
eof
S
st=$?
dbl --set faults.refuse_login=false
[ $st = 0 ] && lacks refused "EDGE1>" && ok "refuse_login: closed before any prompt" || not_ok "refuse_login"

# SSH-level refusals come from sshd itself: a wrong password, an unknown key.
session badpw -o PubkeyAuthentication=no -o PreferredAuthentications=password \
	-o NumberOfPasswordPrompts=1 <<'S'
expect assword: $
secret not-the-password
eof
S
ssh-keygen -q -t ed25519 -N '' -f "$WORK/other"
session badkey -i "$WORK/other" -o PasswordAuthentication=no -o IdentitiesOnly=yes <<'S'
eof
S
[ "$(cat "$WORK/badpw.rc")" = 255 ] && [ "$(cat "$WORK/badkey.rc")" = 255 ] &&
	lacks badpw "EDGE1" && lacks badkey "EDGE1" &&
	ok "wrong password and unknown key are refused by sshd" || not_ok "ssh refusals"

# A wrong host key: the pinned known_hosts line does not match another sshd.
# (the test user is shared: a second instance keeps the same password)
"$TOOLS/ios_sshd" start --state "$IOS_SSHD_STATE" \
	--password spa-pw-1 --authorized-key "$WORK/id.pub" >"$WORK/other.env" ||
	bail_out "second ios_sshd"
other_dir=$(sed -n 's/^IOS_SSHD_DIR=//p' "$WORK/other.env")
on_exit "'$TOOLS/ios_sshd' stop '$other_dir'"
port2=$(sed -n 's/^IOS_SSHD_PORT=//p' "$WORK/other.env")
sed "s/:$IOS_SSHD_PORT /:$port2 /" "$IOS_SSHD_KNOWN_HOSTS" >"$WORK/wrong_known_hosts"
echo eof | /usr/bin/python3 "$WORK/drive.py" /dev/stdin "$WORK/hostkey" ssh -F /dev/null -tt \
	-o StrictHostKeyChecking=yes -o UserKnownHostsFile="$WORK/wrong_known_hosts" \
	-i "$WORK/id" -p "$port2" "$IOS_SSHD_USER@127.0.0.1" 2>/dev/null
[ "$(cat "$WORK/hostkey.rc")" = 255 ] && has_part hostkey "HOST IDENTIFICATION HAS CHANGED" &&
	ok "each ios_sshd has its own host key (a mismatch is refused)" || not_ok "host key pinning"

# One state file, two sshds: both serve the same device.
IOS_SSHD_PORT=$port2 IOS_SSHD_KNOWN_HOSTS=$other_dir/known_hosts as_key shared <<'S'
expect >$
cmd show ip access-lists SPA-IN
cmd exit
eof
S
check "two sshds on one state file see the same device" \
	has shared "    10060 permit tcp host 192.0.2.60 any eq 22"

# An exec request (ssh host command) runs one command and closes, like IOS.
dbl --set device.privilege=15
ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$IOS_SSHD_KNOWN_HOSTS" \
	-i "$WORK/id" -p "$IOS_SSHD_PORT" "$IOS_SSHD_USER@127.0.0.1" show ip access-lists SPA-IN \
	>"$WORK/exec.out" 2>>"$WORK/ssh.err"
tr -d '\r' <"$WORK/exec.out" | grep -qxF "    10060 permit tcp host 192.0.2.60 any eq 22" &&
	ok "exec channel: one command, then close" || not_ok "exec channel"

# Privilege 15 login starts at #; ^Z and exit from sub-modes; CR line ends.
as_key priv15 <<'S'
expect \nEDGE1#$
cmd configure terminal
cmd time-range SPA-2
cmd exit
cmd ip access-list extended SPA-IN
cmd exit
cmd exit
cmd exit
eof
S
check "privilege 15 starts at EDGE1#" has_part priv15 "EDGE1#configure terminal"
has priv15 "EDGE1(config-time-range)#exit" && has priv15 "EDGE1(config-ext-nacl)#exit" &&
	has priv15 "EDGE1(config)#exit" && ok "exit climbs one mode at a time" || not_ok "exit"

# The history of commands is in the state for assertions.
dbl --get log | grep -q '"l": "10010 permit tcp host 192.0.2.7 host 10.0.0.1 eq 22"' &&
	! dbl --get log | grep -q 's3cret' &&
	ok "the state keeps the command log (never the secret)" || not_ok "command log"

# The terminal's width: output wraps at it (here a vty set to 40 columns,
# whatever the PTY says) until `terminal width` sets another (0: never);
# IOS takes 0 to 512.
dbl --set device.vty_width=40
as_key width <<'S'
expect \nEDGE1#$
cmd show ip access-lists SPA-IN
cmd terminal width 513
cmd terminal width 0
cmd show ip access-lists SPA-IN
cmd exit
eof
S
dbl --set device.vty_width=null
has width "    10060 permit tcp host 192.0.2.60 any" && has width " eq 22" &&
	ok "a 40-column vty wraps a longer line" || { not_ok "vty width wraps"; show_out width; }
has width "    10060 permit tcp host 192.0.2.60 any eq 22" &&
	ok "terminal width 0: no more wrapping" || not_ok "terminal width 0"
grep -A2 -xF "EDGE1#terminal width 513" "$WORK/width.out" | grep -qF "% Invalid input detected" &&
	ok "terminal width 513: invalid input (IOS takes 0-512)" || not_ok "terminal width range"

# exec-timeout: a session idle at its prompt that long is closed.
dbl --set device.exec_timeout_s=1
before=$(dbl --get exec_timeouts)
as_key idle <<'S'
expect \nEDGE1#$
timeout 5
eof
S
st=$?
dbl --set device.exec_timeout_s=0
[ $st = 0 ] && [ "$(dbl --get exec_timeouts)" = $((before + 1)) ] &&
	ok "exec_timeout_s: an idle session is closed, and counted in the state" ||
	not_ok "exec-timeout (driver $st)"

# The pager: a listing longer than the terminal (24 lines, as on a vty)
# stops after 23 at --More--, and a space shows the rest; after
# `terminal length 0` nothing stops.  A client that forgot that command
# would wait at the first long listing.
dbl --set "running.acl4.PAGE=$(python3 -c 'import json
print(json.dumps({str(10 * i): "permit tcp any host 10.0.0.%d eq 22" % i for i in range(1, 31)}))')"
waits=$(dbl --get pager_waits)
as_key pager <<'S'
expect \nEDGE1#$
send show ip access-lists PAGE
expect  --More-- $
send  
expect \nEDGE1#$
cmd terminal length 0
cmd show ip access-lists PAGE
cmd exit
eof
S
before_more=$(awk '/--More--/ { print prev; exit } { prev = $0 }' "$WORK/pager.out")
check "a 30-entry listing stops at --More-- after 23 lines (the 22nd entry)" \
	[ "$before_more" = "    220 permit tcp any host 10.0.0.22 eq 22" ]
check "a space shows the rest" has_part pager "    300 permit tcp any host 10.0.0.30 eq 22"
check "after terminal length 0 the same listing does not stop (one wait in all)" \
	[ "$(dbl --get pager_waits)" = $((waits + 1)) ]
dbl --set "running.acl4.PAGE={}"

# The forms of `show clock`: NTP-synchronised (no prefix), not
# authoritative ('*'), synchronisation lost ('.'), and a time zone, whose
# local time the device shows and judges time-ranges by.
clock() { SSH_ORIGINAL_COMMAND="show clock" dbl | tr -d '\r'; }
check "show clock: HH:MM:SS.mmm UTC Www Mmm D YYYY" bash -c "grep -Eqx \
	'[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9]{3} UTC [A-Z][a-z]{2} [A-Z][a-z]{2} [0-9]{1,2} [0-9]{4}' <<<'$(clock)'"
dbl --set device.clock_sync=none
check "clock_sync none: '*' before the time" bash -c '[[ $1 == \** ]]' _ "$(clock)"
dbl --set device.clock_sync=lost
check "clock_sync lost: '.' before the time" bash -c '[[ $1 == .* ]]' _ "$(clock)"
dbl --set device.clock_sync=ntp device.timezone=CET device.timezone_offset_s=3600
local_ok() { # the time shown is UTC + 1 h, named CET: read between two clock readings
	local shown t before after
	before=$(date +%s)
	shown=$(clock)
	after=$(date +%s)
	[[ $shown == *" CET "* ]] || return 1
	t=$(date -u -d "$(sed 's/\.[0-9]* CET [A-Z][a-z]* \([A-Z][a-z]*\) \([0-9]*\) \([0-9]*\)$/ \2 \1 \3/' <<<"$shown")" +%s) || return 1
	[ "$t" -ge $((before + 3600)) ] && [ "$t" -le $((after + 3600)) ]
}
check "a time zone: local time, named (CET, one hour ahead)" local_ok
# a time-range ending 30 min from now in UTC has ended on a CET clock
end=$(LC_ALL=C date -u -d "@$(( $(date +%s) + 1800 ))" '+%H:%M %d %B %Y')
dbl --set "running.trange.TZ={\"end\": \"$end\"}"
check "a time-range is judged by the device's local time" \
	bash -c 'SSH_ORIGINAL_COMMAND="show time-range TZ" "$1" --state "$2" | grep -q "entry: TZ (inactive)"' \
	_ "$IOS_DOUBLE" "$IOS_SSHD_STATE"
dbl --set device.timezone=UTC device.timezone_offset_s=0 "running.trange.TZ={}"

# 5. the sshd inside a network namespace of ours.
NS=iosd$$
on_exit "ip netns del $NS"
ip netns add "$NS" && ip -n "$NS" link set lo up &&
	ip -n "$NS" addr add 10.231.250.1/32 dev lo ||
	bail_out "netns"
"$TOOLS/ios_sshd" start --netns "$NS" --listen 10.231.250.1 --port 2222 \
	--state "$IOS_SSHD_STATE" --password spa-pw-1 --authorized-key "$WORK/id.pub" \
	>"$WORK/ns.env" || bail_out "ios_sshd in $NS"
ns_dir=$(sed -n 's/^IOS_SSHD_DIR=//p' "$WORK/ns.env")
on_exit "'$TOOLS/ios_sshd' stop '$ns_dir'"
ip netns exec "$NS" /usr/bin/python3 "$WORK/drive.py" /dev/stdin "$WORK/ns" ssh -F /dev/null -tt \
	-o StrictHostKeyChecking=yes -o UserKnownHostsFile="$ns_dir/known_hosts" \
	-i "$WORK/id" -p 2222 "$IOS_SSHD_USER@10.231.250.1" 2>>"$WORK/ssh.err" <<'S'
expect \nEDGE1#$
cmd exit
eof
S
check "ios_sshd listens inside a namespace (10.231.250.1:2222)" has_part ns "EDGE1#exit"

"$TOOLS/ios_sshd" stop "$ns_dir"
! kill -0 "$(sed -n 's/^IOS_SSHD_PID=//p' "$WORK/ns.env")" 2>/dev/null &&
	ok "ios_sshd stop ends its sshd" || not_ok "ios_sshd stop"

# 6. --legacy: only what IOS 15.x offers, an RSA host key.  Today's client
# defaults find nothing in common; IOS 15's algorithms log in.
ssh-keygen -q -t rsa -b 2048 -N '' -f "$WORK/rsa"
"$TOOLS/ios_sshd" start --legacy --state "$IOS_SSHD_STATE" --password spa-pw-1 \
	--authorized-key "$WORK/rsa.pub" >"$WORK/legacy.env" || bail_out "ios_sshd --legacy"
lg_dir=$(sed -n 's/^IOS_SSHD_DIR=//p' "$WORK/legacy.env")
lg_port=$(sed -n 's/^IOS_SSHD_PORT=//p' "$WORK/legacy.env")
on_exit "'$TOOLS/ios_sshd' stop '$lg_dir'"
check "--legacy: the host key is RSA" grep -q " ssh-rsa " "$lg_dir/known_hosts"
lg_ssh() {
	SSH_ORIGINAL_COMMAND= timeout 20 ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes \
		-o UserKnownHostsFile="$lg_dir/known_hosts" -i "$WORK/rsa" -p "$lg_port" "$@" \
		"$IOS_SSHD_USER@127.0.0.1" show privilege 2>"$WORK/legacy.err"
}
lg_ssh >"$WORK/legacy.out"
check "--legacy: a client with today's defaults cannot connect (no key exchange in common)" \
	grep -q "no matching key exchange method found" "$WORK/legacy.err"
lg_ssh -o KexAlgorithms=diffie-hellman-group14-sha1 -o HostKeyAlgorithms=ssh-rsa \
	-o PubkeyAcceptedAlgorithms=ssh-rsa -o Ciphers=aes256-ctr -o MACs=hmac-sha1 >"$WORK/legacy.out"
check "--legacy: IOS 15's algorithms log in" grep -q "Current privilege level is 15" "$WORK/legacy.out"
finish
