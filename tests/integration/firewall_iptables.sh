#!/bin/bash
# The built-in firewall's iptables backend (firewall.backend =
# "iptables"): what fwknopd did.  Debian's stock access.conf, only its
# two keys filled in; the server namespace drops new connections by
# INPUT policy and accepts ESTABLISHED,RELATED (fwknopd's usual host).
# A TCP connect fails, the real client knocks, it succeeds, and after
# the client's timeout it fails again.  spagated's chain is jumped to
# from INPUT position 1, once, also after a reload; the rules of one
# packet go to iptables-restore in one run; and at start a rule left in
# the chain by a previous run goes while a journaled open cycle's stays.
. "$(dirname "$0")/lib.sh"
require_root
require_fwknop
for t in iptables iptables-save iptables-restore; do
	command -v $t >/dev/null || skip_all "needs $t (scripts/deps test)"
done
STOCK=/etc/fwknop/access.conf
[ -r "$STOCK" ] || skip_all "needs Debian's fwknop-server (/etc/fwknop/access.conf)"

b64key() { head -c "$1" /dev/urandom | base64 -w0; }
K1=$(b64key 32) H1=$(b64key 64)
STATE=$WORK/state
CH=SPAGATE_INPUT

sed -e "s|^\(KEY_BASE64 *\)__CHANGEME__|\1$K1|" \
	-e "s|^\(HMAC_KEY_BASE64 *\)__CHANGEME__|\1$H1|" "$STOCK" > "$WORK/access.conf"
chmod 600 "$WORK/access.conf"
printf 'firewall = { backend = "iptables"; };\n' > "$WORK/spagated.conf"

connects() {
	in_cli timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2" && read -r l <&3 && [ "$l" = ok ]' _ "$1" "$2" 2>/dev/null
}
refused() { ! connects "$@"; }
chain_has() { in_srv iptables -S "$CH" 2>/dev/null | grep -qF -- "-s $1/32 -p tcp -m tcp --dport $2 "; }
chain_lacks() { ! chain_has "$@"; }
no_chain() { ! in_srv iptables -S "$CH" >/dev/null 2>&1; }
# the jump: exactly one, and the first rule of INPUT (after its policy)
jump_first_once() {
	local s
	s=$(in_srv iptables -S INPUT) || return 1
	[ "$(grep -c -- "-j $CH\$" <<<"$s")" -eq 1 ] &&
		[ "$(sed -n 2p <<<"$s")" = "-A INPUT -j $CH" ]
}
knock() {
	fwknop_cli --key-base64-rijndael "$K1" --key-base64-hmac "$H1" -D "$SRV_IP" \
		-a "$CLI_IP" "$@" >/dev/null 2>&1
}
start() {
	start_spagated -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
		-p "$WORK/spagated.pid" -i "$SRV_IF" || bail_out "spagated did not start"
}

plan 19
netns_pair 63 || skip_all "cannot create network namespaces"
check "only the two key lines differ from Debian's access.conf" \
	[ "$(diff "$STOCK" "$WORK/access.conf" | grep -c '^[<>]')" -eq 4 ]
check "the namespace drops new connections by INPUT policy" eval \
	'in_srv iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT &&
	in_srv iptables -A INPUT -i lo -j ACCEPT && in_srv iptables -P INPUT DROP'
check "checking the configuration makes no chain" eval \
	'in_srv "$SPAGATED" -c "$WORK/spagated.conf" -a "$WORK/access.conf" -d "$STATE" \
		-p "$WORK/spagated.pid" --exit-parse-config >/dev/null 2>&1 && no_chain'
start_tcp_accept 22
start_tcp_accept 2222

# A previous run: a grant for tcp/2222 still open when spagated dies.
mark
start
check "at start spagated makes its chain and the jump" \
	wait_logged "firewall: iptables chain $CH ready \\(filter table, jump at INPUT position 1" 5
check "... the jump is INPUT's first rule, once" jump_first_once
knock -A tcp/2222 -f 120
check "a grant of the previous run opens" wait_ok 5 chain_has "$CLI_IP" 2222
kill -9 "$SPAGATED_PID"; wait "$SPAGATED_PID" 2>/dev/null
# ... and a rule that run left without a cycle (a crash between journal
# and chain, or a journal lost): only iptables would ever remove it.
in_srv iptables -A "$CH" -s 10.231.63.99/32 -p tcp -m tcp --dport 22 \
	-m comment --comment spagate_exp_1 -j ACCEPT

mark
start
check "at start the rule no journaled cycle holds is removed" wait_ok 5 chain_lacks 10.231.63.99 22
check "... logged" wait_logged "firewall: -A $CH -s 10.231.63.99/32 .*no open cycle holds.*removed" 5
check "the journaled open cycle's rule stays" chain_has "$CLI_IP" 2222
check "... and its grant still works" connects "$SRV_IP" 2222

check "tcp/22 is dropped before any SPA packet" refused "$SRV_IP" 22
mark
knock -A tcp/22 -f 3
check "the stanza without a command opens through iptables" \
	wait_logged "stanza #1 $CLI_IP tcp/22: opened \\(firewall -A $CH -s $CLI_IP/32 -p tcp -m tcp --dport 22 -m comment --comment spagate_exp_[0-9]+ -j ACCEPT\\)" 5
check "the TCP connect succeeds once granted" connects "$SRV_IP" 22
check "after the client's 3 s the rule is gone" wait_ok 10 chain_lacks "$CLI_IP" 22
check "... the close is logged" wait_logged "stanza #1 $CLI_IP tcp/22: closed" 5
check "tcp/22 is dropped again" refused "$SRV_IP" 22

# Twelve ports in one packet: one run of iptables-restore.
PORTS=$(seq -s, -f 'tcp/%g' 3001 3012)
mark
knock -A "$PORTS" -f 30
check "twelve ports of one packet are one iptables-restore run" \
	wait_logged "firewall: 12 rule commands in 1 iptables-restore run\$" 5
check "... all twelve rules are in the chain" \
	[ "$(in_srv iptables -S "$CH" | grep -c -- "--dport 30[01][0-9] ")" -eq 12 ]

# A reload makes the chain again: the jump is not added twice.
mark
kill -HUP "$SPAGATED_PID"
wait_logged "firewall: iptables chain $CH ready" 5 || diag "no setup after the reload"
check "after a reload the jump is still INPUT's first rule, once" jump_first_once
stop_spagated
finish
